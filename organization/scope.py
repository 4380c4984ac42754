"""The subtree rule, in one place.

Every app asks this module what a user may see or change: a branch manager sees their org unit and
everything under it, a training coordinator also changes it, a superuser (the platform operator)
has the whole tree, anyone else has no scope at all (agents and lecturers see only their own
things, which each app checks against the person).

Querysets are filtered by a path prefix. ``path_field`` names the field holding an org path: on
``OrgUnit`` itself it is ``path``, on ``Person`` it is ``org_unit__path``, and rows that copy a
person's path (enrolments, certificates, rollups) name their own column.
"""

from django.db.models import QuerySet

from .models import OrgUnit, Person, Role

VIEWING_ROLES = (Role.MANAGER, Role.COORDINATOR)
MANAGING_ROLES = (Role.COORDINATOR,)


def scope_unit(user, *, roles=VIEWING_ROLES) -> OrgUnit | None:
    """The root of the subtree ``user`` holds through one of ``roles``, or None."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return OrgUnit.get_first_root_node()
    person = getattr(user, "person", None)
    if person is None or not person.is_active or not person.has_role(*roles):
        return None
    return person.org_unit


def filter_to_scope(queryset: QuerySet, user, *, path_field: str, roles=VIEWING_ROLES) -> QuerySet:
    """``queryset`` cut down to the rows whose org path lies in the user's subtree."""
    unit = scope_unit(user, roles=roles)
    if unit is None:
        return queryset.none()
    return queryset.filter(**{f"{path_field}__startswith": unit.path})


def units_in_scope(user, *, roles=VIEWING_ROLES) -> QuerySet:
    return filter_to_scope(OrgUnit.objects.all(), user, path_field="path", roles=roles)


def people_in_scope(user, *, roles=VIEWING_ROLES) -> QuerySet:
    return filter_to_scope(
        Person.objects.select_related("org_unit", "user"),
        user,
        path_field="org_unit__path",
        roles=roles,
    )


def path_in_scope(user, path: str, *, roles=VIEWING_ROLES) -> bool:
    unit = scope_unit(user, roles=roles)
    return unit is not None and path.startswith(unit.path)


def can_view_unit(user, unit: OrgUnit) -> bool:
    return path_in_scope(user, unit.path)


def can_manage_unit(user, unit: OrgUnit) -> bool:
    return path_in_scope(user, unit.path, roles=MANAGING_ROLES)
