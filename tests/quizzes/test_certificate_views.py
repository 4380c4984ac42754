"""Agents' and managers' certificate pages, the PDF download and who may have it, and the admin
(certifications, revoking, API clients) with its scope."""

import subprocess
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from organization.models import Role
from quizzes.api import api_client_create, api_token_hash
from quizzes.certificates import add_months, certificate_issue, certificate_revoke
from quizzes.models import ApiClient, Certificate, Certification

from .certificate_factories import make_certification, make_quiz


@pytest.fixture
def cds(tree):
    quiz = make_quiz(company=tree["L"], audience=[tree["P"]])
    return make_certification(
        quiz=quiz, product_company=tree["L"], name="产代寿交叉销售资格", code="CDS"
    )


@pytest.fixture
def gz_agent(tree, person_factory):
    return person_factory(tree["PGZ0101"], Role.AGENT, name="广州业务员")


@pytest.fixture
def sz_agent(tree, person_factory):
    return person_factory(tree["PSZ0101"], Role.AGENT, name="深圳业务员")


def issue(cds, person, *, days_left: int | None = None) -> Certificate:
    at = timezone.now()
    if days_left is not None:
        expires = timezone.localdate() + timedelta(days=days_left)
        at = at.replace(year=add_months(expires, -cds.validity_months).year)
        at = timezone.make_aware(
            timezone.datetime.combine(add_months(expires, -cds.validity_months), at.time())
        )
    return certificate_issue(certification=cds, person=person, at=at)


# My certificates -----------------------------------------------------------------------------


def test_my_certificates_lists_own_with_expiry_warning(
    login, gz_agent, sz_agent, cds, django_assert_max_num_queries
):
    soon = issue(cds, gz_agent, days_left=12)
    other = issue(cds, sz_agent)
    client = login(gz_agent)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("certificates:mine"))
    html = response.content.decode()
    assert soon.serial in html
    assert other.serial not in html
    assert "证书将在 12 天后到期，请尽快参加重新认证考试。" in html
    assert reverse("certificates:pdf", args=[soon.pk]) in html


def test_my_certificates_query_count_does_not_grow_with_certificates(
    login, gz_agent, cds, django_assert_max_num_queries
):
    for _i in range(5):
        issue(cds, gz_agent, days_left=-400)  # expired ones, so each is a new certificate
    client = login(gz_agent)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("certificates:mine"))
    assert response.content.decode().count('class="certificate"') == 5


def test_holder_downloads_the_pdf_with_their_name(login, gz_agent, cds, tmp_path):
    certificate = issue(cds, gz_agent)
    response = login(gz_agent).get(reverse("certificates:pdf", args=[certificate.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    path = tmp_path / "c.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "广州业务员" in text
    assert f"http://testserver/verify/{certificate.verification_code}/" in text


def test_agent_cannot_download_another_agents_certificate(login, gz_agent, sz_agent, cds):
    certificate = issue(cds, sz_agent)
    response = login(gz_agent).get(reverse("certificates:pdf", args=[certificate.pk]))
    assert response.status_code == 404


def test_revoked_certificate_is_not_downloaded(login, gz_agent, cds, admin_user):
    certificate = issue(cds, gz_agent)
    certificate_revoke(certificate=certificate, reason="违规", user=admin_user)
    response = login(gz_agent).get(reverse("certificates:pdf", args=[certificate.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("certificates:mine")


def test_manager_downloads_in_scope_but_not_a_sibling_branchs(
    login, tree, person_factory, gz_agent, sz_agent, cds
):
    manager = person_factory(tree["PGZ"], Role.MANAGER)
    mine, sibling = issue(cds, gz_agent), issue(cds, sz_agent)
    client = login(manager)
    assert client.get(reverse("certificates:pdf", args=[mine.pk])).status_code == 200
    assert client.get(reverse("certificates:pdf", args=[sibling.pk])).status_code == 404


# Managers' listing ---------------------------------------------------------------------------


def test_manager_sees_only_their_subtrees_certificates(
    login, tree, person_factory, gz_agent, sz_agent, cds, django_assert_max_num_queries
):
    manager = person_factory(tree["PGZ"], Role.MANAGER)
    mine, sibling = issue(cds, gz_agent), issue(cds, sz_agent)
    for _i in range(3):
        issue(cds, person_factory(tree["PGZ01"], Role.AGENT))
    client = login(manager)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("certificates:team"))
    html = response.content.decode()
    assert mine.serial in html
    assert sibling.serial not in html
    assert html.count('class="cert-status cert-status--valid"') == 4


def test_team_listing_filters_by_status(login, tree, person_factory, gz_agent, cds, admin_user):
    manager = person_factory(tree["PGD"], Role.MANAGER)
    valid = issue(cds, gz_agent)
    revoked = issue(cds, person_factory(tree["PGZ0101"], Role.AGENT))
    certificate_revoke(certificate=revoked, reason="违规", user=admin_user)
    html = login(manager).get(reverse("certificates:team"), {"status": "revoked"}).content.decode()
    assert revoked.serial in html and valid.serial not in html


def test_agent_has_no_team_listing(login, gz_agent):
    assert login(gz_agent).get(reverse("certificates:team")).status_code == 404


# Admin ---------------------------------------------------------------------------------------


def test_coordinator_revokes_in_the_admin_with_a_reason(login, tree, person_factory, gz_agent, cds):
    coordinator = person_factory(tree["PGD"], Role.COORDINATOR)
    certificate = issue(cds, gz_agent)
    client = login(coordinator)
    url = reverse("quiz_certificates:edit", args=[certificate.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"revoked_reason": ""})
    assert response.status_code == 200
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    response = client.post(url, {"revoked_reason": "资料造假"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_reason == "资料造假"
    assert certificate.revoked_by == coordinator.user


def test_admin_certificate_list_is_cut_to_the_coordinators_subtree(
    login, tree, person_factory, gz_agent, sz_agent, cds
):
    coordinator = person_factory(tree["PGZ"], Role.COORDINATOR)
    mine, sibling = issue(cds, gz_agent), issue(cds, sz_agent)
    client = login(coordinator)
    html = client.get(reverse("quiz_certificates:index")).content.decode()
    assert mine.serial in html and sibling.serial not in html
    response = client.get(reverse("quiz_certificates:edit", args=[sibling.pk]))
    assert response.status_code == 404
    response = client.post(
        reverse("quiz_certificates:edit", args=[sibling.pk]), {"revoked_reason": "x"}
    )
    assert response.status_code == 404
    sibling.refresh_from_db()
    assert sibling.revoked_at is None


def test_agent_and_manager_have_no_certificate_admin(login, tree, person_factory, gz_agent):
    manager = person_factory(tree["PGZ"], Role.MANAGER)
    for person in (gz_agent, manager):
        response = login(person).get(reverse("quiz_certificates:index"))
        assert response.status_code == 302  # Wagtail sends them away from the admin


def test_company_coordinator_adds_a_certification_for_their_company_only(
    login, tree, person_factory, cds
):
    coordinator = person_factory(tree["L"], Role.COORDINATOR)
    client = login(coordinator)
    url = reverse("quiz_certifications:add")
    data = {
        "name": "健代寿交叉销售资格",
        "code": "JDS",
        "description": "",
        "quiz": cds.quiz_id,
        "required_course": "",
        "validity_months": 24,
        "active": "on",
    }
    response = client.post(url, {**data, "product_company": tree["P"].pk})
    assert response.status_code == 200  # 人保财险 is not offered to 人保寿险's coordinator
    assert not Certification.objects.filter(code="JDS").exists()
    response = client.post(url, {**data, "product_company": tree["L"].pk})
    assert response.status_code == 302
    assert Certification.objects.get(code="JDS").product_company == tree["L"]
    other = make_certification(quiz=cds.quiz, product_company=tree["P"], code="SDC")
    response = client.get(reverse("quiz_certifications:edit", args=[other.pk]))
    assert response.status_code == 404


def test_group_coordinator_creates_an_api_client_and_sees_the_token_once(
    login, tree, person_factory
):
    coordinator = person_factory(tree["group"], Role.COORDINATOR)
    client = login(coordinator)
    response = client.post(
        reverse("quiz_api_clients:add"),
        {"name": "寿险销售系统", "description": "", "is_active": "on"},
    )
    assert response.status_code == 200
    api_client = ApiClient.objects.get()
    token = response.context["token"]
    assert token in response.content.decode()
    assert api_client.token_hash == api_token_hash(token)
    edit = client.get(reverse("quiz_api_clients:edit", args=[api_client.pk])).content.decode()
    assert token not in edit

    response = client.post(reverse("quiz_api_clients:rotate", args=[api_client.pk]))
    new_token = response.context["token"]
    assert new_token != token
    api_client.refresh_from_db()
    assert api_client.token_hash == api_token_hash(new_token)


def test_branch_coordinator_cannot_manage_api_clients(login, tree, person_factory):
    coordinator = person_factory(tree["PGD"], Role.COORDINATOR)
    client = login(coordinator)
    response = client.get(reverse("quiz_api_clients:index"))
    assert response.status_code == 302
    response = client.post(reverse("quiz_api_clients:add"), {"name": "x", "is_active": "on"})
    assert response.status_code == 302
    assert not ApiClient.objects.exists()


def test_manager_home_links_to_the_certificates_of_their_subtree(login, tree, person_factory):
    manager = person_factory(tree["PGZ"], Role.MANAGER)
    html = login(manager).get(reverse("home")).content.decode()
    assert "证书情况" in html
    assert reverse("certificates:team") in html


def test_coordinator_inspects_a_certificate_in_scope_only(
    login, tree, person_factory, gz_agent, sz_agent, cds
):
    coordinator = person_factory(tree["PGZ"], Role.COORDINATOR)
    mine, sibling = issue(cds, gz_agent), issue(cds, sz_agent)
    client = login(coordinator)
    response = client.get(reverse("quiz_certificates:inspect", args=[mine.pk]))
    assert response.status_code == 200
    assert mine.serial in response.content.decode()
    assert client.get(reverse("quiz_certificates:inspect", args=[sibling.pk])).status_code == 404


def test_group_coordinator_reads_the_api_call_log(login, tree, person_factory, client):
    _api_client, token = api_client_create(name="寿险销售系统")
    client.get(
        reverse("certificates:api_check"),
        {"agent": "nobody", "line": "life"},
        headers={"Authorization": f"Bearer {token}"},
    )
    coordinator = person_factory(tree["group"], Role.COORDINATOR)
    response = login(coordinator).get(reverse("quiz_api_calls:index"))
    assert response.status_code == 200
    assert "寿险销售系统" in response.content.decode()
    assert "nobody" in response.content.decode()


def test_certificate_history_is_refused_outside_the_subtree(
    login, tree, person_factory, gz_agent, sz_agent, cds
):
    coordinator = person_factory(tree["PGZ"], Role.COORDINATOR)
    mine, sibling = issue(cds, gz_agent), issue(cds, sz_agent)
    client = login(coordinator)
    assert client.get(reverse("quiz_certificates:history", args=[mine.pk])).status_code == 200
    assert client.get(reverse("quiz_certificates:history", args=[sibling.pk])).status_code == 404


def test_superuser_opens_every_certificate_admin_page(admin_client, gz_agent, cds):
    certificate = issue(cds, gz_agent)
    api_client, _token = api_client_create(name="寿险销售系统")
    for url in (
        reverse("quiz_certifications:index"),
        reverse("quiz_certifications:add"),
        reverse("quiz_certifications:edit", args=[cds.pk]),
        reverse("quiz_certificates:index"),
        reverse("quiz_certificates:edit", args=[certificate.pk]),
        reverse("quiz_certificates:inspect", args=[certificate.pk]),
        reverse("quiz_api_clients:index"),
        reverse("quiz_api_clients:add"),
        reverse("quiz_api_clients:edit", args=[api_client.pk]),
        reverse("quiz_api_clients:rotate", args=[api_client.pk]),
        reverse("quiz_api_calls:index"),
    ):
        assert admin_client.get(url).status_code == 200, url
