"""Per-course and per-assignment views, and the reminders sent from them. Same scope rules as the
dashboard: the viewer's subtree only (a unit outside it is a 404, no scope is a 403)."""

from dataclasses import replace

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from courses.models import CoursePage

from .. import services
from ..exports import export_format, export_response, invalid_filters_response
from ..filters import FilterForm
from ..selectors import courses as selectors
from ..selectors import units as unit_selectors
from .dashboard import report_context, report_scope, unit_in_scope


def _report(request):
    scope = report_scope(request)
    unit = unit_in_scope(request, scope)
    form = FilterForm(request.GET or None, scope=scope)
    return scope, unit, form


def _assignment_in_scope(scope, assignment_id: int):
    """The assignment if its audience reaches into the viewer's scope; otherwise a 404."""
    return get_object_or_404(
        selectors.assignments_in_scope(scope).select_related("course", "audience_root"),
        pk=assignment_id,
    )


@require_safe
def course_index(request):
    scope, unit, form = _report(request)
    filters = form.filters()
    today = timezone.localdate()
    rows = selectors.course_totals(unit=unit, filters=filters, today=today)
    if fmt := export_format(request):
        if refused := invalid_filters_response(form):
            return refused
        return export_response(
            fmt=fmt,
            filename=_("%(unit)s-课程统计-%(date)s") % {"unit": unit.name, "date": today},
            headers=[str(header) for header in selectors.COURSE_EXPORT_HEADERS],
            rows=(row.export_row() for row in rows),
            sheet_title=_("课程统计"),
        )
    return render(
        request,
        "reports/course_index.html",
        {**report_context(request, scope=scope, unit=unit, form=form), "rows": rows},
    )


def _detail_context(request, *, scope, unit, form, filters, today) -> dict:
    totals = selectors.one_course_totals(unit=unit, filters=filters, today=today)
    return {
        **report_context(request, scope=scope, unit=unit, form=form),
        "totals": totals,
        "buckets": selectors.progress_buckets(unit=unit, filters=filters, enrolled=totals.enrolled),
        "progress_limit": selectors.PROGRESS_LIMIT,
        "table": unit_selectors.child_units_table(unit=unit, filters=filters, today=today),
        "overdue": selectors.overdue_page(
            unit=unit,
            filters=filters,
            today=today,
            count=totals.overdue,
            number=request.GET.get("page"),
        ),
    }


@require_safe
def course_detail(request, course_id: int):
    scope, unit, form = _report(request)
    course = get_object_or_404(CoursePage, pk=course_id)
    filters = replace(form.filters(), course_id=course.pk)
    context = _detail_context(
        request, scope=scope, unit=unit, form=form, filters=filters, today=timezone.localdate()
    )
    context.update(
        course=course,
        remind_url=reverse("reports:course_remind", args=[course.pk]),
        overdue_export_url=reverse("reports:course_overdue_export", args=[course.pk]),
        units_export_filter=f"course={course.pk}",
    )
    return render(request, "reports/course.html", context)


@require_safe
def assignment_index(request):
    scope = report_scope(request)
    if fmt := export_format(request):
        today = timezone.localdate()
        return export_response(
            fmt=fmt,
            filename=_("%(unit)s-必修指派-%(date)s") % {"unit": scope.name, "date": today},
            headers=[str(header) for header in selectors.ASSIGNMENT_EXPORT_HEADERS],
            rows=selectors.assignment_export_rows(scope=scope, today=today),
            sheet_title=_("必修指派"),
        )
    return render(
        request,
        "reports/assignment_index.html",
        {
            "unit": scope,
            "page": selectors.assignment_page(
                scope=scope, today=timezone.localdate(), number=request.GET.get("page")
            ),
        },
    )


@require_safe
def assignment_detail(request, assignment_id: int):
    scope, unit, form = _report(request)
    assignment = _assignment_in_scope(scope, assignment_id)
    if "unit" not in request.GET and assignment.audience_root.path.startswith(scope.path):
        unit = assignment.audience_root  # open where the audience is
    filters = replace(form.filters(), course_id=assignment.course_id, assignment_id=assignment.pk)
    today = timezone.localdate()
    context = _detail_context(
        request, scope=scope, unit=unit, form=form, filters=filters, today=today
    )
    context.update(
        course=assignment.course,
        assignment=assignment,
        countdown=selectors.countdown(assignment.due_date, today),
        remind_url=reverse("reports:assignment_remind", args=[assignment.pk]),
        overdue_export_url=reverse("reports:assignment_overdue_export", args=[assignment.pk]),
        units_export_filter=f"assignment={assignment.pk}",
    )
    return render(request, "reports/assignment.html", context)


def _remind(request, *, course, assignment=None):
    _scope, unit, form = _report(request)
    if form.is_bound and not form.is_valid():
        messages.error(request, _("筛选条件无效，没有发送提醒。"))
        return
    result = services.overdue_remind(
        sent_by=request.user,
        unit=unit,
        course=course,
        assignment=assignment,
        filters=form.filters(),
        today=timezone.localdate(),
    )
    if result.reminded or result.skipped:
        messages.success(
            request,
            _("已提醒 %(reminded)d 人（站内通知和邮件）；%(skipped)d 人今天已提醒过，本次跳过。")
            % {"reminded": result.reminded, "skipped": result.skipped},
        )
    else:
        messages.info(request, _("没有需要提醒的逾期人员。"))


@require_POST
def course_remind(request, course_id: int):
    course = get_object_or_404(CoursePage, pk=course_id)
    _remind(request, course=course)
    target = reverse("reports:course_detail", args=[course.pk])
    return redirect(f"{target}?{request.GET.urlencode()}")


@require_POST
def assignment_remind(request, assignment_id: int):
    assignment = _assignment_in_scope(report_scope(request), assignment_id)
    _remind(request, course=assignment.course, assignment=assignment)
    target = reverse("reports:assignment_detail", args=[assignment.pk])
    return redirect(f"{target}?{request.GET.urlencode()}")


def _overdue_export(request, *, unit, form, filters, title: str):
    fmt = export_format(request)
    if fmt is None:
        raise Http404
    if refused := invalid_filters_response(form):
        return refused
    today = timezone.localdate()
    return export_response(
        fmt=fmt,
        filename=_("%(unit)s-%(title)s-逾期人员-%(date)s")
        % {"unit": unit.name, "title": title, "date": today},
        headers=[str(header) for header in selectors.OVERDUE_EXPORT_HEADERS],
        rows=selectors.overdue_export_rows(unit=unit, filters=filters, today=today),
        sheet_title=_("逾期人员"),
    )


@require_safe
def course_overdue_export(request, course_id: int):
    """Every overdue person of the course view (not only one page), as .xlsx or .csv."""
    _scope, unit, form = _report(request)
    course = get_object_or_404(CoursePage, pk=course_id)
    filters = replace(form.filters(), course_id=course.pk)
    return _overdue_export(request, unit=unit, form=form, filters=filters, title=course.title)


@require_safe
def assignment_overdue_export(request, assignment_id: int):
    scope, unit, form = _report(request)
    assignment = _assignment_in_scope(scope, assignment_id)
    filters = replace(form.filters(), course_id=assignment.course_id, assignment_id=assignment.pk)
    return _overdue_export(
        request, unit=unit, form=form, filters=filters, title=assignment.course.title
    )
