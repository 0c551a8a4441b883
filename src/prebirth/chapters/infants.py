"""Chapter 1: Infants and newborns in care proceedings.

Counts follow DESIGN 5.2 (``prebirth.definitions``): children counted once per financial
year at their first issue; infant = under one at issue; newborn = under
``newborn_days`` days at issue; rates per 10,000 live births pair financial year t/t+1
with calendar-year t births.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import charts, definitions as d, disclosure
from ..stats import intervals
from .common import Chapter, Figure, Notice, Table, count, glue_values, not_yet, num, pct, signed_pct

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


def missing(ch: Chapter) -> Notice:
    """The 'not yet' message when proceedings or dates of birth are not supplied."""
    what = []
    if not ch.data.has("proceedings"):
        what.append("the proceedings table (one row per child per care application, with its issue date)")
    children = ch.data.get("children")
    if children is not None and not children["date_of_birth"].notna().any():
        what.append("children's dates of birth")
    return not_yet("how many infants and newborns come into care proceedings.", what,
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


def record_indicators(ch: Chapter) -> None:
    """Chapter 1's rows of indicators.csv (suppressed in published builds)."""
    table = yearly(ch)
    for _, r in table.iterrows():
        p = r["period"]
        ch.record("proceedings_children", p, r["children"], numerator=r["children"], unit="count",
                  method="children counted once per financial year at their first issue")
        ch.record("infants_share", p, r["infants_share"], numerator=r["infants"], denominator=r["children_aged"],
                  lower=r["infants_share_lower"], upper=r["infants_share_upper"], method=SHARE_METHOD)
        ch.record("newborns_share_of_infants", p, r["newborns_share_of_infants"], numerator=r["newborns"],
                  denominator=r["infants"], lower=r["newborns_share_of_infants_lower"],
                  upper=r["newborns_share_of_infants_upper"], method=SHARE_METHOD)
        if pd.notna(r["live_births"]):
            ch.record("newborn_rate_per_10k_births", p, r["newborn_rate"], numerator=r["newborns_rated"],
                      denominator=r["live_births"], lower=r["newborn_rate_lower"], upper=r["newborn_rate_upper"],
                      unit="per 10,000 live births", method=RATE_METHOD)
            ch.record("infant_rate_per_10k_births", p, r["infant_rate"], numerator=r["infants_rated"],
                      denominator=r["live_births"], lower=r["infant_rate_lower"], upper=r["infant_rate_upper"],
                      unit="per 10,000 live births", method=RATE_METHOD)


def published_yearly(ch: Chapter) -> pd.DataFrame:
    """The yearly table with small counts (and all that derives from them) withheld."""
    table = yearly(ch).copy()
    if not ch.published:
        table["hidden_children"] = table["hidden_infants"] = table["hidden_newborns"] = False
        return table
    counts = table.loc[table["period"] != "all", ["children", "infants", "newborns"]]
    hide = disclosure.secondary_suppress(counts, ch.min_count, axes=(0,))
    for column in ("children", "infants", "newborns"):
        table[f"hidden_{column}"] = False
        table.loc[hide.index, f"hidden_{column}"] = hide[column]
        table.loc[table["period"] == "all", f"hidden_{column}"] = disclosure.small_mask(
            table.loc[table["period"] == "all", column], ch.min_count)
    share_rules = (("infants_share", "infants", "children_aged", "hidden_infants"),
                   ("newborns_share_of_infants", "newborns", "infants", "hidden_newborns"))
    for share, num_, den, hidden in share_rules:
        withhold = table[hidden] | np.array([disclosure.share_needs_suppression(a, b, ch.min_count)
                                             for a, b in zip(table[num_], table[den])], dtype=bool)
        table.loc[withhold, [share, f"{share}_lower", f"{share}_upper"]] = np.nan
    for rate, hidden in (("newborn_rate", "hidden_newborns"), ("infant_rate", "hidden_infants")):
        table.loc[table[hidden], [rate, f"{rate}_lower", f"{rate}_upper"]] = np.nan
    return table


def year_table(ch: Chapter) -> Table | Notice:
    """Children, infants and newborns in proceedings by year, with shares and rates."""
    if not can_answer(ch):
        return missing(ch)
    record_indicators(ch)
    t = published_yearly(ch)
    days = ch.params.newborn_days
    frame = pd.DataFrame({
        "Year": t["period"].replace({"all": "All years"}),
        "Children in proceedings": [count(v, h) for v, h in zip(t["children"], t["hidden_children"])],
        "Infants (under 1)": [count(v, h) for v, h in zip(t["infants"], t["hidden_infants"])],
        "Infants as a share of all children": [_share_ci(r, "infants_share") for _, r in t.iterrows()],
        f"Newborns (under {days} days)": [count(v, h) for v, h in zip(t["newborns"], t["hidden_newborns"])],
        "Newborns as a share of infants": [_share_ci(r, "newborns_share_of_infants") for _, r in t.iterrows()],
        "Live births (calendar year)": [count(v) if pd.notna(v) else "not supplied" for v in t["live_births"]],
        "Newborns per 10,000 live births": [_rate_ci(r, "newborn_rate") for _, r in t.iterrows()],
        "Infants per 10,000 live births": [_rate_ci(r, "infant_rate") for _, r in t.iterrows()],
    })
    download = ch.download_link("by-year", frame)
    return Table(frame, "Children, infants and newborns in care proceedings, by financial year of issue", download,
                 note=f"c = fewer than {ch.min_count} children (withheld so no family can be identified), "
                      "or a figure that would reveal one. Ranges are 95% confidence intervals. "
                      "Rates pair the financial year 2019/20 with births in the calendar year 2019.")


def _share_ci(row, name) -> str:
    if pd.isna(row[name]):
        return disclosure.MARKER if row.get("children", 0) else "none"
    return f"{pct(row[name])} ({pct(row[name + '_lower'])} to {pct(row[name + '_upper'])})"


def _rate_ci(row, name) -> str:
    if pd.isna(row["live_births"]):
        return "no births supplied"
    if pd.isna(row[name]):
        return disclosure.MARKER
    return f"{num(row[name])} ({num(row[name + '_lower'])} to {num(row[name + '_upper'])})"


def headline(ch: Chapter) -> Notice:
    """Plain-English summary of the latest year and the whole period."""
    if not can_answer(ch):
        glue_values(ch, {"ch1_newborn_rate_all": None, "ch1_infants_share_all": None})
        return None
    t = published_yearly(ch)
    years = t[(t["period"] != "all") & (t["children"] > 0)]
    if years.empty:
        glue_values(ch, {"ch1_newborn_rate_all": None, "ch1_infants_share_all": None})
        return Notice("There were no care proceedings in the report period.")
    latest = years.iloc[-1]
    total = t[t["period"] == "all"].iloc[0]
    days = ch.params.newborn_days
    parts = [f"In {latest['period']}, {count(latest['children'], latest['hidden_children'])} children were the "
             f"subject of new care proceedings in {ch.params.area_name}."]
    if pd.notna(latest["infants_share"]):
        parts.append(f"{pct(latest['infants_share'])} of them were babies under one year old")
        if pd.notna(latest["newborns_share_of_infants"]):
            parts[-1] += (f", and {pct(latest['newborns_share_of_infants'])} of those babies were less than "
                          f"{days} days old when proceedings were issued.")
        else:
            parts[-1] += "."
    if pd.notna(latest["newborn_rate"]):
        parts.append(f"That is {num(latest['newborn_rate'])} newborn babies for every 10,000 babies born in the area.")
    if pd.notna(total["newborn_rate"]):
        parts.append(f"Over the whole period the rate was {num(total['newborn_rate'])} per 10,000 live births "
                     f"({num(total['newborn_rate_lower'])} to {num(total['newborn_rate_upper'])}).")
        ch.finding(f"Newborns in care proceedings: {num(total['newborn_rate'])} per 10,000 live births over the period.",
                   "newborn_rate_per_10k_births")
    if pd.notna(total["infants_share"]):
        ch.finding(f"Babies under one were {pct(total['infants_share'])} of children in care proceedings.", "infants_share")
    glue_values(ch, {"ch1_newborn_rate_all": num(total["newborn_rate"]) if pd.notna(total["newborn_rate"]) else None,
                     "ch1_infants_share_all": pct(total["infants_share"]) if pd.notna(total["infants_share"]) else None})
    return Notice(" ".join(parts))


def rate_chart(ch: Chapter) -> Figure | Notice:
    """Newborn and infant rates per 10,000 live births, with England and the region."""
    if not can_answer(ch):
        return None
    t = published_yearly(ch)
    t = t[t["period"] != "all"]
    if t["live_births"].isna().all():
        return not_yet("rates per 10,000 live births.", ["the births table (live births by calendar year)"],
                       "ONS live births to mothers resident in the area, by calendar year (births.csv).")
    rows = [pd.DataFrame({"Year": t["period"], "Series": f"{ch.params.area_name}: newborns", "Rate": t["newborn_rate"],
                          "Lower": t["newborn_rate_lower"], "Upper": t["newborn_rate_upper"]}),
            pd.DataFrame({"Year": t["period"], "Series": f"{ch.params.area_name}: infants", "Rate": t["infant_rate"],
                          "Lower": t["infant_rate_lower"], "Upper": t["infant_rate_upper"]})]
    bench = comparator_rates(ch, BENCH_RATE)
    for label in ("England", region_name(ch)):
        part = bench[bench["group"] == label] if label else bench.iloc[0:0]
        if len(part):
            rows.append(pd.DataFrame({"Year": part["period"], "Series": f"{label}: newborns", "Rate": part["value"],
                                      "Lower": np.nan, "Upper": np.nan}))
    data = pd.concat(rows, ignore_index=True)
    data = data[data["Year"].isin(list(t["period"]))]
    hidden = int(t["newborn_rate"].isna().sum() + t["infant_rate"].isna().sum()) - int(t["live_births"].isna().sum() * 2)
    events = [{"x": d.financial_year(pd.Series([pd.Timestamp(e.date)])).iloc[0], "label": e.label}
              for e in ch.params.events]
    fig = charts.lines_with_ci(data, "Year", "Rate", "Series", "per 10,000 live births", "Lower", "Upper", events)
    latest = t.dropna(subset=["newborn_rate"]).tail(1)
    alt = (f"Line chart of newborns and infants in care proceedings per 10,000 live births in {ch.params.area_name} "
           f"by financial year, with England for comparison." +
           (f" In {latest['period'].iloc[0]} the newborn rate was {num(latest['newborn_rate'].iloc[0])}." if len(latest) else ""))
    note = (f"{hidden} point(s) are not shown because they rest on fewer than {ch.min_count} children."
            if hidden > 0 else "")
    table = data.assign(Rate=data["Rate"].map(lambda v: num(v) if pd.notna(v) else disclosure.MARKER),
                        Lower=data["Lower"].map(lambda v: num(v) if pd.notna(v) else ""),
                        Upper=data["Upper"].map(lambda v: num(v) if pd.notna(v) else ""))
    return Figure(fig, "Newborns and infants in care proceedings per 10,000 live births, by financial year "
                       "(bars: 95% confidence intervals)", alt, table, ch.download_link("rates", table), note)


def trend(ch: Chapter) -> Table | Notice:
    """Trend model: Poisson GLM with a log(births) offset (negative binomial if overdispersed)."""
    if not can_answer(ch):
        return None
    from ..stats import glm

    t = yearly(ch)
    t = t[(t["period"] != "all") & t["live_births"].notna()]
    rows = []
    for label, column in (("Newborns", "newborns"), ("Infants", "infants")):
        if len(t) < 3 or t[column].sum() == 0:
            continue
        fit = glm.poisson_trend(t[column].to_numpy(float), t["live_births"].to_numpy(float),
                                np.arange(len(t), dtype=float))
        if not fit.fitted_ok:
            continue
        suppressed = ch.published and 0 < t[column].sum() < ch.min_count
        indicator = "newborn_rate_trend_ratio" if column == "newborns" else "infant_rate_trend_ratio"
        ch.record(indicator, "all", fit.ratio, lower=fit.lower, upper=fit.upper,
                  unit="rate ratio per year", method=f"{fit.model} GLM with log(live births) offset",
                  suppressed=suppressed)
        change = fit.ratio - 1
        direction = "rose" if fit.lower > 1 else "fell" if fit.upper < 1 else "showed no clear change"
        rows.append({"Babies": label, "Change per year": signed_pct(change, 1),
                     "95% confidence interval": f"{pct(fit.lower - 1, 1)} to {pct(fit.upper - 1, 1)}",
                     "Model": fit.model, "What it means": f"the rate {direction}" if not suppressed else disclosure.MARKER})
        if column == "newborns" and not suppressed:
            ch.finding(f"The newborn rate {direction} over the period ({signed_pct(change, 1)} a year).",
                       "newborn_rate_trend_ratio")
    if not rows:
        return Notice("There are too few years with births and proceedings to model a trend.")
    frame = pd.DataFrame(rows)
    return Table(frame, "Average yearly change in the rate per 10,000 live births (trend model)",
                 ch.download_link("trend", frame),
                 note="A Poisson regression of yearly counts with live births as the exposure; a negative binomial "
                      "model is used instead when the counts vary more than a Poisson model allows.")


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


def record_comparators(ch: Chapter, indicator: str) -> None:
    """The benchmark values used, one row each, as published (issue: comparator rows)."""
    for _, r in comparator_rates(ch, indicator).iterrows():
        unit = "proportion" if indicator.endswith("share") else "per 10,000 live births"
        row = dict(indicator=indicator, period=r["period"], group=r["group"], numerator=r["numerator"],
                   denominator=r["denominator"], value=r["value"], lower=None, upper=None, unit=unit,
                   method=f"published benchmark ({r.get('source') or 'benchmarks'})", suppressed=bool(r["suppressed"]))
        ch.indicators.append({k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()})


def pooled_rates(ch: Chapter, indicator: str, years: list[str]) -> pd.DataFrame:
    """Each LA's numerator and denominator summed over the years; LAs with any withheld year left out."""
    tidy = ch.benchmarks.indicator(indicator)
    local = tidy[(tidy["geographic_level"] == "Local authority") & tidy["period"].isin(years)]
    if local.empty:
        return pd.DataFrame(columns=["area_code", "area_name", "numerator", "denominator", "value"])
    complete = local.groupby("area_code").filter(lambda g: (~g["suppressed"]).all() and g["numerator"].notna().all()
                                                 and len(g) == len(years))
    pooled = complete.groupby(["area_code", "area_name"], as_index=False)[["numerator", "denominator"]].sum()
    pooled["value"] = pooled["numerator"] / pooled["denominator"] * 10000
    return pooled


def comparison_years(ch: Chapter) -> list[str]:
    t = yearly(ch)
    ours = set(t.loc[(t["period"] != "all") & t["live_births"].notna(), "period"])
    theirs = set(ch.benchmarks.indicator(BENCH_RATE)["period"])
    return sorted(ours & theirs)


def funnel_plot(ch: Chapter) -> Figure | Notice:
    """Funnel plot of newborn rates across all authorities in the benchmarks, pooled over the period."""
    if not can_answer(ch):
        return None
    from ..stats import funnel

    years = comparison_years(ch)
    if not years:
        return not_yet("how the area compares with other authorities.",
                       ["benchmarks with newborns in proceedings and live births for other authorities"],
                       "point 'benchmarks:' at a folder with the published figures (see the data guide).")
    pooled = pooled_rates(ch, BENCH_RATE, years)
    t = yearly(ch)
    ours = t[t["period"].isin(years)]
    mine = {"area_code": ch.params.area_code, "area_name": ch.params.area_name,
            "numerator": float(ours["newborns"].sum()), "denominator": float(ours["live_births"].sum())}
    mine["value"] = mine["numerator"] / mine["denominator"] * 10000
    pooled = pd.concat([pooled[pooled["area_code"] != ch.params.area_code], pd.DataFrame([mine])], ignore_index=True)
    national = ch.benchmarks.indicator(BENCH_RATE)
    national = national[(national["geographic_level"] == "National") & national["period"].isin(years)]
    target = (national["numerator"].sum() / national["denominator"].sum() * 10000 if len(national)
              else pooled["numerator"].sum() / pooled["denominator"].sum() * 10000)
    method = None if ch.params.overdispersion == "none" else ch.params.overdispersion
    spread = funnel.estimate_overdispersion(pooled["numerator"], pooled["denominator"], statistic="rate",
                                            target=target / 10000)
    phi = spread.phi if method else 1.0
    tau2 = spread.tau2 if method else 0.0
    limits = funnel.rate_funnel_limits(np.linspace(pooled["denominator"].min() * 0.8, pooled["denominator"].max() * 1.1, 200),
                                       target, multiplier=10000, overdispersion=method, phi=phi, tau2=tau2)
    flags = funnel.rate_funnel_significance(pooled["numerator"], pooled["denominator"], target, multiplier=10000,
                                            overdispersion=method)
    pooled["compared with England"] = flags
    mine_flag = pooled.loc[pooled["area_code"] == ch.params.area_code, "compared with England"].iloc[0]
    hidden = ch.published and disclosure.is_small(mine["numerator"], ch.min_count)
    if hidden:
        pooled = pooled[pooled["area_code"] != ch.params.area_code]
    fig = charts.funnel(pooled, limits, target, ch.params.area_code,
                        f"Live births, calendar years {years[0][:4]} to {int(years[-1][:4])}", "Newborns per 10,000 live births",
                        neighbour_codes(ch))
    above = int((pooled["compared with England"].astype(str).str.contains("higher|above|High", case=False)).sum())
    alt = (f"Funnel plot of {len(pooled)} local authorities: newborns in care proceedings per 10,000 live births "
           f"against the number of births, with 95% and 99.8% control limits around England's rate of {num(target)}. "
           + ("" if hidden else f"{ch.params.area_name} is {describe_flag(mine_flag)}."))
    table = pooled[["area_code", "area_name", "numerator", "denominator", "value", "compared with England"]].rename(
        columns={"area_code": "Area code", "area_name": "Area", "numerator": "Newborns", "denominator": "Live births",
                 "value": "Per 10,000"})
    table["Per 10,000"] = table["Per 10,000"].map(num)
    table = table.sort_values("Area")
    if not hidden:
        ch.finding(f"Compared with England over {years[0]} to {years[-1]}, the newborn rate is {describe_flag(mine_flag)}.")
    return Figure(fig, f"Newborns in care proceedings per 10,000 live births, {years[0]} to {years[-1]}: every local "
                       "authority in the benchmarks against its number of births", alt, table,
                  ch.download_link("funnel", table),
                  f"{above} authorities lie above the upper 95% limit (or the 99.8% limit). Authorities with a withheld "
                  "(small) count in any year are left out. " + _spread_note(spread, method))


def describe_flag(flag) -> str:
    text = str(flag).lower()
    if "high" in text or "above" in text:
        return "higher than England's (outside the funnel's limits)"
    if "low" in text or "below" in text:
        return "lower than England's (outside the funnel's limits)"
    return "within the range expected from chance (inside the funnel)"


def neighbours_plot(ch: Chapter) -> Figure | Notice:
    """Dot plot of the statistical neighbours' newborn rates with 95% intervals."""
    if not can_answer(ch):
        return None
    codes = neighbour_codes(ch)
    years = comparison_years(ch)
    if not codes or not years:
        return not_yet("how the area compares with its statistical neighbours.",
                       ["a statistical-neighbour list and benchmarks for those authorities"],
                       "add the DfE statistical neighbours workbook to the benchmarks folder.")
    pooled = pooled_rates(ch, BENCH_RATE, years)
    near = pooled[pooled["area_code"].isin(codes)].copy()
    t = yearly(ch)
    ours = t[t["period"].isin(years)]
    mine = pd.DataFrame([{"area_code": ch.params.area_code, "area_name": ch.params.area_name,
                          "numerator": float(ours["newborns"].sum()), "denominator": float(ours["live_births"].sum())}])
    mine["value"] = mine["numerator"] / mine["denominator"] * 10000
    near = pd.concat([near, mine], ignore_index=True)
    near["value"], near["lower"], near["upper"] = intervals.rate_ci(near["numerator"].to_numpy(float),
                                                                    near["denominator"].to_numpy(float), 10000)
    if ch.published:
        near = near[~disclosure.small_mask(near["numerator"], ch.min_count)]
    national = comparator_rates(ch, BENCH_RATE)
    national = national[(national["group"] == "England") & national["period"].isin(years)]
    reference = national["numerator"].sum() / national["denominator"].sum() * 10000 if len(national) else None
    fig = charts.dots(near, "area_name", "value", "lower", "upper", ch.params.area_name,
                      "Newborns per 10,000 live births", reference)
    rank = int((near.sort_values("value", ascending=False)["area_name"].tolist()).index(ch.params.area_name) + 1) \
        if ch.params.area_name in set(near["area_name"]) else None
    alt = (f"Dot plot of newborn rates per 10,000 live births for {ch.params.area_name} and {len(near) - 1} statistical "
           f"neighbours, {years[0]} to {years[-1]}, with 95% confidence intervals"
           + (f"; {ch.params.area_name} ranks {rank} of {len(near)} from the highest." if rank else "."))
    table = near[["area_name", "numerator", "denominator", "value", "lower", "upper"]].rename(columns={
        "area_name": "Area", "numerator": "Newborns", "denominator": "Live births", "value": "Per 10,000",
        "lower": "Lower 95%", "upper": "Upper 95%"})
    for column in ("Per 10,000", "Lower 95%", "Upper 95%"):
        table[column] = table[column].map(num)
    missing_n = len(codes) - (len(near) - 1)
    return Figure(fig, f"Newborns in care proceedings per 10,000 live births: {ch.params.area_name} and its statistical "
                       f"neighbours, {years[0]} to {years[-1]}", alt, table, ch.download_link("neighbours", table),
                  f"{missing_n} neighbour(s) are not shown (withheld small counts or no published figures)."
                  if missing_n > 0 else "")


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


def starters_chart(ch: Chapter) -> Figure | Notice:
    """Share of children starting to be looked after who are under one, against England and the region."""
    if not ch.data.has("care_episodes"):
        return not_yet("what share of children starting to be looked after are babies under one.",
                       ["the care_episodes table (your SSDA903 episodes)"],
                       "supply the SSDA903 header and episodes you already return to the DfE.")
    t = starters_by_year(ch)
    for _, r in t.iterrows():
        ch.record("infant_starters_share", r["period"], r["share"], numerator=r["under_1"], denominator=r["starters"],
                  lower=r["lower"], upper=r["upper"], method=SHARE_METHOD)
    record_comparators(ch, BENCH_STARTERS)
    record_comparators(ch, BENCH_RATE)
    years = t[t["period"] != "all"].copy()
    if ch.published:
        hide = [disclosure.share_needs_suppression(a, b, ch.min_count) for a, b in zip(years["under_1"], years["starters"])]
        years.loc[hide, ["share", "lower", "upper"]] = np.nan
    rows = [pd.DataFrame({"Year": years["period"], "Series": ch.params.area_name, "Share": years["share"] * 100,
                          "Lower": years["lower"] * 100, "Upper": years["upper"] * 100})]
    bench = comparator_rates(ch, BENCH_STARTERS)
    for label in ("England", region_name(ch)):
        part = bench[bench["group"] == label] if label else bench.iloc[0:0]
        part = part[part["period"].isin(list(years["period"]))]
        if len(part):
            rows.append(pd.DataFrame({"Year": part["period"], "Series": label, "Share": part["value"] * 100,
                                      "Lower": np.nan, "Upper": np.nan}))
    data = pd.concat(rows, ignore_index=True)
    fig = charts.lines_with_ci(data, "Year", "Share", "Series", "% of children starting to be looked after",
                               "Lower", "Upper")
    total = t[t["period"] == "all"].iloc[0]
    alt = (f"Line chart of the percentage of children starting to be looked after who were under one, in "
           f"{ch.params.area_name} by financial year, with England and the region.")
    if not (ch.published and disclosure.share_needs_suppression(total["under_1"], total["starters"], ch.min_count)):
        alt += f" Over the whole period it was {pct(total['share'])}."
        ch.finding(f"Babies under one were {pct(total['share'])} of children starting to be looked after "
                   "(England 2023/24: 16%).", "infant_starters_share")
    table = data.assign(**{c: data[c].map(lambda v: num(v) if pd.notna(v) else "") for c in ("Share", "Lower", "Upper")})
    table = table.rename(columns={"Share": "Per cent", "Lower": "Lower 95%", "Upper": "Upper 95%"})
    hidden = int(years["share"].isna().sum())
    return Figure(fig, "Babies under one as a percentage of children starting to be looked after, by financial year",
                  alt, table, ch.download_link("starters", table),
                  f"{hidden} year(s) not shown (fewer than {ch.min_count} children)." if hidden else "")


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
        return regional_model(frame)
    return _memo(ch, "regional", compute)


def regional_variation(ch: Chapter) -> Figure | Notice:
    """Each region's share of starters aged under one, with where this area sits."""
    model = regional_fit(ch)
    if model is None:
        return not_yet("how the share of babies among children starting care varies between regions.",
                       ["benchmarks with every authority's starters by age (DfE 'children looked after' tables)"],
                       "add the DfE explore-education-statistics file of children who started to be looked after "
                       "to the benchmarks folder.")
    estimates = model.region_estimates
    for _, r in estimates[estimates["region_name"] != "England"].iterrows():
        ch.record("regional_infant_starters_share", r["period"], r["share"], group=r["region_name"],
                  numerator=r["numerator"], denominator=r["denominator"], lower=r["lower"], upper=r["upper"],
                  method="pooled share of the region's authorities; Wilson interval widened for overdispersion "
                         "(quasi-binomial)")
    overall = estimates[estimates["period"] == "all"].copy()
    region = region_name(ch)
    overall["label"] = overall["region_name"].where(overall["region_name"] != region, overall["region_name"] + " (this area's region)")
    mine = starters_by_year(ch) if ch.data.has("care_episodes") else None
    own_years = set(model.periods)
    points = overall[["label", "share", "lower", "upper"]].copy()
    note = ""
    if mine is not None:
        sub = mine[mine["period"].isin(own_years)]
        num_, den = sub["under_1"].sum(), sub["starters"].sum()
        if den and not (ch.published and disclosure.share_needs_suppression(num_, den, ch.min_count)):
            from ..stats import intervals as iv

            value, lower, upper = iv.proportion_ci(num_, den)
            points = pd.concat([points, pd.DataFrame([{"label": ch.params.area_name, "share": value,
                                                       "lower": lower, "upper": upper}])], ignore_index=True)
        else:
            note = f"{ch.params.area_name}'s own share is not shown (it rests on fewer than {ch.min_count} children)."
    for column in ("share", "lower", "upper"):
        points[column] = points[column] * 100
    fig = charts.dots(points, "label", "share", "lower", "upper", ch.params.area_name,
                      "% of children starting to be looked after who were under one",
                      reference=float(overall.loc[overall["region_name"] == "England", "share"].iloc[0] * 100)
                      if (overall["region_name"] == "England").any() else None)
    top = overall[overall["region_name"] != "England"].sort_values("share", ascending=False)
    between = model.variation.get("between_region_share")
    years = sorted(model.periods)
    alt = (f"Dot plot of the share of children starting to be looked after who were under one, by English region, "
           f"{years[0]} to {years[-1]}, with 95% intervals. Highest: {top.iloc[0]['region_name']} "
           f"({pct(top.iloc[0]['share'])}); lowest: {top.iloc[-1]['region_name']} ({pct(top.iloc[-1]['share'])}).")
    table = points.rename(columns={"label": "Area", "share": "Per cent", "lower": "Lower 95%", "upper": "Upper 95%"})
    for column in ("Per cent", "Lower 95%", "Upper 95%"):
        table[column] = table[column].map(num)
    if between is not None and not pd.isna(between):
        ch.finding(f"About {pct(between)} of the real variation between authorities in the share of babies among "
                   "children starting care lies between regions.", "regional_infant_starters_share")
    return Figure(fig, f"Babies under one as a share of children starting to be looked after, by region, "
                       f"{years[0]} to {years[-1]}", alt, table, ch.download_link("regions", table),
                  " ".join(x for x in (note, f"{model.excluded_suppressed} authority-years with withheld figures were "
                                       "left out (never counted as zero).") if x))


def regional_summary(ch: Chapter) -> Table | Notice:
    """How much variation lies between regions, each region's trend, and this area's place in its region."""
    model = regional_fit(ch)
    if model is None:
        return None
    between = model.variation.get("between_region_share")
    trends = model.region_trends.copy()
    frame = pd.DataFrame({
        "Region": trends["region_name"],
        "Change per year in the odds": [signed_pct(r - 1, 1) for r in trends["odds_ratio"]],
        "95% confidence interval": [f"{pct(lo - 1, 1)} to {pct(hi - 1, 1)}" for lo, hi in zip(trends["lower"], trends["upper"])],
        "What it means": ["rising" if lo > 1 else "falling" if hi < 1 else "no clear change"
                          for lo, hi in zip(trends["lower"], trends["upper"])],
    })
    position = model.position(ch.params.area_code)
    where = position.get("message") or ""
    if position.get("share") is not None and not pd.isna(position.get("share")):
        hidden = ch.published and disclosure.share_needs_suppression(position.get("numerator"), position.get("denominator"),
                                                                       ch.min_count)
        if not hidden:
            where = (f"In the published figures, {ch.params.area_name} ({pct(position['share'])}) ranks "
                     f"{position['rank']} of {position['n_areas']} authorities in {position['region_name']} "
                     f"(region {pct(position['region_share'])}); compared with its region it is "
                     f"{_versus_region(position.get('compared_with_region'))}.")
    note = (f"Between-region share of the real variation between authorities: "
            f"{pct(between) if between is not None and not pd.isna(between) else 'not estimable'}. "
            f"Whether regional trends differ: p = {num(model.trend_heterogeneity_p_value, 2)}. {where}")
    return Table(frame, "Trend in the share of babies among children starting to be looked after, by region "
                        "(quasi-binomial logistic model within authorities)", ch.download_link("region-trends", frame), note)


def _versus_region(label) -> str:
    text = str(label or "").lower()
    if "high" in text:
        return "higher than its region's figure by more than chance would explain"
    if "low" in text:
        return "lower than its region's figure by more than chance would explain"
    return "within the range chance would explain" if text else "not assessed"


def _spread_note(spread, method) -> str:
    """Say whether authorities differ more than chance allows, and what the limits assume."""
    if spread.phi is None or np.isnan(spread.phi):
        return ""
    if method:
        return (f"The limits are widened ({method} overdispersion, Spiegelhalter 2005; phi = {num(spread.phi, 2)}) "
                "for the real differences between authorities.")
    if spread.overdispersed:
        return (f"Authorities differ far more than chance alone would explain (phi = {num(spread.phi, 2)}); the "
                "limits shown allow for chance only. Set 'overdispersion: multiplicative' in the parameters to "
                "widen them.")
    return ""
