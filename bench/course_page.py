"""The course page with 50 lessons: its queries, and its throughput against a plain Wagtail page.

Data: a 60-unit tree, 16 agents, and two live courses for every company and channel built through
Wagtail's page API: one of 5 lessons and one of 50 (the text of one to three seed articles each,
every fifth opening with a ready video, every fourth optional), both with a cover image (a
1500x840 JPEG; the page shows its ``fill-750x420`` rendition). Every agent is enrolled in both,
and the first has finished a few lessons of each, so the page shows progress.

Queries: ``django.test.Client`` GET of each course's URL as the first agent (the test settings,
in this process), counted with ``CaptureQueriesContext`` on the second request (the first fills
per-process caches such as content types, the site's root paths and the cover's rendition).
- ``course_page_50_lessons_queries`` and ``course_page_5_lessons_queries``; target (issue 3): at
  most 20, the same for both.

Throughput: the plain Wagtail page is what ``wagtail start`` makes as its home page: a page with a
title served by Wagtail's ``serve`` view with a template that extends the site's ``base.html``.
Here that is a bare ``wagtail.models.Page`` (no fields of its own) under the default site's root
page, rendered with the bench-only template ``bench/templates/wagtailcore/page.html`` (the
benchmark server's settings put ``bench/templates`` first), so it goes through the same URL
resolution, Wagtail routing, middleware, session and login as the course page; it differs only in
what the page itself does. Both are served by the same gunicorn server (2 sync workers, 16 client
threads with keep-alive, ``bench/_http.py``), each thread logged in as one agent; warm-up, then
two rounds of each, summed.
- ``course_page_rps``, ``plain_wagtail_page_rps``, ``course_page_to_plain_ratio``; target: at
  least 0.5.
"""

import os
import sys

from _common import report, setup_django

AGENTS = 16
WARMUP_SECONDS = 3
ROUND_SECONDS = 8
ROUNDS = 2
MAX_QUERIES = 20
TARGET_RATIO = 0.5


def page_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = client.get(url)
    if first.status_code != 200:
        raise RuntimeError(f"GET {url} answered {first.status_code}.")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}.")
    return len(queries)


def cover_image():
    """A Wagtail image from a generated 1500x840 JPEG, as an editor's upload leaves it."""
    import io

    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.images import get_image_model

    buffer = io.BytesIO()
    PILImage.new("RGB", (1500, 840), (200, 30, 40)).save(buffer, "JPEG")
    return get_image_model().objects.create(
        title="课程封面", file=ImageFile(buffer, name="bench-cover.jpg")
    )


def main() -> int:
    # Quiet the per-login log lines of django-axes.
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    setup_django()
    from _courses import agents, companies, course_with_lessons, make_video
    from _http import BenchServer, LoadResult, load, logged_in_headers
    from django.test import Client
    from django.utils import timezone
    from wagtail.models import Page, Site

    from courses.models import CoursePage, EnrollmentSource
    from courses.services import enrollment_get_or_create, lesson_mark_done

    units, people = agents(AGENTS)
    owners = companies(units)
    video = make_video(seconds=600)
    cover = cover_image()
    courses = {}
    for size in (5, 50):
        course, lessons = course_with_lessons(
            owner=owners[0],
            audience=owners,
            title=f"交叉销售实务（{size}课时）",
            lessons=size,
            video=video,
            seed=size,
        )
        course = CoursePage.objects.get(pk=course.pk)
        course.cover_image = cover
        course.save_revision().publish()
        for person in people:
            enrollment_get_or_create(person=person, course=course, source=EnrollmentSource.SELF)
        for lesson in [lesson for lesson in lessons if lesson.kind == "text"][:3]:
            lesson_mark_done(person=people[0], lesson=lesson, at=timezone.now())
        courses[size] = course

    plain = Page(title="欢迎", slug="bench-welcome")
    Site.objects.get(is_default_site=True).root_page.add_child(instance=plain)
    plain.save_revision().publish()

    client = Client()
    client.force_login(people[0].user)
    queries = {size: page_queries(client, course.get_url()) for size, course in courses.items()}
    report("course_page_50_lessons_queries", queries[50], "queries")
    report("course_page_5_lessons_queries", queries[5], "queries")

    headers = [logged_in_headers(person.user) for person in people]
    course_url, plain_url = courses[50].get_url(), plain.get_url()

    def course_page(t: int, _i: int):
        return "GET", course_url, None, headers[t]

    def plain_page(t: int, _i: int):
        return "GET", plain_url, None, headers[t]

    totals = {"course": LoadResult(0, 0, 0.0, []), "plain": LoadResult(0, 0, 0.0, [])}
    with BenchServer() as server:
        load(server.port, plain_page, seconds=WARMUP_SECONDS)
        load(server.port, course_page, seconds=WARMUP_SECONDS)
        for _round in range(ROUNDS):
            for name, make in (("plain", plain_page), ("course", course_page)):
                result = load(server.port, make, seconds=ROUND_SECONDS)
                total = totals[name]
                total.requests += result.requests
                total.errors += result.errors
                total.seconds += result.seconds
                total.error_samples += result.error_samples

    course_rps, plain_rps = totals["course"].rps, totals["plain"].rps
    ratio = course_rps / plain_rps if plain_rps else 0.0
    report("course_page_rps", round(course_rps, 1), "req/s")
    report("plain_wagtail_page_rps", round(plain_rps, 1), "req/s")
    report("course_page_to_plain_ratio", round(ratio, 2), "ratio")
    failed = False
    for name, total in totals.items():
        for sample in total.error_samples:
            print(f"error answer ({name}): {sample}", file=sys.stderr)
        if total.errors:
            print(f"{total.errors} non-2xx answers to the {name} page.", file=sys.stderr)
            failed = True
    if queries[50] > MAX_QUERIES or queries[50] != queries[5]:
        print(f"Queries above {MAX_QUERIES} or growing with the lessons.", file=sys.stderr)
    if ratio < TARGET_RATIO:
        print(f"Below the target ratio of {TARGET_RATIO}.", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
