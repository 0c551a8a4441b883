"""Chapter 8: Reflect and plan.

Four parts, as in the local planning the *Born into Care* research describes:

- the key findings of every chapter, republished from the results of chapters 0-7 (their
  ``findings``: sentences whose figures are cells, so the book's one disclosure decision
  covers them here as on their own pages; nothing is computed again here);
- a RAG (red, amber, green) self-assessment against statements of good practice, by the
  three stages (pre-birth; maternity setting and first hearing; after discharge) and two
  levels (strategic; practice). The starter statements below are this book's own words,
  not the Pre-birth Change Project's official tool. An area's own ``rag`` table rates
  them (matching ``statement_id``) and adds statements of its own; a table that uses none
  of the starter ids replaces the starter set. Statements, evidence and owners are text
  from the inputs (shown escaped); the ratings' tallies are counts of statements, not of people;
- baseline measures for evaluation: the other chapters' indicators (their cells) and, when
  the parameter ``previous_indicators`` names an earlier build's ``indicators.csv``, the
  change since (the earlier figures, suppressed again under this book's rules, shown as words);
- questions to take to practitioners and families.

:func:`compute` returns everything the chapter publishes as a
:class:`~prebirth.results.ChapterResult`. A chapter that has no result (not converted to
the results model, or failed) is named as such: its findings are on its own page.
"""

from __future__ import annotations

import csv
import dataclasses
from dataclasses import dataclass
import re
import textwrap

import numpy as np
import pandas as pd

from .. import charts, disclosure
from ..rag_statements import (CHANGE_PROJECT_URL, GUIDELINES_CITATION, GUIDELINES_URL, LEVELS, RATING_CHECKS,
                              STAGES, STARTER_STATEMENTS, Statement, check_note)
from ..results import ChapterResult, Chart, Count, Measure, Notice, Plain, ResultTable, Share, Text, frame_of
from ..stats.rounding import round_half_up
from ..formats import num, pct
from .common import Chapter, Prepared
from .requirements import QUESTIONS

NUMBER, KEY, TITLE = 8, "reflect_and_plan", "Reflect and plan"

RATING_NAMES = {"R": "Red", "A": "Amber", "G": "Green"}
RATING_SCORE = {"R": 0, "A": 1, "G": 2}
NOT_RATED = "not rated"
# Okabe-Ito colours for the ratings, with hatching so they read in greyscale too.
RATING_COLOURS = {"R": charts.OKABE_ITO["vermillion"], "A": charts.OKABE_ITO["orange"],
                  "G": charts.OKABE_ITO["green"], "": "#dddddd"}
RATING_HATCHES = {"R": "///", "A": "", "G": "...", "": ""}
COLLECTED_CHAPTERS = range(0, 8)  # chapter 8 is computed after chapters 0-7 (build.NOTEBOOKS after=)
CHAPTER_ZERO_TITLE = "About your data"
ENGLISH_REGIONS = ("North East", "North West", "Yorkshire and The Humber", "Yorkshire and the Humber",
                   "East Midlands", "West Midlands", "East of England", "London", "South East", "South West")
GSS_CODE = re.compile(r"^[EWSN]\d{8}$")



# Plain-English names of the indicators (DESIGN 7); an id not listed is shown as written.
INDICATOR_LABELS = {
    "proceedings_children": "Children in new care proceedings",
    "infants_share": "Babies under one as a share of children in proceedings",
    "newborns_share_of_infants": "Newborns as a share of babies under one in proceedings",
    "newborn_rate_per_10k_births": "Newborns in proceedings per 10,000 live births",
    "infant_rate_per_10k_births": "Babies under one in proceedings per 10,000 live births",
    "newborn_rate_trend_ratio": "Yearly change in the newborn rate (rate ratio)",
    "infant_rate_trend_ratio": "Yearly change in the infant rate (rate ratio)",
    "infant_starters_share": "Babies under one among children starting to be looked after",
    "newborns_subsequent_share": "Newborns in proceedings whose mother had earlier proceedings",
    "prebirth_assessments_previous_proceedings_share": "Pre-birth assessments where the mother had earlier proceedings",
    "months_previous_to_referral_median": "Months from earlier proceedings to the new referral (median)",
    "prebirth_assessment_to_proceedings_share": "Babies with a pre-birth assessment in care proceedings before "
                                                "their first birthday",
    "days_referral_to_assessment_median": "Days from referral to assessment (median)",
    "days_assessment_to_authorisation_median": "Days from assessment start to authorisation (median)",
    "days_referral_to_support_median": "Days from referral to support being offered (median)",
    "referral_to_support_within_28_days_share": "Referrals offered support within 28 days",
    "referral_to_support_within_90_days_share": "Referrals offered support within 90 days",
    "days_referral_to_assessment_median_difference": "Referral to assessment: pre-birth minus other (days, "
                                                     "difference in medians)",
    "days_assessment_to_authorisation_median_difference": "Assessment to authorisation: pre-birth minus other "
                                                          "(days, difference in medians)",
    "gestation_weeks_at_referral_median": "Weeks of pregnancy at referral (median)",
    "referred_by_20_weeks_share": "Pre-birth referrals made by 20 weeks of pregnancy",
    "hearing_same_day_share": "First hearings on the day of issue",
    "hearing_emergency_share": "First hearings at emergency notice",
    "hearing_within_7_days_share": "First hearings within seven days of issue",
    "mothers_under_20_share": "Mothers aged under 20 at the birth",
    "parents_care_experienced_share": "Parents who were in care themselves",
    "factor_mental_health_share": "Assessments noting parental mental health",
    "factor_domestic_abuse_share": "Assessments noting domestic abuse",
    "factor_substance_share": "Assessments noting drug or alcohol use",
    "factor_learning_disability_share": "Assessments noting a parent's learning disability",
    "fathers_recorded_share": "Pre-birth assessments with the father recorded",
    "fathers_assessed_share": "Fathers assessed",
    "fathers_in_plan_share": "Fathers included in the plan",
    "fathers_at_fgc_share": "Fathers at a family group conference",
    "fathers_invited_share": "Fathers invited to meetings",
    "fathers_offered_support_share": "Fathers offered support",
    "fathers_legal_advice_share": "Fathers offered legal advice",
    "fathers_assessed_trend_ratio": "Yearly change in the share of fathers assessed (odds ratio)",
    "mothers_recorded_share": "Pre-birth assessments with the mother recorded",
    "mothers_assessed_share": "Mothers assessed",
    "mothers_invited_share": "Mothers invited to meetings",
    "mothers_at_fgc_share": "Mothers at a family group conference",
    "mothers_in_plan_share": "Mothers included in the plan",
    "mothers_offered_support_share": "Mothers offered support",
    "mothers_legal_advice_share": "Mothers offered legal advice",
    "referred_by_12_weeks_share": "Pre-birth referrals made by 12 weeks of pregnancy",
    "referred_by_16_weeks_share": "Pre-birth referrals made by 16 weeks of pregnancy",
    "prebirth_assessments_authorised_before_due_share": "Pre-birth assessments authorised before the due date",
    "days_transfer_to_next_action_median": "Days from a transfer between teams to the next recorded step (median)",
    "days_referral_to_assessment_hazard_ratio": "Referral to assessment: pre-birth against other (hazard ratio)",
    "days_assessment_to_authorisation_hazard_ratio": "Assessment to authorisation: pre-birth against other "
                                                     "(hazard ratio)",
    "days_referral_to_support_hazard_ratio": "Referral to support: pre-birth against other (hazard ratio)",
    "hearing_same_day_trend_odds_ratio": "Yearly change in same-day first hearings (odds ratio)",
    "hearing_emergency_trend_odds_ratio": "Yearly change in emergency first hearings (odds ratio)",
    "hearing_within_7_days_trend_odds_ratio": "Yearly change in first hearings within seven days (odds ratio)",
    "newborn_age_days_at_first_hearing_median": "Newborns' age in days at the first hearing (median)",
    "newborn_rate_level_change": "Change in the newborn rate at a dated event (rate ratio)",
    "newborn_rate_slope_change": "Change in the newborn rate's yearly trend at a dated event",
    "infant_rate_level_change": "Change in the infant rate at a dated event (rate ratio)",
    "infant_rate_slope_change": "Change in the infant rate's yearly trend at a dated event",
    "infant_starters_route_share": "Legal route into care of babies under one starting to be looked after",
    "newborns_pre_proceedings_share": "Newborns in proceedings who had pre-proceedings first",
    "newborns_pre_proceedings_before_birth_share": "Newborns in proceedings whose pre-proceedings began before birth",
    "weeks_pre_proceedings_before_birth_median": "Weeks from the start of pre-proceedings to the birth (median)",
    "prebirth_referrals_assessed_share": "Babies referred before birth who had a pre-birth assessment",
    "prebirth_referrals_authorised_share": "Babies referred before birth whose assessment was authorised",
    "prebirth_referrals_proceedings_share": "Babies referred before birth in care proceedings before their first "
                                            "birthday",
    "newborns_first_order_share": "The first order made for newborns in care proceedings",
    "context_newborn_rate_correlation": "Correlation of the newborn rate with a local context measure",
    "regional_infant_starters_share": "Babies under one among children starting to be looked after, by region",
}



# -- what the other chapters published ----------------------------------------------

WITHHELD_FINDING = ("Withheld: a figure in this finding is too small to publish (its chapter shows what can be "
                    "shown).")
NOT_COLLECTED = "This chapter's findings are in its own page."


def chapter_titles() -> dict[int, str]:
    titles = {0: CHAPTER_ZERO_TITLE}
    titles.update({q.chapter: q.title for q in QUESTIONS})
    return titles


def collected(upstream: dict | None) -> dict[int, ChapterResult] | None:
    """The results of chapters 0-7 by number; None when there are none (the page run on its own)."""
    found = {n: r for n, r in (upstream or {}).items() if n in COLLECTED_CHAPTERS}
    return found or None


def _standalone_notice(what: str) -> Notice:
    return Notice(f"{what} appear here when the book is built with `prebirth build` (this page was run on its "
                  "own, so the other chapters' results were not collected).", kind="notyet",
                  title="Shown when the whole book is built")


def indicator_label(indicator: str) -> str:
    if not indicator:
        return ""
    return INDICATOR_LABELS.get(indicator, indicator.replace("_", " ").capitalize())


def not_yet_keys(results: dict[int, ChapterResult]) -> set[int]:
    """The chapters whose question the data cannot answer yet: chapter 0's status of each
    question, or the chapter's own status."""
    zero = results.get(0).status if 0 in results else {}
    out = {q.chapter for q in QUESTIONS if zero.get(q.key) == "not yet"}
    out |= {n for n, r in results.items() if r.status.get("answer") == "not yet"}
    return out


def as_said(finding) -> Text:
    """A chapter's finding as this page says it: the Text itself (its figures are the chapter's cells);
    when a figure is withheld, its own ``otherwise``, or that it is withheld."""
    text = finding.text
    if text.otherwise is not None:
        return text
    return Text(text.template, text.figures, WITHHELD_FINDING)


def findings_frame(results: dict[int, ChapterResult]) -> pd.DataFrame:
    """One row per key finding of chapters 0-7 (a chapter with none gets a row saying why)."""
    titles = chapter_titles()
    silent = not_yet_keys(results)
    rows = []
    for number in COLLECTED_CHAPTERS:
        title = f"{number}. {titles.get(number, '')}".rstrip(". ")
        result = results.get(number)
        if result is None:
            rows.append({"Chapter": title, "Key finding": NOT_COLLECTED, "Measure": ""})
            continue
        for finding in result.findings:
            rows.append({"Chapter": title, "Key finding": as_said(finding),
                         "Measure": indicator_label(finding.indicator)})
        if not result.findings:
            why = ("the data cannot answer this question yet (see chapter 0 for what to record)."
                   if number in silent else "this chapter recorded no key finding.")
            rows.append({"Chapter": title, "Key finding": f"No key finding: {why}", "Measure": ""})
    return frame_of(rows).reindex(columns=["Chapter", "Key finding", "Measure"])


def findings_said(results: dict[int, ChapterResult]):
    """How many findings the chapters say as themselves or their own ``otherwise`` (a finding whose
    figure is withheld and which has nothing else to say is not counted): known once disclosed."""
    from ..results import Tally

    every = [f for n in COLLECTED_CHAPTERS if n in results for f in results[n].findings]
    quiet = tuple(tuple(c for c in f.text.figures.values() if isinstance(c, (Count, Share, Measure)))
                  for f in every if f.text.otherwise is None)
    return Tally(quiet, of=len(every), noun=("key finding", "key findings"))


def _findings(r: ChapterResult, results) -> None:
    if results is None:
        r.glue["ch8_findings"] = "key findings (listed when the whole book is built)"
        r.add("findings", _standalone_notice("The key findings of every chapter"))
        return
    r.glue["ch8_findings"] = findings_said(results)
    r.add("findings", ResultTable(
        findings_frame(results), "Key findings of every chapter, as each chapter recorded them", download="findings",
        note="Each finding is repeated from its chapter, where its figures, tables and confidence intervals are "
             "shown. Numbers withheld to protect families are never used in a finding."))



# -- the self-assessment ------------------------------------------------------------

def _squash(text: str) -> str:
    return re.sub(r"[^a-z]", "", str(text).lower())


def normalise_stage(text: str) -> str:
    """The guidelines' stage a label names ('pre birth', 'After Discharge'...); others stay as written."""
    key = _squash(text)
    if key in ("prebirth", "beforebirth", "antenatal", "duringpregnancy"):
        return STAGES[0]
    if "maternity" in key or "firsthearing" in key or key in ("atbirth", "birth"):
        return STAGES[1]
    if "discharge" in key or key in ("afterbirth", "postbirth"):
        return STAGES[2]
    return str(text).strip()


def normalise_level(text: str) -> str:
    key = _squash(text)
    if key.startswith("strateg"):
        return LEVELS[0]
    if key.startswith("practi"):
        return LEVELS[1]
    return str(text).strip()


def _order(values, known) -> list[str]:
    present = list(dict.fromkeys(values))
    return [k for k in known if k in present] + sorted(v for v in present if v not in known)


def rag_ratings(ch: Chapter) -> pd.DataFrame:
    """Every rating of every round in the area's ``rag`` table (empty when none), labels normalised."""
    columns = ["round_date", "statement_id", "stage", "level", "statement", "rating", "evidence", "owner",
               "next_review"]
    table = ch.data.get("rag")
    if table is None or table.empty:
        return pd.DataFrame(columns=columns)
    out = table[columns].copy()
    out["stage"] = out["stage"].map(normalise_stage)
    out["level"] = out["level"].map(normalise_level)
    out["rating"] = out["rating"].fillna("").astype(str).str.strip().str.upper()
    out["round_date"] = pd.to_datetime(out["round_date"])
    return out.sort_values(["round_date", "statement_id"]).reset_index(drop=True)


def statements_in_use(ch: Chapter) -> pd.DataFrame:
    """The statements this book asks the area to rate, with where each comes from."""
    starter = pd.DataFrame([{"statement_id": s.statement_id, "stage": s.stage, "level": s.level,
                             "statement": s.text, "origin": "starter"} for s in STARTER_STATEMENTS])
    ratings = rag_ratings(ch)
    if ratings.empty:
        frame = starter
    else:
        own = ratings.drop_duplicates("statement_id", keep="last")[["statement_id", "stage", "level", "statement"]]
        own = own.assign(origin="own")
        if set(own["statement_id"]) & set(starter["statement_id"]):
            frame = pd.concat([own, starter[~starter["statement_id"].isin(own["statement_id"])]], ignore_index=True)
        else:
            frame = own
    stages, levels = _order(frame["stage"], STAGES), _order(frame["level"], LEVELS)
    frame = frame.assign(_s=frame["stage"].map(stages.index), _l=frame["level"].map(levels.index))
    return frame.sort_values(["_s", "_l", "statement_id"]).drop(columns=["_s", "_l"]).reset_index(drop=True)


def rounds(ch: Chapter) -> list[pd.Timestamp]:
    return sorted(rag_ratings(ch)["round_date"].dropna().unique())


def _round_label(date) -> str:
    return pd.Timestamp(date).strftime("%B %Y")


def round_ratings(ch: Chapter, date) -> pd.Series:
    """statement_id -> rating ('R', 'A', 'G' or '' when not rated) in one round."""
    ratings = rag_ratings(ch)
    chosen = ratings[ratings["round_date"] == date]
    return chosen.set_index("statement_id")["rating"]


def ratings_of(statement_ids: pd.Series, ratings: pd.Series) -> pd.Series:
    """Each statement's rating in one round ('' where it was not rated)."""
    lookup = {k: (v or "") for k, v in ratings.items()}
    return statement_ids.map(lambda s: lookup.get(s, "")).astype(object)



def rag_intro(ch: Chapter) -> Notice:
    """Which statements are in use, how many rounds have been rated, and the rule that decides it."""
    used = statements_in_use(ch)
    dates = rounds(ch)
    starter = int((used["origin"] == "starter").sum())
    if not dates:
        return Notice(f"No self-assessment ratings were supplied yet, so the {len(used)} starter statements below are "
                      "shown unrated. Rate them at a workshop, record the ratings in a `rag` table (the worksheet "
                      "below can be downloaded in that format) and they will appear here, with the change from one "
                      "round to the next.")
    parts = [f"{len(dates)} round{'s' if len(dates) != 1 else ''} of ratings "
             f"{'were' if len(dates) != 1 else 'was'} supplied, the latest in {_round_label(dates[-1])}."]
    starter_ids = {s.statement_id for s in STARTER_STATEMENTS}
    own_ids = set(used.loc[used["origin"] == "own", "statement_id"])
    matched, extra = own_ids & starter_ids, own_ids - starter_ids
    if not matched:
        parts.append(f"Your own {len(own_ids)} statements replace the book's starter set.")
    else:
        parts.append(f"Your table rates {len(matched)} of the book's starter statements"
                     + (f" and {len(extra)} statement{'s' if len(extra) != 1 else ''} of your own" if extra else "")
                     + " (matched by statement id; your wording is used).")
        if starter:
            parts.append(f"The {starter} starter statement{'s' if starter != 1 else ''} your table does not use "
                         f"{'are' if starter != 1 else 'is'} listed as not rated.")
    return Notice(" ".join(parts))


def heatmap_data(ch: Chapter) -> pd.DataFrame:
    """Stage x level counts of the latest round's ratings (counts of statements). No average: one red
    and two greens are one red and two greens, never 'amber'."""
    used = statements_in_use(ch)
    dates = rounds(ch)
    latest = round_ratings(ch, dates[-1]) if dates else pd.Series(dtype=object)
    rated = used.assign(rating=ratings_of(used["statement_id"], latest))
    rows = []
    for stage in _order(rated["stage"], STAGES):
        for level in _order(rated["level"], LEVELS):
            cell = rated[(rated["stage"] == stage) & (rated["level"] == level)]
            counts = {k: int((cell["rating"] == k).sum()) for k in RATING_NAMES}
            rows.append({"Stage": stage, "Level": level, "Statements": len(cell), "Red": counts["R"],
                         "Amber": counts["A"], "Green": counts["G"], "Not rated": len(cell) - sum(counts.values())})
    return pd.DataFrame(rows)


def _cell_text(row) -> str:
    if not row["Statements"] or row["Not rated"] == row["Statements"]:
        lines = ["Not rated yet"]
    else:
        lines = [f"R {row['Red']:.0f} · A {row['Amber']:.0f} · G {row['Green']:.0f}"]
    if row["Not rated"] and row["Not rated"] != row["Statements"]:
        lines.append(f"not rated: {row['Not rated']:.0f}")
    return "\n".join(lines)


def draw_heatmap(data: pd.DataFrame):
    """Stages down, levels across; each cell split into red, amber, green (and grey for not rated) in
    proportion to its counts of statements, with the counts in words."""
    import matplotlib.patches as patches

    stages, levels = list(dict.fromkeys(data["Stage"])), list(dict.fromkeys(data["Level"]))
    fig, ax = charts.new(8, 1.4 * len(stages) + 1.0)
    for _, row in data.iterrows():
        x, y = levels.index(row["Level"]), len(stages) - 1 - stages.index(row["Stage"])
        total, left = float(row["Statements"]) or 1.0, float(x)
        for rating, column in (("R", "Red"), ("A", "Amber"), ("G", "Green"), ("", "Not rated")):
            width = float(row[column]) / total if row["Statements"] else (1.0 if rating == "" else 0.0)
            if width:
                ax.add_patch(patches.Rectangle((left, y), width, 1, facecolor=RATING_COLOURS[rating],
                                               hatch=RATING_HATCHES[rating], edgecolor="white", linewidth=1))
                left += width
        ax.add_patch(patches.Rectangle((x, y), 1, 1, fill=False, edgecolor="white", linewidth=3))
        ax.text(x + 0.5, y + 0.5, _cell_text(row), ha="center", va="center", fontsize=13, color="black",
                bbox=dict(boxstyle="round,pad=0.35", facecolor="white", edgecolor="black", linewidth=0.8))
    ax.set_xlim(0, len(levels))
    ax.set_ylim(0, len(stages))
    ax.set_xticks([i + 0.5 for i in range(len(levels))])
    ax.set_xticklabels(levels, fontsize=13)
    ax.xaxis.tick_top()
    ax.set_yticks([len(stages) - 1 - i + 0.5 for i in range(len(stages))])
    ax.set_yticklabels([_wrap(s, 18) for s in stages], fontsize=13)
    ax.grid(False)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(length=0)
    fig.tight_layout()
    return fig


def rag_heatmap(ch: Chapter) -> Chart | Notice:
    """Heat map of the latest round: stages down, levels across, each cell its counts of red, amber and green."""
    dates = rounds(ch)
    if not dates:
        return Notice("The heat map of ratings appears once a round of ratings is recorded in the `rag` table.",
                      kind="notyet", title="No ratings yet")
    data = heatmap_data(ch)
    label = _round_label(dates[-1])
    figures, cells = {}, []
    for i, (_, r) in enumerate(data.iterrows()):
        figures[f"s{i}"], figures[f"l{i}"] = Plain(r["Stage"]), Plain(r["Level"].lower())
        cells.append(f"{{s{i}}}, {{l{i}}}: {r['Red']} red, {r['Amber']} amber, {r['Green']} green"
                     + (f", {r['Not rated']} not rated" if r["Not rated"] else ""))
    alt = Text(f"Heat map of the self-assessment ratings in {label}, with the three stages as rows and the two levels "
               f"as columns. Each cell is split into red, amber and green in proportion to how many statements were "
               f"rated each, and gives the counts. {'; '.join(cells)}.", figures)
    table = data.astype(object)
    table["Stage"], table["Level"] = table["Stage"].map(Plain), table["Level"].map(Plain)
    return Chart(draw_heatmap, table, f"Self-assessment ratings in {label}, by stage and level", alt,
                 download="rag-heatmap",
                 note="Each cell is split into red, amber and green in proportion to its counts of statements (grey: "
                      "not rated); ratings are counted, never averaged, so one red among greens stays visible. Red is "
                      "also hatched with diagonal lines and green with dots, and every cell gives its counts in words, "
                      "so the chart reads without colour.")


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def rounds_data(ch: Chapter) -> pd.DataFrame:
    used = statements_in_use(ch)
    rows = []
    for date in rounds(ch):
        ratings = ratings_of(used["statement_id"], round_ratings(ch, date))
        counts = {RATING_NAMES[k]: int((ratings == k).sum()) for k in RATING_NAMES}
        rows.append({"Round": _round_label(date), **counts, "Not rated": int(len(used) - sum(counts.values()))})
    return pd.DataFrame(rows, columns=["Round", "Red", "Amber", "Green", "Not rated"])


def draw_rounds(data: pd.DataFrame):
    """Stacked bars: how many statements were rated red, amber and green in each round."""
    from matplotlib.ticker import MaxNLocator

    fig, ax = charts.new(8, 0.8 * len(data) + 1.6)
    y = np.arange(len(data))[::-1]
    left = np.zeros(len(data))
    for key, name in RATING_NAMES.items():
        values = data[name].to_numpy(float)
        ax.barh(y, values, left=left, color=RATING_COLOURS[key], hatch=RATING_HATCHES[key], edgecolor="black",
                label=name, height=0.6)
        for yi, value, start in zip(y, values, left):
            if value:
                ax.text(start + value / 2, yi, f"{key} {int(value)}", ha="center", va="center", fontsize=10,
                        bbox=dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor="none"))
        left += values
    ax.set_yticks(y)
    ax.set_yticklabels(data["Round"])
    ax.set_xlabel("Number of statements")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(frameon=False, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.35 if len(data) < 3 else -0.2))
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig


def rag_rounds_chart(ch: Chapter) -> Chart | Notice:
    """How many statements were rated red, amber and green in each round."""
    data = rounds_data(ch)
    if data.empty:
        return Notice("The ratings of each round will show here once they are recorded in the `rag` table.")
    alt = ("Stacked bar chart of the number of statements rated red, amber and green in each round: "
           + "; ".join(f"{r['Round']}: {r['Red']} red, {r['Amber']} amber, {r['Green']} green"
                       + (f", {r['Not rated']} not rated" if r["Not rated"] else "") for _, r in data.iterrows()) + ".")
    return Chart(draw_rounds, data.astype(object), "Ratings in each round of the self-assessment", alt,
                 download="rag-rounds")


def _rating_word(rating) -> str:
    return RATING_NAMES.get(rating, NOT_RATED) if isinstance(rating, str) else NOT_RATED


def change_between_rounds(before: str, after: str) -> str:
    """Better / Worse / No change between two ratings; '' means not rated."""
    if after not in RATING_SCORE:
        return "Not rated this round"
    if before not in RATING_SCORE:
        return "Newly rated"
    difference = RATING_SCORE[after] - RATING_SCORE[before]
    return "Better" if difference > 0 else "Worse" if difference < 0 else "No change"


def _plain(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """The frame with the columns of input text as Plain cells (escaped wherever shown)."""
    out = frame.reset_index(drop=True).astype(object)
    for column in columns:
        out[column] = [Plain("" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
                       for v in out[column]]
    return out


def rag_change_table(ch: Chapter) -> ResultTable | Notice:
    """Each statement's rating in the previous and the latest round, and the change."""
    dates = rounds(ch)
    if len(dates) < 2:
        if dates:
            return Notice(f"Only one round has been rated so far ({_round_label(dates[-1])}); the change will show "
                          "here after the next round.")
        return Notice("The change in each rating will show here after two rounds of ratings.")
    used = statements_in_use(ch)
    before, after = round_ratings(ch, dates[-2]), round_ratings(ch, dates[-1])
    b = ratings_of(used["statement_id"], before)
    a = ratings_of(used["statement_id"], after)
    frame = pd.DataFrame({"Stage": used["stage"], "Level": used["level"], "Statement": used["statement"],
                          _round_label(dates[-2]): b.map(_rating_word), _round_label(dates[-1]): a.map(_rating_word),
                          "Change": [change_between_rounds(x, y) for x, y in zip(b, a)]})
    better, worse = int((frame["Change"] == "Better").sum()), int((frame["Change"] == "Worse").sum())
    changed = frame[frame["Change"] != "No change"]
    same = len(frame) - len(changed)
    note = (f"{better} statement{'s' if better != 1 else ''} rated better and {worse} worse than in the round before; "
            f"{same} unchanged statement{'s are' if same != 1 else ' is'} left out here (the download lists every "
            "statement).")
    if changed.empty:
        return Notice(f"No rating changed between {_round_label(dates[-2])} and {_round_label(dates[-1])}.")
    text = ("Stage", "Level", "Statement")
    return ResultTable(_plain(changed, text), f"Ratings that changed from {_round_label(dates[-2])} to "
                       f"{_round_label(dates[-1])}", note=note, download="rag-change",
                       download_frame=_plain(frame, text))


def rag_priorities(ch: Chapter) -> ResultTable | Notice:
    """Statements rated red or amber in the latest round, with their owner and next review: where to start."""
    dates = rounds(ch)
    if not dates:
        return Notice("Once statements are rated, those rated red or amber are listed here with their owner and "
                      "the date to review them.")
    ratings = rag_ratings(ch)
    latest = ratings[(ratings["round_date"] == dates[-1]) & ratings["rating"].isin(["R", "A"])].copy()
    if latest.empty:
        return Notice(f"Every statement rated in {_round_label(dates[-1])} was green.", kind="ok")
    latest["_r"] = latest["rating"].map(RATING_SCORE)
    latest = latest.sort_values(["_r", "statement_id"])
    frame = pd.DataFrame({
        "Rating": latest["rating"].map(RATING_NAMES), "Stage": latest["stage"], "Level": latest["level"],
        "Statement": latest["statement"], "Evidence": latest["evidence"].fillna(""),
        "Owner": latest["owner"].fillna("not agreed yet"),
        "Next review": [d.strftime("%B %Y") if pd.notna(d) else "not set" for d in pd.to_datetime(latest["next_review"])],
    })
    return ResultTable(_plain(frame, ("Stage", "Level", "Statement", "Evidence", "Owner")),
                       f"Statements rated red or amber in {_round_label(dates[-1])}: where to start",
                       note="Red first. The owner is the role that agreed to lead the change, as recorded in the rag "
                            "table.", download="rag-priorities")


def rag_worksheet(ch: Chapter) -> ResultTable:
    """The statements in the format of the ``rag`` table, ready to rate at the next workshop."""
    used = statements_in_use(ch)
    dates = rounds(ch)
    latest = round_ratings(ch, dates[-1]) if dates else pd.Series(dtype=object)
    shown = pd.DataFrame({"Id": used["statement_id"], "Stage": used["stage"], "Level": used["level"],
                          "Statement": used["statement"],
                          "Latest rating": ratings_of(used["statement_id"], latest).map(_rating_word),
                          "From": used["origin"].map({"own": "your table", "starter": "starter set"})})
    blank = pd.DataFrame({"round_date": "", "statement_id": used["statement_id"], "stage": used["stage"],
                          "level": used["level"], "statement": used["statement"], "rating": "", "evidence": "",
                          "owner": "", "next_review": ""})
    return ResultTable(_plain(shown, ("Id", "Stage", "Level", "Statement")),
                       "The statements to rate: a worksheet for the next round",
                       note="The download has the columns of the rag table: fill in round_date, rating (R, A or G), "
                            "evidence, owner (a role, not a person's name: the book publishes it) and next_review, and "
                            "add the rows to your data. Edit the statements or add your own with new ids.",
                       download="rag-worksheet",
                       download_frame=_plain(blank, ("statement_id", "stage", "level", "statement")))



# -- ratings counted, and checked against the book's own figures -----------------------------

def rating_counts(ch: Chapter) -> dict[str, int]:
    """How many statements the latest round rated Red, Amber and Green, and how many it did not rate
    (counts of statements, not of people; never an average)."""
    used = statements_in_use(ch)
    dates = rounds(ch)
    latest = ratings_of(used["statement_id"], round_ratings(ch, dates[-1]) if dates else pd.Series(dtype=object))
    counts = {RATING_NAMES[k]: int((latest == k).sum()) for k in RATING_NAMES}
    counts["Not rated"] = int(len(used) - sum(counts.values()))
    return counts


def rag_counts(ch: Chapter) -> Notice | None:
    """The latest round's ratings as counts of Red, Amber and Green: one red among greens stays one red."""
    dates = rounds(ch)
    if not dates:
        return None
    c = rating_counts(ch)
    total = sum(c.values())
    not_rated = f", and {c['Not rated']} not rated" if c["Not rated"] else ""
    return Notice(f"**In {_round_label(dates[-1])}, of {total} statements: {c['Red']} Red, {c['Amber']} Amber and "
                  f"{c['Green']} Green{not_rated}.** The ratings are counted, never averaged: a mix of red and green "
                  "is not the same as amber.", kind="note", title="Ratings in the latest round")


def indicator_cell(results, indicator: str, group: str = ""):
    """The cell of one of the book's indicators for the whole period ("all"), or None when the book holds none."""
    for number in sorted(results or {}):
        for row in results[number].indicators:
            if row.indicator == indicator and (row.group or "") == group and row.period == "all":
                return row.cell
    return None


CHECK_WITHHELD = "The figure that would check this rating is withheld to protect families."


def check_rows(ch: Chapter, results) -> list[dict]:
    """Each rating the book's figures bear on (:data:`~prebirth.rag_statements.RATING_CHECKS`), the figure
    beside it (a cell) and a note where they disagree."""
    used = statements_in_use(ch)
    dates = rounds(ch)
    latest = dict(zip(used["statement_id"], ratings_of(used["statement_id"], round_ratings(ch, dates[-1])
                                                          if dates else pd.Series(dtype=object))))
    texts = dict(zip(used["statement_id"], used["statement"]))
    rows = []
    for check in RATING_CHECKS:
        cell = indicator_cell(results, check.indicator, check.group)
        if check.statement_id not in texts or not isinstance(cell, Share) or cell.denominator.value == 0:
            continue
        rating = latest.get(check.statement_id, "")
        figure = check.says
        shows = Text(figure[0].upper() + figure[1:] + f" (chapter {check.chapter}).", {"v": cell}, CHECK_WITHHELD)
        kind = check_note(rating, cell.value, check)
        if kind == "green":
            note = ("Worth a second look: rated Green, while " + figure + ". What evidence supports Green, and does "
                    "it cover the babies these figures count?")
        elif kind == "red":
            note = ("Rated Red, while " + figure + ": is the rating about something these figures do not show? "
                    "Note the evidence either way.")
        elif not rating:
            note = "Not rated yet: " + figure + "."
        else:
            note = "The figure does not contradict the rating."
        rows.append({"Id": Plain(check.statement_id), "Statement": Plain(texts[check.statement_id]),
                     "Rating": _rating_word(rating), "What the book shows": shows,
                     "Check": Text(note, {"v": cell}, CHECK_WITHHELD),
                     "Second look?": Text("Yes" if kind else "No", {"v": cell}, "not known"), "_kind": kind})
    return rows


def rag_checks(ch: Chapter, results) -> ResultTable | Notice:
    """The ratings beside the book's own figures where it holds them, with a note where they disagree."""
    if results is None:
        return _standalone_notice("The ratings checked against the book's figures")
    rows = check_rows(ch, results)
    if not rows:
        return Notice("None of the statements in use is one the book's figures bear on, so no rating is checked "
                      "against the data here.")
    flagged = sum(r["_kind"] != "" for r in rows)
    frame = frame_of([{k: v for k, v in r.items() if k != "_kind"} for r in rows])
    return ResultTable(frame, "Ratings beside the book's own figures", download="rag-checks",
                       note=f"{flagged} of {len(rows)} rating{'s' if len(rows) != 1 else ''} checked here "
                            f"{'are' if flagged != 1 else 'is'} worth a second look. A note asks a question; it "
                            "does not change the rating. This book's rule of thumb: a Green is questioned when fewer "
                            "than 3 in 4 babies had what the statement describes (for short-notice hearings, when "
                            "more than 1 in 10 newborns had a same-day hearing or more than half were heard within "
                            "7 days), and a Red when the figure is far better than that. Figures are for the whole "
                            "period, from the chapter named.")


WORKSHOP_DECK = "../workshop/workshop.html"
WORKSHEET_XLSX = "../workshop/rag-worksheet.xlsx"
WORKSHEET_PRINT = "../workshop/rag-worksheet.html"


def workshop_kit() -> Notice:
    """Links to the workshop deck, the worksheet (spreadsheet and print view), and the Pre-birth Change
    Project's own tool and guidelines (links only: nothing is fetched when the book is built)."""
    return Notice(
        f'- <a href="{WORKSHOP_DECK}">The workshop slides</a>: the main points of every chapter, one chart a slide, '
        "and the discussion prompts, with speaker notes (press N for the notes view; print for handouts with "
        "notes).\n"
        f'- <a href="{WORKSHEET_XLSX}" download>The rating worksheet as a spreadsheet</a> (.xlsx, with drop-down '
        f'lists for the rating) and <a href="{WORKSHEET_PRINT}">as a page to print</a>.\n'
        f"- The Pre-birth Change Project's own [self-assessment tool and resources]({CHANGE_PROJECT_URL}), and the "
        f"[best practice guidelines]({GUIDELINES_URL}) the statements follow: {GUIDELINES_CITATION}",
        kind="note", title="For the workshop")


# -- baseline measures and the change since an earlier build --------------------------

def _is_comparator(row, names: set[str]) -> bool:
    group = str(row.get("group") or "")
    method = str(row.get("method") or "")
    return bool(GSS_CODE.match(group)) or group in names or method.startswith("published benchmark")


def comparator_names(ch: Chapter) -> set[str]:
    names = {"England", "Wales", *ENGLISH_REGIONS}
    tidy = ch.benchmarks.tidy
    for column in ("region_name", "area_name"):
        if column in tidy:
            names |= {str(v) for v in tidy[column].dropna().unique()}
    names.discard(ch.params.area_name)
    return names


def _numbers(cell) -> tuple[float, float, float]:
    if isinstance(cell, Count):
        return float(cell.value), np.nan, np.nan
    if isinstance(cell, (Share, Measure)):
        if isinstance(cell, Share) and cell.denominator.value == 0:
            return np.nan, np.nan, np.nan
        return cell.value, cell.lower, cell.upper
    return np.nan, np.nan, np.nan


def current_indicators(ch: Chapter, results: dict[int, ChapterResult] | None) -> pd.DataFrame | None:
    """This book's indicators for the area itself (comparators' published figures left out): each row
    keeps its cell, so it is shown as the book's one decision says."""
    if results is None:
        return None
    rows = []
    for number in sorted(results):
        for row in results[number].indicators:
            value, lower, upper = _numbers(row.cell)
            rows.append({"chapter": number, "indicator": row.indicator, "period": row.period,
                         "group": row.group or "", "unit": row.unit, "method": row.method, "cell": row.cell,
                         "value": value, "lower": lower, "upper": upper})
    columns = ["chapter", "indicator", "period", "group", "unit", "method", "cell", "value", "lower", "upper"]
    frame = pd.DataFrame(rows, columns=columns)
    if frame.empty:
        return frame
    names = comparator_names(ch)
    keep = [not _is_comparator(r, names) for r in frame.to_dict("records")]
    return frame[keep].reset_index(drop=True)


def _truthy(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "y")
    return bool(value) if value is not None and not (isinstance(value, float) and np.isnan(value)) else False


def _is_year(period: str) -> bool:
    return bool(re.match(r"^\d{4}/\d{2}$", str(period)))


def _one(unit: str, v) -> str:
    if unit == "proportion":
        return pct(v)
    if unit == "count":
        return f"{int(round(float(v))):,}" if float(v).is_integer() else num(v, 1)
    if "ratio" in unit or unit == "correlation":
        return num(v, 2)
    if unit in ("days", "weeks", "months"):
        return num(v, 0)
    return num(v, 1)


def format_value(unit: str, value, lower=None, upper=None, suppressed: bool = False) -> str:
    """A published value in words, with its 95% interval when there is one (the earlier book's
    figures, which are words here: they are not this book's counts)."""
    if suppressed:
        return "c"
    if value is None or pd.isna(value):
        return "not available"
    unit = str(unit or "")
    text = _one(unit, value)
    if unit in ("days", "weeks", "months"):
        text += f" {unit}"
    if lower is not None and upper is not None and pd.notna(lower) and pd.notna(upper):
        text += f" ({_one(unit, lower)} to {_one(unit, upper)})"
    return text


def _display_measure(cell, unit: str) -> Measure:
    """The cell as a measure formatted as :func:`format_value` formats its unit (same counts
    behind it, so withheld exactly when the cell is)."""
    if isinstance(cell, Measure):
        on, numerator, denominator = cell.on, cell.numerator, cell.denominator
    elif isinstance(cell, Share):
        on, numerator, denominator = (cell.numerator, cell.denominator), cell.numerator, cell.denominator
    else:
        on, numerator, denominator = (cell,), cell, None
    value, lower, upper = _numbers(cell)
    if unit == "proportion":
        shown, digits = "proportion", 0
    elif unit == "count":
        shown, digits = "number", 0 if float(value).is_integer() else 1
    elif "ratio" in unit or unit == "correlation":
        shown, digits = "number", 2
    elif unit in ("days", "weeks", "months"):
        shown, digits = "number", 0
    else:
        shown, digits = "number", 1
    return Measure(value, on=on, lower=lower, upper=upper, unit=shown, digits=digits, numerator=numerator,
                   denominator=denominator)


def value_text(cell, unit: str, prefix: str = "") -> Text:
    """This book's value of an indicator in words, from its cell (``c`` when the book withholds it)."""
    value, lower, upper = _numbers(cell)
    if pd.isna(value):
        return Text(prefix + "not available", {"v": cell}, prefix + "c")
    if isinstance(cell, Count):
        return Text(prefix + "{v}", {"v": cell}, prefix + "c")
    unit = str(unit or "")
    m = _display_measure(cell, unit)
    if unit == "count" and not pd.isna(lower):  # a count's interval keeps the value's digits
        m = dataclasses.replace(m, digits=0 if float(value).is_integer() else 1)
    template = prefix + "{v}" + (f" {unit}" if unit in ("days", "weeks", "months") else "")
    if pd.notna(lower) and pd.notna(upper):
        template += " ({v:interval})"
    return Text(template, {"v": m}, prefix + "c")


def _latest_year(rows: pd.DataFrame) -> pd.Series | None:
    years = rows[rows["period"].map(_is_year)]
    if years.empty:
        return None
    return years.sort_values("period").iloc[-1]


def _whole(rows: pd.DataFrame):
    whole = rows[rows["period"] == "all"]
    return whole.iloc[-1] if len(whole) else None


def baseline_frame(ch: Chapter, results) -> pd.DataFrame | None:
    """One row per measure (and group): the latest year and the whole period."""
    current = current_indicators(ch, results)
    if current is None:
        return None
    rows = []
    for (indicator, group), rows_of in current.groupby(["indicator", "group"], sort=False):
        latest = _latest_year(rows_of)
        whole = _whole(rows_of)
        rows.append({
            "Chapter": int(rows_of["chapter"].iloc[0]),
            "Measure": indicator_label(indicator),
            "Group": Plain(group),
            "Latest year": latest["period"] if latest is not None else "",
            "Value in the latest year": value_text(latest["cell"], latest["unit"]) if latest is not None else "",
            "Whole period": value_text(whole["cell"], whole["unit"]) if whole is not None else "",
            "Indicator id": indicator,
        })
    return frame_of(rows).reindex(columns=["Chapter", "Measure", "Group", "Latest year", "Value in the latest year",
                                           "Whole period", "Indicator id"])


def _baseline(r: ChapterResult, ch: Chapter, results) -> None:
    """This book's measures: the baseline against which change will be evaluated."""
    frame = baseline_frame(ch, results)
    if frame is None:
        r.glue["ch8_measures"] = "its measures (listed when the whole book is built)"
        r.add("baseline", _standalone_notice("The baseline measures"))
        return
    r.glue["ch8_measures"] = f"{len(frame):,} measure{'s' if len(frame) != 1 else ''}"
    if frame.empty:
        r.add("baseline", Notice("No chapter could record a measure from the data supplied yet: the baseline starts "
                                 "when the data can answer the book's questions (see chapter 0).", kind="notyet",
                                 title="No baseline measures yet"))
        return
    r.add("baseline", ResultTable(
        frame.drop(columns=["Indicator id"]), "Baseline measures for evaluation: this book's indicators for the area",
        note="Ranges are 95% confidence intervals; c = withheld to protect families. Every year of every "
             "measure is in indicators.csv, which the build writes beside the book (the download "
             "gives each measure's id there); keep it, and name it as previous_indicators in the "
             "parameters file of the next build to see the change.", download="baseline", download_frame=frame,
        analyst=True))  # every measure, model ratios and internal codes among them: for analysts, in a fold


# -- the baseline: a few measures to follow, in plain words -------------------------------------

@dataclass(frozen=True)
class BaselineMeasure:
    """One measure of the curated baseline: a row of ``indicators.csv`` in plain words."""

    indicator: str
    name: str
    definition: str
    owner: str  # a role that could own it (the workshop agrees who does)
    group: str = ""


BASELINE_MEASURES: tuple[BaselineMeasure, ...] = (
    BaselineMeasure("newborn_rate_per_10k_births", "Newborns in care proceedings",
                    "Babies in new care proceedings aged under {newborn_days} days, per 10,000 babies born in the area.",
                    "Head of children's services"),
    BaselineMeasure("infants_share", "Babies under one among children in proceedings",
                    "Of all children in new care proceedings, the share who were under one year old.",
                    "Head of children's services"),
    BaselineMeasure("newborns_subsequent_share", "Newborns whose mother had been to court before",
                    "Of newborns in care proceedings, the share whose mother had earlier proceedings about an older "
                    "child.", "Lead for services for parents after proceedings"),
    BaselineMeasure("referred_by_20_weeks_share", "Referred by 20 weeks of pregnancy",
                    "Of babies referred before birth, the share referred by 20 weeks of pregnancy.",
                    "Designated safeguarding midwife"),
    BaselineMeasure("days_referral_to_assessment_median", "Days from referral to assessment",
                    "For babies referred before birth, the middle wait (median) from referral to the start of an "
                    "assessment.", "Pre-birth team manager", group="pre-birth"),
    BaselineMeasure("prebirth_assessments_authorised_before_due_share", "Assessment finished before the due date",
                    "Of pre-birth assessments, the share authorised before the baby was due.",
                    "Pre-birth team manager"),
    BaselineMeasure("referral_to_support_within_90_days_share", "Support offered within 90 days",
                    "Of referrals before birth, the share where support was offered within 90 days.",
                    "Early help lead", group="pre-birth"),
    BaselineMeasure("hearing_same_day_share", "Same-day first hearings for newborns",
                    "Of newborns in care proceedings, the share whose first hearing was on the day the application "
                    "was made.", "Local family justice board", group="newborns"),
    BaselineMeasure("hearing_within_7_days_share", "First hearings within 7 days for newborns",
                    "Of newborns in care proceedings, the share whose first hearing was within 7 days of the "
                    "application (short notice for parents).", "Local family justice board", group="newborns"),
    BaselineMeasure("fathers_invited_share", "Fathers invited",
                    "Of babies with a pre-birth assessment, the share whose father was invited to meetings.",
                    "Principal social worker"),
    BaselineMeasure("fathers_in_plan_share", "Fathers in the plan",
                    "Of babies with a pre-birth assessment, the share whose father was included in the plan.",
                    "Principal social worker"),
    BaselineMeasure("parents_care_experienced_share", "Parents who were in care themselves",
                    "Of parents in pre-birth assessments (where recorded), the share who were in care as children.",
                    "Lead for care leavers"),
)
"""The curated baseline: a few measures an area can follow from one book to the next, each a row of
``indicators.csv`` (the full file keeps every measure, with model coefficients and codes)."""


def review_date(ch: Chapter) -> str:
    """When to look at the baseline again: a year after the period the data end."""
    end = pd.Timestamp(ch.params.period.end)
    return (end + pd.DateOffset(years=1)).strftime("%B %Y")


def baseline_core_frame(ch: Chapter, results) -> pd.DataFrame | None:
    """The curated baseline: each measure's plain name, definition, latest year and whole period (cells),
    owner and review date. A measure the book does not hold is left out."""
    current = current_indicators(ch, results)
    if current is None:
        return None
    rows, review = [], review_date(ch)
    for m in BASELINE_MEASURES:
        found = current[(current["indicator"] == m.indicator) & (current["group"] == m.group)]
        if found.empty:
            continue
        latest, whole = _latest_year(found), _whole(found)
        rows.append({"Measure": m.name, "What it counts": m.definition.replace("{newborn_days}",
                                                                          str(ch.params.newborn_days)),
                     "Latest year": latest["period"] if latest is not None else "",
                     "Value in the latest year": value_text(latest["cell"], latest["unit"]) if latest is not None
                     else "not available",
                     "Whole period": value_text(whole["cell"], whole["unit"]) if whole is not None else "not available",
                     "Suggested owner": m.owner, "Review by": review, "Indicator id": m.indicator,
                     "Group": m.group})
    return frame_of(rows).reindex(columns=["Measure", "What it counts", "Latest year", "Value in the latest year",
                                           "Whole period", "Suggested owner", "Review by", "Indicator id", "Group"])


def baseline_core(ch: Chapter, results) -> ResultTable | Notice:
    frame = baseline_core_frame(ch, results)
    if frame is None:
        return _standalone_notice("The baseline measures")
    if frame.empty:
        return Notice("None of the baseline measures could be recorded from the data supplied yet (see chapter 0).",
                      kind="notyet", title="No baseline measures yet")
    return ResultTable(frame.drop(columns=["Indicator id", "Group"]),
                       "The baseline: measures to follow from one book to the next", download="baseline-measures",
                       download_frame=frame,
                       note="Ranges are 95% confidence intervals; c = withheld to protect families. The owner is a "
                            "suggestion: agree at the workshop who owns each measure. The download adds each "
                            "measure's id in indicators.csv.")


PREVIOUS_REQUIRED = ("indicator", "period", "value", "lower", "upper", "unit", "suppressed")


def read_previous(path) -> tuple[pd.DataFrame | None, list[str]]:
    """An earlier build's indicators.csv, or the problems that stop it being used (file, row, column, fix)."""
    name = getattr(path, "name", str(path))
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except (OSError, ValueError, UnicodeDecodeError, csv.Error) as exc:
        return None, [f"{name}: cannot be read as CSV ({type(exc).__name__}). Point previous_indicators at the "
                      "indicators.csv an earlier `prebirth build` wrote."]
    if not rows:
        return None, [f"{name}: the file is empty. Point previous_indicators at the indicators.csv an earlier "
                      "`prebirth build` wrote."]
    header, body = rows[0], rows[1:]
    ragged = [(i + 2, len(row)) for i, row in enumerate(body) if len(row) != len(header)]
    if ragged:  # a cell with a stray quote or comma: the columns no longer line up
        return None, [f"{name}, row {row}: {cells} cells where the header has {len(header)}. A cell holding a comma "
                      "or a quote must be quoted (save the file from a spreadsheet as CSV)." for row, cells in ragged[:5]]
    frame = pd.DataFrame(body, columns=header, dtype=str)
    missing = [c for c in PREVIOUS_REQUIRED if c not in frame.columns]
    if missing:
        return None, [f"{name}: column '{c}' is missing. Expected the columns of an indicators.csv written by "
                      f"`prebirth build` ({', '.join(PREVIOUS_REQUIRED)})." for c in missing]
    problems = []
    for column in ("numerator", "denominator"):
        if column not in frame:
            frame[column] = ""  # an older file: its counts are unknown (see republished)
    for column in ("value", "lower", "upper", "numerator", "denominator"):
        numbers = pd.to_numeric(frame[column].str.strip().replace("", np.nan), errors="coerce")
        bad = np.flatnonzero((numbers.isna() & frame[column].str.strip().ne("")).to_numpy())
        for i in bad[:5]:
            problems.append(f"{name}, row {i + 2}, column '{column}': '{frame[column].iloc[i]}' is not a number. "
                            "Leave it blank or correct it.")
        frame[column] = numbers
    if problems:
        return None, problems
    if "group" not in frame:
        frame["group"] = ""
    frame["suppressed"] = frame["suppressed"].map(_truthy)
    return frame, []


def republished(previous: pd.DataFrame, ch: Chapter) -> pd.DataFrame:
    """An earlier build's measures under this book's rules: in a published book they are suppressed
    again exactly as this build's own are (an internal build's file shows small numbers as they are).

    A share or a rate whose count the earlier file does not give cannot be checked, so it is withheld.
    """
    if not ch.published:
        return previous
    out = disclosure.suppress_indicators(previous, ch.min_count)
    unchecked = out["unit"].isin(("proportion", "per 10,000 live births")) & out["numerator"].isna() & \
        out["value"].notna()
    out.loc[unchecked, ["value", "lower", "upper"]] = np.nan
    out.loc[unchecked, "suppressed"] = True
    return out


def _difference(unit: str, before, after) -> str:
    """The change between two values as published: both rounded as shown, then subtracted, so
    the change always agrees with the two numbers beside it."""
    unit = str(unit or "")
    if unit == "proportion":
        scale, digits, suffix = 100, 0, " percentage points"
    elif unit == "count" or unit in ("days", "weeks", "months"):
        scale, digits, suffix = 1, 0, f" {unit}" if unit != "count" else ""
    elif "ratio" in unit or unit == "correlation":
        scale, digits, suffix = 1, 2, ""
    else:
        scale, digits, suffix = 1, 1, ""
    change = round_half_up(after * scale, digits) - round_half_up(before * scale, digits)
    change = round_half_up(change, digits)  # drop the float noise of the subtraction
    sign = "+" if change > 0 else "-" if change < 0 else ""
    return f"{sign}{abs(change):,.{digits}f}{suffix}"


def outside_interval(value, lower, upper) -> bool | None:
    """Whether a value lies outside an earlier 95% interval; None when there is no interval."""
    if any(v is None or pd.isna(v) for v in (value, lower, upper)):
        return None
    return bool(value < lower or value > upper)


def change_frame(ch: Chapter, previous: pd.DataFrame, results) -> pd.DataFrame:
    """Each measure now and in the earlier build: the latest year of each (or the whole period).

    The earlier figures, suppressed again under this book's rules (:func:`republished`), are words
    (they are not this book's counts); this book's are its cells, and the change and whether it lies
    outside the earlier interval are withheld with them.
    """
    current = current_indicators(ch, results)
    if current is None or current.empty:
        return pd.DataFrame()
    previous = republished(previous, ch)
    previous["group"] = previous["group"].fillna("").astype(str)
    rows = []
    for (indicator, group), now_rows in current.groupby(["indicator", "group"], sort=False):
        then_rows = previous[(previous["indicator"] == indicator) & (previous["group"] == group)]
        now, then = _latest_year(now_rows), _latest_year(then_rows)
        if now is None or then is None:
            now = _whole(now_rows)
            then = _whole(then_rows)
        if now is None or then is None:
            continue
        unit, cell = now["unit"], now["cell"]
        withheld = "Withheld in one of the books, so not compared."
        if bool(then["suppressed"]):
            difference, note = "not shown", withheld
        elif pd.isna(now["value"]) or pd.isna(then["value"]):
            difference = Text("not shown", {"now": cell}, "not shown")
            note = Text("Not available in one of the books.", {"now": cell}, withheld)
        else:
            difference = Text(_difference(unit, float(then["value"]), float(now["value"])), {"now": cell},
                              "not shown")
            outside = outside_interval(float(now["value"]), then["lower"], then["upper"])
            note = Text("No earlier interval to compare with." if outside is None else
                        "Outside the earlier 95% interval: more than chance alone would usually explain." if outside
                        else "Inside the earlier 95% interval: could be chance.", {"now": cell}, withheld)
        period = lambda r: "whole period" if r["period"] == "all" else r["period"]  # noqa: E731
        before = format_value(then["unit"], then["value"], then["lower"], then["upper"], bool(then["suppressed"]))
        rows.append({"Chapter": int(now_rows["chapter"].iloc[0]), "Measure": indicator_label(indicator),
                     "Group": Plain(group), "Before": Plain(f"{period(then)}: {before}"),
                     "Now": value_text(cell, unit, prefix=f"{period(now)}: "),
                     "Change": difference, "Outside the earlier interval?": note})
    return frame_of(rows).reindex(columns=["Chapter", "Measure", "Group", "Before", "Now", "Change",
                                           "Outside the earlier interval?"])


def _problems_text(problems: list[str]) -> Text:
    """The problems as a list, what comes from the file (its name, its cells) escaped."""
    command, lines, figures = "`prebirth build`", [], {}
    for i, problem in enumerate(problems):
        parts = problem.split(command)
        for j, part in enumerate(parts):
            figures[f"p{i}_{j}"] = Plain(part)
        lines.append("- " + command.join(f"{{p{i}_{j}}}" for j in range(len(parts))))
    return Text("\n".join(lines), figures)


def change_table(ch: Chapter, results) -> ResultTable | Notice:
    """The change in each measure since an earlier build (parameter ``previous_indicators``)."""
    path = ch.params.previous_indicators
    if path is None:
        return Notice("To see how each measure has changed, keep this build's `indicators.csv` and, at the next "
                      "build, name it in the parameters file: `previous_indicators: <path to the earlier "
                      "indicators.csv>`. This section will then compare each measure with its baseline and say "
                      "whether the change lies outside the earlier confidence interval.")
    previous, problems = read_previous(path)
    if problems:
        return Notice([_problems_text(problems)], kind="notyet", title="The earlier indicators file could not be used")
    if results is None:
        return _standalone_notice("The change since the earlier build")
    frame = change_frame(ch, previous, results)
    if frame.empty:
        return Notice([Text("No measure of this book was also in {name}, so there is nothing to compare yet.",
                            {"name": Plain(path.name)})])
    return ResultTable(frame, f"Change in each measure since the earlier book ({path.name})", download="change",
                       note="Each measure's latest year in each book (the whole period where there are no yearly "
                            "figures). A value outside the earlier 95% interval is a signal to look into, not proof "
                            "of a real change; a value inside it may still be a real change that the numbers are too "
                            "small to show.")


# -- questions to take to practitioners and families -------------------------------------

def discussion_questions(ch: Chapter, results) -> Notice:
    """Questions to take to practitioners and to families, shaped by the ratings and the findings."""
    practitioners: list[str] = []
    figures: dict = {}
    dates = rounds(ch)
    if dates:
        data = heatmap_data(ch)
        rated = data[data["Red"] + data["Amber"] + data["Green"] > 0]
        rated = rated.assign(_red=rated["Red"] / (rated["Red"] + rated["Amber"] + rated["Green"]),
                             _amber=rated["Amber"] / (rated["Red"] + rated["Amber"] + rated["Green"]))
        if not rated.empty:  # the part with the largest share rated red (then amber); ties: the earlier stage
            low = rated.sort_values(["_red", "_amber"], ascending=[False, False], kind="stable").iloc[0]
            figures.update(stage=Plain(low["Stage"].lower()), level=Plain(low["Level"].lower()))
            practitioners.append("The part of the self-assessment with the largest share of statements rated red is "
                                 "{stage} ({level} level). What gets in the way there, and who could change it?")
        ratings = rag_ratings(ch)
        reds = ratings[(ratings["round_date"] == dates[-1]) & (ratings["rating"] == "R")]
        for i, text in enumerate(reds["statement"].head(2)):
            figures[f"red{i}"] = Plain(str(text).rstrip("."))
            practitioners.append(f"\u201c{{red{i}}}\u201d was rated red. What would it take to make this true "
                                 "here within a year?")
        if len(dates) >= 2:
            before, after = round_ratings(ch, dates[-2]), round_ratings(ch, dates[-1])
            worse = [s for s in after.index if change_between_rounds(before.get(s, ""), after.get(s, "")) == "Worse"]
            if worse:
                practitioners.append(f"{len(worse)} rating{'s' if len(worse) != 1 else ''} got worse since the last "
                                     "round. What changed?")
    status = results[0].status if results and 0 in results else {}
    not_yet = [q.title for q in QUESTIONS if status.get(q.key) == "not yet"]
    if not_yet:
        practitioners.append(f"The data cannot yet answer: {', '.join(not_yet)}. Which of these matters most, and "
                             "what would it take to record it?")
    practitioners += [
        "Which of the key findings matches what you see in your work, and which does not?",
        "Which two or three measures in the baseline would show, a year from now, that things are better for babies "
        "and parents?",
    ]
    families = [
        "When did you first hear that children's services were worried, and how long before the birth was that?",
        "Did you know the plan for the birth and the days after it? Who explained it, and did it make sense?",
        "Were both parents, and the wider family, asked to take part? What helped you take part?",
        "What support made the biggest difference, and what was missing, before the birth and after?",
        "If you could change one thing about how this works here, what would it be?",
    ]
    text = ("**For practitioners and managers**\n\n" + "\n".join(f"- {q}" for q in practitioners)
            + "\n\n**For parents and families** (asked with care, by someone they trust, and only if they want to "
              "talk)\n\n" + "\n".join(f"- {q}" for q in families))
    return Notice([Text(text, figures)])


# -- main points ---------------------------------------------------------------------------

def _main_points(r: ChapterResult, ch: Chapter, results) -> None:
    """The self-assessment's latest round (counts of statements, not of people, said as they are),
    the change since the round before, and what the book can and cannot yet answer."""
    dates = rounds(ch)
    if dates:
        used = statements_in_use(ch)

        def counted(date) -> dict[str, int]:
            ratings = ratings_of(used["statement_id"], round_ratings(ch, date))
            return {k: int((ratings == k).sum()) for k in RATING_NAMES}

        now = counted(dates[-1])
        sentence = (f"In the latest self-assessment ({_round_label(dates[-1])}), {now['R']} of the {len(used)} "
                    f"statements were rated Red, {now['A']} Amber and {now['G']} Green")
        if len(dates) >= 2:
            before = counted(dates[-2])
            sentence += (f", against {before['R']} Red, {before['A']} Amber and {before['G']} Green in "
                         f"{_round_label(dates[-2])}")
        r.finding(sentence + ".", main=True)
    else:
        r.finding(f"No self-assessment has been recorded yet: the {len(statements_in_use(ch))} statements below are "
                  "ready to rate at the first workshop.", main=True)
    if results is not None:
        silent = sorted(n for n in not_yet_keys(results) if n in COLLECTED_CHAPTERS)
        asked = [q for q in QUESTIONS if q.chapter in COLLECTED_CHAPTERS]
        r.finding(f"The data answer {len(asked) - len(silent)} of the {len(asked)} questions of chapters 1 to 7 at "
                  "least in part"
                  + (f"; chapter{'s' if len(silent) != 1 else ''} {', '.join(str(n) for n in silent)} "
                     "cannot be answered yet (chapter 0 says what to record)." if silent else "."), main=True)


# -- the chapter's result ------------------------------------------------------------------

def compute(prepared: Prepared, upstream: dict | None = None) -> ChapterResult:
    """Everything chapter 8 publishes, before disclosure; ``upstream``: the results of chapters 0-7."""
    ch = Chapter(NUMBER, KEY, prepared)
    r = ChapterResult(NUMBER, KEY, TITLE)
    results = collected(upstream)
    r.status = {"answer": "can answer"}
    r.prompts = ["Which findings in this book surprised you, and which confirmed what you already knew?",
                 "What are the two or three priorities for the next year, and who owns each one?",
                 "Which baseline measures will tell you whether things are improving for babies and parents, and "
                 "when will you look at them again?"]
    _main_points(r, ch, results)
    _findings(r, results)
    r.add("rag_intro", rag_intro(ch))
    counts = rag_counts(ch)
    if counts is not None:
        r.add("rag_counts", counts)
    r.add("rag_heatmap", rag_heatmap(ch))
    r.add("rag_checks", rag_checks(ch, results))
    r.add("rag_rounds", rag_rounds_chart(ch))
    r.add("rag_change", rag_change_table(ch))
    r.add("rag_priorities", rag_priorities(ch))
    r.add("rag_worksheet", rag_worksheet(ch))
    r.add("workshop_kit", workshop_kit())
    r.add("baseline_core", baseline_core(ch, results))
    _baseline(r, ch, results)
    r.add("change", change_table(ch, results))
    r.add("questions", discussion_questions(ch, results))
    return r


__all__ = [
    "NUMBER", "KEY", "TITLE", "compute", "STARTER_STATEMENTS", "STAGES", "LEVELS", "Statement", "findings_frame",
    "rag_intro", "rag_heatmap", "rag_rounds_chart", "rag_change_table", "rag_priorities", "rag_worksheet",
    "baseline_frame", "change_table", "change_frame", "read_previous", "republished", "discussion_questions",
    "statements_in_use", "heatmap_data", "normalise_stage", "normalise_level", "format_value", "value_text",
    "outside_interval", "change_between_rounds", "chapter_titles", "rating_counts", "rag_counts", "rag_checks",
    "check_rows", "indicator_cell", "workshop_kit", "BASELINE_MEASURES", "baseline_core", "baseline_core_frame",
]
