"""Charts and tables of the demo book as a reader sees them, in headless Chromium on a desktop
(1366 x 900) and on a phone (390 x 844): every chart an SVG (or at least twice its displayed
width), its text no smaller than its caption's on a phone, and no page or table wider than the
screen (a wide table scrolls inside its own box)."""

import base64
import html
import re

import pytest

from tests.book.test_demo_book import toc_pages
from tests.browser.test_pages import browser, site  # noqa: F401  (one book and one browser for the module)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
CHAPTERS = [p for p in toc_pages() if p.startswith("notebooks/")]

_IMAGES = """() => Array.from(document.querySelectorAll('article img')).map(i => {
    const figure = i.closest('figure');
    const caption = figure ? figure.querySelector('figcaption .prebirth-chartwhat, figcaption') : null;
    return {src: i.currentSrc || i.src, shown: i.getBoundingClientRect().width, natural: i.naturalWidth,
            caption: caption ? parseFloat(getComputedStyle(caption).fontSize) : null};
})"""


def _svg_sizes(src: str) -> tuple[float, list[float]]:
    """The SVG's width in its own units and the size of every text in it."""
    svg = base64.b64decode(src.split(",", 1)[1]).decode()
    width = float(re.search(r'viewBox="[\d.]+ [\d.]+ ([\d.]+) ', svg).group(1))
    return width, [float(s) for s in re.findall(r'<text style="[^"]*?font-size: ([\d.]+)px', svg)]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
@pytest.mark.parametrize("page_name", CHAPTERS)
def test_charts_are_sharp_and_no_page_scrolls_sideways(browser, site, page_name, viewport):  # noqa: F811
    page = browser.new_page(viewport=viewport)
    page.goto(f"{site}/{page_name}.html", wait_until="networkidle")
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths[0]} px wide in {widths[1]} px"
    for image in page.evaluate(_IMAGES):
        if not image["shown"]:
            continue
        if image["src"].startswith("data:image/svg+xml;base64,"):
            pass
        else:
            assert image["natural"] >= 2 * image["shown"], (page_name, image["src"][:40], image)
    # every table fits the page, or scrolls inside its own box (never the page)
    tables = page.evaluate("""() => Array.from(document.querySelectorAll('article table')).map(t => {
        let box = t.parentElement;
        while (box && getComputedStyle(box).overflowX !== 'auto' && getComputedStyle(box).overflowX !== 'scroll'
               && box.tagName !== 'ARTICLE') { box = box.parentElement; }
        return {table: t.getBoundingClientRect().width, article: document.querySelector('article').clientWidth,
                scrolls: !!box && box.tagName !== 'ARTICLE', box: box ? box.getBoundingClientRect().width : 0};
    })""")
    for table in tables:
        if table["table"] > table["article"] + 1:
            assert viewport is PHONE, f"a table is wider than the page at 1366 px: {table}"
            assert table["scrolls"] and table["box"] <= table["article"] + 1, table
    page.close()


def test_the_phone_gets_the_narrow_drawing_and_the_desktop_the_wide_one(browser, site):  # noqa: F811
    shown = {}
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = browser.new_page(viewport=viewport)
        page.goto(f"{site}/notebooks/01_infants_and_newborns.html", wait_until="networkidle")
        shown[name] = page.evaluate(_IMAGES)[0]
        page.close()
    assert shown["desktop"]["src"] != shown["phone"]["src"]
    assert shown["phone"]["natural"] < shown["desktop"]["natural"]


def test_chapter_one_first_chart_has_a_title_stating_the_finding_and_a_source(browser, site):  # noqa: F811
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{site}/notebooks/01_infants_and_newborns.html", wait_until="networkidle")
    figure = page.locator("figure.prebirth-figure").first
    title = figure.locator(".prebirth-charttitle").inner_text()
    assert re.fullmatch(r"In \d{4}/\d{2}, [\d.]+ newborns per 10,000 live births in .+ were in care proceedings"
                        r" \(England: [\d.]+(, invented for the demo|, published: .+)?\)", title), title  # its source
    assert figure.locator(".prebirth-source").inner_text().startswith("Source: ")
    svg = base64.b64decode(figure.locator("img").get_attribute("src").split(",", 1)[1]).decode()
    words = " ".join(html.unescape(w) for w in re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S))
    assert title.split(" (")[0].split(", ", 1)[1].split()[0] in words  # the finding's figure is drawn in
    assert "Synthetic data" in words and "Source: " in words  # the demo book is synthetic
    page.close()


@pytest.mark.parametrize("page_name", CHAPTERS)
def test_chart_text_on_a_phone_is_no_smaller_than_the_caption(browser, site, page_name):  # noqa: F811
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{site}/{page_name}.html", wait_until="networkidle")
    for image in page.evaluate(_IMAGES):
        if image["shown"] and image["caption"] is not None and image["src"].startswith("data:image/svg+xml"):
            width, sizes = _svg_sizes(image["src"])
            smallest = min(sizes) * image["shown"] / width  # CSS px as displayed
            assert smallest >= image["caption"] - 0.5, (page_name, smallest, image["caption"])
    page.close()
