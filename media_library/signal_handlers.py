from django.db import transaction
from django.db.models.signals import post_delete

from .models import TrainingMedia


def delete_derived_files(instance, **kwargs):
    """wagtailmedia removes the original and the poster of a deleted item; this removes the rest."""
    names = [f.name for f in (instance.web_file, instance.subtitles) if f]
    storage = instance.file.storage

    def delete():
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)


def register_signal_handlers():
    post_delete.connect(
        delete_derived_files, sender=TrainingMedia, dispatch_uid="media_library.derived_files"
    )
