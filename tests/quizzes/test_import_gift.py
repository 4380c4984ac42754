"""Reading Moodle GIFT: the four question types, categories and metadata, and every bad kind of
question refused with the line it starts on."""

import io

import pytest

from quizzes.importing import read_questions
from quizzes.importing.gift import escape, parse_gift, unescape
from quizzes.models import Difficulty, QuestionKind

GOOD = """// 交叉销售题库
$CATEGORY: $course$/top/产代寿交叉销售

// [tag:产代寿] [tag:理赔] [difficulty:困难]
::Q1:: 交叉销售的理赔工作由谁负责？ {
  =承保公司 #正确
  ~代理方
  ~双方共同
  ####依据第二十八条：理赔工作由承保公司负责，不进行交叉。
}

理赔工作不进行交叉。 {TRUE}

交叉销售的理赔工作可以交给代理方。{F}

交叉销售保费收入的认定原则包括 {
  ~%33.33333%业务协同原则
  ~%33.33333%相互认同原则
  ~%33.33333%系统记录原则
  ~%-100%价高者得原则
}

$CATEGORY: $course$/top/理赔//查勘

交叉销售的理赔工作由 {=承保公司 =承保方} 负责。

[html]<p>转义的 \\{ \\= \\: \\~ \\# 与<b>加粗</b><script>x()</script></p>{=是 ~否}
"""


def parse(text: str):
    return parse_gift(text.encode("utf-8"))


def test_every_question_type_is_read_with_its_key_category_and_metadata():
    result = parse(GOOD)
    assert result.errors == []
    single, true, false, multiple, fill, escaped = result.questions
    assert (single.line, single.kind, single.category_name) == (
        5,
        QuestionKind.SINGLE,
        "产代寿交叉销售",
    )
    assert single.stem == "<p>交叉销售的理赔工作由谁负责？</p>"
    assert single.choices == [("承保公司", True), ("代理方", False), ("双方共同", False)]
    assert single.explanation == "依据第二十八条：理赔工作由承保公司负责，不进行交叉。"
    assert single.tags == ["产代寿", "理赔"] and single.difficulty == Difficulty.HARD
    assert (true.kind, true.is_true, true.difficulty, true.tags) == (
        QuestionKind.TRUE_FALSE,
        True,
        Difficulty.MEDIUM,
        [],
    )
    assert false.is_true is False
    assert multiple.kind == QuestionKind.MULTIPLE
    assert [correct for _text, correct in multiple.choices] == [True, True, True, False]
    assert fill.kind == QuestionKind.FILL_BLANK and fill.category_name == "理赔/查勘"
    assert fill.accepted_answers == ["承保公司", "承保方"]
    assert fill.stem == "<p>交叉销售的理赔工作由 _____ 负责。</p>"
    assert escaped.stem == "<p>转义的 { = : ~ # 与<b>加粗</b>x()</p>"


def test_a_gbk_file_is_read_too():
    result = parse_gift("理赔工作不进行交叉。 {T}".encode("gbk"))
    assert result.errors == [] and result.questions[0].is_true is True


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("题一 {=对 ~错}\n\n数值题 {#3:1}", 3, "不支持数值题（{#…}）。"),
        ("匹配题 {=甲 -> 乙 =丙 -> 丁}", 1, "不支持匹配题（->）。"),
        ("问答题 {}", 1, "答案部分是空的：不支持问答题，请写出答案。"),
        ("问答题 {####只有解析}", 1, "答案部分是空的：不支持问答题，请写出答案。"),
        ("\n\n没有答案的题目", 3, "找不到答案部分：每道题都要用 {…} 写出答案。"),
        ("没关上的答案 {\n=甲\n~乙", 1, "答案部分缺少右花括号“}”。"),
        ("套了一层 {=甲 {~乙}", 1, "答案部分里的“{”要写成“\\{”，或者少了一个“}”。"),
        (
            "两道题没空行 {=甲 ~乙}\n第二题 {=丙 ~丁}",
            2,
            "一道题只能有一个答案部分 {…}；两道题之间要空一行。",
        ),
        ("{=甲 ~乙}", 1, "题干是空的。"),
        ("::只有名称 题干 {=甲 ~乙}", 1, "题目名称缺少结尾的“::”。"),
        (
            "单选两个等号 {=甲 =乙 ~丙}",
            1,
            "单选题只能有一个“=”正确答案；多选题请给每个正确选项标正分值，如 ~%50%正确选项。",
        ),
        (
            "单选带部分分 {=甲 ~%50%乙}",
            1,
            "单选题的其他选项不能带正分值（如 ~%50%）：单选题只有一个正确答案。",
        ),
        (
            "多选没有正分 {~%0%甲 ~乙 ~%-100%丙}",
            1,
            "多选题至少要有一个带正分值的选项，如 ~%50%正确选项。",
        ),
        ("分值越界 {~%150%甲 ~乙}", 1, "分值 150% 无效，须在 -100 到 100 之间。"),
        ("空的选项 {=甲\n~\n~丙}", 2, "有一个答案是空的。"),
        ("填空部分分 {=承保公司 =%50%承保方}", 1, "填空题的答案不支持部分得分（如 =%50%）。"),
        (
            "不以等号开头 {甲 =乙}",
            1,
            "答案部分应以“=”（正确答案）或“~”（其他选项）开头，判断题写 {T} 或 {F}。",
        ),
        ("重复选项 {=甲 ~甲}", 1, "选项内容不能重复。"),
        ("单个选项 {~%100%甲}", 1, "选择题至少需要两个选项。"),
        ("// [difficulty:超难]\n难度不对 {T}", 1, "难度“超难”无效，请写容易、中等或困难。"),
        ("$CATEGORY: 甲\n紧跟的题 {T}", 2, "“$CATEGORY:”行之后要空一行，再开始下一道题。"),
        (
            "// 只有注释",
            None,
            "文件里没有题目。GIFT 格式的每道题写作：题干 {=正确答案 ~其他选项}。",
        ),
    ],
)
def test_a_bad_question_is_refused_with_its_line(text, line, message):
    result = parse(text)
    assert [(error.row, error.message) for error in result.errors] == [(line, message)]


def test_errors_name_the_line_and_good_questions_around_them_still_parse():
    result = parse("好题一 {T}\n\n坏题 {#1}\n\n好题二 {F}")
    assert [str(error) for error in result.errors] == ["第 3 行：不支持数值题（{#…}）。"]
    assert len(result.questions) == 2


def test_a_file_that_is_neither_utf8_nor_gbk_is_refused():
    result = read_questions(io.BytesIO(b"\xff\xfe\x00\xd8" * 3), name="q.txt", format="gift")
    assert [str(error) for error in result.errors] == [
        "无法识别文件的编码，请用 UTF-8 或 GBK 编码保存后重新上传。"
    ]


@pytest.mark.parametrize("text", ["a~b=c#d{e}f:g\\h", "第一行\n第二行", "普通文字"])
def test_escape_and_unescape_round_trip(text):
    assert unescape(escape(text)) == text
