"""The player's heartbeat endpoint: only one's own progress, a 404 outside the audience, Chinese
errors for bogus payloads, and the merged progress in the answer."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from courses.models import Enrollment, EnrollmentSource, EnrollmentStatus, LessonProgress
from courses.services import enrollment_get_or_create
from organization.models import Channel

from .factories import make_course, make_lesson, make_video

# The session, the user with their person and unit, the progress row with the enrolment beside
# it, and the conditional update of the progress row: the lesson comes from the cache.
HEARTBEAT_QUERIES = 4


@pytest.fixture
def video(clip, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        media = make_video(clip)
    media.refresh_from_db()
    return media


@pytest.fixture
def course(tree):
    return make_course(owner=tree["L"], audience=[tree["P"]], title="寿险产品基础")


@pytest.fixture
def lesson(course, video):
    return make_lesson(course, media=video, title="寿险产品视频")


@pytest.fixture
def agent(client, p_agent):
    client.force_login(p_agent.user)
    return client


def url_of(lesson) -> str:
    return reverse("courses:lesson_heartbeat", args=[lesson.pk])


def beat(client, lesson, payload, **extra):
    return client.post(
        url_of(lesson), json.dumps(payload), content_type="application/json", **extra
    )


def a_minute_passes(person, lesson):
    """Move the last heartbeat back a minute, as if the learner had played on for that long."""
    progress = LessonProgress.objects.get(person=person, lesson=lesson)
    LessonProgress.objects.filter(pk=progress.pk).update(
        last_heartbeat_at=progress.last_heartbeat_at - timedelta(minutes=1)
    )


def test_a_heartbeat_records_the_played_range_and_answers_the_merged_progress(
    agent, p_agent, course, lesson
):
    make_lesson(course)  # a text lesson: the course is not done with the video alone

    response = beat(agent, lesson, {"ranges": [[0, 10]], "position": 10})

    assert response.status_code == 200
    assert response.json() == {
        "watched_seconds": 10.0,
        "duration": 100.0,
        "watched_percent": 10,
        "required_percent": 90,
        "watched": False,
        "position": 10.0,
        "course_percent": 0,
        "course_status": "in_progress",
        "course_status_label": "学习中",
    }
    progress = LessonProgress.objects.get(person=p_agent, lesson=lesson)
    assert progress.watched_intervals == [[0.0, 10.0]]
    assert Enrollment.objects.get(person=p_agent, course=course).status == "in_progress"


def test_watching_ninety_percent_completes_the_lesson_and_the_course(
    agent, p_agent, course, lesson
):
    beat(agent, lesson, {"ranges": [[0, 30]], "position": 30})
    for start in (30, 60):
        a_minute_passes(p_agent, lesson)
        response = beat(agent, lesson, {"ranges": [[start, start + 30]], "position": start + 30})

    data = response.json()
    assert (data["watched"], data["watched_percent"], data["course_percent"]) == (True, 90, 100)
    assert data["course_status_label"] == "已完成"
    enrollment = Enrollment.objects.get(person=p_agent, course=course)
    assert (enrollment.status, enrollment.percent) == (EnrollmentStatus.COMPLETED, 100)


def test_seeking_to_the_end_counts_only_what_was_played(agent, p_agent, lesson):
    beat(agent, lesson, {"ranges": [[0, 5]], "position": 5})
    a_minute_passes(p_agent, lesson)

    data = beat(agent, lesson, {"ranges": [[95, 100]], "position": 100}).json()

    assert (data["watched_seconds"], data["watched"]) == (10.0, False)
    assert LessonProgress.objects.get(person=p_agent).watched_intervals == [[0, 5], [95, 100]]


def test_claiming_more_than_could_have_been_played_is_refused_whole(agent, p_agent, lesson):
    response = beat(agent, lesson, {"ranges": [[0, 100]], "position": 100})

    assert response.status_code == 400
    assert response.json() == {
        "error": "上报的观看时长超过了实际可能播放的时长，本次记录未被接受。"
    }
    assert not LessonProgress.objects.filter(watched_seconds__gt=0).exists()


def test_a_person_cannot_write_someone_elses_progress(agent, tree, person_factory, p_agent, lesson):
    colleague = person_factory(tree["PGZ0101"], name="同事")

    response = beat(
        agent,
        lesson,
        {"ranges": [[0, 10]], "position": 10, "person": colleague.pk, "person_id": colleague.pk},
    )

    assert response.status_code == 200
    assert LessonProgress.objects.get(lesson=lesson).person == p_agent
    assert not LessonProgress.objects.filter(person=colleague).exists()
    assert not Enrollment.objects.filter(person=colleague).exists()


def test_a_lesson_of_a_course_one_may_not_see_is_404(client, tree, person_factory, lesson):
    for outsider in (
        person_factory(tree["LGZ0101"], name="寿险业务员"),
        person_factory(tree["PGZ0101"], channel=Channel.COUNTER, name="柜面人员"),
    ):
        client.force_login(outsider.user)
        response = beat(client, lesson, {"ranges": [[0, 10]], "position": 10})
        assert response.status_code == 404
        assert response.json() == {"error": "没有找到这个课时。"}
    missing = client.post(
        reverse("courses:lesson_heartbeat", args=[987654]),
        json.dumps({"ranges": [], "position": 0}),
        content_type="application/json",
    )
    assert (missing.status_code, missing.json()) == (404, {"error": "没有找到这个课时。"})
    assert not LessonProgress.objects.exists()
    assert not Enrollment.objects.exists()


def test_a_draft_lesson_takes_no_heartbeats(agent, course, video):
    draft = make_lesson(course, media=video, live=False)
    assert beat(agent, draft, {"ranges": [[0, 10]], "position": 10}).status_code == 404


@pytest.mark.parametrize(
    ("body", "content_type", "error"),
    [
        ("not json", "application/json", "观看进度格式不正确。"),
        ("[[0, 10]]", "application/json", "观看进度格式不正确。"),
        ('{"position": 3}', "application/json", "观看进度格式不正确。"),
        ('{"ranges": "0-10", "position": 3}', "application/json", "观看进度格式不正确。"),
        ('{"ranges": [[0, 10]]}', "application/json", "播放位置不正确。"),
        ('{"ranges": [[0, 10]], "position": "10"}', "application/json", "播放位置不正确。"),
        ('{"ranges": [[0, 10]], "position": true}', "application/json", "播放位置不正确。"),
        ('{"ranges": [[0, 10]], "position": NaN}', "application/json", "播放位置不正确。"),
        ('{"ranges": [[0, 10]], "position": Infinity}', "application/json", "播放位置不正确。"),
        (
            json.dumps({"ranges": [[n, n + 0.1] for n in range(60)], "position": 3}),
            "application/json",
            "一次最多上报 50 段观看记录。",
        ),
        ("payload=%7B%7D", "application/x-www-form-urlencoded", "观看进度格式不正确。"),
        ("", "text/plain", "观看进度格式不正确。"),
    ],
)
def test_bogus_payloads_get_a_400_with_a_chinese_error(agent, lesson, body, content_type, error):
    response = agent.post(url_of(lesson), body, content_type=content_type)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": error}
    assert not LessonProgress.objects.filter(watched_seconds__gt=0).exists()


def test_ranges_outside_the_media_are_clipped_or_dropped(agent, p_agent, lesson):
    response = beat(
        agent, lesson, {"ranges": [[-5, 8], [7, 3], ["a", 9], [200, 300]], "position": 8}
    )

    assert response.status_code == 200
    assert LessonProgress.objects.get(person=p_agent).watched_intervals == [[0.0, 8.0]]


def test_a_text_lesson_takes_no_heartbeats(agent, course):
    text = make_lesson(course)

    response = beat(agent, text, {"ranges": [[0, 10]], "position": 10})

    assert response.status_code == 400
    assert response.json() == {"error": "这个课时没有音视频，不需要上报观看进度。"}


def test_logged_out_player_is_told_to_log_in_again(client, lesson):
    response = beat(client, lesson, {"ranges": [[0, 10]], "position": 10})

    assert response.status_code == 401
    assert response.json() == {"error": "登录已过期，请重新登录后继续学习。"}


def test_only_post_is_accepted(agent, lesson):
    assert agent.get(url_of(lesson)).status_code == 405


def test_the_csrf_token_is_required_in_a_header_or_in_the_beacon_form(p_agent, lesson):
    client = Client(enforce_csrf_checks=True)
    client.force_login(p_agent.user)
    token = str(client.get(lesson.url).context["csrf_token"])
    payload = json.dumps({"ranges": [[0, 5]], "position": 5})

    assert beat(client, lesson, {"ranges": [[0, 5]], "position": 5}).status_code == 403
    fetch = beat(client, lesson, {"ranges": [[0, 5]], "position": 5}, HTTP_X_CSRFTOKEN=token)
    assert fetch.status_code == 200
    beacon = client.post(url_of(lesson), {"csrfmiddlewaretoken": token, "payload": payload})
    assert beacon.status_code == 200
    assert beacon.json()["watched_seconds"] == 5.0
    forged = client.post(url_of(lesson), {"payload": payload})
    assert forged.status_code == 403


def test_the_position_is_kept_for_resuming(agent, p_agent, lesson):
    beat(agent, lesson, {"ranges": [[0, 12.5]], "position": 12.5})
    beat(agent, lesson, {"ranges": [], "position": 42})

    html = agent.get(lesson.url).content.decode()

    assert 'data-resume-at="42.0"' in html


def test_a_heartbeat_takes_a_fixed_number_of_queries(
    agent, p_agent, lesson, django_assert_max_num_queries
):
    beat(agent, lesson, {"ranges": [[0, 5]], "position": 5})

    with django_assert_max_num_queries(HEARTBEAT_QUERIES) as queries:
        response = beat(agent, lesson, {"ranges": [[5, 6]], "position": 6})

    assert response.status_code == 200
    assert response.json()["watched_seconds"] == 6.0
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(writes) == 1 and '"courses_lessonprogress"' in writes[0]


def test_a_heartbeat_that_adds_nothing_writes_nothing(
    agent, p_agent, lesson, django_assert_num_queries
):
    beat(agent, lesson, {"ranges": [[0, 5]], "position": 5})
    before = LessonProgress.objects.get(person=p_agent)

    with django_assert_num_queries(HEARTBEAT_QUERIES - 1):
        response = beat(agent, lesson, {"ranges": [[1, 4]], "position": 5})

    assert response.status_code == 200
    assert response.json()["watched_seconds"] == 5.0
    after = LessonProgress.objects.get(person=p_agent)
    assert (after.updated_at, after.heartbeat_credit) == (
        before.updated_at,
        before.heartbeat_credit,
    )


def test_a_lesson_unpublished_after_heartbeats_takes_no_more(agent, p_agent, lesson):
    assert beat(agent, lesson, {"ranges": [[0, 5]], "position": 5}).status_code == 200

    lesson.unpublish()
    response = beat(agent, lesson, {"ranges": [[5, 10]], "position": 10})

    assert (response.status_code, response.json()) == (404, {"error": "没有找到这个课时。"})
    assert LessonProgress.objects.get(person=p_agent).watched_seconds == 5.0


def test_a_course_published_without_ones_company_takes_no_more_heartbeats(
    agent, p_agent, tree, course, lesson
):
    assert beat(agent, lesson, {"ranges": [[0, 5]], "position": 5}).status_code == 200
    Enrollment.objects.filter(person=p_agent).delete()  # not kept in by an enrolment either

    course.audience_companies = [tree["L"]]
    course.save_revision().publish()
    response = beat(agent, lesson, {"ranges": [[5, 10]], "position": 10})

    assert response.status_code == 404
    assert LessonProgress.objects.get(person=p_agent).watched_seconds == 5.0


def test_an_enrolled_person_beyond_the_audience_may_send_heartbeats(
    client, tree, person_factory, course, lesson
):
    counter_clerk = person_factory(tree["PGZ0101"], channel=Channel.COUNTER, name="柜面人员")
    enrollment_get_or_create(person=counter_clerk, course=course, source=EnrollmentSource.ASSIGNED)
    client.force_login(counter_clerk.user)

    response = beat(client, lesson, {"ranges": [[0, 5]], "position": 5})

    assert response.status_code == 200
    assert LessonProgress.objects.get(person=counter_clerk).watched_seconds == 5.0
