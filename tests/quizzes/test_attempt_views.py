"""Taking a quiz through the pages and the JSON endpoint: the flow without JavaScript, the answer
key absent from everything before submission, other people's attempts refused, review policies."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from organization.models import Role
from quizzes.models import Attempt, AttemptAnswer, AttemptStatus, ReviewPolicy
from quizzes.services import attempt_answer_save, attempt_start, attempt_submit
from tests.courses.factories import make_course

from .factories import (
    choice_ids,
    make_fill_blank,
    make_multiple,
    make_quiz_of,
    make_single,
    make_true_false,
)

EXPLANATION = "解析：依据第二十五条，答案唯一。"
ACCEPTED = "承保公司甲"


@pytest.fixture
def questions(p_category):
    return [
        make_single(p_category, explanation=EXPLANATION),
        make_multiple(p_category, explanation=EXPLANATION),
        make_true_false(p_category, is_true=True, explanation=EXPLANATION),
        make_fill_blank(p_category, accepted_answers=[ACCEPTED], explanation=EXPLANATION),
    ]


@pytest.fixture
def quiz(tree, questions):
    return make_quiz_of(tree["P"], questions, title="交叉销售资格考试")


@pytest.fixture
def agent_client(client, p_agent):
    client.force_login(p_agent.user)
    return client


def question_url(attempt, number):
    return reverse("quizzes:attempt_question", args=[attempt.pk, number])


def answer_url(attempt):
    return reverse("quizzes:attempt_answer", args=[attempt.pk])


def post_json(client, url, payload):
    return client.post(url, json.dumps(payload), content_type="application/json")


def assert_no_key(body: str, attempt):
    """Nothing of the key is in ``body``: no explanation, no accepted answer, no key field, and
    the choices' markup differs only by their ids (so nothing marks the correct one)."""
    assert EXPLANATION not in body
    assert ACCEPTED not in body
    for word in ("is_correct", '"key"', "correct", "is_true", "accepted"):
        assert word not in body
    for question in attempt.snapshot["questions"]:
        assert json.dumps(question["key"]) not in body
    items = re.findall(r'<li><label class="quiz-choice">.*?</label></li>', body)
    shapes = {
        re.sub(r'value="[^"]*"', 'value="X"', re.sub(r"<span>.*?</span>", "", i)) for i in items
    }
    assert len(shapes) <= 1


def test_an_agent_takes_a_quiz_without_javascript(agent_client, quiz, questions, p_agent):
    page = agent_client.get(reverse("quizzes:quiz_detail", args=[quiz.pk]))
    assert "开始考试" in page.text

    started = agent_client.post(reverse("quizzes:quiz_start", args=[quiz.pk]))
    attempt = Attempt.objects.get(person=p_agent)
    assert started.url == question_url(attempt, 1)

    page = agent_client.get(question_url(attempt, 1))
    assert "第 1 题 / 共 4 题" in page.text
    assert_no_key(page.text, attempt)
    single, multiple = questions[:2]
    moved = agent_client.post(
        question_url(attempt, 1), {"response": choice_ids(single, True)[0], "go": "next"}
    )
    assert moved.url == question_url(attempt, 2)
    agent_client.post(
        question_url(attempt, 2), {"response": choice_ids(multiple, True), "go": "next"}
    )
    agent_client.post(question_url(attempt, 3), {"response": "true", "go": "next"})
    last = agent_client.post(
        question_url(attempt, 4), {"response": "承保公司 甲", "go": "overview"}
    )
    assert last.url == reverse("quizzes:attempt_overview", args=[attempt.pk])
    overview = agent_client.get(last.url)
    assert "全部题目都已作答。" in overview.text
    assert_no_key(overview.text, attempt)

    done = agent_client.post(reverse("quizzes:attempt_submit", args=[attempt.pk]))

    assert done.url == reverse("quizzes:attempt_result", args=[attempt.pk])
    result = agent_client.get(done.url)
    assert "✓ 考试通过" in result.text
    assert "4.00 / 4.00 分" in result.text
    assert EXPLANATION in result.text  # review after submitting, the quiz's policy


def test_a_reloaded_question_shows_the_saved_answer(agent_client, quiz, questions, p_agent):
    attempt = attempt_start(quiz=quiz, person=p_agent)
    chosen = choice_ids(questions[1])[:2]
    response = post_json(agent_client, answer_url(attempt), {"position": 1, "response": chosen})
    assert response.status_code == 200

    page = agent_client.get(question_url(attempt, 2))

    for choice_id in chosen:
        assert f'value="{choice_id}" checked' in page.text
    assert page.text.count(" checked") == 2


def test_the_answer_endpoint_saves_and_never_returns_the_key(
    agent_client, quiz, questions, p_agent
):
    attempt = attempt_start(quiz=quiz, person=p_agent)
    response = post_json(agent_client, answer_url(attempt), {"position": 3, "response": "错的"})
    assert response.status_code == 200
    data = response.json()
    assert data["saved"] is True and data["answered"] is True and data["position"] == 3
    assert 0 < data["remaining_seconds"] <= 30 * 60
    assert_no_key(response.text, attempt)
    assert AttemptAnswer.objects.get(attempt=attempt, position=3).response == "错的"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "答案格式不正确。"),
        ('{"response": 1}', "答案格式不正确。"),
        ('{"position": 9, "response": 1}', "题号不正确。"),
        ('{"position": 2, "response": "maybe"}', "判断题只能回答“正确”或“错误”。"),
    ],
)
def test_the_answer_endpoint_refuses_bad_requests(agent_client, quiz, p_agent, body, message):
    attempt = attempt_start(quiz=quiz, person=p_agent)
    response = agent_client.post(answer_url(attempt), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"error": message}


def test_the_answer_endpoint_answers_409_once_submitted(agent_client, quiz, p_agent):
    attempt = attempt_start(quiz=quiz, person=p_agent)
    attempt_submit(attempt=attempt, person=p_agent)
    response = post_json(agent_client, answer_url(attempt), {"position": 0, "response": None})
    assert response.status_code == 409
    assert response.json()["result_url"] == reverse("quizzes:attempt_result", args=[attempt.pk])


def test_the_answer_endpoint_asks_a_logged_out_browser_to_log_in(client, quiz, p_agent):
    attempt = attempt_start(quiz=quiz, person=p_agent)
    response = post_json(client, answer_url(attempt), {"position": 0, "response": None})
    assert response.status_code == 401
    assert response.json() == {"error": "登录已过期，请重新登录后继续答题。"}


def test_an_answer_after_the_deadline_is_refused_and_the_page_goes_to_the_result(
    agent_client, quiz, p_agent
):
    attempt = attempt_start(quiz=quiz, person=p_agent, at=timezone.now() - timedelta(hours=1))
    response = post_json(agent_client, answer_url(attempt), {"position": 2, "response": True})
    assert response.status_code == 409
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED
    assert AttemptAnswer.objects.get(attempt=attempt, position=2).response is None


def test_opening_an_overdue_attempt_closes_it_and_shows_the_result(agent_client, quiz, p_agent):
    attempt = attempt_start(quiz=quiz, person=p_agent, at=timezone.now() - timedelta(hours=1))
    response = agent_client.get(question_url(attempt, 1))
    assert response.url == reverse("quizzes:attempt_result", args=[attempt.pk])
    result = agent_client.get(response.url)
    assert "时间到自动交卷" in result.text


def test_a_double_submit_grades_once(agent_client, quiz, p_agent):
    attempt = attempt_start(quiz=quiz, person=p_agent)
    url = reverse("quizzes:attempt_submit", args=[attempt.pk])
    first = agent_client.post(url)
    graded_at = Attempt.objects.get(pk=attempt.pk).graded_at
    second = agent_client.post(url)
    assert first.url == second.url == reverse("quizzes:attempt_result", args=[attempt.pk])
    assert Attempt.objects.get(pk=attempt.pk).graded_at == graded_at


def test_a_form_answer_the_question_cannot_take_is_shown_again_with_the_error(
    agent_client, quiz, p_agent
):
    attempt = attempt_start(quiz=quiz, person=p_agent)
    response = agent_client.post(question_url(attempt, 1), {"response": "999999", "go": "next"})
    assert response.status_code == 400
    assert "所选的选项不属于这道题。" in response.text


def test_every_page_and_response_before_submission_lacks_the_key(agent_client, quiz, p_agent):
    quiz_page = agent_client.get(reverse("quizzes:quiz_detail", args=[quiz.pk]))
    attempt = attempt_start(quiz=quiz, person=p_agent)
    bodies = [
        quiz_page.text,
        agent_client.get(reverse("quizzes:quiz_detail", args=[quiz.pk])).text,
        agent_client.get(reverse("quizzes:my_quizzes")).text,
        agent_client.get(reverse("quizzes:attempt_overview", args=[attempt.pk])).text,
        # The result page of an open attempt sends the person back to the overview.
        agent_client.get(reverse("quizzes:attempt_result", args=[attempt.pk]), follow=True).text,
    ]
    for number in range(1, 5):
        bodies.append(agent_client.get(question_url(attempt, number)).text)
        bodies.append(
            post_json(
                agent_client, answer_url(attempt), {"position": number - 1, "response": None}
            ).text
        )
    for body in bodies:
        assert_no_key(body, attempt)


@pytest.mark.parametrize("policy", [ReviewPolicy.NEVER, ReviewPolicy.AFTER_CLOSE])
def test_the_review_policy_keeps_the_answers_hidden_after_submitting(
    agent_client, tree, questions, p_agent, policy
):
    quiz = make_quiz_of(
        tree["P"], questions, review_policy=policy, closes_at=timezone.now() + timedelta(days=1)
    )
    attempt = attempt_start(quiz=quiz, person=p_agent)
    attempt_submit(attempt=attempt, person=p_agent)
    page = agent_client.get(reverse("quizzes:attempt_result", args=[attempt.pk]))
    assert "得分率" in page.text
    assert_no_key(page.text, attempt)


def test_after_close_the_answers_show_once_the_quiz_has_closed(
    agent_client, tree, questions, p_agent
):
    now = timezone.now()
    quiz = make_quiz_of(
        tree["P"],
        questions,
        review_policy=ReviewPolicy.AFTER_CLOSE,
        closes_at=now + timedelta(minutes=40),
    )
    attempt = attempt_start(quiz=quiz, person=p_agent, at=now - timedelta(minutes=1))
    attempt_submit(attempt=attempt, person=p_agent, at=now)
    quiz.closes_at = now - timedelta(seconds=1)
    quiz.save()
    page = agent_client.get(reverse("quizzes:attempt_result", args=[attempt.pk]))
    assert EXPLANATION in page.text
    assert ACCEPTED in page.text


def test_another_persons_attempt_is_not_found_anywhere(client, quiz, p_agent, tree, person_factory):
    attempt = attempt_start(quiz=quiz, person=p_agent)
    attempt_answer_save(attempt=attempt, person=p_agent, position=2, response=True)
    intruder = person_factory(tree["PGZ0101"], Role.AGENT)
    client.force_login(intruder.user)

    for url in (
        question_url(attempt, 1),
        reverse("quizzes:attempt_overview", args=[attempt.pk]),
        reverse("quizzes:attempt_result", args=[attempt.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(question_url(attempt, 3), {"response": "false"}).status_code == 404
    assert client.post(reverse("quizzes:attempt_submit", args=[attempt.pk])).status_code == 404
    response = post_json(client, answer_url(attempt), {"position": 2, "response": False})
    assert response.status_code == 404
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS
    assert AttemptAnswer.objects.get(attempt=attempt, position=2).response is True


def test_a_quiz_outside_the_persons_audience_is_not_found(client, quiz, tree, person_factory):
    outsider = person_factory(tree["LGZ0101"], Role.AGENT)
    client.force_login(outsider.user)
    assert client.get(reverse("quizzes:quiz_detail", args=[quiz.pk])).status_code == 404
    assert client.post(reverse("quizzes:quiz_start", args=[quiz.pk])).status_code == 404
    assert "交叉销售资格考试" not in client.get(reverse("quizzes:my_quizzes")).text
    assert not Attempt.objects.exists()


def test_a_refused_start_says_why(agent_client, tree, questions, p_agent):
    quiz = make_quiz_of(tree["P"], questions, opens_at=timezone.now() + timedelta(days=1))
    page = agent_client.get(reverse("quizzes:quiz_detail", args=[quiz.pk]))
    assert "考试将于" in page.text
    assert "开始考试" not in page.text
    response = agent_client.post(reverse("quizzes:quiz_start", args=[quiz.pk]), follow=True)
    assert "考试将于" in response.text
    assert not Attempt.objects.exists()


def test_the_course_page_shows_its_quiz_to_the_audience_only(
    client, tree, questions, p_agent, person_factory
):
    course = make_course(owner=tree["P"], audience=[tree["P"], tree["L"]], title="财险产品")
    make_quiz_of(tree["P"], questions, course=course, title="财险产品认证考试")
    client.force_login(p_agent.user)
    page = client.get(course.url)
    assert "财险产品认证考试" in page.text
    assert "参加考试" in page.text

    life_agent = person_factory(tree["LGZ0101"], Role.AGENT)
    client.force_login(life_agent.user)
    page = client.get(course.url)
    assert page.status_code == 200
    assert "财险产品认证考试" not in page.text


@pytest.mark.parametrize("quizzes", [2, 10])
def test_my_quizzes_takes_a_fixed_number_of_queries(
    agent_client, tree, questions, p_agent, quizzes, django_assert_max_num_queries
):
    for number in range(quizzes):
        quiz = make_quiz_of(tree["P"], questions, title=f"考试{number}")
        attempt_submit(attempt=attempt_start(quiz=quiz, person=p_agent), person=p_agent)
    agent_client.get(reverse("quizzes:my_quizzes"))
    # Session, user, person, the quizzes, the attempts, nav permissions, session save.
    with django_assert_max_num_queries(9):
        page = agent_client.get(reverse("quizzes:my_quizzes"))
    assert page.text.count('<li>\n            <a href="/quizzes/') == quizzes
