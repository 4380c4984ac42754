"""Front end of registration, check-in, feedback, the lecturer's session page and ICS feed; each
view refuses people out of scope."""

from datetime import UTC, timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from lecturer_portal.attendance import checkin_token, registration_register
from lecturer_portal.models import Feedback, Registration
from lecturer_portal.session_views import calendar_token
from lecturer_portal.signals import attendance_changed
from organization.models import Role
from tests.organization.factories import make_person

from .factories import make_lecturer, make_published

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_session(tree, gz_coordinator, life_lecturer):
    """Starts in ten minutes: registration still open for five, check-in already open."""
    start = timezone.now().replace(microsecond=0) + timedelta(minutes=10)
    return make_published(
        coordinator=gz_coordinator,
        lecturer=life_lecturer,
        host=tree["PGZ"],
        product_company=tree["L"],
        starts_at=start,
        registration_deadline=start - timedelta(minutes=5),
        title="寿险新品说明会",
        place="广州市天河路 1 号",
    )


@pytest.fixture
def agent(tree):
    return make_person(tree["PGZ0101"], Role.AGENT, name="张三")


@pytest.fixture
def outsider(tree):
    return make_person(tree["PSZ0101"], Role.AGENT, name="深圳代理人")


def url(name, session, *args):
    return reverse(f"lecturer_portal:{name}", args=[session.pk, *args])


def test_an_agent_sees_the_session_and_registers(
    live_session, agent, login, django_assert_max_num_queries
):
    client = login(agent)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("lecturer_portal:sessions"))
    assert [s.pk for s in response.context["sessions"]] == [live_session.pk]

    response = client.post(url("register", live_session), follow=True)
    assert "报名成功。" in response.content.decode()
    assert Registration.objects.get(person=agent).status == "registered"


def test_an_agent_outside_the_audience_neither_sees_nor_registers(live_session, outsider, login):
    client = login(outsider)
    assert client.get(reverse("lecturer_portal:sessions")).context["sessions"] == []
    assert client.get(url("session_detail", live_session)).status_code == 404
    assert client.post(url("register", live_session)).status_code == 404
    assert client.post(url("feedback", live_session)).status_code == 404
    assert not Registration.objects.exists()


def test_the_qr_link_checks_in_after_one_tap(live_session, agent, login):
    registration_register(person=agent, session=live_session)
    client = login(agent)
    token = checkin_token(session=live_session)
    page = client.get(url("check_in", live_session) + f"?t={token}")
    assert page.status_code == 200 and "确认签到" in page.content.decode()
    assert Registration.objects.get().status == "registered"  # a GET changes nothing

    response = client.post(url("check_in", live_session), {"t": token}, follow=True)
    assert "签到成功" in response.content.decode()
    assert Registration.objects.get().status == "attended"


# One QR scan: the login session and the user with their person (middleware, 2); the session
# row, the registration locked and updated, the certifications needing attendance (4); the
# service's savepoint inside the test's transaction (2). Receivers of ``attendance_changed``
# (reports' rollup) are left out here: their owners pin what they add.
CHECK_IN_QUERIES = 2 + 4 + 2


def test_a_scan_costs_a_fixed_number_of_queries_and_a_replay_is_refused(
    live_session, agent, login, django_assert_num_queries
):
    registration_register(person=agent, session=live_session)
    client = login(agent)
    data, json = {"t": checkin_token(session=live_session)}, {"HTTP_ACCEPT": "application/json"}
    with (
        mock.patch.object(attendance_changed, "receivers", []),
        django_assert_num_queries(CHECK_IN_QUERIES),
    ):
        response = client.post(url("check_in", live_session), data, **json)
    assert response.json() == {"ok": True}
    assert Registration.objects.get().status == "attended"

    replay = client.post(url("check_in", live_session), data, **json)
    assert replay.status_code == 400 and "无需重复签到" in replay.json()["message"]
    unknown = reverse("lecturer_portal:check_in", args=[live_session.pk + 1])
    assert client.post(unknown, data).status_code == 404


def test_a_forged_link_is_refused_with_a_message(live_session, agent, login):
    registration_register(person=agent, session=live_session)
    response = login(agent).post(
        url("check_in", live_session), {"t": f"{live_session.pk}.1.deadbeef"}, follow=True
    )
    assert "签到码无效" in response.content.decode()
    assert Registration.objects.get().status == "registered"


def test_the_lecturer_page_shows_a_fresh_qr_code(live_session, life_lecturer, login):
    client = login(life_lecturer.person)
    response = client.get(url("lecturer_session", live_session))
    html = response.content.decode()
    assert "<svg" in html and checkin_token(session=live_session) in html
    fragment = client.get(url("lecturer_qr", live_session))
    assert fragment["Cache-Control"] == "no-store" and "<svg" in fragment.content.decode()


def test_other_people_cannot_open_the_lecturer_page(
    tree, live_session, gz_coordinator, agent, sz_coordinator, login
):
    other_lecturer = make_lecturer(tree["PGZ"], user=gz_coordinator.user)
    for person in (other_lecturer.person, agent, sz_coordinator):
        client = login(person)
        assert client.get(url("lecturer_session", live_session)).status_code == 404
        assert client.get(url("lecturer_qr", live_session)).status_code == 404
        assert (
            client.post(url("lecturer_check_in", live_session), {"person": agent.pk}).status_code
            == 404
        )
        assert (
            client.post(url("mark_passed", live_session), {"person": agent.pk}).status_code == 404
        )
    assert not Registration.objects.exists()


def test_the_lecturer_checks_in_by_hand_and_sees_the_attendance(
    live_session, life_lecturer, agent, login
):
    registration_register(person=agent, session=live_session)
    client = login(life_lecturer.person)
    response = client.post(
        url("lecturer_check_in", live_session), {"person": agent.pk}, follow=True
    )
    html = response.content.decode()
    assert "已为张三签到。" in html and "已签到 1 人 / 报名 1 人" in html


def test_feedback_twice_shows_a_message_and_keeps_the_first(
    live_session, life_lecturer, agent, login
):
    from lecturer_portal.attendance import check_in_manual

    registration_register(person=agent, session=live_session)
    type(live_session).objects.filter(pk=live_session.pk).update(
        starts_at=timezone.now() - timedelta(minutes=1)
    )
    live_session.refresh_from_db()
    check_in_manual(user=life_lecturer.person.user, session=live_session, person=agent)
    client = login(agent)
    client.post(url("feedback", live_session), {"lecturer_rating": "5", "content_rating": "4"})
    response = client.post(
        url("feedback", live_session), {"lecturer_rating": "1", "content_rating": "1"}, follow=True
    )
    assert "您已评价过本场培训" in response.content.decode()
    assert list(Feedback.objects.values_list("lecturer_rating", "content_rating")) == [(5, 4)]


def test_registering_a_whole_audience_needs_the_host_in_scope(
    live_session, sz_coordinator, gz_coordinator, login
):
    assert login(sz_coordinator).post(url("register_audience", live_session)).status_code == 404
    assert not Registration.objects.exists()
    response = login(gz_coordinator).post(url("register_audience", live_session), follow=True)
    assert "已为受众报名" in response.content.decode()
    assert Registration.objects.exists()


def test_feedback_overview_is_for_coordinators_and_in_scope(
    live_session, agent, sz_coordinator, gz_coordinator, login
):
    Registration.objects.create(
        session=live_session, person=agent, status="attended", registered_at=timezone.now()
    )
    Feedback.objects.create(session=live_session, person=agent, lecturer_rating=4, content_rating=5)
    page = reverse("lecturer_portal:feedback_overview")
    assert login(agent).get(page).status_code == 404
    assert list(login(sz_coordinator).get(page).context["feedback"]) == []
    assert len(login(gz_coordinator).get(page).context["feedback"]) == 1


def test_the_ics_feed_lists_the_accepted_sessions(live_session, life_lecturer, client):
    response = client.get(reverse("lecturer_portal:calendar", args=[calendar_token(life_lecturer)]))
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    start = live_session.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "BEGIN:VEVENT" in text and f"DTSTART:{start}" in text
    assert "SUMMARY:寿险新品说明会（主讲）" in text and "LOCATION:广州市天河路 1 号" in text


def test_a_wrong_ics_token_is_a_404(life_lecturer, client):
    token = calendar_token(life_lecturer)
    assert client.get(reverse("lecturer_portal:calendar", args=[token + "x"])).status_code == 404
    forged = f"{life_lecturer.pk + 1}:{token.split(':', 1)[1]}"
    assert client.get(reverse("lecturer_portal:calendar", args=[forged])).status_code == 404


def test_the_workspace_links_the_session_page_and_the_calendar(live_session, life_lecturer, login):
    html = login(life_lecturer.person).get(reverse("lecturer_portal:workspace")).content.decode()
    assert url("lecturer_session", live_session) in html
    assert calendar_token(life_lecturer) in html
