from datetime import date

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.services import enrollment_complete
from organization.models import Channel, OrgUnitKind, Role
from quizzes.certificates import add_months, certificate_issue
from reports.charts import BAR_AREA, bar_chart, expiry_calendar, line_chart
from reports.filters import Filters
from reports.selectors.calendar import expiry_by_day
from reports.selectors.trend import TrendPoint
from tests.organization.factories import make_unit
from tests.quizzes.certificate_factories import make_certification, make_quiz


def _bar_svg(items, **kwargs) -> str:
    chart = bar_chart(items, **kwargs)
    return render_to_string("reports/includes/chart_bar.svg.html", {"chart": chart})


def test_a_75_percent_bar_is_three_quarters_of_the_full_width():
    chart = bar_chart([("广州", 75.0), ("深圳", 100.0), ("佛山", 0.0)])
    quarter, full, empty = chart.bars
    assert full.width == BAR_AREA
    assert quarter.width == 0.75 * BAR_AREA
    assert empty.width == 0
    assert [b.shown for b in chart.bars] == ["75.0%", "100.0%", "0.0%"]


def test_a_unit_without_enrolments_shows_a_dash_and_no_bar():
    svg = _bar_svg([("广州", 50.0), ("深圳", None)])
    assert svg.count('class="chart-bar"') == 1
    assert "<title>深圳：—</title>" in svg
    assert "<td>—</td>" in svg  # the hidden data table for screen readers


def test_unit_names_are_rendered_as_text_never_markup():
    svg = _bar_svg([("<script>alert(1)</script>", 10.0)])
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg


def test_a_long_name_is_shortened_with_the_full_name_in_its_title():
    name = "人保财险广州市天河区第一营业部"
    svg = _bar_svg([(name, 80.0), ("人保财险广州分公司", 70.0)])
    assert ">人保财险广州市天河…</text>" in svg and ">人保财险广州分公司</text>" in svg
    assert f"<title>{name}：80.0%</title>" in svg


def test_forty_units_make_a_taller_chart_not_thinner_bars():
    few = bar_chart([(f"机构{i}", 50.0) for i in range(4)])
    many = bar_chart([(f"机构{i}", 50.0) for i in range(40)])
    assert many.bar_height == few.bar_height
    assert many.bars[-1].y > few.bars[-1].y
    assert many.height > many.bars[-1].y + many.bar_height


def test_the_accessible_title_and_the_reference_line_of_the_bar_chart():
    svg = _bar_svg([("广州", 60.0)], reference=62.5)
    assert 'role="img"' in svg and '<title id="chart-bar-title">各下级机构完成率</title>' in svg
    assert "虚线：本机构合计 62.5%" in svg


def test_the_trend_has_a_column_per_month_and_the_cumulative_rate_as_a_line():
    points = [
        TrendPoint(date(2025, 12, 1), completed=0, cumulative=0, enrolled=0),
        TrendPoint(date(2026, 1, 1), completed=5, cumulative=5, enrolled=10),
        TrendPoint(date(2026, 2, 1), completed=10, cumulative=15, enrolled=15),
    ]
    chart = line_chart(points)
    empty, half, full = chart.months
    assert (empty.rate, half.rate, full.rate) == (None, 50.0, 100.0)
    # 10 completions fill the scale (rounded up to 10), 5 fill half of it.
    assert full.column_height == 2 * half.column_height == chart.bottom - chart.top
    # 50% sits halfway up, 100% at the top; no point without enrolments.
    assert half.rate_y == (chart.top + chart.bottom) / 2 and full.rate_y == chart.top
    assert empty.rate_y is None and chart.segments == [
        f"{half.x},{half.rate_y} {full.x},{full.rate_y}"
    ]
    assert [m.year for m in chart.months] == ["2025", "2026", ""]  # first month and January
    svg = render_to_string("reports/includes/chart_line.svg.html", {"chart": chart})
    assert "2026年1月：完成 5 人次，累计完成率 50.0%" in svg
    assert "近 3 个月共完成 15 人次。累计完成率 100.0%。" in svg


def test_a_long_trend_labels_every_few_months_so_labels_never_overlap():
    points = [TrendPoint(add_months(date(2024, 1, 1), n), 1, n + 1, 40) for n in range(36)]
    months = line_chart(points).months
    assert [m.label for m in months if m.label] == ["1月", "4月", "7月", "10月"] * 3
    assert [m.year for m in months if m.year] == ["2024", "2025", "2026"]


def test_the_calendar_puts_a_count_on_the_right_day_cell():
    start = date(2026, 11, 25)  # a Wednesday
    chart = expiry_calendar(
        {date(2026, 12, 3): 5, date(2027, 1, 1): 2, date(2026, 11, 20): 9}, start
    )
    november, december, january = chart.months
    assert [m.label for m in chart.months] == ["2026年11月", "2026年12月", "2027年1月"]
    # 1 December 2026 is a Tuesday: the 3rd is the Thursday of the first week.
    third = december.days[2]
    assert (third.day, third.count, third.level) == (date(2026, 12, 3), 5, 4)
    assert (third.x, third.y) == (3 * 24, 22)
    new_year = january.days[0]
    assert (new_year.count, new_year.level, new_year.x) == (2, 2, 4 * 24)  # a Friday
    # Days before the start are drawn as past and never counted.
    assert november.days[19].before_start and november.days[19].count == 0
    assert chart.total == 7 and chart.busiest is third
    html = render_to_string("reports/includes/chart_calendar.svg.html", {"chart": chart})
    assert "<title>12月3日：5 张资格证书到期</title>" in html
    assert "2026年12月：5 张资格证书到期" in html
    assert "最多的一天：12月3日，5 张" in html


@pytest.fixture
def gd_manager(tree, person_factory):
    return person_factory(tree["PGD"], Role.MANAGER, name="广东经理")


@pytest.fixture
def certifications(tree):
    """Two certifications valid for one month, so a certificate issued today expires in the
    calendar's window."""
    quiz = make_quiz(company=tree["L"], audience=[tree["P"]])
    return [
        make_certification(quiz=quiz, product_company=tree["L"], validity_months=1)
        for _ in range(2)
    ]


def _certify(person, certification):
    return certificate_issue(certification=certification, person=person, at=timezone.now())


def test_the_dashboard_draws_completion_by_child_unit(
    tree, courses, person_factory, gd_manager, login
):
    done = person_factory(tree["PGZ0101"], Role.AGENT)
    enrollment_complete(person=done, course=courses[0], at=timezone.now())
    page = login(gd_manager).get("/reports/").content.decode()
    assert '<svg class="chart"' in page
    assert '<title id="chart-bar-title">各下级机构完成率</title>' in page
    assert "<title>人保财险广州分公司：100.0%</title>" in page
    assert "<title>人保财险深圳分公司：—</title>" in page  # nobody enrolled there
    today = timezone.localdate()
    assert f"{today.year}年{today.month}月：完成 1 人次，累计完成率 100.0%" in page  # the trend


def test_the_people_view_has_no_bar_chart(tree, gd_manager, login):
    page = login(gd_manager).get(f"/reports/?unit={tree['PGZ0101'].pk}").content.decode()
    assert "chart-bar-title" not in page
    assert "资格证书到期日历" in page


def test_the_calendar_counts_the_certificates_expiring_in_the_viewed_subtree(
    tree, person_factory, certifications, gd_manager, login
):
    first, second = certifications
    _certify(person_factory(tree["PGZ0101"], Role.AGENT), first)
    _certify(person_factory(tree["PSZ0101"], Role.AGENT), second)
    _certify(person_factory(tree["LGZ0101"], Role.AGENT), first)  # another company
    expires = add_months(timezone.localdate(), 1)
    page = login(gd_manager).get("/reports/").content.decode()
    cell = f"<title>{expires.month}月{expires.day}日：2 张资格证书到期</title>"
    assert cell in page
    page = login(gd_manager).get(f"/reports/?certification={first.pk}").content.decode()
    assert cell.replace("2 张", "1 张") in page


def test_expiry_by_day_filters_by_certification_channel_and_company(
    tree, person_factory, certifications
):
    first, second = certifications
    _certify(person_factory(tree["PGZ0101"], Role.AGENT), first)
    _certify(person_factory(tree["PGZ0101"], Role.AGENT, channel=Channel.COUNTER), first)
    _certify(person_factory(tree["LGZ0101"], Role.AGENT), second)
    today = timezone.localdate()
    expires, end = add_months(today, 1), add_months(today, 3)

    def count(unit, **filters):
        days = expiry_by_day(unit=unit, filters=Filters(**filters), start=today, end=end)
        return days.get(expires, 0)

    group = tree["group"]
    assert count(group) == 3
    assert count(group, certification_id=first.pk) == 2
    assert count(group, channel=Channel.COUNTER) == 1
    assert count(group, company_id=tree["P"].pk) == 2
    assert count(tree["PGD"], company_id=tree["L"].pk) == 0
    assert expiry_by_day(unit=group, filters=Filters(), start=today, end=expires) == {expires: 3}
    assert expiry_by_day(unit=group, filters=Filters(), start=today, end=today) == {}


def test_the_charts_cost_the_same_queries_whatever_the_number_of_child_units(
    tree, courses, gd_manager, login
):
    client = login(gd_manager)
    url = f"/reports/?unit={tree['PGZ01'].pk}"
    client.get(url)
    with CaptureQueriesContext(connection) as one_child:
        client.get(url)
    for index in range(5):
        make_unit(tree["PGZ01"], OrgUnitKind.OUTLET, f"PGZX{index}", f"新网点{index}")
    with CaptureQueriesContext(connection) as six_children:
        page = client.get(url).content.decode()
    assert "<title>新网点4：—</title>" in page
    assert len(six_children) == len(one_child)
