"""A cross-company session from scheduling to attendance: the 广州 P&C coordinator assigns a
life-products lecturer in the admin and publishes; the lecturer accepts in the workspace; a P&C
agent registers on a phone and checks in through the QR code's current link; the lecturer's
page shows the attendance."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from lecturer_portal.models import AssignmentStatus, Registration, SessionKind
from lecturer_portal.services import session_create
from organization.models import Role
from tests.lecturer_portal.factories import make_lecturer
from tests.organization.factories import build_tree, make_person

from .conftest import DESKTOP

pytestmark = pytest.mark.e2e

PASSWORD = "pass-word-123"


def test_schedule_assign_accept_register_and_check_in(
    site, live_server, desktop_page, phone_page, new_context, login_as
):
    tree = build_tree()
    coordinator = make_person(tree["PGZ"], Role.COORDINATOR, name="广州培训管理员")
    lecturer = make_lecturer(
        tree["PGZ"], user=coordinator.user, qualified_for=(tree["L"],), name="王芳"
    )
    agent = make_person(tree["PGZ0101"], Role.AGENT, name="张三")
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=15)
    session = session_create(
        user=coordinator.user,
        title="寿险产品交叉销售培训",
        kind=SessionKind.CROSS_COMPANY,
        topic="寿险产品",
        product_company=tree["L"],
        host_unit=tree["PGZ"],
        audience_root=tree["PGZ"],
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="广州市天河区培训中心 301",
        capacity=30,
        registration_deadline=start - timedelta(minutes=5),
    )

    # The coordinator assigns the suggested lecturer as lead and publishes (admin).
    admin = login_as(desktop_page, coordinator, PASSWORD)
    admin.goto(live_server.url + reverse("lecturer_sessions:inspect", args=[session.pk]))
    admin.get_by_role("link", name="指派讲师").click()
    admin.get_by_role("button", name="指派为主讲").first.click()
    expect(admin.get_by_text("王芳").first).to_be_visible()
    admin.get_by_role("button", name="发布").click()
    expect(admin.get_by_text("已发布").first).to_be_visible()

    # The lecturer accepts in the workspace.
    screen = login_as(new_context(**DESKTOP).new_page(), lecturer.person, PASSWORD)
    screen.goto(live_server.url + reverse("lecturer_portal:workspace"))
    screen.get_by_role("button", name="接受").click()
    expect(screen.get_by_text("已接受“寿险产品交叉销售培训”的授课邀请。")).to_be_visible()
    assert lecturer.assignments.get().status == AssignmentStatus.ACCEPTED

    # The agent finds the session on the phone and registers.
    phone = login_as(phone_page, agent, PASSWORD)
    phone.goto(live_server.url + reverse("lecturer_portal:sessions"))
    phone.get_by_role("link", name="寿险产品交叉销售培训").click()
    phone.get_by_role("button", name="报名").click()
    expect(phone.get_by_text("报名成功。")).to_be_visible()

    # The lecturer opens the session page with the QR code; the agent scans its current link.
    screen.get_by_role("link", name="寿险产品交叉销售培训").click()
    expect(screen.locator("#qr svg")).to_be_visible()
    link = screen.locator("#checkin-link").get_attribute("href")
    phone.goto(link)
    phone.get_by_role("button", name="确认签到").click()
    expect(phone.get_by_text("签到成功")).to_be_visible()
    assert Registration.objects.get(person=agent).status == "attended"

    screen.reload()
    expect(screen.locator("#attendance-counts")).to_contain_text("已签到 1 人 / 报名 1 人")
