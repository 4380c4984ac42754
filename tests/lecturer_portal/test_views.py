"""The lecturer's workspace (answering assignments), the notices page and the home panels."""

import pytest
from django.urls import reverse

from lecturer_portal.models import AssignmentStatus, Notice
from lecturer_portal.services import lecturer_assign
from organization.models import Role
from tests.organization.factories import make_person

from .factories import at, make_lecturer, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(tree, gz_coordinator, life_lecturer):
    session = make_session(
        user=gz_coordinator.user,
        host=tree["PGZ"],
        product_company=tree["L"],
        title="寿险产品说明会",
        starts_at=at(10, 9),
    )
    return lecturer_assign(
        user=gz_coordinator.user, session=session, lecturer=life_lecturer, role="lead"
    )


def accept_url(assignment):
    return reverse("lecturer_portal:assignment_accept", args=[assignment.pk])


def decline_url(assignment):
    return reverse("lecturer_portal:assignment_decline", args=[assignment.pk])


def test_the_workspace_shows_the_invitation_with_its_buttons(invitation, life_lecturer, login):
    response = login(life_lecturer.person).get(reverse("lecturer_portal:workspace"))

    assert response.status_code == 200
    assert [row.pk for row in response.context["invited"]] == [invitation.pk]
    html = response.content.decode()
    assert "寿险产品说明会" in html and "2031-03-10 09:00–11:00" in html
    assert accept_url(invitation) in html and decline_url(invitation) in html


def test_the_lecturer_accepts(invitation, life_lecturer, login):
    client = login(life_lecturer.person)
    response = client.post(accept_url(invitation), follow=True)

    invitation.refresh_from_db()
    assert invitation.status == AssignmentStatus.ACCEPTED
    assert "已接受“寿险产品说明会”的授课邀请。" in response.content.decode()
    assert [row.pk for row in response.context["upcoming"]] == [invitation.pk]


def test_the_lecturer_declines_with_a_note(invitation, life_lecturer, login):
    login(life_lecturer.person).post(decline_url(invitation), {"note": "当天出差"})

    invitation.refresh_from_db()
    assert (invitation.status, invitation.response_note) == (AssignmentStatus.DECLINED, "当天出差")


def test_answering_twice_shows_the_services_message(invitation, life_lecturer, login):
    client = login(life_lecturer.person)
    client.post(decline_url(invitation))
    response = client.post(accept_url(invitation), follow=True)
    assert "这条指派目前为“已拒绝”，不能接受。" in response.content.decode()


def test_another_lecturers_assignment_is_a_404(tree, invitation, gz_coordinator, login):
    other = make_lecturer(tree["PGZ"], user=gz_coordinator.user)
    client = login(other.person)
    assert client.post(accept_url(invitation)).status_code == 404
    assert client.post(decline_url(invitation)).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == AssignmentStatus.INVITED


@pytest.mark.parametrize("role", [Role.AGENT, Role.COORDINATOR, Role.MANAGER])
def test_people_who_are_not_lecturers_have_no_workspace(tree, invitation, login, role):
    client = login(make_person(tree["PGZ"], role))
    assert client.get(reverse("lecturer_portal:workspace")).status_code == 404
    assert client.post(accept_url(invitation)).status_code == 404


def test_answers_are_posted_only(invitation, life_lecturer, login):
    assert login(life_lecturer.person).get(accept_url(invitation)).status_code == 405


def test_anonymous_visitors_are_sent_to_log_in(client, invitation):
    response = client.get(reverse("lecturer_portal:workspace"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_notices_page_lists_own_notices_and_marks_them_read(tree, invitation, life_lecturer, login):
    make_person(tree["PGZ"], Role.AGENT)  # has none
    client = login(life_lecturer.person)

    response = client.get(reverse("lecturer_portal:notices"))
    assert response.context["unread"] == 1
    assert "授课邀请：寿险产品说明会" in response.content.decode()

    client.post(reverse("lecturer_portal:notices_mark_read"))
    assert not Notice.objects.filter(read_at__isnull=True).exists()


def test_notices_are_private(tree, invitation, login):
    response = login(make_person(tree["PGZ"], Role.AGENT)).get(reverse("lecturer_portal:notices"))
    assert list(response.context["page"].object_list) == []


def test_home_shows_waiting_invitations_and_unread_notices(invitation, life_lecturer, login):
    html = login(life_lecturer.person).get(reverse("home")).content.decode()
    assert "1 条授课邀请待确认。" in html
    assert "您有 1 条未读通知。" in html
    assert reverse("lecturer_portal:workspace") in html
