"""The marking a published book of real data carries on every page: what it is, and the day it was built."""

from datetime import date

import yaml

from prebirth.config import load_parameters
from prebirth.render import date_the_book, marking, write_book_source


def _announcement(src):
    return yaml.safe_load((src / "_config.yml").read_text(encoding="utf-8"))["html"]["announcement"]


def test_a_published_book_of_real_data_says_what_it_is_and_the_day_it_was_built(tiny_area, tmp_path):
    params = load_parameters(tiny_area)
    assert params.published and not params.synthetic
    src, work = tmp_path / "src", tmp_path / "work"
    work.mkdir()
    write_book_source(params, src)
    (src / "notebooks").mkdir(exist_ok=True)
    (src / "notebooks" / "01.ipynb").write_text("the first build's page")
    date_the_book(params, src, work, today=date(2026, 12, 7))
    assert _announcement(src) == ("Published book: the Pre-birth Data Book for Tiny Test Area, 1 April 2020 to "
                                  "31 March 2022; numbers under 6 are withheld. Built on 7 December 2026.")
    # The next day, nothing changed: the book keeps its day (so it is not rendered again).
    write_book_source(params, src)
    date_the_book(params, src, work, today=date(2026, 12, 8))
    assert _announcement(src).endswith("Built on 7 December 2026.")
    # A page changed: the book is new, and dated that day.
    write_book_source(params, src)
    (src / "notebooks" / "01.ipynb").write_text("a new page")
    date_the_book(params, src, work, today=date(2026, 12, 9))
    assert _announcement(src).endswith("Built on 9 December 2026.")


def test_internal_and_synthetic_books_keep_their_own_marking_undated(tiny_area, tmp_path):
    params = load_parameters(tiny_area)
    for other in (params.model_copy(update={"audience": "internal"}), params.model_copy(update={"synthetic": True})):
        src, work = tmp_path / other.audience / str(other.synthetic), tmp_path / "work"
        work.mkdir(exist_ok=True)
        write_book_source(other, src)
        date_the_book(other, src, work, today=date(2026, 12, 7))
        assert _announcement(src) == marking(other) != ""
        assert "Built on" not in _announcement(src)
