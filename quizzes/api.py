"""The certification check API for the group's sales systems, and its client tokens.

``GET /api/v1/certification-check?agent=<工号>&line=<产品线或公司代码>`` with
``Authorization: Bearer <token>`` answers whether the agent holds a valid certification to sell
that line's products today, and until when::

    {"agent": "P0001", "line": "life", "certified": true,
     "certification": "产代寿交叉销售资格", "expires_on": "2027-05-01", "serial": "CDS-2025-000042"}

Errors are JSON ``{"error": "<中文>"}``: 401 without or with a wrong token, 403 for a disabled
client, 400 for a missing or unknown parameter, 404 for an unknown agent. Every request is
logged (``ApiCall``: client, query, status, result, time, address), the refused ones included.

Tokens: ``cst_`` + 43 characters of ``secrets.token_urlsafe(32)`` (256 random bits). Only their
SHA-256 is stored; a token this random needs no slow password hash, and the digest is looked up
directly (unique index), so checking one costs one query. The token is shown once, when it is made
or replaced in the admin.
"""

import hashlib
import secrets

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .certificate_selectors import (
    UnknownLine,
    agent_by_employee_no,
    companies_for_line,
    valid_certificate_for_line,
)
from .models import ApiCall, ApiClient

TOKEN_PREFIX = "cst_"
TOKEN_HINT_LENGTH = 8
MAX_LOGGED_PARAMETER = 64


def api_token_new() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def api_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _set_token(client: ApiClient) -> str:
    token = api_token_new()
    client.token_hash = api_token_hash(token)
    client.token_hint = token[:TOKEN_HINT_LENGTH]
    return token


@transaction.atomic
def api_client_create(*, name: str, description: str = "", user=None) -> tuple[ApiClient, str]:
    """A new client and its token (shown once; only the digest is kept)."""
    client = ApiClient(name=name.strip(), description=description)
    token = _set_token(client)
    client.created_by = user if user is not None and user.is_authenticated else None
    client.full_clean(exclude=["created_by"])
    client.save()
    return client, token


@transaction.atomic
def api_client_rotate_token(*, client: ApiClient) -> str:
    """Replace the client's token: the old one stops working at once."""
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    token = _set_token(client)
    client.token_rotated_at = timezone.now()
    client.save(update_fields=["token_hash", "token_hint", "token_rotated_at"])
    return token


def api_client_for_token(token: str) -> ApiClient | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    return ApiClient.objects.filter(token_hash=api_token_hash(token)).first()


def _bearer_token(request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _space, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _respond(request, *, client, query, status, result, headers=None) -> JsonResponse:
    now = timezone.now()
    ApiCall.objects.create(
        client=client,
        at=now,
        ip=request.META.get("REMOTE_ADDR") or None,
        query=query,
        status_code=status,
        result=result,
    )
    if client is not None and status != 401:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
    return JsonResponse(
        result, status=status, headers=headers, json_dumps_params={"ensure_ascii": False}
    )


def _error(request, *, client, query, status, message, headers=None) -> JsonResponse:
    return _respond(
        request,
        client=client,
        query=query,
        status=status,
        result={"error": message},
        headers=headers,
    )


@login_not_required
@require_GET
def certification_check(request):
    query = {
        key: request.GET.get(key, "")[:MAX_LOGGED_PARAMETER]
        for key in ("agent", "line")
        if key in request.GET
    }
    token = _bearer_token(request)
    client = api_client_for_token(token) if token else None
    if client is None:
        message = (
            _("缺少访问令牌：请在请求头中提供 Authorization: Bearer <令牌>。")
            if token is None
            else _("访问令牌无效。")
        )
        challenge = 'Bearer realm="certification-check"'
        if token is not None:
            challenge += ', error="invalid_token"'
        return _error(
            request,
            client=None,
            query=query,
            status=401,
            message=message,
            headers={"WWW-Authenticate": challenge},
        )
    if not client.is_active:
        return _error(
            request,
            client=client,
            query=query,
            status=403,
            message=_("该接口客户端已停用，请联系培训管理员。"),
        )
    agent_no, line = query.get("agent", "").strip(), query.get("line", "").strip()
    if not agent_no or not line:
        return _error(
            request,
            client=client,
            query=query,
            status=400,
            message=_("请提供参数 agent（业务人员工号）和 line（产品线或公司代码）。"),
        )
    try:
        line_key, companies = companies_for_line(line)
    except UnknownLine:
        return _error(
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
        return _error(
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
    return _respond(request, client=client, query=query, status=200, result=result)
