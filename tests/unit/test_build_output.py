"""Where the book is written, and what the build may overwrite or remove there: only what
it made (its folders carry a marker file), never anything outside the output folder."""

from __future__ import annotations

import errno
import os
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from prebirth import build, publish
from prebirth.cli import app
from prebirth.data.problems import DataError
from prebirth.exit_codes import BuildError
from tests.conftest import TINY, write_area


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- the output folder ----------------------------------------------------------------

def test_a_new_output_folder_is_made_and_marked(tmp_path):
    root = tmp_path / "out" / "_build"
    publish.check_output_root(root)
    assert not root.exists()  # checking writes nothing
    publish.claim_output_root(root)
    assert (root / publish.MARKER).is_file()


def test_an_analysts_folder_with_an_index_page_is_refused(tmp_path):
    root = tmp_path / "mine"
    root.mkdir()
    (root / "index.html").write_text("<h1>My page</h1>")
    with pytest.raises(publish.OutputRefused, match=r"holds index.html, which the build would overwrite; nothing was "
                                                  r"written"):
        publish.check_output_root(root)
    assert _files(root) == {"index.html": b"<h1>My page</h1>"}


def test_an_analysts_folder_without_the_builds_files_is_used(tmp_path):
    root = tmp_path / "reports"
    root.mkdir()
    (root / "notes.txt").write_text("mine")
    publish.check_output_root(root)
    publish.claim_output_root(root)
    assert (root / "notes.txt").read_text() == "mine"


def test_a_build_folder_of_an_earlier_version_is_taken_over(tmp_path):
    root = tmp_path / "_build"
    (root / "demo" / ".work").mkdir(parents=True)
    (root / "demo" / "manifest.json").write_text("{}")
    (root / "index.html").write_text("<!DOCTYPE html>\n<html><head><title>Pre-birth Data Book: books by area</title>")
    (root / ".timings.json").write_text("{}")
    publish.check_output_root(root)
    assert publish.check_area_folder(root / "demo", root) is False  # there already: not the build's to remove
    assert publish.claim_area_folder(root / "demo", False) is False
    assert (root / "demo" / publish.MARKER).is_file()


def test_a_file_given_as_the_output_folder_is_refused(tmp_path):
    (tmp_path / "book.html").write_text("x")
    with pytest.raises(publish.OutputRefused, match="is a file, not a folder"):
        publish.check_output_root(tmp_path / "book.html")


# -- an area's folder -------------------------------------------------------------------

def test_a_folder_the_build_did_not_make_is_refused(tmp_path):
    root = tmp_path / "out"
    (root / "tiny" / "html").mkdir(parents=True)
    (root / "tiny" / "html" / "index.html").write_text("mine")
    with pytest.raises(publish.OutputRefused, match="was not made by this tool"):
        publish.check_area_folder(root / "tiny", root)


def test_a_link_leading_out_of_the_output_folder_is_refused(tmp_path):
    root, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    root.mkdir()
    elsewhere.mkdir()
    (elsewhere / publish.MARKER).write_text("")
    (root / "tiny").symlink_to(elsewhere)
    with pytest.raises(publish.OutputRefused, match="not a folder inside"):
        publish.check_area_folder(root / "tiny", root)


def test_a_new_area_folder_is_made_with_its_marker_and_reported_as_made(tmp_path):
    root = tmp_path / "out"
    root.mkdir()
    assert publish.check_area_folder(root / "tiny", root) is True
    assert publish.claim_area_folder(root / "tiny", True) is True
    assert sorted(os.listdir(root)) == ["tiny"] and (root / "tiny" / publish.MARKER).is_file()
    assert publish.check_area_folder(root / "tiny", root) is False  # the next build's: its own


def test_only_folders_inside_are_removed(tmp_path):
    root = tmp_path / "out"
    (root / "tiny").mkdir(parents=True)
    (tmp_path / "keep.txt").write_text("keep")
    for outside in (root / "tiny" / ".." / "..", root / "tiny" / "..", root):
        with pytest.raises(BuildError, match="is not inside"):
            publish._remove_own(outside, root)
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(BuildError, match="is not inside"):
        publish._remove_own(root / "link", root)
    assert (tmp_path / "keep.txt").read_text() == "keep" and (root / "tiny").is_dir()
    publish._remove_own(root / "tiny", root)
    assert not (root / "tiny").exists()


def test_a_first_build_with_bad_data_removes_its_own_folder_and_nothing_else(tmp_path):
    files = dict(TINY)
    files["children.csv"] = TINY["children.csv"].replace("2020-05-03,F,", "2020-05-03,Female,")
    area = write_area(tmp_path / "area", files)
    root = tmp_path / "out"
    with pytest.raises(DataError):
        build.build_area(area, jobs=1, output_root=root, say=lambda message: None)
    assert not (root / "tiny").exists()
    assert (root / publish.MARKER).is_file()  # the output folder stays: the next build writes there


# -- where the book goes ----------------------------------------------------------------

def test_the_book_goes_to_build_in_the_current_folder_and_the_first_line_says_where(tmp_path, monkeypatch):
    """Not to the folder the package is installed from (an editable install of another checkout)."""
    files = dict(TINY)
    files["children.csv"] = TINY["children.csv"].replace("2020-05-03,F,", "2020-05-03,Female,")
    area = write_area(tmp_path / "area", files)  # bad data: stops before any chapter, the folders are made
    here = tmp_path / "analyst"
    here.mkdir()
    monkeypatch.chdir(here)
    assert publish.default_output() == here / "_build"
    done = CliRunner().invoke(app, ["build", str(area), "-j", "1"])
    assert done.exit_code == 2, done.output
    assert done.output.splitlines()[0].endswith(f"into {here / '_build' / 'tiny'}"), done.output
    assert (here / "_build" / publish.MARKER).is_file() and (here / "_build" / "index.html").is_file()


# -- a full disk -------------------------------------------------------------------------

def _rendered(tmp_path: Path) -> tuple[Path, Path]:
    """A rendered book (three pages) and an area folder holding the last good book."""
    html_dir = tmp_path / "render" / "html"
    (html_dir / "notebooks").mkdir(parents=True)
    for page in ("index.html", "notebooks/01.html", "notebooks/02.html"):
        (html_dir / page).write_text(f"new {page}")
    folder = tmp_path / "out" / "tiny"
    (folder / "html").mkdir(parents=True)
    (folder / "html" / "index.html").write_text("last good book")
    return html_dir, folder


def _no_space_after(monkeypatch, module, name: str, calls: int) -> None:
    real = getattr(module, name)
    done = []

    def write(*args, **kwargs):
        if len(done) >= calls:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        done.append(True)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, write)


@pytest.mark.parametrize("calls", [0, 1], ids=["first file", "a later file"])
def test_a_full_disk_while_copying_the_book_is_said_plainly_and_leaves_nothing_behind(tmp_path, monkeypatch, calls):
    html_dir, folder = _rendered(tmp_path)
    _no_space_after(monkeypatch, shutil, "copyfile", calls)  # what copytree's copy2 writes with
    with pytest.raises(BuildError) as raised:
        publish.stage_and_publish(html_dir, folder, "indicator\n")
    assert str(raised.value).startswith("the disk is full: the book could not be written to")
    assert "the last complete book is unchanged" in str(raised.value)
    assert sorted(os.listdir(folder)) == ["html"]  # no html.new left behind
    assert _files(folder) == {"html/index.html": b"last good book"}


def test_a_full_disk_while_writing_the_downloads_is_said_plainly(tmp_path, monkeypatch):
    html_dir, folder = _rendered(tmp_path)
    real = Path.write_text

    def write_text(self, *args, **kwargs):
        if self.name == "indicators.csv":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)
    with pytest.raises(BuildError, match="^the disk is full"):
        publish.stage_and_publish(html_dir, folder, "indicator\n")
    assert sorted(os.listdir(folder)) == ["html"] and _files(folder) == {"html/index.html": b"last good book"}


def test_a_full_disk_anywhere_in_the_build_is_said_plainly_on_the_console(tmp_path, monkeypatch):
    area = write_area(tmp_path / "area", TINY)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "out" / "tiny" / "manifest.json"))

    monkeypatch.setattr(build, "build_area", full)
    done = CliRunner().invoke(app, ["build", str(area), "--output", str(tmp_path / "out")])
    assert done.exit_code == 1, done.output
    assert "the book could not be built: the disk is full" in done.output
    assert "Traceback" not in done.output


def test_a_write_that_fails_leaves_no_temporary_file(tmp_path, monkeypatch):
    _no_space_after(monkeypatch, os, "replace", 0)
    with pytest.raises(OSError):
        publish._atomic_write(tmp_path / "manifest.json", "{}")
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(sys.platform != "linux", reason="ENOSPC as Linux reports it")
def test_a_full_disk_is_recognised_also_inside_a_copy_error():
    error = shutil.Error([("a", "b", "[Errno 28] No space left on device: 'b'")])
    assert publish._disk_full(error) and not publish._disk_full(shutil.Error([("a", "b", "Permission denied")]))
