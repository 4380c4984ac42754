"""A real HTTP server and concurrent clients for the throughput benchmarks.

``BenchServer`` runs ``gunicorn config.wsgi`` (2 sync workers, 127.0.0.1, a free port) with the
bench settings (``bench/_settings.py``: the test settings, DEBUG off, plus the bare view of
``bench/_urls.py``) on the script's own database, named by ``DATABASE_URL`` after
``_common.setup_django()``. ``logged_in_headers`` makes a session cookie (and a CSRF cookie and
header) for a user in the bench process, as a login would. ``load`` sends requests from client
threads, each with its own keep-alive connection (``http.client``, which reconnects when a sync
worker closes it), for a bounded time and number, and counts the answers.
"""

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
WORKERS = 2
THREADS = 16

# One request: method, path, body (or None) and extra headers.
Request = tuple[str, str, bytes | None, dict[str, str]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BenchServer:
    """``with BenchServer() as server:`` a gunicorn process serving the site at ``server.port``."""

    def __init__(self, *, workers: int = WORKERS):
        self.workers = workers
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "BenchServer":
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "_settings",
            "PYTHONPATH": os.pathsep.join([str(BENCH_DIR), str(REPO_ROOT)]),
            "LOG_LEVEL": "WARNING",
        }
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
            ],
            cwd=REPO_ROOT,
            env=env,
        )
        self._wait_until_up()
        return self

    def _wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with status {self.process.returncode}.")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/bench/bare/")
                connection.getresponse().read()
                connection.close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within a minute.")

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def logged_in_headers(user) -> dict[str, str]:
    """Cookie and CSRF headers of a session in which ``user`` is logged in (``force_login``)."""
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    csrf = _get_new_csrf_string()
    return {"Cookie": f"sessionid={session}; csrftoken={csrf}", "X-CSRFToken": csrf}


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    error_samples: list[str]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def load(
    port: int,
    make_request: Callable[[int, int], Request],
    *,
    threads: int = THREADS,
    seconds: float = 10.0,
    max_requests: int = 20_000,
) -> LoadResult:
    """``threads`` clients, client ``t`` sending ``make_request(t, i)`` for its ``i``-th request,
    until ``seconds`` pass or ``max_requests`` are sent in all. A non-2xx answer is an error."""
    counts = [0] * threads
    errors = [0] * threads
    samples: list[str] = []
    sent = iter(range(max_requests))
    lock = threading.Lock()
    start = threading.Barrier(threads + 1)
    deadline = 0.0

    def client(t: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start.wait()
        i = 0
        while time.perf_counter() < deadline:
            with lock:
                if next(sent, None) is None:
                    break
            method, path, body, headers = make_request(t, i)
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            if not 200 <= response.status < 300:
                errors[t] += 1
                if len(samples) < 5:
                    samples.append(f"{response.status} {path}: {content[:200]!r}")
            counts[t] += 1
            i += 1
        connection.close()

    workers = [threading.Thread(target=client, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    started = time.perf_counter()
    deadline = started + seconds
    start.wait()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    return LoadResult(sum(counts), sum(errors), elapsed, samples)
