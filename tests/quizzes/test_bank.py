"""The bank's rules: every question type's answer key, fingerprints, who may edit which bank."""

import pytest
from django.core.exceptions import ValidationError

from organization.models import Role
from quizzes.bank_services import question_create
from quizzes.models import Question, QuestionKind, question_fingerprint
from quizzes.normalise import answers_match, html_to_text, normalise_answer, text_to_html
from quizzes.rules import bank_companies, can_edit_bank

from .factories import make_fill_blank, make_multiple, make_single, make_true_false


def create(category, **fields):
    return question_create(category=category, stem="<p>题干</p>", **fields)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"kind": QuestionKind.SINGLE, "choices": [("甲", True), ("乙", True)]},
            "单选题必须恰好有一个正确选项（现有 2 个）。",
        ),
        (
            {"kind": QuestionKind.SINGLE, "choices": [("甲", False), ("乙", False)]},
            "单选题必须恰好有一个正确选项（现有 0 个）。",
        ),
        ({"kind": QuestionKind.SINGLE, "choices": [("甲", True)]}, "选择题至少需要两个选项。"),
        (
            {"kind": QuestionKind.MULTIPLE, "choices": [("甲", False), ("乙", False)]},
            "多选题至少需要一个正确选项。",
        ),
        (
            {"kind": QuestionKind.MULTIPLE, "choices": [("甲", True), ("甲 ", False)]},
            "选项内容不能重复。",
        ),
        (
            {"kind": QuestionKind.MULTIPLE, "choices": [("甲", True), ("", False)]},
            "选项内容不能为空。",
        ),
        ({"kind": QuestionKind.TRUE_FALSE}, "判断题必须指明题述正确还是错误。"),
        (
            {"kind": QuestionKind.TRUE_FALSE, "is_true": True, "choices": [("对", True)]},
            "只有单选题和多选题可以设置选项。",
        ),
        ({"kind": QuestionKind.FILL_BLANK}, "填空题至少需要一个参考答案。"),
        (
            {"kind": QuestionKind.FILL_BLANK, "accepted_answers": ["  "]},
            "填空题至少需要一个参考答案。",
        ),
        (
            {
                "kind": QuestionKind.SINGLE,
                "is_true": True,
                "choices": [("甲", True), ("乙", False)],
            },
            "只有判断题需要指明正确或错误。",
        ),
        (
            {
                "kind": QuestionKind.SINGLE,
                "accepted_answers": ["甲"],
                "choices": [("甲", True), ("乙", False)],
            },
            "只有填空题需要参考答案。",
        ),
    ],
)
def test_a_bad_answer_key_is_refused_with_its_reason(p_category, fields, message):
    with pytest.raises(ValidationError) as error:
        create(p_category, **fields)
    assert message in error.value.messages
    assert not Question.objects.exists()


def test_each_type_with_a_sound_key_is_stored_with_its_choices_and_tags(p_category):
    single = make_single(p_category, tags=["产代寿", "统计口径"])
    multiple = make_multiple(p_category)
    true_false = make_true_false(p_category)
    fill = make_fill_blank(p_category)
    single.refresh_from_db()
    assert [c.is_correct for c in single.choice_list()] == [True, False, False]
    assert sorted(tag.name for tag in single.tags.all()) == ["产代寿", "统计口径"]
    assert sum(c.is_correct for c in multiple.choice_list()) == 3
    assert true_false.is_true is False and not true_false.choices.exists()
    assert fill.accepted_answers == ["承保公司"]
    assert {q.company_id for q in Question.objects.all()} == {p_category.company_id}
    assert single.fingerprint == single.compute_fingerprint()


def test_the_same_question_twice_in_one_bank_is_refused(p_category, l_category):
    make_single(p_category, stem="<p>同一道题</p>")
    with pytest.raises(ValidationError) as error:
        make_single(p_category, stem="<p>同一道题</p>")
    assert error.value.messages == ["题库中已有相同的题目。"]
    # Another company's bank may hold the same question.
    make_single(l_category, stem="<p>同一道题</p>")


def test_the_fingerprint_ignores_choice_order_markup_and_width_but_not_the_key():
    base = question_fingerprint(
        kind="single",
        stem="<p>交叉销售 保费</p>",
        choices=[("甲", True), ("乙", False)],
        accepted_answers=[],
        is_true=None,
    )
    same = question_fingerprint(
        kind="single",
        stem="<p><b>交叉销售</b>  保费</p>",
        choices=[("乙", False), ("甲 ", True)],
        accepted_answers=[],
        is_true=None,
    )
    other_key = question_fingerprint(
        kind="single",
        stem="<p>交叉销售 保费</p>",
        choices=[("甲", False), ("乙", True)],
        accepted_answers=[],
        is_true=None,
    )
    assert base == same != other_key


@pytest.mark.parametrize(
    ("given", "matches"),
    [
        ("承保公司", True),
        (" 承保 公司 ", True),
        ("承保\u3000公司", True),
        ("ＰＩＣＣ承保公司", False),
        ("", False),
        ("代理方", False),
    ],
)
def test_fill_in_answers_ignore_width_and_whitespace(given, matches):
    assert answers_match(given, ["承保公司", "PICC 承保公司X"]) is matches


def test_full_width_letters_and_digits_match_half_width():
    assert normalise_answer("ＡＢＣ　１２３，") == normalise_answer("abc 123,")
    assert answers_match("ｐｉｃｃ", ["PICC"])


def test_rich_text_and_plain_text_convert_both_ways():
    html = text_to_html("第一段 <b>\n\n第二段")
    assert html == "<p>第一段 &lt;b&gt;</p><p>第二段</p>"
    assert html_to_text(html) == "第一段 <b>\n第二段"


def test_lecturers_edit_their_own_company_and_the_group_every_company(
    tree, p_lecturer, l_lecturer, person_factory
):
    group_lecturer = person_factory(tree["group"], Role.LECTURER)
    assert list(bank_companies(p_lecturer.user)) == [tree["P"]]
    assert can_edit_bank(p_lecturer.user, tree["P"].pk)
    assert not can_edit_bank(p_lecturer.user, tree["L"].pk)
    assert set(bank_companies(group_lecturer.user)) == {tree["P"], tree["L"], tree["H"]}


def test_coordinators_edit_the_banks_of_companies_in_their_subtree(
    tree, p_coordinator, gd_coordinator, p_agent, person_factory
):
    group_coordinator = person_factory(tree["group"], Role.COORDINATOR)
    assert list(bank_companies(p_coordinator.user)) == [tree["P"]]
    assert set(bank_companies(group_coordinator.user)) == {tree["P"], tree["L"], tree["H"]}
    assert not bank_companies(gd_coordinator.user).exists()
    assert not bank_companies(p_agent.user).exists()


def test_the_services_refuse_a_user_outside_the_bank(l_lecturer, p_category):
    with pytest.raises(ValidationError) as error:
        make_single(p_category, user=l_lecturer.user)
    assert error.value.messages == ["您不能修改这家公司的题库。"]
