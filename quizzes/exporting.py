"""Exporting a bank: the import spreadsheet (.xlsx) and Moodle GIFT.

Both write exactly what the importers read back (``quizzes.importing``), so exporting a bank and
importing the file into it adds nothing (the fingerprints match), and a file moved to another
company's bank recreates the same questions. The stem goes out as text in the spreadsheet (a
paragraph per line) and as HTML (``[html]``) in GIFT; a question's image stays behind.
"""

import string

from django.db.models import QuerySet

from .importing.gift import escape
from .importing.spreadsheet import COLUMNS, OPTION_FIELDS, build_workbook
from .importing.values import difficulty_label, kind_label
from .models import Question, QuestionKind
from .normalise import html_to_text

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def questions_for_export(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("category").prefetch_related("choices", "tags")


def _tags(question: Question) -> list[str]:
    return sorted(tag.name for tag in question.tags.all())


def export_xlsx(questions) -> bytes:
    rows = []
    for question in questions:
        choices = question.choice_list()
        values = {
            "category": question.category.name,
            "kind": kind_label(question.kind),
            "stem": html_to_text(question.stem),
            "answer": _answer_cell(question, choices),
            "explanation": question.explanation,
            "difficulty": difficulty_label(question.difficulty),
            "tags": "、".join(_tags(question)),
        }
        for field_name, choice in zip(OPTION_FIELDS, choices, strict=False):
            values[field_name] = choice.text
        rows.append([values.get(column.field, "") for column in COLUMNS])
    return build_workbook(rows, with_notes=False)


def _answer_cell(question: Question, choices) -> str:
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return "".join(
            string.ascii_uppercase[index]
            for index, choice in enumerate(choices)
            if choice.is_correct
        )
    if question.kind == QuestionKind.TRUE_FALSE:
        return "正确" if question.is_true else "错误"
    return "|".join(question.accepted_answers)


def _weight(count: int) -> str:
    return f"{100 / count:.5f}".rstrip("0").rstrip(".")


def export_gift(questions) -> str:
    """GIFT text, a ``$CATEGORY`` line before each run of questions of one category."""
    lines = [f"// {_('题库导出')}", ""]
    category = None
    for question in questions:
        if question.category.name != category:
            category = question.category.name
            lines += [f"$CATEGORY: {category.replace('/', '//')}", ""]
        meta = [f"[tag:{tag}]" for tag in _tags(question)]
        meta.append(f"[difficulty:{difficulty_label(question.difficulty)}]")
        lines.append("// " + " ".join(meta))
        lines.append(f"[html]{escape(question.stem)} {{")
        lines += _gift_answers(question)
        if question.explanation:
            lines.append(f"\t####{escape(question.explanation)}")
        lines += ["}", ""]
    return "\n".join(lines)


def _gift_answers(question: Question) -> list[str]:
    if question.kind == QuestionKind.TRUE_FALSE:
        return ["\tTRUE" if question.is_true else "\tFALSE"]
    if question.kind == QuestionKind.FILL_BLANK:
        return [f"\t={escape(answer)}" for answer in question.accepted_answers]
    choices = question.choice_list()
    if question.kind == QuestionKind.SINGLE:
        return [f"\t{'=' if c.is_correct else '~'}{escape(c.text)}" for c in choices]
    weight = _weight(sum(1 for choice in choices if choice.is_correct))
    return [
        f"\t~%{weight if choice.is_correct else '-100'}%{escape(choice.text)}" for choice in choices
    ]


def _(text: str) -> str:
    # The file format is Chinese whatever the interface language, like the import template.
    return text
