"""The completion trend of one unit: completions per month and the cumulative completion rate,
from ``CompletionRollup`` and ``EnrollmentRollup`` at that unit (two queries), whatever the number
of people."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Sum
from django.db.models.functions import TruncMonth

from organization.models import OrgUnit
from quizzes.certificates import add_months

from ..filters import Filters
from ..models import CompletionRollup, EnrollmentRollup

# A period longer than this is cut to its last months, so the chart stays readable.
MAX_MONTHS = 36


@dataclass(frozen=True)
class TrendPoint:
    month: date  # the first day of the month
    completed: int  # completions dated in the month
    cumulative: int  # completions dated up to the month's end
    enrolled: int  # enrolments now (EnrollmentRollup keeps no enrolment date)


def _months(filters: Filters, today: date, months: int) -> list[date]:
    last = (filters.date_to or today).replace(day=1)
    first = add_months(last, -(months - 1))
    if filters.date_from:
        first = max(filters.date_from.replace(day=1), add_months(last, -(MAX_MONTHS - 1)))
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [add_months(first, n) for n in range(max(count, 0))]


def completion_trend(
    *, unit: OrgUnit, filters: Filters, today: date, months: int = 12
) -> list[TrendPoint]:
    """One ``TrendPoint`` per month, oldest first: the ``months`` months up to today's (or up to
    the period's end), or the months of the period when it has a start (at most
    ``MAX_MONTHS``). The course, channel, assignment and company filters apply; the period only
    chooses the months (each counted whole). The cumulative rate is ``cumulative / enrolled``:
    completions up to the month's end over the enrolments now, of the people active now."""
    window = _months(filters, today, months)
    counted = filters.counted_unit_q(unit)
    if not window or counted is None:
        return [TrendPoint(month, 0, 0, 0) for month in window]
    q = counted & filters.rollup_q(course=True)
    end = add_months(window[-1], 1)
    by_month = dict(
        CompletionRollup.objects.filter(q, completed_on__lt=end)
        .annotate(month=TruncMonth("completed_on"))
        .order_by()
        .values("month")
        .annotate(n=Sum("n_completed"))
        .values_list("month", "n")
    )
    enrolled = EnrollmentRollup.objects.filter(q).aggregate(n=Sum("n_enrolled"))["n"] or 0
    cumulative = sum(n for month, n in by_month.items() if month < window[0])
    points = []
    for month in window:
        completed = by_month.get(month, 0)
        cumulative += completed
        points.append(TrendPoint(month, completed, cumulative, enrolled))
    return points
