"""The child-units table of the dashboard: one row per child unit of the viewed unit, plus the
unit's own total. Each column family comes from one *provider* reading its rollup, so the table
costs one query per provider whatever the number of children, and never scans raw records."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from django.db.models import Case, F, IntegerField, Q, Sum, When
from django.utils.translation import gettext_lazy as _

from courses.models import Enrollment, EnrollmentStatus
from organization.models import OrgUnit, Person

from ..filters import Filters
from ..models import (
    AgentRollup,
    AttendanceRollup,
    CertificationRollup,
    CompletionRollup,
    EnrollmentRollup,
)

STEP = OrgUnit.steplen
PEOPLE_LIMIT = 500
EXPIRING_DAYS = 30

# {unit id: {column key: count}} for the units asked for.
UnitCounts = dict[int, dict[str, int]]
Provider = Callable[[list[OrgUnit], Filters, date], UnitCounts]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # A share in percent computed from two counted columns, not a count itself.
    ratio_of: tuple[str, str] | None = None


COLUMNS: list[Column] = [
    Column("agents", _("业务人员")),
    Column("enrolled", _("选课")),
    Column("completed", _("已完成")),
    Column("completion", _("完成率"), ratio_of=("completed", "enrolled")),
    Column("overdue", _("逾期未完成")),
    Column("certified", _("持有效资格")),
    Column("expiring", _("30天内到期")),
    Column("attended", _("参训人次")),
]


def _enrollment_sums(today: date) -> dict:
    overdue = Case(
        When(due_date__lt=today, then=F("n_enrolled") - F("n_completed")),
        default=0,
        output_field=IntegerField(),
    )
    return {
        "enrolled": Sum("n_enrolled"),
        "in_progress": Sum("n_in_progress"),
        "completed": Sum("n_completed"),
        "overdue": Sum(overdue),
    }


def _units_q(units: list[OrgUnit], filters: Filters) -> Q:
    q = Q(unit__in=units)
    if filters.company_id:
        q &= Q(unit__company_id=filters.company_id)
    return q


def enrollment_counts(units: list[OrgUnit], filters: Filters, today: date) -> UnitCounts:
    """Enrolled, in progress, completed and overdue from ``EnrollmentRollup``: one query."""
    rows = (
        EnrollmentRollup.objects.filter(_units_q(units, filters) & filters.rollup_q(course=True))
        .order_by()
        .values("unit_id")
        .annotate(**_enrollment_sums(today))
    )
    return {row.pop("unit_id"): row for row in rows}


def agent_counts(units: list[OrgUnit], filters: Filters, today: date) -> UnitCounts:
    """Active agents of each unit's subtree, from ``AgentRollup``: one query."""
    rows = (
        AgentRollup.objects.filter(_units_q(units, filters) & filters.rollup_q())
        .order_by()
        .values("unit_id")
        .annotate(agents=Sum("n_agents"))
    )
    return {row.pop("unit_id"): row for row in rows}


def certification_counts(units: list[OrgUnit], filters: Filters, today: date) -> UnitCounts:
    """Holders of a valid certificate today and those expiring within ``EXPIRING_DAYS``, from
    ``CertificationRollup``: one query. A person counts once per certification they hold.
    Only the company, channel and certification filters apply (course, assignment and period
    say nothing about a certificate)."""
    q = _units_q(units, filters) & filters.rollup_q(certification=True) & Q(expires_on__gte=today)
    soon = today + timedelta(days=EXPIRING_DAYS)
    rows = (
        CertificationRollup.objects.filter(q)
        .order_by()
        .values("unit_id")
        .annotate(
            certified=Sum("n_holders"),
            expiring=Sum(
                Case(
                    When(expires_on__lte=soon, then=F("n_holders")),
                    default=0,
                    output_field=IntegerField(),
                )
            ),
        )
    )
    return {row.pop("unit_id"): row for row in rows}


def _period(filters: Filters, field_name: str) -> Q:
    q = Q()
    if filters.date_from:
        q &= Q(**{f"{field_name}__gte": filters.date_from})
    if filters.date_to:
        q &= Q(**{f"{field_name}__lte": filters.date_to})
    return q


def period_completions(units: list[OrgUnit], filters: Filters, today: date) -> UnitCounts:
    """With a period, ``completed`` becomes the completions dated inside it (so 完成率 is the
    period's completions over the enrolments), from ``CompletionRollup``: one query; none
    without a period."""
    if not filters.has_period:
        return {}
    q = _units_q(units, filters) & filters.rollup_q(course=True) & _period(filters, "completed_on")
    rows = (
        CompletionRollup.objects.filter(q)
        .order_by()
        .values("unit_id")
        .annotate(completed=Sum("n_completed"))
    )
    counts: UnitCounts = {unit.pk: {"completed": 0} for unit in units}
    counts.update({row.pop("unit_id"): row for row in rows})
    return counts


def attendance_counts(units: list[OrgUnit], filters: Filters, today: date) -> UnitCounts:
    """Session attendances (check-ins) in the period, else of all time, from
    ``AttendanceRollup``: one query. The company, channel and period filters apply (a session
    has no course, assignment or certification to filter on)."""
    rows = (
        AttendanceRollup.objects.filter(
            _units_q(units, filters) & filters.rollup_q() & _period(filters, "attended_on")
        )
        .order_by()
        .values("unit_id")
        .annotate(attended=Sum("n_attended"))
    )
    return {row.pop("unit_id"): row for row in rows}


# Each is called with the viewed unit first, then its children.
PROVIDERS: list[Provider] = [
    enrollment_counts,
    agent_counts,
    certification_counts,
    period_completions,
    attendance_counts,
]


class Cell(NamedTuple):
    value: float | int | None
    ratio: bool = False


@dataclass
class UnitRow:
    unit: OrgUnit
    counts: dict[str, int] = field(default_factory=dict)

    def __getattr__(self, key: str):
        # ``row.enrolled``, ``row.completion``: the counts and ratios by column key.
        if key.startswith("_") or key == "counts":
            raise AttributeError(key)
        column = next((c for c in COLUMNS if c.key == key), None)
        if column and column.ratio_of:
            part, whole = (self.counts.get(name, 0) for name in column.ratio_of)
            return round(part * 100 / whole, 1) if whole else None
        return self.counts.get(key, 0)

    def cells(self) -> list[Cell]:
        """The row's values in the order of ``COLUMNS`` (a ratio is None when undefined)."""
        return [Cell(getattr(self, column.key), ratio=bool(column.ratio_of)) for column in COLUMNS]


@dataclass
class UnitTable:
    unit: OrgUnit
    total: UnitRow
    rows: list[UnitRow] = field(default_factory=list)
    columns: list[Column] = field(default_factory=lambda: COLUMNS)


def child_units_table(*, unit: OrgUnit, filters: Filters, today: date) -> UnitTable:
    """One row per child unit of ``unit`` and the unit's total: one query for the children,
    one per provider."""
    children = list(
        OrgUnit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1)
        .filter(Q(company_id=filters.company_id) if filters.company_id else Q())
        .order_by("path")
    )
    units = [unit, *children]
    counts: UnitCounts = {each.pk: {} for each in units}
    for provider in PROVIDERS:
        for unit_id, values in provider(units, filters, today).items():
            counts[unit_id].update({key: value or 0 for key, value in values.items()})
    rows = [UnitRow(unit=child, counts=counts[child.pk]) for child in children]
    if filters.company_id and unit.company_id != filters.company_id:
        # Above the company (the group): its total is the sum of the company's rows.
        total = UnitRow(unit=unit)
        for row in rows:
            for key, value in row.counts.items():
                total.counts[key] = total.counts.get(key, 0) + value
    else:
        total = UnitRow(unit=unit, counts=counts[unit.pk])
    return UnitTable(unit=unit, total=total, rows=rows)


def breadcrumb(*, unit: OrgUnit, scope: OrgUnit) -> list[OrgUnit]:
    """The units from the viewer's scope root down to ``unit``: one query."""
    paths = [unit.path[:end] for end in range(len(scope.path), len(unit.path) + 1, STEP)]
    return list(OrgUnit.objects.filter(path__in=paths).order_by("depth"))


@dataclass
class PersonRow:
    person: Person
    enrollments: list[Enrollment]
    overdue: int = 0
    completed: int = 0


def people_table(*, unit: OrgUnit, filters: Filters, today: date) -> list[PersonRow]:
    """The active people of ``unit``'s subtree (an outlet's staff) with their enrolments and
    status: two queries, at most ``PEOPLE_LIMIT`` people."""
    people = Person.objects.active().filter(
        filters.people_q(), org_unit__path__startswith=unit.path
    )
    people = people.select_related("org_unit").order_by("org_unit__path", "name")
    people = list(people[:PEOPLE_LIMIT])
    enrollments = Enrollment.objects.filter(
        filters.enrollments_q(), person__in=people
    ).select_related("course")
    by_person: dict[int, list[Enrollment]] = {}
    for enrollment in enrollments.order_by("course__title"):
        enrollment.overdue = (
            enrollment.due_date is not None
            and enrollment.due_date < today
            and enrollment.status != EnrollmentStatus.COMPLETED
        )
        by_person.setdefault(enrollment.person_id, []).append(enrollment)
    rows = []
    for person in people:
        mine = by_person.get(person.pk, [])
        rows.append(
            PersonRow(
                person=person,
                enrollments=mine,
                overdue=sum(e.overdue for e in mine),
                completed=sum(e.status == EnrollmentStatus.COMPLETED for e in mine),
            )
        )
    return rows
