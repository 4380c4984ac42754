"""Demo data for ``manage.py load_demo``: the lecturer corps, every demo lecturer's profile and
qualifications, the training plans of 人保财险广东 and of its 广州 branch, and a run of
cross-company sessions around today.

The story: 人保财险广东分公司 (coord01) trains its agents in 人保寿险's products (产代寿).
lecturer01 (王芳, 人保寿险广州分公司) belongs to the group's 营销培训讲师团, so coord01 may call
on her: two sessions she taught are over (a cross-company training and a cascade session), one
is coming up, and another, in 深圳, waits for her answer. A morning-meeting broadcast is still a
draft and one session was cancelled. Registration, attendance and feedback for the past
sessions come from the registration part of this app.

Idempotent: corps are looked up by owning unit and name, profiles by person, the plan by unit and
period, sessions by host unit and title; what exists is left alone (dates are those of the first
run).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import CoursePage
from organization.demo import ADMIN_USERNAME, DemoContext
from organization.models import Channel, Person, Role

from .models import (
    AssignmentRole,
    LecturerCorps,
    LecturerLevel,
    LecturerProfile,
    PlanItem,
    Qualification,
    QualificationSource,
    Quarter,
    SessionKind,
    TrainingPlan,
    TrainingSession,
)
from .services import (
    assignment_accept,
    corps_create,
    lecturer_assign,
    lecturer_profile_save,
    plan_save,
    session_cancel,
    session_complete,
    session_create,
    session_publish,
    session_start,
)

DEMO_LECTURER = "lecturer01"
GROUP_CORPS = "营销培训讲师团"
# (owning unit code, name); the group's corps first.
CORPS = [
    ("PICC", GROUP_CORPS),
    ("P", "人保财险讲师团"),
    ("L", "人保寿险讲师团"),
    ("H", "人保健康讲师团"),
    ("L-GD-GZ", "人保寿险广州分公司专职讲师队"),
]
# Topics the demo lecturers are appointed to, by company (the demo courses' topics).
TOPICS = {"P": "风险防范", "L": "培训管理", "H": "产品管理"}
APPOINTED_ON = date(2024, 3, 1)
TRAINING_COURSE_SLUG = "training-management"
PLAN_UNIT = "P-GD"
BRANCH_PLAN_UNIT = "P-GD-GZ"  # its own plan takes the sessions it hosts


@dataclass(frozen=True)
class SessionSpec:
    title: str
    kind: str
    topic: str
    product_company: str
    host: str
    audience: str
    days_from_today: int
    start: time
    hours: float
    state: (
        str  # completed, published, invited (published, the lead yet to answer), draft, cancelled
    )
    place: str = "广州市天河区体育西路人保大厦培训中心"
    online_url: str = ""
    channels: tuple[str, ...] = (Channel.AGENT_FORCE,)
    capacity: int = 60
    with_course: bool = False
    assistant: bool = False


SESSIONS = [
    SessionSpec(
        "产代寿：寿险产品基础培训（第一期）",
        SessionKind.CROSS_COMPANY,
        "寿险产品",
        "L",
        "P-GD-GZ",
        "P-GD-GZ",
        -30,
        time(9),
        2.5,
        "completed",
        with_course=True,
    ),
    SessionSpec(
        "转培训：交叉销售培训管理",
        SessionKind.CASCADE,
        "培训管理",
        "L",
        "P-GD",
        "P-GD",
        -14,
        time(14),
        3,
        "completed",
        channels=(Channel.EMPLOYEE,),
        capacity=30,
        with_course=True,
        assistant=True,
    ),
    SessionSpec(
        "产代寿：寿险产品基础培训（第二期）",
        SessionKind.CROSS_COMPANY,
        "寿险产品",
        "L",
        "P-GD-GZ",
        "P-GD-GZ",
        7,
        time(9),
        2.5,
        "published",
        with_course=True,
    ),
    SessionSpec(
        "寿险产品进阶：联合展业实务",
        SessionKind.CROSS_COMPANY,
        "培训管理",
        "L",
        "P-GD-SZ",
        "P-GD-SZ",
        10,
        time(14),
        2,
        "invited",
        place="深圳市福田区人保大厦 12 楼会议室",
    ),
    SessionSpec(
        "晨会直播：交叉销售政策解读",
        SessionKind.MORNING_MEETING,
        "寿险产品",
        "L",
        "P-GD",
        "P-GD",
        14,
        time(8, 30),
        0.5,
        "draft",
        place="",
        online_url="https://live.example.com/picc/morning",
        channels=(),
        capacity=500,
    ),
    SessionSpec(
        "产品推介会：少儿教育金",
        SessionKind.PRODUCT_LAUNCH,
        "寿险产品",
        "L",
        "P-GD-GZ",
        "P-GD-GZ",
        3,
        time(15),
        1.5,
        "cancelled",
    ),
]


def _local(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def _admin_user():
    return get_user_model().objects.get(username=ADMIN_USERNAME)


def _ensure_corps(context: DemoContext, user) -> tuple[dict[str, LecturerCorps], int]:
    existing = {
        (corps.owning_unit_id, corps.name): corps
        for corps in LecturerCorps.objects.filter(name__in=[name for _code, name in CORPS])
    }
    corps_by_code, created = {}, 0
    for code, name in CORPS:
        unit = context.units[code]
        corps = existing.get((unit.pk, name))
        if corps is None:
            corps = corps_create(user=user, owning_unit=unit, name=name)
            created += 1
        corps_by_code[code] = corps
    return corps_by_code, created


def _ensure_profiles(context: DemoContext, user, corps: dict[str, LecturerCorps]) -> int:
    """A profile for every demo lecturer without one: full-time, appointed to teach their own
    company's products, in their company's corps; lecturer01 and the first lecturer of each company
    also sit in the group's corps, lecturer01 in her branch's too."""
    lecturers = list(
        Person.objects.with_role(Role.LECTURER)
        .filter(
            lecturer_profile__isnull=True, org_unit__path__startswith=context.units["PICC"].path
        )
        .select_related("org_unit__company", "user")
        .order_by("employee_no")
    )
    first_of_company: dict[str, str] = {}
    for person in lecturers:
        first_of_company.setdefault(person.org_unit.company.code, person.employee_no)
    for index, person in enumerate(lecturers):
        company = person.org_unit.company
        profile = LecturerProfile(
            person=person,
            level=LecturerLevel.SENIOR
            if person.employee_no == DEMO_LECTURER
            else (LecturerLevel.INTERMEDIATE if index % 2 else LecturerLevel.JUNIOR),
            bio=_("%(unit)s专职交叉销售培训讲师，负责对合作公司的业务人员开展交叉销售业务培训。")
            % {"unit": person.org_unit.name},
        )
        memberships = [corps[company.code]]
        if person.employee_no == DEMO_LECTURER:
            memberships += [corps["PICC"], corps["L-GD-GZ"]]
        elif person.employee_no in first_of_company.values():
            memberships.append(corps["PICC"])
        profile.corps = memberships
        profile.qualifications = [
            Qualification(
                company=company,
                topic="",
                source=QualificationSource.APPOINTED,
                obtained_on=APPOINTED_ON,
            ),
        ]
        lecturer_profile_save(user=user, profile=profile)
    return len(lecturers)


def _ensure_plans(context: DemoContext, user, today: date) -> dict[str, TrainingPlan]:
    """This quarter's plans of 人保财险广东 and of its 广州 branch, which hosts most sessions."""
    province = _ensure_plan(
        context.units[PLAN_UNIT],
        user,
        today,
        notes=_(
            "按集团《交叉销售管理办法》第五章：对业务人员开展寿险、健康险产品培训，并组织转培训。"
        ),
        items=[
            PlanItem(
                kind=SessionKind.CROSS_COMPANY,
                topic="寿险产品",
                audience=_("广州、深圳个人代理人"),
                planned_sessions=4,
                target_headcount=200,
            ),
            PlanItem(
                kind=SessionKind.CASCADE,
                topic="培训管理",
                audience=_("各地市兼职讲师"),
                planned_sessions=1,
                target_headcount=30,
            ),
            PlanItem(
                kind=SessionKind.MORNING_MEETING,
                topic="寿险产品",
                audience=_("全省业务人员"),
                planned_sessions=6,
                target_headcount=1000,
            ),
        ],
    )
    branch = _ensure_plan(
        context.units[BRANCH_PLAN_UNIT],
        user,
        today,
        notes=_("承接省分公司计划：天河、越秀两个支公司的个人代理人分两期参加寿险产品培训。"),
        items=[
            PlanItem(
                kind=SessionKind.CROSS_COMPANY,
                topic="寿险产品",
                audience=_("天河、越秀个人代理人"),
                planned_sessions=2,
                target_headcount=40,
            ),
            PlanItem(
                kind=SessionKind.PRODUCT_LAUNCH,
                topic="寿险产品",
                audience=_("广州个人代理人"),
                planned_sessions=1,
                target_headcount=30,
            ),
        ],
    )
    return {PLAN_UNIT: province, BRANCH_PLAN_UNIT: branch}


def _ensure_plan(unit, user, today: date, *, notes: str, items: list[PlanItem]) -> TrainingPlan:
    """``unit``'s plan for today's quarter, made with ``items`` if missing."""
    quarter = (today.month - 1) // 3 + 1
    plan = TrainingPlan.objects.filter(org_unit=unit, year=today.year, quarter=quarter).first()
    if plan is not None:
        return plan
    plan = TrainingPlan(
        org_unit=unit,
        year=today.year,
        quarter=quarter,
        title=_("%(unit)s%(year)d年%(quarter)s交叉销售培训计划")
        % {"unit": unit.name, "year": today.year, "quarter": Quarter(quarter).label},
        notes=notes,
    )
    plan.items = items
    return plan_save(user=user, plan=plan)


def _plan_item(
    plans: dict[str, TrainingPlan], spec: SessionSpec, starts_at: datetime
) -> PlanItem | None:
    """The item of the host's own plan (else the province's) for the session's kind, when the
    session falls in the plan's quarter."""
    plan = plans.get(spec.host, plans[PLAN_UNIT])
    local = timezone.localtime(starts_at)
    if local.year != plan.year or (local.month - 1) // 3 + 1 != plan.quarter:
        return None
    return plan.items.filter(kind=spec.kind).order_by("sort_order").first()


def _ensure_sessions(context: DemoContext, plans: dict[str, TrainingPlan], today: date) -> int:
    coordinator = context.demo_people[Role.COORDINATOR]
    user = coordinator.user
    existing = set(
        TrainingSession.objects.filter(title__in=[spec.title for spec in SESSIONS]).values_list(
            "host_unit_id", "title"
        )
    )
    lecturer = LecturerProfile.objects.get(person__employee_no=DEMO_LECTURER)
    assistant = (
        LecturerProfile.objects.filter(
            person__org_unit__path__startswith=context.units["P-GD"].path
        )
        .order_by("person__employee_no")
        .first()
    )
    course = CoursePage.objects.live().filter(slug=TRAINING_COURSE_SLUG).first()
    created = 0
    for spec in SESSIONS:
        host = context.units[spec.host]
        if (host.pk, spec.title) in existing:
            continue
        starts_at = _local(today + timedelta(days=spec.days_from_today), spec.start)
        ends_at = starts_at + timedelta(hours=spec.hours)
        session = session_create(
            user=user,
            title=spec.title,
            kind=spec.kind,
            topic=spec.topic,
            description=_("面向%(unit)s业务人员的交叉销售培训。") % {"unit": host.name},
            product_company=context.units[spec.product_company],
            host_unit=host,
            audience_root=context.units[spec.audience],
            channels=list(spec.channels),
            course=course if spec.with_course else None,
            starts_at=starts_at,
            ends_at=ends_at,
            place=spec.place,
            online_url=spec.online_url,
            capacity=spec.capacity,
            registration_deadline=starts_at - timedelta(days=1),
            plan_item=_plan_item(plans, spec, starts_at),
        )
        created += 1
        if spec.state == "draft":
            continue
        invited_at = starts_at - timedelta(days=10)
        lead = lecturer_assign(
            user=user, session=session, lecturer=lecturer, role=AssignmentRole.LEAD, confirm=True
        )
        if spec.assistant and assistant is not None:
            helper = lecturer_assign(
                user=user,
                session=session,
                lecturer=assistant,
                role=AssignmentRole.ASSISTANT,
                confirm=True,
            )
            assignment_accept(person=assistant.person, assignment=helper, at=invited_at)
        if spec.state != "invited":
            assignment_accept(person=lecturer.person, assignment=lead, at=invited_at)
        session_publish(user=user, session=session, at=invited_at)
        if spec.state == "cancelled":
            session_cancel(
                user=user, session=session, reason=_("产品上市时间推迟，推介会改期另行通知。")
            )
        elif spec.state == "completed":
            _attend_and_rate(context, session, invited_at, starts_at)
            session_start(user=user, session=session, at=starts_at)
            session_complete(user=user, session=session, at=ends_at)
    return created


# Ratings and comments of the demo's past sessions, given in turn by the attendees.
FEEDBACK = [
    (5, 5, "案例贴近实际，回去就能用在客户经营上。"),
    (5, 4, "讲师讲得清楚，希望多讲一些异议处理。"),
    (4, 4, ""),
    (4, 5, "产品对比表很实用。"),
    (3, 4, "时间有点紧，互动环节可以再长一些。"),
]
DEMO_ATTENDEES = 12


def _attend_and_rate(context: DemoContext, session, registered_at, starts_at) -> None:
    """A past session's registrations (the demo agent among them when in the audience), the
    check-ins at the start (two absent) and the attendees' feedback."""
    from .attendance import check_in_manual, feedback_submit, registration_register
    from .selectors import session_audience

    people = list(session_audience(session).order_by("employee_no")[:DEMO_ATTENDEES])
    agent = context.demo_people.get(Role.AGENT)
    if (
        agent is not None
        and agent not in people
        and session_audience(session).filter(pk=agent.pk).exists()
    ):
        people[-1:] = [agent]
    coordinator = context.demo_people[Role.COORDINATOR]
    for person in people:
        registration_register(person=person, session=session, at=registered_at)
    attendees = people[:-2] if len(people) > 4 else people
    for minute, person in enumerate(attendees):
        check_in_manual(
            user=coordinator.user,
            session=session,
            person=person,
            at=starts_at + timedelta(minutes=minute % 10),
        )
    for index, person in enumerate(attendees[:-1] if len(attendees) > 1 else attendees):
        lecturer_rating, content_rating, comment = FEEDBACK[index % len(FEEDBACK)]
        feedback_submit(
            person=person,
            session=session,
            lecturer_rating=lecturer_rating,
            content_rating=content_rating,
            comment=comment,
            at=starts_at + timedelta(hours=1),
        )


def _all_loaded(context: DemoContext) -> bool:
    """Every demo session exists and every demo lecturer has a profile: two queries."""
    sessions = TrainingSession.objects.filter(title__in=[spec.title for spec in SESSIONS])
    missing_profiles = Person.objects.with_role(Role.LECTURER).filter(
        lecturer_profile__isnull=True, org_unit__path__startswith=context.units["PICC"].path
    )
    return sessions.count() >= len(SESSIONS) and not missing_profiles.exists()


def load_lecturer_portal(context: DemoContext) -> None:
    """The demo step: corps, profiles, the plan and the sessions, each if missing. A run that
    finds everything in place costs two queries."""
    created = dict.fromkeys(("corps", "profiles", "sessions"), 0)
    if not _all_loaded(context):
        today = timezone.localdate()
        admin = _admin_user()
        corps, created["corps"] = _ensure_corps(context, admin)
        created["profiles"] = _ensure_profiles(context, admin, corps)
        plans = _ensure_plans(context, context.demo_people[Role.COORDINATOR].user, today)
        created["sessions"] = _ensure_sessions(context, plans, today)
    context.log(
        _(
            "讲师与培训：新建讲师团 %(corps)d 个，讲师档案 %(profiles)d 份，"
            "培训场次 %(sessions)d/%(all_sessions)d 场。"
        )
        % {**created, "all_sessions": len(SESSIONS)}
    )
