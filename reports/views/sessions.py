"""Plan execution (coordinators) and the lecturer report: the viewer's subtree only; each page
answers ``?format=xlsx|csv`` with its table through reports.exports."""

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from lecturer_portal.models import Quarter, SessionKind

from ..exports import export_format, export_response, invalid_filters_response
from ..filters import FilterForm
from ..selectors import sessions as selectors
from .dashboard import filter_query, report_context, report_scope, unit_in_scope


class PlanPeriodForm(forms.Form):
    year = forms.IntegerField(
        label=gettext_lazy("年度"), min_value=2000, max_value=2100, required=False
    )
    quarter = forms.TypedChoiceField(
        label=gettext_lazy("季度"),
        choices=[("", gettext_lazy("全部")), *Quarter.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def period(self, default_year: int) -> tuple[int, int | None]:
        """(year, quarter or None for every plan of the year); this year when invalid."""
        if not self.is_valid():
            return default_year, None
        return self.cleaned_data["year"] or default_year, self.cleaned_data["quarter"]


class PeriodForm(FilterForm):
    """The dashboard filters cut to the period: the only one that applies to sessions."""

    def __init__(self, data=None, *, scope):
        super().__init__(data, scope=scope)
        for name in list(self.fields):
            if name not in ("date_from", "date_to"):
                del self.fields[name]


@require_safe
def plans(request):
    scope = report_scope(request)
    unit = unit_in_scope(request, scope)
    form = PlanPeriodForm(request.GET or None)
    year, quarter = form.period(timezone.localdate().year)
    if fmt := export_format(request):
        if refused := invalid_filters_response(form):
            return refused
        return _plans_export(fmt, unit, year, quarter)
    context = {
        **report_context(request, scope=scope, unit=unit, form=form),
        "year": year,
        "quarter_label": Quarter(quarter).label if quarter is not None else "",
        "report": selectors.plan_execution(unit=unit, year=year, quarter=quarter),
        "plan_limit": selectors.PLAN_LIMIT,
        "columns": selectors.EXECUTION_COLUMNS,
    }
    return render(request, "reports/plans.html", context)


def _plans_export(fmt, unit, year, quarter):
    headers = [
        _("制定机构"),
        _("培训计划"),
        _("期间"),
        _("培训类型"),
        _("主题"),
        _("培训对象"),
        *selectors.EXECUTION_COLUMNS,
    ]
    rows = (
        (
            item.plan.org_unit.name,
            item.plan.title,
            item.plan.period_label,
            SessionKind(item.kind).label,
            item.topic,
            item.audience,
            *(cell.value for cell in totals.cells()),
        )
        for item, totals in selectors.plan_items_export(unit=unit, year=year, quarter=quarter)
    )
    return export_response(
        fmt=fmt,
        filename=_("%(unit)s-计划执行-%(year)s") % {"unit": unit.name, "year": year},
        headers=headers,
        rows=rows,
        sheet_title=_("计划执行"),
    )


@require_safe
def lecturers(request):
    scope = report_scope(request)
    unit = unit_in_scope(request, scope)
    form = PeriodForm(request.GET or None, scope=scope)
    filters = form.filters()
    if fmt := export_format(request):
        if refused := invalid_filters_response(form):
            return refused
        return _lecturers_export(fmt, unit, filters)
    context = {
        **report_context(request, scope=scope, unit=unit, form=form),
        "children": selectors.child_units(unit),
        "table": selectors.lecturer_table(unit=unit, filters=filters),
        "lecturer_limit": selectors.LECTURER_LIMIT,
        "columns": selectors.LECTURER_COLUMNS,
    }
    return render(request, "reports/lecturers.html", context)


def _lecturers_export(fmt, unit, filters):
    headers = [
        _("讲师"),
        _("所属机构"),
        _("级别"),
        *selectors.LECTURER_COLUMNS,
    ]
    table = selectors.lecturer_table(unit=unit, filters=filters, limit=None)
    rows = (
        (
            row.profile.person.name,
            row.profile.person.org_unit.name,
            row.profile.get_level_display(),
            *(cell.value for cell in row.cells()),
        )
        for row in table.rows
    )
    return export_response(
        fmt=fmt,
        filename=_("%(unit)s-讲师统计") % {"unit": unit.name},
        headers=headers,
        rows=rows,
        sheet_title=_("讲师统计"),
    )


@require_safe
def lecturer(request, profile_id: int):
    scope = report_scope(request)
    profile = selectors.lecturer_in_scope(profile_id, scope)
    if profile is None:
        raise Http404
    form = PeriodForm(request.GET or None, scope=scope)
    assignments, row = selectors.lecturer_sessions(profile=profile, filters=form.filters())
    context = {
        "profile": profile,
        "unit": profile.person.org_unit,
        "form": form,
        "assignments": assignments,
        "row": row,
        "columns": selectors.SESSION_COLUMNS,
        "query": filter_query(request),
    }
    return render(request, "reports/lecturer.html", context)
