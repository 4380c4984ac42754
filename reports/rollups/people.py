"""Keep ``AgentRollup`` (active agents per unit subtree × channel) exact, by deltas.

Every people event — created or imported, moved, deactivated or reactivated, channel or roles
changed (``organization.signals`` and the user–group m2m) — calls ``sync`` for the people it
touched: their current state (active agent: unit and channel; else not counted) is compared with
``CountedAgent``, and only a difference moves the counts (−1 at the old unit and its ancestors,
+1 at the new). So the order in which organization sends its signals does not matter, and a
repeated event is a no-op. A moved subtree moves its counts between the ancestors.
"""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from organization.models import Person, Role
from reports.models import AgentRollup, CountedAgent

from .upsert import (
    Deltas,
    ancestor_deltas,
    counted_subtree_moved,
    differences,
    lock_people,
    move_changed,
    rebuild_from_counted,
    stored,
)

REST = ("channel",)
KEY_FIELDS = ("unit_id", *REST)
COUNTER = "n_agents"
User = get_user_model()


def _agents(people: Q) -> dict[int, tuple[int, str]]:
    """{person id: (unit id, channel)} of the active agents among ``people``: one query."""
    agent_role = User.groups.through.objects.filter(
        user_id=OuterRef("user_id"), group__name=Role.AGENT
    )
    return {
        pk: (unit_id, channel)
        for pk, unit_id, channel in Person.objects.filter(people, is_active=True)
        .filter(Exists(agent_role))
        .values_list("pk", "org_unit_id", "channel")
        .iterator()
    }


def sync(person_ids: Iterable[int] | None = None) -> None:
    """Bring the counts of these people (None: everyone counted now) in line with their state."""
    if person_ids is None:
        person_ids = list(CountedAgent.objects.values_list("person_id", flat=True))
    ids = set(person_ids)
    if not ids:
        return
    lock_people(ids)
    now = _agents(Q(pk__in=ids))
    was = {
        pk: (unit_id, channel)
        for pk, unit_id, channel in CountedAgent.objects.filter(person_id__in=ids).values_list(
            "person_id", "unit_id", "channel"
        )
    }
    changed = move_changed(AgentRollup, KEY_FIELDS, COUNTER, was=was, now=now)
    if not changed:
        return
    CountedAgent.objects.filter(person_id__in=[pk for pk in changed if pk in was]).delete()
    CountedAgent.objects.bulk_create(
        CountedAgent(person_id=pk, unit_id=now[pk][0], channel=now[pk][1])
        for pk in changed
        if pk in now
    )


def subtree_moved(*, old_path: str, new_path: str) -> None:
    counted_subtree_moved(
        AgentRollup, CountedAgent, REST, COUNTER, old_path=old_path, new_path=new_path
    )


# Rebuild and check -----------------------------------------------------------------------------


def expected() -> Deltas:
    """Every rollup row recounted from the people and their roles."""
    return ancestor_deltas((unit_id, (channel,), 1) for unit_id, channel in _agents(Q()).values())


def diff() -> list:
    return differences(stored(AgentRollup, KEY_FIELDS, (COUNTER,)), expected())


@transaction.atomic
def rebuild() -> int:
    """Recount the counted agents and the rollups from the people, in SQL."""
    CountedAgent.objects.all().delete()
    agent_role = User.groups.through.objects.filter(
        user_id=OuterRef("user_id"), group__name=Role.AGENT
    )
    CountedAgent.objects.bulk_create(
        (
            CountedAgent(person_id=pk, unit_id=unit_id, channel=channel)
            for pk, unit_id, channel in Person.objects.filter(is_active=True)
            .filter(Exists(agent_role))
            .values_list("pk", "org_unit_id", "channel")
            .iterator()
        ),
        batch_size=5000,
    )
    return rebuild_from_counted(AgentRollup, CountedAgent, REST, COUNTER)
