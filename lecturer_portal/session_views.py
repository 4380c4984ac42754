"""Front end of registration, check-in, feedback, the lecturer's session page and the ICS feed
(issue 5, items 6–9). Thin: parse, check, call one service or selector, render.

Who sees a session: people of its audience, its registrants, its lecturers and the coordinators
of its host unit; anyone else gets a 404, as for a session that does not exist.
"""

from datetime import UTC, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from organization.models import Person
from organization.scope import can_manage_unit

from . import attendance, selectors
from .models import LecturerProfile, Registration, SessionStatus, TrainingSession
from .qr import qr_svg

ICS_SALT = "lecturer_portal.ics"


def _person_or_404(request) -> Person:
    person = getattr(request.user, "person", None)
    if person is None or not person.is_active:
        raise Http404
    return person


def _session_or_404(session_id: int) -> TrainingSession:
    return get_object_or_404(
        TrainingSession.objects.select_related("host_unit", "product_company", "course"),
        pk=session_id,
    )


def _visible_or_404(request, session: TrainingSession) -> Person | None:
    person = getattr(request.user, "person", None)
    if can_manage_unit(request.user, session.host_unit):
        return person
    if person is None or not person.is_active or session.status == SessionStatus.DRAFT:
        raise Http404
    if (
        Registration.objects.filter(session=session, person=person).exists()
        or selectors.session_audience(session).filter(pk=person.pk).exists()
        or attendance.can_run_session(request.user, session)
    ):
        return person
    raise Http404


def _run_or_404(request, session_id: int) -> TrainingSession:
    session = _session_or_404(session_id)
    if not attendance.can_run_session(request.user, session):
        raise Http404
    return session


def _report(request, call, success: str) -> bool:
    try:
        call()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    messages.success(request, success)
    return True


# Agents: sessions open to them, registration, check-in, feedback -----------------------------


@require_safe
@login_required
def session_list(request):
    person = _person_or_404(request)
    return render(
        request,
        "lecturer_portal/session_list.html",
        {
            "sessions": selectors.sessions_open_to(person=person),
            "registrations": selectors.my_registrations(person=person),
        },
    )


@require_safe
@login_required
def session_detail(request, session_id: int):
    session = _session_or_404(session_id)
    person = _visible_or_404(request, session)
    registration = (
        Registration.objects.filter(session=session, person=person).first() if person else None
    )
    return render(
        request,
        "lecturer_portal/session_detail.html",
        {
            "session": session,
            "registration": registration,
            "counts": selectors.session_counts(session),
            "manages": can_manage_unit(request.user, session.host_unit),
            "runs": attendance.can_run_session(request.user, session),
            "feedback_given": bool(person) and session.feedback.filter(person=person).exists(),
            "lineage": selectors.session_lineage(session),
            "ratings": range(5, 0, -1),
        },
    )


@require_POST
@login_required
def register(request, session_id: int):
    session = _session_or_404(session_id)
    person = _visible_or_404(request, session)
    try:
        registration = attendance.registration_register(person=person, session=session)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if registration.status == "waitlisted":
            messages.success(request, _("名额已满，您已进入候补名单；有人取消时将按顺序递补。"))
        else:
            messages.success(request, _("报名成功。"))
    return redirect("lecturer_portal:session_detail", session.pk)


@require_POST
@login_required
def cancel_registration(request, session_id: int):
    session = _session_or_404(session_id)
    person = _visible_or_404(request, session)
    _report(
        request,
        lambda: attendance.registration_cancel(person=person, session=session),
        _("已取消报名。"),
    )
    return redirect("lecturer_portal:session_detail", session.pk)


@require_POST
@login_required
def register_audience(request, session_id: int):
    session = _session_or_404(session_id)
    if not can_manage_unit(request.user, session.host_unit):
        raise Http404
    try:
        counts = attendance.registration_register_audience(user=request.user, session=session)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("已为受众报名：正式 %(registered)d 人，候补 %(waitlisted)d 人。") % counts,
        )
    return redirect("lecturer_portal:session_detail", session.pk)


@login_required
def check_in(request, session_id: int):
    """The QR code's link: a page with one button (a GET changes nothing), then the check-in.

    A POST leaves reading the session to the service (once, in its transaction): a whole room
    scans within a minute, so each query saved here counts (``bench/checkins.py``)."""
    person = _person_or_404(request)
    token = request.POST.get("t") or request.GET.get("t", "")
    if request.method == "POST":
        try:
            registration = attendance.check_in_by_token(
                person=person, session=TrainingSession(pk=session_id), token=token
            )
        except TrainingSession.DoesNotExist:
            raise Http404 from None
        except ValidationError as error:
            refusal = " ".join(error.messages)
        else:
            refusal = None
        if "application/json" in request.headers.get("Accept", ""):
            # A scanner app (and bench/checkins.py) asks for JSON: 200, or 400 with the reason.
            if refusal:
                return JsonResponse({"ok": False, "message": refusal}, status=400)
            return JsonResponse({"ok": True})
        if refusal:
            messages.error(request, refusal)
            return redirect(f"{reverse('lecturer_portal:check_in', args=[session_id])}?t={token}")
        messages.success(
            request,
            _("签到成功，欢迎参加“%(title)s”。") % {"title": registration.session.title},
        )
        return redirect("lecturer_portal:session_detail", session_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405)
    session = _session_or_404(session_id)
    return render(request, "lecturer_portal/check_in.html", {"session": session, "token": token})


@require_POST
@login_required
def feedback(request, session_id: int):
    session = _session_or_404(session_id)
    person = _visible_or_404(request, session)

    def rating(name):
        try:
            return int(request.POST.get(name, ""))
        except ValueError:
            return 0

    def submit():
        values = (rating("lecturer_rating"), rating("content_rating"))
        if not all(1 <= value <= 5 for value in values):
            raise ValidationError(_("请为讲师和内容各打 1 到 5 分。"))
        attendance.feedback_submit(
            person=person,
            session=session,
            lecturer_rating=values[0],
            content_rating=values[1],
            comment=request.POST.get("comment", "")[:2000],
        )

    _report(request, submit, _("感谢您的评价。"))
    return redirect("lecturer_portal:session_detail", session.pk)


# Lecturers: the session page (QR code, roster, manual check-in, passes), the calendar ---------


def _qr_context(request, session: TrainingSession) -> dict:
    token = attendance.checkin_token(session=session)
    url = request.build_absolute_uri(
        f"{reverse('lecturer_portal:check_in', args=[session.pk])}?t={token}"
    )
    return {
        "session": session,
        "checkin_url": url,
        "qr": qr_svg(url),
        "seconds_left": attendance.checkin_token_seconds_left(),
    }


@require_safe
@login_required
def lecturer_session(request, session_id: int):
    session = _run_or_404(request, session_id)
    sessions = TrainingSession.objects.filter(pk=session.pk)
    return render(
        request,
        "lecturer_portal/lecturer_session.html",
        {
            **_qr_context(request, session),
            "roster": selectors.session_roster(session),
            "counts": selectors.session_counts(session),
            "summary": selectors.feedback_summary(sessions),
            "comments": session.feedback.exclude(comment="").order_by("-created_at")[:50],
            "lineage": selectors.session_lineage(session),
            "checkin_open": session.status in attendance.CHECK_IN_STATUSES
            and session.starts_at - attendance.CHECK_IN_EARLY <= timezone.now() <= session.ends_at,
            "is_cascade": session.kind == "cascade",
        },
    )


@require_safe
@login_required
def lecturer_session_qr(request, session_id: int):
    session = _run_or_404(request, session_id)
    response = render(request, "lecturer_portal/includes/qr.html", _qr_context(request, session))
    response["Cache-Control"] = "no-store"
    return response


def _person_from_post(request) -> Person:
    try:
        return Person.objects.get(pk=int(request.POST.get("person", "")))
    except (ValueError, Person.DoesNotExist):
        raise Http404 from None


@require_POST
@login_required
def lecturer_check_in(request, session_id: int):
    session = _run_or_404(request, session_id)
    person = _person_from_post(request)
    _report(
        request,
        lambda: attendance.check_in_manual(user=request.user, session=session, person=person),
        _("已为%(name)s签到。") % {"name": person.name},
    )
    return redirect("lecturer_portal:lecturer_session", session.pk)


@require_POST
@login_required
def lecturer_mark_passed(request, session_id: int):
    session = _run_or_404(request, session_id)
    person = _person_from_post(request)
    _report(
        request,
        lambda: attendance.cascade_mark_passed(user=request.user, session=session, person=person),
        _("%(name)s考核通过，已取得授课资格。") % {"name": person.name},
    )
    return redirect("lecturer_portal:lecturer_session", session.pk)


def calendar_token(profile: LecturerProfile) -> str:
    return signing.Signer(salt=ICS_SALT).sign(str(profile.pk))


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_time(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@require_safe
@login_not_required
def calendar_feed(request, token: str):
    """The lecturer's accepted sessions as an iCalendar feed (RFC 5545) behind a secret URL."""
    try:
        profile_id = int(signing.Signer(salt=ICS_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        raise Http404 from None
    profile = get_object_or_404(LecturerProfile.objects.select_related("person"), pk=profile_id)
    if not profile.person.is_active:
        raise Http404
    since = timezone.now() - timedelta(days=180)
    rows = selectors.lecturer_calendar(profile=profile, since=since)
    stamp = _ics_time(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//training-platform//lecturer_portal//ZH",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_ics_text(_('授课日程 · %(name)s') % {'name': profile.person.name})}",
    ]
    host = request.get_host()
    for assignment in rows:
        session = assignment.session
        where = session.place.strip() or session.online_url
        url = request.build_absolute_uri(
            reverse("lecturer_portal:lecturer_session", args=[session.pk])
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:session-{session.pk}-lecturer-{profile.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_ics_time(session.starts_at)}",
            f"DTEND:{_ics_time(session.ends_at)}",
            f"SUMMARY:{_ics_text(session.title)}（{_ics_text(assignment.get_role_display())}）",
            f"LOCATION:{_ics_text(where)}",
            f"URL:{url}",
            "STATUS:CANCELLED" if session.status == SessionStatus.CANCELLED else "STATUS:CONFIRMED",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    response = HttpResponse(
        "\r\n".join(lines) + "\r\n", content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="lecturer.ics"'
    return response


# Coordinators: all feedback in scope ---------------------------------------------------------


@require_safe
@login_required
def feedback_overview(request):
    if not request.user.has_perm("lecturer_portal.view_feedback_overview"):
        raise Http404
    rows = selectors.feedback_in_scope(request.user)
    sessions = selectors.sessions_in_scope(request.user)
    return render(
        request,
        "lecturer_portal/feedback_overview.html",
        {
            "summary": selectors.feedback_summary(sessions.values("pk")),
            "feedback": rows.order_by("-created_at")[:200],
        },
    )
