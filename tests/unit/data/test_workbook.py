"""The workbook reader: what it refuses, and formulas with or without a saved result (data/workbook.py)."""

from __future__ import annotations

import zipfile

import pytest

from prebirth.data import workbook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"


def write_xlsx(path, rows_xml: str, name: str = "children"):
    """A workbook of one sheet whose <sheetData> is ``rows_xml``, written part by part."""
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("[Content_Types].xml",
                      '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                      '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
                      'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                      '<Override PartName="/xl/worksheets/sheet1.xml" '
                      'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        book.writestr("_rels/.rels", f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
                                     f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        book.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="{name}" '
                                         'sheetId="1" r:id="rId1"/></sheets></workbook>')
        book.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
                                                    f'Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
                                                    '</Relationships>')
        book.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{MAIN}"><sheetData>{rows_xml}</sheetData></worksheet>')
    return path


def text(ref, value):
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


HEADER = f'<row r="1">{text("A1", "child_id")}{text("B1", "sex")}</row>'


def test_more_cells_than_the_limit_are_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_CELLS", 5)
    rows = "".join(f'<row r="{n}">{text(f"A{n}", f"K{n}")}{text(f"B{n}", "F")}</row>' for n in range(2, 5))
    problems = []
    assert workbook.read_workbook(write_xlsx(tmp_path / "area.xlsx", HEADER + rows), problems) == {}
    assert [(p.level, p.file) for p in problems] == [("error", "area.xlsx")]
    assert "more than 5 filled cells" in problems[0].message and "CSV UTF-8" in problems[0].fix


def test_formulas_with_and_without_a_saved_result(tmp_path):
    rows = (f'<row r="2">{text("A2", "K1")}<c r="B2" t="str"><f>IF(1,"F","M")</f><v>F</v></c></row>'
            f'<row r="3">{text("A3", "K2")}<c r="B3" t="str"><f>IF(1,"","M")</f><v></v></c></row>'
            f'<row r="5">{text("A5", "K3")}<c r="B5"><f>1+1</f></c></row>'
            f'<row r="6">{text("A6", "K4")}<c r="B6"><f>2&gt;1</f><v></v></c></row>')
    problems = []
    tables = workbook.read_workbook(write_xlsx(tmp_path / "area.xlsx", HEADER + rows), problems)
    frame = tables["children"]
    # A saved result is read (an empty text result is a blank); rows are numbered as Excel shows them.
    assert frame["sex"].tolist()[:2] == ["F", None] and frame["_row"].tolist() == [2, 3, 5, 6]
    assert [(p.row, p.column, p.value) for p in problems] == [(5, "sex", "=1+1"), (6, "sex", "=2>1")]
    assert all("no saved result" in p.message for p in problems)


def test_a_sheet_written_with_a_namespace_prefix_is_counted(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_CELLS", 3)
    rows = HEADER + f'<row r="2">{text("A2", "K1")}{text("B2", "F")}</row>'
    prefixed = rows.replace("<c ", "<x:c ").replace("</c>", "</x:c>")
    path = write_xlsx(tmp_path / "area.xlsx", prefixed)
    with zipfile.ZipFile(path) as book:
        sheets = workbook._sheets(book)
        with pytest.raises(workbook._Refused):
            workbook._scan(path, book, sheets)


@pytest.mark.parametrize("content, expected", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600) + "EncryptedPackage".encode("utf-16-le"), "protected with a password"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "Excel 97-2003 workbook (.xls)"),
    (b"child_id,sex\nK1,F\n", "a CSV file named .xlsx"),
    (b"PK\x03\x04 damaged", "damaged"),
])
def test_files_that_are_no_workbook_say_what_they_are(tmp_path, content, expected):
    (tmp_path / "area.xlsx").write_bytes(content)
    problems = []
    assert workbook.read_workbook(tmp_path / "area.xlsx", problems) == {}
    assert len(problems) == 1 and expected in problems[0].message
