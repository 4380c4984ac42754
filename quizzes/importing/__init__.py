"""Importing questions into a company's bank: read a file, plan, apply — all or nothing.

``read_questions(file, name=..., format=...)``
    Reads a spreadsheet (.xlsx/.csv), a GIFT or an Aiken file into ``ParsedQuestion`` rows and
    every problem with its row or line (``RowError``; "第 N 行“列”列：…" / "第 N 行：…").
``plan_import(result=..., category=..., importer=...)``
    Checks the questions against the bank: the importer's right to the company's bank, the
    same question twice in the file, the questions already in the bank (by fingerprint: they are
    skipped, so importing the same file twice adds nothing) and the categories to create.
``apply_plan(plan=...)``
    Writes a plan without errors in one transaction: new categories, then the new questions.

``question_import_start`` (store the upload as a ``QuestionImport``, the audit trail, then run it)
and ``question_import_run`` (read, plan and, when asked, apply a stored file) wrap the steps, as
``organization.people_import`` does for people; the admin wizard goes through these two.
"""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organization.tabular import RowError, check_file_size

from ..bank_services import build_question
from ..models import (
    ImportFormat,
    Question,
    QuestionCategory,
    QuestionImport,
    QuestionImportStatus,
)
from ..rules import can_edit_bank
from .aiken import parse_aiken
from .common import ParsedQuestion, ParseResult
from .gift import parse_gift
from .spreadsheet import parse_spreadsheet
from .values import difficulty_label, kind_label

STORED_LIMIT = 500
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
TEXT_SUFFIXES = (".txt", ".gift")
SUFFIXES = {
    ImportFormat.SPREADSHEET: (".xlsx", ".csv"),
    ImportFormat.GIFT: TEXT_SUFFIXES,
    ImportFormat.AIKEN: TEXT_SUFFIXES,
}

__all__ = [
    "ImportPlan",
    "ParsedQuestion",
    "apply_plan",
    "check_upload",
    "detect_format",
    "plan_import",
    "question_import_run",
    "question_import_start",
    "read_questions",
]


def detect_format(*, name: str, data: bytes) -> str:
    """The format a file is in, from its name and, for .txt, its content."""
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".csv", ".xls"):
        return ImportFormat.SPREADSHEET
    if suffix == ".gift":
        return ImportFormat.GIFT
    text = data[:200_000].decode("utf-8", errors="ignore")
    if "{" in text and "}" in text:
        return ImportFormat.GIFT
    return ImportFormat.AIKEN


def check_upload(*, name: str, size: int, format: str) -> None:
    """Refuse a file by its name and size, before anything is read or stored."""
    suffix = Path(name).suffix.lower()
    if suffix == ".xls":
        raise ValidationError(
            _("不支持旧版 Excel（.xls）文件，请在 Excel 中“另存为” .xlsx 格式后重新上传。")
        )
    allowed = SUFFIXES[format]
    if suffix not in allowed:
        raise ValidationError(
            _("%(format)s 格式的文件应是 %(suffixes)s 文件。")
            % {"format": ImportFormat(format).label, "suffixes": "、".join(allowed)}
        )
    check_file_size(size=size, limit=max_upload_bytes())


def max_upload_bytes() -> int:
    return getattr(settings, "QUIZZES_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def read_questions(file, *, name: str, format: str) -> ParseResult:
    try:
        if format == ImportFormat.SPREADSHEET:
            return parse_spreadsheet(file, name=name)
        data = file.read()
        return parse_gift(data) if format == ImportFormat.GIFT else parse_aiken(data)
    except ValidationError as error:
        return ParseResult(errors=[RowError(None, "", message) for message in error.messages])


@dataclass
class ImportPlan:
    company_id: int | None = None
    category: QuestionCategory | None = None
    question_count: int = 0
    creates: list[ParsedQuestion] = field(default_factory=list)
    duplicates: list[ParsedQuestion] = field(default_factory=list)  # Already in the bank.
    new_categories: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def plan_import(*, result: ParseResult, category: QuestionCategory, importer) -> ImportPlan:
    """Check parsed questions against ``category``'s company bank; nothing is written."""
    plan = ImportPlan(
        company_id=category.company_id,
        category=category,
        question_count=len(result.questions) + len({e.row for e in result.errors if e.row}),
        errors=list(result.errors),
    )
    if not can_edit_bank(importer, category.company_id):
        plan.errors.insert(0, RowError(None, "", _("您不能修改这家公司的题库。")))
        return plan
    existing_categories = set(
        QuestionCategory.objects.filter(company_id=category.company_id).values_list(
            "name", flat=True
        )
    )
    fingerprints = {question.fingerprint: question for question in result.questions}
    in_bank = set(
        Question.objects.filter(
            company_id=category.company_id, fingerprint__in=list(fingerprints)
        ).values_list("fingerprint", flat=True)
    )
    first_line: dict[str, int] = {}
    for question in result.questions:
        fingerprint = question.fingerprint
        if fingerprint in first_line:
            plan.errors.append(
                RowError(
                    question.line,
                    "",
                    _("这道题与第 %(line)s 行的题目完全相同，同一道题在文件中只能出现一次。")
                    % {"line": first_line[fingerprint]},
                )
            )
            continue
        first_line[fingerprint] = question.line
        if fingerprint in in_bank:
            plan.duplicates.append(question)
            continue
        plan.creates.append(question)
        name = question.category_name
        if name and name not in existing_categories and name not in plan.new_categories:
            plan.new_categories.append(name)
    plan.errors.sort(key=lambda error: error.row or 0)
    return plan


@transaction.atomic
def apply_plan(*, plan: ImportPlan) -> list[Question]:
    """Write every new category and question of ``plan``, or nothing."""
    if plan.errors:
        raise ValidationError(_("文件中有错误，没有做任何修改。"))
    company_id = plan.company_id
    categories = {
        category.name: category
        for category in QuestionCategory.objects.filter(company_id=company_id)
    }
    for name in plan.new_categories:
        if name not in categories:
            category = QuestionCategory(company_id=company_id, name=name)
            category.full_clean()
            category.save()
            categories[name] = category
    created = []
    try:
        with transaction.atomic():
            for parsed in plan.creates:
                question = build_question(
                    category=categories.get(parsed.category_name, plan.category),
                    kind=parsed.kind,
                    stem=parsed.stem,
                    choices=parsed.choices,
                    accepted_answers=parsed.accepted_answers,
                    is_true=parsed.is_true,
                    explanation=parsed.explanation,
                    difficulty=parsed.difficulty,
                )
                if parsed.tags:
                    question.tags.set(parsed.tags)
                question.save()
                created.append(question)
    except IntegrityError as error:
        # Someone added one of these questions since the plan was made.
        raise ValidationError(
            _("导入期间题库发生了变化（有相同的题目刚被加入），没有做任何修改。请重新上传。")
        ) from error
    return created


# The import record: what the admin wizard calls ------------------------------------------------


def question_import_start(
    *, file: File, category: QuestionCategory, format: str, importer, apply: bool
) -> tuple[QuestionImport, ImportPlan]:
    """Store and check an uploaded file; with ``apply``, also write it if it has no errors."""
    name = Path(file.name).name
    check_upload(name=name, size=file.size, format=format)
    if not can_edit_bank(importer, category.company_id):
        raise ValidationError(_("您不能修改这家公司的题库。"))
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    record = QuestionImport.objects.create(
        company_id=category.company_id,
        category=category,
        format=format,
        file=file,
        original_name=name,
        file_sha256=digest.hexdigest(),
        uploaded_by=importer,
    )
    plan = question_import_run(record=record, importer=importer, apply=apply)
    record.refresh_from_db()
    return record, plan


def question_import_run(*, record: QuestionImport, importer, apply: bool) -> ImportPlan:
    """Read and check the stored file again and record the outcome; with ``apply``, also write
    it, all questions or none. The bank may have changed since the preview: nothing is carried
    over."""
    with transaction.atomic():
        record = (
            QuestionImport.objects.select_for_update().select_related("category").get(pk=record.pk)
        )
        if apply and record.status != QuestionImportStatus.PREVIEWED:
            raise ValidationError(_("这次导入已经确认过或有错误，不能再次确认。请重新上传文件。"))
        with record.file.open("rb") as handle:
            result = read_questions(handle, name=record.original_name, format=record.format)
        plan = plan_import(result=result, category=record.category, importer=importer)
        applied = apply and not plan.errors
        if applied:
            apply_plan(plan=plan)
        _record_outcome(record, plan, applied=applied)
    return plan


def imports_for(user):
    """The imports ``user`` may look at: their own; a superuser's, everyone's."""
    imports = QuestionImport.objects.select_related("uploaded_by", "category", "company")
    return imports if user.is_superuser else imports.filter(uploaded_by=user)


def _preview_row(question: ParsedQuestion, *, action: str) -> dict:
    return {
        "line": question.line,
        "action": action,
        "kind": kind_label(question.kind),
        "difficulty": difficulty_label(question.difficulty),
        "category": question.category_name,
        "stem": question.summary(),
        "key": _key_text(question),
        "tags": "、".join(question.tags),
    }


def _key_text(question: ParsedQuestion) -> str:
    if question.choices:
        return "".join(
            chr(ord("A") + index)
            for index, (_text, correct) in enumerate(question.choices)
            if correct
        )
    if question.is_true is not None:
        return _("正确") if question.is_true else _("错误")
    return " | ".join(question.accepted_answers)


def _record_outcome(record: QuestionImport, plan: ImportPlan, *, applied: bool) -> None:
    record.question_count = plan.question_count
    record.created_count = len(plan.creates)
    record.duplicate_count = len(plan.duplicates)
    record.error_count = len(plan.errors)
    record.errors = [error.as_dict() for error in plan.errors[:STORED_LIMIT]]
    record.new_categories = plan.new_categories
    if plan.errors:
        record.status = QuestionImportStatus.FAILED
        record.preview = []
    else:
        rows = [_preview_row(q, action="create") for q in plan.creates]
        rows += [_preview_row(q, action="duplicate") for q in plan.duplicates]
        rows.sort(key=lambda row: row["line"])
        record.preview = rows[:STORED_LIMIT]
        record.status = QuestionImportStatus.APPLIED if applied else QuestionImportStatus.PREVIEWED
        record.applied_at = timezone.now() if applied else None
    record.save()
