"""Helpers shared by the adapters: the SourceRead record, raw frames, dates, codes, problem logs.

Adapters turn a standard return into *raw* frames: canonical column names, every
value a string or ``None``, plus ``_file`` and ``_row`` (see ``prebirth.data.schema``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from ..problems import Problem
from ...periods import financial_year_label

# Dates a case-management system can hold but pandas (nanosecond timestamps) cannot, or that
# are certainly typing slips (a child born in 1066): reported, never passed on silently.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2100


@dataclass
class SourceRead:
    """What one input file gave: raw tables, problems, and how the data chapter names it.

    ``as_of`` is the end of the period the file covers (ISO date, e.g. ``2023-03-31`` for
    the 2022/23 census); ``stack`` uses it to decide which return is the latest. A read
    with no ``as_of`` (an analyst's own canonical table) counts as the most recent.
    """

    kind: str
    file: str
    label: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    cannot_provide: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    period: str | None = None
    as_of: str | None = None
    la_code: str | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def rows(self) -> int:
        return sum(len(frame) for frame in self.tables.values())


class ProblemLog:
    """Collect the problems of one file, listing at most ``limit`` of each kind.

    A 100,000-child file with the same slip on every child should give a readable report:
    the first ``limit`` occurrences, then one line saying how many more there are.
    """

    def __init__(self, file: str, limit: int = 20):
        self.file = file
        self.limit = limit
        self.problems: list[Problem] = []
        self._seen: Counter = Counter()
        self._example: dict = {}

    def add(self, level: str, row, column, value, message: str, fix: str = "", kind=None) -> None:
        key = kind or (level, column, message)
        self._seen[key] += 1
        if self._seen[key] <= self.limit:
            self.problems.append(Problem(level, self.file, row, column,
                                         None if value is None else str(value), message, fix))
        else:
            self._example.setdefault(key, (level, column, message, fix))

    def error(self, row, column, value, message, fix="", kind=None) -> None:
        self.add("error", row, column, value, message, fix, kind)

    def warning(self, row, column, value, message, fix="", kind=None) -> None:
        self.add("warning", row, column, value, message, fix, kind)

    def finish(self) -> list[Problem]:
        """The problems, with one summary line for each kind that went over the limit."""
        out = list(self.problems)
        for key, (level, column, message, fix) in self._example.items():
            more = self._seen[key] - self.limit
            out.append(Problem(level, self.file, None, column, None,
                               f"{more:,} more like this: {message}", fix))
        return out


def raw_frame(columns: dict[str, list], file: str, rows: list) -> pd.DataFrame:
    """A raw frame (object dtype, ``None`` for blanks) with its provenance columns."""
    data = dict(columns)
    data["_file"] = [file] * len(rows)
    data["_row"] = rows
    return pd.DataFrame(data, dtype=object)


def empty_frame(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in [*columns, "_file", "_row"]})


def blank_to_none(value) -> str | None:
    """Text of a cell, stripped; ``None`` when blank."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00(?:\.0+)?)?)?Z?")
_UK = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


@lru_cache(maxsize=65536)
def iso_date(text: str) -> str | None:
    """An ISO ``YYYY-MM-DD`` date from ISO or UK ``DD/MM/YYYY`` text; ``None`` if not a real date.

    Cached because returns repeat the same dates many thousands of times.
    """
    match = _ISO.fullmatch(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _UK.fullmatch(text)
        if not match:
            return None
        day, month, year = (int(g) for g in match.groups())
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def date_problem_message(text: str, expected: str) -> str:
    """Why a date could not be read, in words."""
    year = re.search(r"\d{4,}", text)
    if year and len(year.group()) == 4 and not EARLIEST_YEAR <= int(year.group()) <= LATEST_YEAR:
        return f"not a plausible date (the year is outside {EARLIEST_YEAR}-{LATEST_YEAR})"
    return f"not a date in the form {expected}"


def financial_year(end_year: int) -> str:
    """The label of the year ending 31 March ``end_year``: 2022 -> ``2021/22``."""
    return financial_year_label(end_year - 1)


def financial_year_of(iso: str) -> str:
    """The financial year (April-March) that an ISO date falls in."""
    year, month = int(iso[:4]), int(iso[5:7])
    return financial_year(year + 1 if month >= 4 else year)


_SEX = {
    "1": "M", "M": "M", "MALE": "M",
    "2": "F", "F": "F", "FEMALE": "F",
    # 0 = not known (the CIN code for an unborn child), 9 = not specified.
    "0": "U", "9": "U", "U": "U", "UNKNOWN": "U", "NOT KNOWN": "U", "NOT STATED": "U",
    "NOT STATED/RECORDED": "U", "NOT RECORDED": "U", "INDETERMINATE": "U", "UNBORN": "U",
}
_LIST_PREFIX = re.compile(r"^[a-z]{1,2}\)\s*")


def sex_code(value: str | None) -> str | None:
    """M/F/U from the codes of the CIN census (GenderCurrent 0/1/2/9, Sex M/F/U), 903 and Annex A.

    Returns ``None`` for a blank; raises ``KeyError`` for a value that is none of these.
    """
    if value is None:
        return None
    text = _LIST_PREFIX.sub("", str(value).strip()).upper()
    if not text:
        return None
    return _SEX[text]


def strip_list_prefix(value: str | None) -> str | None:
    """Annex A drop-down answers carry a letter: ``'b) Female'`` -> ``'Female'``."""
    if value is None:
        return None
    return _LIST_PREFIX.sub("", value).strip() or None


def year_in_name(name: str) -> int | None:
    """A collection year written in a file name (``SSDA903_2020_header.csv`` -> 2020)."""
    match = re.search(r"(?<!\d)(20\d{2})(?!\d)", name)
    return int(match.group(1)) if match else None


def dob_rounding_warning(dates: list, file: str, column: str) -> Problem | None:
    """A warning when (nearly) every date of birth is the 1st of the month.

    Some extracts round dates of birth to the month for privacy; a baby's age in days,
    and so 'newborn', cannot then be measured.
    """
    known = [d for d in dates if d]
    if len(known) < 3:
        return None
    first = sum(1 for d in known if d.endswith("-01"))
    if first == len(known) or (len(known) >= 20 and first / len(known) >= 0.95):
        share = "every" if first == len(known) else f"{first:,} of {len(known):,}"
        return Problem("warning", file, None, column, None,
                       f"{share} date of birth is the 1st of the month: dates of birth look rounded to the "
                       "month, so a baby's age in days (and so 'newborn') cannot be measured",
                       "ask for the extract with full dates of birth")
    return None
