from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("课程")

    def ready(self):
        from . import receivers
        from .permissions import ensure_course_permissions

        receivers.connect()
        post_migrate.connect(
            ensure_course_permissions, sender=self, dispatch_uid="courses.ensure_permissions"
        )
