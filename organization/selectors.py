"""Reads over the org tree and people that views and other apps share."""

from django.db.models import Count, Q
from django.db.models.functions import Substr

from .models import OrgUnit, Person
from .scope import scope_unit

STEPLEN = OrgUnit.steplen


def unit_ancestry(unit: OrgUnit) -> list[OrgUnit]:
    """The unit's ancestors from the root down, then the unit: one query."""
    paths = [unit.path[:end] for end in range(STEPLEN, len(unit.path) + 1, STEPLEN)]
    return list(OrgUnit.objects.filter(path__in=paths).order_by("depth"))


def child_units_with_headcount(unit: OrgUnit) -> list[OrgUnit]:
    """The unit's children, each with ``headcount`` (active people in its subtree): two queries."""
    children = list(unit.get_children())
    prefix_length = (unit.depth + 1) * STEPLEN
    counts = dict(
        Person.objects.active()
        .filter(org_unit__path__startswith=unit.path, org_unit__depth__gt=unit.depth)
        .annotate(prefix=Substr("org_unit__path", 1, prefix_length))
        .values_list("prefix")
        .annotate(n=Count("id"))
    )
    for child in children:
        child.headcount = counts.get(child.path, 0)
    return children


def scope_summary(user) -> dict | None:
    """What the home page says of a manager's or coordinator's subtree; None without a scope."""
    unit = scope_unit(user)
    if unit is None:
        return None
    totals = Person.objects.filter(org_unit__path__startswith=unit.path).aggregate(
        people=Count("id", filter=Q(is_active=True)),
        inactive=Count("id", filter=Q(is_active=False)),
    )
    return {
        "unit": unit,
        "ancestry": unit_ancestry(unit),
        "unit_count": OrgUnit.objects.filter(path__startswith=unit.path).count(),
        "people": totals["people"],
        "inactive": totals["inactive"],
        "children": child_units_with_headcount(unit),
    }
