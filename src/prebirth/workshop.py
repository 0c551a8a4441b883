"""The workshop kit: one deck across the chapters, and the rating worksheet (a spreadsheet and a page to print).

The deck is made from the chapters' results and the book's one disclosure decision only (never the
rendered pages or the notebooks): for each chapter its main points (its findings marked ``main``, else
all its findings), one chart a slide under a title that states the chart's finding, and its discussion
prompts (``ChapterResult.prompts``). Every slide has speaker notes, hidden on the slide, shown in the
notes view (key N) and in print. A table goes on a slide only whole (never split); a longer one stays in
the book. ``prebirth build`` writes the kit into the book (``workshop/``), linked from chapter 8;
``prebirth slides --workshop`` writes the deck again from the last build.
"""

from __future__ import annotations

import hashlib
import html
import io
import pickle
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .config import banner
from .layout import NOTEBOOKS

ASSETS = Path(__file__).resolve().parent / "assets" / "slides"
GENERATOR = '<meta name="generator" content="Pre-birth Data Book slides">'  # as slides.GENERATOR: a deck
MAX_TABLE_ROWS = 8
MAX_TABLE_COLUMNS = 7
MAX_TABLE_CHARACTERS = 900  # the words in its cells
POINTS_CHARACTERS = 560  # words of the points under a slide's title (its own title excepted)
SKIP_CHAPTERS = (9,)  # about this report: methods, not for the room

# Each chapter's charts for the room, one a slide, each with the finding (by indicator) that titles it.
# A chart whose finding is not said (withheld, or not recorded) keeps its caption as the title.
WORKSHOP_CHARTS: dict[int, tuple[tuple[str, str], ...]] = {
    1: (("rate_chart", "newborn_rate_per_10k_births"), ("starters_chart", "infant_starters_share")),
    2: (("subsequent_chart", "newborns_subsequent_share"),),
    4: (("gestation_chart", "referred_by_20_weeks_share"), ("yearly_chart", "days_referral_to_assessment_median")),
    5: (("shares_chart_newborns", "hearing_within_7_days_share"),),
    6: (("needs_chart", "factor_mental_health_share"), ("age_chart", "mothers_under_20_share")),
    7: (("involvement_chart", "fathers_assessed_share"),),
    8: (("rag_heatmap", ""),),
}
WORKSHOP_TABLES: dict[int, tuple[str, ...]] = {8: ("rag_priorities",)}  # shown only whole, when they fit
CHAPTER_ZERO_TITLE = "About your data"


@dataclass
class Slide:
    title: str  # plain text (escaped when written)
    body: str  # HTML
    notes: str  # HTML
    kind: str = "content"  # title, points, figure, table, prompts
    kicker: str = ""  # the chapter, above the title


@dataclass
class ChapterPart:
    number: int
    title: str
    stem: str
    points: list[str] = field(default_factory=list)  # HTML of each point (main points, else findings)
    others: list[str] = field(default_factory=list)  # the chapter's other findings (for the notes)
    figures: list[dict] = field(default_factory=list)  # title, src, alt, caption, note
    tables: list[dict] = field(default_factory=list)  # title, html, rows, columns, caption, note
    prompts: list[str] = field(default_factory=list)


def _inline(markdown: str) -> str:
    """A published sentence (markdown) as inline HTML."""
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark", {"html": False}).render(markdown).strip()
    return re.sub(r"^<p>(.*)</p>$", r"\1", rendered, flags=re.S)


def _plain(markdown: str) -> str:
    """A published sentence as plain text (a slide's title)."""
    return html.unescape(re.sub(r"<[^>]+>", "", _inline(markdown)))


def chapter_title(result, number: int) -> str:
    from .chapters.requirements import QUESTIONS

    titles = {0: CHAPTER_ZERO_TITLE, **{q.chapter: q.title for q in QUESTIONS}}
    return result.title or titles.get(number, f"Chapter {number}")


def chapter_part(result, decision, stem: str = "", context=None) -> ChapterPart:
    """What the deck shows of one chapter, as the book's decision publishes it (``context``: the
    book's ChartContext, whose marking and source line every chart image carries)."""
    from . import present
    from .results import Chart, ResultTable

    number = result.number
    part = ChapterPart(number, chapter_title(result, number), stem)
    said = [(f, present.text(f.text, decision)) for f in result.findings]
    said = [(f, s) for f, s in said if s]
    main = [s for f, s in said if f.main]
    part.points = [_inline(s) for s in (main or [s for _, s in said])]
    part.others = [_inline(s) for f, s in said if main and not f.main]
    by_indicator = {f.indicator: s for f, s in said if f.indicator}
    for name, indicator in WORKSHOP_CHARTS.get(number, ()):
        item = result.items.get(name)
        if not isinstance(item, Chart):
            continue
        parts = present.chart_parts(item, decision, context)
        title = by_indicator.get(indicator, "") if indicator else ""
        if number == 8 and not title:
            title = _rag_title(result, decision)
        part.figures.append({"title": _plain(title) if title else item.caption, "src": parts["src"],
                             "alt": parts["alt"], "caption": item.caption, "note": parts["note"] or ""})
    if number == 8:
        _rag_parts(part, result, decision)
    part.prompts = list(result.prompts)
    return part


def _rag_title(result, decision) -> str:
    from . import present

    item = result.items.get("rag_counts")
    shown = present.show(result, "rag_counts", decision) if item is not None else None
    if shown is None:
        return ""
    first = shown.markdown.split("**")[1] if shown.markdown.count("**") >= 2 else shown.markdown
    return first.strip()


def flagged_checks(result, decision) -> list[str]:
    """Chapter 8's check notes of the ratings that the book's figures question, as published."""
    from . import present
    from .results import ResultTable

    item = result.items.get("rag_checks")
    if not isinstance(item, ResultTable):
        return []
    frame = present.table_parts(item, decision)["frame"]
    return [f"\u201c{row['Statement']}\u201d {row['Check']}" for _, row in frame.iterrows()
            if str(row.get("Second look?")) == "Yes"]


def _rag_parts(part: ChapterPart, result, decision) -> None:
    """Chapter 8: the ratings that the book's figures question, as points (the full table stays in the book)."""
    from . import present
    from .results import ResultTable

    flagged = flagged_checks(result, decision)
    if flagged:
        n = len(flagged)
        part.points = [f"{n} rating{'s' if n != 1 else ''} {'are' if n != 1 else 'is'} worth a second look "
                       "against the book's own figures."] + [html.escape(s) for s in flagged]
    for name in WORKSHOP_TABLES.get(8, ()):
        table = result.items.get(name)
        if isinstance(table, ResultTable):
            part.tables.append({"title": table.caption, **present.table_parts(table, decision)})


def _chunks(points: list[str], budget: int = POINTS_CHARACTERS) -> list[list[str]]:
    """The points in groups: the first of each group is its slide's title, the rest fit under it."""
    groups, current, used = [], [], 0
    for point in points:
        size = len(re.sub(r"<[^>]+>", "", point))
        if current and used + size > budget:
            groups.append(current)
            current, used = [], 0
        if current:
            used += size
        current.append(point)
    if current:
        groups.append(current)
    return groups


def fits_whole(table: dict) -> bool:
    """A table goes on a slide only whole: never split over slides."""
    frame = table.get("frame")
    words = int(frame.astype(str).map(len).to_numpy().sum()) if frame is not None else 0
    return table["rows"] <= MAX_TABLE_ROWS and table["columns"] <= MAX_TABLE_COLUMNS and words <= MAX_TABLE_CHARACTERS


def _page_link(part: ChapterPart, links: bool) -> str:
    if not links or not part.stem:
        return f"chapter {part.number} of the book"
    return f'<a href="../notebooks/{html.escape(part.stem)}.html">chapter {part.number} of the book</a>'


def plan_workshop(parts: list[ChapterPart], area_name: str, links: bool = True) -> list[Slide]:
    """The slides: a title slide, then each chapter's points, charts, whole tables and prompts."""
    slides = [Slide(f"Workshop: babies in care proceedings in {area_name}",
                    "<p>The main points of each chapter of the book, one chart a slide, and questions to discuss.</p>"
                    "<p>Every number here is as the book publishes it; c means a number withheld to protect "
                    "families.</p>",
                    "<p>Move with the arrow keys. Press N to show or hide these notes (the notes view); print for "
                    "handouts, with the notes under each slide.</p><p>Each chapter has its main points, one chart "
                    "a slide and its questions. Leave time for the questions: the numbers describe what was "
                    "recorded, and the people in the room can say what they mean.</p>", kind="title")]
    for part in parts:
        kicker = f"{part.number}. {part.title}"
        where = _page_link(part, links)
        figure_titles = {f["title"] for f in part.figures}
        groups = _chunks(part.points)
        if len(groups) == 1 and len(groups[0]) == 1 and _plain_html(groups[0][0]) in figure_titles:
            groups = []  # one point, and a chart says it: the chart's slide is enough
        for group in groups:
            body = "<ul>" + "".join(f"<li>{p}</li>" for p in group[1:]) + "</ul>" if group[1:] else ""
            notes = (f"<p>From {where}, where every figure is shown with its 95% confidence interval and the "
                     "tables behind it.</p><p>Ask which point matters most to each person, and which matches what "
                     "they see in their work.</p>")
            if part.others:
                notes += "<p>The chapter's other findings:</p><ul>" + "".join(f"<li>{o}</li>" for o in part.others)
                notes += "</ul>"
            slides.append(Slide(_plain_html(group[0]), body, notes, kind="points", kicker=kicker))
        for figure in part.figures:
            note = f'<p class="deck-note">{html.escape(figure["note"])}</p>' if figure["note"] else ""
            body = (f'<figure><img src="{html.escape(figure["src"], quote=True)}" '
                    f'alt="{html.escape(figure["alt"], quote=True)}"/>'
                    f'<figcaption>{html.escape(figure["caption"])}</figcaption></figure>')
            notes = (f"<p>What the chart shows: {html.escape(figure['alt'])}</p>{note}"
                     f"<p>The data behind it are under the chart in {where}.</p>")
            slides.append(Slide(figure["title"], body, notes, kind="figure", kicker=kicker))
        for table in part.tables:
            if not fits_whole(table):
                continue  # never split: it stays in the book
            note = f'<p class="deck-note">{html.escape(table["note"])}</p>' if table.get("note") else ""
            slides.append(Slide(table["title"], table["html"] + note,
                                f"<p>The table as in {where}.</p>", kind="table", kicker=kicker))
        if part.prompts:
            items = "".join(f"<li>{html.escape(p)}</li>" for p in part.prompts)
            slides.append(Slide(f"To discuss: {part.title.lower() if part.number else 'your data'}",
                                f'<div class="deck-prompts"><ul>{items}</ul></div>',
                                "<p>Give people a minute to think on their own first, then talk in pairs. Note "
                                "what the room says and who will follow each point up.</p>", kind="prompts",
                                kicker=kicker))
    return slides


def _plain_html(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def workshop_parts(bundles: dict[int, tuple], stems: dict[int, str] | None = None, context=None) -> list[ChapterPart]:
    """Each chapter's part of the deck from its (result, decision); chapters with nothing to show are left out.
    ``context``: the book's ChartContext (marking and source drawn into every chart)."""
    out = []
    for number in sorted(bundles):
        if number in SKIP_CHAPTERS:
            continue
        result, decision = bundles[number]
        part = chapter_part(result, decision, (stems or {}).get(number, ""), context)
        if part.points or part.figures or part.prompts:
            out.append(part)
    return out


def deck_html(slides: list[Slide], params, title: str) -> str:
    """The deck as one HTML document (styles, script and images inside it)."""
    warning = banner(params)
    source = html.escape(f"{params.area_name} · Pre-birth Data Book workshop")
    sections = []
    for i, slide in enumerate(slides, start=1):
        heading = "h1" if slide.kind == "title" else "h2"
        kicker = f'<p class="deck-kicker">{html.escape(slide.kicker)}</p>' if slide.kicker else ""
        banner_html = f'<p class="deck-banner">{html.escape(warning)}</p>' if warning else ""
        sections.append(
            # each slide a region named by its number too (two slides may share a title), and so are its notes
            f'<section class="slide {slide.kind}" id="slide-{i}" aria-label="{html.escape(f"Slide {i}: {slide.title}")}">'
            f'{kicker}<{heading} id="slide-{i}-title">{html.escape(slide.title)}</{heading}>'
            f'<div class="deck-body">{slide.body}</div>'
            f'<aside class="deck-notes" aria-label="Speaker notes, slide {i}"><p class="deck-notes-title">Speaker notes</p>'
            f"{slide.notes}</aside>"
            f'<div class="deck-foot">{banner_html}<p class="deck-source">{source}</p></div></section>')
    css = (ASSETS / "deck.css").read_text(encoding="utf-8") + (ASSETS / "workshop.css").read_text(encoding="utf-8")
    script = (ASSETS / "deck.js").read_text(encoding="utf-8") + (ASSETS / "notes.js").read_text(encoding="utf-8")
    return ("<!DOCTYPE html>\n"
            f'<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n{GENERATOR}\n'
            f"<title>{html.escape(title)}</title>\n<style>\n{css}\n</style>\n</head>\n"
            f'<body class="workshop">\n<main>\n' + "\n".join(sections) + "\n</main>\n"
            '<nav class="deck-controls" aria-label="Slides">'
            '<button type="button" id="deck-previous">Previous</button>'
            '<p id="deck-counter"></p>'
            '<button type="button" id="deck-notes-toggle" aria-pressed="false">Notes</button>'
            '<button type="button" id="deck-next">Next</button></nav>\n'
            '<p class="deck-spoken" id="deck-spoken" aria-live="polite"></p>\n'
            f"<script>\n{script}\n</script>\n</body>\n</html>\n")


def workshop_deck(bundles: dict[int, tuple], params, links: bool = True) -> str:
    from . import present

    stems = {nb.number: nb.stem for nb in NOTEBOOKS}
    slides = plan_workshop(workshop_parts(bundles, stems, present.chart_context(params)), params.area_name, links)
    return deck_html(slides, params, f"Workshop slides: {params.area_name}")


# -- the rating worksheet ------------------------------------------------------------------------

RATINGS = ("Red", "Amber", "Green")
WORKSHEET_COLUMNS = ("Id", "Stage", "Level", "Statement", "Rating", "Evidence", "Owner", "Review date",
                     "What the book shows")
WORKSHEET_ROWS = 200  # rows with the drop-downs (statements the area adds go below)


def worksheet_rows(result, decision) -> list[dict]:
    """The statements to rate, with the figures the book holds beside each (as published)."""
    from . import present

    item = result.items.get("rag_worksheet")
    if item is None:
        return []
    frame = present.table_parts(item, decision)["frame"]
    shows: dict[str, list[str]] = {}
    checks = result.items.get("rag_checks")
    if checks is not None and hasattr(checks, "frame"):
        checked = present.table_parts(checks, decision)["frame"]
        for _, row in checked.iterrows():
            shows.setdefault(str(row["Id"]), []).append(str(row["What the book shows"]))
    return [{"Id": str(r["Id"]), "Stage": str(r["Stage"]), "Level": str(r["Level"]), "Statement": str(r["Statement"]),
             "Rating": "", "Evidence": "", "Owner": "", "Review date": "",
             "What the book shows": " ".join(shows.get(str(r["Id"]), []))} for _, r in frame.iterrows()]


def _text_cell(cell, value) -> None:
    """Input text as text, never a formula (a statement that starts with '=' stays words)."""
    cell.value = value
    if isinstance(value, str) and value:
        cell.data_type = "s"
        if value[0] in "=+-@\t\r":
            cell.quotePrefix = True


def worksheet_xlsx(rows: list[dict], area_name: str) -> bytes:
    """The worksheet as an .xlsx: drop-downs for the rating (Red, Amber, Green), a date check for the review
    date, every text a text cell. The same bytes for the same rows (fixed timestamps)."""
    import datetime as dt

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    from .rag_statements import CHANGE_PROJECT_URL, GUIDELINES_URL

    book = Workbook()
    sheet = book.active
    sheet.title = "Ratings"
    sheet.append(list(WORKSHEET_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for c, column in enumerate(WORKSHEET_COLUMNS, start=1):
            _text_cell(sheet.cell(row=r, column=c), row.get(column, ""))
            sheet.cell(row=r, column=c).alignment = Alignment(wrap_text=True, vertical="top")
    last = max(WORKSHEET_ROWS, len(rows) + 1)
    rating = DataValidation(type="list", formula1='"' + ",".join(RATINGS) + '"', allow_blank=True,
                            showErrorMessage=True, errorTitle="Rating", error="Choose Red, Amber or Green",
                            showInputMessage=True, promptTitle="Rating", prompt="Red, Amber or Green")
    sheet.add_data_validation(rating)
    rating.add(f"E2:E{last}")
    review = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True,
                            showErrorMessage=True, errorTitle="Review date", error="Enter a date, e.g. 01/04/2025")
    sheet.add_data_validation(review)
    review.add(f"H2:H{last}")
    for letter, width in zip("ABCDEFGHI", (7, 22, 11, 60, 10, 40, 24, 14, 50)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    about = book.create_sheet("How to use")
    for line in (f"Rating worksheet: {area_name}",
                 "Rate each statement Red (not in place), Amber (partly in place, or not everywhere) or Green "
                 "(in place and checked), with the evidence, an owner (a role, not a person's name) and a review "
                 "date.",
                 "Count the ratings; never average them: one red among greens stays one red.",
                 "To show the ratings in the next book, add them to the area's rag table: rating R, A or G (the "
                 "first letter), with round_date, statement_id, stage, level, statement, evidence, owner and "
                 "next_review.",
                 "'What the book shows' repeats the book's own figures for the statements they bear on.",
                 "The statements are the book's own starter set, not the Pre-birth Change Project's tool.",
                 "The Pre-birth Change Project's own tool and resources: " + CHANGE_PROJECT_URL,
                 "Best practice guidelines (Mason et al., 2023): " + GUIDELINES_URL):
        _text_cell(about.cell(row=about.max_row + (1 if about["A1"].value else 0), column=1), line)
    about.column_dimensions["A"].width = 120
    stamp = dt.datetime(2000, 1, 1)
    book.properties.created = book.properties.modified = stamp
    buffer = io.BytesIO()
    book.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The same archive with every member dated 1 January 2000 (so the same rows give the same file)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def worksheet_page(rows: list[dict], params) -> str:
    """The worksheet as a page to print (A4 landscape): each statement with boxes to tick and lines to write on."""
    from .rag_statements import CHANGE_PROJECT_URL, GUIDELINES_CITATION, GUIDELINES_URL

    warning = banner(params)
    body = []
    for row in rows:
        shows = f'<p class="shows">The book: {html.escape(row["What the book shows"])}</p>' \
            if row["What the book shows"] else ""
        body.append(f"<tr><td>{html.escape(row['Id'])}</td><td>{html.escape(row['Stage'])}<br>"
                    f"<small>{html.escape(row['Level'])}</small></td><td>{html.escape(row['Statement'])}{shows}</td>"
                    '<td class="tick">&#9744; Red<br>&#9744; Amber<br>&#9744; Green</td>'
                    "<td></td><td></td><td></td></tr>")
    citation = html.escape(GUIDELINES_CITATION.replace("*", ""))
    banner_html = f'<p class="banner">{html.escape(warning)}</p>' if warning else ""
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>Rating worksheet: {html.escape(params.area_name)}</title>\n<style>\n"
            "body { font-family: 'DejaVu Sans', Arial, sans-serif; margin: 1.5em; color: #1a1a1a; }\n"
            "table { border-collapse: collapse; width: 100%; font-size: 0.85em; }\n"
            "th, td { border: 1px solid #555; padding: 0.35em; vertical-align: top; text-align: left; }\n"
            "th { background: #eee; } tr { break-inside: avoid; page-break-inside: avoid; }\n"
            "thead { display: table-header-group; } td.tick { white-space: nowrap; }\n"
            ".shows { color: #333; font-size: 0.9em; margin: 0.4em 0 0 0; font-style: italic; }\n"
            ".banner { background: #F0E442; font-weight: bold; padding: 0.2em 0.5em; "
            "print-color-adjust: exact; -webkit-print-color-adjust: exact; }\n"
            "@page { size: A4 landscape; margin: 12mm; }\n"
            "@media print { a { color: inherit; } .noprint { display: none; } }\n"
            f"</style>\n</head>\n<body>\n{banner_html}"
            f"<h1>Rating worksheet: {html.escape(params.area_name)}</h1>\n"
            "<p>Rate each statement Red (not in place), Amber (partly in place, or not everywhere) or Green (in place "
            "and checked). Write the evidence, an owner (a role) and a date to look at it again. Count the ratings; "
            "never average them.</p>\n"
            '<p class="noprint"><button type="button" onclick="window.print()">Print</button></p>\n'
            "<table>\n<thead><tr><th>Id</th><th>Stage</th><th>Statement</th><th>Rating</th>"
            '<th style="width:22%">Evidence</th><th style="width:11%">Owner</th><th style="width:9%">Review date'
            "</th></tr></thead>\n<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>\n"
            "<p>The statements are this book's own starter set, not the Pre-birth Change Project's tool. The "
            f'project\'s own <a href="{html.escape(CHANGE_PROJECT_URL)}">tool and resources</a>; the '
            f'<a href="{html.escape(GUIDELINES_URL)}">best practice guidelines</a>: {citation}</p>\n'
            "</body>\n</html>\n")


def write_workshop_deck(area_file, output_root: Path | None = None, to: Path | None = None) -> Path:
    """Write the workshop deck of an area's last build (``prebirth slides --workshop``); returns the file.
    Only a new file or an earlier deck is written over (as for a chapter's deck)."""
    from .config import load_parameters
    from .publish import default_output
    from .slides import SlidesError, check_target

    if to is not None:
        check_target(to, "workshop")
    params = load_parameters(Path(area_file))
    folder = (output_root or default_output()) / params.slug
    bundles = load_bundles(folder / ".work" / "bundles")
    if not bundles:
        raise SlidesError(f"no built book for {params.area_name} in {folder}. Build it first: prebirth build "
                          f"{area_file}" + (f" --output {output_root}" if output_root else "") + ".")
    target = to or folder / "slides" / "workshop.html"
    check_target(target, "workshop")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(workshop_deck(bundles, params, links=False), encoding="utf-8")
    return target


# -- written by the build ------------------------------------------------------------------------

def load_bundles(bundles_dir: Path) -> dict[int, tuple]:
    """Each chapter's (result, decision) as the last build saved them, by chapter number."""
    out = {}
    for nb in NOTEBOOKS:
        path = bundles_dir / f"{nb.stem}.pkl"
        if path.is_file():
            with open(path, "rb") as handle:
                out[nb.number] = pickle.load(handle)
    return out


def _write_if_changed(path: Path, data: bytes) -> None:
    if not path.exists() or path.read_bytes() != data:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)


def write_kit(params, work: Path, src: Path, package: str = "") -> list[Path]:
    """Write the workshop kit into the book's source (``extra/workshop/``), from the saved bundles.
    Kept as it is while the bundles, the package and the kit's own assets are unchanged."""
    bundles_dir = work / "bundles"
    files = sorted(bundles_dir.glob("*.pkl"))
    folder = src / "extra" / "workshop"
    names = ("workshop.html", "rag-worksheet.xlsx", "rag-worksheet.html")
    targets = [folder / n for n in names]
    digest = hashlib.sha256(package.encode())
    for path in files + sorted(ASSETS.glob("*")):
        digest.update(path.name.encode() + path.read_bytes())
    key_file = work / "workshop.key"
    if key_file.exists() and key_file.read_text() == digest.hexdigest() and all(t.exists() for t in targets):
        return targets
    key_file.unlink(missing_ok=True)
    bundles = load_bundles(bundles_dir)
    _write_if_changed(targets[0], workshop_deck(bundles, params).encode())
    rows = worksheet_rows(*bundles[8]) if 8 in bundles else []
    _write_if_changed(targets[1], worksheet_xlsx(rows, params.area_name))
    _write_if_changed(targets[2], worksheet_page(rows, params).encode())
    key_file.write_text(digest.hexdigest())
    return targets


__all__ = ["write_workshop_deck", "plan_workshop", "workshop_parts", "workshop_deck", "chapter_part", "worksheet_rows", "worksheet_xlsx",
           "worksheet_page", "write_kit", "fits_whole", "WORKSHOP_CHARTS", "Slide", "ChapterPart"]
