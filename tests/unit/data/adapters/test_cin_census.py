"""CIN census XML adapter: every schema year's layout, ids, and each error path, on hand-written files."""

from __future__ import annotations

import pytest

from prebirth.data.adapters.cin_census import read_cin_census
from prebirth.data.problems import DataError


def census(year: str, children: str, reference: str | None = None, collection: str = "CIN",
           root: str = "<Message>") -> str:
    reference = reference or f"{year}-03-31"
    return f"""<?xml version="1.0" encoding="utf-8"?>
{root}
  <Header>
    <CollectionDetails><Collection>{collection}</Collection><Year>{year}</Year><ReferenceDate>{reference}</ReferenceDate></CollectionDetails>
    <Source><SourceLevel>L</SourceLevel><LEA>890</LEA></Source>
  </Header>
  <Children>{children}
  </Children>
</Message>"""


BORN_2017 = """
    <Child>
      <ChildIdentifiers><LAchildID>A1</LAchildID><PersonBirthDate>2016-05-04</PersonBirthDate><GenderCurrent>2</GenderCurrent></ChildIdentifiers>
      <ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2016-09-01</CINreferralDate><ReferralSource>5A</ReferralSource>
        <CINclosureDate>2016-09-02</CINclosureDate><ReasonForClosure>RC8</ReasonForClosure>
        <ReferralNFA>true</ReferralNFA>
      </CINdetails>
      <CINdetails>
        <CINreferralDate>2016-11-15</CINreferralDate><ReferralSource>3B</ReferralSource>
        <Assessments>
          <AssessmentActualStartDate>2016-11-16</AssessmentActualStartDate>
          <AssessmentAuthorisationDate>2016-12-20</AssessmentAuthorisationDate>
          <FactorsIdentifiedAtAssessment><AssessmentFactors>2A</AssessmentFactors><AssessmentFactors>3B</AssessmentFactors></FactorsIdentifiedAtAssessment>
        </Assessments>
        <Assessments>
          <AssessmentActualStartDate>2017-02-01</AssessmentActualStartDate>
        </Assessments>
        <Section47><S47ActualStartDate>2016-11-20</S47ActualStartDate></Section47>
        <ReferralNFA>0</ReferralNFA>
      </CINdetails>
      <CINdetails>
        <CINreferralDate>2016-11-15</CINreferralDate><ReferralSource>1A</ReferralSource>
        <ReferralNFA>false</ReferralNFA>
      </CINdetails>
    </Child>"""
UNBORN_2017 = """
    <Child>
      <ChildIdentifiers><LAchildID>U1</LAchildID><ExpectedPersonBirthDate>2017-06-30</ExpectedPersonBirthDate><GenderCurrent>0</GenderCurrent></ChildIdentifiers>
      <CINdetails><CINreferralDate>2017-01-10</CINreferralDate><ReferralSource>3A</ReferralSource><ReferralNFA>false</ReferralNFA></CINdetails>
    </Child>"""


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_2017_layout_children_referrals_assessments(tmp_path):
    source = read_cin_census(write(tmp_path, "CIN_2017.xml", census("2017", BORN_2017 + UNBORN_2017)))
    assert source.label == "CIN census 2016/17 (LA 890): 2 children"
    assert source.period == "2016/17" and source.as_of == "2017-03-31" and source.la_code == "890"
    children = source.tables["children"].set_index("child_id")
    assert children.loc["A1", ["date_of_birth", "expected_date_of_birth", "sex", "ethnicity"]].tolist() == [
        "2016-05-04", None, "F", "WBRI"]
    # The unborn child: no date of birth, gender 0 read as U.
    assert children.loc["U1", ["date_of_birth", "expected_date_of_birth", "sex"]].tolist() == [None, "2017-06-30", "U"]
    assert children.loc["U1", "_row"] == "Message/Children/Child[2]"

    referrals = source.tables["referrals"]
    assert referrals["referral_id"].tolist() == [
        "A1:R:2016-09-01:1", "A1:R:2016-11-15:1", "A1:R:2016-11-15:2", "U1:R:2017-01-10:1"]
    # NFA true -> nfa; not NFA with a section 47 -> s47; not NFA with nothing else -> unknown.
    assert referrals["outcome"].tolist() == ["nfa", "s47", None, None]
    assert referrals["source"].tolist() == ["5A", "3B", "1A", "3A"]
    # CINclosureDate: when the episode (the referral) was closed; blank while open.
    assert referrals["closed_date"].tolist() == ["2016-09-02", None, None, None]
    assert referrals["_row"].tolist()[1] == "Message/Children/Child[1]/CINdetails[2]"

    assessments = source.tables["assessments"]
    assert assessments["assessment_id"].tolist() == ["A1:A:2016-11-16:1", "A1:A:2017-02-01:1"]
    assert assessments["referral_id"].tolist() == ["A1:R:2016-11-15:1", "A1:R:2016-11-15:1"]
    assert assessments["factors"].tolist() == ["2A;3B", None]
    assert assessments["authorised_date"].tolist() == ["2016-12-20", None]
    assert assessments["_row"].tolist()[1] == "Message/Children/Child[1]/CINdetails[2]/Assessments[2]"
    assert "proceedings" not in source.tables
    assert any("pre-proceedings" in text for text in source.cannot_provide)
    assert [p for p in source.problems if p.level == "error"] == []


def test_raw_frames_are_strings_or_none_with_provenance(tmp_path):
    source = read_cin_census(write(tmp_path, "c.xml", census("2017", BORN_2017)))
    for frame in source.tables.values():
        assert list(frame.columns[-2:]) == ["_file", "_row"]
        assert set(frame["_file"]) == {"c.xml"}
        values = frame.drop(columns=["_file", "_row"]).to_numpy().ravel()
        assert all(v is None or isinstance(v, str) for v in values)


def test_2024_sex_element_and_unknown_sex_u(tmp_path):
    children = """
    <Child><ChildIdentifiers><LAchildID>S1</LAchildID><PersonBirthDate>2023-01-02</PersonBirthDate><Sex>M</Sex></ChildIdentifiers></Child>
    <Child><ChildIdentifiers><LAchildID>S2</LAchildID><ExpectedPersonBirthDate>2024-05-01</ExpectedPersonBirthDate><Sex>U</Sex></ChildIdentifiers></Child>
    <Child><ChildIdentifiers><LAchildID>S3</LAchildID><PersonBirthDate>2020-01-02</PersonBirthDate><Sex>F</Sex></ChildIdentifiers></Child>"""
    source = read_cin_census(write(tmp_path, "c.xml", census("2024", children)))
    assert source.tables["children"]["sex"].tolist() == ["M", "U", "F"]


def test_2026_pre_proceedings_block_gives_proceedings(tmp_path):
    child = """
    <Child>
      <ChildIdentifiers><LAchildID>P1</LAchildID><PersonBirthDate>2025-08-01</PersonBirthDate><Sex>F</Sex></ChildIdentifiers>
      <CINdetails>
        <CINreferralDate>2025-04-02</CINreferralDate><ReferralSource>3A</ReferralSource><ReferralNFA>false</ReferralNFA>
        <PreProceedingsandFGDM><PPStartDate>2025-06-01</PPStartDate><CourtAppDate>2025-08-03</CourtAppDate></PreProceedingsandFGDM>
        <PreProceedingsandFGDM><PPStartDate>2025-10-01</PPStartDate></PreProceedingsandFGDM>
      </CINdetails>
    </Child>"""
    source = read_cin_census(write(tmp_path, "c.xml", census("2026", child)))
    proceedings = source.tables["proceedings"]
    assert proceedings[["proceedings_id", "child_id", "issue_date", "pre_proceedings_start_date"]].values.tolist() == [
        ["P1:P:2025-08-03:1", "P1", "2025-08-03", "2025-06-01"]]
    assert proceedings["_row"].tolist() == ["Message/Children/Child[1]/CINdetails[1]/PreProceedingsandFGDM[1]"]
    # The block with no court application is pre-proceedings only: said, not lost silently.
    assert source.notes == ["1 pre-proceedings episodes had no court application date: they are pre-proceedings only, "
                            "not proceedings"]


def test_malformed_xml_names_line_and_element(tmp_path):
    text = census("2022", BORN_2017 + UNBORN_2017)
    cut = text[: text.index("<CINreferralDate>2017-01-10")]  # cut short inside the second child
    path = write(tmp_path, "broken.xml", cut)
    with pytest.raises(DataError) as raised:
        read_cin_census(path)
    problem = raised.value.problems[0]
    assert problem.file == "broken.xml"
    assert "not well formed at line" in problem.message
    assert problem.row == "Message/Children/Child[1]"  # the last complete child before the break
    assert problem.fix


@pytest.mark.parametrize("year, words", [("2015", "unknown schema year 2015"), ("20x1", "unknown schema year"),
                                         ("", "unknown schema year")])
def test_unknown_schema_year_is_an_error(tmp_path, year, words):
    with pytest.raises(DataError) as raised:
        read_cin_census(write(tmp_path, "c.xml", census(year, BORN_2017, reference="2015-03-31")))
    problem = raised.value.problems[0]
    assert words in problem.message
    assert problem.row == "Message/Header/CollectionDetails/Year"


def test_newer_schema_year_is_read_with_a_warning(tmp_path):
    source = read_cin_census(write(tmp_path, "c.xml", census("2029", BORN_2017)))
    assert len(source.tables["children"]) == 1
    assert any("newer than the versions" in p.message for p in source.problems)


def test_wrong_namespace_is_an_error(tmp_path):
    text = census("2022", BORN_2017, root='<Message xmlns="http://example.org/cin">')
    with pytest.raises(DataError) as raised:
        read_cin_census(write(tmp_path, "c.xml", text))
    assert "wrong XML namespace" in raised.value.problems[0].message
    assert raised.value.problems[0].value == "http://example.org/cin"


def test_other_collection_or_root_is_an_error(tmp_path):
    with pytest.raises(DataError, match="not a CIN census"):
        read_cin_census(write(tmp_path, "a.xml", census("2022", BORN_2017, collection="SCHOOLCENSUS")))
    with pytest.raises(DataError, match="not <Message>"):
        read_cin_census(write(tmp_path, "b.xml", "<Return><Header/></Return>"))


def test_bad_values_are_reported_with_element_path_and_kept(tmp_path):
    child = """
    <Child>
      <ChildIdentifiers><LAchildID>B1</LAchildID><PersonBirthDate>2021-02-30</PersonBirthDate><GenderCurrent>7</GenderCurrent></ChildIdentifiers>
      <CINdetails><CINreferralDate>2020-13-01</CINreferralDate><ReferralNFA>maybe</ReferralNFA></CINdetails>
    </Child>
    <Child><ChildIdentifiers><PersonBirthDate>2021-01-01</PersonBirthDate></ChildIdentifiers></Child>"""
    source = read_cin_census(write(tmp_path, "c.xml", census("2022", child)))
    found = {(p.level, p.row, p.column, p.value) for p in source.problems}
    assert ("error", "Message/Children/Child[1]/ChildIdentifiers/PersonBirthDate", "date_of_birth", "2021-02-30") in found
    assert ("error", "Message/Children/Child[1]/CINdetails[1]/CINreferralDate", "referral_date", "2020-13-01") in found
    assert ("warning", "Message/Children/Child[1]/ChildIdentifiers/GenderCurrent", "sex", "7") in found
    assert ("warning", "Message/Children/Child[1]/CINdetails[1]/ReferralNFA", "outcome", "maybe") in found
    assert ("error", "Message/Children/Child[2]/ChildIdentifiers/LAchildID", "child_id", None) in found
    # Nothing is dropped: both children are there, the unreadable date kept as found.
    children = source.tables["children"]
    assert children["child_id"].tolist() == ["B1", None]
    assert children["date_of_birth"].tolist() == ["2021-02-30", "2021-01-01"]


def test_header_reference_date_and_stray_text_are_warnings(tmp_path):
    child = """
    <Child><ChildIdentifiers><LAchildID>W1</LAchildID><UPNunknown>UN3</UPNunknown>stray<PersonBirthDate>2020-01-02</PersonBirthDate></ChildIdentifiers></Child>"""
    source = read_cin_census(write(tmp_path, "c.xml", census("2023", child, reference="2023-03-28")))
    messages = [(p.level, p.row) for p in source.problems]
    assert ("warning", "Message/Header/CollectionDetails/ReferenceDate") in messages
    assert ("warning", "Message/Children/Child[1]/ChildIdentifiers/UPNunknown") in messages
    assert source.period == "2022/23"


def test_many_identical_problems_are_summarised(tmp_path):
    children = "".join(
        f"<Child><ChildIdentifiers><LAchildID>C{i}</LAchildID><PersonBirthDate>2020-02-31</PersonBirthDate>"
        "</ChildIdentifiers></Child>" for i in range(25))
    source = read_cin_census(write(tmp_path, "c.xml", census("2022", children)))
    errors = [p for p in source.problems if p.level == "error"]
    assert len(errors) == 21  # 20 listed, then one line for the other 5
    assert errors[-1].message.startswith("5 more like this")


def test_no_header_is_an_error(tmp_path):
    text = "<Message><Children><Child><ChildIdentifiers><LAchildID>X</LAchildID></ChildIdentifiers></Child></Children></Message>"
    with pytest.raises(DataError, match="no <Header>"):
        read_cin_census(write(tmp_path, "c.xml", text))


def test_element_memory_is_released_while_streaming(tmp_path, monkeypatch):
    """Each <Child> is cleared after it is read: the tree never holds the earlier children."""
    from lxml import etree

    children = "".join(
        f"<Child><ChildIdentifiers><LAchildID>C{i}</LAchildID><PersonBirthDate>2020-01-02</PersonBirthDate>"
        "</ChildIdentifiers></Child>" for i in range(200))
    path = write(tmp_path, "c.xml", census("2022", children))
    seen = []
    original = etree.iterparse

    def watching(*args, **kwargs):
        for event, elem in original(*args, **kwargs):
            yield event, elem
            if elem.tag == "Child":
                # Earlier children still attached to <Children> once this one has been read.
                seen.append(sum(1 for _ in elem.itersiblings(preceding=True)))

    monkeypatch.setattr(etree, "iterparse", watching)
    source = read_cin_census(path)
    assert len(source.tables["children"]) == 200
    assert len(seen) == 200 and max(seen) == 0
