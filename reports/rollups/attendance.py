"""Keep ``AttendanceRollup`` exact, by deltas, inside the transaction of every attendance write.

An attendance is a checked-in registration (lecturer_portal ``Registration`` with status
attended) of an active person, counted at every ancestor of the person's unit under the person's
channel, the session's kind and the local date of the session's start. A registration copies
neither the unit nor the channel, so ``AttendeePlace`` (one row per person who ever checked in)
remembers where the person's attendances are counted: a person event compares it with the
person's current unit, channel and state and moves their attendances when they differ, whatever
the order in which the organization signals arrive.
"""

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Value
from django.db.models.functions import Concat, Substr, TruncDate
from django.utils import timezone

from lecturer_portal.models import Registration, RegistrationStatus, TrainingSession
from organization.models import OrgUnit, Person
from reports.models import AttendanceRollup, AttendeePlace

from .upsert import Deltas, add, differences, prefixes, stored, unit_ids, upsert

KEY_FIELDS = ("unit_id", "channel", "session_kind", "attended_on")
COUNTERS = ("n_attended",)

# Deltas: (unit_id, channel, session_kind, attended_on) -> [attended]


def _attended(registrations=None):
    queryset = registrations if registrations is not None else Registration.objects.all()
    return queryset.filter(status=RegistrationStatus.ATTENDED).annotate(
        attended_on=TruncDate("session__starts_at")
    )


def _add(deltas: Deltas, ids: dict[str, int], path: str, key: tuple, n: int) -> None:
    """``n`` attendances under ``key`` (channel, kind, date) at every ancestor of ``path``."""
    for prefix in prefixes(path):
        if prefix in ids:
            add(deltas, (ids[prefix], *key), n)


def _apply(deltas: Deltas) -> None:
    upsert(AttendanceRollup, KEY_FIELDS, COUNTERS, deltas)


def _by_place(rows) -> Deltas:
    """Deltas of (org_path, channel, kind, date, signed count) rows."""
    rows = list(rows)
    ids = unit_ids(p for row in rows for p in prefixes(row[0]))
    deltas: Deltas = {}
    for path, channel, kind, attended_on, n in rows:
        _add(deltas, ids, path, (channel, kind, attended_on), n)
    return deltas


def _current_place(person: Person) -> tuple[str, str, bool]:
    # Read the path, not the cached ``person.org_unit``: a subtree move may have rewritten it.
    path = OrgUnit.objects.filter(pk=person.org_unit_id).values_list("path", flat=True).get()
    return path, person.channel, person.is_active


def _place(person: Person) -> AttendeePlace:
    """Where the person's attendances count: one query reading the place and the person's
    current state together; at their first check-in the place is created from the latter."""
    stored_path, stored_channel, counted, path, channel, active = (
        Person.objects.filter(pk=person.pk)
        .values_list(
            "attendee_place__org_path",
            "attendee_place__channel",
            "attendee_place__counted",
            "org_unit__path",
            "channel",
            "is_active",
        )
        .get()
    )
    if stored_path is not None:
        return AttendeePlace(
            person_id=person.pk, org_path=stored_path, channel=stored_channel, counted=counted
        )
    place = AttendeePlace(person_id=person.pk, org_path=path, channel=channel, counted=active)
    # A concurrent first check-in of the same person would write the very same row.
    AttendeePlace.objects.bulk_create([place], ignore_conflicts=True)
    return place


# Events ----------------------------------------------------------------------------------------


def attendance_changed(*, registration: Registration, attended: bool) -> None:
    """One registration started (``attended``) or stopped counting as attendance."""
    place = _place(registration.person)
    if not place.counted:
        return
    session = registration.session
    key = (place.channel, session.kind, timezone.localdate(session.starts_at))
    _apply(_by_place([(place.org_path, *key, 1 if attended else -1)]))


def registration_removed(*, registration: Registration) -> None:
    """Before an attended registration is deleted (Django's ``pre_delete``: the person's place
    is still there when the person is deleted with their registrations)."""
    if registration.status != RegistrationStatus.ATTENDED:
        return
    place = AttendeePlace.objects.filter(person_id=registration.person_id, counted=True).first()
    if place is None:
        return
    session = TrainingSession.objects.values_list("kind", "starts_at").get(
        pk=registration.session_id
    )
    key = (place.channel, session[0], timezone.localdate(session[1]))
    _apply(_by_place([(place.org_path, *key, -1)]))


def session_key(session: TrainingSession) -> tuple[str, object] | None:
    """What a stored session's attendances are counted under (kind, local date of the start)."""
    stored = TrainingSession.objects.filter(pk=session.pk).values_list("kind", "starts_at").first()
    return None if stored is None else (stored[0], timezone.localdate(stored[1]))


def session_changed(*, session: TrainingSession, before: tuple[str, object] | None) -> None:
    """A session saved: its attendances follow a new kind or start date."""
    after = (session.kind, timezone.localdate(session.starts_at))
    if before is None or before == after:
        return
    rows = (
        Registration.objects.filter(
            session=session,
            status=RegistrationStatus.ATTENDED,
            person__attendee_place__counted=True,
        )
        .values_list("person__attendee_place__org_path", "person__attendee_place__channel")
        .annotate(n=Count("pk"))
        .order_by()
    )
    changes = []
    for path, channel, n in rows:
        changes += [(path, channel, *before, -n), (path, channel, *after, n)]
    _apply(_by_place(changes))


def person_changed(*, person: Person) -> None:
    """A person moved, changed channel, was deactivated or reactivated: their attendances leave
    the place they were counted at and join the current one."""
    place = AttendeePlace.objects.select_for_update().filter(person_id=person.pk).first()
    if place is None:
        return
    path, channel, active = _current_place(person)
    if (place.org_path, place.channel, place.counted) == (path, channel, active):
        return
    mine = (
        _attended(Registration.objects.filter(person_id=person.pk))
        .values_list("session__kind", "attended_on")
        .annotate(n=Count("pk"))
        .order_by()
    )
    changes = []
    for kind, attended_on, n in mine:
        if place.counted:
            changes.append((place.org_path, place.channel, kind, attended_on, -n))
        if active:
            changes.append((path, channel, kind, attended_on, n))
    _apply(_by_place(changes))
    place.org_path, place.channel, place.counted = path, channel, active
    place.save(update_fields=["org_path", "channel", "counted"])


def subtree_moved(*, old_path: str, new_path: str) -> None:
    """A unit moved: the attendances counted inside it leave the old strict ancestors and join
    the new ones (units inside keep their counts); the places follow the new paths."""
    old_above, new_above = set(prefixes(old_path)[:-1]), set(prefixes(new_path)[:-1])
    losing, gaining = old_above - new_above, new_above - old_above
    ids = unit_ids(losing | gaining)
    moved = (
        _attended()
        .filter(
            person__attendee_place__counted=True,
            person__attendee_place__org_path__startswith=old_path,
        )
        .values_list("person__attendee_place__channel", "session__kind", "attended_on")
        .annotate(n=Count("pk"))
        .order_by()
    )
    deltas: Deltas = {}
    for channel, kind, attended_on, n in moved:
        for path, sign in [(p, -1) for p in losing] + [(p, 1) for p in gaining]:
            if path in ids:
                add(deltas, (ids[path], channel, kind, attended_on), sign * n)
    _apply(deltas)
    AttendeePlace.objects.filter(org_path__startswith=old_path).update(
        org_path=Concat(Value(new_path), Substr("org_path", len(old_path) + 1))
    )


# Rebuild and check -----------------------------------------------------------------------------


def expected() -> Deltas:
    """Every rollup recounted from the registrations and the people's current place."""
    rows = (
        _attended()
        .filter(person__is_active=True)
        .values_list("person__org_unit__path", "person__channel", "session__kind", "attended_on")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {key: c for key, c in _by_place(rows).items() if any(c)}


def diff() -> list[tuple[tuple, list[int] | None, list[int] | None]]:
    """(key, stored, expected) for every rollup that differs from a recount."""
    return differences(stored(AttendanceRollup, KEY_FIELDS, COUNTERS), expected())


@transaction.atomic
def rebuild() -> int:
    """Throw the rollups and the places away and recount them from the registrations (grouped in
    SQL; attendances are far fewer than enrolments). Returns the number of rollup rows written."""
    AttendanceRollup.objects.all().delete()
    AttendeePlace.objects.all().delete()
    attended = Registration.objects.filter(
        person=OuterRef("pk"), status=RegistrationStatus.ATTENDED
    )
    people = (
        Person.objects.filter(Exists(attended))
        .values_list("pk", "org_unit__path", "channel", "is_active")
        .iterator(chunk_size=2000)
    )
    batch = []
    for person_id, path, channel, active in people:
        batch.append(
            AttendeePlace(person_id=person_id, org_path=path, channel=channel, counted=active)
        )
        if len(batch) == 2000:
            AttendeePlace.objects.bulk_create(batch)
            batch = []
    AttendeePlace.objects.bulk_create(batch)
    _apply(expected())
    return AttendanceRollup.objects.count()


__all__ = [
    "attendance_changed",
    "diff",
    "expected",
    "person_changed",
    "rebuild",
    "registration_removed",
    "session_changed",
    "session_key",
    "subtree_moved",
]
