"""Quiz statistics for lecturers, computed as Moodle's quiz statistics report does.

Over the submitted attempts of a quiz (all of them, or each person's first only):
- the score distribution (percent in ten bands) and the pass rate;
- per question (a bank question, wherever and however often it was drawn):
  - facility index: the mean mark as a share of the question's points, in percent
    (Moodle: ``markaverage / maxmark``);
  - discrimination index: the correlation, in percent, between the mark on the question and
    the mark on the rest of the attempt (the attempt's total minus this question), with sample
    (n − 1) variances (Moodle: ``100 · cov(x, y) / √(var x · var y)``); none when either
    variance is zero or fewer than two attempts asked it;
  - option choice counts: how many attempts chose each option (true/false: each value;
    fill-in: each distinct answer, normalised), and how many left it unanswered.

Four queries whatever the number of attempts: the attempts, their answer rows, the questions,
their choices.
"""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO

from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from . import grading
from .models import Attempt, AttemptAnswer, AttemptStatus, Choice, Question, Quiz
from .normalise import normalise_answer, normalise_text

BANDS = 10
FILL_BLANK_TOP = 10


@dataclass
class OptionCount:
    label: str
    count: int
    correct: bool


@dataclass
class QuestionStats:
    question_id: int
    kind: str
    text: str
    asked: int
    max_mark: float
    mean_mark: float
    facility: float | None
    discrimination: float | None
    sd: float | None
    options: list[OptionCount] = field(default_factory=list)
    unanswered: int = 0


@dataclass
class QuizStats:
    quiz: Quiz
    attempts: int
    passed: int
    mean_percent: float | None
    median_percent: float | None
    bands: list[tuple[str, int]]
    questions: list[QuestionStats]

    @property
    def pass_rate(self) -> float | None:
        return self.passed * 100 / self.attempts if self.attempts else None


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _discrimination(marks: list[float], rests: list[float]) -> tuple[float | None, float | None]:
    """(discrimination index in percent, standard deviation of the marks)."""
    n = len(marks)
    if n < 2:
        return None, None
    mark_mean, rest_mean = _mean(marks), _mean(rests)
    var_mark = sum((m - mark_mean) ** 2 for m in marks) / (n - 1)
    var_rest = sum((r - rest_mean) ** 2 for r in rests) / (n - 1)
    covariance = sum((m - mark_mean) * (r - rest_mean) for m, r in zip(marks, rests, strict=True))
    covariance /= n - 1
    sd = math.sqrt(var_mark)
    if not var_mark * var_rest:
        return None, sd
    return 100 * covariance / math.sqrt(var_mark * var_rest), sd


def _band_labels() -> list[str]:
    width = 100 // BANDS
    labels = [f"{low}–{low + width}%" for low in range(0, 100, width)]
    return labels


def _band(percent: Decimal) -> int:
    return min(int(percent // (100 // BANDS)), BANDS - 1)


def quiz_statistics(*, quiz: Quiz, first_attempts_only: bool = False) -> QuizStats:
    attempts = Attempt.objects.filter(quiz=quiz, status=AttemptStatus.SUBMITTED).defer("snapshot")
    attempts = list(attempts.order_by("person_id", "number"))
    if first_attempts_only:
        seen = set()
        attempts = [a for a in attempts if not (a.person_id in seen or seen.add(a.person_id))]
    attempt_ids = [attempt.pk for attempt in attempts]
    rows = list(
        AttemptAnswer.objects.filter(attempt_id__in=attempt_ids).values_list(
            "attempt_id", "question_id", "response", "mark", "max_mark"
        )
    )
    totals: dict[int, float] = defaultdict(float)
    for attempt_id, _question, _response, mark, _max in rows:
        totals[attempt_id] += float(mark or 0)

    per_question: dict[int, list] = defaultdict(list)
    for attempt_id, question_id, response, mark, max_mark in rows:
        if question_id is not None:
            per_question[question_id].append((attempt_id, response, float(mark or 0), max_mark))
    questions = {q.pk: q for q in Question.objects.filter(pk__in=list(per_question)).order_by("pk")}
    choices = defaultdict(list)
    for choice in Choice.objects.filter(question_id__in=list(questions)).order_by(
        "sort_order", "pk"
    ):
        choices[choice.question_id].append(choice)

    question_stats = []
    for question_id, items in per_question.items():
        question = questions.get(question_id)
        if question is None:
            continue
        marks = [mark for _a, _r, mark, _m in items]
        rests = [totals[attempt_id] - mark for attempt_id, _r, mark, _m in items]
        fractions = [mark / float(max_mark) for _a, _r, mark, max_mark in items if max_mark]
        discrimination, sd = _discrimination(marks, rests)
        responses = [response for _a, response, _m, _x in items]
        options, unanswered = _option_counts(question, choices[question_id], responses)
        question_stats.append(
            QuestionStats(
                question_id=question_id,
                kind=question.kind,
                text=normalise_text(strip_tags(question.stem)),
                asked=len(items),
                max_mark=max(float(max_mark) for _a, _r, _m, max_mark in items),
                mean_mark=_mean(marks),
                facility=100 * _mean(fractions) if fractions else None,
                discrimination=discrimination,
                sd=sd,
                options=options,
                unanswered=unanswered,
            )
        )
    question_stats.sort(key=lambda stats: stats.question_id)

    counts = Counter(_band(attempt.percent) for attempt in attempts)
    percents = sorted(float(attempt.percent) for attempt in attempts)
    median = None
    if percents:
        middle = len(percents) // 2
        median = (
            percents[middle] if len(percents) % 2 else (percents[middle - 1] + percents[middle]) / 2
        )
    return QuizStats(
        quiz=quiz,
        attempts=len(attempts),
        passed=sum(1 for attempt in attempts if attempt.passed),
        mean_percent=_mean(percents) if percents else None,
        median_percent=median,
        bands=[(label, counts.get(i, 0)) for i, label in enumerate(_band_labels())],
        questions=question_stats,
    )


def _option_counts(question: Question, choices: list[Choice], responses: list):
    unanswered = sum(1 for response in responses if response is None)
    given = [response for response in responses if response is not None]
    if question.kind in (grading.SINGLE, grading.MULTIPLE):
        counter = Counter()
        for response in given:
            counter.update(response if isinstance(response, list) else [response])
        options = [
            OptionCount(choice.text, counter.get(choice.pk, 0), choice.is_correct)
            for choice in choices
        ]
        return options, unanswered
    if question.kind == grading.TRUE_FALSE:
        counter = Counter(bool(response) for response in given)
        return [
            OptionCount(_("正确"), counter.get(True, 0), question.is_true is True),
            OptionCount(_("错误"), counter.get(False, 0), question.is_true is False),
        ], unanswered
    accepted = {normalise_answer(answer) for answer in question.accepted_answers or []}
    counter = Counter(normalise_answer(str(response)) for response in given)
    return [
        OptionCount(text, count, text in accepted)
        for text, count in counter.most_common(FILL_BLANK_TOP)
    ], unanswered


def _round(value: float | None, places: int = 2):
    return None if value is None else round(value, places)


def statistics_xlsx(stats: QuizStats) -> bytes:
    """The statistics as a workbook: summary, score distribution, questions, options."""
    from openpyxl import Workbook

    workbook = Workbook()
    summary = workbook.active
    summary.title = _("概况")
    summary.append([_("考试"), stats.quiz.title])
    summary.append([_("答卷数"), stats.attempts])
    summary.append([_("通过数"), stats.passed])
    summary.append([_("通过率（%）"), _round(stats.pass_rate)])
    summary.append([_("平均得分率（%）"), _round(stats.mean_percent)])
    summary.append([_("得分率中位数（%）"), _round(stats.median_percent)])

    bands = workbook.create_sheet(_("分数分布"))
    bands.append([_("得分率"), _("人次")])
    for label, count in stats.bands:
        bands.append([label, count])

    questions = workbook.create_sheet(_("题目分析"))
    questions.append(
        [
            _("题目编号"),
            _("题型"),
            _("题干"),
            _("作答次数"),
            _("分值"),
            _("平均得分"),
            _("难度系数（%）"),
            _("区分度（%）"),
            _("标准差"),
        ]
    )
    for item in stats.questions:
        questions.append(
            [
                item.question_id,
                item.kind,
                item.text,
                item.asked,
                item.max_mark,
                _round(item.mean_mark, 4),
                _round(item.facility),
                _round(item.discrimination),
                _round(item.sd, 4),
            ]
        )

    options = workbook.create_sheet(_("选项统计"))
    options.append([_("题目编号"), _("选项"), _("正确答案"), _("选择次数")])
    for item in stats.questions:
        for option in item.options:
            options.append(
                [item.question_id, option.label, _("是") if option.correct else "", option.count]
            )
        options.append([item.question_id, _("未作答"), "", item.unanswered])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
