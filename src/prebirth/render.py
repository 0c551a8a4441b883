"""Render the book (DESIGN 3, step 6): write the area's Jupyter Book source (configuration
with its title and banner, pages, styles) beside the executed notebooks, and run Jupyter
Book 1 on it, execution off, in a process of its own; skipped when no page changed.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import yaml

from . import layout, lifeline
from .config import AreaParameters, banner
from .exit_codes import BuildError
from .data.load import sha256_of
from .fingerprints import _sha


def _write_if_changed(path: Path, text: str) -> None:
    """Keep the file (and its time stamp, for Sphinx's incremental build) when nothing changed."""
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _sync_tree(source: Path, target: Path) -> None:
    for path in source.rglob("*"):
        if path.is_file():
            dest = target / path.relative_to(source)
            if not dest.exists() or dest.read_bytes() != path.read_bytes():
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest)


def write_book_source(params: AreaParameters, src: Path) -> None:
    """The Jupyter Book source for this area: config with the area's title and banner, pages."""
    config = yaml.safe_load((layout.ROOT / "_config.yml").read_text())
    config["title"] = f"Pre-birth Data Book: {params.area_name}"
    config["html"]["announcement"] = marking(params)
    config["exclude_patterns"] = ["_build", "**.ipynb_checkpoints", "extra"]
    _write_if_changed(src / "_config.yml", yaml.safe_dump(config, sort_keys=False))
    _write_if_changed(src / "_toc.yml", (layout.ROOT / "_toc.yml").read_text())
    _sync_tree(layout.ROOT / "pages", src / "pages")
    _sync_tree(layout.PACKAGE_DIR / "assets" / "static", src / "_static")
    _sync_tree(layout.PACKAGE_DIR / "assets" / "templates", src / "_templates")
    (src / "extra" / "downloads").mkdir(parents=True, exist_ok=True)


PUBLISHED_LABEL = "Published book"


def marking(params: AreaParameters, built: str = "") -> str:
    """What the top of every page says: the banner of an internal or a synthetic book; a published
    book of real data says what it is and, once dated, the day it was built."""
    text = banner(params)
    if text or not built:
        return text
    return (f"{PUBLISHED_LABEL}: the Pre-birth Data Book for {params.area_name}, "
            f"{params.period.start:%-d %B %Y} to {params.period.end:%-d %B %Y}; numbers under {params.min_count} are "
            f"withheld. Built on {built}.")


def date_the_book(params: AreaParameters, src: Path, work: Path, today: date | None = None) -> None:
    """Put the build's day into a published book's marking. The day is that of the build that last
    changed the book: a rebuild with nothing changed keeps the day (and is not rendered again)."""
    if banner(params):
        return
    stamp = source_stamp(src)  # the book as it is, without its day
    record = work / "built_on.json"
    try:
        last = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        last = {}
    day = last.get("day") if isinstance(last, dict) and last.get("stamp") == stamp else None
    day = day or f"{today or date.today():%-d %B %Y}"
    config = yaml.safe_load((src / "_config.yml").read_text(encoding="utf-8"))
    config["html"]["announcement"] = marking(params, day)
    _write_if_changed(src / "_config.yml", yaml.safe_dump(config, sort_keys=False))
    _write_if_changed(record, json.dumps({"stamp": stamp, "day": day}))


OVERVIEW = Path("pages") / "overview.md"  # included by pages/intro.md

# asides the chapter gives in full: the research cited ("(Broadhurst et al. 2018, ...)") and an interval
# ("(95% confidence interval ...)")
_ASIDE = re.compile(r"\s*\((?:[^()]*\bet al\.|95% confidence interval)[^()]*\)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def short_point(finding: str) -> str:
    """A main point as the overview says it: its first sentence, without the research it cites or its
    interval (the chapter gives them), so that every chapter's point fits the intro's first screen."""
    said = _ASIDE.sub("", finding).strip()
    first = _SENTENCE_END.split(said, maxsplit=1)[0].strip()
    return first if first.endswith((".", "!", "?")) else first + "."


def overview_markdown(results_dir: Path, titles: dict[str, str]) -> str:
    """The intro page's "how your area compares": each chapter's first main point (else its first
    key finding), as the book's one disclosure decision publishes it, shortened to its first sentence
    (:func:`short_point`), with a link to the chapter.

    ``titles``: notebook stem -> chapter title. Read from each chapter's published results
    (``results/<key>.json``): nothing is computed or disclosed again here.
    """

    lines = []
    for nb in layout.NOTEBOOKS:
        title = titles.get(nb.stem, nb.stem)
        link = f"[{title}](../notebooks/{nb.stem}.ipynb)"
        path = results_dir / f"{nb.key}.json"
        if not path.exists():
            said = "This chapter could not be built this time; its page says why."
        else:
            payload = json.loads(path.read_text(encoding="utf-8"))
            findings = payload.get("findings", [])
            first = next((f for f in findings if f.get("main")), findings[0] if findings else None)
            if first is not None:
                said = short_point(first["finding"])
            elif payload.get("status", {}).get("answer") == "not yet":
                said = "Your data cannot answer this question yet: chapter 0 says what to record."
            else:
                said = "See the chapter."
        lines.append(f"- **{link}:** {said}")
    return "\n".join(lines) + "\n"


def write_overview(src: Path, results_dir: Path, titles: dict[str, str]) -> None:
    """Write the intro page's overview into the book source (kept as it is when nothing changed)."""
    _write_if_changed(src / OVERVIEW, overview_markdown(results_dir, titles))


def source_stamp(src: Path) -> str:
    """Fingerprint of everything Jupyter Book reads: when it matches the last render's, the
    HTML would come out the same, so the render is skipped."""
    files = sorted(p for p in src.rglob("*") if p.is_file())
    return _sha(b"jupyter-book", *[str(p.relative_to(src)).encode() + b"=" + sha256_of(p).encode() for p in files])


def render(src: Path, render_dir: Path) -> None:
    """Jupyter Book 1, execution off; Sphinx keeps its environment between builds (incremental)."""
    done = _start_render(src, render_dir)
    _finish_render(done, render_dir)


def _start_render(src: Path, render_dir: Path) -> subprocess.Popen:
    command = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(src), "--path-output",
               str(render_dir), "--builder", "html"]
    # It ends with the thread that starts it, which waits for it (lifeline): never left rendering for no one.
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lifeline.die_with_parent)


def _finish_render(process: subprocess.Popen, render_dir: Path) -> None:
    stdout, stderr = process.communicate()
    if process.returncode in (-signal.SIGINT, 128 + signal.SIGINT) or "KeyboardInterrupt" in stderr:
        raise KeyboardInterrupt  # Ctrl-C reached Jupyter Book first: the build is stopping, not failing
    render_dir.mkdir(parents=True, exist_ok=True)
    log = render_dir / "render.log"
    log.write_text(stdout + "\n" + stderr)
    if process.returncode != 0 or "Traceback" in stdout:
        raise BuildError(f"Jupyter Book could not render the book; see {log}")
