"""Read the SSDA903 return (children looked after): the ``header`` and ``episodes`` CSV tables and the XML export.

What comes out (raw frames, see ``prebirth.data.schema``):

- ``children``: CHILD -> child_id, DOB -> date_of_birth, SEX 1/2 -> M/F, ETHNIC -> ethnicity,
  and two extra columns for the parents chapter, kept **on the children table** (one row
  per looked-after child, so no second table to join): ``mother_flag`` (MOTHER: ``1`` when
  this looked-after young person is herself a mother, ``0`` when not) and
  ``mother_child_dob`` (MC_DOB: her child's date of birth). The return never links her to
  her baby, so these describe the young person, not a parent in the ``parents`` table.
- ``care_episodes``: CHILD, DECOM -> start_date, DEC -> end_date, LS -> legal_status,
  PLACE (``PL`` in the XML) -> placement, RNE -> reason_new_episode, REC -> reason_ceased.

Dates are DD/MM/YYYY in the return and ISO in the raw frames. The CSV tables and the XML
export of the same return give identical tables (apart from ``_file``/``_row``).

Other 903 tables (e.g. ``DoLo.csv``) are not used by the book; ``read_903_other`` still
checks their dates, so a malformed date anywhere in the return is reported.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from lxml import etree

from ..problems import DataError, Problem
from ._common import (
    ProblemLog, SourceRead, date_problem_message, dob_rounding_warning, financial_year,
    financial_year_of, iso_date, raw_frame, sex_code, year_in_name,
)

CHILD_COLUMNS = ["child_id", "date_of_birth", "sex", "ethnicity", "mother_flag", "mother_child_dob"]
EPISODE_COLUMNS = ["child_id", "start_date", "end_date", "legal_status", "placement",
                   "reason_new_episode", "reason_ceased"]

# 903 column -> canonical column, in the order of CHILD_COLUMNS / EPISODE_COLUMNS.
HEADER_FIELDS = {"CHILD": "child_id", "DOB": "date_of_birth", "SEX": "sex", "ETHNIC": "ethnicity",
                 "MOTHER": "mother_flag", "MC_DOB": "mother_child_dob"}
EPISODE_FIELDS = {"CHILD": "child_id", "DECOM": "start_date", "DEC": "end_date", "LS": "legal_status",
                  "PLACE": "placement", "RNE": "reason_new_episode", "REC": "reason_ceased"}
HEADER_REQUIRED = ("CHILD", "DOB", "SEX")
EPISODE_REQUIRED = ("CHILD", "DECOM")
DATE_FIELDS = {"DOB", "MC_DOB", "DECOM", "DEC"}

# DfE SSDA903 guidance: reasons for a new episode and legal statuses. Other values are
# kept, with a warning: the starters measure and the legal route depend on them.
RNE_CODES = {"S", "L", "P", "T", "U", "B"}
LS_CODES = {"C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4"}

DATE_FORM = "DD/MM/YYYY"
OTHER_DATE_COLUMN = re.compile(r"(DOB|DATE|^DECOM$|^DEC$|_START$|_END$|^DUC$|^REVIEW$|^MIS_)")

CANNOT_PROVIDE_HEADER = [
    "the 903 return has no unborn children (only children who became looked after), "
    "so pre-birth referrals and assessments are not in it",
    "the 903 return has no mother or father link: MOTHER and MC_DOB only say that a looked-after "
    "young person is herself a mother",
]
CANNOT_PROVIDE_EPISODES = [
    "the 903 episodes have no referrals, assessments or court dates",
]

MOTHER_VALUES = {"1": "1", "1.0": "1", "0": "0", "0.0": "0"}


class _Rows:
    """Rows of one raw table, built column by column."""

    def __init__(self, columns: list[str]):
        self.columns = {c: [] for c in columns}
        self.where: list = []

    def add(self, where, values: dict) -> None:
        for column, cells in self.columns.items():
            cells.append(values.get(column))
        self.where.append(where)

    def frame(self, file: str):
        return raw_frame(self.columns, file, self.where)


class _Converter:
    """Turns 903 values into canonical ones, reporting what cannot be read."""

    def __init__(self, file: str):
        self.log = ProblemLog(file)

    def convert(self, field: str, text: str | None, where, column: str):
        if text is None:
            return None
        if field in DATE_FIELDS:
            iso = iso_date(text)
            if iso is None:
                self.log.error(where, field, text, date_problem_message(text, DATE_FORM),
                               f"correct {field} in the return ({DATE_FORM}, e.g. 31/03/2021)")
                return text  # kept as found: the build stops on the error, nothing is lost
            return iso
        if field == "SEX":
            try:
                code = sex_code(text)
            except KeyError:
                code = None
            if code not in ("M", "F"):
                self.log.warning(where, field, text, "not a 903 SEX code (1 male, 2 female); read as not recorded",
                                 "correct SEX in the return")
                return None
            return code
        if field == "MOTHER":
            value = MOTHER_VALUES.get(text)
            if value is None:
                self.log.warning(where, field, text, "not a 903 MOTHER code (1 = is a mother, 0 = is not); kept as found",
                                 "correct MOTHER in the return")
                return text
            return value
        if field == "RNE" and text.upper() not in RNE_CODES:
            self.log.warning(where, field, text,
                             "not a 903 reason for new episode (S, L, P, T, U or B): this episode's start cannot be classified",
                             "correct RNE in the return")
        if field == "LS" and text.upper() not in LS_CODES:
            self.log.warning(where, field, text, "not a 903 legal status code (e.g. C2, J2, V2)",
                             "correct LS in the return")
        return text


def _decode(path: Path) -> tuple[str, Problem | None]:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        # Excel's default "CSV" on Windows is cp1252; read it, but say so.
        return data.decode("cp1252", "replace"), Problem(
            "warning", path.name, None, None, None,
            "the file is not UTF-8; it was read as Windows (cp1252) text",
            "save it as 'CSV UTF-8' to be sure names and codes are read as written")


def _csv_rows(path: Path, required: tuple[str, ...], what: str):
    """The header (upper case) and the data rows (with their line numbers) of a 903 CSV table."""
    text, problem = _decode(path)
    if not text.strip():
        raise DataError([Problem("error", path.name, None, None, None, f"the {what} file is empty",
                                 "export the table again with its header row, or remove the file")])
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().upper() for h in next(reader)]
    missing = [c for c in required if c not in header]
    if missing:
        raise DataError([Problem("error", path.name, 1, ", ".join(missing), ",".join(header)[:120],
                                 f"the {what} table has no column {', '.join(missing)}",
                                 f"export the 903 {what} table with its standard columns ({', '.join(required)} at least)")])
    return header, reader, problem


def _read_csv(path: Path, fields: dict, required: tuple[str, ...], what: str):
    header, reader, decoding = _csv_rows(path, required, what)
    convert = _Converter(path.name)
    if decoding:
        convert.log.problems.append(decoding)
    rows = _Rows(list(fields.values()))
    positions = {name: header.index(name) for name in fields if name in header}
    width = len(header)
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue  # a blank line is not a record
        if len(cells) > width:
            convert.log.error(number, None, ",".join(cells)[:80],
                              f"the row has {len(cells)} values but the header has {width} columns",
                              "check for an unquoted comma in a value")
        values = {}
        for name, position in positions.items():
            text = cells[position].strip() if position < len(cells) else ""
            values[fields[name]] = convert.convert(name, text or None, number, name)
        rows.add(number, values)
    return rows, convert


def _place(where) -> str:
    return f"row {where}" if isinstance(where, int) else f"element {where}"


def _duplicates(rows: _Rows, key: list[str], log: ProblemLog, what: str, columns: str) -> None:
    """Report each record that repeats the key of an earlier one in the same file."""
    first: dict = {}
    for index, values in enumerate(zip(*(rows.columns[k] for k in key))):
        if None in values:
            continue
        if values in first:
            log.error(rows.where[index], columns, " + ".join(values),
                      f"this {what} repeats the {columns} of {_place(first[values])}",
                      "each child has one header row, and one episode per start date: "
                      "remove the repeat or correct it")
        else:
            first[values] = rows.where[index]


def _period(path: Path, dates: list) -> tuple[str | None, str | None]:
    """The return's year: from the file name (``..._2020_...`` = 2019/20), else from its latest date."""
    year = year_in_name(path.stem)
    if year:
        return financial_year(year), f"{year}-03-31"
    known = [d for d in dates if d and iso_date(d) == d]
    if not known:
        return None, None
    latest = max(known)
    period = financial_year_of(latest)
    end = int(period[:4]) + 1
    return period, f"{end}-03-31"


def read_903_header(path) -> SourceRead:
    """Read the 903 ``header`` CSV table into ``children``."""
    path = Path(path)
    rows, convert = _read_csv(path, HEADER_FIELDS, HEADER_REQUIRED, "header")
    _duplicates(rows, ["child_id"], convert.log, "row", "CHILD")
    problems = convert.log.finish()
    rounding = dob_rounding_warning(rows.columns["date_of_birth"], path.name, "DOB")
    if rounding:
        problems.append(rounding)
    # A header has no dates of its own period: its year comes from the file name, if anywhere.
    period, as_of = _period(path, [])
    n = len(rows.where)
    label = f"SSDA903 {period + ' ' if period else ''}header: {n:,} children"
    return SourceRead("ssda903_header", path.name, label, {"children": rows.frame(path.name)}, problems,
                      list(CANNOT_PROVIDE_HEADER), period=period, as_of=as_of)


def read_903_episodes(path) -> SourceRead:
    """Read the 903 ``episodes`` CSV table into ``care_episodes``."""
    path = Path(path)
    rows, convert = _read_csv(path, EPISODE_FIELDS, EPISODE_REQUIRED, "episodes")
    _duplicates(rows, ["child_id", "start_date"], convert.log, "episode", "CHILD + DECOM")
    problems = convert.log.finish()
    period, as_of = _period(path, rows.columns["start_date"] + rows.columns["end_date"])
    n, kids = len(rows.where), len({c for c in rows.columns["child_id"] if c})
    label = f"SSDA903 {period + ' ' if period else ''}episodes: {n:,} episodes of {kids:,} children"
    return SourceRead("ssda903_episodes", path.name, label, {"care_episodes": rows.frame(path.name)}, problems,
                      list(CANNOT_PROVIDE_EPISODES), period=period, as_of=as_of)


def read_903_other(path) -> SourceRead:
    """Check a 903 table the book does not use (e.g. ``DoLo.csv``): its dates, and nothing else."""
    path = Path(path)
    header, reader, decoding = _csv_rows(path, ("CHILD",), "903")
    log = ProblemLog(path.name)
    if decoding:
        log.problems.append(decoding)
    date_columns = [(i, name) for i, name in enumerate(header) if OTHER_DATE_COLUMN.search(name)]
    count = 0
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        count += 1
        for position, name in date_columns:
            text = cells[position].strip() if position < len(cells) else ""
            if text and iso_date(text) is None:
                log.error(number, name, text, date_problem_message(text, DATE_FORM),
                          f"correct {name} in the return ({DATE_FORM}), or remove {path.name} from the data "
                          "folder: the book does not use this table")
    label = f"SSDA903 {path.stem} table: {count:,} rows (not used by the book)"
    return SourceRead("ssda903_other", path.name, label, {}, log.finish(),
                      notes=[f"{path.name} is a 903 table the book does not use; only its dates were checked"])


def read_903_xml(path) -> SourceRead:
    """Read the 903 XML export (``<CHILD>`` with ``<HEADER>`` and ``<EPISODE>``) into both tables."""
    path = Path(path)
    file = path.name
    convert = _Converter(file)
    children, episodes = _Rows(CHILD_COLUMNS), _Rows(EPISODE_COLUMNS)
    root_tag = None
    count = 0
    last = None
    header_fields = {**HEADER_FIELDS, "CHILDID": "child_id"}
    episode_fields = {**EPISODE_FIELDS, "PL": "placement"}
    try:
        for event, elem in etree.iterparse(str(path), events=("start", "end"), remove_comments=True):
            if root_tag is None:
                root_tag = elem.tag
                if not isinstance(root_tag, str) or root_tag.startswith("{"):
                    raise DataError([Problem("error", file, None, None, str(root_tag),
                                             f"wrong XML namespace or root element (line {elem.sourceline})",
                                             "export the 903 XML without a namespace")])
                continue
            if event != "end" or elem.tag != "CHILD":
                continue
            count += 1
            last = f"{root_tag}/CHILD[{count}]"
            child_id = None
            header_values: dict = {}
            header = elem.find("HEADER")
            if header is not None:
                for field in header:
                    name = field.tag if isinstance(field.tag, str) else ""
                    if name in header_fields and len(field) == 0:
                        text = (field.text or "").strip() or None
                        canonical = header_fields[name]
                        source = "CHILD" if name == "CHILDID" else name
                        header_values[canonical] = convert.convert(source, text, f"{last}/HEADER/{name}", canonical)
            child_id = header_values.get("child_id")
            if child_id is None:
                convert.log.error(f"{last}/HEADER", "CHILDID", None, f"the child has no CHILDID (line {elem.sourceline})",
                                  "every child needs the LA's child id; export the return again")
            children.add(last, header_values)
            for number, episode in enumerate(elem.iterfind("EPISODE"), start=1):
                where = f"{last}/EPISODE[{number}]"
                values = {"child_id": child_id}
                for field in episode:
                    name = field.tag if isinstance(field.tag, str) else ""
                    if name in episode_fields and name != "CHILD" and len(field) == 0:
                        text = (field.text or "").strip() or None
                        source = "PLACE" if name == "PL" else name
                        values[episode_fields[name]] = convert.convert(source, text, f"{where}/{name}",
                                                                       episode_fields[name])
                episodes.add(where, values)
            elem.clear()
            parent = elem.getparent()
            while parent is not None and elem.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as exc:
        raise DataError([Problem("error", file, last, None, None,
                                 f"the XML is not well formed at line {exc.lineno}"
                                 f"{' (after element ' + last + ')' if last else ''}: {exc.msg}",
                                 "the file is damaged or was cut short: export the 903 return again")]) from None
    if root_tag is None:
        raise DataError([Problem("error", file, None, None, None, "the file has no XML element",
                                 "export the 903 return again")])
    _duplicates(children, ["child_id"], convert.log, "child", "CHILDID")
    _duplicates(episodes, ["child_id", "start_date"], convert.log, "episode", "CHILDID + DECOM")
    problems = convert.log.finish()
    rounding = dob_rounding_warning(children.columns["date_of_birth"], file, "DOB")
    if rounding:
        problems.append(rounding)
    period, as_of = _period(path, episodes.columns["start_date"] + episodes.columns["end_date"])
    label = (f"SSDA903 {period + ' ' if period else ''}XML export: {len(children.where):,} children, "
             f"{len(episodes.where):,} episodes")
    return SourceRead("ssda903_xml", file, label,
                      {"children": children.frame(file), "care_episodes": episodes.frame(file)},
                      problems, [*CANNOT_PROVIDE_HEADER, *CANNOT_PROVIDE_EPISODES], period=period, as_of=as_of)
