"""The question spreadsheet: one question per row, Chinese headers, .xlsx or .csv.

Reading and error reporting are ``organization.tabular``'s (shared with the people import); this
module knows the columns and what each cell may hold. The same columns are what
``quizzes.exporting`` writes, so an exported sheet imports back unchanged.
"""

import io
import re
import string

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from organization import tabular
from organization.tabular import Column, RowError, SheetRow

from ..models import QuestionKind
from ..normalise import text_to_html
from .common import (
    CATEGORY_MAX_LENGTH,
    CHOICE_MAX_LENGTH,
    TAG_MAX_LENGTH,
    ParsedQuestion,
    ParseResult,
)
from .values import (
    ANSWER_SEPARATOR,
    nfkc,
    parse_difficulty,
    parse_kind,
    parse_true_false,
    split_list,
)

OPTION_LETTERS = string.ascii_uppercase[:8]  # 选项A … 选项H
OPTION_FIELDS = tuple(f"option_{letter}" for letter in OPTION_LETTERS)
ANSWER_LETTERS = re.compile(r"[\s,、;]")

COLUMNS = (
    Column(
        "分类",
        "category",
        False,
        False,
        gettext_lazy("题目所属分类的名称；留空则放入导入时选择的分类。不存在的分类会自动新建。"),
        "产代寿交叉销售",
    ),
    Column(
        "题型",
        "kind",
        True,
        True,
        gettext_lazy("单选题、多选题、判断题或填空题。"),
        "单选题",
    ),
    Column(
        "题干",
        "stem",
        True,
        True,
        gettext_lazy("题目内容；单元格内换行即分段。填空题可用 _____ 表示空格的位置。"),
        "代理人开展交叉销售时，应当向客户出示什么？",
    ),
    *(
        Column(
            f"选项{letter}",
            field_name,
            False,
            False,
            gettext_lazy("单选题、多选题的选项，从选项A起依次填写，至少两个；判断题和填空题留空。"),
            example,
        )
        for letter, field_name, example in zip(
            OPTION_LETTERS,
            OPTION_FIELDS,
            ("执业证件和代理销售的授权文件", "个人收入证明", "", "", "", "", "", ""),
            strict=True,
        )
    ),
    Column(
        "正确答案",
        "answer",
        True,
        True,
        gettext_lazy(
            "单选题填一个选项字母（如 A）；多选题填全部正确选项的字母（如 ACD 或 A,C,D）；"
            "判断题填“正确”或“错误”；填空题填可接受的答案，多个答案用“|”分隔。"
            "填空题判分时不区分全角半角、忽略空格。"
        ),
        "A",
    ),
    Column("解析", "explanation", False, False, gettext_lazy("答题后显示的解析，可留空。"), ""),
    Column(
        "难度", "difficulty", False, False, gettext_lazy("容易、中等或困难；留空为中等。"), "中等"
    ),
    Column(
        "标签",
        "tags",
        False,
        False,
        gettext_lazy("主题或产品标签，可填多个，用“、”或“,”分隔。"),
        "产代寿、展业规范",
    ),
)
HEADER = {column.field: column.header for column in COLUMNS}


def read_rows(file, *, name: str) -> list[SheetRow]:
    return tabular.read_table(
        file,
        name=name,
        columns=COLUMNS,
        no_header_message=_("文件里没有内容：第一行应是表头（题型、题干、选项A……），其后是题目。"),
        no_rows_message=_("文件只有表头，没有题目（表头在第 %(row)s 行）。"),
    )


def parse_spreadsheet(file, *, name: str) -> ParseResult:
    """Every row checked on its own into a question, or into errors naming row and column."""
    result = ParseResult()
    for row in read_rows(file, name=name):
        question = _parse_row(row, result.errors)
        if question is not None:
            result.questions.append(question)
    return result


def _parse_row(row: SheetRow, errors: list[RowError]) -> ParsedQuestion | None:
    before = len(errors)

    def fail(field_name: str, message: str) -> None:
        errors.append(RowError(row.number, HEADER[field_name], message))

    def cell(field_name: str) -> str:
        value = row.cells.get(field_name)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    required = _("此项必须填写。")
    kind_text = cell("kind")
    kind = parse_kind(kind_text)
    if not kind_text:
        fail("kind", required)
    elif kind is None:
        fail(
            "kind",
            _("“%(value)s”不是有效的题型，请填写单选题、多选题、判断题或填空题。")
            % {"value": kind_text},
        )
    stem = cell("stem")
    if not stem:
        fail("stem", required)
    category = nfkc(cell("category"))
    if len(category) > CATEGORY_MAX_LENGTH:
        fail("category", _("分类名称不能超过 %(max)s 个字。") % {"max": CATEGORY_MAX_LENGTH})
    difficulty = parse_difficulty(cell("difficulty"))
    if difficulty is None:
        fail(
            "difficulty",
            _("“%(value)s”不是有效的难度，请填写容易、中等或困难。")
            % {"value": cell("difficulty")},
        )
    tags = split_list(cell("tags"))
    for tag in tags:
        if len(tag) > TAG_MAX_LENGTH:
            fail(
                "tags",
                _("标签“%(tag)s…”太长，不能超过 %(max)s 个字。")
                % {"tag": tag[:10], "max": TAG_MAX_LENGTH},
            )

    options = [cell(field_name) for field_name in OPTION_FIELDS]
    while options and not options[-1]:
        options.pop()
    for letter, text, field_name in zip(OPTION_LETTERS, options, OPTION_FIELDS, strict=False):
        if not text:
            fail(
                field_name,
                _("选项%(letter)s是空的：选项要从选项A起依次填写，中间不能空。")
                % {"letter": letter},
            )
        elif len(text) > CHOICE_MAX_LENGTH:
            fail(field_name, _("选项不能超过 %(max)s 个字。") % {"max": CHOICE_MAX_LENGTH})
    answer = cell("answer")
    question = ParsedQuestion(
        line=row.number,
        kind=kind or "",
        stem=text_to_html(stem),
        explanation=cell("explanation"),
        difficulty=difficulty or 0,
        tags=tags,
        category_name=category,
    )
    if kind is not None:
        _parse_answer(kind, options, answer, question, fail, required)
    if len(errors) > before:
        return None
    for message in question.key_errors():
        errors.append(RowError(row.number, "", message))
    return None if len(errors) > before else question


def _parse_answer(kind, options, answer, question, fail, required) -> None:
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if len(options) < 2:
            fail(
                "option_A", _("%(kind)s至少需要两个选项（选项A、选项B）。") % {"kind": _kind(kind)}
            )
            return
        if not answer:
            fail("answer", required)
            return
        letters = ANSWER_LETTERS.sub("", nfkc(answer)).upper()
        if not letters.isalpha() or not letters.isascii():
            fail("answer", _("“%(value)s”不是选项字母，请填写如 A 或 ACD。") % {"value": answer})
            return
        chosen = set(letters)
        last = OPTION_LETTERS[len(options) - 1]
        missing = sorted(
            letter for letter in chosen if letter not in OPTION_LETTERS[: len(options)]
        )
        if missing:
            fail(
                "answer",
                _("答案中的 %(letters)s 没有对应的选项（本题只有选项A到选项%(last)s）。")
                % {"letters": "、".join(missing), "last": last},
            )
            return
        if kind == QuestionKind.SINGLE and len(chosen) != 1:
            fail(
                "answer",
                _("单选题只能有一个正确答案，这里填了 %(letters)s。") % {"letters": letters},
            )
            return
        question.choices = [
            (text, letter in chosen) for letter, text in zip(OPTION_LETTERS, options, strict=False)
        ]
        return
    if options:
        fail("option_A", _("%(kind)s不需要选项，请把选项列留空。") % {"kind": _kind(kind)})
        return
    if not answer:
        fail("answer", required)
        return
    if kind == QuestionKind.TRUE_FALSE:
        value = parse_true_false(answer)
        if value is None:
            fail(
                "answer",
                _("判断题的答案请填写“正确”或“错误”，这里是“%(value)s”。") % {"value": answer},
            )
        question.is_true = value
        return
    answers = [part.strip() for part in ANSWER_SEPARATOR.split(nfkc(answer))]
    if any(not part for part in answers):
        fail("answer", _("填空题的答案之间用“|”分隔，不能有空的答案。"))
        return
    question.accepted_answers = list(dict.fromkeys(answers))


def _kind(kind: str) -> str:
    return str(QuestionKind(kind).label)


# The template ----------------------------------------------------------------------------------


def build_workbook(rows: list[list[object]], *, with_notes: bool) -> bytes:
    """An .xlsx with the header row and ``rows``; with ``with_notes``, a sheet explaining each
    column. The template (one example row) and the export both come from here."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("题目")
    sheet.append([column.header for column in COLUMNS])
    for row in rows:
        sheet.append(row)
    widths = {"stem": 48, "explanation": 40, "answer": 14, "category": 18, "tags": 18}
    for index, column in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = widths.get(column.field, 16)
        if column.field in ("kind", "difficulty"):
            options = "单选题,多选题,判断题,填空题" if column.field == "kind" else "容易,中等,困难"
            validation = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
            validation.add(f"{letter}2:{letter}10001")
            sheet.add_data_validation(validation)
        if column.field == "answer":
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    if with_notes:
        notes = workbook.create_sheet(_("填写说明"))
        notes.append([_("列名"), _("是否必填"), _("说明")])
        for column in COLUMNS:
            notes.append(
                [column.header, _("必填") if column.value_required else _("选填"), str(column.note)]
            )
        notes.append([])
        for line in (
            _("第一行是表头，请勿修改；示例行导入前请改成真实题目或删除。"),
            _("文件中任何一行有错误时，整个文件都不会导入。"),
            _(
                "题库中已有的相同题目（题型、题干、选项和答案都相同）会跳过，重复导入同一文件不会产生重复题目。"
            ),
            _("也可以另存为 CSV（UTF-8 或 GBK 编码）后导入，表头相同。"),
        ):
            notes.append([line])
        notes.column_dimensions["A"].width = 12
        notes.column_dimensions["B"].width = 10
        notes.column_dimensions["C"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build_template() -> bytes:
    examples = [
        [column.example for column in COLUMNS],
        [
            "产代寿交叉销售",
            "判断题",
            "交叉销售的保单，佣金可以直接支付给非持证人员。",
            *[""] * 8,
            "错误",
            "",
            "容易",
            "",
        ],
        [
            "产代寿交叉销售",
            "填空题",
            "代理人从事交叉销售，须持有_____。",
            *[""] * 8,
            "执业证|执业证书",
            "",
            "中等",
            "",
        ],
    ]
    return build_workbook(examples, with_notes=True)
