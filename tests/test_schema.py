"""The workbook's tables and the rating engine speak of the same columns."""

from __future__ import annotations

from ragbook.action_table import ACTION_INPUTS, ACTION_OUTPUTS
from ragbook.measure_table import MEASURE_INPUTS, MEASURE_OUTPUTS
from ragbook.workbook import schema


def test_the_actions_table_has_every_column_the_engine_reads_and_writes():
    assert tuple(c.name for c in schema.ACTIONS.inputs) == ACTION_INPUTS
    assert tuple(c.name for c in schema.ACTIONS.outputs) == ACTION_OUTPUTS


def test_the_measures_table_has_every_column_the_engine_reads_and_writes():
    assert tuple(c.name for c in schema.MEASURES.inputs) == MEASURE_INPUTS
    assert tuple(c.name for c in schema.MEASURES.outputs) == MEASURE_OUTPUTS
