"""Chapter 7 (fathers) on the hand-made area of chapter 6's tests, with involvement and proceedings added."""

import pandas as pd
import pytest

from prebirth import disclosure, present
from prebirth.chapters import fathers
from prebirth.results import Count, Share, key
from tests.unit.chapters.conftest import make_chapter
from tests.unit.chapters.test_parents import area as parents_area


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


def result_of(tables, audience="published"):
    return fathers.compute(make_chapter(tables, number=7, audience=audience).prepared)


@pytest.fixture
def internal():
    return result_of(area(), "internal")


def value(result, name, period="all", group=""):
    row = next(r for r in result.indicators if r.indicator == name and r.period == period and r.group == group)
    return row.cell.numerator.value, row.cell.denominator.value


def shown(result, name, decision=None):
    """A table item as published words (internal: everything shown)."""
    decision = decision or disclosure.decide([result], False, 6)
    return present.table_frame(result.items[name].frame, decision)


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


def test_shares_use_the_book_wide_keys(internal):
    row = next(r for r in internal.indicators if r.indicator == "fathers_assessed_share" and r.period == "2019/20")
    assert row.cell.numerator == Count(key("fathers", "assessed", "2019/20"), 1)
    assert row.cell.denominator == Count(key("prebirth_assessments", "2019/20"), 10)
    mothers = next(r for r in internal.indicators if r.indicator == "mothers_invited_share" and r.period == "all")
    assert mothers.cell.numerator == Count(key("mothers", "invited", "all"), 1)
    assert mothers.cell.denominator == Count(key("prebirth_assessments", "all"), 14)


def test_mothers_alongside(internal):
    assert value(internal, "mothers_recorded_share") == (13, 14)  # B9 has no mother recorded
    assert value(internal, "mothers_assessed_share") == (2, 14)   # M1, M2
    assert value(internal, "mothers_invited_share") == (1, 14)    # M1


def test_headline_and_glue(internal):
    decision = disclosure.decide([internal], False, 6)
    glued = present.glued(internal, decision)
    assert glued["ch7_babies"] == "14"
    assert glued["ch7_fathers_recorded"] == "21%"  # 3 of 14
    assert glued["ch7_fathers_assessed"] == "7%" and glued["ch7_mothers_assessed"] == "14%"  # 1 and 2 of 14
    said = present.show(internal, "headline", decision).markdown
    assert said.startswith("Of the 14 babies with a pre-birth assessment in the report period, 21% had a father")


def test_completeness_of_fathers_records(internal):
    frame = shown(internal, "completeness_table").set_index("Recorded")
    assert frame.loc["Parent's id on the baby's record", "Fathers: recorded"] == "21% of 14"  # 3 of 14
    assert frame.loc["Assessed: Y or N recorded", "Fathers: recorded"] == "67% of 3"  # F1, F2 (F3 has no row)
    assert frame.loc["Given legal advice: Y or N recorded", "Fathers: recorded"] == "33% of 3"  # F2 only
    assert frame.loc["Date of birth (parents table)", "Fathers: recorded"] == "67% of 3"  # F3 has none
    assert frame.loc["Ethnicity (parents table)", "Fathers: recorded"] == "0% of 3"
    assert frame.loc["Parent's id on the baby's record", "Mothers: recorded"] == "93% of 14"  # 13 of 14


def test_completeness_relates_the_answers_to_the_yes_and_no(internal):
    # Fathers' "assessed": 2 answered (F1 Y, F2 N) = 1 yes + 1 no; the no is known to the book, never shown.
    relation = next(rel for rel in internal.relations if rel.total == key("fathers", "assessed_answered", "all"))
    assert relation.parts == (key("fathers", "assessed", "all"), key("fathers", "assessed_no", "all"))
    assert internal.implicit[key("fathers", "assessed_no", "all")] == 1


def test_involvement_table_gives_shares_of_those_recorded(internal):
    frame = shown(internal, "involvement_table").set_index("Of all babies with a pre-birth assessment, the parent was")
    assert frame.loc["Assessed", "Fathers: babies"] == "1"
    assert frame.loc["Assessed", "Fathers: share of those recorded"] == "33%"  # 1 of the 3 recorded
    assert frame.loc["Invited to meetings", "Fathers: share"] == "14%"  # 2 of 14
    assert frame.loc["Invited to meetings", "Fathers: 95% interval"] == "4% to 40%"  # Wilson, by hand


def test_fathers_of_infants_in_proceedings(internal):
    frame = shown(internal, "proceedings_fathers").set_index("Year")
    assert frame.loc["2019/20", "With a father recorded"] == "1"  # B1 of B1, B9
    assert frame.loc["2019/20", "Babies under one in proceedings"] == "2"
    assert value(internal, "fathers_recorded_share", "2019/20", "infants in proceedings") == (1, 2)
    # the same count as chapter 1's infants in proceedings
    row = next(r for r in internal.indicators if r.group == "infants in proceedings" and r.period == "2019/20")
    assert row.cell.denominator.key == key("proceedings", "infants", "2019/20")


def test_published_build_withholds_small_shares():
    result = result_of(area())  # published, min_count 6
    decision = disclosure.decide([result], True, 6)
    assert decision.audit["passed"]
    frame = shown(result, "involvement_table", decision).set_index(
        "Of all babies with a pre-birth assessment, the parent was")
    assert frame.loc["Assessed", "Fathers: babies"] == "c" and frame.loc["Assessed", "Fathers: share"] == "c"
    assert frame.loc["Assessed", "Fathers: 95% interval"] == "c"
    rows = pd.DataFrame(present.indicator_rows(result, decision))
    assessed = rows[(rows.indicator == "fathers_assessed_share") & (rows.period == "all")].iloc[0]
    assert assessed.suppressed and pd.isna(assessed.value) and pd.isna(assessed.numerator)


def test_a_small_year_is_withheld_with_a_partner():
    # Babies with a pre-birth assessment: 10 in 2019/20, 4 in 2020/21, none in 2021/22, 14 in all. The 4 is small;
    # with 14 and 10 both shown a reader would get it back as 14 - 10 - 0: one of them is withheld too.
    result = result_of(area())
    decision = disclosure.decide([result], True, 6)
    assert decision.audit["passed"]
    babies = {p: Count(key("prebirth_assessments", p), n) for p, n in
              (("2019/20", 10), ("2020/21", 4), ("2021/22", 0), ("all", 14))}
    assert decision.hides(babies["2020/21"])
    assert decision.hides(babies["2019/20"]) or decision.hides(babies["all"])
    assert not decision.hides(babies["2021/22"])  # 0 is shown
    rows = pd.DataFrame(present.indicator_rows(result, decision))
    small = rows[(rows.indicator == "mothers_recorded_share") & (rows.period == "2020/21")].iloc[0]
    assert small.suppressed and pd.isna(small.denominator)


def test_years_are_related_to_the_whole_period(internal):
    # each baby counts in one year only: all = the sum of the years
    relation = next(rel for rel in internal.relations if rel.total == key("prebirth_assessments", "all"))
    assert relation.parts == tuple(key("prebirth_assessments", p) for p in ("2019/20", "2020/21", "2021/22"))
    relation = next(rel for rel in internal.relations if rel.total == key("fathers", "in_plan", "all"))
    assert relation.parts == tuple(key("fathers", "in_plan", p) for p in ("2019/20", "2020/21", "2021/22"))


def test_no_father_ids_at_all_is_not_yet():
    tables = area()
    for kid in tables["children"]:
        kid["father_id"] = None
    tables["involvement"] = [r for r in tables["involvement"] if r["parent_id"].startswith("M")]
    result = result_of(tables)
    decision = disclosure.decide([result], True, 6)
    said = present.show(result, "headline", decision).markdown
    assert "can't answer this yet" in said and "father_id" in said
    assert result.status == {"answer": "not yet"} and not result.indicators
    assert present.show(result, "proceedings_fathers", decision).kind == "notyet"


def test_only_children_and_proceedings_still_answers_for_babies_in_proceedings():
    tables = area()
    result = result_of({"children": tables["children"], "parents": tables["parents"],
                        "proceedings": tables["proceedings"]}, "internal")
    decision = disclosure.decide([result], False, 6)
    assert "assessments table" in present.show(result, "headline", decision).markdown
    assert shown(result, "proceedings_fathers").set_index("Year").loc["2019/20", "With a father recorded"] == "1"


def test_without_involvement_only_recording_is_shown():
    tables = area()
    del tables["involvement"]
    result = result_of(tables, "internal")
    table = result.items["involvement_table"]
    assert list(table.frame.iloc[:, 0]) == ["Recorded on the baby's record"]
    assert "involvement table was not supplied" in table.note
    assert result.items["involvement_chart"].kind == "notyet"
    assert result.status == {"answer": "partly"}


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
    result = result_of(tables)  # published, min_count 6
    decision = disclosure.decide([result], True, 6)
    frame = shown(result, "involvement_table", decision).set_index(
        "Of all babies with a pre-birth assessment, the parent was")
    assert frame.loc["Included in the plan", "Mothers: babies"] == "c"  # M1 and 11 others = 12 of 14
    assert frame.loc["Included in the plan", "Mothers: share"] == "c"
    assert frame.loc["Included in the plan", "Mothers: 95% interval"] == "c"
    # assessed: M1, M2 and the 11 others = 13 of 14, complement 1: withheld too
    assert frame.loc["Assessed", "Mothers: babies"] == "c"
    # recorded: 13 of 14 (B9 has no mother), complement 1: withheld; fathers 3 of 14: withheld as small
    assert frame.loc["Recorded on the baby's record", "Mothers: babies"] == "c"
    assert frame.loc["Recorded on the baby's record", "Fathers: babies"] == "c"


def test_two_years_with_babies_are_too_few_for_a_trend(internal):
    assert result_of(area()).items["trend_table"].body == "There are too few years to look for a trend."
    assert not [r for r in internal.indicators if r.indicator == "fathers_assessed_trend_ratio"]


def test_trend_table_note_counts_the_trends_read_together():
    # One sentence on multiple comparisons, with the number of fitted trends counted by hand: the rows
    # with a confidence interval (rows saying "no variation" are not tests).
    from prebirth.chapters import common
    from tests.conftest import demo_parameters

    result = fathers.compute(common.prepare(str(demo_parameters())))
    table = result.items["trend_table"]
    fitted = sum(1 for cell in table.frame["95% confidence interval"] if cell != "")
    assert fitted >= 2
    assert f"Each of these {fitted} trends is tested on its own at the 5% level, with no correction" in table.note
