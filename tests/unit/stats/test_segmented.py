"""Segmented Poisson regression: known level and slope changes recovered; honest caveats."""

from __future__ import annotations

import math

import numpy as np
import pytest

from prebirth.stats.segmented import GENERAL_CAVEAT, segmented_poisson

YEARS = np.arange(2010, 2022)
BIRTHS = np.full(12, 5000.0)


def _exact_counts(level=1.5, slope=0.9, trend=1.05, start=2016):
    after = YEARS >= start
    log_rate = (math.log(20 / 5000) + math.log(trend) * (YEARS - 2010) + math.log(level) * after
                + math.log(slope) * (YEARS - start) * after)
    return np.exp(log_rate) * BIRTHS


def test_recovers_known_level_and_slope_changes():
    result = segmented_poisson(_exact_counts(), BIRTHS, YEARS, 2016)
    row = result.table.iloc[0]
    assert result.trend_before == pytest.approx(1.05, rel=1e-8)
    assert row["level_change"] == pytest.approx(1.5, rel=1e-8)
    assert row["slope_change"] == pytest.approx(0.9, rel=1e-8)
    assert row["trend_after"] == pytest.approx(1.05 * 0.9, rel=1e-8)
    assert row["points_before"] == 6 and row["points_after"] == 6
    assert row["level_lower"] < 1.5 < row["level_upper"]
    np.testing.assert_allclose(result.fitted, _exact_counts(), rtol=1e-8)
    # Had the first trend continued: 20 x 1.05^(t - 2010) events.
    np.testing.assert_allclose(result.counterfactual, 20 * 1.05 ** (YEARS - 2010), rtol=1e-8)
    assert result.model == "quasi-Poisson"
    assert np.all(result.counterfactual_lower < result.counterfactual)
    assert np.all(result.counterfactual < result.counterfactual_upper)


# Yearly counts that vary more than Poisson allows, with a change at 2016.
NOISY = np.array([18, 31, 16, 29, 22, 35, 41, 30, 52, 38, 47, 60], dtype=float)
NOISY_BIRTHS = np.array([5100, 5050, 4990, 5010, 4950, 4900, 4870, 4800, 4850, 4790, 4760, 4700], dtype=float)


def _reference_fit(counts, births, start=2016):
    """statsmodels' quasi-Poisson (Pearson scale, t intervals) on the same design, by hand."""
    import statsmodels.api as sm

    after = (YEARS >= start).astype(float)
    design = np.column_stack([np.ones(12), YEARS - 2010, after, (YEARS - start) * after])
    return sm.GLM(counts, design, family=sm.families.Poisson(), offset=np.log(births)).fit(scale="X2", use_t=True)


def test_quasi_poisson_intervals_match_statsmodels():
    reference = _reference_fit(NOISY, NOISY_BIRTHS)
    assert reference.scale > 1  # overdispersed, so phi = X2 / df
    result = segmented_poisson(NOISY, NOISY_BIRTHS, YEARS, 2016)
    row = result.table.iloc[0]
    bounds = np.exp(reference.conf_int())
    assert result.model == "quasi-Poisson" and result.df_resid == 8
    assert result.trend_before == pytest.approx(math.exp(reference.params[1]), rel=1e-7)
    assert (result.trend_before_lower, result.trend_before_upper) == pytest.approx(tuple(bounds[1]), rel=1e-6)
    assert row["level_change"] == pytest.approx(math.exp(reference.params[2]), rel=1e-7)
    assert (row["level_lower"], row["level_upper"]) == pytest.approx(tuple(bounds[2]), rel=1e-6)
    assert row["level_p_value"] == pytest.approx(reference.pvalues[2], rel=1e-5)
    assert (row["slope_lower"], row["slope_upper"]) == pytest.approx(tuple(bounds[3]), rel=1e-6)
    # the counterfactual band: the first segment's line, x'b +- t(8) se(x'b), from the same covariance
    frame = np.column_stack([np.ones(12), YEARS - 2010, np.zeros(12), np.zeros(12)])
    band = reference.get_prediction(frame, offset=np.log(NOISY_BIRTHS)).conf_int()
    np.testing.assert_allclose(result.counterfactual_lower, band[:, 0], rtol=1e-6)
    np.testing.assert_allclose(result.counterfactual_upper, band[:, 1], rtol=1e-6)
    plain = segmented_poisson(NOISY, NOISY_BIRTHS, YEARS, 2016, scaled=False)
    assert plain.model == "Poisson" and plain.table.iloc[0]["level_p_value"] < row["level_p_value"]


def test_counterfactual_is_not_drawn_from_two_points():
    result = segmented_poisson(NOISY[4:], NOISY_BIRTHS[4:], YEARS[4:], 2016)
    assert not result.table.empty  # the changes are still estimated (and said to be unreliable)
    assert np.isnan(result.counterfactual).all() and np.isnan(result.counterfactual_lower).all()
    assert "not carried on" in result.caveat


def test_financial_years_and_two_breakpoints():
    counts = _exact_counts()
    labels = [f"{y}/{(y + 1) % 100:02d}" for y in YEARS]
    result = segmented_poisson(counts, BIRTHS, labels, ["2016/17", "2019/20"])
    assert list(result.table["breakpoint"]) == [2016, 2019]
    # No real change at 2019: its level change is 1 and its slope change 1.
    second = result.table.iloc[1]
    assert second["level_change"] == pytest.approx(1.0, abs=1e-7)
    assert second["slope_change"] == pytest.approx(1.0, abs=1e-7)


def test_caveat_is_honest_about_few_points():
    few = segmented_poisson(_exact_counts()[3:9], BIRTHS[3:9], YEARS[3:9], 2016)
    assert "cannot be relied on" in few.caveat or "imprecise" in few.caveat
    assert GENERAL_CAVEAT in few.caveat
    tiny = segmented_poisson(_exact_counts()[4:8], BIRTHS[4:8], YEARS[4:8], 2016)
    assert "only 2 point(s)" in tiny.caveat
    many = segmented_poisson(np.tile(_exact_counts(), 2), np.tile(BIRTHS, 2),
                             np.concatenate([YEARS - 12, YEARS]), 2010)
    assert "imprecise" not in many.caveat and many.caveat == GENERAL_CAVEAT


def test_too_few_points_returns_a_result_not_an_error():
    result = segmented_poisson([5, 6, 7], [100, 100, 100], [2019, 2020, 2021], 2020)
    assert result.model == "too few points"
    assert result.table.empty and "nothing could be estimated" in result.caveat


def test_breakpoint_outside_the_data_is_left_out_and_said():
    result = segmented_poisson(_exact_counts(), BIRTHS, YEARS, [2016, 2030])
    assert list(result.table["breakpoint"]) == [2016]
    assert "2030" in result.caveat


def test_single_period_after_a_break_gets_a_level_change_only():
    counts = _exact_counts(slope=1.0, start=2021)
    result = segmented_poisson(counts, BIRTHS, YEARS, 2021)
    row = result.table.iloc[0]
    assert row["level_change"] == pytest.approx(1.5, rel=1e-7)
    assert math.isnan(row["slope_change"])
    assert "single period" in result.caveat
