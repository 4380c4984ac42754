"""Keep the rollups in step with enrolments: courses and organization send these signals inside
their own transactions, so the counters commit or roll back with the write that moved them."""

from django.db.models import Q

from courses.models import Enrollment
from courses.signals import enrollment_changed, enrollments_changed, enrollments_changing
from organization.models import Person
from organization.signals import org_subtree_moved, person_active_changed

from .rollups import enrollments as rollups


def on_enrollment_changed(sender, *, enrollment, before, after, **kwargs) -> None:
    if Enrollment.person.is_cached(enrollment):
        active = enrollment.person.is_active
    else:
        active = Person.objects.filter(pk=enrollment.person_id, is_active=True).exists()
    rollups.row_changed(before=before, after=after, person_active=active)


def on_enrollments_changing(sender, *, rows, **kwargs) -> None:
    rollups.rows_changing(rows=rows)


def on_enrollments_changed(sender, *, rows, **kwargs) -> None:
    rollups.rows_changed(rows=rows)


def on_person_active_changed(sender, *, person, **kwargs) -> None:
    rollups.person_rows(rows=Q(person=person), sign=1 if person.is_active else -1)


def on_org_subtree_moved(sender, *, old_path: str, new_path: str, **kwargs) -> None:
    rollups.subtree_moved(old_path=old_path, new_path=new_path)


def connect() -> None:
    enrollment_changed.connect(on_enrollment_changed, dispatch_uid="reports.enrollment_changed")
    enrollments_changing.connect(on_enrollments_changing, dispatch_uid="reports.changing")
    enrollments_changed.connect(on_enrollments_changed, dispatch_uid="reports.changed")
    person_active_changed.connect(on_person_active_changed, dispatch_uid="reports.active")
    org_subtree_moved.connect(on_org_subtree_moved, dispatch_uid="reports.subtree_moved")
