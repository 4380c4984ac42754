"""CompletionRollup and AttendanceRollup equal a brute-force count over the raw records after any
sequence of events, each made through the real services."""

import contextlib
import random
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from courses.models import Enrollment, EnrollmentStatus
from courses.services import enrollment_complete
from lecturer_portal.attendance import check_in_manual
from lecturer_portal.models import Registration, RegistrationStatus, SessionKind
from lecturer_portal.services import session_update
from organization.models import OrgUnit, Role
from organization.services import org_unit_move
from reports.models import AttendanceRollup, CompletionRollup
from reports.rollups import attendance, completions
from tests.lecturer_portal.factories import at, make_lecturer, make_published
from tests.reports.test_rollups import World, update

pytestmark = pytest.mark.django_db


def completions_brute_force() -> dict:
    """Per unit, the completed enrolments of active people in its subtree by local date."""
    counts = {}
    enrollments = list(
        Enrollment.objects.filter(status=EnrollmentStatus.COMPLETED, person__is_active=True)
    )
    for unit in OrgUnit.objects.all():
        for e in enrollments:
            if e.org_path.startswith(unit.path):
                day = timezone.localdate(e.completed_at)
                key = (unit.pk, e.course_id, e.channel, e.assignment_id or 0, day)
                counts[key] = counts.get(key, 0) + 1
    return counts


def completions_stored() -> dict:
    return {
        (r.unit_id, r.course_id, r.channel, r.assignment_key, r.completed_on): r.n_completed
        for r in CompletionRollup.objects.all()
        if r.n_completed
    }


def attendance_brute_force() -> dict:
    """Per unit, the attended registrations of active people now in its subtree."""
    counts = {}
    rows = list(
        Registration.objects.filter(
            status=RegistrationStatus.ATTENDED, person__is_active=True
        ).select_related("person__org_unit", "session")
    )
    for unit in OrgUnit.objects.all():
        for r in rows:
            if r.person.org_unit.path.startswith(unit.path):
                day = timezone.localdate(r.session.starts_at)
                key = (unit.pk, r.person.channel, r.session.kind, day)
                counts[key] = counts.get(key, 0) + 1
    return counts


def attendance_stored() -> dict:
    return {
        (r.unit_id, r.channel, r.session_kind, r.attended_on): r.n_attended
        for r in AttendanceRollup.objects.all()
        if r.n_attended
    }


class ActivityWorld(World):
    """The enrolment events, completions on other days, and check-ins at three sessions."""

    def __init__(self, rng, tree, courses, coordinator, person_factory):
        super().__init__(rng, tree, courses, coordinator, person_factory)
        lecturer = make_lecturer(
            tree["group"], user=coordinator.user, qualified_for=(tree["L"],), name="讲师甲"
        )
        self.sessions = [
            make_published(
                coordinator=coordinator,
                lecturer=lecturer,
                host=tree["group"],
                product_company=tree["L"],
                starts_at=at(day, 23, 30),  # near midnight: the local date matters
                hours=0.25,
                kind=kind,
            )
            for day, kind in ((10, SessionKind.CROSS_COMPANY), (12, SessionKind.PRODUCT_LAUNCH))
        ]

    def session(self):
        return self.rng.choice(self.sessions)

    def complete_earlier(self):
        at_ = timezone.now() - timedelta(
            days=self.rng.randint(1, 70), hours=self.rng.randint(0, 23)
        )
        enrollment_complete(person=self.person(), course=self.course(), at=at_)

    def check_in(self):
        session = self.session()
        session.refresh_from_db()
        # Refused (already checked in, inactive): nothing changed, nothing to count.
        with contextlib.suppress(ValidationError):
            check_in_manual(
                user=self.coordinator.user,
                session=session,
                person=self.person(),
                at=session.starts_at + timedelta(minutes=5),
            )

    def move_session(self):
        session = self.session()
        session.refresh_from_db()
        shift = timedelta(days=self.rng.choice([-1, 1]))
        session_update(
            user=self.coordinator.user,
            session=session,
            starts_at=session.starts_at + shift,
            ends_at=session.ends_at + shift,
            registration_deadline=session.registration_deadline + shift,
        )

    def change_session_kind(self):
        session = self.session()
        session_update(
            user=self.coordinator.user,
            session=session,
            kind=self.rng.choice([SessionKind.CROSS_COMPANY, SessionKind.MORNING_MEETING]),
        )

    def remove_registration(self):
        registration = Registration.objects.filter(status=RegistrationStatus.ATTENDED).first()
        if registration is not None:
            registration.delete()

    EVENTS = (
        *World.EVENTS, "complete_earlier", "complete_earlier", "check_in", "check_in",
        "check_in", "move_session", "change_session_kind", "remove_registration",
    )  # fmt: skip


@pytest.mark.parametrize("seed", [11, 12])
def test_activity_rollups_equal_a_brute_force_count_after_every_event(
    seed, tree, courses, group_coordinator, person_factory
):
    rng = random.Random(seed)
    world = ActivityWorld(rng, tree, courses, group_coordinator, person_factory)
    for step in range(50):
        event = rng.choice(ActivityWorld.EVENTS)
        getattr(world, event)()
        assert completions_stored() == completions_brute_force(), f"step {step}: {event}"
        assert attendance_stored() == attendance_brute_force(), f"step {step}: {event}"
    assert completions_stored() and attendance_stored()
    assert completions.diff() == [] and attendance.diff() == []


def test_a_completion_counts_on_its_local_date_at_every_ancestor(tree, courses, person_factory):
    agent = person_factory(tree["LSZ0101"], Role.AGENT)
    # 16:30 UTC is 00:30 the next day in Shanghai.
    when = datetime(2026, 3, 9, 16, 30, tzinfo=UTC)
    enrollment_complete(person=agent, course=courses[0], at=when)
    rows = CompletionRollup.objects.filter(course=courses[0], n_completed=1)
    assert {r.unit.code for r in rows} == {"PICC", "L", "LGD", "LSZ", "LSZ01", "LSZ0101"}
    assert {str(r.completed_on) for r in rows} == {"2026-03-10"}


def test_attendance_follows_a_person_moved_and_deactivated(
    tree, courses, group_coordinator, person_factory
):
    world = ActivityWorld(random.Random(5), tree, courses, group_coordinator, person_factory)
    agent = person_factory(tree["PGZ0101"], Role.AGENT)
    session = world.sessions[0]
    check_in_manual(
        user=group_coordinator.user,
        session=session,
        person=agent,
        at=session.starts_at + timedelta(minutes=1),
    )

    def at_unit(code):
        return sum(
            AttendanceRollup.objects.filter(unit=tree[code]).values_list("n_attended", flat=True)
        )

    assert (at_unit("PGZ"), at_unit("LSZ")) == (1, 0)
    update(agent, org_unit=tree["LSZ0101"])
    assert (at_unit("PGZ"), at_unit("LSZ"), at_unit("group")) == (0, 1, 1)
    update(agent, is_active=False)
    assert (at_unit("LSZ"), at_unit("group")) == (0, 0)


def test_attendance_follows_a_subtree_moved(tree, courses, group_coordinator, person_factory):
    world = ActivityWorld(random.Random(6), tree, courses, group_coordinator, person_factory)
    agent = person_factory(tree["PGZ0101"], Role.AGENT)
    session = world.sessions[1]
    check_in_manual(
        user=group_coordinator.user,
        session=session,
        person=agent,
        at=session.starts_at + timedelta(minutes=1),
    )
    org_unit_move(unit=tree["PGZ01"], new_parent=tree["PSZ"])
    assert attendance_stored() == attendance_brute_force()
    rows = AttendanceRollup.objects.filter(n_attended=1).values_list("unit__code", flat=True)
    assert set(rows) == {"PICC", "P", "PGD", "PSZ", "PGZ01", "PGZ0101"}
    update(agent, channel="counter")  # the place followed the move: nothing is left behind
    assert attendance_stored() == attendance_brute_force()


def test_rebuild_restores_both_families(tree, courses, group_coordinator, person_factory):
    world = ActivityWorld(random.Random(7), tree, courses, group_coordinator, person_factory)
    for _ in range(4):
        world.complete_earlier()
        world.check_in()
    want = (completions_stored(), attendance_stored())
    CompletionRollup.objects.all().delete()
    AttendanceRollup.objects.update(n_attended=9)
    call_command("rollups_rebuild")
    assert (completions_stored(), attendance_stored()) == want
    call_command("rollups_rebuild", "--check")
