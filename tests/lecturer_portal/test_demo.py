"""``manage.py load_demo`` with the lecturer-portal step: corps, profiles, a plan, sessions in
every state around today, idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command

from lecturer_portal import selectors
from lecturer_portal.demo import GROUP_CORPS, SESSIONS
from lecturer_portal.models import (
    Feedback,
    LecturerAssignment,
    LecturerCorps,
    LecturerProfile,
    Qualification,
    Registration,
    SessionStatus,
    TrainingPlan,
    TrainingSession,
)
from organization.models import Person, Role

pytestmark = pytest.mark.django_db


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", force=True, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        "corps": sorted(LecturerCorps.objects.values_list("name", "owning_unit__code")),
        "profiles": LecturerProfile.objects.count(),
        "qualifications": Qualification.objects.count(),
        "plans": TrainingPlan.objects.count(),
        "sessions": sorted(TrainingSession.objects.values_list("title", "status", "starts_at")),
        "assignments": sorted(LecturerAssignment.objects.values_list("pk", "status")),
        "registrations": sorted(Registration.objects.values_list("pk", "status")),
        "feedback": Feedback.objects.count(),
    }


def test_the_demo_has_lecturers_a_plan_and_sessions_in_every_state_and_loads_once():
    output = load_demo()

    assert not Person.objects.with_role(Role.LECTURER).filter(lecturer_profile__isnull=True)
    lecturer01 = LecturerProfile.objects.get(person__employee_no="lecturer01")
    assert lecturer01.level == "senior"
    assert GROUP_CORPS in {corps.name for corps in lecturer01.corps.all()}
    assert [q.company.code for q in lecturer01.qualifications.all()] == ["L"]

    statuses = sorted(TrainingSession.objects.values_list("status", flat=True))
    assert statuses == sorted(
        [
            SessionStatus.COMPLETED,
            SessionStatus.COMPLETED,
            SessionStatus.PUBLISHED,
            SessionStatus.PUBLISHED,
            SessionStatus.DRAFT,
            SessionStatus.CANCELLED,
        ]
    )
    workspace = selectors.lecturer_assignments(person=lecturer01.person)
    assert len(workspace["invited"]) == 1
    assert len(workspace["upcoming"]) == 1
    assert len(workspace["past"]) == 2
    plan = TrainingPlan.objects.get(org_unit__code="P-GD")
    assert selectors.plan_progress(plan).planned_sessions == 11
    # 广州's own plan takes the sessions it hosts that fall in this quarter (some always do).
    branch = selectors.plan_progress(TrainingPlan.objects.get(org_unit__code="P-GD-GZ"))
    assert branch.planned_sessions == 3
    assert branch.sessions
    assert {session.host_unit.code for session in branch.sessions} == {"P-GD-GZ"}
    assert f"培训场次 {len(SESSIONS)}/{len(SESSIONS)} 场" in output
    past = TrainingSession.objects.filter(status=SessionStatus.COMPLETED)
    attended = selectors.attendance_counts([session.pk for session in past])
    assert len(attended) == 2 and all(count >= 1 for count in attended.values())
    assert selectors.feedback_summary(past)["count"] >= 2

    # Idempotent: a second run (the whole demo takes minutes, so it is the same test) adds nothing.
    first = snapshot()
    output = load_demo()
    assert snapshot() == first
    assert "讲师与培训：新建讲师团 0 个，讲师档案 0 份，培训场次 0/6 场。" in output
