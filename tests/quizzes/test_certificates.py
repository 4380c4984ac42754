"""Certificates: granted on a pass with their requirements, renewed, revoked, followed by regrades,
expiry notices by e-mail and on the home page."""

import re
from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks

from courses.models import Enrollment, EnrollmentStatus
from courses.services import lesson_mark_done
from organization.models import Role
from organization.services import person_update
from quizzes.certificates import (
    ATTENDED_HOOK,
    CODE_ALPHABET,
    add_months,
    certificate_expiry_notices_send,
    certificate_issue,
    certificate_revoke,
    certificates_after_regrade,
    certificates_grant_for_attempt,
    certificates_grant_pending,
    verification_code_normalise,
)
from quizzes.models import Certificate, CertificateStatus, ProductLine
from quizzes.tasks import send_certificate_expiry_notices
from tests.courses.factories import make_course, make_lesson

from .certificate_factories import make_certification, make_quiz, take_quiz


@pytest.fixture
def p_agent(tree, person_factory):
    return person_factory(tree["PGZ0101"], Role.AGENT, name="王财险", email="wang@example.com")


@pytest.fixture
def life_quiz(tree):
    """The life company's quiz for P&C agents (产代寿)."""
    return make_quiz(company=tree["L"], audience=[tree["P"]], title="产代寿资格考试")


@pytest.fixture
def cds(tree, life_quiz):
    return make_certification(
        quiz=life_quiz, product_company=tree["L"], name="产代寿交叉销售资格", code="CDS"
    )


def at_date(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10, 0))


# Granting ------------------------------------------------------------------------------------


def test_passing_the_quiz_grants_the_certification(p_agent, life_quiz, cds):
    attempt = take_quiz(life_quiz, p_agent)

    [certificate] = Certificate.objects.filter(person=p_agent)
    assert certificate.certification == cds
    assert certificate.attempt == attempt
    assert certificate.issued_on == timezone.localdate()
    assert certificate.expires_on == add_months(certificate.issued_on, 24)
    assert certificate.status == CertificateStatus.VALID
    assert certificate.org_path == p_agent.org_unit.path
    assert certificate.company == p_agent.org_unit.company


def test_failing_the_quiz_grants_nothing(p_agent, life_quiz, cds):
    take_quiz(life_quiz, p_agent, correct=False)
    assert not Certificate.objects.exists()


def test_serial_names_the_certification_and_year_and_code_is_unguessable(p_agent, life_quiz, cds):
    take_quiz(life_quiz, p_agent)
    certificate = Certificate.objects.get()
    assert certificate.serial == f"CDS-{timezone.localdate():%Y}-{certificate.pk:06d}"
    assert len(certificate.verification_code) == 20
    assert set(certificate.verification_code) <= set(CODE_ALPHABET)


def test_granting_twice_for_one_attempt_issues_one_certificate(p_agent, life_quiz, cds):
    attempt = take_quiz(life_quiz, p_agent)
    again = certificates_grant_for_attempt(attempt=attempt)
    assert [c.pk for c in again] == list(Certificate.objects.values_list("pk", flat=True))
    assert Certificate.objects.count() == 1


def test_certification_exposes_its_product_line(tree, cds, life_quiz):
    assert cds.business_line == "寿"
    assert cds.product_line == ProductLine.LIFE
    assert cds.product_line_label == "寿险"
    health = make_certification(quiz=life_quiz, product_company=tree["H"])
    assert health.product_line == ProductLine.HEALTH


def test_certification_for_another_companys_people_is_not_granted(tree, p_agent, life_quiz):
    make_certification(quiz=life_quiz, product_company=tree["P"], holder_company=tree["L"])
    cds = make_certification(quiz=life_quiz, product_company=tree["L"], holder_company=tree["P"])
    take_quiz(life_quiz, p_agent)
    assert [c.certification for c in Certificate.objects.all()] == [cds]


def test_inactive_certification_is_not_granted(p_agent, life_quiz, cds):
    cds.active = False
    cds.save()
    take_quiz(life_quiz, p_agent)
    assert not Certificate.objects.exists()


def test_required_course_grants_when_the_course_is_completed_later(tree, p_agent, life_quiz):
    course = make_course(owner=tree["L"], audience=[tree["P"]])
    lesson = make_lesson(course)
    make_certification(quiz=life_quiz, product_company=tree["L"], required_course=course)

    take_quiz(life_quiz, p_agent)
    assert not Certificate.objects.exists()

    lesson_mark_done(person=p_agent, lesson=lesson, at=timezone.now())
    assert (
        Enrollment.objects.get(person=p_agent, course=course).status == EnrollmentStatus.COMPLETED
    )
    [certificate] = Certificate.objects.all()
    assert certificate.person == p_agent


def test_required_course_completed_first_grants_on_the_pass(tree, p_agent, life_quiz):
    course = make_course(owner=tree["L"], audience=[tree["P"]])
    lesson = make_lesson(course)
    make_certification(quiz=life_quiz, product_company=tree["L"], required_course=course)
    lesson_mark_done(person=p_agent, lesson=lesson, at=timezone.now())

    take_quiz(life_quiz, p_agent)
    assert Certificate.objects.count() == 1


def test_attendance_is_missing_until_a_hook_says_attended(tree, p_agent, life_quiz):
    certification = make_certification(
        quiz=life_quiz, product_company=tree["L"], requires_attendance=True
    )
    take_quiz(life_quiz, p_agent)
    assert not Certificate.objects.exists()

    def attended(*, person, certification):
        return person.pk == p_agent.pk

    with hooks.register_temporarily(ATTENDED_HOOK, attended):
        [certificate] = certificates_grant_pending(person=p_agent)
    assert certificate.certification == certification


# Renewal and expiry --------------------------------------------------------------------------


def test_passing_again_long_before_expiry_issues_nothing_new(p_agent, life_quiz, cds):
    take_quiz(life_quiz, p_agent)
    take_quiz(life_quiz, p_agent)
    assert Certificate.objects.count() == 1


def test_recertifying_within_the_notice_window_renews_from_the_old_expiry(p_agent, life_quiz, cds):
    today = timezone.localdate()
    old = certificate_issue(
        certification=cds, person=p_agent, at=at_date(add_months(today + timedelta(days=20), -24))
    )
    assert old.expires_on == today + timedelta(days=20)

    take_quiz(life_quiz, p_agent)

    new = Certificate.objects.exclude(pk=old.pk).get()
    assert new.issued_on == today
    assert new.expires_on == add_months(old.expires_on, 24)
    old.refresh_from_db()
    assert old.status == CertificateStatus.VALID  # it still states what it stated


def test_recertifying_after_expiry_starts_from_today(p_agent, life_quiz, cds):
    today = timezone.localdate()
    old = certificate_issue(certification=cds, person=p_agent, at=at_date(date(2020, 1, 15)))
    assert old.status == CertificateStatus.EXPIRED

    take_quiz(life_quiz, p_agent)

    new = Certificate.objects.exclude(pk=old.pk).get()
    assert new.expires_on == add_months(today, 24)


def test_expired_certificate_reports_expired(p_agent, cds):
    certificate = certificate_issue(certification=cds, person=p_agent, at=at_date(date(2020, 3, 1)))
    assert certificate.expires_on == date(2022, 3, 1)
    assert certificate.status_on(date(2022, 3, 1)) == CertificateStatus.VALID
    assert certificate.status_on(date(2022, 3, 2)) == CertificateStatus.EXPIRED


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert add_months(date(2024, 5, 15), 24) == date(2026, 5, 15)


def test_verification_code_typed_with_dashes_and_lowercase_is_normalised():
    assert verification_code_normalise(" abcd-efgh-ijkl-mnop-o0 ") == "ABCDEFGH1JK1MN0P00"


# Revoking ------------------------------------------------------------------------------------


def test_coordinator_revokes_with_a_reason(tree, person_factory, p_agent, life_quiz, cds):
    take_quiz(life_quiz, p_agent)
    coordinator = person_factory(tree["PGD"], Role.COORDINATOR)
    certificate = Certificate.objects.get()

    with pytest.raises(ValidationError) as error:
        certificate_revoke(certificate=certificate, reason="  ", user=coordinator.user)
    assert error.value.messages == ["请填写撤销原因。"]

    revoked = certificate_revoke(
        certificate=certificate, reason="考试期间 违规代考", user=coordinator.user
    )
    assert revoked.status == CertificateStatus.REVOKED
    assert revoked.revoked_reason == "考试期间 违规代考"
    assert revoked.revoked_by == coordinator.user

    with pytest.raises(ValidationError) as error:
        certificate_revoke(certificate=certificate, reason="再次", user=coordinator.user)
    assert error.value.messages == ["这张证书已经撤销。"]


def test_coordinator_of_another_branch_cannot_revoke(tree, person_factory, p_agent, life_quiz, cds):
    take_quiz(life_quiz, p_agent)
    sibling = person_factory(tree["PSZ"], Role.COORDINATOR)
    manager = person_factory(tree["PGD"], Role.MANAGER)
    for user in (sibling.user, manager.user):
        with pytest.raises(ValidationError) as error:
            certificate_revoke(certificate=Certificate.objects.get(), reason="违规", user=user)
        assert error.value.messages == ["这张证书的持证人不在你的管理范围内，不能撤销。"]
    assert Certificate.objects.get().revoked_at is None


def test_revoked_certificate_is_renewed_by_a_new_pass(p_agent, life_quiz, cds, admin_user):
    take_quiz(life_quiz, p_agent)
    certificate_revoke(certificate=Certificate.objects.get(), reason="违规", user=admin_user)
    take_quiz(life_quiz, p_agent)
    assert Certificate.objects.filter(revoked_at__isnull=True).count() == 1


def test_regrade_to_a_fail_revokes_what_the_attempt_granted(p_agent, life_quiz, cds):
    attempt = take_quiz(life_quiz, p_agent)
    attempt.passed = False
    attempt.save(update_fields=["passed"])

    [revoked] = certificates_after_regrade(attempt=attempt)

    assert revoked.status == CertificateStatus.REVOKED
    assert revoked.revoked_reason == f"重新评分后考试未通过（答题记录 {attempt.pk}）。"


# Org copies ----------------------------------------------------------------------------------


def test_certificate_follows_its_holder_to_another_unit(tree, p_agent, life_quiz, cds):
    take_quiz(life_quiz, p_agent)
    person_update(
        person=p_agent,
        name=p_agent.name,
        mobile=p_agent.mobile,
        email=p_agent.user.email,
        org_unit=tree["PSZ0101"],
        channel=p_agent.channel,
        roles=[Role.AGENT],
        hire_date=None,
        is_active=True,
    )
    assert Certificate.objects.get().org_path == tree["PSZ0101"].path


# Expiry notices ------------------------------------------------------------------------------


def _expiring_in(days: int, *, certification, person) -> Certificate:
    today = timezone.localdate()
    issued = add_months(today + timedelta(days=days), -certification.validity_months)
    return certificate_issue(certification=certification, person=person, at=at_date(issued))


def test_expiry_email_is_sent_once_per_certificate(p_agent, cds):
    certificate = _expiring_in(10, certification=cds, person=p_agent)

    assert certificate_expiry_notices_send() == 1
    assert certificate_expiry_notices_send() == 0

    [message] = mail.outbox
    assert message.to == ["wang@example.com"]
    assert message.subject == (
        f"您的“产代寿交叉销售资格”将于 {certificate.expires_on.isoformat()} 到期，请及时重新认证"
    )
    assert "还剩 10 天" in message.body
    assert certificate.serial in message.body
    assert reverse("certificates:mine") in message.body
    certificate.refresh_from_db()
    assert certificate.expiry_notice_sent_at is not None


def test_no_email_outside_the_window_or_when_renewed_or_revoked(
    tree, person_factory, p_agent, cds, admin_user
):
    _expiring_in(45, certification=cds, person=p_agent)
    other = person_factory(tree["PGZ0101"], Role.AGENT, email="li@example.com")
    _expiring_in(5, certification=cds, person=other)
    certificate_issue(certification=cds, person=other, at=timezone.now())  # renewed
    third = person_factory(tree["PGZ0101"], Role.AGENT, email="zhao@example.com")
    revoked = _expiring_in(5, certification=cds, person=third)
    certificate_revoke(certificate=revoked, reason="违规", user=admin_user)

    assert certificate_expiry_notices_send() == 0
    assert mail.outbox == []


def test_management_command_sends_the_notices(p_agent, cds, capsys):
    _expiring_in(30, certification=cds, person=p_agent)
    call_command("send_certificate_expiry_notices")
    assert "发送了 1 封证书到期提醒邮件。" in capsys.readouterr().out
    assert len(mail.outbox) == 1


def test_the_background_task_sends_the_notices(p_agent, cds):
    _expiring_in(3, certification=cds, person=p_agent)
    result = send_certificate_expiry_notices.enqueue()
    assert result.return_value == 1
    assert len(mail.outbox) == 1


def test_home_page_shows_the_expiring_certificate(login, p_agent, cds):
    _expiring_in(7, certification=cds, person=p_agent)
    response = login(p_agent).get(reverse("home"))
    html = response.content.decode()
    assert "证书即将到期" in html
    assert "产代寿交叉销售资格" in html
    assert re.search(r"还剩 7 天", html)


def test_home_page_has_no_notice_for_a_certificate_far_from_expiry(login, p_agent, cds):
    certificate_issue(certification=cds, person=p_agent, at=timezone.now())
    response = login(p_agent).get(reverse("home"))
    assert "证书即将到期" not in response.content.decode()
