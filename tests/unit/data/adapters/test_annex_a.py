"""Ofsted Annex A adapter: lists 3, 4 and 8 from a hand-made workbook laid out like the real ones."""

from __future__ import annotations

import datetime as dt

import pytest

from prebirth.data.adapters.annex_a import read_annex_a
from prebirth.data.problems import DataError

ID, GENDER, ETHNIC, DOB, AGE = "Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age"


def workbook(tmp_path, sheets: dict[str, list[list]], name="annex.xlsx"):
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


LIST3 = [
    ["Annex A: list 3 - referrals"],  # a title row above the header, as many LAs add
    [],
    [ID, GENDER, ETHNIC, DOB, AGE, "Date of Referral", "Referral Source", "Referral NFA?", "Allocated Team"],
    ["K1", "b) Female", "a) WBRI", dt.datetime(2020, 5, 10), 0.8, dt.datetime(2020, 9, 16), "q) 6: Police", "No", "Duty"],
    ["K2", "a) Male", "k) APKN", None, None, "17/09/2020", "j) 3D: Health services", "Yes", "Duty"],
    ["K1", "Female", "WBRI", dt.datetime(2020, 5, 10), 0.9, dt.datetime(2020, 9, 16), "e) 2A: Schools", "No", "Duty"],
    [None, None, None, None, None, None, None, None, None],
]
LIST4 = [
    [ID, GENDER, ETHNIC, DOB, AGE, "Does the Child have a Disability", "Continuous Assessment Start Date",
     "Child Seen During Continuous Assessment", "Continuous Assessment Date of Authorisation", "Allocated Team"],
    ["K1", "b) Female", "a) WBRI", dt.datetime(2020, 5, 10), 0.8, "b) No", dt.datetime(2020, 9, 17), "Yes",
     dt.datetime(2020, 10, 20), "Locality 2"],
    ["K3", "c) Not stated/recorded", "#N/A", dt.datetime(2019, 1, 2), 1.7, "b) No", 43861, "Yes", None, "Locality 1"],
]
LIST8 = [
    [ID, GENDER, ETHNIC, DOB, AGE, "Date Started to be Looked After", "Start date of current legal status",
     "Child's Legal Status", "Date Ceased to be Looked After", "Reason Ceased to be Looked After",
     "Start Date of Most Recent Placement", "Placement Type"],
    ["K4", "a) Male", "a) WBRI", dt.datetime(2020, 1, 3), 1.0, dt.datetime(2020, 1, 5), dt.datetime(2020, 1, 5),
     "J1: Interim care order", None, None, dt.datetime(2020, 1, 5), "a) U1: Foster placement - relatives"],
    ["K5", "b) Female", "a) WBRI", dt.datetime(2019, 6, 1), 1.6, dt.datetime(2019, 7, 1), dt.datetime(2020, 2, 1),
     "C2: FCO", dt.datetime(2020, 12, 1), "E11: Adopted", dt.datetime(2019, 9, 9), "U4: Foster placement - long term"],
]


def test_lists_3_4_8_into_tables(tmp_path):
    path = workbook(tmp_path, {"List 1": [[ID]], "List 3 Referrals": LIST3, "List 4": LIST4, "LIST 8 - CLA": LIST8})
    source = read_annex_a(path)
    referrals = source.tables["referrals"]
    assert referrals.drop(columns=["_file", "_row"]).values.tolist() == [
        ["K1:R:2020-09-16:1", "K1", "2020-09-16", "6", None],
        ["K2:R:2020-09-17:1", "K2", "2020-09-17", "3D", "nfa"],
        ["K1:R:2020-09-16:2", "K1", "2020-09-16", "2A", None],
    ]
    assert referrals["_row"].tolist() == [4, 5, 6]  # the header is on row 3 of the sheet
    assert set(referrals["_file"]) == {"annex.xlsx [List 3 Referrals]"}

    assessments = source.tables["assessments"]
    # 43861 is an Excel day number (a date cell that lost its format): 2020-01-31.
    assert assessments.drop(columns=["_file", "_row"]).values.tolist() == [
        ["K1:A:2020-09-17:1", "K1", "2020-09-17", "2020-10-20", "Locality 2"],
        ["K3:A:2020-01-31:1", "K3", "2020-01-31", None, "Locality 1"],
    ]

    episodes = source.tables["care_episodes"]
    assert episodes.drop(columns=["_file", "_row"]).values.tolist() == [
        # Legal status and placement started the day care began: one row.
        ["K4", "2020-01-05", None, "J1", "U1", "S", None],
        # The current legal status started later: a second row from that date; placement unknown at the start.
        ["K5", "2019-07-01", "2020-02-01", None, None, "S", None],
        ["K5", "2020-02-01", "2020-12-01", "C2", None, None, "E11"],
    ]

    children = source.tables["children"].set_index("child_id")
    assert children.loc["K1", ["date_of_birth", "sex", "ethnicity"]].tolist() == ["2020-05-10", "F", "WBRI"]
    assert children.loc["K2", ["date_of_birth", "sex", "ethnicity"]].tolist() == [None, "M", "APKN"]
    assert children.loc["K3", ["sex", "ethnicity"]].tolist() == ["U", None]
    assert sorted(children.index) == ["K1", "K2", "K3", "K4", "K5"]
    assert source.label == "Ofsted Annex A (to 2020-12-01): 5 children, 3 referrals, 2 assessments, 3 care episodes"
    assert source.problems == []


def test_conflicting_child_details_and_rows_without_id(tmp_path):
    list3 = [LIST3[2], LIST3[3], ["K1", "a) Male", "a) WBRI", dt.datetime(2020, 5, 11), None, "16/09/2020", "6", "No"],
             [None, None, None, None, None, "16/09/2020", "6", "No"]]
    source = read_annex_a(workbook(tmp_path, {"List 3": list3}))
    found = {(p.level, p.row, p.column) for p in source.problems}
    assert ("warning", 3, "sex") in found and ("warning", 3, "date_of_birth") in found
    assert ("error", 4, "Child Unique ID") in found
    assert source.notes == ["Annex A list 4 is not in the workbook", "Annex A list 8 is not in the workbook"]


def test_bad_date_is_an_error(tmp_path):
    list3 = [LIST3[2], ["K1", "Female", "WBRI", None, None, "31/02/2020", "6", "No"]]
    source = read_annex_a(workbook(tmp_path, {"List 3": list3}))
    assert [(p.level, p.row, p.column, p.value) for p in source.problems] == [
        ("error", 2, "referral_date", "31/02/2020")]


def test_workbook_without_the_lists_is_an_error(tmp_path):
    with pytest.raises(DataError, match="none of Annex A lists"):
        read_annex_a(workbook(tmp_path, {"Sheet1": [["a"]]}))
    with pytest.raises(DataError, match="cannot open"):
        bad = tmp_path / "bad.xlsx"
        bad.write_text("not a workbook")
        read_annex_a(bad)


def test_list_without_id_header_is_reported(tmp_path):
    source = read_annex_a(workbook(tmp_path, {"List 3": [["Referral date"], ["2020-01-01"]], "List 4": LIST4}))
    assert any(p.level == "error" and "no 'Child Unique ID'" in p.message for p in source.problems)
    assert len(source.tables["assessments"]) == 2
