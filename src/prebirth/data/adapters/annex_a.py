"""Read the Ofsted Annex A workbook (lists 1-11), an optional source, as inspectors receive it.

Used lists (the others are not needed by the book):

- List 3, referrals -> ``referrals`` (Date of Referral, Referral Source code, Referral NFA?)
- List 4, assessments -> ``assessments`` (Continuous Assessment Start Date, Date of Authorisation, Allocated Team)
- List 8, children in care -> ``care_episodes``. Annex A gives one row per child, not the
  903 episodes, so each child gets at most two rows: the start of the period of care
  (``Date Started to be Looked After``, reason ``S``), and, when the current legal status
  started later, a row from ``Start date of current legal status`` with that status. The
  legal status and placement of the first row are filled only when they started that day.
  ``Date Ceased to be Looked After`` and its reason close the last row.
- ``children``: every child of lists 3, 4 and 8 (Child Unique ID, Gender, Ethnicity, Date of Birth).

Tolerant of the real layouts: sheet names containing "List 3" (any case or suffix), the
header on any of the first rows (found by "Child Unique ID"), drop-down answers with their
letters (``'b) Female'``, ``'q) 6: Police'``), dates as Excel dates or text, ``#N/A`` as blank.

Ids are synthesised as in the CIN census adapter (``<child>:R:<date>:<n>``,
``<child>:A:<date>:<n>``), so the same referral read from Annex A and from the census matches.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

from ..problems import DataError, Problem
from ._common import (
    ProblemLog, SourceRead, date_problem_message, iso_date, raw_frame, sex_code, strip_list_prefix,
)

CHILD_COLUMNS = ["child_id", "date_of_birth", "sex", "ethnicity"]
REFERRAL_COLUMNS = ["referral_id", "child_id", "referral_date", "source", "outcome"]
ASSESSMENT_COLUMNS = ["assessment_id", "child_id", "start_date", "authorised_date", "team"]
EPISODE_COLUMNS = ["child_id", "start_date", "end_date", "legal_status", "placement",
                   "reason_new_episode", "reason_ceased"]

ID_HEADER = "child unique id"
BLANKS = {"", "#n/a", "n/a", "#value!", "#ref!", "null", "none"}

# Header texts as Ofsted's template words them (normalised: lower case, single spaces).
CHILD_FIELDS = {"gender": "sex", "ethnicity": "ethnicity", "date of birth": "date_of_birth"}
LIST_FIELDS = {
    3: {"date of referral": "referral_date", "referral source": "source", "referral nfa?": "nfa"},
    4: {"continuous assessment start date": "start_date",
        "continuous assessment date of authorisation": "authorised_date", "allocated team": "team"},
    8: {"date started to be looked after": "period_start", "start date of current legal status": "status_start",
        "child's legal status": "legal_status", "date ceased to be looked after": "ceased",
        "reason ceased to be looked after": "reason_ceased", "start date of most recent placement": "placement_start",
        "placement type": "placement"},
}
DATE_FIELDS = {"date_of_birth", "referral_date", "start_date", "authorised_date", "period_start",
               "status_start", "ceased", "placement_start"}
CODE_FIELDS = {"source", "legal_status", "reason_ceased", "placement"}
REQUIRED = {3: "referral_date", 4: "start_date", 8: "period_start"}

CANNOT_PROVIDE = [
    "Annex A covers only the months before an inspection, so it gives no long-term trends",
    "Annex A has no expected dates of birth, parents or court dates: gestation, recurrence and "
    "proceedings cannot be answered from it",
]

_CODE = re.compile(r"^([A-Za-z0-9]{1,4})\s*[:\-]\s+")
_LIST = re.compile(r"list\s*(\d{1,2})(?!\d)", re.IGNORECASE)
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _normal(text) -> str:
    return re.sub(r"\s+", " ", str(text or "").replace("\xa0", " ")).strip().lower()


def _cell_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\xa0", " ").strip()
    return None if text.lower() in BLANKS else text


def _code(value: str | None) -> str | None:
    """The code of a drop-down answer: ``'q) 6: Police'`` -> ``6``, ``'E1: Placement order'`` -> ``E1``."""
    text = strip_list_prefix(value)
    if text is None:
        return None
    match = _CODE.match(text)
    return match.group(1).upper() if match else text


class _Workbook:
    def __init__(self, path: Path):
        self.path = path
        self.file = path.name
        self.log = ProblemLog(self.file)
        self.children: dict[str, dict] = {}
        self.child_where: dict[str, tuple] = {}
        self.latest_date: str | None = None

    def date(self, value, where, column: str, sheet_file: str) -> str | None:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            iso = iso_date(value.isoformat())
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value < 2958466:
            # A date cell that lost its format: an Excel serial day number.
            iso = iso_date((_EXCEL_EPOCH + dt.timedelta(days=int(value))).isoformat())
        else:
            text = _cell_text(value)
            if text is None:
                return None
            iso = iso_date(text.replace(".", "/").replace("-", "/") if re.fullmatch(r"\d{1,2}[.\-]\d{1,2}[.\-]\d{4}", text) else text)
            if iso is None:
                self.log.add("error", where, column, text, date_problem_message(text, "a date (DD/MM/YYYY)"),
                             "correct the date in the workbook", kind=("date", sheet_file, column))
                return text
        if iso is None:
            self.log.error(where, column, str(value), "not a plausible date", "correct the date in the workbook")
            return str(value)
        if self.latest_date is None or iso > self.latest_date:
            self.latest_date = iso
        return iso

    def remember_child(self, child_id: str, values: dict, where, sheet: str) -> None:
        known = self.children.get(child_id)
        if known is None:
            self.children[child_id] = dict(values)
            self.child_where[child_id] = (f"{self.file} [{sheet}]", where)
            return
        for field, value in values.items():
            if value is None:
                continue
            if known.get(field) is None:
                known[field] = value
            elif known[field] != value:
                first_file, first_row = self.child_where[child_id]
                self.log.warning(where, field, value,
                                 f"child {child_id} has {field} {known[field]!r} in {first_file} row {first_row}; "
                                 "the first value was kept",
                                 "correct the child's details so every list agrees", kind=("child conflict", field))


def _sheets(workbook) -> dict[int, object]:
    found = {}
    for sheet in workbook.worksheets:
        match = _LIST.search(sheet.title)
        if match and int(match.group(1)) not in found:
            found[int(match.group(1))] = sheet
    return found


def _header(rows: list, limit: int = 15) -> int | None:
    for index, row in enumerate(rows[:limit]):
        if any(_normal(cell) == ID_HEADER for cell in row):
            return index
    return None


def read_annex_a(path) -> SourceRead:
    """Read lists 3, 4 and 8 of an Annex A workbook into raw frames.

    Raises ``DataError`` when the workbook cannot be opened or has none of these lists.
    """
    import openpyxl

    path = Path(path)
    book = _Workbook(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise DataError([Problem("error", path.name, None, None, None,
                                 f"cannot open the workbook ({type(exc).__name__})",
                                 "save it again from Excel as .xlsx")]) from None
    try:
        sheets = _sheets(workbook)
        used = {n: sheets[n] for n in (3, 4, 8) if n in sheets}
        if not used:
            raise DataError([Problem("error", path.name, None, None, ", ".join(s.title for s in workbook.worksheets)[:120],
                                     "this workbook has none of Annex A lists 3, 4 or 8",
                                     "give the Annex A workbook with its sheets named 'List 3', 'List 4', 'List 8'")])
        referrals, assessments, episodes = ({c: [] for c in cols} for cols in
                                            (REFERRAL_COLUMNS, ASSESSMENT_COLUMNS, EPISODE_COLUMNS))
        rows_of = {"referrals": [], "assessments": [], "care_episodes": []}
        seen: Counter = Counter()
        for number, sheet in sorted(used.items()):
            _read_list(book, number, sheet, referrals, assessments, episodes, rows_of, seen)
    finally:
        workbook.close()

    tables = {}
    children_cols = {c: [] for c in CHILD_COLUMNS}
    child_rows = []
    child_files = []
    for child_id, values in book.children.items():
        values = {**values, "child_id": child_id}
        for column in CHILD_COLUMNS:
            children_cols[column].append(values.get(column))
        sheet_file, where = book.child_where[child_id]
        child_files.append(sheet_file)
        child_rows.append(where)
    tables["children"] = raw_frame(children_cols, path.name, child_rows)
    tables["children"]["_file"] = child_files
    for name, columns, in (("referrals", referrals), ("assessments", assessments), ("care_episodes", episodes)):
        files = [f for f, _ in rows_of[name]]
        tables[name] = raw_frame(columns, path.name, [r for _, r in rows_of[name]])
        tables[name]["_file"] = files
    missing = sorted({3, 4, 8} - set(used))
    notes = [f"Annex A list {n} is not in the workbook" for n in missing]
    counts = ", ".join(f"{len(tables[t]):,} {t.replace('_', ' ')}" for t in ("referrals", "assessments", "care_episodes"))
    label = f"Ofsted Annex A{' (to ' + book.latest_date + ')' if book.latest_date else ''}: {len(child_rows):,} children, {counts}"
    return SourceRead("annex_a", path.name, label, tables, book.log.finish(), list(CANNOT_PROVIDE), notes,
                      as_of=book.latest_date)


def _read_list(book: _Workbook, number: int, sheet, referrals, assessments, episodes, rows_of, seen) -> None:
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    sheet_file = f"{book.file} [{sheet.title}]"
    at = _header(rows)
    if at is None:
        book.log.error(None, "Child Unique ID", sheet.title,
                       f"list {number} has no 'Child Unique ID' column in its first rows, so it was not read",
                       "keep Ofsted's column headings in the first row of the list")
        return
    header = [_normal(c) for c in rows[at]]
    fields = {**CHILD_FIELDS, **LIST_FIELDS[number]}
    position = {name: header.index(text) for text, name in fields.items() if text in header}
    id_column = header.index(ID_HEADER)
    required = REQUIRED[number]
    if required not in position:
        wanted = next(text for text, name in LIST_FIELDS[number].items() if name == required)
        book.log.error(at + 1, wanted, None, f"list {number} has no column '{wanted}', so it was not read",
                       "keep Ofsted's column headings")
        return
    for index in range(at + 1, len(rows)):
        row = rows[index]
        excel_row = index + 1
        cells = {name: (row[i] if i < len(row) else None) for name, i in position.items()}
        child_id = _cell_text(row[id_column] if id_column < len(row) else None)
        if child_id is None:
            if any(_cell_text(v) for v in cells.values()):
                book.log.add("error", excel_row, "Child Unique ID", None,
                             f"{sheet.title}: this row has data but no Child Unique ID",
                             "fill in the child's id or delete the row", kind=("no id", number))
            continue
        values = {}
        for name, value in cells.items():
            if name in DATE_FIELDS:
                values[name] = book.date(value, excel_row, name, sheet_file)
            elif name == "sex":
                text = _cell_text(value)
                try:
                    values[name] = sex_code(text)
                except KeyError:
                    book.log.add("warning", excel_row, "Gender", text,
                                 f"{sheet.title}: not a gender this book knows (male, female, not stated); read as not recorded",
                                 "use the Annex A drop-down values", kind=("gender", text))
                    values[name] = None
            elif name in CODE_FIELDS:
                values[name] = _code(_cell_text(value))
            elif name == "ethnicity":
                values[name] = _code(strip_list_prefix(_cell_text(value)))
            else:
                values[name] = _cell_text(value)
        book.remember_child(child_id, {k: values.get(k) for k in ("date_of_birth", "sex", "ethnicity")},
                            excel_row, sheet.title)
        where = (sheet_file, excel_row)
        if number == 3:
            key = ("R", child_id, values.get("referral_date") or "nodate")
            seen[key] += 1
            nfa = (values.get("nfa") or "").strip().lower()
            outcome = "nfa" if nfa in ("yes", "y", "a) yes") else None
            _add(referrals, rows_of["referrals"], where,
                 (f"{child_id}:R:{key[2]}:{seen[key]}", child_id, values.get("referral_date"), values.get("source"), outcome))
        elif number == 4:
            key = ("A", child_id, values.get("start_date") or "nodate")
            seen[key] += 1
            _add(assessments, rows_of["assessments"], where,
                 (f"{child_id}:A:{key[2]}:{seen[key]}", child_id, values.get("start_date"),
                  values.get("authorised_date"), values.get("team")))
        else:
            _care_rows(values, child_id, episodes, rows_of["care_episodes"], where)


def _care_rows(values: dict, child_id: str, episodes: dict, rows: list, where) -> None:
    start, status_start = values.get("period_start"), values.get("status_start")
    ceased, status = values.get("ceased"), values.get("legal_status")
    placement = values.get("placement") if values.get("placement_start") == start else None
    later_status = bool(status_start and start and status_start > start)
    first_status = None if later_status else status
    first_end = status_start if later_status else ceased
    _add(episodes, rows, where, (child_id, start, first_end, first_status, placement, "S",
                                 None if later_status else values.get("reason_ceased")))
    if later_status:
        _add(episodes, rows, where, (child_id, status_start, ceased, status, None, None, values.get("reason_ceased")))


def _add(columns: dict, rows: list, where, values: tuple) -> None:
    for cells, value in zip(columns.values(), values, strict=True):
        cells.append(value)
    rows.append(where)
