"""Chapter 2: Recurrent proceedings.

A *subsequent infant* is a baby whose mother appears on an earlier proceedings row
(strictly earlier issue date, at any date, including before the report period) about a
different child (``definitions.subsequent_infant``). The chapter counts:

- newborns in proceedings in the period who are subsequent infants (England 2012/13 to
  2016/17: 47%, Broadhurst et al. 2018), each child once per financial year at their
  first issue, as in chapter 1;
- babies with a pre-birth assessment whose mother had proceedings issued before that
  assessment started;
- the months from the mother's most recent earlier proceedings to the pre-birth referral;
- how soon mothers return to court with another child after their first proceedings in
  the period (Kaplan-Meier, mothers still followed censored where the data end).
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .. import charts, definitions as d, disclosure
from ..stats import intervals, survival
from .common import Chapter, Figure, Notice, Table, glue_values, not_yet, num, pct
from .waiting import (DAYS_PER_MONTH, MEDIAN_METHOD, censoring_date, count_text, in_period, median_ci, median_text,
                      periods, published_curve, record_median, record_share, share_text, share_withheld)

REFERENCE_FILE = Path(__file__).resolve().parents[3] / "data" / "reference" / "national_figures.csv"
YEAR_DAYS = 365.25
RETURN_YEARS = (1, 2, 3, 5, 7)
MONTH_BANDS = ((0, 12, "under 1 year"), (12, 24, "1 to 2 years"), (24, 36, "2 to 3 years"),
               (36, 60, "3 to 5 years"), (60, np.inf, "5 years or more"))


@lru_cache(maxsize=1)
def reference_figures() -> dict[str, dict]:
    """The published figures of ``data/reference/national_figures.csv`` by id (empty if the file is absent)."""
    if not REFERENCE_FILE.exists():
        return {}
    with open(REFERENCE_FILE, newline="", encoding="utf-8") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


def reference_value(figure_id: str) -> float | None:
    row = reference_figures().get(figure_id)
    try:
        return float(row["value"]) if row else None
    except (TypeError, ValueError):
        return None


def _memo(ch: Chapter, name: str, compute):
    return ch.memo(f"recurrence:{name}", compute)


def _once(ch: Chapter, name: str) -> bool:
    """True the first time a chapter asks (so each indicator is recorded once)."""
    return ch.once(f"recurrence:{name}")


# -- can the chapter be answered? ----------------------------------------------------

def can_answer(ch: Chapter) -> bool:
    children, proceedings = ch.data.get("children"), ch.data.get("proceedings")
    return (children is not None and proceedings is not None and not proceedings.empty
            and children["date_of_birth"].notna().any() and children["mother_id"].notna().any())


def missing(ch: Chapter) -> Notice:
    """The 'not yet' message when proceedings, dates of birth or mothers' ids are missing."""
    what = []
    if not ch.data.has("proceedings"):
        what.append("the proceedings table, including proceedings from before the report period")
    children = ch.data.get("children")
    if children is not None and not children["mother_id"].notna().any():
        what.append("the mother's id on each child's record (children.mother_id), so that a baby can be linked "
                    "to older brothers and sisters")
    if children is not None and not children["date_of_birth"].notna().any():
        what.append("children's dates of birth")
    return not_yet("how many babies in proceedings have a mother who was in earlier proceedings about an older child.",
                   what, "the mother's id on every child's record, unborn babies included, and every set of care "
                         "proceedings you hold, however long ago.")


# -- newborns who are subsequent infants --------------------------------------------

def newborn_rows(ch: Chapter) -> pd.DataFrame:
    """Children in proceedings in the period (once per financial year), flagged ``subsequent`` and ``newborn``."""
    def compute():
        proceedings, children = ch.data.get("proceedings"), ch.data.get("children")
        rows = d.children_in_proceedings(proceedings, children, ch.params.newborn_days,
                                         ch.params.period.start, ch.params.period.end)
        rows["subsequent"] = d.subsequent_infant(rows["child_id"], rows["issue_date"], proceedings, children)
        rows["mother_known"] = rows["mother_id"].notna()
        return rows
    return _memo(ch, "rows", compute)


def subsequent_yearly(ch: Chapter) -> pd.DataFrame:
    """Newborns, subsequent infants among them and newborns with a mother linked, by year and 'all'."""
    def compute():
        rows = newborn_rows(ch)
        out = []
        for period in periods(ch):
            part = d.first_in_period(rows) if period == "all" else rows[rows["financial_year"] == period]
            newborns = part[part["newborn"].fillna(False).astype(bool)]
            out.append({"period": period, "newborns": len(newborns), "subsequent": int(newborns["subsequent"].sum()),
                        "mother_known": int(newborns["mother_known"].sum())})
        table = pd.DataFrame(out)
        table["share"], table["lower"], table["upper"] = intervals.proportion_ci(
            table["subsequent"].to_numpy(float), table["newborns"].to_numpy(float))
        return table
    return _memo(ch, "yearly", compute)


def record_subsequent(ch: Chapter) -> None:
    if not _once(ch, "subsequent"):
        return
    for _, r in subsequent_yearly(ch).iterrows():
        if r["newborns"]:
            record_share(ch, "newborns_subsequent_share", r["period"], r["subsequent"], r["newborns"],
                         method="Wilson score interval; subsequent infant = mother on an earlier proceedings row "
                                "about a different child")


def headline(ch: Chapter) -> Notice:
    """Plain-English summary of the chapter; glues every number its prose quotes (None -> 'not available')."""
    names = ("ch2_subsequent_share_all", "ch2_prebirth_previous_share_all", "ch2_months_median",
             "ch2_returned_within_2_years", "ch2_returned_within_7_years")
    if not can_answer(ch):
        glue_values(ch, dict.fromkeys(names))
        return missing(ch)
    record_subsequent(ch)
    glued = {"ch2_prebirth_previous_share_all": prebirth_share_text(ch), "ch2_months_median": months_median_text(ch),
             **return_texts(ch)}
    t = subsequent_yearly(ch)
    total = t[t["period"] == "all"].iloc[0]
    parts = []
    if total["newborns"] == 0:
        parts.append("There were no newborn babies in care proceedings in the report period.")
    elif share_withheld(total["subsequent"], total["newborns"], ch):
        parts.append("The number of newborn babies whose mother had earlier proceedings is too small to publish.")
    else:
        glued["ch2_subsequent_share_all"] = pct(total["share"])
        parts.append(f"Of the {total['newborns']:,} newborn babies in care proceedings over the whole period, "
                     f"{total['subsequent']:,} ({pct(total['share'])}; 95% confidence interval {pct(total['lower'])} "
                     f"to {pct(total['upper'])}) were subsequent infants: their mother had been in earlier proceedings "
                     "about an older child.")
        ch.finding(f"{pct(total['share'])} of newborns in care proceedings had a mother with earlier proceedings "
                   "about an older child (England 2012/13 to 2016/17: 47%).", "newborns_subsequent_share")
    unlinked = total["newborns"] - total["mother_known"]
    if unlinked:
        parts.append(f"{count_text(unlinked, ch)} newborn(s) have no mother linked on their record, so they cannot "
                     "be counted as subsequent infants even if they were.")
    glue_values(ch, {name: glued.get(name) for name in names})
    return Notice(" ".join(parts))


def prebirth_share_text(ch: Chapter) -> str | None:
    """The whole-period share of babies in pre-birth assessment whose mother had earlier proceedings, as text."""
    if not (can_answer(ch) and ch.data.has("assessments")):
        return None
    rows = prebirth_rows(ch)
    if rows.empty or share_withheld(int(rows["previous"].sum()), len(rows), ch):
        return None
    return pct(rows["previous"].sum() / len(rows))


def months_median_text(ch: Chapter) -> str | None:
    if not (can_answer(ch) and ch.data.has("referrals")):
        return None
    result = median_ci(months_rows(ch)["months"])
    if not result["n"] or (ch.published and disclosure.is_small(result["n"], ch.min_count)):
        return None
    return f"{num(result['median'], 0)} months"


def return_texts(ch: Chapter) -> dict[str, str | None]:
    """The share of mothers back in proceedings within 2 and 7 years, as text (None where withheld)."""
    out = {"ch2_returned_within_2_years": None, "ch2_returned_within_7_years": None}
    summary = return_summary(ch)
    for years in (2, 7):
        row = summary[summary["years"] == years]
        if len(row) and _return_publishable(row.iloc[0], ch):
            out[f"ch2_returned_within_{years}_years"] = pct(row.iloc[0]["returned_share"])
    return out


def _return_publishable(row, ch: Chapter) -> bool:
    if row["returned"] == 0:
        return False
    return not ch.published or (row["followed"] >= ch.min_count and not disclosure.is_small(row["returned"],
                                                                                            ch.min_count))


def subsequent_table(ch: Chapter) -> Table | Notice:
    """Newborns in proceedings who are subsequent infants, by financial year."""
    if not can_answer(ch):
        return None
    record_subsequent(ch)
    t = subsequent_yearly(ch)
    years = t[t["period"] != "all"]
    hidden = pd.DataFrame(False, index=t.index, columns=["newborns", "subsequent"])
    if ch.published:
        # A count of subsequent infants is withheld when it, or the newborns who were not
        # subsequent (newborns minus it), is small; then enough others that no year can be
        # worked out from the total.
        primary = pd.DataFrame({
            "newborns": disclosure.small_mask(t["newborns"], ch.min_count),
            "subsequent": disclosure.small_mask(t["subsequent"], ch.min_count)
            | disclosure.small_mask(t["newborns"] - t["subsequent"], ch.min_count)}, index=t.index)
        is_year = t["period"] != "all"
        mask = disclosure.secondary_suppress(years[["newborns", "subsequent"]], ch.min_count,
                                             primary=primary[is_year], axes=(0,))
        hidden.loc[mask.index] = mask
        hidden.loc[~is_year] = primary[~is_year]
    frame = pd.DataFrame({
        "Year": t["period"].replace({"all": "All years"}),
        f"Newborns in proceedings (under {ch.params.newborn_days} days)":
            [disclosure.format_count(v, h) for v, h in zip(t["newborns"], hidden["newborns"])],
        "Subsequent infants": [disclosure.format_count(v, h) for v, h in zip(t["subsequent"], hidden["subsequent"])],
        "Share of newborns (95% CI)": [disclosure.MARKER if h else share_text(a, b, ch)
                                       for a, b, h in zip(t["subsequent"], t["newborns"], hidden["subsequent"])],
        "Newborns with no mother linked": [count_text(a - b, ch) for a, b in zip(t["newborns"], t["mother_known"])],
    })
    return Table(frame, "Newborns in care proceedings whose mother had earlier proceedings about an older child, by "
                        "financial year of issue", ch.download_link("subsequent", frame),
                 note="A subsequent infant's mother is recorded on proceedings about a different child issued on an "
                      "earlier date, at any time (including before the report period). Twins issued on the same day "
                      "do not make each other subsequent. Each baby counts once per year, at their first issue. "
                      f"c = fewer than {ch.min_count} babies, or a figure that would reveal one.")


def subsequent_chart(ch: Chapter) -> Figure | Notice:
    """The subsequent-infant share by year with 95% intervals, beside England's 47%."""
    if not can_answer(ch):
        return None
    t = subsequent_yearly(ch)
    years = t[(t["period"] != "all")].copy()
    withhold = np.array([b == 0 or share_withheld(a, b, ch) for a, b in zip(years["subsequent"], years["newborns"])])
    hidden = int((withhold & (years["newborns"] > 0).to_numpy()).sum())
    years.loc[withhold, ["share", "lower", "upper"]] = np.nan
    data = pd.DataFrame({"Year": years["period"], "Series": ch.params.area_name, "Per cent": years["share"] * 100,
                         "Lower": years["lower"] * 100, "Upper": years["upper"] * 100})
    if data["Per cent"].isna().all():
        return Notice(f"Every year rests on fewer than {ch.min_count} newborn babies (or would reveal them), so the "
                      "yearly chart is not shown; the table above gives the whole period.")
    fig = charts.lines_with_ci(data, "Year", "Per cent", "Series", "% of newborns in proceedings", "Lower", "Upper")
    england = reference_value("england_subsequent_infants_2012_17")
    if england is not None:
        charts.reference_lines(fig, [{"y": england * 100, "label": "England 2012/13 to 2016/17"}])
    shown = data.dropna(subset=["Per cent"])
    alt = ("Line chart of the percentage of newborn babies in care proceedings whose mother had earlier proceedings "
           f"about an older child, in {ch.params.area_name} by financial year, with 95% confidence intervals"
           + (f" and a reference line at England's {pct(england)}." if england is not None else "."))
    if len(shown):
        alt += (f" It was {num(shown['Per cent'].iloc[0], 0)}% in {shown['Year'].iloc[0]} and "
                f"{num(shown['Per cent'].iloc[-1], 0)}% in {shown['Year'].iloc[-1]}.")
    table = data.assign(**{c: data[c].map(lambda v: num(v, 1) if pd.notna(v) else disclosure.MARKER)
                           for c in ("Per cent", "Lower", "Upper")})
    table = table.rename(columns={"Lower": "Lower 95%", "Upper": "Upper 95%"})
    return Figure(fig, "Newborns in care proceedings who are subsequent infants, by financial year (bars: 95% "
                       "confidence intervals)", alt, table, ch.download_link("subsequent-by-year", table),
                  f"{hidden} year(s) are not shown because they rest on fewer than {ch.min_count} babies."
                  if hidden else "")


def comparison_table(ch: Chapter) -> Table | Notice:
    """The area's subsequent-infant share beside England's 47% and Wales' 49%."""
    if not can_answer(ch):
        return None
    t = subsequent_yearly(ch)
    rows = []
    # England's figure covers 2012/13 to 2016/17: the same years here, where the data reach them.
    same = [y for y in ("2012/13", "2013/14", "2014/15", "2015/16", "2016/17") if y in set(t["period"])]
    if same:
        part = t[t["period"].isin(same)]
        a, b = int(part["subsequent"].sum()), int(part["newborns"].sum())
        rows.append({"Area": ch.params.area_name, "Years": f"{same[0]} to {same[-1]}",
                     "Subsequent infants among newborns": share_text(a, b, ch)})
    total = t[t["period"] == "all"].iloc[0]
    rows.append({"Area": ch.params.area_name, "Years": "the whole report period",
                 "Subsequent infants among newborns": share_text(total["subsequent"], total["newborns"], ch)})
    for figure_id, area, years in (("england_subsequent_infants_2012_17", "England", "2012/13 to 2016/17"),
                                   ("wales_subsequent_infants_2016_18", "Wales (babies under two weeks)", "2016 to 2018")):
        value = reference_value(figure_id)
        if value is not None:
            rows.append({"Area": area, "Years": years, "Subsequent infants among newborns": pct(value)})
    frame = pd.DataFrame(rows)
    return Table(frame, "Subsequent infants among newborns in care proceedings: this area and the published figures",
                 ch.download_link("subsequent-comparison", frame),
                 note="England: Broadhurst et al. (2018), Born into care. Wales: Alrouh et al. (2019), where a "
                      "newborn is under two weeks old (a different definition). The published figures link mothers "
                      "across all courts in the country; a local record sees only proceedings the area itself brought.")


# -- mothers of babies in pre-birth assessment -----------------------------------------

def prebirth_rows(ch: Chapter) -> pd.DataFrame:
    """Babies with a pre-birth assessment in the period, with the mother's latest earlier proceedings."""
    def compute():
        children, proceedings = ch.data.get("children"), ch.data.get("proceedings")
        rows = d.children_with_prebirth_assessment(ch.data.get("assessments"), children, ch.params.period.start,
                                                   ch.params.period.end)
        rows["previous_issue"] = d.previous_proceedings_date(rows["child_id"], rows["start_date"], proceedings,
                                                             children)
        rows["previous"] = rows["previous_issue"].notna()
        rows["mother_known"] = rows["mother_id"].notna()
        return rows
    return _memo(ch, "prebirth", compute)


def prebirth_table(ch: Chapter) -> Table | Notice:
    """Babies with a pre-birth assessment whose mother had earlier proceedings, by year the assessment started."""
    if not can_answer(ch):
        return None
    if not ch.data.has("assessments"):
        return not_yet("how many pre-birth assessments are for mothers who were in care proceedings before.",
                       ["the assessments table (each assessment's start date, and whether it was a pre-birth "
                        "assessment)"],
                       "every assessment with its start date; unborn babies' records with their mother's id. The CIN "
                       "census return already holds assessment dates.")
    rows = prebirth_rows(ch)
    out = []
    for period in periods(ch):
        part = rows if period == "all" else rows[rows["financial_year"] == period]
        out.append({"period": period, "babies": len(part), "previous": int(part["previous"].sum()),
                    "mother_known": int(part["mother_known"].sum())})
    t = pd.DataFrame(out)
    total = t[t["period"] == "all"].iloc[0]
    if _once(ch, "prebirth"):
        for _, r in t[t["babies"] > 0].iterrows():
            record_share(ch, "prebirth_assessments_previous_proceedings_share", r["period"], r["previous"], r["babies"])
        if total["babies"] and not share_withheld(total["previous"], total["babies"], ch):
            ch.finding(f"{pct(total['previous'] / total['babies'])} of babies with a pre-birth assessment had a "
                       "mother who had been in care proceedings before.",
                       "prebirth_assessments_previous_proceedings_share")
    if total["babies"] == 0:
        return Notice("There were no pre-birth assessments in the report period.")
    frame = pd.DataFrame({
        "Year": t["period"].replace({"all": "All years"}),
        "Babies with a pre-birth assessment": [count_text(v, ch) for v in t["babies"]],
        "Mother had earlier proceedings (95% CI)": [share_text(a, b, ch) for a, b in zip(t["previous"], t["babies"])],
        "No mother linked": [count_text(a - b, ch) for a, b in zip(t["babies"], t["mother_known"])],
    })
    return Table(frame, "Babies with a pre-birth assessment whose mother had been in care proceedings about another "
                        "child before the assessment started, by financial year", ch.download_link("prebirth", frame),
                 note="Each baby counts once, at their first pre-birth assessment in the period (started before the "
                      "birth, or recorded as pre-birth). Earlier proceedings at any date count. c = fewer than "
                      f"{ch.min_count} babies, or a share that would reveal them.")


def months_rows(ch: Chapter) -> pd.DataFrame:
    """Each baby's first pre-birth referral in the period whose mother had earlier proceedings: months between."""
    def compute():
        children, proceedings = ch.data.get("children"), ch.data.get("proceedings")
        kids = children.set_index("child_id")
        r = in_period(ch, ch.data.get("referrals"), "referral_date")
        r = r[d.is_prebirth(r["referral_date"], r["child_id"].map(kids["date_of_birth"])).to_numpy()]
        r = r.sort_values(["referral_date", "referral_id"]).drop_duplicates("child_id")
        out = r[["child_id", "referral_date"]].copy()
        out["financial_year"] = d.financial_year(out["referral_date"])
        out["previous_issue"] = d.previous_proceedings_date(out["child_id"], out["referral_date"], proceedings,
                                                            children)
        out = out[out["previous_issue"].notna()].copy()
        out["months"] = (out["referral_date"] - out["previous_issue"]).dt.days / DAYS_PER_MONTH
        return out.reset_index(drop=True)
    return _memo(ch, "months", compute)


def months_table(ch: Chapter) -> Table | Notice:
    """Months from the mother's most recent earlier proceedings to the new baby's pre-birth referral."""
    if not can_answer(ch):
        return None
    if not ch.data.has("referrals"):
        return not_yet("how long after earlier proceedings a mother's next baby is referred.",
                       ["the referrals table (the date of each referral, pre-birth referrals included)"],
                       "the date of every referral, including referrals of unborn babies.")
    rows = months_rows(ch)
    if _once(ch, "months"):
        for period in periods(ch):
            part = rows if period == "all" else rows[rows["financial_year"] == period]
            if len(part):
                record_median(ch, "months_previous_to_referral_median", period, median_ci(part["months"]), "months",
                              method=MEDIAN_METHOD)
        median = months_median_text(ch)
        if median:
            ch.finding(f"Where a mother had earlier proceedings, her next baby was referred a median of {median} "
                       "after them.", "months_previous_to_referral_median")
    if rows.empty:
        return Notice("No baby referred before birth in the period had a mother with earlier proceedings recorded.")
    result = median_ci(rows["months"])
    bands = []
    for low, high, label in MONTH_BANDS:
        bands.append({"Time since the earlier proceedings": label,
                      "Babies": int(((rows["months"] >= low) & (rows["months"] < high)).sum())})
    frame = pd.DataFrame(bands)
    if ch.published:
        hide = disclosure.secondary_suppress(frame[["Babies"]], ch.min_count, axes=(0,))["Babies"]
    else:
        hide = pd.Series(False, index=frame.index)
    frame["Share"] = [disclosure.MARKER if h else pct(v / len(rows)) for v, h in zip(frame["Babies"], hide)]
    frame["Babies"] = [disclosure.format_count(v, h) for v, h in zip(frame["Babies"], hide)]
    frame = pd.concat([frame, pd.DataFrame([{"Time since the earlier proceedings": "All",
                                             "Babies": count_text(len(rows), ch), "Share": "100%"}])],
                      ignore_index=True)
    return Table(frame, "Time from the mother's most recent earlier proceedings to the new baby's pre-birth referral "
                        f"(median {median_text(result, ch, 'months', 0)})", ch.download_link("months", frame),
                 note="Babies referred before birth in the report period whose mother had been in care proceedings "
                      "about another child before the referral; each baby once, at their first pre-birth referral. "
                      "The median's range is a 95% confidence interval. c = fewer than "
                      f"{ch.min_count} babies, or a number that would reveal them.")


# -- how soon mothers return -------------------------------------------------------------

def mother_returns(ch: Chapter) -> pd.DataFrame:
    """Mothers whose first recorded proceedings were issued in the period, and when they returned.

    The first set is every child of the mother issued on her first issue date (twins and
    brothers and sisters together). A return is the first later proceedings about a child
    not in that set. Columns: mother_id, first_issue, years (to the return, or to the date
    the data end), returned (False: censored).
    """
    def compute():
        children, proceedings = ch.data.get("children"), ch.data.get("proceedings")
        end = censoring_date(ch)
        p = proceedings[["child_id", "issue_date"]].copy()
        p["mother_id"] = d.mothers_of(p["child_id"], children).to_numpy()
        p = p[p["mother_id"].notna()]
        first = p.groupby("mother_id")["issue_date"].min().rename("first_issue")
        start, stop = pd.Timestamp(ch.params.period.start), pd.Timestamp(ch.params.period.end)
        first = first[(first >= start) & (first <= stop)]
        p = p[p["mother_id"].isin(first.index)].join(first, on="mother_id")
        first_set = p[p["issue_date"] == p["first_issue"]][["mother_id", "child_id"]].drop_duplicates()
        first_set["in_first_set"] = True
        later = p.merge(first_set, on=["mother_id", "child_id"], how="left")
        later = later[later["in_first_set"].isna() & (later["issue_date"] > later["first_issue"])]
        back = later.groupby("mother_id")["issue_date"].min()
        # a join keeps the date type even when no mother has returned (map would not)
        out = first.to_frame().reset_index().join(back.rename("returned_on"), on="mother_id")
        out["returned"] = out["returned_on"].notna()
        out["years"] = (out["returned_on"].fillna(end) - out["first_issue"]).dt.days / YEAR_DAYS
        return out
    return _memo(ch, "returns", compute)


def return_summary(ch: Chapter) -> pd.DataFrame:
    """Share of mothers returned within 1, 2, 3, 5 and 7 years (Kaplan-Meier), with the number still followed."""
    def compute():
        m = mother_returns(ch)
        rows = []
        if m.empty:
            return pd.DataFrame(columns=["years", "returned_share", "lower", "upper", "returned", "followed"])
        curve = survival.km_curve(m["years"], m["returned"].astype(float))
        for years in RETURN_YEARS:
            upto = curve[curve["time"] <= years]
            last = upto.iloc[-1]
            rows.append({"years": years, "returned_share": 1 - last["survival"], "lower": 1 - last["upper"],
                         "upper": 1 - last["lower"], "returned": int(((m["years"] <= years) & m["returned"]).sum()),
                         "followed": int((m["years"] >= years).sum())})
        return pd.DataFrame(rows)
    return _memo(ch, "return_summary", compute)


def return_chart(ch: Chapter) -> Figure | Notice:
    """Kaplan-Meier view of how soon mothers come back to court with another child."""
    if not can_answer(ch):
        return None
    m = mother_returns(ch)
    if len(m) == 0 or m["returned"].sum() == 0 or (ch.published and len(m) < ch.min_count):
        return Notice("There are too few mothers with proceedings in the period, or none has returned yet, to show "
                      "how soon mothers return.")
    curve = survival.km_curve(m["years"], m["returned"].astype(float))
    if ch.published:
        curve = published_curve(curve, ch.min_count)
    data = pd.DataFrame({"Years": curve["time"], "Series": "Mothers returned with another child",
                         "Per cent": 100 * (1 - curve["survival"]), "Lower": 100 * (1 - curve["upper"]),
                         "Upper": 100 * (1 - curve["lower"])})
    if ch.published and len(data):
        # The flat end of the curve stops where fewer than min_count mothers are still followed.
        reach = float(np.sort(m["years"].to_numpy())[-ch.min_count])
        last = data[data["Years"] <= reach].tail(1).assign(Years=reach)
        data = pd.concat([data[data["Years"] < reach], last], ignore_index=True)
    fig = charts.step_curves(data, "Years", "Per cent", "Series", "Years since the mother's first proceedings in the "
                             "period", "% of mothers back in proceedings with another child", "Lower", "Upper",
                             references=[{"x": 2, "label": "2 years"}, {"x": 7, "label": "7 years"}])
    fig.axes[0].set_ylim(0, max(10, float(np.nanmax(data["Upper"])) * 1.15) if len(data) else 100)
    summary = return_summary(ch)
    texts = return_texts(ch)
    sentences = [f"{texts[f'ch2_returned_within_{y}_years']} within {y} years" for y in (2, 7)
                 if texts[f"ch2_returned_within_{y}_years"]]
    if sentences:
        ch.finding(f"Of mothers in care proceedings, {' and '.join(sentences)} were back in court with another child "
                   "(about one in five within seven years nationally).")
    alt = (f"Step chart of the percentage of {len(m):,} mothers who were back in care proceedings with another child, "
           "against years since their first proceedings in the period, with a 95% band"
           + (f": {'; '.join(sentences)}." if sentences else "."))
    table = pd.DataFrame({
        "Within": [f"{y} year" + ("" if y == 1 else "s") for y in summary["years"]],
        "Mothers back in proceedings (95% CI)": [
            ("none" if r["returned"] == 0 else disclosure.MARKER if not _return_publishable(r, ch)
             else f"{pct(r['returned_share'])} ({pct(r['lower'])} to {pct(r['upper'])})")
            for _, r in summary.iterrows()],
        "Mothers followed this long": [count_text(v, ch) for v in summary["followed"]],
    })
    return Figure(fig, "How soon mothers return to care proceedings with another child (Kaplan-Meier estimate)", alt,
                  table, ch.download_link("returns", table),
                  "Mothers whose first recorded proceedings were issued in the report period, followed until their "
                  "next proceedings about a child not in that first set, or until the data end. Mothers followed for "
                  "a shorter time count for as long as they were followed. Where the estimate rests on fewer than "
                  f"{ch.min_count} mothers it is not drawn.")
