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

RAG_ROUND = """\
    round_date,statement_id,stage,level,statement,rating
    2022-01-10,PB1,pre-birth,strategic,A pre-birth pathway agreed with midwifery,{a}
    2022-01-10,PB2,pre-birth,practice,Fathers are invited to every meeting,{b}
    2022-01-10,PB3,pre-birth,practice,Parents are offered an advocate,{c}
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
    extra: str = ""  # more parameters (e.g. 'benchmarks: benchmarks/'), appended to the file
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
                       else AREA.format(area_code=self.area_code, data=self.data) + self.extra, encoding="utf-8")
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


def workbook(sheets: dict[str, list[list]], states: dict[str, str] | None = None) -> Callable[[Path], None]:
    """Replace the CSVs with one workbook area.xlsx holding these sheets (``states``: a sheet's
    'hidden' or 'veryHidden'). A cell text starting with '=' is a formula, saved (as openpyxl
    saves it) without a calculated result."""
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
            sheet.sheet_state = (states or {}).get(title, "visible")
        book.save(data / "area.xlsx")
    return change


def template_workbook(data: Path) -> None:
    """The empty template of 'prebirth template', given as the data."""
    from prebirth.data.template import write_template

    for path in data.glob("*.csv"):
        path.unlink()
    write_template(data / "area.xlsx")


def huge_workbook(rows: int) -> Callable[[Path], None]:
    """area.xlsx with a children sheet of ``rows`` rows, written as its XML parts (as a program
    exporting a large table writes it: about 10 MB for a million rows)."""
    def change(data: Path) -> None:
        import zipfile

        for path in data.glob("*.csv"):
            path.unlink()
        main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        package = "http://schemas.openxmlformats.org/package/2006/relationships"
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        with zipfile.ZipFile(data / "area.xlsx", "w", zipfile.ZIP_DEFLATED) as book:
            book.writestr("[Content_Types].xml",
                          '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                          'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                          'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                          f'<Override PartName="/xl/workbook.xml" ContentType="{kind}.sheet.main+xml"/>'
                          f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{kind}.worksheet+xml"/>'
                          '</Types>')
            book.writestr("_rels/.rels", f'<?xml version="1.0"?><Relationships xmlns="{package}"><Relationship '
                                         f'Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
                                         '</Relationships>')
            book.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook xmlns="{main}" xmlns:r="{rel}">'
                                             '<sheets><sheet name="children" sheetId="1" r:id="rId1"/></sheets>'
                                             '</workbook>')
            book.writestr("xl/_rels/workbook.xml.rels",
                          f'<?xml version="1.0"?><Relationships xmlns="{package}"><Relationship Id="rId1" '
                          f'Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
            with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
                sheet.write(f'<?xml version="1.0"?><worksheet xmlns="{main}"><sheetData>'.encode())
                sheet.write(b'<row r="1"><c r="A1" t="inlineStr"><is><t>child_id</t></is></c><c r="B1" '
                            b't="inlineStr"><is><t>sex</t></is></c></row>')
                for number in range(2, rows + 2):
                    sheet.write(f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>K{number}</t></is></c>'
                                f'<c r="B{number}" t="inlineStr"><is><t>F</t></is></c></row>'.encode())
                sheet.write(b"</sheetData></worksheet>")
    return change


def encrypted_workbook(data: Path) -> None:
    """A stand-in for a password-protected workbook: Excel saves one as an OLE compound file whose
    stream 'EncryptedPackage' holds the encrypted workbook. These bytes carry the same two marks
    (the OLE signature and the stream's name) and nothing readable, which is all the reader sees
    of a real one before refusing it."""
    for path in data.glob("*.csv"):
        path.unlink()
    name = "EncryptedPackage".encode("utf-16-le")
    (data / "area.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + name + bytes(2048))


def fifo(name: str) -> Callable[[Path], None]:
    def change(data: Path) -> None:
        import os

        (data / name).unlink()
        os.mkfifo(data / name)
    return change


def device(name: str, target: str = "/dev/zero") -> Callable[[Path], None]:
    def change(data: Path) -> None:
        (data / name).unlink()
        (data / name).symlink_to(target)
    return change


def benchmarks(files: dict[str, str | Callable[[Path], None]]) -> Callable[[Path], None]:
    """Write a benchmarks folder beside the data folder (name -> text, or a function writing the file)."""
    def change(data: Path) -> None:
        folder = data.parent / "benchmarks"
        for name, content in files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if callable(content):
                content(path)
            else:
                path.write_text(textwrap.dedent(content), encoding="utf-8")
    return change


def la_code_list(path: Path) -> None:
    """A small DfE la_code_list workbook (LA number, name, region, type), as DfE lays it out."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["LA Number", "LA Name", "Region", "Type"])
    sheet.append([890, "Blackpool", "North West", "Unitary"])
    sheet.append([340, "Knowsley", "North West", "Metropolitan district"])
    sheet.append([970, "England", "NA", "NA"])
    book.save(path)


TIDY = """\
    period,geographic_level,area_code,area_name,region_code,region_name,indicator,numerator,denominator,value,source
    2021/22,National,E92000001,England,,,infant_starters_share,5000,30000,,DfE
    2021/22,Local authority,E06000009,Blackpool,E12000002,North West,infant_starters_share,30,140,,DfE
    2021/22,Local authority,E08000011,Knowsley,E12000002,North West,infant_starters_share,20,100,,DfE
    """
SFR_2012 = """\
    New_geog_code,geog_l,geog_c,geog_n,CLA_started2012,SCLA_U1
    E92000001,NATIONAL,999,ENGLAND,28220,5880
    E06000009,LA,890,Blackpool,148,x
    E08000011,LA,340,Knowsley,120,21
    """
BENCHMARKS = "benchmarks: benchmarks/\n"


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
HUGE_WORKBOOK_ROWS = 1_000_000

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
    Case("unknown_rag_rating", "a self-assessment rating that is neither R, A, G nor Red, Amber, Green", "error",
         ("rag.csv, row 3, column 'rating'", "not one of the allowed codes", "'Purple'",
          "R, A, G, or the words Red, Amber, Green"),
         write("rag.csv", RAG_ROUND.format(a="Red", b="Purple", c="Green")),
         decision="A rating other than the three (a typing slip, or a colour from another scheme) cannot be counted "
                  "as any of them, so it stops the build and the workshop's sheet is corrected."),
    Case("rag_rating_words", "self-assessment ratings written as the worksheet's words (' green', 'AMBER', 'Red')",
         "accepted", ("rag: 3 rows",), write("rag.csv", RAG_ROUND.format(a="Red", b="AMBER", c=" green")),
         decision="The printable worksheet and its drop-downs say Red, Amber and Green: the words are read as R, A "
                  "and G, in any case and with spaces around them."),
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
    Case("return_for_three_authorities", "CIN census returns of three authorities, one each", "error",
         ("CIN_2020.xml", "CIN_2021.xml", "CIN_2022.xml",
          "the returns are for 3 different authorities (LA 777: CIN_2020.xml; LA 888: CIN_2022.xml; "
          "LA 931: CIN_2021.xml)", "set area_code"),
         both(write("CIN_2021.xml", CIN_2021),
              write("CIN_2020.xml", CIN_2021.replace("<Year>2021<", "<Year>2020<").replace("<LEA>931<", "<LEA>777<")),
              write("CIN_2022.xml", CIN_2021.replace("<Year>2021<", "<Year>2022<").replace("<LEA>931<", "<LEA>888<"))),
         reads_xml=True,
         decision="Every file that is not the area's is named in one run; when no authority has the most returns "
                  "(and the parameters' area code gives no LA number), every file is named with its authority."),
    Case("census_without_assessments", "a CIN census return that holds no assessments", "warning",
         ("CIN_2021.xml", "this return holds no assessment records", "treated as not supplied"),
         write("CIN_2021.xml", CIN_2021), reads_xml=True,
         decision="A census with referrals but no assessments can be real; the chapters that need assessments say "
                  "so. The warning names the return, not an 'assessments.csv' that does not exist."),
    Case("bad_date_in_unused_903_table", "a malformed date in a 903 table the book does not use (DoLo.csv)", "error",
         ("DoLo.csv, row 2, column 'DOLO_END'", "'02/01/20251'", "DD/MM/YYYY", "remove DoLo.csv"),
         write("DoLo.csv", "CHILD,DOB,DOLO_START,DOLO_END\nBK001,05/12/1993,01/01/2025,02/01/20251\n"),
         reads_xml=True,
         decision="Every table of a return is checked, used or not: a malformed date is never skipped in silence."),
    Case("returns_in_a_sub_folder", "returns kept in a folder inside the data folder", "warning",
         ("SSDA903", "this folder inside the data folder was not read", "move its files into the data folder"),
         lambda data: write("SSDA903/DoLo.csv", "CHILD,DOB,DOLO_START,DOLO_END\nBK001,05/12/1993,01/01/2025,"
                                                "02/01/20251\n")((data / "SSDA903").mkdir() or data),
         decision="Only the files directly in the data folder are read (a sub-folder may hold anything, such as "
                  "last year's copies); a sub-folder is named, never skipped in silence."),
    # -- numbers
    Case("huge_number", "a number far too large to be a count (live births 1e20)", "error",
         ("births.csv, row 2, column 'live_births'", "'1e20'", "far too large"),
         replace_in("births.csv", "2020,3000", "2020,1e20")),
    Case("no_births", "live births of 0 (or fewer) in a year", "error",
         ("births.csv, row 3, column 'live_births'", "'0'", "must be at least 1"),
         replace_in("births.csv", "2021,2900", "2021,0"),
         decision="Rates are per live birth: a year with no births recorded is left out of births.csv, not 0."),
    Case("infinite_value", "a context value of 'inf'", "error",
         ("context.csv, row 2, column 'value'", "'inf'", "not a finite number"),
         write("context.csv", "period,indicator,value\n2020/21,caseload,inf\n")),
    Case("other_digits_in_a_number", "a number typed with Arabic-Indic digits", "error",
         ("births.csv, row 2, column 'live_births'", "'\u0663\u0660\u0660\u0660'", "digits other than 0-9",
          "retype it with the digits 0-9"),
         replace_in("births.csv", "2020,3000", "2020,\u0663\u0660\u0660\u0660")),
    Case("other_digits_in_a_date", "a date typed with full-width digits", "error",
         ("referrals.csv, row 4, column 'referral_date'", "digits other than 0-9", "YYYY-MM-DD"),
         replace_in("referrals.csv", "2020-08-14", "\uff12\uff10\uff12\uff10-\uff10\uff18-\uff11\uff14"),
         decision="Digits of another script look right on screen but are not 0-9: the message says so rather than "
                  "naming a date that does exist."),
    Case("date_without_leading_zeros", "a year-first date without leading zeros (2020-8-14)", "accepted",
         ("referrals: 3 rows",), replace_in("referrals.csv", "2020-08-14", "2020-8-14"),
         decision="Year first, then month, then day is unambiguous: 2020-8-14 is 14 August 2020 and is read as such."),
    # -- files that are not CSV text
    Case("excel_separator_line", "a CSV starting with Excel's 'sep=,' line", "accepted",
         ("children: 4 rows",), lambda data: write("children.csv", "sep=,\n" + _text(data, "children.csv"))(data),
         decision="Excel writes (and hides) a 'sep=,' first line in some exports: it is skipped, and rows are "
                  "numbered as Excel shows them (the header is row 1)."),
    Case("nul_byte_late", "a NUL byte after the first 4 KiB (a binary or damaged file)", "error",
         ("children.csv, row 6", "NUL byte", "not CSV text"),
         lambda data: (data / "children.csv").write_bytes(
             _text(data, "children.csv").encode() + b"BK005,,,2015-03-03,," + b"x" * 5000 + b"\x00\n")),
    Case("named_pipe", "a named pipe (FIFO) in place of a table file", "error",
         ("children.csv", "named pipe (FIFO)", "ordinary file"), fifo("children.csv"),
         decision="Reading a pipe waits for a writer that may never come: it is refused at once."),
    Case("device_file", "a table file that is a link to /dev/zero", "error",
         ("children.csv", "a device", "ordinary file"), device("children.csv"),
         decision="A device never ends: it is refused at once, before any byte is read."),
    Case("very_wide_table", "a CSV with 100,000 columns", "error",
         ("children.csv, row 1", "the header has 100,001 columns", "refused without reading further"),
         lambda data: write("children.csv", "child_id," + ",".join(f"c{i}" for i in range(100_000)) + "\nBK001"
                            + "," * 100_000 + "\n")(data),
         decision="No table of the book has more than a few dozen columns; a header of more than 500 is refused "
                  "before its rows are read (it took minutes, quadratic in the columns)."),
    # -- workbooks
    Case("template_as_data", "the empty template workbook given as the data", "error",
         ("area.xlsx [children]", "the children table has a header but no rows", "one row per child"),
         template_workbook, data="data/area.xlsx",
         decision="The template's other sheets, header only, are tables not supplied (as the template says); the "
                  "children sheet is there, so the message says it is empty, not missing."),
    Case("formula_without_result", "a workbook whose date of birth is a formula never calculated", "error",
         ("area.xlsx [children], row 3, column 'date_of_birth'", "'=DATE(2021,7,10)'",
          "a formula with no saved result", "Paste Special > Values"),
         workbook({"children": [["child_id", "date_of_birth", "sex"], ["BK001", "2020-05-01", "F"],
                                ["BK002", "=DATE(2021,7,10)", "M"]]}),
         data="data/area.xlsx",
         decision="Read as it is, the formula would be a blank date of birth and the child would count as unborn."),
    Case("two_sheets_one_table", "two sheets for one table ('children' and ' Children')", "error",
         ("area.xlsx", "2 sheets hold the children table", "' Children'", "keep one sheet for each table"),
         workbook({"children": [["child_id"], ["BK001"]], " Children": [["child_id"], ["BK002"]]}),
         data="data/area.xlsx",
         decision="Neither sheet may silently replace the other."),
    Case("hidden_sheet", "a table's sheet hidden in Excel", "warning",
         ("area.xlsx [proceedings]", "is hidden in Excel; it was read", "Unhide"),
         workbook({"children": [["child_id"], ["BK001"]],
                   "proceedings": [["proceedings_id", "child_id", "issue_date"], ["BP001", "BK001", "2020-05-03"]]},
                  {"proceedings": "hidden"}),
         data="data/area.xlsx",
         decision="A hidden sheet can be unhidden and checked in Excel: it is read, with a warning."),
    Case("very_hidden_sheet", "a table's sheet 'very hidden' (only a macro can show it)", "error",
         ("area.xlsx [proceedings]", "'very hidden'", "was not read", "xlSheetVisible"),
         workbook({"children": [["child_id"], ["BK001"]],
                   "proceedings": [["proceedings_id", "child_id", "issue_date"], ["BP001", "BK001", "2020-05-03"]]},
                  {"proceedings": "veryHidden"}),
         data="data/area.xlsx",
         decision="No one can see a very hidden sheet in Excel, so no one can check what the book would count: "
                  "it is an error until the sheet is made visible."),
    Case("encrypted_workbook", "a password-protected (encrypted) workbook", "error",
         ("area.xlsx", "protected with a password", "remove the password"), encrypted_workbook,
         data="data/area.xlsx",
         decision="The file is a stand-in with the marks of an encrypted workbook (see corpus.py)."),
    Case("huge_workbook", f"a 10 MB workbook of {HUGE_WORKBOOK_ROWS:,} rows", "error",
         ("area.xlsx", "more than 1,000,000 filled cells", "CSV UTF-8 (Comma delimited)"),
         huge_workbook(HUGE_WORKBOOK_ROWS), data="data/area.xlsx",
         decision="A workbook is read cell by cell (a million cells take about a minute); past a million filled "
                  "cells it is refused at once, after counting them, with the way that takes seconds: CSV."),
    # -- benchmarks
    Case("benchmark_region_unknown", "a benchmark row whose region is no English region", "error",
         ("benchmarks/benchmarks.csv, row 3, column 'region_name'", "'Atlantis'", "not one of the nine English regions"),
         benchmarks({"benchmarks.csv": TIDY.replace("E12000002,North West,infant_starters_share,30",
                                                    "E12000002,Atlantis,infant_starters_share,30")}),
         extra=BENCHMARKS),
    Case("benchmark_part_larger_than_whole", "a benchmark share whose part is larger than its whole", "error",
         ("benchmarks/older/benchmarks.csv, row 4, column 'numerator'", "'200 of 100'", "larger than the whole"),
         benchmarks({"older/benchmarks.csv": TIDY.replace(",20,100,", ",200,100,")}), extra=BENCHMARKS),
    Case("sfr_tables_in_a_sub_folder", "legacy SFR tables in their own sub-folder, the LA code list beside it",
         "accepted", ("benchmarks: 3 figures from 2 file(s)", "No warnings"),
         benchmarks({"la_code_list.xlsx": la_code_list, "legacy/SFR20_ADM2012.csv": SFR_2012}), extra=BENCHMARKS,
         decision="The LA numbers, codes and regions are learned from every file of the benchmarks folder and its "
                  "sub-folders, so the SFR tables' authorities find their regions in the code list."),
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
