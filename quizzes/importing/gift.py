"""Moodle's GIFT format: the four question types of the bank.

    $CATEGORY: 产代寿交叉销售

    // [tag:产代寿] [difficulty:中等]
    ::Q1:: 交叉销售中，代理人应向客户说明的是 {
      =所属公司和产品所属公司
      ~只说明产品收益
      ####依据《交叉销售管理办法》第十二条。
    }

- ``{=right ~wrong ~wrong}``: single choice (exactly one ``=``);
- ``{~%50%right ~%50%right ~%-100%wrong}``: multiple choice (no ``=``; a positive weight marks
  a correct option);
- ``{T}`` / ``{TRUE}`` / ``{F}`` / ``{FALSE}``: true/false;
- ``{=answer =other answer}``: fill-in-the-blank (only ``=``); text after the block makes the
  blank sit in the middle of the stem (shown as ``_____``);
- ``####text`` at the end of the block: the explanation; ``#feedback`` after an answer is read
  and dropped; ``::title::`` is dropped; ``[html]`` marks an HTML stem;
- ``// [tag:…]`` and ``// [difficulty:容易|中等|困难]`` comment lines before a question set its
  tags and difficulty (Moodle reads ``[tag:…]`` too); other ``//`` lines are comments.

Questions are separated by blank lines. Numeric (``{#…}``), matching (``->``) and essay (``{}``)
questions are refused with the line they are on. Special characters in texts are escaped with a
backslash: ``\\~ \\= \\# \\{ \\} \\:``, and ``\\n`` is a line break.
"""

import re

from django.utils.translation import gettext as _

from organization.tabular import decode_text

from ..models import QuestionKind
from ..normalise import text_to_html
from .common import ParsedQuestion, ParseResult, encoding_error
from .rich_text import clean_html
from .values import parse_difficulty

SPECIAL = "~=#{}:"
BLANK = "_____"
FORMAT = re.compile(r"^\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
TAG = re.compile(r"\[tag:([^\]]+)\]")
DIFFICULTY = re.compile(r"\[difficulty:([^\]]+)\]")
TRUE_WORDS, FALSE_WORDS = {"T", "TRUE"}, {"F", "FALSE"}


def find_unescaped(text: str, target: str, start: int = 0) -> int:
    """Index of the first ``target`` at or after ``start`` not preceded by a backslash; -1."""
    index = start
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text.startswith(target, index):
            return index
        index += 1
    return -1


def unescape(text: str) -> str:
    out, index = [], 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            following = text[index + 1]
            out.append("\n" if following == "n" else following)
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    for char in SPECIAL:
        text = text.replace(char, "\\" + char)
    return text.replace("\r\n", "\n").replace("\n", "\\n")


def parse_gift(data: bytes) -> ParseResult:
    result = ParseResult()
    category = ""
    block: list[tuple[int, str]] = []
    meta = {"tags": [], "difficulty": None, "line": None}

    def flush():
        nonlocal category
        if not block:
            return
        first_text = block[0][1]
        if first_text.lstrip().startswith("$CATEGORY:"):
            category = _category_name(first_text.split(":", 1)[1])
            if len(block) > 1:
                result.error(block[1][0], _("“$CATEGORY:”行之后要空一行，再开始下一道题。"))
        else:
            _parse_question(block, category, meta, result)
        block.clear()
        meta.update(tags=[], difficulty=None, line=None)

    for number, raw in enumerate(
        decode_text(data, error_message=encoding_error()).splitlines(), start=1
    ):
        stripped = raw.strip()
        if stripped.startswith("//"):
            for tag in TAG.findall(stripped):
                meta["tags"].append(tag.strip())
            for value in DIFFICULTY.findall(stripped):
                meta["difficulty"] = value.strip()
                meta["line"] = number
            continue
        if not stripped:
            flush()
            continue
        block.append((number, raw))
    flush()
    if not result.questions and not result.errors:
        result.error(None, _("文件里没有题目。GIFT 格式的每道题写作：题干 {=正确答案 ~其他选项}。"))
    return result


def _category_name(path: str) -> str:
    """The last level of a Moodle category path ("$course$/top/甲/乙" → "乙"); "//" is a "/"
    inside a name."""
    parts = [
        part.strip().replace("\0", "/")
        for part in path.strip().replace("//", "\0").split("/")
        if part.strip() and part.strip() not in ("$course$", "$system$", "$module$", "top")
    ]
    return parts[-1] if parts else ""


def _parse_question(block, category: str, meta: dict, result: ParseResult) -> None:
    start = block[0][0]
    text = "\n".join(line for _number, line in block)

    def line_at(position: int) -> int:
        return start + text.count("\n", 0, max(position, 0))

    errors_before = len(result.errors)
    body = text.lstrip()
    offset = len(text) - len(body)
    if body.startswith("::"):
        end = find_unescaped(body, "::", 2)
        if end == -1:
            result.error(start, _("题目名称缺少结尾的“::”。"))
            return
        offset += end + 2
        body = body[end + 2 :]
    stripped = body.lstrip()
    offset += len(body) - len(stripped)
    body = stripped
    is_html = False
    matched = FORMAT.match(body)
    if matched:
        is_html = matched.group(1).lower() in ("html", "moodle")
        body = body[matched.end() :]
        offset += matched.end()

    opening = find_unescaped(body, "{")
    if opening == -1:
        result.error(start, _("找不到答案部分：每道题都要用 {…} 写出答案。"))
        return
    closing = find_unescaped(body, "}", opening + 1)
    if closing == -1:
        result.error(line_at(offset + opening), _("答案部分缺少右花括号“}”。"))
        return
    nested = find_unescaped(body, "{", opening + 1)
    if nested != -1 and nested < closing:
        result.error(line_at(offset + nested), _("答案部分里的“{”要写成“\\{”，或者少了一个“}”。"))
        return
    if find_unescaped(body, "{", closing + 1) != -1:
        result.error(
            line_at(offset + find_unescaped(body, "{", closing + 1)),
            _("一道题只能有一个答案部分 {…}；两道题之间要空一行。"),
        )
        return
    prefix, suffix = body[:opening].strip(), body[closing + 1 :].strip()
    answer_line = line_at(offset + opening)
    stem_source = f"{prefix} {BLANK} {suffix}" if suffix else prefix
    stem_text = unescape(stem_source).strip()
    if not stem_text:
        result.error(start, _("题干是空的。"))
        return
    stem = clean_html(stem_text) if is_html else text_to_html(stem_text)

    question = ParsedQuestion(line=start, kind="", stem=stem, category_name=category)
    question.tags = list(dict.fromkeys(meta["tags"]))
    if meta["difficulty"] is not None:
        difficulty = parse_difficulty(meta["difficulty"])
        if difficulty is None:
            result.error(
                meta["line"],
                _("难度“%(value)s”无效，请写容易、中等或困难。") % {"value": meta["difficulty"]},
            )
        else:
            question.difficulty = difficulty
    _parse_answers(body[opening + 1 : closing], answer_line, question, result)
    if len(result.errors) > errors_before:
        return
    for message in question.key_errors():
        result.error(start, message)
    if len(result.errors) == errors_before:
        result.questions.append(question)


def _parse_answers(block: str, line: int, question: ParsedQuestion, result) -> None:
    answers = block.strip()
    general = find_unescaped(answers, "####")
    if general != -1:
        question.explanation = unescape(answers[general + 4 :]).strip()
        answers = answers[:general].strip()
    if not answers:
        result.error(line, _("答案部分是空的：不支持问答题，请写出答案。"))
        return
    if answers.startswith("#"):
        result.error(line, _("不支持数值题（{#…}）。"))
        return
    if find_unescaped(answers, "->") != -1:
        result.error(line, _("不支持匹配题（->）。"))
        return
    hash_at = find_unescaped(answers, "#")
    word = unescape(answers if hash_at == -1 else answers[:hash_at]).strip().upper()
    if word in TRUE_WORDS | FALSE_WORDS:
        question.kind = QuestionKind.TRUE_FALSE
        question.is_true = word in TRUE_WORDS
        return
    if answers[0] not in "=~":
        result.error(
            line,
            _("答案部分应以“=”（正确答案）或“~”（其他选项）开头，判断题写 {T} 或 {F}。"),
        )
        return
    tokens = _tokens(answers, line, result)
    if tokens is None:
        return
    markers = [marker for marker, _weight, _text in tokens]
    if "~" not in markers:
        if any(weight is not None and weight != 100 for _m, weight, _t in tokens):
            result.error(line, _("填空题的答案不支持部分得分（如 =%50%）。"))
            return
        question.kind = QuestionKind.FILL_BLANK
        question.accepted_answers = [text for _m, _w, text in tokens]
        return
    if "=" in markers:
        if markers.count("=") > 1:
            result.error(
                line,
                _(
                    "单选题只能有一个“=”正确答案；多选题请给每个正确选项标正分值，"
                    "如 ~%50%正确选项。"
                ),
            )
            return
        if any(marker == "~" and (weight or 0) > 0 for marker, weight, _t in tokens):
            result.error(
                line,
                _("单选题的其他选项不能带正分值（如 ~%50%）：单选题只有一个正确答案。"),
            )
            return
        question.kind = QuestionKind.SINGLE
        question.choices = [(text, marker == "=") for marker, _w, text in tokens]
        return
    question.kind = QuestionKind.MULTIPLE
    question.choices = [(text, (weight or 0) > 0) for _m, weight, text in tokens]
    if not any(correct for _text, correct in question.choices):
        result.error(line, _("多选题至少要有一个带正分值的选项，如 ~%50%正确选项。"))


def _tokens(answers: str, line: int, result) -> list[tuple[str, float | None, str]] | None:
    """(marker, weight or None, text) for each ``=``/``~`` answer; None after an error."""
    starts = []
    index = 0
    while index < len(answers):
        if answers[index] == "\\":
            index += 2
            continue
        if answers[index] in "=~":
            starts.append(index)
        index += 1
    tokens = []
    for position, begin in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else len(answers)
        marker, content = answers[begin], answers[begin + 1 : end].strip()
        weight = None
        matched = WEIGHT.match(content)
        if matched:
            weight = float(matched.group(1))
            content = content[matched.end() :]
            if not -100 <= weight <= 100:
                result.error(
                    line + answers.count("\n", 0, begin),
                    _("分值 %(weight)s%% 无效，须在 -100 到 100 之间。")
                    % {"weight": matched.group(1)},
                )
                return None
        feedback = find_unescaped(content, "#")
        if feedback != -1:
            content = content[:feedback]
        text = unescape(content).strip()
        if not text:
            result.error(line + answers.count("\n", 0, begin), _("有一个答案是空的。"))
            return None
        tokens.append((marker, weight, text))
    return tokens
