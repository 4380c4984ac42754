"""The manager dashboard: the viewer's subtree only (organization.scope); other units are 404."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from organization.models import Channel, OrgUnit
from organization.scope import scope_unit

from . import selectors


def _unit_in_scope(request, scope: OrgUnit) -> OrgUnit:
    """The unit asked for (``?unit=``), or the scope root; a unit outside the scope is a 404."""
    value = request.GET.get("unit", "")
    if not value:
        return scope
    if not value.isdigit():
        raise Http404
    unit = OrgUnit.objects.filter(pk=int(value), path__startswith=scope.path).first()
    if unit is None:
        raise Http404
    return unit


@require_safe
def dashboard(request):
    scope = scope_unit(request.user)
    if scope is None:
        raise PermissionDenied
    unit = _unit_in_scope(request, scope)
    filters = selectors.Filters.from_query(request.GET)
    today = timezone.localdate()
    show_people = unit.numchild == 0 or request.GET.get("people") == "1"
    context = {
        "unit": unit,
        "scope": scope,
        "filters": filters,
        "breadcrumb": selectors.breadcrumb(unit=unit, scope=scope),
        "choices": selectors.filter_choices(scope=scope),
        "query": _filter_query(request),
        "show_people": show_people,
        "channels": Channel.choices,
    }
    if show_people:
        context["people"] = selectors.people_table(unit=unit, filters=filters, today=today)
    else:
        context["table"] = selectors.child_units_table(unit=unit, filters=filters, today=today)
    return render(request, "reports/dashboard.html", context)


def _filter_query(request) -> str:
    """The filter part of the query string, for drill-down links."""
    params = request.GET.copy()
    for name in ("unit", "people"):
        params.pop(name, None)
    return params.urlencode()
