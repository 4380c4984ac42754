"""Grading of each question type, over snapshot dicts (quizzes.grading has no database)."""

from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError

from quizzes.grading import (
    ALL_OR_NOTHING,
    PARTIAL,
    clean_response,
    correct_response,
    grade,
    public_question,
    question_fraction,
)


def single(points="1"):
    return {
        "question_id": 1,
        "kind": "single",
        "stem": "<p>交叉销售的业务由谁统一管理？</p>",
        "image": None,
        "choices": [
            {"id": 11, "text": "集团"},
            {"id": 12, "text": "各公司"},
            {"id": 13, "text": "代理人"},
        ],
        "points": points,
        "explanation": "第三条。",
        "key": {"choices": [11]},
    }


def multiple(points="2"):
    return {
        "question_id": 2,
        "kind": "multiple",
        "stem": "<p>交叉销售的形式包括？</p>",
        "image": None,
        "choices": [
            {"id": 21, "text": "相互代理"},
            {"id": 22, "text": "联合展业"},
            {"id": 23, "text": "渠道共享"},
            {"id": 24, "text": "独立核算"},
        ],
        "points": points,
        "explanation": "",
        "key": {"choices": [21, 22, 23]},
    }


def true_false(is_true=True, points="1"):
    return {
        "question_id": 3,
        "kind": "true_false",
        "stem": "<p>代理人可以销售未经认证的其他公司产品。</p>",
        "image": None,
        "choices": [],
        "points": points,
        "explanation": "",
        "key": {"is_true": is_true},
    }


def fill_blank(points="1"):
    return {
        "question_id": 4,
        "kind": "fill_blank",
        "stem": "<p>寿险公司代理财险业务简称____。</p>",
        "image": None,
        "choices": [],
        "points": points,
        "explanation": "",
        "key": {"accepted": ["寿代产", "Life P&C"]},
    }


@pytest.mark.parametrize(("response", "expected"), [(11, 1), (12, 0), (None, 0)])
def test_single_choice_earns_full_marks_for_the_key_only(response, expected):
    assert question_fraction(single(), response, multiple_scoring=PARTIAL) == expected


@pytest.mark.parametrize(
    ("response", "all_or_nothing", "partial"),
    [
        ([21, 22, 23], 1, 1),
        ([21, 22], 0, Fraction(2, 3)),
        ([21], 0, Fraction(1, 3)),
        ([21, 22, 24], 0, Fraction(1, 3)),
        ([21, 24], 0, 0),
        ([21, 22, 23, 24], 0, Fraction(2, 3)),
        ([24], 0, 0),
        (None, 0, 0),
    ],
)
def test_multiple_choice_all_or_nothing_and_partial_credit(response, all_or_nothing, partial):
    question = multiple()
    assert question_fraction(question, response, multiple_scoring=ALL_OR_NOTHING) == all_or_nothing
    assert question_fraction(question, response, multiple_scoring=PARTIAL) == partial


def test_ticking_every_option_earns_nothing_when_one_is_wrong_of_two_right():
    question = multiple()
    question["key"] = {"choices": [21, 22]}
    assert question_fraction(question, [21, 22, 23, 24], multiple_scoring=PARTIAL) == 0


@pytest.mark.parametrize(
    ("is_true", "response", "expected"),
    [(True, True, 1), (True, False, 0), (False, False, 1), (False, True, 0)],
)
def test_true_false(is_true, response, expected):
    assert question_fraction(true_false(is_true), response, multiple_scoring=PARTIAL) == expected


@pytest.mark.parametrize(
    "response",
    ["寿代产", " 寿 代 产 ", "寿代产\u3000", "life p&c", "ＬＩＦＥ　Ｐ＆Ｃ", "Life\tP & C"],
)
def test_fill_in_ignores_width_case_and_whitespace(response):
    assert question_fraction(fill_blank(), response, multiple_scoring=PARTIAL) == 1


@pytest.mark.parametrize("response", ["产代寿", "寿代", "", "   "])
def test_fill_in_refuses_other_answers(response):
    assert question_fraction(fill_blank(), response, multiple_scoring=PARTIAL) == 0


def test_an_attempt_scores_the_exact_sum_rounded_down():
    snapshot = {
        "version": 1,
        "multiple_scoring": PARTIAL,
        "questions": [single(), multiple("2"), true_false(), fill_blank()],
    }
    result = grade(snapshot, {0: 11, 1: [21], 2: False, 3: "寿代产"})
    assert [mark.fraction for mark in result.marks] == [1, Fraction(1, 3), 0, 1]
    assert result.score_exact == Fraction(8, 3)
    assert result.score == Decimal("2.66")
    assert result.max_score == Decimal(5)
    assert result.percent == Decimal("53.33")


def test_the_pass_mark_is_compared_exactly():
    snapshot = {"multiple_scoring": PARTIAL, "questions": [multiple("3")]}
    two_thirds = grade(snapshot, {0: [21, 22]})  # exactly 66.666…%
    assert two_thirds.percent == Decimal("66.66")
    assert two_thirds.passes(Decimal("66.66"))
    assert not two_thirds.passes(Decimal("66.67"))
    assert not two_thirds.passes(67)


def test_multiple_scoring_comes_from_the_snapshot():
    questions = [multiple()]
    assert (
        grade({"multiple_scoring": ALL_OR_NOTHING, "questions": questions}, {0: [21, 22]}).score
        == 0
    )
    assert grade(
        {"multiple_scoring": PARTIAL, "questions": questions}, {0: [21, 22]}
    ).score == Decimal("1.33")


def test_unanswered_questions_count_as_wrong():
    result = grade({"multiple_scoring": PARTIAL, "questions": [single(), fill_blank()]}, {})
    assert (result.score, result.max_score, result.percent) == (0, 2, 0)
    assert not result.passes(1)


def test_public_question_has_no_key_or_explanation():
    for question in (single(), multiple(), true_false(), fill_blank()):
        public = public_question(question)
        assert "key" not in public
        assert "explanation" not in public
        assert public["stem"] == question["stem"]


@pytest.mark.parametrize(
    ("question", "raw", "cleaned"),
    [
        (single(), "12", 12),
        (single(), 13, 13),
        (single(), "", None),
        (multiple(), ["23", 21, "21"], [21, 23]),
        (multiple(), "22", [22]),
        (multiple(), [], None),
        (true_false(), "true", True),
        (true_false(), False, False),
        (fill_blank(), " 寿代产 ", " 寿代产 "),
        (fill_blank(), "  ", None),
    ],
)
def test_clean_response_accepts_what_the_page_sends(question, raw, cleaned):
    assert clean_response(question, raw) == cleaned


@pytest.mark.parametrize(
    ("question", "raw", "message"),
    [
        (single(), 99, "所选的选项不属于这道题。"),
        (single(), True, "选项不正确。"),
        (single(), "一", "选项不正确。"),
        (multiple(), [21, 11], "所选的选项不属于这道题。"),
        (true_false(), "maybe", "判断题只能回答“正确”或“错误”。"),
        (fill_blank(), ["寿代产"], "填空题的答案必须是文字。"),
        (fill_blank(), "寿" * 201, "答案不能超过 200 个字。"),
    ],
)
def test_clean_response_refuses_what_the_question_cannot_take(question, raw, message):
    with pytest.raises(ValidationError) as error:
        clean_response(question, raw)
    assert error.value.messages == [message]


def test_correct_response_is_the_full_marks_answer():
    for question in (single(), multiple(), true_false(False)):
        assert (
            question_fraction(question, correct_response(question), multiple_scoring=ALL_OR_NOTHING)
            == 1
        )
    assert correct_response(fill_blank()) == ["寿代产", "Life P&C"]
