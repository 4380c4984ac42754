"""Run the benchmarks: every ``bench/*.py`` script except this one and the ``_*.py`` helpers.

Each script runs in its own process, in sorted order, with its output streamed as it comes
(``name: value unit`` lines). All scripts run even when one fails; the exit status is non-zero
if any did. Names on the command line run only those scripts: ``bench/run.py scope_filter``.
"""

import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def scripts(selected: list[str]) -> list[Path]:
    found = sorted(
        path
        for path in BENCH_DIR.glob("*.py")
        if path.name != Path(__file__).name and not path.name.startswith("_")
    )
    if not selected:
        return found
    wanted = {name.removesuffix(".py") for name in selected}
    unknown = wanted - {path.stem for path in found}
    if unknown:
        raise SystemExit(f"No benchmark named: {', '.join(sorted(unknown))}")
    return [path for path in found if path.stem in wanted]


def main() -> int:
    failed = []
    for script in scripts(sys.argv[1:]):
        print(f"== {script.name}", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], cwd=BENCH_DIR.parent, check=False)
        elapsed = time.perf_counter() - started
        status = "ok" if result.returncode == 0 else f"FAILED (exit {result.returncode})"
        print(f"== {script.name} {status} in {elapsed:.1f} s", flush=True)
        if result.returncode:
            failed.append(script.name)
    if failed:
        print(f"Failed benchmarks: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
