"""Bearer-token clients of the platform's JSON APIs, in one place for every API.

Each API has its own client and call-log models (quizzes' certification check, reports'
statistics), built on ``ApiClientBase`` / ``ApiCallBase``, so a token opens exactly one API and
each API keeps the admin rules that fit it. What they share lives here:

- tokens: ``cst_`` + 43 characters of ``secrets.token_urlsafe(32)`` (256 random bits). Only their
  SHA-256 is stored; a token this random needs no slow password hash, and the digest is looked up
  directly (unique index), so checking one costs one query. A token is shown once, when it is
  made or replaced (``api_client_create``, ``api_client_rotate_token``);
- ``TokenApi``: the ``Authorization: Bearer`` header, JSON errors ``{"error": "<中文>"}`` (401
  without or with a wrong token, 403 for a disabled client) and one call-log row per request,
  the refused ones included.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models, transaction
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

TOKEN_PREFIX = "cst_"
TOKEN_HINT_LENGTH = 8
MAX_LOGGED_PARAMETER = 64


def api_token_new() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def api_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiClientBase(models.Model):
    name = models.CharField(gettext_lazy("名称"), max_length=100, unique=True)
    description = models.TextField(gettext_lazy("说明"), blank=True)
    # SHA-256 of the bearer token, hex; the token itself is shown once, when it is made.
    token_hash = models.CharField(
        gettext_lazy("令牌摘要"), max_length=64, unique=True, editable=False
    )
    token_hint = models.CharField(gettext_lazy("令牌开头"), max_length=16, editable=False)
    is_active = models.BooleanField(gettext_lazy("启用"), default=True)
    created_at = models.DateTimeField(gettext_lazy("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    token_rotated_at = models.DateTimeField(gettext_lazy("令牌更换时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(gettext_lazy("最近调用时间"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name


class ApiCallBase(models.Model):
    """One request to an API, whatever its outcome; the concrete model adds ``client``."""

    at = models.DateTimeField(gettext_lazy("时间"), db_index=True)
    ip = models.GenericIPAddressField(gettext_lazy("来源地址"), null=True, blank=True)
    query = models.JSONField(gettext_lazy("查询"), default=dict)
    status_code = models.PositiveSmallIntegerField(gettext_lazy("状态码"))
    result = models.JSONField(gettext_lazy("结果"), default=dict)

    class Meta:
        abstract = True
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} · {self.client or '-'} · {self.status_code}"


def _set_token(client: ApiClientBase) -> str:
    token = api_token_new()
    client.token_hash = api_token_hash(token)
    client.token_hint = token[:TOKEN_HINT_LENGTH]
    return token


@transaction.atomic
def api_client_create(
    *, model: type[ApiClientBase], name: str, user=None, **fields
) -> tuple[ApiClientBase, str]:
    """A new client of ``model`` and its token (shown once; only the digest is kept)."""
    client = model(name=name.strip(), **fields)
    token = _set_token(client)
    client.created_by = user if user is not None and user.is_authenticated else None
    client.full_clean(exclude=["created_by"])
    client.save()
    return client, token


@transaction.atomic
def api_client_rotate_token(*, client: ApiClientBase) -> str:
    """Replace the client's token: the old one stops working at once."""
    client = type(client).objects.select_for_update().get(pk=client.pk)
    token = _set_token(client)
    client.token_rotated_at = timezone.now()
    client.save(update_fields=["token_hash", "token_hint", "token_rotated_at"])
    return token


def bearer_token(request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _space, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class TokenApi:
    """The authentication and call log of one API (its client and call models, its realm)."""

    def __init__(self, *, client_model, call_model, realm: str):
        self.client_model = client_model
        self.call_model = call_model
        self.realm = realm

    def query(self, request, names) -> dict:
        """The parameters worth logging, cut short (a log is not a place for megabytes)."""
        return {
            name: request.GET.get(name, "")[:MAX_LOGGED_PARAMETER]
            for name in names
            if name in request.GET
        }

    def client_for_token(self, token: str):
        if not token.startswith(TOKEN_PREFIX):
            return None
        return self.client_model.objects.filter(token_hash=api_token_hash(token)).first()

    def authenticate(self, request, *, query: dict):
        """``(client, None)`` for an active client, else ``(None, the logged error response)``."""
        token = bearer_token(request)
        client = self.client_for_token(token) if token else None
        if client is None:
            message = (
                _("缺少访问令牌：请在请求头中提供 Authorization: Bearer <令牌>。")
                if token is None
                else _("访问令牌无效。")
            )
            challenge = f'Bearer realm="{self.realm}"'
            if token is not None:
                challenge += ', error="invalid_token"'
            return None, self.error(
                request,
                client=None,
                query=query,
                status=401,
                message=message,
                headers={"WWW-Authenticate": challenge},
            )
        if not client.is_active:
            return None, self.error(
                request,
                client=client,
                query=query,
                status=403,
                message=_("该接口客户端已停用，请联系培训管理员。"),
            )
        return client, None

    def respond(
        self, request, *, client, query, status, result, logged=None, headers=None
    ) -> JsonResponse:
        """The JSON answer, logged with ``logged`` (default: the whole result)."""
        now = timezone.now()
        self.call_model.objects.create(
            client=client,
            at=now,
            ip=request.META.get("REMOTE_ADDR") or None,
            query=query,
            status_code=status,
            result=result if logged is None else logged,
        )
        if client is not None and status != 401:
            self.client_model.objects.filter(pk=client.pk).update(last_used_at=now)
        return JsonResponse(
            result, status=status, headers=headers, json_dumps_params={"ensure_ascii": False}
        )

    def error(self, request, *, client, query, status, message, headers=None, **extra):
        return self.respond(
            request,
            client=client,
            query=query,
            status=status,
            result={"error": message, **extra},
            headers=headers,
        )
