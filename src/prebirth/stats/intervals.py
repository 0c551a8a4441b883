"""Confidence intervals for shares, counts and rates (DESIGN 7 and 8).

- Shares (proportions): Wilson score interval.
- Counts and rates: exact Poisson limits for counts under 10, Byar's approximation
  from 10 upwards. This is the practice of the Public Health England / OHID Fingertips
  technical guidance and of its reference implementation (PHEindicatormethods), whose
  published test values these functions reproduce.

Every function is vectorised: scalars in give floats out; arrays or Series in give
float ``ndarray`` out. Missing inputs (``NaN``) give ``NaN`` limits, and so does a
zero denominator. ``confidence`` may be written as 0.95 or 95 (per cent).
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats

__all__ = [
    "z_value",
    "wilson",
    "exact_poisson",
    "byars",
    "poisson_limits",
    "rate_ci",
    "proportion_ci",
]

# Counts below this use exact Poisson limits; from it upwards Byar's approximation
# (Fingertips technical guidance; PHEindicatormethods phe_rate).
EXACT_POISSON_BELOW = 10


def _confidence(confidence: float) -> float:
    """Confidence as a fraction in (0, 1); accepts 95 or 99.8 written as per cent."""
    level = float(confidence)
    if 1 < level < 100:
        level /= 100
    if not 0 < level < 1:
        raise ValueError(
            f"confidence must be between 0 and 1 (e.g. 0.95) or between 1 and 100 (e.g. 95); got {confidence!r}"
        )
    return level


def z_value(confidence: float = 0.95) -> float:
    """Two-sided standard normal quantile: 1.959964 for 0.95, 3.090232 for 0.998."""
    return float(stats.norm.ppf(0.5 + _confidence(confidence) / 2))


def _as_float_array(values, name: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numbers (use NaN for missing); got {values!r}") from exc
    return array


def _out(array: np.ndarray, scalar: bool):
    return float(array) if scalar else array


def _is_scalar(*values) -> bool:
    return all(np.ndim(v) == 0 for v in values)


def wilson(numerator, denominator, confidence: float = 0.95):
    """Wilson score interval for a share ``numerator / denominator``.

    Parameters
    ----------
    numerator, denominator : number or array-like (broadcastable)
        Counts (non-integer values are allowed, as for weighted counts).
    confidence : float
        0.95 by default.

    Returns
    -------
    (lower, upper) : two floats or two float arrays, as proportions in [0, 1].
        ``NaN`` where either input is missing or the denominator is 0.

    Raises
    ------
    ValueError
        A negative count, or a numerator larger than its denominator.
    """
    scalar = _is_scalar(numerator, denominator)
    x = _as_float_array(numerator, "numerator")
    n = _as_float_array(denominator, "denominator")
    x, n = np.broadcast_arrays(x, n)
    with np.errstate(invalid="ignore"):
        if np.any(x < 0) or np.any(n < 0):
            raise ValueError("Wilson interval: numerators and denominators must not be negative")
        if np.any(x > n):
            raise ValueError("Wilson interval: a numerator is larger than its denominator")
    z = z_value(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        usable = n > 0
        share = np.where(usable, x / np.where(usable, n, 1), np.nan)
        centre = (2 * x + z**2) / (2 * (n + z**2))
        half = z * np.sqrt(z**2 + 4 * x * (1 - share)) / (2 * (n + z**2))
        lower = np.where(usable, np.clip(centre - half, 0, 1), np.nan)
        upper = np.where(usable, np.clip(centre + half, 0, 1), np.nan)
    return _out(lower, scalar), _out(upper, scalar)


def exact_poisson(count, confidence: float = 0.95):
    """Exact (Garwood, chi-squared) confidence limits for a Poisson count.

    lower = chi2(alpha/2; 2x) / 2 (0 when x = 0); upper = chi2(1 - alpha/2; 2x + 2) / 2.

    Returns ``(lower, upper)`` in the units of the count (not a rate).
    """
    scalar = _is_scalar(count)
    x = _as_float_array(count, "count")
    with np.errstate(invalid="ignore"):
        if np.any(x < 0):
            raise ValueError("Poisson limits: counts must not be negative")
    alpha = 1 - _confidence(confidence)
    # The gamma quantile is the chi-squared one halved, and stays defined for
    # non-integer counts.
    with np.errstate(invalid="ignore"):
        lower = np.where(x > 0, special.gammaincinv(np.where(x > 0, x, 1), alpha / 2), 0.0)
        lower = np.where(np.isnan(x), np.nan, lower)
        upper = special.gammaincinv(x + 1, 1 - alpha / 2)
    return _out(lower, scalar), _out(upper, scalar)


def byars(count, confidence: float = 0.95):
    """Byar's approximation to the exact Poisson limits of a count.

    lower = x (1 - 1/(9x) - z/(3 sqrt x))^3, upper = (x+1) (1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3.

    For very small counts the lower formula turns negative (e.g. x = 1 at 99.8%), and at
    x = 0 it is undefined (0 times infinity): the approximation has failed there, so the
    lower limit is NaN (not available), as in PHEindicatormethods' ``byars_lower``, never
    a 0 that would look like an answer. Use :func:`poisson_limits`, which switches to
    exact limits below 10.
    """
    scalar = _is_scalar(count)
    x = _as_float_array(count, "count")
    with np.errstate(invalid="ignore"):
        if np.any(x < 0):
            raise ValueError("Byar's limits: counts must not be negative")
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        positive = np.where(x > 0, x, 1.0)
        lower = positive * (1 - 1 / (9 * positive) - z / (3 * np.sqrt(positive))) ** 3
        lower = np.where((x > 0) & (lower >= 0), lower, np.nan)
        upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1))) ** 3
    return _out(lower, scalar), _out(upper, scalar)


def poisson_limits(count, confidence: float = 0.95):
    """Confidence limits for a count: exact below 10, Byar's from 10 (Fingertips practice).

    Returns ``(lower, upper)`` as counts; divide by the denominator for a rate.
    """
    scalar = _is_scalar(count)
    x = _as_float_array(count, "count")
    exact_lower, exact_upper = exact_poisson(x, confidence)
    byars_lower, byars_upper = byars(x, confidence)
    small = x < EXACT_POISSON_BELOW
    lower = np.where(small, exact_lower, byars_lower)
    upper = np.where(small, exact_upper, byars_upper)
    return _out(lower, scalar), _out(upper, scalar)


def rate_ci(count, denominator, multiplier: float = 10000, confidence: float = 0.95):
    """A rate per ``multiplier`` (e.g. per 10,000 live births) with Poisson limits.

    Returns
    -------
    (value, lower, upper) : floats or float arrays, all per ``multiplier``.
        ``NaN`` where the count or denominator is missing or the denominator is 0.
    """
    scalar = _is_scalar(count, denominator)
    x = _as_float_array(count, "count")
    n = _as_float_array(denominator, "denominator")
    x, n = np.broadcast_arrays(x, n)
    with np.errstate(invalid="ignore"):
        if np.any(n < 0):
            raise ValueError("rate: denominators must not be negative")
    lower_count, upper_count = poisson_limits(x, confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        usable = n > 0
        safe_n = np.where(usable, n, 1.0)
        value = np.where(usable, x / safe_n * multiplier, np.nan)
        lower = np.where(usable, lower_count / safe_n * multiplier, np.nan)
        upper = np.where(usable, upper_count / safe_n * multiplier, np.nan)
    return _out(value, scalar), _out(lower, scalar), _out(upper, scalar)


def proportion_ci(numerator, denominator, confidence: float = 0.95, multiplier: float = 1):
    """A share with its Wilson interval; ``multiplier=100`` gives percentages.

    Returns
    -------
    (value, lower, upper) : floats or float arrays. ``NaN`` where an input is missing
        or the denominator is 0.
    """
    scalar = _is_scalar(numerator, denominator)
    x = _as_float_array(numerator, "numerator")
    n = _as_float_array(denominator, "denominator")
    x, n = np.broadcast_arrays(x, n)
    lower, upper = wilson(x, n, confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(n > 0, x / np.where(n > 0, n, 1), np.nan)
    return (
        _out(value * multiplier, scalar),
        _out(np.asarray(lower) * multiplier, scalar),
        _out(np.asarray(upper) * multiplier, scalar),
    )
