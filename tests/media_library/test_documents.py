"""Training documents (统一培训教材): whitelist, size limit, content check, and who may download."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail import hooks

from media_library.models import DocumentKind, TrainingDocument
from media_library.rules import VIEW_HOOK
from tests.conftest import WINDOWS_EXE

from .conftest import stored_files

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


@pytest.fixture
def upload_document(client, lecturer):
    def _upload(name: str, content: bytes, kind: str = DocumentKind.UNIFIED_MATERIAL):
        client.force_login(lecturer.user)
        return client.post(
            reverse("wagtaildocs:add"),
            {
                "title": "产代寿统一培训教材",
                "file": SimpleUploadedFile(name, content),
                "kind": kind,
                "tags": "",
            },
        )

    return _upload


@pytest.mark.parametrize(("name", "content"), [("教材.pdf", PDF), ("讲义.docx", docx_bytes())])
def test_lecturer_uploads_a_training_document(upload_document, media_root, name, content):
    response = upload_document(name, content)
    assert response.status_code == 302
    document = TrainingDocument.objects.get()
    assert (document.kind, document.file_size) == ("unified_material", len(content))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "setup.exe",
            WINDOWS_EXE,
            "不支持“.exe”格式的文档。可以上传：pdf、doc、docx、ppt、pptx、xls、xlsx。",
        ),
        ("教材.pdf", WINDOWS_EXE, "“教材.pdf”的内容与扩展名不符，不是有效的 .pdf 文档。"),
        ("讲义.pptx", PDF, "“讲义.pptx”的内容与扩展名不符，不是有效的 .pptx 文档。"),
        ("教材.pdf", b"", "所提交的是空文件。"),
    ],
)
def test_bad_document_is_refused_and_nothing_saved(
    upload_document, media_root, name, content, message
):
    response = upload_document(name, content)
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [message]
    assert not TrainingDocument.objects.exists()
    assert stored_files(media_root) == []


def test_document_over_the_size_limit_is_refused(upload_document, media_root, settings):
    settings.DOCUMENT_UPLOAD_MAX_BYTES = 20
    response = upload_document("教材.pdf", PDF)
    assert response.context["form"].errors["file"] == [
        f"文件大小 {len(PDF)}\xa0字节 超过了上限 20\xa0字节。"
    ]
    assert stored_files(media_root) == []


@pytest.fixture
def document(upload_document):
    upload_document("教材.pdf", PDF)
    return TrainingDocument.objects.get()


def test_agent_may_download_only_what_the_hook_allows(client, agent, document):
    client.force_login(agent.user)
    assert client.get(document.url).status_code == 404
    with hooks.register_temporarily(VIEW_HOOK, lambda user, item: item == document):
        response = client.get(document.url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF


def test_editor_downloads_and_anonymous_is_sent_to_login(client, document):
    assert client.get(document.url).status_code == 200  # the uploading lecturer
    client.logout()
    assert client.get(document.url).status_code == 302


def test_multiple_upload_checks_each_file_too(client, lecturer, media_root):
    client.force_login(lecturer.user)
    url = reverse("wagtaildocs:add_multiple")
    good = client.post(url, {"files[]": SimpleUploadedFile("教材.pdf", PDF)}).json()
    assert good["success"] is True
    assert TrainingDocument.objects.get().kind == DocumentKind.UNIFIED_MATERIAL
    bad = client.post(url, {"files[]": SimpleUploadedFile("教材.pdf", WINDOWS_EXE)}).json()
    assert bad == {
        "success": False,
        "error_message": "“教材.pdf”的内容与扩展名不符，不是有效的 .pdf 文档。",
    }
    assert TrainingDocument.objects.count() == 1
