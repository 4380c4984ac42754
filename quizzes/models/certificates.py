"""Certifications, the certificates granted by passing their quiz, and the sales systems' API.

A ``Certification`` (e.g. 产代寿交叉销售资格) allows its holders — people of ``holder_company``
(人保财险), when set — to sell one company's products (``product_company``, 人保寿险). It is
granted by passing ``quiz``, optionally also after completing ``required_course`` and attending a
session (lecturer_portal answers through a hook), and lasts ``validity_months``.

A ``Certificate`` is one grant: a serial number (printed), an unguessable verification code (the
public page's key), issue and expiry dates, and, when revoked, when, by whom and why. Renewing
issues a new certificate; the old one keeps what it stated. The holder's org path and company
are copied on the row, as on enrolments, so a manager's listing is one path-prefix filter
(``organization.scope``); ``quizzes.receivers`` keeps them in step when people or units move.

``ApiClient`` is a sales system allowed to ask the certification check API; only the SHA-256 of
its bearer token is stored. ``ApiCall`` logs every request, refused ones included.
"""

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import business_line
from organization.api_clients import ApiCallBase, ApiClientBase

from .bank import COMPANY_CHOICES

certification_code_validator = RegexValidator(
    r"^[A-Z][A-Z0-9]{1,15}$",
    _("代码为 2 到 16 位大写字母或数字，以字母开头，例如 CDS（产代寿）。"),
)


class ProductLine(models.TextChoices):
    """A company's product line, read from its name as ``courses.models.business_line`` does."""

    PROPERTY = "pc", _("财产险")
    LIFE = "life", _("寿险")
    HEALTH = "health", _("健康险")
    PENSION = "pension", _("养老险")


# courses.models.business_line's one-character names → product lines.
BUSINESS_LINE_PRODUCT_LINES = {
    "产": ProductLine.PROPERTY,
    "寿": ProductLine.LIFE,
    "健": ProductLine.HEALTH,
    "养": ProductLine.PENSION,
}


class Certification(models.Model):
    name = models.CharField(_("名称"), max_length=100, unique=True)
    code = models.CharField(
        _("代码"),
        max_length=16,
        unique=True,
        validators=[certification_code_validator],
        help_text=_("证书编号的前缀，例如 CDS。"),
    )
    description = models.TextField(_("说明"), blank=True)
    product_company = models.ForeignKey(
        "organization.OrgUnit",
        verbose_name=_("可销售产品的公司"),
        on_delete=models.PROTECT,
        limit_choices_to=COMPANY_CHOICES,
        related_name="product_certifications",
        help_text=_("持证人可以代理销售这家公司的产品。"),
    )
    holder_company = models.ForeignKey(
        "organization.OrgUnit",
        verbose_name=_("持证人所属公司"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to=COMPANY_CHOICES,
        related_name="holder_certifications",
        help_text=_("只发给这家公司的人员（产代寿：人保财险）；不选表示通过考试的人都发。"),
    )
    quiz = models.ForeignKey(
        "quizzes.Quiz",
        verbose_name=_("认证考试"),
        on_delete=models.PROTECT,
        related_name="certifications",
    )
    required_course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("须完成的课程"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("不选表示不要求；课程完成后才发证。"),
    )
    requires_attendance = models.BooleanField(
        _("须参加面授培训"), default=False, help_text=_("须有面授培训的签到记录才发证。")
    )
    validity_months = models.PositiveSmallIntegerField(
        _("有效期（月）"), default=24, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    active = models.BooleanField(
        _("启用"), default=True, help_text=_("停用后不再发新证，已发的证书不受影响。")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("资格认证")
        verbose_name_plural = _("资格认证")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def business_line(self) -> str:
        """产/寿/健/养: the product company's line, the way cross-selling pairs name it."""
        return business_line(self.product_company)

    @property
    def product_line(self) -> str | None:
        return BUSINESS_LINE_PRODUCT_LINES.get(self.business_line)

    @property
    def product_line_label(self) -> str:
        line = self.product_line
        return ProductLine(line).label if line else self.product_company.name


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("有效")
    EXPIRED = "expired", _("已过期")
    REVOKED = "revoked", _("已撤销")


class CertificateQuerySet(models.QuerySet):
    def valid_on(self, day: date):
        return self.filter(revoked_at__isnull=True, issued_on__lte=day, expires_on__gte=day)


class Certificate(models.Model):
    certification = models.ForeignKey(
        Certification,
        verbose_name=_("资格认证"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    person = models.ForeignKey(
        "organization.Person",
        verbose_name=_("持证人"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    attempt = models.ForeignKey(
        "quizzes.Attempt",
        verbose_name=_("考试记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    serial = models.CharField(_("证书编号"), max_length=40, unique=True)
    verification_code = models.CharField(_("验证码"), max_length=32, unique=True, editable=False)
    issued_at = models.DateTimeField(_("发证时间"))
    issued_on = models.DateField(_("发证日期"))
    expires_on = models.DateField(_("有效期至"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_reason = models.TextField(_("撤销原因"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expiry_notice_sent_at = models.DateTimeField(_("到期提醒发送时间"), null=True, blank=True)
    # Copies of the holder's place (kept in step by quizzes.receivers), for scoped listings.
    org_path = models.CharField(_("机构路径"), max_length=255)
    company = models.ForeignKey(
        "organization.OrgUnit",
        verbose_name=_("持证人所属公司"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("证书")
        verbose_name_plural = _("证书")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("issued_on")),
                name="quizzes_certificate_expires_after_issue",
            ),
            # One attempt grants a certification once, however often the grant is asked for.
            models.UniqueConstraint(
                fields=["certification", "attempt"],
                condition=models.Q(attempt__isnull=False),
                name="quizzes_certificate_one_per_attempt",
            ),
        ]
        indexes = [
            # Managers' listings: WHERE org_path LIKE 'prefix%' (pattern ops on PostgreSQL).
            models.Index(
                fields=["org_path"],
                name="quizzes_cert_org_path",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["person", "certification"], name="quizzes_cert_person"),
            models.Index(fields=["expires_on"], name="quizzes_cert_expires"),
        ]

    def __str__(self):
        return self.serial

    def status_on(self, day: date) -> str:
        if self.revoked_at is not None:
            return CertificateStatus.REVOKED
        if day > self.expires_on:
            return CertificateStatus.EXPIRED
        return CertificateStatus.VALID

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:
        return CertificateStatus(self.status).label

    def days_left(self, day: date | None = None) -> int:
        return (self.expires_on - (day or timezone.localdate())).days


class ApiClient(ApiClientBase):
    """A sales system allowed to ask the certification check API (organization.api_clients)."""

    class Meta(ApiClientBase.Meta):
        verbose_name = _("接口客户端")
        verbose_name_plural = _("接口客户端")


class ApiCall(ApiCallBase):
    """One request to the certification check API, whatever its outcome."""

    client = models.ForeignKey(
        ApiClient,
        verbose_name=_("客户端"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calls",
    )

    class Meta(ApiCallBase.Meta):
        verbose_name = _("接口调用记录")
        verbose_name_plural = _("接口调用记录")
