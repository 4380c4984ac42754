"""Counters of activity over time, kept by ``reports.rollups`` in the same transaction as the
writes they count, so a period filter or a trend reads a few rows per unit.

``CompletionRollup``: completed enrolments of the active people in the unit's subtree by the local
date of their completion (fed by the same deltas as ``EnrollmentRollup``).
``AttendanceRollup``: attendances (checked-in registrations) of the active people in the unit's
subtree by the local date of the session's start. A registration copies neither the person's unit
nor their channel, so ``AttendeePlace`` remembers where each attendee's attendances are counted;
a person event compares it with the person's current unit, channel and state.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from organization.models import Channel


class CompletionRollup(models.Model):
    unit = models.ForeignKey(
        "organization.OrgUnit", verbose_name=_("机构"), on_delete=models.CASCADE, related_name="+"
    )
    course = models.ForeignKey(
        "courses.CoursePage", verbose_name=_("课程"), on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    assignment_key = models.IntegerField(_("必修指派"), default=0)
    completed_on = models.DateField(_("完成日期"))
    n_completed = models.IntegerField(_("已完成"), default=0)

    class Meta:
        verbose_name = _("完成统计")
        verbose_name_plural = _("完成统计")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "course", "channel", "assignment_key", "completed_on"],
                name="reports_completion_key",
            )
        ]

    def __str__(self):
        return f"{self.unit_id}/{self.course_id}/{self.completed_on}"


class AttendanceRollup(models.Model):
    unit = models.ForeignKey(
        "organization.OrgUnit", verbose_name=_("机构"), on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    session_kind = models.CharField(_("场次类型"), max_length=32)
    attended_on = models.DateField(_("培训日期"))
    n_attended = models.IntegerField(_("参训人次"), default=0)

    class Meta:
        verbose_name = _("参训统计")
        verbose_name_plural = _("参训统计")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "channel", "session_kind", "attended_on"],
                name="reports_attendance_key",
            )
        ]

    def __str__(self):
        return f"{self.unit_id}/{self.session_kind}/{self.attended_on}"


class AttendeePlace(models.Model):
    """Where a person's attendances are counted now: one row per person who ever checked in."""

    person = models.OneToOneField(
        "organization.Person",
        verbose_name=_("学员"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="attendee_place",
    )
    org_path = models.CharField(_("机构路径"), max_length=255, db_index=True)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    counted = models.BooleanField(_("计入统计"))

    class Meta:
        verbose_name = _("参训统计位置")
        verbose_name_plural = _("参训统计位置")

    def __str__(self):
        return f"{self.person_id}@{self.org_path}"
