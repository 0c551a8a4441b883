"""The demo book read as a reader reads it, in headless Chromium: on a phone (390 x 844) and on a
laptop (1366 x 900), and printed. The menu opens and its links work; no page scrolls sideways and
a wide table scrolls in its own box; search finds a word of the book; the marking (synthetic
data, NOT FOR PUBLICATION) stays on screen while the reader scrolls and is on every printed page,
each kind in its own style; a chapter prints on A4 without the long tables behind its charts.
Screenshots and the printed chapters are kept under _build/screenshots/."""

import re
import zlib

import pytest

from tests.book.test_demo_book import toc_pages
from tests.browser.test_accessibility import axe_source  # noqa: F401  (axe-core, or a skip)
from tests.browser.test_pages import browser, served  # noqa: F401  (the shared headless Chromium)
from tests.conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
SHOTS = ROOT / "_build" / "screenshots"
OWN_BOXES = ("prebirth-tablewrap", "prebirth-data", "pst-scrollable-table-container")
LONG_TABLE_ROWS = 16  # a chart's data table with this many rows or more is left out of print (prebirth.css)

# The marking's colours (prebirth.css), as a PDF writes a fill: "r g b rg" with four decimals.
SYNTHETIC_YELLOW = (0xF0, 0xE4, 0x42)
INTERNAL_RED = (0xA5, 0x0F, 0x15)


@pytest.fixture(scope="module")
def site(demo_book):
    with served(demo_book.html) as url:
        yield url


@pytest.fixture(scope="module")
def internal_site(small_internal_book):
    with served(small_internal_book.html) as url:
        yield url


def open_page(browser, url, viewport):
    page = browser.new_page(viewport=viewport)
    page.goto(url, wait_until="networkidle")
    return page


# -- the menu --------------------------------------------------------------------------------------

def test_the_menu_opens_on_a_phone_and_its_links_work(browser, site):
    page = open_page(browser, f"{site}/notebooks/01_infants_and_newborns.html", PHONE)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "phone-01_infants_and_newborns.png"))
    menu = page.locator(".primary-toggle:visible")
    assert menu.count() == 1  # one menu button, the one a reader sees
    menu.click()
    dialog = page.locator("#pst-primary-sidebar-modal")
    dialog.locator("a", has_text="Waiting times").wait_for(state="visible", timeout=5000)
    assert page.evaluate("() => document.querySelector('#pst-primary-sidebar-modal').open")
    page.screenshot(path=str(SHOTS / "phone-menu-open.png"))
    # every chapter of the book is in the menu
    names = dialog.locator("a").all_text_contents()
    assert {"Infants and newborns in care proceedings", "Waiting times", "Fathers", "Glossary"} <= {
        n.strip() for n in names}, names
    dialog.locator("a", has_text="Waiting times").click()
    page.wait_for_url("**/notebooks/04_waiting_times.html")
    assert "Waiting times" in page.locator("article h1").first.text_content()
    # and on the new page, the contents button opens the page's contents
    page.locator(".secondary-toggle:visible").click()
    contents = page.locator("#pst-secondary-sidebar-modal")
    contents.locator("a").first.wait_for(state="visible", timeout=5000)
    heading = contents.locator("a").first.text_content().strip()
    contents.locator("a").first.click()
    assert page.evaluate("() => location.hash") not in ("", "#")
    assert heading
    page.close()


def test_the_menu_button_hides_and_shows_the_chapter_list_on_a_laptop(browser, site):
    page = open_page(browser, f"{site}/notebooks/01_infants_and_newborns.html", LAPTOP)
    sidebar = page.locator("#pst-primary-sidebar")
    assert sidebar.is_visible()
    page.locator(".primary-toggle:visible").click()
    page.wait_for_function("() => document.querySelector('#pst-primary-sidebar').classList.contains('pst-sidebar-hidden')")
    page.locator(".primary-toggle:visible").click()
    page.wait_for_function("() => !document.querySelector('#pst-primary-sidebar').classList.contains('pst-sidebar-hidden')")
    page.close()


# -- nothing wider than the screen -------------------------------------------------------------------

TABLE_FIT = """() => Array.from(document.querySelectorAll('article table')).map(table => {
    let box = table.parentElement;
    while (box && box !== document.body && !['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) {
        box = box.parentElement;
    }
    const scrolls = !!box && box !== document.body;
    return {caption: (table.getAttribute('aria-label') || table.textContent).slice(0, 60),
            wider: table.getBoundingClientRect().width > table.parentElement.clientWidth + 1,
            inside: table.getBoundingClientRect().left >= -1 && (scrolls ? box.getBoundingClientRect().right
                    : table.getBoundingClientRect().right) <= innerWidth + 1,
            box: scrolls ? box.className : null};
})"""


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
@pytest.mark.parametrize("page_name", toc_pages() + ["search"])
def test_no_page_scrolls_sideways(browser, site, page_name, viewport):
    page = open_page(browser, f"{site}/{page_name}.html", viewport)
    width = page.evaluate("() => [document.scrollingElement.scrollWidth, innerWidth]")
    assert width[0] <= width[1], f"{page_name} is {width[0]} px wide in a {width[1]} px window"
    tables = page.evaluate(TABLE_FIT)
    for table in tables:
        assert table["inside"], table
        if viewport is LAPTOP:
            assert not table["wider"], f"wider than the page at 1366 px: {table}"
        elif table["wider"]:  # on a phone a wide table scrolls sideways in its own box (a markdown table: the theme's)
            assert table["box"] and any(box in table["box"] for box in OWN_BOXES), table
    page.close()


def test_a_wide_table_scrolls_in_its_own_box_on_a_phone(browser, site):
    page = open_page(browser, f"{site}/notebooks/01_infants_and_newborns.html", PHONE)
    scrolled = page.evaluate("""() => {
        const box = Array.from(document.querySelectorAll('.prebirth-tablewrap'))
            .find(b => b.scrollWidth > b.clientWidth + 1);
        if (!box) return null;
        box.scrollLeft = 10000;
        return {left: box.scrollLeft, page: document.scrollingElement.scrollLeft};
    }""")
    assert scrolled is not None, "no table of chapter 1 is wider than a phone: the test has nothing to scroll"
    assert scrolled["left"] > 0 and scrolled["page"] == 0, scrolled
    page.close()


# -- search ----------------------------------------------------------------------------------------

def test_search_finds_a_word_of_the_book_on_a_phone(browser, site):
    page = open_page(browser, f"{site}/notebooks/01_infants_and_newborns.html", PHONE)
    page.locator(".search-button__button:visible").first.click()
    field = page.locator("#pst-search-dialog input[name=q]")
    field.wait_for(state="visible", timeout=5000)
    field.fill("newborn")
    field.press("Enter")
    page.wait_for_url("**/search.html?q=newborn*")
    page.locator("#search-results li").first.wait_for(timeout=15000)
    results = page.locator("#search-results li a").all_text_contents()
    assert any("Infants and newborns" in r for r in results), results
    assert page.evaluate("() => document.scrollingElement.scrollWidth <= innerWidth")
    page.close()


# -- the marking -----------------------------------------------------------------------------------

MARKING_ON_SCREEN = """() => {
    const tags = Array.from(document.querySelectorAll('.prebirth-marking-strip .prebirth-tag'));
    const menu = Array.from(document.querySelectorAll('.primary-toggle')).find(b => b.offsetParent !== null);
    const onTop = e => { const r = e.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return !!hit && (hit === e || e.contains(hit)); };
    return {tags: tags.map(t => { const r = t.getBoundingClientRect(); const s = getComputedStyle(t);
                return {text: t.textContent.trim(), top: r.top, bottom: r.bottom, visible: onTop(t),
                        background: s.backgroundColor, border: s.borderTopStyle, color: s.color}; }),
            menu_visible: !!menu && onTop(menu), height: innerHeight,
            at_bottom: Math.ceil(scrollY + innerHeight) >= document.scrollingElement.scrollHeight - 1};
}"""


def marking_after_scrolling(page) -> dict:
    page.evaluate("() => window.scrollTo(0, document.scrollingElement.scrollHeight)")
    page.wait_for_timeout(200)
    return page.evaluate(MARKING_ON_SCREEN)


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_synthetic_marking_stays_on_screen_to_the_foot_of_the_page(browser, site, viewport):
    page = open_page(browser, f"{site}/notebooks/04_waiting_times.html", viewport)
    shown = marking_after_scrolling(page)
    assert shown["at_bottom"]
    assert [t["text"] for t in shown["tags"]] == ["Synthetic data"], shown
    tag = shown["tags"][0]
    assert tag["visible"] and 0 <= tag["top"] and tag["bottom"] <= shown["height"], shown
    assert shown["menu_visible"], "the marking covers the menu button"
    assert "NOT FOR PUBLICATION" not in page.content()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"marking-synthetic-{viewport['width']}.png"))
    page.close()


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_an_internal_book_says_not_for_publication_on_screen_as_the_reader_scrolls(browser, internal_site, viewport):
    page = open_page(browser, f"{internal_site}/notebooks/01_infants_and_newborns.html", viewport)
    shown = marking_after_scrolling(page)
    assert shown["at_bottom"]
    internal, synthetic = shown["tags"]
    assert internal["text"] == "NOT FOR PUBLICATION" and synthetic["text"] == "Synthetic data", shown
    for tag in (internal, synthetic):
        assert tag["visible"] and 0 <= tag["top"] and tag["bottom"] <= shown["height"], shown
    # two kinds, two styles: not the colour alone (the border and the lettering differ too)
    assert internal["background"] != synthetic["background"] and internal["color"] != synthetic["color"]
    assert (internal["border"], synthetic["border"]) == ("double", "dashed"), shown
    assert shown["menu_visible"], "the marking covers the menu button"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"marking-internal-{viewport['width']}.png"))
    page.close()


OBJECT = re.compile(rb"(\d+) 0 obj(.*?)(stream\r?\n|endobj)", re.S)


def pdf_objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Each object of a PDF: its dictionary, and its stream's bytes (None if it has none). Objects
    are read in file order and a stream by its /Length, never by looking for "endstream": the
    compressed bytes can hold anything (a page's stream may end in a carriage return, which a
    pattern "\\r?\\nendstream" takes for the line end, cutting the stream short by one byte)."""
    objects, at = {}, 0
    while found := OBJECT.search(pdf, at):
        number, head = int(found.group(1)), found.group(2)
        if found.group(3) == b"endobj":
            objects[number], at = (head, None), found.end()
            continue
        length = re.search(rb"/Length\s+(\d+)(\s+0\s+R)?", head)
        size = int(length.group(1))
        if length.group(2):  # the length is an object of its own
            size = int(re.search(rb"\b%d 0 obj\s*(\d+)\s*endobj" % size, pdf).group(1))
        objects[number] = (head, pdf[found.end():found.end() + size])
        at = pdf.index(b"endobj", found.end() + size) + len(b"endobj")
    return objects


def pdf_pages(pdf: bytes) -> list[bytes]:
    """The content of each page of a PDF written by Chromium (each page's /Contents streams, decoded)."""
    objects = pdf_objects(pdf)

    def stream(number: int) -> bytes:
        head, data = objects[number]
        filters = re.findall(rb"/(\w+Decode)", head)
        assert filters in ([], [b"FlateDecode"]), f"page content {number} is encoded with {filters}"
        return zlib.decompress(data) if filters else data

    pages = [head for _, (head, _) in sorted(objects.items()) if re.search(rb"/Type\s*/Page\b", head)]
    return [b"".join(stream(int(n)) for n in re.findall(rb"(\d+) 0 R", re.search(rb"/Contents\s*(\[[^\]]*\]|\d+ 0 R)",
                                                                                  page).group(1)))
            for page in pages]


def test_the_pdf_reader_reads_a_page_whose_compressed_content_ends_in_a_carriage_return():
    content = next(c for c in (b"0 0 1 rg\n" + b"q\n" * n for n in range(1000)) if zlib.compress(c).endswith(b"\r"))
    data = zlib.compress(content)
    pdf = (b"%%PDF-1.4\n1 0 obj\n<</Type /Page\n/Contents 2 0 R>>\nendobj\n2 0 obj\n<</Filter /FlateDecode\n"
           b"/Length %d>> stream\n%s\nendstream\nendobj\n" % (len(data), data))
    assert pdf_pages(pdf) == [content]


def paints(content: bytes, rgb: tuple[int, int, int]) -> bool:
    """Whether a page's content sets this colour (fill or stroke), as Chromium writes it."""
    for r, g, b, _ in re.findall(rb"([\d.]+) ([\d.]+) ([\d.]+) (rg|RG)", content):
        if all(abs(float(v) - c / 255) < 0.003 for v, c in zip((r, g, b), rgb)):
            return True
    return False


def print_chapter(browser, url: str, name: str) -> tuple[object, bytes]:
    page = open_page(browser, url, {"width": 1000, "height": 1400})
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"print-{name}.pdf").write_bytes(pdf)
    return page, pdf


def test_every_printed_page_says_synthetic_data(browser, site):
    page, pdf = print_chapter(browser, f"{site}/notebooks/01_infants_and_newborns.html", "01_infants_and_newborns")
    assert page.locator(".prebirth-mark--synthetic").is_visible()  # in full, at the top of the first page
    assert not page.locator(".prebirth-marking-strip").is_visible()  # the page margins carry it instead
    pages = pdf_pages(pdf)
    assert len(pages) >= 3
    assert [n for n, content in enumerate(pages, 1) if not paints(content, SYNTHETIC_YELLOW)] == []
    assert not any(paints(content, INTERNAL_RED) for content in pages)
    page.close()


def test_every_printed_page_of_an_internal_book_says_not_for_publication(browser, internal_site):
    page, pdf = print_chapter(browser, f"{internal_site}/notebooks/01_infants_and_newborns.html", "internal-01")
    assert page.locator(".prebirth-mark--internal").is_visible()
    assert page.locator(".prebirth-mark--synthetic").is_visible()
    pages = pdf_pages(pdf)
    assert len(pages) >= 2
    assert [n for n, content in enumerate(pages, 1) if not paints(content, INTERNAL_RED)] == []
    assert [n for n, content in enumerate(pages, 1) if not paints(content, SYNTHETIC_YELLOW)] == []
    page.close()


# -- print -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("chapter", "most_pages"), [("01_infants_and_newborns", 12), ("04_waiting_times", 10)])
def test_a_chapter_prints_on_a4_without_its_long_chart_tables(browser, site, chapter, most_pages):
    """Chapter 1 printed on 15 pages and chapter 4 on 11 before the long tables behind the funnel
    plot and the survival curves were left out of print (they are in each chart's CSV). As the
    chapters grew they printed on 14 and 12, until a table was let run on over a page break, charts
    were held to 95 mm, lines set closer and the folds for analysts left out of print (12 and 9)."""
    page, pdf = print_chapter(browser, f"{site}/notebooks/{chapter}.html", chapter)
    pages = pdf_pages(pdf)
    sizes = {tuple(round(float(v)) for v in m) for m in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)}
    assert sizes == {(596, 843)}, sizes  # A4 (595 x 842 points)
    count = len(pages)
    assert count <= most_pages, f"{chapter} prints on {count} pages"
    shown = page.evaluate(f"""() => Array.from(document.querySelectorAll('details.prebirth-data')).map(d => ({{
        rows: d.querySelectorAll('tbody > tr').length,
        table: d.querySelector('table').getClientRects().length > 0,
        note: getComputedStyle(d.querySelector('summary'), '::after').content}}))""")
    assert any(d["rows"] >= LONG_TABLE_ROWS for d in shown), "no long chart table: the test has nothing to check"
    for d in shown:
        if d["rows"] >= LONG_TABLE_ROWS:
            assert not d["table"] and "CSV" in d["note"], d
        else:
            assert d["table"], d
    kept = page.evaluate("""() => Array.from(document.querySelectorAll('article h2, article h3'))
        .map(h => getComputedStyle(h).breakAfter)""")
    assert kept and set(kept) == {"avoid"}, kept
    page.close()


# -- accessibility on a phone ------------------------------------------------------------------------

def test_no_accessibility_violation_on_a_phone_with_the_menu_open(browser, site, axe_source):
    from tests.browser.test_accessibility import FAILING_IMPACTS, run_axe

    page = open_page(browser, f"{site}/notebooks/01_infants_and_newborns.html", PHONE)
    page.locator(".primary-toggle:visible").click()
    page.locator("#pst-primary-sidebar-modal a").first.wait_for(state="visible", timeout=5000)
    violations = [v for v in run_axe(page, axe_source) if v["impact"] in FAILING_IMPACTS]
    assert not violations, violations
    page.close()


def test_an_internal_book_has_no_accessibility_violation(browser, internal_site, axe_source):
    from tests.browser.test_accessibility import FAILING_IMPACTS, run_axe

    for viewport in (PHONE, LAPTOP):
        page = open_page(browser, f"{internal_site}/notebooks/01_infants_and_newborns.html", viewport)
        violations = [v for v in run_axe(page, axe_source) if v["impact"] in FAILING_IMPACTS]
        assert not violations, (viewport, violations)
        page.close()
