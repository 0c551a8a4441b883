"""Definitions for recurrence, waiting times and notice (DESIGN 5.2), each case worked out by hand."""

import pandas as pd
import pytest

from prebirth import definitions as d


def ts(*values):
    return pd.Series(pd.to_datetime(list(values)))


def ids(*values):
    return pd.Series(list(values), dtype="object")


@pytest.fixture
def family():
    """Mother M1: an older child O1 (issued 2015-06-01 and again 2018-02-01), twins T1/T2 issued
    2020-05-05, and a baby B3 issued 2022-01-10. Mother M2: one baby. K9 has no mother linked."""
    children = pd.DataFrame({
        "child_id": ["O1", "T1", "T2", "B3", "S1", "K9"],
        "mother_id": ["M1", "M1", "M1", "M1", "M2", None],
    })
    proceedings = pd.DataFrame({
        "child_id": ["O1", "O1", "T1", "T2", "B3", "S1", "K9"],
        "issue_date": pd.to_datetime(["2015-06-01", "2018-02-01", "2020-05-05", "2020-05-05", "2022-01-10",
                                      "2021-03-03", "2021-04-04"]),
    })
    return children, proceedings


def test_subsequent_infant_needs_an_earlier_proceeding_about_another_child(family):
    children, proceedings = family
    flags = d.subsequent_infant(ids("O1", "T1", "T2", "B3", "S1", "K9"),
                                ts("2018-02-01", "2020-05-05", "2020-05-05", "2022-01-10", "2021-03-03", "2021-04-04"),
                                proceedings, children)
    # O1's earlier row (2015) is about O1 itself: not subsequent.
    # T1 and T2: O1's proceedings (2015, 2018) came first -> subsequent; the twin on the same day is not "earlier".
    # B3: O1 and the twins came before. S1: the only child of M2. K9: no mother linked.
    assert list(flags) == [False, True, True, True, False, False]


def test_twins_alone_are_not_subsequent_to_each_other():
    children = pd.DataFrame({"child_id": ["A", "B"], "mother_id": ["M", "M"]})
    proceedings = pd.DataFrame({"child_id": ["A", "B"], "issue_date": pd.to_datetime(["2020-01-01", "2020-01-01"])})
    assert not d.subsequent_infant(ids("A", "B"), ts("2020-01-01", "2020-01-01"), proceedings, children).any()


def test_previous_proceedings_date_is_the_most_recent_earlier_one(family):
    children, proceedings = family
    # A pre-birth referral for M1's next baby (not yet in proceedings) on 2023-01-10:
    # the mother's proceedings were 2015-06-01, 2018-02-01, 2020-05-05 (twice) and 2022-01-10 -> latest 2022-01-10.
    children = pd.concat([children, pd.DataFrame({"child_id": ["U4"], "mother_id": ["M1"]})], ignore_index=True)
    latest = d.previous_proceedings_date(ids("U4", "U4", "B3"), ts("2023-01-10", "2019-01-01", "2022-01-10"),
                                         proceedings, children)
    assert latest.iloc[0] == pd.Timestamp("2022-01-10")
    assert latest.iloc[1] == pd.Timestamp("2018-02-01")  # before the twins
    assert latest.iloc[2] == pd.Timestamp("2020-05-05")  # B3's own row is not earlier than itself


def test_previous_proceedings_date_keeps_the_index_of_its_input(family):
    children, proceedings = family
    child = pd.Series(["B3"], index=[42], dtype="object")
    latest = d.previous_proceedings_date(child, pd.Series(pd.to_datetime(["2022-01-10"]), index=[42]), proceedings,
                                         children)
    assert list(latest.index) == [42]


def test_notice_days_same_day_is_zero_and_blank_stays_blank():
    notice = d.notice_days(ts("2020-01-01", "2020-01-01", "2020-01-01"),
                           pd.Series(pd.to_datetime(["2020-01-01", "2020-01-08", None])))
    assert notice.iloc[0] == 0 and notice.iloc[1] == 7 and pd.isna(notice.iloc[2])


@pytest.mark.parametrize("days_to_due, weeks", [(140, 20.0), (196, 12.0), (0, 40.0), (-7, 41.0), (147, 19.0)])
def test_gestation_weeks_at_referral(days_to_due, weeks):
    referral = pd.Timestamp("2021-01-01")
    due = referral + pd.Timedelta(days=days_to_due)
    assert d.gestation_weeks(ts(referral), ts(due)).iloc[0] == pytest.approx(weeks)


def test_is_prebirth_before_birth_or_unborn():
    flags = d.is_prebirth(ts("2020-01-01", "2020-01-05", "2020-01-06", "2020-01-01"),
                          pd.Series(pd.to_datetime(["2020-01-05", "2020-01-05", "2020-01-05", None])))
    # The day of birth itself is not before the birth.
    assert list(flags) == [True, False, False, True]
