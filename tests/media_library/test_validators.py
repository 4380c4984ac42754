import pytest
from django.core.exceptions import ValidationError

from media_library.validators import (
    chapters_as_lines,
    format_seconds,
    parse_chapter_lines,
    validate_chapters,
)


def test_chapter_lines_round_trip():
    text = "00:00 开场\n05:30 产代寿政策要点\n1:02:03 答疑"
    chapters = parse_chapter_lines(text)
    assert chapters == [
        {"start": 0, "title": "开场"},
        {"start": 330, "title": "产代寿政策要点"},
        {"start": 3723, "title": "答疑"},
    ]
    assert chapters_as_lines(chapters) == text


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"start": 0}, "章节必须是列表。"),
        ([{"start": "0", "title": "开场"}], "第 1 个章节应有开始时间（秒）和不超过 100 字的标题。"),
        ([{"start": 0, "title": " "}], "第 1 个章节应有开始时间（秒）和不超过 100 字的标题。"),
        (
            [{"start": 5, "title": "a"}, {"start": 5, "title": "b"}],
            "章节的开始时间必须从前到后递增（第 2 个章节）。",
        ),
    ],
)
def test_bad_chapters(value, message):
    with pytest.raises(ValidationError) as error:
        validate_chapters(value)
    assert error.value.messages == [message]


def test_format_seconds():
    assert [format_seconds(s) for s in (0, 59.9, 330, 3723)] == [
        "00:00",
        "00:59",
        "05:30",
        "1:02:03",
    ]
