"""Chapter 6 (the parents) on a hand-made area: every share worked out by hand in the comments."""

import pandas as pd
import pytest

from prebirth.chapters import common, parents
from tests.unit.chapters.conftest import make_chapter


@pytest.fixture(autouse=True)
def no_book_being_built(monkeypatch):
    """Chapters here are made by hand: the safety net a notebook sets for its published book must not leak in."""
    monkeypatch.setattr(common, "_PUBLISHED_MIN_COUNT", None)

# Babies B1-B10: pre-birth assessment 2019-06-01, born 2019-12-01 (financial year 2019/20).
# Babies B11-B14: pre-birth assessment 2020-07-01, born 2020-12-01 (2020/21).
MOTHERS = {  # baby: (mother id, mother's date of birth, care experienced)
    "B1": ("M1", "2002-06-01", "Y"),   # 17 at the birth: under 20
    "B2": ("M2", "2000-12-01", "Y"),   # 19 on her birthday: under 20
    "B3": ("M3", "1999-12-02", "N"),   # 19, her 20th birthday is the next day: under 20
    "B4": ("M4", "1999-12-01", "N"),   # 20 that day: 20-24
    "B5": ("M5", "1993-01-01", None),  # 26: 25-29, care history not recorded
    "B6": ("M6", "1987-01-01", "N"),   # 32: 30-34
    "B7": ("M7", "1980-01-01", "N"),   # 39: 35 and over
    "B8": ("M8", None, "Y"),           # age not recorded
    "B9": (None, None, None),          # no mother recorded
    "B10": ("M10", "1995-01-01", "N"),  # 24: 20-24
    "B11": ("M11", "2002-01-01", "Y"),  # 18 at 2020-12-01: under 20
    "B12": ("M12", "1990-01-01", "N"),  # 30
    "B13": ("M13", "1990-01-01", "N"),  # 30
    "B14": ("M14", "1990-01-01", None),  # 30
}
FATHERS = {"B1": ("F1", "1995-01-01", "N"),  # 24
           "B2": ("F2", "2001-01-01", "Y"),  # 18
           "B5": ("F3", None, None)}         # age and care history not recorded
FACTORS = {"B1": "4B;3B", "B2": "4C", "B3": "1B;2A", "B4": "21", "B5": "5B;6B", "B6": "3C", "B7": None,
           "B8": "2B", "B9": "4B", "B10": "1C;2C", "B11": "4B", "B12": "4B;3B", "B13": "21", "B14": "3B"}


def babies(n_first=10):
    return [f"B{i}" for i in range(1, 15)]


def area():
    kids, people, assessments = [], [], []
    for baby in babies():
        first_year = int(baby[1:]) <= 10
        mother = MOTHERS[baby]
        father = FATHERS.get(baby)
        kids.append({"child_id": baby, "mother_id": mother[0], "father_id": father[0] if father else None,
                     "date_of_birth": "2019-12-01" if first_year else "2020-12-01"})
        if mother[0]:
            people.append({"parent_id": mother[0], "role": "mother", "date_of_birth": mother[1],
                           "ethnicity": "WBRI", "care_experienced": mother[2]})
        if father:
            people.append({"parent_id": father[0], "role": "father", "date_of_birth": father[1],
                           "ethnicity": None, "care_experienced": father[2]})
        assessments.append({"assessment_id": f"A-{baby}", "child_id": baby,
                            "start_date": "2019-06-01" if first_year else "2020-07-01", "kind": "pre-birth",
                            "factors": FACTORS[baby]})
    # B4 had a second pre-birth assessment that found a mental health need: it counts.
    assessments.append({"assessment_id": "A-B4-2", "child_id": "B4", "start_date": "2019-09-01", "kind": "pre-birth",
                        "factors": "4B"})
    # After B1's birth a child-and-family assessment recorded drug use: not a pre-birth assessment.
    assessments.append({"assessment_id": "A-B1-2", "child_id": "B1", "start_date": "2020-01-05",
                        "kind": "child-and-family", "factors": "2B"})
    # An older child's assessment never counts.
    kids.append({"child_id": "O1", "mother_id": None, "father_id": None, "date_of_birth": "2015-01-01"})
    assessments.append({"assessment_id": "A-O1", "child_id": "O1", "start_date": "2019-07-01",
                        "kind": "child-and-family", "factors": "4B"})
    return {"children": kids, "parents": people, "assessments": assessments}


@pytest.fixture
def internal():
    return make_chapter(area(), number=6, audience="internal")


def indicator(ch, name, period, group=""):
    rows = pd.DataFrame(ch.indicators)
    return rows[(rows.indicator == name) & (rows.period == period) & (rows.group == group)].iloc[0]


def test_cohort_is_the_babies_with_a_prebirth_assessment(internal):
    cohort = parents.cohort(internal)
    assert sorted(cohort["child_id"]) == sorted(babies())
    assert (cohort["financial_year"] == "2019/20").sum() == 10 and (cohort["financial_year"] == "2020/21").sum() == 4


def test_mothers_under_20_by_hand(internal):
    parents.record_indicators(internal)
    # 2019/20: under 20 = B1, B2, B3 (3) of 8 known ages (B8 no date of birth, B9 no mother)
    row = indicator(internal, "mothers_under_20_share", "2019/20")
    assert (row.numerator, row.denominator) == (3, 8) and row.value == pytest.approx(3 / 8)
    assert indicator(internal, "mothers_under_20_share", "2020/21").value == pytest.approx(1 / 4)  # B11
    assert indicator(internal, "mothers_under_20_share", "all").value == pytest.approx(4 / 12)


def test_presenting_needs_by_hand(internal):
    parents.record_indicators(internal)
    # 2019/20, factors recorded for 9 babies (B7 none).
    # mental health 4B/4C: B1, B2, B4 (second assessment), B9 = 4
    assert indicator(internal, "factor_mental_health_share", "2019/20").value == pytest.approx(4 / 9)
    # domestic abuse 3B/3C: B1, B6 = 2
    assert indicator(internal, "factor_domestic_abuse_share", "2019/20").value == pytest.approx(2 / 9)
    # alcohol or drugs 1B/1C/2B/2C: B3 (1B; 2A is about the child), B8, B10 = 3; B1's 2B came after the birth
    assert indicator(internal, "factor_substance_share", "2019/20").value == pytest.approx(3 / 9)
    assert indicator(internal, "factor_learning_disability_share", "2019/20").value == pytest.approx(1 / 9)  # B5
    # whole period: mental health also B11, B12 -> 6 of 13
    row = indicator(internal, "factor_mental_health_share", "all")
    assert (row.numerator, row.denominator) == (6, 13)


def test_care_experience_counts_each_parent_once_and_blanks_are_not_no(internal):
    parents.record_indicators(internal)
    # 2019/20 parents: mothers M1-M8, M10 and fathers F1-F3 = 12; recorded Y/N: 10 (not M5, F3); Y: M1, M2, M8, F2
    row = indicator(internal, "parents_care_experienced_share", "2019/20")
    assert (row.numerator, row.denominator) == (4, 10)
    assert indicator(internal, "parents_care_experienced_share", "2020/21").value == pytest.approx(1 / 3)  # M11
    assert indicator(internal, "parents_care_experienced_share", "all").value == pytest.approx(5 / 13)
    assert indicator(internal, "parents_care_experienced_share", "all", "mothers").value == pytest.approx(4 / 11)
    assert indicator(internal, "parents_care_experienced_share", "all", "fathers").value == pytest.approx(1 / 2)


def test_age_table_by_hand(internal):
    table = parents.age_table(internal).frame.set_index("Age at the baby's birth")
    assert list(table["Mothers"]) == ["4", "2", "1", "4", "1", "1", "1", "14"]
    # fathers: F2 under 20, F1 20-24, F3 age not recorded, 11 babies with no father recorded
    assert list(table["Fathers"]) == ["1", "1", "0", "0", "0", "1", "11", "14"]
    assert table.loc["under 20", "Mothers: % of known ages"] == "33%"  # 4 of 12


def test_published_age_table_withholds_small_cells():
    ch = make_chapter(area(), number=6)  # published, min_count 6
    table = parents.age_table(ch).frame.set_index("Age at the baby's birth")
    assert table.loc["under 20", "Mothers"] == "c" and table.loc["under 20", "Mothers: % of known ages"] == "c"
    assert table.loc["Parent not recorded", "Fathers"] == "11"
    for value in table["Mothers"].tolist() + table["Fathers"].tolist():
        assert value not in {"1", "2", "3", "4", "5"}


def test_needs_table_leaves_out_babies_with_no_factors(internal):
    shown = parents.needs_table(internal)
    frame = shown.frame.set_index("Need recorded")
    assert frame.loc["Mental health", "Babies"] == "6"
    assert frame.loc["Mental health", "Share of babies (95% CI)"].startswith("46%")  # 6 of 13
    assert "13 babies" in shown.note and "left out: 1 whose assessments recorded none" in shown.note  # B7
    # 'no factors identified' alone: B13 only (B4's second assessment added 4B to its 21)
    assert "1 with 'no factors identified'" in shown.note


def test_secondary_suppression_of_a_yearly_series():
    ch = make_chapter(area(), number=6)  # published, min_count 6
    rows = [("2019/20", {"numerator": 2, "denominator": 20}), ("2020/21", {"numerator": 10, "denominator": 20}),
            ("2021/22", {"numerator": 12, "denominator": 30}), ("all", {"numerator": 24, "denominator": 70})]
    # yes = 2, 10, 12; no = 18, 10, 18. 2 is small -> its column and its row each need a second hidden cell:
    # column 'yes' -> 10 (2020/21); row 2019/20 -> 18 (no); then column 'no' -> 10 (2020/21).
    assert parents.share_series_hidden(ch, rows) == {"2019/20", "2020/21"}
    assert parents.hidden_periods(ch, {"a": 10, "b": 3, "c": 8}) == {"b", "c"}


def test_without_assessments_the_chapter_says_what_to_record():
    ch = make_chapter({"children": [{"child_id": "A", "date_of_birth": "2020-01-01"}]}, number=6)
    shown = parents.headline(ch)
    assert "can't answer this yet" in shown.markdown and "assessments table" in shown.markdown
    assert parents.needs_table(ch).kind == "notyet" and parents.age_table(ch).kind == "notyet"


def test_without_parents_the_needs_are_still_shown():
    tables = area()
    for kid in tables["children"]:
        kid["mother_id"] = kid["father_id"] = None
    del tables["parents"]
    ch = make_chapter(tables, number=6, audience="internal")
    assert parents.age_table(ch).kind == "notyet"
    assert "parents table" in parents.age_table(ch).markdown
    assert parents.needs_table(ch).frame.shape[0] == 7


def test_looked_after_mothers_from_the_903_fields():
    kids = [{"child_id": "L1", "date_of_birth": "2003-01-01", "mother_flag": "1", "mother_child_dob": "2019-08-01"},
            {"child_id": "L2", "date_of_birth": "2003-05-01", "mother_flag": "1", "mother_child_dob": "2020-05-01"},
            {"child_id": "L3", "date_of_birth": "2004-05-01", "mother_flag": "0", "mother_child_dob": None},
            {"child_id": "L4", "date_of_birth": "2002-05-01", "mother_flag": "1", "mother_child_dob": "2018-01-01"},
            {"child_id": "L5", "date_of_birth": "2002-06-01", "mother_flag": "1", "mother_child_dob": None}]
    ch = make_chapter({"children": kids}, number=6, audience="internal")
    shown = parents.looked_after_mothers(ch)
    frame = shown.frame.set_index("Year the baby was born")
    # L1 2019/20, L2 2020/21; L4's baby was born before the period; L5 has no MC_DOB
    assert list(frame["Looked-after young mothers"]) == ["1", "1", "0", "2"]
    assert "1 flagged as mothers had no baby's date of birth" in shown.note


def test_looked_after_mothers_absent_fields_are_explained(internal):
    shown = parents.looked_after_mothers(internal)
    assert "MOTHER and MC_DOB" in shown.markdown
