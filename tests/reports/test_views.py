import pytest
from django.utils import timezone

from courses.services import enrollment_complete
from organization.models import Role


@pytest.fixture
def gd_manager(tree, person_factory):
    return person_factory(tree["PGD"], Role.MANAGER, name="广东经理")


def test_a_manager_sees_the_table_of_their_unit_and_drills_down(
    tree, courses, person_factory, gd_manager, login
):
    agent = person_factory(tree["PGZ0101"], Role.AGENT, name="王五")
    enrollment_complete(person=agent, course=courses[0], at=timezone.now())
    client = login(gd_manager)
    page = client.get("/reports/").content.decode()
    assert "人保财险广州分公司" in page and "100.0%" in page
    page = client.get(f"/reports/?unit={tree['PGZ'].pk}").content.decode()
    assert "广州第一支公司" in page and "人保财险广东分公司" in page  # breadcrumb back up
    page = client.get(f"/reports/?unit={tree['PGZ0101'].pk}").content.decode()
    assert "王五" in page and "已完成" in page


@pytest.mark.parametrize("code", ["LGD", "P", "group", "LGZ0101"])
def test_a_manager_cannot_open_a_unit_outside_their_subtree(code, tree, gd_manager, login):
    client = login(gd_manager)
    assert client.get(f"/reports/?unit={tree[code].pk}").status_code == 404
    assert client.get(f"/reports/?unit={tree[code].pk}&people=1").status_code == 404


def test_an_agent_has_no_dashboard(tree, person_factory, login):
    client = login(person_factory(tree["PGZ0101"], Role.AGENT))
    assert client.get("/reports/").status_code == 403


def test_the_dashboard_page_costs_few_queries(
    tree, courses, gd_manager, login, django_assert_max_num_queries
):
    client = login(gd_manager)
    client.get("/reports/")
    # 16 for the table (one query per provider), + 3 for the charts (trend 2, expiry calendar 1).
    with django_assert_max_num_queries(19):
        assert client.get(f"/reports/?unit={tree['PGZ'].pk}").status_code == 200


def test_the_nav_links_to_the_dashboard_for_managers_only(tree, person_factory, gd_manager, login):
    assert "/reports/" in login(gd_manager).get("/").content.decode()
    agent = person_factory(tree["PGZ0101"], Role.AGENT)
    assert "/reports/" not in login(agent).get("/").content.decode()


def test_a_filter_outside_the_choices_is_explained_and_not_applied(tree, gd_manager, login):
    page = login(gd_manager).get(f"/reports/?company={tree['L'].pk}&date_from=2026-02-30")
    text = page.content.decode()
    assert page.status_code == 200
    assert "公司：选择一个有效的选项" in text
    assert "起始日期：输入一个有效的日期。" in text
    assert "人保财险广州分公司" in text  # the manager's own table, unfiltered


def test_a_period_ending_before_it_starts_is_refused(tree, gd_manager, login):
    page = login(gd_manager).get("/reports/?date_from=2026-03-01&date_to=2026-02-01")
    assert "截止日期不能早于起始日期。" in page.content.decode()


def test_a_unit_that_is_not_a_decimal_number_is_not_found(gd_manager, login):
    # "²" passes str.isdigit() but not int().
    assert login(gd_manager).get("/reports/?unit=²").status_code == 404
