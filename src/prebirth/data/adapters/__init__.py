"""Standard returns and published files, read as analysts hold them (DESIGN 5.3, 5.4).

Three calls:

- ``detect(path)``: the kind of a file, from its content (XML root and header, CSV header
  columns, workbook sheets); one of ``DATA_KINDS`` or ``BENCHMARK_KINDS``, or None.
- ``read(path, kind=None)``: a ``SourceRead`` with raw frames (canonical column names,
  strings or None, ``_file``/``_row``), problems, a label for the data chapter
  ("CIN census 2021/22: 1,204 children") and what the source cannot provide. Raises
  ``DataError`` when the file cannot be read at all (e.g. malformed XML); problems with
  single values come back in ``SourceRead.problems``.
- ``stack(reads)``: several reads (several years of one return, or several returns) into
  one history per table. A record present in many reads is one record: for each field the
  latest read's value wins, a blank never overwrites a value, and two different values
  give a warning naming the record and the field. Reads are ordered by ``as_of`` (the end
  of the period each covers); a read without ``as_of`` counts as the latest.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from .. import benchmarks_readers
from ..problems import DataError, Problem
from ..schema import PROVENANCE, TABLES
from ._common import SourceRead, raw_frame
from .annex_a import read_annex_a
from .cin_census import first_element, read_cin_census
from .ssda903 import read_903_episodes, read_903_header, read_903_other, read_903_xml

__all__ = ["SourceRead", "detect", "read", "stack", "DATA_KINDS", "BENCHMARK_KINDS", "KIND_NAMES"]

DATA_KINDS = ("cin_census", "ssda903_header", "ssda903_episodes", "ssda903_xml", "ssda903_other",
              "annex_a", "canonical_csv", "canonical_workbook")
BENCHMARK_KINDS = benchmarks_readers.KINDS  # benchmark_tidy, ees, sfr, statistical_neighbours, la_code_list
KIND_NAMES = {
    "cin_census": "CIN census XML", "ssda903_header": "SSDA903 header table",
    "ssda903_episodes": "SSDA903 episodes table", "ssda903_xml": "SSDA903 XML export",
    "ssda903_other": "another SSDA903 table", "annex_a": "Ofsted Annex A workbook",
    "canonical_csv": "canonical table (CSV)", "canonical_workbook": "canonical tables (workbook)",
    "benchmark_tidy": "benchmarks (tidy CSV)", "ees": "DfE explore-education-statistics CSV",
    "sfr": "DfE SFR table", "statistical_neighbours": "DfE statistical neighbours",
    "la_code_list": "DfE LA code list",
}

# Fields whose change from one return to the next is expected, not a conflict: the
# referral outcome is derived from what the episode held at each census.
NOT_CONFLICTS = {"outcome"}
MAX_LISTED = 20


# -- detection ---------------------------------------------------------------------------------

def _csv_header(path: Path) -> list[str]:
    with open(path, "rb") as handle:
        first = handle.readline(65536)
    text = first.decode("utf-8-sig", "replace")
    return [c.strip() for c in next(csv.reader([text]), [])]


def _canonical_table(columns: set[str], stem: str) -> str | None:
    """The canonical table a CSV holds: its file name if that names a table, else by its columns."""
    if stem in TABLES and set(TABLES[stem].required) <= columns:
        return stem
    best = None
    for name, table in TABLES.items():
        required = set(table.required)
        if required and required <= columns:
            score = len(columns & set(table.column_names))
            if best is None or score > best[0]:
                best = (score, name)
    return best[1] if best else None


def _detect_xml(path: Path) -> str | None:
    tag, _ = first_element(path)
    with open(path, "rb") as handle:
        start = handle.read(8192).decode("utf-8", "replace")
    local = tag.split("}")[-1] if tag else None
    if local == "Message" or (tag is None and "<Message" in start):
        if "<Collection>CIN" in start or "<Children" in start or "CINdetails" in start:
            return "cin_census"
    if (local and "903" in local) or re.search(r"<CHILD>\s*<HEADER>", start):
        return "ssda903_xml"
    return None


def _detect_workbook(path: Path) -> str | None:
    try:
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True)
    except Exception:  # not a workbook openpyxl can open
        return None
    try:
        titles = [s.title for s in book.worksheets]
    finally:
        book.close()
    if any(re.search(r"list\s*(3|4|8)(?!\d)", t, re.IGNORECASE) for t in titles):
        return "annex_a"
    if any(t.strip().lower() in TABLES for t in titles):
        return "canonical_workbook"
    return benchmarks_readers.detect(path)


def detect(path) -> str | None:
    """The kind of a file, from its content; None when it is none this book reads."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        return None
    if suffix == ".xml":
        return _detect_xml(path)
    if suffix in (".xlsx", ".xlsm"):
        return _detect_workbook(path)
    if suffix not in (".csv", ".txt"):
        return None
    header = _csv_header(path)
    upper = {h.upper() for h in header}
    if {"CHILD", "DECOM"} <= upper:
        return "ssda903_episodes"
    if {"CHILD", "DOB", "SEX"} <= upper:
        return "ssda903_header"
    if header and header[0].upper() == "CHILD":
        return "ssda903_other"
    kind = benchmarks_readers.detect(path)
    if kind:
        return kind
    if _canonical_table({h.lower() for h in header}, path.stem.lower()):
        return "canonical_csv"
    return None


# -- reading -----------------------------------------------------------------------------------

def _read_canonical_csv(path: Path) -> SourceRead:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataError([Problem("error", path.name, line, None, None, "the file is not UTF-8 text",
                                 "save it as 'CSV UTF-8 (Comma delimited)' from Excel")]) from None
    rows = list(csv.reader(io.StringIO(text)))
    header = [h.strip().lower() for h in rows[0]] if rows else []
    table = _canonical_table(set(header), path.stem.lower())
    if table is None:
        raise DataError([Problem("error", path.name, 1, None, ",".join(header)[:120],
                                 "these columns are not those of any canonical table",
                                 "name the file after its table (e.g. children.csv) and use the columns of the data guide")])
    columns = {h: [] for h in header}
    numbers = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        for position, name in enumerate(header):
            value = cells[position].strip() if position < len(cells) else ""
            columns[name].append(value or None)
        numbers.append(number)
    frame = raw_frame(columns, path.name, numbers)
    return SourceRead("canonical_csv", path.name, f"{table} table ({len(frame):,} rows)", {table: frame})


def _read_canonical_workbook(path: Path) -> SourceRead:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    tables = {}
    try:
        for sheet in book.worksheets:
            name = sheet.title.strip().lower()
            if name not in TABLES:
                continue
            rows = list(sheet.iter_rows(values_only=True))
            if not rows:
                continue
            header = [str(h).strip().lower() if h is not None else "" for h in rows[0]]
            columns = {h: [] for h in header if h}
            numbers = []
            for number, cells in enumerate(rows[1:], start=2):
                if all(c is None or str(c).strip() == "" for c in cells):
                    continue
                for position, column in enumerate(header):
                    if column:
                        value = cells[position] if position < len(cells) else None
                        if hasattr(value, "date") and not isinstance(value, str):
                            value = value.date().isoformat()
                        text = None if value is None else str(value).strip()
                        columns[column].append(text or None)
                numbers.append(number)
            if numbers:
                frame = raw_frame(columns, f"{path.name} [{sheet.title}]", numbers)
                tables[name] = frame
    finally:
        book.close()
    label = f"workbook {path.name}: " + ", ".join(f"{n} ({len(f):,} rows)" for n, f in tables.items())
    return SourceRead("canonical_workbook", path.name, label, tables)


def _read_benchmark(path: Path, kind: str) -> SourceRead:
    problems: list[Problem] = []
    if kind == "statistical_neighbours":
        neighbours = benchmarks_readers.read_statistical_neighbours(path, problems)
        rows = [(area, rank, code) for area, codes in neighbours.items() for rank, code in enumerate(codes, start=1)]
        frame = pd.DataFrame(rows, columns=["area_code", "rank", "neighbour_code"])
        label = f"statistical neighbours: {len(neighbours):,} authorities"
        return SourceRead(kind, path.name, label, {"statistical_neighbours": frame}, problems)
    if kind == "la_code_list":
        frame = benchmarks_readers.read_la_code_list(path, problems)
        return SourceRead(kind, path.name, f"LA code list: {len(frame):,} authorities", {"la_codes": frame}, problems)
    tidy = benchmarks_readers.read(path, kind, problems)
    periods = sorted(p for p in tidy["period"].dropna().unique())
    span = f" {periods[0]} to {periods[-1]}" if periods else ""
    label = f"{KIND_NAMES[kind]}{span}: {len(tidy):,} figures"
    return SourceRead(kind, path.name, label, {"benchmarks": tidy}, problems)


READERS = {
    "cin_census": read_cin_census,
    "ssda903_header": read_903_header,
    "ssda903_episodes": read_903_episodes,
    "ssda903_xml": read_903_xml,
    "ssda903_other": read_903_other,
    "annex_a": read_annex_a,
    "canonical_csv": lambda path: _read_canonical_csv(Path(path)),
    "canonical_workbook": lambda path: _read_canonical_workbook(Path(path)),
}


def read(path, kind: str | None = None) -> SourceRead:
    """Read one file of the given (or detected) kind. Raises ``DataError`` if it cannot be read at all."""
    path = Path(path)
    if not path.is_file():
        raise DataError([Problem("error", path.name, None, None, None, "the file does not exist",
                                 "check the path in the parameters file")])
    kind = kind or detect(path)
    if kind is None:
        raise DataError([Problem("error", path.name, None, None, None,
                                 "this is not a file the book can read (not a CIN census, SSDA903, Annex A, "
                                 "canonical table or benchmark file)",
                                 "check the file, or remove it from the folder")])
    if kind in READERS:
        return READERS[kind](path)
    if kind in BENCHMARK_KINDS:
        return _read_benchmark(path, kind)
    raise DataError([Problem("error", path.name, None, None, kind, "unknown kind of source",
                             "use one of: " + ", ".join((*DATA_KINDS, *BENCHMARK_KINDS)))])


# -- stacking ----------------------------------------------------------------------------------

def _describe_key(key: list[str], values) -> str:
    values = values if isinstance(values, tuple) else (values,)
    if key == ["child_id"]:
        return f"child {values[0]}"
    if key == ["child_id", "start_date"]:
        return f"child {values[0]}'s episode starting {values[1]}"
    return " + ".join(f"{k} {v}" for k, v in zip(key, values))


def _merge_latest(name: str, frames: list[tuple[int, pd.DataFrame]], problems: list[Problem]) -> pd.DataFrame:
    key = list(TABLES[name].key)
    combined = pd.concat([f.assign(_order=rank) for rank, f in frames], ignore_index=True)
    combined = combined.astype(object).where(combined.notna(), None)
    keyed = combined[key].notna().all(axis=1)
    loose = combined[~keyed]  # no id: kept as they are, validation reports the missing id
    data = combined[keyed].sort_values("_order", kind="stable")
    values = [c for c in data.columns if c not in key and c not in PROVENANCE and c != "_order"]
    unknown_sex = None
    if "sex" in data:
        # 'U' (not known, e.g. while unborn) never outweighs a known sex.
        unknown_sex = (data["sex"] == "U").groupby([data[k] for k in key], sort=False).any()
        data = data.assign(sex=data["sex"].where(data["sex"] != "U"))
    groups = data.groupby(key, sort=False, dropna=False)
    distinct = groups[values].nunique(dropna=True) if values else pd.DataFrame()
    latest = groups.last()
    if unknown_sex is not None:
        filled = latest["sex"].isna() & unknown_sex.reindex(latest.index, fill_value=False)
        latest.loc[filled, "sex"] = "U"
    listed = 0
    conflicts = 0
    for column in [c for c in values if c not in NOT_CONFLICTS]:
        clashing = distinct.index[distinct[column] > 1]
        for group_key in clashing:
            conflicts += 1
            if listed >= MAX_LISTED:
                continue
            rows = groups.get_group(group_key if isinstance(group_key, tuple) else (group_key,))
            rows = rows[rows[column].notna()]
            last = rows.iloc[-1]
            earlier = "; ".join(f"{v!r} in {f}" for v, f in
                                rows[rows[column] != last[column]][[column, "_file"]].drop_duplicates().itertuples(
                                    index=False, name=None))
            problems.append(Problem(
                "warning", last["_file"], last["_row"], column, last[column],
                f"{_describe_key(key, group_key)} has {column} {last[column]!r} here but {earlier}: "
                "the latest return's value was used",
                "correct the record in the case-management system so the returns agree"))
            listed += 1
    if conflicts > listed:
        problems.append(Problem("warning", "", None, None, None,
                                f"{conflicts - listed:,} more values differ between returns in the {name} table; "
                                "the latest return's values were used", ""))
    merged = latest.reset_index()
    columns = [c for c in combined.columns if c != "_order"]
    merged = pd.concat([merged[columns], loose[columns]], ignore_index=True)
    return merged.astype(object).where(merged.notna(), None)


def stack(reads: list[SourceRead]) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Stack several reads into one history per table.

    Returns the tables and every problem: those of each read, then those of the stacking
    (values that differ between returns). Tables with a key in the schema are merged on
    it (children on child_id, episodes on child + start date, referrals on referral_id ...);
    other tables are concatenated, exact repeats removed.
    """
    order = sorted(range(len(reads)), key=lambda i: (reads[i].as_of is None, reads[i].as_of or "", i))
    rank = {index: position for position, index in enumerate(order)}
    problems: list[Problem] = [p for r in reads for p in r.problems]
    by_table: dict[str, list[tuple[int, pd.DataFrame]]] = {}
    for index, source in enumerate(reads):
        for name, frame in source.tables.items():
            by_table.setdefault(name, []).append((rank[index], frame))
    tables: dict[str, pd.DataFrame] = {}
    for name, frames in by_table.items():
        if name in TABLES and TABLES[name].key:
            tables[name] = _merge_latest(name, frames, problems)
        else:
            frames = [f for _, f in sorted(frames, key=lambda pair: pair[0])]
            combined = pd.concat(frames, ignore_index=True)
            content = [c for c in combined.columns if c not in PROVENANCE]
            tables[name] = combined.drop_duplicates(content, keep="last").reset_index(drop=True)
    return tables, problems
