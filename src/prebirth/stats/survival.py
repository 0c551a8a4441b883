"""Waiting times with open episodes: Kaplan-Meier and log-rank (statsmodels.duration), Cox.

A waiting time still open at the data extract date (an assessment not yet authorised,
support not yet offered) is *right censored*: we know it is at least that long. Dropping
it would make waits look shorter than they are; Kaplan-Meier uses it until it leaves
the risk set (DESIGN 5.2).

Conventions
-----------
- ``durations`` are non-negative numbers (days); ``observed`` is True/1 where the
  event happened, False/0 where the wait was still open (censored).
- The median is the first event time at which the estimated share still waiting falls
  *below* one half; where the curve sits exactly at one half (half the waits had ended),
  the midpoint of that flat stretch: halfway between the time it reached one half and the
  next event time. This is the rule of R's ``survival`` package (``quantile.survfit``) and
  SAS PROC LIFETEST; statsmodels' ``SurvfuncRight.quantile`` takes the end of the flat
  stretch instead. Where the curve stays at one half up to the longest wait, which is
  still open, the stretch has no known end and the median is NaN (R takes the longest
  open wait as its end, a date set by the extract, not by the waits). The confidence
  interval inverts the complementary log-log transformed test (statsmodels'
  ``quantile_ci``, Brookmeyer-Crowley). NaN where the curve never gets that low: a
  median that is "not reached" is reported as such, never invented.
- Pointwise limits of the curve use the log(-log) transform of Greenwood's variance.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["km_median", "km_curve", "logrank", "cox_hazard_ratio", "cumulative_incidence"]


def _durations(durations, observed) -> tuple[np.ndarray, np.ndarray]:
    time = np.asarray(durations, dtype=float).ravel()
    status = np.asarray(observed, dtype=float).ravel()
    if len(time) != len(status):
        raise ValueError("durations and observed must have the same length")
    if np.any(np.isnan(time)) or np.any(np.isnan(status)):
        raise ValueError(
            "a waiting time or its event flag is missing; an open wait needs its duration up to the extract date "
            "and observed = 0, not a blank"
        )
    if np.any(time < 0):
        raise ValueError("a waiting time is negative: its end date is before its start date")
    if not np.all(np.isin(status, (0, 1))):
        raise ValueError("observed must be 1 (the event happened) or 0 (still waiting, censored)")
    return time, status


def _finite(value) -> float:
    value = float(value)
    return value if math.isfinite(value) else math.nan


def km_median(durations, observed, *, confidence: float = 0.95) -> dict:
    """Kaplan-Meier median waiting time with its confidence interval.

    Returns
    -------
    dict ``median, lower, upper, n, events`` (NaN median/limits where not reached;
    all NaN with ``n = 0`` for no data).
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    time, status = _durations(durations, observed)
    result = {"median": math.nan, "lower": math.nan, "upper": math.nan, "n": int(len(time)), "events": int(status.sum())}
    if len(time) == 0 or status.sum() == 0:
        return result
    curve = SurvfuncRight(time, status)
    # Where everyone's wait has ended, S = 0 and log(-log S) is infinite: an open limit, not a fault.
    with np.errstate(divide="ignore", invalid="ignore"):
        lower, upper = curve.quantile_ci(0.5, alpha=1 - confidence)
    result.update(median=_midpoint_median(curve), lower=_finite(lower), upper=_finite(upper))
    return result


def _midpoint_median(curve, tolerance: float = 1.5e-8) -> float:
    """The median of a fitted curve by the midpoint rule (see the module's conventions); NaN when not reached.

    ``tolerance`` is R's ``sqrt(.Machine$double.eps)``: a product of fractions meant to be one
    half may miss it by a rounding error."""
    times = np.asarray(curve.surv_times, dtype=float)
    surv = np.asarray(curve.surv_prob, dtype=float)
    below = np.flatnonzero(surv < 0.5 - tolerance)
    at_half = np.flatnonzero(np.abs(surv - 0.5) <= tolerance)
    if len(at_half):
        return (float(times[at_half[0]]) + float(times[below[0]])) / 2 if len(below) else math.nan
    return float(times[below[0]]) if len(below) else math.nan


def km_curve(durations, observed, *, confidence: float = 0.95) -> pd.DataFrame:
    """The Kaplan-Meier curve as a tidy frame, starting at time 0 with everyone waiting.

    Returns
    -------
    DataFrame ``time, survival, lower, upper, at_risk, events, censored``: one row for
    time 0 and one per distinct event time. ``survival`` is the estimated share still
    waiting just after ``time``; ``at_risk`` those still waiting just before it;
    ``censored`` the waits that were still open when the data ended, counted from the
    previous row's time up to (not including) this one. When open waits outlast the
    last event, a final row at the longest open wait holds them (the curve is flat there).
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    time, status = _durations(durations, observed)
    columns = ["time", "survival", "lower", "upper", "at_risk", "events", "censored"]
    if len(time) == 0:
        return pd.DataFrame(columns=columns)
    start = {"time": 0.0, "survival": 1.0, "lower": 1.0, "upper": 1.0, "at_risk": len(time), "events": 0,
             "censored": 0}
    if status.sum() == 0:
        return pd.DataFrame([start], columns=columns)
    curve = SurvfuncRight(time, status)
    surv = np.asarray(curve.surv_prob, dtype=float)
    se = np.asarray(curve.surv_prob_se, dtype=float)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        # log(-log S) has standard error se / (S |log S|); transform back.
        log_log_se = se / (surv * np.abs(np.log(surv)))
        lower = surv ** np.exp(z * log_log_se)
        upper = surv ** np.exp(-z * log_log_se)
    lower = np.where(surv >= 1, 1.0, np.where(surv <= 0, 0.0, lower))
    upper = np.where(surv >= 1, 1.0, np.where(surv <= 0, 0.0, upper))
    times = np.asarray(curve.surv_times, dtype=float)
    # Censored waits between event times, counted at the next event time (for a table);
    # those after the last event are added to a final row.
    edges = np.concatenate([[-np.inf], times])
    censored_times = time[status == 0]
    censored = np.array([np.sum((censored_times >= lo) & (censored_times < hi)) for lo, hi in zip(edges[:-1], edges[1:])])
    frame = pd.DataFrame({
        "time": times, "survival": surv, "lower": lower, "upper": upper,
        "at_risk": np.asarray(curve.n_risk, dtype=int), "events": np.asarray(curve.n_events, dtype=int),
        "censored": censored.astype(int),
    })
    frame = pd.concat([pd.DataFrame([start]), frame], ignore_index=True)
    tail = int(np.sum(censored_times >= times[-1]))
    if tail:
        last_time = float(censored_times.max())
        final = frame.iloc[-1].to_dict()
        final.update(time=last_time, at_risk=tail, events=0, censored=tail)
        frame = pd.concat([frame, pd.DataFrame([final])], ignore_index=True)
    return frame[columns]


def logrank(durations, observed, groups) -> dict:
    """Log-rank test that two or more groups wait equally long.

    Returns
    -------
    dict ``statistic, df, p_value, groups`` (the distinct group labels).
    """
    from statsmodels.duration.survfunc import survdiff

    time, status = _durations(durations, observed)
    labels = np.asarray(groups, dtype=object).ravel()
    if len(labels) != len(time):
        raise ValueError("groups must have one label per waiting time")
    distinct = pd.unique(pd.Series(labels))
    if len(distinct) < 2 or status.sum() == 0:
        return {"statistic": math.nan, "df": max(len(distinct) - 1, 0), "p_value": math.nan, "groups": list(distinct)}
    if len(distinct) == 2:
        # Two groups (the book's case): from the risk sets, O - E and its variance for the first group,
        # sum of d n1 (n - n1) (n - d) / (n^2 (n - 1)) over the event times (0 where one is at risk).
        first = (labels == distinct[0]).astype(float)
        events, events_one, at_risk, at_risk_one = _risk_sets(time, status, first)
        with np.errstate(divide="ignore", invalid="ignore"):
            expected = events * at_risk_one / at_risk
            variance = np.where(at_risk > 1, events * at_risk_one * (at_risk - at_risk_one) * (at_risk - events)
                                / (at_risk ** 2 * (at_risk - 1)), 0.0)
        total = float(variance.sum())
        statistic = (float(events_one.sum() - expected.sum())) ** 2 / total if total > 0 else math.nan
        p_value = float(stats.chi2.sf(statistic, 1)) if math.isfinite(statistic) else math.nan
        return {"statistic": statistic, "df": 1, "p_value": p_value, "groups": list(distinct)}
    codes = pd.Series(labels).map({label: i for i, label in enumerate(distinct)}).to_numpy()
    statistic, p_value = survdiff(time, status, codes)
    return {"statistic": float(statistic), "df": len(distinct) - 1, "p_value": float(p_value), "groups": list(distinct)}


def _risk_sets(time: np.ndarray, status: np.ndarray, indicator: np.ndarray) -> tuple[np.ndarray, ...]:
    """At each distinct event time: the events in all and in group 1, and those at risk in all
    and in group 1 (still waiting just before that time)."""
    event_times = np.unique(time[status == 1])
    at = np.searchsorted(event_times, time[status == 1])
    events = np.bincount(at, minlength=len(event_times)).astype(float)
    events_one = np.bincount(at, weights=indicator[status == 1], minlength=len(event_times))
    everyone, group_one = np.sort(time), np.sort(time[indicator == 1])
    at_risk = len(everyone) - np.searchsorted(everyone, event_times, side="left")
    at_risk_one = len(group_one) - np.searchsorted(group_one, event_times, side="left")
    return events, events_one, at_risk.astype(float), at_risk_one.astype(float)


def _efron_rows(time: np.ndarray, status: np.ndarray, indicator: np.ndarray) -> tuple[np.ndarray, ...]:
    """The risk sets of the partial likelihood, one row per event.

    At an event time with d events (d1 in group 1, d0 = d - d1) and n0, n1 still waiting,
    Efron's method counts the j-th of the tied events (j = 0 .. d-1) against a risk set from
    which the fraction j/d of each tied event has gone: m0 = n0 - j d0 / d, m1 = n1 - j d1 / d.
    Breslow's method counts all d against the whole risk set (j = 0 each time), which pulls
    the hazard ratio towards 1 when many waits end on the same day.
    Returns (the row's event time index, m0, m1, events in group 1 at each event time).
    """
    events, events_one, at_risk, at_risk_one = _risk_sets(time, status, indicator)
    d = events.astype(int)
    which = np.repeat(np.arange(len(d)), d)
    j = np.arange(d.sum()) - np.repeat(np.cumsum(d) - d, d)
    fraction = j / d[which]
    zero = (at_risk - at_risk_one)[which] - fraction * (events - events_one)[which]
    one = at_risk_one[which] - fraction * events_one[which]
    return which, zero, one, events_one


def _cox_fit(time, status, indicator, ties: str):
    """Newton's method on the one-covariate partial likelihood: (beta, information, rows) or None."""
    which, zero, one, events_one = _efron_rows(time, status, indicator)
    if ties == "breslow":
        # every tied event against the whole risk set: the first row of each event time, d times
        first = np.r_[True, which[1:] != which[:-1]]
        zero, one = zero[first][which], one[first][which]
    elif ties != "efron":
        raise ValueError("ties must be 'efron' or 'breslow'")
    with np.errstate(divide="ignore"):
        log_zero, log_one = np.log(zero), np.log(one)
    total_one = float(events_one.sum())

    def fit_at(beta: float) -> tuple[float, float, float]:
        """log L, its slope and the observed information at beta."""
        log_sum = np.logaddexp(log_zero, log_one + beta)
        share = np.exp(log_one + beta - log_sum)  # p: group 1's share of the hazard at risk
        return (total_one * beta - float(np.sum(log_sum)), total_one - float(np.sum(share)),
                float(np.sum(share * (1 - share))))

    beta, (log_l, slope, information) = 0.0, fit_at(0.0)
    for _ in range(200):
        if information <= 0 or abs(beta) > 50:
            return None
        step = slope / information
        while True:
            trial = fit_at(beta + step)
            if trial[0] >= log_l - 1e-12 * abs(log_l) or abs(step) < 1e-14:
                break
            step /= 2
        beta, (log_l, slope, information) = beta + step, trial
        if abs(step) < 1e-10:
            break
    else:
        return None
    if information <= 0 or abs(beta) > 50:
        return None
    share = np.exp(log_one + beta - np.logaddexp(log_zero, log_one + beta))
    return beta, information, (which, share)


def cox_hazard_ratio(durations, observed, group_indicator, *, confidence: float = 0.95,
                     ties: str = "efron") -> dict:
    """Cox proportional hazards: the hazard ratio for ``group_indicator`` = 1 against 0, and a test
    of whether the ratio stays the same over the wait.

    A hazard ratio above 1 means the group's waits end sooner (the event happens at a
    higher rate). Ties (waits ending on the same day) use Efron's method, as R's ``coxph``
    and statsmodels' ``PHReg(ties="efron")`` do; ``ties="breslow"`` is kept for comparison.

    With one 0/1 covariate the partial likelihood depends on the data only through the
    counts at each distinct event time (see :func:`_efron_rows`): log L(b) = sum over the
    events of [x b - log(m0 + m1 e^b)]. It is maximised by Newton's method, halving a step
    that would lower it (so a large difference between the groups cannot make it
    overshoot); the standard error is that of the observed information, the sum of p (1 - p)
    with p = m1 e^b / (m0 + m1 e^b). Waits counted in whole days have a few thousand
    distinct times however many families there are, so a fit on 200,000 waits takes tens of
    milliseconds where PHReg takes seconds (``bench/cox_ties.py``). Where the likelihood
    keeps rising without limit (every wait of one group ends before any of the other's),
    there is no finite estimate and the result is NaN.

    Proportional hazards: the score test that the log hazard ratio does not drift with
    g(t) = 1 - S(t-), the pooled Kaplan-Meier share of waits ended just before t (R's
    ``cox.zph`` with its default "km" transform, exact form): at the fitted b, U = sum over
    event times of g(t) (d1(t) - sum of p), and the statistic U^2 / (sum g^2 v - (sum g v)^2
    / sum v) with v the information at each event time, chi-squared on 1 df. It is the
    test of the Schoenfeld residuals against time. A small ``ph_p_value`` means the ratio
    changes over the wait, so one hazard ratio does not describe the difference.

    Returns
    -------
    dict ``hazard_ratio, lower, upper, p_value, n, events, ph_statistic, ph_p_value``.
    """
    time, status = _durations(durations, observed)
    indicator = np.asarray(group_indicator, dtype=float).ravel()
    if len(indicator) != len(time):
        raise ValueError("group_indicator must have one value per waiting time")
    if not np.all(np.isin(indicator, (0, 1))):
        raise ValueError("group_indicator must be 0 or 1 for every waiting time")
    result = {"hazard_ratio": math.nan, "lower": math.nan, "upper": math.nan, "p_value": math.nan,
              "n": int(len(time)), "events": int(status.sum()), "ph_statistic": math.nan, "ph_p_value": math.nan}
    if status.sum() == 0 or len(np.unique(indicator)) < 2:
        return result
    fit = _cox_fit(time, status, indicator, ties)
    if fit is None:
        return result
    beta, information, (which, share) = fit
    se = 1 / math.sqrt(information)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    result.update(
        hazard_ratio=math.exp(beta), lower=math.exp(beta - z * se), upper=math.exp(beta + z * se),
        p_value=float(2 * stats.norm.sf(abs(beta) / se)),
    )
    # The proportional-hazards test, from the same rows.
    events, events_one, at_risk, _ = _risk_sets(time, status, indicator)
    km_before = np.concatenate([[1.0], np.cumprod(1 - events / at_risk)[:-1]])
    g = 1 - km_before
    residual = events_one - np.bincount(which, weights=share, minlength=len(events))
    v = np.bincount(which, weights=share * (1 - share), minlength=len(events))
    score = float(np.sum(g * residual))
    variance = float(np.sum(g * g * v) - np.sum(g * v) ** 2 / np.sum(v))
    if variance > 0:
        statistic = score ** 2 / variance
        result.update(ph_statistic=statistic, ph_p_value=float(stats.chi2.sf(statistic, 1)))
    return result


def cumulative_incidence(durations, events, at, *, of: int = 1, confidence: float = 0.95) -> pd.DataFrame:
    """Aalen-Johansen cumulative incidence: the share whose wait ended in event ``of`` by each time in ``at``.

    ``events`` holds 0 where the wait was still open when it stopped being followed
    (censored), ``of`` (1) for the event of interest and any other positive code for a
    competing event, one that ends the wait another way (a referral closed without
    support): those waits can no longer end in the event of interest, so they are not
    censored. With no competing events this is 1 minus the Kaplan-Meier curve.

    At each distinct event time t_j with n_j still followed, d_j events of any kind and
    d1_j of the event of interest, and S the Kaplan-Meier curve of "no event of any kind":
    F(t) = sum over t_j <= t of S(t_j-) d1_j / n_j. Its variance is the delta-method
    (Greenwood-type) estimate of Marubini and Valsecchi (1995), as in SAS PROC LIFETEST
    and Collett (2015):
    sum [F(t) - F(t_j)]^2 d_j / (n_j (n_j - d_j)) + sum S(t_j-)^2 d1_j (n_j - d1_j) / n_j^3
    - 2 sum [F(t) - F(t_j)] S(t_j-) d1_j / n_j^2; the limits come from log(-log F), which
    keeps them between 0 and 1.

    Returns
    -------
    DataFrame ``time, incidence, lower, upper, n, events_of, competing, censored, followed``:
    for each time in ``at``, the estimate and its limits and the counts behind it: waits
    ended in the event of interest by then (``events_of``), in a competing event
    (``competing``), no longer followed before an event (``censored``), and still followed
    without an event after it (``followed``); they add up to ``n``.
    """
    time = np.asarray(durations, dtype=float).ravel()
    code = np.asarray(events, dtype=float).ravel()
    _durations(time, (code > 0).astype(float))
    if np.any(np.isnan(code)) or np.any(code < 0) or np.any(code != np.round(code)):
        raise ValueError("events must be 0 (censored), the event of interest or another positive code")
    at = np.asarray(at, dtype=float).ravel()
    rows = []
    event_times = np.unique(time[code > 0])
    ordered = np.sort(time)
    n_j = len(time) - np.searchsorted(ordered, event_times, side="left")
    d_j = np.array([np.sum((time == t) & (code > 0)) for t in event_times], dtype=float)
    d1_j = np.array([np.sum((time == t) & (code == of)) for t in event_times], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        survival_after = np.cumprod(1 - d_j / n_j)
        survival_before = np.concatenate([[1.0], survival_after[:-1]])
        increments = survival_before * d1_j / n_j
        cif = np.cumsum(increments)
        greenwood = np.where(n_j > d_j, d_j / (n_j * (n_j - d_j)), 0.0)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    for t in at:
        upto = event_times <= t
        value = float(cif[upto][-1]) if upto.any() else 0.0
        gap = value - cif[upto]
        variance = float(np.sum(gap ** 2 * greenwood[upto])
                         + np.sum(survival_before[upto] ** 2 * d1_j[upto] * (n_j[upto] - d1_j[upto]) / n_j[upto] ** 3)
                         - 2 * np.sum(gap * survival_before[upto] * d1_j[upto] / n_j[upto] ** 2))
        if 0 < value < 1 and variance > 0:
            se = math.sqrt(variance) / (value * abs(math.log(value)))
            lower, upper = value ** math.exp(z * se), value ** math.exp(-z * se)
        else:
            lower = upper = value
        rows.append({"time": t, "incidence": value, "lower": lower, "upper": upper, "n": int(len(time)),
                     "events_of": int(np.sum((time <= t) & (code == of))),
                     "competing": int(np.sum((time <= t) & (code > 0) & (code != of))),
                     "censored": int(np.sum((time <= t) & (code == 0))), "followed": int(np.sum(time > t))})
    return pd.DataFrame(rows, columns=["time", "incidence", "lower", "upper", "n", "events_of", "competing",
                                       "censored", "followed"])
