"""Wilson, exact Poisson and Byar's limits: hand-checked values, the PHE reference values, properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from prebirth.stats.intervals import (
    EXACT_POISSON_BELOW,
    byars,
    exact_poisson,
    poisson_limits,
    proportion_ci,
    rate_ci,
    wilson,
    z_value,
)

from .conftest import reference_file

# z for 95% is 1.959964 (z^2 = 3.841459); for 99.8% it is 3.090232.


def test_z_values():
    assert z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_value(95) == pytest.approx(1.959964, abs=1e-6)
    assert z_value(0.998) == pytest.approx(3.090232, abs=1e-6)
    with pytest.raises(ValueError, match="confidence"):
        z_value(150)


# ------------------------------------------------------------------ hand-checked cases


def test_wilson_half_of_ten_by_hand():
    # centre = (2x + z^2) / (2(n + z^2)) = (10 + 3.841459) / 27.682918 = 0.5
    # half width = z sqrt(z^2 + 4x(1 - x/n)) / (2(n + z^2)) = 1.959964 x sqrt(13.841459) / 27.682918 = 0.263407
    lower, upper = wilson(5, 10)
    assert lower == pytest.approx(0.236593, abs=1e-6)
    assert upper == pytest.approx(0.763407, abs=1e-6)


def test_wilson_none_of_ten_by_hand():
    # x = 0: lower = 0; upper = (z^2 + z sqrt(z^2)) / (2(n + z^2)) = z^2 / (n + z^2) = 3.841459 / 13.841459
    lower, upper = wilson(0, 10)
    assert lower == 0
    assert upper == pytest.approx(0.277533, abs=1e-6)


def test_wilson_all_of_ten_by_hand():
    # x = n: upper = 1; lower = (2n + z^2 - z^2) / (2(n + z^2)) = 20 / 27.682918
    lower, upper = wilson(10, 10)
    assert lower == pytest.approx(0.722467, abs=1e-6)
    assert upper == pytest.approx(1.0)


def test_wilson_vectorised_with_missing_and_empty():
    lower, upper = wilson(pd.Series([5, 0, np.nan, 3]), pd.Series([10, 0, 10, np.nan]))
    assert isinstance(lower, np.ndarray) and isinstance(upper, np.ndarray)
    assert lower[0] == pytest.approx(0.236593, abs=1e-6)
    assert np.isnan(lower[1:]).all() and np.isnan(upper[1:]).all()  # 0/0 and missing inputs


def test_wilson_rejects_impossible_counts():
    with pytest.raises(ValueError, match="larger than its denominator"):
        wilson(11, 10)
    with pytest.raises(ValueError, match="negative"):
        wilson(-1, 10)


def test_exact_poisson_by_hand():
    # x = 0: P(X = 0 | mu) = exp(-mu) = 0.025 gives the upper limit mu = -ln(0.025) = 3.688879; lower = 0.
    lower, upper = exact_poisson(0)
    assert lower == 0 and upper == pytest.approx(3.688879, abs=1e-6)
    # x = 1: P(X >= 1 | mu) = 1 - exp(-mu) = 0.025 gives the lower limit -ln(0.975) = 0.025318.
    lower, _ = exact_poisson(1)
    assert lower == pytest.approx(0.025318, abs=1e-6)


def test_byars_by_hand():
    # 65 x (1 - 1/585 - 1.959964/(3 sqrt 65))^3 = 50.163188; 66 x (1 - 1/594 + 1.959964/(3 sqrt 66))^3 = 82.849139
    lower, upper = byars(65)
    assert lower == pytest.approx(50.163188, abs=1e-6)
    assert upper == pytest.approx(82.849139, abs=1e-6)


def test_byars_lower_below_zero_is_not_available():
    # The formula gives 1 x (1 - 1/9 - 3.090232/3)^3 = -0.0028 for one event at 99.8%: the
    # approximation has failed, so there is no lower limit (NaN), as PHEindicatormethods has NA.
    lower, upper = byars(1, 0.998)
    assert math.isnan(lower) and upper == pytest.approx(9.362180, abs=1e-6)
    lower, _ = byars(np.array([0.0, 1.0, 65.0, np.nan]), 0.998)
    assert np.isnan(lower[[0, 1, 3]]).all() and lower[2] == pytest.approx(42.880261, abs=1e-6)
    # poisson_limits never meets it: below 10 events the limits are exact.
    assert poisson_limits(1, 0.998)[0] > 0


def test_poisson_limits_switch_from_exact_to_byars_at_ten():
    assert poisson_limits(9) == exact_poisson(9)
    assert poisson_limits(10) == byars(10)
    assert EXACT_POISSON_BELOW == 10


def test_rate_ci_per_ten_thousand():
    value, lower, upper = rate_ci(30, 3000, multiplier=10000)
    assert value == pytest.approx(100.0)
    byars_lower, byars_upper = byars(30)
    assert lower == pytest.approx(byars_lower / 3000 * 10000)
    assert upper == pytest.approx(byars_upper / 3000 * 10000)


def test_rate_ci_zero_denominator_is_missing():
    value, lower, upper = rate_ci(np.array([3.0]), np.array([0.0]))
    assert np.isnan(value).all() and np.isnan(lower).all() and np.isnan(upper).all()


def test_proportion_ci_percentages():
    value, lower, upper = proportion_ci(5, 10, multiplier=100)
    assert value == 50 and lower == pytest.approx(23.6593, abs=1e-4) and upper == pytest.approx(76.3407, abs=1e-4)


# ----------------------------------------------------------------- reference values (PHE)


def _confidence(label: str) -> float:
    return float(str(label).rstrip("%")) / 100


def test_reference_byars_and_wilson():
    table = pd.read_excel(reference_file("phe-methods", "testdata_Byars_Wilson.xlsx"))
    assert len(table) == 13
    for row in table.itertuples():
        confidence = _confidence(row.confidence)
        if row.method == "Byars":
            lower, upper = byars(row.x, confidence)
        else:
            lower, upper = wilson(row.x, row.n, confidence)
        assert upper == pytest.approx(row.uppercl, rel=1e-6, abs=1e-6), row
        if math.isnan(row.lowercl):
            # The reference leaves Byar's lower limit blank (NA) for one event at 99.8%, where the
            # formula turns negative: so does this one.
            assert row.x == 1 and math.isnan(lower), row
        else:
            assert lower == pytest.approx(row.lowercl, rel=1e-6, abs=1e-6), row


def test_reference_proportions():
    path = reference_file("phe-methods", "testdata_Proportion.xlsx")
    wide = pd.read_excel(path, sheet_name="testdata_Prop")
    for label, confidence in (("95_0", 0.95), ("99_8", 0.998)):
        value, lower, upper = proportion_ci(wide["Numerator"], wide["Denominator"], confidence, wide["multiplier"])
        np.testing.assert_allclose(value, wide["value"], rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(lower, wide[f"lower{label}cl"], rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(upper, wide[f"upper{label}cl"], rtol=1e-6, atol=1e-6)
    grouped = pd.read_excel(path, sheet_name="testdata_Prop_g")
    assert set(grouped["confidence"]) == {"95%"}
    value, lower, upper = proportion_ci(grouped["Numerator"], grouped["Denominator"], 0.95, grouped["multiplier"])
    np.testing.assert_allclose(value, grouped["value"], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(lower, grouped["lowercl"], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(upper, grouped["uppercl"], rtol=1e-6, atol=1e-6)


def test_reference_rates():
    path = reference_file("phe-methods", "testdata_Rate.xlsx")
    wide = pd.read_excel(path, sheet_name="testdata_Rate")
    for label, confidence in (("95_0", 0.95), ("99_8", 0.998)):
        value, lower, upper = rate_ci(wide["Numerator"], wide["Denominator"], wide["multiplier"], confidence)
        np.testing.assert_allclose(value, wide["value"], rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(lower, wide[f"lower{label}cl"], rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(upper, wide[f"upper{label}cl"], rtol=1e-6, atol=1e-6)
    grouped = pd.read_excel(path, sheet_name="testdata_Rate_g")
    value, lower, upper = rate_ci(grouped["Numerator"], grouped["Denominator"], grouped["multiplier"], 0.95)
    np.testing.assert_allclose(value, grouped["value"], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(lower, grouped["lowercl"], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(upper, grouped["uppercl"], rtol=1e-6, atol=1e-6)
    # The reference's method column follows the same rule: exact below 10 events, Byar's from 10.
    for table in (wide, grouped):
        labelled = table.dropna(subset=["Numerator", "method"])
        expected = np.where(labelled["Numerator"] < EXACT_POISSON_BELOW, "Exact", "Byars")
        assert list(labelled["method"]) == list(expected)


# ------------------------------------------------------------------------- properties

counts = st.integers(min_value=0, max_value=10**6)
levels = st.sampled_from([0.9, 0.95, 0.99, 0.998])


@settings(max_examples=300, deadline=None)
@given(counts, st.integers(min_value=0, max_value=10**6), levels)
def test_wilson_contains_the_share(x, extra, confidence):
    n = x + extra
    assume(n > 0)
    lower, upper = wilson(x, n, confidence)
    assert 0 <= lower <= x / n + 1e-12 and x / n - 1e-12 <= upper <= 1


@settings(max_examples=300, deadline=None)
@given(counts, st.integers(min_value=1, max_value=10**6))
def test_wilson_widens_with_confidence(x, extra):
    n = x + extra
    lower_95, upper_95 = wilson(x, n, 0.95)
    lower_99, upper_99 = wilson(x, n, 0.998)
    assert lower_99 <= lower_95 + 1e-12 and upper_99 >= upper_95 - 1e-12


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=1000), st.floats(min_value=0, max_value=1), st.integers(min_value=2, max_value=50))
def test_wilson_narrows_as_the_sample_grows(n, share, factor):
    x = share * n
    lower, upper = wilson(x, n)
    lower_big, upper_big = wilson(x * factor, n * factor)
    assert upper_big - lower_big <= upper - lower + 1e-12


@settings(max_examples=300, deadline=None)
@given(counts, levels)
def test_poisson_limits_contain_the_count_and_widen_with_confidence(x, confidence):
    lower, upper = poisson_limits(x, confidence)
    assert 0 <= lower <= x <= upper
    lower_998, upper_998 = poisson_limits(x, 0.998)
    if confidence < 0.998:
        assert lower_998 <= lower and upper_998 >= upper


def test_poisson_limits_rise_with_the_count_across_the_switch():
    lower, upper = poisson_limits(np.arange(0, 300))
    assert np.all(np.diff(lower) > 0) and np.all(np.diff(upper) > 0)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=5000), st.floats(min_value=1e-4, max_value=0.5), st.integers(min_value=2, max_value=20))
def test_rate_interval_narrows_relative_to_the_rate_as_the_count_grows(births, rate, factor):
    count = round(births * rate)
    assume(count >= EXACT_POISSON_BELOW)  # within one method; the switch point is covered above
    value, lower, upper = rate_ci(count, births)
    value_big, lower_big, upper_big = rate_ci(count * factor, births * factor)
    assert (upper_big - lower_big) <= (upper - lower) + 1e-9
    assert lower <= value <= upper and lower_big <= value_big <= upper_big
