"""The home page every role lands on."""

import pytest
from django.contrib.auth import get_user_model
from wagtail import hooks

from organization.models import OrgUnitKind, Role
from organization.services import person_deactivate
from tests.organization.factories import make_person, make_unit

pytestmark = pytest.mark.django_db

ADMIN_LINK = 'href="/admin/"'
# Session, user, person, groups, the person's unit, the scope's totals, ancestry and unit count,
# child units and their head-counts, permissions (2), and saving the session (3, since every
# request pushes its expiry back): the same whatever the number of child units.
HOME_QUERIES = 15


def home_html(client, person_or_user) -> str:
    client.force_login(getattr(person_or_user, "user", person_or_user))
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def child_row(name: str, kind: str, headcount: int) -> str:
    return f'<tr><td>{name}</td><td class="kind">{kind}</td><td class="num">{headcount}</td></tr>'


def test_agent_sees_their_profile_only(client, tree):
    agent = make_person(tree["PGZ0101"], Role.AGENT, name="张三")

    html = home_html(client, agent)

    assert "您好，张三" in html
    assert agent.employee_no in html
    path = ["中国人保集团", "人保财险", "人保财险广东分公司", "人保财险广州分公司"]
    path += ["广州第一支公司", "广州第一营业部"]
    assert "".join(f"<span>{unit}</span>" for unit in path) in html
    assert '<span class="tag">业务人员</span>' in html
    assert ADMIN_LINK not in html
    assert "管理范围" not in html


def test_lecturer_sees_the_link_to_the_admin(client, tree):
    lecturer = make_person(tree["PGZ"], Role.LECTURER, name="李老师")

    html = home_html(client, lecturer)

    assert "您好，李老师" in html
    assert '<section class="card work-links">' in html
    assert '<a href="/admin/">管理后台</a>' in html
    assert "/admin/organization/" not in html
    assert "管理范围" not in html


def test_manager_sees_the_summary_of_their_subtree_and_nothing_beside_it(client, tree):
    manager = make_person(tree["PGD"], Role.MANAGER, name="王经理")
    for _ in range(3):
        make_person(tree["PGZ0101"])
    make_person(tree["PSZ"])
    person_deactivate(person=make_person(tree["PSZ01"]))
    make_person(tree["LGD"])  # the life company's branch next door: not in the summary

    html = home_html(client, manager)

    assert "管理范围：人保财险广东分公司及下级机构" in html
    assert "<strong>7</strong> 个机构" in html
    assert "<strong>5</strong> 名在职人员" in html  # four agents and the manager
    assert "<strong>1</strong> 名已停用" in html
    assert child_row("人保财险广州分公司", "地市分公司", 3) in html
    assert child_row("人保财险深圳分公司", "地市分公司", 1) in html
    assert "人保寿险" not in html
    assert ADMIN_LINK not in html


def test_coordinator_sees_the_summary_and_the_way_to_the_org_admin(client, tree):
    coordinator = make_person(tree["LGZ"], Role.COORDINATOR)

    html = home_html(client, coordinator)

    assert "管理范围：人保寿险广州分公司及下级机构" in html
    assert child_row("广州第一支公司", "县支公司", 0) in html
    assert '<a href="/admin/organization/units/">机构树</a>' in html
    assert '<a href="/admin/organization/people/">人员</a>' in html
    assert "人保财险广州分公司" not in html


def test_coordinator_of_a_unit_without_children_is_told_so(client, tree):
    coordinator = make_person(tree["HSZ0101"], Role.COORDINATOR)

    assert "该机构没有下级机构。" in home_html(client, coordinator)


def test_superuser_without_a_person_sees_the_platform_admin_card_and_the_whole_tree(client, tree):
    superuser = get_user_model().objects.create_superuser("opsadmin", password="x-secret-42")

    html = home_html(client, superuser)

    assert '<section class="card platform-admin">' in html
    assert "管理范围：中国人保集团及下级机构" in html
    for company in ("人保财险", "人保寿险", "人保健康"):
        assert f"<tr><td>{company}</td>" in html
    assert ADMIN_LINK in html


def test_account_without_a_person_is_told_to_ask_a_coordinator(client, db):
    user = get_user_model().objects.create_user("helpdesk", password="x-secret-42")

    html = home_html(client, user)

    assert "此账号没有关联人员档案，请联系培训管理员。" in html
    assert "平台管理员" not in html
    assert "管理范围" not in html


def test_later_apps_add_panels_through_the_hook(client, tree):
    agent = make_person(tree["PGZ0101"])

    def my_courses(request, panels):
        panels.append(
            {
                "template": "includes/home_panel.html",
                "title": f"{request.user.person.name}的课程",
                "text": "还有 2 门必修课未完成。",
                "url": "/courses/",
                "link_text": "去学习",
            }
        )

    with hooks.register_temporarily("construct_person_home_panels", my_courses):
        html = home_html(client, agent)

    assert f"<h2>{agent.name}的课程</h2>" in html
    assert "<p>还有 2 门必修课未完成。</p>" in html
    assert '<a class="button" href="/courses/">去学习</a>' in html


@pytest.mark.parametrize("children", [5, 30])
def test_home_query_count_does_not_grow_with_child_units(
    client, tree, children, django_assert_max_num_queries
):
    parent = make_unit(tree["PGD"], OrgUnitKind.PREFECTURE, "PFS", "人保财险佛山分公司", "440600")
    for number in range(children):
        child = make_unit(parent, OrgUnitKind.COUNTY, f"PFS{number:02d}", f"佛山第{number}支公司")
        make_person(child)
    coordinator = make_person(parent, Role.COORDINATOR)
    client.force_login(coordinator.user)

    with django_assert_max_num_queries(HOME_QUERIES):
        html = client.get("/").content.decode()

    assert html.count("<tr><td>佛山第") == children
