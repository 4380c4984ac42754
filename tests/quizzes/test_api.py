"""The certification check API: bearer tokens stored hashed, every call logged, JSON answers."""

import hashlib
from datetime import datetime

import pytest
from django.utils import timezone

from organization.models import Role
from quizzes.api import api_client_create, api_client_rotate_token
from quizzes.certificates import certificate_issue, certificate_revoke
from quizzes.models import ApiCall, ApiClient

from .certificate_factories import make_certification, make_quiz

URL = "/api/v1/certification-check"


@pytest.fixture
def agent(tree, person_factory):
    return person_factory(tree["PGZ0101"], Role.AGENT, employee_no="P20250001")


@pytest.fixture
def cds(tree):
    quiz = make_quiz(company=tree["L"], audience=[tree["P"]])
    return make_certification(
        quiz=quiz, product_company=tree["L"], name="产代寿交叉销售资格", code="CDS"
    )


@pytest.fixture
def token(db):
    _client, token = api_client_create(name="寿险销售系统")
    return token


def ask(client, token, **params):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.get(URL, params, headers=headers, REMOTE_ADDR="10.1.2.3")


def test_certified_agent_gets_the_certification_and_its_expiry(client, agent, cds, token):
    certificate = certificate_issue(certification=cds, person=agent, at=timezone.now())

    response = ask(client, token, agent="P20250001", line="life")

    assert response.status_code == 200
    assert response.json() == {
        "agent": "P20250001",
        "line": "life",
        "certified": True,
        "certification": "产代寿交叉销售资格",
        "expires_on": certificate.expires_on.isoformat(),
        "serial": certificate.serial,
    }


@pytest.mark.parametrize("line", ["life", "寿", "寿险", "L"])
def test_line_is_a_product_line_or_a_company_code(client, agent, cds, token, line):
    certificate_issue(certification=cds, person=agent, at=timezone.now())
    assert ask(client, token, agent="P20250001", line=line).json()["certified"] is True


def test_certification_for_another_line_does_not_count(client, agent, cds, token):
    certificate_issue(certification=cds, person=agent, at=timezone.now())
    answer = ask(client, token, agent="P20250001", line="health").json()
    assert answer == {
        "agent": "P20250001",
        "line": "health",
        "certified": False,
        "certification": None,
        "expires_on": None,
        "serial": None,
    }


def test_expired_or_revoked_certificate_is_not_certified(client, agent, cds, token, admin_user):
    certificate_issue(
        certification=cds, person=agent, at=timezone.make_aware(datetime(2020, 1, 2, 9, 0))
    )
    assert ask(client, token, agent="P20250001", line="life").json()["certified"] is False
    current = certificate_issue(certification=cds, person=agent, at=timezone.now())
    certificate_revoke(certificate=current, reason="违规", user=admin_user)
    assert ask(client, token, agent="P20250001", line="life").json()["certified"] is False


def test_missing_token_is_401_and_logged(client, agent, token):
    response = ask(client, None, agent="P20250001", line="life")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="certification-check"'
    assert response.json() == {
        "error": "缺少访问令牌：请在请求头中提供 Authorization: Bearer <令牌>。"
    }
    call = ApiCall.objects.get()
    assert (call.client, call.status_code, call.ip) == (None, 401, "10.1.2.3")
    assert call.query == {"agent": "P20250001", "line": "life"}


def test_wrong_token_is_401(client, agent, token):
    response = ask(client, token[:-2] + "xx", agent="P20250001", line="life")
    assert response.status_code == 401
    assert response.json() == {"error": "访问令牌无效。"}
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_disabled_client_is_403(client, agent, token):
    ApiClient.objects.update(is_active=False)
    response = ask(client, token, agent="P20250001", line="life")
    assert response.status_code == 403
    assert response.json() == {"error": "该接口客户端已停用，请联系培训管理员。"}
    assert ApiCall.objects.get().client.name == "寿险销售系统"


def test_unknown_agent_is_a_clear_json_error(client, cds, token):
    response = ask(client, token, agent="X999", line="life")
    assert response.status_code == 404
    assert response.json() == {"error": "没有工号为 X999 的业务人员。"}


def test_unknown_line_and_missing_parameters_are_400(client, agent, token):
    response = ask(client, token, agent="P20250001", line="车险")
    assert response.status_code == 400
    assert response.json()["error"].startswith("未知的产品线：车险。")
    response = ask(client, token, agent="P20250001")
    assert response.status_code == 400
    assert response.json() == {
        "error": "请提供参数 agent（业务人员工号）和 line（产品线或公司代码）。"
    }


def test_every_call_is_logged_with_client_query_result_time_and_address(client, agent, cds, token):
    before = timezone.now()
    ask(client, token, agent="P20250001", line="life")
    ask(client, token, agent="nobody", line="life")

    calls = list(ApiCall.objects.order_by("pk"))
    assert [call.status_code for call in calls] == [200, 404]
    assert all(call.client.name == "寿险销售系统" and call.ip == "10.1.2.3" for call in calls)
    assert calls[0].result["certified"] is False
    assert calls[1].result == {"error": "没有工号为 nobody 的业务人员。"}
    assert all(call.at >= before for call in calls)
    assert ApiClient.objects.get().last_used_at >= before


def test_token_is_stored_only_as_its_digest(token):
    client = ApiClient.objects.get()
    assert token.startswith("cst_") and len(token) == 47
    assert client.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert client.token_hint == token[:8]
    assert token not in str(ApiClient.objects.values().get())


def test_rotating_the_token_stops_the_old_one(client, agent, cds, token):
    new_token = api_client_rotate_token(client=ApiClient.objects.get())
    assert ask(client, token, agent="P20250001", line="life").status_code == 401
    assert ask(client, new_token, agent="P20250001", line="life").status_code == 200


def test_api_takes_no_session_and_no_post(client, agent, token, login):
    login(agent)
    assert client.get(URL, {"agent": "P20250001", "line": "life"}).status_code == 401
    response = client.post(URL, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 405
