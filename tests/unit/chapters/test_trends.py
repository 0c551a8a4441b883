"""Chapter 3 (what lies behind the trends) on hand-made areas, every expectation worked out by hand."""

import datetime as dt
import math

import pandas as pd
import pytest

from prebirth import disclosure, present
from prebirth.chapters import trends
from prebirth.config import Period
from prebirth.results import Count, Measure, key
from tests.unit.chapters.conftest import make_chapter


def computed(tables, **parameters):
    """The chapter's result and the book's decision over it (published unless the audience says otherwise)."""
    ch = make_chapter(tables, number=3, **parameters)
    result = trends.compute(ch.prepared)
    return result, disclosure.decide([result], ch.params.published, ch.params.min_count)


def shown(result, decision, name):
    """A table as published: a frame of words (text from the inputs as the page shows it)."""
    frame = result.items[name].frame
    return present._unescape_plain(present.table_frame(frame, decision), frame)


def indicator(result, decision, name, period="all", group=""):
    rows = pd.DataFrame(present.indicator_rows(result, decision))
    return rows[(rows.indicator == name) & (rows.period == period) & (rows.group == group)].iloc[0]


def markdown(result, decision, name):
    shown = present.show(result, name, decision)
    return getattr(shown, "markdown", None) or shown.html


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
    result, decision = computed(route_area(), audience="internal")
    row = shown(result, decision, "legal_route_table").set_index("Year").loc["2019/20"]
    # six babies under one started care: C1; V2; L2 and L1; C2 and a blank status are 'other'
    assert row["Interim care order"] == "1 (17%)"
    assert row["Police or emergency protection"] == "2 (33%)"
    assert row["Section 20 agreement"] == "1 (17%)"
    assert row["Other or not recorded"] == "2 (33%)"
    assert row["All babies starting care"] == "6"
    share = indicator(result, decision, "infant_starters_route_share", "all", "s20")
    assert (share.numerator, share.denominator) == (1, 6)


def test_legal_route_published_hides_small_counts():
    result, decision = computed(route_area())
    row = shown(result, decision, "legal_route_table").set_index("Year").loc["All years"]
    assert row["Section 20 agreement"] == "c" and row["All babies starting care"] == "6"
    # every route is 1 or 2: no route's count (nor its share) can be shown
    assert all(row[label] == "c" for _, label in trends.ROUTES)
    assert decision.audit["passed"]


def test_legal_route_year_totals_relate_to_their_routes():
    # 2019/20: 21 by interim care order, 3 by police protection, 2 by section 20 (26 babies); 2020/21: 10 by ICO.
    # Showing 21 of 26 and 'other 0' would give away that 5 came by the two small routes together: the ICO
    # count (and share) must be withheld with them, and the audit must pass.
    kids, care = [], []
    for i, (year, status) in enumerate([("2019", "C1")] * 21 + [("2019", "L1")] * 3 + [("2019", "V2")] * 2
                                       + [("2020", "C1")] * 10):
        kids.append({"child_id": f"B{i}", "date_of_birth": f"{year}-05-01"})
        care.append({"child_id": f"B{i}", "start_date": f"{year}-06-01", "legal_status": status,
                     "reason_new_episode": "S"})
    result, decision = computed({"children": kids, "care_episodes": care})
    assert decision.audit["passed"]
    table = shown(result, decision, "legal_route_table").set_index("Year")
    year = table.loc["2019/20"]
    assert year["All babies starting care"] == "26" and year["Other or not recorded"] == "0 (0%)"
    assert year["Police or emergency protection"] == "c" and year["Section 20 agreement"] == "c"
    assert year["Interim care order"] == "c"
    total, routes = key("starters", "infants", "2019/20"), [key("starters", "infants", "2019/20", "route", k)
                                                             for k, _ in trends.ROUTES]
    assert any(rel.total == total and set(rel.parts) == set(routes) for rel in result.relations)
    ico = indicator(result, decision, "infant_starters_route_share", "2019/20", "ico")
    assert ico.suppressed and pd.isna(ico.value) and ico.denominator == 26


def test_legal_route_without_care_episodes_says_what_to_record():
    result, decision = computed({"children": [{"child_id": "A", "date_of_birth": "2019-05-01"}]})
    item = result.items["legal_route_table"]
    assert item.kind == "notyet" and "SSDA903" in markdown(result, decision, "legal_route_table")


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
    result, decision = computed(pp_area(), audience="internal")
    row = shown(result, decision, "pre_proceedings_table").set_index("Year").loc["2019/20"]
    assert row["Newborns in proceedings"] == "5"
    assert row["Pre-proceedings started before birth"].startswith("60%")  # N1, N4, N5 of 5
    assert row["Any pre-proceedings before issue"].startswith("80%")      # and N2
    assert row["Median weeks before birth"] == "9.0"    # median of 6, 9, 12
    weeks = indicator(result, decision, "weeks_pre_proceedings_before_birth_median", "2019/20")
    assert weeks.value == pytest.approx(9.0) and weeks.denominator == 3 and weeks.unit == "weeks"
    share = indicator(result, decision, "newborns_pre_proceedings_before_birth_share")
    assert (share.numerator, share.denominator) == (3, 5)
    assert present.glued(result, decision)["ch3_pp_before_birth"] == "60%"
    assert present.glued(result, decision)["ch3_pp_weeks"] == "9.0"


def test_pre_proceedings_says_how_complete_the_dates_are_beside_the_table():
    # N1, N2, N4 (its s31) and N5 have a start date, N3 none: 4 of 5 newborns, 80% (Wilson 37.6% to 96.4%)
    result, decision = computed(pp_area(), audience="internal")
    row = shown(result, decision, "pre_proceedings_table").set_index("Year").loc["2019/20"]
    assert row["Pre-proceedings date recorded"] == "80%"
    assert row["Pre-proceedings date recorded: 95% interval"] == "38% to 96%"
    recorded = indicator(result, decision, "newborns_pre_proceedings_date_recorded_share")
    assert (recorded.numerator, recorded.denominator) == (4, 5)
    note = present.text(result.items["pre_proceedings_table"].note, decision)
    assert "filled in for 80% of these newborns (4 of 5)" in note
    assert present.glued(result, decision)["ch3_pp_recorded"] == "80%"
    # published, the small counts go and the sentence says it without them
    published, decided = computed(pp_area())
    note = present.text(published.items["pre_proceedings_table"].note, decided)
    assert "not filled in for every newborn" in note and "4 of 5" not in note


def test_pre_proceedings_published_withholds_small_numbers():
    result, decision = computed(pp_area())
    row = shown(result, decision, "pre_proceedings_table").set_index("Year").loc["All years"]
    assert row["Pre-proceedings started before birth"] == "c" and row["Median weeks before birth"] == "c"
    assert row["Pre-proceedings started before birth: 95% interval"] == "c"
    assert row["Median weeks before birth: 95% interval"] == "c"
    weeks = indicator(result, decision, "weeks_pre_proceedings_before_birth_median")
    assert weeks.suppressed and pd.isna(weeks.value)
    assert present.glued(result, decision)["ch3_pp_before_birth"] == "not available"
    assert decision.audit["passed"]


def test_no_pre_proceedings_dates_is_not_yet():
    tables = pp_area()
    for row in tables["proceedings"]:
        row["pre_proceedings_start_date"] = None
    result, decision = computed(tables)
    assert result.items["pre_proceedings_table"].kind == "notyet"
    assert "PPStartDate" in markdown(result, decision, "pre_proceedings_table")


# -- service changes and context ---------------------------------------------------------

SIX_YEARS = Period(start=dt.date(2014, 4, 1), end=dt.date(2020, 3, 31))


def step_area(context=None, counts=(10, 10, 10, 20, 20, 20)):
    """Newborns 10, 10, 10, 20, 20, 20 a year from 2014/15 (or ``counts``), with 10,000 live births every year."""
    kids, procs = [], []
    for i, n in enumerate(counts):
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
    result, decision = computed(step_area(), period=SIX_YEARS, audience="internal",
                                events=[{"date": "2017-04-01", "label": "New team"}])
    table = shown(result, decision, "service_changes")
    newborns = table[table["Series"] == "Newborns"].iloc[0]
    assert newborns["Service change"] == "New team (2017/18)"
    assert newborns["Years before / after"] == "3 / 3"
    level = indicator(result, decision, "newborn_rate_level_change", group="New team")
    slope = indicator(result, decision, "newborn_rate_slope_change", group="New team")
    # rates 10, 10, 10 then 20, 20, 20 per 10,000: flat, then twice as high, then flat again
    assert level.value == pytest.approx(2.0, rel=1e-6) and level.unit == "rate ratio"
    assert slope.value == pytest.approx(1.0, abs=1e-6)
    assert newborns["Change in level"].startswith("+100%")


def test_the_headline_leads_with_the_trend_not_the_end_years():
    # rates 10, 20, 10, 25, 12, 24 per 10,000: chapter 1's quasi-Poisson trend, by statsmodels (Pearson scale
    # 2.86, t(4) interval): a rate ratio of 1.11 a year, (0.84, 1.46) - no clear change, though the end years
    # more than double (Poisson's z interval, 0.99 to 1.25, would nearly call it a rise)
    import numpy as np
    import statsmodels.api as sm

    counts, t = np.array([10, 20, 10, 25, 12, 24.0]), np.arange(6.0)
    fit = sm.GLM(counts, sm.add_constant(t - t.mean()), family=sm.families.Poisson(),
                 offset=np.log(np.full(6, 10000.0))).fit(scale="X2", use_t=True)
    ratio, (lower, upper) = math.exp(fit.params[1]), np.exp(fit.conf_int()[1])
    assert lower < 1 < upper
    result, decision = computed(step_area(counts=[10, 20, 10, 25, 12, 24]), period=SIX_YEARS, audience="internal")
    text = markdown(result, decision, "headline")
    said = (f"showed no clear change from 2014/15 to 2019/20: {trends.signed_pct(ratio - 1, 1)} a year on average "
            f"(95% confidence interval {trends.signed_pct(lower - 1, 1)} to {trends.signed_pct(upper - 1, 1)})")
    assert said in text
    assert "went from" not in text and text.index("no clear change") < text.index("in 2014/15 and")
    assert present.glued(result, decision)["ch3_trend"].startswith(trends.signed_pct(ratio - 1, 1))


def test_context_panels_start_at_zero_unless_a_series_goes_below_it():
    context = context_rows([27, 28, 28, 29, 30, 31]) + context_rows([-2, 1, 3, 2, 4, 5], unit="%", name="net_change")
    result, _ = computed(step_area(context), period=SIX_YEARS)
    panels = {p["series"]: p for p in result.items["context_panels"].options["panels"]}
    assert panels["Child poverty rate (%)"]["zero"] is True  # a drift from 27 to 31 is drawn from 0
    assert panels["Net change (%)"]["zero"] is False
    assert panels["Net change (%)"]["title"] == "Net change (%) (the axis does not start at 0)"


def test_the_transition_year_is_marked_and_a_short_earlier_trend_is_not_carried_on():
    # 3 years before the change: the earlier trend is carried on with a band (statsmodels' own prediction
    # interval, x'b +- t(2) se, for a flat 10 per 10,000); 2 years before: not carried on at all.
    import numpy as np
    import statsmodels.api as sm

    result, decision = computed(step_area(), period=SIX_YEARS, events=[{"date": "2017-04-01", "label": "New team"}],
                                audience="internal")
    chart = result.items["service_change_chart"]
    assert "transition year" in chart.note and "transition year" in result.items["service_changes"].note
    # left out, 10, 10, 10, -, 20, 20: flat at 10, then flat at 20, so the level still doubles (+100%)
    assert "2017/18 is the transition year: the change happened during it. Leaving it out, the change in level " \
           "is +100% (" in markdown(result, decision, "few_points")
    carried = chart.data[chart.data["Series"] == "Had the earlier trend continued"].set_index("Year")["Rate"]
    counts, t = np.array([10, 10, 10, 20, 20, 20.0]), np.arange(6.0)
    after = (t >= 3).astype(float)
    design = np.column_stack([np.ones(6), t, after, (t - 3) * after])
    fit = sm.GLM(counts, design, family=sm.families.Poisson(), offset=np.log(np.full(6, 10000.0))).fit(
        scale=1.0, use_t=True)  # Pearson X2 = 0 here, so phi = max(1, 0) = 1
    band = fit.get_prediction(np.column_stack([np.ones(6), t, np.zeros(6), np.zeros(6)])).conf_int() * 10000
    assert carried["2019/20"].value == pytest.approx(10, rel=1e-6)
    assert carried["2019/20"].lower == pytest.approx(band[5, 0], rel=1e-6)
    assert carried["2019/20"].upper == pytest.approx(band[5, 1], rel=1e-6)
    late, decided = computed(step_area(), period=SIX_YEARS, events=[{"date": "2016-04-01", "label": "New team"}],
                             audience="internal")
    chart = late.items["service_change_chart"]
    assert "Had the earlier trend continued" not in set(chart.data["Series"])
    assert "not carried on" in chart.note


def test_without_events_or_births_the_chapter_says_what_to_add():
    assert "events:" in markdown(*computed(step_area(), period=SIX_YEARS), "service_changes")
    tables = step_area()
    del tables["births"]
    no_births = computed(tables, period=SIX_YEARS, events=[{"date": "2017-04-01", "label": "x"}])
    assert "births table" in markdown(*no_births, "service_changes")


def context_rows(values, unit="%", name="child_poverty_rate"):
    return [{"period": f"{2014 + i}/{(15 + i) % 100:02d}", "indicator": name, "value": v, "unit": unit}
            for i, v in enumerate(values)]


def test_a_context_indicator_that_tracks_the_rate_correlates_fully():
    # rates 10, 10, 10, 20, 20, 20; context = 2 * rate + 1, so r = 1 in levels and in yearly changes
    context = context_rows([21, 21, 21, 41, 41, 41])
    result, decision = computed(step_area(context), period=SIX_YEARS, audience="internal")
    row = shown(result, decision, "correlations").iloc[0]
    assert row["Years"] == "6" and row["Correlation of yearly levels"].startswith("1.00")
    assert row["Correlation of year-on-year changes"] == "1.00"
    # no verdict: a "moved together" read off the levels (or off a handful of changes) claims too much
    assert "Reading" not in row.index
    assert "moved together" not in markdown(result, decision, "correlations")
    value = indicator(result, decision, "context_newborn_rate_correlation", group="child_poverty_rate").value
    assert value == pytest.approx(1.0)


def test_context_panels_place_years_and_withhold_small_counts_of_people():
    context = (context_rows([27, 28, 28, 29, 30, 31])
               + context_rows([40, 3, 50, 60, 70, 80], unit="children", name="s20_starts")
               + [{"period": "Q1 2019", "indicator": "caseload", "value": 18, "unit": "children per worker"}])
    result, decision = computed(step_area(context), period=SIX_YEARS)  # published
    chart = result.items["context_panels"]
    data = present._unescape_plain(present.table_frame(chart.data, decision), chart.data)
    s20 = data[data["Series"] == "Section 20 starts (children)"]
    assert list(s20["Value"]) == ["40", "c", "50", "60", "70", "80"]  # 3 children: a small count of people
    poverty = data[data["Series"] == "Child poverty rate (%)"]
    assert list(poverty["Value"]) == ["27", "28", "28", "29", "30", "31"]  # the area's own statistic: as it is
    numbers = present.chart_numbers(chart.data, decision)
    assert numbers["Value"].isna().sum() == 1  # only the small count is left out of the drawing
    assert "1 context row(s) have a period that is not a year" in chart.note
    assert "not shown (c in the data below)" in chart.note
    # a context rate is the area's published statistic: no protection, no key
    assert all(isinstance(v, Measure) and not v.on for v in chart.data.loc[
        chart.data["Series"].map(str).str.contains("poverty"), "Value"])


def test_the_yearly_rate_and_the_model_rest_on_the_yearly_counts():
    result, decision = computed(step_area(), period=SIX_YEARS, events=[{"date": "2017-04-01", "label": "New $x$ team"}])
    chart = result.items["service_change_chart"]
    fitted = chart.data[chart.data["Series"] == "Segmented model"].set_index("Year")["Rate"]
    # segments 2014/15-2016/17 and 2017/18-2019/20, 10 then 20 a year per 10,000 births: fitted exactly
    assert [round(m.value, 6) for m in fitted] == [10, 10, 10, 20, 20, 20]
    first = {c.key for c in fitted["2014/15"].on}
    assert first == {key("proceedings", "newborns", y) for y in ("2014/15", "2015/16", "2016/17")}
    later = {c.key for c in fitted["2019/20"].on}
    assert later == {key("proceedings", "newborns", y) for y in ("2017/18", "2018/19", "2019/20")}
    counterfactual = chart.data[chart.data["Series"] == "Had the earlier trend continued"]
    assert list(counterfactual["Year"]) == ["2016/17", "2017/18", "2018/19", "2019/20"]
    assert chart.options["events"][0]["label"] == "New $x$ team"  # the parameters' text, drawn literally
    assert trends._literal_events(chart.options["events"])[0]["label"] == r"New \$x\$ team"


def test_a_withheld_year_withholds_the_model_values_that_rest_on_it():
    # newborns 10, 10, 3, 20, 20, 20: 2016/17 is small, so the first segment's fitted values, the counterfactual
    # and the level change are withheld; the second segment's fitted values are not
    tables = step_area()
    tables["children"] = [c for c in tables["children"] if not (c["child_id"].startswith("C2016-")
                                                                 and int(c["child_id"].split("-")[1]) >= 3)]
    kept = {c["child_id"] for c in tables["children"]}
    tables["proceedings"] = [p for p in tables["proceedings"] if p["child_id"] in kept]
    tables["proceedings"][0]["pre_proceedings_start_date"] = "2014-05-01"  # the table of newborns by year and in all
    result, decision = computed(tables, period=SIX_YEARS, events=[{"date": "2017-04-01", "label": "New team"}])
    assert decision.audit["passed"]
    chart = result.items["service_change_chart"]
    numbers = present.chart_numbers(chart.data, decision)
    fitted = numbers[numbers["Series"] == "Segmented model"].set_index("Year")["Rate"]
    assert fitted[["2014/15", "2015/16", "2016/17"]].isna().all()
    assert fitted[["2017/18", "2018/19", "2019/20"]].notna().all()
    assert numbers[numbers["Series"] == "Had the earlier trend continued"]["Rate"].isna().all()
    level = indicator(result, decision, "newborn_rate_level_change", group="New team")
    assert level.suppressed and pd.isna(level.value)
    # the small year is hidden together with at least one partner: 'all minus the other years' gives nothing
    withheld = {key("proceedings", "newborns", y) for y in ("2014/15", "2015/16", "2016/17", "2017/18",
                                                            "2018/19", "2019/20", "all")} & decision.withheld
    assert key("proceedings", "newborns", "2016/17") in withheld and len(withheld) >= 2


def test_sparse_area_gets_not_yet_for_everything_but_the_trend():
    tables = step_area()
    del tables["births"]
    result, decision = computed(tables, period=SIX_YEARS)
    for name in ("context_panels", "legal_route_table", "service_changes", "pre_proceedings_table"):
        assert result.items[name].kind == "notyet", name
    factors = shown(result, decision, "research_factors").set_index("What the research heard")
    assert factors.loc["Poverty", "In your data"] == "not yet"
    assert "newborns (no births supplied, so counts)" in markdown(result, decision, "headline")
    assert "10 newborns (no births supplied, so counts) in 2014/15" in markdown(result, decision, "headline")


def test_without_proceedings_the_chapter_says_what_to_record():
    result, decision = computed({"children": [{"child_id": "A", "date_of_birth": "2020-01-01"}]})
    text = markdown(result, decision, "headline")
    assert "can't answer this yet" in text and "issue date" in text
    assert set(trends.GLUE) <= set(result.glue)


# -- issue 16, Q3: the pre-birth pathway by year, and the first orders of newborn cases ---------------------

def pathway_area():
    """Babies referred before birth in 2019/20 to 2021/22; the data end on 2022-03-31 (R6's referral)."""
    kids = [{"child_id": c, "date_of_birth": dob, "expected_date_of_birth": due} for c, dob, due in (
        ("R1", "2019-10-01", "2019-10-01"), ("R2", "2019-12-01", None), ("R3", "2020-01-10", None),
        ("R4", "2020-08-01", None), ("R5", None, "2022-06-01"), ("R6", "2019-05-01", None))]
    referrals = [{"referral_id": rid, "child_id": c, "referral_date": on} for rid, c, on in (
        ("f1", "R1", "2019-05-01"), ("f1b", "R1", "2019-08-01"),  # R1's second referral: R1 counts once
        ("f2", "R2", "2019-06-01"), ("f3", "R3", "2019-07-01"), ("f4", "R4", "2020-05-01"),
        ("f5", "R5", "2021-11-01"), ("f6", "R6", "2022-03-31"))]  # R6: referred after birth, not pre-birth
    assessments = [{"assessment_id": aid, "child_id": c, "start_date": on, "authorised_date": done, "kind": "pre-birth"}
                   for aid, c, on, done in (("a1", "R1", "2019-05-10", "2019-06-10"), ("a2", "R2", "2019-06-05", None),
                                            ("a4", "R4", "2020-04-20", "2020-05-20"),  # before R4's referral
                                            ("a5", "R5", "2021-11-10", "2021-12-01"))]
    procs = [{"proceedings_id": pid, "child_id": c, "issue_date": on} for pid, c, on in (
        ("p1", "R1", "2019-10-02"), ("p3", "R3", "2021-02-01"),  # R3: after the first birthday (2021-01-10)
        ("p4", "R4", "2020-09-01"))]
    return {"children": kids, "referrals": referrals, "assessments": assessments, "proceedings": procs,
            "births": [{"year": 2019, "live_births": 1000}]}


def test_pathway_by_hand():
    result, decision = computed(pathway_area(), audience="internal")
    table = shown(result, decision, "pathway_table").set_index("Year")
    # 2019/20: R1, R2, R3 referred; R1 and R2 assessed after referral; R1's authorised; R1 in court before one.
    # 2020/21: R4, assessed only before the referral (not counted), in court at 1 month.
    # 2021/22: R5, assessed and authorised; not yet one when the data end, so the year is not complete.
    assert table["Babies referred before birth"].to_dict() == {
        "2019/20": "3", "2020/21": "1", "2021/22 (not complete)": "1", "All years (not complete)": "5"}
    row = table.loc["2019/20"]
    # Wilson 95% intervals by hand: 2 of 3, 20.8% to 93.9%; 1 of 3, 6.1% to 79.2%
    assert (row["Had a pre-birth assessment"], row["Had a pre-birth assessment: 95% interval"]) == ("67%", "21% to 94%")
    assert (row["Assessment authorised (plan agreed)"],
            row["Assessment authorised (plan agreed): 95% interval"]) == ("33%", "6% to 79%")
    assert (row["Care proceedings before the first birthday"],
            row["Care proceedings before the first birthday: 95% interval"]) == ("33%", "6% to 79%")
    assert row["Per 1,000 live births"] == "3.0"  # 3 babies over 1,000 births in 2019
    # 0 of 1: 0% to 79.3%; 1 of 1: 20.7% to 100%
    assert table.loc["2020/21", "Had a pre-birth assessment"] == "0%"
    assert table.loc["2020/21", "Had a pre-birth assessment: 95% interval"] == "0% to 79%"
    assert table.loc["2020/21", "Care proceedings before the first birthday"] == "100%"
    assert table.loc["2020/21", "Care proceedings before the first birthday: 95% interval"] == "21% to 100%"
    whole = indicator(result, decision, "prebirth_referrals_assessed_share")
    assert (whole.numerator, whole.denominator) == (3, 5)
    court = indicator(result, decision, "prebirth_referrals_proceedings_share")
    assert (court.numerator, court.denominator) == (2, 5)
    # the top of the pathway is chapter 4's count of babies referred before birth, under its key
    assert result.items["pathway_table"].frame.iloc[0]["Babies referred before birth"] == Count(
        key("waiting", "pre-birth referrals", "2019/20"), 3)
    # the complete years (2019/20, 2020/21), earliest and latest side by side
    found = [present.text(f.text, decision) for f in result.findings if f.indicator == "prebirth_referrals_proceedings_share"]
    assert found == ["Babies referred before birth numbered 1 in 2020/21, against 3 in 2019/20; 100% of them (all) "
                     "came into care proceedings before their first birthday, against 33% in the earlier years."]


def test_pathway_published_hides_small_counts():
    result, decision = computed(pathway_area())
    assert decision.audit["passed"]
    table = shown(result, decision, "pathway_table")
    assert set(table["Babies referred before birth"]) <= {"c"}


def test_pathway_without_referrals_says_what_to_record():
    result, decision = computed({"children": [{"child_id": "A", "date_of_birth": "2019-05-01"}]})
    assert "can't answer this yet" in markdown(result, decision, "pathway_table")


def orders_area():
    kids = [{"child_id": c, "date_of_birth": dob} for c, dob in (
        ("N1", "2019-06-01"), ("N2", "2019-07-01"), ("N3", "2020-09-01"), ("N4", "2021-01-01"), ("N5", "2021-06-01"),
        ("O1", "2018-01-01"))]
    procs = [{"proceedings_id": pid, "child_id": c, "issue_date": on, "application": app, "first_order": order}
             for pid, c, on, app, order in (
                 ("p1", "N1", "2019-06-02", "s31", "ico"),
                 ("p2", "N2", "2019-07-01", "s31", "ico"), ("p2e", "N2", "2019-07-01", "epo", "epo"),  # same day
                 ("p3", "N3", "2020-09-02", "s31", "none"), ("p4", "N4", "2021-01-03", "s31", None),
                 ("p5", "N5", "2021-06-02", "s31", "ico"), ("p6", "O1", "2019-08-01", "s31", "ico"))]  # O1: not newborn
    return {"children": kids, "proceedings": procs}


def test_first_orders_by_hand():
    result, decision = computed(orders_area(), audience="internal", events=[{"date": "2020-04-01", "label": "New team"}])
    table = shown(result, decision, "first_orders_table").set_index("Period")
    # before the change (2019/20): N1 an ICO, N2 an EPO (issued with its s31 the same day: the EPO comes first);
    # from it (2020/21 to 2021/22): N3 no order, N4 not recorded, N5 an ICO. O1 is 19 months old: not a newborn.
    before, after = "Before the change (2019/20)", "From the change (2020/21 to 2021/22)"
    assert list(table.index) == [before, after, "All years"]
    assert table["Newborns in proceedings"].to_list() == ["2", "3", "5"]
    assert table.loc[before, "Interim care order"] == "1 (50%)"
    assert table.loc[before, "Emergency protection order"] == "1 (50%)"
    assert table.loc[after, "No order at the first hearing"] == "1 (33%)"
    assert table.loc[after, "Not recorded"] == "1 (33%)"
    assert table.loc["All years", "Interim care order"] == "2 (40%)"
    relations = {(rel.total, rel.parts) for rel in result.relations}
    pooled = key("proceedings", "newborns", "2020/21+2021/22")
    assert (pooled, (key("proceedings", "newborns", "2020/21"), key("proceedings", "newborns", "2021/22"))) in relations
    found = [present.text(f.text, decision) for f in result.findings if f.indicator == "newborns_first_order_share"]
    assert found == ["An interim care order was the first order for 33% of newborns in care proceedings from the "
                     "change (2020/21 to 2021/22), against 50% before the change (2019/20)."]


def test_first_orders_without_a_change_split_the_period_in_two():
    result, decision = computed(orders_area(), audience="internal")
    table = shown(result, decision, "first_orders_table")
    assert table["Period"].to_list() == ["2019/20", "2020/21 to 2021/22", "All years"]


def test_first_orders_not_recorded_says_what_to_record():
    area = orders_area()
    for row in area["proceedings"]:
        row["first_order"] = None
    result, decision = computed(area)
    assert "can't answer this yet" in markdown(result, decision, "first_orders_table")


@pytest.mark.parametrize("country, said", [
    # England 35 -> 48 per 10,000 from 2012/13 to 2019/20 (Pattinson et al. 2021): (48/35)^(1/7) = 1.0462
    ("England", " In England the rate rose from 35 to 48 newborns per 10,000 live births between 2012/13 and 2019/20, "
                "about +4.6% a year (Pattinson et al. 2021)."),
    # Wales 41.1 -> 68.3: (68.3/41.1)^(1/7) = 1.0753
    ("Wales", " In Wales the rate rose from 41.1 to 68.3 newborns per 10,000 live births between 2012/13 and "
              "2019/20, about +7.5% a year (Pattinson et al. 2021)."),
])
def test_the_national_rate_beside_the_trend_is_the_area_countrys(country, said):
    assert trends.national_rate_words(country) == said


def test_chapter_three_main_points_on_the_demo_are_three_to_five(tmp_path):
    from pathlib import Path

    from prebirth.chapters import common

    demo = Path(__file__).resolve().parents[3] / "areas" / "demo.yml"
    if not (demo.parent.parent / "data" / "demo" / "area").exists():
        pytest.skip("the demo data are not generated")
    result = trends.compute(common.prepare(demo))
    assert 3 <= sum(f.main for f in result.findings) <= 5
