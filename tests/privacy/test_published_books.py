"""Scan whole built books for anything that identifies a family (DESIGN 9, 11).

Two published books are scanned file by file (every page, executed notebook under
``html/_sources``, downloadable CSV, ``indicators.csv``, ``manifest.json``, theme file):
the demo (about 3,000 births a year) and a small area where every count is small and a
CIN census return disagrees with the canonical tables about one child (see
``tests/privacy/area.py``). The same scan over the small area's *internal* book, which
withholds nothing, must find leaks: that proves the small area would expose a chapter
that printed its numbers naively.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from prebirth.config import banner, load_parameters
from tests.privacy.scan import build_days, first_leak, published_files, scan_book, secrets_of

pytestmark = pytest.mark.slow


def _secrets(book):
    return secrets_of(book.parameters, build_days(book.folder))


def _scanned_everything(book) -> list[str]:
    names = [str(p.relative_to(book.folder)) for p in published_files(book.folder)]
    assert "manifest.json" in names and "indicators.csv" in names and "html/downloads/indicators.csv" in names
    notebooks = [n for n in names if n.startswith("html/_sources/notebooks/") and n.endswith(".ipynb")]
    assert len(notebooks) >= 10, notebooks
    assert any(n.startswith("html/downloads/") and n != "html/downloads/indicators.csv" for n in names)
    assert any(n.startswith("html/_static/") for n in names)
    return names


def test_small_area_builds_every_chapter(small_book, small_internal_book):
    """Small counts everywhere must not break a chapter (a failed chapter would also hide its leaks)."""
    for book in (small_book, small_internal_book):
        failed = [f"{c.stem}: {c.error}" for c in book.result.failed]
        assert not failed, f"{book.parameters.name}: " + "; ".join(failed)


def test_small_area_published_book_identifies_nobody(small_book):
    secrets = _secrets(small_book)
    assert not secrets.ambiguous
    assert len(secrets.identifiers) > 1000 and len(secrets.dates_of_birth) > 500
    _scanned_everything(small_book)
    leak = first_leak(small_book.folder, secrets)
    assert leak is None, str(leak)


def test_demo_published_book_identifies_nobody(demo_book):
    secrets = _secrets(demo_book)
    assert not secrets.ambiguous
    assert len(secrets.identifiers) > 100_000 and len(secrets.dates_of_birth) > 10_000
    _scanned_everything(demo_book)
    leak = first_leak(demo_book.folder, secrets)
    assert leak is None, str(leak)


def test_small_area_executed_notebooks_hold_outputs(small_book):
    """The executed notebooks published with the book are really scanned: they hold the chapters' outputs."""
    failed = {c.stem for c in small_book.result.failed}  # reported by test_small_area_builds_every_chapter
    for path in (small_book.html / "_sources" / "notebooks").glob("0[0-7]_*.ipynb"):
        if path.stem in failed:
            continue
        nb = json.loads(path.read_text(encoding="utf-8"))
        outputs = sum(len(c.get("outputs", [])) for c in nb["cells"])
        assert outputs > 0, path.name


def test_small_area_published_book_withholds_small_counts(small_book):
    """The small area really has small counts, and the published indicators withhold them."""
    rows = (small_book.folder / "indicators.csv").read_text(encoding="utf-8").splitlines()
    assert sum(r.endswith(",true") for r in rows) >= 5, "the small area should need suppression"


def test_the_same_scan_catches_the_internal_book(small_internal_book):
    """Built internal, the small area shows its small counts and the warnings name a child: the scan
    must report them (each kind), or the published scan above would prove nothing."""
    secrets = _secrets(small_internal_book)
    found = Counter()
    where = {}
    for leak in scan_book(small_internal_book.folder, secrets):
        found[leak.kind] += 1
        where.setdefault((leak.kind, leak.file.split(" (")[0]), str(leak))
    assert found["small count"] > 0 and found["identifier"] > 0, found
    files = {file for kind, file in where if kind == "small count"}
    assert "indicators.csv" in files, files
    assert any(f.startswith("html/downloads/0") for f in files), files  # a chapter's downloadable table
    assert any(f.startswith("html/notebooks/") for f in files), files  # a table on a chapter page
    assert ("identifier", "html/notebooks/00_about_your_data.html") in where


def test_internal_book_says_not_for_publication_on_every_page(small_internal_book):
    pages = sorted(p for p in small_internal_book.html.rglob("*.html") if "_static" not in p.parts)
    assert len(pages) >= 15  # every chapter and reference page, search and genindex
    for page in pages:
        text = page.read_text(encoding="utf-8")
        if text.startswith('<meta http-equiv="Refresh"'):
            continue  # index.html only sends the browser on to the first page
        assert "NOT FOR PUBLICATION" in text, page.relative_to(small_internal_book.html)


def test_published_book_has_no_internal_banner(small_book):
    for page in small_book.html.rglob("*.html"):
        assert "NOT FOR PUBLICATION" not in page.read_text(encoding="utf-8"), page.name


def test_banner_text(small_area):
    published = load_parameters(small_area / "smallham.yml")
    internal = load_parameters(small_area / "smallham_internal.yml")
    assert "NOT FOR PUBLICATION" in banner(internal) and "Synthetic data" in banner(internal)
    assert "NOT FOR PUBLICATION" not in banner(published) and "Synthetic data" in banner(published)
    real = published.model_copy(update={"synthetic": False})
    assert banner(real) == ""
    assert banner(real.model_copy(update={"audience": "internal"})).startswith("NOT FOR PUBLICATION")
