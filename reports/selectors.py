"""Dashboard reads. Counts come from ``EnrollmentRollup`` (never from a scan of enrolments); the
child-units table costs the same few queries whatever the number of child units."""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, When
from django.db.models.functions import Substr

from courses.models import Assignment, CoursePage, Enrollment, EnrollmentStatus
from organization.models import Channel, OrgUnit, OrgUnitKind, Person, Role

from .models import EnrollmentRollup

STEP = OrgUnit.steplen
User = get_user_model()
PEOPLE_LIMIT = 500


@dataclass(frozen=True)
class Filters:
    company_id: int | None = None
    course_id: int | None = None
    channel: str = ""
    assignment_id: int | None = None

    @classmethod
    def from_query(cls, data) -> "Filters":
        def number(name):
            value = data.get(name, "")
            return int(value) if value.isdigit() else None

        channel = data.get("channel", "")
        return cls(
            company_id=number("company"),
            course_id=number("course"),
            channel=channel if channel in Channel.values else "",
            assignment_id=number("assignment"),
        )

    def rollup_q(self) -> Q:
        q = Q()
        if self.company_id:
            q &= Q(unit__company_id=self.company_id)
        if self.course_id:
            q &= Q(course_id=self.course_id)
        if self.channel:
            q &= Q(channel=self.channel)
        if self.assignment_id:
            q &= Q(assignment_key=self.assignment_id)
        return q


@dataclass
class UnitRow:
    unit: OrgUnit | None
    agents: int = 0
    enrolled: int = 0
    in_progress: int = 0
    completed: int = 0
    overdue: int = 0

    @property
    def completion(self) -> float | None:
        return round(self.completed * 100 / self.enrolled, 1) if self.enrolled else None


@dataclass
class UnitTable:
    unit: OrgUnit
    total: UnitRow
    rows: list[UnitRow] = field(default_factory=list)


def _sums(today: date) -> dict:
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


def child_units_table(*, unit: OrgUnit, filters: Filters, today: date) -> UnitTable:
    """One row per child unit of ``unit`` (and the unit's own total): three queries."""
    children = list(
        OrgUnit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1)
        .filter(Q(company_id=filters.company_id) if filters.company_id else Q())
        .order_by("path")
    )
    sums = {
        row["unit_id"]: row
        for row in EnrollmentRollup.objects.filter(
            filters.rollup_q(), unit_id__in=[unit.pk, *(child.pk for child in children)]
        )
        .order_by()
        .values("unit_id")
        .annotate(**_sums(today))
    }
    agents = User.groups.through.objects.filter(group__name=Role.AGENT).values("user_id")
    people = Person.objects.active().filter(
        org_unit__path__startswith=unit.path, user_id__in=agents
    )
    if filters.company_id:
        people = people.filter(org_unit__company_id=filters.company_id)
    if filters.channel:
        people = people.filter(channel=filters.channel)
    heads = dict(
        people.order_by()
        .annotate(child_path=Substr("org_unit__path", 1, len(unit.path) + STEP))
        .values("child_path")
        .annotate(n=Count("pk"))
        .values_list("child_path", "n")
    )

    def row(of: OrgUnit | None, counts: dict, agents: int) -> UnitRow:
        return UnitRow(
            unit=of,
            agents=agents,
            **{name: counts.get(name) or 0 for name in _sums(today)},
        )

    rows = [row(child, sums.get(child.pk, {}), heads.get(child.path, 0)) for child in children]
    if filters.company_id and unit.company_id != filters.company_id:
        # Above the company (the group): its total is the sum of the company's rows.
        total = UnitRow(unit=unit, agents=sum(heads.values()))
        for name in _sums(today):
            setattr(total, name, sum(getattr(r, name) for r in rows))
    else:
        total = row(unit, sums.get(unit.pk, {}), sum(heads.values()))
    table = UnitTable(unit=unit, total=total, rows=rows)
    return table


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
    people = Person.objects.active().filter(org_unit__path__startswith=unit.path)
    if filters.company_id:
        people = people.filter(org_unit__company_id=filters.company_id)
    if filters.channel:
        people = people.filter(channel=filters.channel)
    people = people.select_related("org_unit").order_by("org_unit__path", "name")
    people = list(people[:PEOPLE_LIMIT])
    enrollments = Enrollment.objects.filter(person__in=people).select_related("course")
    if filters.course_id:
        enrollments = enrollments.filter(course_id=filters.course_id)
    if filters.assignment_id:
        enrollments = enrollments.filter(assignment_id=filters.assignment_id)
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


def _ancestor_paths(unit: OrgUnit) -> list[str]:
    return [unit.path[:end] for end in range(STEP, len(unit.path), STEP)]


def filter_choices(*, scope: OrgUnit) -> dict[str, QuerySet]:
    """The options of the filter form (lazy querysets: three queries when rendered)."""
    return {
        "companies": OrgUnit.objects.filter(kind=OrgUnitKind.COMPANY).filter(
            Q(path__startswith=scope.path) | Q(pk=scope.company_id)
        ),
        "courses": CoursePage.objects.live().order_by("title").only("pk", "title"),
        "assignments": Assignment.objects.filter(
            Q(audience_root__path__startswith=scope.path)
            | Q(audience_root__path__in=_ancestor_paths(scope))
        )
        .select_related("course")
        .order_by("-created_at"),
    }
