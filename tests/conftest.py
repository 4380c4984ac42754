"""Fixtures every test folder shares: the org tree and people, logins, real media clips made with
ffmpeg, and a fresh MEDIA_ROOT for each test."""

import subprocess
from functools import cached_property
from pathlib import Path

import pytest

from tests.organization.factories import build_tree, make_person

LECTURE_SECONDS = 100
_VIDEO = ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=15:duration=2"]
_AUDIO = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=22050:duration=2"]
_H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"]
# The first bytes of a Windows program, renamed to look like a video.
WINDOWS_EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 44
    + b"This program cannot be run in DOS mode.\r\r\n$"
    + bytes(range(256)) * 8
)


def _ffmpeg(*args) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True, timeout=120)


class Clips:
    """Real clips in one folder, each made with ffmpeg the first time a test asks for it (a few
    kilobytes each): a test run pays only for the clips its tests use."""

    def __init__(self, folder: Path):
        self.folder = folder

    @cached_property
    def h264(self) -> Path:
        """2 s, 160×120, H.264 + AAC, faststart: plays in a browser as it is."""
        path = self.folder / "h264.mp4"
        _ffmpeg(*_VIDEO, *_AUDIO, *_H264, "-b:a", "32k", "-movflags", "+faststart", str(path))
        return path

    @cached_property
    def lecture(self) -> Path:
        """``LECTURE_SECONDS`` long (one frame a second, 64×48), for watched shares and seeking."""
        path = self.folder / "lecture.mp4"
        seconds = LECTURE_SECONDS
        video = ["-f", "lavfi", "-i", f"testsrc=size=64x48:rate=1:duration={seconds}"]
        audio = ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=8000:duration={seconds}"]
        _ffmpeg(*video, *audio, *_H264, "-b:a", "16k", "-movflags", "+faststart", str(path))
        return path

    @cached_property
    def avi(self) -> Path:
        """MPEG-4 Part 2 + MP3 in AVI: has to be transcoded."""
        path = self.folder / "old.avi"
        _ffmpeg(*_VIDEO, *_AUDIO, "-c:v", "mpeg4", "-c:a", "mp3", str(path))
        return path

    @cached_property
    def wav(self) -> Path:
        path = self.folder / "lecture.wav"
        _ffmpeg(*_AUDIO, str(path))
        return path

    @cached_property
    def mp3(self) -> Path:
        path = self.folder / "lecture.mp3"
        _ffmpeg(*_AUDIO, "-c:a", "libmp3lame", "-b:a", "32k", str(path))
        return path

    @cached_property
    def truncated(self) -> Path:
        """The first half of ``h264``: the index is in front, so it probes but does not decode."""
        path = self.folder / "truncated.mp4"
        data = self.h264.read_bytes()
        path.write_bytes(data[: len(data) // 2])
        return path

    @cached_property
    def exe(self) -> Path:
        path = self.folder / "setup.mp4"
        path.write_bytes(WINDOWS_EXE)
        return path

    @cached_property
    def text(self) -> Path:
        path = self.folder / "notes.mp4"
        path.write_text("产代寿培训课程安排\n第一课：交叉销售政策\n" * 40, encoding="utf-8")
        return path


@pytest.fixture(scope="session")
def clips(tmp_path_factory) -> Clips:
    return Clips(tmp_path_factory.mktemp("clips"))


@pytest.fixture(scope="session")
def clip(clips) -> Path:
    """The ``LECTURE_SECONDS`` lecture clip."""
    return clips.lecture


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    """Every test stores media in its own empty folder (live servers too: settings are global)."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def tree(db):
    """The demo-shaped org tree: three companies, each 广东 → 广州/深圳 → county → outlet."""
    return build_tree()


@pytest.fixture
def person_factory(db):
    return make_person


@pytest.fixture
def login(client):
    """Log ``person`` in on the test client and return the client."""

    def _login(person):
        client.force_login(person.user)
        return client

    return _login
