"""Which courses have a published certification quiz: a cached set of course ids.

Every course page asks (``{% course_quiz page %}``), and most courses have no quiz; the set,
read from the cache, lets those pages spend no query on it. Saving or deleting any quiz forgets
the set (``connect``, called from ``QuizzesConfig.ready``), and it expires after
``CACHE_SECONDS`` anyway, for changes that send no signal (``QuerySet.update``).
"""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

CACHE_KEY = "quizzes:courses-with-quiz"
CACHE_SECONDS = 300


def courses_with_quiz() -> frozenset[int]:
    from .models import Quiz

    return cache.get_or_set(
        CACHE_KEY,
        lambda: frozenset(
            Quiz.objects.filter(published=True, course__isnull=False).values_list(
                "course_id", flat=True
            )
        ),
        CACHE_SECONDS,
    )


def forget_courses_with_quiz(**kwargs) -> None:
    cache.delete(CACHE_KEY)


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(
            forget_courses_with_quiz,
            sender="quizzes.Quiz",
            dispatch_uid=f"quizzes.course_links.{id(signal)}",
        )
