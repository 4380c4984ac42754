"""Report exports at group scale: the people table of the group root, 200,000 rows, .xlsx and .csv.

Data (``BENCH_EXPORT_PEOPLE``, default 200,000): the 5,000-unit tree, the agents spread over its
outlets, 20 courses with every agent enrolled in every course (4,000,000 enrolments, written
with one ``INSERT … SELECT``: a third not started, a third in progress, a third completed; five
courses assigned with a due date, two of them already past, so the overdue column is not empty).

Measured: ``GET /reports/export/people/?format=…`` as a superuser (scope = the whole tree)
through the test client, the body read to the end and written to a temporary file — the view
(scope checks, filter form), the people query with the enrolments counted per person in SQL,
read through a server-side cursor, and openpyxl's write-only workbook or the csv stream. Each
export runs in a child process (this script with ``--child``) pinned to two CPUs (PostgreSQL is
not); its wall time is measured in the child, and its peak memory is the child's own peak resident
set size (``VmHWM``, read by the child at its end, after the export and the check that the file
has one row per person), so it includes the interpreter and Django with every app loaded.
``bench/people_import.py`` reads ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` instead, but on Linux
that high-water mark survives fork and exec, so here it would report the parent's generated data.

Reports:
- ``export_scale_people`` / ``export_scale_enrolments``: the data.
- ``export_200k_rows_xlsx_s`` / ``export_200k_rows_csv_s``: the export, seconds.
- ``export_200k_rows_xlsx_peak_memory`` / ``export_200k_rows_csv_peak_memory``: peak RSS, MB.
- ``export_200k_rows_xlsx_mb`` / ``export_200k_rows_csv_mb``: the file's size.
Target (issue 6): under 60 s and under 300 MB.
"""

import json
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from _common import (
    child_setup_django,
    generate_enrolments,
    generate_people,
    generate_tree,
    report,
    run_child,
    setup_django,
)

PEOPLE = int(os.environ.get("BENCH_EXPORT_PEOPLE", "200000"))
COURSES = 20
ASSIGNED = 5
TARGET_SECONDS = 60
TARGET_MB = 300


def data_rows(path: Path, fmt: str) -> int:
    """Rows after the header, read back as a stream (an .xlsx: its sheet's ``<row`` elements)."""
    if fmt == "csv":
        with path.open("rb") as handle:
            return sum(1 for _ in handle) - 1
    rows, tail = 0, b""
    with zipfile.ZipFile(path) as archive, archive.open("xl/worksheets/sheet1.xml") as sheet:
        while chunk := sheet.read(1 << 20):
            rows += (tail + chunk).count(b"<row ") - tail.count(b"<row ")
            tail = chunk[-8:]
    return rows - 1


def peak_rss_mb() -> float:
    """This process's peak resident set size since its exec (Linux ``VmHWM``). Not ``ru_maxrss``:
    Linux carries that over from the parent through fork and exec, and the parent holds the
    generated data."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError("No VmHWM in /proc/self/status.")


def child(fmt: str) -> int:
    """Export the group root's people as ``fmt``; print the outcome as one JSON line."""
    child_setup_django()
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="benchroot"))
    with tempfile.TemporaryDirectory(prefix="export_bench_") as workdir:
        path = Path(workdir) / f"people.{fmt}"
        started = time.perf_counter()
        response = client.get(f"/reports/export/people/?format={fmt}")
        with path.open("wb") as out:
            for chunk in response.streaming_content:
                out.write(chunk)
        response.close()
        seconds = time.perf_counter() - started
        outcome = {
            "status": response.status_code,
            "seconds": seconds,
            "bytes": path.stat().st_size,
            "rows": data_rows(path, fmt),
            "peak_mb": peak_rss_mb(),
        }
    print(json.dumps(outcome), flush=True)
    return 0


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        return child(sys.argv[2])

    setup_django()
    from _courses import assigned_courses
    from django.contrib.auth import get_user_model
    from django.db import connection, connections

    from courses.models import Enrollment
    from organization.models import OrgUnitKind

    units = generate_tree(5000)
    root = next(u for u in units if u.kind == OrgUnitKind.GROUP)
    company = next(u for u in units if u.kind == OrgUnitKind.COMPANY)
    generate_people([u for u in units if u.kind == OrgUnitKind.OUTLET], PEOPLE)
    plan = assigned_courses(
        root=root, company=company, count=COURSES, assigned=ASSIGNED, first_due_in_days=-40
    )
    generate_enrolments(plan)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    enrolments = Enrollment.objects.count()
    get_user_model().objects.create_superuser("benchroot", password=None)
    connections.close_all()

    ok = True
    figures = {}
    for fmt in ("csv", "xlsx"):
        outcome = figures[fmt] = run_child(__file__, fmt)
        if outcome["status"] != 200 or outcome["rows"] != PEOPLE:
            print(f"The {fmt} export went wrong: {outcome} ({PEOPLE} rows)", file=sys.stderr)
            ok = False
        if outcome["seconds"] > TARGET_SECONDS or outcome["peak_mb"] > TARGET_MB:
            print(f"{fmt}: above target ({TARGET_SECONDS} s, {TARGET_MB} MB).", file=sys.stderr)
            ok = False

    report("export_scale_people", PEOPLE, "people")
    report("export_scale_enrolments", enrolments, "enrolments")
    for fmt, outcome in figures.items():
        report(f"export_200k_rows_{fmt}_s", round(outcome["seconds"], 1), "s")
        report(f"export_200k_rows_{fmt}_peak_memory", round(outcome["peak_mb"]), "MB")
        report(f"export_200k_rows_{fmt}_mb", round(outcome["bytes"] / 2**20, 1), "MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
