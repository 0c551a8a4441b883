"""SSDA903 adapter: header and episodes CSVs, the XML export, and each error path, on hand-written files."""

from __future__ import annotations

import pytest

from prebirth.data.adapters.ssda903 import read_903_episodes, read_903_header, read_903_other, read_903_xml
from prebirth.data.problems import DataError

HEADER = """CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB
101,1,03/04/2019,WBRI,A1,,
102,2,28/02/2004,MWBC,A2,1.0,15/06/2020
103,2,01/01/2005,,A3,0,
"""
EPISODES = """CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
101,05/04/2019,S,C2,N1,U1,PR1,20/10/2019,X1,,,,
101,20/10/2019,P,C2,N1,U4,PR1,,,,,,
102,11/11/2018,S,V2,N4,K2,PR0,01/02/2019,E13,,,,
"""
XML = """<?xml version='1.0' encoding='us-ascii'?>
<EXPSSDA903>
<CHILD><HEADER><CHILDID>101</CHILDID><UPN>A1</UPN><SEX>1</SEX><DOB>03/04/2019</DOB><ETHNIC>WBRI</ETHNIC><MOTHER /><MC_DOB /></HEADER>
  <EPISODE><DECOM>05/04/2019</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U1</PL><DEC>20/10/2019</DEC><REC>X1</REC></EPISODE>
  <EPISODE><DECOM>20/10/2019</DECOM><RNE>P</RNE><LS>C2</LS><CIN>N1</CIN><PL>U4</PL><DEC /><REC /></EPISODE>
</CHILD>
<CHILD><HEADER><CHILDID>102</CHILDID><SEX>2</SEX><DOB>28/02/2004</DOB><ETHNIC>MWBC</ETHNIC><MOTHER>1</MOTHER><MC_DOB>15/06/2020</MC_DOB></HEADER>
  <EPISODE><DECOM>11/11/2018</DECOM><RNE>S</RNE><LS>V2</LS><PL>K2</PL><DEC>01/02/2019</DEC><REC>E13</REC></EPISODE>
</CHILD>
<CHILD><HEADER><CHILDID>103</CHILDID><SEX>2</SEX><DOB>01/01/2005</DOB><ETHNIC /><MOTHER>0</MOTHER></HEADER></CHILD>
</EXPSSDA903>
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def content(frame):
    return frame.drop(columns=["_file", "_row"]).reset_index(drop=True)


def test_header_into_children(tmp_path):
    source = read_903_header(write(tmp_path, "header.csv", HEADER))
    children = source.tables["children"]
    assert children.drop(columns=["_file", "_row"]).values.tolist() == [
        ["101", "2019-04-03", "M", "WBRI", None, None],
        ["102", "2004-02-28", "F", "MWBC", "1", "2020-06-15"],
        ["103", "2005-01-01", "F", None, "0", None],
    ]
    assert children["_row"].tolist() == [2, 3, 4]
    assert source.label == "SSDA903 header: 3 children"
    assert any("no unborn children" in text for text in source.cannot_provide)
    assert source.problems == []


def test_episodes_into_care_episodes(tmp_path):
    source = read_903_episodes(write(tmp_path, "episodes.csv", EPISODES))
    episodes = source.tables["care_episodes"]
    assert list(episodes.columns) == ["child_id", "start_date", "end_date", "legal_status", "placement",
                                      "reason_new_episode", "reason_ceased", "_file", "_row"]
    assert episodes.iloc[0, :7].tolist() == ["101", "2019-04-05", "2019-10-20", "C2", "U1", "S", "X1"]
    assert episodes.iloc[1, :7].tolist() == ["101", "2019-10-20", None, "C2", "U4", "P", None]
    # Latest date 20/10/2019 falls in 2019/20: the return of the year ending March 2020.
    assert source.period == "2019/20" and source.as_of == "2020-03-31"
    assert source.label == "SSDA903 2019/20 episodes: 3 episodes of 2 children"


def test_csv_and_xml_of_the_same_return_give_identical_tables(tmp_path):
    header = read_903_header(write(tmp_path, "header.csv", HEADER))
    episodes = read_903_episodes(write(tmp_path, "episodes.csv", EPISODES))
    xml = read_903_xml(write(tmp_path, "return.xml", XML))
    assert content(xml.tables["children"]).equals(content(header.tables["children"]))
    assert content(xml.tables["care_episodes"]).equals(content(episodes.tables["care_episodes"]))
    assert xml.tables["care_episodes"]["_row"].tolist()[1] == "EXPSSDA903/CHILD[1]/EPISODE[2]"
    assert xml.label == "SSDA903 2019/20 XML export: 3 children, 3 episodes"


def test_bad_date_names_file_row_and_column(tmp_path):
    text = HEADER.replace("28/02/2004", "02/01/20251")
    source = read_903_header(write(tmp_path, "header.csv", text))
    errors = [p for p in source.problems if p.level == "error"]
    assert [(e.file, e.row, e.column, e.value) for e in errors] == [("header.csv", 3, "DOB", "02/01/20251")]
    assert "DD/MM/YYYY" in errors[0].message and errors[0].fix
    # Kept as found: the build stops on the error, the row is not lost.
    assert source.tables["children"]["date_of_birth"].tolist()[1] == "02/01/20251"


def test_bad_date_in_a_table_the_book_does_not_use(tmp_path):
    path = write(tmp_path, "DoLo.csv", "CHILD,DOB,DOLO_START,DOLO_END\nC10,05/12/1993,01/01/2025,02/01/20251\n")
    source = read_903_other(path)
    assert source.tables == {}
    assert [(p.level, p.file, p.row, p.column, p.value) for p in source.problems] == [
        ("error", "DoLo.csv", 2, "DOLO_END", "02/01/20251")]


def test_dates_of_birth_all_on_the_first_are_a_warning(tmp_path):
    text = "CHILD,SEX,DOB,ETHNIC\n1,1,01/03/2019,WBRI\n2,2,01/07/2020,WBRI\n3,1,01/01/2021,WBRI\n"
    source = read_903_header(write(tmp_path, "header.csv", text))
    warnings = [p for p in source.problems if p.level == "warning"]
    assert len(warnings) == 1 and "1st of the month" in warnings[0].message
    assert warnings[0].column == "DOB"
    # One real date breaks the pattern: no warning.
    text = text.replace("01/01/2021", "17/01/2021")
    assert read_903_header(write(tmp_path, "header.csv", text)).problems == []


def test_codes_checked(tmp_path):
    header = "CHILD,SEX,DOB,ETHNIC,MOTHER\n1,3,02/03/2019,WBRI,yes\n"
    source = read_903_header(write(tmp_path, "header.csv", header))
    found = {(p.level, p.row, p.column, p.value) for p in source.problems}
    assert found == {("warning", 2, "SEX", "3"), ("warning", 2, "MOTHER", "yes")}
    assert source.tables["children"]["sex"].tolist() == [None]
    episodes = "CHILD,DECOM,RNE,LS\n1,02/03/2019,*DUMMY*,Q9\n"
    found = {(p.row, p.column) for p in read_903_episodes(write(tmp_path, "e.csv", episodes)).problems}
    assert found == {(2, "RNE"), (2, "LS")}


def test_duplicates_within_a_return_are_errors(tmp_path):
    text = HEADER + "101,1,04/04/2019,WBRI,A9,,\n"
    source = read_903_header(write(tmp_path, "header.csv", text))
    errors = [p for p in source.problems if p.level == "error"]
    assert [(e.row, e.column, e.value) for e in errors] == [(5, "CHILD", "101")]
    assert "row 2" in errors[0].message
    episodes = EPISODES + "101,05/04/2019,S,C2,N1,U1,PR1,,,,,,\n"
    errors = read_903_episodes(write(tmp_path, "episodes.csv", episodes)).errors
    assert [(e.row, e.value) for e in errors] == [(5, "101 + 2019-04-05")]


def test_missing_columns_and_empty_file(tmp_path):
    with pytest.raises(DataError, match="no column DOB"):
        read_903_header(write(tmp_path, "header.csv", "CHILD,SEX\n1,1\n"))
    with pytest.raises(DataError, match="empty"):
        read_903_episodes(write(tmp_path, "episodes.csv", ""))


def test_year_from_file_name(tmp_path):
    source = read_903_header(write(tmp_path, "SSDA903_2020_header.csv", HEADER))
    assert source.period == "2019/20" and source.as_of == "2020-03-31"
    assert source.label == "SSDA903 2019/20 header: 3 children"


def test_row_with_too_many_values_is_an_error(tmp_path):
    source = read_903_header(write(tmp_path, "header.csv", HEADER + "104,1,02/02/2010,WBRI,A4,,,extra\n"))
    assert [(p.row, p.level) for p in source.problems] == [(5, "error")]


def test_malformed_xml(tmp_path):
    with pytest.raises(DataError) as raised:
        read_903_xml(write(tmp_path, "r.xml", XML[: XML.index("<CHILD><HEADER><CHILDID>102")] + "<CHILD><HEADER>"))
    problem = raised.value.problems[0]
    assert "not well formed" in problem.message and problem.row == "EXPSSDA903/CHILD[1]"


def test_non_utf8_csv_is_read_with_a_warning(tmp_path):
    path = tmp_path / "header.csv"
    path.write_bytes("CHILD,SEX,DOB,ETHNIC\n1,1,02/03/2019,W\xc9\n".encode("cp1252"))
    source = read_903_header(path)
    assert source.tables["children"]["ethnicity"].tolist() == ["W\u00c9"]
    assert any("not UTF-8" in p.message for p in source.problems)
