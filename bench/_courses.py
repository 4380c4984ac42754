"""Courses, lessons and videos for the benchmarks, built the way the admin builds them (Wagtail's
page API: ``add_child``, a revision, ``publish``), and a small population of agents.

The lesson texts are the articles of the seed (``courses/demo_content/cross_selling_rules_zh.md``,
read by ``courses.seed.seed_articles``).
"""

import itertools
import random

_numbers = itertools.count(1)


def article_texts() -> list[str]:
    from courses.seed import seed_articles

    return [f"{article.label} {article.text}" for article in seed_articles().values()]


def companies(units) -> list:
    from organization.models import OrgUnitKind

    return [unit for unit in units if unit.kind == OrgUnitKind.COMPANY]


def agents(count: int, *, units: int = 60) -> tuple[list, list]:
    """A small org tree and ``count`` agents spread over its outlets: (units, people)."""
    from _common import generate_people, generate_tree

    from organization.models import OrgUnitKind, Role

    tree = generate_tree(units)
    outlets = [unit for unit in tree if unit.kind == OrgUnitKind.OUTLET]
    return tree, generate_people(outlets, count, (Role.AGENT,))


def make_course(*, owner, audience, title: str, summary: str = "交叉销售课程简介"):
    """A live course for every channel of the ``audience`` companies."""
    from courses.models import CourseAudienceChannel, CourseIndexPage, CoursePage
    from organization.models import Channel

    number = next(_numbers)
    course = CoursePage(
        title=title, slug=f"bench-course-{number}", owning_company=owner, summary=summary
    )
    course.audience_companies = list(audience)
    course.audience_channel_rows = [CourseAudienceChannel(channel=c) for c in Channel.values]
    CourseIndexPage.objects.get().add_child(instance=course)
    course.save_revision().publish()
    return course


def assigned_courses(
    *, root, company, count: int, assigned: int, first_due_in_days: int
) -> list[tuple]:
    """``count`` courses of ``company``, the first ``assigned`` of them assigned to everybody
    under ``root`` with due dates 30 days apart from today + ``first_due_in_days`` (negative: the
    first ones are past, so the overdue figures are not empty). Returns the plan for
    ``_common.generate_enrolments``: (course id, assignment id, due date), the last two None for
    a course taken freely."""
    from django.utils import timezone

    from courses.models import Assignment

    today = timezone.localdate()
    plan = []
    for index in range(count):
        course = make_course(owner=company, audience=[company], title=f"交叉销售课程{index + 1}")
        if index < assigned:
            due = today + timezone.timedelta(days=30 * index + first_due_in_days)
            assignment = Assignment.objects.create(course=course, audience_root=root, due_date=due)
            plan.append((course.pk, assignment.pk, due))
        else:
            plan.append((course.pk, None, None))
    return plan


def make_lesson(course, *, title: str, body: list, required: bool = True):
    from courses.models import LessonPage

    number = next(_numbers)
    lesson = LessonPage(title=title, slug=f"bench-lesson-{number}", required=required, body=body)
    course.add_child(instance=lesson)
    lesson.save_revision().publish()
    return lesson


def text_body(text: str) -> list:
    return [("rich_text", f"<p>{text}</p>")]


def make_video(*, seconds: float, title: str = "交叉销售政策解读"):
    """A ready video with a probed duration, as processing leaves it; no file is read (the
    heartbeat and the course page need only the duration and the status)."""
    from wagtailmedia.models import MediaType

    from media_library.models import MediaKind, ProcessingStatus, TrainingMedia

    return TrainingMedia.objects.create(
        title=title,
        file="media/bench-lecture.mp4",
        type=MediaType.VIDEO,
        kind=MediaKind.LECTURE_DISC,
        status=ProcessingStatus.READY,
        duration=seconds,
        width=640,
        height=360,
        container="mov,mp4,m4a,3gp,3g2,mj2",
        video_codec="h264",
        audio_codec="aac",
        original_is_web_playable=True,
    )


def course_with_lessons(*, owner, audience, title: str, lessons: int, video=None, seed: int = 1):
    """A course of ``lessons`` lessons, the text of one to three seed articles each; every fifth
    lesson (when ``video`` is given) opens with the video, every fourth is optional."""
    rng = random.Random(seed)
    texts = article_texts()
    course = make_course(owner=owner, audience=audience, title=title)
    made = []
    for i in range(lessons):
        body = text_body("".join(rng.sample(texts, rng.randint(1, 3))))
        if video is not None and i % 5 == 0:
            body = [("video", video), *body]
        made.append(make_lesson(course, title=f"第{i + 1}课", body=body, required=i % 4 != 3))
    return course, made
