"""The attempt services: drawing, the snapshot, saving answers, submitting, deadlines, limits,
audiences, and what a pass does to the course and the certificates."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from courses.models import CompletionRule, Enrollment, EnrollmentStatus
from courses.services import lesson_mark_done
from organization.models import Channel, Role
from quizzes.models import (
    Attempt,
    AttemptAnswer,
    AttemptStatus,
    Certificate,
    Difficulty,
    SubmitReason,
)
from quizzes.services import (
    AttemptClosed,
    attempt_answer_save,
    attempt_start,
    attempt_submit,
    attempts_close_overdue,
)
from quizzes.tasks import close_overdue_attempts
from tests.courses.factories import make_course, make_lesson

from .certificate_factories import make_certification
from .factories import (
    choice_ids,
    make_category,
    make_fill_blank,
    make_multiple,
    make_quiz_of,
    make_single,
    make_true_false,
)

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def questions(p_category):
    return [
        make_single(p_category),
        make_multiple(p_category),
        make_true_false(p_category, is_true=False),
        make_fill_blank(p_category),
    ]


@pytest.fixture
def quiz(tree, questions):
    return make_quiz_of(tree["P"], [(questions[0], 2), *questions[1:]])


def answer_all_correctly(attempt, person, questions, at=NOW):
    single, multiple = questions[:2]
    answers = [
        choice_ids(single, correct=True)[0],
        choice_ids(multiple, correct=True),
        False,
        " 承保 公司 ",
    ]
    for position, response in enumerate(answers):
        attempt_answer_save(
            attempt=attempt, person=person, position=position, response=response, at=at
        )


def test_start_fixes_questions_order_key_and_deadline_in_the_snapshot(quiz, questions, p_agent):
    attempt = attempt_start(quiz=quiz, person=p_agent, at=NOW)

    assert (attempt.number, attempt.status) == (1, AttemptStatus.IN_PROGRESS)
    assert attempt.deadline == NOW + timedelta(minutes=30)
    assert attempt.max_score == Decimal(5)
    snapshot = attempt.snapshot
    assert snapshot["multiple_scoring"] == quiz.multiple_scoring
    assert snapshot["pass_percent"] == 60
    asked = snapshot["questions"]
    assert [item["question_id"] for item in asked] == [q.pk for q in questions]
    assert [item["points"] for item in asked] == ["2", "1", "1", "1"]
    assert asked[0]["key"] == {"choices": choice_ids(questions[0], correct=True)}
    assert [c["id"] for c in asked[1]["choices"]] == choice_ids(questions[1])
    assert asked[2]["key"] == {"is_true": False}
    assert asked[3]["key"] == {"accepted": ["承保公司"]}
    assert asked[3]["choices"] == []
    # One answer row per position, empty, linked to the bank question for statistics.
    rows = list(AttemptAnswer.objects.filter(attempt=attempt).order_by("position"))
    assert [(r.position, r.question_id, r.response) for r in rows] == [
        (i, q.pk, None) for i, q in enumerate(questions)
    ]


def test_deadline_is_cut_at_the_quiz_closing_time(tree, questions, p_agent):
    quiz = make_quiz_of(tree["P"], questions, closes_at=NOW + timedelta(minutes=10))
    attempt = attempt_start(quiz=quiz, person=p_agent, at=NOW)
    assert attempt.deadline == NOW + timedelta(minutes=10)


def test_a_random_rule_draws_n_questions_of_its_category_and_difficulty(tree, p_category, p_agent):
    hard = [make_single(p_category, difficulty=Difficulty.HARD) for _ in range(5)]
    for _ in range(5):
        make_single(p_category, difficulty=Difficulty.EASY)
    other = make_category(tree["P"], "其他分类")
    make_single(other, difficulty=Difficulty.HARD)
    fixed = hard[0]
    quiz = make_quiz_of(tree["P"], [fixed], rules=[(p_category, 3, Difficulty.HARD)])

    drawn = set()
    for seed in range(8):
        attempt = attempt_start(quiz=quiz, person=p_agent, at=NOW, rng=random.Random(seed))
        ids = [item["question_id"] for item in attempt.snapshot["questions"]]
        assert len(ids) == 4 and len(set(ids)) == 4
        assert ids[0] == fixed.pk
        assert set(ids[1:]) <= {q.pk for q in hard[1:]}
        drawn.update(ids[1:])
        attempt_submit(attempt=attempt, person=p_agent, at=NOW)
    assert drawn == {q.pk for q in hard[1:]}  # every candidate comes up in some draw


def test_a_category_with_too_few_questions_refuses_the_start(tree, p_category, p_agent):
    make_single(p_category, difficulty=Difficulty.HARD)
    quiz = make_quiz_of(tree["P"], rules=[(p_category, 2, Difficulty.HARD)])
    with pytest.raises(ValidationError) as error:
        attempt_start(quiz=quiz, person=p_agent, at=NOW)
    assert error.value.messages == [
        "题库分类“交叉销售业务管理”中符合条件的题目只有 1 道，不够抽取 2 道。"
    ]
    assert not Attempt.objects.exists()


def test_inactive_questions_are_not_asked(tree, p_category, p_agent):
    asked, retired = make_single(p_category), make_single(p_category, active=False)
    quiz = make_quiz_of(tree["P"], [asked, retired])
    attempt = attempt_start(quiz=quiz, person=p_agent, at=NOW)
    assert [item["question_id"] for item in attempt.snapshot["questions"]] == [asked.pk]


def test_questions_and_choices_are_shuffled_when_the_quiz_says_so(tree, p_category, p_agent):
    questions = [make_multiple(p_category) for _ in range(6)]
    quiz = make_quiz_of(
        tree["P"], questions, shuffle_questions=True, shuffle_choices=True, attempts_allowed=0
    )
    orders, choice_orders = set(), set()
    for seed in range(6):
        attempt = attempt_start(quiz=quiz, person=p_agent, at=NOW, rng=random.Random(seed))
        asked = attempt.snapshot["questions"]
        orders.add(tuple(item["question_id"] for item in asked))
        choice_orders.add(tuple(c["id"] for c in asked[0]["choices"]))
        assert sorted(item["question_id"] for item in asked) == sorted(q.pk for q in questions)
        for item in asked:  # shuffled choices keep their key
            question = next(q for q in questions if q.pk == item["question_id"])
            assert sorted(c["id"] for c in item["choices"]) == sorted(choice_ids(question))
            assert item["key"]["choices"] == choice_ids(question, correct=True)
        attempt_submit(attempt=attempt, person=p_agent, at=NOW)
    assert len(orders) > 1
    assert len(choice_orders) > 1


def test_a_second_start_resumes_the_open_attempt(quiz, p_agent):
    first = attempt_start(quiz=quiz, person=p_agent, at=NOW)
    again = attempt_start(quiz=quiz, person=p_agent, at=NOW + timedelta(minutes=5))
    assert again.pk == first.pk
    assert again.snapshot == first.snapshot
    assert Attempt.objects.count() == 1


def test_answers_are_saved_as_given_and_graded_on_submit(quiz, questions, p_agent):
    attempt = attempt_start(quiz=quiz, person=p_agent, at=NOW)
    answer_all_correctly(attempt, p_agent, questions)
    saved = dict(AttemptAnswer.objects.filter(attempt=attempt).values_list("position", "response"))
    assert saved[1] == sorted(choice_ids(questions[1], correct=True))
    assert saved[3] == " 承保 公司 "

    attempt = attempt_submit(attempt=attempt, person=p_agent, at=NOW + timedelta(minutes=3))

    assert attempt.status == AttemptStatus.SUBMITTED
    assert attempt.submit_reason == SubmitReason.PERSON
    assert attempt.submitted_at == NOW + timedelta(minutes=3)
    assert (attempt.score, attempt.max_score, attempt.percent) == (5, 5, 100)
    assert attempt.passed is True
    marks = list(AttemptAnswer.objects.filter(attempt=attempt).values_list("mark", flat=True))
    assert marks == [2, 1, 1, 1]


def test_a_changed_answer_replaces_the_old_one_and_none_clears_it(quiz, questions, p_agent):
    attempt = attempt_start(quiz=quiz, person=p_agent, at=NOW)
    wrong, right = choice_ids(questions[0], correct=False)[0], choice_ids(questions[0], True)[0]
    attempt_answer_save(attempt=attempt, person=p_agent, position=0, response=wrong, at=NOW)
    attempt_answer_save(attempt=attempt, person=p_agent, position=0, response=right, at=NOW)
    attempt_answer_save(attempt=attempt, person=p_agent, position=2, response="true", at=NOW)
    attempt_answer_save(attempt=attempt, person=p_agent, position=2, response=None, at=NOW)
    attempt = attempt_submit(attempt=attempt, person=p_agent, at=NOW)
    assert attempt.score == 2
    assert AttemptAnswer.objects.get(attempt=attempt, position=2).response is None


@pytest.mark.parametrize(
    ("position", "response", "message"),
    [
        (4, "x", "题号不正确。"),
        (-1, "x", "题号不正确。"),
        ("0", "x", "题号不正确。"),
        (0, 999999, "所选的选项不属于这道题。"),
        (2, "也许", "判断题只能回答“正确”或“错误”。"),
    ],
)
def test_a_response_the_question_cannot_take_is_refused(quiz, p_agent, position, response, message):
    attempt = attempt_start(quiz=quiz, person=p_agent, at=NOW)
    with pytest.raises(ValidationError) as error:
        attempt_answer_save(
            attempt=attempt, person=p_agent, position=position, response=response, at=NOW
        )
    assert error.value.messages == [message]


def test_a_second_submit_changes_nothing(quiz, questions, p_agent):
    attempt = attempt_start(quiz=quiz, person=p_agent, at=NOW)
    answer_all_correctly(attempt, p_agent, questions)
    first = attempt_submit(attempt=attempt, person=p_agent, at=NOW + timedelta(minutes=1))
    second = attempt_submit(attempt=attempt, person=p_agent, at=NOW + timedelta(minutes=2))
    assert second.graded_at == first.graded_at == NOW + timedelta(minutes=1)
    assert second.submitted_at == first.submitted_at
    with pytest.raises(AttemptClosed) as error:
        attempt_answer_save(attempt=attempt, person=p_agent, position=0, response=None, at=NOW)
    assert error.value.messages == ["这次答题已经交卷，不能再修改答案。"]


def test_editing_the_bank_later_never_changes_a_recorded_result(quiz, questions, p_agent):
    attempt = attempt_start(quiz=quiz, person=p_agent, at=NOW)
    answer_all_correctly(attempt, p_agent, questions)
    # The lecturer changes the single-choice key and stem while the attempt is open.
    single = questions[0]
    single.choices.update(is_correct=False)
    single.choices.filter(pk=choice_ids(single)[1]).update(is_correct=True)
    single.stem = "<p>改过的题干</p>"
    single.save()
    attempt = attempt_submit(attempt=attempt, person=p_agent, at=NOW)
    assert attempt.score == 5
    attempt.refresh_from_db()
    assert attempt.snapshot["questions"][0]["stem"] != "<p>改过的题干</p>"


def test_an_answer_after_the_deadline_and_grace_is_refused_and_closes_the_attempt(
    quiz, questions, p_agent, settings
):
    settings.QUIZZES_DEADLINE_GRACE_SECONDS = 30
    attempt = attempt_start(quiz=quiz, person=p_agent, at=NOW)
    right = choice_ids(questions[0], correct=True)[0]
    attempt_answer_save(attempt=attempt, person=p_agent, position=0, response=right, at=NOW)
    late = attempt.deadline + timedelta(seconds=31)

    with pytest.raises(AttemptClosed) as error:
        attempt_answer_save(attempt=attempt, person=p_agent, position=2, response=False, at=late)

    assert error.value.messages == ["答题时间已到，这个答案没有保存；试卷已按时间到自动交卷。"]
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED
    assert attempt.submit_reason == SubmitReason.DEADLINE
    assert attempt.submitted_at == attempt.deadline
    assert attempt.score == 2  # the answer saved in time counts, the late one does not
    assert AttemptAnswer.objects.get(attempt=attempt, position=2).response is None


def test_an_answer_within_the_grace_is_taken(quiz, p_agent, settings):
    settings.QUIZZES_DEADLINE_GRACE_SECONDS = 30
    attempt = attempt_start(quiz=quiz, person=p_agent, at=NOW)
    at = attempt.deadline + timedelta(seconds=29)
    attempt_answer_save(attempt=attempt, person=p_agent, position=2, response=False, at=at)
    attempt = attempt_submit(attempt=attempt, person=p_agent, at=at)
    assert (attempt.submit_reason, attempt.submitted_at, attempt.score) == (
        SubmitReason.PERSON,
        at,
        1,
    )


def test_a_late_submit_closes_the_attempt_as_at_its_deadline(quiz, p_agent):
    attempt = attempt_start(quiz=quiz, person=p_agent, at=NOW)
    attempt = attempt_submit(attempt=attempt, person=p_agent, at=NOW + timedelta(hours=2))
    assert attempt.submit_reason == SubmitReason.DEADLINE
    assert attempt.submitted_at == attempt.deadline


def test_overdue_attempts_are_closed_by_the_command_with_their_saved_answers(
    tree, quiz, questions, p_agent, person_factory
):
    overdue = attempt_start(quiz=quiz, person=p_agent, at=NOW - timedelta(hours=1))
    attempt_answer_save(
        attempt=overdue, person=p_agent, position=2, response=False, at=NOW - timedelta(hours=1)
    )
    other = person_factory(tree["PSZ0101"], Role.AGENT)
    running = attempt_start(quiz=quiz, person=other, at=NOW - timedelta(minutes=5))

    call_command("close_overdue_attempts", verbosity=0)

    overdue.refresh_from_db()
    running.refresh_from_db()
    assert (overdue.status, overdue.submit_reason, overdue.score) == (
        AttemptStatus.SUBMITTED,
        SubmitReason.DEADLINE,
        1,
    )
    assert overdue.submitted_at == overdue.deadline
    assert running.status == AttemptStatus.IN_PROGRESS
    assert attempts_close_overdue() == 0


def test_starting_closes_the_persons_overdue_attempt_first(quiz, p_agent):
    old = attempt_start(quiz=quiz, person=p_agent, at=NOW - timedelta(hours=1))
    new = attempt_start(quiz=quiz, person=p_agent, at=NOW)
    old.refresh_from_db()
    assert old.status == AttemptStatus.SUBMITTED
    assert (new.number, new.status) == (2, AttemptStatus.IN_PROGRESS)


def test_the_attempt_limit_holds(tree, questions, p_agent):
    quiz = make_quiz_of(tree["P"], questions, attempts_allowed=2)
    for minute in range(2):
        attempt = attempt_start(quiz=quiz, person=p_agent, at=NOW + timedelta(minutes=minute))
        attempt_submit(attempt=attempt, person=p_agent, at=NOW + timedelta(minutes=minute))
    with pytest.raises(ValidationError) as error:
        attempt_start(quiz=quiz, person=p_agent, at=NOW + timedelta(minutes=5))
    assert error.value.messages == ["你已用完全部 2 次作答机会。"]


def test_the_wait_between_attempts_holds(tree, questions, p_agent):
    quiz = make_quiz_of(tree["P"], questions, wait_minutes=60)
    attempt = attempt_start(quiz=quiz, person=p_agent, at=NOW)
    attempt_submit(attempt=attempt, person=p_agent, at=NOW + timedelta(minutes=10))
    with pytest.raises(ValidationError) as error:
        attempt_start(quiz=quiz, person=p_agent, at=NOW + timedelta(minutes=69))
    assert error.value.messages[0].startswith("两次作答需间隔 60 分钟，请于 ")
    again = attempt_start(quiz=quiz, person=p_agent, at=NOW + timedelta(minutes=70))
    assert again.number == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"opens_at": NOW + timedelta(hours=1)}, "考试将于 "),
        (
            {"opens_at": NOW - timedelta(days=2), "closes_at": NOW - timedelta(days=1)},
            "考试已于 ",
        ),
    ],
)
def test_the_availability_window_holds(tree, questions, p_agent, fields, message):
    quiz = make_quiz_of(tree["P"], questions, **fields)
    with pytest.raises(ValidationError) as error:
        attempt_start(quiz=quiz, person=p_agent, at=NOW)
    assert error.value.messages[0].startswith(message)


def test_an_unpublished_quiz_cannot_be_started(tree, questions, p_agent):
    quiz = make_quiz_of(tree["P"], questions, published=False)
    with pytest.raises(ValidationError) as error:
        attempt_start(quiz=quiz, person=p_agent, at=NOW)
    assert error.value.messages == ["你不在这场考试的考生范围内。"]


@pytest.mark.parametrize(
    ("unit", "channel", "quiz_fields", "allowed"),
    [
        ("PGZ0101", Channel.AGENT_FORCE, {}, True),  # the quiz company's own people
        ("LGZ0101", Channel.AGENT_FORCE, {}, False),
        ("LGZ0101", Channel.AGENT_FORCE, {"audience": ["L"]}, True),  # 寿代产: life agents
        ("PGZ0101", Channel.AGENT_FORCE, {"audience": ["L"]}, False),
        ("PGZ0101", Channel.AGENT_FORCE, {"audience_root": "PGZ"}, True),
        ("PSZ0101", Channel.AGENT_FORCE, {"audience_root": "PGZ"}, False),
        ("LGZ0101", Channel.AGENT_FORCE, {"audience_root": "group", "audience": ["L"]}, True),
        ("HGZ0101", Channel.AGENT_FORCE, {"audience_root": "group", "audience": ["L"]}, False),
        ("PGZ0101", Channel.COUNTER, {"channels": [Channel.AGENT_FORCE]}, False),
        ("PGZ0101", Channel.COUNTER, {"channels": [Channel.COUNTER]}, True),
    ],
)
def test_only_the_audience_may_start(
    tree, questions, person_factory, unit, channel, quiz_fields, allowed
):
    fields = dict(quiz_fields)
    audience = [tree[code] for code in fields.pop("audience", [])]
    if "audience_root" in fields:
        fields["audience_root"] = tree[fields["audience_root"]]
    quiz = make_quiz_of(tree["P"], questions, audience=audience, **fields)
    person = person_factory(tree[unit], Role.AGENT, channel=channel)
    if allowed:
        assert attempt_start(quiz=quiz, person=person, at=NOW).pk
    else:
        with pytest.raises(ValidationError):
            attempt_start(quiz=quiz, person=person, at=NOW)


def test_nobody_answers_or_submits_another_persons_attempt(quiz, p_agent, tree, person_factory):
    attempt = attempt_start(quiz=quiz, person=p_agent, at=NOW)
    intruder = person_factory(tree["PGZ0101"], Role.AGENT)
    with pytest.raises(ValidationError):
        attempt_answer_save(attempt=attempt, person=intruder, position=0, response=None, at=NOW)
    with pytest.raises(ValidationError):
        attempt_submit(attempt=attempt, person=intruder, at=NOW)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS


def test_passing_completes_the_course_in_the_same_transaction(tree, questions, p_agent):
    course = make_course(owner=tree["P"], audience=[tree["P"]])
    make_lesson(course)  # not done: the quiz pass completes the course anyway
    quiz = make_quiz_of(tree["P"], questions, course=course)
    attempt = attempt_start(quiz=quiz, person=p_agent, at=NOW)
    answer_all_correctly(attempt, p_agent, questions)
    attempt_submit(attempt=attempt, person=p_agent, at=NOW + timedelta(minutes=2))
    enrollment = Enrollment.objects.get(person=p_agent, course=course)
    assert (enrollment.status, enrollment.percent) == (EnrollmentStatus.COMPLETED, 100)
    assert enrollment.completed_at == enrollment.quiz_passed_at == NOW + timedelta(minutes=2)


def test_failing_leaves_the_course_as_it_was(tree, questions, p_agent):
    course = make_course(owner=tree["P"], audience=[tree["P"]])
    quiz = make_quiz_of(tree["P"], questions, course=course)
    attempt = attempt_start(quiz=quiz, person=p_agent, at=NOW)
    attempt = attempt_submit(attempt=attempt, person=p_agent, at=NOW)
    assert attempt.passed is False
    assert not Enrollment.objects.filter(person=p_agent, course=course).exists()


def test_under_lessons_and_quiz_the_course_completes_when_both_are_done(tree, questions, p_agent):
    course = make_course(
        owner=tree["P"], audience=[tree["P"]], completion_rule=CompletionRule.LESSONS_AND_QUIZ
    )
    lesson = make_lesson(course)
    quiz = make_quiz_of(tree["P"], questions, course=course)
    attempt = attempt_start(quiz=quiz, person=p_agent, at=NOW)
    answer_all_correctly(attempt, p_agent, questions)
    attempt_submit(attempt=attempt, person=p_agent, at=NOW)
    enrollment = Enrollment.objects.get(person=p_agent, course=course)
    assert enrollment.status != EnrollmentStatus.COMPLETED
    assert enrollment.quiz_passed_at == NOW

    lesson_mark_done(person=p_agent, lesson=lesson, at=NOW + timedelta(hours=1))

    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED
    assert enrollment.completed_at == NOW + timedelta(hours=1)


def test_under_lessons_and_quiz_lessons_alone_do_not_complete(tree, questions, p_agent):
    course = make_course(
        owner=tree["P"], audience=[tree["P"]], completion_rule=CompletionRule.LESSONS_AND_QUIZ
    )
    lesson = make_lesson(course)
    make_quiz_of(tree["P"], questions, course=course)
    lesson_mark_done(person=p_agent, lesson=lesson, at=NOW)
    enrollment = Enrollment.objects.get(person=p_agent, course=course)
    assert enrollment.status == EnrollmentStatus.IN_PROGRESS


def test_a_pass_grants_the_certification_in_the_same_transaction(tree, questions, p_agent):
    quiz = make_quiz_of(tree["P"], questions)
    certification = make_certification(quiz=quiz, product_company=tree["P"])
    attempt = attempt_start(quiz=quiz, person=p_agent, at=NOW)
    answer_all_correctly(attempt, p_agent, questions)
    attempt = attempt_submit(attempt=attempt, person=p_agent, at=NOW)
    certificate = Certificate.objects.get(person=p_agent)
    assert (certificate.certification, certificate.attempt) == (certification, attempt)


def test_a_fail_grants_nothing(tree, questions, p_agent):
    quiz = make_quiz_of(tree["P"], questions)
    make_certification(quiz=quiz, product_company=tree["P"])
    attempt = attempt_start(quiz=quiz, person=p_agent, at=NOW)
    attempt_submit(attempt=attempt, person=p_agent, at=NOW)
    assert not Certificate.objects.exists()


def test_the_background_task_closes_overdue_attempts(quiz, p_agent):
    attempt = attempt_start(quiz=quiz, person=p_agent, at=NOW - timedelta(hours=2))
    result = close_overdue_attempts.enqueue()
    assert result.return_value == 1
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED
