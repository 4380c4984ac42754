"""Training plans (培训工作计划): what an org unit means to hold in a year or a quarter."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable


class SessionKind(models.TextChoices):
    CROSS_COMPANY = "cross_company", _("交叉销售业务培训")
    CASCADE = "cascade", _("转培训")
    PRODUCT_LAUNCH = "product_launch", _("产品推介会")
    MORNING_MEETING = "morning_meeting", _("晨会直播")


class Quarter(models.IntegerChoices):
    WHOLE_YEAR = 0, _("全年")
    Q1 = 1, _("第一季度")
    Q2 = 2, _("第二季度")
    Q3 = 3, _("第三季度")
    Q4 = 4, _("第四季度")


class TrainingPlan(ClusterableModel):
    org_unit = models.ForeignKey(
        "organization.OrgUnit",
        verbose_name=_("制定机构"),
        on_delete=models.PROTECT,
        related_name="training_plans",
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    quarter = models.PositiveSmallIntegerField(
        _("季度"), choices=Quarter.choices, default=Quarter.WHOLE_YEAR
    )
    title = models.CharField(_("标题"), max_length=200)
    notes = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("制定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("培训计划")
        verbose_name_plural = _("培训计划")
        ordering = ["-year", "-quarter", "org_unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "year", "quarter"], name="plan_unit_period_unique"
            )
        ]

    def __str__(self):
        return self.title

    @property
    def period_label(self) -> str:
        return _("%(year)d年%(quarter)s") % {
            "year": self.year,
            "quarter": Quarter(self.quarter).label,
        }


class PlanItem(Orderable):
    """A line of a plan: so many sessions of a kind on a topic for an audience."""

    plan = ParentalKey(
        TrainingPlan, verbose_name=_("培训计划"), on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField(_("培训类型"), max_length=20, choices=SessionKind.choices)
    topic = models.CharField(_("主题"), max_length=100)
    audience = models.CharField(
        _("培训对象"), max_length=200, help_text=_("例如：人保寿险广州分公司个人代理人。")
    )
    planned_sessions = models.PositiveSmallIntegerField(
        _("计划场次"), default=1, validators=[MinValueValidator(1)]
    )
    target_headcount = models.PositiveIntegerField(_("目标人数"), validators=[MinValueValidator(1)])

    class Meta(Orderable.Meta):
        verbose_name = _("计划项目")
        verbose_name_plural = _("计划项目")

    def __str__(self):
        return f"{SessionKind(self.kind).label}：{self.topic}"
