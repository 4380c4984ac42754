"""The cross-company matrix page (and its .xlsx / .csv export): the viewer's subtree only."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ..exports import export_format, export_response, invalid_filters_response
from ..filters import FilterForm
from ..selectors.matrix import cross_company_matrix
from .dashboard import report_context, report_scope, unit_in_scope

# Course, assignment and period say nothing about a certificate: not offered here.
NOT_APPLICABLE = ("course", "assignment", "date_from", "date_to")


@require_safe
def matrix(request):
    scope = report_scope(request)
    unit = unit_in_scope(request, scope)
    form = FilterForm(request.GET or None, scope=scope)
    for name in NOT_APPLICABLE:
        del form.fields[name]
    fmt = export_format(request)
    if fmt and (refused := invalid_filters_response(form)):
        return refused
    today = timezone.localdate()
    table = cross_company_matrix(unit=unit, filters=form.filters(), today=today)
    if fmt:
        rows = [(row.unit.name, *row.cells, row.total) for row in table.rows]
        rows.append((_("合计"), *table.total.cells, table.total.total))
        return export_response(
            fmt=fmt,
            filename=_("%(unit)s-交叉销售资格-%(date)s")
            % {"unit": unit.name, "date": today.isoformat()},
            headers=[_("机构"), *(str(label) for label in table.labels), _("合计")],
            rows=rows,
            sheet_title=_("交叉销售资格"),
        )
    context = {
        **report_context(request, scope=scope, unit=unit, form=form),
        "table": table,
    }
    return render(request, "reports/matrix.html", context)
