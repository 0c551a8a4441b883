"""Chapter 1: Infants and newborns in care proceedings.

Counts follow DESIGN 5.2 (``prebirth.definitions``): children counted once per financial
year at their first issue; infant = under one at issue; newborn = under
``newborn_days`` days at issue; rates per 10,000 live births pair financial year t/t+1
with calendar-year t births.

Children in proceedings are the book-wide cells ``key("proceedings", group, period)``
with group "all children", "infants" or "newborns" (chapter 5 publishes the same
counts under the same keys); newborns are among the infants, infants among all
children. Children starting to be looked after (SSDA903) are ``key("starters",
"under 1" | "all", period)``. Benchmarks (England, the region, other authorities) are
figures already published by others: they are shown as they are, keeping their
publisher's suppression (missing stays missing).

:func:`compute` returns everything the chapter publishes as a
:class:`~prebirth.results.ChapterResult`; the book's disclosure step decides what is withheld.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import charts, definitions as d
from ..results import (ChapterResult, Chart, Count, Measure, Plain, ResultTable, Share, Text, frame_of, key,
                       not_yet as result_not_yet)
from ..results import Notice as ResultNotice
from ..stats import intervals
from ..formats import num, pct, signed_pct
from .common import Chapter, Prepared
from .infants_compare import INVENTED, source_label, sources_note

NUMBER, KEY, TITLE = 1, "infants_and_newborns", "Infants and newborns in care proceedings"
RATE_METHOD = "exact Poisson limits for counts under 10, Byar's method above"
SHARE_METHOD = "Wilson score interval"
BENCH_RATE = "newborn_rate_per_10k_births"
BENCH_INFANT_RATE = "infant_rate_per_10k_births"
BENCH_STARTERS = "infant_starters_share"


def _memo(ch: Chapter, name: str, compute):
    return ch.memo(f"infants:{name}", compute)


def can_answer(ch: Chapter) -> bool:
    children, proceedings = ch.data.get("children"), ch.data.get("proceedings")
    return (children is not None and proceedings is not None and not proceedings.empty
            and children["date_of_birth"].notna().any())


def missing_parts(ch: Chapter) -> tuple[str, list[str], str]:
    what = []
    if not ch.data.has("proceedings"):
        what.append("the proceedings table (one row per child per care application, with its issue date)")
    children = ch.data.get("children")
    if children is not None and not children["date_of_birth"].notna().any():
        what.append("children's dates of birth")
    return ("how many infants and newborns come into care proceedings.", what,
            "the issue date of every care application and each child's full date of birth.")


def children_in_period(ch: Chapter) -> pd.DataFrame:
    """One row per child per financial year in proceedings within the report period."""
    return _memo(ch, "rows", lambda: d.children_in_proceedings(
        ch.data.get("proceedings"), ch.data.get("children"), ch.params.newborn_days,
        ch.params.period.start, ch.params.period.end))


def yearly(ch: Chapter) -> pd.DataFrame:
    """Counts, shares and rates by financial year and for the whole period ('all'), unsuppressed."""
    def compute():
        rows = children_in_period(ch)
        births = ch.data.get("births")
        years = d.financial_years(ch.params.period.start, ch.params.period.end)
        out = []
        for fy in years:
            group = rows[rows["financial_year"] == fy]
            out.append(_counts(fy, group, d.births_for_year(births, fy)))
        table = pd.DataFrame(out)
        paired = table["live_births"].notna()
        total = _counts("all", d.first_in_period(rows), None)
        # The whole-period rate sums the yearly counts over the years that have births.
        total["newborns_rated"] = table.loc[paired, "newborns"].sum() if paired.any() else np.nan
        total["infants_rated"] = table.loc[paired, "infants"].sum() if paired.any() else np.nan
        total["live_births"] = table.loc[paired, "live_births"].sum() if paired.any() else np.nan
        table["newborns_rated"], table["infants_rated"] = table["newborns"], table["infants"]
        table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
        for share, num_, den in (("infants_share", "infants", "children_aged"),
                                 ("newborns_share_of_infants", "newborns", "infants")):
            table[share], table[f"{share}_lower"], table[f"{share}_upper"] = intervals.proportion_ci(
                table[num_].to_numpy(float), table[den].to_numpy(float))
        for rate, num_ in (("newborn_rate", "newborns_rated"), ("infant_rate", "infants_rated")):
            table[rate], table[f"{rate}_lower"], table[f"{rate}_upper"] = intervals.rate_ci(
                table[num_].to_numpy(float), table["live_births"].to_numpy(float), 10000)
        return table
    return _memo(ch, "yearly", compute)


def _counts(period: str, group: pd.DataFrame, births) -> dict:
    return {"period": period, "children": len(group), "children_aged": int(group["infant"].notna().sum()),
            "infants": int(group["infant"].fillna(False).sum()), "newborns": int(group["newborn"].fillna(False).sum()),
            "live_births": births}


# -- comparison with England, the region and statistical neighbours ---------------

def region_name(ch: Chapter) -> str | None:
    return ch.benchmarks.region_of(ch.params.area_code) or ch.params.region


def neighbour_codes(ch: Chapter) -> list[str]:
    if isinstance(ch.params.comparators, list):
        return list(ch.params.comparators)
    return ch.benchmarks.neighbours.get(ch.params.area_code, [])


def comparator_rates(ch: Chapter, indicator: str) -> pd.DataFrame:
    """Benchmark rows for England, the region, the neighbours and the area itself, labelled by group."""
    tidy = ch.benchmarks.indicator(indicator)
    if tidy.empty:
        return pd.DataFrame(columns=["group", "period", "value", "numerator", "denominator", "suppressed", "area_name"])
    region = region_name(ch)
    national = tidy[tidy["geographic_level"] == "National"].assign(group="England")
    # Inner and Outer London are published as regional rows too: keep the region itself.
    regional = tidy[(tidy["geographic_level"] == "Regional") & (tidy["region_name"] == region)
                    & ((tidy["area_name"] == region) | tidy["area_code"].fillna("").str.startswith("E12"))]
    regional = regional.drop_duplicates(["period"]).assign(group=region)
    local = tidy[(tidy["geographic_level"] == "Local authority") &
                 tidy["area_code"].isin(neighbour_codes(ch) + [ch.params.area_code])]
    local = local.assign(group=local["area_code"])
    return pd.concat([national, regional, local], ignore_index=True)


def pooled_rates(ch: Chapter, indicator: str, years: list[str], *, published_years: bool = False) -> pd.DataFrame:
    """Each LA's numerator and denominator summed over the years.

    By default an LA with any withheld (or missing) year is left out. With ``published_years`` every LA is
    kept and summed over the years whose numerator and denominator are both published; ``years`` says how
    many of the years that is (a withheld year is left out, never counted as 0)."""
    tidy = ch.benchmarks.indicator(indicator)
    local = tidy[(tidy["geographic_level"] == "Local authority") & tidy["period"].isin(years)]
    if local.empty:
        return pd.DataFrame(columns=["area_code", "area_name", "numerator", "denominator", "value", "years"])
    usable = ~local["suppressed"].astype(bool) & local["numerator"].notna()
    if published_years:
        chosen = local[usable & (local["denominator"] > 0)].drop_duplicates(["area_code", "period"])
    else:
        complete = usable.groupby(local["area_code"]).transform("all") & (
            local.groupby("area_code")["period"].transform("size") == len(years))
        chosen = local[complete]
    pooled = chosen.groupby(["area_code", "area_name"], as_index=False).agg(
        numerator=("numerator", "sum"), denominator=("denominator", "sum"), years=("period", "nunique"))
    pooled["value"] = pooled["numerator"] / pooled["denominator"] * 10000
    return pooled[["area_code", "area_name", "numerator", "denominator", "value", "years"]]


def comparison_years(ch: Chapter) -> list[str]:
    t = yearly(ch)
    ours = set(t.loc[(t["period"] != "all") & t["live_births"].notna(), "period"])
    theirs = set(ch.benchmarks.indicator(BENCH_RATE)["period"])
    return sorted(ours & theirs)


def describe_flag(flag) -> str:
    text = str(flag).lower()
    if "high" in text or "above" in text:
        return "higher than England's (outside the funnel's limits)"
    if "low" in text or "below" in text:
        return "lower than England's (outside the funnel's limits)"
    return "within the range expected from chance (inside the funnel)"


# -- children starting to be looked after (SSDA903) ------------------------------

def starters_by_year(ch: Chapter) -> pd.DataFrame:
    def compute():
        started = d.starters(ch.data.get("care_episodes"), ch.data.get("children"))
        start, end = pd.Timestamp(ch.params.period.start), pd.Timestamp(ch.params.period.end)
        started = started[(started["start_date"] >= start) & (started["start_date"] <= end)]
        years = d.financial_years(start, end)
        rows = []
        for fy in years + ["all"]:
            group = started if fy == "all" else started[started["financial_year"] == fy]
            if fy == "all":
                group = group.drop_duplicates("child_id")
            known = group["under_1"].notna()
            rows.append({"period": fy, "under_1": int(group["under_1"].fillna(False).sum()),
                         "starters": int(known.sum())})
        table = pd.DataFrame(rows)
        table["share"], table["lower"], table["upper"] = intervals.proportion_ci(
            table["under_1"].to_numpy(float), table["starters"].to_numpy(float))
        return table
    return _memo(ch, "starters", compute)


# -- regional variation across every authority in the benchmarks -------------------

def regional_fit(ch: Chapter):
    """Quasi-binomial regional model of the under-1 share of starters (see stats.regional)."""
    def compute():
        from ..stats.regional import regional_model

        tidy = ch.benchmarks.indicator(BENCH_STARTERS)
        local = tidy[tidy["geographic_level"] == "Local authority"]
        if local.empty or local["region_name"].isna().all():
            return None
        frame = local[["area_code", "area_name", "region_name", "period", "numerator", "denominator"]].copy()
        frame.loc[local["suppressed"].to_numpy(), ["numerator", "denominator"]] = np.nan
        # z (the authority did not exist that year) is told apart from c (withheld to protect small numbers).
        frame["not_applicable"] = (local["not_applicable"].to_numpy(dtype=bool) if "not_applicable" in local.columns
                                   else False)
        return regional_model(frame)
    return _memo(ch, "regional", compute)


def _versus_region(label) -> str:
    text = str(label or "").lower()
    if "high" in text:
        return "higher than its region's figure, even allowing for the usual differences between the region's authorities"
    if "low" in text:
        return "lower than its region's figure, even allowing for the usual differences between the region's authorities"
    return "within the usual range of the region's authorities" if text else "not assessed"


def _spread_note(spread, method, units: str = "authorities") -> str:
    """Say in plain words which limits are drawn (how far the authorities differ, measured, is
    analyst detail: :func:`_spread_detail`)."""
    if spread.phi is None or np.isnan(spread.phi):
        return "The limits allow for chance only (too few authorities to measure how far they differ)." if method else ""
    if method in ("additive", "multiplicative"):
        return ("The limits allow for the real differences between authorities as well as chance: an authority "
                "outside them stands out even allowing for that spread.")
    if spread.overdispersed:
        return ("The limits allow for chance only, but authorities differ far more than chance would explain, so "
                "many lie outside them.")
    return "The limits allow for chance only."


def _spread_detail(spread, method, units: str = "authorities") -> str:
    """How far the authorities differ beyond chance, and how the limits allow for it (for analysts)."""
    if spread.phi is None or np.isnan(spread.phi):
        return ""
    measured = (f"phi = {num(spread.phi, 1)}: the variance of the {spread.n_units} {units}' rates is "
                f"{num(spread.phi, 1)} times what chance alone would give, measured after pulling in the 10% most "
                "extreme at each end")
    if method == "additive":
        sd = np.sqrt(spread.tau2) * 10000
        return (f"Spiegelhalter 2005, additive random effects: a between-authority standard deviation of {num(sd, 1)} "
                f"per 10,000 births added to chance; {measured}.")
    if method == "multiplicative":
        return f"Spiegelhalter 2005, multiplicative: chance's spread widened by the square root of phi; {measured}."
    return f"Limits for chance only; {measured}."


# -- the chapter's cells ------------------------------------------------------------------

GROUPS = ("all children", "infants", "newborns")
RATE_UNIT = "per 10,000 live births"


def years_label(years) -> str:
    """The period of a count summed over several financial years (e.g. the years with births)."""
    return "+".join(years)


class Cells:
    """The chapter's counts under their book-wide keys, and the relations a reader can use."""

    def __init__(self, r: ChapterResult, ch: Chapter, table: pd.DataFrame):
        self.r, self.ch = r, ch
        self.rows = table.set_index("period")
        self.years = [p for p in self.rows.index if p != "all"]
        self.rest_infants = f"infants aged {ch.params.newborn_days} days to under 1"

    # children in proceedings
    def children(self, group: str, period: str) -> Count:
        column = {"all children": "children", "infants": "infants", "newborns": "newborns"}[group]
        return Count(key("proceedings", group, period), int(self.rows.loc[period, column]))

    def aged(self, period: str) -> Count:
        """Children whose age at issue is known (the infants' share is of them)."""
        row = self.rows.loc[period]
        if row["children_aged"] == row["children"]:
            return self.children("all children", period)
        return Count(key("proceedings", "children of known age", period), int(row["children_aged"]))

    def summed(self, group: str, years: list[str]) -> Count:
        """A group's children summed over some years (each child once per year, as in the years)."""
        value = sum(self.children(group, p).value for p in years)
        total = Count(key("proceedings", group, years_label(years)), value)
        if len(years) > 1:
            self.r.relate(total, [self.children(group, p) for p in years],
                          f"{group} in proceedings over {years[0]} to {years[-1]} = the years' counts")
        return total

    def relate(self) -> None:
        """Newborns within infants within children of known age within all children, each year and in
        all; every group's years against the whole period."""
        r, days = self.r, self.ch.params.newborn_days
        for period in [*self.years, "all"]:
            row = self.rows.loc[period]
            everyone, infants, newborns, aged = (self.children("all children", period),
                                                 self.children("infants", period),
                                                 self.children("newborns", period), self.aged(period))
            for c in (everyone, infants, newborns, aged):
                r.hidden_count(c.key, c.value)
            older = r.hidden_count(key("proceedings", "older children", period), int(row["children_aged"] - row["infants"]))
            rest = r.hidden_count(key("proceedings", self.rest_infants, period), int(row["infants"] - row["newborns"]))
            r.relate(infants, [newborns, rest], f"infants = newborns (under {days} days) + infants aged {days} days "
                                                "to under 1")
            r.relate(aged, [infants, older], "children of known age = infants + older children")
            if aged.key != everyone.key:
                unknown = r.hidden_count(key("proceedings", "age not known", period),
                                         int(row["children"] - row["children_aged"]))
                r.relate(everyone, [aged, unknown], "all children = children of known age + age not known")
        if not self.years:
            return
        groups = ["all children", "infants", "newborns", "older children", self.rest_infants]
        if any(self.aged(p).key != self.children("all children", p).key for p in [*self.years, "all"]):
            groups += ["children of known age", "age not known"]
        for group in groups:
            whole = key("proceedings", group, "all")
            parts = [key("proceedings", group, p) for p in self.years]
            if whole in r.implicit and all(p in r.implicit for p in parts):
                r.relate_periods(whole, parts, f"{group} in proceedings by year against the whole period")


def compute(prepared: Prepared, upstream: dict | None = None) -> ChapterResult:
    """Everything chapter 1 publishes, before disclosure."""
    ch = Chapter(NUMBER, KEY, prepared)
    r = ChapterResult(NUMBER, KEY, TITLE)
    r.glue.update(dict.fromkeys(("ch1_newborn_rate_all", "ch1_infants_share_all")))
    r.prompts = ["Show the rate chart first and ask: what do you think happened here, and when?",
                 "Use the funnel plot to talk about chance: which differences would you expect by luck?",
                 "Ask families and practitioners what a \"newborn in proceedings\" looked like from their side."]
    answer = can_answer(ch)
    r.status = {"answer": "can answer" if answer else "not yet"}
    cells = None
    if answer:
        table = yearly(ch)
        cells = Cells(r, ch, table)
        cells.relate()
        _headline(r, cells, ch, table)
        _year_table(r, cells, ch, table)
        _rate_chart(r, cells, ch, table)
        _trend(r, ch, table)
        years = comparison_years(ch)
        _funnel(r, cells, ch, years)
        _neighbours(r, cells, ch, years)
        from . import infants_compare
        infants_compare.national_shares(r, ch, cells)
        infants_compare.latest_rate_by_name(r, ch, cells)
        infants_compare.age_at_issue(r, ch, cells)
        infants_compare.known_before_birth_table(r, ch, cells)
    else:
        r.add("year_table", result_not_yet(*missing_parts(ch)))
    starters = _starters(r, ch, cells)
    _starters_by_name(r, ch, starters)
    _regional(r, ch, starters)
    return r


def _starters_by_name(r: ChapterResult, ch: Chapter, starters: pd.DataFrame | None) -> None:
    """The area's published share of babies among children starting to be looked after, by name beside
    England, its region and its neighbours (resting on the area's own counts where the book holds them)."""
    from . import infants_compare

    years = [] if starters is None else [p for p in starters["period"] if p != "all"]

    def own(period):
        if period not in years:
            return ()
        under, every = _starter_counts(r, starters, period)
        return (under, every, Count(key("starters", "1 and over", period), every.value - under.value))

    infants_compare.starters_by_name(r, ch, own)


def _rate(count: Count, births, lower, upper, value) -> Measure:
    return Measure(value, on=(count,), lower=lower, upper=upper, unit="number", digits=1, numerator=count,
                   denominator=float(births))


def _rates(cells: Cells, table: pd.DataFrame, period: str) -> dict:
    """The newborn and infant rates of a period (None without births)."""
    row = table.set_index("period").loc[period]
    if pd.isna(row["live_births"]):
        return {"newborn_rate": None, "infant_rate": None}
    paired = [p for p in cells.years if pd.notna(cells.rows.loc[p, "live_births"])]
    out = {}
    for rate, group in (("newborn_rate", "newborns"), ("infant_rate", "infants")):
        count = cells.summed(group, paired) if period == "all" else cells.children(group, period)
        out[rate] = _rate(count, row["live_births"], row[f"{rate}_lower"], row[f"{rate}_upper"], row[rate])
    return out


def _headline(r: ChapterResult, cells: Cells, ch: Chapter, table: pd.DataFrame) -> None:
    years = table[(table["period"] != "all") & (table["children"] > 0)]
    if years.empty:
        r.add("headline", ResultNotice("There were no care proceedings in the report period."))
        return
    latest = years.iloc[-1]["period"]
    area = Plain(ch.params.area_name)
    days = ch.params.newborn_days
    children = cells.children("all children", latest)
    infants_share = Share.of(cells.children("infants", latest), cells.aged(latest))
    newborns_share = Share.of(cells.children("newborns", latest), cells.children("infants", latest))
    parts = [Text(f"In {latest}, " "{children} children were the subject of new care proceedings in {area}.",
                  {"children": children, "area": area},
                  Text(f"In {latest}, the number of children who were the subject of new care proceedings in "
                       "{area} is withheld so that no family can be identified.", {"area": area})),
             Text("{infants} of them were babies under one year old, and {newborns} of those babies were less than "
                  f"{days} days old when proceedings were issued.", {"infants": infants_share, "newborns": newborns_share},
                  Text("{infants} of them were babies under one year old.", {"infants": infants_share}))]
    latest_rate = _rates(cells, table, latest)["newborn_rate"]
    if latest_rate is not None:
        parts.append(Text("That is {rate} newborn babies for every 10,000 babies born in the area.",
                          {"rate": latest_rate}))
    whole = _rates(cells, table, "all")
    total_share = Share.of(cells.children("infants", "all"), cells.aged("all"))
    if whole["newborn_rate"] is not None:
        rate = whole["newborn_rate"]
        parts.append(Text("Over the whole period the rate was {rate} per 10,000 live births ({rate:interval}).",
                          {"rate": rate}))
        r.finding("Newborns in care proceedings: {rate} per 10,000 live births over the period.",
                  "newborn_rate_per_10k_births", rate=rate)
        r.glue["ch1_newborn_rate_all"] = rate
    r.finding("Babies under one were {share} of children in care proceedings.", "infants_share", share=total_share)
    r.glue["ch1_infants_share_all"] = total_share
    r.add("headline", ResultNotice(parts))


def _year_table(r: ChapterResult, cells: Cells, ch: Chapter, table: pd.DataFrame) -> None:
    days = ch.params.newborn_days
    records, rate_records = [], []
    for _, row in table.iterrows():
        period = row["period"]
        everyone, infants, newborns = (cells.children(g, period) for g in GROUPS)
        infants_share = Share.of(infants, cells.aged(period))
        newborns_share = Share.of(newborns, infants)
        rates = _rates(cells, table, period)
        r.indicator("proceedings_children", period, everyone, unit="count",
                    method="children counted once per financial year at their first issue")
        r.indicator("infants_share", period, infants_share, method=SHARE_METHOD)
        r.indicator("newborns_share_of_infants", period, newborns_share, method=SHARE_METHOD)
        if rates["newborn_rate"] is not None:
            r.indicator("newborn_rate_per_10k_births", period, rates["newborn_rate"], unit=RATE_UNIT, method=RATE_METHOD)
            r.indicator("infant_rate_per_10k_births", period, rates["infant_rate"], unit=RATE_UNIT, method=RATE_METHOD)
        births = row["live_births"]
        records.append({
            "Year": "All years" if period == "all" else period,
            "Children in proceedings": everyone,
            "Infants (under 1)": infants,
            "Infants as a share of all children": infants_share,
            f"Newborns (under {days} days)": newborns,
            "Newborns as a share of infants": newborns_share,
        })
        rate_records.append({
            "Year": "All years" if period == "all" else period,
            "Live births (calendar year)": f"{int(births):,}" if pd.notna(births) else "not supplied",
            "Newborns per 10,000 live births": rates["newborn_rate"] or "no births supplied",
            "Infants per 10,000 live births": rates["infant_rate"] or "no births supplied",
        })
    withheld = (f"c = fewer than {ch.min_count} children (withheld so no family can be identified), "
                "or a figure that would reveal one. Ranges are 95% confidence intervals.")
    # Two tables, each narrower than the page: the counts and shares, then the rates per 10,000 births.
    r.add("year_table", ResultTable(
        frame_of(records), "Children, infants and newborns in care proceedings, by financial year of issue",
        note=withheld, download="by-year"))
    r.add("rate_table", ResultTable(
        frame_of(rate_records), "Newborns and infants in care proceedings for every 10,000 live births, by "
        "financial year of issue",
        note=withheld + " Rates pair the financial year 2019/20 with births in the calendar year 2019.",
        download="rates-by-year"))


def _events(ch: Chapter) -> list[dict]:
    return [{"x": d.financial_year(pd.Series([pd.Timestamp(e.date)])).iloc[0], "label": e.label}
            for e in ch.params.events]


def draw_rates(data: pd.DataFrame, ylabel: str, events: list, roles: dict | None = None):
    """Rates per 10,000 live births by year, one line per series, with 95% intervals; a withheld point breaks
    its line. ``roles``: which series are the area's and the region's (each its colour in every chart)."""
    return charts.lines_with_ci(data, "Year", "Rate", "Series", ylabel, "Rate_lower", "Rate_upper", events,
                                roles=roles)


def _benchmark(value, numerator=None, denominator=None, digits: int = 1, unit: str = "number",
               suppressed: bool = False) -> Measure:
    """A figure published by others (not this area's counts): never withheld here, missing stays missing,
    and one its publisher withheld stays withheld."""
    clean = lambda v: None if v is None or pd.isna(v) else float(v)  # noqa: E731
    return Measure(value, unit=unit, digits=digits, numerator=clean(numerator), denominator=clean(denominator),
                   withheld_at_source=suppressed)


def _rate_chart(r: ChapterResult, cells: Cells, ch: Chapter, table: pd.DataFrame) -> None:
    t = table[table["period"] != "all"]
    if t["live_births"].isna().all():
        r.add("rate_chart", result_not_yet("rates per 10,000 live births.",
                                           ["the births table (live births by calendar year)"],
                                           "ONS live births to mothers resident in the area, by calendar year "
                                           "(births.csv)."))
        return
    area = ch.params.area_name
    records = []
    for label, rate in (("newborns", "newborn_rate"), ("infants", "infant_rate")):
        for period in t["period"]:
            value = _rates(cells, table, period)[rate]
            records.append({"Year": period, "Series": Plain(f"{area}: {label}"),
                            "Rate": value if value is not None else _benchmark(np.nan)})
    bench = comparator_rates(ch, BENCH_RATE)
    for label in ("England", region_name(ch)):
        part = bench[bench["group"] == label] if label else bench.iloc[0:0]
        part = part[part["period"].isin(list(t["period"]))]
        records += [{"Year": row["period"], "Series": Plain(f"{label}: newborns"), "Rate": _benchmark(row["value"])}
                    for _, row in part.iterrows()]
    latest = t[t["live_births"].notna()].tail(1)
    intro = (f"Line chart of newborns and infants in care proceedings per 10,000 live births in {{area}} by financial "
             "year, with England for comparison.")
    alt = Text(intro, {"area": Plain(area)})
    title = Text("Newborns and infants in care proceedings in {area}, per 10,000 live births", {"area": Plain(area)})
    if len(latest):
        period = latest["period"].iloc[0]
        rate = _rates(cells, table, period)["newborn_rate"]
        alt = Text(intro + f" In {period} the newborn rate was " "{rate}.", {"area": Plain(area), "rate": rate}, alt)
        england = bench[(bench["group"] == "England") & (bench["period"] == period)]
        figures = {"area": Plain(area), "rate": rate}
        said = f"In {period}, {{rate}} newborns per 10,000 live births in {{area}} were in care proceedings"
        if len(england) and pd.notna(england["value"].iloc[0]):
            figures["england"] = _benchmark(england["value"].iloc[0])
            cited = source_label(england["source"].iloc[0])
            said += " (England: {england}" + (f", {cited})" if cited else ")")
        title = Text(said, figures, title)
    r.add("rate_chart", Chart(
        draw_rates, frame_of(records),
        "Newborns and infants in care proceedings per 10,000 live births, by financial year "
        "(bars: 95% confidence intervals)", alt,
        options={"ylabel": "per 10,000 live births", "events": _events(ch),
                 "roles": {f"{area}: newborns": "area", f"{area}: infants": "area",
                           f"{region_name(ch)}: newborns": "region"}},
        note=f"Points that rest on fewer than {ch.min_count} children, or would let a small number be worked out, "
             "are not drawn (c in the data below)." + _sources(bench, t["period"], ("England", region_name(ch))),
        download="rates", title=title))


def _trend(r: ChapterResult, ch: Chapter, table: pd.DataFrame) -> None:
    """Quasi-Poisson GLM of yearly counts with a log(births) offset (t intervals), with the
    financial years as time (a year without births leaves a gap, not a shift)."""
    from ..stats import glm

    t = table[(table["period"] != "all") & table["live_births"].notna()]
    records = []
    for label, column in (("Newborns", "newborns"), ("Infants", "infants")):
        if len(t) < 3 or t[column].sum() == 0:
            continue
        fit = glm.poisson_trend(t[column].to_numpy(float), t["live_births"].to_numpy(float), t["period"].tolist())
        if not fit.fitted_ok:
            continue
        # A model estimate: it reproduces no count, so it rests on none.
        ratio = Measure(fit.ratio, lower=fit.lower, upper=fit.upper, unit="number", digits=2)
        indicator = "newborn_rate_trend_ratio" if column == "newborns" else "infant_rate_trend_ratio"
        r.indicator(indicator, "all", ratio, unit="rate ratio per year",
                    method=f"{fit.model} GLM with log(live births) offset")
        change = fit.ratio - 1
        direction = "rose" if fit.lower > 1 else "fell" if fit.upper < 1 else "showed no clear change"
        records.append({"Babies": label, "Change per year": signed_pct(change, 1),
                        "95% confidence interval": f"{pct(fit.lower - 1, 1)} to {pct(fit.upper - 1, 1)}",
                        "Model": fit.model, "What it means": f"the rate {direction}"})
        if column == "newborns":
            r.finding(f"The newborn rate {direction} over the period ({signed_pct(change, 1)} a year).",
                      "newborn_rate_trend_ratio")
    if not records:
        r.add("trend", ResultNotice("There are too few years with births and proceedings to model a trend."))
        return
    r.add("trend", ResultTable(
        frame_of(records).drop(columns="Model"), "Average yearly change in the rate per 10,000 live births",
        note="How much the rate rose or fell on average each year, with its 95% confidence interval: where the "
             "interval runs from a fall to a rise, the rate showed no clear change.",
        analyst_note="A Poisson regression of yearly counts with live births as the exposure, quasi-Poisson: its "
                     "interval is widened by how much more the yearly counts vary than a Poisson model allows (never "
                     "narrowed), and neighbouring years are treated as independent.",
        download="trend", download_frame=frame_of(records)))


def _own_rate(cells: Cells, ch: Chapter, years: list[str]) -> Measure:
    """This area's newborn rate pooled over the comparison years: a measure on its own counts."""
    newborns = cells.summed("newborns", years)
    births = float(sum(cells.rows.loc[p, "live_births"] for p in years))
    value, lower, upper = intervals.rate_ci(np.array([float(newborns.value)]), np.array([births]), 10000)
    return Measure(float(value[0]), on=(newborns,), lower=float(lower[0]), upper=float(upper[0]), unit="number",
                   digits=1, numerator=newborns, denominator=births)


def draw_funnel(data: pd.DataFrame, limits: pd.DataFrame, target: float, highlight: str, xlabel: str, ylabel: str,
                neighbours: list):
    """Funnel plot: every authority's rate against its births; a withheld point (NaN) is not drawn."""
    points = pd.DataFrame({"area_code": data["Area code"], "denominator": data["Live births"],
                           "value": data["Per 10,000"]}).dropna(subset=["value"])
    return charts.funnel(points, limits, target, highlight, xlabel, ylabel, neighbours)


def _funnel(r: ChapterResult, cells: Cells, ch: Chapter, years: list[str]) -> None:
    from ..stats import funnel

    if not years:
        r.add("funnel_plot", result_not_yet(
            "how the area compares with other authorities.",
            ["benchmarks with newborns in proceedings and live births for other authorities"],
            "point 'benchmarks:' at a folder with the published figures (see the data guide)."))
        return
    code, area = ch.params.area_code, ch.params.area_name
    # Every authority over its published years: a year withheld by the publisher is left out, never read as 0.
    pooled = pooled_rates(ch, BENCH_RATE, years, published_years=True)
    mine = _own_rate(cells, ch, years)
    pooled = pd.concat([pooled[pooled["area_code"] != code], pd.DataFrame([{
        "area_code": code, "area_name": area, "numerator": float(mine.numerator.value),
        "denominator": mine.denominator, "value": mine.numerator.value / mine.denominator * 10000,
        "years": len(years)}])], ignore_index=True)
    national = ch.benchmarks.indicator(BENCH_RATE)
    national = _with_counts(national[(national["geographic_level"] == "National") & national["period"].isin(years)])
    target = (national["numerator"].sum() / national["denominator"].sum() * 10000 if len(national)
              else pooled["numerator"].sum() / pooled["denominator"].sum() * 10000)
    method = None if ch.params.overdispersion == "none" else ch.params.overdispersion
    spread = funnel.estimate_overdispersion(pooled["numerator"], pooled["denominator"], statistic="rate",
                                            target=target / 10000)
    chosen = method
    if not np.isfinite(spread.phi):
        method = None  # too few authorities to measure their spread: chance-only limits, and the note says so
    phi = spread.phi if method else 1.0
    tau2 = spread.tau2 if method else 0.0
    limits = funnel.rate_funnel_limits(np.linspace(pooled["denominator"].min() * 0.8, pooled["denominator"].max() * 1.1,
                                                   200), target, multiplier=10000, overdispersion=method, phi=phi,
                                       tau2=tau2)
    pooled["flag"] = funnel.rate_funnel_significance(pooled["numerator"], pooled["denominator"], target,
                                                     multiplier=10000, overdispersion=method)
    own = pooled["area_code"] == code
    mine_flag = pooled.loc[own, "flag"].iloc[0]
    others = pooled[~own]
    records = [{"Area code": Plain(row["area_code"]), "Area": Plain(row["area_name"]),
                "Newborns": _benchmark(row["numerator"], digits=0), "Live births": _benchmark(row["denominator"], digits=0),
                "Per 10,000": _benchmark(row["value"]), "Years": Plain(f"{int(row['years'])} of {len(years)}"),
                "compared with England": Plain(str(row["flag"]))}
               for _, row in others.iterrows()]
    records.append({"Area code": Plain(code), "Area": Plain(area), "Newborns": mine.numerator,
                    "Live births": _benchmark(mine.denominator, digits=0), "Per 10,000": mine,
                    "Years": Plain(f"{len(years)} of {len(years)}"),
                    "compared with England": Text(str(mine_flag), {"rate": mine}, "c")})
    records.sort(key=lambda rec: rec["Area"].text)
    flags = others["flag"].astype(str)
    above = int(flags.str.contains("High", case=False).sum())
    below = int(flags.str.contains("Low", case=False).sum())
    partial = int((others["years"] < len(years)).sum())
    limits_kind = "limits allowing for chance only" if method is None else "limits allowing for real differences"
    head = (f"Funnel plot of {{n}} local authorities: newborns in care proceedings per 10,000 live births against the "
            f"number of births, with 95% and 99.8% {limits_kind} around England's rate of {num(target)}. ")
    alt = Text(head.replace("{n}", str(len(pooled))) + "{area} is " + describe_flag(mine_flag) + ".",
               {"rate": mine, "area": Plain(area)}, head.replace("{n}", str(len(others))))
    r.finding(f"Compared with England over {years[0]} to {years[-1]}, the newborn rate is {describe_flag(mine_flag)}.",
              otherwise=None, rate=mine)
    r.add("funnel_plot", Chart(
        draw_funnel, frame_of(records),
        f"Newborns in care proceedings per 10,000 live births, {years[0]} to {years[-1]}: every local authority in "
        "the benchmarks against its number of births", alt,
        options={"limits": limits, "target": target, "highlight": code,
                 "xlabel": f"Live births, calendar years {years[0][:4]} to {int(years[-1][:4])}",
                 "ylabel": "Newborns per 10,000 live births", "neighbours": neighbour_codes(ch)},
        note=f"{above} other authorities lie above the upper 95% limit and {below} below the lower one. "
             + _spread_note(spread, chosen)
             + (f" {partial} authorities have a figure withheld by the publisher in some year: they are shown over "
                "their published years only (see Years), which leave out their smallest counts, so their rates may "
                "read a little high." if partial else "")
             + _centre_note(national, years),
        analyst_note=_spread_detail(spread, chosen),
        download="funnel",
        title=Text(f"{{area}}'s newborn rate over {years[0]} to {years[-1]}, compared with England: "
                   f"{describe_flag(mine_flag)}", {"area": Plain(area), "rate": mine},
                   Text("Newborn rates of every local authority against its number of births", {}))))


def draw_dots(data: pd.DataFrame, value: str, highlight: str, xlabel: str, reference=None, scale: float = 1.0):
    """A dot plot of areas (column "Area") with 95% intervals; a withheld point (NaN) is not drawn."""
    points = pd.DataFrame({"label": data["Area"], "value": data[value] * scale,
                           "lower": data[f"{value}_lower"] * scale, "upper": data[f"{value}_upper"] * scale})
    points = points.dropna(subset=["value"])
    return charts.dots(points, "label", "value", "lower", "upper", highlight, xlabel, reference)


def _neighbours(r: ChapterResult, cells: Cells, ch: Chapter, years: list[str]) -> None:
    codes = neighbour_codes(ch)
    if not codes or not years:
        r.add("neighbours_plot", result_not_yet(
            "how the area compares with its statistical neighbours.",
            ["a statistical-neighbour list and benchmarks for those authorities"],
            "add the DfE statistical neighbours workbook to the benchmarks folder."))
        return
    area = ch.params.area_name
    pooled = pooled_rates(ch, BENCH_RATE, years)
    near = pooled[pooled["area_code"].isin(codes) & (pooled["area_code"] != ch.params.area_code)].copy()
    near["value"], near["lower"], near["upper"] = intervals.rate_ci(near["numerator"].to_numpy(float),
                                                                    near["denominator"].to_numpy(float), 10000)
    mine = _own_rate(cells, ch, years)
    records = [{"Area": Plain(row["area_name"]), "Newborns": _benchmark(row["numerator"], digits=0),
                "Live births": _benchmark(row["denominator"], digits=0),
                "Per 10,000": Measure(row["value"], lower=row["lower"], upper=row["upper"], digits=1)}
               for _, row in near.iterrows()]
    records.append({"Area": Plain(area), "Newborns": mine.numerator, "Live births": _benchmark(mine.denominator, digits=0),
                    "Per 10,000": mine})
    national = comparator_rates(ch, BENCH_RATE)
    national = _with_counts(national[(national["group"] == "England") & national["period"].isin(years)])
    reference = national["numerator"].sum() / national["denominator"].sum() * 10000 if len(national) else None
    values = sorted([*near["value"].tolist(), mine.value], reverse=True)
    rank = values.index(mine.value) + 1
    head = (f"Dot plot of newborn rates per 10,000 live births for {{area}} and {len(near)} statistical neighbours, "
            f"{years[0]} to {years[-1]}, with 95% confidence intervals")
    alt = Text(head + "; {area} " f"ranks {rank} of {len(near) + 1} from the highest.", {"area": Plain(area), "rate": mine},
               Text(head + ".", {"area": Plain(area)}))
    missing_n = len([c for c in codes if c != ch.params.area_code]) - len(near)
    r.add("neighbours_plot", Chart(
        draw_dots, frame_of(records),
        f"Newborns in care proceedings per 10,000 live births: {area} and its statistical neighbours, "
        f"{years[0]} to {years[-1]}", alt,
        options={"value": "Per 10,000", "highlight": area, "xlabel": "Newborns per 10,000 live births",
                 "reference": reference},
        note=(f"{missing_n} neighbour(s) are not shown (no published figures, or a figure withheld by its publisher "
              "in some year). " if missing_n > 0 else "")
             + f"{area}'s own point is not drawn if it rests on fewer than {ch.min_count} children."
             + (_centre_note(national, years).replace("The funnel's centre", "The line for England")
                if reference is not None else ""),
        download="neighbours",
        title=Text("{area} has the " f"{_ordinal(rank) + ' ' if rank > 1 else ''}highest newborn rate of {len(near) + 1} similar areas "
                   f"({years[0]} to {years[-1]})", {"area": Plain(area), "rate": mine},
                   Text("{area} and its statistical neighbours: newborn rates", {"area": Plain(area)}))))


def _ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ... 11th, 12th, 13th, 21st."""
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


# -- children starting to be looked after ------------------------------------------------

def _starter_counts(r: ChapterResult, t: pd.DataFrame, period: str) -> tuple[Count, Count]:
    row = t.set_index("period").loc[period]
    return (Count(key("starters", "under 1", period), int(row["under_1"])),
            Count(key("starters", "all", period), int(row["starters"])))


def draw_starters(data: pd.DataFrame, ylabel: str):
    """The under-1 share of starters by year (per cent, 95% intervals); withheld points are absent."""
    frame = pd.DataFrame({"Year": data["Year"], "Series": data["Series"], "Per cent": data["Per cent"] * 100,
                          "Lower": data["Per cent_lower"] * 100, "Upper": data["Per cent_upper"] * 100})
    return charts.lines_with_ci(frame, "Year", "Per cent", "Series", ylabel, "Lower", "Upper")


def _comparators(r: ChapterResult, ch: Chapter, indicator: str, own) -> None:
    """The benchmark values used, one row each, as published (their publisher's suppression kept).

    The area's own published row is its own counts: ``own(period)`` gives the counts of this book it
    rests on, so it is withheld with them."""
    unit = "proportion" if indicator.endswith("share") else RATE_UNIT
    for _, row in comparator_rates(ch, indicator).iterrows():
        cell = _benchmark(row["value"], row["numerator"], row["denominator"],
                          suppressed=bool(row.get("suppressed", False)) and pd.isna(row["value"]))
        if row["group"] == ch.params.area_code:
            cell = Measure(cell.value, on=own(row["period"]), unit=cell.unit, digits=cell.digits,
                           numerator=cell.numerator, denominator=cell.denominator,
                           withheld_at_source=cell.withheld_at_source)
        r.indicator(indicator, row["period"], cell, group=str(row["group"]), unit=unit,
                    method=("benchmark" if source_label(row.get("source")) == INVENTED else "published benchmark")
                           + f" ({row.get('source') or 'benchmarks'})")


def _with_counts(rows: pd.DataFrame) -> pd.DataFrame:
    """The benchmark rows that give both their count and its denominator (a published figure whose report
    gives no denominator cannot be pooled with others)."""
    return rows[rows["numerator"].notna() & (rows["denominator"] > 0)]


def _sources(bench: pd.DataFrame, periods, groups) -> str:
    """" Comparison figures: ..." naming the source of each comparison line drawn (see ``sources_note``)."""
    drawn = bench[bench["group"].isin([g for g in groups if g]) & bench["period"].isin(list(periods))]
    said = sources_note(drawn)
    return f" {said}" if said else ""


def _centre_note(national: pd.DataFrame, years: list[str]) -> str:
    """Which of England's years the centre line sums, and where they come from (when the rows say)."""
    if national.empty:
        return ""
    used = sorted(national["period"])
    labels = {source_label(s) for s in national["source"]} - {None}
    left_out = [y for y in years if y not in set(used)]
    text = ""
    if left_out:
        text += (f" The funnel's centre is England's rate summed over the years whose newborns and births are both "
                 f"given ({len(used)} of {len(years)}; not {', '.join(left_out)}, published without the number of births)")
    elif labels:
        text += " The funnel's centre is England's rate over these years"
    if labels:
        text += f": {', '.join(sorted(labels))}."
    elif text:
        text += "."
    return text


def _per_cent(numerator: Count, denominator: Count, rest: Count) -> Measure:
    """A share shown as a per cent with one decimal (as the charts' data always were), on its counts
    and its complement."""
    value, lower, upper = intervals.proportion_ci(float(numerator.value), float(denominator.value))
    return Measure(float(value), on=(numerator, denominator, rest), lower=float(lower), upper=float(upper),
                   unit="proportion", digits=1, numerator=numerator, denominator=denominator)


def _starters(r: ChapterResult, ch: Chapter, cells: Cells | None) -> pd.DataFrame | None:
    if not ch.data.has("care_episodes"):
        r.add("starters_chart", result_not_yet(
            "what share of children starting to be looked after are babies under one.",
            ["the care_episodes table (your SSDA903 episodes)"],
            "supply the SSDA903 header and episodes you already return to the DfE."))
        return None
    t = starters_by_year(ch)
    years = [p for p in t["period"] if p != "all"]
    for period in t["period"]:
        under, every = _starter_counts(r, t, period)
        r.hidden_count(under.key, under.value)
        r.hidden_count(every.key, every.value)
        over = r.hidden_count(key("starters", "1 and over", period), every.value - under.value)
        r.relate(every, [under, over], "starters = under 1 + aged 1 and over")
        r.indicator("infant_starters_share", period, Share.of(under, every), method=SHARE_METHOD)
    for what in ("under 1", "all", "1 and over"):
        r.relate_periods(key("starters", what, "all"), [key("starters", what, p) for p in years],
                         f"starters ({what}) by year against the whole period")
    def own_starters(period):
        if period not in years:
            return ()
        under, every = _starter_counts(r, t, period)
        return (under, every, Count(key("starters", "1 and over", period), every.value - under.value))

    def own_newborns(period):
        return (cells.children("newborns", period),) if cells is not None and period in cells.years else ()

    _comparators(r, ch, BENCH_STARTERS, own_starters)
    _comparators(r, ch, BENCH_RATE, own_newborns)
    area = ch.params.area_name
    records = [{"Year": p, "Series": Plain(area), "Per cent": _per_cent(*own_starters(p))} for p in years]
    bench = comparator_rates(ch, BENCH_STARTERS)
    for label in ("England", region_name(ch)):
        part = bench[bench["group"] == label] if label else bench.iloc[0:0]
        part = part[part["period"].isin(years)]
        records += [{"Year": row["period"], "Series": Plain(label),
                     "Per cent": _benchmark(row["value"], digits=1, unit="proportion")} for _, row in part.iterrows()]
    whole = Share.of(*_starter_counts(r, t, "all"))
    intro = ("Line chart of the percentage of children starting to be looked after who were under one, in {area} by "
             "financial year, with England and the region.")
    alt = Text(intro + " Over the whole period it was {share}.", {"area": Plain(area), "share": whole},
               Text(intro, {"area": Plain(area)}))
    # The whole period pooled: no national figure of one year beside it (the latest year's comparison is a main point).
    r.finding("Over the whole period, babies under one were {share} of the children who started to be looked after "
              "here.", "infant_starters_share", share=whole)
    r.add("starters_chart", Chart(
        draw_starters, frame_of(records),
        "Babies under one as a percentage of children starting to be looked after, by financial year", alt,
        options={"ylabel": "% of children starting to be looked after"},
        note=f"Years whose share rests on fewer than {ch.min_count} children, or would let a small number be worked "
             "out, are not drawn (c in the data below)." + _sources(bench, years, ("England", region_name(ch))),
        download="starters"))
    return t


# -- regional variation ---------------------------------------------------------------------

def _regional(r: ChapterResult, ch: Chapter, starters: pd.DataFrame | None) -> None:
    model = regional_fit(ch)
    if model is None:
        r.add("regional_variation", result_not_yet(
            "how the share of babies among children starting care varies between regions.",
            ["benchmarks with every authority's starters by age (DfE 'children looked after' tables)"],
            "add the DfE explore-education-statistics file of children who started to be looked after "
            "to the benchmarks folder."))
        return
    estimates = model.region_estimates
    for _, row in estimates[estimates["region_name"] != "England"].iterrows():
        r.indicator("regional_infant_starters_share", row["period"],
                    Measure(row["share"], lower=row["lower"], upper=row["upper"], unit="proportion", digits=1,
                            numerator=float(row["numerator"]), denominator=float(row["denominator"])),
                    group=str(row["region_name"]),
                    method="pooled share of the region's authorities; Wilson interval widened for overdispersion "
                           "(quasi-binomial)")
    area = ch.params.area_name
    overall = estimates[estimates["period"] == "all"]
    region = region_name(ch)
    records = [{"Area": Plain(row["region_name"] + (" (this area's region)" if row["region_name"] == region else "")),
                "Per cent": Measure(row["share"], lower=row["lower"], upper=row["upper"], unit="proportion", digits=1)}
               for _, row in overall.iterrows()]
    mine = None
    if starters is not None:
        own_years = [p for p in starters["period"] if p != "all" and p in set(model.periods)]
        under = [_starter_counts(r, starters, p)[0] for p in own_years]
        every = [_starter_counts(r, starters, p)[1] for p in own_years]
        if sum(c.value for c in every):
            label = years_label(own_years)
            num_ = Count(key("starters", "under 1", label), sum(c.value for c in under))
            den = Count(key("starters", "all", label), sum(c.value for c in every))
            rest = Count(key("starters", "1 and over", label), den.value - num_.value)
            if len(own_years) > 1:
                r.relate(num_, under, "starters under 1 over the model's years = the years' counts")
                r.relate(den, every, "starters over the model's years = the years' counts")
                r.relate(rest, [key("starters", "1 and over", p) for p in own_years],
                         "starters aged 1 and over, over the model's years = the years' counts")
            mine = _per_cent(num_, den, rest)
    # The area's point is its published figure over the model's years, as the sentence under the chart gives it
    # (resting on its own counts where the book holds them); its own records only when nothing is published.
    position = model.position(ch.params.area_code)
    drawn = mine
    if position.get("share") is not None and not pd.isna(position.get("share")):
        drawn = Measure(position["share"], on=mine.on if mine is not None else (), lower=position.get("lower"),
                        upper=position.get("upper"), unit="proportion", digits=1)
        records.append({"Area": Plain(f"{area} (published)"), "Per cent": drawn})
    elif mine is not None:
        records.append({"Area": Plain(f"{area} (its own records)"), "Per cent": mine})
    england = overall.loc[overall["region_name"] == "England", "share"]
    top = overall[overall["region_name"] != "England"].sort_values("share", ascending=False)
    years = sorted(model.periods)
    alt = Text("Dot plot of the share of children starting to be looked after who were under one, by English region, "
               f"{years[0]} to {years[-1]}, with 95% intervals. Highest: " "{top}" f" ({pct(top.iloc[0]['share'])}); "
               "lowest: {low}" f" ({pct(top.iloc[-1]['share'])}).",
               {"top": Plain(top.iloc[0]["region_name"]), "low": Plain(top.iloc[-1]["region_name"])})
    variation = model.variation
    between = variation.get("between_region_share")
    if between is not None and not pd.isna(between):
        low, high = variation.get("between_region_share_lower"), variation.get("between_region_share_upper")
        r.indicator("regional_between_share_of_variation", "all",
                    Measure(between, lower=low, upper=high, unit="proportion", digits=0),
                    method="between-region variance / (between-region + within-region variance), method-of-moments "
                           "variance components on the logit scale; parametric bootstrap percentile interval")
        if low is not None and not pd.isna(low):
            r.finding("How much of the real variation between authorities in the share of babies among children "
                      f"starting care lies between regions is uncertain: an estimated {pct(between)} (95% interval "
                      f"{pct(low)} to {pct(high)}; only {variation['n_regions']} regions).",
                      "regional_between_share_of_variation")
        else:
            r.finding(f"An estimated {pct(between)} of the real variation between authorities in the share of babies "
                      "among children starting care lies between regions (no interval could be estimated).",
                      "regional_between_share_of_variation")
    r.add("regional_variation", Chart(
        draw_dots, frame_of(records),
        f"Babies under one as a share of children starting to be looked after, by region, {years[0]} to {years[-1]}",
        alt, options={"value": "Per cent", "highlight": records[-1]["Area"].text if drawn is not None else area,
                      "xlabel": "% of children starting to be looked after who were under one",
                      "reference": float(england.iloc[0] * 100) if len(england) else None, "scale": 100.0},
        note=" ".join(x for x in (
            "Each region's range allows for the real differences between its own authorities as well as chance "
            "(an interval clustered by authority).",
            f"{area}'s own share is not drawn if it rests on fewer than {ch.min_count} children." if drawn else "",
            _left_out(model)) if x),
        download="regions"))
    _regional_summary(r, ch, model, mine)


def _variance_text(variation: dict, name: str) -> str:
    value, low, high = (variation.get(f"{name}{end}") for end in ("", "_lower", "_upper"))
    if value is None or pd.isna(value):
        return "not estimable"
    interval = f" (95% interval {num(low, 3)} to {num(high, 3)})" if low is not None and not pd.isna(low) else ""
    return f"{num(value, 3)}{interval}"


def _left_out(model) -> str:
    """Which authority-years have no figure, and why: withheld (c) apart from not applicable (z)."""
    parts = []
    if model.excluded_suppressed:
        parts.append(f"{model.excluded_suppressed} withheld by the publisher to protect small numbers (c)")
    if model.excluded_not_applicable:
        parts.append(f"{model.excluded_not_applicable} marked z (not applicable: the authority did not exist that "
                     "year, as when councils merged or split)")
    if not parts:
        return ""
    return "Authority-years without a figure were left out, never counted as zero: " + " and ".join(parts) + "."


def _regional_summary(r: ChapterResult, ch: Chapter, model, mine: Measure | None) -> None:
    trends = model.region_trends
    p_value = model.trend_heterogeneity_p_value
    differ = (not pd.isna(p_value)) and p_value < 0.05
    records = [{"Region": Plain(row["region_name"]), "Change per year in the odds": signed_pct(row["odds_ratio"] - 1, 1),
                "95% confidence interval": f"{pct(row['lower'] - 1, 1)} to {pct(row['upper'] - 1, 1)}",
                "What it suggests (exploratory)":
                    "rising" if row["lower"] > 1 else "falling" if row["upper"] < 1 else "no clear change"}
               for _, row in trends.iterrows()]
    variation = model.variation
    between = variation.get("between_region_share")
    regions = int((trends["region_name"] != "England").sum())
    test = ("not testable" if pd.isna(p_value) else
            f"p = {num(p_value, 3)}: " + ("the regions' trends differ by more than chance would explain"
                                          if differ else "no clear evidence that the regions' trends differ"))
    share_text = "not estimable"
    if between is not None and not pd.isna(between):
        share_text = pct(between)
        if not pd.isna(variation.get("between_region_share_lower", np.nan)):
            share_text += (f" (95% interval {pct(variation['between_region_share_lower'])} to "
                           f"{pct(variation['between_region_share_upper'])})")
    r.add("regional_summary", ResultTable(
        frame_of(records), "Do trends in the share of babies among children starting to be looked after differ "
                           f"between regions? Test: {test}. Region by region (exploratory)",
        note=f"Whether regional trends differ is tested first ({test}); the region-by-region changes are "
             f"exploratory: with {regions} regions looked at together, one may read as rising or falling by chance "
             "alone.",
        analyst_note="A logistic model within authorities, intervals clustered by authority. "
             f"Variation between authorities on the log-odds scale, beyond chance: between regions "
             f"{_variance_text(variation, 'between_region_variance')}; between authorities within a region "
             f"{_variance_text(variation, 'within_region_variance')}. The between-region share of it is {share_text}, "
             f"from a parametric bootstrap ({variation.get('bootstrap_draws', 0)} simulated data sets); with "
             f"{variation.get('n_regions', regions)} regions it is known only roughly.",
        download="region-trends"))
    position = model.position(ch.params.area_code)
    if position.get("share") is None or pd.isna(position.get("share")):
        if position.get("message"):
            r.add("regional_position", Text("{message}", {"message": Plain(position["message"])}))
        return
    # The authority's own published figure: shown only where this book shows its own counts.
    share = Measure(position["share"], on=mine.on if mine is not None else (), unit="proportion", digits=0)
    r.add("regional_position", Text(
        "In the published figures, {area} ({share}) " f"ranks {int(position['rank'])} of {int(position['n_areas'])} "
        "authorities in {region} " f"(region {pct(position['region_share'])}); compared with its region it is "
        f"{_versus_region(position.get('compared_with_region'))}.",
        {"area": Plain(ch.params.area_name), "share": share, "region": Plain(position["region_name"])}))
