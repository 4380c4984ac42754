"""A real 100-second clip made once per session with ffmpeg, a fresh MEDIA_ROOT, the sections."""

import subprocess
from pathlib import Path

import pytest

from courses.models import CourseIndexPage, MorningMeetingIndexPage
from organization.models import Role

CLIP_SECONDS = 100


@pytest.fixture(scope="session")
def clip(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("clips") / "lecture.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc=size=64x48:rate=1:duration={CLIP_SECONDS}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:sample_rate=8000:duration={CLIP_SECONDS}",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            "16k",
            "-movflags",
            "+faststart",
            str(path),
        ],
        check=True,
        timeout=120,
    )
    return path


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def catalogue(db) -> CourseIndexPage:
    return CourseIndexPage.objects.get()


@pytest.fixture
def meetings_index(db) -> MorningMeetingIndexPage:
    return MorningMeetingIndexPage.objects.get()


@pytest.fixture
def p_lecturer(tree, person_factory):
    return person_factory(tree["PGZ"], Role.LECTURER, name="财险讲师")


@pytest.fixture
def l_lecturer(tree, person_factory):
    return person_factory(tree["LGZ"], Role.LECTURER, name="寿险讲师")


@pytest.fixture
def p_agent(tree, person_factory):
    return person_factory(tree["PGZ0101"], Role.AGENT, name="财险业务员")
