"""Reading Aiken files: single-choice questions, and every bad kind refused with its line."""

import pytest

from quizzes.importing.aiken import parse_aiken
from quizzes.models import QuestionKind

GOOD = """交叉销售的理赔工作由谁负责？
A. 承保公司
B. 代理方
C) 双方共同
ANSWER: A

交叉销售收入最终记录在
哪个系统中？
Ａ．集团交叉销售统计系统
Ｂ．各子公司业务系统
答案：a
"""


def parse(text: str):
    return parse_aiken(text.encode("utf-8"))


def test_single_choice_questions_are_read_with_their_key():
    result = parse(GOOD)
    assert result.errors == []
    first, second = result.questions
    assert (first.line, first.kind) == (1, QuestionKind.SINGLE)
    assert first.choices == [("承保公司", True), ("代理方", False), ("双方共同", False)]
    assert second.line == 7
    assert second.stem == "<p>交叉销售收入最终记录在</p><p>哪个系统中？</p>"
    assert second.choices == [("集团交叉销售统计系统", True), ("各子公司业务系统", False)]


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        ("题目\nA. 甲\nB. 乙\n", [(1, "题目缺少“ANSWER: 字母”行（文件已结束）。")]),
        (
            "题目一\nA. 甲\nB. 乙\n题目二\nA. 丙\nB. 丁\nANSWER: B",
            [(1, "题目缺少“ANSWER: 字母”行（在第 4 行下一道题开始之前）。")],
        ),
        ("题目\nA. 甲\nANSWER: A", [(1, "题目至少需要两个选项（A. B. …）。")]),
        ("题目\nANSWER: A", [(1, "题目至少需要两个选项（A. B. …）。")]),
        ("题目\nA. 甲\nB. 乙\nANSWER: C", [(4, "答案 C 不是这道题的选项（只有 A 到 B）。")]),
        (
            "题目\nA. 甲\nB. 乙\nANSWER: AB",
            [(4, "“ANSWER:”后应是一个选项字母（Aiken 格式只支持单选题），这里是“AB”。")],
        ),
        (
            "题目\nA. 甲\nC. 乙\nANSWER: A",
            [(3, "选项字母应为 B（选项须从 A 开始依次排列），这里是 C。")],
        ),
        ("题目\nA. 甲\nB.\nANSWER: A", [(3, "选项 B 的内容是空的。")]),
        ("题目\nA. 甲\nB. 甲\nANSWER: A", [(1, "选项内容不能重复。")]),
        ("ANSWER: A", [(1, "“ANSWER:”行前面没有题目。")]),
        (
            "",
            [(None, "文件里没有题目。Aiken 格式：题干一行，选项 A. B. …，最后一行 ANSWER: 字母。")],
        ),
    ],
)
def test_a_bad_question_is_refused_with_its_line(text, errors):
    result = parse(text)
    assert [(error.row, error.message) for error in result.errors] == errors


def test_a_question_after_a_bad_one_is_still_read():
    result = parse("题目一\nA. 甲\nB. 乙\n题目二\nA. 丙\nB. 丁\nANSWER: B")
    assert [question.line for question in result.questions] == [4]
