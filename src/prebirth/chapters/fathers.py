"""Chapter 7: Fathers.

Does pre-birth work include fathers? Over the babies with a pre-birth assessment in the
report period (the cohort of chapter 6, ``parents.cohort``): the share whose father is
recorded on the baby's record (``children.father_id``), and the share whose father was
assessed, invited to meetings, at a family group conference, included in the plan,
offered support and given legal advice (the ``involvement`` row for that baby and that
father, answered Y). Every share is of all babies with a pre-birth assessment, so a
father who is not recorded counts as not included; the same measures for mothers sit
alongside. How complete the fathers' records are is shown separately: a blank is
"not recorded", never read as "no".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import charts, definitions as d, disclosure
from . import infants
from .common import Chapter, Figure, Notice, Table, glue_values, not_yet, num, pct
from .common import count, signed_pct
from .parents import (SHARE_METHOD, Quiet, cohort, count_text, has_cohort, hidden_periods, missing_cohort,
                      part_count_text, record_share, see_above, share_row, share_series_hidden, share_text, withheld,
                      yearly_shares, years)

# (involvement column or "recorded", label, indicator suffix)
ITEMS = (
    ("recorded", "Recorded on the baby's record", "recorded"),
    ("assessed", "Assessed", "assessed"),
    ("invited_to_meetings", "Invited to meetings", "invited"),
    ("attended_fgc", "At a family group conference", "at_fgc"),
    ("included_in_plan", "Included in the plan", "in_plan"),
    ("offered_support", "Offered support", "offered_support"),
    ("legal_advice", "Given legal advice", "legal_advice"),
)
INVOLVEMENT_ITEMS = ITEMS[1:]
TREND_ITEMS = ("recorded", "assessed", "attended_fgc", "included_in_plan")
ROLES = (("father", "Fathers"), ("mother", "Mothers"))


def _memo(ch: Chapter, name: str, compute):
    return ch.memo(f"fathers:{name}", compute)


def has_fathers_field(ch: Chapter) -> bool:
    children = ch.data.get("children")
    return children is not None and "father_id" in children and children["father_id"].notna().any()


def has_involvement(ch: Chapter) -> bool:
    return ch.data.has("involvement")


def missing(ch: Chapter, brief: bool = True) -> Notice | None:
    """Why the chapter cannot be answered yet (None when it can); ``brief`` for sections after the first."""
    question = "whether pre-birth work includes fathers."
    if not has_cohort(ch):
        return missing_cohort(question, brief)
    if not has_fathers_field(ch):
        if brief:
            return see_above(question, "the father's id on the baby's record")
        return not_yet(question,
                       ["the father's id on the baby's record (children table, column father_id): it is blank for "
                        "every child"],
                       "the father's id on the baby's record from the first referral, before birth, with the father in "
                       "the parents table.")
    return None


def babies(ch: Chapter) -> pd.DataFrame:
    """The cohort with, for each parent, whether recorded and each involvement answer (Y / N / None)."""
    def compute():
        frame = cohort(ch)[["child_id", "financial_year", "mother_id", "father_id"]].copy()
        involvement = ch.data.get("involvement") if has_involvement(ch) else None
        if involvement is not None:
            # The first answer recorded for each baby and parent.
            answers = (involvement.dropna(subset=["parent_id"]).drop_duplicates(["child_id", "parent_id"])
                       .set_index(["child_id", "parent_id"]))
        for role, _ in ROLES:
            frame[f"{role}_recorded"] = frame[f"{role}_id"].notna()
            if involvement is not None:
                found = answers.reindex(pd.MultiIndex.from_arrays([frame["child_id"], frame[f"{role}_id"]]))
            for column, _, _ in INVOLVEMENT_ITEMS:
                if involvement is None or column not in involvement:
                    frame[f"{role}_{column}"] = None
                    continue
                frame[f"{role}_{column}"] = np.where(frame[f"{role}_recorded"], found[column].to_numpy(), None)
        return frame
    return _memo(ch, "babies", compute)


def item_share(role: str, column: str):
    """Share of all babies with a pre-birth assessment whose parent (role) is recorded / answered Y."""
    def compute(group: pd.DataFrame) -> dict:
        if column == "recorded":
            yes = group[f"{role}_recorded"]
        else:
            yes = group[f"{role}_{column}"] == "Y"
        return share_row(int(yes.sum()), len(group))
    return compute


def record_indicators(ch: Chapter) -> None:
    if missing(ch) is not None or not ch.once("fathers:indicators_recorded"):
        return
    frame = babies(ch)
    items = ITEMS if has_involvement(ch) else ITEMS[:1]
    for role, _ in ROLES:
        for column, label, suffix in items:
            for period, row, hidden in yearly_shares(ch, frame, item_share(role, column)):
                record_share(ch, f"{role}s_{suffix}_share", period, row, hidden,
                             method=SHARE_METHOD + "; of all babies with a pre-birth assessment")


def headline(ch: Chapter) -> Notice:
    glue = {"ch7_babies": None, "ch7_fathers_recorded": None, "ch7_fathers_assessed": None,
            "ch7_fathers_in_plan": None, "ch7_mothers_assessed": None}
    gap = missing(ch, brief=False)
    if gap is not None:
        glue_values(ch, glue)
        return gap
    record_indicators(ch)
    frame = babies(ch)
    if frame.empty:
        glue_values(ch, glue)
        return Notice("No baby had a pre-birth assessment that started in the report period.")
    glue["ch7_babies"] = count_text(ch, len(frame))
    parts = [f"Of the {glue['ch7_babies']} babies with a pre-birth assessment in the report period,"]
    recorded = item_share("father", "recorded")(frame)
    if withheld(ch, recorded["numerator"], recorded["denominator"]):
        parts.append("the number with a father recorded is too small to show.")
    else:
        glue["ch7_fathers_recorded"] = pct(recorded["value"])
        parts.append(f"{pct(recorded['value'])} had a father recorded on their record.")
        ch.finding(f"A father was recorded for {pct(recorded['value'])} of babies with a pre-birth assessment.",
                   "fathers_recorded_share")
    if has_involvement(ch):
        for role, column, name in (("father", "assessed", "ch7_fathers_assessed"),
                                   ("father", "included_in_plan", "ch7_fathers_in_plan"),
                                   ("mother", "assessed", "ch7_mothers_assessed")):
            row = item_share(role, column)(frame)
            if not withheld(ch, row["numerator"], row["denominator"]):
                glue[name] = pct(row["value"])
        if glue["ch7_fathers_assessed"] and glue["ch7_mothers_assessed"]:
            parts.append(f"The father was assessed for {glue['ch7_fathers_assessed']} of babies, against "
                         f"{glue['ch7_mothers_assessed']} for mothers.")
            ch.finding(f"Fathers were assessed for {glue['ch7_fathers_assessed']} of babies with a pre-birth "
                       f"assessment; mothers for {glue['ch7_mothers_assessed']}.", "fathers_assessed_share")
        if glue["ch7_fathers_in_plan"]:
            parts.append(f"The father was included in the plan for {glue['ch7_fathers_in_plan']}.")
            ch.finding(f"Fathers were included in the plan for {glue['ch7_fathers_in_plan']} of babies with a "
                       "pre-birth assessment.", "fathers_in_plan_share")
    glue_values(ch, glue)
    return Notice(" ".join(parts))


def _missing_involvement() -> Notice:
    return not_yet("how fathers and mothers took part in pre-birth work.",
                   ["the involvement table (for each baby and each parent: assessed, invited to meetings, at a "
                    "family group conference, in the plan, offered support, given legal advice)"],
                   "for every parent of an unborn baby, Y or N for each of: assessed, invited to meetings, attended "
                   "the family group conference, included in the plan, offered support, given legal advice. "
                   "Record fathers as carefully as mothers.")


def involvement_rows(ch: Chapter, frame: pd.DataFrame) -> pd.DataFrame:
    items = ITEMS if has_involvement(ch) else ITEMS[:1]
    rows = []
    for column, label, suffix in items:
        for role, name in ROLES:
            row = item_share(role, column)(frame)
            hidden = withheld(ch, row["numerator"], row["denominator"]) or not row["denominator"]
            rows.append({"item": column, "What": label, "Parent": name, **row, "hidden": hidden,
                         "text": share_text(ch, row)})
    return pd.DataFrame(rows)


def involvement_table(ch: Chapter) -> Table | Notice:
    """Fathers and mothers: recorded, assessed, invited, at a family group conference, in the plan, supported."""
    gap = missing(ch)
    if gap is not None:
        return gap
    record_indicators(ch)
    frame = babies(ch)
    rows = involvement_rows(ch, frame)
    table = pd.DataFrame({"Of all babies with a pre-birth assessment, the parent was": rows["What"].unique()})
    for role, name in ROLES:
        part = rows[rows["Parent"] == name]
        table[f"{name}: babies"] = [part_count_text(ch, r) for _, r in part.iterrows()]
        table[f"{name}: share (95% CI)"] = part["text"].to_list()
        if has_involvement(ch):
            recorded = frame[frame[f"{role}_recorded"]]
            table[f"{name}: share of those recorded"] = [
                share_text(ch, item_share(role, column)(recorded), with_ci=False) if len(recorded) else "none recorded"
                for column in part["item"]]
    note = (f"Shares are of all {count_text(ch, len(frame))} babies with a pre-birth assessment, so a parent who is "
            "not recorded counts as not included. 'Y' answers only: a blank is not counted as taking part. "
            "The last columns give the same steps as a share of the babies whose parent is recorded. "
            f"c = fewer than {ch.min_count} babies, or a share that would reveal one.")
    if not has_involvement(ch):
        note += " The involvement table was not supplied, so only whether each parent is recorded can be shown."
    return Table(table, "How fathers and mothers took part in pre-birth work", ch.download_link("involvement", table),
                 note=note)


def involvement_chart(ch: Chapter) -> Figure | Notice:
    if missing(ch) is not None:
        return Quiet()
    if not has_involvement(ch):
        return _missing_involvement()
    rows = involvement_rows(ch, babies(ch))
    data = pd.DataFrame({"What": rows["What"], "Parent": rows["Parent"],
                         "Per cent": np.where(rows["hidden"], np.nan, rows["value"] * 100),
                         "Lower 95%": np.where(rows["hidden"], np.nan, rows["lower"] * 100),
                         "Upper 95%": np.where(rows["hidden"], np.nan, rows["upper"] * 100)})
    fig = charts.grouped_bars(data, "What", "Parent", "Per cent", "% of babies with a pre-birth assessment",
                              "Lower 95%", "Upper 95%")
    fa = rows[(rows["Parent"] == "Fathers") & (rows["item"] == "assessed")].iloc[0]
    mo = rows[(rows["Parent"] == "Mothers") & (rows["item"] == "assessed")].iloc[0]
    alt = "Horizontal bar chart comparing fathers and mothers on each step of pre-birth work."
    if not fa["hidden"] and not mo["hidden"]:
        alt += f" Fathers were assessed for {pct(fa['value'])} of babies and mothers for {pct(mo['value'])}."
    table = data.assign(**{c: data[c].map(lambda v: num(v) if pd.notna(v) else disclosure.MARKER)
                           for c in ("Per cent", "Lower 95%", "Upper 95%")})
    hidden = int(rows["hidden"].sum())
    return Figure(fig, "Fathers and mothers in pre-birth work: share of babies whose parent took part in each step "
                       "(bars: 95% confidence intervals)", alt, table, ch.download_link("involvement-chart", table),
                  f"{hidden} bar(s) not shown: fewer than {ch.min_count} babies." if hidden else "")


def completeness_table(ch: Chapter) -> Table | Notice:
    """How complete the records of fathers are, beside mothers: often itself the finding."""
    gap = missing(ch)
    if gap is not None:
        return gap
    frame = babies(ch)
    people = ch.data.get("parents")
    rows = []

    def add(what, role, known, total):
        rows.append({"Recorded": what, "role": role, "known": int(known), "total": int(total)})

    for role, name in ROLES:
        recorded = frame[f"{role}_recorded"]
        add("Parent's id on the baby's record", name, recorded.sum(), len(frame))
        if has_involvement(ch):
            for column, label, _ in INVOLVEMENT_ITEMS:
                add(f"{label}: Y or N recorded", name, frame.loc[recorded, f"{role}_{column}"].isin(["Y", "N"]).sum(),
                    recorded.sum())
        if people is not None and not people.empty:
            ids = frame.loc[recorded, f"{role}_id"].drop_duplicates()
            table = people.set_index("parent_id").reindex(ids)
            for column, label in (("date_of_birth", "Date of birth"), ("ethnicity", "Ethnicity"),
                                  ("care_experienced", "Whether in care as a child")):
                add(f"{label} (parents table)", name, table[column].notna().sum(), len(ids))
    long = pd.DataFrame(rows)
    out = pd.DataFrame({"Recorded": long["Recorded"].unique()})
    for _, name in ROLES:
        part = long[long["role"] == name].set_index("Recorded").reindex(out["Recorded"])
        out[f"{name}: recorded"] = [_complete_text(ch, k, t) for k, t in zip(part["known"], part["total"])]
    return Table(out, "How complete the records of fathers and mothers are, for babies with a pre-birth assessment",
                 ch.download_link("completeness", out),
                 note="The first row is of all babies with a pre-birth assessment; the involvement rows are of the "
                      "babies whose parent is recorded; the parents-table rows count each parent once. "
                      f"c = fewer than {ch.min_count} people, or a share that would reveal one.")


def _complete_text(ch: Chapter, known, total) -> str:
    if pd.isna(total) or not total:
        return "none recorded"
    if withheld(ch, known, total):
        return disclosure.MARKER
    return f"{pct(known / total)} of {count_text(ch, total)}"


def trend_rows(ch: Chapter) -> pd.DataFrame:
    frame = babies(ch)
    items = [i for i in ITEMS if i[0] in TREND_ITEMS and (i[0] == "recorded" or has_involvement(ch))]
    rows = []
    for column, label, suffix in items:
        for role, name in ROLES:
            for period, row, hidden in yearly_shares(ch, frame, item_share(role, column)):
                hidden = hidden or not row["denominator"]
                rows.append({"item": column, "What": label, "Parent": name, "period": period, **row, "hidden": hidden})
    return pd.DataFrame(rows)


def trend_chart(ch: Chapter) -> Figure | Notice:
    """Fathers recorded, assessed, at a family group conference and in the plan, by year; mothers alongside."""
    gap = missing(ch)
    if gap is not None:
        return gap
    rows = trend_rows(ch)
    rows = rows[rows["period"] != "all"]
    events = [{"x": d.financial_year(pd.Series([pd.Timestamp(e.date)])).iloc[0], "label": e.label}
              for e in ch.params.events]
    panels = []
    for column in dict.fromkeys(rows["item"]):
        part = rows[(rows["item"] == column) & (rows["Parent"] == "Fathers")]
        panels.append({"title": f"Fathers: {part['What'].iloc[0].lower()}", "ylabel": "% of babies", "zero": True,
                       "data": pd.DataFrame({"x": part["period"],
                                             "y": np.where(part["hidden"], np.nan, part["value"] * 100),
                                             "lower": np.where(part["hidden"], np.nan, part["lower"] * 100),
                                             "upper": np.where(part["hidden"], np.nan, part["upper"] * 100)})})
    fig = charts.aligned_panels(panels, years(ch), events)
    data = pd.DataFrame({"Measure": rows["What"], "Parent": rows["Parent"], "Year": rows["period"],
                         "Per cent": np.where(rows["hidden"], np.nan, rows["value"] * 100),
                         "Lower 95%": np.where(rows["hidden"], np.nan, rows["lower"] * 100),
                         "Upper 95%": np.where(rows["hidden"], np.nan, rows["upper"] * 100)})
    for c in ("Per cent", "Lower 95%", "Upper 95%"):
        data[c] = data[c].map(lambda v: num(v) if pd.notna(v) else disclosure.MARKER)
    hidden = int(rows.loc[rows["Parent"] == "Fathers", "hidden"].sum())
    alt = ("Stacked panels sharing one time axis: the share of babies with a pre-birth assessment whose father was "
           + ", ".join(p["title"].split(": ", 1)[1] for p in panels) + ", by financial year with 95% confidence "
           "intervals" + (", with a dotted line at each dated service change." if events else "."))
    return Figure(fig, "Fathers in pre-birth work by financial year (bars: 95% confidence intervals; the data table "
                       "also gives mothers)", alt, data, ch.download_link("fathers-trend", data),
                  f"{hidden} point(s) are not shown because they rest on fewer than {ch.min_count} babies."
                  if hidden else "")


def trend_table(ch: Chapter) -> Table | Notice:
    """Average yearly change in each share for fathers and mothers (logistic trend)."""
    if missing(ch) is not None:
        return Quiet()
    from ..stats import glm

    rows = trend_rows(ch)
    out = []
    for (column, name), part in rows.groupby(["item", "Parent"], sort=False):
        total = part[part["period"] == "all"].iloc[0]
        part = part[(part["period"] != "all") & (part["denominator"] > 0)]
        if len(part) < 3:
            continue
        label = part["What"].iloc[0]
        if withheld(ch, total["numerator"], total["denominator"]) or total["numerator"] in (0, total["denominator"]):
            secret = withheld(ch, total["numerator"], total["denominator"])
            out.append({"Parent": name, "Measure": label,
                        "Change in the odds per year": disclosure.MARKER if secret else "no variation",
                        "95% confidence interval": "",
                        "What it means": "" if secret else "every year, every baby" if total["numerator"]
                        else "no baby in any year"})
            continue
        fit = glm.binomial_trend(part["numerator"].to_numpy(float), part["denominator"].to_numpy(float),
                                 part["period"].tolist())
        if not fit.fitted_ok:
            continue
        direction = "rose" if fit.lower > 1 else "fell" if fit.upper < 1 else "showed no clear change"
        out.append({"Parent": name, "Measure": label, "Change in the odds per year": signed_pct(fit.ratio - 1, 1),
                    "95% confidence interval": f"{signed_pct(fit.lower - 1, 1)} to {signed_pct(fit.upper - 1, 1)}",
                    "What it means": f"the share {direction}"})
        if name == "Fathers" and column == "assessed":
            ch.record("fathers_assessed_trend_ratio", "all", fit.ratio, lower=fit.lower, upper=fit.upper,
                      unit="odds ratio per year", method="logistic regression of yearly shares on the year")
    if not out:
        return Notice("There are too few years to look for a trend.")
    frame = pd.DataFrame(out)
    return Table(frame, "Is the inclusion of fathers changing? Average yearly change in each share (logistic trend)",
                 ch.download_link("fathers-trend-model", frame),
                 note="A logistic regression of each yearly share on the year: a change of +5% means the odds rose by "
                      "about 5% a year. It describes a steady drift; it cannot say why, or pick out a change at one "
                      "point in time.")


def proceedings_fathers(ch: Chapter) -> Table | Notice:
    """Babies under one in care proceedings with a father recorded: answerable from children and proceedings alone."""
    if not infants.can_answer(ch):
        return Quiet()
    if not has_fathers_field(ch):
        return not_yet("how often a father is recorded for babies in care proceedings.",
                       ["the father's id on the baby's record (children table, column father_id)"],
                       "the father's id on every child's record, with the father in the parents table.")
    rows = infants.children_in_period(ch)
    fathers = ch.data.get("children").set_index("child_id")["father_id"]
    rows = rows[rows["infant"].fillna(False).astype(bool)].copy()
    rows["father_recorded"] = rows["child_id"].map(fathers).notna()
    hidden_totals = hidden_periods(ch, {fy: int((rows["financial_year"] == fy).sum()) for fy in years(ch)})
    shares = []
    for period in years(ch) + ["all"]:
        group = rows[rows["financial_year"] == period] if period != "all" else d.first_in_period(rows)
        shares.append((period, share_row(int(group["father_recorded"].sum()), len(group))))
    hidden = share_series_hidden(ch, shares)
    out = []
    for period, row in shares:
        secret = period in hidden or withheld(ch, row["numerator"], row["denominator"])
        record_share(ch, "fathers_recorded_share", period, row, secret, group="infants in proceedings",
                     method=SHARE_METHOD + "; babies under one at first issue in the year")
        out.append({"Year": "All years" if period == "all" else period,
                    "Babies under one in proceedings": count(row["denominator"], period in hidden_totals)
                    if period in hidden_totals else count_text(ch, row["denominator"]),
                    "With a father recorded": disclosure.MARKER if secret else count_text(ch, row["numerator"]),
                    "Share (95% CI)": disclosure.MARKER if secret else share_text(ch, row)})
    frame = pd.DataFrame(out)
    return Table(frame, "Babies under one in care proceedings with a father recorded on their record, by financial "
                        "year of issue", ch.download_link("fathers-in-proceedings", frame),
                 note=f"Each baby counts once a year, at their first issue. c = fewer than {ch.min_count} babies, or a "
                      "share that would reveal one.")
