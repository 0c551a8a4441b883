"""Chapters 3 (behind the trends), 6 (the parents) and 7 (fathers) in the built demo and sparse books."""

import re

import pandas as pd
import pytest

pytestmark = pytest.mark.slow

CHAPTER_INDICATORS = {
    3: ["infant_starters_route_share", "newborns_pre_proceedings_before_birth_share",
        "weeks_pre_proceedings_before_birth_median", "newborn_rate_level_change", "context_newborn_rate_correlation"],
    6: ["mothers_under_20_share", "parents_care_experienced_share", "factor_mental_health_share",
        "factor_domestic_abuse_share", "factor_substance_share", "factor_learning_disability_share"],
    7: ["fathers_recorded_share", "fathers_assessed_share", "fathers_in_plan_share", "fathers_at_fgc_share",
        "mothers_assessed_share"],
}
PAGES = {3: "03_behind_the_trends", 6: "06_the_parents", 7: "07_fathers"}


@pytest.fixture(scope="module")
def demo_indicators(demo_book):
    return pd.read_csv(demo_book.folder / "indicators.csv", keep_default_na=False, na_values=[""])


@pytest.mark.parametrize("chapter", [3, 6, 7])
def test_demo_indicators_are_published_for_the_whole_period(demo_indicators, chapter):
    for name in CHAPTER_INDICATORS[chapter]:
        rows = demo_indicators[(demo_indicators["indicator"] == name) & (demo_indicators["period"] == "all")]
        assert len(rows), name
        shown = rows[~rows["suppressed"].astype(str).str.lower().eq("true")]
        assert len(shown), f"{name}: every whole-period row is suppressed"
        if rows["unit"].iloc[0] == "proportion":
            assert shown["value"].between(0, 1).all(), name
            assert (shown["lower"] <= shown["value"]).all() and (shown["value"] <= shown["upper"]).all(), name


def test_demo_yearly_shares_for_the_parents_and_fathers(demo_indicators):
    for name in ("mothers_under_20_share", "fathers_recorded_share"):
        years = demo_indicators[(demo_indicators["indicator"] == name) & (demo_indicators["period"] != "all")
                                & (demo_indicators["group"].fillna("") == "")]
        assert len(years) == 10, name  # one row per financial year of the demo's ten


def test_suppressed_indicator_rows_carry_no_numbers(demo_indicators):
    ours = demo_indicators[demo_indicators["indicator"].isin(sum(CHAPTER_INDICATORS.values(), []))]
    hidden = ours[ours["suppressed"].astype(str).str.lower().eq("true")]
    assert hidden[["numerator", "value", "lower", "upper"]].isna().all().all()


@pytest.mark.parametrize("chapter", [3, 6, 7])
def test_demo_pages_show_figures_with_alt_text_and_downloads(demo_book, chapter):
    html = demo_book.page(PAGES[chapter])
    assert "answer this yet" not in html  # the demo has every table these chapters read
    alts = re.findall(r'<img[^>]+alt="([^"]*)"', html)
    assert len(alts) >= 2 and all(len(a) > 40 for a in alts)
    for name in re.findall(r'href="\.\./downloads/([^"]+\.csv)"', html):
        assert (demo_book.html / "downloads" / name).is_file(), name
    # every number glued into the prose was available on the demo
    glance = html.split("At a glance", 1)[1].split("</ul>", 1)[0]
    assert "not available" not in glance


def test_demo_words_respect_parents(demo_book):
    for page in PAGES.values():
        text = re.sub(r"<[^>]+>", " ", demo_book.page(page)).lower()
        assert not re.search(r"\bcases?\b", text), page


def test_chapter_three_marks_the_service_change_and_cautions(demo_book):
    html = demo_book.page(PAGES[3])
    assert "Pre-birth team set up (2019/20)" in html
    assert "How little a handful of yearly points can show" in html
    assert "never evidence that one thing caused the other" in html


def test_sparse_book_says_what_to_record(sparse_book):
    three = sparse_book.page(PAGES[3])
    assert "answer this yet" in three and "context table" in three and "SSDA903" in three
    assert "births table" in three  # the segmented models need live births
    six = sparse_book.page(PAGES[6])
    assert "answer this yet" in six and "assessments table" in six
    seven = sparse_book.page(PAGES[7])
    assert "answer this yet" in seven and "assessments table" in seven
    # fathers of babies in care proceedings need only children and proceedings
    assert "Babies under one in care proceedings with a father recorded" in seven


def test_chapter_three_opens_with_its_main_points_and_shows_the_pathway(demo_book):
    html = demo_book.page(PAGES[3])
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    main = text.split("Main points", 1)[1].split("Why it matters", 1)[0]
    assert "In England the rate rose from 35 to 48" in main  # Pattinson et al. (2021)
    assert "Babies referred before birth numbered" in main
    assert "did the referral criteria change?" in html
    assert "The first order made for newborns in care proceedings, by period" in html
