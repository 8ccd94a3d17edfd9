"""The demo plan reproduces the seed report's published ratings and arrows.

The seed is Cumbria County Council's Council Plan Delivery Plan progress report
for Quarter 1 2018/19 (progress to 30 June 2018). ``tests/data/seed_ratings.csv``
holds the RAG and direction of travel the report publishes for every action
and measure; the demo plan in ``ragbook/data/demo_plan`` must give the same
answers when ragbook rates it.
"""

from __future__ import annotations

from datetime import date
from importlib.resources import files
from pathlib import Path

import pandas as pd
import pytest

from ragbook import ReportingPeriod, rate_actions, rate_measures
from ragbook.ratings import read_rating

DEMO = files("ragbook") / "data" / "demo_plan"
SEED_RATINGS = Path(__file__).parent / "data" / "seed_ratings.csv"
PERIOD = ReportingPeriod.of("2018/19", "Q1")

MEASURE_NUMBERS = (
    "Baseline", "Target", "Quarter target", "Range low", "Range high", "Amber threshold",
    "Red threshold", "Change band", "Actual", "Previous actual", "Last year actual",
)
SECTIONS = {"Areas of progress", "Areas for improvement", "Risk updates", "Finance updates"}
STANDARD_SENTENCES = {
    "No items by exception to report.",
    "No Corporate Risks have been identified for these specific activities.",
    "No actions relevant to this area",
    "No Corporate Risks have been identified for these specific measures.",
    "No items of exception to report",
}
SEED_COMMENTARY_GROUPS = 17
"""In the seed: 13 supporting outcomes with actions (4 + 4 + 4 + 1) and a Key Outcome
Indicators group for each of the 4 outcomes."""


def read_demo(name: str, numbers: tuple[str, ...] = ()) -> pd.DataFrame:
    """A demo CSV as the workbook reader would give it: text as text, blanks as NaN."""
    with DEMO.joinpath(name).open("r", encoding="utf-8", newline="") as handle:
        frame = pd.read_csv(handle, dtype=str, keep_default_na=False, na_values=[""])
    for column in numbers:
        frame[column] = pd.to_numeric(frame[column]).astype(float)
    return frame


SEED = pd.read_csv(SEED_RATINGS, dtype=str, keep_default_na=False, encoding="utf-8")
SEED_ACTIONS = SEED[SEED["Kind"] == "action"].set_index("Ref")
SEED_MEASURES = SEED[SEED["Kind"] == "measure"].set_index("Ref")


@pytest.fixture(scope="module")
def actions() -> pd.DataFrame:
    return read_demo("actions.csv").set_index("Ref", drop=False)


@pytest.fixture(scope="module")
def measures() -> pd.DataFrame:
    return read_demo("measures.csv", MEASURE_NUMBERS).set_index("Ref", drop=False)


@pytest.fixture(scope="module")
def commentary() -> pd.DataFrame:
    return read_demo("commentary.csv")


@pytest.fixture(scope="module")
def rated_actions(actions):
    return rate_actions(actions, PERIOD)


@pytest.fixture(scope="module")
def rated_measures(measures):
    return rate_measures(measures, period=PERIOD)


def test_seed_ratings_are_well_formed():
    assert set(SEED["Kind"]) == {"action", "measure"}
    assert not SEED["Ref"].duplicated().any()
    assert set(SEED["RAG"]) <= {"R", "A", "G"}
    assert set(SEED["Direction"]) <= {"↑", "→", "↓", "n/a"}


def test_settings_give_the_seed_period():
    settings = read_demo("settings.csv").set_index("Setting")["Value"]
    period = ReportingPeriod.of(settings["Plan year"], settings["Reporting quarter"],
                                date.fromisoformat(settings["As-of date"]))
    assert period == PERIOD
    assert period.as_of == PERIOD.as_of == date(2018, 6, 30)
    assert float(settings["Amber threshold"]) == 0.05
    assert float(settings["Red threshold"]) == 0.1


def test_every_seed_action_is_in_the_demo_plan_in_the_seed_order(actions):
    assert not actions["Ref"].duplicated().any()
    assert list(actions["Ref"]) == list(SEED_ACTIONS.index)


def test_every_seed_measure_is_in_the_demo_plan_in_the_seed_order(measures):
    assert not measures["Ref"].duplicated().any()
    assert list(measures["Ref"]) == list(SEED_MEASURES.index)


def test_every_outcome_used_is_listed(actions, measures):
    outcomes = read_demo("outcomes.csv")
    assert list(outcomes["Outcome"]) == ["1", "2", "3", "4"]
    assert set(actions["Outcome"]) | set(measures["Outcome"]) == set(outcomes["Outcome"])


def test_rating_the_demo_plan_finds_no_errors(rated_actions, rated_measures):
    assert [p.message for p in rated_actions.errors] == []
    assert [p.message for p in rated_measures.errors] == []


@pytest.mark.parametrize("ref", list(SEED_ACTIONS.index))
def test_action_rating_and_direction_match_the_seed(ref, rated_actions):
    row = rated_actions.table.loc[ref]
    published = SEED_ACTIONS.loc[ref]
    assert (row["RAG"], row["Direction"]) == (published["RAG"], published["Direction"]), \
        row["Why"]


@pytest.mark.parametrize("ref", list(SEED_MEASURES.index))
def test_measure_rating_and_direction_match_the_seed(ref, rated_measures):
    row = rated_measures.table.loc[ref]
    published = SEED_MEASURES.loc[ref]
    assert (row["RAG"], row["Direction"]) == (published["RAG"], published["Direction"]), \
        row["Why"]


def test_every_override_has_a_reason_and_is_listed_in_the_readme(actions, measures):
    readme = DEMO.joinpath("README.md").read_text(encoding="utf-8")
    for table in (actions, measures):
        overridden = table[table["Override RAG"].notna()]
        for ref, row in overridden.iterrows():
            assert read_rating(row["Override RAG"]) in {"R", "A", "G"}, ref
            assert isinstance(row["Override reason"], str) and row["Override reason"].strip()
            assert ref in readme, f"override of {ref} is not listed in README.md"


def test_every_measure_says_where_its_figures_come_from(measures):
    notes = measures["Data note"]
    assert notes.notna().all(), list(measures.index[notes.isna()])


def test_every_supporting_outcome_has_its_four_commentary_sections(actions, measures,
                                                                    commentary):
    groups = {(o, s) for o, s in zip(actions["Outcome"], actions["Supporting outcome"],
                                     strict=True)}
    groups |= {(o, "") for o in measures["Outcome"]}
    assert len(groups) == SEED_COMMENTARY_GROUPS
    found = commentary.assign(**{"Supporting outcome": commentary["Supporting outcome"]
                                 .fillna("")})
    assert not found.duplicated(["Outcome", "Supporting outcome", "Section"]).any()
    sections = found.groupby(["Outcome", "Supporting outcome"])["Section"].agg(set)
    assert set(sections.index) == groups
    for group, present in sections.items():
        assert present == SECTIONS, group


def test_standard_sentences_are_left_for_ragbook_to_print(commentary):
    texts = {str(t).strip() for t in commentary["Text"].dropna()}
    assert not texts & STANDARD_SENTENCES
