"""Catalogue audience, course outline, my learning, today's morning meeting; and the study rules."""

from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import EnrollmentSource, EnrollmentStatus
from courses.selectors import (
    catalogue_for_person,
    course_outline,
    media_item_open_to,
    my_learning,
    todays_morning_meeting,
)
from courses.services import (
    enrollment_complete,
    enrollment_get_or_create,
    lesson_mark_done,
)
from organization.models import Channel, Role

from .factories import make_course, make_lesson, make_meeting, make_video

T0 = datetime(2025, 3, 3, 9, 0).astimezone()


def test_the_catalogue_shows_courses_for_the_persons_company_and_channel(
    tree, person_factory, django_assert_num_queries
):
    life_for_pc = make_course(owner=tree["L"], audience=[tree["P"]], title="寿险课（产代寿）")
    pc_own = make_course(
        owner=tree["P"], audience=[tree["P"]], channels=[Channel.AGENT_FORCE, Channel.COUNTER]
    )
    make_course(owner=tree["P"], audience=[tree["L"]], title="财险课（寿代产）")
    make_course(owner=tree["L"], audience=[tree["P"]], channels=[Channel.COUNTER])
    make_course(owner=tree["L"], audience=[tree["P"]], live=False)
    agent = person_factory(tree["PGZ0101"], Role.AGENT)
    enrollment_get_or_create(person=agent, course=life_for_pc, source=EnrollmentSource.SELF)

    with django_assert_num_queries(3):
        courses = list(catalogue_for_person(person=agent))
        tags = [list(course.topic_tags.all()) for course in courses]
    assert {course.pk for course in courses} == {life_for_pc.pk, pc_own.pk}
    assert len(tags) == 2
    statuses = {
        course.pk: (course.enrollment_status, course.enrollment_percent) for course in courses
    }
    assert statuses[life_for_pc.pk] == (EnrollmentStatus.NOT_STARTED, 0)
    assert statuses[pc_own.pk] == (None, None)

    counter = person_factory(tree["PSZ0101"], Role.AGENT, channel=Channel.COUNTER)
    assert len(catalogue_for_person(person=counter)) == 2
    interaction = person_factory(tree["PSZ"], Role.AGENT, channel=Channel.INTERACTION)
    assert list(catalogue_for_person(person=interaction)) == []


def test_the_catalogue_filters_by_tag(tree, p_agent):
    tagged = make_course(owner=tree["P"])
    tagged.topic_tags.add("联合展业")
    tagged.save_revision().publish()
    make_course(owner=tree["P"])
    assert [c.pk for c in catalogue_for_person(person=p_agent, topic="联合展业")] == [tagged.pk]


def _outline_queries(course, person, lessons: int) -> int:
    made = [make_lesson(course) for _ in range(lessons)]
    lesson_mark_done(person=person, lesson=made[-1], at=T0)
    urls = [lesson.url for lesson in made]  # also warms the site root paths, as a request does
    with CaptureQueriesContext(connection) as queries:
        outline = course_outline(course=course, person=person)
        shown = [(lesson.kind, lesson.href, lesson.is_done) for lesson in outline.lessons]
    assert shown == [("text", url, url == urls[-1]) for url in urls]
    assert outline.required_done == 1
    return len(queries)


def test_a_course_outline_takes_the_same_queries_for_5_and_50_lessons(tree, p_agent):
    five = _outline_queries(make_course(owner=tree["P"]), p_agent, 5)
    fifty = _outline_queries(make_course(owner=tree["P"]), p_agent, 50)
    assert five == fifty
    assert fifty <= 20


def test_the_outline_points_at_the_next_lesson(tree, p_agent):
    course = make_course(owner=tree["L"], audience=[tree["P"]])
    first, second, optional = (
        make_lesson(course),
        make_lesson(course),
        make_lesson(course, required=False),
    )
    lesson_mark_done(person=p_agent, lesson=first, at=T0)
    outline = course_outline(course=course, person=p_agent)
    assert [lesson.pk for lesson in outline.lessons] == [first.pk, second.pk, optional.pk]
    assert outline.next_lesson.pk == second.pk
    assert (outline.required_count, outline.required_done) == (2, 1)
    assert outline.enrollment.percent == 50
    assert outline.cross_selling_pairs == ["产代寿"]


def test_my_learning_lists_assigned_overdue_first_then_in_progress_and_completed(tree, p_agent):
    today = date(2025, 3, 10)
    courses = [make_course(owner=tree["P"]) for _ in range(5)]
    enrollment_get_or_create(
        person=p_agent,
        course=courses[0],
        source=EnrollmentSource.ASSIGNED,
        due_date=today + timedelta(days=5),
    )
    enrollment_get_or_create(
        person=p_agent,
        course=courses[1],
        source=EnrollmentSource.ASSIGNED,
        due_date=today - timedelta(days=1),
    )
    enrollment_get_or_create(person=p_agent, course=courses[2], source=EnrollmentSource.SELF)
    enrollment_complete(person=p_agent, course=courses[3], at=T0)
    hidden = make_course(owner=tree["P"])
    enrollment_get_or_create(person=p_agent, course=hidden, source=EnrollmentSource.SELF)
    hidden.unpublish()

    learning = my_learning(person=p_agent, today=today)
    assert [e.course_id for e in learning.assigned] == [courses[1].pk, courses[0].pk]
    assert [e.is_overdue for e in learning.assigned] == [True, False]
    assert [e.course_id for e in learning.in_progress] == [courses[2].pk]
    assert [e.course_id for e in learning.completed] == [courses[3].pk]


def test_todays_morning_meeting_is_the_persons_companys(tree, p_agent, meetings_index):
    today = date(2025, 3, 3)
    group_wide = make_meeting(meetings_index, company=None, meeting_date=today)
    assert todays_morning_meeting(person=p_agent, on_date=today).pk == group_wide.pk
    own = make_meeting(meetings_index, company=tree["P"], meeting_date=today)
    make_meeting(meetings_index, company=tree["L"], meeting_date=today)
    make_meeting(meetings_index, company=tree["P"], meeting_date=today - timedelta(days=1))
    assert todays_morning_meeting(person=p_agent, on_date=today).pk == own.pk
    assert todays_morning_meeting(person=p_agent, on_date=today + timedelta(days=1)) is None


def test_view_course_follows_the_audience_enrolment_and_editing(tree, person_factory, l_lecturer):
    course = make_course(owner=tree["L"], audience=[tree["P"]], channels=[Channel.AGENT_FORCE])
    lesson = make_lesson(course)
    pc_agent = person_factory(tree["PGZ0101"])
    life_agent = person_factory(tree["LGZ0101"])
    pc_counter = person_factory(tree["PGZ0101"], channel=Channel.COUNTER)
    assert pc_agent.user.has_perm("courses.view_course", course)
    assert pc_agent.user.has_perm("courses.study_lesson", lesson)
    assert not life_agent.user.has_perm("courses.view_course", course)
    assert not pc_counter.user.has_perm("courses.study_lesson", lesson)
    assert not AnonymousUser().has_perm("courses.view_course", course)
    # An assignment reaches beyond the audience.
    enrollment_get_or_create(person=pc_counter, course=course, source=EnrollmentSource.ASSIGNED)
    assert pc_counter.user.has_perm("courses.study_lesson", lesson)
    # Unpublished: only editors (for preview).
    course.unpublish()
    course.refresh_from_db()
    assert not pc_agent.user.has_perm("courses.view_course", course)
    assert l_lecturer.user.has_perm("courses.view_course", course)
    assert not person_factory(tree["PGZ"], Role.LECTURER).user.has_perm(
        "courses.view_course", course
    )


def test_an_inactive_person_may_view_nothing(tree, person_factory):
    from organization.services import person_deactivate

    course = make_course(owner=tree["P"])
    agent = person_factory(tree["PGZ0101"])
    person_deactivate(person=agent)
    agent.user.refresh_from_db()
    assert not agent.user.has_perm("courses.view_course", course)


def test_morning_meetings_are_seen_by_their_company(tree, person_factory, meetings_index):
    meeting = make_meeting(meetings_index, company=tree["L"], meeting_date=date(2025, 3, 3))
    assert person_factory(tree["LGZ0101"]).user.has_perm("courses.view_morning_meeting", meeting)
    assert not person_factory(tree["PGZ0101"]).user.has_perm(
        "courses.view_morning_meeting", meeting
    )


@pytest.mark.django_db
def test_media_is_open_to_the_audience_of_a_lesson_that_uses_it(tree, person_factory, clip):
    video = make_video(clip)
    unused = make_video(clip, title="未使用的视频")
    course = make_course(owner=tree["L"], audience=[tree["P"]])
    make_lesson(course, media=video)
    pc_agent = person_factory(tree["PGZ0101"])
    life_agent = person_factory(tree["LGZ0101"])
    with CaptureQueriesContext(connection) as queries:
        assert media_item_open_to(person=pc_agent, item=video)
    assert len(queries) <= 4
    assert not media_item_open_to(person=life_agent, item=video)
    assert not media_item_open_to(person=pc_agent, item=unused)
    # Through the media library's own permission, which asks the courses hook.
    assert pc_agent.user.has_perm("media_library.view_media", video)
    assert not life_agent.user.has_perm("media_library.view_media", video)


def test_a_morning_meeting_video_is_open_to_its_company(tree, person_factory, clip, meetings_index):
    video = make_video(clip, title="晨会录像")
    meeting = make_meeting(meetings_index, company=tree["P"], meeting_date=date(2025, 3, 3))
    meeting.video = video
    meeting.save_revision().publish()
    assert media_item_open_to(person=person_factory(tree["PSZ0101"]), item=video)
    assert not media_item_open_to(person=person_factory(tree["LSZ0101"]), item=video)
