"""Published reference figures (DESIGN 10): ``data/reference/national_figures.csv``.

Each row is a national or regional figure the chapters quote, with its period,
geography, definition and source. ``national`` picks the figure of the area's own
country (England or Wales) and says plainly when that country has none.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

REFERENCE_FILE = Path(__file__).resolve().parents[2] / "data" / "reference" / "national_figures.csv"


@lru_cache(maxsize=1)
def figures() -> dict[str, dict]:
    """The published figures by id (empty if the file is absent)."""
    if not REFERENCE_FILE.exists():
        return {}
    with open(REFERENCE_FILE, newline="", encoding="utf-8") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


def figure(figure_id: str) -> dict | None:
    """One published figure's row (``value``, ``unit``, ``period``, ``geography``, ``source``...)."""
    return figures().get(figure_id)


def value(figure_id: str) -> float | None:
    row = figure(figure_id)
    try:
        return float(row["value"]) if row else None
    except (TypeError, ValueError):
        return None


def national(country: str, stem: str) -> dict | None:
    """The figure ``<country>_<stem>`` (e.g. ``national("Wales", "heard_within_7_days_2019_20")``), or None
    when the country has no such published figure."""
    return figure(f"{country.strip().lower()}_{stem}")
