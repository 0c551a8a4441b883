"""Chapters 8 (Reflect and plan) and 9 (About this report) in the built demo and sparse books,
checked against independent reads of the input files and of what the other chapters saved."""

import csv
import hashlib
import html
import json
import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from importlib.metadata import version

import pandas as pd
import pytest
import yaml

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

DEMO_DATA = ROOT / "data" / "demo" / "area"


def text_of(page: str) -> str:
    """The page's text with tags dropped and entities decoded (for phrases that cross markup)."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", page)))


def half_up(value: float, digits: int) -> str:
    return str(Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def computed(book) -> set[int]:
    """The chapters the build computed a result for (chapter 8 collects their findings and indicators)."""
    return {int(p.name[:2]) for p in (book.folder / ".work" / "computed").glob("*.pkl")}


def saved_findings(book) -> list[str]:
    """The findings each computed chapter published (as indicators.csv's chapters saved them)."""
    found, mine = [], computed(book)
    for path in sorted((book.folder / ".work" / "results").glob("*.json")):
        payload = json.loads(path.read_text())
        if payload["chapter"] < 8 and payload["chapter"] in mine:
            found += [f["finding"] for f in payload["findings"]]
    return found


def a_shown_share(book) -> str:
    """A proportion over the whole period, for the area as a whole, that the book shows: chapter 1's
    share of babies under one while chapter 1 has a result, else the first of another computed chapter."""
    rows = []
    for path in sorted((book.folder / ".work" / "results").glob("*.json")):
        payload = json.loads(path.read_text())
        if payload["chapter"] in computed(book) and payload["chapter"] < 8:
            rows += [r["indicator"] for r in payload["indicators"] if r["unit"] == "proportion" and not r["group"]
                     and r["period"] == "all" and not r["suppressed"]]
    return "infants_share" if "infants_share" in rows else rows[0]


def unescaped(markdown: str) -> str:
    """A finding's markdown as the page shows it (escapes of text from the inputs undone)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", html.unescape(markdown))


def test_key_findings_of_every_chapter_are_collected(demo_book):
    page = text_of(demo_book.page("08_reflect_and_plan"))
    findings = saved_findings(demo_book)
    assert len(findings) >= 5
    for finding in findings:
        assert unescaped(finding) in page, finding
    assert f"The chapters recorded {len(findings)} key findings" in page
    if set(range(8)) - computed(demo_book):  # a chapter without a result is named, not read from its files
        assert "This chapter's findings are in its own page." in page


def test_the_starter_statements_are_not_presented_as_the_official_tool(demo_book):
    page = text_of(demo_book.page("08_reflect_and_plan"))
    assert re.search(r"They are not the Pre-birth Change Project.s official self-assessment tool", page)


def latest_round_counts():
    """Red, amber and green counts by stage and level in the demo's latest round, read with csv."""
    with open(DEMO_DATA / "rag.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    latest = max(r["round_date"] for r in rows)
    counts = Counter((r["stage"], r["level"], r["rating"]) for r in rows if r["round_date"] == latest)
    return latest, counts


def test_heat_map_describes_the_latest_round_in_words(demo_book):
    page = demo_book.page("08_reflect_and_plan")
    latest, counts = latest_round_counts()
    alts = [html.unescape(a) for a in re.findall(r'<img[^>]+alt="([^"]*)"', page)]
    heat = next(a for a in alts if a.startswith("Heat map"))
    month = pd.Timestamp(latest).strftime("%B %Y")
    assert month in heat
    for stage in ("Pre-birth", "Maternity setting and first hearing", "After discharge"):
        for level in ("Strategic", "Practice"):
            r, a, g = (counts[(stage, level, k)] for k in "RAG")
            assert f"{stage}, {level.lower()}: {r} red, {a} amber, {g} green" in heat
    assert f"Self-assessment ratings in {month}, by stage and level" in text_of(page)


def test_baseline_shows_this_area_s_indicators(demo_book):
    page = text_of(demo_book.page("08_reflect_and_plan"))
    indicators = pd.read_csv(demo_book.folder / "indicators.csv", dtype={"period": str, "group": str})
    indicator = a_shown_share(demo_book)
    mine = indicators[(indicators.indicator == indicator) & indicators.group.isna()]
    whole = mine[mine.period == "all"].iloc[0]
    # the value's cell, then its interval's cell beside it
    shown = f"{half_up(100 * whole.value, 0)}% {half_up(100 * whole.lower, 0)}% to {half_up(100 * whole.upper, 0)}%"
    assert shown in page
    assert "Baseline measures for evaluation: this book's indicators for the area" in page
    assert "previous_indicators: <path to the earlier indicators.csv>" in page  # how to see the change


def test_worksheet_download_is_in_the_rag_table_format(demo_book):
    sheet = pd.read_csv(demo_book.html / "downloads" / "08-rag-worksheet.csv")
    assert list(sheet.columns) == ["round_date", "statement_id", "stage", "level", "statement", "rating", "evidence",
                                   "owner", "next_review"]
    with open(DEMO_DATA / "rag.csv", newline="") as handle:
        ids = {r["statement_id"] for r in csv.DictReader(handle)}
    assert set(sheet.statement_id) == ids


def date_range_of(path, columns):
    dates = []
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            dates += [row[c] for c in columns if row.get(c)]
    first, last = pd.Timestamp(min(dates)), pd.Timestamp(max(dates))
    return f"{first:%b %Y} to {last:%b %Y}"


def test_about_this_report_lists_every_input_with_checksum_and_dates(demo_book):
    page = text_of(demo_book.page("09_about_this_report"))
    for path in sorted(DEMO_DATA.glob("*.csv")):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert " ".join(digest[i:i + 16] for i in range(0, 64, 16)) in page, path.name  # shown in groups of 16
    inputs = pd.read_csv(demo_book.html / "downloads" / "09-inputs.csv").set_index("File")
    assert inputs.loc["children.csv", "SHA-256 checksum"] == hashlib.sha256(
        (DEMO_DATA / "children.csv").read_bytes()).hexdigest()  # whole in the download
    assert date_range_of(DEMO_DATA / "proceedings.csv",
                         ["issue_date", "first_hearing_date", "pre_proceedings_start_date", "final_outcome_date"]) in page
    assert date_range_of(DEMO_DATA / "referrals.csv", ["referral_date"]) in page
    for name in ("pandas", "statsmodels", "papermill"):
        assert version(name) in page
    assert "A count of children, parents or records from 1 to 5 is shown as c" in page
    assert "A baby aged under 7 days when proceedings were issued" in page
    assert re.search(r"git commit ([0-9a-f]{10}|not a git checkout|git not available)", page)


def test_sparse_book_offers_the_starter_statements_and_a_row_for_every_chapter(sparse_book):
    page = text_of(sparse_book.page("08_reflect_and_plan"))
    assert "No self-assessment ratings were supplied yet, so the 18 starter statements below are shown unrated" in page
    assert "Partners share one written pathway for referring unborn babies early in pregnancy." in page
    from prebirth.chapters.reflect import chapter_titles

    for number, title in chapter_titles().items():
        if number < 8:
            assert f"{number}. {title}" in page, title
    results = sparse_book.folder / ".work" / "results"
    silent = [p for p in results.glob("*.json") if json.loads(p.read_text())["chapter"] < 8
              and not json.loads(p.read_text())["findings"]]
    if silent:  # a chapter with nothing to report says why, never an empty row
        assert "No key finding:" in page


def test_sparse_book_lists_only_its_two_files(sparse_book):
    page = text_of(sparse_book.page("09_about_this_report"))
    folder = sparse_book.parameters.parent / "data"
    for path in folder.glob("*.csv"):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert " ".join(digest[i:i + 16] for i in range(0, 64, 16)) in page
    assert {p.name for p in folder.glob("*.csv")} == {"children.csv", "proceedings.csv"}
    assert "referrals.csv" not in page


def test_change_since_an_earlier_book(demo_book, tmp_path):
    """Chapter 8 computed, as the build computes it, from the other chapters' results and an earlier
    indicators.csv in which one measure was much lower: that measure is flagged outside the earlier
    interval, the unchanged ones inside."""
    import pickle

    from prebirth import disclosure, present
    from prebirth.chapters import reflect
    from prebirth.chapters.common import prepare

    indicators = pd.read_csv(demo_book.folder / "indicators.csv", dtype=str, keep_default_na=False)
    name = a_shown_share(demo_book)
    rate = (indicators.indicator == name) & (indicators.group == "")
    years = indicators.loc[rate & indicators.period.str.match(r"^\d{4}/\d{2}$"), "period"]
    latest = rate & (indicators.period == years.max())
    indicators.loc[latest | (rate & (indicators.period == "all")), ["value", "lower", "upper"]] = \
        ["0.001", "0.0005", "0.0015"]
    previous = tmp_path / "previous_indicators.csv"
    indicators.to_csv(previous, index=False)
    params = yaml.safe_load((ROOT / "areas" / "demo.yml").read_text())
    for key in ("data", "benchmarks"):
        params[key] = str((ROOT / "areas" / params[key]).resolve())
    params["previous_indicators"] = str(previous)
    area = tmp_path / "demo_again.yml"
    area.write_text(yaml.safe_dump(params))
    upstream = {}
    for path in sorted((demo_book.folder / ".work" / "computed").glob("0[0-7]_*.pkl")):
        with open(path, "rb") as handle:
            result = pickle.load(handle)
        upstream[result.number] = result
    r = reflect.compute(prepare(area), upstream)
    decision = disclosure.decide([*upstream.values(), r], True, 6).restricted_to(r)
    text = text_of(present.show(r, "change", decision).html)
    assert "Change in each measure since the earlier book (previous_indicators.csv)" in text
    change = text.split("Change in each measure since the earlier book", 1)[1]
    label = reflect.indicator_label(name)
    # the area as a whole (no group): the label followed by the year
    row = re.search(re.escape(label) + r" \d{4}/\d{2}: .*?(Outside|Inside) the earlier 95% interval", change, re.S)
    assert row and row.group(1) == "Outside"
    assert "Inside the earlier 95% interval: could be chance" in change  # the measures that did not change
