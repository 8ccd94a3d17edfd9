"""Variation and assurance beside RAG: NHS England's Making Data Count (statistical process
control) for a measure's run of figures.

A RAG rating answers "are we on target this quarter?". This answers "is this really
changing, or is it noise?" (**variation**) and "will we reliably hit the target?"
(**assurance**), from an XmR chart of the measure's figures::

    import ragbook
    found = ragbook.spc([71, 73, 70, ..., 84], "Higher is better", target=80)
    found.variation, found.assurance, found.why

The rules, as the open implementations state them (NHSRplotthedots, PowerBI-SPC and the
Making Data Count Excel tool), with each choice on which they differ a named setting
(:class:`SpcSettings`):

* limits: the mean of the points, and mean +/- 2.66 x the mean moving range (3 sigma); the
  "near" band is mean +/- 2 sigma;
* special causes, each flagging points: a point outside the limits; a **shift** of
  ``shift_points`` in a row on one side of the mean (a point on the mean breaks it); a
  **trend** of ``trend_points`` in a row each rising or each falling (a tie breaks it); **two
  of three** points in a row beyond 2 sigma on one side;
* a flagged point is improvement or concern by the measure's polarity (neutral for Within
  range); when both fire on the latest point, improvement is shown, as Making Data Count does;
* assurance compares the target with the limits: outside them the process consistently
  passes or fails; between them it will hit and miss.

A missing period is a gap: it is no point, it breaks a run like a point on the mean, and no
moving range spans it, so it never creates a flag.

Everything is computed for many measures at once over a 2-D array (:func:`spc_many`);
:func:`spc` is one row of it.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

import numpy as np

from ragbook import choices as c
from ragbook.numbers import show_amount

LIMIT_FACTOR = 2.66
"""Process limits are the mean +/- 2.66 x the mean moving range: 3 sigma, sigma = MR-bar/1.128."""
SIGMA_PER_MOVING_RANGE = 1 / 1.128
OUTLIER_MOVING_RANGE = 3.267
"""With ``screen_outliers``, a moving range of 3.267 x MR-bar or more is left out of MR-bar."""

TwoOfThree = Literal["any beyond 2 sigma", "within limits, all three on that side", "off"]
TWO_OF_THREE: tuple[TwoOfThree, ...] = ("any beyond 2 sigma",
                                        "within limits, all three on that side", "off")

COMMON = "common cause"
TOO_FEW = "too few points"
VARIATIONS = (COMMON, "improvement (high)", "improvement (low)", "concern (high)",
              "concern (low)", "neutral (high)", "neutral (low)", TOO_FEW)
PASSING, FAILING, HIT_AND_MISS, NO_TARGET = ("consistently passing", "consistently failing",
                                             "hit and miss", "no target")
ASSURANCES = (PASSING, FAILING, HIT_AND_MISS, NO_TARGET, TOO_FEW)

OUTSIDE, SHIFT, TREND, TWO_IN_THREE = ("outside the limits", "shift", "trend", "two of three")
RULES = (OUTSIDE, SHIFT, TREND, TWO_IN_THREE)
"""The special-cause rules, in the order a point's reasons are given."""

COLOURS = {"improvement": "#00B0F0", "concern": "#E46C0A", "neutral": "#490092",
           COMMON: "#A6A6A6", TOO_FEW: "#A6A6A6", PASSING: "#00B0F0", FAILING: "#E46C0A",
           HIT_AND_MISS: "#A6A6A6", NO_TARGET: "#A6A6A6"}
"""Making Data Count's colours: improvement blue, concern orange, neutral purple, grey."""


@dataclass(frozen=True)
class SpcSettings:
    """The choices on which the SPC tools differ, with ragbook's defaults.

    ``minimum_points``: fewer points than this give no icons (Making Data Count shows none
    below 13; its limits are "trial limits" until then). ``shift_points`` and
    ``trend_points``: 7 by default, 6 in the Making Data Count Excel tool's other option.
    ``two_of_three``: "any beyond 2 sigma" counts points beyond 3 sigma too (as the Making
    Data Count team announced in 2023); "within limits, all three on that side" is
    NHSRplotthedots' reading (all three on that side of the mean, the two between 2 and 3
    sigma); "off" leaves the rule out. ``screen_outliers``: leave moving ranges of 3.267 x
    MR-bar or more out of MR-bar (NHSRplotthedots does by default; the Making Data Count
    Excel tool does not, and nor does ragbook unless asked). ``baseline``: fix the limits on
    the first this-many periods (blank: all of them).
    """

    minimum_points: int = 13
    shift_points: int = 7
    trend_points: int = 7
    two_of_three: TwoOfThree = "any beyond 2 sigma"
    screen_outliers: bool = False
    baseline: int | None = None

    def __post_init__(self) -> None:
        for name in ("minimum_points", "shift_points", "trend_points"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 2:
                raise ValueError(f"{name}: expected a whole number of at least 2, "
                                 f"found {value!r}")
        if self.two_of_three not in TWO_OF_THREE:
            raise ValueError(f"two_of_three: expected one of {', '.join(TWO_OF_THREE)}, "
                             f"found {self.two_of_three!r}")
        if self.baseline is not None and (not isinstance(self.baseline, int)
                                          or isinstance(self.baseline, bool)
                                          or self.baseline < 2):
            raise ValueError(f"baseline: expected a whole number of at least 2 or blank, "
                             f"found {self.baseline!r}")

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


DEFAULT = SpcSettings()


@dataclass(frozen=True)
class SpcResult:
    """What the chart of one measure's figures says, and why."""

    values: tuple[float | None, ...]
    points: int
    mean: float | None
    upper: float | None
    lower: float | None
    near_upper: float | None
    near_lower: float | None
    moving_range: float | None
    flags: tuple[tuple[str, ...], ...]
    """Per value, the rules that flagged it (empty for none, and for a gap)."""
    high: tuple[bool, ...]
    """Per value, flagged as high (above the mean, or rising)."""
    low: tuple[bool, ...]
    variation: str
    assurance: str
    why: str
    settings: SpcSettings = field(default=DEFAULT, repr=False)

    @property
    def flagged(self) -> tuple[int, ...]:
        """The positions of the flagged points."""
        return tuple(i for i, rules in enumerate(self.flags) if rules)


def settings_from(**settings: Any) -> SpcSettings:
    """``SpcSettings`` from keyword settings, naming any unknown one."""
    unknown = sorted(set(settings) - set(SpcSettings.names()))
    if unknown:
        raise TypeError(f"unknown SPC setting {', '.join(unknown)}: expected "
                        f"{', '.join(SpcSettings.names())}")
    return replace(DEFAULT, **settings)


def _sign(polarity: str) -> int:
    """+1 higher is better, -1 lower is better, 0 no preferred direction (Within range)."""
    found = c.POLARITY.read(polarity)
    if found == c.HIGHER:
        return 1
    if found == c.LOWER:
        return -1
    if found == c.RANGE:
        return 0
    raise ValueError(f"polarity: expected one of {', '.join(c.POLARITY.options)}, "
                     f"found {polarity!r}")


def spc(values: Sequence[float | None], polarity: str,
        target: float | tuple[float | None, float | None] | None = None, *, unit: str = "",
        **settings: Any) -> SpcResult:
    """Variation and assurance for one measure's figures, oldest first (``None`` for a
    missing period). ``target``: a number, or ``(low, high)`` for Within range."""
    return spc_many([values], [polarity], [target], units=[unit],
                    settings=settings_from(**settings))[0]


@dataclass(frozen=True)
class _Limits:
    points: np.ndarray
    mean: np.ndarray
    moving_range: np.ndarray
    upper: np.ndarray
    lower: np.ndarray
    near_upper: np.ndarray
    near_lower: np.ndarray


def _as_matrix(series: Sequence[Sequence[float | None]]) -> np.ndarray:
    """Rows of figures, right-aligned (the latest last), ``NaN`` for a gap or padding."""
    width = max((len(row) for row in series), default=0)
    matrix = np.full((len(series), max(width, 1)), np.nan)
    for number, row in enumerate(series):
        if len(row):
            matrix[number, width - len(row):] = [np.nan if v is None else float(v) for v in row]
    return matrix


def _limits(x: np.ndarray, settings: SpcSettings, lengths: np.ndarray,
            baselines: np.ndarray | None = None) -> _Limits:
    """The limits of each row; ``baselines`` (0: none) fix a row's on its first figures."""
    present = ~np.isnan(x)
    base = x
    if baselines is None and settings.baseline is not None:
        baselines = np.full(len(x), settings.baseline)
    if baselines is not None and baselines.any():
        # The first `baseline` periods of each measure's own series (rows are right-aligned).
        starts = x.shape[1] - lengths
        column = np.arange(x.shape[1])[None, :]
        ends = np.where(baselines > 0, starts + baselines, x.shape[1])
        inside = (column >= starts[:, None]) & (column < ends[:, None])
        base = np.where(inside, x, np.nan)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a measure with no figures
        mean = np.nanmean(base, axis=1)
        ranges = np.abs(np.diff(base, axis=1))  # NaN across a gap: no range spans one
        moving = np.nanmean(ranges, axis=1) if ranges.shape[1] else np.full(len(x), np.nan)
        if settings.screen_outliers:
            kept = np.where(ranges < OUTLIER_MOVING_RANGE * moving[:, None], ranges, np.nan)
            moving = np.where(np.isnan(moving), moving, np.nanmean(kept, axis=1))
    sigma = moving * SIGMA_PER_MOVING_RANGE
    return _Limits(present.sum(axis=1), mean, moving, mean + LIMIT_FACTOR * moving,
                   mean - LIMIT_FACTOR * moving, mean + 2 * sigma, mean - 2 * sigma)


def special_causes(values: Sequence[float | None], mean: float | Sequence[float],
                   upper: float | Sequence[float], lower: float | Sequence[float],
                   near_upper: float | Sequence[float], near_lower: float | Sequence[float],
                   **settings: Any) -> dict[str, tuple[tuple[bool, ...], tuple[bool, ...]]]:
    """The four rules on one series against given limits (a number, or one per point):
    rule -> (flagged high, flagged low), one per value. For checking the rules on their own;
    :func:`spc` works the limits out itself."""
    chosen = settings_from(**settings)
    x = _as_matrix([values])
    width = x.shape[1]

    def per_point(value: float | Sequence[float]) -> np.ndarray:
        return np.broadcast_to(np.asarray(value, dtype=float), (width,)).copy()

    limits = _Limits(np.array([np.count_nonzero(~np.isnan(x))]), per_point(mean)[None, :],
                     np.array([np.nan]), per_point(upper)[None, :], per_point(lower)[None, :],
                     per_point(near_upper)[None, :], per_point(near_lower)[None, :])
    found = _special_causes(x, limits, chosen, per_point_limits=True)
    return {rule: (tuple(bool(v) for v in high[0]), tuple(bool(v) for v in low[0]))
            for rule, (high, low) in found.items()}


def _runs(signs: np.ndarray) -> np.ndarray:
    """Length of the run of equal, non-zero signs ending at each position."""
    runs = np.zeros(signs.shape, dtype=np.int32)
    if signs.shape[1]:
        runs[:, 0] = signs[:, 0] != 0
    for j in range(1, signs.shape[1]):
        same = (signs[:, j] != 0) & (signs[:, j] == signs[:, j - 1])
        runs[:, j] = np.where(same, runs[:, j - 1] + 1, (signs[:, j] != 0).astype(np.int32))
    return runs


def _spread(ends: np.ndarray, length: int) -> np.ndarray:
    """Every position of a run of ``length`` ending where ``ends`` is true."""
    marked = ends.copy()
    for back in range(1, length):
        marked[:, :-back] |= ends[:, back:]
    return marked


def _special_causes(x: np.ndarray, limits: _Limits, settings: SpcSettings, *,
                    per_point_limits: bool = False) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Rule -> (flagged high, flagged low), each a boolean array the shape of ``x``."""
    if not per_point_limits:  # one mean and one set of limits per row
        limits = _Limits(limits.points, limits.mean[:, None], limits.moving_range,
                         limits.upper[:, None], limits.lower[:, None],
                         limits.near_upper[:, None], limits.near_lower[:, None])
    mean = limits.mean
    with np.errstate(invalid="ignore"):
        above = np.nan_to_num(np.sign(x - mean)).astype(np.int8)
        found = {OUTSIDE: (x > limits.upper, x < limits.lower)}
        shift_runs = _runs(above)
        long_enough = shift_runs >= settings.shift_points
        shift = _spread(long_enough, settings.shift_points)
        # A run's points all share the sign of its end, so the side is the point's own.
        found[SHIFT] = (shift & (above > 0), shift & (above < 0))
        steps = np.zeros(x.shape, dtype=np.int8)
        steps[:, 1:] = np.nan_to_num(np.sign(np.diff(x, axis=1))).astype(np.int8)
        trend_runs = _runs(steps)
        trend_ends = trend_runs >= settings.trend_points - 1
        rising = _spread(trend_ends & (steps > 0), settings.trend_points)
        falling = _spread(trend_ends & (steps < 0), settings.trend_points)
        found[TREND] = (rising, falling)
        if settings.two_of_three != "off":
            found[TWO_IN_THREE] = (_two_of_three(x, limits, 1, settings.two_of_three),
                                   _two_of_three(x, limits, -1, settings.two_of_three))
    return found


def _two_of_three(x: np.ndarray, limits: _Limits, side: int, variant: TwoOfThree
                  ) -> np.ndarray:
    near = limits.near_upper if side > 0 else limits.near_lower
    outer = limits.upper if side > 0 else limits.lower
    with np.errstate(invalid="ignore"):
        beyond = (x > near) if side > 0 else (x < near)
        on_side = (x > limits.mean) if side > 0 else (x < limits.mean)
        if variant == "within limits, all three on that side":
            beyond &= (x <= outer) if side > 0 else (x >= outer)
    flagged = np.zeros(x.shape, dtype=bool)
    for end in range(2, x.shape[1]):
        window = beyond[:, end - 2:end + 1]
        hit = window.sum(axis=1) >= 2
        if variant == "within limits, all three on that side":
            hit &= on_side[:, end - 2:end + 1].all(axis=1)
        flagged[:, end - 2:end + 1] |= hit[:, None] & window
    return flagged


def spc_many(series: Sequence[Sequence[float | None]], polarities: Sequence[str],
             targets: Sequence[float | tuple[float | None, float | None] | None] | None = None,
             *, units: Sequence[str] | None = None, settings: SpcSettings = DEFAULT,
             baselines: Sequence[int | None] | None = None) -> list[SpcResult]:
    """:func:`spc` for many measures at once (each its own length), in one pass over a
    2-D array. ``baselines``: a measure's own baseline, where it has one (None: the
    settings')."""
    if not series:
        return []
    targets = list(targets) if targets is not None else [None] * len(series)
    units = list(units) if units is not None else [""] * len(series)
    signs = np.array([_sign(p) for p in polarities], dtype=np.int8)
    lengths = np.array([len(row) for row in series])
    x = _as_matrix(series)
    own = None
    if baselines is not None:
        own = np.array([b if b else (settings.baseline or 0) for b in baselines])
    limits = _limits(x, settings, lengths, own)
    causes = _special_causes(x, limits, settings)
    high = np.zeros(x.shape, dtype=bool)
    low = np.zeros(x.shape, dtype=bool)
    for rule_high, rule_low in causes.values():
        high |= rule_high
        low |= rule_low
    present = ~np.isnan(x)
    width = x.shape[1]
    last = width - 1 - np.argmax(present[:, ::-1], axis=1)  # the latest figure's column
    rows = np.arange(len(series))
    latest_high = high[rows, last] & present[rows, last]
    latest_low = low[rows, last] & present[rows, last]
    results = []
    for number, row in enumerate(series):
        offset = width - len(row)
        chosen = settings if own is None or not own[number] or own[number] == settings.baseline \
            else replace(settings, baseline=int(own[number]))
        results.append(_result(
            row, offset, number, limits, causes, high, low, int(last[number]),
            bool(latest_high[number]), bool(latest_low[number]), int(signs[number]),
            targets[number], units[number], chosen, x))
    return results


def variation_of(polarity: str, high: bool, low: bool, value: float, mean: float) -> str:
    """The variation icon of a point flagged ``high`` and/or ``low`` (improvement wins)."""
    return _word(_sign(polarity), high, low, value, mean)


def assurance_of(polarity: str, target: float | tuple[float | None, float | None] | None,
                 upper: float, lower: float) -> str:
    """The assurance icon of a target against the process limits."""
    return _assurance(_sign(polarity), target, upper, lower)


def _word(sign: int, high: bool, low: bool, value: float, mean: float) -> str:
    if not (high or low):
        return COMMON
    if sign > 0:
        return "improvement (high)" if high else "concern (low)"
    if sign < 0:
        return "improvement (low)" if low else "concern (high)"
    side = "high" if (high and not low) or (high and low and value >= mean) else "low"
    return f"neutral ({side})"


def _assurance(sign: int, target: Any, upper: float, lower: float) -> str:
    if isinstance(target, tuple):
        low, high = target
        if low is None and high is None:
            return NO_TARGET
        low = -math.inf if low is None else low
        high = math.inf if high is None else high
        if lower >= low and upper <= high:
            return PASSING
        if upper < low or lower > high:
            return FAILING
        return HIT_AND_MISS
    if target is None or sign == 0:
        return NO_TARGET
    if target > upper:
        return FAILING if sign > 0 else PASSING
    if target < lower:
        return PASSING if sign > 0 else FAILING
    return HIT_AND_MISS


def shown_amount(value: float, unit: str) -> str:
    """A mean, a limit or a figure as the reasons show it: two decimals at most (three
    significant figures below 1), with its unit."""
    rounded = round(value, 2) if abs(value) >= 1 else float(f"{value:.3g}")
    return show_amount(rounded, unit)


def _reason(rules: tuple[str, ...], high: bool, value: float, unit: str, run: dict[str, int]
            ) -> str:
    side, limit = ("above", "upper") if high else ("below", "lower")
    for rule in rules:
        if rule == OUTSIDE:
            return f"the latest, {shown_amount(value, unit)}, is {side} the {limit} limit"
        if rule == SHIFT:
            return f"the latest is one of {run[SHIFT]} points in a row {side} the mean"
        if rule == TREND:
            return (f"the latest ends {run[TREND]} points in a row each "
                    f"{'higher' if high else 'lower'} than the one before")
        if rule == TWO_IN_THREE:
            return f"the latest is one of two of three points in a row near the {limit} limit"
    return ""


def _target_text(target: Any, unit: str, assurance: str) -> str:
    if assurance == NO_TARGET:
        return "no target to compare the limits with"
    if isinstance(target, tuple):
        low, high = target
        shown = (f"{shown_amount(low, unit) if low is not None else 'no low'} to "
                 f"{shown_amount(high, unit) if high is not None else 'no high'}")
        where = {PASSING: "holds both limits", FAILING: "is outside the limits",
                 HIT_AND_MISS: "overlaps the limits"}[assurance]
        return f"the range {shown} {where}"
    where = {PASSING: "is outside the limits, on the passing side",
             FAILING: "is outside the limits, on the failing side",
             HIT_AND_MISS: "is between the limits"}[assurance]
    return f"the target {shown_amount(target, unit)} {where}"


def _result(row: Sequence[float | None], offset: int, number: int, limits: _Limits,
            causes: dict[str, tuple[np.ndarray, np.ndarray]], high: np.ndarray,
            low: np.ndarray, last: int, latest_high: bool, latest_low: bool, sign: int,
            target: Any, unit: str, settings: SpcSettings, x: np.ndarray) -> SpcResult:
    span = slice(offset, offset + len(row))
    points = int(limits.points[number])
    values = tuple(None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
                   for v in row)
    flags = tuple(tuple(rule for rule, (h, lo) in causes.items()
                        if h[number, j] or lo[number, j]) for j in range(span.start, span.stop))
    mean = float(limits.mean[number]) if points else None
    upper = float(limits.upper[number]) if points > 1 else None
    lower = float(limits.lower[number]) if points > 1 else None
    common: dict[str, Any] = {
              "values": values, "points": points, "mean": mean, "upper": upper, "lower": lower,
              "near_upper": float(limits.near_upper[number]) if points > 1 else None,
              "near_lower": float(limits.near_lower[number]) if points > 1 else None,
              "moving_range": float(limits.moving_range[number]) if points > 1 else None,
              "flags": flags, "high": tuple(bool(v) for v in high[number, span]),
              "low": tuple(bool(v) for v in low[number, span]), "settings": settings}
    if points < settings.minimum_points or upper is None or lower is None or mean is None:
        why = (f"{points} {'point' if points == 1 else 'points'}: Making Data Count needs "
               f"{settings.minimum_points} for its icons -> {TOO_FEW}")
        return SpcResult(**common, variation=TOO_FEW, assurance=TOO_FEW, why=why)
    value = float(x[number, last])
    variation = _word(sign, latest_high, latest_low, value, mean)
    assurance = _assurance(sign, target, upper, lower)
    limits_text = (f"{points} points, mean {shown_amount(mean, unit)}, limits "
                   f"{shown_amount(lower, unit)} to {shown_amount(upper, unit)}"
                   + (f" (from the first {settings.baseline})" if settings.baseline else ""))
    if variation == COMMON:
        said = "no special cause at the latest point"
    else:
        shown_high = (latest_high if not (latest_high and latest_low) else
                      variation.endswith("(high)"))
        rules = tuple(rule for rule, (h, lo) in causes.items()
                      if (h if shown_high else lo)[number, last])
        run = {SHIFT: _run_length(x[number], mean, last, shown_high, "shift"),
               TREND: _run_length(x[number], mean, last, shown_high, "trend")}
        said = _reason(rules, shown_high, value, unit, run)
    why = (f"{limits_text}: {said} -> {variation}; "
           f"{_target_text(target, unit, assurance)} -> {assurance}")
    return SpcResult(**common, variation=variation, assurance=assurance, why=why)


def _run_length(row: np.ndarray, mean: float, last: int, high: bool, kind: str) -> int:
    """How many points the shift or trend ending at ``last`` holds."""
    count = 1
    j = last
    while j > 0 and not math.isnan(row[j - 1]):
        if kind == "shift":
            ok = (row[j - 1] > mean) if high else (row[j - 1] < mean)
        else:
            ok = (row[j] > row[j - 1]) if high else (row[j] < row[j - 1])
        if not ok:
            break
        count += 1
        j -= 1
    return count


# --- the plan's Settings rows ---------------------------------------------------------------

SPC_SETTINGS = {
    "SPC minimum points": "minimum_points",
    "SPC shift points": "shift_points",
    "SPC trend points": "trend_points",
    "SPC two of three": "two_of_three",
    "SPC screen outliers": "screen_outliers",
    "SPC baseline points": "baseline",
}
"""The Settings rows that choose how variation and assurance are worked out (all optional;
blank keeps ragbook's default)."""

SPC_SETTING_NOTES = {
    "SPC minimum points": "Fewer figures than this give no variation or assurance icons "
                          "(blank: 13, as Making Data Count).",
    "SPC shift points": "How many figures in a row on one side of the mean are a shift "
                        "(blank: 7; Making Data Count's Excel tool also offers 6).",
    "SPC trend points": "How many figures in a row each rising, or each falling, are a trend "
                        "(blank: 7).",
    "SPC two of three": "any beyond 2 sigma (blank), within limits, all three on that side "
                        "(as NHSRplotthedots), or off.",
    "SPC screen outliers": "Yes: leave very large moving ranges out of the limits, as "
                           "NHSRplotthedots does (blank: No, as the Making Data Count tool).",
    "SPC baseline points": "Fix the limits on each measure's first this-many figures "
                           "(blank: all of them).",
}

_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}


def _whole(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and float(value).is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def read_spc_settings(values: dict[str, object]) -> tuple[SpcSettings, dict[str, str]]:
    """The SPC settings a plan's Settings ask for, and for each that cannot be used, what
    was expected (the default is used for it)."""
    from ragbook.ratings import fold, is_blank

    folded = {fold(name): value for name, value in values.items()}
    chosen: dict[str, Any] = {}
    refused: dict[str, str] = {}
    for name, field_name in SPC_SETTINGS.items():
        value = folded.get(fold(name))
        if is_blank(value):
            continue
        if field_name in ("minimum_points", "shift_points", "trend_points", "baseline"):
            number = _whole(value)
            if number is None or not 2 <= number <= 1000:
                refused[name] = "a whole number of at least 2, such as 7"
                continue
            chosen[field_name] = number
        elif field_name == "two_of_three":
            found = next((v for v in TWO_OF_THREE if fold(v) == fold(value)), None)
            if found is None:
                refused[name] = "one of " + ", ".join(TWO_OF_THREE)
                continue
            chosen[field_name] = found
        else:
            text = fold(value) if not isinstance(value, bool) else str(value).lower()
            if text in _YES:
                chosen[field_name] = True
            elif text in _NO:
                chosen[field_name] = False
            else:
                refused[name] = "Yes or No"
    return replace(DEFAULT, **chosen), refused
