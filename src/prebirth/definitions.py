"""The definitions of DESIGN 5.2, written once and quoted into the methods page.

Every chapter derives its counts through these functions, so that an infant, a
newborn or a financial year mean the same thing everywhere in the book.
"""

from __future__ import annotations

import pandas as pd

from .data.distinct import Distinct
from .periods import financial_year_label, financial_year_start  # noqa: F401 (definitions' names)


def financial_year(dates: pd.Series) -> pd.Series:
    """April-March financial year label, e.g. 2019-04-01 .. 2020-03-31 -> '2019/20'."""
    dates = pd.to_datetime(dates)
    start = (dates.dt.year - (dates.dt.month < 4)).astype("Int64")
    # Each distinct year is written once (a table of 300,000 referrals spans a dozen years).
    return Distinct(start).map(financial_year_label, pd.NA).rename(dates.name)


def financial_years(start: pd.Timestamp, end: pd.Timestamp) -> list[str]:
    """Every financial year label that overlaps the report period, in order."""
    first = financial_year(pd.Series([pd.Timestamp(start)])).iloc[0]
    last = financial_year(pd.Series([pd.Timestamp(end)])).iloc[0]
    return [financial_year_label(y) for y in range(financial_year_start(first), financial_year_start(last) + 1)]


def first_birthday(date_of_birth: pd.Series) -> pd.Series:
    """The first birthday; a baby born on 29 February turns one on 1 March (the day after 28 Feb)."""
    dob = pd.to_datetime(date_of_birth)
    return dob + pd.DateOffset(years=1) + pd.to_timedelta(((dob.dt.month == 2) & (dob.dt.day == 29)).astype(int), unit="D")


def is_infant(issue_date: pd.Series, date_of_birth: pd.Series) -> pd.Series:
    """Infant: under one year old at issue (issue_date < date_of_birth + 1 year). Unknown -> NA."""
    result = pd.to_datetime(issue_date) < first_birthday(date_of_birth)
    return result.astype("boolean").where(pd.to_datetime(date_of_birth).notna() & pd.to_datetime(issue_date).notna())


def age_days(event_date: pd.Series, date_of_birth: pd.Series) -> pd.Series:
    return (pd.to_datetime(event_date) - pd.to_datetime(date_of_birth)).dt.days


def is_newborn(issue_date: pd.Series, date_of_birth: pd.Series, newborn_days: int) -> pd.Series:
    """Newborn: aged under ``newborn_days`` days at issue ((issue - birth).days < newborn_days)."""
    age = age_days(issue_date, date_of_birth)
    return (age < newborn_days).astype("boolean").where(age.notna())


def children_in_proceedings(proceedings: pd.DataFrame, children: pd.DataFrame, newborn_days: int,
                            start=None, end=None) -> pd.DataFrame:
    """One row per child per financial year, at their first issue in that year.

    Columns: child_id, mother_id, issue_date, financial_year, date_of_birth, age_days,
    infant, newborn. Proceedings outside [start, end] are left out.
    """
    rows = proceedings[["proceedings_id", "child_id", "issue_date"]].copy()
    if start is not None:
        rows = rows[rows["issue_date"] >= pd.Timestamp(start)]
    if end is not None:
        rows = rows[rows["issue_date"] <= pd.Timestamp(end)]
    rows["financial_year"] = financial_year(rows["issue_date"])
    rows = rows.sort_values(["issue_date", "proceedings_id"]).drop_duplicates(["child_id", "financial_year"], keep="first")
    kids = children.set_index("child_id")
    rows["date_of_birth"] = rows["child_id"].map(kids["date_of_birth"])
    rows["mother_id"] = rows["child_id"].map(kids["mother_id"]) if "mother_id" in kids else None
    rows["age_days"] = age_days(rows["issue_date"], rows["date_of_birth"])
    rows["infant"] = is_infant(rows["issue_date"], rows["date_of_birth"])
    rows["newborn"] = is_newborn(rows["issue_date"], rows["date_of_birth"], newborn_days)
    return rows.reset_index(drop=True)


def first_in_period(rows: pd.DataFrame) -> pd.DataFrame:
    """For the whole period ('all'): each child once, at their first issue."""
    return rows.sort_values(["issue_date", "proceedings_id"]).drop_duplicates("child_id", keep="first")


def starters(care_episodes: pd.DataFrame, children: pd.DataFrame) -> pd.DataFrame:
    """Children starting to be looked after (the DfE measure), one row per child per financial year.

    A start is an episode with reason_new_episode 'S'; where that is blank, a child's first
    episode or one starting more than a day after the previous one ended. Each child counts
    once per financial year, at their first start; 'under 1' = start before the first birthday.
    """
    eps = care_episodes.sort_values(["child_id", "start_date"]).copy()
    previous_end = eps.groupby("child_id")["end_date"].shift(1)
    first = ~eps.duplicated("child_id", keep="first")
    rne = eps["reason_new_episode"].fillna("").astype(str).str.strip().str.upper()
    gap = (eps["start_date"] - previous_end).dt.days > 1
    eps["is_start"] = (rne == "S") | ((rne == "") & (first | gap.fillna(False)))
    started = eps[eps["is_start"]].copy()
    started["financial_year"] = financial_year(started["start_date"])
    started = started.drop_duplicates(["child_id", "financial_year"], keep="first")
    dob = children.set_index("child_id")["date_of_birth"]
    started["date_of_birth"] = started["child_id"].map(dob)
    started["under_1"] = (started["start_date"] < first_birthday(started["date_of_birth"])).astype("boolean").where(
        started["date_of_birth"].notna())
    return started.reset_index(drop=True)


def births_for_year(births: pd.DataFrame | None, label: str) -> float | None:
    """Live births in calendar year t for financial year t/t+1 (the Born into Care pairing)."""
    if births is None:
        return None
    row = births.loc[births["year"] == financial_year_start(label), "live_births"]
    return float(row.iloc[0]) if len(row) and pd.notna(row.iloc[0]) else None


# -- parents in pre-birth assessment (chapters 6 and 7) ----------------------------

PARENT_AGE_BANDS = ("under 20", "20-24", "25-29", "30-34", "35 and over")
PLAUSIBLE_PARENT_AGE = (10, 80)  # ages outside this range are shown as "not recorded or not plausible"

# CIN census assessment factors about a parent or carer (B) or another person in the
# household (C). The "A" codes are concerns about the child, which for an unborn baby
# are not the parents' needs.
# CIN assessment factors about a parent or carer (codes ending B): the parents' own needs.
FACTOR_GROUPS: dict[str, tuple[str, ...]] = {
    "mental_health": ("4B",),
    "domestic_abuse": ("3B",),
    "alcohol": ("1B",),
    "drugs": ("2B",),
    "substance": ("1B", "2B"),
    "learning_disability": ("5B",),
    "physical_illness": ("6B",),
}
# The same factors about another person in the household (codes ending C): not the parents' needs.
HOUSEHOLD_FACTOR_GROUPS: dict[str, tuple[str, ...]] = {
    key: tuple(code[:-1] + "C" for code in codes) for key, codes in FACTOR_GROUPS.items()}
NO_FACTORS_CODE = "21"  # CIN: "no factors identified"

# DfE ethnicity codes by major group (the grouping of the children looked after statistics).
ETHNIC_GROUPS: dict[str, tuple[str, ...]] = {
    "White": ("WBRI", "WIRI", "WIRT", "WOTH", "WROM"),
    "Mixed": ("MWBC", "MWBA", "MWAS", "MOTH"),
    "Asian or Asian British": ("AIND", "APKN", "ABAN", "AOTH"),
    "Black or Black British": ("BCRB", "BAFR", "BOTH"),
    "Other ethnic group": ("CHNE", "OOTH"),
}
ETHNICITY_NOT_KNOWN = "Not known or refused"


def birth_or_expected(children: pd.DataFrame) -> pd.Series:
    """The baby's date of birth, or the expected date of birth while unborn (or when birth is not recorded)."""
    born = pd.to_datetime(children["date_of_birth"])
    if "expected_date_of_birth" in children:
        born = born.fillna(pd.to_datetime(children["expected_date_of_birth"]))
    return born


def is_prebirth_assessment(start_date: pd.Series, date_of_birth: pd.Series, kind: pd.Series | None = None) -> pd.Series:
    """Pre-birth assessment: started before the baby's birth, or the baby is still unborn
    (blank date of birth), or the area recorded its kind as ``pre-birth``.

    The dates decide for most assessments (DESIGN 5.2); the recorded kind also counts, so
    that an assessment the service ran as pre-birth but started on the day of birth, or
    recorded without a date of birth, is not lost.
    """
    start, dob = pd.to_datetime(start_date), pd.to_datetime(date_of_birth)
    by_date = (start < dob) | dob.isna()
    if kind is not None:
        said = Distinct(kind).map(lambda k: str(k).strip().lower() == "pre-birth", False, dtype=bool)  # a few kinds
        by_date = by_date | said
    return by_date.fillna(False).astype(bool)


def children_with_prebirth_assessment(assessments: pd.DataFrame, children: pd.DataFrame, start=None,
                                      end=None) -> pd.DataFrame:
    """One row per baby with a pre-birth assessment that started in [start, end].

    Each baby counts once, in the financial year of their first pre-birth assessment in the
    period. ``factors`` joins the codes of all their pre-birth assessments in the period
    (blank when none of them recorded any). Columns: child_id, assessment_id, start_date,
    financial_year, mother_id, father_id, birth_date (birth or expected), factors,
    assessments (how many pre-birth assessments the baby had in the period).
    """
    kids = children.set_index("child_id")
    rows = assessments.copy()
    if start is not None:
        rows = rows[rows["start_date"] >= pd.Timestamp(start)]
    if end is not None:
        rows = rows[rows["start_date"] <= pd.Timestamp(end)]
    dob = rows["child_id"].map(kids["date_of_birth"])
    kind = rows["kind"] if "kind" in rows else None
    rows = rows[is_prebirth_assessment(rows["start_date"], dob, kind).to_numpy()]
    rows = rows.sort_values(["start_date", "assessment_id"])
    factors = rows["factors"] if "factors" in rows else pd.Series(None, index=rows.index, dtype=object)
    joined = _joined_factors(factors, rows["child_id"])
    first = rows.drop_duplicates("child_id", keep="first")
    out = pd.DataFrame({
        "child_id": first["child_id"].to_numpy(), "assessment_id": first["assessment_id"].to_numpy(),
        "start_date": first["start_date"].to_numpy(),
    })
    out["financial_year"] = financial_year(out["start_date"])
    for column in ("mother_id", "father_id"):
        out[column] = out["child_id"].map(kids[column]) if column in kids else None
    out["birth_date"] = out["child_id"].map(birth_or_expected(kids.reset_index()).set_axis(kids.index))
    out["factors"] = out["child_id"].map(joined)
    out["assessments"] = out["child_id"].map(rows.groupby("child_id").size()).astype(int)
    return out.reset_index(drop=True)


def _joined_factors(factors: pd.Series, child_id: pd.Series) -> pd.Series:
    """Each child's factor codes over all their rows, sorted and joined by ';' (None: none recorded)."""
    codes = Distinct(factors).map(lambda cell: frozenset(factor_codes(cell)), frozenset())
    several = child_id.duplicated(keep=False)
    # Most babies have one pre-birth assessment: only those with several need their codes united.
    united = codes[several].groupby(child_id[several]).agg(lambda sets: frozenset().union(*sets))
    by_child = pd.concat([pd.Series(codes[~several].to_numpy(), index=child_id[~several].to_numpy(), dtype=object),
                          united.astype(object)])
    text = {}
    return by_child.map(lambda c: text.setdefault(c, ";".join(sorted(c)) or None)).rename_axis(child_id.name)


def factor_codes(text) -> set[str]:
    """The CIN factor codes in one ';'-separated cell (upper case, blanks ignored)."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return set()
    return {c.strip().upper() for c in str(text).replace(",", ";").split(";") if c.strip()}


def has_factor(factors: pd.Series, codes) -> pd.Series:
    """True where any of ``codes`` is recorded; NA where no factors were recorded at all."""
    wanted = {c.upper() for c in codes}
    # Each distinct cell is read once: thousands of babies share a few hundred combinations.
    cells = Distinct(factors)
    read = [factor_codes(cell) for cell in cells.values]
    found = cells.rows([bool(c & wanted) for c in read], False, dtype=bool)
    recorded = cells.rows([bool(c) for c in read], False, dtype=bool)
    return found.rename(factors.name).astype("boolean").where(recorded)


def age_in_years(date_of_birth: pd.Series, on_date: pd.Series) -> pd.Series:
    """Age in completed years on a date (NA where either date is missing).

    Someone born on 29 February reaches each birthday on 1 March in a non-leap year,
    as in :func:`first_birthday`.
    """
    dob, on = pd.to_datetime(date_of_birth), pd.to_datetime(on_date)
    before_birthday = (on.dt.month < dob.dt.month) | ((on.dt.month == dob.dt.month) & (on.dt.day < dob.dt.day))
    years = on.dt.year - dob.dt.year - before_birthday.astype(int)
    return years.astype("Int64").where(dob.notna() & on.notna())


def parent_age_band(age: pd.Series) -> pd.Series:
    """Age band of a parent at the baby's birth; None when the age is unknown or not plausible."""
    low, high = PLAUSIBLE_PARENT_AGE
    values = pd.to_numeric(age, errors="coerce")
    bands = pd.cut(values, [low, 20, 25, 30, 35, high + 1], right=False, labels=list(PARENT_AGE_BANDS))
    return bands.astype("object").where(bands.notna(), None)


def ethnic_group(codes: pd.Series) -> pd.Series:
    """DfE ethnicity code -> major group; blank, refused, not obtained or unknown codes -> not known."""
    lookup = {code: group for group, members in ETHNIC_GROUPS.items() for code in members}
    return codes.astype("object").map(
        lambda v: lookup.get(str(v).strip().upper(), ETHNICITY_NOT_KNOWN) if v is not None and not pd.isna(v)
        else ETHNICITY_NOT_KNOWN)


# -- recurrence, waiting times and notice (chapters 2, 4 and 5) ---------------------

def is_prebirth(event_date: pd.Series, date_of_birth: pd.Series) -> pd.Series:
    """Pre-birth referral or assessment: dated before the child's birth, or the child is still unborn.

    A blank date of birth means the baby is not yet born (the children table records
    unborn children with a blank date of birth), so an event for them is pre-birth.
    """
    event = pd.to_datetime(event_date)
    dob = pd.to_datetime(date_of_birth)
    return (dob.isna() | (event < dob)).astype(bool)


def mothers_of(child_ids: pd.Series, children: pd.DataFrame) -> pd.Series:
    """The mother_id of each child (None where the child has no mother linked)."""
    if "mother_id" not in children:
        return pd.Series([None] * len(child_ids), index=child_ids.index, dtype="object")
    mother = children.set_index("child_id")["mother_id"]
    return pd.Series(child_ids.map(mother).to_numpy(), index=child_ids.index, dtype="object")


def previous_proceedings_date(child_ids: pd.Series, dates: pd.Series, proceedings: pd.DataFrame,
                              children: pd.DataFrame) -> pd.Series:
    """For each (child, date): the latest issue date of the mother's proceedings about another child before it.

    "Before" is strictly earlier (a twin issued the same day does not count); proceedings
    about the same child never count; proceedings at any date count, including those
    before the report period. NaT where there are none or the mother is not linked.
    """
    index = child_ids.index
    events = pd.DataFrame({"event": range(len(child_ids)), "child_id": child_ids.to_numpy(),
                           "date": pd.to_datetime(dates).to_numpy()})
    events["mother_id"] = mothers_of(events["child_id"], children).to_numpy()
    earlier = proceedings[["child_id", "issue_date"]].rename(columns={"child_id": "other_child"})
    earlier = earlier.assign(mother_id=mothers_of(earlier["other_child"], children).to_numpy())
    known = events["mother_id"].notna() & events["date"].notna()
    pairs = events[known].merge(earlier[earlier["mother_id"].notna()], on="mother_id")
    pairs = pairs[(pairs["other_child"] != pairs["child_id"]) & (pairs["issue_date"] < pairs["date"])]
    latest = pairs.groupby("event")["issue_date"].max()
    result = pd.Series(pd.NaT, index=range(len(child_ids)), dtype="datetime64[ns]")
    result.loc[latest.index] = latest.to_numpy()
    result.index = index
    return result


def subsequent_infant(child_ids: pd.Series, issue_dates: pd.Series, proceedings: pd.DataFrame,
                      children: pd.DataFrame) -> pd.Series:
    """Subsequent infant: the child's mother is on an earlier proceedings row (strictly earlier
    issue date, at any date) about a different child. False where no mother is linked."""
    return previous_proceedings_date(child_ids, issue_dates, proceedings, children).notna()


def notice_days(issue_date: pd.Series, first_hearing_date: pd.Series) -> pd.Series:
    """Notice before the first hearing: (first_hearing_date - issue_date) in days; NA when not recorded."""
    return (pd.to_datetime(first_hearing_date) - pd.to_datetime(issue_date)).dt.days.astype("Int64")


def gestation_weeks(referral_date: pd.Series, expected_date_of_birth: pd.Series) -> pd.Series:
    """Weeks of pregnancy at referral: 40 - (expected_date_of_birth - referral_date).days / 7."""
    days_to_due = (pd.to_datetime(expected_date_of_birth) - pd.to_datetime(referral_date)).dt.days
    return 40 - days_to_due / 7
