"""What every question file becomes once read: ``ParsedQuestion`` rows and ``RowError``s.

Each format's reader (``spreadsheet``, ``gift``, ``aiken``) turns a file into a ``ParseResult``
without touching the database; ``quizzes.importing.plan_import`` then checks it against the bank.
A ``RowError``'s row is the spreadsheet row or the text line the question starts on.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from organization.tabular import RowError

from ..models import Choice, Difficulty, QuestionCategory, question_fingerprint, question_key_errors
from ..normalise import html_to_text

CHOICE_MAX_LENGTH = Choice._meta.get_field("text").max_length
CATEGORY_MAX_LENGTH = QuestionCategory._meta.get_field("name").max_length
TAG_MAX_LENGTH = 100  # taggit's Tag.name


def encoding_error() -> str:
    return _("无法识别文件的编码，请用 UTF-8 或 GBK 编码保存后重新上传。")


@dataclass
class ParsedQuestion:
    line: int
    kind: str
    stem: str  # Rich text (HTML).
    choices: list[tuple[str, bool]] = field(default_factory=list)
    accepted_answers: list[str] = field(default_factory=list)
    is_true: bool | None = None
    explanation: str = ""
    difficulty: int = Difficulty.MEDIUM
    tags: list[str] = field(default_factory=list)
    category_name: str = ""  # Empty: the import's default category.

    @property
    def fingerprint(self) -> str:
        return question_fingerprint(
            kind=self.kind,
            stem=self.stem,
            choices=self.choices,
            accepted_answers=self.accepted_answers,
            is_true=self.is_true,
        )

    def key_errors(self) -> list[str]:
        """The key's problems (``question_key_errors``) and texts too long for their fields."""
        errors = question_key_errors(
            kind=self.kind,
            choices=self.choices,
            accepted_answers=self.accepted_answers,
            is_true=self.is_true,
        )
        messages = [str(message) for messages in errors.values() for message in messages]
        if any(len(text) > CHOICE_MAX_LENGTH for text, _correct in self.choices):
            messages.append(_("选项不能超过 %(max)s 个字。") % {"max": CHOICE_MAX_LENGTH})
        if any(len(tag) > TAG_MAX_LENGTH for tag in self.tags):
            messages.append(_("标签不能超过 %(max)s 个字。") % {"max": TAG_MAX_LENGTH})
        if len(self.category_name) > CATEGORY_MAX_LENGTH:
            messages.append(_("分类名称不能超过 %(max)s 个字。") % {"max": CATEGORY_MAX_LENGTH})
        return messages

    def summary(self) -> str:
        text = html_to_text(self.stem).replace("\n", " ")
        return text if len(text) <= 60 else text[:60] + "…"


@dataclass
class ParseResult:
    questions: list[ParsedQuestion] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def error(self, line: int | None, message: str, column: str = "") -> None:
        self.errors.append(RowError(line, column, message))
