"""Readers of published benchmark files, as downloaded, into the tidy benchmark frame (DESIGN 5.4).

The tidy frame has the columns of ``TIDY_COLUMNS``. A published cell holding a marker
(``c``, ``z``, ``x``, ``k``, ``u``, ``low``, ``:``) is "no number": NaN with ``suppressed``
True, never 0. A share or rate is ``numerator / denominator`` (x 10,000 for rates) when
both are published, because the published percentages and rates are rounded to whole
numbers; otherwise the published value is kept.

Files read:

- the generic tidy CSV (``read_tidy``);
- DfE explore-education-statistics (EES) CSVs as downloaded (``read_ees``): children who
  started to be looked after by characteristic -> ``infant_starters_share`` ("Under 1 year"
  / total, age group), ``started_ico_share`` (interim care order / total, legal status,
  where published) and ``started_s20_share`` (voluntary agreement under s20 / total);
  numbers and rates per 10,000 children -> ``cla_rate_per_10k_children``,
  ``cla_started_rate_per_10k_children``, ``cla_ceased_rate_per_10k_children``. A
  ``time_period`` of 2022 with ``time_identifier`` "Reporting year" is the year ending
  31 March 2022: ``2021/22``;
- the older wide SFR tables 2011-2017 (``read_sfr``: ``SCLA_U1``, ``SCLA_ICO``, ``SCLA_S20``
  over ``CLA_started<year>``);
- the DfE statistical-neighbours workbook (``read_statistical_neighbours``) and the DfE
  ``la_code_list`` workbook (``read_la_code_list``).

LA codes that changed without a change of area are written as today's code
(``la_codes.current_code``), so a series runs on; London boroughs are in the London
region (the files say Inner or Outer London). The LA numbers, codes and regions are
learned from every file of a benchmarks folder and its sub-folders (``codes_from_folder``),
so an SFR table kept in its own sub-folder finds its authorities' regions in the LA code
list beside it.

Every tidy row keeps where it came from: ``_file`` (the file, relative to the benchmarks
folder) and ``_row`` (its line in that file), so a problem found later
(``check_tidy``) names the file, row, column and value.
"""

from __future__ import annotations

import csv
import io
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from . import la_codes
from .la_codes import ENGLAND_CODE, ENGLAND_NAME, LONDON_PARTS, REGIONS, LaCodes
from .problems import Problem
from .safe_files import FileRefused, read_bytes
from ..periods import financial_year_label

TIDY_COLUMNS = [
    "period", "geographic_level", "area_code", "area_name", "region_code", "region_name",
    "indicator", "numerator", "denominator", "value", "source", "suppressed",
]
PROVENANCE = ["_file", "_row"]  # where each tidy row came from (file relative to the folder, line)
# True where a figure is marked z (DfE: not applicable, e.g. the authority did not exist that year), so a
# reader can tell it from one withheld to protect small numbers (c); both stay missing and "suppressed".
NOT_APPLICABLE = "not_applicable"
NUMBER_COLUMNS = ("numerator", "denominator", "value")
MARKERS = {"c", "z", "x", "k", "u", "low", ":"}
LEVELS = {"national": "National", "regional": "Regional", "local authority": "Local authority"}

AGE_GROUPS = {"age group", "age on starting"}
TOTALS = {"total", "total children", "all children"}
UNDER_ONE = {"under 1 year", "under 1"}
ICO = {"interim care order"}
S20 = {"voluntary agreement under s20", "voluntary agreements under s20 ca 1989", "voluntary agreements under s20"}
RATE_INDICATORS = {
    "children looked after at 31 march each year": "cla_rate_per_10k_children",
    "children starting to be looked after each year": "cla_started_rate_per_10k_children",
    "children ceasing to be looked after each year": "cla_ceased_rate_per_10k_children",
}
SFR_SHARES = {"SCLA_U1": "infant_starters_share", "SCLA_ICO": "started_ico_share", "SCLA_S20": "started_s20_share"}
KINDS = ("benchmark_tidy", "ees", "sfr", "statistical_neighbours", "la_code_list")


# -- reading cells -----------------------------------------------------------------------------

def published_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Published cells -> (float numbers, suppressed flags, unreadable flags).

    Markers are NaN and suppressed; blanks are NaN and not suppressed; any other text is
    NaN and flagged unreadable so the caller can report it (never read as 0).
    """
    text = values.astype("string").str.strip().fillna("")
    marker = text.str.lower().isin(MARKERS)
    number = pd.to_numeric(text.str.replace(",", "", regex=False).where(~marker & (text != "")), errors="coerce")
    number = number.astype(float)
    number = number.where(np.isfinite(number))  # 'inf', '1e400': not a published number either
    unreadable = (text != "") & ~marker & number.isna()
    return number, marker.astype(bool), unreadable.astype(bool)


def not_applicable_marks(*columns: pd.Series) -> pd.Series:
    """True where any of these published cells is the marker z (not applicable)."""
    marks = [c.astype("string").str.strip().str.lower().eq("z").fillna(False) for c in columns]
    out = marks[0]
    for mark in marks[1:]:
        out = out | mark
    return out.astype(bool)


def _read_text_csv(path: Path) -> pd.DataFrame:
    """A published CSV as text, whatever its encoding (DfE's older files are Windows text).

    The index is each row's line in the file (the header is line 1), blank lines counted.
    """
    data = read_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", "replace")
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False)
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    if len(frame.columns):
        frame = frame[(frame != "").any(axis=1)]
    return frame


def _header(path: Path) -> list[str]:
    try:
        with open(path, "rb") as handle:
            first = handle.readline(65536)
    except OSError:
        return []
    text = first.decode("utf-8-sig", "replace")
    return [c.strip() for c in next(csv.reader([text]), [])]


def _report_unreadable(frame, unreadable, column, file, problems, what="a published number") -> None:
    rows = frame.index[unreadable]
    for index in rows[:10]:
        problems.append(Problem("warning", file, int(index), column, str(frame.at[index, column]),
                                f"not {what} or a suppression marker (c, z, x, k, u, low, :); read as missing",
                                "check the cell in the downloaded file"))
    if len(rows) > 10:
        problems.append(Problem("warning", file, int(rows[10]), column, str(frame.at[rows[10], column]),
                                f"this and {len(rows) - 11:,} more cells are not numbers; read as missing",
                                "check the downloaded file"))


# -- periods -----------------------------------------------------------------------------------

def ees_period(time_period: str, time_identifier: str) -> str | None:
    """The book's period label for an EES ``time_period``; None if the identifier is not known.

    "Reporting year" 2022 is the year ending 31 March 2022 (``2021/22``); financial and
    academic years come as ``202122``; calendar years stay as they are.
    """
    period = str(time_period).strip()
    identifier = str(time_identifier).strip().lower()
    if identifier == "reporting year" and re.fullmatch(r"\d{4}", period):
        return la_codes_financial_year(int(period))
    if identifier in ("financial year", "academic year", "reporting year") and re.fullmatch(r"\d{6}", period):
        start, end = int(period[:4]), int(period[4:])
        if (start + 1) % 100 == end:
            return f"{start}/{end:02d}"
        return None
    if identifier == "calendar year" and re.fullmatch(r"\d{4}", period):
        return period
    return None


def la_codes_financial_year(end_year: int) -> str:
    return financial_year_label(end_year - 1)


# -- detection ---------------------------------------------------------------------------------

def detect(path) -> str | None:
    """The kind of a benchmark file from its content: one of ``KINDS``, or None."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        header = {h.lower() for h in _header(path)}
        if {"time_period", "time_identifier", "geographic_level"} <= header:
            return "ees"
        if "geog_l" in header and any(h.startswith(("scla_", "cla_started")) for h in header):
            return "sfr"
        if {"period", "indicator", "area_code", "value"} <= header:
            return "benchmark_tidy"
        if {"area_code", "rank", "neighbour_code"} <= header:
            return "statistical_neighbours"
        return None
    if suffix in (".xlsx", ".xlsm"):
        rows = _first_rows(path)
        for row in rows:
            cells = {_normal(c) for c in row}
            if {"sn1", "sn2"} <= cells:
                return "statistical_neighbours"
            if "la number" in cells and "region" in cells and "la name" in cells:
                return "la_code_list"
    return None


def _normal(value) -> str:
    return re.sub(r"\s+", " ", str(value if value is not None else "")).strip().lower()


def _first_rows(path: Path, limit: int = 10) -> list[tuple]:
    try:
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # not a workbook this reader can open: not a benchmark file
        return []
    try:
        rows = []
        for sheet in book.worksheets:
            for index, row in enumerate(sheet.iter_rows(values_only=True)):
                if index >= limit:
                    break
                rows.append(row)
        return rows
    finally:
        book.close()


# -- the generic tidy file ---------------------------------------------------------------------

LEVEL_ALIASES = {**LEVELS, "england": "National", "country": "National", "region": "Regional",
                 "la": "Local authority", "local_authority": "Local authority", "local authority district": None}
_PERIOD_FORMS = (
    (re.compile(r"(\d{4})"), lambda m: m.group(1)),  # a calendar year
    (re.compile(r"(\d{4})\s*[/-]\s*(\d{2})"), lambda m: _financial(m.group(1), m.group(2))),
    (re.compile(r"(\d{4})\s*[/-]\s*(\d{4})"), lambda m: _financial(m.group(1), m.group(2)[2:], m.group(2))),
    (re.compile(r"(\d{4})(\d{2})"), lambda m: _financial(m.group(1), m.group(2))),
)


def _financial(start: str, end: str, full: str | None = None) -> str | None:
    """``2019/20`` for a financial year given as 2019, 20 (or 2020); None if the years do not follow."""
    if full is not None and int(full) != int(start) + 1:
        return None
    return f"{start}/{end}" if (int(start) + 1) % 100 == int(end) else None


def tidy_period(text) -> str | None:
    """The book's label of a period in the tidy file: ``2021`` (calendar year) or ``2021/22``
    (financial year, also written ``2021-22``, ``2021/2022`` or ``202122``); None otherwise."""
    value = str(text).strip()
    for pattern, label in _PERIOD_FORMS:
        match = pattern.fullmatch(value)
        if match:
            return label(match)
    return None


def read_tidy(path, problems: list[Problem]) -> pd.DataFrame:
    """The generic tidy benchmark CSV; markers stay missing and flagged."""
    path = Path(path)
    frame = _read_text_csv(path)
    frame.columns = [c.lower() for c in frame.columns]
    needed = [c for c in TIDY_COLUMNS if c not in ("suppressed", "numerator", "denominator", "source")]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        problems.append(Problem("error", path.name, 1, ", ".join(missing), ",".join(frame.columns)[:120],
                                "the benchmark file is missing columns",
                                "use the tidy format: " + ", ".join(TIDY_COLUMNS)))
        return empty_tidy()
    out = pd.DataFrame(index=frame.index)
    flagged = pd.Series(False, index=frame.index)
    for column in NUMBER_COLUMNS:
        if column not in frame:
            out[column] = np.nan
            continue
        out[column], marker, unreadable = published_numbers(frame[column])
        flagged |= marker
        _report_unreadable(frame, unreadable, column, path.name, problems)
    if "suppressed" in frame:
        flagged |= frame["suppressed"].str.strip().str.lower().isin(["true", "1", "y", "yes"])
    for column in ("period", "geographic_level", "area_code", "area_name", "region_code", "region_name", "indicator"):
        out[column] = frame[column].str.strip().replace("", None) if column in frame else None
    level = out["geographic_level"].map(lambda v: LEVEL_ALIASES.get(str(v).lower()) if v is not None else None)
    _report_rows(problems, path.name, frame, out["geographic_level"].notna() & level.isna(), "geographic_level",
                 "not a geographic level the book compares (National, Regional or Local authority)",
                 "write National, Regional or Local authority, or remove rows at other levels")
    out["geographic_level"] = level
    period = out["period"].map(lambda v: tidy_period(v) if v is not None else None)
    _report_rows(problems, path.name, frame, period.isna(), "period",
                 "not a period the book can place: a calendar year (2021) or a financial year (2021/22)",
                 "write the year as 2021 or the financial year as 2021/22")
    out["period"] = period
    for column in ("area_code", "indicator"):
        _report_rows(problems, path.name, frame, out[column].isna(), column, "a value is required here",
                     f"fill in {column}, or remove the row")
    out["area_code"] = out["area_code"].map(la_codes.current_code)
    source = frame["source"].str.strip() if "source" in frame else pd.Series("", index=frame.index)
    out["source"] = source.where(source != "", path.name)
    out["suppressed"] = flagged.astype(bool)
    out[NOT_APPLICABLE] = not_applicable_marks(*[frame[c] for c in NUMBER_COLUMNS if c in frame]).to_numpy()
    out["_file"] = path.name
    out["_row"] = out.index
    return _tidy(out)


def _report_rows(problems, file, frame, mask, column, message, fix, level="error", limit=20) -> None:
    """One problem per offending row of a published file (the first ``limit``, then one line for the rest)."""
    rows = frame.index[np.asarray(mask, dtype=bool)]
    for index in rows[:limit]:
        value = frame.at[index, column] if column in frame else None
        problems.append(Problem(level, file, int(index), column, None if value in (None, "") else str(value),
                                message, fix))
    if len(rows) > limit:
        index = rows[limit]
        problems.append(Problem(level, file, int(index), column, None,
                                f"this and {len(rows) - limit - 1:,} more rows: {message}", fix))


def empty_tidy() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=float if c in NUMBER_COLUMNS else bool if c == "suppressed" else
                                      "int64" if c == "_row" else object)
                         for c in TIDY_COLUMNS + PROVENANCE} | {NOT_APPLICABLE: pd.Series(dtype=bool)})


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reindex(columns=TIDY_COLUMNS + PROVENANCE + [NOT_APPLICABLE])
    for column in NUMBER_COLUMNS:
        out[column] = out[column].astype(float)
    out["suppressed"] = out["suppressed"].fillna(False).astype(bool)
    out[NOT_APPLICABLE] = out[NOT_APPLICABLE].astype("boolean").fillna(False).astype(bool)
    for column in ("period", "geographic_level", "area_code", "area_name", "region_code", "region_name",
                   "indicator", "source", "_file"):
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out.reset_index(drop=True)


# -- explore-education-statistics --------------------------------------------------------------

def _ees_areas(frame: pd.DataFrame) -> pd.DataFrame:
    """Area columns of the tidy frame for each EES row (levels other than the three: None)."""
    level = frame["geographic_level"].str.strip().str.lower().map(LEVELS)
    national, regional, local = (level == "National"), (level == "Regional"), (level == "Local authority")
    get = lambda name: frame[name].str.strip() if name in frame else pd.Series("", index=frame.index)  # noqa: E731
    region_code = get("region_code")
    region_name = get("region_name")
    la_code = get("new_la_code").map(lambda c: la_codes.current_code(c) if c else None)
    areas = pd.DataFrame(index=frame.index)
    areas["geographic_level"] = level
    areas["area_code"] = np.select([national, regional, local],
                                   [get("country_code").replace("", ENGLAND_CODE), region_code, la_code], None)
    areas["area_name"] = np.select([national, regional, local],
                                   [get("country_name").replace("", ENGLAND_NAME), region_name, get("la_name")], None)
    # A borough's region is London, although the files say Inner or Outer London.
    borough_region = region_code.map(la_codes.region_of_borough)
    areas["region_code"] = np.select([regional, local], [region_code, borough_region], None)
    areas["region_name"] = np.select(
        [regional, local], [region_name, borough_region.map(lambda c: REGIONS.get(c, None))], None)
    missing_region_name = local & areas["region_name"].isna() & (region_name != "")
    areas.loc[missing_region_name, "region_name"] = region_name[missing_region_name]
    for column in areas:
        areas[column] = areas[column].replace("", None)
    return areas


def _share(frame, areas, group_mask, part_mask, indicator, source, scale=1.0) -> pd.DataFrame:
    """numerator = the ``part`` rows, denominator = the total rows of the same group, per area and period."""
    key = ["period", "geographic_level", "area_code", "cla_group"]
    base = pd.concat([areas, frame[["period", "cla_group", "number"]]], axis=1).assign(_row=frame.index)
    parts = base[group_mask & part_mask].drop_duplicates(key)
    totals = base[group_mask & frame["_total"]].drop_duplicates(key)[key + ["number"]]
    merged = parts.merge(totals, on=key, how="left", suffixes=("", "_total"))
    numerator, n_marker, _ = published_numbers(merged["number"])
    denominator, d_marker, _ = published_numbers(merged["number_total"].fillna(""))
    out = merged[["period", "geographic_level", "area_code", "area_name", "region_code", "region_name"]].copy()
    out["indicator"] = indicator
    out["numerator"] = numerator
    out["denominator"] = denominator
    out["value"] = numerator / denominator * scale
    out.loc[denominator == 0, "value"] = np.nan
    out["source"] = source
    out["suppressed"] = n_marker | d_marker
    out[NOT_APPLICABLE] = not_applicable_marks(merged["number"], merged["number_total"]).to_numpy()
    out["_row"] = merged["_row"].to_numpy()
    return out


def read_ees(path, problems: list[Problem]) -> pd.DataFrame:
    """A DfE explore-education-statistics CSV as downloaded, into tidy rows."""
    path = Path(path)
    frame = _read_text_csv(path)
    frame.columns = [c.lower() for c in frame.columns]
    source = f"DfE explore education statistics: {path.name}"
    periods = {pair: ees_period(*pair) for pair in
               frame[["time_period", "time_identifier"]].drop_duplicates().itertuples(index=False, name=None)}
    unknown = [pair for pair, label in periods.items() if label is None]
    if unknown:
        bad = frame[["time_period", "time_identifier"]].apply(tuple, axis=1).isin(unknown)
        first = frame.index[bad][0]
        problems.append(Problem("error", path.name, int(first), "time_period", " ".join(unknown[0]),
                                f"{int(bad.sum()):,} rows have a time period this book cannot place in a year",
                                "download the table with reporting, financial, academic or calendar years"))
    frame["period"] = [periods[(p, i)] for p, i in zip(frame["time_period"], frame["time_identifier"])]
    areas = _ees_areas(frame)
    other_levels = areas["geographic_level"].isna()
    if other_levels.any():
        names = sorted(frame.loc[other_levels, "geographic_level"].unique())[:5]
        problems.append(Problem("warning", path.name, int(frame.index[other_levels][0]), "geographic_level",
                                ", ".join(names),
                                f"{int(other_levels.sum()):,} rows at other geographic levels were not used "
                                "(the book compares England, regions and local authorities)", ""))
    usable = ~other_levels & frame["period"].notna()
    columns = set(frame.columns)
    if {"cla_group", "characteristic", "number"} <= columns:
        out = _ees_started(path, frame, areas, usable, source, problems)
    elif {"population_count", "number", "rate_per_10000"} <= columns:
        out = _ees_rates(path, frame, areas, usable, source, problems)
    else:
        problems.append(Problem("warning", path.name, None, None, None,
                                "this explore-education-statistics table is not one the book uses; it was not read",
                                "use 'children who started to be looked after' by characteristic, or "
                                "'number and rate per 10,000 children'"))
        return empty_tidy()
    out["_file"] = path.name
    return _tidy(out)


def _ees_started(path, frame, areas, usable, source, problems) -> pd.DataFrame:
    started = "start" in path.name.lower() or frame["cla_group"].str.lower().eq("age on starting").any()
    if not started:
        problems.append(Problem("warning", path.name, None, "cla_group", None,
                                "this table is not about children who started to be looked after; it was not read",
                                "download 'children who started to be looked after during the year'"))
        return empty_tidy()
    group = frame["cla_group"].str.strip().str.lower()
    characteristic = frame["characteristic"].str.strip().str.lower()
    frame = frame.assign(_total=characteristic.isin(TOTALS))
    _, _, unreadable = published_numbers(frame["number"])
    _report_unreadable(frame, unreadable & usable, "number", path.name, problems)
    pieces = [
        _share(frame, areas, usable & group.isin(AGE_GROUPS), characteristic.isin(UNDER_ONE),
               "infant_starters_share", source),
        _share(frame, areas, usable & (group == "legal status"), characteristic.isin(ICO),
               "started_ico_share", source),
        _share(frame, areas, usable & (group == "legal status"), characteristic.isin(S20),
               "started_s20_share", source),
    ]
    out = pd.concat([p for p in pieces if not p.empty], ignore_index=True) if any(
        not p.empty for p in pieces) else empty_tidy()
    lost = out["denominator"].isna() & ~out["suppressed"]
    if lost.any():
        first = out[lost].iloc[0]
        problems.append(Problem("warning", path.name, int(first["_row"]), "characteristic",
                                f"{first['area_name']} {first['indicator']} {first['period']}",
                                f"{int(lost.sum()):,} figures have no 'Total' row to divide by; their share is missing",
                                "download the table with its totals"))
    return out


def _ees_rates(path, frame, areas, usable, source, problems) -> pd.DataFrame:
    population = frame["population_count"].str.strip()
    indicator = population.str.lower().map(RATE_INDICATORS)
    other = usable & indicator.isna()
    if other.any():
        problems.append(Problem("warning", path.name, int(frame.index[other][0]), "population_count",
                                ", ".join(sorted(population[other].unique())[:3]),
                                f"{int(other.sum()):,} rows count a population the book does not use; not read", ""))
    keep = usable & indicator.notna()
    numerator, n_marker, n_bad = published_numbers(frame["number"])
    denominator, d_marker, d_bad = published_numbers(frame.get("population_estimate", pd.Series("", index=frame.index)))
    rate, r_marker, r_bad = published_numbers(frame["rate_per_10000"])
    for column, bad in (("number", n_bad), ("population_estimate", d_bad), ("rate_per_10000", r_bad)):
        _report_unreadable(frame, bad & keep, column, path.name, problems)
    computed = numerator / denominator * 10_000
    out = areas.copy()
    out["period"] = frame["period"]
    out["indicator"] = indicator
    out["numerator"] = numerator
    out["denominator"] = denominator
    out["value"] = computed.where(numerator.notna() & denominator.notna() & (denominator > 0), rate)
    out["source"] = source
    out["suppressed"] = n_marker | r_marker | (d_marker & rate.isna())
    out["_row"] = frame.index
    return out[keep]


# -- the older SFR tables ----------------------------------------------------------------------

def read_sfr(path, problems: list[Problem], codes: LaCodes | None = None) -> pd.DataFrame:
    """An older wide SFR table of children starting to be looked after (2011-2017)."""
    path = Path(path)
    frame = _read_text_csv(path)
    frame = frame.loc[:, [c for c in frame.columns if c and not c.startswith("Unnamed")]]
    total_column = next((c for c in frame.columns if re.fullmatch(r"CLA_started\d{4}", c, re.IGNORECASE)), None)
    if total_column is None:
        problems.append(Problem("error", path.name, 1, "CLA_started", None,
                                "the SFR table has no CLA_started<year> column (all children who started)",
                                "use the DfE SFR underlying data as published"))
        return empty_tidy()
    column_year = int(total_column[-4:])
    name_year = re.search(r"ADM(\d{4})", path.name, re.IGNORECASE)
    year = int(name_year.group(1)) if name_year else column_year
    if name_year and year != column_year:
        # SFR34/2015 labels its 2015 columns "2014": the release named in the file wins.
        problems.append(Problem("warning", path.name, 1, total_column, total_column,
                                f"the file name says the year ending March {year}, its columns say {column_year}; "
                                f"read as {la_codes_financial_year(year)}",
                                "rename the file if the year is wrong"))
    codes = codes or codes_from_folder(path.parent)
    source = f"DfE statistical first release: {path.name}"
    level = frame["geog_l"].str.strip().str.upper().map(
        {"NATIONAL": "National", "REGION": "Regional", "LA": "Local authority"})
    name = frame["geog_n"].str.strip() if "geog_n" in frame else pd.Series("", index=frame.index)
    code = frame["New_geog_code"].str.strip() if "New_geog_code" in frame else pd.Series("", index=frame.index)
    number = frame["geog_c"].str.strip() if "geog_c" in frame else pd.Series("", index=frame.index)
    rows = []
    for index in frame.index:
        lvl = level[index]
        if lvl is None or pd.isna(lvl):
            continue
        if lvl == "National":
            area_code, area_name, region_code_ = ENGLAND_CODE, ENGLAND_NAME, None
        elif lvl == "Regional":
            # Inner and Outer London carry London's code in some releases: their names say which.
            area_code = la_codes.region_code(name[index]) or code[index] or None
            area_name = REGIONS.get(area_code) or LONDON_PARTS.get(area_code) or name[index].title()
            region_code_ = area_code
        else:
            area_code = la_codes.current_code(code[index]) or codes.code_for(number[index])
            area_name = name[index] or None
            region_code_ = codes.region_for(area_code) or codes.region_of_number.get(la_codes.normal_number(number[index]))
        rows.append((index, lvl, area_code, area_name, region_code_))
    areas = pd.DataFrame(rows, columns=["index", "geographic_level", "area_code", "area_name", "region_code"]).set_index("index")
    areas["region_name"] = areas["region_code"].map(lambda c: REGIONS.get(c) or LONDON_PARTS.get(c))
    # An authority whose region no file gives is reported once every file is read (``place_regions``).
    denominator, d_marker, d_bad = published_numbers(frame.loc[areas.index, total_column])
    _report_unreadable(frame, d_bad.reindex(frame.index, fill_value=False), total_column, path.name, problems)
    pieces = []
    for column, indicator in SFR_SHARES.items():
        if column not in frame:
            continue
        numerator, n_marker, n_bad = published_numbers(frame.loc[areas.index, column])
        _report_unreadable(frame, n_bad.reindex(frame.index, fill_value=False), column, path.name, problems)
        piece = areas.copy()
        piece["period"] = la_codes_financial_year(year)
        piece["indicator"] = indicator
        piece["numerator"] = numerator
        piece["denominator"] = denominator
        piece["value"] = (numerator / denominator).where(denominator > 0)
        piece["source"] = source
        piece["suppressed"] = n_marker | d_marker
        piece[NOT_APPLICABLE] = not_applicable_marks(frame.loc[areas.index, column],
                                                     frame.loc[areas.index, total_column]).to_numpy()
        piece["_file"] = path.name
        piece["_row"] = piece.index
        pieces.append(piece)
    if not pieces:
        return empty_tidy()
    return _tidy(pd.concat(pieces, ignore_index=True))


# -- statistical neighbours and the LA list ----------------------------------------------------

def statistical_neighbours_table(path, problems: list[Problem]) -> pd.DataFrame:
    """The DfE statistical-neighbours workbook as rows: la_number, la_name, region, rank, neighbour_number, closeness."""
    import openpyxl

    path = Path(path)
    columns = ["la_number", "la_name", "region", "rank", "neighbour_number", "closeness"]
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a damaged workbook
        problems.append(Problem("error", path.name, None, None, None, f"cannot open the workbook ({type(exc).__name__})",
                                "download the statistical-neighbours workbook again"))
        return pd.DataFrame(columns=columns)
    records = []
    try:
        for sheet in book.worksheets:
            rows = list(sheet.iter_rows(values_only=True))
            at = next((i for i, r in enumerate(rows[:20]) if {"sn1", "sn2"} <= {_normal(c) for c in r}), None)
            if at is None:
                continue
            header = [_normal(c) for c in rows[at]]
            number_at = next((i for i, h in enumerate(header) if h in ("la number", "la num", "la code", "la_number")), None)
            name_at = next((i for i, h in enumerate(header) if h in ("la name", "la_name", "local authority")), None)
            region_at = next((i for i, h in enumerate(header) if h in ("goreg", "region", "region name")), None)
            neighbour_at = {int(h[2:]): i for i, h in enumerate(header) if re.fullmatch(r"sn\d{1,2}", h)}
            if number_at is None:
                problems.append(Problem("error", path.name, at + 1, "LA number", None,
                                        f"sheet '{sheet.title}' has SN columns but no LA number column",
                                        "keep DfE's column headings"))
                continue
            for index in range(at + 1, len(rows)):
                row = rows[index]
                la = la_codes.normal_number(row[number_at] if number_at < len(row) else None)
                if la is None:
                    # A heading such as "Old SNs:" is not a record; a row with neighbours but no number is.
                    if any(la_codes.normal_number(row[p]) for p in neighbour_at.values() if p < len(row)):
                        problems.append(Problem("warning", path.name, index + 1, "LA number", str(row[number_at]),
                                                "a row with no LA number was not read", "check the row"))
                    continue
                for rank, position in sorted(neighbour_at.items()):
                    neighbour = la_codes.normal_number(row[position] if position < len(row) else None)
                    if neighbour is None:
                        continue
                    closeness = row[position + 1] if position + 1 < len(row) else None
                    closeness_header = header[position + 1] if position + 1 < len(header) else ""
                    label = (_normal(closeness) or None) if closeness_header in ("snp", "closeness") or "close" in \
                        closeness_header else None
                    records.append((la, row[name_at] if name_at is not None else None,
                                    row[region_at] if region_at is not None else None, rank, neighbour, label))
            break
    finally:
        book.close()
    if not records:
        problems.append(Problem("error", path.name, None, "SN1", None,
                                "no statistical neighbours found (no sheet with SN1, SN2, ... columns)",
                                "use DfE's statistical neighbours workbook as downloaded"))
    return pd.DataFrame(records, columns=columns)


def read_statistical_neighbours(path, problems: list[Problem], codes: LaCodes | None = None) -> dict[str, list[str]]:
    """``area_code -> [neighbour codes, SN1 first]``, with GSS codes wherever a file gives them.

    The workbook names authorities by three-digit number only; ``codes`` (by default
    learned from the other files in the same folder) turns them into GSS codes. An
    authority with no known code keeps its number, with a warning.
    """
    path = Path(path)
    if path.suffix.lower() == ".csv":
        frame = _read_text_csv(path)
        frame.columns = [c.lower() for c in frame.columns]
        frame["rank"] = pd.to_numeric(frame["rank"], errors="coerce")
        return {code: [la_codes.current_code(c) for c in group.sort_values("rank")["neighbour_code"]]
                for code, group in frame.groupby("area_code")}
    table = statistical_neighbours_table(path, problems)
    codes = codes or codes_from_folder(path.parent)
    unknown = sorted({n for n in (*table["la_number"], *table["neighbour_number"]) if codes.code_for(n) is None})
    if unknown:
        problems.append(Problem("warning", path.name, None, "LA number", ", ".join(unknown[:10]),
                                f"{len(unknown)} LA numbers have no GSS code in the files given, so they stay numbers",
                                "add a DfE explore-education-statistics file (it has old_la_code and new_la_code) "
                                "to the benchmarks folder"))
    neighbours: dict[str, list[str]] = {}
    for la, group in table.groupby("la_number", sort=False):
        key = codes.code_for(la) or la
        neighbours[key] = [codes.code_for(n) or n for n in group.sort_values("rank")["neighbour_number"]]
    return neighbours


def read_la_code_list(path, problems: list[Problem]) -> pd.DataFrame:
    """The DfE ``la_code_list`` workbook: la_number, la_name, region_name, la_type (local authorities only)."""
    import openpyxl

    path = Path(path)
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()
    at = next((i for i, r in enumerate(rows[:10]) if "la number" in {_normal(c) for c in r}), None)
    if at is None:
        problems.append(Problem("error", path.name, None, "LA Number", None, "no 'LA Number' column found",
                                "use DfE's la_code_list as downloaded"))
        return pd.DataFrame(columns=["la_number", "la_name", "region_name", "la_type"])
    header = [_normal(c) for c in rows[at]]
    get = lambda row, name: row[header.index(name)] if name in header and header.index(name) < len(row) else None  # noqa: E731
    records = []
    for row in rows[at + 1:]:
        number = la_codes.normal_number(get(row, "la number"))
        kind = str(get(row, "type") or "").strip()
        region = str(get(row, "region") or "").strip()
        # Rows 970-1000 are England and the regions (type and region "NA"), not authorities.
        if number is None or kind.upper() == "NA" or region.upper() == "NA":
            continue
        records.append((number, str(get(row, "la name") or "").strip() or None, region or None, kind or None))
    return pd.DataFrame(records, columns=["la_number", "la_name", "region_name", "la_type"])


def la_codes_in(path, kind: str) -> LaCodes:
    """The LA numbers, codes, names and regions one published file gives."""
    path = Path(path)
    codes = LaCodes()
    if kind == "ees":
        header = {h.lower() for h in _header(path)}
        wanted = [c for c in ("old_la_code", "new_la_code", "la_name", "region_code", "region_name",
                              "geographic_level") if c in header]
        if "old_la_code" not in wanted or "new_la_code" not in wanted:
            return codes
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                            usecols=lambda c: c.strip().lower() in wanted, encoding_errors="replace")
        frame.columns = [c.strip().lower() for c in frame.columns]
        frame = frame[frame["new_la_code"] != ""].drop_duplicates()
        for row in frame.itertuples(index=False):
            codes.add(row.old_la_code, row.new_la_code, getattr(row, "la_name", None), getattr(row, "region_code", None))
    elif kind == "sfr":
        frame = _read_text_csv(path)
        if {"geog_l", "geog_c", "New_geog_code"} <= set(frame.columns):
            local = frame[frame["geog_l"].str.strip().str.upper() == "LA"]
            for row in local.itertuples(index=False):
                codes.add(row.geog_c, row.New_geog_code, getattr(row, "geog_n", None))
    elif kind == "la_code_list":
        for row in read_la_code_list(path, []).itertuples(index=False):
            codes.add(row.la_number, None, row.la_name, row.region_name)
    return codes


# -- LA numbers, codes and regions from a whole folder -------------------------------------

def benchmark_places(folder) -> list[Path]:
    """A benchmarks folder and its sub-folders (hidden ones left out), or a single file."""
    folder = Path(folder)
    if not folder.is_dir():
        return [folder]
    return [folder] + sorted(p for p in folder.rglob("*") if p.is_dir()
                             and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def _files_in(place: Path) -> list[Path]:
    if not place.is_dir():
        return [place]
    return sorted(p for p in place.iterdir() if not p.name.startswith((".", "~$")) and not p.is_dir())


def codes_from_folder(folder) -> LaCodes:
    """Learn LA numbers, codes, names and regions from every benchmark file in a folder and
    its sub-folders (an SFR table kept apart from the LA code list still finds its regions).

    Cached on the files' names, sizes and times: the neighbours workbook, the SFR tables
    and the check of a return's authority all ask for it.
    """
    stamp = []
    for place in benchmark_places(folder):
        for path in _files_in(place):
            try:
                info = path.stat()
            except OSError:
                continue
            if path.is_file():
                stamp.append((str(path), info.st_size, info.st_mtime_ns, info.st_ino))
    return _codes_from_files(tuple(sorted(stamp)))


@lru_cache(maxsize=8)
def _codes_from_files(stamp: tuple) -> LaCodes:
    codes = LaCodes.known()
    for name, *_ in stamp:
        path = Path(name)
        kind = detect(path)
        if kind in ("ees", "sfr", "la_code_list"):
            try:
                codes.update(la_codes_in(path, kind))
            except Exception:  # noqa: BLE001 - the file reports its own problem when it is read
                continue
            codes.learned_from[name] = kind
    return codes


# -- where each authority is -------------------------------------------------------------------

def _region_column(source) -> str:
    """The column of a published file that gives (or should give) an authority's region."""
    text = str(source or "")
    if text.startswith("DfE statistical first release"):
        return "geog_c"
    if text.startswith("DfE explore education statistics"):
        return "region_code"
    return "region_name"


def place_regions(tidy: pd.DataFrame, codes: LaCodes, problems: list[Problem], code_list_read: bool = False) -> pd.DataFrame:
    """Every local authority row in one of the nine English regions, by the name the book uses.

    A region a file leaves out is taken from the other files (the LA code list, an EES
    file); a region name given in any accepted form (``NORTH EAST``, ``London (Inner)``) is
    written as the book writes it. A name that is no English region, and an authority no
    file places, are errors naming the file, row and authority: the regional comparison
    of chapter 1 needs every authority's region (an authority left out would be a silent
    loss, and the comparison cannot be made with regions missing).

    When no file gives any authority's region, there is nothing to compare: one warning
    per file says so, and the regional comparison is left out.
    """
    if tidy.empty:
        return tidy
    local = (tidy["geographic_level"] == "Local authority").to_numpy()
    if not local.any():
        return tidy
    tidy = tidy.copy()
    given = tidy["region_name"].where(local)
    by_name = given.map(lambda name: None if name is None or pd.isna(name) else
                        la_codes.region_of_borough(la_codes.region_code(name)))
    by_code = tidy["region_code"].where(local).map(
        lambda c: la_codes.region_of_borough(c) if c in REGIONS or c in LONDON_PARTS else None)
    learned = tidy["area_code"].where(local).map(lambda c: codes.region_for(c) if isinstance(c, str) else None)
    region = by_name.where(by_name.notna(), by_code).where(lambda r: r.notna(), learned)
    named_wrongly = local & given.notna().to_numpy() & by_name.isna().to_numpy()
    missing = local & region.isna().to_numpy() & ~named_wrongly
    tidy.loc[local, "region_code"] = region[local]
    tidy.loc[local, "region_name"] = region[local].map(lambda c: REGIONS.get(c) if isinstance(c, str) else None)
    if named_wrongly.any():
        _report_tidy_rows(problems, tidy, named_wrongly, "region_name",
                          lambda r: given[r.name],
                          "not one of the nine English regions",
                          "use one of: " + ", ".join(REGIONS.values()) + " (Inner and Outer London count as London)")
    if missing.any():
        placed = local & region.notna().to_numpy()
        where = ("the LA code list in the benchmarks folder does not name it" if code_list_read
                 else "no file in the benchmarks folder gives its region")
        fix = ("add DfE's la_code_list.xlsx (LA number, name and region) to the benchmarks folder, "
               "or an explore-education-statistics file that names its region")
        if code_list_read:
            fix = ("add the authority's region to the file (region_name), or use a newer LA code list "
                   "that names it")
        if placed.any():
            _report_tidy_rows(problems, tidy, missing, None, _authority,
                              f"the region of this local authority is not known ({where}), so the regional "
                              "comparison cannot be made", fix)
        else:
            for file, rows in tidy[missing].groupby("_file", sort=False):
                first = rows.iloc[0]
                problems.append(Problem("warning", file, _int_or_none(first["_row"]), _region_column(first["source"]),
                                        _authority(first),
                                        f"{rows['area_code'].nunique():,} local authorities have no region ({where}); "
                                        "the book leaves out the regional comparison", fix))
    return tidy


def _authority(row) -> str:
    name, code = row.get("area_name"), row.get("area_code")
    return f"{name} ({code})" if name and code else str(name or code or "")


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _report_tidy_rows(problems, tidy, mask, column, value, message, fix, level="error", limit=20) -> None:
    """One problem per offending tidy row, naming its file and line (the first ``limit`` per file)."""
    hits = tidy[np.asarray(mask, dtype=bool)]
    for file, rows in hits.groupby("_file", sort=False, dropna=False):
        for _, row in rows.head(limit).iterrows():
            problems.append(Problem(level, str(file), _int_or_none(row["_row"]),
                                    column or _region_column(row["source"]), str(value(row)), message, fix))
        if len(rows) > limit:
            row = rows.iloc[limit]
            problems.append(Problem(level, str(file), _int_or_none(row["_row"]), column or _region_column(row["source"]),
                                    str(value(row)), f"this and {len(rows) - limit - 1:,} more rows: {message}", fix))


# -- checks on the figures every file gave -------------------------------------------------------

def check_tidy(tidy: pd.DataFrame, problems: list[Problem]) -> None:
    """What the chapters rely on, checked once every benchmark file is read (errors name file, row,
    column and value): counts are not negative, a share's part is not larger than its whole, and one
    file does not give the same figure twice."""
    if tidy.empty:
        return
    for column in ("numerator", "denominator", "value"):
        negative = (tidy[column] < 0).to_numpy()
        _report_tidy_rows(problems, tidy, negative, column, lambda r, c=column: f"{r[c]:g}",
                          "a published count, rate or share cannot be negative",
                          "check the figure in the published table (a minus sign typed by mistake?)")
    share = tidy["indicator"].astype(str).str.endswith("_share").to_numpy()
    too_big = share & (tidy["numerator"] > tidy["denominator"]).to_numpy()
    _report_tidy_rows(problems, tidy, too_big, "numerator",
                      lambda r: f"{r['numerator']:g} of {r['denominator']:g}",
                      "the part is larger than the whole it is a share of",
                      "check the numerator and denominator (e.g. starters aged under 1 of all starters)")
    key = ["_file", "period", "geographic_level", "area_code", "indicator"]
    keyed = tidy[key].notna().all(axis=1)
    repeated = (keyed & tidy.duplicated(key, keep="first")).to_numpy()
    if repeated.any():
        first = tidy[keyed & ~tidy.duplicated(key, keep="first")].set_index(key)["_row"]
        _report_tidy_rows(problems, tidy, repeated, "area_code",
                          lambda r: f"{r['area_code']} {r['indicator']} {r['period']} "
                                    f"(also on row {_int_or_none(first.get(tuple(r[k] for k in key)))})",
                          "the same figure (period, area and indicator) is given twice in this file",
                          "keep one row for each period, area and indicator")


# -- one entry point ---------------------------------------------------------------------------

def read(path, kind: str | None = None, problems: list[Problem] | None = None, codes: LaCodes | None = None):
    """Read one benchmark file: a tidy frame, a neighbours dict, or None when it is not one.

    The LA code list gives no benchmark rows (an empty tidy frame): it is read for the
    numbers, names and regions the other files need (``codes_from_folder``).
    ``codes`` are the LA numbers and codes learned from the whole benchmarks folder.
    """
    path = Path(path)
    problems = problems if problems is not None else []
    kind = kind or detect(path)
    if kind == "benchmark_tidy":
        return read_tidy(path, problems)
    if kind == "ees":
        return read_ees(path, problems)
    if kind == "sfr":
        return read_sfr(path, problems, codes)
    if kind == "statistical_neighbours":
        return read_statistical_neighbours(path, problems, codes)
    if kind == "la_code_list":
        read_la_code_list(path, problems)
        return empty_tidy()
    return None


def read_folder(folder, codes: LaCodes | None = None, prefix: str = "", superseded: list | None = None):
    """Every benchmark file in a folder: (tidy frame, neighbours, problems, files read).

    ``prefix`` is the folder's place inside the benchmarks folder (``legacy/``): files are
    named with it, in the rows' ``_file`` and in the problems. When two releases give the
    same figure (same period, area and indicator), the file whose latest period is newer
    is used, and a warning says so; the older release's rows are appended to ``superseded``
    when it is given (a page can show a figure as first published beside its revision).
    """
    from .safe_files import not_regular

    folder = Path(folder)
    paths = _files_in(folder)
    problems: list[Problem] = []
    frames, neighbours, files = [], {}, []
    for path in paths:
        name = prefix + path.name
        what = not_regular(path)
        if what:
            problems.append(Problem("error", name, None, None, None,
                                    f"this is {what}, not an ordinary file, so it was not read",
                                    "give an ordinary file (a CSV or workbook saved on disk), or remove it "
                                    "from the benchmarks folder"))
            continue
        kind = detect(path)
        if kind is None:
            problems.append(Problem("warning", name, None, None, None,
                                    "not a benchmark file this book can read; it was skipped",
                                    "use the tidy format, a DfE explore-education-statistics CSV, an SFR table, "
                                    "or the statistical-neighbours workbook"))
            continue
        found: list[Problem] = []
        try:
            result = read(path, kind, found, codes)
        except FileRefused as exc:
            found.append(Problem("error", name, None, None, None, exc.message,
                                 "give an ordinary file, or remove it from the benchmarks folder"))
            result = None
        except (ValueError, KeyError, OSError, pd.errors.ParserError, csv.Error) as exc:
            detail = " ".join(str(exc).split())[:200]
            found.append(Problem("error", name, None, None, None,
                                 f"the file could not be read as a {kind.replace('_', ' ')} file ({detail})",
                                 "download the file again, unchanged, or remove it from the benchmarks folder"))
            result = None
        problems += [Problem(p.level, name, p.row, p.column, p.value, p.message, p.fix)
                     if p.file == path.name else p for p in found]
        files.append(name)
        if isinstance(result, dict):
            neighbours.update(result)
        elif result is not None and not result.empty:
            frames.append(result.assign(_file=name))
    tidy = pd.concat(frames, ignore_index=True) if frames else empty_tidy()
    return prefer_latest_release(tidy, problems, superseded), neighbours, problems, files


def prefer_latest_release(tidy: pd.DataFrame, problems: list[Problem], superseded: list | None = None) -> pd.DataFrame:
    """Keep one row per (period, area, indicator): the one from the file with the newest period.

    The rows of the older releases that were dropped are appended (as one frame) to ``superseded``
    when it is given."""
    if tidy.empty:
        return tidy
    newest = tidy.groupby("source")["period"].max()
    ranked = tidy.assign(_release=tidy["source"].map(newest))
    ranked = ranked.sort_values("_release", kind="stable")
    key = ["period", "area_code", "indicator"]
    # Only the same figure from two different files is a second release.
    duplicated = ranked.duplicated(key, keep="last") & ranked["area_code"].notna()
    duplicated &= ranked.groupby(key, dropna=False)["source"].transform("nunique") > 1
    if duplicated.any():
        older = ranked[duplicated]
        for source, rows in older.groupby("source", sort=False):
            first = rows.iloc[0]
            file = first["_file"] if "_file" in rows and first["_file"] else source.split(": ")[-1]
            problems.append(Problem("warning", file, _int_or_none(first.get("_row")), "period", first["period"],
                                    f"{len(rows):,} figures are also in a later release; the later figures were used",
                                    ""))
        if superseded is not None:
            superseded.append(_tidy(older.drop(columns="_release")))
    return _tidy(ranked.loc[~duplicated].drop(columns="_release").sort_index())
