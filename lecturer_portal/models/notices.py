"""In-app notices: what the platform tells a person (the e-mail, when there is one, says the same).

Written by ``lecturer_portal.notifications.notify``; read on the notices page and the home panel.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    SESSION_PUBLISHED = "session_published", _("新培训场次")
    SESSION_CHANGED = "session_changed", _("场次变更")
    SESSION_CANCELLED = "session_cancelled", _("场次取消")
    ASSIGNMENT_INVITED = "assignment_invited", _("授课邀请")
    ASSIGNMENT_ANSWERED = "assignment_answered", _("讲师回复")
    ASSIGNMENT_WITHDRAWN = "assignment_withdrawn", _("指派撤回")
    # Sent by reports (a manager reminding overdue learners); notices serve the whole platform.
    TRAINING_REMINDER = "training_reminder", _("学习提醒")


class Notice(models.Model):
    recipient = models.ForeignKey(
        "organization.Person",
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    kind = models.CharField(_("类型"), max_length=32, choices=NoticeKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    session = models.ForeignKey(
        "lecturer_portal.TrainingSession",
        verbose_name=_("培训场次"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notices",
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "-created_at"], name="notice_recipient_idx")]

    def __str__(self):
        return self.title
