"""Slides for facilitators, from a hand-made executed chapter notebook and saved results."""

import json
import re
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from typer.testing import CliRunner

from prebirth import charts, present, slides
from prebirth.cli import app
from prebirth.disclosure import Decision
from prebirth.results import Chart, ResultTable, frame_of, not_yet

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


def output_of(thing) -> nbformat.NotebookNode:
    data = {"text/plain": repr(thing)}
    if hasattr(thing, "_repr_html_"):
        data["text/html"] = thing._repr_html_()
    if hasattr(thing, "_repr_markdown_"):
        data["text/markdown"] = thing._repr_markdown_()
    return nbformat.v4.new_output("execute_result", data=data, execution_count=1)


def glue_output(name, text) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("display_data", data={"application/papermill.record/text/plain": text},
                                  metadata={"scrapbook": {"name": name, "mime_prefix": "application/papermill.record/"}})


def code_cell(*outputs, tags=("remove-input",)):
    cell = nbformat.v4.new_code_cell("chapter.call(ch)")
    cell.metadata["tags"] = list(tags)
    cell.outputs = list(outputs)
    return cell


def executed_notebook(big_table_rows=3) -> nbformat.NotebookNode:
    fig, ax = charts.new(4, 3)
    ax.plot([1, 2, 3], [4, 5, 6])
    shown = Decision()
    figure = present.show_chart(Chart(lambda data: fig, frame_of([{"Year": "2019/20", "Rate": 4.0}]),
                                      "Newborns per 10,000 live births, by year",
                                      "Line chart: the rate rose from 4 to 6.", note="Two points withheld."), shown, 1)
    small = present.show_table(ResultTable(pd.DataFrame({"Year": ["2019/20", "2020/21"], "Children": ["12", "c"]}),
                                           "Children by year"), shown, 1)
    big = present.show_table(ResultTable(pd.DataFrame({"Year": [str(2000 + i) for i in range(big_table_rows)],
                                                       "N": ["1"] * big_table_rows}), "Every year since 2000"), shown, 1)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(MARKDOWN_TITLE),
                code_cell(tags=("parameters", "remove-cell")),
                nbformat.v4.new_markdown_cell(MARKDOWN_WHY),
                code_cell(glue_output("ch1_rate", "44.4"),
                          output_of(present.Markdown("In 2023/24, 101 children were in new care proceedings."))),
                nbformat.v4.new_markdown_cell(MARKDOWN_GLANCE),
                code_cell(output_of(small)),
                code_cell(output_of(big)),
                code_cell(output_of(figure)),
                code_cell(output_of(present.show_notice(not_yet("how long families wait.", ["referral dates"],
                                                                "the referral date."), Decision()))),
                nbformat.v4.new_markdown_cell(MARKDOWN_END),
                code_cell(tags=("remove-cell",))]
    return nb


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


def test_the_chapter_read_from_its_executed_notebook():
    content = slides.read_chapter(executed_notebook(), FINDINGS)
    assert content.title == "Infants and newborns in care proceedings"
    assert "How many babies" in content.question
    assert [s.title for s in content.sections] == ["Why it matters", "What your data shows",
                                                   "Questions to reflect on", "What the data cannot tell you"]
    shows = content.sections[1]
    assert len(shows.figures) == 1 and shows.figures[0]["alt"] == "Line chart: the rate rose from 4 to 6."
    assert shows.figures[0]["src"].startswith("data:image/png;base64,")
    assert [t["caption"] for t in shows.tables] == ["Children by year", "Every year since 2000"]
    assert any("44.4 newborns per 10,000" in block for block in shows.text)  # glued into the prose
    assert "Show the rate chart first." in content.facilitator


def test_slides_in_order_with_a_slide_per_chart_and_small_table():
    planned = slides.plan_slides(slides.read_chapter(executed_notebook(), FINDINGS))
    assert [s.title for s in planned] == [
        "Infants and newborns in care proceedings", "Key findings", "Why it matters", "What your data shows",
        "Newborns per 10,000 live births, by year", "Children by year", "Every year since 2000",
        "Questions to reflect on", "What the data cannot tell you", "For facilitators: discussion prompts"]


def test_a_long_narrow_table_is_split_over_slides_with_its_header():
    planned = slides.plan_slides(slides.read_chapter(executed_notebook(big_table_rows=30), FINDINGS))
    parts = [s for s in planned if s.title.startswith("Every year since 2000")]
    # up to 8 rows a slide, so 30 rows make 4 slides of 8, 8, 8 and 6 rows
    assert [s.title for s in parts] == [f"Every year since 2000 ({i} of 4)" for i in (1, 2, 3, 4)]
    assert [s.body.count("<tr") for s in parts] == [9, 9, 9, 7]  # each with the header row
    assert all(s.body.count("<thead>") == 1 for s in parts)
    assert "2000" in parts[0].body and "2029" in parts[3].body


def test_a_table_too_long_for_three_slides_stays_in_the_book_and_is_named():
    planned = slides.plan_slides(slides.read_chapter(executed_notebook(big_table_rows=33), FINDINGS))  # 5 slides
    titles = [s.title for s in planned]
    assert not any(t.startswith("Every year since 2000") for t in titles)
    words = next(s for s in planned if s.title == "What your data shows").body
    assert "too large for a slide" in words and "Every year since 2000" in words


def test_the_deck_is_one_accessible_offline_document():
    content = slides.read_chapter(executed_notebook(), FINDINGS)
    deck = slides.deck_html(content, Params(), 1)
    assert deck.startswith("<!DOCTYPE html>") and '<html lang="en">' in deck
    parser = Headings()
    parser.feed(deck)
    assert parser.levels.count(1) == 1 and parser.levels[0] == 1 and set(parser.levels) <= {1, 2, 3}
    assert all(s.startswith(("data:", "#")) for s in parser.sources), parser.sources  # nothing fetched
    assert not re.search(r"https?://", deck)
    assert 'alt="Line chart: the rate rose from 4 to 6."' in deck
    assert FINDINGS[0] in deck
    assert deck.count("Synthetic data: every number in this book is made up") == len(slides.plan_slides(content))
    assert "Ask families what it looked like from their side." in deck
    assert "Not yet answerable from your data" in deck  # the not-yet notice is kept


def test_not_for_publication_on_every_slide_of_an_internal_deck():
    class Internal(Params):
        published, synthetic = False, False

    deck = slides.deck_html(slides.read_chapter(executed_notebook(), []), Internal(), 1)
    assert deck.count("NOT FOR PUBLICATION") == deck.count('<section class="slide')
    assert "Key findings" not in deck  # none were saved


def built_area(tmp_path: Path) -> Path:
    """A parameters file and a build folder holding an executed chapter 1 and its results."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "children.csv").write_text("child_id\nK1\n")
    area = tmp_path / "tiny.yml"
    area.write_text("area_code: E99000001\narea_name: Tiny Test Area\ndata: data/\n"
                    "period: {start: 2020-04-01, end: 2022-03-31}\n")
    folder = tmp_path / "_build" / "tiny"
    sources = folder / "html" / "_sources" / "notebooks"
    sources.mkdir(parents=True)
    nbformat.write(executed_notebook(), sources / "01_infants_and_newborns.ipynb")
    results = folder / ".work" / "results"
    results.mkdir(parents=True)
    (results / "infants_and_newborns.json").write_text(json.dumps(
        {"chapter": 1, "key": "infants_and_newborns", "indicators": [],
         "findings": [{"chapter": 1, "finding": FINDINGS[0], "indicator": ""}]}))
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
