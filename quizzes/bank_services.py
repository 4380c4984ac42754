"""Writes to the question bank: categories and questions, for the importers and the demo.

The admin's own forms (``quizzes.admin_forms``) check the same rules through the same function,
``question_key_errors``. Every question is stored with its choices in one ``save`` (a
``ClusterableModel``), so its fingerprint covers them.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Choice, Difficulty, Question, QuestionCategory, question_key_errors
from .rules import can_edit_bank


def _check_user(user, company_id: int) -> None:
    if user is not None and not can_edit_bank(user, company_id):
        raise ValidationError(_("您不能修改这家公司的题库。"))


@transaction.atomic
def category_create(*, company, name: str, description: str = "", user=None) -> QuestionCategory:
    _check_user(user, company.pk)
    category = QuestionCategory(company=company, name=name.strip(), description=description)
    category.full_clean()
    category.save()
    return category


def category_get_or_create(*, company, name: str, user=None) -> QuestionCategory:
    category = QuestionCategory.objects.filter(company=company, name=name.strip()).first()
    return category or category_create(company=company, name=name, user=user)


def build_question(
    *,
    category: QuestionCategory,
    kind: str,
    stem: str,
    choices: list[tuple[str, bool]] = (),
    accepted_answers: list[str] = (),
    is_true: bool | None = None,
    explanation: str = "",
    difficulty: int = Difficulty.MEDIUM,
    active: bool = True,
) -> Question:
    """An unsaved question with its choices attached (so its fingerprint can be computed)."""
    question = Question(
        category=category,
        company_id=category.company_id,
        kind=kind,
        stem=stem,
        accepted_answers=[answer.strip() for answer in accepted_answers],
        is_true=is_true,
        explanation=explanation.strip(),
        difficulty=difficulty,
        active=active,
    )
    question.choices = [
        Choice(text=text.strip(), is_correct=bool(correct), sort_order=index)
        for index, (text, correct) in enumerate(choices)
    ]
    return question


@transaction.atomic
def question_create(*, user=None, tags: list[str] = (), **fields) -> Question:
    """Check and store one question with its choices and tags; ValidationError in Chinese."""
    question = build_question(**fields)
    _check_user(user, question.company_id)
    errors = question_key_errors(
        kind=question.kind,
        choices=[(choice.text, choice.is_correct) for choice in question.choices.all()],
        accepted_answers=question.accepted_answers,
        is_true=question.is_true,
    )
    if errors:
        raise ValidationError(errors)
    question.full_clean(exclude=["company", "fingerprint"])
    question.fingerprint = question.compute_fingerprint()
    if Question.objects.filter(
        company_id=question.company_id, fingerprint=question.fingerprint
    ).exists():
        raise ValidationError(_("题库中已有相同的题目。"))
    question.save()
    if tags:
        question.tags.set(list(tags))
        question.save()
    return question
