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

import functools
import math
import re

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from .. import charts, definitions as d, disclosure
from ..stats import intervals
from . import infants
from .parents import Quiet
from .common import Chapter, Figure, Notice, Table, count, glue_values, not_yet, num, pct, signed_pct

SHARE_METHOD = "Wilson score interval"
ROUTES = (
    ("ico", "Interim care order (C1)"),
    ("police_or_epo", "Police or emergency protection (L1, L2)"),
    ("s20", "Section 20 (V2)"),
    ("other", "Other or not recorded"),
)
ROUTE_OF_CODE = {"C1": "ico", "L1": "police_or_epo", "L2": "police_or_epo", "V2": "s20"}
PEOPLE_UNITS = {"children", "child", "babies", "families", "people", "parents", "mothers", "fathers", "count",
                "young people", "number"}
MIN_YEARS_FOR_CORRELATION = 5

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


def _glue(ch: Chapter, values: dict) -> None:
    """Glue values for the chapter's prose, remembering which keys are done."""
    done = ch.__dict__.setdefault("_glued", set())
    fresh = {k: v for k, v in values.items() if k not in done}
    done.update(fresh)
    glue_values(ch, fresh)


def glues(*keys: str):
    """Make sure a function's glue keys exist on every path ('not available' when it returned early)."""
    def wrap(function):
        @functools.wraps(function)
        def run(ch: Chapter, *args, **kwargs):
            try:
                return function(ch, *args, **kwargs)
            finally:
                _glue(ch, {k: None for k in keys})
        return run
    return wrap


def years(ch: Chapter) -> list[str]:
    return d.financial_years(ch.params.period.start, ch.params.period.end)


def event_marks(ch: Chapter) -> list[dict]:
    return [{"x": d.financial_year(pd.Series([pd.Timestamp(e.date)])).iloc[0], "label": e.label}
            for e in ch.params.events]


def has_births(ch: Chapter) -> bool:
    births = ch.data.get("births")
    return births is not None and not births.empty and births["live_births"].notna().any()


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


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
        return f"{start}/{(start + 1) % 100:02d}"
    if re.fullmatch(r"\d{4}", value):
        start = int(value)
        return f"{start}/{(start + 1) % 100:02d}"
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


def _context_value(ch: Chapter, row) -> float:
    """A context value as published: small counts of people are withheld."""
    if row["people"] and ch.published and disclosure.is_small(row["value"], ch.min_count):
        return np.nan
    return row["value"]


def _missing_context() -> Notice:
    return not_yet("which local factors moved with the newborn rate.",
                   ["the context table (local indicators by year)"],
                   "one row per year and indicator (period, indicator, value, unit, source), e.g. child poverty, "
                   "section 20 starts, social work caseloads, early help spending per child, families in temporary "
                   "accommodation. Use financial years such as 2019/20.")


def _missing_trend(ch: Chapter) -> Notice:
    return infants.missing(ch)


def rate_series(ch: Chapter) -> pd.DataFrame:
    """Chapter 1's newborn rate (or count, without births) by year, as published: x, y, lower, upper."""
    t = infants.published_yearly(ch)
    t = t[t["period"] != "all"]
    if has_births(ch):
        return pd.DataFrame({"x": t["period"], "y": t["newborn_rate"], "lower": t["newborn_rate_lower"],
                             "upper": t["newborn_rate_upper"]})
    hidden = t["hidden_newborns"].to_numpy(bool)
    return pd.DataFrame({"x": t["period"], "y": np.where(hidden, np.nan, t["newborns"].astype(float)),
                         "lower": np.nan, "upper": np.nan})


def context_panels(ch: Chapter) -> Figure | Notice:
    """The newborn rate and each local context indicator as aligned panels, with the service changes marked."""
    if not infants.can_answer(ch):
        return _missing_trend(ch)
    context = context_rows(ch)
    if context.empty:
        return _missing_context()
    placed = context[context["financial_year"].isin(years(ch))]
    rate_title = ("Newborns in care proceedings per 10,000 live births" if has_births(ch)
                  else "Newborns in care proceedings (no births supplied, so counts)")
    panels = [{"title": rate_title, "ylabel": "per 10,000" if has_births(ch) else "babies", "zero": True,
               "data": rate_series(ch)}]
    rows = [pd.DataFrame({"Year": panels[0]["data"]["x"], "Series": rate_title,
                          "Value": panels[0]["data"]["y"].map(lambda v: num(v) if pd.notna(v) else disclosure.MARKER)})]
    hidden = int(panels[0]["data"]["y"].isna().sum())
    for indicator, part in placed.groupby("indicator", sort=False):
        values = [_context_value(ch, r) for _, r in part.iterrows()]
        hidden += int(sum(pd.isna(v) for v in values))
        label = part["label"].iloc[0]
        panels.append({"title": label, "ylabel": "", "zero": bool(part["people"].iloc[0]),
                       "data": pd.DataFrame({"x": part["financial_year"], "y": values})})
        rows.append(pd.DataFrame({"Year": part["financial_year"], "Series": label,
                                  "Value": [num(v, 2).rstrip("0").rstrip(".") if pd.notna(v) else disclosure.MARKER
                                            for v in values]}))
    fig = charts.aligned_panels(panels, years(ch), event_marks(ch))
    data = pd.concat(rows, ignore_index=True)
    unplaced = context[context["financial_year"].isna()]
    outside = context[context["financial_year"].notna() & ~context["financial_year"].isin(years(ch))]
    notes = []
    if hidden:
        notes.append(f"{hidden} point(s) are not shown because they rest on fewer than {ch.min_count} people.")
    if len(unplaced):
        notes.append(f"{len(unplaced)} context row(s) have a period that is not a year (e.g. "
                     f"'{unplaced['period'].iloc[0]}') and are not shown: write periods as 2019/20.")
    if len(outside):
        notes.append(f"{len(outside)} context row(s) fall outside the report period and are not shown.")
    notes.append("Each panel has its own scale; panels show what happened at the same time, not that one caused "
                 "the other.")
    alt = (f"{len(panels)} stacked panels sharing one time axis of financial years: the newborn rate in "
           f"{ch.params.area_name} at the top, then " + ", ".join(p["title"].lower() for p in panels[1:])
           + (". Dotted lines mark: " + "; ".join(f"{e['label']} ({e['x']})" for e in event_marks(ch)) + "."
              if ch.params.events else "."))
    return Figure(fig, "The newborn rate beside local context, by financial year", alt, data,
                  ch.download_link("context", data), " ".join(notes))


CORRELATION_CAUTION_NONE = (f"A correlation needs a local context indicator and the newborn figures for at least "
                            f"{MIN_YEARS_FOR_CORRELATION} years.")


def correlations(ch: Chapter) -> Table | Notice:
    """How closely each context indicator moved with the newborn rate, in levels and in yearly changes."""
    try:
        return _correlations(ch)
    finally:
        _glue(ch, {"ch3_corr_caution": CORRELATION_CAUTION_NONE})


def _correlations(ch: Chapter) -> Table | Notice:
    if not infants.can_answer(ch):
        return Quiet()
    context = context_rows(ch)
    if context.empty:
        return Quiet()
    rate = rate_series(ch).set_index("x")["y"]
    out = []
    for indicator, part in context[context["financial_year"].isin(years(ch))].groupby("indicator", sort=False):
        values = pd.Series([_context_value(ch, r) for _, r in part.iterrows()], index=part["financial_year"].to_numpy())
        values = values[~values.index.duplicated()]
        paired = pd.DataFrame({"rate": rate, "context": values}).reindex(years(ch)).dropna()
        n = len(paired)
        row = {"Context indicator": part["label"].iloc[0], "Years": n}
        if n < MIN_YEARS_FOR_CORRELATION or paired["rate"].nunique() < 2 or paired["context"].nunique() < 2:
            row.update({"Correlation of yearly levels (95% CI)": "too few years", "Correlation of year-on-year "
                        "changes": "", "Reading": ""})
            out.append(row)
            continue
        r, lower, upper = pearson_ci(paired["rate"].to_numpy(), paired["context"].to_numpy())
        change = paired.diff().dropna()
        consecutive = [years(ch).index(b) - years(ch).index(a) == 1 for a, b in zip(paired.index[:-1], paired.index[1:])]
        change = change[np.array(consecutive, dtype=bool)]
        r_change = (float(np.corrcoef(change["rate"], change["context"])[0, 1])
                    if len(change) >= 4 and change["rate"].nunique() > 1 and change["context"].nunique() > 1 else np.nan)
        ch.record("context_newborn_rate_correlation", "all", r, group=str(indicator), denominator=n, lower=lower,
                  upper=upper, unit="correlation", method="Pearson correlation of yearly levels, Fisher z interval")
        reading = ("moved together" if lower > 0 else "moved in opposite directions" if upper < 0
                   else "no clear link")
        row.update({"Correlation of yearly levels (95% CI)": f"{num(r, 2)} ({num(lower, 2)} to {num(upper, 2)})",
                    "Correlation of year-on-year changes": num(r_change, 2) if pd.notna(r_change) else "too few years",
                    "Reading": reading})
        out.append(row)
    if not out:
        return Notice("No context indicator falls within the report period.")
    frame = pd.DataFrame(out)
    n_max = int(frame["Years"].max())
    needed = critical_r(n_max) if n_max >= 4 else np.nan
    if pd.notna(needed) and n_max >= MIN_YEARS_FOR_CORRELATION:
        _glue(ch, {"ch3_corr_caution": f"With {n_max} yearly points, a correlation has to be larger than about "
                                       f"{num(needed, 2)} (in either direction) before it can be told apart from "
                                       "chance."})
    return Table(frame, "How closely local context moved with the newborn rate (correlation, -1 to 1)",
                 ch.download_link("correlations", frame),
                 note=f"With {n_max} yearly points a correlation must be larger than about {num(needed, 2)} (either "
                      "way) before it is distinguishable from chance, and two series that both drift over time "
                      "correlate even when neither affects the other. The year-on-year changes remove most of that "
                      "shared drift. A correlation is never evidence that one thing caused the other.")


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


def route_hidden(ch: Chapter, counts: pd.DataFrame) -> tuple[pd.DataFrame, set[str], pd.Series]:
    """Cells, yearly totals and whole-period cells to withhold (primary and secondary suppression)."""
    none = pd.DataFrame(False, index=counts.index, columns=counts.columns)
    totals = counts.sum(axis=1)
    overall = counts.sum(axis=0)
    if not ch.published:
        return none, set(), pd.Series(False, index=counts.columns)
    from .parents import hidden_periods

    hidden_totals = hidden_periods(ch, totals.to_dict())
    primary = pd.DataFrame(disclosure.small_mask(counts.to_numpy().ravel(), ch.min_count).reshape(counts.shape),
                           index=counts.index, columns=counts.columns)
    primary.loc[[y in hidden_totals for y in counts.index], :] = True
    cells = disclosure.secondary_suppress(counts, ch.min_count, primary=primary, axes=(0, 1))
    whole = disclosure.secondary_suppress(overall.to_frame().T, ch.min_count, axes=(1,)).iloc[0]
    return cells, hidden_totals, whole


def _route_share_rows(ch: Chapter):
    counts = route_counts(ch)
    cells, hidden_totals, whole = route_hidden(ch, counts)
    out = []
    for period in years(ch) + ["all"]:
        row_counts = counts.sum(axis=0) if period == "all" else counts.loc[period]
        total = int(row_counts.sum())
        for key, label in ROUTES:
            n = int(row_counts[key])
            value = n / total if total else np.nan
            lower, upper = intervals.wilson(float(n), float(total)) if total else (np.nan, np.nan)
            cell_hidden = bool(whole[key]) if period == "all" else bool(cells.loc[period, key])
            # A share of a shown count over a shown total is shown: withholding it would hide nothing.
            hidden = ch.published and (cell_hidden or period in hidden_totals)
            out.append({"period": period, "route": key, "label": label, "n": n, "total": total, "value": value,
                        "lower": lower, "upper": upper, "hidden": hidden, "cell_hidden": cell_hidden,
                        "total_hidden": period in hidden_totals})
    return pd.DataFrame(out)


def _missing_care() -> Notice:
    return not_yet("how babies under one came into care: by court order, police protection or agreement (section 20).",
                   ["the care_episodes table (your SSDA903 episodes, with the legal status of each)"],
                   "supply the SSDA903 header and episodes you already return to the DfE (legal status LS, start "
                   "date DECOM, reason for new episode RNE).")


@glues('ch3_route_s20', 'ch3_route_ico')
def legal_route_table(ch: Chapter) -> Table | Notice:
    """Babies starting to be looked after, by legal route, per financial year: counts and shares with CIs."""
    if not ch.data.has("care_episodes"):
        return _missing_care()
    shares = _route_share_rows(ch)
    for _, r in shares.iterrows():
        ch.record("infant_starters_route_share", r["period"], r["value"], group=r["route"], numerator=r["n"],
                  denominator=None if r["total_hidden"] else r["total"], lower=r["lower"], upper=r["upper"],
                  method=SHARE_METHOD, suppressed=bool(r["hidden"]))
    frame = pd.DataFrame({"Year": years(ch) + ["All years"]})
    for key, label in ROUTES:
        part = shares[shares["route"] == key]
        frame[label] = [disclosure.MARKER if r["hidden"] else f"{count(r['n'])} ({pct(r['value'])})"
                        if r["total"] else "0" for _, r in part.iterrows()]
    totals = shares.drop_duplicates("period")
    frame["All babies starting care"] = [count(r["total"], ch.published and (r["total_hidden"] or
                                                                                     disclosure.is_small(r["total"], ch.min_count)))
                                               for _, r in totals.iterrows()]
    total = shares[shares["period"] == "all"]
    s20 = total[total["route"] == "s20"].iloc[0]
    ico = total[total["route"] == "ico"].iloc[0]
    _glue(ch, {"ch3_route_s20": None if s20["hidden"] or not s20["total"] else pct(s20["value"]),
                     "ch3_route_ico": None if ico["hidden"] or not ico["total"] else pct(ico["value"])})
    return Table(frame, "Babies under one starting to be looked after, by legal route, by financial year",
                 ch.download_link("legal-route", frame),
                 note="Each cell: number of babies (share of that year's babies starting care). A baby counts once a "
                      "year, at their first start, by the legal status of that first period of care. "
                      f"c = fewer than {ch.min_count} babies, or a figure that would reveal one by subtraction.")


def legal_route_chart(ch: Chapter) -> Figure | Notice:
    if not ch.data.has("care_episodes"):
        return Quiet()
    shares = _route_share_rows(ch)
    yearly = shares[shares["period"] != "all"]
    data = pd.DataFrame({"Year": yearly["period"], "Route": yearly["label"],
                         "Per cent": np.where(yearly["hidden"], np.nan, yearly["value"] * 100),
                         "Lower": np.where(yearly["hidden"], np.nan, yearly["lower"] * 100),
                         "Upper": np.where(yearly["hidden"], np.nan, yearly["upper"] * 100)})
    # A route is drawn when at least two of its yearly shares can be shown and it is not always 0.
    drawn = data.groupby("Route", sort=False)["Per cent"].agg(lambda v: v.notna().sum() >= 2 and v.fillna(0).gt(0).any())
    left_out = [r for r, ok in drawn.items() if not ok]
    chart_data = data[data["Route"].isin([r for r, ok in drawn.items() if ok])]
    if chart_data.empty:
        return Notice(f"Every yearly share rests on fewer than {ch.min_count} babies, or is 0, so the chart is not "
                      "shown; the table above gives the whole period.")
    fig = charts.lines_with_ci(chart_data, "Year", "Per cent", "Route", "% of babies under one starting care",
                               "Lower", "Upper", event_marks(ch))
    fig.axes[0].legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=1)
    fig.axes[0].set_ylim(0, 100)
    fig.tight_layout()
    total = shares[shares["period"] == "all"].set_index("route")
    said = [f"{lab.split(' (')[0].lower()} {pct(total.loc[k, 'value'])}" for k, lab in ROUTES
            if not total.loc[k, "hidden"] and total.loc[k, "total"]]
    alt = ("Line chart of the share of babies under one starting to be looked after by each legal route, by "
           "financial year, with 95% confidence intervals." + (" Over the whole period: " + "; ".join(said) + "."
                                                               if said else ""))
    hidden = int(chart_data["Per cent"].isna().sum())
    table = data.assign(**{c: data[c].map(lambda v: num(v) if pd.notna(v) else disclosure.MARKER)
                           for c in ("Per cent", "Lower", "Upper")})
    notes = []
    if hidden:
        notes.append(f"{hidden} point(s) are not shown because they rest on fewer than {ch.min_count} babies, or "
                     "would reveal one.")
    if left_out:
        notes.append("Not drawn (too few yearly figures can be shown, or always 0): " + "; ".join(left_out) + ".")
    return Figure(fig, "Babies under one starting to be looked after: the legal route, by financial year "
                       "(bars: 95% confidence intervals)", alt, table, ch.download_link("legal-route-chart", table),
                  " ".join(notes))


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
        return rows
    return _memo(ch, "pre_proceedings", compute)


def _pp_groups(ch: Chapter):
    rows = newborn_pre_proceedings(ch)
    newborn = rows["newborn"].fillna(False).astype(bool)
    out = [(fy, rows[newborn & (rows["financial_year"] == fy)]) for fy in years(ch)]
    first = d.first_in_period(rows)
    out.append(("all", first[first["newborn"].fillna(False).astype(bool)]))
    return out


@glues('ch3_pp_before_birth', 'ch3_pp_weeks')
def pre_proceedings_table(ch: Chapter) -> Table | Notice:
    """Share of newborns in proceedings whose pre-proceedings started before birth, and how many weeks before."""
    if not infants.can_answer(ch):
        return _missing_trend(ch)
    if not has_pre_proceedings(ch):
        _glue(ch, {"ch3_pp_before_birth": None, "ch3_pp_weeks": None})
        return not_yet("whether pre-proceedings were used before newborn babies came into care proceedings.",
                       ["the date pre-proceedings started (proceedings table, column pre_proceedings_start_date)"],
                       "the date of the pre-proceedings (PLO) meeting or letter before each application; the CIN "
                       "census collects it as PPStartDate from 2026.")
    from ..stats import survival
    from .parents import share_series_hidden, share_row

    groups = _pp_groups(ch)
    before = [(p, share_row(int(g["before_birth"].sum()), len(g))) for p, g in groups]
    anyp = [(p, share_row(int(g["any_pre_proceedings"].sum()), len(g))) for p, g in groups]
    hidden_before, hidden_any = share_series_hidden(ch, before), share_series_hidden(ch, anyp)
    newborn_counts = infants.published_yearly(ch).set_index("period")
    out = []
    for (period, group), (_, b), (_, a) in zip(groups, before, anyp):
        weeks = group["weeks_before_birth"].dropna()
        median = survival.km_median(weeks.to_numpy(), np.ones(len(weeks))) if len(weeks) else \
            {"median": np.nan, "lower": np.nan, "upper": np.nan, "n": 0}
        hb = ch.published and (period in hidden_before or disclosure.share_needs_suppression(b["numerator"], b["denominator"], ch.min_count))
        ha = ch.published and (period in hidden_any or disclosure.share_needs_suppression(a["numerator"], a["denominator"], ch.min_count))
        hm = ch.published and (disclosure.is_small(len(weeks), ch.min_count) or period in hidden_before)
        ch.record("newborns_pre_proceedings_before_birth_share", period, b["value"], numerator=b["numerator"],
                  denominator=b["denominator"], lower=b["lower"], upper=b["upper"], method=SHARE_METHOD, suppressed=hb)
        ch.record("newborns_pre_proceedings_share", period, a["value"], numerator=a["numerator"],
                  denominator=a["denominator"], lower=a["lower"], upper=a["upper"], method=SHARE_METHOD, suppressed=ha)
        if len(weeks):
            ch.record("weeks_pre_proceedings_before_birth_median", period, median["median"], denominator=len(weeks),
                      lower=median["lower"], upper=median["upper"], unit="weeks", suppressed=hm,
                      method="median with its 95% confidence interval (Kaplan-Meier, every start observed)")
        hidden_newborns = bool(newborn_counts.loc[period, "hidden_newborns"]) if period in newborn_counts.index else False
        out.append({
            "Year": "All years" if period == "all" else period,
            "Newborns in proceedings": count(b["denominator"], hidden_newborns),
            "Pre-proceedings started before birth": _share_cell(b, hb),
            "Any pre-proceedings before issue": _share_cell(a, ha),
            "Median weeks before birth (95% CI)": (disclosure.MARKER if hm else "" if not len(weeks) else
                                                  f"{num(median['median'])} ({num(median['lower'])} to "
                                                  f"{num(median['upper'])})" if pd.notna(median["lower"])
                                                  else num(median["median"])),
        })
        if period == "all":
            _glue(ch, {"ch3_pp_before_birth": None if hb or not b["denominator"] else pct(b["value"]),
                             "ch3_pp_weeks": None if hm or not len(weeks) else num(median["median"])})
            if not hb and b["denominator"]:
                ch.finding(f"Pre-proceedings started before birth for {pct(b['value'])} of newborns in care "
                           "proceedings.", "newborns_pre_proceedings_before_birth_share")
    frame = pd.DataFrame(out)
    return Table(frame, "Newborns in care proceedings: was pre-proceedings used, and did it start before birth?",
                 ch.download_link("pre-proceedings", frame),
                 note="Shares of newborns in proceedings (95% confidence intervals); a blank pre-proceedings date is "
                      "read as no pre-proceedings, so incomplete recording lowers these shares. Weeks are counted "
                      "from the start of pre-proceedings to the birth. "
                      f"c = fewer than {ch.min_count} babies, or a figure that would reveal one.")


def _share_cell(row: dict, hidden: bool) -> str:
    if not row["denominator"]:
        return "none"
    if hidden:
        return disclosure.MARKER
    return f"{pct(row['value'])} ({pct(row['lower'])} to {pct(row['upper'])})"


# -- service changes: interrupted time series ------------------------------------------

def breakpoints(ch: Chapter) -> list[tuple[str, str]]:
    """(event label, first financial year of the new segment) for each dated change."""
    return [(e["label"], e["x"]) for e in event_marks(ch)]


def its_models(ch: Chapter) -> list[dict]:
    """Segmented Poisson models of newborn and infant counts (log births offset), and England's newborns."""
    def compute():
        from ..stats.segmented import segmented_poisson

        t = infants.yearly(ch)
        t = t[(t["period"] != "all") & t["live_births"].notna()]
        breaks = [fy for _, fy in breakpoints(ch)]
        out = []
        for label, column in (("Newborns", "newborns"), ("Infants", "infants")):
            result = segmented_poisson(t[column].to_numpy(float), t["live_births"].to_numpy(float),
                                       t["period"].tolist(), breaks)
            suppressed = ch.published and disclosure.is_small(t[column].sum(), ch.min_count)
            out.append({"series": label, "column": column, "result": result, "periods": t["period"].tolist(),
                        "counts": t[column].to_numpy(float), "births": t["live_births"].to_numpy(float),
                        "suppressed": suppressed})
        bench = infants.comparator_rates(ch, infants.BENCH_RATE)
        england = bench[(bench["group"] == "England") & bench["period"].isin(t["period"])]
        england = england.dropna(subset=["numerator", "denominator"]).drop_duplicates("period").sort_values("period")
        if len(england) >= 4:
            result = segmented_poisson(england["numerator"].to_numpy(float), england["denominator"].to_numpy(float),
                                       england["period"].tolist(), breaks)
            out.append({"series": "England: newborns", "column": None, "result": result,
                        "periods": england["period"].tolist(), "counts": england["numerator"].to_numpy(float),
                        "births": england["denominator"].to_numpy(float), "suppressed": False})
        return out
    return _memo(ch, "its", compute)


def _no_events() -> Notice:
    return Notice("No dated service changes are listed in the parameters file, so there is nothing to test a change "
                  "against. Add them under `events:` (a date and a label, e.g. the start of a pre-birth team or a new "
                  "pre-proceedings protocol) and build the book again.", kind="notyet",
                  title="Service changes: none listed yet")


def _missing_births() -> Notice:
    return not_yet("whether the newborn rate changed when local services changed.",
                   ["the births table (live births by calendar year), the exposure of the model"],
                   "ONS live births to mothers resident in the area, by calendar year (births.csv).")


def service_changes(ch: Chapter) -> Table | Notice:
    """Level and trend changes in the rate at each dated service change (segmented Poisson regression)."""
    if not infants.can_answer(ch):
        return _missing_trend(ch)
    if not has_births(ch):
        return _missing_births()
    if not ch.params.events:
        return _no_events()
    rows = []
    labels = dict((fy, label) for label, fy in breakpoints(ch))
    for model in its_models(ch):
        result = model["result"]
        if result.table.empty:
            rows.append({"Series": model["series"], "Service change": "; ".join(labels.values()),
                         "Change in level (95% CI)": "could not be estimated", "Change in yearly trend (95% CI)": "",
                         "Yearly trend before": "", "Yearly trend after": "", "Years before / after": ""})
            continue
        for _, r in result.table.iterrows():
            fy = f"{int(r['breakpoint'])}/{(int(r['breakpoint']) + 1) % 100:02d}"
            label = labels.get(fy, fy)
            secret = model["suppressed"]
            if model["column"]:
                prefix = "newborn" if model["column"] == "newborns" else "infant"
                ch.record(f"{prefix}_rate_level_change", "all", r["level_change"], group=label, lower=r["level_lower"],
                          upper=r["level_upper"], unit="rate ratio", suppressed=secret,
                          method=f"segmented {result.model} regression, log(live births) offset, break at {fy}")
                if pd.notna(r["slope_change"]):
                    ch.record(f"{prefix}_rate_slope_change", "all", r["slope_change"], group=label,
                              lower=r["slope_lower"], upper=r["slope_upper"], unit="ratio of yearly rate ratios",
                              suppressed=secret,
                              method=f"segmented {result.model} regression, log(live births) offset, break at {fy}")
            rows.append({
                "Series": model["series"], "Service change": f"{label} ({fy})",
                "Change in level (95% CI)": disclosure.MARKER if secret else _ratio_text(
                    r["level_change"], r["level_lower"], r["level_upper"]),
                "Change in yearly trend (95% CI)": disclosure.MARKER if secret else _ratio_text(
                    r["slope_change"], r["slope_lower"], r["slope_upper"]),
                "Yearly trend before": disclosure.MARKER if secret else _ratio_text(
                    result.trend_before, result.trend_before_lower, result.trend_before_upper),
                "Yearly trend after": disclosure.MARKER if secret else _ratio_text(
                    r["trend_after"], r["trend_after_lower"], r["trend_after_upper"]),
                "Years before / after": f"{int(r['points_before'])} / {int(r['points_after'])}",
            })
    frame = pd.DataFrame(rows)
    return Table(frame, "Did the rate change when services changed? Segmented (interrupted time series) models",
                 ch.download_link("service-changes", frame),
                 note="Changes are rate ratios written as percentages: a change in level of +20% means the rate "
                      "jumped by a fifth in the first year of the change, beyond the earlier trend; a change in yearly "
                      "trend of -10% means the rate's yearly growth slowed by a tenth. A Poisson regression of yearly "
                      "counts with live births as the exposure (negative binomial or quasi-Poisson when the counts "
                      "vary more than Poisson allows). England's figures, where the benchmarks give them, are fitted "
                      "the same way: a change seen in England too was not only a local one.")


def _ratio_text(ratio, lower, upper) -> str:
    if ratio is None or pd.isna(ratio):
        return "not estimated"
    return f"{signed_pct(ratio - 1)} ({signed_pct(lower - 1)} to {signed_pct(upper - 1)})"


def service_change_chart(ch: Chapter) -> Figure | Notice:
    """The observed newborn rate, the segmented model, and the earlier trend carried on."""
    if not infants.can_answer(ch) or not has_births(ch) or not ch.params.events:
        return Quiet()
    model = next(m for m in its_models(ch) if m["column"] == "newborns")
    result = model["result"]
    if result.table.empty or model["suppressed"]:
        return Quiet()
    periods = model["periods"]
    observed = rate_series(ch).set_index("x").reindex(periods)
    first_break = min(int(b) for b in result.table["breakpoint"])
    start = [i for i, p in enumerate(periods) if d.financial_year_start(p) >= first_break - 1]
    counterfactual = np.full(len(periods), np.nan)
    counterfactual[start] = (result.counterfactual / model["births"] * 10000)[start]
    data = pd.concat([
        pd.DataFrame({"Year": periods, "Series": "Newborns per 10,000 live births", "Rate": observed["y"].to_numpy(),
                      "Lower": observed["lower"].to_numpy(), "Upper": observed["upper"].to_numpy()}),
        pd.DataFrame({"Year": periods, "Series": "Segmented model", "Rate": result.fitted / model["births"] * 10000,
                      "Lower": np.nan, "Upper": np.nan}),
        pd.DataFrame({"Year": periods, "Series": "Had the earlier trend continued", "Rate": counterfactual,
                      "Lower": np.nan, "Upper": np.nan}),
    ], ignore_index=True)
    data = data[data["Rate"].notna() | (data["Series"] == "Newborns per 10,000 live births")]
    fig = charts.lines_with_ci(data, "Year", "Rate", "Series", "per 10,000 live births", "Lower", "Upper",
                               event_marks(ch))
    r = result.table.iloc[0]
    alt = (f"Line chart of the newborn rate per 10,000 live births by financial year with the segmented model's fitted "
           f"line and, from the first service change, the earlier trend carried on. At the change the model estimates "
           f"a change in level of {signed_pct(r['level_change'] - 1)} "
           f"({signed_pct(r['level_lower'] - 1)} to {signed_pct(r['level_upper'] - 1)}).")
    table = data.assign(**{c: data[c].map(lambda v: num(v) if pd.notna(v) else "") for c in ("Rate", "Lower", "Upper")})
    table.loc[(table["Series"] == "Newborns per 10,000 live births") & (table["Rate"] == ""), "Rate"] = disclosure.MARKER
    hidden = int(observed["y"].isna().sum())
    return Figure(fig, "The newborn rate and the segmented model at the dated service changes", alt, table,
                  ch.download_link("service-change-chart", table),
                  f"{hidden} year(s) not shown because they rest on fewer than {ch.min_count} babies." if hidden else "")


@glues('ch3_years', 'ch3_level_range')
def what_few_points_show(ch: Chapter) -> Notice:
    """An honest statement of how little a handful of yearly points can show, with this area's numbers."""
    glue = {"ch3_years": None, "ch3_level_range": None}
    if not infants.can_answer(ch) or not has_births(ch) or not ch.params.events:
        _glue(ch, glue)
        return Quiet()
    model = next(m for m in its_models(ch) if m["column"] == "newborns")
    result = model["result"]
    glue["ch3_years"] = str(result.n_points)
    parts = [f"These models rest on {result.n_points} yearly points."]
    if not result.table.empty and not model["suppressed"]:
        r = result.table.iloc[0]
        fy = f"{int(r['breakpoint'])}/{(int(r['breakpoint']) + 1) % 100:02d}"
        glue["ch3_level_range"] = f"{signed_pct(r['level_lower'] - 1)} to {signed_pct(r['level_upper'] - 1)}"
        parts.append(f"At the change in {fy} there are {int(r['points_before'])} years before and "
                     f"{int(r['points_after'])} after. The 95% interval for the change in level runs from "
                     f"{glue['ch3_level_range']}: every change in that range"
                     + (", including no change at all," if r["level_lower"] <= 1 <= r["level_upper"] else "")
                     + " is consistent with the data.")
    parts.append(result.caveat)
    parts.append("Quarterly or monthly counts would give many more points; the book uses financial years because "
                 "births, and most published figures, are yearly.")
    _glue(ch, glue)
    return Notice(" ".join(parts), kind="notyet", title="How little a handful of yearly points can show")


# -- the research's explanations, as prompts --------------------------------------------

def research_factors(ch: Chapter) -> Table:
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
                     "In your data": "; ".join(have) if have else "not yet",
                     "A question to ask": question})
    frame = pd.DataFrame(rows)
    return Table(frame, "Explanations the research heard for rising numbers, and the data that would test each",
                 ch.download_link("research-factors", frame),
                 note="From the Born into Care research (Broadhurst et al. 2018). Where it says 'not yet', the second "
                      "column is what to record (a yearly indicator goes in the context table). Context indicators are "
                      "matched by name; rename an indicator in the context table if it is missed here.")


@glues('ch3_rate_first', 'ch3_rate_last', 'ch3_first_year', 'ch3_last_year')
def headline(ch: Chapter) -> Notice:
    """Where the newborn rate started and ended, and what the chapter sets beside it."""
    glue = {"ch3_rate_first": None, "ch3_rate_last": None, "ch3_first_year": None, "ch3_last_year": None}
    if not infants.can_answer(ch):
        _glue(ch, glue)
        return _missing_trend(ch)
    series = rate_series(ch).dropna(subset=["y"])
    if has_births(ch):
        show = lambda v: f"{num(v)} per 10,000 live births"  # noqa: E731
    else:
        show = lambda v: f"{count(v)} newborns (no births supplied, so counts)"  # noqa: E731
    parts = []
    if len(series) >= 2:
        first, last = series.iloc[0], series.iloc[-1]
        glue.update({"ch3_rate_first": show(first["y"]), "ch3_rate_last": show(last["y"]),
                     "ch3_first_year": first["x"], "ch3_last_year": last["x"]})
        parts.append(f"In {ch.params.area_name}, newborns in care proceedings went from {show(first['y'])} in "
                     f"{first['x']} to {show(last['y'])} in {last['x']}.")
    context = context_rows(ch)
    n_context = context["indicator"].nunique() if not context.empty else 0
    n_events = len(ch.params.events)
    parts.append(f"This chapter sets {_plural(n_context, 'local context indicator')}" if n_context
                 else "No local context indicators were supplied to set")
    parts[-1] += (" beside the trend, with " + (f"{_plural(n_events, 'dated service change')} marked."
                                         if n_events else "no dated service changes listed."))
    _glue(ch, glue)
    return Notice(" ".join(parts))
