"""Who studies what: enrolments, lesson progress and mandatory assignments.

``Enrollment`` is the row dashboards read (DESIGN.md). It carries a copy of the person's org path,
company and channel, indexed with the course, so "completion of course X under 广东分公司" is one
``GROUP BY`` over ``org_path LIKE '<path>%'`` whatever the head-count. ``courses.receivers`` keeps
the copies in step when units or people move.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from organization.models import Channel, OrgUnitKind


class EnrollmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("学习中")
    COMPLETED = "completed", _("已完成")


class EnrollmentSource(models.TextChoices):
    SELF = "self", _("自主学习")
    ASSIGNED = "assigned", _("指派学习")


class Assignment(models.Model):
    """A coordinator's order: everyone in the audience must complete the course by the due date.

    The audience is the subtree under ``audience_root``, cut down by companies, channels and roles;
    an empty list means "all". People who join the audience later are enrolled too.
    """

    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("课程"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    audience_root = models.ForeignKey(
        "organization.OrgUnit",
        verbose_name=_("受众机构"),
        help_text=_("该机构及其下级机构的人员。"),
        on_delete=models.PROTECT,
        related_name="course_assignments",
    )
    audience_companies = models.ManyToManyField(
        "organization.OrgUnit",
        verbose_name=_("受众公司"),
        blank=True,
        limit_choices_to={"kind": OrgUnitKind.COMPANY},
        related_name="+",
        help_text=_("不选表示受众机构下的所有公司。"),
    )
    channels = models.JSONField(_("渠道"), default=list, blank=True)
    roles = models.JSONField(_("角色"), default=list, blank=True)
    due_date = models.DateField(_("完成期限"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指派人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("指派时间"), auto_now_add=True)
    active = models.BooleanField(
        _("有效"),
        default=True,
        help_text=_("停用后，新加入受众的人员不再自动获得该课程；已有的学习记录保留。"),
    )

    class Meta:
        verbose_name = _("必修指派")
        verbose_name_plural = _("必修指派")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.course.title} → {self.audience_root.name}"


class Enrollment(models.Model):
    person = models.ForeignKey(
        "organization.Person",
        verbose_name=_("学员"),
        on_delete=models.CASCADE,
        related_name="enrollments",
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("课程"),
        on_delete=models.CASCADE,
        related_name="enrollments",
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=EnrollmentStatus.choices,
        default=EnrollmentStatus.NOT_STARTED,
    )
    percent = models.PositiveSmallIntegerField(
        _("完成百分比"), default=0, validators=[MaxValueValidator(100)]
    )
    started_at = models.DateTimeField(_("开始学习时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    due_date = models.DateField(_("完成期限"), null=True, blank=True)
    # When the person passed the course's certification quiz (quizzes records it; a regrade may
    # clear it). The rule "all required lessons and pass the quiz" reads it.
    quiz_passed_at = models.DateTimeField(_("通过考试时间"), null=True, blank=True)
    source = models.CharField(
        _("来源"), max_length=16, choices=EnrollmentSource.choices, default=EnrollmentSource.SELF
    )
    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("必修指派"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enrollments",
    )
    # Copies of the person's place, for dashboards (kept in step by courses.receivers).
    org_path = models.CharField(_("机构路径"), max_length=255)
    company = models.ForeignKey(
        "organization.OrgUnit",
        verbose_name=_("所属公司"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("选课记录")
        verbose_name_plural = _("选课记录")
        constraints = [
            models.UniqueConstraint(fields=["person", "course"], name="enrollment_person_course"),
            models.CheckConstraint(
                condition=models.Q(percent__lte=100), name="enrollment_percent_max_100"
            ),
        ]
        indexes = [
            # A subtree rollup: WHERE course_id = %s AND org_path LIKE 'prefix%'. On PostgreSQL a
            # LIKE prefix uses a btree only with the pattern operator class.
            models.Index(
                fields=["course", "org_path"],
                name="enrollment_course_path",
                opclasses=["", "varchar_pattern_ops"],
            ),
            models.Index(fields=["person", "status"], name="enrollment_person_status"),
        ]

    def __str__(self):
        return f"{self.person} · {self.course.title}"

    @property
    def is_completed(self) -> bool:
        return self.status == EnrollmentStatus.COMPLETED


class LessonProgress(models.Model):
    """One person's progress in one lesson.

    Media lessons keep the merged watched intervals of the lesson's tracked media (see
    ``media_library.watching``); text lessons are marked done by the learner.
    """

    person = models.ForeignKey(
        "organization.Person",
        verbose_name=_("学员"),
        on_delete=models.CASCADE,
        related_name="lesson_progress",
    )
    lesson = models.ForeignKey(
        "courses.LessonPage",
        verbose_name=_("课时"),
        on_delete=models.CASCADE,
        related_name="progress_records",
    )
    watched_intervals = models.JSONField(_("已观看区间"), default=list, blank=True)
    watched_seconds = models.FloatField(_("已观看秒数"), default=0)
    last_position = models.FloatField(_("上次播放位置（秒）"), default=0)
    # The heartbeat token bucket (media_library.watching.accept_heartbeat); None before the first.
    heartbeat_credit = models.FloatField(null=True, blank=True, editable=False)
    last_heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    marked_done = models.BooleanField(_("已标记完成"), default=False)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("课时进度")
        verbose_name_plural = _("课时进度")
        constraints = [
            models.UniqueConstraint(fields=["person", "lesson"], name="lesson_progress_unique")
        ]

    def __str__(self):
        return f"{self.person} · {self.lesson.title}"

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None
