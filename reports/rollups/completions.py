"""``CompletionRollup``: kept by the enrolment events with ``EnrollmentRollup`` (see
``enrollments``, which feeds both from the same grouped rows); here only rebuild and check."""

from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from courses.models import Enrollment, EnrollmentStatus
from organization.models import OrgUnit
from reports.models import CompletionRollup

from . import enrollments
from .upsert import Deltas, differences, stored

KEY_FIELDS = enrollments.COMPLETION_KEY_FIELDS
STEP = OrgUnit.steplen


def expected() -> Deltas:
    """Every rollup recounted from the raw enrolments (active people only)."""
    changes = enrollments.deltas_for(enrollments.grouped(Q(status=EnrollmentStatus.COMPLETED)))
    return {key: c for key, c in changes.completions.items() if any(c)}


def diff() -> list[tuple[tuple, list[int] | None, list[int] | None]]:
    """(key, stored, expected) for every rollup that differs from a recount."""
    return differences(stored(CompletionRollup, KEY_FIELDS, ("n_completed",)), expected())


@transaction.atomic
def rebuild() -> int:
    """Throw the rollups away and recount them in SQL, one ``INSERT ... SELECT ... GROUP BY`` per
    tree depth (as ``enrollments.rebuild``); the local date is the database's own conversion of
    ``completed_at`` to the current time zone, as ``TruncDate`` does in the events."""
    CompletionRollup.objects.all().delete()
    rollup = CompletionRollup._meta.db_table
    enrollment = Enrollment._meta.db_table
    person = Enrollment._meta.get_field("person").related_model._meta.db_table
    unit = OrgUnit._meta.db_table
    depth = OrgUnit.objects.aggregate(depth=Max("depth"))["depth"] or 0
    completed_on, tz_params = connection.ops.datetime_cast_date_sql(
        "e.completed_at", (), timezone.get_current_timezone_name()
    )
    with connection.cursor() as cursor:
        for level in range(1, depth + 1):
            cursor.execute(
                f"""
                INSERT INTO {rollup} ({", ".join((*KEY_FIELDS, "n_completed"))})
                SELECT u.id, e.course_id, e.channel, COALESCE(e.assignment_id, 0),
                       {completed_on}, COUNT(*)
                FROM {enrollment} e
                JOIN {person} p ON p.id = e.person_id AND p.is_active
                JOIN {unit} u ON u.path = SUBSTR(e.org_path, 1, %s)
                WHERE LENGTH(e.org_path) >= %s AND e.status = %s
                  AND e.completed_at IS NOT NULL
                GROUP BY 1, 2, 3, 4, 5
                """,
                [*tz_params, level * STEP, level * STEP, EnrollmentStatus.COMPLETED],
            )
    return CompletionRollup.objects.count()
