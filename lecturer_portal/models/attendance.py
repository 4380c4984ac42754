"""Registration, the waiting list, check-in and feedback of a training session (issue 5, 6–8).

One ``Registration`` per person and session: ``registered`` (holds a seat), ``waitlisted`` (in
the order of ``waitlisted_at``), ``cancelled`` or ``attended`` (checked in, by QR or by hand).
Attended people hold their seat too. A cascade session's ``passed_at`` is the assessment's pass
(the linked quiz or the lecturer's mark); it makes the person a qualified lecturer.
``Feedback`` is one row per attendee and session: the unique constraint is what "once" means.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("已报名")
    WAITLISTED = "waitlisted", _("候补中")
    CANCELLED = "cancelled", _("已取消")
    ATTENDED = "attended", _("已签到")


# Statuses that take a seat out of the capacity.
SEATED_STATUSES = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED)


class CheckInMethod(models.TextChoices):
    QR = "qr", _("扫码签到")
    MANUAL = "manual", _("讲师代签")
    WALK_IN = "walk_in", _("现场扫码（未报名）")


class Registration(models.Model):
    session = models.ForeignKey(
        "lecturer_portal.TrainingSession",
        verbose_name=_("培训场次"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    person = models.ForeignKey(
        "organization.Person",
        verbose_name=_("学员"),
        on_delete=models.CASCADE,
        related_name="session_registrations",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=RegistrationStatus.choices, db_index=True
    )
    registered_at = models.DateTimeField(_("报名时间"))
    waitlisted_at = models.DateTimeField(_("候补时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    check_in_method = models.CharField(
        _("签到方式"), max_length=16, choices=CheckInMethod.choices, blank=True
    )
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代签人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报名人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    passed_at = models.DateTimeField(_("考核通过时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["session", "registered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="registration_unique")
        ]
        indexes = [
            models.Index(
                fields=["session", "waitlisted_at"],
                condition=Q(status="waitlisted"),
                name="registration_waitlist_idx",
            ),
        ]

    def __str__(self):
        return f"{self.session} · {self.person}（{self.get_status_display()}）"


class Feedback(models.Model):
    session = models.ForeignKey(
        "lecturer_portal.TrainingSession",
        verbose_name=_("培训场次"),
        on_delete=models.CASCADE,
        related_name="feedback",
    )
    person = models.ForeignKey(
        "organization.Person",
        verbose_name=_("学员"),
        on_delete=models.CASCADE,
        related_name="session_feedback",
    )
    lecturer_rating = models.PositiveSmallIntegerField(
        _("讲师评分"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    content_rating = models.PositiveSmallIntegerField(
        _("内容评分"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("意见"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("培训评价")
        verbose_name_plural = _("培训评价")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="feedback_once"),
            models.CheckConstraint(
                condition=Q(lecturer_rating__gte=1, lecturer_rating__lte=5)
                & Q(content_rating__gte=1, content_rating__lte=5),
                name="feedback_rating_range",
            ),
        ]

    def __str__(self):
        return f"{self.session} · {self.person}"
