"""The period filter (completions and attendance dated inside it), the 参训人次 column and the
completion trend, read from the activity rollups."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from courses.services import enrollment_complete, enrollment_get_or_create
from lecturer_portal.attendance import check_in_manual
from organization.models import OrgUnitKind, Role
from reports.filters import Filters
from reports.selectors.trend import TrendPoint, completion_trend
from reports.selectors.units import child_units_table
from tests.lecturer_portal.factories import at, make_lecturer, make_published
from tests.organization.factories import make_unit

pytestmark = pytest.mark.django_db


def on(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10))


@pytest.fixture
def progress(tree, courses, person_factory):
    """In 广州第一支公司: two completions in January 2026, one in March, one enrolled only; in
    深圳 one completion in March."""
    gz = [person_factory(tree["PGZ0101"], Role.AGENT, name=f"广州{i}") for i in range(4)]
    sz = person_factory(tree["PSZ0101"], Role.AGENT, name="深圳0")
    enrollment_complete(person=gz[0], course=courses[0], at=on(date(2026, 1, 5)))
    enrollment_complete(person=gz[1], course=courses[0], at=on(date(2026, 1, 31)))
    enrollment_complete(person=gz[2], course=courses[0], at=on(date(2026, 3, 1)))
    enrollment_get_or_create(person=gz[3], course=courses[0], source="self")
    enrollment_complete(person=sz, course=courses[0], at=on(date(2026, 3, 2)))
    return gz, sz


@pytest.fixture
def sessions(tree, person_factory):
    coordinator = person_factory(tree["group"], Role.COORDINATOR)
    lecturer = make_lecturer(tree["group"], user=coordinator.user, qualified_for=(tree["L"],))
    return coordinator, [
        make_published(
            coordinator=coordinator,
            lecturer=lecturer,
            host=tree["group"],
            product_company=tree["L"],
            starts_at=at(day, 9),
        )
        for day in (10, 20)
    ]


def test_a_period_counts_the_completions_dated_inside_it(tree, courses, progress):
    today = date(2026, 3, 15)
    whole = child_units_table(unit=tree["PGD"], filters=Filters(), today=today)
    march = child_units_table(
        unit=tree["PGD"], filters=Filters(date_from=date(2026, 2, 1)), today=today
    )
    january = child_units_table(
        unit=tree["PGD"],
        filters=Filters(date_from=date(2026, 1, 1), date_to=date(2026, 1, 31)),
        today=today,
    )
    gz = {t: next(r for r in table.rows if r.unit.code == "PGZ") for t, table in
          (("whole", whole), ("march", march), ("january", january))}  # fmt: skip
    assert (gz["whole"].completed, gz["whole"].enrolled, gz["whole"].completion) == (3, 4, 75.0)
    assert (gz["march"].completed, gz["march"].completion) == (1, 25.0)
    assert (gz["january"].completed, gz["january"].completion) == (2, 50.0)
    assert (march.total.completed, january.total.completed) == (2, 2)


def test_attendance_in_the_table_all_time_or_in_the_period(tree, person_factory, sessions):
    coordinator, (first, second) = sessions
    gz = person_factory(tree["PGZ0101"], Role.AGENT)
    sz = person_factory(tree["PSZ0101"], Role.AGENT)
    for session, person in ((first, gz), (second, gz), (second, sz)):
        check_in_manual(
            user=coordinator.user,
            session=session,
            person=person,
            at=session.starts_at + timedelta(minutes=2),
        )
    today = date(2031, 3, 25)

    def attended(**filters):
        table = child_units_table(unit=tree["PGD"], filters=Filters(**filters), today=today)
        return {row.unit.code: row.attended for row in table.rows}, table.total.attended

    assert attended() == ({"PGZ": 2, "PSZ": 1}, 3)
    assert attended(date_from=date(2031, 3, 15)) == ({"PGZ": 1, "PSZ": 1}, 2)
    assert attended(date_to=date(2031, 3, 10)) == ({"PGZ": 1, "PSZ": 0}, 1)
    assert attended(channel="counter") == ({"PGZ": 0, "PSZ": 0}, 0)


@pytest.mark.parametrize("extra_children", [0, 8])
def test_the_table_with_a_period_costs_the_same_queries_whatever_the_children(
    extra_children, tree, courses, person_factory, django_assert_max_num_queries
):
    for index in range(extra_children):
        outlet = make_unit(tree["PGZ01"], OrgUnitKind.OUTLET, f"X{index}", f"网点{index}")
        person = person_factory(outlet, Role.AGENT)
        enrollment_complete(person=person, course=courses[index % 2], at=timezone.now())
    filters = Filters(date_from=timezone.localdate() - timedelta(days=1))
    # The children, then one query per provider (enrolments, agents, certificates, the period's
    # completions, attendance).
    with django_assert_max_num_queries(6):
        table = child_units_table(unit=tree["PGZ01"], filters=filters, today=timezone.localdate())
    assert len(table.rows) == 1 + extra_children
    assert table.total.completed == extra_children


def test_the_trend_counts_each_month_and_the_cumulative_rate(
    tree, courses, progress, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        points = completion_trend(
            unit=tree["PGZ"], filters=Filters(), today=date(2026, 4, 10), months=4
        )
    assert points == [
        TrendPoint(date(2026, 1, 1), completed=2, cumulative=2, enrolled=4),
        TrendPoint(date(2026, 2, 1), completed=0, cumulative=2, enrolled=4),
        TrendPoint(date(2026, 3, 1), completed=1, cumulative=3, enrolled=4),
        TrendPoint(date(2026, 4, 1), completed=0, cumulative=3, enrolled=4),
    ]
    # Completions before the window start the cumulative count.
    march = completion_trend(unit=tree["PGZ"], filters=Filters(), today=date(2026, 3, 3), months=1)
    assert march == [TrendPoint(date(2026, 3, 1), completed=1, cumulative=3, enrolled=4)]


def test_the_trend_follows_the_period_and_the_filters(tree, courses, progress):
    period = Filters(date_from=date(2025, 12, 20), date_to=date(2026, 2, 3))
    points = completion_trend(unit=tree["PGD"], filters=period, today=date(2026, 4, 10))
    assert [(p.month, p.completed) for p in points] == [
        (date(2025, 12, 1), 0),
        (date(2026, 1, 1), 2),
        (date(2026, 2, 1), 0),
    ]
    other_course = Filters(course_id=courses[1].pk)
    assert completion_trend(unit=tree["PGD"], filters=other_course, today=date(2026, 3, 5))[
        -1
    ] == TrendPoint(date(2026, 3, 1), 0, 0, 0)
    # The group viewed through one company counts that company only; another company nothing.
    pnc = completion_trend(
        unit=tree["group"], filters=Filters(company_id=tree["P"].pk), today=date(2026, 3, 5)
    )
    assert pnc[-1] == TrendPoint(date(2026, 3, 1), completed=2, cumulative=4, enrolled=5)
    elsewhere = completion_trend(
        unit=tree["PGZ"], filters=Filters(company_id=tree["L"].pk), today=date(2026, 3, 5)
    )
    assert {(p.completed, p.enrolled) for p in elsewhere} == {(0, 0)}


def test_the_dashboard_says_what_a_period_counts(tree, courses, progress, person_factory, login):
    manager = person_factory(tree["PGD"], Role.MANAGER)
    client = login(manager)
    page = client.get("/reports/").content.decode()
    assert "参训人次" in page and "按所选期间统计" not in page
    page = client.get("/reports/?date_from=2026-03-01&date_to=2026-03-31").content.decode()
    assert "已完成、完成率和参训人次按所选期间统计。" in page
    reversed_period = client.get("/reports/?date_from=2026-03-31&date_to=2026-03-01")
    page = reversed_period.content.decode()
    assert "截止日期不能早于起始日期。" in page and "按所选期间统计" not in page  # not applied
