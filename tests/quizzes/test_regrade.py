"""Regrading a question after its key was wrong: attempts, course completion, certificates and
the audit trail follow; nothing else in the attempts changes."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrollment, EnrollmentStatus
from organization.models import Role
from quizzes.models import AttemptStatus, Certificate, RegradeLog
from quizzes.services import attempt_answer_save, attempt_start, attempt_submit, question_regrade
from tests.courses.factories import make_course, make_lesson

from .certificate_factories import make_certification
from .factories import choice_ids, make_quiz_of, make_single

NOW = timezone.now().replace(microsecond=0)


def set_key(question, index):
    """The lecturer corrects the key in the bank: choice ``index`` is the right one."""
    question.choices.update(is_correct=False)
    question.choices.filter(pk=choice_ids(question)[index]).update(is_correct=True)


@pytest.fixture
def setup(tree, p_category, p_agent):
    """A two-question quiz (pass mark 100 %) certifying a course, with a certification; the agent
    answered question 1 with choice 1, which the (wrong) key says is wrong."""
    course = make_course(owner=tree["P"], audience=[tree["P"]])
    make_lesson(course)
    disputed, other = make_single(p_category), make_single(p_category)
    quiz = make_quiz_of(tree["P"], [disputed, other], pass_percent=100, course=course)
    certification = make_certification(quiz=quiz, product_company=tree["P"])
    attempt = attempt_start(quiz=quiz, person=p_agent, at=NOW)
    for position, (question, index) in enumerate(((disputed, 1), (other, 0))):
        attempt_answer_save(
            attempt=attempt,
            person=p_agent,
            position=position,
            response=choice_ids(question)[index],
            at=NOW,
        )
    attempt = attempt_submit(attempt=attempt, person=p_agent, at=NOW + timedelta(minutes=5))
    assert (attempt.score, attempt.passed) == (1, False)
    return {
        "course": course,
        "quiz": quiz,
        "certification": certification,
        "attempt": attempt,
        "disputed": disputed,
        "other": other,
    }


def test_a_corrected_key_regrades_the_attempt_and_its_consequences(setup, p_lecturer, p_agent):
    disputed, attempt = setup["disputed"], setup["attempt"]
    old_key = choice_ids(disputed, correct=True)
    set_key(disputed, 1)

    log = question_regrade(
        question=disputed, user=p_lecturer.user, reason="原答案有误，应为第二项。"
    )

    attempt.refresh_from_db()
    assert (attempt.score, attempt.percent, attempt.passed) == (2, 100, True)
    assert attempt.submitted_at == NOW + timedelta(minutes=5)  # the submission stays as it was
    assert attempt.snapshot["questions"][0]["key"] == {"choices": [choice_ids(disputed)[1]]}
    # The course completes and the certificate is granted, as at the submission.
    enrollment = Enrollment.objects.get(person=p_agent, course=setup["course"])
    assert enrollment.status == EnrollmentStatus.COMPLETED
    assert enrollment.completed_at == attempt.submitted_at
    certificate = Certificate.objects.get(person=p_agent)
    assert certificate.attempt == attempt
    # The audit trail.
    assert (log.question, log.user, log.reason) == (
        disputed,
        p_lecturer.user,
        "原答案有误，应为第二项。",
    )
    assert log.old_keys == [{"choices": old_key}]
    assert log.new_key == {"choices": [choice_ids(disputed)[1]]}
    assert (log.attempts_regraded, log.attempts_changed) == (1, 1)
    assert log.changes == [
        {
            "attempt": attempt.pk,
            "person": p_agent.pk,
            "old_score": "1.00",
            "new_score": "2.00",
            "old_passed": False,
            "new_passed": True,
        }
    ]


def test_a_regrade_that_takes_a_pass_away_revokes_and_reopens(setup, p_lecturer, p_agent):
    disputed, attempt = setup["disputed"], setup["attempt"]
    set_key(disputed, 1)
    question_regrade(question=disputed, user=p_lecturer.user, reason="更正答案")
    assert Certificate.objects.get(person=p_agent).revoked_at is None

    set_key(disputed, 0)
    question_regrade(question=disputed, user=p_lecturer.user, reason="撤回更正")

    attempt.refresh_from_db()
    assert (attempt.score, attempt.passed) == (1, False)
    certificate = Certificate.objects.get(person=p_agent)
    assert certificate.revoked_at is not None
    assert "重新评分" in certificate.revoked_reason
    enrollment = Enrollment.objects.get(person=p_agent, course=setup["course"])
    assert enrollment.status == EnrollmentStatus.IN_PROGRESS
    assert (enrollment.completed_at, enrollment.quiz_passed_at) == (None, None)
    assert RegradeLog.objects.count() == 2


def test_only_the_regraded_questions_key_changes(setup, p_lecturer):
    disputed, other, attempt = setup["disputed"], setup["other"], setup["attempt"]
    set_key(other, 2)  # also edited in the bank, but not regraded
    set_key(disputed, 1)
    question_regrade(question=disputed, user=p_lecturer.user, reason="更正答案")
    attempt.refresh_from_db()
    assert attempt.snapshot["questions"][1]["key"] == {"choices": [choice_ids(other)[0]]}
    assert attempt.score == 2


def test_an_open_attempt_gets_the_new_key_for_its_submission(setup, tree, person_factory):
    disputed, quiz = setup["disputed"], setup["quiz"]
    agent = person_factory(tree["PSZ0101"], Role.AGENT)
    attempt = attempt_start(quiz=quiz, person=agent, at=NOW)
    attempt_answer_save(
        attempt=attempt, person=agent, position=0, response=choice_ids(disputed)[1], at=NOW
    )
    set_key(disputed, 1)
    log = question_regrade(question=disputed, user=None, reason="更正答案", at=NOW)
    assert log.attempts_regraded == 1  # the submitted one; the open one is not graded yet
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS
    attempt = attempt_submit(attempt=attempt, person=agent, at=NOW)
    assert attempt.score == 1


def test_a_regrade_limited_to_one_quiz_leaves_the_others(setup, tree, p_agent, p_lecturer):
    disputed = setup["disputed"]
    elsewhere = make_quiz_of(tree["P"], [disputed])
    other_attempt = attempt_start(quiz=elsewhere, person=p_agent, at=NOW)
    attempt_answer_save(
        attempt=other_attempt,
        person=p_agent,
        position=0,
        response=choice_ids(disputed)[1],
        at=NOW,
    )
    other_attempt = attempt_submit(attempt=other_attempt, person=p_agent, at=NOW)
    set_key(disputed, 1)

    question_regrade(question=disputed, user=p_lecturer.user, reason="更正", quiz=setup["quiz"])

    other_attempt.refresh_from_db()
    assert other_attempt.score == 0
    setup["attempt"].refresh_from_db()
    assert setup["attempt"].score == 2


def test_a_regrade_needs_a_reason(setup, p_lecturer):
    with pytest.raises(ValidationError) as error:
        question_regrade(question=setup["disputed"], user=p_lecturer.user, reason="  ")
    assert error.value.message_dict == {"reason": ["请填写重新评分的原因。"]}


def test_a_key_on_choices_nobody_was_shown_is_refused(setup, p_lecturer):
    disputed = setup["disputed"]
    disputed.choices.update(is_correct=False)
    disputed.choices.create(text="新加的选项", is_correct=True, sort_order=9)
    with pytest.raises(ValidationError):
        question_regrade(question=disputed, user=p_lecturer.user, reason="更正")
    setup["attempt"].refresh_from_db()
    assert setup["attempt"].score == 1
    assert not RegradeLog.objects.exists()


def test_the_lecturer_regrades_from_the_statistics_page(client, setup, p_lecturer):
    disputed, quiz = setup["disputed"], setup["quiz"]
    set_key(disputed, 1)
    client.force_login(p_lecturer.user)
    url = reverse("question_regrade", args=[quiz.pk, disputed.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {"reason": "原答案有误", "only_this_quiz": "on"})

    assert response.url == reverse("quiz_statistics", args=[quiz.pk])
    setup["attempt"].refresh_from_db()
    assert setup["attempt"].passed is True
    assert RegradeLog.objects.get().quiz == quiz


def test_a_lecturer_of_another_company_cannot_regrade(client, setup, l_lecturer):
    client.force_login(l_lecturer.user)
    url = reverse("question_regrade", args=[setup["quiz"].pk, setup["disputed"].pk])
    response = client.post(url, {"reason": "原答案有误", "only_this_quiz": "on"})
    assert response.status_code in (302, 403)
    assert not RegradeLog.objects.exists()


def test_a_question_no_one_has_answered_can_be_regraded(p_category, p_lecturer):
    question = make_single(p_category, stem="<p>尚无人作答的题目</p>")
    set_key(question, 1)
    log = question_regrade(question=question, user=p_lecturer.user, reason="更正答案")
    assert (log.attempts_regraded, log.attempts_changed, log.changes) == (0, 0, [])
