"""Add deltas to a counter table: ``INSERT ... ON CONFLICT (key) DO UPDATE SET n = n + excluded.n``.

Works on SQLite and PostgreSQL. Keys are sorted so that concurrent writers lock rows in the same
order, and written ``BATCH`` at a time. Key fields must never hold NULL (``ON CONFLICT`` would not
match them): use a sentinel (0, a far date) instead.
"""

from collections.abc import Iterable, Sequence
from datetime import date

from django.db import connection, models

from organization.models import OrgUnit, Person

STEP = OrgUnit.steplen

BATCH = 500

# key (values of ``key_fields``, in order) -> counters (in the order of ``counter_fields``)
Deltas = dict[tuple, list[int]]


def prefixes(path: str) -> list[str]:
    """The paths of the unit at ``path`` and of all its ancestors."""
    return [path[:end] for end in range(STEP, len(path) + 1, STEP)]


def unit_ids(paths: Iterable[str]) -> dict[str, int]:
    """{path: unit id} of the units at ``paths``: one query (none when empty)."""
    paths = set(paths)
    if not paths:
        return {}
    return dict(OrgUnit.objects.filter(path__in=paths).values_list("path", "pk"))


def add(deltas: Deltas, key: tuple, *counters: int) -> None:
    """Merge ``counters`` into ``deltas[key]``."""
    have = deltas.setdefault(key, [0] * len(counters))
    for index, value in enumerate(counters):
        have[index] += value


def upsert(
    model: type[models.Model],
    key_fields: Sequence[str],
    counter_fields: Sequence[str],
    deltas: Deltas,
) -> None:
    """Add ``deltas`` to ``model``'s rows (created at need): one statement per ``BATCH`` keys.
    ``key_fields`` are column names (``unit_id``) matching a unique constraint of ``model``."""
    items = sorted((key, c) for key, c in deltas.items() if any(c))
    if not items:
        return
    table = model._meta.db_table
    columns = ", ".join((*key_fields, *counter_fields))
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counter_fields)
    adapt = connection.ops.adapt_datefield_value
    row = "(" + ", ".join(["%s"] * (len(key_fields) + len(counter_fields))) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(items), BATCH):
            batch = items[start : start + BATCH]
            params = []
            for key, counters in batch:
                params += [adapt(value) if isinstance(value, date) else value for value in key]
                params += counters
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(batch))} "
                f"ON CONFLICT ({', '.join(key_fields)}) DO UPDATE SET {updates}",
                params,
            )


# Rollups kept from a "counted as" table ----------------------------------------------------------
# A counted row says where a rollup counts one thing now (``unit_id`` plus the rest of the rollup's
# key). An event compares it with the thing's current state and moves the count: the moves below.


def lock_people(person_ids: Iterable[int]) -> None:
    """Lock the people's rows (in id order) before reading their state, so two transactions
    syncing the same person (a revocation and a grant, say) take turns instead of both moving
    the count from the same counted row. A no-op on SQLite, whose writes are serial anyway."""
    list(Person.objects.select_for_update().filter(pk__in=person_ids).order_by("pk").values("pk"))


def ancestor_deltas(moves: Iterable[tuple[int, tuple, int]]) -> Deltas:
    """(unit id, rest of the key, signed n) → deltas at the unit and each ancestor: two queries."""
    moves = list(moves)
    if not moves:
        return {}
    paths = dict(
        OrgUnit.objects.filter(pk__in={unit_id for unit_id, _rest, _n in moves}).values_list(
            "pk", "path"
        )
    )
    ids = unit_ids(p for path in paths.values() for p in prefixes(path))
    deltas: Deltas = {}
    for unit_id, rest, n in moves:
        for path in prefixes(paths[unit_id]):
            add(deltas, (ids[path], *rest), n)
    return deltas


def move_changed(
    rollup: type[models.Model], key_fields: Sequence[str], counter: str, *, was: dict, now: dict
) -> list:
    """Move the counts of the things whose state changed. ``was`` (their counted rows) and ``now``
    (their state) map a thing to the rollup key it counts under (values of ``key_fields``, unit
    id first), absent when not counted: −1 under the old key at its unit and every ancestor, +1
    under the new one. Returns the changed things, sorted, whose counted rows the caller
    rewrites. No query when nothing changed."""
    changed = sorted(thing for thing in set(now) | set(was) if now.get(thing) != was.get(thing))
    moves = [(was[thing], -1) for thing in changed if thing in was]
    moves += [(now[thing], 1) for thing in changed if thing in now]
    deltas = ancestor_deltas((key[0], key[1:], n) for key, n in moves)
    upsert(rollup, key_fields, (counter,), deltas)
    return changed


def subtree_deltas(*, old_path: str, new_path: str, grouped: Iterable[tuple[tuple, int]]) -> Deltas:
    """A unit moved: what its subtree counts (``grouped``: (rest of the key, n)) leaves the old
    strict ancestors and joins the new ones; the units inside keep their counts."""
    old_above, new_above = set(prefixes(old_path)[:-1]), set(prefixes(new_path)[:-1])
    losing, gaining = old_above - new_above, new_above - old_above
    ids = unit_ids(losing | gaining)
    deltas: Deltas = {}
    for rest, n in grouped:
        for path, sign in [(p, -1) for p in losing] + [(p, 1) for p in gaining]:
            if path in ids:
                add(deltas, (ids[path], *rest), sign * n)
    return deltas


def counted_subtree_moved(
    rollup: type[models.Model],
    counted: type[models.Model],
    rest: Sequence[str],
    counter: str,
    *,
    old_path: str,
    new_path: str,
) -> None:
    """A unit moved (its subtree is at ``new_path`` already): move what the counted rows of the
    subtree sum to between the old and new ancestors (``subtree_deltas``)."""
    grouped = (
        counted.objects.filter(unit__path__startswith=new_path)
        .order_by()
        .values_list(*rest)
        .annotate(n=models.Count("pk"))
    )
    deltas = subtree_deltas(
        old_path=old_path,
        new_path=new_path,
        grouped=((tuple(values[:-1]), values[-1]) for values in grouped),
    )
    upsert(rollup, ("unit_id", *rest), (counter,), deltas)


def rebuild_from_counted(
    rollup: type[models.Model], counted: type[models.Model], rest: Sequence[str], counter: str
) -> int:
    """Recount ``rollup`` from the counted rows: one ``INSERT ... SELECT ... GROUP BY`` per tree
    depth (an equality join on the path prefix). Returns the number of rows written."""
    rollup.objects.all().delete()
    unit = OrgUnit._meta.db_table
    depth = OrgUnit.objects.aggregate(depth=models.Max("depth"))["depth"] or 0
    keys = ", ".join(f"c.{name}" for name in rest)
    with connection.cursor() as cursor:
        for level in range(1, depth + 1):
            cursor.execute(
                f"""
                INSERT INTO {rollup._meta.db_table} (unit_id, {", ".join(rest)}, {counter})
                SELECT a.id, {keys}, COUNT(*)
                FROM {counted._meta.db_table} c
                JOIN {unit} u ON u.id = c.unit_id
                JOIN {unit} a ON a.path = SUBSTR(u.path, 1, %s)
                WHERE u.depth >= %s
                GROUP BY a.id, {keys}
                """,
                [level * STEP, level],
            )
    return rollup.objects.count()


def stored(
    model: type[models.Model], key_fields: Sequence[str], counter_fields: Sequence[str]
) -> Deltas:
    """The nonzero rows of ``model`` as deltas."""
    size = len(key_fields)
    return {
        tuple(values[:size]): list(values[size:])
        for values in model.objects.values_list(*key_fields, *counter_fields).iterator()
        if any(values[size:])
    }


def differences(have: Deltas, want: Deltas) -> list[tuple[tuple, list | None, list | None]]:
    """(key, stored, expected) for every key where the two differ (zero rows ignored)."""
    have = {key: c for key, c in have.items() if any(c)}
    want = {key: c for key, c in want.items() if any(c)}
    return [
        (key, have.get(key), want.get(key))
        for key in sorted(set(have) | set(want), key=str)
        if have.get(key) != want.get(key)
    ]
