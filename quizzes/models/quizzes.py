"""A quiz: which questions it asks and under what rules.

Questions come from fixed picks (``QuizQuestion``) and/or random rules (``QuizRandomRule``: N
active questions of a category, optionally of one difficulty); the attempt fixes the draw in its
snapshot, so editing the quiz or the bank later never changes a recorded result.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from .bank import COMPANY_CHOICES, Difficulty


class ReviewPolicy(models.TextChoices):
    AFTER_SUBMIT = "after_submit", _("提交后显示答案")
    AFTER_CLOSE = "after_close", _("考试关闭后显示答案")
    NEVER = "never", _("不显示答案")


class MultipleScoring(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", _("全对才得分")
    PARTIAL = "partial", _("按选项比例得分")


class Quiz(ClusterableModel):
    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    company = models.ForeignKey(
        "organization.OrgUnit",
        verbose_name=_("所属公司"),
        on_delete=models.PROTECT,
        limit_choices_to=COMPANY_CHOICES,
        related_name="quizzes",
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("认证课程"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quizzes",
        help_text=_("通过本考试即完成该课程。"),
    )
    time_limit_minutes = models.PositiveIntegerField(
        _("限时（分钟）"), default=30, validators=[MinValueValidator(1)]
    )
    pass_percent = models.PositiveSmallIntegerField(
        _("及格分数线（%）"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("允许次数"), default=3, help_text=_("0 表示不限次数。")
    )
    wait_minutes = models.PositiveIntegerField(
        _("两次作答间隔（分钟）"), default=0, help_text=_("上一次提交后须等待的时间。")
    )
    opens_at = models.DateTimeField(_("开放时间"), null=True, blank=True)
    closes_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    audience_root = models.ForeignKey(
        "organization.OrgUnit",
        verbose_name=_("受众机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "该机构及其下级机构的人员。不选：只选了受众公司时为这些公司的全部人员，"
            "否则为所属公司的全部人员。"
        ),
    )
    audience_companies = models.ManyToManyField(
        "organization.OrgUnit",
        verbose_name=_("受众公司"),
        blank=True,
        limit_choices_to=COMPANY_CHOICES,
        related_name="+",
        help_text=_("不选表示受众机构下的所有公司。"),
    )
    channels = models.JSONField(_("渠道"), default=list, blank=True)
    review_policy = models.CharField(
        _("答案显示"),
        max_length=16,
        choices=ReviewPolicy.choices,
        default=ReviewPolicy.AFTER_SUBMIT,
    )
    shuffle_questions = models.BooleanField(_("题目乱序"), default=True)
    shuffle_choices = models.BooleanField(_("选项乱序"), default=True)
    multiple_scoring = models.CharField(
        _("多选题计分"),
        max_length=16,
        choices=MultipleScoring.choices,
        default=MultipleScoring.ALL_OR_NOTHING,
    )
    published = models.BooleanField(_("已发布"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("考试")
        verbose_name_plural = _("考试")
        ordering = ["company_id", "title"]

    def __str__(self):
        return self.title

    def clean(self):
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("关闭时间必须晚于开放时间。")})


class QuizQuestion(models.Model):
    """A question the quiz always asks."""

    quiz = ParentalKey(
        Quiz, verbose_name=_("考试"), on_delete=models.CASCADE, related_name="fixed_questions"
    )
    question = models.ForeignKey(
        "quizzes.Question",
        verbose_name=_("题目"),
        on_delete=models.PROTECT,
        related_name="quiz_links",
    )
    sort_order = models.PositiveIntegerField(_("顺序"), default=0)
    points = models.PositiveSmallIntegerField(
        _("分值"), default=1, validators=[MinValueValidator(1)]
    )

    sort_order_field = "sort_order"

    class Meta:
        verbose_name = _("固定题目")
        verbose_name_plural = _("固定题目")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "question"], name="quizzes_quizquestion_unique_question"
            )
        ]

    def __str__(self):
        return str(self.question)


class QuizRandomRule(models.Model):
    """Draw ``count`` active questions of a category (of one difficulty, when given)."""

    quiz = ParentalKey(
        Quiz, verbose_name=_("考试"), on_delete=models.CASCADE, related_name="random_rules"
    )
    category = models.ForeignKey(
        "quizzes.QuestionCategory",
        verbose_name=_("分类"),
        on_delete=models.PROTECT,
        related_name="quiz_rules",
    )
    difficulty = models.PositiveSmallIntegerField(
        _("难度"), choices=Difficulty.choices, null=True, blank=True, help_text=_("不选表示不限。")
    )
    count = models.PositiveSmallIntegerField(
        _("抽取题数"), default=5, validators=[MinValueValidator(1)]
    )
    points = models.PositiveSmallIntegerField(
        _("每题分值"), default=1, validators=[MinValueValidator(1)]
    )
    sort_order = models.PositiveIntegerField(_("顺序"), default=0)

    sort_order_field = "sort_order"

    class Meta:
        verbose_name = _("随机抽题规则")
        verbose_name_plural = _("随机抽题规则")
        ordering = ["sort_order", "id"]

    def __str__(self):
        return f"{self.category} × {self.count}"
