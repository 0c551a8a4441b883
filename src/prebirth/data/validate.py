"""Type raw frames into the canonical tables and check them (DESIGN 5.1).

Every problem is collected (never the first only): errors stop the build, warnings
are shown in the data chapter.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re

import numpy as np
import pandas as pd

from .distinct import Distinct
from .problems import Problem, error, warning
from .schema import CODE_WORDS, PROVENANCE, TABLES, Table

MAX_LISTED = 20  # problems of one kind listed per column before summarising


def _where(frame: pd.DataFrame, mask) -> pd.DataFrame:
    return frame.loc[mask, list(PROVENANCE)]


def _report(problems, maker, frame, mask, column, message, fix, values=None):
    """Add one problem per offending row (the first MAX_LISTED, then a summary)."""
    hits = frame.loc[mask]
    if hits.empty:
        return
    vals = values.loc[mask] if values is not None else hits[column] if column in hits else [None] * len(hits)
    # Only the listed rows are visited: a file with the same slip on every one of 300,000 rows stays quick.
    for (_, row), value in zip(hits.head(MAX_LISTED).iterrows(), list(vals[:MAX_LISTED])):
        problems.append(maker(row["_file"], row["_row"], column, value, message, fix))
    if len(hits) > MAX_LISTED:
        first = hits.iloc[0]
        problems.append(
            maker(first["_file"], None, column, None,
                  f"{len(hits) - MAX_LISTED} more rows with the same problem ({message})", fix)
        )


# Event dates that cannot lie after the day the data are read (a forecast or a planned date may).
FUTURE_ALLOWED = {("children", "expected_date_of_birth"), ("rag", "next_review"), ("support", "ended_date"),
                  ("care_episodes", "end_date")}
_TIME_OF_DAY = r"^(\S+)[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?$"
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December")
DATE_FIX = "write dates as YYYY-MM-DD (e.g. 2021-03-31) or DD/MM/YYYY"


def parse_dates(values: pd.Series) -> pd.Series:
    """ISO YYYY-MM-DD, also DD/MM/YYYY; anything else becomes NaT (reported by the caller).

    A time of day after the date (``2021-03-05 00:00:00``, as many exports write it) is ignored.
    The year-first form without leading zeros (``2020-8-14``) is the same date and is read as
    such. Only the digits 0-9 are digits here (not Arabic-Indic or full-width ones).
    """
    text = values.astype("string").str.strip().str.replace(_TIME_OF_DAY, r"\1", regex=True)
    iso = pd.to_datetime(text.where(text.str.fullmatch(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}", na=False)),
                         format="%Y-%m-%d", errors="coerce")
    uk = pd.to_datetime(text.where(text.str.fullmatch(r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}", na=False)),
                        format="%d/%m/%Y", errors="coerce")
    parsed = iso.fillna(uk)
    # Dates outside 1900-2100 are typing mistakes (e.g. 1066 for 2016); they are reported, not kept.
    plausible = (parsed >= pd.Timestamp("1900-01-01")) & (parsed <= pd.Timestamp("2100-12-31"))
    return parsed.where(plausible).astype("datetime64[ns]")


def other_digits(text: str) -> bool:
    """Whether the text has digits other than 0-9 (Arabic-Indic, full-width, ...)."""
    return any(c.isdigit() and not "0" <= c <= "9" for c in str(text))


OTHER_DIGITS = ("it is written with digits other than 0-9 (Arabic-Indic or full-width digits, e.g. typed with "
                "another keyboard or language setting)")


def date_fix(text: str) -> str:
    """How to fix a value that is not a date, said as precisely as the value allows."""
    if other_digits(text):
        return f"{OTHER_DIGITS}: retype it with the digits 0-9, as YYYY-MM-DD (e.g. 2021-03-31) or DD/MM/YYYY"
    text = re.sub(_TIME_OF_DAY, r"\1", str(text).strip())
    iso = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", text)
    uk = re.fullmatch(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})", text)
    serial = re.fullmatch(r"([0-9]{4,5})(?:\.0+)?", text)
    if serial and 1 <= int(serial.group(1)) <= 80000:
        meant = (dt.date(1899, 12, 30) + dt.timedelta(days=int(serial.group(1)))).isoformat()
        return (f"{serial.group(1)} looks like an Excel date number (it would be {meant}): format the column as a "
                f"date in Excel before saving as CSV, or {DATE_FIX}")
    if iso or uk:
        year, month, day = (int(g) for g in iso.groups()) if iso else (int(uk.group(3)), int(uk.group(2)), int(uk.group(1)))
        if not 1900 <= year <= 2100:
            return f"the year {year} is not plausible: check it (e.g. 2016 typed as 1066), then {DATE_FIX}"
        if uk and month > 12 and day <= 12:
            return (f"there is no month {month}: this date looks month-first (US style); "
                    f"write it day first, DD/MM/YYYY, or as YYYY-MM-DD")
        if not 1 <= month <= 12:
            return f"there is no month {month}: check the date, then {DATE_FIX}"
        return (f"there is no {day} {_MONTH_NAMES[month - 1]} {year}: check the day in the case record, "
                f"then {DATE_FIX}")
    return DATE_FIX


class _Column(Distinct):
    """One raw column read once, through its distinct values, each stripped (``text``) and
    whether it is blank (``blank``)."""

    def __init__(self, values: pd.Series):
        super().__init__(values)
        try:
            text = list(map(str.strip, self.values))  # every value is text (as every reader gives it)
        except TypeError:
            text = [str(v).strip() for v in self.values]
        self.text = pd.Series(text, dtype=object)
        self.blank = self.text == ""


def type_table(table: Table, raw: pd.DataFrame, problems: list[Problem], today: dt.date | None = None,
               returns: frozenset[str] = frozenset()) -> pd.DataFrame:
    """Return the typed table; append a Problem for each value that cannot be read.

    Dates of events after ``today`` (the day the data are read) are errors: they are typing
    slips (2102 for 2012), or an expected date of birth put where the birth belongs.
    """
    today = today or dt.date.today()
    out = pd.DataFrame(index=raw.index)
    for column in table.columns:
        if column.name not in raw:
            # Optional column absent: all not recorded.
            out[column.name] = pd.Series(pd.NaT if column.kind == "date" else None, index=raw.index,
                                         dtype="datetime64[ns]" if column.kind == "date" else "object")
            continue
        distinct = _Column(raw[column.name])
        text = distinct.text.where(~distinct.blank, None)  # each distinct value stripped; None if blank
        blank = distinct.rows(distinct.blank, True, dtype=bool)
        stripped = distinct.rows(text, None)
        if column.required:
            _report(problems, error, raw, blank, column.name, "a value is required here but the cell is blank",
                    f"fill in {column.name} for every row ({column.help or 'see the data guide'})")
        if column.kind == "date":
            parsed_values = parse_dates(text)
            parsed = distinct.rows(parsed_values.to_numpy(), np.datetime64("NaT", "ns"), dtype="datetime64[ns]")
            bad_values = text.notna() & parsed_values.isna()
            fixes = text[bad_values].map(date_fix)
            for fix in fixes.unique():
                _report(problems, error, raw, distinct.rows_where(text.index.isin(fixes.index[fixes == fix])),
                        column.name, "not a date (or not between 1900 and 2100)", fix)
            if (table.name, column.name) not in FUTURE_ALLOWED:
                future = parsed.notna() & (parsed > pd.Timestamp(today))
                unborn = (" (if the baby is not born yet, leave date_of_birth blank and give expected_date_of_birth)"
                          if table.name == "children" else "")
                # In a statutory return (read as it is, never hand-edited) it is a warning: the
                # record stays, and the date is corrected at source for the next return.
                in_return = raw["_file"].isin(returns)
                _report(problems, error, raw, future & ~in_return, column.name,
                        f"the date is in the future (after {today.isoformat()})",
                        f"correct the date in the case record{unborn}")
                _report(problems, warning, raw, future & in_return, column.name,
                        f"the date is in the future (after {today.isoformat()})",
                        "correct it in the case-management system before the next return")
            out[column.name] = parsed
        elif column.kind in ("code", "yn"):
            upper = column.kind == "yn" or column.codes in (("M", "F", "U"), ("R", "A", "G"))
            words = CODE_WORDS.get((table.name, column.name), {})
            normal = text.map(lambda v: None if v is None else v.upper() if upper else v.lower())
            normal = normal.map(lambda v: words.get(v.upper(), v) if v is not None else None) if words else normal
            bad_values = text.notna() & ~normal.isin(list(column.codes))
            also = (", or the words " + ", ".join(w.capitalize() for w in words)) if words else ""
            _report(problems, error, raw, distinct.rows_where(bad_values), column.name, "not one of the allowed codes",
                    "use one of: " + ", ".join(column.codes) + also + " (or leave blank if not recorded)")
            out[column.name] = distinct.rows(normal.where(~bad_values & normal.notna(), pd.NA), pd.NA)
        elif column.kind in ("int", "float"):
            out[column.name] = _numbers(table, column, raw, text, distinct, problems)
        else:
            out[column.name] = stripped
    extras = {}
    present = set(raw.columns)
    for extra in raw.columns:
        if extra not in out and extra not in PROVENANCE:
            extras[extra] = raw[extra]
            near = difflib.get_close_matches(str(extra), table.column_names, n=1, cutoff=0.75)
            if near and near[0] not in present:
                file = raw["_file"].iloc[0] if len(raw) else f"{table.name}.csv"
                problems.append(warning(file, 1, str(extra), None,
                                        f"column '{extra}' is not a column of the {table.name} table, so it was not "
                                        f"used; it looks like '{near[0]}', which is missing",
                                        f"rename the column '{near[0]}'"))
    if extras:  # all at once: one column at a time grows a wide table in quadratic time
        out = pd.concat([out, pd.DataFrame(extras, index=raw.index)], axis=1)
    out["_file"] = raw["_file"].to_numpy()
    out["_row"] = raw["_row"].to_numpy()
    return out.reset_index(drop=True)


# Whole numbers beyond this are not counts or years of this book (and overflow a 64-bit integer
# long before 1e20): said in words rather than failing in a chapter.
LARGEST_WHOLE = 10 ** 12


def _numbers(table: Table, column, raw: pd.DataFrame, text: pd.Series, distinct, problems) -> pd.Series:
    """A number column, checked where it is read: text, Arabic-Indic or full-width digits, 'inf'
    or 'nan', a fraction where a whole number belongs, a whole number too large to be a count,
    and the column's own range (``Column.low``/``high``, e.g. live births at least 1)."""
    whole = column.kind == "int"
    number = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce").astype("float64")
    foreign = text.notna() & text.map(lambda v: v is not None and other_digits(v))
    _report(problems, error, raw, distinct.rows_where(foreign), column.name,
            "not a whole number" if whole else "not a number",
            f"{OTHER_DIGITS}: retype it with the digits 0-9")
    unreadable = text.notna() & number.isna() & ~foreign
    _report(problems, error, raw, distinct.rows_where(unreadable), column.name,
            "not a number" if not whole else "not a whole number",
            "write a plain number such as 3120 (no text or symbols)")
    infinite = number.notna() & ~np.isfinite(number)
    _report(problems, error, raw, distinct.rows_where(infinite), column.name, "not a finite number",
            "write the number itself (a value such as 'inf' cannot be counted or plotted)")
    bad = foreign | unreadable | infinite
    if whole:
        fraction = number.notna() & ~infinite & (number % 1 != 0)
        _report(problems, error, raw, distinct.rows_where(fraction), column.name, "not a whole number",
                "write a whole number such as 3120 (no decimals)")
        huge = number.notna() & ~infinite & ~fraction & (number.abs() > LARGEST_WHOLE)
        _report(problems, error, raw, distinct.rows_where(huge), column.name,
                f"the number is far too large (more than {LARGEST_WHOLE:,})",
                "check the number: a digit may be repeated, or a whole column pasted into one cell")
        bad |= fraction | huge
    checked = number.where(~bad)
    if column.low is not None:
        low = checked.notna() & (checked < column.low)
        _report(problems, error, raw, distinct.rows_where(low), column.name,
                f"{column.name} must be at least {column.low:g}" + (f" ({column.why})" if column.why else ""),
                f"correct the value (or remove the row if there is nothing to record)")
        bad |= low
    if column.high is not None:
        high = checked.notna() & (checked > column.high)
        _report(problems, error, raw, distinct.rows_where(high), column.name,
                f"{column.name} must be at most {column.high:g}" + (f" ({column.why})" if column.why else ""),
                "correct the value")
        bad |= high
    numbers = distinct.rows(number.where(~bad).to_numpy(), np.nan, dtype="float64")
    return numbers.astype("Int64") if whole else numbers


def check_keys(table: Table, frame: pd.DataFrame, problems: list[Problem]) -> None:
    """Duplicate ids are errors, naming the earlier row; whole rows repeated in a table without
    ids (transfers) are warnings (both rows are kept: nothing is dropped silently)."""
    if frame.empty:
        return
    content = [c for c in table.column_names if c in frame]
    if not table.key:
        repeated = frame.duplicated(content, keep="first")
        first = frame[~repeated].drop_duplicates(content).set_index(content)["_row"]
        for row_number, (_, row) in enumerate(frame[repeated].iterrows()):
            if row_number >= MAX_LISTED:
                problems.append(warning(row["_file"], None, None, None,
                                        f"{int(repeated.sum()) - MAX_LISTED} more rows repeat an earlier row exactly",
                                        "remove rows recorded twice"))
                break
            earlier = first.get(tuple(row[c] for c in content) if len(content) > 1 else row[content[0]])
            problems.append(warning(row["_file"], row["_row"], None, None,
                                    f"this row repeats row {earlier} exactly (both were kept, so it counts twice)",
                                    "remove the repeated row if the same event was recorded twice"))
        return
    key = list(table.key)
    present = frame[key].notna().all(axis=1)
    dup = present & frame.duplicated(key, keep="first")
    label = " + ".join(key)
    if not dup.any():
        return
    first_rows = frame[present & ~dup].set_index(key)["_row"]
    same = frame[present].duplicated(content, keep="first").reindex(frame.index, fill_value=False)
    for i, (index, row) in enumerate(frame[dup].iterrows()):
        if i >= MAX_LISTED:
            problems.append(error(row["_file"], None, key[0], None,
                                  f"{int(dup.sum()) - MAX_LISTED} more rows with the same problem (duplicate {label})",
                                  "each row must have its own id; remove the repeated row or give it a new id"))
            break
        value = " + ".join(str(row[k]) for k in key)
        earlier = first_rows.get(tuple(row[k] for k in key) if len(key) > 1 else row[key[0]])
        if same.loc[index]:
            message = f"duplicate {label}: this row repeats row {earlier} exactly (the same record twice)"
            fix = "remove the repeated row"
        else:
            message = f"duplicate {label}: row {earlier} has the same {label} with different details"
            fix = "each row must have its own id: correct the id, or keep the right one of the two rows"
        problems.append(error(row["_file"], row["_row"], key[0], value, message, fix))


def check_references(tables: dict[str, pd.DataFrame], problems: list[Problem]) -> None:
    known_ids: dict[str, np.ndarray] = {}  # each referenced column's distinct ids, found once
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
            if target not in known_ids:
                known_ids[target] = tables[target_table][target_column].dropna().unique()
            unknown = frame[column].notna() & ~frame[column].isin(known_ids[target])
            _report(problems, error, frame, unknown, column,
                    f"unknown {target_column}: not in the {target_table} table",
                    f"add this {target_column} to {target_table}, or correct the id")


def check_people(tables: dict[str, pd.DataFrame], problems: list[Problem]) -> None:
    """Links between people that cannot be right: a child who is their own parent, one person as both
    parents (errors); a mother recorded with a father's role, or the reverse (warnings)."""
    children = tables.get("children")
    if children is None or children.empty:
        return
    for column, who in (("mother_id", "mother"), ("father_id", "father")):
        own = children[column].notna() & (children[column] == children["child_id"])
        _report(problems, error, children, own, column, f"a child cannot be their own {who}: {column} is the child's own id",
                f"give the {who}'s parent_id (from the parents table), or leave {column} blank")
    both = children["mother_id"].notna() & (children["mother_id"] == children["father_id"])
    _report(problems, error, children, both, "father_id", "the mother and the father are the same person",
            "correct mother_id or father_id")
    parents = tables.get("parents")
    if parents is not None and not parents.empty:
        role = parents.drop_duplicates("parent_id").set_index("parent_id")["role"]
        for column, expected, other in (("mother_id", "mother", "father"), ("father_id", "father", "mother")):
            wrong = children[column].map(role) == other
            _report(problems, warning, children, wrong, column,
                    f"{column} names a parent recorded as a {other} in the parents table",
                    f"check the parent's role, or whether the id belongs in {'father_id' if expected == 'mother' else 'mother_id'}")


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
            first_referral = referrals.groupby("child_id", sort=False)["referral_date"].min()  # a look-up: no order needed
            prebirth = born & (children["child_id"].map(first_referral) < children["date_of_birth"])
            lost = prebirth & children["expected_date_of_birth"].isna()
            if prebirth.sum() >= 10 and lost.sum() / prebirth.sum() > 0.5:
                # The counts go in the value (shown by prebirth validate), not the message the book publishes.
                problems.append(warning(children["_file"].iloc[0], None, "expected_date_of_birth",
                                        f"blank for {lost.sum():,} of {prebirth.sum():,} babies referred before birth",
                                        "the expected date of birth is blank for most babies referred before birth: "
                                        "it seems to be removed once the baby is born, so gestation at referral "
                                        "cannot be measured for them",
                                        "keep expected_date_of_birth after the birth"))
        if born.sum() >= 20 and (children.loc[born, "date_of_birth"].dt.day == 1).all():
            problems.append(warning(children["_file"].iloc[0], None, "date_of_birth", None,
                                    "every date of birth is the 1st of the month: dates of birth look rounded, "
                                    "so the age in days (and so 'newborn') cannot be measured",
                                    "supply full dates of birth"))


def validate(raw_tables: dict[str, pd.DataFrame], today: dt.date | None = None,
             returns: frozenset[str] = frozenset()) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Type and check every raw table; return typed tables and all problems found.

    A table with a header but no rows is an error for ``children`` (the book has nothing to
    count) and a warning for the others (treated as not supplied). ``returns`` names the
    files read from statutory returns, whose future dates are warnings rather than errors.
    """
    problems: list[Problem] = []
    typed: dict[str, pd.DataFrame] = {}
    for name, raw in raw_tables.items():
        table = TABLES[name]
        file = raw["_file"].iloc[0] if len(raw) else raw.attrs.get("file", f"{name}.csv")
        missing = [c for c in table.required if c not in raw.columns]
        if missing:
            for column in missing:
                near = difflib.get_close_matches(column, [str(c) for c in raw.columns if c not in table.column_names],
                                                 n=1, cutoff=0.75)
                hint = f"; the column '{near[0]}' looks like it, rename it" if near else ""
                problems.append(error(file, 1, column, None, f"required column '{column}' is missing from the {name} table",
                                      f"add a column headed '{column}' (columns needed: {', '.join(table.required)}){hint}"))
            continue
        if raw.empty:
            if name == "children":
                problems.append(error(file, None, None, None, "the children table has a header but no rows",
                                      "add one row per child (fill in the sheet, or export the table again)"))
            else:
                problems.append(warning(file, None, None, None,
                                        f"the {name} table has a header but no rows, so it is treated as not supplied",
                                        f"add the rows, or remove {file} if there is nothing to record"))
            continue
        typed[name] = type_table(table, raw, problems, today, returns)
        check_keys(table, typed[name], problems)
    check_references(typed, problems)
    check_people(typed, problems)
    if not any(p.level == "error" for p in problems):
        check_warnings(typed, problems)
    return typed, problems
