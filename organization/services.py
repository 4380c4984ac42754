"""Writes to the org tree and to people. Every change goes through here."""

from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import KIND_DEPTH, OrgUnit, OrgUnitKind, Person
from .signals import (
    org_subtree_moved,
    people_created,
    person_active_changed,
    person_audience_changed,
    person_moved,
)

User = get_user_model()

TREE_FIELDS = ["path", "depth", "numchild", "company"]


def _check_nesting(*, parent: OrgUnit | None, kind: str) -> None:
    if parent is None:
        if kind != OrgUnitKind.GROUP:
            raise ValidationError(_("只有集团可以作为根机构。"))
        if OrgUnit.get_root_nodes().exists():
            raise ValidationError(_("机构树已有根机构（集团），不能再建第二个。"))
        return
    if KIND_DEPTH[kind] <= parent.kind_depth:
        raise ValidationError(
            _("“%(kind)s”不能设在“%(parent_kind)s”之下。")
            % {
                "kind": OrgUnitKind(kind).label,
                "parent_kind": OrgUnitKind(parent.kind).label,
            }
        )


@transaction.atomic
def org_unit_create(
    *,
    parent: OrgUnit | None,
    kind: str,
    code: str,
    name: str,
    region_code: str = "",
    is_active: bool = True,
) -> OrgUnit:
    if parent is not None:
        # Fresh and locked: treebeard numbers the new child from the parent's child count.
        parent = OrgUnit.objects.select_for_update().get(pk=parent.pk)
    _check_nesting(parent=parent, kind=kind)
    unit = OrgUnit(kind=kind, code=code, name=name, region_code=region_code, is_active=is_active)
    unit.full_clean(exclude=TREE_FIELDS)
    unit = OrgUnit.add_root(instance=unit) if parent is None else parent.add_child(instance=unit)
    unit.company = unit if kind == OrgUnitKind.COMPANY else (parent.company if parent else None)
    unit.save(update_fields=["company"])
    return unit


@transaction.atomic
def org_unit_update(
    *, unit: OrgUnit, name: str, code: str, region_code: str, is_active: bool
) -> OrgUnit:
    unit.name, unit.code, unit.region_code, unit.is_active = name, code, region_code, is_active
    unit.full_clean(exclude=TREE_FIELDS)
    unit.save(update_fields=["name", "code", "region_code", "is_active"])
    return unit


@transaction.atomic
def org_unit_move(*, unit: OrgUnit, new_parent: OrgUnit) -> OrgUnit:
    """Move ``unit`` with its subtree under ``new_parent``; people move with their units."""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    new_parent = OrgUnit.objects.select_for_update().get(pk=new_parent.pk)
    if new_parent.is_within(unit):
        raise ValidationError(_("不能把机构移动到它自己或它的下级机构之下。"))
    _check_nesting(parent=new_parent, kind=unit.kind)
    old_path = unit.path
    unit.move(new_parent, pos="last-child")
    unit = OrgUnit.objects.get(pk=unit.pk)
    if unit.kind != OrgUnitKind.COMPANY:
        OrgUnit.objects.filter(path__startswith=unit.path).update(company=new_parent.company)
        unit.refresh_from_db()
    org_subtree_moved.send(sender=OrgUnit, old_path=old_path, new_path=unit.path)
    return unit


def _set_roles(user, roles) -> None:
    groups = {group.name: group for group in Group.objects.filter(name__in=roles)}
    missing = set(roles) - set(groups)
    if missing:
        raise ValidationError(_("未知的角色：%(roles)s。") % {"roles": "、".join(sorted(missing))})
    user.groups.set(groups.values())


@transaction.atomic
def person_create(
    *,
    employee_no: str,
    name: str,
    mobile: str,
    org_unit: OrgUnit,
    channel: str,
    roles: list[str],
    hire_date: date | None = None,
    email: str = "",
    password: str | None = None,
    is_active: bool = True,
) -> Person:
    """A new person with a login named by their employee number.

    Without a password the account cannot log in until the person resets it by e-mail or a
    coordinator sets one: nobody is created with a guessable password.
    """
    if User.objects.filter(username=employee_no).exists():
        raise ValidationError({"employee_no": _("工号 %(no)s 已被使用。") % {"no": employee_no}})
    user = User(username=employee_no, email=email, first_name=name, is_active=is_active)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    person = Person(
        employee_no=employee_no,
        name=name,
        mobile=mobile,
        org_unit=org_unit,
        channel=channel,
        hire_date=hire_date,
        is_active=is_active,
    )
    person.full_clean(exclude=["user"])
    user.full_clean(exclude=["password"])
    user.save()
    person.user = user
    person.save()
    _set_roles(user, roles)
    people_created.send(sender=Person, people=[person])
    return person


@transaction.atomic
def person_update(
    *,
    person: Person,
    name: str,
    mobile: str,
    org_unit: OrgUnit,
    channel: str,
    roles: list[str],
    hire_date: date | None = None,
    email: str | None = None,
    is_active: bool = True,
) -> Person:
    """Change a person, telling the apps that copied their path, channel or roles."""
    old_path, old_channel, old_roles = person.org_unit.path, person.channel, person.roles
    was_active = person.is_active
    person.name, person.mobile, person.org_unit = name, mobile, org_unit
    person.channel, person.hire_date, person.is_active = channel, hire_date, is_active
    person.full_clean(exclude=["user"])
    person.save()
    user = person.user
    user.first_name, user.is_active = name, is_active
    if email is not None:
        user.email = email
    user.full_clean(exclude=["password"])
    user.save(update_fields=["first_name", "is_active", "email"])
    _set_roles(user, roles)
    person.__dict__.pop("roles", None)
    # Before person_moved: the enrolments still carry the old path, which is where they counted.
    if is_active != was_active:
        person_active_changed.send(sender=Person, person=person)
    if org_unit.path != old_path:
        person_moved.send(sender=Person, person=person, old_path=old_path, new_path=org_unit.path)
    if channel != old_channel or person.roles != old_roles:
        person_audience_changed.send(sender=Person, person=person)
    return person


@transaction.atomic
def person_deactivate(*, person: Person) -> Person:
    """Deactivated people cannot log in; their records and history stay."""
    was_active = person.is_active
    person.is_active = False
    person.save(update_fields=["is_active"])
    person.user.is_active = False
    person.user.save(update_fields=["is_active"])
    if was_active:
        person_active_changed.send(sender=Person, person=person)
    return person
