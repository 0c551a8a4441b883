"""Trend models: quasi-Poisson for counts and rates, quasi-binomial for shares.

``poisson_trend`` fits log(E[count]) = a + b * time + log(exposure) (exposure: live
births, children, person-time), so exp(b) is the rate ratio per unit of time (per
year when time is in years). Counts from social care are often more variable than a
Poisson model allows (local practice and court capacity change from year to year),
which makes Poisson confidence intervals too narrow; and with a handful of yearly
points no test can tell reliably whether they are. So the variance is always allowed
to be larger: the standard errors are multiplied by sqrt(phi), phi = max(1, Pearson
X2 / residual df) (quasi-Poisson), and intervals and p-values use the t distribution
on the residual degrees of freedom, as for any estimated scale. The estimate itself is
the Poisson one. The dispersion and its chi-squared test are reported beside it.

``binomial_trend`` fits a logistic regression of successes out of trials on time,
giving the odds ratio per unit of time, with the same scaling (quasi-binomial). Fewer
than 3 usable points give a result that says so instead of a model.

Neither model allows for correlation between neighbouring years (autocorrelation): a
run of similar years is read as independent evidence.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "TrendResult",
    "poisson_trend",
    "binomial_trend",
    "tidy_glm",
    "time_values",
    "MIN_POINTS",
]

MIN_POINTS = 3  # a straight-line trend through fewer points cannot be checked at all

_FINANCIAL_YEAR = re.compile(r"^\s*(\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*$")


def time_values(time) -> np.ndarray:
    """Numbers for a time axis: numbers pass through; ``2019/20`` becomes 2019.

    Financial years (``2019/20``, ``2019-20``, ``2019/2020``) count by their starting
    year, so one step is one year.
    """
    values = list(time.to_numpy() if isinstance(time, pd.Series) else np.atleast_1d(np.asarray(time, dtype=object)))
    result = []
    for value in values:
        if isinstance(value, str):
            match = _FINANCIAL_YEAR.match(value)
            if match:
                result.append(float(match.group(1)))
                continue
            try:
                result.append(float(value))
            except ValueError as exc:
                raise ValueError(
                    f"time value {value!r} is neither a number nor a financial year like '2019/20'"
                ) from exc
        elif value is None:
            result.append(math.nan)
        else:
            result.append(float(value))
    return np.asarray(result, dtype=float)


@dataclass
class TrendResult:
    """A fitted trend: the ratio per unit of time with its confidence interval, and the fit.

    ``ratio`` is a rate ratio (``poisson_trend``) or an odds ratio (``binomial_trend``)
    for one unit of time. ``model`` is ``quasi-Poisson`` or ``quasi-binomial`` (the
    default: standard errors scaled by sqrt(``scale``), t intervals), ``Poisson`` or
    ``binomial`` when scaling was turned off, or ``too few points`` / ``no events`` /
    ``no variation`` when nothing could be fitted (then the numbers are NaN and
    ``message`` says why).
    """

    measure: str
    ratio: float
    lower: float
    upper: float
    p_value: float
    model: str
    dispersion: float  # Pearson chi-squared / residual df of the Poisson or binomial fit
    dispersion_p_value: float  # chi-squared test of that statistic (small = overdispersed)
    n_points: int
    excluded: int  # points left out because a value was missing (never treated as 0)
    scale: float = math.nan  # phi used: max(1, dispersion) (1 when scaling is off)
    df_resid: int = 0  # degrees of freedom of the t quantile (0: normal quantile, unscaled fit)
    confidence: float = 0.95
    fitted: np.ndarray = field(default_factory=lambda: np.array([]), repr=False)
    table: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    message: str = ""

    @property
    def fitted_ok(self) -> bool:
        return self.model not in ("too few points", "no events", "no variation")

    def _measure_key(self) -> str:
        return self.measure.replace(" ", "_")  # "rate_ratio" or "odds_ratio"

    def as_dict(self) -> dict:
        """The headline numbers (no arrays), e.g. for one row of indicators.csv.

        Also carries the ratio under its own name, ``rate_ratio`` or ``odds_ratio``.
        """
        data = asdict(self)
        data.pop("fitted")
        data.pop("table")
        data[self._measure_key()] = self.ratio
        return data

    # Read like a dict too: result["rate_ratio"], result.get("lower").
    def __getitem__(self, key: str):
        if key == self._measure_key():
            return self.ratio
        if key in ("fitted", "table") or key in self.__dataclass_fields__:
            return getattr(self, key)
        raise KeyError(key)

    def get(self, key: str, default=None):
        try:
            return self[key]
        except KeyError:
            return default


def tidy_glm(result, exponentiate: bool = True, confidence: float = 0.95) -> pd.DataFrame:
    """A fitted statsmodels model as a table: one row per term.

    Columns ``term, estimate, std_error, statistic, p_value, lower, upper``. With
    ``exponentiate`` the estimate and limits are exp(coefficient) (rate, odds or hazard
    ratios); a negative binomial ``alpha`` row is never exponentiated.
    """
    params = np.asarray(result.params, dtype=float)
    if isinstance(result.params, pd.Series):
        names = [str(name) for name in result.params.index]
    else:
        names = list(result.model.exog_names)
    if len(names) < len(params):  # discrete NB appends alpha to the exog names
        names = names + ["alpha"]
    se = np.asarray(result.bse, dtype=float)
    statistic = np.asarray(result.tvalues, dtype=float)
    p_values = np.asarray(result.pvalues, dtype=float)
    bounds = np.asarray(result.conf_int(alpha=1 - confidence), dtype=float)
    table = pd.DataFrame({
        "term": names[: len(params)],
        "estimate": params,
        "std_error": se,
        "statistic": statistic,
        "p_value": p_values,
        "lower": bounds[:, 0],
        "upper": bounds[:, 1],
    })
    if exponentiate:
        scale = table["term"] != "alpha"
        for column in ("estimate", "lower", "upper"):
            table.loc[scale, column] = np.exp(table.loc[scale, column])
    return table


# ----------------------------------------------------------------------------- fitting


def _quiet(fit):
    """Run a statsmodels fit with its convergence chatter captured, not printed."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fit()
    return result, caught


@dataclass
class _CountFit:
    result: object
    model: str
    dispersion: float  # Pearson X2 / residual df of the Poisson fit
    dispersion_p_value: float
    scale: float  # the dispersion used: max(1, dispersion), or 1 for a plain Poisson fit
    fitted: np.ndarray
    note: str = ""


def fit_count_model(y: np.ndarray, design: pd.DataFrame, offset: np.ndarray, *, scaled: bool = True) -> _CountFit:
    """Quasi-Poisson GLM with offset: Poisson estimates, standard errors scaled by sqrt(phi).

    phi = max(1, Pearson X2 / residual df): always applied, never only when a test says so (a
    test with a handful of points rarely has the power to). Intervals and p-values use
    t(residual df), as for any estimated scale. ``scaled=False`` gives the plain Poisson fit
    with normal (z) intervals. Shared by :func:`poisson_trend` and the segmented regression;
    ``design`` includes the constant column.
    """
    import statsmodels.api as sm

    poisson, _ = _quiet(lambda: sm.GLM(y, design, family=sm.families.Poisson(), offset=offset).fit())
    mu = np.asarray(poisson.fittedvalues, dtype=float)
    df_resid = len(y) - design.shape[1]
    dispersion = float(poisson.pearson_chi2 / df_resid) if df_resid > 0 else math.nan
    pearson_p = float(stats.chi2.sf(poisson.pearson_chi2, df_resid)) if df_resid > 0 else math.nan
    if not scaled or df_resid <= 0:
        return _CountFit(poisson, "Poisson", dispersion, pearson_p, 1.0, mu)
    scale = max(1.0, dispersion)
    quasi, _ = _quiet(lambda: sm.GLM(y, design, family=sm.families.Poisson(), offset=offset).fit(
        scale=scale, use_t=True))
    return _CountFit(quasi, "quasi-Poisson", dispersion, pearson_p, scale, mu)


def _empty(measure: str, model: str, n_points: int, excluded: int, length: int, message: str, dispersion=math.nan) -> TrendResult:
    return TrendResult(
        measure=measure, ratio=math.nan, lower=math.nan, upper=math.nan, p_value=math.nan, model=model,
        dispersion=dispersion, dispersion_p_value=math.nan, n_points=n_points, excluded=excluded,
        fitted=np.full(length, math.nan), message=message,
    )


def poisson_trend(counts, exposure, time, *, confidence: float = 0.95, scaled: bool = True) -> TrendResult:
    """Trend in a rate: rate ratio per unit of time from a quasi-Poisson GLM with log(exposure) offset.

    Parameters
    ----------
    counts : events per period (e.g. newborns in proceedings per financial year).
    exposure : the denominator per period (e.g. live births); must be > 0.
    time : numbers, or financial-year labels like ``2019/20`` (counted by start year).
    scaled : True (default): quasi-Poisson, phi = max(1, Pearson X2 / df) and t(df)
        intervals; False: the plain Poisson fit with z intervals.

    Returns
    -------
    TrendResult with ``measure="rate ratio"``; ``fitted`` are expected counts aligned
    with the input (NaN where a point was excluded because a value was missing).

    Raises
    ------
    ValueError
        Negative counts, or an exposure that is zero or negative.
    """
    y_all = np.asarray(counts, dtype=float).ravel()
    e_all = np.asarray(exposure, dtype=float).ravel()
    t_all = time_values(time).ravel()
    if not (len(y_all) == len(e_all) == len(t_all)):
        raise ValueError("poisson_trend: counts, exposure and time must have the same length")
    keep = ~(np.isnan(y_all) | np.isnan(e_all) | np.isnan(t_all))
    excluded = int((~keep).sum())
    y, e, t = y_all[keep], e_all[keep], t_all[keep]
    if np.any(y < 0):
        raise ValueError("poisson_trend: counts must not be negative")
    if np.any(e <= 0):
        raise ValueError("poisson_trend: every exposure (denominator) must be greater than zero")
    n = len(y)
    if n < MIN_POINTS or len(np.unique(t)) < 2:
        return _empty("rate ratio", "too few points", n, excluded, len(y_all),
                      f"Only {n} period(s) with data: at least {MIN_POINTS} are needed to fit a trend.")
    if y.sum() == 0:
        return _empty("rate ratio", "no events", n, excluded, len(y_all),
                      "There were no events in any period, so there is no rate to trend.")
    import statsmodels.api as sm

    design = pd.DataFrame({"const": 1.0, "time": t - t.mean()})  # centred: a stable intercept
    fit = fit_count_model(y, design, np.log(e), scaled=scaled)
    table = tidy_glm(fit.result, confidence=confidence)
    row = table.set_index("term").loc["time"]
    fitted = np.full(len(y_all), math.nan)
    fitted[keep] = fit.fitted
    notes = [fit.note] if fit.note else []
    if n < 6:
        notes.append(f"Only {n} points: the trend and the dispersion are imprecise.")
    return TrendResult(
        measure="rate ratio", ratio=float(row["estimate"]), lower=float(row["lower"]), upper=float(row["upper"]),
        p_value=float(row["p_value"]), model=fit.model, dispersion=fit.dispersion,
        dispersion_p_value=fit.dispersion_p_value, n_points=n, excluded=excluded, scale=fit.scale,
        df_resid=n - 2 if fit.model.startswith("quasi") else 0, confidence=confidence, fitted=fitted, table=table, message=" ".join(notes),
    )


def binomial_trend(successes, trials, time, *, confidence: float = 0.95, scaled: bool = True) -> TrendResult:
    """Trend in a share: odds ratio per unit of time from a quasi-binomial logistic regression.

    Parameters
    ----------
    successes, trials : per period, e.g. starters aged under 1 and all starters.
    time : numbers or financial-year labels (``2019/20`` -> 2019).
    scaled : True (default): quasi-binomial, phi = max(1, Pearson X2 / df) and t(df)
        intervals; False: the plain binomial fit with z intervals.

    Returns
    -------
    TrendResult with ``measure="odds ratio"``; ``fitted`` are fitted shares.
    """
    import statsmodels.api as sm

    x_all = np.asarray(successes, dtype=float).ravel()
    n_all = np.asarray(trials, dtype=float).ravel()
    t_all = time_values(time).ravel()
    if not (len(x_all) == len(n_all) == len(t_all)):
        raise ValueError("binomial_trend: successes, trials and time must have the same length")
    keep = ~(np.isnan(x_all) | np.isnan(n_all) | np.isnan(t_all))
    # A period with no trials carries no information about the share; leave it out and count it.
    keep &= ~(n_all == 0)
    excluded = int((~keep).sum())
    x, n, t = x_all[keep], n_all[keep], t_all[keep]
    if np.any(x < 0) or np.any(n < 0):
        raise ValueError("binomial_trend: counts must not be negative")
    if np.any(x > n):
        raise ValueError("binomial_trend: successes larger than trials in some period")
    points = len(x)
    if points < MIN_POINTS or len(np.unique(t)) < 2:
        return _empty("odds ratio", "too few points", points, excluded, len(x_all),
                      f"Only {points} period(s) with data: at least {MIN_POINTS} are needed to fit a trend.")
    if x.sum() == 0 or x.sum() == n.sum():
        return _empty("odds ratio", "no variation", points, excluded, len(x_all),
                      "Every period has a share of 0% (or of 100%), so there is no trend to estimate.")
    design = pd.DataFrame({"const": 1.0, "time": t - t.mean()})
    endog = np.column_stack([x, n - x])
    binomial, _ = _quiet(lambda: sm.GLM(endog, design, family=sm.families.Binomial()).fit())
    df_resid = points - 2
    dispersion = float(binomial.pearson_chi2 / df_resid) if df_resid > 0 else math.nan
    over_p = float(stats.chi2.sf(binomial.pearson_chi2, df_resid)) if df_resid > 0 else math.nan
    model, result, scale = "binomial", binomial, 1.0
    if scaled and df_resid > 0:
        # The scale is passed as a number: statsmodels' scale="X2" is wrong for a
        # two-column (successes, failures) response (statsmodels 0.15: far too small).
        scale = max(1.0, dispersion)
        result, _ = _quiet(lambda: sm.GLM(endog, design, family=sm.families.Binomial()).fit(scale=scale, use_t=True))
        model = "quasi-binomial"
    table = tidy_glm(result, confidence=confidence)
    row = table.set_index("term").loc["time"]
    fitted = np.full(len(x_all), math.nan)
    fitted[keep] = np.asarray(result.fittedvalues, dtype=float)
    message = f"Only {points} points: the trend is imprecise." if points < 6 else ""
    return TrendResult(
        measure="odds ratio", ratio=float(row["estimate"]), lower=float(row["lower"]), upper=float(row["upper"]),
        p_value=float(row["p_value"]), model=model, dispersion=dispersion, dispersion_p_value=over_p,
        n_points=points, excluded=excluded, scale=scale, df_resid=df_resid if model == "quasi-binomial" else 0,
        confidence=confidence, fitted=fitted, table=table, message=message,
    )
