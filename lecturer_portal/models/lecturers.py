"""The lecturer corps, lecturer profiles and what each lecturer is qualified to teach.

A lecturer is an ``organization.Person`` holding the lecturer role; ``LecturerProfile`` adds what
training needs to know about them. Their home unit is the person's own org unit (not a copy), so a
move in the org tree moves the lecturer too.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.images import get_image_model_string

from organization.models import OrgUnitKind

COMPANY_CHOICES = {"kind": OrgUnitKind.COMPANY}


class LecturerLevel(models.TextChoices):
    SENIOR = "senior", _("高级讲师")
    INTERMEDIATE = "intermediate", _("中级讲师")
    JUNIOR = "junior", _("初级讲师")


# Suggestions list senior lecturers first.
LEVEL_RANK = {LecturerLevel.SENIOR: 0, LecturerLevel.INTERMEDIATE: 1, LecturerLevel.JUNIOR: 2}


class Employment(models.TextChoices):
    FULL_TIME = "full_time", _("专职")
    PART_TIME = "part_time", _("兼职")


class LecturerCorps(models.Model):
    """A lecturer corps: the group's 营销培训讲师团, a company's or a branch's.

    The owning unit decides who manages it (its coordinators) and who may join (lecturers of its
    subtree). A session hosted anywhere under the owning unit may call on its members.
    """

    name = models.CharField(_("名称"), max_length=100)
    owning_unit = models.ForeignKey(
        "organization.OrgUnit",
        verbose_name=_("所属机构"),
        on_delete=models.PROTECT,
        related_name="lecturer_corps",
        help_text=_("集团的讲师团属于集团；子公司、分公司的讲师团属于该公司。"),
    )
    description = models.TextField(_("简介"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("讲师团")
        verbose_name_plural = _("讲师团")
        ordering = ["owning_unit__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["owning_unit", "name"], name="corps_unit_name_unique")
        ]

    def __str__(self):
        return self.name


class LecturerProfile(ClusterableModel):
    person = models.OneToOneField(
        "organization.Person",
        verbose_name=_("讲师"),
        on_delete=models.PROTECT,
        related_name="lecturer_profile",
    )
    level = models.CharField(
        _("讲师级别"), max_length=16, choices=LecturerLevel.choices, default=LecturerLevel.JUNIOR
    )
    employment = models.CharField(
        _("专兼职"), max_length=16, choices=Employment.choices, default=Employment.FULL_TIME
    )
    corps = ParentalManyToManyField(
        LecturerCorps, verbose_name=_("所属讲师团"), blank=True, related_name="members"
    )
    bio = models.TextField(_("个人简介"), blank=True, max_length=2000)
    photo = models.ForeignKey(
        get_image_model_string(),
        verbose_name=_("照片"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(
        _("可承接授课"), default=True, help_text=_("停用后不再被指派和推荐，已有记录保留。")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("讲师档案")
        verbose_name_plural = _("讲师档案")
        ordering = ["person__employee_no"]

    def __str__(self):
        return self.person.name

    @property
    def home_unit(self):
        return self.person.org_unit


class QualificationSource(models.TextChoices):
    APPOINTED = "appointed", _("聘任")
    CERTIFIED = "certified", _("通过资格认证")
    CASCADE = "cascade", _("参加转培训")


class Qualification(models.Model):
    """A lecturer may teach one company's products, on one topic or (topic left empty) on all.

    ``source_session`` names the cascade session a ``cascade`` qualification came from, so later
    sessions can show who trained the trainer.
    """

    lecturer = ParentalKey(
        LecturerProfile,
        verbose_name=_("讲师"),
        on_delete=models.CASCADE,
        related_name="qualifications",
    )
    company = models.ForeignKey(
        "organization.OrgUnit",
        verbose_name=_("产品所属公司"),
        on_delete=models.PROTECT,
        limit_choices_to=COMPANY_CHOICES,
        related_name="+",
    )
    topic = models.CharField(
        _("主题"), max_length=100, blank=True, help_text=_("不填表示该公司产品的全部主题。")
    )
    source = models.CharField(
        _("资格来源"),
        max_length=16,
        choices=QualificationSource.choices,
        default=QualificationSource.APPOINTED,
    )
    obtained_on = models.DateField(_("取得日期"))
    source_session = models.ForeignKey(
        "lecturer_portal.TrainingSession",
        verbose_name=_("来源场次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="qualifications_granted",
    )

    class Meta:
        verbose_name = _("授课资格")
        verbose_name_plural = _("授课资格")
        ordering = ["company__path", "topic"]
        constraints = [
            models.UniqueConstraint(
                fields=["lecturer", "company", "topic"], name="qualification_unique"
            )
        ]

    def __str__(self):
        topic = self.topic or _("全部主题")
        return f"{self.company}·{topic}"

    def clean(self):
        self.topic = self.topic.strip()
        if self.company_id and self.company.kind != OrgUnitKind.COMPANY:
            raise ValidationError({"company": _("请选择一家子公司（其产品）。")})
        if self.source == QualificationSource.CASCADE and self.source_session_id is None:
            raise ValidationError({"source_session": _("来自转培训的资格须注明来源场次。")})
