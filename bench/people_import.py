"""Bulk import of people at scale: a 10,000-row .xlsx into a 5,000-unit org tree.

Data: the 5,000-unit tree of ``_common.generate_tree``; a training coordinator at the group root
(so every unit is in scope and every row's scope is checked); a 10,000-row .xlsx of new people
spread over the counties and outlets, with Chinese names, mobiles, channel and role labels (a
third with two roles), hire dates as Excel date cells, an e-mail for every third person and the
状态 column filled in.

Measured: ``organization.people_import.people_import_start(apply=True)``, which is what
``manage.py import_people FILE --as <coordinator>`` runs: store the file as a PeopleImport, read
it (openpyxl read-only), check every row, then write all of it in one transaction. The admin's
confirm step runs the same read, check and write.

Each import runs in a child process (this script with ``--child``), pinned to two CPUs
(PostgreSQL is not). Its wall time is measured in the child around the call; its peak memory is
the child's peak resident set size as the parent sees it once the child has exited
(``getrusage(RUSAGE_CHILDREN).ru_maxrss``), so it includes the Python interpreter and Django with
every app loaded, not only the import's own allocations.

Reports:
- ``people_import_10k_seconds``: the import.
- ``people_import_10k_peak_memory``: peak RSS of the importing process, MB.
- ``people_import_10k_reimport_seconds``: the same file again (0 created, 0 updated, 10,000
  unchanged): the cost of a read and a full check, as an admin upload's preview has.
Target (issue 2): under 30 s and under 500 MB on two cores.
"""

import json
import random
import resource
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from _common import child_setup_django, generate_tree, report, run_child, setup_django

ROWS = 10_000
UNITS = 5_000
IMPORTER_NO = "BENCH0001"
TARGET_SECONDS = 30
TARGET_MB = 500
CHANNELS = ["个人代理"] * 7 + ["柜面", "员工", "互动部"]


def write_sheet(path: Path, units: list) -> None:
    """The 10,000-row file, in the template's columns, written in openpyxl's streaming mode."""
    from openpyxl import Workbook

    from organization.demo import GIVEN_NAMES, SURNAMES

    rng = random.Random(7)
    places = [unit.code for unit in units if unit.kind in ("county", "outlet")]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("人员名单")
    sheet.append(
        ["工号", "姓名", "手机号码", "机构代码", "渠道", "角色", "入职日期", "邮箱", "状态"]
    )
    for n in range(1, ROWS + 1):
        sheet.append(
            [
                f"N{n:07d}",
                rng.choice(SURNAMES) + "".join(rng.choices(GIVEN_NAMES, k=rng.choice((1, 2)))),
                f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
                places[n % len(places)],
                rng.choice(CHANNELS),
                "业务人员、讲师" if n % 3 == 0 else "业务人员",
                date(2024, 12, 31) - timedelta(days=rng.randrange(3650)),
                f"n{n:07d}@example.com" if n % 3 == 1 else None,
                "在职",
            ]
        )
    workbook.save(path)


def child(path: Path) -> int:
    """Import ``path`` as the bench coordinator; print the outcome as one JSON line."""
    import time

    child_setup_django()
    from django.core.files import File

    from organization.models import Person
    from organization.people_import import people_import_start

    importer = Person.objects.select_related("user").get(employee_no=IMPORTER_NO).user
    started = time.perf_counter()
    with path.open("rb") as handle:
        record, plan = people_import_start(
            file=File(handle, name=path.name), importer=importer, apply=True
        )
    seconds = time.perf_counter() - started
    outcome = {
        "seconds": seconds,
        "status": record.status,
        "created": record.created_count,
        "updated": record.updated_count,
        "unchanged": record.unchanged_count,
        "errors": [str(error) for error in plan.errors[:10]],
    }
    print(json.dumps(outcome, ensure_ascii=False), flush=True)
    return 0


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        return child(Path(sys.argv[2]))

    setup_django()
    from django.db import connections

    from organization.models import OrgUnitKind, Role
    from organization.services import person_create

    units = generate_tree(UNITS)
    root = next(unit for unit in units if unit.kind == OrgUnitKind.GROUP)
    person_create(
        employee_no=IMPORTER_NO,
        name="基准测试管理员",
        mobile="13800000000",
        org_unit=root,
        channel="employee",
        roles=[Role.COORDINATOR],
    )
    connections.close_all()

    with tempfile.TemporaryDirectory(prefix="people_import_bench_") as workdir:
        path = Path(workdir) / "people_10k.xlsx"
        write_sheet(path, units)
        # The children reach the same bench database; uploads are stored in the temp directory.
        env = {"TEST_MEDIA_ROOT": workdir}

        first = run_child(__file__, str(path), env=env)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
        again = run_child(__file__, str(path), env=env)

    ok = True
    if first["errors"] or (first["created"], first["status"]) != (ROWS, "applied"):
        print(f"First import went wrong: {first}", file=sys.stderr)
        ok = False
    if again["errors"] or (again["created"], again["updated"], again["unchanged"]) != (0, 0, ROWS):
        print(f"Re-import changed something: {again}", file=sys.stderr)
        ok = False
    report("people_import_10k_seconds", round(first["seconds"], 1), "s")
    report("people_import_10k_peak_memory", round(peak_mb), "MB")
    report("people_import_10k_reimport_seconds", round(again["seconds"], 1), "s")
    if first["seconds"] > TARGET_SECONDS or peak_mb > TARGET_MB:
        print(
            f"Above target: {TARGET_SECONDS} s and {TARGET_MB} MB for {ROWS:,} rows.",
            file=sys.stderr,
        )
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
