"""Dashboard charts as server-rendered SVG: the functions here compute the geometry (plain
numbers in SVG user units) and the templates in ``templates/reports/includes/chart_*.svg.html``
draw it, so every label is escaped by Django's autoescape and no JavaScript is needed.

Every chart is drawn in a viewBox 360 units wide (a 375 px phone shows it at about 1:1; CSS
caps its width on a desktop), and comes with a visually hidden table of its numbers because
``role="img"`` hides the SVG's own texts from screen readers."""

import calendar
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from organization.models import OrgUnit
from quizzes.certificates import add_months

from .filters import Filters
from .selectors.calendar import expiry_by_day
from .selectors.trend import TrendPoint, completion_trend
from .selectors.units import UnitTable

WIDTH = 360

# Horizontal bars: one row per unit, so 40 units make a taller chart, never thinner bars.
BAR_ROW = 22
BAR_HEIGHT = 14
BAR_TOP = 22  # room for the 0 / 50 / 100% axis labels
BAR_LABEL_WIDTH = 124  # ten Chinese characters at 11 units: "人保财险广州分公司" fits whole
BAR_LABEL_CHARS = 10
BAR_VALUE_WIDTH = 44  # "100.0%" after the longest bar
BAR_AREA = WIDTH - BAR_LABEL_WIDTH - BAR_VALUE_WIDTH


@dataclass(frozen=True)
class Bar:
    name: str
    label: str  # shown: ``name`` shortened to ``BAR_LABEL_CHARS``
    shown: str  # "75.0%" or "—"
    y: float
    width: float  # 0 when value is None: no bar, "—" instead

    @property
    def text_y(self) -> float:
        return self.y + BAR_HEIGHT - 3

    @property
    def value_x(self) -> float:
        return BAR_LABEL_WIDTH + self.width + 4


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    height: float
    ticks: list[tuple[float, str]]  # (x, "50%")
    width: float = WIDTH
    x0: float = BAR_LABEL_WIDTH
    bar_height: float = BAR_HEIGHT
    reference_x: float | None = None  # the viewed unit's own completion, a dashed line
    reference: float | None = None


def _shorten(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(items: Sequence[tuple[str, float | None]], *, reference=None) -> BarChart:
    """Horizontal bars for ``(label, percent 0–100 or None)`` items, in the order given."""
    bars = []
    for index, (label, value) in enumerate(items):
        width = 0 if value is None else round(BAR_AREA * max(0, min(value, 100)) / 100, 1)
        shown = "—" if value is None else f"{value}%"
        bars.append(
            Bar(
                name=label,
                label=_shorten(label, BAR_LABEL_CHARS),
                shown=shown,
                y=BAR_TOP + index * BAR_ROW,
                width=width,
            )
        )
    ticks = [(BAR_LABEL_WIDTH + BAR_AREA * p / 100, f"{p}%") for p in (0, 50, 100)]
    return BarChart(
        bars=bars,
        height=BAR_TOP + len(bars) * BAR_ROW + 4,
        ticks=ticks,
        reference=reference,
        reference_x=None if reference is None else BAR_LABEL_WIDTH + BAR_AREA * reference / 100,
    )


# Completion trend: a column per month (completions, left scale) and the cumulative completion
# rate as a line (0–100%, right scale).
LINE_HEIGHT = 220
PLOT_LEFT, PLOT_RIGHT = 40, WIDTH - 40
PLOT_TOP, PLOT_BOTTOM = 16, 172


@dataclass(frozen=True)
class Month:
    month: date
    completed: int
    cumulative: int
    enrolled: int
    rate: float | None  # cumulative completion %, None without enrolments
    x: float  # centre of the month's slot
    column_x: float
    column_y: float
    column_height: float
    rate_y: float | None
    label: str  # "3月", or "" between labelled months
    year: str  # "2026" under the first labelled month of each year, else ""
    title: str


@dataclass(frozen=True)
class LineChart:
    months: list[Month]
    column_width: float
    segments: list[str]  # polyline "x,y x,y" runs; a month without enrolments breaks the line
    count_ticks: list[tuple[float, int]]  # (y, n) on the left scale
    rate_ticks: list[tuple[float, str]]  # (y, "50%") on the right scale
    total_completed: int
    last_rate: float | None
    width: float = WIDTH
    height: float = LINE_HEIGHT
    left: float = PLOT_LEFT
    right: float = PLOT_RIGHT
    top: float = PLOT_TOP
    bottom: float = PLOT_BOTTOM


def _nice_ceiling(n: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50… that is at least ``n`` (at least 2, so the half
    tick is a whole number)."""
    n = max(n, 2)
    power = 10 ** int(math.log10(n))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= n)


def line_chart(points: Sequence[TrendPoint]) -> LineChart:
    """A column per point's ``completed`` and a line through ``cumulative / enrolled``; with
    more than 12 months only every second (third…) month is labelled, so labels never overlap."""
    height = PLOT_BOTTOM - PLOT_TOP
    top_count = _nice_ceiling(max((p.completed for p in points), default=0))
    slot = (PLOT_RIGHT - PLOT_LEFT) / max(len(points), 1)
    step = math.ceil(len(points) / 12) or 1
    months, segments, run, last_year = [], [], [], None
    for index, point in enumerate(points):
        month, completed = point.month, point.completed
        cumulative, enrolled = point.cumulative, point.enrolled
        labelled = index % step == 0
        rate = round(cumulative * 100 / enrolled, 1) if enrolled else None
        x = round(PLOT_LEFT + slot * (index + 0.5), 1)
        column = round(height * completed / top_count, 1)
        rate_y = None if rate is None else round(PLOT_BOTTOM - height * rate / 100, 1)
        rate_text = "—" if rate is None else f"{rate}%"
        months.append(
            Month(
                month=month,
                completed=completed,
                cumulative=cumulative,
                enrolled=enrolled,
                rate=rate,
                x=x,
                column_x=round(x - slot * 0.3, 1),
                column_y=PLOT_BOTTOM - column,
                column_height=column,
                rate_y=rate_y,
                label=_("%(month)d月") % {"month": month.month} if labelled else "",
                year=str(month.year) if labelled and month.year != last_year else "",
                title=_("%(year)d年%(month)d月：完成 %(n)d 人次，累计完成率 %(rate)s")
                % {"year": month.year, "month": month.month, "n": completed, "rate": rate_text},
            )
        )
        if labelled:
            last_year = month.year
        if rate_y is None:
            if run:
                segments.append(" ".join(run))
            run = []
        else:
            run.append(f"{x},{rate_y}")
    if run:
        segments.append(" ".join(run))
    return LineChart(
        months=months,
        column_width=round(slot * 0.6, 1),
        segments=segments,
        count_ticks=[(PLOT_BOTTOM - height * f, int(top_count * f)) for f in (0, 0.5, 1)],
        rate_ticks=[(PLOT_BOTTOM - height * p / 100, f"{p}%") for p in (0, 50, 100)],
        total_completed=sum(m.completed for m in months),
        last_rate=months[-1].rate if months else None,
    )


# Expiry calendar: one small SVG per month (7 columns, Monday first), so the months wrap side by
# side or under each other with the screen width.
CELL = 22
PITCH = 24
CAL_TOP = 22  # room for the weekday initials
CAL_WIDTH = 7 * PITCH
CAL_HEIGHT = CAL_TOP + 6 * PITCH
HEAT_LEVELS = 4


@dataclass(frozen=True)
class Day:
    day: date
    count: int
    level: int  # 0 none, 1–4 a share of the busiest day
    before_start: bool  # already past: shown, never counted
    x: float
    y: float
    title: str

    @property
    def text_x(self) -> float:
        return self.x + CELL / 2

    @property
    def text_y(self) -> float:
        return self.y + CELL / 2 + 4


@dataclass(frozen=True)
class CalendarMonth:
    label: str
    days: list[Day]
    total: int


@dataclass(frozen=True)
class ExpiryCalendar:
    months: list[CalendarMonth]
    total: int
    busiest: Day | None
    weekdays: list[tuple[float, str]] = field(default_factory=list)
    width: float = CAL_WIDTH
    height: float = CAL_HEIGHT
    cell: float = CELL


def calendar_end(start: date, months: int = 3) -> date:
    """The last day shown by ``expiry_calendar(…, start, months)``."""
    return add_months(start.replace(day=1), months) - timedelta(days=1)


def expiry_calendar(counts_by_day: dict[date, int], start: date, months: int = 3) -> ExpiryCalendar:
    """A heat map of certificates expiring per day, from ``start``'s month on: a day's level is
    its count as a share of the busiest day's (quarters), so one busy day does not wash out
    the others' colour entirely but the busiest always stands out."""
    counts = {day: n for day, n in counts_by_day.items() if n and day >= start}
    top = max(counts.values(), default=0)
    result, busiest = [], None
    for offset in range(months):
        first = add_months(start.replace(day=1), offset)
        lead = first.weekday()  # Monday 0
        days = []
        for number in range(1, calendar.monthrange(first.year, first.month)[1] + 1):
            day = first.replace(day=number)
            n = counts.get(day, 0)
            slot = lead + number - 1
            title = _("%(month)d月%(day)d日：%(n)d 张资格证书到期") % {
                "month": day.month,
                "day": day.day,
                "n": n,
            }
            days.append(
                Day(
                    day=day,
                    count=n,
                    level=math.ceil(n * HEAT_LEVELS / top) if n else 0,
                    before_start=day < start,
                    x=(slot % 7) * PITCH,
                    y=CAL_TOP + (slot // 7) * PITCH,
                    title=title,
                )
            )
            if n and (busiest is None or n > busiest.count):
                busiest = days[-1]
        result.append(
            CalendarMonth(
                label=_("%(year)d年%(month)d月") % {"year": first.year, "month": first.month},
                days=days,
                total=sum(d.count for d in days),
            )
        )
    # Literal calls, so makemessages finds them; the context tells 日 (Sunday) from 日 (day).
    initials = [
        pgettext("星期", "一"),
        pgettext("星期", "二"),
        pgettext("星期", "三"),
        pgettext("星期", "四"),
        pgettext("星期", "五"),
        pgettext("星期", "六"),
        pgettext("星期", "日"),
    ]
    return ExpiryCalendar(
        months=result,
        total=sum(m.total for m in result),
        busiest=busiest,
        weekdays=[(i * PITCH + CELL / 2, initial) for i, initial in enumerate(initials)],
    )


def dashboard_charts(
    *, unit: OrgUnit, filters: Filters, today: date, table: UnitTable | None = None
) -> dict:
    """The dashboard's charts for ``unit``: the bar chart from the child-units table the page
    already read (no query; none on the people view), the trend two queries, the expiry
    calendar one."""
    charts = {}
    if table is not None and table.rows:
        charts["completion"] = bar_chart(
            [(row.unit.name, row.completion) for row in table.rows],
            reference=table.total.completion,
        )
    charts["trend"] = line_chart(completion_trend(unit=unit, filters=filters, today=today))
    end = calendar_end(today)
    expiring = expiry_by_day(unit=unit, filters=filters, start=today, end=end)
    charts["expiry"] = expiry_calendar(expiring, today)
    return charts
