"""The four role groups and the admin permissions each carries.

Created after every ``migrate`` (idempotently), because permissions only exist once Django's own
post-migrate step has made them. Later apps add their permissions to these groups the same way.
"""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

from .models import Role

ROLE_PERMISSIONS = {
    Role.AGENT: [],
    Role.LECTURER: ["wagtailadmin.access_admin"],
    Role.MANAGER: [],
    Role.COORDINATOR: [
        "wagtailadmin.access_admin",
        "organization.add_orgunit",
        "organization.change_orgunit",
        "organization.view_orgunit",
        "organization.add_person",
        "organization.change_person",
        "organization.view_person",
    ],
}


def grant(role: str, codenames: list[str]) -> None:
    """Give ``role``'s group the permissions named ``app_label.codename``."""
    group, _created = Group.objects.get_or_create(name=role)
    for dotted in codenames:
        app_label, codename = dotted.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def ensure_role_groups(**kwargs) -> None:
    # Django makes each app's permissions in its own post-migrate step, some of which run after
    # this one; making them all first (idempotent) lets the grants below find them.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for role, codenames in ROLE_PERMISSIONS.items():
        grant(role, codenames)
