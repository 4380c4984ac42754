"""Per-course and per-assignment reads: totals from ``EnrollmentRollup`` (one query whatever the
size of the subtree), and the two reads that must look at enrolments themselves, each bounded:
the progress distribution of one course (skipped above ``PROGRESS_LIMIT`` enrolments) and the
overdue people (one page of ``OVERDUE_PAGE_SIZE``, through the (course, org_path) index)."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from courses.models import Assignment, Enrollment, EnrollmentStatus
from organization.models import OrgUnit

from ..filters import Filters, _ancestor_paths
from ..models import EnrollmentRollup
from .units import _enrollment_sums

OVERDUE_PAGE_SIZE = 50
OVERDUE_EXPORT_HEADERS = [
    _lazy("所属机构"),
    _lazy("姓名"),
    _lazy("工号"),
    _lazy("状态"),
    _lazy("完成期限"),
    _lazy("逾期天数"),
]
ASSIGNMENT_EXPORT_HEADERS = [
    _lazy("课程"),
    _lazy("受众机构"),
    _lazy("完成期限"),
    _lazy("倒计时"),
    _lazy("选课"),
    _lazy("已完成"),
    _lazy("完成率"),
    _lazy("逾期未完成"),
]
COURSE_EXPORT_HEADERS = [
    _lazy("课程"),
    _lazy("选课"),
    _lazy("未开始"),
    _lazy("学习中"),
    _lazy("已完成"),
    _lazy("完成率"),
    _lazy("逾期未完成"),
]
INDEX_PAGE_SIZE = 50
# Above this many enrolments of one course in the subtree, the progress distribution (a scan of
# those enrolments) is not computed: the page asks to drill down instead.
PROGRESS_LIMIT = 50_000
# (label, lowest percent, highest percent), both ends included.
PROGRESS_BUCKETS = [
    ("0%", 0, 0),
    ("1–24%", 1, 24),
    ("25–49%", 25, 49),
    ("50–74%", 50, 74),
    ("75–99%", 75, 99),
    ("100%", 100, 100),
]


def countdown(due_date: date, today: date) -> str:
    days = (due_date - today).days
    if days > 0:
        return _("剩余 %(n)d 天") % {"n": days}
    if days == 0:
        return _("今天到期")
    return _("已逾期 %(n)d 天") % {"n": -days}


@dataclass
class CourseTotals:
    course_id: int
    title: str = ""
    enrolled: int = 0
    in_progress: int = 0
    completed: int = 0
    overdue: int = 0

    @property
    def not_started(self) -> int:
        return self.enrolled - self.in_progress - self.completed

    @property
    def completion(self) -> float | None:
        return round(self.completed * 100 / self.enrolled, 1) if self.enrolled else None

    def export_row(self) -> tuple:
        """The row under ``COURSE_EXPORT_HEADERS``."""
        return (
            self.title,
            self.enrolled,
            self.not_started,
            self.in_progress,
            self.completed,
            self.completion,
            self.overdue,
        )


def _rollup_rows(unit: OrgUnit, filters: Filters) -> QuerySet:
    """The rollup rows counting ``unit``'s subtree under the filters."""
    counted = filters.counted_unit_q(unit)
    if counted is None:
        return EnrollmentRollup.objects.none()
    return EnrollmentRollup.objects.filter(counted & filters.rollup_q(course=True)).order_by()


def course_totals(*, unit: OrgUnit, filters: Filters, today: date) -> list[CourseTotals]:
    """Enrolled / in progress / completed / overdue per course at ``unit``: one query."""
    rows = (
        _rollup_rows(unit, filters)
        .values("course_id", "course__title")
        .annotate(**_enrollment_sums(today))
        .order_by("course__title")
    )
    return [
        CourseTotals(
            course_id=row["course_id"],
            title=row["course__title"],
            enrolled=row["enrolled"] or 0,
            in_progress=row["in_progress"] or 0,
            completed=row["completed"] or 0,
            overdue=row["overdue"] or 0,
        )
        for row in rows
    ]


def one_course_totals(*, unit: OrgUnit, filters: Filters, today: date) -> CourseTotals:
    """The totals of ``filters.course_id`` at ``unit`` (zeros when nobody is enrolled)."""
    found = course_totals(unit=unit, filters=filters, today=today)
    return found[0] if found else CourseTotals(course_id=filters.course_id)


def _subtree_enrollments(unit: OrgUnit, filters: Filters) -> QuerySet:
    """Enrolments of the active people of ``unit``'s subtree under the filters (a course set,
    so the (course, org_path) index bounds the scan)."""
    # An enrolment carries a copy of its person's company and channel.
    rows = Enrollment.objects.filter(
        filters.enrollments_q(), org_path__startswith=unit.path, person__is_active=True
    )
    if filters.company_id:
        rows = rows.filter(company_id=filters.company_id)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    return rows


@dataclass(frozen=True)
class Bucket:
    label: str
    count: int
    share: float | None


def progress_buckets(*, unit: OrgUnit, filters: Filters, enrolled: int) -> list[Bucket] | None:
    """How many enrolments of the course lie in each percent bucket: one aggregate query over
    the subtree's enrolments of that one course; None when there are more than
    ``PROGRESS_LIMIT`` (``enrolled`` comes from the rollup, so the check costs nothing)."""
    if enrolled > PROGRESS_LIMIT:
        return None
    counts = _subtree_enrollments(unit, filters).aggregate(
        **{
            str(i): Count("pk", filter=Q(percent__gte=low, percent__lte=high))
            for i, (_label, low, high) in enumerate(PROGRESS_BUCKETS)
        }
    )
    total = sum(counts.values())
    return [
        Bucket(
            label=label,
            count=counts[str(i)],
            share=round(counts[str(i)] * 100 / total, 1) if total else None,
        )
        for i, (label, _low, _high) in enumerate(PROGRESS_BUCKETS)
    ]


def overdue_enrollments(*, unit: OrgUnit, filters: Filters, today: date) -> QuerySet:
    """The subtree's enrolments past their due date and not completed (active people only, as
    the rollups count them)."""
    return (
        _subtree_enrollments(unit, filters)
        .filter(due_date__lt=today)
        .exclude(status=EnrollmentStatus.COMPLETED)
    )


def _overdue_in_order(unit: OrgUnit, filters: Filters, today: date) -> QuerySet:
    # In the order of the (course, org_path) index: a page stops after 50 rows instead of
    # sorting every overdue enrolment of the subtree; people come grouped by unit.
    return overdue_enrollments(unit=unit, filters=filters, today=today).order_by("org_path", "pk")


class _CountedPaginator(Paginator):
    """A paginator told its count (the rollup's overdue sum), so it never runs ``COUNT(*)``."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # the cached_property's slot


def overdue_export_rows(*, unit: OrgUnit, filters: Filters, today: date) -> Iterator[tuple]:
    """Every overdue person of the view, as ``OVERDUE_EXPORT_HEADERS``: read in chunks while the
    download streams."""
    status_labels = dict(EnrollmentStatus.choices)
    rows = _overdue_in_order(unit, filters, today).values_list(
        "person__org_unit__name", "person__name", "person__employee_no", "status", "due_date"
    )
    for unit_name, name, employee_no, status, due_date in rows.iterator(chunk_size=2000):
        yield (
            unit_name,
            name,
            employee_no,
            str(status_labels[status]),
            due_date,
            (today - due_date).days,
        )


def overdue_page(*, unit: OrgUnit, filters: Filters, today: date, count: int, number) -> Page:
    """One page of overdue people, each enrolment with ``days_overdue``: one query. ``count``
    is the overdue total of the same view from ``EnrollmentRollup`` (the rollups count exactly
    these enrolments), so the page costs no count over the subtree."""
    rows = _overdue_in_order(unit, filters, today).select_related("person__org_unit")
    page = _CountedPaginator(rows, OVERDUE_PAGE_SIZE, count=count).get_page(number)
    page.object_list = list(page.object_list)
    for enrollment in page.object_list:
        enrollment.days_overdue = (today - enrollment.due_date).days
    return page


def assignments_in_scope(scope: OrgUnit) -> QuerySet:
    """Assignments whose audience reaches into ``scope``'s subtree: made inside it, or above it
    for all companies or for the scope's own company."""
    other_companies_only = Exists(
        Assignment.audience_companies.through.objects.filter(assignment=OuterRef("pk"))
    ) & ~Exists(
        Assignment.audience_companies.through.objects.filter(
            assignment=OuterRef("pk"), orgunit_id=scope.company_id
        )
    )
    above = Q(audience_root__path__in=_ancestor_paths(scope)) & ~other_companies_only
    return Assignment.objects.filter(Q(audience_root__path__startswith=scope.path) | above)


@dataclass
class AssignmentRow:
    assignment: Assignment
    countdown: str
    totals: CourseTotals


def _assignments_in_order(scope: OrgUnit) -> QuerySet:
    return (
        assignments_in_scope(scope)
        .select_related("course", "audience_root")
        .order_by("-due_date", "-pk")
    )


def _assignment_rows(assignments: list, *, scope: OrgUnit, today: date) -> list[AssignmentRow]:
    """``assignments`` with their totals at the scope root: one query."""
    sums = {
        row.pop("assignment_key"): row
        for row in EnrollmentRollup.objects.filter(
            unit=scope, assignment_key__in=[a.pk for a in assignments]
        )
        .order_by()
        .values("assignment_key")
        .annotate(**_enrollment_sums(today))
    }
    rows = []
    for assignment in assignments:
        values = {k: v or 0 for k, v in sums.get(assignment.pk, {}).items()}
        rows.append(
            AssignmentRow(
                assignment=assignment,
                countdown=countdown(assignment.due_date, today),
                totals=CourseTotals(
                    course_id=assignment.course_id, title=assignment.course.title, **values
                ),
            )
        )
    return rows


def assignment_page(*, scope: OrgUnit, today: date, number) -> Page:
    """The assignments visible in ``scope``, latest due date first, with their totals at the
    scope root: three queries (count, page, rollup sums)."""
    page = Paginator(_assignments_in_order(scope), INDEX_PAGE_SIZE).get_page(number)
    page.object_list = _assignment_rows(list(page.object_list), scope=scope, today=today)
    return page


def assignment_export_rows(*, scope: OrgUnit, today: date) -> Iterator[tuple]:
    """Every assignment visible in ``scope`` as ``ASSIGNMENT_EXPORT_HEADERS``, a page at a time."""
    assignments = _assignments_in_order(scope)
    for start in range(0, assignments.count(), INDEX_PAGE_SIZE):
        chunk = list(assignments[start : start + INDEX_PAGE_SIZE])
        for row in _assignment_rows(chunk, scope=scope, today=today):
            totals = row.totals
            yield (
                totals.title,
                row.assignment.audience_root.name,
                row.assignment.due_date,
                row.countdown,
                totals.enrolled,
                totals.completed,
                totals.completion,
                totals.overdue,
            )
