"""Segmented (interrupted time series) Poisson regression around dated service changes.

For a rate observed per period t with breakpoints T_1 < T_2 < ..., the model is

    log E[count_t] = b0 + b1 t + sum_k [ c_k 1(t >= T_k) + d_k (t - T_k) 1(t >= T_k) ] + log(exposure_t)

so exp(b1) is the rate ratio per unit of time before the first change, exp(c_k) the
immediate change in level at T_k (a rate ratio), and exp(d_k) the change in the
yearly rate ratio after T_k (ratio of rate ratios). A breakpoint is the first period
of the new segment, so the year in which a change happened (the transition year) counts as
after it even though part of it came before: a change part-way through that year blurs the
change in level. Overdispersion is handled as in :func:`prebirth.stats.glm.poisson_trend`:
always a quasi-Poisson scale, phi = max(1, Pearson X2 / df), with t(df) intervals.

The model assumes the years are independent given the trend: autocorrelation (a run of
similar years) is not modelled, which with few points it could not be estimated anyway.
``counterfactual`` (the first segment's trend carried on) comes with a confidence band
from that segment's intercept and slope, and is left out (NaN) when the first segment has
fewer than :data:`MIN_POINTS_PER_SEGMENT` points: a trend through one or two points is no
trend.

Segmented regression on a single series shows *when* a rate changed, not *why*: with
no comparison series, anything else that changed at the same time (national policy,
court backlogs, recording) is confounded with the local change. With few points per
segment the estimates are fragile; ``caveat`` says so in plain words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .glm import fit_count_model, time_values

__all__ = ["SegmentedResult", "segmented_poisson", "MIN_POINTS_PER_SEGMENT", "RELIABLE_POINTS_PER_SEGMENT"]

MIN_POINTS_PER_SEGMENT = 3  # fewer, and a segment's level and slope cannot both be checked
RELIABLE_POINTS_PER_SEGMENT = 8  # common guidance for interrupted time series (e.g. Penfold & Zhang 2013)

GENERAL_CAVEAT = (
    "A trend fitted either side of a change shows when the rate changed, not why: with no comparison area, "
    "anything else that changed at the same time could explain the change. The model also treats each year as "
    "independent of the one before, so a run of similar years can look like firmer evidence than it is."
)


@dataclass
class SegmentedResult:
    """Level and slope changes at each breakpoint, with the trend before the first one.

    ``table`` has one row per breakpoint: ``breakpoint, points_before, points_after,
    level_change, level_lower, level_upper, level_p_value, slope_change, slope_lower,
    slope_upper, slope_p_value, trend_after, trend_after_lower, trend_after_upper``
    (all rate ratios; ``trend_after`` is the rate ratio per unit of time in the segment
    that starts at the breakpoint). ``fitted`` are the model's expected counts and
    ``counterfactual`` the counts expected had the first segment's trend continued, with
    ``counterfactual_lower`` / ``counterfactual_upper`` its confidence band (all NaN when the
    first segment has fewer than MIN_POINTS_PER_SEGMENT points). ``df_resid`` is the degrees
    of freedom of the t quantiles (0: normal quantiles, for an unscaled fit).
    """

    table: pd.DataFrame
    trend_before: float
    trend_before_lower: float
    trend_before_upper: float
    trend_before_p_value: float
    model: str
    dispersion: float
    n_points: int
    excluded: int
    caveat: str
    confidence: float = 0.95
    fitted: np.ndarray = field(default_factory=lambda: np.array([]), repr=False)
    counterfactual: np.ndarray = field(default_factory=lambda: np.array([]), repr=False)
    counterfactual_lower: np.ndarray = field(default_factory=lambda: np.array([]), repr=False)
    counterfactual_upper: np.ndarray = field(default_factory=lambda: np.array([]), repr=False)
    df_resid: int = 0


def _reference(df_resid: int):
    """The distribution of a standardised estimate: t(df) for a scaled fit, else the normal."""
    return stats.t(df_resid) if df_resid > 0 else stats.norm


def _contrast(result, weights: np.ndarray, df_resid: int, confidence: float) -> tuple[float, float, float, float]:
    """exp(w'b) with its confidence interval and two-sided p-value (t(df) when df > 0)."""
    params = np.asarray(result.params, dtype=float)[: len(weights)]
    cov = np.asarray(result.cov_params(), dtype=float)[: len(weights), : len(weights)]
    estimate = float(weights @ params)
    se = float(math.sqrt(max(weights @ cov @ weights, 0.0)))
    reference = _reference(df_resid)
    q = float(reference.ppf(0.5 + confidence / 2))
    p_value = float(2 * reference.sf(abs(estimate) / se)) if se > 0 else math.nan
    return math.exp(estimate), math.exp(estimate - q * se), math.exp(estimate + q * se), p_value


def _caveat(points_per_segment: list[int], notes: list[str]) -> str:
    fewest = min(points_per_segment)
    parts = []
    if fewest < MIN_POINTS_PER_SEGMENT:
        parts.append(
            f"A segment has only {fewest} point(s): at least {MIN_POINTS_PER_SEGMENT} are needed on each side of a "
            "change to separate a change in level from a change in trend, so these estimates cannot be relied on."
        )
    elif fewest < RELIABLE_POINTS_PER_SEGMENT:
        counts = ", ".join(str(n) for n in points_per_segment)
        parts.append(
            f"The segments have {counts} points; with fewer than {RELIABLE_POINTS_PER_SEGMENT} in a segment the "
            "changes are imprecise and sensitive to a single unusual year, so read them as descriptive."
        )
    parts.extend(notes)
    parts.append(GENERAL_CAVEAT)
    return " ".join(parts)


def segmented_poisson(
    counts, exposure, time, breakpoints, *, confidence: float = 0.95, scaled: bool = True,
) -> SegmentedResult:
    """Fit a segmented quasi-Poisson regression with a log(exposure) offset.

    Parameters
    ----------
    counts, exposure : per period (exposure > 0, e.g. live births).
    time : numbers or financial-year labels (``2019/20`` -> 2019).
    breakpoints : one or more times (same kind as ``time``) at which a new segment
        starts, e.g. the first financial year after a service change.
    scaled : True (default): quasi-Poisson with t(df) intervals; False: plain Poisson, z.

    Returns
    -------
    SegmentedResult. Breakpoints with no data after them (or before them) cannot be
    estimated: they are left out of the model and ``caveat`` says so.
    """
    y_all = np.asarray(counts, dtype=float).ravel()
    e_all = np.asarray(exposure, dtype=float).ravel()
    t_all = time_values(time).ravel()
    breaks = sorted(set(time_values(breakpoints if not isinstance(breakpoints, (str, int, float)) else [breakpoints])))
    if not (len(y_all) == len(e_all) == len(t_all)):
        raise ValueError("segmented_poisson: counts, exposure and time must have the same length")
    if not breaks:
        raise ValueError("segmented_poisson: give at least one breakpoint")
    keep = ~(np.isnan(y_all) | np.isnan(e_all) | np.isnan(t_all))
    excluded = int((~keep).sum())
    y, e, t = y_all[keep], e_all[keep], t_all[keep]
    if np.any(y < 0):
        raise ValueError("segmented_poisson: counts must not be negative")
    if np.any(e <= 0):
        raise ValueError("segmented_poisson: every exposure (denominator) must be greater than zero")

    notes = []
    usable = []
    for b in breaks:
        if np.sum(t < b) == 0 or np.sum(t >= b) == 0:
            notes.append(f"The change at {b:g} has no data on one side, so it was left out.")
        else:
            usable.append(b)
    edges = [-math.inf, *usable, math.inf]
    per_segment = [int(np.sum((t >= lo) & (t < hi))) for lo, hi in zip(edges[:-1], edges[1:])]

    origin = t.min()
    columns = {"const": np.ones_like(t), "time": t - origin}
    slope_terms = {}
    for k, b in enumerate(usable):
        after = (t >= b).astype(float)
        columns[f"level_{k}"] = after
        # A slope needs two distinct times in the segment; with one it would duplicate the level term.
        next_edge = edges[k + 2]
        segment_times = np.unique(t[(t >= b) & (t < next_edge)])
        if len(segment_times) >= 2:
            columns[f"slope_{k}"] = (t - b) * after
            slope_terms[k] = f"slope_{k}"
        else:
            notes.append(f"The segment from {b:g} has a single period, so only its change in level is estimated.")
    design = pd.DataFrame(columns)
    empty_table = pd.DataFrame(columns=[
        "breakpoint", "points_before", "points_after", "level_change", "level_lower", "level_upper", "level_p_value",
        "slope_change", "slope_lower", "slope_upper", "slope_p_value", "trend_after", "trend_after_lower",
        "trend_after_upper",
    ])
    if len(y) <= design.shape[1] or y.sum() == 0 or np.sum(t < (usable[0] if usable else math.inf)) < 2:
        reason = "no events" if len(y) and y.sum() == 0 else "too few points"
        return SegmentedResult(
            table=empty_table, trend_before=math.nan, trend_before_lower=math.nan, trend_before_upper=math.nan,
            trend_before_p_value=math.nan, model=reason, dispersion=math.nan, n_points=len(y), excluded=excluded,
            caveat=_caveat(per_segment or [len(y)], notes + [
                f"There are {len(y)} usable points for {design.shape[1]} model terms: nothing could be estimated."
                if reason == "too few points" else "There were no events, so there is no rate to model."
            ]),
            confidence=confidence, fitted=np.full(len(y_all), math.nan), counterfactual=np.full(len(y_all), math.nan),
            counterfactual_lower=np.full(len(y_all), math.nan), counterfactual_upper=np.full(len(y_all), math.nan),
        )

    fit = fit_count_model(y, design, np.log(e), scaled=scaled)
    df_resid = len(y) - design.shape[1] if fit.model.startswith("quasi") else 0
    if fit.note:
        notes.append(fit.note)
    names = list(design.columns)
    index = {name: i for i, name in enumerate(names)}

    def weights(*terms):
        w = np.zeros(len(names))
        for term in terms:
            w[index[term]] = 1.0
        return w

    trend_before = _contrast(fit.result, weights("time"), df_resid, confidence)
    rows = []
    for k, b in enumerate(usable):
        level = _contrast(fit.result, weights(f"level_{k}"), df_resid, confidence)
        if k in slope_terms:
            slope = _contrast(fit.result, weights(slope_terms[k]), df_resid, confidence)
            trend_terms = ["time"] + [slope_terms[j] for j in range(k + 1) if j in slope_terms]
            after = _contrast(fit.result, weights(*trend_terms), df_resid, confidence)
        else:
            slope = after = (math.nan,) * 4
        rows.append({
            "breakpoint": b, "points_before": int(np.sum(t < b)), "points_after": int(np.sum(t >= b)),
            "level_change": level[0], "level_lower": level[1], "level_upper": level[2], "level_p_value": level[3],
            "slope_change": slope[0], "slope_lower": slope[1], "slope_upper": slope[2], "slope_p_value": slope[3],
            "trend_after": after[0], "trend_after_lower": after[1], "trend_after_upper": after[2],
        })
    params = np.asarray(fit.result.params, dtype=float)[: len(names)]
    cov = np.asarray(fit.result.cov_params(), dtype=float)
    base = np.array([index["const"], index["time"]])
    linear = params[index["const"]] + params[index["time"]] * (t - origin) + np.log(e)
    rows_x = np.column_stack([np.ones_like(t), t - origin])
    se = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", rows_x, cov[np.ix_(base, base)], rows_x), 0.0))
    q = float(_reference(df_resid).ppf(0.5 + confidence / 2))
    fitted_all = np.full(len(y_all), math.nan)
    fitted_all[keep] = fit.fitted
    counterfactual_all, cf_lower_all, cf_upper_all = (np.full(len(y_all), math.nan) for _ in range(3))
    if per_segment[0] >= MIN_POINTS_PER_SEGMENT:
        counterfactual_all[keep] = np.exp(linear)
        cf_lower_all[keep], cf_upper_all[keep] = np.exp(linear - q * se), np.exp(linear + q * se)
    elif usable:
        notes.append(f"The earlier trend is not carried on past the change: it rests on fewer than "
                     f"{MIN_POINTS_PER_SEGMENT} points.")
    return SegmentedResult(
        table=pd.DataFrame(rows, columns=empty_table.columns), trend_before=trend_before[0],
        trend_before_lower=trend_before[1], trend_before_upper=trend_before[2], trend_before_p_value=trend_before[3],
        model=fit.model, dispersion=fit.dispersion, n_points=len(y), excluded=excluded,
        caveat=_caveat(per_segment, notes), confidence=confidence, fitted=fitted_all, counterfactual=counterfactual_all,
        counterfactual_lower=cf_lower_all, counterfactual_upper=cf_upper_all, df_resid=df_resid,
    )
