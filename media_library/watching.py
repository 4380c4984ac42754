"""Watched intervals of a video or an audio clip, and what a heartbeat may claim.

Pure functions, no database: the player reports the ranges it has played since its last heartbeat
(``[[start, end], ...]`` in seconds of media time); the server merges them into the intervals it
already holds, and a lesson counts as watched when the intervals cover the required share of the
duration. Reaching the end by seeking covers only what was really played after the seek.

A heartbeat may claim only as much new media time as could have been played since the previous
accepted one. This is a token bucket: credit grows with wall-clock time at the fastest playback rate
a phone player offers, up to a cap, and each heartbeat spends the new seconds it adds. Replays and
out-of-order heartbeats add little or nothing new, so they pass; "seek to the end and claim the
whole video" or a forged huge range is refused whole, and nothing of it is recorded.
"""

import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Ranges closer than this (seconds) are one range: heartbeats split a continuous play at arbitrary
# points, and players report times at a quarter-second granularity.
MERGE_GAP = 1.0
# At most this many ranges in one heartbeat (a player sends one, or a few after seeks).
MAX_RANGES = 50
# The fastest playback rate counted (phone players offer 0.5x to 2x).
MAX_PLAYBACK_RATE = 2.0
# Credit of a lesson's first heartbeat, and the most credit that can build up during a pause
# (seconds of media time): a heartbeat every few seconds never needs more.
INITIAL_CREDIT = 30.0
MAX_CREDIT = 120.0
# Slack for clock jitter between the player's and the server's view of time (seconds).
TOLERANCE = 2.0
# Ranges beyond any plausible recording (one week of media time) are noise, not data.
ABSURD_SECONDS = 7 * 24 * 3600.0


def _finite_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def clean_ranges(ranges, duration: float) -> list[list[float]]:
    """The usable part of ``ranges``, clipped to ``[0, duration]``, unsorted and unmerged.

    Drops what is not a pair of finite numbers, reversed or empty ranges, ranges wholly outside the
    media and absurdly large values.
    """
    usable = []
    for item in ranges or []:
        if not isinstance(item, list | tuple) or len(item) != 2:
            continue
        start, end = item
        if not (_finite_number(start) and _finite_number(end)):
            continue
        if end <= start or abs(start) > ABSURD_SECONDS or abs(end) > ABSURD_SECONDS:
            continue
        start, end = max(float(start), 0.0), min(float(end), float(duration))
        if end > start:
            usable.append([round(start, 2), round(end, 2)])
    return usable


def merge_intervals(existing, new, duration: float) -> list[list[float]]:
    """``existing`` and ``new`` merged into sorted, disjoint ranges within ``[0, duration]``.

    Overlapping ranges and ranges less than ``MERGE_GAP`` apart become one. The result does not
    depend on the order ranges arrive in, and merging the same ranges again changes nothing.
    """
    ranges = sorted(clean_ranges(list(existing or []) + list(new or []), duration))
    merged: list[list[float]] = []
    for start, end in ranges:
        if merged and start - merged[-1][1] <= MERGE_GAP:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def covered_seconds(intervals) -> float:
    """Seconds covered by sorted, disjoint ``intervals`` (as ``merge_intervals`` returns them)."""
    return round(sum(end - start for start, end in intervals), 2)


@dataclass(frozen=True)
class HeartbeatOutcome:
    intervals: list[list[float]]
    covered: float
    credit: float


def accept_heartbeat(
    *,
    existing,
    ranges,
    duration: float,
    credit: float | None,
    elapsed: float | None,
) -> HeartbeatOutcome:
    """Merge a heartbeat's ``ranges`` into ``existing`` if it claims no more than could be played.

    ``credit`` is what the previous accepted heartbeat left (None before the first one) and
    ``elapsed`` the wall-clock seconds since it. Raises ``ValidationError`` for a malformed
    heartbeat or one that claims more new media time than the credit allows.
    """
    if not isinstance(ranges, list | tuple):
        raise ValidationError(_("观看进度格式不正确。"), code="malformed")
    if len(ranges) > MAX_RANGES:
        raise ValidationError(
            _("一次最多上报 %(max)d 段观看记录。") % {"max": MAX_RANGES}, code="too_many_ranges"
        )
    if credit is None:
        available = INITIAL_CREDIT
    else:
        gained = max(elapsed or 0.0, 0.0) * MAX_PLAYBACK_RATE
        available = min(credit + gained, MAX_CREDIT)
    intervals = merge_intervals(existing, ranges, duration)
    before = covered_seconds(merge_intervals(existing, [], duration))
    covered = covered_seconds(intervals)
    added = covered - before
    if added > available + TOLERANCE:
        raise ValidationError(
            _("上报的观看时长超过了实际可能播放的时长，本次记录未被接受。"), code="too_fast"
        )
    return HeartbeatOutcome(
        intervals=intervals, covered=covered, credit=round(max(available - added, 0.0), 2)
    )
