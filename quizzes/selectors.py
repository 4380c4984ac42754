"""Reads for taking quizzes: who may take which quiz, whether they may start now, their attempts.

The audience rule is the one of a course's mandatory assignment (``courses.Assignment``): the
subtree under ``audience_root`` × the audience companies × the channels, an empty list meaning
"all". A quiz without an audience root is for its audience companies' people wherever they are
(a life quiz for P&C agents), or, with no audience company either, for its own company's people.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from organization.models import OrgUnit, Person

from . import grading
from .course_links import courses_with_quiz
from .models import Attempt, AttemptAnswer, AttemptStatus, Quiz, ReviewPolicy


def grace() -> timedelta:
    """How long after its deadline an attempt still takes answers (network delay)."""
    return timedelta(seconds=int(getattr(settings, "QUIZZES_DEADLINE_GRACE_SECONDS", 30)))


def deadline_with_grace(deadline: datetime) -> datetime:
    return deadline + grace()


def _path_prefixes(path: str) -> list[str]:
    """The paths of a unit and all its ancestors."""
    step = OrgUnit.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


def _audience_q(person: Person) -> Q:
    unit = person.org_unit
    prefixes = _path_prefixes(unit.path)
    through = Quiz.audience_companies.through
    has_companies = Exists(through.objects.filter(quiz_id=OuterRef("pk")))
    company_listed = Exists(
        through.objects.filter(quiz_id=OuterRef("pk"), orgunit_id=unit.company_id)
    )
    root_ok = Q(audience_root__path__in=prefixes) | (
        Q(audience_root__isnull=True) & (Q(has_companies) | Q(company__path__in=prefixes))
    )
    return Q(published=True) & root_ok & (~Q(has_companies) | Q(company_listed))


def _channel_ok(quiz: Quiz, person: Person) -> bool:
    # A JSON list: filtered here, not in SQL (SQLite cannot search JSON by containment).
    return not quiz.channels or person.channel in quiz.channels


def quizzes_for_person(*, person: Person) -> list[Quiz]:
    """Published quizzes whose audience holds the person, by title. One query."""
    quizzes = Quiz.objects.filter(_audience_q(person)).select_related("company", "course")
    return [quiz for quiz in quizzes.order_by("title", "pk") if _channel_ok(quiz, person)]


def quiz_open_to(*, person: Person, quiz: Quiz) -> bool:
    """The person is active and in the published quiz's audience. One query."""
    if not person.is_active or not _channel_ok(quiz, person):
        return False
    return Quiz.objects.filter(pk=quiz.pk).filter(_audience_q(person)).exists()


def _local(at: datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


@dataclass
class Availability:
    """Whether the person may start (or resume) an attempt now, and why not."""

    quiz: Quiz
    attempts: list[Attempt]
    open_attempt: Attempt | None
    reason: str | None
    next_start_at: datetime | None = None
    submitted: list[Attempt] = field(default_factory=list)

    @property
    def can_start(self) -> bool:
        return self.reason is None

    @property
    def attempts_used(self) -> int:
        return len(self.attempts)

    @property
    def attempts_left(self) -> int | None:
        if not self.quiz.attempts_allowed:
            return None
        return max(self.quiz.attempts_allowed - len(self.attempts), 0)

    @property
    def best(self) -> Attempt | None:
        graded = [attempt for attempt in self.submitted if attempt.percent is not None]
        return max(graded, key=lambda a: (a.percent, -a.number), default=None)

    @property
    def passed(self) -> bool:
        return any(attempt.passed for attempt in self.submitted)


def quiz_availability(*, quiz: Quiz, person: Person, at: datetime) -> Availability:
    """The person's attempts at ``quiz`` (newest first) and whether a new one may start at ``at``.

    An open attempt past its deadline (and grace) counts as closed here; the services close it
    for good on the next write. One query (the attempts, without their snapshots).
    """
    attempts = list(
        Attempt.objects.filter(quiz=quiz, person=person).defer("snapshot").order_by("-number")
    )
    return _availability(quiz, attempts, at)


def _availability(quiz: Quiz, attempts: list[Attempt], at: datetime) -> Availability:
    open_attempt = next(
        (a for a in attempts if a.is_open and at <= deadline_with_grace(a.deadline)), None
    )
    submitted = [a for a in attempts if a.status == AttemptStatus.SUBMITTED]
    availability = Availability(
        quiz=quiz, attempts=attempts, open_attempt=open_attempt, reason=None, submitted=submitted
    )
    if open_attempt is not None:
        return availability
    if not quiz.published:
        availability.reason = _("这场考试尚未发布。")
    elif quiz.opens_at and at < quiz.opens_at:
        availability.reason = _("考试将于 %(time)s 开放。") % {"time": _local(quiz.opens_at)}
        availability.next_start_at = quiz.opens_at
    elif quiz.closes_at and at >= quiz.closes_at:
        availability.reason = _("考试已于 %(time)s 关闭。") % {"time": _local(quiz.closes_at)}
    elif quiz.attempts_allowed and len(attempts) >= quiz.attempts_allowed:
        availability.reason = _("你已用完全部 %(count)d 次作答机会。") % {
            "count": quiz.attempts_allowed
        }
    elif quiz.wait_minutes and attempts:
        last_end = max(a.submitted_at or a.deadline for a in attempts)
        next_start = last_end + timedelta(minutes=quiz.wait_minutes)
        if at < next_start:
            availability.reason = _(
                "两次作答需间隔 %(minutes)d 分钟，请于 %(time)s 之后再开始。"
            ) % {"minutes": quiz.wait_minutes, "time": _local(next_start)}
            availability.next_start_at = next_start
    return availability


def my_quizzes(*, person: Person, at: datetime) -> list[Availability]:
    """The quizzes open to the person, each with their attempts and whether they may start.

    Two queries: the quizzes, and the person's attempts at them."""
    quizzes = quizzes_for_person(person=person)
    by_quiz: dict[int, list[Attempt]] = {quiz.pk: [] for quiz in quizzes}
    for attempt in (
        Attempt.objects.filter(person=person, quiz__in=list(by_quiz))
        .defer("snapshot")
        .order_by("-number")
    ):
        by_quiz[attempt.quiz_id].append(attempt)
    return [_availability(quiz, by_quiz[quiz.pk], at) for quiz in quizzes]


def attempt_of_person(*, attempt_id: int, person: Person, snapshot: bool = True) -> Attempt | None:
    """The person's own attempt with its quiz; None for anyone else's (the view answers 404).

    ``snapshot=False`` leaves the snapshot unread, for views that hand the attempt to a service
    (which reads it under the row lock)."""
    attempts = Attempt.objects.filter(pk=attempt_id, person=person).select_related("quiz")
    if not snapshot:
        attempts = attempts.defer("snapshot")
    return attempts.first()


def attempt_responses(*, attempt: Attempt) -> dict[int, object]:
    """Position → saved response (None when not answered). One query."""
    return dict(AttemptAnswer.objects.filter(attempt=attempt).values_list("position", "response"))


def attempt_answers(*, attempt: Attempt) -> list[AttemptAnswer]:
    return list(AttemptAnswer.objects.filter(attempt=attempt).order_by("position"))


def attempts_for_quiz(*, quiz: Quiz) -> QuerySet:
    """Submitted attempts of a quiz, with their people: the admin's results list."""
    return (
        Attempt.objects.filter(quiz=quiz, status=AttemptStatus.SUBMITTED)
        .select_related("person", "person__org_unit")
        .defer("snapshot")
        .order_by("-submitted_at", "-pk")
    )


def course_quizzes_for_person(*, course, person: Person | None) -> list[Quiz]:
    """The published quizzes that certify ``course`` and whose audience holds the person."""
    if person is None or course.pk not in courses_with_quiz():
        return []
    quizzes = Quiz.objects.filter(course=course).filter(_audience_q(person)).order_by("pk")
    return [quiz for quiz in quizzes if _channel_ok(quiz, person)]


def review_visible(*, attempt: Attempt, at: datetime) -> bool:
    """The answers and explanations may be shown: a submitted attempt, by the quiz's policy."""
    if attempt.is_open:
        return False
    policy = attempt.quiz.review_policy
    if policy == ReviewPolicy.AFTER_SUBMIT:
        return True
    if policy == ReviewPolicy.AFTER_CLOSE:
        return attempt.quiz.closes_at is not None and at >= attempt.quiz.closes_at
    return False


@dataclass
class ReviewItem:
    number: int
    question: dict
    response: object
    mark: object
    max_mark: object
    choices: list[dict]
    correct_answer: str

    @property
    def is_correct(self) -> bool:
        return self.mark is not None and self.mark == self.max_mark

    @property
    def is_partial(self) -> bool:
        return self.mark is not None and 0 < self.mark < self.max_mark


def _response_text(question: dict, response) -> str:
    if response is None:
        return ""
    kind = question["kind"]
    if kind == grading.TRUE_FALSE:
        return _("正确") if response else _("错误")
    if kind == grading.FILL_BLANK:
        return str(response)
    chosen = set(response if isinstance(response, list) else [response])
    return "；".join(choice["text"] for choice in question["choices"] if choice["id"] in chosen)


def attempt_review(*, attempt: Attempt) -> list[ReviewItem]:
    """Every question of a submitted attempt with the response, the mark and the correct answer.

    Only for a page that ``review_visible`` allows: it reads the key. One query."""
    answers = {answer.position: answer for answer in attempt_answers(attempt=attempt)}
    items = []
    for position, question in enumerate(attempt.snapshot["questions"]):
        answer = answers.get(position)
        response = answer.response if answer else None
        correct = grading.correct_response(question)
        chosen = set(response if isinstance(response, list) else [response])
        correct_set = set(correct if isinstance(correct, list) else [correct])
        choices = [
            {
                "text": choice["text"],
                "chosen": choice["id"] in chosen,
                "correct": choice["id"] in correct_set,
            }
            for choice in question["choices"]
        ]
        if question["kind"] == grading.FILL_BLANK:
            correct_answer = " / ".join(correct)
        else:
            correct_answer = _response_text(question, correct)
        items.append(
            ReviewItem(
                number=position + 1,
                question=question,
                response=_response_text(question, response),
                mark=answer.mark if answer else None,
                max_mark=answer.max_mark if answer else None,
                choices=choices,
                correct_answer=correct_answer,
            )
        )
    return items
