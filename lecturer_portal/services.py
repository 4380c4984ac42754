"""Writes: corps, lecturer profiles and qualifications, plans, sessions and their status
workflow, lecturer assignments and the answers to them.

Every service checks the caller's scope with ``organization.scope`` (coordinators act on their
subtree), validates with ``full_clean``, runs in one transaction and raises ``ValidationError``
with a Chinese sentence; nothing is changed when it does. People are told through
``notifications.notify`` (in-app notice now, e-mail once the transaction commits).
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from organization.models import OrgUnit, Person, Role
from organization.scope import can_manage_unit

from . import conflicts, selectors
from .models import (
    ACTIVE_ASSIGNMENT,
    ACTIVE_ASSIGNMENT_STATUSES,
    OPEN_STATUSES,
    SEATED_STATUSES,
    AssignmentRole,
    AssignmentStatus,
    LecturerAssignment,
    LecturerCorps,
    LecturerProfile,
    Notice,
    NoticeKind,
    Qualification,
    SessionStatus,
    TrainingPlan,
    TrainingSession,
)
from .notifications import notify, notify_people_ids

# A session can be started (check-in opens) this long before its start time.
START_EARLY = timedelta(hours=2)
# The fields of a session its coordinator edits (the many-to-many ones are passed apart).
SESSION_FIELDS = (
    "title",
    "kind",
    "topic",
    "description",
    "product_company",
    "host_unit",
    "audience_root",
    "channels",
    "course",
    "starts_at",
    "ends_at",
    "place",
    "online_url",
    "capacity",
    "assistant_slots",
    "registration_deadline",
    "allow_walk_ins",
    "assessment_quiz",
    "plan_item",
)


class NeedsConfirmation(ValidationError):
    """An assignment with warnings only: made once the coordinator confirms them."""


def _person_of(user) -> Person | None:
    return getattr(user, "person", None) if user is not None and user.is_authenticated else None


def _where(session: TrainingSession) -> str:
    if session.place.strip():
        return session.place.strip()
    return _("线上（%(url)s）") % {"url": session.online_url}


def _admin_session_url(session: TrainingSession) -> str:
    return reverse("lecturer_sessions:inspect", args=[session.pk])


def _workspace_url() -> str:
    return reverse("lecturer_portal:workspace")


# Lecturer corps ------------------------------------------------------------------------------


def _check_corps_unit(user, unit: OrgUnit) -> None:
    if not can_manage_unit(user, unit):
        raise ValidationError(
            {
                "owning_unit": _("只能为自己管理范围内的机构设立讲师团：“%(unit)s”不在其中。")
                % {"unit": unit.name}
            }
        )


@transaction.atomic
def corps_create(
    *, user, owning_unit: OrgUnit, name: str, description: str = "", is_active: bool = True
) -> LecturerCorps:
    _check_corps_unit(user, owning_unit)
    corps = LecturerCorps(
        owning_unit=owning_unit, name=name.strip(), description=description, is_active=is_active
    )
    corps.full_clean()
    corps.save()
    return corps


@transaction.atomic
def corps_update(
    *,
    user,
    corps: LecturerCorps,
    owning_unit: OrgUnit,
    name: str,
    description: str,
    is_active: bool,
) -> LecturerCorps:
    """Change a corps; a new owning unit must still hold every member."""
    corps = LecturerCorps.objects.select_for_update().select_related("owning_unit").get(pk=corps.pk)
    if not can_manage_unit(user, corps.owning_unit):
        raise ValidationError(_("这个讲师团不在你的管理范围内，不能修改。"))
    _check_corps_unit(user, owning_unit)
    outside = (
        corps.members.exclude(person__org_unit__path__startswith=owning_unit.path)
        .select_related("person")
        .first()
    )
    if outside is not None:
        raise ValidationError(
            {
                "owning_unit": _("成员“%(name)s”不在“%(unit)s”之内，不能这样更改所属机构。")
                % {"name": outside.person.name, "unit": owning_unit.name}
            }
        )
    corps.owning_unit, corps.name = owning_unit, name.strip()
    corps.description, corps.is_active = description, is_active
    corps.full_clean()
    corps.save()
    return corps


# Lecturer profiles and qualifications ---------------------------------------------------------


@transaction.atomic
def lecturer_profile_save(*, user, profile: LecturerProfile) -> LecturerProfile:
    """Create or change a profile with its qualifications and corps, as the admin form built it
    (a ClusterableModel holding its unsaved children).

    The coordinator manages lecturers of their subtree. Memberships of corps beyond the
    coordinator's reach (the group's corps, for a branch's coordinator) stay as they were, since
    the form does not offer them; a new membership needs a corps the coordinator manages whose
    owning unit holds the lecturer.
    """
    person = profile.person
    if not can_manage_unit(user, person.org_unit):
        raise ValidationError(
            {
                "person": _("只能管理自己管理范围内的讲师：“%(name)s”不在其中。")
                % {"name": person.name}
            }
        )
    if not person.has_role(Role.LECTURER):
        raise ValidationError(
            {
                "person": _("“%(name)s”没有讲师角色，请先在人员管理中为其添加讲师角色。")
                % {"name": person.name}
            }
        )
    stored_corps: set[int] = set()
    if profile.pk:
        stored = LecturerProfile.objects.select_for_update().get(pk=profile.pk)
        if stored.person_id != profile.person_id:
            raise ValidationError({"person": _("讲师档案不能改为另一个人。")})
        stored_corps = set(
            LecturerProfile.corps.through.objects.filter(lecturerprofile_id=profile.pk).values_list(
                "lecturercorps_id", flat=True
            )
        )
    elif LecturerProfile.objects.filter(person=person).exists():
        raise ValidationError({"person": _("“%(name)s”已有讲师档案。") % {"name": person.name}})

    submitted = list(profile.corps.all())
    errors = []
    for corps in submitted:
        if corps.pk in stored_corps:
            continue
        if not can_manage_unit(user, corps.owning_unit):
            errors.append(_("讲师团“%(corps)s”不在你的管理范围内。") % {"corps": corps.name})
        elif not person.org_unit.is_within(corps.owning_unit):
            errors.append(
                _("“%(name)s”不在讲师团“%(corps)s”所属的%(unit)s之内。")
                % {"name": person.name, "corps": corps.name, "unit": corps.owning_unit.name}
            )
    dropped = stored_corps - {corps.pk for corps in submitted}
    beyond_reach = [
        corps
        for corps in LecturerCorps.objects.filter(pk__in=dropped).select_related("owning_unit")
        if not can_manage_unit(user, corps.owning_unit)
    ]

    seen = set()
    for qualification in profile.qualifications.all():
        try:
            qualification.full_clean(exclude=["lecturer"])
        except ValidationError as error:
            errors.extend(
                _("授课资格“%(q)s”：%(error)s") % {"q": qualification, "error": message}
                for message in error.messages
            )
            continue
        key = (qualification.company_id, qualification.topic)
        if key in seen:
            errors.append(_("授课资格“%(q)s”重复了。") % {"q": qualification})
        seen.add(key)
    if errors:
        raise ValidationError(errors)

    profile.corps = [*submitted, *beyond_reach]
    profile.full_clean(exclude=["person", "corps", "photo"])
    created = profile.pk is None
    profile.save()
    if created:
        from .attendance import cascade_qualify_new_lecturer

        cascade_qualify_new_lecturer(profile=profile)
    return profile


@transaction.atomic
def qualification_grant(
    *,
    lecturer: LecturerProfile,
    company: OrgUnit,
    source: str,
    obtained_on: date,
    topic: str = "",
    source_session: TrainingSession | None = None,
) -> Qualification:
    """Record that ``lecturer`` may teach ``company``'s products (on ``topic``, or all topics).

    For the other ways in than an appointment: a passed certification, an attended cascade
    session. Idempotent: an existing qualification for the same company and topic is kept as it
    is (it was obtained earlier).
    """
    existing = Qualification.objects.filter(
        lecturer=lecturer, company=company, topic=topic.strip()
    ).first()
    if existing is not None:
        return existing
    qualification = Qualification(
        lecturer=lecturer,
        company=company,
        topic=topic.strip(),
        source=source,
        obtained_on=obtained_on,
        source_session=source_session,
    )
    qualification.full_clean()
    qualification.save()
    return qualification


# Training plans ------------------------------------------------------------------------------


@transaction.atomic
def plan_save(*, user, plan: TrainingPlan) -> TrainingPlan:
    """Create or change a plan with its items (a ClusterableModel holding its unsaved items)."""
    if plan.pk:
        stored = TrainingPlan.objects.select_for_update().select_related("org_unit").get(pk=plan.pk)
        if not can_manage_unit(user, stored.org_unit):
            raise ValidationError(_("这份培训计划不在你的管理范围内，不能修改。"))
    if not can_manage_unit(user, plan.org_unit):
        raise ValidationError(
            {
                "org_unit": _("只能为自己管理范围内的机构制定培训计划：“%(unit)s”不在其中。")
                % {"unit": plan.org_unit.name}
            }
        )
    duplicate = (
        TrainingPlan.objects.filter(org_unit=plan.org_unit, year=plan.year, quarter=plan.quarter)
        .exclude(pk=plan.pk)
        .exists()
    )
    if duplicate:
        raise ValidationError(
            {
                "quarter": _("%(unit)s已有%(period)s的培训计划，请直接修改那一份。")
                % {"unit": plan.org_unit.name, "period": plan.period_label}
            }
        )
    items = list(plan.items.all())
    if not items:
        raise ValidationError(_("培训计划至少要有一个计划项目。"))
    for item in items:
        item.full_clean(exclude=["plan"])
    if plan.created_by_id is None and user.is_authenticated:
        plan.created_by = user
    plan.full_clean(validate_constraints=False)
    plan.save()
    return plan


# Sessions ------------------------------------------------------------------------------------


def _quarter_of(moment: datetime) -> int:
    return (timezone.localtime(moment).month - 1) // 3 + 1


def _check_session(*, user, session: TrainingSession, companies: list[OrgUnit]) -> None:
    errors: dict[str, str] = {}
    host, root = session.host_unit, session.audience_root
    if not can_manage_unit(user, host):
        errors["host_unit"] = _("只能在自己管理范围内的机构举办培训：“%(unit)s”不在其中。") % {
            "unit": host.name
        }
    prefix = conflicts.region_prefix(host)
    nearby = bool(prefix) and root.region_code.startswith(prefix)
    if not (can_manage_unit(user, root) or nearby):
        errors["audience_root"] = _(
            "受众机构“%(unit)s”既不在你的管理范围内，也不在主办机构所在地区。"
        ) % {"unit": root.name}
    for company in companies:
        if not (company.is_within(root) or root.is_within(company)):
            errors["audience_companies"] = _("“%(company)s”不在受众机构“%(unit)s”之内。") % {
                "company": company.name,
                "unit": root.name,
            }
    if session.course_id and not session.course.live:
        errors["course"] = _("只能关联已发布的课程。")
    if session.plan_item_id:
        plan = session.plan_item.plan
        if not host.is_within(plan.org_unit):
            errors["plan_item"] = _("主办机构不在培训计划“%(plan)s”的机构范围之内。") % {
                "plan": plan.title
            }
        elif session.starts_at and (
            timezone.localtime(session.starts_at).year != plan.year
            or (plan.quarter and _quarter_of(session.starts_at) != plan.quarter)
        ):
            errors["plan_item"] = _("场次时间不在培训计划“%(plan)s”的期间（%(period)s）之内。") % {
                "plan": plan.title,
                "period": plan.period_label,
            }
    if errors:
        raise ValidationError(errors)


def _set_many(session: TrainingSession, companies, documents, media) -> None:
    session.audience_companies.set(companies)
    session.documents.set(list(documents))
    session.media.set(list(media))


@transaction.atomic
def session_create(
    *,
    user,
    audience_companies: Iterable[OrgUnit] = (),
    documents: Iterable = (),
    media: Iterable = (),
    **fields,
) -> TrainingSession:
    """A coordinator schedules a session (a draft) hosted in their subtree."""
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown session fields: {', '.join(sorted(unknown))}")
    companies = list(audience_companies)
    fields["channels"] = sorted(set(fields.get("channels") or []))
    session = TrainingSession(
        **fields, created_by=user if user.is_authenticated else None, status=SessionStatus.DRAFT
    )
    session.full_clean()
    _check_session(user=user, session=session, companies=companies)
    session.save()
    _set_many(session, companies, documents, media)
    return session


def _locked_session(session: TrainingSession) -> TrainingSession:
    return (
        TrainingSession.objects.select_for_update(of=("self",))
        .select_related("host_unit", "product_company")
        .get(pk=session.pk)
    )


@transaction.atomic
def session_update(
    *,
    user,
    session: TrainingSession,
    audience_companies: Iterable[OrgUnit] = (),
    documents: Iterable = (),
    media: Iterable = (),
    **fields,
) -> TrainingSession:
    """Change a draft or published session. A new time must leave every assigned lecturer free;
    the assignments' copies of the times follow; a published session's lecturers hear of a new
    time or place."""
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown session fields: {', '.join(sorted(unknown))}")
    stored = _locked_session(session)
    if not can_manage_unit(user, stored.host_unit):
        raise ValidationError(_("这个场次不在你的管理范围内，不能修改。"))
    if not stored.is_open:
        raise ValidationError(
            _("场次“%(title)s”%(status)s，不能再修改。")
            % {"title": stored.title, "status": stored.get_status_display()}
        )
    before = (stored.starts_at, stored.ends_at, stored.place, stored.online_url)
    before_capacity = stored.capacity
    if "channels" in fields:
        fields["channels"] = sorted(set(fields["channels"] or []))
    for name, value in fields.items():
        setattr(stored, name, value)
    companies = list(audience_companies)
    stored.full_clean()
    _check_session(user=user, session=stored, companies=companies)

    seated = stored.registrations.filter(status__in=SEATED_STATUSES).count()
    if stored.capacity is not None and stored.capacity < seated:
        raise ValidationError(
            {
                "capacity": _("已有 %(n)d 人报名，人数上限不能少于 %(n)d。") % {"n": seated},
            }
        )
    if (stored.starts_at, stored.ends_at) != before[:2]:
        _check_lecturers_free(stored)
        LecturerAssignment.objects.filter(session=stored).update(
            starts_at=stored.starts_at, ends_at=stored.ends_at
        )
    grew = stored.capacity > before_capacity
    stored.save()
    _set_many(stored, companies, documents, media)
    if grew and stored.status == SessionStatus.PUBLISHED:
        from .attendance import registration_capacity_changed

        registration_capacity_changed(session=stored)
    moved = (stored.starts_at, stored.ends_at, stored.place, stored.online_url) != before
    if moved and stored.status == SessionStatus.PUBLISHED:
        notify(
            people=selectors.session_people_concerned(stored),
            kind=NoticeKind.SESSION_CHANGED,
            title=_("培训场次有变更：%(title)s") % {"title": stored.title},
            body=_("“%(title)s”的时间或地点已变更为：%(time)s，%(place)s。")
            % {"title": stored.title, "time": stored.local_time_range, "place": _where(stored)},
            session=stored,
        )
    return stored


def _check_lecturers_free(session: TrainingSession) -> None:
    """Refuse a new time at which an assigned lecturer is busy elsewhere."""
    busy = (
        LecturerAssignment.objects.filter(
            ACTIVE_ASSIGNMENT,
            starts_at__lt=session.ends_at,
            ends_at__gt=session.starts_at,
            lecturer__in=LecturerAssignment.objects.filter(
                ACTIVE_ASSIGNMENT, session=session
            ).values("lecturer"),
        )
        .exclude(session=session)
        .select_related("lecturer__person", "session")
        .first()
    )
    if busy is not None:
        raise ValidationError(
            {
                "starts_at": _("讲师“%(name)s”在新的时段已有安排：“%(title)s”，请另选时间。")
                % {"name": busy.lecturer.person.name, "title": busy.session.title}
            }
        )


def _check_transition(
    user, session: TrainingSession, *, allowed: Iterable[str], action: str
) -> None:
    if not can_manage_unit(user, session.host_unit):
        raise ValidationError(_("这个场次不在你的管理范围内。"))
    if session.status not in allowed:
        raise ValidationError(
            _("场次“%(title)s”目前为“%(status)s”，不能%(action)s。")
            % {"title": session.title, "status": session.get_status_display(), "action": action}
        )


def _set_status(session: TrainingSession, status: str, at: datetime) -> None:
    session.status, session.status_changed_at = status, at
    session.save(update_fields=["status", "status_changed_at", "cancel_reason", "updated_at"])


@transaction.atomic
def session_publish(*, user, session: TrainingSession, at: datetime | None = None):
    """Draft → published: open for registration. Needs a lead lecturer, a start and a
    registration deadline still ahead. The lecturers are told by notice and e-mail, the
    audience by notice (a background task, as it may be thousands)."""
    at = at or timezone.now()
    session = _locked_session(session)
    _check_transition(user, session, allowed=[SessionStatus.DRAFT], action=_("发布"))
    if session.starts_at <= at:
        raise ValidationError(_("场次的开始时间已过，不能发布，请先修改时间。"))
    if session.registration_deadline <= at:
        raise ValidationError(_("报名截止时间已过，请先修改报名截止时间再发布。"))
    has_lead = session.assignments.filter(ACTIVE_ASSIGNMENT, role=AssignmentRole.LEAD).exists()
    if not has_lead:
        raise ValidationError(_("发布前请先指派主讲讲师。"))
    _set_status(session, SessionStatus.PUBLISHED, at)
    notify(
        people=selectors.session_lecturers(session),
        kind=NoticeKind.SESSION_PUBLISHED,
        title=_("培训场次已发布：%(title)s") % {"title": session.title},
        body=_("您参与授课的“%(title)s”已发布：%(time)s，%(place)s。")
        % {"title": session.title, "time": session.local_time_range, "place": _where(session)},
        url=_workspace_url(),
        session=session,
    )
    from .tasks import notify_session_audience

    transaction.on_commit(partial(notify_session_audience.enqueue, session.pk))
    return session


def session_notify_audience(*, session_id: int) -> int:
    """In-app notices to everyone in a published session's audience who has none yet for it
    (so a retried task adds nobody twice). Returns how many were written."""
    session = TrainingSession.objects.filter(pk=session_id).first()
    if session is None or session.status != SessionStatus.PUBLISHED:
        return 0
    already = Notice.objects.filter(
        recipient=OuterRef("pk"), session=session, kind=NoticeKind.SESSION_PUBLISHED
    )
    people = (
        selectors.session_audience(session)
        .exclude(Exists(already))
        .order_by()
        .values_list("pk", flat=True)
    )
    deadline = f"{timezone.localtime(session.registration_deadline):%Y-%m-%d %H:%M}"
    with transaction.atomic():
        return notify_people_ids(
            person_ids=people.iterator(chunk_size=2000),
            kind=NoticeKind.SESSION_PUBLISHED,
            title=_("新培训场次：%(title)s") % {"title": session.title},
            body=_("%(time)s，%(place)s。报名截止：%(deadline)s。")
            % {"time": session.local_time_range, "place": _where(session), "deadline": deadline},
            session=session,
        )


@transaction.atomic
def session_start(*, user, session: TrainingSession, at: datetime | None = None):
    """Published → in progress, from ``START_EARLY`` before the start until the end."""
    at = at or timezone.now()
    session = _locked_session(session)
    _check_transition(user, session, allowed=[SessionStatus.PUBLISHED], action=_("开始"))
    if at < session.starts_at - START_EARLY:
        raise ValidationError(
            _("场次开始前 %(hours)d 小时内才能开始。") % {"hours": START_EARLY.seconds // 3600}
        )
    if at >= session.ends_at:
        raise ValidationError(_("场次的结束时间已过，不能再开始；请直接结束或取消。"))
    _set_status(session, SessionStatus.IN_PROGRESS, at)
    return session


@transaction.atomic
def session_complete(*, user, session: TrainingSession, at: datetime | None = None):
    """In progress → completed (held)."""
    at = at or timezone.now()
    session = _locked_session(session)
    _check_transition(user, session, allowed=[SessionStatus.IN_PROGRESS], action=_("结束"))
    _set_status(session, SessionStatus.COMPLETED, at)
    return session


@transaction.atomic
def session_cancel(*, user, session: TrainingSession, reason: str, at: datetime | None = None):
    """Draft, published or in progress → cancelled, with a reason. The lecturers' assignments
    end (their time is free again) and the people concerned hear why."""
    at = at or timezone.now()
    session = _locked_session(session)
    allowed = [*OPEN_STATUSES, SessionStatus.IN_PROGRESS]
    _check_transition(user, session, allowed=allowed, action=_("取消"))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("取消场次必须填写原因。")})
    concerned = selectors.session_people_concerned(session)
    session.cancel_reason = reason
    _set_status(session, SessionStatus.CANCELLED, at)
    session.assignments.filter(ACTIVE_ASSIGNMENT).update(
        status=AssignmentStatus.CANCELLED, responded_at=at
    )
    notify(
        people=concerned,
        kind=NoticeKind.SESSION_CANCELLED,
        title=_("培训场次已取消：%(title)s") % {"title": session.title},
        body=_("原定于 %(time)s 的“%(title)s”已取消。原因：%(reason)s")
        % {"time": session.local_time_range, "title": session.title, "reason": reason},
        session=session,
    )
    return session


# Lecturer assignments ------------------------------------------------------------------------


@transaction.atomic
def lecturer_assign(
    *,
    user,
    session: TrainingSession,
    lecturer: LecturerProfile,
    role: str,
    confirm: bool = False,
) -> LecturerAssignment:
    """A coordinator invites a lecturer as lead or assistant.

    Refused (``ValidationError``) for a double booking, an unqualified lead, a lecturer out of
    reach, a full slot or a closed session; with warnings only (outside the region, an
    unqualified assistant) it raises ``NeedsConfirmation`` unless ``confirm``. The session row
    and then the lecturer's profile row are locked, so two coordinators cannot book the same
    lecturer or fill the same slot at once.
    """
    if role not in AssignmentRole.values:
        raise ValidationError({"role": _("请选择主讲或助教。")})
    session = _locked_session(session)
    if not can_manage_unit(user, session.host_unit):
        raise ValidationError(_("这个场次不在你的管理范围内，不能指派讲师。"))
    lecturer = LecturerProfile.objects.select_for_update().get(pk=lecturer.pk)
    check = conflicts.check_assignment(user=user, session=session, lecturer=lecturer, role=role)
    if check.errors:
        raise ValidationError(check.errors)
    if check.warnings and not confirm:
        raise NeedsConfirmation(check.warnings)
    assignment = LecturerAssignment(
        session=session,
        lecturer=check.lecturer,
        role=role,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        assigned_by=user if user.is_authenticated else None,
    )
    assignment.full_clean()
    assignment.save()
    assigner = _person_of(user)
    notify(
        people=[check.lecturer.person],
        kind=NoticeKind.ASSIGNMENT_INVITED,
        title=_("授课邀请：%(title)s") % {"title": session.title},
        body=_(
            "%(who)s邀请您担任“%(title)s”的%(role)s：%(time)s，%(place)s。请在讲师工作台接受或拒绝。"
        )
        % {
            "who": assigner.name if assigner else _("培训管理员"),
            "title": session.title,
            "role": assignment.get_role_display(),
            "time": session.local_time_range,
            "place": _where(session),
        },
        url=_workspace_url(),
        session=session,
    )
    return assignment


def _locked_assignment(assignment: LecturerAssignment) -> LecturerAssignment:
    return (
        LecturerAssignment.objects.select_for_update(of=("self",))
        .select_related("session__host_unit", "lecturer__person__user", "assigned_by__person")
        .get(pk=assignment.pk)
    )


@transaction.atomic
def assignment_withdraw(*, user, assignment: LecturerAssignment, at: datetime | None = None):
    """The coordinator takes an invitation or an accepted assignment back; the slot is free."""
    assignment = _locked_assignment(assignment)
    session = assignment.session
    if not can_manage_unit(user, session.host_unit):
        raise ValidationError(_("这个场次不在你的管理范围内。"))
    if not assignment.is_active:
        raise ValidationError(
            _("这条指派已是“%(status)s”，无需撤回。") % {"status": assignment.get_status_display()}
        )
    if not session.is_open:
        raise ValidationError(
            _("场次“%(title)s”%(status)s，指派不能再撤回。")
            % {"title": session.title, "status": session.get_status_display()}
        )
    assignment.status, assignment.responded_at = AssignmentStatus.WITHDRAWN, at or timezone.now()
    assignment.save(update_fields=["status", "responded_at"])
    notify(
        people=[assignment.lecturer.person],
        kind=NoticeKind.ASSIGNMENT_WITHDRAWN,
        title=_("授课指派已撤回：%(title)s") % {"title": session.title},
        body=_("您在“%(title)s”（%(time)s）的%(role)s指派已由培训管理员撤回。")
        % {
            "title": session.title,
            "time": session.local_time_range,
            "role": assignment.get_role_display(),
        },
        url=_workspace_url(),
        session=session,
    )
    return assignment


def _answer(
    *, person: Person, assignment: LecturerAssignment, allowed: tuple[str, ...], action: str
) -> LecturerAssignment:
    assignment = _locked_assignment(assignment)
    if assignment.lecturer.person_id != person.pk:
        raise ValidationError(_("这不是您的授课邀请。"))
    if assignment.status not in allowed:
        raise ValidationError(
            _("这条指派目前为“%(status)s”，不能%(action)s。")
            % {"status": assignment.get_status_display(), "action": action}
        )
    if not assignment.session.is_open:
        raise ValidationError(
            _("场次“%(title)s”%(status)s，不能再%(action)s。")
            % {
                "title": assignment.session.title,
                "status": assignment.session.get_status_display(),
                "action": action,
            }
        )
    return assignment


def _tell_assigner(assignment: LecturerAssignment, *, title: str, body: str) -> None:
    assigner = assignment.assigned_by
    notify(
        people=[getattr(assigner, "person", None)] if assigner else [],
        kind=NoticeKind.ASSIGNMENT_ANSWERED,
        title=title,
        body=body,
        url=_admin_session_url(assignment.session),
        session=assignment.session,
    )


@transaction.atomic
def assignment_accept(
    *, person: Person, assignment: LecturerAssignment, at: datetime | None = None
) -> LecturerAssignment:
    assignment = _answer(
        person=person,
        assignment=assignment,
        allowed=(AssignmentStatus.INVITED,),
        action=_("接受"),
    )
    assignment.status, assignment.responded_at = AssignmentStatus.ACCEPTED, at or timezone.now()
    assignment.save(update_fields=["status", "responded_at"])
    values = {
        "name": person.name,
        "title": assignment.session.title,
        "role": assignment.get_role_display(),
    }
    _tell_assigner(
        assignment,
        title=_("讲师已接受：%(title)s") % values,
        body=_("%(name)s已接受担任“%(title)s”的%(role)s。") % values,
    )
    return assignment


@transaction.atomic
def assignment_decline(
    *, person: Person, assignment: LecturerAssignment, note: str = "", at: datetime | None = None
) -> LecturerAssignment:
    """The lecturer declines an invitation, or gives back an accepted assignment before the
    session starts; either way the slot and the lecturer's time are free again."""
    assignment = _answer(
        person=person,
        assignment=assignment,
        allowed=ACTIVE_ASSIGNMENT_STATUSES,
        action=_("拒绝"),
    )
    assignment.status, assignment.responded_at = AssignmentStatus.DECLINED, at or timezone.now()
    assignment.response_note = note.strip()[:500]
    assignment.save(update_fields=["status", "responded_at", "response_note"])
    values = {
        "name": person.name,
        "title": assignment.session.title,
        "role": assignment.get_role_display(),
        "note": assignment.response_note or _("未说明"),
    }
    _tell_assigner(
        assignment,
        title=_("讲师已拒绝：%(title)s") % values,
        body=_("%(name)s不能担任“%(title)s”的%(role)s，原因：%(note)s。请另行指派。") % values,
    )
    return assignment


# Notices -------------------------------------------------------------------------------------


def notices_mark_read(*, person: Person, at: datetime) -> int:
    """Mark all of the person's unread notices read; returns how many."""
    return Notice.objects.filter(recipient=person, read_at__isnull=True).update(read_at=at)
