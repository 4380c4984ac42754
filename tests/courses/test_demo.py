"""``manage.py load_demo`` with the courses step: real clips (2 s in tests), idempotent."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Page, Revision

from courses.demo import COURSES, meeting_dates
from courses.models import (
    Assignment,
    CoursePage,
    Enrollment,
    EnrollmentStatus,
    LessonPage,
    LessonProgress,
    MorningMeetingPage,
)
from courses.seed import SEED_PATH, parse_rules, seed_articles
from courses.selectors import catalogue_for_person, my_learning, todays_morning_meeting
from media_library.models import MediaKind, TrainingMedia
from organization.models import Channel, Person, Role

ARTICLE_LABEL = re.compile(r"^(第[一二三四五六七八九十]+条) ", re.MULTILINE)


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", force=True, stdout=out)
    return out.getvalue()


def counts() -> dict:
    return {
        "pages": sorted(Page.objects.values_list("content_type__model", "slug", "live")),
        "revisions": Revision.objects.count(),
        "media": sorted(TrainingMedia.objects.values_list("kind", "title", "duration")),
        "assignments": sorted(Assignment.objects.values_list("course__slug", "due_date")),
        "enrollments": sorted(
            Enrollment.objects.values_list(
                "person__employee_no", "course__slug", "status", "percent"
            )
        ),
        "progress": sorted(
            LessonProgress.objects.values_list(
                "person__employee_no", "lesson__slug", "completed_at", "watched_seconds"
            )
        ),
    }


@pytest.fixture
def demo(db) -> str:
    return load_demo()


@pytest.fixture
def agent01(demo) -> Person:
    return Person.objects.select_related("org_unit").get(employee_no="agent01")


def test_running_twice_creates_nothing_new(demo, django_assert_max_num_queries):
    first = counts()
    # The whole load_demo rerun: a few existence checks per demo step, none per course or page
    # (the same budget as tests/organization/test_demo.py; each step also takes a savepoint).
    with django_assert_max_num_queries(33):
        output = load_demo()
    assert counts() == first
    assert (
        "新建课程 0/5 门，课时 0 个，晨会 0 场，音视频 0 个，必修指派 0 条，学习记录 0 人" in output
    )
    assert "新建课程 5/5 门" in demo


def test_every_article_of_the_seed_is_in_a_lesson(demo):
    seed_text = SEED_PATH.read_text(encoding="utf-8")
    labels = ARTICLE_LABEL.findall(seed_text)
    assert len(labels) == 22
    assert list(seed_articles()) == labels
    bodies = [str(lesson.body.raw_data) for lesson in LessonPage.objects.live()]
    for article in seed_articles().values():
        assert any(article.label in body and article.text in body for body in bodies), article.label


def test_the_shipped_seed_parses_chapters_and_articles():
    articles = parse_rules(SEED_PATH.read_text(encoding="utf-8"))
    assert articles["第二十四条"].number == 24
    assert articles["第二十四条"].chapter == "第七章业务管理"
    assert articles["第十五条"].chapter == "第四章产品管理"
    assert articles["第三十六条"].chapter == "第九章业绩考核"
    assert articles["第二十六条"].text.startswith("纳入交叉销售保费收入统计口径的规则是")


def test_statistics_course_has_a_lesson_per_article_of_chapter_seven(demo):
    course = CoursePage.objects.get(slug="premium-income-statistics")
    assert course.title == "交叉销售保费收入统计口径"
    assert course.live
    lessons = list(LessonPage.objects.live().child_of(course))
    assert [lesson.title.split()[0] for lesson in lessons] == [
        "第二十四条",
        "第二十五条",
        "第二十六条",
        "第二十七条",
        "第二十八条",
        "第二十九条",
        "第三十条",
        "第三十一条",
    ]
    assert [block.block_type for block in lessons[0].body] == ["rich_text", "key_points"]
    assert lessons[0].body[1].value["points"][0] == "交叉销售形成的各类收入记为交叉销售总收入。"


def test_training_course_plays_real_video_and_audio(demo):
    course = CoursePage.objects.get(slug="training-management")
    assert course.cross_selling_pairs == ["产代寿"]
    media = [
        lesson.tracked_media
        for lesson in LessonPage.objects.live().child_of(course)
        if lesson.tracked_media is not None
    ]
    assert [(m.kind, m.type) for m in media] == [
        (MediaKind.LECTURE_DISC, "video"),
        (MediaKind.LECTURE_RECORDING, "audio"),
    ]
    for item in media:
        assert 1.5 <= float(item.duration) <= 2.5
        assert item.file.storage.exists(item.file.name)


def test_agent01_sees_several_courses_and_todays_meeting(agent01):
    catalogue = {course.slug: course for course in catalogue_for_person(person=agent01)}
    assert set(catalogue) == {spec.slug for spec in COURSES} - {"it-support-and-assessment"}
    assert catalogue["product-management"].enrollment_status == EnrollmentStatus.COMPLETED
    assert catalogue["premium-income-statistics"].enrollment_status == EnrollmentStatus.IN_PROGRESS
    assert catalogue["training-management"].enrollment_status == EnrollmentStatus.IN_PROGRESS

    today = timezone.localdate()
    meeting = todays_morning_meeting(person=agent01, on_date=today)
    assert meeting is not None
    assert meeting.company.code == "P"
    assert meeting.video.kind == MediaKind.MORNING_MEETING
    assert meeting.key_point_list
    assert sorted(
        MorningMeetingPage.objects.live().values_list("meeting_date", flat=True)
    ) == meeting_dates(today)


def test_agent01_has_assignments_progress_and_a_resume_point(agent01):
    learning = my_learning(person=agent01, today=timezone.localdate())
    assert {e.course.slug for e in learning.assigned} >= {
        "premium-income-statistics",
        "risk-and-compliance",
    }
    assert {e.course.slug for e in learning.completed} == {"product-management"}
    statistics = Enrollment.objects.get(person=agent01, course__slug="premium-income-statistics")
    assert statistics.percent == 25
    assert statistics.due_date == timezone.localdate() + timedelta(days=14)
    watched = LessonProgress.objects.get(person=agent01, lesson__slug="video-training-system")
    assert watched.completed_at is None
    assert watched.last_position == pytest.approx(0.8, abs=0.05)


def test_managers_see_spread_progress_in_the_assigned_course(demo):
    statuses = set(
        Enrollment.objects.filter(course__slug="premium-income-statistics").values_list(
            "status", flat=True
        )
    )
    assert statuses == set(EnrollmentStatus.values)
    agents = Person.objects.with_role(Role.AGENT).filter(
        org_unit__code__startswith="P-GD", channel=Channel.AGENT_FORCE
    )
    assert agents.count() == 78
    assert set(
        Enrollment.objects.filter(course__slug="risk-and-compliance").values_list(
            "person", flat=True
        )
    ) == set(agents.values_list("pk", flat=True))


def test_later_day_adds_that_days_meeting(demo, monkeypatch):
    later = timezone.localdate() + timedelta(days=7)
    monkeypatch.setattr(timezone, "localdate", lambda *args: later)
    before = MorningMeetingPage.objects.count()
    output = load_demo()
    assert MorningMeetingPage.objects.filter(meeting_date=later).exists()
    assert MorningMeetingPage.objects.count() == before + 5
    assert "音视频 0 个" in output


def test_logins_table_tells_what_the_demo_left(demo):
    assert "演示：必修《交叉销售保费收入统计口径》学习中" in demo
    assert "演示：已向广东个人代理指派必修" in demo
