"""Export to .xlsx and GIFT: what is exported imports back as the same questions, so a round
trip adds nothing, and into an empty bank recreates the bank."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from quizzes.exporting import export_gift, export_xlsx, questions_for_export
from quizzes.importing import apply_plan, plan_import, read_questions
from quizzes.models import Question

from .factories import make_category, make_fill_blank, make_multiple, make_single, make_true_false

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(p_category):
    other = make_category(p_category.company, "理赔/查勘")
    make_single(
        p_category, tags=["产代寿", "统计口径"], explanation="依据第二十五条：\n系统记录原则。"
    )
    make_single(
        p_category,
        stem="<p>含特殊字符 {=~#:} 与<b>加粗</b></p><p>第二段</p>",
        choices=[("a=b", False), ("c~d#e", True), ("{f}", False)],
    )
    make_multiple(other, difficulty=3)
    make_true_false(other, is_true=True)
    make_fill_blank(p_category, accepted_answers=["承保公司", "ＰＩＣＣ 承保方"])
    return p_category.company


def all_questions(company):
    return questions_for_export(
        Question.objects.filter(company=company).order_by("category__name", "pk")
    )


def reimport(data: bytes, name: str, format: str, category, importer):
    result = read_questions(io.BytesIO(data), name=name, format=format)
    plan = plan_import(result=result, category=category, importer=importer)
    return result, plan


@pytest.mark.parametrize("format", ["spreadsheet", "gift"])
def test_an_export_imports_back_as_the_same_questions_and_adds_nothing(
    bank, p_category, p_lecturer, format
):
    questions = all_questions(bank)
    if format == "gift":
        data, name = export_gift(questions).encode(), "bank.gift"
    else:
        data, name = export_xlsx(questions), "bank.xlsx"
    _result, plan = reimport(data, name, format, p_category, p_lecturer.user)
    assert plan.errors == []
    assert (len(plan.creates), len(plan.duplicates)) == (0, 5)
    apply_plan(plan=plan)
    assert Question.objects.count() == 5


def test_a_gift_export_recreates_the_bank_in_another_company(
    bank, l_category, p_lecturer, l_lecturer, tree
):
    text = export_gift(all_questions(bank))
    _result, refused = reimport(text.encode(), "bank.gift", "gift", l_category, p_lecturer.user)
    assert [str(error) for error in refused.errors] == ["您不能修改这家公司的题库。"]
    _result, plan = reimport(text.encode(), "bank.gift", "gift", l_category, l_lecturer.user)
    assert plan.errors == [] and len(plan.creates) == 5
    apply_plan(plan=plan)
    copied = {q.fingerprint for q in Question.objects.filter(company=tree["L"])}
    original = {q.fingerprint for q in Question.objects.filter(company=bank)}
    assert copied == original
    moved = Question.objects.get(company=tree["L"], kind="multiple")
    assert (moved.category.name, moved.difficulty) == ("理赔/查勘", 3)
    fill = Question.objects.get(company=tree["L"], kind="fill_blank")
    assert fill.accepted_answers == ["承保公司", "ＰＩＣＣ 承保方"]
    tagged = Question.objects.get(company=tree["L"], tags__name="统计口径")
    assert sorted(t.name for t in tagged.tags.all()) == ["产代寿", "统计口径"]
    assert tagged.explanation == "依据第二十五条：\n系统记录原则。"


def test_the_xlsx_export_has_the_template_columns_and_one_row_per_question(bank):
    workbook = load_workbook(io.BytesIO(export_xlsx(all_questions(bank))))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("分类", "题型", "题干")
    assert len(rows) == 6
    kinds = sorted(r[1] for r in rows[1:])
    assert kinds == sorted(["单选题", "单选题", "多选题", "判断题", "填空题"])


def test_the_export_view_downloads_the_users_bank_only(client, bank, p_lecturer, l_lecturer, tree):
    client.force_login(p_lecturer.user)
    response = client.get(reverse("question_export"), {"company": bank.pk, "format": "gift"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    assert text.count("[difficulty:") == 5
    assert (
        client.get(reverse("question_export"), {"company": bank.pk, "format": "xlsx"}).status_code
        == 200
    )

    client.force_login(l_lecturer.user)
    response = client.get(reverse("question_export"), {"company": bank.pk, "format": "gift"})
    assert response.status_code == 200 and "company" in response.context["form"].errors


def test_the_export_of_a_category_leaves_the_rest_and_inactive_questions_out(
    client, bank, p_category, p_lecturer
):
    Question.objects.filter(kind="fill_blank").update(active=False)
    client.force_login(p_lecturer.user)
    response = client.get(
        reverse("question_export"),
        {"company": bank.pk, "category": p_category.pk, "format": "gift"},
    )
    assert response.content.decode().count("[difficulty:") == 2
