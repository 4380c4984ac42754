"""Enrolment counters per org unit, kept by ``reports.rollups`` in the same transaction as every
enrolment write, so a dashboard never scans enrolments.

One row per (unit, course, channel, assignment, due date) counts the enrolments of the active
people in the unit's whole subtree (the unit itself and every unit under it). Keys never hold
NULL (``ON CONFLICT`` would not match NULLs): ``assignment_key`` 0 means "no assignment" and
``due_date`` ``NO_DUE_DATE`` means "no due date" (it is never before today, so never overdue).
"""

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from organization.models import Channel

NO_DUE_DATE = date(9999, 12, 31)


class EnrollmentRollup(models.Model):
    unit = models.ForeignKey(
        "organization.OrgUnit", verbose_name=_("机构"), on_delete=models.CASCADE, related_name="+"
    )
    course = models.ForeignKey(
        "courses.CoursePage", verbose_name=_("课程"), on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    assignment_key = models.IntegerField(_("必修指派"), default=0)
    due_date = models.DateField(_("完成期限"), default=NO_DUE_DATE)
    n_enrolled = models.IntegerField(_("选课人数"), default=0)
    n_in_progress = models.IntegerField(_("学习中"), default=0)
    n_completed = models.IntegerField(_("已完成"), default=0)

    class Meta:
        verbose_name = _("学习统计")
        verbose_name_plural = _("学习统计")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "course", "channel", "assignment_key", "due_date"],
                name="reports_rollup_key",
            )
        ]

    def __str__(self):
        return f"{self.unit_id}/{self.course_id}/{self.channel}"
