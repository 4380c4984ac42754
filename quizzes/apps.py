from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = _("认证考试")

    def ready(self):
        from . import checks, course_links, receivers  # noqa: F401  (checks: the font check)
        from .certificate_admin import ensure_certificate_permissions
        from .permissions import ensure_bank_permissions

        post_migrate.connect(
            ensure_bank_permissions, sender=self, dispatch_uid="quizzes.ensure_bank_permissions"
        )
        post_migrate.connect(
            ensure_certificate_permissions,
            sender=self,
            dispatch_uid="quizzes.ensure_certificate_permissions",
        )
        receivers.connect()
        course_links.connect()
