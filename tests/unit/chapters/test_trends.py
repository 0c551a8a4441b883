"""Chapter 3 (what lies behind the trends) on hand-made areas, every expectation worked out by hand."""

import datetime as dt
import math

import pandas as pd
import pytest

from prebirth.chapters import common, trends
from prebirth.config import Period
from tests.unit.chapters.conftest import make_chapter


@pytest.fixture(autouse=True)
def no_book_being_built(monkeypatch):
    """Chapters here are made by hand: the safety net a notebook sets for its published book must not leak in."""
    monkeypatch.setattr(common, "_PUBLISHED_MIN_COUNT", None)


def indicator(ch, name, period="all", group=""):
    rows = pd.DataFrame(ch.indicators)
    return rows[(rows.indicator == name) & (rows.period == period) & (rows.group == group)].iloc[0]


@pytest.mark.parametrize("text, label", [
    ("2019/20", "2019/20"), ("2019-20", "2019/20"), ("2019/2020", "2019/20"), (" 1999/00 ", "1999/00"),
    ("2019", "2019/20"),  # a calendar year sits with the financial year it starts, as live births do
    ("2019/21", None), ("Q1 2019", None), ("", None), (None, None),
])
def test_context_periods_are_placed_on_financial_years(text, label):
    assert trends.period_to_financial_year(text) == label


def test_pearson_with_its_fisher_interval_by_hand():
    # x = 1..5, y = 2, 4, 5, 4, 5: deviations (-2,-1,0,1,2) and (-2,0,1,0,1); r = 6 / sqrt(10 * 6) = 0.7746
    r, lower, upper = trends.pearson_ci([1, 2, 3, 4, 5], [2, 4, 5, 4, 5])
    assert r == pytest.approx(6 / math.sqrt(60))
    z, se = math.atanh(6 / math.sqrt(60)), 1 / math.sqrt(2)  # Fisher z = 1.0317, se = 1/sqrt(n - 3)
    assert lower == pytest.approx(math.tanh(z - 1.959964 * se), abs=1e-6)  # -0.340
    assert upper == pytest.approx(math.tanh(z + 1.959964 * se), abs=1e-6)  # 0.984


def test_critical_correlation_for_ten_points():
    # t(0.975, 8) = 2.306004; r = t / sqrt(8 + t^2) = 0.6319 (printed tables: 0.632)
    assert trends.critical_r(10) == pytest.approx(0.6319, abs=1e-4)


# -- legal route into care -------------------------------------------------------

def route_area():
    kids = [{"child_id": f"K{i}", "date_of_birth": "2019-05-01"} for i in range(1, 7)]
    kids.append({"child_id": "O1", "date_of_birth": "2010-01-01"})
    episode = lambda cid, start, ls, rne="S": {"child_id": cid, "start_date": start, "legal_status": ls,  # noqa: E731
                                               "reason_new_episode": rne}
    care = [episode("K1", "2019-06-01", "C1"), episode("K2", "2019-06-01", "V2"), episode("K3", "2019-06-01", "L2"),
            episode("K4", "2019-06-01", "L1"), episode("K5", "2019-06-01", "C2"), episode("K6", "2019-06-01", None),
            episode("K1", "2019-08-01", "C2", "P"),  # a change of placement, not a start
            episode("O1", "2019-06-01", "V2")]       # aged 9: not a baby
    return {"children": kids, "care_episodes": care}


def test_legal_route_by_hand():
    ch = make_chapter(route_area(), number=3, audience="internal")
    shown = trends.legal_route_table(ch)
    row = shown.frame.set_index("Year").loc["2019/20"]
    # six babies under one started care: C1; V2; L2 and L1; C2 and a blank status are 'other'
    assert row["Interim care order (C1)"] == "1 (17%)"
    assert row["Police or emergency protection (L1, L2)"] == "2 (33%)"
    assert row["Section 20 (V2)"] == "1 (17%)"
    assert row["Other or not recorded"] == "2 (33%)"
    assert row["All babies starting care"] == "6"
    share = indicator(ch, "infant_starters_route_share", "all", "s20")
    assert (share.numerator, share.denominator) == (1, 6)


def test_legal_route_published_hides_small_counts():
    ch = make_chapter(route_area(), number=3)
    row = trends.legal_route_table(ch).frame.set_index("Year").loc["All years"]
    assert row["Section 20 (V2)"] == "c" and row["All babies starting care"] == "6"


def test_legal_route_without_care_episodes_says_what_to_record():
    ch = make_chapter({"children": [{"child_id": "A", "date_of_birth": "2019-05-01"}]}, number=3)
    shown = trends.legal_route_table(ch)
    assert shown.kind == "notyet" and "SSDA903" in shown.markdown


# -- pre-proceedings before newborn proceedings --------------------------------------

def pp_area():
    kids = [{"child_id": c, "date_of_birth": dob} for c, dob in
            (("N1", "2019-06-10"), ("N2", "2019-07-01"), ("N3", "2019-08-01"), ("N4", "2019-09-01"),
             ("N5", "2019-10-01"), ("I1", "2019-01-01"))]
    proc = lambda pid, cid, issued, pp=None, app="s31": {  # noqa: E731
        "proceedings_id": pid, "child_id": cid, "issue_date": issued, "pre_proceedings_start_date": pp,
        "application": app}
    procs = [proc("P1", "N1", "2019-06-12", "2019-04-29"),   # 42 days = 6 weeks before the birth
             proc("P2", "N2", "2019-07-03", "2019-07-02"),   # after the birth, before the issue
             proc("P3", "N3", "2019-08-02"),                 # none
             proc("P4", "N4", "2019-09-02", None, "epo"),    # EPO first, then the s31 with its date:
             proc("P5", "N4", "2019-09-05", "2019-06-30"),   # 63 days = 9 weeks before the birth
             proc("P6", "N5", "2019-10-03", "2019-07-09"),   # 84 days = 12 weeks
             proc("P7", "I1", "2019-07-20", "2019-05-01")]   # 200 days old: not a newborn
    return {"children": kids, "proceedings": procs}


def test_pre_proceedings_before_birth_by_hand():
    ch = make_chapter(pp_area(), number=3, audience="internal")
    row = trends.pre_proceedings_table(ch).frame.set_index("Year").loc["2019/20"]
    assert row["Newborns in proceedings"] == "5"
    assert row["Pre-proceedings started before birth"].startswith("60%")  # N1, N4, N5 of 5
    assert row["Any pre-proceedings before issue"].startswith("80%")      # and N2
    assert row["Median weeks before birth (95% CI)"].startswith("9.0")    # median of 6, 9, 12
    weeks = indicator(ch, "weeks_pre_proceedings_before_birth_median", "2019/20")
    assert weeks.value == pytest.approx(9.0) and weeks.denominator == 3 and weeks.unit == "weeks"
    share = indicator(ch, "newborns_pre_proceedings_before_birth_share")
    assert (share.numerator, share.denominator) == (3, 5)


def test_pre_proceedings_published_withholds_small_numbers():
    ch = make_chapter(pp_area(), number=3)
    row = trends.pre_proceedings_table(ch).frame.set_index("Year").loc["All years"]
    assert row["Pre-proceedings started before birth"] == "c" and row["Median weeks before birth (95% CI)"] == "c"
    weeks = indicator(ch, "weeks_pre_proceedings_before_birth_median")
    assert weeks.suppressed and pd.isna(weeks.value)


def test_no_pre_proceedings_dates_is_not_yet():
    tables = pp_area()
    for row in tables["proceedings"]:
        row["pre_proceedings_start_date"] = None
    shown = trends.pre_proceedings_table(make_chapter(tables, number=3))
    assert shown.kind == "notyet" and "PPStartDate" in shown.markdown


# -- service changes and context ---------------------------------------------------------

SIX_YEARS = Period(start=dt.date(2014, 4, 1), end=dt.date(2020, 3, 31))


def step_area(context=None):
    """Newborns 10, 10, 10, 20, 20, 20 a year from 2014/15, with 10,000 live births every year."""
    kids, procs = [], []
    for i, n in enumerate([10, 10, 10, 20, 20, 20]):
        year = 2014 + i
        for k in range(n):
            cid = f"C{year}-{k}"
            born = dt.date(year, 6, 1) + dt.timedelta(days=k)
            kids.append({"child_id": cid, "date_of_birth": born.isoformat()})
            procs.append({"proceedings_id": f"P{cid}", "child_id": cid,
                          "issue_date": (born + dt.timedelta(days=2)).isoformat()})
    tables = {"children": kids, "proceedings": procs,
              "births": [{"year": 2014 + i, "live_births": 10000} for i in range(6)]}
    if context:
        tables["context"] = context
    return tables


def test_a_clean_step_is_a_doubling_in_level_and_no_change_in_trend():
    ch = make_chapter(step_area(), number=3, period=SIX_YEARS, audience="internal",
                      events=[{"date": "2017-04-01", "label": "New team"}])
    shown = trends.service_changes(ch)
    newborns = shown.frame[shown.frame["Series"] == "Newborns"].iloc[0]
    assert newborns["Service change"] == "New team (2017/18)"
    assert newborns["Years before / after"] == "3 / 3"
    level = indicator(ch, "newborn_rate_level_change", group="New team")
    slope = indicator(ch, "newborn_rate_slope_change", group="New team")
    # rates 10, 10, 10 then 20, 20, 20 per 10,000: flat, then twice as high, then flat again
    assert level.value == pytest.approx(2.0, rel=1e-6) and level.unit == "rate ratio"
    assert slope.value == pytest.approx(1.0, abs=1e-6)
    assert newborns["Change in level (95% CI)"].startswith("+100%")


def test_without_events_or_births_the_chapter_says_what_to_add():
    no_events = make_chapter(step_area(), number=3, period=SIX_YEARS)
    assert "events:" in trends.service_changes(no_events).markdown
    tables = step_area()
    del tables["births"]
    no_births = make_chapter(tables, number=3, period=SIX_YEARS, events=[{"date": "2017-04-01", "label": "x"}])
    assert "births table" in trends.service_changes(no_births).markdown


def context_rows(values, unit="%", name="child_poverty_rate"):
    return [{"period": f"{2014 + i}/{(15 + i) % 100:02d}", "indicator": name, "value": v, "unit": unit}
            for i, v in enumerate(values)]


def test_a_context_indicator_that_tracks_the_rate_correlates_fully():
    # rates 10, 10, 10, 20, 20, 20; context = 2 * rate + 1, so r = 1 in levels and in yearly changes
    context = context_rows([21, 21, 21, 41, 41, 41])
    ch = make_chapter(step_area(context), number=3, period=SIX_YEARS, audience="internal")
    row = trends.correlations(ch).frame.iloc[0]
    assert row["Years"] == 6 and row["Correlation of yearly levels (95% CI)"].startswith("1.00")
    assert row["Correlation of year-on-year changes"] == "1.00" and row["Reading"] == "moved together"
    assert indicator(ch, "context_newborn_rate_correlation", group="child_poverty_rate").value == pytest.approx(1.0)


def test_context_panels_place_years_and_withhold_small_counts_of_people():
    context = (context_rows([27, 28, 28, 29, 30, 31])
               + context_rows([40, 3, 50, 60, 70, 80], unit="children", name="s20_starts")
               + [{"period": "Q1 2019", "indicator": "caseload", "value": 18, "unit": "children per worker"}])
    ch = make_chapter(step_area(context), number=3, period=SIX_YEARS)  # published
    shown = trends.context_panels(ch)
    data = shown.data
    s20 = data[data["Series"] == "Section 20 starts (children)"]
    assert list(s20["Value"]) == ["40", "c", "50", "60", "70", "80"]
    assert "1 context row(s) have a period that is not a year" in shown.note
    assert "1 point(s) are not shown" in shown.note


def test_sparse_area_gets_not_yet_for_everything_but_the_trend():
    tables = step_area()
    del tables["births"]
    ch = make_chapter(tables, number=3, period=SIX_YEARS)
    assert trends.context_panels(ch).kind == "notyet"
    assert trends.legal_route_table(ch).kind == "notyet"
    assert trends.service_changes(ch).kind == "notyet"
    assert trends.pre_proceedings_table(ch).kind == "notyet"
    factors = trends.research_factors(ch).frame.set_index("What the research heard")
    assert factors.loc["Poverty", "In your data"] == "not yet"
    assert "newborns (no births supplied, so counts)" in trends.headline(ch).markdown


def test_without_proceedings_the_chapter_says_what_to_record():
    ch = make_chapter({"children": [{"child_id": "A", "date_of_birth": "2020-01-01"}]}, number=3)
    shown = trends.headline(ch)
    assert "can't answer this yet" in shown.markdown and "issue date" in shown.markdown
