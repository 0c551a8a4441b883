"""The bad-input corpus: each kind of malformed data an analyst could give, and what the book says.

Every case writes an area folder (``<case>.yml`` and ``data/``) from a small good area
(``BASE``) with one thing wrong. ``outcome`` says what an analyst should expect:

- ``error``: ``prebirth build`` stops before any chapter runs, prints every ``expected``
  part of the message (file, row or element, value, what to do) and exits with code 2;
  the previous book is untouched and the input files are unchanged.
- ``warning``: the data can be used; ``prebirth validate`` exits 0 and lists the warning
  (the data chapter shows it too).
- ``accepted``: nothing is wrong; ``prebirth validate`` exits 0 and reads every row.

``decision`` records why a case that could go either way goes the way it does. The
corpus is built by code (no binary files to keep in step): ``CASES`` is the list.

Most cases build into a shared build folder holding a previous book under the case's
name. A case with ``output`` builds into a folder of its own inside the case's folder
instead (``--output``), where ``user_files`` are the analyst's own files: they count as
inputs, so the check that the inputs are unchanged also proves that the build wrote and
removed nothing there.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from tests.privacy.area import cin_census

AREA = """\
area_code: {area_code}
area_name: Testbury
data: {data}
period: {{start: 2020-04-01, end: 2022-03-31}}
"""

BASE = {
    "children.csv": """\
        child_id,mother_id,father_id,date_of_birth,expected_date_of_birth,sex,ethnicity
        BK001,BM001,BF001,2020-05-01,2020-05-03,F,WBRI
        BK002,BM001,,2021-07-10,2021-07-01,M,WBRI
        BK003,BM002,BF002,2020-11-20,2020-11-25,U,
        BK004,,,2015-03-03,,F,MWBC
        """,
    "parents.csv": """\
        parent_id,role,date_of_birth,ethnicity,care_experienced
        BM001,mother,2001-02-02,WBRI,Y
        BM002,mother,1990-06-30,,N
        BF001,father,1999-09-09,WBRI,
        BF002,father,,,
        """,
    "referrals.csv": """\
        referral_id,child_id,referral_date,source,outcome
        BR001,BK001,2020-01-06,3A,assessment
        BR002,BK002,2021-02-01,Health visitor,assessment
        BR003,BK003,2020-08-14,5A,s47
        """,
    "proceedings.csv": """\
        proceedings_id,child_id,issue_date,first_hearing_date,application
        BP001,BK001,2020-05-03,2020-05-03,s31
        BP002,BK002,2021-07-20,2021-07-22,s31
        BP003,BK003,2020-12-01,2020-12-08,s31
        BP004,BK004,2020-06-01,2020-06-20,s31
        """,
    "births.csv": """\
        year,live_births
        2020,3000
        2021,2900
        """,
}


@dataclass(frozen=True)
class Case:
    """One kind of bad (or surprising) input and what the analyst is told."""

    name: str
    kind: str  # what is wrong, in the analyst's words
    outcome: str  # "error" | "warning" | "accepted"
    expected: tuple[str, ...]  # parts of the message, each must appear
    change: Callable[[Path], None]  # turns a copy of BASE (in the data folder) into the bad input
    decision: str = ""
    area_code: str = "E99000001"
    data: str = "data/"  # what 'data:' in the parameters file points at
    parameters: str | None = None  # the whole parameters file, when that is what is wrong
    reads_xml: bool = False  # depends on the standard-return adapters being wired into the loader
    file_name: str | None = None  # the parameters file's name, when that is what is wrong (default <name>.yml)
    output: str | None = None  # --output, relative to the case's folder (default: the shared build folder)
    user_files: tuple[tuple[str, str], ...] = ()  # the analyst's own files (path in the case's folder, text)

    def write(self, folder: Path) -> Path:
        """Write the case's area under ``folder``; return its parameters file."""
        data = folder / "data"
        data.mkdir(parents=True, exist_ok=True)
        for name, text in BASE.items():
            (data / name).write_text(textwrap.dedent(text), encoding="utf-8")
        self.change(data)
        for name, text in self.user_files:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
        yml = folder / (self.file_name or f"{self.name}.yml")
        yml.write_text(self.parameters if self.parameters is not None
                       else AREA.format(area_code=self.area_code, data=self.data), encoding="utf-8")
        return yml


# -- helpers that make one thing wrong ------------------------------------------------------

def _text(data: Path, name: str) -> str:
    return (data / name).read_text(encoding="utf-8")


def replace_in(name: str, old: str, new: str, count: int = 1) -> Callable[[Path], None]:
    def change(data: Path) -> None:
        text = _text(data, name)
        assert old in text, (name, old)
        (data / name).write_text(text.replace(old, new, count), encoding="utf-8")
    return change


def write(name: str, content: str | bytes) -> Callable[[Path], None]:
    def change(data: Path) -> None:
        path = data / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return change


def encoded(name: str, encoding: str, old: str = "", new: str = "", bom: bytes = b"") -> Callable[[Path], None]:
    def change(data: Path) -> None:
        text = _text(data, name).replace(old, new) if old else _text(data, name)
        (data / name).write_bytes(bom + text.encode(encoding))
    return change


def remove(*names: str) -> Callable[[Path], None]:
    def change(data: Path) -> None:
        for name in names:
            (data / name).unlink()
    return change


def both(*changes: Callable[[Path], None]) -> Callable[[Path], None]:
    def change(data: Path) -> None:
        for each in changes:
            each(data)
    return change


def _cin_child(child_id: str, born: str) -> str:
    return (f"<Child><ChildIdentifiers><LAchildID>{child_id}</LAchildID><PersonBirthDate>{born}</PersonBirthDate>"
            f"<GenderCurrent>2</GenderCurrent></ChildIdentifiers><CINdetails><CINreferralDate>2020-01-06"
            f"</CINreferralDate><ReferralSource>3A</ReferralSource><ReferralNFA>false</ReferralNFA></CINdetails></Child>")


CIN_2021 = cin_census([_cin_child("BK001", "2020-05-01")], year=2021, lea="931")


def workbook(sheets: dict[str, list[list]]) -> Callable[[Path], None]:
    """Replace the CSVs with one workbook area.xlsx holding these sheets."""
    def change(data: Path) -> None:
        import openpyxl

        for path in data.glob("*.csv"):
            path.unlink()
        book = openpyxl.Workbook()
        book.remove(book.active)
        for title, rows in sheets.items():
            sheet = book.create_sheet(title)
            for row in rows:
                sheet.append(row)
        book.save(data / "area.xlsx")
    return change


def large_children(rows: int) -> Callable[[Path], None]:
    """A children table of ``rows`` rows where every row has the same slip (sex 'X')."""
    def change(data: Path) -> None:
        with open(data / "children.csv", "w", encoding="utf-8") as handle:
            handle.write("child_id,mother_id,father_id,date_of_birth,expected_date_of_birth,sex,ethnicity\n")
            for number in range(1, rows + 1):
                handle.write(f"BK{number:07d},,,2019-{number % 12 + 1:02d}-{number % 28 + 1:02d},,X,WBRI\n")
        # the other tables refer to BK001..BK004: keep only those that do not
        for name in ("referrals.csv", "proceedings.csv"):
            (data / name).unlink()
    return change


def xlsx_bytes() -> bytes:
    import io

    import openpyxl

    buffer = io.BytesIO()
    book = openpyxl.Workbook()
    book.active.append(["child_id", "date_of_birth"])
    book.save(buffer)
    return buffer.getvalue()


LARGE_ROWS = 300_000

# A bad value as well, in the cases about the output folder: whatever the build does with the
# folder, it runs no chapter (and the refusal must come first, before the data are read).
BAD_SEX = replace_in("children.csv", "2020-05-03,F,", "2020-05-03,Female,")

PARAMETERS = """\
area_code: E99000001
area_name: Testbury
data: data/
period: {start: 2020-04-01, end: 2022-03-31}
"""

# About 500 bytes that PyYAML expands to 9**9 (387 million) strings: anchors (&) and aliases (*).
ALIAS_BOMB = PARAMETERS + "comparators:\n  - &a [E06000001, E06000001, E06000001, E06000001, E06000001, " \
    "E06000001, E06000001, E06000001, E06000001]\n" + "".join(
        f"  - &{b} [{','.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi"))

CASES: list[Case] = [
    # -- encodings and file formats
    Case("wrong_encoding", "a CSV saved as Windows 'ANSI' text (an accented letter)", "error",
         ("referrals.csv, row 3", "not UTF-8 text", "Café", "CSV UTF-8 (Comma delimited)"),
         encoded("referrals.csv", "cp1252", "Health visitor", "Health visitor (Café)")),
    Case("utf16", "a CSV saved as Excel 'Unicode Text' (UTF-16)", "error",
         ("children.csv", "UTF-16", "CSV UTF-8 (Comma delimited)"),
         encoded("children.csv", "utf-16")),
    Case("byte_order_mark", "a CSV saved as Excel 'CSV UTF-8', which starts with a byte-order mark", "accepted",
         ("children: 4 rows",), encoded("children.csv", "utf-8", bom=b"\xef\xbb\xbf"),
         decision="Excel's own 'CSV UTF-8' format writes a byte-order mark: it is read as normal UTF-8."),
    Case("semicolons", "a CSV separated by semicolons (a European list separator)", "error",
         ("children.csv, row 1", "separated by semicolons", "child_id;mother_id", "Comma delimited"),
         replace_in("children.csv", ",", ";", -1)),
    Case("tabs", "a tab-separated file named .csv", "error",
         ("proceedings.csv, row 1", "separated by tabs", "Comma delimited"),
         replace_in("proceedings.csv", ",", "\t", -1)),
    Case("workbook_named_csv", "an Excel workbook renamed to children.csv", "error",
         ("children.csv", "an Excel workbook (.xlsx)", "CSV UTF-8"), lambda data: write("children.csv", xlsx_bytes())(data)),
    Case("empty_file", "an empty file (0 bytes)", "error", ("children.csv", "the file is empty", "export the table again"),
         write("children.csv", b"")),
    Case("header_only_children", "the children table has its header but no rows", "error",
         ("children.csv", "header but no rows", "one row per child"),
         both(write("children.csv", "child_id,mother_id,date_of_birth\n"), remove("referrals.csv", "proceedings.csv"))),
    Case("header_only_optional", "an optional table (referrals) has its header but no rows", "warning",
         ("referrals.csv", "the referrals table has a header but no rows", "treated as not supplied"),
         write("referrals.csv", "referral_id,child_id,referral_date\n"),
         decision="An empty optional table is not an error (there may be nothing to record); it is treated as not "
                  "supplied, so the chapters that need it say what to record."),
    Case("broken_row", "a row with an unquoted comma (more cells than columns)", "error",
         ("proceedings.csv, row 4", "not a well-formed CSV", "unquoted comma"),
         replace_in("proceedings.csv", "BP003,BK003,2020-12-01,2020-12-08,s31", "BP003,BK003,2020-12-01,2020-12-08,s31,Court, Leeds")),
    Case("blank_lines", "blank lines inside the table (row numbers must still match the spreadsheet)", "error",
         ("children.csv, row 5, column 'date_of_birth'", "'2020-02-30'", "there is no 30 February 2020"),
         replace_in("children.csv", "BK002,BM001,,2021-07-10", "\n\nBK002,BM001,,2020-02-30"),
         decision="Blank lines are skipped but counted, so 'row 5' is the row a spreadsheet shows."),
    # -- workbooks
    Case("workbook_missing_sheet", "a workbook without a children sheet (it is misspelt)", "error",
         ("area.xlsx", "no 'children' sheet", "'Childrens'", "add a sheet named 'children'"),
         workbook({"Childrens": [["child_id"], ["BK001"]], "proceedings": [["proceedings_id", "child_id", "issue_date"]]}),
         data="data/area.xlsx"),
    # -- columns and values
    Case("missing_required_column", "a required column is missing (headed 'issue date' instead of 'issue_date')", "error",
         ("proceedings.csv, row 1, column 'issue_date'", "required column 'issue_date' is missing",
          "'issue date' looks like it"),
         replace_in("proceedings.csv", "issue_date", "issue date")),
    Case("repeated_column", "a column given twice, once in capitals ('child_id' and ' Child_ID')", "error",
         ("children.csv, row 1, column 'child_id'", "appears twice in the header", "columns 1 and 8",
          "delete or rename the others"),
         both(replace_in("children.csv", "sex,ethnicity", "sex,ethnicity, Child_ID"),
              replace_in("children.csv", "F,WBRI\n", "F,WBRI,BK009\n")),
         decision="Two columns of one name hold two versions of the same thing; using either would silently drop "
                  "the other, so the table is not read until one is removed."),
    Case("repeated_column_exactly", "the same column heading twice (issue_date, issue_date)", "error",
         ("proceedings.csv, row 1, column 'issue_date'", "appears twice in the header", "columns 3 and 6"),
         both(replace_in("proceedings.csv", "application", "application,issue_date"),
              replace_in("proceedings.csv", "s31", "s31,2020-05-04"))),
    Case("repeated_column_in_workbook", "a workbook sheet with a column given twice", "error",
         ("area.xlsx [children], row 1, column 'child_id'", "appears twice in the header"),
         workbook({"children": [["child_id", "date_of_birth", "Child_ID"], ["BK001", "2020-05-01", "BK002"]],
                   "proceedings": [["proceedings_id", "child_id", "issue_date"], ["BP001", "BK001", "2020-05-03"]]}),
         data="data/area.xlsx"),
    Case("misspelt_optional_column", "an optional column misspelt (date_of_brith)", "warning",
         ("children.csv, row 1, column 'date_of_brith'", "looks like 'date_of_birth'", "rename the column"),
         replace_in("children.csv", "date_of_birth", "date_of_brith"),
         decision="Optional columns may be absent, so this is a warning, but it is never silent: without it every "
                  "date of birth would be 'not recorded'."),
    Case("blank_required_value", "a required value left blank", "error",
         ("proceedings.csv, row 3, column 'issue_date'", "a value is required", "fill in issue_date"),
         replace_in("proceedings.csv", "BP002,BK002,2021-07-20", "BP002,BK002,")),
    Case("wrong_type", "text in a number column", "error",
         ("births.csv, row 2, column 'live_births'", "not a whole number", "'about 3000'", "plain number"),
         replace_in("births.csv", "2020,3000", "2020,about 3000")),
    Case("wrong_code", "a value that is not one of the allowed codes", "error",
         ("children.csv, row 2, column 'sex'", "not one of the allowed codes", "'Female'", "M, F, U"),
         replace_in("children.csv", "2020-05-03,F,", "2020-05-03,Female,")),
    # -- dates
    Case("excel_serial_dates", "dates exported as Excel serial numbers", "error",
         ("proceedings.csv, row 2, column 'issue_date'", "'43954'", "Excel date number", "2020-05-03"),
         replace_in("proceedings.csv", "BP001,BK001,2020-05-03", "BP001,BK001,43954")),
    Case("impossible_date", "a day that does not exist (30 February)", "error",
         ("referrals.csv, row 4, column 'referral_date'", "'2021-02-30'", "there is no 30 February 2021"),
         replace_in("referrals.csv", "2020-08-14", "2021-02-30")),
    Case("implausible_year", "a year typed wrongly (1066 for 2016)", "error",
         ("children.csv, row 5, column 'date_of_birth'", "'1066-03-03'", "the year 1066 is not plausible"),
         replace_in("children.csv", "2015-03-03", "1066-03-03")),
    Case("month_first_dates", "US month-first dates (12/31/2020)", "error",
         ("proceedings.csv, row 4, column 'first_hearing_date'", "'12/31/2020'", "month-first"),
         replace_in("proceedings.csv", "2020-12-08", "12/31/2020")),
    Case("text_date", "words where a date belongs", "error",
         ("referrals.csv, row 2, column 'referral_date'", "not a date", "'early 2020'", "YYYY-MM-DD"),
         replace_in("referrals.csv", "2020-01-06", "early 2020")),
    Case("future_date", "an event dated in the future (2099)", "error",
         ("referrals.csv, row 3, column 'referral_date'", "in the future", "'2099-02-01'", "correct the date"),
         replace_in("referrals.csv", "2021-02-01", "2099-02-01"),
         decision="A referral cannot be dated after the data were read: it is a typing slip, so it stops the build."),
    Case("future_birth", "an expected date of birth put in date_of_birth", "error",
         ("children.csv, row 4, column 'date_of_birth'", "in the future", "leave date_of_birth blank"),
         replace_in("children.csv", "BK003,BM002,BF002,2020-11-20,2020-11-25", "BK003,BM002,BF002,2099-11-25,2099-11-25")),
    Case("times_of_day", "dates exported with a time of day (2020-05-01 00:00:00)", "accepted",
         ("children: 4 rows", "proceedings: 4 rows"),
         both(replace_in("children.csv", "2020-05-01", "2020-05-01 00:00:00"),
              replace_in("proceedings.csv", "2020-05-03,2020-05-03", "2020-05-03T00:00:00,03/05/2020 00:00")),
         decision="Many systems export dates with a time; the date part is what the book uses."),
    # -- rows and people
    Case("duplicated_row", "the same row twice", "error",
         ("children.csv, row 6, column 'child_id'", "'BK001'", "repeats row 2 exactly", "remove the repeated row"),
         replace_in("children.csv", "BK004,,,2015-03-03,,F,MWBC\n",
                    "BK004,,,2015-03-03,,F,MWBC\nBK001,BM001,BF001,2020-05-01,2020-05-03,F,WBRI\n")),
    Case("duplicate_id", "two different children with the same id", "error",
         ("proceedings.csv, row 5, column 'proceedings_id'", "'BP001'", "row 2 has the same proceedings_id"),
         replace_in("proceedings.csv", "BP004,", "BP001,")),
    Case("transfer_recorded_twice", "a transfer recorded twice (a table without ids)", "warning",
         ("transfers.csv, row 3", "repeats row 2 exactly", "counts twice"),
         write("transfers.csv", "child_id,transfer_date,from_team,to_team\nBK001,2020-03-01,North,Court\n"
                                "BK001,2020-03-01,North,Court\n"),
         decision="Transfers have no id, so a repeat may be real; both rows are kept and the analyst is warned."),
    Case("own_mother", "a child who is their own mother", "error",
         ("children.csv, row 3, column 'mother_id'", "'BK002'", "cannot be their own mother"),
         both(replace_in("children.csv", "BK002,BM001,", "BK002,BK002,"),
              replace_in("parents.csv", "BF002,father,,,", "BF002,father,,,\nBK002,mother,2021-07-10,,"))),
    Case("same_mother_and_father", "one person recorded as both mother and father", "error",
         ("children.csv, row 2, column 'father_id'", "'BM001'", "the mother and the father are the same person"),
         replace_in("children.csv", "BK001,BM001,BF001", "BK001,BM001,BM001")),
    Case("mother_recorded_as_father", "mother_id names a parent whose role is father", "warning",
         ("children.csv, row 4, column 'mother_id'", "'BF002'", "recorded as a father"),
         replace_in("children.csv", "BK003,BM002,BF002", "BK003,BF002,"),
         decision="Roles are sometimes recorded loosely; the link is kept and the analyst is asked to check it."),
    Case("unknown_parent", "a link to a parent who is not in the parents table", "error",
         ("children.csv, row 2, column 'father_id'", "'BF999'", "unknown parent_id", "add this parent_id to parents"),
         replace_in("children.csv", "BK001,BM001,BF001", "BK001,BM001,BF999")),
    Case("unknown_child", "proceedings about a child who is not in the children table", "error",
         ("proceedings.csv, row 3, column 'child_id'", "'BK999'", "unknown child_id"),
         replace_in("proceedings.csv", "BP002,BK002", "BP002,BK999")),
    Case("no_children_table", "the children table is not supplied", "error",
         ("data", "the children table is missing", "add children.csv"),
         both(remove("children.csv", "referrals.csv", "proceedings.csv"))),
    Case("very_large_file", f"a {LARGE_ROWS:,}-row children table with the same slip on every row", "error",
         ("children.csv, row 2, column 'sex'", "'X'", f"{LARGE_ROWS - 20} more rows with the same problem"),
         large_children(LARGE_ROWS),
         decision="Every problem is counted but only the first 20 of a kind are listed, so the report stays readable "
                  "and quick."),
    # -- standard returns (XML)
    Case("xml_not_well_formed", "a CIN census XML file cut short", "error",
         ("CIN_2021.xml", "not well formed", "export the census again"),
         write("CIN_2021.xml", CIN_2021[: CIN_2021.index("</Children>")]), reads_xml=True),
    Case("xml_wrong_namespace", "a CIN census XML file with another namespace", "error",
         ("CIN_2021.xml, element Message", "wrong XML namespace", "http://www.example.org/not-cin"),
         write("CIN_2021.xml", CIN_2021.replace("<Message>", '<Message xmlns="http://www.example.org/not-cin">')),
         reads_xml=True),
    Case("xml_other_collection", "another DfE return's XML given as the CIN census", "error",
         ("CIN_2021.xml", "not a CIN census file", "'School Census'"),
         write("CIN_2021.xml", CIN_2021.replace("<Collection>CIN</Collection>", "<Collection>School Census</Collection>")),
         reads_xml=True),
    Case("return_for_another_la", "a CIN census return of another authority among the area's own", "error",
         ("CIN_2022.xml", "this return is for LA 888, but the other returns are for LA 931", "remove this file"),
         both(write("CIN_2021.xml", CIN_2021), write("CIN_2020.xml", CIN_2021.replace("<Year>2021<", "<Year>2020<")),
              write("CIN_2022.xml", CIN_2021.replace("<Year>2021<", "<Year>2022<").replace("<LEA>931<", "<LEA>888<"))),
         reads_xml=True),
    Case("return_not_the_areas", "a CIN census return of another authority than the parameters name", "error",
         ("CIN_2021.xml", "this return is for LA 931, but the parameters are for E06000060 (LA 825)",
          "check area_code"),
         write("CIN_2021.xml", CIN_2021), area_code="E06000060", reads_xml=True),
    # -- the parameters file
    Case("data_folder_missing", "the parameters point at a data folder that does not exist", "error",
         ("data: ", "does not exist", "Point it at your data folder"), lambda data: None, data="no_such_folder/"),
    Case("parameters_not_yaml", "a parameters file that is not valid YAML (a tab, an unclosed brace)", "error",
         ("not readable as YAML", "Check the indentation"), lambda data: None,
         parameters="area_code: E99000001\narea_name: Testbury\ndata: data/\nperiod: {start: 2020-04-01\n"),
    Case("parameters_key_twice", "a parameter given twice (audience: published, then audience: internal)", "error",
         ("parameters_key_twice.yml, line 6", "'audience' is given twice", "also on line 5", "Keep one of them"),
         lambda data: None, parameters=PARAMETERS + "audience: published\naudience: internal\n",
         decision="YAML would silently keep the last one: an internal (unsuppressed) book from a file that says "
                  "published."),
    Case("parameters_alias_bomb", "YAML anchors and aliases in comparators (about 500 bytes that expand to 387 "
         "million values)", "error", ("parameters_alias_bomb.yml, line 6", "anchors and aliases", "Write each value out"),
         lambda data: None, parameters=ALIAS_BOMB,
         decision="A parameters file never needs them, and they let a few hundred bytes take minutes and gigabytes "
                  "to read: refused as they are read."),
    Case("published_min_count_too_small", "a published book that would show counts of 2 to 5 (min_count: 2)",
         "error", ("suppression.min_count", "a published book needs at least 6", "found 2", "audience: internal"),
         lambda data: None, parameters=PARAMETERS + "suppression: {min_count: 2}\naudience: published\n"),
    Case("parameters_named_dots", "a parameters file named '...yml' (its name without .yml is '..'), with bad data",
         "error", ("...yml", "must be a plain name", "letters, digits", "Rename the file"),
         BAD_SEX, file_name="...yml", output="_build",
         decision="The book's folder is named after the parameters file: '..' would be the folder above the build "
                  "folder (removed, with everything in it, after bad data)."),
    # -- the output folder: the build overwrites and removes only what it made
    Case("output_holds_users_index", "--output names the analyst's own folder, which holds an index.html", "error",
         ("mine", "index.html", "nothing was written", "--output"), BAD_SEX, output="mine",
         user_files=(("mine/index.html", "<h1>My own page</h1>\n"), ("mine/notes.txt", "my notes\n"))),
    Case("output_holds_users_area_folder", "--output holds a folder of the area's name that the tool did not make",
         "error", ("output_holds_users_area_folder", "was not made by this tool", "nothing was written"), BAD_SEX,
         output="mine", user_files=(("mine/output_holds_users_area_folder/html/index.html", "<h1>Mine</h1>\n"),)),
    Case("output_is_data_folders_parent", "--output is the data folder's parent, and the parameters file is named "
         "after the data folder (data.yml)", "error", ("data", "was not made by this tool", "nothing was written"),
         BAD_SEX, file_name="data.yml", output=".",
         decision="The book's folder would be the data folder itself."),
]

BY_NAME = {case.name: case for case in CASES}
