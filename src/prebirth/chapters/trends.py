"""Chapter 3: What lies behind the trends?

Local context beside the newborn rate (aligned panels on one time axis, never two y
axes), the legal route by which babies under one came into care, the use of
pre-proceedings before newborn proceedings, segmented (interrupted time series)
models at the dated service changes of the parameters file, and correlations shown
only with the caution they need. The yearly newborn counts and rates are chapter 1's
(``infants.yearly``), not computed again.

- **Context periods** are financial years (``2019/20``, also written ``2019-20``); a
  calendar year ``2019`` is placed at ``2019/20``, the same pairing as live births.
- **Legal route into care**: children starting to be looked after before their first
  birthday (``definitions.starters``), by the SSDA903 legal status of the starting
  episode: C1 interim care order; L1 police protection or L2 emergency protection order;
  V2 section 20; anything else (or blank) "other".
- **Pre-proceedings before birth**: newborns in proceedings whose
  ``pre_proceedings_start_date`` (the earliest on their applications issued in that
  financial year) is before their date of birth; weeks = (birth - start) / 7.
- **Service changes**: the breakpoint of a change is the financial year that contains
  its date (that year is the first of the new segment).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from .. import charts, definitions as d, reference
from ..results import (ChapterResult, Chart, Count, Measure, Notice, Plain, ResultTable, Share, Text, frame_of, key,
                       not_yet)
from ..stats import intervals
from ..stats.rounding import round_half_up
from . import infants
from ..formats import num, pct, signed_pct
from ..periods import financial_year_label, financial_year_start
from .common import Chapter, Prepared

NUMBER, KEY, TITLE = 3, "behind_the_trends", "What lies behind the trends?"
SHARE_METHOD = "Wilson score interval"
ROUTES = (  # the routes in words a parent reads; their SSDA903 legal status codes are in ROUTE_OF_CODE
    ("ico", "Interim care order"),
    ("police_or_epo", "Police or emergency protection"),
    ("s20", "Section 20 agreement"),
    ("other", "Other or not recorded"),
)
ROUTE_OF_CODE = {"C1": "ico", "L1": "police_or_epo", "L2": "police_or_epo", "V2": "s20"}
PEOPLE_UNITS = {"children", "child", "babies", "families", "people", "parents", "mothers", "fathers", "count",
                "young people", "number"}
MIN_YEARS_FOR_CORRELATION = 5
GLUE = ("ch3_rate_first", "ch3_rate_last", "ch3_first_year", "ch3_last_year", "ch3_pp_before_birth", "ch3_pp_weeks",
        "ch3_route_s20", "ch3_route_ico", "ch3_years", "ch3_level_range", "ch3_corr_caution", "ch3_trend",
        "ch3_pp_recorded", "ch3_pathway", "ch3_first_order_ico")

# What the Born into Care research heard about rising numbers, and the data that would test each.
RESEARCH_FACTORS = (
    ("Poverty", ("poverty", "low_income", "low-income", "deprivation", "imd", "free_school_meals", "universal_credit"),
     (), "child poverty (children in relative low-income families, DWP/HMRC) or deprivation, by year",
     "Did the newborn rate rise when, and where, poverty rose?"),
    ("Cuts to preventative services", ("early_help", "early-help", "spend", "children_centre", "family_hub",
                                       "preventative", "prevention", "caseload"),
     (), "early help and preventative spending per child, and social work caseloads, by year",
     "Were families reached earlier in pregnancy when more was spent on early help?"),
    ("Housing", ("housing", "homeless", "temporary_accommodation"), (),
     "families with children in temporary accommodation, or homelessness acceptances, by year",
     "How many parents in pre-birth assessment had no settled home?"),
    ("Changes in pre-proceedings practice", ("pre_proceedings", "plo"),
     (("proceedings", "pre_proceedings_start_date"),),
     "the date pre-proceedings started for each application (the CIN census records it from 2026)",
     "Is pre-proceedings used before birth, and early enough to make a difference?"),
    ("Court behaviour", ("court", "hearing", "cafcass"),
     (("proceedings", "first_hearing_date"), ("proceedings", "first_order")),
     "the first hearing date and the first order made, for each application",
     "Did notice before first hearings, or the orders made, change over the period?"),
    ("Use of section 20", ("s20", "section_20", "section20"), (("care_episodes", "legal_status"),),
     "the SSDA903 legal status at the start of each period of care (V2 = section 20)",
     "Did fewer babies come into care by agreement (section 20), and more through court?"),
)


def _memo(ch: Chapter, name: str, compute):
    return ch.memo(f"trends:{name}", compute)


def years(ch: Chapter) -> list[str]:
    return d.financial_years(ch.params.period.start, ch.params.period.end)


def event_marks(ch: Chapter) -> list[dict]:
    """The dated service changes: ``label`` is the parameters file's text (drawn as text, never markup)."""
    return [{"x": d.financial_year(pd.Series([pd.Timestamp(e.date)])).iloc[0], "label": e.label}
            for e in ch.params.events]


def has_births(ch: Chapter) -> bool:
    births = ch.data.get("births")
    return births is not None and not births.empty and births["live_births"].notna().any()


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _literal(text) -> str:
    """Text from the inputs as matplotlib draws it literally (a ``$`` would start mathematics)."""
    return str(text).replace("$", r"\$")


def _literal_events(events: list) -> list:
    return [dict(e, label=_literal(e["label"])) for e in events or []]


# -- the counts behind the chapter ---------------------------------------------------

def newborns(t: pd.DataFrame, period: str, column: str = "newborns") -> Count:
    """Chapter 1's newborns (or infants) in proceedings, each once per year (and once in 'all')."""
    group = "newborns" if column == "newborns" else "infants"
    return Count(key("proceedings", group, period), int(t.loc[period, column]))


def rate_cells(ch: Chapter) -> pd.DataFrame:
    """Chapter 1's newborn rate (or count, without births) by year: period, cell (Measure or Count), value."""
    t = infants.yearly(ch)
    t = t[t["period"] != "all"].set_index("period")
    out = []
    for period, row in t.iterrows():
        count = newborns(t, period)
        if has_births(ch):
            cell = Measure(row["newborn_rate"], on=(count,), lower=row["newborn_rate_lower"],
                           upper=row["newborn_rate_upper"], unit="per 10,000 live births", digits=1,
                           numerator=count, denominator=row["live_births"])
        else:
            cell = count
        out.append({"period": period, "cell": cell, "count": count, "value": float(
            cell.value if isinstance(cell, Count) else cell.value)})
    return pd.DataFrame(out, columns=["period", "cell", "count", "value"])


def _missing_trend(ch: Chapter) -> Notice:
    """The 'not yet' message when proceedings or dates of birth are not supplied (chapter 1's)."""
    return not_yet(*infants.missing_parts(ch))


# -- local context ---------------------------------------------------------------------

def period_to_financial_year(text) -> str | None:
    """'2019/20', '2019-20' or '2019/2020' -> '2019/20'; a calendar year '2019' -> '2019/20'; else None."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    value = str(text).strip()
    match = re.fullmatch(r"(\d{4})\s*[/-]\s*(\d{2}|\d{4})", value)
    if match:
        start, end = int(match.group(1)), int(match.group(2))
        if (end % 100) != (start + 1) % 100:
            return None
        return financial_year_label(start)
    if re.fullmatch(r"\d{4}", value):
        return financial_year_label(int(value))
    return None


def context_rows(ch: Chapter) -> pd.DataFrame:
    """The context table placed on financial years; rows with a period that cannot be placed are kept, flagged."""
    def compute():
        context = ch.data.get("context")
        columns = ["indicator", "label", "unit", "period", "financial_year", "value", "people", "source"]
        if context is None or context.empty:
            return pd.DataFrame(columns=columns)
        rows = context[~context["indicator"].astype(str).str.lower().str.startswith("births_ethnicity_")].copy()
        rows["financial_year"] = rows["period"].map(period_to_financial_year)
        unit = rows["unit"] if "unit" in rows else pd.Series(None, index=rows.index)
        rows["unit"] = unit
        rows["label"] = [_label(i, u) for i, u in zip(rows["indicator"], unit)]
        rows["people"] = unit.fillna("").astype(str).str.strip().str.lower().isin(PEOPLE_UNITS)
        if "source" not in rows:
            rows["source"] = None
        return rows[columns].reset_index(drop=True)
    return _memo(ch, "context", compute)


def _label(indicator: str, unit) -> str:
    text = str(indicator).replace("_", " ").strip()
    text = text[:1].upper() + text[1:]
    if text.lower().startswith("s20 "):
        text = "Section 20 " + text[4:]
    return f"{text} ({unit})" if unit is not None and not pd.isna(unit) and str(unit).strip() else text


def context_cell(row) -> Count | Measure:
    """A context value: the area's own published statistic, shown as it is (a Measure resting on no count),
    unless it counts people (children, families ...): then a Count, withheld when small."""
    value = float(row["value"])
    if row["people"] and value >= 0 and value == int(value):
        return Count(key("context", row["indicator"], row["financial_year"]), int(value))
    text = f"{round_half_up(value, 2):.2f}".rstrip("0").rstrip(".")
    digits = len(text.split(".")[1]) if "." in text else 0
    return Measure(value, unit="number", digits=digits)


def _missing_context() -> Notice:
    return not_yet("which local factors moved with the newborn rate.",
                   ["the context table (local indicators by year)"],
                   "one row per year and indicator (period, indicator, value, unit, source), e.g. child poverty, "
                   "section 20 starts, social work caseloads, early help spending per child, families in temporary "
                   "accommodation. Use financial years such as 2019/20.")


def draw_panels(data: pd.DataFrame, panels: list, order: list, events: list):
    """Aligned panels on one time axis: ``data`` has Year, Series, Value (withheld: NaN), Value_lower/_upper;
    ``panels`` the title, y label and zero of each series, in order."""
    out = []
    for panel in panels:
        part = data[data["Series"] == panel["series"]]
        frame = pd.DataFrame({"x": part["Year"].to_numpy(), "y": part["Value"].to_numpy(float)})
        if panel.get("ci") and "Value_lower" in part:
            frame["lower"], frame["upper"] = part["Value_lower"].to_numpy(float), part["Value_upper"].to_numpy(float)
        out.append({"title": _literal(panel["title"]), "ylabel": _literal(panel["ylabel"]), "zero": panel["zero"],
                    "data": frame})
    return charts.aligned_panels(out, order, _literal_events(events))


def context_panels(r: ChapterResult, ch: Chapter) -> None:
    """The newborn rate and each local context indicator as aligned panels, with the service changes marked."""
    if not infants.can_answer(ch):
        r.add("context_panels", _missing_trend(ch))
        return
    context = context_rows(ch)
    if context.empty:
        r.add("context_panels", _missing_context())
        return
    placed = context[context["financial_year"].isin(years(ch))]
    rate_title = ("Newborns in care proceedings per 10,000 live births" if has_births(ch)
                  else "Newborns in care proceedings (no births supplied, so counts)")
    panels = [{"series": rate_title, "title": rate_title, "ylabel": "per 10,000" if has_births(ch) else "babies",
               "zero": True, "ci": True}]
    records = [{"Year": row["period"], "Series": rate_title, "Value": row["cell"]} for _, row in rate_cells(ch).iterrows()]
    for indicator, part in placed.groupby("indicator", sort=False):
        label = part["label"].iloc[0]
        # Every panel starts at 0, so a small drift looks small; a series with negative values cannot, and
        # says so in its title.
        negative = bool((part["value"].astype(float) < 0).any())
        panels.append({"series": label, "title": label + (" (the axis does not start at 0)" if negative else ""),
                       "ylabel": "", "zero": not negative})
        records += [{"Year": row["financial_year"], "Series": Plain(label), "Value": context_cell(row)}
                    for _, row in part.iterrows()]
    unplaced = context[context["financial_year"].isna()]
    outside = context[context["financial_year"].notna() & ~context["financial_year"].isin(years(ch))]
    notes = [f"Points that rest on fewer than {ch.min_count} people, or would let a small number be worked out, are "
             "not shown (c in the data below)."]
    if len(unplaced):
        notes.append(f"{len(unplaced)} context row(s) have a period that is not a year (e.g. "
                     f"'{unplaced['period'].iloc[0]}') and are not shown: write periods as 2019/20.")
    if len(outside):
        notes.append(f"{len(outside)} context row(s) fall outside the report period and are not shown.")
    notes.append("Each panel has its own scale, starting at 0; panels show what happened at the same time, not "
                 "that one caused the other.")
    marks = event_marks(ch)
    alt = Text(f"{len(panels)} stacked panels sharing one time axis of financial years: the newborn rate in "
               "{area} at the top, then {titles}" + ("." if not marks else ". Dotted lines mark: {events}."),
               {"area": Plain(ch.params.area_name), "titles": Plain(", ".join(p["title"].lower() for p in panels[1:])),
                "events": Plain("; ".join(f"{e['label']} ({e['x']})" for e in marks))})
    r.add("context_panels", Chart(draw_panels, frame_of(records), "The newborn rate beside local context, by financial "
                                  "year", alt, options={"panels": panels, "order": years(ch), "events": marks},
                                  note=" ".join(notes), download="context"))


CORRELATION_CAUTION_NONE = (f"A correlation needs a local context indicator and the newborn figures for at least "
                            f"{MIN_YEARS_FOR_CORRELATION} years.")


def correlations(r: ChapterResult, ch: Chapter) -> None:
    """How closely each context indicator moved with the newborn rate, in levels and in yearly changes.

    A correlation rests on every yearly count it is computed from (with the other years' figures it could
    give a withheld one back): it is withheld whenever any of them is."""
    r.glue["ch3_corr_caution"] = CORRELATION_CAUTION_NONE
    if not infants.can_answer(ch):
        return
    context = context_rows(ch)
    if context.empty:
        return
    rates = rate_cells(ch).set_index("period")
    rate = rates["value"]
    out = []
    for indicator, part in context[context["financial_year"].isin(years(ch))].groupby("indicator", sort=False):
        part = part.drop_duplicates("financial_year")
        values = pd.Series(part["value"].to_numpy(float), index=part["financial_year"].to_numpy())
        cells = dict(zip(part["financial_year"], (context_cell(row) for _, row in part.iterrows())))
        paired = pd.DataFrame({"rate": rate, "context": values}).reindex(years(ch)).dropna()
        n = len(paired)
        row = {"Context indicator": Plain(part["label"].iloc[0]), "Years": str(n)}
        if n < MIN_YEARS_FOR_CORRELATION or paired["rate"].nunique() < 2 or paired["context"].nunique() < 2:
            row.update({"Correlation of yearly levels (95% CI)": "too few years", "Correlation of year-on-year "
                        "changes": ""})
            out.append(row)
            continue
        on = tuple(rates.loc[p, "count"] for p in paired.index) + tuple(
            cells[p] for p in paired.index if isinstance(cells[p], Count))
        value, lower, upper = pearson_ci(paired["rate"].to_numpy(), paired["context"].to_numpy())
        change = paired.diff().dropna()
        consecutive = [years(ch).index(b) - years(ch).index(a) == 1 for a, b in zip(paired.index[:-1], paired.index[1:])]
        change = change[np.array(consecutive, dtype=bool)]
        r_change = (float(np.corrcoef(change["rate"], change["context"])[0, 1])
                    if len(change) >= 4 and change["rate"].nunique() > 1 and change["context"].nunique() > 1 else np.nan)
        level = Measure(value, on=on, lower=lower, upper=upper, unit="correlation", digits=2, denominator=n)
        r.indicator("context_newborn_rate_correlation", "all", level, group=str(indicator), unit="correlation",
                    method="Pearson correlation of yearly levels, Fisher z interval")
        # No verdict ("moved together") is given: levels that both drift correlate with no link between them,
        # and with a handful of yearly changes, several indicators at once, a large correlation arises by chance.
        row.update({"Correlation of yearly levels (95% CI)": level,
                    "Correlation of year-on-year changes": Measure(r_change, on=on, unit="correlation", digits=2)
                    if pd.notna(r_change) else "too few years"})
        out.append(row)
    if not out:
        r.add("correlations", Notice("No context indicator falls within the report period."))
        return
    n_max = max(int(row["Years"]) for row in out)
    needed = critical_r(n_max) if n_max >= 4 else np.nan
    if pd.notna(needed) and n_max >= MIN_YEARS_FOR_CORRELATION:
        r.glue["ch3_corr_caution"] = (f"With {n_max} yearly points, a correlation has to be larger than about "
                                      f"{num(needed, 2)} (in either direction) before it can be told apart from chance.")
    r.add("correlations", ResultTable(
        frame_of(out), "Correlation of local context with the newborn rate (-1 to 1)",
        note=f"With {n_max} yearly points a correlation must be larger than about {num(needed, 2)} (either "
             "way) before it is distinguishable from chance, and two series that both drift over time "
             "correlate even when neither affects the other, so the correlation of yearly levels says little "
             "on its own. The year-on-year changes remove most of that shared drift. The table gives no verdict "
             "on either: with so few years, and several indicators looked at together, a large correlation can "
             "still arise by chance. A correlation is never evidence that one thing caused the other.",
        download="correlations"))


def pearson_ci(x, y, confidence: float = 0.95) -> tuple[float, float, float]:
    """Pearson's r with a Fisher z confidence interval (needs at least 4 points)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    r = float(np.corrcoef(x, y)[0, 1])
    n = len(x)
    if n < 4 or abs(r) >= 1:
        return r, (r if abs(r) >= 1 else np.nan), (r if abs(r) >= 1 else np.nan)
    z, se = math.atanh(r), 1 / math.sqrt(n - 3)
    q = intervals.z_value(confidence)
    return r, math.tanh(z - q * se), math.tanh(z + q * se)


def critical_r(n: int, confidence: float = 0.95) -> float:
    """The smallest |r| that a two-sided test at this level tells apart from 0 with n points."""
    t = float(scipy_stats.t.ppf(0.5 + confidence / 2, n - 2))
    return t / math.sqrt(n - 2 + t * t)


# -- legal route into care -------------------------------------------------------------

def infant_starters(ch: Chapter) -> pd.DataFrame:
    """Babies starting to be looked after before their first birthday in the period, with their route."""
    def compute():
        started = d.starters(ch.data.get("care_episodes"), ch.data.get("children"))
        start, end = pd.Timestamp(ch.params.period.start), pd.Timestamp(ch.params.period.end)
        started = started[(started["start_date"] >= start) & (started["start_date"] <= end)]
        started = started[started["under_1"].fillna(False).astype(bool)].copy()
        code = started["legal_status"].astype("object").fillna("").astype(str).str.strip().str.upper()
        started["route"] = code.map(ROUTE_OF_CODE).fillna("other")
        return started
    return _memo(ch, "starters", compute)


def route_counts(ch: Chapter) -> pd.DataFrame:
    """Counts by financial year (rows) and route (columns), unsuppressed."""
    started = infant_starters(ch)
    counts = pd.crosstab(started["financial_year"], started["route"]).reindex(
        index=years(ch), columns=[k for k, _ in ROUTES], fill_value=0)
    return counts.fillna(0).astype(int)


class Routes:
    """Babies under one starting care by year and route: the counts under their keys, and their relations.

    A year's babies are chapter 1's starters under one (``starters|infants|<year>``); the whole period's
    row of this table adds the years up (a baby starting care in two years counts in both), so it is
    chapter 1's count only when no baby did.
    """

    def __init__(self, r: ChapterResult, ch: Chapter):
        self.counts = route_counts(ch)
        started = infant_starters(ch)
        once = int(started["child_id"].nunique())
        whole = int(self.counts.to_numpy().sum())
        self.all_key = key("starters", "infants", "all") if once == whole else key("starters", "infants",
                                                                                    "all years added")
        for period in [*years(ch), "all"]:
            r.relate(self.total(period), [self.route(period, k) for k, _ in ROUTES],
                     "babies starting care in a year = the babies of each legal route")
        for k, _ in ROUTES:
            r.relate(self.route("all", k), [self.route(p, k) for p in years(ch)], "a route's babies: the years add up")
        r.relate(self.total("all"), [self.total(p) for p in years(ch)], "babies starting care: the years add up")

    def row(self, period: str) -> pd.Series:
        return self.counts.sum(axis=0) if period == "all" else self.counts.loc[period]

    def total(self, period: str) -> Count:
        return Count(self.all_key if period == "all" else key("starters", "infants", period), int(self.row(period).sum()))

    def route(self, period: str, route: str) -> Count:
        return Count(key("starters", "infants", period, "route", route), int(self.row(period)[route]))

    def share(self, period: str, route: str) -> Share:
        return Share.of(self.route(period, route), self.total(period))


def _missing_care() -> Notice:
    return not_yet("how babies under one came into care: by court order, police protection or agreement (section 20).",
                   ["the care_episodes table (your SSDA903 episodes, with the legal status of each)"],
                   "supply the SSDA903 header and episodes you already return to the DfE (legal status LS, start "
                   "date DECOM, reason for new episode RNE).")


def legal_route(r: ChapterResult, ch: Chapter) -> None:
    """Babies starting to be looked after, by legal route, per financial year: counts and shares with CIs."""
    if not ch.data.has("care_episodes"):
        r.add("legal_route_table", _missing_care())
        return
    routes = Routes(r, ch)
    records = []
    for period in [*years(ch), "all"]:
        total = routes.total(period)
        record = {"Year": "All years" if period == "all" else period}
        for k, label in ROUTES:
            share = routes.share(period, k)
            r.indicator("infant_starters_route_share", period, share, group=k, method=SHARE_METHOD)
            record[label] = Text("{n} ({share})", {"n": share.numerator, "share": share}, "c") if total.value else "0"
        record["All babies starting care"] = total
        records.append(record)
    s20, ico = routes.share("all", "s20"), routes.share("all", "ico")
    if routes.total("all").value:
        r.glue["ch3_route_s20"] = Text("{s}", {"s": s20})
        r.glue["ch3_route_ico"] = Text("{s}", {"s": ico})
    r.add("legal_route_table", ResultTable(
        frame_of(records), "Babies under one starting to be looked after, by legal route, by financial year",
        note="Each cell: number of babies (share of that year's babies starting care). A baby counts once a "
             "year, at their first start, by the legal status of that first period of care. "
             f"c = fewer than {ch.min_count} babies, or a figure that would reveal one by subtraction.",
        analyst_note="The route is the legal status (SSDA903 LS) of the first period of care: interim care order C1; "
                     "police protection L1 or emergency protection order L2; section 20 V2; any other status, or "
                     "none, is 'other or not recorded'.",
        download="legal-route"))
    _legal_route_chart(r, ch, routes)


def draw_routes(data: pd.DataFrame, events: list, min_count: int):
    """The share of each route by year (per cent, 95% intervals). A route is drawn when at least two of its
    yearly shares are shown and it is not always 0; withheld points are absent."""
    frame = pd.DataFrame({"Year": data["Year"], "Route": data["Route"], "Per cent": data["Share"] * 100,
                          "Lower": data["Share_lower"] * 100, "Upper": data["Share_upper"] * 100})
    drawn = frame.groupby("Route", sort=False)["Per cent"].agg(
        lambda v: v.notna().sum() >= 2 and v.fillna(0).gt(0).any())
    frame = frame[frame["Route"].isin([k for k, ok in drawn.items() if ok])]
    if frame.empty:
        fig, ax = charts.new()
        ax.axis("off")
        ax.text(0.5, 0.5, f"Every yearly share rests on fewer than {min_count} babies, or is 0, so no line is drawn;\n"
                "the table above gives the whole period.", ha="center", va="center", transform=ax.transAxes)
        return fig
    fig = charts.lines_with_ci(frame, "Year", "Per cent", "Route", "% of babies under one starting care",
                               "Lower", "Upper", _literal_events(events))
    fig.axes[0].legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=1)
    fig.axes[0].set_ylim(0, 100)
    fig.tight_layout()
    return fig


def _legal_route_chart(r: ChapterResult, ch: Chapter, routes: Routes) -> None:
    records = [{"Year": period, "Route": label, "Share": routes.share(period, k)}
               for k, label in ROUTES for period in years(ch)]
    said = [(k, label) for k, label in ROUTES]
    whole = {k: routes.share("all", k) for k, _ in said}
    plain = ("Line chart of the share of babies under one starting to be looked after by each legal route, by "
             "financial year, with 95% confidence intervals.")
    alt = (Text(plain + " Over the whole period: " + "; ".join(
        f"{label.split(' (')[0].lower()} {{{k}}}" for k, label in said) + ".", whole, plain)
        if routes.total("all").value else plain)
    r.add("legal_route_chart", Chart(
        draw_routes, frame_of(records), "Babies under one starting to be looked after: the legal route, by financial "
        "year (bars: 95% confidence intervals)", alt, options={"events": event_marks(ch), "min_count": ch.min_count},
        note=f"Points that rest on fewer than {ch.min_count} babies, or would reveal one, are not drawn (c in the data "
             "below); a route with fewer than two yearly figures that can be shown, or always 0, is not drawn.",
        download="legal-route-chart"))


# -- pre-proceedings before newborn proceedings ----------------------------------------

def has_pre_proceedings(ch: Chapter) -> bool:
    proceedings = ch.data.get("proceedings")
    return (proceedings is not None and "pre_proceedings_start_date" in proceedings
            and proceedings["pre_proceedings_start_date"].notna().any())


def newborn_pre_proceedings(ch: Chapter) -> pd.DataFrame:
    """Newborns in proceedings (once per year, as chapter 1), with the pre-proceedings start and weeks before birth."""
    def compute():
        rows = infants.children_in_period(ch)
        proceedings = ch.data.get("proceedings")
        pp = proceedings[["child_id", "issue_date", "pre_proceedings_start_date"]].copy()
        pp["financial_year"] = d.financial_year(pp["issue_date"])
        earliest = pp.groupby(["child_id", "financial_year"])["pre_proceedings_start_date"].min()
        keys = pd.MultiIndex.from_arrays([rows["child_id"], rows["financial_year"]])
        rows = rows.assign(pre_proceedings_start=earliest.reindex(keys).to_numpy())
        rows["pre_proceedings_start"] = pd.to_datetime(rows["pre_proceedings_start"])
        rows["before_birth"] = rows["pre_proceedings_start"] < rows["date_of_birth"]
        rows["weeks_before_birth"] = np.where(
            rows["before_birth"], (rows["date_of_birth"] - rows["pre_proceedings_start"]).dt.days / 7, np.nan)
        rows["any_pre_proceedings"] = rows["pre_proceedings_start"].notna() & (
            rows["pre_proceedings_start"] <= rows["issue_date"])
        rows["date_recorded"] = rows["pre_proceedings_start"].notna()
        return rows
    return _memo(ch, "pre_proceedings", compute)


def _pp_groups(ch: Chapter):
    rows = newborn_pre_proceedings(ch)
    newborn = rows["newborn"].fillna(False).astype(bool)
    out = [(fy, rows[newborn & (rows["financial_year"] == fy)]) for fy in years(ch)]
    first = d.first_in_period(rows)
    out.append(("all", first[first["newborn"].fillna(False).astype(bool)]))
    return out


def pre_proceedings(r: ChapterResult, ch: Chapter) -> None:
    """Share of newborns in proceedings whose pre-proceedings started before birth, and how many weeks before."""
    if not infants.can_answer(ch):
        r.add("pre_proceedings_table", _missing_trend(ch))
        return
    if not has_pre_proceedings(ch):
        r.add("pre_proceedings_table", not_yet(
            "whether pre-proceedings were used before newborn babies came into care proceedings.",
            ["the date pre-proceedings started (proceedings table, column pre_proceedings_start_date)"],
            "the date of the pre-proceedings (PLO) meeting or letter before each application; the CIN "
            "census collects it as PPStartDate from 2026."))
        return
    from ..stats import survival

    counts = {}
    out = []
    for period, group in _pp_groups(ch):
        babies = Count(key("proceedings", "newborns", period), len(group))
        before = Count(key("pre_proceedings", "newborns", period, "before birth"), int(group["before_birth"].sum()))
        anyp = Count(key("pre_proceedings", "newborns", period, "before issue"),
                     int(group["any_pre_proceedings"].sum()))
        recorded = Count(key("pre_proceedings", "newborns", period, "date recorded"), int(group["date_recorded"].sum()))
        counts[period] = (babies, before, anyp, recorded)
        b, a, filled = Share.of(before, babies), Share.of(anyp, babies), Share.of(recorded, babies)
        r.indicator("newborns_pre_proceedings_date_recorded_share", period, filled, method=SHARE_METHOD)
        weeks = group["weeks_before_birth"].dropna()
        r.indicator("newborns_pre_proceedings_before_birth_share", period, b, method=SHARE_METHOD)
        r.indicator("newborns_pre_proceedings_share", period, a, method=SHARE_METHOD)
        median = ""
        if len(weeks):
            m = survival.km_median(weeks.to_numpy(), np.ones(len(weeks)))
            median = Measure(m["median"], on=(before,), lower=m["lower"], upper=m["upper"], unit="weeks", digits=1,
                             denominator=before)
            r.indicator("weeks_pre_proceedings_before_birth_median", period, median, unit="weeks",
                        method="median with its 95% confidence interval (Kaplan-Meier, every start observed)")
        out.append({"Year": "All years" if period == "all" else period, "Newborns in proceedings": babies,
                    "Pre-proceedings date recorded": filled,
                    "Pre-proceedings started before birth": b, "Any pre-proceedings before issue": a,
                    "Median weeks before birth (95% CI)": median})
        if period == "all" and babies.value:
            r.glue["ch3_pp_before_birth"] = Text("{s}", {"s": b})
            r.glue["ch3_pp_recorded"] = Text("{s}", {"s": filled})
            if len(weeks):
                r.glue["ch3_pp_weeks"] = Text("{m}", {"m": median})
            r.finding("Pre-proceedings started before birth for {s} of newborns in care proceedings.",
                      "newborns_pre_proceedings_before_birth_share", s=b, main=True)
    annual = [p for p in counts if p != "all"]
    for i, what in enumerate(("newborns", "started before birth", "started before issue", "date recorded")):
        r.relate_periods(counts["all"][i], [counts[p][i] for p in annual],
                         f"newborns in proceedings, {what}: the years against the whole period")
    rest = (" Weeks are counted from the start of pre-proceedings to the birth. "
            f"c = fewer than {ch.min_count} babies, or a figure that would reveal one.")
    whole, recorded = counts["all"][0], counts["all"][3]
    filled = Share.of(recorded, whole)
    if whole.value and recorded.value < whole.value:
        # said beside the table, with the number: these shares rest on the babies whose date was filled in
        note = Text("Read these shares with care: the pre-proceedings start date is filled in for {filled} of "
                    "these newborns ({recorded} of {babies}), and a blank date is counted as no pre-proceedings, so "
                    "the shares are at most the share recorded and would rise with fuller recording. Shares of "
                    "newborns in proceedings (95% confidence intervals)." + rest,
                    {"filled": filled, "recorded": recorded, "babies": whole},
                    "Read these shares with care: the pre-proceedings start date is not filled in for every newborn, "
                    "and a blank date is counted as no pre-proceedings, so incomplete recording lowers these shares "
                    "(the column 'Pre-proceedings date recorded' gives how complete it is). Shares of newborns in "
                    "proceedings (95% confidence intervals)." + rest)
    else:
        note = "Shares of newborns in proceedings (95% confidence intervals); the start date is filled in for every one." + rest
    r.add("pre_proceedings_table", ResultTable(
        frame_of(out), "Newborns in care proceedings: was pre-proceedings used, and did it start before birth?",
        note=note, download="pre-proceedings"))


# -- the pre-birth pathway: referral, assessment, plan, proceedings ----------------------

PATHWAY_STAGES = (("assessed", "Had a pre-birth assessment"),
                  ("authorised", "Assessment authorised (plan agreed)"),
                  ("proceedings", "Care proceedings before the first birthday"))


def pathway_rows(ch: Chapter) -> pd.DataFrame:
    """Each baby referred before birth in the period (once, at their first pre-birth referral: chapter 4's
    babies), and how far they went through the pathway.

    ``assessed``: a pre-birth assessment of the baby started on or after the referral; ``authorised``: one of
    those assessments authorised (the book's stand-in for a plan agreed: the data hold no plan date);
    ``proceedings``: care proceedings about the baby issued on or after the referral and before the first
    birthday (from the birth, or the expected birth); ``complete``: that first birthday came before the data
    end, so the baby had the whole first year in which to come to court.
    """
    def compute():
        from . import waiting

        rows = waiting.prebirth_referrals(ch)[["child_id", "referral_date", "financial_year"]].copy()
        children = ch.data.get("children")
        born = pd.Series(d.birth_or_expected(children).to_numpy(), index=children["child_id"].to_numpy())
        rows["first_birthday"] = d.first_birthday(pd.to_datetime(rows["child_id"].map(born)))
        rows["complete"] = rows["first_birthday"].notna() & (rows["first_birthday"] <= waiting.censoring_date(ch))
        rows["assessed"] = rows["authorised"] = False
        assessments = ch.data.get("assessments")
        if assessments is not None and not assessments.empty:
            a = assessments.merge(rows[["child_id", "referral_date"]], on="child_id")
            dob = a["child_id"].map(children.set_index("child_id")["date_of_birth"])
            pre = d.is_prebirth_assessment(a["start_date"], dob, a["kind"] if "kind" in a else None)
            a = a[pre.to_numpy() & (a["start_date"] >= a["referral_date"]).to_numpy()]
            rows["assessed"] = rows["child_id"].isin(a["child_id"])
            rows["authorised"] = rows["child_id"].isin(a.loc[a["authorised_date"].notna(), "child_id"])
        p = ch.data.get("proceedings")
        if p is not None and not p.empty:
            p = p[["child_id", "issue_date"]].merge(rows[["child_id", "referral_date", "first_birthday"]], on="child_id")
            p = p[(p["issue_date"] >= p["referral_date"]) & (p["issue_date"] < p["first_birthday"])]
            rows["proceedings"] = rows["child_id"].isin(p["child_id"])
        else:
            rows["proceedings"] = False
        return rows.reset_index(drop=True)
    return _memo(ch, "pathway", compute)


def _pathway_counts(r: ChapterResult, rows: pd.DataFrame, period: str) -> dict:
    referred = Count(key("waiting", "pre-birth referrals", period), len(rows))  # chapter 4's count
    out = {"referred": referred}
    for stage, _ in PATHWAY_STAGES:
        out[stage] = Count(key("pathway", "pre-birth referrals", period, stage), int(rows[stage].sum()))
    # assessed = authorised + not authorised: the stages nest, so the gap between two is known too
    r.relate(out["assessed"], [out["authorised"].key, r.hidden_count(key("pathway", "pre-birth referrals", period,
                                                                         "assessed, not authorised"),
                                                                     out["assessed"].value - out["authorised"].value)],
             "babies assessed = authorised + not yet authorised")
    return out


def pathway(r: ChapterResult, ch: Chapter) -> None:
    """Babies referred before birth by financial year, and the share who went on to each stage of the pathway:
    the test of 'changes in referral criteria' (wider criteria: more referrals, fewer going on)."""
    if not ch.data.has("referrals"):
        r.add("pathway_table", not_yet(
            "how many babies were referred before birth each year, and how many went on to assessment, a plan and "
            "care proceedings.", ["the referrals table (the date of each referral, pre-birth referrals included)"],
            "every referral with its date, unborn babies included (the CIN census return holds them), and each "
            "assessment's start and authorisation dates."))
        return
    rows = pathway_rows(ch)
    if rows.empty:
        r.add("pathway_table", Notice("No baby was referred before birth in the report period."))
        return
    births = ch.data.get("births")
    cells, records = {}, []
    for period in [*years(ch), "all"]:
        part = rows if period == "all" else rows[rows["financial_year"] == period]
        c = cells[period] = _pathway_counts(r, part, period)
        complete = bool(part["complete"].all())
        record = {"Year": ("All years" if period == "all" else period) + ("" if complete else " (not complete)"),
                  "Babies referred before birth": c["referred"]}
        live = d.births_for_year(births, period) if period != "all" else None
        if births is not None and not births.empty:
            record["Per 1,000 live births"] = Measure(c["referred"].value / live * 1000, on=(c["referred"],),
                                                      unit="number", digits=1) if live else ""
        for stage, label in PATHWAY_STAGES:
            share = Share.of(c[stage], c["referred"])
            record[label] = share if c["referred"].value else "none"
            if c["referred"].value:
                r.indicator(f"prebirth_referrals_{stage}_share", period, share, method=SHARE_METHOD)
        records.append(record)
    for what in ["referred", *[s for s, _ in PATHWAY_STAGES]]:
        r.relate_periods(cells["all"][what], [cells[p][what] for p in years(ch)],
                         f"babies referred before birth ({what}) by year against the whole period")
    r.add("pathway_table", ResultTable(
        frame_of(records), "Babies referred before birth, and how many went on to a pre-birth assessment, a plan "
                           "and care proceedings, by financial year of referral",
        note="Each baby counts once, in the year of their first referral before birth in the report period. Shares "
             "are of the babies referred that year (95% confidence intervals). The data hold no date for a plan: an "
             "authorised pre-birth assessment stands for one. 'Not complete': some babies referred that year had not "
             "reached their first birthday when the data end, so more of them may yet come to court. "
             f"c = fewer than {ch.min_count} babies, or a number that would reveal them.", download="pathway"))
    _pathway_finding(r, ch, rows, cells)


def _pathway_finding(r: ChapterResult, ch: Chapter, rows: pd.DataFrame, cells: dict) -> None:
    """The earliest and the latest complete years pooled (up to three each), side by side."""
    done = [p for p in years(ch) if len(rows[rows["financial_year"] == p])
            and rows.loc[rows["financial_year"] == p, "complete"].all()]
    k = min(3, len(done) // 2)
    if k < 1:
        return
    pooled = {}
    for side, span in (("early", done[:k]), ("late", done[-k:])):
        label = infants.years_label(span)
        referred = Count(key("waiting", "pre-birth referrals", label), sum(cells[p]["referred"].value for p in span))
        court = Count(key("pathway", "pre-birth referrals", label, "proceedings"),
                      sum(cells[p]["proceedings"].value for p in span))
        if len(span) > 1:
            r.relate(referred, [cells[p]["referred"] for p in span], "babies referred before birth: pooled years")
            r.relate(court, [cells[p]["proceedings"] for p in span], "babies referred who came to court: pooled years")
        words = span[0] if len(span) == 1 else f"{span[0]} to {span[-1]}"
        pooled[side] = (referred, court, Share.of(court, referred), words)
    (n0, _, s0, w0), (n1, _, s1, w1) = pooled["early"], pooled["late"]
    r.glue["ch3_pathway"] = Text("{late} of {n1} babies in " + w1 + ", against {early} of {n0} in " + w0,
                                 {"late": s1, "n1": n1, "early": s0, "n0": n0}, "c")
    r.finding("Babies referred before birth numbered {n1} in " + w1 + ", against {n0} in " + w0 + "; {late} of them "
              "({late:one_in}) came into care proceedings before their first birthday, against {early} in the "
              "earlier years.", "prebirth_referrals_proceedings_share", main=True, n1=n1, n0=n0, late=s1, early=s0)


# -- the first order made for newborns ------------------------------------------------

FIRST_ORDERS = (("ico", "Interim care order"), ("epo", "Emergency protection order"),
                ("none", "No order at the first hearing"), ("", "Not recorded"))
FIRST_ORDER_RANK = {"epo": 0, "ico": 1, "none": 2, "": 3}


def newborn_first_orders(ch: Chapter) -> pd.DataFrame:
    """Newborns in proceedings (chapter 1's rows, once per year) with the first order made: the ``first_order``
    of their first application that year; where several were issued that day, an emergency protection order
    comes first (it is heard first), then an interim care order. Blank: not recorded."""
    def compute():
        rows = infants.children_in_period(ch)
        rows = rows[rows["newborn"].fillna(False).astype(bool)].copy()
        p = ch.data.get("proceedings")
        order = (p["first_order"] if "first_order" in p else pd.Series(None, index=p.index)).astype("object")
        p = p[["child_id", "issue_date"]].assign(order=order.fillna("").astype(str).str.strip().str.lower())
        p["rank"] = p["order"].map(FIRST_ORDER_RANK).fillna(3)
        first = p.sort_values("rank").drop_duplicates(["child_id", "issue_date"]).set_index(["child_id", "issue_date"])
        at = pd.MultiIndex.from_arrays([rows["child_id"], rows["issue_date"]])
        rows["first_order"] = first["order"].reindex(at).fillna("").to_numpy()
        rows.loc[~rows["first_order"].isin(FIRST_ORDER_RANK), "first_order"] = ""
        return rows
    return _memo(ch, "first_orders", compute)


def order_periods(ch: Chapter) -> list[tuple[str, list[str]]]:
    """The years pooled into periods: before and from the first dated service change, else the earlier and the
    later half of the report period (a single year is too few newborns to say anything)."""
    ys = years(ch)
    cut = next((ys.index(e["x"]) for e in event_marks(ch) if e["x"] in ys[1:]), len(ys) // 2 if len(ys) > 1 else 0)
    if cut == 0:
        return [(f"{ys[0]} to {ys[-1]}", ys)]
    before, after = ys[:cut], ys[cut:]
    span = lambda y: y[0] if len(y) == 1 else f"{y[0]} to {y[-1]}"  # noqa: E731
    if ch.params.events and event_marks(ch)[0]["x"] in ys[1:]:
        return [(f"Before the change ({span(before)})", before), (f"From the change ({span(after)})", after)]
    return [(span(before), before), (span(after), after)]


def first_orders(r: ChapterResult, ch: Chapter) -> None:
    """The first order made for newborns in care proceedings, by order type and period: counts and shares."""
    if not infants.can_answer(ch):
        r.add("first_orders_table", _missing_trend(ch))
        return
    p = ch.data.get("proceedings")
    if "first_order" not in p or not p["first_order"].notna().any():
        r.add("first_orders_table", not_yet(
            "which order was made first for newborn babies in care proceedings.",
            ["the first order made in each set of proceedings (proceedings.first_order: ico, epo or none)"],
            "the first order made for each application (an interim care order, an emergency protection order, "
            "or none at the first hearing)."))
        return
    rows = newborn_first_orders(ch)
    groups = [(label, span, rows[rows["financial_year"].isin(span)]) for label, span in order_periods(ch)]
    whole = d.first_in_period(infants.children_in_period(ch))
    whole = rows[rows.set_index(["child_id", "issue_date"]).index.isin(
        whole.set_index(["child_id", "issue_date"]).index)]
    groups.append(("All years", None, whole))
    records, totals, by_order = [], {}, {k: {} for k, _ in FIRST_ORDERS}
    for label, span, part in groups:
        period = "all" if span is None else infants.years_label(span)
        total = Count(key("proceedings", "newborns", period), len(part))
        if span is not None and len(span) > 1:
            r.relate(total, [newborns_of_year(r, infants.yearly(ch), y) for y in span],
                     "newborns in proceedings over pooled years = the years' counts")
        orders = {k: Count(key("first order", "newborns", period, k or "not recorded"), int((part["first_order"] == k).sum()))
                  for k, _ in FIRST_ORDERS}
        r.relate(total, [orders[k] for k, _ in FIRST_ORDERS], "newborns = the newborns of each first order")
        totals[period] = total
        record = {"Period": label, "Newborns in proceedings": total}
        for k, name in FIRST_ORDERS:
            by_order[k][period] = orders[k]
            share = Share.of(orders[k], total)
            record[name] = Text("{n} ({share})", {"n": orders[k], "share": share}, "c") if total.value else "0"
            if total.value:
                r.indicator("newborns_first_order_share", period, share, group=k or "not recorded", method=SHARE_METHOD)
        records.append(record)
    pooled = [infants.years_label(span) for _, span, _ in groups if span is not None]
    r.relate_periods(totals["all"], [totals[q] for q in pooled], "newborns: the periods against the whole period")
    for k, _ in FIRST_ORDERS:
        r.relate_periods(by_order[k]["all"], [by_order[k][q] for q in pooled],
                         "newborns by first order: the periods against the whole period")
    r.add("first_orders_table", ResultTable(
        frame_of(records), "The first order made for newborns in care proceedings, by period",
        note="Each cell: number of newborns (share of the period's newborns). The first order is the one recorded "
             "for the baby's first application in the year (an emergency protection order first where one was "
             "issued the same day). Periods pool several years, because a single year has too few newborns to "
             f"show. c = fewer than {ch.min_count} babies, or a figure that would reveal one by subtraction.",
        download="first-orders"))
    if len(pooled) == 2 and all(totals[q].value for q in pooled):
        (l0, _, _), (l1, _, _) = groups[0], groups[1]
        s0, s1 = (Share.of(by_order["ico"][q], totals[q]) for q in pooled)
        r.glue["ch3_first_order_ico"] = Text("{late} " + l1[:1].lower() + l1[1:] + ", against {early} "
                                             + l0[:1].lower() + l0[1:], {"late": s1, "early": s0}, "c")
        r.finding("An interim care order was the first order for {late} of newborns in care proceedings "
                  + l1[:1].lower() + l1[1:] + ", against {early} " + l0[:1].lower() + l0[1:] + ".",
                  "newborns_first_order_share", main=True, late=s1, early=s0)


def newborns_of_year(r: ChapterResult, t: pd.DataFrame, period: str) -> str:
    """Chapter 1's newborns of one year, known to the relations here (chapter 1 publishes them)."""
    count = newborns(t[t["period"] != "all"].set_index("period"), period)
    return r.hidden_count(count.key, count.value)


# -- service changes: interrupted time series ------------------------------------------

def breakpoints(ch: Chapter) -> list[tuple[str, str]]:
    """(event label, first financial year of the new segment) for each dated change."""
    return [(e["label"], e["x"]) for e in event_marks(ch)]


def its_models(ch: Chapter) -> list[dict]:
    """Segmented quasi-Poisson models of newborn and infant counts (log births offset), and England's newborns.

    ``cells``: the local series' yearly counts (Counts under chapter 1's keys); England's are public."""
    def compute():
        from ..stats.segmented import segmented_poisson

        t = infants.yearly(ch)
        t = t[(t["period"] != "all") & t["live_births"].notna()]
        breaks = [fy for _, fy in breakpoints(ch)]
        out = []
        indexed = t.set_index("period")
        for label, column in (("Newborns", "newborns"), ("Infants", "infants")):
            result = segmented_poisson(t[column].to_numpy(float), t["live_births"].to_numpy(float),
                                       t["period"].tolist(), breaks)
            out.append({"series": label, "column": column, "result": result, "periods": t["period"].tolist(),
                        "counts": t[column].to_numpy(float), "births": t["live_births"].to_numpy(float),
                        "cells": [newborns(indexed, p, column) for p in t["period"]]})
        bench = infants.comparator_rates(ch, infants.BENCH_RATE)
        england = bench[(bench["group"] == "England") & bench["period"].isin(t["period"])]
        england = england.dropna(subset=["numerator", "denominator"]).drop_duplicates("period").sort_values("period")
        if len(england) >= 4:
            result = segmented_poisson(england["numerator"].to_numpy(float), england["denominator"].to_numpy(float),
                                       england["period"].tolist(), breaks)
            from .infants_compare import source_label
            labels = sorted({source_label(x) for x in england["source"]} - {None})
            out.append({"series": "England: newborns", "column": None, "result": result,
                        "periods": england["period"].tolist(), "counts": england["numerator"].to_numpy(float),
                        "births": england["denominator"].to_numpy(float), "cells": [],
                        "sources": ", ".join(labels)})
        return out
    return _memo(ch, "its", compute)


def _england_fit_note(models: list[dict]) -> str:
    """Which of England's years its model was fitted on, and where they come from, when the benchmarks say
    (a year published as a rate without its births cannot be fitted with births as the exposure)."""

    england = [m for m in models if m["series"] == "England: newborns"]
    if not england:
        return ""
    return f" England's model uses {', '.join(england[0]['periods'])}" + (
        f" ({england[0]['sources']})." if england[0].get("sources") else ".")


def segments(model: dict) -> list[int]:
    """The segment of each year of a model (0 before the first break the model used, 1 after it ...)."""
    breaks = sorted(int(b) for b in model["result"].table["breakpoint"]) if not model["result"].table.empty else []
    return [sum(d.financial_year_start(p) >= b for b in breaks) for p in model["periods"]]


def _no_events() -> Notice:
    return Notice("No dated service changes are listed in the parameters file, so there is nothing to test a change "
                  "against. Add them under `events:` (a date and a label, e.g. the start of a pre-birth team or a new "
                  "pre-proceedings protocol) and build the book again.", kind="notyet",
                  title="Service changes: none listed yet")


def _missing_births() -> Notice:
    return not_yet("whether the newborn rate changed when local services changed.",
                   ["the births table (live births by calendar year), the exposure of the model"],
                   "ONS live births to mothers resident in the area, by calendar year (births.csv).")


def _fy(breakpoint) -> str:
    return financial_year_label(int(breakpoint))


def _ratio(model: dict, ratio, lower, upper):
    """A rate ratio as a change (+20% (+5% to +37%)): resting on every yearly count of the model's series."""
    if ratio is None or pd.isna(ratio):
        return "not estimated"
    cell = Measure(ratio, on=tuple(model["cells"]), lower=lower, upper=upper, unit="ratio", digits=2)
    return Text(_ratio_text(ratio, lower, upper).replace("{", "{{").replace("}", "}}"), {"ratio": cell}, "c")


def service_changes(r: ChapterResult, ch: Chapter) -> None:
    """Level and trend changes in the rate at each dated change (segmented Poisson regression), its chart
    and what so few points can show."""
    if not infants.can_answer(ch):
        r.add("service_changes", _missing_trend(ch))
        return
    if not has_births(ch):
        r.add("service_changes", _missing_births())
        return
    if not ch.params.events:
        r.add("service_changes", _no_events())
        return
    rows = []
    labels = dict((fy, label) for label, fy in breakpoints(ch))
    for model in its_models(ch):
        result = model["result"]
        if result.table.empty:
            rows.append({"Series": model["series"], "Service change": Plain("; ".join(labels.values())),
                         "Change in level (95% CI)": "could not be estimated", "Change in yearly trend (95% CI)": "",
                         "Yearly trend before": "", "Yearly trend after": "", "Years before / after": ""})
            continue
        for _, row in result.table.iterrows():
            fy = _fy(row["breakpoint"])
            label = labels.get(fy, fy)
            if model["column"]:
                prefix = "newborn" if model["column"] == "newborns" else "infant"
                method = f"segmented {result.model} regression, log(live births) offset, break at {fy}"
                on = tuple(model["cells"])
                r.indicator(f"{prefix}_rate_level_change", "all", Measure(
                    row["level_change"], on=on, lower=row["level_lower"], upper=row["level_upper"], unit="ratio",
                    digits=2), group=label, unit="rate ratio", method=method)
                if pd.notna(row["slope_change"]):
                    r.indicator(f"{prefix}_rate_slope_change", "all", Measure(
                        row["slope_change"], on=on, lower=row["slope_lower"], upper=row["slope_upper"], unit="ratio",
                        digits=2), group=label, unit="ratio of yearly rate ratios", method=method)
            rows.append({
                "Series": model["series"], "Service change": Plain(f"{label} ({fy})"),
                "Change in level (95% CI)": _ratio(model, row["level_change"], row["level_lower"], row["level_upper"]),
                "Change in yearly trend (95% CI)": _ratio(model, row["slope_change"], row["slope_lower"],
                                                          row["slope_upper"]),
                "Yearly trend before": _ratio(model, result.trend_before, result.trend_before_lower,
                                              result.trend_before_upper),
                "Yearly trend after": _ratio(model, row["trend_after"], row["trend_after_lower"],
                                             row["trend_after_upper"]),
                "Years before / after": f"{int(row['points_before'])} / {int(row['points_after'])}",
            })
    r.add("service_changes", ResultTable(
        frame_of(rows), "Did the rate change when services changed?",
        note="Changes are rate ratios written as percentages: a change in level of +20% means the rate "
             "jumped by a fifth in the first year of the change, beyond the earlier trend; a change in yearly "
             "trend of -10% means the rate's yearly growth slowed by a tenth. The year in brackets is the "
             "transition year: the financial year in which the change happened, counted as the first year "
             "after it although part of it came before, which blurs a change in level. England's figures, where "
             "the benchmarks give them, are worked out the same way: a change seen in England too was not only a "
             "local one." + _england_fit_note(its_models(ch)),
        analyst_note="Segmented (interrupted time series) models: a quasi-Poisson regression of yearly counts with "
                     "live births as the exposure, its intervals widened by how much more the counts vary than a "
                     "Poisson model allows (never narrowed). It treats each year as independent of the one before "
                     "(autocorrelation is not modelled).",
        download="service-changes"))
    _service_change_chart(r, ch)
    _what_few_points_show(r, ch)


def _ratio_text(ratio, lower, upper) -> str:
    return f"{signed_pct(ratio - 1)} ({signed_pct(lower - 1)} to {signed_pct(upper - 1)})"


COUNTERFACTUAL = "Had the earlier trend continued"


def draw_service_change(data: pd.DataFrame, events: list):
    """The observed rate (with its 95% interval), the fitted segmented model and the earlier trend carried on;
    withheld points are absent."""
    frame = pd.DataFrame({"Year": data["Year"], "Series": data["Series"], "Rate": data["Rate"],
                          "Lower": data["Rate_lower"], "Upper": data["Rate_upper"]})
    fig = charts.lines_with_ci(frame, "Year", "Rate", "Series", "per 10,000 live births", "Lower", "Upper",
                               _literal_events(events))
    # The earlier trend's band widens fast with few years; it is cut at the top of the chart rather than
    # squeezing the observed rates into its foot (the chart's note says so).
    carried = frame["Series"] == COUNTERFACTUAL
    seen = pd.concat([frame.loc[~carried, ["Rate", "Upper"]].stack(), frame.loc[carried, "Rate"]]).dropna()
    if len(seen) and carried.any() and frame.loc[carried, "Upper"].max() > 1.3 * seen.max():
        ax = fig.axes[0]
        ax.set_ylim(0, 1.3 * seen.max())
        for label in ax.texts:  # the service changes' labels sat at the old top
            label.xy = label.xyann = (label.xy[0], ax.get_ylim()[1])
    return fig


def _service_change_chart(r: ChapterResult, ch: Chapter) -> None:
    """Fitted and counterfactual yearly rates are Measures on the counts of the segment they come from (a
    segment of 2 points or fewer gives its counts back exactly): withheld whenever any of them is."""
    model = next(m for m in its_models(ch) if m["column"] == "newborns")
    result = model["result"]
    if result.table.empty:
        return
    periods, births, cells = model["periods"], model["births"], model["cells"]
    segment = segments(model)
    on_segment = {s: tuple(c for c, t in zip(cells, segment) if t == s) for s in set(segment)}
    observed = rate_cells(ch).set_index("period")
    first_break = min(int(b) for b in result.table["breakpoint"])
    records = [{"Year": p, "Series": "Newborns per 10,000 live births", "Rate": observed.loc[p, "cell"]}
               for p in periods]
    records += [{"Year": p, "Series": "Segmented model", "Rate": Measure(
        fitted / b * 10000, on=on_segment[s], unit="per 10,000 live births", digits=1)}
        for p, fitted, b, s in zip(periods, result.fitted, births, segment) if pd.notna(fitted)]
    # The earlier trend carried on, with its 95% band; not drawn when it rests on fewer than 3 years (the
    # model leaves it out then).
    records += [{"Year": p, "Series": COUNTERFACTUAL, "Rate": Measure(
        value / b * 10000, on=on_segment[0] + ((cells[i],) if segment[i] else ()), lower=low / b * 10000,
        upper=high / b * 10000, unit="per 10,000 live births", digits=1)}
        for i, (p, value, low, high, b) in enumerate(zip(periods, result.counterfactual, result.counterfactual_lower,
                                                         result.counterfactual_upper, births))
        if d.financial_year_start(p) >= first_break - 1 and pd.notna(value)]
    row = result.table.iloc[0]
    level = Measure(row["level_change"], on=tuple(cells), lower=row["level_lower"], upper=row["level_upper"],
                    unit="ratio", digits=2)
    carried = bool(pd.notna(result.counterfactual).any())
    plain = ("Line chart of the newborn rate per 10,000 live births by financial year with the segmented model's "
             "fitted line" + (" and, from the first service change, the earlier trend carried on with its 95% "
                              "interval." if carried else "."))
    alt = Text(plain + " At the change the model estimates a change in level of "
               + _ratio_text(row["level_change"], row["level_lower"], row["level_upper"]) + ".", {"level": level}, plain)
    r.add("service_change_chart", Chart(
        draw_service_change, frame_of(records), "The newborn rate, and the trend fitted to it, at the dated service changes",
        alt, options={"events": event_marks(ch)},
        note="The dotted line marks each transition year: the financial year in which the change happened, "
             "counted as the first year after it. "
             + ("The earlier trend carried on has bars for its 95% confidence interval, cut at the top of the chart "
               "where they are taller than it: the further from the change, the less the earlier trend can say. "
               if carried else
                "The earlier trend is not carried on: it rests on fewer than 3 years. ")
             + f"Years whose figures rest on fewer than {ch.min_count} babies, or would let a small number be worked "
             "out, are not drawn (c in the data below); the model's values rest on the yearly counts they come from "
             "and are withheld with them.", download="service-change-chart"))


def _without_transition_years(ch: Chapter, model: dict):
    """The same segmented model with each transition year (the year a change happened in) left out, or None
    when nothing can be estimated without them."""
    from ..stats.segmented import segmented_poisson

    breaks = [fy for _, fy in breakpoints(ch)]
    counts = np.where(np.isin(model["periods"], breaks), np.nan, model["counts"])
    result = segmented_poisson(counts, model["births"], model["periods"], breaks)
    first = model["result"].table.iloc[0]["breakpoint"]
    if result.table.empty or result.table.iloc[0]["breakpoint"] != first:
        return None
    return result


def _what_few_points_show(r: ChapterResult, ch: Chapter) -> None:
    """An honest statement of how little a handful of yearly points can show, with this area's numbers."""
    model = next(m for m in its_models(ch) if m["column"] == "newborns")
    result = model["result"]
    r.glue["ch3_years"] = str(result.n_points)
    parts = [f"These models rest on {result.n_points} yearly points."]
    if not result.table.empty:
        row = result.table.iloc[0]
        fy = _fy(row["breakpoint"])
        level = Measure(row["level_change"], on=tuple(model["cells"]), lower=row["level_lower"],
                        upper=row["level_upper"], unit="ratio", digits=2)
        span = f"{signed_pct(row['level_lower'] - 1)} to {signed_pct(row['level_upper'] - 1)}"
        r.glue["ch3_level_range"] = Text(span, {"level": level})
        parts.append(Text(f"At the change in {fy} there are {int(row['points_before'])} years before and "
                          f"{int(row['points_after'])} after. The 95% interval for the change in level runs from "
                          f"{span}: every change in that range"
                          + (", including no change at all," if row["level_lower"] <= 1 <= row["level_upper"] else "")
                          + " is consistent with the data.", {"level": level}))
        dropped = _without_transition_years(ch, model)
        if dropped is not None:
            other = dropped.table.iloc[0]
            again = Measure(other["level_change"], on=tuple(model["cells"]), lower=other["level_lower"],
                            upper=other["level_upper"], unit="ratio", digits=2)
            parts.append(Text(f"{fy} is the transition year: the change happened during it. Leaving it out, the "
                              "change in level is " + _ratio_text(other["level_change"], other["level_lower"],
                                                                   other["level_upper"]) + ".", {"level": again}))
    parts.append(result.caveat)
    parts.append("Quarterly or monthly counts would give many more points; the book uses financial years because "
                 "births, and most published figures, are yearly.")
    r.add("few_points", Notice(parts, kind="notyet", title="How little a handful of yearly points can show"))


# -- the research's explanations, as prompts --------------------------------------------

def research_factors(r: ChapterResult, ch: Chapter) -> None:
    """The explanations the research heard, the data that would test each, and whether this area has it."""
    context = context_rows(ch)
    names = sorted(set(context["indicator"].astype(str))) if not context.empty else []
    rows = []
    for factor, keywords, fields, wanted, question in RESEARCH_FACTORS:
        found = [n for n in names if any(k in n.lower() for k in keywords)]
        have = [f"context: {', '.join(found)}"] if found else []
        for table, column in fields:
            frame = ch.data.get(table)
            if frame is not None and not frame.empty and column in frame and frame[column].notna().any():
                have.append(f"{table}.{column} ({pct(frame[column].notna().mean())} complete)")
        rows.append({"What the research heard": factor, "Data that would test it": wanted,
                     "In your data": Plain("; ".join(have)) if have else "not yet",
                     "A question to ask": question})
    r.add("research_factors", ResultTable(
        frame_of(rows), "Explanations the research heard for rising numbers, and the data that would test each",
        note="From the Born into Care research (Broadhurst et al. 2018). Where it says 'not yet', the second "
             "column is what to record (a yearly indicator goes in the context table). Context indicators are "
             "matched by name; rename an indicator in the context table if it is missed here.",
        download="research-factors"))


def rate_trend(ch: Chapter):
    """Chapter 1's trend in the newborn rate (quasi-Poisson, log births offset, the years as time), fitted on
    the same yearly counts; None without births or with too few years."""
    def compute():
        from ..stats import glm

        t = infants.yearly(ch)
        t = t[(t["period"] != "all") & t["live_births"].notna()]
        if len(t) < 3 or t["newborns"].sum() == 0:
            return None
        fit = glm.poisson_trend(t["newborns"].to_numpy(float), t["live_births"].to_numpy(float), t["period"].tolist())
        return fit if fit.fitted_ok else None
    return _memo(ch, "rate_trend", compute)


def national_rate_words(country: str) -> str:
    """The country's published newborn rate at both ends of Pattinson et al. (2021)'s series, as a sentence
    ('' when the reference figures are absent)."""
    first, last = (reference.national(country, f"newborn_rate_{y}") for y in ("2012_13", "2019_20"))
    if not first or not last:
        return ""
    said = lambda row: f"{float(row['value']):g}"  # noqa: E731 (published figures, as published)
    # the average yearly change those two figures imply, to set beside the local model's
    span = financial_year_start(last["period"]) - financial_year_start(first["period"])
    yearly = (float(last["value"]) / float(first["value"])) ** (1 / span) - 1
    return (f" In {country} the rate rose from {said(first)} to {said(last)} newborns per 10,000 live births between "
            f"{first['period']} and {last['period']}, about {signed_pct(yearly, 1)} a year (Pattinson et al. 2021).")


def headline(r: ChapterResult, ch: Chapter) -> None:
    """The trend in the newborn rate over all the years (chapter 1's model), then what the chapter sets beside
    it. Single years are given only after it, with what they can and cannot show."""
    if not infants.can_answer(ch):
        r.add("headline", _missing_trend(ch))
        return
    series = rate_cells(ch).dropna(subset=["value"])
    unit = ("{v} per 10,000 live births" if has_births(ch) else "{v} newborns (no births supplied, so counts)")
    parts = []
    fit = rate_trend(ch) if has_births(ch) else None
    if fit is not None:
        # chapter 1's estimate: a model estimate that reproduces no count, so it rests on none (as there)
        ratio = Measure(fit.ratio, lower=fit.lower, upper=fit.upper, unit="number", digits=2)
        direction = ("rose" if fit.lower > 1 else "fell" if fit.upper < 1 else "showed no clear change")
        span = f"{series['period'].iloc[0]} to {series['period'].iloc[-1]}" if len(series) else "the period"
        said = (f"{signed_pct(fit.ratio - 1, 1)} a year on average (95% confidence interval "
                f"{signed_pct(fit.lower - 1, 1)} to {signed_pct(fit.upper - 1, 1)})")
        r.glue["ch3_trend"] = Text(said, {"ratio": ratio}, "c")
        parts.append(Text("In {area}, the rate of newborns in care proceedings " + direction + f" from {span}: "
                          + said + ", from chapter 1's trend model over all " + f"{fit.n_points} years.",
                          {"area": Plain(ch.params.area_name), "ratio": ratio}))
        r.finding("The rate of newborns in care proceedings here " + direction + f" from {span}: " + said + "."
                  + national_rate_words(ch.params.country), "", main=True, ratio=ratio)
    if len(series) >= 2:
        first, last = series.iloc[0], series.iloc[-1]
        r.glue.update(ch3_rate_first=Text(unit, {"v": first["cell"]}), ch3_rate_last=Text(unit, {"v": last["cell"]}),
                      ch3_first_year=first["period"], ch3_last_year=last["period"])
        single = ("It was " + unit.replace("{v}", "{first}") + f" in {first['period']} and "
                  + unit.replace("{v}", "{last}") + f" in {last['period']}")
        if fit is not None:
            parts.append(Text(single + ", but with numbers this small single years move a long way by chance, so "
                              "the trend over all the years is the better guide.",
                              {"first": first["cell"], "last": last["cell"]}))
        else:
            parts.append(Text("In {area}, newborns in care proceedings numbered " + unit.replace("{v}", "{first}")
                              + f" in {first['period']} and " + unit.replace("{v}", "{last}")
                              + f" in {last['period']}; single years move a long way by chance when numbers are "
                              "small.", {"area": Plain(ch.params.area_name), "first": first["cell"],
                                         "last": last["cell"]}))
    context = context_rows(ch)
    n_context = context["indicator"].nunique() if not context.empty else 0
    n_events = len(ch.params.events)
    sentence = (f"This chapter sets {_plural(n_context, 'local context indicator')}" if n_context
                else "No local context indicators were supplied to set")
    sentence += (" beside the trend, with " + (f"{_plural(n_events, 'dated service change')} marked."
                                              if n_events else "no dated service changes listed."))
    parts.append(sentence)
    r.add("headline", Notice(parts))


# -- the chapter -----------------------------------------------------------------------

def compute(prepared: Prepared, upstream: dict | None = None) -> ChapterResult:
    """Everything chapter 3 publishes, before disclosure."""
    ch = Chapter(NUMBER, KEY, prepared)
    r = ChapterResult(NUMBER, KEY, TITLE)
    r.glue.update(dict.fromkeys(GLUE))
    r.prompts = ["Put the events timeline on the wall and ask people to add what they remember, with dates.",
                 "For each explanation in the last table, ask: what would we expect to see in the data if it were "
                 "right, and do we see it?",
                 "Look at the pre-proceedings table together: what would it take to start before the birth for every "
                 "family where court is likely?"]
    r.status = {"answer": "can answer" if infants.can_answer(ch) else "not yet"}
    headline(r, ch)
    context_panels(r, ch)
    legal_route(r, ch)
    pre_proceedings(r, ch)
    pathway(r, ch)
    first_orders(r, ch)
    service_changes(r, ch)
    correlations(r, ch)
    research_factors(r, ch)
    return r
