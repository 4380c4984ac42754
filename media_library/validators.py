"""Validation of the small text attachments of a media item: WebVTT subtitles and chapter marks."""

import re
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SUBTITLES_MAX_BYTES = 2 * 1024 * 1024
CHAPTER_TITLE_MAX_LENGTH = 100

_VTT_TIMESTAMP = r"(?:\d{2,}:)?[0-5]\d:[0-5]\d\.\d{3}"
_VTT_TIMING = re.compile(rf"^{_VTT_TIMESTAMP}[ \t]+-->[ \t]+{_VTT_TIMESTAMP}(?:[ \t].*)?$")
_CHAPTER_LINE = re.compile(r"^(?:(\d{1,2}):)?(\d{1,3}):([0-5]\d)\s+(\S.*)$")


def validate_webvtt(value) -> None:
    """A subtitles file must be a UTF-8 WebVTT file with at least one well-timed cue.

    Already stored files are not read again: they were checked when they were uploaded.
    """
    if not value or getattr(value, "_committed", False):
        return
    if Path(value.name).suffix.lower() != ".vtt":
        raise ValidationError(
            _("字幕文件必须是 WebVTT 格式（扩展名 .vtt）。"), code="vtt_extension"
        )
    if value.size > SUBTITLES_MAX_BYTES:
        raise ValidationError(_("字幕文件不能超过 2 MB。"), code="vtt_size")
    value.seek(0)
    raw = value.read()
    value.seek(0)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("字幕文件必须使用 UTF-8 编码保存。"), code="vtt_encoding") from exc
    lines = text.splitlines()
    header = lines[0] if lines else ""
    if not (header == "WEBVTT" or header.startswith(("WEBVTT ", "WEBVTT\t"))):
        raise ValidationError(
            _("字幕文件不是有效的 WebVTT：第一行必须是“WEBVTT”。"), code="vtt_header"
        )
    cues = 0
    for number, line in enumerate(lines, start=1):
        if "-->" not in line:
            continue
        if not _VTT_TIMING.match(line.strip()):
            raise ValidationError(
                _("字幕文件第 %(line)s 行的时间格式不对，应为“00:01:02.500 --> 00:01:05.000”。")
                % {"line": number},
                code="vtt_timing",
            )
        cues += 1
    if cues == 0:
        raise ValidationError(_("字幕文件里没有任何字幕条目。"), code="vtt_empty")


def validate_chapters(value) -> None:
    """Chapters are a list of ``{"start": seconds, "title": text}``, in increasing order."""
    if not isinstance(value, list):
        raise ValidationError(_("章节必须是列表。"), code="chapters_type")
    previous = -1.0
    for index, chapter in enumerate(value, start=1):
        if (
            not isinstance(chapter, dict)
            or set(chapter) != {"start", "title"}
            or not isinstance(chapter["start"], int | float)
            or isinstance(chapter["start"], bool)
            or not isinstance(chapter["title"], str)
            or not chapter["title"].strip()
            or len(chapter["title"]) > CHAPTER_TITLE_MAX_LENGTH
        ):
            raise ValidationError(
                _("第 %(number)s 个章节应有开始时间（秒）和不超过 100 字的标题。")
                % {"number": index},
                code="chapters_item",
            )
        if chapter["start"] < 0 or chapter["start"] <= previous:
            raise ValidationError(
                _("章节的开始时间必须从前到后递增（第 %(number)s 个章节）。") % {"number": index},
                code="chapters_order",
            )
        previous = chapter["start"]


def parse_chapter_lines(text: str) -> list[dict]:
    """Parse lines such as ``05:30 产代寿政策要点`` or ``1:02:03 答疑`` into chapters."""
    chapters = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = _CHAPTER_LINE.match(line)
        if match is None:
            raise ValidationError(
                _("第 %(line)s 行格式不对，应为“分:秒 标题”，例如“05:30 产代寿政策要点”。")
                % {"line": number},
                code="chapters_line",
            )
        hours, minutes, seconds, title = match.groups()
        start = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
        chapters.append({"start": start, "title": title.strip()})
    validate_chapters(chapters)
    return chapters


def format_seconds(seconds: float) -> str:
    """``330`` → ``05:30``; ``3723`` → ``1:02:03``."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def chapters_as_lines(chapters: list[dict]) -> str:
    return "\n".join(f"{format_seconds(c['start'])} {c['title']}" for c in chapters)
