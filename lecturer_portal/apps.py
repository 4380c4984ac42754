from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LecturerPortalConfig(AppConfig):
    name = "lecturer_portal"
    verbose_name = _("讲师工作台")
