"""Half-up rounding: what a spreadsheet's ROUND shows, never banker's rounding."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prebirth.stats.rounding import round_half_up, round_to_nearest


@pytest.mark.parametrize(
    ("value", "ndigits", "expected"),
    [
        (2.5, 0, 3.0),  # Python's round gives 2
        (0.5, 0, 1.0),  # Python's round gives 0
        (1.5, 0, 2.0),
        (3.5, 0, 4.0),
        (-2.5, 0, -3.0),  # symmetric: halves go away from zero
        (-0.5, 0, -1.0),
        (2.4999, 0, 2.0),
        (0.125, 2, 0.13),  # exactly representable half: banker's gives 0.12
        (1.005, 2, 1.01),  # stored as 1.00499999...; shown and meant as 1.005
        (2.675, 2, 2.68),  # stored as 2.67499999...
        (1.045, 2, 1.05),
        (-1.005, 2, -1.01),
        (16.5, 0, 17.0),
        (1234.5, 0, 1235.0),
        (1235.0, -1, 1240.0),
        (1225.0, -1, 1230.0),
        (1224.9, -1, 1220.0),
        (0.0, 2, 0.0),
        (7, 0, 7.0),
    ],
)
def test_halves_round_up_like_a_spreadsheet(value, ndigits, expected):
    assert round_half_up(value, ndigits) == expected


def test_arithmetic_noise_does_not_turn_a_half_down():
    # 100 x 0.285 is 28.499999999999996 in binary floating point; a spreadsheet shows 28.5 and rounds to 29.
    assert 100 * 0.285 < 28.5
    assert round_half_up(100 * 0.285) == 29.0
    assert round_half_up(0.1 + 0.2, 1) == 0.3
    assert round_half_up(28.4999, 0) == 28.0  # a real value below the half still goes down


def test_missing_stays_missing_and_infinity_is_kept():
    assert math.isnan(round_half_up(float("nan")))
    assert math.isnan(round_half_up(None))
    assert round_half_up(float("inf")) == float("inf")


def test_negative_zero_prints_as_zero():
    assert str(round_half_up(-0.4)) == "0.0"


def test_array_in_array_out():
    result = round_half_up(np.array([0.5, 1.5, 2.5, np.nan]))
    assert isinstance(result, np.ndarray)
    np.testing.assert_array_equal(result, [1.0, 2.0, 3.0, np.nan])


def test_series_keeps_index_and_name():
    series = pd.Series([0.125, 0.135, None], index=["a", "b", "c"], name="share")
    result = round_half_up(series, 2)
    assert isinstance(result, pd.Series)
    assert list(result.index) == ["a", "b", "c"] and result.name == "share"
    assert result["a"] == 0.13 and result["b"] == 0.14 and math.isnan(result["c"])


def test_numpy_scalars():
    assert round_half_up(np.float64(2.5)) == 3.0
    assert round_half_up(np.int64(3)) == 3.0


@pytest.mark.parametrize(
    ("value", "base", "expected"),
    [(12.5, 5, 15.0), (7.4, 5, 5.0), (7.5, 5, 10.0), (-7.5, 5, -10.0), (1234, 10, 1230.0), (1235, 10, 1240.0),
     (2, 5, 0.0), (0, 5, 0.0), (0.25, 0.5, 0.5)],
)
def test_round_to_nearest(value, base, expected):
    assert round_to_nearest(value, base) == expected


def test_round_to_nearest_vectorised_and_nan():
    result = round_to_nearest(pd.Series([12.5, np.nan, 3]), 5)
    assert result.iloc[0] == 15 and math.isnan(result.iloc[1]) and result.iloc[2] == 5


def test_round_to_nearest_needs_a_positive_base():
    with pytest.raises(ValueError, match="positive base"):
        round_to_nearest(3, 0)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-10**6, max_value=10**6), st.integers(min_value=0, max_value=3))
def test_exact_decimal_halves_always_go_away_from_zero(whole, ndigits):
    # k + 5 x 10^-(ndigits+1), e.g. 12.345 at 2 digits: the half case at every position.
    text = f"{whole}.{'0' * ndigits}5" if ndigits else f"{whole}.5"
    value = float(text)
    expected = float(Decimal(text).quantize(Decimal(1).scaleb(-ndigits), rounding=ROUND_HALF_UP))
    assert round_half_up(value, ndigits) == expected
    assert abs(round_half_up(value, ndigits)) >= abs(value)


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(min_value=0, max_value=4))
def test_result_is_within_half_a_unit(value, ndigits):
    assert abs(round_half_up(value, ndigits) - value) <= 0.5 * 10**-ndigits * (1 + 1e-9) + 1e-9 * abs(value)
