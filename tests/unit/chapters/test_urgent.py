"""Chapter 5 on hand-made data: notice before the first hearing, the three cumulative shares,
the baby's age at the hearing and the not-yet paths, each worked out by hand."""

import datetime as dt

import pandas as pd
import pytest

from prebirth import disclosure, present
from prebirth.config import Period
from prebirth.chapters import urgent
from prebirth.results import Count, Share
from tests.unit.chapters.conftest import make_chapter


def published(result):
    """The result under the decision a published book (min_count 6) makes for it alone."""
    return disclosure.decide([result], True, 6)

# Report period (conftest): 2019-04-01 to 2022-03-31; urgent_days 3 (emergency) and 7 (short notice).


def child(cid, dob):
    return {"child_id": cid, "date_of_birth": dob}


def proc(pid, cid, issued, heard, application="s31"):
    return {"proceedings_id": pid, "child_id": cid, "issue_date": issued, "first_hearing_date": heard,
            "application": application}


@pytest.fixture
def area():
    kids = [child(f"N{i}", "2019-06-01") for i in range(1, 8)] + [
        child("O1", "2015-01-01"), child("O2", "2012-01-01"), child("N8", "2020-04-29")]
    procs = [
        proc("p1", "N1", "2019-06-02", "2019-06-02"),   # same day (0): same day, emergency, within 7
        proc("p2", "N2", "2019-06-03", "2019-06-05"),   # 2 days: emergency, within 7
        proc("p3", "N3", "2019-06-04", "2019-06-07"),   # 3 days: not an emergency (< 3), within 7
        proc("p4", "N4", "2019-06-05", "2019-06-12"),   # 7 days: within 7 (7 or less)
        proc("p5", "N5", "2019-06-06", "2019-06-14"),   # 8 days: longer
        proc("p6", "N6", "2019-06-06", None),           # no hearing recorded: left out
        proc("p7", "N7", "2019-06-07", "2019-06-06"),   # hearing before issue: left out
        proc("q1", "O1", "2019-09-01", "2019-09-01"),   # older child, same day
        proc("q2", "O2", "2019-10-01", "2019-10-11"),   # older child, 10 days
        # N8: an EPO heard the day it was issued, then the s31 a few days later: the first issue counts.
        proc("e8", "N8", "2020-05-01", "2020-05-01", "epo"),
        proc("p8", "N8", "2020-05-03", "2020-05-10"),
    ]
    return {"children": kids, "proceedings": procs}


def test_notice_and_cumulative_shares_by_hand(area):
    ch = make_chapter(area, audience="internal")
    t = urgent.shares(ch).set_index(["group", "period"])
    nb = t.loc[("newborns", "2019/20")]
    # newborns 2019/20: N1..N7 are newborns (issued at 1 to 6 days old); N6 (no hearing) and N7 (before issue) out.
    assert (nb.children, nb.recorded, nb.before_issue, nb.n) == (7, 6, 1, 5)
    assert (nb.same_day, nb.emergency, nb.within_short, nb.longer) == (1, 2, 4, 1)
    every = t.loc[("all children", "2019/20")]
    assert (every.n, every.same_day, every.emergency, every.within_short) == (7, 2, 3, 5)
    # N8 in 2020/21: its first issue is the EPO, heard the same day.
    assert t.loc[("newborns", "2020/21"), "same_day"] == 1 and t.loc[("newborns", "2020/21"), "n"] == 1
    assert t.loc[("newborns", "all"), "n"] == 6 and t.loc[("newborns", "all"), "within_short"] == 5


def test_indicators_recorded_for_both_groups(area):
    ch = make_chapter(area, audience="internal")
    result = urgent.compute(ch.prepared)
    rows = pd.DataFrame(present.indicator_rows(result, disclosure.Decision())).set_index(["indicator", "group", "period"])
    same = rows.loc[("hearing_same_day_share", "newborns", "2019/20")]
    assert (same.numerator, same.denominator, same.value) == (1, 5, 0.2)
    seven = rows.loc[("hearing_within_7_days_share", "all children", "2019/20")]
    assert seven.value == pytest.approx(5 / 7)
    emergency = rows.loc[("hearing_emergency_share", "newborns", "all")]
    assert (emergency.numerator, emergency.denominator) == (3, 6)  # N1, N2 and N8's EPO


def test_urgent_days_parameters_move_the_cut(area):
    ch = make_chapter(area, audience="internal", urgent_days={"emergency": 2, "short_notice": 7})
    nb = urgent.shares(ch).set_index(["group", "period"]).loc[("newborns", "2019/20")]
    assert nb.emergency == 1  # 2 days' notice is no longer under the emergency cut
    assert urgent.labels(ch.params)["emergency"] == "Under 2 days"


def test_age_at_first_hearing(area):
    ch = make_chapter(area, audience="internal")
    rows = urgent.age_rows(ch).set_index("child_id")["age_at_hearing"]
    # born 2019-06-01: N1 heard 2019-06-02 (1 day), N2 06-05 (4), N3 06-07 (6), N4 06-12 (11), N5 06-14 (13);
    # N8 born 2020-04-29, EPO heard 2020-05-01 (2 days).
    assert rows.to_dict() == {"N1": 1, "N2": 4, "N3": 6, "N4": 11, "N5": 13, "N8": 2}
    assert urgent.age_summary(ch)["median"] == 5  # (4 + 6) / 2


def test_published_shares_from_few_babies_are_withheld(area):
    ch = make_chapter(area)  # published, min_count 6
    result = urgent.compute(ch.prepared)
    decision = published(result)
    frame = present.table_frame(result.items["shares_table"].frame, decision)
    newborns = frame[frame["Children"].str.startswith("Newborns")]
    assert set(newborns["Same day"]) == {"c", "none"}  # none: 2021/22 had no newborns
    assert set(newborns["Same day: 95% interval"]) == {"c", ""}  # a share of none has no interval
    rows = pd.DataFrame(present.indicator_rows(result, decision))
    shares = rows[(rows.group == "newborns") & rows.indicator.str.endswith("_share")]
    # three shares for each of two years and the whole period, and the whole period's emergency protection orders
    assert len(shares) == 10 and shares["suppressed"].all()
    assert decision.audit["passed"]


def test_bands_table_sums_to_the_hearings(area):
    ch = make_chapter(area, audience="internal")
    result = urgent.compute(ch.prepared)
    frame = present.table_frame(result.items["bands_table"].frame, disclosure.Decision()).set_index("Year")
    assert frame.loc["2019/20"].to_dict() == {"Same day": "1", "1 to 2 days": "1", "3 to 7 days": "2",
                                              "More than 7 days": "1", "Total": "5",
                                              "Hearing not recorded or before issue": "2"}


def test_without_first_hearing_dates_the_chapter_says_what_to_record(area):
    procs = [dict(p, first_hearing_date=None) for p in area["proceedings"]]
    ch = make_chapter({"children": area["children"], "proceedings": procs}, audience="internal")
    result = urgent.compute(ch.prepared)
    shown = present.show(result, "headline", disclosure.Decision())
    assert "can't answer this yet" in shown.markdown and "first hearing" in shown.markdown
    assert present.show(result, "shares_table", disclosure.Decision()) is None  # nothing more to show


def test_without_dates_of_birth_only_all_children_are_shown(area):
    kids = [child(c["child_id"], None) for c in area["children"]]
    ch = make_chapter({"children": kids, "proceedings": area["proceedings"]}, audience="internal")
    result = urgent.compute(ch.prepared)
    internal = disclosure.Decision()
    frame = present.table_frame(result.items["shares_table"].frame, internal)
    assert set(frame["Children"]) == {"All children"}
    assert "dates of birth" in present.show(result, "headline", internal).markdown
    assert "can't answer this yet" in present.show(result, "age_table", internal).markdown


def test_cumulative_shares_and_their_bands_are_one_set_of_relations(area):
    # Newborns 2019/20 (by hand, test above): same day 1, under 3 days 2, within 7 days 4, of 5; longer 1.
    ch = make_chapter(area, audience="internal")
    result = urgent.compute(ch.prepared)
    relations = {(r.total, r.parts) for r in result.relations}
    k = lambda what: f"hearing|newborns|2019/20|{what}"  # noqa: E731
    assert (k("emergency"), (k("same_day"), k("early"))) in relations
    assert (k("within_short"), (k("emergency"), k("late"))) in relations
    assert (k("n"), (k("within_short"), k("longer"))) in relations
    assert ("proceedings|newborns|2019/20", (k("n"), k("missing"))) in relations
    assert result.implicit[k("early")] == 1 and result.implicit[k("late")] == 2


def test_a_published_book_recovers_no_band_from_the_cumulative_shares(area):
    # Every newborn count is small here: the bands table, the shares and the age table may show only what
    # leaves each small count anywhere in a range of at least six whole values.
    ch = make_chapter(area)
    result = urgent.compute(ch.prepared)
    decision = published(result)
    assert decision.audit["passed"] and decision.audit["failures"] == []
    bands = present.table_frame(result.items["bands_table"].frame, decision).set_index("Year")
    assert bands.loc["2019/20", "Same day"] == "c" and bands.loc["2019/20", "Total"] == "c"
    shown = [c for c in result.cells() if isinstance(c, Count) and not decision.hides(c)]
    assert all(c.value == 0 or c.value >= 6 for c in shown)
    shares = [c for c in result.cells() if isinstance(c, Share) and not decision.hides(c)]
    assert all(s.denominator.value - s.numerator.value in (0,) or s.denominator.value - s.numerator.value >= 6
               for s in shares)


# -- three-year periods, pre-proceedings before birth, emergency protection orders, Wales ----------

def test_three_year_periods_do_not_overlap_and_cover_every_year():
    years = [f"{y}/{(y + 1) % 100:02d}" for y in range(2014, 2024)]  # 2014/15 .. 2023/24
    assert urgent.pooled_periods(years) == [
        ("2014/15 to 2016/17", years[0:3]), ("2017/18 to 2019/20", years[3:6]),
        ("2020/21 to 2023/24", years[6:10])]  # the latest takes in the year left over
    assert [label for label, _ in urgent.pooled_periods(years[:7])] == ["2014/15 to 2016/17", "2017/18 to 2020/21"]
    assert urgent.pooled_periods(years[:6]) == [("2014/15 to 2016/17", years[0:3]), ("2017/18 to 2019/20", years[3:6])]
    assert urgent.pooled_periods(years[:2]) == []


@pytest.fixture
def six_years():
    # Babies born on the 1st, issued the next day; notice in days after each.
    born = {"B1": "2016-06-01", "B2": "2017-06-01", "B3": "2018-06-01", "B4": "2019-06-01", "B5": "2019-07-01",
            "B6": "2021-06-01"}
    notice = {"B1": 0, "B2": 5, "B3": 10, "B4": 0, "B5": 2, "B6": 7}
    kids, procs = [], []
    for cid, dob in born.items():
        issued = pd.Timestamp(dob) + pd.Timedelta(days=1)
        kids.append(child(cid, dob))
        procs.append(proc(f"p{cid}", cid, issued.date().isoformat(),
                          (issued + pd.Timedelta(days=notice[cid])).date().isoformat()))
    return {"children": kids, "proceedings": procs}, Period(start=dt.date(2016, 4, 1), end=dt.date(2022, 3, 31))


def test_three_year_periods_add_up_their_years_by_hand(six_years):
    tables, period = six_years
    result = urgent.compute(make_chapter(tables, audience="internal", period=period).prepared)
    frame = present.table_frame(result.items["pooled_table"].frame, disclosure.Decision()).set_index("Years")
    # 2016/17 to 2018/19: B1 (0 days), B2 (5), B3 (10): 1 same day, 1 under 3 days, 2 within 7 days, of 3.
    # 2019/20 to 2021/22: B4 (0), B5 (2), B6 (7): 1 same day, 2 under 3 days, 3 within 7 days, of 3.
    assert frame.loc["2016/17 to 2018/19", "First hearings recorded"] == "3"
    assert frame.loc["2016/17 to 2018/19", "Same day"] == "33%"
    assert frame.loc["2016/17 to 2018/19", "Same day: 95% interval"] == "6% to 79%"  # Wilson, 1 of 3
    assert frame.loc["2016/17 to 2018/19", "Within 7 days"] == "67%"
    assert frame.loc["2019/20 to 2021/22", "Under 3 days"] == "67%"
    assert frame.loc["2019/20 to 2021/22", "Within 7 days"] == "100%"
    relations = {(r.total, r.parts) for r in result.relations}
    k = lambda period, what: f"hearing|newborns|{period}|{what}"  # noqa: E731
    assert (k("2019/20 to 2021/22", "within_short"),
            (k("2019/20", "within_short"), k("2020/21", "within_short"), k("2021/22", "within_short"))) in relations
    assert result.implicit[k("2016/17", "n")] == 1 and result.implicit[k("2020/21", "n")] == 0


def test_a_mostly_withheld_chart_gives_way_to_a_sentence(six_years):
    tables, period = six_years
    result = urgent.compute(make_chapter(tables, period=period).prepared)  # published: every count is small
    decision = published(result)
    assert decision.audit["passed"]
    for name, words in (("shares_chart_newborns", "three-year periods below"),
                        ("pooled_chart", "Even over 3-year periods")):
        shown = present.show(result, name, decision)
        assert words in shown.html and "<img" not in shown.html, name  # the sentence, not the chart
    internal = present.show(result, "pooled_chart", disclosure.Decision())
    assert "<img" in internal.html  # nothing withheld: the chart is drawn


@pytest.fixture
def planned(area):
    # Pre-proceedings: N1 and N3 before their birth (2019-06-01), N2 after it; the others none.
    starts = {"p1": "2019-05-01", "p2": "2019-06-02", "p3": "2019-05-20"}
    procs = [dict(p, pre_proceedings_start_date=starts.get(p["proceedings_id"])) for p in area["proceedings"]]
    return {"children": area["children"], "proceedings": procs}


def test_notice_split_by_pre_proceedings_before_birth_by_hand(planned):
    ch = make_chapter(planned, audience="internal")
    t = urgent.plo_split(ch).set_index("group")
    # Before birth: N1 (0 days), N3 (3 days). Not before: N2 (2, pre-proceedings after birth), N4 (7), N5 (8),
    # N8 (its EPO heard the day it was issued). N6 (no hearing) and N7 (hearing before issue) are left out.
    assert t.loc["before birth"].to_dict() == {"n": 2, "same_day": 1, "emergency": 1, "within_short": 2}
    assert t.loc["not before birth"].to_dict() == {"n": 4, "same_day": 1, "emergency": 2, "within_short": 3}
    result = urgent.compute(ch.prepared)
    relations = {(r.total, r.parts) for r in result.relations}
    assert ("hearing|newborns|all|same_day", ("hearing|newborns|all|pre-proceedings before birth|same_day",
                                              "hearing|newborns|all|pre-proceedings not before birth|same_day")) \
        in relations
    frame = present.table_frame(result.items["plo_table"].frame, disclosure.Decision())
    assert frame["First hearings recorded"].tolist() == ["2", "4", "6"]


def test_emergency_protection_orders_by_hand(area):
    ch = make_chapter(area, audience="internal")
    t = urgent.epo_counts(ch).set_index("group")
    # N8's first application (e8) was an EPO: 1 of 8 newborns (N1..N8), 1 of 10 children in proceedings.
    assert t.loc["newborns"].to_dict() == {"children": 8, "epo": 1}
    assert t.loc["all children"].to_dict() == {"children": 10, "epo": 1}
    result = urgent.compute(ch.prepared)
    rows = pd.DataFrame(present.indicator_rows(result, disclosure.Decision())).set_index(["indicator", "group"])
    epo = rows.loc[("emergency_protection_order_share", "newborns")]
    assert (epo.numerator, epo.denominator, epo.value) == (1, 8, 0.125)


def test_a_welsh_area_reads_wales_figures_and_is_told_there_is_no_same_day_figure(area):
    ch = make_chapter(area, audience="internal", country="Wales")
    result = urgent.compute(ch.prepared)
    headline = present.show(result, "headline", disclosure.Decision()).markdown
    assert "Wales 2019/20: 74.8% within 7 days (England 86.3%)" in headline
    assert "Wales has no published figure for same-day hearings" in headline
    assert "1 in 6" not in headline  # England's same-day figure is not given as the area's own
    refs = urgent.national_references(ch)
    assert [r["label"] for r in refs] == ["Wales 2019/20: within 7 days", "England 2019/20: within 7 days"]
    assert [r["y"] for r in refs] == pytest.approx([74.8, 86.3])
    table = present.table_frame(result.items["comparison_table"].frame, disclosure.Decision())
    assert "Wales (your country)" in set(table["Area"])
    england = urgent.national_words("England")
    assert england == "England 2019/20: about 1 in 6 on the same day, 86.3% within 7 days"
