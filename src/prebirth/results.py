"""What a chapter publishes, as data: the results model (DESIGN 3, steps 3 to 5).

A chapter's analysis is one function, ``compute(prepared, upstream) -> ChapterResult``.
The result holds everything the chapter will publish, unsuppressed and unformatted:

- **cells**: every number is a cell. A :class:`Count` is a count of people with a
  book-wide ``key`` (the same count published on two pages, or as the numerator of one
  measure and the denominator of another, has one key). A :class:`Share` is a numerator
  over a denominator; a :class:`Measure` is any other number (a rate, a median, a model
  output) with the keys of the counts it rests on.
- **relations**: the linear relations a reader can use (years and their "all" total,
  groups and their total, cumulative shares and their bands).
- **items**: what the notebook's cells show, by name: tables (frames of cells and
  words), charts (the data behind them and the function that draws them), texts
  (sentences whose figures are cells, with what to say instead when a figure is
  withheld) and notices.
- **indicators** (``indicators.csv``), **findings** (the reflect-and-plan chapter),
  **prompts** (the facilitator's questions) and **status** (can answer / partly / not yet).

Nothing here decides what to withhold: :mod:`prebirth.disclosure` does that once for
the whole book, and :mod:`prebirth.present` formats a result under that decision.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd

from .stats import intervals

SEP = "|"


def key(*parts) -> str:
    """A book-wide cell key from its parts, e.g. ``key("proceedings", "newborns", "2019/20")``.

    Keys name what is counted in the domain's words, so that two chapters publishing the
    same count give it the same key (the disclosure step then sees one cell, not two).
    """
    return SEP.join(str(p) for p in parts)


def _float(value) -> float:
    if value is None:
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


# -- cells ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Count:
    """A count of people (or of their records) published under a book-wide key."""

    key: str
    value: int

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.key,)

    def __post_init__(self):
        if self.value is None or (isinstance(self.value, float) and math.isnan(self.value)):
            raise ValueError(f"count {self.key!r} has no value")
        if self.value < 0 or int(self.value) != self.value:
            raise ValueError(f"count {self.key!r} is {self.value!r}: counts are whole and not negative")
        object.__setattr__(self, "value", int(self.value))


def rest_key(numerator: Count, denominator: Count) -> str:
    """The key of a share's complement (denominator minus numerator): never shown, but known."""
    return key("rest", denominator.key, numerator.key)


@dataclass(frozen=True)
class Share:
    """A proportion with its Wilson 95% interval. Shown only when both counts are shown."""

    numerator: Count
    denominator: Count
    value: float = math.nan
    lower: float = math.nan
    upper: float = math.nan

    @classmethod
    def of(cls, numerator: Count, denominator: Count) -> "Share":
        if numerator.value > denominator.value:
            raise ValueError(f"share {numerator.key!r} of {denominator.key!r}: {numerator.value} > {denominator.value}")
        if denominator.value == 0:
            return cls(numerator, denominator)
        value, lower, upper = intervals.proportion_ci(float(numerator.value), float(denominator.value))
        return cls(numerator, denominator, float(value), float(lower), float(upper))

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.numerator.key, self.denominator.key)


@dataclass(frozen=True)
class Measure:
    """Any other published number: a rate, a median, a model estimate, a fitted value.

    ``on``: the counts it rests on; the measure is withheld when any of them is withheld
    (or, for a count never shown itself, when it is small).
    ``numerator`` / ``denominator``: what ``indicators.csv`` reports beside the value
    (a Count, or a plain number such as live births, which are public).
    ``unit``: how it is formatted (see :mod:`prebirth.present`).
    """

    value: float
    on: tuple = ()  # Counts
    lower: float = math.nan
    upper: float = math.nan
    unit: str = "number"
    digits: int = 1
    numerator: Any = None
    denominator: Any = None
    withheld_at_source: bool = False  # a figure its publisher suppressed (DfE's c, x...): stays withheld

    def __post_init__(self):
        for name in ("value", "lower", "upper"):
            object.__setattr__(self, name, _float(getattr(self, name)))
        object.__setattr__(self, "on", tuple(self.on))

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.on)


@dataclass(frozen=True)
class Plain:
    """Text from the inputs (a name, a label, a statement): always escaped where it is shown."""

    text: str

    @property
    def keys(self) -> tuple[str, ...]:
        return ()


Cell = Count | Share | Measure | Plain


@dataclass(frozen=True)
class Tally:
    """How many of ``groups`` (tuples of cells) the book's decision withholds, a group being withheld
    when any of its cells is; with ``of``, how many of ``of`` things are left. A count of published
    items (measures, findings), not of people: known only once disclosure has decided, shown as it is.
    ``noun``: (singular, plural) said after the number."""

    groups: tuple
    of: int | None = None
    noun: tuple = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True)
class Verdict:
    """Words chosen once the book's decision is known, from how much of some cells it withholds
    (e.g. a chapter's status: "can answer", unless most of its yearly figures are withheld).

    ``say(withheld)`` is given, for each group of ``groups`` (tuples of cells), the pair (cells of
    the group withheld, cells in the group), and returns markdown written in code (never text from
    the inputs). It must be a module-level function or a ``functools.partial`` of one: results are
    pickled. Like a :class:`Tally`, it counts published items, not people."""

    groups: tuple
    say: Callable

    @property
    def keys(self) -> tuple[str, ...]:
        return ()


def cells_in(value) -> list:
    """Every cell inside a value (a cell, a list of cells, a frame of cells, a text)."""
    if isinstance(value, (Count, Share, Measure)):
        return [value]
    if isinstance(value, Text):
        out = [c for figure in value.figures.values() for c in cells_in(figure)]
        return out + (cells_in(value.otherwise) if value.otherwise is not None else [])
    if isinstance(value, pd.DataFrame):
        return [c for column in value.columns for v in value[column].tolist() for c in cells_in(v)]
    if isinstance(value, (Tally, Verdict)):  # the cells it counts: the decision about them goes with the result
        return [c for group in value.groups for c in cells_in(list(group))]
    if isinstance(value, (list, tuple)):
        return [c for v in value for c in cells_in(v)]
    return []


# -- items a notebook shows ---------------------------------------------------------------------

@dataclass(frozen=True)
class Text:
    """A sentence (trusted markdown written in code) whose ``{figures}`` are cells or :class:`Plain`.

    When any figure is withheld the sentence is replaced by ``otherwise`` (another Text,
    plain markdown, or None to say nothing): a sentence never shows "c%".
    """

    template: str
    figures: dict = field(default_factory=dict)
    otherwise: Any = None


@dataclass
class ResultTable:
    """A table of cells and words. ``frame`` cells: Count, Share, Measure, Plain, str or numbers."""

    frame: pd.DataFrame
    caption: str
    note: Any = ""  # words, or a Text whose figures are cells
    download: str = ""  # the CSV's name (no extension); blank: no download
    download_frame: Any = None  # what the CSV holds when it is not the frame shown (e.g. a fuller one)
    analyst: bool = False  # analyst detail: the whole table sits in a "For analysts" fold
    analyst_note: Any = ""  # how it was worked out (model names, codes): shown in a "For analysts" fold


@dataclass
class Chart:
    """A chart: the data behind it (cells), and the function that draws it.

    ``draw(data, **options)`` receives a frame of plain numbers in which withheld cells are
    NaN (and is told nothing else about them), and returns a matplotlib figure.
    ``data`` is shown under the chart and offered as CSV, formatted like a table.
    ``title`` states the finding; ``caption`` says what the chart shows.
    """

    draw: Callable
    data: pd.DataFrame
    caption: str
    alt: Any  # str or Text
    options: dict = field(default_factory=dict)
    note: str = ""
    download: str = ""
    # The finding the chart shows, in words (a Text: its figures are the chart's own cells, so a
    # withheld figure never shows; it says its ``otherwise``). Drawn above the chart and inside it.
    title: Any = ""
    source: str = ""  # where its numbers come from ("" the book's default)
    otherwise: Any = None  # shown instead (markdown or a Text) when the chart is not drawn (most of its figures withheld)
    analyst_note: Any = ""  # how it was worked out (model names, codes): shown in a "For analysts" fold


@dataclass
class Notice:
    """A paragraph or callout; ``body`` is trusted markdown, a Text, or a list of them."""

    body: Any
    kind: str = ""  # "" (a paragraph), "notyet", "warning", "note"
    title: str = ""
    analyst: bool = False  # analyst detail (model names, codes): shown in a "For analysts: <title>" fold


Item = ResultTable | Chart | Notice | Text


@dataclass
class Indicator:
    """One row of ``indicators.csv`` (DESIGN 7): an id, a period, a group and a cell."""

    indicator: str
    period: str
    cell: Any  # Count | Share | Measure
    group: str = ""
    unit: str = "proportion"
    method: str = ""


@dataclass
class Finding:
    """A key finding for the reflect-and-plan chapter (a Text: its figures are cells)."""

    text: Text
    indicator: str = ""
    main: bool = False  # one of the chapter's main points, shown first on its page


@dataclass
class ChapterResult:
    """Everything one chapter publishes, before disclosure (see the module's docstring)."""

    number: int
    key: str
    title: str = ""
    status: dict = field(default_factory=dict)
    items: dict[str, Any] = field(default_factory=dict)
    indicators: list[Indicator] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)
    relations: list = field(default_factory=list)  # disclosure.Relation
    glue: dict[str, Any] = field(default_factory=dict)  # names glued into the notebook's prose
    implicit: dict[str, int] = field(default_factory=dict)  # counts never shown but tied by relations

    # -- building -------------------------------------------------------------
    def add(self, name: str, item) -> Any:
        if name in self.items:
            raise ValueError(f"chapter {self.number} has two items named {name!r}")
        self.items[name] = item
        return item

    def relate(self, total: Count | str, parts, why: str) -> None:
        """Publish the relation total = sum(parts) (keys or counts)."""
        from .disclosure import Relation

        as_key = lambda c: c.key if isinstance(c, Count) else str(c)  # noqa: E731
        parts = tuple(as_key(p) for p in parts)
        if parts:
            self.relations.append(Relation(as_key(total), parts, f"chapter {self.number}: {why}"))

    def relate_periods(self, whole, years, why: str) -> None:
        """The years of a measure against its whole period ("all").

        When each person counts once per year and once in the whole period, the years add up
        to at least the whole (a child in two years counts in both): the relation is
        ``sum(years) = all + repeats``, with the sum and the repeats known to the reader as
        unknown, non-negative numbers (keys starting with ``~`` are never shown and never
        themselves protected). When they add up exactly, ``all = sum(years)``.
        """
        value = lambda c: c.value if isinstance(c, Count) else self.implicit[c]  # noqa: E731
        as_key = lambda c: c.key if isinstance(c, Count) else str(c)  # noqa: E731
        for c in (whole, *years):
            if isinstance(c, Count):
                self.implicit.setdefault(c.key, c.value)
        total, parts = sum(value(c) for c in years), [as_key(c) for c in years]
        if not parts:
            return
        if total == value(whole):
            self.relate(whole, parts, why)
            return
        if total < value(whole):
            raise ValueError(f"{why}: the years add up to {total}, less than the whole period's {value(whole)}")
        summed, repeats = key("~sum", as_key(whole)), key("~repeats", as_key(whole))
        self.implicit[summed], self.implicit[repeats] = total, total - value(whole)
        self.relate(summed, parts, why)
        self.relate(summed, [as_key(whole), repeats], f"{why} (people counted in more than one year)")

    def hidden_count(self, name: str, value: int) -> str:
        """A count a reader could derive but is never shown (e.g. a band left out of a table)."""
        self.implicit[name] = int(value)
        return name

    def indicator(self, indicator: str, period: str, cell, *, group: str = "", unit: str = "proportion",
                  method: str = "") -> Indicator:
        row = Indicator(indicator, str(period), cell, group, unit, method)
        self.indicators.append(row)
        return row

    def finding(self, template: str, indicator: str = "", otherwise=None, *, main: bool = False, **figures) -> None:
        """A key finding; ``main`` makes it one of the three to five main points that open the chapter's page."""
        self.findings.append(Finding(Text(template, figures, otherwise), indicator, main))

    # -- reading ----------------------------------------------------------------
    def cells(self) -> list:
        """Every cell the chapter publishes (items, indicators, findings, glued figures)."""
        out = []
        for item in self.items.values():
            out += _item_cells(item)
        out += [c for row in self.indicators for c in cells_in(row.cell)]
        out += [c for f in self.findings for c in cells_in(f.text)]
        out += [c for value in self.glue.values() for c in cells_in(value)]
        return out


def _item_cells(item) -> list:
    if isinstance(item, ResultTable):
        return cells_in(item.frame) + cells_in(item.note) + cells_in(item.download_frame)
    if isinstance(item, Chart):
        return cells_in(item.data) + cells_in(item.alt) + cells_in(item.note) + cells_in(item.otherwise)
    if isinstance(item, Notice):
        return cells_in(item.body if isinstance(item.body, (list, tuple)) else [item.body])
    if isinstance(item, Text):
        return cells_in(item)
    return []


def counts_of(cells) -> dict[str, int]:
    """The counts (key -> value) behind cells; a key with two values is a programming error."""
    out: dict[str, int] = {}
    for cell in cells:
        found = ([cell] if isinstance(cell, Count) else
                 [cell.numerator, cell.denominator] if isinstance(cell, Share) else
                 [c for c in (cell.numerator, cell.denominator, *cell.on) if isinstance(c, Count)]
                 if isinstance(cell, Measure) else [])
        for c in found:
            if out.setdefault(c.key, c.value) != c.value:
                raise ValueError(f"the count {c.key!r} is published as {out[c.key]} and as {c.value}")
    return out


def shown_keys(cells) -> set[str]:
    """Keys a reader sees as numbers: counts, both counts of a share, counts beside a measure."""
    out: set[str] = set()
    for cell in cells:
        if isinstance(cell, Count):
            out.add(cell.key)
        elif isinstance(cell, Share):
            out.update((cell.numerator.key, cell.denominator.key))
        elif isinstance(cell, Measure):
            out.update(c.key for c in (cell.numerator, cell.denominator) if isinstance(c, Count))
    return out


def share_relations(cells) -> list:
    """denominator = numerator + rest for every share: its complement is as good as published."""
    from .disclosure import Relation

    out, seen = [], set()
    for cell in cells:
        if isinstance(cell, Share) and (cell.numerator.key, cell.denominator.key) not in seen:
            seen.add((cell.numerator.key, cell.denominator.key))
            if cell.numerator.key != cell.denominator.key:
                out.append(Relation(cell.denominator.key, (cell.numerator.key, rest_key(cell.numerator, cell.denominator)),
                                    "a share's complement (denominator minus numerator)"))
    return out


def share_rests(cells) -> dict[str, int]:
    return {rest_key(c.numerator, c.denominator): c.denominator.value - c.numerator.value
            for c in cells if isinstance(c, Share) and c.numerator.key != c.denominator.key}


def not_yet(question: str, missing: list[str], record: str) -> Notice:
    """The chapter's 'we can't answer this yet, and here is what to record' message."""
    lines = "\n".join(f"- {m}" for m in missing)
    return Notice(f"We can't answer this yet: {question}\n\nWhat is missing:\n\n{lines}\n\n"
                  f"**What to record:** {record}", kind="notyet", title="Not yet answerable from your data")


def frame_of(records: list[dict]) -> pd.DataFrame:
    """A table of cells from records (object columns, so pandas leaves the cells as they are)."""
    frame = pd.DataFrame(records)
    return frame.astype(object) if not frame.empty else frame


def numeric(value) -> float:
    """The plain number of a cell (NaN for words), before disclosure: for model inputs and tests."""
    if isinstance(value, Count):
        return float(value.value)
    if isinstance(value, (Share, Measure)):
        return value.value
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    return math.nan
