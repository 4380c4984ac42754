"""Grading: pure functions over an attempt's snapshot and its responses (no database).

An attempt's snapshot (``Attempt.snapshot``, written once by ``quizzes.services.attempt_start``)
holds everything grading needs, so later edits to the bank never change a recorded result::

    {
        "version": 1,
        "multiple_scoring": "all_or_nothing" | "partial",
        "questions": [  # in the order shown; a question's position is its index here
            {
                "question_id": 17,
                "kind": "single" | "multiple" | "true_false" | "fill_blank",
                "stem": "<p>…</p>",           # rich text as asked
                "image": {"url": …, "alt": …} | None,
                "choices": [{"id": 41, "text": "…"}, …],  # shown order; [] unless single/multiple
                "points": "2",                # Decimal as a string
                "explanation": "…",
                "key": {"choices": [41]} | {"is_true": true} | {"accepted": ["…", …]},
            },
        ],
    }

``key`` and ``explanation`` are the answer key: they never leave the server before the attempt is
submitted (``public_question`` strips them).

Responses, one per position (``None`` or missing: not answered):

- single: a choice id (int); multiple: a sorted list of choice ids; true/false: a bool;
  fill-in: a string, compared after ``quizzes.normalise.normalise_answer`` (full-width and
  half-width alike, case and every whitespace ignored).

Marks are exact (``Fraction``) until the end: an attempt's score is the exact sum rounded *down*
to 0.01, its percent likewise, and it passes when the exact score reaches the pass mark, so a
displayed 59.99 % never passes a 60 % quiz and a displayed 60.00 % never fails it.

Multiple choice, partial credit: ``max(0, (correct options chosen − wrong options chosen) /
correct options)``, so ticking every option earns nothing unless every option is correct.
All or nothing: full marks only for exactly the correct set.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .normalise import normalise_answer

SNAPSHOT_VERSION = 1
SINGLE, MULTIPLE, TRUE_FALSE, FILL_BLANK = "single", "multiple", "true_false", "fill_blank"
ALL_OR_NOTHING, PARTIAL = "all_or_nothing", "partial"
FILL_BLANK_MAX_LENGTH = 200
CENT = Decimal("0.01")
ZERO, ONE = Fraction(0), Fraction(1)
PRIVATE_KEYS = ("key", "explanation")


@dataclass(frozen=True)
class QuestionMark:
    position: int
    fraction: Fraction  # 0 … 1 of the question's points
    points: Decimal
    score: Fraction  # exact: fraction × points


@dataclass(frozen=True)
class AttemptGrade:
    marks: list[QuestionMark]
    score_exact: Fraction
    max_score: Decimal

    @property
    def score(self) -> Decimal:
        return to_cents(self.score_exact)

    @property
    def percent(self) -> Decimal:
        if not self.max_score:
            return Decimal("0.00")
        return to_cents(self.score_exact * 100 / Fraction(self.max_score))

    def passes(self, pass_percent) -> bool:
        """The exact score reaches ``pass_percent`` of the maximum."""
        return self.score_exact * 100 >= Fraction(Decimal(pass_percent)) * Fraction(self.max_score)


def to_cents(value: Fraction) -> Decimal:
    """``value`` rounded down to 0.01, as a Decimal."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(CENT, ROUND_DOWN)


def public_question(question: Mapping) -> dict:
    """The question as the browser may see it before submission: no key, no explanation."""
    return {name: value for name, value in question.items() if name not in PRIVATE_KEYS}


def _choice_ids(question: Mapping) -> set[int]:
    return {choice["id"] for choice in question["choices"]}


def clean_response(question: Mapping, raw: Any) -> Any:
    """``raw`` (from JSON or a form) as the stored response for ``question``; ``None`` clears it.

    Raises ``ValidationError`` (a Chinese sentence) for a response the question cannot take, such
    as a choice it does not show. Accepts strings for ids and booleans, as forms send them.
    """
    if raw is None or raw == "" or raw == []:
        return None
    kind = question["kind"]
    if kind == SINGLE:
        choice = _as_choice_id(raw)
        if choice not in _choice_ids(question):
            raise ValidationError(_("所选的选项不属于这道题。"))
        return choice
    if kind == MULTIPLE:
        if not isinstance(raw, list | tuple):
            raw = [raw]
        chosen = sorted({_as_choice_id(value) for value in raw})
        if not set(chosen) <= _choice_ids(question):
            raise ValidationError(_("所选的选项不属于这道题。"))
        return chosen
    if kind == TRUE_FALSE:
        if isinstance(raw, bool):
            return raw
        if raw in ("true", "1", 1):
            return True
        if raw in ("false", "0", 0):
            return False
        raise ValidationError(_("判断题只能回答“正确”或“错误”。"))
    if kind == FILL_BLANK:
        if not isinstance(raw, str):
            raise ValidationError(_("填空题的答案必须是文字。"))
        if len(raw) > FILL_BLANK_MAX_LENGTH:
            raise ValidationError(_("答案不能超过 %(max)d 个字。") % {"max": FILL_BLANK_MAX_LENGTH})
        return raw if raw.strip() else None
    raise ValidationError(_("未知的题型：%(kind)s。") % {"kind": kind})


def _as_choice_id(value: Any) -> int:
    if isinstance(value, bool):
        raise ValidationError(_("选项不正确。"))
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    raise ValidationError(_("选项不正确。"))


def question_fraction(question: Mapping, response: Any, *, multiple_scoring: str) -> Fraction:
    """The share (0 … 1) of ``question``'s points that ``response`` earns under its key."""
    if response is None:
        return ZERO
    kind, key = question["kind"], question["key"]
    if kind == SINGLE:
        return ONE if response in key["choices"] else ZERO
    if kind == MULTIPLE:
        correct = set(key["choices"])
        chosen = set(response)
        if multiple_scoring == PARTIAL:
            if not correct:
                return ZERO
            earned = len(chosen & correct) - len(chosen - correct)
            return Fraction(max(earned, 0), len(correct))
        return ONE if chosen == correct else ZERO
    if kind == TRUE_FALSE:
        return ONE if response is key["is_true"] else ZERO
    if kind == FILL_BLANK:
        given = normalise_answer(response)
        if not given:
            return ZERO
        accepted = {normalise_answer(answer) for answer in key["accepted"]}
        return ONE if given in accepted else ZERO
    raise ValueError(f"Unknown question kind {kind!r}.")


def grade(snapshot: Mapping, responses: Mapping[int, Any]) -> AttemptGrade:
    """Mark every question of ``snapshot`` against ``responses`` (position → response)."""
    scoring = snapshot.get("multiple_scoring", ALL_OR_NOTHING)
    marks = []
    total = ZERO
    max_score = Decimal(0)
    for position, question in enumerate(snapshot["questions"]):
        points = Decimal(question["points"])
        fraction = question_fraction(question, responses.get(position), multiple_scoring=scoring)
        score = fraction * Fraction(points) if fraction else ZERO
        marks.append(QuestionMark(position, fraction, points, score))
        total += score
        max_score += points
    return AttemptGrade(marks=marks, score_exact=total, max_score=max_score)


def correct_response(question: Mapping) -> Any:
    """The response that earns full marks, in the stored response's form (for the review page)."""
    kind, key = question["kind"], question["key"]
    if kind == SINGLE:
        return key["choices"][0] if key["choices"] else None
    if kind == MULTIPLE:
        return sorted(key["choices"])
    if kind == TRUE_FALSE:
        return key["is_true"]
    return list(key["accepted"])
