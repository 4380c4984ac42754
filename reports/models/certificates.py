"""Certificate holders per org unit, kept by ``reports.rollups.certificates``.

``CertificationRollup`` counts, per (unit, certification, channel, expiry date), the active people
of the unit's whole subtree whose *current* certificate of that certification — the unrevoked one
that expires last — expires on that date. Valid on day D: ``expires_on >= D``; so the passing of
a day needs no write. ``CountedHolder`` remembers, per (person, certification), how the person is
counted now (no row: not counted), so each event just compares and moves the count.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from organization.models import Channel


class CertificationRollup(models.Model):
    unit = models.ForeignKey(
        "organization.OrgUnit", verbose_name=_("机构"), on_delete=models.CASCADE, related_name="+"
    )
    certification = models.ForeignKey(
        "quizzes.Certification",
        verbose_name=_("资格认证"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    expires_on = models.DateField(_("有效期至"))
    n_holders = models.IntegerField(_("持证人数"), default=0)

    class Meta:
        verbose_name = _("资格统计")
        verbose_name_plural = _("资格统计")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "certification", "channel", "expires_on"],
                name="reports_certification_rollup_key",
            )
        ]

    def __str__(self):
        return f"{self.unit_id}/{self.certification_id}/{self.expires_on}"


class CountedHolder(models.Model):
    """How ``CertificationRollup`` counts a person for one certification now."""

    person = models.ForeignKey(
        "organization.Person", verbose_name=_("人员"), on_delete=models.CASCADE, related_name="+"
    )
    certification = models.ForeignKey(
        "quizzes.Certification",
        verbose_name=_("资格认证"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    unit = models.ForeignKey(
        "organization.OrgUnit", verbose_name=_("机构"), on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    expires_on = models.DateField(_("有效期至"))

    class Meta:
        verbose_name = _("计入统计的持证人")
        verbose_name_plural = _("计入统计的持证人")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "certification"], name="reports_counted_holder_key"
            )
        ]

    def __str__(self):
        return f"{self.person_id}/{self.certification_id}"
