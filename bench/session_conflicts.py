"""Checking a new lecturer assignment against 10,000 scheduled sessions and 2,000 lecturers.

Data: a 1,000-unit tree; 2,000 lecturers in the prefectures and counties (each qualified for
their own company's products and one other company's); 10,000 published sessions of two hours
over one year, hosted by prefectures, each with a lead lecturer and a third with an assistant
too (about 13,000 active assignments, so a lecturer holds six or seven). A province coordinator
asks, as the assignment page does, whether lecturers of their province may take a new session:
``lecturer_portal.conflicts.check_assignment`` (double-booking, qualification, region, reach).

Reports:
- ``session_conflicts_check_queries``: queries per check (target: one or two).
- ``session_conflicts_check_median_ms`` / ``…_p95_ms``: one check, each time another lecturer
  (target: median under 20 ms).
- ``session_conflicts_check_sql_median_ms``: the same two queries sent as plain SQL, without
  the ORM (what the database and the round trips cost; the rest is Python building the queries).
- ``session_conflicts_busy_share``: the share of those checks that found a double booking: half
  the lecturers asked about are booked at that time, so the check finds overlaps, not just none.
- ``session_conflicts_suggest_median_ms``: the suggestions list (qualified, free, nearest first).
Above target the query plans go to stderr.
"""

import random
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from _common import generate_people, generate_tree, median, p95, report, setup_django, timed

LECTURERS = 2000
SESSIONS = 10_000
TARGET_MS = 20
SHANGHAI = ZoneInfo("Asia/Shanghai")


def main() -> int:
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from lecturer_portal.conflicts import check_assignment, suggest_lecturers
    from lecturer_portal.models import (
        AssignmentRole,
        AssignmentStatus,
        LecturerAssignment,
        LecturerProfile,
        Qualification,
        QualificationSource,
        SessionKind,
        SessionStatus,
        TrainingSession,
    )
    from lecturer_portal.selectors import session_for_assignment
    from organization.models import OrgUnitKind, Role

    rng = random.Random(5)
    units = generate_tree(1000)
    companies = [unit for unit in units if unit.kind == OrgUnitKind.COMPANY]
    prefectures = [unit for unit in units if unit.kind == OrgUnitKind.PREFECTURE]
    homes = [unit for unit in units if unit.kind in (OrgUnitKind.PREFECTURE, OrgUnitKind.COUNTY)]
    province = next(unit for unit in units if unit.kind == OrgUnitKind.PROVINCE)
    people = generate_people(homes, LECTURERS, roles=[Role.LECTURER], prefix="T")
    (coordinator,) = generate_people([province], 1, roles=[Role.COORDINATOR], prefix="C")
    company_of = {unit.pk: unit.company for unit in units}

    with transaction.atomic():
        profiles = LecturerProfile.objects.bulk_create(
            [LecturerProfile(person=person) for person in people], batch_size=2000
        )
        qualifications = []
        for profile, person in zip(profiles, people, strict=True):
            own = company_of[person.org_unit_id]
            other = rng.choice([c for c in companies if c.pk != own.pk])
            qualifications += [
                Qualification(
                    lecturer=profile,
                    company=company,
                    source=QualificationSource.APPOINTED,
                    obtained_on=datetime(2030, 1, 1).date(),
                )
                for company in (own, other)
            ]
        Qualification.objects.bulk_create(qualifications, batch_size=5000)

        year_start = datetime(2031, 1, 1, tzinfo=SHANGHAI)
        sessions = []
        for number in range(SESSIONS):
            starts_at = year_start + timedelta(days=rng.randrange(365), hours=rng.choice((9, 14)))
            host = rng.choice(prefectures)
            sessions.append(
                TrainingSession(
                    title=f"交叉销售培训{number:05d}",
                    kind=SessionKind.CROSS_COMPANY,
                    topic="寿险产品",
                    product_company=rng.choice(companies),
                    host_unit=host,
                    audience_root=host,
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(hours=2),
                    place="培训中心",
                    capacity=60,
                    registration_deadline=starts_at - timedelta(days=1),
                    status=SessionStatus.PUBLISHED,
                )
            )
        sessions = TrainingSession.objects.bulk_create(sessions, batch_size=2000)
        assignments = []
        for session in sessions:
            lead, assistant = rng.sample(profiles, 2)
            assignments.append(
                LecturerAssignment(
                    session=session,
                    lecturer=lead,
                    role=AssignmentRole.LEAD,
                    status=AssignmentStatus.ACCEPTED,
                    starts_at=session.starts_at,
                    ends_at=session.ends_at,
                )
            )
            if rng.random() < 1 / 3:
                assignments.append(
                    LecturerAssignment(
                        session=session,
                        lecturer=assistant,
                        role=AssignmentRole.ASSISTANT,
                        status=AssignmentStatus.ACCEPTED,
                        starts_at=session.starts_at,
                        ends_at=session.ends_at,
                    )
                )
        LecturerAssignment.objects.bulk_create(assignments, batch_size=5000)

        # The new session overlaps a slot of the schedule, hosted in the coordinator's province.
        slot = sessions[0].starts_at
        host = next(unit for unit in prefectures if unit.is_within(province))
        new = TrainingSession.objects.create(
            title="新场次",
            kind=SessionKind.CROSS_COMPANY,
            topic="寿险产品",
            product_company=company_of[host.pk],
            host_unit=host,
            audience_root=host,
            starts_at=slot + timedelta(minutes=30),
            ends_at=slot + timedelta(hours=2, minutes=30),
            place="培训中心",
            capacity=60,
            registration_deadline=slot - timedelta(days=1),
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")

    user = (
        get_user_model()
        .objects.select_related("person__org_unit")
        .prefetch_related("groups")
        .get(pk=coordinator.user_id)
    )
    user.person.roles  # noqa: B018 (a request has the user's person and roles loaded)
    session = session_for_assignment(new.pk)
    # Half the lecturers asked about are booked at that time (somewhere), half are the province's.
    booked = list(
        LecturerProfile.objects.filter(
            assignments__starts_at__lt=session.ends_at, assignments__ends_at__gt=session.starts_at
        ).distinct()
    )
    provincial = [
        profile
        for profile, person in zip(profiles, people, strict=True)
        if person.org_unit.is_within(province)
    ]
    candidates = [*booked, *rng.sample(provincial, min(len(booked), len(provincial)))]
    rng.shuffle(candidates)
    lecturers = iter(candidates * 50)
    busy = []

    def check():
        result = check_assignment(
            user=user, session=session, lecturer=next(lecturers), role=AssignmentRole.LEAD
        )
        busy.append(any("已有安排" in error for error in result.errors))

    with CaptureQueriesContext(connection) as captured:
        check()
    check_ms = timed(check, repeat=300, warmup=10)

    def database_only():
        with connection.cursor() as cursor:
            for query in captured:
                cursor.execute(query["sql"])
                cursor.fetchall()

    sql_ms = timed(database_only, repeat=300, warmup=10)
    suggest_ms = timed(lambda: suggest_lecturers(user=user, session=session), repeat=50)
    suggested = suggest_lecturers(user=user, session=session)
    assert suggested, "no suggestions: the data should leave free qualified lecturers"

    report("session_conflicts_check_queries", len(captured), "queries")
    report("session_conflicts_check_median_ms", median(check_ms), "ms")
    report("session_conflicts_check_p95_ms", p95(check_ms), "ms")
    report("session_conflicts_check_sql_median_ms", median(sql_ms), "ms")
    report("session_conflicts_busy_share", 100 * sum(busy) / len(busy), "%")
    report("session_conflicts_suggest_median_ms", median(suggest_ms), "ms")

    if median(check_ms) > TARGET_MS or len(captured) > 2:
        print(f"Over {TARGET_MS} ms or two queries; the plans:", file=sys.stderr)
        for query in captured:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
            print(f"-- {query['sql'][:120]}\n{plan}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
