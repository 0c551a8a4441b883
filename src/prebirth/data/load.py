"""Read an area's data (a canonical CSV folder or workbook) into checked canonical tables.

A folder may also hold the standard returns (CIN census XML, SSDA903 tables or XML,
Ofsted Annex A): each file's kind is detected from its content and read by
``prebirth.data.adapters``; several years of a return are stacked into one history.

Input files are only ever opened for reading.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from .. import disclosure
from . import adapters
from .problems import DataError, Problem, error, warning
from .schema import PROVENANCE, REQUIRED_TABLES, TABLES
from .validate import validate


@dataclass
class SourceFile:
    """One input file as read: for the data chapter and 'About this report'."""

    path: str  # as shown to readers: the file name, never a full path of the analyst's machine
    kind: str
    label: str
    rows: int
    sha256: str
    tables: list[str] = field(default_factory=list)
    cannot_provide: list[str] = field(default_factory=list)


@dataclass
class AreaData:
    """The canonical tables of one area, with the warnings and the files they came from."""

    tables: dict[str, pd.DataFrame]
    problems: list[Problem]
    sources: list[SourceFile]

    def has(self, name: str) -> bool:
        return name in self.tables and not self.tables[name].empty

    def get(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def extract_date(self) -> pd.Timestamp | None:
        """The latest date anywhere in the data: open episodes are censored here.

        Expected dates of birth are forecasts (an unborn baby's lies after the extract),
        so they do not count; nor do the self-assessment rounds.
        """
        latest = []
        for name, frame in self.tables.items():
            for column in TABLES[name].columns:
                if (column.kind == "date" and column.name in frame and name != "rag"
                        and column.name != "expected_date_of_birth"):
                    value = frame[column.name].max()
                    if pd.notna(value):
                        latest.append(value)
        return max(latest) if latest else None

    def identifiers(self) -> frozenset[str]:
        """Every id of a person or record in the data (children, parents, referrals, ...)."""
        ids: set[str] = set()
        for name, frame in self.tables.items():
            for column in TABLES[name].columns:
                if column.kind == "id" and column.name in frame and name != "rag":
                    ids.update(str(v) for v in frame[column.name].dropna().unique())
        return frozenset(ids)

    def for_publication(self, min_count: int) -> "AreaData":
        """The same tables, with warnings and file descriptions safe to publish (DESIGN 9).

        A published book may say *what* was noticed in the data but never about whom:
        identifiers and full dates in warning messages are withheld, their row numbers
        and values dropped (the analyst sees them in ``prebirth validate``), and counts
        of people from 1 to ``min_count - 1`` in messages and file labels shown as ``c``.
        """
        cache = self.__dict__.setdefault("_published", {})
        if min_count not in cache:
            ids = self.identifiers()

            def clean(text: str) -> str:
                text = disclosure.withhold_identifiers_in_text(text, ids)
                return disclosure.withhold_small_counts_in_text(text, min_count)

            problems = [replace(p, row=None, value=None, message=clean(p.message), fix=clean(p.fix))
                        for p in self.problems]
            sources = [replace(s, label=disclosure.withhold_small_counts_in_text(s.label, min_count),
                               cannot_provide=[clean(text) for text in s.cannot_provide])
                       for s in self.sources]
            cache[min_count] = AreaData(tables=self.tables, problems=problems, sources=sources)
        return cache[min_count]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_csv_text(path: Path, problems: list[Problem]) -> pd.DataFrame | None:
    """Read a CSV file as strings with provenance columns; None (and a problem) if unreadable."""
    name = path.name
    data = path.read_bytes()
    if not data.strip():
        problems.append(error(name, None, None, None, "the file is empty",
                              "export the table again with its header row, or remove the file"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(error(name, line, None, repr(data[exc.start: exc.start + 1]),
                              "the file is not UTF-8 text",
                              "save it as 'CSV UTF-8 (Comma delimited)' from Excel, or re-export as UTF-8"))
        return None
    header = text.splitlines()[0]
    if "," not in header and (";" in header or "\t" in header):
        sep = ";" if ";" in header else "tab"
        problems.append(error(name, 1, None, header[:60], f"the columns are separated by {sep}s, not commas",
                              "save the file as comma-separated CSV"))
        return None
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""],
                            skipinitialspace=True)
    except (pd.errors.ParserError, csv.Error) as exc:
        problems.append(error(name, None, None, None, f"not a well-formed CSV file ({exc})",
                              "check for unquoted commas or broken lines"))
        return None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    frame = frame.astype("object").where(frame.notna(), None)
    frame["_file"] = name
    frame["_row"] = range(2, len(frame) + 2)
    return frame


def _cell_text(value):
    """A workbook cell as the text a CSV would hold: dates typed in Excel become ISO dates."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_workbook(path: Path, problems: list[Problem]) -> dict[str, pd.DataFrame]:
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=object, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        problems.append(error(path.name, None, None, None, f"cannot open the workbook ({type(exc).__name__})",
                              "save it again from Excel as .xlsx"))
        return {}
    raw = {}
    for sheet, frame in sheets.items():
        table = sheet.strip().lower()
        if table not in TABLES:
            continue
        frame = frame.dropna(how="all")
        frame.columns = [str(c).strip().lower() for c in frame.columns]
        frame = frame.map(_cell_text)
        if frame.empty:
            continue
        frame["_file"] = f"{path.name} [{sheet}]"
        frame["_row"] = frame.index + 2
        raw[table] = frame.reset_index(drop=True)
    return raw


def read_raw(data: Path, kinds: dict[str, str] | None = None) -> tuple[dict[str, pd.DataFrame], list[Problem], list[SourceFile]]:
    """Read every canonical table found in a folder (``<table>.csv``) or workbook (one sheet each)."""
    problems: list[Problem] = []
    sources: list[SourceFile] = []
    raw: dict[str, pd.DataFrame] = {}
    if data.is_file() and data.suffix.lower() in (".xlsx", ".xlsm"):
        raw = _read_workbook(data, problems)
        sources.append(SourceFile(data.name, "workbook", f"workbook {data.name}", sum(len(f) for f in raw.values()),
                                  sha256_of(data), sorted(raw)))
        return raw, problems, sources
    if not data.is_dir():
        problems.append(error(str(data.name), None, None, None, "data must be a folder of CSV files or an .xlsx workbook",
                              "point 'data:' in the parameters file at the folder"))
        return raw, problems, sources
    returns: list = []  # standard returns (CIN census, SSDA903, Annex A), read by the adapters
    for path in sorted(data.iterdir()):
        if path.name.startswith((".", "~$")) or not path.is_file():
            continue
        table = path.stem.lower()
        if path.suffix.lower() == ".csv" and table in TABLES:
            frame = read_csv_text(path, problems)
            if frame is None:
                continue
            raw[table] = frame
            sources.append(SourceFile(path.name, "canonical CSV", f"{table} table ({len(frame):,} rows)",
                                      len(frame), sha256_of(path), [table]))
            continue
        kind = (kinds or {}).get(path.name) or adapters.detect(path)
        if kind in adapters.DATA_KINDS and kind not in ("canonical_csv", "canonical_workbook"):
            try:
                source = adapters.read(path, kind)
            except DataError as exc:  # the file cannot be read at all: say why, go on with the others
                problems.extend(exc.problems)
                continue
            returns.append(source)
            sources.append(SourceFile(path.name, adapters.KIND_NAMES[kind], source.label, source.rows,
                                      sha256_of(path), sorted(source.tables), list(source.cannot_provide)))
        elif kind in adapters.BENCHMARK_KINDS:
            problems.append(warning(path.name, None, None, None,
                                    "this is a benchmark file, not the area's own data, and was not read here",
                                    "move it to the benchmarks folder named in the parameters file"))
        else:
            problems.append(warning(path.name, None, None, None,
                                    "this file is not one of the canonical tables and was not read",
                                    "name canonical tables after their table (e.g. children.csv); see the data guide"))
    if returns:
        # Several years of a return are one history; a canonical table of the same name counts as the latest.
        own = [adapters.SourceRead("canonical_csv", f"{name}.csv", name, {name: frame})
               for name, frame in raw.items() if any(name in r.tables for r in returns)]
        stacked, found = adapters.stack(returns + own)
        problems.extend(found)
        raw.update({name: frame for name, frame in stacked.items() if name in TABLES})
    return raw, problems, sources


def load_area_data(data: Path, kinds: dict[str, str] | None = None) -> AreaData:
    """Read and validate the area's data. Raises DataError listing every error found.

    ``kinds`` names the kind of a file where detection from its content needs help
    (the parameters' ``sources:``), e.g. ``{"returns_2021.xml": "cin_census"}``.
    """
    unknown = sorted(set((kinds or {}).values()) - set(adapters.DATA_KINDS))
    if unknown:
        raise DataError([error(str(Path(data).name), None, "sources", ", ".join(unknown), "unknown kind of source file",
                               "use one of: " + ", ".join(sorted(adapters.DATA_KINDS)))])
    raw, problems, sources = read_raw(Path(data), kinds)
    for name in REQUIRED_TABLES:
        if name not in raw and not any(p.level == "error" for p in problems):
            problems.append(error(str(Path(data).name), None, None, None, f"the {name} table is missing",
                                  f"add {name}.csv (one row per child; column child_id at least)"))
    if any(p.level == "error" for p in problems):
        raise DataError(problems)
    tables, found = validate(raw)
    problems += found
    if any(p.level == "error" for p in problems):
        raise DataError(problems)
    return AreaData(tables=tables, problems=problems, sources=sources)


def without_provenance(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[c for c in PROVENANCE if c in frame])
