"""Who may work on which company's question bank (and, for Q2's admin, quizzes).

A bank belongs to a company. It is edited by
- lecturers: their own company's bank; a lecturer at the group (集团) works on every company's,
  the same rule as course pages (``courses.permissions.companies_user_may_edit``);
- training coordinators: the banks of the companies inside their managed subtree
  (``organization.scope``: a coordinator at the group has all, one at a company has it, one at a
  branch has none — branches use the company's bank);
- superusers: all.

The admin permission policies (``quizzes.wagtail_hooks``), the import and export views and the
services all ask ``bank_companies`` / ``can_edit_bank``; nothing else decides it.
"""

import rules
from django.db.models import Q, QuerySet

from courses.permissions import companies_user_may_edit
from organization import scope
from organization.models import OrgUnit, OrgUnitKind, Role

BANK_ROLES = (Role.LECTURER, Role.COORDINATOR)


def _person(user):
    person = getattr(user, "person", None)
    if person is None or not person.is_active:
        return None
    return person


def bank_companies(user) -> QuerySet:
    """The companies whose question bank ``user`` may edit."""
    companies = OrgUnit.objects.filter(kind=OrgUnitKind.COMPANY)
    if not user.is_authenticated or not user.is_active:
        return companies.none()
    if user.is_superuser:
        return companies
    person = _person(user)
    if person is None:
        return companies.none()
    condition = Q(pk__in=[])
    if person.has_role(Role.LECTURER):
        condition |= Q(pk__in=companies_user_may_edit(user).values("pk"))
    managed = scope.scope_unit(user, roles=scope.MANAGING_ROLES)
    if managed is not None:
        condition |= Q(path__startswith=managed.path)
    return companies.filter(condition)


def bank_company_ids(user) -> set[int]:
    """``bank_companies`` as ids, cached on the user object for the request."""
    cached = getattr(user, "_quizzes_bank_company_ids", None)
    if cached is None:
        cached = set(bank_companies(user).values_list("pk", flat=True))
        user._quizzes_bank_company_ids = cached
    return cached


def can_edit_bank(user, company_id: int | None) -> bool:
    return company_id is not None and company_id in bank_company_ids(user)


def may_use_bank(user) -> bool:
    """True when ``user`` edits some company's bank (menu items, import, export)."""
    return bool(bank_company_ids(user))


@rules.predicate
def owns_bank_object(user, obj):
    """``obj`` is a company, a category, a question or a quiz of a bank the user may edit."""
    if obj is None:
        return False
    company_id = obj.pk if isinstance(obj, OrgUnit) else obj.company_id
    return can_edit_bank(user, company_id)


rules.add_perm("quizzes.edit_bank", owns_bank_object)


# Certificates (Q3) --------------------------------------------------------------------------
# The holder downloads their own certificate; managers and coordinators those of their subtree
# (the org path copied on the certificate); coordinators revoke in their managed subtree.


@rules.predicate
def holds_certificate(user, certificate):
    person = _person(user)
    return certificate is not None and person is not None and certificate.person_id == person.pk


@rules.predicate
def certificate_in_view_scope(user, certificate):
    return certificate is not None and scope.path_in_scope(user, certificate.org_path)


@rules.predicate
def certificate_in_managed_scope(user, certificate):
    return certificate is not None and scope.path_in_scope(
        user, certificate.org_path, roles=scope.MANAGING_ROLES
    )


rules.add_perm("quizzes.download_certificate", holds_certificate | certificate_in_view_scope)
rules.add_perm("quizzes.revoke_certificate", certificate_in_managed_scope)


# Taking quizzes (Q2: quizzes/views/attempts.py) ---------------------------------------------


@rules.predicate
def quiz_open_to_person(user, quiz):
    """A published quiz whose audience holds the user's active person (``quizzes.selectors``)."""
    from .selectors import quiz_open_to

    person = _person(user)
    return person is not None and quiz is not None and quiz_open_to(person=person, quiz=quiz)


@rules.predicate
def owns_attempt(user, attempt):
    """Only the person who sits an attempt reads or answers it."""
    person = _person(user)
    return person is not None and attempt is not None and attempt.person_id == person.pk


rules.add_perm("quizzes.take_quiz", rules.is_authenticated & quiz_open_to_person)
rules.add_perm("quizzes.view_attempt", rules.is_authenticated & owns_attempt)
