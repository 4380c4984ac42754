"""Keep the org copies on enrolments in step, enrol people who join an assignment's audience, and
forget the cached heartbeat facts of lessons when lessons, courses or media change.

Connected in ``CoursesConfig.ready``; the organization services send these signals inside their
own transactions, so a copied path is never seen stale.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.signals import post_page_move

from media_library.models import TrainingMedia
from organization.signals import (
    org_subtree_moved,
    people_created,
    person_audience_changed,
    person_moved,
)

from . import selectors, services
from .models import CourseAudienceChannel, CoursePage, LessonPage


def on_org_subtree_moved(sender, *, old_path: str, new_path: str, **kwargs) -> None:
    services.enrollments_move_subtree(old_path=old_path, new_path=new_path)


def on_person_changed(sender, *, person, **kwargs) -> None:
    services.enrollments_follow_person(person=person)
    services.assignments_enroll_people(people=[person])


def on_people_created(sender, *, people, **kwargs) -> None:
    services.assignments_enroll_people(people=list(people))


def on_heartbeat_facts_changed(sender, **kwargs) -> None:
    """A lesson, a course, its audience or a media item changed (saved, published, moved or
    deleted): forget the cached heartbeat facts now, and again when the change is committed, so
    that facts read meanwhile from the old rows by another process are not kept."""
    selectors.heartbeat_lessons_changed()
    transaction.on_commit(selectors.heartbeat_lessons_changed)


def connect() -> None:
    for model in (LessonPage, CoursePage, CourseAudienceChannel, TrainingMedia):
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(
                on_heartbeat_facts_changed,
                sender=model,
                dispatch_uid=f"courses.heartbeat_facts.{name}.{model.__name__}",
            )
    m2m_changed.connect(
        on_heartbeat_facts_changed,
        sender=CoursePage.audience_companies.through,
        dispatch_uid="courses.heartbeat_facts.audience_companies",
    )
    post_page_move.connect(on_heartbeat_facts_changed, dispatch_uid="courses.heartbeat_facts.move")
    org_subtree_moved.connect(on_org_subtree_moved, dispatch_uid="courses.org_subtree_moved")
    person_moved.connect(on_person_changed, dispatch_uid="courses.person_moved")
    # A new channel or role is copied and may bring the person into an assignment's audience.
    person_audience_changed.connect(
        on_person_changed, dispatch_uid="courses.person_audience_changed"
    )
    people_created.connect(on_people_created, dispatch_uid="courses.people_created")
