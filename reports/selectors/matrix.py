"""The cross-company matrix: per child unit, the people holding a valid cross-selling
certification, by pair — 产代寿 is a holder of the 财险 line selling 寿险 products.

The holder's line is the line of their company (every unit under a company belongs to it, so a
child unit has one holder line); the product line is the certification's product company's
(``Certification.business_line``). Read from ``CertificationRollup`` only: three queries (the
unit and its children, certifications, rollup sums) whatever the number of child units. A person
counts once per certification; holding two certifications of the same pair counts twice.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from courses.models import business_line
from organization.models import OrgUnit
from quizzes.models import Certification

from ..filters import Filters
from ..models import CertificationRollup

# (holder line, product line): the six pairs, in the order of the table's columns.
PAIRS = [("产", "寿"), ("寿", "产"), ("产", "健"), ("健", "产"), ("寿", "健"), ("健", "寿")]


def pair_label(pair: tuple[str, str]) -> str:
    return _("%(holder)s代%(product)s") % {"holder": pair[0], "product": pair[1]}


@dataclass
class MatrixRow:
    unit: OrgUnit
    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def cells(self) -> list[int]:
        return [self.counts.get(pair, 0) for pair in PAIRS]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Matrix:
    unit: OrgUnit
    total: MatrixRow
    rows: list[MatrixRow]
    labels: list[str] = field(default_factory=lambda: [pair_label(pair) for pair in PAIRS])


def _holder_line(unit: OrgUnit) -> str | None:
    return business_line(unit.company) if unit.company_id else None


def cross_company_matrix(*, unit: OrgUnit, filters: Filters, today: date) -> Matrix:
    """One row per child unit of ``unit`` and the unit's own total (the sum of its children's
    rows above the companies). Filters: company, channel, certification."""
    # The unit itself (for its company's line) and its children: one query.
    units = list(
        OrgUnit.objects.filter(
            Q(pk=unit.pk)
            | Q(path__startswith=unit.path, depth=unit.depth + 1)
            & (Q(company_id=filters.company_id) if filters.company_id else Q())
        )
        .select_related("company")
        .order_by("path")
    )
    children = units[1:]
    certifications = Certification.objects.select_related("product_company")
    if filters.certification_id:
        certifications = certifications.filter(pk=filters.certification_id)
    product_lines = {each.pk: each.business_line for each in certifications}
    q = filters.rollup_q() & Q(
        unit__in=[unit, *children], expires_on__gte=today, certification_id__in=product_lines
    )
    sums = (
        CertificationRollup.objects.filter(q)
        .order_by()
        .values_list("unit_id", "certification_id")
        .annotate(n=Sum("n_holders"))
    )
    holder_lines = {each.pk: _holder_line(each) for each in units}
    rows = {each.pk: MatrixRow(unit=each) for each in [unit, *children]}
    for unit_id, certification_id, n in sums:
        pair = (holder_lines.get(unit_id), product_lines[certification_id])
        if pair in PAIRS and n:
            counts = rows[unit_id].counts
            counts[pair] = counts.get(pair, 0) + n
    child_rows = [rows[each.pk] for each in children]
    total = rows[unit.pk]
    if not unit.company_id or (filters.company_id and unit.company_id != filters.company_id):
        # Above the companies: holders of several lines; the total is the children's sum.
        total = MatrixRow(unit=unit)
        for row in child_rows:
            for pair, n in row.counts.items():
                total.counts[pair] = total.counts.get(pair, 0) + n
    return Matrix(unit=unit, total=total, rows=child_rows)
