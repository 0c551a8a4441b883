"""Benchmarks: published figures for England, regions and other authorities (DESIGN 5.4).

The tidy frame has the columns in ``TIDY_COLUMNS``; a suppressed published cell is
``NaN`` with ``suppressed`` True, never 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .problems import Problem, error, warning

TIDY_COLUMNS = [
    "period", "geographic_level", "area_code", "area_name", "region_code", "region_name",
    "indicator", "numerator", "denominator", "value", "source", "suppressed",
]
NOT_A_NUMBER = {"c", "z", "x", "k", "u", "low", ":", "..", "-", "*"}
NEIGHBOUR_COLUMNS = {"area_code", "rank", "neighbour_code"}


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


def numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Published cells to floats; markers (c, x, z, ...) become NaN and are flagged, never 0."""
    text = values.astype("string").str.strip()
    marker = text.str.lower().isin(NOT_A_NUMBER)
    number = pd.to_numeric(text.str.replace(",", "", regex=False).where(~marker), errors="coerce")
    return number.astype(float), marker.fillna(False).astype(bool)


def read_tidy(path: Path, problems: list[Problem]) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in TIDY_COLUMNS if c not in frame.columns and c != "suppressed"]
    if missing:
        problems.append(error(path.name, 1, ", ".join(missing), None, "benchmark file is missing columns",
                              "use the tidy format: " + ", ".join(TIDY_COLUMNS)))
        return empty_tidy()
    out = frame.copy()
    flagged = pd.Series(False, index=frame.index)
    for column in ("numerator", "denominator", "value"):
        out[column], marker = numbers(frame[column])
        flagged |= marker
    if "suppressed" in frame:
        flagged |= frame["suppressed"].str.strip().str.lower().isin(["true", "1", "y", "yes"])
    out["suppressed"] = flagged
    out["source"] = out["source"].replace("", path.name)
    for column in ("area_code", "area_name", "region_code", "region_name", "period", "indicator", "geographic_level"):
        out[column] = out[column].str.strip().replace("", None)
    return out[TIDY_COLUMNS]


def read_neighbours(path: Path) -> dict[str, list[str]]:
    frame = pd.read_csv(path, dtype=str)
    frame["rank"] = pd.to_numeric(frame["rank"])
    return {code: list(group.sort_values("rank")["neighbour_code"])
            for code, group in frame.groupby("area_code")}


def load_benchmarks(folder: Path | None) -> Benchmarks:
    """Read every benchmark file in the folder (or a single file)."""
    if folder is None:
        return Benchmarks(empty_tidy())
    folder = Path(folder)
    paths = [folder] if folder.is_file() else sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    problems: list[Problem] = []
    frames, neighbours, files = [], {}, []
    for path in paths:
        kind = detect_benchmark(path)
        if kind == "tidy":
            frames.append(read_tidy(path, problems))
        elif kind == "neighbours":
            neighbours.update(read_neighbours(path))
        else:
            extra = read_other_benchmark(path, kind, problems)
            if extra is None:
                problems.append(warning(path.name, None, None, None, "not a benchmark file this book can read; it was skipped",
                                        "use the tidy format, a DfE explore-education-statistics CSV, or the statistical-neighbours workbook"))
                continue
            if isinstance(extra, dict):
                neighbours.update(extra)
            else:
                frames.append(extra)
        files.append(path.name)
    tidy = pd.concat(frames, ignore_index=True) if frames else empty_tidy()
    tidy["suppressed"] = tidy["suppressed"].astype(bool)
    return Benchmarks(tidy=tidy, neighbours=neighbours, problems=problems, files=files)


def detect_benchmark(path: Path) -> str | None:
    if path.suffix.lower() != ".csv":
        return _detect_other(path)
    header = path.open(encoding="utf-8-sig", errors="replace").readline().strip().lower().split(",")
    if {"indicator", "geographic_level", "area_code", "value"} <= set(header):
        return "tidy"
    if NEIGHBOUR_COLUMNS <= set(header):
        return "neighbours"
    return _detect_other(path)


def _detect_other(path: Path) -> str | None:
    """Other published formats (DfE EES CSVs, SFR tables, the neighbours workbook)."""
    try:
        from . import benchmarks_readers
    except ImportError:
        return None
    return benchmarks_readers.detect(path)


def read_other_benchmark(path: Path, kind: str | None, problems: list[Problem]):
    if kind is None:
        return None
    from . import benchmarks_readers
    return benchmarks_readers.read(path, kind, problems)


def rows_for(tidy: pd.DataFrame, indicator: str, codes: list[str]) -> pd.DataFrame:
    rows = tidy[(tidy["indicator"] == indicator) & tidy["area_code"].isin(codes)]
    return rows.assign(value=np.where(rows["suppressed"], np.nan, rows["value"]))
