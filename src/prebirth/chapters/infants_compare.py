"""Chapter 1, continued: the comparisons and breakdowns the planning question asks for.

- **Published figures by name** (``comparison_rows``): for one year, the area's own published
  figure, England's (as first published and, where a later release revised it, as revised),
  the region's and each statistical neighbour's, by name and in rank order; pooled over the
  report's years beside it. Figures published by others are public and keep their
  publisher's suppression ("withheld at source", never 0); the area's own published row
  rests on the area's own counts, so it is withheld with them.
- **National figures from the research** (``national_figures``): the newborn rate, and
  newborns as a share of infants, of the area's own country (England or Wales) with the
  same newborn definition, each with its year and report; never a figure with another
  definition of "newborn".
- **Age at issue within the first year** (``age_band``): under 7 days, 7-27 days, 1-2 months,
  3-5 months, 6-11 months, as the Born into care reports band it.
- **Known before birth** (``known_before_birth``): newborns in proceedings with a referral or
  assessment dated before their birth, and how many weeks before.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .. import definitions as d, reference
from ..results import ChapterResult, Count, Measure, Plain, ResultTable, Share, Text, frame_of, key
from ..stats import intervals

AGE_BANDS = ("under 7 days", "7 to 27 days", "1 to 2 months", "3 to 5 months", "6 to 11 months")
WEEKS_BANDS = ("20 weeks or more before birth", "8 to 19 weeks before birth", "less than 8 weeks before birth")
WITHHELD_AT_SOURCE = "withheld at source"
NOT_GIVEN = "not given in the report"


# -- pure computations -------------------------------------------------------------------------------

def release_year(source) -> str | None:
    """The release a published figure came from, as the year in its file's name
    ("...looked_after_2018_2022.csv" -> "2022"; "SFR50_ADM2017.csv" -> "2017"), or None."""
    found = re.findall(r"(?<!\d)(20\d\d)(?!\d)", str(source or ""))
    return found[-1] if found else None


def comparison_rows(tidy: pd.DataFrame, superseded: pd.DataFrame | None, period: str, area_code: str,
                    region: str | None, neighbours: list[str]) -> pd.DataFrame:
    """One year's published figures of the area, England, its region and its neighbours.

    Columns: role (area / England / region / neighbour), area_code, area_name, numerator,
    denominator, value, suppressed, release, revised (True for a figure that revises an earlier
    release's), superseded (True for the earlier release's figure), rank (neighbours' rank among
    the neighbours, highest value first; none for a withheld one). Order: the area, England as first published then as revised, the region,
    then the neighbours in rank order (withheld ones last)."""
    columns = ["role", "area_code", "area_name", "numerator", "denominator", "value", "suppressed", "release",
               "revised", "superseded", "rank"]
    year = tidy[tidy["period"] == period]
    older = superseded[superseded["period"] == period] if superseded is not None and len(superseded) else year.iloc[0:0]
    out = []

    def add(role, rows, revised=False, replaced=False):
        for _, row in rows.iterrows():
            suppressed = bool(row["suppressed"]) or pd.isna(row["value"])
            out.append({"role": role, "area_code": row["area_code"], "area_name": row["area_name"],
                        "numerator": np.nan if suppressed else row["numerator"],
                        "denominator": np.nan if suppressed else row["denominator"],
                        "value": np.nan if suppressed else row["value"], "suppressed": suppressed,
                        "release": release_year(row.get("_file") or row.get("source")), "revised": revised,
                        "superseded": replaced,
                        "rank": np.nan})

    local = year[year["geographic_level"] == "Local authority"]
    add("area", local[local["area_code"] == area_code].head(1))
    first = older[older["geographic_level"] == "National"].head(1)
    now = year[year["geographic_level"] == "National"].head(1)
    add("England", first, replaced=True)
    add("England", now, revised=len(first) > 0)
    regional = year[(year["geographic_level"] == "Regional") & (year["area_name"] == region)].head(1)
    add("region", regional)
    near = local[local["area_code"].isin([c for c in neighbours if c != area_code])].drop_duplicates("area_code")
    near = near.assign(_v=near["value"].where(~near["suppressed"].astype(bool)))
    near = near.sort_values(["_v", "area_name"], ascending=[False, True], na_position="last")
    start = len(out)
    add("neighbour", near)
    rank = 0
    for row in out[start:]:
        if not row["suppressed"]:
            rank += 1
            row["rank"] = rank
    return pd.DataFrame(out, columns=columns)


def pooled_values(tidy: pd.DataFrame, codes: list[str], years: list[str]) -> pd.DataFrame:
    """Each area's numerator and denominator summed over the years in which both are published
    (a withheld year is left out, never counted as 0): area_code, numerator, denominator, value
    (numerator / denominator), years (how many years were summed)."""
    rows = tidy[tidy["area_code"].isin(codes) & tidy["period"].isin(years)]
    usable = rows[~rows["suppressed"].astype(bool) & rows["numerator"].notna() & (rows["denominator"] > 0)]
    usable = usable.drop_duplicates(["area_code", "period"])
    pooled = usable.groupby("area_code", as_index=False).agg(
        numerator=("numerator", "sum"), denominator=("denominator", "sum"), years=("period", "nunique"))
    pooled["value"] = pooled["numerator"] / pooled["denominator"]
    return pooled


def rank_with(value: float, others: list[float]) -> tuple[int, int]:
    """The rank of ``value`` among itself and ``others`` (1 = highest; ties share the better rank), and of how many."""
    known = [v for v in others if v is not None and not pd.isna(v)]
    return 1 + sum(v > value for v in known), len(known) + 1


def age_band(issue_date: pd.Series, date_of_birth: pd.Series) -> pd.Series:
    """The infant's age at issue as the Born into care reports band it (None for a child aged one or more,
    or of unknown age): under 7 days, 7 to 27 days, 1 to 2 months (28 days to under 3 calendar months),
    3 to 5 months, 6 to 11 months."""
    issue, born = pd.to_datetime(issue_date), pd.to_datetime(date_of_birth)
    days = (issue - born).dt.days
    out = pd.Series(None, index=issue.index, dtype=object)
    months3 = born + pd.DateOffset(months=3)
    months6 = born + pd.DateOffset(months=6)
    infant = d.is_infant(issue, born).fillna(False).astype(bool) & days.notna() & (days >= 0)
    out[infant & (days < 7)] = AGE_BANDS[0]
    out[infant & (days >= 7) & (days < 28)] = AGE_BANDS[1]
    out[infant & (days >= 28) & (issue < months3)] = AGE_BANDS[2]
    out[infant & (days >= 28) & (issue >= months3) & (issue < months6)] = AGE_BANDS[3]
    out[infant & (issue >= months6)] = AGE_BANDS[4]
    return out


def known_before_birth(newborns: pd.DataFrame, referrals: pd.DataFrame | None,
                       assessments: pd.DataFrame | None) -> pd.DataFrame:
    """For each newborn (child_id, date_of_birth): whether a referral or assessment of the child is dated
    before the birth (DESIGN 5.2, pre-birth), and how many weeks before the birth the earliest one was.

    Columns: child_id, known (bool), weeks_before (float, NaN when not known)."""
    events = []
    if referrals is not None and len(referrals):
        events.append(referrals[["child_id", "referral_date"]].rename(columns={"referral_date": "date"}))
    if assessments is not None and len(assessments):
        events.append(assessments[["child_id", "start_date"]].rename(columns={"start_date": "date"}))
    out = newborns[["child_id", "date_of_birth"]].drop_duplicates("child_id").copy()
    if not events:
        out["known"], out["weeks_before"] = False, np.nan
        return out[["child_id", "known", "weeks_before"]]
    dated = pd.concat(events, ignore_index=True).dropna(subset=["date"])
    dated = dated.merge(out, on="child_id")
    dated = dated[pd.to_datetime(dated["date"]) < pd.to_datetime(dated["date_of_birth"])]
    earliest = dated.groupby("child_id")["date"].min()
    first = out["child_id"].map(earliest)
    out["known"] = first.notna()
    out["weeks_before"] = (pd.to_datetime(out["date_of_birth"]) - pd.to_datetime(first)).dt.days / 7
    return out[["child_id", "known", "weeks_before"]].reset_index(drop=True)


def weeks_band(weeks: pd.Series) -> pd.Series:
    """How long before birth a baby became known: 20 weeks or more, 8 to 19, less than 8 (whole weeks)."""
    whole = np.floor(weeks)
    return pd.Series(np.select([whole >= 20, whole >= 8, whole >= 0], WEEKS_BANDS, None), index=weeks.index,
                     dtype=object).where(weeks.notna(), None)


# The reports the reference figures come from, by first author (their rows abbreviate the title).
REPORTS = {"Broadhurst": "Born into care: newborns in care proceedings in England",
           "Pattinson": "Born into care: newborn babies in urgent care proceedings in England and Wales",
           "Alrouh": "Born into care: newborns and infants in care proceedings in Wales"}


def national_figures(country: str, newborn_days: int) -> dict:
    """The published national figures of the area's own country that use the book's newborn definition:
    ``newborn_rate`` and ``newborns_share_of_infants``, each the reference row (value, period, source) or
    None, with ``missing`` saying in words which the country has not published with this definition
    (figures with another definition of "newborn" are never used)."""
    stems = {"newborn_rate": ("newborn_rate_2019_20", "newborn_rate_2018"),
             "newborns_share_of_infants": ("newborns_share_of_infants_2016_17", "newborns_share_of_infants_2018")}
    wanted = {7: "under 7 days", 14: "under 2 weeks"}.get(newborn_days)
    out: dict = {"newborn_rate": None, "newborns_share_of_infants": None, "missing": []}
    for name, candidates in stems.items():
        for stem in candidates:
            row = reference.national(country, stem)
            if row is not None and wanted and wanted in str(row.get("definition", "")):
                out[name] = row
                break
    for name, words in (("newborn_rate", "newborns per 10,000 live births"),
                        ("newborns_share_of_infants", "newborns as a share of babies under one in proceedings")):
        if out[name] is None:
            out["missing"].append(f"{country} has no published figure for {words} with newborns defined as under "
                                  f"{newborn_days} days old")
    return out


def short_source(row: dict) -> str:
    """A reference row's report: "Pattinson et al. 2021, *Born into care: ...*"."""
    source = str(row.get("source", ""))
    found = re.match(r"\s*([A-Z][A-Za-z'-]+)[^()]*\((\d{4})\)", source)
    if not found:
        return source
    title = REPORTS.get(found.group(1))
    return f"{found.group(1)} et al. {found.group(2)}" + (f", *{title}*" if title else "")


PUBLISHED_PREFIX = "published: "
INVENTED = "invented for the demo"


def source_label(source) -> str | None:
    """A benchmark row's source in a few words, when the row names it: "published: Pattinson et al. 2021"
    for a row that says "published: <report>", "invented for the demo" for an invented one; None for a row
    read from a publisher's own file (its file says where it came from)."""
    text = str(source or "").strip()
    if text.lower().startswith(PUBLISHED_PREFIX):
        report = text[len(PUBLISHED_PREFIX):].strip()
        found = re.match(r"\s*([A-Z][A-Za-z'-]+)[^()]*\((\d{4})\)", report)
        if found:
            return f"{PUBLISHED_PREFIX}{found.group(1)} et al. {found.group(2)}"
        year = re.search(r"(\d{4})\W*$", report)
        if ": " in report and year:  # "Department for Education: Children looked after ..., 2024"
            return f"{PUBLISHED_PREFIX}{report.split(': ')[0]} {year.group(1)}"
        return PUBLISHED_PREFIX + report
    if text.lower().startswith(INVENTED):
        return INVENTED
    return None


def sources_note(rows: pd.DataFrame, label: str = "group") -> str:
    """Where each comparison figure comes from, in one sentence: for each group of ``rows`` (column ``label``:
    England, a region...), the source of its figures, and the years of each when they differ
    ("England 2019/20: published: Pattinson et al. 2021; England's other years and North West: invented for
    the demo."). "" when no row names its source."""
    said: dict[str, list[str]] = {}
    for group, part in rows.groupby(label, sort=False):
        labels = part["source"].map(source_label)
        if labels.isna().all():
            continue
        kinds = labels.fillna("the publisher's file").value_counts(sort=False)
        if len(kinds) == 1:
            said.setdefault(kinds.index[0], []).append(str(group))
            continue
        most = max(kinds.index, key=lambda k: kinds[k])
        for kind in kinds.index:
            if kind == most:
                said.setdefault(kind, []).append(f"{group}'s other years")
            else:
                years = sorted(part.loc[labels == kind, "period"].astype(str))
                said.setdefault(kind, []).append(f"{group} {', '.join(years)}")
    if not said:
        return ""
    return "Comparison figures: " + "; ".join(f"{' and '.join(who)}: {kind}" for kind, who in said.items()) + "."


# -- the chapter's cells ---------------------------------------------------------------------------------

def _public(value, digits: int, unit: str = "number") -> Measure:
    """A figure published by others: public, shown as published."""
    return Measure(float(value), unit=unit, digits=digits)


def _row_label(row, region: str | None, area: str) -> str:
    if row["role"] == "area":
        return f"{area} (this area, as published)"
    if row["role"] == "England":
        if not row["release"]:
            return "England"
        if row["revised"]:
            return f"England ({row['release']} release, as revised)"
        return f"England ({row['release']} release" + (", as first published)" if row["superseded"] else ")")
    if row["role"] == "region":
        return f"{row['area_name']} (region)"
    return str(row["area_name"])


def _sources_of(tidy: pd.DataFrame, rows: pd.DataFrame, period: str) -> pd.Series:
    """The ``source`` of each of ``comparison_rows``' rows (by area code and level, in ``period``)."""
    year = tidy[tidy["period"] == period]
    level = {"area": "Local authority", "neighbour": "Local authority", "England": "National", "region": "Regional"}
    out = []
    for _, row in rows.iterrows():
        found = year[(year["area_code"] == row["area_code"])
                     & (year["geographic_level"] == level.get(row["role"], ""))]["source"]
        out.append(found.iloc[0] if len(found) else None)
    return pd.Series(out, index=rows.index, dtype=object)


def _latest_local_period(tidy: pd.DataFrame, area_code: str, years: list[str]) -> str | None:
    local = tidy[tidy["geographic_level"] == "Local authority"]
    mine = set(local.loc[local["area_code"] == area_code, "period"])
    inside = sorted(set(local["period"]) & set(years))
    chosen = sorted(mine & set(inside)) or inside
    return chosen[-1] if chosen else None


def starters_by_name(r: ChapterResult, ch, own_counts) -> None:
    """Babies among children starting to be looked after, as DfE publishes it: the area beside England,
    its region and each statistical neighbour by name, in the latest year and pooled over the report's years.

    ``own_counts(period)``: the area's own counts of that year (under 1, all, aged 1 and over), on which its
    published row rests, or () when the book holds none."""
    from .infants import BENCH_STARTERS, neighbour_codes, region_name

    tidy = ch.benchmarks.indicator(BENCH_STARTERS)
    years = d.financial_years(ch.params.period.start, ch.params.period.end)
    latest = _latest_local_period(tidy, ch.params.area_code, years) if len(tidy) else None
    if latest is None:
        return
    area, code, region = ch.params.area_name, ch.params.area_code, region_name(ch)
    older = ch.benchmarks.superseded
    older = older[older["indicator"] == BENCH_STARTERS] if len(older) else None
    rows = comparison_rows(tidy, older, latest, code, region, neighbour_codes(ch))
    pool_years = sorted(set(tidy["period"]) & set(years))
    levels = tidy.drop_duplicates("area_code").set_index("area_code")["geographic_level"]
    pooled = pooled_values(tidy, list(rows["area_code"]), pool_years).set_index("area_code")
    span = f"{pool_years[0]} to {pool_years[-1]}" if len(pool_years) > 1 else pool_years[0]
    col_n, col_d, col_s = (f"Babies under one, {latest}", f"All children starting, {latest}",
                           f"Per cent under one, {latest}")
    col_p = f"Per cent under one, {span} (years published)"
    records, area_share, national, regional = [], None, None, None
    for _, row in rows.iterrows():
        label = _row_label(row, region, area)
        on = tuple(own_counts(latest)) if row["role"] == "area" else ()
        record = {"Area": Plain(label), "Rank among neighbours": Plain(str(int(row["rank"])))
                  if pd.notna(row["rank"]) else Plain("")}
        if row["suppressed"]:
            record.update({col_n: Plain(WITHHELD_AT_SOURCE), col_d: Plain(WITHHELD_AT_SOURCE),
                           col_s: Plain(WITHHELD_AT_SOURCE)})
        else:
            number = Measure(row["numerator"], on=on, unit="number", digits=0)
            given = pd.notna(row["denominator"])  # a published share may come without its denominator
            every = Measure(row["denominator"], on=on, unit="number", digits=0) if given else None
            share = Measure(row["value"], on=on, unit="proportion", digits=0, numerator=float(row["numerator"]),
                            denominator=float(row["denominator"]) if given else None)
            record.update({col_n: number, col_d: every if given else Plain(NOT_GIVEN), col_s: share})
            if row["role"] == "area":
                area_share = (number, every, share)
            elif row["role"] == "England" and (row["revised"] or national is None):
                national = (number, every, share, row["release"],
                            source_label(_sources_of(tidy, rows.loc[[_]], latest).iloc[0]))
            elif row["role"] == "region":
                regional = (share, source_label(_sources_of(tidy, rows.loc[[_]], latest).iloc[0]))
        pool = pooled.loc[row["area_code"]] if row["area_code"] in pooled.index and not (
            row["role"] == "England" and not row["revised"] and (rows["role"] == "England").sum() > 1) else None
        if pool is None:
            record[col_p] = Plain("")
        else:
            pool_on = tuple(c for p in pool_years for c in own_counts(p)) if row["role"] == "area" else ()
            record[col_p] = Measure(pool["value"], on=pool_on, unit="proportion", digits=0)
        records.append(record)
    frame = frame_of(records)
    partial = [str(row["area_name"]) for _, row in rows.iterrows() if row["area_code"] in pooled.index
               and pooled.loc[row["area_code"], "years"] < len(pool_years)]
    england_rows = rows[rows["role"] == "England"]
    revised_note = ""
    if len(england_rows) > 1:
        first, now = england_rows.iloc[0], england_rows.iloc[1]
        revised_note = (f" England's {latest} figure was first published in the {first['release']} release and revised "
                        f"in the {now['release']} release; both are shown, and the revised one is used elsewhere.")
    wales = ch.params.country == "Wales"
    cited = sources_note(rows.assign(group=["the statistical neighbours" if row["role"] == "neighbour" else
                                            _row_label(row, region, area) for _, row in rows.iterrows()],
                                     source=_sources_of(tidy, rows, latest), period=latest)
                         [rows["role"] != "area"])
    if cited:  # the rows name their own sources (the demo's): DfE is not the publisher of them all
        publisher = (f"Figures {WITHHELD_AT_SOURCE} were suppressed by their publisher to protect small numbers and "
                     "are never counted as 0. ")
    else:
        publisher = ("Published by the Department for Education (Children looked after in England); figures "
                     f"{WITHHELD_AT_SOURCE} were suppressed by DfE to protect small numbers and are never counted as 0. ")
    england_code = rows.loc[rows["role"] == "England", "area_code"]
    if cited and len(england_code) and pool_years:
        used = tidy[(tidy["area_code"] == england_code.iloc[0]) & tidy["period"].isin(pool_years)
                    & tidy["numerator"].notna() & (tidy["denominator"] > 0)]
        labels = sorted({source_label(x) for x in used["source"]} - {None})
        if labels:
            cited += f" England's pooled per cent: {', '.join(labels)}."
    r.add("starters_by_name", ResultTable(
        frame, f"Babies under one among children starting to be looked after, {latest}: {area}, England, "
               f"{region or 'the region'} and each statistical neighbour by name (neighbours highest first)",
        note=(publisher +
              "Neighbours are ranked by their published per cent (1 = the highest share of babies)."
              + revised_note
              + (f" The pooled per cent sums each area's published years from {span}"
                 + (f"; {', '.join(partial)} had a year withheld by the publisher, or published without its "
                    "denominator, and are pooled over their other years." if partial else ".")
                 if pool_years else "")
              + (" DfE's files cover England only: no Welsh figure of this kind is in the benchmarks."
                 if wales else "")
              + f" {area}'s own row is withheld if the counts it rests on in this book are small."
              + (f" {NOT_GIVEN.capitalize()}: the report gives the count and the per cent only." if
                 col_d in frame and any(getattr(v, "text", None) == NOT_GIVEN for v in frame[col_d]) else "")
              + (f" {cited}" if cited else "")),
        download="starters-by-name"))
    if area_share is None:
        return
    number, every, share = area_share
    figures = {"area": Plain(area), "n": number, "d": every, "share": share}
    template = "In {latest_}, {n} of {d} children who started to be looked after in {area} were babies under one ({share})"
    if national is not None and not wales:
        figures.update({"e_share": national[2], "e_n": national[0]})
        template += ", against England's {e_share} ({e_n}"
        if national[1] is not None:
            figures["e_d"] = national[1]
            template += " of {e_d}"
        else:
            template += " babies"
        template += "".join(f", {x}" for x in (f"{national[3]} release" if national[3] else None, national[4]) if x)
        template += ")"
    if regional is not None and region and not wales:
        figures.update({"region": Plain(region), "r_share": regional[0]})
        template += (" and" if national is not None else ", against") + " the {region}'s {r_share}"
        if regional[1]:
            template += f" ({regional[1]})"
    if wales:
        template += " (DfE publishes these figures for England only: there is no Welsh figure to set beside it)"
    values = rows.loc[rows["role"] == "neighbour", "value"].tolist()
    if values:
        rank, of = rank_with(float(share.value), values)
        figures["rank"] = Plain(f"{rank} of {of}")
        template += "; with its statistical neighbours it ranks {rank} (1 = highest)"
    template = template.replace("{latest_}", latest) + "."
    r.finding(template, BENCH_STARTERS, main=True, **figures)
    r.add("starters_by_name_text", Text(template, figures))


def national_shares(r: ChapterResult, ch, cells) -> None:
    """The area's two shares (infants of all children, newborns of infants) and its newborn rate beside the
    published national figures of its own country with the same newborn definition."""
    from .infants import yearly, _rates

    country, days = ch.params.country, ch.params.newborn_days
    found = national_figures(country, days)
    area = Plain(ch.params.area_name)
    table = yearly(ch)
    infants_share = Share.of(cells.children("infants", "all"), cells.aged("all"))
    newborns_share = Share.of(cells.children("newborns", "all"), cells.children("infants", "all"))
    first, last = cells.years[0], cells.years[-1]
    span = f"{first} to {last}"
    parts = [Text(f"Over {span}, babies under one were " "{infants} of the children in care proceedings in {area} "
                  "({infants:n}); no national figure for this share is among the published figures the book holds.",
                  {"infants": infants_share, "area": area})]
    row = found["newborns_share_of_infants"]
    if row is not None:
        national = float(row["value"])
        template = (f"Newborns (under {days} days old) were " "{newborns} of those babies ({newborns:n}); in "
                    f"{country} they were {round(national * 100)}% in {row['period']} ({short_source(row)}).")
        parts.append(Text(template, {"newborns": newborns_share}))
        r.finding(f"Newborns were " "{newborns} of babies under one in proceedings over " f"{span}" " ({newborns:n}), "
                  f"against {round(national * 100)}% in {country} in {row['period']} ({short_source(row)}).",
                  "newborns_share_of_infants", main=True, newborns=newborns_share)
    else:
        parts.append(Text(f"Newborns (under {days} days old) were " "{newborns} of those babies ({newborns:n}).",
                          {"newborns": newborns_share}))
    rate_row = found["newborn_rate"]
    whole = _rates(cells, table, "all")["newborn_rate"]
    if rate_row is not None and whole is not None:
        value = float(rate_row["value"])
        parts.append(Text("That is {rate} newborns per 10,000 live births over " f"{span}; {country}'s published rate "
                          f"was {value:g} per 10,000 in {rate_row['period']} ({short_source(rate_row)}).",
                          {"rate": whole}))
        r.finding("{rate} newborns in care proceedings per 10,000 live births over " f"{span}, against {country}'s "
                  f"{value:g} in {rate_row['period']} ({short_source(rate_row)}).",
                  "newborn_rate_per_10k_births", main=True, rate=whole)
    if found["missing"]:
        parts.append("; ".join(found["missing"]) + ", so none is set beside this area's"
                     + (" (the Welsh report of 2019 counted babies under two weeks old, a different definition)"
                        if country == "Wales" else "") + ".")
    from ..results import Notice
    r.add("national_shares", Notice(parts))


def age_at_issue(r: ChapterResult, ch, cells) -> None:
    """Babies under one by their age when proceedings were issued, over the whole period (each child once)."""
    from .infants import children_in_period

    rows = d.first_in_period(children_in_period(ch))
    rows = rows[rows["infant"].fillna(False).astype(bool)]
    bands = age_band(rows["issue_date"], rows["date_of_birth"])
    infants = cells.children("infants", "all")
    days = ch.params.newborn_days
    parts, records = [], []
    for band in AGE_BANDS:
        n = int((bands == band).sum())
        same_as_newborns = band == AGE_BANDS[0] and days == 7
        count = cells.children("newborns", "all") if same_as_newborns else Count(
            key("proceedings", f"infants aged {band}", "all"), n)
        parts.append(count)
        records.append({"Age when proceedings were issued": Plain(band), "Babies": count,
                        "Share of babies under one": Share.of(count, infants)})
    r.relate(infants, parts, "infants over the period = the infants in each age band at issue")
    if days == 7:
        r.relate(key("proceedings", cells.rest_infants, "all"), parts[1:],
                 "infants aged 7 days to under 1 = the older age bands")
    r.add("age_at_issue", ResultTable(
        frame_of(records), f"Babies under one in care proceedings by their age when proceedings were issued, "
                           f"{cells.years[0]} to {cells.years[-1]} (each baby once)",
        note=(f"Bands as in the Born into care reports: 1 to 2 months = 28 days to under 3 months. c = fewer than "
              f"{ch.min_count} babies, or a figure that would reveal one."), download="age-at-issue"))


def known_before_birth_table(r: ChapterResult, ch, cells) -> None:
    """Newborns in proceedings who were known before birth (a referral or assessment dated before the birth),
    and how long before."""
    from .infants import children_in_period

    if not (ch.data.has("referrals") or ch.data.has("assessments")):
        from ..results import not_yet
        r.add("known_before_birth", not_yet(
            "how many newborns in proceedings were known to children's services before they were born.",
            ["the referrals or assessments table, with dates"], "the date of every referral and assessment, "
            "including those made before the baby was born."))
        return
    rows = d.first_in_period(children_in_period(ch))
    newborns = rows[rows["newborn"].fillna(False).astype(bool)]
    known = known_before_birth(newborns, ch.data.get("referrals"), ch.data.get("assessments"))
    total = cells.children("newborns", "all")
    span = f"{cells.years[0]} to {cells.years[-1]}"
    known_n = Count(key("newborns in proceedings", "known before birth", "all"), int(known["known"].sum()))
    unknown_n = r.hidden_count(key("newborns in proceedings", "not known before birth", "all"),
                               total.value - known_n.value)
    r.relate(total, [known_n, unknown_n], "newborns = known before birth + not known before birth")
    weeks = known.loc[known["known"], "weeks_before"]
    bands = weeks_band(weeks)
    band_counts = [Count(key("newborns in proceedings", f"known {band}", "all"), int((bands == band).sum()))
                   for band in WEEKS_BANDS]
    r.relate(known_n, band_counts, "newborns known before birth = the bands of how long before")
    share = Share.of(known_n, total)
    records = [{"Newborns in proceedings": Plain("known before birth (any time)"), "Babies": known_n,
                "Share of newborns": share}]
    records += [{"Newborns in proceedings": Plain(band), "Babies": c, "Share of newborns": Share.of(c, total)}
                for band, c in zip(WEEKS_BANDS, band_counts)]
    median = float(np.median(weeks)) if len(weeks) else np.nan
    median_cell = Measure(median, on=(known_n, *band_counts), unit="number", digits=0)
    r.indicator("newborns_known_before_birth_share", "all", share, method="Wilson score interval")
    r.indicator("newborns_known_weeks_before_birth_median", "all", median_cell, unit="weeks",
                method="median of the weeks from the earliest pre-birth referral or assessment to the birth")
    r.finding("{share} of newborns in proceedings ({share:n}) were known to children's services before they were "
              "born; half of them from {weeks} weeks or more before the birth.", "newborns_known_before_birth_share",
              main=False, share=share, weeks=median_cell)
    r.add("known_before_birth", ResultTable(
        frame_of(records), f"Newborns in care proceedings known to children's services before birth, {span}",
        note=Text("Known before birth = a referral or assessment of the baby dated before the birth. The middle "
                  "(median) baby known before birth was known {weeks} weeks before. Only what this area's records "
                  "hold is seen: a baby known to another authority, or to health services only, counts as not "
                  "known.", {"weeks": median_cell},
                  "Known before birth = a referral or assessment of the baby dated before the birth. Only what this "
                  "area's records hold is seen: a baby known to another authority, or to health services only, "
                  "counts as not known."),
        download="known-before-birth"))


def latest_rate_by_name(r: ChapterResult, ch, cells) -> None:
    """The newborn rate of the latest year the benchmarks hold: the area's own (on its counts) beside
    England's, its region's and each statistical neighbour's by name, with the source of each figure, and
    a main point that carries the comparison."""
    from .infants import BENCH_RATE, _rates, comparison_years, neighbour_codes, region_name, yearly

    years = comparison_years(ch)
    if not years:
        return
    latest = years[-1]
    tidy = ch.benchmarks.indicator(BENCH_RATE)
    area, code, region = ch.params.area_name, ch.params.area_code, region_name(ch)
    rows = comparison_rows(tidy, None, latest, code, region, neighbour_codes(ch))
    rows = rows.assign(source=_sources_of(tidy, rows, latest))
    rows = rows[rows["role"] != "area"]  # the area's own figure comes from its own records
    table = yearly(ch).set_index("period")
    own = _rates(cells, yearly(ch), latest)["newborn_rate"]
    newborns = cells.children("newborns", latest)
    col_r = f"Newborns per 10,000 live births, {latest}"
    records = [{"Area": Plain(f"{area} (this area's own records)"), "Newborns": newborns,
                "Live births": f"{int(table.loc[latest, 'live_births']):,}", col_r: own,
                "Source": Plain("this area's own records"), "Rank among neighbours": Plain("")}]
    figures = {"area": Plain(area), "rate": own}
    said = {}
    for _, row in rows.iterrows():
        label = "England" if row["role"] == "England" else (
            f"{row['area_name']} (region)" if row["role"] == "region" else str(row["area_name"]))
        cited = source_label(row["source"]) or str(row["source"] or "")
        record = {"Area": Plain(label), "Source": Plain(cited),
                  "Rank among neighbours": Plain(str(int(row["rank"]))) if pd.notna(row["rank"]) else Plain("")}
        if row["suppressed"]:
            record.update({"Newborns": Plain(WITHHELD_AT_SOURCE), "Live births": Plain(WITHHELD_AT_SOURCE),
                           col_r: Plain(WITHHELD_AT_SOURCE)})
        else:
            value = float(row["value"])
            whole = value.is_integer() and cited.startswith(PUBLISHED_PREFIX)  # a rate published as a whole number
            rate = _public(value, 0 if whole else 1)
            record.update({"Newborns": _public(row["numerator"], 0) if pd.notna(row["numerator"]) else Plain(NOT_GIVEN),
                           "Live births": _public(row["denominator"], 0) if pd.notna(row["denominator"])
                           else Plain(NOT_GIVEN), col_r: rate})
            if row["role"] in ("England", "region") and row["role"] not in said:
                said[row["role"]] = (rate, cited, row["area_name"])
        records.append(record)
    note = (f"Rates pair the financial year {latest} with births in the calendar year {latest[:4]}. Figures "
            f"{WITHHELD_AT_SOURCE} were suppressed by their publisher to protect small numbers (never counted as 0); "
            f"{area}'s own figure is withheld if it rests on fewer than {ch.min_count} children. Neighbours are "
            "ranked by their rate (1 = the highest).")
    if any(getattr(v, "text", None) == NOT_GIVEN for rec in records for v in rec.values()):
        note += f" {NOT_GIVEN.capitalize()}: the report gives the count and the rate only."
    r.add("latest_rate_by_name", ResultTable(
        frame_of(records), f"Newborns in care proceedings per 10,000 live births in {latest}: {area}, England, "
                           f"{region or 'the region'} and each statistical neighbour by name (neighbours highest "
                           "first), with the source of each figure",
        note=note, download="latest-rate-by-name"))
    if own is None:
        return
    template = f"In {latest}, " "{rate} newborns per 10,000 live births in {area} were in care proceedings"
    against = []
    for role, name in (("England", "e"), ("region", "g")):
        if role not in said:
            continue
        rate, cited, who = said[role]
        figures[name] = rate
        place = "England's" if role == "England" else "the {" + name + "_name}'s"
        if role == "region":
            figures[f"{name}_name"] = Plain(who)
        against.append(place + " {" + name + "}" + (f" ({cited})" if cited else ""))
    if against:
        template += ", against " + " and ".join(against)
    values = rows.loc[rows["role"] == "neighbour", "value"].dropna().tolist()
    if values:
        rank, of = rank_with(float(own.value), values)
        figures["rank"] = Plain(f"{rank} of {of}")
        template += "; with its statistical neighbours it ranks {rank} (1 = highest)"
    if ch.params.country != "England":
        template += f" (there is no published figure for {ch.params.country} for {latest})"
    template += "."
    r.finding(template, "newborn_rate_per_10k_births",
              Text("In " + latest + ", the newborn rate in {area} is withheld so that no family can be identified.",
                   {"area": Plain(area)}), main=True, **figures)
