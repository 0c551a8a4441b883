"""Chapter 4 on hand-made data: which assessment a referral led to, waits with open episodes
censored (never dropped), gestation at referral, assessments finished before the due date and
time after transfers, each worked out by hand; what the chapter publishes (cells, relations,
indicators) and what the book's one disclosure decision withholds."""

import math

import numpy as np
import pandas as pd
import pytest

from prebirth import disclosure, present
from prebirth.chapters import waiting
from prebirth.results import Count, Measure, Share, key
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
    # pre-birth: 7, 9, 10 and one open at 973 -> S falls to 3/4, 1/2, 1/4: half the waits had ended
    # by day 9 and the curve stays at one half until day 10, so the median is the midpoint, 9.5 days.
    assert m.loc[("all", "pre-birth"), "median"] == 9.5 and m.loc[("all", "pre-birth"), "n"] == 4
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
    # other: 7, 10, 20 authorised and 811 open -> S = 3/4, 1/2 (from day 10 to 20), 1/4: (10 + 20) / 2 = 15.
    assert m.loc[("all", "other"), "median"] == 15


def test_referral_to_support(area):
    ch = make_chapter(area, audience="internal")
    s = waiting.support_waits(ch).set_index("referral_id")
    assert s.loc["r1", "days"] == 19 and s.loc["r1", "observed"]
    assert s.loc["r2", "days"] == 9 and s.loc["r2", "observed"]
    assert not s.loc["r6", "observed"]  # K2's only offer came before this referral


def test_referral_to_support_ends_at_the_next_referral_or_the_closure(area):
    # K3 is offered support on 2019-11-05, after its second referral (r9, 2019-10-25): the offer is r9's
    # (11 days). r3 (2019-08-01) is followed until r9, 85 days later, without an offer: no longer followed,
    # never "waiting" until the offer that followed another referral. r5 (K4, 2020-01-10) was closed on
    # 2020-03-01 without support: 51 days, a competing outcome, not a wait still open for two years.
    area["support"].append({"support_id": "s3", "child_id": "K3", "kind": "parenting", "offered_date": "2019-11-05"})
    for row in area["referrals"]:
        row["closed_date"] = "2020-03-01" if row["referral_id"] == "r5" else None
    ch = make_chapter(area, audience="internal")
    s = waiting.support_waits(ch).set_index("referral_id")
    assert s.loc[["r1", "r2", "r3", "r9", "r5"], ["days", "outcome"]].to_numpy().tolist() == [
        [19, 1], [9, 1], [85, 0], [11, 1], [51, 2]]
    # r6 (K2, 2020-02-01): no later offer, no later referral: followed to the data end, 2022-03-31.
    assert s.loc["r6", "days"] == 789 and s.loc["r6", "outcome"] == 0
    # Pre-birth referrals r9 (11 days, offered), r1 (19, offered), r3 (85, no longer followed), rk5 (668,
    # to the data end). By hand: day 11, 4 followed, 1 offered: F = 1/4; day 19, 3 followed: F = 1/4 +
    # 3/4 x 1/3 = 1/2; nothing more by day 90.
    result = waiting.compute(ch.prepared)
    rows = indicators(result)
    for days in (28, 90):
        assert rows.loc[(f"referral_to_support_within_{days}_days_share", "all", "pre-birth"), "value"] == \
            pytest.approx(0.5)
    # Other children: r2 (9 days, offered), r5 (51, closed without support), r6 (789, followed): F = 1/3 by
    # day 28 and still 1/3 by day 90: the closed referral counts as not offered support.
    for days in (28, 90):
        assert rows.loc[(f"referral_to_support_within_{days}_days_share", "all", "other"), "value"] == \
            pytest.approx(1 / 3)
    assert ("days_referral_to_support_median", "all", "pre-birth") not in rows.index
    assert ("days_referral_to_support_hazard_ratio", "all", "pre-birth vs other") not in rows.index


def indicators(result, published=False, min_count=6):
    decision = disclosure.decide([result], published, min_count)
    return pd.DataFrame(present.indicator_rows(result, decision)).set_index(["indicator", "period", "group"])


def test_gestation_at_referral(area):
    ch = make_chapter(area, audience="internal")
    g = waiting.prebirth_referrals(ch).set_index("child_id")
    # K1: 182 days before the due date -> 40 - 26 = 14 weeks. K3 (first pre-birth referral r3):
    # 131 days -> 21.29 weeks. K5: 140 days -> exactly 20 weeks, which counts as "by 20 weeks".
    assert g["gestation_weeks"].round(4).to_dict() == {"K1": 14.0, "K3": round(40 - 131 / 7, 4), "K5": 20.0}
    rows = indicators(waiting.compute(ch.prepared))
    assert rows.loc[("referred_by_20_weeks_share", "all", ""), "numerator"] == 2
    assert rows.loc[("referred_by_20_weeks_share", "all", ""), "denominator"] == 3
    assert rows.loc[("referred_by_16_weeks_share", "all", ""), "numerator"] == 1
    assert rows.loc[("referred_by_12_weeks_share", "all", ""), "numerator"] == 0
    assert rows.loc[("gestation_weeks_at_referral_median", "all", ""), "value"] == 20.0
    assert rows.loc[("gestation_weeks_at_referral_median", "all", ""), "unit"] == "weeks"


def test_gestation_bands_and_years_are_related(area):
    result = waiting.compute(make_chapter(area, audience="internal").prepared)
    c = lambda period, what: key("waiting", "gestation at referral", period, what)  # noqa: E731
    relations = {(rel.total, rel.parts) for rel in result.relations}
    # by 16 weeks = by 12 + the babies referred between 12 and 16 weeks; with an expected date = by 20 + after
    assert (c("all", "by 16 weeks"), (c("all", "by 12 weeks"), c("all", "12-16 weeks"))) in relations
    assert (c("all", "n"), (c("all", "by 20 weeks"), c("all", "after 20 weeks"))) in relations
    # each baby counts once, at the first pre-birth referral: 2019/20 (K1, K3) + 2020/21 (K5) = all (3)
    assert (c("all", "n"), (c("2019/20", "n"), c("2020/21", "n"), c("2021/22", "n"))) in relations
    assert result.implicit[c("all", "12-16 weeks")] == 1 and result.implicit[c("all", "after 20 weeks")] == 1


def test_authorised_before_the_due_date(area):
    ch = make_chapter(area, audience="internal")
    rows = waiting.due_rows(ch).set_index("child_id")["before_due"]
    # a1 authorised 2019-10-11, due 2020-03-01: yes. a9 2019-11-21, due 2019-12-10: yes.
    # a10 still open and the due date (2020-10-19) has passed: no. a11 open, due after the data end: not known.
    assert rows.loc["K1"] and rows.loc["K3"] and not rows.loc["K5"] and pd.isna(rows.loc["K6"])
    share = indicators(waiting.compute(ch.prepared)).loc[("prebirth_assessments_authorised_before_due_share", "all", "")]
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


def test_medians_are_measures_on_their_waits(area):
    result = waiting.compute(make_chapter(area, audience="internal").prepared)
    rows = [row for row in result.indicators if row.indicator == "days_referral_to_assessment_median"
            and row.period == "all" and row.group == "pre-birth"]
    (row,) = rows
    assert isinstance(row.cell, Measure) and row.cell.value == 9.5
    assert row.cell.on == (Count(key("waiting", "referral_to_assessment", "pre-birth", "all", "n"), 4),)
    # pre-birth waits by year: 2019/20 (r1, r3, r9) + 2020/21 (rk5) = the whole period's 4
    n = lambda period: key("waiting", "referral_to_assessment", "pre-birth", period, "n")  # noqa: E731
    assert any(rel.total == n("all") and rel.parts == (n("2019/20"), n("2020/21"), n("2021/22"))
               for rel in result.relations)


def test_published_medians_from_few_waits_are_withheld(area):
    result = waiting.compute(make_chapter(area).prepared)  # published, min_count 6
    decision = disclosure.decide([result], True, 6)
    rows = pd.DataFrame(present.indicator_rows(result, decision))
    medians = rows[rows.indicator == "days_referral_to_assessment_median"]
    assert medians["suppressed"].all() and medians["value"].isna().all()
    shown = present.table_frame(result.items["summary_table"].frame, decision)
    assert set(shown["Pre-birth: median"]) == {"c"} and set(shown["Pre-birth: 95% interval"]) == {"c"}


def other_children_waits(per_year: dict) -> dict:
    """Children (born 2010) each referred once and assessed a few days later; per_year: year start -> number."""
    kids, referrals, assessments = [], [], []
    for start, number in per_year.items():
        for i in range(number):
            cid, rid = f"C{start}-{i}", f"R{start}-{i}"
            kids.append(child(cid, "2010-01-01"))
            day = pd.Timestamp(f"{start}-05-01") + pd.Timedelta(days=i)
            referrals.append(referral(rid, cid, day.date().isoformat(), "assessment"))
            assessments.append(assessment(f"A{start}-{i}", cid, (day + pd.Timedelta(days=i % 7 + 1)).date().isoformat(),
                                          (day + pd.Timedelta(days=30)).date().isoformat(), rid))
    return {"children": kids, "referrals": referrals, "assessments": assessments}


def test_a_small_year_is_withheld_with_a_partner_so_all_minus_the_others_does_not_reveal_it():
    # other children's waits: 10 in 2019/20, 12 in 2020/21, 3 in 2021/22 (small); 25 in the whole period
    tables = other_children_waits({2019: 10, 2020: 12, 2021: 3})
    result = waiting.compute(make_chapter(tables).prepared)
    decision = disclosure.decide([result], True, 6)
    assert decision.audit["passed"]
    n = lambda period: key("waiting", "referral_to_assessment", "other", period, "n")  # noqa: E731
    assert result.implicit[n("all")] == 25
    assert n("2021/22") in decision.withheld
    assert {n("2019/20"), n("2020/21"), n("all")} & set(decision.withheld)
    shown = present.table_frame(result.items["summary_table"].frame, decision)
    # the 2021/22 median is withheld with its count, in the chart's data too
    chart = present.chart_numbers(result.items["yearly_chart"].data, decision)
    small = chart[(chart["Year"] == "2021/22") & chart["Series"].str.startswith("Other children")]
    assert small["Median days"].isna().all() and small["Waits"].isna().all()
    assert len(shown) == 2  # referral to assessment and assessment to authorisation


def test_curve_points_by_hand():
    # waits of 0, 3 and 7 days ended; 10 still open when the data ended; 30 ended.
    # Kaplan-Meier: S = 4/5 after day 0, 3/5 after day 3, 2/5 after day 7, 2/5 after 10 (censored), 0 after 30.
    points = waiting.curve_points([0, 3, 7, 10, 30], [1, 1, 1, 0, 1], at_days=(0, 7, 14, 28, 30)).set_index("time")
    assert points["survival"].round(6).tolist() == [0.8, 0.4, 0.4, 0.4, 0.0]
    assert points["ended"].tolist() == [1, 3, 3, 3, 4]
    assert points["left"].tolist() == [0, 0, 1, 1, 1]
    assert points["waiting"].tolist() == [4, 2, 1, 1, 0]
    assert (points["ended"] + points["left"] + points["waiting"] == 5).all()


def test_curve_points_rest_on_their_counts_and_are_related():
    tables = other_children_waits({2019: 10, 2020: 12, 2021: 3})
    result = waiting.compute(make_chapter(tables).prepared)
    data = result.items["curve_chart"].data
    assert list(data["Days"]) == list(waiting.CURVE_DAYS)
    c = lambda what, t: key("waiting", "assessment_to_authorisation", "other", "all", what, f"day {t}")  # noqa: E731
    point = data.set_index("Days").loc[7, "Still waiting"]
    assert {cell.key for cell in point.on} >= {c("ended", 7), c("still waiting", 7)}
    # every assessment is authorised 30 days after the referral, i.e. 22 to 29 days after it started
    decision = disclosure.decide([result], True, 6)
    shown = present.chart_numbers(data, decision).set_index("Days")
    assert shown.loc[21, "Still waiting"] == 1.0 and shown.loc[56, "Still waiting"] == 0.0
    relations = {(rel.total, rel.parts) for rel in result.relations}
    n = key("waiting", "assessment_to_authorisation", "other", "all", "n")
    assert (n, (c("ended", 28), c("open", 28), c("still waiting", 28))) in relations
    between = key("waiting", "assessment_to_authorisation", "other", "all", "ended", "days 21-28")
    assert (c("ended", 28), (c("ended", 21), between)) in relations
    assert result.implicit[c("ended", 21)] == 0 and result.implicit[c("ended", 28)] + result.implicit[
        c("still waiting", 28)] == 25


def test_without_referrals_the_chapter_says_what_to_record(area):
    result = waiting.compute(make_chapter({"children": area["children"]}, audience="internal").prepared)
    shown = present.show(result, "headline", disclosure.decide([result], False, 6))
    assert "can't answer this yet" in shown.markdown and "referral" in shown.markdown
    assert "summary_table" not in result.items and result.status == {"answer": "not yet"}


def test_without_transfers_or_due_dates_those_parts_say_so(area):
    tables = {k: v for k, v in area.items() if k != "transfers"}
    tables["children"] = [dict(c, expected_date_of_birth=None) for c in area["children"]]
    result = waiting.compute(make_chapter(tables, audience="internal").prepared)
    decision = disclosure.decide([result], False, 6)
    assert "transfer" in present.show(result, "transfers_table", decision).markdown
    assert "expected date" in present.show(result, "gestation_table", decision).markdown


def test_assessments_naming_no_referral_cin_census_like(area):
    # CIN census-like data: no assessment carries a referral id, and there are no support, transfers
    # or expected dates. Each referral is linked to the child's next assessment; the rest says what is missing.
    tables = {"children": [dict(c, expected_date_of_birth=None) for c in area["children"]],
              "referrals": area["referrals"],
              "assessments": [dict(a, referral_id=None) for a in area["assessments"]]}
    ch = make_chapter(tables, audience="internal")
    r = waiting.referral_waits(ch).set_index("referral_id")
    assert set(r["linked_by"].dropna()) == {"next assessment"}
    # r1 -> a1 (10 days), r9 -> a9 (7 days), r5 -> a5 (0 days); r6 -> a6 (7 days);
    # r2 -> a2 (3); rk5 -> a10 (9); r3 (K3, 2019-08-01) -> a9 (2019-11-01): 92 days. With no referral
    # named, K4's a5 (2020-01-10) is also the next assessment after r4 (2019-06-01, 223 days) and r7
    # (2019-12-01, 40 days), which therefore count as waits too.
    assert r["days"].to_dict() == {"r1": 10, "r2": 3, "r3": 92, "r4": 223, "r5": 0, "r6": 7, "r7": 40, "r9": 7,
                                   "rk5": 9}
    result = waiting.compute(ch.prepared)
    decision = disclosure.decide([result], False, 6)
    assert result.status == {"answer": "can answer"}
    summary = present.table_frame(result.items["summary_table"].frame, decision)
    assert list(summary["Wait"]) == ["Referral to assessment start", "Assessment start to authorisation"]
    assert "support table" in present.show(result, "support_table", decision).markdown
    assert "transfer" in present.show(result, "transfers_table", decision).markdown
    assert "expected date" in present.show(result, "gestation_table", decision).markdown


def assessment_waits_by_year(days: dict) -> dict:
    """Children each referred once and assessed the same day; ``days``: (year, group) -> the days from the
    start of each assessment to its authorisation. Pre-birth children are unborn (no date of birth)."""
    kids, referrals, assessments = [], [], []
    for (year, group), waits in days.items():
        for i, wait in enumerate(waits):
            cid = f"{group[:3]}{year}-{i}"
            kids.append(child(cid, None if group == "pre-birth" else "2010-01-01", "2030-01-01"))
            day = pd.Timestamp(f"{year}-05-01") + pd.Timedelta(days=i)
            referrals.append(referral(f"R{cid}", cid, day.date().isoformat(), "assessment"))
            assessments.append(assessment(f"A{cid}", cid, day.date().isoformat(),
                                          (day + pd.Timedelta(days=wait)).date().isoformat(), f"R{cid}",
                                          "pre-birth" if group == "pre-birth" else "child-and-family"))
    return {"children": kids, "referrals": referrals, "assessments": assessments}


def test_no_pooled_comparison_where_the_years_point_different_ways():
    # Assessment to authorisation, 6 of each group a year (report period 2019/20 to 2021/22):
    # 2019/20 pre-birth 40 days against 30 (longer); 2020/21 and 2021/22 pre-birth 20 against 30 (shorter).
    # Pooled, the pre-birth median (20) is shorter, which 2019/20 contradicts: the book says the years,
    # and no pooled comparison.
    days = {}
    for year, pre in ((2019, 40), (2020, 20), (2021, 20)):
        days[(year, "pre-birth")] = [pre] * 6
        days[(year, "other")] = [30] * 6
    result = waiting.compute(make_chapter(assessment_waits_by_year(days), audience="internal").prepared)
    decision = disclosure.decide([result], False, 6)
    headline = present.show(result, "headline", decision).markdown
    assert ("the median wait from the start of an assessment to its authorisation was shorter for babies referred "
            "before birth in 2020/21 and 2021/22; longer in 2019/20 (of 3 years") in headline
    assert "the years do not all point the same way" in headline
    assert "Over the whole period this wait" not in headline
    summary = present.table_frame(result.items["summary_table"].frame, decision).set_index("Wait")
    assert summary.loc["Assessment start to authorisation", "What it means"].startswith("not given")
    # the statistics are analyst detail, in a table of their own behind a fold
    assert "Comparison, pre-birth vs other" not in summary.columns and result.items["summary_comparison"].analyst
    compared = present.table_frame(result.items["summary_comparison"].frame, decision).set_index("Wait")
    assert compared.loc["Assessment start to authorisation", "Comparison, pre-birth vs other"].startswith("not given")


def test_hazards_that_are_not_proportional_give_the_difference_in_medians():
    # Each year, 12 pre-birth assessments: 5 authorised in 2 days, 7 in 60; 12 others in 10, 11, ..., 21 days.
    # Pre-birth waits end far sooner at first and later afterwards: the hazard ratio is not constant and
    # the proportional-hazards test rejects it, so no hazard ratio; the medians instead (by hand, pooled over
    # three years): pre-birth S = 21/36 after day 2, 0 after day 60: 60 days; other: S = 1/2 exactly from
    # day 15 to 16 (18 of 36 ended): 15.5 days. Difference 44.5 days.
    days = {}
    for year in (2019, 2020, 2021):
        days[(year, "pre-birth")] = [2] * 5 + [60] * 7
        days[(year, "other")] = list(range(10, 22))
    ch = make_chapter(assessment_waits_by_year(days), audience="internal")
    cox = waiting.comparison(ch, "assessment_to_authorisation")["cox"]
    assert cox["ph_p_value"] < waiting.PH_ALPHA
    rows = indicators(waiting.compute(ch.prepared))
    assert rows.loc[("days_assessment_to_authorisation_median_difference", "all", "pre-birth minus other"),
                    "value"] == 44.5
    assert not any(name == "days_assessment_to_authorisation_hazard_ratio" for name, _, _ in rows.index)


def test_the_page_names_the_national_timeliness_figure_without_quoting_one():
    # The CIN census publishes assessments completed within 45 working days; the page may quote a national
    # figure only from the reference table, which has none yet: it says so instead of "there are none".
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    page = (root / "notebooks" / "04_waiting_times.ipynb").read_text(encoding="utf-8")
    reference = (root / "data" / "reference" / "national_figures.csv").read_text(encoding="utf-8")
    assert "no published national figures" not in page
    assert "45 working days" in page and "does not yet set your area beside it" in page
    assert "45 working days" not in reference


# -- a plan by 32 weeks of pregnancy, and waits by weeks of pregnancy at referral -------------------

def test_authorised_by_32_weeks_of_pregnancy_by_hand(area):
    ch = make_chapter(area, audience="internal")
    rows = waiting.due_rows(ch).set_index("assessment_id")
    # 32 weeks = 56 days before the due date. a1: due 2020-03-01, so by 2020-01-05; authorised 2019-10-11: in time.
    # a9: due 2019-12-10, so by 2019-10-15; authorised 2019-11-21: too late (but before the due date).
    # a10: due 2020-10-19, so by 2020-08-24, still open when the data end (2022-03-31): not in time.
    # a11: due 2022-06-01, so by 2022-04-06, after the data end and still open: not known yet.
    assert rows["by_plan_weeks"].drop("a11").to_dict() == {"a1": True, "a9": False, "a10": False}
    assert pd.isna(rows.loc["a11", "by_plan_weeks"])
    result = waiting.compute(ch.prepared)
    frame = present.table_frame(result.items["due_table"].frame, disclosure.Decision()).set_index("Year")
    whole = frame.loc["All years"]
    assert (whole["Outcome known"], whole["Not known yet or no due date"]) == ("3", "1")
    assert whole["Authorised by 32 weeks of pregnancy"].startswith("33%")  # 1 of 3
    assert whole["Authorised before the due date"].startswith("67%")  # 2 of 3
    k = lambda what: key("waiting", "pre-birth assessments due", "all", what)  # noqa: E731
    relations = {(r.total, r.parts) for r in result.relations}
    assert (k("before"), (k("by 32 weeks"), k("after 32 weeks, before the due date"))) in relations
    assert result.implicit[k("after 32 weeks, before the due date")] == 1  # a9


def test_waits_by_weeks_of_pregnancy_at_referral_by_hand(area):
    ch = make_chapter(area, audience="internal")
    g = waiting.gestation_waits(ch).set_index("referral_id")
    # Weeks of pregnancy = 40 - days to the due date / 7. r1: 182 days before 2020-03-01 -> 14 weeks; r3: 131 days
    # before 2019-12-10 -> 21.3; r9: 46 days -> 33.4; rk5: 140 days before 2020-10-19 -> 20 weeks exactly.
    assert g["band"].to_dict() == {"r1": "before 20 weeks", "r3": "20 to 29 weeks", "r9": "30 weeks or later",
                                   "rk5": "20 to 29 weeks"}
    assert g.loc["rk5", "gestation_weeks"] == 20
    # To authorisation: r1 -> a1 authorised 2019-10-11 (40 days); r9 -> a9 2019-11-21 (27 days); r3 (no
    # assessment) and rk5 (a10 still open) are censored at the data end: 973 and 668 days.
    assert g["plan_days"].to_dict() == {"r1": 40, "r3": 973, "r9": 27, "rk5": 668}
    assert g["plan_observed"].to_dict() == {"r1": True, "r3": False, "r9": True, "rk5": False}
    result = waiting.compute(ch.prepared)
    frame = present.table_frame(result.items["gestation_waits_table"].frame, disclosure.Decision())
    frame = frame.set_index("Weeks of pregnancy at referral")
    assert frame["Referrals"].to_dict() == {"before 20 weeks": "1", "20 to 29 weeks": "2", "30 weeks or later": "1"}
    assert frame.loc["before 20 weeks", "Median days to the start of an assessment"] == "10 days"
    assert frame.loc["before 20 weeks", "Median days to its authorisation"] == "40 days"
    assert frame.loc["30 weeks or later", "Median days to the start of an assessment"] == "7 days"
    assert frame.loc["30 weeks or later", "Median days to its authorisation"] == "27 days"
    total = key("waiting", "referral_to_assessment", "pre-birth", "all", "n")
    band = lambda label: key("waiting", "referral_to_assessment", "pre-birth", "all", label, "n")  # noqa: E731
    relations = {(r.total, r.parts) for r in result.relations}
    assert (total, (band("before 20 weeks"), band("20 to 29 weeks"), band("30 weeks or later"),
                    band("no expected date"))) in relations


def test_the_bands_of_weeks_of_pregnancy_meet_without_gaps():
    weeks = pd.Series([-3.0, 19.9, 20.0, 29.9, 30.0, 45.0, np.nan])
    assert waiting.gestation_band(weeks).tolist() == [
        "before 20 weeks", "before 20 weeks", "20 to 29 weeks", "20 to 29 weeks", "30 weeks or later",
        "30 weeks or later", pd.NA]


def test_support_by_weeks_of_pregnancy_at_referral_by_hand(area):
    # K3 is offered support on 2019-11-05, after its second referral r9 (2019-10-25): r9's offer (11 days).
    # Pre-birth referrals by band (see the test above): before 20 weeks r1, offered after 19 days; 20 to 29
    # weeks r3 (followed 85 days, until r9, no offer) and rk5 (no offer, followed to the data end, 668 days);
    # 30 weeks or later r9, offered after 11 days. Within 90 days: 1 of 1, 0 of 2 (one stopped being
    # followed at day 85, one still followed), 1 of 1.
    area["support"].append({"support_id": "s3", "child_id": "K3", "kind": "parenting", "offered_date": "2019-11-05"})
    ch = make_chapter(area, audience="internal")
    g = waiting.gestation_support_waits(ch).set_index("referral_id")
    assert g["band"].to_dict() == {"r1": "before 20 weeks", "r3": "20 to 29 weeks", "r9": "30 weeks or later",
                                   "rk5": "20 to 29 weeks"}
    assert g.loc[["r1", "r3", "r9", "rk5"], ["days", "outcome"]].to_numpy().tolist() == [
        [19, 1], [85, 0], [11, 1], [668, 0]]
    result = waiting.compute(ch.prepared)
    frame = present.table_frame(result.items["gestation_waits_table"].frame, disclosure.Decision())
    frame = frame.set_index("Weeks of pregnancy at referral")
    column = "Offered support within 90 days"
    assert frame[column].to_dict() == {"before 20 weeks": "100%", "20 to 29 weeks": "0%",
                                                             "30 weeks or later": "100%"}
    k = lambda *what: key("waiting", "referral_to_support", "pre-birth", "all", *what)  # noqa: E731
    assert [result.implicit[k(band, "n")] for band in ("before 20 weeks", "20 to 29 weeks", "30 weeks or later")] \
        == [1, 2, 1]
    assert [result.implicit[k("20 to 29 weeks", what, "day 90")] for what in ("offered", "closed", "censored",
                                                                              "followed")] == [0, 0, 1, 1]
    relations = {(r.total, r.parts) for r in result.relations}
    # the bands add up to the pre-birth referrals the support section follows (the same book-wide count)
    assert (k("n"), (k("before 20 weeks", "n"), k("20 to 29 weeks", "n"), k("30 weeks or later", "n"),
                     k("no expected date", "n"))) in relations
    assert result.implicit[k("n")] == 4 and result.implicit[k("no expected date", "n")] == 0
    assert (k("20 to 29 weeks", "n"), (k("20 to 29 weeks", "offered", "day 90"), k("20 to 29 weeks", "closed", "day 90"),
                                       k("20 to 29 weeks", "censored", "day 90"),
                                       k("20 to 29 weeks", "followed", "day 90"))) in relations
    rows = indicators(result)
    assert rows.loc[("referral_to_support_within_90_days_share", "all", "pre-birth, referred at 30 weeks or later"),
                    "value"] == pytest.approx(1.0)
