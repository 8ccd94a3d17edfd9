"""What each measure rule expects, stated once.

The one-measure function (:func:`ragbook.measures.rate_measure`, behind ``=RAGBOOK.RAG``) and
the table engine (:func:`ragbook.measure_table.rate_measures`, behind ``recalc`` and the
add-in) report a measure's problems with these codes and these words, so a measure gets the
same message whichever way it is rated.
"""

from __future__ import annotations

RELATIVE_ZERO = "(a shortfall cannot be a percentage of 0)"

EXPECTED = {
    "amber-above-red": "an amber threshold no larger than the red threshold",
    "absolute-needs-thresholds": "a threshold in the measure's own unit (Tolerance is Absolute)",
    "negative-threshold": "a threshold of 0 or more",
    "threshold-not-a-fraction": "a percentage such as 5% (0.05) for a relative tolerance",
    "range-without-bounds": "a Range low and/or Range high for a Within range measure",
    "range-upside-down": "a Range low no larger than Range high",
    "zero-bound-relative": f"a non-zero bound, or Tolerance Absolute {RELATIVE_ZERO}",
    "blank-target": "a target (or a quarter target)",
    "profile-needs-quarter": "a reporting quarter in Settings to profile the annual target",
    "zero-target-relative": f"a non-zero target, or Tolerance Absolute {RELATIVE_ZERO}",
    "negative-band": "a change band of 0 or more",
    "override-without-reason": "a reason for overriding the computed rating",
}
"""Problem code -> what is expected instead, in an officer's words."""

