"""Kaplan-Meier, log-rank and Cox: tiny samples worked by hand, and Cox against statsmodels' PHReg."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from prebirth.stats.survival import cox_hazard_ratio, cumulative_incidence, km_curve, km_median, logrank

# Waits in days; observed = 0 means still open at the extract date (censored).
DAYS = [2, 3, 3, 5, 6, 8, 9, 12]
ENDED = [1, 1, 0, 1, 0, 1, 1, 0]


def test_km_curve_by_hand():
    # t=2: 8 at risk, 1 event: S = 7/8 = 0.875
    # t=3: 7 at risk (the wait censored at 3 still counts), 1 event: 0.875 x 6/7 = 0.75
    # t=5: 5 at risk, 1 event: 0.75 x 4/5 = 0.6      (t=6 censored)
    # t=8: 3 at risk, 1 event: 0.6 x 2/3 = 0.4
    # t=9: 2 at risk, 1 event: 0.4 x 1/2 = 0.2       (t=12 censored)
    curve = km_curve(DAYS, ENDED)
    assert list(curve["time"]) == [0, 2, 3, 5, 8, 9, 12]
    np.testing.assert_allclose(curve["survival"], [1, 0.875, 0.75, 0.6, 0.4, 0.2, 0.2])
    assert list(curve["at_risk"]) == [8, 8, 7, 5, 3, 2, 1]
    assert list(curve["events"]) == [0, 1, 1, 1, 1, 1, 0]
    assert curve["censored"].sum() == 3
    assert (curve["lower"] <= curve["survival"]).all() and (curve["survival"] <= curve["upper"]).all()
    # Greenwood at t=2: S^2 x 1/(8 x 7); log-log limits S^exp(+/- z se / (S |log S|)).
    se = 0.875 * math.sqrt(1 / 56)
    factor = math.exp(1.959964 * se / (0.875 * abs(math.log(0.875))))
    assert curve.loc[1, "lower"] == pytest.approx(0.875 ** factor, rel=1e-5)
    assert curve.loc[1, "upper"] == pytest.approx(0.875 ** (1 / factor), rel=1e-5)


def test_km_median_by_hand():
    # The share still waiting first falls below one half at t=8 (0.4).
    result = km_median(DAYS, ENDED)
    assert result["median"] == 8 and result["n"] == 8 and result["events"] == 5
    assert result["lower"] <= 8
    assert math.isnan(result["upper"]) or result["upper"] >= 8


def test_km_median_when_the_curve_sits_exactly_at_one_half():
    # All six waits end (days 1..6): S(3) = 3/6 = 0.5 exactly, then S(4) = 2/6. Half the waits had
    # ended by day 3; the midpoint rule (R's survival, SAS PROC LIFETEST; the sample median of
    # 1..6) gives (3 + 4) / 2 = 3.5.
    assert km_median([1, 2, 3, 4, 5, 6], [1] * 6)["median"] == 3.5
    # Reaching one half through a product that floating point does not make exactly 0.5:
    # 10 waits, one ends on day 1 (S = 9/10), four of the 9 left on day 3 (S = 9/10 x 5/9 = 1/2,
    # 0.5000000000000001 in floating point), the rest on days 5 to 9: (3 + 5) / 2 = 4.
    assert km_median([1, 3, 3, 3, 3, 5, 6, 7, 8, 9], [1] * 10)["median"] == 4
    # The curve ends flat at one half: waits 1 and 2 end, 3 and 4 are still open. S(2) = 0.5 and
    # no later event: the stretch has no known end (R would take the longest open wait, 4, and
    # give 3); the book gives no median rather than one set by the extract date.
    assert math.isnan(km_median([1, 2, 3, 4], [1, 1, 0, 0])["median"])
    # Censoring before the middle: waits 1, 2 (censored), 3, 4, 5 all others end.
    # t=1: 5 at risk -> 4/5; t=3: 3 at risk -> 4/5 x 2/3 = 8/15; t=4: 2 at risk -> 8/15 x 1/2 = 4/15.
    # Never exactly one half: the first time below it, day 4.
    assert km_median([1, 2, 3, 4, 5], [1, 0, 1, 1, 1])["median"] == 4


def test_km_median_not_reached_is_missing_not_invented():
    result = km_median([1, 2, 3, 4, 5, 6], [1, 0, 0, 0, 0, 0])
    assert math.isnan(result["median"]) and math.isnan(result["upper"])
    assert math.isnan(km_median([], [])["median"])


def test_bad_durations_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="negative"):
        km_median([-1, 2], [1, 1])
    with pytest.raises(ValueError, match="missing"):
        km_median([np.nan, 2], [1, 1])
    with pytest.raises(ValueError, match="observed must be 1"):
        km_median([1, 2], [1, 2])


def test_logrank_by_hand():
    # Group A waits 1 and 2 days, group B 3 and 4; all end.
    # t=1: 4 at risk (2 A), 1 event: E_A = 1/2, V = 2x2x1x3 / (16x3) = 0.25
    # t=2: 3 at risk (1 A): E_A = 1/3, V = 1x2x1x2 / (9x2) = 2/9
    # t=3, 4: no A at risk. O_A - E_A = 2 - 5/6 = 7/6; V = 17/36; chi2 = (49/36) / (17/36) = 49/17.
    result = logrank([1, 2, 3, 4], [1, 1, 1, 1], ["A", "A", "B", "B"])
    assert result["statistic"] == pytest.approx(49 / 17, rel=1e-9)
    assert result["p_value"] == pytest.approx(stats.chi2.sf(49 / 17, 1), rel=1e-9)
    assert result["df"] == 1 and result["groups"] == ["A", "B"]


def test_logrank_single_group_has_no_test():
    assert math.isnan(logrank([1, 2], [1, 1], ["A", "A"])["p_value"])


def test_cox_hazard_ratio_by_hand():
    # Group 1 waits 1 and 3 days, group 0 waits 2 and 4; all end. Partial likelihood with h = e^b:
    # L = h/(2h+2) x 1/(h+2) x h/(h+1); d log L / db = 2 - 2h/(h+1) - h/(h+2) = 0
    # gives h^2 - h - 4 = 0, h = (1 + sqrt 17) / 2 = 2.561553.
    result = cox_hazard_ratio([1, 3, 2, 4], [1, 1, 1, 1], [1, 1, 0, 0])
    assert result["hazard_ratio"] == pytest.approx((1 + math.sqrt(17)) / 2, rel=1e-6)
    assert result["lower"] < result["hazard_ratio"] < result["upper"]
    assert result["n"] == 4 and result["events"] == 4


def test_cox_needs_two_groups():
    assert math.isnan(cox_hazard_ratio([1, 2, 3], [1, 1, 1], [1, 1, 1])["hazard_ratio"])
    with pytest.raises(ValueError, match="0 or 1"):
        cox_hazard_ratio([1, 2, 3], [1, 1, 1], [0, 1, 2])


def _phreg(durations, observed, group, ties="efron"):
    """The same model fitted by statsmodels' general Cox regression (an independent implementation)."""
    from statsmodels.duration.hazard_regression import PHReg

    fit = PHReg(np.asarray(durations, float), np.asarray(group, float).reshape(-1, 1),
                status=np.asarray(observed, float), ties=ties).fit()
    return float(fit.params[0]), float(fit.bse[0])


@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("n, seed", [(20, 1), (60, 2), (500, 3), (5000, 4)])
def test_cox_agrees_with_statsmodels_phreg_on_tied_censored_waits(n, seed, ties):
    rng = np.random.default_rng(seed)
    group = (rng.random(n) < 0.3).astype(float)
    durations = np.rint(rng.exponential(np.where(group == 1, 12.0, 20.0)))  # whole days: many ties, some 0
    observed = (rng.random(n) < 0.8).astype(float)
    beta, se = _phreg(durations, observed, group, ties)
    result = cox_hazard_ratio(durations, observed, group, ties=ties)
    z = stats.norm.ppf(0.975)
    assert result["hazard_ratio"] == pytest.approx(math.exp(beta), rel=1e-7)
    assert result["lower"] == pytest.approx(math.exp(beta - z * se), rel=1e-7)
    assert result["upper"] == pytest.approx(math.exp(beta + z * se), rel=1e-7)
    assert result["p_value"] == pytest.approx(2 * stats.norm.sf(abs(beta) / se), rel=1e-6, abs=1e-300)


def test_cox_converges_where_newton_from_zero_overshoots():
    # Most pre-birth families are offered support within weeks; few other families ever are.
    # A plain Newton step from 0 overshoots until the Hessian is singular (statsmodels' own fit
    # fails on these data); the halved steps still reach the maximum, where the score is zero.
    from statsmodels.duration.hazard_regression import PHReg

    rng = np.random.default_rng(1)
    pre_events = (rng.random(40) < 0.85).astype(float)
    pre = np.where(pre_events == 1, np.rint(np.exp(np.log(20) + rng.normal(0, 0.6, 40))), 900)
    other = np.where(rng.random(400) < 0.1, np.rint(np.exp(np.log(30) + rng.normal(0, 0.6, 400))), 1500)
    durations, observed = np.r_[pre, other], np.r_[pre_events, (other < 1500).astype(float)]
    group = np.r_[np.ones(40), np.zeros(400)]
    result = cox_hazard_ratio(durations, observed, group)
    assert result["hazard_ratio"] > 5 and 1 < result["lower"] < result["hazard_ratio"] < result["upper"]
    model = PHReg(durations, group.reshape(-1, 1), status=observed, ties="efron")
    beta = math.log(result["hazard_ratio"])
    assert abs(model.score(np.array([beta]))[0]) < 1e-6 * abs(model.score(np.array([0.0]))[0])
    # its standard error is that of statsmodels' Hessian at the same point
    se = (math.log(result["upper"]) - beta) / stats.norm.ppf(0.975)
    assert se == pytest.approx(1 / math.sqrt(-model.hessian(np.array([beta]))[0, 0]), rel=1e-6)


def test_cox_uses_efron_ties_by_default():
    # Three distinct times, many waits ending on each: Breslow's method counts every tied wait
    # against the whole risk set and pulls the ratio towards 1; Efron's (R's coxph default)
    # matches statsmodels' PHReg(ties="efron") to 1e-6 and is further from 1.
    rng = np.random.default_rng(7)
    group = (rng.random(300) < 0.4).astype(float)
    durations = np.minimum(np.floor(rng.exponential(np.where(group == 1, 1.0, 3.0))), 2.0)  # days 0, 1, 2
    observed = (rng.random(300) < 0.9).astype(float)
    efron, breslow = cox_hazard_ratio(durations, observed, group), \
        cox_hazard_ratio(durations, observed, group, ties="breslow")
    beta_efron, se_efron = _phreg(durations, observed, group, "efron")
    beta_breslow, _ = _phreg(durations, observed, group, "breslow")
    assert efron["hazard_ratio"] == pytest.approx(math.exp(beta_efron), rel=1e-6)
    assert efron["upper"] == pytest.approx(math.exp(beta_efron + stats.norm.ppf(0.975) * se_efron), rel=1e-6)
    assert breslow["hazard_ratio"] == pytest.approx(math.exp(beta_breslow), rel=1e-6)
    assert efron["hazard_ratio"] > breslow["hazard_ratio"] > 1
    with pytest.raises(ValueError, match="ties"):
        cox_hazard_ratio(durations, observed, group, ties="exact")


def _ph_score_test_by_splitting(durations, observed, group):
    """The score test of proportional hazards from first principles, with statsmodels' PHReg.

    Each wait is split at every event time into (entry, exit] pieces carrying x and x g(t),
    with g(t) = 1 - S(t-) from the pooled Kaplan-Meier curve; the Cox model with both
    covariates (Efron ties) gives the score and information at (b, 0), b the fit without
    the drift term. The efficient score statistic for the drift is U^2 / (I_gg - I_gb^2 / I_bb).
    """
    from statsmodels.duration.hazard_regression import PHReg

    durations, observed, group = (np.asarray(v, float) for v in (durations, observed, group))
    times = np.unique(durations[observed == 1])
    at_risk = np.array([(durations >= t).sum() for t in times])
    ended = np.array([((durations == t) & (observed == 1)).sum() for t in times])
    g = 1 - np.concatenate([[1.0], np.cumprod(1 - ended / at_risk)[:-1]])
    entry, exit_, status, x, xg = [], [], [], [], []
    for d, e, z in zip(durations, observed, group):
        previous = 0.0  # every wait here is at least a day
        for t, gt in zip(times, g):
            if t > d:
                break
            entry.append(previous), exit_.append(t), x.append(z), xg.append(z * gt)
            status.append(float(e == 1 and t == d))
            previous = t + 0.5  # PHReg counts a piece at risk from its entry time on (inclusive); days are whole
    beta, _ = _phreg(durations, observed, group, "efron")
    model = PHReg(np.array(exit_), np.c_[x, xg], status=np.array(status), entry=np.array(entry), ties="efron")
    at = np.array([beta, 0.0])
    score, information = model.score(at), -model.hessian(at)
    return score[1] ** 2 / (information[1, 1] - information[0, 1] ** 2 / information[0, 0])


@pytest.mark.parametrize("seed, crossing", [(11, False), (12, True), (13, True)])
def test_proportional_hazards_score_test_agrees_with_a_split_data_fit(seed, crossing):
    rng = np.random.default_rng(seed)
    n = 80
    group = (rng.random(n) < 0.5).astype(float)
    if crossing:  # group 1 ends early or very late: the hazard ratio falls over the wait
        durations = np.where(group == 1, np.where(rng.random(n) < 0.5, rng.integers(1, 4, n), rng.integers(20, 40, n)),
                             rng.integers(5, 15, n)).astype(float)
    else:
        durations = np.rint(rng.exponential(np.where(group == 1, 6.0, 10.0))) + 1
    observed = (rng.random(n) < 0.85).astype(float)
    result = cox_hazard_ratio(durations, observed, group)
    expected = _ph_score_test_by_splitting(durations, observed, group)
    assert result["ph_statistic"] == pytest.approx(expected, rel=1e-6)
    assert result["ph_p_value"] == pytest.approx(stats.chi2.sf(expected, 1), rel=1e-6)
    if crossing:
        assert result["ph_p_value"] < 0.001


def test_cox_without_a_finite_estimate_is_not_available():
    # Every wait in group 1 ends before any in group 0: the partial likelihood rises for ever.
    result = cox_hazard_ratio([1, 2, 3, 4], [1, 1, 1, 1], [1, 1, 0, 0])
    assert math.isnan(result["hazard_ratio"]) and math.isnan(result["lower"]) and math.isnan(result["p_value"])
    assert result["n"] == 4 and result["events"] == 4


@pytest.mark.parametrize("n, seed", [(2, 1), (15, 2), (400, 3), (20000, 4)])
def test_logrank_of_two_groups_agrees_with_statsmodels_survdiff(n, seed):
    from statsmodels.duration.survfunc import survdiff

    rng = np.random.default_rng(seed)
    group = np.where(rng.random(n) < 0.35, "pre-birth", "other")
    group[0], group[-1] = "pre-birth", "other"  # both groups present
    durations = np.rint(rng.exponential(np.where(group == "pre-birth", 10.0, 15.0)))  # whole days: ties
    observed = (rng.random(n) < 0.85).astype(float)
    observed[0] = 1.0
    result = logrank(durations, observed, group)
    statistic, p_value = survdiff(durations, observed, (group == "other").astype(int))
    assert result["statistic"] == pytest.approx(statistic, rel=1e-9)
    # statsmodels gives 1 - cdf, which is 0 below about 1e-16; this is the survival function itself
    assert result["p_value"] == pytest.approx(p_value, rel=1e-7, abs=1e-15)
    assert result["p_value"] == pytest.approx(stats.chi2.sf(statistic, 1), rel=1e-9)
    assert result["df"] == 1


def test_cumulative_incidence_by_hand():
    # Six referrals: offered support (1) on days 2, 3 and 6; closed without support (2) on days 3 and 8;
    # one no longer followed on day 5 (0).
    # day 2: 6 followed, 1 offered:            F = 1 x 1/6 = 1/6;        S = 5/6
    # day 3: 5 followed, 1 offered, 1 closed:  F = 1/6 + 5/6 x 1/5 = 1/3; S = 5/6 x 3/5 = 1/2
    # day 6: 2 followed (5 left, 8 later), 1 offered: F = 1/3 + 1/2 x 1/2 = 7/12; S = 1/4
    # day 8: the last closes without support: F stays 7/12.
    table = cumulative_incidence([2, 3, 3, 5, 6, 8], [1, 2, 1, 0, 1, 2], [2, 4, 7, 10])
    np.testing.assert_allclose(table["incidence"], [1 / 6, 1 / 3, 7 / 12, 7 / 12], rtol=1e-12)
    assert table[["events_of", "competing", "censored", "followed"]].to_numpy().tolist() == [
        [1, 0, 0, 5], [2, 1, 0, 3], [3, 1, 1, 1], [3, 2, 1, 0]]
    assert (table[["events_of", "competing", "censored", "followed"]].sum(axis=1) == 6).all()
    # At day 2 the variance is the binomial one, (1/6)(5/6)/6 = 5/216; log(-log F) limits.
    z = stats.norm.ppf(0.975)
    f = 1 / 6
    se = math.sqrt(5 / 216) / (f * abs(math.log(f)))
    assert table.loc[0, "lower"] == pytest.approx(f ** math.exp(z * se), rel=1e-9)
    assert table.loc[0, "upper"] == pytest.approx(f ** math.exp(-z * se), rel=1e-9)
    # Treating closure as censoring (1 - Kaplan-Meier) would overstate the share offered support:
    # S = 5/6, then 5/6 x 4/5 = 2/3 on day 3, then 2/3 x 1/2 = 1/3 on day 6: 2/3 offered, not 7/12.
    assert 1 - km_curve([2, 3, 3, 5, 6, 8], [1, 0, 1, 0, 1, 0]).set_index("time").loc[6, "survival"] > 7 / 12


def test_cumulative_incidence_without_competing_events_is_one_minus_kaplan_meier():
    # With no competing event the estimate is 1 - S and its variance Greenwood's (statsmodels' SurvfuncRight).
    from statsmodels.duration.survfunc import SurvfuncRight

    rng = np.random.default_rng(3)
    days = np.rint(rng.exponential(20, 200))
    ended = (rng.random(200) < 0.7).astype(int)
    curve = SurvfuncRight(days, ended)
    table = cumulative_incidence(days, ended, [5, 10, 30, 60])
    z = stats.norm.ppf(0.975)
    for row in table.itertuples():
        i = np.searchsorted(curve.surv_times, row.time, side="right") - 1
        assert row.incidence == pytest.approx(1 - curve.surv_prob[i], rel=1e-12)
        f = row.incidence
        se = math.log(math.log(row.lower) / math.log(f)) / z * f * abs(math.log(f))
        assert se == pytest.approx(curve.surv_prob_se[i], rel=1e-9)
