"""The Wagtail admin of the org tree and people: drill-down, create, move, people, and scope."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import ModelLogEntry

from organization.models import Channel, OrgUnit, OrgUnitKind, Person, Role
from organization.services import person_deactivate
from organization.signals import person_moved
from tests.organization.factories import make_person, make_unit

pytestmark = pytest.mark.django_db

User = get_user_model()

# The session (read and saved), the user, their permissions, profile, person and roles, the admin
# menu's permission checks, then the listing's own: the unit being browsed, the count, the rows
# (head-counts in a subquery), the breadcrumb / the groups of the people shown. The same whether a
# page has 5 rows or 30.
UNIT_INDEX_QUERIES = 18
PEOPLE_INDEX_QUERIES = 18


def units_url(**query):
    url = reverse("org_units:index")
    return f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else url


def unit_url(name, unit, **query):
    url = reverse(f"org_units:{name}", args=[unit.pk])
    return f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else url


def person_url(name, person):
    return reverse(f"org_people:{name}", args=[person.pk])


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def listed(response):
    return [
        row.code if isinstance(row, OrgUnit) else row.employee_no
        for row in response.context["object_list"]
    ]


def is_refused(response) -> bool:
    """404 for rows outside the subtree; Wagtail answers a PermissionDenied in its admin with a
    redirect to the dashboard and an error message (a bare 403 for AJAX requests)."""
    return response.status_code in (403, 404) or (
        response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    )


def crumbs(response):
    return [item["label"] for item in response.context["breadcrumbs_items"][1:]]


@pytest.fixture
def gz_coordinator(tree):
    return make_person(tree["PGZ"], Role.COORDINATOR, name="广州管理员")


@pytest.fixture
def gd_coordinator(tree):
    return make_person(tree["PGD"], Role.COORDINATOR, name="广东管理员")


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", password="root-pass-123")


@pytest.fixture
def as_user(client):
    def _as(person_or_user):
        client.force_login(getattr(person_or_user, "user", person_or_user))
        return client

    return _as


# Drilling down


def test_drilldown_lists_children_with_counts_and_breadcrumb_from_scope_root(
    tree, gd_coordinator, as_user
):
    make_person(tree["PGZ0101"], Role.AGENT)
    make_person(tree["PGZ01"], Role.AGENT)
    person_deactivate(person=make_person(tree["PGZ0101"], Role.AGENT))
    make_unit(tree["PGZ"], OrgUnitKind.COUNTY, "PGZ02", "广州第二支公司")
    client = as_user(gd_coordinator)

    response = client.get(units_url(parent=tree["PGZ"].pk))

    assert response.status_code == 200
    assert listed(response) == ["PGZ01", "PGZ02"]
    rows = {unit.code: unit for unit in response.context["object_list"]}
    assert (rows["PGZ01"].numchild, rows["PGZ01"].headcount) == (1, 2)
    assert (rows["PGZ02"].numchild, rows["PGZ02"].headcount) == (0, 0)
    assert crumbs(response) == ["人保财险广东分公司", "人保财险广州分公司"]
    assert response.context["breadcrumbs_items"][-1]["url"] == ""
    html = response.content.decode()
    assert "广州第一支公司" in html
    assert units_url(parent=tree["PGZ01"].pk) in html
    assert reverse("org_units:add") + f"?parent={tree['PGZ'].pk}" in html


def test_index_starts_at_the_scope_root(tree, gz_coordinator, superuser, as_user):
    response = as_user(gz_coordinator).get(units_url())
    assert listed(response) == ["PGZ01"]
    assert crumbs(response) == ["人保财险广州分公司"]

    response = as_user(superuser).get(units_url())
    assert listed(response) == ["P", "L", "H"]
    assert crumbs(response) == ["中国人保集团"]


def test_search_looks_below_the_unit_being_browsed(tree, gd_coordinator, as_user):
    client = as_user(gd_coordinator)

    response = client.get(units_url(parent=tree["PGZ"].pk, q="营业部"))
    assert listed(response) == ["PGZ0101"]

    response = client.get(reverse("org_units:index_results") + f"?parent={tree['PGD'].pk}&q=营业部")
    assert response.status_code == 200
    assert sorted(listed(response)) == ["PGZ0101", "PSZ0101"]


def test_outlets_offer_no_children(tree, gz_coordinator, as_user):
    response = as_user(gz_coordinator).get(units_url(parent=tree["PGZ0101"].pk))

    assert response.status_code == 200
    assert listed(response) == []
    assert reverse("org_units:add") + "?parent=" not in response.content.decode()


# Creating and editing units


def test_coordinator_adds_a_child_unit(tree, gz_coordinator, as_user):
    response = as_user(gz_coordinator).post(
        reverse("org_units:add") + f"?parent={tree['PGZ01'].pk}",
        {"kind": "outlet", "name": "广州第二营业部", "code": "PGZ0102", "region_code": "440106"},
    )

    assert response.status_code == 302
    assert response["Location"] == units_url(parent=tree["PGZ01"].pk)
    unit = OrgUnit.objects.get(code="PGZ0102")
    assert unit.get_parent() == tree["PGZ01"]
    assert unit.company == tree["P"]
    assert ModelLogEntry.objects.filter(
        object_id=str(unit.pk), action="wagtail.create", user=gz_coordinator.user
    ).exists()


def test_a_child_of_the_wrong_kind_shows_the_error_and_creates_nothing(
    tree, gz_coordinator, as_user
):
    count = OrgUnit.objects.count()

    response = as_user(gz_coordinator).post(
        reverse("org_units:add") + f"?parent={tree['PGZ'].pk}",
        {"kind": "province", "name": "错误的省公司", "code": "PGZX", "region_code": "440000"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"kind": ["“省级分公司”不能设在“地市分公司”之下。"]}
    assert "“省级分公司”不能设在“地市分公司”之下。" in response.content.decode()
    assert OrgUnit.objects.count() == count


def test_the_admin_never_makes_a_root(tree, gz_coordinator, superuser, as_user):
    roots = OrgUnit.get_root_nodes().count()
    data = {"kind": "group", "name": "新集团", "code": "G2", "region_code": "110000"}

    for user in (gz_coordinator, superuser):
        response = as_user(user).post(reverse("org_units:add"), data)
        assert response.status_code == 200
        assert "kind" in response.context["form"].errors

    assert OrgUnit.get_root_nodes().count() == roots
    assert not OrgUnit.objects.filter(code="G2").exists()


def test_without_a_parent_a_new_unit_goes_under_the_scope_root(tree, gz_coordinator, as_user):
    response = as_user(gz_coordinator).post(
        reverse("org_units:add"),
        {"kind": "county", "name": "广州第二支公司", "code": "PGZ02", "region_code": "440100"},
    )

    assert response.status_code == 302
    assert OrgUnit.objects.get(code="PGZ02").get_parent() == tree["PGZ"]


def test_coordinator_edits_and_deactivates_a_unit(tree, gz_coordinator, as_user):
    response = as_user(gz_coordinator).post(
        unit_url("edit", tree["PGZ01"]),
        {"name": "广州天河支公司", "code": "PGZ01", "region_code": "440106"},
    )

    assert response.status_code == 302
    assert response["Location"] == units_url(parent=tree["PGZ"].pk)
    unit = fresh(tree["PGZ01"])
    assert (unit.name, unit.region_code, unit.is_active) == ("广州天河支公司", "440106", False)


def test_a_bad_region_code_is_refused_next_to_the_field(tree, gz_coordinator, as_user):
    response = as_user(gz_coordinator).post(
        unit_url("edit", tree["PGZ01"]),
        {"name": "广州第一支公司", "code": "PGZ01", "region_code": "4401", "is_active": "on"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "region_code": ["行政区划代码应为 6 位数字（GB/T 2260），例如 440100。"]
    }


def test_coordinator_cannot_edit_move_or_delete_their_own_scope_root(tree, gz_coordinator, as_user):
    client = as_user(gz_coordinator)

    assert client.get(units_url(parent=tree["PGZ"].pk)).status_code == 200
    for name in ("edit", "move", "delete"):
        assert is_refused(client.get(unit_url(name, tree["PGZ"])))
    response = client.post(
        unit_url("edit", tree["PGZ"]),
        {"name": "改名", "code": "PGZ", "region_code": "440100"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    ajax = client.get(unit_url("edit", tree["PGZ"]), headers={"x-requested-with": "XMLHttpRequest"})
    assert ajax.status_code == 403
    assert fresh(tree["PGZ"]).name == "人保财险广州分公司"


# Moving units


def test_coordinator_moves_a_unit_within_their_subtree(tree, gd_coordinator, as_user):
    agent = make_person(tree["PGZ0101"], Role.AGENT)
    client = as_user(gd_coordinator)

    page = client.get(unit_url("move", tree["PGZ01"]))
    assert page.status_code == 200
    assert "“广州第一支公司”将连同其下 1 个机构和 1 名人员一起移到新的上级机构之下" in (
        page.content.decode()
    )

    response = client.post(unit_url("move", tree["PGZ01"]), {"new_parent": tree["PSZ"].pk})

    assert response.status_code == 302
    assert response["Location"] == units_url(parent=tree["PSZ"].pk)
    assert fresh(tree["PGZ01"]).get_parent() == tree["PSZ"]
    assert fresh(agent).org_unit.path.startswith(fresh(tree["PSZ"]).path)
    entry = ModelLogEntry.objects.get(object_id=str(tree["PGZ01"].pk), action="organization.move")
    assert entry.data == {"old_parent": "人保财险广州分公司", "new_parent": "人保财险深圳分公司"}


def test_move_into_own_subtree_is_refused_next_to_the_field(tree, gd_coordinator, as_user):
    path = tree["PGZ"].path

    response = as_user(gd_coordinator).post(
        unit_url("move", tree["PGZ"]), {"new_parent": tree["PGZ01"].pk}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "new_parent": ["不能把机构移动到它自己或它的下级机构之下。"]
    }
    assert fresh(tree["PGZ"]).path == path


def test_move_that_breaks_the_nesting_is_refused(tree, gd_coordinator, as_user):
    response = as_user(gd_coordinator).post(
        unit_url("move", tree["PGZ01"]), {"new_parent": tree["PSZ0101"].pk}
    )

    assert response.context["form"].errors == {"new_parent": ["“县支公司”不能设在“营业网点”之下。"]}
    assert fresh(tree["PGZ01"]).get_parent() == tree["PGZ"]


def test_move_under_a_unit_outside_the_subtree_is_refused(tree, gz_coordinator, as_user):
    response = as_user(gz_coordinator).post(
        unit_url("move", tree["PGZ0101"]), {"new_parent": tree["PSZ01"].pk}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"new_parent": ["所选机构不在您的管理范围内。"]}
    assert fresh(tree["PGZ0101"]).get_parent() == tree["PGZ01"]


def test_move_to_the_same_parent_is_refused(tree, gz_coordinator, as_user):
    path = tree["PGZ0101"].path

    response = as_user(gz_coordinator).post(
        unit_url("move", tree["PGZ0101"]), {"new_parent": tree["PGZ01"].pk}
    )

    assert response.context["form"].errors == {"new_parent": ["该机构已在所选机构之下，无需移动。"]}
    assert fresh(tree["PGZ0101"]).path == path


# Deleting units


def test_only_superusers_delete_and_only_empty_leaves(tree, gz_coordinator, superuser, as_user):
    empty = make_unit(tree["PGZ01"], OrgUnitKind.OUTLET, "PGZ0199", "误建营业部")
    make_person(tree["PGZ0101"], Role.AGENT)

    client = as_user(gz_coordinator)
    assert is_refused(client.post(unit_url("delete", empty)))
    assert OrgUnit.objects.filter(pk=empty.pk).exists()

    client = as_user(superuser)
    for unit in (tree["PGZ01"], tree["PGZ0101"]):  # has a child / has people
        assert is_refused(client.get(unit_url("delete", unit)))
        assert is_refused(client.post(unit_url("delete", unit)))
    assert client.get(unit_url("delete", empty)).status_code == 200
    response = client.post(unit_url("delete", empty))
    assert response.status_code == 302
    assert not OrgUnit.objects.filter(pk=empty.pk).exists()
    assert fresh(tree["PGZ01"]).numchild == 1


# Scope: every URL of a unit or person outside the subtree


def unit_requests(unit):
    return [
        ("get", units_url(parent=unit.pk), None),
        ("get", reverse("org_units:index_results") + f"?parent={unit.pk}", None),
        ("get", reverse("org_units:add") + f"?parent={unit.pk}", None),
        (
            "post",
            reverse("org_units:add") + f"?parent={unit.pk}",
            {"kind": "outlet", "name": "越权", "code": "HACK1", "region_code": "440100"},
        ),
        ("get", unit_url("edit", unit), None),
        ("post", unit_url("edit", unit), {"name": "越权", "code": unit.code, "region_code": ""}),
        ("get", unit_url("move", unit), None),
        ("post", unit_url("move", unit), {"new_parent": unit.pk}),
        ("get", unit_url("delete", unit), None),
        ("post", unit_url("delete", unit), None),
        ("get", unit_url("history", unit), None),
        ("get", reverse("org_units:history_results", args=[unit.pk]), None),
    ]


@pytest.mark.parametrize("code", ["PSZ", "PSZ01", "PSZ0101", "PGD", "L", "LGZ", "LGZ0101"])
def test_every_unit_url_outside_the_subtree_is_refused(tree, gz_coordinator, as_user, code):
    unit = tree[code]
    before = list(OrgUnit.objects.order_by("pk").values_list("pk", "name", "path", "is_active"))
    client = as_user(gz_coordinator)

    for method, url, data in unit_requests(unit):
        response = getattr(client, method)(url, data or {})
        assert is_refused(response), (method, url, response.status_code)

    assert list(OrgUnit.objects.order_by("pk").values_list("pk", "name", "path", "is_active")) == (
        before
    )


def person_requests(person):
    return [
        ("get", person_url("edit", person), None),
        (
            "post",
            person_url("edit", person),
            {
                "name": "越权",
                "mobile": person.mobile,
                "org_unit": person.org_unit_id,
                "channel": person.channel,
                "roles": [Role.AGENT],
                "is_active": "on",
            },
        ),
        ("get", person_url("password", person), None),
        (
            "post",
            person_url("password", person),
            {"new_password1": "Hacked-pass-2025", "new_password2": "Hacked-pass-2025"},
        ),
        ("get", person_url("deactivate", person), None),
        ("post", person_url("deactivate", person), None),
        ("get", person_url("delete", person), None),
        ("post", person_url("delete", person), None),
        ("get", person_url("history", person), None),
        ("get", reverse("org_people:history_results", args=[person.pk]), None),
    ]


@pytest.mark.parametrize("code", ["PSZ", "PSZ0101", "PGD", "LGZ", "LGZ0101"])
def test_every_person_url_outside_the_subtree_is_refused(tree, gz_coordinator, as_user, code):
    person = make_person(tree[code], Role.AGENT, name="外人")
    client = as_user(gz_coordinator)

    for method, url, data in person_requests(person):
        response = getattr(client, method)(url, data or {})
        assert is_refused(response), (method, url, response.status_code)

    person = fresh(person)
    assert (person.name, person.is_active, person.user.is_active) == ("外人", True, True)
    assert person.user.check_password("pass-word-123")


def test_people_listing_shows_only_the_subtree(tree, gz_coordinator, as_user):
    inside = make_person(tree["PGZ0101"], Role.AGENT)
    outside = [make_person(tree[code], Role.AGENT) for code in ("PSZ0101", "PGD", "LGZ0101")]
    client = as_user(gz_coordinator)

    response = client.get(reverse("org_people:index"))
    assert sorted(listed(response)) == sorted([gz_coordinator.employee_no, inside.employee_no])

    # A unit of another branch in the filter is refused, and the listing stays in the subtree.
    response = client.get(reverse("org_people:index") + f"?unit={tree['PSZ0101'].pk}")
    assert set(listed(response)).isdisjoint(person.employee_no for person in outside)

    for person in outside:
        response = client.get(reverse("org_people:index") + f"?q={person.employee_no}")
        assert listed(response) == []


def test_people_search_and_filters(tree, gd_coordinator, as_user):
    zhang = make_person(tree["PGZ0101"], Role.AGENT, name="张小明", channel=Channel.COUNTER)
    li = make_person(tree["PSZ0101"], Role.AGENT, Role.LECTURER, name="李小红")
    wang = make_person(tree["PGZ01"], Role.MANAGER, name="王大力")
    person_deactivate(person=wang)
    client = as_user(gd_coordinator)
    index = reverse("org_people:index")

    assert listed(client.get(f"{index}?q=小明")) == [zhang.employee_no]
    assert listed(client.get(f"{index}?q={li.employee_no}")) == [li.employee_no]
    assert sorted(listed(client.get(f"{index}?unit={tree['PGZ'].pk}"))) == sorted(
        [zhang.employee_no, wang.employee_no]
    )
    assert listed(client.get(f"{index}?channel=counter")) == [zhang.employee_no]
    assert listed(client.get(f"{index}?role=lecturer")) == [li.employee_no]
    assert listed(client.get(f"{index}?is_active=false")) == [wang.employee_no]


# Managing people


def person_data(unit, **overrides):
    return {
        "employee_no": "A5001",
        "name": "赵六",
        "mobile": "13800138000",
        "email": "zhao@example.com",
        "org_unit": unit.pk,
        "channel": Channel.AGENT_FORCE,
        "roles": [Role.AGENT],
        "hire_date": "2025-03-01",
        **overrides,
    }


def test_person_forms_offer_only_units_of_the_subtree(tree, gz_coordinator, as_user):
    agent = make_person(tree["PGZ0101"], Role.AGENT)
    client = as_user(gz_coordinator)

    for url in (
        reverse("org_people:add") + f"?unit={tree['PGZ01'].pk}",
        person_url("edit", agent),
    ):
        response = client.get(url)
        assert response.status_code == 200
        choices = [unit.code for unit in response.context["form"].fields["org_unit"].queryset]
        assert choices == ["PGZ", "PGZ01", "PGZ0101"]
    add_form = client.get(reverse("org_people:add") + f"?unit={tree['PGZ01'].pk}").context["form"]
    assert add_form.initial["org_unit"] == str(tree["PGZ01"].pk)
    assert client.get(person_url("password", agent)).status_code == 200


def test_coordinator_adds_a_person_without_a_password(tree, gz_coordinator, as_user):
    response = as_user(gz_coordinator).post(
        reverse("org_people:add"), person_data(tree["PGZ0101"], roles=[Role.AGENT, Role.LECTURER])
    )

    assert response.status_code == 302
    person = Person.objects.get(employee_no="A5001")
    assert person.org_unit == tree["PGZ0101"]
    assert person.roles == {Role.AGENT, Role.LECTURER}
    assert person.user.email == "zhao@example.com"
    assert not person.user.has_usable_password()


def test_a_duplicate_employee_number_is_refused_with_the_service_message(
    tree, gz_coordinator, as_user
):
    make_person(tree["PSZ0101"], employee_no="A5001")

    response = as_user(gz_coordinator).post(reverse("org_people:add"), person_data(tree["PGZ01"]))

    assert response.status_code == 200
    assert response.context["form"].errors == {"employee_no": ["工号 A5001 已被使用。"]}
    assert Person.objects.filter(employee_no="A5001").count() == 1


def test_a_person_cannot_be_put_in_a_unit_outside_the_subtree(tree, gz_coordinator, as_user):
    client = as_user(gz_coordinator)
    agent = make_person(tree["PGZ0101"], Role.AGENT)

    response = client.post(reverse("org_people:add"), person_data(tree["PSZ0101"]))
    assert response.context["form"].errors == {"org_unit": ["所选机构不在您的管理范围内。"]}
    assert not Person.objects.filter(employee_no="A5001").exists()

    data = person_data(tree["LGZ0101"], is_active="on")
    del data["employee_no"]
    response = client.post(person_url("edit", agent), data)
    assert response.context["form"].errors == {"org_unit": ["所选机构不在您的管理范围内。"]}
    assert fresh(agent).org_unit == tree["PGZ0101"]


def test_editing_a_persons_unit_moves_them_and_tells_the_other_apps(tree, gz_coordinator, as_user):
    agent = make_person(tree["PGZ0101"], Role.AGENT)
    moves = []

    def receiver(sender, **kwargs):
        moves.append((kwargs["old_path"], kwargs["new_path"]))

    person_moved.connect(receiver)
    try:
        data = person_data(tree["PGZ01"], roles=[Role.AGENT, Role.MANAGER], is_active="on")
        del data["employee_no"]
        response = as_user(gz_coordinator).post(person_url("edit", agent), data)
    finally:
        person_moved.disconnect(receiver)

    assert response.status_code == 302
    agent = fresh(agent)
    assert (agent.name, agent.org_unit, agent.roles) == (
        "赵六",
        tree["PGZ01"],
        {Role.AGENT, Role.MANAGER},
    )
    assert moves == [(tree["PGZ0101"].path, tree["PGZ01"].path)]


def test_deactivation_keeps_the_person(tree, gz_coordinator, as_user):
    agent = make_person(tree["PGZ0101"], Role.AGENT)
    client = as_user(gz_coordinator)

    assert client.get(person_url("deactivate", agent)).status_code == 200
    response = client.post(person_url("deactivate", agent))

    assert response.status_code == 302
    agent = fresh(agent)
    assert (agent.is_active, agent.user.is_active) == (False, False)
    assert ModelLogEntry.objects.filter(
        object_id=str(agent.pk), action="organization.deactivate"
    ).exists()


def test_coordinator_cannot_lock_themselves_out(tree, gz_coordinator, as_user):
    client = as_user(gz_coordinator)

    client.post(person_url("deactivate", gz_coordinator))
    assert fresh(gz_coordinator).is_active

    data = person_data(tree["PGZ"], roles=[Role.AGENT], is_active="on")
    del data["employee_no"]
    response = client.post(person_url("edit", gz_coordinator), data)
    assert response.context["form"].non_field_errors() == [
        "不能停用自己、把自己调到其他机构或取消自己的培训管理员角色，请联系上级培训管理员。"
    ]
    assert fresh(gz_coordinator).has_role(Role.COORDINATOR)


def test_coordinator_sets_a_password(tree, gz_coordinator, as_user):
    agent = make_person(tree["PGZ0101"], Role.AGENT, password=None)
    client = as_user(gz_coordinator)

    response = client.post(
        person_url("password", agent), {"new_password1": "123", "new_password2": "123"}
    )
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    assert not fresh(agent).user.has_usable_password()

    response = client.post(
        person_url("password", agent),
        {"new_password1": "Spring-train-2025", "new_password2": "Spring-train-2025"},
    )
    assert response.status_code == 302
    assert fresh(agent).user.check_password("Spring-train-2025")


def test_setting_a_password_lifts_the_accounts_lockout(tree, gz_coordinator, as_user):
    agent = make_person(tree["PGZ0101"], Role.AGENT)
    AccessAttempt.objects.create(
        username=agent.employee_no,
        ip_address="10.0.0.8",
        user_agent="",
        http_accept="",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )

    as_user(gz_coordinator).post(
        person_url("password", agent),
        {"new_password1": "Spring-train-2025", "new_password2": "Spring-train-2025"},
    )

    assert not AccessAttempt.objects.filter(username=agent.employee_no).exists()


def test_nobody_deletes_a_person(tree, superuser, as_user):
    agent = make_person(tree["PGZ0101"], Role.AGENT)
    client = as_user(superuser)

    assert is_refused(client.get(person_url("delete", agent)))
    assert is_refused(client.post(person_url("delete", agent)))
    assert Person.objects.filter(pk=agent.pk).exists()


def test_superuser_accounts_are_beyond_coordinators(tree, gz_coordinator, as_user):
    boss = make_person(tree["PGZ0101"], Role.AGENT)
    User.objects.filter(pk=boss.user_id).update(is_superuser=True)
    client = as_user(gz_coordinator)

    assert client.get(person_url("password", boss)).status_code == 404
    assert boss.employee_no not in listed(client.get(reverse("org_people:index")))


# Roles without the admin of the tree


ADMIN_URL_NAMES = ["org_units:index", "org_units:add", "org_people:index", "org_people:add"]


@pytest.mark.parametrize("role", [Role.LECTURER, Role.MANAGER, Role.AGENT])
def test_other_roles_are_refused_and_see_no_menu(tree, as_user, role):
    person = make_person(tree["PGZ"], role)
    agent = make_person(tree["PGZ0101"], Role.AGENT)
    client = as_user(person)

    urls = [reverse(name) for name in ADMIN_URL_NAMES] + [
        unit_url("edit", tree["PGZ01"]),
        unit_url("move", tree["PGZ01"]),
        person_url("edit", agent),
        person_url("password", agent),
    ]
    for url in urls:
        response = client.get(url)
        if role == Role.LECTURER:  # in the admin, but without the permissions
            assert is_refused(response), url
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login"))

    if role == Role.LECTURER:
        dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
        assert reverse("org_units:index") not in dashboard
        assert reverse("org_people:index") not in dashboard


def test_coordinator_sees_the_menu(tree, gz_coordinator, as_user):
    dashboard = as_user(gz_coordinator).get(reverse("wagtailadmin_home")).content.decode()

    assert reverse("org_units:index") in dashboard
    assert reverse("org_people:index") in dashboard


# Query counts


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_unit_listing_queries_do_not_grow_with_the_rows(
    tree, gd_coordinator, as_user, django_assert_max_num_queries
):
    county = tree["PGZ01"]
    client = as_user(gd_coordinator)

    def add_outlets(start, stop):
        for number in range(start, stop):
            outlet = make_unit(county, OrgUnitKind.OUTLET, f"PGZ01{number:02d}", f"营业部{number}")
            make_person(outlet, Role.AGENT)

    add_outlets(2, 6)
    few, response = count_queries(client, units_url(parent=county.pk))
    assert len(listed(response)) == 5
    add_outlets(6, 31)
    with django_assert_max_num_queries(UNIT_INDEX_QUERIES):
        many, response = count_queries(client, units_url(parent=county.pk))
    assert len(listed(response)) == 30
    assert many == few


def test_people_listing_queries_do_not_grow_with_the_rows(
    tree, gd_coordinator, as_user, django_assert_max_num_queries
):
    client = as_user(gd_coordinator)
    for _ in range(4):
        make_person(tree["PGZ0101"], Role.AGENT, Role.LECTURER)

    few, response = count_queries(client, reverse("org_people:index"))
    assert len(listed(response)) == 5
    for _ in range(25):
        make_person(tree["PSZ0101"], Role.AGENT)
    with django_assert_max_num_queries(PEOPLE_INDEX_QUERIES):
        many, response = count_queries(client, reverse("org_people:index"))
    assert len(listed(response)) == 30
    assert many == few
