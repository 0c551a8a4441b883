"""Read an area's data (a canonical CSV folder or workbook) into checked canonical tables.

A folder may also hold the standard returns (CIN census XML, SSDA903 tables or XML,
Ofsted Annex A): each file's kind is detected from its content and read by
``prebirth.data.adapters``; several years of a return are stacked into one history.

Input files are only ever opened for reading.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from .. import disclosure
from . import adapters
from .headers import MAX_COLUMNS, repeated_columns as _repeated_columns
from .problems import DataError, Problem, error, warning
from .safe_files import NOT_REGULAR_FIX, FileRefused, not_regular, read_bytes
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
    la_code: str | None = None  # the LA number a standard return names (CIN census <LEA>)


class RecordedTables(dict):
    """The tables of an area, remembering which ones were asked for (present or not).

    A chapter's result depends only on the tables it read: the build keeps a computed result
    while those tables are unchanged, whatever happens to the others.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.read: set[str] = set()

    def __getitem__(self, name):
        self.read.add(name)
        return super().__getitem__(name)

    def get(self, name, default=None):
        self.read.add(name)
        return super().get(name, default)

    def __contains__(self, name) -> bool:
        self.read.add(name)
        return super().__contains__(name)

    def _all(self):
        self.read.update(self.keys())

    def items(self):
        self._all()
        return super().items()

    def values(self):
        self._all()
        return super().values()

    def __iter__(self):
        self._all()
        return super().__iter__()

    def __reduce__(self):  # pickled as a plain dict of tables: what was read belongs to one chapter's run
        return dict, (dict(super().items()),)


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
        # Every table's dates decide it: a chapter that censors here has read them all (this look is recorded).
        for name, frame in self.tables.items():
            for column in TABLES[name].columns:
                if (column.kind == "date" and column.name in frame and name != "rag"
                        and column.name != "expected_date_of_birth"):
                    value = frame[column.name].max()
                    if pd.notna(value):
                        latest.append(value)
        return max(latest) if latest else None

    def identifiers(self, among=None) -> frozenset[str]:
        """Every id of a person or record in the data (children, parents, referrals, ...);
        with ``among`` (words of some text), only those of its words that are such ids."""
        ids: set[str] = set()
        if among is not None and not among:
            return frozenset()  # no words to look for (no warnings): nothing to search
        words = None if among is None else pd.Series(sorted(among), dtype=object)
        # Looking for ids in warnings is not reading the tables: a chapter's record of what it read
        # (which decides when its result is computed again) leaves this out.
        for name, frame in dict.items(self.tables):
            for column in TABLES[name].columns:
                if column.kind == "id" and column.name in frame and name != "rag":
                    values = frame[column.name].dropna()
                    if words is not None:  # a few words against many ids: vectorised, no huge set
                        ids.update(words[words.isin(values.astype(object))])
                    else:
                        ids.update(values.astype(str).unique())
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
            texts = [t for p in self.problems for t in (p.message, p.fix)]
            texts += [t for s in self.sources for t in s.cannot_provide]
            ids = self.identifiers(among=_pieces(texts))

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


_CLASS_CHANGE = re.compile(r"(?<=[A-Za-z0-9_-])(?=[^A-Za-z0-9_-])|(?<=[^A-Za-z0-9_-])(?=[A-Za-z0-9_-])")
_MOST_SEGMENTS = 24  # an id of up to 12 words and 12 separators ('KID/0001', 'A 12', '2020/PB/7')


def _pieces(texts) -> set[str]:
    """Every stretch of each text that could be an id, however the id is written: the text is cut
    where letters and digits give way to other characters (and back), and every run of up to
    ``_MOST_SEGMENTS`` consecutive pieces, each line apart, is a candidate. Looking the candidates up
    among the ids is quick; scanning the text for each of many thousands of ids would not be."""
    found: set[str] = set()
    for text in texts:
        for line in (text or "").splitlines():
            cuts = [0] + [m.start() for m in _CLASS_CHANGE.finditer(line)] + [len(line)]
            for start in range(len(cuts) - 1):
                for end in range(start + 1, min(start + _MOST_SEGMENTS, len(cuts) - 1) + 1):
                    piece = line[cuts[start]:cuts[end]]
                    if piece.strip():
                        found.add(piece)
                        found.add(piece.strip())  # ' #7' holds the id '#7'

    return found


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_csv_text(path: Path, problems: list[Problem]) -> pd.DataFrame | None:
    """Read a CSV file as strings with provenance columns; None (and a problem) if unreadable.

    Only a regular file is read (a pipe or a device such as /dev/zero is refused at once). A
    first line ``sep=,`` (the separator hint Excel writes and hides) is skipped; rows are
    numbered as Excel shows them, so the header is row 1 either way.
    """
    name = path.name
    try:
        data = read_bytes(path)
    except FileRefused as exc:
        problems.append(error(name, None, None, None, exc.message, NOT_REGULAR_FIX))
        return None
    if not data.strip():
        problems.append(error(name, None, None, None, "the file is empty",
                              "export the table again with its header row, or remove the file"))
        return None
    other = _not_text(data)
    if other:
        problems.append(error(name, None, None, None, f"this is not a CSV text file: it is {other}",
                              "save the table from Excel as 'CSV UTF-8 (Comma delimited)' (.csv), or give a "
                              "workbook (.xlsx) itself as 'data:' in the parameters file"))
        return None
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data[:nul].count(b"\n") + 1
        problems.append(error(name, line, None, None,
                              f"the file holds a NUL byte (a zero byte, at byte {nul:,} on line {line}): it is a "
                              "binary file or a damaged one, not CSV text",
                              "export the table again as 'CSV UTF-8 (Comma delimited)'"))
        return None
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark (Excel's 'CSV UTF-8') is fine
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        start = data.rfind(b"\n", 0, exc.start) + 1
        end = data.find(b"\n", exc.start)
        shown = data[start: end if end >= 0 else None].decode("cp1252", errors="replace").strip()[:80]
        problems.append(error(name, line, None, shown,
                              f"the file is not UTF-8 text (byte {data[exc.start]:#04x} on line {line}; it looks like "
                              "Windows 'ANSI' text, e.g. an accented letter saved by an older Excel)",
                              "save it as 'CSV UTF-8 (Comma delimited)' from Excel, or re-export as UTF-8"))
        return None
    header = text.split("\n", 1)[0].rstrip("\r")
    hint = re.fullmatch(r'"?sep=(.?)"?,*', header.strip(), re.IGNORECASE)
    if hint:
        # Excel's separator hint: not data, and Excel hides it. The header is the next line.
        if hint.group(1) not in (",", ""):
            problems.append(error(name, 1, None, header[:60],
                                  f"the first line says the columns are separated by {hint.group(1)!r}, not commas",
                                  "save the file from Excel as 'CSV UTF-8 (Comma delimited)'"))
            return None
        skip = data.index(b"\n") + 1 if b"\n" in data else len(data)
        data, text = data[skip:], text[len(text.split("\n", 1)[0]) + 1:]
        header = text.split("\n", 1)[0].rstrip("\r")
        if not header.strip():
            problems.append(error(name, None, None, None, "the file has a 'sep=,' line but no header row",
                                  "export the table again with its header row"))
            return None
    if "," not in header and (";" in header or "\t" in header):
        sep = "semicolons (;)" if ";" in header else "tabs"
        problems.append(error(name, 1, None, header[:60], f"the columns are separated by {sep}, not commas",
                              "save the file from Excel as 'CSV UTF-8 (Comma delimited)'; where the computer's "
                              "list separator is ';', change it to ',' or export with commas"))
        return None
    width = len(next(csv.reader([header]), []))
    if width > MAX_COLUMNS:
        problems.append(error(name, 1, None, header[:60] + ("..." if len(header) > 60 else ""),
                              f"the header has {width:,} columns; a table of this book has at most a few dozen "
                              f"(more than {MAX_COLUMNS:,} are refused without reading further)",
                              "check that this is the right file (one table, one row per record, its column "
                              "names in the first row, not a sheet turned sideways)"))
        return None
    try:
        # Blank lines are kept while reading so that row numbers match the rows a spreadsheet shows.
        # The bytes, already known to be UTF-8, go to the parser as they are (no second copy as text).
        # Cells come as they are, blanks as "" (no missing-value search in the parser: blanks are found below).
        frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=object, na_filter=False,
                            skipinitialspace=True, skip_blank_lines=False)
    except (pd.errors.ParserError, csv.Error) as exc:
        detail = " ".join(str(exc).split())
        line = re.search(r"line (\d+)", detail)
        problems.append(error(name, int(line.group(1)) if line else None, None, None,
                              f"not a well-formed CSV file ({detail})",
                              "check that line for an unquoted comma or quote mark, or a line broken in two"))
        return None
    if _repeated_columns(list(frame.columns), name, problems):
        return None
    columns, blank_rows = {}, np.ones(len(frame), dtype=bool)
    for position, column in enumerate(frame.columns):
        values = frame.iloc[:, position].to_numpy(dtype=object)
        # "" for a blank cell; NaN (the one value unequal to itself) for a cell a short row lacks
        blank = (values == "") | (values != values)
        if blank.any():
            values = values.copy()
            values[blank] = None  # a blank cell is None, as from every other reader
        blank_rows &= blank
        columns[str(column).strip().lower()] = values
    frame = pd.DataFrame(columns, dtype=object)
    frame["_file"] = name
    frame["_row"] = range(2, len(frame) + 2)
    frame = frame[~blank_rows].reset_index(drop=True)
    frame.attrs["file"] = name  # named even when it has no rows
    return frame


def _not_text(data: bytes) -> str | None:
    """What a binary file given as a CSV is, in words; None for text."""
    if data.startswith(b"PK\x03\x04"):
        return "an Excel workbook (.xlsx) or another zip file, named .csv"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old-style Excel workbook (.xls), named .csv"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16 text (Excel's 'Unicode Text'), not UTF-8"
    if b"\x00" in data[:4096]:
        return "a binary file"
    return None


def _read_workbook(path: Path, problems: list[Problem]) -> dict[str, pd.DataFrame]:
    from .workbook import read_workbook

    return read_workbook(path, problems)


def read_raw(data: Path, kinds: dict[str, str] | None = None) -> tuple[dict[str, pd.DataFrame], list[Problem], list[SourceFile]]:
    """Read every canonical table found in a folder (``<table>.csv``) or workbook (one sheet each)."""
    problems: list[Problem] = []
    sources: list[SourceFile] = []
    raw: dict[str, pd.DataFrame] = {}
    if data.is_file() and data.suffix.lower() in (".xlsx", ".xlsm"):
        raw = _read_workbook(data, problems)
        sources.append(SourceFile(data.name, "workbook", f"workbook {data.name}", sum(len(f) for f in raw.values()),
                                  sha256_of(data), sorted(raw)))
        # A sheet with its header only (as the template comes) is a table not supplied; the children
        # sheet stays, so that 'the children table has a header but no rows' is what is said.
        raw = {name: frame for name, frame in raw.items() if len(frame) or name in REQUIRED_TABLES}
        return raw, problems, sources
    if not data.is_dir():
        what = not_regular(data)
        problems.append(error(str(data.name), None, None, None,
                              f"data must be a folder of CSV files or an .xlsx workbook{f', but this is {what}' if what else ''}",
                              "point 'data:' in the parameters file at the folder"))
        return raw, problems, sources
    returns: list = []  # standard returns (CIN census, SSDA903, Annex A), read by the adapters
    for path in sorted(data.iterdir()):
        if path.name.startswith((".", "~$")):
            continue
        if path.is_dir():
            problems.append(warning(path.name, None, None, None,
                                    "this folder inside the data folder was not read (only the files directly in "
                                    "the data folder are)",
                                    "move its files into the data folder itself if they are the area's data"))
            continue
        what = not_regular(path)
        if what:
            problems.append(error(path.name, None, None, None, f"this is {what}, not an ordinary file, so it was not read",
                                  NOT_REGULAR_FIX + ", or remove it from the data folder"))
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
                                      sha256_of(path), sorted(source.tables), list(source.cannot_provide),
                                      source.la_code))
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
        for name, frame in stacked.items():
            if name not in TABLES:
                continue
            if frame.empty and name not in raw:
                # The returns hold no such records (a census without assessments): say which returns,
                # rather than leave validation to speak of a '<table>.csv' that does not exist.
                files = [r.file for r in returns if name in r.tables]
                problems.append(warning(", ".join(files), None, None, None,
                                        f"{'this return holds' if len(files) == 1 else 'these returns hold'} no "
                                        f"{_RECORD.get(name, name.replace('_', ' '))} records, so the {name} table "
                                        "is treated as "
                                        "not supplied",
                                        "if they should be there, export the return again with them; the chapters "
                                        "that need them say what they cannot answer"))
                continue
            raw[name] = frame
    return raw, problems, sources


_RECORD = {"children": "child", "referrals": "referral", "assessments": "assessment", "care_episodes": "care episode",
           "parents": "parent", "transfers": "transfer"}


def load_area_data(data: Path, kinds: dict[str, str] | None = None, *, area_code: str | None = None,
                   benchmarks: Path | None = None) -> AreaData:
    """Read and validate the area's data. Raises DataError listing every error found.

    ``kinds`` names the kind of a file where detection from its content needs help
    (the parameters' ``sources:``), e.g. ``{"returns_2021.xml": "cin_census"}``.
    ``area_code`` (with the ``benchmarks`` folder, which may teach LA numbers) lets a
    standard return for another local authority be refused.

    The ``benchmarks`` are read and checked here too: their errors are listed with the
    data's, so that every problem is found before any chapter runs, all at once. (Their
    warnings are the benchmarks' own, shown by ``load_benchmarks``.)
    """
    unknown = sorted(set((kinds or {}).values()) - set(adapters.DATA_KINDS))
    if unknown:
        raise DataError([error(str(Path(data).name), None, "sources", ", ".join(unknown), "unknown kind of source file",
                               "use one of: " + ", ".join(sorted(adapters.DATA_KINDS)))])
    benchmark_errors = _benchmark_errors(benchmarks)
    raw, problems, sources = read_raw(Path(data), kinds)
    problems += check_one_authority([(s.path, s.la_code) for s in sources if s.la_code], area_code, benchmarks)
    for name in REQUIRED_TABLES:
        if name not in raw and not any(p.level == "error" for p in problems):
            problems.append(_missing_table(Path(data), name))
    if any(p.level == "error" for p in problems):
        raise DataError(problems + benchmark_errors)
    returns = frozenset(s.path for s in sources if s.kind not in ("canonical CSV", "workbook"))
    tables, found = validate(raw, returns=returns)
    problems += found
    if any(p.level == "error" for p in problems) or benchmark_errors:
        raise DataError(problems + benchmark_errors)
    return AreaData(tables=tables, problems=problems, sources=sources)


def _benchmark_errors(benchmarks: Path | None) -> list[Problem]:
    """The errors of the benchmarks folder, named under it (``benchmarks/...``)."""
    if benchmarks is None:
        return []
    from .benchmarks import load_benchmarks

    folder = Path(benchmarks)
    label = folder.name or "benchmarks"
    return [replace(p, file=f"{label}/{p.file}" if p.file and folder.is_dir() else (p.file or label))
            for p in load_benchmarks(folder, strict=False).errors]


def _missing_table(data: Path, name: str) -> Problem:
    if data.is_file():
        try:
            import openpyxl

            book = openpyxl.load_workbook(data, read_only=True)
            found = ", ".join(f"'{s}'" for s in book.sheetnames)
            book.close()
        except Exception:  # the workbook could be read by pandas a moment ago; the list is a courtesy
            found = "none readable"
        return error(data.name, None, None, None, f"the workbook has no '{name}' sheet (sheets found: {found})",
                     f"add a sheet named '{name}' (one row per child; column child_id at least), or rename the "
                     "sheet that holds it")
    return error(data.name, None, None, None, f"the {name} table is missing",
                 f"add {name}.csv (one row per child; column child_id at least)")




def _same_authority(number: str) -> set[str]:
    """An LA number and those its area was formed from or split into (2019-2023 reorganisations):
    an area's history may hold returns made under a predecessor's number."""
    from .la_codes import REORGANISATIONS

    related = {number}
    for change in REORGANISATIONS:
        numbers = {a.number for a in (*change.before, *change.after)}
        if number in numbers:
            related |= numbers
    return related


def check_one_authority(returns: list[tuple[str, str]], area_code: str | None, benchmarks) -> list[Problem]:
    """Standard returns must all be the area's own: one LA number (or its predecessors' in a
    reorganisation), and the area's when the parameters' area code gives it.

    Every file that is not the area's is named at once. When the parameters' area code
    gives its LA number, that number decides; otherwise the authority with the most
    returns does, and when no authority has the most, every file is named with the
    authority it is for.
    """
    numbers = sorted({number for _, number in returns})
    if not numbers:
        return []
    expected = _number_of_area(area_code, benchmarks) if area_code else None
    fix = ("give only your own authority's returns; remove this file or export your own return again")
    if expected:
        return [error(file, None, "LEA", number,
                      f"this return is for LA {number}, but the parameters are for {area_code} (LA {expected})",
                      "give your own authority's returns, or check area_code in the parameters file")
                for file, number in returns if number not in _same_authority(expected)]
    if len(numbers) == 1:
        return []
    # Authorities, each with the numbers of its predecessors and successors, and their returns.
    groups: list[set[str]] = []
    for number in numbers:
        group = next((g for g in groups if number in _same_authority(min(g))), None)
        if group is None:
            groups.append({number})
        else:
            group.add(number)
    if len(groups) == 1:
        return []
    counts = [sum(1 for _, n in returns if n in group) for group in groups]
    leaders = [i for i, count in enumerate(counts) if count == max(counts)]
    if len(leaders) == 1:
        own = groups[leaders[0]]
        main = min(own)
        return [error(file, None, "LEA", number, f"this return is for LA {number}, but the other returns are for LA {main}",
                      fix)
                for file, number in returns if number not in own]
    listed = "; ".join(f"LA {n}: {f}" for f, n in sorted(returns, key=lambda pair: (pair[1], pair[0])))
    return [error(file, None, "LEA", number,
                  f"the returns are for {len(groups)} different authorities ({listed}), so it is not clear which "
                  "is the area's",
                  "give only your own authority's returns, and set area_code in the parameters file so the book "
                  "knows which authority is yours")
            for file, number in returns]


def _number_of_area(area_code: str, benchmarks) -> str | None:
    """The DfE LA number of the parameters' area code, if known (built in, or learned from the benchmarks)."""
    from .benchmarks_readers import codes_from_folder
    from .la_codes import LaCodes

    codes = LaCodes.known()
    if benchmarks is not None and Path(benchmarks).is_dir():
        try:
            codes.update(codes_from_folder(benchmarks))
        except Exception:  # noqa: BLE001 - the benchmarks report their own problems when they are read
            pass
    return codes.number_of_code.get(area_code)


def without_provenance(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[c for c in PROVENANCE if c in frame])
