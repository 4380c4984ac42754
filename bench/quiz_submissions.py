"""Graded submissions per second of a 50-question quiz, concurrent clients on PostgreSQL through
the real HTTP server, and the count of lost or duplicated attempts.

Server: ``gunicorn config.wsgi``, 2 sync workers (``bench/_http.py``), bench settings.
Quiz: 50 questions of the four kinds, shuffled, partial credit (``bench/_quizzes.py``), open to
every company; agents logged in with a session cookie and a CSRF header, one per client thread.

1. Submissions. 320 agents each have an open attempt with all 50 answers saved (started through
   ``attempt_start``; the answers, about 80 % right, written to the answer rows directly, as 50
   answer requests would leave them). 16 client threads, each with a keep-alive connection, send
   ``POST …/submit/`` for 20 of them, each twice in a row (a double click): the first grades, the
   second must find it submitted and change nothing.
   - ``quiz_graded_submissions_per_s``: attempts graded / seconds.
2. Whole attempts. 16 clients, each its own agent, for a fixed time: start (twice, a double
   click: both must land on the same attempt), answer the 50 questions one JSON request each (the
   page's ``attempt.js`` does the same), submit (twice).
   - ``quiz_attempts_per_s`` (whole attempts) and ``quiz_answer_saves_per_s``.
   - ``quiz_bench_bare_view_rps``: the bare view (``bench/_urls.py``) under the same clients right
     after, the machine's baseline for reading the figures above.
3. Checked afterwards in the database:
   - ``quiz_lost_attempts``: a submit answered with the result page but the attempt not graded,
     or an answer acknowledged but not stored as sent, or a start that found no attempt;
   - ``quiz_duplicated_attempts``: attempts beyond one per start (a double click making two),
     and attempt numbers given twice. Both must be 0.
"""

import http.client
import json
import os
import random
import re
import sys
import threading
import time

from _common import report, setup_django

QUESTIONS = 50
CLIENTS = 16
PER_CLIENT = 20
FLOW_SECONDS = 12
BARE_SECONDS = 5
ATTEMPT_URL = re.compile(r"/quizzes/attempts/(\d+)/")


class Client:
    def __init__(self, port: int, headers: dict):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = headers

    def post(self, path: str, body: bytes = b"", content_type: str = "application/json"):
        headers = {**self.headers, "Content-Type": content_type}
        self.connection.request("POST", path, body=body, headers=headers)
        response = self.connection.getresponse()
        return response.status, response.getheader("Location") or "", response.read()

    def close(self):
        self.connection.close()


def main() -> int:
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    setup_django()
    from _courses import agents, companies
    from _http import BenchServer, load, logged_in_headers
    from _quizzes import build_quiz, response_for
    from django.db import connections
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone

    from quizzes.models import Attempt, AttemptAnswer, AttemptStatus
    from quizzes.services import attempt_start

    submitters = CLIENTS * PER_CLIENT
    units, people = agents(submitters + CLIENTS)
    owners = companies(units)
    quiz = build_quiz(company=owners[0], audience=owners, questions=QUESTIONS)
    rng = random.Random(7)

    # 1. Open attempts, fully answered, for the submitters.
    prepared = []
    now = timezone.now()
    for person in people[:submitters]:
        attempt = attempt_start(quiz=quiz, person=person, rng=rng)
        rows = list(AttemptAnswer.objects.filter(attempt=attempt).order_by("position"))
        for row, question in zip(rows, attempt.snapshot["questions"], strict=True):
            row.response = response_for(question, rng)
            row.saved_at = now
        AttemptAnswer.objects.bulk_update(rows, ["response", "saved_at"])
        prepared.append((attempt.pk, person))
    headers = {person.pk: logged_in_headers(person.user) for person in people}
    flow_people = people[submitters:]

    lost = 0
    duplicated = 0
    errors: list[str] = []
    lock = threading.Lock()

    def note_error(text: str) -> None:
        with lock:
            if len(errors) < 5:
                errors.append(text)

    with BenchServer() as server:
        # Warm-up: the workers load the code and open their database connections.
        warm = Client(server.port, headers[flow_people[0].pk])
        for _request in range(4):
            warm.connection.request("GET", reverse("quizzes:my_quizzes"), headers=warm.headers)
            warm.connection.getresponse().read()
        warm.close()

        submitted: list[list[int]] = [[] for _ in range(CLIENTS)]
        barrier = threading.Barrier(CLIENTS + 1)

        def submit_client(t: int) -> None:
            mine = prepared[t * PER_CLIENT : (t + 1) * PER_CLIENT]
            client = Client(server.port, {})
            barrier.wait()
            for attempt_id, person in mine:
                client.headers = headers[person.pk]
                path = reverse("quizzes:attempt_submit", args=[attempt_id])
                for _click in range(2):
                    status, location, body = client.post(
                        path, content_type="application/x-www-form-urlencoded"
                    )
                    if status != 302 or "/result/" not in location:
                        note_error(f"submit {status} {location} {body[:120]!r}")
                        break
                else:
                    submitted[t].append(attempt_id)
            client.close()

        threads = [threading.Thread(target=submit_client, args=(t,)) for t in range(CLIENTS)]
        for thread in threads:
            thread.start()
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        submit_seconds = time.perf_counter() - started
        submitted_ids = [pk for ids in submitted for pk in ids]

        # 2. Whole attempts through the pages' requests.
        flows = [0] * CLIENTS
        saves = [0] * CLIENTS
        flow_ids: list[list[int]] = [[] for _ in range(CLIENTS)]
        acknowledged: dict[tuple[int, int], object] = {}
        deadline = 0.0
        barrier = threading.Barrier(CLIENTS + 1)

        def flow_client(t: int) -> None:
            nonlocal lost, duplicated
            person = flow_people[t]
            client = Client(server.port, headers[person.pk])
            local_rng = random.Random(t)
            start_path = reverse("quizzes:quiz_start", args=[quiz.pk])
            barrier.wait()
            try:
                while time.perf_counter() < deadline:
                    ids = set()
                    for _click in range(2):
                        status, location, body = client.post(
                            start_path, content_type="application/x-www-form-urlencoded"
                        )
                        found = ATTEMPT_URL.search(location)
                        if status != 302 or not found:
                            note_error(f"start {status} {location} {body[:120]!r}")
                            with lock:
                                lost += 1
                            return
                        ids.add(int(found.group(1)))
                    if len(ids) != 1:
                        with lock:
                            duplicated += len(ids) - 1
                    attempt_id = ids.pop()
                    snapshot = Attempt.objects.values_list("snapshot", flat=True).get(pk=attempt_id)
                    answer_path = reverse("quizzes:attempt_answer", args=[attempt_id])
                    for position, question in enumerate(snapshot["questions"]):
                        response = response_for(question, local_rng)
                        body = json.dumps({"position": position, "response": response}).encode()
                        status, _location, content = client.post(answer_path, body)
                        if status != 200:
                            note_error(f"answer {status} {content[:120]!r}")
                            continue
                        saves[t] += 1
                        acknowledged[(attempt_id, position)] = response
                    submit_path = reverse("quizzes:attempt_submit", args=[attempt_id])
                    for _click in range(2):
                        status, location, body = client.post(
                            submit_path, content_type="application/x-www-form-urlencoded"
                        )
                        if status != 302 or "/result/" not in location:
                            note_error(f"submit {status} {location} {body[:120]!r}")
                    flow_ids[t].append(attempt_id)
                    flows[t] += 1
            finally:
                client.close()
                connections.close_all()

        threads = [threading.Thread(target=flow_client, args=(t,)) for t in range(CLIENTS)]
        for thread in threads:
            thread.start()
        started = time.perf_counter()
        deadline = started + FLOW_SECONDS
        barrier.wait()
        for thread in threads:
            thread.join()
        flow_seconds = time.perf_counter() - started

        # The baseline on this machine now: the bare view, same middleware, same clients.
        bare_headers = [headers[person.pk] for person in flow_people]
        bare = load(
            server.port,
            lambda t, _i: ("POST", "/bench/bare/", b"{}", bare_headers[t]),
            threads=CLIENTS,
            seconds=BARE_SECONDS,
        )

    # 3. What the database holds.
    graded = set(
        Attempt.objects.filter(
            pk__in=submitted_ids, status=AttemptStatus.SUBMITTED, graded_at__isnull=False
        ).values_list("pk", flat=True)
    )
    lost += len(submitted_ids) - len(graded)
    all_flow_ids = [pk for ids in flow_ids for pk in ids]
    graded_flows = Attempt.objects.filter(
        pk__in=all_flow_ids, status=AttemptStatus.SUBMITTED, graded_at__isnull=False
    ).count()
    lost += len(all_flow_ids) - graded_flows
    stored = {
        (attempt_id, position): response
        for attempt_id, position, response in AttemptAnswer.objects.filter(
            attempt_id__in=all_flow_ids
        ).values_list("attempt_id", "position", "response")
    }
    for key, response in acknowledged.items():
        expected = sorted(response) if isinstance(response, list) else response
        if stored.get(key) != expected:
            lost += 1
    flow_person_ids = [person.pk for person in flow_people]
    made = Attempt.objects.filter(quiz=quiz, person_id__in=flow_person_ids).count()
    duplicated += made - len(set(all_flow_ids))
    duplicated += (
        Attempt.objects.filter(quiz=quiz)
        .values("person_id", "number")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )

    report("quiz_graded_submissions_per_s", round(len(graded) / submit_seconds, 1), "req/s")
    report("quiz_attempts_per_s", round(sum(flows) / flow_seconds, 2), "attempts/s")
    report("quiz_answer_saves_per_s", round(sum(saves) / flow_seconds, 1), "req/s")
    report("quiz_bench_bare_view_rps", round(bare.rps, 1), "req/s")
    report("quiz_lost_attempts", lost, "attempts")
    report("quiz_duplicated_attempts", duplicated, "attempts")
    for error in errors:
        print(f"error answer: {error}", file=sys.stderr)
    return 1 if lost or duplicated or errors else 0


if __name__ == "__main__":
    sys.exit(main())
