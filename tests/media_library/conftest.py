"""Real clips made once per session with ffmpeg (a few kilobytes each), and a fresh MEDIA_ROOT."""

import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import Collection

from organization.models import Role

LAVFI_VIDEO = ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=15:duration=2"]
LAVFI_AUDIO = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=22050:duration=2"]
# The first bytes of a Windows program, renamed to look like a video.
WINDOWS_EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 44
    + b"This program cannot be run in DOS mode.\r\r\n$"
    + bytes(range(256)) * 8
)


def _ffmpeg(*args):
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True, timeout=60)


@pytest.fixture(scope="session")
def clips(tmp_path_factory) -> SimpleNamespace:
    folder = tmp_path_factory.mktemp("clips")
    h264 = folder / "h264.mp4"
    _ffmpeg(
        *LAVFI_VIDEO,
        *LAVFI_AUDIO,
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-b:a",
        "32k",
        "-movflags",
        "+faststart",
        str(h264),
    )
    avi = folder / "old.avi"
    _ffmpeg(*LAVFI_VIDEO, *LAVFI_AUDIO, "-c:v", "mpeg4", "-c:a", "mp3", str(avi))
    wav = folder / "lecture.wav"
    _ffmpeg(*LAVFI_AUDIO, str(wav))
    mp3 = folder / "lecture.mp3"
    _ffmpeg(*LAVFI_AUDIO, "-c:a", "libmp3lame", "-b:a", "32k", str(mp3))
    truncated = folder / "truncated.mp4"
    data = h264.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    exe = folder / "setup.mp4"
    exe.write_bytes(WINDOWS_EXE)
    text = folder / "notes.mp4"
    text.write_text("产代寿培训课程安排\n第一课：交叉销售政策\n" * 40, encoding="utf-8")
    return SimpleNamespace(
        h264=h264, avi=avi, wav=wav, mp3=mp3, truncated=truncated, exe=exe, text=text
    )


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def stored_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


@pytest.fixture
def lecturer(tree, person_factory):
    return person_factory(tree["PGZ"], Role.LECTURER)


@pytest.fixture
def agent(tree, person_factory):
    return person_factory(tree["PGZ0101"], Role.AGENT)


@pytest.fixture
def admin_upload(client, lecturer, django_capture_on_commit_callbacks):
    """Post a file to wagtailmedia's add view as a lecturer, running on-commit work (the task)."""

    def _upload(path: Path, media_type: str = "video", name: str | None = None, **fields):
        client.force_login(lecturer.user)
        data = {
            "title": fields.pop("title", "测试课程"),
            "kind": fields.pop(
                "kind", "lecture_disc" if media_type == "video" else "lecture_recording"
            ),
            "file": upload(path, name),
            "collection": Collection.get_first_root_node().pk,
            "tags": "",
            "chapters": "",
            **fields,
        }
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("wagtailmedia:add", args=[media_type]), data)

    return _upload
