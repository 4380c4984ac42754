"""The coordinators' admin permissions on this app's models, granted after every ``migrate``.

Their reach is cut down to their subtree by the permission policies in ``wagtail_hooks.py``.
Coordinators also choose lecturers' photos (Wagtail images in the root collection).
"""

from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from wagtail.models import Collection, GroupCollectionPermission

from organization.models import Role
from organization.roles import grant

COORDINATOR_PERMISSIONS = [
    f"lecturer_portal.{action}_{model}"
    for model in ("lecturercorps", "lecturerprofile", "trainingsession", "trainingplan")
    for action in ("add", "change", "view")
] + ["lecturer_portal.delete_trainingplan"]
COORDINATOR_IMAGE_PERMISSIONS = ["add_image", "choose_image"]


def ensure_lecturer_portal_permissions(**kwargs) -> None:
    from django.apps import apps

    # As in organization.roles: some apps make their permissions after this handler runs.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    grant(Role.COORDINATOR, COORDINATOR_PERMISSIONS)
    root = Collection.get_first_root_node()
    if root is None:
        return
    group, _created = Group.objects.get_or_create(name=Role.COORDINATOR)
    for permission in Permission.objects.filter(
        content_type__app_label="wagtailimages", codename__in=COORDINATOR_IMAGE_PERMISSIONS
    ):
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=root, permission=permission
        )
