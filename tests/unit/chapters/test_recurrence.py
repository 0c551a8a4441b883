"""Chapter 2 on hand-made data: subsequent infants, mothers in pre-birth assessment, months to the
next referral and mothers' returns, each worked out by hand; the relations the chapter declares for the
book's one disclosure decision; and the demo generator's injected answer."""

import math
import textwrap

import pandas as pd
import pytest

from prebirth import disclosure, present
from prebirth.chapters import common, recurrence
from prebirth.results import Count, Measure, Share, Text, key
from prebirth.synth import SynthSpec, generate_area
from tests.unit.chapters.conftest import make_chapter

# Report period (conftest): 2019-04-01 to 2022-03-31.


def child(cid, dob, mother=None, due=None):
    return {"child_id": cid, "mother_id": mother, "date_of_birth": dob, "expected_date_of_birth": due}


def proc(pid, cid, issued):
    return {"proceedings_id": pid, "child_id": cid, "issue_date": issued}


def mothers(*ids):
    return [{"parent_id": m, "role": "mother"} for m in ids]


@pytest.fixture
def area():
    kids = [
        child("O1", "2014-03-01", "M1"),                 # M1's older child, in proceedings in 2016
        child("B1", "2019-06-01", "M1"),                 # M1's baby: a subsequent infant
        child("T1", "2019-07-01", "M2"), child("T2", "2019-07-01", "M2"),   # twins, first proceedings
        child("S1", "2020-02-01", "M6"),                 # an EPO then s31 for the same baby
        child("A1", "2011-05-05", "M4"), child("A2", "2014-09-09", "M4"),   # M4: two earlier children
        child("B4", "2021-01-10", "M4"),                 # M4's baby: subsequent
        child("N5", "2021-02-01", "M5"),                 # newborn, no earlier proceedings
        child("U1", "2020-06-01"),                       # newborn, no mother linked
        child("O5", "2018-01-01", "M5"),                 # M5's older child, issued after N5 (not newborn)
        # unborn or born later: pre-birth assessments
        child("P1", None, "M4", "2021-11-20"), child("P2", None, "M2", "2019-11-01"),
        child("P3", "2021-09-01", "M1", "2021-09-05"), child("P5", "2021-06-20", "M5", "2021-06-20"),
        child("K9", "2016-01-01", "M5"),                 # an older child with a child-and-family assessment
    ]
    procs = [
        proc("q1", "O1", "2016-05-01"),
        proc("p1", "B1", "2019-06-03"),
        proc("p2", "T1", "2019-07-02"), proc("p3", "T2", "2019-07-02"),
        proc("p4", "S1", "2020-02-02"), proc("p5", "S1", "2020-02-05"),
        proc("q2", "A1", "2012-01-01"), proc("q3", "A2", "2015-01-01"),
        proc("p6", "B4", "2021-01-12"),
        proc("p7", "N5", "2021-02-01"),
        proc("p8", "U1", "2020-06-01"),
        proc("p9", "O5", "2021-06-01"),
    ]
    assessments = [
        {"assessment_id": "a1", "child_id": "P1", "start_date": "2021-06-01", "kind": "pre-birth"},
        {"assessment_id": "a2", "child_id": "P2", "start_date": "2019-05-01", "kind": "pre-birth"},
        {"assessment_id": "a3", "child_id": "P3", "start_date": "2021-07-01", "kind": "pre-birth"},
        {"assessment_id": "a4", "child_id": "K9", "start_date": "2021-07-01", "kind": "child-and-family"},
        {"assessment_id": "a5", "child_id": "P5", "start_date": "2021-02-01", "kind": "pre-birth"},
    ]
    referrals = [
        {"referral_id": "r1", "child_id": "P1", "referral_date": "2021-05-01"},
        {"referral_id": "r2", "child_id": "P2", "referral_date": "2019-04-10"},
        {"referral_id": "r3", "child_id": "P3", "referral_date": "2021-06-15"},
        {"referral_id": "r5", "child_id": "P5", "referral_date": "2021-01-20"},
        {"referral_id": "r9", "child_id": "K9", "referral_date": "2022-03-31"},  # the data end here
    ]
    return {"children": kids, "parents": mothers("M1", "M2", "M4", "M5", "M6"), "proceedings": procs,
            "assessments": assessments, "referrals": referrals}


def result_of(tables, **parameters):
    ch = make_chapter(tables, **parameters)
    return ch, recurrence.compute(ch.prepared)


def indicators(result, published=False):
    decision = disclosure.decide([result], published, 6)
    return pd.DataFrame(present.indicator_rows(result, decision))


def table(result, name, published=False):
    decision = disclosure.decide([result], published, 6)
    return present.table_frame(result.items[name].frame, decision)


def test_subsequent_infants_by_year_by_hand(area):
    ch = make_chapter(area, audience="internal")
    t = recurrence.subsequent_yearly(ch).set_index("period")
    # 2019/20 newborns: B1 (subsequent: M1's O1 in 2016), T1 and T2 (twins, same day: not subsequent),
    # S1 (first issue the EPO, 1 day old; its earlier row is about S1 itself: not subsequent).
    assert (t.loc["2019/20", "newborns"], t.loc["2019/20", "subsequent"]) == (4, 1)
    # 2020/21: U1 (no mother), B4 (M4 had proceedings in 2012 and 2015: subsequent), N5 (none earlier).
    assert (t.loc["2020/21", "newborns"], t.loc["2020/21", "subsequent"], t.loc["2020/21", "mother_known"]) == (3, 1, 2)
    # 2021/22: O5 is 3 years old, not a newborn.
    assert t.loc["2021/22", "newborns"] == 0
    assert (t.loc["all", "newborns"], t.loc["all", "subsequent"]) == (7, 2)
    assert t.loc["all", "share"] == pytest.approx(2 / 7)


def test_subsequent_table_cells_by_hand(area):
    _, r = result_of(area, audience="internal")
    frame = r.items["subsequent_table"].frame.set_index("Year")
    assert frame.loc["All years", "Newborns in proceedings (under 7 days)"] == Count(key("proceedings", "newborns", "all"), 7)
    assert frame.loc["2019/20", "Subsequent infants"] == Count(key("recurrence", "subsequent infants", "2019/20"), 1)
    assert frame.loc["2020/21", "Newborns with no mother linked"].value == 1  # U1
    share = frame.loc["All years", "Share of newborns (95% CI)"]
    assert isinstance(share, Share) and share.value == pytest.approx(2 / 7)
    shown = table(r, "subsequent_table").set_index("Year")
    assert shown.loc["2021/22", "Share of newborns"] == "none"  # no newborns that year
    assert shown.loc["2021/22", "95% interval"] == ""
    assert shown.loc["2019/20", "Share of newborns"] == "25%"
    assert shown.loc["2019/20", "95% interval"] == "5% to 70%"


def test_subsequent_share_recorded_for_each_year_and_all(area):
    _, r = result_of(area, audience="internal")
    rows = indicators(r)
    share = rows[rows.indicator == "newborns_subsequent_share"].set_index("period")
    assert share.loc["all", "numerator"] == 2 and share.loc["all", "denominator"] == 7
    assert share.loc["2019/20", "value"] == pytest.approx(0.25)
    assert "2021/22" not in share.index  # no newborns: no share to record
    assert share.loc["all", "lower"] < 2 / 7 < share.loc["all", "upper"]


def test_newborns_relations_by_hand(area):
    _, r = result_of(area, audience="internal")
    relations = {(rel.total, rel.parts) for rel in r.relations}
    # newborns = subsequent + first-time (2020/21: 3 = 1 + 2); first-time = no mother linked + linked (2 = 1 + 1)
    first = key("recurrence", "first-time newborns", "2020/21")
    assert (key("proceedings", "newborns", "2020/21"), (key("recurrence", "subsequent infants", "2020/21"), first)) \
        in relations
    assert r.implicit[first] == 2
    linked = key("recurrence", "first-time newborns with a mother linked", "2020/21")
    assert (first, (key("recurrence", "newborns with no mother linked", "2020/21"), linked)) in relations
    # 2019/20: no newborn without a mother, so no such relation (it would say nothing)
    assert not [rel for rel in r.relations if rel.total == key("recurrence", "first-time newborns", "2019/20")]
    assert r.implicit[key("recurrence", "first-time newborns with a mother linked", "2020/21")] == 1
    # each baby is a newborn in one year only here: the years add up to the whole period (4 + 3 + 0 = 7)
    assert (key("proceedings", "newborns", "all"),
            tuple(key("proceedings", "newborns", y) for y in ("2019/20", "2020/21", "2021/22"))) in relations


def test_prebirth_assessments_with_previous_proceedings(area):
    ch, r = result_of(area, audience="internal")
    rows = recurrence.prebirth_rows(ch).set_index("child_id")
    # P1: M4's B4 was issued 2021-01-12, before the assessment (2021-06-01) -> yes.
    # P2: M2's twins were issued 2019-07-02, after the assessment (2019-05-01) -> no.
    # P3: M1's O1 (2016) and B1 (2019) came first -> yes, the most recent being 2019-06-03.
    # P5: M5's N5 was issued 2021-02-01, the same day the assessment started: not *before* -> no.
    # K9's child-and-family assessment is not a pre-birth assessment.
    assert sorted(rows.index) == ["P1", "P2", "P3", "P5"]
    assert rows["previous"].to_dict() == {"P1": True, "P2": False, "P3": True, "P5": False}
    assert rows.loc["P3", "previous_issue"] == pd.Timestamp("2019-06-03")
    share = indicators(r).set_index(["indicator", "period"]).loc[
        ("prebirth_assessments_previous_proceedings_share", "all")]
    assert (share.numerator, share.denominator, share.value) == (2, 4, 0.5)
    assert present.glued(r, disclosure.decide([r], False, 6))["ch2_prebirth_previous_share_all"] == "50%"


def test_months_from_previous_proceedings_to_the_referral(area):
    ch, r = result_of(area, audience="internal")
    rows = recurrence.months_rows(ch).set_index("child_id")
    # P1: 2021-01-12 -> 2021-05-01 is 109 days = 3.581 months (days / 30.4375).
    # P3: 2019-06-03 -> 2021-06-15 is 743 days = 24.411 months. P2 and P5: no earlier proceedings.
    assert sorted(rows.index) == ["P1", "P3"]
    assert rows.loc["P1", "months"] == pytest.approx(109 / 30.4375)
    assert rows.loc["P3", "months"] == pytest.approx(743 / 30.4375)
    median = indicators(r).set_index(["indicator", "period"]).loc[("months_previous_to_referral_median", "all")]
    assert median.value == pytest.approx((109 + 743) / 2 / 30.4375)  # 13.996 months
    assert median.denominator == 2 and median.unit == "months"
    # bands: P1 under 1 year, P3 2 to 3 years; they add up to the 2 babies
    bands = table(r, "months_table").set_index("Time since the earlier proceedings")
    assert bands["Babies"].to_dict() == {"under 1 year": "1", "1 to 2 years": "0", "2 to 3 years": "1",
                                         "3 to 5 years": "0", "5 years or more": "0", "All": "2"}
    assert bands.loc["under 1 year", "Share"] == "50%"
    decision = disclosure.decide([r], False, 6)
    assert present.glued(r, decision)["ch2_months_median"] == "14 months"
    assert present.text(r.items["months_median"], decision) == "The median time was 14 months."  # no interval of 2


def test_mothers_return_by_kaplan_meier(area):
    ch, r = result_of(area, audience="internal")
    m = recurrence.mother_returns(ch).set_index("mother_id")
    # First recorded proceedings in the period: M2 (twins 2019-07-02), M6 (S1 2020-02-02), M5 (N5 2021-02-01).
    # M1 and M4 first appear before the period. M5 returns with O5 on 2021-06-01 (120 days);
    # S1's second application is about the same baby: M6 has not returned. The data end 2022-03-31.
    assert sorted(m.index) == ["M2", "M5", "M6"]
    assert m["returned"].to_dict() == {"M2": False, "M5": True, "M6": False}
    assert m.loc["M5", "years"] == pytest.approx(120 / 365.25)
    assert m.loc["M2", "years"] == pytest.approx(1003 / 365.25)  # censored at the data end
    summary = recurrence.return_summary(ch).set_index("years")
    # KM: one of three returns at 0.33 years, the others still followed -> 1/3 within one and two years.
    assert summary.loc[1, "returned_share"] == pytest.approx(1 / 3)
    assert summary.loc[2, "returned_share"] == pytest.approx(1 / 3)
    assert summary.loc[2, "followed"] == 2 and summary.loc[3, "followed"] == 0
    # M6 followed 2020-02-02 -> 2022-03-31 (788 days, 2.16 years), M2 1003 days (2.75 years): by 3 years
    # both are no longer followed; M5 returned. Mothers = followed + returned + no longer followed.
    assert (summary.loc[3, "returned"], summary.loc[3, "censored"]) == (1, 2)
    assert (summary.loc[1, "between"], summary.loc[2, "between"]) == (1, 0)
    point = r.items["return_chart"].data.set_index("Within").loc["2 years", "Mothers back in proceedings (95% CI)"]
    assert isinstance(point, Measure) and point.value == pytest.approx(1 / 3)
    # the point rests on the mothers back by then (1), still followed (2), back since 1 year (0) and all mothers (3)
    assert [c.value for c in point.on] == [1, 2, 0, 3]
    assert present.glued(r, disclosure.decide([r], False, 6))["ch2_returned_within_2_years"] == "33%"


def test_published_build_withholds_small_counts(area):
    _, r = result_of(area)  # published, min_count 6: every count here is small but the 7 newborns
    decision = disclosure.decide([r], True, 6)
    assert decision.audit["passed"]
    shown = present.table_frame(r.items["subsequent_table"].frame, decision)
    assert set(shown["Subsequent infants"]) <= {"c", "0"}
    rows = pd.DataFrame(present.indicator_rows(r, decision))
    assert rows[rows.indicator == "newborns_subsequent_share"]["suppressed"].all()
    assert rows[rows.indicator == "newborns_subsequent_share"]["value"].isna().all()
    # every point of the return curve rests on 3 mothers: withheld, and so is the glued figure
    chart = present.chart_numbers(r.items["return_chart"].data, decision)
    assert chart["Mothers back in proceedings (95% CI)"].isna().all()
    assert present.glued(r, decision)["ch2_returned_within_7_years"] == "c"
    assert "c newborn(s) have no mother linked" in present.show(r, "headline", decision).markdown


def big_year_area(small: int):
    """Newborns in three years: 10 in 2019/20 (6 subsequent), ``small`` in 2020/21 (none subsequent), 12 in
    2021/22 (7 subsequent); every mother with an older child in proceedings in 2015 when subsequent."""
    kids, procs, n = [], [], 0
    for year, count, subsequent in ((2019, 10, 6), (2020, small, 0), (2021, 12, 7)):
        for i in range(count):
            n += 1
            mother = f"M{n}"
            kids.append(child(f"B{n}", f"{year}-06-01", mother))
            procs.append(proc(f"p{n}", f"B{n}", f"{year}-06-02"))
            if i < subsequent:
                kids.append(child(f"O{n}", "2013-01-01", mother))
                procs.append(proc(f"q{n}", f"O{n}", "2015-01-01"))
    return {"children": kids, "proceedings": procs,
            "parents": [{"parent_id": f"M{i}", "role": "mother"} for i in range(1, n + 1)]}


def test_a_small_year_cannot_be_worked_out_from_the_whole_period():
    _, r = result_of(big_year_area(3))
    decision = disclosure.decide([r], True, 6)
    assert decision.audit["passed"]
    small = key("proceedings", "newborns", "2020/21")
    assert small in decision.withheld  # 3 newborns
    # all = 10 + 3 + 12 = 25: with the other years and the whole period shown, 3 would follow; a partner goes too
    partners = {key("proceedings", "newborns", p) for p in ("2019/20", "2021/22", "all")}
    assert decision.withheld & partners
    shown = table(r, "subsequent_table", published=True).set_index("Year")
    column = "Newborns in proceedings (under 7 days)"
    assert shown.loc["2020/21", column] == "c"
    assert (shown[column] == "c").sum() >= 2


def test_headline_says_the_count_when_only_the_newborns_are_withheld():
    # Another chapter's relations may withhold the newborns of the whole period (25) while the 13 subsequent
    # infants stay shown: the headline then gives the count without the share.
    _, r = result_of(big_year_area(3))
    decision = disclosure.Decision(True, 6, frozenset({key("proceedings", "newborns", "all")}))
    assert present.show(r, "headline", decision).markdown == (
        "Over the whole period, 13 newborn babies in care proceedings were subsequent infants: their mother had been "
        "in earlier proceedings about an older child.")
    both = disclosure.Decision(True, 6, frozenset({key("proceedings", "newborns", "all"),
                                                   key("recurrence", "subsequent infants", "all")}))
    assert "too small to publish" in present.show(r, "headline", both).markdown


def test_the_share_of_a_year_whose_rest_is_small_is_withheld():
    # 2021/22: 12 newborns, 7 subsequent, 5 first-time: the rest (5) is small, so the share goes.
    _, r = result_of(big_year_area(8))
    decision = disclosure.decide([r], True, 6)
    assert decision.audit["passed"]
    shown = table(r, "subsequent_table", published=True).set_index("Year")
    assert shown.loc["2021/22", "Share of newborns"] == "c" and shown.loc["2021/22", "95% interval"] == "c"
    # 12 and 7 both shown would give the 5 away: one of them is withheld too
    assert {key("proceedings", "newborns", "2021/22"), key("recurrence", "subsequent infants", "2021/22")} \
        & decision.withheld


def test_no_mother_ids_means_not_yet():
    _, r = result_of({"children": [child("A", "2020-01-01")], "proceedings": [proc("p", "A", "2020-01-02")]},
                     audience="internal")
    shown = present.show(r, "headline", disclosure.decide([r], False, 6))
    assert "can't answer this yet" in shown.markdown and "mother's id" in shown.markdown
    assert list(r.items) == ["headline"]  # nothing more to show
    assert r.status == {"answer": "not yet"} and not r.indicators


def test_without_assessments_or_referrals_those_parts_say_what_to_record(area):
    tables = {k: v for k, v in area.items() if k not in ("assessments", "referrals")}
    _, r = result_of(tables, audience="internal")
    decision = disclosure.decide([r], False, 6)
    assert "can't answer this yet" in present.show(r, "prebirth_table", decision).markdown
    assert "referral" in present.show(r, "months_table", decision).markdown
    assert "subsequent infants" in present.show(r, "headline", decision).markdown
    assert "months_median" not in r.items and r.status == {"answer": "partly"}


def test_injected_subsequent_infant_share_is_recovered(tmp_path):
    """The generator makes exactly round(0.4 n) of n newborns subsequent; the chapter must find them all."""
    spec = SynthSpec(subsequent_infant_share=0.4, tables=("children", "proceedings"), births_per_year=2000, years=6,
                     seed=11)
    made = generate_area(spec, tmp_path / "data")
    yml = tmp_path / "area.yml"
    yml.write_text(textwrap.dedent(f"""\
        area_code: {spec.area_code}
        area_name: Injected
        data: data/
        period: {{start: {spec.period_start}, end: {spec.period_end}}}
        audience: internal
        """))
    ch = common.Chapter(2, "recurrent_proceedings", common.prepare(yml))
    total = recurrence.subsequent_yearly(ch).set_index("period").loc["all"]
    truth = made.truth
    assert total["newborns"] == truth["newborns"] == truth["newborns_designed"]
    assert total["subsequent"] == truth["subsequent_newborns"] == truth["subsequent_newborns_designed"]
    assert total["subsequent"] == math.floor(0.4 * total["newborns"] + 0.5)  # 40%, to the nearest baby
    assert abs(total["share"] - 0.4) <= 0.5 / total["newborns"]


def test_no_mother_has_returned_yet():
    # One mother, one set of proceedings in the period, nothing after: followed (censored), never returned.
    ch, r = result_of({
        "children": [{"child_id": "C1", "mother_id": "M1", "date_of_birth": "2020-01-01"}],
        "proceedings": [{"proceedings_id": "P1", "child_id": "C1", "issue_date": "2020-01-03"}],
    })
    returns = recurrence.mother_returns(ch)
    assert list(returns.mother_id) == ["M1"] and not returns.returned.any()
    assert returns.returned_on.isna().all()
    assert returns.years.iloc[0] == 0  # the data end on the issue date itself
    assert "none has returned" in present.show(r, "return_chart", disclosure.decide([r], True, 6)).markdown


def test_no_return_within_a_year_is_said_as_none(area):
    # M5 returned after 120 days with O5: issue O5's proceedings on 2022-03-01 instead (393 days after N5's)
    import matplotlib.pyplot as plt

    procs = [p for p in area["proceedings"] if p["proceedings_id"] != "p9"] + [proc("p9", "O5", "2022-03-01")]
    _, r = result_of(dict(area, proceedings=procs), audience="internal")
    decision = disclosure.decide([r], False, 6)
    chart = r.items["return_chart"]
    shown = present.table_frame(chart.data, decision).set_index("Within")
    assert shown.loc["1 year", "Mothers back in proceedings"] == "none"
    assert shown.loc["1 year", "95% interval"] == ""
    assert shown.loc["2 years", "Mothers back in proceedings"] != "none"
    assert chart.options["none_back"] == [1]  # drawn at 0, not left out as if withheld
    plt.close(chart.draw(present.chart_numbers(chart.data, decision), **chart.options))


# -- issue 16, Q2: pre-birth cases that end in court, support after separation, the contrast, Wales -----------

@pytest.fixture
def court_area():
    """Babies with a pre-birth assessment followed to their first birthday, and mothers whose child was removed.

    The data end on 2022-03-31 (the last referral)."""
    kids = [
        child("OA", "2014-01-01", "MA"), child("A1", "2019-10-01", "MA"),   # MA: earlier proceedings (2015)
        child("OB", "2015-01-01", "MB"), child("B1", "2020-01-01", "MB"),   # MB: earlier proceedings (2016)
        child("C1", "2020-02-01", "MC"), child("D1", "2019-12-01", "MD"),
        child("E1", "2021-12-01", "ME"), child("U1", "2020-03-01"),          # U1: no mother linked
        child("F1", "2019-05-01", "MF"), child("F2", "2021-09-03", "MF", "2021-09-01"),
        child("G1", "2019-06-01", "MG"), child("G2", "2021-03-01", "MG"),
        child("H1", "2019-07-01", "MH"), child("H2", "2020-09-01", "MH", "2020-09-01"),
    ]

    def p(pid, cid, issued, outcome=None):
        return {"proceedings_id": pid, "child_id": cid, "issue_date": issued, "final_outcome": outcome}

    procs = [p("qa", "OA", "2015-01-01", "care_order"), p("qb", "OB", "2016-01-01", "care_order"),
             p("pa", "A1", "2019-10-02", "care_order"),
             p("pc", "C1", "2021-03-01", "supervision_order"),   # after C1's first birthday (2021-02-01)
             p("pd", "D1", "2020-06-01", "care_order"),
             p("pf", "F1", "2019-05-02", "placement_order"), p("pf2", "F2", "2021-09-05"),
             p("pg", "G1", "2019-06-02", "sgo"),
             p("ph", "H1", "2019-07-02", "care_order"), p("ph2", "H2", "2020-09-02")]
    assessments = [{"assessment_id": f"a{c}", "child_id": c, "start_date": start, "kind": "pre-birth"}
                   for c, start in (("A1", "2019-07-01"), ("B1", "2019-09-01"), ("C1", "2019-11-01"),
                                    ("D1", "2019-08-01"), ("E1", "2021-08-01"), ("U1", "2019-12-01"))]
    support = [
        {"support_id": "s1", "child_id": "F1", "kind": "post_separation", "offered_date": "2019-12-01",
         "parent_id": "MF"},
        {"support_id": "s2", "child_id": "G1", "kind": "post_separation", "offered_date": "2021-01-10"},  # no parent
        {"support_id": "s3", "child_id": "H1", "kind": "parenting", "offered_date": "2019-08-01", "parent_id": "MH"},
        {"support_id": "s4", "child_id": "H1", "kind": "post_separation", "offered_date": "2019-06-01",
         "parent_id": "MH"},  # before MH's proceedings were issued: not support after separation
    ]
    referrals = [{"referral_id": "r1", "child_id": "E1", "referral_date": "2022-03-31"}]
    return {"children": kids, "parents": mothers("MA", "MB", "MC", "MD", "ME", "MF", "MG", "MH"),
            "proceedings": procs, "assessments": assessments, "support": support, "referrals": referrals}


def test_prebirth_cases_that_end_in_proceedings_by_hand(court_area):
    ch, r = result_of(court_area, audience="internal")
    rows = recurrence.prebirth_outcomes(ch).set_index("child_id")
    # Followed to the first birthday by 2022-03-31: A1, B1, C1, D1, U1; E1 (born 2021-12-01) is not yet one.
    assert sorted(rows.index[rows["followed"]]) == ["A1", "B1", "C1", "D1", "U1"]
    # A1 (issued the day after birth) and D1 (at 6 months) came to court before their first birthday; C1 only
    # after it (2021-03-01, first birthday 2021-02-01).
    assert rows["proceedings"].to_dict() == {"A1": True, "B1": False, "C1": False, "D1": True, "E1": False,
                                             "U1": False}
    shown = table(r, "prebirth_outcome_table").set_index("Babies with a pre-birth assessment")
    # earlier proceedings: A1, B1 -> 1 of 2 (50%); none found: C1, D1, U1 -> 1 of 3 (33%); all: 2 of 5 (40%)
    assert shown["Babies followed to their first birthday"].to_dict() == {
        "Mother had earlier proceedings": "2", "No earlier proceedings found": "3", "All babies followed": "5"}
    assert shown["In care proceedings before their first birthday"].to_list() == ["1", "1", "2"]
    assert shown.loc["Mother had earlier proceedings", "Share"] == "50%"
    assert shown.loc["Mother had earlier proceedings", "95% interval"] == "9% to 91%"  # as worked out below
    assert shown.loc["No earlier proceedings found", "Share"] == "33%"
    rows = indicators(r)
    share = rows[(rows.indicator == "prebirth_assessment_to_proceedings_share")
                 & (rows.group == "mother had earlier proceedings")].iloc[0]
    assert (share.numerator, share.denominator) == (1, 2)
    # Wilson 95% interval for 1 of 2: centre (1 + 1.92)/(2 + 3.84), half-width 1.96 sqrt(0.5 + 0.96)/5.84 -> 9.5% to 90.5%
    assert share.lower == pytest.approx(0.0945, abs=5e-4) and share.upper == pytest.approx(0.9055, abs=5e-4)
    relations = {(rel.total, rel.parts) for rel in r.relations}
    total = key("recurrence", "prebirth assessment followed to age one", "all")
    assert (total, (key("recurrence", "prebirth assessment followed to age one", "previous"),
                    key("recurrence", "prebirth assessment followed to age one", "none"))) in relations
    found = [f for f in r.findings if f.indicator == "prebirth_assessment_to_proceedings_share"]
    assert found and found[0].main
    said = present.text(found[0].text, disclosure.decide([r], False, 6))
    assert said == ("Where the mother had been in care proceedings before, 50% of babies with a pre-birth assessment "
                    "(1 in 2) were in care proceedings before their first birthday, against 33% where she had not.")


def test_support_after_separation_by_hand(court_area):
    ch, r = result_of(court_area, audience="internal")
    table_ = recurrence.separation_support(ch).set_index("mother_id")
    # First recorded proceedings in the period ending with the child living apart: MD (care order), MF (placement
    # order), MG (special guardianship), MH (care order). MC's ended in a supervision order; MA and MB first came
    # to court before the period.
    assert sorted(table_.index) == ["MD", "MF", "MG", "MH"]
    # MF: offered to her on 2019-12-01. MG: on G1's record with no parent named, 2021-01-10. MH: a parenting
    # offer, and a post-separation offer dated before her proceedings were issued: neither counts.
    assert table_.loc["MF", "support_on"] == pd.Timestamp("2019-12-01")
    assert table_.loc["MG", "support_on"] == pd.Timestamp("2021-01-10")
    assert table_["support_on"].isna().to_dict() == {"MD": True, "MF": False, "MG": False, "MH": True}
    # F2 expected 2021-09-01: pregnancy from 2020-11-25 (280 days before). G2 has no expected date: from its birth.
    assert table_.loc["MF", "pregnancy_start"] == pd.Timestamp("2020-11-25")
    assert table_.loc["MG", "pregnancy_start"] == pd.Timestamp("2021-03-01") - pd.Timedelta(days=280)
    n = recurrence.separation_support_counts(table_.reset_index())
    # MF before the pregnancy (2019-12-01 < 2020-11-25); MG during it (2021-01-10, pregnancy from 2020-05-25,
    # birth 2021-03-01); MH none before H2's birth. Back in court: MF (F2, 2021-09-05, after her support) and MH.
    assert n == {"mothers": 4, "supported": 2, "next_baby": 3, "before_pregnancy": 1, "during_pregnancy": 1,
                 "none_before_birth": 1, "returned": 2, "supported_before_return": 1}
    shown = table(r, "separation_support_table").set_index("Mothers")
    assert shown["Number"].to_list() == ["4", "2", "3", "1", "1", "1", "2", "1"]
    assert shown.iloc[1]["Share"] == "50%" and shown.iloc[1]["95% interval"] == "15% to 85%"  # 2 of 4 mothers (Wilson)
    assert shown.iloc[3]["Share"] == "33%"  # 1 of the 3 with another baby
    relations = {(rel.total, rel.parts) for rel in r.relations}
    c = lambda name: key("recurrence", "separated mothers", name)  # noqa: E731
    assert (c("next_baby"), (c("before_pregnancy"), c("during_pregnancy"), c("none_before_birth"))) in relations
    assert (c("mothers"), (c("supported"), c("no support recorded"))) in relations
    found = [f for f in r.findings if f.main and "after separation" in f.text.template]
    said = present.text(found[0].text, disclosure.decide([r], False, 6))
    assert said == ("Support after separation was recorded for 50% of mothers whose child was removed by their first "
                    "proceedings in the period (1 in 2); of the 3 who had another baby, 33% were offered it before "
                    "that pregnancy began.")


def test_support_after_separation_is_withheld_in_a_published_build(court_area):
    _, r = result_of(court_area)  # published, min_count 6: every number here is small
    decision = disclosure.decide([r], True, 6)
    assert decision.audit["passed"]
    shown = present.table_frame(r.items["separation_support_table"].frame, decision)
    assert set(shown["Number"]) <= {"c", "0"}
    assert not [f for f in r.findings if f.main and "after separation" in f.text.template
                and present.text(f.text, decision)]


def test_without_final_outcomes_support_after_separation_says_what_to_record(area):
    _, r = result_of(area, audience="internal")
    shown = present.show(r, "separation_support_table", disclosure.decide([r], False, 6))
    assert "can't answer this yet" in shown.markdown and "final_outcome" in shown.markdown


def test_the_contrast_is_said_plainly_when_the_intervals_do_not_overlap():
    from prebirth.results import ChapterResult

    r = ChapterResult(2, "recurrent_proceedings")
    newborns = Share.of(Count(key("recurrence", "subsequent infants", "all"), 50), Count(key("proceedings", "newborns", "all"), 100))
    prebirth = Share.of(Count("x", 10), Count("y", 100))  # 50% (40% to 60%) against 10% (6% to 17%)
    r.glue.update(ch2_subsequent_share_all=newborns, ch2_prebirth_previous_share_all=prebirth)
    recurrence._contrast(r, None)
    decision = disclosure.Decision(False, 6, frozenset())
    said = present.show(r, "contrast", decision).markdown
    assert said.startswith("Mothers who had been in care proceedings before were the mothers of only 10% of babies "
                           "with a pre-birth assessment, but of 50% of newborns in care proceedings.")
    assert [f.main for f in r.findings] == [True]


def test_no_contrast_claimed_when_the_shares_overlap(area):
    # 2 of 7 newborns (29%, 8% to 64%) against 2 of 4 pre-birth babies (50%, 15% to 85%): no clear difference
    _, r = result_of(area, audience="internal")
    said = present.show(r, "contrast", disclosure.decide([r], False, 6)).markdown
    assert "29%" in said and "50%" in said and "no clear difference" in said and "only" not in said


def test_the_return_figure_is_never_beside_one_in_five_without_the_caveat(area):
    _, r = result_of(area, audience="internal")
    decision = disclosure.decide([r], False, 6)
    said = [present.text(f.text, decision) for f in r.findings]
    beside = [s for s in said if "one in five" in s]
    assert beside and all("other areas" in s for s in beside)


@pytest.mark.parametrize("country, national", [
    ("England", "in England the figure was 47% (2012/13 to 2016/17)."),
    ("Wales", "in Wales the figure was 49% (2016 to 2018, counting babies under two weeks old, a different "
              "definition from this book's under 7 days)."),
])
def test_the_national_subsequent_figure_is_the_area_countrys(area, country, national):
    # Broadhurst et al. (2018): 47% in England 2012/13 to 2016/17; Alrouh et al. (2019): 49% in Wales 2016-2018
    _, r = result_of(area, audience="internal", country=country)
    decision = disclosure.decide([r], False, 6)
    main = [present.text(f.text, decision) for f in r.findings if f.indicator == "newborns_subsequent_share"]
    # 2 of 7 = 28.6%: neither 1 in 3 nor 1 in 4 is within a tenth of it, so in tenths
    assert main == ["29% of newborns in care proceedings (about 3 in 10) had a mother who had been in earlier proceedings "
                    "about an older child; " + national]
    chart = r.items["subsequent_chart"]
    assert chart.options["england"] == (0.47 if country == "England" else 0.49)
    assert chart.options["national_label"].startswith(country)


def test_chapter_two_has_three_to_five_main_points(area, court_area):
    for tables in (area, court_area):
        _, r = result_of(tables, audience="internal")
        assert 3 <= sum(f.main for f in r.findings) <= 5


def test_support_after_separation_when_no_mother_had_another_baby(court_area):
    # Without F2, G2 and H2 no mother whose child was removed had a later baby: none is followed to one, and the
    # chapter is still built (it once failed on mapping an empty series of dates).
    later = {"F2", "G2", "H2"}
    area = {name: [row for row in rows if row.get("child_id") not in later] for name, rows in court_area.items()}
    ch, r = result_of(area, audience="internal")
    table_ = recurrence.separation_support(ch)
    assert sorted(table_["mother_id"]) == ["MD", "MF", "MG", "MH"]
    assert table_["next_birth"].isna().all() and table_["pregnancy_start"].isna().all()
    assert str(table_["next_birth"].dtype).startswith("datetime64")
