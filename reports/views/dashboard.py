"""The manager dashboard: the viewer's subtree only (organization.scope); other units are 404."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from organization.models import OrgUnit
from organization.scope import scope_unit

from ..charts import dashboard_charts
from ..filters import FilterForm
from ..selectors import units as selectors


def report_scope(request) -> OrgUnit:
    """The root of what the viewer may see; anyone without a report scope is refused (the rule
    behind ``reports.view_reports``)."""
    scope = scope_unit(request.user)
    if scope is None:
        raise PermissionDenied
    return scope


def unit_in_scope(request, scope: OrgUnit) -> OrgUnit:
    """The unit asked for (``?unit=``), or the scope root; a unit outside the scope is a 404."""
    value = request.GET.get("unit", "")
    if not value:
        return scope
    if not value.isdecimal():
        raise Http404
    unit = OrgUnit.objects.filter(pk=int(value), path__startswith=scope.path).first()
    if unit is None:
        raise Http404
    return unit


def filter_query(request) -> str:
    """The filter part of the query string, for drill-down links."""
    params = request.GET.copy()
    for name in ("unit", "people", "page", "format"):
        params.pop(name, None)
    return params.urlencode()


def report_context(request, *, scope: OrgUnit, unit: OrgUnit, form) -> dict:
    """What ``reports/base_report.html`` shows above every report: the unit, its breadcrumb from
    the scope root (one query), the filter form and the filters for drill-down links."""
    return {
        "unit": unit,
        "form": form,
        "breadcrumb": selectors.breadcrumb(unit=unit, scope=scope),
        "query": filter_query(request),
    }


@require_safe
def dashboard(request):
    scope = report_scope(request)
    unit = unit_in_scope(request, scope)
    form = FilterForm(request.GET or None, scope=scope)
    filters = form.filters()
    today = timezone.localdate()
    show_people = unit.numchild == 0 or request.GET.get("people") == "1"
    context = {
        **report_context(request, scope=scope, unit=unit, form=form),
        "filters": filters,
        "show_people": show_people,
    }
    if show_people:
        context["people"] = selectors.people_table(unit=unit, filters=filters, today=today)
    else:
        context["table"] = selectors.child_units_table(unit=unit, filters=filters, today=today)
    context["charts"] = dashboard_charts(
        unit=unit, filters=filters, today=today, table=context.get("table")
    )
    return render(request, "reports/dashboard.html", context)
