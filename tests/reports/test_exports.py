import codecs
import csv
import io
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from courses.models import EnrollmentSource
from courses.services import enrollment_complete, enrollment_get_or_create
from organization.models import Role
from reports.exports import export_response

FORMATS = ["xlsx", "csv"]


@pytest.fixture
def gd_manager(tree, person_factory):
    return person_factory(tree["PGD"], Role.MANAGER, name="广东经理")


def content(response) -> bytes:
    return b"".join(response.streaming_content)


def table(response) -> list[list]:
    """The downloaded table as rows of values (the xlsx read back with openpyxl)."""
    data = content(response)
    if response["Content-Type"].startswith("text/csv"):
        assert data.startswith(codecs.BOM_UTF8)
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def by_name(rows: list[list]) -> dict:
    return {row[0]: row for row in rows[1:]}


def test_the_people_export_has_one_row_per_person_with_numbers_as_numbers(
    tree, courses, person_factory, gd_manager, login
):
    wang = person_factory(tree["PGZ0101"], Role.AGENT, name="王五")
    person_factory(tree["PSZ0101"], Role.AGENT, name="赵六", channel="counter")
    person_factory(tree["LGZ0101"], Role.AGENT, name="寿险的人")  # outside the scope
    enrollment_complete(person=wang, course=courses[0], at=timezone.now())
    enrollment_get_or_create(
        person=wang,
        course=courses[1],
        source=EnrollmentSource.ASSIGNED,
        due_date=timezone.localdate() - timedelta(days=1),
    )
    response = login(gd_manager).get(f"/reports/export/people/?unit={tree['PGD'].pk}&format=xlsx")
    assert response.status_code == 200
    rows = table(response)
    assert rows[0] == ["姓名", "工号", "所属机构", "渠道", "选课", "已完成", "逾期未完成"]
    people = by_name(rows)
    assert set(people) == {"王五", "赵六", "广东经理"}
    assert people["王五"][1:] == [
        wang.employee_no,
        "人保财险广州分公司 / 广州第一支公司 / 广州第一营业部",
        "个人代理",
        2,
        1,
        1,
    ]
    assert people["赵六"][3:] == ["柜面", 0, 0, 0]
    assert people["广东经理"][2] == "人保财险广东分公司"  # directly in the exported unit


def test_the_csv_starts_with_a_bom_and_has_a_chinese_file_name(
    tree, courses, person_factory, gd_manager, login
):
    person_factory(tree["PGZ0101"], Role.AGENT, name="王五")
    response = login(gd_manager).get(f"/reports/export/people/?unit={tree['PGZ'].pk}&format=csv")
    data = content(response)
    assert data.startswith(codecs.BOM_UTF8)
    text = data.decode("utf-8")
    assert "王五" in text and "姓名,工号,所属机构" in text
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    name = quote("人保财险广州分公司-人员明细-")
    assert f"filename*=utf-8''{name}".lower() in disposition.lower()  # RFC 5987
    assert disposition.endswith(".csv")


@pytest.mark.parametrize("fmt", FORMATS)
def test_filters_change_the_people_export(fmt, tree, courses, person_factory, gd_manager, login):
    wang = person_factory(tree["PGZ0101"], Role.AGENT, name="王五")
    zhao = person_factory(tree["PSZ0101"], Role.AGENT, name="赵六", channel="counter")
    enrollment_complete(person=wang, course=courses[0], at=timezone.now())
    enrollment_get_or_create(person=zhao, course=courses[1], source=EnrollmentSource.SELF)
    client = login(gd_manager)
    url = f"/reports/export/people/?unit={tree['PGD'].pk}&format={fmt}"

    rows = table(client.get(f"{url}&channel=counter"))
    assert list(by_name(rows)) == ["赵六"]

    rows = table(client.get(f"{url}&course={courses[0].pk}"))
    title = courses[0].title
    assert rows[0][-2:] == [f"{title}：状态", f"{title}：完成期限"]
    people = by_name(rows)
    assert people["王五"][-2] == "已完成"
    assert people["赵六"][-2] == "未选课"
    assert str(people["赵六"][4]) == "0"  # enrolled: only the filtered course counts

    tomorrow = timezone.localdate() + timedelta(days=1)
    rows = table(client.get(f"{url}&date_from={tomorrow:%Y-%m-%d}"))
    assert str(by_name(rows)["王五"][5]) == "0"  # no completion inside the period


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_units_export_has_the_columns_of_the_dashboard_and_the_total(
    fmt, tree, courses, person_factory, gd_manager, login
):
    wang = person_factory(tree["PGZ0101"], Role.AGENT, name="王五")
    enrollment_complete(person=wang, course=courses[0], at=timezone.now())
    response = login(gd_manager).get(f"/reports/export/units/?format={fmt}")
    assert response.status_code == 200
    rows = table(response)
    assert rows[0][:6] == ["机构", "业务人员", "选课", "已完成", "完成率", "逾期未完成"]
    units = by_name(rows)
    assert list(units) == ["人保财险广州分公司", "人保财险深圳分公司", "合计"]
    guangzhou = units["人保财险广州分公司"]
    expected = [1, 1, 1, 100.0, 0]
    if fmt == "csv":
        expected = ["1", "1", "1", "100.0", "0"]
    assert guangzhou[1:6] == expected
    assert units["合计"][1] in (1, "1")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("table_name", ["units", "people"])
@pytest.mark.parametrize("code", ["LGD", "group", "LGZ0101"])
def test_an_export_outside_the_scope_is_404(fmt, table_name, code, tree, gd_manager, login):
    unit = tree[code].pk
    response = login(gd_manager).get(f"/reports/export/{table_name}/?unit={unit}&format={fmt}")
    assert response.status_code == 404


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("table_name", ["units", "people"])
def test_an_agent_cannot_export(fmt, table_name, tree, person_factory, login):
    client = login(person_factory(tree["PGZ0101"], Role.AGENT))
    assert client.get(f"/reports/export/{table_name}/?format={fmt}").status_code == 403


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_filter_outside_the_scope_is_refused_with_a_message(fmt, tree, gd_manager, login):
    response = login(gd_manager).get(f"/reports/export/people/?company={tree['L'].pk}&format={fmt}")
    assert response.status_code == 400
    assert "筛选条件有误，未导出" in response.content.decode()
    assert "选择一个有效的选项" in response.content.decode()


@pytest.mark.parametrize("value", ["pdf", "", "XLSX"])
def test_an_unknown_format_is_404(value, tree, gd_manager, login):
    response = login(gd_manager).get(f"/reports/export/people/?format={value}")
    assert response.status_code == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_formula_injection_is_neutralised(fmt, tree, person_factory, gd_manager, login):
    person_factory(tree["PGZ0101"], Role.AGENT, name='=HYPERLINK("http://x","点我")')
    person_factory(tree["PGZ0101"], Role.AGENT, name="@SUM(A1)")
    data = content(
        login(gd_manager).get(f"/reports/export/people/?unit={tree['PGZ'].pk}&format={fmt}")
    )
    if fmt == "csv":
        names = [row[0] for row in csv.reader(io.StringIO(data.decode("utf-8-sig")))]
        assert '\'=HYPERLINK("http://x","点我")' in names and "'@SUM(A1)" in names
        return
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    cells = {cell.value: cell.data_type for cell in sheet["A"]}
    assert cells['=HYPERLINK("http://x","点我")'] == "s"  # text, not a formula
    assert cells["@SUM(A1)"] == "s"


def test_numbers_are_never_touched_by_the_guard():
    response = export_response(
        fmt="csv", filename="t", headers=["a", "b"], rows=[(-3, "-3"), (None, "ok")]
    )
    assert content(response).decode("utf-8-sig").splitlines() == ["a,b", "-3,'-3", ",ok"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("people", [2, 30])
def test_the_people_export_costs_the_same_queries_whatever_the_number_of_people(
    fmt, people, tree, courses, person_factory, gd_manager, login, django_assert_max_num_queries
):
    for index in range(people):
        person = person_factory(tree["PGZ0101" if index % 2 else "PSZ0101"], Role.AGENT)
        enrollment_get_or_create(person=person, course=courses[index % 2], source="self")
    client = login(gd_manager)
    # 7 on SQLite; PostgreSQL sets and resets the cursor's plan settings (2 more).
    with django_assert_max_num_queries(9):
        response = client.get(
            f"/reports/export/people/?unit={tree['PGD'].pk}&course={courses[0].pk}&format={fmt}"
        )
        assert len(table(response)) == people + 2  # header, the manager, the people


def test_the_dashboard_links_to_the_exports_with_its_filters(tree, gd_manager, login):
    page = login(gd_manager).get(f"/reports/?unit={tree['PGZ'].pk}&channel=counter").content
    text = page.decode()
    assert "导出 Excel" in text and "导出 CSV" in text
    query = f"unit={tree['PGZ'].pk}&amp;channel=counter&amp;format=xlsx"
    assert f"/reports/export/units/?{query}" in text
    assert f"/reports/export/people/?{query}" in text
