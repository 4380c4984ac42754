"""May this lecturer take this session? Double-booking, qualification, region and reach.

``check_assignment`` answers in two queries whatever the number of sessions and lecturers: the
lecturer with what the rules need (annotations), then the active assignments that either overlap
the session's time for this lecturer (a range scan of the partial index on (lecturer, starts_at,
ends_at)) or belong to the session itself (its slots). ``suggest_lecturers`` is one query.

Two time ranges overlap when each starts before the other ends: a session ending at 10:00 and one
starting at 10:00 do not. Times are stored aware (UTC in the database), so sessions entered in
different time zones compare as the instants they are.

Rules: a double booking, a lecturer out of reach (neither in the coordinator's subtree nor in a
corps above the host unit), an inactive lecturer and a lead without the qualification are refused;
an assistant without the qualification and a lecturer outside the session's region are warnings
the coordinator may confirm (the group's lecturer corps travels).
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organization.models import OrgUnit, OrgUnitKind, Role
from organization.scope import MANAGING_ROLES, scope_unit

from .models import (
    ACTIVE_ASSIGNMENT,
    LEVEL_RANK,
    AssignmentRole,
    LecturerAssignment,
    LecturerProfile,
    Qualification,
    TrainingSession,
)

STEPLEN = OrgUnit.steplen
# The region a host unit draws lecturers from: its prefecture (four digits of the GB/T 2260
# code) from prefecture level down, its province (two digits) at province level, anywhere above.
PREFECTURE_KINDS = (OrgUnitKind.PREFECTURE, OrgUnitKind.COUNTY, OrgUnitKind.OUTLET)
NEAR_PREFECTURE, NEAR_PROVINCE, FAR = 0, 1, 2
NEARNESS_LABELS = {
    NEAR_PREFECTURE: gettext_lazy("同地市"),
    NEAR_PROVINCE: gettext_lazy("同省"),
    FAR: gettext_lazy("外地"),
}


def region_prefix(unit: OrgUnit) -> str:
    """The region code prefix a unit's region is matched by; "" for nationwide (group, company)."""
    if not unit.region_code:
        return ""
    if unit.kind in PREFECTURE_KINDS:
        return unit.region_code[:4]
    if unit.kind == OrgUnitKind.PROVINCE:
        return unit.region_code[:2]
    return ""


def session_region_prefix(session: TrainingSession) -> str:
    """Where a session's lecturers should come from; "" when anywhere will do (online only)."""
    return "" if session.is_online_only else region_prefix(session.host_unit)


def in_region(unit: OrgUnit, prefix: str) -> bool:
    return not prefix or unit.region_code.startswith(prefix)


def ancestor_paths(unit: OrgUnit) -> list[str]:
    return [unit.path[:end] for end in range(STEPLEN, len(unit.path) + 1, STEPLEN)]


def in_corps_above(unit: OrgUnit) -> Exists:
    """The lecturer belongs to an active corps owned by ``unit`` or one of its ancestors."""
    memberships = LecturerProfile.corps.through.objects.filter(
        lecturerprofile_id=OuterRef("pk"),
        lecturercorps__is_active=True,
        lecturercorps__owning_unit__path__in=ancestor_paths(unit),
    )
    return Exists(memberships)


def holds_lecturer_role() -> Exists:
    return Exists(
        get_user_model().groups.through.objects.filter(
            user_id=OuterRef("person__user_id"), group__name=Role.LECTURER
        )
    )


def qualified_for(session: TrainingSession) -> Exists:
    """A qualification for the session's products' company, on its topic or on every topic."""
    return Exists(
        Qualification.objects.filter(
            lecturer=OuterRef("pk"),
            company_id=session.product_company_id,
            topic__in=["", session.topic.strip()],
        )
    )


def busy_during(session: TrainingSession) -> Exists:
    """The lecturer holds an active assignment overlapping the session (this one included)."""
    return Exists(
        LecturerAssignment.objects.filter(
            ACTIVE_ASSIGNMENT,
            lecturer=OuterRef("pk"),
            starts_at__lt=session.ends_at,
            ends_at__gt=session.starts_at,
        )
    )


def lecturers_available_to(user, session: TrainingSession) -> QuerySet:
    """Active lecturers the user may call on for ``session``: those of their own subtree and the
    members of a corps owned at or above the host unit."""
    root = scope_unit(user, roles=MANAGING_ROLES)
    if root is None:
        return LecturerProfile.objects.none()
    return (
        LecturerProfile.objects.filter(is_active=True, person__is_active=True)
        .filter(holds_lecturer_role())
        .filter(Q(person__org_unit__path__startswith=root.path) | in_corps_above(session.host_unit))
        .select_related("person__org_unit")
    )


# What the check reads, and nothing more: the fewer columns, the less the ORM has to build.
CHECKED_PROFILE_FIELDS = (
    "is_active",
    "person__name",
    "person__is_active",
    "person__user",
    "person__org_unit__path",
    "person__org_unit__name",
    "person__org_unit__region_code",
)
CHECKED_ASSIGNMENT_FIELDS = (
    "session_id",
    "lecturer_id",
    "role",
    "starts_at",
    "ends_at",
    "session__title",
    "lecturer__person__name",
)


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


@dataclass
class AssignmentCheck:
    lecturer: LecturerProfile
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def check_assignment(
    *, user, session: TrainingSession, lecturer: LecturerProfile, role: str
) -> AssignmentCheck:
    """What stands against giving ``lecturer`` the ``role`` in ``session``: errors refuse,
    warnings need the coordinator's confirmation. Two queries (``session`` comes with its host
    unit and products' company loaded)."""
    profile = (
        LecturerProfile.objects.filter(pk=lecturer.pk)
        .select_related("person__org_unit")
        .only(*CHECKED_PROFILE_FIELDS)
        .annotate(
            has_role=holds_lecturer_role(),
            qualified=qualified_for(session),
            in_host_corps=in_corps_above(session.host_unit),
        )
        .get()
    )
    check = AssignmentCheck(lecturer=profile)
    name = profile.person.name
    errors, warnings = check.errors, check.warnings

    if not session.is_open:
        errors.append(
            _("场次“%(title)s”%(status)s，不能再指派讲师。")
            % {"title": session.title, "status": session.get_status_display()}
        )
    if not (profile.is_active and profile.person.is_active and profile.has_role):
        errors.append(_("“%(name)s”已停用或不再具有讲师角色，不能指派。") % {"name": name})
    root = scope_unit(user, roles=MANAGING_ROLES)
    in_scope = root is not None and profile.person.org_unit.is_within(root)
    if not (in_scope or profile.in_host_corps):
        errors.append(
            _("讲师“%(name)s”不在你的管理范围内，也不是主办机构所属讲师团的成员。") % {"name": name}
        )

    rows = list(
        LecturerAssignment.objects.filter(ACTIVE_ASSIGNMENT)
        .filter(
            Q(session=session)
            | Q(lecturer=profile, starts_at__lt=session.ends_at, ends_at__gt=session.starts_at)
        )
        .select_related("session", "lecturer__person")
        .only(*CHECKED_ASSIGNMENT_FIELDS)
        .order_by("starts_at")
    )
    mine = [row for row in rows if row.session_id == session.pk]
    if any(row.lecturer_id == profile.pk for row in mine):
        errors.append(_("讲师“%(name)s”已被指派到本场次。") % {"name": name})
    elif role == AssignmentRole.LEAD:
        lead = next((row for row in mine if row.role == AssignmentRole.LEAD), None)
        if lead is not None:
            errors.append(
                _("本场次已有主讲讲师“%(name)s”；如需更换，请先撤回其指派。")
                % {"name": lead.lecturer.person.name}
            )
    elif sum(row.role == AssignmentRole.ASSISTANT for row in mine) >= session.assistant_slots:
        errors.append(
            _("本场次的 %(n)d 个助教名额已满。") % {"n": session.assistant_slots}
            if session.assistant_slots
            else _("本场次不设助教。")
        )
    for row in rows:
        if row.session_id != session.pk and row.lecturer_id == profile.pk:
            errors.append(
                _(
                    "讲师“%(name)s”在该时段已有安排：“%(title)s”（%(start)s 至 %(end)s），"
                    "不能重复指派。"
                )
                % {
                    "name": name,
                    "title": row.session.title,
                    "start": _local(row.starts_at),
                    "end": _local(row.ends_at),
                }
            )

    if not profile.qualified:
        message = _("讲师“%(name)s”没有讲授%(company)s产品“%(topic)s”主题的资格。") % {
            "name": name,
            "company": session.product_company.name,
            "topic": session.topic,
        }
        (errors if role == AssignmentRole.LEAD else warnings).append(message)
    prefix = session_region_prefix(session)
    if not in_region(profile.person.org_unit, prefix):
        warnings.append(
            _("讲师“%(name)s”所在的%(unit)s不在本场次所在地区（%(host)s）。")
            % {"name": name, "unit": profile.person.org_unit.name, "host": session.host_unit.name}
        )
    return check


def suggest_lecturers(*, user, session: TrainingSession, limit: int = 5) -> list[LecturerProfile]:
    """Qualified lecturers free at the session's time whom the user may call on, nearest first
    (same prefecture, same province, elsewhere; then senior first). Each has ``nearness``."""
    region = session.host_unit.region_code
    if session.is_online_only or not region:
        nearness = Value(NEAR_PREFECTURE)
    else:
        nearness = Case(
            When(person__org_unit__region_code__startswith=region[:4], then=NEAR_PREFECTURE),
            When(person__org_unit__region_code__startswith=region[:2], then=NEAR_PROVINCE),
            default=FAR,
            output_field=IntegerField(),
        )
    level_rank = Case(
        *(When(level=level, then=rank) for level, rank in LEVEL_RANK.items()),
        output_field=IntegerField(),
    )
    return list(
        lecturers_available_to(user, session)
        .filter(qualified_for(session))
        .exclude(busy_during(session))
        .annotate(nearness=nearness, level_rank=level_rank)
        .order_by("nearness", "level_rank", "person__employee_no")[:limit]
    )
