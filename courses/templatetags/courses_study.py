"""Template helpers of the study pages: ``{% load courses_study %}``."""

import math

from django import template
from django.conf import settings

register = template.Library()


def percent_of(seconds: float, duration: float) -> int:
    """Whole percent of ``duration`` covered by ``seconds``, rounded down (89.6 % is not 90 %)."""
    if not duration or duration <= 0:
        return 0
    return max(0, min(100, math.floor((seconds or 0) * 100 / duration)))


@register.simple_tag
def watched_percent(progress, media) -> int:
    """How much of ``media`` the lesson progress ``progress`` (or None) has watched."""
    if progress is None or media is None:
        return 0
    return percent_of(progress.watched_seconds, float(media.duration or 0))


@register.simple_tag
def watched_threshold_percent() -> int:
    """The share of a video or audio lesson to watch before it counts, e.g. 90."""
    return round(settings.COURSES_WATCHED_THRESHOLD * 100)
