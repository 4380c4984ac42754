"""A cross-company session from scheduling to attendance: the 广州 P&C coordinator fills in the
session form in the Wagtail admin, assigns a life-products lecturer there and publishes; the
lecturer accepts in the workspace; a P&C agent registers on a phone and checks in through the QR
code's current link; the lecturer's page shows the attendance."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from lecturer_portal.models import AssignmentStatus, Registration, SessionStatus, TrainingSession
from organization.models import Role
from tests.lecturer_portal.factories import make_lecturer
from tests.organization.factories import build_tree, make_person

from .conftest import DESKTOP

pytestmark = pytest.mark.e2e

PASSWORD = "pass-word-123"


def admin_time(moment) -> str:
    """As a coordinator types it: local time, to the minute."""
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


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

    # The coordinator fills in the session form in the admin and saves a draft.
    admin = login_as(desktop_page, coordinator, PASSWORD)
    admin.goto(live_server.url + reverse("lecturer_sessions:add"))
    admin.get_by_role("textbox", name="名称").fill("寿险产品交叉销售培训")
    admin.get_by_role("combobox", name="培训类型").select_option(label="交叉销售业务培训")
    admin.get_by_role("textbox", name="主题").fill("寿险产品")
    admin.get_by_role("combobox", name="产品所属公司").select_option(label="人保寿险")
    admin.get_by_role("combobox", name="主办机构").select_option(label="人保财险广州分公司")
    admin.get_by_role("combobox", name="受众机构").select_option(label="广州第一支公司（人保财险）")
    admin.get_by_role("checkbox", name="个人代理").check()
    admin.get_by_role("spinbutton", name="人数上限").fill("30")
    admin.get_by_role("textbox", name="开始时间").fill(admin_time(start))
    admin.get_by_role("textbox", name="结束时间").fill(admin_time(start + timedelta(hours=2)))
    admin.get_by_role("textbox", name="报名截止时间").fill(admin_time(start - timedelta(minutes=5)))
    admin.get_by_role("textbox", name="地点").fill("广州市天河区培训中心 301")
    # Close the date picker the time fields opened, as a user clicking beside it would; it can
    # otherwise still cover the create button.
    admin.get_by_role("textbox", name="名称").click()
    expect(admin.locator(".xdsoft_datetimepicker:visible")).to_have_count(0)
    admin.get_by_role("button", name="创建").click()
    expect(admin.get_by_text("草稿").first).to_be_visible()
    session = TrainingSession.objects.get()
    assert (session.status, session.starts_at, session.audience_root, session.channels) == (
        SessionStatus.DRAFT,
        start,
        tree["PGZ01"],
        ["agent_force"],
    )

    # It assigns the suggested lecturer as lead and publishes.
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
