"""The definitions of DESIGN 5.2, written once and quoted into the methods page.

Every chapter derives its counts through these functions, so that an infant, a
newborn or a financial year mean the same thing everywhere in the book.
"""

from __future__ import annotations

import pandas as pd


def financial_year(dates: pd.Series) -> pd.Series:
    """April-March financial year label, e.g. 2019-04-01 .. 2020-03-31 -> '2019/20'."""
    dates = pd.to_datetime(dates)
    start = dates.dt.year - (dates.dt.month < 4).astype("Int64")
    label = start.astype("Int64").astype("string") + "/" + ((start + 1) % 100).astype("Int64").astype("string").str.zfill(2)
    return label.where(dates.notna()).astype("object")


def financial_year_start(label: str) -> int:
    """'2019/20' -> 2019 (the calendar year whose live births are the rate's denominator)."""
    return int(label[:4])


def financial_years(start: pd.Timestamp, end: pd.Timestamp) -> list[str]:
    """Every financial year label that overlaps the report period, in order."""
    first = financial_year(pd.Series([pd.Timestamp(start)])).iloc[0]
    last = financial_year(pd.Series([pd.Timestamp(end)])).iloc[0]
    return [f"{y}/{(y + 1) % 100:02d}" for y in range(financial_year_start(first), financial_year_start(last) + 1)]


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
