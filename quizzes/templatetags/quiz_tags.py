"""Template helpers of the quiz pages, and the quiz card of a course page:
``{% load quiz_tags %}{% course_quiz page %}`` (the course app's template loads this library; the
course app itself never imports quizzes)."""

from django import template
from django.utils import timezone

from ..selectors import course_quizzes_for_person, quiz_availability

register = template.Library()


@register.filter
def clock(seconds) -> str:
    """``1805`` → ``30:05``; an hour or more shows hours: ``1:00:05``."""
    seconds = max(0, int(seconds or 0))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes:02d}:{seconds:02d}"


@register.inclusion_tag("quizzes/includes/course_quiz.html", takes_context=True)
def course_quiz(context, course):
    """The certification quizzes of ``course`` open to the current person, each with their state
    (best result, passed, may start). Two queries per quiz shown; none without a person."""
    person = context.get("current_person")
    if (
        person is None
        or not person.is_active
        or getattr(context.get("request"), "is_preview", False)
    ):
        return {"items": []}
    now = timezone.now()
    return {
        "items": [
            quiz_availability(quiz=quiz, person=person, at=now)
            for quiz in course_quizzes_for_person(course=course, person=person)
        ]
    }
