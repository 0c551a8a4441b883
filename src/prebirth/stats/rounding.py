"""Rounding for published numbers: half up (2.5 -> 3), never Python's banker's rounding.

Python's ``round`` and numpy's ``np.round`` round halves to the nearest even digit
(``round(2.5) == 2``), and binary floating point stores ``1.005`` as
``1.00499999999999989...``, so even a careful ``floor(x * 100 + 0.5)`` gives ``1.0``.
Readers of a published table expect what a calculator or a spreadsheet's ``ROUND``
shows: ``2.5 -> 3``, ``0.125 -> 0.13``, ``1.005 -> 1.01``. So, as a spreadsheet does,
each number is first read to 15 significant digits (the precision a double reliably
holds, which also absorbs arithmetic noise such as ``100 * 0.285 ==
28.499999999999996``), then rounded in decimal arithmetic, halves away from zero
(``-2.5 -> -3``).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import numpy as np
import pandas as pd

__all__ = ["round_half_up", "round_to_nearest"]


def _round_one(value, ndigits: int) -> float:
    """Round one number half up (away from zero) to ``ndigits`` decimal places."""
    if value is None or value is pd.NA:
        return math.nan
    number = float(value)
    if not math.isfinite(number):
        return number
    # 15 significant digits: the number as the analyst sees it, not its binary approximation.
    decimal = Decimal(format(number, ".15g"))
    try:
        rounded = decimal.quantize(Decimal(1).scaleb(-ndigits), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits asked for than the context holds: nothing to round
        return number
    result = float(rounded)
    return result + 0.0  # turn -0.0 into 0.0, so a rounded -0.4 prints as 0


def _apply(x, func):
    """Apply ``func`` elementwise, keeping the container: scalar, ndarray or Series."""
    if isinstance(x, pd.Series):
        return pd.Series([func(v) for v in x.to_numpy(dtype=object)], index=x.index, name=x.name, dtype=float)
    if isinstance(x, pd.DataFrame):
        return x.apply(lambda column: _apply(column, func))
    if np.ndim(x) == 0:
        return func(x.item() if isinstance(x, np.generic) else x)
    values = np.asarray(x, dtype=object)
    flat = np.array([func(v) for v in values.ravel()], dtype=float)
    return flat.reshape(values.shape)


def round_half_up(x, ndigits: int = 0):
    """Round half up (away from zero) as a spreadsheet does, keeping the container type.

    Parameters
    ----------
    x : float, int, array-like, ``pandas.Series`` or ``DataFrame``
        The numbers. ``NaN``/``None``/``pd.NA`` stay ``NaN``; infinities are unchanged.
    ndigits : int
        Decimal places to keep; negative rounds to tens (-1), hundreds (-2), ...

    Returns
    -------
    float for a scalar, a float ``ndarray`` for array-likes, a float Series (same index
    and name) for a Series.

    Examples
    --------
    >>> round_half_up(2.5), round_half_up(-2.5), round_half_up(0.125, 2), round_half_up(1.005, 2)
    (3.0, -3.0, 0.13, 1.01)
    """
    ndigits = int(ndigits)
    return _apply(x, lambda v: _round_one(v, ndigits))


def round_to_nearest(x, base: float = 5):
    """Round to the nearest multiple of ``base`` (halves up, away from zero): 12.5 -> 15 for base 5.

    Used for counts published to the nearest 5 or 10 (``base=10`` gives DfE-style rounding).
    Works on scalars, array-likes and Series like :func:`round_half_up`.
    """
    if not base or base <= 0:
        raise ValueError(f"round_to_nearest needs a positive base, got {base!r}")
    step = Decimal(repr(float(base)))

    def one(value) -> float:
        if value is None or value is pd.NA:
            return math.nan
        number = float(value)
        if not math.isfinite(number):
            return number
        multiples = (Decimal(format(number, ".15g")) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return float(multiples * step) + 0.0

    return _apply(x, one)
