"""Chapter 7: Fathers.

Does pre-birth work include fathers? Over the babies with a pre-birth assessment in the
report period (each baby once, in the financial year of their first pre-birth assessment
that started in the period: ``definitions.children_with_prebirth_assessment``, the cohort
of chapter 6): the share whose father is recorded on the baby's record
(``children.father_id``), and the share whose father was assessed, invited to meetings,
at a family group conference, included in the plan, offered support and given legal
advice (the ``involvement`` row for that baby and that father, answered Y). Every share
is of all babies with a pre-birth assessment, so a father who is not recorded counts as
not included; the same measures for mothers sit alongside. How complete the fathers'
records are is shown separately: a blank is "not recorded", never read as "no".

Book-wide keys: the babies with a pre-birth assessment are ``key("prebirth_assessments",
period)``; the babies whose father (mother) took each step are ``key("fathers", step,
period)`` (``key("mothers", step, period)``), with period a financial year or "all".

:func:`compute` returns everything the chapter publishes as a
:class:`~prebirth.results.ChapterResult`; the book's disclosure step decides what is withheld.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import charts, definitions as d
from ..results import ChapterResult, Chart, Count, Measure, Notice, ResultTable, Share, Text, frame_of, key, not_yet
from .common import Chapter, Prepared, multiple_comparisons

NUMBER, KEY, TITLE = 7, "fathers", "Fathers"
SHARE_METHOD = "Wilson score interval"

# (involvement column or "recorded", label, indicator suffix: also the step's word in the keys)
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
SUFFIX = {column: suffix for column, _, suffix in ITEMS}
LABEL = {column: label for column, label, _ in ITEMS}
TREND_ITEMS = ("recorded", "assessed", "attended_fgc", "included_in_plan")
ROLES = (("father", "Fathers"), ("mother", "Mothers"))
PARENT_FIELDS = (("date_of_birth", "Date of birth"), ("ethnicity", "Ethnicity"),
                 ("care_experienced", "Whether in care as a child"))
SUPPORT_LABELS = {"parenting": "Parenting", "substance_misuse": "Alcohol or drug service",
                  "domestic_abuse": "Domestic abuse service", "perinatal_mental_health": "Mental health service",
                  "legal_advice": "Legal advice", "housing": "Housing", "advocacy": "Advocacy",
                  "family_group_conference": "Family group conference", "post_separation": "Support after separation",
                  "specialist_midwifery": "Specialist midwifery", "other": "Other"}


# -- the analysis ----------------------------------------------------------------------

def _memo(ch: Chapter, name: str, compute):
    return ch.memo(f"fathers:{name}", compute)


def has_cohort(ch: Chapter) -> bool:
    """True when the data can say which babies had a pre-birth assessment."""
    return ch.data.has("assessments")


def has_fathers_field(ch: Chapter) -> bool:
    children = ch.data.get("children")
    return children is not None and "father_id" in children and children["father_id"].notna().any()


def has_involvement(ch: Chapter) -> bool:
    return ch.data.has("involvement")


def can_answer(ch: Chapter) -> bool:
    return has_cohort(ch) and has_fathers_field(ch)


def years(ch: Chapter) -> list[str]:
    return d.financial_years(ch.params.period.start, ch.params.period.end)


def babies(ch: Chapter) -> pd.DataFrame:
    """One row per baby with a pre-birth assessment in the period (once, in the financial year of the first),
    with, for each parent, whether recorded and each involvement answer (Y / N / None)."""
    def compute():
        cohort = d.children_with_prebirth_assessment(ch.data.get("assessments"), ch.data.get("children"),
                                                     ch.params.period.start, ch.params.period.end)
        frame = cohort[["child_id", "financial_year", "mother_id", "father_id", "start_date"]].copy()
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


def took_part(frame: pd.DataFrame, role: str, column: str) -> pd.Series:
    """Whether the baby's parent (role) is recorded / answered Y ('Y' only: a blank is not taking part)."""
    return frame[f"{role}_recorded"] if column == "recorded" else frame[f"{role}_{column}"] == "Y"


def items_available(ch: Chapter) -> tuple:
    return ITEMS if has_involvement(ch) else ITEMS[:1]


def infants_in_proceedings(ch: Chapter) -> pd.DataFrame:
    """Babies under one at issue in proceedings in the period, once per financial year at their first issue,
    with whether a father is recorded on their record."""
    from . import infants

    def compute():
        rows = infants.children_in_period(ch)
        fathers = ch.data.get("children").set_index("child_id")["father_id"]
        rows = rows[rows["infant"].fillna(False).astype(bool)].copy()
        rows["father_recorded"] = rows["child_id"].map(fathers).notna()
        return rows
    return _memo(ch, "proceedings", compute)


# -- the chapter's cells ------------------------------------------------------------------

class Cells:
    """The chapter's counts under their book-wide keys, and the relations between them."""

    def __init__(self, r: ChapterResult, ch: Chapter, frame: pd.DataFrame):
        self.r, self.ch, self.frame = r, ch, frame
        self.years = years(ch)
        self.parts = dict(tuple(frame.groupby("financial_year", sort=False)))

    def part(self, period: str) -> pd.DataFrame:
        return self.frame if period == "all" else self.parts.get(period, self.frame.iloc[:0])

    def babies(self, period: str) -> Count:
        """Babies with a pre-birth assessment (each once, in the year of their first in the period)."""
        return Count(key("prebirth_assessments", period), len(self.part(period)))

    def count(self, role: str, column: str, period: str) -> Count:
        """Babies whose parent (role) was recorded / took the step."""
        return Count(key(f"{role}s", SUFFIX[column], period), int(took_part(self.part(period), role, column).sum()))

    def share(self, role: str, column: str, period: str) -> Share:
        return Share.of(self.count(role, column, period), self.babies(period))

    def of_recorded(self, role: str, column: str) -> Share:
        """The step as a share of the babies whose parent is recorded (whole period)."""
        return Share.of(self.count(role, column, "all"), self.count(role, "recorded", "all"))

    def answered(self, role: str, column: str) -> Count:
        """Babies whose recorded parent has a Y or N for the step (whole period); the N's are known too."""
        recorded = self.frame[f"{role}_recorded"]
        answers = self.frame.loc[recorded, f"{role}_{column}"]
        answered = Count(key(f"{role}s", f"{SUFFIX[column]}_answered", "all"), int(answers.isin(["Y", "N"]).sum()))
        no = self.r.hidden_count(key(f"{role}s", f"{SUFFIX[column]}_no", "all"), int((answers == "N").sum()))
        self.r.relate(answered, [self.count(role, column, "all").key, no], "a Y or N recorded = the Y's + the N's")
        return answered

    def relate_years(self) -> None:
        """Every count by year against the whole period (each baby counts in one year only)."""
        self.r.relate_periods(self.babies("all"), [self.babies(p) for p in self.years],
                              "babies with a pre-birth assessment by year against the whole period")
        for role, _ in ROLES:
            for column, _, suffix in items_available(self.ch):
                self.r.relate_periods(self.count(role, column, "all"),
                                      [self.count(role, column, p) for p in self.years],
                                      f"{role}s {suffix} by year against the whole period")


def compute(prepared: Prepared, upstream: dict | None = None) -> ChapterResult:
    """Everything chapter 7 publishes, before disclosure."""
    ch = Chapter(NUMBER, KEY, prepared)
    r = ChapterResult(NUMBER, KEY, TITLE)
    r.glue.update(dict.fromkeys(("ch7_babies", "ch7_fathers_recorded", "ch7_fathers_assessed", "ch7_fathers_in_plan",
                                 "ch7_mothers_assessed")))
    r.prompts = ["Ask fathers (or practitioners who work with them) what made them feel included or excluded.",
                 "Look at the completeness table first: is the gap in fathers' involvement, or in the records?",
                 "Agree one change to how fathers are invited and recorded, and the measure that will show it."]
    _proceedings_table(r, ch)
    gap = _missing(ch)
    if gap is not None:
        r.status = {"answer": "not yet"}
        r.add("headline", gap)
        if has_cohort(ch):  # the sections after the first point back to it
            brief = _see_above("whether pre-birth work includes fathers.", "the father's id on the baby's record")
        else:
            brief = _see_above("whether pre-birth work includes fathers.", "the assessments table")
        for name in ("involvement_table", "completeness_table", "trend_chart"):
            r.add(name, brief)
        return r
    r.status = {"answer": "can answer" if has_involvement(ch) else "partly"}
    frame = babies(ch)
    cells = Cells(r, ch, frame)
    _indicators(r, cells)
    _headline(r, cells)
    _involvement_table(r, cells)
    _involvement_chart(r, cells)
    _completeness_table(r, cells)
    _trend_chart(r, cells)
    _trend_table(r, cells)
    cells.relate_years()
    _earlier_proceedings(r, cells)
    _fathers_support(r, cells)
    return r


def _missing(ch: Chapter) -> Notice | None:
    """Why the chapter cannot be answered yet (None when it can)."""
    question = "whether pre-birth work includes fathers."
    if not has_cohort(ch):
        return not_yet(question, ["the assessments table (each assessment's child, start date and kind)"],
                       "every assessment with its start date and kind (pre-birth, child and family, other), and each "
                       "child's date of birth or, before birth, the expected date of birth; the CIN census return you "
                       "already make holds these.")
    if not has_fathers_field(ch):
        return not_yet(question,
                       ["the father's id on the baby's record (children table, column father_id): it is blank for "
                        "every child"],
                       "the father's id on the baby's record from the first referral, before birth, with the father in "
                       "the parents table.")
    return None


def _see_above(question: str, what: str) -> Notice:
    """A short 'not yet' for a later section, when the chapter's opening message already says what to record."""
    return Notice(f"We can't answer this yet: {question} It needs {what}: what to record is set out at the start of "
                  "'What your data shows'.", kind="notyet", title="Not yet answerable from your data")


def _missing_involvement() -> Notice:
    return not_yet("how fathers and mothers took part in pre-birth work.",
                   ["the involvement table (for each baby and each parent: assessed, invited to meetings, at a "
                    "family group conference, in the plan, offered support, given legal advice)"],
                   "for every parent of an unborn baby, Y or N for each of: assessed, invited to meetings, attended "
                   "the family group conference, included in the plan, offered support, given legal advice. "
                   "Record fathers as carefully as mothers.")


def _indicators(r: ChapterResult, cells: Cells) -> None:
    for role, _ in ROLES:
        for column, _, suffix in items_available(cells.ch):
            for period in [*cells.years, "all"]:
                r.indicator(f"{role}s_{suffix}_share", period, cells.share(role, column, period),
                            method=SHARE_METHOD + "; of all babies with a pre-birth assessment")


def _headline(r: ChapterResult, cells: Cells) -> None:
    if cells.frame.empty:
        r.add("headline", Notice("No baby had a pre-birth assessment that started in the report period."))
        return
    total = cells.babies("all")
    r.glue["ch7_babies"] = total
    parts = [Text("Of the {babies} babies with a pre-birth assessment in the report period,", {"babies": total},
                  "Of the babies with a pre-birth assessment in the report period,")]
    recorded = cells.share("father", "recorded", "all")
    r.glue["ch7_fathers_recorded"] = recorded
    parts.append(Text("{recorded} had a father recorded on their record.", {"recorded": recorded},
                      "the number with a father recorded is too small to show."))
    r.finding("A father was recorded for {recorded} of babies with a pre-birth assessment.",
              "fathers_recorded_share", main=True, recorded=recorded)
    if has_involvement(cells.ch):
        fathers_assessed = cells.share("father", "assessed", "all")
        mothers_assessed = cells.share("mother", "assessed", "all")
        in_plan = cells.share("father", "included_in_plan", "all")
        r.glue.update(ch7_fathers_assessed=fathers_assessed, ch7_mothers_assessed=mothers_assessed,
                      ch7_fathers_in_plan=in_plan)
        both = {"fathers": fathers_assessed, "mothers": mothers_assessed}
        parts.append(Text("The father was assessed for {fathers} of babies, against {mothers} for mothers.", both))
        r.finding("Fathers were assessed for {fathers} of babies with a pre-birth assessment, against {mothers} for "
                  "mothers.", "fathers_assessed_share", main=True, **both)
        parts.append(Text("The father was included in the plan for {in_plan}.", {"in_plan": in_plan}))
        r.finding("Fathers were included in the plan for {in_plan} of babies with a pre-birth assessment.",
                  "fathers_in_plan_share", main=True, in_plan=in_plan)
    r.add("headline", Notice(parts))


def _involvement_table(r: ChapterResult, cells: Cells) -> None:
    """Fathers and mothers: recorded, assessed, invited, at a family group conference, in the plan, supported."""
    ch = cells.ch
    items = items_available(ch)
    records = []
    for column, label, _ in items:
        record = {"Of all babies with a pre-birth assessment, the parent was": label}
        for role, name in ROLES:
            share = cells.share(role, column, "all")
            record[f"{name}: babies"] = share.numerator
            record[f"{name}: share (95% CI)"] = share if share.denominator.value else "none recorded"
        if has_involvement(ch):
            for role, name in ROLES:
                of_recorded = cells.of_recorded(role, column)
                record[f"{name}: share of those recorded"] = (Text("{share}", {"share": of_recorded}, "c")
                                                              if of_recorded.denominator.value else "none recorded")
        records.append(record)
    frame = frame_of(records)
    # the columns as before: each parent's babies, share, and share of those recorded side by side
    order = [frame.columns[0]] + [f"{name}: {what}" for _, name in ROLES
                                  for what in ("babies", "share (95% CI)", "share of those recorded")
                                  if f"{name}: {what}" in frame.columns]
    note = ("Shares are of all babies with a pre-birth assessment, so a parent who is not recorded counts as not "
            "included. 'Y' answers only: a blank is not counted as taking part. "
            "The last columns give the same steps as a share of the babies whose parent is recorded. "
            f"c = fewer than {ch.min_count} babies, or a share that would reveal one.")
    if not has_involvement(ch):
        note += " The involvement table was not supplied, so only whether each parent is recorded can be shown."
    r.add("involvement_table", ResultTable(frame[order], "How fathers and mothers took part in pre-birth work",
                                           note=note, download="involvement"))


def _percent(share: Share) -> dict:
    """A share as a chart's data: per cent and its 95% limits to one decimal, withheld with the share."""
    on = (share.numerator, share.denominator)
    return {column: Measure(value * 100, on=on, digits=1) for column, value in
            (("Per cent", share.value), ("Lower 95%", share.lower), ("Upper 95%", share.upper))}


def draw_involvement(data: pd.DataFrame):
    """Fathers' and mothers' shares for each step (per cent, with 95% intervals); withheld bars are absent."""
    return charts.grouped_bars(data, "What", "Parent", "Per cent", "% of babies with a pre-birth assessment",
                               "Lower 95%", "Upper 95%")


def _involvement_chart(r: ChapterResult, cells: Cells) -> None:
    if not has_involvement(cells.ch):
        r.add("involvement_chart", _missing_involvement())
        return
    records = [{"What": label, "Parent": name, **_percent(cells.share(role, column, "all"))}
               for column, label, _ in ITEMS for role, name in ROLES]
    base = "Horizontal bar chart comparing fathers and mothers on each step of pre-birth work."
    assessed = {"fathers": cells.share("father", "assessed", "all"), "mothers": cells.share("mother", "assessed", "all")}
    alt = Text(base + " Fathers were assessed for {fathers} of babies and mothers for {mothers}.", assessed, base)
    r.add("involvement_chart", Chart(
        draw_involvement, frame_of(records),
        "Fathers and mothers in pre-birth work: share of babies whose parent took part in each step "
        "(bars: 95% confidence intervals)", alt,
        note=f"Bars resting on fewer than {cells.ch.min_count} babies, or that would let a small number be worked "
             "out, are not drawn (c in the data below).", download="involvement-chart",
        title=Text("Fathers were assessed for {fathers} of babies, mothers for {mothers}", assessed)))


def _complete(share: Share):
    """'21% of 14' (c when withheld; 'none recorded' with nothing to be complete about)."""
    if not share.denominator.value:
        return "none recorded"
    return Text("{share} of {total}", {"share": share, "total": share.denominator}, "c")


def _completeness_table(r: ChapterResult, cells: Cells) -> None:
    """How complete the records of fathers are, beside mothers: often itself the finding."""
    ch, frame = cells.ch, cells.frame
    people = ch.data.get("parents")
    rows: dict[str, dict] = {}

    def add(what, name, share):
        rows.setdefault(what, {"Recorded": what})[f"{name}: recorded"] = _complete(share)

    for role, name in ROLES:
        add("Parent's id on the baby's record", name, cells.share(role, "recorded", "all"))
        if has_involvement(ch):
            for column, label, _ in INVOLVEMENT_ITEMS:
                add(f"{label}: Y or N recorded", name,
                    Share.of(cells.answered(role, column), cells.count(role, "recorded", "all")))
        if people is not None and not people.empty:
            ids = frame.loc[frame[f"{role}_recorded"], f"{role}_id"].drop_duplicates()
            table = people.set_index("parent_id").reindex(ids)
            parents = Count(key(f"{role}s", "people", "all"), len(ids))  # each parent once
            for column, label in PARENT_FIELDS:
                known = Count(key(f"{role}s", "people", column, "all"), int(table[column].notna().sum()))
                add(f"{label} (parents table)", name, Share.of(known, parents))
    r.add("completeness_table", ResultTable(
        frame_of(list(rows.values())),
        "How complete the records of fathers and mothers are, for babies with a pre-birth assessment",
        note="The first row is of all babies with a pre-birth assessment; the involvement rows are of the "
             "babies whose parent is recorded; the parents-table rows count each parent once. "
             f"c = fewer than {ch.min_count} people, or a share that would reveal one.", download="completeness"))


def trend_items(ch: Chapter) -> list[str]:
    return [column for column, _, _ in ITEMS if column in TREND_ITEMS and (column == "recorded" or has_involvement(ch))]


def draw_trend(data: pd.DataFrame, order: list, events: list):
    """One panel per step for fathers, by year (per cent, with 95% intervals); withheld points are absent."""
    panels = []
    fathers = data[data["Parent"] == "Fathers"]
    for what in dict.fromkeys(fathers["Measure"]):
        part = fathers[fathers["Measure"] == what]
        panels.append({"title": f"Fathers: {what.lower()}", "ylabel": "% of babies", "zero": True,
                       "data": pd.DataFrame({"x": part["Year"], "y": part["Per cent"],
                                             "lower": part["Lower 95%"], "upper": part["Upper 95%"]})})
    return charts.aligned_panels(panels, order, events)


def _trend_chart(r: ChapterResult, cells: Cells) -> None:
    """Fathers recorded, assessed, at a family group conference and in the plan, by year; mothers alongside."""
    ch = cells.ch
    items = trend_items(ch)
    records = [{"Measure": LABEL[column], "Parent": name, "Year": period, **_percent(cells.share(role, column, period))}
               for column in items for role, name in ROLES for period in cells.years]
    events = [{"x": d.financial_year(pd.Series([pd.Timestamp(e.date)])).iloc[0], "label": e.label}
              for e in ch.params.events]
    titles = [LABEL[column].lower() for column in items]
    alt = ("Stacked panels sharing one time axis: the share of babies with a pre-birth assessment whose father was "
           + ", ".join(titles) + ", by financial year with 95% confidence intervals"
           + (", with a dotted line at each dated service change." if events else "."))
    r.add("trend_chart", Chart(
        draw_trend, frame_of(records),
        "Fathers in pre-birth work by financial year (bars: 95% confidence intervals; the data table also gives "
        "mothers)", alt, options={"order": cells.years, "events": events},
        note=f"Points resting on fewer than {ch.min_count} babies, or that would let a small number be worked out, "
             "are not shown (c in the data below).", download="fathers-trend"))


def _signed(value: float) -> str:
    return "+" if value >= 0 else ""


def _trend_table(r: ChapterResult, cells: Cells) -> None:
    """Average yearly change in each share for fathers and mothers (logistic trend)."""
    from ..stats import glm

    ch = cells.ch
    records = []
    tested = 0
    for column in trend_items(ch):
        for role, name in ROLES:
            label = LABEL[column]
            points = [(p, cells.share(role, column, p)) for p in cells.years]
            points = [(p, s) for p, s in points if s.denominator.value > 0]
            if len(points) < 3:
                continue
            whole = cells.share(role, column, "all")
            if whole.numerator.value in (0, whole.denominator.value):
                records.append({"Parent": name, "Measure": label,
                                "Change in the odds per year": Text("no variation", {"share": whole}, "c"),
                                "95% confidence interval": "",
                                "What it means": Text("every year, every baby" if whole.numerator.value
                                                      else "no baby in any year", {"share": whole}, "")})
                continue
            fit = glm.binomial_trend(np.array([s.numerator.value for _, s in points], float),
                                     np.array([s.denominator.value for _, s in points], float),
                                     [p for p, _ in points])
            if not fit.fitted_ok:
                continue
            tested += 1
            # the fit could reproduce the whole period's counts: it is withheld with them
            on = (whole.numerator, whole.denominator,
                  Count(key("rest", whole.denominator.key, whole.numerator.key),
                        whole.denominator.value - whole.numerator.value))
            change = lambda v: Measure(v - 1, on=on, unit="proportion", digits=1)  # noqa: E731
            direction = "rose" if fit.lower > 1 else "fell" if fit.upper < 1 else "showed no clear change"
            records.append({
                "Parent": name, "Measure": label,
                "Change in the odds per year": Text(_signed(fit.ratio - 1) + "{change}",
                                                    {"change": change(fit.ratio)}, "c"),
                "95% confidence interval": Text(_signed(fit.lower - 1) + "{lower} to " + _signed(fit.upper - 1)
                                                + "{upper}", {"lower": change(fit.lower), "upper": change(fit.upper)},
                                                ""),
                "What it means": Text(f"the share {direction}", {"change": change(fit.ratio)}, "")})
            if role == "father" and column == "assessed":
                r.indicator("fathers_assessed_trend_ratio", "all",
                            Measure(fit.ratio, on=on, lower=fit.lower, upper=fit.upper, unit="ratio", digits=2),
                            unit="odds ratio per year", method=f"{fit.model} logistic regression of yearly shares on the year")
    if not records:
        r.add("trend_table", Notice("There are too few years to look for a trend."))
        return
    r.add("trend_table", ResultTable(
        frame_of(records), "Is the inclusion of fathers changing? Average yearly change in each share",
        note=("A change of +5% means the odds rose by about 5% a year. It describes a steady drift; it cannot say "
              "why, or pick out a change at one point in time. " + multiple_comparisons(tested)).strip(),
        analyst_note="A logistic regression of each yearly share on the year (quasi-binomial: its interval is "
                     "widened by how much more the yearly shares vary than chance allows).",
        download="fathers-trend-model"))


def _proceedings_table(r: ChapterResult, ch: Chapter) -> None:
    """Babies under one in care proceedings with a father recorded: answerable from children and proceedings alone."""
    from . import infants

    if not infants.can_answer(ch):
        return
    if not has_fathers_field(ch):
        r.add("proceedings_fathers", not_yet(
            "how often a father is recorded for babies in care proceedings.",
            ["the father's id on the baby's record (children table, column father_id)"],
            "the father's id on every child's record, with the father in the parents table."))
        return
    rows = infants_in_proceedings(ch)
    out, totals, recorded = [], {}, {}
    for period in years(ch) + ["all"]:
        group = rows[rows["financial_year"] == period] if period != "all" else d.first_in_period(rows)
        # the same count as chapter 1's infants in proceedings (once per year, at the first issue)
        totals[period] = Count(key("proceedings", "infants", period), len(group))
        recorded[period] = Count(key("fathers", "recorded", "infants in proceedings", period),
                                 int(group["father_recorded"].sum()))
        share = Share.of(recorded[period], totals[period])
        r.indicator("fathers_recorded_share", period, share, group="infants in proceedings",
                    method=SHARE_METHOD + "; babies under one at first issue in the year")
        out.append({"Year": "All years" if period == "all" else period,
                    "Babies under one in proceedings": totals[period], "With a father recorded": recorded[period],
                    "Share (95% CI)": share if totals[period].value else "none recorded"})
    yrs = years(ch)
    r.relate_periods(totals["all"], [totals[p] for p in yrs], "infants in proceedings by year against the whole period")
    r.relate_periods(recorded["all"], [recorded[p] for p in yrs],
                     "infants in proceedings with a father recorded by year against the whole period")
    r.add("proceedings_fathers", ResultTable(
        frame_of(out), "Babies under one in care proceedings with a father recorded on their record, by financial "
                       "year of issue",
        note=f"Each baby counts once a year, at their first issue. c = fewer than {ch.min_count} babies, or a "
             "share that would reveal one.", download="fathers-in-proceedings"))


# -- fathers' earlier proceedings and their own needs -----------------------------------------------

def earlier_proceedings(ch: Chapter, frame: pd.DataFrame, role: str = "father") -> pd.Series:
    """Whether the baby's parent (role) was a parent in care proceedings about another child issued before
    the baby's first pre-birth assessment (False when the parent is not recorded)."""
    proceedings, children = ch.data.get("proceedings"), ch.data.get("children")
    if proceedings is None or proceedings.empty:
        return pd.Series(False, index=frame.index)
    column = f"{role}_id"
    earlier = proceedings[["child_id", "issue_date"]].assign(parent=proceedings["child_id"].map(
        children.set_index("child_id")[column])).dropna(subset=["parent"])
    first = earlier.groupby("parent")["issue_date"].apply(list)

    def had(row) -> bool:
        if pd.isna(row[column]) or row[column] not in first.index:
            return False
        others = earlier[(earlier["parent"] == row[column]) & (earlier["child_id"] != row["child_id"])]
        return bool((others["issue_date"] < row["start_date"]).any())
    return frame.apply(had, axis=1).astype(bool) if len(frame) else pd.Series(False, index=frame.index)


def _earlier_proceedings(r: ChapterResult, cells: Cells) -> None:
    ch = cells.ch
    if not ch.data.has("proceedings"):
        r.add("earlier_proceedings", not_yet(
            "how many fathers were parents in earlier care proceedings about another child.",
            ["the proceedings table (each application's child and issue date), with the father's id on every "
             "child's record"],
            "every set of care proceedings, including those before the report period, and the father's id on "
            "each child's record."))
        return
    frame = cells.frame
    had = earlier_proceedings(ch, frame)
    recorded = cells.count("father", "recorded", "all")
    count = Count(key("fathers", "earlier_proceedings", "all"), int(had.sum()))
    share = Share.of(count, recorded)
    r.indicator("fathers_earlier_proceedings_share", "all", share,
                method=SHARE_METHOD + "; of babies with a pre-birth assessment whose father is recorded; proceedings "
                                      "about another child of the same father, issued before the assessment")
    r.add("earlier_proceedings", ResultTable(
        frame_of([{"Babies with a pre-birth assessment and a father recorded": recorded,
                   "Whose father was a parent in earlier proceedings about another child": count,
                   "Share (95% CI)": share if recorded.value else "none recorded"}]),
        "Fathers who were parents in earlier care proceedings about another child",
        note="Earlier proceedings: an application about another child whose record names the same father, issued "
             "before the baby's first pre-birth assessment. Only this authority's records are searched, and only "
             "children whose father is recorded, so proceedings elsewhere, or about a child whose father was not "
             "recorded, are missed: the true share is likely higher. Mothers' earlier proceedings are in chapter 2. "
             f"c = fewer than {ch.min_count} babies, or a share that would reveal one.",
        download="fathers-earlier-proceedings"))
    if recorded.value:
        r.finding("For {share} of babies with a pre-birth assessment and a father recorded, the father had been a "
                  "parent in earlier care proceedings about another child (this authority's records only).",
                  "fathers_earlier_proceedings_share", main=True, share=share)


def _fathers_support(r: ChapterResult, cells: Cells) -> None:
    """Support offered to each parent by kind: the nearest the records come to fathers' own needs."""
    ch = cells.ch
    support = ch.data.get("support") if ch.data.has("support") else None
    intro = ("The assessment factors of the CIN census say what needs a parent or carer has, but not which parent: "
             "fathers' own needs are not recorded apart from mothers'. ")
    if support is None or support.empty or support["parent_id"].isna().all():
        r.add("fathers_support", not_yet(
            "what needs fathers have, and what support they are offered.",
            [intro + "The support table, with the parent each support was offered to (parent_id), is not supplied."],
            "each support offered, with its kind and the parent it was offered to (parent_id), and each parent's "
            "own needs (e.g. in the involvement or parents table) as well as the household's."))
        return
    frame = cells.frame
    offered = support.dropna(subset=["parent_id"])[["child_id", "parent_id", "kind"]].drop_duplicates()
    kinds = [k for k in SUPPORT_LABELS if k in set(offered["kind"])]
    records = []
    for kind in kinds:
        pairs = set(map(tuple, offered.loc[offered["kind"] == kind, ["child_id", "parent_id"]].to_numpy()))
        row = {"Support offered": SUPPORT_LABELS[kind]}
        for role, name in ROLES:
            got = frame.apply(lambda b: (b["child_id"], b[f"{role}_id"]) in pairs, axis=1) if len(frame) else []
            n = Count(key(f"{role}s", f"support_{kind}", "all"), int(pd.Series(got, dtype=bool).sum()))
            recorded = cells.count(role, "recorded", "all")
            row[f"{name}: babies"] = n
            row[f"{name}: share of those recorded (95% CI)"] = (Share.of(n, recorded) if recorded.value
                                                               else "none recorded")
        records.append(row)
    r.add("fathers_support", ResultTable(
        frame_of(records), "Support offered to fathers and mothers of babies with a pre-birth assessment, by kind",
        note=intro + "The support offered to each parent is what the records do hold: each row counts the babies whose "
             "father (mother) was offered that kind of support, as a share of the babies whose father (mother) is "
             f"recorded. A parent can be offered several kinds. c = fewer than {ch.min_count} babies, or a share "
             "that would reveal one.", download="support-by-parent"))
