"""Builds at the same time: two areas side by side, and the same area twice (the second waits).

The books are copies of the session's built small area (published and internal), so each
build only renders again; what is checked is that nothing of one build reaches the other
and nothing is left half-written.
"""

from __future__ import annotations

import pytest

from tests.robustness.helpers import Build, assert_complete, copy_book, digest, lock_held, needs_render

pytestmark = pytest.mark.slow


def _suppressed_rows(folder) -> int:
    lines = (folder / "indicators.csv").read_text(encoding="utf-8").splitlines()[1:]
    return sum(line.endswith(",true") for line in lines)


def test_two_areas_at_once(small_book, small_internal_book, tmp_path):
    published = copy_book(small_book.folder, tmp_path)
    internal = copy_book(small_internal_book.folder, tmp_path)
    before = {folder.name: (folder / "indicators.csv").read_bytes() for folder in (published, internal)}
    for folder in (published, internal):
        needs_render(folder)
    first = Build(small_book.parameters, tmp_path)
    second = Build(small_internal_book.parameters, tmp_path)
    # No worse than each uninterrupted build (0; or 1 if a chapter of the small area fails anyway).
    assert first.finish() <= small_book.result.exit_code, first.output
    assert second.finish() <= small_internal_book.result.exit_code, second.output
    assert first.printed("rendering") and second.printed("rendering")  # both really rebuilt
    for folder in (published, internal):
        assert_complete(folder)
        assert (folder / "indicators.csv").read_bytes() == before[folder.name]
    # Each book is its own: the internal banner only on the internal one, suppression only in the published one.
    assert "NOT FOR PUBLICATION" in (internal / "html" / "pages" / "intro.html").read_text(encoding="utf-8")
    assert "NOT FOR PUBLICATION" not in (published / "html" / "pages" / "intro.html").read_text(encoding="utf-8")
    # (an internal book still marks what its published sources withheld, hence "more", not "none")
    assert _suppressed_rows(published) > _suppressed_rows(internal)


def test_same_area_twice_the_second_waits(small_book, tmp_path):
    folder = copy_book(small_book.folder, tmp_path)
    before = digest(folder)
    needs_render(folder)
    first = Build(small_book.parameters, tmp_path)
    first.wait_for(lambda: lock_held(folder), timeout=120, what="the first build took the area's lock")
    second = Build(small_book.parameters, tmp_path)
    second.wait_for(lambda: second.printed("Another build of this area is running"), timeout=120,
                    what="the second build said it is waiting")
    assert first.finish() <= small_book.result.exit_code, first.output
    assert second.finish() <= small_book.result.exit_code, second.output
    assert_complete(folder)
    after = digest(folder)
    assert after["indicators.csv"] == before["indicators.csv"]
    assert set(after) == set(before), "the book's files differ from one build to the next"
