"""Object permissions for org units and people, all through the subtree rule in ``scope``."""

import rules

from . import scope


@rules.predicate
def unit_in_view_scope(user, unit):
    return unit is not None and scope.can_view_unit(user, unit)


@rules.predicate
def unit_in_managed_scope(user, unit):
    return unit is not None and scope.can_manage_unit(user, unit)


@rules.predicate
def person_in_view_scope(user, person):
    return person is not None and scope.can_view_unit(user, person.org_unit)


@rules.predicate
def person_in_managed_scope(user, person):
    return person is not None and scope.can_manage_unit(user, person.org_unit)


rules.add_perm("organization.view_unit_in_scope", unit_in_view_scope)
rules.add_perm("organization.manage_unit_in_scope", unit_in_managed_scope)
rules.add_perm("organization.view_person_in_scope", person_in_view_scope)
rules.add_perm("organization.manage_person_in_scope", person_in_managed_scope)
