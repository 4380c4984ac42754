import pytest
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template

from media_library.blocks import AudioBlock, VideoBlock
from media_library.models import MediaKind
from media_library.services import media_create


def create(clips, name, media_type, kind, **extra):
    path = getattr(clips, name)
    with path.open("rb") as handle:
        return media_create(
            title="产代寿政策解读",
            file=File(handle, name=path.name),
            media_type=media_type,
            kind=kind,
            **extra,
        )


@pytest.fixture
def video(db, clips, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        media = create(
            clips,
            "h264",
            "video",
            MediaKind.LECTURE_DISC,
            subtitles=SimpleUploadedFile(
                "zh.vtt", b"WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHi\n"
            ),
            chapters=[{"start": 0, "title": "开场"}, {"start": 1, "title": "政策要点"}],
        )
    media.refresh_from_db()
    return media


def test_video_block_renders_a_player_with_everything_a_player_script_needs(video):
    html = VideoBlock().render(video)
    assert f'poster="/media-files/{video.pk}/poster/"' in html
    assert f'<source src="/media-files/{video.pk}/play/" type="video/mp4">' in html
    assert (
        f'<track kind="subtitles" src="/media-files/{video.pk}/subtitles/" srclang="zh-Hans"'
        in html
    )
    assert f'data-media-id="{video.pk}"' in html
    assert f'data-media-duration="{video.duration}"' in html
    assert '<button type="button" class="link" data-seek="1">00:01 政策要点</button>' in html
    assert "media_library/player.js" in html


def test_video_block_shows_a_notice_until_processed(clips, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        media = create(clips, "h264", "video", MediaKind.MORNING_MEETING)
    html = VideoBlock().render(media)
    assert "<video" not in html
    assert "该音视频正在处理，请稍后再来观看。" in html


def test_audio_block_renders_audio_and_ignores_video(
    clips, db, video, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        audio = create(clips, "mp3", "audio", MediaKind.LECTURE_RECORDING)
    audio.refresh_from_db()
    html = AudioBlock().render(audio)
    assert '<audio controls preload="metadata"' in html
    assert f'<source src="/media-files/{audio.pk}/play/" type="audio/mpeg">' in html
    assert AudioBlock().render(video) == ""
    assert VideoBlock().render(audio) == ""


def test_blocks_choose_only_their_media_type(video):
    assert list(VideoBlock().field.queryset) == [video]
    assert list(AudioBlock().field.queryset) == []
    assert VideoBlock.media_of(video) is video


def test_template_tag_renders_the_same_player(video):
    html = Template("{% load media_library_tags %}{% media_player media %}").render(
        Context({"media": video})
    )
    assert html == VideoBlock().render(video)
