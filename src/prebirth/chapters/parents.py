"""Chapter 6: The parents.

Who the parents in pre-birth assessment are, and what they need: their ages at the
baby's birth, ethnicity, the needs recorded in the assessment (CIN assessment
factors) and their own experience of care, and how that changed over the years.

:func:`compute` returns everything the chapter publishes as one
:class:`~prebirth.results.ChapterResult`; the book's disclosure step decides what is withheld.

The cohort (``prebirth.definitions.children_with_prebirth_assessment``): every baby
with a pre-birth assessment that started in the report period, counted once, in the
financial year of their first pre-birth assessment. A pre-birth assessment started
before the baby's birth, or while the baby is still unborn, or was recorded as
``pre-birth``. Parents are the baby's ``mother_id`` and ``father_id``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import charts, definitions as d
from ..results import (ChapterResult, Chart, Count, Measure, Notice, Plain, ResultTable, Share, Text, frame_of, key,
                       not_yet)
from .common import Chapter, Prepared, multiple_comparisons

NUMBER, KEY, TITLE = 6, "the_parents", "The parents"
SHARE_METHOD = "Wilson score interval"
FACTOR_LABELS = {
    "mental_health": "Mental health",
    "domestic_abuse": "Domestic abuse",
    "alcohol": "Alcohol use",
    "drugs": "Drug use",
    "substance": "Alcohol or drug use",
    "learning_disability": "Learning disability",
    "physical_illness": "Physical disability or illness",
}
INDICATOR_FACTORS = ("mental_health", "domestic_abuse", "substance", "learning_disability")
BIRTHS_ETHNICITY_PREFIX = "births_ethnicity_"
BIRTHS_ETHNICITY_KEYS = {"white": "White", "mixed": "Mixed", "asian": "Asian or Asian British",
                         "black": "Black or Black British", "other": "Other ethnic group"}
# Griffiths et al. (2020), '1000 mothers' (Wales): data/reference/national_figures.csv
WALES_MENTAL_HEALTH_ID, WALES_MENTAL_HEALTH_COMPARISON_ID = "wales_mental_health_at_booking", \
    "wales_mental_health_comparison"
# The area's (and the nation's) live births by the mother's age: ONS bands, in the generic benchmark
# format (indicator live_births_mother_<band>, by calendar year). The book's last band joins ONS's 35-39
# and 40 and over (or takes a published 35_and_over).
BIRTHS_BY_AGE_PREFIX = "live_births_mother_"
BIRTHS_BY_AGE_BANDS = {"under 20": ("under_20",), "20-24": ("20_24",), "25-29": ("25_29",), "30-34": ("30_34",),
                       "35 and over": ("35_39", "40_and_over")}
BIRTHS_BY_AGE_JOINED = {"35 and over": "35_and_over"}
NATIONAL_CODES = {"England": "E92000001", "Wales": "W92000004"}
# Parents' own childhood contact with children's services (parents table, Y/N; blank is not known)
CHILDHOOD = (("care_experienced", "In care as a child"),
             ("child_protection_as_child", "On a child protection plan as a child"),
             ("child_in_need_as_child", "A child in need as a child"))


def _memo(ch: Chapter, name: str, compute):
    return ch.memo(f"parents:{name}", compute)


# -- shared with chapter 7 -----------------------------------------------------------

def has_cohort(ch: Chapter) -> bool:
    """True when the data can say which babies had a pre-birth assessment."""
    return ch.data.has("assessments")


def missing_cohort(question: str, brief: bool = False) -> Notice:
    """What to record to know which babies had a pre-birth assessment; ``brief`` points back to the full message."""
    if brief:
        return see_above(question, "the assessments table")
    return not_yet(question, ["the assessments table (each assessment's child, start date and kind)"],
                   "every assessment with its start date and kind (pre-birth, child and family, other), and each "
                   "child's date of birth or, before birth, the expected date of birth; the CIN census return you "
                   "already make holds these.")


def see_above(question: str, what: str) -> Notice:
    """A short 'not yet' for a later section, when the chapter's opening message already says what to record."""
    return Notice(f"We can't answer this yet: {question} It needs {what}: what to record is set out at the start of "
                  "'What your data shows'.", kind="notyet", title="Not yet answerable from your data")


def years(ch: Chapter) -> list[str]:
    return d.financial_years(ch.params.period.start, ch.params.period.end)


def cohort(ch: Chapter) -> pd.DataFrame:
    """One row per baby with a pre-birth assessment in the period, with what is known of their parents."""
    def compute():
        babies = d.children_with_prebirth_assessment(ch.data.get("assessments"), ch.data.get("children"),
                                                     ch.params.period.start, ch.params.period.end)
        people = ch.data.get("parents")
        for role in ("mother", "father"):
            ids = babies[f"{role}_id"]
            babies[f"{role}_recorded"] = ids.notna()
            if people is not None and not people.empty:
                table = people.set_index("parent_id")
                babies[f"{role}_age"] = d.age_in_years(ids.map(table["date_of_birth"]), babies["birth_date"])
                babies[f"{role}_ethnicity"] = ids.map(table["ethnicity"])
                babies[f"{role}_care_experienced"] = ids.map(table["care_experienced"])
                for column, _ in CHILDHOOD[1:]:
                    babies[f"{role}_{column}"] = ids.map(table[column]) if column in table else None
            else:
                babies[f"{role}_age"] = pd.array([pd.NA] * len(babies), dtype="Int64")
                babies[f"{role}_ethnicity"] = None
                babies[f"{role}_care_experienced"] = None
                for column, _ in CHILDHOOD[1:]:
                    babies[f"{role}_{column}"] = None
            babies[f"{role}_band"] = d.parent_age_band(babies[f"{role}_age"])
        for key, codes in d.FACTOR_GROUPS.items():
            babies[f"factor_{key}"] = d.has_factor(babies["factors"], codes)
        for key, codes in d.HOUSEHOLD_FACTOR_GROUPS.items():
            babies[f"household_{key}"] = d.has_factor(babies["factors"], codes)
        return babies
    return _memo(ch, "cohort", compute)




def by_period(ch: Chapter, frame: pd.DataFrame, compute) -> list[tuple[str, dict]]:
    """compute(group) for each financial year of the period and for 'all'."""
    parts = dict(tuple(frame.groupby("financial_year", sort=False)))
    out = [(fy, compute(parts.get(fy, frame.iloc[:0]))) for fy in years(ch)]
    out.append(("all", compute(frame)))
    return out


# -- the measures: counts of a group of babies (numerator, denominator, and what else is published) ----

def mothers_under_20(group: pd.DataFrame) -> dict:
    known = group["mother_band"].notna()
    return {"numerator": int((group.loc[known, "mother_band"] == "under 20").sum()), "denominator": int(known.sum())}


def factor_share(factor: str):
    def compute(group: pd.DataFrame) -> dict:
        flags = group[f"factor_{factor}"]
        return {"numerator": int(flags.fillna(False).astype(bool).sum()), "denominator": int(flags.notna().sum())}
    return compute


def household_share(factor: str):
    def compute(group: pd.DataFrame) -> dict:
        flags = group[f"household_{factor}"]
        return {"numerator": int(flags.fillna(False).astype(bool).sum()), "denominator": int(flags.notna().sum())}
    return compute


def care_experienced_parents(group: pd.DataFrame, roles=("mother", "father"), column: str = "care_experienced") -> dict:
    """The parents (each counted once) recorded Y for ``column`` (in care, on a child protection plan,
    a child in need, as a child), of those recorded Y or N."""
    frames = [group[[f"{r}_id", f"{r}_{column}"]].set_axis(["parent_id", "ce"], axis=1) for r in roles]
    people = pd.concat(frames, ignore_index=True).dropna(subset=["parent_id"]).drop_duplicates("parent_id")
    recorded = people["ce"].isin(["Y", "N"])
    return {"numerator": int((people["ce"] == "Y").sum()), "denominator": int(recorded.sum()),
            "parents": len(people), "not_recorded": int((~recorded).sum())}


def has_parent_ages(ch: Chapter) -> bool:
    people = ch.data.get("parents")
    return people is not None and not people.empty and people["date_of_birth"].notna().any()


def has_factors(ch: Chapter) -> bool:
    return has_cohort(ch) and cohort(ch)["factors"].notna().any()


def has_care_experience(ch: Chapter) -> bool:
    people = ch.data.get("parents")
    return people is not None and not people.empty and people["care_experienced"].notna().any()


def has_childhood(ch: Chapter, column: str) -> bool:
    people = ch.data.get("parents")
    return people is not None and not people.empty and column in people and people[column].notna().any()


def births_by_mother_age(ch: Chapter, national: bool = False) -> dict | None:
    """Live births by the mother's age band over the report period's calendar years (the year each
    financial year starts in, as the book pairs births with years), for the area or (``national``) its
    country: {"births": {band: births}, "total": births, "years": [..], "source": text}; None when a band
    is missing for a year or nothing is given."""
    tidy = ch.benchmarks.tidy
    rows = tidy[tidy["indicator"].astype(str).str.startswith(BIRTHS_BY_AGE_PREFIX)]
    if national:
        code = NATIONAL_CODES.get(ch.params.country, "")
        rows = rows[(rows["geographic_level"] == "National") & ((rows["area_code"] == code)
                                                                 | (rows["area_name"] == ch.params.country))]
    else:
        rows = rows[(rows["geographic_level"] == "Local authority") & (rows["area_code"] == ch.params.area_code)]
    wanted = {fy.split("/")[0] for fy in years(ch)}
    rows = rows[rows["period"].astype(str).isin(wanted) & ~rows["suppressed"].astype(bool) & rows["value"].notna()]
    if rows.empty:
        return None
    by = rows.assign(band=rows["indicator"].str[len(BIRTHS_BY_AGE_PREFIX):]).groupby(["period", "band"])["value"].sum()
    births, used = dict.fromkeys(BIRTHS_BY_AGE_BANDS, 0.0), []
    for year in sorted(set(rows["period"].astype(str))):
        found = by.loc[year]
        counts = {}
        for label, parts in BIRTHS_BY_AGE_BANDS.items():
            if all(p in found for p in parts):
                counts[label] = float(sum(found[p] for p in parts))
            elif BIRTHS_BY_AGE_JOINED.get(label) in found:
                counts[label] = float(found[BIRTHS_BY_AGE_JOINED[label]])
        if len(counts) == len(BIRTHS_BY_AGE_BANDS):
            used.append(year)
            for label, n in counts.items():
                births[label] += n
    total = sum(births.values())
    if not used or total <= 0:
        return None
    return {"births": births, "total": total, "years": used, "source": "; ".join(sorted(set(rows["source"].dropna())))}


def births_by_ethnicity(ch: Chapter) -> pd.Series | None:
    """The area's births by ethnic group as shares, from ``context`` rows ``births_ethnicity_<group>``."""
    context = ch.data.get("context")
    if context is None or context.empty:
        return None
    rows = context[context["indicator"].str.lower().str.startswith(BIRTHS_ETHNICITY_PREFIX)]
    if rows.empty:
        return None
    keys = rows["indicator"].str.lower().str[len(BIRTHS_ETHNICITY_PREFIX):]
    groups = keys.map(BIRTHS_ETHNICITY_KEYS)
    total = rows.loc[groups.notna(), "value"].groupby(groups[groups.notna()]).sum()
    if total.sum() <= 0:
        return None
    return total / total.sum()




# -- the chapter's cells --------------------------------------------------------------------

ROLE_GROUPS = (("", ("mother", "father")), ("mothers", ("mother",)), ("fathers", ("father",)))
COHORT_MEASURES = (
    ("mothers_under_20_share", "Mothers under 20", "ages"),
    ("factor_mental_health_share", "Mental health need recorded", "factors"),
    ("factor_domestic_abuse_share", "Domestic abuse recorded", "factors"),
    ("factor_substance_share", "Alcohol or drug use recorded", "factors"),
    ("factor_learning_disability_share", "Learning disability recorded", "factors"),
    ("parents_care_experienced_share", "Parents who were in care", "care"),
)


class Cells:
    """The chapter's counts under their book-wide keys: each measure by year and for the whole period,
    with the years related to the whole period."""

    def __init__(self, ch: Chapter, r: ChapterResult):
        self.ch, self.r = ch, r
        self.babies = cohort(ch)
        self.parts = dict(tuple(self.babies.groupby("financial_year", sort=False)))
        self._series: dict = {}

    def group(self, period: str) -> pd.DataFrame:
        return self.babies if period == "all" else self.parts.get(period, self.babies.iloc[:0])

    def cohort(self, period: str) -> Count:
        # the same babies as chapter 7's: one each, in the year of their first pre-birth assessment
        return Count(key("prebirth_assessments", period), len(self.group(period)))

    def share(self, measure: str, period: str) -> Share:
        """measure: mothers_under_20, factor_<name>, care[_mothers|_fathers]."""
        return self.series(measure)[period]

    def series(self, measure: str) -> dict[str, Share]:
        if measure not in self._series:
            compute, name = self._measure(measure)
            out = {}
            for period in [*years(self.ch), "all"]:
                row = compute(self.group(period))
                # every factor's share is of the same babies: those whose assessments recorded factors
                recorded = "factors" if measure.startswith(("factor_", "household_")) else name
                out[period] = Share.of(Count(key("parents", name, "yes", period), row["numerator"]),
                                       Count(key("parents", recorded, "recorded", period), row["denominator"]))
            periods = years(self.ch)
            for side in ("numerator", "denominator"):
                self.r.relate_periods(getattr(out["all"], side), [getattr(out[p], side) for p in periods],
                                      f"{name}: the years against the whole period")
            self._series[measure] = out
        return self._series[measure]

    @staticmethod
    def _measure(measure: str):
        if measure == "mothers_under_20":
            return mothers_under_20, "mothers under 20"
        if measure.startswith("factor_"):
            return factor_share(measure[len("factor_"):]), measure
        if measure.startswith("household_"):
            return household_share(measure[len("household_"):]), measure
        for column, _ in CHILDHOOD[1:]:
            if measure == column:
                return (lambda group: care_experienced_parents(group, ("mother", "father"), column)), \
                    f"{column} mother+father"
        roles = dict(ROLE_GROUPS)[measure[len("care_"):] if measure != "care" else ""]
        return (lambda group: care_experienced_parents(group, roles)), f"care experienced {'+'.join(roles)}"


def compute(prepared: Prepared, upstream: dict | None = None) -> ChapterResult:
    """Everything chapter 6 publishes, before disclosure."""
    ch = Chapter(NUMBER, KEY, prepared)
    r = ChapterResult(NUMBER, KEY, TITLE)
    r.glue.update(dict.fromkeys(("ch6_babies", "ch6_mothers_under_20", "ch6_mental_health", "ch6_domestic_abuse",
                                 "ch6_substance", "ch6_care_experienced", "ch6_mental_health_compare")))
    r.prompts = ["What needs do parents most often bring, and which services meet them before the birth?",
                 "How many parents were in care themselves, and what does the area offer them as corporate parent?",
                 "Are young mothers offered help that suits their age?"]
    r.add("looked_after_mothers", _looked_after_mothers(ch, r))
    if not has_cohort(ch):
        r.status = {"answer": "not yet"}
        r.add("headline", missing_cohort("who the parents in pre-birth assessment are and what they need."))
        for name, question in (("age_table", "how old the parents in pre-birth assessment are."),
                               ("ethnicity_table", "the ethnicity of parents in pre-birth assessment."),
                               ("needs_table", "what needs parents bring to pre-birth assessment."),
                               ("care_experience_table", "how many parents in pre-birth assessment were in care "
                                                         "themselves."),
                               ("cohort_table", "how the parents in pre-birth assessment changed over the years.")):
            r.add(name, missing_cohort(question, brief=True))
        r.add("national_comparison", _national_comparison(None, ch.params.country))
        return r
    cells = Cells(ch, r)
    r.status = {"answer": "can answer" if len(cells.babies) else "no babies"}
    _indicators(r, cells, ch)
    _headline(r, cells, ch)
    if len(cells.babies):
        _ages(r, cells, ch)
        _ethnicity(r, cells, ch)
        _needs(r, cells, ch)
        _care_experience(r, cells, ch)
        _childhood(r, cells, ch)
        _cohort(r, cells, ch)
    local = cells.share("factor_mental_health", "all") if len(cells.babies) and has_factors(ch) else None
    if local is not None and local.denominator.value:
        r.glue["ch6_mental_health_compare"] = local
    r.add("national_comparison", _national_comparison(local if local is not None and local.denominator.value
                                                      else None, ch.params.country))
    return r


def _available(ch: Chapter) -> list[tuple[str, str, str]]:
    ok = {"ages": has_parent_ages(ch), "factors": has_factors(ch), "care": has_care_experience(ch)}
    return [m for m in COHORT_MEASURES if ok[m[2]]]


def _measure_of(indicator: str) -> str:
    return {"mothers_under_20_share": "mothers_under_20", "parents_care_experienced_share": "care"}.get(
        indicator, indicator[:-len("_share")])


def _indicators(r: ChapterResult, cells: Cells, ch: Chapter) -> None:
    if not len(cells.babies):
        return
    periods = [*years(ch), "all"]
    if has_parent_ages(ch):
        for period in periods:
            r.indicator("mothers_under_20_share", period, cells.share("mothers_under_20", period), method=SHARE_METHOD)
    if has_factors(ch):
        for factor in INDICATOR_FACTORS:
            for period in periods:
                r.indicator(f"factor_{factor}_share", period, cells.share(f"factor_{factor}", period),
                            method=SHARE_METHOD + "; babies whose pre-birth assessment recorded factors")
    if has_care_experience(ch):
        for group, _ in ROLE_GROUPS:
            measure = "care" + (f"_{group}" if group else "")
            for period in periods:
                r.indicator("parents_care_experienced_share", period, cells.share(measure, period), group=group,
                            method=SHARE_METHOD + "; parents recorded Y or N, each counted once")


def _headline(r: ChapterResult, cells: Cells, ch: Chapter) -> None:
    if not len(cells.babies):
        r.add("headline", Notice("No baby had a pre-birth assessment that started in the report period."))
        return
    babies = cells.cohort("all")
    r.glue["ch6_babies"] = babies
    parts = [Text("Over the report period, {n} babies had a pre-birth assessment in {area}.",
                  {"n": babies, "area": Plain(ch.params.area_name)},
                  Text("Over the report period, babies had a pre-birth assessment in {area} (how many is "
                       "withheld: too few to publish, or it would let a small number be worked out).",
                       {"area": Plain(ch.params.area_name)}))]
    if has_parent_ages(ch):
        young = cells.share("mothers_under_20", "all")
        if young.denominator.value:
            r.glue["ch6_mothers_under_20"] = young
            parts.append(Text("For {s} of them the mother was under 20 when the baby was born or due.", {"s": young}))
            area = births_by_mother_age(ch)
            if area is not None:
                births = _births_share(area, "under 20")
                words = ("higher than" if young.lower > births.value else "lower than" if young.upper < births.value
                         else "close to")
                r.finding("The mother was under 20 for {s} of babies with a pre-birth assessment ({s:one_in}), "
                          + words + " the {area} among all mothers giving birth in the area.",
                          "mothers_under_20_share", main=True, s=young, area=births)
            else:
                r.finding("Mothers under 20 at the baby's birth: {s} of babies with a pre-birth assessment "
                          "({s:one_in}).", "mothers_under_20_share", main=True, s=young)
    if has_factors(ch):
        needs = {}
        for factor, name in (("mental_health", "ch6_mental_health"), ("domestic_abuse", "ch6_domestic_abuse"),
                             ("substance", "ch6_substance")):
            share = cells.share(f"factor_{factor}", "all")
            if share.denominator.value:
                r.glue[name] = share
                needs[factor] = share
        if needs:
            # one sentence whose figures are all shown, or none (a list of needs with gaps would mislead)
            listed = _join([f"{FACTOR_LABELS[f].lower()} ({{{f}}})" for f in needs])
            parts.append(Text("The needs most often recorded in the assessments were " + listed + ".", needs))
            r.finding("Needs recorded in pre-birth assessments: " + listed + ".", "factor_mental_health_share",
                      main=True, **needs)
    if has_care_experience(ch):
        care = cells.share("care", "all")
        if care.denominator.value:
            r.glue["ch6_care_experienced"] = care
            parts.append(Text("{s} of the parents whose care history is recorded had been in care themselves.",
                              {"s": care}))
            r.finding("{s} of parents in pre-birth assessment (where recorded) were themselves in care as children.",
                      "parents_care_experienced_share", main=True, s=care)
    r.add("headline", Notice(parts))


def _births_share(area: dict, band: str) -> Measure:
    """The share of the area's births in an age band: a public figure (ONS), resting on no count of the book."""
    return Measure(area["births"][band] / area["total"], unit="proportion", digits=0)


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _missing_parents(question: str) -> Notice:
    return not_yet(question, ["the parents table with each parent's date of birth and role, linked from the "
                              "baby's record by mother_id and father_id"],
                   "each parent's date of birth, ethnicity and whether they were in care themselves, and the "
                   "mother's and father's ids on the baby's record from the first referral, before birth.")


def _ages(r: ChapterResult, cells: Cells, ch: Chapter) -> None:
    if not has_parent_ages(ch):
        r.add("age_table", _missing_parents("how old the parents in pre-birth assessment are."))
        return
    babies, total = cells.babies, cells.cohort("all")
    columns, chart = {}, []
    for role, name in (("mother", "Mothers"), ("father", "Fathers")):
        band = babies[f"{role}_band"]
        # mothers' known ages and the under-20 band are the counts of the mothers_under_20 share
        known = Count(key("parents", "mothers under 20" if role == "mother" else "father age", "recorded", "all"),
                      int(band.notna().sum()))
        counts = {label: Count(key("parents", "mothers under 20", "yes", "all") if (role, label) == ("mother",
                                                                                                   "under 20")
                               else key("parents", f"{role} age", label, "all"), int((band == label).sum()))
                  for label in d.PARENT_AGE_BANDS}
        no_age = Count(key("parents", f"{role} age", "not recorded", "all"),
                       int((babies[f"{role}_recorded"] & band.isna()).sum()))
        no_parent = Count(key("parents", f"{role} not recorded", "all"), int((~babies[f"{role}_recorded"]).sum()))
        r.relate(known, list(counts.values()), f"{name.lower()}'s age bands add up to those whose age is known")
        r.relate(total, [known, no_age, no_parent], f"{name.lower()}: known ages, ages not recorded and parents not "
                                                    "recorded add up to the babies")
        if role == "mother":
            _age_compare(r, cells, ch, counts, known)
        columns[name] = [*counts.values(), no_age, no_parent, total]
        columns[f"{name}: % of known ages"] = [Share.of(c, known) for c in counts.values()] + ["", "", ""]
        chart += [{"Age band": label, "Parent": name, "Per cent": Share.of(c, known)} for label, c in counts.items()]
    labels = list(d.PARENT_AGE_BANDS) + ["Age not recorded", "Parent not recorded",
                                         "All babies with a pre-birth assessment"]
    frame = frame_of([{"Age at the baby's birth": label, **{c: v[i] for c, v in columns.items()}}
                      for i, label in enumerate(labels)])
    r.add("age_table", ResultTable(
        frame, "Age of mothers and fathers when the baby was born (or was due), babies with a pre-birth assessment in "
               "the report period",
        note=f"c = fewer than {ch.min_count} parents, or a figure that would reveal one by subtraction from the total. "
             "Age in completed years on the baby's date of birth, or the expected date while the baby is unborn. Each "
             "baby counts once, so a parent with two babies in the period appears twice, at their age each time.",
        download="parents-age"))
    young = chart[0]["Per cent"]
    r.add("age_chart", Chart(
        draw_age_bars, frame_of(chart), "Mothers and fathers by age at the baby's birth (bars: 95% confidence "
                                        "intervals)",
        Text("Horizontal bar chart of the age bands of mothers and fathers at the baby's birth, for babies with a "
             "pre-birth assessment. {young} of mothers were under 20.", {"young": young},
             "Horizontal bar chart of the age bands of mothers and fathers at the baby's birth, for babies with a "
             "pre-birth assessment."),
        note=f"Bars that rest on fewer than {ch.min_count} parents, or would reveal them, are not drawn (c in the "
             "data below).", download="parents-age-chart",
        title=Text("{young} of mothers were under 20 when their baby was born", {"young": young})))


def _age_compare(r: ChapterResult, cells: Cells, ch: Chapter, counts: dict, known: Count) -> None:
    """Mothers' ages at the birth against all mothers giving birth in the area (and the nation), from
    ONS live births by the mother's age in the benchmarks."""
    area, nation = births_by_mother_age(ch), births_by_mother_age(ch, national=True)
    if area is None:
        r.add("age_compare", Notice(
            "**Against all mothers giving birth in the area:** not in your benchmarks yet. ONS publishes live "
            "births by the mother's age for every local authority each year (births by mother's usual area of "
            "residence). Add them to the benchmarks folder in the generic format, one row per calendar year and "
            "age band, with indicator live_births_mother_under_20, live_births_mother_20_24, _25_29, _30_34, "
            "_35_39 and _40_and_over (and the same rows for the country, geographic_level National), to compare "
            "the mothers here with every mother giving birth in the area.", kind="notyet",
            title="Mothers' ages against all births: not in your benchmarks"))
        return
    place = ch.params.country
    records = []
    for label in d.PARENT_AGE_BANDS:
        row = {"Mother's age at the birth": label,
               "Mothers of babies with a pre-birth assessment: % (95% CI)": Share.of(counts[label], known),
               f"All mothers giving birth in {ch.params.area_name}": _births_share(area, label)}
        if nation is not None:
            row[f"All mothers giving birth in {place}"] = _births_share(nation, label)
        records.append(row)
    invented = any(w in area["source"].lower() for w in ("synthetic", "invented"))
    span = f"{area['years'][0]}" if len(area["years"]) == 1 else f"{area['years'][0]} to {area['years'][-1]}"
    note = (f"All mothers giving birth: ONS live births by the mother's age, calendar years {span} together "
            "(the benchmarks file). Mothers here: each baby with a pre-birth assessment once, the mother's age "
            "known. " + ("In this demo the births by age are invented, like the rest of its data. " if invented
                         else "") + ("" if nation is not None else f"No figure for {place} as a whole was in the "
                                     "benchmarks. ") +
            f"c = fewer than {ch.min_count} mothers, or a share that would reveal one.")
    r.add("age_compare", ResultTable(frame_of(records), "Mothers' ages at the birth: babies with a pre-birth "
                                                        "assessment against all births in the area",
                                     note=note, download="mothers-age-against-births"))


def draw_age_bars(data: pd.DataFrame):
    frame = pd.DataFrame({"Age band": data["Age band"], "Parent": data["Parent"], "Per cent": data["Per cent"] * 100,
                          "Lower 95%": data["Per cent_lower"] * 100, "Upper 95%": data["Per cent_upper"] * 100})
    return charts.grouped_bars(frame, "Age band", "Parent", "Per cent", "% of parents whose age is known",
                               "Lower 95%", "Upper 95%")


def _ethnicity(r: ChapterResult, cells: Cells, ch: Chapter) -> None:
    people = ch.data.get("parents")
    if people is None or people.empty or people["ethnicity"].isna().all():
        r.add("ethnicity_table", not_yet("the ethnicity of parents in pre-birth assessment.",
                                         ["parents' ethnicity (the parents table, column ethnicity)"],
                                         "each parent's ethnicity as a DfE code (e.g. WBRI), as the parent describes "
                                         "it."))
        return
    babies = cells.babies
    mothers = babies[babies["mother_recorded"]].drop_duplicates("mother_id")
    group = d.ethnic_group(mothers["mother_ethnicity"])
    labels = list(d.ETHNIC_GROUPS) + [d.ETHNICITY_NOT_KNOWN]
    counts = {g: Count(key("parents", "mother ethnicity", g, "all"), int((group == g).sum())) for g in labels}
    everyone = Count(key("parents", "mothers", "all"), len(mothers))
    known = r.hidden_count(key("parents", "mother ethnicity", "known", "all"),
                           sum(counts[g].value for g in d.ETHNIC_GROUPS))
    known = Count(known, r.implicit[known])
    r.relate(known, [counts[g] for g in d.ETHNIC_GROUPS], "mothers by ethnic group add up to those whose group is known")
    r.relate(everyone, [known, counts[d.ETHNICITY_NOT_KNOWN]], "mothers: known and not known add up to all")
    area = births_by_ethnicity(ch)
    from ..stats.rounding import round_half_up

    records = []
    for g in labels:
        row = {"Ethnic group": g, "Mothers": counts[g],
               "% of mothers whose ethnicity is known": "" if g == d.ETHNICITY_NOT_KNOWN else Share.of(counts[g], known)}
        if area is not None:
            row["% of the area's births"] = (f"{round_half_up(100 * area.get(g, 0.0), 0):.0f}%"
                                             if g in d.ETHNIC_GROUPS else "")
        records.append(row)
    records.append({"Ethnic group": "All mothers", "Mothers": everyone, "% of mothers whose ethnicity is known": "",
                    **({"% of the area's births": ""} if area is not None else {})})
    note = (f"c = fewer than {ch.min_count} mothers, or a figure that would reveal one. Each mother counts once. "
            "Groups follow the DfE ethnicity codes (Chinese is counted in 'Other ethnic group', as in the children "
            "looked after statistics).")
    if area is None:
        note += (" The area's births by ethnic group were not supplied: add rows to the context table with indicator "
                 "births_ethnicity_white, _mixed, _asian, _black and _other (births or percentages, e.g. from the "
                 "Maternity Services Data Set) to compare.")
    r.add("ethnicity_table", ResultTable(frame_of(records), "Ethnic group of mothers of babies with a pre-birth "
                                                            "assessment", note=note, download="ethnicity"))


NEEDS_CHART = ("mental_health", "domestic_abuse", "alcohol", "drugs", "learning_disability", "physical_illness")


def _needs(r: ChapterResult, cells: Cells, ch: Chapter) -> None:
    if not has_factors(ch):
        r.add("needs_table", not_yet("what needs parents bring to pre-birth assessment.",
                                     ["the assessment factors of pre-birth assessments (assessments table, column "
                                      "factors)"],
                                     "the CIN assessment factors at the end of every assessment, pre-birth ones "
                                     "included (e.g. 4B mental health of a parent), as in the CIN census."))
        return
    babies = cells.babies
    shares = {f: cells.share(f"factor_{f}", "all") for f in FACTOR_LABELS}
    household = {f: cells.share(f"household_{f}", "all") for f in FACTOR_LABELS}
    recorded = next(iter(shares.values())).denominator
    blank = Count(key("parents", "factors", "not recorded", "all"), len(babies) - recorded.value)
    none_found = Count(key("parents", "factors", "none identified", "all"),
                       int(babies["factors"].map(lambda v: d.factor_codes(v) == {d.NO_FACTORS_CODE}).sum()))
    r.relate(cells.cohort("all"), [recorded, blank], "babies: factors recorded and not recorded")
    r.hidden_count(key("parents", "factors", "some identified", "all"), recorded.value - none_found.value)
    r.relate(recorded, [none_found, key("parents", "factors", "some identified", "all")],
             "factors recorded: none identified and some")
    records = [{"Need recorded": label,
                "CIN factor codes (parent / household)": "/".join(d.FACTOR_GROUPS[f]) + " / "
                + "/".join(d.HOUSEHOLD_FACTOR_GROUPS[f]),
                "A parent or carer: babies": shares[f].numerator, "A parent or carer: share (95% CI)": shares[f],
                "Another person in the household: babies": household[f].numerator,
                "Another person in the household: share (95% CI)": household[f]}
               for f, label in FACTOR_LABELS.items()]
    r.add("needs_table", ResultTable(
        frame_of(records), "Needs recorded in pre-birth assessments: a parent's own needs, and another person's in the "
                           "household",
        note=Text("Shares are of the {recorded} babies whose pre-birth assessment recorded factors (left out: {blank} "
                  "whose assessments recorded none), including {none} with 'no factors identified' (code 21). Codes "
                  "ending B are about a parent or carer: the parents' own needs, counted in the chapter's figures. "
                  "Codes ending C are about another person in the household, shown apart: they are not the parents' "
                  "needs. A baby counts once for each need. "
                  f"c = fewer than {ch.min_count} babies, or a share that would reveal one.",
                  {"recorded": recorded, "blank": blank, "none": none_found},
                  "Shares are of the babies whose pre-birth assessment recorded factors. Codes ending B are about a "
                  "parent or carer: the parents' own needs, counted in the chapter's figures. Codes ending C are about "
                  "another person in the household, shown apart: they are not the parents' needs. A baby counts once "
                  f"for each need. c = fewer than {ch.min_count} babies, or a share that would reveal one."),
        download="needs"))
    chart = [{"Need": FACTOR_LABELS[f], "Per cent": shares[f]} for f in NEEDS_CHART]
    r.add("needs_chart", Chart(
        draw_needs, frame_of(chart), "Needs recorded in pre-birth assessments (bars: 95% confidence intervals)",
        Text("Bar chart of the needs recorded in pre-birth assessments. A parental mental health need was recorded for "
             "{mh} of babies.", {"mh": shares["mental_health"]},
             "Bar chart of the needs recorded in pre-birth assessments."),
        note=f"Needs whose share rests on fewer than {ch.min_count} babies, or would reveal them, are not drawn.",
        download="needs-chart",
        title=Text("A parental mental health need was recorded for {mh} of babies with a pre-birth assessment",
                   {"mh": shares["mental_health"]})))


def draw_needs(data: pd.DataFrame):
    frame = pd.DataFrame({"Need": data["Need"], "Per cent": data["Per cent"] * 100,
                          "Lower 95%": data["Per cent_lower"] * 100, "Upper 95%": data["Per cent_upper"] * 100})
    frame = frame[frame["Per cent"].notna()].sort_values("Per cent", ascending=False)
    return charts.bars(frame, "Need", "Per cent", "% of babies with a pre-birth assessment", "Lower 95%", "Upper 95%")


def _care_experience(r: ChapterResult, cells: Cells, ch: Chapter) -> None:
    if not has_care_experience(ch):
        r.add("care_experience_table", not_yet(
            "how many parents in pre-birth assessment were in care themselves.",
            ["whether each parent was in care as a child (parents table, column care_experienced)"],
            "for each parent, Y or N: were they looked after as a child (ask, and record the answer; a blank is read "
            "as 'not known')."))
        return
    records = []
    for label, (group, roles) in zip(("All parents", "Mothers", "Fathers"), ROLE_GROUPS):
        share = cells.share("care" + (f"_{group}" if group else ""), "all")
        row = care_experienced_parents(cells.babies, roles)
        known = Count(key("parents", f"care {'+'.join(roles)}", "parents", "all"), row["parents"])
        missing = Count(key("parents", f"care {'+'.join(roles)}", "not recorded", "all"), row["not_recorded"])
        r.relate(known, [share.denominator, missing], f"{label.lower()}: care history recorded and not recorded")
        records.append({"Parents": label, "Parents known": known, "Care history recorded": share.denominator,
                        "Were in care themselves": share.numerator, "Share of those recorded (95% CI)": share,
                        "Not recorded": missing})
    records = records[1:] + records[:1]  # mothers, fathers, then all parents
    r.add("care_experience_table", ResultTable(
        frame_of(records), "Parents of babies with a pre-birth assessment who were in care themselves",
        note="Each parent counts once. Shares are of the parents whose care history is recorded (Y or N); a blank is "
             f"not read as 'no'. c = fewer than {ch.min_count} parents, or a share that would reveal one.",
        download="care-experience"))


def _childhood(r: ChapterResult, cells: Cells, ch: Chapter) -> None:
    """Parents' own childhood contact with children's services beyond care: child protection, child in need."""
    if not any(has_childhood(ch, column) for column, _ in CHILDHOOD[1:]):
        r.add("childhood_table", not_yet(
            "whether parents had a child protection plan, or were children in need, when they were children.",
            ["the parents table's columns child_protection_as_child and child_in_need_as_child (Y or N)"],
            "for each parent, Y or N: were they on a child protection plan as a child, and were they a child in "
            "need (supported by children's social care) as a child. The parent's own childhood record, where the "
            "authority holds it, or the parent's own account, answers both."))
        return
    records, shares = [], {}
    for column, label in CHILDHOOD:
        if not has_childhood(ch, column):
            records.append({"Parents' own childhood": label, "Parents known": "", "Recorded (Y or N)": "not recorded",
                            "Yes": "", "Share of those recorded (95% CI)": "", "Not recorded": ""})
            continue
        measure = "care" if column == "care_experienced" else column
        share = cells.share(measure, "all")
        row = care_experienced_parents(cells.babies, ("mother", "father"), column)
        name = "care mother+father" if column == "care_experienced" else f"{column} mother+father"
        known = Count(key("parents", name, "parents", "all"), row["parents"])
        missing = Count(key("parents", name, "not recorded", "all"), row["not_recorded"])
        r.relate(known, [share.denominator, missing], f"parents: {label.lower()} recorded and not recorded")
        if column != "care_experienced":
            r.indicator(f"parents_{column}_share", "all", share,
                        method=SHARE_METHOD + "; parents recorded Y or N, each counted once")
        shares[column] = share
        records.append({"Parents' own childhood": label, "Parents known": known, "Recorded (Y or N)": share.denominator,
                        "Yes": share.numerator, "Share of those recorded (95% CI)": share, "Not recorded": missing})
    r.add("childhood_table", ResultTable(
        frame_of(records), "Parents of babies with a pre-birth assessment: their own contact with children's services "
                           "as children",
        note="Each parent (mother or father) counts once. Shares are of the parents whose answer is recorded (Y or N): "
             "a blank is not read as 'no'. A parent can be counted in more than one row (a child in need who later "
             f"came into care, for example). c = fewer than {ch.min_count} parents, or a share that would reveal one.",
        download="parents-childhood"))
    found = {k: v for k, v in shares.items() if k != "care_experienced" and v.denominator.value}
    if found:
        words = {"child_protection_as_child": "were on a child protection plan", "child_in_need_as_child":
                 "were children in need"}
        listed = _join([f"{{{k}}} {words[k]}" for k in found])
        r.finding("Beyond care: as children, " + listed + " (parents in pre-birth assessment, where recorded).",
                  "parents_child_protection_as_child_share", main=True, **found)


def _looked_after_mothers(ch: Chapter, r: ChapterResult):
    children = ch.data.get("children")
    if children is None or "mother_flag" not in children.columns:
        return Notice("Your data do not include the SSDA903 fields MOTHER and MC_DOB. If you supply the 903 header "
                      "table, this section also counts young people in your care who became mothers, by the year "
                      "their baby was born.", kind="notyet", title="Looked-after young mothers: not in your data")
    flagged = children[children["mother_flag"].astype("object").fillna("").astype(str).str.strip() == "1"]
    flagged = flagged.drop_duplicates("child_id")
    baby_dob = pd.to_datetime(flagged.get("mother_child_dob"), errors="coerce") if "mother_child_dob" in flagged \
        else pd.Series(pd.NaT, index=flagged.index)
    start, end = pd.Timestamp(ch.params.period.start), pd.Timestamp(ch.params.period.end)
    in_period = (baby_dob >= start) & (baby_dob <= end)
    fy = d.financial_year(baby_dob[in_period])
    method = "SSDA903 MOTHER = 1, by financial year of MC_DOB"
    per_year = {period: Count(key("looked_after_mothers", period), int((fy == period).sum())) for period in years(ch)}
    total = Count(key("looked_after_mothers", "all"), int(in_period.sum()))
    r.relate_periods(total, list(per_year.values()), "looked-after young mothers: the years against the whole period")
    for period, n in [*per_year.items(), ("all", total)]:
        r.indicator("looked_after_young_mothers", period, n, unit="count", method=method)
    undated = Count(key("looked_after_mothers", "no baby's date of birth"), int(baby_dob.isna().sum()))
    records = [{"Year the baby was born": p, "Looked-after young mothers": n} for p, n in per_year.items()]
    records.append({"Year the baby was born": "All years", "Looked-after young mothers": total})
    return ResultTable(
        frame_of(records), "Young people looked after who became mothers (SSDA903 MOTHER), by year of their baby's "
                           "birth",
        note=Text("The 903 return does not link a young mother to her baby, so these mothers cannot be matched to the "
                  "pre-birth assessments above. {undated} flagged as mothers had no baby's date of birth (MC_DOB). "
                  f"c = fewer than {ch.min_count} young people, or a figure that would reveal one.",
                  {"undated": undated},
                  "The 903 return does not link a young mother to her baby, so these mothers cannot be matched to the "
                  "pre-birth assessments above. Some flagged as mothers had no baby's date of birth (MC_DOB). "
                  f"c = fewer than {ch.min_count} young people, or a figure that would reveal one."),
        download="looked-after-mothers")


def _cohort(r: ChapterResult, cells: Cells, ch: Chapter) -> None:
    periods = years(ch)
    r.relate_periods(cells.cohort("all"), [cells.cohort(p) for p in periods],
                     "babies with a pre-birth assessment: the years against the whole period")
    measures = _available(ch)
    records = []
    for period in [*periods, "all"]:
        row = {"Year": "All years" if period == "all" else period,
               "Babies with a pre-birth assessment": cells.cohort(period)}
        for indicator, label, _ in measures:
            share = cells.share(_measure_of(indicator), period)
            row[label] = Text("{s}", {"s": share}, "c") if share.denominator.value else "none recorded"
        records.append(row)
    r.add("cohort_table", ResultTable(
        frame_of(records), "Babies with a pre-birth assessment, and their parents, by financial year of the first "
                           "pre-birth assessment",
        note=f"c = fewer than {ch.min_count} babies or parents, or a share that would reveal one. Each baby counts "
             "once, in the year their first pre-birth assessment started.", download="cohort-by-year"))
    if not measures:
        return
    chart = [{"Measure": label, "Year": period, "Per cent": cells.share(_measure_of(indicator), period)}
             for indicator, label, _ in measures for period in periods]
    events = [{"x": d.financial_year(pd.Series([pd.Timestamp(e.date)])).iloc[0], "label": e.label}
              for e in ch.params.events]
    r.add("cohort_chart", Chart(
        draw_cohort_panels, frame_of(chart), "How the parents in pre-birth assessment changed, by financial year (bars: "
                                             "95% confidence intervals)",
        "Stacked panels sharing one time axis, one for each measure of the parents in pre-birth assessment ("
        + ", ".join(label.lower() for _, label, _ in measures) + "), by financial year with 95% confidence intervals"
        + (", and a dotted line at each dated service change." if events else "."),
        options={"order": periods, "events": events},
        note=f"Points that rest on fewer than {ch.min_count} people, or would reveal them, are not drawn.",
        download="cohort-chart"))
    _cohort_trend(r, cells, measures)


def draw_cohort_panels(data: pd.DataFrame, order: list, events: list):
    panels = []
    for label, part in data.groupby("Measure", sort=False):
        panels.append({"title": label, "ylabel": "%", "zero": True, "data": pd.DataFrame({
            "x": part["Year"], "y": part["Per cent"] * 100, "lower": part["Per cent_lower"] * 100,
            "upper": part["Per cent_upper"] * 100})})
    return charts.aligned_panels(panels, order, events)


def _cohort_trend(r: ChapterResult, cells: Cells, measures) -> None:
    from ..stats import glm

    records = []
    for indicator, label, _ in measures:
        series = cells.series(_measure_of(indicator))
        part = [(p, s) for p, s in series.items() if p != "all" and s.denominator.value > 0]
        whole = series["all"]
        if len(part) < 3 or sum(s.numerator.value for _, s in part) == 0:
            continue
        fit = glm.binomial_trend(np.array([s.numerator.value for _, s in part], float),
                                 np.array([s.denominator.value for _, s in part], float), [p for p, _ in part])
        if not fit.fitted_ok:
            continue
        rest = Count(key("rest", whole.denominator.key, whole.numerator.key),
                     whole.denominator.value - whole.numerator.value)
        change = Measure(fit.ratio - 1, on=(whole.numerator, whole.denominator, rest), lower=fit.lower - 1,
                         upper=fit.upper - 1, unit="change", digits=1)
        direction = ("became more common" if fit.lower > 1 else "became less common" if fit.upper < 1
                     else "showed no clear change")
        records.append({"Measure": label, "Change in the odds per year": Text("{c}", {"c": change}, "c"),
                        "95% confidence interval": Text("{c:interval}", {"c": change}, ""),
                        "What it means": Text(direction, {"c": change}, "c")})
    if not records:
        r.add("cohort_trend", Notice("There are too few years to look for a trend in the parents' characteristics."))
        return
    r.add("cohort_trend", ResultTable(
        frame_of(records), "Is the cohort changing? Average yearly change in each share",
        note=("A change of +5% means the odds rose by about 5% a year. With ten or fewer yearly points only a "
              "steady, sizeable change can be told apart from chance. " + multiple_comparisons(len(records))).strip(),
        analyst_note="A logistic regression of each yearly share on the year (quasi-binomial: its interval is "
                     "widened by how much more the yearly shares vary than chance allows).",
        download="cohort-trend"))



def _national_comparison(local: Share | None, country: str = "England") -> Notice:
    """The Wales '1000 mothers' figures: Wales's national comparison for a Welsh area; for an English
    area, said to come from Wales (England has no such published figure)."""
    from .. import reference
    from ..stats.rounding import round_half_up

    def pct(value):
        return f"{round_half_up(100 * value, 0):.0f}%"

    at_booking = reference.value(WALES_MENTAL_HEALTH_ID)
    comparison = reference.value(WALES_MENTAL_HEALTH_COMPARISON_ID)
    if at_booking is None or comparison is None:
        return Notice("The '1000 mothers' figures (Griffiths et al. 2020) are not in the book's reference file.")
    study = (f"In the Wales '1000 mothers' study, {pct(at_booking)} of mothers whose babies later came into "
             f"care proceedings reported a mental health condition at their first antenatal assessment, against "
             f"{pct(comparison)} of other mothers (Griffiths et al. 2020).")
    if country == "Wales":
        where = " These are Wales's own figures: the national comparison for this area."
    else:
        where = (f" These figures come from Wales: no such figure is published for {country}, so they are the nearest "
                 "published comparison, not a national one for this area.")
    caveat = (" The definitions differ: the study used mothers' own reports to midwives, for mothers of infants in "
              "proceedings; this book uses the assessment factors a social worker recorded, for any parent or member "
              "of the household, for every baby with a pre-birth assessment. Read the two side by side, not as a "
              "like-for-like comparison.")
    lead = "**Comparing with the '1000 mothers' study.** "
    if local is None:
        return Notice(lead + study + where + caveat)
    return Notice([Text(lead + study + where + " Here, a parental mental health need was recorded in the pre-birth "
                        "assessment for {s} of babies." + caveat, {"s": local}, lead + study + where + caveat)])
