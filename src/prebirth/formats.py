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
