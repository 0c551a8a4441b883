"""Scan a built book for anything that could identify a family (DESIGN 9).

Three kinds of leak are looked for in every file of a build folder (``html/`` with its
``_sources``, downloads and static files, ``indicators.csv``, ``manifest.json``):

- **identifier**: any id of a child, parent, referral, assessment, support offer or set of
  proceedings from the input data, as a whole word;
- **date of birth**: any date of birth (or expected date of birth) of a child or parent,
  written as ``2020-05-01``, ``01/05/2020``, ``1/5/2020`` or ``1 May 2020``; dates that
  legitimately appear (the report period, dated events, self-assessment rounds, the day
  of the build, dates inside third-party theme files) are allowed;
- **small count**: a count from 1 to ``min_count - 1`` that is not suppressed, in
  ``indicators.csv`` (exact: by unit and numerator/denominator), in every downloadable
  CSV and every table of the chapter pages (columns or rows that count people), and in
  the text the chapters wrote (``3 mothers``, ``2 of 40 babies``);
- **child-level column**: a published table with a column named after an identifier or a
  date of birth.

``scan_book`` yields leaks lazily, so ``first_leak`` stops at the first one and names it.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import re
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterator

import pandas as pd

ID_COLUMNS = {
    "children": ("child_id", "mother_id", "father_id"),
    "parents": ("parent_id",),
    "referrals": ("referral_id", "child_id"),
    "assessments": ("assessment_id", "child_id", "referral_id"),
    "support": ("support_id", "child_id", "parent_id"),
    "transfers": ("child_id",),
    "proceedings": ("proceedings_id", "child_id"),
    "care_episodes": ("child_id",),
    "involvement": ("child_id", "parent_id"),
}
DATE_OF_BIRTH_COLUMNS = {"children": ("date_of_birth", "expected_date_of_birth"), "parents": ("date_of_birth",)}
CHILD_LEVEL_HEADERS = {c for cols in ID_COLUMNS.values() for c in cols} | {
    "date_of_birth", "expected_date_of_birth", "dob", "date of birth", "expected date of birth", "child id",
    "parent id", "mother id", "father id"}

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
_MONTH_NUMBER = {m.lower(): i + 1 for i, m in enumerate(MONTHS)} | {m[:3].lower(): i + 1 for i, m in enumerate(MONTHS)}
_MONTH_NUMBER["sept"] = 9
DATE_PATTERN = re.compile(
    r"(?<![\d/-])(?:(?P<iso>(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2}))"
    r"|(?P<uk>(?P<ud>\d{1,2})/(?P<um>\d{1,2})/(?P<uy>\d{4}))"
    r"|(?P<long>(?P<ld>\d{1,2}) (?P<lm>" + "|".join(MONTHS) + r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
    r"\.? (?P<ly>\d{4})))(?![\d/-])")
TOKEN = re.compile(r"[A-Za-z0-9_-]+")
SIMPLE_ID = re.compile(r"[A-Za-z0-9_-]+")

# People (or their records) a count can be about.
PEOPLE = (r"babies|baby|children|child|newborns|newborn|infants|infant|mothers|mother|fathers|father|parents|parent|"
          r"families|family|young people|women|men|girls|boys|starters|referrals|assessments|episodes|"
          r"applications|proceedings|hearings|cases|rows|records|people|persons|transfers|offers|plans|orders|"
          r"conferences|number|count|^n$|how many")
PEOPLE_WORD = re.compile(rf"\b(?:{PEOPLE})\b", re.IGNORECASE)
# A header or row label about something other than a count of people.
NOT_A_COUNT = re.compile(
    r"share|%|per ?cent|proportion|rate|per 1|per 10|ratio|median|mean|average|lower|upper|interval|limit|"
    r"\bci\b|change|trend|model|significan|p-value|\bz\b|score|year|period|date|rank|code|live births|"
    r"births \(|population|compared|what it means|level|stage|round|status|chapter|file|table|field",
    re.IGNORECASE)
PERIOD = re.compile(r"(?:\d{4}(?:/\d{2})?|all|all years|total|whole period)", re.IGNORECASE)
WHOLE_NUMBER = re.compile(r"\s*(\d{1,3}(?:,\d{3})*|\d+)(?:\.0+)?\s*")
NUMBER_FIRST = re.compile(r"\s*(\d+)\s+(?:\(|of\s+(\d[\d,]*))")
PROSE_COUNT = re.compile(
    r"(?<![\d.,/:-])(?<!\bin )(?<!\bof )(\d{1,3}(?:,\d{3})*|\d+)(?![\d.,%/-])\s+"
    r"(?:(?:of|out of)\s+(?:the\s+)?\d[\d,]*\s+)?(?:[a-z][a-z-]*\s+){0,2}?"
    r"(babies|baby|children|child|newborns|newborn|infants|mothers|fathers|parents|families|young people|women|"
    r"men|girls|boys)\b",
    re.IGNORECASE)


@dataclass(frozen=True)
class Leak:
    """One thing in the built book that could identify a family."""

    file: str
    kind: str
    what: str
    context: str = ""

    def __str__(self) -> str:
        around = f"\n    ... {self.context} ..." if self.context else ""
        return f"{self.kind} leaked in {self.file}: {self.what}{around}"


@dataclass
class Secrets:
    """What must never reach the book, read from an area's input data."""

    identifiers: dict[str, str]  # id -> which column it comes from, e.g. "children.child_id"
    dates_of_birth: dict[str, str]  # ISO date -> whose date of birth it is
    min_count: int
    allowed_dates: set[str] = field(default_factory=set)  # ISO dates that legitimately appear
    built_on: tuple[dt.date, dt.date] | None = None  # dates of the build itself are allowed

    def __post_init__(self):
        simple = [i for i in self.identifiers if SIMPLE_ID.fullmatch(i)]
        other = [i for i in self.identifiers if not SIMPLE_ID.fullmatch(i)]
        self._simple = set(simple)
        self._other = re.compile("|".join(re.escape(i) for i in sorted(other, key=len, reverse=True))) if other else None

    @property
    def ambiguous(self) -> list[str]:
        """Identifiers too short or too plain to search for reliably (a test area should have none)."""
        return sorted(i for i in self.identifiers if len(i) < 4 or i.isdigit() and len(i) < 6)

    def date_allowed(self, day: dt.date) -> bool:
        if day.isoformat() in self.allowed_dates:
            return True
        return self.built_on is not None and self.built_on[0] <= day <= self.built_on[1]


def secrets_of(area_file: Path, built_on: tuple[dt.date, dt.date] | None = None) -> Secrets:
    """Every identifier and date of birth in an area's input data, and the dates allowed to appear."""
    from prebirth.config import load_parameters
    from prebirth.data.load import load_area_data

    params = load_parameters(area_file)
    data = load_area_data(params.data)
    identifiers: dict[str, str] = {}
    for table, columns in ID_COLUMNS.items():
        frame = data.get(table)
        if frame is None:
            continue
        for column in columns:
            if column in frame:
                for value in frame[column].dropna().astype(str).unique():
                    identifiers.setdefault(value.strip(), f"{table}.{column}")
    dates: dict[str, str] = {}
    for table, columns in DATE_OF_BIRTH_COLUMNS.items():
        frame = data.get(table)
        if frame is None:
            continue
        for column in columns:
            for value in frame[column].dropna().unique():
                dates.setdefault(pd.Timestamp(value).date().isoformat(), f"{table}.{column}")
    allowed = {params.period.start.isoformat(), params.period.end.isoformat()}
    allowed |= {event.date.isoformat() for event in params.events}
    rag = data.get("rag")
    if rag is not None:  # self-assessment rounds are about services, not people
        for column in ("round_date", "next_review"):
            allowed |= {pd.Timestamp(v).date().isoformat() for v in rag[column].dropna().unique()}
    return Secrets(identifiers, dates, params.min_count, allowed, built_on)


# -- reading the files ------------------------------------------------------------------------

_DATA_URI = re.compile(r"data:(?P<type>[\w/+.-]+);base64,(?P<data>[A-Za-z0-9+/=]+)")


def _texts(path: Path) -> Iterator[tuple[str, str]]:
    """The file's text and the text of any CSV or JSON embedded in it as a data: link.

    Embedded images are blanked out (their base64 could spell anything)."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    embedded = []

    def keep(match: re.Match) -> str:
        kind = match.group("type")
        if kind.startswith(("text/", "application/json")):
            try:
                embedded.append(base64.b64decode(match.group("data")).decode("utf-8", errors="replace"))
            except ValueError:
                pass
        return f"data:{kind};base64,"

    text = _DATA_URI.sub(keep, text)
    yield "", text
    for number, inner in enumerate(embedded, start=1):
        yield f" (embedded data link {number})", inner


def _snippet(text: str, start: int, end: int, width: int = 70) -> str:
    return " ".join(text[max(0, start - width): end + width].split())


def _vendor_copy(path: Path, html: Path) -> bool:
    """True when a file of the book's theme is byte-identical to one shipped in an installed package."""
    try:
        relative = path.relative_to(html)
    except ValueError:
        return False
    if not relative.parts or relative.parts[0] != "_static":
        return False
    content = path.read_bytes()
    for site in {Path(p) for p in sys.path if p.endswith("site-packages")}:
        for candidate in site.glob(f"*/**/{path.name}"):
            if candidate.is_file() and candidate.stat().st_size == len(content) and candidate.read_bytes() == content:
                return True
    return False


def _date_of(match: re.Match) -> dt.date | None:
    try:
        if match.group("iso"):
            return dt.date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
        if match.group("uk"):
            return dt.date(int(match.group("uy")), int(match.group("um")), int(match.group("ud")))
        month = _MONTH_NUMBER[match.group("lm").lower()]
        return dt.date(int(match.group("ly")), month, int(match.group("ld")))
    except ValueError:
        return None


def scan_identifiers(name: str, text: str, secrets: Secrets) -> Iterator[Leak]:
    for match in TOKEN.finditer(text):
        token = match.group(0)
        if token in secrets._simple:
            yield Leak(name, "identifier", f"{token!r} ({secrets.identifiers[token]})",
                       _snippet(text, match.start(), match.end()))
    if secrets._other is not None:
        for match in secrets._other.finditer(text):
            yield Leak(name, "identifier", f"{match.group(0)!r} ({secrets.identifiers[match.group(0)]})",
                       _snippet(text, match.start(), match.end()))


def scan_dates(name: str, text: str, secrets: Secrets) -> Iterator[tuple[Leak, dt.date]]:
    for match in DATE_PATTERN.finditer(text):
        day = _date_of(match)
        if day is None or secrets.date_allowed(day):
            continue
        whose = secrets.dates_of_birth.get(day.isoformat())
        if whose:
            yield Leak(name, "date of birth", f"{match.group(0)!r} is a {whose}",
                       _snippet(text, match.start(), match.end())), day


# -- small counts ---------------------------------------------------------------------------------

def _small(text, min_count: int) -> int | None:
    """The count a cell shows when it is a whole number from 1 to min_count - 1, else None."""
    if text is None:
        return None
    text = str(text)
    match = WHOLE_NUMBER.fullmatch(text)
    if match:
        number = int(match.group(1).replace(",", ""))
        return number if 0 < number < min_count else None
    match = NUMBER_FIRST.match(text)
    if match:
        for part in (match.group(1), match.group(2)):
            if part is not None and 0 < int(part.replace(",", "")) < min_count:
                return int(part.replace(",", ""))
    return None


def counts_people(label) -> bool:
    """A column header or row label that counts people (or their records), not a share, rate or date."""
    label = " ".join(str(label).split())
    return bool(PEOPLE_WORD.search(label)) and not NOT_A_COUNT.search(label)


def scan_table(name: str, header: list[str], rows: list[list[str]], min_count: int) -> Iterator[Leak]:
    """Small counts in a published table: in columns whose header counts people, or in rows whose
    label (first cell) does; identifier or date-of-birth columns; counts in the text of cells."""
    for column in header:
        if " ".join(str(column).split()).lower() in CHILD_LEVEL_HEADERS:
            yield Leak(name, "child-level column", f"a table has a column {column!r}")
    count_columns = [i for i, h in enumerate(header) if counts_people(h)]
    # A table turned on its side: the years are its columns and each row's label says what it counts.
    period_columns = [i for i, h in enumerate(header) if i > 0 and PERIOD.fullmatch(" ".join(str(h).split()))]
    for row in rows:
        label = row[0] if row else ""
        by_row = bool(row) and counts_people(label) and not WHOLE_NUMBER.fullmatch(str(label))
        for i, cell in enumerate(row):
            if i in count_columns or (by_row and i in period_columns):
                value = _small(cell, min_count)
                if value is not None:
                    where = header[i] if i < len(header) else f"column {i + 1}"
                    yield Leak(name, "small count", f"{value} shown unsuppressed in column {where!r}",
                               " | ".join(str(c) for c in row))
            for match in PROSE_COUNT.finditer(str(cell)):
                number = int(match.group(1).replace(",", ""))
                if 0 < number < min_count:
                    yield Leak(name, "small count", f"{match.group(0)!r} in a table cell", str(cell))


def scan_prose(name: str, text: str, min_count: int) -> Iterator[Leak]:
    for match in PROSE_COUNT.finditer(text):
        number = int(match.group(1).replace(",", ""))
        if 0 < number < min_count:
            yield Leak(name, "small count", f"{match.group(0)!r} in the text", _snippet(text, match.start(), match.end()))


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def scan_indicators(name: str, text: str, min_count: int) -> Iterator[Leak]:
    """indicators.csv: every published count, numerator and denominator, by unit (DESIGN 7, 9)."""
    reader = csv.DictReader(io.StringIO(text))
    for number, row in enumerate(reader, start=2):
        where = f"row {number} ({row.get('indicator')} {row.get('period')} {row.get('group') or ''})".replace(" )", ")")
        numerator, denominator, value = (_number(row.get(k)) for k in ("numerator", "denominator", "value"))
        suppressed = str(row.get("suppressed", "")).strip().lower() == "true"
        if suppressed:
            shown = [k for k in ("numerator", "value", "lower", "upper") if _number(row.get(k)) is not None]
            if shown:
                yield Leak(name, "small count", f"{where} is marked suppressed but still shows {', '.join(shown)}")
            continue
        for label, count in (("numerator", numerator), ("denominator", denominator)):
            if count is not None and 0 < count < min_count:
                yield Leak(name, "small count", f"{where}: {label} {count:g} is not suppressed")
        if row.get("unit") == "count" and value is not None and 0 < value < min_count:
            yield Leak(name, "small count", f"{where}: the count {value:g} is not suppressed")
        if row.get("unit") == "proportion" and numerator is not None and denominator is not None:
            rest = denominator - numerator
            if 0 < rest < min_count:
                yield Leak(name, "small count", f"{where}: {numerator:g} of {denominator:g} reveals the other {rest:g}")


class _Tables(HTMLParser):
    """The tables of an HTML page: header cells and rows of cell text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[list[str], list[list[str]]]] = []
        self._stack: list[tuple[list[str], list[list[str]]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._header_row = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._stack.append(([], []))
        elif tag == "tr" and self._stack:
            self._row, self._header_row = [], True
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            self._header_row &= tag == "th"

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._stack:
            header, rows = self._stack[-1]
            if self._header_row and not header and not rows:
                header.extend(self._row)
            else:
                rows.append(self._row)
            self._row = None
        elif tag == "table" and self._stack:
            self.tables.append(self._stack.pop())

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_tables(text: str) -> list[tuple[list[str], list[list[str]]]]:
    parser = _Tables()
    parser.feed(text)
    return parser.tables


def _csv_table(text: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(text)))
    return (rows[0], rows[1:]) if rows else ([], [])


def _notebook_outputs(text: str) -> Iterator[tuple[str, str]]:
    """(kind, text) of every output an executed notebook holds: what the chapters computed."""
    try:
        nb = json.loads(text)
    except ValueError:
        return
    for number, cell in enumerate(nb.get("cells", []), start=1):
        for output in cell.get("outputs", []):
            if "text" in output:
                yield f"cell {number} stream", "".join(output["text"])
            data = output.get("data", {})
            for mime, value in data.items():
                if mime.startswith("image/") or (mime == "text/plain" and len(data) > 1):
                    continue  # the plain-text form of a rich output is not what the book shows
                value = "".join(value) if isinstance(value, list) else value if isinstance(value, str) else json.dumps(value)
                yield f"cell {number} {mime}", value


def _tags_stripped(html: str) -> str:
    """The text of an HTML output outside its tables (each table cell is scanned on its own)."""
    import html as html_module

    described = " ".join(html_module.unescape(a) for a in re.findall(r'\b(?:alt|title|aria-label)="([^"]*)"', html))
    html = re.sub(r"<table\b.*?</table>", " ", html, flags=re.S | re.I)
    return " ".join((re.sub(r"<[^>]+>", " ", html) + " " + described).split())


# -- the scan ----------------------------------------------------------------------------------------

def published_files(folder: Path) -> list[Path]:
    """Every file of a build folder that leaves the analyst's machine: the book and its results
    (and the site index of the output folder, which links every area's book)."""
    folder = Path(folder)
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not _internal(p, folder))
    site_index = folder.parent / "index.html"
    return files + [site_index] if site_index.is_file() else files


def scan_book(folder: Path, secrets: Secrets) -> Iterator[Leak]:
    """Every leak in a build folder (``_build/<area>``), file by file, lazily."""
    folder = Path(folder)
    html = folder / "html"
    for path in published_files(folder):
        name = str(path.relative_to(folder)) if path.is_relative_to(folder) else f"../{path.name}"
        for suffix, text in _texts(path):
            label = name + suffix
            yield from scan_identifiers(label, text, secrets)
            dates = list(scan_dates(label, text, secrets))
            if dates and not _vendor_copy(path, html):
                yield dates[0][0]
            yield from _scan_counts(path, label, text, secrets.min_count, embedded=bool(suffix))


def _internal(path: Path, folder: Path) -> bool:
    """The build's own working files (cache, sources, render) are not part of what is published."""
    parts = path.relative_to(folder).parts
    return parts[0] in (".work", ".src", ".render", ".lock") or parts[0].endswith((".old", ".new"))


def _scan_counts(path: Path, name: str, text: str, min_count: int, embedded: bool) -> Iterator[Leak]:
    if path.name == "indicators.csv" and not embedded:
        yield from scan_indicators(name, text, min_count)
        return
    if path.suffix == ".csv" or embedded:
        header, rows = _csv_table(text)
        yield from scan_table(name, header, rows, min_count)
    elif path.suffix == ".ipynb":
        for where, output in _notebook_outputs(text):
            if "html" in where:
                for header, rows in html_tables(output):
                    yield from scan_table(f"{name} ({where})", header, rows, min_count)
                output = _tags_stripped(output)
            yield from scan_prose(f"{name} ({where})", output, min_count)
    elif path.suffix == ".html" and "notebooks" in path.parts:
        for header, rows in html_tables(text):
            yield from scan_table(name, header, rows, min_count)


def first_leak(folder: Path, secrets: Secrets) -> Leak | None:
    return next(iter(scan_book(folder, secrets)), None)


def build_days(folder: Path) -> tuple[dt.date, dt.date]:
    """The days a build ran on (from its manifest), a day either side: dates of the build itself are allowed."""
    manifest = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    built = dt.datetime.fromisoformat(manifest["built_at"]).date()
    return built - dt.timedelta(days=1), max(built, dt.date.today()) + dt.timedelta(days=1)
