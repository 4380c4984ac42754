"""The statistics API: tokens scoped to a subtree, the dashboard's numbers as JSON, keyset pages,
an OpenAPI document that every answer is checked against, and the clients' admin."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from courses.services import enrollment_complete
from organization.api_clients import api_client_create, api_client_rotate_token
from organization.models import OrgUnitKind, Role
from quizzes.api import api_client_create as quiz_client_create
from reports.models import StatisticsCall, StatisticsClient
from reports.urls import urlpatterns
from tests.organization.factories import make_unit

from .test_courses import assign

UNITS, COURSES, PEOPLE = (
    "/api/v1/statistics/units/",
    "/api/v1/statistics/courses/",
    "/api/v1/statistics/people/",
)
OPENAPI = "/api/v1/statistics/openapi.json"


def token_for(unit, name="集团统计系统"):
    _client, token = api_client_create(model=StatisticsClient, name=name, scope=unit)
    return token


@pytest.fixture
def gd_token(tree):
    return token_for(tree["PGD"])


def ask(client, url, token, **params):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.get(url, params, headers=headers, REMOTE_ADDR="10.9.8.7")


@pytest.fixture
def progress(tree, courses, person_factory):
    """广州: 张三 completed course 0 and is overdue on course 1 (assigned to 广州 agents,
    three days late); 李四 is overdue on course 1; 深圳: 王五, nothing."""
    coordinator = person_factory(tree["PGD"], Role.COORDINATOR, channel="employee")
    zhang = person_factory(tree["PGZ0101"], Role.AGENT, name="张三", employee_no="P001")
    li = person_factory(tree["PGZ0101"], Role.AGENT, name="李四", employee_no="P002")
    wang = person_factory(tree["PSZ0101"], Role.AGENT, name="王五", employee_no="P003")
    enrollment_complete(person=zhang, course=courses[0], at=timezone.now())
    assign(coordinator, courses[1], tree["PGZ"], due_in=-3)
    return {"zhang": zhang, "li": li, "wang": wang}


def test_units_gives_every_column_of_the_dashboard_per_child_and_the_total(
    client, tree, progress, gd_token
):
    response = ask(client, UNITS, gd_token)

    assert response.status_code == 200
    answer = response.json()
    assert answer["unit"]["name"] == "人保财险广东分公司"
    assert [row["unit"]["code"] for row in answer["results"]] == ["PGZ", "PSZ"]
    gz, sz = answer["results"]
    assert (gz["agents"], gz["enrolled"], gz["completed"], gz["overdue"]) == (2, 3, 1, 2)
    assert gz["completion"] == 33.3
    assert (sz["agents"], sz["enrolled"], sz["completion"]) == (1, 0, None)
    assert answer["total"]["agents"] == 3 and answer["total"]["enrolled"] == 3
    labels = {column["key"]: column["label"] for column in answer["columns"]}
    assert labels["overdue"] == "逾期未完成"
    assert set(labels) <= set(gz)


def test_units_drills_down_to_a_unit_inside_the_scope(client, tree, progress, gd_token):
    answer = ask(client, UNITS, gd_token, unit=tree["PGZ"].pk).json()
    assert answer["unit"]["code"] == "PGZ"
    assert [row["unit"]["name"] for row in answer["results"]] == ["广州第一支公司"]
    assert answer["results"][0]["overdue"] == 2


def test_courses_gives_the_totals_per_course(client, tree, courses, progress, gd_token):
    answer = ask(client, COURSES, gd_token, unit=tree["PGZ"].pk).json()
    by_id = {row["course_id"]: row for row in answer["results"]}
    assert by_id[courses[0].pk]["completed"] == 1
    assert by_id[courses[0].pk]["completion"] == 100.0
    assert by_id[courses[1].pk]["overdue"] == 2


def test_people_are_paged_by_id_with_a_next_link_until_the_last_page(
    client, tree, courses, progress, gd_token
):
    first = ask(client, PEOPLE, gd_token, page_size=2, channel="agent_force").json()
    assert [row["name"] for row in first["results"]] == ["张三", "李四"]
    assert first["results"][0] | {"unit": None} == {
        "id": progress["zhang"].pk,
        "employee_no": "P001",
        "name": "张三",
        "channel": "agent_force",
        "unit": None,
        "enrolled": 2,
        "completed": 1,
        "overdue": 1,
    }
    assert first["results"][0]["unit"]["name"] == "广州第一营业部"
    assert first["next"].startswith("http://testserver/api/v1/statistics/people/?")
    assert "channel=agent_force" in first["next"]

    second = client.get(first["next"], headers={"Authorization": f"Bearer {gd_token}"}).json()
    assert [row["name"] for row in second["results"]] == ["王五"]
    assert second["next"] is None


def test_people_count_only_the_course_asked_for(client, tree, courses, progress, gd_token):
    answer = ask(client, PEOPLE, gd_token, unit=tree["PGZ"].pk, course=courses[1].pk).json()
    assert [(row["enrolled"], row["completed"], row["overdue"]) for row in answer["results"]] == [
        (1, 0, 1),
        (1, 0, 1),
    ]


def test_page_size_is_capped_and_bad_paging_is_a_400(client, tree, progress, gd_token):
    assert ask(client, PEOPLE, gd_token, page_size=100000).json()["page_size"] == 500
    response = ask(client, PEOPLE, gd_token, page_size=0)
    assert response.status_code == 400
    assert response.json() == {"error": "参数 page_size 须为不小于 1 的整数。"}
    assert ask(client, PEOPLE, gd_token, after="x").status_code == 400
    assert ask(client, PEOPLE, gd_token, after="²").status_code == 400


@pytest.mark.parametrize("url", [UNITS, COURSES, PEOPLE])
@pytest.mark.parametrize("code", ["LGD", "P", "group", "PSZ0101"])
def test_a_unit_outside_the_clients_scope_is_404(client, tree, url, code):
    token = token_for(tree["PGZ"])
    response = ask(client, url, token, unit=tree[code].pk)
    assert response.status_code == 404
    assert response.json() == {
        "error": f"没有编号为 {tree[code].pk} 的机构，或它不在该客户端的数据范围内。"
    }


@pytest.mark.parametrize("url", [UNITS, COURSES, PEOPLE])
@pytest.mark.parametrize("unit", ["1 OR 1=1", "²", "-1"])
def test_a_malformed_unit_is_404_too(client, gd_token, url, unit):
    assert ask(client, url, gd_token, unit=unit).status_code == 404


@pytest.mark.parametrize("url", [UNITS, COURSES, PEOPLE])
def test_missing_wrong_rotated_disabled_and_certification_check_tokens_are_refused(
    client, tree, url
):
    _stats, token = api_client_create(model=StatisticsClient, name="统计系统", scope=tree["P"])

    response = ask(client, url, None)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="statistics"'
    assert response.json()["error"].startswith("缺少访问令牌")

    assert ask(client, url, token[:-2] + "xx").json() == {"error": "访问令牌无效。"}
    # A certification-check client's token opens that API only.
    _quiz, quiz_token = quiz_client_create(name="寿险销售系统")
    assert ask(client, url, quiz_token).status_code == 401

    new_token = api_client_rotate_token(client=_stats)
    assert ask(client, url, token).status_code == 401
    assert ask(client, url, new_token).status_code == 200

    StatisticsClient.objects.update(is_active=False)
    response = ask(client, url, new_token)
    assert response.status_code == 403
    assert response.json() == {"error": "该接口客户端已停用，请联系培训管理员。"}


def test_a_statistics_token_does_not_open_the_certification_check(client, gd_token):
    response = ask(client, "/api/v1/certification-check", gd_token, agent="P001", line="life")
    assert response.status_code == 401


@pytest.mark.parametrize("url", [UNITS, COURSES, PEOPLE])
def test_a_filter_outside_the_scope_or_malformed_is_a_400_with_the_reasons(
    client, tree, gd_token, url
):
    response = ask(client, url, gd_token, company=tree["L"].pk, date_from="2026-02-30")
    assert response.status_code == 400
    answer = response.json()
    assert answer["error"] == "筛选条件有误，请按 fields 中的说明修改。"
    assert answer["fields"]["company"][0].startswith("选择一个有效的选项")
    assert answer["fields"]["date_from"] == ["输入一个有效的日期。"]
    response = ask(client, url, gd_token, date_from="2026-03-01", date_to="2026-02-01")
    assert response.json()["fields"] == {"__all__": ["截止日期不能早于起始日期。"]}


def test_every_call_is_logged_with_a_summary_not_the_data(client, tree, progress, gd_token):
    before = timezone.now()
    ask(client, PEOPLE, gd_token, page_size=2)
    ask(client, UNITS, gd_token, unit=tree["LGD"].pk)
    ask(client, UNITS, None)

    ok, refused, anonymous = StatisticsCall.objects.order_by("pk")
    assert (ok.status_code, ok.result, ok.query) == (
        200,
        {"results": 2, "next": True},
        {"page_size": "2"},
    )
    assert ok.ip == "10.9.8.7" and ok.client.name == "集团统计系统"
    assert refused.status_code == 404 and refused.result["error"].startswith("没有编号为")
    assert (anonymous.client, anonymous.status_code) == (None, 401)
    assert StatisticsClient.objects.get().last_used_at >= before


def _more_children(parent, n):
    for index in range(n):
        make_unit(parent, OrgUnitKind.PREFECTURE, f"PX{index}", f"新设分公司{index}")


def _queries(client, url, token, **params):
    with CaptureQueriesContext(connection) as captured:
        assert ask(client, url, token, **params).status_code == 200
    return len(captured)


def test_units_costs_the_same_queries_whatever_the_number_of_children(
    client, tree, courses, progress, gd_token, django_assert_max_num_queries
):
    params = {"course": courses[0].pk, "channel": "agent_force"}
    few = _queries(client, UNITS, gd_token, **params)
    _more_children(tree["PGD"], 6)
    with django_assert_max_num_queries(few):
        answer = ask(client, UNITS, gd_token, **params).json()
    assert len(answer["results"]) == 8
    # Now 10: token, scope, the course filter, children, one per column provider, the log (2).
    assert few <= 12


def test_people_cost_the_same_queries_whatever_the_page_size(
    client, tree, courses, progress, gd_token, person_factory, django_assert_max_num_queries
):
    one = _queries(client, PEOPLE, gd_token, page_size=1)
    for _index in range(6):
        person_factory(tree["PSZ0101"], Role.AGENT)
    with django_assert_max_num_queries(one):
        answer = ask(client, PEOPLE, gd_token, page_size=8).json()
    assert len(answer["results"]) == 8
    # Token, scope, people, their enrolments, the log (2).
    assert one == 6


def _api_paths():
    return {
        str(pattern.pattern).removeprefix("api/v1/statistics")
        for pattern in urlpatterns
        if pattern.name.startswith("api_") and pattern.name != "api_openapi"
    }


def test_the_openapi_document_is_valid_and_covers_every_endpoint(client):
    response = client.get(OPENAPI)
    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert set(document["paths"]) == _api_paths()
    assert document["servers"] == [{"url": "http://testserver/api/v1/statistics"}]


def _check(document, schema_name, answer):
    schema = {"$ref": f"#/components/schemas/{schema_name}", **document}
    errors = [error.message for error in Draft202012Validator(schema).iter_errors(answer)]
    assert errors == [], errors


def test_every_field_served_is_documented(client, tree, courses, progress, gd_token):
    document = client.get(OPENAPI).json()
    for path in _api_paths():
        operation = document["paths"][path]["get"]
        answer = ask(client, f"/api/v1/statistics{path}", gd_token, page_size=1).json()
        name = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        _check(document, name.rsplit("/", 1)[1], answer)
        assert answer["results"], path  # something was checked
    _check(document, "Error", ask(client, UNITS, gd_token, company=tree["L"].pk).json())


# The admin ---------------------------------------------------------------------------------


def test_a_coordinator_makes_a_client_for_their_subtree_and_sees_the_token_once(
    login, tree, person_factory
):
    coordinator = person_factory(tree["PGD"], Role.COORDINATOR)
    client = login(coordinator)
    add = reverse("statistics_clients:add")
    data = {"name": "广东统计系统", "description": "", "is_active": "on"}

    response = client.post(add, {**data, "scope": tree["LGD"].pk})
    assert response.status_code == 200 and "token" not in response.context
    assert not StatisticsClient.objects.exists()

    response = client.post(add, {**data, "scope": tree["PGZ"].pk})
    token = response.context["token"]
    assert token in response.content.decode()
    assert "该令牌只能读取“人保财险广州分公司”及其下属机构的统计数据。" in response.content.decode()
    stats = StatisticsClient.objects.get()
    assert stats.scope == tree["PGZ"] and token not in str(StatisticsClient.objects.values().get())
    edit = client.get(reverse("statistics_clients:edit", args=[stats.pk])).content.decode()
    assert token not in edit
    response = client.post(reverse("statistics_clients:rotate", args=[stats.pk]))
    assert ask(client, UNITS, response.context["token"]).status_code == 200
    assert ask(client, UNITS, token).status_code == 401


def test_a_coordinator_cannot_touch_a_client_above_or_beside_their_subtree(
    login, tree, person_factory
):
    above, token = api_client_create(model=StatisticsClient, name="财险统计", scope=tree["P"])
    ask(login(person_factory(tree["PGZ0101"], Role.AGENT)), UNITS, token, unit=tree["LGD"].pk)
    call = StatisticsCall.objects.get()
    coordinator = person_factory(tree["PGD"], Role.COORDINATOR)
    client = login(coordinator)
    assert "财险统计" not in client.get(reverse("statistics_clients:index")).content.decode()
    assert "财险统计" not in client.get(reverse("statistics_calls:index")).content.decode()
    for url in (
        reverse("statistics_clients:edit", args=[above.pk]),
        reverse("statistics_clients:history", args=[above.pk]),
    ):
        assert client.get(url).status_code == 404, url
    # Wagtail's refusal: back to the admin home.
    assert client.get(reverse("statistics_calls:inspect", args=[call.pk])).status_code == 302
    response = client.post(reverse("statistics_clients:rotate", args=[above.pk]))
    assert response.status_code == 404
    assert StatisticsClient.objects.get().token_hash == above.token_hash


@pytest.mark.parametrize("role", [Role.MANAGER, Role.LECTURER])
def test_managers_and_lecturers_have_no_client_admin(login, tree, person_factory, role):
    client = login(person_factory(tree["group"], role))
    assert client.get(reverse("statistics_clients:index")).status_code in (302, 403)
    assert client.get(reverse("statistics_calls:index")).status_code in (302, 403)


def test_superuser_opens_every_statistics_admin_page(admin_client, tree, gd_token):
    stats = StatisticsClient.objects.get()
    for url in (
        reverse("statistics_clients:index"),
        reverse("statistics_clients:add"),
        reverse("statistics_clients:edit", args=[stats.pk]),
        reverse("statistics_clients:rotate", args=[stats.pk]),
        reverse("statistics_calls:index"),
    ):
        assert admin_client.get(url).status_code == 200, url
