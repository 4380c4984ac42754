"""Logging in and out, passwords, throttling, sessions, the login wall and the language switch."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, Site

from organization.backends import PersonModelBackend
from organization.models import Role
from organization.services import person_deactivate
from tests.organization.factories import make_person

PASSWORD = "pass-word-123"
LOGIN_URL = "/accounts/login/"
WRONG_LOGIN = "工号或密码不正确，或该账号已停用。请注意：连续多次输错后账号将被暂时锁定。"
LOCKED_OUT = (
    "登录失败次数过多，该账号或网络地址已被暂时锁定。请 15 分钟后再试，"
    "或通过邮件重置密码，或联系培训管理员。"
)

pytestmark = pytest.mark.django_db


def log_in(client, username, password=PASSWORD, *, ip="10.0.0.1", next_url=""):
    """POST the login form as a browser at ``ip`` would."""
    url = f"{LOGIN_URL}?next={next_url}" if next_url else LOGIN_URL
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def is_logged_in(client) -> bool:
    return client.get("/").status_code == 200


@pytest.fixture
def agent(tree):
    return make_person(tree["PGZ0101"], Role.AGENT, name="张三", email="zhangsan@example.com")


# Logging in and out ---------------------------------------------------------------------------


def test_person_logs_in_with_employee_number_and_lands_on_home(client, agent):
    response = log_in(client, agent.employee_no)

    assert response.status_code == 302
    assert response.url == "/"
    assert "张三" in client.get("/").content.decode()


def test_login_returns_to_the_page_asked_for(client, tree):
    lecturer = make_person(tree["P"], Role.LECTURER)

    response = log_in(client, lecturer.employee_no, next_url="/admin/")

    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_wrong_password_shows_the_chinese_message(client, agent):
    response = log_in(client, agent.employee_no, "not-the-password")

    assert response.status_code == 200
    assert WRONG_LOGIN in response.content.decode()
    assert not is_logged_in(client)


def test_deactivated_person_gets_the_generic_message_even_with_the_right_password(client, agent):
    person_deactivate(person=agent)

    response = log_in(client, agent.employee_no)

    assert response.status_code == 200
    assert WRONG_LOGIN in response.content.decode()
    assert not is_logged_in(client)


def test_deactivated_person_is_logged_out_at_the_next_request(client, agent):
    client.force_login(agent.user)
    assert is_logged_in(client)

    person_deactivate(person=agent)

    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)


def test_logout_needs_a_post(client, agent):
    client.force_login(agent.user)

    assert client.get("/accounts/logout/").status_code == 405
    assert is_logged_in(client)

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert not is_logged_in(client)


def test_person_changes_their_password(client, agent):
    client.force_login(agent.user)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-secret-42",
            "new_password2": "a-new-secret-42",
        },
    )

    assert response.url == reverse("password_change_done")
    assert is_logged_in(client), "changing the password keeps the session"
    client.post("/accounts/logout/")
    assert log_in(client, agent.employee_no, PASSWORD).status_code == 200
    assert log_in(client, agent.employee_no, "a-new-secret-42").status_code == 302


def test_password_change_refuses_a_wrong_old_password(client, agent):
    client.force_login(agent.user)

    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "a-new-secret-42", "new_password2": "x"},
    )

    assert response.status_code == 200
    agent.user.refresh_from_db()
    assert agent.user.check_password(PASSWORD)


# Password reset by e-mail ---------------------------------------------------------------------


def reset_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)


def set_password_through(client, link: str, password: str):
    form_url = client.get(link).url  # Django swaps the token for a session key first
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def test_password_reset_mail_is_in_chinese_and_its_link_sets_a_new_password(client, agent):
    response = client.post(reverse("password_reset"), {"email": "ZhangSan@example.com"})

    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["zhangsan@example.com"]
    assert message.subject == "交叉销售培训平台：重置登录密码"
    assert "张三，您好：" in message.body
    assert f"我们收到了为工号 {agent.employee_no} 设置交叉销售培训平台登录密码的申请" in (
        message.body
    )

    done = set_password_through(client, reset_link(message), "a-new-secret-42")

    assert done.url == reverse("password_reset_complete")
    assert log_in(client, agent.employee_no, "a-new-secret-42").status_code == 302


def test_person_created_without_a_password_sets_the_first_one_by_mail(client, tree):
    person = make_person(tree["PGZ0101"], password=None, email="new@example.com")
    assert not person.user.has_usable_password()

    client.post(reverse("password_reset"), {"email": "new@example.com"})
    set_password_through(client, reset_link(mail.outbox[0]), "first-secret-42")

    assert log_in(client, person.employee_no, "first-secret-42").status_code == 302


def test_password_reset_link_works_only_once(client, agent):
    client.post(reverse("password_reset"), {"email": "zhangsan@example.com"})
    link = reset_link(mail.outbox[0])
    set_password_through(client, link, "a-new-secret-42")

    response = client.get(link)

    assert "重置链接无效或已被使用，请重新申请。" in response.content.decode()


@pytest.mark.parametrize("email", ["nobody@example.com", "zhangsan@example.com"])
def test_password_reset_sends_nothing_for_unknown_or_deactivated_accounts(client, agent, email):
    person_deactivate(person=agent)

    response = client.post(reverse("password_reset"), {"email": email})

    assert response.url == reverse("password_reset_done"), "the answer never tells who exists"
    assert mail.outbox == []


# Throttling failed logins (django-axes) -------------------------------------------------------


def test_five_wrong_passwords_from_different_addresses_lock_the_account(client, tree, agent):
    for attempt in range(1, 5):
        response = log_in(client, agent.employee_no, "guess", ip=f"10.0.1.{attempt}")
        assert response.status_code == 200

    response = log_in(client, agent.employee_no, "guess", ip="10.0.1.5")

    assert response.status_code == 429
    assert LOCKED_OUT in response.content.decode()
    assert log_in(client, agent.employee_no, ip="10.0.1.6").status_code == 429
    colleague = make_person(tree["PGZ0101"])
    assert log_in(client, colleague.employee_no, ip="10.0.1.1").status_code == 302


def test_wrong_passwords_for_many_accounts_from_one_address_lock_the_address(client, tree):
    people = [make_person(tree["PGZ0101"]) for _ in range(6)]
    for person in people[:4]:
        assert log_in(client, person.employee_no, "guess", ip="10.0.2.1").status_code == 200

    response = log_in(client, people[4].employee_no, "guess", ip="10.0.2.1")

    assert response.status_code == 429
    assert LOCKED_OUT in response.content.decode()
    assert log_in(client, people[5].employee_no, ip="10.0.2.1").status_code == 429
    assert log_in(client, people[5].employee_no, ip="10.0.2.2").status_code == 302


def test_unknown_employee_numbers_count_against_the_address(client, agent):
    for number in range(5):
        log_in(client, f"NOSUCH{number}", "guess", ip="10.0.3.1")

    assert log_in(client, agent.employee_no, ip="10.0.3.1").status_code == 429


def test_successful_login_forgets_the_accounts_failures(client, agent):
    for attempt in range(4):
        log_in(client, agent.employee_no, "typo", ip=f"10.0.4.{attempt}")
    assert log_in(client, agent.employee_no, ip="10.0.4.9").status_code == 302
    client.post("/accounts/logout/")

    for attempt in range(4):
        log_in(client, agent.employee_no, "typo", ip=f"10.0.5.{attempt}")

    assert log_in(client, agent.employee_no, ip="10.0.5.9").status_code == 302


def test_logging_in_to_ones_own_account_does_not_wipe_failures_against_another(client, tree, agent):
    attacker = make_person(tree["PSZ0101"])
    for _ in range(4):
        log_in(client, agent.employee_no, "guess", ip="10.0.6.1")
    assert log_in(client, attacker.employee_no, ip="10.0.6.1").status_code == 302
    client.post("/accounts/logout/")

    assert log_in(client, agent.employee_no, "guess", ip="10.0.6.1").status_code == 429
    assert log_in(client, agent.employee_no, ip="10.0.6.2").status_code == 429


def test_resetting_the_password_by_mail_lifts_the_account_lockout(client, agent):
    for attempt in range(5):
        log_in(client, agent.employee_no, "guess", ip=f"10.0.7.{attempt}")
    assert log_in(client, agent.employee_no, ip="10.0.7.9").status_code == 429

    client.post(reverse("password_reset"), {"email": "zhangsan@example.com"})
    set_password_through(client, reset_link(mail.outbox[0]), "a-new-secret-42")

    assert log_in(client, agent.employee_no, "a-new-secret-42", ip="10.0.7.9").status_code == 302


def test_lockout_also_guards_the_way_into_the_wagtail_admin(client, tree):
    lecturer = make_person(tree["P"], Role.LECTURER)
    for attempt in range(5):
        log_in(client, lecturer.employee_no, "guess", ip=f"10.0.8.{attempt}", next_url="/admin/")

    response = log_in(client, lecturer.employee_no, ip="10.0.8.9", next_url="/admin/")

    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302


def test_wagtail_admin_login_sends_people_to_our_login_page(client, tree):
    """One login form for site and admin, so the throttle above covers the admin too."""
    lecturer = make_person(tree["P"], Role.LECTURER)

    page = client.get("/admin/login/?next=/admin/pages/")
    post = client.post("/admin/login/", {"username": lecturer.employee_no, "password": PASSWORD})

    assert page.status_code == 302
    assert page.url == f"{LOGIN_URL}?next=/admin/pages/"
    assert post.status_code == 302
    assert post.url == LOGIN_URL
    assert not is_logged_in(client)
    assert client.get("/admin/").url == f"{LOGIN_URL}?next=/admin/"


# Sessions -------------------------------------------------------------------------------------


def session_row(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_expired_session_sends_the_person_back_to_login(client, agent):
    client.force_login(agent.user)
    Session.objects.filter(pk=session_row(client).pk).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = client.get("/")

    assert response.status_code == 302
    assert response.url == f"{LOGIN_URL}?next=/"


def test_a_request_after_a_pause_pushes_the_expiry_back(client, agent, settings):
    client.force_login(agent.user)
    Session.objects.filter(pk=session_row(client).pk).update(
        expire_date=timezone.now() + timedelta(minutes=1)
    )

    assert client.get("/").status_code == 200

    remaining = session_row(client).expire_date - timezone.now()
    assert remaining > timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


@pytest.mark.parametrize(("pushed_back_minutes_ago", "pushed_back_again"), [(4, False), (6, True)])
def test_the_expiry_is_pushed_back_when_last_pushed_back_over_five_minutes_ago(
    client, agent, settings, pushed_back_minutes_ago, pushed_back_again
):
    assert settings.ORGANIZATION_SESSION_REFRESH_SECONDS == 5 * 60
    client.force_login(agent.user)
    expiry = timezone.now() + timedelta(
        seconds=settings.SESSION_COOKIE_AGE, minutes=-pushed_back_minutes_ago
    )
    Session.objects.filter(pk=session_row(client).pk).update(expire_date=expiry)

    assert client.get("/").status_code == 200

    assert (session_row(client).expire_date > expiry) is pushed_back_again


def test_requests_in_quick_succession_do_not_write_the_session(client, agent):
    client.force_login(agent.user)
    expiry = session_row(client).expire_date

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200

    session_writes = [
        query["sql"]
        for query in queries.captured_queries
        if '"django_session"' in query["sql"] and not query["sql"].startswith("SELECT")
    ]
    assert session_writes == []
    assert session_row(client).expire_date == expiry


def test_the_person_and_their_unit_come_with_the_user(agent, django_assert_num_queries):
    user = PersonModelBackend().get_user(agent.user.pk)

    with django_assert_num_queries(0):
        assert (user.person, user.person.org_unit) == (agent, agent.org_unit)


# The login wall -------------------------------------------------------------------------------


@pytest.fixture
def wagtail_page(db):
    root = Site.objects.get(is_default_site=True).root_page
    return root.add_child(instance=Page(title="课程目录", slug="catalogue-test"))


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/admin/",
        "/admin/pages/",
        "/admin/password_reset/",
        "/accounts/password/change/",
        "/documents/1/x.pdf",
    ],
)
def test_anonymous_visitors_are_sent_to_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.url == f"{LOGIN_URL}?next={path}"


def test_anonymous_visitor_of_a_wagtail_page_is_sent_to_login(client, wagtail_page):
    response = client.get(wagtail_page.url)

    assert response.status_code == 302
    assert response.url == f"{LOGIN_URL}?next={wagtail_page.url}"


@pytest.mark.parametrize(
    "path",
    [
        LOGIN_URL,
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "/accounts/reset/MQ/set-password/",
        "/accounts/reset/done/",
        "/jsi18n/",
    ],
)
def test_login_and_password_reset_pages_are_open(client, path):
    assert client.get(path).status_code == 200


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_static_files_are_served_without_login():
    response = Client().get("/static/css/site.css")

    assert response.status_code == 200


# Language -------------------------------------------------------------------------------------


def test_chinese_is_the_default_whatever_the_browser_asks_for(client):
    response = client.get(LOGIN_URL, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    # Django's own label for the password field, translated by Django's catalogue.
    assert 'for="id_password">密码</label>' in html


def test_anonymous_visitor_switches_the_login_page_to_english_and_back(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": LOGIN_URL})

    assert response.status_code == 302
    assert response.url == LOGIN_URL
    assert client.cookies["django_language"].value == "en"
    html = client.get(LOGIN_URL).content.decode()
    assert '<html lang="en">' in html
    assert 'for="id_password">Password</label>' in html

    client.post(reverse("set_language"), {"language": "zh-hans", "next": LOGIN_URL})
    html = client.get(LOGIN_URL).content.decode()
    assert '<html lang="zh-hans">' in html
    assert 'for="id_password">密码</label>' in html


def test_an_unknown_language_cookie_falls_back_to_chinese(client):
    client.cookies["django_language"] = "xx"

    assert '<html lang="zh-hans">' in client.get(LOGIN_URL).content.decode()


def test_platform_admin_without_a_person_logs_in(client):
    user = get_user_model().objects.create_superuser("opsadmin", password=PASSWORD)

    assert log_in(client, user.username).status_code == 302
    assert "平台管理员" in client.get("/").content.decode()
