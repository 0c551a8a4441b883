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
    assert result.model == "poisson"
    assert result.dispersion == pytest.approx(0, abs=1e-8)
    np.testing.assert_allclose(result.fitted, counts, rtol=1e-8)
    assert result["rate_ratio"] == result.ratio and result.get("model") == "poisson"
    assert result.as_dict()["rate_ratio"] == result.ratio


def test_poisson_trend_accepts_financial_year_labels():
    counts = 0.01 * 0.95 ** (YEARS - 2014) * BIRTHS
    labels = [f"{y}/{(y + 1) % 100:02d}" for y in YEARS]
    assert poisson_trend(counts, BIRTHS, labels).ratio == pytest.approx(0.95, rel=1e-8)


def test_poisson_confidence_interval_by_hand():
    # Two periods of equal exposure with 100 and 121 events: log rate ratio = log(1.21), and
    # with a third period in line (133.1 = 121 x 1.1) the MLE is exactly 1.1. The Wald standard
    # error of the slope is 1 / sqrt(sum_i mu_i (t_i - tbar_w)^2) with weights mu_i.
    counts = np.array([100.0, 110.0, 121.0])
    result = poisson_trend(counts, [1, 1, 1], [0, 1, 2])
    weighted_mean = np.sum(counts * np.arange(3)) / counts.sum()
    se = 1 / math.sqrt(np.sum(counts * (np.arange(3) - weighted_mean) ** 2))
    assert result.ratio == pytest.approx(1.1, rel=1e-9)
    assert result.lower == pytest.approx(math.exp(math.log(1.1) - 1.959964 * se), rel=1e-6)
    assert result.upper == pytest.approx(math.exp(math.log(1.1) + 1.959964 * se), rel=1e-6)


def test_overdispersed_counts_switch_to_negative_binomial_with_wider_interval():
    counts = np.array([10, 60, 12, 55, 9, 70, 11, 58, 14, 65], dtype=float)
    exposure = np.full(10, 3000.0)
    flexible = poisson_trend(counts, exposure, YEARS)
    poisson_only = poisson_trend(counts, exposure, YEARS, allow_negative_binomial=False)
    assert poisson_only.model == "poisson" and poisson_only.dispersion > 10
    assert flexible.model in ("negative binomial", "quasi-poisson")
    assert flexible.dispersion_p_value < 0.05
    assert (flexible.upper / flexible.lower) > (poisson_only.upper / poisson_only.lower)


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
    assert result.model == "binomial" and result.measure == "odds ratio"
    assert result["odds_ratio"] == result.ratio
    np.testing.assert_allclose(result.fitted, share, rtol=1e-8)


def test_binomial_trend_widens_for_overdispersion():
    trials = np.full(8, 500.0)
    successes = np.array([50, 150, 60, 140, 55, 160, 70, 150], dtype=float)
    result = binomial_trend(successes, trials, np.arange(8))
    assert result.model == "quasi-binomial" and result.dispersion > 1
    plain = tidy_glm(_binomial_fit(successes, trials, np.arange(8)))
    plain_width = plain.loc[1, "upper"] / plain.loc[1, "lower"]
    assert result.upper / result.lower == pytest.approx(plain_width ** math.sqrt(result.dispersion), rel=1e-6)


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
