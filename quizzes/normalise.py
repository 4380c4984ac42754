"""Text normalisation shared by the bank (fingerprints) and grading (fill-in answers).

A fill-in answer matches when it equals an accepted answer after NFKC (full-width letters, digits
and punctuation become half-width: "ＡＢＣ１２３，" → "ABC123,"), case folding and removing every
whitespace character (including the ideographic space U+3000).
"""

import html
import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """NFKC, unescaped entities, runs of whitespace as one space, trimmed: for comparing texts."""
    text = unicodedata.normalize("NFKC", html.unescape(text or ""))
    return _WHITESPACE.sub(" ", text).strip()


def normalise_answer(text: str) -> str:
    """The form a fill-in answer is compared in: NFKC, case-folded, without any whitespace."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return _WHITESPACE.sub("", text)


def answers_match(given: str, accepted: list[str]) -> bool:
    given = normalise_answer(given)
    return bool(given) and any(given == normalise_answer(answer) for answer in accepted)


_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(?:p|div|li|h[1-6]|blockquote|tr)>")
_TAG = re.compile(r"<[^>]*>")


def html_to_text(value: str) -> str:
    """Rich text as plain text: one line per paragraph (or list item, or <br>), tags dropped."""
    text = _TAG.sub("", _BLOCK_END.sub("\n", value or ""))
    lines = (_WHITESPACE.sub(" ", html.unescape(line)).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def text_to_html(text: str) -> str:
    """Plain text as rich text: a paragraph per non-empty line, escaped."""
    lines = (line.strip() for line in (text or "").replace("\r\n", "\n").split("\n"))
    return "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in lines if line)
