"""Plan execution and the lecturer report, on data made through lecturer_portal's and quizzes'
services; numbers checked against hand-computed values."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lecturer_portal.attendance import check_in_manual, feedback_submit, registration_register
from lecturer_portal.models import PlanItem, SessionKind
from lecturer_portal.services import (
    assignment_accept,
    lecturer_assign,
    session_cancel,
    session_complete,
    session_start,
)
from organization.models import Role
from reports.filters import Filters
from reports.selectors.sessions import lecturer_table, plan_execution
from tests.lecturer_portal.factories import at, make_lecturer, make_plan, make_published
from tests.quizzes.certificate_factories import make_quiz, take_quiz

pytestmark = pytest.mark.django_db
BEFORE = at(1, 9)


@pytest.fixture
def gz_coordinator(tree, person_factory):
    return person_factory(tree["PGZ"], Role.COORDINATOR, name="广州培训管理员")


@pytest.fixture
def wang(tree, gz_coordinator):
    return make_lecturer(
        tree["PGZ"], user=gz_coordinator.user, qualified_for=(tree["L"],), name="王芳"
    )


@pytest.fixture
def li(tree, gz_coordinator):
    return make_lecturer(
        tree["PGZ01"], user=gz_coordinator.user, qualified_for=(tree["L"],), name="李强"
    )


@pytest.fixture
def agents(tree, person_factory):
    return [person_factory(tree["PGZ0101"], Role.AGENT, name=f"代理人{i}") for i in range(4)]


@pytest.fixture
def managers(tree, person_factory):
    return {
        code: person_factory(tree[code], Role.MANAGER, name=f"{code}经理")
        for code in ("PGD", "PGZ", "PSZ")
    }


def held(coordinator, lecturer, tree, day, *, attendees=(), absent=(), assistant=None, **fields):
    """A session on 2031-03-<day> 09:00–11:00 in 广州, started: ``attendees`` checked in,
    ``absent`` registered only."""
    session = make_published(
        coordinator=coordinator,
        lecturer=lecturer,
        host=tree["PGZ"],
        product_company=tree["L"],
        at=BEFORE,
        starts_at=at(day, 9),
        **fields,
    )
    if assistant:
        assignment = lecturer_assign(
            user=coordinator.user, session=session, lecturer=assistant, role="assistant"
        )
        assignment_accept(person=assistant.person, assignment=assignment, at=BEFORE)
    for person in (*attendees, *absent):
        registration_register(person=person, session=session, at=BEFORE)
    session_start(user=coordinator.user, session=session, at=at(day, 8, 30))
    for person in attendees:
        check_in_manual(user=coordinator.user, session=session, person=person, at=at(day, 9, 10))
    return session


def complete(coordinator, session, day):
    return session_complete(user=coordinator.user, session=session, at=at(day, 11, 5))


# Plan execution -------------------------------------------------------------------------------


@pytest.fixture
def plans(tree, gz_coordinator, wang, agents):
    """广州's Q1 plan: item A (2 sessions, 80 people) with one held session (2 attended) and one
    cancelled, item B (1 session, 10 people) with nothing; its county's plan: 3 sessions, 30
    people, one scheduled."""
    gz = make_plan(
        tree["PGZ"],
        user=gz_coordinator.user,
        items=[
            PlanItem(kind=SessionKind.CROSS_COMPANY, topic="寿险产品", audience="财险代理人",
                     planned_sessions=2, target_headcount=80),
            PlanItem(kind=SessionKind.CASCADE, topic="健康险", audience="讲师",
                     planned_sessions=1, target_headcount=10),
        ],
    )  # fmt: skip
    county = make_plan(
        tree["PGZ01"],
        user=gz_coordinator.user,
        items=[
            PlanItem(kind=SessionKind.PRODUCT_LAUNCH, topic="新产品", audience="全体代理人",
                     planned_sessions=3, target_headcount=30),
        ],
    )  # fmt: skip
    item_a = gz.items.order_by("sort_order").first()
    session = held(gz_coordinator, wang, tree, 10, attendees=agents[:2], plan_item=item_a)
    complete(gz_coordinator, session, 10)
    cancelled = make_published(
        coordinator=gz_coordinator,
        lecturer=wang,
        host=tree["PGZ"],
        product_company=tree["L"],
        at=BEFORE,
        starts_at=at(12, 9),
        plan_item=item_a,
    )
    session_cancel(user=gz_coordinator.user, session=cancelled, reason="讲师生病", at=BEFORE)
    make_published(
        coordinator=gz_coordinator,
        lecturer=wang,
        host=tree["PGZ01"],
        product_company=tree["L"],
        at=BEFORE,
        starts_at=at(14, 9),
        plan_item=county.items.get(),
    )
    return gz, county


def numbers(execution):
    return (
        execution.planned,
        execution.held,
        execution.cancelled,
        execution.scheduled,
        execution.target,
        execution.attendance,
        execution.held_share,
        execution.attendance_share,
    )


def test_plan_execution_sums_items_per_plan_and_per_child_unit(tree, plans):
    report = plan_execution(unit=tree["PGD"], year=2031, quarter=None)
    rows = {row.unit.name: numbers(row.totals) for row in report.units}
    # 1 held of 6 planned = 16.7 %; 2 attended of 120 = 1.7 %.
    assert rows["人保财险广州分公司"] == (6, 1, 1, 1, 120, 2, 16.7, 1.7)
    assert rows["人保财险深圳分公司"] == (0, 0, 0, 0, 0, 0, None, None)
    assert numbers(report.total) == (6, 1, 1, 1, 120, 2, 16.7, 1.7)

    report = plan_execution(unit=tree["PGZ"], year=2031, quarter=1)
    own, county = report.units
    assert own.own and numbers(own.totals) == (3, 1, 1, 0, 90, 2, 33.3, 2.2)
    assert county.unit == tree["PGZ01"] and numbers(county.totals) == (3, 0, 0, 1, 30, 0, 0.0, 0.0)
    gz_plan = report.plans[0]
    assert [numbers(line.totals) for line in gz_plan.items] == [
        (2, 1, 1, 0, 80, 2, 50.0, 2.5),
        (1, 0, 0, 0, 10, 0, 0.0, 0.0),
    ]
    assert numbers(gz_plan.totals) == numbers(own.totals)
    assert plan_execution(unit=tree["PGZ"], year=2031, quarter=2).plans == []


def test_the_plans_page_drills_down_with_a_breadcrumb(tree, plans, managers, login):
    client = login(managers["PGD"])
    page = client.get(f"/reports/plans/?unit={tree['PGD'].pk}&year=2031").content.decode()
    assert "计划执行" in page and "<td>16.7%</td>" in page and "广州第一支公司培训计划" in page
    page = client.get(f"/reports/plans/?unit={tree['PGZ'].pk}&year=2031").content.decode()
    assert "本级计划" in page and "<td>33.3%</td>" in page and "人保财险广东分公司</a>" in page
    assert client.get("/reports/plans/?year=1999").content.decode().count("确保该值大于或等于") == 1


def test_the_plans_export_lists_every_item(tree, plans, managers, login):
    response = login(managers["PGD"]).get("/reports/plans/?year=2031&format=csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:2] == ["制定机构", "培训计划"]
    assert [row[4] for row in rows[1:]] == ["寿险产品", "健康险", "新产品"]
    assert rows[1][6:] == ["2", "1", "1", "0", "50.0", "80", "2", "2.5"]


def test_a_sibling_manager_sees_no_other_subtree_plans(tree, plans, managers, login):
    client = login(managers["PSZ"])
    assert client.get(f"/reports/plans/?unit={tree['PGZ'].pk}").status_code == 404
    assert client.get(f"/reports/plans/?unit={tree['PGD'].pk}").status_code == 404
    page = client.get("/reports/plans/?year=2031").content.decode()
    assert "培训计划" in page and "广州" not in page
    export = client.get(f"/reports/plans/?unit={tree['PGZ'].pk}&year=2031&format=xlsx")
    assert export.status_code == 404


def test_plan_execution_costs_the_same_queries_for_more_plans(
    tree, plans, gz_coordinator, managers, login, django_assert_max_num_queries
):
    client = login(managers["PGD"])
    url = f"/reports/plans/?unit={tree['PGZ'].pk}&year=2031"
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for quarter in (2, 3, 4):
        make_plan(tree["PGZ0101"], user=gz_coordinator.user, quarter=quarter)
        make_plan(tree["PGZ01"], user=gz_coordinator.user, quarter=quarter)
    with django_assert_max_num_queries(len(few)):
        page = client.get(url).content.decode()
    assert page.count('report-plan"') == 8


# Lecturers ------------------------------------------------------------------------------------


@pytest.fixture
def delivered(tree, gz_coordinator, wang, li, agents):
    """王芳 leads S1 (10 March, 李强 assisting; 3 attended, one absent; ratings 5/4, 4/3, 3/2)
    and S2 (12 March, assessed by a quiz; 2 attended: one passed after the start, the other
    passed only before it and failed after; rating 5/5). A third session is not completed."""
    s1 = held(gz_coordinator, wang, tree, 10, attendees=agents[:3], absent=agents[3:], assistant=li)
    for person, (lecturer, content) in zip(agents, [(5, 4), (4, 3), (3, 2)], strict=False):
        feedback_submit(
            person=person,
            session=s1,
            lecturer_rating=lecturer,
            content_rating=content,
            at=at(10, 10),
        )
    complete(gz_coordinator, s1, 10)
    quiz = make_quiz(company=tree["L"], audience=[tree["P"]])
    s2 = held(gz_coordinator, wang, tree, 12, attendees=agents[:2], assessment_quiz=quiz)
    take_quiz(quiz, agents[0], correct=True, at=at(12, 10))
    take_quiz(quiz, agents[1], correct=True, at=BEFORE)
    take_quiz(quiz, agents[1], correct=False, at=at(12, 10))
    take_quiz(quiz, agents[2], correct=True, at=at(12, 10))  # did not attend S2
    feedback_submit(
        person=agents[0], session=s2, lecturer_rating=5, content_rating=5, at=at(12, 10)
    )
    complete(gz_coordinator, s2, 12)
    held(gz_coordinator, wang, tree, 14, attendees=agents[:1])  # in progress: not delivered yet
    return s1, s2


def figures(row):
    stats = row.stats
    return (
        row.profile.person.name,
        row.lead,
        row.assistant,
        stats.trainees,
        stats.ratings,
        stats.lecturer_rating,
        stats.content_rating,
        stats.assessed,
        stats.passed,
        stats.pass_rate,
    )


def test_lecturer_figures_match_a_hand_count(tree, delivered):
    table = lecturer_table(unit=tree["PGZ"], filters=Filters())
    # 王芳: lecturer (5+4+3+5)/4 = 4.25, content (4+3+2+5)/4 = 3.5; 1 of 2 assessed passed.
    assert [figures(row) for row in table.rows] == [
        ("王芳", 2, 0, 5, 4, 4.25, 3.5, 2, 1, 50.0),
        ("李强", 0, 1, 3, 3, 4.0, 3.0, 0, 0, None),
    ]
    # S1 counts once in the total although two lecturers of the subtree delivered it.
    assert (table.total.delivered, table.total.stats.trainees) == (2, 5)

    period = Filters(date_from=at(11, 0).date(), date_to=at(12, 0).date())
    rows = lecturer_table(unit=tree["PGZ"], filters=period).rows
    assert [figures(row) for row in rows] == [
        ("王芳", 1, 0, 2, 1, 5.0, 5.0, 2, 1, 50.0),
        ("李强", 0, 0, 0, 0, None, None, 0, 0, None),
    ]
    county = lecturer_table(unit=tree["PGZ01"], filters=Filters()).rows
    assert [row.profile.person.name for row in county] == ["李强"]


def test_the_lecturer_pages_show_the_report_and_the_sessions(
    tree, delivered, wang, managers, login
):
    client = login(managers["PGD"])
    page = client.get("/reports/lecturers/?date_from=2031-03-01").content.decode()
    assert (
        "讲师统计" in page
        and "王芳" in page
        and "<td>4.25</td>" in page
        and "<td>50.0%</td>" in page
    )
    page = client.get(f"/reports/lecturers/{wang.pk}/?date_to=2031-03-11").content.decode()
    assert delivered[0].title in page and delivered[1].title not in page
    assert "主讲 1 场" in page and "<td>4.0</td>" in page
    page = client.get("/reports/lecturers/?date_from=2031-03-05&date_to=2031-03-01")
    assert "截止日期不能早于起始日期。" in page.content.decode()


def test_the_lecturers_export(tree, delivered, managers, login):
    response = login(managers["PGZ"]).get("/reports/lecturers/?format=csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["讲师", "所属机构", "级别", "授课场次"]
    assert rows[1][0] == "王芳" and rows[1][3:] == [
        "2", "2", "0", "5", "4.25", "3.5", "4", "2", "1", "50.0"
    ]  # fmt: skip


def test_a_sibling_manager_never_sees_the_lecturers(tree, delivered, wang, managers, login):
    client = login(managers["PSZ"])
    assert client.get(f"/reports/lecturers/?unit={tree['PGZ'].pk}").status_code == 404
    assert client.get(f"/reports/lecturers/{wang.pk}/").status_code == 404
    page = client.get("/reports/lecturers/").content.decode()
    assert "该范围内没有讲师。" in page and "王芳" not in page
    assert client.get(f"/reports/lecturers/?unit={tree['PGZ'].pk}&format=csv").status_code == 404


@pytest.mark.parametrize("url", ["/reports/plans/", "/reports/lecturers/", "/reports/lecturers/1/"])
def test_an_agent_is_refused(url, tree, agents, login):
    assert login(agents[0]).get(url).status_code == 403


def test_the_lecturer_report_costs_the_same_queries_for_more_lecturers(
    tree, delivered, gz_coordinator, managers, login, django_assert_max_num_queries
):
    client = login(managers["PGD"])
    with CaptureQueriesContext(connection) as few:
        client.get("/reports/lecturers/")
    others = [
        make_lecturer(tree["PGZ"], user=gz_coordinator.user, qualified_for=(tree["L"],))
        for _ in range(3)
    ]
    for day, lecturer in zip((16, 18, 20), others, strict=True):
        session = held(gz_coordinator, lecturer, tree, day)
        complete(gz_coordinator, session, day)
    with django_assert_max_num_queries(len(few)):
        page = client.get("/reports/lecturers/").content.decode()
    assert all(other.person.name in page for other in others)
    with django_assert_max_num_queries(len(few)):
        client.get(f"/reports/lecturers/{others[0].pk}/")


def test_the_nav_has_both_tabs(tree, managers, login):
    page = login(managers["PGZ"]).get("/reports/plans/").content.decode()
    assert "计划执行" in page and "讲师统计" in page and 'href="/reports/lecturers/"' in page


def test_late_quiz_passes_count_only_after_the_session_start(tree, delivered, agents):
    # agents[1] passed S2's quiz only before S2 started: not a pass of S2's trainees.
    rows = lecturer_table(unit=tree["PGZ"], filters=Filters(date_from=at(12, 0).date())).rows
    assert figures(rows[0])[7:] == (2, 1, 50.0)
    take_quiz(delivered[1].assessment_quiz, agents[1], correct=True, at=at(13, 9))
    rows = lecturer_table(unit=tree["PGZ"], filters=Filters(date_from=at(12, 0).date())).rows
    assert figures(rows[0])[7:] == (2, 2, 100.0)
