"""A lecturer builds and publishes a video course in the Wagtail admin; an agent of its audience
then finds it in the catalogue and plays the video in Debian's Chromium."""

import pytest
from django.core.files import File
from playwright.sync_api import expect
from wagtailmedia.models import MediaType

from courses.models import CourseIndexPage, CoursePage, LessonPage, LessonProgress
from media_library.models import MediaKind
from media_library.services import media_create
from organization.models import Channel, Role
from tests.organization.factories import make_person

pytestmark = pytest.mark.e2e

PASSWORD = "pass-word-123"
COURSE = "寿险产品与联合展业"
LESSON = "联合展业示范视频"
VIDEO = "寿险产品讲解视频"


def publish(page) -> None:
    """Wagtail's footer: 发布 sits in the menu beside 保存草稿."""
    page.get_by_role("button", name="更多动作").click()
    with page.expect_navigation():
        page.get_by_role("button", name="发布", exact=True).click()


def add_child_page(page, live_server, parent) -> None:
    """From the parent's listing in the page explorer: the one page type allowed opens at once."""
    page.goto(f"{live_server.url}/admin/pages/{parent.pk}/")
    page.get_by_role("link", name="添加子页面").first.click()
    expect(page.locator("#id_title")).to_be_editable()


def test_a_lecturer_publishes_a_video_course_that_an_agent_of_its_audience_plays(
    site, tree, clips, desktop_page, phone_page, live_server, login_as
):
    lecturer = make_person(tree["LGZ"], Role.LECTURER, name="寿险讲师")
    agent = make_person(tree["PGZ0101"], Role.AGENT, name="财险业务员")
    # Uploaded through the media library's service (the admin upload form runs the same one).
    with clips.h264.open("rb") as handle:
        video = media_create(
            title=VIDEO,
            file=File(handle, name="lecture.mp4"),
            media_type=MediaType.VIDEO,
            kind=MediaKind.LECTURE_DISC,
            uploaded_by=lecturer.user,
        )
    video.refresh_from_db()
    assert video.is_playable
    admin = desktop_page
    login_as(admin, lecturer, PASSWORD)

    # The course: content tab, then audience tab (their own company is the only one offered).
    add_child_page(admin, live_server, CourseIndexPage.objects.get())
    admin.locator("#id_title").fill(COURSE)
    admin.locator("#id_summary").fill("面向财险业务员的寿险产品入门。")
    admin.locator("#id_estimated_minutes").fill("30")
    admin.locator("#id_topic_tags ~ ul.tagit input").fill("产代寿")
    admin.keyboard.press("Enter")
    admin.get_by_role("tab", name="受众与完成条件").click()
    expect(admin.get_by_role("combobox", name="所属公司")).to_have_value(str(tree["L"].pk))
    admin.get_by_label("人保财险", exact=True).check()
    admin.get_by_label("个人代理", exact=True).check()
    publish(admin)
    expect(admin.get_by_role("status")).to_contain_text(f"页面'{COURSE}'已创建并发布。")
    course = CoursePage.objects.get()
    assert course.live and course.owning_company == tree["L"]
    assert list(course.audience_companies.all()) == [tree["P"]]
    assert course.audience_channels == [Channel.AGENT_FORCE]
    assert list(course.topic_tags.names()) == ["产代寿"]

    # The lesson: a video block whose media comes from the chooser.
    add_child_page(admin, live_server, course)
    admin.locator("#id_title").fill(LESSON)
    admin.locator("#body-root .c-sf-add-button").click()
    admin.get_by_role("option", name="视频").click()
    admin.locator("#body-root .chooser__choose-button").click()
    admin.get_by_role("dialog").get_by_role("link", name=VIDEO).click()
    expect(admin.get_by_role("dialog")).to_be_hidden()
    expect(admin.locator("#body-root [data-chooser-title]")).to_have_text(VIDEO)
    publish(admin)
    expect(admin.get_by_role("status")).to_contain_text(f"页面'{LESSON}'已创建并发布。")
    lesson = LessonPage.objects.get()
    assert lesson.live and lesson.tracked_media == video

    # An agent of the audience finds the course, opens the lesson and the video plays.
    login_as(phone_page, agent, PASSWORD)
    phone_page.goto(f"{live_server.url}/courses/")
    phone_page.get_by_role("link", name=COURSE).click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text(COURSE)
    phone_page.get_by_role("link", name=LESSON).click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text(LESSON)
    player = phone_page.locator("video")
    expect(player).to_have_attribute("data-media-id", str(video.pk))
    phone_page.evaluate(
        "() => { const v = document.querySelector('video'); v.muted = true; v.play(); }"
    )
    # The clip is two seconds: watched to the end, the heartbeat completes the lesson. Nothing is
    # left to send afterwards, so no request races the table flush after the test.
    expect(phone_page.locator("[data-study-status]")).to_have_text("✓ 本课时已看完")
    assert LessonProgress.objects.get(person=agent, lesson=lesson).is_completed
