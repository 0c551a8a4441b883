"""Accessibility of every page of the demo book, and of the facilitators' slides, in headless
Chromium: axe-core (npm, installed by `make test` from the committed lock file) with no
violation of any impact (minor ones included); headings in order; the page language set; every chart with
its text alternative and its data; a clean print layout. A summary of axe's findings for
every page is kept under _build/accessibility/, the print and slide screenshots under
_build/screenshots/."""

import json
import os

import pytest

from tests.book.test_demo_book import toc_pages
from tests.browser.test_pages import browser, served  # noqa: F401  (the shared headless Chromium)
from tests.conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.browser]

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("minor", "moderate", "serious", "critical")  # every impact axe-core gives
REPORTS = ROOT / "_build" / "accessibility"
SHOTS = ROOT / "_build" / "screenshots"


@pytest.fixture(scope="module")
def site(demo_book):
    """The demo book served over HTTP on a free local port."""
    with served(demo_book.html) as url:
        yield url


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        if os.environ.get("CI"):
            pytest.fail("axe-core is not installed: `make test` runs `npm ci` from package-lock.json first")
        pytest.skip("axe-core is not installed (run `npm ci` in the project folder)")
    return AXE.read_text(encoding="utf-8")


def run_axe(page, axe_source: str) -> list[dict]:
    """Open every <details> (the data under each chart), then run axe on the whole document."""
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    page.add_script_tag(content=axe_source)
    return page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' '))}));
    }""")


def visible_headings(page) -> list[tuple[int, str]]:
    return [tuple(h) for h in page.evaluate("""() => Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6'))
        .filter(h => h.offsetParent !== null || getComputedStyle(h).position === 'fixed')
        .map(h => [Number(h.tagName[1]), h.textContent.replace('#', '').trim()])""")]


def heading_problems(headings: list[tuple[int, str]]) -> list[str]:
    """One h1, first; no level skipped on the way down (h2 -> h4)."""
    problems = []
    levels = [level for level, _ in headings]
    if levels.count(1) != 1:
        problems.append(f"{levels.count(1)} visible h1 headings")
    if levels and levels[0] != 1:
        problems.append(f"the first heading is h{levels[0]}: {headings[0][1]!r}")
    for (before, _), (after, text) in zip(headings, headings[1:]):
        if after > before + 1:
            problems.append(f"h{before} is followed by h{after} ({text!r})")
    return problems


def record(name: str, violations: list[dict]) -> None:
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"{name.replace('/', '__')}.json").write_text(json.dumps(violations, indent=1))


@pytest.mark.parametrize("page_name", toc_pages())
def test_page_has_no_accessibility_violation(browser, site, axe_source, page_name):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{site}/{page_name}.html", wait_until="networkidle")
    violations = run_axe(page, axe_source)
    record(page_name, violations)
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    assert not failing, json.dumps(failing, indent=1)
    assert page.evaluate("() => document.documentElement.lang") == "en"
    assert not heading_problems(visible_headings(page)), visible_headings(page)
    page.close()


def test_heading_rule_catches_a_skipped_level():
    assert heading_problems([(1, "Title"), (2, "Part"), (4, "Detail")]) == ["h2 is followed by h4 ('Detail')"]
    assert heading_problems([(2, "Part"), (1, "Title")])[0] == "the first heading is h2: 'Part'"
    assert heading_problems([(1, "Title"), (2, "A"), (3, "B"), (2, "C")]) == []


@pytest.mark.parametrize("page_name", [p for p in toc_pages() if p.startswith("notebooks/")])
def test_every_chart_has_a_text_alternative_and_its_data(browser, site, page_name):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{site}/{page_name}.html", wait_until="networkidle")
    charts = page.evaluate("""() => Array.from(document.querySelectorAll('figure.prebirth-figure')).map(f => {
        let next = f.nextElementSibling;
        while (next && next.tagName !== 'DETAILS' && next.tagName !== 'FIGURE') { next = next.nextElementSibling; }
        const img = f.querySelector('img');
        return {alt: img ? img.getAttribute('alt') : null, caption: f.querySelector('figcaption')?.textContent || '',
                data: next && next.tagName === 'DETAILS' ? next.querySelectorAll('table tr').length : 0};
    })""")
    for chart in charts:
        assert chart["alt"] and len(chart["alt"]) > 30, chart
        assert chart["caption"], chart
        assert chart["data"] >= 2, chart  # a header row and at least one row of data
    images = page.evaluate("() => Array.from(document.querySelectorAll('article img')).map(i => i.getAttribute('alt'))")
    assert all(alt is not None for alt in images)
    page.close()


def test_a_chapter_prints_cleanly(browser, site):
    """Print layout of chapter 8: no menus or buttons, the banner and the charts' data kept."""
    page = browser.new_page(viewport={"width": 1000, "height": 1400})
    page.goto(f"{site}/notebooks/08_reflect_and_plan.html", wait_until="networkidle")
    page.emulate_media(media="print")
    shown = page.evaluate("""() => {
        const visible = sel => { const e = document.querySelector(sel);
            return !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden'; };
        return {sidebar: visible('.bd-sidebar-primary'), header: visible('.bd-header'),
                toc: visible('.bd-sidebar-secondary'), buttons: visible('.article-header-buttons'),
                banner: visible('.bd-header-announcement'),
                titles: Array.from(document.querySelectorAll('h1')).filter(h => h.getClientRects().length).length,
                chart_data: visible('details.prebirth-data table'), download: visible('a.prebirth-download')};
    }""")
    assert shown == {"sidebar": False, "header": False, "toc": False, "buttons": False, "banner": True,
                     "titles": 1, "chart_data": True, "download": False}, shown
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "print-08_reflect_and_plan.png"), full_page=True)
    pdf = page.pdf(format="A4", print_background=True)
    (SHOTS / "print-08_reflect_and_plan.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 2
    page.close()


@pytest.mark.parametrize("chapter", [1, 8])
def test_slides_open_offline_move_with_the_keyboard_and_pass_axe(browser, demo_book, axe_source, tmp_path, chapter):
    from prebirth.slides import write_chapter_deck

    deck = write_chapter_deck(demo_book.parameters, chapter, output_root=demo_book.folder.parent,
                              to=tmp_path / f"slides-{chapter}.html")
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    errors, requests = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda request: requests.append(request.url)
            if not request.url.startswith(("file:", "data:", "about:")) else None)
    page.goto(deck.as_uri(), wait_until="load")
    total = page.locator("section.slide").count()
    assert total >= 5
    assert page.locator("#deck-counter").text_content() == f"Slide 1 of {total}"
    assert page.locator("section.slide.current h1").count() == 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"slides-{chapter:02d}-01.png"))
    page.keyboard.press("ArrowRight")
    assert page.locator("#deck-counter").text_content() == f"Slide 2 of {total}"
    page.screenshot(path=str(SHOTS / f"slides-{chapter:02d}-02.png"))
    page.keyboard.press("End")
    assert page.locator("#deck-counter").text_content() == f"Slide {total} of {total}"
    assert "facilitators" in page.locator("section.slide.current h2").text_content()
    page.keyboard.press("ArrowLeft")
    assert page.locator("#deck-counter").text_content() == f"Slide {total - 1} of {total}"
    page.get_by_role("button", name="Previous").click()
    assert page.locator("#deck-counter").text_content() == f"Slide {total - 2} of {total}"
    # Every slide at once (as without JavaScript), so axe checks them all.
    page.evaluate("() => document.documentElement.classList.remove('deck-js')")
    violations = run_axe(page, axe_source)
    record(f"slides-{chapter:02d}", violations)
    assert not [v for v in violations if v["impact"] in FAILING_IMPACTS], violations
    assert not errors, errors
    assert not requests, requests
    page.close()
