"""Chapter 4: Waiting times.

How long families wait from referral to the start of an assessment and from the start of an
assessment to its authorisation, for babies referred before birth ("pre-birth") and for
every other child ("other"). Waits still open when the data end are *censored* at that date
(Kaplan-Meier), never dropped: dropping them would make waits look shorter than they are
(DESIGN 5.2). Support is not a wait every referral ends (many families are never offered
any): the chapter gives the share of referrals offered support within 28 and 90 days, each
referral followed until its closure, the child's next referral or the data end
(:func:`support_waits`, Aalen-Johansen).

A referral led to an assessment when an assessment names it (``referral_id``) or, when no
assessment names it, the child's first assessment that names no referral and starts on or
after the referral date. A referral whose outcome was an assessment (or a section 47
enquiry) but with no assessment yet is an open wait.

This module also holds the helpers chapters 2 and 5 share with it: the censoring date,
the distribution-free median, and (until chapter 2 computes a result) the display helpers
chapter 2 still uses.

:func:`compute` returns everything the chapter publishes as a
:class:`~prebirth.results.ChapterResult`; the book's disclosure step decides what is withheld.
Every median is a :class:`~prebirth.results.Measure` on the count of waits behind it, so it
is withheld with that count. The Kaplan-Meier curves are published at a few days only
(:data:`CURVE_DAYS`), each point on the counts it could reproduce (the waits ended so far
and those still waiting): a curve drawn at every event day would give, by differencing,
the number of families whose wait ended on each day.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import charts, definitions as d
from ..data.schema import TABLES
from ..results import (ChapterResult, Chart, Count, Measure, Notice, ResultTable, Share, Text, frame_of, key,
                       not_yet)
from ..stats import survival
from ..formats import num
from .common import Chapter, Prepared

NUMBER, KEY, TITLE = 4, "waiting_times", "Waiting times"

SHARE_METHOD = "Wilson score interval"
KM_METHOD = ("Kaplan-Meier median (the day by which half the waits had ended; the midpoint where the curve "
             "sits at one half), waits still open censored at the date the data end; "
             "95% interval by the Brookmeyer-Crowley method")
MEDIAN_METHOD = "sample median with a distribution-free (order-statistic) 95% interval"
GROUPS = ("pre-birth", "other")
# The two waits: key -> (indicator id, label used in tables and charts). Support offered is a share
# within a number of days (support_shares), not a wait.
WAITS = {
    "referral_to_assessment": ("days_referral_to_assessment_median", "Referral to assessment start"),
    "assessment_to_authorisation": ("days_assessment_to_authorisation_median", "Assessment start to authorisation"),
}
GESTATION_CUTS = (12, 16, 20)
# A plan agreed by 32 weeks of pregnancy: the pre-birth assessment authorised at least 56 days (8 weeks)
# before the expected date of birth (40 - 56 / 7 = 32 weeks), the point practitioners ask about.
PLAN_WEEKS = 32
PLAN_DAYS = (40 - PLAN_WEEKS) * 7
# Weeks of pregnancy at a pre-birth referral, in bands: (label, from, up to but not including).
GESTATION_BANDS = (("before 20 weeks", -math.inf, 20), ("20 to 29 weeks", 20, 30), ("30 weeks or later", 30, math.inf))
# Support: the share of referrals offered support within these days (not a median: many referrals,
# most of other children's, are never offered support, so "half the waits had ended" may never come).
SUPPORT_DAYS = (28, 90)
SUPPORT_METHOD = ("Aalen-Johansen cumulative incidence: referrals followed until support was offered, the referral "
                  "was closed without support (a competing event, when closure dates are recorded), or the child's "
                  "next referral or the date the data end; 95% interval by the delta method on the log(-log) scale")
# The proportional-hazards test: below this p-value one hazard ratio does not describe the difference.
PH_ALPHA = 0.05
EXPECTS_ASSESSMENT = ("assessment", "s47")  # referral outcomes that lead to an assessment
# Dates that are plans or forecasts, not things that happened: they do not mark where the data end.
FORECAST_DATES = {("children", "expected_date_of_birth")}
NOT_EVENTS = {"rag", "parents", "births", "context"}
DAYS_PER_MONTH = 365.25 / 12
# The days at which the Kaplan-Meier curves are published (a few points, not every event day).
CURVE_DAYS = (0, 7, 14, 21, 28, 42, 56, 90, 120, 180)


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


# -- chapter 2's display helpers (it still formats its own tables) ----------------------

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
    if hit.any():  # none when no assessment names a referral (e.g. CIN census extracts): nothing to map
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
    """The referrals of :func:`referral_waits`, each followed from the referral until support is offered.

    A referral is followed until the first support offered on or after its date and before
    the child's next referral (an offer after the next referral belongs to that one), until
    it was closed without support (``closed_date`` in the referrals table, when recorded), or
    else until the child's next referral or the date the data end, whichever is first.
    Columns: referral_id, child_id, referral_date, financial_year, group, first_offer,
    next_referral, closed_date, outcome (1 offered support, 2 closed without support, 0 no
    longer followed), days, observed (outcome 1), valid.
    """
    def compute():
        end = censoring_date(ch)
        r = referral_waits(ch)[["referral_id", "child_id", "referral_date", "financial_year", "group"]].copy()
        every = ch.data.get("referrals")
        later = every[["child_id", "referral_date"]].drop_duplicates().sort_values(["child_id", "referral_date"])
        later["next_referral"] = later.groupby("child_id")["referral_date"].shift(-1)
        r = r.merge(later, on=["child_id", "referral_date"], how="left")
        closed = every.set_index("referral_id")["closed_date"] if "closed_date" in every else pd.Series(dtype=object)
        r["closed_date"] = pd.to_datetime(r["referral_id"].map(closed))
        offers = ch.data.get("support")[["child_id", "offered_date"]].dropna().sort_values("offered_date")
        r = r.sort_values("referral_date")
        r = pd.merge_asof(r, offers.rename(columns={"offered_date": "first_offer"}), left_on="referral_date",
                          right_on="first_offer", by="child_id", direction="forward")
        mine = r["first_offer"].notna() & (r["next_referral"].isna() | (r["first_offer"] < r["next_referral"]))
        r["first_offer"] = r["first_offer"].where(mine)
        stop = r["next_referral"].fillna(end).clip(upper=end)
        offered = r["first_offer"].notna() & (r["closed_date"].isna() | (r["first_offer"] <= r["closed_date"]))
        closed_first = ~offered & r["closed_date"].notna() & (r["closed_date"] < stop)
        r["outcome"] = np.select([offered, closed_first], [1, 2], 0)
        until = r["first_offer"].where(offered, r["closed_date"].where(closed_first, stop))
        r["observed"] = offered
        r["days"] = (until - r["referral_date"]).dt.days
        r["valid"] = r["days"] >= 0
        return r.reset_index(drop=True)
    return _memo(ch, "support_waits", compute)


def wait_frame(ch: Chapter, key: str) -> pd.DataFrame:
    return {"referral_to_assessment": referral_waits, "assessment_to_authorisation": assessment_waits}[key](ch)


def available_waits(ch: Chapter) -> list[str]:
    keys = []
    if can_answer(ch):
        keys.append("referral_to_assessment")
        if ch.data.get("assessments")["authorised_date"].notna().any():
            keys.append("assessment_to_authorisation")
    return keys  # referral to support is not a wait that every referral ends: see support_shares


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


def support_shares(ch: Chapter) -> pd.DataFrame:
    """Share of referrals offered support within each of :data:`SUPPORT_DAYS`, by year ('all' too) and group,
    with the counts behind each estimate (unsuppressed)."""
    def compute():
        frame = support_waits(ch)
        frame = frame[frame["valid"]]
        rows = []
        for period in periods(ch):
            part = frame if period == "all" else frame[frame["financial_year"] == period]
            for group in GROUPS:
                g = part[part["group"] == group]
                if len(g) == 0:
                    continue
                table = survival.cumulative_incidence(g["days"], g["outcome"], SUPPORT_DAYS)
                for row in table.itertuples(index=False):
                    rows.append({"period": period, "group": group, **row._asdict()})
        return pd.DataFrame(rows, columns=["period", "group", "time", "incidence", "lower", "upper", "n",
                                           "events_of", "competing", "censored", "followed"])
    return _memo(ch, "support_shares", compute)


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


def gestation_band(weeks: pd.Series) -> pd.Series:
    """The band of :data:`GESTATION_BANDS` of each gestation in weeks; NA where it is not known."""
    out = pd.Series(pd.NA, index=weeks.index, dtype="object")
    for label, low, high in GESTATION_BANDS:
        out[(weeks >= low) & (weeks < high)] = label
    return out


def gestation_waits(ch: Chapter) -> pd.DataFrame:
    """Pre-birth referrals that led (or will lead) to an assessment, with the weeks of pregnancy at referral
    and two waits: to the start of the assessment (``days``, ``observed``, as :func:`referral_waits`) and to
    its authorisation, the decision on a plan (``plan_days``, ``plan_observed``: still open, or not yet
    assessed, censored at the date the data end). Only referrals whose dates are consistent (``valid``)."""
    def compute():
        end = censoring_date(ch)
        r = referral_waits(ch)
        r = r[r["valid"] & (r["group"] == "pre-birth")].copy()
        due = r["child_id"].map(_children(ch)["expected_date_of_birth"])
        r["gestation_weeks"] = d.gestation_weeks(r["referral_date"], due)
        r["band"] = gestation_band(r["gestation_weeks"])
        r["plan_observed"] = r["authorised_date"].notna()
        r["plan_days"] = (r["authorised_date"].fillna(end) - r["referral_date"]).dt.days
        return r.reset_index(drop=True)
    return _memo(ch, "gestation_waits", compute)


def gestation_support_waits(ch: Chapter) -> pd.DataFrame:
    """The pre-birth referrals of :func:`support_waits` (each followed until support is offered, the referral
    is closed without it, or it is no longer followed), with the weeks of pregnancy at referral and their
    ``band``. Only referrals whose dates are consistent (``valid``)."""
    def compute():
        r = support_waits(ch)
        r = r[r["valid"] & (r["group"] == "pre-birth")].copy()
        due = r["child_id"].map(_children(ch)["expected_date_of_birth"])
        r["gestation_weeks"] = d.gestation_weeks(r["referral_date"], due)
        r["band"] = gestation_band(r["gestation_weeks"])
        return r.reset_index(drop=True)
    return _memo(ch, "gestation_support_waits", compute)


# -- assessments finished before the baby is due ----------------------------------------

def due_rows(ch: Chapter) -> pd.DataFrame:
    """Each baby's first pre-birth assessment in the period, and whether it was authorised before the due date.

    ``before_due``: True when authorised before the expected date of birth; False when
    authorised on or after it, or still open once the due date has passed; NA when still
    open and the due date is after the data end (not known yet) or no due date is recorded.
    ``by_plan_weeks``: the same for the date the baby reaches :data:`PLAN_WEEKS` weeks of pregnancy
    (:data:`PLAN_DAYS` days before the expected date of birth), authorisation on that day counting as in time.
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
        plan_by = due - pd.Timedelta(days=PLAN_DAYS)  # the date the baby reaches 32 weeks of pregnancy
        by_plan = pd.Series(pd.NA, index=out.index, dtype="boolean")
        both = authorised.notna() & due.notna()
        by_plan[both] = (authorised <= plan_by)[both]
        by_plan[authorised.isna() & due.notna() & (plan_by <= end)] = False
        out["by_plan_weeks"] = by_plan
        return out.reset_index(drop=True)
    return _memo(ch, "due_rows", compute)


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




# -- the chapter's cells ------------------------------------------------------------------

LABELS = {"pre-birth": "Babies before birth", "other": "Other children"}
GLUE = ("ch4_referral_to_assessment_prebirth", "ch4_referral_to_assessment_other",
        "ch4_assessment_to_authorisation_prebirth", "ch4_gestation_median", "ch4_by_20_weeks",
        "ch4_authorised_before_due", "ch4_transfer_share_prebirth", "ch4_plan_by_32_weeks")


def waits_count(wait: str, group: str, period: str, value: int) -> Count:
    """The number of waits (with consistent dates) behind a median."""
    return Count(key("waiting", wait, group, period, "n"), int(value))


def median_measure(result, n: Count, unit: str = "days", digits: int = 0, method: str = "") -> Measure:
    return Measure(result["median"], on=(n,), lower=result["lower"], upper=result["upper"], unit=unit,
                   digits=digits, denominator=n)


def median_cell(result, n: Count, unit: str = "days", digits: int = 0):
    """A median with its interval for a table cell: 'none', 'not reached' or '10 days (7 to 12)'."""
    if not n.value:
        return "none"
    if pd.isna(result["median"]):
        return Text("not reached", {"n": n}, "c")
    bound = lambda v: Measure(v, on=(n,), unit=unit, digits=digits)  # noqa: E731
    figures = {"m": median_measure(result, n, unit, digits)}
    lower, upper = "?", "not reached"
    if pd.notna(result["lower"]):
        figures["lo"], lower = bound(result["lower"]), "{lo}"
    if pd.notna(result["upper"]):
        figures["hi"], upper = bound(result["upper"]), "{hi}"
    return Text("{m} " + unit + f" ({lower} to {upper})", figures, "c")


def days_text(result, n: Count) -> Text | None:
    """'10 days' for the prose (None when there is no median to say)."""
    if not n.value or pd.isna(result["median"]):
        return None
    days = int(round(result["median"]))
    return Text("{m} day" + ("" if days == 1 else "s"), {"m": median_measure(result, n)})


def km_method(result) -> str:
    if result["n"] and pd.isna(result["median"]):
        return KM_METHOD + "; the median was not reached (the share still waiting never fell below one half)"
    return KM_METHOD


def compute(prepared: Prepared, upstream: dict | None = None) -> ChapterResult:
    """Everything chapter 4 publishes, before disclosure."""
    ch = Chapter(NUMBER, KEY, prepared)
    r = ChapterResult(NUMBER, KEY, TITLE)
    r.glue.update(dict.fromkeys(GLUE))
    r.prompts = ["Draw the journey from referral to birth on a timeline and mark where time is lost.",
                 "Ask parents what waiting felt like and what would have helped them during it.",
                 "Pick one transfer point and ask: who holds the family while the case moves?"]
    if not can_answer(ch):
        r.status = {"answer": "not yet"}
        r.add("headline", missing(ch))
        return r
    r.status = {"answer": "can answer"}
    _waits(r, ch)
    _support(r, ch)
    _gestation(r, ch)
    _gestation_waits(r, ch)
    _due(r, ch)
    _transfers(r, ch)
    return r


# -- the waits ------------------------------------------------------------------------------

def _wait_cells(r: ChapterResult, ch: Chapter, wait: str) -> dict:
    """(period, group) -> (median result, Count of waits); the years related to the whole period."""
    table = medians(ch, wait)
    out = {(row["period"], row["group"]): (row, waits_count(wait, row["group"], row["period"], row["n"]))
           for _, row in table.iterrows()}
    years = [p for p in periods(ch) if p != "all"]
    for group in GROUPS:
        # each wait belongs to one financial year: the years add up to the whole period
        r.relate_periods(out[("all", group)][1], [out[(p, group)][1] for p in years],
                         f"{WAITS[wait][1].lower()} ({group}): waits by year against the whole period")
    return out


def proportional(cox: dict) -> bool:
    """Whether one hazard ratio describes the difference: the proportional-hazards test does not reject it."""
    return pd.notna(cox["hazard_ratio"]) and pd.notna(cox["ph_p_value"]) and cox["ph_p_value"] >= PH_ALPHA


def _waits(r: ChapterResult, ch: Chapter) -> None:
    cells = {wait: _wait_cells(r, ch, wait) for wait in available_waits(ch)}
    ratios = {}
    for wait, by in cells.items():
        indicator = WAITS[wait][0]
        for (period, group), (row, n) in by.items():
            if row["n"]:
                r.indicator(indicator, period, median_measure(row, n), group=group, unit="days", method=km_method(row))
        result = comparison(ch, wait)
        cox = result["cox"]
        (pre, n_pre), (other, n_other) = by[("all", "pre-birth")], by[("all", "other")]
        agree = comparison_text(ch, by, "")[1]
        pooled = "" if agree else ("; pooled over years whose medians point different ways: the yearly medians are "
                                   "the comparison to read")
        if proportional(cox):
            shown = Measure(cox["hazard_ratio"], on=(n_pre, n_other), lower=cox["lower"], upper=cox["upper"],
                            unit="ratio", digits=2)
            r.indicator(indicator.replace("_median", "_hazard_ratio"), "all", shown, group="pre-birth vs other",
                        unit="hazard ratio",
                        method="Cox proportional hazards (Efron ties); above 1 = pre-birth waits end sooner; the "
                               "test of proportional hazards (scaled Schoenfeld residuals against time) gives "
                               f"p = {num(cox['ph_p_value'], 3)}" + pooled)
        elif pd.notna(pre["median"]) and pd.notna(other["median"]):
            # The ratio changes over the wait, so one ratio would mislead: the difference in medians instead.
            shown = Measure(pre["median"] - other["median"], on=(n_pre, n_other), unit="days", digits=1)
            r.indicator(indicator + "_difference", "all", shown, group="pre-birth minus other", unit="days",
                        method="difference of the Kaplan-Meier medians, pre-birth minus other, given instead of a "
                               "Cox hazard ratio because the hazards are not proportional (scaled Schoenfeld "
                               f"residuals against time: {_p_text(cox['ph_p_value'])})" + pooled)
        else:
            shown = None
        ratios[wait] = (shown, result, agree)
    _headline(r, ch, cells, ratios)
    _summary_table(r, ch, cells, ratios)
    _excluded(r, ch, cells)
    _yearly_chart(r, ch, cells)
    _curve_chart(r, ch, cells)


def yearly_comparison(ch: Chapter, by: dict) -> list[tuple[str, int]]:
    """(year, sign) for the years whose medians can both be compared: -1 where the pre-birth median was
    shorter, +1 longer, 0 the same. Years with fewer than ``min_count`` waits in a group, or a median
    not reached, are left out."""
    out = []
    for period in periods(ch):
        if period == "all":
            continue
        (pre, n_pre), (other, n_other) = by[(period, "pre-birth")], by[(period, "other")]
        if min(n_pre.value, n_other.value) < ch.min_count or pd.isna(pre["median"]) or pd.isna(other["median"]):
            continue
        out.append((period, int(np.sign(pre["median"] - other["median"]))))
    return out


def _years_text(years: list[str], every: list[str]) -> str:
    """'2019/20, 2020/21 and 2021/22'; 'every year', 'every year from 2019/20' or 'every year up to 2018/19'
    when they are all the years, or three or more at the end or the start."""
    if years == every:
        return "every year"
    if len(years) >= 3 and years == every[len(every) - len(years):]:
        return f"every year from {years[0]}"
    if len(years) >= 3 and years == every[:len(years)]:
        return f"every year up to {years[-1]}"
    return years[0] if len(years) == 1 else ", ".join(years[:-1]) + " and " + years[-1]


def comparison_text(ch: Chapter, by: dict, short: str) -> tuple[str, bool]:
    """The yearly comparison of one wait in words, and whether the years all point the same way."""
    signs = yearly_comparison(ch, by)
    if not signs:
        return "", True  # no year to compare: none contradicts the whole period
    every = [p for p, _ in signs]
    shorter = [p for p, sign in signs if sign < 0]
    longer = [p for p, sign in signs if sign > 0]
    parts = []
    if shorter:
        parts.append(f"shorter for babies referred before birth in {_years_text(shorter, every)}")
    if longer:
        parts.append(f"longer in {_years_text(longer, every)}" if shorter else
                     f"longer for babies referred before birth in {_years_text(longer, every)}")
    same = len(signs) - len(shorter) - len(longer)
    if same:
        parts.append(f"the same in {same} year" + ("" if same == 1 else "s"))
    sentence = (f"Year by year, the median wait {short} was " + "; ".join(parts)
                + f" (of {len(signs)} years with enough waits in both groups).")
    return sentence, not (shorter and longer)


def _headline(r: ChapterResult, ch: Chapter, cells: dict, ratios: dict) -> None:
    texts = []
    for wait, short in (("referral_to_assessment", "from referral to the start of an assessment"),
                        ("assessment_to_authorisation", "from the start of an assessment to its authorisation")):
        if wait not in cells:
            continue
        by = cells[wait]
        pre = days_text(*by[("all", "pre-birth")])
        r.glue[f"ch4_{wait}_prebirth"] = pre
        if wait == "referral_to_assessment":
            r.glue["ch4_referral_to_assessment_other"] = days_text(*by[("all", "other")])
        other = days_text(*by[("all", "other")])
        if pre is not None and other is not None and wait == "referral_to_assessment":
            r.finding(f"Median wait {short} for babies referred before birth: " + pre.template + ", against "
                      + other.template.replace("{m}", "{o}") + " for other children.", WAITS[wait][0],
                      Text(f"Median wait {short} for babies referred before birth: " + pre.template + ".",
                           {"m": pre.figures["m"]}), main=True, m=pre.figures["m"], o=other.figures["m"])
        elif pre is not None:
            r.finding(f"Median wait {short} for babies referred before birth: " + pre.template + ".", WAITS[wait][0],
                      m=pre.figures["m"])
        # The years first: a comparison over the whole period is said only where no year contradicts it.
        sentence, agree = comparison_text(ch, by, short)
        if sentence:
            texts.append(sentence)
        years = [(p, days_text(*by[(p, "pre-birth")])) for p in periods(ch) if p != "all"]
        years = [(p, t) for p, t in years if t is not None]
        if len(years) >= 2:
            (first, a), (last, b) = years[0], years[-1]
            texts.append(Text(f"For babies referred before birth, the median wait {short} was "
                              + a.template.replace("{m}", "{a}") + f" in {first} and "
                              + b.template.replace("{m}", "{b}") + f" in {last}.",
                              {"a": a.figures["m"], "b": b.figures["m"]}))
        if sentence and not agree:
            texts.append("Because the years do not all point the same way, the book gives no single comparison "
                         "for the whole period of this wait.")
            continue
        shown, result, _ = ratios[wait]
        cox, test = result["cox"], result["logrank"]
        if shown is None or pd.isna(test["p_value"]) or test["p_value"] >= 0.05:
            continue
        if proportional(cox) and (cox["lower"] > 1 or cox["upper"] < 1):
            texts.append(Text(f"Over the whole period this wait was {'shorter' if cox['lower'] > 1 else 'longer'} "
                              "for babies referred before birth than for other children, by more than chance would "
                              "explain.", {"ratio": shown}))
        elif not proportional(cox):
            texts.append(Text(f"Over the whole period the median wait {short} was {{d}} days "
                              f"{'shorter' if shown.value < 0 else 'longer'} for babies referred before birth "
                              "(the waits of the two groups differ by more than chance would explain, but not in "
                              "the same way all through the wait).",
                              {"d": Measure(abs(shown.value), on=shown.on, unit="days", digits=1)}))
    r.add("headline", Notice(texts or ["There were no referrals in the report period."]))


def _p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {num(p, 3)}"


def _summary_table(r: ChapterResult, ch: Chapter, cells: dict, ratios: dict) -> None:
    records = []
    for wait, by in cells.items():
        shown, result, agree = ratios[wait]
        cox, test = result["cox"], result["logrank"]
        logrank = "" if pd.isna(test["p_value"]) or shown is None else \
            Text(_p_text(test["p_value"]), {"shown": shown}, "")
        if shown is None:
            comparison_cell, meaning = "not available", ""
        elif not agree:
            comparison_cell = "not given: the years point different ways (see the chart by year)"
            meaning, logrank = comparison_cell, ""
        elif proportional(cox):
            comparison_cell = Text("hazard ratio {shown:ci}", {"shown": shown}, "c")
            meaning = Text("pre-birth waits end sooner" if cox["lower"] > 1 else "pre-birth waits end later"
                           if cox["upper"] < 1 else "no clear difference", {"shown": shown}, "")
        else:
            comparison_cell = Text("medians differ by {shown} days (pre-birth minus other)", {"shown": shown}, "c")
            meaning = Text("the groups differ, but not in the same way all through the wait"
                           if test["p_value"] < 0.05 else "no clear difference", {"shown": shown}, "")
        pre, other = by[("all", "pre-birth")], by[("all", "other")]
        records.append({
            "Wait": WAITS[wait][1],
            "Pre-birth: median (95% CI)": median_cell(*pre),
            "Pre-birth: waits": pre[1],
            "Other children: median (95% CI)": median_cell(*other),
            "Other children: waits": other[1],
            "Comparison, pre-birth vs other": comparison_cell,
            "Log-rank test": logrank,
            "What it means": meaning,
        })
    tests = ["Comparison, pre-birth vs other", "Log-rank test"]  # the statistics: analyst detail, in a fold
    r.add("summary_table", ResultTable(
        frame_of(records).drop(columns=tests), "Waiting times over the whole report period: babies referred before "
                                               "birth and other children (read the years first: see the chart by year)",
        note="A median is the day by which half the waits had ended: waits still open when the data end count as "
             "'at least this long', never dropped. 'Not reached' means the share still waiting never fell below "
             "one half. Over the whole period the years are pooled: where the years point different ways, the "
             "chart by year is the comparison to read. "
             f"c = fewer than {ch.min_count} waits, or a number that would let them be worked out.",
        download="waits", download_frame=frame_of(records)))
    r.add("summary_comparison", ResultTable(
        frame_of([{k: rec[k] for k in ("Wait", *tests, "What it means")} for rec in records]),
        "How the waits of the two groups were compared",
        note="Medians are Kaplan-Meier estimates. A hazard ratio (Cox model, Efron's method for waits ending on the "
             "same day) is given only where the test of proportional hazards does not reject a constant ratio over "
             "the wait; above 1 means pre-birth waits tend to end sooner. Where the ratio changes over the wait "
             "(the waits of one group end sooner early on and later afterwards, say), one ratio would mislead, and "
             "the difference between the medians is given instead. The log-rank test asks whether the two groups "
             "wait equally long.", analyst=True))


def _excluded(r: ChapterResult, ch: Chapter, cells: dict) -> None:
    """Waits left out of the medians because their dates contradict each other."""
    parts = []
    bad_r = int((~referral_waits(ch)["valid"]).sum())
    bad_a = int((~assessment_waits(ch)["valid"]).sum()) if "assessment_to_authorisation" in cells else 0
    for bad, wait, what in ((bad_r, "referral_to_assessment", "referral(s) whose assessment is dated before the "
                             "referral"), (bad_a, "assessment_to_authorisation", "assessment(s) authorised before "
                                                                                "they started")):
        if bad:
            parts.append(Text("{n} " + what, {"n": Count(key("waiting", wait, "dates contradict"), bad)},
                              f"some {what} (how many is withheld)"))
    if not parts:
        return
    body = ["Left out of the medians because the dates contradict each other (see 'About your data'):"]
    for i, part in enumerate(parts):
        body.append(part if i == len(parts) - 1 else Text(part.template + ";", part.figures, part.otherwise + ";"))
    body[-1] = Text(body[-1].template + ".", body[-1].figures, body[-1].otherwise + ".")
    r.add("excluded", Notice(body))


def draw_medians(data: pd.DataFrame, events: list):
    """Median waits by year with their 95% intervals; withheld points are absent."""
    frame = pd.DataFrame({"Year": data["Year"], "Series": data["Series"], "Median days": data["Median days"],
                          "Lower": data["Median days_lower"], "Upper": data["Median days_upper"]})
    return charts.legend_below(charts.lines_with_ci(frame, "Year", "Median days", "Series", "Median wait (days)",
                                                    "Lower", "Upper", events))


def _events(ch: Chapter) -> list:
    return [{"x": d.financial_year(pd.Series([pd.Timestamp(e.date)])).iloc[0], "label": e.label}
            for e in ch.params.events]


def _yearly_chart(r: ChapterResult, ch: Chapter, cells: dict) -> None:
    waits = [w for w in ("referral_to_assessment", "assessment_to_authorisation") if w in cells]
    records = []
    for wait in waits:
        label = {"referral_to_assessment": "referral to assessment",
                 "assessment_to_authorisation": "assessment to authorisation"}[wait]
        for group in GROUPS:
            for period in periods(ch):
                if period == "all":
                    continue
                row, n = cells[wait][(period, group)]
                records.append({"Year": period, "Series": ("Pre-birth" if group == "pre-birth" else "Other children")
                                + ": " + label, "Median days": median_measure(row, n) if n.value else "none",
                                "Waits": n})
    if not records:
        return
    years = [p for p in periods(ch) if p != "all"]
    alt = ("Line chart of the median number of days from referral to the start of an assessment, and from the start "
           "of an assessment to its authorisation, by financial year, for babies referred before birth and for other "
           "children, with 95% confidence intervals.")
    first, last = (cells["referral_to_assessment"][(p, "pre-birth")] for p in (years[0], years[-1]))
    if first[1].value and last[1].value and pd.notna(first[0]["median"]) and pd.notna(last[0]["median"]):
        alt = Text(alt + " For babies referred before birth the median wait to assessment went from {a} days in "
                   f"{years[0]} to {{b}} days in {years[-1]}.",
                   {"a": median_measure(*first), "b": median_measure(*last)}, alt)
    r.add("yearly_chart", Chart(
        draw_medians, frame_of(records), "Median waits by financial year: babies referred before birth and other "
        "children (bars: 95% confidence intervals)", alt, options={"events": _events(ch)},
        note=f"Years whose median rests on fewer than {ch.min_count} waits, or would let a small number be worked "
             "out, are not drawn (c in the data below).", download="waits-by-year",
        title=Text(f"In {years[-1]}, " "babies referred before birth waited a median of {b} days from referral to the "
                   "start of an assessment", {"b": median_measure(*last)})
        if last[1].value and pd.notna(last[0]["median"]) else ""))


def curve_points(days, observed, at_days=CURVE_DAYS) -> pd.DataFrame:
    """The Kaplan-Meier curve at a few days: the share still waiting just after each day (with its 95% band),
    and the counts behind it: ``ended`` (waits ended by that day), ``left`` (still open when the data ended,
    by that day) and ``waiting`` (still waiting after it); they add up to all the waits."""
    days, observed = np.asarray(days, float), np.asarray(observed, float)
    curve = survival.km_curve(days, observed)
    rows = []
    for t in at_days:
        step = curve[curve["time"] <= t].iloc[-1]
        rows.append({"time": t, "survival": float(step["survival"]), "lower": float(step["lower"]),
                     "upper": float(step["upper"]), "ended": int(((days <= t) & (observed == 1)).sum()),
                     "left": int(((days <= t) & (observed == 0)).sum()), "waiting": int((days > t).sum())})
    return pd.DataFrame(rows)


def draw_curves(data: pd.DataFrame, xlabel: str, ylabel: str):
    """The share still waiting at each published day (steps), with 95% bands; withheld points are absent."""
    shown = pd.DataFrame({"time": data["Days"], "% still waiting": 100 * data["Still waiting"],
                          "Lower": 100 * data["Still waiting_lower"], "Upper": 100 * data["Still waiting_upper"],
                          "Group": data["Group"]}).dropna(subset=["% still waiting"])
    return charts.step_curves(shown, "time", "% still waiting", "Group", xlabel, ylabel, "Lower", "Upper")


def _curve_chart(r: ChapterResult, ch: Chapter, cells: dict) -> None:
    wait = "assessment_to_authorisation" if "assessment_to_authorisation" in cells else "referral_to_assessment"
    frame = wait_frame(ch, wait)
    frame = frame[frame["valid"]]
    records, halves = [], {}
    for group, label in (("pre-birth", "Babies referred before birth"), ("other", "Other children")):
        g = frame[frame["group"] == group]
        row, n = cells[wait][("all", group)]
        if len(g) == 0:
            continue
        points = curve_points(g["days"], g["observed"])
        c = lambda what, t: key("waiting", wait, group, "all", what, f"day {t}")  # noqa: E731
        previous = None
        for p in points.itertuples():
            ended, left = r.hidden_count(c("ended", p.time), p.ended), r.hidden_count(c("open", p.time), p.left)
            waiting_count = Count(c("still waiting", p.time), p.waiting)
            r.hidden_count(waiting_count.key, p.waiting)
            r.relate(n, [ended, left, waiting_count.key], "waits = ended + still open when the data ended + "
                                                          "still waiting, at each day of the curve")
            if previous is not None:  # consecutive points: the waits that ended (or were left open) in between
                for what, now, before in (("ended", p.ended, previous.ended), ("open", p.left, previous.left)):
                    between = r.hidden_count(key("waiting", wait, group, "all", what, f"days {previous.time}-{p.time}"),
                                             now - before)
                    r.relate(c(what, p.time), [c(what, previous.time), between],
                             "the curve's consecutive points: ended (or open) by a day = by the previous one + between")
            previous = p
            on = (Count(ended, p.ended), waiting_count, n)
            records.append({"Group": label, "Days": int(p.time),
                            "Still waiting": Measure(p.survival, on=on, lower=p.lower, upper=p.upper,
                                                     unit="proportion", digits=1),
                            "Still waiting (number)": waiting_count})
        if pd.notna(row["median"]):
            halves[label] = median_measure(row, n)
    if not records:
        r.add("curve_chart", Notice("There are too few assessments to draw the waiting-time curves."))
        return
    what = {"assessment_to_authorisation": "not yet authorised", "referral_to_assessment": "not yet assessed"}[wait]
    alt_start = (f"Step chart of the percentage of assessments {what} against days since they started, for babies "
                 "referred before birth and other children, with 95% bands. ")
    alt = Text(alt_start + "The median (the day by which half the waits had ended): " + "; ".join(
        f"{label.lower()}: {{h{i}}} days" for i, label in enumerate(halves)) + ".",
        {f"h{i}": m for i, m in enumerate(halves.values())}, alt_start + "The curve falls below half at no point shown.")
    if not halves:
        alt = alt_start + "The curve falls below half at no point shown."
    xlabel = "Days since the " + ("assessment started" if wait == "assessment_to_authorisation" else "referral")
    r.add("curve_chart", Chart(
        draw_curves, frame_of(records), f"Assessments {what}, by days since they started", alt,
        options={"xlabel": xlabel, "ylabel": f"% {what}"},
        note="The curve is shown at " + ", ".join(str(t) for t in CURVE_DAYS[:-1]) + f" and {CURVE_DAYS[-1]} days "
             "(a curve at every day would let the families whose wait ended on one day be counted). Points that "
             f"rest on fewer than {ch.min_count} families, or would let a small number be worked out, are not drawn.",
        analyst_note="A Kaplan-Meier estimate: waits still open when the data end are censored, never dropped.",
        download="waiting-curves"))


# -- support offered ---------------------------------------------------------------------------

def _support(r: ChapterResult, ch: Chapter) -> None:
    """The share of referrals offered support within 28 and 90 days, by year and group."""
    if not ch.data.has("support"):
        r.add("support_table", not_yet("how soon after a referral support is offered.",
                                       ["the support table (each kind of support offered, with its date)"],
                                       "the date each kind of support was offered, and the date each referral "
                                       "was closed."))
        return
    table = support_shares(ch)
    years = [p for p in periods(ch) if p != "all"]
    sizes = support_waits(ch)
    sizes = sizes[sizes["valid"]]
    counts = {}
    for group in GROUPS:
        for period in periods(ch):
            part = sizes if period == "all" else sizes[sizes["financial_year"] == period]
            counts[(period, group)] = waits_count("referral_to_support", group, period,
                                                  int((part["group"] == group).sum()))
        r.relate_periods(counts[("all", group)], [counts[(p, group)] for p in years],
                         f"referrals followed to support ({group}) by year against the whole period")
    cells = {}
    for row in table.itertuples(index=False):
        n = counts[(row.period, row.group)]
        c = lambda what: key("waiting", "referral_to_support", row.group, row.period, what,  # noqa: E731
                             f"day {row.time:g}")
        offered = Count(c("offered"), row.events_of)
        followed = Count(c("followed"), row.followed)
        r.hidden_count(offered.key, row.events_of), r.hidden_count(followed.key, row.followed)
        parts = [offered.key, r.hidden_count(c("closed"), row.competing), r.hidden_count(c("censored"), row.censored),
                 followed.key]
        r.relate(n, parts, "referrals = offered support + closed without it + no longer followed + still followed, "
                           "by each day")
        share = Measure(row.incidence, on=(offered, followed, n), lower=row.lower, upper=row.upper,
                        unit="proportion", digits=0, denominator=n)
        cells[(row.period, row.group, int(row.time))] = share
        r.indicator(f"referral_to_support_within_{int(row.time)}_days_share", row.period, share, group=row.group,
                    method=SUPPORT_METHOD)
    for group in GROUPS:
        for days in SUPPORT_DAYS:
            for what in ("offered", "closed", "censored", "followed"):
                name = lambda p: key("waiting", "referral_to_support", group, p, what, f"day {days}")  # noqa: E731
                if all(name(p) in r.implicit for p in ["all", *years]):
                    r.relate_periods(name("all"), [name(p) for p in years],
                                     f"referrals ({group}, {what} by day {days}) by year against the whole period")
    records = []
    for period in periods(ch):
        for group in GROUPS:
            n = counts[(period, group)]
            records.append({"Year": "All years" if period == "all" else period, "Children": LABELS[group],
                            "Referrals": n,
                            **{f"Offered support within {days} days": cells.get((period, group, days), "none")
                               for days in SUPPORT_DAYS}})
    closures = "closed_date" in ch.data.get("referrals") and ch.data.get("referrals")["closed_date"].notna().any()
    note = ("Each referral is followed from its date until support is first offered, until the child's next "
            "referral (support offered after it counts for that referral) or until the data end. Estimated shares "
            "(Aalen-Johansen) use the referrals followed for less than 28 or 90 days for as long as they were "
            "followed. Ranges are 95% confidence intervals. ")
    note += ("A referral closed without support counts as not offered support (a competing outcome), not as "
             "still waiting." if closures else
             "Your referrals do not record when they were closed, so a referral closed without support is followed "
             "until the child's next referral or the data end: it counts as not offered support, never as still "
             "waiting. Adding each referral's closure date (the CIN census CINclosureDate) would end its follow-up "
             "there.")
    r.add("support_table", ResultTable(
        frame_of(records), "Referrals offered support within 28 and 90 days, by financial year of referral",
        note=note + f" c = fewer than {ch.min_count} referrals, or a number that would let them be worked out.",
        download="support-offered"))
    pre = cells.get(("all", "pre-birth", 90))
    if pre is not None:
        r.finding("{share} of referrals before birth were offered support within 90 days.",
                  "referral_to_support_within_90_days_share", share=pre)


# -- gestation at referral ------------------------------------------------------------------

def _gestation(r: ChapterResult, ch: Chapter) -> None:
    t = gestation_summary(ch)
    if t is None:
        r.add("gestation_table", not_yet(
            "how far into pregnancy babies are referred.",
            ["expected dates of birth on the children's records (or no pre-birth referrals in the period)"],
            "the expected date of birth of every unborn baby, kept after the baby is born."))
        return
    cuts = {}
    for _, row in t.iterrows():
        period = row["period"]
        c = lambda what: key("waiting", "gestation at referral", period, what)  # noqa: E731
        referrals = Count(key("waiting", "pre-birth referrals", period), row["referrals"])
        n = Count(c("n"), row["n"])
        by = {w: Count(c(f"by {w} weeks"), row[f"by_{w}"]) for w in GESTATION_CUTS}
        r.hidden_count(c("no expected date"), row["referrals"] - row["n"])
        r.relate(referrals, [n.key, c("no expected date")], "pre-birth referrals = with an expected date + without")
        edges = (0, *GESTATION_CUTS)
        for lo, hi in zip(edges[:-1], edges[1:]):
            if lo:
                band = r.hidden_count(c(f"{lo}-{hi} weeks"), row[f"by_{hi}"] - row[f"by_{lo}"])
                r.relate(by[hi], [by[lo].key, band], "referred by a number of weeks = by the cut before + between")
        r.hidden_count(c(f"after {GESTATION_CUTS[-1]} weeks"), row["n"] - row[f"by_{GESTATION_CUTS[-1]}"])
        r.relate(n, [by[GESTATION_CUTS[-1]].key, c(f"after {GESTATION_CUTS[-1]} weeks")],
                 "referrals with an expected date = by the last cut + after it")
        median = median_measure(row, n, "weeks", 1)
        r.indicator("gestation_weeks_at_referral_median", period, median, unit="weeks",
                    method=MEDIAN_METHOD + ("; the median was not reached (fewer than half the waits had ended)"
                                            if row["n"] and pd.isna(row["median"]) else ""))
        if row["n"]:
            for w in GESTATION_CUTS:
                r.indicator(f"referred_by_{w}_weeks_share", period, Share.of(by[w], n), method=SHARE_METHOD)
        cuts[period] = (row, referrals, n, by)
    years = [p for p in periods(ch) if p != "all"]
    for what in ["referrals", "n", *[f"by {w} weeks" for w in GESTATION_CUTS]]:
        pick = (lambda p: cuts[p][1]) if what == "referrals" else (lambda p: cuts[p][2]) if what == "n" else \
            (lambda p, w=int(what.split()[1]): cuts[p][3][w])
        r.relate_periods(pick("all"), [pick(p) for p in years], f"pre-birth referrals ({what}) by year against the "
                                                                 "whole period (each baby once, at the first)")
    for what in ("no expected date", f"after {GESTATION_CUTS[-1]} weeks"):
        r.relate_periods(key("waiting", "gestation at referral", "all", what),
                         [key("waiting", "gestation at referral", p, what) for p in years],
                         f"pre-birth referrals ({what}) by year against the whole period")
    records = [{"Year": "All years" if p == "all" else p, "Pre-birth referrals": referrals, "With an expected date of "
                "birth": n, "Median weeks of pregnancy (95% CI)": median_cell(row, n, "weeks", 1),
                **{f"Referred by {w} weeks": Share.of(by[w], n) for w in GESTATION_CUTS}}
               for p, (row, referrals, n, by) in cuts.items()]
    r.add("gestation_table", ResultTable(
        frame_of(records), "How far into pregnancy babies were referred, by financial year of referral",
        note="Weeks of pregnancy at referral = 40 minus the weeks from the referral to the expected date of "
             "birth. Each baby counts once, at their first referral before birth. Ranges are 95% confidence "
             f"intervals. c = fewer than {ch.min_count} babies, or a share that would reveal them.",
        download="gestation"))
    row, _, n, by = cuts["all"]
    if n.value:
        r.glue["ch4_gestation_median"] = Text("{m} weeks", {"m": median_measure(row, n, "weeks", 1)})
        by20 = Share.of(by[20], n)
        r.glue["ch4_by_20_weeks"] = by20
        r.finding("{share} of pre-birth referrals were made by 20 weeks of pregnancy.",
                  "referred_by_20_weeks_share", main=True, share=by20)
    _gestation_chart(r, ch, cuts, years)


def draw_gestation(data: pd.DataFrame, events: list):
    frame = pd.DataFrame({"Year": data["Year"], "Series": data["Series"], "Per cent": data["Share"] * 100,
                          "Lower": data["Share_lower"] * 100, "Upper": data["Share_upper"] * 100})
    return charts.lines_with_ci(frame, "Year", "Per cent", "Series", "% of pre-birth referrals", "Lower", "Upper",
                                events)


def _gestation_chart(r: ChapterResult, ch: Chapter, cuts: dict, years: list) -> None:
    def share(p, w):  # one decimal, as the chart's data has always been given; withheld with its counts
        cell = Share.of(cuts[p][3][w], cuts[p][2])
        return Measure(cell.value, on=(cell.numerator, cell.denominator), lower=cell.lower, upper=cell.upper,
                       unit="proportion", digits=1)

    records = [{"Year": p, "Series": f"By {w} weeks", "Share": share(p, w)}
               for w in GESTATION_CUTS for p in years if cuts[p][2].value]
    if not records:
        return
    alt = ("Line chart of the percentage of babies referred before birth who were referred by 12, 16 and 20 weeks of "
           "pregnancy, by financial year, with 95% confidence intervals.")
    known = [p for p in years if cuts[p][2].value]
    first, last = (Share.of(cuts[p][3][20], cuts[p][2]) for p in (known[0], known[-1]))
    alt = Text(alt + f" By 20 weeks: {{a}} in {known[0]} and {{b}} in {known[-1]}.", {"a": first, "b": last}, alt)
    r.add("gestation_chart", Chart(
        draw_gestation, frame_of(records), "Babies referred before birth: percentage referred by 12, 16 and 20 weeks "
        "of pregnancy (bars: 95% confidence intervals)", alt, options={"events": _events(ch)},
        note=f"Years whose share rests on fewer than {ch.min_count} babies, or would let a small number be worked "
             "out, are not drawn (c in the data below).", download="gestation-by-year",
        title=Text(f"In {known[-1]}, " "{b} of babies referred before birth were referred by 20 weeks of pregnancy",
                   {"b": share(known[-1], 20)})))


# -- assessments finished before the baby is due ---------------------------------------------

def _due(r: ChapterResult, ch: Chapter) -> None:
    rows = due_rows(ch)
    if rows.empty or rows["before_due"].notna().sum() == 0:
        r.add("due_table", not_yet(
            f"whether pre-birth assessments are finished by {PLAN_WEEKS} weeks of pregnancy and before the baby "
            "is due.",
            ["pre-birth assessments with an authorisation date and the baby's expected date of birth"],
            "the authorisation date of each assessment and the expected date of birth of every unborn baby."))
        return
    years = [p for p in periods(ch) if p != "all"]
    plan = f"by {PLAN_WEEKS} weeks"
    cells, records = {}, []
    for period in periods(ch):
        part = rows if period == "all" else rows[rows["financial_year"] == period]
        known = part["before_due"].dropna()
        # an outcome known at the due date is known at 32 weeks, and authorised by 32 weeks is before the due date
        by_plan = part.loc[part["before_due"].notna(), "by_plan_weeks"].astype(bool)
        values = {"babies": len(part), "known": len(known), "before": int(known.sum()),
                  "not known": len(part) - len(known), plan: int(by_plan.sum())}
        cells[period] = {w: Count(key("waiting", "pre-birth assessments due", period, w), v) for w, v in values.items()}
        r.relate(cells[period]["babies"], [cells[period]["known"], cells[period]["not known"]],
                 "babies with a pre-birth assessment = outcome known + not known yet")
        between = r.hidden_count(key("waiting", "pre-birth assessments due", period, f"after {PLAN_WEEKS} weeks, "
                                     "before the due date"), values["before"] - values[plan])
        r.relate(cells[period]["before"], [cells[period][plan], between],
                 f"authorised before the due date = by {PLAN_WEEKS} weeks of pregnancy + between")
        share = Share.of(cells[period]["before"], cells[period]["known"])
        by_share = Share.of(cells[period][plan], cells[period]["known"])
        if len(known):
            r.indicator("prebirth_assessments_authorised_before_due_share", period, share, method=SHARE_METHOD)
            r.indicator(f"prebirth_assessments_authorised_by_{PLAN_WEEKS}_weeks_share", period, by_share,
                        method=SHARE_METHOD + f"; authorised at least {PLAN_DAYS} days before the expected date of "
                                              "birth")
        records.append({"Year": "All years" if period == "all" else period,
                        "Babies with a pre-birth assessment": cells[period]["babies"],
                        "Outcome known": cells[period]["known"],
                        f"Authorised by {PLAN_WEEKS} weeks of pregnancy": by_share,
                        "Authorised before the due date": share,
                        "Not known yet or no due date": cells[period]["not known"]})
    for what in ("babies", "known", "before", "not known", plan):
        r.relate_periods(cells["all"][what], [cells[p][what] for p in years],
                         f"pre-birth assessments ({what}) by year against the whole period (each baby once)")
    r.add("due_table", ResultTable(
        frame_of(records), f"Pre-birth assessments authorised by {PLAN_WEEKS} weeks of pregnancy and before the "
        "baby's expected date of birth, by financial year the assessment started",
        note=f"By {PLAN_WEEKS} weeks of pregnancy: authorised at least {PLAN_DAYS} days ({40 - PLAN_WEEKS} weeks) "
             "before the expected date of birth. The authorisation of the pre-birth assessment stands for the point "
             "a plan is agreed (the data hold no separate date for the plan). Each baby counts once, at their "
             "first pre-birth assessment in the period. An assessment still open after the due date counts as not "
             "finished in time; one still open with the due date after the data end is not known yet. Ranges are "
             f"95% confidence intervals. c = fewer than {ch.min_count} babies, or a figure that would let a small "
             "number be worked out.", download="before-due"))
    if cells["all"]["known"].value:
        whole = Share.of(cells["all"]["before"], cells["all"]["known"])
        by_plan = Share.of(cells["all"][plan], cells["all"]["known"])
        r.glue["ch4_authorised_before_due"] = whole
        r.glue["ch4_plan_by_32_weeks"] = by_plan
        r.finding(f"{{plan}} of pre-birth assessments were authorised by {PLAN_WEEKS} weeks of "
                  f"pregnancy, {40 - PLAN_WEEKS} weeks before the baby was due, and {{due}} before the due date.",
                  f"prebirth_assessments_authorised_by_{PLAN_WEEKS}_weeks_share",
                  Text("{due} of pre-birth assessments were authorised before the baby was due.", {"due": whole}),
                  main=True, plan=by_plan, due=whole)


# -- waits by weeks of pregnancy at referral --------------------------------------------------------

def _gestation_waits(r: ChapterResult, ch: Chapter) -> None:
    """Pre-birth referrals' waits to an assessment and to its authorisation, by weeks of pregnancy at referral."""
    g = gestation_waits(ch)
    if g.empty or g["band"].notna().sum() == 0:
        r.add("gestation_waits_table", not_yet(
            "whether babies referred later in pregnancy wait less.",
            ["expected dates of birth on the children's records (or no pre-birth referrals in the period)"],
            "the expected date of birth of every unborn baby, kept after the baby is born."))
        return
    plan = g[g["plan_days"] >= 0]
    total = waits_count("referral_to_assessment", "pre-birth", "all", len(g))  # the whole period's waits
    total_plan = r.hidden_count(key("waiting", "referral_to_plan", "pre-birth", "all", "n"), len(plan))
    bands, records, medians_by = {"assess": [], "plan": []}, [], {}
    for label, _, _ in GESTATION_BANDS:
        part, part_plan = g[g["band"] == label], plan[plan["band"] == label]
        n = Count(key("waiting", "referral_to_assessment", "pre-birth", "all", label, "n"), len(part))
        n_plan = Count(key("waiting", "referral_to_plan", "pre-birth", "all", label, "n"), len(part_plan))
        r.hidden_count(n_plan.key, n_plan.value)
        bands["assess"].append(n), bands["plan"].append(n_plan)
        to_assess = km_summary(part["days"], part["observed"].astype(float))
        to_plan = km_summary(part_plan["plan_days"], part_plan["plan_observed"].astype(float))
        medians_by[label] = (to_assess, n)
        if n.value:
            r.indicator("days_referral_to_assessment_median", "all", median_measure(to_assess, n),
                        group=f"pre-birth, referred at {label}", unit="days", method=km_method(to_assess))
        records.append({"Weeks of pregnancy at referral": label, "Referrals": n,
                        "Median days to the start of an assessment (95% CI)": median_cell(to_assess, n),
                        "Median days to its authorisation (95% CI)": median_cell(to_plan, n_plan)})
    unknown = g["band"].isna()
    r.relate(total, [*bands["assess"], r.hidden_count(key("waiting", "referral_to_assessment", "pre-birth", "all",
                                                          "no expected date", "n"), int(unknown.sum()))],
             "pre-birth referrals' waits = the waits in each band of weeks of pregnancy + no expected date")
    r.relate(total_plan, [*bands["plan"], r.hidden_count(key("waiting", "referral_to_plan", "pre-birth", "all",
                                                             "no expected date", "n"),
                                                         int(plan["band"].isna().sum()))],
             "pre-birth referrals followed to authorisation = each band + no expected date")
    support_column = f"Offered support within {SUPPORT_DAYS[-1]} days (95% CI)"
    if ch.data.has("support"):
        for record, cell in zip(records, _gestation_support(r, ch)):
            record[support_column] = cell
    r.add("gestation_waits_table", ResultTable(
        frame_of(records), "Waits after a pre-birth referral, by weeks of pregnancy at referral (whole report period)",
        note="Weeks of pregnancy at referral = 40 minus the weeks from the referral to the expected date of birth. "
             "In the medians, waits still open when the data end count as 'at least this long'. The wait to authorisation runs from the referral to the authorisation of its assessment (the "
             "decision on a plan), whether or not the assessment has started. Referrals whose baby has no expected "
             "date of birth are left out. Ranges are 95% confidence intervals. 'Not reached': fewer than half the "
             "waits had ended."
             + (f" Support offered within {SUPPORT_DAYS[-1]} days is the share of the band's pre-birth referrals "
                "offered any support by then, counted as in the section on support (a referral closed without "
                "support, or followed by the child's next referral, stops being followed; not every referral leads "
                "to support, so this is a share, not a median wait)." if ch.data.has("support") else "")
             + f" c = fewer than {ch.min_count} referrals, or a figure that would let a small number be worked out.",
        download="waits-by-weeks-of-pregnancy"))
    (early, n_early), (late, n_late) = medians_by[GESTATION_BANDS[0][0]], medians_by[GESTATION_BANDS[-1][0]]
    if n_early.value and n_late.value and pd.notna(early["median"]) and pd.notna(late["median"]):
        r.finding("Babies referred at 30 weeks of pregnancy or later waited a median {late} days for an assessment "
                  "to start, against {early} days for babies referred before 20 weeks.",
                  "days_referral_to_assessment_median",
                  main=True, late=median_measure(late, n_late), early=median_measure(early, n_early))


def _gestation_support(r: ChapterResult, ch: Chapter) -> list:
    """Each band's share of pre-birth referrals offered support within the last of :data:`SUPPORT_DAYS` days
    (cumulative incidence, as the support section), on its counts: the band's referrals = offered + closed
    without support + no longer followed + still followed; the bands (and referrals with no expected date)
    add up to the pre-birth referrals the support section follows over the whole period."""
    g = gestation_support_waits(ch)
    day = SUPPORT_DAYS[-1]
    total = waits_count("referral_to_support", "pre-birth", "all", len(g))
    parts, cells = [], []
    for label, _, _ in GESTATION_BANDS:
        part = g[g["band"] == label]
        n = Count(key("waiting", "referral_to_support", "pre-birth", "all", label, "n"), len(part))
        r.hidden_count(n.key, n.value)
        parts.append(n)
        if not n.value:
            cells.append("none")
            continue
        row = survival.cumulative_incidence(part["days"], part["outcome"], (day,)).iloc[0]
        c = lambda what: key("waiting", "referral_to_support", "pre-birth", "all", label, what,  # noqa: E731
                             f"day {day}")
        offered = Count(c("offered"), int(row["events_of"]))
        followed = Count(c("followed"), int(row["followed"]))
        r.hidden_count(offered.key, offered.value), r.hidden_count(followed.key, followed.value)
        r.relate(n, [offered.key, r.hidden_count(c("closed"), int(row["competing"])),
                     r.hidden_count(c("censored"), int(row["censored"])), followed.key],
                 f"pre-birth referrals at {label} = offered support + closed without it + no longer followed + "
                 f"still followed, by day {day}")
        share = Measure(float(row["incidence"]), on=(offered, followed, n), lower=float(row["lower"]),
                        upper=float(row["upper"]), unit="proportion", digits=0, denominator=n)
        r.indicator(f"referral_to_support_within_{day}_days_share", "all", share,
                    group=f"pre-birth, referred at {label}", method=SUPPORT_METHOD)
        cells.append(share)
    r.relate(total, [*parts, r.hidden_count(key("waiting", "referral_to_support", "pre-birth", "all",
                                                     "no expected date", "n"), int(g["band"].isna().sum()))],
             "pre-birth referrals followed to support = each band of weeks of pregnancy + no expected date")
    return cells


# -- transfers between teams ------------------------------------------------------------------

def _transfers(r: ChapterResult, ch: Chapter) -> None:
    if not ch.data.has("transfers"):
        r.add("transfers_table", not_yet("how much time is lost when families move between teams.",
                                         ["the transfers table (each transfer between teams, with its date)"],
                                         "the date of each transfer of a child's case between teams, and the teams "
                                         "involved."))
        return
    t = transfer_waits(ch)
    lost = time_at_transfers(ch).set_index("group")
    years = [p for p in periods(ch) if p != "all"]
    records = []
    for group in GROUPS:
        g = t[t["group"] == group]
        counts = {}
        for period in periods(ch):
            part = g if period == "all" else g[g["financial_year"] == period]
            counts[period] = Count(key("waiting", "transfers", group, period), len(part))
            if len(part):
                result = km_summary(part["days"], part["observed"].astype(float))
                r.indicator("days_transfer_to_next_action_median", period, median_measure(result, counts[period]),
                            group=group, unit="days", method=km_method(result))
        r.relate_periods(counts["all"], [counts[p] for p in years], f"transfers ({group}) by year against the whole "
                                                                    "period")
        result = km_summary(g["days"], g["observed"].astype(float))
        row = lost.loc[group]
        with_transfer = Count(key("waiting", "referrals with a transfer before authorisation", group),
                              row["with_transfer"])
        share = row["transfer_days"] / row["total_days"] if row["total_days"] else np.nan
        share_cell = "none" if row["with_transfer"] == 0 else Measure(share, on=(with_transfer,), unit="proportion",
                                                                      digits=0)
        if group == "pre-birth" and row["with_transfer"]:
            r.glue["ch4_transfer_share_prebirth"] = share_cell if row["total_days"] else None
            r.finding("{share} of the time from pre-birth referral to an authorised assessment passed between a "
                      "transfer of teams and the next recorded action.", share=share_cell)
        records.append({"Children": LABELS[group], "Transfers": counts["all"],
                        "Median days to the next recorded action (95% CI)": median_cell(result, counts["all"]),
                        "Referrals with a transfer before authorisation": with_transfer,
                        "Share of the time from referral to authorisation spent after a transfer, before the next "
                        "action": share_cell})
    r.add("transfers_table", ResultTable(
        frame_of(records), "Time after transfers between teams",
        note="A recorded action is any dated entry about the child after the day of the transfer: a referral, "
             "an assessment starting or authorised, support offered or started, pre-proceedings, an "
             "application, a hearing or a care episode. A transfer with no later action yet counts as still "
             "waiting. The share adds up, over referrals whose assessment was authorised, the "
             "days between each transfer and the next action (stopping at the authorisation) and divides by "
             "all the days from referral to authorisation.", download="transfers"))
