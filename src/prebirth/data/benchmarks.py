"""Benchmarks: published figures for England, regions and other authorities (DESIGN 5.4).

The readers of each published format live in ``benchmarks_readers``; this module
gathers a benchmarks folder (and its sub-folders) into one tidy frame with the
columns ``TIDY_COLUMNS``. A suppressed published cell is ``NaN`` with ``suppressed``
True, never 0. When two releases give the same figure, the newer release is used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .benchmarks_readers import TIDY_COLUMNS, prefer_latest_release, read_folder
from .problems import Problem


@dataclass
class Benchmarks:
    tidy: pd.DataFrame
    neighbours: dict[str, list[str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def indicator(self, indicator: str) -> pd.DataFrame:
        return self.tidy[self.tidy["indicator"] == indicator]

    def region_of(self, area_code: str) -> str | None:
        rows = self.tidy.loc[self.tidy["area_code"] == area_code, "region_name"].dropna()
        return rows.iloc[0] if len(rows) else None


def empty_tidy() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=float if c in ("numerator", "denominator", "value") else
                                      bool if c == "suppressed" else object) for c in TIDY_COLUMNS})


def load_benchmarks(folder: Path | None) -> Benchmarks:
    """Read every benchmark file in the folder and its sub-folders (or a single file)."""
    if folder is None:
        return Benchmarks(empty_tidy())
    folder = Path(folder)
    places = [folder] if folder.is_file() else [folder] + sorted(
        p for p in folder.rglob("*") if p.is_dir() and not p.name.startswith("."))
    frames, neighbours, problems, files = [], {}, [], []
    for place in places:
        tidy, found_neighbours, found, read = read_folder(place)
        if not tidy.empty:
            frames.append(tidy)
        neighbours.update(found_neighbours)
        problems += found
        files += [str((place / name).relative_to(folder)) if place != folder and folder.is_dir() else name
                  for name in read]
    tidy = pd.concat(frames, ignore_index=True) if frames else empty_tidy()
    if len(frames) > 1:
        tidy = prefer_latest_release(tidy, problems)
    tidy["suppressed"] = tidy["suppressed"].fillna(False).astype(bool)
    return Benchmarks(tidy=tidy.reset_index(drop=True), neighbours=neighbours, problems=problems, files=files)
