"""Keep the rollups in step with enrolments: courses and organization send these signals inside
their own transactions, so the counters commit or roll back with the write that moved them."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save

from courses.models import Assignment, Enrollment
from courses.signals import enrollment_changed, enrollments_changed, enrollments_changing
from lecturer_portal.models import Registration, TrainingSession
from lecturer_portal.signals import attendance_changed
from organization.models import Person
from organization.signals import (
    org_subtree_moved,
    people_created,
    person_active_changed,
    person_audience_changed,
    person_moved,
)
from quizzes.signals import certificate_changed

from .rollups import attendance, certificates
from .rollups import enrollments as rollups
from .rollups import people as people_rollups


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


def on_assignment_deleting(sender, *, instance, **kwargs) -> None:
    rollups.assignment_deleting(assignment_id=instance.pk)


def on_person_active_changed(sender, *, person, **kwargs) -> None:
    rollups.person_rows(rows=Q(person=person), sign=1 if person.is_active else -1)


def on_org_subtree_moved(sender, *, old_path: str, new_path: str, **kwargs) -> None:
    rollups.subtree_moved(old_path=old_path, new_path=new_path)


# Attendance (lecturer_portal) and where each attendee counts ------------------------------------


def on_attendance_changed(sender, *, registration, attended, **kwargs) -> None:
    attendance.attendance_changed(registration=registration, attended=attended)


def on_registration_deleting(sender, *, instance, **kwargs) -> None:
    attendance.registration_removed(registration=instance)


def _moves_attendance(instance, raw: bool, update_fields) -> bool:
    fields = {"kind", "starts_at"}
    return not raw and instance.pk and (update_fields is None or fields & set(update_fields))


def on_session_saving(sender, *, instance, raw=False, update_fields=None, **kwargs) -> None:
    if _moves_attendance(instance, raw, update_fields):
        instance._attendance_key = attendance.session_key(instance)


def on_session_saved(sender, *, instance, raw=False, update_fields=None, **kwargs) -> None:
    if _moves_attendance(instance, raw, update_fields):
        before = instance.__dict__.pop("_attendance_key", None)
        attendance.session_changed(session=instance, before=before)


def on_attendee_changed(sender, *, person, **kwargs) -> None:
    attendance.person_changed(person=person)


def on_attendee_subtree_moved(sender, *, old_path: str, new_path: str, **kwargs) -> None:
    attendance.subtree_moved(old_path=old_path, new_path=new_path)


# Head-count of agents and certificate holders ----------------------------------------------------


def on_people_created(sender, people, **kwargs) -> None:
    # New people hold no certificate yet.
    people_rollups.sync([person.pk for person in people])


def on_person_changed(sender, *, person, **kwargs) -> None:
    people_rollups.sync([person.pk])
    certificates.sync(person_ids=[person.pk])


def on_roles_changed(sender, *, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        people_rollups.sync(Person.objects.filter(user=instance).values_list("pk", flat=True))
    elif pk_set is not None:
        people_rollups.sync(Person.objects.filter(user__in=pk_set).values_list("pk", flat=True))
    else:
        people_rollups.sync(None)  # a role emptied: whoever is counted now


def on_certificate_changed(sender, *, certificate, **kwargs) -> None:
    certificates.sync(
        person_ids=[certificate.person_id], certification_id=certificate.certification_id
    )


def on_counted_subtree_moved(sender, *, old_path: str, new_path: str, **kwargs) -> None:
    people_rollups.subtree_moved(old_path=old_path, new_path=new_path)
    certificates.subtree_moved(old_path=old_path, new_path=new_path)


def connect() -> None:
    people_created.connect(on_people_created, dispatch_uid="reports.people_created")
    for signal in (person_active_changed, person_moved, person_audience_changed):
        signal.connect(on_person_changed, dispatch_uid="reports.counted_person")
    m2m_changed.connect(
        on_roles_changed, sender=get_user_model().groups.through, dispatch_uid="reports.roles"
    )
    certificate_changed.connect(on_certificate_changed, dispatch_uid="reports.certificate")
    org_subtree_moved.connect(on_counted_subtree_moved, dispatch_uid="reports.counted_subtree")
    attendance_changed.connect(on_attendance_changed, dispatch_uid="reports.attendance")
    pre_delete.connect(on_registration_deleting, sender=Registration, dispatch_uid="reports.reg")
    pre_delete.connect(
        on_assignment_deleting, sender=Assignment, dispatch_uid="reports.assignment_deleting"
    )
    pre_save.connect(on_session_saving, sender=TrainingSession, dispatch_uid="reports.session")
    post_save.connect(on_session_saved, sender=TrainingSession, dispatch_uid="reports.session")
    for signal in (person_active_changed, person_moved, person_audience_changed):
        signal.connect(on_attendee_changed, dispatch_uid="reports.attendee")
    org_subtree_moved.connect(on_attendee_subtree_moved, dispatch_uid="reports.attendee_subtree")
    enrollment_changed.connect(on_enrollment_changed, dispatch_uid="reports.enrollment_changed")
    enrollments_changing.connect(on_enrollments_changing, dispatch_uid="reports.changing")
    enrollments_changed.connect(on_enrollments_changed, dispatch_uid="reports.changed")
    person_active_changed.connect(on_person_active_changed, dispatch_uid="reports.active")
    org_subtree_moved.connect(on_org_subtree_moved, dispatch_uid="reports.subtree_moved")
