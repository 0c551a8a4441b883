"""The shared safety nets every chapter publishes through (DESIGN 9), on hand-made values.

- text: counts of people from 1 to min_count - 1 inside sentences, identifiers and full dates;
- tables: a child-level column (an id or a date of birth) is refused in a published book;
- the data a published chapter sees: warnings and file labels that name nobody;
- the one disclosure step refuses a published table or chart with a child-level column.
"""

from __future__ import annotations

import pandas as pd
import pytest

from prebirth import disclosure
from prebirth.data.load import AreaData, SourceFile
from prebirth.data.problems import Problem
from tests.unit.chapters.conftest import make_chapter


@pytest.mark.parametrize("text, expected", [
    ("CIN census 2020/21 (LA 931): 2 children", "CIN census 2020/21 (LA 931): c children"),
    ("SSDA903 2019/20 episodes: 3 episodes of 5 children", "SSDA903 2019/20 episodes: c episodes of c children"),
    ("proceedings table (1 rows)", "proceedings table (c rows)"),
    ("children table (1,204 rows)", "children table (1,204 rows)"),  # 1,204 is not small
    ("fewer than 6 children", "fewer than 6 children"),  # 6 is min_count itself: shown
    ("0 babies", "0 babies"),  # zero identifies nobody
    ("Annex A list 3 is not in the workbook", "Annex A list 3 is not in the workbook"),  # not a count of people
    ("4 pre-birth babies", "c pre-birth babies"),  # one word may stand between the count and the noun
    ("3 more rows with the same problem (x)", "3 more rows with the same problem (x)"),  # withheld by its reader
    ("schema year 2030 is newer", "schema year 2030 is newer"),
])
def test_small_counts_in_text(text, expected):
    assert disclosure.withhold_small_counts_in_text(text, 6) == expected


def test_small_counts_follow_min_count():
    assert disclosure.withhold_small_counts_in_text("9 mothers", 10) == "c mothers"
    assert disclosure.withhold_small_counts_in_text("9 mothers", 6) == "9 mothers"


def test_identifiers_and_full_dates_withheld_in_text():
    text = "child C000373 has date_of_birth '2011-09-29' here but '29/09/2011' in CIN_2021.xml; C000373:R:2020-06-01:1"
    assert disclosure.withhold_identifiers_in_text(text, {"C000373"}) == (
        "child (id withheld) has date_of_birth '(date withheld)' here but '(date withheld)' in CIN_2021.xml; "
        "(id withheld):R:(date withheld):1")
    # Only whole words: an id inside a longer word (or a file name) is not one.
    assert disclosure.withhold_identifiers_in_text("XC000373 and C0003731", {"C000373"}) == "XC000373 and C0003731"


@pytest.mark.parametrize("columns", [["child_id", "n"], ["Date of birth"], ["mother_id"], ["expected_date_of_birth"],
                                     ["Child ID", "Year"]])
def test_child_level_columns_refused(columns):
    with pytest.raises(disclosure.DisclosureError, match="child-level"):
        disclosure.check_publishable(pd.DataFrame(columns=columns), "a table")


def test_summary_columns_pass():
    disclosure.check_publishable(pd.DataFrame(columns=["Year", "Children in proceedings", "Median age (days)"]))


def _area_with(problems, sources=()):
    children = pd.DataFrame({"child_id": ["C000373", "C000374"], "mother_id": ["P000009", None],
                             "_file": "children.csv", "_row": [2, 3]})
    return AreaData({"children": children}, list(problems), list(sources))


def test_publication_view_names_nobody():
    conflict = Problem("warning", "children.csv", 374, "ethnicity", "WBRI",
                       "child C000373 has ethnicity 'WBRI' here but 'WIRI' in CIN_2021.xml: the latest return's value was used",
                       "correct the record")
    dob = Problem("warning", "CIN_2021.xml", "Message/Children/Child[1]", "date_of_birth", "2011-09-29",
                  "mother P000009 of child C000374 born 2011-09-29", "")
    source = SourceFile("CIN_2021.xml", "CIN census XML", "CIN census 2020/21 (LA 931): 2 children", 2, "0" * 64,
                        ["children"], ["the CIN census has no mother or father links"])
    data = _area_with([conflict, dob], [source])
    public = data.for_publication(6)
    first, second = public.problems
    assert first.message == ("child (id withheld) has ethnicity 'WBRI' here but 'WIRI' in CIN_2021.xml: "
                             "the latest return's value was used")
    assert (first.row, first.value, first.file, first.column) == (None, None, "children.csv", "ethnicity")
    assert second.message == "mother (id withheld) of child (id withheld) born (date withheld)"
    assert public.sources[0].label == "CIN census 2020/21 (LA 931): c children"
    assert public.tables is data.tables  # the same tables: nothing copied, nothing dropped
    # The analyst's own view is untouched (prebirth validate shows ids and rows).
    assert data.problems[0].row == 374 and "C000373" in data.problems[0].message
    assert data.sources[0].label.endswith(": 2 children")


def test_published_chapter_sees_the_publication_view():
    tables = {"children": [{"child_id": "C000373", "date_of_birth": "2020-01-02"}]}
    published = make_chapter(tables)
    internal = make_chapter(tables, audience="internal")
    problem = Problem("warning", "children.csv", 2, "sex", None, "child C000373 has sex 'F' here but 'M'", "")
    for chapter in (published, internal):
        chapter.prepared.data.problems.append(problem)
    assert "C000373" not in published.data.warnings[0].message
    assert "C000373" in internal.data.warnings[0].message  # internal builds show everything


def test_extract_date_ignores_expected_dates_of_birth():
    children = pd.DataFrame({"child_id": ["A1", "A2"],
                             "date_of_birth": pd.to_datetime(["2021-01-05", None]),
                             "expected_date_of_birth": pd.to_datetime([None, "2022-09-01"]),
                             "_file": "children.csv", "_row": [2, 3]})
    assert AreaData({"children": children}, [], []).extract_date == pd.Timestamp("2021-01-05")


def test_a_published_book_refuses_a_table_or_chart_with_a_child_level_column():
    from prebirth.results import ChapterResult, Chart, Count, ResultTable, frame_of

    rows = frame_of([{"child_id": "C1", "Days": Count("waits|C1", 3)}])
    for item in (ResultTable(rows, "Waiting times"), Chart(lambda data: None, rows, "Waiting", "alt")):
        result = ChapterResult(4, "waiting_times")
        result.add("waits", item)
        with pytest.raises(disclosure.DisclosureError, match="child_id"):
            disclosure.decide([result], True, 6)
        assert disclosure.decide([result], False, 6).withheld == frozenset()  # an internal book shows all
    fine = ChapterResult(4, "waiting_times")
    fine.add("years", ResultTable(frame_of([{"Year": "2020/21", "Children": Count("k", 12)}]), "Fine"))
    assert disclosure.decide([fine], True, 6).audit["passed"]


@pytest.mark.parametrize("identifier, text, expected", [
    ("KID/0001", "child KID/0001 has no mother_id", "child (id withheld) has no mother_id"),
    ("KID/0001", "'KID/0001' and KID/0001:R", "'(id withheld)' and (id withheld):R"),
    ("A 12", "the child A 12 was referred", "the child (id withheld) was referred"),
    ("#7", "record #7 repeats", "record (id withheld) repeats"),
    ("KID/0001", "XKID/0001 is another word", "XKID/0001 is another word"),
])
def test_identifiers_withheld_however_written(identifier, text, expected):
    assert disclosure.withhold_identifiers_in_text(text, {identifier}) == expected


def test_the_longest_identifier_is_withheld_first():
    assert disclosure.withhold_identifiers_in_text("KID/0001/2 and KID/0001", {"KID/0001", "KID/0001/2"}) == (
        "(id withheld) and (id withheld)")


def test_published_warnings_withhold_ids_with_slashes(tmp_path):
    """Chapter 0 publishes the data-quality warnings: an id written with '/' is withheld there too."""
    from prebirth.data.load import load_area_data
    from tests.conftest import TINY, write_area

    files = {name: text.replace("K1", "KID/0001") for name, text in TINY.items()}
    files["transfers.csv"] = ("child_id,transfer_date,from_team,to_team\nKID/0001,2020-03-01,North,Court\n"
                              "KID/0001,2020-03-01,North,Court\n")
    files["proceedings.csv"] = files["proceedings.csv"].replace("P4,K4,2020-06-01,2020-06-20", "P4,K4,2020-06-01,2020-05-20")
    yml = write_area(tmp_path, files)
    data = load_area_data(yml.parent / "data")
    assert any("KID/0001" in (p.message + p.fix + str(p.value)) or p.column == "first_hearing_date"
               for p in data.warnings)
    published = data.for_publication(6)
    for problem in published.problems:
        assert "KID/0001" not in problem.message + problem.fix
    # A warning whose message names the child (the stacking of returns does) loses the id, keeps the rest.
    from dataclasses import replace
    data.problems.append(replace(data.problems[0], message="child KID/0001 has sex 'F' here but 'M' in CIN_2021.xml"))
    data.__dict__.pop("_published", None)
    assert data.for_publication(6).problems[-1].message == "child (id withheld) has sex 'F' here but 'M' in CIN_2021.xml"


def test_cleaning_warnings_for_publication_is_not_reading_the_tables():
    """A published chapter cleans the data's warnings of ids by looking through every table; that
    look must not count as reading them, or one changed table would compute every chapter again."""
    from prebirth.data.load import RecordedTables
    conflict = Problem("warning", "children.csv", 374, "ethnicity", "WBRI", "child C000373 has ethnicity 'WBRI'", "")
    data = _area_with([conflict], [])
    data.tables = RecordedTables(data.tables)
    public = data.for_publication(6)
    assert "C000373" not in public.problems[0].message  # the ids were looked for, and found
    assert data.tables.read == set()
    public.tables["children"]  # a chapter's own reading is still recorded
    assert data.tables.read == {"children"}


def test_the_extract_date_reads_every_table():
    """Unlike the look for ids, the extract date rests on every table's dates: a chapter that censors at it
    must be computed again when any table changes, so the look is recorded."""
    from prebirth.data.load import RecordedTables
    data = _area_with([], [])
    data.tables = RecordedTables(data.tables)
    data.extract_date
    assert data.tables.read == {"children"}
