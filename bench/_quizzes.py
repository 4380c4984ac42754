"""A certification quiz for the benchmarks, built through the bank services, and responses to it.

Questions cycle through the four kinds (single, multiple, true/false, fill-in) with stems taken
from the seed's articles; the quiz asks them all, shuffling questions and choices, partial credit
for multiple choice, pass mark 60 %, unlimited attempts, 60 minutes.
"""

import itertools
import random

_numbers = itertools.count(1)


def build_quiz(*, company, audience, questions: int, title: str = "交叉销售资格考试"):
    from _courses import article_texts

    from quizzes.bank_services import category_create, question_create
    from quizzes.models import MultipleScoring, QuestionKind, Quiz, QuizQuestion

    texts = article_texts()
    category = category_create(company=company, name=f"基准题库{next(_numbers)}")
    made = []
    for i in range(questions):
        stem = f"<p>（第{i + 1}题）{texts[i % len(texts)][:120]}</p>"
        kind = (
            QuestionKind.SINGLE,
            QuestionKind.MULTIPLE,
            QuestionKind.TRUE_FALSE,
            QuestionKind.FILL_BLANK,
        )[i % 4]
        fields = {}
        if kind == QuestionKind.SINGLE:
            fields["choices"] = [
                ("相互代理", True),
                ("联合展业", False),
                ("渠道共享", False),
                ("综合开拓", False),
            ]
        elif kind == QuestionKind.MULTIPLE:
            fields["choices"] = [
                ("相互代理", True),
                ("联合展业", True),
                ("渠道共享", True),
                ("企业年金", False),
            ]
        elif kind == QuestionKind.TRUE_FALSE:
            fields["is_true"] = i % 8 == 2
        else:
            fields["accepted_answers"] = ["承保公司", "承保方"]
        made.append(
            question_create(
                category=category, kind=kind, stem=stem, explanation="依据规定。", **fields
            )
        )
    quiz = Quiz(
        title=title,
        company=company,
        time_limit_minutes=60,
        pass_percent=60,
        attempts_allowed=0,
        shuffle_questions=True,
        shuffle_choices=True,
        multiple_scoring=MultipleScoring.PARTIAL,
        published=True,
    )
    quiz.full_clean()
    quiz.save()
    quiz.audience_companies.set(list(audience))
    QuizQuestion.objects.bulk_create(
        QuizQuestion(quiz=quiz, question=question, sort_order=i, points=1 + i % 2)
        for i, question in enumerate(made)
    )
    return quiz


def response_for(question: dict, rng: random.Random, *, right: float = 0.8):
    """A plausible response to a snapshot question: the key's answer with probability ``right``,
    else a wrong one (what a browser would send: ids, booleans and text)."""
    kind, key = question["kind"], question["key"]
    good = rng.random() < right
    ids = [choice["id"] for choice in question["choices"]]
    if kind == "single":
        return (
            key["choices"][0] if good else rng.choice([i for i in ids if i not in key["choices"]])
        )
    if kind == "multiple":
        return key["choices"] if good else rng.sample(ids, 2)
    if kind == "true_false":
        return key["is_true"] if good else not key["is_true"]
    return "承保　公司" if good else "代理公司"
