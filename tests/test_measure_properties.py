"""Properties every measure rating must have, checked on generated measures."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ragbook import ReportingPeriod, measure_direction, rate_measure, rate_measures
from ragbook import choices as c
from ragbook.ratings import ARROWS, DECLINING, IMPROVING, RAG_ORDER

Q2 = ReportingPeriod.of("2018/19", "Q2")
values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda v: round(v, 3))
targets = values.filter(lambda v: abs(v) > 1e-3)
fractions = st.floats(min_value=0, max_value=1).map(lambda v: round(v, 4))
polarities = st.sampled_from(["Higher is better", "Lower is better"])


def better_or_same(a: str, b: str) -> bool:
    return RAG_ORDER[a] >= RAG_ORDER[b]


@given(target=targets, actual=values, worse_by=st.floats(min_value=0, max_value=1e6),
       polarity=polarities)
def test_a_worse_actual_never_gets_a_better_rating(target, actual, worse_by, polarity):
    worse = actual - worse_by if polarity == "Higher is better" else actual + worse_by
    good = rate_measure(actual, target, polarity).rag
    bad = rate_measure(worse, target, polarity).rag
    assert better_or_same(good, bad)


@given(low=values, width=st.floats(min_value=0.01, max_value=1e5), actual=values,
       further=st.floats(min_value=0, max_value=1e5))
def test_further_outside_a_range_is_never_better(low, width, actual, further):
    assume(low != 0 and low + width != 0)
    high = low + width
    worse = actual - further if actual < (low + high) / 2 else actual + further
    near = rate_measure(actual, None, "Within range", range_low=low, range_high=high).rag
    far = rate_measure(worse, None, "Within range", range_low=low, range_high=high).rag
    assert better_or_same(near, far)


@given(target=targets, actual=values, amber=fractions, extra=fractions,
       tolerance=st.sampled_from(["Relative", "Absolute"]))
def test_mirroring_values_and_flipping_polarity_gives_the_same_rating(
        target, actual, amber, extra, tolerance):
    red = amber + extra if tolerance == "Absolute" else min(1.0, amber + extra)
    higher = rate_measure(actual, target, "Higher is better", tolerance=tolerance,
                          amber=amber, red=red)
    lower = rate_measure(-actual, -target, "Lower is better", tolerance=tolerance,
                         amber=amber, red=red)
    assert higher.rag == lower.rag


@given(current=values, previous=values, polarity=polarities,
       band=st.one_of(st.just(0.0), fractions))
def test_swapping_current_and_previous_flips_the_arrow(current, previous, polarity, band):
    forward = measure_direction(current, previous, polarity, band=band,
                                tolerance="Absolute").arrow
    back = measure_direction(previous, current, polarity, band=band,
                             tolerance="Absolute").arrow
    flipped = {IMPROVING: DECLINING, DECLINING: IMPROVING}
    assert back == flipped.get(forward, forward)


cells = st.one_of(st.none(), values, st.sampled_from(["n/a", "72 %", "", "abc"]))


@given(actual=cells, target=st.one_of(st.none(), values), polarity=st.sampled_from(
    ["Higher is better", "Lower is better", "Within range", "sideways", None]),
    low=st.one_of(st.none(), values), high=st.one_of(st.none(), values),
    override=st.sampled_from([None, "G", "red", "x"]),
    reason=st.sampled_from([None, "", "agreed at DMT"]))
def test_every_rating_and_arrow_has_a_non_empty_explanation(actual, target, polarity, low,
                                                             high, override, reason):
    rating = rate_measure(actual, target, polarity, range_low=low, range_high=high,
                          override=override, override_reason=reason)
    assert rating.why.strip()
    number = actual if isinstance(actual, float) else None
    previous = target if target is None or not math.isnan(target) else None
    direction = measure_direction(number, previous, polarity or "Higher is better")
    assert direction.arrow in ARROWS
    assert direction.why.strip()


row = st.fixed_dictionaries({
    "Polarity": st.sampled_from(["Higher is better", "lower is better", "Within range",
                                 "Bigger", None]),
    "Tolerance": st.sampled_from([None, "Relative", "Absolute", "Loose"]),
    "Target profile": st.sampled_from([None, "Per quarter", "Year to date"]),
    "Actual": cells,
    "Target": st.one_of(st.none(), values, st.just(0.0)),
    "Quarter target": st.one_of(st.none(), values),
    "Range low": st.one_of(st.none(), values),
    "Range high": st.one_of(st.none(), values),
    "Amber threshold": st.one_of(st.none(), fractions, st.just(5.0)),
    "Red threshold": st.one_of(st.none(), fractions),
    "Override RAG": st.sampled_from([None, "A", "purple"]),
    "Override reason": st.sampled_from([None, "because"]),
    "Unit": st.sampled_from([None, "%", "days"]),
    "Previous actual": st.one_of(st.none(), values),
    "Change band": st.one_of(st.none(), fractions),
})


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(row, min_size=1, max_size=12))
def test_table_engine_agrees_with_one_measure_rules(rows):
    frame = pd.DataFrame(rows, dtype=object)
    table = rate_measures(frame, period=Q2)
    for i, cells_ in enumerate(rows):
        one = rate_measure(
            cells_["Actual"], cells_["Target"], cells_["Polarity"],
            quarter_target=cells_["Quarter target"], range_low=cells_["Range low"],
            range_high=cells_["Range high"], tolerance=cells_["Tolerance"],
            amber=cells_["Amber threshold"], red=cells_["Red threshold"],
            target_profile=cells_["Target profile"], period=Q2,
            override=cells_["Override RAG"], override_reason=cells_["Override reason"],
            unit=cells_["Unit"] or "")
        got = table.table.iloc[i]
        assert (got["RAG"], got["Computed RAG"]) == (one.rag, one.computed), one.why
        assert got["Rating why"] == one.why
        polarity = c.POLARITY.read(cells_["Polarity"])
        if polarity is not None:
            actual = one.actual if one.reason not in ("not-due", "not-rated") else None
            if one.reason == "not-rated":
                continue  # a blocked row's actual may itself be the problem
            tolerance = c.TOLERANCE.read(cells_["Tolerance"]) or "Relative"
            arrow = measure_direction(
                actual, cells_["Previous actual"], polarity,
                band=cells_["Change band"] or 0.0, tolerance=tolerance,
                range_low=cells_["Range low"], range_high=cells_["Range high"],
                unit=cells_["Unit"] or "")
            assert got["Direction"] == arrow.arrow, arrow.why
            assert got["Direction why"] == arrow.why
        # The last quarter's figures are the direction's, which rate_measure does not take.
        table_codes = sorted((p.code, p.column, p.expected) for p in table.problems
                             if p.row == i
                             and p.column not in ("Previous actual", "Last year actual"))
        assert table_codes == sorted((p.code, p.column, p.expected) for p in one.problems)
