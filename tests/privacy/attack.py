"""A reader with a calculator: what a differencing attack recovers from a published book's
``indicators.csv`` (DESIGN 9). Independent of the book's own disclosure code: it reads only the
published file.

For each indicator and group, the counts published for the years and for the whole period
("all") are set against each other: where exactly one year's count is withheld and the
whole period's is published, ``all - sum(other years)`` bounds the withheld count from below
(exactly, when no child is counted in two years). A bound of 1 to ``min_count - 1`` on a
count that the book withheld as small says "this year had at least that many", and with the
marker's meaning (fewer than ``min_count``) pins it to a handful of values: a leak. The same
holds for a share's complement (denominator minus numerator) across the years.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import pandas as pd

PEOPLE_UNITS = ("proportion", "count", "per 10,000 live births")


@dataclass(frozen=True)
class Recovered:
    indicator: str
    group: str
    what: str  # numerator, denominator or complement
    period: str
    low: float  # what the attack proves the withheld count is at least
    min_count: int

    def __str__(self) -> str:
        return (f"{self.indicator} ({self.group or 'no group'}), {self.what} in {self.period}: at least "
                f"{self.low:g} and, withheld, fewer than {self.min_count}")


def _number(value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number


def differencing(indicators_csv: str, min_count: int) -> list[Recovered]:
    """Every withheld yearly count that 'all' minus the other years narrows to fewer than
    ``min_count`` possible values (at least ``low``, and below ``min_count`` as withheld)."""
    table = pd.read_csv(io.StringIO(indicators_csv), dtype=str, keep_default_na=False)
    table = table[table["unit"].isin(PEOPLE_UNITS)]
    found = []
    for (indicator, group), rows in table.groupby(["indicator", "group"], sort=False):
        numbers = {}
        for _, row in rows.iterrows():
            num, den = _number(row["numerator"]), _number(row["denominator"])
            numbers[row["period"]] = {"numerator": num, "denominator": den, "complement": den - num}
        if "all" not in numbers or len(numbers) < 3:
            continue
        years = [p for p in numbers if p != "all"]
        for what in ("numerator", "denominator", "complement"):
            whole = numbers["all"][what]
            if math.isnan(whole):
                continue
            hidden = [p for p in years if math.isnan(numbers[p][what])]
            if len(hidden) != 1:
                continue
            low = whole - sum(numbers[p][what] for p in years if p != hidden[0])
            if 1 <= low < min_count:
                found.append(Recovered(indicator, group, what, hidden[0], low, min_count))
    return found
