"""Writes to certificates: grant on a pass, renew, revoke, follow regrades, expiry e-mails.

When is a certification granted? A passed attempt of its quiz, plus the certification's other
requirements, checked at the moment of the grant:
- ``required_course``: the person's enrolment in it is completed;
- ``requires_attendance``: a function registered under the Wagtail hook
  ``quizzes_person_attended`` (lecturer_portal's, later) returns True for
  ``(person=, certification=)``; with none registered, nobody has attended.
A pass that still lacks a requirement grants nothing yet; ``certificates_grant_pending`` grants
from the latest passed attempt once the requirement is met (``quizzes.receivers`` calls it when a
course is completed; lecturer_portal will call it after a check-in).

Renewal: a pass while the person holds a certificate that is still good for longer than the
notice window (``QUIZZES_EXPIRY_NOTICE_DAYS``) changes nothing. Within the window, or after the
expiry, it issues a new certificate; a renewal before the old expiry runs on from that expiry, so
renewing early loses no days. The old certificate keeps what it stated.

The serial is ``<certification code>-<issue year>-<certificate id, 6 digits>``: unique by
construction, printed on the certificate and readable over the phone. The verification code is 20
characters of Crockford's base32 (100 random bits): the public page's key, so guessing one is
hopeless even without the page's rate limit.
"""

import calendar
import secrets
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat, Substr
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail import hooks

from courses.models import Enrollment, EnrollmentStatus
from organization.models import OrgUnit, Person
from organization.scope import MANAGING_ROLES, path_in_scope

from .models import Attempt, AttemptStatus, Certificate, Certification
from .pdf import CertificateSheet
from .signals import certificate_changed

ATTENDED_HOOK = "quizzes_person_attended"
# Crockford's base32: no I, L, O or U, so a code read aloud or typed from paper is unambiguous.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 20
CODE_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1"})


# Codes, serials, dates -----------------------------------------------------------------------


def verification_code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def verification_code_normalise(raw: str) -> str:
    """What a person typed or scanned, as stored: upper case, no separators, 0/1 for O/I/L."""
    return "".join(raw.split()).replace("-", "").upper().translate(CODE_TYPOS)


def verification_code_display(code: str) -> str:
    """``ABCD-EFGH-…``: groups of four, for print."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def notice_days() -> int:
    return int(settings.QUIZZES_EXPIRY_NOTICE_DAYS)


# Granting ------------------------------------------------------------------------------------


def requirements_missing(*, person: Person, certification: Certification) -> list[str]:
    """What the person still lacks besides the pass, as Chinese sentences (empty: nothing)."""
    missing = []
    course = certification.required_course
    if (
        course is not None
        and not Enrollment.objects.filter(
            person=person, course=course, status=EnrollmentStatus.COMPLETED
        ).exists()
    ):
        missing.append(_("尚未完成课程“%(course)s”。") % {"course": course.title})
    if certification.requires_attendance and not any(
        hook(person=person, certification=certification) for hook in hooks.get_hooks(ATTENDED_HOOK)
    ):
        missing.append(_("尚无面授培训签到记录。"))
    return missing


def _latest_unrevoked(*, person: Person, certification: Certification) -> Certificate | None:
    return (
        Certificate.objects.filter(
            person=person, certification=certification, revoked_at__isnull=True
        )
        .order_by("-expires_on", "-pk")
        .first()
    )


@transaction.atomic
def certificate_issue(
    *,
    certification: Certification,
    person: Person,
    at: datetime,
    attempt: Attempt | None = None,
    renews: Certificate | None = None,
) -> Certificate:
    """Issue a certificate now, without asking the requirements (``certificate_grant`` does)."""
    today = timezone.localdate(at)
    starts = today
    if renews is not None and renews.expires_on >= today:
        starts = renews.expires_on
    org_unit = person.org_unit
    certificate = Certificate(
        certification=certification,
        person=person,
        attempt=attempt,
        # Replaced below by the id-based serial; unique meanwhile.
        serial=f"~{secrets.token_hex(12)}",
        verification_code=verification_code_new(),
        issued_at=at,
        issued_on=today,
        expires_on=add_months(starts, certification.validity_months),
        org_path=org_unit.path,
        company_id=org_unit.company_id,
    )
    certificate.full_clean(exclude=["certification", "person", "attempt", "company"])
    certificate.save()
    certificate.serial = f"{certification.code}-{today:%Y}-{certificate.pk:06d}"
    certificate.save(update_fields=["serial"])
    certificate_changed.send(Certificate, certificate=certificate)
    return certificate


def _grant(
    *, certification: Certification, person: Person, attempt: Attempt, at: datetime
) -> Certificate | None:
    """Grant from ``attempt`` if the requirements hold; the caller holds the person's lock."""
    granted = Certificate.objects.filter(certification=certification, attempt=attempt).first()
    if granted is not None:
        return granted
    if requirements_missing(person=person, certification=certification):
        return None
    current = _latest_unrevoked(person=person, certification=certification)
    today = timezone.localdate(at)
    if current is not None and current.expires_on > today + timedelta(days=notice_days()):
        return current
    return certificate_issue(
        certification=certification, person=person, at=at, attempt=attempt, renews=current
    )


def _for_holder(certifications: QuerySet, person: Person) -> QuerySet:
    """The active certifications that people of the person's company may hold."""
    return (
        certifications.filter(active=True)
        .filter(Q(holder_company__isnull=True) | Q(holder_company_id=person.org_unit.company_id))
        .select_related("required_course")
    )


def _lock_person(person: Person) -> Person:
    """Grants for one person queue up here (a no-op on SQLite, whose writes are serial anyway)."""
    return Person.objects.select_for_update().select_related("org_unit").get(pk=person.pk)


@transaction.atomic
def certificates_grant_for_attempt(*, attempt: Attempt) -> list[Certificate]:
    """The certificates a submitted attempt grants (new or already held); [] unless it passed.

    Called by ``attempt_submit`` in its transaction. Idempotent: one attempt grants each
    certification at most once.
    """
    if attempt.status != AttemptStatus.SUBMITTED or not attempt.passed:
        return []
    person = _lock_person(attempt.person)
    certifications = list(
        _for_holder(Certification.objects.filter(quiz_id=attempt.quiz_id), person)
    )
    if not certifications:
        return []
    at = attempt.submitted_at or timezone.now()
    certificates = []
    for certification in certifications:
        certificate = _grant(certification=certification, person=person, attempt=attempt, at=at)
        if certificate is not None:
            certificates.append(certificate)
    return certificates


@transaction.atomic
def certificates_grant_pending(
    *, person: Person, certifications: QuerySet | None = None, at: datetime | None = None
) -> list[Certificate]:
    """Grant what the person's latest passed attempts earned once the other requirements hold
    (a course completed, a session attended after the pass). Idempotent."""
    person = _lock_person(person)
    if certifications is None:
        certifications = Certification.objects.all()
    at = at or timezone.now()
    certificates = []
    for certification in _for_holder(certifications, person):
        attempt = (
            Attempt.objects.filter(
                quiz_id=certification.quiz_id,
                person=person,
                status=AttemptStatus.SUBMITTED,
                passed=True,
            )
            .order_by("-submitted_at", "-pk")
            .first()
        )
        if attempt is None:
            continue
        certificate = _grant(certification=certification, person=person, attempt=attempt, at=at)
        if certificate is not None:
            certificates.append(certificate)
    return certificates


# Revoking ------------------------------------------------------------------------------------


def _revoke(certificate: Certificate, *, reason: str, user, at: datetime) -> Certificate:
    certificate.revoked_at = at
    certificate.revoked_reason = reason
    certificate.revoked_by = user if user is not None and user.is_authenticated else None
    certificate.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
    certificate_changed.send(Certificate, certificate=certificate)
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, reason: str, user) -> Certificate:
    """A coordinator (or a superuser) revokes a certificate of their subtree, saying why."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if not path_in_scope(user, certificate.org_path, roles=MANAGING_ROLES):
        raise ValidationError(_("这张证书的持证人不在你的管理范围内，不能撤销。"))
    if certificate.revoked_at is not None:
        raise ValidationError(_("这张证书已经撤销。"))
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError(_("请填写撤销原因。"))
    return _revoke(certificate, reason=reason, user=user, at=timezone.now())


@transaction.atomic
def certificates_after_regrade(*, attempt: Attempt, user=None) -> list[Certificate]:
    """Bring the attempt's certificates in line with its regraded result.

    Now passed: grant as a pass would. No longer passed: revoke what it granted, with the reason.
    Returns the certificates granted or revoked.
    """
    if attempt.passed:
        return certificates_grant_for_attempt(attempt=attempt)
    now = timezone.now()
    reason = _("重新评分后考试未通过（答题记录 %(id)s）。") % {"id": attempt.pk}
    return [
        _revoke(certificate, reason=reason, user=user, at=now)
        for certificate in Certificate.objects.select_for_update().filter(
            attempt=attempt, revoked_at__isnull=True
        )
    ]


# Org copies (quizzes.receivers) ---------------------------------------------------------------


def certificates_move_subtree(*, old_path: str, new_path: str) -> int:
    """Rewrite the copied org path (and company) of the certificates under a moved unit: one
    UPDATE, as ``courses.services.enrollments_move_subtree`` does for enrolments."""
    company_id = OrgUnit.objects.filter(path=new_path).values_list("company_id", flat=True).first()
    return Certificate.objects.filter(org_path__startswith=old_path).update(
        org_path=Concat(Value(new_path), Substr("org_path", len(old_path) + 1)),
        company_id=company_id,
    )


def certificates_follow_person(*, person: Person) -> int:
    return Certificate.objects.filter(person=person).update(
        org_path=person.org_unit.path, company_id=person.org_unit.company_id
    )


# The public page and the PDF -----------------------------------------------------------------


def verify_url(certificate: Certificate, *, base_url: str) -> str:
    path = reverse("certificates:verify", args=[certificate.verification_code])
    return base_url.rstrip("/") + path


def certificate_sheet(certificate: Certificate, *, base_url: str) -> CertificateSheet:
    """What the certificate states. ``certificate`` comes with certification, its product
    company, person and company loaded (``certificate_selectors``)."""
    root = OrgUnit.get_first_root_node()
    certification = certificate.certification
    return CertificateSheet(
        issuer=root.name if root is not None else _("交叉销售培训平台"),
        holder_name=certificate.person.name,
        holder_company=certificate.company.name if certificate.company else "",
        certification_name=certification.name,
        product_company=certification.product_company.name,
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
        serial=certificate.serial,
        verification_code=verification_code_display(certificate.verification_code),
        verify_url=verify_url(certificate, base_url=base_url),
    )


# Expiry notices ------------------------------------------------------------------------------


def renewed() -> Exists:
    """A later unrevoked certificate of the same certification and person exists."""
    return Exists(
        Certificate.objects.filter(
            person=OuterRef("person"),
            certification=OuterRef("certification"),
            revoked_at__isnull=True,
            expires_on__gt=OuterRef("expires_on"),
        )
    )


def certificates_expiring(*, today: date, days: int | None = None) -> QuerySet:
    """Unrevoked, not renewed, expiring between today and ``days`` from now."""
    days = notice_days() if days is None else days
    return Certificate.objects.filter(
        revoked_at__isnull=True,
        expires_on__gte=today,
        expires_on__lte=today + timedelta(days=days),
    ).exclude(renewed())


def certificate_expiry_notices_send(*, today: date | None = None) -> int:
    """E-mail the holders of certificates expiring within the notice window, once per certificate.

    Each certificate is claimed with a conditional UPDATE before its mail is sent, in its own
    transaction: two runs at once send one mail, and a failed send leaves it for the next run.
    Holders without an e-mail address are skipped (and not marked). Returns the mails sent.
    """
    today = today or timezone.localdate()
    base_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    candidates = (
        certificates_expiring(today=today)
        .filter(expiry_notice_sent_at__isnull=True, person__is_active=True)
        .exclude(person__user__email="")
        .select_related("certification", "person__user")
        .order_by("pk")
    )
    sent = 0
    for certificate in candidates.iterator(chunk_size=200):
        with transaction.atomic():
            claimed = Certificate.objects.filter(
                pk=certificate.pk, expiry_notice_sent_at__isnull=True
            ).update(expiry_notice_sent_at=timezone.now())
            if not claimed:
                continue
            with translation.override(settings.LANGUAGE_CODE):
                context = {
                    "certificate": certificate,
                    "person": certificate.person,
                    "days_left": certificate.days_left(today),
                    "my_certificates_url": base_url + reverse("certificates:mine"),
                }
                subject = _("您的“%(name)s”将于 %(date)s 到期，请及时重新认证") % {
                    "name": certificate.certification.name,
                    "date": certificate.expires_on.isoformat(),
                }
                body = render_to_string("quizzes/email/certificate_expiring.txt", context)
            send_mail(
                subject,
                body,
                settings.DEFAULT_FROM_EMAIL,
                [certificate.person.user.email],
            )
            sent += 1
    return sent
