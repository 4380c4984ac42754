"""The head-count rollup equals a brute-force count of active agents after any sequence of people
events, each made through the real services."""

import random

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError

from organization.models import Channel, OrgUnit, Person, Role
from organization.services import org_unit_move, person_deactivate
from reports.filters import Filters
from reports.models import AgentRollup
from reports.rollups import people as rollups
from reports.selectors.units import agent_counts
from tests.organization.test_people_import import row, run, xlsx
from tests.reports.test_rollups import update


def brute_force() -> dict:
    """Per unit and channel, the active agents of its subtree, counted one unit at a time."""
    counts = {}
    for unit in OrgUnit.objects.all():
        for person in Person.objects.active().filter(org_unit__path__startswith=unit.path):
            if person.has_role(Role.AGENT):
                key = (unit.pk, person.channel)
                counts[key] = counts.get(key, 0) + 1
    return counts


def stored() -> dict:
    return {(r.unit_id, r.channel): r.n_agents for r in AgentRollup.objects.all() if r.n_agents}


class People:
    def __init__(self, rng, tree, person_factory):
        self.rng, self.tree, self.make = rng, tree, person_factory
        self.outlets = [u for code, u in tree.items() if len(code) == 7]
        self.people = [self.hire() for _ in range(6)]

    def hire(self):
        roles = self.rng.choice([[Role.AGENT], [Role.AGENT, Role.LECTURER], [Role.MANAGER]])
        person = self.make(
            self.rng.choice(self.outlets), *roles, channel=self.rng.choice(Channel.values)
        )
        return person

    def person(self):
        return Person.objects.select_related("org_unit", "user").get(
            pk=self.rng.choice(self.people).pk
        )

    def create(self):
        self.people.append(self.hire())

    def move(self):
        update(self.person(), org_unit=self.rng.choice(self.outlets))

    def change_channel(self):
        update(self.person(), channel=self.rng.choice(Channel.values))

    def remove_agent_role(self):
        update(self.person(), roles=[Role.LECTURER])

    def grant_agent_role(self):
        update(self.person(), roles=[Role.AGENT])

    def role_by_group(self):
        # Not through the services (the admin's group page): the m2m signal still counts it.
        agents = Group.objects.get(name=Role.AGENT)
        person = self.person()
        if self.rng.random() < 0.5:
            agents.user_set.add(person.user)
        else:
            agents.user_set.remove(person.user)

    def deactivate(self):
        person_deactivate(person=self.person())

    def reactivate_and_move(self):
        update(self.person(), is_active=True, org_unit=self.rng.choice(self.outlets))

    def everything_at_once(self):
        update(
            self.person(),
            is_active=self.rng.random() < 0.7,
            org_unit=self.rng.choice(self.outlets),
            channel=self.rng.choice(Channel.values),
            roles=self.rng.choice([[Role.AGENT], [Role.MANAGER]]),
        )

    def move_subtree(self):
        county = OrgUnit.objects.get(pk=self.rng.choice(self.outlets).get_parent().pk)
        prefectures = OrgUnit.objects.filter(kind="prefecture").exclude(
            path=county.path[: -OrgUnit.steplen]
        )
        org_unit_move(unit=county, new_parent=self.rng.choice(list(prefectures)))

    EVENTS = (
        "create", "move", "change_channel", "remove_agent_role", "grant_agent_role",
        "role_by_group", "deactivate", "reactivate_and_move", "everything_at_once",
        "move_subtree",
    )  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2])
def test_head_count_equals_a_brute_force_count_after_every_event(seed, tree, person_factory):
    rng = random.Random(seed)
    world = People(rng, tree, person_factory)
    assert stored() == brute_force()
    for step in range(40):
        event = rng.choice(People.EVENTS)
        getattr(world, event)()
        assert stored() == brute_force(), f"step {step}: {event}"
    assert stored()
    assert rollups.diff() == []


def test_the_dashboard_column_reads_the_rollup_in_one_query(
    tree, person_factory, django_assert_num_queries
):
    person_factory(tree["PGZ0101"], Role.AGENT, channel=Channel.COUNTER)
    person_factory(tree["PSZ0101"], Role.AGENT)
    person_factory(tree["PSZ0101"], Role.MANAGER)
    units = [tree["PGD"], tree["PGZ"], tree["PSZ"]]
    with django_assert_num_queries(1):
        counts = agent_counts(units, Filters(), None)
    assert counts[tree["PGD"].pk] == {"agents": 2}
    assert counts[tree["PSZ"].pk] == {"agents": 1}
    counter = agent_counts(units, Filters(channel=Channel.COUNTER), None)
    assert counter[tree["PGZ"].pk] == {"agents": 1}
    assert tree["PSZ"].pk not in counter


def test_rebuild_restores_the_head_count(tree, person_factory):
    person_factory(tree["LGZ0101"], Role.AGENT)
    want = stored()
    AgentRollup.objects.filter(unit=tree["L"]).update(n_agents=7)
    with pytest.raises(CommandError, match="differ"):
        call_command("rollups_rebuild", "--check")
    call_command("rollups_rebuild")
    assert stored() == want == brute_force()


def test_a_bulk_import_counts_its_agents_and_a_second_import_moves_them(
    tree, person_factory, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    coordinator = person_factory(tree["PGD"], Role.COORDINATOR).user
    first = [
        row(no="A1001", unit="PGZ0101"),
        row(no="A1002", mobile="13900000002", unit="PSZ0101", channel="柜面"),
        row(no="A1003", mobile="13900000003", unit="PSZ0101", roles="机构负责人"),
    ]
    run(xlsx(first), coordinator)
    assert stored() == brute_force()
    assert AgentRollup.objects.get(unit=tree["PGD"], channel=Channel.AGENT_FORCE).n_agents == 1
    moved = [row(no="A1001", unit="PSZ0101"), row(no="A1002", mobile="13900000002", status="离职")]
    run(xlsx(moved), coordinator)
    assert stored() == brute_force()
    assert AgentRollup.objects.get(unit=tree["PSZ"], channel=Channel.AGENT_FORCE).n_agents == 1
