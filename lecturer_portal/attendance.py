"""Writes of registration, the waiting list, check-in, feedback and cascade qualification
(issue 5, items 6–9). Same rules as ``services.py``: keyword-only, one transaction, Chinese
``ValidationError`` and nothing changed when refused.

Concurrency: every write that moves a seat (register, cancel, promote, check-in of a walk-in,
registering a whole audience) first locks the session row (``select_for_update``), so seats are
counted and handed out one transaction at a time per session; two cancellations at once promote
two different people from the waiting list, in order, never the same one twice. Check-ins of
registered people lock only their own registration row, so a full room checks in in parallel.

Check-in tokens: ``<session id>.<time step>.<HMAC-SHA256(SECRET_KEY) of both, 20 hex>``, the
step being the 30-second slot of the Unix time. The lecturer's screen shows the current step's
code; a scan is accepted for the current and the previous step (a code scanned just before it
changed), refused when older (a photo, a forwarded link) or when its signature is wrong.
"""

import hashlib
import hmac
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import CompletionRule
from courses.services import enrollment_complete, enrollment_get_or_create
from organization.models import Person
from organization.scope import can_manage_unit
from quizzes.models import Attempt, AttemptStatus, Certification

from . import selectors
from .models import (
    SEATED_STATUSES,
    AssignmentStatus,
    CheckInMethod,
    Feedback,
    LecturerProfile,
    NoticeKind,
    QualificationSource,
    Registration,
    RegistrationStatus,
    SessionKind,
    SessionStatus,
    TrainingSession,
)
from .notifications import notify
from .signals import attendance_changed

TOKEN_STEP_SECONDS = 30
# Check-in opens this long before the start and closes at the end.
CHECK_IN_EARLY = timedelta(minutes=30)
CHECK_IN_STATUSES = (SessionStatus.PUBLISHED, SessionStatus.IN_PROGRESS)


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _locked(session: TrainingSession) -> TrainingSession:
    return (
        TrainingSession.objects.select_for_update(of=("self",))
        .select_related("host_unit", "product_company", "course")
        .get(pk=session.pk)
    )


def _in_audience(session: TrainingSession, person: Person) -> bool:
    return selectors.session_audience(session).filter(pk=person.pk).exists()


def _seated(session: TrainingSession) -> int:
    return session.registrations.filter(status__in=SEATED_STATUSES).count()


def _session_url(session: TrainingSession) -> str:
    return reverse("lecturer_portal:session_detail", args=[session.pk])


# Registration and the waiting list -----------------------------------------------------------


def _check_open_for_registration(session: TrainingSession, at: datetime) -> None:
    if session.status != SessionStatus.PUBLISHED:
        raise ValidationError(
            _("场次“%(title)s”目前为“%(status)s”，不能报名。")
            % {"title": session.title, "status": session.get_status_display()}
        )
    if at > session.registration_deadline:
        raise ValidationError(
            _("“%(title)s”的报名已于 %(deadline)s 截止。")
            % {
                "title": session.title,
                "deadline": f"{timezone.localtime(session.registration_deadline):%Y-%m-%d %H:%M}",
            }
        )


@transaction.atomic
def registration_register(
    *, person: Person, session: TrainingSession, at: datetime | None = None
) -> Registration:
    """An agent of the audience registers: a seat while there is one, else the waiting list."""
    at = _now(at)
    session = _locked(session)
    _check_open_for_registration(session, at)
    if not person.is_active or not _in_audience(session, person):
        raise ValidationError(
            _("您不在“%(title)s”的培训对象范围内，不能报名。") % {"title": session.title}
        )
    registration = Registration.objects.filter(session=session, person=person).first()
    if registration is not None and registration.status != RegistrationStatus.CANCELLED:
        raise ValidationError(
            _("您已报名“%(title)s”（%(status)s），无需重复报名。")
            % {"title": session.title, "status": registration.get_status_display()}
        )
    registration = registration or Registration(session=session, person=person)
    full = _seated(session) >= session.capacity
    registration.status = RegistrationStatus.WAITLISTED if full else RegistrationStatus.REGISTERED
    registration.registered_at = at
    registration.waitlisted_at = at if full else None
    registration.cancelled_at = None
    registration.save()
    return registration


def _promote_next(session: TrainingSession, at: datetime) -> Registration | None:
    """Give a free seat to the first of the waiting list (the session row is locked)."""
    if _seated(session) >= session.capacity:
        return None
    nxt = (
        Registration.objects.select_for_update()
        .filter(session=session, status=RegistrationStatus.WAITLISTED)
        .select_related("person__user")
        .order_by("waitlisted_at", "pk")
        .first()
    )
    if nxt is None:
        return None
    nxt.status = RegistrationStatus.REGISTERED
    nxt.save(update_fields=["status"])
    notify(
        people=[nxt.person],
        kind=NoticeKind.SESSION_CHANGED,
        title=_("候补成功：%(title)s") % {"title": session.title},
        body=_("有人取消了报名，您已从候补转为正式报名“%(title)s”：%(time)s。")
        % {"title": session.title, "time": session.local_time_range},
        url=_session_url(session),
        session=session,
    )
    return nxt


@transaction.atomic
def registration_cancel(
    *, person: Person, session: TrainingSession, at: datetime | None = None
) -> Registration:
    """The agent cancels before the start; a freed seat goes to the first on the waiting list."""
    at = _now(at)
    session = _locked(session)
    registration = (
        Registration.objects.select_for_update()
        .filter(session=session, person=person)
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    )
    if registration is None:
        raise ValidationError(_("您没有报名“%(title)s”，无需取消。") % {"title": session.title})
    if registration.status == RegistrationStatus.ATTENDED:
        raise ValidationError(_("您已签到，不能再取消报名。"))
    if at >= session.starts_at:
        raise ValidationError(_("场次已经开始，不能再取消报名。"))
    registration.status, registration.cancelled_at = RegistrationStatus.CANCELLED, at
    registration.save(update_fields=["status", "cancelled_at"])
    _promote_next(session, at)
    return registration


def registration_capacity_changed(*, session: TrainingSession, at: datetime | None = None) -> int:
    """After the capacity grew (``services.session_update``): promote into the new seats."""
    at = _now(at)
    promoted = 0
    with transaction.atomic():
        session = _locked(session)
        while _promote_next(session, at) is not None:
            promoted += 1
    return promoted


@transaction.atomic
def registration_register_audience(
    *, user, session: TrainingSession, at: datetime | None = None
) -> dict[str, int]:
    """A coordinator registers everyone of the audience not registered yet: seats first, then
    the waiting list (in the audience's order). Returns ``{"registered": n, "waitlisted": m}``."""
    at = _now(at)
    session = _locked(session)
    if not can_manage_unit(user, session.host_unit):
        raise ValidationError(_("这个场次不在你的管理范围内。"))
    _check_open_for_registration(session, at)
    taken = Registration.objects.filter(session=session).exclude(
        status=RegistrationStatus.CANCELLED
    )
    people = list(
        selectors.session_audience(session)
        .exclude(pk__in=taken.values("person_id"))
        .order_by("org_unit__path", "employee_no")
        .values_list("pk", flat=True)
    )
    cancelled = dict(
        Registration.objects.filter(
            session=session, person_id__in=people, status=RegistrationStatus.CANCELLED
        ).values_list("person_id", "pk")
    )
    free = max(session.capacity - _seated(session), 0)
    by = user if user.is_authenticated else None
    new, counts = [], {"registered": 0, "waitlisted": 0}
    for index, person_id in enumerate(people):
        seat = index < free
        status = RegistrationStatus.REGISTERED if seat else RegistrationStatus.WAITLISTED
        counts["registered" if seat else "waitlisted"] += 1
        values = {
            "status": status,
            "registered_at": at,
            "waitlisted_at": None if seat else at + timedelta(microseconds=index),
            "cancelled_at": None,
            "registered_by": by,
        }
        if person_id in cancelled:
            Registration.objects.filter(pk=cancelled[person_id]).update(**values)
        else:
            new.append(Registration(session=session, person_id=person_id, **values))
    Registration.objects.bulk_create(new, batch_size=1000)
    return counts


# Check-in ------------------------------------------------------------------------------------


def _step(at: datetime) -> int:
    return int(at.timestamp()) // TOKEN_STEP_SECONDS


def _signature(session_id: int, step: int) -> str:
    message = f"lecturer_portal.checkin:{session_id}:{step}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:20]


def checkin_token(*, session: TrainingSession, at: datetime | None = None) -> str:
    step = _step(_now(at))
    return f"{session.pk}.{step}.{_signature(session.pk, step)}"


def checkin_token_seconds_left(at: datetime | None = None) -> int:
    return TOKEN_STEP_SECONDS - int(_now(at).timestamp()) % TOKEN_STEP_SECONDS


def checkin_token_check(*, session: TrainingSession, token: str, at: datetime | None = None):
    """Refuse a forged token, another session's, or one older than the previous step."""
    try:
        session_id, step, signature = token.strip().split(".")
        session_id, step = int(session_id), int(step)
    except (AttributeError, ValueError):
        raise ValidationError(_("签到码无效，请扫描讲师屏幕上的二维码。")) from None
    if session_id != session.pk or not hmac.compare_digest(signature, _signature(session_id, step)):
        raise ValidationError(_("签到码无效，请扫描讲师屏幕上的二维码。"))
    current = _step(_now(at))
    if step not in (current, current - 1):
        raise ValidationError(
            _("签到码已过期（二维码每 30 秒更新一次），请扫描讲师屏幕上的最新二维码。")
        )


def _check_window(session: TrainingSession, at: datetime) -> None:
    if session.status not in CHECK_IN_STATUSES:
        raise ValidationError(
            _("场次“%(title)s”目前为“%(status)s”，不能签到。")
            % {"title": session.title, "status": session.get_status_display()}
        )
    if at < session.starts_at - CHECK_IN_EARLY:
        raise ValidationError(
            _("签到从开始前 %(minutes)d 分钟开放，请稍后再扫码。")
            % {"minutes": CHECK_IN_EARLY.seconds // 60}
        )
    if at > session.ends_at:
        raise ValidationError(_("场次已经结束，签到已关闭。"))


def _attended(registration: Registration, *, method: str, at: datetime, by=None) -> Registration:
    registration.status = RegistrationStatus.ATTENDED
    registration.checked_in_at, registration.check_in_method = at, method
    registration.checked_in_by = by if by is not None and by.is_authenticated else None
    if registration.pk is None:  # a walk-in
        registration.save()
    else:
        registration.save(
            update_fields=["status", "checked_in_at", "check_in_method", "checked_in_by"]
        )
    attendance_changed.send(Registration, registration=registration, attended=True)
    _after_attendance(registration, at)
    return registration


def _after_attendance(registration: Registration, at: datetime) -> None:
    """Attendance feeds the linked course's enrolment, the certifications needing it and a
    cascade session's assessment passed before the check-in."""
    session, person = registration.session, registration.person
    course = session.course
    if course is not None:
        if course.completion_rule == CompletionRule.ALL_REQUIRED_LESSONS:
            enrollment_complete(person=person, course=course, at=at)
        else:
            enrollment_get_or_create(person=person, course=course, source="self")
    if session.kind == SessionKind.CASCADE and session.assessment_quiz_id is not None:
        _cascade_check_in(registration)
    waiting = Certification.objects.filter(
        requires_attendance=True, active=True, product_company=session.product_company
    )
    if waiting.exists():
        from quizzes.certificates import certificates_grant_pending

        certificates_grant_pending(person=person, certifications=waiting, at=at)


def _check_in(
    *, session: TrainingSession, person: Person, method: str, at: datetime, by=None
) -> Registration:
    registration = (
        Registration.objects.select_for_update()
        .filter(session=session, person=person)
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    )
    if registration is not None and registration.status == RegistrationStatus.ATTENDED:
        raise ValidationError(
            _("%(name)s已于 %(time)s 签到，无需重复签到。")
            % {
                "name": person.name,
                "time": f"{timezone.localtime(registration.checked_in_at):%H:%M}",
            }
        )
    if registration is not None and registration.status == RegistrationStatus.REGISTERED:
        # Attach what the caller loaded, so the steps after attendance read neither again.
        registration.session, registration.person = session, person
        return _attended(registration, method=method, at=at, by=by)
    # Waitlisted, cancelled or never registered: a walk-in, which takes a seat.
    if method == CheckInMethod.QR and not session.allow_walk_ins:
        waitlisted = (
            registration is not None and registration.status == RegistrationStatus.WAITLISTED
        )
        message = (
            _("您还在“%(title)s”的候补名单上，尚未获得名额，不能签到。")
            if waitlisted
            else _("您没有“%(title)s”的正式报名，本场不接受现场签到。")
        )
        raise ValidationError(message % {"title": session.title})
    session = _locked(session)
    if not _in_audience(session, person):
        raise ValidationError(
            _("%(name)s不在“%(title)s”的培训对象范围内，不能签到。")
            % {"name": person.name, "title": session.title}
        )
    if registration is None:
        registration = Registration(session=session, person=person, registered_at=at)
    registration.session, registration.person = session, person
    if method == CheckInMethod.QR:
        method = CheckInMethod.WALK_IN
    try:
        with transaction.atomic():
            return _attended(registration, method=method, at=at, by=by)
    except IntegrityError:
        raise ValidationError(_("签到正在处理中，请勿重复提交。")) from None


@transaction.atomic
def check_in_by_token(
    *, person: Person, session: TrainingSession, token: str, at: datetime | None = None
) -> Registration:
    """An agent scanned the lecturer's screen. The session is read here, in the transaction
    (``session`` may be a bare reference, ``TrainingSession(pk=…)``; an unknown one raises
    ``TrainingSession.DoesNotExist``), so a status changed a moment ago counts."""
    at = _now(at)
    session = TrainingSession.objects.select_related("course", "product_company").get(pk=session.pk)
    checkin_token_check(session=session, token=token, at=at)
    _check_window(session, at)
    if not person.is_active:
        raise ValidationError(_("您的账号已停用，不能签到。"))
    return _check_in(session=session, person=person, method=CheckInMethod.QR, at=at)


def can_run_session(user, session: TrainingSession) -> bool:
    """The session's lecturers (accepted) and the coordinators of its host unit."""
    person = getattr(user, "person", None)
    if (
        person is not None
        and person.is_active
        and session.assignments.filter(
            lecturer__person=person, status=AssignmentStatus.ACCEPTED
        ).exists()
    ):
        return True
    return can_manage_unit(user, session.host_unit)


@transaction.atomic
def check_in_manual(
    *, user, session: TrainingSession, person: Person, at: datetime | None = None
) -> Registration:
    """The lecturer checks someone in by hand (no phone, a flat battery): a registrant, or a
    person of the audience as a walk-in."""
    at = _now(at)
    session = TrainingSession.objects.select_related("course", "product_company", "host_unit").get(
        pk=session.pk
    )
    if not can_run_session(user, session):
        raise ValidationError(_("只有本场讲师或培训管理员可以代为签到。"))
    _check_window(session, at)
    return _check_in(session=session, person=person, method=CheckInMethod.MANUAL, at=at, by=user)


# Feedback ------------------------------------------------------------------------------------


@transaction.atomic
def feedback_submit(
    *,
    person: Person,
    session: TrainingSession,
    lecturer_rating: int,
    content_rating: int,
    comment: str = "",
    at: datetime | None = None,
) -> Feedback:
    """An attendee rates the lecturer and the content (1–5) and comments, once, after the start."""
    at = _now(at)
    attended = Registration.objects.filter(
        session=session, person=person, status=RegistrationStatus.ATTENDED
    ).exists()
    if not attended:
        raise ValidationError(_("只有签到参加了本场培训的学员才能评价。"))
    if session.status == SessionStatus.CANCELLED or at < session.starts_at:
        raise ValidationError(_("培训开始后才能评价。"))
    if Feedback.objects.filter(session=session, person=person).exists():
        raise ValidationError(_("您已评价过本场培训，每人只能评价一次。"))
    feedback = Feedback(
        session=session,
        person=person,
        lecturer_rating=lecturer_rating,
        content_rating=content_rating,
        comment=comment.strip(),
    )
    feedback.full_clean(exclude=["session", "person"], validate_constraints=False)
    try:
        with transaction.atomic():
            feedback.save()
    except IntegrityError:
        raise ValidationError(_("您已评价过本场培训，每人只能评价一次。")) from None
    return feedback


# Cascade training ----------------------------------------------------------------------------


def _grant(registration: Registration, profile: LecturerProfile):
    from .services import qualification_grant

    session = registration.session
    return qualification_grant(
        lecturer=profile,
        company=session.product_company,
        topic=session.topic,
        source=QualificationSource.CASCADE,
        obtained_on=timezone.localdate(registration.passed_at),
        source_session=session,
    )


def _record_pass(registration: Registration, at: datetime) -> None:
    if registration.passed_at is None:
        registration.passed_at = at
        registration.save(update_fields=["passed_at"])


@transaction.atomic
def cascade_mark_passed(
    *, user, session: TrainingSession, person: Person, at: datetime | None = None
):
    """The lecturer marks an attendee of a cascade session as passing its assessment: the
    attendee becomes qualified to deliver the session's products and topic (source cascade).
    For a session whose assessment is not a quiz (a trial lecture, say)."""
    at = _now(at)
    session = TrainingSession.objects.select_related("host_unit", "product_company").get(
        pk=session.pk
    )
    if not can_run_session(user, session):
        raise ValidationError(_("只有本场讲师或培训管理员可以评定考核结果。"))
    if session.kind != SessionKind.CASCADE:
        raise ValidationError(_("只有转培训场次的考核才授予授课资格。"))
    registration = (
        Registration.objects.select_for_update()
        .filter(session=session, person=person, status=RegistrationStatus.ATTENDED)
        .select_related("person")
        .first()
    )
    if registration is None:
        raise ValidationError(
            _("%(name)s没有签到参加本场培训，不能评定通过。") % {"name": person.name}
        )
    profile = LecturerProfile.objects.filter(person=person).first()
    if profile is None:
        raise ValidationError(
            _("%(name)s还没有讲师档案，请培训管理员先为其建立讲师档案，再评定考核结果。")
            % {"name": person.name}
        )
    registration.session = session
    _record_pass(registration, at)
    return _grant(registration, profile)


def _qualify_quiz_passes(registrations, *, person: Person, at: datetime) -> None:
    """Record the pass on each (locked) registration; qualify if the person has a lecturer
    profile, else when one is made (``cascade_qualify_new_lecturer``)."""
    registrations = list(registrations)
    if not registrations:
        return
    profile = LecturerProfile.objects.filter(person=person).first()
    for registration in registrations:
        _record_pass(registration, at)
        if profile is not None:
            _grant(registration, profile)


def cascade_quiz_passed(*, attempt) -> None:
    """A passed quiz attempt (``quizzes.signals.attempt_passed``, in the submission's
    transaction): the person passed the assessment of every cascade session using this quiz
    that they attended and that started before the attempt was submitted.

    A regrade that later turns the pass into a fail leaves the qualification: it is the
    lecturer's record, granted on the day's result; a coordinator withdraws it in the profile.
    """
    _qualify_quiz_passes(
        Registration.objects.select_for_update(of=("self",))
        .filter(
            person_id=attempt.person_id,
            status=RegistrationStatus.ATTENDED,
            passed_at__isnull=True,
            session__kind=SessionKind.CASCADE,
            session__assessment_quiz_id=attempt.quiz_id,
            session__starts_at__lte=attempt.submitted_at,
        )
        .select_related("session__product_company"),
        person=attempt.person,
        at=attempt.graded_at,
    )


def _cascade_check_in(registration: Registration) -> None:
    """At the check-in: a pass of the session's quiz submitted after the start but before this
    check-in (the attendee sat the quiz first, checked in late) counts too."""
    session, person = registration.session, registration.person
    passed_at = (
        Attempt.objects.filter(
            quiz_id=session.assessment_quiz_id,
            person=person,
            status=AttemptStatus.SUBMITTED,
            passed=True,
            submitted_at__gte=session.starts_at,
        )
        .order_by("graded_at")
        .values_list("graded_at", flat=True)
        .first()
    )
    if passed_at is not None:
        _qualify_quiz_passes([registration], person=person, at=passed_at)


def cascade_qualify_new_lecturer(*, profile: LecturerProfile) -> None:
    """A new lecturer profile: the cascade sessions its person already passed qualify them."""
    for registration in Registration.objects.filter(
        person_id=profile.person_id,
        status=RegistrationStatus.ATTENDED,
        passed_at__isnull=False,
        session__kind=SessionKind.CASCADE,
    ).select_related("session__product_company"):
        _grant(registration, profile)


# The quizzes hook: a certification that requires attendance ----------------------------------


def person_attended(*, person: Person, certification) -> bool:
    """Has the person attended (checked in at) a session on the certification's products?"""
    return Registration.objects.filter(
        person=person,
        status=RegistrationStatus.ATTENDED,
        session__product_company_id=certification.product_company_id,
    ).exists()
