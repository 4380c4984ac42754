"""Counters kept exact by deltas inside the transaction of every write they count.

One module per family of counters; each offers ``rebuild()`` (recount from the raw records,
returns the rows written) and ``diff()`` ((key, stored, expected) for every counter that differs
from a recount). ``manage.py rollups_rebuild`` runs them all.
"""

from . import attendance, certificates, completions, enrollments, people

FAMILIES = {
    "enrollments": enrollments,
    "completions": completions,
    "attendance": attendance,
    "agents": people,
    "certificates": certificates,
}


def rebuild_all() -> dict[str, int]:
    return {name: family.rebuild() for name, family in FAMILIES.items()}


def diff_all() -> dict[str, list]:
    return {name: family.diff() for name, family in FAMILIES.items()}
