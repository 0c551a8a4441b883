"""The adapters against every third-party return in ../shared/third_party (CIN census, SSDA903, Annex A).

Expected values come from the files themselves, read here independently (the standard
library's XML and CSV readers, openpyxl), or from the third-party README.
"""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from prebirth.data.adapters import detect, read, stack
from prebirth.data.problems import DataError

ROOT = Path(__file__).resolve().parents[2]
THIRD_PARTY = ROOT.parent / "shared" / "third_party"


def shared(*parts: str) -> Path:
    path = THIRD_PARTY.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"third-party test data not present ({'/'.join(('..', 'shared', 'third_party', *parts))}); "
                    "it lives beside the project, not in it")
    return path


def files_in(folder: str, pattern: str) -> list[str]:
    base = THIRD_PARTY / folder
    return sorted(p.name for p in base.glob(pattern)) if base.exists() else []


CIN_FILES = files_in("d2i-cin", "*.xml") + [f"../liia/{n}" for n in files_in("liia", "*.xml")]


def content(frame):
    return frame.drop(columns=["_file", "_row"]).sort_values(list(frame.columns[:2])).reset_index(drop=True)


# -- CIN census -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", CIN_FILES or ["(none)"])
def test_every_cin_file_reads_or_fails_clearly_and_loses_nothing(name):
    path = shared("d2i-cin", name) if not name.startswith("../") else shared("liia", name[8:])
    assert detect(path) == "cin_census"
    try:
        source = read(path)
    except DataError as raised:  # a clear error is acceptable; a crash is not
        assert all(p.file == path.name and p.message and p.fix for p in raised.problems)
        return
    root = ET.parse(path).getroot()
    children = root.findall("./Children/Child")
    episodes = root.findall("./Children/Child/CINdetails")
    assessments = root.findall("./Children/Child/CINdetails/Assessments")
    assert len(source.tables["children"]) == len(children)
    assert len(source.tables["referrals"]) == len(episodes)
    assert len(source.tables["assessments"]) == len(assessments)
    assert source.tables["children"]["child_id"].tolist() == [c.findtext("ChildIdentifiers/LAchildID") for c in children]
    year = int(root.findtext("Header/CollectionDetails/Year"))
    assert source.label == (f"CIN census {year - 1}/{year % 100:02d} (LA {root.findtext('Header/Source/LEA')}): "
                            f"{len(children):,} children")
    assert all(p.level in ("error", "warning") and p.file == path.name for p in source.problems)


def test_fake_cin_data_every_referral_and_its_nfa():
    path = shared("d2i-cin", "fake_CIN_data.xml")
    source = read(path)
    root = ET.parse(path).getroot()
    nfa = [d.findtext("ReferralNFA") for d in root.iter("CINdetails")]
    referrals = source.tables["referrals"]
    expected = ["nfa" if v in ("true", "1") else None for v in nfa]
    assert [o if o == "nfa" else None for o in referrals["outcome"]] == expected
    genders = [c.findtext("ChildIdentifiers/GenderCurrent") for c in root.iter("Child")]
    mapped = {"1": "M", "2": "F", "0": "U", "9": "U"}
    assert source.tables["children"]["sex"].tolist() == [mapped[g] for g in genders]
    assert source.errors == []


def test_cin_2024_uses_sex():
    source = read(shared("d2i-cin", "CIN_Census_2024.xml"))
    assert source.tables["children"]["sex"].tolist() == ["M", "M"]  # <Sex>1</Sex> and <Sex>M</Sex>
    assert source.tables["assessments"]["factors"].tolist() == ["1C;RB;6B", None]


def test_cin_2026_pre_proceedings_block():
    source = read(shared("d2i-cin", "CIN_Census_2026.xml"))
    proceedings = source.tables["proceedings"]
    assert proceedings[["child_id", "issue_date", "pre_proceedings_start_date"]].values.tolist() == [
        ["DfEX0000001", "2026-12-18", "2026-09-09"]]
    assert "proceedings" not in read(shared("d2i-cin", "CIN_Census_2024.xml")).tables


def test_cin_defective_files_give_warnings_or_clear_errors():
    header = read(shared("d2i-cin", "CIN_header_issues_100.xml"))
    assert any(p.column == "ReferenceDate" and p.value == "2023-03-28" for p in header.problems)
    # An expected date of birth in 1066 cannot be a date the book can use: a clear error, the value kept.
    problem = next(p for p in read(shared("d2i-cin", "CIN_Census_2021.xml")).errors)
    assert (problem.column, problem.value) == ("expected_date_of_birth", "1066-04-13")
    assert problem.row == "Message/Children/Child[1]/ChildIdentifiers/ExpectedPersonBirthDate"
    factors = read(shared("d2i-cin", "CIN_Census_2024.xml"))
    assert any(p.column == "factors" and p.row == "Message/Children/Child[2]/CINdetails[1]/Assessments[1]"
               for p in factors.problems)
    # The stray "PersonBirthDate" text after <UPNunknown> is reported, not silently ignored.
    assert any(p.value == "PersonBirthDate" for p in read(shared("d2i-cin", "CIN2rows.xml")).problems)


def test_liia_cin_sample_has_every_element():
    source = read(shared("liia", "cin-2022.xml"))
    child = source.tables["children"].iloc[0]
    assert (child.date_of_birth, child.expected_date_of_birth, child.sex, child.ethnicity) == (
        "1966-03-24", "1966-03-22", "M", "WBRI")
    assert source.tables["assessments"].iloc[0][["start_date", "authorised_date", "factors"]].tolist() == [
        "1970-06-03", "1971-07-18", "2A;2B"]
    assert source.period == "2021/22" and source.errors == []


def test_several_census_years_stack_into_one_history():
    reads = [read(shared("liia", "cin-2022.xml")), read(shared("d2i-cin", "CIN_Census_2024.xml"))]
    tables, problems = stack(reads)
    assert tables["children"]["child_id"].tolist() == ["DfEX0000001", "child_fails_assessments"]
    # The same child with a different date of birth in the later census: a warning naming child and field.
    conflict = [p for p in problems if p.column == "date_of_birth" and "DfEX0000001" in p.message]
    assert len(conflict) == 1 and conflict[0].value == "2015-03-27"
    assert len(tables["referrals"]) == 3  # 1970 referral (2022 census) + two in the later census


# -- SSDA903 ----------------------------------------------------------------------------------

def xml_to_csv(xml: Path, folder: Path) -> tuple[Path, Path]:
    """Write the 903 XML export as header and episodes CSV tables, independently of the adapter."""
    root = ET.parse(xml).getroot()
    header, episodes = folder / "header.csv", folder / "episodes.csv"
    with open(header, "w", newline="") as h, open(episodes, "w", newline="") as e:
        hw, ew = csv.writer(h), csv.writer(e)
        hw.writerow(["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"])
        ew.writerow(["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC"])
        for child in root.iter("CHILD"):
            head = child.find("HEADER")
            child_id = head.findtext("CHILDID")
            hw.writerow([child_id] + [head.findtext(t) or "" for t in ("SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")])
            for episode in child.iter("EPISODE"):
                ew.writerow([child_id] + [episode.findtext(t) or "" for t in
                                          ("DECOM", "RNE", "LS", "CIN", "PL", "PLACE_PROVIDER", "DEC", "REC")])
    return header, episodes


def csv_to_xml(header: Path, episodes: Path, folder: Path) -> Path:
    """Write the 903 CSV tables as an XML export, independently of the adapter."""
    root = ET.Element("EXPSSDA903")
    by_child: dict = {}
    with open(episodes, newline="") as handle:
        for row in csv.DictReader(handle):
            by_child.setdefault(row["CHILD"], []).append(row)
    with open(header, newline="") as handle:
        for row in csv.DictReader(handle):
            child = ET.SubElement(root, "CHILD")
            head = ET.SubElement(child, "HEADER")
            for tag, column in (("CHILDID", "CHILD"), ("SEX", "SEX"), ("DOB", "DOB"), ("ETHNIC", "ETHNIC"),
                                ("MOTHER", "MOTHER"), ("MC_DOB", "MC_DOB")):
                ET.SubElement(head, tag).text = row[column] or None
            for episode in by_child.pop(row["CHILD"], []):
                element = ET.SubElement(child, "EPISODE")
                for tag, column in (("DECOM", "DECOM"), ("RNE", "RNE"), ("LS", "LS"), ("PL", "PLACE"),
                                    ("DEC", "DEC"), ("REC", "REC")):
                    ET.SubElement(element, tag).text = episode[column] or None
    path = folder / "export.xml"
    ET.ElementTree(root).write(path, encoding="us-ascii", xml_declaration=True)
    return path


def test_903_xml_export_and_csv_tables_give_identical_tables(tmp_path):
    xml = shared("d2i-903", "fake_903.xml")
    header, episodes = xml_to_csv(xml, tmp_path)
    from_xml = read(xml)
    assert content(read(header).tables["children"]).equals(content(from_xml.tables["children"]))
    assert content(read(episodes).tables["care_episodes"]).equals(content(from_xml.tables["care_episodes"]))
    assert len(from_xml.tables["children"]) == len(ET.parse(xml).getroot().findall("CHILD"))
    assert len(from_xml.tables["care_episodes"]) == len(ET.parse(xml).getroot().findall("CHILD/EPISODE"))


def test_903_csv_tables_and_an_xml_export_give_identical_tables(tmp_path):
    header, episodes = shared("d2i-903", "header.csv"), shared("d2i-903", "episodes.csv")
    children, care = read(header), read(episodes)
    with open(header, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(children.tables["children"]) == len(rows)
    with open(episodes, newline="") as handle:
        assert len(care.tables["care_episodes"]) == sum(1 for _ in csv.DictReader(handle))
    xml = read(csv_to_xml(header, episodes, tmp_path))
    assert content(xml.tables["children"]).equals(content(children.tables["children"]))
    # Episodes whose child has no header row cannot be placed in an XML export; compare the rest.
    known = set(children.tables["children"]["child_id"])
    csv_episodes = care.tables["care_episodes"]
    assert content(xml.tables["care_episodes"]).equals(content(csv_episodes[csv_episodes["child_id"].isin(known)]))
    # MOTHER written "1.0" by the exporting tool is the flag 1; the dates are ISO.
    mothers = children.tables["children"].dropna(subset=["mother_flag"])
    expected = [(r["CHILD"], "1", "-".join(reversed(r["MC_DOB"].split("/")))) for r in rows if r["MOTHER"]]
    assert list(mothers[["child_id", "mother_flag", "mother_child_dob"]].itertuples(index=False, name=None)) == expected


def test_903_dolo_table_dates_are_checked():
    # The third-party README describes a malformed date here ("02/01/20251"), but the file as
    # stored holds 02/01/2025, a valid date: so no error, and the table is not used by the book.
    path = shared("d2i-903", "DoLo.csv")
    text = path.read_text()
    assert detect(path) == "ssda903_other"
    source = read(path)
    bad = [v for v in re.findall(r"[\d/]{6,}", text) if not re.fullmatch(r"\d{2}/\d{2}/\d{4}", v)]
    assert [p.value for p in source.errors] == bad
    assert source.tables == {}


def test_liia_903_samples():
    header = read(shared("liia", "SSDA903_2020_header.csv"))
    assert header.period == "2019/20"
    # The sample repeats child 689661 three times and 249901 twice: errors naming the rows.
    assert [(p.row, p.value) for p in header.errors] == [(3, "689661"), (4, "689661"), (6, "249901")]
    mothers = header.tables["children"].dropna(subset=["mother_flag"])
    assert mothers[["mother_flag", "mother_child_dob"]].values.tolist() == [["1", "2002-03-08"]]
    episodes = read(shared("liia", "SSDA903_2020_episodes.csv"))
    assert [(p.row, p.column, p.value) for p in episodes.problems] == [(6, "RNE", "*DUMMY*")]
    assert len(episodes.tables["care_episodes"]) == 5


# -- Annex A ----------------------------------------------------------------------------------

def test_annex_a_workbook():
    import openpyxl

    path = shared("liia", "Annex_A_2024_Jan.xlsx")
    assert detect(path) == "annex_a"
    source = read(path)
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    counts = {n: sum(1 for r in book[f"List {n}"].iter_rows(min_row=2, values_only=True) if r[0] is not None)
              for n in (3, 4, 8)}
    list3 = [r for r in book["List 3"].iter_rows(min_row=2, values_only=True) if r[0] is not None]
    book.close()
    assert len(source.tables["referrals"]) == counts[3]
    assert len(source.tables["assessments"]) == counts[4]
    assert source.tables["care_episodes"]["child_id"].nunique() == counts[8]
    # 'j) 3D: Health services' -> ReferralSource code 3D.
    assert source.tables["referrals"]["source"].tolist()[1] == re.search(r"\) (\w+):", list3[1][6]).group(1) == "3D"
    assert source.errors == []
