"""Chapter 4 on hand-made data: which assessment a referral led to, waits with open episodes
censored (never dropped), gestation at referral, assessments finished before the due date and
time after transfers, each worked out by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from prebirth.chapters import waiting
from tests.unit.chapters.conftest import make_chapter

# Report period (conftest): 2019-04-01 to 2022-03-31. The data end on 2022-03-31 (referral r8).


def child(cid, dob, due=None):
    return {"child_id": cid, "date_of_birth": dob, "expected_date_of_birth": due}


def referral(rid, cid, date, outcome):
    return {"referral_id": rid, "child_id": cid, "referral_date": date, "outcome": outcome}


def assessment(aid, cid, start, authorised=None, rid=None, kind="child-and-family"):
    return {"assessment_id": aid, "child_id": cid, "start_date": start, "authorised_date": authorised,
            "referral_id": rid, "kind": kind}


@pytest.fixture
def area():
    kids = [child("K1", None, "2020-03-01"),          # unborn (no birth recorded)
            child("K2", "2015-01-01"),
            child("K3", "2019-12-01", "2019-12-10"),
            child("K4", "2010-01-01"),
            child("K5", None, "2020-10-19"),
            child("K6", None, "2022-06-01")]          # due after the data end
    referrals = [
        referral("r1", "K1", "2019-09-01", "assessment"),   # -> a1 (names it), 10 days
        referral("r2", "K2", "2019-05-01", "assessment"),   # -> a2, the next assessment naming no referral: 3 days
        referral("r3", "K3", "2019-08-01", "s47"),          # no assessment yet: open, censored
        referral("r4", "K4", "2019-06-01", "nfa"),          # no assessment, none expected: not a wait
        referral("r5", "K4", "2020-01-10", "assessment"),   # -> a5 the same day: 0 days
        referral("r6", "K2", "2020-02-01", "assessment"),   # -> a6 (names it), 7 days
        referral("r7", "K4", "2019-12-01", "early_help"),   # a5 names r5, so it is not r7's: not a wait
        referral("r9", "K3", "2019-10-25", "assessment"),   # -> a9 (names it), 7 days
        referral("rk5", "K5", "2020-06-01", "assessment"),  # -> a10, the next unnamed assessment: 9 days
        referral("r8", "K4", "2022-03-31", "nfa"),          # the last date in the data
    ]
    assessments = [
        assessment("a0", "K2", "2019-04-20", "2019-04-30"),                        # before r2: not r2's
        assessment("a1", "K1", "2019-09-11", "2019-10-11", "r1", "pre-birth"),
        assessment("a2", "K2", "2019-05-04", "2019-05-24"),
        assessment("a5", "K4", "2020-01-10", None, "r5"),                          # still open
        assessment("a6", "K2", "2020-02-08", "2020-02-15", "r6"),
        assessment("a9", "K3", "2019-11-01", "2019-11-21", "r9", "pre-birth"),
        assessment("a10", "K5", "2020-06-10", None, None, "pre-birth"),           # open past the due date
        assessment("a11", "K6", "2022-02-01", None, None, "pre-birth"),           # open, due after the data end
    ]
    support = [
        {"support_id": "s1", "child_id": "K1", "kind": "specialist_midwifery", "offered_date": "2019-09-20"},
        {"support_id": "s2", "child_id": "K2", "kind": "parenting", "offered_date": "2019-05-10"},
    ]
    transfers = [
        {"child_id": "K1", "transfer_date": "2019-09-15"},   # next action: support offered 2019-09-20
        {"child_id": "K2", "transfer_date": "2019-05-20"},   # next action: a2 authorised 2019-05-24
        {"child_id": "K2", "transfer_date": "2021-06-01"},   # no later action: censored
    ]
    return {"children": kids, "referrals": referrals, "assessments": assessments, "support": support,
            "transfers": transfers}


def test_censoring_date_ignores_expected_dates_of_birth(area):
    ch = make_chapter(area, audience="internal")
    # K6 is due 2022-06-01, after everything recorded: a forecast, not the end of the data.
    assert waiting.censoring_date(ch) == pd.Timestamp("2022-03-31")


def test_each_referral_is_linked_to_its_assessment(area):
    ch = make_chapter(area, audience="internal")
    r = waiting.referral_waits(ch).set_index("referral_id")
    assert sorted(r.index) == ["r1", "r2", "r3", "r5", "r6", "r9", "rk5"]  # r4, r7 and r8 led to no assessment
    assert r["assessment_id"].fillna("").to_dict() == {"r1": "a1", "r2": "a2", "r3": "", "r5": "a5", "r6": "a6",
                                                      "r9": "a9", "rk5": "a10"}
    assert r["linked_by"].fillna("").to_dict() == {"r1": "referral_id", "r2": "next assessment", "r3": "",
                                                  "r5": "referral_id", "r6": "referral_id", "r9": "referral_id",
                                                  "rk5": "next assessment"}
    assert r["days"].to_dict() == {"r1": 10, "r2": 3, "r3": 973, "r5": 0, "r6": 7, "r9": 7, "rk5": 9}
    assert not r.loc["r3", "observed"] and r.drop("r3")["observed"].all()
    assert r["group"].to_dict() == {"r1": "pre-birth", "r2": "other", "r3": "pre-birth", "r5": "other",
                                    "r6": "other", "r9": "pre-birth", "rk5": "pre-birth"}


def test_referral_to_assessment_medians_keep_the_open_wait(area):
    ch = make_chapter(area, audience="internal")
    m = waiting.medians(ch, "referral_to_assessment").set_index(["period", "group"])
    # pre-birth: 7, 9, 10 and one open at 973 -> S falls to 3/4, 1/2, 1/4: first below a half at 10 days.
    assert m.loc[("all", "pre-birth"), "median"] == 10 and m.loc[("all", "pre-birth"), "n"] == 4
    # other: 0, 3, 7 -> S = 2/3, 1/3, 0: the median is 3 days.
    assert m.loc[("all", "other"), "median"] == 3 and m.loc[("all", "other"), "n"] == 3
    # 2019/20 pre-birth: r1, r3 (open) and r9 -> 7, 10, 973+: S = 2/3, 1/3 -> 10 days.
    assert m.loc[("2019/20", "pre-birth"), "median"] == 10 and m.loc[("2019/20", "pre-birth"), "n"] == 3


def test_assessment_to_authorisation_censors_open_assessments(area):
    ch = make_chapter(area, audience="internal")
    a = waiting.assessment_waits(ch).set_index("assessment_id")
    assert a.loc["a5", "days"] == 811 and not a.loc["a5", "observed"]   # 2020-01-10 to 2022-03-31, still open
    assert a.loc["a11", "days"] == 58 and not a.loc["a11", "observed"]
    m = waiting.medians(ch, "assessment_to_authorisation").set_index(["period", "group"])
    # pre-birth: 20, 30 authorised; 58 and 659 still open -> S = 3/4 then 1/2: never below a half.
    # Dropping the open ones would give 25 days; the honest answer is "not reached".
    pre = m.loc[("all", "pre-birth")]
    assert pre["n"] == 4 and pre["events"] == 2 and math.isnan(pre["median"])
    # other: 7, 10, 20 authorised and 811 open -> S = 3/4, 1/2, 1/4: 20 days.
    assert m.loc[("all", "other"), "median"] == 20


def test_referral_to_support(area):
    ch = make_chapter(area, audience="internal")
    s = waiting.support_waits(ch).set_index("referral_id")
    assert s.loc["r1", "days"] == 19 and s.loc["r1", "observed"]
    assert s.loc["r2", "days"] == 9 and s.loc["r2", "observed"]
    assert not s.loc["r6", "observed"]  # K2's only offer came before this referral


def test_gestation_at_referral(area):
    ch = make_chapter(area, audience="internal")
    g = waiting.prebirth_referrals(ch).set_index("child_id")
    # K1: 182 days before the due date -> 40 - 26 = 14 weeks. K3 (first pre-birth referral r3):
    # 131 days -> 21.29 weeks. K5: 140 days -> exactly 20 weeks, which counts as "by 20 weeks".
    assert g["gestation_weeks"].round(4).to_dict() == {"K1": 14.0, "K3": round(40 - 131 / 7, 4), "K5": 20.0}
    waiting.gestation_table(ch)
    rows = pd.DataFrame(ch.indicators).set_index(["indicator", "period"])
    assert rows.loc[("referred_by_20_weeks_share", "all"), "numerator"] == 2
    assert rows.loc[("referred_by_20_weeks_share", "all"), "denominator"] == 3
    assert rows.loc[("referred_by_16_weeks_share", "all"), "numerator"] == 1
    assert rows.loc[("referred_by_12_weeks_share", "all"), "numerator"] == 0
    assert rows.loc[("gestation_weeks_at_referral_median", "all"), "value"] == 20.0
    assert rows.loc[("gestation_weeks_at_referral_median", "all"), "unit"] == "weeks"


def test_authorised_before_the_due_date(area):
    ch = make_chapter(area, audience="internal")
    rows = waiting.due_rows(ch).set_index("child_id")["before_due"]
    # a1 authorised 2019-10-11, due 2020-03-01: yes. a9 2019-11-21, due 2019-12-10: yes.
    # a10 still open and the due date (2020-10-19) has passed: no. a11 open, due after the data end: not known.
    assert rows.loc["K1"] and rows.loc["K3"] and not rows.loc["K5"] and pd.isna(rows.loc["K6"])
    waiting.due_table(ch)
    share = pd.DataFrame(ch.indicators).set_index(["indicator", "period"]).loc[
        ("prebirth_assessments_authorised_before_due_share", "all")]
    assert (share.numerator, share.denominator) == (2, 3)


def test_transfers_next_action_and_time_lost(area):
    ch = make_chapter(area, audience="internal")
    t = waiting.transfer_waits(ch).set_index(["child_id", "transfer_date"])
    assert t.loc[("K1", pd.Timestamp("2019-09-15")), "days"] == 5
    assert t.loc[("K2", pd.Timestamp("2019-05-20")), "days"] == 4
    late = t.loc[("K2", pd.Timestamp("2021-06-01"))]
    assert late["days"] == 303 and not late["observed"]
    lost = waiting.time_at_transfers(ch).set_index("group")
    # pre-birth: r1 (40 days to authorisation, 5 after the transfer) and r9 (27 days, no transfer).
    assert lost.loc["pre-birth", "transfer_days"] == 5 and lost.loc["pre-birth", "total_days"] == 67
    # other: r2 (23 days, 4 after the transfer) and r6 (14 days); r5's assessment is still open.
    assert lost.loc["other", "transfer_days"] == 4 and lost.loc["other", "total_days"] == 37


def test_median_ci_is_distribution_free():
    # n = 10: the 2.5% point of Binomial(10, 1/2) is 2 -> interval [x(2), x(9)], coverage 97.9%.
    result = waiting.median_ci(range(1, 11))
    assert (result["median"], result["lower"], result["upper"]) == (5.5, 2, 9)
    # fewer than 6 values: no interval
    assert math.isnan(waiting.median_ci([1, 2, 3])["lower"])


def test_km_summary_pins_the_median_when_ties_jump_over_one_half():
    # 600 waits of 4 days and 400 of 5: S jumps from 1 to 0.4 at day 4, so no time passes the
    # interval's test; the interval is the day itself.
    result = waiting.km_summary(np.r_[np.full(600, 4.0), np.full(400, 5.0)], np.ones(1000))
    assert (result["median"], result["lower"], result["upper"]) == (4, 4, 4)


def test_published_medians_from_few_waits_are_withheld(area):
    ch = make_chapter(area)  # published, min_count 6
    waiting.summary_table(ch)
    rows = pd.DataFrame(ch.indicators)
    medians = rows[rows.indicator == "days_referral_to_assessment_median"]
    assert medians["suppressed"].all() and medians["value"].isna().all()
    shown = waiting.summary_table(ch).frame
    assert set(shown["Pre-birth: median (95% CI)"]) == {"c"}


def test_without_referrals_the_chapter_says_what_to_record(area):
    ch = make_chapter({"children": area["children"]}, audience="internal")
    shown = waiting.headline(ch)
    assert "can't answer this yet" in shown.markdown and "referral" in shown.markdown
    assert waiting.summary_table(ch).markdown == ""


def test_without_transfers_or_due_dates_those_parts_say_so(area):
    tables = {k: v for k, v in area.items() if k != "transfers"}
    tables["children"] = [dict(c, expected_date_of_birth=None) for c in area["children"]]
    ch = make_chapter(tables, audience="internal")
    assert "transfer" in waiting.transfers_table(ch).markdown
    assert "expected date" in waiting.gestation_table(ch).markdown
