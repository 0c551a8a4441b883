"""Every page of the demo book in real headless Chromium: no console error, no request
leaving the site. Screenshots of each chapter are kept under _build/screenshots/."""

import contextlib
import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

from tests.book.test_demo_book import toc_pages
from tests.conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync", "--disable-quic"]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: .ci/run should have installed the Debian package 'chromium'")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return path


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # the test reports what matters; the server's log is noise
        pass


@contextlib.contextmanager
def served(folder):
    """A built book's folder served over HTTP on a free local port: yields its address."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def site(demo_book):
    with served(demo_book.html) as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.mark.parametrize("page_name", toc_pages())
def test_page_opens_cleanly(browser, site, page_name):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors, outside = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith((site, "data:", "blob:", "about:")) else None)
    response = page.goto(f"{site}/{page_name}.html", wait_until="networkidle")
    assert response is not None and response.ok
    assert page.locator("h1").count() >= 1
    assert not errors, errors
    assert not outside, outside
    if page_name.startswith("notebooks/"):
        shots = ROOT / "_build" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / f"{Path(page_name).name}.png"), full_page=True)
    page.close()
