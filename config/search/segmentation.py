"""Chinese word segmentation for the search index and for queries (jieba + insurance terms).

Database full-text search splits text at spaces and punctuation, so a run of Chinese characters
is one token and 联合展业 inside a sentence is never found. Both the index and the query therefore
go through the same steps here, and the databases only ever see space-separated tokens that their
own tokenizers (SQLite FTS5 ``unicode61``; PostgreSQL tsvector literals) keep exactly as given:

1. ``normalize``: NFKC (full-width letters and digits become ASCII), lower case, no accents.
2. jieba in accurate mode, without the HMM (so that unknown words fall apart into the same single
   characters in a sentence as in a query), with the user dictionary ``insurance_terms.txt``.
3. A Chinese word longer than two characters is written as its *pieces*: two-character
   dictionary words from the left, single characters where none starts (联合展业 → 联合 展业,
   讲师团 → 讲师 团, 产代寿 → 产 代 寿). A text is not always cut where a query is (the text
   交叉销售人员 is cut 交叉销售/人员, the query 销售人员 is cut 销售/人员), but the pieces line up
   (交叉 销售 人员 and 销售 人员), so a phrase is found however each side was cut.

A query term of several pieces is a phrase: they must stand together, in order, as typed, so
渠道共享 does not match a text with 渠道 and 共享 apart. After the text, the index also holds
(once each) the sub-words that jieba's ``cut_for_search`` adds for long words (讲师团 → 师团) and
the text's distinct Chinese characters, so a one-piece query also finds a word inside a longer
one and a single character finds every text that contains it. A ``SEPARATOR`` follows each text
and each of these extra tokens, so they never stand next to anything and a phrase only matches
the text as written.
"""

import functools
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import jieba

# Importing jieba sets its logger to DEBUG with a handler of its own, after LOGGING was applied.
jieba.setLogLevel(logging.WARNING)

USER_DICTIONARY = Path(__file__).with_name("insurance_terms.txt")

# A private-use character: FTS5's unicode61 tokenizer keeps it as a token (category Co) and it is
# never a query token, since query tokens are runs of letters and digits.
SEPARATOR = "\ue000"

# Longer runs (a pasted hash, a long number) are cut to this length, on both sides alike;
# PostgreSQL refuses lexemes over 2 KB.
MAX_TOKEN_LENGTH = 100

TOKEN_RE = re.compile(r"[^\W_]+")
HAN_RE = re.compile(
    "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f\U00030000-\U0003134f]"
)

_lock = threading.Lock()
_segmenter: "Segmenter | None" = None


def is_han(token: str) -> bool:
    """True if ``token`` is made of Chinese characters only."""
    return bool(token) and all(HAN_RE.match(char) for char in token)


def normalize(text: str) -> str:
    """NFKC, lower case and accents removed: what both the index and the query are made of."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).lower())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", stripped)


class Segmenter:
    """One jieba tokenizer with the user dictionary, and the piece and token rules above."""

    def __init__(self, user_dictionary: Path = USER_DICTIONARY):
        self.tokenizer = jieba.Tokenizer()
        # Loads jieba's dictionary (from a cache file in the temp dir after the first run).
        self.tokenizer.load_userdict(str(user_dictionary))

    def words(self, text: str) -> Iterator[str]:
        """The normalized text cut into words; punctuation and spaces dropped."""
        for word in self.tokenizer.cut(normalize(text), HMM=False):
            for token in TOKEN_RE.findall(word):
                yield token[:MAX_TOKEN_LENGTH]

    def pieces(self, word: str) -> list[str]:
        """A Chinese word as two-character dictionary words taken from the left, with single
        characters where none starts: 讲师团 → 讲师 团, 产代寿 → 产 代 寿.

        Taking them from the left keeps a word's start aligned with a query that types only its
        beginning (培训讲师 inside 营销培训讲师团), which the prefix match of the last query
        token then completes.
        """
        if len(word) <= 2 or not is_han(word):
            return [word]
        freq = self.tokenizer.FREQ
        result, start = [], 0
        while start < len(word):
            pair = word[start : start + 2]
            size = 2 if len(pair) == 2 and freq.get(pair, 0) > 0 else 1
            result.append(word[start : start + size])
            start += size
        return result

    def sub_words(self, word: str) -> Iterator[str]:
        """The dictionary words inside a long word that ``cut_for_search`` adds (2 and 3 grams)."""
        freq = self.tokenizer.FREQ
        for size in (2, 3):
            if len(word) > size:
                for start in range(len(word) - size + 1):
                    gram = word[start : start + size]
                    if freq.get(gram):
                        yield gram

    def query_tokens(self, text: str) -> list[str]:
        """The tokens of a query term, in order; several tokens make a phrase."""
        return [piece for word in self.words(text) for piece in self.pieces(word)]

    def index_tokens(self, texts: Sequence[str]) -> list[tuple[int, str]]:
        """The token sequence of a document made of ``texts``, each token with its text's index.

        Each text's tokens and a SEPARATOR, then the extra tokens (sub-words and characters not
        already tokens of the texts), each once and each followed by a SEPARATOR; the extra token
        carries the index of the first text it came from.
        """
        sequence: list[tuple[int, str]] = []
        in_text: set[str] = set()
        extras: dict[str, int] = {}
        for source, text in enumerate(texts):
            words = list(self.words(text))
            if not words:
                continue
            for word in words:
                for piece in self.pieces(word):
                    sequence.append((source, piece))
                    in_text.add(piece)
                if is_han(word):
                    for extra in self.sub_words(word):
                        extras.setdefault(extra, source)
                for char in word:
                    if is_han(char):
                        extras.setdefault(char, source)
            sequence.append((source, SEPARATOR))
        for extra, source in extras.items():
            if extra not in in_text:
                sequence.append((source, extra))
                sequence.append((source, SEPARATOR))
        return sequence

    def typed_segments(self, text: str) -> list[str]:
        """The segments of ``text`` as typed (not normalized), for highlighting."""
        return [word for word in self.tokenizer.cut(text, HMM=False) if TOKEN_RE.search(word)]


def segmenter() -> Segmenter:
    """The process-wide segmenter, made on first use (jieba takes about half a second)."""
    global _segmenter
    if _segmenter is None:
        with _lock:
            if _segmenter is None:
                _segmenter = Segmenter()
    return _segmenter


@functools.lru_cache(maxsize=1024)
def _query_tokens(text: str) -> tuple[str, ...]:
    return tuple(segmenter().query_tokens(text))


def query_tokens(text: str) -> list[str]:
    """Cached: one search segments each of its terms several times (once per kind searched)."""
    return list(_query_tokens(text))


def index_tokens(texts: Iterable[str]) -> list[tuple[int, str]]:
    return segmenter().index_tokens(list(texts))


def typed_segments(text: str) -> list[str]:
    return segmenter().typed_segments(text)
