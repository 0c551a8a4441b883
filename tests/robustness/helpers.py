"""Run real builds as separate processes, watch what they print, and stop them hard."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml

PREBIRTH = Path(sys.executable).with_name("prebirth")
ROOT = Path(__file__).resolve().parents[2]


class Build:
    """One ``prebirth build`` in its own process group, its output collected line by line."""

    def __init__(self, parameters: Path, output: Path, *extra: str):
        self.command = [str(PREBIRTH), "build", str(parameters), "--output", str(output), "-j", "1", *extra]
        self.lines: list[str] = []
        self.process = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, condition, timeout: float = 300, what: str = "") -> None:
        """Wait until ``condition()`` holds (or fail, naming what was awaited, if the build ended first)."""
        deadline = time.monotonic() + timeout
        while not condition():
            if self.process.poll() is not None:
                self._reader.join(5)
                if condition():
                    return
                raise AssertionError(f"the build ended (code {self.process.returncode}) before {what}:\n{self.output}")
            if time.monotonic() > deadline:
                raise AssertionError(f"waited {timeout} s for {what}:\n{self.output}")
            time.sleep(0.05)

    def printed(self, text: str) -> bool:
        return any(text in line for line in list(self.lines))

    def kill(self) -> None:
        """SIGKILL the build and everything in its process group (its worker processes)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)
        self._reader.join(10)

    def finish(self, timeout: float = 600) -> int:
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
        self._reader.join(10)
        return code


def copy_book(folder: Path, root: Path) -> Path:
    """A copy of a whole build folder (book, cache and render state) under another output root."""
    target = root / folder.name
    shutil.copytree(folder, target, ignore=shutil.ignore_patterns(".lock"))
    return target


def needs_render(folder: Path) -> None:
    """Make the next build render the book again (its chapters stay cached)."""
    (folder / ".work" / "render.key").unlink(missing_ok=True)


def needs_chapters(folder: Path, *stems: str) -> None:
    """Make the next build execute these chapters again."""
    for stem in stems:
        (folder / ".work" / "cache" / f"{stem}.key").unlink(missing_ok=True)


def digest(folder: Path) -> dict[str, str]:
    """What readers see of a book: every file of html/, and indicators.csv and manifest.json."""
    files = {str(p.relative_to(folder)): p for p in sorted((folder / "html").rglob("*")) if p.is_file()}
    for name in ("indicators.csv", "manifest.json"):
        if (folder / name).is_file():
            files[name] = folder / name
    return {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in files.items()}


def toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc["parts"]:
        pages += [c["file"] for c in part["chapters"]]
    return pages


def assert_complete(folder: Path) -> None:
    """A whole book: every page of the table of contents, its downloads, no half-published copies."""
    html = folder / "html"
    for page in toc_pages():
        path = html / f"{page}.html"
        assert path.is_file() and path.stat().st_size > 1000, f"{page}.html is missing or empty"
        assert "</html>" in path.read_text(encoding="utf-8")[-200:], f"{page}.html is cut short"
    assert (html / "downloads" / "indicators.csv").is_file()
    assert (html / "downloads" / "indicators.csv").read_bytes() == (folder / "indicators.csv").read_bytes()
    for leftover in ("html.new", "html.old"):
        assert not (folder / leftover).exists(), f"{leftover} left behind"


def lock_held(folder: Path) -> bool:
    """True while some build holds the area's lock."""
    path = folder / ".lock"
    if not path.exists():
        return False
    with open(path) as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False
