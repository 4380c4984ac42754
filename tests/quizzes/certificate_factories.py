"""Certifications and certificates made the way users make them: a quiz in the bank, an agent
takes it through the attempt services, the pass grants the certificate."""

import itertools
from datetime import datetime

from django.utils import timezone

from quizzes.bank_services import category_create, question_create
from quizzes.models import Certification, QuestionKind, Quiz, QuizQuestion
from quizzes.services import attempt_answer_save, attempt_start, attempt_submit

_numbers = itertools.count(1)


def make_quiz(*, company, audience=(), course=None, title: str | None = None) -> Quiz:
    """A published one-question true/false quiz (the answer is 正确), pass mark 100%, unlimited
    attempts, open to ``audience`` companies' people (default: the owning company's)."""
    number = next(_numbers)
    category = category_create(company=company, name=f"认证题库{number}")
    question = question_create(
        category=category,
        kind=QuestionKind.TRUE_FALSE,
        stem=f"<p>交叉销售须持证上岗（第{number}题）。</p>",
        is_true=True,
    )
    quiz = Quiz(
        title=title or f"认证考试{number}",
        company=company,
        course=course,
        pass_percent=100,
        attempts_allowed=0,
        time_limit_minutes=30,
        published=True,
    )
    quiz.full_clean()
    quiz.save()
    quiz.audience_companies.set(list(audience))
    QuizQuestion.objects.create(quiz=quiz, question=question, points=1)
    return quiz


def make_certification(
    *,
    quiz: Quiz,
    product_company,
    name: str | None = None,
    code: str | None = None,
    validity_months: int = 24,
    **fields,
) -> Certification:
    number = next(_numbers)
    certification = Certification(
        name=name or f"交叉销售资格{number}",
        code=code or f"CX{number}",
        product_company=product_company,
        quiz=quiz,
        validity_months=validity_months,
        **fields,
    )
    certification.full_clean()
    certification.save()
    return certification


def take_quiz(quiz: Quiz, person, *, correct: bool = True, at: datetime | None = None):
    """Start, answer and submit: the submitted attempt (passed when ``correct``)."""
    at = at or timezone.now()
    attempt = attempt_start(quiz=quiz, person=person, at=at)
    attempt_answer_save(attempt=attempt, person=person, position=0, response=correct, at=at)
    return attempt_submit(attempt=attempt, person=person, at=at)
