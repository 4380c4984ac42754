"""Reminders to overdue people: one ``ReminderBatch`` per click on "提醒逾期人员", one ``Reminder``
per person reminded. The unique (person, day) constraint is the rate limit: a person is reminded
at most once a day, whoever clicks and however many clicks race (the database refuses the second
row, so nobody is sent twice)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReminderBatch(models.Model):
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发送人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit = models.ForeignKey(
        "organization.OrgUnit", verbose_name=_("机构"), on_delete=models.CASCADE, related_name="+"
    )
    course = models.ForeignKey(
        "courses.CoursePage", verbose_name=_("课程"), on_delete=models.CASCADE, related_name="+"
    )
    assignment = models.ForeignKey(
        "courses.Assignment",
        verbose_name=_("必修指派"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    n_reminded = models.IntegerField(_("提醒人数"), default=0)
    n_skipped = models.IntegerField(_("今日已提醒跳过"), default=0)
    # Set by the task that sends the notices and e-mails, so a retried task sends nothing twice.
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("逾期提醒")
        verbose_name_plural = _("逾期提醒")

    def __str__(self):
        return f"{self.course_id}@{self.unit_id} {self.created_at:%Y-%m-%d}"


class Reminder(models.Model):
    batch = models.ForeignKey(
        ReminderBatch,
        verbose_name=_("提醒批次"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    person = models.ForeignKey(
        "organization.Person", verbose_name=_("人员"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("日期"))

    class Meta:
        verbose_name = _("提醒记录")
        verbose_name_plural = _("提醒记录")
        constraints = [
            models.UniqueConstraint(fields=["person", "day"], name="reports_reminder_once_a_day")
        ]

    def __str__(self):
        return f"{self.person_id} {self.day}"
