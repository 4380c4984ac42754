"""Range serving (206/416/200) to people allowed to see a media item, and 404 to the rest."""

from urllib.parse import quote

import pytest
from django.core.files import File
from django.core.files.storage import Storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail import hooks

from media_library.models import MediaKind
from media_library.rules import VIEW_HOOK
from media_library.services import media_create


class ObjectStorage(Storage):
    """Like S3: files have (signed) URLs but no local path."""

    def url(self, name):
        return f"https://bucket.example.com/{name}?X-Amz-Signature=abc"


@pytest.fixture
def video(db, clips, lecturer, django_capture_on_commit_callbacks):
    vtt = SimpleUploadedFile("zh.vtt", "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n开场\n".encode())
    with django_capture_on_commit_callbacks(execute=True), clips.h264.open("rb") as handle:
        media = media_create(
            title="产代寿政策解读",
            file=File(handle, name="policy.mp4"),
            media_type="video",
            kind=MediaKind.LECTURE_DISC,
            uploaded_by=lecturer.user,
            subtitles=vtt,
        )
    media.refresh_from_db()
    return media


@pytest.fixture
def play_url(video):
    return reverse("media_library:play", args=[video.pk])


@pytest.fixture
def data(clips):
    return clips.h264.read_bytes()


@pytest.fixture
def editor(client, lecturer):
    client.force_login(lecturer.user)
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_first_hundred_bytes(editor, play_url, data):
    response = editor.get(play_url, HTTP_RANGE="bytes=0-99")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 0-99/{len(data)}"
    assert response["Content-Length"] == "100"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4"
    assert body(response) == data[:100]


def test_open_ended_range(editor, play_url, data):
    response = editor.get(play_url, HTTP_RANGE="bytes=100-")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-{len(data) - 1}/{len(data)}"
    assert body(response) == data[100:]


def test_suffix_range(editor, play_url, data):
    response = editor.get(play_url, HTTP_RANGE="bytes=-50")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {len(data) - 50}-{len(data) - 1}/{len(data)}"
    assert body(response) == data[-50:]


def test_range_past_the_end_is_clipped(editor, play_url, data):
    response = editor.get(play_url, HTTP_RANGE=f"bytes=10-{len(data) + 1000}")
    assert response.status_code == 206
    assert body(response) == data[10:]


@pytest.mark.parametrize("header", ["bytes={size}-", "bytes={size}-{end}", "bytes=-0"])
def test_unsatisfiable_range(editor, play_url, data, header):
    size = len(data)
    response = editor.get(play_url, HTTP_RANGE=header.format(size=size, end=size + 10))
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"


@pytest.mark.parametrize("header", [None, "bytes=0-10,20-30", "items=0-5", "bytes=9-2"])
def test_without_a_usable_range_the_whole_file_is_sent(editor, play_url, data, header):
    extra = {"HTTP_RANGE": header} if header else {}
    response = editor.get(play_url, **extra)
    assert response.status_code == 200
    assert response["Content-Length"] == str(len(data))
    assert response["Accept-Ranges"] == "bytes"
    assert body(response) == data


def test_if_range_with_a_stale_etag_sends_the_whole_file(editor, play_url, data):
    etag = editor.get(play_url, HTTP_RANGE="bytes=0-0")["ETag"]
    assert editor.get(play_url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=etag).status_code == 206
    response = editor.get(play_url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"stale"')
    assert response.status_code == 200


def test_conditional_get_answers_not_modified(editor, play_url):
    etag = editor.get(play_url)["ETag"]
    assert editor.get(play_url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_head_sends_headers_only(editor, play_url, data):
    response = editor.head(play_url, HTTP_RANGE="bytes=0-99")
    assert response.status_code == 206
    assert response["Content-Length"] == "100"
    assert response.content == b""


def test_anonymous_is_sent_to_login(client, play_url):
    response = client.get(play_url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_agent_without_permission_gets_404(client, agent, video):
    client.force_login(agent.user)
    for name in ("play", "poster", "subtitles", "original"):
        assert client.get(reverse(f"media_library:{name}", args=[video.pk])).status_code == 404


def test_hook_lets_an_agent_watch_but_not_download_the_original(client, agent, video, data):
    client.force_login(agent.user)
    seen = []

    def allow(user, item):
        seen.append((user, item))
        return True

    with hooks.register_temporarily(VIEW_HOOK, allow):
        response = client.get(
            reverse("media_library:play", args=[video.pk]), HTTP_RANGE="bytes=0-9"
        )
        assert response.status_code == 206 and body(response) == data[:10]
        poster = client.get(reverse("media_library:poster", args=[video.pk]))
        assert (poster.status_code, poster["Content-Type"]) == (200, "image/jpeg")
        subtitles = client.get(reverse("media_library:subtitles", args=[video.pk]))
        assert subtitles["Content-Type"] == "text/vtt; charset=utf-8"
        assert body(subtitles).startswith(b"WEBVTT")
        assert client.get(reverse("media_library:original", args=[video.pk])).status_code == 404
    assert seen[0] == (agent.user, video)


def test_hook_that_says_no_gives_404(client, agent, play_url):
    client.force_login(agent.user)
    with hooks.register_temporarily(VIEW_HOOK, lambda user, item: False):
        assert client.get(play_url).status_code == 404


def test_media_not_yet_processed_is_not_served(editor, video, play_url):
    video.status = "processing"
    video.save(update_fields=["status"])
    assert editor.get(play_url).status_code == 404


def test_editor_downloads_the_original(editor, video, data):
    response = editor.get(reverse("media_library:original", args=[video.pk]))
    assert response.status_code == 200 and body(response) == data
    filename = quote("产代寿政策解读.mp4")
    assert response["Content-Disposition"] == f"inline; filename*=UTF-8''{filename}"


def test_serving_takes_a_fixed_number_of_queries(editor, play_url, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):
        assert editor.get(play_url, HTTP_RANGE="bytes=0-99").status_code == 206


def test_object_storage_redirects_to_the_storage_url(editor, video, play_url, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.media_library.test_serving.ObjectStorage"},
    }
    response = editor.get(play_url)
    assert (response.status_code, response.url) == (
        302,
        "https://bucket.example.com/media/policy.mp4?X-Amz-Signature=abc",
    )


class TestMediaUrl:
    """Files under MEDIA_URL: Wagtail images for anyone logged in; nothing else leaks."""

    def test_images_are_served_to_any_logged_in_user(self, client, agent, media_root):
        (media_root / "images").mkdir()
        (media_root / "images" / "cover.fill-100x100.jpg").write_bytes(b"\xff\xd8\xff" + b"0" * 200)
        client.force_login(agent.user)
        response = client.get("/media/images/cover.fill-100x100.jpg", HTTP_RANGE="bytes=0-2")
        assert (response.status_code, body(response)) == (206, b"\xff\xd8\xff")

    def test_anonymous_is_sent_to_login(self, client, media_root):
        assert client.get("/media/images/cover.jpg").status_code == 302

    def test_media_files_are_never_served_through_media_url(self, editor, video):
        assert editor.get(f"/media/{video.file.name}").status_code == 404
        assert editor.get(f"/media/images/../{video.file.name}").status_code == 404

    def test_poster_follows_its_media_permission(self, client, agent, video):
        client.force_login(agent.user)
        url = f"/media/{video.thumbnail.name}"
        assert client.get(url).status_code == 404
        with hooks.register_temporarily(VIEW_HOOK, lambda user, item: True):
            assert client.get(url).status_code == 200

    def test_missing_image_is_404(self, client, agent):
        client.force_login(agent.user)
        assert client.get("/media/images/nothing.jpg").status_code == 404
