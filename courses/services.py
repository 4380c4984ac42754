"""Writes to learning records: enrolments, lesson progress, mandatory assignments.

Every event that changes a person's percent or status updates their ``Enrollment`` row in the
same transaction, with the row locked (``select_for_update``), so concurrent events of one learner
queue up instead of overwriting each other's percent. A heartbeat that changes only the progress
row writes it with one conditional UPDATE instead (``progress_record_heartbeat``).
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, transaction
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
from .selectors import (
    HeartbeatLesson,
    assignment_audience,
    assignments_for_people,
    heartbeat_lesson,
)
from .signals import (
    RollupKey,
    enrollment_changed,
    enrollment_completed,
    enrollments_changed,
    enrollments_changing,
)

BULK_BATCH_SIZE = 1000


def _copied_place(person: Person) -> dict:
    return {
        "org_path": person.org_unit.path,
        "company_id": person.org_unit.company_id,
        "channel": person.channel,
    }


def _rollup_key(enrollment: Enrollment) -> RollupKey:
    return RollupKey(
        enrollment.org_path,
        enrollment.course_id,
        enrollment.channel,
        enrollment.assignment_id,
        enrollment.due_date,
        enrollment.status,
        timezone.localdate(enrollment.completed_at) if enrollment.completed_at else None,
    )


def _watched(enrollment: Enrollment) -> Enrollment:
    """Remember what dashboards count ``enrollment`` under (a full row, locked by the caller)."""
    enrollment._rollup_key = _rollup_key(enrollment)
    return enrollment


def _announce(enrollment: Enrollment) -> None:
    """Tell the dashboards (``enrollment_changed``) when a save changed the RollupKey."""
    before, after = getattr(enrollment, "_rollup_key", None), _rollup_key(enrollment)
    if before != after:
        enrollment_changed.send(Enrollment, enrollment=enrollment, before=before, after=after)
        enrollment._rollup_key = after


def _locked_enrollment(
    *, person: Person, course: CoursePage, defaults: dict
) -> tuple[Enrollment, bool]:
    """The person's enrolment in ``course``, locked for this transaction; created if missing."""
    enrollment = Enrollment.objects.select_for_update().filter(person=person, course=course).first()
    if enrollment is not None:
        return _watched(enrollment), False
    enrollment = Enrollment(person=person, course=course, **_copied_place(person), **defaults)
    enrollment.full_clean(exclude=["person", "course", "company", "assignment"])
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError:
        # A concurrent request created it first.
        enrollment = Enrollment.objects.select_for_update().get(person=person, course=course)
        return _watched(enrollment), False
    _announce(enrollment)
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
        _announce(enrollment)
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


def _rule_met(course: CoursePage, enrollment: Enrollment, *, counted: int, done: int) -> bool:
    if course.completion_rule == CompletionRule.LESSONS_AND_QUIZ:
        # A course without lessons completes with the quiz alone.
        return done == counted and enrollment.quiz_passed_at is not None
    return bool(counted) and done == counted


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
    if _rule_met(course, enrollment, counted=counted, done=done):
        enrollment.status = EnrollmentStatus.COMPLETED
        enrollment.percent = 100
        enrollment.completed_at = at or timezone.now()
    elif enrollment.started_at is not None:
        enrollment.status = EnrollmentStatus.IN_PROGRESS
    enrollment.save(update_fields=["percent", "status", "started_at", "completed_at", "updated_at"])
    _announce(enrollment)
    if enrollment.status == EnrollmentStatus.COMPLETED:
        enrollment_completed.send(Enrollment, enrollment=enrollment, at=enrollment.completed_at)
    return enrollment


@transaction.atomic
def enrollment_recompute(*, enrollment: Enrollment) -> Enrollment:
    """Recount percent and status from the lessons done (e.g. after lessons were (un)published)."""
    enrollment = (
        Enrollment.objects.select_for_update()
        .select_related("person", "course")
        .get(pk=enrollment.pk)
    )
    return _recompute(_watched(enrollment), course=enrollment.course, at=None)


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
        _announce(enrollment)
        enrollment_completed.send(Enrollment, enrollment=enrollment, at=at)
    return enrollment


@transaction.atomic
def enrollment_record_quiz_result(
    *, person: Person, course: CoursePage, passed: bool, at: datetime
) -> Enrollment:
    """The person passed the course's certification quiz (``passed``), or a regrade took that
    pass away (``not passed``). Called by the quiz app inside its own transaction.

    A pass completes the course under "all required lessons" (as ``enrollment_complete``) and is
    recorded under "all required lessons and pass the quiz", which completes once the lessons are
    done too. A pass taken away reopens a completion that rested on it, keeping lesson progress.
    """
    enrollment, _created = _locked_enrollment(
        person=person, course=course, defaults={"source": EnrollmentSource.SELF}
    )
    if passed:
        if enrollment.quiz_passed_at is None:
            enrollment.quiz_passed_at = at
            enrollment.save(update_fields=["quiz_passed_at", "updated_at"])
        if course.completion_rule == CompletionRule.LESSONS_AND_QUIZ:
            return _recompute(enrollment, course=course, at=at)
        return enrollment_complete(person=person, course=course, at=at)
    if enrollment.quiz_passed_at is None:
        return enrollment
    enrollment.quiz_passed_at = None
    counted, done = _lesson_counts(course=course, person=person)
    if enrollment.status == EnrollmentStatus.COMPLETED and not (
        course.completion_rule == CompletionRule.ALL_REQUIRED_LESSONS
        and counted
        and done == counted
    ):
        enrollment.status = EnrollmentStatus.IN_PROGRESS
        enrollment.completed_at = None
        enrollment.percent = done * 100 // counted if counted else 0
    enrollment.save(
        update_fields=["quiz_passed_at", "status", "completed_at", "percent", "updated_at"]
    )
    _announce(enrollment)
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


# The usual heartbeat's one read: the person's progress row in the lesson, with their enrolment
# in the course beside it (params: course, person, lesson). Raw SQL because it runs for every
# heartbeat of every learner, and compiling the same query through the ORM (a FilteredRelation
# join) costs several times what running it does (bench/heartbeat.py).
_PROGRESS_WITH_ENROLLMENT = f"""
    SELECT p.*, e.id AS enrollment_id, e.status AS enrollment_status,
           e.percent AS enrollment_percent, e.started_at IS NOT NULL AS enrollment_started
    FROM {LessonProgress._meta.db_table} p
    LEFT JOIN {Enrollment._meta.db_table} e ON e.person_id = p.person_id AND e.course_id = %s
    WHERE p.person_id = %s AND p.lesson_id = %s
"""


def _progress_with_enrollment(
    *, person: Person, lesson: HeartbeatLesson
) -> tuple[LessonProgress | None, Enrollment | None, bool]:
    """The person's progress in ``lesson`` (not locked), their enrolment in its course as it
    stands (id, status and percent only) and whether that was started: one query. (None, None,
    False) before the first heartbeat; the enrolment is None when there is none."""
    rows = LessonProgress.objects.raw(
        _PROGRESS_WITH_ENROLLMENT, [lesson.course_id, person.pk, lesson.pk]
    )
    progress = next(iter(rows), None)
    if progress is None:
        return None, None, False
    columns = {
        name: progress.__dict__.pop(f"enrollment_{name}")
        for name in ("id", "status", "percent", "started")
    }
    if columns["id"] is None:
        return progress, None, False
    loaded = {
        "id": columns["id"],
        "person_id": person.pk,
        "course_id": lesson.course_id,
        "status": columns["status"],
        "percent": columns["percent"],
    }
    names = [f.attname for f in Enrollment._meta.concrete_fields if f.attname in loaded]
    enrollment = Enrollment.from_db(DEFAULT_DB_ALIAS, names, [loaded[name] for name in names])
    enrollment.person = person
    return progress, enrollment, bool(columns["started"])


def _first_progress(*, person: Person, lesson: HeartbeatLesson) -> LessonProgress:
    """A new progress row for the person's first heartbeat in ``lesson`` (locked until commit,
    being new), or the row of a concurrent first heartbeat that inserted it first, locked."""
    try:
        with transaction.atomic():
            return LessonProgress.objects.create(person=person, lesson_id=lesson.pk)
    except IntegrityError:
        return LessonProgress.objects.select_for_update().get(person=person, lesson_id=lesson.pk)


@dataclass(frozen=True)
class _Merged:
    """A heartbeat merged into a progress row: the row's new ``values``, whether it made the
    lesson watched, and whether it changes nothing at all."""

    values: dict
    newly_watched: bool
    unchanged: bool

    def changes_enrollment(self, *, started: bool) -> bool:
        """The enrolment's percent, status or dates may change: the lesson became watched, or
        the enrolment is missing or not ``started`` yet."""
        return self.newly_watched or not started


def _merge(progress: LessonProgress, *, duration: float, ranges, position, at: datetime) -> _Merged:
    """The heartbeat merged into ``progress`` (not written). ``ValidationError`` when refused."""
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
    last_position = round(min(max(float(position), 0.0), duration), 2)
    newly_watched = (
        progress.completed_at is None and outcome.covered >= _watched_threshold() * duration
    )
    values = {
        "watched_intervals": outcome.intervals,
        "watched_seconds": outcome.covered,
        "last_position": last_position,
        "heartbeat_credit": outcome.credit,
        "last_heartbeat_at": max(at, progress.last_heartbeat_at or at),
        "completed_at": at if newly_watched else progress.completed_at,
    }
    # Nothing new: leaving the credit and the time of the last heartbeat as they were grants the
    # next heartbeat the same credit (it grows with the time since, up to the same cap).
    unchanged = (
        not newly_watched
        and progress.heartbeat_credit is not None
        and outcome.intervals == progress.watched_intervals
        and last_position == progress.last_position
    )
    return _Merged(values=values, newly_watched=newly_watched, unchanged=unchanged)


def _write_unless_written_meanwhile(progress: LessonProgress, merged: _Merged) -> bool:
    """Write ``merged`` to the progress row in one UPDATE, on the condition that the row was not
    written since ``progress`` was read; False (nothing written) when it was."""
    now = timezone.now()
    written = LessonProgress.objects.filter(
        pk=progress.pk,
        updated_at=progress.updated_at,
        last_heartbeat_at=progress.last_heartbeat_at,
    ).update(**merged.values, updated_at=now)
    if written:
        for name, value in merged.values.items():
            setattr(progress, name, value)
        progress.updated_at = now
    return bool(written)


def progress_record_heartbeat(
    *, person: Person, lesson: HeartbeatLesson | LessonPage, ranges, position, at: datetime
) -> LessonProgress:
    """Merge a player heartbeat into the person's progress in ``lesson`` (a live lesson: its
    ``HeartbeatLesson``, or the page, whose facts are then read).

    ``ranges`` are the media-time ranges played since the previous heartbeat, ``position`` the
    playhead. The lesson is watched when the merged intervals cover at least
    ``settings.COURSES_WATCHED_THRESHOLD`` of the media's probed duration; the enrolment's percent,
    status and dates change in the same transaction. A heartbeat that claims more than could have
    been played is refused whole (``ValidationError``), so seeking to the end proves nothing.
    The enrolment comes back as ``progress.enrollment``, so callers need not re-read it.

    Concurrent heartbeats of one learner have the effect of one after the other. The usual one
    (a few more seconds played) reads the progress row with the enrolment beside it and writes
    the merged row back with one UPDATE that applies only if the row was not written meanwhile:
    two queries, no transaction, no write at all when nothing changed. Any other heartbeat is
    recorded by ``_record_heartbeat_locked`` in one transaction: the first one in a lesson, one
    that changes the enrolment (the lesson became watched, or the enrolment is missing or not
    started), one refused, and one whose row was written meanwhile by another.
    """
    if isinstance(lesson, LessonPage):
        lesson = heartbeat_lesson(lesson_id=lesson.pk)
        if lesson is None:
            raise ValidationError(_("没有找到这个课时。"))
    if lesson.media_id is None:
        raise ValidationError(_("这个课时没有音视频，不需要上报观看进度。"))
    if lesson.duration <= 0:
        raise ValidationError(_("音视频尚未处理完成，暂时无法记录观看进度。"))
    if not isinstance(position, int | float) or not math.isfinite(position):
        raise ValidationError(_("播放位置不正确。"))
    progress, enrollment, started = _progress_with_enrollment(person=person, lesson=lesson)
    if progress is not None:
        try:
            merged = _merge(
                progress, duration=lesson.duration, ranges=ranges, position=position, at=at
            )
        except ValidationError:
            merged = None  # refused on this reading: confirmed (or not) under the lock
        if (
            merged is not None
            and not merged.changes_enrollment(started=started)
            and (merged.unchanged or _write_unless_written_meanwhile(progress, merged))
        ):
            progress.enrollment = enrollment
            return progress
    return _record_heartbeat_locked(
        person=person, lesson=lesson, ranges=ranges, position=position, at=at
    )


@transaction.atomic
def _record_heartbeat_locked(
    *, person: Person, lesson: HeartbeatLesson, ranges, position, at: datetime
) -> LessonProgress:
    """``progress_record_heartbeat`` in one transaction: the progress row is locked first (or
    created), so heartbeats of one learner in one lesson queue up here; then the enrolment row
    (created if missing), recounted when the merge may change it."""
    progress = (
        LessonProgress.objects.select_for_update()
        .filter(person=person, lesson_id=lesson.pk)
        .first()
    )
    if progress is None:
        progress = _first_progress(person=person, lesson=lesson)
    merged = _merge(progress, duration=lesson.duration, ranges=ranges, position=position, at=at)
    if not merged.unchanged:
        for name, value in merged.values.items():
            setattr(progress, name, value)
        progress.save(update_fields=[*merged.values, "updated_at"])
    enrollment, _created = _locked_enrollment(
        person=person, course=lesson.course, defaults={"source": EnrollmentSource.SELF}
    )
    enrollment.person = person
    if merged.changes_enrollment(started=enrollment.started_at is not None):
        _recompute(enrollment, course=lesson.course, at=at)
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
    enrollments_changing.send(Enrollment, rows=Q(person=person))
    changed = Enrollment.objects.filter(person=person).update(
        **_copied_place(person), updated_at=timezone.now()
    )
    enrollments_changed.send(Enrollment, rows=Q(person=person))
    return changed


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
    enrollments_changing.send(Enrollment, rows=Q(assignment=assignment))
    Enrollment.objects.filter(assignment=assignment).exclude(due_date=due_date).update(
        due_date=due_date, updated_at=timezone.now()
    )
    enrollments_changed.send(Enrollment, rows=Q(assignment=assignment))
    if active:
        assignment_apply(assignment=assignment)
    return assignment


def _enroll_audience(assignment: Assignment, people) -> int:
    """Enrol ``people`` (a Person queryset within the audience) for the assignment. Returns how many
    enrolments were created. A constant number of queries (plus one INSERT per 1,000 people).
    """
    now = timezone.now()
    rows = Q(course=assignment.course_id, person__in=people.values("pk"))
    enrollments_changing.send(Enrollment, rows=rows)
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
    enrollments_changed.send(Enrollment, rows=rows)
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
