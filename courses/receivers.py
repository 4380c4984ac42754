"""Keep the org copies on enrolments in step, and enrol people who join an assignment's audience.

Connected in ``CoursesConfig.ready``; the organization services send these signals inside their
own transactions, so a copied path is never seen stale.
"""

from organization.signals import (
    org_subtree_moved,
    people_created,
    person_audience_changed,
    person_moved,
)

from . import services


def on_org_subtree_moved(sender, *, old_path: str, new_path: str, **kwargs) -> None:
    services.enrollments_move_subtree(old_path=old_path, new_path=new_path)


def on_person_changed(sender, *, person, **kwargs) -> None:
    services.enrollments_follow_person(person=person)
    services.assignments_enroll_people(people=[person])


def on_people_created(sender, *, people, **kwargs) -> None:
    services.assignments_enroll_people(people=list(people))


def connect() -> None:
    org_subtree_moved.connect(on_org_subtree_moved, dispatch_uid="courses.org_subtree_moved")
    person_moved.connect(on_person_changed, dispatch_uid="courses.person_moved")
    # A new channel or role is copied and may bring the person into an assignment's audience.
    person_audience_changed.connect(
        on_person_changed, dispatch_uid="courses.person_audience_changed"
    )
    people_created.connect(on_people_created, dispatch_uid="courses.people_created")
