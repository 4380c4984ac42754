"""The agents' study views that are not pages: my learning, starting a course, the player's
heartbeats, marking a text lesson done, and the search.

Progress is always written for ``request.user.person``: no request names a person, so nobody can
write anyone else's. A course or lesson the person may not see is a 404, the same as one that does
not exist (``courses.rules``).
"""

import json
import math

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from organization.models import Person, Role

from . import search as site_search
from . import selectors, services
from .models import (
    CourseIndexPage,
    CoursePage,
    EnrollmentSource,
    LessonPage,
    MorningMeetingIndexPage,
)
from .templatetags.courses_study import percent_of, watched_threshold_percent

SEARCH_PAGE_SIZE = 20
SEARCH_QUERY_MAX_LENGTH = 100


def _active_person(request) -> Person | None:
    person = getattr(request.user, "person", None)
    return person if person is not None and person.is_active else None


def _person_or_404(request) -> Person:
    person = _active_person(request)
    if person is None:
        raise Http404
    return person


def _live_page_or_404(model, pk: int, request, perm: str):
    page = model.objects.live().filter(pk=pk).first()
    if page is None or not request.user.has_perm(perm, page):
        raise Http404
    return page


def _section_redirect(model, request):
    section = model.objects.live().first()
    if section is None:
        raise Http404
    return redirect(section.get_url(request))


@require_safe
def catalogue(request):
    """The navigation's way to the course catalogue, wherever editors put it in the page tree."""
    return _section_redirect(CourseIndexPage, request)


@require_safe
def morning_meetings(request):
    return _section_redirect(MorningMeetingIndexPage, request)


def home_panels(request, panels: list[dict]) -> None:
    """``construct_person_home_panels``: an agent's 今日晨会 and 我的学习 on their home page.

    Agents only: managers and coordinators land on their scope summary, and their home page keeps
    its fixed number of queries. Two queries.
    """
    person = _active_person(request)
    if person is None or not person.has_role(Role.AGENT):
        return
    today = timezone.localdate()
    meeting = selectors.todays_morning_meeting(person=person, on_date=today)
    panels.append({"template": "courses/panels/todays_meeting.html", "meeting": meeting})
    learning = selectors.my_learning(person=person, today=today)
    panels.append(
        {
            "template": "courses/panels/my_learning.html",
            "learning": learning,
            "overdue": sum(1 for enrollment in learning.assigned if enrollment.is_overdue),
            "next_due": learning.assigned[0] if learning.assigned else None,
        }
    )


@require_safe
def my_learning(request):
    person = _active_person(request)
    learning = None
    if person is not None:
        learning = selectors.my_learning(person=person, today=timezone.localdate())
    return render(request, "courses/my_learning.html", {"person": person, "learning": learning})


@require_POST
def course_start(request, course_id: int):
    """开始学习 / 继续学习: enrol the person (self-study) if needed; open the next lesson."""
    person = _person_or_404(request)
    course = _live_page_or_404(CoursePage, course_id, request, "courses.view_course")
    services.enrollment_get_or_create(person=person, course=course, source=EnrollmentSource.SELF)
    course_url = course.get_url(request)
    outline = selectors.course_outline(course=course, person=person, course_url=course_url)
    lesson = outline.next_lesson or (outline.lessons[0] if outline.lessons else None)
    if lesson is None:
        messages.info(request, _("这门课程还没有发布课时，请稍后再来。"))
        return redirect(course_url)
    return redirect(lesson.href)


@require_POST
def lesson_done(request, lesson_id: int):
    """标记为已完成: a text lesson, by the learner."""
    person = _person_or_404(request)
    lesson = _live_page_or_404(LessonPage, lesson_id, request, "courses.study_lesson")
    try:
        services.lesson_mark_done(person=person, lesson=lesson, at=timezone.now())
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("已完成本课时。"))
    return redirect(lesson.get_url(request))


def _json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse(
        {"error": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _heartbeat_payload(request) -> tuple[list, float]:
    """``ranges`` and ``position`` from a JSON body (fetch) or a ``payload`` form field (a beacon,
    which cannot send a CSRF header and so posts a form with the token)."""
    try:
        if request.content_type == "application/json":
            payload = json.loads(request.body)
        else:
            payload = json.loads(request.POST.get("payload", ""))
    except (ValueError, UnicodeDecodeError) as error:
        raise ValidationError(_("观看进度格式不正确。")) from error
    if not isinstance(payload, dict) or not isinstance(payload.get("ranges"), list):
        raise ValidationError(_("观看进度格式不正确。"))
    position = payload.get("position")
    if (
        isinstance(position, bool)
        or not isinstance(position, int | float)
        or not math.isfinite(position)
    ):
        raise ValidationError(_("播放位置不正确。"))
    return payload["ranges"], position


def _may_study(request, person: Person, lesson: selectors.HeartbeatLesson) -> bool:
    """``courses.study_lesson`` for a heartbeat: a person in the course's audience passes on the
    cached audience (no query); anyone else (enrolled beyond it, an editor) by the rule on the
    page."""
    if lesson.in_audience(person):
        return True
    page = selectors.live_lesson_with_course(lesson_id=lesson.pk)
    return page is not None and request.user.has_perm("courses.study_lesson", page)


@login_not_required
@require_POST
def lesson_heartbeat(request, lesson_id: int):
    """The player's report of what was played since its last one (``media_library.watching``).

    Answers JSON: the lesson's merged progress and the course's percent, so the page updates
    without reloading; errors are ``{"error": "<中文>"}`` with 400 (refused), 401 (logged out) or
    404 (no such lesson for this person). Players send one every few seconds, so the lesson comes
    from the cached ``HeartbeatLesson`` rather than the page: a fixed handful of queries in all.
    """
    if not request.user.is_authenticated:
        return _json_error(_("登录已过期，请重新登录后继续学习。"), 401)
    person = _active_person(request)
    lesson = selectors.heartbeat_lesson(lesson_id=lesson_id) if person is not None else None
    if lesson is None or not _may_study(request, person, lesson):
        return _json_error(_("没有找到这个课时。"), 404)
    try:
        ranges, position = _heartbeat_payload(request)
        progress = services.progress_record_heartbeat(
            person=person, lesson=lesson, ranges=ranges, position=position, at=timezone.now()
        )
    except ValidationError as error:
        return _json_error(error.messages[0], 400)
    duration = lesson.duration
    enrollment = progress.enrollment
    return JsonResponse(
        {
            "watched_seconds": progress.watched_seconds,
            "duration": duration,
            "watched_percent": percent_of(progress.watched_seconds, duration),
            "required_percent": watched_threshold_percent(),
            "watched": progress.is_completed,
            "position": progress.last_position,
            "course_percent": enrollment.percent,
            "course_status": enrollment.status,
            "course_status_label": enrollment.get_status_display(),
        },
        json_dumps_params={"ensure_ascii": False},
    )


@require_safe
def search(request):
    """``/search/?q=…&type=…``: what the person may see, matched words in ``<mark>``."""
    query = " ".join(request.GET.get("q", "").split())[:SEARCH_QUERY_MAX_LENGTH]
    person = _active_person(request)
    found = page = None
    hits = []
    if query and person is not None:
        found = site_search.search_for_person(
            person=person, query=query, kind=request.GET.get("type", "")
        )
        page = Paginator(found.results, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
        hits = found.highlight(page.object_list, request)
    return render(
        request,
        "courses/search.html",
        {"query": query, "person": person, "found": found, "page": page, "hits": hits},
    )
