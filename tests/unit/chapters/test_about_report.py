"""Chapter 9 (About this report) on hand-made tables: files, dates, parameters, rules."""

import hashlib
import re
import subprocess
import sys
from importlib.metadata import version

import pytest

from prebirth import disclosure, present
from prebirth.chapters import about_report
from prebirth.results import ChapterResult, Count, Measure, Notice, ResultTable, key
from prebirth.config import Event
from prebirth.data.benchmarks import Benchmarks, empty_tidy
from prebirth.data.load import SourceFile
from tests.unit.chapters.conftest import make_chapter

INTERNAL = disclosure.Decision()


def words(table, decision=INTERNAL):
    """A result table as its page shows it (every cell in words)."""
    return present.table_parts(table, decision)["frame"]


def published(ch, upstream=None):
    """Chapter 9's result and the decision a published book makes over it (and the results it collects)."""
    r = about_report.compute(ch.prepared, upstream or {})
    return r, disclosure.decide([*(upstream or {}).values(), r], True, 6).restricted_to(r)

TABLES = {
    "children": [{"child_id": "K1", "date_of_birth": "2020-05-01", "expected_date_of_birth": "2020-05-03"},
                 {"child_id": "K2", "date_of_birth": "2019-11-20"},
                 {"child_id": "K3", "date_of_birth": "2015-03-03"},
                 {"child_id": "K4", "date_of_birth": "2021-07-10"}],
    "proceedings": [{"proceedings_id": "P1", "child_id": "K1", "issue_date": "2020-05-03",
                     "first_hearing_date": "2020-05-03"},
                    {"proceedings_id": "P2", "child_id": "K2", "issue_date": "2019-12-01",
                     "first_hearing_date": "2021-07-22"},
                    {"proceedings_id": "P3", "child_id": "K3", "issue_date": "2018-02-14"},
                    {"proceedings_id": "P4", "child_id": "K4", "issue_date": "2021-07-20"}],
    "births": [{"year": 2019, "live_births": 3000}, {"year": 2021, "live_births": 2900}],
    "involvement": [{"child_id": "K1", "parent_id": "M1", "assessed": "Y"}],
    "parents": [{"parent_id": "M1", "role": "mother", "date_of_birth": "2001-02-02"}],
}


def source(name, table, rows):
    return SourceFile(name, "canonical CSV", f"{table} table ({rows} rows)", rows, "ab" * 32, [table])


@pytest.fixture
def ch(tmp_path):
    chapter = make_chapter(TABLES, number=9, key="about_this_report", tmp_path=tmp_path / "secret" / "area",
                           events=[Event(date="2019-04-01", label="New team")], synthetic=True)
    chapter.data.sources.extend([source("children.csv", "children", 4), source("proceedings.csv", "proceedings", 4),
                                 source("births.csv", "births", 2), source("involvement.csv", "involvement", 1),
                                 source("parents.csv", "parents", 1)])
    return chapter


def test_date_ranges_to_the_month_from_every_event_date_and_never_a_date_of_birth(ch):
    frame = words(about_report.inputs_table(ch)).set_index("File")
    # proceedings: issue and hearing dates from 14 Feb 2018 to 22 Jul 2021
    assert frame.loc["proceedings.csv", "Dates covered"] == "Feb 2018 to Jul 2021"
    assert frame.loc["births.csv", "Dates covered"] == "2019 to 2021 (calendar years)"
    assert frame.loc["children.csv", "Dates covered"] == "only dates of birth (not shown)"
    assert frame.loc["parents.csv", "Dates covered"] == "only dates of birth (not shown)"
    assert frame.loc["involvement.csv", "Dates covered"] == "no dates"
    text = frame.to_csv()
    for dob in ("2020-05-01", "May 2020", "Nov 2019", "Mar 2015", "Feb 2001", "2001"):
        assert dob not in text, dob


def test_record_counts_below_the_threshold_are_withheld_in_a_published_book(ch):
    r, decision = published(ch)
    table = r.items["inputs"]
    frame = words(table, decision).set_index("File")
    assert frame.loc["children.csv", "Records"] == "c"  # 4 < 6
    assert frame.loc["children.csv", "SHA-256 checksum"] == " ".join(["abababababababab"] * 4)
    assert present.table_parts(ResultTable(table.download_frame, "download"), decision)["frame"].set_index("File").loc[
        "children.csv", "SHA-256 checksum"] == "ab" * 32
    assert "4 rows" not in frame.to_csv()  # the reader's label (which counts rows) is not shown
    # chapter 0's count of the table's rows: the same cell wherever the book shows it
    assert table.frame.set_index(table.frame["File"].map(lambda f: f.text)).loc["children.csv", "Records"] == \
        Count(key("records", "children"), 4)


def test_a_table_read_from_two_files_is_their_sum(tmp_path):
    chapter = make_chapter(TABLES, tmp_path=tmp_path)
    children = chapter.data.get("children")
    children["_file"] = ["a.csv", "a.csv", "a.csv", "b.csv"]
    chapter.data.sources.extend([source("a.csv", "children", 3), source("b.csv", "children", 1)])
    r = about_report.compute(chapter.prepared, {})
    records = r.items["inputs"].frame["Records"].tolist()
    assert records == [Count(key("records", "file", "a.csv"), 3), Count(key("records", "file", "b.csv"), 1)]
    assert [(rel.total, rel.parts) for rel in r.relations] == [
        (key("records", "children"), (key("records", "file", "a.csv"), key("records", "file", "b.csv")))]
    decision = disclosure.decide([r], True, 6)
    assert decision.audit["passed"]
    assert words(r.items["inputs"], decision)["Records"].tolist() == ["c", "c"]


def test_record_counts_in_an_internal_book(tmp_path):
    chapter = make_chapter(TABLES, tmp_path=tmp_path, audience="internal")
    chapter.data.sources.append(source("children.csv", "children", 4))
    assert words(about_report.inputs_table(chapter))["Records"].tolist() == ["4"]


def test_parameters_show_paths_by_their_last_part_only(ch, tmp_path):
    frame = words(about_report.parameters_table(ch)).set_index("Parameter")
    assert frame.loc["data", "Value"] == "area/"
    assert str(tmp_path) not in frame.to_csv()
    assert frame.loc["period.start", "Value"] == "2019-04-01"
    assert frame.loc["suppression.min_count", "Value"] == "6"
    assert frame.loc["synthetic", "Value"] == "yes"
    assert frame.loc["events", "Value"] == "2019-04-01: New team"
    assert frame.loc["previous_indicators", "Value"] == "not set"
    assert frame.loc["newborn_days", "What it means"].startswith("a baby is a newborn")


def test_definitions_carry_this_area_s_settings(tmp_path):
    chapter = make_chapter(TABLES, tmp_path=tmp_path, newborn_days=14, urgent_days={"emergency": 2, "short_notice": 5})
    frame = about_report.definitions_table(chapter).frame.set_index("Term")
    assert frame.loc["Newborn", "Definition in this book"] == "A baby aged under 14 days when proceedings were issued."
    notice = frame.loc["Notice", "Definition in this book"]
    assert "under 2 days is an emergency hearing" in notice and "5 days or fewer is short notice" in notice
    assert frame.loc["Report period", "Definition in this book"].startswith("1 April 2019 to 31 March 2022")


def test_suppression_rules_name_the_threshold(tmp_path):
    published = about_report.suppression_rules(make_chapter(TABLES, tmp_path=tmp_path, suppression={"min_count": 10}))
    assert "from 1 to 9" in published.body and "fewer than 10 people" in published.body
    internal = about_report.suppression_rules(make_chapter(TABLES, tmp_path=tmp_path, audience="internal"))
    assert internal.kind == "notyet" and "NOT FOR PUBLICATION" in internal.body


def test_software_versions_and_commit(ch):
    frame = about_report.software_table(ch).frame.set_index("Software")
    assert frame.loc["pandas", "Version"] == version("pandas")
    assert frame.loc["statsmodels", "Version"] == version("statsmodels")
    commit = frame.loc["Pre-birth Data Book code (git commit)", "Version"]
    assert re.fullmatch(r"[0-9a-f]{40}", commit) or commit in ("not a git checkout", "git not available")


def test_build_summary_names_the_area_the_period_and_the_audience(ch):
    text = present.show_notice(about_report.build_summary(ch), INTERNAL).markdown
    assert "Testshire (E99000001)" in text and "1 April 2019 to 31 March 2022" in text
    assert "**published**" in text and "synthetic" in text


def test_benchmark_files_are_listed_with_their_checksums(tmp_path):
    folder = tmp_path / "bench"
    folder.mkdir()
    (folder / "benchmarks.csv").write_text("period,indicator\n2019/20,x\n")
    previous = tmp_path / "old_indicators.csv"
    previous.write_text("indicator,period\n")
    chapter = make_chapter(TABLES, tmp_path=tmp_path, benchmarks=Benchmarks(empty_tidy(), files=["benchmarks.csv"]),
                           previous_indicators=previous)
    # the benchmarks folder parameter shares its name with make_chapter's Benchmarks argument
    chapter.prepared.params = chapter.params.model_copy(update={"benchmarks": folder})
    frame = words(about_report.other_files_table(chapter)).set_index("File")
    shown = frame["SHA-256 checksum"].str.replace(" ", "")
    assert shown["benchmarks.csv"] == hashlib.sha256((folder / "benchmarks.csv").read_bytes()).hexdigest()
    assert shown["old_indicators.csv"] == hashlib.sha256(previous.read_bytes()).hexdigest()
    assert len(frame.loc["benchmarks.csv", "SHA-256 checksum"].split()) == 4  # shown in four groups


def test_checksums_shown_in_groups_and_whole_in_the_download(ch, tmp_path):
    table = about_report.inputs_table(ch)
    present.show_table(table, INTERNAL, 9, tmp_path / "downloads")
    assert table.frame["SHA-256 checksum"].iloc[0] == " ".join(["abababababababab"] * 4)
    download = (tmp_path / "downloads" / "09-inputs.csv").read_text()
    assert "ab" * 32 in download


def test_no_benchmarks_says_so(tmp_path):
    notice = about_report.other_files_table(make_chapter(TABLES, tmp_path=tmp_path))
    assert "no comparison with other areas" in notice.body


def test_chapters_table_counts_what_each_chapter_published(ch):
    one = ChapterResult(1, "infants_and_newborns")
    one.indicator("x", "2019/20", Count(key("test", "x", "2019/20"), 40))
    one.indicator("x", "2020/21", Count(key("test", "x", "2020/21"), 3))  # small: withheld in a published book
    one.indicator("y", "all", Measure(0.5, on=(Count(key("test", "y"), 50),)), unit="number")
    one.finding("Forty in {year}.", n=Count(key("test", "x", "2019/20"), 40), year="2019/20")
    one.finding("Three in 2020/21: {n}.", n=Count(key("test", "x", "2020/21"), 3))  # withheld, nothing else to say
    r, decision = published(ch, {1: one})
    frame = words(r.items["chapters"], decision).set_index("Chapter")
    row = frame.loc["Chapter 1: Infants and newborns in care proceedings"]
    assert (row["Measures recorded"], row["Withheld"], row["Key findings"]) == ("3", "1", "1")
    assert frame.loc["Chapter 2: Recurrent proceedings", "Measures recorded"] == "not built"
    internal = words(r.items["chapters"]).set_index("Chapter").loc["Chapter 1: Infants and newborns in care proceedings"]
    assert (internal["Withheld"], internal["Key findings"]) == ("0", "2")


def test_chapters_table_when_run_on_its_own(ch):
    assert isinstance(about_report.compute(ch.prepared, {}).items["chapters"], Notice)


def test_the_area_s_names_are_shown_as_text(tmp_path):
    chapter = make_chapter(TABLES, tmp_path=tmp_path, area_name="<b>Test</b> [shire](http://x)")
    r, decision = published(chapter)
    said = present.show(r, "build_summary", decision).markdown
    assert "<b>" not in said and "](http" not in said and "&lt;b&gt;Test" in said
    html = present.show(r, "parameters", decision).html
    assert "<b>Test" not in html and "&lt;b&gt;Test&lt;/b&gt; [shire](http://x)" in html


def test_the_chapter_does_not_import_the_build():
    code = "import sys, prebirth.chapters.about_report; print('prebirth.build' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_every_item_is_shown_in_a_published_book(ch):
    r, decision = published(ch)
    for name in r.items:
        assert present.show(r, name, decision) is not None, name
    assert present.glued(r, decision) == {"ch9_files": "5", "ch9_min_count": "6"}


def test_main_points_give_the_period_the_files_the_rule_for_small_numbers_and_the_newborn_definition(ch):
    r, decision = published(ch)
    said = [present.text(f.text, decision) for f in r.findings if f.main]
    assert said == [
        "This book covers 1 April 2019 to 31 March 2022 and was made from 5 data files.",
        "Counts from 1 to 5 are shown as **c**, so that no number can point to a family.",
        "A newborn here is a baby under 7 days old when proceedings are issued: the same as England's published "
        "figures (Broadhurst et al. 2018; Pattinson et al. 2021)."]


def test_main_points_of_an_internal_book_with_the_welsh_newborn_definition(tmp_path):
    chapter = make_chapter(TABLES, number=9, key="about_this_report", tmp_path=tmp_path, audience="internal",
                           newborn_days=14, country="Wales")
    said = [f.text.template for f in about_report.compute(chapter.prepared, {}).findings if f.main]
    assert said[1] == "This is an internal book: small numbers are shown, so it is NOT FOR PUBLICATION."
    assert said[2].startswith("A newborn here is a baby under 14 days old when proceedings are issued: as in the "
                              "Welsh research (Alrouh et al. 2019)")
