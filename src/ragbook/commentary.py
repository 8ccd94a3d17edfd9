"""Commentary: the standard sentences, and which exceptions the commentary misses.

Every RED or AMBER item, and every item whose direction is declining, should
be mentioned by its ref in the "Areas for improvement" commentary of its
supporting outcome (actions) or of its outcome's indicators (measures).
A mention is the ref as written (``1.15``, ``M4.2``), or a measure's number
after the word "measure" (``measure 4.4``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from ragbook.choices import Choice

AREAS_OF_PROGRESS = "Areas of progress"
AREAS_FOR_IMPROVEMENT = "Areas for improvement"
RISK_UPDATES = "Risk updates"
FINANCE_UPDATES = "Finance updates"
SECTIONS = (AREAS_OF_PROGRESS, AREAS_FOR_IMPROVEMENT, RISK_UPDATES, FINANCE_UPDATES)
SECTION = Choice("Section", SECTIONS)

HEADINGS = {
    AREAS_OF_PROGRESS: "Commentary for areas of progress:",
    AREAS_FOR_IMPROVEMENT: "Commentary for areas for improvement and detail of ongoing action:",
    RISK_UPDATES: "Commentary for Risk updates:",
    FINANCE_UPDATES: "Commentary for Finance updates:",
}
"""The headings the report prints above each section."""

STANDARD_SENTENCES = {
    AREAS_OF_PROGRESS: "No items by exception to report.",
    AREAS_FOR_IMPROVEMENT: "No actions relevant to this area",
    RISK_UPDATES: "No Corporate Risks have been identified for these specific activities.",
    FINANCE_UPDATES: "No items by exception to report.",
}
"""What the report prints for an empty section (as the seed report does)."""

STANDARD_SENTENCES_FOR_MEASURES = {
    **STANDARD_SENTENCES,
    RISK_UPDATES: "No Corporate Risks have been identified for these specific measures.",
}

_REF = re.compile(r"(?<![\w.])(M?\d+(?:\.\d+)+)(?![\w%]|\.\d)", re.IGNORECASE)
_MEASURE_NUMBER = re.compile(r"\bmeasures?\s+(\d+(?:\.\d+)+)", re.IGNORECASE)


def mentioned_refs(text: str) -> set[str]:
    """The refs a piece of commentary mentions, upper-cased (``m4.2`` -> ``M4.2``)."""
    found = {match.upper() for match in _REF.findall(text)}
    found.update(f"M{number}" for number in _MEASURE_NUMBER.findall(text))
    return found


class ExceptionItem(NamedTuple):
    """An item that the report must explain: red, amber or declining."""

    kind: str
    ref: str
    outcome: str
    supporting_outcome: str
    rag: str
    direction: str
    mentioned: bool

    @property
    def reason(self) -> str:
        parts = []
        if self.rag in ("R", "A"):
            parts.append({"R": "RED", "A": "AMBER"}[self.rag])
        if self.direction == "↓":
            parts.append("declining")
        return " and ".join(parts)


def is_exception(rag: str, direction: str) -> bool:
    return rag in ("R", "A") or direction == "↓"


def find_exceptions(items: Iterable[tuple[str, str, str, str, str, str]],
                    improvement_text: dict[tuple[str, str], str]) -> list[ExceptionItem]:
    """Every red, amber or declining item, and whether its commentary mentions it.

    ``items`` are (kind, ref, outcome, supporting outcome, rag, direction);
    ``improvement_text`` maps (outcome, supporting outcome) to the "Areas for
    improvement" text ("" as the supporting outcome for measures).
    """
    mentions = {key: mentioned_refs(text) for key, text in improvement_text.items()}
    found = []
    for kind, ref, outcome, supporting, rag, direction in items:
        if not is_exception(rag, direction):
            continue
        key = (outcome, supporting if kind == "action" else "")
        found.append(ExceptionItem(kind, ref, outcome, supporting, rag, direction,
                                ref.upper() in mentions.get(key, set())))
    return found


class ContradictedSentence(NamedTuple):
    """A standard sentence the report would print where a rating says otherwise: "No
    actions relevant to this area" under Areas for improvement, beside red, amber or
    declining items."""

    outcome: str
    supporting_outcome: str
    """"" for the outcome's key outcome indicators."""
    sentence: str
    items: tuple[ExceptionItem, ...]

    @property
    def refs(self) -> str:
        return ", ".join(f"{item.ref} ({item.reason})" for item in self.items)


def contradicted_sentences(exceptions: Iterable[ExceptionItem],
                           improvement_text: dict[tuple[str, str], str]
                           ) -> list[ContradictedSentence]:
    """Each part of the report whose Areas for improvement is empty, so that the standard
    sentence would print, although it has red, amber or declining items."""
    groups: dict[tuple[str, str], list[ExceptionItem]] = {}
    for item in exceptions:
        key = (item.outcome, item.supporting_outcome if item.kind == "action" else "")
        groups.setdefault(key, []).append(item)
    return [ContradictedSentence(outcome, supporting,
                                 STANDARD_SENTENCES[AREAS_FOR_IMPROVEMENT], tuple(items))
            for (outcome, supporting), items in groups.items()
            if not improvement_text.get((outcome, supporting), "").strip()]


def exceptions_sentence(items: Iterable[ExceptionItem]) -> str:
    """What the report prints instead of a standard sentence a rating contradicts: the
    facts, ``Red, amber or declining this quarter: 1.3 (RED and declining), 1.5 (AMBER).``"""
    return ("Red, amber or declining this quarter: "
            + ", ".join(f"{item.ref} ({item.reason})" for item in items) + ".")
