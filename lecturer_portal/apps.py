from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class LecturerPortalConfig(AppConfig):
    name = "lecturer_portal"
    verbose_name = _("讲师工作台")

    def ready(self):
        from . import receivers
        from .permissions import ensure_lecturer_portal_permissions

        post_migrate.connect(
            ensure_lecturer_portal_permissions,
            sender=self,
            dispatch_uid="lecturer_portal.ensure_permissions",
        )
        receivers.connect()
