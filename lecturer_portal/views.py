"""The lecturer's workspace (assignments to answer, upcoming and past sessions) and the notices
page. Thin: parse, check, call one service or selector, render.

Nobody names a person in a request: a lecturer answers only assignments of their own profile
(``lecturer_portal.answer_assignment``); anyone else's is a 404, like one that does not exist.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from organization.models import Person, Role

from . import selectors, services
from .models import LecturerAssignment

NOTICES_PER_PAGE = 30


def _active_person(request) -> Person | None:
    person = getattr(request.user, "person", None)
    return person if person is not None and person.is_active else None


def _lecturer_or_404(request) -> Person:
    person = _active_person(request)
    if person is None or not person.has_role(Role.LECTURER):
        raise Http404
    return person


@require_safe
def workspace(request):
    person = _lecturer_or_404(request)
    context = selectors.lecturer_assignments(person=person)
    profile = getattr(person, "lecturer_profile", None)
    context["profile"] = profile
    context["teaching"] = selectors.lecturer_teaching(person)
    if profile is not None:
        from .session_views import calendar_token

        context["calendar_url"] = request.build_absolute_uri(
            reverse("lecturer_portal:calendar", args=[calendar_token(profile)])
        )
    return render(request, "lecturer_portal/workspace.html", context)


def _own_assignment_or_404(request, assignment_id: int) -> LecturerAssignment:
    assignment = (
        LecturerAssignment.objects.select_related("lecturer", "session")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None or not request.user.has_perm(
        "lecturer_portal.answer_assignment", assignment
    ):
        raise Http404
    return assignment


@require_POST
def assignment_accept(request, assignment_id: int):
    person = _lecturer_or_404(request)
    assignment = _own_assignment_or_404(request, assignment_id)
    try:
        services.assignment_accept(person=person, assignment=assignment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("已接受“%(title)s”的授课邀请。") % {"title": assignment.session.title}
        )
    return redirect("lecturer_portal:workspace")


@require_POST
def assignment_decline(request, assignment_id: int):
    person = _lecturer_or_404(request)
    assignment = _own_assignment_or_404(request, assignment_id)
    try:
        services.assignment_decline(
            person=person, assignment=assignment, note=request.POST.get("note", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("已拒绝“%(title)s”的授课指派，培训管理员会另行安排。")
            % {"title": assignment.session.title},
        )
    return redirect("lecturer_portal:workspace")


@require_safe
def notices(request):
    person = _active_person(request)
    if person is None:
        raise Http404
    page = Paginator(selectors.notices_for(person), NOTICES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "lecturer_portal/notices.html",
        {"page": page, "unread": selectors.unread_notice_count(person)},
    )


@require_POST
def notices_mark_read(request):
    person = _active_person(request)
    if person is None:
        raise Http404
    services.notices_mark_read(person=person, at=timezone.now())
    return redirect("lecturer_portal:notices")
