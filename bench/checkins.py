"""QR check-ins per second for a 500-person session, through the real HTTP server.

Server: ``gunicorn config.wsgi``, 2 sync workers on 127.0.0.1 (``bench/_http.py``), bench settings.

Data: a small org tree and 500 agents, all registered for one published session that starts in
ten minutes (check-in open), linked to no course; each agent logged in (a session cookie made in
this process, with a CSRF cookie and header).

Load: 16 client threads with keep-alive connections. A check-in is what the phone's page posts
after the scan: ``POST /sessions/<id>/check-in/`` with the token the lecturer's screen shows at
that moment (computed here with the same SECRET_KEY, so it rotates every 30 s as on the screen),
asking for JSON. Each agent checks in once; the run ends when all 500 have been sent.

Reports ``checkins_per_second``, ``checkin_errors`` (non-2xx answers) and ``checkins_lost``
(agents whose check-in was answered but who are not recorded as attended; must be 0).
"""

import itertools
import os
import sys
import threading
from datetime import timedelta

from _common import report, setup_django

PEOPLE = 500


def main() -> int:
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    setup_django()
    from _courses import agents
    from _http import BenchServer, load, logged_in_headers
    from django.urls import reverse
    from django.utils import timezone

    from lecturer_portal.attendance import checkin_token
    from lecturer_portal.models import (
        Registration,
        RegistrationStatus,
        SessionKind,
        SessionStatus,
        TrainingSession,
    )
    from organization.models import OrgUnitKind

    units, people = agents(PEOPLE)
    root = next(unit for unit in units if unit.depth == 1)
    company = next(unit for unit in units if unit.kind == OrgUnitKind.COMPANY)
    now = timezone.now()
    session = TrainingSession.objects.create(
        title="寿险产品交叉销售培训（压测）",
        kind=SessionKind.CROSS_COMPANY,
        topic="寿险产品",
        product_company=company,
        host_unit=root,
        audience_root=root,
        starts_at=now + timedelta(minutes=10),
        ends_at=now + timedelta(hours=2),
        place="培训中心",
        capacity=PEOPLE,
        registration_deadline=now + timedelta(minutes=5),
        status=SessionStatus.PUBLISHED,
    )
    Registration.objects.bulk_create(
        Registration(
            session=session, person=person, status=RegistrationStatus.REGISTERED, registered_at=now
        )
        for person in people
    )
    headers = [
        {
            **logged_in_headers(person.user),
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        for person in people
    ]
    path = reverse("lecturer_portal:check_in", args=[session.pk])
    order = itertools.count()
    lock = threading.Lock()

    def check_in(_t: int, _i: int):
        with lock:
            index = next(order)
        token = checkin_token(session=session)
        return "POST", path, f"t={token}".encode(), headers[index % PEOPLE]

    with BenchServer() as server:
        result = load(server.port, check_in, seconds=120, max_requests=PEOPLE)

    attended = Registration.objects.filter(
        session=session, status=RegistrationStatus.ATTENDED
    ).count()
    answered_ok = result.requests - result.errors
    report("checkins_per_second", round(result.rps, 1), "req/s")
    report("checkin_errors", result.errors, "requests")
    report("checkins_lost", max(answered_ok - attended, 0), "check-ins")
    for sample in result.error_samples:
        print(f"error answer: {sample}", file=sys.stderr)
    if result.requests != PEOPLE or result.errors or attended != PEOPLE:
        print(f"Sent {result.requests}, recorded {attended} of {PEOPLE}.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
