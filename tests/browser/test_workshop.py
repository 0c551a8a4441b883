"""The workshop deck the build writes (workshop/workshop.html), in headless Chromium at 1280 x 720: every slide
fits without scrolling, nothing is fetched, the notes show only in the notes view, and chapter 8 links the kit.
The first slide's screenshot is kept under _build/screenshots/."""

import pytest

from tests.browser.test_pages import browser  # noqa: F401  (the shared headless Chromium)
from tests.conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SHOTS = ROOT / "_build" / "screenshots"

# What sticks out of the current slide: its own size against the window, the body's scrolled size against its
# box, and any element drawn past the slide's edges.
OVERFLOW = """() => {
  const slide = document.querySelector('section.slide.current');
  const body = slide.querySelector('.deck-body');
  const edge = slide.getBoundingClientRect();
  const out = [];
  if (slide.scrollHeight > slide.clientHeight + 1 || slide.scrollWidth > slide.clientWidth + 1) out.push('slide');
  if (body.scrollHeight > body.clientHeight + 1 || body.scrollWidth > body.clientWidth + 1) out.push('body');
  if (edge.height > window.innerHeight + 1 || edge.width > window.innerWidth + 1) out.push('window');
  for (const el of slide.querySelectorAll('.deck-body *, h1, h2, .deck-kicker, .deck-foot *')) {
    if (el.closest('.deck-notes')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.bottom > edge.bottom + 1 || r.right > edge.right + 1 || r.top < edge.top - 1) out.push(el.tagName);
  }
  return {title: slide.querySelector('h1, h2').textContent, out: out};
}"""


@pytest.fixture(scope="module")
def deck(demo_book):
    path = demo_book.html / "workshop" / "workshop.html"
    assert path.is_file(), "the build writes the workshop deck into the book"
    return path


def test_every_workshop_slide_fits_1280_by_720_without_scrolling(browser, deck):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url)
            if not request.url.startswith(("file:", "data:", "about:")) else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(deck.as_uri(), wait_until="load")
    total = page.locator("section.slide").count()
    assert total >= 10
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "workshop-01.png"))
    kinds = set()
    problems = []
    for number in range(1, total + 1):
        assert page.locator("#deck-counter").text_content() == f"Slide {number} of {total}"
        found = page.evaluate(OVERFLOW)
        if found["out"]:
            problems.append((number, found))
        kinds.add(page.locator("section.slide.current").get_attribute("class"))
        assert not page.locator("section.slide.current .deck-notes").is_visible()  # hidden on the slide
        page.keyboard.press("ArrowRight")
    assert not problems, problems
    assert any("figure" in k for k in kinds) and any("prompts" in k for k in kinds)
    assert not requests, requests
    assert not errors, errors
    page.close()


def test_the_notes_view_shows_the_speaker_notes(browser, deck):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(deck.as_uri() + "#slide-2", wait_until="load")
    notes = page.locator("section.slide.current .deck-notes")
    assert not notes.is_visible()
    page.keyboard.press("n")
    assert notes.is_visible() and "Speaker notes" in notes.text_content()
    assert page.locator("#deck-notes-toggle").get_attribute("aria-pressed") == "true"
    page.keyboard.press("n")
    assert not notes.is_visible()
    page.emulate_media(media="print")
    assert notes.is_visible()  # handouts carry the notes
    page.close()


def test_chapter_8_links_the_workshop_kit(demo_book):
    text = demo_book.page("08_reflect_and_plan")
    for link in ("../workshop/workshop.html", "../workshop/rag-worksheet.xlsx", "../workshop/rag-worksheet.html"):
        assert f'href="{link}"' in text
        assert (demo_book.html / "notebooks" / link).resolve().is_file()
    assert "Mason, C., Broadhurst, K., Ward, H., Barnett, A. and Holmes, L. (2023)" in text
