from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from lecturer_portal.models import Notice
from organization.models import Role
from reports.filters import Filters
from reports.models import Reminder
from reports.selectors import courses as selectors
from reports.services import overdue_remind

from . import test_courses

# The overdue course (李四 and 王五 overdue, 张三 completed) and the 广东 staff.
gd_coordinator = test_courses.gd_coordinator
gd_manager = test_courses.gd_manager
overdue_course = test_courses.overdue_course


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_a_reminder_reaches_each_overdue_person_once_a_day(
    tree, courses, overdue_course, gd_manager, login, django_capture_on_commit_callbacks
):
    client = login(gd_manager)
    url = f"/reports/courses/{courses[0].pk}/remind/?unit={tree['PGD'].pk}"
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, follow=True)
    assert "已提醒 2 人（站内通知和邮件）；0 人今天已提醒过，本次跳过。" in messages_of(page)
    assert sorted(m.to[0] for m in mail.outbox) == ["ls@example.com", "ww@example.com"]
    letter = mail.outbox[0]
    assert courses[0].title in letter.subject and "已超过完成期限" in letter.body
    notices = Notice.objects.filter(recipient__name__in=["李四", "王五"])
    assert notices.count() == 2 and courses[0].title in notices[0].title

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, follow=True)
    assert "已提醒 0 人（站内通知和邮件）；2 人今天已提醒过，本次跳过。" in messages_of(page)
    assert len(mail.outbox) == 2 and Notice.objects.count() == 2


def test_the_next_day_reminds_again(tree, courses, overdue_course, gd_manager):
    today = timezone.localdate()
    for day, reminded in ((today, 2), (today, 0), (today + timedelta(days=1), 2)):
        result = overdue_remind(
            sent_by=gd_manager.user,
            unit=tree["PGD"],
            course=courses[0],
            filters=Filters(),
            today=day,
        )
        assert result.reminded == reminded
    assert Reminder.objects.count() == 4


def test_someone_reminded_from_another_view_today_is_skipped(
    tree, courses, overdue_course, gd_manager
):
    today = timezone.localdate()
    kwargs = {
        "sent_by": gd_manager.user,
        "course": courses[0],
        "filters": Filters(),
        "today": today,
    }
    assert overdue_remind(unit=tree["PSZ"], **kwargs).reminded == 1  # 王五
    result = overdue_remind(unit=tree["PGD"], assignment=overdue_course, **kwargs)
    assert (result.reminded, result.skipped) == (1, 1)


def test_the_whole_view_is_reminded_not_just_the_page(
    tree, courses, overdue_course, gd_manager, login, monkeypatch
):
    monkeypatch.setattr(selectors, "OVERDUE_PAGE_SIZE", 1)
    client = login(gd_manager)
    page = client.get(f"/reports/assignments/{overdue_course.pk}/")
    assert len(page.context["overdue"].object_list) == 1
    page = client.post(f"/reports/assignments/{overdue_course.pk}/remind/", follow=True)
    assert "已提醒 2 人（站内通知和邮件）；0 人今天已提醒过，本次跳过。" in messages_of(page)


def test_the_filters_of_the_view_cut_who_is_reminded(
    tree, courses, overdue_course, gd_coordinator, gd_manager, login
):
    other = test_courses.assign(gd_coordinator, courses[1], tree["PGZ"], due_in=5)
    client = login(gd_manager)
    url = f"/reports/courses/{courses[0].pk}/remind/?unit={tree['PGD'].pk}"
    for extra in ("&channel=counter", f"&assignment={other.pk}"):
        page = client.post(url + extra, follow=True)
        assert "没有需要提醒的逾期人员。" in messages_of(page)
    assert not Reminder.objects.exists()


def test_a_bad_filter_reminds_nobody(tree, courses, overdue_course, gd_manager, login):
    url = f"/reports/courses/{courses[0].pk}/remind/?unit={tree['PGD'].pk}&company={tree['L'].pk}"
    page = login(gd_manager).post(url, follow=True)
    assert "筛选条件无效，没有发送提醒。" in messages_of(page)
    assert not Reminder.objects.exists()


@pytest.mark.parametrize("code", ["LGD", "group"])
def test_a_manager_cannot_remind_outside_their_subtree(
    code, tree, courses, overdue_course, gd_manager, login
):
    client = login(gd_manager)
    url = f"/reports/courses/{courses[0].pk}/remind/?unit={tree[code].pk}"
    assert client.post(url).status_code == 404
    url = f"/reports/assignments/{overdue_course.pk}/remind/?unit={tree[code].pk}"
    assert client.post(url).status_code == 404
    assert not Reminder.objects.exists() and not mail.outbox


def test_a_manager_cannot_remind_for_an_assignment_outside_their_scope(
    tree, courses, overdue_course, person_factory, login
):
    life_manager = person_factory(tree["LGD"], Role.MANAGER)
    url = f"/reports/assignments/{overdue_course.pk}/remind/"
    assert login(life_manager).post(url).status_code == 404
    assert not Reminder.objects.exists()


def test_an_agent_cannot_remind(tree, courses, overdue_course, person_factory, login):
    client = login(person_factory(tree["PGZ0101"], Role.AGENT))
    assert client.post(f"/reports/courses/{courses[0].pk}/remind/").status_code == 403
    assert client.post(f"/reports/assignments/{overdue_course.pk}/remind/").status_code == 403
    assert not Reminder.objects.exists()


def test_reminding_is_a_post(tree, courses, overdue_course, gd_manager, login):
    assert login(gd_manager).get(f"/reports/courses/{courses[0].pk}/remind/").status_code == 405
