"""Reads: what a coordinator manages, a session's audience and people concerned, plan progress,
a lecturer's assignments and a person's notices. Each selector loads what its callers show."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Avg, Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from courses.selectors import audience_people
from organization.models import OrgUnit, Person, Role
from organization.scope import MANAGING_ROLES, filter_to_scope, people_in_scope, scope_unit

from .conflicts import region_prefix
from .models import (
    ACTIVE_ASSIGNMENT,
    ACTIVE_ASSIGNMENT_STATUSES,
    AssignmentRole,
    AssignmentStatus,
    Feedback,
    LecturerAssignment,
    LecturerCorps,
    LecturerProfile,
    Notice,
    PlanItem,
    Qualification,
    Registration,
    RegistrationStatus,
    SessionStatus,
    TrainingPlan,
    TrainingSession,
)

# What coordinators manage: rows whose org unit lies in their subtree.


def corps_in_scope(user) -> QuerySet:
    return filter_to_scope(
        LecturerCorps.objects.select_related("owning_unit"),
        user,
        path_field="owning_unit__path",
        roles=MANAGING_ROLES,
    )


def lecturers_in_scope(user) -> QuerySet:
    return filter_to_scope(
        LecturerProfile.objects.select_related("person__org_unit"),
        user,
        path_field="person__org_unit__path",
        roles=MANAGING_ROLES,
    )


def lecturer_people_without_profile(user) -> QuerySet:
    """People of the user's subtree who hold the lecturer role but have no profile yet."""
    return (
        people_in_scope(user, roles=MANAGING_ROLES)
        .active()
        .with_role(Role.LECTURER)
        .filter(lecturer_profile__isnull=True)
    )


def plans_in_scope(user) -> QuerySet:
    return filter_to_scope(
        TrainingPlan.objects.select_related("org_unit"),
        user,
        path_field="org_unit__path",
        roles=MANAGING_ROLES,
    )


def plan_items_in_scope(user) -> QuerySet:
    return filter_to_scope(
        PlanItem.objects.select_related("plan__org_unit"),
        user,
        path_field="plan__org_unit__path",
        roles=MANAGING_ROLES,
    ).order_by("-plan__year", "-plan__quarter", "plan__org_unit__path", "sort_order")


def sessions_in_scope(user) -> QuerySet:
    """Sessions hosted in the user's subtree, each with ``lead_name`` (the active lead, or None)."""
    lead = LecturerAssignment.objects.filter(
        ACTIVE_ASSIGNMENT, session=OuterRef("pk"), role=AssignmentRole.LEAD
    ).values("lecturer__person__name")[:1]
    return filter_to_scope(
        TrainingSession.objects.select_related("host_unit", "product_company").annotate(
            lead_name=Subquery(lead)
        ),
        user,
        path_field="host_unit__path",
        roles=MANAGING_ROLES,
    )


def session_for_assignment(pk: int) -> TrainingSession:
    """A session with what ``conflicts.check_assignment`` and the assignment pages read."""
    return TrainingSession.objects.select_related("host_unit", "product_company").get(pk=pk)


def audience_units_for(user) -> QuerySet:
    """Units a coordinator may name as a session's audience root: their subtree, and the units
    of every company in the region of their own unit (a cross-company session trains the other
    company's agents in the same city or province)."""
    root = scope_unit(user, roles=MANAGING_ROLES)
    if root is None:
        return OrgUnit.objects.none()
    prefix = region_prefix(root)
    nearby = Q(region_code__startswith=prefix) if prefix else Q(pk__in=[])
    if root.is_root():
        nearby = Q()
    return OrgUnit.objects.filter(Q(path__startswith=root.path) | nearby).order_by("path")


# Sessions: audience, people concerned, assignments.


def session_audience(session: TrainingSession) -> QuerySet:
    """Active people in the session's audience, the same selection as a mandatory assignment's."""
    return audience_people(
        root=session.audience_root,
        company_ids=[company.pk for company in session.audience_companies.all()],
        channels=session.channels,
    )


def session_assignments(session: TrainingSession) -> list[LecturerAssignment]:
    """All assignments of a session, active ones first (lead, then assistants), then the rest."""
    rows = list(
        session.assignments.select_related("lecturer__person__org_unit", "assigned_by").order_by(
            "created_at"
        )
    )
    return sorted(rows, key=lambda row: (not row.is_active, row.role != AssignmentRole.LEAD))


def session_lecturers(session: TrainingSession) -> list[Person]:
    """The people behind the session's active assignments."""
    return list(
        Person.objects.filter(
            lecturer_profile__assignments__session=session,
            lecturer_profile__assignments__status__in=ACTIVE_ASSIGNMENT_STATUSES,
        ).select_related("user")
    )


def session_people_concerned(session: TrainingSession) -> list[Person]:
    """Whom a change or a cancellation of the session must reach: its lecturers and everyone
    registered or on the waiting list (two queries)."""
    lecturers = session_lecturers(session)
    seen = {person.pk for person in lecturers}
    registrants = Person.objects.filter(
        session_registrations__session=session,
        session_registrations__status__in=[
            RegistrationStatus.REGISTERED,
            RegistrationStatus.WAITLISTED,
        ],
    ).select_related("user")
    return lecturers + [person for person in registrants if person.pk not in seen]


def lecturer_assignments(*, person: Person, now: datetime | None = None) -> dict[str, list]:
    """A lecturer's assignments for their workspace: ``invited`` (to answer), ``upcoming``
    (accepted, not over) and ``past`` (accepted, over or completed; the latest 20). One query."""
    now = now or timezone.now()
    rows = list(
        LecturerAssignment.objects.filter(lecturer__person=person)
        .filter(
            Q(status=AssignmentStatus.INVITED)
            | Q(status=AssignmentStatus.ACCEPTED) & ~Q(session__status=SessionStatus.CANCELLED)
        )
        .select_related("session__host_unit", "session__product_company")
        .order_by("starts_at")
    )
    invited = [row for row in rows if row.status == AssignmentStatus.INVITED]
    accepted = [row for row in rows if row.status == AssignmentStatus.ACCEPTED]
    upcoming = [
        row
        for row in accepted
        if row.ends_at > now and row.session.status != SessionStatus.COMPLETED
    ]
    past = [row for row in accepted if row not in upcoming]
    return {"invited": invited, "upcoming": upcoming, "past": past[::-1][:20]}


# Plans: planned against held against attended.


def attendance_counts(session_ids: list[int]) -> dict[int, int]:
    """Attended head-count per session (checked in by QR, walk-in or by hand). One query."""
    if not session_ids:
        return {}
    rows = (
        Registration.objects.filter(session_id__in=session_ids, status=RegistrationStatus.ATTENDED)
        .order_by()
        .values("session_id")
        .annotate(n=Count("pk"))
    )
    return {row["session_id"]: row["n"] for row in rows}


def _count(rows: QuerySet, group: str) -> Coalesce:
    return Coalesce(Subquery(rows.order_by().values(group).annotate(n=Count("pk")).values("n")), 0)


def with_session_counts(items: QuerySet) -> QuerySet:
    """Plan items with ``held``, ``cancelled`` and ``scheduled`` session counts and their
    ``attendance``: subqueries, so that reports can also sum them per plan or per unit."""
    sessions = TrainingSession.objects.filter(plan_item=OuterRef("pk"))
    closed = [SessionStatus.COMPLETED, SessionStatus.CANCELLED]
    attended = Registration.objects.filter(
        session__plan_item=OuterRef("pk"), status=RegistrationStatus.ATTENDED
    )
    return items.annotate(
        held=_count(sessions.filter(status=SessionStatus.COMPLETED), "plan_item"),
        cancelled=_count(sessions.filter(status=SessionStatus.CANCELLED), "plan_item"),
        scheduled=_count(sessions.exclude(status__in=closed), "plan_item"),
        attendance=_count(attended, "session__plan_item"),
    )


@dataclass
class PlanItemProgress:
    item: PlanItem
    scheduled: int  # not cancelled, not held yet
    held: int  # completed
    cancelled: int
    attendance: int

    @classmethod
    def of(cls, item: PlanItem) -> "PlanItemProgress":
        """From an item of ``with_session_counts``."""
        return cls(item, item.scheduled, item.held, item.cancelled, item.attendance)

    @property
    def held_share(self) -> int:
        return round(100 * self.held / self.item.planned_sessions)

    @property
    def attendance_share(self) -> int:
        return round(100 * self.attendance / self.item.target_headcount)


@dataclass
class PlanProgress:
    plan: TrainingPlan
    items: list[PlanItemProgress] = field(default_factory=list)
    sessions: list[TrainingSession] = field(default_factory=list)

    @property
    def planned_sessions(self) -> int:
        return sum(row.item.planned_sessions for row in self.items)

    @property
    def target_headcount(self) -> int:
        return sum(row.item.target_headcount for row in self.items)

    @property
    def scheduled(self) -> int:
        return sum(row.scheduled for row in self.items)

    @property
    def held(self) -> int:
        return sum(row.held for row in self.items)

    @property
    def attendance(self) -> int:
        return sum(row.attendance for row in self.items)


def plan_progress(plan: TrainingPlan) -> PlanProgress:
    """The plan page: each item's planned sessions and target head-count against the sessions
    held for it and the people who attended. Two queries (plus attendance's own)."""
    items = with_session_counts(plan.items.order_by("sort_order", "pk"))
    sessions = list(
        TrainingSession.objects.filter(plan_item__plan=plan)
        .select_related("host_unit")
        .order_by("starts_at")
    )
    attended = attendance_counts([session.pk for session in sessions])
    for session in sessions:
        session.attendance = attended.get(session.pk, 0)
    return PlanProgress(
        plan=plan, items=[PlanItemProgress.of(item) for item in items], sessions=sessions
    )


# Notices.


def notices_for(person: Person) -> QuerySet:
    return Notice.objects.filter(recipient=person).select_related("session")


def unread_notice_count(person: Person) -> int:
    return Notice.objects.filter(recipient=person, read_at__isnull=True).count()


def profiles_with_details(queryset: QuerySet) -> QuerySet:
    """Profiles with their qualifications (and companies) and corps, for listings: two queries
    more whatever the number of rows."""
    return queryset.prefetch_related(
        Prefetch("qualifications", queryset=Qualification.objects.select_related("company")),
        "corps",
    )


# Registration, attendance, feedback (issue 5, items 6–9).


def _path_prefixes(path: str) -> list[str]:
    step = OrgUnit.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


def sessions_open_to(*, person: Person, now: datetime | None = None) -> list[TrainingSession]:
    """Published sessions not over yet whose audience holds the person, soonest first, each
    with ``my_registration`` (or None). Three queries."""
    now = now or timezone.now()
    unit = person.org_unit
    rows = list(
        TrainingSession.objects.filter(
            status__in=[SessionStatus.PUBLISHED, SessionStatus.IN_PROGRESS],
            ends_at__gt=now,
            audience_root__path__in=_path_prefixes(unit.path),
        )
        .select_related("host_unit", "product_company")
        .prefetch_related("audience_companies")
        .order_by("starts_at", "pk")[:200]
    )
    rows = [
        session
        for session in rows
        # JSON list and many-to-many: filtered here (SQLite cannot search JSON by containment).
        if (not session.channels or person.channel in session.channels)
        and (
            not session.audience_companies.all()
            or unit.company_id in {c.pk for c in session.audience_companies.all()}
        )
    ]
    mine = {
        row.session_id: row
        for row in Registration.objects.filter(person=person, session__in=[s.pk for s in rows])
    }
    for session in rows:
        session.my_registration = mine.get(session.pk)
    return rows


def my_registrations(*, person: Person) -> list[Registration]:
    """The person's registrations (not cancelled), latest session first, with their feedback."""
    rows = list(
        Registration.objects.filter(person=person)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("session__host_unit")
        .order_by("-session__starts_at")[:50]
    )
    given = set(
        Feedback.objects.filter(
            person=person, session__in=[r.session_id for r in rows]
        ).values_list("session_id", flat=True)
    )
    for row in rows:
        row.feedback_given = row.session_id in given
    return rows


def session_counts(session: TrainingSession) -> dict[str, int]:
    """Registered (seated, incl. attended), waitlisted and attended head-counts: one query."""
    counts = dict(
        session.registrations.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    attended = counts.get(RegistrationStatus.ATTENDED, 0)
    return {
        "seated": counts.get(RegistrationStatus.REGISTERED, 0) + attended,
        "waitlisted": counts.get(RegistrationStatus.WAITLISTED, 0),
        "attended": attended,
    }


def session_roster(session: TrainingSession) -> list[Registration]:
    """Everyone registered, waiting or attended, for the lecturer's page (one query)."""
    return list(
        session.registrations.exclude(status=RegistrationStatus.CANCELLED)
        .select_related("person__org_unit")
        .order_by("status", "waitlisted_at", "person__org_unit__path", "person__name")
    )


def feedback_summary(sessions) -> dict:
    """Count and average ratings over the feedback of ``sessions`` (a queryset or ids)."""
    row = Feedback.objects.filter(session__in=sessions).aggregate(
        count=Count("pk"),
        lecturer=Avg("lecturer_rating"),
        content=Avg("content_rating"),
    )
    return {
        "count": row["count"],
        "lecturer": round(row["lecturer"], 2) if row["lecturer"] is not None else None,
        "content": round(row["content"], 2) if row["content"] is not None else None,
    }


def feedback_in_scope(user) -> QuerySet:
    """Feedback on sessions hosted in the coordinator's subtree."""
    return filter_to_scope(
        Feedback.objects.select_related("session__host_unit", "person__org_unit"),
        user,
        path_field="session__host_unit__path",
        roles=MANAGING_ROLES,
    )


def lecturer_session_ids(person: Person) -> QuerySet:
    return LecturerAssignment.objects.filter(
        lecturer__person=person, status=AssignmentStatus.ACCEPTED
    ).values("session_id")


def session_lineage(session: TrainingSession) -> list[dict]:
    """Who trained the trainer: for each active lecturer of the session with a cascade
    qualification on its company, the cascade session and that session's lead. Two queries."""
    quals = list(
        Qualification.objects.filter(
            source="cascade",
            company_id=session.product_company_id,
            lecturer__assignments__session=session,
            lecturer__assignments__status__in=ACTIVE_ASSIGNMENT_STATUSES,
            source_session__isnull=False,
        )
        .select_related("lecturer__person", "source_session")
        .distinct()
    )
    leads = dict(
        LecturerAssignment.objects.filter(
            session__in=[q.source_session_id for q in quals],
            role=AssignmentRole.LEAD,
            status=AssignmentStatus.ACCEPTED,
        ).values_list("session_id", "lecturer__person__name")
    )
    return [
        {
            "lecturer": q.lecturer.person.name,
            "source": q.source_session,
            "trainer": leads.get(q.source_session_id),
        }
        for q in quals
    ]


def lecturer_teaching(person: Person) -> dict:
    """The lecturer's courses (linked to their sessions) with learner counts, their quizzes
    (their sessions' assessments) with attempts and passes, and their feedback aggregates."""
    from courses.models import Enrollment, EnrollmentStatus
    from quizzes.models import Attempt, AttemptStatus

    sessions = TrainingSession.objects.filter(pk__in=lecturer_session_ids(person))
    course_ids = sessions.exclude(course=None).values("course_id")
    courses = list(
        Enrollment.objects.filter(course_id__in=course_ids)
        .order_by()
        .values("course_id", "course__title")
        .annotate(
            learners=Count("pk"),
            completed=Count("pk", filter=Q(status=EnrollmentStatus.COMPLETED)),
        )
        .order_by("course__title")
    )
    quiz_ids = sessions.exclude(assessment_quiz=None).values("assessment_quiz_id")
    quizzes = list(
        Attempt.objects.filter(quiz_id__in=quiz_ids, status=AttemptStatus.SUBMITTED)
        .order_by()
        .values("quiz_id", "quiz__title")
        .annotate(
            takers=Count("person_id", distinct=True),
            passed=Count("person_id", distinct=True, filter=Q(passed=True)),
        )
        .order_by("quiz__title")
    )
    return {"courses": courses, "quizzes": quizzes, "feedback": feedback_summary(sessions)}


def lecturer_calendar(*, profile: LecturerProfile, since: datetime) -> list[LecturerAssignment]:
    """Accepted assignments of the lecturer from ``since`` on, for the ICS feed (one query)."""
    return list(
        LecturerAssignment.objects.filter(
            lecturer=profile,
            status__in=[AssignmentStatus.ACCEPTED, AssignmentStatus.CANCELLED],
            ends_at__gte=since,
        )
        .select_related("session")
        .order_by("starts_at")
    )
