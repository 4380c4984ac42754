"""``manage.py load_demo``'s certificate step: certifications for the demo quizzes, agent01's
certificates (one expiring within 30 days), a revoked one, the demo API client; idempotent."""

from io import StringIO

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from organization.models import Person
from quizzes.certificate_demo import DEMO_API_TOKEN
from quizzes.models import Certificate, CertificateStatus, Certification


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", force=True, stdout=out)
    return out.getvalue()


def test_demo_certifications_and_certificates_load_once(db, client):
    output = load_demo()
    assert "资格证书：资格认证 5 项" in output
    assert set(Certification.objects.values_list("name", "holder_company__code")) == {
        ("产代寿交叉销售资格", "P"),
        ("产代健交叉销售资格", "P"),
        ("寿代产交叉销售资格", "L"),
        ("健代产交叉销售资格", "H"),
        ("健代寿交叉销售资格", "H"),
    }
    agent = Person.objects.get(employee_no="agent01")
    today = timezone.localdate()
    mine = {c.certification.code: c for c in Certificate.objects.filter(person=agent)}
    assert set(mine) == {"CDS", "CDJ"}
    assert 0 < mine["CDJ"].days_left(today) <= 30
    assert Certificate.objects.filter(revoked_at__isnull=False).count() == 1
    assert all(
        c.status == CertificateStatus.VALID
        for c in Certificate.objects.filter(revoked_at__isnull=True)
    )
    before = sorted(Certificate.objects.values_list("serial", "expires_on", "revoked_at"))

    load_demo()
    assert sorted(Certificate.objects.values_list("serial", "expires_on", "revoked_at")) == before

    answer = client.get(
        reverse("certificates:api_check"),
        {"agent": "agent01", "line": "life"},
        headers={"Authorization": f"Bearer {DEMO_API_TOKEN}"},
    ).json()
    assert answer["certified"] is True and answer["certification"] == "产代寿交叉销售资格"
