"""Attempts: a person's sitting of a quiz, its answers, and the audit trail of regrades.

``Attempt.snapshot`` fixes at the start what was asked — questions in the order shown, choices in
the order shown, points, and the answer key (``quizzes.grading`` describes the format) — so
editing the bank or the quiz later never changes a recorded result. The key never leaves the
server before the attempt is submitted.

Every position of the snapshot has its ``AttemptAnswer`` row from the start; saving an answer is
an ``UPDATE`` of that row, and grading writes each row's mark, so statistics are a query over the
rows. ``(quiz, person, number)`` is unique: two starts racing for the same attempt number cannot
both win, and the attempt limit holds.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("答题中")
    SUBMITTED = "submitted", _("已交卷")


class SubmitReason(models.TextChoices):
    PERSON = "person", _("考生交卷")
    DEADLINE = "deadline", _("时间到自动交卷")


class Attempt(models.Model):
    quiz = models.ForeignKey(
        "quizzes.Quiz", verbose_name=_("考试"), on_delete=models.PROTECT, related_name="attempts"
    )
    person = models.ForeignKey(
        "organization.Person",
        verbose_name=_("考生"),
        on_delete=models.PROTECT,
        related_name="quiz_attempts",
    )
    number = models.PositiveSmallIntegerField(_("第几次"))
    status = models.CharField(
        _("状态"), max_length=16, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS
    )
    started_at = models.DateTimeField(_("开始时间"))
    deadline = models.DateTimeField(_("截止时间"))
    submitted_at = models.DateTimeField(_("交卷时间"), null=True, blank=True)
    submit_reason = models.CharField(
        _("交卷方式"), max_length=16, choices=SubmitReason.choices, blank=True
    )
    snapshot = models.JSONField(_("试卷快照"), editable=False)
    score = models.DecimalField(_("得分"), max_digits=8, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(_("满分"), max_digits=8, decimal_places=2)
    percent = models.DecimalField(
        _("得分率（%）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    passed = models.BooleanField(_("通过"), null=True, blank=True)
    graded_at = models.DateTimeField(_("评分时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("答题记录")
        verbose_name_plural = _("答题记录")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "person", "number"], name="quizzes_attempt_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(status="in_progress") | models.Q(submitted_at__isnull=False),
                name="quizzes_attempt_submitted_has_time",
            ),
        ]
        indexes = [
            # attempts_close_overdue: WHERE status = 'in_progress' AND deadline < now.
            models.Index(fields=["status", "deadline"], name="quizzes_attempt_open_deadline"),
            models.Index(fields=["quiz", "status"], name="quizzes_attempt_quiz_status"),
        ]

    def __str__(self):
        return f"{self.quiz} · {self.person} · #{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status == AttemptStatus.IN_PROGRESS

    @property
    def question_count(self) -> int:
        return len(self.snapshot["questions"])


class AttemptAnswer(models.Model):
    """The response at one position of an attempt (``None`` until answered) and, once graded, its
    mark. ``question`` links the bank question for statistics; the snapshot stays the record."""

    attempt = models.ForeignKey(
        Attempt, verbose_name=_("答题记录"), on_delete=models.CASCADE, related_name="answers"
    )
    position = models.PositiveSmallIntegerField(_("题号"))
    question = models.ForeignKey(
        "quizzes.Question",
        verbose_name=_("题目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attempt_answers",
    )
    response = models.JSONField(_("作答"), null=True, blank=True)
    saved_at = models.DateTimeField(_("保存时间"), null=True, blank=True)
    mark = models.DecimalField(_("得分"), max_digits=9, decimal_places=5, null=True, blank=True)
    max_mark = models.DecimalField(_("分值"), max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("作答")
        verbose_name_plural = _("作答")
        ordering = ["attempt_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "position"], name="quizzes_answer_unique_position"
            )
        ]

    def __str__(self):
        return f"{self.attempt_id} · {self.position + 1}"


class RegradeLog(models.Model):
    """One manual regrade of a question: who, why, the key before and after, and every attempt
    whose result it changed (``changes``: attempt id, old and new score and pass)."""

    question = models.ForeignKey(
        "quizzes.Question",
        verbose_name=_("题目"),
        on_delete=models.PROTECT,
        related_name="regrades",
    )
    quiz = models.ForeignKey(
        "quizzes.Quiz",
        verbose_name=_("考试"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="regrades",
        help_text=_("只重评这场考试的答题记录；不选表示所有考试。"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("原因"))
    old_keys = models.JSONField(_("原答案"), default=list, blank=True)
    new_key = models.JSONField(_("新答案"))
    attempts_regraded = models.PositiveIntegerField(_("重评记录数"), default=0)
    attempts_changed = models.PositiveIntegerField(_("成绩变化数"), default=0)
    changes = models.JSONField(_("变化明细"), default=list, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("重新评分记录")
        verbose_name_plural = _("重新评分记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.question} · {self.created_at:%Y-%m-%d %H:%M}"
