"""Chapter 4: Waiting times.

How long families wait from referral to the start of an assessment, from the start of an
assessment to its authorisation, and from referral to the first support offered, for
babies referred before birth ("pre-birth") and for every other child ("other"). Waits
still open when the data end are *censored* at that date (Kaplan-Meier), never dropped:
dropping them would make waits look shorter than they are (DESIGN 5.2).

A referral led to an assessment when an assessment names it (``referral_id``) or, when no
assessment names it, the child's first assessment that names no referral and starts on or
after the referral date. A referral whose outcome was an assessment (or a section 47
enquiry) but with no assessment yet is an open wait.

This module also holds the helpers chapters 2 and 5 share with it: the censoring date,
the distribution-free median, and the disclosure rules for Kaplan-Meier curves.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import charts, definitions as d, disclosure
from ..data.schema import TABLES
from ..stats import intervals, survival
from .common import Chapter, Figure, Notice, Table, count, glue_values, not_yet, num, pct

SHARE_METHOD = "Wilson score interval"
KM_METHOD = ("Kaplan-Meier median, waits still open censored at the date the data end; "
             "95% interval by the Brookmeyer-Crowley method")
MEDIAN_METHOD = "sample median with a distribution-free (order-statistic) 95% interval"
GROUPS = ("pre-birth", "other")
# The three waits: key -> (indicator id, label used in tables and charts).
WAITS = {
    "referral_to_assessment": ("days_referral_to_assessment_median", "Referral to assessment start"),
    "assessment_to_authorisation": ("days_assessment_to_authorisation_median", "Assessment start to authorisation"),
    "referral_to_support": ("days_referral_to_support_median", "Referral to first support offered"),
}
GESTATION_CUTS = (12, 16, 20)
EXPECTS_ASSESSMENT = ("assessment", "s47")  # referral outcomes that lead to an assessment
# Dates that are plans or forecasts, not things that happened: they do not mark where the data end.
FORECAST_DATES = {("children", "expected_date_of_birth")}
NOT_EVENTS = {"rag", "parents", "births", "context"}
DAYS_PER_MONTH = 365.25 / 12


def _memo(ch: Chapter, name: str, compute):
    return ch.memo(f"waiting:{name}", compute)


# -- helpers shared with chapters 2 and 5 ------------------------------------------

def censoring_date(ch: Chapter) -> pd.Timestamp | None:
    """The date the data end: the latest date on which something was recorded as happening.

    Open waits are censored here. Expected dates of birth are forecasts (an unborn baby's
    is often months after the extract), so they do not count; nor do parents' dates of
    birth, self-assessment review dates, births or context tables.
    """
    def compute():
        latest = []
        for name, frame in ch.data.tables.items():
            if name in NOT_EVENTS or name not in TABLES:
                continue
            for column in TABLES[name].columns:
                if column.kind == "date" and column.name in frame and (name, column.name) not in FORECAST_DATES:
                    value = frame[column.name].max()
                    if pd.notna(value):
                        latest.append(pd.Timestamp(value))
        return max(latest) if latest else None
    return _memo(ch, "censoring_date", compute)


def in_period(ch: Chapter, frame: pd.DataFrame, column: str) -> pd.DataFrame:
    start, end = pd.Timestamp(ch.params.period.start), pd.Timestamp(ch.params.period.end)
    return frame[(frame[column] >= start) & (frame[column] <= end)]


def periods(ch: Chapter) -> list[str]:
    return d.financial_years(ch.params.period.start, ch.params.period.end) + ["all"]


def median_ci(values, confidence: float = 0.95) -> dict:
    """Sample median with a distribution-free 95% interval from order statistics.

    For n values sorted x(1) <= ... <= x(n), the interval is [x(l), x(n - l + 1)] where l is
    the 2.5% point of Binomial(n, 1/2); it covers the true median with probability at
    least 95%. With fewer than 6 values there is no such interval (NaN limits).
    """
    from scipy import stats

    x = np.sort(np.asarray(pd.to_numeric(pd.Series(values), errors="coerce").dropna(), dtype=float))
    n = len(x)
    out = {"median": math.nan, "lower": math.nan, "upper": math.nan, "n": n}
    if n == 0:
        return out
    out["median"] = float(np.median(x))
    rank = int(stats.binom.ppf((1 - confidence) / 2, n, 0.5))
    if rank >= 1:
        out["lower"], out["upper"] = float(x[rank - 1]), float(x[n - rank])
    return out


def km_summary(durations, observed) -> dict:
    """Kaplan-Meier median of a set of waits, or all-NaN with n = 0 when there are none."""
    durations, observed = np.asarray(durations, float), np.asarray(observed, float)
    if len(durations) == 0:
        return {"median": math.nan, "lower": math.nan, "upper": math.nan, "n": 0, "events": 0}
    result = survival.km_median(durations, observed)
    if pd.notna(result["median"]) and pd.isna(result["lower"]) and pd.isna(result["upper"]):
        # Waits counted in whole days tie heavily: with thousands of them the curve can jump
        # from well above to well below one half on the median day, so that no event time
        # passes the test that defines the interval. The data then pin the median to that
        # day: the interval is the day itself.
        result["lower"] = result["upper"] = result["median"]
    return result


def published_curve(curve: pd.DataFrame, min_count: int) -> pd.DataFrame:
    """A Kaplan-Meier curve with the points that rest on few people taken out.

    Withheld: points where fewer than ``min_count`` people are still followed (the tail,
    where each step is one family), and points where the number whose wait has ended so
    far is 1 to ``min_count - 1`` (the first steps, which would count a few families).
    """
    ended = curve["events"].cumsum()
    early = (ended > 0) & (ended < min_count)
    keep = (curve["at_risk"] >= min_count) & ~early
    if early.any():
        # Drawing the start (everyone still waiting) and then the first publishable point
        # would show the withheld steps as a flat line: start at the first publishable point.
        keep &= curve["time"] > 0
    return curve[keep]


def median_text(result: dict, ch: Chapter, unit: str = "days", digits: int = 0) -> str:
    """A median with its interval for a table cell; 'c' when it rests on few people."""
    n = result.get("n", 0)
    if not n:
        return "none"
    if ch.published and disclosure.is_small(n, ch.min_count):
        return disclosure.MARKER
    if pd.isna(result["median"]):
        return "not reached"
    lower = num(result["lower"], digits) if pd.notna(result["lower"]) else "?"
    upper = num(result["upper"], digits) if pd.notna(result["upper"]) else "not reached"
    return f"{num(result['median'], digits)} {unit} ({lower} to {upper})"


def share_text(numerator, denominator, ch: Chapter) -> str:
    """'x% (lo to hi)' for a table cell; 'c' when the share would reveal a few families."""
    if not denominator:
        return "none"
    if ch.published and disclosure.share_needs_suppression(numerator, denominator, ch.min_count):
        return disclosure.MARKER
    value, lower, upper = intervals.proportion_ci(float(numerator), float(denominator))
    return f"{pct(value)} ({pct(lower)} to {pct(upper)})"


def share_withheld(numerator, denominator, ch: Chapter) -> bool:
    return ch.published and disclosure.share_needs_suppression(numerator, denominator, ch.min_count)


def count_text(value, ch: Chapter) -> str:
    return count(value, ch.published and disclosure.is_small(value, ch.min_count))


def record_share(ch: Chapter, indicator: str, period: str, numerator, denominator, group: str = "",
                 method: str = SHARE_METHOD) -> dict:
    value, lower, upper = intervals.proportion_ci(float(numerator), float(denominator))
    return ch.record(indicator, period, value, group=group, numerator=numerator, denominator=denominator,
                     lower=lower, upper=upper, method=method)


def record_median(ch: Chapter, indicator: str, period: str, result: dict, unit: str, group: str = "",
                  method: str = KM_METHOD) -> dict:
    if result["n"] and pd.isna(result["median"]):
        method += "; the median was not reached (fewer than half the waits had ended)"
    return ch.record(indicator, period, result["median"], group=group, denominator=result["n"],
                     lower=result["lower"], upper=result["upper"], unit=unit, method=method)


# -- can the chapter be answered? ----------------------------------------------------

def can_answer(ch: Chapter) -> bool:
    return ch.data.has("referrals") and ch.data.has("assessments")


def missing(ch: Chapter) -> Notice:
    """The 'not yet' message when referrals or assessments are not supplied."""
    what = []
    if not ch.data.has("referrals"):
        what.append("the referrals table (each referral with its date, for every child, pre-birth ones included)")
    if not ch.data.has("assessments"):
        what.append("the assessments table (start and authorisation dates, and the referral each one follows)")
    return not_yet("how long families wait from referral to assessment, to a decision, and to help.", what,
                   "the date of every referral, the start and authorisation dates of each assessment with the "
                   "referral it follows, the date each kind of support was offered, and transfers between teams. "
                   "Your CIN census return already holds referral and assessment dates.")


def _children(ch: Chapter) -> pd.DataFrame:
    """The children by id, made once: every look-up then reuses the same index (and its hash table)."""
    return _memo(ch, "children_by_id", lambda: ch.data.get("children").set_index("child_id"))


# -- the waits -----------------------------------------------------------------------

def link_assessments(referrals: pd.DataFrame, assessments: pd.DataFrame) -> pd.DataFrame:
    """The assessment each referral led to: ``assessment_id``, ``assessment_start``, ``linked_by``.

    First an assessment that names the referral (the earliest if several do); otherwise the
    child's first assessment that names no referral and starts on or after the referral date.
    Aligned with ``referrals``' index; NaN/NaT where the referral led to no assessment.
    """
    out = pd.DataFrame(index=referrals.index, columns=["assessment_id", "assessment_start", "linked_by"])
    out["assessment_start"] = pd.Series(pd.NaT, index=referrals.index, dtype="datetime64[ns]")
    a = assessments[["assessment_id", "child_id", "start_date", "referral_id", "authorised_date"]]
    named = a[a["referral_id"].notna()].sort_values(["start_date", "assessment_id"]).drop_duplicates("referral_id")
    named = named.set_index("referral_id")
    hit = referrals["referral_id"].isin(named.index)
    out.loc[hit, "assessment_id"] = referrals.loc[hit, "referral_id"].map(named["assessment_id"])
    out.loc[hit, "assessment_start"] = referrals.loc[hit, "referral_id"].map(named["start_date"])
    out.loc[hit, "linked_by"] = "referral_id"
    unnamed = a[a["referral_id"].isna()].drop(columns="referral_id")
    rest = referrals.loc[~hit, ["child_id", "referral_date"]].rename_axis("row").reset_index()
    pairs = rest.merge(unnamed, on="child_id")
    pairs = pairs[pairs["start_date"] >= pairs["referral_date"]]
    pairs = pairs.sort_values(["row", "start_date", "assessment_id"]).drop_duplicates("row").set_index("row")
    out.loc[pairs.index, "assessment_id"] = pairs["assessment_id"]
    out.loc[pairs.index, "assessment_start"] = pairs["start_date"]
    out.loc[pairs.index, "linked_by"] = "next assessment"
    out["assessment_start"] = pd.to_datetime(out["assessment_start"])
    return out


def referral_waits(ch: Chapter) -> pd.DataFrame:
    """Referrals in the period that led (or, by their outcome, will lead) to an assessment.

    Columns: referral_id, child_id, referral_date, financial_year, group, assessment_id,
    assessment_start, authorised_date, days, observed (False = still waiting, censored),
    valid (False where the linked assessment started before the referral: left out of
    the medians and counted in the note).
    """
    def compute():
        end = censoring_date(ch)
        referrals = in_period(ch, ch.data.get("referrals"), "referral_date")
        kids = _children(ch)
        r = referrals[["referral_id", "child_id", "referral_date", "outcome"]].copy()
        dob = r["child_id"].map(kids["date_of_birth"])
        r["group"] = np.where(d.is_prebirth(r["referral_date"], dob), "pre-birth", "other")
        r["financial_year"] = d.financial_year(r["referral_date"])
        link = link_assessments(r, ch.data.get("assessments"))
        r = r.join(link)
        expects = r["outcome"].isin(EXPECTS_ASSESSMENT)
        r = r[r["assessment_start"].notna() | expects].copy()
        auth = ch.data.get("assessments").set_index("assessment_id")["authorised_date"]
        r["authorised_date"] = pd.to_datetime(r["assessment_id"].map(auth))
        r["observed"] = r["assessment_start"].notna()
        r["days"] = (r["assessment_start"].fillna(end) - r["referral_date"]).dt.days
        r["valid"] = r["days"] >= 0
        return r.reset_index(drop=True)
    return _memo(ch, "referral_waits", compute)


def assessment_waits(ch: Chapter) -> pd.DataFrame:
    """Assessments starting in the period: days from start to authorisation (open ones censored)."""
    def compute():
        end = censoring_date(ch)
        a = in_period(ch, ch.data.get("assessments"), "start_date").copy()
        dob = a["child_id"].map(_children(ch)["date_of_birth"])
        prebirth = d.is_prebirth_assessment(a["start_date"], dob, a["kind"])
        a["group"] = np.where(prebirth, "pre-birth", "other")
        a["financial_year"] = d.financial_year(a["start_date"])
        a["observed"] = a["authorised_date"].notna()
        a["days"] = (a["authorised_date"].fillna(end) - a["start_date"]).dt.days
        a["valid"] = a["days"] >= 0
        return a[["assessment_id", "child_id", "start_date", "authorised_date", "financial_year", "group", "days",
                  "observed", "valid"]].reset_index(drop=True)
    return _memo(ch, "assessment_waits", compute)


def support_waits(ch: Chapter) -> pd.DataFrame:
    """The referrals of :func:`referral_waits`: days to the first support offered on or after the referral."""
    def compute():
        end = censoring_date(ch)
        r = referral_waits(ch)[["referral_id", "child_id", "referral_date", "financial_year", "group"]].copy()
        offers = ch.data.get("support")[["child_id", "offered_date"]].dropna().sort_values("offered_date")
        r = r.sort_values("referral_date")
        found = pd.merge_asof(r, offers.rename(columns={"offered_date": "first_offer"}), left_on="referral_date",
                              right_on="first_offer", by="child_id", direction="forward")
        found["observed"] = found["first_offer"].notna()
        found["days"] = (found["first_offer"].fillna(end) - found["referral_date"]).dt.days
        found["valid"] = found["days"] >= 0
        return found.reset_index(drop=True)
    return _memo(ch, "support_waits", compute)


def wait_frame(ch: Chapter, key: str) -> pd.DataFrame:
    return {"referral_to_assessment": referral_waits, "assessment_to_authorisation": assessment_waits,
            "referral_to_support": support_waits}[key](ch)


def available_waits(ch: Chapter) -> list[str]:
    keys = []
    if can_answer(ch):
        keys.append("referral_to_assessment")
        if ch.data.get("assessments")["authorised_date"].notna().any():
            keys.append("assessment_to_authorisation")
        if ch.data.has("support"):
            keys.append("referral_to_support")
    return keys


def medians(ch: Chapter, key: str) -> pd.DataFrame:
    """Kaplan-Meier medians of one wait by financial year ('all' too) and group (unsuppressed)."""
    def compute():
        frame = wait_frame(ch, key)
        frame = frame[frame["valid"]]
        days, observed = frame["days"].to_numpy(float), frame["observed"].to_numpy(float)
        years, groups = frame["financial_year"].to_numpy(object), frame["group"].to_numpy(object)
        in_group = {group: groups == group for group in GROUPS}
        rows = []
        for period in periods(ch):
            in_period = np.ones(len(frame), bool) if period == "all" else years == period
            for group in GROUPS:
                chosen = in_period & in_group[group]
                rows.append({"period": period, "group": group, **km_summary(days[chosen], observed[chosen])})
        return pd.DataFrame(rows)
    return _memo(ch, f"medians:{key}", compute)


def comparison(ch: Chapter, key: str) -> dict:
    """Log-rank test and Cox hazard ratio, pre-birth against other, over the whole period."""
    def compute():
        frame = wait_frame(ch, key)
        frame = frame[frame["valid"]]
        test = survival.logrank(frame["days"], frame["observed"].astype(float), frame["group"])
        cox = survival.cox_hazard_ratio(frame["days"], frame["observed"].astype(float),
                                        (frame["group"] == "pre-birth").astype(float))
        sizes = frame["group"].value_counts()
        return {"logrank": test, "cox": cox, "n_prebirth": int(sizes.get("pre-birth", 0)),
                "n_other": int(sizes.get("other", 0))}
    return _memo(ch, f"comparison:{key}", compute)


def record_waits(ch: Chapter) -> None:
    """The waiting-time rows of indicators.csv (once per chapter)."""
    if not ch.once("waiting:waits_recorded"):
        return
    for key in available_waits(ch):
        indicator = WAITS[key][0]
        for _, row in medians(ch, key).iterrows():
            if row["n"]:
                record_median(ch, indicator, row["period"], row, "days", group=row["group"])
        result = comparison(ch, key)
        cox = result["cox"]
        small = min(result["n_prebirth"], result["n_other"]) < ch.min_count
        ch.record(indicator.replace("_median", "_hazard_ratio"), "all", cox["hazard_ratio"], group="pre-birth vs other",
                  lower=cox["lower"], upper=cox["upper"], unit="hazard ratio",
                  method="Cox proportional hazards (Breslow ties); above 1 = pre-birth waits end sooner",
                  suppressed=ch.published and small)


# -- what a notebook cell shows ------------------------------------------------------

def headline(ch: Chapter) -> Notice:
    """Plain-English summary of the waits, with the glued numbers for the chapter's prose."""
    names = ("ch4_referral_to_assessment_prebirth", "ch4_referral_to_assessment_other",
             "ch4_assessment_to_authorisation_prebirth", "ch4_gestation_median", "ch4_by_20_weeks",
             "ch4_authorised_before_due", "ch4_transfer_share_prebirth")
    if not can_answer(ch):
        glue_values(ch, dict.fromkeys(names))
        return missing(ch)
    record_waits(ch)
    values = {}
    texts = []
    for key, short in (("referral_to_assessment", "from referral to the start of an assessment"),
                       ("assessment_to_authorisation", "from the start of an assessment to its authorisation")):
        if key not in available_waits(ch):
            continue
        table = medians(ch, key)
        total = table.set_index(["period", "group"])
        pre_text = _plain_median(total.loc[("all", "pre-birth")], ch)
        values[f"ch4_{key}_prebirth"] = pre_text
        if key == "referral_to_assessment":
            values["ch4_referral_to_assessment_other"] = _plain_median(total.loc[("all", "other")], ch)
        if pre_text:
            ch.finding(f"Median wait {short} for babies referred before birth: {pre_text}.", WAITS[key][0])
        years = table[(table["period"] != "all") & (table["group"] == "pre-birth")]
        shown = [(r["period"], _plain_median(r, ch)) for _, r in years.iterrows()]
        shown = [(p, t) for p, t in shown if t]
        if len(shown) >= 2:
            texts.append(f"For babies referred before birth, the median wait {short} was {shown[0][1]} in "
                         f"{shown[0][0]} and {shown[-1][1]} in {shown[-1][0]}.")
        result = comparison(ch, key)
        cox = result["cox"]
        small = min(result["n_prebirth"], result["n_other"]) < ch.min_count
        if not small and pd.notna(cox["hazard_ratio"]) and (cox["lower"] > 1 or cox["upper"] < 1):
            texts.append(f"Over the whole period this wait was {'shorter' if cox['lower'] > 1 else 'longer'} for "
                         "babies referred before birth than for other children, by more than chance would explain.")
    gest = gestation_summary(ch)
    if gest is not None:
        total = gest[gest["period"] == "all"].iloc[0]
        if not (ch.published and disclosure.is_small(total["n"], ch.min_count)) and total["n"]:
            values["ch4_gestation_median"] = f"{num(total['median'], 1)} weeks"
        if total["n"] and not share_withheld(total["by_20"], total["n"], ch):
            values["ch4_by_20_weeks"] = pct(total["by_20"] / total["n"])
            ch.finding(f"{pct(total['by_20'] / total['n'])} of pre-birth referrals were made by 20 weeks of pregnancy.",
                       "referred_by_20_weeks_share")
    values["ch4_authorised_before_due"] = before_due_text(ch)
    values["ch4_transfer_share_prebirth"] = transfer_share_text(ch)
    glue_values(ch, {name: values.get(name) for name in names})
    return Notice(" ".join(texts) if texts else "There were no referrals in the report period.")


def before_due_text(ch: Chapter) -> str | None:
    """Whole-period share of pre-birth assessments authorised before the due date, as text (None if withheld)."""
    rows = due_rows(ch)
    known = rows["before_due"].dropna()
    if known.empty or share_withheld(int(known.sum()), len(known), ch):
        return None
    return pct(known.sum() / len(known))


def transfer_share_text(ch: Chapter) -> str | None:
    """Share of the pre-birth wait from referral to authorisation spent after transfers, as text."""
    if not ch.data.has("transfers"):
        return None
    row = time_at_transfers(ch).set_index("group").loc["pre-birth"]
    if not row["with_transfer"] or not row["total_days"] or (ch.published and disclosure.is_small(
            row["with_transfer"], ch.min_count)):
        return None
    return pct(row["transfer_days"] / row["total_days"])


def _plain_median(row, ch: Chapter) -> str | None:
    if not row["n"] or (ch.published and disclosure.is_small(row["n"], ch.min_count)) or pd.isna(row["median"]):
        return None
    days = int(round(row["median"]))
    return f"{days} day" + ("" if days == 1 else "s")


def summary_table(ch: Chapter) -> Table | Notice:
    """Each wait: pre-birth and other medians with 95% intervals, the hazard ratio and log-rank test."""
    if not can_answer(ch):
        return Notice("")
    record_waits(ch)
    rows = []
    for key in available_waits(ch):
        total = medians(ch, key).set_index(["period", "group"])
        result = comparison(ch, key)
        cox, test = result["cox"], result["logrank"]
        small = ch.published and min(result["n_prebirth"], result["n_other"]) < ch.min_count
        if small or pd.isna(cox["hazard_ratio"]):
            ratio, meaning = (disclosure.MARKER if small else "not available"), ""
        else:
            ratio = f"{num(cox['hazard_ratio'], 2)} ({num(cox['lower'], 2)} to {num(cox['upper'], 2)})"
            meaning = ("pre-birth waits end sooner" if cox["lower"] > 1 else
                       "pre-birth waits end later" if cox["upper"] < 1 else "no clear difference")
        rows.append({
            "Wait": WAITS[key][1],
            "Pre-birth: median (95% CI)": median_text(total.loc[("all", "pre-birth")], ch),
            "Pre-birth: waits": count_text(total.loc[("all", "pre-birth"), "n"], ch),
            "Other children: median (95% CI)": median_text(total.loc[("all", "other")], ch),
            "Other children: waits": count_text(total.loc[("all", "other"), "n"], ch),
            "Hazard ratio, pre-birth vs other (95% CI)": ratio,
            "Log-rank test": "" if small or pd.isna(test["p_value"]) else _p_text(test["p_value"]),
            "What it means": meaning,
        })
    frame = pd.DataFrame(rows)
    notes = [_excluded_note(ch)] if _excluded_note(ch) else []
    if "referral_to_support" not in available_waits(ch):
        notes.append("Time to support needs the support table (when each kind of support was offered).")
    return Table(frame, "Waiting times over the whole report period: babies referred before birth and other children",
                 ch.download_link("waits", frame),
                 note="Medians come from Kaplan-Meier estimates: waits still open when the data end count as "
                      "'at least this long', never dropped. 'Not reached' means fewer than half the waits had ended. "
                      "A hazard ratio above 1 means pre-birth waits tend to end sooner. c = fewer than "
                      f"{ch.min_count} waits. " + " ".join(notes))


def _p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {num(p, 3)}"


def _excluded_note(ch: Chapter) -> str:
    parts = []
    bad_r = int((~referral_waits(ch)["valid"]).sum())
    bad_a = int((~assessment_waits(ch)["valid"]).sum()) if "assessment_to_authorisation" in available_waits(ch) else 0
    if bad_r:
        parts.append(f"{count_text(bad_r, ch)} referral(s) whose assessment is dated before the referral")
    if bad_a:
        parts.append(f"{count_text(bad_a, ch)} assessment(s) authorised before they started")
    return ("Left out of the medians because the dates contradict each other (see 'About your data'): "
            + "; ".join(parts) + ".") if parts else ""


def yearly_chart(ch: Chapter) -> Figure | Notice:
    """Median waits by financial year, pre-birth and other, with 95% intervals."""
    if not can_answer(ch):
        return Notice("")
    record_waits(ch)
    keys = [k for k in ("referral_to_assessment", "assessment_to_authorisation") if k in available_waits(ch)]
    frames, hidden = [], 0
    for key in keys:
        m = medians(ch, key)
        m = m[m["period"] != "all"].copy()
        withhold = (m["n"] == 0) | ((m["n"] < ch.min_count) if ch.published else False)
        hidden += int((withhold & (m["n"] > 0)).sum())
        m.loc[withhold, ["median", "lower", "upper"]] = np.nan
        label = {"referral_to_assessment": "referral to assessment", "assessment_to_authorisation":
                 "assessment to authorisation"}[key]
        frames.append(pd.DataFrame({"Year": m["period"], "Series": m["group"].map(
            {"pre-birth": "Pre-birth", "other": "Other children"}) + ": " + label, "Median days": m["median"],
            "Lower": m["lower"], "Upper": m["upper"], "Waits": m["n"]}))
    data = pd.concat(frames, ignore_index=True)
    events = [{"x": d.financial_year(pd.Series([pd.Timestamp(e.date)])).iloc[0], "label": e.label}
              for e in ch.params.events]
    if data["Median days"].isna().all():
        return Notice(f"Every year rests on fewer than {ch.min_count} waits, so the yearly chart is not shown; the "
                      "table above gives the whole period.")
    fig = charts.legend_below(charts.lines_with_ci(data, "Year", "Median days", "Series", "Median wait (days)",
                                                   "Lower", "Upper", events))
    latest = data.dropna(subset=["Median days"])
    alt = ("Line chart of the median number of days from referral to the start of an assessment, and from the start "
           "of an assessment to its authorisation, by financial year, for babies referred before birth and for other "
           "children, with 95% confidence intervals.")
    pre = latest[latest["Series"] == "Pre-birth: referral to assessment"]
    if len(pre):
        alt += (f" For babies referred before birth the median wait to assessment went from "
                f"{num(pre['Median days'].iloc[0], 0)} days in {pre['Year'].iloc[0]} to "
                f"{num(pre['Median days'].iloc[-1], 0)} days in {pre['Year'].iloc[-1]}.")
    table = data.assign(**{c: data[c].map(lambda v: num(v, 0) if pd.notna(v) else "") for c in ("Median days", "Lower",
                                                                                                  "Upper")})
    table["Median days"] = [v if v else ("none" if w == 0 else disclosure.MARKER) for v, w in
                            zip(table["Median days"], data["Waits"])]
    table["Waits"] = [count_text(w, ch) for w in data["Waits"]]
    table = table.rename(columns={"Lower": "Lower 95%", "Upper": "Upper 95%"})
    return Figure(fig, "Median waits by financial year: babies referred before birth and other children "
                       "(bars: 95% confidence intervals)", alt, table, ch.download_link("waits-by-year", table),
                  f"{hidden} point(s) are not shown because they rest on fewer than {ch.min_count} waits."
                  if hidden else "")


def curve_chart(ch: Chapter) -> Figure | Notice:
    """Kaplan-Meier curves: the share of assessments not yet authorised, by days since they started."""
    if not can_answer(ch):
        return Notice("")
    key = "assessment_to_authorisation" if "assessment_to_authorisation" in available_waits(ch) else \
        "referral_to_assessment"
    frame = wait_frame(ch, key)
    frame = frame[frame["valid"]]
    parts, left_out = [], []
    for group, label in (("pre-birth", "Babies referred before birth"), ("other", "Other children")):
        g = frame[frame["group"] == group]
        if len(g) == 0 or (ch.published and len(g) < ch.min_count):
            left_out.append(label.lower())
            continue
        curve = survival.km_curve(g["days"], g["observed"].astype(float))
        if ch.published:
            curve = published_curve(curve, ch.min_count)
        curve = curve[curve["time"] <= 180]
        parts.append(curve.assign(Group=label))
    if not parts:
        return Notice("There are too few assessments to draw the waiting-time curves.")
    data = pd.concat(parts, ignore_index=True)
    what = {"assessment_to_authorisation": "not yet authorised", "referral_to_assessment": "not yet assessed"}[key]
    shown = data.assign(**{"% still waiting": 100 * data["survival"], "Lower": 100 * data["lower"],
                           "Upper": 100 * data["upper"]})
    fig = charts.step_curves(shown, "time", "% still waiting", "Group",
                             "Days since the " + ("assessment started" if key == "assessment_to_authorisation"
                                                  else "referral"),
                             f"% {what}", "Lower", "Upper")
    halves = []
    for label, g in shown.groupby("Group", sort=False):
        below = g[g["% still waiting"] < 50]
        if len(below):
            halves.append(f"{label.lower()}: {num(below['time'].iloc[0], 0)} days")
    alt = (f"Step chart of the percentage of assessments {what} against days since they started, for babies referred "
           "before birth and other children, with 95% bands. The curve falls below half at "
           + ("; ".join(halves) if halves else "no point shown") + ".")
    table = pd.DataFrame({"Group": shown["Group"], "Days": shown["time"].astype(int),
                          "% still waiting": shown["% still waiting"].map(lambda v: num(v, 1)),
                          "Lower 95%": shown["Lower"].map(lambda v: num(v, 1)),
                          "Upper 95%": shown["Upper"].map(lambda v: num(v, 1)),
                          "Still waiting (number)": [count_text(v, ch) for v in shown["at_risk"]]})
    note = ("The first days and the long tail, where the curve would rest on fewer than "
            f"{ch.min_count} families, are not drawn. Only the first 180 days are shown."
            if ch.published else "Only the first 180 days are shown.")
    if left_out:
        note += " Not shown (too few assessments): " + ", ".join(left_out) + "."
    return Figure(fig, f"Assessments {what}, by days since they started (Kaplan-Meier estimate)", alt, table,
                  ch.download_link("waiting-curves", table), note)


# -- gestation at referral -------------------------------------------------------------

def prebirth_referrals(ch: Chapter) -> pd.DataFrame:
    """Each baby's first pre-birth referral in the period, with gestation at referral (weeks)."""
    def compute():
        kids = _children(ch)
        r = in_period(ch, ch.data.get("referrals"), "referral_date")
        dob = r["child_id"].map(kids["date_of_birth"])
        r = r[d.is_prebirth(r["referral_date"], dob).to_numpy()]
        r = r.sort_values(["referral_date", "referral_id"]).drop_duplicates("child_id")
        out = r[["referral_id", "child_id", "referral_date"]].copy()
        out["financial_year"] = d.financial_year(out["referral_date"])
        out["expected_date_of_birth"] = out["child_id"].map(kids["expected_date_of_birth"])
        out["gestation_weeks"] = d.gestation_weeks(out["referral_date"], out["expected_date_of_birth"])
        return out.reset_index(drop=True)
    return _memo(ch, "prebirth_referrals", compute)


def gestation_summary(ch: Chapter) -> pd.DataFrame | None:
    """By financial year and 'all': referrals with a gestation, its median and the numbers by 12, 16, 20 weeks."""
    if not can_answer(ch):
        return None
    def compute():
        rows = prebirth_referrals(ch)
        out = []
        for period in periods(ch):
            part = rows if period == "all" else rows[rows["financial_year"] == period]
            known = part["gestation_weeks"].dropna()
            entry = {"period": period, "referrals": len(part), **median_ci(known)}
            for weeks in GESTATION_CUTS:
                entry[f"by_{weeks}"] = int((known <= weeks).sum())
            out.append(entry)
        return pd.DataFrame(out)
    table = _memo(ch, "gestation", compute)
    return table if table["n"].sum() else None


def gestation_table(ch: Chapter) -> Table | Notice:
    """Gestation at pre-birth referral by financial year: median and the share referred by 12, 16 and 20 weeks."""
    if not can_answer(ch):
        return Notice("")
    t = gestation_summary(ch)
    if t is None:
        return not_yet("how far into pregnancy babies are referred.",
                       ["expected dates of birth on the children's records (or no pre-birth referrals in the period)"],
                       "the expected date of birth of every unborn baby, kept after the baby is born.")
    if ch.once("waiting:gestation_recorded"):
        for _, r in t.iterrows():
            record_median(ch, "gestation_weeks_at_referral_median", r["period"], r, "weeks", method=MEDIAN_METHOD)
            for weeks in GESTATION_CUTS:
                if r["n"]:
                    record_share(ch, f"referred_by_{weeks}_weeks_share", r["period"], r[f"by_{weeks}"], r["n"])
    frame = pd.DataFrame({
        "Year": t["period"].replace({"all": "All years"}),
        "Pre-birth referrals": [count_text(v, ch) for v in t["referrals"]],
        "With an expected date of birth": [count_text(v, ch) for v in t["n"]],
        "Median weeks of pregnancy (95% CI)": [median_text(r, ch, "weeks", 1) for _, r in t.iterrows()],
        **{f"Referred by {w} weeks": [share_text(r[f"by_{w}"], r["n"], ch) for _, r in t.iterrows()]
           for w in GESTATION_CUTS},
    })
    return Table(frame, "How far into pregnancy babies were referred, by financial year of referral",
                 ch.download_link("gestation", frame),
                 note="Weeks of pregnancy at referral = 40 minus the weeks from the referral to the expected date of "
                      "birth. Each baby counts once, at their first referral before birth. Ranges are 95% confidence "
                      f"intervals. c = fewer than {ch.min_count} babies, or a share that would reveal them.")


def gestation_chart(ch: Chapter) -> Figure | Notice:
    """Share of pre-birth referrals made by 12, 16 and 20 weeks of pregnancy, by year."""
    if not can_answer(ch) or gestation_summary(ch) is None:
        return Notice("")
    t = gestation_summary(ch)
    t = t[t["period"] != "all"]
    frames, hidden = [], 0
    for weeks in GESTATION_CUTS:
        value, lower, upper = intervals.proportion_ci(t[f"by_{weeks}"].to_numpy(float), t["n"].to_numpy(float))
        withhold = np.array([share_withheld(a, b, ch) or b == 0 for a, b in zip(t[f"by_{weeks}"], t["n"])])
        hidden += int((withhold & (t["n"].to_numpy() > 0)).sum())
        frames.append(pd.DataFrame({"Year": t["period"], "Series": f"By {weeks} weeks",
                                    "Per cent": np.where(withhold, np.nan, value * 100),
                                    "Lower": np.where(withhold, np.nan, lower * 100),
                                    "Upper": np.where(withhold, np.nan, upper * 100)}))
    data = pd.concat(frames, ignore_index=True)
    events = [{"x": d.financial_year(pd.Series([pd.Timestamp(e.date)])).iloc[0], "label": e.label}
              for e in ch.params.events]
    if data["Per cent"].isna().all():
        return Notice(f"Every year rests on fewer than {ch.min_count} babies (or would reveal them), so the yearly "
                      "chart is not shown; the table above gives the whole period.")
    fig = charts.lines_with_ci(data, "Year", "Per cent", "Series", "% of pre-birth referrals", "Lower", "Upper",
                               events)
    by20 = data[(data["Series"] == "By 20 weeks")].dropna(subset=["Per cent"])
    alt = ("Line chart of the percentage of babies referred before birth who were referred by 12, 16 and 20 weeks of "
           "pregnancy, by financial year, with 95% confidence intervals.")
    if len(by20):
        alt += (f" By 20 weeks: {num(by20['Per cent'].iloc[0], 0)}% in {by20['Year'].iloc[0]} and "
                f"{num(by20['Per cent'].iloc[-1], 0)}% in {by20['Year'].iloc[-1]}.")
    table = data.assign(**{c: data[c].map(lambda v: num(v, 1) if pd.notna(v) else "") for c in ("Per cent", "Lower",
                                                                                                 "Upper")})
    table = table.rename(columns={"Lower": "Lower 95%", "Upper": "Upper 95%"})
    return Figure(fig, "Babies referred before birth: percentage referred by 12, 16 and 20 weeks of pregnancy "
                       "(bars: 95% confidence intervals)", alt, table, ch.download_link("gestation-by-year", table),
                  f"{hidden} point(s) are not shown because they rest on fewer than {ch.min_count} babies."
                  if hidden else "")


# -- assessments finished before the baby is due ----------------------------------------

def due_rows(ch: Chapter) -> pd.DataFrame:
    """Each baby's first pre-birth assessment in the period, and whether it was authorised before the due date.

    ``before_due``: True when authorised before the expected date of birth; False when
    authorised on or after it, or still open once the due date has passed; NA when still
    open and the due date is after the data end (not known yet) or no due date is recorded.
    """
    def compute():
        end = censoring_date(ch)
        kids = _children(ch)
        a = in_period(ch, ch.data.get("assessments"), "start_date")
        dob = a["child_id"].map(kids["date_of_birth"])
        a = a[d.is_prebirth_assessment(a["start_date"], dob, a["kind"]).to_numpy()]
        a = a.sort_values(["start_date", "assessment_id"]).drop_duplicates("child_id")
        out = a[["assessment_id", "child_id", "start_date", "authorised_date"]].copy()
        out["financial_year"] = d.financial_year(out["start_date"])
        due = out["child_id"].map(kids["expected_date_of_birth"])
        out["expected_date_of_birth"] = due
        authorised = out["authorised_date"]
        before = pd.Series(pd.NA, index=out.index, dtype="boolean")
        before[authorised.notna() & due.notna()] = (authorised < due)[authorised.notna() & due.notna()]
        before[authorised.isna() & due.notna() & (due <= end)] = False
        out["before_due"] = before
        return out.reset_index(drop=True)
    return _memo(ch, "due_rows", compute)


def due_table(ch: Chapter) -> Table | Notice:
    """Pre-birth assessments authorised before the expected date of birth, by financial year."""
    if not can_answer(ch):
        return Notice("")
    rows = due_rows(ch)
    if rows.empty or rows["before_due"].notna().sum() == 0:
        return not_yet("whether pre-birth assessments are finished before the baby is due.",
                       ["pre-birth assessments with an authorisation date and the baby's expected date of birth"],
                       "the authorisation date of each assessment and the expected date of birth of every unborn baby.")
    out = []
    for period in periods(ch):
        part = rows if period == "all" else rows[rows["financial_year"] == period]
        known = part["before_due"].dropna()
        out.append({"period": period, "assessments": len(part), "known": len(known), "before": int(known.sum()),
                    "not_known": len(part) - len(known)})
    t = pd.DataFrame(out)
    if ch.once("waiting:due_recorded"):
        for _, r in t[t["known"] > 0].iterrows():
            record_share(ch, "prebirth_assessments_authorised_before_due_share", r["period"], r["before"], r["known"])
        if before_due_text(ch):
            ch.finding(f"{before_due_text(ch)} of pre-birth assessments were authorised before the baby was due.",
                       "prebirth_assessments_authorised_before_due_share")
    frame = pd.DataFrame({
        "Year": t["period"].replace({"all": "All years"}),
        "Babies with a pre-birth assessment": [count_text(v, ch) for v in t["assessments"]],
        "Outcome known": [count_text(v, ch) for v in t["known"]],
        "Authorised before the due date": [share_text(a, b, ch) for a, b in zip(t["before"], t["known"])],
        "Not known yet or no due date": [count_text(v, ch) for v in t["not_known"]],
    })
    return Table(frame, "Pre-birth assessments authorised before the baby's expected date of birth, by financial year "
                        "the assessment started", ch.download_link("before-due", frame),
                 note="Each baby counts once, at their first pre-birth assessment in the period. An assessment still "
                      "open after the due date counts as not finished in time; one still open with the due date after "
                      "the data end is not known yet. Ranges are 95% confidence intervals.")


# -- transfers between teams -------------------------------------------------------------

ACTION_DATES = (("referrals", "referral_date"), ("assessments", "start_date"), ("assessments", "authorised_date"),
                ("support", "offered_date"), ("support", "started_date"), ("proceedings", "pre_proceedings_start_date"),
                ("proceedings", "issue_date"), ("proceedings", "first_hearing_date"), ("care_episodes", "start_date"))


def actions(ch: Chapter) -> pd.DataFrame:
    """Every dated action recorded about each child (not transfers themselves): child_id, date.

    One action can be here twice (a referral and an assessment on one day): only the date of
    the next one after a transfer is used, which repeats do not change."""
    parts = []
    for table, column in ACTION_DATES:
        frame = ch.data.get(table)
        if frame is not None and not frame.empty:
            parts.append(frame[["child_id", column]].rename(columns={column: "date"}).dropna())
    if not parts:
        return pd.DataFrame({"child_id": pd.Series(dtype=object), "date": pd.Series(dtype="datetime64[ns]")})
    return pd.concat(parts, ignore_index=True)


def transfer_waits(ch: Chapter) -> pd.DataFrame:
    """Transfers in the period: days from each transfer to the child's next recorded action (strictly later).

    Columns: child_id, transfer_date, financial_year, group, next_action, days, observed
    (False: no later action yet, censored at the date the data end).
    """
    def compute():
        end = censoring_date(ch)
        t = in_period(ch, ch.data.get("transfers"), "transfer_date")[["child_id", "transfer_date"]].copy()
        dob = t["child_id"].map(_children(ch)["date_of_birth"])
        t["group"] = np.where(d.is_prebirth(t["transfer_date"], dob), "pre-birth", "other")
        t["financial_year"] = d.financial_year(t["transfer_date"])
        acts = actions(ch).rename(columns={"date": "next_action"}).sort_values("next_action")
        t = t.sort_values("transfer_date")
        t = pd.merge_asof(t, acts, left_on="transfer_date", right_on="next_action", by="child_id",
                          direction="forward", allow_exact_matches=False)
        t["observed"] = t["next_action"].notna()
        t["days"] = (t["next_action"].fillna(end) - t["transfer_date"]).dt.days
        return t.reset_index(drop=True)
    return _memo(ch, "transfer_waits", compute)


def time_at_transfers(ch: Chapter) -> pd.DataFrame:
    """Of the days from referral to authorisation, how many passed between a transfer and the next action.

    Over referrals whose assessment was authorised. For each transfer between the referral
    and the authorisation, the days until the next recorded action (or the authorisation,
    or the next transfer, whichever is first, so that no day is counted twice).
    Returns one row per group: referrals, with_transfer, total_days, transfer_days.
    """
    def compute():
        r = referral_waits(ch)
        r = r[r["valid"] & r["authorised_date"].notna()].copy()
        r["total_days"] = (r["authorised_date"] - r["referral_date"]).dt.days
        r = r[r["total_days"] >= 0]
        t = transfer_waits(ch)[["child_id", "transfer_date", "next_action"]]
        t = t.sort_values(["child_id", "transfer_date"])
        t["next_transfer"] = t.groupby("child_id")["transfer_date"].shift(-1)
        pairs = r[["referral_id", "child_id", "referral_date", "authorised_date", "group"]].merge(t, on="child_id")
        pairs = pairs[(pairs["transfer_date"] >= pairs["referral_date"]) &
                      (pairs["transfer_date"] < pairs["authorised_date"])]
        stop = pairs[["next_action", "authorised_date", "next_transfer"]].min(axis=1)
        pairs = pairs.assign(gap=(stop - pairs["transfer_date"]).dt.days)
        gaps = pairs.groupby("referral_id")["gap"].sum()
        r["transfer_days"] = r["referral_id"].map(gaps).fillna(0)
        out = []
        for group in GROUPS:
            g = r[r["group"] == group]
            out.append({"group": group, "referrals": len(g), "with_transfer": int((g["transfer_days"] > 0).sum()),
                        "total_days": float(g["total_days"].sum()), "transfer_days": float(g["transfer_days"].sum())})
        return pd.DataFrame(out)
    return _memo(ch, "time_at_transfers", compute)


def transfers_table(ch: Chapter) -> Table | Notice:
    """Days from a transfer between teams to the next recorded action, and the share of the wait spent there."""
    if not can_answer(ch):
        return Notice("")
    if not ch.data.has("transfers"):
        return not_yet("how much time is lost when families move between teams.",
                       ["the transfers table (each transfer between teams, with its date)"],
                       "the date of each transfer of a child's case between teams, and the teams involved.")
    t = transfer_waits(ch)
    lost = time_at_transfers(ch).set_index("group")
    rows = []
    for group, label in (("pre-birth", "Babies before birth"), ("other", "Other children")):
        g = t[t["group"] == group]
        result = km_summary(g["days"], g["observed"].astype(float))
        if ch.once(f"waiting:transfers_recorded:{group}"):
            for period in periods(ch):
                part = g if period == "all" else g[g["financial_year"] == period]
                if len(part):
                    record_median(ch, "days_transfer_to_next_action_median", period,
                                  km_summary(part["days"], part["observed"].astype(float)), "days", group=group)
        row = lost.loc[group]
        share = row["transfer_days"] / row["total_days"] if row["total_days"] else np.nan
        withheld = ch.published and disclosure.is_small(row["with_transfer"], ch.min_count)
        share_cell = ("none" if row["with_transfer"] == 0 else disclosure.MARKER if withheld else pct(share))
        if group == "pre-birth" and not withheld and row["with_transfer"]:
            ch.finding(f"{pct(share)} of the time from pre-birth referral to an authorised assessment passed between "
                       "a transfer of teams and the next recorded action.")
        rows.append({"Children": label, "Transfers": count_text(len(g), ch),
                     "Median days to the next recorded action (95% CI)": median_text(result, ch),
                     "Referrals with a transfer before authorisation": count_text(row["with_transfer"], ch),
                     "Share of the time from referral to authorisation spent after a transfer, before the next action":
                         share_cell})
    frame = pd.DataFrame(rows)
    return Table(frame, "Time after transfers between teams", ch.download_link("transfers", frame),
                 note="A recorded action is any dated entry about the child after the day of the transfer: a referral, "
                      "an assessment starting or authorised, support offered or started, pre-proceedings, an "
                      "application, a hearing or a care episode. A transfer with no later action yet counts as still "
                      "waiting (Kaplan-Meier). The share adds up, over referrals whose assessment was authorised, the "
                      "days between each transfer and the next action (stopping at the authorisation) and divides by "
                      "all the days from referral to authorisation.")
