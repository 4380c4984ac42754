"""Uploading through the admin as a lecturer (clips and MEDIA_ROOT: tests/conftest.py)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import Collection

from organization.models import Role


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
