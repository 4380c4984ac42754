"""Keep ``CertificationRollup`` (current certificate holders per unit subtree × certification ×
channel × expiry date) exact, by deltas.

A person counts once per certification, with their *current* certificate: the unrevoked one that
expires last (a renewal replaces the old expiry; revoking the renewal brings the old one back).
Certificate writes (``quizzes.signals.certificate_changed``: grant, renewal, revocation, regrade)
and people events (moved, deactivated / reactivated, channel changed) call ``sync`` for the people
they touched: their current state is compared with ``CountedHolder`` and only a difference moves
the counts, as in ``reports.rollups.people``. Expiry needs no write: readers compare
``expires_on`` with the day.
"""

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Max, Q

from quizzes.models import Certificate
from reports.models import CertificationRollup, CountedHolder

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

REST = ("certification_id", "channel", "expires_on")
KEY_FIELDS = ("unit_id", *REST)
COUNTER = "n_holders"

# (person id, certification id) -> the rollup key it counts under (KEY_FIELDS)
States = dict[tuple[int, int], tuple[int, int, str, object]]


def _holders(certificates: Q) -> States:
    """How the active holders among ``certificates`` count now: one query."""
    holders = (
        Certificate.objects.filter(certificates, revoked_at__isnull=True, person__is_active=True)
        .order_by()
        .values_list("person_id", "certification_id", "person__org_unit_id", "person__channel")
        .annotate(expires=Max("expires_on"))
    )
    return {
        (person, certification): (unit_id, certification, channel, expires)
        for person, certification, unit_id, channel, expires in holders
    }


def sync(*, person_ids: Iterable[int], certification_id: int | None = None) -> None:
    """Bring the counts of these people (for one certification, or all) in line with their
    certificates and place."""
    ids = set(person_ids)
    if not ids:
        return
    lock_people(ids)
    scope = Q(person_id__in=ids)
    if certification_id is not None:
        scope &= Q(certification_id=certification_id)
    now = _holders(scope)
    counted = CountedHolder.objects.filter(scope).values_list(
        "person_id", "certification_id", "unit_id", "channel", "expires_on"
    )
    was = {
        (person, certification): (unit_id, certification, channel, expires)
        for person, certification, unit_id, channel, expires in counted
    }
    changed = move_changed(CertificationRollup, KEY_FIELDS, COUNTER, was=was, now=now)
    if not changed:
        return
    gone = Q(pk__in=[])
    for person_id, certification in changed:
        if (person_id, certification) in was:
            gone |= Q(person_id=person_id, certification_id=certification)
    CountedHolder.objects.filter(gone).delete()
    CountedHolder.objects.bulk_create(
        CountedHolder(
            person_id=key[0],
            certification_id=key[1],
            unit_id=now[key][0],
            channel=now[key][2],
            expires_on=now[key][3],
        )
        for key in changed
        if key in now
    )


def subtree_moved(*, old_path: str, new_path: str) -> None:
    counted_subtree_moved(
        CertificationRollup, CountedHolder, REST, COUNTER, old_path=old_path, new_path=new_path
    )


# Rebuild and check -----------------------------------------------------------------------------


def expected() -> Deltas:
    """Every rollup row recounted from the certificates."""
    return ancestor_deltas((key[0], key[1:], 1) for key in _holders(Q()).values())


def diff() -> list:
    return differences(stored(CertificationRollup, KEY_FIELDS, (COUNTER,)), expected())


@transaction.atomic
def rebuild() -> int:
    """Recount the counted holders (one ``INSERT ... SELECT``) and the rollups, in SQL."""
    CountedHolder.objects.all().delete()
    certificate = Certificate._meta.db_table
    person = Certificate._meta.get_field("person").related_model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {CountedHolder._meta.db_table}
                (person_id, certification_id, unit_id, channel, expires_on)
            SELECT c.person_id, c.certification_id, p.org_unit_id, p.channel, MAX(c.expires_on)
            FROM {certificate} c
            JOIN {person} p ON p.id = c.person_id AND p.is_active
            WHERE c.revoked_at IS NULL
            GROUP BY c.person_id, c.certification_id, p.org_unit_id, p.channel
            """
        )
    return rebuild_from_counted(CertificationRollup, CountedHolder, REST, COUNTER)
