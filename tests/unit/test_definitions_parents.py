"""Definitions for chapters 6 and 7 (parents in pre-birth assessment), each case worked out by hand."""

import pandas as pd
import pytest

from prebirth import definitions as d


def ts(*values):
    return pd.Series(pd.to_datetime(list(values)))


@pytest.mark.parametrize("start, dob, kind, expected", [
    ("2020-01-10", "2020-03-01", "child-and-family", True),   # started before the birth
    ("2020-03-01", "2020-03-01", "child-and-family", False),  # started on the day of birth: not before it
    ("2020-03-05", "2020-03-01", "child-and-family", False),  # after the birth
    ("2020-03-05", None, "other", True),                      # baby still unborn (no date of birth)
    ("2020-03-05", "2020-03-01", "pre-birth", True),          # recorded as pre-birth by the area
    ("2020-03-05", "2020-03-01", "Pre-Birth ", True),         # however it is written
    ("2020-03-05", "2020-03-01", None, False),
])
def test_prebirth_assessment(start, dob, kind, expected):
    result = d.is_prebirth_assessment(ts(start), ts(dob), pd.Series([kind], dtype=object))
    assert bool(result.iloc[0]) is expected


def test_prebirth_assessment_without_a_kind_column_uses_dates_only():
    result = d.is_prebirth_assessment(ts("2020-01-01", "2020-05-01"), ts("2020-03-01", "2020-03-01"))
    assert list(result) == [True, False]


def test_factor_codes_read_any_spacing_and_case():
    assert d.factor_codes(" 4b; 3C ;") == {"4B", "3C"}
    assert d.factor_codes("1B,2B") == {"1B", "2B"}
    assert d.factor_codes(None) == set() and d.factor_codes(float("nan")) == set()


def test_has_factor_is_unknown_where_nothing_was_recorded():
    factors = pd.Series(["4B;1A", "21", None, "3B", "4b"], dtype=object)
    result = d.has_factor(factors, d.FACTOR_GROUPS["mental_health"])
    assert result.iloc[0] and not result.iloc[1] and pd.isna(result.iloc[2]) and not result.iloc[3] and result.iloc[4]


def test_substance_is_a_parents_alcohol_or_drug_use_and_the_households_is_apart():
    factors = pd.Series(["1B", "2C", "2A", "1A;4B"], dtype=object)
    # 2A and 1A are concerns about the child; 2C is another person in the household's drug use
    assert list(d.has_factor(factors, d.FACTOR_GROUPS["substance"])) == [True, False, False, False]
    assert list(d.has_factor(factors, d.HOUSEHOLD_FACTOR_GROUPS["substance"])) == [False, True, False, False]


def test_a_parents_needs_are_the_codes_ending_b_and_the_households_those_ending_c():
    for key, codes in d.FACTOR_GROUPS.items():
        assert all(code.endswith("B") for code in codes), key
        assert d.HOUSEHOLD_FACTOR_GROUPS[key] == tuple(code[:-1] + "C" for code in codes)
    assert d.HOUSEHOLD_FACTOR_GROUPS["mental_health"] == ("4C",)


@pytest.mark.parametrize("dob, on, age", [
    ("2000-06-15", "2020-06-14", 19),  # the day before the 20th birthday
    ("2000-06-15", "2020-06-15", 20),  # on the birthday
    ("2000-02-29", "2019-02-28", 18),  # leap-day birthday: reached on 1 March in a common year
    ("2000-02-29", "2019-03-01", 19),
    ("2000-02-29", "2020-02-29", 20),
])
def test_age_in_completed_years(dob, on, age):
    assert d.age_in_years(ts(dob), ts(on)).iloc[0] == age


def test_age_unknown_when_a_date_is_missing():
    result = d.age_in_years(ts(None, "1990-01-01"), ts("2020-01-01", None))
    assert result.isna().all()


def test_parent_age_bands_and_implausible_ages():
    ages = pd.Series([9, 10, 19, 20, 24, 25, 29, 30, 34, 35, 80, 81, None], dtype="Int64")
    assert list(d.parent_age_band(ages)) == [
        None, "under 20", "under 20", "20-24", "20-24", "25-29", "25-29", "30-34", "30-34",
        "35 and over", "35 and over", None, None]


def test_ethnic_groups_follow_the_dfe_codes():
    codes = pd.Series(["wbri", "MWBC", "APKN", "BAFR", "CHNE", "OOTH", "REFU", "NOBT", None, "XYZ"], dtype=object)
    assert list(d.ethnic_group(codes)) == [
        "White", "Mixed", "Asian or Asian British", "Black or Black British", "Other ethnic group",
        "Other ethnic group", d.ETHNICITY_NOT_KNOWN, d.ETHNICITY_NOT_KNOWN, d.ETHNICITY_NOT_KNOWN,
        d.ETHNICITY_NOT_KNOWN]


def test_birth_or_expected_date():
    children = pd.DataFrame({"date_of_birth": pd.to_datetime(["2020-01-05", None]),
                             "expected_date_of_birth": pd.to_datetime(["2020-01-01", "2021-06-01"])})
    assert list(d.birth_or_expected(children)) == list(pd.to_datetime(["2020-01-05", "2021-06-01"]))


def test_children_with_prebirth_assessment_by_hand():
    children = pd.DataFrame({
        "child_id": ["A", "B", "C", "D", "E"],
        "mother_id": ["MA", "MB", "MC", "MD", None],
        "father_id": ["FA", None, None, None, None],
        "date_of_birth": pd.to_datetime(["2020-03-01", "2019-01-01", None, None, "2020-02-01"]),
        "expected_date_of_birth": pd.to_datetime(["2020-03-03", None, "2021-01-15", "2020-12-01", None]),
    })
    assessments = pd.DataFrame({
        "assessment_id": ["a1", "a2", "a3", "b1", "c1", "d1", "e1"],
        "child_id": ["A", "A", "A", "B", "C", "D", "E"],
        "start_date": pd.to_datetime(["2019-11-01", "2020-01-20", "2020-04-01", "2019-06-01", "2019-02-01",
                                      "2020-08-01", "2020-02-03"]),
        "kind": ["pre-birth", "pre-birth", "child-and-family", "child-and-family", "pre-birth", "other", "pre-birth"],
        "factors": ["4B;3B", "1B", "2B", "4B", "4B", None, None],
    })
    out = d.children_with_prebirth_assessment(assessments, children, "2019-04-01", "2021-03-31").set_index("child_id")
    # A: a1 and a2 are before the birth (a3 is after it and not pre-birth); factors joined, sorted.
    # B: assessed after birth -> out. C: pre-birth but before the period -> out.
    # D: unborn, in the period -> in, at its expected date. E: after birth but recorded pre-birth -> in.
    assert list(out.index) == ["A", "E", "D"]  # in order of first pre-birth assessment
    a = out.loc["A"]
    assert (a.assessment_id, a.financial_year, a.factors, a.assessments) == ("a1", "2019/20", "1B;3B;4B", 2)
    assert a.birth_date == pd.Timestamp("2020-03-01") and a.father_id == "FA"
    assert out.loc["D", "birth_date"] == pd.Timestamp("2020-12-01") and out.loc["D", "financial_year"] == "2020/21"
    assert pd.isna(out.loc["D", "factors"]) and pd.isna(out.loc["E", "mother_id"])
