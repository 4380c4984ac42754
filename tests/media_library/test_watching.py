import itertools
import math

import pytest
from django.core.exceptions import ValidationError

from media_library.watching import (
    INITIAL_CREDIT,
    MAX_CREDIT,
    MAX_RANGES,
    accept_heartbeat,
    covered_seconds,
    merge_intervals,
)


def test_overlapping_ranges_merge_into_one():
    assert merge_intervals([[0, 10]], [[5, 20]], 100) == [[0.0, 20.0]]


def test_disjoint_ranges_stay_apart_and_sorted():
    assert merge_intervals([[50, 60]], [[0, 10]], 100) == [[0.0, 10.0], [50.0, 60.0]]


def test_touching_and_jittered_ranges_join():
    # Heartbeats split one continuous play; the player's clock ticks in quarter seconds.
    assert merge_intervals([[0, 10]], [[10, 20], [20.6, 30]], 100) == [[0.0, 30.0]]


def test_gaps_wider_than_the_tolerance_stay():
    assert merge_intervals([[0, 10]], [[12, 20]], 100) == [[0.0, 10.0], [12.0, 20.0]]


def test_replaying_the_same_ranges_changes_nothing():
    once = merge_intervals([], [[0, 30], [40, 50]], 100)
    assert merge_intervals(once, [[0, 30], [40, 50]], 100) == once
    assert merge_intervals(once, [[5, 25]], 100) == once


def test_result_does_not_depend_on_arrival_order():
    pieces = [[0, 10], [9.5, 18], [30, 40], [18.5, 25], [60, 61], [39, 45]]
    expected = merge_intervals([], pieces, 100)
    for order in itertools.permutations(pieces):
        merged: list = []
        for piece in order:
            merged = merge_intervals(merged, [piece], 100)
        assert merged == expected
    assert expected == [[0.0, 25.0], [30.0, 45.0], [60.0, 61.0]]


def test_ranges_are_clipped_to_the_duration():
    assert merge_intervals([], [[-5, 10], [90, 250]], 100) == [[0.0, 10.0], [90.0, 100.0]]


@pytest.mark.parametrize(
    "bogus",
    [
        [20, 10],  # reversed
        [10, 10],  # empty
        [-30, -10],  # before the start
        [150, 300],  # beyond the end
        [math.nan, 10],
        [0, math.inf],
        [0, 1e12],  # absurd
        ["0", "10"],
        [True, 5],
        [1, 2, 3],
        "0-10",
        None,
    ],
)
def test_bogus_ranges_are_dropped(bogus):
    assert merge_intervals([[0, 5]], [bogus], 100) == [[0.0, 5.0]]


def test_covered_seconds_sums_disjoint_intervals():
    assert covered_seconds([[0, 10], [20, 25.5]]) == 15.5
    assert covered_seconds([]) == 0


def test_first_heartbeat_may_claim_up_to_the_initial_credit():
    outcome = accept_heartbeat(
        existing=[], ranges=[[0, 10]], duration=100, credit=None, elapsed=None
    )
    assert outcome.intervals == [[0.0, 10.0]]
    assert outcome.covered == 10
    assert outcome.credit == INITIAL_CREDIT - 10


def test_seeking_to_the_end_and_claiming_the_whole_video_is_refused():
    with pytest.raises(ValidationError) as error:
        accept_heartbeat(existing=[], ranges=[[0, 100]], duration=100, credit=None, elapsed=None)
    assert error.value.messages == ["上报的观看时长超过了实际可能播放的时长，本次记录未被接受。"]


def test_a_forged_huge_range_after_a_long_pause_gains_at_most_the_credit_cap():
    with pytest.raises(ValidationError):
        accept_heartbeat(
            existing=[[0, 10]], ranges=[[10, 3000]], duration=3600, credit=0, elapsed=86400
        )
    outcome = accept_heartbeat(
        existing=[[0, 10]], ranges=[[10, 10 + MAX_CREDIT]], duration=3600, credit=0, elapsed=86400
    )
    assert outcome.covered == 10 + MAX_CREDIT


def test_steady_heartbeats_at_double_speed_pass():
    intervals, credit = [], None
    for start in range(0, 100, 10):
        outcome = accept_heartbeat(
            existing=intervals,
            ranges=[[start, start + 10]],
            duration=100,
            credit=credit,
            elapsed=None if credit is None else 5,
        )
        intervals, credit = outcome.intervals, outcome.credit
    assert intervals == [[0.0, 100.0]]


def test_a_replayed_heartbeat_costs_no_credit():
    outcome = accept_heartbeat(
        existing=[[0, 30]], ranges=[[0, 30]], duration=100, credit=0, elapsed=0
    )
    assert outcome.covered == 30
    assert outcome.credit == 0


def test_out_of_order_heartbeats_use_the_credit_left_over():
    # B (10–20) arrives before A (0–10); A comes a moment later and still fits.
    b = accept_heartbeat(existing=[], ranges=[[10, 20]], duration=100, credit=0, elapsed=10)
    a = accept_heartbeat(
        existing=b.intervals, ranges=[[0, 10]], duration=100, credit=b.credit, elapsed=0.2
    )
    assert a.intervals == [[0.0, 20.0]]


def test_too_many_ranges_in_one_heartbeat_are_refused():
    ranges = [[i, i + 0.1] for i in range(MAX_RANGES + 1)]
    with pytest.raises(ValidationError) as error:
        accept_heartbeat(existing=[], ranges=ranges, duration=100, credit=None, elapsed=None)
    assert error.value.messages == [f"一次最多上报 {MAX_RANGES} 段观看记录。"]


def test_a_heartbeat_that_is_not_a_list_is_refused():
    with pytest.raises(ValidationError) as error:
        accept_heartbeat(existing=[], ranges={"0": 10}, duration=100, credit=None, elapsed=None)
    assert error.value.messages == ["观看进度格式不正确。"]
