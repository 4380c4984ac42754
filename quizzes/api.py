"""The certification check API for the group's sales systems, and its client tokens.

``GET /api/v1/certification-check?agent=<工号>&line=<产品线或公司代码>`` with
``Authorization: Bearer <token>`` answers whether the agent holds a valid certification to sell
that line's products today, and until when::

    {"agent": "P0001", "line": "life", "certified": true,
     "certification": "产代寿交叉销售资格", "expires_on": "2027-05-01", "serial": "CDS-2025-000042"}

Errors are JSON ``{"error": "<中文>"}``: 401 without or with a wrong token, 403 for a disabled
client, 400 for a missing or unknown parameter, 404 for an unknown agent. Every request is
logged (``ApiCall``: client, query, status, result, time, address), the refused ones included.

Tokens and the call log: ``organization.api_clients`` (shared with reports' statistics API);
a certification-check token opens this API only.
"""

from django.contrib.auth.decorators import login_not_required
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from organization import api_clients
from organization.api_clients import TOKEN_HINT_LENGTH, api_client_rotate_token, api_token_hash

from .certificate_selectors import (
    UnknownLine,
    agent_by_employee_no,
    companies_for_line,
    valid_certificate_for_line,
)
from .models import ApiCall, ApiClient

# Re-exported for the demo loader and the tests.
__all__ = ["TOKEN_HINT_LENGTH", "api_client_rotate_token", "api_token_hash"]

API = api_clients.TokenApi(client_model=ApiClient, call_model=ApiCall, realm="certification-check")


def api_client_create(*, name: str, description: str = "", user=None) -> tuple[ApiClient, str]:
    """A new client and its token (shown once; only the digest is kept)."""
    return api_clients.api_client_create(
        model=ApiClient, name=name, description=description, user=user
    )


@login_not_required
@require_GET
def certification_check(request):
    query = API.query(request, ("agent", "line"))
    client, refused = API.authenticate(request, query=query)
    if refused is not None:
        return refused
    agent_no, line = query.get("agent", "").strip(), query.get("line", "").strip()
    if not agent_no or not line:
        return API.error(
            request,
            client=client,
            query=query,
            status=400,
            message=_("请提供参数 agent（业务人员工号）和 line（产品线或公司代码）。"),
        )
    try:
        line_key, companies = companies_for_line(line)
    except UnknownLine:
        return API.error(
            request,
            client=client,
            query=query,
            status=400,
            message=_(
                "未知的产品线：%(line)s。可用 pc（财产险）、life（寿险）、health（健康险）、"
                "pension（养老险），或公司代码。"
            )
            % {"line": line},
        )
    person = agent_by_employee_no(agent_no)
    if person is None:
        return API.error(
            request,
            client=client,
            query=query,
            status=404,
            message=_("没有工号为 %(no)s 的业务人员。") % {"no": agent_no},
        )
    certificate = valid_certificate_for_line(
        person=person, companies=companies, today=timezone.localdate()
    )
    result = {
        "agent": person.employee_no,
        "line": line_key,
        "certified": certificate is not None,
        "certification": certificate.certification.name if certificate else None,
        "expires_on": certificate.expires_on.isoformat() if certificate else None,
        "serial": certificate.serial if certificate else None,
    }
    return API.respond(request, client=client, query=query, status=200, result=result)
