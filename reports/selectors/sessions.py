"""Plan execution and the lecturer report: reads of lecturer_portal (and quizzes for the pass
rate), cut to the viewed unit's subtree. Each table costs a fixed number of queries whatever the
number of plans, lecturers or sessions."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lecturer_portal.models import (
    AssignmentRole,
    AssignmentStatus,
    Feedback,
    LecturerAssignment,
    LecturerProfile,
    PlanItem,
    Registration,
    RegistrationStatus,
    SessionKind,
    SessionStatus,
    TrainingPlan,
)
from lecturer_portal.selectors import PlanItemProgress, with_session_counts
from organization.models import OrgUnit
from quizzes.models import Attempt, AttemptStatus, Quiz

from ..filters import Filters
from .units import Cell

STEP = OrgUnit.steplen
PLAN_LIMIT = 50
LECTURER_LIMIT = 500


def _share(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def child_units(unit: OrgUnit) -> list[OrgUnit]:
    return list(
        OrgUnit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).order_by("path")
    )


# Plan execution ---------------------------------------------------------------------------------


@dataclass
class Execution:
    """Planned sessions and target head-count against sessions held (completed), cancelled,
    scheduled (neither yet) and people attended, summed over plan items."""

    planned: int = 0
    target: int = 0
    held: int = 0
    cancelled: int = 0
    scheduled: int = 0
    attendance: int = 0

    def add(self, other: "Execution") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @classmethod
    def of_item(cls, row: PlanItemProgress) -> "Execution":
        return cls(
            row.item.planned_sessions,
            row.item.target_headcount,
            row.held,
            row.cancelled,
            row.scheduled,
            row.attendance,
        )

    @property
    def held_share(self) -> float | None:
        return _share(self.held, self.planned)

    @property
    def attendance_share(self) -> float | None:
        return _share(self.attendance, self.target)

    def cells(self) -> list[Cell]:
        """In the order of ``EXECUTION_COLUMNS``."""
        return [
            Cell(self.planned),
            Cell(self.held),
            Cell(self.cancelled),
            Cell(self.scheduled),
            Cell(self.held_share, ratio=True),
            Cell(self.target),
            Cell(self.attendance),
            Cell(self.attendance_share, ratio=True),
        ]


EXECUTION_COLUMNS = [
    _("计划场次"),
    _("已举办"),
    _("已取消"),
    _("待举办"),
    _("场次完成率"),
    _("目标人数"),
    _("参训人次"),
    _("人数达成率"),
]


@dataclass
class ItemRow:
    item: PlanItem
    totals: Execution


@dataclass
class PlanRow:
    plan: TrainingPlan
    items: list[ItemRow] = field(default_factory=list)
    totals: Execution = field(default_factory=Execution)


@dataclass
class UnitExecution:
    unit: OrgUnit
    totals: Execution
    own: bool = False  # the viewed unit's own plans, not a child's subtree


@dataclass
class PlanReport:
    total: Execution
    units: list[UnitExecution]
    plans: list[PlanRow]
    more: bool  # more plans than PLAN_LIMIT in the subtree


def _plan_period(year: int, quarter: int | None) -> Q:
    q = Q(plan__year=year)
    if quarter is not None:
        q &= Q(plan__quarter=quarter)
    return q


def _subtree_items(unit: OrgUnit, year: int, quarter: int | None) -> QuerySet:
    return with_session_counts(
        PlanItem.objects.filter(
            _plan_period(year, quarter), plan__org_unit__path__startswith=unit.path
        )
    )


def plan_execution(*, unit: OrgUnit, year: int, quarter: int | None) -> PlanReport:
    """The plans of ``unit``'s subtree for the year (and quarter: 0 the whole-year plans, None
    all): totals per child unit (one query for the children, one for the sums) and the first
    ``PLAN_LIMIT`` plans with their items (two queries). Sessions count for the plan they belong
    to, wherever they were hosted."""
    sums = (
        _subtree_items(unit, year, quarter)
        .annotate(branch=Substr("plan__org_unit__path", 1, len(unit.path) + STEP))
        .order_by()
        .values("branch")
        .annotate(
            n_planned=Sum("planned_sessions"),
            n_target=Sum("target_headcount"),
            n_held=Sum("held"),
            n_cancelled=Sum("cancelled"),
            n_scheduled=Sum("scheduled"),
            n_attendance=Sum("attendance"),
        )
    )
    by_branch = {
        row["branch"]: Execution(
            row["n_planned"],
            row["n_target"],
            row["n_held"],
            row["n_cancelled"],
            row["n_scheduled"],
            row["n_attendance"],
        )
        for row in sums
    }
    units = [
        UnitExecution(unit=child, totals=by_branch.get(child.path, Execution()))
        for child in child_units(unit)
    ]
    if unit.path in by_branch:
        units.insert(0, UnitExecution(unit=unit, totals=by_branch[unit.path], own=True))
    total = Execution()
    for totals in by_branch.values():
        total.add(totals)

    period = Q(year=year) if quarter is None else Q(year=year, quarter=quarter)
    plans = list(
        TrainingPlan.objects.filter(period, org_unit__path__startswith=unit.path)
        .select_related("org_unit")
        .order_by("org_unit__path", "quarter", "pk")[: PLAN_LIMIT + 1]
    )
    more = len(plans) > PLAN_LIMIT
    rows = {plan.pk: PlanRow(plan=plan) for plan in plans[:PLAN_LIMIT]}
    for item in with_session_counts(PlanItem.objects.filter(plan__in=list(rows))).order_by(
        "plan_id", "sort_order", "pk"
    ):
        row = rows[item.plan_id]
        totals = Execution.of_item(PlanItemProgress.of(item))
        row.items.append(ItemRow(item=item, totals=totals))
        row.totals.add(totals)
    return PlanReport(total=total, units=units, plans=list(rows.values()), more=more)


def plan_items_export(*, unit: OrgUnit, year: int, quarter: int | None):
    """Every item of the subtree's plans with its ``Execution``, streamed in chunks."""
    items = (
        _subtree_items(unit, year, quarter)
        .select_related("plan__org_unit")
        .order_by("plan__org_unit__path", "plan__quarter", "plan_id", "sort_order", "pk")
    )
    for item in items.iterator(chunk_size=2000):
        yield item, Execution.of_item(PlanItemProgress.of(item))


# Lecturers --------------------------------------------------------------------------------------


@dataclass
class SessionStats:
    """Attendances, the assessed and passed among them, and feedback sums; sums of sums stay
    exact when added up per lecturer (averages are taken last)."""

    trainees: int = 0
    assessed: int = 0
    passed: int = 0
    ratings: int = 0
    lecturer_sum: int = 0
    content_sum: int = 0

    def add(self, other: "SessionStats") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def lecturer_rating(self) -> float | None:
        return round(self.lecturer_sum / self.ratings, 2) if self.ratings else None

    @property
    def content_rating(self) -> float | None:
        return round(self.content_sum / self.ratings, 2) if self.ratings else None

    @property
    def pass_rate(self) -> float | None:
        return _share(self.passed, self.assessed)

    def cells(self) -> list[Cell]:
        """In the order of ``SESSION_COLUMNS``."""
        return [
            Cell(self.trainees),
            Cell(self.lecturer_rating),
            Cell(self.content_rating),
            Cell(self.ratings),
            Cell(self.assessed),
            Cell(self.passed),
            Cell(self.pass_rate, ratio=True),
        ]


SESSION_COLUMNS = [
    _("参训人次"),
    _("讲师评分"),
    _("内容评分"),
    _("评价数"),
    _("参加考核"),
    _("考核通过"),
    _("通过率"),
]


def _local_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def delivered_assignments(filters: Filters) -> QuerySet:
    """Accepted assignments of completed sessions starting (local date) within the period."""
    q = Q(status=AssignmentStatus.ACCEPTED, session__status=SessionStatus.COMPLETED)
    if filters.date_from:
        q &= Q(session__starts_at__gte=_local_start(filters.date_from))
    if filters.date_to:
        q &= Q(session__starts_at__lt=_local_start(filters.date_to + timedelta(days=1)))
    return LecturerAssignment.objects.filter(q)


def session_stats(session_ids) -> dict[int, SessionStats]:
    """Per session: attendances; the assessed ones (the session has an assessment quiz, is a
    cascade session, or its linked course has a certification quiz) and those passed (marked
    passed, or a passed attempt submitted after the session's start at the assessment quiz,
    else at a quiz of the course); feedback count and rating sums. Two queries."""
    attempts = Attempt.objects.filter(
        person_id=OuterRef("person_id"),
        status=AttemptStatus.SUBMITTED,
        passed=True,
        submitted_at__gte=OuterRef("session__starts_at"),
    )
    course_quiz = Exists(Quiz.objects.filter(course_id=OuterRef("session__course_id")))
    assessed = (
        Q(session__assessment_quiz__isnull=False)
        | Q(session__kind=SessionKind.CASCADE)
        | Q(course_quiz)
    )
    # Each way to pass implies one of the ways to be assessed.
    passed = (
        Q(passed_at__isnull=False)
        | Q(Exists(attempts.filter(quiz_id=OuterRef("session__assessment_quiz_id"))))
        | Q(session__assessment_quiz__isnull=True)
        & Q(Exists(attempts.filter(quiz__course_id=OuterRef("session__course_id"))))
    )
    stats: dict[int, SessionStats] = {}
    rows = (
        Registration.objects.filter(session_id__in=session_ids, status=RegistrationStatus.ATTENDED)
        .order_by()
        .values("session_id")
        .annotate(
            n=Count("pk"),
            n_assessed=Count("pk", filter=assessed),
            n_passed=Count("pk", filter=passed),
        )
    )
    for row in rows:
        stats[row["session_id"]] = SessionStats(row["n"], row["n_assessed"], row["n_passed"])
    feedback = (
        Feedback.objects.filter(session_id__in=session_ids)
        .order_by()
        .values("session_id")
        .annotate(n=Count("pk"), lecturer=Sum("lecturer_rating"), content=Sum("content_rating"))
    )
    for row in feedback:
        each = stats.setdefault(row["session_id"], SessionStats())
        each.ratings = row["n"]
        each.lecturer_sum, each.content_sum = row["lecturer"], row["content"]
    return stats


@dataclass
class LecturerRow:
    profile: LecturerProfile
    lead: int = 0
    assistant: int = 0
    stats: SessionStats = field(default_factory=SessionStats)
    # The table's total: distinct sessions (two lecturers of the subtree on one session).
    sessions: int | None = None

    @property
    def delivered(self) -> int:
        return self.lead + self.assistant if self.sessions is None else self.sessions

    def cells(self) -> list[Cell]:
        """In the order of ``LECTURER_COLUMNS``."""
        return [Cell(self.delivered), Cell(self.lead), Cell(self.assistant), *self.stats.cells()]


LECTURER_COLUMNS = [_("授课场次"), _("主讲"), _("助教"), *SESSION_COLUMNS]


@dataclass
class LecturerTable:
    rows: list[LecturerRow]
    total: LecturerRow  # sessions delivered by two lecturers of the subtree count once
    more: bool  # more lecturers than the limit


def lecturer_table(
    *, unit: OrgUnit, filters: Filters, limit: int | None = LECTURER_LIMIT
) -> LecturerTable:
    """Lecturers whose home unit lies in ``unit``'s subtree (active ones, and inactive ones who
    delivered in the period) with the completed sessions they delivered wherever hosted, most
    sessions first. Four queries."""
    profiles = LecturerProfile.objects.filter(
        person__org_unit__path__startswith=unit.path
    ).select_related("person__org_unit")
    rows = {profile.pk: LecturerRow(profile=profile) for profile in profiles}
    delivered = delivered_assignments(filters).filter(lecturer__in=profiles.values("pk"))
    pairs = list(delivered.values_list("lecturer_id", "session_id", "role"))
    stats = session_stats(delivered.values("session_id"))
    for lecturer_id, session_id, role in pairs:
        row = rows[lecturer_id]
        if role == AssignmentRole.LEAD:
            row.lead += 1
        else:
            row.assistant += 1
        row.stats.add(stats.get(session_id, SessionStats()))
    shown = sorted(
        (row for row in rows.values() if row.profile.person.is_active or row.delivered),
        key=lambda row: (-row.delivered, -row.stats.trainees, row.profile.person.name),
    )
    total = LecturerRow(profile=None, sessions=len({pair[1] for pair in pairs}))
    for row in shown:
        total.lead += row.lead
        total.assistant += row.assistant
    for each in stats.values():
        total.stats.add(each)
    return LecturerTable(
        rows=shown[:limit],
        total=total,
        more=limit is not None and len(shown) > limit,
    )


def lecturer_in_scope(pk: int, scope: OrgUnit) -> LecturerProfile | None:
    return (
        LecturerProfile.objects.filter(pk=pk, person__org_unit__path__startswith=scope.path)
        .select_related("person__org_unit")
        .first()
    )


def lecturer_sessions(
    *, profile: LecturerProfile, filters: Filters
) -> tuple[list[LecturerAssignment], LecturerRow]:
    """The completed sessions ``profile`` delivered in the period, latest first, each assignment
    with ``stats``, and the lecturer's row of the report. Three queries."""
    assignments = list(
        delivered_assignments(filters)
        .filter(lecturer=profile)
        .select_related("session__host_unit", "session__product_company")
        .order_by("-session__starts_at", "-session_id")
    )
    stats = session_stats([assignment.session_id for assignment in assignments])
    row = LecturerRow(profile=profile)
    for assignment in assignments:
        assignment.stats = stats.get(assignment.session_id, SessionStats())
        row.stats.add(assignment.stats)
        if assignment.role == AssignmentRole.LEAD:
            row.lead += 1
        else:
            row.assistant += 1
    return assignments, row
