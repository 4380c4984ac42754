"""A branch manager opens the training statistics from the nav, reads the completion chart and the
child-units table, drills down two levels (breadcrumb back up), downloads the table as .xlsx and
reads it back; on a phone the dashboard does not scroll sideways."""

from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from courses.models import LessonPage
from courses.services import enrollment_complete, lesson_mark_done
from organization.models import Role
from quizzes.certificates import certificate_issue
from tests.courses.factories import make_course, make_lesson
from tests.e2e.test_quiz import horizontal_overflow
from tests.organization.factories import make_person
from tests.quizzes.certificate_factories import make_certification, make_quiz, take_quiz
from tests.reports.test_courses import assign

pytestmark = pytest.mark.e2e

PASSWORD = "pass-word-123"
HEADERS = ["机构", "业务人员", "选课", "已完成", "完成率", "逾期未完成", "持有效资格", "30天内到期"]
# 广州: three agents enrolled, two completed, one certified now and one whose certificate
# expires within 30 days. 深圳: two agents assigned the course three days overdue, one completed.
GUANGZHOU = ["3", "3", "2", "66.7%", "0", "2", "1"]
SHENZHEN = ["2", "2", "1", "50.0%", "1", "0", "0"]


@pytest.fixture
def province(site, tree):
    """广东 (人保财险) with agents in 广州's and 深圳's outlets, made through the services."""
    now = timezone.now()
    course = make_course(owner=tree["P"], audience=[tree["P"]], title="交叉销售基础")
    make_lesson(course, title="第一课")
    make_lesson(course, title="第二课")
    lesson = LessonPage.objects.child_of(course).first().specific
    zhang, li, wang = (
        make_person(tree["PGZ0101"], Role.AGENT, name=name) for name in ("张三", "李四", "王五")
    )
    for person in (zhang, li):
        enrollment_complete(person=person, course=course, at=now)
    lesson_mark_done(person=wang, lesson=lesson, at=now)
    quiz = make_quiz(company=tree["L"], audience=[tree["P"]], title="寿险产品资格考试")
    certification = make_certification(
        quiz=quiz, holder_company=tree["P"], product_company=tree["L"], name="产代寿交叉销售资格"
    )
    take_quiz(quiz, zhang)  # the pass grants a certificate valid for two years
    certificate_issue(certification=certification, person=li, at=now - timedelta(days=715))

    zhao = make_person(tree["PSZ0101"], Role.AGENT, name="赵六")
    make_person(tree["PSZ0101"], Role.AGENT, name="孙七")
    coordinator = make_person(tree["PGD"], Role.COORDINATOR, name="广东培训管理员")
    assign(coordinator, course, tree["PSZ"], due_in=-3)
    enrollment_complete(person=zhao, course=course, at=now)
    return make_person(tree["PGD"], Role.MANAGER, name="广东经理")


def row_cells(page, name: str) -> list[str]:
    row = page.locator("table.report-units tbody tr").filter(
        has=page.get_by_role("link", name=name, exact=True)
    )
    return [text.strip() for text in row.locator("td").all_inner_texts()][1:8]


def test_a_manager_reads_the_dashboard_drills_down_and_downloads_the_table(
    province, desktop_page, live_server, login_as, tmp_path
):
    page = desktop_page
    login_as(page, province, PASSWORD)
    with page.expect_navigation():
        page.get_by_role("link", name="培训统计").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("培训统计：人保财险广东分公司")

    chart = page.locator("svg.chart").first
    expect(chart).to_contain_text("人保财险广州分公司")
    expect(chart).to_contain_text("人保财险深圳分公司")
    expect(chart).to_contain_text("66.7%")
    assert row_cells(page, "人保财险广州分公司") == GUANGZHOU
    assert row_cells(page, "人保财险深圳分公司") == SHENZHEN
    expect(page.locator("table.report-units tfoot")).to_contain_text("合计")

    # Two levels down: 广州 → its county, whose one outlet carries all of 广州's numbers.
    with page.expect_navigation():
        page.locator("table.report-units").get_by_role("link", name="人保财险广州分公司").click()
    assert row_cells(page, "广州第一支公司") == GUANGZHOU
    with page.expect_navigation():
        page.locator("table.report-units").get_by_role("link", name="广州第一支公司").click()
    breadcrumb = page.locator("nav.breadcrumb")
    expect(breadcrumb).to_have_text("人保财险广东分公司 › 人保财险广州分公司 › 广州第一支公司")
    assert row_cells(page, "广州第一营业部") == GUANGZHOU
    expect(page.locator("table.report-units")).not_to_contain_text("深圳")

    with page.expect_download() as download_info:
        page.locator(".export-links", has_text="下级机构").get_by_role(
            "link", name="导出 Excel"
        ).click()
    download = download_info.value
    assert download.suggested_filename == f"广州第一支公司-下级机构-{timezone.localdate()}.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    sheet = load_workbook(path, read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:8] == HEADERS
    assert rows[1][:4] == ["广州第一营业部", 3, 3, 2]
    assert rows[1][5:8] == [0, 2, 1]  # numbers stay numbers
    assert rows[-1][0] == "合计"

    # The breadcrumb leads back up to the province.
    with page.expect_navigation():
        breadcrumb.get_by_role("link", name="人保财险广东分公司").click()
    assert row_cells(page, "人保财险深圳分公司") == SHENZHEN


def test_the_dashboard_fits_a_phone(province, phone_page, live_server, login_as):
    page = phone_page
    login_as(page, province, PASSWORD)
    page.goto(f"{live_server.url}/reports/")
    expect(page.locator("table.report-units")).to_contain_text("人保财险深圳分公司")
    assert horizontal_overflow(page) <= 0
