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
from django.conf import settings
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Collection, Locale, Page, Site

from courses.models import CourseIndexPage, MorningMeetingIndexPage
from courses.permissions import ensure_course_permissions
from media_library.roles import ensure_media_permissions

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
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}
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
def desktop_page(new_context, live_server):
    """A page in a desktop-sized window asking for Chinese, as lecturers use the Wagtail admin."""
    page = new_context(**DESKTOP).new_page()
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


@pytest.fixture
def site(live_server):
    """Wagtail's root page, default site and root collection, the course catalogue and the
    meeting index, and the role groups' page and collection permissions on them.

    Data migrations make them; an earlier live-server test may have emptied the tables since, and
    post-migrate then ran before there was a page or a collection to grant on, so they are built
    again when missing and the grants made again (both idempotent).
    """
    if not Site.objects.exists():
        language = get_supported_content_language_variant(settings.LANGUAGE_CODE)
        locale, _created = Locale.objects.get_or_create(language_code=language)
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
        home = root.add_child(instance=Page(title="交叉销售培训平台", slug="home", locale=locale))
        Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
        Collection.add_root(name="Root")
        home.add_child(instance=CourseIndexPage(title="课程目录", slug="courses"))
        home.add_child(instance=MorningMeetingIndexPage(title="晨会", slug="morning-meetings"))
    ensure_media_permissions()
    ensure_course_permissions()
    return Site.objects.get(is_default_site=True)
