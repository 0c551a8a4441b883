"""Small-number suppression for everything the book publishes (DESIGN 9).

In a published build a count from 1 to ``min_count - 1`` is shown as ``c``; a share,
rate, median or limit built on a suppressed count is suppressed too; and in a table
with totals, further cells are suppressed where a suppressed cell could be worked
out by subtraction. 0 is shown: it identifies nobody.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

MARKER = "c"


def is_small(count, min_count: int) -> bool:
    """True when a count would identify few enough people to need suppression."""
    if count is None or (isinstance(count, float) and math.isnan(count)):
        return False
    return 0 < count < min_count


def small_mask(counts, min_count: int) -> np.ndarray:
    values = pd.to_numeric(pd.Series(counts), errors="coerce").to_numpy(dtype=float)
    return (values > 0) & (values < min_count)


def share_needs_suppression(numerator, denominator, min_count: int) -> bool:
    """A share is withheld when its numerator, its denominator or its complement is small.

    The complement matters: 98 of 100 tells the reader that 2 children did not.
    """
    if denominator is None or pd.isna(denominator):
        return is_small(numerator, min_count)
    rest = denominator - numerator if numerator is not None and not pd.isna(numerator) else None
    return is_small(numerator, min_count) or is_small(denominator, min_count) or is_small(rest, min_count)


def secondary_suppress(counts: pd.DataFrame, min_count: int, primary: pd.DataFrame | None = None,
                       axes: tuple[int, ...] = (0, 1)) -> pd.DataFrame:
    """Boolean mask of cells to withhold in a table whose row and column totals are shown.

    Primary: counts 1..min_count-1. Secondary: wherever a row or column has exactly one
    withheld cell, the smallest other non-zero cell in that line is withheld too, so the
    hidden value cannot be found by subtracting from the total. Repeats until stable.
    ``axes``: 0 when column totals are shown (lines are columns), 1 for row totals.
    """
    values = counts.to_numpy(dtype=float)
    mask = (small_mask(values.ravel(), min_count).reshape(values.shape) if primary is None
            else primary.to_numpy(dtype=bool).copy())
    changed = True
    while changed:
        changed = False
        for axis in axes:
            lines = mask.T if axis == 0 else mask
            vals = values.T if axis == 0 else values
            for i in range(lines.shape[0]):
                hidden = lines[i]
                if hidden.sum() == 1:
                    candidates = np.where(~hidden & (vals[i] > 0))[0]
                    if len(candidates):
                        pick = candidates[np.argmin(vals[i][candidates])]
                        lines[i][pick] = True
                        changed = True
    return pd.DataFrame(mask, index=counts.index, columns=counts.columns)


def format_count(count, suppressed: bool = False) -> str:
    if suppressed:
        return MARKER
    if count is None or pd.isna(count):
        return "not recorded"
    return f"{int(count):,}"


# Units whose numbers count people (or stand on a count of people: a median's denominator).
PEOPLE_UNITS = ("proportion", "count", "per 10,000 live births", "days", "weeks", "months")


def _number(value) -> float:
    return math.nan if value is None or pd.isna(value) else float(value)


def suppress_indicator(row: dict, min_count: int) -> dict:
    """One indicator row with its numbers blanked when its counts are small (published builds).

    A row already flagged ``suppressed`` (e.g. derived from a suppressed count) stays so.
    Counts in ``numerator`` (and ``denominator`` when it counts people) decide; a
    denominator is published only when it is not itself a small count.
    """
    flag = row.get("suppressed")
    flag = False if flag is None or (isinstance(flag, float) and math.isnan(flag)) else bool(flag)
    unit = row.get("unit")
    if unit in PEOPLE_UNITS:
        num, den = row.get("numerator"), row.get("denominator")
        if unit == "proportion":
            flag = flag or share_needs_suppression(num, den, min_count)
        elif unit in ("count", "per 10,000 live births"):
            # a count recorded without its numerator is its own value
            count = row.get("value") if unit == "count" and (num is None or pd.isna(num)) else num
            flag = flag or is_small(count, min_count)
        else:  # medians: the number of people behind them
            flag = flag or is_small(den, min_count)
    out = dict(row, suppressed=flag)
    for column in ("numerator", "value", "lower", "upper"):
        out[column] = math.nan if flag else _number(row.get(column))
    denominator = _number(row.get("denominator"))
    out["denominator"] = math.nan if is_small(denominator, min_count) else denominator
    return out


def suppress_indicators(rows: pd.DataFrame, min_count: int) -> pd.DataFrame:
    """:func:`suppress_indicator` for every row of a table of indicators."""
    out = [suppress_indicator(row, min_count) for row in rows.to_dict("records")]
    return pd.DataFrame(out, index=rows.index, columns=list(dict.fromkeys([*rows.columns, "suppressed"])))


# -- text that reaches the book ---------------------------------------------------------------

class DisclosureError(Exception):
    """A chapter tried to publish something that identifies people (a child-level column)."""


# Column names that make a table child-level: never in a published table or download.
CHILD_LEVEL_COLUMNS = frozenset({
    "child_id", "mother_id", "father_id", "parent_id", "referral_id", "assessment_id", "support_id",
    "proceedings_id", "date_of_birth", "expected_date_of_birth", "dob"})

# Words after a number that make it a count of people (or of their records).
PEOPLE_NOUNS = ("babies", "baby", "children", "child", "newborns", "newborn", "infants", "infant", "mothers",
                "mother", "fathers", "father", "parents", "parent", "families", "family", "young people",
                "women", "men", "girls", "boys", "people", "rows", "records", "episodes", "referrals",
                "assessments", "applications", "starters")
_SMALL_BEFORE_NOUN = re.compile(
    # (a validation summary "N more rows with the same problem" is left whole: its reader withholds it)
    r"(?<![\w.,/:-])(\d{1,3}(?:,\d{3})*|\d+)(?![\w.,%/:-])(?!\s+more rows with the same problem)"
    r"(?=\s+(?:[a-z-]+\s+)?(?:" + "|".join(PEOPLE_NOUNS) + r")\b)",
    re.IGNORECASE)
_FULL_DATE = re.compile(r"(?<![\d/-])(?:\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4})(?![\d/-])")
_TOKEN = re.compile(r"[A-Za-z0-9_-]+")


def withhold_small_counts_in_text(text: str, min_count: int) -> str:
    """Replace counts of people from 1 to min_count - 1 in a sentence by the marker.

    ``'CIN census 2020/21: 2 children'`` becomes ``'... c children'``; years, codes and
    counts of min_count or more are left as they are.
    """
    def swap(match: re.Match) -> str:
        return MARKER if is_small(int(match.group(1).replace(",", "")), min_count) else match.group(1)

    return _SMALL_BEFORE_NOUN.sub(swap, text or "")


def words(text: str) -> list[str]:
    """The whole words of a text, as ``withhold_identifiers_in_text`` reads it."""
    return _TOKEN.findall(text or "")


def withhold_identifiers_in_text(text: str, identifiers) -> str:
    """Replace every id of ``identifiers`` (ids of the input data) that appears in the text, however
    it is written (``KID/0001``, ``A 12``, ``#7``: any characters), and every full date, so a message
    about one record can be published without naming it.

    Longer ids are matched first (``KID/0001/2`` before ``KID/0001``). An id that starts (ends)
    with a letter, digit, ``_`` or ``-`` is not matched inside a longer word: ``XC000373`` does
    not hold the id ``C000373``.
    """
    text = text or ""
    ids = sorted({i for i in (identifiers or ()) if isinstance(i, str) and i}, key=lambda i: (-len(i), i))
    if ids:
        word = re.compile(r"[A-Za-z0-9_-]")
        pattern = "|".join((r"(?<![A-Za-z0-9_-])" if word.match(i[0]) else "") + re.escape(i)
                           + (r"(?![A-Za-z0-9_-])" if word.match(i[-1]) else "") for i in ids)
        text = re.sub(pattern, "(id withheld)", text)
    return _FULL_DATE.sub("(date withheld)", text)


def check_publishable(frame: pd.DataFrame, what: str = "a table") -> None:
    """Refuse a table with a child-level column (an identifier or a date of birth)."""
    named = sorted({str(c) for c in frame.columns} & CHILD_LEVEL_COLUMNS
                   | {str(c) for c in frame.columns if " ".join(str(c).lower().replace("_", " ").split())
                      in {"date of birth", "expected date of birth", "child id", "parent id"}})
    if named:
        raise DisclosureError(f"{what} has child-level column(s) {', '.join(named)}: a published table holds "
                              "counts and summaries only, never a row per child, an identifier or a date of birth")
