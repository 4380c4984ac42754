"""The public verification page: no login, only what the certificate states, valid / expired /
revoked, nothing for a wrong code, and a rate limit per address."""

from datetime import date, datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from organization.models import Role
from quizzes.certificates import certificate_issue, certificate_revoke, verification_code_display

from .certificate_factories import make_certification, make_quiz


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    """The rate limit counts in the cache, which outlives a test."""
    cache.clear()


@pytest.fixture
def certificate(tree, person_factory):
    agent = person_factory(tree["PGZ0101"], Role.AGENT, name="欧阳晓明", employee_no="P20250001")
    quiz = make_quiz(company=tree["L"], audience=[tree["P"]])
    cds = make_certification(
        quiz=quiz, product_company=tree["L"], name="产代寿交叉销售资格", code="CDS"
    )
    return certificate_issue(certification=cds, person=agent, at=timezone.now())


def verify_url(certificate) -> str:
    return reverse("certificates:verify", args=[certificate.verification_code])


def test_valid_certificate_is_shown_without_login(client, certificate):
    response = client.get(verify_url(certificate))
    assert response.status_code == 200
    html = response.content.decode()
    assert "有效" in html and "该证书真实有效。" in html
    for stated in ("欧阳晓明", "人保财险", "产代寿交叉销售资格", "人保寿险", certificate.serial):
        assert stated in html
    assert certificate.expires_on.isoformat() in html
    assert response["Cache-Control"] == "no-store"
    assert response["X-Robots-Tag"] == "noindex"


def test_page_shows_nothing_the_certificate_does_not_state(client, certificate):
    html = client.get(verify_url(certificate)).content.decode()
    assert "P20250001" not in html  # employee number
    assert certificate.person.mobile not in html
    assert "广州" not in html  # the holder's branch


def test_code_typed_in_groups_and_lower_case_finds_the_certificate(client, certificate):
    typed = verification_code_display(certificate.verification_code).lower()
    response = client.get(reverse("certificates:verify", args=[typed]))
    assert response.status_code == 200
    assert certificate.serial in response.content.decode()


def test_lookup_form_goes_to_the_code_page(client, certificate):
    response = client.get(
        reverse("certificates:verify_lookup"), {"code": certificate.verification_code}
    )
    assert response.status_code == 302
    assert response["Location"] == verify_url(certificate)


def test_lookup_form_drops_what_cannot_be_in_a_code(client):
    response = client.get(reverse("certificates:verify_lookup"), {"code": " ab/cd 12?x=1 "})
    assert response["Location"] == "/verify/abcd12x1/"
    assert client.get(reverse("certificates:verify_lookup"), {"code": "///"}).status_code == 200


def test_expired_certificate_says_expired(client, tree, person_factory, certificate):
    old = certificate_issue(
        certification=certificate.certification,
        person=certificate.person,
        at=timezone.make_aware(datetime(2020, 1, 2, 9, 0)),
    )
    assert old.expires_on == date(2022, 1, 2)
    html = client.get(verify_url(old)).content.decode()
    assert "已过期" in html and "该证书已过有效期，不再有效。" in html
    assert "该证书真实有效。" not in html


def test_revoked_certificate_says_revoked_but_not_why(client, certificate, admin_user):
    certificate_revoke(certificate=certificate, reason="代考作弊", user=admin_user)
    html = client.get(verify_url(certificate)).content.decode()
    assert "已撤销" in html and "该证书已被撤销，不再有效。" in html
    assert "代考作弊" not in html
    assert "该证书真实有效。" not in html


@pytest.mark.parametrize("code", ["ZZZZZZZZZZZZZZZZZZZZ", "not-a-code", "%27%20or%201=1"])
def test_wrong_code_shows_only_not_found(client, certificate, code):
    response = client.get(f"/verify/{code}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "未找到该证书。" in html
    assert certificate.person.name not in html
    assert certificate.serial not in html


def test_too_many_lookups_from_one_address_are_refused(client, settings, certificate):
    settings.QUIZZES_VERIFY_RATE_PER_MINUTE = 3
    for _i in range(3):
        assert client.get("/verify/ZZZZZZZZZZZZZZZZZZZZ/").status_code == 404
    response = client.get(verify_url(certificate))
    assert response.status_code == 429
    assert "查询过于频繁" in response.content.decode()
    assert certificate.person.name not in response.content.decode()
