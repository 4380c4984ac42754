import json
import struct
import subprocess

import pytest

from media_library import ffmpeg


def top_level_atoms(path) -> list[str]:
    """The order of an MP4's top-level boxes (faststart: moov before mdat)."""
    atoms, data, offset = [], path.read_bytes(), 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        atoms.append(kind.decode("latin-1"))
        if size < 8:
            break
        offset += size
    return atoms


def ffprobe_codecs(path) -> list[str]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [stream["codec_name"] for stream in json.loads(out)["streams"]]


def test_probe_reads_codecs_duration_and_size_of_an_h264_mp4(clips):
    result = ffmpeg.probe(clips.h264)
    assert result.format_name == ffmpeg.MP4_FAMILY
    assert (result.video_codec, result.audio_codec) == ("h264", "aac")
    assert (result.width, result.height) == (160, 120)
    assert result.duration == pytest.approx(2.0, abs=0.1)
    assert result.is_web_playable("video")


def test_mpeg4_avi_is_not_web_playable(clips):
    result = ffmpeg.probe(clips.avi)
    assert (result.format_name, result.video_codec, result.audio_codec) == ("avi", "mpeg4", "mp3")
    assert not result.is_web_playable("video")


def test_mp3_is_web_playable_audio_and_wav_is_not(clips):
    assert ffmpeg.probe(clips.mp3).is_web_playable("audio")
    wav = ffmpeg.probe(clips.wav)
    assert (wav.audio_codec, wav.has_video) == ("pcm_s16le", False)
    assert not wav.is_web_playable("audio")


def test_probe_of_a_file_that_is_not_media_raises(clips):
    with pytest.raises(ffmpeg.FfmpegError) as error:
        ffmpeg.probe(clips.exe)
    assert error.value.summary == "源文件数据损坏或不完整，无法解码"
    assert "Invalid data found" in error.value.stderr_tail


def test_tail_check_catches_a_file_cut_in_half_that_still_probes(clips):
    result = ffmpeg.probe(clips.truncated)  # the index is in front, so the headers still read
    assert result.duration == pytest.approx(2.0, abs=0.1)
    with pytest.raises(ffmpeg.FfmpegError):
        ffmpeg.check_tail_decodes(clips.truncated, duration=result.duration)
    ffmpeg.check_tail_decodes(clips.h264, duration=2.0)


def test_transcode_avi_gives_h264_aac_mp4_with_the_index_first(clips, tmp_path):
    target = tmp_path / "web.mp4"
    ffmpeg.transcode(clips.avi, target, media_type="video", timeout=60)
    assert ffprobe_codecs(target) == ["h264", "aac"]
    atoms = top_level_atoms(target)
    assert atoms.index("moov") < atoms.index("mdat")
    assert ffmpeg.probe(target).is_web_playable("video")


def test_transcode_wav_gives_aac_m4a(clips, tmp_path):
    target = tmp_path / "web.m4a"
    ffmpeg.transcode(clips.wav, target, media_type="audio", timeout=60)
    assert ffprobe_codecs(target) == ["aac"]
    assert ffmpeg.probe(target).is_web_playable("audio")


def test_poster_is_a_jpeg_frame(clips, tmp_path):
    target = tmp_path / "poster.jpg"
    ffmpeg.make_poster(clips.h264, target, at_seconds=0.2)
    assert target.read_bytes()[:3] == b"\xff\xd8\xff"
    assert ffprobe_codecs(target) == ["mjpeg"]


def test_a_run_over_its_time_limit_is_killed_with_a_clear_reason(clips, tmp_path):
    with pytest.raises(ffmpeg.FfmpegError) as error:
        ffmpeg.transcode(clips.avi, tmp_path / "web.mp4", media_type="video", timeout=0.001)
    assert error.value.summary == "处理超过了 0.001 秒的时限"


def test_missing_binary_raises_ffmpeg_missing(settings, clips):
    settings.FFPROBE_BINARY = "/nonexistent/ffprobe"
    with pytest.raises(ffmpeg.FfmpegMissing) as error:
        ffmpeg.probe(clips.h264)
    assert (
        str(error.value) == "找不到 /nonexistent/ffprobe（设置项 FFPROBE_BINARY），无法处理音视频。"
    )


def test_summary_of_an_unknown_failure_names_the_exit_code():
    assert ffmpeg.summarize("something odd\n", 3) == "ffmpeg 运行出错（退出码 3）"
