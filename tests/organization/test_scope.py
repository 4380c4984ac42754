import pytest

from organization import scope
from organization.models import OrgUnit, Person, Role
from organization.services import person_deactivate


@pytest.fixture
def people(tree, person_factory):
    return {
        "gz_manager": person_factory(tree["PGZ"], Role.MANAGER),
        "gz_coordinator": person_factory(tree["PGZ"], Role.COORDINATOR),
        "gd_coordinator": person_factory(tree["PGD"], Role.COORDINATOR),
        "gz_agent": person_factory(tree["PGZ0101"], Role.AGENT),
        "sz_agent": person_factory(tree["PSZ0101"], Role.AGENT),
        "life_gz_agent": person_factory(tree["LGZ0101"], Role.AGENT),
        "lecturer": person_factory(tree["PGZ"], Role.LECTURER),
    }


def test_manager_scope_is_own_subtree(tree, people):
    units = set(scope.units_in_scope(people["gz_manager"].user).values_list("code", flat=True))
    assert units == {"PGZ", "PGZ01", "PGZ0101"}


def test_manager_of_sibling_prefecture_sees_none_of_its_people(tree, people):
    visible = scope.people_in_scope(people["gz_manager"].user)
    assert people["gz_agent"] in visible
    assert people["sz_agent"] not in visible
    assert people["life_gz_agent"] not in visible


def test_province_coordinator_sees_both_prefectures_but_not_another_company(tree, people):
    visible = set(scope.people_in_scope(people["gd_coordinator"].user))
    assert {people["gz_agent"], people["sz_agent"]} <= visible
    assert people["life_gz_agent"] not in visible


def test_agent_and_lecturer_have_no_scope(people):
    for key in ("gz_agent", "lecturer"):
        assert scope.scope_unit(people[key].user) is None
        assert not scope.people_in_scope(people[key].user).exists()


def test_manager_may_view_but_not_manage(tree, people):
    manager = people["gz_manager"].user
    assert manager.has_perm("organization.view_unit_in_scope", tree["PGZ01"])
    assert not manager.has_perm("organization.manage_unit_in_scope", tree["PGZ01"])
    coordinator = people["gz_coordinator"].user
    assert coordinator.has_perm("organization.manage_unit_in_scope", tree["PGZ01"])
    assert not coordinator.has_perm("organization.manage_unit_in_scope", tree["PSZ01"])
    assert not coordinator.has_perm("organization.manage_person_in_scope", people["sz_agent"])
    assert not coordinator.has_perm("organization.view_unit_in_scope", tree["LGZ"])


def test_superuser_has_the_whole_tree(tree, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x")
    assert scope.units_in_scope(admin).count() == OrgUnit.objects.count()


def test_deactivated_manager_loses_scope(people):
    person_deactivate(person=people["gz_manager"])
    person = Person.objects.get(pk=people["gz_manager"].pk)
    assert scope.scope_unit(person.user) is None


def test_subtree_filter_is_one_query(tree, people, django_assert_num_queries):
    user = (
        Person.objects.select_related("org_unit", "user").get(pk=people["gd_coordinator"].pk).user
    )
    user.person.roles  # noqa: B018 - loaded once per request in real use
    with django_assert_num_queries(1):
        list(scope.filter_to_scope(Person.objects.all(), user, path_field="org_unit__path"))
