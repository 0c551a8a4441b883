"""The adapters' registry: detecting each kind of file, reading it, stacking several years into one history."""

from __future__ import annotations

import pytest

from prebirth.data.adapters import SourceRead, detect, read, stack
from prebirth.data.adapters._common import raw_frame
from prebirth.data.problems import DataError, Problem

from .test_cin_census import census


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name, text, kind", [
    ("a.xml", census("2022", ""), "cin_census"),
    ("b.xml", "<EXPSSDA903><CHILD><HEADER><CHILDID>1</CHILDID></HEADER></CHILD></EXPSSDA903>", "ssda903_xml"),
    ("c.csv", "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n", "ssda903_header"),
    ("d.csv", "CHILD,DECOM,RNE,LS\n", "ssda903_episodes"),
    ("e.csv", "CHILD,DOB,DOLO_START,DOLO_END\n", "ssda903_other"),
    ("f.csv", "time_period,time_identifier,geographic_level,number\n", "ees"),
    ("g.csv", "New_geog_code,geog_l,geog_c,geog_n,CLA_started2012,SCLA_U1\n", "sfr"),
    ("h.csv", "period,geographic_level,area_code,area_name,indicator,value\n", "benchmark_tidy"),
    ("referrals.csv", "referral_id,child_id,referral_date\n", "canonical_csv"),
    ("my_children.csv", "child_id,date_of_birth,sex\n", "canonical_csv"),
    ("i.csv", "foo,bar\n", None),
    ("j.txt.bak", "anything", None),
])
def test_detect_from_content(tmp_path, name, text, kind):
    assert detect(write(tmp_path, name, text)) == kind


def test_detect_workbooks(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "List 3"
    book.save(tmp_path / "annex.xlsx")
    assert detect(tmp_path / "annex.xlsx") == "annex_a"
    book.active.title = "children"
    book.save(tmp_path / "area.xlsx")
    assert detect(tmp_path / "area.xlsx") == "canonical_workbook"
    sheet = book.active
    sheet.title = "groups"
    sheet.append(["LA num", "LA Name", "SN1", "SNP", "SN2", "SNP"])
    book.save(tmp_path / "sn.xlsx")
    assert detect(tmp_path / "sn.xlsx") == "statistical_neighbours"


def test_read_dispatches_and_names_the_source(tmp_path):
    child = "<Child><ChildIdentifiers><LAchildID>A</LAchildID><PersonBirthDate>2021-05-01</PersonBirthDate></ChildIdentifiers></Child>"
    source = read(write(tmp_path, "census.xml", census("2022", child)))
    assert isinstance(source, SourceRead) and source.kind == "cin_census"
    assert source.label == "CIN census 2021/22 (LA 890): 1 children"
    canonical = read(write(tmp_path, "children.csv", "child_id,sex\nK1,F\n\nK2,\n"))
    assert canonical.tables["children"][["child_id", "sex", "_row"]].values.tolist() == [["K1", "F", 2], ["K2", None, 4]]


def test_read_unknown_file_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="not a file the book can read"):
        read(write(tmp_path, "notes.csv", "foo,bar\n1,2\n"))
    with pytest.raises(DataError, match="does not exist"):
        read(tmp_path / "missing.xml")


def children_read(file, as_of, rows, kind="cin_census"):
    columns = {c: [r[i] for r in rows] for i, c in enumerate(["child_id", "date_of_birth", "expected_date_of_birth", "sex"])}
    frame = raw_frame(columns, file, [f"Message/Children/Child[{i + 1}]" for i in range(len(rows))])
    return SourceRead(kind, file, file, {"children": frame}, as_of=as_of)


def test_stack_one_child_many_years_latest_wins_with_warning():
    year1 = children_read("CIN_2021.xml", "2021-03-31", [
        ("C1", None, "2021-05-01", "U"),  # unborn at the 2021 census
        ("C2", "2015-01-01", None, "F"),
    ])
    year2 = children_read("CIN_2022.xml", "2022-03-31", [
        ("C1", "2021-04-28", None, "M"),  # born: date of birth, sex now known, EDD no longer sent
        ("C2", "2015-01-02", None, "F"),  # a corrected date of birth: a conflict
    ])
    # Given newest first: order comes from as_of, not from the list.
    tables, problems = stack([year2, year1])
    children = tables["children"].set_index("child_id")
    assert children.loc["C1", ["date_of_birth", "expected_date_of_birth", "sex"]].tolist() == [
        "2021-04-28", "2021-05-01", "M"]
    assert children.loc["C2", "date_of_birth"] == "2015-01-02"
    assert children.loc["C2", "_file"] == "CIN_2022.xml"
    assert len(children) == 2
    conflicts = [p for p in problems if p.level == "warning"]
    assert len(conflicts) == 1  # U -> M and a blank EDD are not conflicts
    assert conflicts[0].column == "date_of_birth" and "child C2" in conflicts[0].message
    assert "'2015-01-01' in CIN_2021.xml" in conflicts[0].message and conflicts[0].file == "CIN_2022.xml"


def test_stack_keeps_u_when_nothing_better_is_known():
    tables, problems = stack([children_read("a.xml", "2021-03-31", [("C1", None, "2021-09-01", "U")]),
                              children_read("b.xml", "2022-03-31", [("C1", None, "2021-09-01", None)])])
    assert tables["children"]["sex"].tolist() == ["U"] and problems == []


def test_stack_deduplicates_episodes_across_returns():
    def episodes(file, as_of, rows):
        columns = {c: [r[i] for r in rows] for i, c in enumerate(["child_id", "start_date", "end_date", "legal_status"])}
        return SourceRead("ssda903_episodes", file, file, {"care_episodes": raw_frame(columns, file, list(range(2, len(rows) + 2)))},
                          as_of=as_of)

    first = episodes("episodes_2020.csv", "2020-03-31", [("C1", "2020-01-05", None, "J1"), ("C2", "2019-06-01", "2019-09-01", "V2")])
    second = episodes("episodes_2021.csv", "2021-03-31", [("C1", "2020-01-05", "2020-07-01", "J1"), ("C1", "2020-07-01", None, "C2")])
    tables, problems = stack([first, second])
    result = tables["care_episodes"].sort_values(["child_id", "start_date"])
    assert result[["child_id", "start_date", "end_date", "legal_status"]].values.tolist() == [
        ["C1", "2020-01-05", "2020-07-01", "J1"],
        ["C1", "2020-07-01", None, "C2"],
        ["C2", "2019-06-01", "2019-09-01", "V2"],
    ]
    assert problems == []


def test_stack_undated_read_counts_as_latest_and_problems_are_passed_on():
    dated = children_read("CIN_2022.xml", "2022-03-31", [("C1", "2020-01-01", None, "F")])
    own = children_read("children.csv", None, [("C1", "2020-01-03", None, "F")], kind="canonical_csv")
    dated.problems.append(Problem("warning", "CIN_2022.xml", None, None, None, "a warning of the read", ""))
    tables, problems = stack([own, dated])
    assert tables["children"]["date_of_birth"].tolist() == ["2020-01-03"]
    assert problems[0].message == "a warning of the read"
    assert problems[1].column == "date_of_birth"


def test_stack_keeps_rows_without_an_id():
    read_ = children_read("a.xml", "2021-03-31", [(None, "2020-01-01", None, "F"), (None, "2020-02-01", None, "M")])
    tables, _ = stack([read_])
    assert len(tables["children"]) == 2


def test_stack_of_a_third_year_lists_conflicts_once_per_field():
    years = [children_read(f"CIN_{y}.xml", f"{y}-03-31", [("C1", f"2015-01-0{i + 1}", None, "F")])
             for i, y in enumerate((2020, 2021, 2022))]
    tables, problems = stack(years)
    assert tables["children"]["date_of_birth"].tolist() == ["2015-01-03"]
    assert len(problems) == 1
    assert "'2015-01-01' in CIN_2020.xml; '2015-01-02' in CIN_2021.xml" in problems[0].message
