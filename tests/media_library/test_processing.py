"""The background task: failures keep the original and say why; the admin retry action."""

import stat
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files import File
from django.urls import reverse
from django.utils import timezone

from media_library.models import MediaKind, ProcessingStatus, TrainingMedia
from media_library.services import media_create
from organization.models import Role

from .conftest import stored_files

FAILING_FFMPEG = """#!/bin/sh
echo "[mpeg4 @ 0x55fde0a0a0c0] ac-tex damaged at 8 3" >&2
echo "Error while decoding stream #0:0: Invalid data found when processing input" >&2
exit 1
"""
TRANSCODE_FAILED = "转码失败：源文件数据损坏或不完整，无法解码。原文件已保留，可以重试或重新上传。"


@pytest.fixture
def failing_ffmpeg(tmp_path):
    script = tmp_path / "ffmpeg"
    script.write_text(FAILING_FFMPEG)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


@pytest.fixture
def failed_media(db, clips, settings, failing_ffmpeg, django_capture_on_commit_callbacks, lecturer):
    """An .avi that probes fine but whose transcode fails (ffmpeg swapped for a failing script)."""
    with django_capture_on_commit_callbacks() as callbacks, clips.avi.open("rb") as handle:
        media = media_create(
            title="老光盘",
            file=File(handle, name="old.avi"),
            media_type="video",
            kind=MediaKind.LECTURE_DISC,
            uploaded_by=lecturer.user,
        )
    real_ffmpeg = settings.FFMPEG_BINARY
    settings.FFMPEG_BINARY = failing_ffmpeg
    for callback in callbacks:
        callback()
    settings.FFMPEG_BINARY = real_ffmpeg
    media.refresh_from_db()
    return media


def test_failed_transcode_keeps_the_original_and_records_why(failed_media, media_root):
    assert failed_media.status == ProcessingStatus.FAILED
    assert failed_media.failure_reason == TRANSCODE_FAILED
    assert "Invalid data found when processing input" in failed_media.failure_log
    assert not failed_media.web_file and not failed_media.is_playable
    assert stored_files(media_root) == ["media/old.avi"]


def test_edit_page_shows_the_reason_and_a_retry_button(failed_media, client, lecturer):
    client.force_login(lecturer.user)
    content = client.get(reverse("wagtailmedia:edit", args=[failed_media.pk])).content.decode()
    assert "处理失败" in content and TRANSCODE_FAILED in content
    assert reverse("media_library_retry", args=[failed_media.pk]) in content


def test_retry_requeues_and_processes_again(
    failed_media, client, lecturer, media_root, django_capture_on_commit_callbacks
):
    client.force_login(lecturer.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("media_library_retry", args=[failed_media.pk]))
    assert response.status_code == 302
    assert response.url == reverse("wagtailmedia:edit", args=[failed_media.pk])
    failed_media.refresh_from_db()
    assert failed_media.status == ProcessingStatus.READY
    assert (failed_media.failure_reason, failed_media.failure_log) == ("", "")
    assert stored_files(media_root) == [
        "media/old.avi",
        "media_thumbnails/old.jpg",
        "media_web/old.mp4",
    ]


def test_retry_is_refused_to_an_admin_user_who_may_not_change_media(
    failed_media, client, tree, person_factory
):
    reviewer = person_factory(tree["PGZ"], Role.AGENT)
    group = Group.objects.create(name="只能进入后台")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    reviewer.user.groups.add(group)
    client.force_login(reviewer.user)
    response = client.post(reverse("media_library_retry", args=[failed_media.pk]))
    # Wagtail's permission_denied(): back to the admin home with a message, nothing queued.
    assert (response.status_code, response.url) == (302, reverse("wagtailadmin_home"))
    failed_media.refresh_from_db()
    assert failed_media.status == ProcessingStatus.FAILED


def test_retry_is_refused_to_an_agent(failed_media, client, agent):
    client.force_login(agent.user)
    response = client.post(reverse("media_library_retry", args=[failed_media.pk]))
    assert response.status_code == 302 and "/login/" in response.url
    failed_media.refresh_from_db()
    assert failed_media.status == ProcessingStatus.FAILED


def test_retry_of_a_ready_item_is_refused_with_a_message(admin_upload, client, clips):
    admin_upload(clips.h264, title="晨会")
    media = TrainingMedia.objects.get()
    response = client.post(reverse("media_library_retry", args=[media.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]][-1] == "“晨会”已经可以播放，不需要重试。"


def test_an_item_stuck_in_processing_can_be_retried(failed_media, settings):
    failed_media.status = ProcessingStatus.PROCESSING
    failed_media.status_changed_at = timezone.now() - timedelta(minutes=5)
    assert not failed_media.can_retry()
    failed_media.status_changed_at = timezone.now() - timedelta(
        seconds=settings.MEDIA_TRANSCODE_TIMEOUT_SECONDS + 601
    )
    assert failed_media.can_retry()


def test_failed_poster_is_reported(
    db, clips, settings, failing_ffmpeg, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, clips.h264.open("rb") as handle:
        media = media_create(
            title="晨会",
            file=File(handle, name="meeting.mp4"),
            media_type="video",
            kind=MediaKind.MORNING_MEETING,
        )
    settings.FFMPEG_BINARY = failing_ffmpeg
    for callback in callbacks:
        callback()
    media.refresh_from_db()
    assert media.status == ProcessingStatus.FAILED
    assert media.failure_reason == "生成封面失败：源文件数据损坏或不完整，无法解码。"


def test_deleting_media_removes_every_file(
    admin_upload, clips, media_root, django_capture_on_commit_callbacks
):
    admin_upload(clips.avi)
    media = TrainingMedia.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        media.delete()
    assert stored_files(media_root) == []
