"""Reading the question spreadsheet (.xlsx, .csv in UTF-8 or GBK): every question type, and every
bad row refused with its row and column."""

import io

import pytest
from openpyxl import Workbook

from quizzes.importing import read_questions
from quizzes.importing.spreadsheet import COLUMNS, build_template
from quizzes.models import Difficulty, QuestionKind

HEADER = [column.header for column in COLUMNS]


def row(
    kind="单选题", stem="理赔工作由谁负责？", options=("承保公司", "代理方"), answer="A", **extra
):
    values = {"分类": "", "题型": kind, "题干": stem, "正确答案": answer, **extra}
    for letter, text in zip("ABCDEFGH", options, strict=False):
        values[f"选项{letter}"] = text
    return [values.get(header, "") for header in HEADER]


def xlsx(*rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(*rows, encoding="utf-8-sig", header=HEADER) -> bytes:
    lines = [",".join(header)] + [",".join(str(v) for v in values) for values in rows]
    return "\r\n".join(lines).encode(encoding)


def read(data: bytes, name="questions.xlsx"):
    return read_questions(io.BytesIO(data), name=name, format="spreadsheet")


def test_every_question_type_is_read_from_an_xlsx():
    result = read(
        xlsx(
            row(分类="理赔", 解析="依据第二十八条。", 难度="困难", 标签="产代寿、理赔"),
            row("多选题", "收入包括？", ("相互代理", "联合展业", "企业年金"), "a, b"),
            row("判断题", "理赔工作不进行交叉。", (), "√"),
            row("填空题", "理赔由_____负责。", (), "承保公司｜承保方"),
        )
    )
    assert result.errors == []
    single, multiple, true_false, fill = result.questions
    assert (single.line, single.kind, single.category_name) == (2, QuestionKind.SINGLE, "理赔")
    assert single.choices == [("承保公司", True), ("代理方", False)]
    assert (single.explanation, single.difficulty, single.tags) == (
        "依据第二十八条。",
        Difficulty.HARD,
        ["产代寿", "理赔"],
    )
    assert multiple.choices == [("相互代理", True), ("联合展业", True), ("企业年金", False)]
    assert multiple.difficulty == Difficulty.MEDIUM
    assert (true_false.kind, true_false.is_true) == (QuestionKind.TRUE_FALSE, True)
    assert fill.accepted_answers == ["承保公司", "承保方"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_a_csv_in_utf8_or_gbk_is_read(encoding):
    result = read(
        csv_bytes(row("判断题", "理赔工作不进行交叉。", (), "错误"), encoding=encoding),
        name="题目.csv",
    )
    assert result.errors == []
    assert result.questions[0].is_true is False
    assert result.questions[0].stem == "<p>理赔工作不进行交叉。</p>"


def test_the_downloadable_template_reads_as_its_three_example_questions():
    result = read(build_template())
    assert result.errors == []
    assert [q.kind for q in result.questions] == [
        QuestionKind.SINGLE,
        QuestionKind.TRUE_FALSE,
        QuestionKind.FILL_BLANK,
    ]


@pytest.mark.parametrize(
    ("values", "column", "message"),
    [
        (row(kind=""), "题型", "此项必须填写。"),
        (
            row(kind="问答题"),
            "题型",
            "“问答题”不是有效的题型，请填写单选题、多选题、判断题或填空题。",
        ),
        (row(stem=""), "题干", "此项必须填写。"),
        (row(难度="很难"), "难度", "“很难”不是有效的难度，请填写容易、中等或困难。"),
        (
            row(options=("甲", "", "丙")),
            "选项B",
            "选项B是空的：选项要从选项A起依次填写，中间不能空。",
        ),
        (row(options=("甲",)), "选项A", "单选题至少需要两个选项（选项A、选项B）。"),
        (row(answer=""), "正确答案", "此项必须填写。"),
        (row(answer="甲"), "正确答案", "“甲”不是选项字母，请填写如 A 或 ACD。"),
        (row(answer="C"), "正确答案", "答案中的 C 没有对应的选项（本题只有选项A到选项B）。"),
        (row(answer="AB"), "正确答案", "单选题只能有一个正确答案，这里填了 AB。"),
        (
            row("判断题", options=(), answer="也许"),
            "正确答案",
            "判断题的答案请填写“正确”或“错误”，这里是“也许”。",
        ),
        (row("判断题", answer="正确"), "选项A", "判断题不需要选项，请把选项列留空。"),
        (
            row("填空题", options=(), answer="承保公司||承保方"),
            "正确答案",
            "填空题的答案之间用“|”分隔，不能有空的答案。",
        ),
        (row(options=("甲", "甲")), "", "选项内容不能重复。"),
        (row(分类="长" * 101), "分类", "分类名称不能超过 100 个字。"),
        (row(标签="标" * 101), "标签", f"标签“{'标' * 10}…”太长，不能超过 100 个字。"),
        (row(options=("甲", "长" * 501)), "选项B", "选项不能超过 500 个字。"),
    ],
)
def test_a_bad_row_is_refused_with_its_row_and_column(values, column, message):
    result = read(xlsx(row(), values))
    assert [(e.row, e.column, e.message) for e in result.errors] == [(3, column, message)]
    assert len(result.questions) == 1


def test_an_error_reads_as_a_chinese_sentence_with_row_and_column():
    result = read(xlsx(row(kind="问答题")))
    assert str(result.errors[0]) == (
        "第 2 行“题型”列：“问答题”不是有效的题型，请填写单选题、多选题、判断题或填空题。"
    )


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (
            xlsx(row(), header=["题型", "题干", "选项A"]),
            "q.xlsx",
            "表头缺少必填列：正确答案。请使用导入模板的表头。",
        ),
        (
            xlsx([*row(), "x"], header=[*HEADER, "备注"]),
            "q.xlsx",
            "表头中有无法识别的列：备注。可用的列：" + "、".join(HEADER) + "。",
        ),
        (xlsx(), "q.xlsx", "文件只有表头，没有题目（表头在第 1 行）。"),
        (b"", "q.csv", "文件里没有内容：第一行应是表头（题型、题干、选项A……），其后是题目。"),
        (
            b"not a zip",
            "q.xlsx",
            "无法读取这个 Excel 文件，请确认它是 .xlsx 格式（可用 Excel 打开后另存为 .xlsx）。",
        ),
    ],
)
def test_a_bad_file_is_refused_as_a_whole(data, name, message):
    result = read(data, name=name)
    assert [(e.row, e.message) for e in result.errors] == [(None, message)]
