"""Chapter 5: Urgent hearings.

Notice = days from the issue of proceedings to the first hearing
(``definitions.notice_days``). The three shares are cumulative, as in the national
reports: heard the same day (0 days) is within "emergency" (under
``urgent_days.emergency`` days), which is within "short notice" (``urgent_days.short_notice``
days or less; 7 in the national figure "heard within seven days": England 86.3%, Wales
74.8% in 2019/20, Pattinson et al. 2021).

They are computed over newborns in proceedings with a recorded first hearing (group
``newborns``) and over all children in proceedings (group ``all children``), each child
once per financial year at their first issue, as in chapter 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import charts, definitions as d, disclosure
from ..stats import glm, intervals
from .common import Chapter, Figure, Notice, Table, glue_values, not_yet, num, pct
from .recurrence import reference_value
from .waiting import (MEDIAN_METHOD, count_text, median_ci, median_text, periods, record_median, record_share,
                      share_text, share_withheld)

GROUPS = ("newborns", "all children")
SHARES = ("same_day", "emergency", "within_short")
INDICATORS = {"same_day": "hearing_same_day_share", "emergency": "hearing_emergency_share",
              "within_short": "hearing_within_7_days_share"}
AGE_BANDS = ((0, 2, "0 to 1 day"), (2, 4, "2 to 3 days"), (4, 8, "4 to 7 days"), (8, 15, "8 to 14 days"),
             (15, np.inf, "15 days or more"))


def _memo(ch: Chapter, name: str, compute):
    return ch.memo(f"urgent:{name}", compute)


def _once(ch: Chapter, name: str) -> bool:
    """True the first time a chapter asks (so each indicator is recorded once)."""
    return ch.once(f"urgent:{name}")


def labels(ch: Chapter) -> dict[str, str]:
    """Plain names of the three cumulative shares under this area's parameters."""
    e, s = ch.params.urgent_days.emergency, ch.params.urgent_days.short_notice
    return {"same_day": "Same day", "emergency": f"Under {e} days", "within_short": f"Within {s} days"}


# -- can the chapter be answered? ----------------------------------------------------

def can_answer(ch: Chapter) -> bool:
    proceedings = ch.data.get("proceedings")
    return proceedings is not None and not proceedings.empty and proceedings["first_hearing_date"].notna().any()


def missing(ch: Chapter) -> Notice:
    """The 'not yet' message when proceedings or first-hearing dates are not supplied."""
    what = []
    if not ch.data.has("proceedings"):
        what.append("the proceedings table (one row per child per care application, with its issue date)")
    else:
        what.append("the date of the first hearing of each application (proceedings.first_hearing_date)")
    return not_yet("how often first hearings are held at short notice or on the day proceedings are issued.", what,
                   "the date of the first hearing for every application, beside its issue date. Court orders and "
                   "legal case files hold it.")


def hearing_rows(ch: Chapter) -> pd.DataFrame:
    """Children in proceedings in the period (once per financial year) with notice before their first hearing.

    ``notice``: days from issue to first hearing (NA when the hearing is not recorded);
    ``valid``: a hearing recorded on or after the issue date.
    """
    def compute():
        proceedings, children = ch.data.get("proceedings"), ch.data.get("children")
        rows = d.children_in_proceedings(proceedings, children, ch.params.newborn_days,
                                         ch.params.period.start, ch.params.period.end)
        hearing = proceedings.set_index("proceedings_id")["first_hearing_date"]
        rows["first_hearing_date"] = pd.to_datetime(rows["proceedings_id"].map(hearing))
        rows["notice"] = d.notice_days(rows["issue_date"], rows["first_hearing_date"])
        rows["recorded"] = rows["notice"].notna()
        rows["valid"] = rows["recorded"] & (rows["notice"].fillna(-1) >= 0)
        rows["age_at_hearing"] = (rows["first_hearing_date"] - pd.to_datetime(rows["date_of_birth"])).dt.days
        return rows
    return _memo(ch, "rows", compute)


def group_rows(rows: pd.DataFrame, group: str) -> pd.DataFrame:
    return rows[rows["newborn"].fillna(False).astype(bool)] if group == "newborns" else rows


def shares(ch: Chapter) -> pd.DataFrame:
    """Counts behind the three cumulative shares, by group and period (unsuppressed).

    Columns: group, period, children, recorded, before_issue, n (valid hearings),
    same_day, emergency, within_short, longer.
    """
    def compute():
        rows = hearing_rows(ch)
        e, s = ch.params.urgent_days.emergency, ch.params.urgent_days.short_notice
        out = []
        for group in GROUPS:
            mine = group_rows(rows, group)
            for period in periods(ch):
                part = d.first_in_period(mine) if period == "all" else mine[mine["financial_year"] == period]
                notice = part.loc[part["valid"], "notice"].astype(float)
                out.append({"group": group, "period": period, "children": len(part),
                            "recorded": int(part["recorded"].sum()),
                            "before_issue": int((part["recorded"] & ~part["valid"]).sum()), "n": len(notice),
                            "same_day": int((notice == 0).sum()), "emergency": int((notice < e).sum()),
                            "within_short": int((notice <= s).sum()), "longer": int((notice > s).sum())})
        return pd.DataFrame(out)
    return _memo(ch, "shares", compute)


def record_shares(ch: Chapter) -> None:
    if not _once(ch, "shares"):
        return
    s = ch.params.urgent_days.short_notice
    e = ch.params.urgent_days.emergency
    methods = {"same_day": "Wilson score interval; first hearing on the day of issue (0 days' notice)",
               "emergency": f"Wilson score interval; first hearing under {e} days after issue",
               "within_short": f"Wilson score interval; first hearing {s} days or less after issue"}
    for _, r in shares(ch).iterrows():
        if r["n"] == 0:
            continue
        for key in SHARES:
            record_share(ch, INDICATORS[key], r["period"], r[key], r["n"], group=r["group"], method=methods[key])


def _newborns_known(ch: Chapter) -> bool:
    return ch.data.get("children")["date_of_birth"].notna().any()


# -- what a notebook cell shows ------------------------------------------------------

def headline(ch: Chapter) -> Notice:
    """Plain-English summary of notice for newborns (or all children when ages are unknown)."""
    names = ("ch5_within_short_newborns", "ch5_same_day_newborns", "ch5_emergency_newborns",
             "ch5_within_short_all_children", "ch5_age_median")
    if not can_answer(ch):
        glue_values(ch, dict.fromkeys(names))
        return missing(ch)
    record_shares(ch)
    t = shares(ch).set_index(["group", "period"])
    glued, parts = {}, []
    days_s = ch.params.urgent_days.short_notice
    for group, who in (("newborns", "newborn babies"), ("all children", "all children")):
        r = t.loc[(group, "all")]
        if r["n"] == 0:
            continue
        key = "newborns" if group == "newborns" else "all_children"
        ok = {k: not share_withheld(r[k], r["n"], ch) for k in SHARES}
        if ok["within_short"]:
            glued[f"ch5_within_short_{key}"] = pct(r["within_short"] / r["n"])
        if group == "newborns":
            if ok["same_day"]:
                glued["ch5_same_day_newborns"] = pct(r["same_day"] / r["n"])
            if ok["emergency"]:
                glued["ch5_emergency_newborns"] = pct(r["emergency"] / r["n"])
            bits = []
            if ok["same_day"]:
                bits.append(f"{pct(r['same_day'] / r['n'])} were held on the day proceedings were issued")
            if ok["within_short"]:
                bits.append(f"{pct(r['within_short'] / r['n'])} within {days_s} days")
            if bits:
                parts.append(f"Over the whole period, of the first hearings for {who} in proceedings, "
                             + " and ".join(bits) + " (England 2019/20: about one in six on the same day, 86.3% "
                             "within seven days).")
                ch.finding("Newborns' first hearings: " + " and ".join(bits) + " (England 2019/20: about 1 in 6 "
                           "on the same day, 86.3% within 7 days).", INDICATORS["within_short"])
        elif ok["within_short"]:
            parts.append(f"For all children in proceedings, {pct(r['within_short'] / r['n'])} of first hearings were "
                         f"within {days_s} days of issue.")
    if not _newborns_known(ch):
        parts.append("Without children's dates of birth, newborns cannot be told apart from older children.")
    age = age_summary(ch)
    if age is not None and age["n"] and not (ch.published and disclosure.is_small(age["n"], ch.min_count)):
        glued["ch5_age_median"] = f"{num(age['median'], 0)} days"
    glue_values(ch, {name: glued.get(name) for name in names})
    not_recorded = t.loc[("all children", "all"), "children"] - t.loc[("all children", "all"), "recorded"]
    if not_recorded:
        how_many = (f"Fewer than {ch.min_count} children" if ch.published and disclosure.is_small(not_recorded,
                                                                                                ch.min_count)
                    else f"{not_recorded:,} child" + ("" if not_recorded == 1 else "ren"))
        parts.append(f"{how_many} in proceedings had no first-hearing date recorded (or one dated before the issue) "
                     "and are left out of these shares.")
    return Notice(" ".join(parts) if parts else "There were no first hearings recorded in the report period.")


def shares_table(ch: Chapter) -> Table | Notice:
    """The three cumulative shares by financial year, for newborns and for all children."""
    if not can_answer(ch):
        return None
    record_shares(ch)
    t = shares(ch)
    names = labels(ch)
    frame = pd.DataFrame({
        "Children": t["group"].map({"newborns": f"Newborns (under {ch.params.newborn_days} days)",
                                    "all children": "All children"}),
        "Year": t["period"].replace({"all": "All years"}),
        "First hearings recorded": [count_text(v, ch) for v in t["n"]],
        **{f"{names[k]} (95% CI)": [share_text(a, b, ch) for a, b in zip(t[k], t["n"])] for k in SHARES},
    })
    if not _newborns_known(ch):
        frame = frame[t["group"] != "newborns"]
    return Table(frame, "Notice before the first hearing: cumulative shares by financial year of issue",
                 ch.download_link("notice-shares", frame),
                 note=f"Shares are cumulative: a same-day hearing is also under {ch.params.urgent_days.emergency} days "
                      f"and within {ch.params.urgent_days.short_notice} days. Each child counts once per year, at "
                      "their first issue; children with no first-hearing date are left out. Ranges are 95% confidence "
                      f"intervals. c = fewer than {ch.min_count} children, or a share that would reveal them.")


def bands_table(ch: Chapter) -> Table | Notice:
    """Newborns' first hearings in notice bands by year (counts, with secondary suppression)."""
    if not can_answer(ch):
        return None
    group = "newborns" if _newborns_known(ch) else "all children"
    t = shares(ch)
    t = t[t["group"] == group].reset_index(drop=True)
    e, s = ch.params.urgent_days.emergency, ch.params.urgent_days.short_notice
    bands = pd.DataFrame({
        "Same day": t["same_day"], f"1 to {e - 1} days": t["emergency"] - t["same_day"],
        f"{e} to {s} days": t["within_short"] - t["emergency"], f"More than {s} days": t["longer"],
    })
    bands["Total"] = bands.sum(axis=1)
    is_year = t["period"] != "all"
    hidden = pd.DataFrame(False, index=bands.index, columns=bands.columns)
    if ch.published:
        hidden.loc[is_year] = disclosure.secondary_suppress(bands[is_year], ch.min_count, axes=(0, 1))
        hidden.loc[~is_year] = disclosure.secondary_suppress(bands[~is_year], ch.min_count, axes=(1,))
    frame = pd.DataFrame({"Year": t["period"].replace({"all": "All years"})})
    for column in bands.columns:
        frame[column] = [disclosure.format_count(v, h) for v, h in zip(bands[column], hidden[column])]
    frame["Hearing not recorded or before issue"] = [count_text(a - b, ch) for a, b in zip(t["children"], t["n"])]
    who = f"newborns (under {ch.params.newborn_days} days)" if group == "newborns" else "children"
    return Table(frame, f"Days' notice before the first hearing for {who}, by financial year of issue",
                 ch.download_link("notice-bands", frame),
                 note=f"c = fewer than {ch.min_count} children, or a number that would let one be worked out from "
                      "the totals.")


def shares_chart(ch: Chapter, group: str = "newborns") -> Figure | Notice:
    """The three cumulative notice shares by year with 95% intervals, for newborns or all children.

    England's 2019/20 figures (newborns) are drawn as reference lines on the newborns' chart.
    """
    if not can_answer(ch):
        return None
    if group == "newborns" and not _newborns_known(ch):
        return None
    who = "newborn babies" if group == "newborns" else "all children"
    t = shares(ch)
    t = t[(t["group"] == group) & (t["period"] != "all")]
    names = labels(ch)
    frames, hidden = [], 0
    for key in SHARES:
        value, lower, upper = intervals.proportion_ci(t[key].to_numpy(float), t["n"].to_numpy(float))
        withhold = np.array([b == 0 or share_withheld(a, b, ch) for a, b in zip(t[key], t["n"])])
        hidden += int((withhold & (t["n"].to_numpy() > 0)).sum())
        frames.append(pd.DataFrame({"Year": t["period"].to_numpy(), "Series": names[key],
                                    "Per cent": np.where(withhold, np.nan, value * 100),
                                    "Lower": np.where(withhold, np.nan, lower * 100),
                                    "Upper": np.where(withhold, np.nan, upper * 100)}))
    data = pd.concat(frames, ignore_index=True)
    if data["Per cent"].isna().all():
        return Notice(f"For {who}, every year rests on fewer than {ch.min_count} children (or would reveal them), so "
                      "the yearly chart is not shown; the tables give the whole period.")
    events = [{"x": d.financial_year(pd.Series([pd.Timestamp(e.date)])).iloc[0], "label": e.label}
              for e in ch.params.events]
    fig = charts.lines_with_ci(data, "Year", "Per cent", "Series", f"% of {who} in proceedings", "Lower", "Upper",
                               events)
    refs = []
    if group == "newborns":
        seven = reference_value("england_heard_within_7_days_2019_20")
        same = reference_value("england_same_day_2019_20")
        if seven is not None and ch.params.urgent_days.short_notice == 7:
            refs.append({"y": seven * 100, "label": "England 2019/20: within 7 days"})
        if same is not None:
            refs.append({"y": same * 100, "label": "England 2019/20: same day"})
    if refs:
        charts.reference_lines(fig, refs)
    fig.axes[0].set_ylim(0, 105)
    charts.legend_below(fig, ncol=3)
    latest = data.dropna(subset=["Per cent"])
    alt = (f"Line chart of the percentage of {who} in care proceedings whose first hearing was on the day of issue, "
           f"under {ch.params.urgent_days.emergency} days and within {ch.params.urgent_days.short_notice} days after "
           "it, by financial year, with 95% confidence intervals"
           + (" and England's 2019/20 figures as reference lines." if refs else "."))
    within = latest[latest["Series"] == names["within_short"]]
    if len(within):
        alt += (f" {names['within_short']}: {num(within['Per cent'].iloc[0], 0)}% in {within['Year'].iloc[0]} and "
                f"{num(within['Per cent'].iloc[-1], 0)}% in {within['Year'].iloc[-1]}.")
    table = data.assign(**{c: data[c].map(lambda v: num(v, 1) if pd.notna(v) else disclosure.MARKER)
                           for c in ("Per cent", "Lower", "Upper")})
    table = table.rename(columns={"Lower": "Lower 95%", "Upper": "Upper 95%"})
    slug = "newborns" if group == "newborns" else "all-children"
    return Figure(fig, f"Notice before the first hearing for {who} in care proceedings, by financial year "
                       "(cumulative shares; bars: 95% confidence intervals)",
                  alt, table, ch.download_link(f"notice-by-year-{slug}", table),
                  f"{hidden} point(s) are not shown because they rest on fewer than {ch.min_count} children or would "
                  "reveal them." if hidden else "")


def trend_table(ch: Chapter) -> Table | Notice:
    """Logistic-regression trend in each share: the odds ratio per year."""
    if not can_answer(ch):
        return None
    t = shares(ch)
    names = labels(ch)
    rows = []
    for group in GROUPS:
        if group == "newborns" and not _newborns_known(ch):
            continue
        part = t[(t["group"] == group) & (t["period"] != "all")]
        for key in SHARES:
            fit = glm.binomial_trend(part[key].to_numpy(float), part["n"].to_numpy(float), part["period"])
            if not fit.fitted_ok:
                continue
            total = int(part[key].sum())
            withheld = ch.published and disclosure.share_needs_suppression(total, int(part["n"].sum()), ch.min_count)
            if _once(ch, f"trend_{group}_{key}"):
                ch.record(INDICATORS[key].replace("_share", "_trend_odds_ratio"), "all", fit.ratio, group=group,
                          lower=fit.lower, upper=fit.upper, unit="odds ratio per year",
                          method=f"{fit.model} logistic regression of yearly shares on financial year",
                          suppressed=withheld)
            if withheld:
                ratio = meaning = disclosure.MARKER
            else:
                ratio = f"{num(fit.ratio, 2)} ({num(fit.lower, 2)} to {num(fit.upper, 2)})"
                meaning = ("rising" if fit.lower > 1 else "falling" if fit.upper < 1 else "no clear change")
            rows.append({"Children": "Newborns" if group == "newborns" else "All children", "Share": names[key],
                         "Odds ratio per year (95% CI)": ratio, "Trend": meaning, "Model": fit.model})
    if not rows:
        return Notice("There are too few years with recorded first hearings to model a trend.")
    frame = pd.DataFrame(rows)
    return Table(frame, "Is notice changing? Trend in each share over the report period",
                 ch.download_link("notice-trend", frame),
                 note="A logistic regression of each year's share on the year. An odds ratio above 1 means the share "
                      "rises from year to year; the quasi-binomial model is used when the shares vary more than "
                      "chance allows.")


def comparison_table(ch: Chapter) -> Table | Notice:
    """This area's 2019/20 and whole-period shares beside England, Wales and the regional contrast."""
    if not can_answer(ch):
        return None
    from .infants import region_name

    group = "newborns" if _newborns_known(ch) else "all children"
    t = shares(ch).set_index(["group", "period"])
    rows = []
    for period, label in (("2019/20", "2019/20"), ("all", "whole report period")):
        if (group, period) not in t.index or t.loc[(group, period), "n"] == 0:
            continue
        r = t.loc[(group, period)]
        rows.append({"Area": ch.params.area_name, "Years": label,
                     "Same day": share_text(r["same_day"], r["n"], ch),
                     f"Within {ch.params.urgent_days.short_notice} days": share_text(r["within_short"], r["n"], ch)})
    seven = f"Within {ch.params.urgent_days.short_notice} days"
    region = region_name(ch)
    published = [("England", "england_same_day_2019_20", "england_heard_within_7_days_2019_20"),
                 ("Wales", None, "wales_heard_within_7_days_2019_20"),
                 ("North East", "north_east_same_day_2019_20", None),
                 ("London", "london_same_day_2019_20", None)]
    for area, same_id, seven_id in published:
        same_value = reference_value(same_id) if same_id else None
        seven_value = reference_value(seven_id) if seven_id else None
        if same_value is None and seven_value is None:
            continue
        name = area + (" (your region)" if region and region.lower() == area.lower() else "")
        rows.append({"Area": name, "Years": "2019/20",
                     "Same day": ("about 1 in 6 (" + pct(same_value) + ")") if area == "England" and same_value
                     else pct(same_value) if same_value is not None else "not published",
                     seven: pct(seven_value, 1) if seven_value is not None else "not published"})
    frame = pd.DataFrame(rows)
    who = "newborns" if group == "newborns" else "all children"
    return Table(frame, f"Notice before the first hearing for {who}: this area and the published figures",
                 ch.download_link("notice-comparison", frame),
                 note="Published figures: Pattinson et al. (2021), Born into care: newborn babies in urgent care "
                      "proceedings in England and Wales (newborns under 7 days, 2019/20). Ranges for this area are "
                      "95% confidence intervals.")


# -- the baby's age at the first hearing ------------------------------------------------

def age_rows(ch: Chapter) -> pd.DataFrame:
    rows = hearing_rows(ch)
    rows = d.first_in_period(rows[rows["newborn"].fillna(False).astype(bool) & rows["valid"]])
    return rows[rows["age_at_hearing"].notna()]


def age_summary(ch: Chapter) -> dict | None:
    if not can_answer(ch) or not _newborns_known(ch):
        return None
    return _memo(ch, "age", lambda: median_ci(age_rows(ch)["age_at_hearing"]))


def age_table(ch: Chapter) -> Table | Notice:
    """How old newborn babies were at their first hearing."""
    if not can_answer(ch):
        return None
    if not _newborns_known(ch):
        return not_yet("how old babies are at their first hearing.", ["children's dates of birth"],
                       "each child's full date of birth.")
    rows = age_rows(ch)
    result = age_summary(ch)
    if _once(ch, "age"):
        record_median(ch, "newborn_age_days_at_first_hearing_median", "all", result, "days", group="newborns",
                      method=MEDIAN_METHOD)
    if rows.empty:
        return Notice("No newborn baby in proceedings had a first hearing recorded in the report period.")
    counts = pd.DataFrame({"Babies": [int(((rows["age_at_hearing"] >= lo) & (rows["age_at_hearing"] < hi)).sum())
                                      for lo, hi, _ in AGE_BANDS]})
    hide = (disclosure.secondary_suppress(counts, ch.min_count, axes=(0,))["Babies"] if ch.published
            else pd.Series(False, index=counts.index))
    frame = pd.DataFrame({"Age at the first hearing": [label for _, _, label in AGE_BANDS],
                          "Babies": [disclosure.format_count(v, h) for v, h in zip(counts["Babies"], hide)],
                          "Share": [disclosure.MARKER if h else pct(v / len(rows))
                                    for v, h in zip(counts["Babies"], hide)]})
    frame = pd.concat([frame, pd.DataFrame([{"Age at the first hearing": "All", "Babies": count_text(len(rows), ch),
                                             "Share": "100%"}])], ignore_index=True)
    return Table(frame, "How old newborn babies were at their first hearing "
                        f"(median {median_text(result, ch, 'days', 0)})", ch.download_link("age-at-hearing", frame),
                 note=f"Newborns: under {ch.params.newborn_days} days old when proceedings were issued, each once, at "
                      "their first issue in the period. Age = days from birth to the first hearing. c = fewer than "
                      f"{ch.min_count} babies, or a number that would reveal them.")
