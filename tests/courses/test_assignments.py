"""Mandatory assignments: bulk enrolment, late joiners, scope; org moves keep copies in step."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import Assignment, Enrollment, EnrollmentSource, EnrollmentStatus
from courses.services import (
    assignment_apply,
    assignment_create,
    assignment_update,
    enrollment_get_or_create,
)
from organization.models import Channel, Role
from organization.people_import import apply_plan, plan_import, read_table
from organization.services import org_unit_move, person_update

from .factories import make_course

DUE = timezone.localdate() + timedelta(days=30)


@pytest.fixture
def life_course(tree):
    return make_course(owner=tree["L"], audience=[tree["P"]], title="寿险产品基础")


@pytest.fixture
def gd_coordinator(tree, person_factory):
    return person_factory(tree["PGD"], Role.COORDINATOR)


def test_an_assignment_enrols_its_audience(tree, person_factory, gd_coordinator, life_course):
    agents = [person_factory(tree["PGZ0101"]) for _ in range(3)]
    counter = person_factory(tree["PSZ0101"], channel=Channel.COUNTER)
    lecturer = person_factory(tree["PSZ"], Role.LECTURER)
    outside = person_factory(tree["LGZ0101"])  # another company's tree
    self_enrolled = person_factory(tree["PSZ0101"])
    enrollment_get_or_create(person=self_enrolled, course=life_course, source=EnrollmentSource.SELF)

    assignment = assignment_create(
        user=gd_coordinator.user,
        course=life_course,
        audience_root=tree["PGD"],
        due_date=DUE,
        channels=[Channel.AGENT_FORCE],
        roles=[Role.AGENT],
    )
    enrolled = set(
        Enrollment.objects.filter(assignment=assignment).values_list("person", flat=True)
    )
    assert enrolled == {a.pk for a in agents} | {self_enrolled.pk}
    assert not Enrollment.objects.filter(person__in=[counter, lecturer, outside]).exists()
    row = Enrollment.objects.get(person=self_enrolled)
    assert (row.source, row.due_date) == (EnrollmentSource.ASSIGNED, DUE)
    row = Enrollment.objects.get(person=agents[0])
    assert (row.status, row.org_path, row.company_id) == (
        EnrollmentStatus.NOT_STARTED,
        tree["PGZ0101"].path,
        tree["P"].pk,
    )
    assert assignment.created_by == gd_coordinator.user
    # Applying again changes nothing.
    assert assignment_apply(assignment=assignment) == 0


def _apply_queries(person_factory, coordinator, course, unit, people: int) -> int:
    for _ in range(people):
        person_factory(unit)
    assignment = Assignment.objects.create(
        course=course, audience_root=unit, due_date=DUE, created_by=coordinator.user
    )
    with CaptureQueriesContext(connection) as queries:
        created = assignment_apply(assignment=assignment)
    assert created == people
    return len(queries)


def test_bulk_enrolment_queries_do_not_grow_with_the_audience(tree, person_factory, gd_coordinator):
    course = make_course(owner=tree["P"])
    few = _apply_queries(person_factory, gd_coordinator, course, tree["PSZ0101"], 3)
    many = _apply_queries(person_factory, gd_coordinator, course, tree["PGZ0101"], 60)
    # ≤ 8 for the enrolments, + up to 4 for the dashboards' rollups (reports/).
    assert few == many <= 12


def test_companies_narrow_the_audience_under_the_group(tree, person_factory, life_course):
    group_coordinator = person_factory(tree["group"], Role.COORDINATOR)
    pc = person_factory(tree["PGZ0101"])
    health = person_factory(tree["HGZ0101"])
    person_factory(tree["LGZ0101"])
    assignment_create(
        user=group_coordinator.user,
        course=life_course,
        audience_root=tree["group"],
        companies=[tree["P"], tree["H"]],
        due_date=DUE,
    )
    assert set(Enrollment.objects.values_list("person", flat=True)) == {pc.pk, health.pk}


def test_a_coordinator_out_of_scope_is_refused(tree, person_factory, gd_coordinator, life_course):
    with pytest.raises(ValidationError) as error:
        assignment_create(
            user=gd_coordinator.user, course=life_course, audience_root=tree["LGD"], due_date=DUE
        )
    assert error.value.message_dict == {
        "audience_root": ["只能向自己管理范围内的机构指派课程：“人保寿险广东分公司”不在其中。"]
    }
    manager = person_factory(tree["PGD"], Role.MANAGER)
    with pytest.raises(ValidationError):
        assignment_create(
            user=manager.user, course=life_course, audience_root=tree["PGZ"], due_date=DUE
        )
    # A branch coordinator cannot reach up either.
    branch = person_factory(tree["PGZ"], Role.COORDINATOR)
    with pytest.raises(ValidationError):
        assignment_create(
            user=branch.user, course=life_course, audience_root=tree["PGD"], due_date=DUE
        )
    assert not Assignment.objects.exists()
    assert not Enrollment.objects.exists()


def test_an_assignment_needs_a_published_course_and_a_future_due_date(tree, gd_coordinator):
    draft = make_course(owner=tree["P"], live=False)
    with pytest.raises(ValidationError) as error:
        assignment_create(
            user=gd_coordinator.user, course=draft, audience_root=tree["PGD"], due_date=DUE
        )
    assert error.value.message_dict == {"course": ["只能指派已发布的课程。"]}
    course = make_course(owner=tree["P"])
    with pytest.raises(ValidationError) as error:
        assignment_create(
            user=gd_coordinator.user,
            course=course,
            audience_root=tree["PGD"],
            due_date=timezone.localdate() - timedelta(days=1),
        )
    assert error.value.message_dict == {"due_date": ["完成期限不能早于今天。"]}


def test_a_company_outside_the_audience_root_is_refused(tree, gd_coordinator, life_course):
    with pytest.raises(ValidationError) as error:
        assignment_create(
            user=gd_coordinator.user,
            course=life_course,
            audience_root=tree["PGD"],
            companies=[tree["L"]],
            due_date=DUE,
        )
    assert error.value.message_dict == {
        "audience_companies": ["“人保寿险”不在受众机构“人保财险广东分公司”之内。"]
    }


def test_a_person_who_joins_later_gets_the_assignment(
    tree, person_factory, gd_coordinator, life_course
):
    assignment = assignment_create(
        user=gd_coordinator.user, course=life_course, audience_root=tree["PGZ"], due_date=DUE
    )
    newcomer = person_factory(tree["PGZ0101"])
    elsewhere = person_factory(tree["PSZ0101"])
    row = Enrollment.objects.get(person=newcomer)
    assert (row.assignment, row.due_date, row.source) == (
        assignment,
        DUE,
        EnrollmentSource.ASSIGNED,
    )
    assert not Enrollment.objects.filter(person=elsewhere).exists()
    # Moving into the audience brings the assignment along.
    person_update(
        person=elsewhere,
        name=elsewhere.name,
        mobile=elsewhere.mobile,
        org_unit=tree["PGZ01"],
        channel=elsewhere.channel,
        roles=[Role.AGENT],
    )
    row = Enrollment.objects.get(person=elsewhere)
    assert row.assignment == assignment and row.org_path == tree["PGZ01"].path


def test_a_change_of_channel_brings_the_assignment_and_updates_the_copy(
    tree, person_factory, gd_coordinator, life_course
):
    assignment = assignment_create(
        user=gd_coordinator.user,
        course=life_course,
        audience_root=tree["PGD"],
        due_date=DUE,
        channels=[Channel.COUNTER],
    )
    agent = person_factory(tree["PGZ0101"], channel=Channel.AGENT_FORCE)
    enrollment_get_or_create(person=agent, course=life_course, source=EnrollmentSource.SELF)
    assert Enrollment.objects.get(person=agent).assignment is None

    person_update(
        person=agent,
        name=agent.name,
        mobile=agent.mobile,
        org_unit=agent.org_unit,
        channel=Channel.COUNTER,
        roles=[Role.AGENT],
    )
    row = Enrollment.objects.get(person=agent)
    assert (row.assignment, row.channel, row.due_date) == (assignment, Channel.COUNTER, DUE)


def test_people_imported_into_the_audience_get_the_assignment(
    tree, person_factory, gd_coordinator, life_course
):
    assignment = assignment_create(
        user=gd_coordinator.user, course=life_course, audience_root=tree["PGZ"], due_date=DUE
    )
    content = (
        "工号,姓名,手机号码,机构代码,渠道,角色,入职日期\n"
        "IMP001,导入甲,13900000001,PGZ0101,个人代理,业务人员,2024-01-02\n"
    ).encode()
    rows = read_table(io.BytesIO(content), name="people.csv")
    apply_plan(plan=plan_import(rows=rows, importer=gd_coordinator.user))
    row = Enrollment.objects.get(person__employee_no="IMP001")
    assert (row.assignment, row.due_date) == (assignment, DUE)


def test_an_inactive_assignment_reaches_no_newcomer(
    tree, person_factory, gd_coordinator, life_course
):
    assignment = assignment_create(
        user=gd_coordinator.user, course=life_course, audience_root=tree["PGZ"], due_date=DUE
    )
    assignment_update(
        user=gd_coordinator.user,
        assignment=assignment,
        audience_root=tree["PGZ"],
        due_date=DUE + timedelta(days=7),
        active=False,
    )
    person_factory(tree["PGZ0101"])
    assert not Enrollment.objects.exists()


def test_changing_the_due_date_moves_the_enrolments_due_date(
    tree, person_factory, gd_coordinator, life_course
):
    agent = person_factory(tree["PGZ0101"])
    assignment = assignment_create(
        user=gd_coordinator.user, course=life_course, audience_root=tree["PGZ"], due_date=DUE
    )
    later = DUE + timedelta(days=14)
    assignment_update(
        user=gd_coordinator.user, assignment=assignment, audience_root=tree["PGZ"], due_date=later
    )
    assert Enrollment.objects.get(person=agent).due_date == later


def test_sync_assignments_enrols_whoever_was_missed(
    tree, person_factory, gd_coordinator, life_course, capsys
):
    assignment = assignment_create(
        user=gd_coordinator.user, course=life_course, audience_root=tree["PGZ"], due_date=DUE
    )
    missed = person_factory(tree["PGZ0101"])
    Enrollment.objects.filter(person=missed).delete()  # as if they arrived by a silent path
    call_command("sync_assignments")
    assert Enrollment.objects.get(person=missed).assignment == assignment
    assert "1" in capsys.readouterr().out


def test_moving_a_unit_rewrites_the_enrolments_org_path(tree, person_factory, life_course):
    agent = person_factory(tree["PGZ0101"])
    other = person_factory(tree["PSZ0101"])
    enrollment_get_or_create(person=agent, course=life_course, source=EnrollmentSource.SELF)
    enrollment_get_or_create(person=other, course=life_course, source=EnrollmentSource.SELF)
    moved = org_unit_move(unit=tree["PGZ01"], new_parent=tree["PSZ"])
    agent.org_unit.refresh_from_db()
    row = Enrollment.objects.get(person=agent)
    assert row.org_path == agent.org_unit.path
    assert row.org_path.startswith(moved.path)
    assert Enrollment.objects.get(person=other).org_path == tree["PSZ0101"].path
    # The rollup by path prefix now counts the agent under 深圳.
    assert Enrollment.objects.filter(org_path__startswith=tree["PSZ"].path).count() == 2


def test_moving_a_branch_to_another_company_moves_the_company_copy(
    tree, person_factory, life_course
):
    agent = person_factory(tree["HGZ0101"])
    enrollment_get_or_create(person=agent, course=life_course, source=EnrollmentSource.SELF)
    org_unit_move(unit=tree["HGZ"], new_parent=tree["PGD"])
    row = Enrollment.objects.get(person=agent)
    assert row.company_id == tree["P"].pk


class TestAdmin:
    """The Wagtail admin's assignment screens, scoped to the coordinator's subtree."""

    def form(self, tree, course, root, **extra):
        return {
            "course": course.pk,
            "audience_root": root.pk,
            "due_date": DUE.isoformat(),
            "active": "on",
            **extra,
        }

    def test_a_coordinator_assigns_a_course_in_the_admin(
        self, client, tree, person_factory, gd_coordinator, life_course
    ):
        agent = person_factory(tree["PGZ0101"])
        client.force_login(gd_coordinator.user)
        response = client.post(
            reverse("course_assignments:add"),
            self.form(tree, life_course, tree["PGZ"], channels=[Channel.AGENT_FORCE]),
        )
        assert response.status_code == 302
        assignment = Assignment.objects.get()
        assert assignment.channels == [Channel.AGENT_FORCE]
        assert Enrollment.objects.get(person=agent).assignment == assignment
        history = client.get(reverse("course_assignments:history", args=[assignment.pk]))
        assert [entry.action for entry in history.context["object_list"]] == ["wagtail.create"]

    def test_a_root_outside_the_scope_is_not_offered_and_refused(
        self, client, tree, gd_coordinator, life_course
    ):
        client.force_login(gd_coordinator.user)
        response = client.get(reverse("course_assignments:add"))
        offered = set(response.context["form"].fields["audience_root"].queryset)
        assert tree["PGZ"] in offered and tree["LGD"] not in offered and tree["P"] not in offered
        response = client.post(
            reverse("course_assignments:add"), self.form(tree, life_course, tree["LGD"])
        )
        assert response.status_code == 200
        assert "audience_root" in response.context["form"].errors
        assert not Assignment.objects.exists()

    def test_a_coordinator_sees_and_edits_only_their_subtrees_assignments(
        self,
        client,
        tree,
        person_factory,
        gd_coordinator,
        life_course,
        django_assert_max_num_queries,
    ):
        group_coordinator = person_factory(tree["group"], Role.COORDINATOR)
        own = assignment_create(
            user=gd_coordinator.user, course=life_course, audience_root=tree["PGZ"], due_date=DUE
        )
        foreign = assignment_create(
            user=group_coordinator.user, course=life_course, audience_root=tree["LGD"], due_date=DUE
        )
        assignment_create(
            user=gd_coordinator.user, course=life_course, audience_root=tree["PSZ"], due_date=DUE
        )
        client.force_login(gd_coordinator.user)
        client.get(reverse("course_assignments:index"))
        with CaptureQueriesContext(connection) as few:
            client.get(reverse("course_assignments:index"))
        for _ in range(5):
            assignment_create(
                user=gd_coordinator.user,
                course=life_course,
                audience_root=tree["PSZ"],
                due_date=DUE,
            )
        with django_assert_max_num_queries(len(few)):
            response = client.get(reverse("course_assignments:index"))
        listed = {row.pk for row in response.context["object_list"]}
        assert own.pk in listed and foreign.pk not in listed and len(listed) == 7
        assert client.get(reverse("course_assignments:edit", args=[own.pk])).status_code == 200
        later = DUE + timedelta(days=3)
        response = client.post(
            reverse("course_assignments:edit", args=[own.pk]),
            self.form(tree, life_course, tree["PGZ"], due_date=later.isoformat()),
        )
        assert response.status_code == 302
        own.refresh_from_db()
        assert own.due_date == later
        for name in ("edit", "history", "usage"):
            response = client.get(reverse(f"course_assignments:{name}", args=[foreign.pk]))
            assert response.status_code == 302 and response.url == "/admin/", name
        response = client.post(
            reverse("course_assignments:edit", args=[foreign.pk]),
            self.form(tree, life_course, tree["LGD"], active=""),
        )
        foreign.refresh_from_db()
        assert foreign.active

    def test_assignments_are_not_deleted_and_agents_have_no_access(
        self, client, tree, p_agent, gd_coordinator, life_course
    ):
        assignment = assignment_create(
            user=gd_coordinator.user, course=life_course, audience_root=tree["PGZ"], due_date=DUE
        )
        client.force_login(gd_coordinator.user)
        client.post(reverse("course_assignments:delete", args=[assignment.pk]))
        assert Assignment.objects.filter(pk=assignment.pk).exists()
        client.force_login(p_agent.user)
        response = client.get(reverse("course_assignments:index"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("people", [1, 40])
def test_late_joiners_in_a_batch_cost_few_queries(tree, person_factory, gd_coordinator, people):
    from organization.models import Person
    from organization.signals import people_created

    course = make_course(owner=tree["P"])
    assignment_create(
        user=gd_coordinator.user, course=course, audience_root=tree["PGD"], due_date=DUE
    )
    batch = [person_factory(tree["PSZ0101"]) for _ in range(people)]
    Enrollment.objects.filter(person__in=batch).delete()
    batch = list(Person.objects.filter(pk__in=[p.pk for p in batch]).select_related("org_unit"))
    with CaptureQueriesContext(connection) as queries:
        people_created.send(sender=Person, people=batch)
    assert Enrollment.objects.filter(person__in=batch).count() == people
    # 8, + up to 4 for the enrolment rollups and 2 for the head-count rollup (reports/).
    assert len(queries) <= 14
