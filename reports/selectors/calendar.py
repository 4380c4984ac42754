"""Certificates expiring per day at one unit, for the dashboard's expiry calendar."""

from datetime import date

from django.db.models import Sum

from organization.models import OrgUnit

from ..filters import Filters
from ..models import CertificationRollup


def expiry_by_day(*, unit: OrgUnit, filters: Filters, start: date, end: date) -> dict[date, int]:
    """``{expiry date: holders}`` for the current certificates of ``unit``'s subtree expiring
    between ``start`` and ``end`` (both included): one query on ``CertificationRollup``, or none
    when the company filter excludes the unit."""
    target = unit.pk
    if filters.company_id and unit.company_id != filters.company_id:
        if unit.company_id is not None:
            return {}  # a unit of another company
        # The group, filtered to a company: the company unit's rows count the same people.
        target = filters.company_id
    rows = CertificationRollup.objects.filter(unit_id=target, expires_on__range=(start, end))
    if filters.certification_id:
        rows = rows.filter(certification_id=filters.certification_id)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    return dict(
        rows.order_by()
        .values("expires_on")
        .annotate(n=Sum("n_holders"))
        .values_list("expires_on", "n")
    )
