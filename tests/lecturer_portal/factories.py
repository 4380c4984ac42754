"""Lecturers, corps, plans and sessions built through the services, as a coordinator would."""

import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from lecturer_portal.models import (
    LecturerCorps,
    LecturerLevel,
    LecturerProfile,
    PlanItem,
    Qualification,
    QualificationSource,
    SessionKind,
    TrainingPlan,
)
from lecturer_portal.services import (
    corps_create,
    lecturer_profile_save,
    plan_save,
    session_create,
)
from organization.models import Channel, OrgUnit, Role
from tests.organization.factories import make_person

SHANGHAI = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def at(day: int, hour: int, minute: int = 0, *, month: int = 3, year: int = 2031) -> datetime:
    """An aware time in Shanghai, in a year far enough ahead that "now" is always before it."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def make_lecturer(
    unit: OrgUnit,
    *,
    user,
    qualified_for: tuple[OrgUnit, ...] = (),
    topic: str = "",
    corps: tuple[LecturerCorps, ...] = (),
    level: str = LecturerLevel.INTERMEDIATE,
    name: str | None = None,
    email: str = "",
) -> LecturerProfile:
    """A person with the lecturer role in ``unit`` and their profile, qualified (appointed) to
    teach each company of ``qualified_for`` on ``topic`` ("" = every topic)."""
    person = make_person(unit, Role.LECTURER, name=name, channel=Channel.EMPLOYEE, email=email)
    profile = LecturerProfile(person=person, level=level)
    profile.corps = list(corps)
    profile.qualifications = [
        Qualification(
            company=company,
            topic=topic,
            source=QualificationSource.APPOINTED,
            obtained_on=date(2024, 1, 1),
        )
        for company in qualified_for
    ]
    return lecturer_profile_save(user=user, profile=profile)


def make_corps(unit: OrgUnit, *, user, name: str | None = None) -> LecturerCorps:
    return corps_create(user=user, owning_unit=unit, name=name or f"讲师团{next(_numbers)}")


def make_plan(unit: OrgUnit, *, user, year=2031, quarter=1, items=None) -> TrainingPlan:
    plan = TrainingPlan(org_unit=unit, year=year, quarter=quarter, title=f"{unit.name}培训计划")
    plan.items = items or [
        PlanItem(
            kind=SessionKind.CROSS_COMPANY,
            topic="寿险产品",
            audience="财险个人代理人",
            planned_sessions=2,
            target_headcount=80,
        )
    ]
    return plan_save(user=user, plan=plan)


def make_session(
    *,
    user,
    host: OrgUnit,
    product_company: OrgUnit,
    starts_at: datetime | None = None,
    hours: float = 2,
    audience_root: OrgUnit | None = None,
    topic: str = "寿险产品",
    **fields,
):
    starts_at = starts_at or at(10, 9)
    values = {
        "title": f"交叉销售培训{next(_numbers)}",
        "kind": SessionKind.CROSS_COMPANY,
        "topic": topic,
        "product_company": product_company,
        "host_unit": host,
        "audience_root": audience_root or host,
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=hours),
        "place": "广州市天河区培训中心 301",
        "capacity": 50,
        "registration_deadline": starts_at - timedelta(days=1),
        **fields,
    }
    return session_create(user=user, **values)


def make_published(
    *, coordinator, lecturer, host: OrgUnit, product_company: OrgUnit, at=None, **fields
):
    """A session with ``lecturer`` as accepted lead, published ``at`` (default: now)."""
    from lecturer_portal.services import assignment_accept, lecturer_assign, session_publish

    session = make_session(
        user=coordinator.user, host=host, product_company=product_company, **fields
    )
    assignment = lecturer_assign(
        user=coordinator.user, session=session, lecturer=lecturer, role="lead"
    )
    assignment_accept(person=lecturer.person, assignment=assignment, at=at)
    return session_publish(user=coordinator.user, session=session, at=at)
