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
   table would publish. Its 95% interval comes from the region's own authorities: the
   sandwich variance of a binomial GLM with the rows clustered by authority
   (statsmodels' ``cov_type="cluster"``, small-sample factor G / (G - 1)), on the logit
   scale with t(G - 1) quantiles for the region's G authorities. LAs in a region differ
   more than binomial chance allows, and an authority's years move together; the
   clustered interval allows for both and assumes only that authorities are independent;
   it is never narrower than the binomial (chance-only) interval.
   ``dispersion`` is its design effect (sandwich over binomial variance).
2. **Each region's trend**: odds ratio per year from a logistic regression of the
   LA-period rows with an intercept for every LA and a slope for every region. With an
   LA intercept, the trend is the change *within* authorities, so an LA that is
   suppressed in some years cannot fake a trend by dropping in and out of the pooled
   figure. Each slope's interval is clustered by authority (the sandwich again, from
   the region's own authorities, G / (G - 1), t(G - 1)). The England row fits one common
   slope the same way. ``trend_heterogeneity_p_value`` is the quasi-likelihood F test
   (Pearson dispersion of the whole model) of whether the regional slopes differ: it
   should be read first, and the region slopes as exploratory (nine looked at at once).
3. **Between- versus within-region variation**: two-level variance components on the
   logit scale by the method of moments (DerSimonian-Laird, extended to LAs nested in
   regions), from each LA's share pooled over the periods. Chance (binomial) variation
   is removed first, so ``between_region_share`` is the part of the *real* variation
   between authorities that lies between regions. With nine regions it is imprecise:
   its 95% interval (and the variances') comes from a parametric bootstrap: 999 data sets
   simulated from the fitted two-level logit-normal binomial model (fixed seed, each
   authority's own denominator, years pooled), each refitted the same way, percentile
   limits. In simulations like the DfE data it covered the true share about 90% of the
   time, so read it as roughly, not exactly, 95%.

Suppressed cells (``c``, withheld to protect small numbers) and cells marked ``z``
(not applicable: the authority did not exist that year) are both left out, never read
as 0, and counted apart.

Why not a mixed model? A binomial GLMM with LA random intercepts (statsmodels
``BinomialBayesMixedGLM``) is approximate (variational Bayes), slow for an
interactive book and shrinks the regional shares away from the published sums that
readers can check. The fixed-effect models above reproduce the published pooled
shares and still widen every interval for the real differences between authorities;
the moment estimator targets the same variance decomposition a random-intercept model
does.

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
from .funnel import estimate_overdispersion, funnel_significance
from .glm import time_values
from .intervals import wilson

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
        between_region_share`` (each with ``_lower`` and ``_upper``: parametric bootstrap
        percentile limits), ``n_areas, n_regions, method, bootstrap_draws, bootstrap_seed``.
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
    excluded_not_applicable: int = 0  # rows marked z: the authority did not exist (not a withheld figure)
    data: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def area_positions(self, period: str = "all", overdispersion: str | None = "additive") -> pd.DataFrame:
        """Every area's share, its region's, and its rank within the region (1 = highest share).

        ``period`` is ``all`` (pooled over the periods) or one period label. Columns:
        ``area_code, area_name, region_name, period, numerator, denominator, share,
        lower, upper, region_share, region_lower, region_upper, rank, n_areas,
        compared_with_region`` (funnel significance against the region's share). By default the
        funnel limits allow for the real differences between the region's authorities
        (Spiegelhalter 2005, additive, 10% winsorised, estimated from the region's own
        authorities); with fewer than 2 of them, or ``overdispersion=None``, chance only.
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
            x, n = members["numerator"].to_numpy(), members["denominator"].to_numpy()
            target = float(regions.loc[region, "share"])
            spread = estimate_overdispersion(x, n, statistic="proportion", target=target) if overdispersion else None
            usable = overdispersion if spread is not None and math.isfinite(spread.tau2) else None
            flags.loc[members.index] = funnel_significance(
                x, n, statistic="proportion", target=target, overdispersion=usable).to_numpy()
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


def _not_applicable(frame: pd.DataFrame) -> pd.Series:
    """Rows marked z (DfE: not applicable, e.g. the authority did not exist that year), as a flag column
    or as the marker itself in a count."""
    flag = pd.Series(False, index=frame.index)
    if "not_applicable" in frame.columns:
        flag |= frame["not_applicable"].astype("boolean").fillna(False).astype(bool)
    for column in ("numerator", "denominator"):
        if not pd.api.types.is_numeric_dtype(frame[column]):
            flag |= frame[column].astype("string").str.strip().str.lower().eq("z").fillna(False).astype(bool)
    return flag


def _prepare(frame: pd.DataFrame) -> tuple[pd.DataFrame, int, int, int]:
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
    missing = data["numerator"].isna() | data["denominator"].isna()
    absent = missing & _not_applicable(frame)
    suppressed = missing & ~absent
    zero = ~missing & (data["denominator"] == 0)
    used = data[~missing & ~zero].copy()
    used["year"] = time_values(used["period"])
    return used.drop(columns="raw_region"), int(suppressed.sum()), int(zero.sum()), int(absent.sum())


# ---------------------------------------------------------------------------- pieces


def _clustered(data: pd.DataFrame, cell: list[str], confidence: float) -> pd.DataFrame:
    """Pooled share per ``cell`` with an authority-clustered (sandwich) interval.

    The share is sum(numerator) / sum(denominator): the maximum-likelihood estimate of a binomial
    GLM with one logit intercept per cell. Its variance is the sandwich of that GLM with the rows
    clustered by authority, from the cell's own authorities only: on the logit scale
    sum_g (x_g - n_g p)^2 / (N p (1 - p))^2 over the cell's G authorities (x_g, n_g summed over an
    authority's rows), times G / (G - 1) (statsmodels' small-sample factor for one parameter). The
    interval is logit(p) +/- t(G - 1) se, turned back into shares. It assumes the authorities are
    independent of one another, not that each is binomial: overdispersion and an authority's years
    moving together are allowed for. ``dispersion`` is the design effect, the sandwich variance over
    the binomial one. With fewer than 2 authorities, a share of 0 or 1, or a design effect below 1
    (less spread than chance), the interval is Wilson's (chance only) and the dispersion 1.
    """
    units = data.groupby(cell + ["area_code"], sort=False)[["numerator", "denominator"]].sum().reset_index()
    cells = units.groupby(cell, sort=False).agg(
        numerator=("numerator", "sum"), denominator=("denominator", "sum"), n_areas=("numerator", "size"),
    ).reset_index()
    cells["share"] = cells["numerator"] / cells["denominator"]
    merged = units.merge(cells[cell + ["share"]], on=cell)
    merged["score2"] = (merged["numerator"] - merged["denominator"] * merged["share"]) ** 2
    squares = cells[cell].merge(merged.groupby(cell, sort=False, as_index=False)["score2"].sum(), on=cell, how="left")
    p, total, g = cells["share"].to_numpy(), cells["denominator"].to_numpy(), cells["n_areas"].to_numpy(float)
    lower, upper = wilson(cells["numerator"], cells["denominator"], confidence)
    lower, upper = np.asarray(lower, float).copy(), np.asarray(upper, float).copy()
    dispersion = np.ones(len(cells))
    information = total * p * (1 - p)
    ok = (g >= 2) & (p > 0) & (p < 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = squares["score2"].to_numpy(float) / information**2 * g / (g - 1)
        se = np.sqrt(variance)
        quantile = stats.t.ppf(0.5 + confidence / 2, g - 1)
        logit = np.log(p / (1 - p))
        low = 1 / (1 + np.exp(-(logit - quantile * se)))
        high = 1 / (1 + np.exp(-(logit + quantile * se)))
    lower[ok], upper[ok] = low[ok], high[ok]
    dispersion[ok] = variance[ok] * information[ok]
    # Never narrower than chance alone: where the authorities vary less than binomial chance, Wilson's.
    narrow = ok & (dispersion < 1)
    dispersion[narrow] = 1.0
    lower[narrow], upper[narrow] = np.asarray(wilson(cells["numerator"], cells["denominator"], confidence))[:, narrow]
    cells["lower"], cells["upper"], cells["dispersion"] = lower, upper, dispersion
    return cells


def _region_estimates(data: pd.DataFrame, confidence: float) -> pd.DataFrame:
    frames = []
    england = data.assign(region_name=ENGLAND)
    for source in (data, england):
        overall = _clustered(source, ["region_name"], confidence).assign(period="all")
        by_period = _clustered(source, ["region_name", "period"], confidence)
        frames += [overall, by_period]
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
    clustered: np.ndarray  # of beta, the sandwich clustered by group (no small-sample factor)
    binomial: np.ndarray  # of beta, binomial (inverse information, no dispersion)
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
    bread = np.linalg.inv(schur)
    covariance = bread * (dispersion if math.isfinite(dispersion) else 1.0)
    # Each group's score for the slopes (its intercept's score is 0 at the fit): the meat of the sandwich.
    scores = np.column_stack([np.bincount(group_index, weights=(x - mu) * slopes[:, j], minlength=n_groups)
                              for j in range(k)])
    clustered = bread @ (scores.T @ scores) @ bread
    return _WithinFit(beta, covariance, clustered, bread, float(deviance), pearson, df_resid, float(dispersion), converged)


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
    def ratio(beta: float, variance: float, binomial: float, clusters: int) -> list[float]:
        # Clustered by authority, with the small-sample factor G / (G - 1) and t(G - 1) quantiles; never
        # narrower than the binomial (chance-only) interval.
        if clusters < 2:
            return [math.exp(beta), math.nan, math.nan, math.nan]
        se = math.sqrt(max(variance * clusters / (clusters - 1), binomial))
        t = float(stats.t.ppf(0.5 + confidence / 2, clusters - 1))
        return [math.exp(beta), math.exp(beta - t * se), math.exp(beta + t * se),
                float(2 * stats.t.sf(abs(beta) / se, clusters - 1)) if se > 0 else math.nan]

    out = []
    for region_name in REGIONS:
        members = rows[rows["region_name"] == region_name]
        if region_name in sloped:
            j = sloped.index(region_name)
            estimate = ratio(regional.beta[j], regional.clustered[j, j], regional.binomial[j, j],
                             members["area_code"].nunique())
        elif len(members):
            estimate = [math.nan] * 4
        else:
            continue
        out.append([region_name, *estimate, members["area_code"].nunique(), len(members)])
    out.append([ENGLAND, *ratio(common.beta[0], common.clustered[0, 0], common.binomial[0, 0], rows["area_code"].nunique()),
                rows["area_code"].nunique(), len(rows)])
    extra = len(sloped) - 1
    if extra > 0 and regional.df_resid > 0:
        f_stat = ((common.deviance - regional.deviance) / extra) / regional.dispersion
        heterogeneity = float(stats.f.sf(f_stat, extra, regional.df_resid))
    else:
        heterogeneity = math.nan
    return pd.DataFrame(out, columns=columns), heterogeneity, float(regional.dispersion), messages


BOOTSTRAP_DRAWS = 999
BOOTSTRAP_SEED = 20240401


def _moments(x: np.ndarray, n: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two-level method-of-moments variance components for rows of counts (one row per data set).

    ``x``, ``n``: arrays (draws, areas); ``members``: (areas, regions) 0/1. Returns the between- and
    within-region variances and the weighted grand mean, each of length draws (logit scale).
    """
    # Half-counts keep the logit finite for 0% and 100% shares.
    y = np.log((x + 0.5) / (n - x + 0.5))
    v = 1 / (x + 0.5) + 1 / (n - x + 0.5)
    w = 1 / v
    n_areas, n_regions = members.shape
    sum_w, sum_wy = w @ members, (w * y) @ members
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = sum_wy / sum_w
        q_within = ((w * y * y) @ members - sum_wy * mean).sum(axis=1)
        c_within = (sum_w - (w**2) @ members / sum_w).sum(axis=1)
        df_within = n_areas - n_regions
        tau2_within = np.where((df_within > 0) & (c_within > 0), np.maximum(0.0, (q_within - df_within) / c_within),
                               np.nan)
        star = 1 / (v + tau2_within[:, None])
        weights, sum_sy = star @ members, (star * y) @ members
        means = sum_sy / weights
        grand = (weights * means).sum(axis=1) / weights.sum(axis=1)
        q_between = (weights * (means - grand[:, None]) ** 2).sum(axis=1)
        c_between = weights.sum(axis=1) - (weights**2).sum(axis=1) / weights.sum(axis=1)
        tau2_between = np.maximum(0.0, (q_between - (n_regions - 1)) / c_between)
    if n_regions < 2:
        tau2_between = np.full(len(y), np.nan)
    tau2_between = np.where(np.isfinite(tau2_within), tau2_between, np.nan)
    return tau2_between, tau2_within, grand


def _variance_components(data: pd.DataFrame, confidence: float = 0.95, draws: int = BOOTSTRAP_DRAWS,
                         seed: int = BOOTSTRAP_SEED) -> dict:
    """Two-level method-of-moments variance components (logit scale): regions, and LAs within them,
    with parametric-bootstrap percentile intervals (see the module docstring)."""
    areas = data.groupby(["region_name", "area_code"])[["numerator", "denominator"]].sum().reset_index()
    x, n = areas["numerator"].to_numpy(float), areas["denominator"].to_numpy(float)
    labels, region_index = np.unique(areas["region_name"].to_numpy(dtype=str), return_inverse=True)
    members = np.zeros((len(x), len(labels)))
    members[np.arange(len(x)), region_index] = 1.0
    between, within, grand = (float(v[0]) for v in _moments(x[None, :], n[None, :], members))
    total = between + within
    share = between / total if math.isfinite(total) and total > 0 else math.nan
    out = {
        "between_region_variance": between,
        "within_region_variance": within,
        "between_region_share": float(share),
        "n_areas": int(len(x)),
        "n_regions": int(len(labels)),
        "method": "method-of-moments variance components on the logit scale (areas pooled over periods; "
                  "binomial chance variation removed); intervals by parametric bootstrap "
                  f"({draws} simulated data sets, seed {seed}, percentile)",
        "bootstrap_draws": int(draws),
        "bootstrap_seed": int(seed),
    }
    for name in ("between_region_share", "between_region_variance", "within_region_variance"):
        out[f"{name}_lower"] = out[f"{name}_upper"] = math.nan
    if not (math.isfinite(between) and math.isfinite(within)) or draws < 1:
        return out
    # Simulate data sets like this one from the fitted two-level model: a logit-normal effect for each
    # region (variance between) and each authority (variance within), binomial counts on each
    # authority's own denominator; refit each one the same way.
    rng = np.random.default_rng(seed)
    region_effect = rng.normal(0.0, math.sqrt(between), size=(draws, len(labels)))
    area_effect = rng.normal(0.0, math.sqrt(within), size=(draws, len(x)))
    probability = 1 / (1 + np.exp(-(grand + region_effect[:, region_index] + area_effect)))
    simulated = rng.binomial(n.astype(np.int64), probability).astype(float)
    sim_between, sim_within, _ = _moments(simulated, np.broadcast_to(n, simulated.shape), members)
    with np.errstate(divide="ignore", invalid="ignore"):
        sim_share = sim_between / (sim_between + sim_within)
    tail = (1 - confidence) / 2 * 100
    for name, values in (("between_region_share", sim_share), ("between_region_variance", sim_between),
                         ("within_region_variance", sim_within)):
        values = values[np.isfinite(values)]
        if len(values):
            out[f"{name}_lower"], out[f"{name}_upper"] = (float(v) for v in np.percentile(values, [tail, 100 - tail]))
    return out


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
    data, suppressed, zero, absent = _prepare(frame)
    messages = []
    if suppressed:
        messages.append(f"{suppressed} row(s) with a suppressed (or missing) count were left out, not read as 0.")
    if absent:
        messages.append(f"{absent} row(s) marked z (not applicable: the authority did not exist that year) were "
                        "left out.")
    if zero:
        messages.append(f"{zero} row(s) with a denominator of 0 carry no information and were left out.")
    if data.empty:
        raise ValueError("regional model: no rows with both counts published")
    estimates = _region_estimates(data, confidence)
    trends, heterogeneity, dispersion, trend_messages = _trend_models(data, confidence)
    messages += trend_messages
    periods = sorted(data["period"].unique(), key=lambda s: (time_values([s])[0], s))
    return RegionalModel(
        region_estimates=estimates, region_trends=trends, variation=_variance_components(data, confidence),
        trend_heterogeneity_p_value=heterogeneity, dispersion=dispersion, excluded_suppressed=suppressed,
        excluded_zero_denominator=zero, excluded_not_applicable=absent, rows_used=len(data), periods=list(periods), confidence=confidence,
        messages=messages, data=data.reset_index(drop=True),
    )
