"""Slides for facilitators, from a hand-made executed chapter notebook and saved results."""

import pickle
import re
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from typer.testing import CliRunner

from prebirth import charts, slides
from prebirth.cli import app
from prebirth.disclosure import Decision
from prebirth.results import ChapterResult, Chart, Count, Measure, Notice, ResultTable, frame_of, not_yet

MARKDOWN_TITLE = textwrap.dedent("""\
    # Infants and newborns in care proceedings

    :::{admonition} The question
    :class: tip
    How many babies come into care proceedings?
    :::
    """)
MARKDOWN_WHY = textwrap.dedent("""\
    ## Why it matters

    Rates rose from 15 to 35 per 10,000 (Broadhurst et al. 2018). See the {doc}`glossary`.

    ## What your data shows
    """)
MARKDOWN_GLANCE = "**At a glance:** {glue}`ch1_rate` newborns per 10,000 live births."
MARKDOWN_END = textwrap.dedent("""\
    ## Questions to reflect on

    - Is the number rising or falling?
    - What might explain it?

    ## What the data cannot tell you

    Numbers count babies, not what was right for them.

    :::{admonition} For facilitators
    :class: note
    - Show the rate chart first.
    - Ask families what it looked like from their side.
    :::
    """)


def draw_rate(data):
    """A chart's draw function (module level, so a result holding it can be pickled as a build does)."""
    fig, ax = charts.new(4, 3)
    ax.plot([1, 2, 3], [4, 5, 6])
    return fig


def show(name: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(f'r.show("{name}")')
    cell.metadata["tags"] = ["remove-input"]
    return cell


def chapter(big_table_rows=3, findings=True) -> tuple[nbformat.NotebookNode, ChapterResult, Decision]:
    """A chapter as a build leaves it: its notebook's words, its result and the book's decision (3 withheld)."""
    result = ChapterResult(1, "infants_and_newborns")
    result.glue["ch1_rate"] = Measure(44.4, unit="number", digits=1)
    result.add("headline", Notice("In 2023/24, 101 children were in new care proceedings."))
    result.add("small", ResultTable(frame_of([{"Year": "2019/20", "Children": Count("children|2019/20", 12)},
                                              {"Year": "2020/21", "Children": Count("children|2020/21", 3)}]),
                                    "Children by year"))
    result.add("big", ResultTable(frame_of([{"Year": str(2000 + i), "N": Count(f"n|{i}", 10 + i)}
                                            for i in range(big_table_rows)]), "Every year since 2000"))
    result.add("figure", Chart(draw_rate, frame_of([{"Year": "2019/20", "Rate": 4.0}]),
                               "Newborns per 10,000 live births, by year", "Line chart: the rate rose from 4 to 6.",
                               note="Two points withheld."))
    result.add("notyet", not_yet("how long families wait.", ["referral dates"], "the referral date."))
    if findings:
        result.finding("Newborns in care proceedings: {rate} per 10,000 live births over the period.",
                       rate=Measure(44.4, unit="number", digits=1))
    nb = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell('area_file: str = ""')
    parameters.metadata["tags"] = ["parameters", "remove-cell"]
    nb.cells = [nbformat.v4.new_markdown_cell(MARKDOWN_TITLE), parameters,
                nbformat.v4.new_markdown_cell(MARKDOWN_WHY), show("headline"),
                nbformat.v4.new_markdown_cell(MARKDOWN_GLANCE), show("small"), show("big"), show("figure"),
                show("notyet"), nbformat.v4.new_markdown_cell(MARKDOWN_END)]
    return nb, result, Decision(True, 6, frozenset({"children|2020/21"}))


def content_of(*args, **kwargs):
    return slides.read_result_chapter(*chapter(*args, **kwargs))


FINDINGS = ["Newborns in care proceedings: 44.4 per 10,000 live births over the period."]


class Headings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.levels, self.sources = [], []

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.sources.append(value)


class Params:
    area_name, published, synthetic = "Testshire", True, True


def test_blocks_of_a_markdown_cell():
    blocks = slides.split_blocks(MARKDOWN_TITLE + "\nSome words.\n")
    assert blocks == [("h1", "Infants and newborns in care proceedings", ""),
                      ("admonition", "The question", "How many babies come into care proceedings?"),
                      ("text", "", "Some words.")]


def test_roles_become_plain_text_and_glue_its_value():
    text = slides.myst_to_markdown("See {doc}`the glossary <glossary>` and {glue}`ch1_rate`; {glue}`missing`.\n"
                                   "(label)=\n", {"ch1_rate": "44.4"})
    assert text == "See the glossary and 44.4; not available."


def test_the_chapter_read_from_its_result_and_its_notebooks_words():
    content = content_of()
    assert content.title == "Infants and newborns in care proceedings"
    assert "How many babies" in content.question
    assert [s.title for s in content.sections] == ["Why it matters", "What your data shows",
                                                   "Questions to reflect on", "What the data cannot tell you"]
    shows = content.sections[1]
    assert len(shows.figures) == 1 and shows.figures[0]["alt"] == "Line chart: the rate rose from 4 to 6."
    assert shows.figures[0]["src"].startswith("data:image/svg+xml;base64,")
    assert [t["caption"] for t in shows.tables] == ["Children by year", "Every year since 2000"]
    # the count the book's decision withholds (3) is shown as the marker, as on the page
    assert re.search(r"<td[^>]*>c</td>", shows.tables[0]["html"]) and not re.search(r"<td[^>]*>3</td>",
                                                                                   shows.tables[0]["html"])
    assert any("44.4 newborns per 10,000" in block for block in shows.text)  # glued into the prose
    assert "Show the rate chart first." in content.facilitator


def test_slides_in_order_with_a_slide_per_chart_and_small_table():
    planned = slides.plan_slides(content_of())
    assert [s.title for s in planned] == [
        "Infants and newborns in care proceedings", "Key findings", "Why it matters", "What your data shows",
        "Newborns per 10,000 live births, by year", "Children by year", "Every year since 2000",
        "Questions to reflect on", "What the data cannot tell you", "For facilitators: discussion prompts"]


def test_a_long_narrow_table_is_split_over_slides_with_its_header():
    planned = slides.plan_slides(content_of(big_table_rows=30))
    parts = [s for s in planned if s.title.startswith("Every year since 2000")]
    # up to 8 rows a slide, so 30 rows make 4 slides of 8, 8, 8 and 6 rows
    assert [s.title for s in parts] == [f"Every year since 2000 ({i} of 4)" for i in (1, 2, 3, 4)]
    assert [s.body.count("<tr") for s in parts] == [9, 9, 9, 7]  # each with the header row
    assert all(s.body.count("<thead>") == 1 for s in parts)
    assert "2000" in parts[0].body and "2029" in parts[3].body


def test_a_table_too_long_for_three_slides_stays_in_the_book_and_is_named():
    planned = slides.plan_slides(content_of(big_table_rows=33))  # 5 slides
    titles = [s.title for s in planned]
    assert not any(t.startswith("Every year since 2000") for t in titles)
    words = next(s for s in planned if s.title == "What your data shows").body
    assert "too large for a slide" in words and "Every year since 2000" in words


def test_the_deck_is_one_accessible_offline_document():
    content = content_of()
    deck = slides.deck_html(content, Params(), 1)
    assert deck.startswith("<!DOCTYPE html>") and '<html lang="en">' in deck
    parser = Headings()
    parser.feed(deck)
    assert parser.levels.count(1) == 1 and parser.levels[0] == 1 and set(parser.levels) <= {1, 2, 3}
    assert all(s.startswith(("data:", "#")) for s in parser.sources), parser.sources  # nothing fetched
    assert not re.search(r"https?://", deck)
    assert 'alt="Line chart: the rate rose from 4 to 6."' in deck
    assert FINDINGS[0] in deck
    assert deck.count("Synthetic data: every local and regional number in this book is made up") == len(slides.plan_slides(content))
    assert "Ask families what it looked like from their side." in deck
    assert "Not yet answerable from your data" in deck  # the not-yet notice is kept


def test_not_for_publication_on_every_slide_of_an_internal_deck():
    class Internal(Params):
        published, synthetic = False, False

    deck = slides.deck_html(content_of(findings=False), Internal(), 1)
    assert deck.count("NOT FOR PUBLICATION") == deck.count('<section class="slide')
    assert "Key findings" not in deck  # none were saved


def built_area(tmp_path: Path) -> Path:
    """A parameters file and a build folder holding chapter 1 as a build leaves it: the notebook it ran
    and the chapter's result with the book's decision (its bundle)."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "children.csv").write_text("child_id\nK1\n")
    area = tmp_path / "tiny.yml"
    area.write_text("area_code: E99000001\narea_name: Tiny Test Area\ndata: data/\n"
                    "period: {start: 2020-04-01, end: 2022-03-31}\n")
    folder = tmp_path / "_build" / "tiny"
    (folder / ".src" / "notebooks").mkdir(parents=True)
    (folder / ".work" / "bundles").mkdir(parents=True)
    notebook, result, decision = chapter()
    nbformat.write(notebook, folder / ".src" / "notebooks" / "01_infants_and_newborns.ipynb")
    (folder / ".work" / "bundles" / "01_infants_and_newborns.pkl").write_bytes(pickle.dumps((result, decision)))
    return area


def test_write_a_deck_from_a_built_book(tmp_path):
    area = built_area(tmp_path)
    path = slides.write_chapter_deck(area, 1, output_root=tmp_path / "_build")
    assert path == tmp_path / "_build" / "tiny" / "slides" / "01_infants_and_newborns.html"
    text = path.read_text(encoding="utf-8")
    assert FINDINGS[0] in text and "Tiny Test Area" in text


def test_no_build_yet_says_how_to_build(tmp_path):
    area = built_area(tmp_path)
    with pytest.raises(slides.SlidesError, match=r"Build it first: prebirth build .*tiny.yml --output"):
        slides.write_chapter_deck(area, 2, output_root=tmp_path / "_build")


def test_an_unknown_chapter_lists_the_chapters(tmp_path):
    with pytest.raises(slides.SlidesError, match="there is no chapter 12; the chapters are numbered 0, 1, 2"):
        slides.write_chapter_deck(built_area(tmp_path), 12, output_root=tmp_path / "_build")


def test_the_slides_command(tmp_path):
    area = built_area(tmp_path)
    runner = CliRunner()
    target = tmp_path / "deck.html"
    done = runner.invoke(app, ["slides", str(area), "--chapter", "1", "--output", str(tmp_path / "_build"),
                               "--to", str(target)])
    assert done.exit_code == 0, done.output
    assert "Slides written" in done.output and target.is_file()
    missing = runner.invoke(app, ["slides", str(area), "--chapter", "3", "--output", str(tmp_path / "_build")])
    assert missing.exit_code == 2 and "prebirth build" in missing.output
    bad = runner.invoke(app, ["slides", str(tmp_path / "nope.yml"), "--chapter", "1"])
    assert bad.exit_code == 2 and "parameters file not found" in bad.output


def test_a_computed_chapter_is_read_from_its_result_and_the_books_decision():
    import nbformat

    from prebirth import disclosure
    from prebirth.results import ChapterResult, Count, Notice, Plain, ResultTable, Text, frame_of

    result = ChapterResult(5, "urgent_hearings")
    few, many = Count("hearing|few", 3), Count("hearing|many", 40)
    result.add("headline", Notice([Text("{n} babies in {area}.", {"n": many, "area": Plain("<b>North</b>")})]))
    result.add("table", ResultTable(frame_of([{"Year": "2019/20", "Babies": few}, {"Year": "2020/21", "Babies": many}]),
                                    "Babies by year"))
    result.finding("{n} babies were heard the same day.", n=few)  # withheld: the finding is left out
    result.finding("{n} babies in all.", n=many)
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Urgent hearings\n\n## What your data shows"),
        nbformat.v4.new_code_cell('r.show("headline")'), nbformat.v4.new_code_cell('r.show("table")')])
    decision = disclosure.Decision(True, 6, frozenset({"hearing|few"}))
    content = slides.read_result_chapter(notebook, result, decision)
    (section,) = content.sections
    assert "40 babies in &lt;b&gt;North&lt;/b&gt;." in section.text[0]
    (table,) = section.tables
    assert re.search(r"<td[^>]*>c</td>", table["html"]) and not re.search(r"<td[^>]*>3</td>", table["html"])
    assert table["rows"] == 2
    assert content.findings == ["<p>40 babies in all.</p>\n"]


def test_slides_never_overwrite_an_input_file(tmp_path):
    area = built_area(tmp_path)
    children = tmp_path / "data" / "children.csv"
    before = children.read_bytes()
    for target in (children, tmp_path / "data" / "children.html"):
        if target.suffix == ".html":
            target.write_text("<p>the analyst's own page</p>")
        done = CliRunner().invoke(app, ["slides", str(area), "--chapter", "1", "--output", str(tmp_path / "_build"),
                                        "--to", str(target)])
        assert done.exit_code == 2, done.output
        assert "Traceback" not in done.output, done.output
        assert "nothing was written" in done.output or "so it was not overwritten" in done.output, done.output
    assert children.read_bytes() == before
    assert (tmp_path / "data" / "children.html").read_text() == "<p>the analyst's own page</p>"


def test_slides_to_a_folder_say_so_plainly(tmp_path):
    area = built_area(tmp_path)
    done = CliRunner().invoke(app, ["slides", str(area), "--chapter", "1", "--output", str(tmp_path / "_build"),
                                    "--to", str(tmp_path / "data")])
    assert done.exit_code == 2, done.output
    assert "is a folder; give the file to write" in done.output and "Traceback" not in done.output
    assert done.exception is None or isinstance(done.exception, SystemExit)


def test_slides_write_over_an_earlier_deck(tmp_path):
    area = built_area(tmp_path)
    target = tmp_path / "deck.html"
    first = slides.write_chapter_deck(area, 1, output_root=tmp_path / "_build", to=target)
    assert slides.is_deck(first)
    first.write_text(first.read_text(encoding="utf-8").replace(slides.GENERATOR, ""), encoding="utf-8")  # an older deck
    assert slides.write_chapter_deck(area, 1, output_root=tmp_path / "_build", to=target) == target
    assert slides.GENERATOR in target.read_text(encoding="utf-8")


def test_a_decks_charts_carry_the_books_marking_when_given_its_context():
    import base64

    from prebirth import present

    class Params:
        area_name, published, synthetic = "Northbrook", False, True

    notebook, result, decision = chapter()
    content = slides.read_result_chapter(notebook, result, decision, present.chart_context(Params()))
    figures = [f for s in content.sections for f in s.figures]
    assert figures
    for figure in figures:
        svg = base64.b64decode(figure["src"].split(",", 1)[1]).decode()
        assert "NOT FOR PUBLICATION" in svg and "Synthetic data" in svg and "Northbrook" in svg
