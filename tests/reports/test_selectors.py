from datetime import timedelta

import pytest
from django.utils import timezone

from courses.models import Enrollment, EnrollmentSource
from courses.services import assignment_create, enrollment_complete, enrollment_get_or_create
from organization.models import OrgUnitKind, Role
from reports.filters import Filters
from reports.rollups import enrollments as rollups
from reports.selectors.units import PROVIDERS, child_units_table, people_table
from tests.organization.factories import make_unit


def _row(table, code):
    return next(r for r in table.rows if r.unit.code == code)


def test_child_units_table_counts_each_child(tree, courses, person_factory):
    a = person_factory(tree["PGZ0101"], Role.AGENT)
    b = person_factory(tree["PSZ0101"], Role.AGENT)
    person_factory(tree["PSZ0101"], Role.AGENT)
    enrollment_complete(person=a, course=courses[0], at=timezone.now())
    enrollment_get_or_create(person=b, course=courses[0], source=EnrollmentSource.SELF)
    table = child_units_table(unit=tree["PGD"], filters=Filters(), today=timezone.localdate())
    gz, sz = _row(table, "PGZ"), _row(table, "PSZ")
    assert (gz.agents, gz.enrolled, gz.completed, gz.completion) == (1, 1, 1, 100.0)
    assert (sz.agents, sz.enrolled, sz.completed, sz.completion) == (2, 1, 0, 0.0)
    assert (table.total.agents, table.total.enrolled, table.total.completed) == (3, 2, 1)


def test_overdue_counts_enrolments_past_their_due_date_not_completed(
    tree, courses, person_factory, group_coordinator
):
    a = person_factory(tree["LGZ0101"], Role.AGENT)
    b = person_factory(tree["LGZ0101"], Role.AGENT)
    due = timezone.localdate() + timedelta(days=3)
    assignment_create(
        user=group_coordinator.user, course=courses[1], audience_root=tree["LGZ"], due_date=due
    )
    enrollment_complete(person=a, course=courses[1], at=timezone.now())
    later = due + timedelta(days=1)
    row = _row(child_units_table(unit=tree["LGD"], filters=Filters(), today=later), "LGZ")
    assert (row.enrolled, row.completed, row.overdue) == (2, 1, 1)
    row = _row(child_units_table(unit=tree["LGD"], filters=Filters(), today=due), "LGZ")
    assert row.overdue == 0
    assert Enrollment.objects.filter(person=b, due_date=due).exists()


def test_filters_narrow_the_counts(tree, courses, person_factory, group_coordinator):
    a = person_factory(tree["PGZ0101"], Role.AGENT, channel="counter")
    b = person_factory(tree["LGZ0101"], Role.AGENT)
    enrollment_complete(person=a, course=courses[0], at=timezone.now())
    enrollment_complete(person=b, course=courses[1], at=timezone.now())
    assignment = assignment_create(
        user=group_coordinator.user,
        course=courses[1],
        audience_root=tree["LGD"],
        due_date=timezone.localdate() + timedelta(days=9),
    )
    today = timezone.localdate()
    group = tree["group"]

    def total(**filters):
        return child_units_table(unit=group, filters=Filters(**filters), today=today).total.enrolled

    assert total() == 2
    assert total(course_id=courses[0].pk) == 1
    assert total(channel="counter") == 1
    assert total(company_id=tree["L"].pk) == 1
    assert total(assignment_id=assignment.pk) == 1
    only_life = child_units_table(unit=group, filters=Filters(company_id=tree["L"].pk), today=today)
    assert [r.unit.code for r in only_life.rows] == ["L"]


@pytest.mark.parametrize("extra_children", [0, 12])
def test_the_table_costs_the_same_queries_whatever_the_number_of_children(
    extra_children, tree, courses, person_factory, django_assert_max_num_queries
):
    for index in range(extra_children):
        outlet = make_unit(tree["PGZ01"], OrgUnitKind.OUTLET, f"X{index}", f"网点{index}")
        person = person_factory(outlet, Role.AGENT)
        enrollment_complete(person=person, course=courses[index % 2], at=timezone.now())
    # The children, then one query per provider.
    with django_assert_max_num_queries(1 + len(PROVIDERS)):
        table = child_units_table(unit=tree["PGZ01"], filters=Filters(), today=timezone.localdate())
    assert len(table.rows) == 1 + extra_children
    assert table.total.completed == extra_children


def test_people_table_shows_each_persons_status(tree, courses, person_factory):
    a = person_factory(tree["HSZ0101"], Role.AGENT, name="张三")
    person_factory(tree["HSZ0101"], Role.AGENT, name="李四")
    enrollment_complete(person=a, course=courses[0], at=timezone.now())
    rows = people_table(unit=tree["HSZ0101"], filters=Filters(), today=timezone.localdate())
    by_name = {r.person.name: r for r in rows}
    assert by_name["张三"].completed == 1
    assert by_name["李四"].enrollments == []
    assert rollups.diff() == []
