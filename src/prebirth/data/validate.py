"""Type raw frames into the canonical tables and check them (DESIGN 5.1).

Every problem is collected (never the first only): errors stop the build, warnings
are shown in the data chapter.
"""

from __future__ import annotations

import pandas as pd

from .problems import Problem, error, warning
from .schema import PROVENANCE, TABLES, Table

MAX_LISTED = 20  # problems of one kind listed per column before summarising


def _where(frame: pd.DataFrame, mask) -> pd.DataFrame:
    return frame.loc[mask, list(PROVENANCE)]


def _report(problems, maker, frame, mask, column, message, fix, values=None):
    """Add one problem per offending row (the first MAX_LISTED, then a summary)."""
    hits = frame.loc[mask]
    if hits.empty:
        return
    vals = values.loc[mask] if values is not None else hits[column] if column in hits else [None] * len(hits)
    for (_, row), value in list(zip(hits.iterrows(), vals))[:MAX_LISTED]:
        problems.append(maker(row["_file"], row["_row"], column, value, message, fix))
    if len(hits) > MAX_LISTED:
        first = hits.iloc[0]
        problems.append(
            maker(first["_file"], None, column, None,
                  f"{len(hits) - MAX_LISTED} more rows with the same problem ({message})", fix)
        )


def parse_dates(values: pd.Series) -> pd.Series:
    """ISO YYYY-MM-DD, also DD/MM/YYYY; anything else becomes NaT (reported by the caller)."""
    text = values.astype("string").str.strip()
    iso = pd.to_datetime(text.where(text.str.fullmatch(r"\d{4}-\d{2}-\d{2}", na=False)),
                         format="%Y-%m-%d", errors="coerce")
    uk = pd.to_datetime(text.where(text.str.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", na=False)),
                        format="%d/%m/%Y", errors="coerce")
    parsed = iso.fillna(uk)
    # Dates outside 1900-2100 are typing mistakes (e.g. 1066 for 2016); they are reported, not kept.
    plausible = (parsed >= pd.Timestamp("1900-01-01")) & (parsed <= pd.Timestamp("2100-12-31"))
    return parsed.where(plausible).astype("datetime64[ns]")


def _blank(values: pd.Series) -> pd.Series:
    return values.isna() | (values.astype("string").str.strip() == "")


def type_table(table: Table, raw: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    """Return the typed table; append a Problem for each value that cannot be read."""
    out = pd.DataFrame(index=raw.index)
    for column in table.columns:
        if column.name not in raw:
            # Optional column absent: all not recorded.
            out[column.name] = pd.Series(pd.NaT if column.kind == "date" else None, index=raw.index,
                                         dtype="datetime64[ns]" if column.kind == "date" else "object")
            continue
        values = raw[column.name]
        blank = _blank(values)
        stripped = values.astype("string").str.strip().where(~blank)
        if column.required:
            _report(problems, error, raw, blank, column.name, "a value is required here but the cell is blank",
                    f"fill in {column.name} for every row ({column.help or 'see the data guide'})")
        if column.kind == "date":
            parsed = parse_dates(stripped)
            bad = ~blank & parsed.isna()
            _report(problems, error, raw, bad, column.name, "not a date (or not between 1900 and 2100)",
                    "write dates as YYYY-MM-DD (e.g. 2021-03-31) or DD/MM/YYYY")
            out[column.name] = parsed
        elif column.kind in ("code", "yn"):
            normal = stripped.str.upper() if column.kind == "yn" or column.codes == ("M", "F", "U") else stripped.str.lower()
            if column.codes == ("R", "A", "G"):
                normal = stripped.str.upper()
            bad = ~blank & ~normal.isin(list(column.codes))
            _report(problems, error, raw, bad, column.name, "not one of the allowed codes",
                    "use one of: " + ", ".join(column.codes) + " (or leave blank if not recorded)")
            out[column.name] = normal.where(~bad).astype("object")
        elif column.kind in ("int", "float"):
            number = pd.to_numeric(stripped.str.replace(",", "", regex=False), errors="coerce")
            bad = ~blank & number.isna()
            if column.kind == "int":
                bad |= ~blank & number.notna() & (number % 1 != 0)
            _report(problems, error, raw, bad, column.name, "not a number" if column.kind == "float" else "not a whole number",
                    "write a plain number such as 3120 (no text or symbols)")
            out[column.name] = number.astype("Int64" if column.kind == "int" else "Float64").astype(
                "float64" if column.kind == "float" else "Int64")
        else:
            out[column.name] = stripped.astype("object").where(~blank, None)
    for extra in raw.columns:
        if extra not in out and extra not in PROVENANCE:
            out[extra] = raw[extra]
    out["_file"] = raw["_file"].to_numpy()
    out["_row"] = raw["_row"].to_numpy()
    return out.reset_index(drop=True)


def check_keys(table: Table, frame: pd.DataFrame, problems: list[Problem]) -> None:
    if not table.key or frame.empty:
        return
    key = list(table.key)
    present = frame[key].notna().all(axis=1)
    dup = present & frame.duplicated(key, keep="first")
    label = " + ".join(key)
    _report(problems, error, frame, dup, key[0], f"duplicate {label}: this row repeats an earlier row's {label}",
            "each row must have its own id; remove the repeated row or give it a new id",
            values=frame[key].astype(str).agg(" + ".join, axis=1))


def check_references(tables: dict[str, pd.DataFrame], problems: list[Problem]) -> None:
    for name, frame in tables.items():
        for column, target in TABLES[name].references.items():
            target_table, target_column = target.split(".")
            if column not in frame or frame[column].isna().all():
                continue
            if target_table not in tables:
                if target_table == "parents":
                    continue  # parent links without a parents table are allowed: ids stay opaque
                problems.append(error(frame["_file"].iloc[0], None, column, None,
                                      f"refers to the {target_table} table, which was not supplied",
                                      f"add {target_table}.csv, or leave {column} blank"))
                continue
            known = set(tables[target_table][target_column].dropna())
            unknown = frame[column].notna() & ~frame[column].isin(known)
            _report(problems, error, frame, unknown, column,
                    f"unknown {target_column}: not in the {target_table} table",
                    f"add this {target_column} to {target_table}, or correct the id")


def check_warnings(tables: dict[str, pd.DataFrame], problems: list[Problem]) -> None:
    """The data-quality warnings of DESIGN 5.1 (the build continues)."""
    children = tables.get("children")
    dob = children.set_index("child_id")["date_of_birth"] if children is not None else None
    proceedings = tables.get("proceedings")
    if proceedings is not None:
        early = proceedings["first_hearing_date"].notna() & (proceedings["first_hearing_date"] < proceedings["issue_date"])
        _report(problems, warning, proceedings, early, "first_hearing_date",
                "first hearing is before the issue date", "check both dates in the court record")
        if dob is not None:
            born = proceedings["child_id"].map(dob)
            before = born.notna() & (proceedings["issue_date"] < born)
            _report(problems, warning, proceedings, before, "issue_date",
                    "proceedings issued before the child's date of birth",
                    "check the issue date and the date of birth")
    referrals = tables.get("referrals")
    if referrals is not None and dob is not None:
        born = referrals["child_id"].map(dob)
        long_before = born.notna() & ((born - referrals["referral_date"]).dt.days > 280)
        _report(problems, warning, referrals, long_before, "referral_date",
                "referral more than 40 weeks before the child's birth (CIN rule 8606)",
                "check the referral date and the date of birth")
    assessments = tables.get("assessments")
    if assessments is not None:
        backwards = assessments["authorised_date"].notna() & (assessments["authorised_date"] < assessments["start_date"])
        _report(problems, warning, assessments, backwards, "authorised_date",
                "assessment authorised before it started", "check the start and authorisation dates")
    if children is not None:
        born = children["date_of_birth"].notna()
        if referrals is not None and children["expected_date_of_birth"].notna().any():
            # Only babies referred before birth can be expected to have an expected date of birth.
            first_referral = referrals.groupby("child_id")["referral_date"].min()
            prebirth = born & (children["child_id"].map(first_referral) < children["date_of_birth"])
            lost = prebirth & children["expected_date_of_birth"].isna()
            if prebirth.sum() >= 10 and lost.sum() / prebirth.sum() > 0.5:
                problems.append(warning(children["_file"].iloc[0], None, "expected_date_of_birth", None,
                                        f"the expected date of birth is blank for {lost.sum():,} of {prebirth.sum():,} babies "
                                        "referred before birth: it seems to be removed once the baby is born, so gestation "
                                        "at referral cannot be measured for them",
                                        "keep expected_date_of_birth after the birth"))
        if born.sum() >= 20 and (children.loc[born, "date_of_birth"].dt.day == 1).all():
            problems.append(warning(children["_file"].iloc[0], None, "date_of_birth", None,
                                    "every date of birth is the 1st of the month: dates of birth look rounded, "
                                    "so the age in days (and so 'newborn') cannot be measured",
                                    "supply full dates of birth"))


def validate(raw_tables: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Type and check every raw table; return typed tables and all problems found."""
    problems: list[Problem] = []
    typed: dict[str, pd.DataFrame] = {}
    for name, raw in raw_tables.items():
        table = TABLES[name]
        missing = [c for c in table.required if c not in raw.columns]
        if missing:
            file = raw["_file"].iloc[0] if len(raw) else f"{name}.csv"
            for column in missing:
                problems.append(error(file, 1, column, None, f"required column '{column}' is missing from the {name} table",
                                      f"add a column headed '{column}' (columns needed: {', '.join(table.required)})"))
            continue
        typed[name] = type_table(table, raw, problems)
        check_keys(table, typed[name], problems)
    check_references(typed, problems)
    if not any(p.level == "error" for p in problems):
        check_warnings(typed, problems)
    return typed, problems
