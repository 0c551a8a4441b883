"""What every chapter shares: the area it is about, its outputs, and how it shows them.

A chapter notebook opens its chapter with :func:`open_chapter`, then each cell makes
one call into its chapter module, which returns something to display (a table, a
figure, a paragraph, or a "not yet" notice). Indicators and key findings are recorded
on the :class:`Chapter` as they are computed and saved by :meth:`Chapter.save` for
the build to collect (``indicators.csv`` and the reflect-and-plan chapter).
"""

from __future__ import annotations

import base64
import copy
import html
import io
import json
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import disclosure
from ..escape import csv_text
from ..config import AreaParameters, load_parameters
from ..data.benchmarks import Benchmarks, load_benchmarks
from ..data.load import AreaData, RecordedTables, load_area_data
from ..stats.rounding import round_half_up

INDICATOR_COLUMNS = ["indicator", "period", "group", "numerator", "denominator", "value", "lower", "upper",
                     "unit", "method", "suppressed"]


@dataclass
class Prepared:
    """What the build hands every notebook: parameters, data and benchmarks, read once."""

    params: AreaParameters
    data: AreaData
    benchmarks: Benchmarks


def prepare(area_file: str | Path) -> Prepared:
    params = load_parameters(area_file)
    data = load_area_data(params.data, params.sources, area_code=params.area_code, benchmarks=params.benchmarks)
    return Prepared(params, data, load_benchmarks(params.benchmarks))


@dataclass
class Chapter:
    number: int
    key: str
    prepared: Prepared
    results_dir: Path | None = None
    downloads_dir: Path | None = None
    indicators: list[dict] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)
    status: dict = field(default_factory=dict)
    _figures: int = 0

    @property
    def params(self) -> AreaParameters:
        return self.prepared.params

    @property
    def data(self) -> AreaData:
        """The area's data; in a published book its warnings and file labels name nobody (DESIGN 9)."""
        data = self.prepared.data
        return data.for_publication(self.min_count) if self.published else data

    @property
    def benchmarks(self) -> Benchmarks:
        return self.prepared.benchmarks

    @property
    def published(self) -> bool:
        return self.params.published

    @property
    def min_count(self) -> int:
        return self.params.min_count

    # -- computing once ----------------------------------------------------------
    def memo(self, key: str, compute):
        """The result of ``compute()``, computed once per chapter: several cells show parts of it."""
        store = self.__dict__.setdefault("_memo", {})
        if key not in store:
            store[key] = compute()
        return store[key]

    def once(self, key: str) -> bool:
        """True the first time it is asked for this key (so an indicator is recorded once)."""
        done = self.__dict__.setdefault("_once", set())
        if key in done:
            return False
        done.add(key)
        return True

    # -- recording -------------------------------------------------------------
    def record(self, indicator: str, period: str, value, *, group: str = "", numerator=None, denominator=None,
               lower=None, upper=None, unit: str = "proportion", method: str = "", suppressed: bool = False) -> dict:
        row = dict(indicator=indicator, period=period, group=group, numerator=_num(numerator),
                   denominator=_num(denominator), value=_num(value), lower=_num(lower), upper=_num(upper),
                   unit=unit, method=method, suppressed=bool(suppressed))
        if self.published:
            row = disclosure.suppress_indicator(row, self.min_count)
        self.indicators.append(row)
        return row

    def finding(self, text: str, indicator: str = "") -> None:
        self.findings.append({"chapter": self.number, "finding": text, "indicator": indicator})

    def save(self) -> None:
        """Write this chapter's indicators and findings for the build to collect."""
        if self.results_dir is None:
            return None
        self.results_dir.mkdir(parents=True, exist_ok=True)
        payload = {"chapter": self.number, "key": self.key, "status": self.status,
                   "indicators": self.indicators, "findings": self.findings}
        (self.results_dir / f"{self.key}.json").write_text(json.dumps(payload, indent=1, default=_json_default))
        return None

    # -- downloads -------------------------------------------------------------
    def download_link(self, name: str, frame: pd.DataFrame) -> str:
        """A link to the (already suppressed) data of a figure or table as CSV."""
        if self.published:
            disclosure.check_publishable(frame, f"the download '{name}'")
        text = csv_text(frame)
        file_name = f"{self.number:02d}-{name}.csv"
        if self.downloads_dir is not None:
            self.downloads_dir.mkdir(parents=True, exist_ok=True)
            (self.downloads_dir / file_name).write_text(text, encoding="utf-8")
            href = f"../downloads/{file_name}"
        else:
            href = "data:text/csv;base64," + base64.b64encode(text.encode()).decode()
        return f'<a class="prebirth-download" href="{href}" download="{file_name}">Download the data (CSV)</a>'


def open_chapter(number: int, key: str, area_file: str, prepared: str = "", results_dir: str = "",
                 downloads_dir: str = "") -> Chapter:
    """Open a chapter for an area: from the build's prepared data, or by reading the area's files."""
    if prepared:
        ready = _load_prepared(prepared)
    else:
        ready = prepare(area_file)
    chapter = Chapter(number, key, ready, Path(results_dir) if results_dir else None,
                      Path(downloads_dir) if downloads_dir else None)
    use_threshold_of(chapter)
    return chapter


# In a warm kernel of the build, the prepared data last read, kept for the area's next
# chapter: reading a large area's pickle takes longer than some chapters take to run.
_LOADED: dict = {}


def _load_prepared(path: str) -> Prepared:
    """The build's prepared data, read once per kernel while the file stays the same.

    Each chapter gets its own copy: its own lists, and shallow copies of the tables (with
    pandas' copy-on-write a change a chapter makes to a table, even in place, stays in
    that chapter), so one chapter can never change what the next one sees.
    """
    stat = Path(path).stat()
    key = (str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size)
    if _LOADED.get("key") != key:
        _LOADED.clear()  # another area's data go before the next area's are read
        with open(path, "rb") as handle:
            _LOADED.update(key=key, prepared=pickle.load(handle))
    kept: Prepared = _LOADED["prepared"]
    data, benchmarks = kept.data, kept.benchmarks
    return Prepared(
        kept.params,  # frozen
        AreaData(tables=RecordedTables({name: frame.copy(deep=False) for name, frame in data.tables.items()}),
                 problems=list(data.problems), sources=copy.deepcopy(data.sources)),
        Benchmarks(benchmarks.tidy.copy(deep=False), copy.deepcopy(benchmarks.neighbours), list(benchmarks.problems),
                   list(benchmarks.files)),
    )


def use_threshold_of(chapter: Chapter) -> None:
    """Make the displays' safety net use this chapter's book: its threshold when published."""
    global _PUBLISHED_MIN_COUNT
    _PUBLISHED_MIN_COUNT = chapter.min_count if chapter.published else None


# The threshold of the published book this notebook is building (set by open_chapter): the
# displays below use it as a safety net, so a count or a table that slipped past a chapter's
# own suppression is still withheld.
_PUBLISHED_MIN_COUNT: int | None = None


def _num(value):
    if value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(value) else value


def _json_default(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, (pd.Timestamp,)):
        return value.date().isoformat()
    return str(value)


# -- things a cell displays ------------------------------------------------------

class Notice:
    """A paragraph (plain-English narrative) or a callout box.

    A cell with nothing to say returns None instead: an empty Notice would still be
    rendered, as an empty box.
    """

    def __init__(self, markdown: str, kind: str = "", title: str = ""):
        self.markdown, self.kind, self.title = markdown, kind, title

    def _repr_markdown_(self) -> str:
        if not self.markdown:
            return ""
        if self.kind:
            title = f"**{self.title}**\n\n" if self.title else ""
            return f'<div class="prebirth-{self.kind}">\n\n{title}{self.markdown}\n\n</div>'
        return self.markdown

    def __repr__(self) -> str:
        return self.markdown


def not_yet(question: str, missing: list[str], record: str) -> Notice:
    """The chapter's 'we can't answer this yet, and here is what to record' message."""
    lines = "\n".join(f"- {m}" for m in missing)
    return Notice(f"We can't answer this yet: {question}\n\nWhat is missing:\n\n{lines}\n\n"
                  f"**What to record:** {record}", kind="notyet", title="Not yet answerable from your data")


class Table:
    """A published table: already suppressed, with a caption and a CSV download."""

    def __init__(self, frame: pd.DataFrame, caption: str, download: str = "", note: str = ""):
        if _PUBLISHED_MIN_COUNT is not None:
            disclosure.check_publishable(frame, f"the table '{caption}'")
        self.frame, self.caption, self.download, self.note = frame, caption, download, note

    def _repr_html_(self) -> str:
        body = self.frame.to_html(index=False, border=0, classes="prebirth-table", na_rep="not available",
                                  escape=True)
        body = body.replace("<table", f'<table aria-label="{html.escape(self.caption)}"', 1)
        note = f'<p class="prebirth-note">{html.escape(self.note)}</p>' if self.note else ""
        return (f'<div class="prebirth-tablewrap"><p class="prebirth-caption"><strong>{html.escape(self.caption)}</strong></p>'
                f'{body}{note}<p>{self.download}</p></div>')

    def __repr__(self) -> str:
        return f"{self.caption}\n{self.frame.to_string(index=False)}"


class Figure:
    """A chart with its caption, alt text, data table and CSV download."""

    def __init__(self, fig, caption: str, alt: str, data: pd.DataFrame, download: str = "", note: str = ""):
        if _PUBLISHED_MIN_COUNT is not None:
            disclosure.check_publishable(data, f"the data of the figure '{caption}'")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
        import matplotlib.pyplot as plt

        plt.close(fig)
        self.png = base64.b64encode(buffer.getvalue()).decode()
        self.caption, self.alt, self.data, self.download, self.note = caption, alt, data, download, note

    def _repr_html_(self) -> str:
        table = self.data.to_html(index=False, border=0, classes="prebirth-table", na_rep="not available")
        note = f'<p class="prebirth-note">{html.escape(self.note)}</p>' if self.note else ""
        return (f'<figure class="prebirth-figure"><img src="data:image/png;base64,{self.png}" '
                f'alt="{html.escape(self.alt)}"/><figcaption>{html.escape(self.caption)}</figcaption></figure>{note}'
                f'<details class="prebirth-data"><summary>The data in this chart</summary>{table}</details>'
                f'<p>{self.download}</p>')

    def __repr__(self) -> str:
        return f"{self.caption}\n{self.alt}"


class GlueText(str):
    """Text glued into prose: its repr is the text itself (a plain str would show its quotes)."""

    def __repr__(self) -> str:
        return str(self)


def glue_values(ch: Chapter, values: dict) -> None:
    """Glue numbers for a chapter's static prose; a missing value reads 'not available'."""
    try:
        from myst_nb import glue
    except ImportError:
        return
    for name, value in values.items():
        glue(name, GlueText(value if value is not None else "not available"), display=False)


# -- formatting published numbers ------------------------------------------------

def pct(value, digits: int = 0) -> str:
    if value is None or pd.isna(value):
        return disclosure.MARKER
    return f"{round_half_up(100 * value, digits):.{digits}f}%"


def signed_pct(value, digits: int = 0) -> str:
    """A change as a signed percentage, e.g. +5.8% or -0.3% (withheld: c)."""
    if value is None or pd.isna(value):
        return disclosure.MARKER
    return f"{'+' if value >= 0 else ''}{pct(value, digits)}"


def num(value, digits: int = 1) -> str:
    if value is None or pd.isna(value):
        return disclosure.MARKER
    rounded = round_half_up(value, digits)
    return f"{rounded:,.{digits}f}"


def count(value, suppressed: bool = False) -> str:
    """A count as published: ``c`` when suppressed and, in a published book, whenever it is from
    1 to min_count - 1 (a safety net for a count shown without its flag)."""
    if _PUBLISHED_MIN_COUNT is not None and not suppressed:
        number = _num(value)
        suppressed = number is not None and disclosure.is_small(number, _PUBLISHED_MIN_COUNT)
    return disclosure.format_count(value, suppressed)


def plain(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def multiple_comparisons(tested: int) -> str:
    """One sentence on reading many trend labels at once (each tested at the 5% level, uncorrected)."""
    if tested < 2:
        return ""
    return (f"Each of these {tested} trends is tested on its own at the 5% level, with no correction for looking at "
            "several together, so one may read as a clear change by chance alone: read a single one with care.")
