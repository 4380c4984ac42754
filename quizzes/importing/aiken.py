"""Moodle's Aiken format: single-choice questions in plain text.

    保险代理人交叉销售时，应当向客户明示什么？
    A. 所属公司及代理的产品所属公司
    B. 个人收入
    ANSWER: A

The question may run over several lines, up to the first option; options are ``A.`` or ``A)``
(also ``A、`` and full-width forms), in order from A; ``ANSWER: X`` (or ``答案：X``) closes the
question. Blank lines between questions are optional.
"""

import re
import unicodedata

from django.utils.translation import gettext as _

from organization.tabular import decode_text

from ..models import QuestionKind
from ..normalise import text_to_html
from .common import ParsedQuestion, ParseResult, encoding_error

OPTION = re.compile(r"^([A-Za-z])\s*[.)、]\s*(.*)$")
ANSWER = re.compile(r"^(?:ANSWER|答案)\s*:\s*(.*)$", re.IGNORECASE)


def parse_aiken(data: bytes) -> ParseResult:
    result = ParseResult()
    text = decode_text(data, error_message=encoding_error())
    current: dict | None = None

    def unfinished(reason: str) -> None:
        nonlocal current
        result.error(current["line"], reason)
        current = None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = unicodedata.normalize("NFKC", raw).strip()
        if not line:
            continue
        answer = ANSWER.match(line)
        option = OPTION.match(line)
        if answer:
            if current is None:
                result.error(number, _("“ANSWER:”行前面没有题目。"))
                continue
            _close(current, answer.group(1).strip(), number, result)
            current = None
        elif option and current is not None and (current["options"] or current["stem"]):
            letter, body = option.group(1).upper(), option.group(2).strip()
            expected = chr(ord("A") + len(current["options"]))
            if letter != expected:
                result.error(
                    number,
                    _("选项字母应为 %(expected)s（选项须从 A 开始依次排列），这里是 %(letter)s。")
                    % {"expected": expected, "letter": letter},
                )
                current["broken"] = True
            if not body:
                result.error(number, _("选项 %(letter)s 的内容是空的。") % {"letter": letter})
                current["broken"] = True
            current["options"].append(body)
        else:
            if current is not None and current["options"]:
                unfinished(
                    _("题目缺少“ANSWER: 字母”行（在第 %(line)s 行下一道题开始之前）。")
                    % {"line": number},
                )
            if current is None:
                current = {"line": number, "stem": [], "options": [], "broken": False}
            current["stem"].append(raw.strip())
    if current is not None:
        unfinished(_("题目缺少“ANSWER: 字母”行（文件已结束）。"))
    if not result.questions and not result.errors:
        result.error(
            None, _("文件里没有题目。Aiken 格式：题干一行，选项 A. B. …，最后一行 ANSWER: 字母。")
        )
    return result


def _close(current: dict, answer: str, number: int, result: ParseResult) -> None:
    options = current["options"]
    if len(options) < 2:
        result.error(current["line"], _("题目至少需要两个选项（A. B. …）。"))
        return
    letters = re.sub(r"[\s,、;]", "", answer).upper()
    if len(letters) != 1 or not letters.isalpha():
        result.error(
            number,
            _("“ANSWER:”后应是一个选项字母（Aiken 格式只支持单选题），这里是“%(answer)s”。")
            % {"answer": answer},
        )
        return
    index = ord(letters) - ord("A")
    if not 0 <= index < len(options):
        result.error(
            number,
            _("答案 %(letter)s 不是这道题的选项（只有 A 到 %(last)s）。")
            % {"letter": letters, "last": chr(ord("A") + len(options) - 1)},
        )
        return
    if current["broken"]:
        return
    question = ParsedQuestion(
        line=current["line"],
        kind=QuestionKind.SINGLE,
        stem=text_to_html("\n".join(current["stem"])),
        choices=[(text, position == index) for position, text in enumerate(options)],
    )
    problems = question.key_errors()
    for message in problems:
        result.error(current["line"], message)
    if not problems:
        result.questions.append(question)
