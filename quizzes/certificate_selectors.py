"""Reads of certificates: an agent's own, a manager's scope, the public lookup, the API check.

Each selector loads what its page shows (``select_related``), so no listing queries per row.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from courses.models import business_line
from organization.models import OrgUnit, OrgUnitKind, Person
from organization.scope import filter_to_scope

from .certificates import certificates_expiring, notice_days, renewed, verification_code_normalise
from .models import Certificate, CertificateStatus, Certification, ProductLine
from .models.certificates import BUSINESS_LINE_PRODUCT_LINES

CERTIFICATE_RELATED = ("certification__product_company", "person", "company")


@dataclass(frozen=True)
class CertificateRow:
    """A certificate as the agent's list shows it."""

    certificate: Certificate
    status: str
    days_left: int
    renewed: bool

    @property
    def expiring_soon(self) -> bool:
        return (
            self.status == CertificateStatus.VALID
            and not self.renewed
            and self.days_left <= notice_days()
        )

    @property
    def status_label(self) -> str:
        return CertificateStatus(self.status).label


def _row(certificate: Certificate, today: date) -> CertificateRow:
    return CertificateRow(
        certificate=certificate,
        status=certificate.status_on(today),
        days_left=certificate.days_left(today),
        renewed=certificate.is_renewed,
    )


def certificates_of_person(*, person: Person, today: date) -> list[CertificateRow]:
    """The person's certificates, newest first; one query."""
    certificates = (
        Certificate.objects.filter(person=person)
        .select_related(*CERTIFICATE_RELATED)
        .annotate(is_renewed=renewed())
        .order_by("-issued_at", "-pk")
    )
    return [_row(certificate, today) for certificate in certificates]


def certificates_expiring_for_person(*, person: Person, today: date) -> list[Certificate]:
    """Valid, not renewed, expiring within the notice window: the home page's notice. One query."""
    return list(
        certificates_expiring(today=today)
        .filter(person=person)
        .select_related("certification")
        .order_by("expires_on")
    )


def certificate_with_details(*, pk: int) -> Certificate | None:
    return Certificate.objects.select_related(*CERTIFICATE_RELATED).filter(pk=pk).first()


def certificate_by_code(*, code: str) -> Certificate | None:
    """The certificate a verification code names, or None (also for anything malformed)."""
    code = verification_code_normalise(code)
    if not code.isalnum() or len(code) > 32:
        return None
    return (
        Certificate.objects.select_related(*CERTIFICATE_RELATED)
        .filter(verification_code=code)
        .first()
    )


def certificates_in_scope(
    *, user, today: date, certification: Certification | None = None, status: str = ""
) -> QuerySet:
    """Certificates of the people in the user's subtree (managers, coordinators, superusers)."""
    certificates = filter_to_scope(
        Certificate.objects.select_related(*CERTIFICATE_RELATED, "person__org_unit"),
        user,
        path_field="org_path",
    )
    if certification is not None:
        certificates = certificates.filter(certification=certification)
    if status == CertificateStatus.REVOKED:
        certificates = certificates.filter(revoked_at__isnull=False)
    elif status == CertificateStatus.EXPIRED:
        certificates = certificates.filter(revoked_at__isnull=True, expires_on__lt=today)
    elif status == CertificateStatus.VALID:
        certificates = certificates.valid_on(today)
    return certificates.order_by("-issued_at", "-pk")


# The certification check API ------------------------------------------------------------------


class UnknownLine(Exception):
    pass


def companies_for_line(line: str) -> tuple[str, list[OrgUnit]]:
    """The product companies ``line`` names, and the line's key for the answer.

    ``line`` is a product line (``pc``/``life``/``health``/``pension``, their Chinese names, or
    the one-character 产/寿/健/养 of cross-selling pairs) or a company's code (e.g. ``L``).
    ``UnknownLine`` when it names nothing.
    """
    line = line.strip()
    companies = list(OrgUnit.objects.filter(kind=OrgUnitKind.COMPANY, is_active=True))
    for company in companies:
        if company.code == line:
            return company.code, [company]
    wanted = None
    for product_line in ProductLine:
        if line.lower() == product_line.value or line == str(product_line.label):
            wanted = product_line
    wanted = wanted or BUSINESS_LINE_PRODUCT_LINES.get(line)
    if wanted is None:
        raise UnknownLine(line)
    matching = [
        company
        for company in companies
        if BUSINESS_LINE_PRODUCT_LINES.get(business_line(company)) == wanted
    ]
    return wanted.value, matching


def agent_by_employee_no(employee_no: str) -> Person | None:
    return Person.objects.select_related("org_unit").filter(employee_no=employee_no).first()


def valid_certificate_for_line(
    *, person: Person, companies: list[OrgUnit], today: date
) -> Certificate | None:
    """The person's valid certificate for any of ``companies``' products that runs longest."""
    if not person.is_active or not companies:
        return None
    return (
        Certificate.objects.valid_on(today)
        .filter(person=person, certification__product_company__in=companies)
        .select_related("certification")
        .order_by("-expires_on", "-pk")
        .first()
    )
