"""Keep ``EnrollmentRollup`` and ``CompletionRollup`` exact, by deltas, inside the transaction of
every enrolment write: the same grouped rows feed both tables (a completed enrolment counts in
``CompletionRollup`` under the local date of its completion).

A change is a set of (enrolment key, +1 / -1 × n); each key counts at every ancestor of its org
path (the unit itself included, depth ≤ 6), merged into one ``INSERT ... ON CONFLICT DO UPDATE
SET n = n + excluded.n`` (SQLite and PostgreSQL both), keys sorted so that concurrent writers lock
rows in the same order. ``rebuild``/``diff`` recount everything from the raw enrolments.
"""

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.db.models.functions import TruncDate

from courses.models import Enrollment, EnrollmentStatus
from organization.models import OrgUnit
from reports.models import NO_DUE_DATE, CompletionRollup, EnrollmentRollup

from .upsert import Deltas, add, differences, prefixes, stored, unit_ids, upsert

STEP = OrgUnit.steplen
COUNTERS = ("n_enrolled", "n_in_progress", "n_completed")
KEY_FIELDS = ("unit_id", "course_id", "channel", "assignment_key", "due_date")
ROW_FIELDS = (
    "org_path",
    "course_id",
    "channel",
    "assignment_id",
    "due_date",
    "status",
    "completed_on",
)
COMPLETION_KEY_FIELDS = ("unit_id", "course_id", "channel", "assignment_key", "completed_on")


@dataclass
class Changes:
    """Deltas for the two tables enrolment events feed."""

    # (unit_id, course_id, channel, assignment_key, due_date) -> [enrolled, in progress, completed]
    enrollments: Deltas = field(default_factory=dict)
    # (unit_id, course_id, channel, assignment_key, completed_on) -> [completed]
    completions: Deltas = field(default_factory=dict)


def _counters(status: str, n: int) -> tuple[int, int, int]:
    return (
        n,
        n if status == EnrollmentStatus.IN_PROGRESS else 0,
        n if status == EnrollmentStatus.COMPLETED else 0,
    )


def _add(changes: Changes, unit_id: int, row: tuple, n: int) -> None:
    _org_path, course_id, channel, assignment_id, due_date, status, completed_on = row
    key = (unit_id, course_id, channel, assignment_id or 0, due_date or NO_DUE_DATE)
    add(changes.enrollments, key, *_counters(status, n))
    if status == EnrollmentStatus.COMPLETED and completed_on is not None:
        key = (unit_id, course_id, channel, assignment_id or 0, completed_on)
        add(changes.completions, key, n)


def deltas_for(rows: Iterable[tuple[tuple, int]]) -> Changes:
    """Deltas at every ancestor of each (row key as in ``ROW_FIELDS``, signed count)."""
    rows = list(rows)
    ids = unit_ids(p for row, _n in rows for p in prefixes(row[0]))
    deltas = Changes()
    for row, n in rows:
        for path in prefixes(row[0]):
            if path in ids:
                _add(deltas, ids[path], row, n)
    return deltas


def apply(changes: Changes) -> None:
    """Add ``changes`` to the rollups (``upsert``: one statement per table that changed)."""
    upsert(EnrollmentRollup, KEY_FIELDS, COUNTERS, changes.enrollments)
    upsert(CompletionRollup, COMPLETION_KEY_FIELDS, ("n_completed",), changes.completions)


def grouped(rows: Q, *, only_active: bool = True):
    """(row key, count) of the enrolments ``rows`` selects, grouped: one query."""
    queryset = Enrollment.objects.filter(rows).annotate(completed_on=TruncDate("completed_at"))
    if only_active:
        queryset = queryset.filter(person__is_active=True)
    return [
        (values[:-1], values[-1])
        for values in queryset.order_by()
        .values_list(*ROW_FIELDS)
        .annotate(n=Count("pk"))
        .values_list(*ROW_FIELDS, "n")
    ]


# Events ----------------------------------------------------------------------------------------


def row_changed(*, before: tuple | None, after: tuple, person_active: bool) -> None:
    """One enrolment created (``before`` None) or moved to another key."""
    if not person_active:
        return
    rows = [(tuple(after), 1)]
    if before is not None:
        rows.append((tuple(before), -1))
    apply(deltas_for(rows))


_pending = threading.local()


def rows_changing(*, rows: Q) -> None:
    """Before a bulk write: remember how the rows ``rows`` selects count now (one query)."""
    stack = _pending.__dict__.setdefault("stack", [])
    stack.append(grouped(rows))


def rows_changed(*, rows: Q) -> None:
    """After the bulk write: add the difference between how the rows count now and before (one
    query, plus two when anything changed). Pairs nest like the writes do."""
    before = _pending.stack.pop()
    net: dict[tuple, int] = {}
    for row, n in before:
        net[row] = net.get(row, 0) - n
    for row, n in grouped(rows):
        net[row] = net.get(row, 0) + n
    apply(deltas_for((row, n) for row, n in net.items() if n))


def assignment_deleting(*, assignment_id: int) -> None:
    """An assignment is being deleted: Django sets its enrolments' assignment to NULL in the same
    transaction (no signal of courses sees it), so move their counts to "no assignment" now."""
    at = ROW_FIELDS.index("assignment_id")
    net = []
    for row, n in grouped(Q(assignment_id=assignment_id)):
        net += [(row, -n), ((*row[:at], None, *row[at + 1 :]), n)]
    apply(deltas_for(net))


def person_rows(*, rows: Q, sign: int) -> None:
    """Add (``sign`` 1) or take away (-1) the enrolments ``rows`` selects, active or not."""
    apply(deltas_for((row, sign * n) for row, n in grouped(rows, only_active=False)))


def subtree_moved(*, old_path: str, new_path: str) -> None:
    """A unit moved: its subtree's enrolments leave the old ancestors and join the new ones (the
    units inside the subtree keep their counts). Works whether the enrolments' copied paths were
    rewritten yet or not."""
    old_above, new_above = set(prefixes(old_path)[:-1]), set(prefixes(new_path)[:-1])
    losing, gaining = old_above - new_above, new_above - old_above
    ids = unit_ids(losing | gaining)
    moved = grouped(Q(org_path__startswith=old_path) | Q(org_path__startswith=new_path))
    deltas = Changes()
    for row, n in moved:
        for path, sign in [(p, -1) for p in losing] + [(p, 1) for p in gaining]:
            if path in ids:
                _add(deltas, ids[path], row, sign * n)
    apply(deltas)


# Rebuild and check -----------------------------------------------------------------------------


def expected() -> Deltas:
    """Every rollup recounted from the raw enrolments (active people only)."""
    return {key: c for key, c in deltas_for(grouped(Q())).enrollments.items() if any(c)}


def diff() -> list[tuple[tuple, list[int] | None, list[int] | None]]:
    """(key, stored, expected) for every rollup that differs from a recount."""
    return differences(stored(EnrollmentRollup, KEY_FIELDS, COUNTERS), expected())


@transaction.atomic
def rebuild() -> int:
    """Throw the rollups away and recount them from the raw enrolments, in SQL: one
    ``INSERT ... SELECT ... GROUP BY`` per tree depth (an equality join on the path prefix), so
    millions of enrolments take seconds, not a Python loop. Returns the number of rows written."""
    EnrollmentRollup.objects.all().delete()
    rollup = EnrollmentRollup._meta.db_table
    enrollment = Enrollment._meta.db_table
    person = Enrollment._meta.get_field("person").related_model._meta.db_table
    unit = OrgUnit._meta.db_table
    depth = OrgUnit.objects.aggregate(depth=Max("depth"))["depth"] or 0
    no_due = connection.ops.adapt_datefield_value(NO_DUE_DATE)
    with connection.cursor() as cursor:
        for level in range(1, depth + 1):
            cursor.execute(
                f"""
                INSERT INTO {rollup} ({", ".join((*KEY_FIELDS, *COUNTERS))})
                SELECT u.id, e.course_id, e.channel, COALESCE(e.assignment_id, 0),
                       COALESCE(e.due_date, %s), COUNT(*),
                       SUM(CASE WHEN e.status = %s THEN 1 ELSE 0 END),
                       SUM(CASE WHEN e.status = %s THEN 1 ELSE 0 END)
                FROM {enrollment} e
                JOIN {person} p ON p.id = e.person_id AND p.is_active
                JOIN {unit} u ON u.path = SUBSTR(e.org_path, 1, %s)
                WHERE LENGTH(e.org_path) >= %s
                GROUP BY 1, 2, 3, 4, 5
                """,
                [
                    no_due,
                    EnrollmentStatus.IN_PROGRESS,
                    EnrollmentStatus.COMPLETED,
                    level * STEP,
                    level * STEP,
                ],
            )
    return EnrollmentRollup.objects.count()


__all__ = [
    "apply",
    "diff",
    "expected",
    "person_rows",
    "rebuild",
    "row_changed",
    "rows_changed",
    "rows_changing",
    "subtree_moved",
]
