import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from media_library.checks import ffmpeg_installed


def test_no_error_when_ffmpeg_is_installed():
    assert ffmpeg_installed(None) == []


def test_missing_ffmpeg_is_a_clear_error(settings):
    settings.FFMPEG_BINARY = "/nonexistent/ffmpeg"
    [error] = ffmpeg_installed(None)
    assert error.id == "media_library.E001"
    assert error.msg == "找不到 /nonexistent/ffmpeg（设置项 FFMPEG_BINARY），无法处理音视频。"
    assert error.hint == (
        "媒体库用 ffmpeg 探测、截取封面和转码音视频。请安装：apt-get install ffmpeg；"
        "或把设置项 FFMPEG_BINARY 设为 ffmpeg 可执行文件的完整路径。"
    )


def test_manage_py_check_fails_with_the_message(settings):
    settings.FFPROBE_BINARY = "not-installed-ffprobe"
    with pytest.raises(SystemCheckError) as error:
        call_command("check")
    assert "media_library.E002" in str(error.value)
    assert "找不到 not-installed-ffprobe（设置项 FFPROBE_BINARY）" in str(error.value)
