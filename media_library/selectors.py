from django.shortcuts import get_object_or_404

from .models import TrainingMedia


def media_get(*, media_id: int) -> TrainingMedia:
    """One media item with what the permission check reads (its owner and collection)."""
    return get_object_or_404(
        TrainingMedia.objects.select_related("uploaded_by_user", "collection"), pk=media_id
    )
