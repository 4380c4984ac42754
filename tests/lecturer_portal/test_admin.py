"""The coordinators' admin: sessions (create, workflow, lecturers), plans, profiles, corps, and
refusal of everything outside the coordinator's subtree."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from lecturer_portal.models import (
    AssignmentStatus,
    LecturerAssignment,
    LecturerCorps,
    LecturerProfile,
    SessionStatus,
    TrainingPlan,
    TrainingSession,
)
from lecturer_portal.services import lecturer_assign
from organization.models import Role
from tests.organization.factories import make_person

from .factories import at, make_corps, make_lecturer, make_plan, make_session

pytestmark = pytest.mark.django_db

# The session, the user, their permissions, person and roles, the admin menu's checks, then the
# listing's own: the count and the rows (lead lecturer in a subquery). Constant in the rows.
SESSION_INDEX_QUERIES = 12
LECTURER_INDEX_QUERIES = 14


def is_refused(response) -> bool:
    """404 for rows outside the subtree; Wagtail answers a PermissionDenied in its admin with a
    redirect to the dashboard (a bare 403 for AJAX requests); people without admin access are
    sent to the login page."""
    return response.status_code in (403, 404) or (
        response.status_code == 302
        and (
            response["Location"] == reverse("wagtailadmin_home")
            or response["Location"].startswith(reverse("login"))
        )
    )


def url(name, *args):
    return reverse(name, args=args)


def admin_datetime(moment) -> str:
    from django.utils import timezone

    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


@pytest.fixture
def as_coordinator(client, gz_coordinator):
    client.force_login(gz_coordinator.user)
    return client


@pytest.fixture
def draft(tree, gz_coordinator):
    return make_session(
        user=gz_coordinator.user, host=tree["PGZ"], product_company=tree["L"], title="寿险说明会"
    )


def session_form_data(tree, **overrides) -> dict:
    data = {
        "title": "产代寿业务培训",
        "kind": "cross_company",
        "topic": "寿险产品",
        "product_company": tree["L"].pk,
        "description": "",
        "plan_item": "",
        "host_unit": tree["PGZ"].pk,
        "audience_root": tree["LGZ"].pk,
        "channels": ["agent_force"],
        "capacity": "60",
        "assistant_slots": "1",
        "starts_at": admin_datetime(at(10, 9)),
        "ends_at": admin_datetime(at(10, 11)),
        "registration_deadline": admin_datetime(at(9, 18)),
        "place": "天河培训中心",
        "online_url": "",
        "course": "",
    }
    data.update(overrides)
    return data


# Sessions


def test_coordinator_schedules_a_session_in_the_admin(tree, as_coordinator):
    assert as_coordinator.get(url("lecturer_sessions:add")).status_code == 200

    response = as_coordinator.post(url("lecturer_sessions:add"), session_form_data(tree))

    session = TrainingSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("lecturer_sessions:inspect", session.pk)
    assert (session.status, session.starts_at, session.audience_root) == (
        SessionStatus.DRAFT,
        at(10, 9),
        tree["LGZ"],
    )
    page = as_coordinator.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "指派讲师" in html and url("lecturer_sessions:publish", session.pk) in html


def test_a_session_ending_before_it_starts_shows_the_error_and_saves_nothing(tree, as_coordinator):
    response = as_coordinator.post(
        url("lecturer_sessions:add"),
        session_form_data(tree, ends_at=admin_datetime(at(10, 8))),
    )
    assert response.status_code == 200
    assert "结束时间必须晚于开始时间。" in response.content.decode()
    assert not TrainingSession.objects.exists()


def test_the_session_form_offers_only_units_the_coordinator_may_use(tree, as_coordinator):
    form = as_coordinator.get(url("lecturer_sessions:add")).context["form"]
    hosts = set(form.fields["host_unit"].queryset.values_list("code", flat=True))
    audiences = set(form.fields["audience_root"].queryset.values_list("code", flat=True))
    assert hosts == {"PGZ", "PGZ01", "PGZ0101"}
    assert {"PGZ", "LGZ", "LGZ0101", "HGZ01"} <= audiences
    assert not audiences & {"PSZ", "LSZ", "PGD", "L"}


def test_the_workflow_from_the_session_page(draft, life_lecturer, gz_coordinator, as_coordinator):
    lecturer_assign(user=gz_coordinator.user, session=draft, lecturer=life_lecturer, role="lead")

    response = as_coordinator.post(url("lecturer_sessions:publish", draft.pk))
    assert response["Location"] == url("lecturer_sessions:inspect", draft.pk)
    draft.refresh_from_db()
    assert draft.status == SessionStatus.PUBLISHED

    # Too early to start: the service's message, nothing changed.
    response = as_coordinator.post(url("lecturer_sessions:start", draft.pk), follow=True)
    assert "场次开始前 2 小时内才能开始。" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == SessionStatus.PUBLISHED

    assert as_coordinator.get(url("lecturer_sessions:cancel", draft.pk)).status_code == 200
    response = as_coordinator.post(url("lecturer_sessions:cancel", draft.pk), {"reason": ""})
    assert response.status_code == 200
    response = as_coordinator.post(url("lecturer_sessions:cancel", draft.pk), {"reason": "台风"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.cancel_reason) == (SessionStatus.CANCELLED, "台风")
    # A cancelled session is no longer edited.
    assert is_refused(as_coordinator.get(url("lecturer_sessions:edit", draft.pk)))


def test_assigning_shows_suggestions_warnings_and_confirms(
    tree, draft, gz_coordinator, person_factory, client
):
    gd_coordinator = person_factory(tree["PGD"], Role.COORDINATOR)
    near = make_lecturer(
        tree["PGZ"], user=gd_coordinator.user, qualified_for=(tree["L"],), name="近处讲师"
    )
    far = make_lecturer(
        tree["PSZ"], user=gd_coordinator.user, qualified_for=(tree["L"],), name="深圳讲师"
    )
    client.force_login(gd_coordinator.user)
    assign_url = url("lecturer_sessions:assign", draft.pk)

    page = client.get(assign_url)
    assert [p.person.name for p in page.context["suggestions"]] == ["近处讲师", "深圳讲师"]

    response = client.post(assign_url, {"lecturer": far.pk, "role": "lead"})
    assert response.status_code == 200
    assert "不在本场次所在地区" in response.content.decode()
    assert not LecturerAssignment.objects.exists()

    response = client.post(assign_url, {"lecturer": far.pk, "role": "lead", "confirm": "on"})
    assert response["Location"] == url("lecturer_sessions:inspect", draft.pk)
    assert LecturerAssignment.objects.get().lecturer == far

    response = client.post(assign_url, {"lecturer": near.pk, "role": "lead"})
    assert "本场次已有主讲讲师“深圳讲师”" in response.content.decode()

    withdraw = url("lecturer_sessions:withdraw", LecturerAssignment.objects.get().pk)
    assert client.post(withdraw).status_code == 302
    assert LecturerAssignment.objects.get().status == AssignmentStatus.WITHDRAWN
    assert client.post(assign_url, {"lecturer": near.pk, "role": "lead"}).status_code == 302


def test_the_session_listing_shows_the_subtree_in_constant_queries(
    tree,
    gz_coordinator,
    sz_coordinator,
    life_lecturer,
    as_coordinator,
    django_assert_max_num_queries,
):
    for day in range(1, 6):
        session = make_session(
            user=gz_coordinator.user,
            host=tree["PGZ"],
            product_company=tree["L"],
            starts_at=at(day, 9),
        )
        lecturer_assign(
            user=gz_coordinator.user, session=session, lecturer=life_lecturer, role="lead"
        )
    make_session(user=sz_coordinator.user, host=tree["PSZ"], product_company=tree["L"])

    with django_assert_max_num_queries(SESSION_INDEX_QUERIES):
        response = as_coordinator.get(url("lecturer_sessions:index"))

    rows = list(response.context["object_list"])
    assert len(rows) == 5 and {row.host_unit.code for row in rows} == {"PGZ"}
    assert {row.lead_name for row in rows} == {"王芳"}


# Plans


def test_coordinator_makes_a_plan_and_sees_its_progress(tree, as_coordinator):
    data = {
        "title": "广州分公司2031年一季度培训计划",
        "org_unit": tree["PGZ"].pk,
        "year": "2031",
        "quarter": "1",
        "notes": "",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-kind": "cross_company",
        "items-0-topic": "寿险产品",
        "items-0-audience": "财险个人代理人",
        "items-0-planned_sessions": "2",
        "items-0-target_headcount": "100",
        "items-0-ORDER": "1",
        "items-0-id": "",
        "items-0-DELETE": "",
    }
    response = as_coordinator.post(url("lecturer_plans:add"), data)
    plan = TrainingPlan.objects.get()
    assert response["Location"] == url("lecturer_plans:inspect", plan.pk)
    assert plan.items.get().target_headcount == 100

    page = as_coordinator.get(url("lecturer_plans:inspect", plan.pk))
    assert page.context["progress"].planned_sessions == 2
    assert "财险个人代理人" in page.content.decode()


# Lecturer profiles and corps


def test_coordinator_creates_a_profile_with_a_qualification(tree, as_coordinator, gz_coordinator):
    person = make_person(tree["PGZ01"], Role.LECTURER, name="新讲师")
    make_person(tree["PSZ"], Role.LECTURER, name="深圳的")
    corps = make_corps(tree["PGZ"], user=gz_coordinator.user, name="广州讲师队")

    form = as_coordinator.get(url("lecturer_profiles:add")).context["form"]
    assert list(form.fields["person"].queryset) == [person]

    data = {
        "person": person.pk,
        "level": "senior",
        "employment": "full_time",
        "corps": [corps.pk],
        "photo": "",
        "bio": "十年寿险培训经验",
        "is_active": "on",
        "qualifications-TOTAL_FORMS": "1",
        "qualifications-INITIAL_FORMS": "0",
        "qualifications-MIN_NUM_FORMS": "0",
        "qualifications-MAX_NUM_FORMS": "1000",
        "qualifications-0-company": tree["L"].pk,
        "qualifications-0-topic": "寿险产品",
        "qualifications-0-source": "appointed",
        "qualifications-0-obtained_on": "2025-01-01",
        "qualifications-0-source_session": "",
        "qualifications-0-id": "",
        "qualifications-0-DELETE": "",
    }
    response = as_coordinator.post(url("lecturer_profiles:add"), data)

    assert response.status_code == 302, response.context["form"].errors
    profile = LecturerProfile.objects.get(person=person)
    assert profile.level == "senior"
    assert [str(q) for q in profile.qualifications.all()] == ["人保寿险·寿险产品"]
    assert list(profile.corps.all()) == [corps]


def test_the_lecturer_listing_stays_in_the_subtree_in_constant_queries(
    tree, gz_coordinator, group_coordinator, as_coordinator, django_assert_max_num_queries
):
    for _ in range(4):
        make_lecturer(tree["PGZ"], user=gz_coordinator.user, qualified_for=(tree["L"], tree["H"]))
    make_lecturer(tree["PSZ"], user=group_coordinator.user)

    with django_assert_max_num_queries(LECTURER_INDEX_QUERIES):
        response = as_coordinator.get(url("lecturer_profiles:index"))

    assert len(response.context["object_list"]) == 4
    assert "人保寿险·全部主题" in response.content.decode()


def test_coordinator_sets_up_a_corps(tree, as_coordinator):
    response = as_coordinator.post(
        url("lecturer_corps:add"),
        {"name": "广州讲师队", "owning_unit": tree["PGZ"].pk, "description": "", "is_active": "on"},
    )
    assert response.status_code == 302
    assert LecturerCorps.objects.get().owning_unit == tree["PGZ"]


# Scope: every URL of a row outside the subtree is refused, and nothing changes.


@pytest.fixture
def shenzhen_rows(tree, sz_coordinator):
    user = sz_coordinator.user
    lecturer = make_lecturer(tree["PSZ"], user=user, qualified_for=(tree["L"],))
    session = make_session(user=user, host=tree["PSZ"], product_company=tree["L"], title="深圳场")
    assignment = lecturer_assign(user=user, session=session, lecturer=lecturer, role="lead")
    return {
        "session": session,
        "assignment": assignment,
        "lecturer": lecturer,
        "plan": make_plan(tree["PSZ"], user=user),
        "corps": make_corps(tree["PSZ"], user=user, name="深圳讲师队"),
    }


def requests_for(rows, tree) -> list[tuple[str, str, dict | None]]:
    session, plan = rows["session"].pk, rows["plan"].pk
    lecturer, corps = rows["lecturer"].pk, rows["corps"].pk
    requests = []
    for name in ("inspect", "edit", "history", "delete", "cancel", "assign"):
        requests.append(("get", url(f"lecturer_sessions:{name}", session), None))
    requests += [
        ("post", url("lecturer_sessions:edit", session), session_form_data(tree, title="越权")),
        ("post", url("lecturer_sessions:publish", session), None),
        ("post", url("lecturer_sessions:start", session), None),
        ("post", url("lecturer_sessions:complete", session), None),
        ("post", url("lecturer_sessions:cancel", session), {"reason": "越权"}),
        ("post", url("lecturer_sessions:assign", session), {"lecturer": lecturer, "role": "lead"}),
        ("post", url("lecturer_sessions:withdraw", rows["assignment"].pk), None),
        ("post", url("lecturer_sessions:delete", session), None),
    ]
    for viewset, pk in (
        ("lecturer_plans", plan),
        ("lecturer_profiles", lecturer),
        ("lecturer_corps", corps),
    ):
        for name in ("edit", "history", "delete"):
            requests.append(("get", url(f"{viewset}:{name}", pk), None))
        requests += [
            ("post", url(f"{viewset}:edit", pk), {"title": "越权", "name": "越权"}),
            ("post", url(f"{viewset}:delete", pk), None),
        ]
    requests.append(("get", url("lecturer_plans:inspect", plan), None))
    return requests


def snapshot():
    return (
        list(TrainingSession.objects.values_list("pk", "title", "status")),
        list(LecturerAssignment.objects.values_list("pk", "status")),
        list(TrainingPlan.objects.values_list("pk", "title")),
        list(LecturerProfile.objects.values_list("pk", "level", "is_active")),
        list(LecturerCorps.objects.values_list("pk", "name", "is_active")),
    )


def test_every_url_outside_the_subtree_is_refused(tree, shenzhen_rows, as_coordinator):
    before = snapshot()
    for method, address, data in requests_for(shenzhen_rows, tree):
        response = getattr(as_coordinator, method)(address, data or {})
        assert is_refused(response), (method, address, response.status_code)
    assert snapshot() == before


def test_listings_leave_out_rows_outside_the_subtree(shenzhen_rows, as_coordinator):
    for viewset in ("lecturer_sessions", "lecturer_plans", "lecturer_profiles", "lecturer_corps"):
        response = as_coordinator.get(url(f"{viewset}:index"))
        assert response.status_code == 200
        assert list(response.context["object_list"]) == [], viewset


@pytest.mark.parametrize("role", [Role.AGENT, Role.LECTURER, Role.MANAGER])
def test_other_roles_see_no_menu_and_are_refused(tree, shenzhen_rows, client, role):
    person = make_person(tree["PGD"], role)
    client.force_login(person.user)
    for viewset in ("lecturer_sessions", "lecturer_plans", "lecturer_profiles", "lecturer_corps"):
        assert is_refused(client.get(url(f"{viewset}:index")))
        assert is_refused(client.get(url(f"{viewset}:add")))
    assert is_refused(client.get(url("lecturer_sessions:inspect", shenzhen_rows["session"].pk)))
    if role == Role.LECTURER:  # in the admin, but without the permissions
        dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
        assert url("lecturer_sessions:index") not in dashboard


def test_a_coordinator_sees_the_menu(as_coordinator):
    dashboard = as_coordinator.get(reverse("wagtailadmin_home")).content.decode()
    for viewset in ("lecturer_sessions", "lecturer_plans", "lecturer_profiles", "lecturer_corps"):
        assert url(f"{viewset}:index") in dashboard


def test_superusers_see_everything(shenzhen_rows, client):
    client.force_login(get_user_model().objects.create_superuser("root", password="x-pass-123"))
    response = client.get(url("lecturer_sessions:inspect", shenzhen_rows["session"].pk))
    assert response.status_code == 200


# Links to the front end ------------------------------------------------------------------------


def test_the_session_page_links_the_audience_registration_and_the_feedback(
    tree, draft, life_lecturer, gz_coordinator, sz_coordinator, as_coordinator
):
    from lecturer_portal.models import Registration
    from lecturer_portal.services import assignment_accept, session_publish

    register_audience = reverse("lecturer_portal:register_audience", args=[draft.pk])
    feedback = reverse("lecturer_portal:feedback_overview")
    html = as_coordinator.get(url("lecturer_sessions:inspect", draft.pk)).content.decode()
    assert feedback in html and "学员评价" in html
    assert register_audience not in html  # a draft takes no registrations

    assignment = lecturer_assign(
        user=gz_coordinator.user, session=draft, lecturer=life_lecturer, role="lead"
    )
    assignment_accept(person=life_lecturer.person, assignment=assignment)
    session_publish(user=gz_coordinator.user, session=draft)
    html = as_coordinator.get(url("lecturer_sessions:inspect", draft.pk)).content.decode()
    assert register_audience in html and "为全部受众报名" in html
    assert reverse("lecturer_portal:lecturer_session", args=[draft.pk]) in html

    response = as_coordinator.post(register_audience, follow=True)
    assert "已为受众报名" in response.content.decode()
    registered = Registration.objects.count()
    assert registered > 0

    # The coordinator of another subtree is refused on the targets, and changes nothing.
    as_coordinator.force_login(sz_coordinator.user)
    assert as_coordinator.post(register_audience).status_code == 404
    assert Registration.objects.count() == registered


def test_the_menu_offers_the_feedback_overview_to_coordinators_only(tree, as_coordinator, client):
    feedback = reverse("lecturer_portal:feedback_overview")
    assert feedback in as_coordinator.get(reverse("wagtailadmin_home")).content.decode()

    lecturer = make_person(tree["PGD"], Role.LECTURER)
    client.force_login(lecturer.user)
    assert feedback not in client.get(reverse("wagtailadmin_home")).content.decode()
    assert client.get(feedback).status_code == 404


def test_the_session_form_names_the_company_of_same_named_units(tree, as_coordinator):
    form = as_coordinator.get(url("lecturer_sessions:add")).context["form"]
    labels = [label for value, label in form.fields["audience_root"].choices if value]
    assert len(labels) == len(set(labels))
    assert {
        "人保财险广州分公司",
        "广州第一支公司（人保财险）",
        "广州第一支公司（人保寿险）",
    } <= set(labels)
    hosts = [label for value, label in form.fields["host_unit"].choices if value]
    assert hosts == [
        "人保财险广州分公司",
        "广州第一支公司（人保财险）",
        "广州第一营业部（人保财险）",
    ]


def test_the_assign_and_cancel_pages_lead_back_to_the_session(draft, as_coordinator):
    for name in ("assign", "cancel"):
        html = as_coordinator.get(url(f"lecturer_sessions:{name}", draft.pk)).content.decode()
        breadcrumbs = html[html.index('aria-label="面包屑导航"') :]
        breadcrumbs = breadcrumbs[: breadcrumbs.index("</nav>")]
        assert f'href="{url("lecturer_sessions:index")}"' in breadcrumbs
        assert f'href="{url("lecturer_sessions:inspect", draft.pk)}"' in breadcrumbs
        assert "寿险说明会" in breadcrumbs
