"""Training sessions and the lecturers assigned to them.

A session's audience is named like a mandatory assignment's (``courses.Assignment``): the subtree
under ``audience_root`` × companies × channels, an empty list meaning "all"; the people in it come
from ``courses.selectors.audience_people``.

``LecturerAssignment`` copies its session's start and end, so "is this lecturer free then?" is one
range scan of a partial index on (lecturer, starts_at, ends_at) over the active assignments,
whatever the number of sessions. ``services.session_update`` keeps the copies in step.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organization.models import Channel, OrgUnitKind

from .lecturers import COMPANY_CHOICES
from .plans import SessionKind


class SessionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    IN_PROGRESS = "in_progress", _("进行中")
    COMPLETED = "completed", _("已结束")
    CANCELLED = "cancelled", _("已取消")


# Sessions whose details can still change and which can take lecturers.
OPEN_STATUSES = (SessionStatus.DRAFT, SessionStatus.PUBLISHED)


class TrainingSession(models.Model):
    title = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("培训类型"), max_length=20, choices=SessionKind.choices)
    topic = models.CharField(_("主题"), max_length=100)
    description = models.TextField(_("介绍"), blank=True, max_length=4000)
    product_company = models.ForeignKey(
        "organization.OrgUnit",
        verbose_name=_("产品所属公司"),
        on_delete=models.PROTECT,
        limit_choices_to=COMPANY_CHOICES,
        related_name="+",
        help_text=_("本场培训讲授哪家公司的产品；讲师须具备该公司产品的授课资格。"),
    )
    host_unit = models.ForeignKey(
        "organization.OrgUnit",
        verbose_name=_("主办机构"),
        on_delete=models.PROTECT,
        related_name="hosted_sessions",
    )
    audience_root = models.ForeignKey(
        "organization.OrgUnit",
        verbose_name=_("受众机构"),
        on_delete=models.PROTECT,
        related_name="audience_sessions",
        help_text=_("该机构及其下级机构的人员；可以是同一地区另一家公司的机构。"),
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
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("关联课程"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_sessions",
    )
    documents = models.ManyToManyField(
        "media_library.TrainingDocument", verbose_name=_("培训资料"), blank=True, related_name="+"
    )
    media = models.ManyToManyField(
        "media_library.TrainingMedia", verbose_name=_("音视频资料"), blank=True, related_name="+"
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    online_url = models.URLField(_("线上链接"), blank=True)
    capacity = models.PositiveIntegerField(_("人数上限"), validators=[MinValueValidator(1)])
    assistant_slots = models.PositiveSmallIntegerField(
        _("助教名额"), default=1, help_text=_("主讲讲师之外可指派的助教人数。")
    )
    registration_deadline = models.DateTimeField(_("报名截止时间"))
    allow_walk_ins = models.BooleanField(
        _("允许现场签到"),
        default=False,
        help_text=_("勾选后，受众中未报名的人员也可以扫码签到。"),
    )
    assessment_quiz = models.ForeignKey(
        "quizzes.Quiz",
        verbose_name=_("考核考试"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("转培训场次：参训人员通过这场考试即取得授课资格（讲师也可以直接标记通过）。"),
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=SessionStatus.choices,
        default=SessionStatus.DRAFT,
        editable=False,
    )
    cancel_reason = models.TextField(_("取消原因"), blank=True, editable=False)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, editable=False)
    plan_item = models.ForeignKey(
        "lecturer_portal.PlanItem",
        verbose_name=_("所属计划项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("培训场次")
        verbose_name_plural = _("培训场次")
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["starts_at"], name="session_starts_idx"),
            models.Index(fields=["status", "starts_at"], name="session_status_starts_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="session_ends_after_start",
                violation_error_code="ends_before_start",
                violation_error_message=_("结束时间必须晚于开始时间。"),
            )
        ]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("结束时间必须晚于开始时间。")
        if (
            self.starts_at
            and self.registration_deadline
            and self.registration_deadline > self.starts_at
        ):
            errors["registration_deadline"] = _("报名截止时间不能晚于开始时间。")
        if not self.place.strip() and not self.online_url:
            errors["place"] = _("请填写培训地点或线上链接（至少一项）。")
        if self.product_company_id and self.product_company.kind != OrgUnitKind.COMPANY:
            errors["product_company"] = _("产品所属公司须是一家子公司。")
        unknown = set(self.channels or []) - set(Channel.values)
        if unknown:
            errors["channels"] = _("未知的渠道：%(v)s。") % {"v": "、".join(sorted(unknown))}
        if errors:
            raise ValidationError(errors)

    @property
    def is_online_only(self) -> bool:
        return bool(self.online_url) and not self.place.strip()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def local_time_range(self) -> str:
        """ "2025-03-05 09:00–11:30" in the site's time zone (across days, both dates)."""
        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        end_format = "%H:%M" if start.date() == end.date() else "%Y-%m-%d %H:%M"
        return f"{start:%Y-%m-%d %H:%M}–{end.strftime(end_format)}"


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("主讲")
    ASSISTANT = "assistant", _("助教")


class AssignmentStatus(models.TextChoices):
    INVITED = "invited", _("待确认")
    ACCEPTED = "accepted", _("已接受")
    DECLINED = "declined", _("已拒绝")
    WITHDRAWN = "withdrawn", _("已撤回")
    CANCELLED = "cancelled", _("场次已取消")


# An assignment holds the lecturer's time and the session's slot only while it is one of these;
# a decline, a withdrawal or the session's cancellation frees both.
ACTIVE_ASSIGNMENT_STATUSES = (AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED)
ACTIVE_ASSIGNMENT = Q(status__in=ACTIVE_ASSIGNMENT_STATUSES)


class LecturerAssignment(models.Model):
    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("培训场次"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    lecturer = models.ForeignKey(
        "lecturer_portal.LecturerProfile",
        verbose_name=_("讲师"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    role = models.CharField(_("角色"), max_length=16, choices=AssignmentRole.choices)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.INVITED,
    )
    # Copies of the session's times (see the module docstring).
    starts_at = models.DateTimeField(_("开始时间"), editable=False)
    ends_at = models.DateTimeField(_("结束时间"), editable=False)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指派人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("指派时间"), auto_now_add=True)
    responded_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    response_note = models.CharField(_("回复说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("讲师指派")
        verbose_name_plural = _("讲师指派")
        ordering = ["session", "role", "created_at"]
        indexes = [
            models.Index(
                fields=["lecturer", "starts_at", "ends_at"],
                condition=ACTIVE_ASSIGNMENT,
                name="assignment_busy_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "lecturer"],
                condition=ACTIVE_ASSIGNMENT,
                name="assignment_one_active_per_lecturer",
            ),
            models.UniqueConstraint(
                fields=["session"],
                condition=ACTIVE_ASSIGNMENT & Q(role=AssignmentRole.LEAD),
                name="assignment_one_active_lead",
            ),
        ]

    def __str__(self):
        return f"{self.session} · {self.lecturer}（{self.get_role_display()}）"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_ASSIGNMENT_STATUSES
