import csv
import io
import re
from datetime import date, datetime

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from organization.models import PeopleImport, PeopleImportStatus, Person, Role
from organization.people_import import people_import_start
from organization.services import org_unit_update, person_deactivate
from organization.signals import person_moved

HEADERS = ["工号", "姓名", "手机号码", "机构代码", "渠道", "角色", "入职日期", "邮箱", "状态"]


def row(
    no="A1001",
    name="王小明",
    mobile="13900000001",
    unit="PGZ0101",
    channel="个人代理",
    roles="业务人员",
    hire="2024-03-01",
    email="",
    status="",
):
    return [no, name, mobile, unit, channel, roles, hire, email, status]


def xlsx_bytes(rows, headers=HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, encoding="utf-8", headers=HEADERS) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(headers)
    writer.writerows(rows)
    return text.getvalue().encode(encoding)


def xlsx(rows, headers=HEADERS, name="people.xlsx"):
    return ContentFile(xlsx_bytes(rows, headers), name=name)


def run(file, importer, apply=True):
    return people_import_start(file=file, importer=importer, apply=apply)


def full_width(text):
    return "".join(chr(ord(char) + 0xFEE0) for char in text)


def messages_of(plan):
    return [str(error) for error in plan.errors]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def coordinator(tree, person_factory):
    """The training coordinator of 人保财险广东分公司 (PGD and below)."""
    return person_factory(tree["PGD"], Role.COORDINATOR, employee_no="C0001").user


@pytest.fixture
def superuser(tree, django_user_model):
    return django_user_model.objects.create_superuser("root", password="x")


# Good files ------------------------------------------------------------------------------------


def test_good_xlsx_creates_people_with_roles_and_unusable_passwords(tree, coordinator):
    file = xlsx(
        [
            row(),
            row(
                no="A1002",
                name="李娜",
                mobile="13900000002",
                unit="PSZ01",
                channel="柜面",
                roles="业务人员、讲师",
                hire=datetime(2023, 5, 8),
                email="lina@Example.COM",
            ),
        ]
    )
    record, plan = run(file, coordinator)

    assert plan.errors == []
    assert (len(plan.creates), len(plan.updates), plan.unchanged_count) == (2, 0, 0)
    assert record.status == PeopleImportStatus.APPLIED
    assert (record.row_count, record.created_count, record.error_count) == (2, 2, 0)
    lina = Person.objects.select_related("user", "org_unit").get(employee_no="A1002")
    assert (lina.name, lina.mobile, lina.org_unit, lina.channel) == (
        "李娜",
        "13900000002",
        tree["PSZ01"],
        "counter",
    )
    assert lina.hire_date == date(2023, 5, 8)
    assert lina.is_active and lina.user.is_active
    assert lina.roles == {Role.AGENT, Role.LECTURER}
    assert lina.user.username == "A1002"
    assert lina.user.first_name == "李娜"
    assert lina.user.email == "lina@example.com"  # Normalised as person_create's full_clean does.
    assert not lina.user.has_usable_password()
    wang = Person.objects.get(employee_no="A1001")
    assert wang.hire_date == date(2024, 3, 1)
    assert wang.roles == {Role.AGENT}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_good_csv_in_utf8_with_or_without_bom_and_gbk(tree, coordinator, encoding):
    data = csv_bytes([row(), row(no="A1002", mobile="13900000002", hire="2024/3/1")], encoding)
    _record, plan = run(ContentFile(data, name="人员.csv"), coordinator)

    assert plan.errors == []
    assert len(plan.creates) == 2
    assert Person.objects.get(employee_no="A1001").name == "王小明"
    assert Person.objects.get(employee_no="A1002").hire_date == date(2024, 3, 1)


def test_labels_are_matched_after_trimming_and_full_width_normalisation(tree, coordinator):
    file = xlsx(
        [
            row(
                no=full_width("A1001"),
                mobile=full_width("13900000001"),
                unit=" PGZ0101 ",
                channel=" 互动部 ",
                roles="业务人员，讲师；培训管理员",
                status=" 在职 ",
            )
        ]
    )
    _record, plan = run(file, coordinator)

    assert plan.errors == []
    person = Person.objects.get(employee_no="A1001")
    assert person.mobile == "13900000001"
    assert person.channel == "interaction"
    assert person.roles == {Role.AGENT, Role.LECTURER, Role.COORDINATOR}


def test_excel_numbers_and_serial_dates_are_read(tree, coordinator):
    file = xlsx([row(mobile=13900000001, hire=45352)])
    _record, plan = run(file, coordinator)

    assert plan.errors == []
    person = Person.objects.get(employee_no="A1001")
    assert (person.mobile, person.hire_date) == ("13900000001", date(2024, 3, 1))


def test_blank_rows_are_skipped_and_optional_columns_may_be_left_out(tree, coordinator):
    headers = HEADERS[:7]
    file = xlsx(
        [row()[:7], [None] * 7, row(no="A1002", mobile="13900000002", hire="")[:7]], headers
    )
    _record, plan = run(file, coordinator)

    assert plan.errors == []
    assert plan.row_count == 2
    assert Person.objects.get(employee_no="A1002").hire_date is None


# Bad rows: every kind, with its row and column -------------------------------------------------


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"no": ""}, "第 2 行“工号”列：此项必须填写。"),
        ({"no": "A-1"}, "第 2 行“工号”列：工号只能包含字母和数字，长度 3 到 32 位。"),
        ({"name": "  "}, "第 2 行“姓名”列：此项必须填写。"),
        (
            {"mobile": "1390000001"},
            "第 2 行“手机号码”列：手机号码应为 11 位数字，以 1 开头，例如 13800138000。",
        ),
        ({"unit": "NOPE"}, "第 2 行“机构代码”列：机构代码“NOPE”不存在。"),
        ({"unit": "LGZ0101"}, "第 2 行“机构代码”列：机构“LGZ0101”不在您的管理范围内。"),
        (
            {"channel": "电销"},
            "第 2 行“渠道”列：“电销”不是有效的渠道，请填写：个人代理、柜面、员工、互动部。",
        ),
        (
            {"roles": "业务人员、经理"},
            "第 2 行“角色”列：“经理”不是有效的角色，"
            "可填写：业务人员、讲师、机构负责人、培训管理员。",
        ),
        ({"roles": "、"}, "第 2 行“角色”列：此项必须填写。"),
        (
            {"hire": "2024-13-01"},
            "第 2 行“入职日期”列：“2024-13-01”不是有效的日期，请写成 YYYY-MM-DD，例如 2024-03-01。",
        ),
        (
            {"hire": "三月一日"},
            "第 2 行“入职日期”列：“三月一日”不是有效的日期，请写成 YYYY-MM-DD，例如 2024-03-01。",
        ),
        ({"email": "not-an-address"}, "第 2 行“邮箱”列：输入一个有效的 Email 地址。"),
        (
            {"status": "退休"},
            "第 2 行“状态”列：“退休”不是有效的状态，只能填写“在职”或“离职”，或者留空。",
        ),
    ],
)
def test_bad_row_is_reported_by_row_and_column(tree, coordinator, values, message):
    record, plan = run(xlsx([row(**values)]), coordinator)

    assert messages_of(plan) == [message]
    assert record.status == PeopleImportStatus.FAILED
    assert not Person.objects.filter(name="王小明").exists()


def test_duplicate_employee_number_in_the_file(tree, coordinator):
    file = xlsx([row(), row(name="王大明", mobile="13900000002")])
    _record, plan = run(file, coordinator)

    assert messages_of(plan) == [
        "第 3 行“工号”列：工号 A1001 与第 2 行重复，同一工号在文件中只能出现一次。"
    ]


def test_every_error_of_every_row_is_reported_in_order(tree, coordinator):
    file = xlsx([row(), row(no="", mobile="12", channel="x"), row(no="A1003", unit="ZZ")])
    _record, plan = run(file, coordinator)

    assert [(error.row, error.column) for error in plan.errors] == [
        (3, "工号"),
        (3, "手机号码"),
        (3, "渠道"),
        (4, "机构代码"),
    ]


def test_unit_that_is_switched_off_is_refused(tree, coordinator):
    unit = tree["PGZ0101"]
    org_unit_update(
        unit=unit, name=unit.name, code=unit.code, region_code=unit.region_code, is_active=False
    )
    _record, plan = run(xlsx([row()]), coordinator)

    assert messages_of(plan) == [
        "第 2 行“机构代码”列：机构“广州第一营业部”（PGZ0101）已停用，不能向其中导入人员。"
    ]


def test_existing_person_outside_the_importers_scope_is_not_touched(
    tree, coordinator, person_factory
):
    person_factory(tree["LGZ0101"], employee_no="A1001", name="寿险人员")
    _record, plan = run(xlsx([row(unit="PGZ0101")]), coordinator)

    assert messages_of(plan) == [
        "第 2 行“工号”列：工号 A1001 是您管理范围以外的人员，不能在这里修改。"
    ]
    assert Person.objects.get(employee_no="A1001").org_unit == tree["LGZ0101"]


def test_employee_number_held_by_an_account_that_is_not_a_person(
    tree, coordinator, django_user_model
):
    django_user_model.objects.create_user("A1001")
    _record, plan = run(xlsx([row()]), coordinator)

    assert messages_of(plan) == ["第 2 行“工号”列：工号 A1001 已被使用。"]


def test_too_long_name_uses_the_models_own_check(tree, coordinator):
    _record, plan = run(xlsx([row(name="张" * 51)]), coordinator)

    assert len(plan.errors) == 1
    assert str(plan.errors[0]).startswith("第 2 行“姓名”列：")
    assert "50" in plan.errors[0].message


# All or nothing, idempotence, updates ----------------------------------------------------------


def test_one_bad_row_changes_nothing(tree, coordinator, person_factory):
    existing = person_factory(tree["PGZ0101"], employee_no="A1000", name="老员工")
    file = xlsx(
        [
            row(no="A1000", name="老员工", mobile="13900000009", unit="PSZ0101"),
            row(no="A1001"),
            row(no="A1002", mobile="13900000002"),
            row(no="A1003", mobile="bad"),
        ]
    )
    record, plan = run(file, coordinator)

    assert len(plan.errors) == 1
    assert record.status == PeopleImportStatus.FAILED
    assert (record.created_count, record.updated_count, record.error_count) == (2, 1, 1)
    assert not Person.objects.filter(employee_no__in=["A1001", "A1002", "A1003"]).exists()
    existing.refresh_from_db()
    assert existing.org_unit == tree["PGZ0101"]


def test_reimporting_the_same_file_changes_nothing(tree, coordinator):
    data = xlsx_bytes(
        [row(email="a@example.com", status="在职"), row(no="A1002", mobile="13900000002")]
    )
    run(ContentFile(data, name="a.xlsx"), coordinator)
    moves = []
    person_moved.connect(lambda **kw: moves.append(kw), weak=False, dispatch_uid="test-reimport")
    try:
        record, plan = run(ContentFile(data, name="a.xlsx"), coordinator)
    finally:
        person_moved.disconnect(dispatch_uid="test-reimport")

    assert plan.errors == []
    assert (record.created_count, record.updated_count, record.unchanged_count) == (0, 0, 2)
    assert moves == []
    assert Person.objects.count() == 3  # The coordinator and the two imported people.


def test_changed_row_updates_the_person_and_a_move_is_signalled(tree, coordinator, person_factory):
    person = person_factory(tree["PGZ0101"], employee_no="A1001", name="王小明")
    moves = []
    person_moved.connect(lambda **kw: moves.append(kw), weak=False, dispatch_uid="test-move")
    try:
        record, plan = run(
            xlsx([row(unit="PSZ0101", mobile="13711112222", roles="讲师", channel="员工")]),
            coordinator,
        )
    finally:
        person_moved.disconnect(dispatch_uid="test-move")

    assert plan.errors == []
    assert (record.created_count, record.updated_count) == (0, 1)
    assert [column for column, _old, _new in plan.updates[0].changes] == [
        "手机号码",
        "机构代码",
        "渠道",
        "角色",
        "入职日期",
    ]
    person = Person.objects.get(pk=person.pk)
    assert (person.org_unit, person.mobile, person.channel) == (
        tree["PSZ0101"],
        "13711112222",
        "employee",
    )
    assert person.roles == {Role.LECTURER}
    assert len(moves) == 1
    assert moves[0]["old_path"] == tree["PGZ0101"].path
    assert moves[0]["new_path"] == tree["PSZ0101"].path


def test_blank_email_and_hire_date_keep_what_the_person_has(tree, coordinator, person_factory):
    person = person_factory(
        tree["PGZ0101"],
        employee_no="A1001",
        name="王小明",
        email="wang@example.com",
        hire_date=date(2020, 1, 2),
    )
    person.mobile = "13900000001"
    person.save()
    _record, plan = run(xlsx([row(hire="", email="")]), coordinator)

    assert (len(plan.updates), plan.unchanged_count) == (0, 1)
    person = Person.objects.select_related("user").get(pk=person.pk)
    assert (person.hire_date, person.user.email) == (date(2020, 1, 2), "wang@example.com")


def test_leaving_deactivates_but_keeps_the_person(tree, coordinator):
    run(xlsx([row()]), coordinator)
    record, plan = run(xlsx([row(status="离职")]), coordinator)

    assert (record.updated_count, len(plan.updates[0].changes)) == (1, 1)
    person = Person.objects.select_related("user").get(employee_no="A1001")
    assert not person.is_active
    assert not person.user.is_active

    # A row without a status leaves them inactive; 在职 brings them back.
    record, _plan = run(xlsx([row()]), coordinator)
    assert record.unchanged_count == 1
    run(xlsx([row(status="在职")]), coordinator)
    person = Person.objects.select_related("user").get(employee_no="A1001")
    assert person.is_active and person.user.is_active


def test_a_new_person_can_be_imported_as_having_left(tree, coordinator):
    run(xlsx([row(status="离职")]), coordinator)

    person = Person.objects.select_related("user").get(employee_no="A1001")
    assert not person.is_active and not person.user.is_active


def test_superuser_may_import_into_any_company(tree, superuser):
    _record, plan = run(xlsx([row(unit="LGZ0101"), row(no="A1002", unit="H")]), superuser)

    assert plan.errors == []
    assert Person.objects.filter(employee_no__in=["A1001", "A1002"]).count() == 2


def test_someone_without_a_coordinator_role_cannot_import(tree, person_factory):
    manager = person_factory(tree["PGD"], Role.MANAGER).user
    _record, plan = run(xlsx([row()]), manager)

    assert messages_of(plan) == [
        "您没有导入人员的权限：只有培训管理员可以导入本机构及下级机构的人员。"
    ]
    assert not Person.objects.filter(employee_no="A1001").exists()


def test_many_rows_take_a_fixed_number_of_queries(tree, coordinator, django_assert_max_num_queries):
    rows = [row(no=f"A{n:04d}", mobile=f"139{n:08d}") for n in range(300)]
    file = xlsx(rows)
    with django_assert_max_num_queries(40):
        _record, plan = run(file, coordinator)
    assert len(plan.creates) == 300
    assert Person.objects.filter(employee_no__startswith="A").count() == 300


# File-level errors -----------------------------------------------------------------------------


def test_missing_and_unknown_header_columns_are_named(tree, coordinator):
    headers = ["工号", "姓名", "手机号", "角色", "入职日期", "备注"]
    record, plan = run(xlsx([["A1001"] * 6], headers), coordinator)

    assert messages_of(plan) == [
        "表头缺少必填列：手机号码、机构代码、渠道。请使用导入模板的表头。",
        "表头中有无法识别的列：手机号、备注。"
        "可用的列：工号、姓名、手机号码、机构代码、渠道、角色、入职日期、邮箱、状态。",
    ]
    assert record.status == PeopleImportStatus.FAILED
    assert record.errors[0] == {"row": None, "column": "", "message": plan.errors[0].message}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("people.csv", b"", "文件是空的，请检查后重新上传。"),
        ("people.txt", b"x", "只能导入 .xlsx 或 .csv 文件，请使用导入模板。"),
        (
            "people.xls",
            b"x",
            "不支持旧版 Excel（.xls）文件，请在 Excel 中“另存为” .xlsx 格式后重新上传。",
        ),
    ],
)
def test_empty_or_wrong_type_file_is_refused_before_it_is_stored(
    tree, coordinator, name, content, message
):
    with pytest.raises(ValidationError) as raised:
        run(ContentFile(content, name=name), coordinator)

    assert raised.value.messages == [message]
    assert not PeopleImport.objects.exists()


def test_oversize_file_is_refused(tree, coordinator, settings):
    settings.PEOPLE_IMPORT_MAX_BYTES = 1000
    data = csv_bytes([row()]).ljust(3072, b"\n")  # Blank lines pad it to 3 KB.
    with pytest.raises(ValidationError) as raised:
        run(ContentFile(data, name="big.csv"), coordinator)

    assert raised.value.messages == [
        "文件太大（3.0\xa0KB），不能超过 1000\xa0字节。请分成几个文件导入。"
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "people.xlsx",
            b"not a zip",
            "无法读取这个 Excel 文件，请确认它是 .xlsx 格式（可用 Excel 打开后另存为 .xlsx）。",
        ),
        (
            "people.csv",
            b"\n\n",
            "文件里没有内容：第一行应是表头（工号、姓名……），其后是人员数据。",
        ),
        (
            "people.csv",
            csv_bytes([]),
            "文件只有表头，没有人员数据（表头在第 1 行）。",
        ),
        (
            "people.csv",
            b"\xff\xfe\x00\xd8\x00",
            "无法识别 CSV 文件的编码，请用 UTF-8 或 GBK 编码保存后重新上传。",
        ),
    ],
)
def test_unreadable_files_are_recorded_with_a_clear_error(
    tree, coordinator, name, content, message
):
    record, plan = run(ContentFile(content, name=name), coordinator)

    assert messages_of(plan) == [message]
    assert record.status == PeopleImportStatus.FAILED


# The template ----------------------------------------------------------------------------------


def test_template_has_the_headers_an_example_and_instructions_and_imports_cleanly(
    tree, coordinator, client
):
    client.force_login(coordinator)
    response = client.get(reverse("people_import:template"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    people, notes = workbook.worksheets
    header, example = list(people.iter_rows(values_only=True))[:2]
    assert list(header) == HEADERS
    assert example[3] == "PGD"
    assert notes.title == "填写说明"
    assert "个人代理、柜面、员工、互动部" in [c.value for c in notes["C"]][5]

    _record, plan = run(ContentFile(response.content, name="template.xlsx"), coordinator)
    assert plan.errors == []
    assert len(plan.creates) == 1


# The admin wizard ------------------------------------------------------------------------------


def upload(client, data, name="people.xlsx"):
    return client.post(reverse("people_import:index"), {"file": SimpleUploadedFile(name, data)})


def test_wizard_upload_preview_confirm(tree, coordinator, client):
    client.force_login(coordinator)
    assert client.get(reverse("people_import:index")).status_code == 200

    response = upload(client, xlsx_bytes([row(), row(no="A1002", mobile="13900000002")]))
    record = PeopleImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("people_import:detail", args=[record.pk])
    assert record.status == PeopleImportStatus.PREVIEWED
    assert not Person.objects.filter(employee_no="A1001").exists()

    preview = client.get(response["Location"])
    assert preview.status_code == 200
    assert "新增 2 人" in preview.content.decode()
    assert reverse("people_import:confirm", args=[record.pk]) in preview.content.decode()

    response = client.post(reverse("people_import:confirm", args=[record.pk]), follow=True)
    assert "导入完成：新增 2 人，更新 0 人，无变化 0 人。" in response.content.decode()
    record.refresh_from_db()
    assert record.status == PeopleImportStatus.APPLIED
    assert record.applied_at is not None
    assert Person.objects.filter(employee_no__in=["A1001", "A1002"]).count() == 2

    # A second confirmation does nothing.
    response = client.post(reverse("people_import:confirm", args=[record.pk]), follow=True)
    assert "这次导入已经确认过或有错误，不能再次确认。请重新上传文件。" in response.content.decode()


def test_wizard_preview_lists_errors_and_offers_no_confirmation(tree, coordinator, client):
    client.force_login(coordinator)
    response = upload(client, xlsx_bytes([row(mobile="123")]), name="坏文件.xlsx")
    record = PeopleImport.objects.get()

    page = client.get(response["Location"]).content.decode()
    assert record.status == PeopleImportStatus.FAILED
    assert "手机号码应为 11 位数字，以 1 开头，例如 13800138000。" in page
    assert reverse("people_import:confirm", args=[record.pk]) not in page


def test_wizard_refuses_a_wrong_file_in_the_form(tree, coordinator, client):
    client.force_login(coordinator)
    response = upload(client, b"x", name="people.doc")

    assert response.status_code == 200
    assert "只能导入 .xlsx 或 .csv 文件，请使用导入模板。" in response.content.decode()
    assert not PeopleImport.objects.exists()


def test_confirm_checks_the_file_again(tree, coordinator, client):
    client.force_login(coordinator)
    upload(client, xlsx_bytes([row()]))
    record = PeopleImport.objects.get()
    unit = tree["PGZ0101"]
    org_unit_update(
        unit=unit, name=unit.name, code=unit.code, region_code=unit.region_code, is_active=False
    )

    response = client.post(reverse("people_import:confirm", args=[record.pk]), follow=True)

    assert "重新检查时发现 1 处错误，没有做任何修改。" in response.content.decode()
    record.refresh_from_db()
    assert record.status == PeopleImportStatus.FAILED
    assert not Person.objects.filter(employee_no="A1001").exists()


def test_wizard_listing_pins_its_queries(tree, coordinator, client, django_assert_max_num_queries):
    for _ in range(5):
        run(xlsx([row()]), coordinator, apply=False)
    client.force_login(coordinator)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("people_import:index"))
    assert response.content.decode().count("people.xlsx") == 5


def test_another_coordinator_cannot_see_or_confirm_my_import(
    tree, coordinator, person_factory, client
):
    record, _plan = run(xlsx([row()]), coordinator, apply=False)
    other = person_factory(tree["PGD"], Role.COORDINATOR).user
    client.force_login(other)

    assert client.get(reverse("people_import:detail", args=[record.pk])).status_code == 404
    assert client.post(reverse("people_import:confirm", args=[record.pk])).status_code == 404
    record.refresh_from_db()
    assert record.status == PeopleImportStatus.PREVIEWED


@pytest.mark.parametrize(
    ("role", "sent_to"),
    [
        # No admin access at all: Wagtail sends them to log in.
        (Role.MANAGER, r"/accounts/login/\?next="),
        (Role.AGENT, r"/accounts/login/\?next="),
        # In the admin for their courses, but not a coordinator: back to the dashboard.
        (Role.LECTURER, r"/admin/$"),
    ],
)
def test_wizard_refuses_everyone_but_coordinators(
    tree, coordinator, person_factory, client, role, sent_to
):
    record, _plan = run(xlsx([row()]), coordinator, apply=False)
    client.force_login(person_factory(tree["PGD"], role).user)

    for response in (
        client.get(reverse("people_import:index")),
        client.get(reverse("people_import:template")),
        client.get(reverse("people_import:detail", args=[record.pk])),
        upload(client, xlsx_bytes([row(no="A1002")])),
        client.post(reverse("people_import:confirm", args=[record.pk])),
    ):
        assert response.status_code == 302
        assert re.match(sent_to, response["Location"])
    assert PeopleImport.objects.count() == 1
    record.refresh_from_db()
    assert record.status == PeopleImportStatus.PREVIEWED
    assert not Person.objects.filter(employee_no__in=["A1001", "A1002"]).exists()


def test_deactivated_coordinator_is_refused(tree, person_factory, client):
    person = person_factory(tree["PGD"], Role.COORDINATOR)
    person_deactivate(person=person)
    client.force_login(User.objects.get(pk=person.user_id))

    response = client.get(reverse("people_import:index"))
    assert response.status_code == 302


def test_menu_item_shows_for_coordinators_only(tree, coordinator, person_factory, client):
    client.force_login(coordinator)
    assert (
        reverse("people_import:index") in client.get(reverse("wagtailadmin_home")).content.decode()
    )

    client.force_login(person_factory(tree["PGD"], Role.LECTURER).user)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("people_import:index") not in page


def test_wizard_preview_shows_what_changes_for_existing_people(
    tree, coordinator, person_factory, client
):
    person_factory(tree["PGZ0101"], employee_no="A1001", name="王小明")
    client.force_login(coordinator)
    response = upload(client, xlsx_bytes([row(mobile="13711112222")]))

    page = client.get(response["Location"]).content.decode()
    assert "更新 1 人" in page
    assert "手机号码：" in page
    assert "→ 13711112222" in page


# The management command ------------------------------------------------------------------------


@pytest.fixture
def sheet(tmp_path):
    def _sheet(rows, name="people.xlsx"):
        path = tmp_path / name
        path.write_bytes(xlsx_bytes(rows))
        return path

    return _sheet


def test_command_imports_as_the_named_coordinator(tree, coordinator, sheet):
    path = sheet([row(), row(no="A1002", mobile="13900000002")])
    out = io.StringIO()
    call_command("import_people", str(path), "--as", "C0001", stdout=out)

    assert out.getvalue().strip() == "导入完成：新增 2 人，更新 0 人，无变化 0 人。"
    record = PeopleImport.objects.get()
    assert (record.uploaded_by, record.status) == (coordinator, PeopleImportStatus.APPLIED)

    out = io.StringIO()
    call_command("import_people", str(path), "--as", "C0001", stdout=out)
    assert out.getvalue().strip() == "导入完成：新增 0 人，更新 0 人，无变化 2 人。"


def test_command_dry_run_changes_nothing(tree, coordinator, sheet):
    out = io.StringIO()
    call_command("import_people", str(sheet([row()])), "--as", "C0001", "--dry-run", stdout=out)

    assert "试运行，没有做任何修改：将新增 1 人，更新 0 人，无变化 0 人。" in out.getvalue()
    assert not Person.objects.filter(employee_no="A1001").exists()


def test_command_reports_row_errors_and_changes_nothing(tree, coordinator, sheet):
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_people",
            str(sheet([row(), row(no="A1002", unit="LGZ")])),
            "--as",
            "C0001",
            stderr=err,
        )

    assert str(raised.value).startswith("文件中有 1 处错误，没有做任何修改")
    assert err.getvalue().strip() == "第 3 行“机构代码”列：机构“LGZ”不在您的管理范围内。"
    assert not Person.objects.filter(employee_no="A1001").exists()


def test_command_without_importer_runs_as_a_superuser(tree, superuser, sheet):
    out = io.StringIO()
    call_command("import_people", str(sheet([row(unit="LGZ0101")])), stdout=out)

    assert "未指定 --as，以超级用户 root 的身份导入。" in out.getvalue()
    assert Person.objects.get(employee_no="A1001").org_unit == tree["LGZ0101"]


def test_command_refuses_a_non_coordinator_and_a_bad_file(tree, person_factory, sheet, tmp_path):
    person_factory(tree["PGD"], Role.MANAGER, employee_no="M0001")
    with pytest.raises(CommandError, match="工号 M0001 不是在职的培训管理员，不能导入人员。"):
        call_command("import_people", str(sheet([row()])), "--as", "M0001")
    person_factory(tree["PGD"], Role.COORDINATOR, employee_no="C0002")
    bad = tmp_path / "people.txt"
    bad.write_text("x")
    with pytest.raises(CommandError, match=r"只能导入 \.xlsx 或 \.csv 文件"):
        call_command("import_people", str(bad), "--as", "C0002")
