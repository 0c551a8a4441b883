"""Chapter 7 (fathers) on the hand-made area of chapter 6's tests, with involvement and proceedings added."""

import pandas as pd
import pytest

from prebirth.chapters import common, fathers
from tests.unit.chapters.conftest import make_chapter
from tests.unit.chapters.test_parents import area as parents_area


@pytest.fixture(autouse=True)
def no_book_being_built(monkeypatch):
    """Chapters here are made by hand: the safety net a notebook sets for its published book must not leak in."""
    monkeypatch.setattr(common, "_PUBLISHED_MIN_COUNT", None)


def yn(assessed, invited, fgc, plan, support, legal):
    return {"assessed": assessed, "invited_to_meetings": invited, "attended_fgc": fgc, "included_in_plan": plan,
            "offered_support": support, "legal_advice": legal}


def area():
    tables = parents_area()
    # F9 is a father in the parents table, linked to B3 only through involvement (B3 has no father_id): ignored.
    tables["parents"].append({"parent_id": "F9", "role": "father", "date_of_birth": "1990-01-01", "ethnicity": None,
                              "care_experienced": None})
    tables["involvement"] = [
        {"child_id": "B1", "parent_id": "F1", **yn("Y", "Y", "N", "Y", "N", None)},
        {"child_id": "B2", "parent_id": "F2", **yn("N", "Y", "Y", "N", "Y", "Y")},
        {"child_id": "B3", "parent_id": "F9", **yn("Y", "Y", "Y", "Y", "Y", "Y")},
        {"child_id": "B1", "parent_id": "M1", **yn("Y", "Y", "Y", "Y", "Y", "Y")},
        {"child_id": "B2", "parent_id": "M2", **yn("Y", "N", "N", "N", "N", "N")},
    ]
    tables["proceedings"] = [
        {"proceedings_id": "P1", "child_id": "B1", "issue_date": "2019-12-03"},  # newborn, father F1
        {"proceedings_id": "P2", "child_id": "B9", "issue_date": "2019-12-05"},  # newborn, no father recorded
        {"proceedings_id": "P3", "child_id": "O1", "issue_date": "2019-10-01"},  # aged 4: not an infant
    ]
    return tables


@pytest.fixture
def internal():
    ch = make_chapter(area(), number=7, audience="internal")
    fathers.record_indicators(ch)
    return ch


def value(ch, name, period="all", group=""):
    rows = pd.DataFrame(ch.indicators)
    row = rows[(rows.indicator == name) & (rows.period == period) & (rows.group == group)].iloc[0]
    return row.numerator, row.denominator


def test_fathers_shares_are_of_all_babies_with_a_prebirth_assessment(internal):
    # 14 babies; fathers recorded for B1, B2, B5
    assert value(internal, "fathers_recorded_share") == (3, 14)
    assert value(internal, "fathers_recorded_share", "2019/20") == (3, 10)
    assert value(internal, "fathers_recorded_share", "2020/21") == (0, 4)
    assert value(internal, "fathers_assessed_share") == (1, 14)    # F1 (F9 is not B3's recorded father)
    assert value(internal, "fathers_invited_share") == (2, 14)     # F1, F2
    assert value(internal, "fathers_at_fgc_share") == (1, 14)      # F2
    assert value(internal, "fathers_in_plan_share") == (1, 14)     # F1
    assert value(internal, "fathers_offered_support_share") == (1, 14)  # F2
    assert value(internal, "fathers_legal_advice_share") == (1, 14)     # F2 (F1 blank is not a yes)


def test_mothers_alongside(internal):
    assert value(internal, "mothers_recorded_share") == (13, 14)  # B9 has no mother recorded
    assert value(internal, "mothers_assessed_share") == (2, 14)   # M1, M2
    assert value(internal, "mothers_invited_share") == (1, 14)    # M1


def test_completeness_of_fathers_records(internal):
    frame = fathers.completeness_table(internal).frame.set_index("Recorded")
    assert frame.loc["Parent's id on the baby's record", "Fathers: recorded"] == "21% of 14"  # 3 of 14
    assert frame.loc["Assessed: Y or N recorded", "Fathers: recorded"] == "67% of 3"  # F1, F2 (F3 has no row)
    assert frame.loc["Given legal advice: Y or N recorded", "Fathers: recorded"] == "33% of 3"  # F2 only
    assert frame.loc["Date of birth (parents table)", "Fathers: recorded"] == "67% of 3"  # F3 has none
    assert frame.loc["Ethnicity (parents table)", "Fathers: recorded"] == "0% of 3"
    assert frame.loc["Parent's id on the baby's record", "Mothers: recorded"] == "93% of 14"  # 13 of 14


def test_involvement_table_gives_shares_of_those_recorded(internal):
    frame = fathers.involvement_table(internal).frame.set_index(
        "Of all babies with a pre-birth assessment, the parent was")
    assert frame.loc["Assessed", "Fathers: babies"] == "1"
    assert frame.loc["Assessed", "Fathers: share of those recorded"] == "33%"  # 1 of the 3 recorded
    assert frame.loc["Invited to meetings", "Fathers: share (95% CI)"].startswith("14%")  # 2 of 14


def test_fathers_of_infants_in_proceedings(internal):
    frame = fathers.proceedings_fathers(internal).frame.set_index("Year")
    assert frame.loc["2019/20", "With a father recorded"] == "1"  # B1 of B1, B9
    assert frame.loc["2019/20", "Babies under one in proceedings"] == "2"
    assert value(internal, "fathers_recorded_share", "2019/20", "infants in proceedings") == (1, 2)


def test_published_build_withholds_small_shares():
    ch = make_chapter(area(), number=7)  # published, min_count 6
    frame = fathers.involvement_table(ch).frame.set_index("Of all babies with a pre-birth assessment, the parent was")
    assert frame.loc["Assessed", "Fathers: babies"] == "c" and frame.loc["Assessed", "Fathers: share (95% CI)"] == "c"
    rows = pd.DataFrame(ch.indicators)
    assessed = rows[(rows.indicator == "fathers_assessed_share") & (rows.period == "all")].iloc[0]
    assert assessed.suppressed and pd.isna(assessed.value) and pd.isna(assessed.numerator)


def test_no_father_ids_at_all_is_not_yet():
    tables = area()
    for kid in tables["children"]:
        kid["father_id"] = None
    tables["involvement"] = [r for r in tables["involvement"] if r["parent_id"].startswith("M")]
    ch = make_chapter(tables, number=7)
    shown = fathers.headline(ch)
    assert "can't answer this yet" in shown.markdown and "father_id" in shown.markdown


def test_only_children_and_proceedings_still_answers_for_babies_in_proceedings():
    tables = area()
    ch = make_chapter({"children": tables["children"], "parents": tables["parents"],
                       "proceedings": tables["proceedings"]}, number=7, audience="internal")
    assert "assessments table" in fathers.headline(ch).markdown
    assert fathers.proceedings_fathers(ch).frame.set_index("Year").loc["2019/20", "With a father recorded"] == "1"


def test_without_involvement_only_recording_is_shown():
    tables = area()
    del tables["involvement"]
    ch = make_chapter(tables, number=7, audience="internal")
    shown = fathers.involvement_table(ch)
    assert list(shown.frame.iloc[:, 0]) == ["Recorded on the baby's record"]
    assert "involvement table was not supplied" in shown.note
    assert fathers.involvement_chart(ch).kind == "notyet"


def test_a_count_beside_its_total_is_withheld_with_its_share():
    # Give the 11 other mothers (B3-B14 but B9) involvement rows with a plan: in the plan M1 and those 11 = 12 of
    # 14 babies, so 2 had no mother in the plan: the share and the count 12 (14 - 12 = 2) are both withheld.
    tables = area()
    answered = {r["parent_id"] for r in tables["involvement"]}
    for kid in tables["children"]:
        mother = kid["mother_id"]
        if mother and mother not in answered and kid["child_id"].startswith("B"):
            tables["involvement"].append({"child_id": kid["child_id"], "parent_id": mother,
                                          **yn("Y", "Y", "N", "Y", "N", "N")})
    ch = make_chapter(tables, number=7)  # published, min_count 6
    frame = fathers.involvement_table(ch).frame.set_index("Of all babies with a pre-birth assessment, the parent was")
    assert frame.loc["Included in the plan", "Mothers: babies"] == "c"  # M1 and 11 others = 12 of 14
    assert frame.loc["Included in the plan", "Mothers: share (95% CI)"] == "c"
    # assessed: M1, M2 and the 11 others = 13 of 14, complement 1: withheld too
    assert frame.loc["Assessed", "Mothers: babies"] == "c"
    # recorded: 13 of 14 (B9 has no mother), complement 1: withheld; fathers 3 of 14: withheld as small
    assert frame.loc["Recorded on the baby's record", "Mothers: babies"] == "c"
