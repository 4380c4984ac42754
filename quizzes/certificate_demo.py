"""Demo certifications, certificates and an API client, for ``manage.py load_demo``.

Runs after the demo quizzes (``quizzes.demo``): the quizzes of the courses that teach another
company's business grant the cross-selling certifications below — 产代寿 (人保财险's agents may
sell 人保寿险's products) through the training-management quiz of 人保寿险, and so on. Then a few
certificates in 人保财险广州 (manager01's scope): agent01 holds one valid and one expiring within
30 days (the home-page notice), a colleague one that was revoked, others valid ones. They are
issued directly, back-dated, without an attempt: records from before the platform. Agents of the
three companies in 广州越秀 and 深圳 hold valid ones too, expiring over the next three months.

Idempotent: certifications are looked up by code; agent01's certificates are made only if they
have none, the colleagues' only if none of them has one, the others' only if nobody outside
agent01's outlet has one; the API client by name.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.demo import COMPLIANCE_SLUG, PRODUCTS_SLUG, TRAINING_SLUG
from organization.demo import DemoContext, DemoLogin
from organization.models import Person, Role

from .api import TOKEN_HINT_LENGTH, api_token_hash
from .certificates import add_months, certificate_issue, certificate_revoke
from .demo import IT_SLUG
from .models import ApiClient, Certificate, Certification, Quiz


@dataclass(frozen=True)
class CertificationSpec:
    code: str
    name: str
    holder: str  # company code of the people who may hold it
    product: str  # company code whose products it allows to sell
    course_slug: str  # the course whose quiz grants it


CERTIFICATIONS = (
    CertificationSpec("CDS", "产代寿交叉销售资格", "P", "L", TRAINING_SLUG),
    CertificationSpec("CDJ", "产代健交叉销售资格", "P", "H", PRODUCTS_SLUG),
    CertificationSpec("SDC", "寿代产交叉销售资格", "L", "P", COMPLIANCE_SLUG),
    CertificationSpec("JDC", "健代产交叉销售资格", "H", "P", COMPLIANCE_SLUG),
    CertificationSpec("JDS", "健代寿交叉销售资格", "H", "L", IT_SLUG),
)
VALIDITY_MONTHS = 24
DEMO_API_CLIENT = "寿险销售系统（演示）"
# Known so the demo can be tried with curl; a real client's token is random and shown once.
DEMO_API_TOKEN = "cst_demo-sales-system-token-not-for-production"
COLLEAGUES_WITH_CERTIFICATES = 5
# Valid certificates elsewhere in 广东, so the cross-company matrix has several pairs: (subtree,
# certification code, holders), their expiries spread over the next three months.
SPREAD_HOLDERS = (
    ("P-GD-GZ-YX", "CDS", 3),
    ("P-GD-GZ-YX", "CDJ", 2),
    ("P-GD-SZ", "CDS", 4),
    ("P-GD-SZ", "CDJ", 3),
    ("L-GD-GZ", "SDC", 3),
    ("L-GD-SZ", "SDC", 2),
    ("H-GD-GZ", "JDC", 2),
    ("H-GD-SZ", "JDS", 2),
)
SPREAD_EXPIRY_FIRST = 5
SPREAD_EXPIRY_DAYS = 85
SPREAD_EXPIRY_STEP = 13


def _ensure_certifications(context: DemoContext) -> dict[str, Certification]:
    existing = Certification.objects.in_bulk(
        [spec.code for spec in CERTIFICATIONS], field_name="code"
    )
    quizzes = {
        quiz.course.slug: quiz
        for quiz in Quiz.objects.filter(
            course__slug__in=[spec.course_slug for spec in CERTIFICATIONS]
        ).select_related("course")
    }
    for spec in CERTIFICATIONS:
        quiz = quizzes.get(spec.course_slug)
        if spec.code in existing or quiz is None:
            continue
        product = context.units[spec.product]
        certification = Certification(
            name=spec.name,
            code=spec.code,
            description=_("通过认证考试后，可代理销售%(company)s的产品。")
            % {"company": product.name},
            holder_company=context.units[spec.holder],
            product_company=product,
            quiz=quiz,
            validity_months=VALIDITY_MONTHS,
        )
        certification.full_clean()
        certification.save()
        existing[spec.code] = certification
    return existing


def _issue_days_before(certification, person, *, expires_in_days: int) -> Certificate:
    expires = timezone.localdate() + timedelta(days=expires_in_days)
    issued = add_months(expires, -certification.validity_months)
    at = timezone.make_aware(timezone.datetime(issued.year, issued.month, issued.day, 10, 0))
    return certificate_issue(certification=certification, person=person, at=at)


def _spread_certificates(context: DemoContext, certifications, *, outside: str) -> int:
    """``SPREAD_HOLDERS``' certificates, unless a certificate outside agent01's outlet (``outside``)
    exists already. Returns how many were issued."""
    if Certificate.objects.exclude(org_path__startswith=outside).exists():
        return 0
    made, used = 0, {}  # used: holders taken per subtree, so that each pair has its own people
    for code, certification_code, holders in SPREAD_HOLDERS:
        certification = certifications.get(certification_code)
        if certification is None:
            continue
        start = used.get(code, 0)
        used[code] = start + holders
        people = (
            Person.objects.select_related("org_unit")
            .filter(
                org_unit__path__startswith=context.units[code].path,
                org_unit__company=certification.holder_company_id,
                is_active=True,
                user__groups__name=Role.AGENT,
            )
            .order_by("employee_no")[start : start + holders]
        )
        for person in people:
            days = SPREAD_EXPIRY_FIRST + made * SPREAD_EXPIRY_STEP % SPREAD_EXPIRY_DAYS
            _issue_days_before(certification, person, expires_in_days=days)
            made += 1
    return made


def load_certificates_demo(context: DemoContext) -> None:
    certifications = _ensure_certifications(context)
    made = 0
    agent = context.demo_people.get(Role.AGENT)
    p_to_l, p_to_h = certifications.get("CDS"), certifications.get("CDJ")
    if agent is not None and p_to_l and not Certificate.objects.filter(person=agent).exists():
        _issue_days_before(p_to_l, agent, expires_in_days=400)
        if p_to_h is not None:
            _issue_days_before(p_to_h, agent, expires_in_days=20)  # the home-page notice
        made += 2 if p_to_h else 1
    if (
        agent is not None
        and p_to_l is not None
        and not Certificate.objects.filter(certification=p_to_l, org_path=agent.org_unit.path)
        .exclude(person=agent)
        .exists()
    ):
        colleagues = Person.objects.filter(
            org_unit=agent.org_unit, is_active=True, user__groups__name=Role.AGENT
        ).exclude(pk=agent.pk)[:COLLEAGUES_WITH_CERTIFICATES]
        for index, colleague in enumerate(colleagues):
            certificate = _issue_days_before(p_to_l, colleague, expires_in_days=90 + 60 * index)
            if index == 0:
                certificate_revoke(
                    certificate=certificate,
                    reason=_("演示：认证考试由他人代考，经核实撤销。"),
                    user=get_user_model().objects.filter(is_superuser=True).first(),
                )
            made += 1

    if agent is not None:
        made += _spread_certificates(context, certifications, outside=agent.org_unit.path)

    if not ApiClient.objects.filter(name=DEMO_API_CLIENT).exists():
        ApiClient.objects.create(
            name=DEMO_API_CLIENT,
            description=_("演示用的接口客户端，令牌公开，切勿用于生产。"),
            token_hash=api_token_hash(DEMO_API_TOKEN),
            token_hint=DEMO_API_TOKEN[:TOKEN_HINT_LENGTH],
        )
    if agent is not None:
        context.logins.append(
            DemoLogin(
                _("证书核验接口"),
                DEMO_API_CLIENT,
                DEMO_API_TOKEN,
                _(
                    "GET /api/v1/certification-check?agent=%(agent)s&line=life，"
                    "请求头 Authorization: Bearer <令牌>。"
                )
                % {"agent": agent.employee_no},
            )
        )
    context.log(
        _("资格证书：资格认证 %(certifications)d 项，新发证书 %(made)d 张。")
        % {"certifications": len(certifications), "made": made}
    )
