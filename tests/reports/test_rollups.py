"""The rollups equal a brute-force count over the raw enrolments after any sequence of events,
each made through the real services."""

import random
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q
from django.utils import timezone

from courses.models import Enrollment, EnrollmentSource, EnrollmentStatus, LessonPage
from courses.services import (
    assignment_create,
    assignment_update,
    enrollment_complete,
    enrollment_get_or_create,
    enrollment_record_quiz_result,
    lesson_mark_done,
)
from organization.models import Channel, OrgUnit, Person, Role
from organization.services import org_unit_move, person_deactivate, person_update
from reports.models import NO_DUE_DATE, EnrollmentRollup
from reports.rollups import enrollments as rollups


def brute_force() -> dict:
    """Per unit, the enrolments of active people in its subtree, counted one unit at a time."""
    counts = {}
    for unit in OrgUnit.objects.all():
        rows = (
            Enrollment.objects.filter(org_path__startswith=unit.path, person__is_active=True)
            .values("course_id", "channel", "assignment_id", "due_date")
            .annotate(
                n=Count("pk"),
                p=Count("pk", filter=Q(status=EnrollmentStatus.IN_PROGRESS)),
                c=Count("pk", filter=Q(status=EnrollmentStatus.COMPLETED)),
            )
        )
        for row in rows:
            key = (
                unit.pk,
                row["course_id"],
                row["channel"],
                row["assignment_id"] or 0,
                row["due_date"] or NO_DUE_DATE,
            )
            counts[key] = [row["n"], row["p"], row["c"]]
    return counts


def stored() -> dict:
    return {
        (r.unit_id, r.course_id, r.channel, r.assignment_key, r.due_date): [
            r.n_enrolled,
            r.n_in_progress,
            r.n_completed,
        ]
        for r in EnrollmentRollup.objects.all()
        if r.n_enrolled or r.n_in_progress or r.n_completed
    }


def update(person: Person, **changes) -> Person:
    person = Person.objects.select_related("org_unit", "user").get(pk=person.pk)
    values = {
        "name": person.name,
        "mobile": person.mobile,
        "org_unit": person.org_unit,
        "channel": person.channel,
        "roles": list(person.roles),
        "is_active": person.is_active,
    }
    values.update(changes)
    return person_update(person=person, **values)


class World:
    """Random events over the demo-shaped tree, two courses and a dozen agents."""

    def __init__(self, rng, tree, courses, coordinator, person_factory):
        self.rng, self.tree, self.courses, self.coordinator = rng, tree, courses, coordinator
        self.units = [u for code, u in tree.items() if len(code) >= 5]  # counties and outlets
        self.outlets = [u for code, u in tree.items() if len(code) == 7]
        self.people = [person_factory(rng.choice(self.outlets), Role.AGENT) for _ in range(12)]
        self.assignments = []

    def person(self):
        return Person.objects.select_related("org_unit", "user").get(
            pk=self.rng.choice(self.people).pk
        )

    def course(self):
        return self.rng.choice(self.courses)

    def enrol(self):
        enrollment_get_or_create(
            person=self.person(), course=self.course(), source=EnrollmentSource.SELF
        )

    def study(self):
        course = self.course()
        lesson = self.rng.choice(list(LessonPage.objects.child_of(course)))
        lesson_mark_done(person=self.person(), lesson=lesson, at=timezone.now())

    def complete(self):
        enrollment_complete(person=self.person(), course=self.course(), at=timezone.now())

    def quiz(self):
        enrollment_record_quiz_result(
            person=self.person(),
            course=self.course(),
            passed=self.rng.random() < 0.6,
            at=timezone.now(),
        )

    def assign(self):
        roots = [self.tree[code] for code in ("group", "P", "LGD", "PGZ")]
        root = self.rng.choice(roots)
        due = timezone.localdate() + timedelta(days=self.rng.randint(1, 60))
        self.assignments.append(
            assignment_create(
                user=self.coordinator.user, course=self.course(), audience_root=root, due_date=due
            )
        )

    def change_due_date(self):
        if not self.assignments:
            return self.assign()
        assignment = self.rng.choice(self.assignments)
        assignment_update(
            user=self.coordinator.user,
            assignment=assignment,
            audience_root=assignment.audience_root,
            due_date=timezone.localdate() + timedelta(days=self.rng.randint(1, 90)),
        )

    def move_person(self):
        update(self.person(), org_unit=self.rng.choice(self.outlets))

    def change_channel(self):
        update(self.person(), channel=self.rng.choice(Channel.values))

    def deactivate(self):
        person_deactivate(person=self.person())

    def reactivate_and_move(self):
        update(self.person(), is_active=True, org_unit=self.rng.choice(self.outlets))

    def deactivate_and_move(self):
        update(self.person(), is_active=False, org_unit=self.rng.choice(self.outlets))

    def move_subtree(self):
        counties = [u for u in self.units if u.kind == "county"]
        county = OrgUnit.objects.get(pk=self.rng.choice(counties).pk)
        prefectures = OrgUnit.objects.filter(kind="prefecture").exclude(
            path=county.path[: -OrgUnit.steplen]
        )
        org_unit_move(unit=county, new_parent=self.rng.choice(list(prefectures)))

    EVENTS = (
        "enrol", "enrol", "study", "study", "study", "complete", "quiz", "assign",
        "change_due_date", "move_person", "change_channel", "deactivate",
        "reactivate_and_move", "deactivate_and_move", "move_subtree",
    )  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollups_equal_a_brute_force_count_after_every_event(
    seed, tree, courses, group_coordinator, person_factory
):
    rng = random.Random(seed)
    world = World(rng, tree, courses, group_coordinator, person_factory)
    assert stored() == brute_force()
    for step in range(45):
        event = rng.choice(World.EVENTS)
        getattr(world, event)()
        assert stored() == brute_force(), f"step {step}: {event}"
    assert Enrollment.objects.exists()
    assert rollups.diff() == []


def test_a_deactivated_person_leaves_the_counts_and_comes_back(tree, courses, person_factory):
    agent = person_factory(tree["PGZ0101"], Role.AGENT)
    enrollment_complete(person=agent, course=courses[0], at=timezone.now())
    at_group = EnrollmentRollup.objects.get(unit=tree["group"], course=courses[0])
    assert (at_group.n_enrolled, at_group.n_completed) == (1, 1)
    person_deactivate(person=agent)
    at_group.refresh_from_db()
    assert (at_group.n_enrolled, at_group.n_completed) == (0, 0)
    update(agent, is_active=True)
    at_group.refresh_from_db()
    assert (at_group.n_enrolled, at_group.n_completed) == (1, 1)


def test_one_progress_event_counts_at_every_ancestor(tree, courses, person_factory):
    agent = person_factory(tree["LSZ0101"], Role.AGENT)
    lesson = LessonPage.objects.child_of(courses[1]).first()
    lesson_mark_done(person=agent, lesson=lesson, at=timezone.now())
    rows = EnrollmentRollup.objects.filter(course=courses[1], n_in_progress=1)
    assert {r.unit.code for r in rows} == {"PICC", "L", "LGD", "LSZ", "LSZ01", "LSZ0101"}


def test_rebuild_restores_lost_rollups_and_check_reports_drift(tree, courses, person_factory):
    agent = person_factory(tree["HGZ0101"], Role.AGENT)
    enrollment_get_or_create(person=agent, course=courses[0], source=EnrollmentSource.SELF)
    want = stored()
    EnrollmentRollup.objects.filter(unit=tree["H"]).update(n_enrolled=5)
    with pytest.raises(CommandError, match="1 rollup rows differ"):
        call_command("rollups_rebuild", "--check")
    call_command("rollups_rebuild")
    assert stored() == want
    call_command("rollups_rebuild", "--check")


def test_deleting_an_assignment_moves_its_enrolments_to_no_assignment(
    tree, courses, person_factory, group_coordinator
):
    agent = person_factory(tree["PGZ0101"], Role.AGENT)
    assignment = assignment_create(
        user=group_coordinator.user,
        course=courses[0],
        audience_root=tree["PGZ"],
        due_date=timezone.localdate() + timedelta(days=30),
    )
    enrollment_complete(person=agent, course=courses[0], at=timezone.now())
    assert EnrollmentRollup.objects.filter(assignment_key=assignment.pk, n_enrolled=1).exists()
    assignment.delete()
    assert (
        not EnrollmentRollup.objects.filter(assignment_key=assignment.pk)
        .exclude(n_enrolled=0)
        .exists()
    )
    assert stored() == brute_force()
