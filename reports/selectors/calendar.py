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
    counted = filters.counted_unit_q(unit)
    if counted is None:
        return {}
    rows = CertificationRollup.objects.filter(
        counted & filters.rollup_q(certification=True), expires_on__range=(start, end)
    )
    return dict(
        rows.order_by()
        .values("expires_on")
        .annotate(n=Sum("n_holders"))
        .values_list("expires_on", "n")
    )
