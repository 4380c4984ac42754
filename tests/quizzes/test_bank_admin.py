"""The question bank in the Wagtail admin, through its URLs: lecturers and coordinators edit their
own banks, everyone else is refused; every question type's key is checked on the form."""

import re

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from quizzes.models import Question, QuestionCategory, QuestionKind, Quiz, QuizQuestion

from .factories import make_category, make_fill_blank, make_single, make_true_false

pytestmark = pytest.mark.django_db

# Session, user (with person), permissions, profile, roles, the user's bank companies, the menu's
# checks (locale, page and collection permissions, pages), then the listing: count, filter's
# categories, rows with their category and company. 14 today; the same for 3 rows or 30.
QUESTION_INDEX_QUERIES = 15


def is_refused(response) -> bool:
    """Wagtail answers a PermissionDenied in its admin with a redirect to the dashboard, and
    someone without admin access at all with the login page."""
    if response.status_code in (403, 404):
        return True
    location = response.get("Location", "")
    return response.status_code == 302 and (
        location == reverse("wagtailadmin_home") or location.startswith("/accounts/login/")
    )


def question_data(category, kind=QuestionKind.SINGLE, choices=(), **fields):
    data = {
        "category": category.pk,
        "kind": kind,
        "stem": rich_text(fields.pop("stem", "<p>交叉销售的理赔工作由谁负责？</p>")),
        "explanation": "依据第二十八条。",
        "difficulty": 2,
        "tags": "产代寿",
        "is_true": fields.pop("is_true", "unknown"),
        "accepted_answers": fields.pop("accepted_answers", ""),
        "active": "on",
        "choices": inline_formset(
            [
                {"text": text, "is_correct": "on" if correct else "", "id": ""}
                for text, correct in choices
            ]
        ),
    }
    data.update(fields)
    return nested_form_data(data)


def test_a_lecturer_adds_a_single_choice_question_with_its_choices(client, p_lecturer, p_category):
    client.force_login(p_lecturer.user)
    response = client.post(
        reverse("questions:add"),
        question_data(p_category, choices=[("承保公司", True), ("代理方", False)]),
    )
    assert response.status_code == 302, response.context["form"].errors
    question = Question.objects.get()
    assert question.company == p_category.company
    assert [(c.text, c.is_correct) for c in question.choice_list()] == [
        ("承保公司", True),
        ("代理方", False),
    ]
    assert question.fingerprint == question.compute_fingerprint()
    assert [tag.name for tag in question.tags.all()] == ["产代寿"]


@pytest.mark.parametrize(
    ("kind", "choices", "extra", "message"),
    [
        (QuestionKind.SINGLE, [("甲", True), ("乙", True)], {}, "单选题必须恰好有一个正确选项"),
        (QuestionKind.SINGLE, [("甲", True)], {}, "选择题至少需要两个选项"),
        (QuestionKind.MULTIPLE, [("甲", False), ("乙", False)], {}, "多选题至少需要一个正确选项"),
        (QuestionKind.TRUE_FALSE, [], {}, "判断题必须指明题述正确还是错误"),
        (QuestionKind.FILL_BLANK, [], {}, "填空题至少需要一个参考答案"),
        (QuestionKind.FILL_BLANK, [("甲", True)], {"accepted_answers": "甲"}, "只有单选题和多选题"),
    ],
)
def test_the_form_refuses_a_bad_key_and_says_why(
    client, p_lecturer, p_category, kind, choices, extra, message
):
    client.force_login(p_lecturer.user)
    response = client.post(
        reverse("questions:add"), question_data(p_category, kind, choices, **extra)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Question.objects.exists()


def test_true_false_and_fill_in_questions_are_added_with_their_keys(client, p_lecturer, p_category):
    client.force_login(p_lecturer.user)
    client.post(
        reverse("questions:add"),
        question_data(
            p_category, QuestionKind.TRUE_FALSE, stem="<p>理赔工作不进行交叉。</p>", is_true="true"
        ),
    )
    client.post(
        reverse("questions:add"),
        question_data(
            p_category,
            QuestionKind.FILL_BLANK,
            stem="<p>理赔由_____负责。</p>",
            accepted_answers="承保公司\n 承保方 \n",
        ),
    )
    true_false = Question.objects.get(kind=QuestionKind.TRUE_FALSE)
    fill = Question.objects.get(kind=QuestionKind.FILL_BLANK)
    assert true_false.is_true is True
    assert fill.accepted_answers == ["承保公司", "承保方"]


def test_an_identical_question_is_refused_on_the_form(client, p_lecturer, p_category):
    make_true_false(p_category, stem="<p>理赔工作不进行交叉。</p>", is_true=True)
    client.force_login(p_lecturer.user)
    response = client.post(
        reverse("questions:add"),
        question_data(
            p_category, QuestionKind.TRUE_FALSE, stem="<p>理赔工作不进行交叉。</p>", is_true="true"
        ),
    )
    assert "题库中已有相同的题目" in response.content.decode()
    assert Question.objects.count() == 1


def test_editing_a_question_keeps_the_fingerprint_in_step(client, p_lecturer, p_category):
    question = make_fill_blank(p_category)
    client.force_login(p_lecturer.user)
    edit_url = reverse("questions:edit", args=[question.pk])
    assert "承保公司" in client.get(edit_url).content.decode()
    response = client.post(
        edit_url,
        question_data(
            p_category,
            QuestionKind.FILL_BLANK,
            stem=question.stem,
            accepted_answers="承保公司\n承保方",
        ),
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.accepted_answers == ["承保公司", "承保方"]
    assert question.fingerprint == question.compute_fingerprint()


def test_a_lecturer_of_another_company_is_refused_every_url_of_a_question(
    client, l_lecturer, p_category
):
    question = make_single(p_category)
    client.force_login(l_lecturer.user)
    for name in ("edit", "delete", "history"):
        url = reverse(f"questions:{name}", args=[question.pk])
        assert is_refused(client.get(url)), name
    assert is_refused(client.post(reverse("questions:delete", args=[question.pk])))
    response = client.post(
        reverse("questions:edit", args=[question.pk]),
        question_data(p_category, choices=[("改掉", True), ("答案", False)]),
    )
    assert is_refused(response)
    assert Question.objects.get().choice_list()[0].text == "集团交叉销售统计系统"


def test_a_lecturer_cannot_add_into_another_companys_category(client, l_lecturer, p_category):
    client.force_login(l_lecturer.user)
    response = client.post(
        reverse("questions:add"), question_data(p_category, choices=[("甲", True), ("乙", False)])
    )
    assert response.status_code == 200
    assert "category" in response.context["form"].errors
    assert not Question.objects.exists()


def test_a_lecturer_of_another_company_is_refused_a_category(client, l_lecturer, p_category, tree):
    client.force_login(l_lecturer.user)
    for name in ("edit", "delete", "history"):
        assert is_refused(client.get(reverse(f"question_categories:{name}", args=[p_category.pk])))
    response = client.post(
        reverse("question_categories:add"), {"company": tree["P"].pk, "name": "越权"}
    )
    assert response.status_code == 200
    assert not QuestionCategory.objects.filter(name="越权").exists()


def test_listings_show_only_the_users_banks(client, l_lecturer, p_category, l_category):
    make_single(p_category, stem="<p>财险的题</p>")
    make_single(l_category, stem="<p>寿险的题</p>")
    client.force_login(l_lecturer.user)
    content = client.get(reverse("questions:index")).content.decode()
    assert "寿险的题" in content and "财险的题" not in content
    categories = client.get(reverse("question_categories:index")).content.decode()
    assert l_category.name in categories and p_category.name not in categories


def test_a_company_coordinator_edits_the_bank_and_a_branch_coordinator_is_refused(
    client, p_coordinator, gd_coordinator, p_category
):
    question = make_single(p_category)
    client.force_login(p_coordinator.user)
    assert client.get(reverse("questions:edit", args=[question.pk])).status_code == 200
    client.force_login(gd_coordinator.user)
    assert is_refused(client.get(reverse("questions:index")))
    assert is_refused(client.get(reverse("questions:edit", args=[question.pk])))
    assert is_refused(client.get(reverse("question_import:index")))


def test_agents_have_no_access_to_the_bank(client, p_agent, p_category):
    question = make_single(p_category)
    client.force_login(p_agent.user)
    for url in (
        reverse("questions:index"),
        reverse("questions:add"),
        reverse("questions:edit", args=[question.pk]),
        reverse("question_categories:index"),
        reverse("question_import:index"),
        reverse("question_import:template"),
        reverse("question_export"),
    ):
        assert is_refused(client.get(url)), url


def test_a_question_a_quiz_uses_is_not_deleted(client, p_lecturer, p_category, tree):
    question = make_single(p_category)
    quiz = Quiz.objects.create(title="认证考试", company=tree["P"])
    QuizQuestion.objects.create(quiz=quiz, question=question)
    client.force_login(p_lecturer.user)
    response = client.post(reverse("questions:delete", args=[question.pk]), follow=True)
    assert "这道题已被考试使用，不能删除" in response.content.decode()
    assert Question.objects.filter(pk=question.pk).exists()
    unused = make_single(p_category)
    client.post(reverse("questions:delete", args=[unused.pk]))
    assert not Question.objects.filter(pk=unused.pk).exists()


def test_the_question_listing_costs_the_same_for_few_and_many_rows(
    client, p_lecturer, p_category, django_assert_max_num_queries
):
    client.force_login(p_lecturer.user)
    second = make_category(p_category.company, "第二分类")
    for number in range(3):
        make_single(p_category if number % 2 else second, stem=f"<p>第{number}题</p>")
    with django_assert_max_num_queries(QUESTION_INDEX_QUERIES):
        assert client.get(reverse("questions:index")).status_code == 200
    for number in range(3, 30):
        make_single(
            p_category if number % 2 else second, stem=f"<p>第{number}题</p>", tags=["标签"]
        )
    with django_assert_max_num_queries(QUESTION_INDEX_QUERIES):
        response = client.get(reverse("questions:index"))
    assert len(response.context["object_list"]) == 30


def test_the_bank_pages_open_for_a_lecturer(client, p_lecturer, p_category):
    true_false = make_true_false(p_category, is_true=True)
    client.force_login(p_lecturer.user)
    for url, text in (
        (reverse("questions:add"), "判断题答案"),
        (reverse("question_categories:add"), "名称"),
        (reverse("question_import:index"), "下载导入模板（.xlsx）"),
        (reverse("question_export"), "公司题库"),
    ):
        response = client.get(url)
        assert response.status_code == 200 and text in response.content.decode(), url
    edit = client.get(reverse("questions:edit", args=[true_false.pk])).content.decode()
    radios = dict(re.findall(r'<input type="radio" name="is_true" value="(\w+)"([^>]*)>', edit))
    assert set(radios) == {"unknown", "true", "false"}
    assert [value for value, attrs in radios.items() if "checked" in attrs] == ["true"]
