"""The measure rules of domain.md section 3, one rule a test."""

from __future__ import annotations

import pytest

from ragbook import ReportingPeriod, rate_measure
from ragbook.ratings import AMBER, GREEN, NO_DATA, NOT_APPLICABLE, RED

Q1 = ReportingPeriod.of("2018/19", "Q1")


def codes(rating):
    return [p.code for p in rating.problems]


def test_red_when_shortfall_more_than_red_threshold():
    rating = rate_measure(72, 90, "Higher is better", unit="%")
    assert rating.rag == RED
    assert rating.why == ("72% vs target 90% (higher is better): 18 points short (20.0% of the "
                          "target), more than the 10% red threshold -> RED")


def test_amber_when_shortfall_between_thresholds():
    assert rate_measure(92, 100, "Higher is better").rag == AMBER


def test_green_when_target_met_or_exceeded():
    assert rate_measure(100, 100).rag == GREEN
    assert rate_measure(130, 100).rag == GREEN
    assert "target met" in rate_measure(130, 100).why


def test_green_exactly_at_five_percent():
    assert rate_measure(95, 100).rag == GREEN
    assert rate_measure(85.5, 90).rag == GREEN  # 4.5 / 90 is 5% in floating point too


def test_amber_just_over_five_percent():
    assert rate_measure(94.99, 100).rag == AMBER


def test_amber_exactly_at_ten_percent():
    assert rate_measure(90, 100).rag == AMBER
    assert rate_measure(81, 90).rag == AMBER
    assert rate_measure(11, 10, "Lower is better").rag == AMBER


def test_red_just_over_ten_percent():
    rating = rate_measure(89.99, 100)
    assert rating.rag == RED
    assert "10.01 short (10.01% of the target)" in rating.why


def test_lower_is_better_measures_are_short_when_above_target():
    rating = rate_measure(11.41, 10, "Lower is better", unit="days")
    assert rating.rag == RED
    assert "1.41 days over (14.1% of the target)" in rating.why


def test_dwelling_fires_compared_with_profiled_quarter_target():
    rating = rate_measure(53, 246, "Lower is better", target_profile="Per quarter", period=Q1)
    assert rating.rag == GREEN
    assert rating.compared_with == 61.5
    assert "Q1 target 61.5" in rating.why


def test_year_to_date_profile_scales_the_annual_target_by_quarter():
    q3 = ReportingPeriod.of("2018/19", "Q3")
    rating = rate_measure(7000, 10000, target_profile="Year to date", period=q3)
    assert rating.compared_with == 7500
    assert rating.rag == AMBER  # 500 / 7500 = 6.7%


def test_quarter_target_wins_over_profile():
    rating = rate_measure(60, 246, "Lower is better", quarter_target=50,
                          target_profile="Per quarter", period=Q1)
    assert rating.compared_with == 50
    assert rating.rag == RED


def test_profile_without_a_quarter_is_a_problem():
    rating = rate_measure(53, 246, "Lower is better", target_profile="Per quarter")
    assert rating.rag == ""
    assert codes(rating) == ["profile-needs-quarter"]


def test_absolute_tolerance_measures_shortfall_in_the_unit():
    rating = rate_measure(11.41, 10, "Lower is better", tolerance="Absolute", amber=1, red=2,
                          unit="days")
    assert rating.rag == AMBER
    assert "1.41 days over" in rating.why


def test_absolute_tolerance_without_thresholds_is_a_problem():
    rating = rate_measure(11.41, 10, "Lower is better", tolerance="Absolute")
    assert rating.rag == ""
    assert set(codes(rating)) == {"absolute-needs-thresholds"}


def test_per_measure_thresholds_replace_plan_defaults():
    assert rate_measure(92, 100, amber=0.1, red=0.2).rag == GREEN
    assert rate_measure(92, 100, default_amber=0.1, default_red=0.2).rag == GREEN


def test_within_range_green_inside_the_bounds():
    assert rate_measure(4, None, "Within range", range_low=3, range_high=5).rag == GREEN


def test_within_range_rated_on_distance_from_nearest_bound():
    assert rate_measure(5.3, None, "Within range", range_low=3, range_high=5).rag == AMBER
    assert rate_measure(2.5, None, "Within range", range_low=3, range_high=5).rag == RED


def test_within_range_with_no_bounds_is_a_problem():
    rating = rate_measure(4, None, "Within range")
    assert rating.rag == ""
    assert codes(rating) == ["range-without-bounds"]


def test_target_zero_with_relative_tolerance_is_a_problem_not_a_crash():
    rating = rate_measure(3, 0, "Lower is better")
    assert rating.rag == ""
    assert codes(rating) == ["zero-target-relative"]
    assert "Not rated" in rating.why


def test_target_zero_with_absolute_tolerance_is_rated():
    rating = rate_measure(3, 0, "Lower is better", tolerance="Absolute", amber=1, red=2)
    assert rating.rag == RED


def test_missing_actual_is_no_data_never_red():
    rating = rate_measure(None, 90)
    assert rating.rag == NO_DATA
    assert rating.problems == ()


def test_actual_marked_na_is_not_due():
    assert rate_measure("n/a", 90).rag == NOT_APPLICABLE


def test_text_that_shows_a_percentage_is_read_as_that_number():
    rating = rate_measure("72 %", 90, unit="%")
    assert rating.rag == RED
    assert rating.why.startswith("72% vs target 90%")
    assert rate_measure(" 1,250 ", 1000).actual == 1250


def test_words_in_a_numeric_cell_are_a_problem_that_says_how_to_mean_no_data():
    for words in ("TBC", "-", "awaiting data", "72 percent"):
        rating = rate_measure(words, 90)
        assert rating.rag == ""
        assert codes(rating) == ["not-a-number"]
        assert "leave the cell blank" in rating.problems[0].expected
        assert "type n/a" in rating.problems[0].expected


def test_a_fraction_typed_in_a_percentage_measure_is_reported_not_rated_red():
    rating = rate_measure(0.85, 90, unit="%")
    assert rating.rag == ""
    assert codes(rating) == ["fraction-in-percentage"]
    assert rating.problems[0].expected.endswith("85 for 85%, not 0.85")
    # Small percentages beside small targets are just small.
    assert rate_measure(0.4, 0.5, unit="%").rag == RED
    assert rate_measure(0.85, 90, unit="people").rag == RED


def test_unknown_polarity_is_a_problem_listing_the_choices():
    rating = rate_measure(5, 4, "Bigger")
    assert rating.problems[0].expected == (
        "one of Higher is better, Lower is better or Within range")


def test_override_replaces_the_rating_and_keeps_the_computed_one():
    rating = rate_measure(80, 90, override="Amber", override_reason="Data lag in June")
    assert (rating.rag, rating.computed) == (AMBER, RED)
    assert rating.why.startswith("Officer override to AMBER (computed: 80 vs target 90")
    assert rating.why.endswith("Reason: Data lag in June")


def test_override_without_reason_is_ignored_and_reported():
    rating = rate_measure(80, 90, override="G")
    assert rating.rag == RED
    assert codes(rating) == ["override-without-reason"]


def test_override_that_is_not_a_rating_is_reported():
    rating = rate_measure(80, 90, override="Purple", override_reason="x")
    assert rating.rag == RED
    assert codes(rating) == ["unknown-override"]


def test_amber_threshold_above_red_is_a_problem():
    rating = rate_measure(80, 90, amber=0.2, red=0.1)
    assert codes(rating) == ["amber-above-red"]


@pytest.mark.parametrize("threshold", [5, -0.05])
def test_relative_thresholds_are_fractions_of_zero_or_more(threshold):
    assert rate_measure(80, 90, amber=threshold).rag == ""
