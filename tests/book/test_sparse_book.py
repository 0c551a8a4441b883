"""An area with only children and proceedings: every chapter still builds and says what is missing."""

import pytest

pytestmark = pytest.mark.slow


def test_sparse_area_builds_every_chapter(sparse_book):
    assert sparse_book.result.exit_code == 0, sparse_book.log


def test_data_chapter_says_what_cannot_be_answered(sparse_book):
    html = sparse_book.page("00_about_your_data")
    assert "not yet" in html and "can answer" in html
    assert "What to record" in html or "What to record to answer it routinely" in html


def test_chapter_one_without_births_or_benchmarks(sparse_book):
    html = sparse_book.page("01_infants_and_newborns")
    assert "answer this yet" in html  # (MyST turns the apostrophe into a typographic one)
    assert "births table" in html  # rates need births
    assert "Children, infants and newborns in care proceedings" in html  # the counts are still shown
