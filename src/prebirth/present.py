"""Showing a chapter's result under the book's disclosure decision (DESIGN 3, step 5).

A notebook cell is one call, ``present.show(r, "name")``, which returns something the
notebook displays: an HTML table, a chart, a paragraph. Every number goes through the
:class:`~prebirth.disclosure.Decision` made once for the whole book (a withheld count
shows as ``c``, a sentence with a withheld figure says its ``otherwise``), every text
from the inputs is escaped, and every CSV cell that a spreadsheet would run as a
formula is neutralised. Nothing is computed or recorded here.
"""

from __future__ import annotations

import base64
import html
import io
import math
import re
import string
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .disclosure import MARKER, Decision
from .escape import csv_text, escape_markdown
from .formats import count, num, one_in, pct
from .results import (Chart, ChapterResult, Count, Measure, Notice, Plain, ResultTable, Share, Tally, Text, Verdict,
                      cells_in)
from .stats.rounding import round_half_up

INDICATOR_COLUMNS = ["indicator", "period", "group", "numerator", "denominator", "value", "lower", "upper",
                     "unit", "method", "suppressed"]


# -- numbers ---------------------------------------------------------------------------------

def _measure_text(cell: Measure, value: float) -> str:
    if cell.unit == "proportion":
        return pct(value, cell.digits)
    if cell.unit == "change":  # a relative change (e.g. an odds ratio minus 1) as a signed percentage
        text = pct(value, cell.digits)
        return text if text.startswith("-") else "+" + text
    return num(value, cell.digits)


def fmt(cell, decision: Decision, spec: str = "") -> str:
    """A cell as published text. ``spec``: "" the value; "ci" value and 95% interval;
    "n" for a share, "x of y"; "interval" the interval alone."""
    if isinstance(cell, Plain):
        return escape_markdown(cell.text)
    if isinstance(cell, Tally):
        withheld = sum(any(decision.hides(c) for c in group) for group in cell.groups)
        n = withheld if cell.of is None else cell.of - withheld
        return f"{n:,}" + (f" {cell.noun[0] if n == 1 else cell.noun[1]}" if cell.noun else "")
    if isinstance(cell, Verdict):
        return cell.say(tuple((sum(bool(decision.hides(c)) for c in group), len(group)) for group in cell.groups))
    if isinstance(cell, (Count, Share, Measure)) and decision.hides(cell):
        return MARKER
    if isinstance(cell, Count):
        return count(cell.value)
    if isinstance(cell, Share):
        if cell.denominator.value == 0:
            return "none"
        if spec == "n":
            return f"{count(cell.numerator.value)} of {count(cell.denominator.value)}"
        if spec in ("ci", "interval"):
            interval = f"{pct(cell.lower)} to {pct(cell.upper)}"
            return interval if spec == "interval" else f"{pct(cell.value)} ({interval})"
        if spec == "one_in":
            return one_in(cell.value)
        return pct(cell.value)
    if isinstance(cell, Measure):
        if pd.isna(cell.value):
            return "not available"
        text = _measure_text(cell, cell.value)
        if spec in ("ci", "interval"):
            if pd.isna(cell.lower) or pd.isna(cell.upper):
                return text if spec == "ci" else "not available"
            interval = f"{_measure_text(cell, cell.lower)} to {_measure_text(cell, cell.upper)}"
            return interval if spec == "interval" else f"{text} ({interval})"
        return text
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return "not available"
    if isinstance(cell, float):
        return num(cell, 1)
    return str(cell)


class _Figures(string.Formatter):
    def __init__(self, decision: Decision):
        self.decision = decision

    def format_field(self, value, format_spec):
        return fmt(value, self.decision, format_spec)


def text(value, decision: Decision) -> str:
    """A Text (or markdown written in code) as markdown; its ``otherwise`` when a figure is withheld."""
    if value is None:
        return ""
    if isinstance(value, Plain):
        return escape_markdown(value.text)
    if not isinstance(value, Text):
        return str(value)
    if any(decision.hides(cell) for cell in value.figures.values() if isinstance(cell, (Count, Share, Measure))):
        return text(value.otherwise, decision)
    return _Figures(decision).format(value.template, **value.figures)


# -- what a cell displays --------------------------------------------------------------------

ANALYST = "For analysts"  # the summary line of every fold that holds analyst detail


def analyst_summary(what: str = "") -> str:
    """The words on an analyst fold's summary line: "For analysts: <what>"."""
    return f"{ANALYST}: {what}" if what else f"{ANALYST}: how this was worked out"


def analyst_fold(inner_html: str, what: str = "") -> str:
    """Analyst detail (model names, field names, internal codes) behind a fold a parent can pass by."""
    return (f'<details class="prebirth-analyst"><summary>{html.escape(analyst_summary(what))}</summary>'
            f"{inner_html}</details>") if inner_html else ""


class Markdown:
    """A paragraph or callout (markdown), shown as it is; analyst detail in a fold."""

    def __init__(self, markdown: str, kind: str = "", title: str = "", analyst: bool = False):
        self.markdown, self.kind, self.title, self.analyst = markdown, kind, title, analyst

    def _repr_markdown_(self) -> str:
        if not self.markdown:
            return ""
        if self.analyst:  # analyst detail: folded, its title in the fold's summary
            return (f'<details class="prebirth-analyst">\n<summary>{html.escape(analyst_summary(self.title))}'
                    f'</summary>\n\n{self.markdown}\n\n</details>')
        if self.kind:
            title = f"**{self.title}**\n\n" if self.title else ""
            return f'<div class="prebirth-{self.kind}">\n\n{title}{self.markdown}\n\n</div>'
        return self.markdown

    def __repr__(self) -> str:
        return self.markdown


INTERVAL = "95% interval"  # the header (or its ending) of a column of 95% confidence intervals
_SAYS_CI = " (95% CI)"  # a header that already says its figures come with an interval


# a sentence cell that is a figure (and its unit) with its interval: "{m} days ({lo} to {hi})", "{v} ({v:interval})"
_LIMITS_IN_WORDS = re.compile(r"(\{\w+\}|[-+]?[\d.,]+%?)( \w+)? \(([^()]* to [^()]*|\{\w+:interval\})\)")


def _has_limits(cell) -> bool:
    """A share or measure published with its 95% limits (a share of none has no interval), or a
    sentence cell that ends with one ("{m} days ({lo} to {hi})")."""
    if isinstance(cell, Share):
        return cell.denominator.value != 0 and not (pd.isna(cell.lower) or pd.isna(cell.upper))
    if isinstance(cell, Text):
        return bool(_LIMITS_IN_WORDS.fullmatch(cell.template)) and any(
            isinstance(f, (Share, Measure)) for f in cell.figures.values())
    return isinstance(cell, Measure) and not (pd.isna(cell.value) or pd.isna(cell.lower) or pd.isna(cell.upper))


def _withheld(cell, decision: Decision) -> bool:
    """A cell the book withholds (a sentence cell: when any of its figures is withheld)."""
    if isinstance(cell, Text):
        return any(decision.hides(f) for f in cell.figures.values() if isinstance(f, (Count, Share, Measure)))
    return isinstance(cell, (Count, Share, Measure)) and bool(decision.hides(cell))


def _value_and_interval(cell, decision: Decision) -> tuple[str, str]:
    """A cell with limits as two published words: its value and its interval ("c" in both when withheld)."""
    if not isinstance(cell, Text):
        return fmt(cell, decision), fmt(cell, decision, "interval")
    said = text(cell, decision)
    if _withheld(cell, decision):
        return said, MARKER
    at = said.rfind(" (")
    return (said[:at], said[at + 2:-1]) if at > 0 and said.endswith(")") else (said, "")


def _interval_headers(columns: list[str], with_limits: list[str]) -> dict[str, tuple[str, str]]:
    """For each column with limits, its value header and its interval's header. "Share (95% CI)"
    gives "Share" and, when it is the table's only interval, "95% interval"; "Fathers: share"
    gives "Fathers: share" and "Fathers: 95% interval"; any other "Rate" gives "Rate: 95% interval"."""
    out, taken = {}, set(columns)
    for column in with_limits:
        says = column.endswith(_SAYS_CI)
        value = column[:-len(_SAYS_CI)] if says else column
        if says and len(with_limits) == 1:
            interval = INTERVAL
        else:
            interval = f"{value.split(': ', 1)[0] if ': ' in value else value}: {INTERVAL}"
        if value != column and value in taken:
            value = column
        if interval in taken:
            interval = f"{value} ({INTERVAL})"
        taken.update((value, interval))
        out[column] = (value, interval)
    return out


def table_frame(frame: pd.DataFrame, decision: Decision) -> pd.DataFrame:
    """A frame of cells as the published words (every cell a string). A column of shares or
    measures with 95% limits is published as two: the value, then its interval ("58% to 66%";
    "c" in both when withheld; blank for a cell without limits)."""
    columns = [str(c) for c in frame.columns]
    with_limits = [str(c) for c in frame.columns if any(_has_limits(v) for v in frame[c].tolist())]
    headers = _interval_headers(columns, with_limits)
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        values = frame[column].tolist()
        words = [text(v, decision) if isinstance(v, Text) else v if isinstance(v, str)
                 else fmt(v, decision) for v in values]
        if str(column) not in headers:
            out[str(column)] = words
            continue
        value_header, interval_header = headers[str(column)]
        pairs = [_value_and_interval(v, decision) if _has_limits(v) else (w, MARKER if _withheld(v, decision) else "")
                 for v, w in zip(values, words)]
        out[value_header] = [value for value, _ in pairs]
        out[interval_header] = [interval for _, interval in pairs]
    return out.reset_index(drop=True)


def chart_numbers(frame: pd.DataFrame, decision: Decision) -> pd.DataFrame:
    """A chart's data as plain numbers: a withheld cell is NaN; shares and measures bring
    ``<column>_lower`` and ``<column>_upper``; words stay words."""
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        values = frame[column].tolist()
        if any(isinstance(v, (Share, Measure)) for v in values):
            main, low, high = [], [], []
            for v in values:
                hidden = isinstance(v, (Count, Share, Measure)) and decision.hides(v)
                if isinstance(v, (Share, Measure)) and not hidden:
                    main.append(v.value), low.append(v.lower), high.append(v.upper)
                elif isinstance(v, Count) and not hidden:
                    main.append(float(v.value)), low.append(math.nan), high.append(math.nan)
                else:
                    main.append(math.nan), low.append(math.nan), high.append(math.nan)
            out[column], out[f"{column}_lower"], out[f"{column}_upper"] = main, low, high
        elif any(isinstance(v, Count) for v in values):
            out[column] = [math.nan if not isinstance(v, Count) or decision.hides(v) else float(v.value)
                           for v in values]
        else:
            out[column] = [v.text if isinstance(v, Plain) else v for v in values]
    return out


@dataclass
class Shown:
    """A table or chart as the notebook displays it."""

    html: str
    summary: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.summary


def _download(frame: pd.DataFrame, name: str, number: int, downloads_dir: Path | None) -> str:
    if not name:
        return ""
    body = csv_text(frame)
    file_name = f"{number:02d}-{name}.csv"
    if downloads_dir is not None:
        downloads_dir.mkdir(parents=True, exist_ok=True)
        (downloads_dir / file_name).write_text(body, encoding="utf-8")
        href = f"../downloads/{file_name}"
    else:
        href = "data:text/csv;base64," + base64.b64encode(body.encode()).decode()
    return (f'<p><a class="prebirth-download" href="{html.escape(href)}" download="{html.escape(file_name)}">'
            "Download the data (CSV)</a></p>")


def _unescape_plain(frame: pd.DataFrame, source: pd.DataFrame) -> pd.DataFrame:
    # In HTML and CSV, Plain cells are shown as their raw text (to_html escapes it; the CSV is neutralised)
    for column in source.columns:
        values = source[column].tolist()
        if any(isinstance(v, Plain) for v in values):
            frame[str(column)] = [v.text if isinstance(v, Plain) else f for v, f in zip(values, frame[str(column)])]
    return frame


_NUMBER = r"[-+]?[\d,]+(\.\d+)?%?"
_NUMERIC_CELL = re.compile(r"(c|none|not available|not reached|100%|" + _NUMBER + r"( (days|weeks|months))?"
                           r"( \([^()]*\))?|" + _NUMBER + " to " + _NUMBER + ")")


def _numeric_column(values) -> bool:
    """A column of published numbers (counts, shares, rates, intervals, and the markers among them)."""
    texts = [str(v) for v in values if str(v).strip()]
    return bool(texts) and any(t[:1].isdigit() or t[:1] in "+-" for t in texts) and all(
        _NUMERIC_CELL.fullmatch(t) for t in texts)


def html_table(frame: pd.DataFrame, caption: str) -> str:
    """A published table as HTML: every cell escaped, numbers right-aligned (class prebirth-num)."""
    numeric = [_numeric_column(frame.iloc[:, i].tolist()) for i in range(frame.shape[1])]
    cls = lambda i: ' class="prebirth-num"' if numeric[i] else ""  # noqa: E731
    # one cell a line, as pandas writes them: the table's text reads with spaces between its cells
    head = "\n".join(f"<th{cls(i)}>{html.escape(str(c))}</th>" for i, c in enumerate(frame.columns))
    names = [str(c) for c in frame.columns]
    paired = [i > 0 and name.endswith(INTERVAL) and not names[i - 1].endswith(INTERVAL) for i, name in
              enumerate(names)]
    if any(paired):  # a value and its interval under one heading: "Share" over "Value" and "95% interval"
        top, under = [], []
        for i, name in enumerate(names):
            if paired[i]:
                continue
            if i + 1 < len(names) and paired[i + 1]:
                top.append(f'<th colspan="2" scope="colgroup"{cls(i)}>{html.escape(name)}</th>')
                under += [f'<th scope="col"{cls(i)}>Value</th>', f'<th scope="col"{cls(i + 1)}>{INTERVAL}</th>']
            else:
                top.append(f'<th rowspan="2" scope="col"{cls(i)}>{html.escape(name)}</th>')
        head = "\n".join(top) + "\n</tr>\n<tr>\n" + "\n".join(under)
    rows = "\n".join("<tr>\n" + "\n".join(f"<td{cls(i)}>{html.escape('not available' if v is None else str(v))}</td>"
                                            for i, v in enumerate(row)) + "\n</tr>"
                     for row in frame.itertuples(index=False, name=None))
    return (f'<table class="prebirth-table" aria-label="{html.escape(caption)}">\n<thead>\n<tr>\n{head}\n</tr>\n'
            f"</thead>\n<tbody>\n{rows}\n</tbody>\n</table>")


def table_parts(item: ResultTable, decision: Decision) -> dict:
    """A table as published: its words (a frame), its HTML, caption, note and size."""
    frame = _unescape_plain(table_frame(item.frame, decision), item.frame)
    note = _as_plain_text(text(item.note, decision)) if isinstance(item.note, Text) else item.note
    return {"frame": frame, "html": html_table(frame, item.caption), "caption": item.caption, "note": note,
            "rows": len(frame), "columns": frame.shape[1]}


@dataclass
class ChartContext:
    """What every chart of the book carries inside its image: the book's marking and its default
    source line."""

    marks: tuple = ()  # (kind, words): "internal" and/or "synthetic"
    source: str = "Source: the area's own records, prepared for this book (see About your data)."


def chart_context(params) -> ChartContext:
    """The marking drawn into every chart: the book's audience and synthetic settings (as its banner)."""
    marks = []
    if not params.published:
        marks.append(("internal", "NOT FOR PUBLICATION: internal build, small numbers shown"))
    if params.synthetic:
        marks.append(("synthetic", "Synthetic data: local and regional numbers made up, for demonstration only"))
    return ChartContext(tuple(marks), f"Source: {params.area_name}'s own records, prepared for this book "
                                      "(see About your data).")


MOSTLY_WITHHELD = 0.5  # a chart with more than half its local figures withheld is not drawn


def _local(cell) -> bool:
    """A cell resting on this area's counts (what disclosure may withhold), not a published benchmark."""
    if isinstance(cell, (Count, Share)):
        return True
    return isinstance(cell, Measure) and (bool(cell.on) or isinstance(cell.numerator, Count))


def withheld_share(frame: pd.DataFrame, decision: Decision) -> float:
    """The share of a chart's local figures that the book withholds (0 when it has none)."""
    cells = [v for column in frame.columns for v in frame[column].tolist() if _local(v)]
    return sum(decision.hides(v) for v in cells) / len(cells) if cells else 0.0


def _svg_uri(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", pad_inches=0.12, metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def chart_parts(item: Chart, decision: Decision, context: ChartContext | None = None) -> dict:
    """A chart as published: its title (the finding, from its own cells), the image drawn from the
    disclosed numbers for a wide page and for a phone (SVG data URIs; title, source and marking
    drawn in), its alt text, caption, source and note, and its data as published words.
    A chart whose local figures are mostly withheld is not drawn (``src`` is "")."""
    import matplotlib.pyplot as plt

    from . import charts

    context = context or ChartContext()
    title = _as_plain_text(text(item.title, decision)) if item.title else ""
    source = item.source or context.source
    numbers = chart_numbers(item.data, decision)
    images = {}
    if withheld_share(item.data, decision) <= MOSTLY_WITHHELD:
        for size in (charts.WIDE, charts.NARROW):
            with charts.profile(size):
                figure = charts.finish(item.draw(numbers.copy(), **item.options), title or item.caption, source,
                                       list(context.marks))
                images[size] = _svg_uri(figure)
                plt.close(figure)
    frame = _unescape_plain(table_frame(item.data, decision), item.data)
    return {"src": images.get(charts.WIDE, ""), "src_narrow": images.get(charts.NARROW, ""), "title": title,
            "source": source, "alt": _as_plain_text(text(item.alt, decision)), "caption": item.caption,
            "note": _as_plain_text(text(item.note, decision)) if isinstance(item.note, Text) else item.note,
            "frame": frame, "table": html_table(frame, item.caption)}


def _note(note, decision: Decision) -> str:
    """A table's or chart's note: words written in code, or a Text whose figures are cells."""
    if isinstance(note, Text):
        note = _as_plain_text(text(note, decision))
    return f'<p class="prebirth-note">{html.escape(note)}</p>' if note else ""


def _analyst_note(note, decision: Decision) -> str:
    """A table's or chart's analyst note (how it was worked out), in a fold."""
    return analyst_fold(_note(note, decision))


def _download_frame(item: ResultTable, parts: dict, decision: Decision) -> pd.DataFrame:
    """The table's CSV: the frame shown, or the fuller one it names (e.g. checksums whole)."""
    if item.download_frame is None:
        return parts["frame"]
    return _unescape_plain(table_frame(item.download_frame, decision), item.download_frame)


def show_table(item: ResultTable, decision: Decision, number: int, downloads_dir: Path | None = None) -> Shown:
    parts = table_parts(item, decision)
    shown = (f'<div class="prebirth-tablewrap"><p class="prebirth-caption"><strong>{html.escape(item.caption)}'
             f'</strong></p>{parts["html"]}{_note(item.note, decision)}{_analyst_note(item.analyst_note, decision)}'
             f'{_download(_download_frame(item, parts, decision), item.download, number, downloads_dir)}</div>')
    return Shown(analyst_fold(shown, item.caption) if item.analyst else shown,
                 f"{item.caption}\n{parts['frame'].to_string(index=False)}")


NARROW_PAGE = "(max-width: 600px)"  # a phone: the chart drawn narrow, its text as large as the caption's


def show_chart(item: Chart, decision: Decision, number: int, downloads_dir: Path | None = None,
               context: ChartContext | None = None) -> Shown:
    parts = chart_parts(item, decision, context)
    heading = (f'<span class="prebirth-charttitle">{html.escape(parts["title"])}</span> '
               f'<span class="prebirth-chartwhat">{html.escape(item.caption)}</span>' if parts["title"]
               else f'<span class="prebirth-charttitle">{html.escape(item.caption)}</span>')
    if parts["src"]:
        image = (f'<picture><source media="{NARROW_PAGE}" srcset="{parts["src_narrow"]}"/>'
                 f'<img src="{parts["src"]}" alt="{html.escape(parts["alt"])}"/></picture>')
    else:
        instead = _as_plain_text(text(item.otherwise, decision)) if item.otherwise is not None else ""
        image = (f'<p class="prebirth-withheld">{html.escape(instead)}</p>' if instead else
                 '<p class="prebirth-withheld">Most of the figures in this chart are withheld to protect people\'s '
                 'privacy (they rest on very few children), so it is not drawn. What can be shown is in the data '
                 'below.</p>')
    # a chart not drawn is no figure (no image): its heading and the sentence saying why
    shell = (f'<figure class="prebirth-figure"><figcaption>{heading}</figcaption>{image}'
             f'<p class="prebirth-source">{html.escape(parts["source"])}</p></figure>' if parts["src"] else
             f'<div class="prebirth-notdrawn"><p>{heading}</p>{image}</div>')
    # the chart's data comes first after it; how it was worked out (for analysts) last
    return Shown(f'{shell}{_note(item.note, decision)}'
                 f'<details class="prebirth-data"><summary>The data in this chart</summary>'
                 f'{parts["table"]}</details>{_download(parts["frame"], item.download, number, downloads_dir)}'
                 f'{_analyst_note(item.analyst_note, decision)}',
                 f"{parts['title'] or item.caption}\n{parts['alt']}")


def _as_plain_text(markdown: str) -> str:
    """Markdown made for a page, as plain text (alt text): undo the escapes of :func:`escape_markdown`."""
    out, i = [], 0
    while i < len(markdown):
        if markdown[i] == "\\" and i + 1 < len(markdown) and markdown[i + 1] in string.punctuation:
            out.append(markdown[i + 1])
            i += 2
            continue
        out.append(markdown[i])
        i += 1
    return html.unescape("".join(out)).replace("**", "")


def show_notice(item: Notice, decision: Decision) -> Markdown | None:
    parts = item.body if isinstance(item.body, (list, tuple)) else [item.body]
    body = " ".join(t for t in (text(p, decision) for p in parts) if t)
    return Markdown(body, item.kind, item.title, item.analyst) if body else None


MAIN_POINTS = "main_points"


def show_main_points(result: ChapterResult, decision: Decision) -> Markdown | None:
    """The chapter's main points (its findings marked ``main``), as a list that opens the page."""
    said = [text(f.text, decision) for f in result.findings if f.main]
    said = [s for s in said if s]
    if not said:
        return None
    return Markdown("\n".join(f"- {s}" for s in said), "mainpoints", "Main points")


def show(result: ChapterResult, name: str, decision: Decision, downloads_dir: Path | None = None,
         context: ChartContext | None = None):
    """What a notebook cell displays for the result's item ``name`` (None: nothing to show)."""
    item = result.items.get(name)
    if item is None and name == MAIN_POINTS:
        return show_main_points(result, decision)
    if item is None:
        return None
    if isinstance(item, ResultTable):
        return show_table(item, decision, result.number, downloads_dir)
    if isinstance(item, Chart):
        return show_chart(item, decision, result.number, downloads_dir, context)
    if isinstance(item, Notice):
        return show_notice(item, decision)
    if isinstance(item, Text):
        body = text(item, decision)
        return Markdown(body) if body else None
    raise TypeError(f"item {name!r} of chapter {result.number} is a {type(item).__name__}")


class GlueText(str):
    """Text glued into prose: its repr is the text itself (a plain str would show its quotes)."""

    def __repr__(self) -> str:
        return str(self)


def glued(result: ChapterResult, decision: Decision) -> dict[str, str]:
    """The words glued into the notebook's prose, by name ('not available' when there is none)."""
    out = {}
    for name, value in result.glue.items():
        if value is None:
            out[name] = "not available"
        elif isinstance(value, (Count, Share, Measure, Plain, Tally, Verdict)):
            out[name] = fmt(value, decision)
        else:
            out[name] = text(value, decision) or "not available"
    return out


def glue_all(result: ChapterResult, decision: Decision) -> None:
    from myst_nb import glue

    for name, value in glued(result, decision).items():
        glue(name, GlueText(value), display=False)


# -- what the build collects ---------------------------------------------------------------

def _cell_numbers(cell, decision: Decision) -> dict:
    blank = dict(numerator=math.nan, denominator=math.nan, value=math.nan, lower=math.nan, upper=math.nan)
    if isinstance(cell, Count):
        hidden = decision.hides(cell)
        return dict(blank, suppressed=hidden, **({} if hidden else dict(numerator=cell.value, value=cell.value)))
    if isinstance(cell, Share):
        hidden = decision.hides(cell)
        den_hidden = decision.hides(cell.denominator)
        out = dict(blank, suppressed=hidden)
        if not den_hidden:
            out["denominator"] = cell.denominator.value
        if not hidden:
            out.update(numerator=cell.numerator.value, value=cell.value, lower=cell.lower, upper=cell.upper)
        return out
    if isinstance(cell, Measure):
        hidden = decision.hides(cell)
        out = dict(blank, suppressed=hidden)
        for side in ("numerator", "denominator"):
            part = getattr(cell, side)
            if isinstance(part, Count):
                if not decision.hides(part):
                    out[side] = part.value
            elif part is not None and not pd.isna(part):
                out[side] = float(part)
        if hidden:
            out["numerator"] = math.nan
        else:
            out.update(value=cell.value, lower=cell.lower, upper=cell.upper)
        return out
    raise TypeError(f"an indicator's cell is a {type(cell).__name__}")


def indicator_rows(result: ChapterResult, decision: Decision) -> list[dict]:
    """The chapter's rows of ``indicators.csv``, as published."""
    rows = []
    for row in result.indicators:
        numbers = _cell_numbers(row.cell, decision)
        rows.append(dict(indicator=row.indicator, period=row.period, group=row.group, **{
            k: numbers[k] for k in ("numerator", "denominator", "value", "lower", "upper")},
            unit=row.unit, method=row.method, suppressed=bool(numbers["suppressed"])))
    return rows


def findings(result: ChapterResult, decision: Decision) -> list[dict]:
    """The chapter's key findings as published sentences (a finding whose figure is withheld says
    its ``otherwise``, or is left out)."""
    out = []
    for finding in result.findings:
        said = text(finding.text, decision)
        if said:
            out.append({"chapter": result.number, "finding": said, "indicator": finding.indicator,
                        "main": finding.main})
    return out


# -- what a notebook opens -------------------------------------------------------------------

@dataclass
class Published:
    """A chapter's result under the book's decision, as its notebook shows it."""

    result: ChapterResult
    decision: Decision
    downloads_dir: Path | None = None
    context: ChartContext | None = None  # the marking and source line drawn into its charts

    def show(self, name: str):
        """One item of the chapter (a table, a chart, a paragraph), as published."""
        return show(self.result, name, self.decision, self.downloads_dir, self.context)

    def glue(self) -> None:
        """Glue the chapter's figures into its prose (names as in the notebook's markdown)."""
        glue_all(self.result, self.decision)


def open_result(module: str, area_file: str, result_file: str = "", downloads_dir: str = "") -> Published:
    """The chapter's disclosed result: the build's bundle, or (a notebook run on its own, e.g. by
    nbval) computed here from the area's files and disclosed on its own."""
    import importlib
    import pickle

    from .config import load_parameters

    folder = Path(downloads_dir) if downloads_dir else None
    if result_file:
        with open(result_file, "rb") as handle:
            result, decision = pickle.load(handle)
        return Published(result, decision, folder, chart_context(load_parameters(area_file)))
    from .chapters.common import prepare
    from .disclosure import decide

    prepared = prepare(area_file)
    chapter = importlib.import_module(f"prebirth.chapters.{module}")
    result = chapter.compute(prepared, {})
    decision = decide([result], prepared.params.published, prepared.params.min_count)
    return Published(result, decision.restricted_to(result), folder, chart_context(prepared.params))
