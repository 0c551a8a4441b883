"""Text from the inputs never runs: a book built from a parameters file, RAG table, event labels and
an earlier indicators file full of markup and spreadsheet formulas, opened in real headless
Chromium (no script runs, no injected element exists) and its CSV downloads read as a spreadsheet
would (no cell is a formula)."""

from __future__ import annotations

import csv
import re
import shutil

import pytest
import yaml

from tests.book.test_demo_book import toc_pages
from tests.browser.test_pages import browser, served  # noqa: F401  (the shared headless Chromium)
from tests.conftest import build_book, demo_parameters

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# Each payload sets a flag if it ever runs; a formula payload starts with a character a spreadsheet reads.
SCRIPT = "<script>window.__pwned = 'script'</script>"
IMAGE = "<img id=pwned src=x onerror=\"window.__pwned = 'img'\">"
LINK = "[click](javascript:window.__pwned='link')"
ROLE = "{glue}`ch1_newborn_rate_all` $x^2$ **bold**"
FORMULAS = ("=HYPERLINK(\"http://example.invalid\",\"click\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)")


@pytest.fixture(scope="module")
def hostile_book(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    demo = demo_parameters().parent.parent / "data" / "demo"
    shutil.copytree(demo / "area", folder / "data")
    shutil.copytree(demo / "benchmarks", folder / "benchmarks")
    rag = folder / "data" / "rag.csv"
    rows = list(csv.DictReader(rag.open(encoding="utf-8")))
    payloads = [SCRIPT, IMAGE, LINK, ROLE, *FORMULAS]
    for i, row in enumerate(rows):
        row["statement"] = f"{payloads[i % len(payloads)]} {row['statement']}"
        row["evidence"] = FORMULAS[i % len(FORMULAS)]
        row["owner"] = payloads[(i + 3) % len(payloads)]
    with rag.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with (folder / "previous.csv").open("w", newline="", encoding="utf-8") as handle:  # quoted as a spreadsheet would
        writer = csv.writer(handle)
        writer.writerow(["indicator", "period", "group", "numerator", "denominator", "value", "lower", "upper", "unit",
                         "method", "suppressed"])
        writer.writerow(["infants_share", "2022/23", SCRIPT, 40, 200, 0.2, 0.15, 0.26, "proportion", FORMULAS[0],
                         "false"])
        writer.writerow([IMAGE, "2022/23", "", 40, 200, 0.2, 0.15, 0.26, "proportion", "Wilson", "false"])
    parameters = folder / "hostile.yml"
    parameters.write_text(yaml.safe_dump({
        "area_code": "E99999001", "area_name": f"{SCRIPT}{IMAGE} =1+2 *Evil*", "region": "North West",
        "data": "data/", "benchmarks": "benchmarks/", "period": {"start": "2014-04-01", "end": "2024-03-31"},
        "synthetic": True, "previous_indicators": "previous.csv",
        "events": [{"date": "2019-04-01", "label": f"{IMAGE} $x^$ {FORMULAS[0]}"}]}), encoding="utf-8")
    built = build_book(parameters, folder / "_build")
    assert not built.result.failed, [f"{c.stem}: {c.error}" for c in built.result.failed]
    return built


@pytest.fixture(scope="module")
def hostile_site(hostile_book):
    with served(hostile_book.html) as url:
        yield url


@pytest.mark.parametrize("page_name", toc_pages())
def test_no_markup_from_the_inputs_runs(browser, hostile_site, page_name):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    response = page.goto(f"{hostile_site}/{page_name}.html", wait_until="networkidle")
    assert response is not None and response.ok
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#pwned").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    assert not dialogs
    page.close()


def test_the_payloads_are_shown_as_text(hostile_book):
    # the area's name is in the title of every page, as text
    page = (hostile_book.html / "notebooks" / "08_reflect_and_plan.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__pwned" in page
    assert "<script>window.__pwned" not in page


def test_no_csv_cell_is_a_formula(hostile_book):
    files = sorted((hostile_book.html / "downloads").glob("*.csv")) + [hostile_book.folder / "indicators.csv"]
    assert len(files) > 10
    number = re.compile(r"[-+]?\d[\d,]*(\.\d+)?%?")
    seen_payload = False
    for path in files:
        for row in csv.reader(path.open(encoding="utf-8")):
            for cell in row:
                seen_payload |= "HYPERLINK" in cell or "@SUM" in cell
                if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    assert number.fullmatch(cell), f"{path.name}: {cell!r} would run as a formula"
    assert seen_payload  # the formulas did reach the downloads, neutralised
