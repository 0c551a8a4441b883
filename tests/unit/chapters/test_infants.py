"""Chapter 1 on hand-made data: counts, shares, rates, their book-wide cells and relations, and what
the book's one disclosure decision withholds, worked out by hand."""

import pandas as pd
import pytest

from prebirth import disclosure, present
from prebirth.chapters import infants
from prebirth.results import Count, Measure, Share, counts_of, key, numeric
from tests.unit.chapters.conftest import make_chapter


def child(cid, dob, mother=None):
    return {"child_id": cid, "mother_id": mother, "date_of_birth": dob}


def proc(pid, cid, issued, heard=None):
    row = {"proceedings_id": pid, "child_id": cid, "issue_date": issued}
    if heard is not None:
        row["first_hearing_date"] = heard
    return row


@pytest.fixture
def area():
    # 2019/20: 12 children; 8 infants (newborn: 6 aged 0-6 days, 1 aged 7 days, 1 aged 200 days); 4 older.
    kids, procs = [], []
    for i in range(6):
        kids.append(child(f"N{i}", "2019-06-01"))
        procs.append(proc(f"p{i}", f"N{i}", f"2019-06-0{1 + i}"))  # 0..5 days old
    kids.append(child("W7", "2019-06-01")); procs.append(proc("p7", "W7", "2019-06-08"))    # exactly 7 days: not newborn
    kids.append(child("I1", "2019-01-01")); procs.append(proc("p8", "I1", "2019-07-20"))    # 200 days: infant
    for i in range(4):
        kids.append(child(f"O{i}", "2015-01-01"))
        procs.append(proc(f"q{i}", f"O{i}", "2019-09-01"))
    # a second application for N0 in the same year does not count twice
    procs.append(proc("p9", "N0", "2019-12-01"))
    births = [{"year": 2019, "live_births": 3000}, {"year": 2020, "live_births": 2000}]
    return {"children": kids, "proceedings": procs, "births": births}


def compute(tables, **parameters):
    return infants.compute(make_chapter(tables, **parameters).prepared)


def rows_of(result, decision=None):
    decision = decision or disclosure.decide([result], False, 6)
    return pd.DataFrame(present.indicator_rows(result, decision)).set_index(["indicator", "period"])


def year_row(result, year):
    """A year's row of the counts-and-shares table and of the rates table, side by side."""
    counts, rates = (result.items[name].frame for name in ("year_table", "rate_table"))
    return pd.concat([counts[counts["Year"] == year].iloc[0], rates[rates["Year"] == year].iloc[0].drop("Year")])


def test_counts_shares_and_rates_by_hand(area):
    ch = make_chapter(area, audience="internal")
    t = infants.yearly(ch).set_index("period")
    y = t.loc["2019/20"]
    assert (y.children, y.infants, y.newborns) == (12, 8, 6)
    assert y.infants_share == pytest.approx(8 / 12)
    assert y.newborns_share_of_infants == pytest.approx(6 / 8)
    assert y.newborn_rate == pytest.approx(6 / 3000 * 10000)  # 20.0 per 10,000
    assert t.loc["2020/21"].children == 0 and t.loc["2020/21"].newborn_rate == 0
    assert t.loc["all"].newborn_rate == pytest.approx(6 / 5000 * 10000)  # both years' births


def test_the_year_table_publishes_cells_under_book_wide_keys(area):
    r = compute(area, audience="internal")
    y = year_row(r, "2019/20")
    assert y["Children in proceedings"] == Count(key("proceedings", "all children", "2019/20"), 12)
    assert y["Infants (under 1)"] == Count(key("proceedings", "infants", "2019/20"), 8)
    assert y["Newborns (under 7 days)"] == Count(key("proceedings", "newborns", "2019/20"), 6)
    share = y["Infants as a share of all children"]
    assert isinstance(share, Share) and share.value == pytest.approx(8 / 12)
    assert y["Newborns as a share of infants"].value == pytest.approx(6 / 8)
    rate = y["Newborns per 10,000 live births"]
    assert isinstance(rate, Measure) and rate.value == pytest.approx(20.0) and rate.denominator == 3000
    assert [c.key for c in rate.on] == [key("proceedings", "newborns", "2019/20")]
    assert y["Live births (calendar year)"] == "3,000"
    assert year_row(r, "2021/22")["Newborns per 10,000 live births"] == "no births supplied"
    # The whole period's rate: the newborns of the years with births (6 + 0) over their births (5,000)
    whole = year_row(r, "All years")["Newborns per 10,000 live births"]
    assert whole.value == pytest.approx(12.0) and whole.denominator == 5000
    assert whole.numerator == Count(key("proceedings", "newborns", "2019/20+2020/21"), 6)
    rows = rows_of(r)
    assert rows.loc[("newborn_rate_per_10k_births", "all"), "numerator"] == 6
    assert rows.loc[("infants_share", "2019/20"), ["numerator", "denominator"]].tolist() == [8, 12]
    assert ("newborn_rate_per_10k_births", "2021/22") not in rows.index  # no births: no rate


def test_relations_newborns_within_infants_within_all_children(area):
    r = compute(area, audience="internal")
    found = {(rel.total, rel.parts) for rel in r.relations}
    p = "2019/20"
    assert (key("proceedings", "infants", p),
            (key("proceedings", "newborns", p), key("proceedings", "infants aged 7 days to under 1", p))) in found
    assert (key("proceedings", "all children", p),
            (key("proceedings", "infants", p), key("proceedings", "older children", p))) in found
    # the parts never shown are known to the book with their values
    assert r.implicit[key("proceedings", "infants aged 7 days to under 1", p)] == 2  # W7 and I1
    assert r.implicit[key("proceedings", "older children", p)] == 4
    # the years against the whole period: only 2019/20 has children, so all = the years
    years = tuple(key("proceedings", "newborns", y) for y in ("2019/20", "2020/21", "2021/22"))
    assert (key("proceedings", "newborns", "all"), years) in found


def test_published_book_withholds_small_counts_and_what_derives_from_them(area):
    r = compute(area)  # published, min_count 6
    decision = disclosure.decide([r], True, 6)
    assert decision.audit["passed"]
    y = year_row(r, "2019/20")
    # 4 older children is a small complement: 8 of 12 infants reveals 4 -> share withheld
    assert decision.hides(y["Infants as a share of all children"])
    # newborns 6 of 8 infants: complement 2 -> withheld
    assert decision.hides(y["Newborns as a share of infants"])
    # The 2 infants aged 7 days or more = infants - newborns: the smaller part, the 6 newborns, is withheld
    # with the infants, and the newborn rate (6 per 3,000 births) with them: it would give the 6 back.
    assert decision.hides(y["Newborns (under 7 days)"]) and decision.hides(y["Infants (under 1)"])
    assert decision.hides(y["Newborns per 10,000 live births"])
    assert key("proceedings", "older children", "2019/20") in decision.small_implicit
    frame = present.table_frame(r.items["rate_table"].frame, decision)
    assert frame.loc[0, "Newborns per 10,000 live births"] == "c"
    assert frame.loc[0, "Live births (calendar year)"] == "3,000"  # public figures stay


def test_indicators_under_the_books_decision(area):
    r = compute(area)
    internal = rows_of(r)
    assert internal.loc[("proceedings_children", "2019/20"), "value"] == 12
    assert internal.loc[("newborn_rate_per_10k_births", "2019/20"), "value"] == pytest.approx(20.0)
    rows = rows_of(r, disclosure.decide([r], True, 6))
    share = rows.loc[("infants_share", "2019/20")]
    assert share.suppressed and pd.isna(share.value) and pd.isna(share.numerator)
    assert rows[rows.suppressed][["numerator", "value", "lower", "upper"]].isna().all().all()


def test_a_small_year_is_withheld_with_a_partner_so_all_minus_the_others_does_not_reveal_it():
    # 2019/20: 10 older children; 2020/21: 3 older children (small); 2021/22: 8 older children; all: 21
    kids, procs = [], []
    for year, n in ((2019, 10), (2020, 3), (2021, 8)):
        for i in range(n):
            kids.append(child(f"C{year}{i}", "2010-01-01"))
            procs.append(proc(f"p{year}{i}", f"C{year}{i}", f"{year}-10-01"))
    r = compute({"children": kids, "proceedings": procs})
    decision = disclosure.decide([r], True, 6)
    assert decision.audit["passed"]
    small = key("proceedings", "all children", "2020/21")
    assert small in decision.withheld
    partners = {key("proceedings", "all children", p) for p in ("2019/20", "2021/22", "all")}
    assert decision.withheld & partners  # 21 - 10 - 8 would give the 3 back
    frame = present.table_frame(r.items["year_table"].frame, decision)
    assert frame.loc[frame["Year"] == "2020/21", "Children in proceedings"].item() == "c"
    assert "c" in frame.loc[frame["Year"] != "2020/21", "Children in proceedings"].tolist()


def test_trend_uses_the_financial_years_as_time_so_a_year_without_births_leaves_a_gap():
    # Newborns 10, 20, 40, 80 over 2019/20 to 2022/23 with 10,000 births a year, but no births for 2020:
    # the rate doubles every year, so with the years as time the rate ratio is exactly 2
    # (numbering the three remaining years 0, 1, 2 would make it 2.5).
    kids, procs = [], []
    for year, n in ((2019, 10), (2020, 20), (2021, 40), (2022, 80)):
        for i in range(n):
            kids.append(child(f"N{year}{i}", f"{year}-06-01"))
            procs.append(proc(f"p{year}{i}", f"N{year}{i}", f"{year}-06-02"))
    import datetime as dt

    from prebirth.config import Period

    births = [{"year": y, "live_births": 10000} for y in (2019, 2021, 2022)]
    r = compute({"children": kids, "proceedings": procs, "births": births},
                period=Period(start=dt.date(2019, 4, 1), end=dt.date(2023, 3, 31)), audience="internal")
    ratio = [row for row in r.indicators if row.indicator == "newborn_rate_trend_ratio"][0]
    assert ratio.cell.value == pytest.approx(2.0, rel=1e-6)
    assert ratio.cell.on == ()  # a model estimate: it reproduces no count


def test_same_counts_as_chapter_five_under_the_same_keys(area):
    from prebirth.chapters import urgent

    for row in area["proceedings"]:
        row["first_hearing_date"] = row["issue_date"]
    prepared = make_chapter(area, audience="internal").prepared
    known = lambda r: {**r.implicit, **counts_of(r.cells())}  # noqa: E731  (shown or tied by relations)
    one, five = known(infants.compute(prepared)), known(urgent.compute(prepared))
    shared = set(one) & set(five)
    assert {key("proceedings", "newborns", "all"), key("proceedings", "all children", "2019/20")} <= shared
    assert all(one[k] == five[k] for k in shared)
    # and the disclosure step sees one cell per key across the two chapters
    assert disclosure.decide([infants.compute(prepared), urgent.compute(prepared)], True, 6).audit["passed"]


def test_area_names_are_input_text_and_escaped(area):
    r = compute(area, area_name="Test*shire <b>")
    shown = present.show(r, "headline", disclosure.decide([r], True, 6)).markdown
    assert "Test\\*shire &lt;b&gt;" in shown and "<b>" not in shown


def test_without_proceedings_the_chapter_says_what_to_record():
    r = compute({"children": [child("A", "2020-01-01")]})
    shown = present.show(r, "year_table", disclosure.decide([r], True, 6))
    assert "can't answer this yet" in shown.markdown and "issue date" in shown.markdown
    assert r.status == {"answer": "not yet"} and not r.indicators
    assert set(r.glue) == {"ch1_newborn_rate_all", "ch1_infants_share_all"}


def test_funnel_limits_allow_for_real_differences_by_default_and_chance_only_on_request():
    from prebirth.chapters import common
    from tests.conftest import demo_parameters

    widened = common.prepare(str(demo_parameters()))
    assert widened.params.overdispersion == "additive"
    params = widened.params.model_copy(update={"overdispersion": "none"})
    plain = common.Prepared(params, widened.data, widened.benchmarks)
    plain_note = infants.compute(plain).items["funnel_plot"].note
    widened_chart = infants.compute(widened).items["funnel_plot"]
    widened_note = widened_chart.note
    # the demo's 150 authorities differ far more than chance allows (phi well above 1)
    assert "The limits allow for chance only, but authorities differ far more" in plain_note
    assert "The limits allow for the real differences between authorities" in widened_note
    # the model and its statistic are analyst detail, in the chart's fold, not in the words under it
    assert "Spiegelhalter 2005, additive random effects" in widened_chart.analyst_note
    assert "phi" not in widened_note and "phi" not in plain_note
    assert int(widened_note.split()[0]) < int(plain_note.split()[0])


def _type7(values, q):
    ordered = sorted(values)
    h = (len(ordered) - 1) * q
    low = int(h)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (h - low) * (ordered[high] - ordered[low])


def test_demo_funnel_limits_by_hand_from_every_authority_over_its_published_years():
    # Spiegelhalter (2005), additive, written out: each authority's newborns and births summed over the
    # years both are published (a withheld year left out, never 0), the area's own counts for itself;
    # z against England's rate, 10% winsorised (R's quantile), phi = mean(z^2), DerSimonian-Laird tau^2;
    # limits r +/- z sqrt(r / n + tau^2).
    import math

    from prebirth.chapters import common
    from tests.conftest import demo_parameters

    prepared = common.prepare(str(demo_parameters()))
    result = infants.compute(prepared)
    ch = infants.Chapter(1, "x", prepared)
    years = infants.comparison_years(ch)
    tidy = prepared.benchmarks.indicator(infants.BENCH_RATE)
    local = tidy[(tidy.geographic_level == "Local authority") & tidy.period.isin(years) & ~tidy.suppressed
                 & tidy.numerator.notna() & (tidy.denominator > 0) & (tidy.area_code != "E99999001")]
    sums = local.groupby("area_code")[["numerator", "denominator"]].sum()
    own = infants.yearly(ch).set_index("period").loc[years]
    sums.loc["E99999001"] = [own["newborns"].sum(), own["live_births"].sum()]
    # England's rate over the years that give both its newborns and its births (the demo's published
    # years give the count and the rate only)
    national = tidy[(tidy.geographic_level == "National") & tidy.period.isin(years) & (tidy.denominator > 0)]
    rate = national.numerator.sum() / national.denominator.sum()
    z = [(x / n - rate) / math.sqrt(rate / n) for x, n in zip(sums.numerator, sums.denominator)]
    low, high = _type7(z, 0.1), _type7(z, 0.9)
    phi = sum(min(max(v, low), high) ** 2 for v in z) / len(z)
    w = [n / rate for n in sums.denominator]
    tau2 = max(0.0, (len(z) * phi - (len(z) - 1)) / (sum(w) - sum(v * v for v in w) / sum(w)))
    chart = result.items["funnel_plot"]
    # every authority with a published year is drawn, the partly withheld ones too
    assert len(sums) == len(chart.data) >= 140
    limits = chart.options["limits"]
    n = limits["denominator"].to_numpy()
    expected = [(rate + 1.959963984540054 * math.sqrt(rate / b + tau2)) * 10000 for b in n]
    assert limits["upper_95"].tolist() == pytest.approx(expected, rel=1e-9)
    detail = chart.analyst_note
    assert f"phi = {phi:.1f}" in detail and f"standard deviation of {math.sqrt(tau2) * 10000:.1f}" in detail
    # the chance-only limits flag 42 authorities above England; the widened ones far fewer
    flags = [str(v.text) for v in chart.data["compared with England"] if hasattr(v, "text")]
    high_flags = [f for f in flags if f.startswith("High")]
    assert 0 < len(high_flags) < 42


@pytest.fixture(scope="module")
def demo_result():
    from prebirth.chapters import common
    from tests.conftest import demo_parameters

    return infants.compute(common.prepare(str(demo_parameters())))


def test_starters_share_by_year_is_a_per_cent_with_one_decimal_on_the_counts(demo_result):
    frame = demo_result.items["starters_chart"].data
    first = frame.iloc[0]["Per cent"]  # the demo's 2014/15: 18 of 107 starters under one
    assert [c.key for c in first.on[:2]] == [key("starters", "under 1", "2014/15"), key("starters", "all", "2014/15")]
    assert (first.numerator.value, first.denominator.value, first.on[2].value) == (18, 107, 89)
    assert present.fmt(first, disclosure.Decision(), "ci").startswith("16.8% (")  # 18 / 107 = 16.82%
    hidden = disclosure.Decision(True, 6, frozenset({key("starters", "under 1", "2014/15")}))
    assert present.fmt(first, hidden) == "c"


def test_benchmarks_keep_their_publishers_suppression(demo_result):
    r = demo_result
    rows = rows_of(r, disclosure.decide([r], True, 6)).reset_index()
    # a neighbour's year withheld ('c') in the demo's benchmark file, read here on its own
    import csv

    from tests.conftest import demo_parameters
    with open(demo_parameters().parent / ".." / "data" / "demo" / "benchmarks" / "benchmarks.csv",
              newline="") as handle:
        file_rows = [x for x in csv.DictReader(handle) if x["indicator"] == "newborn_rate_per_10k_births"
                     and x["geographic_level"] == "Local authority" and x["suppressed"] == "True"]
    neighbours = set(rows.loc[rows.indicator == "newborn_rate_per_10k_births", "group"])
    cell = next(x for x in file_rows if x["area_code"] in neighbours)
    code, period = cell["area_code"], cell["period"]
    bench = rows[(rows.indicator == "newborn_rate_per_10k_births") & (rows.group == code)]
    withheld = bench[bench.period == period].iloc[0]  # 'c' in the synthetic DfE file: missing, never 0
    assert pd.isna(withheld.numerator) and pd.isna(withheld.value) and withheld.denominator == int(cell["denominator"])
    assert withheld.suppressed  # flagged as withheld, as its publisher flagged it (not merely blank)
    for audience in (True, False):  # an internal book does not un-withhold another publisher's figure
        again = rows_of(r, disclosure.decide([r], audience, 6)).reset_index()
        assert again[(again.indicator == "newborn_rate_per_10k_births") & (again.group == code)
                     & (again.period == period)].iloc[0].suppressed
    frame = r.items["funnel_plot"].data
    shown = frame[[c.text == code for c in frame["Area code"]]].iloc[0]  # a withheld year: left out of its sum
    assert shown["Years"].text.split()[0] != shown["Years"].text.split()[-1]
    assert all(not numeric(v) != numeric(v) for v in frame["Live births"])  # no missing births among those shown
    # the area's own published row is its own count: withheld whenever the book withholds that count
    own = [row for row in r.indicators if row.indicator == "newborn_rate_per_10k_births" and row.group == "E99999001"
           and row.period == "2019/20"][0]
    assert [c.key for c in own.cell.on] == [key("proceedings", "newborns", "2019/20")]
    hidden = disclosure.Decision(True, 6, frozenset({key("proceedings", "newborns", "2019/20")}))
    assert present.indicator_rows(r, hidden)[r.indicators.index(own)]["suppressed"]


def test_regional_section_gives_the_between_region_share_with_its_interval_and_leads_with_the_test(demo_result):
    from prebirth.chapters import common
    from tests.conftest import demo_parameters

    model = infants.regional_fit(infants.Chapter(1, "x", common.prepare(str(demo_parameters()))))
    variation = model.variation
    rows = [row for row in demo_result.indicators if row.indicator == "regional_between_share_of_variation"]
    assert len(rows) == 1
    cell = rows[0].cell
    assert (cell.value, cell.lower, cell.upper) == (variation["between_region_share"],
                                                   variation["between_region_share_lower"],
                                                   variation["between_region_share_upper"])
    assert cell.lower < cell.value < cell.upper
    finding = [f for f in demo_result.findings if f.indicator == "regional_between_share_of_variation"][0]
    assert "is uncertain: an estimated" in finding.text.template and "only 9 regions" in finding.text.template
    summary = demo_result.items["regional_summary"]
    assert summary.note.startswith("Whether regional trends differ is tested first (p = ")
    assert "exploratory" in summary.caption and "between regions 0.0" in summary.analyst_note
    assert "between authorities within a region 0.0" in summary.analyst_note
    assert "What it suggests (exploratory)" in summary.frame.columns
    # the area against its region: the limits allow for the usual spread between the region's authorities
    position = demo_result.items["regional_position"].template
    assert "usual" in position and "chance would explain" not in position


def test_regional_note_tells_z_authorities_that_did_not_exist_apart_from_c_withheld(tmp_path):
    # A DfE file read by the book's own reader: one authority-year withheld (c), one marked z (the
    # authority did not exist); counted by hand: 1 and 1.
    from prebirth.data.benchmarks import load_benchmarks

    header = ("time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
              "old_la_code,la_name,new_la_code,cla_group,characteristic,number,percentage\n")
    lines = []
    areas = [("E06000001", "Hartlepool", "E12000001", "North East", "805"),
             ("E06000002", "Middlesbrough", "E12000001", "North East", "806"),
             ("E08000001", "Bolton", "E12000002", "North West", "350"),
             ("E08000002", "Bury", "E12000002", "North West", "351")]
    for year, under in ((2021, ["12", "c", "15", "9"]), (2022, ["14", "11", "z", "10"])):
        for (code, name, rcode, rname, old), u in zip(areas, under):
            total = "z" if u == "z" else "80"
            for characteristic, number in (("Under 1 year", u), ("Total", total)):
                lines.append(f"{year},Reporting year,Local authority,E92000001,England,{rcode},{rname},{old},{name},"
                             f"{code},Age group,{characteristic},{number},\n")
    (tmp_path / "la_cla_who_started_to_be_looked_after_2022.csv").write_text(header + "".join(lines))
    benchmarks = load_benchmarks(tmp_path)
    ch = make_chapter({"children": [child("A", "2020-01-01")]}, benchmarks=benchmarks)
    model = infants.regional_fit(ch)
    assert (model.excluded_suppressed, model.excluded_not_applicable) == (1, 1)
    note = infants.compute(ch.prepared).items["regional_variation"].note
    assert ("Authority-years without a figure were left out, never counted as zero: 1 withheld by the publisher to "
            "protect small numbers (c) and 1 marked z (not applicable: the authority did not exist that year") in note
