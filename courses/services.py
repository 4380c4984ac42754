"""Writes to learning records: enrolments, lesson progress, mandatory assignments.

Every event that changes a person's progress updates their ``Enrollment`` row in the same
transaction, with the row locked (``select_for_update``), so concurrent heartbeats of one learner
queue up instead of overwriting each other's percent.
"""

import math
from collections.abc import Iterable
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from media_library import watching
from organization.models import Channel, OrgUnit, Person, Role
from organization.scope import can_manage_unit

from .models import (
    Assignment,
    CompletionRule,
    CoursePage,
    Enrollment,
    EnrollmentSource,
    EnrollmentStatus,
    LessonKind,
    LessonPage,
    LessonProgress,
)
from .selectors import assignment_audience, assignments_for_people

BULK_BATCH_SIZE = 1000


def _copied_place(person: Person) -> dict:
    return {
        "org_path": person.org_unit.path,
        "company_id": person.org_unit.company_id,
        "channel": person.channel,
    }


def _locked_enrollment(
    *, person: Person, course: CoursePage, defaults: dict
) -> tuple[Enrollment, bool]:
    """The person's enrolment in ``course``, locked for this transaction; created if missing."""
    enrollment = Enrollment.objects.select_for_update().filter(person=person, course=course).first()
    if enrollment is not None:
        return enrollment, False
    enrollment = Enrollment(person=person, course=course, **_copied_place(person), **defaults)
    enrollment.full_clean(exclude=["person", "course", "company", "assignment"])
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError:
        # A concurrent request created it first.
        return Enrollment.objects.select_for_update().get(person=person, course=course), False
    return enrollment, True


@transaction.atomic
def enrollment_get_or_create(
    *,
    person: Person,
    course: CoursePage,
    source: str,
    due_date: date | None = None,
    assignment: Assignment | None = None,
) -> Enrollment:
    """The person's enrolment in ``course``, created if missing.

    An assignment turns an existing self-enrolment into an assigned one with the assignment's due
    date; a self-enrolment never downgrades an assigned one.
    """
    if source not in EnrollmentSource.values:
        raise ValidationError(_("未知的选课来源：%(source)s。") % {"source": source})
    enrollment, created = _locked_enrollment(
        person=person,
        course=course,
        defaults={"source": source, "due_date": due_date, "assignment": assignment},
    )
    if (
        not created
        and source == EnrollmentSource.ASSIGNED
        and enrollment.source == EnrollmentSource.SELF
    ):
        enrollment.source = EnrollmentSource.ASSIGNED
        enrollment.due_date = due_date
        enrollment.assignment = assignment
        enrollment.save(update_fields=["source", "due_date", "assignment", "updated_at"])
    return enrollment


def _lesson_counts(*, course: CoursePage, person: Person) -> tuple[int, int]:
    """(lessons that count, how many of them are done): one query.

    The live required lessons count; a course without a required lesson counts all its lessons.
    """
    done = LessonProgress.objects.filter(
        person=person, lesson=OuterRef("pk"), completed_at__isnull=False
    )
    counts = (
        LessonPage.objects.live()
        .child_of(course)
        .alias(done=Exists(done))
        .aggregate(
            n_required=Count("pk", filter=Q(required=True)),
            n_required_done=Count("pk", filter=Q(required=True, done=True)),
            n_total=Count("pk"),
            n_total_done=Count("pk", filter=Q(done=True)),
        )
    )
    if counts["n_required"]:
        return counts["n_required"], counts["n_required_done"]
    return counts["n_total"], counts["n_total_done"]


def _recompute(enrollment: Enrollment, *, course: CoursePage, at: datetime | None) -> Enrollment:
    """Percent and status from the lessons done; ``at`` is when the triggering event happened
    (None for a plain recount). The caller holds the row lock.

    Completion is kept once reached: a lesson added later does not undo a completed course.
    """
    if enrollment.status == EnrollmentStatus.COMPLETED:
        return enrollment
    counted, done = _lesson_counts(course=course, person=enrollment.person)
    enrollment.percent = done * 100 // counted if counted else 0
    if at is not None and enrollment.started_at is None:
        enrollment.started_at = at
    if (
        course.completion_rule == CompletionRule.ALL_REQUIRED_LESSONS
        and counted
        and done == counted
    ):
        enrollment.status = EnrollmentStatus.COMPLETED
        enrollment.percent = 100
        enrollment.completed_at = at or timezone.now()
    elif enrollment.started_at is not None:
        enrollment.status = EnrollmentStatus.IN_PROGRESS
    enrollment.save(update_fields=["percent", "status", "started_at", "completed_at", "updated_at"])
    return enrollment


@transaction.atomic
def enrollment_recompute(*, enrollment: Enrollment) -> Enrollment:
    """Recount percent and status from the lessons done (e.g. after lessons were (un)published)."""
    enrollment = (
        Enrollment.objects.select_for_update()
        .select_related("person", "course")
        .get(pk=enrollment.pk)
    )
    return _recompute(enrollment, course=enrollment.course, at=None)


@transaction.atomic
def enrollment_complete(*, person: Person, course: CoursePage, at: datetime) -> Enrollment:
    """Complete the person's enrolment (e.g. when they pass the course's quiz). Idempotent."""
    enrollment, _created = _locked_enrollment(
        person=person, course=course, defaults={"source": EnrollmentSource.SELF}
    )
    if enrollment.status != EnrollmentStatus.COMPLETED:
        enrollment.status = EnrollmentStatus.COMPLETED
        enrollment.percent = 100
        enrollment.completed_at = at
        enrollment.started_at = enrollment.started_at or at
        enrollment.save(
            update_fields=["status", "percent", "completed_at", "started_at", "updated_at"]
        )
    return enrollment


def _locked_progress(*, person: Person, lesson: LessonPage) -> LessonProgress:
    # The enrolment row lock taken before serialises this person's writes to the course, so a
    # plain get_or_create cannot race with itself here.
    progress, _created = LessonProgress.objects.select_for_update().get_or_create(
        person=person, lesson=lesson
    )
    return progress


def _watched_threshold() -> float:
    return float(settings.COURSES_WATCHED_THRESHOLD)


@transaction.atomic
def progress_record_heartbeat(
    *, person: Person, lesson: LessonPage, ranges, position, at: datetime
) -> LessonProgress:
    """Merge a player heartbeat into the person's progress in ``lesson``.

    ``ranges`` are the media-time ranges played since the previous heartbeat, ``position`` the
    playhead. The lesson is watched when the merged intervals cover at least
    ``settings.COURSES_WATCHED_THRESHOLD`` of the media's probed duration; the enrolment's percent,
    status and dates change in the same transaction. A heartbeat that claims more than could have
    been played is refused whole (``ValidationError``), so seeking to the end proves nothing.
    The updated enrolment comes back as ``progress.enrollment``, so callers need not re-read it.
    """
    media = lesson.tracked_media
    if media is None:
        raise ValidationError(_("这个课时没有音视频，不需要上报观看进度。"))
    duration = float(media.duration or 0)
    if duration <= 0:
        raise ValidationError(_("音视频尚未处理完成，暂时无法记录观看进度。"))
    if not isinstance(position, int | float) or not math.isfinite(position):
        raise ValidationError(_("播放位置不正确。"))
    course = lesson.course
    enrollment, _created = _locked_enrollment(
        person=person, course=course, defaults={"source": EnrollmentSource.SELF}
    )
    progress = _locked_progress(person=person, lesson=lesson)
    elapsed = None
    if progress.last_heartbeat_at is not None:
        elapsed = (at - progress.last_heartbeat_at).total_seconds()
    outcome = watching.accept_heartbeat(
        existing=progress.watched_intervals,
        ranges=ranges,
        duration=duration,
        credit=progress.heartbeat_credit,
        elapsed=elapsed,
    )
    progress.watched_intervals = outcome.intervals
    progress.watched_seconds = outcome.covered
    progress.last_position = round(min(max(float(position), 0.0), duration), 2)
    progress.heartbeat_credit = outcome.credit
    progress.last_heartbeat_at = max(at, progress.last_heartbeat_at or at)
    newly_watched = (
        progress.completed_at is None and outcome.covered >= _watched_threshold() * duration
    )
    if newly_watched:
        progress.completed_at = at
    progress.save()
    if newly_watched or enrollment.started_at is None:
        _recompute(enrollment, course=course, at=at)
    progress.enrollment = enrollment
    return progress


@transaction.atomic
def lesson_mark_done(*, person: Person, lesson: LessonPage, at: datetime) -> LessonProgress:
    """The learner marks a text lesson done; media lessons complete by watching only."""
    if lesson.kind == LessonKind.MEDIA:
        raise ValidationError(_("音视频课时在观看达到要求后自动完成，不能手动标记完成。"))
    course = lesson.course
    enrollment, _created = _locked_enrollment(
        person=person, course=course, defaults={"source": EnrollmentSource.SELF}
    )
    progress = _locked_progress(person=person, lesson=lesson)
    if progress.completed_at is None:
        progress.marked_done = True
        progress.completed_at = at
        progress.save(update_fields=["marked_done", "completed_at", "updated_at"])
        _recompute(enrollment, course=course, at=at)
    return progress


def enrollments_move_subtree(*, old_path: str, new_path: str) -> int:
    """Rewrite the copied org path (and company) of every enrolment under a moved unit.

    One UPDATE: ``org_path = new_path || substr(org_path, len(old_path) + 1)`` for the rows whose
    path starts with ``old_path``; the moved unit's company becomes theirs (a unit moved under
    another company takes its subtree along).
    """
    company_id = OrgUnit.objects.filter(path=new_path).values_list("company_id", flat=True).first()
    return Enrollment.objects.filter(org_path__startswith=old_path).update(
        org_path=Concat(Value(new_path), Substr("org_path", len(old_path) + 1)),
        company_id=company_id,
        updated_at=timezone.now(),
    )


def enrollments_follow_person(*, person: Person) -> int:
    """Copy the person's current org path, company and channel onto their enrolments."""
    return Enrollment.objects.filter(person=person).update(
        **_copied_place(person), updated_at=timezone.now()
    )


# Mandatory assignments -----------------------------------------------------------------------


def _check_assignment(
    *,
    user,
    course: CoursePage,
    audience_root: OrgUnit,
    companies: list[OrgUnit],
    channels: list[str],
    roles: list[str],
) -> None:
    if not can_manage_unit(user, audience_root):
        raise ValidationError(
            {
                "audience_root": _("只能向自己管理范围内的机构指派课程：“%(unit)s”不在其中。")
                % {"unit": audience_root.name}
            }
        )
    if not course.live:
        raise ValidationError({"course": _("只能指派已发布的课程。")})
    for company in companies:
        if not (company.is_within(audience_root) or audience_root.is_within(company)):
            raise ValidationError(
                {
                    "audience_companies": _("“%(company)s”不在受众机构“%(unit)s”之内。")
                    % {"company": company.name, "unit": audience_root.name}
                }
            )
    unknown_channels = set(channels) - set(Channel.values)
    if unknown_channels:
        raise ValidationError(
            {"channels": _("未知的渠道：%(v)s。") % {"v": "、".join(sorted(unknown_channels))}}
        )
    unknown_roles = set(roles) - set(Role.values)
    if unknown_roles:
        raise ValidationError(
            {"roles": _("未知的角色：%(v)s。") % {"v": "、".join(sorted(unknown_roles))}}
        )


@transaction.atomic
def assignment_create(
    *,
    user,
    course: CoursePage,
    audience_root: OrgUnit,
    due_date: date,
    companies: Iterable[OrgUnit] = (),
    channels: Iterable[str] = (),
    roles: Iterable[str] = (),
) -> Assignment:
    """A coordinator assigns ``course`` to an audience in their subtree; enrols it at once."""
    companies, channels, roles = list(companies), sorted(set(channels)), sorted(set(roles))
    _check_assignment(
        user=user,
        course=course,
        audience_root=audience_root,
        companies=companies,
        channels=channels,
        roles=roles,
    )
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": _("完成期限不能早于今天。")})
    assignment = Assignment(
        course=course,
        audience_root=audience_root,
        due_date=due_date,
        channels=channels,
        roles=roles,
        created_by=user if user.is_authenticated else None,
    )
    assignment.full_clean()
    assignment.save()
    assignment.audience_companies.set(companies)
    assignment_apply(assignment=assignment)
    return assignment


@transaction.atomic
def assignment_update(
    *,
    user,
    assignment: Assignment,
    audience_root: OrgUnit,
    due_date: date,
    companies: Iterable[OrgUnit] = (),
    channels: Iterable[str] = (),
    roles: Iterable[str] = (),
    active: bool = True,
) -> Assignment:
    """Change an assignment's audience, due date or state; the course stays (assign anew for
    another course). Enrolments it made follow the new due date; a wider audience is enrolled."""
    assignment = (
        Assignment.objects.select_for_update().select_related("audience_root").get(pk=assignment.pk)
    )
    if not can_manage_unit(user, assignment.audience_root):
        raise ValidationError(_("这条指派不在你的管理范围内，不能修改。"))
    companies, channels, roles = list(companies), sorted(set(channels)), sorted(set(roles))
    _check_assignment(
        user=user,
        course=assignment.course,
        audience_root=audience_root,
        companies=companies,
        channels=channels,
        roles=roles,
    )
    assignment.audience_root = audience_root
    assignment.due_date, assignment.channels, assignment.roles = due_date, channels, roles
    assignment.active = active
    assignment.full_clean()
    assignment.save()
    assignment.audience_companies.set(companies)
    Enrollment.objects.filter(assignment=assignment).exclude(due_date=due_date).update(
        due_date=due_date, updated_at=timezone.now()
    )
    if active:
        assignment_apply(assignment=assignment)
    return assignment


def _enroll_audience(assignment: Assignment, people) -> int:
    """Enrol ``people`` (a Person queryset within the audience) for the assignment. Returns how many
    enrolments were created. A constant number of queries (plus one INSERT per 1,000 people).
    """
    now = timezone.now()
    Enrollment.objects.filter(
        course=assignment.course_id,
        source=EnrollmentSource.SELF,
        person__in=people.values("pk"),
    ).update(
        source=EnrollmentSource.ASSIGNED,
        assignment=assignment,
        due_date=assignment.due_date,
        updated_at=now,
    )
    enrolled = Enrollment.objects.filter(course=assignment.course_id, person=OuterRef("pk"))
    new_rows = [
        Enrollment(
            person_id=person_id,
            course_id=assignment.course_id,
            source=EnrollmentSource.ASSIGNED,
            assignment=assignment,
            due_date=assignment.due_date,
            org_path=org_path,
            company_id=company_id,
            channel=channel,
        )
        for person_id, org_path, company_id, channel in people.exclude(Exists(enrolled))
        .values_list("pk", "org_unit__path", "org_unit__company_id", "channel")
        .iterator(chunk_size=BULK_BATCH_SIZE)
    ]
    # ignore_conflicts: someone enrolling by themselves in the meantime keeps their row.
    Enrollment.objects.bulk_create(new_rows, batch_size=BULK_BATCH_SIZE, ignore_conflicts=True)
    return len(new_rows)


@transaction.atomic
def assignment_apply(*, assignment: Assignment) -> int:
    """Enrol everyone in the assignment's audience who is not enrolled yet; self-enrolments become
    assigned. Idempotent. Returns the number of enrolments created."""
    if not assignment.active:
        return 0
    return _enroll_audience(assignment, assignment_audience(assignment))


@transaction.atomic
def assignments_enroll_people(*, people: list[Person]) -> int:
    """Give people who just joined an audience (new, or moved) the assignments that cover them.

    One query finds the candidate assignments; each then costs a constant number of queries for
    the whole batch.
    """
    created = 0
    people_ids = [person.pk for person in people]
    for assignment in assignments_for_people(people):
        created += _enroll_audience(
            assignment, assignment_audience(assignment).filter(pk__in=people_ids)
        )
    return created


def assignment_sync() -> int:
    """Apply every active assignment again: the safety net for people who joined an audience by a
    path that sent no signal. Idempotent; returns the number of enrolments created."""
    created = 0
    for assignment in Assignment.objects.filter(active=True, course__live=True).select_related(
        "audience_root"
    ):
        created += assignment_apply(assignment=assignment)
    return created
