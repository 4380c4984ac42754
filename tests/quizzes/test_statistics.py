"""Quiz statistics on a hand-computed example, the admin statistics page and its export.

Four agents take a quiz of three one-point single-choice questions (pass mark 60%):

    attempt  Q1  Q2  Q3      total  percent  passed
    A        1   1   1       3      100.00   yes
    B        1   1   0       2       66.66   yes
    C        1   0   — (no)  1       33.33   no
    D        0   0   1       1       33.33   no

Facility (mean mark / points): Q1 75 %, Q2 50 %, Q3 50 %.
Discrimination (Moodle: 100 · cov(mark, rest of the attempt) / √(var mark · var rest), n − 1):
- Q1: marks 1 1 1 0, rest 2 1 0 1 → covariance 0 → 0 %.
- Q2: marks 1 1 0 0, rest 2 1 1 1 → cov 1/6, var 1/3 and 1/4 → 100/√3 = 57.74 %.
- Q3: marks 1 0 0 1, rest 2 2 1 0 → cov −1/6, var 1/3 and 11/12 → −100/√11 = −30.15 %.
"""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from organization.models import Role
from quizzes.services import attempt_answer_save, attempt_start, attempt_submit
from quizzes.statistics import quiz_statistics

from .factories import choice_ids, make_quiz_of, make_single

# Per agent: the index of the chosen choice (0 is the correct one) per question, None: unanswered.
ANSWERS = {"A": (0, 0, 0), "B": (0, 0, 1), "C": (0, 2, None), "D": (1, 1, 0)}


@pytest.fixture
def quiz(tree, p_category):
    questions = [make_single(p_category) for _ in range(3)]
    return make_quiz_of(tree["P"], questions, pass_percent=60), questions


@pytest.fixture
def taken(quiz, tree, person_factory):
    quiz, questions = quiz
    for name, picks in ANSWERS.items():
        person = person_factory(tree["PGZ0101"], Role.AGENT, name=f"考生{name}")
        attempt = attempt_start(quiz=quiz, person=person)
        for position, pick in enumerate(picks):
            if pick is not None:
                response = choice_ids(questions[position])[pick]
                attempt_answer_save(
                    attempt=attempt, person=person, position=position, response=response
                )
        attempt_submit(attempt=attempt, person=person)
    return quiz, questions


def test_the_numbers_match_the_hand_computed_example(taken):
    quiz, questions = taken
    stats = quiz_statistics(quiz=quiz)

    assert (stats.attempts, stats.passed, stats.pass_rate) == (4, 2, 50)
    assert stats.median_percent == pytest.approx((33.33 + 66.66) / 2)
    assert stats.mean_percent == pytest.approx((100 + 66.66 + 33.33 + 33.33) / 4)
    assert dict(stats.bands) == {
        "0–10%": 0,
        "10–20%": 0,
        "20–30%": 0,
        "30–40%": 2,
        "40–50%": 0,
        "50–60%": 0,
        "60–70%": 1,
        "70–80%": 0,
        "80–90%": 0,
        "90–100%": 1,
    }
    q1, q2, q3 = stats.questions
    assert [q.question_id for q in stats.questions] == [q.pk for q in questions]
    assert [q.asked for q in stats.questions] == [4, 4, 4]
    assert (q1.facility, q2.facility, q3.facility) == (75, 50, 50)
    assert q1.discrimination == pytest.approx(0, abs=1e-9)
    assert q2.discrimination == pytest.approx(57.735, abs=1e-3)
    assert q3.discrimination == pytest.approx(-30.151, abs=1e-3)
    assert [(o.count, o.correct) for o in q1.options] == [(3, True), (1, False), (0, False)]
    assert [(o.count, o.correct) for o in q3.options] == [(2, True), (1, False), (0, False)]
    assert (q1.unanswered, q3.unanswered) == (0, 1)


def test_first_attempts_only_leaves_out_later_ones(taken, tree):
    quiz, _questions = taken
    [person] = [a.person for a in quiz.attempts.filter(person__name="考生D")]
    attempt_submit(attempt=attempt_start(quiz=quiz, person=person), person=person)
    assert quiz_statistics(quiz=quiz).attempts == 5
    assert quiz_statistics(quiz=quiz, first_attempts_only=True).attempts == 4


def test_the_lecturer_sees_the_statistics_and_exports_them(client, taken, p_lecturer):
    quiz, _questions = taken
    client.force_login(p_lecturer.user)
    page = client.get(reverse("quiz_statistics", args=[quiz.pk]))
    assert page.status_code == 200
    assert "57.74%" in page.text
    assert "-30.15%" in page.text
    assert "50.0%" in page.text  # pass rate

    export = client.get(reverse("quiz_statistics_export", args=[quiz.pk]))

    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(BytesIO(export.content))
    assert workbook.sheetnames == ["概况", "分数分布", "题目分析", "选项统计"]
    rows = list(workbook["题目分析"].iter_rows(values_only=True))
    assert rows[0][6:8] == ("难度系数（%）", "区分度（%）")
    assert [row[6:8] for row in rows[1:]] == [(75, 0), (50, 57.74), (50, -30.15)]
    summary = dict(workbook["概况"].iter_rows(values_only=True))
    assert (summary["答卷数"], summary["通过率（%）"]) == (4, 50)


def test_a_lecturer_of_another_company_cannot_see_the_statistics(client, taken, l_lecturer):
    quiz, _questions = taken
    client.force_login(l_lecturer.user)
    for name in ("quiz_statistics", "quiz_statistics_export"):
        response = client.get(reverse(name, args=[quiz.pk]))
        assert response.status_code in (302, 403)
        assert "区分度" not in response.content.decode()


def test_an_agent_cannot_open_the_statistics(client, taken, p_agent):
    quiz, _questions = taken
    client.force_login(p_agent.user)
    response = client.get(reverse("quiz_statistics", args=[quiz.pk]))
    assert response.status_code in (302, 403)
