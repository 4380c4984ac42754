from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrganizationConfig(AppConfig):
    name = "organization"
    verbose_name = _("组织与人员")

    def ready(self):
        from .roles import ensure_role_groups

        post_migrate.connect(
            ensure_role_groups, sender=self, dispatch_uid="organization.ensure_role_groups"
        )
