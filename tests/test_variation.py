"""Making Data Count beside RAG (ragbook.variation): the XmR limits, the four special-cause
rules, the variation and assurance icons, each rule's edge cases, cases ported from the open
implementations' own test suites, and properties that must hold for any series."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import ragbook
from ragbook.variation import (
    ASSURANCES,
    OUTSIDE,
    SHIFT,
    TREND,
    TWO_IN_THREE,
    VARIATIONS,
    assurance_of,
    spc,
    spc_many,
    special_causes,
    variation_of,
)

PORTED = Path(__file__).parent / "data" / "spc_ported_cases.json"
FLAT = [10.0, 12, 11, 9, 10, 11, 12, 10, 9, 11, 10, 12, 11]
"""13 points of common-cause noise around 10.7: mean 10.6923, MR-bar 1.5."""


def flagged(values, rule, **settings) -> tuple[list[int], list[int]]:
    """(high, low) positions a rule flags, against the series' own limits."""
    found = spc(values, "Higher is better", minimum_points=2, **settings)
    high = [i for i, (rules, h) in enumerate(zip(found.flags, found.high, strict=True))
            if rule in rules and h]
    low = [i for i, (rules, lo) in enumerate(zip(found.flags, found.low, strict=True))
           if rule in rules and lo]
    return high, low


# --- the limits ---------------------------------------------------------------------------

def test_limits_are_the_mean_plus_or_minus_2_66_moving_ranges():
    found = spc(FLAT, "Higher is better")
    mean = sum(FLAT) / len(FLAT)
    ranges = [abs(b - a) for a, b in itertools.pairwise(FLAT)]
    moving = sum(ranges) / len(ranges)
    assert found.mean == pytest.approx(mean)
    assert found.moving_range == pytest.approx(moving)
    assert (found.lower, found.upper) == pytest.approx((mean - 2.66 * moving,
                                                        mean + 2.66 * moving))
    assert found.near_upper == pytest.approx(mean + 2 * moving / 1.128)


def test_screen_outliers_leaves_a_huge_moving_range_out_of_the_limits():
    values = [*FLAT[:6], 40, *FLAT[7:]]
    plain, screened = spc(values, "Higher is better"), spc(values, "Higher is better",
                                                           screen_outliers=True)
    assert screened.moving_range < plain.moving_range
    assert screened.upper < plain.upper


def test_baseline_fixes_the_limits_on_the_first_points():
    values = FLAT + [20.0] * 5
    fixed = spc(values, "Higher is better", baseline=13)
    assert fixed.mean == pytest.approx(spc(FLAT, "Higher is better").mean)
    assert fixed.variation == "improvement (high)"
    assert "(from the first 13)" in fixed.why


# --- each rule, and its edge cases ------------------------------------------------------------

def test_outside_the_limits_flags_a_point_beyond_either_limit():
    found = special_causes([5, 11, -1, 8, 12], mean=5, upper=10, lower=0, near_upper=8,
                           near_lower=2)
    assert found[OUTSIDE] == ((False, True, False, False, True),
                              (False, False, True, False, False))


def test_outside_the_limits_a_point_on_a_limit_is_inside():
    found = special_causes([10, 0, 5], mean=5, upper=10, lower=0, near_upper=8, near_lower=2)
    assert found[OUTSIDE] == ((False, False, False), (False, False, False))


def test_shift_seven_points_on_one_side_flags_the_whole_run():
    values = [11, 11, 11, 11, 11, 11, 11, 9]
    found = special_causes(values, mean=10, upper=20, lower=0, near_upper=18, near_lower=2)
    assert found[SHIFT][0] == (True,) * 7 + (False,)
    six = special_causes(values[1:], mean=10, upper=20, lower=0, near_upper=18, near_lower=2)
    assert not any(six[SHIFT][0])


def test_shift_a_point_exactly_on_the_mean_breaks_it():
    values = [11, 11, 11, 10, 11, 11, 11, 11]
    found = special_causes(values, mean=10, upper=20, lower=0, near_upper=18, near_lower=2)
    assert not any(found[SHIFT][0])


def test_shift_of_six_points_when_the_setting_says_six():
    values = [9, 9, 9, 9, 9, 9, 11]
    found = special_causes(values, mean=10, upper=20, lower=0, near_upper=18, near_lower=2,
                           shift_points=6)
    assert found[SHIFT] == ((False,) * 7, (True,) * 6 + (False,))


def test_trend_seven_rising_points_flags_each_of_them():
    found = special_causes([5, 1, 2, 3, 4, 5, 6, 7, 3], mean=4, upper=20, lower=-20,
                           near_upper=18, near_lower=-18)
    assert found[TREND][0] == (False,) + (True,) * 7 + (False,)


def test_trend_a_tie_breaks_it():
    found = special_causes([1, 2, 3, 3, 4, 5, 6, 7], mean=4, upper=20, lower=-20,
                           near_upper=18, near_lower=-18)
    assert not any(found[TREND][0]) and not any(found[TREND][1])


def test_trend_falling_is_flagged_low():
    found = special_causes([9, 8, 7, 6, 5, 4, 3], mean=6, upper=20, lower=-20, near_upper=18,
                           near_lower=-18)
    assert found[TREND] == ((False,) * 7, (True,) * 7)


def test_two_of_three_beyond_two_sigma_on_one_side():
    values = [10, 18.5, 10, 19, 10]
    found = special_causes(values, mean=10, upper=20, lower=0, near_upper=18, near_lower=2)
    assert found[TWO_IN_THREE][0] == (False, True, False, True, False)


def test_two_of_three_counts_a_point_beyond_three_sigma_by_default_and_not_in_the_r_reading():
    values = [10, 25, 11, 19, 10]  # 25 is beyond the upper limit
    default = special_causes(values, mean=10, upper=20, lower=0, near_upper=18, near_lower=2)
    assert default[TWO_IN_THREE][0] == (False, True, False, True, False)
    r_package = special_causes(values, mean=10, upper=20, lower=0, near_upper=18,
                               near_lower=2, two_of_three="within limits, all three on that side")
    assert not any(r_package[TWO_IN_THREE][0])


def test_two_of_three_on_opposite_sides_is_no_signal():
    values = [10, 19, 1, 10]
    found = special_causes(values, mean=10, upper=20, lower=0, near_upper=18, near_lower=2)
    assert not any(found[TWO_IN_THREE][0]) and not any(found[TWO_IN_THREE][1])


def test_two_of_three_can_be_switched_off():
    values = [10, 19, 10, 19, 10]
    found = special_causes(values, mean=10, upper=20, lower=0, near_upper=18, near_lower=2,
                           two_of_three="off")
    assert TWO_IN_THREE not in found


def test_a_missing_period_is_a_gap_not_a_zero_and_creates_no_flag():
    with_gap = [10.0, 12, 11, 9, None, 11, 12, 10, 9, 11, 10, 12, 11, 10]
    found = spc(with_gap, "Higher is better")
    assert found.points == 13
    assert found.flagged == ()
    assert found.values[4] is None and found.flags[4] == ()
    as_zero = spc([0 if v is None else v for v in with_gap], "Higher is better")
    assert as_zero.flagged  # a zero would have been an outlier
    # No moving range spans the gap.
    ranges = [abs(b - a) for a, b in itertools.pairwise(with_gap)
              if a is not None and b is not None]
    assert found.moving_range == pytest.approx(sum(ranges) / len(ranges))


def test_a_gap_breaks_a_shift():
    values = [11.0, 11, 11, None, 11, 11, 11, 11]
    found = special_causes(values, mean=10, upper=20, lower=0, near_upper=18, near_lower=2)
    assert not any(found[SHIFT][0])


def test_a_constant_series_has_zero_moving_range_and_no_flags():
    found = spc([50.0] * 13, "Higher is better", target=60)
    assert found.moving_range == 0 and found.upper == found.lower == found.mean == 50
    assert found.flagged == ()
    assert (found.variation, found.assurance) == ("common cause", "consistently failing")


def test_twelve_points_are_too_few_and_thirteen_enough():
    twelve, thirteen = spc(FLAT[:12], "Higher is better", target=5), spc(FLAT, "Higher is better",
                                                                         target=5)
    assert (twelve.variation, twelve.assurance) == ("too few points", "too few points")
    assert "12 points: Making Data Count needs 13" in twelve.why
    assert (thirteen.variation, thirteen.assurance) == ("common cause", "consistently passing")
    assert spc(FLAT[:12], "Higher is better", minimum_points=12).variation == "common cause"


# --- the icons ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("values", "polarity", "variation"), [
    (FLAT, "Higher is better", "common cause"),
    ([*FLAT, 20], "Higher is better", "improvement (high)"),
    ([*FLAT, 1], "Higher is better", "concern (low)"),
    ([*FLAT, 1], "Lower is better", "improvement (low)"),
    ([*FLAT, 20], "Lower is better", "concern (high)"),
    ([*FLAT, 20], "Within range", "neutral (high)"),
    ([*FLAT, 1], "Within range", "neutral (low)"),
    (FLAT[:5], "Higher is better", "too few points"),
])
def test_each_variation_icon(values, polarity, variation):
    assert spc(values, polarity).variation == variation


@pytest.mark.parametrize(("polarity", "target", "assurance"), [
    ("Higher is better", 5, "consistently passing"),
    ("Higher is better", 20, "consistently failing"),
    ("Higher is better", 11, "hit and miss"),
    ("Lower is better", 20, "consistently passing"),
    ("Lower is better", 5, "consistently failing"),
    ("Higher is better", None, "no target"),
    ("Within range", (0, 30), "consistently passing"),
    ("Within range", (20, 30), "consistently failing"),
    ("Within range", (11, 30), "hit and miss"),
    ("Within range", 11, "no target"),
])
def test_each_assurance_icon(polarity, target, assurance):
    assert spc(FLAT, polarity, target=target).assurance == assurance


def test_improvement_and_concern_at_once_shows_improvement():
    # Seven falling points (a trend: low, concern) all far above the mean (a shift: high,
    # improvement), the latest ending both.
    values = [1.0, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 30, 29, 28, 27, 26, 25, 24]
    found = spc(values, "Higher is better")
    last = len(values) - 1
    assert found.high[last] and found.low[last]
    assert found.variation == "improvement (high)"
    assert variation_of("Higher is better", high=True, low=True, value=3, mean=5) == \
        "improvement (high)"
    assert variation_of("Lower is better", high=True, low=True, value=3, mean=5) == \
        "improvement (low)"


def test_a_target_on_a_limit_is_hit_and_miss():
    assert assurance_of("Higher is better", 10, upper=10, lower=0) == "hit and miss"
    assert assurance_of("Lower is better", 0, upper=10, lower=0) == "hit and miss"


def test_every_result_explains_itself_in_one_line():
    for values, target in (([*FLAT, 20], 11), (FLAT, None), (FLAT[:3], 5), ([*FLAT, 1], 20)):
        found = spc(values, "Higher is better", target=target, unit="%")
        assert "\n" not in found.why
        assert found.why.count("->") == (1 if found.variation == "too few points" else 2)
        assert found.variation in found.why
    said = spc([*FLAT, 20], "Higher is better", target=11, unit="%").why
    assert said.startswith("14 points, mean 11.29%, limits 5.97% to 16.61%: ")
    assert "the latest, 20%, is above the upper limit -> improvement (high)" in said
    assert said.endswith("the target 11% is between the limits -> hit and miss")


def test_words_are_the_ones_officers_read():
    assert set(VARIATIONS) == {"common cause", "improvement (high)", "improvement (low)",
                               "concern (high)", "concern (low)", "neutral (high)",
                               "neutral (low)", "too few points"}
    assert set(ASSURANCES) == {"consistently passing", "consistently failing", "hit and miss",
                               "no target", "too few points"}
    assert ragbook.spc is spc


def test_a_setting_that_does_not_exist_is_named():
    with pytest.raises(TypeError, match="unknown SPC setting shift_lenght"):
        spc(FLAT, "Higher is better", shift_lenght=6)
    with pytest.raises(ValueError, match="shift_points: expected a whole number"):
        spc(FLAT, "Higher is better", shift_points=1)
    with pytest.raises(ValueError, match="polarity: expected one of"):
        spc(FLAT, "Bigger")


def test_many_measures_at_once_give_what_each_gives_alone():
    series = [FLAT, [*FLAT, 20], FLAT[:4], [None, *FLAT], [3.0] * 15]
    polarities = ["Higher is better", "Lower is better", "Within range", "Higher is better",
                  "Lower is better"]
    targets = [5, 11, (1, 2), None, 3]
    together = spc_many(series, polarities, targets)
    for values, polarity, target, found in zip(series, polarities, targets, together,
                                               strict=True):
        alone = spc(values, polarity, target=target)
        assert found == alone


# --- ported from the open implementations' own tests ------------------------------------------

def _ported():
    return json.loads(PORTED.read_text(encoding="utf-8"))["cases"]


def _case_id(case) -> str:
    return case["id"]


def _settings(case) -> dict:
    chosen = dict(case["settings"])
    chosen["minimum_points"] = 2  # neither package withholds icons below 13 points
    return chosen


PORTABLE = {
    # Whole series through the limits and the icons, with the package's own settings.
    "limits": lambda case: case["values"] and "inputs" not in case,
    "variation_icon": lambda case: (case["values"] and "inputs" not in case) or
                                   case.get("inputs", {}).get("flag_last_point") is True,
    "assurance_icon": lambda case: (case["values"] and "inputs" not in case) or
                                   "ul99" in case.get("inputs", {}),
    "trend": lambda case: case["values"] and "inputs" not in case,
    "astronomical": lambda case: "ll99" in case.get("inputs", {}),
    "shift": lambda case: "targets" in case.get("inputs", {}) or
                          "relative_to_mean" in case.get("inputs", {}),
    "two_in_three": lambda case: "ul95" in case.get("inputs", {})
                                 and not case["inputs"].get("highlight_series"),
}
"""Cases whose inputs ragbook's functions take as they stand. Left out: rule-level cases
that hand over intermediate results ragbook does not have (NHSRplotthedots' window marker),
PowerBI-SPC's icon cases that pass flags for every point with "flag the last point only"
switched off (ragbook's icon is always the latest point's), and its "highlight series"
option (ragbook flags only the points beyond 2 sigma). Its icon cases that pass the latest
point's flags or the limits are ported through :func:`variation_of` and
:func:`assurance_of`."""


def _portable(case) -> bool:
    test = PORTABLE.get(case["kind"])
    return bool(test and test(case))


def test_enough_cases_are_ported_from_each_implementation():
    cases = [c for c in _ported() if _portable(c)]
    repos = {c["source"]["repo"] for c in cases}
    assert repos == {"nhs-r-community/NHSRplotthedots", "AUS-DOH-Safety-and-Quality/PowerBI-SPC"}
    assert len(cases) >= 15
    for case in cases:
        assert case["source"]["path"] and case["source"]["line"]


def _labels(high, low) -> list[str]:
    return ["upper" if h else "lower" if lo else "none" for h, lo in zip(high, low, strict=True)]


@pytest.mark.parametrize("case", [c for c in _ported() if _portable(c)], ids=_case_id)
def test_ported_case(case):
    kind, expected, chosen = case["kind"], case["expected"], _settings(case)
    if kind == "limits":
        found = spc(case["values"], case["polarity"], **chosen)
        tolerance = 1e-4 if "PowerBI" in case["source"]["repo"] else 1e-6
        assert found.mean == pytest.approx(expected["mean"], abs=max(tolerance, 1e-4))
        assert found.upper == pytest.approx(expected["upper"], abs=max(tolerance, 1e-4) * 10)
        assert found.lower == pytest.approx(expected["lower"], abs=max(tolerance, 1e-4) * 10)
    elif kind == "variation_icon" and "inputs" in case:
        # PowerBI-SPC passes each rule's flags, already read as improvement or deterioration.
        upward = case["inputs"]["improvement_direction"] == "increase"
        last = {flags[-1] for flags in case["inputs"]["outliers"].values()}
        better, worse = "improvement" in last, "deterioration" in last
        high = (better and upward) or (worse and not upward)
        low = (better and not upward) or (worse and upward)
        assert variation_of(case["polarity"], high, low, 0, 0) == expected
    elif kind == "variation_icon":
        assert spc(case["values"], case["polarity"], target=case["target"],
                   **chosen).variation == expected
    elif kind == "assurance_icon" and "inputs" in case:
        inputs = case["inputs"]
        assert assurance_of(case["polarity"], inputs["alt_targets"][-1],
                            upper=inputs["ul99"][-1], lower=inputs["ll99"][-1]) == expected
    elif kind == "assurance_icon":
        assert spc(case["values"], case["polarity"], target=case["target"],
                   **chosen).assurance == expected
    elif kind == "trend":
        found = special_causes(case["values"], mean=0, upper=math.inf, lower=-math.inf,
                               near_upper=math.inf, near_lower=-math.inf, **chosen)[TREND]
        want = expected.get("derived_all_points_in_run") or expected["flags"]
        marks = [1 if h or lo else 0 for h, lo in zip(*found, strict=True)] \
            if isinstance(want[0], int) else _labels(*found)
        assert marks == want
    elif kind == "astronomical":
        inputs = case["inputs"]
        found = special_causes(case["values"], mean=0, upper=inputs["ul99"],
                               lower=inputs["ll99"], near_upper=math.inf,
                               near_lower=-math.inf, **chosen)[OUTSIDE]
        assert _labels(*found) == expected["flags"]
    elif kind == "shift":
        inputs = case["inputs"]
        if "relative_to_mean" in inputs:
            values, centre = inputs["relative_to_mean"], 0
        else:
            values, centre = case["values"], inputs["targets"]
        found = special_causes(values, mean=centre, upper=math.inf, lower=-math.inf,
                               near_upper=math.inf, near_lower=-math.inf, **chosen)[SHIFT]
        want = expected.get("derived_all_points_in_run") or expected["flags"]
        marks = [1 if h or lo else 0 for h, lo in zip(*found, strict=True)] \
            if isinstance(want[0], int) else _labels(*found)
        assert marks == want
    elif kind == "two_in_three":
        inputs = case["inputs"]
        found = special_causes(case["values"], mean=5, upper=math.inf, lower=-math.inf,
                               near_upper=inputs["ul95"], near_lower=inputs["ll95"],
                               **chosen)[TWO_IN_THREE]
        assert _labels(*found) == expected["flags"]


# --- properties of any series ----------------------------------------------------------------

series = st.lists(st.one_of(st.none(), st.floats(-1e4, 1e4, allow_nan=False).map(
    lambda v: round(v, 3))), min_size=13, max_size=30)
polarities = st.sampled_from(["Higher is better", "Lower is better"])


def _enough(values) -> bool:
    present = [v for v in values if v is not None]
    return len(present) >= 13 and len(set(present)) > 1


@settings(max_examples=150, deadline=None)
@given(series, polarities)
def test_limits_are_symmetric_about_the_mean(values, polarity):
    assume(_enough(values))
    found = spc(values, polarity)
    assert found.upper - found.mean == pytest.approx(found.mean - found.lower, abs=1e-6)
    assert found.near_upper - found.mean == pytest.approx(found.mean - found.near_lower,
                                                          abs=1e-6)


@settings(max_examples=150, deadline=None)
@given(series, polarities, st.integers(-1000, 1000), st.floats(-1e4, 1e4).map(round))
def test_adding_a_constant_moves_mean_and_limits_and_changes_no_icon(values, polarity,
                                                                     shift, target):
    assume(_enough(values))
    moved = [None if v is None else v + shift for v in values]
    before, after = spc(values, polarity, target=target), spc(moved, polarity,
                                                              target=target + shift)
    assert after.mean == pytest.approx(before.mean + shift, abs=1e-6)
    assert after.upper == pytest.approx(before.upper + shift, abs=1e-6)
    assert after.lower == pytest.approx(before.lower + shift, abs=1e-6)
    _assume_clear_of_edges(before, values)
    assert (after.variation, after.assurance) == (before.variation, before.assurance)
    assert after.flags == before.flags


@settings(max_examples=150, deadline=None)
@given(series, polarities, st.sampled_from([0.5, 2.0, 3.0, 10.0]))
def test_scaling_by_a_positive_factor_changes_no_icon(values, polarity, factor):
    assume(_enough(values))
    scaled = [None if v is None else v * factor for v in values]
    before, after = spc(values, polarity, target=1.0), spc(scaled, polarity, target=factor)
    _assume_clear_of_edges(before, values)
    assert (after.variation, after.assurance) == (before.variation, before.assurance)
    assert after.flags == before.flags


@settings(max_examples=150, deadline=None)
@given(series, st.floats(-1e4, 1e4).map(round))
def test_reversing_polarity_swaps_improvement_and_concern(values, target):
    assume(_enough(values))
    higher, lower = spc(values, "Higher is better", target=target), spc(
        values, "Lower is better", target=target)
    swap = {"improvement": "concern", "concern": "improvement"}
    kind, _, side = higher.variation.partition(" (")
    expected = f"{swap[kind]} ({side}" if kind in swap else higher.variation
    assert lower.variation == expected
    passing = {"consistently passing": "consistently failing",
               "consistently failing": "consistently passing"}
    assert lower.assurance == passing.get(higher.assurance, higher.assurance)
    assert higher.flags == lower.flags


def _assume_clear_of_edges(found, values) -> None:
    """Rounding can move a point across a limit or the mean when it sits within a hair of
    one: such series say nothing about the property."""
    edges = [found.mean, found.upper, found.lower, found.near_upper, found.near_lower]
    scale = max(1.0, max(abs(v) for v in values if v is not None))
    for value in values:
        if value is None:
            continue
        assume(all(abs(value - edge) > 1e-9 * scale for edge in edges))
    present = [v for v in values if v is not None]
    assume(all(abs(b - a) > 1e-9 * scale or a == b for a, b in itertools.pairwise(present)))


def test_a_measure_of_many_may_have_its_own_baseline():
    values = [*FLAT, 20.0, 20.0, 20.0]
    together = spc_many([values, values], ["Higher is better"] * 2, baselines=[13, None])
    assert together[0] == spc(values, "Higher is better", baseline=13)
    assert together[1] == spc(values, "Higher is better")
