"""Funnel plots: control limits around a benchmark, and which areas lie outside them.

The limits follow the Public Health England / OHID Fingertips technical guidance, as
implemented in PHEindicatormethods (``calculate_funnel_limits``,
``assign_funnel_significance``, ``calculate_funnel_points``), whose published test
values these functions reproduce:

- Two control limits, "2 s.d." at 95% (z = 1.959964) and "3 s.d." at 99.8%
  (z = 3.090232), named ``*_95`` and ``*_99_8`` here.
- **Proportions**: the limits at denominator n are the observed shares whose Wilson
  interval just reaches the benchmark share p. Because the Wilson interval is the set
  of p with (share - p)^2 <= z^2 p (1 - p) / n, they are p +/- z sqrt(p (1 - p) / n),
  clipped to [0, 1] (times the multiplier).
- **Rates** (and ratios of observed to expected counts): exact Poisson limits. For e
  events the lower limit sits at the population where the upper exact limit of e equals
  the benchmark rate times that population, and vice versa.
- **Significance** of a point: a share outside the limits at its denominator; a rate
  or ratio whose own 95% / 99.8% Poisson interval (exact below 10 events, Byar's from
  10) excludes the benchmark. Labels: ``High (0.001)``, ``High (0.025)``,
  ``Low (0.001)``, ``Low (0.025)``, ``Not significant`` (and, for directly standardised
  rates with fewer than 10 events, ``Not applicable for events less than 10 for dsrs``).

Overdispersion (Spiegelhalter 2005, "Handling over-dispersion of performance
indicators", Qual Saf Health Care 14:347-351) is an option: z-scores of every unit
against the benchmark, 10% winsorised at each end, give phi = mean(z^2). Limits are
then widened either multiplicatively (z sqrt(phi) s) or by an additive between-unit
variance tau^2 estimated by DerSimonian-Laird moments (z sqrt(s^2 + tau^2)), using the
normal approximation on the share or rate scale (s^2 = p(1-p)/n or r/n).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from .intervals import poisson_limits, z_value

__all__ = [
    "LEVELS",
    "Overdispersion",
    "estimate_overdispersion",
    "proportion_funnel_limits",
    "proportion_funnel",
    "rate_funnel_limits",
    "rate_funnel",
    "rate_funnel_points",
    "ratio_funnel",
    "funnel_significance",
    "proportion_funnel_significance",
    "rate_funnel_significance",
]

# Label -> (two-sided confidence, tail probability used in the significance label).
LEVELS = {"95": 0.95, "99_8": 0.998}

HIGH_999, HIGH_975 = "High (0.001)", "High (0.025)"
LOW_999, LOW_975 = "Low (0.001)", "Low (0.025)"
NOT_SIGNIFICANT = "Not significant"
NOT_APPLICABLE_DSR = "Not applicable for events less than 10 for dsrs"
SIGNIFICANCE_LABELS = (HIGH_999, HIGH_975, LOW_999, LOW_975, NOT_SIGNIFICANT, NOT_APPLICABLE_DSR)


# --------------------------------------------------------------------------- helpers


def _floats(values, name: str) -> np.ndarray:
    try:
        return np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numbers; got {values!r}") from exc


def _digits(value: float) -> int:
    """Number of digits of a whole number (at least 1)."""
    return len(str(int(abs(value)))) if value >= 1 else 1


def _axis_floor(value: float, share_down: float = 0.95) -> float:
    """Round 95% of ``value`` down to one significant figure (a neat axis start)."""
    if value == 0:
        return 0.0
    power = _digits(math.floor(value * share_down)) - 1
    return math.floor(value * share_down / 10**power) * 10**power


def _axis_ceiling(value: float, share_up: float = 1.05) -> float:
    """Round 105% of ``value`` up to two significant figures (a neat axis end)."""
    if value == 0:
        return 0.0
    power = _digits(math.ceil(value * share_up)) - 2
    return math.ceil(value * share_up / 10.0**power) * 10.0**power


def _axis_points(start: float, end: float, points: int = 100, offset: int = 0) -> np.ndarray:
    """Whole-number x values from ``start`` to about ``end``, closer together where small.

    Each step multiplies by the geometric ratio still needed to reach ``end`` in the
    remaining steps, and moves on by at least 1. ``offset=1`` reproduces the ratio
    funnel's grid, which reaches ``end`` one step earlier. Rounding here only places
    plotting points, so numpy's round (halves to even, as R's) is the faithful choice.
    """
    grid = [max(1.0, float(start))]
    for j in range(2, points + 1):
        previous = grid[-1]
        step = (end / previous) ** (1 / (points + 1 - (j - offset))) * previous
        grid.append(max(float(np.round(step)), previous + 1))
    return np.array(grid)


def _axis_range(denominators: np.ndarray, per_year: float = 1.0) -> tuple[float, float]:
    """The axis start and end for a funnel over these denominators (PHE rule)."""
    low, high = np.nanmin(denominators), np.nanmax(denominators)
    # Start at 0 when the denominators span more than a factor of two, else near the smallest.
    start = 0.0 if high > 2 * low else _axis_floor(low / per_year) * per_year
    end = _axis_ceiling(high / per_year) * per_year
    return start, end


# ---------------------------------------------------------------------- overdispersion


@dataclass(frozen=True)
class Overdispersion:
    """Spiegelhalter (2005) overdispersion estimates for a set of units against a benchmark."""

    phi: float  # winsorised mean of squared z-scores (1 = as much spread as chance alone)
    tau2: float  # additive between-unit variance on the indicator scale (DerSimonian-Laird)
    n_units: int
    target: float
    chi2_statistic: float  # n_units * phi, chi-squared on n_units - 1 df if no overdispersion
    p_value: float
    z_scores: np.ndarray = field(repr=False)

    @property
    def overdispersed(self) -> bool:
        """True when phi is significantly above 1 at the 5% level."""
        return bool(self.p_value < 0.05 and self.phi > 1)


def _standard_errors(target: float, denominators: np.ndarray, statistic: str) -> np.ndarray:
    if statistic == "proportion":
        return np.sqrt(target * (1 - target) / denominators)
    if statistic == "rate":
        return np.sqrt(target / denominators)
    raise ValueError(f"statistic must be 'proportion' or 'rate'; got {statistic!r}")


def _winsorise(values: np.ndarray, share: float) -> np.ndarray:
    if share <= 0 or len(values) < 3:
        return values
    low, high = np.quantile(values, [share, 1 - share])
    return np.clip(values, low, high)


def estimate_overdispersion(
    numerators, denominators, *, statistic: str = "proportion", target: float | None = None,
    winsorise: float = 0.1,
) -> Overdispersion:
    """Estimate phi and tau^2 (Spiegelhalter 2005) for units with these counts.

    Parameters
    ----------
    numerators, denominators : array-like
        Events and denominators (population or person-time for rates) of each unit.
        Units with a missing value or a zero denominator are left out.
    statistic : "proportion" or "rate"
    target : the benchmark on the unit scale (a share, or events per unit of
        denominator); default the pooled value sum(numerators) / sum(denominators).
    winsorise : share of z-scores pulled in at each end (0.1 = 10%).
    """
    x, n = _floats(numerators, "numerators"), _floats(denominators, "denominators")
    keep = ~np.isnan(x) & ~np.isnan(n) & (n > 0)
    x, n = x[keep], n[keep]
    if target is None:
        target = x.sum() / n.sum() if n.sum() > 0 else math.nan
    units = len(x)
    if units < 2 or not np.isfinite(target) or target <= 0 or (statistic == "proportion" and target >= 1):
        return Overdispersion(math.nan, math.nan, units, float(target), math.nan, math.nan, np.array([]))
    se = _standard_errors(target, n, statistic)
    z = (x / n - target) / se
    phi = float(np.mean(_winsorise(z, winsorise) ** 2))
    weights = 1 / se**2
    denominator = weights.sum() - (weights**2).sum() / weights.sum()
    tau2 = max(0.0, (units * phi - (units - 1)) / denominator)
    chi2 = units * phi
    p_value = float(stats.chi2.sf(chi2, units - 1))
    return Overdispersion(phi, float(tau2), units, float(target), float(chi2), p_value, z)


def _widened(se: np.ndarray, overdispersion: str | None, phi: float, tau2: float) -> np.ndarray:
    if overdispersion is None:
        return se
    if overdispersion == "multiplicative":
        # Underdispersion would narrow the limits below chance alone; never do that.
        return se * math.sqrt(max(phi, 1.0))
    if overdispersion == "additive":
        return np.sqrt(se**2 + max(tau2, 0.0))
    raise ValueError(f"overdispersion must be None, 'multiplicative' or 'additive'; got {overdispersion!r}")


# --------------------------------------------------------------------------- proportions


def proportion_funnel_limits(
    denominators, target: float, *, multiplier: float = 1.0, overdispersion: str | None = None,
    phi: float = 1.0, tau2: float = 0.0,
) -> pd.DataFrame:
    """Control limits for a share at each denominator.

    Parameters
    ----------
    denominators : array-like of positive numbers (x values of the funnel).
    target : the benchmark share in the units of the output: a proportion in [0, 1]
        when ``multiplier`` is 1, a percentage when it is 100.
    multiplier : 1 for proportions, 100 for percentages.
    overdispersion : None, "multiplicative" (uses ``phi``) or "additive" (uses ``tau2``,
        on the proportion scale); see :func:`estimate_overdispersion`.

    Returns
    -------
    DataFrame with columns ``denominator, lower_95, upper_95, lower_99_8, upper_99_8,
    target`` (limits and target times ``multiplier``), one row per denominator.
    """
    n = _floats(denominators, "denominators")
    if np.any(n <= 0):
        raise ValueError("funnel limits: denominators must be greater than zero")
    target = target / multiplier
    if not 0 <= target <= 1:
        raise ValueError(
            f"funnel limits: the target share must lie between 0 and the multiplier ({multiplier}); got {target * multiplier!r}"
        )
    se = _widened(np.sqrt(target * (1 - target) / n), overdispersion, phi, tau2)
    frame = pd.DataFrame({"denominator": n})
    for label, confidence in LEVELS.items():
        z = z_value(confidence)
        frame[f"lower_{label}"] = np.clip(target - z * se, 0, 1) * multiplier
        frame[f"upper_{label}"] = np.clip(target + z * se, 0, 1) * multiplier
    frame["target"] = target * multiplier
    return frame


def proportion_funnel(
    numerators, denominators, *, multiplier: float = 1.0, points: int = 100,
    overdispersion: str | None = None, winsorise: float = 0.1,
) -> pd.DataFrame:
    """The lines of a funnel plot for shares: ``points`` denominators spanning the data.

    The benchmark is the pooled share sum(numerators) / sum(denominators). The x axis
    starts at 0 when the largest denominator is more than twice the smallest, else near
    95% of the smallest, and ends near 105% of the largest (PHE axis rule). With
    ``overdispersion``, phi or tau^2 is estimated from the same units.

    Returns the frame of :func:`proportion_funnel_limits` for those denominators.
    """
    x, n = _floats(numerators, "numerators"), _floats(denominators, "denominators")
    keep = ~np.isnan(x) & ~np.isnan(n)
    x, n = x[keep], n[keep]
    if len(n) == 0 or n.sum() <= 0:
        raise ValueError("funnel: no unit has both a numerator and a positive denominator")
    target = x.sum() / n.sum()
    start, end = _axis_range(n)
    grid = _axis_points(start, end, points)
    estimate = (
        estimate_overdispersion(x, n, statistic="proportion", winsorise=winsorise) if overdispersion else None
    )
    return proportion_funnel_limits(
        grid, target * multiplier, multiplier=multiplier, overdispersion=overdispersion,
        phi=estimate.phi if estimate else 1.0, tau2=estimate.tau2 if estimate else 0.0,
    )


# --------------------------------------------------------------------------------- rates


def _events_at_lower_limit(expected: float, tail: float) -> float:
    """Events e (continuous) whose exact upper limit equals ``expected``: P(X <= e | expected) = tail."""
    # P(X <= e) for continuous e is the regularised upper incomplete gamma Q(e + 1, mu).
    func = lambda e: special.gammaincc(e + 1, expected) - tail  # noqa: E731
    high = expected + 20 * math.sqrt(expected) + 20
    if func(-1 + 1e-12) >= 0:
        return 0.0
    return optimize.brentq(func, -1 + 1e-12, high, xtol=1e-12)


def _events_at_upper_limit(expected: float, tail: float) -> float:
    """Events e (continuous) whose exact lower limit equals ``expected``: P(X >= e | expected) = tail."""
    func = lambda e: special.gammainc(e, expected) - tail  # noqa: E731
    high = expected + 20 * math.sqrt(expected) + 20
    return optimize.brentq(func, 1e-12, high, xtol=1e-12)


def rate_funnel_limits(
    denominators, target_rate: float, *, multiplier: float = 1.0, overdispersion: str | None = None,
    phi: float = 1.0, tau2: float = 0.0,
) -> pd.DataFrame:
    """Control limits for a crude rate at each denominator (population or births).

    Parameters
    ----------
    denominators : array-like of positive numbers.
    target_rate : the benchmark rate per ``multiplier`` (e.g. 35.2 newborns per 10,000
        live births with ``multiplier=10000``).
    multiplier : e.g. 10000 for a rate per 10,000.
    overdispersion : None gives exact Poisson limits (continuous in the number of
        events, so the lines are smooth); "multiplicative"/"additive" use the normal
        approximation r +/- z sqrt(phi r / n) or r +/- z sqrt(r / n + tau2), tau2 on
        the unit (not multiplied) scale.

    Returns
    -------
    DataFrame ``denominator, lower_95, upper_95, lower_99_8, upper_99_8, target``.
    """
    n = _floats(denominators, "denominators")
    if np.any(n <= 0):
        raise ValueError("funnel limits: denominators must be greater than zero")
    if target_rate <= 0:
        raise ValueError(f"funnel limits: the target rate must be positive; got {target_rate!r}")
    target_rate = target_rate / multiplier
    frame = pd.DataFrame({"denominator": n})
    for label, confidence in LEVELS.items():
        tail = (1 - confidence) / 2
        if overdispersion is None:
            expected = target_rate * n
            lower = np.array([_events_at_lower_limit(mu, tail) for mu in expected]) / n
            upper = np.array([_events_at_upper_limit(mu, tail) for mu in expected]) / n
        else:
            se = _widened(np.sqrt(target_rate / n), overdispersion, phi, tau2)
            z = z_value(confidence)
            lower, upper = target_rate - z * se, target_rate + z * se
        frame[f"lower_{label}"] = np.maximum(lower, 0) * multiplier
        frame[f"upper_{label}"] = upper * multiplier
    frame["target"] = target_rate * multiplier
    return frame


def _derived_denominators(numerators, denominators, rates, rate_type: str, multiplier: float) -> np.ndarray:
    """Denominators for rate funnels: given, or recovered as multiplier x events / rate.

    A directly standardised rate with no events has no usable denominator (NaN); a crude
    one falls back on the given denominator.
    """
    x = _floats(numerators, "numerators")
    if rate_type not in ("crude", "dsr"):
        raise ValueError(f"rate_type must be 'crude' or 'dsr'; got {rate_type!r}")
    if rates is None:
        if denominators is None or rate_type == "dsr":
            raise ValueError("rate funnels need rates (and, for crude rates, may use denominators instead)")
        return _floats(denominators, "denominators")
    r = _floats(rates, "rates")
    with np.errstate(divide="ignore", invalid="ignore"):
        derived = multiplier * x / r
    if rate_type == "dsr":
        return np.where(x == 0, np.nan, derived)
    if np.any(x == 0) and denominators is None:
        raise ValueError("rate funnels: a unit with 0 events needs its denominator (give denominators=)")
    fallback = _floats(denominators, "denominators") if denominators is not None else np.full_like(x, np.nan)
    return np.where(x == 0, fallback, derived)


def _exact_limit_expected(events: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Expected counts at which ``events`` sit on the upper / lower exact limit."""
    tail = (1 - confidence) / 2
    # mu with P(X <= e | mu) = tail is the exact upper limit of e; with P(X >= e | mu) = tail, the lower.
    at_upper = special.gammaincinv(events + 1, 1 - tail)
    at_lower = special.gammaincinv(events, tail)
    return at_upper, at_lower


def rate_funnel(
    numerators, denominators=None, *, rates=None, multiplier: float = 1.0, years_of_data: float = 1,
    rate_type: str = "crude", points: int = 100,
) -> pd.DataFrame:
    """The lines of a funnel plot for rates, one row per whole number of events.

    For each number of events e on a grid spanning the data, the denominator at which e
    lies on each exact Poisson control limit, and the rate there. This is the PHE
    construction; plot ``lower_95_denominator`` against ``lower_95`` and so on.

    Parameters
    ----------
    numerators : events per unit.
    denominators : population or births per unit (needed for crude rates given
        without ``rates``, and for units with 0 events).
    rates : the units' rates per ``multiplier`` (required for ``rate_type="dsr"``).
    years_of_data : the denominators cover this many years; the ``*_denominator``
        columns are per year, as funnel x axes usually are.

    Returns
    -------
    DataFrame ``events, lower_95_denominator, lower_95, upper_95_denominator, upper_95,
    lower_99_8_denominator, lower_99_8, upper_99_8_denominator, upper_99_8, target``
    (rates times ``multiplier``).
    """
    x = _floats(numerators, "numerators")
    derived = _derived_denominators(x, denominators, rates, rate_type, multiplier)
    target = np.nansum(x) / np.nansum(derived)
    start, end = _axis_range(derived, per_year=years_of_data)
    grid = _axis_points(math.floor(start * target), math.ceil(end * target), points)
    frame = pd.DataFrame({"events": grid})
    for label, confidence in LEVELS.items():
        at_upper, at_lower = _exact_limit_expected(grid, confidence)
        lower_denominator = at_upper / target
        upper_denominator = at_lower / target
        frame[f"lower_{label}_denominator"] = lower_denominator / years_of_data
        frame[f"lower_{label}"] = grid / lower_denominator * multiplier
        frame[f"upper_{label}_denominator"] = upper_denominator / years_of_data
        frame[f"upper_{label}"] = grid / upper_denominator * multiplier
    frame["target"] = target * multiplier
    return frame


def rate_funnel_points(
    numerators, rates, denominators=None, *, rate_type: str = "crude", years_of_data: float = 1,
    multiplier: float = 1.0,
) -> pd.DataFrame:
    """Where each unit sits on a rate funnel: its rate and its denominator per year.

    Directly standardised rates with fewer than 10 events are not plotted (NaN), as
    PHE practice. Returns DataFrame ``events, rate, rate_chart, denominator_per_year``.
    """
    x = _floats(numerators, "numerators")
    r = _floats(rates, "rates")
    if rate_type == "dsr":
        small = x < 10
        rate_chart = np.where(small, np.nan, r)
        with np.errstate(divide="ignore", invalid="ignore"):
            per_year = np.where(small, np.nan, multiplier * x / r / years_of_data)
    else:
        derived = _derived_denominators(x, denominators, r, "crude", multiplier)
        rate_chart = r
        per_year = derived / years_of_data
    return pd.DataFrame({"events": x, "rate": r, "rate_chart": rate_chart, "denominator_per_year": per_year})


# -------------------------------------------------------------------------------- ratios


def ratio_funnel(observed, expected, *, scale: str = "ratio", points: int = 100) -> pd.DataFrame:
    """Funnel lines for observed / expected counts (standardised ratios), per observed count.

    The grid of observed counts spans the expected counts (PHE axis rule); ``observed``
    is only checked. ``scale``: "ratio" (O/E), "isr" (O/E x 100) or "count" (O/E - 1,
    PHE's ``ratio_type = "count"``). Returns DataFrame ``observed, lower_95_expected, lower_95,
    upper_95_expected, upper_95, lower_99_8_expected, lower_99_8, upper_99_8_expected,
    upper_99_8``.
    """
    e = _floats(expected, "expected")
    _floats(observed, "observed")
    if scale not in ("ratio", "isr", "count"):
        raise ValueError(f"scale must be 'ratio', 'isr' or 'count'; got {scale!r}")
    start, end = _axis_range(e)
    grid = _axis_points(start, end, points, offset=1)
    frame = pd.DataFrame({"observed": grid})
    for label, confidence in LEVELS.items():
        at_upper, at_lower = _exact_limit_expected(grid, confidence)
        for side, expected_at in (("lower", at_upper), ("upper", at_lower)):
            ratio = grid / expected_at
            frame[f"{side}_{label}_expected"] = expected_at
            frame[f"{side}_{label}"] = {"ratio": ratio, "isr": ratio * 100, "count": ratio - 1}[scale]
    return frame


# ---------------------------------------------------------------------------- significance


def _label(high_999, high_975, low_999, low_975) -> np.ndarray:
    return np.select(
        [high_999, high_975, low_999, low_975],
        [HIGH_999, HIGH_975, LOW_999, LOW_975],
        default=NOT_SIGNIFICANT,
    ).astype(object)


def funnel_significance(
    numerators, denominators=None, *, statistic: str = "proportion", rates=None, rate_type: str = "crude",
    multiplier: float = 1.0, target: float | None = None, overdispersion: str | None = None,
    winsorise: float = 0.1,
) -> pd.Series:
    """Label each unit as inside or outside the 95% and 99.8% funnel limits.

    Parameters
    ----------
    numerators : events (or observed counts for ratios).
    denominators : denominators (proportion, crude rate) or expected counts (ratio).
    statistic : "proportion", "rate" or "ratio".
    rates, rate_type, multiplier : for rates given as rates (needed for "dsr").
    target : benchmark per ``multiplier`` (a share when the multiplier is 1, a rate
        per 10,000 when it is 10000); default the pooled value. Ratios are always
        compared with 1.
    overdispersion : None (exact methods), "multiplicative" or "additive": z-scores
        against the Spiegelhalter-widened limits (proportions and crude rates).

    Returns
    -------
    Series of labels (``High (0.001)``, ``High (0.025)``, ``Low (0.001)``,
    ``Low (0.025)``, ``Not significant``...), indexed like ``numerators`` when it is a
    Series.

    Raises
    ------
    ValueError
        Negative numerators, denominators not above zero, or a share's numerator
        above its denominator.
    """
    index = numerators.index if isinstance(numerators, pd.Series) else None
    x = _floats(numerators, "numerators")
    with np.errstate(invalid="ignore"):
        if np.any(x < 0):
            raise ValueError("numerators must be greater than or equal to zero")
        if denominators is not None and np.any(_floats(denominators, "denominators") <= 0):
            raise ValueError("denominators must be greater than zero")

    if statistic == "proportion":
        n = _floats(denominators, "denominators")
        if np.any(x > n):
            raise ValueError("numerators must be less than or equal to denominator for a proportion statistic")
        p = x.sum() / n.sum() if target is None else target / multiplier
        share = x / n
        if overdispersion:
            estimate = estimate_overdispersion(x, n, statistic="proportion", target=p, winsorise=winsorise)
            labels = _z_labels((share - p), _widened(np.sqrt(p * (1 - p) / n), overdispersion, estimate.phi, estimate.tau2))
        else:
            limits = {}
            for label, confidence in LEVELS.items():
                half = z_value(confidence) * np.sqrt(p * (1 - p) / n)
                limits[label] = (p - half, p + half)
            # (PHE tests the low side first; the order cannot matter, a share is never both.)
            labels = _label(
                share > limits["99_8"][1], share > limits["95"][1],
                share < limits["99_8"][0], share < limits["95"][0],
            )
    elif statistic == "ratio":
        e = _floats(denominators, "denominators")
        lower_998, upper_998 = poisson_limits(x, 0.998)
        lower_95, upper_95 = poisson_limits(x, 0.95)
        with np.errstate(divide="ignore", invalid="ignore"):
            labels = _label(lower_998 / e > 1, lower_95 / e > 1, upper_998 / e < 1, upper_95 / e < 1)
    elif statistic == "rate":
        derived = _derived_denominators(x, denominators, rates, rate_type, multiplier)
        weighted = np.nansum(x) / np.nansum(derived) if target is None else target / multiplier
        if overdispersion:
            if rate_type == "dsr":
                raise ValueError("overdispersion-adjusted significance is available for crude rates only")
            estimate = estimate_overdispersion(x, derived, statistic="rate", target=weighted, winsorise=winsorise)
            with np.errstate(divide="ignore", invalid="ignore"):
                labels = _z_labels(x / derived - weighted, _widened(np.sqrt(weighted / derived), overdispersion, estimate.phi, estimate.tau2))
        else:
            lower_998, upper_998 = poisson_limits(x, 0.998)
            lower_95, upper_95 = poisson_limits(x, 0.95)
            with np.errstate(divide="ignore", invalid="ignore"):
                labels = _label(
                    lower_998 / derived > weighted, lower_95 / derived > weighted,
                    upper_998 / derived < weighted, upper_95 / derived < weighted,
                )
        if rate_type == "dsr":
            labels = np.where(x < 10, NOT_APPLICABLE_DSR, labels).astype(object)
    else:
        raise ValueError(f"statistic must be 'proportion', 'rate' or 'ratio'; got {statistic!r}")
    return pd.Series(labels, index=index, name="significance", dtype=object)


def _z_labels(difference: np.ndarray, se: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        z = difference / se
    z998, z95 = z_value(0.998), z_value(0.95)
    return _label(z > z998, z > z95, z < -z998, z < -z95)


def proportion_funnel_significance(numerators, denominators, target: float | None = None, *, multiplier: float = 1.0,
                                   overdispersion: str | None = None) -> pd.Series:
    """Funnel significance labels for shares (see :func:`funnel_significance`)."""
    return funnel_significance(numerators, denominators, statistic="proportion", target=target,
                               multiplier=multiplier, overdispersion=overdispersion)


def rate_funnel_significance(numerators, denominators, target: float | None = None, *, multiplier: float = 1.0,
                             overdispersion: str | None = None) -> pd.Series:
    """Funnel significance labels for crude rates given as events and denominators.

    ``target`` is the benchmark rate per ``multiplier`` (default the pooled rate).
    """
    return funnel_significance(numerators, denominators, statistic="rate", target=target,
                               multiplier=multiplier, overdispersion=overdispersion)
