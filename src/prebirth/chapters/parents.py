"""Chapter 6: The parents.

Who the parents in pre-birth assessment are, and what they need: their ages at the
baby's birth, ethnicity, the needs recorded in the assessment (CIN assessment
factors) and their own experience of care, and how that changed over the years.

The cohort (``prebirth.definitions.children_with_prebirth_assessment``): every baby
with a pre-birth assessment that started in the report period, counted once, in the
financial year of their first pre-birth assessment. A pre-birth assessment started
before the baby's birth, or while the baby is still unborn, or was recorded as
``pre-birth``. Parents are the baby's ``mother_id`` and ``father_id``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import charts, definitions as d, disclosure
from ..stats import intervals
from .common import Chapter, Figure, Notice, Table, count, glue_values, not_yet, num, pct, signed_pct

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
WALES_MENTAL_HEALTH = 0.53  # Griffiths et al. (2020), '1000 mothers', at the first antenatal assessment
WALES_MENTAL_HEALTH_COMPARISON = 0.17  # the study's comparison group of other mothers


class Quiet(Notice):
    """Nothing to show: the section's message (e.g. what to record) is given by the cell before.

    It displays nothing at all, where an empty notice would leave an empty box on the page.
    """

    def __init__(self):
        super().__init__("")

    def _ipython_display_(self) -> None:
        return None


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
            else:
                babies[f"{role}_age"] = pd.array([pd.NA] * len(babies), dtype="Int64")
                babies[f"{role}_ethnicity"] = None
                babies[f"{role}_care_experienced"] = None
            babies[f"{role}_band"] = d.parent_age_band(babies[f"{role}_age"])
        for key, codes in d.FACTOR_GROUPS.items():
            babies[f"factor_{key}"] = d.has_factor(babies["factors"], codes)
        return babies
    return _memo(ch, "cohort", compute)


def share_row(numerator, denominator) -> dict:
    lower, upper = intervals.wilson(float(numerator), float(denominator)) if denominator else (np.nan, np.nan)
    value = numerator / denominator if denominator else np.nan
    return {"numerator": int(numerator), "denominator": int(denominator), "value": value, "lower": lower,
            "upper": upper}


def withheld(ch: Chapter, numerator, denominator) -> bool:
    return ch.published and disclosure.share_needs_suppression(numerator, denominator, ch.min_count)


def share_text(ch: Chapter, row: dict, with_ci: bool = True) -> str:
    """'42% (36% to 48%)', 'c' when withheld, 'none recorded' with no denominator."""
    if not row["denominator"]:
        return "none recorded"
    if withheld(ch, row["numerator"], row["denominator"]):
        return disclosure.MARKER
    if not with_ci:
        return pct(row["value"])
    return f"{pct(row['value'])} ({pct(row['lower'])} to {pct(row['upper'])})"


def count_text(ch: Chapter, value) -> str:
    return count(value, ch.published and disclosure.is_small(value, ch.min_count))


def part_count_text(ch: Chapter, row: dict) -> str:
    """The count behind a share: withheld with the share, since beside its total it would reveal the rest."""
    return disclosure.MARKER if withheld(ch, row["numerator"], row["denominator"]) else count_text(ch, row["numerator"])


def hidden_periods(ch: Chapter, per_year: dict) -> set[str]:
    """Years whose count must be withheld where a yearly column and its total are published.

    Primary: counts 1..min_count-1; secondary: one more year when a single one is hidden,
    so that it cannot be found by subtracting the other years from the total.
    """
    if not ch.published or not per_year:
        return set()
    counts = pd.DataFrame({"n": pd.Series(per_year, dtype=float)})
    mask = disclosure.secondary_suppress(counts, ch.min_count, axes=(0,))
    return set(mask.index[mask["n"]])


def cohort_hidden_years(ch: Chapter) -> set[str]:
    """Years in which the number of babies with a pre-birth assessment is withheld."""
    babies = cohort(ch)
    return _memo(ch, "hidden_years", lambda: hidden_periods(
        ch, {fy: int((babies["financial_year"] == fy).sum()) for fy in years(ch)}))


def share_series_hidden(ch: Chapter, rows: list[tuple[str, dict]]) -> set[str]:
    """Years whose share must be withheld in a yearly series published with its whole-period total.

    The yearly numerators and their complements form a table whose row totals (the yearly
    denominators) and column totals (the whole period) are published, so a small cell is
    hidden with secondary suppression across both; a year whose denominator is withheld
    is hidden whole.
    """
    if not ch.published:
        return set()
    yearly = [(p, r) for p, r in rows if p != "all"]
    if not yearly:
        return set()
    index = [p for p, _ in yearly]
    cells = pd.DataFrame({"yes": [float(r["numerator"]) for _, r in yearly],
                          "no": [float(r["denominator"] - r["numerator"]) for _, r in yearly]}, index=index)
    totals_hidden = hidden_periods(ch, {p: r["denominator"] for p, r in yearly})
    primary = pd.DataFrame(disclosure.small_mask(cells.to_numpy().ravel(), ch.min_count).reshape(cells.shape),
                           index=index, columns=cells.columns)
    primary.loc[[p in totals_hidden for p in index], :] = True
    mask = disclosure.secondary_suppress(cells, ch.min_count, primary=primary, axes=(0, 1))
    return set(mask.index[mask.any(axis=1)])


def yearly_shares(ch: Chapter, frame: pd.DataFrame, compute) -> list[tuple[str, dict, bool]]:
    """(period, share row, withheld) for each financial year and 'all', with secondary suppression applied."""
    rows = by_period(ch, frame, compute)
    hidden = share_series_hidden(ch, rows)
    return [(p, r, p in hidden or withheld(ch, r["numerator"], r["denominator"])) for p, r in rows]


def record_share(ch: Chapter, indicator: str, period: str, row: dict, hidden: bool = False, **fields) -> None:
    """Record a share; a withheld share (primary or secondary suppression) loses its counts too."""
    ch.record(indicator, period, row["value"], numerator=row["numerator"],
              denominator=None if hidden else row["denominator"], lower=row["lower"], upper=row["upper"],
              suppressed=hidden and ch.published, **fields)


def by_period(ch: Chapter, frame: pd.DataFrame, compute) -> list[tuple[str, dict]]:
    """compute(group) for each financial year of the period and for 'all'."""
    parts = dict(tuple(frame.groupby("financial_year", sort=False)))
    out = [(fy, compute(parts.get(fy, frame.iloc[:0]))) for fy in years(ch)]
    out.append(("all", compute(frame)))
    return out


# -- the measures ----------------------------------------------------------------

def mothers_under_20(group: pd.DataFrame) -> dict:
    known = group["mother_band"].notna()
    return share_row((group.loc[known, "mother_band"] == "under 20").sum(), known.sum())


def factor_share(key: str):
    def compute(group: pd.DataFrame) -> dict:
        flags = group[f"factor_{key}"]
        return share_row(flags.fillna(False).astype(bool).sum(), flags.notna().sum())
    return compute


def care_experienced_parents(group: pd.DataFrame, roles=("mother", "father")) -> dict:
    """Share of the parents (each counted once) recorded as care-experienced, of those recorded Y or N."""
    frames = [group[[f"{r}_id", f"{r}_care_experienced"]].set_axis(["parent_id", "ce"], axis=1) for r in roles]
    people = pd.concat(frames, ignore_index=True).dropna(subset=["parent_id"]).drop_duplicates("parent_id")
    recorded = people["ce"].isin(["Y", "N"])
    return share_row((people["ce"] == "Y").sum(), recorded.sum()) | {"parents": len(people),
                                                                        "not_recorded": int((~recorded).sum())}


def record_indicators(ch: Chapter) -> None:
    """Chapter 6's rows of indicators.csv (once per build)."""
    if not has_cohort(ch) or not ch.once("parents:indicators_recorded"):
        return
    babies = cohort(ch)
    if has_parent_ages(ch):
        for period, row, hidden in yearly_shares(ch, babies, mothers_under_20):
            record_share(ch, "mothers_under_20_share", period, row, hidden, method=SHARE_METHOD)
    if has_factors(ch):
        for key in INDICATOR_FACTORS:
            for period, row, hidden in yearly_shares(ch, babies, factor_share(key)):
                record_share(ch, f"factor_{key}_share", period, row, hidden,
                             method=SHARE_METHOD + "; babies whose pre-birth assessment recorded factors")
    if has_care_experience(ch):
        for group, roles in (("", ("mother", "father")), ("mothers", ("mother",)), ("fathers", ("father",))):
            compute = lambda g, roles=roles: care_experienced_parents(g, roles)  # noqa: E731
            for period, row, hidden in yearly_shares(ch, babies, compute):
                record_share(ch, "parents_care_experienced_share", period, row, hidden, group=group,
                             method=SHARE_METHOD + "; parents recorded Y or N, each counted once")


def has_parent_ages(ch: Chapter) -> bool:
    people = ch.data.get("parents")
    return people is not None and not people.empty and people["date_of_birth"].notna().any()


def has_factors(ch: Chapter) -> bool:
    return has_cohort(ch) and cohort(ch)["factors"].notna().any()


def has_care_experience(ch: Chapter) -> bool:
    people = ch.data.get("parents")
    return people is not None and not people.empty and people["care_experienced"].notna().any()


# -- what the page shows ---------------------------------------------------------------

def headline(ch: Chapter) -> Notice:
    """Plain-English summary, and the numbers glued into the chapter's prose."""
    glue = {"ch6_babies": None, "ch6_mothers_under_20": None, "ch6_mental_health": None,
            "ch6_domestic_abuse": None, "ch6_substance": None, "ch6_care_experienced": None}
    if not has_cohort(ch):
        glue_values(ch, glue)
        return missing_cohort("who the parents in pre-birth assessment are and what they need.")
    record_indicators(ch)
    babies = cohort(ch)
    if babies.empty:
        glue_values(ch, glue)
        return Notice("No baby had a pre-birth assessment that started in the report period.")
    glue["ch6_babies"] = count_text(ch, len(babies))
    parts = [f"Over the report period, {glue['ch6_babies']} babies had a pre-birth assessment in "
             f"{ch.params.area_name}."]
    if has_parent_ages(ch):
        row = mothers_under_20(babies)
        if row["denominator"] and not withheld(ch, row["numerator"], row["denominator"]):
            glue["ch6_mothers_under_20"] = pct(row["value"])
            parts.append(f"For {pct(row['value'])} of them the mother was under 20 when the baby was born or due.")
            ch.finding(f"Mothers under 20 at the baby's birth: {pct(row['value'])} of babies with a pre-birth "
                       "assessment.", "mothers_under_20_share")
    if has_factors(ch):
        needs = []
        for key, name in (("mental_health", "ch6_mental_health"), ("domestic_abuse", "ch6_domestic_abuse"),
                          ("substance", "ch6_substance")):
            row = factor_share(key)(babies)
            if row["denominator"] and not withheld(ch, row["numerator"], row["denominator"]):
                glue[name] = pct(row["value"])
                needs.append(f"{FACTOR_LABELS[key].lower()} ({pct(row['value'])})")
        if needs:
            parts.append("The needs most often recorded in the assessments were " + _join(needs) + ".")
            ch.finding("Needs recorded in pre-birth assessments: " + _join(needs) + ".", "factor_mental_health_share")
    if has_care_experience(ch):
        row = care_experienced_parents(babies)
        if row["denominator"] and not withheld(ch, row["numerator"], row["denominator"]):
            glue["ch6_care_experienced"] = pct(row["value"])
            parts.append(f"{pct(row['value'])} of the parents whose care history is recorded had been in care "
                         "themselves.")
            ch.finding(f"{pct(row['value'])} of parents in pre-birth assessment (where recorded) were themselves "
                       "in care as children.", "parents_care_experienced_share")
    glue_values(ch, glue)
    return Notice(" ".join(parts))


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _missing_parents(question: str) -> Notice:
    return not_yet(question, ["the parents table with each parent's date of birth and role, linked from the "
                              "baby's record by mother_id and father_id"],
                   "each parent's date of birth, ethnicity and whether they were in care themselves, and the "
                   "mother's and father's ids on the baby's record from the first referral, before birth.")


def age_table(ch: Chapter) -> Table | Notice:
    """Mothers' and fathers' ages at the baby's birth (or expected date), in bands, with secondary suppression."""
    if not has_cohort(ch):
        return missing_cohort("how old the parents in pre-birth assessment are.", brief=True)
    if not has_parent_ages(ch):
        return _missing_parents("how old the parents in pre-birth assessment are.")
    babies = cohort(ch)
    rows = list(d.PARENT_AGE_BANDS) + ["Age not recorded", "Parent not recorded"]
    counts = pd.DataFrame(0, index=rows, columns=["Mothers", "Fathers"])
    for role, column in (("mother", "Mothers"), ("father", "Fathers")):
        band = babies[f"{role}_band"]
        for label in d.PARENT_AGE_BANDS:
            counts.loc[label, column] = int((band == label).sum())
        counts.loc["Age not recorded", column] = int((babies[f"{role}_recorded"] & band.isna()).sum())
        counts.loc["Parent not recorded", column] = int((~babies[f"{role}_recorded"]).sum())
    hide = (disclosure.secondary_suppress(counts, ch.min_count, axes=(0,)) if ch.published
            else pd.DataFrame(False, index=counts.index, columns=counts.columns))
    frame = pd.DataFrame({"Age at the baby's birth": rows + ["All babies with a pre-birth assessment"]})
    for column in ("Mothers", "Fathers"):
        known = int(counts.loc[list(d.PARENT_AGE_BANDS), column].sum())
        cells, shares = [], []
        for label in rows:
            value, hidden = counts.loc[label, column], bool(hide.loc[label, column])
            cells.append(count(value, hidden))
            if label in d.PARENT_AGE_BANDS:
                withhold = hidden or withheld(ch, value, known)
                shares.append(disclosure.MARKER if withhold else pct(value / known) if known else "")
            else:
                shares.append("")
        total = len(babies)
        frame[column] = cells + [count_text(ch, total)]
        frame[f"{column}: % of known ages"] = shares + [""]
    data = frame.copy()
    return Table(frame, "Age of mothers and fathers when the baby was born (or was due), babies with a pre-birth "
                        "assessment in the report period", ch.download_link("parents-age", data),
                 note=f"c = fewer than {ch.min_count} parents, or a figure that would reveal one by subtraction from "
                      "the total. Age in completed years on the baby's date of birth, or the expected date while the "
                      "baby is unborn. Each baby counts once, so a parent with two babies in the period appears "
                      "twice, at their age each time.")


def age_chart(ch: Chapter) -> Figure | Notice:
    """Percentages of mothers and fathers in each age band, side by side."""
    if not has_cohort(ch) or not has_parent_ages(ch):
        return Quiet()
    babies = cohort(ch)
    rows = []
    for role, name in (("mother", "Mothers"), ("father", "Fathers")):
        band = babies[f"{role}_band"]
        known = int(band.notna().sum())
        for label in d.PARENT_AGE_BANDS:
            n = int((band == label).sum())
            lower, upper = intervals.wilson(float(n), float(known)) if known else (np.nan, np.nan)
            hidden = withheld(ch, n, known) or not known
            rows.append({"Age band": label, "Parent": name, "Per cent": np.nan if hidden else 100 * n / known,
                         "Lower 95%": np.nan if hidden else 100 * lower, "Upper 95%": np.nan if hidden else 100 * upper})
    data = pd.DataFrame(rows)
    fig = charts.grouped_bars(data, "Age band", "Parent", "Per cent", "% of parents whose age is known",
                              "Lower 95%", "Upper 95%")
    hidden = int(data["Per cent"].isna().sum())
    young = data[(data["Age band"] == "under 20") & (data["Parent"] == "Mothers")]["Per cent"].iloc[0]
    alt = ("Horizontal bar chart of the age bands of mothers and fathers at the baby's birth, for babies with a "
           "pre-birth assessment." + (f" {num(young, 0)}% of mothers were under 20." if pd.notna(young) else ""))
    table = data.assign(**{c: data[c].map(lambda v: num(v) if pd.notna(v) else disclosure.MARKER)
                           for c in ("Per cent", "Lower 95%", "Upper 95%")})
    return Figure(fig, "Mothers and fathers by age at the baby's birth (bars: 95% confidence intervals)", alt, table,
                  ch.download_link("parents-age-chart", table),
                  f"{hidden} bar(s) are not shown because they rest on fewer than {ch.min_count} parents."
                  if hidden else "")


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


def ethnicity_table(ch: Chapter) -> Table | Notice:
    """Mothers' ethnic groups, beside the area's births where the context table gives them."""
    if not has_cohort(ch):
        return missing_cohort("the ethnicity of parents in pre-birth assessment.", brief=True)
    people = ch.data.get("parents")
    if people is None or people.empty or people["ethnicity"].isna().all():
        return not_yet("the ethnicity of parents in pre-birth assessment.",
                       ["parents' ethnicity (the parents table, column ethnicity)"],
                       "each parent's ethnicity as a DfE code (e.g. WBRI), as the parent describes it.")
    babies = cohort(ch)
    mothers = babies[babies["mother_recorded"]].drop_duplicates("mother_id")
    group = d.ethnic_group(mothers["mother_ethnicity"])
    labels = list(d.ETHNIC_GROUPS) + [d.ETHNICITY_NOT_KNOWN]
    counts = pd.DataFrame({"Mothers": [int((group == g).sum()) for g in labels]}, index=labels)
    hide = (disclosure.secondary_suppress(counts, ch.min_count, axes=(0,)) if ch.published
            else pd.DataFrame(False, index=counts.index, columns=counts.columns))
    known = int(counts.loc[list(d.ETHNIC_GROUPS), "Mothers"].sum())
    area = births_by_ethnicity(ch)
    frame = pd.DataFrame({"Ethnic group": labels + ["All mothers"]})
    frame["Mothers"] = [count(v, h) for v, h in zip(counts["Mothers"], hide["Mothers"])] + [count_text(ch, len(mothers))]
    frame["% of mothers whose ethnicity is known"] = [
        "" if g == d.ETHNICITY_NOT_KNOWN else disclosure.MARKER if (h or withheld(ch, v, known))
        else pct(v / known) if known else "" for g, v, h in zip(labels, counts["Mothers"], hide["Mothers"])] + [""]
    if area is not None:
        frame["% of the area's births"] = [pct(area.get(g, 0.0)) if g in d.ETHNIC_GROUPS else "" for g in labels] + [""]
    note = (f"c = fewer than {ch.min_count} mothers, or a figure that would reveal one. Each mother counts once. "
            "Groups follow the DfE ethnicity codes (Chinese is counted in 'Other ethnic group', as in the children "
            "looked after statistics).")
    if area is None:
        note += (" The area's births by ethnic group were not supplied: add rows to the context table with indicator "
                 "births_ethnicity_white, _mixed, _asian, _black and _other (births or percentages, e.g. from the "
                 "Maternity Services Data Set) to compare.")
    return Table(frame, "Ethnic group of mothers of babies with a pre-birth assessment", ch.download_link("ethnicity", frame),
                 note=note)


def needs_rows(ch: Chapter, babies: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for key, label in FACTOR_LABELS.items():
        row = factor_share(key)(babies)
        hidden = withheld(ch, row["numerator"], row["denominator"]) or not row["denominator"]
        rows.append({"key": key, "Need recorded": label, "codes": "/".join(d.FACTOR_GROUPS[key]),
                     "Babies": row["numerator"], "hidden": hidden, "value": np.nan if hidden else row["value"],
                     "lower": np.nan if hidden else row["lower"], "upper": np.nan if hidden else row["upper"],
                     "text": share_text(ch, row), "denominator": row["denominator"]})
    return pd.DataFrame(rows)


def needs_table(ch: Chapter) -> Table | Notice:
    """Needs recorded in pre-birth assessments (CIN assessment factors about parents and the household)."""
    if not has_cohort(ch):
        return missing_cohort("what needs parents bring to pre-birth assessment.", brief=True)
    if not has_factors(ch):
        return not_yet("what needs parents bring to pre-birth assessment.",
                       ["the assessment factors of pre-birth assessments (assessments table, column factors)"],
                       "the CIN assessment factors at the end of every assessment, pre-birth ones included "
                       "(e.g. 4B mental health of a parent), as in the CIN census.")
    record_indicators(ch)
    babies = cohort(ch)
    rows = needs_rows(ch, babies)
    frame = pd.DataFrame({
        "Need recorded": rows["Need recorded"], "CIN factor codes": rows["codes"],
        "Babies": [part_count_text(ch, {"numerator": v, "denominator": n}) for v, n in
                   zip(rows["Babies"], rows["denominator"])],
        "Share of babies (95% CI)": rows["text"],
    })
    recorded = int(babies["factors"].notna().sum())
    blank = len(babies) - recorded
    none_found = int(babies["factors"].map(lambda v: d.factor_codes(v) == {d.NO_FACTORS_CODE}).sum())
    return Table(frame, "Needs recorded in pre-birth assessments: share of babies whose assessment recorded each",
                 ch.download_link("needs", frame),
                 note=f"Shares are of the {count_text(ch, recorded)} babies whose pre-birth assessment recorded "
                      f"factors (left out: {count_text(ch, blank)} whose assessments recorded none), including "
                      f"{count_text(ch, none_found)} with 'no factors identified' (code 21). Codes B are about a parent "
                      "or carer, C about another person in the household; a baby counts once for each need. "
                      f"c = fewer than {ch.min_count} babies, or a share that would reveal one.")


def needs_chart(ch: Chapter) -> Figure | Notice:
    if not has_cohort(ch) or not has_factors(ch):
        return Quiet()
    rows = needs_rows(ch, cohort(ch))
    rows = rows[rows["key"].isin(["mental_health", "domestic_abuse", "alcohol", "drugs", "learning_disability",
                                  "physical_illness"])]
    shown = rows[rows["value"].notna()].sort_values("value", ascending=False)
    data = pd.DataFrame({"Need": shown["Need recorded"], "Per cent": shown["value"] * 100,
                         "Lower 95%": shown["lower"] * 100, "Upper 95%": shown["upper"] * 100})
    if data.empty:
        return Notice(f"Every share rests on fewer than {ch.min_count} babies, so the chart is not shown.")
    fig = charts.bars(data, "Need", "Per cent", "% of babies with a pre-birth assessment", "Lower 95%", "Upper 95%")
    top = data.iloc[0]
    alt = (f"Bar chart of the needs recorded in pre-birth assessments. The most common was {top['Need'].lower()}, "
           f"recorded for {num(top['Per cent'], 0)}% of babies.")
    table = data.assign(**{c: data[c].map(num) for c in ("Per cent", "Lower 95%", "Upper 95%")})
    hidden = len(rows) - len(shown)
    return Figure(fig, "Needs recorded in pre-birth assessments (bars: 95% confidence intervals)", alt, table,
                  ch.download_link("needs-chart", table),
                  f"{hidden} need(s) not shown: fewer than {ch.min_count} babies." if hidden else "")


def care_experience_table(ch: Chapter) -> Table | Notice:
    """Parents' own experience of care, from the parents table (Y/N/not recorded)."""
    if not has_cohort(ch):
        return missing_cohort("how many parents in pre-birth assessment were in care themselves.", brief=True)
    if not has_care_experience(ch):
        return not_yet("how many parents in pre-birth assessment were in care themselves.",
                       ["whether each parent was in care as a child (parents table, column care_experienced)"],
                       "for each parent, Y or N: were they looked after as a child (ask, and record the answer; "
                       "a blank is read as 'not known').")
    record_indicators(ch)
    babies = cohort(ch)
    rows = []
    for label, roles in (("Mothers", ("mother",)), ("Fathers", ("father",)), ("All parents", ("mother", "father"))):
        row = care_experienced_parents(babies, roles)
        rows.append({"Parents": label, "Parents known": count_text(ch, row["parents"]),
                     "Care history recorded": count_text(ch, row["denominator"]),
                     "Were in care themselves": part_count_text(ch, row),
                     "Share of those recorded (95% CI)": share_text(ch, row),
                     "Not recorded": count_text(ch, row["not_recorded"])})
    frame = pd.DataFrame(rows)
    return Table(frame, "Parents of babies with a pre-birth assessment who were in care themselves",
                 ch.download_link("care-experience", frame),
                 note="Each parent counts once. Shares are of the parents whose care history is recorded (Y or N); "
                      f"a blank is not read as 'no'. c = fewer than {ch.min_count} parents, or a share that would "
                      "reveal one.")


def looked_after_mothers(ch: Chapter) -> Table | Notice:
    """Young people looked after who were themselves mothers (SSDA903 MOTHER and MC_DOB), by year of the baby's birth."""
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
    per_year = {period: int((fy == period).sum()) for period in years(ch)}
    hidden = hidden_periods(ch, per_year)
    rows = []
    for period, n in per_year.items():
        rows.append({"Year the baby was born": period, "Looked-after young mothers": n})
        ch.record("looked_after_young_mothers", period, n, numerator=n, unit="count", suppressed=period in hidden,
                  method="SSDA903 MOTHER = 1, by financial year of MC_DOB")
    total = int(in_period.sum())
    ch.record("looked_after_young_mothers", "all", total, numerator=total, unit="count",
              method="SSDA903 MOTHER = 1, by financial year of MC_DOB")
    counts = pd.DataFrame(rows).set_index("Year the baby was born")
    hide = (disclosure.secondary_suppress(counts, ch.min_count, axes=(0,)) if ch.published
            else pd.DataFrame(False, index=counts.index, columns=counts.columns))
    frame = pd.DataFrame({"Year the baby was born": list(counts.index) + ["All years"],
                          "Looked-after young mothers": [count(v, h) for v, h in
                                                         zip(counts.iloc[:, 0], hide.iloc[:, 0])] + [count_text(ch, total)]})
    undated = int(baby_dob.isna().sum())
    return Table(frame, "Young people looked after who became mothers (SSDA903 MOTHER), by year of their baby's birth",
                 ch.download_link("looked-after-mothers", frame),
                 note="The 903 return does not link a young mother to her baby, so these mothers cannot be matched to "
                      f"the pre-birth assessments above. {count_text(ch, undated)} flagged as mothers had no baby's date "
                      f"of birth (MC_DOB). c = fewer than {ch.min_count} young people, or a figure that would reveal one.")


# -- how the cohort changed ---------------------------------------------------------

COHORT_MEASURES = (
    ("mothers_under_20_share", "Mothers under 20", mothers_under_20, "ages"),
    ("factor_mental_health_share", "Mental health need recorded", factor_share("mental_health"), "factors"),
    ("factor_domestic_abuse_share", "Domestic abuse recorded", factor_share("domestic_abuse"), "factors"),
    ("factor_substance_share", "Alcohol or drug use recorded", factor_share("substance"), "factors"),
    ("factor_learning_disability_share", "Learning disability recorded", factor_share("learning_disability"), "factors"),
    ("parents_care_experienced_share", "Parents who were in care", care_experienced_parents, "care"),
)


def _available_measures(ch: Chapter):
    ok = {"ages": has_parent_ages(ch), "factors": has_factors(ch), "care": has_care_experience(ch)}
    return [m for m in COHORT_MEASURES if ok[m[3]]]


def cohort_by_year(ch: Chapter) -> pd.DataFrame:
    babies = cohort(ch)
    rows = []
    for indicator, label, compute, _ in _available_measures(ch):
        for period, row, hidden in yearly_shares(ch, babies, compute):
            hidden = hidden or not row["denominator"]
            rows.append({"indicator": indicator, "label": label, "period": period, **row, "hidden": hidden})
    return pd.DataFrame(rows)


def cohort_table(ch: Chapter) -> Table | Notice:
    """Babies with a pre-birth assessment each year, and the shares above, by financial year."""
    if not has_cohort(ch):
        return missing_cohort("how the parents in pre-birth assessment changed over the years.", brief=True)
    record_indicators(ch)
    babies = cohort(ch)
    table = cohort_by_year(ch)
    frame = pd.DataFrame({"Year": years(ch) + ["All years"]})
    hidden = cohort_hidden_years(ch)
    frame["Babies with a pre-birth assessment"] = [count((babies["financial_year"] == fy).sum(), fy in hidden)
                                                    for fy in years(ch)] + [count_text(ch, len(babies))]
    for indicator, label, _, _ in _available_measures(ch):
        part = table[table["indicator"] == indicator]
        frame[label] = [disclosure.MARKER if r["hidden"] else share_text(ch, r, with_ci=False)
                        for _, r in part.iterrows()]
    return Table(frame, "Babies with a pre-birth assessment, and their parents, by financial year of the first "
                        "pre-birth assessment", ch.download_link("cohort-by-year", frame),
                 note=f"c = fewer than {ch.min_count} babies or parents, or a share that would reveal one. Each baby "
                      "counts once, in the year their first pre-birth assessment started.")


def cohort_chart(ch: Chapter) -> Figure | Notice:
    """The cohort's shares by year as aligned panels, with the dated service changes marked."""
    if not has_cohort(ch):
        return Quiet()
    table = cohort_by_year(ch)
    if table.empty:
        return Quiet()
    table = table[table["period"] != "all"]
    panels = []
    for indicator, label, _, _ in _available_measures(ch):
        part = table[table["indicator"] == indicator]
        panels.append({"title": label, "ylabel": "%", "zero": True, "data": pd.DataFrame({
            "x": part["period"], "y": np.where(part["hidden"], np.nan, part["value"] * 100),
            "lower": np.where(part["hidden"], np.nan, part["lower"] * 100),
            "upper": np.where(part["hidden"], np.nan, part["upper"] * 100)})})
    events = [{"x": d.financial_year(pd.Series([pd.Timestamp(e.date)])).iloc[0], "label": e.label}
              for e in ch.params.events]
    fig = charts.aligned_panels(panels, years(ch), events)
    data = table.assign(**{"Per cent": np.where(table["hidden"], np.nan, table["value"] * 100),
                           "Lower 95%": np.where(table["hidden"], np.nan, table["lower"] * 100),
                           "Upper 95%": np.where(table["hidden"], np.nan, table["upper"] * 100)})
    data = data[["label", "period", "Per cent", "Lower 95%", "Upper 95%"]].rename(columns={"label": "Measure",
                                                                                        "period": "Year"})
    for column in ("Per cent", "Lower 95%", "Upper 95%"):
        data[column] = data[column].map(lambda v: num(v) if pd.notna(v) else disclosure.MARKER)
    hidden = int(table["hidden"].sum())
    alt = ("Stacked panels sharing one time axis, one for each measure of the parents in pre-birth assessment "
           "(" + ", ".join(p["title"].lower() for p in panels) + "), by financial year with 95% confidence intervals"
           + (", and a dotted line at each dated service change." if events else "."))
    return Figure(fig, "How the parents in pre-birth assessment changed, by financial year (bars: 95% confidence "
                       "intervals)", alt, data, ch.download_link("cohort-chart", data),
                  f"{hidden} point(s) are not shown because they rest on fewer than {ch.min_count} people."
                  if hidden else "")


def cohort_trend(ch: Chapter) -> Table | Notice:
    """Is the cohort changing? A logistic trend (odds ratio per year) for each share."""
    if not has_cohort(ch):
        return Quiet()
    from ..stats import glm

    table = cohort_by_year(ch)
    if table.empty:
        return Quiet()
    rows = []
    for indicator, label, _, _ in _available_measures(ch):
        part = table[(table["indicator"] == indicator) & (table["period"] != "all") & (table["denominator"] > 0)]
        total = table[(table["indicator"] == indicator) & (table["period"] == "all")].iloc[0]
        if len(part) < 3 or part["numerator"].sum() == 0:
            continue
        if withheld(ch, total["numerator"], total["denominator"]):
            rows.append({"Measure": label, "Change in the odds per year": disclosure.MARKER,
                         "95% confidence interval": "", "What it means": disclosure.MARKER})
            continue
        fit = glm.binomial_trend(part["numerator"].to_numpy(float), part["denominator"].to_numpy(float),
                                 part["period"].tolist())
        if not fit.fitted_ok:
            continue
        direction = ("became more common" if fit.lower > 1 else "became less common" if fit.upper < 1
                     else "showed no clear change")
        rows.append({"Measure": label, "Change in the odds per year": signed_pct(fit.ratio - 1, 1),
                     "95% confidence interval": f"{signed_pct(fit.lower - 1, 1)} to {signed_pct(fit.upper - 1, 1)}",
                     "What it means": direction})
    if not rows:
        return Notice("There are too few years to look for a trend in the parents' characteristics.")
    frame = pd.DataFrame(rows)
    return Table(frame, "Is the cohort changing? Average yearly change in each share (logistic trend)",
                 ch.download_link("cohort-trend", frame),
                 note="A logistic regression of each yearly share on the year. A change of +5% means the odds rose "
                      "by about 5% a year. With ten or fewer yearly points only a steady, sizeable change can be "
                      "told apart from chance.")


def national_comparison(ch: Chapter) -> Notice:
    """The Wales '1000 mothers' mental health figure beside the local one, with why they differ."""
    local = None
    if has_cohort(ch) and has_factors(ch):
        row = factor_share("mental_health")(cohort(ch))
        if row["denominator"] and not withheld(ch, row["numerator"], row["denominator"]):
            local = pct(row["value"])
    glue_values(ch, {"ch6_mental_health_compare": local})
    text = (f"In the Wales '1000 mothers' study, {pct(WALES_MENTAL_HEALTH)} of mothers whose babies later came into "
            f"care proceedings reported a mental health condition at their first antenatal assessment, against "
            f"{pct(WALES_MENTAL_HEALTH_COMPARISON)} of other mothers (Griffiths et al. 2020).")
    if local:
        text += (f" Here, a parental mental health need was recorded in the pre-birth assessment for {local} of "
                 "babies.")
    text += (" The definitions differ: the study used mothers' own reports to midwives, for mothers of infants in "
             "proceedings; this book uses the assessment factors a social worker recorded, for any parent or member "
             "of the household, for every baby with a pre-birth assessment. Read the two side by side, not as a "
             "like-for-like comparison.")
    return Notice("**Comparing with the '1000 mothers' study.** " + text)
