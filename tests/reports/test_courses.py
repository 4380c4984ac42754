import io
from datetime import timedelta

import openpyxl
import pytest
from django.utils import timezone

from courses.models import LessonPage
from courses.services import (
    assignment_create,
    assignment_update,
    enrollment_complete,
    lesson_mark_done,
)
from organization.models import Role
from reports.selectors import courses as selectors


@pytest.fixture
def gd_manager(tree, person_factory):
    return person_factory(tree["PGD"], Role.MANAGER, name="广东经理")


@pytest.fixture
def gd_coordinator(tree, person_factory):
    return person_factory(tree["PGD"], Role.COORDINATOR, name="广东培训管理员")


def assign(coordinator, course, unit, *, due_in: int, **extra):
    """An assignment to the agents under ``unit``, due ``due_in`` days from today (a past due
    date is set afterwards, as a coordinator would by editing it)."""
    today = timezone.localdate()
    assignment = assignment_create(
        user=coordinator.user,
        course=course,
        audience_root=unit,
        due_date=today + timedelta(days=max(due_in, 0)),
        roles=[Role.AGENT],
        **extra,
    )
    if due_in < 0:
        assignment = assignment_update(
            user=coordinator.user,
            assignment=assignment,
            audience_root=unit,
            due_date=today + timedelta(days=due_in),
            roles=[Role.AGENT],
            companies=extra.get("companies", ()),
        )
    return assignment


@pytest.fixture
def overdue_course(tree, courses, person_factory, gd_coordinator):
    """Course 0 assigned to 广东 agents, three days overdue: 张三 completed, 李四 half-way,
    王五 (深圳) not started."""
    now = timezone.now()
    done = person_factory(tree["PGZ0101"], Role.AGENT, name="张三", email="zs@example.com")
    half = person_factory(tree["PGZ0101"], Role.AGENT, name="李四", email="ls@example.com")
    person_factory(tree["PSZ0101"], Role.AGENT, name="王五", email="ww@example.com")
    assignment = assign(gd_coordinator, courses[0], tree["PGD"], due_in=-3)
    enrollment_complete(person=done, course=courses[0], at=now)
    lesson = LessonPage.objects.child_of(courses[0]).first()
    lesson_mark_done(person=half, lesson=lesson.specific, at=now)
    return assignment


def test_the_course_view_shows_status_progress_units_and_overdue_people(
    tree, courses, overdue_course, gd_manager, login
):
    page = login(gd_manager).get(f"/reports/courses/{courses[0].pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "学习状态" in text and "33.3%" in text  # 1 of 3 completed
    assert "学习进度分布" in text
    buckets = {b.label: b.count for b in page.context["buckets"]}
    assert buckets == {"0%": 1, "1–24%": 0, "25–49%": 0, "50–74%": 1, "75–99%": 0, "100%": 1}
    assert "人保财险广州分公司" in text and "人保财险深圳分公司" in text  # per child unit
    overdue = [(e.person.name, e.days_overdue) for e in page.context["overdue"]]
    assert sorted(overdue) == [("李四", 3), ("王五", 3)]
    assert "逾期未完成人员（2）" in text and "提醒逾期人员" in text


def test_the_course_view_drills_down_to_a_child_unit(
    tree, courses, overdue_course, gd_manager, login
):
    page = login(gd_manager).get(f"/reports/courses/{courses[0].pk}/?unit={tree['PSZ'].pk}")
    assert [e.person.name for e in page.context["overdue"]] == ["王五"]
    assert page.context["totals"].not_started == 1


def test_the_progress_distribution_is_skipped_above_the_limit(
    tree, courses, overdue_course, gd_manager, login, monkeypatch
):
    monkeypatch.setattr(selectors, "PROGRESS_LIMIT", 2)
    page = login(gd_manager).get(f"/reports/courses/{courses[0].pk}/").content.decode()
    assert "选课人数超过 2，请下钻到下级机构查看进度分布。" in page


def test_the_course_index_lists_courses_at_the_viewers_unit(
    tree, courses, overdue_course, gd_manager, login
):
    page = login(gd_manager).get("/reports/courses/").content.decode()
    assert courses[0].title in page and "33.3%" in page
    assert f"/reports/courses/{courses[0].pk}/?unit={tree['PGD'].pk}" in page


@pytest.mark.parametrize("code", ["LGD", "P", "group"])
def test_a_manager_cannot_open_a_course_view_outside_their_subtree(
    code, tree, courses, gd_manager, login
):
    client = login(gd_manager)
    assert client.get(f"/reports/courses/?unit={tree[code].pk}").status_code == 404
    assert client.get(f"/reports/courses/{courses[0].pk}/?unit={tree[code].pk}").status_code == 404


def test_an_agent_has_no_course_or_assignment_views(
    tree, courses, overdue_course, person_factory, login
):
    client = login(person_factory(tree["PGZ0101"], Role.AGENT))
    for url in (
        "/reports/courses/",
        f"/reports/courses/{courses[0].pk}/",
        "/reports/assignments/",
        f"/reports/assignments/{overdue_course.pk}/",
    ):
        assert client.get(url).status_code == 403, url


def test_the_assignment_view_counts_down_to_the_due_date(
    tree, courses, person_factory, gd_coordinator, gd_manager, login
):
    person_factory(tree["PGZ0101"], Role.AGENT, name="赵六")
    assignment = assign(gd_coordinator, courses[1], tree["PGZ"], due_in=5)
    page = login(gd_manager).get(f"/reports/assignments/{assignment.pk}/")
    text = page.content.decode()
    assert "剩余 5 天" in text and courses[1].title in text
    assert page.context["unit"] == tree["PGZ"]  # opens where the audience is
    assert page.context["totals"].enrolled == 1


def test_the_assignment_view_shows_the_overdue_people(
    tree, courses, overdue_course, gd_manager, login
):
    page = login(gd_manager).get(f"/reports/assignments/{overdue_course.pk}/")
    text = page.content.decode()
    assert "已逾期 3 天" in text and "人保财险广东分公司" in text
    assert sorted(e.person.name for e in page.context["overdue"]) == ["李四", "王五"]


def test_an_assignment_outside_the_scope_is_404(
    tree, courses, person_factory, group_coordinator, gd_manager, login
):
    life = person_factory(tree["LGD"], Role.COORDINATOR)
    inside_life = assign(life, courses[0], tree["LGD"], due_in=5)
    life_only = assign(
        group_coordinator, courses[1], tree["group"], due_in=5, companies=[tree["L"]]
    )
    everyone = assign(group_coordinator, courses[0], tree["group"], due_in=5)
    client = login(gd_manager)
    assert client.get(f"/reports/assignments/{inside_life.pk}/").status_code == 404
    assert client.get(f"/reports/assignments/{life_only.pk}/").status_code == 404
    assert client.get(f"/reports/assignments/{everyone.pk}/").status_code == 200
    index = client.get("/reports/assignments/")
    assert [row.assignment for row in index.context["page"]] == [everyone]


def test_the_assignment_index_counts_down_and_sums_at_the_scope(
    tree, courses, overdue_course, gd_manager, login
):
    client = login(gd_manager)
    text = client.get("/reports/assignments/").content.decode()
    assert "已逾期 3 天" in text and "33.3%" in text
    response = client.get("/reports/assignments/?format=csv")
    lines = b"".join(response.streaming_content).decode("utf-8").splitlines()
    assert lines[0] == "\ufeff课程,受众机构,完成期限,倒计时,选课,已完成,完成率,逾期未完成"
    due = overdue_course.due_date.isoformat()
    assert lines[1:] == [f"{courses[0].title},人保财险广东分公司,{due},已逾期 3 天,3,1,33.3,2"]


def test_a_unit_outside_the_scope_is_404_on_an_assignment_in_scope(
    tree, overdue_course, gd_manager, login
):
    url = f"/reports/assignments/{overdue_course.pk}/?unit={tree['LGD'].pk}"
    assert login(gd_manager).get(url).status_code == 404


def test_the_course_and_assignment_views_cost_few_queries(
    tree,
    courses,
    overdue_course,
    person_factory,
    gd_coordinator,
    gd_manager,
    login,
    django_assert_max_num_queries,
):
    # More people and units on the page than the query budget: an N+1 would exceed it.
    for code in ("PGZ0101", "PGZ01", "PSZ01", "PSZ0101", "PGZ", "PSZ") * 3:
        person_factory(tree[code], Role.AGENT)
    assignment_update(
        user=gd_coordinator.user,
        assignment=overdue_course,
        audience_root=tree["PGD"],
        due_date=overdue_course.due_date,
        roles=[Role.AGENT],
    )
    client = login(gd_manager)
    client.get("/reports/courses/")
    # The detail pages read one query per column provider of the units table (shared with the
    # dashboard), plus the course's totals, progress, and one page of overdue people.
    budgets = {
        "/reports/courses/": 12,
        f"/reports/courses/{courses[0].pk}/": 20,
        f"/reports/assignments/{overdue_course.pk}/": 22,
        "/reports/assignments/": 12,
    }
    for url, budget in budgets.items():
        with django_assert_max_num_queries(budget):
            page = client.get(url)
        assert page.status_code == 200
        if "overdue" in page.context:
            assert len(page.context["overdue"].object_list) == 20
    assert len(page.context["page"].object_list) == 1


def test_the_overdue_people_download_lists_every_page(
    tree, courses, overdue_course, gd_manager, login, monkeypatch
):
    monkeypatch.setattr(selectors, "OVERDUE_PAGE_SIZE", 1)
    client = login(gd_manager)
    page = client.get(f"/reports/assignments/{overdue_course.pk}/").content.decode()
    url = f"/reports/assignments/{overdue_course.pk}/overdue/"
    assert f'href="{url}?&amp;format=xlsx"' in page
    response = client.get(f"{url}?format=xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0] == ("所属机构", "姓名", "工号", "状态", "完成期限", "逾期天数")
    assert sorted((row[1], row[3], row[5]) for row in rows[1:]) == [
        ("李四", "学习中", 3),
        ("王五", "未开始", 3),
    ]


def test_the_course_table_downloads_as_csv_and_the_units_table_links_to_its_export(
    tree, courses, overdue_course, gd_manager, login
):
    client = login(gd_manager)
    response = client.get("/reports/courses/?format=csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff课程,选课,未开始,学习中,已完成,完成率,逾期未完成")
    assert f"{courses[0].title},3,1,1,1,33.3,2" in text
    page = client.get(f"/reports/courses/{courses[0].pk}/").content.decode()
    assert f"course={courses[0].pk}&amp;format=xlsx" in page


def test_a_download_outside_the_scope_is_refused(tree, courses, overdue_course, gd_manager, login):
    client = login(gd_manager)
    url = f"/reports/courses/{courses[0].pk}/overdue/?unit={tree['LGD'].pk}&format=csv"
    assert client.get(url).status_code == 404
    assert client.get("/reports/courses/?format=pdf").status_code == 404


def test_the_dashboard_links_to_the_course_view_when_a_course_is_chosen(
    tree, courses, gd_manager, login
):
    page = login(gd_manager).get(f"/reports/?course={courses[0].pk}").content.decode()
    assert f"/reports/courses/{courses[0].pk}/?unit={tree['PGD'].pk}" in page
    assert "查看该课程的进度分布和逾期人员" in page
