"""Integrity under concurrency, with real threads against PostgreSQL (row locks; SQLite serialises
writes and its test database is in memory, so these run on PostgreSQL only).

``transactional_db``: the data is committed, so every thread's own connection sees it.
"""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from quizzes import grading
from quizzes.models import Attempt, AttemptAnswer, AttemptStatus, Certificate
from quizzes.services import AttemptClosed, attempt_answer_save, attempt_start, attempt_submit

from .certificate_factories import make_certification
from .factories import choice_ids, make_quiz_of, make_single

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only"),
    pytest.mark.usefixtures("transactional_db"),
]

THREADS = 8
NOW = timezone.now().replace(microsecond=0)


def race(work, count=THREADS):
    """Run ``work(i)`` in ``count`` threads released together; their results or exceptions."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def questions(p_category):
    return [make_single(p_category) for _ in range(5)]


def test_double_clicks_and_two_tabs_make_exactly_one_graded_submission(tree, questions, p_agent):
    quiz = make_quiz_of(tree["P"], questions)
    make_certification(quiz=quiz, product_company=tree["P"])
    attempt = attempt_start(quiz=quiz, person=p_agent, at=NOW)
    for position, question in enumerate(questions):
        attempt_answer_save(
            attempt=attempt,
            person=p_agent,
            position=position,
            response=choice_ids(question, True)[0],
            at=NOW,
        )

    # Each thread submits at its own instant: two gradings would leave two different times.
    results = race(
        lambda i: attempt_submit(attempt=attempt, person=p_agent, at=NOW + timedelta(seconds=1 + i))
    )

    assert all(isinstance(result, Attempt) for result in results), results
    assert len({result.graded_at for result in results}) == 1
    assert len({result.submitted_at for result in results}) == 1
    attempt.refresh_from_db()
    assert attempt.graded_at == results[0].graded_at
    assert (attempt.status, attempt.score, attempt.passed) == (AttemptStatus.SUBMITTED, 5, True)
    assert Certificate.objects.filter(person=p_agent).count() == 1


def test_racing_starts_open_one_attempt(tree, questions, p_agent):
    quiz = make_quiz_of(tree["P"], questions, attempts_allowed=1)
    results = race(lambda i: attempt_start(quiz=quiz, person=p_agent, at=NOW))
    assert all(isinstance(result, Attempt) for result in results), results
    assert {result.pk for result in results} == {Attempt.objects.get().pk}


def test_the_attempt_limit_holds_when_starts_race(tree, questions, p_agent):
    quiz = make_quiz_of(tree["P"], questions, attempts_allowed=3)
    for minute in range(2):
        attempt = attempt_start(quiz=quiz, person=p_agent, at=NOW + timedelta(minutes=minute))
        attempt_submit(attempt=attempt, person=p_agent, at=NOW + timedelta(minutes=minute))
    later = NOW + timedelta(minutes=10)

    # The last attempt left: every racer gets the same one.
    results = race(lambda i: attempt_start(quiz=quiz, person=p_agent, at=later))
    assert {result.number for result in results} == {3}, results
    attempt_submit(attempt=results[0], person=p_agent, at=later)

    # None left: every racer is refused, and nothing is made.
    results = race(lambda i: attempt_start(quiz=quiz, person=p_agent, at=later))
    assert all(isinstance(result, ValidationError) for result in results), results
    assert {result.messages[0] for result in results} == {"你已用完全部 3 次作答机会。"}
    assert list(
        Attempt.objects.filter(quiz=quiz).order_by("number").values_list("number", flat=True)
    ) == [1, 2, 3]
    assert AttemptAnswer.objects.filter(attempt__quiz=quiz).count() == 3 * len(questions)


def test_no_answer_is_saved_after_the_submission(tree, questions, p_agent):
    quiz = make_quiz_of(tree["P"], questions)
    attempt = attempt_start(quiz=quiz, person=p_agent, at=NOW)

    def work(i):
        if i == 0:
            return attempt_submit(attempt=attempt, person=p_agent)
        question = questions[i % len(questions)]
        return attempt_answer_save(
            attempt=attempt,
            person=p_agent,
            position=i % len(questions),
            response=choice_ids(question, True)[0],
        )

    results = race(work)

    attempt.refresh_from_db()
    answers = list(AttemptAnswer.objects.filter(attempt=attempt).order_by("position"))
    # Every answer stored was graded: grading the stored answers again gives the same marks,
    # so nothing slipped in after the submission.
    again = grading.grade(attempt.snapshot, {a.position: a.response for a in answers})
    assert again.score == attempt.score
    assert [mark.score for mark in again.marks] == [answer.mark for answer in answers]
    refused = [r for r in results[1:] if isinstance(r, Exception)]
    assert all(isinstance(r, AttemptClosed) for r in refused), refused
