"""Downloads of the dashboard's tables (child units, people of a unit) as .xlsx or .csv, with
the page's scope checks and filters (reports.exports does the streaming)."""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ..exports import export_format, export_response, invalid_filters_response
from ..filters import FilterForm
from ..selectors import people as people_selectors
from ..selectors import units as unit_selectors
from .dashboard import report_scope, unit_in_scope


def _export_request(request):
    """Scope (403 / 404), format (404 when absent or unknown) and filters of an export."""
    scope = report_scope(request)
    unit = unit_in_scope(request, scope)
    fmt = export_format(request)
    if fmt is None:
        raise Http404
    form = FilterForm(request.GET, scope=scope)
    return unit, fmt, form


@require_safe
def export_units(request):
    """The child-units table as on the dashboard: every column of ``COLUMNS``, then the total."""
    unit, fmt, form = _export_request(request)
    if refused := invalid_filters_response(form):
        return refused
    today = timezone.localdate()
    table = unit_selectors.child_units_table(unit=unit, filters=form.filters(), today=today)
    headers = [_("机构"), *(str(column.label) for column in table.columns)]
    rows = [
        (row.unit.name, *(cell.value for cell in row.cells())) for row in [*table.rows, table.total]
    ]
    rows[-1] = (_("合计"), *rows[-1][1:])
    return export_response(
        fmt=fmt,
        filename=_("%(unit)s-下级机构-%(date)s") % {"unit": unit.name, "date": today.isoformat()},
        headers=headers,
        rows=rows,
        sheet_title=_("下级机构"),
    )


@require_safe
def export_people(request):
    """Every active person of the unit's subtree, one row each (streamed: 200,000 rows)."""
    unit, fmt, form = _export_request(request)
    if refused := invalid_filters_response(form):
        return refused
    today = timezone.localdate()
    course = form.cleaned_data.get("course")
    table = people_selectors.people_export(
        unit=unit,
        filters=form.filters(),
        today=today,
        course_title=course.title if course else "",
    )
    return export_response(
        fmt=fmt,
        filename=_("%(unit)s-人员明细-%(date)s") % {"unit": unit.name, "date": today.isoformat()},
        headers=table.headers,
        rows=table.rows,
        sheet_title=_("人员明细"),
    )
