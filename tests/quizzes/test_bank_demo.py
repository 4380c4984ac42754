"""``manage.py load_demo``'s quiz step: a bank written from the seed's articles and a
certification quiz for every demo course with cross-selling pairs; idempotent."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from courses.models import CoursePage
from courses.seed import seed_articles
from organization.demo import DemoContext
from organization.models import OrgUnit
from quizzes.demo import CATEGORIES, load_quizzes
from quizzes.models import Question, QuestionCategory, QuestionKind, Quiz

ARTICLE = re.compile(r"(第[一二三四五六七八九十]+条)")


@pytest.fixture
def demo(db) -> str:
    out = StringIO()
    call_command("load_demo", force=True, stdout=out)
    return out.getvalue()


def snapshot():
    return {
        "categories": sorted(QuestionCategory.objects.values_list("company__code", "name")),
        "questions": sorted(Question.objects.values_list("company__code", "fingerprint")),
        "quizzes": sorted(
            Quiz.objects.values_list("course__slug", "title", "company__code", "published")
        ),
    }


def test_the_demo_bank_has_real_questions_of_every_type_citing_their_articles(demo):
    questions = list(Question.objects.select_related("category", "company"))
    assert len(questions) >= 30
    kinds = {kind: sum(q.kind == kind for q in questions) for kind in QuestionKind.values}
    assert all(count >= 4 for count in kinds.values()), kinds
    articles = seed_articles()
    for question in questions:
        cited = ARTICLE.findall(question.explanation)
        assert cited and all(label in articles for label in cited), question.explanation
        if question.kind == QuestionKind.FILL_BLANK:
            # The answer is the article's own words.
            text = articles[cited[0]].text
            assert any(answer in text for answer in question.accepted_answers), question
    assert "题库与考试：新建题目 35/35 道，新建认证考试 5 场。" in demo


def test_every_demo_course_with_cross_selling_pairs_has_a_quiz_its_bank_can_fill(demo):
    courses = [c for c in CoursePage.objects.all() if c.cross_selling_pairs]
    assert courses
    for course in courses:
        quiz = Quiz.objects.get(course=course)
        assert quiz.published and quiz.company_id == course.owning_company_id
        assert set(quiz.audience_companies.all()) == set(course.audience_companies.all())
        for rule in quiz.random_rules.all():
            available = Question.objects.filter(category=rule.category, active=True).count()
            assert rule.category.company_id == quiz.company_id
            assert 0 < rule.count <= available
        for link in quiz.fixed_questions.select_related("question"):
            assert link.question.company_id == quiz.company_id
        assert quiz.random_rules.exists() or quiz.fixed_questions.exists()


def test_loading_the_demo_again_changes_nothing(demo):
    before = snapshot()
    out = StringIO()
    call_command("load_demo", force=True, stdout=out)
    assert snapshot() == before
    assert "题库与考试：新建题目 0/35 道，新建认证考试 0 场。" in out.getvalue()


def test_the_quiz_step_skips_courses_that_are_not_there(db, tree):
    context = DemoContext(
        units={code: OrgUnit.objects.get(code=unit.code) for code, unit in tree.items()},
        log=lambda line: None,
    )
    load_quizzes(context)
    assert Question.objects.count() == sum(len(spec.questions) for spec in CATEGORIES)
    assert not Quiz.objects.exists()
