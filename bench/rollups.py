"""Dashboards at group scale: the rollups (reports/) over millions of enrolments.

Data (``BENCH_ROLLUP_AGENTS``, default 200,000 agents; 20 courses; every agent enrolled in every
course: 4,000,000 enrolments): a 5,000-unit tree, the agents spread over its outlets, enrolments
written with one ``INSERT ... SELECT`` (a third not started, a third in progress, a third
completed; five courses assigned with a due date, one of them already past), certificates for
every fourth agent (one of the six cross-selling certifications of their company, issued over the
last two years, so some have expired and some expire within 30 days), then every rollup family
recounted by its ``rebuild`` (SQL, one pass per depth).

Reports:
- ``rollups_scale``: the agents and enrolments generated (smaller when the variable says so).
- ``rollups_generate_s`` / ``rollups_rebuild_s``: seconds to write the enrolments / recount
  every family (``rollups_rebuild_<family>_s`` each).
- ``rollups_group_root_ms`` / ``rollups_province_ms``: p95 server time of the dashboard (the
  whole view through the test client: selectors, template) for the group root (a superuser) and
  a province manager; ``…_queries``: queries per page (does not grow with the child units).
- ``rollups_progress_event_ms``: p95 of one completion (``enrollment_complete``: the enrolment
  write plus the rollup upserts at every ancestor, one transaction); the rollups show it as soon
  as it commits, so this is the time for one progress event to show.
- ``rollups_matrix_ms`` / ``…_queries``: the cross-company matrix at the group root.
- ``rollups_certificate_event_ms``: p95 of one certificate issued (with the rollup upserts).
Target (issue 6): dashboards under 300 ms p95.
"""

import os
import time

from _common import (
    generate_enrolments,
    generate_people,
    generate_tree,
    median,
    p95,
    report,
    setup_django,
    timed,
)

AGENTS = int(os.environ.get("BENCH_ROLLUP_AGENTS", "200000"))
COURSES = 20
ASSIGNED = 5


def main() -> int:
    setup_django()
    from _courses import assigned_courses
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from courses.models import Enrollment
    from courses.services import enrollment_complete
    from organization.models import OrgUnitKind, Person, Role
    from quizzes.certificates import certificate_issue
    from quizzes.models import Certificate, Certification
    from reports import rollups
    from reports.models import AgentRollup, EnrollmentRollup

    units = generate_tree(5000)
    root = next(u for u in units if u.kind == OrgUnitKind.GROUP)
    company = next(u for u in units if u.kind == OrgUnitKind.COMPANY)
    province = next(u for u in units if u.kind == OrgUnitKind.PROVINCE)
    outlets = [u for u in units if u.kind == OrgUnitKind.OUTLET]
    generate_people(outlets, AGENTS)
    (manager,) = generate_people([province], 1, roles=[Role.MANAGER], prefix="M")
    plan = assigned_courses(
        root=root, company=company, count=COURSES, assigned=ASSIGNED, first_due_in_days=-10
    )

    started = time.perf_counter()
    generate_enrolments(plan)
    generate_s = time.perf_counter() - started
    enrolments = Enrollment.objects.count()
    generate_certificates()
    rebuild = {}
    for family_name, family in rollups.FAMILIES.items():
        started = time.perf_counter()
        rebuild[family_name] = (family.rebuild(), time.perf_counter() - started)
    written = sum(rows for rows, _s in rebuild.values())
    rebuild_s = sum(seconds for _rows, seconds in rebuild.values())
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    total = EnrollmentRollup.objects.filter(unit=root).values_list("n_enrolled", flat=True)
    assert sum(total) == enrolments, (sum(total), enrolments)
    agents = AgentRollup.objects.filter(unit=root).values_list("n_agents", flat=True)
    assert sum(agents) == AGENTS, (sum(agents), AGENTS)

    superuser = get_user_model().objects.create_superuser("benchroot", password=None)
    results = {}
    for name, user, url in (
        ("group_root", superuser, "/reports/"),
        ("province", manager.user, "/reports/"),
        ("matrix", superuser, "/reports/matrix/"),
    ):
        client = Client()
        client.force_login(user)
        executed = []

        def count(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        # (CaptureQueriesContext would not do: every request resets the query log.)
        with connection.execute_wrapper(count):
            response = client.get(url)
        assert response.status_code == 200, response.status_code
        samples = timed(lambda client=client, url=url: client.get(url), repeat=20, warmup=2)
        results[name] = (samples, len(executed))

    not_started = list(
        Enrollment.objects.filter(status="not_started", person__is_active=True)
        .select_related("person__org_unit", "course")
        .order_by("pk")[:40]
    )
    event_ms = []
    for enrollment in not_started[:30]:
        begin = time.perf_counter()
        enrollment_complete(person=enrollment.person, course=enrollment.course, at=timezone.now())
        event_ms.append((time.perf_counter() - begin) * 1000)

    holders = list(Person.objects.filter(org_unit__kind="outlet").order_by("pk")[:20])
    certification = Certification.objects.order_by("pk").first()
    certificate_ms = []
    for person in holders:
        begin = time.perf_counter()
        certificate_issue(certification=certification, person=person, at=timezone.now())
        certificate_ms.append((time.perf_counter() - begin) * 1000)

    report("rollups_scale_agents", AGENTS, "agents")
    report("rollups_scale_certificates", Certificate.objects.count(), "certificates")
    report("rollups_scale_enrolments", enrolments, "enrolments")
    report("rollups_rows", written, "rows")
    report("rollups_generate_s", round(generate_s, 1), "s")
    report("rollups_rebuild_s", round(rebuild_s, 1), "s")
    for family_name, (_rows, seconds) in rebuild.items():
        report(f"rollups_rebuild_{family_name}_s", round(seconds, 1), "s")
    for name, (samples, queries) in results.items():
        report(f"rollups_{name}_ms", round(p95(samples), 1), "ms")
        report(f"rollups_{name}_median_ms", round(median(samples), 1), "ms")
        report(f"rollups_{name}_queries", queries, "queries")
    report("rollups_progress_event_ms", round(p95(event_ms), 1), "ms")
    report("rollups_certificate_event_ms", round(p95(certificate_ms), 1), "ms")
    return 0


def generate_certificates() -> None:
    """Six cross-selling certifications (each company's people selling each other company's
    products) and a certificate of one of their company's two for every fourth agent, issued
    0–729 days ago for two years: one INSERT ... SELECT."""
    from _quizzes import build_quiz
    from django.db import connection, transaction

    from organization.models import OrgUnit, OrgUnitKind, Person
    from quizzes.models import Certificate, Certification

    companies = list(OrgUnit.objects.filter(kind=OrgUnitKind.COMPANY).order_by("path"))
    quiz = build_quiz(company=companies[0], audience=companies, questions=1)
    pairs = [(h, p) for h in companies for p in companies if h != p]
    with transaction.atomic(), connection.cursor() as cursor:
        for index, (holder, product) in enumerate(pairs):
            certification = Certification.objects.create(
                name=f"交叉销售资格{index + 1}",
                code=f"CX{index + 1}",
                product_company=product,
                holder_company=holder,
                quiz=quiz,
            )
            # The agents of ``holder`` whose id / 4 picks this one of the company's two.
            cursor.execute(
                f"""
                INSERT INTO {Certificate._meta.db_table} (certification_id, person_id, serial,
                    verification_code, issued_at, issued_on, expires_on, org_path, company_id,
                    revoked_reason)
                SELECT %(certification)s, p.id, 'BENCH-' || %(certification)s || '-' || p.id,
                       SUBSTR(MD5('bench' || p.id || '-' || %(certification)s), 1, 20),
                       now() - (p.id %% 730) * INTERVAL '1 day',
                       CURRENT_DATE - (p.id %% 730)::int,
                       CURRENT_DATE - (p.id %% 730)::int + 730,
                       u.path, u.company_id, ''
                FROM {Person._meta.db_table} p
                JOIN organization_orgunit u ON u.id = p.org_unit_id
                WHERE u.kind = 'outlet' AND u.company_id = %(holder)s AND p.id %% 4 = 0
                  AND (p.id / 4) %% 2 = %(which)s
                """,
                {
                    "certification": certification.pk,
                    "holder": holder.pk,
                    "which": [p for h, p in pairs if h == holder].index(product),
                },
            )


if __name__ == "__main__":
    raise SystemExit(main())
