"""Lecturers change only their own company's courses, whichever admin URL they try."""

from datetime import date

import pytest
from django.urls import reverse
from wagtail.models import Page

from courses.models import CourseIndexPage, CoursePage, LessonPage, MorningMeetingPage
from organization.models import Role

from .factories import make_course, make_lesson, make_meeting

ADMIN_HOME = "/admin/"


def assert_refused(response):
    """Wagtail answers a refused admin request with 403/404, or a redirect to the dashboard."""
    if response.status_code == 302:
        assert response.url == ADMIN_HOME, response.url
    else:
        assert response.status_code in (403, 404), response.status_code


@pytest.fixture
def life_course(tree):
    """A 人保寿险 course with a lesson, published twice, with a later draft: three revisions."""
    course = make_course(owner=tree["L"], audience=[tree["P"]], title="寿险产品基础")
    make_lesson(course, title="寿险第一课")
    course.title = "寿险产品基础（修订）"
    course.save_revision().publish()
    course.title = "寿险产品基础（草稿）"
    course.save_revision()
    return CoursePage.objects.get(pk=course.pk)


@pytest.fixture
def pc_course(tree):
    course = make_course(owner=tree["P"], audience=[tree["L"]], title="车险产品基础")
    make_lesson(course, title="车险第一课")
    return CoursePage.objects.get(pk=course.pk)


def snapshot(course):
    lesson = LessonPage.objects.child_of(course).get()
    return (
        list(
            Page.objects.filter(path__startswith=course.path).values_list(
                "pk", "title", "live", "path", "locked", "has_unpublished_changes"
            )
        ),
        course.revisions.count(),
        lesson.revisions.count(),
        Page.objects.count(),
    )


def test_a_pc_lecturer_is_refused_on_a_life_course_through_every_admin_url(
    client, p_lecturer, life_course, pc_course
):
    client.force_login(p_lecturer.user)
    course = life_course
    lesson = LessonPage.objects.child_of(course).get()
    revision = course.revisions.order_by("created_at").first()
    latest = course.latest_revision
    before = snapshot(course)
    page = lambda name, *args: reverse(f"wagtailadmin_pages:{name}", args=args)  # noqa: E731
    edit_data = {"title": "被篡改", "slug": course.slug, "summary": "x", "action-publish": "1"}

    requests = [
        ("get", page("edit", course.pk), None),
        ("post", page("edit", course.pk), edit_data),
        ("get", page("edit", lesson.pk), None),
        ("post", page("edit", lesson.pk), {"title": "被篡改", "slug": lesson.slug}),
        ("get", page("add_subpage", course.pk), None),
        ("get", page("add", "courses", "lessonpage", course.pk), None),
        ("post", page("add", "courses", "lessonpage", course.pk), {"title": "x", "slug": "x"}),
        ("post", page("preview_on_add", "courses", "lessonpage", course.pk), {"title": "x"}),
        ("get", page("delete", course.pk), None),
        ("post", page("delete", course.pk), {}),
        ("get", page("delete", lesson.pk), None),
        ("post", page("delete", lesson.pk), {}),
        ("get", page("unpublish", course.pk), None),
        ("post", page("unpublish", course.pk), {}),
        ("get", page("move", lesson.pk), None),
        ("get", page("move_confirm", lesson.pk, pc_course.pk), None),
        ("post", page("move_confirm", lesson.pk, pc_course.pk), {}),
        (
            "post",
            page("move_confirm", LessonPage.objects.child_of(pc_course).get().pk, course.pk),
            {},
        ),
        ("get", page("copy", course.pk), None),
        (
            "post",
            page("copy", course.pk),
            {
                "new_title": "复制",
                "new_slug": "copy",
                "new_parent_page": course.get_parent().pk,
                "copy_subpages": "on",
                "publish_copies": "on",
            },
        ),
        ("get", page("history", course.pk), None),
        ("get", page("revisions_view", course.pk, revision.pk), None),
        ("get", page("revisions_revert", course.pk, revision.pk), None),
        ("get", page("revisions_compare", course.pk, revision.pk, latest.pk), None),
        ("get", page("revisions_unschedule", course.pk, revision.pk), None),
        ("post", page("revisions_unschedule", course.pk, revision.pk), {}),
        ("post", page("preview_on_edit", course.pk), {"title": "x"}),
        ("get", page("preview_on_edit", course.pk), None),
        ("get", page("view_draft", course.pk), None),
        ("post", page("lock", course.pk), {}),
        ("post", page("unlock", course.pk), {}),
        ("get", page("set_privacy", course.pk), None),
        ("post", page("set_privacy", course.pk), {"restriction_type": "login"}),
        ("get", page("usage", course.pk), None),
        ("get", page("workflow_history", course.pk), None),
        ("post", page("set_page_position", lesson.pk) + "?position=0", {}),
    ]
    for method, url, data in requests:
        response = getattr(client, method)(url, data) if data is not None else client.get(url)
        try:
            assert_refused(response)
        except AssertionError as error:
            raise AssertionError(f"{method.upper()} {url} was not refused: {error}") from error

    for action in ("publish", "unpublish", "delete"):
        url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", action])
        client.post(f"{url}?id={course.pk}&id={lesson.pk}", {})

    assert snapshot(course) == before
    assert not CoursePage.objects.filter(slug="copy").exists()


def test_a_pc_lecturer_creates_edits_and_publishes_their_companys_course(
    client, tree, p_lecturer, pc_course
):
    client.force_login(p_lecturer.user)
    edit_url = reverse("wagtailadmin_pages:edit", args=[pc_course.pk])
    response = client.get(edit_url)
    assert response.status_code == 200
    data = {
        "title": "车险产品基础（第二版）",
        "slug": pc_course.slug,
        "summary": "更新后的简介。",
        "owning_company": tree["P"].pk,
        "audience_companies": [tree["L"].pk],
        "audience_channels": ["agent_force"],
        "completion_rule": "all_required_lessons",
        "topic_tags": "",
        "product_tags": "",
        "action-publish": "1",
    }
    response = client.post(edit_url, data)
    assert response.status_code == 302, response.context["form"].errors
    pc_course.refresh_from_db()
    assert pc_course.title == "车险产品基础（第二版）"
    assert pc_course.live and not pc_course.has_unpublished_changes

    lesson = LessonPage.objects.child_of(pc_course).get()
    assert client.get(reverse("wagtailadmin_pages:edit", args=[lesson.pk])).status_code == 200
    assert client.get(reverse("wagtailadmin_pages:history", args=[pc_course.pk])).status_code == 200
    response = client.post(reverse("wagtailadmin_pages:unpublish", args=[pc_course.pk]))
    assert response.status_code == 302
    pc_course.refresh_from_db()
    assert not pc_course.live


def test_a_lecturer_cannot_change_the_catalogue_itself(client, p_lecturer, pc_course):
    client.force_login(p_lecturer.user)
    catalogue = CourseIndexPage.objects.get()
    for name in ("edit", "delete", "unpublish", "move", "copy"):
        assert_refused(client.get(reverse(f"wagtailadmin_pages:{name}", args=[catalogue.pk])))
    # ...but may add courses beneath it.
    response = client.get(
        reverse("wagtailadmin_pages:add", args=["courses", "coursepage", catalogue.pk])
    )
    assert response.status_code == 200
    catalogue.refresh_from_db()
    assert catalogue.live


def test_a_group_lecturer_edits_every_companys_course(client, tree, person_factory, life_course):
    group_lecturer = person_factory(tree["group"], Role.LECTURER)
    client.force_login(group_lecturer.user)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[life_course.pk]))
    assert response.status_code == 200
    assert life_course.permissions_for_user(group_lecturer.user).can_publish()


def test_agents_and_coordinators_edit_no_course(tree, person_factory, life_course):
    for role in (Role.AGENT, Role.COORDINATOR, Role.MANAGER):
        user = person_factory(tree["L"], role).user
        assert not life_course.permissions_for_user(user).can_edit()


def test_morning_meetings_follow_the_same_company_rule(
    client, tree, p_lecturer, l_lecturer, meetings_index
):
    meeting = make_meeting(meetings_index, company=tree["L"], meeting_date=date(2025, 3, 3))
    assert meeting.permissions_for_user(l_lecturer.user).can_edit()
    assert not meeting.permissions_for_user(p_lecturer.user).can_publish()
    client.force_login(p_lecturer.user)
    assert_refused(client.get(reverse("wagtailadmin_pages:edit", args=[meeting.pk])))
    response = client.get(
        reverse("wagtailadmin_pages:add", args=["courses", "morningmeetingpage", meetings_index.pk])
    )
    assert list(response.context["form"].fields["company"].queryset) == [tree["P"]]
    data = {
        "title": "集团晨会",
        "slug": "group-meeting",
        "meeting_date": "2025-03-04",
        "company": "",
        "topic": "联合展业",
        "key_points": "要点",
    }
    response = client.post(
        reverse(
            "wagtailadmin_pages:add", args=["courses", "morningmeetingpage", meetings_index.pk]
        ),
        data,
    )
    assert response.context["form"].errors["company"] == [
        "请选择晨会所属的公司；全集团通用的晨会由集团发布。"
    ]
    assert not MorningMeetingPage.objects.filter(slug="group-meeting").exists()
