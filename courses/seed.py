"""The group's cross-selling rules (``demo_content/``), parsed into chapters and articles.

Free of Django, so that the benchmarks can read the same articles before Django is set up. The
demo courses, their tests and the search benchmarks all take the articles from here.
"""

import functools
import re
from dataclasses import dataclass
from pathlib import Path

SEED_PATH = Path(__file__).parent / "demo_content" / "cross_selling_rules_zh.md"
CHAPTER_LINE = re.compile(r"^## (第[一二三四五六七八九十]+章)\s*(\S+)$")
ARTICLE_LINE = re.compile(r"^(第([一二三四五六七八九十]+)条)\s*(.+)$")
CHINESE_DIGITS = "一二三四五六七八九"


@dataclass(frozen=True)
class Article:
    label: str  # 第二十四条
    number: int  # 24
    chapter: str  # 第七章业务管理
    text: str


def chinese_number(numeral: str) -> int:
    """一 … 九十九 as an int (articles and chapters of the seed)."""
    if "十" not in numeral:
        return CHINESE_DIGITS.index(numeral) + 1
    tens, _ten, ones = numeral.partition("十")
    value = (CHINESE_DIGITS.index(tens) + 1 if tens else 1) * 10
    return value + (CHINESE_DIGITS.index(ones) + 1 if ones else 0)


def parse_rules(text: str) -> dict[str, Article]:
    """The seed's articles by label (第十五条 …), in order, each with its chapter."""
    articles: dict[str, Article] = {}
    chapter = ""
    for line in text.splitlines():
        line = line.strip()
        if match := CHAPTER_LINE.match(line):
            chapter = match[1] + match[2]
        elif chapter and (match := ARTICLE_LINE.match(line)):
            articles[match[1]] = Article(match[1], chinese_number(match[2]), chapter, match[3])
    return articles


@functools.cache
def seed_articles() -> dict[str, Article]:
    return parse_rules(SEED_PATH.read_text(encoding="utf-8"))
