"""Uploading through wagtailmedia's admin: good files are processed, bad ones leave nothing."""

import pytest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from media_library.models import ProcessingStatus, TrainingMedia
from media_library.uploads import allowed_media_extensions

from .conftest import stored_files

VIDEO_FORMATS = "、".join(allowed_media_extensions("video"))


def test_h264_mp4_is_ready_without_transcode_and_gets_a_poster(admin_upload, clips, media_root):
    response = admin_upload(clips.h264, title="产代寿政策解读")
    assert response.status_code == 302
    media = TrainingMedia.objects.get()
    assert media.status == ProcessingStatus.READY
    assert (media.container, media.video_codec, media.audio_codec) == (
        "mov,mp4,m4a,3gp,3g2,mj2",
        "h264",
        "aac",
    )
    assert media.duration == pytest.approx(2.0, abs=0.1)
    assert (media.width, media.height) == (160, 120)
    assert media.original_is_web_playable and not media.web_file
    assert media.playable_file.name == media.file.name
    assert media.poster_generated
    assert stored_files(media_root) == ["media/h264.mp4", "media_thumbnails/h264.jpg"]
    assert media.uploaded_by_user.person.employee_no


def test_mpeg4_avi_is_transcoded_and_the_original_kept(admin_upload, clips, media_root):
    admin_upload(clips.avi)
    media = TrainingMedia.objects.get()
    assert media.status == ProcessingStatus.READY
    assert not media.original_is_web_playable
    assert media.web_file.name == "media_web/old.mp4"
    assert media.playable_content_type == "video/mp4"
    assert stored_files(media_root) == [
        "media/old.avi",
        "media_thumbnails/old.jpg",
        "media_web/old.mp4",
    ]


def test_wav_recording_is_transcoded_to_m4a_without_poster(admin_upload, clips, media_root):
    admin_upload(clips.wav, media_type="audio")
    media = TrainingMedia.objects.get()
    assert (media.status, media.kind, media.audio_codec) == (
        "ready",
        "lecture_recording",
        "pcm_s16le",
    )
    assert media.playable_content_type == "audio/mp4"
    assert stored_files(media_root) == ["media/lecture.wav", "media_web/lecture.m4a"]


def test_mp3_recording_plays_as_it_is(admin_upload, clips, media_root):
    admin_upload(clips.mp3, media_type="audio")
    media = TrainingMedia.objects.get()
    assert media.is_playable and media.playable_content_type == "audio/mpeg"
    assert stored_files(media_root) == ["media/lecture.mp3"]


@pytest.mark.parametrize(
    ("clip", "name", "message"),
    [
        ("exe", "setup.mp4", "无法读取“setup.mp4”：它不是音视频文件，或者文件已损坏。"),
        ("text", "notes.mp4", "无法读取“notes.mp4”：它不是音视频文件，或者文件已损坏。"),
        (
            "truncated",
            "lecture.mp4",
            "“lecture.mp4”不完整或已损坏：文件末尾无法解码。"
            "请确认原文件能完整播放，重新导出后再上传。",
        ),
        (
            "exe",
            "setup.exe",
            f"不支持“setup.exe”这种文件类型。视频可以上传这些格式：{VIDEO_FORMATS}。",
        ),
        (
            "text",
            "notes.txt",
            f"不支持“notes.txt”这种文件类型。视频可以上传这些格式：{VIDEO_FORMATS}。",
        ),
        (
            "mp3",
            "lecture.mp4",
            "“lecture.mp4”里没有视频画面。如果这是一段录音，请用“添加音频”上传。",
        ),
    ],
)
def test_bad_upload_is_refused_with_a_clear_message_and_nothing_saved(
    admin_upload, clips, media_root, settings, tmp_path, clip, name, message
):
    # Uploads above 1 KB go through a temporary file, which must not outlive the request either.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "uploads"
    settings.FILE_UPLOAD_TEMP_DIR.mkdir()
    response = admin_upload(getattr(clips, clip), name=name)
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [message]
    assert not TrainingMedia.objects.exists()
    assert stored_files(media_root) == []
    assert list(settings.FILE_UPLOAD_TEMP_DIR.iterdir()) == []


def test_file_over_the_size_limit_is_refused(admin_upload, clips, media_root, settings):
    settings.MEDIA_UPLOAD_MAX_BYTES = 1024
    size = filesizeformat(clips.h264.stat().st_size)
    response = admin_upload(clips.h264)
    assert response.context["form"].errors["file"] == [f"文件大小 {size} 超过了上限 1.0\xa0KB。"]
    assert not TrainingMedia.objects.exists()
    assert stored_files(media_root) == []


def test_upload_without_ffmpeg_is_a_clear_error(admin_upload, clips, media_root, settings):
    settings.FFPROBE_BINARY = "/nonexistent/ffprobe"
    response = admin_upload(clips.h264)
    assert response.context["form"].errors["file"] == [
        "服务器没有安装 ffmpeg，暂时无法上传音视频，请联系系统管理员。"
    ]
    assert stored_files(media_root) == []


def test_subtitles_and_chapters_are_stored(admin_upload, clips, media_root):
    from django.core.files.uploadedfile import SimpleUploadedFile

    vtt = "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\n欢迎参加产代寿培训\n".encode()
    admin_upload(
        clips.h264,
        subtitles=SimpleUploadedFile("zh.vtt", vtt),
        chapters="00:00 开场\n00:01 政策要点",
    )
    media = TrainingMedia.objects.get()
    assert media.chapters == [{"start": 0, "title": "开场"}, {"start": 1, "title": "政策要点"}]
    assert media.subtitles.name == "media_subtitles/zh.vtt"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"1\n00:00:00,000 --> 00:00:01,000\nSRT\n",
            "字幕文件不是有效的 WebVTT：第一行必须是“WEBVTT”。",
        ),
        (
            "WEBVTT\n\n00:00 --> 00:01\n开场\n".encode(),
            "字幕文件第 3 行的时间格式不对，应为“00:01:02.500 --> 00:01:05.000”。",
        ),
        (
            "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n开场\n".encode("gbk"),
            "字幕文件必须使用 UTF-8 编码保存。",
        ),
    ],
)
def test_bad_subtitles_refuse_the_whole_upload(admin_upload, clips, media_root, content, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = admin_upload(clips.h264, subtitles=SimpleUploadedFile("zh.vtt", content))
    assert response.context["form"].errors["subtitles"] == [message]
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("chapters", "message"),
    [
        ("开场", "第 1 行格式不对，应为“分:秒 标题”，例如“05:30 产代寿政策要点”。"),
        ("00:01 要点\n00:00 开场", "章节的开始时间必须从前到后递增（第 2 个章节）。"),
        ("00:00 开场\n00:05 结尾", "第 2 个章节的开始时间 00:05 超出了时长 00:02。"),
    ],
)
def test_bad_chapters_are_refused(admin_upload, clips, media_root, chapters, message):
    response = admin_upload(clips.h264, chapters=chapters)
    assert response.context["form"].errors["chapters"] == [message]
    assert stored_files(media_root) == []


def test_replacing_the_file_reprocesses_and_removes_derived_files(
    admin_upload, client, clips, media_root, django_capture_on_commit_callbacks
):
    from .conftest import upload

    admin_upload(clips.h264)
    media = TrainingMedia.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("wagtailmedia:edit", args=[media.pk]),
            {
                "title": media.title,
                "kind": media.kind,
                "file": upload(clips.avi),
                "tags": "",
                "chapters": "",
            },
        )
    assert response.status_code == 302
    media.refresh_from_db()
    assert (media.status, media.video_codec) == ("ready", "mpeg4")
    assert stored_files(media_root) == [
        "media/old.avi",
        "media_thumbnails/old.jpg",
        "media_web/old.mp4",
    ]


def test_edit_page_shows_status_and_preview(admin_upload, client, clips):
    admin_upload(clips.h264)
    media = TrainingMedia.objects.get()
    response = client.get(reverse("wagtailmedia:edit", args=[media.pk]))
    content = response.content.decode()
    assert "可播放" in content
    assert f'src="/media-files/{media.pk}/play/"' in content
    index = client.get(reverse("wagtailmedia:index")).content.decode()
    assert "授课光盘" in index and "可播放" in index


def test_chooser_lists_media_with_its_status(admin_upload, client, clips):
    admin_upload(clips.h264, title="晨会录像一")
    response = client.get(reverse("wagtailmedia:chooser_typed", args=["video"]))
    assert response.status_code == 200
    html = response.json()["html"]
    assert "晨会录像一" in html and "可播放" in html


def test_lecturers_own_poster_replaces_the_automatic_one_and_survives_a_new_file(
    admin_upload, client, clips, media_root, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .conftest import upload

    admin_upload(clips.h264)
    media = TrainingMedia.objects.get()
    edit_url = reverse("wagtailmedia:edit", args=[media.pk])
    fields = {"title": media.title, "kind": media.kind, "tags": "", "chapters": ""}
    poster = (media_root / media.thumbnail.name).read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit_url, {**fields, "thumbnail": SimpleUploadedFile("cover.jpg", poster)})
    media.refresh_from_db()
    assert (media.thumbnail.name, media.poster_generated) == ("media_thumbnails/cover.jpg", False)
    assert stored_files(media_root) == ["media/h264.mp4", "media_thumbnails/cover.jpg"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit_url, {**fields, "file": upload(clips.avi)})
    assert stored_files(media_root) == [
        "media/old.avi",
        "media_thumbnails/cover.jpg",
        "media_web/old.mp4",
    ]
