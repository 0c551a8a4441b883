"""How published numbers are written: per cents, numbers and signed changes, rounded half up.

One definition for the whole book: the pages (:mod:`prebirth.present`) and the chapters that
write a number into words themselves (e.g. a published benchmark) use these. A number that
is missing or withheld is written as the marker ``c``.
"""

from __future__ import annotations

import math

from .stats.rounding import round_half_up

MARKER = "c"


def _missing(value) -> bool:
    try:
        return value is None or math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def pct(value, digits: int = 0) -> str:
    """A proportion as a per cent, e.g. 0.125 -> '13%'."""
    if _missing(value):
        return MARKER
    return f"{round_half_up(100 * float(value), digits):.{digits}f}%"


def signed_pct(value, digits: int = 0) -> str:
    """A change as a signed per cent, e.g. +5.8% or -0.3%."""
    if _missing(value):
        return MARKER
    return f"{'+' if value >= 0 else ''}{pct(value, digits)}"


def count(value) -> str:
    """A count as a whole number with thousands separators, whatever type holds it: 38527.0 -> '38,527'."""
    if _missing(value):
        return MARKER
    return f"{int(round_half_up(float(value), 0)):,}"


def num(value, digits: int = 1) -> str:
    """A number with thousands separators, e.g. 1234.56 -> '1,234.6'."""
    if _missing(value):
        return MARKER
    return f"{round_half_up(float(value), digits):,.{digits}f}"


def one_in(value) -> str:
    """A share in words a parent reads: "1 in 6" when one in a whole number is within a tenth of it,
    otherwise in tenths ("4 in 10", "about 3 in 10"); "none" and "all" at the ends."""
    if _missing(value):
        return MARKER
    value = float(value)
    if value <= 0:
        return "none"
    if value >= 1:
        return "all"
    n = int(round_half_up(1 / value))
    if n >= 2 and abs(1 / n - value) <= 0.1 * value:
        return f"1 in {n}"
    tenths = min(max(int(round_half_up(10 * value)), 1), 9)
    return f"{'about ' if abs(tenths / 10 - value) > 0.005 else ''}{tenths} in 10"
