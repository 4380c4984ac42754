"""Real demo clips for the demo site, made with ffmpeg and uploaded through ``media_create``."""

import subprocess
import tempfile
from pathlib import Path

from django.core.files import File
from wagtailmedia.models import MediaType

from . import ffmpeg
from .models import MediaKind, TrainingMedia
from .services import media_create

CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
AUDIO_KINDS = {MediaKind.LECTURE_RECORDING}


def generate_demo_clip(
    kind: str, seconds: int, title: str, *, tags: tuple[str, ...] = ("演示",)
) -> TrainingMedia:
    """Make a short clip of ``kind`` and create it as an uploaded media item.

    Video kinds get a test pattern with a tone (and ``title`` drawn on it when the Noto CJK font
    is installed), as an H.264/AAC MP4; a lecture recording gets a tone as an MP3. Both are
    web-playable, so processing only takes the poster frame.
    """
    media_type = MediaType.AUDIO if kind in AUDIO_KINDS else MediaType.VIDEO
    with tempfile.TemporaryDirectory(prefix="demo-media-") as workdir:
        suffix = ".mp3" if media_type == MediaType.AUDIO else ".mp4"
        target = Path(workdir) / f"demo{suffix}"
        if media_type == MediaType.AUDIO:
            _make_audio(target, seconds)
        else:
            _make_video(target, seconds, title, Path(workdir))
        with target.open("rb") as handle:
            return media_create(
                title=title,
                file=File(handle, name=f"{kind}{suffix}"),
                media_type=media_type,
                kind=kind,
                tags=tags,
            )


def _make_video(target: Path, seconds: int, title: str, workdir: Path) -> None:
    filters = "format=yuv420p"
    if CJK_FONT.exists():
        # The title goes through a file so that no character needs filter-graph escaping.
        text_file = workdir / "title.txt"
        text_file.write_text(title, encoding="utf-8")
        filters = (
            f"drawtext=fontfile={CJK_FONT}:textfile={text_file}:fontsize=36:fontcolor=white:"
            "box=1:boxcolor=black@0.6:boxborderw=12:x=(w-text_w)/2:y=h-text_h-40," + filters
        )
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=size=640x360:rate=25:duration={seconds}",
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency=440:sample_rate=44100:duration={seconds}",
        "-vf",
        filters,
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-c:a",
        "aac",
        "-b:a",
        "96k",
        "-shortest",
        "-movflags",
        "+faststart",
        str(target),
    )


def _make_audio(target: Path, seconds: int) -> None:
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency=330:sample_rate=44100:duration={seconds}",
        "-c:a",
        "libmp3lame",
        "-b:a",
        "64k",
        str(target),
    )


def _ffmpeg(*args: str) -> None:
    subprocess.run(
        [ffmpeg.binary("ffmpeg"), "-nostdin", "-v", "error", "-y", *args],
        check=True,
        capture_output=True,
        timeout=120,
    )
