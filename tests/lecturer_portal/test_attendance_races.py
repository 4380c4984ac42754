"""The waiting list and check-in under concurrency: real threads against PostgreSQL (the session
row lock is what keeps the seat count right; SQLite serialises writes anyway).

``transactional_db``: the data is committed, so every thread's own connection sees it.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections

from lecturer_portal.attendance import (
    check_in_by_token,
    checkin_token,
    registration_cancel,
    registration_register,
)
from lecturer_portal.models import Registration
from organization.models import Role
from tests.organization.factories import make_person

from .factories import at, make_published

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only"),
    pytest.mark.usefixtures("transactional_db"),
]

BEFORE, DURING = at(1, 9), at(10, 9, 15)


def race(work, count):
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def full_session(tree, gz_coordinator, life_lecturer):
    """Capacity 4, four registered, six waiting (in order)."""
    session = make_published(
        coordinator=gz_coordinator,
        lecturer=life_lecturer,
        host=tree["PGZ"],
        product_company=tree["L"],
        at=BEFORE,
        capacity=4,
    )
    people = [make_person(tree["PGZ0101"], Role.AGENT, name=f"学员{i:02d}") for i in range(10)]
    for i, person in enumerate(people):
        registration_register(person=person, session=session, at=BEFORE + timedelta(seconds=i))
    return session, people


def test_concurrent_cancellations_promote_the_waiting_list_in_order(full_session):
    session, people = full_session
    results = race(
        lambda i: registration_cancel(person=people[i], session=session, at=BEFORE), count=4
    )
    assert not [r for r in results if isinstance(r, Exception)]
    rows = dict(Registration.objects.values_list("person__name", "status"))
    assert [name for name, status in sorted(rows.items()) if status == "registered"] == [
        "学员04",
        "学员05",
        "学员06",
        "学员07",
    ]
    assert [name for name, status in sorted(rows.items()) if status == "waitlisted"] == [
        "学员08",
        "学员09",
    ]


def test_concurrent_registrations_for_the_last_seat_give_it_once(tree, full_session):
    session, people = full_session
    registration_cancel(person=people[0], session=session, at=BEFORE)  # 学员04 promoted
    registration_cancel(person=people[4], session=session, at=BEFORE)  # 学员05 promoted
    newcomers = [make_person(tree["PGZ0101"], Role.AGENT) for _ in range(6)]
    Registration.objects.filter(status="waitlisted").update(status="cancelled")
    registration_cancel(person=people[1], session=session, at=BEFORE)  # one seat free now
    results = race(
        lambda i: registration_register(person=newcomers[i], session=session, at=BEFORE), count=6
    )
    assert sorted(r.status for r in results) == ["registered"] + ["waitlisted"] * 5
    assert Registration.objects.filter(status="registered").count() == 4


def test_concurrent_check_ins_lose_none(tree, full_session):
    session, people = full_session
    token = checkin_token(session=session, at=DURING)
    results = race(
        lambda i: check_in_by_token(person=people[i], session=session, token=token, at=DURING),
        count=4,
    )
    assert not [r for r in results if isinstance(r, Exception)]
    assert Registration.objects.filter(status="attended").count() == 4
