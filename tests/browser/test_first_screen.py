"""The first screen of each page, as a reader sees it before scrolling (demo book, headless Chromium):
on a laptop (1366 x 900) and on a phone (390 x 844), every chapter opens with its "Main points"
callout, and at least one main point with a number is wholly on that first screen; the intro page
opens with the main point of every chapter, each a link to its chapter. Screenshots are kept under
_build/screenshots/."""

from pathlib import Path

import pytest

from tests.book.test_demo_book import toc_pages
from tests.browser.test_pages import browser  # noqa: F401  (the shared headless Chromium)
from tests.browser.test_reading import LAPTOP, PHONE, SHOTS, open_page, site  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHAPTERS = [page for page in toc_pages() if page.startswith("notebooks/")]
VIEWPORTS = {"laptop": LAPTOP, "phone": PHONE}

# What the first screen shows of the page's first "Main points" callout: where it starts, its title,
# and the points (list items) that hold a digit and lie wholly between the top and the foot of the
# screen (not hidden under the marking that stays at the top).
FIRST_SCREEN = """(height) => {
  const box = document.querySelector('article .prebirth-mainpoints');
  if (!box) return null;
  const banner = [...document.querySelectorAll('.bd-header-announcement, .prebirth-banner')]
    .map(e => e.getBoundingClientRect().bottom).reduce((a, b) => Math.max(a, b), 0);
  const points = [...box.querySelectorAll('li')].filter(li => {
    const r = li.getBoundingClientRect();
    return /\\d/.test(li.textContent) && r.top >= banner && r.bottom <= height;
  });
  return {top: box.getBoundingClientRect().top, title: box.textContent.trim().slice(0, 40),
          points: points.map(li => li.textContent.trim()),
          links: [...box.querySelectorAll('li a')].map(a => a.getAttribute('href'))};
}"""


def first_screen(browser, site, page_name, viewport):  # noqa: F811
    page = open_page(browser, f"{site}/{page_name}.html", VIEWPORTS[viewport])
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"first-screen-{viewport}-{Path(page_name).name}.png"))
        return page.evaluate(FIRST_SCREEN, VIEWPORTS[viewport]["height"])
    finally:
        page.close()


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("page_name", CHAPTERS)
def test_a_chapter_opens_with_its_main_points_on_the_first_screen(browser, site, page_name, viewport):  # noqa: F811
    seen = first_screen(browser, site, page_name, viewport)
    assert seen is not None, f"{page_name} has no Main points callout"
    assert seen["title"].startswith("Main points"), seen
    assert 0 <= seen["top"] < VIEWPORTS[viewport]["height"], seen
    assert seen["points"], f"{page_name} at {viewport}: no main point with a number on the first screen ({seen})"


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_the_intro_opens_with_the_main_point_of_every_chapter(browser, site, viewport):  # noqa: F811
    seen = first_screen(browser, site, "pages/intro", viewport)
    assert seen is not None and seen["title"].startswith("Main points"), seen
    assert seen["points"], seen
    # one point for each chapter, each linking to its chapter's page
    assert [Path(link.split("#")[0]).stem for link in seen["links"]] == [Path(c).name for c in CHAPTERS]
    if viewport == "laptop":  # the whole overview is one laptop screen
        assert len(seen["points"]) == len(CHAPTERS), seen
