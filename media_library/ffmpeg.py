"""Every call to ffprobe and ffmpeg goes through this module.

The binaries come from the settings ``FFPROBE_BINARY`` and ``FFMPEG_BINARY`` (a name looked up on
PATH, or a full path). Each call has a timeout; a missing binary raises ``FfmpegMissing`` and a
failed run raises ``FfmpegError`` carrying a Chinese summary and the raw tail of stderr, so that a
caller can show the one and keep the other for whoever debugs it.
"""

import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

# Containers and codecs every browser we target (phones included) plays without help.
MP4_FAMILY = "mov,mp4,m4a,3gp,3g2,mj2"
WEB_VIDEO_CODECS = {"h264"}
WEB_VIDEO_PIXEL_FORMATS = {"yuv420p", "yuvj420p"}
WEB_AUDIO_CODECS_IN_MP4 = {"aac", "mp3"}
STDERR_TAIL_LINES = 15


class FfmpegMissing(Exception):
    """ffmpeg or ffprobe is not installed (or the setting points at nothing)."""

    def __init__(self, binary: str, setting: str):
        self.binary = binary
        self.setting = setting
        super().__init__(
            _("找不到 %(binary)s（设置项 %(setting)s），无法处理音视频。")
            % {"binary": binary, "setting": setting}
        )


class FfmpegError(Exception):
    """A run of ffmpeg/ffprobe failed; ``summary`` is for people, ``stderr_tail`` for debugging."""

    def __init__(self, summary: str, stderr_tail: str = ""):
        self.summary = summary
        self.stderr_tail = stderr_tail
        super().__init__(summary)


class FfmpegTimeout(FfmpegError):
    """The run took longer than its time limit and was killed."""


@dataclass(frozen=True)
class ProbeResult:
    """What ffprobe says about a file, reduced to what the media library stores and decides on."""

    format_name: str
    duration: float
    video_codec: str = ""
    audio_codec: str = ""
    pixel_format: str = ""
    width: int | None = None
    height: int | None = None
    stream_types: tuple[str, ...] = field(default_factory=tuple)

    @property
    def has_video(self) -> bool:
        return bool(self.video_codec)

    @property
    def has_audio(self) -> bool:
        return bool(self.audio_codec)

    @property
    def is_mp4(self) -> bool:
        return self.format_name == MP4_FAMILY

    def is_web_playable(self, media_type: str) -> bool:
        """True when browsers can play the file as it is, so no transcode is needed."""
        if media_type == "video":
            return (
                self.is_mp4
                and self.video_codec in WEB_VIDEO_CODECS
                and self.pixel_format in WEB_VIDEO_PIXEL_FORMATS
                and (not self.has_audio or self.audio_codec in WEB_AUDIO_CODECS_IN_MP4)
            )
        if self.has_video:
            return False
        return (self.format_name == "mp3" and self.audio_codec == "mp3") or (
            self.is_mp4 and self.audio_codec == "aac"
        )


def binary(kind: str) -> str:
    """The full path of ``ffmpeg`` or ``ffprobe`` as configured; ``FfmpegMissing`` if absent."""
    setting = f"{kind.upper()}_BINARY"
    configured = getattr(settings, setting, kind)
    found = shutil.which(configured)
    if found is None:
        raise FfmpegMissing(configured, setting)
    return found


def probe(path: Path, *, timeout: float = 60) -> ProbeResult:
    """Read container, codecs, duration and picture size. ``FfmpegError`` when it is not media."""
    completed = _run(
        [
            binary("ffprobe"),
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            str(path),
        ],
        timeout=timeout,
    )
    try:
        data = json.loads(completed.stdout or "{}")
    except json.JSONDecodeError as exc:
        raise FfmpegError(_("ffprobe 的输出无法解析"), completed.stderr) from exc
    streams = data.get("streams", [])
    fmt = data.get("format", {})
    video = _first_stream(streams, "video")
    audio = _first_stream(streams, "audio")
    width = height = None
    if video is not None:
        width, height = video.get("width"), video.get("height")
        if width and height and _rotation(video) in (90, 270):
            width, height = height, width
    return ProbeResult(
        format_name=fmt.get("format_name", ""),
        duration=_duration(fmt, streams),
        video_codec=video.get("codec_name", "") if video else "",
        audio_codec=audio.get("codec_name", "") if audio else "",
        pixel_format=video.get("pix_fmt", "") if video else "",
        width=width,
        height=height,
        stream_types=tuple(s.get("codec_type", "") for s in streams),
    )


def check_tail_decodes(path: Path, *, duration: float, timeout: float = 60) -> None:
    """Decode the last seconds of the file; ``FfmpegError`` when they are missing or corrupt.

    ffprobe only reads headers, so a file cut short after its index (an interrupted copy of an
    MP4 with the index in front, an AVI) still probes fine. Decoding the tail catches it without
    reading the whole file. A run that times out (a file that cannot seek) proves nothing and
    is let through; the transcode would report it later.
    """
    tail_seconds = 3.0
    start = max(0.0, duration - tail_seconds)
    try:
        _run(
            [
                binary("ffmpeg"),
                "-nostdin",
                "-hide_banner",
                "-v",
                "error",
                "-xerror",
                "-ss",
                f"{start:.3f}",
                "-i",
                str(path),
                "-t",
                f"{tail_seconds:.0f}",
                "-map",
                "0:v:0?",
                "-map",
                "0:a:0?",
                "-f",
                "null",
                "-",
            ],
            timeout=timeout,
        )
    except FfmpegTimeout:
        return


def make_poster(source: Path, target: Path, *, at_seconds: float, timeout: float = 120) -> None:
    """Write one JPEG frame taken at ``at_seconds`` (at most 1280 pixels wide)."""
    _run(
        [
            binary("ffmpeg"),
            "-nostdin",
            "-hide_banner",
            "-v",
            "error",
            "-y",
            "-ss",
            f"{at_seconds:.3f}",
            "-i",
            str(source),
            "-frames:v",
            "1",
            "-vf",
            "scale='min(1280,iw)':-2",
            "-q:v",
            "3",
            "-f",
            "image2",
            str(target),
        ],
        timeout=timeout,
    )
    if not target.exists() or target.stat().st_size == 0:
        raise FfmpegError(_("没有取到画面（文件中可能没有可解码的视频帧）"))


def transcode(source: Path, target: Path, *, media_type: str, timeout: float) -> None:
    """Convert to what every browser plays: H.264/AAC MP4, or AAC in .m4a for audio.

    ``-movflags +faststart`` puts the index in front, so playback and seeking start before the
    whole file has arrived.
    """
    if media_type == "video":
        codec_args = [
            "-map",
            "0:v:0",
            "-map",
            "0:a:0?",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "23",
            "-pix_fmt",
            "yuv420p",
            # H.264 in 4:2:0 needs even dimensions; old discs are often 720x576 anamorphic.
            "-vf",
            "scale=trunc(iw*sar/2)*2:trunc(ih/2)*2,setsar=1",
            "-c:a",
            "aac",
            "-b:a",
            "128k",
        ]
    else:
        codec_args = ["-map", "0:a:0", "-vn", "-c:a", "aac", "-b:a", "96k"]
    _run(
        [
            binary("ffmpeg"),
            "-nostdin",
            "-hide_banner",
            "-v",
            "error",
            "-y",
            "-i",
            str(source),
            *codec_args,
            "-movflags",
            "+faststart",
            "-f",
            "mp4",
            str(target),
        ],
        timeout=timeout,
    )


def _run(args: list[str], *, timeout: float) -> subprocess.CompletedProcess:
    try:
        completed = subprocess.run(
            args, capture_output=True, text=True, errors="replace", timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        stderr = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else ""
        raise FfmpegTimeout(
            _("处理超过了 %(seconds)s 秒的时限") % {"seconds": f"{timeout:g}"}, _tail(stderr)
        ) from exc
    except OSError as exc:
        raise FfmpegError(
            _("无法启动 %(program)s：%(error)s") % {"program": args[0], "error": exc}
        ) from exc
    if completed.returncode != 0:
        raise FfmpegError(
            summarize(completed.stderr, completed.returncode), _tail(completed.stderr)
        )
    return completed


# Known ffmpeg complaints and what they mean for the person who uploaded the file.
_CAUSES = [
    (
        re.compile(
            r"Invalid data found|corrupt|partial file|moov atom not found|Invalid NAL|"
            r"error while decoding|Error splitting the input",
            re.IGNORECASE,
        ),
        lambda: _("源文件数据损坏或不完整，无法解码"),
    ),
    (re.compile(r"No space left on device", re.IGNORECASE), lambda: _("服务器磁盘空间不足")),
    (
        re.compile(r"Unknown encoder|Encoder not found|Decoder .* not found", re.IGNORECASE),
        lambda: _("服务器上的 ffmpeg 缺少所需的编解码器"),
    ),
    (re.compile(r"Permission denied", re.IGNORECASE), lambda: _("没有读写文件的权限")),
    (
        re.compile(r"does not contain any stream|Stream map .* matches no streams", re.IGNORECASE),
        lambda: _("源文件中没有可以转换的音视频流"),
    ),
]


def summarize(stderr: str, returncode: int) -> str:
    """A short Chinese cause for a failed run, from the last lines of its stderr."""
    tail = _tail(stderr)
    for pattern, cause in _CAUSES:
        if pattern.search(tail):
            return cause()
    return _("ffmpeg 运行出错（退出码 %(code)s）") % {"code": returncode}


def _tail(stderr: str) -> str:
    return "\n".join(stderr.strip().splitlines()[-STDERR_TAIL_LINES:])


def _first_stream(streams: list[dict], codec_type: str) -> dict | None:
    for stream in streams:
        if stream.get("codec_type") != codec_type:
            continue
        # Cover art in an MP3 or M4A shows up as a one-frame video stream; it is not video.
        if stream.get("disposition", {}).get("attached_pic"):
            continue
        return stream
    return None


def _duration(fmt: dict, streams: list[dict]) -> float:
    for value in [fmt.get("duration"), *(s.get("duration") for s in streams)]:
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            continue
        if seconds > 0:
            return seconds
    return 0.0


def _rotation(video: dict) -> int:
    for side_data in video.get("side_data_list", []):
        if "rotation" in side_data:
            return abs(int(side_data["rotation"])) % 360
    rotate = video.get("tags", {}).get("rotate")
    return abs(int(rotate)) % 360 if rotate and rotate.lstrip("-").isdigit() else 0
