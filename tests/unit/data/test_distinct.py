"""Distinct: a result per distinct value, spread back to every row in order."""

from __future__ import annotations

import pandas as pd

from prebirth.data.distinct import Distinct


def test_each_distinct_value_is_computed_once_and_every_row_gets_its_result():
    column = pd.Series(["b", None, "a", "b", float("nan"), "a"], index=[10, 11, 12, 13, 14, 15])
    calls = []
    out = Distinct(column).map(lambda v: calls.append(v) or v.upper(), "missing")
    assert sorted(calls) == ["a", "b"]  # missing values are not computed
    assert list(out.index) == [10, 11, 12, 13, 14, 15]
    assert list(out) == ["B", "missing", "A", "B", "missing", "A"] and out.dtype == object


def test_results_that_are_sets_stay_one_value_each_and_flags_become_booleans():
    cells = Distinct(pd.Series(["1B;4B", "4B", None]))
    sets = cells.map(lambda v: frozenset(v.split(";")), frozenset())
    assert list(sets) == [frozenset({"1B", "4B"}), frozenset({"4B"}), frozenset()]
    flags = cells.rows_where([("1B" in v) for v in cells.values])
    assert list(flags) == [True, False, False] and flags.dtype == bool


def test_an_empty_column():
    assert len(Distinct(pd.Series([], dtype=object)).map(str.upper, None)) == 0
