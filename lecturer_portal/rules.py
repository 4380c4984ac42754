"""Object permissions of the front end: a lecturer answers their own assignments only; the
feedback overview is for whoever manages a subtree (its admin menu item asks the same rule).

The coordinators' admin is guarded by the permission policies in ``wagtail_hooks.py``, which ask
``organization.scope`` about the row's org unit (the host unit of a session, the owning unit of a
corps, the unit of a plan, the lecturer's own unit).
"""

import rules

from organization.scope import MANAGING_ROLES, can_manage_unit, scope_unit


@rules.predicate
def is_own_assignment(user, assignment):
    person = getattr(user, "person", None)
    return (
        assignment is not None
        and person is not None
        and person.is_active
        and assignment.lecturer.person_id == person.pk
    )


@rules.predicate
def manages_session(user, session):
    return session is not None and can_manage_unit(user, session.host_unit)


@rules.predicate
def manages_a_subtree(user):
    """Coordinators see all feedback of the sessions their subtree hosts."""
    return scope_unit(user, roles=MANAGING_ROLES) is not None


rules.add_perm("lecturer_portal.answer_assignment", is_own_assignment)
rules.add_perm("lecturer_portal.manage_session", manages_session)
rules.add_perm("lecturer_portal.view_feedback_overview", manages_a_subtree)
