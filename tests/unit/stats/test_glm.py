"""Trend models: known ratios recovered exactly, overdispersion handled, tiny inputs answered politely."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from prebirth.stats.glm import binomial_trend, poisson_trend, tidy_glm, time_values

YEARS = np.arange(2014, 2024)
BIRTHS = np.array([3100, 3050, 2990, 3010, 2950, 2900, 2870, 2800, 2850, 2790], dtype=float)


def test_financial_years_count_by_their_starting_year():
    np.testing.assert_array_equal(time_values(["2019/20", "2020-21", "2021/2022", 2022, "2023"]),
                                  [2019, 2020, 2021, 2022, 2023])
    with pytest.raises(ValueError, match="financial year"):
        time_values(["spring"])


def test_poisson_trend_recovers_a_known_rate_ratio():
    # Counts generated exactly from rate = 0.01 x 1.08^(year - 2014) per birth: the Poisson
    # likelihood is maximised where every fitted count equals its observed count.
    counts = 0.01 * 1.08 ** (YEARS - 2014) * BIRTHS
    result = poisson_trend(counts, BIRTHS, YEARS)
    assert result.ratio == pytest.approx(1.08, rel=1e-8)
    assert result.lower < 1.08 < result.upper
    assert result.model == "quasi-Poisson"
    assert result.dispersion == pytest.approx(0, abs=1e-8) and result.scale == 1  # phi is never below 1
    np.testing.assert_allclose(result.fitted, counts, rtol=1e-8)
    assert result["rate_ratio"] == result.ratio and result.get("model") == "quasi-Poisson"
    assert result.as_dict()["rate_ratio"] == result.ratio


def test_poisson_trend_accepts_financial_year_labels():
    counts = 0.01 * 0.95 ** (YEARS - 2014) * BIRTHS
    labels = [f"{y}/{(y + 1) % 100:02d}" for y in YEARS]
    assert poisson_trend(counts, BIRTHS, labels).ratio == pytest.approx(0.95, rel=1e-8)


def test_poisson_confidence_interval_by_hand():
    # Two periods of equal exposure with 100 and 121 events: log rate ratio = log(1.21), and
    # with a third period in line (133.1 = 121 x 1.1) the MLE is exactly 1.1. The Wald standard
    # error of the slope is 1 / sqrt(sum_i mu_i (t_i - tbar_w)^2) with weights mu_i.
    # Unscaled, the interval uses the normal quantile; scaled (the default), phi = max(1, 0) = 1
    # and the quantile of t with 3 - 2 = 1 degree of freedom (12.706205).
    counts = np.array([100.0, 110.0, 121.0])
    weighted_mean = np.sum(counts * np.arange(3)) / counts.sum()
    se = 1 / math.sqrt(np.sum(counts * (np.arange(3) - weighted_mean) ** 2))
    plain = poisson_trend(counts, [1, 1, 1], [0, 1, 2], scaled=False)
    assert plain.model == "Poisson" and plain.ratio == pytest.approx(1.1, rel=1e-9)
    assert plain.lower == pytest.approx(math.exp(math.log(1.1) - 1.959964 * se), rel=1e-6)
    assert plain.upper == pytest.approx(math.exp(math.log(1.1) + 1.959964 * se), rel=1e-6)
    scaled = poisson_trend(counts, [1, 1, 1], [0, 1, 2])
    assert scaled.scale == 1 and scaled.df_resid == 1
    assert scaled.lower == pytest.approx(math.exp(math.log(1.1) - 12.706205 * se), rel=1e-6)
    assert scaled.upper == pytest.approx(math.exp(math.log(1.1) + 12.706205 * se), rel=1e-6)


def test_overdispersed_counts_widen_the_interval():
    counts = np.array([10, 60, 12, 55, 9, 70, 11, 58, 14, 65], dtype=float)
    exposure = np.full(10, 3000.0)
    flexible = poisson_trend(counts, exposure, YEARS)
    poisson_only = poisson_trend(counts, exposure, YEARS, scaled=False)
    assert poisson_only.model == "Poisson" and poisson_only.dispersion > 10
    assert flexible.model == "quasi-Poisson" and flexible.scale == pytest.approx(poisson_only.dispersion)
    assert flexible.ratio == pytest.approx(poisson_only.ratio, rel=1e-9)  # the same estimate
    assert flexible.dispersion_p_value < 0.05
    assert (flexible.upper / flexible.lower) > (poisson_only.upper / poisson_only.lower)


# The issue's example: yearly counts 21, 9, 26, 12, 24 over births 3100 ... 2900. Poisson with
# z limits says 1.07 (0.92, 1.23); the Pearson dispersion is 4.0, and quasi-Poisson with t(3)
# limits says (0.67, 1.71). The scaled fit must agree with statsmodels' own quasi-Poisson
# (scale="X2", use_t=True), which here estimates the same phi (above 1).
ISSUE_COUNTS = np.array([21, 9, 26, 12, 24], dtype=float)
ISSUE_BIRTHS = np.array([3100, 3050, 2980, 2950, 2900], dtype=float)
ISSUE_YEARS = ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24"]


def test_quasi_poisson_matches_the_issue_example():
    plain = poisson_trend(ISSUE_COUNTS, ISSUE_BIRTHS, ISSUE_YEARS, scaled=False)
    assert (round(plain.ratio, 2), round(plain.lower, 2), round(plain.upper, 2)) == (1.07, 0.92, 1.23)
    result = poisson_trend(ISSUE_COUNTS, ISSUE_BIRTHS, ISSUE_YEARS)
    assert result.model == "quasi-Poisson" and round(result.scale, 1) == 4.0 and result.df_resid == 3
    assert (round(result.ratio, 2), round(result.lower, 2), round(result.upper, 2)) == (1.07, 0.67, 1.71)


def test_quasi_poisson_matches_statsmodels():
    import statsmodels.api as sm

    t = np.arange(5.0)
    design = sm.add_constant(t - t.mean())
    reference = sm.GLM(ISSUE_COUNTS, design, family=sm.families.Poisson(), offset=np.log(ISSUE_BIRTHS)).fit(
        scale="X2", use_t=True)
    lower, upper = np.exp(reference.conf_int()[1])
    result = poisson_trend(ISSUE_COUNTS, ISSUE_BIRTHS, ISSUE_YEARS)
    assert result.ratio == pytest.approx(math.exp(reference.params[1]), rel=1e-9)
    assert result.lower == pytest.approx(lower, rel=1e-7) and result.upper == pytest.approx(upper, rel=1e-7)
    assert result.p_value == pytest.approx(reference.pvalues[1], rel=1e-6)
    assert result.scale == pytest.approx(reference.scale, rel=1e-9)


def test_too_few_points_says_so():
    result = poisson_trend([3, 4], [100, 100], [2020, 2021])
    assert result.model == "too few points" and math.isnan(result.ratio)
    assert "at least 3" in result.message
    assert result.get("rate_ratio") is not None and math.isnan(result.get("rate_ratio"))


def test_missing_points_are_excluded_and_counted_not_zeroed():
    counts = 0.01 * 1.08 ** (YEARS - 2014) * BIRTHS
    with_gap = counts.copy()
    with_gap[3] = np.nan  # a suppressed year
    result = poisson_trend(with_gap, BIRTHS, YEARS)
    assert result.excluded == 1 and result.n_points == 9
    assert result.ratio == pytest.approx(1.08, rel=1e-8)  # a zero would have pulled it away
    assert math.isnan(result.fitted[3])


def test_no_events_and_bad_exposure():
    assert poisson_trend([0, 0, 0, 0], [10, 10, 10, 10], [1, 2, 3, 4]).model == "no events"
    with pytest.raises(ValueError, match="exposure"):
        poisson_trend([1, 2, 3], [10, 0, 10], [1, 2, 3])
    with pytest.raises(ValueError, match="same length"):
        poisson_trend([1, 2, 3], [10, 10], [1, 2, 3])


def test_binomial_trend_recovers_a_known_odds_ratio():
    # Shares with logit = -1.5 + log(1.2) (t - 2016): successes set to exactly n x p.
    trials = np.array([400, 420, 390, 410, 405, 380], dtype=float)
    t = np.arange(2016, 2022)
    share = 1 / (1 + np.exp(-(-1.5 + math.log(1.2) * (t - 2016))))
    result = binomial_trend(share * trials, trials, t)
    assert result.ratio == pytest.approx(1.2, rel=1e-8)
    assert result.model == "quasi-binomial" and result.measure == "odds ratio" and result.scale == 1
    assert result["odds_ratio"] == result.ratio
    np.testing.assert_allclose(result.fitted, share, rtol=1e-8)


def test_binomial_trend_widens_for_overdispersion():
    trials = np.full(8, 500.0)
    successes = np.array([50, 150, 60, 140, 55, 160, 70, 150], dtype=float)
    result = binomial_trend(successes, trials, np.arange(8))
    assert result.model == "quasi-binomial" and result.dispersion > 1 and result.df_resid == 6
    plain = tidy_glm(_binomial_fit(successes, trials, np.arange(8)))
    plain_width = plain.loc[1, "upper"] / plain.loc[1, "lower"]
    # scaled standard error, and the t(6) quantile in place of the normal one
    widening = math.sqrt(result.dispersion) * 2.446912 / 1.959964
    assert result.upper / result.lower == pytest.approx(plain_width ** widening, rel=1e-6)


def test_quasi_binomial_matches_statsmodels():
    # statsmodels' quasi-binomial on proportions with the trials as variance weights and the
    # Pearson scale (scale="X2", use_t=True): the reference for phi = X2 / df > 1.
    import statsmodels.api as sm

    trials = np.array([120, 135, 110, 140, 150, 128], dtype=float)
    successes = np.array([30, 52, 25, 61, 44, 58], dtype=float)
    t = np.arange(6.0)
    design = sm.add_constant(t - t.mean())
    reference = sm.GLM(successes / trials, design, family=sm.families.Binomial(), var_weights=trials).fit(
        scale="X2", use_t=True)
    assert reference.scale > 1
    lower, upper = np.exp(reference.conf_int()[1])
    result = binomial_trend(successes, trials, [f"{2018 + i}/{(19 + i) % 100:02d}" for i in range(6)])
    assert result.ratio == pytest.approx(math.exp(reference.params[1]), rel=1e-7)
    assert result.lower == pytest.approx(lower, rel=1e-6) and result.upper == pytest.approx(upper, rel=1e-6)
    assert result.p_value == pytest.approx(reference.pvalues[1], rel=1e-5)
    plain = binomial_trend(successes, trials, t, scaled=False)
    assert plain.model == "binomial" and plain.upper - plain.lower < result.upper - result.lower


def _binomial_fit(successes, trials, t):
    import statsmodels.api as sm

    design = pd.DataFrame({"const": 1.0, "time": t - t.mean()})
    return sm.GLM(np.column_stack([successes, trials - successes]), design, family=sm.families.Binomial()).fit()


def test_binomial_trend_edge_cases():
    assert binomial_trend([1, 2], [10, 10], [1, 2]).model == "too few points"
    assert binomial_trend([0, 0, 0], [10, 10, 10], [1, 2, 3]).model == "no variation"
    result = binomial_trend([1, 2, 3, 4], [10, 0, 10, 10], [1, 2, 3, 4])
    assert result.excluded == 1  # a period with no trials
    with pytest.raises(ValueError, match="larger than trials"):
        binomial_trend([11, 2, 3], [10, 10, 10], [1, 2, 3])


def test_tidy_glm_table():
    fit = _binomial_fit(np.array([10.0, 20, 30]), np.array([100.0, 100, 100]), np.arange(3.0))
    table = tidy_glm(fit)
    assert list(table.columns) == ["term", "estimate", "std_error", "statistic", "p_value", "lower", "upper"]
    assert list(table["term"]) == ["const", "time"]
    np.testing.assert_allclose(table["estimate"], np.exp(fit.params))
    raw = tidy_glm(fit, exponentiate=False)
    np.testing.assert_allclose(raw["estimate"], fit.params)
    assert (raw["lower"] < raw["estimate"]).all() and (raw["estimate"] < raw["upper"]).all()
