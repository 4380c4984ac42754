from media_library.demo import generate_demo_clip
from media_library.models import MediaKind, ProcessingStatus


def test_demo_video_and_audio_are_real_and_processed(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        video = generate_demo_clip(MediaKind.MORNING_MEETING, 2, "晨会：产代寿要点")
        audio = generate_demo_clip(MediaKind.LECTURE_RECORDING, 2, "讲课录音：寿代产")
    video.refresh_from_db()
    audio.refresh_from_db()
    assert (video.type, video.status, video.video_codec) == (
        "video",
        ProcessingStatus.READY,
        "h264",
    )
    assert video.thumbnail and video.original_is_web_playable
    assert (audio.type, audio.status, audio.audio_codec) == ("audio", ProcessingStatus.READY, "mp3")
    assert list(video.tags.names()) == ["演示"]
