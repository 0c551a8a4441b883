"""The workshop kit: ratings counted and checked against the book's figures, the worksheet (.xlsx and print
page), the curated baseline, and the deck across chapters, on hand-made ratings and results."""

import io
import re

import pytest
from typer.testing import CliRunner

from prebirth import charts, disclosure, present, workshop
from prebirth.chapters import reflect
from prebirth.cli import app
from prebirth.rag_statements import RATING_CHECKS, STARTER_STATEMENTS, check_note
from prebirth.results import ChapterResult, Chart, Count, ResultTable, Share, frame_of, key
from tests.unit.chapters.conftest import make_chapter

CHILDREN = [{"child_id": "K1", "date_of_birth": "2020-05-01"}]
STAGE = {s.statement_id: (s.stage, s.level) for s in STARTER_STATEMENTS}


def rag(ratings: dict[str, str], date="2023-10-01") -> list[dict]:
    """Rows of the rag table rating starter statements by id (blank: not rated)."""
    return [{"round_date": date, "statement_id": sid, "stage": STAGE[sid][0], "level": STAGE[sid][1],
             "statement": f"Statement {sid}.", "rating": rating or None, "evidence": "", "owner": "Head of Service",
             "next_review": "2024-04-01"} for sid, rating in ratings.items()]


def chapter(ratings=None):
    tables = {"children": CHILDREN}
    if ratings is not None:
        tables["rag"] = rag(ratings)
    return make_chapter(tables, number=8, key="reflect_and_plan")


def fathers(invited: int, of: int = 100, authorised: int | None = None) -> dict[int, ChapterResult]:
    """Chapter 7 (and 4) as published: fathers invited for ``invited`` of ``of`` babies."""
    seven = ChapterResult(7, "fathers")
    babies = Count(key("assessments", "babies", "all"), of)
    seven.indicator("fathers_invited_share", "all", Share.of(Count(key("fathers", "invited", "all"), invited), babies))
    out = {7: seven}
    if authorised is not None:
        four = ChapterResult(4, "waiting_times")
        four.indicator("prebirth_assessments_authorised_before_due_share", "all",
                       Share.of(Count(key("assessments", "authorised", "all"), authorised),
                                Count(key("assessments", "all"), 100)))
        out[4] = four
    return out


def published(ch, results):
    """Chapter 8's result and the decision a published book makes over every result together."""
    r = reflect.compute(ch.prepared, results)
    decision = disclosure.decide([*results.values(), r], True, 6)
    return r, decision.restricted_to(r)


# -- ratings counted, never averaged ---------------------------------------------------------------

def test_ratings_are_counted_never_averaged():
    # one Red and two Greens (an average would call it Amber), one left blank; 18 starter statements in all
    ch = chapter({"S01": "R", "S02": "G", "S03": "G", "S04": ""})
    assert reflect.rating_counts(ch) == {"Red": 1, "Amber": 0, "Green": 2, "Not rated": 15}
    said = present.show_notice(reflect.rag_counts(ch), disclosure.Decision()).markdown
    assert "of 18 statements: 1 Red, 0 Amber and 2 Green, and 15 not rated" in said
    assert reflect.rag_counts(chapter()) is None  # no ratings yet: nothing to count


# -- ratings checked against the book's own figures ------------------------------------------------

def test_the_statement_to_figure_mapping_is_defined_once_over_published_ids():
    starter = {s.statement_id for s in STARTER_STATEMENTS}
    assert {c.statement_id for c in RATING_CHECKS} <= starter
    assert all(c.indicator in reflect.INDICATOR_LABELS for c in RATING_CHECKS)
    assert len({(c.statement_id, c.indicator, c.group) for c in RATING_CHECKS}) == len(RATING_CHECKS)


def by_id(statement_id, indicator):
    return next(c for c in RATING_CHECKS if c.statement_id == statement_id and c.indicator == indicator)


@pytest.mark.parametrize("rating, value, expected", [
    ("G", 0.41, "green"), ("G", 0.74, "green"), ("G", 0.75, ""), ("A", 0.41, ""), ("R", 0.41, ""),
    ("R", 0.90, "red"), ("", 0.41, ""), ("G", float("nan"), "")])
def test_check_note_on_inviting_fathers(rating, value, expected):
    assert check_note(rating, value, by_id("S05", "fathers_invited_share")) == expected


@pytest.mark.parametrize("rating, value, expected", [("G", 0.16, "green"), ("G", 0.10, ""), ("R", 0.02, "red"),
                                                      ("R", 0.16, "")])
def test_check_note_where_lower_is_better(rating, value, expected):
    # same-day first hearings: a Green is questioned above 1 in 10, a Red at 2% or under
    assert check_note(rating, value, by_id("S08", "hearing_same_day_share")) == expected


def checks_in_words(ratings, results):
    r, decision = published(chapter(ratings), results)
    return present.table_parts(r.items["rag_checks"], decision)["frame"], r, decision


def test_a_green_on_inviting_fathers_while_41_percent_were_invited_gets_a_note():
    frame, _, _ = checks_in_words({"S05": "G", "S04": "R"}, fathers(41, authorised=92))
    fathers_row = frame[frame["Id"] == "S05"].iloc[0]
    assert fathers_row["Rating"] == "Green"
    assert fathers_row["What the book shows"] == ("Fathers were invited to meetings for 41% of babies with a pre-birth "
                                                  "assessment (chapter 7).")
    assert fathers_row["Check"].startswith("Worth a second look: rated Green, while fathers were invited to meetings "
                                           "for 41% of babies")
    assert fathers_row["Second look?"] == "Yes"
    due = frame[frame["Id"] == "S04"].iloc[0]  # rated Red while 92 of 100 were authorised before the due date
    assert due["Check"].startswith("Rated Red, while 92% of pre-birth assessments") and due["Second look?"] == "Yes"


def test_a_rating_the_figure_agrees_with_gets_no_note():
    frame, _, _ = checks_in_words({"S05": "A"}, fathers(41))
    row = frame[frame["Id"] == "S05"].iloc[0]
    assert row["Check"] == "The figure does not contradict the rating." and row["Second look?"] == "No"


def test_a_withheld_figure_checks_nothing_and_never_shows():
    frame, _, _ = checks_in_words({"S05": "G"}, fathers(3))  # 3 of 100: withheld in a published book
    row = frame[frame["Id"] == "S05"].iloc[0]
    assert row["What the book shows"] == reflect.CHECK_WITHHELD and row["Check"] == reflect.CHECK_WITHHELD
    assert row["Second look?"] == "not known"
    assert not any("3%" in str(v) for v in frame.to_numpy().ravel())


def test_no_figure_in_the_book_no_check():
    r, _ = published(chapter({"S05": "G"}), {4: ChapterResult(4, "waiting_times")})
    assert "no rating is checked" in r.items["rag_checks"].body


# -- the worksheet -----------------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://example.org","click")', "+1+1", "-2", "@SUM(A1)"]


def worksheet_rows():
    rows = [{"Id": f"X{i}", "Stage": "Pre-birth", "Level": "Practice", "Statement": text, "Rating": "",
             "Evidence": "", "Owner": "", "Review date": "", "What the book shows": ""}
            for i, text in enumerate(FORMULAS)]
    rows.append({**rows[0], "Id": "X9", "Statement": "<script>alert(1)</script> & more"})
    return rows


def test_the_worksheet_has_drop_downs_and_keeps_formula_like_text_as_text():
    from openpyxl import load_workbook

    data = workshop.worksheet_xlsx(worksheet_rows(), "Testshire")
    book = load_workbook(io.BytesIO(data))
    sheet = book["Ratings"]
    assert [c.value for c in sheet[1]] == list(workshop.WORKSHEET_COLUMNS)
    for row, text in enumerate(FORMULAS, start=2):
        cell = sheet.cell(row=row, column=4)
        assert cell.value == text and cell.data_type == "s", (text, cell.data_type)
    validations = sheet.data_validations.dataValidation
    listed = [v for v in validations if v.type == "list"]
    assert len(listed) == 1 and listed[0].formula1 == '"Red,Amber,Green"'
    assert "E2" in listed[0].sqref and "E200" in listed[0].sqref and "D2" not in listed[0].sqref
    dates = [v for v in validations if v.type == "date"]
    assert len(dates) == 1 and "H2" in dates[0].sqref
    assert "How to use" in book.sheetnames
    assert data == workshop.worksheet_xlsx(worksheet_rows(), "Testshire")  # the same rows, the same file


def test_the_print_page_escapes_the_statements_and_links_the_project_tool():
    class Params:
        area_name, published, synthetic = "Testshire", True, False

    page = workshop.worksheet_page(worksheet_rows(), Params())
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page
    assert page.count("&#9744; Red") == len(worksheet_rows())
    assert "Mason, C., Broadhurst, K., Ward, H., Barnett, A. and Holmes, L. (2023)" in page
    assert 'href="https://www.researchinpractice.org.uk/' in page


def test_the_built_worksheet_lists_every_statement_with_the_books_figure():
    r, decision = published(chapter({"S05": "G"}), fathers(41))
    rows = workshop.worksheet_rows(r, decision)
    assert [row["Id"] for row in rows] == [s.statement_id for s in STARTER_STATEMENTS]
    s05 = next(row for row in rows if row["Id"] == "S05")
    assert "41% of babies" in s05["What the book shows"] and s05["Rating"] == ""


# -- the baseline -------------------------------------------------------------------------------------

def test_the_curated_baseline_is_a_few_plain_measures_not_model_outputs_or_codes():
    measures = reflect.BASELINE_MEASURES
    assert 8 <= len(measures) <= 12
    assert len({m.name for m in measures}) == len(measures)
    for m in measures:
        assert m.indicator in reflect.INDICATOR_LABELS
        assert not re.search(r"ratio|hazard|correlation|odds|level_change|slope_change|variation", m.indicator)
        assert m.group not in ("ico", "s20", "police_or_epo") and m.definition and m.owner


def test_baseline_values_are_cells_withheld_by_the_books_decision():
    results = fathers(41)
    results[7].indicator("fathers_in_plan_share", "all", Share.of(Count(key("fathers", "plan", "all"), 2),
                                                                  Count(key("assessments", "babies", "all"), 100)))
    r, decision = published(chapter(), results)
    item = r.items["baseline_core"]
    shown = present.table_parts(item, decision)["frame"]
    assert list(shown["Measure"]) == ["Fathers invited", "Fathers in the plan"]
    # 41 of 100: Wilson 31.9% to 50.8%
    assert (shown.loc[0, "Whole period"], shown.loc[0, "Whole period: 95% interval"]) == ("41%", "32% to 51%")
    assert shown.loc[1, "Whole period"] == "c" and shown.loc[1, "Whole period: 95% interval"] == "c"  # 2 of 100
    assert set(shown["Review by"]) == {"March 2023"}  # a year after the data end (31 March 2022)
    download = present.table_frame(item.download_frame, decision)
    assert list(download["Indicator id"]) == ["fathers_invited_share", "fathers_in_plan_share"]
    assert item.download == "baseline-measures"


# -- the deck across chapters -------------------------------------------------------------------------

def draw(data):
    fig, ax = charts.new(4, 3)
    ax.plot([1, 2], [3, 4])
    return fig


def bundle():
    one = ChapterResult(1, "infants_and_newborns", "Infants and newborns")
    rate = Count(key("proceedings", "newborns", "all"), 120)
    one.finding("Newborns: {n} in proceedings.", "newborn_rate_per_10k_births", main=True, n=rate)
    one.finding("Babies under one were a quarter of children.", "infants_share", main=True)
    one.finding("A finding that is not a main point.", "newborn_rate_trend_ratio")
    one.add("rate_chart", Chart(draw, frame_of([{"Year": "2019/20", "N": rate}]), "Newborns by year",
                                "Line chart of newborns by year."))
    one.add("other_chart", Chart(draw, frame_of([{"Year": "2019/20", "N": rate}]), "Not for the room", "alt"))
    one.prompts = ["What surprised you?", "What would you change first?"]
    two = ChapterResult(2, "recurrent_proceedings", "Recurrent proceedings")
    two.finding("Half of newborns had a mother with earlier proceedings.")  # no main point: findings instead
    two.finding("Two in five were referred within two years.")
    decision = disclosure.Decision()
    return {1: (one, decision), 2: (two, decision)}


def test_the_deck_has_each_chapters_main_points_one_chart_a_slide_and_its_prompts():
    slides = workshop.plan_workshop(workshop.workshop_parts(bundle(), {1: "01_infants_and_newborns"}), "Testshire")
    titles = [s.title for s in slides]
    assert titles == ["Workshop: babies in care proceedings in Testshire",
                      "Newborns: 120 in proceedings.",  # the main points: the first titles the slide
                      "Newborns: 120 in proceedings.",  # the chart, titled by its finding
                      "To discuss: infants and newborns",
                      "Half of newborns had a mother with earlier proceedings."]
    points, chart, prompts, two = slides[1:]
    assert "Babies under one were a quarter of children." in points.body and "not a main point" not in points.body
    assert "A finding that is not a main point." in points.notes  # the other findings are in the notes
    assert chart.body.count("<img") == 1 and "Newborns by year" in chart.body
    assert "Line chart of newborns by year." in chart.notes
    assert "What surprised you?" in prompts.body and "What would you change first?" in prompts.body
    assert "Two in five were referred" in two.body
    assert all(s.notes for s in slides)


def test_speaker_notes_are_hidden_on_the_slide_and_shown_in_the_notes_view_and_print():
    class Params:
        area_name, published, synthetic = "Testshire", True, True

    deck = workshop.deck_html(workshop.plan_workshop(workshop.workshop_parts(bundle()), "Testshire"), Params(),
                              "Workshop")
    assert deck.count('<aside class="deck-notes"') == deck.count('<section class="slide')
    assert re.search(r"^\.deck-notes \{ display: none; \}", deck, re.M)
    assert ".notes-view .slide.current .deck-notes { display: block;" in deck
    assert re.search(r"@media print \{[^@]*\.deck-notes \{ display: block !important;", deck)
    assert not re.search(r"https?://", deck) and 'id="deck-notes-toggle"' in deck


def test_a_table_goes_on_a_slide_whole_or_not_at_all():
    decision = disclosure.Decision()
    small = ResultTable(frame_of([{"Rating": "Red", "N": i} for i in range(8)]), "Eight rows")
    big = ResultTable(frame_of([{"Rating": "Red", "N": i} for i in range(9)]), "Nine rows")
    part = workshop.ChapterPart(8, "Reflect and plan", "", points=["A point."])
    part.tables = [{"title": t.caption, **present.table_parts(t, decision)} for t in (small, big)]
    slides = workshop.plan_workshop([part], "Testshire", links=False)
    tables = [s for s in slides if s.kind == "table"]
    assert [s.title for s in tables] == ["Eight rows"]
    assert tables[0].body.count("<tr") == 9  # the header and all eight rows on the one slide
    assert not any("Nine rows" in s.title or "Nine rows" in s.body for s in slides)


def test_the_slides_command_writes_the_workshop_deck(tmp_path):
    from tests.unit.test_slides import built_area

    area = built_area(tmp_path)
    target = tmp_path / "workshop.html"
    done = CliRunner().invoke(app, ["slides", str(area), "--workshop", "--output", str(tmp_path / "_build"),
                                    "--to", str(target)])
    assert done.exit_code == 0, done.output
    text = target.read_text(encoding="utf-8")
    assert "Newborns in care proceedings: 44.4 per 10,000 live births over the period." in text
    both = CliRunner().invoke(app, ["slides", str(area), "--workshop", "--chapter", "1"])
    assert both.exit_code == 2 and "one of the two" in both.output


def test_every_chart_of_the_deck_carries_the_books_marking_and_source():
    import base64

    class Params:
        area_name, published, synthetic = "Testshire", False, True

    deck = workshop.workshop_deck(bundle(), Params())
    images = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', deck)
    assert images
    for image in images:
        svg = base64.b64decode(image).decode()
        assert "NOT FOR PUBLICATION" in svg and "Synthetic data" in svg  # both markings, as the book's charts
        assert "Testshire&#39;s own records" in svg or "Testshire's own records" in svg
