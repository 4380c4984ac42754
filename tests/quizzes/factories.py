"""Question-bank objects built the way the admin and the importers build them: the bank services.

Shared by the quiz tests (Q2 and Q3 may append their own helpers below)."""

import itertools

from quizzes.bank_services import category_create, question_create
from quizzes.models import Difficulty, QuestionKind

_numbers = itertools.count(1)


def make_category(company, name: str | None = None):
    return category_create(company=company, name=name or f"测试分类{next(_numbers)}")


def make_single(category, stem: str | None = None, **fields):
    return question_create(
        category=category,
        kind=QuestionKind.SINGLE,
        stem=stem or f"<p>交叉销售保费收入记录在哪个系统中？（{next(_numbers)}）</p>",
        choices=fields.pop(
            "choices",
            [("集团交叉销售统计系统", True), ("各公司财务系统", False), ("代理人台账", False)],
        ),
        explanation=fields.pop("explanation", "依据第二十五条：系统记录原则。"),
        **fields,
    )


def make_multiple(category, stem: str | None = None, **fields):
    return question_create(
        category=category,
        kind=QuestionKind.MULTIPLE,
        stem=stem or f"<p>交叉销售保费收入包括哪些方式形成的收入？（{next(_numbers)}）</p>",
        choices=fields.pop(
            "choices",
            [("相互代理", True), ("联合展业", True), ("渠道共享", True), ("企业年金", False)],
        ),
        **fields,
    )


def make_true_false(category, stem: str | None = None, is_true: bool = False, **fields):
    return question_create(
        category=category,
        kind=QuestionKind.TRUE_FALSE,
        stem=stem or f"<p>交叉销售的理赔工作由代理方负责。（{next(_numbers)}）</p>",
        is_true=is_true,
        **fields,
    )


def make_fill_blank(category, stem: str | None = None, **fields):
    return question_create(
        category=category,
        kind=QuestionKind.FILL_BLANK,
        stem=stem or f"<p>交叉销售的理赔工作由_____负责。（{next(_numbers)}）</p>",
        accepted_answers=fields.pop("accepted_answers", ["承保公司"]),
        difficulty=fields.pop("difficulty", Difficulty.EASY),
        **fields,
    )


# Quizzes (Q2) --------------------------------------------------------------------------------


def make_quiz_of(company, questions=(), *, rules=(), audience=(), **fields):
    """A published quiz of ``company`` asking ``questions`` (bank questions, or (question,
    points) pairs) in order, plus random ``rules`` ((category, count, difficulty or None)).
    No shuffling unless asked; open to ``audience`` companies (default: the company's people)."""
    from quizzes.models import Quiz, QuizQuestion, QuizRandomRule

    defaults = {
        "title": f"测试考试{next(_numbers)}",
        "time_limit_minutes": 30,
        "pass_percent": 60,
        "attempts_allowed": 0,
        "shuffle_questions": False,
        "shuffle_choices": False,
        "published": True,
    }
    quiz = Quiz(company=company, **{**defaults, **fields})
    quiz.full_clean()
    quiz.save()
    quiz.audience_companies.set(list(audience))
    for order, item in enumerate(questions):
        question, points = item if isinstance(item, tuple) else (item, 1)
        QuizQuestion.objects.create(quiz=quiz, question=question, sort_order=order, points=points)
    for order, (category, count, difficulty) in enumerate(rules):
        QuizRandomRule.objects.create(
            quiz=quiz, category=category, count=count, difficulty=difficulty, sort_order=order
        )
    return quiz


def choice_ids(question, correct: bool | None = None) -> list[int]:
    """The question's choice ids in bank order (only the correct or wrong ones, if asked)."""
    return [
        choice.pk
        for choice in question.choice_list()
        if correct is None or choice.is_correct == correct
    ]
