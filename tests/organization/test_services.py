"""The writes to the org tree and to people: nesting, moves, signals, duplicates, deactivation."""

import pytest
from django.core.exceptions import ValidationError

from organization.models import OrgUnit, OrgUnitKind, Person, Role
from organization.services import (
    org_unit_create,
    org_unit_move,
    person_create,
    person_deactivate,
    person_update,
)
from organization.signals import org_subtree_moved, person_moved
from tests.organization.factories import make_person, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def subtree_moves():
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    org_subtree_moved.connect(receiver)
    yield calls
    org_subtree_moved.disconnect(receiver)


@pytest.fixture
def person_moves():
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    person_moved.connect(receiver)
    yield calls
    person_moved.disconnect(receiver)


def refreshed(unit: OrgUnit) -> OrgUnit:
    return OrgUnit.objects.get(pk=unit.pk)


# Nesting


@pytest.mark.parametrize(
    ("parent_code", "kind", "message"),
    [
        ("PGZ", OrgUnitKind.PROVINCE, "“省级分公司”不能设在“地市分公司”之下。"),
        ("PGZ", OrgUnitKind.PREFECTURE, "“地市分公司”不能设在“地市分公司”之下。"),
        ("PGZ0101", OrgUnitKind.OUTLET, "“营业网点”不能设在“营业网点”之下。"),
        ("group", OrgUnitKind.GROUP, "“集团”不能设在“集团”之下。"),
    ],
)
def test_a_unit_must_be_of_a_later_kind_than_its_parent(tree, parent_code, kind, message):
    count = OrgUnit.objects.count()

    with pytest.raises(ValidationError) as error:
        org_unit_create(parent=tree[parent_code], kind=kind, code="NEW1", name="新机构")

    assert error.value.messages == [message]
    assert OrgUnit.objects.count() == count


def test_a_level_may_be_skipped(tree):
    outlet = make_unit(tree["PGZ"], OrgUnitKind.OUTLET, "PGZ9901", "广州直属营业部")

    assert outlet.get_parent() == tree["PGZ"]
    assert outlet.company == tree["P"]


def test_only_one_group_root(tree):
    with pytest.raises(ValidationError) as error:
        org_unit_create(parent=None, kind=OrgUnitKind.GROUP, code="G2", name="另一个集团")
    assert error.value.messages == ["机构树已有根机构（集团），不能再建第二个。"]

    with pytest.raises(ValidationError) as error:
        org_unit_create(parent=None, kind=OrgUnitKind.COMPANY, code="C2", name="孤立公司")
    assert error.value.messages == ["只有集团可以作为根机构。"]


def test_company_is_the_nearest_company_above(tree):
    assert tree["group"].company is None
    assert tree["P"].company == tree["P"]
    assert refreshed(tree["PGZ0101"]).company == tree["P"]
    assert refreshed(tree["LSZ01"]).company == tree["L"]


def test_a_duplicate_unit_code_is_refused(tree):
    with pytest.raises(ValidationError) as error:
        org_unit_create(parent=tree["PGZ"], kind=OrgUnitKind.COUNTY, code="PSZ01", name="重复")
    assert "code" in error.value.message_dict


# Moving units


def test_moving_a_prefecture_to_another_company_changes_the_company_of_its_subtree(
    tree, subtree_moves
):
    agent = make_person(tree["PGZ0101"], Role.AGENT)
    old_path = tree["PGZ"].path

    moved = org_unit_move(unit=tree["PGZ"], new_parent=tree["LGD"])

    lgd = refreshed(tree["LGD"])
    assert moved.get_parent() == lgd
    for code in ("PGZ", "PGZ01", "PGZ0101"):
        unit = refreshed(tree[code])
        assert unit.company == tree["L"]
        assert unit.path.startswith(lgd.path)
    assert Person.objects.get(pk=agent.pk).company == tree["L"]
    # Nothing else changed company.
    assert refreshed(tree["PSZ0101"]).company == tree["P"]
    assert subtree_moves == [
        {"signal": org_subtree_moved, "old_path": old_path, "new_path": moved.path}
    ]
    assert moved.path != old_path


def test_moving_keeps_the_tree_counts_right(tree):
    org_unit_move(unit=tree["PGZ01"], new_parent=tree["PSZ"])

    assert refreshed(tree["PGZ"]).numchild == 0
    assert refreshed(tree["PSZ"]).numchild == 2
    assert [unit.code for unit in refreshed(tree["PSZ"]).get_children()] == ["PSZ01", "PGZ01"]


def test_a_unit_cannot_move_into_its_own_subtree(tree, subtree_moves):
    path = tree["PGZ"].path

    for target in ("PGZ", "PGZ01", "PGZ0101"):
        with pytest.raises(ValidationError) as error:
            org_unit_move(unit=tree["PGZ"], new_parent=tree[target])
        assert error.value.messages == ["不能把机构移动到它自己或它的下级机构之下。"]

    assert refreshed(tree["PGZ"]).path == path
    assert subtree_moves == []


def test_a_move_must_respect_the_nesting(tree, subtree_moves):
    with pytest.raises(ValidationError) as error:
        org_unit_move(unit=tree["PGZ01"], new_parent=tree["PSZ0101"])

    assert error.value.messages == ["“县支公司”不能设在“营业网点”之下。"]
    assert refreshed(tree["PGZ01"]).get_parent() == tree["PGZ"]
    assert subtree_moves == []


# People


def test_person_create_makes_a_login_without_a_usable_password(tree):
    person = person_create(
        employee_no="A2001",
        name="王五",
        mobile="13800138000",
        org_unit=tree["PGZ0101"],
        channel="agent_force",
        roles=[Role.AGENT, Role.LECTURER],
    )

    person = Person.objects.get(pk=person.pk)
    assert person.user.username == "A2001"
    assert not person.user.has_usable_password()
    assert person.roles == {Role.AGENT, Role.LECTURER}


def test_person_create_refuses_a_duplicate_employee_number(tree):
    make_person(tree["PGZ0101"], employee_no="A1001")

    with pytest.raises(ValidationError) as error:
        make_person(tree["PSZ0101"], employee_no="A1001")

    assert error.value.message_dict == {"employee_no": ["工号 A1001 已被使用。"]}
    assert Person.objects.filter(employee_no="A1001").count() == 1


def test_person_create_refuses_an_unknown_role_and_creates_nobody(tree):
    with pytest.raises(ValidationError) as error:
        make_person(tree["PGZ0101"], "boss", employee_no="A3001")

    assert error.value.messages == ["未知的角色：boss。"]
    assert not Person.objects.filter(employee_no="A3001").exists()


def test_person_update_signals_a_move_with_both_paths(tree, person_moves):
    person = make_person(tree["PGZ0101"], Role.AGENT)

    person_update(
        person=person,
        name=person.name,
        mobile=person.mobile,
        org_unit=tree["PSZ0101"],
        channel=person.channel,
        roles=[Role.AGENT, Role.MANAGER],
    )

    assert person_moves == [
        {
            "signal": person_moved,
            "person": person,
            "old_path": tree["PGZ0101"].path,
            "new_path": tree["PSZ0101"].path,
        }
    ]
    person = Person.objects.get(pk=person.pk)
    assert person.org_unit == tree["PSZ0101"]
    assert person.roles == {Role.AGENT, Role.MANAGER}


def test_person_update_in_the_same_unit_sends_no_move(tree, person_moves):
    person = make_person(tree["PGZ0101"], Role.AGENT)

    person_update(
        person=person,
        name="新名字",
        mobile=person.mobile,
        org_unit=tree["PGZ0101"],
        channel=person.channel,
        roles=[Role.AGENT],
    )

    assert person_moves == []
    assert Person.objects.get(pk=person.pk).name == "新名字"


def test_deactivation_keeps_the_person_and_their_roles(tree):
    person = make_person(tree["PGZ0101"], Role.AGENT, Role.LECTURER)

    person_deactivate(person=person)

    person = Person.objects.get(pk=person.pk)
    assert not person.is_active
    assert not person.user.is_active
    assert person.roles == {Role.AGENT, Role.LECTURER}
    assert person.org_unit == tree["PGZ0101"]
