"""Marking what a search matched: ``highlight()`` a whole text, ``excerpt()`` a snippet of it.

Both take plain text (strip the tags of rich text first) and the query as the user typed it, and
return HTML-escaped text with ``<mark>`` around each occurrence of the whole query, of each of its
space-separated terms, and of each term's jieba segments as typed (销售人员 marks 销售人员, and
销售 and 人员 where they stand apart). A one-character segment of a longer term (年 of 2026年) is
marked only as part of the term, not on its own; matching ignores case.
"""

import functools
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .segmentation import TOKEN_RE, typed_segments

EXCERPT_LENGTH = 80
ELLIPSIS = "…"


@functools.lru_cache(maxsize=256)
def _pattern(query: str) -> re.Pattern | None:
    whole = " ".join(query.replace('"', " ").split())
    needles = {whole}
    for term in whole.split():
        needles.add(term)
        segments = typed_segments(term)
        needles.update(segment for segment in segments if len(segments) == 1 or len(segment) > 1)
    needles = {needle for needle in needles if TOKEN_RE.search(needle)}
    if not needles:
        return None
    # Longest first, so that at any position the whole query wins over its parts.
    alternatives = sorted(needles, key=lambda needle: (-len(needle), needle))
    return re.compile("|".join(re.escape(needle) for needle in alternatives), re.IGNORECASE)


def _spans(text: str, pattern: re.Pattern) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for match in pattern.finditer(text):
        start, end = match.span()
        if spans and spans[-1][1] == start:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def highlight(text: str, query: str) -> SafeString:
    """``text`` escaped, with the query's words in ``<mark>``."""
    pattern = _pattern(query)
    if pattern is None:
        return escape(text)
    parts, position = [], 0
    for start, end in _spans(text, pattern):
        parts.append(escape(text[position:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # every piece of text is escaped above


def excerpt(text: str, query: str, length: int = EXCERPT_LENGTH) -> SafeString:
    """About ``length`` characters of ``text`` around the first match, highlighted.

    Whitespace is collapsed; the window starts a quarter of ``length`` before the first match
    (or at the start if nothing matches) and an ellipsis marks each end that was cut off.
    """
    text = " ".join(text.split())
    if len(text) <= length:
        return highlight(text, query)
    pattern = _pattern(query)
    match = pattern.search(text) if pattern else None
    start = 0 if match is None else max(0, min(match.start() - length // 4, len(text) - length))
    end = start + length
    snippet = highlight(text[start:end], query)
    before = ELLIPSIS if start else ""
    after = ELLIPSIS if end < len(text) else ""
    return mark_safe(f"{before}{snippet}{after}")  # the snippet is escaped by highlight()
