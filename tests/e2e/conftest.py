"""Browser tests: Debian's Chromium driving pytest-django's live server.

Playwright's sync API runs an event loop in the test thread, so Django refuses ORM calls there
unless DJANGO_ALLOW_ASYNC_UNSAFE is set; the tests still touch the database only between
browser steps. ``live_server`` makes every test transactional: data created in a test is
committed, so the server thread sees it, and the tables are emptied afterwards. Emptying them
re-runs post-migrate (role groups and permissions come back) but not data migrations: a test
that needs Wagtail's root page or default site builds them. Under pytest-xdist each worker has
its own test database and its own live server.
"""

import os

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "1"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def phone_context(new_context):
    """A browser context shaped like a phone held upright, asking for Chinese."""
    return new_context(**PHONE)


@pytest.fixture
def phone_page(phone_context, live_server):
    """A page in ``phone_context``; asking for the live server makes the test transactional."""
    page = phone_context.new_page()
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def login_as(live_server):
    """``login_as(page, person, password)``: log in through the real login form."""

    def _login_as(page, person, password):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("工号", exact=True).fill(person.employee_no)
        page.get_by_label("密码", exact=True).fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()
        return page

    return _login_as
