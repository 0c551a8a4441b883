"""Benchmarks: published figures for England, regions and other authorities (DESIGN 5.4).

The readers of each published format live in ``benchmarks_readers``; this module
gathers a benchmarks folder (and its sub-folders) into one tidy frame with the
columns ``TIDY_COLUMNS`` (plus ``_file`` and ``_row``: where each figure came from).
A suppressed published cell is ``NaN`` with ``suppressed`` True, never 0. When two
releases give the same figure, the newer release is used.

The benchmarks are read and checked with the area's data, before any chapter runs
(``load_area_data`` adds their errors to its own): a figure the chapters could not use
stops the build there, naming its file, row, column and value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .benchmarks_readers import (
    TIDY_COLUMNS, benchmark_places, check_tidy, codes_from_folder, empty_tidy, place_regions,
    prefer_latest_release, read_folder,
)
from .problems import DataError, Problem

__all__ = ["Benchmarks", "TIDY_COLUMNS", "empty_tidy", "load_benchmarks"]


@dataclass
class Benchmarks:
    tidy: pd.DataFrame
    neighbours: dict[str, list[str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    # Figures replaced by a later release of the same figure (same period, area and indicator): kept so a
    # page can say "as first published" beside "as revised". Same columns as ``tidy``.
    superseded: pd.DataFrame = field(default_factory=empty_tidy)

    def indicator(self, indicator: str) -> pd.DataFrame:
        return self.tidy[self.tidy["indicator"] == indicator]

    def region_of(self, area_code: str) -> str | None:
        rows = self.tidy.loc[self.tidy["area_code"] == area_code, "region_name"].dropna()
        return rows.iloc[0] if len(rows) else None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]


def load_benchmarks(folder: Path | None, *, strict: bool = True) -> Benchmarks:
    """Read every benchmark file in the folder and its sub-folders (or a single file).

    Files in a sub-folder are named by their path inside the folder
    (``legacy_sfr_adm/SFR20_ADM2012.csv``). LA numbers, codes and regions are learned from
    every file first, wherever it lies. With ``strict`` (the default) an error in any
    file raises ``DataError`` listing every problem; without it the errors are returned
    in ``problems`` (``load_area_data`` and ``prebirth validate`` gather them with the
    data's own).
    """
    if folder is None:
        return Benchmarks(empty_tidy())
    folder = Path(folder)
    codes = codes_from_folder(folder)
    frames, neighbours, problems, files, superseded = [], {}, [], [], []
    for place in benchmark_places(folder):
        prefix = "" if place == folder or not folder.is_dir() else f"{place.relative_to(folder).as_posix()}/"
        tidy, found_neighbours, found, read = read_folder(place, codes, prefix, superseded)
        if not tidy.empty:
            frames.append(tidy)
        neighbours.update(found_neighbours)
        problems += found
        files += read
    tidy = pd.concat(frames, ignore_index=True) if frames else empty_tidy()
    if len(frames) > 1:
        tidy = prefer_latest_release(tidy, problems, superseded)
    tidy["suppressed"] = tidy["suppressed"].fillna(False).astype(bool)
    code_list_read = "la_code_list" in codes.learned_from.values()
    tidy = place_regions(tidy.reset_index(drop=True), codes, problems, code_list_read)
    check_tidy(tidy, problems)
    older = pd.concat(superseded, ignore_index=True) if superseded else empty_tidy()
    benchmarks = Benchmarks(tidy=tidy.reset_index(drop=True), neighbours=neighbours, problems=problems, files=files,
                            superseded=older)
    if strict and benchmarks.errors:
        raise DataError(problems)
    return benchmarks
