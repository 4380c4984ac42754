"""The statistics API: read-only JSON of the dashboard's rollups for the group's statistics
system, under ``/api/v1/statistics/`` (documented by ``reports.openapi``, served at
``openapi.json``).

A ``StatisticsClient`` token (``Authorization: Bearer``, ``organization.api_clients``) reads its
``scope`` subtree only: ``?unit=`` defaults to the scope root, and a unit outside it is a 404, as
on the dashboard and in the certification check API. Filters are the dashboard's
(``reports.filters.FilterForm`` cut to the client's scope): an invalid one is a 400 with the
form's errors per field. Every call is logged (``StatisticsCall``) with a summary of the answer,
not the answer itself (a page of people does not belong in a log).
"""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from organization.api_clients import TokenApi
from organization.models import OrgUnit

from ..filters import FilterForm
from ..models import StatisticsCall, StatisticsClient
from ..openapi import openapi_document
from ..selectors import api as api_selectors
from ..selectors.courses import course_totals
from ..selectors.units import COLUMNS, UnitRow, child_units_table
from .dashboard import unit_in_scope

API = TokenApi(client_model=StatisticsClient, call_model=StatisticsCall, realm="statistics")
PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
LOGGED_PARAMETERS = ("unit", *FilterForm.base_fields, "after", "page_size")


class ApiError(Exception):
    def __init__(self, status: int, message: str, **extra):
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


def _unit(unit: OrgUnit) -> dict:
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "path": unit.path,
        "depth": unit.depth,
        "has_children": unit.numchild > 0,
    }


def _counts(row: UnitRow) -> dict:
    """Every column of the dashboard's table, by key (a ratio is a percent or null)."""
    return {column.key: cell.value for column, cell in zip(COLUMNS, row.cells(), strict=True)}


def _unit_in_scope(request, client: StatisticsClient) -> OrgUnit:
    """The dashboard's rule (``?unit=`` inside the scope, default its root), answered in JSON."""
    try:
        if not request.GET.get("unit", "0").isdecimal():
            raise Http404  # "²" passes isdigit() but not int() (see requests.md)
        return unit_in_scope(request, client.scope)
    except Http404:
        raise ApiError(
            404,
            _("没有编号为 %(id)s 的机构，或它不在该客户端的数据范围内。")
            % {"id": request.GET.get("unit", "")[:20]},
        ) from None


def _filters(request, client: StatisticsClient):
    form = FilterForm(request.GET, scope=client.scope)
    if not form.is_valid():
        raise ApiError(
            400,
            _("筛选条件有误，请按 fields 中的说明修改。"),
            fields={
                name: [str(message) for message in errors] for name, errors in form.errors.items()
            },
        )
    return form.filters()


def _whole_number(request, name: str, default: int, *, low: int) -> int:
    value = request.GET.get(name, "")
    if not value:
        return default
    if not value.isdecimal() or int(value) < low:
        raise ApiError(
            400, _("参数 %(name)s 须为不小于 %(low)d 的整数。") % {"name": name, "low": low}
        )
    return int(value)


def _endpoint(answer):
    """Authenticate, parse, answer and log; ``answer(request, client) -> (result, logged)``."""

    @login_not_required
    @require_GET
    def view(request):
        query = API.query(request, LOGGED_PARAMETERS)
        client, refused = API.authenticate(request, query=query)
        if refused is not None:
            return refused
        try:
            result, logged = answer(request, client)
        except ApiError as error:
            return API.error(
                request,
                client=client,
                query=query,
                status=error.status,
                message=error.message,
                **error.extra,
            )
        return API.respond(
            request, client=client, query=query, status=200, result=result, logged=logged
        )

    view.__name__ = answer.__name__
    view.__doc__ = answer.__doc__
    return view


@_endpoint
def units(request, client):
    """The child units of ``unit`` with every column of the dashboard's table, and its total."""
    unit = _unit_in_scope(request, client)
    filters = _filters(request, client)
    table = child_units_table(unit=unit, filters=filters, today=timezone.localdate())
    result = {
        "unit": _unit(unit),
        "columns": [
            {"key": column.key, "label": str(column.label), "ratio": bool(column.ratio_of)}
            for column in COLUMNS
        ],
        "total": _counts(table.total),
        "results": [{"unit": _unit(row.unit), **_counts(row)} for row in table.rows],
    }
    return result, {"results": len(table.rows)}


@_endpoint
def courses(request, client):
    """Enrolled / in progress / completed / overdue per course in ``unit``'s subtree."""
    unit = _unit_in_scope(request, client)
    filters = _filters(request, client)
    totals = course_totals(unit=unit, filters=filters, today=timezone.localdate())
    result = {
        "unit": _unit(unit),
        "results": [
            {
                "course_id": row.course_id,
                "title": row.title,
                "enrolled": row.enrolled,
                "in_progress": row.in_progress,
                "completed": row.completed,
                "overdue": row.overdue,
                "completion": row.completion,
            }
            for row in totals
        ],
    }
    return result, {"results": len(totals)}


@_endpoint
def people(request, client):
    """The active people of ``unit``'s subtree, one keyset page (``after`` = last id seen)."""
    unit = _unit_in_scope(request, client)
    filters = _filters(request, client)
    after = _whole_number(request, "after", 0, low=0)
    size = min(_whole_number(request, "page_size", PAGE_SIZE, low=1), MAX_PAGE_SIZE)
    rows, more = api_selectors.people_page(
        unit=unit, filters=filters, today=timezone.localdate(), after=after, size=size
    )
    next_url = None
    if more:
        params = request.GET.copy()
        params["after"] = rows[-1].person.pk
        next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    result = {
        "unit": _unit(unit),
        "page_size": size,
        "next": next_url,
        "results": [
            {
                "id": row.person.pk,
                "employee_no": row.person.employee_no,
                "name": row.person.name,
                "channel": row.person.channel,
                "unit": {
                    "id": row.person.org_unit_id,
                    "code": row.person.org_unit.code,
                    "name": row.person.org_unit.name,
                },
                "enrolled": row.enrolled,
                "completed": row.completed,
                "overdue": row.overdue,
            }
            for row in rows
        ],
    }
    return result, {"results": len(rows), "next": next_url is not None}


@login_not_required
@require_GET
def openapi(request):
    """The OpenAPI 3.1 document of this API (public: it holds no data)."""
    url = request.build_absolute_uri(reverse("reports:api_openapi"))
    document = openapi_document(server=url.removesuffix("/openapi.json"))
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False})
