"""Chapter 6 (the parents) on a hand-made area: every share worked out by hand in the comments."""

import pandas as pd
import pytest

from prebirth import disclosure, present
from prebirth.chapters import parents
from prebirth.results import Count, Share
from tests.unit.chapters.conftest import make_chapter

INTERNAL = disclosure.Decision()

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


class Shown:
    """A chapter's result and the decision it is shown under (internal: nothing withheld)."""

    def __init__(self, tables, published=False):
        self.ch = make_chapter(tables, number=6, audience="published" if published else "internal")
        self.result = parents.compute(self.ch.prepared)
        self.decision = disclosure.decide([self.result], True, 6) if published else INTERNAL

    def table(self, name):
        return present.table_frame(self.result.items[name].frame, self.decision)

    def show(self, name):
        return present.show(self.result, name, self.decision)

    def note(self, name):
        return present.table_parts(self.result.items[name], self.decision)["note"]

    def indicator(self, name, period, group=""):
        rows = pd.DataFrame(present.indicator_rows(self.result, self.decision))
        return rows[(rows.indicator == name) & (rows.period == period) & (rows.group == group)].iloc[0]


@pytest.fixture
def internal():
    return Shown(area())


def test_cohort_is_the_babies_with_a_prebirth_assessment(internal):
    cohort = parents.cohort(internal.ch)
    assert sorted(cohort["child_id"]) == sorted(babies())
    assert (cohort["financial_year"] == "2019/20").sum() == 10 and (cohort["financial_year"] == "2020/21").sum() == 4


def test_mothers_under_20_by_hand(internal):
    # 2019/20: under 20 = B1, B2, B3 (3) of 8 known ages (B8 no date of birth, B9 no mother)
    row = internal.indicator("mothers_under_20_share", "2019/20")
    assert (row.numerator, row.denominator) == (3, 8) and row.value == pytest.approx(3 / 8)
    assert internal.indicator("mothers_under_20_share", "2020/21").value == pytest.approx(1 / 4)  # B11
    assert internal.indicator("mothers_under_20_share", "all").value == pytest.approx(4 / 12)


def test_presenting_needs_by_hand(internal):
    # 2019/20, factors recorded for 9 babies (B7 none). A parent's own needs are the codes ending B;
    # codes ending C (another person in the household) are not the parents' needs.
    # mental health 4B: B1, B4 (second assessment), B9 = 3 (B2's 4C is another person's)
    assert internal.indicator("factor_mental_health_share", "2019/20").value == pytest.approx(3 / 9)
    # domestic abuse 3B: B1 = 1 (B6's 3C is another person's)
    assert internal.indicator("factor_domestic_abuse_share", "2019/20").value == pytest.approx(1 / 9)
    # alcohol or drugs 1B/2B: B3 (1B; 2A is about the child), B8 = 2; B10's 1C;2C are another person's;
    # B1's 2B came after the birth
    assert internal.indicator("factor_substance_share", "2019/20").value == pytest.approx(2 / 9)
    assert internal.indicator("factor_learning_disability_share", "2019/20").value == pytest.approx(1 / 9)  # B5
    # whole period: mental health also B11, B12 -> 5 of 13
    row = internal.indicator("factor_mental_health_share", "all")
    assert (row.numerator, row.denominator) == (5, 13)


def test_care_experience_counts_each_parent_once_and_blanks_are_not_no(internal):
    # 2019/20 parents: mothers M1-M8, M10 and fathers F1-F3 = 12; recorded Y/N: 10 (not M5, F3); Y: M1, M2, M8, F2
    row = internal.indicator("parents_care_experienced_share", "2019/20")
    assert (row.numerator, row.denominator) == (4, 10)
    assert internal.indicator("parents_care_experienced_share", "2020/21").value == pytest.approx(1 / 3)  # M11
    assert internal.indicator("parents_care_experienced_share", "all").value == pytest.approx(5 / 13)
    assert internal.indicator("parents_care_experienced_share", "all", "mothers").value == pytest.approx(4 / 11)
    assert internal.indicator("parents_care_experienced_share", "all", "fathers").value == pytest.approx(1 / 2)


def test_age_table_by_hand(internal):
    table = internal.table("age_table").set_index("Age at the baby's birth")
    assert list(table["Mothers"]) == ["4", "2", "1", "4", "1", "1", "1", "14"]
    # fathers: F2 under 20, F1 20-24, F3 age not recorded, 11 babies with no father recorded
    assert list(table["Fathers"]) == ["1", "1", "0", "0", "0", "1", "11", "14"]
    assert table.loc["under 20", "Mothers: % of known ages"].startswith("33%")  # 4 of 12


def test_published_age_table_withholds_small_cells():
    shown = Shown(area(), published=True)
    table = shown.table("age_table").set_index("Age at the baby's birth")
    assert table.loc["under 20", "Mothers"] == "c" and table.loc["under 20", "Mothers: % of known ages"] == "c"
    for value in table["Mothers"].tolist() + table["Fathers"].tolist():
        assert value not in {"1", "2", "3", "4", "5"}
    # 'Parent not recorded' for fathers (11) is published only if the rest of the column cannot give a small
    # cell back: with every other father cell small it must be withheld too (11 + 3 known = the total 14)
    assert table.loc["Parent not recorded", "Fathers"] == "c" or table.loc["All babies with a pre-birth assessment",
                                                                             "Fathers"] == "c"
    assert shown.decision.audit["passed"]


def test_the_cohort_table_relates_years_to_the_whole_period(internal):
    keys = {(r.total, r.parts) for r in internal.result.relations}
    assert ("prebirth_assessments|all", ("prebirth_assessments|2019/20", "prebirth_assessments|2020/21",
                                         "prebirth_assessments|2021/22")) in keys
    # the same babies as chapter 7: the key of the cohort is shared
    cells = [c for c in internal.result.cells() if isinstance(c, Count) and c.key.startswith("prebirth_assessments|")]
    assert {c.key: c.value for c in cells} == {"prebirth_assessments|2019/20": 10, "prebirth_assessments|2020/21": 4,
                                               "prebirth_assessments|2021/22": 0, "prebirth_assessments|all": 14}


def test_a_small_year_is_withheld_with_a_partner_and_the_audit_passes():
    shown = Shown(area(), published=True)
    table = shown.table("cohort_table").set_index("Year")
    # 2020/21 had 4 babies: withheld; 'all' (14) minus 2019/20 (10) would give it back, so one more goes
    assert table.loc["2020/21", "Babies with a pre-birth assessment"] == "c"
    assert "c" in (table.loc["2019/20", "Babies with a pre-birth assessment"],
                   table.loc["All years", "Babies with a pre-birth assessment"])
    assert shown.decision.audit["passed"] and not shown.decision.audit["failures"]


def test_needs_table_leaves_out_babies_with_no_factors(internal):
    frame = internal.table("needs_table").set_index("Need recorded")
    assert frame.loc["Mental health", "A parent or carer: babies"] == "5"
    assert frame.loc["Mental health", "A parent or carer: share"] == "38%"  # 5 of 13
    # another person in the household: B2's 4C = 1 of 13; drugs 2C: B10 = 1; domestic abuse 3C: B6 = 1
    assert frame.loc["Mental health", "Another person in the household: babies"] == "1"
    assert frame.loc["Domestic abuse", "Another person in the household: share"] == "8%"
    assert frame.loc["Mental health", "CIN factor codes (parent / household)"] == "4B / 4C"
    note = internal.note("needs_table")
    assert "13 babies" in note and "left out: 1 whose assessments recorded none" in note  # B7
    # 'no factors identified' alone: B13 only (B4's second assessment added 4B to its 21)
    assert "1 with 'no factors identified'" in note


def test_without_assessments_the_chapter_says_what_to_record():
    shown = Shown({"children": [{"child_id": "A", "date_of_birth": "2020-01-01"}]}, published=True)
    headline = shown.show("headline")
    assert "can't answer this yet" in headline.markdown and "assessments table" in headline.markdown
    assert shown.show("needs_table").kind == "notyet" and shown.show("age_table").kind == "notyet"


def test_without_parents_the_needs_are_still_shown():
    tables = area()
    for kid in tables["children"]:
        kid["mother_id"] = kid["father_id"] = None
    del tables["parents"]
    shown = Shown(tables)
    assert shown.show("age_table").kind == "notyet"
    assert "parents table" in shown.show("age_table").markdown
    assert shown.table("needs_table").shape[0] == 7


def test_looked_after_mothers_from_the_903_fields():
    kids = [{"child_id": "L1", "date_of_birth": "2003-01-01", "mother_flag": "1", "mother_child_dob": "2019-08-01"},
            {"child_id": "L2", "date_of_birth": "2003-05-01", "mother_flag": "1", "mother_child_dob": "2020-05-01"},
            {"child_id": "L3", "date_of_birth": "2004-05-01", "mother_flag": "0", "mother_child_dob": None},
            {"child_id": "L4", "date_of_birth": "2002-05-01", "mother_flag": "1", "mother_child_dob": "2018-01-01"},
            {"child_id": "L5", "date_of_birth": "2002-06-01", "mother_flag": "1", "mother_child_dob": None}]
    shown = Shown({"children": kids})
    frame = shown.table("looked_after_mothers").set_index("Year the baby was born")
    # L1 2019/20, L2 2020/21; L4's baby was born before the period; L5 has no MC_DOB
    assert list(frame["Looked-after young mothers"]) == ["1", "1", "0", "2"]
    assert "1 flagged as mothers had no baby's date of birth" in shown.note("looked_after_mothers")


def test_looked_after_mothers_absent_fields_are_explained(internal):
    assert "MOTHER and MC_DOB" in internal.show("looked_after_mothers").markdown


def test_the_area_name_is_text_not_markup():
    ch = make_chapter(area(), number=6, audience="internal", area_name="<script>x</script> *North*")
    result = parents.compute(ch.prepared)
    said = present.show(result, "headline", INTERNAL).markdown
    assert "<script>" not in said and "&lt;script&gt;x&lt;\\/script&gt; \\*North\\*" in said


def test_cohort_trend_note_counts_the_trends_read_together():
    # The demo's cohort table: one sentence on reading several uncorrected 5% tests at once, with the
    # number of trends counted by hand from the table's rows.
    from prebirth.chapters import common
    from tests.conftest import demo_parameters

    result = parents.compute(common.prepare(str(demo_parameters())))
    table = result.items["cohort_trend"]
    rows = len(table.frame)
    assert rows >= 2
    assert f"Each of these {rows} trends is tested on its own at the 5% level, with no correction" in table.note


# -- mothers' ages against all births in the area; parents' own childhood; the Wales figures ---------

def births_by_age(rows_by_year: dict, code="E99000001", level="Local authority", name="Testshire"):
    from prebirth.data.benchmarks import TIDY_COLUMNS

    rows = [{"period": str(year), "geographic_level": level, "area_code": code, "area_name": name,
             "region_code": "", "region_name": "", "indicator": f"live_births_mother_{band}", "numerator": float(n),
             "denominator": float("nan"), "value": float(n), "source": "hand-made", "suppressed": False}
            for year, bands in rows_by_year.items() for band, n in bands.items()]
    return pd.DataFrame(rows, columns=TIDY_COLUMNS)


AREA_BIRTHS = {  # 2019: 100 births, 2020: 100 births (2021 not given: left out)
    2019: {"under_20": 10, "20_24": 20, "25_29": 30, "30_34": 25, "35_39": 10, "40_and_over": 5},
    2020: {"under_20": 10, "20_24": 30, "25_29": 30, "30_34": 20, "35_39": 5, "40_and_over": 5},
}


def with_births(national=True):
    from prebirth.data.benchmarks import Benchmarks

    frames = [births_by_age(AREA_BIRTHS)]
    if national:
        frames.append(births_by_age({2019: {"under_20": 2, "20_24": 8, "25_29": 30, "30_34": 35, "35_39": 20,
                                            "40_and_over": 5}}, code="E92000001", level="National", name="England"))
    return Benchmarks(pd.concat(frames, ignore_index=True))


def test_mothers_ages_against_all_births_in_the_area():
    ch = make_chapter(area(), number=6, audience="internal", benchmarks=with_births())
    result = parents.compute(ch.prepared)
    frame = present.table_frame(result.items["age_compare"].frame, INTERNAL).set_index("Mother's age at the birth")
    # known ages 12; under 20: B1, B2, B3, B11 = 4 -> 33%; area: (10 + 10) / 200 = 10%
    assert frame.loc["under 20", "Mothers of babies with a pre-birth assessment: %"] == "33%"
    assert frame.loc["under 20", "All mothers giving birth in Testshire"] == "10%"
    # 35 and over joins ONS's 35-39 and 40+: (10 + 5 + 5 + 5) / 200 = 12.5% -> 13% (half up)
    assert frame.loc["35 and over", "All mothers giving birth in Testshire"] == "13%"
    assert frame.loc["under 20", "All mothers giving birth in England"] == "2%"  # 2 of 100
    said = [present.text(f.text, INTERNAL) for f in result.findings if f.indicator == "mothers_under_20_share"]
    # 4 of 12: Wilson lower limit 13.8% is above 10%
    assert said == ["The mother was under 20 for 33% of babies with a pre-birth assessment (1 in 3), higher than "
                    "the 10% among all mothers giving birth in the area."]
    assert [f.main for f in result.findings if f.indicator == "mothers_under_20_share"] == [True]


def test_without_births_by_age_the_page_says_which_file_gives_them():
    result = parents.compute(make_chapter(area(), number=6, audience="internal").prepared)
    shown = present.show(result, "age_compare", INTERNAL).markdown
    assert "live_births_mother_under_20" in shown and "ONS" in shown


def test_parents_childhood_beyond_care_counts_each_parent_once():
    tables = area()
    answers = {"M1": "Y", "M2": "N", "M3": "Y", "M4": "N", "F2": "Y"}
    for person in tables["parents"]:
        person["child_protection_as_child"] = answers.get(person["parent_id"])
        person["child_in_need_as_child"] = None
    result = parents.compute(make_chapter(tables, number=6, audience="internal").prepared)
    frame = present.table_frame(result.items["childhood_table"].frame, INTERNAL).set_index("Parents' own childhood")
    row = frame.loc["On a child protection plan as a child"]
    # parents: 13 mothers (M1-M8, M10-M14) + 3 fathers = 16; recorded 5; Y 3 (M1, M3, F2) -> 60%
    assert (row["Parents known"], row["Recorded (Y or N)"], row["Yes"], row["Not recorded"]) == ("16", "5", "3", "11")
    assert row["Share of those recorded"] == "60%"
    assert frame.loc["A child in need as a child", "Recorded (Y or N)"] == "not recorded"
    assert any("were on a child protection plan" in present.text(f.text, INTERNAL) for f in result.findings)


def test_without_childhood_fields_the_page_says_what_to_record():
    result = parents.compute(make_chapter(area(), number=6, audience="internal").prepared)
    assert "child_protection_as_child" in present.show(result, "childhood_table", INTERNAL).markdown


def test_the_1000_mothers_figures_are_wales_own_or_said_to_come_from_wales():
    wales = present.show_notice(parents._national_comparison(None, "Wales"), INTERNAL).markdown
    england = present.show_notice(parents._national_comparison(None, "England"), INTERNAL).markdown
    assert "53%" in wales and "17%" in wales and "national comparison for this area" in wales
    assert "come from Wales" in england and "no such figure is published for England" in england
