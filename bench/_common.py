"""Shared helpers for the benchmark scripts: a fresh PostgreSQL database, data at scale, timing.

Each ``bench/<name>.py`` script runs in its own process (``bench/run.py``) and starts with::

    from _common import setup_django

    setup_django()

which points Django at a freshly made PostgreSQL database of its own (``<base>_<script>``, the base
named by ``DATABASE_URL``, by default ``postgres://postgres@127.0.0.1:5432/cst_bench``), so every
script measures against the same empty, migrated schema whatever ran before or beside it.
Migrations run into ``<base>_template`` (a no-op when it is up to date) and the script's database
is cloned from it with ``CREATE DATABASE … TEMPLATE``, which takes well under a second where a
full Wagtail migrate takes several.

The generators write with ``bulk_create`` — tens of thousands of rows in seconds — and fill in the
treebeard columns (``path``, ``depth``, ``numchild``) and ``company`` exactly as
``organization.services.org_unit_create`` would, so scope filters and rollups see a real tree.
"""

import itertools
import json
import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cst_bench"

# Real provinces (GB/T 2260), used in order; the i-th province of every company shares a region
# code so that cross-company matching sees P&C and life branches in the same places.
PROVINCES = [
    ("广东", "440000"),
    ("江苏", "320000"),
    ("浙江", "330000"),
    ("山东", "370000"),
    ("河南", "410000"),
    ("四川", "510000"),
    ("湖北", "420000"),
    ("湖南", "430000"),
    ("河北", "130000"),
    ("福建", "350000"),
    ("安徽", "340000"),
    ("辽宁", "210000"),
    ("陕西", "610000"),
    ("江西", "360000"),
    ("广西", "450000"),
    ("云南", "530000"),
    ("山西", "140000"),
    ("贵州", "520000"),
    ("重庆", "500000"),
    ("黑龙江", "230000"),
    ("吉林", "220000"),
    ("内蒙古", "150000"),
    ("新疆", "650000"),
    ("甘肃", "620000"),
    ("天津", "120000"),
    ("上海", "310000"),
    ("北京", "110000"),
    ("海南", "460000"),
    ("宁夏", "640000"),
    ("青海", "630000"),
    ("西藏", "540000"),
]

_employee_numbers = itertools.count(1)


def database_url() -> str:
    return os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin_connection(url: str):
    import psycopg

    return psycopg.connect(_with_database(url, "postgres"), autocommit=True)


def _database_exists(cursor, name: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    return cursor.fetchone() is not None


def setup_django(*, settings_module: str = "config.settings.test") -> None:
    """Configure Django on a fresh, migrated database of the running script's own.

    ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/cst_bench``) names the base:
    ``bench/scope_filter.py`` gets ``cst_bench_scope_filter``, cloned from ``cst_bench_template``,
    so benchmarks run at the same time never drop each other's data, and the data stays for a
    look afterwards. On return ``DATABASE_URL`` names the script's database, for child processes.
    An advisory lock makes concurrent scripts take turns at migrating and cloning the template.

    The test settings are the default: DEBUG off (no query log in the timings), the fast password
    hasher and the immediate task backend, so a task runs inside the measured call.
    """
    from psycopg import sql

    url = database_url()
    base = urlsplit(url).path.lstrip("/")
    if not url.startswith(("postgres://", "postgresql://")) or not base:
        raise SystemExit(f"DATABASE_URL must name a PostgreSQL database, not {url!r}.")
    name = f"{base}_{Path(sys.argv[0]).stem}"
    template = f"{base}_template"

    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    os.environ["DATABASE_URL"] = _with_database(url, template)
    import django
    from django.core.management import call_command
    from django.db import connection, connections

    with _admin_connection(url) as admin, admin.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [template])
        if not _database_exists(cursor, template):
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(template)))
        django.setup()
        call_command("migrate", verbosity=0, interactive=False)
        connections.close_all()
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        cursor.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )
    # What Django's own test runner does to switch to the test database.
    connection.settings_dict["NAME"] = name
    os.environ["DATABASE_URL"] = _with_database(url, name)


def _tree_shape(units: int) -> tuple[int, int, int]:
    """Provinces per company, prefectures per province, counties per prefecture.

    The same fan-out at each of the three levels under the three companies, chosen so that about
    eight outlets remain per county; outlets take whatever is left of ``units``.
    """
    fanout = max(1, round((units / 3 / 8) ** (1 / 3)))
    return min(fanout, len(PROVINCES)), fanout, fanout


def generate_tree(units: int = 5000) -> list:
    """A whole org tree of ``units`` nodes: group → companies → provinces → prefectures →
    counties → outlets, returned in tree order (parents before children, siblings in path order).

    Every level above the outlets is complete; the outlets share what is left of ``units`` evenly
    among the counties (a small ``units`` stops the tree part-way through a level). Codes are
    ``P``, ``P-01``, ``P-01-02``, … Three queries whatever the size: the group and companies, their
    ``company`` column, and everything below.
    """
    from django.db import transaction
    from django.db.models import F

    from organization.demo import COMPANIES
    from organization.models import OrgUnit, OrgUnitKind

    if OrgUnit.objects.exists():
        raise RuntimeError("generate_tree() needs an empty org tree; call setup_django() first.")
    provinces, prefectures, counties = _tree_shape(units)
    created: list[OrgUnit] = []

    def add(parent: OrgUnit | None, kind: str, code: str, name: str, region: str) -> OrgUnit | None:
        if len(created) == units:
            return None
        if parent is None:
            path = OrgUnit._get_path(None, 1, 1)
        else:
            parent.numchild += 1
            path = OrgUnit._get_path(parent.path, parent.depth + 1, parent.numchild)
        unit = OrgUnit(
            path=path,
            depth=len(path) // OrgUnit.steplen,
            numchild=0,
            kind=kind,
            code=code,
            name=name,
            region_code=region,
            company=None if parent is None or kind == OrgUnitKind.COMPANY else parent.company,
        )
        created.append(unit)
        return unit

    def children(parents, make_specs):
        made = []
        for parent in parents:
            for spec in make_specs(parent):
                unit = add(parent, *spec)
                if unit is not None:
                    made.append(unit)
        return made

    group = add(None, OrgUnitKind.GROUP, "PICC", "中国人保集团", "110000")
    companies = children(
        [group], lambda g: [(OrgUnitKind.COMPANY, c, n, "110000") for c, n in COMPANIES]
    )
    for company in companies:
        company.company = company
    province_level = children(
        companies,
        lambda c: [
            (OrgUnitKind.PROVINCE, f"{c.code}-{i:02d}", f"{c.name}{name}分公司", region)
            for i, (name, region) in enumerate(PROVINCES[:provinces], start=1)
        ],
    )
    prefecture_level = children(
        province_level,
        lambda p: [
            (
                OrgUnitKind.PREFECTURE,
                f"{p.code}-{i:02d}",
                f"{p.name.removesuffix('分公司')}第{i}地市分公司",
                f"{p.region_code[:2]}{i:02d}00",
            )
            for i in range(1, prefectures + 1)
        ],
    )
    county_level = children(
        prefecture_level,
        lambda p: [
            (
                OrgUnitKind.COUNTY,
                f"{p.code}-{i:02d}",
                f"{p.name.removesuffix('地市分公司')}第{i}支公司",
                f"{p.region_code[:4]}{i:02d}",
            )
            for i in range(1, counties + 1)
        ],
    )
    if county_level:
        outlets = units - len(created)
        per_county = [
            outlets // len(county_level) + (1 if i < outlets % len(county_level) else 0)
            for i in range(len(county_level))
        ]
        share = dict(zip((id(c) for c in county_level), per_county, strict=True))
        children(
            county_level,
            lambda c: [
                (
                    OrgUnitKind.OUTLET,
                    f"{c.code}-{i:02d}",
                    f"{c.name.removesuffix('支公司')}第{i}营业部",
                    c.region_code,
                )
                for i in range(1, share[id(c)] + 1)
            ],
        )

    top = 1 + len(companies)
    with transaction.atomic():
        for company in companies:
            company.company = None  # itself, set below once it has an id
        OrgUnit.objects.bulk_create(created[:top])
        OrgUnit.objects.filter(kind=OrgUnitKind.COMPANY).update(company=F("id"))
        for company in companies:
            company.company = company
        OrgUnit.objects.bulk_create(created[top:], batch_size=2000)
    return created


def generate_people(
    units: Sequence,
    count: int,
    roles: Sequence[str] = ("agent",),
    *,
    prefix: str = "B",
    seed: int = 1,
) -> list:
    """``count`` active people spread round-robin over ``units``, each with a login (unusable
    password, so nobody can sign in as them) and the role groups ``roles``.

    Employee numbers are ``<prefix><8 digits>``, counted across calls in this process. Names,
    mobiles, channels and hire dates come from a seeded random generator, so runs are repeatable.
    Three ``bulk_create`` passes (users, people, group memberships) in batches of 5,000.
    """
    import random

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction

    from organization.demo import GIVEN_NAMES, SURNAMES
    from organization.models import Channel, Person

    user_model = get_user_model()
    rng = random.Random(seed)
    groups = list(Group.objects.filter(name__in=roles))
    if len(groups) != len(set(roles)):
        raise ValueError(f"Unknown roles in {roles!r}.")
    channels = [Channel.AGENT_FORCE] * 7 + [Channel.COUNTER, Channel.EMPLOYEE, Channel.INTERACTION]
    unusable = make_password(None)
    membership = user_model.groups.through
    people: list[Person] = []
    with transaction.atomic():
        for start in range(0, count, 5000):
            batch = range(start, min(start + 5000, count))
            numbers = [f"{prefix}{next(_employee_numbers):08d}" for _ in batch]
            names = [
                rng.choice(SURNAMES) + "".join(rng.choices(GIVEN_NAMES, k=rng.choice((1, 2))))
                for _ in batch
            ]
            users = user_model.objects.bulk_create(
                [
                    user_model(username=no, first_name=name, password=unusable)
                    for no, name in zip(numbers, names, strict=True)
                ]
            )
            made = Person.objects.bulk_create(
                [
                    Person(
                        user=user,
                        employee_no=user.username,
                        name=user.first_name,
                        mobile=f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
                        org_unit=units[i % len(units)],
                        channel=rng.choice(channels),
                        hire_date=date(2024, 12, 31) - timedelta(days=rng.randrange(3650)),
                    )
                    for i, user in zip(batch, users, strict=True)
                ]
            )
            membership.objects.bulk_create(
                [membership(user_id=u.pk, group_id=g.pk) for u in users for g in groups]
            )
            people.extend(made)
    return people


def generate_enrolments(plan: Sequence[tuple]) -> None:
    """Every person of an outlet enrolled in every course of ``plan`` (course id, assignment id or
    None, due date or None; ``_courses.assigned_courses`` makes one): one ``INSERT … SELECT`` per
    course, a third of the people not started, a third in progress, a third completed."""
    from django.db import connection, transaction

    from courses.models import Enrollment
    from organization.models import OrgUnit, Person

    with transaction.atomic(), connection.cursor() as cursor:
        for course_id, assignment_id, due in plan:
            cursor.execute(
                f"""
                INSERT INTO {Enrollment._meta.db_table} (person_id, course_id, status, percent,
                    started_at, completed_at, due_date, quiz_passed_at, source, assignment_id,
                    org_path, company_id, channel, created_at, updated_at)
                SELECT p.id, %(course)s,
                       CASE (p.id + %(course)s) %% 3 WHEN 0 THEN 'not_started'
                            WHEN 1 THEN 'in_progress' ELSE 'completed' END,
                       CASE (p.id + %(course)s) %% 3 WHEN 0 THEN 0 WHEN 1 THEN 50 ELSE 100 END,
                       CASE (p.id + %(course)s) %% 3 WHEN 0 THEN NULL ELSE now() END,
                       CASE (p.id + %(course)s) %% 3 WHEN 2 THEN now() ELSE NULL END,
                       %(due)s, NULL, %(source)s, %(assignment)s,
                       u.path, u.company_id, p.channel, now(), now()
                FROM {Person._meta.db_table} p
                JOIN {OrgUnit._meta.db_table} u ON u.id = p.org_unit_id
                WHERE u.kind = 'outlet'
                """,
                {
                    "course": course_id,
                    "due": due,
                    "assignment": assignment_id,
                    "source": "assigned" if assignment_id else "self",
                },
            )


def child_setup_django() -> None:
    """In a measured child process (``run_child``): two CPUs at most, so a figure does not depend
    on the machine's size, then Django on the database the parent named in ``DATABASE_URL``."""
    import django

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:2])
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    django.setup()


def run_child(script: str, *args: str, env: dict[str, str] | None = None) -> dict:
    """Run ``script --child *args`` in a fresh process (``env`` added to this one's, warnings
    only in the log) and return the JSON object its last line of output holds."""
    result = subprocess.run(
        [sys.executable, script, "--child", *args],
        cwd=REPO_ROOT,
        env={**os.environ, "LOG_LEVEL": "WARNING", **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        sys.stderr.write(result.stderr)
        raise SystemExit(
            f"{Path(script).name} --child {' '.join(args)} failed (exit {result.returncode})."
        )
    return json.loads(result.stdout.strip().splitlines()[-1])


def timed(fn: Callable[[], object], *, repeat: int = 30, warmup: int = 3) -> list[float]:
    """Milliseconds taken by each of ``repeat`` calls of ``fn``, after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def p95(samples: Sequence[float]) -> float:
    """The 95th percentile (nearest rank): the value 95 % of the samples do not exceed."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def report(name: str, value: float, unit: str) -> None:
    """One result line, ``name: value unit``, the format ``bench/run.py`` streams."""
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"
    print(f"{name}: {text} {unit}", flush=True)
