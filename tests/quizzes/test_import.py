"""The import wizard in the admin: upload → preview → confirm, all or nothing, the same file
twice adds nothing, and only into the user's own bank."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from quizzes.models import Question, QuestionCategory, QuestionImport, QuestionImportStatus

from .factories import make_true_false
from .test_import_spreadsheet import row, xlsx

pytestmark = pytest.mark.django_db

GIFT = """$CATEGORY: 理赔

理赔工作不进行交叉。 {T}

交叉销售的理赔工作由谁负责？ {=承保公司 ~代理方 ####依据第二十八条。}
"""
AIKEN = """交叉销售收入最终记录在哪个系统中？
A. 集团交叉销售统计系统
B. 各子公司业务系统
ANSWER: A
"""


def upload(client, category, content: bytes, name: str, format="auto"):
    response = client.post(
        reverse("question_import:index"),
        {"file": SimpleUploadedFile(name, content), "category": category.pk, "format": format},
    )
    assert response.status_code == 302, response.context["form"].errors
    return QuestionImport.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[-1])


def confirm(client, record):
    return client.post(reverse("question_import:confirm", args=[record.pk]), follow=True)


def sheet():
    return xlsx(
        row(分类="理赔", 标签="产代寿"),
        row("判断题", "理赔工作不进行交叉。", (), "正确"),
        row("填空题", "理赔由_____负责。", (), "承保公司"),
    )


def test_a_preview_writes_nothing_and_the_confirmation_writes_everything(
    client, p_lecturer, p_category
):
    client.force_login(p_lecturer.user)
    record = upload(client, p_category, sheet(), "题目.xlsx")
    assert record.status == QuestionImportStatus.PREVIEWED
    assert (record.created_count, record.duplicate_count, record.new_categories) == (3, 0, ["理赔"])
    assert not Question.objects.exists()
    page = client.get(reverse("question_import:detail", args=[record.pk])).content.decode()
    assert "理赔工作不进行交叉。" in page and "确认导入" in page
    assert "同一个文件已于" not in page

    response = confirm(client, record)
    assert "导入完成：新增 3 道题，已存在而跳过 0 道。" in response.content.decode()
    record.refresh_from_db()
    assert record.status == QuestionImportStatus.APPLIED and record.applied_at
    claims = QuestionCategory.objects.get(company=p_category.company, name="理赔")
    assert list(Question.objects.filter(category=claims).values_list("kind", flat=True)) == [
        "single"
    ]
    assert Question.objects.filter(category=p_category).count() == 2
    assert [t.name for t in Question.objects.get(category=claims).tags.all()] == ["产代寿"]
    assert len(record.file_sha256) == 64


def test_the_same_file_twice_adds_nothing_the_second_time(client, p_lecturer, p_category):
    client.force_login(p_lecturer.user)
    data = sheet()  # One file: openpyxl stamps the time into each workbook it writes.
    confirm(client, upload(client, p_category, data, "题目.xlsx"))
    again = upload(client, p_category, data, "题目.xlsx")
    assert (again.created_count, again.duplicate_count) == (0, 3)
    page = client.get(reverse("question_import:detail", args=[again.pk])).content.decode()
    assert "同一个文件已于" in page and "已存在，跳过" in page
    confirm(client, again)
    assert Question.objects.count() == 3
    assert QuestionCategory.objects.filter(name="理赔").count() == 1


def test_a_file_with_one_bad_row_imports_nothing_and_cannot_be_confirmed(
    client, p_lecturer, p_category
):
    client.force_login(p_lecturer.user)
    record = upload(
        client,
        p_category,
        xlsx(row(分类="新分类"), row(answer="Z"), row("判断题", "好题", (), "对")),
        "q.xlsx",
    )
    assert record.status == QuestionImportStatus.FAILED
    assert record.errors == [
        {
            "row": 3,
            "column": "正确答案",
            "message": "答案中的 Z 没有对应的选项（本题只有选项A到选项B）。",
        }
    ]
    page = client.get(reverse("question_import:detail", args=[record.pk])).content.decode()
    assert "第 3 行" in page and "确认导入" not in page
    response = confirm(client, record)
    assert "不能再次确认" in response.content.decode()
    assert not Question.objects.exists()
    assert not QuestionCategory.objects.filter(name="新分类").exists()


def test_the_same_question_twice_in_a_file_is_an_error_naming_both_rows(
    client, p_lecturer, p_category
):
    client.force_login(p_lecturer.user)
    record = upload(
        client, p_category, xlsx(row(), row("判断题", "好题", (), "对"), row()), "q.xlsx"
    )
    assert [(e["row"], e["message"]) for e in record.errors] == [
        (4, "这道题与第 2 行的题目完全相同，同一道题在文件中只能出现一次。")
    ]


def test_gift_and_aiken_files_are_recognised_and_imported(client, p_lecturer, p_category):
    client.force_login(p_lecturer.user)
    gift = upload(client, p_category, GIFT.encode(), "题库.txt")
    aiken = upload(client, p_category, AIKEN.encode("gbk"), "aiken.txt")
    assert (gift.format, gift.created_count) == ("gift", 2)
    assert (aiken.format, aiken.created_count) == ("aiken", 1)
    confirm(client, gift)
    confirm(client, aiken)
    assert Question.objects.filter(category__name="理赔").count() == 2
    assert (
        Question.objects.get(category=p_category).stem
        == "<p>交叉销售收入最终记录在哪个系统中？</p>"
    )


def test_a_gift_file_with_a_bad_question_reports_its_line(client, p_lecturer, p_category):
    client.force_login(p_lecturer.user)
    record = upload(client, p_category, (GIFT + "\n数值题 {#3}\n").encode(), "bad.gift")
    assert record.status == QuestionImportStatus.FAILED
    assert record.errors == [{"row": 7, "column": "", "message": "不支持数值题（{#…}）。"}]


def test_a_question_added_between_preview_and_confirmation_is_skipped(
    client, p_lecturer, p_category
):
    client.force_login(p_lecturer.user)
    record = upload(client, p_category, sheet(), "题目.xlsx")
    make_true_false(p_category, stem="<p>理赔工作不进行交叉。</p>", is_true=True)
    response = confirm(client, record)
    assert "新增 2 道题，已存在而跳过 1 道" in response.content.decode()
    assert Question.objects.count() == 3


def test_the_wrong_format_for_a_file_is_refused_before_it_is_stored(client, p_lecturer, p_category):
    client.force_login(p_lecturer.user)
    for name, format, message in (
        ("q.xls", "auto", "不支持旧版 Excel（.xls）文件"),
        ("q.pdf", "spreadsheet", "表格（.xlsx / .csv） 格式的文件应是 .xlsx、.csv 文件。"),
        ("q.xlsx", "gift", "Moodle GIFT 格式的文件应是 .txt、.gift 文件。"),
    ):
        response = client.post(
            reverse("question_import:index"),
            {"file": SimpleUploadedFile(name, b"x"), "category": p_category.pk, "format": format},
        )
        assert message in response.content.decode(), name
    assert not QuestionImport.objects.exists()


def test_a_lecturer_cannot_import_into_another_companys_bank_or_see_its_imports(
    client, p_lecturer, l_lecturer, p_category
):
    client.force_login(p_lecturer.user)
    record = upload(client, p_category, sheet(), "题目.xlsx")
    client.force_login(l_lecturer.user)
    response = client.post(
        reverse("question_import:index"),
        {
            "file": SimpleUploadedFile("q.xlsx", sheet()),
            "category": p_category.pk,
            "format": "auto",
        },
    )
    assert "category" in response.context["form"].errors
    assert client.get(reverse("question_import:detail", args=[record.pk])).status_code == 404
    assert client.post(reverse("question_import:confirm", args=[record.pk])).status_code == 404
    assert not Question.objects.exists()


def test_the_template_downloads_as_an_xlsx_with_chinese_headers(client, p_lecturer):
    client.force_login(p_lecturer.user)
    response = client.get(reverse("question_import:template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]][:4] == ["分类", "题型", "题干", "选项A"]
