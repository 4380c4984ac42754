"""An agent studies an assigned course on a phone: a real H.264 clip plays in Debian's Chromium,
the player's heartbeats record the progress on the server, and the course page shows it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from courses.models import Enrollment, EnrollmentStatus, LessonProgress
from courses.services import assignment_create
from media_library.demo import generate_demo_clip
from media_library.models import MediaKind
from organization.models import Role
from tests.courses.factories import make_course, make_lesson
from tests.organization.factories import make_person

pytestmark = pytest.mark.e2e

PASSWORD = "pass-word-123"
CLIP_SECONDS = 8


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def play_muted(page):
    page.evaluate(
        """() => { const v = document.querySelector('video'); v.muted = true; return v.play(); }"""
    )


def test_agent_plays_an_assigned_video_lesson_and_sees_the_progress(
    site, tree, phone_page, live_server, login_as
):
    agent = make_person(tree["PGZ0101"], Role.AGENT, name="王小明")
    coordinator = make_person(tree["PGD"], Role.COORDINATOR)
    clip = generate_demo_clip(MediaKind.LECTURE_DISC, CLIP_SECONDS, "联合展业示范")
    clip.refresh_from_db()
    assert clip.is_playable and clip.video_codec == "h264"
    course = make_course(owner=tree["L"], audience=[tree["P"]], title="寿险产品与联合展业")
    lesson = make_lesson(course, media=clip, title="联合展业示范视频")
    make_lesson(course, title="第一条 总则")
    due = timezone.localdate() + timedelta(days=14)
    assignment_create(user=coordinator.user, course=course, audience_root=tree["PGD"], due_date=due)
    page = phone_page

    login_as(page, agent, PASSWORD)
    expect(page.locator("main")).to_contain_text("1 门必修待完成")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的学习").click()
    page.get_by_role("link", name="寿险产品与联合展业").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("寿险产品与联合展业")
    expect(page.locator("main")).to_contain_text(f"完成期限 {due:%Y-%m-%d}")
    assert horizontal_overflow(page) <= 0

    with page.expect_navigation():
        page.get_by_role("button", name="开始学习").click()
    assert page.url == f"{live_server.url}{lesson.url}"
    video = page.locator("video")
    expect(video).to_have_attribute("data-media-id", str(clip.pk))
    assert page.evaluate(
        "document.querySelector('video').canPlayType('video/mp4; codecs=\"avc1.42E01E\"')"
    )

    # Play a few seconds, pause: the pause sends a heartbeat, which the server merges.
    play_muted(page)
    page.wait_for_function("document.querySelector('video').currentTime > 3")
    with page.expect_response(
        lambda r: "/heartbeat/" in r.url and r.request.method == "POST"
    ) as beat:
        page.evaluate("document.querySelector('video').pause()")
    assert beat.value.status == 200
    assert beat.value.json()["watched_seconds"] > 2
    progress = LessonProgress.objects.get(person=agent, lesson=lesson)
    assert progress.watched_seconds > 2
    assert progress.last_position > 2
    expect(page.locator("[data-study-status]")).to_contain_text("已观看")

    # Back later: the player resumes where it stopped.
    page.reload()
    page.wait_for_function("document.querySelector('video').currentTime > 2")
    expect(page.locator("[data-study-note]")).to_have_text("已从上次停止的位置继续播放。")

    # Watch to the end: the lesson is watched and the course percent updates without a reload.
    play_muted(page)
    expect(page.locator("[data-study-status]")).to_have_text("✓ 本课时已看完", timeout=20_000)
    expect(page.locator("[data-course-percent]")).to_have_text("50")
    progress.refresh_from_db()
    assert progress.is_completed
    assert progress.watched_seconds >= 0.9 * CLIP_SECONDS
    enrollment = Enrollment.objects.get(person=agent, course=course)
    assert (enrollment.status, enrollment.percent) == (EnrollmentStatus.IN_PROGRESS, 50)
    assert horizontal_overflow(page) <= 0

    page.get_by_role("link", name="寿险产品与联合展业").click()
    main = page.locator("main")
    expect(main).to_contain_text("学习中 50%")
    expect(main).to_contain_text("已完成必修课时 1/2")
    expect(page.locator("li.lesson-item.is-done")).to_contain_text("✓ 已看完")
    expect(page.get_by_role("button", name="继续学习")).to_be_visible()
    assert horizontal_overflow(page) <= 0


def test_an_agent_of_another_company_cannot_open_the_course(
    site, tree, phone_page, live_server, login_as
):
    outsider = make_person(tree["HGZ0101"], Role.AGENT)
    course = make_course(owner=tree["L"], audience=[tree["P"]], title="寿险产品与联合展业")
    login_as(phone_page, outsider, PASSWORD)

    response = phone_page.goto(f"{live_server.url}{course.url}")

    assert response.status == 404
    phone_page.goto(f"{live_server.url}/courses/")
    expect(phone_page.locator("main")).not_to_contain_text("寿险产品与联合展业")


def test_seeking_to_the_end_does_not_count_as_watched(
    site, tree, phone_page, live_server, login_as
):
    agent = make_person(tree["PGZ0101"], Role.AGENT)
    clip = generate_demo_clip(MediaKind.LECTURE_DISC, CLIP_SECONDS, "续保政策解读")
    course = make_course(owner=tree["L"], audience=[tree["P"]], title="续保政策")
    lesson = make_lesson(course, media=clip, title="续保政策视频")
    login_as(phone_page, agent, PASSWORD)
    phone_page.goto(f"{live_server.url}{lesson.url}")

    play_muted(phone_page)
    phone_page.wait_for_function("document.querySelector('video').currentTime > 1")
    phone_page.evaluate(f"document.querySelector('video').currentTime = {CLIP_SECONDS - 2}")
    phone_page.wait_for_function("document.querySelector('video').ended", timeout=15_000)

    progress = None
    for _attempt in range(50):  # the heartbeat sent when playing stops at the end
        progress = LessonProgress.objects.filter(person=agent, lesson=lesson).first()
        if progress is not None and progress.last_position >= CLIP_SECONDS - 0.5:
            break
        phone_page.wait_for_timeout(100)
    assert progress.last_position >= CLIP_SECONDS - 0.5
    assert 2 < progress.watched_seconds < 5
    assert len(progress.watched_intervals) == 2
    assert not progress.is_completed
    expect(phone_page.locator("[data-study-status]")).not_to_contain_text("看完")
