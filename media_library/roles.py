"""Admin permissions for the media library, added to the role groups after every ``migrate``.

Wagtail checks media and document permissions per collection (``GroupCollectionPermission``), so
each grant is made both as a model permission and on the root collection, which covers every
collection below it.
"""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from wagtail.models import Collection, GroupCollectionPermission

from organization.models import Role
from organization.roles import grant

_EDIT = [
    "wagtailmedia.add_media",
    "wagtailmedia.change_media",
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
]
# Lecturers may change each other's media (they build courses from the group's shared discs),
# but only coordinators delete: a deleted item disappears from every lesson that uses it.
MEDIA_ROLE_PERMISSIONS = {
    Role.LECTURER: _EDIT,
    Role.COORDINATOR: [*_EDIT, "wagtailmedia.delete_media", "wagtaildocs.delete_document"],
}


def ensure_media_permissions(**kwargs) -> None:
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    root = Collection.get_first_root_node()
    for role, codenames in MEDIA_ROLE_PERMISSIONS.items():
        grant(role, codenames)
        if root is None:  # a flushed database has no root collection until it is migrated
            continue
        group = Group.objects.get(name=role)
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.get(
                content_type__app_label=app_label, codename=codename
            )
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root, permission=permission
            )
