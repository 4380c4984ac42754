"""Head-count of agents per org unit, kept by ``reports.rollups.people``.

``AgentRollup`` counts, per (unit, channel), the active people holding the agent role in the unit's
whole subtree. ``CountedAgent`` remembers, per person, where they are counted now (no row: not
counted), so every people event — whatever its order with the others — is "compare with the
person's current state, move the count": −1 at the old unit's ancestors, +1 at the new one's.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from organization.models import Channel


class AgentRollup(models.Model):
    unit = models.ForeignKey(
        "organization.OrgUnit", verbose_name=_("机构"), on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    n_agents = models.IntegerField(_("业务人员"), default=0)

    class Meta:
        verbose_name = _("业务人员统计")
        verbose_name_plural = _("业务人员统计")
        constraints = [
            models.UniqueConstraint(fields=["unit", "channel"], name="reports_agent_rollup_key")
        ]

    def __str__(self):
        return f"{self.unit_id}/{self.channel}"


class CountedAgent(models.Model):
    """Where ``AgentRollup`` counts a person now (their unit and channel)."""

    person = models.OneToOneField(
        "organization.Person",
        verbose_name=_("人员"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    unit = models.ForeignKey(
        "organization.OrgUnit", verbose_name=_("机构"), on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)

    class Meta:
        verbose_name = _("计入统计的业务人员")
        verbose_name_plural = _("计入统计的业务人员")

    def __str__(self):
        return str(self.person_id)
