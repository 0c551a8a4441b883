"""A build killed part-way leaves the last good book as it was, and the next build succeeds.

Real builds of the small area (copied from the session's built book, so only what a test
makes stale is redone) are killed with SIGKILL, with their worker processes: while
chapters execute, and while Jupyter Book renders. The moments inside ``publish`` (two
renames) are too short to hit from outside; they are simulated in-process.
"""

from __future__ import annotations

import os
import shutil

import pytest

from prebirth import publish
from tests.robustness.helpers import Build, assert_complete, copy_book, digest, needs_chapters, needs_render

pytestmark = pytest.mark.slow


def _rebuild_succeeds(book, folder, before_indicators: bytes) -> Build:
    again = Build(book.parameters, folder.parent)
    code = again.finish()
    # No worse than the uninterrupted build (0; or 1 if a chapter of the small area fails anyway).
    assert code <= book.result.exit_code, again.output  # never worse than the uninterrupted build
    assert_complete(folder)
    # Nothing about the data changed: the rebuilt book publishes the same numbers.
    assert (folder / "indicators.csv").read_bytes() == before_indicators
    return again


def test_killed_while_chapters_execute(small_book, tmp_path):
    folder = copy_book(small_book.folder, tmp_path)
    before = digest(folder)
    indicators = (folder / "indicators.csv").read_bytes()
    needs_chapters(folder, "03_behind_the_trends")
    # A chapter's cache key is removed as the chapter is handed to a kernel, and written back when it is done.
    chapter_key = folder / ".work" / "cache" / "00_about_your_data.key"
    chapter_key.write_text("stale")  # a key that does not match: the chapter must run
    running = Build(small_book.parameters, tmp_path)
    running.wait_for(lambda: not chapter_key.exists(), what="chapter 0 was handed to a kernel")
    running.kill()
    assert not running.printed("rendering") and not running.printed("Book done"), running.output
    assert digest(folder) == before, "a build killed while chapters ran changed the published book"
    again = _rebuild_succeeds(small_book, folder, indicators)
    assert again.printed("00_about_your_data: executed"), again.output


def test_killed_while_rendering(small_book, tmp_path):
    folder = copy_book(small_book.folder, tmp_path)
    before = digest(folder)
    indicators = (folder / "indicators.csv").read_bytes()
    needs_render(folder)
    rendering = Build(small_book.parameters, tmp_path)
    rendering.wait_for(lambda: rendering.printed("rendering"), what="rendering started")
    rendering.wait_for(lambda: (folder / ".render").exists(), timeout=10, what="the render folder")
    import time

    time.sleep(1.5)  # well inside Jupyter Book's run (it takes several seconds)
    rendering.kill()
    assert not rendering.printed("Book done"), rendering.output
    assert digest(folder) == before, "a build killed while rendering changed the published book"
    _rebuild_succeeds(small_book, folder, indicators)


def test_killed_twice_then_built(small_book, tmp_path):
    """Two kills in a row (the second during the rebuild after the first) still leave the book whole."""
    folder = copy_book(small_book.folder, tmp_path)
    before = digest(folder)
    indicators = (folder / "indicators.csv").read_bytes()
    for _ in range(2):
        needs_render(folder)
        run = Build(small_book.parameters, tmp_path)
        run.wait_for(lambda: run.printed("rendering"), what="rendering started")
        run.kill()
        assert digest(folder) == before
    _rebuild_succeeds(small_book, folder, indicators)


# -- inside publish: the two renames -------------------------------------------------------------

def _book(folder, text: str):
    folder.mkdir(parents=True)
    (folder / "index.html").write_text(text)
    (folder / "notebooks").mkdir()
    (folder / "notebooks" / "01.html").write_text(text)


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs (not even except-blocks that catch Exception)."""


def _kill_after(monkeypatch, renames: int):
    real = os.replace
    done = []

    def replace(src, dst):
        real(src, dst)
        done.append((src, dst))
        if len(done) == renames:
            raise Killed()

    monkeypatch.setattr(publish.os, "replace", replace)


def _publish_killed(tmp_path, monkeypatch, renames: int):
    """An old book in place, a new one staged, and publishing killed after ``renames`` renames."""
    folder = tmp_path / "area"
    _book(folder / "html", "old book")
    _book(folder / "html.new", "new book")
    _kill_after(monkeypatch, renames)
    with pytest.raises(Killed):
        publish.publish(folder / "html.new", folder / "html")
    monkeypatch.undo()
    return folder


def test_publish_killed_between_the_two_renames(tmp_path, monkeypatch):
    folder = _publish_killed(tmp_path, monkeypatch, 1)
    assert not (folder / "html").exists() and (folder / "html.old").exists()  # the moment of danger
    publish.recover(folder)  # what the next build does first, under the area's lock
    assert (folder / "html" / "index.html").read_text() == "old book"
    assert (folder / "html" / "notebooks" / "01.html").read_text() == "old book"
    assert not (folder / "html.old").exists()
    # and the next publish goes through (the build clears a stale staged copy before staging anew)
    shutil.rmtree(folder / "html.new")
    _book(folder / "html.new", "newer book")
    publish.publish(folder / "html.new", folder / "html")
    assert (folder / "html" / "index.html").read_text() == "newer book"
    assert sorted(p.name for p in folder.iterdir()) == ["html"]


def test_publish_killed_before_the_old_book_is_removed(tmp_path, monkeypatch):
    folder = _publish_killed(tmp_path, monkeypatch, 2)
    publish.recover(folder)  # the new book is in place: recover leaves it
    assert (folder / "html" / "index.html").read_text() == "new book"
    _book(folder / "html.new", "newer book")
    publish.publish(folder / "html.new", folder / "html")  # the stale html.old is cleared on the way
    assert (folder / "html" / "index.html").read_text() == "newer book"
    assert sorted(p.name for p in folder.iterdir()) == ["html"]


def test_first_publish_killed_leaves_nothing_half_made(tmp_path, monkeypatch):
    """No previous book: a kill before the one rename leaves no html/ at all (never half a book)."""
    folder = tmp_path / "area"
    _book(folder / "html.new", "new book")
    monkeypatch.setattr(publish.os, "replace", lambda src, dst: (_ for _ in ()).throw(Killed()))
    with pytest.raises(Killed):
        publish.publish(folder / "html.new", folder / "html")
    monkeypatch.undo()
    publish.recover(folder)
    assert not (folder / "html").exists()
