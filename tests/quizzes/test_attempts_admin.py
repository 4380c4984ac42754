"""The quiz admin: lecturers list, add and edit their own company's quizzes only."""

from django.urls import reverse

from quizzes.models import Quiz, QuizQuestion

from .factories import make_quiz_of, make_single


def quiz_form_data(company, question, **fields):
    data = {
        "title": "财险产品认证考试",
        "description": "",
        "company": company.pk,
        "course": "",
        "time_limit_minutes": 20,
        "pass_percent": 80,
        "attempts_allowed": 3,
        "wait_minutes": 0,
        "opens_at": "",
        "closes_at": "",
        "audience_root": "",
        "review_policy": "after_submit",
        "multiple_scoring": "all_or_nothing",
        "published": "on",
        "fixed_questions-TOTAL_FORMS": 1,
        "fixed_questions-INITIAL_FORMS": 0,
        "fixed_questions-MIN_NUM_FORMS": 0,
        "fixed_questions-MAX_NUM_FORMS": 1000,
        "fixed_questions-0-question": question.pk,
        "fixed_questions-0-points": 2,
        "fixed_questions-0-ORDER": 1,
        "fixed_questions-0-id": "",
        "random_rules-TOTAL_FORMS": 0,
        "random_rules-INITIAL_FORMS": 0,
        "random_rules-MIN_NUM_FORMS": 0,
        "random_rules-MAX_NUM_FORMS": 1000,
    }
    data.update(fields)
    return data


def test_a_lecturer_lists_only_their_companys_quizzes(
    client, tree, p_category, l_category, p_lecturer
):
    make_quiz_of(tree["P"], [make_single(p_category)], title="财险认证考试")
    make_quiz_of(tree["L"], [make_single(l_category)], title="寿险认证考试")
    client.force_login(p_lecturer.user)
    page = client.get(reverse("quiz_admin:index"))
    assert page.status_code == 200
    assert "财险认证考试" in page.text
    assert "寿险认证考试" not in page.text


def test_a_lecturer_adds_a_quiz_of_their_bank(client, tree, p_category, p_lecturer):
    question = make_single(p_category)
    client.force_login(p_lecturer.user)
    form = client.get(reverse("quiz_admin:add"))
    assert form.status_code == 200

    response = client.post(reverse("quiz_admin:add"), quiz_form_data(tree["P"], question))

    assert response.status_code == 302, response.content.decode()[:2000]
    quiz = Quiz.objects.get(title="财险产品认证考试")
    assert quiz.company == tree["P"]
    assert list(QuizQuestion.objects.filter(quiz=quiz).values_list("question", "points")) == [
        (question.pk, 2)
    ]


def test_a_question_of_another_bank_is_refused(client, tree, p_category, l_category, p_lecturer):
    foreign = make_single(l_category)
    client.force_login(p_lecturer.user)
    response = client.post(reverse("quiz_admin:add"), quiz_form_data(tree["P"], foreign))
    assert response.status_code == 200
    assert not Quiz.objects.exists()


def test_a_lecturer_of_another_company_cannot_edit_the_quiz(client, tree, p_category, l_lecturer):
    quiz = make_quiz_of(tree["P"], [make_single(p_category)], title="财险认证考试")
    client.force_login(l_lecturer.user)
    response = client.get(reverse("quiz_admin:edit", args=[quiz.pk]))
    assert response.status_code in (302, 403)
    assert "财险认证考试" not in response.content.decode()


def test_an_agent_has_no_quiz_admin(client, p_agent):
    client.force_login(p_agent.user)
    response = client.get(reverse("quiz_admin:index"))
    assert response.status_code in (302, 403)
