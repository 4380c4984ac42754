"""Writes for taking quizzes: start, save an answer, submit, close overdue attempts, regrade.

Integrity rests on the attempt row:
- ``attempt_start`` locks the person's row (``SELECT … FOR UPDATE``), so a person's starts queue
  up; ``(quiz, person, number)`` is unique, so even without the lock (SQLite) two racing starts
  cannot both make attempt *n*, and the attempt limit holds.
- ``attempt_answer_save`` and ``attempt_submit`` lock the attempt row and check its status: an
  answer cannot slip in after grading, and a double click, a second tab or a replayed request
  finds the attempt submitted and changes nothing — exactly one graded submission.
- Time is the server's: ``deadline`` is fixed at the start (the time limit, cut at the quiz's
  closing time). Answers are taken until ``deadline + QUIZZES_DEADLINE_GRACE_SECONDS``; after
  that the attempt is closed with what was saved, by whichever comes first: the person's next
  request, ``attempts_close_overdue`` (``manage.py close_overdue_attempts`` / the task), or a
  look at the quiz page.

A pass completes the course the quiz certifies (``courses.services.enrollment_record_quiz_result``)
and grants certificates (``quizzes.certificates``), in the submission's transaction.
"""

import random
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.rich_text import expand_db_html

from courses.services import enrollment_record_quiz_result
from organization.models import Person

from . import certificates, grading
from .models import (
    Attempt,
    AttemptAnswer,
    AttemptStatus,
    Certification,
    Question,
    QuestionKind,
    Quiz,
    RegradeLog,
    SubmitReason,
)
from .selectors import deadline_with_grace, grace, quiz_availability, quiz_open_to
from .signals import attempt_passed

IMAGE_RENDITION = "max-800x800"
MARK_PLACES = Decimal("0.00001")


# Drawing -------------------------------------------------------------------------------------


def question_key(question: Question, choices=None) -> dict:
    """The answer key of a bank question, in the snapshot's form."""
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        choices = question.choice_list() if choices is None else choices
        return {"choices": [choice.pk for choice in choices if choice.is_correct]}
    if question.kind == QuestionKind.TRUE_FALSE:
        return {"is_true": bool(question.is_true)}
    return {"accepted": [str(answer) for answer in question.accepted_answers or []]}


def _image(question: Question) -> dict | None:
    if question.image is None:
        return None
    rendition = question.image.get_rendition(IMAGE_RENDITION)
    return {"url": rendition.url, "alt": question.image.title}


def snapshot_question(question: Question, *, points, rng: random.Random, shuffle: bool) -> dict:
    choices = []
    ordered = question.choice_list()
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        choices = [{"id": choice.pk, "text": choice.text} for choice in ordered]
        if shuffle:
            rng.shuffle(choices)
    return {
        "question_id": question.pk,
        "kind": question.kind,
        "stem": expand_db_html(question.stem),
        "image": _image(question),
        "choices": choices,
        "points": str(points),
        "explanation": question.explanation,
        "key": question_key(question, ordered),
    }


def quiz_draw(*, quiz: Quiz, rng: random.Random) -> list[dict]:
    """The questions of a new attempt: the fixed ones, then each random rule's draw, shuffled if
    the quiz says so. Inactive questions are never drawn; a random rule never repeats a question
    already asked. Raises ``ValidationError`` when a rule's category has too few questions."""
    picked: list[tuple[Question, int]] = []
    fixed = quiz.fixed_questions.filter(question__active=True).select_related("question__image")
    fixed = fixed.prefetch_related("question__choices").order_by("sort_order", "pk")
    for link in fixed:
        picked.append((link.question, link.points))
    taken = {question.pk for question, _points in picked}
    for rule in quiz.random_rules.select_related("category").order_by("sort_order", "pk"):
        pool = Question.objects.filter(category=rule.category, active=True).exclude(pk__in=taken)
        if rule.difficulty:
            pool = pool.filter(difficulty=rule.difficulty)
        ids = sorted(pool.values_list("pk", flat=True))
        if len(ids) < rule.count:
            raise ValidationError(
                _("题库分类“%(category)s”中符合条件的题目只有 %(have)d 道，不够抽取 %(need)d 道。")
                % {"category": rule.category.name, "have": len(ids), "need": rule.count}
            )
        chosen = rng.sample(ids, rule.count)
        by_id = {
            question.pk: question
            for question in Question.objects.filter(pk__in=chosen)
            .select_related("image")
            .prefetch_related("choices")
        }
        picked.extend((by_id[pk], rule.points) for pk in chosen)
        taken.update(chosen)
    if not picked:
        raise ValidationError(_("这场考试还没有题目。"))
    if quiz.shuffle_questions:
        rng.shuffle(picked)
    return [
        snapshot_question(question, points=points, rng=rng, shuffle=quiz.shuffle_choices)
        for question, points in picked
    ]


# Starting ------------------------------------------------------------------------------------


def _lock_person(person: Person) -> Person:
    return Person.objects.select_for_update().get(pk=person.pk)


def attempt_start(
    *, quiz: Quiz, person: Person, at: datetime | None = None, rng: random.Random | None = None
) -> Attempt:
    """The person's attempt at ``quiz``: the open one if there is one (a reload, another device),
    else a new one with its questions, order, key and deadline fixed in its snapshot.

    Raises ``ValidationError`` (a Chinese sentence) when the person may not start now.
    """
    at = at or timezone.now()
    attempts_close_overdue(at=at, person=person, quiz=quiz)
    try:
        with transaction.atomic():
            return _start(quiz=quiz, person=person, at=at, rng=rng or random.Random())
    except IntegrityError:
        # SQLite does not lock rows: a concurrent start made this attempt number first.
        existing = Attempt.objects.filter(
            quiz=quiz, person=person, status=AttemptStatus.IN_PROGRESS
        ).first()
        if existing is not None:
            return existing
        raise ValidationError(_("请勿重复开始考试，请刷新页面。")) from None


def _start(*, quiz: Quiz, person: Person, at: datetime, rng: random.Random) -> Attempt:
    person = _lock_person(person)
    quiz = Quiz.objects.get(pk=quiz.pk)
    if not quiz_open_to(person=person, quiz=quiz):
        raise ValidationError(_("你不在这场考试的考生范围内。"))
    availability = quiz_availability(quiz=quiz, person=person, at=at)
    if availability.open_attempt is not None:
        return Attempt.objects.get(pk=availability.open_attempt.pk)
    if not availability.can_start:
        raise ValidationError(availability.reason)
    questions = quiz_draw(quiz=quiz, rng=rng)
    deadline = at + timedelta(minutes=quiz.time_limit_minutes)
    if quiz.closes_at is not None:
        deadline = min(deadline, quiz.closes_at)
    number = max((attempt.number for attempt in availability.attempts), default=0) + 1
    attempt = Attempt(
        quiz=quiz,
        person=person,
        number=number,
        started_at=at,
        deadline=deadline,
        snapshot={
            "version": grading.SNAPSHOT_VERSION,
            "multiple_scoring": quiz.multiple_scoring,
            "pass_percent": quiz.pass_percent,
            "questions": questions,
        },
        max_score=sum((Decimal(question["points"]) for question in questions), Decimal(0)),
    )
    attempt.full_clean(exclude=["quiz", "person"], validate_unique=False)
    attempt.save()
    AttemptAnswer.objects.bulk_create(
        AttemptAnswer(
            attempt=attempt,
            position=position,
            question_id=question["question_id"],
            max_mark=Decimal(question["points"]),
        )
        for position, question in enumerate(questions)
    )
    return attempt


# Answering -----------------------------------------------------------------------------------


class AttemptClosed(ValidationError):
    """The attempt is closed (submitted, or past its deadline): nothing more is taken."""


def _locked_attempt(attempt: Attempt, person: Person) -> Attempt:
    locked = (
        Attempt.objects.select_for_update()
        .filter(pk=attempt.pk, person=person)
        .select_related("quiz", "person")
        .first()
    )
    if locked is None:
        # Someone else's attempt: the views answer 404 before this, the service refuses too.
        raise ValidationError(_("没有找到这次答题记录。"))
    return locked


def attempt_answer_save(
    *, attempt: Attempt, person: Person, position: int, response, at: datetime | None = None
) -> AttemptAnswer:
    """Save the person's response at ``position`` (0-based), as given. ``None`` clears it.

    Raises ``AttemptClosed`` when the attempt is submitted or its time is up (then it is closed
    with the answers saved before), ``ValidationError`` for a response the question cannot take.
    The hot path of a sitting: under the row lock it reads only the status, the deadline and the
    one question (not the whole snapshot), and writes the answer row in one ``UPDATE``. Returns
    the answer as saved (an unsaved instance holding the stored values).
    """
    at = at or timezone.now()
    if isinstance(position, bool) or not isinstance(position, int) or position < 0:
        raise ValidationError(_("题号不正确。"))
    closed = None
    with transaction.atomic():
        row = (
            Attempt.objects.select_for_update()
            .filter(pk=attempt.pk, person=person)
            .values("status", "deadline", question=F(f"snapshot__questions__{position}"))
            .first()
        )
        if row is None:
            raise ValidationError(_("没有找到这次答题记录。"))
        if row["status"] != AttemptStatus.IN_PROGRESS:
            closed = _("这次答题已经交卷，不能再修改答案。")
        elif at > deadline_with_grace(row["deadline"]):
            locked = _locked_attempt(attempt, person)
            _close(locked, at=at, submitted_at=locked.deadline, reason=SubmitReason.DEADLINE)
            closed = _("答题时间已到，这个答案没有保存；试卷已按时间到自动交卷。")
        else:
            if not isinstance(row["question"], dict):
                raise ValidationError(_("题号不正确。"))
            cleaned = grading.clean_response(row["question"], response)
            AttemptAnswer.objects.filter(attempt_id=attempt.pk, position=position).update(
                response=cleaned, saved_at=at
            )
            return AttemptAnswer(
                attempt_id=attempt.pk, position=position, response=cleaned, saved_at=at
            )
    raise AttemptClosed(closed)


# Submitting and grading ------------------------------------------------------------------------


def attempt_submit(*, attempt: Attempt, person: Person, at: datetime | None = None) -> Attempt:
    """Hand in the attempt and grade it. Idempotent: an attempt already submitted comes back as
    it is (a double click, a second tab, a replayed request). Submitted after the deadline and
    its grace, it is closed as at the deadline, with the answers saved by then."""
    at = at or timezone.now()
    with transaction.atomic():
        attempt = _locked_attempt(attempt, person)
        if not attempt.is_open:
            return attempt
        if at > deadline_with_grace(attempt.deadline):
            return _close(
                attempt, at=at, submitted_at=attempt.deadline, reason=SubmitReason.DEADLINE
            )
        return _close(attempt, at=at, submitted_at=at, reason=SubmitReason.PERSON)


def _mark(score: Fraction) -> Decimal:
    return (Decimal(score.numerator) / Decimal(score.denominator)).quantize(
        MARK_PLACES, ROUND_HALF_EVEN
    )


def _grade(attempt: Attempt, *, at: datetime) -> grading.AttemptGrade:
    """Grade the locked attempt from its snapshot and saved answers; write every mark."""
    answers = list(AttemptAnswer.objects.filter(attempt=attempt).order_by("position"))
    result = grading.grade(attempt.snapshot, {a.position: a.response for a in answers})
    for answer, mark in zip(answers, result.marks, strict=True):
        answer.mark = _mark(mark.score)
    AttemptAnswer.objects.bulk_update(answers, ["mark"])
    attempt.score = result.score
    attempt.max_score = result.max_score
    attempt.percent = result.percent
    attempt.passed = result.passes(attempt.snapshot.get("pass_percent", attempt.quiz.pass_percent))
    attempt.graded_at = at
    return result


def _close(attempt: Attempt, *, at: datetime, submitted_at: datetime, reason: str) -> Attempt:
    """Grade and submit the locked, open attempt; on a pass, complete the course and grant."""
    _grade(attempt, at=at)
    attempt.status = AttemptStatus.SUBMITTED
    attempt.submitted_at = submitted_at
    attempt.submit_reason = reason
    attempt.save(
        update_fields=[
            "status",
            "submitted_at",
            "submit_reason",
            "score",
            "max_score",
            "percent",
            "passed",
            "graded_at",
        ]
    )
    if attempt.passed:
        _after_pass(attempt)
    return attempt


def _after_pass(attempt: Attempt) -> None:
    if attempt.quiz.course_id is not None:
        enrollment_record_quiz_result(
            person=attempt.person,
            course=attempt.quiz.course,
            passed=True,
            at=attempt.submitted_at,
        )
    certificates.certificates_grant_for_attempt(attempt=attempt)
    attempt_passed.send(Attempt, attempt=attempt)


def attempts_close_overdue(
    *, at: datetime | None = None, person: Person | None = None, quiz: Quiz | None = None
) -> int:
    """Close every open attempt whose deadline and grace have passed, as at its deadline, with
    the answers saved by then. Each in its own transaction; safe beside any other request (the
    row lock and status check). Returns how many it closed."""
    at = at or timezone.now()
    overdue = Attempt.objects.filter(
        status=AttemptStatus.IN_PROGRESS, deadline__lt=at - grace()
    ).order_by("deadline", "pk")
    if person is not None:
        overdue = overdue.filter(person=person)
    if quiz is not None:
        overdue = overdue.filter(quiz=quiz)
    closed = 0
    for attempt_id, person_id in list(overdue.values_list("pk", "person_id")):
        with transaction.atomic():
            attempt = (
                Attempt.objects.select_for_update()
                .select_related("quiz", "person")
                .filter(pk=attempt_id, person_id=person_id, status=AttemptStatus.IN_PROGRESS)
                .first()
            )
            if attempt is None:
                continue  # submitted meanwhile
            _close(attempt, at=at, submitted_at=attempt.deadline, reason=SubmitReason.DEADLINE)
            closed += 1
    return closed


# Regrading -----------------------------------------------------------------------------------


def _key_for_snapshot(new_key: dict, question: dict) -> dict:
    """The new key restricted to the choices the attempt showed (a changed choice set cannot be
    regraded into an answer nobody was offered)."""
    if "choices" not in new_key:
        return new_key
    shown = {choice["id"] for choice in question["choices"]}
    kept = [pk for pk in new_key["choices"] if pk in shown]
    if not kept:
        raise ValidationError(
            _("题目的选项已更改，新的正确选项不在考生当时看到的选项中，无法重新评分。")
        )
    return {"choices": kept}


@transaction.atomic
def question_regrade(
    *, question: Question, user, reason: str, quiz: Quiz | None = None, at: datetime | None = None
) -> RegradeLog:
    """Grade again, with the bank question's current key, every attempt that asked it (of
    ``quiz`` only, when given): the key in each snapshot is replaced for that question only, and
    the attempt's marks, score and pass are recomputed; so are the course completion and the
    certificates of attempts whose pass changed. Open attempts get the new key for when they are
    submitted. Everything is written to a ``RegradeLog``."""
    at = at or timezone.now()
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("请填写重新评分的原因。")})
    question = Question.objects.prefetch_related("choices").get(pk=question.pk)
    new_key = question_key(question)
    attempts = Attempt.objects.filter(answers__question=question).distinct()
    if quiz is not None:
        attempts = attempts.filter(quiz=quiz)
    attempts = list(
        Attempt.objects.select_for_update()
        .filter(pk__in=attempts.values("pk"))
        .select_related("quiz", "person")
        .order_by("pk")
    )
    old_keys: list = []
    changes = []
    regraded = 0
    for attempt in attempts:
        snapshot = attempt.snapshot
        for item in snapshot["questions"]:
            if item["question_id"] != question.pk:
                continue
            if item["key"] not in old_keys:
                old_keys.append(item["key"])
            item["key"] = _key_for_snapshot(new_key, item)
        if attempt.is_open:
            attempt.save(update_fields=["snapshot"])
            continue
        before = (attempt.score, attempt.passed)
        _grade(attempt, at=at)
        attempt.save(update_fields=["snapshot", "score", "percent", "passed", "graded_at"])
        regraded += 1
        if (attempt.score, attempt.passed) != before:
            changes.append(
                {
                    "attempt": attempt.pk,
                    "person": attempt.person_id,
                    "old_score": str(before[0]),
                    "new_score": str(attempt.score),
                    "old_passed": before[1],
                    "new_passed": attempt.passed,
                }
            )
        if attempt.passed != before[1]:
            _after_regrade(attempt, user=user)
    log = RegradeLog(
        question=question,
        quiz=quiz,
        user=user if user is not None and user.is_authenticated else None,
        reason=reason,
        old_keys=old_keys,
        new_key=new_key,
        attempts_regraded=regraded,
        attempts_changed=len(changes),
        changes=changes,
    )
    log.full_clean(exclude=["question", "quiz", "user"])
    log.save()
    return log


def _after_regrade(attempt: Attempt, *, user) -> None:
    """The attempt's pass changed: course completion and certificates follow."""
    if attempt.passed:
        _after_pass(attempt)
        return
    certificates.certificates_after_regrade(attempt=attempt, user=user)
    other_pass = (
        Attempt.objects.filter(
            quiz=attempt.quiz, person=attempt.person, status=AttemptStatus.SUBMITTED, passed=True
        )
        .exclude(pk=attempt.pk)
        .order_by("submitted_at", "pk")
        .first()
    )
    if other_pass is not None:
        certificates.certificates_grant_pending(
            person=attempt.person,
            certifications=Certification.objects.filter(quiz=attempt.quiz),
        )
    elif attempt.quiz.course_id is not None:
        enrollment_record_quiz_result(
            person=attempt.person, course=attempt.quiz.course, passed=False, at=attempt.graded_at
        )
