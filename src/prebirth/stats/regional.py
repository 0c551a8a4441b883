"""Regional variation in a share across local authorities (issue 4, item 3).

Input: one row per local authority (LA) and period, with ``area_code``,
``region_name``, ``period`` (financial year like ``2019/20``), ``numerator`` and
``denominator`` (e.g. children starting to be looked after aged under 1, and all
starters). Published tables suppress small cells: those rows arrive with a missing
(NaN) numerator or denominator. They are left out and counted, never read as 0.

What is estimated, and how
--------------------------
1. **Each region's share**, overall and per period: the pooled share
   sum(numerator) / sum(denominator) of its LAs, which is the figure a regional
   table would publish. Its 95% interval is a Wilson interval on the *effective*
   denominator, denominator / phi, where phi is the Pearson dispersion of the LA
   rows around their region's share (a quasi-binomial model with one share per
   region, or per region and period). LAs in a region differ more than binomial
   chance allows, so a plain binomial interval would be far too narrow.
2. **Each region's trend**: odds ratio per year from a quasi-binomial logistic
   regression of the LA-period rows with an intercept for every LA and a slope for
   every region (scale = Pearson chi-squared / df). With an LA intercept, the trend is
   the change *within* authorities, so an LA that is suppressed in some years cannot
   fake a trend by dropping in and out of the pooled figure. The England row fits one
   common slope the same way; ``trend_heterogeneity_p_value`` is the F test of
   whether the regional slopes differ.
3. **Between- versus within-region variation**: two-level variance components on the
   logit scale by the method of moments (DerSimonian-Laird, extended to LAs nested in
   regions), from each LA's share pooled over the periods. Chance (binomial) variation
   is removed first, so ``between_region_share`` is the part of the *real* variation
   between authorities that lies between regions.

Why not a mixed model? A binomial GLMM with LA random intercepts (statsmodels
``BinomialBayesMixedGLM``) is approximate (variational Bayes), slow for an
interactive book and shrinks the regional shares away from the published sums that
readers can check. The quasi-binomial fixed-effect models above are exact, fast,
reproduce the published pooled shares, and still widen every interval for the real
differences between authorities; the moment estimator gives the same variance
decomposition a random-intercept model targets.

The 9 English regions: North East, North West, Yorkshire and The Humber, East
Midlands, West Midlands, East of England, London (Inner and Outer London are parts of
it), South East, South West.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..data.problems import DataError, error
from .funnel import funnel_significance
from .glm import time_values
from .intervals import wilson, z_value

__all__ = ["REGIONS", "canonical_region", "RegionalModel", "regional_model"]

REGIONS = (
    "North East", "North West", "Yorkshire and The Humber", "East Midlands", "West Midlands",
    "East of England", "London", "South East", "South West",
)
ENGLAND = "England"

_REGION_ALIASES = {re.sub(r"[^a-z]", "", name.lower()): name for name in REGIONS}
_REGION_ALIASES.update({
    "yorkshireandhumber": "Yorkshire and The Humber",
    "yorkshirehumber": "Yorkshire and The Humber",
    "yorkshire": "Yorkshire and The Humber",
    "east": "East of England",
    "eastern": "East of England",
    "innerlondon": "London",
    "outerlondon": "London",
})

# Markers of a suppressed or unavailable cell in published tables: missing, never 0.
_MARKERS = {"", "c", "z", "x", "k", "u", "low", ":", ".", "..", "-", "na", "n/a", "nan", "none"}


def canonical_region(name) -> str | None:
    """The English region for a name as published (any case/spacing; Inner/Outer London -> London).

    Returns None when the name is not one of the 9 regions.
    """
    if name is None or (isinstance(name, float) and math.isnan(name)):
        return None
    return _REGION_ALIASES.get(re.sub(r"[^a-z]", "", str(name).lower()))


@dataclass
class RegionalModel:
    """Fitted regional variation model. See the module docstring for the methods.

    Attributes
    ----------
    region_estimates : DataFrame ``region_name, period, numerator, denominator,
        n_areas, share, lower, upper, dispersion``; ``period`` is ``all`` for the
        whole span; the regions in the order of ``REGIONS`` then ``England``.
    region_trends : DataFrame ``region_name, odds_ratio, lower, upper, p_value,
        n_areas, n_rows`` (per year, within authorities), then ``England``.
    variation : dict ``between_region_variance, within_region_variance,
        between_region_share, n_areas, n_regions, method``.
    """

    region_estimates: pd.DataFrame
    region_trends: pd.DataFrame
    variation: dict
    trend_heterogeneity_p_value: float
    dispersion: float
    excluded_suppressed: int
    excluded_zero_denominator: int
    rows_used: int
    periods: list[str]
    confidence: float = 0.95
    messages: list[str] = field(default_factory=list)
    data: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def area_positions(self, period: str = "all") -> pd.DataFrame:
        """Every area's share, its region's, and its rank within the region (1 = highest share).

        ``period`` is ``all`` (pooled over the periods) or one period label. Columns:
        ``area_code, area_name, region_name, period, numerator, denominator, share,
        lower, upper, region_share, region_lower, region_upper, rank, n_areas,
        compared_with_region`` (funnel significance against the region's share).
        """
        data = self.data if period == "all" else self.data[self.data["period"] == period]
        if data.empty:
            return pd.DataFrame(columns=_POSITION_COLUMNS)
        areas = data.groupby("area_code", sort=False).agg(
            area_name=("area_name", "first"), region_name=("region_name", "first"),
            numerator=("numerator", "sum"), denominator=("denominator", "sum"),
        ).reset_index()
        areas["period"] = period
        areas["share"] = areas["numerator"] / areas["denominator"]
        areas["lower"], areas["upper"] = wilson(areas["numerator"], areas["denominator"], self.confidence)
        regions = self.region_estimates[self.region_estimates["period"] == period].set_index("region_name")
        areas["region_share"] = areas["region_name"].map(regions["share"])
        areas["region_lower"] = areas["region_name"].map(regions["lower"])
        areas["region_upper"] = areas["region_name"].map(regions["upper"])
        areas["rank"] = areas.groupby("region_name")["share"].rank(ascending=False, method="min").astype(int)
        areas["n_areas"] = areas.groupby("region_name")["area_code"].transform("size").astype(int)
        flags = pd.Series(index=areas.index, dtype=object)
        for region, members in areas.groupby("region_name"):
            flags.loc[members.index] = funnel_significance(
                members["numerator"].to_numpy(), members["denominator"].to_numpy(), statistic="proportion",
                target=float(regions.loc[region, "share"]),
            ).to_numpy()
        areas["compared_with_region"] = flags
        return areas[_POSITION_COLUMNS]

    def position(self, area_code: str, period: str = "all") -> dict:
        """Where one area sits in its region: its share, the region's, its rank.

        Returns the area's row of :meth:`area_positions` as a dict; if the area has no
        usable data for that period (absent or suppressed), a dict with ``share`` NaN
        and a ``message``.
        """
        positions = self.area_positions(period)
        row = positions[positions["area_code"] == area_code]
        if row.empty:
            return {"area_code": area_code, "period": period, "share": math.nan, "rank": None,
                    "message": f"{area_code} has no published (unsuppressed) data for {period}."}
        result = row.iloc[0].to_dict()
        result["message"] = ""
        return result


_POSITION_COLUMNS = [
    "area_code", "area_name", "region_name", "period", "numerator", "denominator", "share", "lower", "upper",
    "region_share", "region_lower", "region_upper", "rank", "n_areas", "compared_with_region",
]


# ------------------------------------------------------------------------------ input


def _numbers(frame: pd.DataFrame, column: str, problems: list) -> pd.Series:
    """Numbers from a column; suppression markers become NaN; other text is a problem."""
    values = frame[column]
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    text = values.astype("string").str.strip()
    numeric = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
    bad = numeric.isna() & text.notna() & ~text.str.lower().isin(_MARKERS)
    for label in frame.index[bad.fillna(False).to_numpy(dtype=bool)]:
        problems.append(_problem(frame, label, column, values.loc[label],
                                 "is not a number or a suppression marker",
                                 "write the count as a whole number, or a marker such as c, x or z if suppressed"))
    return numeric.astype(float)


def _problem(frame: pd.DataFrame, label, column: str, value, message: str, fix: str):
    file = str(frame.at[label, "_file"]) if "_file" in frame.columns else "benchmarks"
    row = frame.at[label, "_row"] if "_row" in frame.columns else label
    return error(file, row, column, value, message, fix)


def _prepare(frame: pd.DataFrame) -> tuple[pd.DataFrame, int, int]:
    required = ["area_code", "region_name", "period", "numerator", "denominator"]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise DataError([error("benchmarks", None, c, None, "this column is missing",
                               f"the regional model needs the columns {', '.join(required)}") for c in missing])
    problems: list = []
    data = pd.DataFrame({
        "area_code": frame["area_code"].astype("string"),
        "area_name": (frame["area_name"] if "area_name" in frame.columns else frame["area_code"]).astype("string"),
        "raw_region": frame["region_name"],
        "period": frame["period"].astype("string").str.strip(),
        "numerator": _numbers(frame, "numerator", problems),
        "denominator": _numbers(frame, "denominator", problems),
    }, index=frame.index)
    data["region_name"] = data["raw_region"].map(canonical_region)
    for label in data.index[data["region_name"].isna()]:
        problems.append(_problem(frame, label, "region_name", frame.at[label, "region_name"],
                                 "is not one of the 9 English regions",
                                 f"use one of: {', '.join(REGIONS)} (Inner/Outer London count as London)"))
    counts = data[["numerator", "denominator"]]
    negative = (counts < 0).any(axis=1)
    for label in data.index[negative]:
        problems.append(_problem(frame, label, "numerator", f"{data.at[label, 'numerator']:g}/{data.at[label, 'denominator']:g}",
                                 "counts must not be negative", "check the published figure"))
    too_big = data["numerator"] > data["denominator"]
    for label in data.index[too_big]:
        problems.append(_problem(frame, label, "numerator", f"{data.at[label, 'numerator']:g}",
                                 f"is larger than its denominator ({data.at[label, 'denominator']:g})",
                                 "the numerator must be part of the denominator (e.g. under-1 starters of all starters)"))
    if problems:
        raise DataError(problems)
    suppressed = data["numerator"].isna() | data["denominator"].isna()
    zero = ~suppressed & (data["denominator"] == 0)
    used = data[~suppressed & ~zero].copy()
    used["year"] = time_values(used["period"])
    return used.drop(columns="raw_region"), int(suppressed.sum()), int(zero.sum())


# ---------------------------------------------------------------------------- pieces


def _pooled_with_dispersion(data: pd.DataFrame, cell: list[str], unit: list[str]) -> pd.DataFrame:
    """Pooled share per ``cell`` and the Pearson dispersion of ``unit`` rows around it."""
    units = data.groupby(cell + unit, sort=False)[["numerator", "denominator"]].sum().reset_index()
    cells = units.groupby(cell, sort=False).agg(
        numerator=("numerator", "sum"), denominator=("denominator", "sum"), n_areas=("numerator", "size"),
    ).reset_index()
    cells["share"] = cells["numerator"] / cells["denominator"]
    merged = units.merge(cells[cell + ["share"]], on=cell)
    p = merged["share"]
    expected_var = merged["denominator"] * p * (1 - p)
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = np.where(expected_var > 0, (merged["numerator"] - merged["denominator"] * p) ** 2 / expected_var, 0.0)
    informative = expected_var > 0
    df = int(informative.sum()) - int((cells["share"].between(0, 1, inclusive="neither")).sum())
    phi = float(pearson.sum() / df) if df > 0 else math.nan
    cells["dispersion"] = max(phi, 1.0) if math.isfinite(phi) else 1.0
    return cells


def _with_intervals(cells: pd.DataFrame, confidence: float) -> pd.DataFrame:
    # Wilson on the effective sample size n / phi: the binomial interval widened for overdispersion.
    phi = cells["dispersion"]
    cells["lower"], cells["upper"] = wilson(cells["numerator"] / phi, cells["denominator"] / phi, confidence)
    return cells


def _region_estimates(data: pd.DataFrame, confidence: float) -> pd.DataFrame:
    frames = []
    england = data.assign(region_name=ENGLAND)
    for source in (data, england):
        overall = _pooled_with_dispersion(source, ["region_name"], ["area_code"]).assign(period="all")
        by_period = _pooled_with_dispersion(source, ["region_name", "period"], ["area_code"])
        frames += [_with_intervals(overall, confidence), _with_intervals(by_period, confidence)]
    estimates = pd.concat(frames, ignore_index=True)
    order = {name: i for i, name in enumerate((*REGIONS, ENGLAND))}
    periods = {p: i for i, p in enumerate(sorted(data["period"].unique(), key=lambda s: (time_values([s])[0], s)))}
    periods["all"] = -1
    estimates = estimates.sort_values(
        ["region_name", "period"], key=lambda s: s.map(order) if s.name == "region_name" else s.map(periods)
    )
    columns = ["region_name", "period", "numerator", "denominator", "n_areas", "share", "lower", "upper", "dispersion"]
    return estimates[columns].reset_index(drop=True)


@dataclass
class _WithinFit:
    """A logistic fit with one intercept per group (absorbed) and a few shared slopes."""

    beta: np.ndarray
    covariance: np.ndarray  # of beta, scaled by the Pearson dispersion
    deviance: float
    pearson_chi2: float
    df_resid: int
    dispersion: float
    converged: bool


def _within_logistic(x, n, groups, slopes, *, max_iter: int = 100, tol: float = 1e-10) -> _WithinFit:
    """Quasi-binomial logistic regression: logit p = alpha[group] + slopes @ beta.

    Newton-Raphson with the group intercepts profiled out through the block structure
    of the information matrix (a Schur complement), so a model with an intercept for
    each of 150 authorities costs about as much as one with a handful of terms. The
    dispersion is Pearson chi-squared / (rows - groups - slopes), floored at 1.
    """
    codes, group_index = np.unique(groups, return_inverse=True)
    n_groups, k = len(codes), slopes.shape[1]
    counts = np.bincount(group_index, weights=x, minlength=n_groups)
    totals = np.bincount(group_index, weights=n, minlength=n_groups)
    alpha = np.log((counts + 0.5) / (totals - counts + 0.5))
    beta = np.zeros(k)
    converged = False
    for _ in range(max_iter):
        eta = alpha[group_index] + slopes @ beta
        p = 1 / (1 + np.exp(-eta))
        w = n * p * (1 - p)
        residual = x - n * p
        score_alpha = np.bincount(group_index, weights=residual, minlength=n_groups)
        score_beta = slopes.T @ residual
        info_alpha = np.bincount(group_index, weights=w, minlength=n_groups)
        cross = np.zeros((n_groups, k))
        for j in range(k):
            cross[:, j] = np.bincount(group_index, weights=w * slopes[:, j], minlength=n_groups)
        info_beta = slopes.T @ (slopes * w[:, None])
        schur = info_beta - cross.T @ (cross / info_alpha[:, None])
        step_beta = np.linalg.solve(schur, score_beta - cross.T @ (score_alpha / info_alpha))
        step_alpha = (score_alpha - cross @ step_beta) / info_alpha
        alpha += step_alpha
        beta += step_beta
        if max(np.max(np.abs(step_alpha)), np.max(np.abs(step_beta), initial=0.0)) < tol:
            converged = True
            break
    eta = alpha[group_index] + slopes @ beta
    p = 1 / (1 + np.exp(-eta))
    mu = n * p
    with np.errstate(divide="ignore", invalid="ignore"):
        deviance = 2 * np.sum(
            np.where(x > 0, x * np.log(x / mu), 0.0) + np.where(n - x > 0, (n - x) * np.log((n - x) / (n - mu)), 0.0)
        )
    pearson = float(np.sum((x - mu) ** 2 / (mu * (1 - p))))
    df_resid = len(x) - n_groups - k
    dispersion = max(pearson / df_resid, 1.0) if df_resid > 0 else math.nan
    w = n * p * (1 - p)
    info_alpha = np.bincount(group_index, weights=w, minlength=n_groups)
    cross = np.column_stack([np.bincount(group_index, weights=w * slopes[:, j], minlength=n_groups) for j in range(k)])
    schur = slopes.T @ (slopes * w[:, None]) - cross.T @ (cross / info_alpha[:, None])
    covariance = np.linalg.inv(schur) * (dispersion if math.isfinite(dispersion) else 1.0)
    return _WithinFit(beta, covariance, float(deviance), pearson, df_resid, float(dispersion), converged)


def _trend_models(data: pd.DataFrame, confidence: float) -> tuple[pd.DataFrame, float, float, list[str]]:
    """Quasi-binomial logistic models with LA intercepts: region slopes, and one common slope."""
    messages = []
    per_area = data.groupby("area_code")[["numerator", "denominator"]].transform("sum")
    # An authority whose share is 0% (or 100%) in every period has an infinite intercept and
    # says nothing about change within it; leave it out of the trend models.
    flat = (per_area["numerator"] == 0) | (per_area["numerator"] == per_area["denominator"])
    if flat.any():
        messages.append(f"{data.loc[flat, 'area_code'].nunique()} area(s) with a share of 0% or 100% in every "
                        "period were left out of the trend models.")
    rows = data[~flat].reset_index(drop=True)
    columns = ["region_name", "odds_ratio", "lower", "upper", "p_value", "n_areas", "n_rows"]
    if rows.empty or rows["year"].nunique() < 2:
        messages.append("Fewer than two periods: no trend can be estimated.")
        return pd.DataFrame(columns=columns), math.nan, math.nan, messages

    x = rows["numerator"].to_numpy(float)
    n = rows["denominator"].to_numpy(float)
    groups = rows["area_code"].to_numpy(dtype=str)
    time = (rows["year"] - rows["year"].mean()).to_numpy(float)
    region = rows["region_name"].to_numpy(dtype=str)
    sloped = [r for r in REGIONS if rows.loc[rows["region_name"] == r, "year"].nunique() >= 2]
    regional = _within_logistic(x, n, groups, np.column_stack([time * (region == r) for r in sloped]))
    common = _within_logistic(x, n, groups, time[:, None])
    if not (regional.converged and common.converged):
        messages.append("The trend model did not fully converge; treat the trends with caution.")
    z = z_value(confidence)

    def ratio(beta: float, variance: float) -> list[float]:
        se = math.sqrt(variance)
        return [math.exp(beta), math.exp(beta - z * se), math.exp(beta + z * se),
                float(2 * stats.norm.sf(abs(beta) / se)) if se > 0 else math.nan]

    out = []
    for region_name in REGIONS:
        members = rows[rows["region_name"] == region_name]
        if region_name in sloped:
            j = sloped.index(region_name)
            estimate = ratio(regional.beta[j], regional.covariance[j, j])
        elif len(members):
            estimate = [math.nan] * 4
        else:
            continue
        out.append([region_name, *estimate, members["area_code"].nunique(), len(members)])
    out.append([ENGLAND, *ratio(common.beta[0], common.covariance[0, 0]), rows["area_code"].nunique(), len(rows)])
    extra = len(sloped) - 1
    if extra > 0 and regional.df_resid > 0:
        f_stat = ((common.deviance - regional.deviance) / extra) / regional.dispersion
        heterogeneity = float(stats.f.sf(f_stat, extra, regional.df_resid))
    else:
        heterogeneity = math.nan
    return pd.DataFrame(out, columns=columns), heterogeneity, float(regional.dispersion), messages


def _variance_components(data: pd.DataFrame) -> dict:
    """Two-level method-of-moments variance components (logit scale): regions, and LAs within them."""
    areas = data.groupby(["region_name", "area_code"])[["numerator", "denominator"]].sum().reset_index()
    x, n = areas["numerator"].to_numpy(float), areas["denominator"].to_numpy(float)
    # Half-counts keep the logit finite for 0% and 100% shares.
    y = np.log((x + 0.5) / (n - x + 0.5))
    v = 1 / (x + 0.5) + 1 / (n - x + 0.5)
    w = 1 / v
    region = areas["region_name"].to_numpy()
    labels = pd.unique(region)
    q_within = 0.0
    c_within = 0.0
    for r in labels:
        wi, yi = w[region == r], y[region == r]
        mean = np.sum(wi * yi) / wi.sum()
        q_within += np.sum(wi * (yi - mean) ** 2)
        c_within += wi.sum() - np.sum(wi**2) / wi.sum()
    df_within = len(y) - len(labels)
    tau2_within = max(0.0, (q_within - df_within) / c_within) if df_within > 0 and c_within > 0 else math.nan
    if len(labels) < 2 or not math.isfinite(tau2_within):
        tau2_between = math.nan
    else:
        star = 1 / (v + tau2_within)
        means = np.array([np.sum(star[region == r] * y[region == r]) / star[region == r].sum() for r in labels])
        weights = np.array([star[region == r].sum() for r in labels])
        grand = np.sum(weights * means) / weights.sum()
        q_between = np.sum(weights * (means - grand) ** 2)
        c_between = weights.sum() - np.sum(weights**2) / weights.sum()
        tau2_between = max(0.0, (q_between - (len(labels) - 1)) / c_between)
    total = tau2_between + tau2_within
    share = tau2_between / total if math.isfinite(total) and total > 0 else math.nan
    return {
        "between_region_variance": float(tau2_between),
        "within_region_variance": float(tau2_within),
        "between_region_share": float(share),
        "n_areas": int(len(y)),
        "n_regions": int(len(labels)),
        "method": "method-of-moments variance components on the logit scale (areas pooled over periods; "
                  "binomial chance variation removed)",
    }


def regional_model(frame: pd.DataFrame, *, confidence: float = 0.95) -> RegionalModel:
    """Fit the regional variation model to LA rows (see the module docstring).

    Parameters
    ----------
    frame : DataFrame with ``area_code, region_name, period, numerator, denominator``
        (optionally ``area_name``, ``_file``, ``_row``). Numerator/denominator NaN (or a
        published marker such as ``c``) where suppressed.

    Returns
    -------
    RegionalModel

    Raises
    ------
    DataError
        A missing column, an unknown region, a count that is not a number, a negative
        count or a numerator above its denominator (every problem at once).
    """
    data, suppressed, zero = _prepare(frame)
    messages = []
    if suppressed:
        messages.append(f"{suppressed} row(s) with a suppressed (or missing) count were left out, not read as 0.")
    if zero:
        messages.append(f"{zero} row(s) with a denominator of 0 carry no information and were left out.")
    if data.empty:
        raise ValueError("regional model: no rows with both counts published")
    estimates = _region_estimates(data, confidence)
    trends, heterogeneity, dispersion, trend_messages = _trend_models(data, confidence)
    messages += trend_messages
    periods = sorted(data["period"].unique(), key=lambda s: (time_values([s])[0], s))
    return RegionalModel(
        region_estimates=estimates, region_trends=trends, variation=_variance_components(data),
        trend_heterogeneity_p_value=heterogeneity, dispersion=dispersion, excluded_suppressed=suppressed,
        excluded_zero_denominator=zero, rows_used=len(data), periods=list(periods), confidence=confidence,
        messages=messages, data=data.reset_index(drop=True),
    )
