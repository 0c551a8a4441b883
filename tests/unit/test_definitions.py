"""The definitions of DESIGN 5.2 on hand-made cases, each expectation worked out by hand."""

import pandas as pd
import pytest

from prebirth import definitions as d


def ts(*values):
    return pd.Series(pd.to_datetime(list(values)))


def test_financial_year_boundaries():
    fy = d.financial_year(ts("2019-03-31", "2019-04-01", "2020-03-31", "2000-01-15"))
    assert list(fy) == ["2018/19", "2019/20", "2019/20", "1999/00"]


def test_financial_year_keeps_the_rows_and_leaves_missing_dates_missing():
    dates = pd.Series(pd.to_datetime(["2021-01-10", None, "2009-12-31"]), index=[7, 3, 5], name="referral_date")
    fy = d.financial_year(dates)
    assert list(fy.index) == [7, 3, 5] and fy.name == "referral_date"
    assert fy[7] == "2020/21" and pd.isna(fy[3]) and fy[5] == "2009/10"


def test_financial_years_cover_the_period():
    assert d.financial_years(pd.Timestamp("2014-04-01"), pd.Timestamp("2016-03-31")) == ["2014/15", "2015/16"]


@pytest.mark.parametrize("age_days, newborn", [(0, True), (6, True), (7, False), (8, False)])
def test_newborn_is_under_seven_days(age_days, newborn):
    dob = pd.Timestamp("2021-05-10")
    issue = dob + pd.Timedelta(days=age_days)
    assert bool(d.is_newborn(ts(issue), ts(dob), 7).iloc[0]) is newborn


def test_newborn_days_parameter_changes_the_cut():
    # 10 days old: a newborn under the 14-day (Wales 2019) definition, not under 7.
    assert not d.is_newborn(ts("2021-01-11"), ts("2021-01-01"), 7).iloc[0]
    assert d.is_newborn(ts("2021-01-11"), ts("2021-01-01"), 14).iloc[0]


def test_infant_until_the_day_before_the_first_birthday():
    dob = "2020-06-15"
    assert d.is_infant(ts("2021-06-14"), ts(dob)).iloc[0]
    assert not d.is_infant(ts("2021-06-15"), ts(dob)).iloc[0]  # exactly one year old: not an infant


def test_leap_day_baby_turns_one_on_first_of_march():
    dob = "2020-02-29"
    assert d.is_infant(ts("2021-02-28"), ts(dob)).iloc[0]
    assert not d.is_infant(ts("2021-03-01"), ts(dob)).iloc[0]


def test_unknown_date_of_birth_is_unknown_not_false():
    result = d.is_infant(ts("2021-01-01"), pd.Series([pd.NaT]))
    assert pd.isna(result.iloc[0])


def test_children_counted_once_per_year_at_first_issue():
    children = pd.DataFrame({"child_id": ["a", "b"], "mother_id": ["m1", None],
                             "date_of_birth": pd.to_datetime(["2020-05-01", "2015-01-01"])})
    proceedings = pd.DataFrame({
        "proceedings_id": ["p1", "p2", "p3", "p4"],
        "child_id": ["a", "a", "a", "b"],
        # a: two applications in 2020/21 (newborn at the first), one in 2021/22 (aged 1 year+)
        "issue_date": pd.to_datetime(["2020-05-03", "2020-09-01", "2021-06-01", "2020-07-01"]),
    })
    rows = d.children_in_proceedings(proceedings, children, 7)
    assert len(rows) == 3
    first = rows[(rows.child_id == "a") & (rows.financial_year == "2020/21")].iloc[0]
    assert first.proceedings_id == "p1" and first.newborn and first.infant and first.age_days == 2
    later = rows[(rows.child_id == "a") & (rows.financial_year == "2021/22")].iloc[0]
    assert not later.infant  # 2021-06-01 is after the first birthday 2021-05-01
    assert d.first_in_period(rows).child_id.value_counts().to_dict() == {"a": 1, "b": 1}


def test_period_filter_is_inclusive():
    children = pd.DataFrame({"child_id": ["a"], "date_of_birth": pd.to_datetime(["2020-01-01"])})
    proceedings = pd.DataFrame({"proceedings_id": ["p1", "p2"], "child_id": ["a", "a"],
                                "issue_date": pd.to_datetime(["2020-03-31", "2020-04-01"])})
    rows = d.children_in_proceedings(proceedings, children, 7, "2020-04-01", "2021-03-31")
    assert list(rows.proceedings_id) == ["p2"]


def test_starters_rules():
    children = pd.DataFrame({"child_id": ["a", "b", "c"],
                             "date_of_birth": pd.to_datetime(["2020-05-01", "2010-01-01", "2020-01-01"])})
    episodes = pd.DataFrame({
        "child_id": ["a", "a", "b", "b", "c"],
        "start_date": pd.to_datetime(["2020-05-02", "2020-06-01", "2020-05-01", "2020-05-20", "2021-01-01"]),
        "end_date": pd.to_datetime(["2020-06-01", None, "2020-05-10", None, None]),
        # a: S then a placement change P (not a start); b: S, then blank RNE after a 10-day gap (a new start,
        # but the same financial year so counted once); c: blank RNE, first episode -> a start, aged 1 on 2021-01-01
        "reason_new_episode": ["S", "P", "S", None, None],
    })
    started = d.starters(episodes, children)
    assert sorted(started.child_id) == ["a", "b", "c"]
    under_1 = dict(zip(started.child_id, started.under_1))
    assert under_1 == {"a": True, "b": False, "c": False}


def test_births_pairing_uses_calendar_year_t():
    births = pd.DataFrame({"year": pd.array([2019, 2020], dtype="Int64"), "live_births": pd.array([3000, 3100], dtype="Int64")})
    assert d.births_for_year(births, "2019/20") == 3000
    assert d.births_for_year(births, "2021/22") is None
