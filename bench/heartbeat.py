"""Heartbeat throughput under concurrent clients, against a bare Django view on the same server.

Server: ``gunicorn config.wsgi``, 2 sync workers on 127.0.0.1 (``bench/_http.py``), bench settings
(the test settings with DEBUG off and the bare view ``/bench/bare/`` of ``bench/_urls.py``, which
goes through the same middleware: session, user, login required, CSRF).

Data: a video lesson (a ready ``TrainingMedia`` of 3,600 s, probed duration set directly) in a
course for every company and channel, and 16 agents, each enrolled and logged in (a session made
in this process with ``force_login``, sent as a cookie with a CSRF cookie and header).

Load: 16 client threads, one agent each, each with a keep-alive connection. A heartbeat is the
player's JSON POST to ``courses:lesson_heartbeat``: the next 0.02 s of the video after the agent's
previous one (a growing watched range, well inside what the server's credit allows), so every one
is a valid heartbeat that merges, saves the progress and answers the lesson's percent. The bare
view gets the same POST with the same cookies. Warm-up, then two rounds of bare and heartbeat, for
a bounded time and number each; the figures sum the rounds.

Reports ``heartbeat_rps``, ``bare_view_rps``, ``heartbeat_to_bare_ratio`` (target, issue 3: at
least 0.5) and ``heartbeat_errors`` (non-2xx answers to heartbeats, warm-up included; must be 0).
"""

import itertools
import json
import os
import sys

from _common import report, setup_django

AGENTS = 16
STEP = 0.02
VIDEO_SECONDS = 3600
WARMUP_SECONDS = 3
ROUND_SECONDS = 8
ROUNDS = 2
TARGET_RATIO = 0.5


def main() -> int:
    # Quiet the per-login log lines of django-axes.
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    setup_django()
    from _courses import agents, companies, make_course, make_lesson, make_video, text_body
    from _http import BenchServer, LoadResult, load, logged_in_headers
    from django.urls import reverse

    from courses.models import EnrollmentSource, LessonProgress
    from courses.services import enrollment_get_or_create

    units, people = agents(AGENTS)
    owners = companies(units)
    course = make_course(owner=owners[0], audience=owners, title="交叉销售政策解读")
    video = make_video(seconds=VIDEO_SECONDS)
    lesson = make_lesson(
        course, title="联合展业视频", body=[("video", video), *text_body("联合展业要点")]
    )
    for person in people:
        enrollment_get_or_create(person=person, course=course, source=EnrollmentSource.SELF)
    headers = [
        {**logged_in_headers(person.user), "Content-Type": "application/json"} for person in people
    ]
    heartbeat_path = reverse("courses:lesson_heartbeat", args=[lesson.pk])
    beats = [itertools.count() for _ in people]

    def heartbeat(t: int, _i: int):
        start = round(next(beats[t]) * STEP, 2)
        end = round(start + STEP, 2)
        body = json.dumps({"ranges": [[start, end]], "position": end}).encode()
        return "POST", heartbeat_path, body, headers[t]

    def bare(t: int, _i: int):
        body = json.dumps({"ranges": [[0, STEP]], "position": STEP}).encode()
        return "POST", "/bench/bare/", body, headers[t]

    totals = {"bare": LoadResult(0, 0, 0.0, []), "heartbeat": LoadResult(0, 0, 0.0, [])}
    heartbeat_errors = 0
    samples = []
    with BenchServer() as server:
        load(server.port, bare, seconds=WARMUP_SECONDS)
        warm = load(server.port, heartbeat, seconds=WARMUP_SECONDS)
        heartbeat_errors += warm.errors
        samples += warm.error_samples
        for _round in range(ROUNDS):
            for name, make in (("bare", bare), ("heartbeat", heartbeat)):
                result = load(server.port, make, seconds=ROUND_SECONDS)
                total = totals[name]
                total.requests += result.requests
                total.errors += result.errors
                total.seconds += result.seconds
                samples += result.error_samples
                if name == "heartbeat":
                    heartbeat_errors += result.errors

    recorded = LessonProgress.objects.filter(lesson=lesson, watched_seconds__gt=0).count()
    heartbeat_rps, bare_rps = totals["heartbeat"].rps, totals["bare"].rps
    ratio = heartbeat_rps / bare_rps if bare_rps else 0.0
    report("heartbeat_rps", round(heartbeat_rps, 1), "req/s")
    report("bare_view_rps", round(bare_rps, 1), "req/s")
    report("heartbeat_to_bare_ratio", round(ratio, 2), "ratio")
    report("heartbeat_errors", heartbeat_errors, "requests")
    for sample in samples:
        print(f"error answer: {sample}", file=sys.stderr)
    if recorded != len(people):
        print(f"Progress recorded for {recorded} of {len(people)} agents.", file=sys.stderr)
        return 1
    if totals["bare"].errors:
        print(f"The bare view answered {totals['bare'].errors} errors.", file=sys.stderr)
        return 1
    if ratio < TARGET_RATIO:
        print(f"Below the target ratio of {TARGET_RATIO}.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
