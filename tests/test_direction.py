"""Direction of travel (domain.md section 4)."""

from __future__ import annotations

from ragbook import action_direction, measure_direction
from ragbook.ratings import DECLINING, IMPROVING, NOT_APPLICABLE, SUSTAINED


def test_lower_is_better_improves_when_it_falls():
    direction = measure_direction(11.41, 11.92, "Lower is better", unit="days")
    assert direction.arrow == IMPROVING
    assert "improved by 0.51 days" in direction.why


def test_higher_is_better_declines_when_it_falls():
    assert measure_direction(72, 82, "Higher is better").arrow == DECLINING


def test_no_change_is_sustained():
    assert measure_direction(22, 22, "Higher is better").arrow == SUSTAINED


def test_move_within_absolute_band_is_sustained():
    direction = measure_direction(58, 59, "Lower is better", band=2, tolerance="Absolute")
    assert direction.arrow == SUSTAINED
    assert "within the no-significant-change band of 2" in direction.why


def test_move_within_relative_band_is_sustained():
    assert measure_direction(101, 100, "Higher is better", band=0.02).arrow == SUSTAINED
    assert measure_direction(103, 100, "Higher is better", band=0.02).arrow == IMPROVING


def test_move_exactly_at_the_band_is_sustained():
    assert measure_direction(102, 100, "Higher is better", band=0.02).arrow == SUSTAINED


def test_range_measure_improves_when_it_moves_towards_the_range():
    assert measure_direction(5.5, 6, "Within range", range_low=3, range_high=5).arrow == IMPROVING


def test_range_measure_inside_both_times_is_sustained():
    direction = measure_direction(4, 3.5, "Within range", range_low=3, range_high=5)
    assert direction.arrow == SUSTAINED
    assert "inside the range both times" in direction.why


def test_no_previous_actual_gives_na():
    assert measure_direction(5, None, "Higher is better").arrow == NOT_APPLICABLE


def test_seasonal_measure_says_it_compares_with_same_quarter_last_year():
    direction = measure_direction(3.8, 4.4, "Lower is better", unit="%",
                                  compare_with="Same quarter last year")
    assert direction.arrow == IMPROVING
    assert "the same quarter last year" in direction.why


def test_direction_is_independent_of_rating():
    # M4.2 in the seed: RED, but better than last year-end.
    assert measure_direction(11.41, 11.92, "Lower is better").arrow == IMPROVING


def test_action_direction_compares_ratings():
    assert action_direction("G", "A").arrow == IMPROVING
    assert action_direction("R", "A").arrow == DECLINING
    assert action_direction("A", "A").arrow == SUSTAINED


def test_new_action_has_no_direction():
    assert action_direction("G", None).arrow == NOT_APPLICABLE
    assert action_direction("No data", "G").arrow == NOT_APPLICABLE
