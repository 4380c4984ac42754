"""Logging in on a phone, as each role, through the real form."""

import pytest
from playwright.sync_api import expect

from organization.models import Role
from tests.organization.factories import make_person

pytestmark = pytest.mark.e2e

PASSWORD = "pass-word-123"
PHONE_WIDTH = 375

# role → (unit code, what their home page shows besides the greeting, what it must not show)
ROLE_HOMES = {
    Role.AGENT: ("PGZ0101", [], ["管理后台", "管理范围"]),
    Role.LECTURER: ("PGZ", ["管理后台"], ["管理范围"]),
    Role.MANAGER: ("PGD", ["管理范围：人保财险广东分公司及下级机构"], ["管理后台"]),
    Role.COORDINATOR: ("PGD", ["管理范围：人保财险广东分公司及下级机构", "机构树"], []),
}


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("role", list(ROLE_HOMES))
def test_each_role_logs_in_on_a_phone_and_lands_on_their_home(
    role, tree, phone_page, live_server, login_as
):
    unit_code, shown, hidden = ROLE_HOMES[role]
    person = make_person(tree[unit_code], role, name=f"{Role(role).label}小陈")
    make_person(tree["PGZ0101"], name="同事甲")

    login_as(phone_page, person, PASSWORD)

    assert phone_page.url == f"{live_server.url}/"
    main = phone_page.locator("main")
    expect(main.get_by_role("heading", level=1)).to_have_text(f"您好，{person.name}")
    expect(main).to_contain_text(person.employee_no)
    for text in shown:
        expect(main).to_contain_text(text)
    for text in hidden:
        expect(main).not_to_contain_text(text)
    assert horizontal_overflow(phone_page) <= 0


def test_manager_home_fits_a_phone_screen(tree, phone_page, login_as, tmp_path):
    manager = make_person(tree["PGD"], Role.MANAGER, Role.COORDINATOR, name="欧阳经理")
    for unit_code in ("PGZ0101", "PGZ0101", "PSZ0101"):
        make_person(tree[unit_code])

    login_as(phone_page, manager, PASSWORD)

    table = phone_page.locator("section.scope table")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tbody tr").first).to_contain_text("人保财险广州分公司")
    assert horizontal_overflow(phone_page) <= 0
    box = table.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH
    screenshot = tmp_path / "home-375.png"
    phone_page.screenshot(path=screenshot, full_page=True)
    assert screenshot.stat().st_size > 0


def test_five_wrong_passwords_show_the_lockout_message(tree, phone_page, login_as):
    agent = make_person(tree["PGZ0101"], name="赵六")

    for _ in range(4):
        login_as(phone_page, agent, "wrong-password")
        expect(phone_page.get_by_role("alert")).to_contain_text("工号或密码不正确")
    login_as(phone_page, agent, "wrong-password")

    expect(phone_page.get_by_role("heading", level=1)).to_have_text("账号已暂时锁定")
    expect(phone_page.get_by_role("alert")).to_contain_text(
        "登录失败次数过多，该账号或网络地址已被暂时锁定。请 15 分钟后再试"
    )
    login_as(phone_page, agent, PASSWORD)
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("账号已暂时锁定")


def test_person_logs_out_from_the_header(tree, phone_page, live_server, login_as):
    agent = make_person(tree["PGZ0101"])
    login_as(phone_page, agent, PASSWORD)

    with phone_page.expect_navigation():
        phone_page.get_by_role("button", name="退出").click()

    assert phone_page.url == f"{live_server.url}/accounts/login/"
    phone_page.goto(f"{live_server.url}/")
    assert phone_page.url == f"{live_server.url}/accounts/login/?next=/"


def test_language_switcher_turns_the_login_page_english(phone_page, live_server):
    phone_page.goto(f"{live_server.url}/accounts/login/")
    expect(phone_page.locator("html")).to_have_attribute("lang", "zh-hans")

    with phone_page.expect_navigation():
        phone_page.get_by_label("语言").select_option("en")

    expect(phone_page.locator("html")).to_have_attribute("lang", "en")
    expect(phone_page.get_by_label("Password", exact=True)).to_be_visible()
