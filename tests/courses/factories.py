"""Courses, lessons and media built the way the admin builds them: Wagtail's page API and the
media library's service."""

import itertools
from pathlib import Path

from django.core.files import File
from wagtailmedia.models import MediaType

from courses.models import (
    CourseAudienceChannel,
    CourseIndexPage,
    CoursePage,
    LessonPage,
    MorningMeetingPage,
)
from media_library.models import MediaKind
from media_library.services import media_create
from organization.models import Channel

_numbers = itertools.count(1)


def make_video(clip: Path, title: str = "交叉销售政策解读"):
    with clip.open("rb") as handle:
        return media_create(
            title=title,
            file=File(handle, name=clip.name),
            media_type=MediaType.VIDEO,
            kind=MediaKind.LECTURE_DISC,
        )


def make_course(
    *,
    owner,
    audience=(),
    channels=(Channel.AGENT_FORCE,),
    title: str | None = None,
    live: bool = True,
    **fields,
) -> CoursePage:
    number = next(_numbers)
    course = CoursePage(
        title=title or f"测试课程{number}",
        slug=f"course-{number}",
        owning_company=owner,
        summary="交叉销售课程简介",
        live=live,
        **fields,
    )
    course.audience_companies = list(audience) or [owner]
    course.audience_channel_rows = [CourseAudienceChannel(channel=c) for c in channels]
    CourseIndexPage.objects.get().add_child(instance=course)
    if live:
        course.save_revision().publish()
    return course


def text_body(text: str = "第一条 交叉销售是指……") -> list:
    return [("rich_text", f"<p>{text}</p>")]


def make_lesson(
    course: CoursePage,
    *,
    media=None,
    required: bool = True,
    title: str | None = None,
    live: bool = True,
) -> LessonPage:
    number = next(_numbers)
    body = [("video", media)] if media is not None else text_body()
    lesson = LessonPage(
        title=title or f"第{number}课",
        slug=f"lesson-{number}",
        required=required,
        body=body,
        live=live,
    )
    course.add_child(instance=lesson)
    if live:
        lesson.save_revision().publish()
    return lesson


def make_meeting(index, *, company, meeting_date, topic="今日晨会：联合展业", live=True):
    number = next(_numbers)
    meeting = MorningMeetingPage(
        title=f"{meeting_date:%m月%d日}晨会{number}",
        slug=f"meeting-{number}",
        meeting_date=meeting_date,
        company=company,
        topic=topic,
        key_points="要点一\n要点二",
        live=live,
    )
    index.add_child(instance=meeting)
    if live:
        meeting.save_revision().publish()
    return meeting
