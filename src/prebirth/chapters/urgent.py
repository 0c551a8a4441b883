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

:func:`compute` returns everything the chapter publishes as a
:class:`~prebirth.results.ChapterResult`; the book's disclosure step decides what is withheld.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import charts, definitions as d, reference
from ..results import ChapterResult, Chart, Count, Measure, Notice, Plain, ResultTable, Share, Text, frame_of, key
from ..stats import glm
from .common import Chapter, Prepared
from .waiting import MEDIAN_METHOD, median_ci, periods

NUMBER, KEY, TITLE = 5, "urgent_hearings", "Urgent hearings"
GROUPS = ("newborns", "all children")
SHARES = ("same_day", "emergency", "within_short")
INDICATORS = {"same_day": "hearing_same_day_share", "emergency": "hearing_emergency_share",
              "within_short": "hearing_within_7_days_share"}
AGE_BANDS = ((0, 2, "0 to 1 day"), (2, 4, "2 to 3 days"), (4, 8, "4 to 7 days"), (8, 15, "8 to 14 days"),
             (15, np.inf, "15 days or more"))
SHARE_METHOD = "Wilson score interval"
POOL_YEARS = 3  # the yearly newborn series pooled into three-year periods
PLO_GROUPS = {"before birth": "Pre-proceedings began before birth",
              "not before birth": "No pre-proceedings before birth"}


def labels(params) -> dict[str, str]:
    """Plain names of the three cumulative shares under this area's parameters."""
    e, s = params.urgent_days.emergency, params.urgent_days.short_notice
    return {"same_day": "Same day", "emergency": f"Under {e} days", "within_short": f"Within {s} days"}


def band_names(params) -> dict[str, str]:
    """The four notice bands that the cumulative shares add up from."""
    e, s = params.urgent_days.emergency, params.urgent_days.short_notice
    return {"same_day": "Same day", "early": f"1 to {e - 1} days", "late": f"{e} to {s} days",
            "longer": f"More than {s} days"}


# -- the analysis ----------------------------------------------------------------------

def can_answer(ch: Chapter) -> bool:
    proceedings = ch.data.get("proceedings")
    return proceedings is not None and not proceedings.empty and proceedings["first_hearing_date"].notna().any()


def newborns_known(ch: Chapter) -> bool:
    return ch.data.get("children")["date_of_birth"].notna().any()


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
    return ch.memo("urgent:rows", compute)


def group_rows(rows: pd.DataFrame, group: str) -> pd.DataFrame:
    return rows[rows["newborn"].fillna(False).astype(bool)] if group == "newborns" else rows


def shares(ch: Chapter) -> pd.DataFrame:
    """Counts behind the three cumulative shares, by group and period.

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
    return ch.memo("urgent:shares", compute)


def age_rows(ch: Chapter) -> pd.DataFrame:
    rows = hearing_rows(ch)
    rows = d.first_in_period(rows[rows["newborn"].fillna(False).astype(bool) & rows["valid"]])
    return rows[rows["age_at_hearing"].notna()]


def age_summary(ch: Chapter) -> dict | None:
    if not can_answer(ch) or not newborns_known(ch):
        return None
    return ch.memo("urgent:age", lambda: median_ci(age_rows(ch)["age_at_hearing"]))


def pooled_periods(years: list[str], size: int = POOL_YEARS) -> list[tuple[str, list[str]]]:
    """Periods of ``size`` consecutive financial years that do not overlap, in order: (label, years), e.g.
    ``("2014/15 to 2016/17", ["2014/15", "2015/16", "2016/17"])``.

    Counted from the first year; the latest period takes in the one or two years left over, so that the
    periods cover every year (a year left out would be the whole period minus the periods) and the latest
    years are never left standing alone. None when there are fewer than ``size`` years.
    (Overlapping, rolling periods differ by one year at each end: on the demo area the book's
    disclosure step had to withhold half of them, and the whole period's same-day share with them.)"""
    windows = [years[i:i + size] for i in range(0, len(years) - size + 1, size)]
    if windows:
        windows[-1] = years[size * (len(windows) - 1):]
    return [(f"{window[0]} to {window[-1]}", window) for window in windows]


def _has_epo(proceedings: pd.DataFrame) -> pd.Series:
    """Per proceedings row: an emergency protection order application, or an EPO recorded as the first order."""
    application = proceedings["application"] if "application" in proceedings else pd.Series("", proceedings.index)
    first = proceedings["first_order"] if "first_order" in proceedings else pd.Series("", proceedings.index)
    return (application.astype(str).str.lower().eq("epo") | first.astype(str).str.lower().eq("epo"))


def child_year_details(ch: Chapter) -> pd.DataFrame:
    """:func:`hearing_rows` with, for each child and financial year, ``epo`` (an emergency protection order
    among the child's applications issued in the period that year) and ``plo_before_birth`` (the earliest
    pre-proceedings start recorded on any of the child's applications is before the child's birth)."""
    def compute():
        rows = hearing_rows(ch).copy()
        proceedings = ch.data.get("proceedings")
        start, end = pd.Timestamp(ch.params.period.start), pd.Timestamp(ch.params.period.end)
        p = proceedings[(proceedings["issue_date"] >= start) & (proceedings["issue_date"] <= end)]
        p = p.assign(financial_year=d.financial_year(p["issue_date"]), epo=_has_epo(p))
        epo = p.groupby(["child_id", "financial_year"])["epo"].any()
        pairs = pd.MultiIndex.from_frame(rows[["child_id", "financial_year"]])
        rows["epo"] = epo.reindex(pairs).fillna(False).astype(bool).to_numpy()
        if "pre_proceedings_start_date" in proceedings:
            plo = pd.to_datetime(proceedings.groupby("child_id")["pre_proceedings_start_date"].min())
            began = pd.to_datetime(rows["child_id"].map(plo))
        else:
            began = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns]")
        rows["plo_before_birth"] = (began < pd.to_datetime(rows["date_of_birth"])).fillna(False).astype(bool)
        return rows
    return ch.memo("urgent:details", compute)


def plo_split(ch: Chapter) -> pd.DataFrame:
    """Newborns' first hearings over the whole period (each baby once, at the first issue), split by whether
    pre-proceedings began before birth: group, n (hearings on or after issue), same_day, emergency,
    within_short."""
    rows = child_year_details(ch)
    rows = d.first_in_period(group_rows(rows, "newborns"))
    e, s = ch.params.urgent_days.emergency, ch.params.urgent_days.short_notice
    out = []
    for group in PLO_GROUPS:
        part = rows[rows["plo_before_birth"] == (group == "before birth")]
        notice = part.loc[part["valid"], "notice"].astype(float)
        out.append({"group": group, "n": len(notice), "same_day": int((notice == 0).sum()),
                    "emergency": int((notice < e).sum()), "within_short": int((notice <= s).sum())})
    return pd.DataFrame(out)


def epo_counts(ch: Chapter) -> pd.DataFrame:
    """Children in proceedings over the whole period (each once) and how many had an emergency protection
    order (for newborns: in a year they were in proceedings as newborns), by group: group, children, epo."""
    rows = child_year_details(ch)
    out = []
    for group in GROUPS:
        epo = group_rows(rows, group).groupby("child_id")["epo"].any()
        out.append({"group": group, "children": len(epo), "epo": int(epo.sum())})
    return pd.DataFrame(out)


# -- the chapter's cells ------------------------------------------------------------------

class Cells:
    """The counts of the chapter under their book-wide keys, and the relations between them."""

    def __init__(self, r: ChapterResult, table: pd.DataFrame):
        self.r = r
        self.rows = table.set_index(["group", "period"])
        self._related: set = set()

    def children(self, group: str, period: str) -> Count:
        # The same count as chapter 1's children in proceedings (once per year, at the first issue)
        return Count(key("proceedings", group, period), int(self.rows.loc[(group, period), "children"]))

    def count(self, group: str, period: str, what: str) -> Count:
        """``what``: n (first hearings on or after issue), missing (none recorded, or before issue),
        same_day, emergency, within_short, early, late, longer."""
        row = self.rows.loc[(group, period)]
        value = {"n": row["n"], "missing": row["children"] - row["n"], "same_day": row["same_day"],
                 "emergency": row["emergency"], "within_short": row["within_short"],
                 "early": row["emergency"] - row["same_day"], "late": row["within_short"] - row["emergency"],
                 "longer": row["longer"]}[what]
        self.relate(group, period)
        return Count(key("hearing", group, period, what), int(value))

    def share(self, group: str, period: str, what: str) -> Share:
        return Share.of(self.count(group, period, what), self.count(group, period, "n"))

    def relate(self, group: str, period: str) -> None:
        """Children = hearings + missing; the cumulative shares and their bands."""
        if (group, period) in self._related:
            return
        self._related.add((group, period))
        c = lambda what: key("hearing", group, period, what)  # noqa: E731
        row = self.rows.loc[(group, period)]
        for what, value in (("n", row["n"]), ("missing", row["children"] - row["n"]),
                            ("same_day", row["same_day"]), ("emergency", row["emergency"]),
                            ("within_short", row["within_short"]), ("early", row["emergency"] - row["same_day"]),
                            ("late", row["within_short"] - row["emergency"]), ("longer", row["longer"])):
            self.r.hidden_count(c(what), int(value))  # known to the book even where not shown
        self.r.hidden_count(key("proceedings", group, period), int(row["children"]))
        self.r.relate(key("proceedings", group, period), [c("n"), c("missing")],
                      "children in proceedings = first hearings recorded + not recorded or before issue")
        self.r.relate(c("emergency"), [c("same_day"), c("early")], "under the emergency cut = same day + the days after")
        self.r.relate(c("within_short"), [c("emergency"), c("late")], "within short notice = emergency + the days after")
        self.r.relate(c("n"), [c("within_short"), c("longer")], "first hearings = within short notice + longer")

    def pooled(self, group: str, label: str, years: list[str], what: str) -> Count:
        """A count over a run of years (each child once a year): the sum of the years' counts, a relation the
        disclosure step sees, so that neighbouring periods cannot be differenced to reveal a year."""
        parts = [self.count(group, period, what) for period in years]
        total = Count(key("hearing", group, label, what), sum(c.value for c in parts))
        if (group, label, what) not in self._related:
            self._related.add((group, label, what))
            self.r.relate(total, parts, f"{what} over {label} = the sum of its years")
        return total

    def relate_years(self) -> None:
        """Each measure's years against the whole period (a child in two years is counted once in 'all')."""
        years = [p for p in self.rows.index.get_level_values("period").unique() if p != "all"]
        for group in GROUPS:
            if (group, "all") not in self.rows.index:
                continue
            for period in [*years, "all"]:
                self.relate(group, period)
            for what in ("n", "missing", "same_day", "early", "late", "longer"):
                self.r.relate_periods(key("hearing", group, "all", what),
                                      [key("hearing", group, p, what) for p in years],
                                      f"{what} by year against the whole period")


def _share_columns(cells: Cells, group: str, period: str, names: dict) -> dict:
    return {f"{names[k]} (95% CI)": cells.share(group, period, k) for k in SHARES}


def compute(prepared: Prepared, upstream: dict | None = None) -> ChapterResult:
    """Everything chapter 5 publishes, before disclosure."""
    ch = Chapter(NUMBER, KEY, prepared)
    r = ChapterResult(NUMBER, KEY, TITLE)
    params = ch.params
    names = labels(params)
    glue_names = ("ch5_within_short_newborns", "ch5_same_day_newborns", "ch5_emergency_newborns",
                  "ch5_within_short_all_children", "ch5_age_median")
    r.glue.update(dict.fromkeys(glue_names))
    r.prompts = ["What would a parent need to know, and have, before a first hearing?",
                 "Compare planned and unplanned proceedings: what made the difference?",
                 "Invite the local family justice board's view on how notice could be lengthened."]
    if not can_answer(ch):
        r.status = {"answer": "not yet"}
        r.add("headline", _missing(ch))
        return r
    r.status = {"answer": "can answer"}
    table = shares(ch)
    cells = Cells(r, table)
    known = newborns_known(ch)
    groups = [g for g in GROUPS if known or g != "newborns"]
    _indicators(r, cells, table, params)
    _headline(r, cells, table, ch, known)
    _shares_table(r, cells, table, ch, groups, names)
    for group in groups:
        _shares_chart(r, cells, table, ch, group, names)
    if known:
        _pooled(r, cells, ch, names)
    _bands_table(r, cells, table, ch, "newborns" if known else "all children")
    _trend_table(r, cells, table, groups, names)
    if known:
        _plo(r, cells, ch, names)
    _epo(r, ch, groups)
    _age(r, cells, ch, known)
    _comparison_table(r, cells, table, ch, "newborns" if known else "all children")
    cells.relate_years()
    return r


def _missing(ch: Chapter) -> Notice:
    what = []
    if not ch.data.has("proceedings"):
        what.append("the proceedings table (one row per child per care application, with its issue date)")
    else:
        what.append("the date of the first hearing of each application (proceedings.first_hearing_date)")
    from ..results import not_yet

    return not_yet("how often first hearings are held at short notice or on the day proceedings are issued.", what,
                   "the date of the first hearing for every application, beside its issue date. Court orders and "
                   "legal case files hold it.")


def _indicators(r: ChapterResult, cells: Cells, table: pd.DataFrame, params) -> None:
    e, s = params.urgent_days.emergency, params.urgent_days.short_notice
    methods = {"same_day": f"{SHARE_METHOD}; first hearing on the day of issue (0 days' notice)",
               "emergency": f"{SHARE_METHOD}; first hearing under {e} days after issue",
               "within_short": f"{SHARE_METHOD}; first hearing {s} days or less after issue"}
    for _, row in table.iterrows():
        if row["n"] == 0:
            continue
        for what in SHARES:
            r.indicator(INDICATORS[what], row["period"], cells.share(row["group"], row["period"], what),
                        group=row["group"], method=methods[what])


def _headline(r: ChapterResult, cells: Cells, table: pd.DataFrame, ch: Chapter, known: bool) -> None:
    t = table.set_index(["group", "period"])
    days_s = ch.params.urgent_days.short_notice
    parts = []
    newborns = t.loc[("newborns", "all")]
    if known and newborns["n"]:
        same, emergency, within = (cells.share("newborns", "all", k) for k in SHARES)
        r.glue.update(ch5_same_day_newborns=same, ch5_emergency_newborns=emergency, ch5_within_short_newborns=within)
        england = f"({national_words(ch.params.country)})."
        parts.append(Text("Over the whole period, of the first hearings for newborn babies in proceedings, {same} "
                          "were held on the day proceedings were issued and {within} within " f"{days_s} days "
                          + england, {"same": same, "within": within},
                          Text("Over the whole period, of the first hearings for newborn babies in proceedings, "
                               "{within} were within " f"{days_s} days " + england, {"within": within})))
        r.finding("Over the whole period, {within} of newborn babies' first hearings were within "
                  f"{days_s} days of issue, and {{same}} ({{same:one_in}}) on the day proceedings were issued "
                  f"({national_words(ch.params.country)}).", INDICATORS["within_short"],
                  Text("Over the whole period, {within} of newborn babies' first hearings were within "
                       f"{days_s} days of issue ({national_words(ch.params.country)}).", {"within": within}),
                  main=True, same=same, within=within)
    every = t.loc[("all children", "all")]
    if every["n"]:
        within = cells.share("all children", "all", "within_short")
        r.glue["ch5_within_short_all_children"] = within
        parts.append(Text("For all children in proceedings, {within} of first hearings were within "
                          f"{days_s} days of issue.", {"within": within}))
    if not known:
        parts.append("Without children's dates of birth, newborns cannot be told apart from older children.")
    missing = cells.count("all children", "all", "missing")
    if missing.value:
        why = ("had no first hearing in the records (it may not have been held yet, or its date was not recorded) "
               "or one dated before the issue, and are left out of these shares")
        parts.append(Text("{missing} children in proceedings " + why + ".", {"missing": missing},
                          f"Some children in proceedings {why} (how many is withheld: too few to publish, or it "
                          "would let a small number be worked out)."))
    if not parts:
        parts.append("There were no first hearings recorded in the report period.")
    r.add("headline", Notice(parts))


def _shares_table(r, cells: Cells, table, ch: Chapter, groups, names) -> None:
    records = []
    for _, row in table.iterrows():
        if row["group"] not in groups:
            continue
        group, period = row["group"], row["period"]
        records.append({"Children": f"Newborns (under {ch.params.newborn_days} days)" if group == "newborns"
                        else "All children", "Year": "All years" if period == "all" else period,
                        "First hearings recorded": cells.count(group, period, "n"),
                        **_share_columns(cells, group, period, names)})
    r.add("shares_table", ResultTable(
        frame_of(records), "Notice before the first hearing: cumulative shares by financial year of issue",
        note=f"Shares are cumulative: a same-day hearing is also under {ch.params.urgent_days.emergency} days "
             f"and within {ch.params.urgent_days.short_notice} days. Each child counts once per year, at their first "
             "issue; children with no first-hearing date are left out. Ranges are 95% confidence intervals. "
             f"c = fewer than {ch.min_count} children, or a figure that would let them be worked out.",
        download="notice-shares"))


def _bands_table(r, cells: Cells, table, ch: Chapter, group: str) -> None:
    bands = band_names(ch.params)
    records = []
    for period in table.loc[table["group"] == group, "period"]:
        records.append({"Year": "All years" if period == "all" else period,
                        **{label: cells.count(group, period, what) for what, label in bands.items()},
                        "Total": cells.count(group, period, "n"),
                        "Hearing not recorded or before issue": cells.count(group, period, "missing")})
    who = f"newborns (under {ch.params.newborn_days} days)" if group == "newborns" else "children"
    r.add("bands_table", ResultTable(
        frame_of(records), f"Days' notice before the first hearing for {who}, by financial year of issue",
        note=f"c = fewer than {ch.min_count} children, or a number that would let one be worked out from the totals "
             "or from the other tables of the book.", download="notice-bands"))


def draw_shares(data: pd.DataFrame, ylabel: str, events: list, references: list):
    """The cumulative shares by year (per cent, with 95% intervals); withheld points are absent."""
    frame = pd.DataFrame({"Year": data["Year"], "Series": data["Series"], "Per cent": data["Share"] * 100,
                          "Lower": data["Share_lower"] * 100, "Upper": data["Share_upper"] * 100})
    fig = charts.lines_with_ci(frame, "Year", "Per cent", "Series", ylabel, "Lower", "Upper", events)
    if references:
        charts.reference_lines(fig, references)
    fig.axes[0].set_ylim(0, 105)
    charts.legend_below(fig, ncol=3)
    return fig


def _shares_chart(r, cells: Cells, table, ch: Chapter, group: str, names) -> None:
    who = "newborn babies" if group == "newborns" else "all children"
    part = table[(table["group"] == group) & (table["period"] != "all") & (table["n"] > 0)]
    records = [{"Year": period, "Series": names[what], "Share": cells.share(group, period, what)}
               for what in SHARES for period in part["period"]]
    if not records:
        return
    events = [{"x": d.financial_year(pd.Series([pd.Timestamp(e.date)])).iloc[0], "label": e.label}
              for e in ch.params.events]
    refs = national_references(ch) if group == "newborns" else []
    within_all = cells.share(group, "all", "within_short")
    alt = Text(f"Line chart of the percentage of {who} in care proceedings whose first hearing was on the day of "
               f"issue, under {ch.params.urgent_days.emergency} days and within {ch.params.urgent_days.short_notice} "
               "days after it, by financial year, with 95% confidence intervals"
               + (" and England's 2019/20 figures as reference lines" if refs else "")
               + ". Over the whole period, {within} were within " f"{ch.params.urgent_days.short_notice} days.",
               {"within": within_all},
               f"Line chart of the percentage of {who} in care proceedings whose first hearing was on the day of issue, "
               f"under {ch.params.urgent_days.emergency} days and within {ch.params.urgent_days.short_notice} days "
               "after it, by financial year, with 95% confidence intervals.")
    slug = "newborns" if group == "newborns" else "all-children"
    r.add(f"shares_chart_{slug}", Chart(
        draw_shares, frame_of(records),
        f"Notice before the first hearing for {who} in care proceedings, by financial year (cumulative shares; "
        "bars: 95% confidence intervals)", alt,
        options={"ylabel": f"% of {who} in proceedings", "events": events, "references": refs},
        note=f"Years whose share rests on fewer than {ch.min_count} children, or would let a small number be worked "
             "out, are not drawn (c in the data below).", download=f"notice-by-year-{slug}",
        otherwise=(f"Most yearly figures for {who} are withheld (too few each year to publish without revealing "
                   "them), so they are not drawn year by year: the three-year periods below show how notice has "
                   "changed." if group == "newborns" else None),
        title=Text(f"In {list(part['period'])[-1]}, " "{within} of " f"{who} in care proceedings had their first "
                   f"hearing within {ch.params.urgent_days.short_notice} days of the application",
                   {"within": cells.share(group, list(part["period"])[-1], "within_short")})))


def _trend_table(r, cells: Cells, table, groups, names) -> None:
    records = []
    for group in groups:
        part = table[(table["group"] == group) & (table["period"] != "all")]
        for what in SHARES:
            fit = glm.binomial_trend(part[what].to_numpy(float), part["n"].to_numpy(float), part["period"])
            if not fit.fitted_ok:
                continue
            whole = cells.share(group, "all", what)
            ratio = Measure(fit.ratio, on=(whole.numerator, whole.denominator, Count(
                key("rest", whole.denominator.key, whole.numerator.key), whole.denominator.value - whole.numerator.value)),
                lower=fit.lower, upper=fit.upper, unit="ratio", digits=2)
            r.indicator(INDICATORS[what].replace("_share", "_trend_odds_ratio"), "all", ratio, group=group,
                        unit="odds ratio per year", method=f"{fit.model} logistic regression of yearly shares on "
                                                          "financial year")
            meaning = "rising" if fit.lower > 1 else "falling" if fit.upper < 1 else "no clear change"
            records.append({"Children": "Newborns" if group == "newborns" else "All children", "Share": names[what],
                            "Odds ratio per year (95% CI)": ratio,
                            "Trend": Text(meaning, {"ratio": ratio}, "c"), "Model": fit.model})
    if not records:
        r.add("trend_table", Notice("There are too few years with recorded first hearings to model a trend."))
        return
    model = ["Odds ratio per year (95% CI)", "Model"]  # the model's numbers: analyst detail, in a fold
    r.add("trend_table", ResultTable(
        frame_of(records).drop(columns=model), "Is notice changing? Trend in each share over the report period",
        note="Rising or falling: the share changed from year to year by more than chance would explain; no clear "
             "change: it did not.",
        download="notice-trend", download_frame=frame_of(records)))
    r.add("trend_model", ResultTable(
        frame_of(records), "The trend model behind each share",
        note="A logistic regression of each year's share on the year. An odds ratio above 1 means the share rises "
             "from year to year. The model is quasi-binomial: its intervals are widened by how much more the "
             "yearly shares vary than chance allows (never narrowed), and neighbouring years are treated as "
             "independent.", analyst=True))


def _age(r, cells: Cells, ch: Chapter, known: bool) -> None:
    from ..results import not_yet

    if not known:
        r.add("age_table", not_yet("how old babies are at their first hearing.", ["children's dates of birth"],
                                   "each child's full date of birth."))
        return
    rows = age_rows(ch)
    summary = age_summary(ch)
    total = cells.count("newborns", "all", "n")
    if len(rows) != total.value:  # a newborn always has a date of birth: the same babies as the shares'
        raise ValueError(f"{len(rows)} newborns with an age at the first hearing, {total.value} first hearings")
    median = Measure(summary["median"], on=(total,), lower=summary["lower"], upper=summary["upper"], unit="days",
                     digits=0, denominator=total)
    r.indicator("newborn_age_days_at_first_hearing_median", "all", median, group="newborns", unit="days",
                method=MEDIAN_METHOD)
    if rows.empty:
        r.add("age_table", Notice("No newborn baby in proceedings had a first hearing recorded in the report period."))
        return
    r.glue["ch5_age_median"] = Text("{median} days", {"median": median})
    bands = []
    for lo, hi, label in AGE_BANDS:
        value = int(((rows["age_at_hearing"] >= lo) & (rows["age_at_hearing"] < hi)).sum())
        bands.append((label, Count(key("hearing_age", "newborns", "all", label), value)))
    r.relate(total, [c for _, c in bands], "babies by age at the first hearing add up to all first hearings")
    records = [{"Age at the first hearing": label, "Babies": c, "Share": Share.of(c, total)} for label, c in bands]
    records.append({"Age at the first hearing": "All", "Babies": total, "Share": "100%"})
    r.add("age_table", ResultTable(
        frame_of(records), "How old newborn babies were at their first hearing",
        note=f"Newborns: under {ch.params.newborn_days} days old when proceedings were issued, each once, at their "
             "first issue in the period. Age = days from birth to the first hearing. c = fewer than "
             f"{ch.min_count} babies, or a number that would reveal them.", download="age-at-hearing"))
    r.add("age_median", Text("The median age at the first hearing was {median} days (95% confidence interval "
                             "{median:interval} days).", {"median": median},
                             "The median age is not shown: it rests on too few babies."))


def _comparison_table(r, cells: Cells, table, ch: Chapter, group: str) -> None:
    from .infants import region_name

    t = table.set_index(["group", "period"])
    seven = f"Within {ch.params.urgent_days.short_notice} days"
    records = []
    for period, label in (("2019/20", "2019/20"), ("all", "whole report period")):
        if (group, period) not in t.index or t.loc[(group, period), "n"] == 0:
            continue
        records.append({"Area": Plain(ch.params.area_name), "Years": label,
                        "Same day": cells.share(group, period, "same_day"),
                        seven: cells.share(group, period, "within_short")})
    region = region_name(ch)
    published = [("England", "england_same_day_2019_20", "england_heard_within_7_days_2019_20"),
                 ("Wales", None, "wales_heard_within_7_days_2019_20"),
                 ("North East", "north_east_same_day_2019_20", None),
                 ("London", "london_same_day_2019_20", None)]
    from ..stats.rounding import round_half_up

    def pct(value, digits=0):
        return f"{round_half_up(100 * value, digits):.{digits}f}%"

    for area, same_id, seven_id in published:
        same_value = reference.value(same_id) if same_id else None
        seven_value = reference.value(seven_id) if seven_id else None
        if same_value is None and seven_value is None:
            continue
        name = area + (" (your region)" if region and region.lower() == area.lower() else
                       " (your country)" if area == ch.params.country else "")
        records.append({"Area": name, "Years": "2019/20",
                        "Same day": ("about 1 in 6 (" + pct(same_value) + ")") if area == "England" and same_value
                        else pct(same_value) if same_value is not None else "not published",
                        seven: pct(seven_value, 1) if seven_value is not None else "not published"})
    who = "newborns" if group == "newborns" else "all children"
    r.add("comparison_table", ResultTable(
        frame_of(records), f"Notice before the first hearing for {who}: this area and the published figures",
        note="Published figures: Pattinson et al. (2021), Born into care: newborn babies in urgent care proceedings in "
             "England and Wales (newborns under 7 days, 2019/20). Ranges for this area are 95% confidence intervals.",
        download="notice-comparison"))


# -- the national figures of the area's country ------------------------------------------------

def _pct(value: float) -> str:
    from ..stats.rounding import round_half_up

    return f"{round_half_up(100 * value, 1):g}%"


def national_words(country: str) -> str:
    """The published 2019/20 figures for newborns' first hearings of the area's country (Pattinson et al.
    2021), in words: a Welsh area reads Wales's, with England's beside it, and is told that Wales has no
    published same-day figure."""
    seven = reference.national(country, "heard_within_7_days_2019_20")
    same = reference.national(country, "same_day_2019_20")
    parts = []
    if same is not None:
        value = float(same["value"])
        parts.append(f"about 1 in {1 / value:.0f} on the same day")
    if seven is not None:
        parts.append(f"{_pct(float(seven['value']))} within 7 days")
    words = f"{country} 2019/20: " + ", ".join(parts) if parts else f"{country} has no published figure"
    if country != "England":
        england = reference.value("england_heard_within_7_days_2019_20")
        if england is not None and seven is not None:
            words += f" (England {_pct(england)})"
        if same is None:
            words += f"; {country} has no published figure for same-day hearings"
    return words


def national_references(ch: Chapter) -> list[dict]:
    """Reference lines for the newborn charts: the area's country's published figures (and England's
    within-7-days figure beside another country's)."""
    country, refs = ch.params.country, []
    seven = reference.national(country, "heard_within_7_days_2019_20")
    same = reference.national(country, "same_day_2019_20")
    if ch.params.urgent_days.short_notice == 7:
        if seven is not None:
            refs.append({"y": float(seven["value"]) * 100, "label": f"{country} 2019/20: within 7 days"})
        england = reference.value("england_heard_within_7_days_2019_20")
        if country != "England" and england is not None:
            refs.append({"y": england * 100, "label": "England 2019/20: within 7 days"})
    if same is not None:
        refs.append({"y": float(same["value"]) * 100, "label": f"{country} 2019/20: same day"})
    return refs


# -- three-year periods ------------------------------------------------------------------------

def _pooled(r: ChapterResult, cells: Cells, ch: Chapter, names: dict) -> None:
    """Newborns' notice over three-year periods: each period's counts are the sums of its years'."""
    years = [p for p in periods(ch) if p != "all"]
    windows = pooled_periods(years)
    if len(windows) < 2:  # one period is the whole period: nothing to compare
        return
    group, table, points, filled = "newborns", [], [], []
    for label, window in windows:
        counts = {what: cells.pooled(group, label, window, what) for what in ("n", *SHARES)}
        shares = {what: Share.of(counts[what], counts["n"]) for what in SHARES}
        table.append({"Years": label, "First hearings recorded": counts["n"],
                      **{f"{names[k]} (95% CI)": shares[k] for k in SHARES}})
        if counts["n"].value:
            filled.append((label, shares))
            points += [{"Year": label, "Series": names[what], "Share": shares[what]} for what in SHARES]
    days_s, days_e = ch.params.urgent_days.short_notice, ch.params.urgent_days.emergency
    r.add("pooled_table", ResultTable(
        frame_of(table), f"Notice before newborn babies' first hearing, over {POOL_YEARS}-year periods",
        note=f"Each period adds up {POOL_YEARS} financial years (each baby once a year, at the first issue), so "
             "that there are enough babies to see change. The periods do not overlap; the latest takes in the one or two "
             f"years left over. Shares are cumulative. c = fewer than {ch.min_count} "
             "babies, or a figure that would let a small number be worked out (from this table or another).",
        download="notice-three-year-periods"))
    if not points:
        return
    alt_start = (f"Line chart of the percentage of newborn babies in care proceedings whose first hearing was on the "
                 f"day of issue, under {days_e} days and within {days_s} days after it, over {POOL_YEARS}-year "
                 "periods, with 95% confidence intervals.")
    (first, a), (last, b) = filled[0], filled[-1]
    alt = Text(alt_start + f" Under {days_e} days: {{a}} in {first} and {{b}} in {last}.",
               {"a": a["emergency"], "b": b["emergency"]}, alt_start)
    r.add("pooled_chart", Chart(
        draw_shares, frame_of(points), f"Notice before newborn babies' first hearing, over {POOL_YEARS}-year "
        "periods (cumulative shares; bars: 95% confidence intervals)", alt,
        options={"ylabel": "% of newborn babies in proceedings", "events": [],
                 "references": national_references(ch)},
        note=f"Periods whose share rests on fewer than {ch.min_count} babies, or would let a small number be worked "
             "out, are not drawn (c in the data below); no line joins the points either side of one.",
        download="notice-three-year-periods-chart",
        otherwise=f"Even over {POOL_YEARS}-year periods most figures for newborn babies are withheld (too few babies "
                  "to publish without revealing them): the table above gives those that can be shown."))
    if len(filled) < 2:
        return
    said = {what: Text(f"Over {POOL_YEARS} years at a time, {{a}} of newborn babies' first hearings were "
                       f"{names[what].lower()} in {first} and {{b}} in {last}"
                       + (f" ({national_words(ch.params.country)})." if what == "within_short" else "."),
                       {"a": a[what], "b": b[what]}) for what in SHARES}
    r.finding(said["within_short"].template, INDICATORS["within_short"],
              Text(said["emergency"].template, said["emergency"].figures), main=True, **said["within_short"].figures)


# -- pre-proceedings before birth ----------------------------------------------------------------

def _plo(r: ChapterResult, cells: Cells, ch: Chapter, names: dict) -> None:
    """Newborns' notice split by whether pre-proceedings (the Public Law Outline) began before birth."""
    t = plo_split(ch).set_index("group")
    split = {}
    for what in ("n", *SHARES):
        whole = cells.count("newborns", "all", what)
        split[what] = {g: Count(key("hearing", "newborns", "all", f"pre-proceedings {g}", what), int(t.loc[g, what]))
                       for g in PLO_GROUPS}
        r.relate(whole, list(split[what].values()),
                 "newborns' first hearings = pre-proceedings began before birth + not")
    records = []
    for g, label in PLO_GROUPS.items():
        records.append({"Newborn babies": label, "First hearings recorded": split["n"][g],
                        **{f"{names[k]} (95% CI)": Share.of(split[k][g], split["n"][g]) for k in SHARES}})
    records.append({"Newborn babies": "All", "First hearings recorded": cells.count("newborns", "all", "n"),
                    **_share_columns(cells, "newborns", "all", names)})
    r.add("plo_table", ResultTable(
        frame_of(records), "Notice before newborn babies' first hearing, by whether pre-proceedings began before "
                           "birth (whole report period)",
        note="Pre-proceedings: the pre-proceedings stage of the Public Law Outline (a letter before proceedings and "
             "a meeting with the parents and their lawyers). 'Began before birth': the earliest pre-proceedings "
             "start date recorded on any of the baby's applications is before the date of birth. Each baby counts "
             "once, at the first issue in the period. Shares are cumulative; ranges are 95% confidence intervals. "
             f"c = fewer than {ch.min_count} babies, or a figure that would let a small number be worked out.",
        download="notice-by-pre-proceedings"))
    e = ch.params.urgent_days.emergency
    before, other = (Share.of(split["emergency"][g], split["n"][g]) for g in PLO_GROUPS)
    same_before, same_other = (Share.of(split["same_day"][g], split["n"][g]) for g in PLO_GROUPS)
    if split["n"]["before birth"].value and split["n"]["not before birth"].value:
        r.finding("Where pre-proceedings began before birth, {a} of newborn babies' first hearings were held under "
                  f"{e} days after issue, against {{b}} where they had not.",
                  INDICATORS["emergency"],
                  Text("Where pre-proceedings began before birth, {a} of newborn babies' first hearings were on the "
                       "day of issue, against {b} where they had not.", {"a": same_before, "b": same_other}),
                  main=True, a=before, b=other)


# -- emergency protection orders ---------------------------------------------------------------

def _epo(r: ChapterResult, ch: Chapter, groups: list) -> None:
    proceedings = ch.data.get("proceedings")
    recorded = [c for c in ("application", "first_order") if c in proceedings and proceedings[c].notna().any()]
    if not recorded:
        from ..results import not_yet

        r.add("epo_table", not_yet("how many babies had an emergency protection order.",
                                   ["the kind of each application (proceedings.application: s31 or epo) or the "
                                    "first order made (proceedings.first_order)"],
                                   "each application as its own row, with its kind (s31 or epo), and the first "
                                   "order the court made."))
        return
    t = epo_counts(ch).set_index("group")
    records = []
    for group in groups:
        children = Count(key("proceedings", group, "all"), int(t.loc[group, "children"]))
        epo = Count(key("proceedings", group, "all", "emergency protection order"), int(t.loc[group, "epo"]))
        share = Share.of(epo, children)
        if children.value:
            r.indicator("emergency_protection_order_share", "all", share, group=group, method=SHARE_METHOD)
        records.append({"Children": f"Newborns (under {ch.params.newborn_days} days)" if group == "newborns"
                        else "All children", "Children in proceedings": children,
                        "With an emergency protection order": epo, "Share (95% CI)": share})
        if group == "newborns" and children.value:
            r.finding("{n} newborn babies in proceedings ({share}, {share:one_in}) had an emergency protection order "
                      "(a short order, for up to 8 days, that a court can make at very short notice).",
                      "emergency_protection_order_share", None, main=True, n=epo, share=share)
    r.add("epo_table", ResultTable(
        frame_of(records), "Children in proceedings with an emergency protection order (whole report period)",
        note="An emergency protection order: an application recorded as 'epo', or an EPO recorded as the first order. "
             "Each child counts once over the period (newborns: in the year they were in proceedings as newborns). "
             f"Ranges are 95% confidence intervals. c = fewer than {ch.min_count} children, or a figure that would "
             "let a small number be worked out.",
        download="emergency-protection-orders"))
