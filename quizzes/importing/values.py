"""Cell and field values in Chinese, as the import template and the GIFT metadata write them.

Matched after NFKC (full-width letters, digits and punctuation become half-width) and trimming,
whatever language the interface is in.
"""

import re
import unicodedata

from django.utils import translation

from ..models import Difficulty, QuestionKind

KIND_WORDS = {
    "单选题": QuestionKind.SINGLE,
    "单选": QuestionKind.SINGLE,
    "多选题": QuestionKind.MULTIPLE,
    "多选": QuestionKind.MULTIPLE,
    "判断题": QuestionKind.TRUE_FALSE,
    "判断": QuestionKind.TRUE_FALSE,
    "填空题": QuestionKind.FILL_BLANK,
    "填空": QuestionKind.FILL_BLANK,
}
DIFFICULTY_WORDS = {
    "容易": Difficulty.EASY,
    "简单": Difficulty.EASY,
    "易": Difficulty.EASY,
    "1": Difficulty.EASY,
    "中等": Difficulty.MEDIUM,
    "中": Difficulty.MEDIUM,
    "一般": Difficulty.MEDIUM,
    "2": Difficulty.MEDIUM,
    "困难": Difficulty.HARD,
    "难": Difficulty.HARD,
    "3": Difficulty.HARD,
}
TRUE_WORDS = {"正确", "对", "是", "√", "✓", "✔", "T", "TRUE", "Y", "YES"}
FALSE_WORDS = {"错误", "错", "否", "×", "✗", "✘", "X", "F", "FALSE", "N", "NO"}
LIST_SEPARATORS = re.compile(r"[、,;\n]")  # After NFKC, so "，" and "；" are covered too.
ANSWER_SEPARATOR = re.compile(r"\|")  # "｜" becomes "|" under NFKC.


def nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip()


def parse_kind(value: str) -> str | None:
    return KIND_WORDS.get(nfkc(value))


def parse_difficulty(value: str) -> int | None:
    """None when the value is not a difficulty; an empty value is 中等."""
    text = nfkc(value)
    if not text:
        return Difficulty.MEDIUM
    return DIFFICULTY_WORDS.get(text)


def parse_true_false(value: str) -> bool | None:
    text = nfkc(value).upper()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None


def split_list(value: str) -> list[str]:
    return list(
        dict.fromkeys(part.strip() for part in LIST_SEPARATORS.split(nfkc(value)) if part.strip())
    )


def kind_label(kind: str) -> str:
    with translation.override("zh-hans"):
        return str(QuestionKind(kind).label)


def difficulty_label(difficulty: int) -> str:
    with translation.override("zh-hans"):
        return str(Difficulty(difficulty).label)
