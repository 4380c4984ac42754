"""Heartbeats, watched lessons, text lessons marked done, and the enrolment they update."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses import services
from courses.models import Enrollment, EnrollmentSource, EnrollmentStatus, LessonProgress
from courses.selectors import heartbeat_lesson
from courses.services import (
    enrollment_complete,
    enrollment_get_or_create,
    enrollment_recompute,
    lesson_mark_done,
    progress_record_heartbeat,
)
from tests.conftest import LECTURE_SECONDS

from .factories import make_course, make_lesson, make_video

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=datetime.now().astimezone().tzinfo)


@pytest.fixture
def video(clip):
    return make_video(clip)


@pytest.fixture
def course(tree):
    return make_course(owner=tree["L"], audience=[tree["P"]])


def watch(person, lesson, start, end, *, step=10, at=T0, every=5):
    """Play ``start``–``end`` in heartbeats of ``step`` media seconds every ``every`` seconds."""
    progress = None
    for offset in range(start, end, step):
        at = at + timedelta(seconds=every)
        progress = progress_record_heartbeat(
            person=person,
            lesson=lesson,
            ranges=[[offset, min(offset + step, end)]],
            position=min(offset + step, end),
            at=at,
        )
    return progress, at


def test_a_video_lesson_is_watched_at_ninety_percent(p_agent, course, video):
    lesson = make_lesson(course, media=video)
    make_lesson(course)  # a text lesson still to do
    progress, at = watch(p_agent, lesson, 0, 80)
    assert progress.completed_at is None
    assert progress.watched_seconds == 80
    progress, at = watch(p_agent, lesson, 80, 90, at=at)
    assert progress.completed_at == at
    assert progress.watched_intervals == [[0.0, 90.0]]
    assert progress.last_position == 90
    enrollment = Enrollment.objects.get(person=p_agent, course=course)
    assert (enrollment.status, enrollment.percent) == (EnrollmentStatus.IN_PROGRESS, 50)
    assert enrollment.source == EnrollmentSource.SELF
    assert enrollment.started_at == T0 + timedelta(seconds=5)


def test_seeking_to_the_end_does_not_make_a_lesson_watched(p_agent, course, video):
    lesson = make_lesson(course, media=video)
    watch(p_agent, lesson, 0, 10)
    # Seek to the end and play the last seconds: only those seconds count.
    progress = progress_record_heartbeat(
        person=p_agent,
        lesson=lesson,
        ranges=[[95, 100]],
        position=100,
        at=T0 + timedelta(seconds=10),
    )
    assert progress.watched_intervals == [[0.0, 10.0], [95.0, 100.0]]
    assert progress.completed_at is None
    # Claiming the whole video in one go is refused and records nothing.
    with pytest.raises(ValidationError) as error:
        progress_record_heartbeat(
            person=p_agent,
            lesson=lesson,
            ranges=[[0, LECTURE_SECONDS]],
            position=100,
            at=T0 + timedelta(seconds=15),
        )
    assert error.value.messages == ["上报的观看时长超过了实际可能播放的时长，本次记录未被接受。"]
    progress.refresh_from_db()
    assert progress.watched_seconds == 15
    enrollment = Enrollment.objects.get(person=p_agent, course=course)
    assert enrollment.percent == 0 and enrollment.status == EnrollmentStatus.IN_PROGRESS


def test_replayed_and_out_of_order_heartbeats_count_once(p_agent, course, video):
    lesson = make_lesson(course, media=video)
    at = T0
    for start in (10, 0, 20, 10, 0, 30):
        at += timedelta(seconds=6)
        progress = progress_record_heartbeat(
            person=p_agent,
            lesson=lesson,
            ranges=[[start, start + 10]],
            position=start + 10,
            at=at,
        )
    assert progress.watched_intervals == [[0.0, 40.0]]
    assert progress.watched_seconds == 40


def test_ranges_beyond_the_duration_are_clipped(p_agent, course, video):
    lesson = make_lesson(course, media=video)
    progress = progress_record_heartbeat(
        person=p_agent, lesson=lesson, ranges=[[95, 120], [-3, 2]], position=500, at=T0
    )
    assert progress.watched_intervals == [[0.0, 2.0], [95.0, 100.0]]
    assert progress.last_position == LECTURE_SECONDS


def test_completing_the_only_lesson_completes_the_course_in_the_same_transaction(
    p_agent, course, video
):
    lesson = make_lesson(course, media=video)
    _progress, at = watch(p_agent, lesson, 0, 80)
    with CaptureQueriesContext(connection) as queries:
        progress_record_heartbeat(
            person=p_agent,
            lesson=lesson,
            ranges=[[80, 90]],
            position=90,
            at=at + timedelta(seconds=5),
        )
    enrollment = Enrollment.objects.get(person=p_agent, course=course)
    assert enrollment.status == EnrollmentStatus.COMPLETED
    assert enrollment.percent == 100
    assert enrollment.completed_at == at + timedelta(seconds=5)
    statements = [q["sql"] for q in queries.captured_queries]

    def first(prefix: str, table: str, after: int = -1) -> int:
        return next(
            i for i, s in enumerate(statements) if i > after and s.startswith(prefix) and table in s
        )

    # One transaction: the progress row is read locked (FOR UPDATE on PostgreSQL) and written,
    # then the enrolment row is read locked and written, all between one BEGIN/SAVEPOINT and its
    # release.
    opened = first("SAVEPOINT", "")
    savepoint = statements[opened].removeprefix("SAVEPOINT ")
    released = first("RELEASE SAVEPOINT", savepoint)
    progress_read = first("SELECT", 'FROM "courses_lessonprogress"', after=opened)
    progress_update = first("UPDATE", '"courses_lessonprogress"')
    enrollment_read = first("SELECT", 'FROM "courses_enrollment"')
    enrollment_update = first("UPDATE", '"courses_enrollment"')
    assert opened < progress_read < progress_update < enrollment_read < enrollment_update < released
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in statements[progress_read]
        assert "FOR UPDATE" in statements[enrollment_read]


def test_a_failing_enrollment_update_rolls_back_the_progress(p_agent, course, video, monkeypatch):
    from courses import services

    lesson = make_lesson(course, media=video)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_recompute", broken)
    with pytest.raises(RuntimeError):
        progress_record_heartbeat(
            person=p_agent, lesson=lesson, ranges=[[0, 10]], position=10, at=T0
        )
    assert not LessonProgress.objects.exists()
    assert not Enrollment.objects.exists()


def test_a_heartbeat_read_before_another_was_written_is_recorded_after_it(p_agent, course, video):
    """Two heartbeats of one learner at once: the one that read the row before the other wrote
    it does not write over it, but is merged again into what the other wrote."""
    lesson = make_lesson(course, media=video)
    watch(p_agent, lesson, 0, 10)
    facts = heartbeat_lesson(lesson_id=lesson.pk)
    stale, _enrollment, _started = services._progress_with_enrollment(person=p_agent, lesson=facts)
    other = progress_record_heartbeat(
        person=p_agent, lesson=lesson, ranges=[[10, 20]], position=20, at=T0 + timedelta(minutes=1)
    )
    merged = services._merge(
        stale, duration=facts.duration, ranges=[[30, 40]], position=40, at=T0 + timedelta(minutes=1)
    )

    assert not services._write_unless_written_meanwhile(stale, merged)
    assert LessonProgress.objects.get(pk=other.pk).watched_intervals == [[0.0, 20.0]]
    again = progress_record_heartbeat(
        person=p_agent, lesson=lesson, ranges=[[30, 40]], position=40, at=T0 + timedelta(minutes=1)
    )
    assert again.watched_intervals == [[0.0, 20.0], [30.0, 40.0]]


def test_the_threshold_comes_from_settings(settings, p_agent, course, video):
    settings.COURSES_WATCHED_THRESHOLD = 0.5
    lesson = make_lesson(course, media=video)
    progress, _at = watch(p_agent, lesson, 0, 50)
    assert progress.completed_at is not None


def test_a_text_lesson_is_marked_done_by_the_learner(p_agent, course, video):
    text = make_lesson(course)
    optional = make_lesson(course, required=False)
    make_lesson(course, media=video)
    progress = lesson_mark_done(person=p_agent, lesson=text, at=T0)
    assert progress.marked_done and progress.completed_at == T0
    enrollment = Enrollment.objects.get(person=p_agent, course=course)
    assert (enrollment.status, enrollment.percent, enrollment.started_at) == (
        EnrollmentStatus.IN_PROGRESS,
        50,
        T0,
    )
    # Optional lessons do not count towards the percent.
    lesson_mark_done(person=p_agent, lesson=optional, at=T0 + timedelta(minutes=1))
    enrollment.refresh_from_db()
    assert enrollment.percent == 50
    # Marking again changes nothing.
    again = lesson_mark_done(person=p_agent, lesson=text, at=T0 + timedelta(hours=1))
    assert again.completed_at == T0


def test_a_media_lesson_cannot_be_marked_done(p_agent, course, video):
    lesson = make_lesson(course, media=video)
    with pytest.raises(ValidationError) as error:
        lesson_mark_done(person=p_agent, lesson=lesson, at=T0)
    assert error.value.messages == ["音视频课时在观看达到要求后自动完成，不能手动标记完成。"]


def test_a_heartbeat_for_a_text_lesson_is_refused(p_agent, course):
    lesson = make_lesson(course)
    with pytest.raises(ValidationError) as error:
        progress_record_heartbeat(person=p_agent, lesson=lesson, ranges=[[0, 5]], position=5, at=T0)
    assert error.value.messages == ["这个课时没有音视频，不需要上报观看进度。"]


def test_each_person_writes_only_their_own_progress(tree, person_factory, p_agent, course, video):
    other = person_factory(tree["PSZ0101"])
    lesson = make_lesson(course, media=video)
    watch(p_agent, lesson, 0, 30)
    assert not LessonProgress.objects.filter(person=other).exists()
    assert list(Enrollment.objects.values_list("person", flat=True)) == [p_agent.pk]


def test_completion_when_all_required_lessons_are_done(p_agent, course):
    first, second = make_lesson(course), make_lesson(course)
    make_lesson(course, required=False)
    lesson_mark_done(person=p_agent, lesson=first, at=T0)
    lesson_mark_done(person=p_agent, lesson=second, at=T0 + timedelta(minutes=5))
    enrollment = Enrollment.objects.get(person=p_agent, course=course)
    assert enrollment.status == EnrollmentStatus.COMPLETED
    assert enrollment.completed_at == T0 + timedelta(minutes=5)
    # A lesson added later does not undo the completion.
    make_lesson(course)
    assert enrollment_recompute(enrollment=enrollment).status == EnrollmentStatus.COMPLETED


def test_only_published_lessons_count(p_agent, course):
    first = make_lesson(course)
    make_lesson(course, live=False)
    lesson_mark_done(person=p_agent, lesson=first, at=T0)
    enrollment = Enrollment.objects.get(person=p_agent, course=course)
    assert enrollment.status == EnrollmentStatus.COMPLETED


def test_recompute_after_a_lesson_is_unpublished(p_agent, course):
    first, second = make_lesson(course), make_lesson(course)
    lesson_mark_done(person=p_agent, lesson=first, at=T0)
    enrollment = Enrollment.objects.get(person=p_agent, course=course)
    assert enrollment.percent == 50
    second.unpublish()
    enrollment = enrollment_recompute(enrollment=enrollment)
    assert (enrollment.status, enrollment.percent) == (EnrollmentStatus.COMPLETED, 100)
    assert enrollment.completed_at is not None


def test_enrollment_complete_is_idempotent(p_agent, course):
    first = enrollment_complete(person=p_agent, course=course, at=T0)
    again = enrollment_complete(person=p_agent, course=course, at=T0 + timedelta(days=1))
    assert first.pk == again.pk
    assert again.completed_at == T0 and again.percent == 100 and again.started_at == T0


def test_enrollment_copies_the_persons_place(tree, p_agent, course):
    enrollment = enrollment_get_or_create(
        person=p_agent, course=course, source=EnrollmentSource.SELF
    )
    assert enrollment.org_path == tree["PGZ0101"].path
    assert enrollment.company_id == tree["P"].pk
    assert enrollment.channel == p_agent.channel
    assert enrollment.status == EnrollmentStatus.NOT_STARTED


def test_an_assignment_upgrades_a_self_enrolment_but_never_the_reverse(p_agent, course):
    from datetime import date

    enrollment_get_or_create(person=p_agent, course=course, source=EnrollmentSource.SELF)
    assigned = enrollment_get_or_create(
        person=p_agent, course=course, source=EnrollmentSource.ASSIGNED, due_date=date(2025, 6, 30)
    )
    assert (assigned.source, assigned.due_date) == (EnrollmentSource.ASSIGNED, date(2025, 6, 30))
    again = enrollment_get_or_create(person=p_agent, course=course, source=EnrollmentSource.SELF)
    assert again.source == EnrollmentSource.ASSIGNED
    assert Enrollment.objects.count() == 1
