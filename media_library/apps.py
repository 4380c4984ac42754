from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MediaLibraryConfig(AppConfig):
    name = "media_library"
    verbose_name = _("媒体库")

    def ready(self):
        from . import checks  # noqa: F401  (registers the ffmpeg system check)
        from .roles import ensure_media_permissions
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
        post_migrate.connect(
            ensure_media_permissions, sender=self, dispatch_uid="media_library.permissions"
        )
