"""Read the canonical tables from an ``.xlsx`` workbook (one sheet each), saying what is wrong with it.

Before any cell is read, the workbook is looked at as the zip of XML parts it is:

- a password-protected (encrypted) workbook, an old ``.xls``, or a file that is no
  workbook at all, is refused with what it is and what to do;
- two sheets that name the same table (``children`` and `` Children``: capitals and
  spaces are ignored) are an error: neither silently replaces the other;
- a *hidden* sheet of a table is read, with a warning (it can be unhidden in Excel to be
  checked); a *very hidden* sheet (only a macro can show it) is an error: the book does not
  read data no one can see in Excel;
- every cell of the tables' sheets is counted, and a workbook with more than
  ``MAX_CELLS`` filled cells is refused at once: a workbook is read cell by cell (a
  million cells take about a minute), while the same tables saved as CSV are read in
  seconds;
- a formula with no saved result (a workbook written by a program that does not
  calculate, never opened and saved in Excel) is an error naming its sheet, row and
  column: read as it is, it would be a blank (a date of birth would become "unborn").

The cells are then read with openpyxl (read-only, saved values), row numbers as Excel
shows them.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .problems import Problem, error, warning
from .safe_files import FileRefused, read_bytes
from .schema import TABLES

MAX_CELLS = 1_000_000  # filled cells in the tables' sheets: about a minute of reading
MAX_LISTED = 20
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of old .xls files and of encrypted workbooks
ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
NOT_TABLES = ("readme", "lists", "notes")
CSV_INSTEAD = ("save each sheet as 'CSV UTF-8 (Comma delimited)' into one folder (children.csv, proceedings.csv, "
               "...) and point 'data:' at the folder")


@dataclass
class Sheet:
    title: str
    state: str  # visible | hidden | veryHidden
    part: str  # the sheet's XML part in the zip
    cells: int = 0
    uncached: list[tuple[int, int, str]] = field(default_factory=list)  # (row, column number, formula)
    uncached_count: int = 0


class _Refused(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


def read_workbook(path: Path, problems: list[Problem]) -> dict[str, pd.DataFrame]:
    """The raw canonical tables of a workbook (see ``prebirth.data.schema``); problems appended."""
    path = Path(path)
    try:
        data = read_bytes(path)
        sheets, archive = _open(path, data)
        tables = _choose_sheets(path, sheets, problems)
        _scan(path, archive, [sheet for _, sheet in tables])
    except _Refused as refused:
        problems.append(refused.problem)
        return {}
    except FileRefused as exc:
        problems.append(error(path.name, None, None, None, exc.message,
                              "give the workbook itself (an .xlsx file saved on disk)"))
        return {}
    return _read_values(path, data, tables, problems)


# -- what the file is ------------------------------------------------------------------------------

def _open(path: Path, data: bytes) -> tuple[list[Sheet], zipfile.ZipFile]:
    name = path.name
    if data.startswith(OLE):
        if ENCRYPTED in data:
            raise _Refused(error(name, None, None, None,
                                 "the workbook is protected with a password (encrypted), so it cannot be read",
                                 "open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt "
                                 "with Password: clear it) and save it, or " + CSV_INSTEAD))
        raise _Refused(error(name, None, None, None,
                             "this is an old-style Excel 97-2003 workbook (.xls), not an .xlsx workbook",
                             "open it in Excel and save it as 'Excel Workbook (*.xlsx)'"))
    if not data.startswith(b"PK\x03\x04"):
        what = "empty" if not data.strip() else ("text (a CSV file named .xlsx?)" if _looks_like_text(data)
                                                 else "not a workbook")
        raise _Refused(error(name, None, None, None, f"this is not an Excel workbook (.xlsx): the file is {what}",
                             "save the workbook from Excel as 'Excel Workbook (*.xlsx)', or give CSV files in a "
                             "folder as 'data:'"))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        return _sheets(archive), archive
    except (zipfile.BadZipFile, KeyError, ValueError, SyntaxError) as exc:
        raise _Refused(error(name, None, None, None,
                             f"cannot open the workbook: it is damaged or not an Excel workbook ({type(exc).__name__})",
                             "save it again from Excel as .xlsx")) from None


def _looks_like_text(data: bytes) -> bool:
    head = data[:4096]
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in head


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _xml(archive: zipfile.ZipFile, part: str):
    from lxml import etree

    with archive.open(part) as stream:
        return etree.parse(stream, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)).getroot()


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship id -> target part, for the part (``xl/workbook.xml``)."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if rels not in archive.namelist():
        return {}
    out = {}
    for element in _xml(archive, rels):
        target = element.get("Target") or ""
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[element.get("Id")] = target
    return out


def _sheets(archive: zipfile.ZipFile) -> list[Sheet]:
    workbook = next((t for t in _relationships(archive, "").values() if t.endswith(".xml") and "workbook" in t),
                    "xl/workbook.xml")
    targets = _relationships(archive, workbook)
    sheets = []
    for element in _xml(archive, workbook).iter():
        if _local(element.tag) != "sheet":
            continue
        rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
        part = targets.get(rid)
        if part is None or part not in archive.namelist():
            continue  # a chart sheet, or a sheet with no part: no cells to read
        sheets.append(Sheet(element.get("name") or "", element.get("state") or "visible", part))
    return sheets


# -- which sheets hold which table ----------------------------------------------------------------

def _choose_sheets(path: Path, sheets: list[Sheet], problems: list[Problem]) -> list[tuple[str, Sheet]]:
    by_table: dict[str, list[Sheet]] = {}
    for sheet in sheets:
        table = sheet.title.strip().lower()
        if table in TABLES:
            by_table.setdefault(table, []).append(sheet)
        elif table not in NOT_TABLES and sheet.state == "visible":
            near = difflib.get_close_matches(table, list(TABLES), n=1, cutoff=0.75)
            hint = f"; if it holds the {near[0]} table, name the sheet '{near[0]}'" if near else ""
            problems.append(warning(f"{path.name} [{sheet.title}]", None, None, None,
                                    f"the sheet '{sheet.title}' is not one of the canonical tables and was not read",
                                    f"name each sheet after its table (see the data guide){hint}"))
    chosen = []
    for table, found in by_table.items():
        if len(found) > 1:
            names = " and ".join(f"'{s.title}'" for s in found)
            problems.append(error(path.name, None, None, names,
                                  f"{len(found)} sheets hold the {table} table ({names}: capitals and spaces are "
                                  "ignored in sheet names), so it is not clear which to use",
                                  "keep one sheet for each table: delete the other, or rename it"))
            continue
        sheet = found[0]
        where = f"{path.name} [{sheet.title}]"
        if sheet.state == "veryHidden":
            problems.append(error(where, None, None, None,
                                  f"the sheet '{sheet.title}' is 'very hidden': it cannot be seen or unhidden in "
                                  "Excel's window (only a macro can show it), so it was not read",
                                  "make it visible (in the VBA editor set its Visible property to "
                                  "xlSheetVisible) and check it, or copy its rows into a visible sheet"))
            continue
        if sheet.state == "hidden":
            problems.append(warning(where, None, None, None,
                                    f"the sheet '{sheet.title}' is hidden in Excel; it was read",
                                    "unhide it (right-click a sheet tab > Unhide) to check what it holds"))
        chosen.append((table, sheet))
    return chosen


# -- counting cells and finding formulas with no saved result -------------------------------------

_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?<!/)>(.*?)</(?:\w+:)?c>", re.DOTALL)
_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.DOTALL)
_VALUE = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>|<(?:\w+:)?v/>|<(?:\w+:)?is>", re.DOTALL)
_REF = re.compile(rb'\br="([^"]*)"')
_TYPE = re.compile(rb'\bt="([^"]*)"')
_CHUNK = 1 << 22


def _scan(path: Path, archive: zipfile.ZipFile, sheets: list[Sheet]) -> None:
    """Count the filled cells of each sheet (refusing a workbook with more than ``MAX_CELLS``)
    and note each formula cell with no saved result.

    One pass over each sheet's XML, as bytes, a few megabytes at a time (an XML parser
    building elements takes ten times as long: the scan must cost little beside the reading).
    """
    import html

    total = 0
    for sheet in sheets:
        with archive.open(sheet.part) as stream:
            rest = b""
            while True:
                chunk = stream.read(_CHUNK)
                buffer = rest + chunk
                # Up to the end of the last complete cell; the rest waits for the next chunk.
                end = len(buffer)
                if chunk:
                    plain, prefixed = buffer.rfind(b"</c>"), buffer.rfind(b":c>")
                    end = max(plain + 4 if plain >= 0 else 0, prefixed + 3 if prefixed >= 0 else 0)
                for match in _CELL.finditer(buffer, 0, end):
                    inner = match.group(2)
                    formula = _FORMULA.search(inner)
                    value = _VALUE.search(inner)
                    if value is None and formula is None:
                        continue
                    sheet.cells += 1
                    total += 1
                    if total > MAX_CELLS:
                        raise _Refused(_too_large(path, sheet))
                    if formula is None:
                        continue
                    # No saved result: no value at all, or an empty one where the result is not text
                    # (openpyxl writes <v></v>; Excel writes an empty text result as t="str").
                    kind = _TYPE.search(match.group(1))
                    empty = value is not None and value.group(0).endswith((b"/>", b"></v>")) and not value.group(1)
                    if value is None or (empty and (kind.group(1) if kind else b"n") not in (b"str", b"s", b"inlineStr")):
                        sheet.uncached_count += 1
                        if len(sheet.uncached) < MAX_LISTED:
                            ref = _REF.search(match.group(1))
                            row, column = _reference(ref.group(1).decode("ascii", "replace") if ref else None)
                            text = html.unescape((formula.group(1) or b"").decode("utf-8", "replace"))
                            sheet.uncached.append((row, column, "=" + text))
                if not chunk:
                    break
                rest = buffer[end:]


def _too_large(path: Path, sheet: Sheet) -> Problem:
    return error(path.name, None, None, None,
                 f"the workbook has more than {MAX_CELLS:,} filled cells (the sheet '{sheet.title}' alone has "
                 f"{sheet.cells:,} or more), too many to read from a workbook in reasonable time "
                 "(a workbook is read cell by cell)",
                 CSV_INSTEAD + ": CSV files of any size are read in seconds")


def _reference(ref: str | None) -> tuple[int | None, int | None]:
    match = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d+)", ref or "")
    if not match:
        return None, None
    number = 0
    for letter in match.group(1).upper():
        number = number * 26 + ord(letter) - 64
    return int(match.group(2)), number


# -- the values ---------------------------------------------------------------------------------

def cell_text(value):
    """A workbook cell as the text a CSV would hold: dates typed in Excel become ISO dates."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


def _read_values(path: Path, data: bytes, tables: list[tuple[str, Sheet]],
                 problems: list[Problem]) -> dict[str, pd.DataFrame]:
    import openpyxl

    from .headers import repeated_columns  # the same rule as for CSV headers

    if not tables:
        return {}
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        problems.append(error(path.name, None, None, None, f"cannot open the workbook ({type(exc).__name__})",
                              "save it again from Excel as .xlsx"))
        return {}
    raw: dict[str, pd.DataFrame] = {}
    try:
        for table, sheet in tables:
            where = f"{path.name} [{sheet.title}]"
            rows = iter(book[sheet.title].iter_rows(values_only=True))
            header, header_row = None, 0
            for header_row, cells in enumerate(rows, start=1):
                if any(cell_text(c) is not None for c in cells):
                    header = list(cells)
                    break
            if header is None:
                continue  # an empty sheet: the table is not supplied
            names = [str(h).strip().lower() if cell_text(h) is not None else "" for h in header]
            if repeated_columns([n or f"unnamed: {i}" for i, n in enumerate(names)], where, problems):
                continue
            width = len(names)
            columns: list[list] = [[] for _ in range(width)]
            numbers: list[int] = []
            for number, cells in enumerate(rows, start=header_row + 1):
                values = [cell_text(c) for c in cells[:width]]
                if all(v is None for v in values):
                    continue
                values += [None] * (width - len(values))
                for position in range(width):
                    columns[position].append(values[position])
                numbers.append(number)
            _report_uncached(where, sheet, names, header_row, problems)
            kept = {name: columns[i] for i, name in enumerate(names) if name}
            frame = pd.DataFrame(kept, dtype=object) if numbers else pd.DataFrame(
                {name: pd.Series(dtype=object) for name in kept})
            frame["_file"] = where
            frame["_row"] = numbers
            frame.attrs["file"] = where  # named even when it has no rows
            raw[table] = frame
    finally:
        book.close()
    return raw


def _report_uncached(where: str, sheet: Sheet, names: list[str], header_row: int, problems: list[Problem]) -> None:
    for row, column, formula in sheet.uncached:
        name = names[column - 1] if column and column <= len(names) and names[column - 1] else None
        if name is None and column:
            from openpyxl.utils import get_column_letter

            name = f"column {get_column_letter(column)}"
        problems.append(error(where, row, name, formula,
                              "a formula with no saved result: the workbook was written by a program that does not "
                              "calculate formulas, so its value cannot be read (it would count as blank)"
                              + (" in the header row" if row == header_row else ""),
                              "open the workbook in Excel and save it (Excel saves each formula's result), or "
                              "replace the formulas with their values (Copy, then Paste Special > Values)"))
    if sheet.uncached_count > len(sheet.uncached):
        problems.append(error(where, None, None, None,
                              f"{sheet.uncached_count - len(sheet.uncached):,} more formulas with no saved result",
                              "open the workbook in Excel and save it, or paste the values"))
