"""Slides for workshop facilitators: one chapter of a built book as a self-contained deck.

``prebirth slides areas/<name>.yml --chapter N`` reads the chapter as the last build
made it and writes a single HTML file: the words of the chapter's notebook, and each item
of its result (``prebirth.compute``) as the book's one disclosure decision publishes it
(never the rendered page). The deck holds: the question, the key findings, each chart with its caption and text
alternative, small tables, the questions to reflect on, what the data cannot tell you
and the facilitator's prompts. Styles, script and images are all inside the file, so it
opens in any browser with no network. Arrow keys move between slides; printing gives one
slide per page; without JavaScript every slide shows, one under another.

The deck shows only what the published chapter shows (already suppressed); it computes
nothing again.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .config import banner, load_parameters
from .layout import NOTEBOOKS
from .publish import default_output

ASSETS = Path(__file__).resolve().parent / "assets" / "slides"
MAX_TABLE_ROWS = 8  # rows of a table on one slide (cells often wrap to two or three lines)
MAX_TABLE_COLUMNS = 7
SKIP_SECTIONS = ()  # every section of the chapter has its place in a workshop
GENERATOR = '<meta name="generator" content="Pre-birth Data Book slides">'  # how a deck is known again
_EARLIER_DECK = '<nav class="deck-controls" aria-label="Slides">'  # in every deck, also from before GENERATOR


class SlidesError(Exception):
    """The deck cannot be made; the message says what to do."""


@dataclass
class Slide:
    title: str
    body: str  # HTML
    kind: str = "content"


@dataclass
class Section:
    title: str
    text: list[str] = field(default_factory=list)  # HTML blocks
    figures: list[dict] = field(default_factory=list)
    tables: list[dict] = field(default_factory=list)
    lists: list[str] = field(default_factory=list)  # HTML of bullet lists (questions)


@dataclass
class ChapterContent:
    title: str
    question: str
    sections: list[Section]
    facilitator: str  # HTML of the facilitator box's body
    findings: list[str]


# -- reading the built chapter ----------------------------------------------------------

def notebook_for(chapter: int):
    matches = [nb for nb in NOTEBOOKS if nb.number == chapter]
    if not matches:
        numbers = ", ".join(str(nb.number) for nb in NOTEBOOKS)
        raise SlidesError(f"there is no chapter {chapter}; the chapters are numbered {numbers}.")
    return matches[0]


def built_chapter(area_file: Path, chapter: int, output_root: Path | None = None):
    """The words of a chapter's notebook as the last build ran it, its result and the book's
    decision about it, and the area's parameters."""
    import pickle

    params = load_parameters(area_file)
    nb = notebook_for(chapter)
    folder = (output_root or default_output()) / params.slug
    notebook = folder / ".src" / "notebooks" / f"{nb.stem}.ipynb"
    bundle = folder / ".work" / "bundles" / f"{nb.stem}.pkl"
    if not (notebook.is_file() and bundle.is_file()):
        raise SlidesError(f"no built book for {params.area_name} in {folder}. Build it first: "
                          f"prebirth build {area_file}" + (f" --output {output_root}" if output_root else "")
                          + " (slides show the chapter as the last build made it).")
    with open(bundle, "rb") as handle:
        result, decision = pickle.load(handle)
    return nbformat.read(notebook, as_version=4), result, decision, params


_SHOW = re.compile(r'^\s*r\.show\("(?P<name>[^"]+)"\)\s*$')


def read_result_chapter(notebook, result, decision, context=None) -> ChapterContent:
    """A computed chapter's deck content: the words of its notebook (markdown cells), and for each
    display cell the item of its result as the book's decision publishes it (never rendered HTML).
    ``context``: the book's :class:`~prebirth.present.ChartContext` (its marking and source line),
    drawn into every chart as in the book."""
    from . import present

    findings = [render_markdown(f["finding"]) for f in present.findings(result, decision)]
    glue = present.glued(result, decision)
    shown = []
    for cell in notebook.cells:
        match = _SHOW.match(cell.source) if cell.cell_type == "code" else None
        if cell.cell_type == "markdown":
            shown.append(cell)
        elif match:
            shown.append(match.group("name"))
    return _content(shown, glue, findings, lambda name: _item_parts(result, name, decision, context))


def _item_parts(result, name: str, decision, context=None) -> tuple[str, object]:
    from . import present
    from .results import Chart, ResultTable

    item = result.items.get(name)
    if isinstance(item, Chart):
        parts = present.chart_parts(item, decision, context)
        return "figure", {k: parts[k] for k in ("src", "alt", "caption", "note")}
    if isinstance(item, ResultTable):
        parts = present.table_parts(item, decision)
        return "table", {k: parts[k] for k in ("html", "frame", "caption", "note", "rows", "columns")}
    shown = present.show(result, name, decision) if item is not None else None
    return "text", render_markdown(shown._repr_markdown_()) if shown is not None else ""


_ROLE = re.compile(r"\{(?P<role>[a-z:-]+)\}`(?P<text>[^`]*)`")
_ADMONITION = re.compile(r"^:::+\s*\{(?P<kind>[a-z-]+)\}\s*(?P<title>.*)$")
_TARGET = re.compile(r"^\(.+\)=\s*$")


def myst_to_markdown(text: str, glue: dict[str, str]) -> str:
    """Roles become plain text (glue roles their glued value); labels are dropped."""
    def role(match):
        name, inner = match.group("role"), match.group("text")
        if name.startswith("glue"):
            return glue.get(inner, "not available")
        plain = re.sub(r"\s*<[^>]*>\s*$", "", inner)
        return plain or inner
    lines = [line for line in text.splitlines() if not _TARGET.match(line.strip())]
    return _ROLE.sub(role, "\n".join(lines))


def _markdown():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table")


def render_markdown(text: str) -> str:
    return _markdown().render(text)


def split_blocks(markdown: str) -> list[tuple[str, str, str]]:
    """A markdown cell as (kind, title, body) blocks: 'h1'/'h2'/'h3' headings, admonitions, text."""
    blocks: list[tuple[str, str, str]] = []
    lines = markdown.splitlines()
    buffer: list[str] = []
    i = 0

    def flush():
        if "".join(buffer).strip():
            blocks.append(("text", "", "\n".join(buffer).strip()))
        buffer.clear()

    while i < len(lines):
        line = lines[i]
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        admonition = _ADMONITION.match(line.strip())
        if heading:
            flush()
            blocks.append((f"h{len(heading.group(1))}", heading.group(2).strip(), ""))
        elif admonition:
            flush()
            fence = re.match(r"^(:+)", line.strip()).group(1)
            body, title = [], admonition.group("title").strip()
            i += 1
            while i < len(lines) and lines[i].strip() != fence:
                if not re.match(r"^:[a-z-]+:", lines[i].strip()):  # options such as :class: note
                    body.append(lines[i])
                i += 1
            kind = admonition.group("kind")
            blocks.append(("admonition", title or kind.capitalize(), "\n".join(body).strip()))
        else:
            buffer.append(line)
        i += 1
    flush()
    return blocks


def _content(cells, glue: dict, findings: list[str], parts_of) -> ChapterContent:
    """Slides' content from a chapter's cells in order: markdown cells, and what each display shows
    (``parts_of(name)``: one (kind, part))."""
    title, question, facilitator = "", "", ""
    sections: list[Section] = []
    current = Section("")
    sections.append(current)
    for cell in cells:
        if not isinstance(cell, str) and cell.cell_type == "markdown":
            for kind, heading, body in split_blocks(myst_to_markdown(cell.source, glue)):
                if kind == "h1" and not title:
                    title = heading
                elif kind in ("h1", "h2", "h3"):
                    current = Section(heading)  # a subsection is its own group of slides
                    sections.append(current)
                elif kind in ("h4", "h5", "h6"):
                    current.text.append(f"<h3>{html.escape(heading)}</h3>")
                elif kind == "admonition" and heading.lower().startswith("the question"):
                    question = render_markdown(body)
                elif kind == "admonition" and "facilitator" in heading.lower():
                    facilitator = render_markdown(body)
                elif kind == "admonition":
                    current.text.append(f'<div class="prebirth-notyet"><p><strong>{html.escape(heading)}</strong></p>'
                                        f"{render_markdown(body)}</div>")
                elif kind == "text":
                    rendered = render_markdown(body)
                    if body.lstrip().startswith(("-", "*", "1.")) and "questions" in current.title.lower():
                        current.lists.append(rendered)
                    else:
                        current.text.append(rendered)
            continue
        kind, part = parts_of(cell)
        if kind == "figure":
            current.figures.append(part)
        elif kind == "table":
            current.tables.append(part)
        elif part:
            current.text.append(part)
    return ChapterContent(title or "Chapter", question, [s for s in sections if s.title or s.text or s.figures
                                                          or s.tables or s.lists], facilitator, findings)


# -- making the slides ----------------------------------------------------------------------

MAX_TABLE_SLIDES = 4  # a longer table is split over at most this many slides; longer still stays in the book


def fits_on_slides(table: dict) -> bool:
    """Whether a table can be shown on at most MAX_TABLE_SLIDES slides, legibly."""
    if table["columns"] > MAX_TABLE_COLUMNS:
        return False
    return math.ceil(table["rows"] / MAX_TABLE_ROWS) <= MAX_TABLE_SLIDES


def table_pages(table: dict) -> list[str]:
    """The table split into slides of whole rows, each with the header row."""
    from .present import html_table

    per = MAX_TABLE_ROWS
    if table["rows"] <= per:
        return [table["html"]]
    frame = table["frame"]
    return [html_table(frame.iloc[start:start + per], table["caption"]) for start in range(0, len(frame), per)]


def plan_slides(content: ChapterContent) -> list[Slide]:
    """Title, key findings, then each section: its words, each chart, each small table."""
    slides = []
    slides.append(Slide(content.title, content.question, kind="title"))
    if content.findings:  # each already HTML (escaped text, or markdown rendered)
        items = "".join(f"<li>{f}</li>" for f in content.findings)
        slides.append(Slide("Key findings", f"<ul>{items}</ul>"))
    for section in content.sections:
        if section.title in SKIP_SECTIONS:
            continue
        big_tables = [t for t in section.tables if not fits_on_slides(t)]
        words = list(section.text)
        if big_tables:
            listed = "".join(f"<li>{html.escape(t['caption'])}</li>" for t in big_tables)
            words.append(f'<p class="deck-note">In the book (too large for a slide):</p><ul class="deck-note">{listed}</ul>')
        if section.lists:
            body = "".join(words) + "".join(section.lists)
            slides.append(Slide(section.title, f'<div class="deck-prompts">{body}</div>'))
        elif any(w.strip() for w in words):
            slides.append(Slide(section.title or content.title, "".join(words)))
        for figure in section.figures:
            note = f'<p class="deck-note">{html.escape(figure["note"])}</p>' if figure["note"] else ""
            slides.append(Slide(figure["caption"] or section.title,
                                f'<figure><img src="{html.escape(figure["src"], quote=True)}" '
                                f'alt="{html.escape(figure["alt"], quote=True)}"/></figure>{note}', kind="figure"))
        for table in section.tables:
            if table in big_tables:
                continue
            note = f'<p class="deck-note">{html.escape(table["note"])}</p>' if table["note"] else ""
            pages = table_pages(table)
            for number, page in enumerate(pages, start=1):
                title = table["caption"] or section.title
                if len(pages) > 1:
                    title += f" ({number} of {len(pages)})"
                slides.append(Slide(title, page + (note if number == len(pages) else ""), kind="table"))
    if content.facilitator:
        slides.append(Slide("For facilitators: discussion prompts",
                            f'<div class="deck-prompts">{content.facilitator}</div>', kind="prompts"))
    return slides


def deck_html(content: ChapterContent, params, chapter: int, made: dt.date | None = None) -> str:
    """The whole deck as one HTML document (styles and script inline, images as data URIs)."""
    slides = plan_slides(content)
    warning = banner(params)
    made = made or dt.date.today()
    source = html.escape(f"{params.area_name} · chapter {chapter} · {made.day} {made:%B %Y}")
    parts = []
    for i, slide in enumerate(slides, start=1):
        heading = "h1" if slide.kind == "title" else "h2"
        extra = ""
        if slide.kind == "title":
            extra = f'<p class="deck-area">{html.escape(params.area_name)}: chapter {chapter}</p>'
            body = f'{extra}<div class="deck-question">{slide.body}</div>' if slide.body else extra
        else:
            body = slide.body
        banner_html = f'<p class="deck-banner">{html.escape(warning)}</p>' if warning else ""
        # The body scrolls when a slide holds more than fits: focusable, so the keyboard can scroll it.
        parts.append(
            # each slide a region named by its number too: two slides may share a title (a table's second slide)
            f'<section class="slide {slide.kind}" id="slide-{i}" aria-label="{html.escape(f"Slide {i}: {slide.title}")}">'
            f'<{heading} id="slide-{i}-title">{html.escape(slide.title)}</{heading}>'
            f'<div class="deck-body" tabindex="0" role="group" aria-labelledby="slide-{i}-title">{body}</div>'
            f'<div class="deck-foot">{banner_html}<p class="deck-source">{source}</p></div></section>')
    css = (ASSETS / "deck.css").read_text(encoding="utf-8")
    script = (ASSETS / "deck.js").read_text(encoding="utf-8")
    title = html.escape(f"{content.title}: {params.area_name} (slides)")
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n{GENERATOR}\n<title>{title}</title>\n'
        f"<style>\n{css}\n</style>\n</head>\n<body>\n<main>\n" + "\n".join(parts) + "\n</main>\n"
        '<nav class="deck-controls" aria-label="Slides">'
        '<button type="button" id="deck-previous">Previous</button>'
        '<p id="deck-counter"></p>'
        '<button type="button" id="deck-next">Next</button></nav>\n'
        '<p class="deck-spoken" id="deck-spoken" aria-live="polite"></p>\n'
        f"<script>\n{script}\n</script>\n</body>\n</html>\n")


def is_deck(path: Path) -> bool:
    """Whether the file is a slide deck this tool wrote (so writing it again loses nothing)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
            handle.seek(max(0, path.stat().st_size - 4096))
            tail = handle.read()
    except OSError:
        return False
    return GENERATOR.encode() in head or _EARLIER_DECK.encode() in tail


def check_target(target: Path, stem: str) -> None:
    """Refuse to write a deck over anything but an earlier deck: never over an input file or a folder."""
    if target.is_dir():
        raise SlidesError(f"{target} is a folder; give the file to write, e.g. --to {target / (stem + '.html')} "
                          f"(nothing was written).")
    if target.suffix.lower() not in (".html", ".htm"):
        raise SlidesError(f"{target}: a slide deck is an HTML file; give a name ending in .html (nothing was "
                          f"written).")
    if (target.exists() or target.is_symlink()) and (target.is_symlink() or not is_deck(target)):
        raise SlidesError(f"{target} already exists and is not a slide deck made by this tool, so it was not "
                          f"overwritten; give another file name with --to.")


def write_chapter_deck(area_file: str | Path, chapter: int, output_root: Path | None = None,
                       to: Path | None = None) -> Path:
    """Write the deck for one chapter of an area's last build; returns the file written.

    The file written is new or an earlier deck: anything else there is refused (SlidesError)."""
    area_file = Path(area_file)
    if to is not None:  # before anything is read: a wrong --to is said at once
        check_target(to, notebook_for(chapter).stem)
    notebook, result, decision, params = built_chapter(area_file, chapter, output_root)
    nb = notebook_for(chapter)
    from . import present

    content = read_result_chapter(notebook, result, decision, present.chart_context(params))
    target = to or (output_root or default_output()) / params.slug / "slides" / f"{nb.stem}.html"
    check_target(target, nb.stem)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(deck_html(content, params, chapter), encoding="utf-8")
    return target


__all__ = ["SlidesError", "write_chapter_deck", "read_result_chapter", "plan_slides", "deck_html", "split_blocks",
           "myst_to_markdown"]
