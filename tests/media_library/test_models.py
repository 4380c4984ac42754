"""TrainingMedia: what its search fields allow."""

from django.core.files import File
from wagtailmedia.models import MediaType

from media_library.models import MediaKind, TrainingMedia
from media_library.services import media_create


def make_video(clip, title: str) -> TrainingMedia:
    with clip.open("rb") as handle:
        return media_create(
            title=title,
            file=File(handle, name=clip.name),
            media_type=MediaType.VIDEO,
            kind=MediaKind.LECTURE_DISC,
        )


def test_a_media_search_can_be_narrowed_to_chosen_media(
    db, clip, django_capture_on_commit_callbacks
):
    """The front-end search narrows media to those a person may open (``pk__in``) before it
    searches, which needs ``FilterField("id")``."""
    with django_capture_on_commit_callbacks(execute=True):
        chosen = make_video(clip, "联合展业操作示范")
        make_video(clip, "联合展业内部资料")

    found = TrainingMedia.objects.filter(pk__in=[chosen.pk]).search("联合展业")

    assert [item.pk for item in found] == [chosen.pk]
