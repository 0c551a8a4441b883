"""Publish the book (DESIGN 3, step 7): the output folders the build may write in (marked
as its own), one build of an area at a time, indicators.csv from the chapters' results,
the rendered book swapped in atomically (a failed build leaves the last good book
untouched), a full disk said plainly, and the site index linking every area's book.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import html as html_text
import json
import os
import shutil
import threading
from pathlib import Path
from typing import Callable, Sequence

from . import layout
from .config import ParameterError
from .exit_codes import BuildError
from .fingerprints import _sha


# -- the output folder: the build writes and removes only what it made -----------------
# The output folder and each area's folder in it carry a small MARKER file, written when
# the build makes them. The build overwrites or removes nothing in a folder without one:
# an analyst's own folder given as --output, or a folder that happens to have an area's
# name (the data folder, say), is refused before anything is written (exit code 2).
# Folders made by versions of this tool from before the marker are taken over (adopted):
# an area folder holding manifest.json and .work/, or an output folder whose index.html
# is the site index. An empty folder is taken over too: there is nothing in it to lose.

MARKER = ".prebirth-build"
_MARKER_TEXT = ("Made by the Pre-birth Data Book (prebirth build). The build overwrites and removes files only in "
                "folders that hold this file.\n")
ROOT_FILES = ("index.html", ".kernels.log", ".timings.json")  # what the build writes at the top of the output folder
_SITE_INDEX_TITLE = "<title>Pre-birth Data Book: books by area</title>"


class OutputRefused(ParameterError):
    """The output folder holds files the build did not make and would overwrite (exit code 2)."""


def default_output() -> Path:
    """Where books go unless ``--output`` says: ``_build/`` in the current folder (never the
    folder the package happens to be installed from)."""
    return Path.cwd() / "_build"


def _is_site_index(path: Path) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return _SITE_INDEX_TITLE in handle.read(4096)
    except OSError:
        return False


def check_output_root(root: Path) -> None:
    """Refuse an output folder whose top-level files (``ROOT_FILES``) the build would
    overwrite but did not make. Writes nothing."""
    if root.exists() and not root.is_dir():
        raise OutputRefused(f"--output {root}: this is a file, not a folder; nothing was written. Give a folder.")
    for name in ROOT_FILES:  # a link would send the build's writes elsewhere
        if (root / name).is_symlink():
            raise OutputRefused(f"{root / name} is a link, which the build would write through; nothing was "
                                f"written. Remove it or build into another folder (--output).")
    if not root.is_dir() or (root / MARKER).is_file():
        return
    theirs = [name for name in ROOT_FILES if (root / name).exists()
              and not (name == "index.html" and _is_site_index(root / name))
              and not (name != "index.html" and (root / name).is_file())]
    if theirs:
        raise OutputRefused(
            f"{root} was not made by this tool (it has no {MARKER} file) and holds {', '.join(theirs)}, which the "
            f"build would overwrite; nothing was written. Build into a new or empty folder (--output), or move "
            f"{'that file' if len(theirs) == 1 else 'those files'} away.")


def claim_output_root(root: Path) -> None:
    """Make the output folder if needed and mark it as the build's (after :func:`check_output_root`)."""
    root.mkdir(parents=True, exist_ok=True)
    if not (root / MARKER).is_file():
        (root / MARKER).write_text(_MARKER_TEXT, encoding="utf-8")


def check_area_folder(folder: Path, root: Path) -> bool:
    """Whether the area's folder is still to be made (True) or is the build's own (False);
    refuses one the build did not make. Writes nothing."""
    if folder.is_symlink() or folder.resolve().parent != root.resolve():
        raise OutputRefused(f"{folder} is not a folder inside {root} (it is a link, or leads elsewhere); nothing was "
                            f"written. Remove the link or build into another folder (--output).")
    if not folder.exists():
        return True
    if folder.is_dir():
        if (folder / MARKER).is_file():
            return False
        if (folder / "manifest.json").is_file() and (folder / ".work").is_dir():
            return False  # made by an earlier version of this tool: taken over
        if not any(folder.iterdir()):
            return False
    raise OutputRefused(
        f"{folder} already exists and was not made by this tool (it has no {MARKER} file); the build would "
        f"overwrite what is in it, so nothing was written. Build into another folder (--output), or rename the "
        f"parameters file (the book's folder is named after it).")


def claim_area_folder(folder: Path, make: bool) -> bool:
    """Make the area's folder with its marker, in one step (``make``), or mark the existing
    one as the build's. Returns whether this build made it: only then may a failure remove it."""
    if not make:
        if not (folder / MARKER).is_file():
            (folder / MARKER).write_text(_MARKER_TEXT, encoding="utf-8")
        return False
    staging = folder.with_name(f".{folder.name}.{os.getpid()}.{threading.get_ident()}.new")
    staging.mkdir()
    try:
        (staging / MARKER).write_text(_MARKER_TEXT, encoding="utf-8")
        os.rename(staging, folder)  # fails if another build made it meanwhile
        return True
    except OSError:
        if not (folder / MARKER).is_file():
            raise
        return False  # another build of the area made it, marker and all
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def _remove_own(path: Path, within: Path) -> None:
    """Remove a folder the build made, after checking that it really lies inside ``within``
    (resolved: no '..', no link leading out of it)."""
    real, base = path.resolve(), within.resolve()
    if path.is_symlink() or base not in real.parents:
        raise BuildError(f"{path} is not inside {within}: it was not removed")
    shutil.rmtree(real)


def _disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it; or, for a copy of a folder, one of its files) ran out of disk space."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(exc, shutil.Error) and any(f"[Errno {number}]" in str(part)
                                                 for part in (exc.args[0] if exc.args else [])
                                                 for number in (errno.ENOSPC, errno.EDQUOT)):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def disk_full_error(where: Path, book_kept: bool = True) -> BuildError:
    return BuildError(f"the disk is full: the book could not be written to {where}. Free some space (or build into "
                      f"a folder on another disk with --output) and run the build again"
                      + ("; the last complete book is unchanged." if book_kept else "."))


@contextlib.contextmanager
def area_lock(folder: Path, say: Callable[[str], None]):
    """One build of an area at a time: a second build waits for the first to finish."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"Another build of this area is running; waiting for it to finish ({folder.name}) ...")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# -- the book swapped in, with the indicators it is published with -----------------

def stage_and_publish(html_dir: Path, folder: Path, indicators: str) -> None:
    """Copy the rendered book to ``html.new`` with its downloads, then swap it in (:func:`publish`).

    If the copy cannot be written (a full disk, say), the half-made copy is removed and a
    BuildError says why in plain words; the last complete book stays as it was.
    """
    staged = folder / "html.new"
    try:
        if staged.exists():
            _remove_own(staged, folder)
        shutil.copytree(html_dir, staged)
        (staged / "downloads").mkdir(exist_ok=True)
        (staged / "downloads" / "indicators.csv").write_text(indicators, encoding="utf-8")
    except OSError as exc:  # shutil.Error (a copy that failed for some files) is one too
        with contextlib.suppress(OSError, BuildError):
            if staged.exists():
                _remove_own(staged, folder)
        if _disk_full(exc):
            raise disk_full_error(folder) from None
        why = exc.args[0][0][2] if isinstance(exc, shutil.Error) and exc.args and exc.args[0] else exc
        raise BuildError(f"the book could not be written to {staged} ({why}); the last complete book is "
                         f"unchanged") from None
    publish(staged, folder / "html")


def publish(new_html: Path, target: Path) -> None:
    """Swap the new book in with two renames; a crash in between is repaired by the next build."""
    old = target.with_name(target.name + ".old")
    if old.exists():
        _remove_own(old, target.parent)
    if target.exists():
        os.replace(target, old)
    os.replace(new_html, target)
    if old.exists():
        _remove_own(old, target.parent)


def recover(folder: Path) -> None:
    """If a previous build stopped between the two renames of publish, put the last book back."""
    html, old = folder / "html", folder / "html.old"
    if not html.exists() and old.exists():
        os.replace(old, html)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # e.g. a full disk: no half-written file left behind
        raise


def collect_indicators(results_dir: Path):
    import numpy as np
    import pandas as pd

    from .present import INDICATOR_COLUMNS
    from .stats.rounding import round_half_up

    frames = []
    for nb in layout.NOTEBOOKS:
        path = results_dir / f"{nb.key}.json"
        if path.exists():
            rows = json.loads(path.read_text())["indicators"]
            if rows:
                frames.append(pd.DataFrame(rows))
    if not frames:
        return pd.DataFrame(columns=INDICATOR_COLUMNS)
    table = pd.concat(frames, ignore_index=True).reindex(columns=INDICATOR_COLUMNS)
    proportion = table["unit"] == "proportion"
    for column in ("value", "lower", "upper"):
        numbers = pd.to_numeric(table[column], errors="coerce")
        table[column] = np.where(proportion, round_half_up(numbers, 4), round_half_up(numbers, 2))
    table["suppressed"] = table["suppressed"].fillna(False).astype(bool).map({True: "true", False: "false"})
    return table


def _results_stamp(results_dir: Path) -> str:
    return _sha(b"results", *[p.name.encode() + b"=" + p.read_bytes()
                              for p in sorted(results_dir.glob("*.json"))])


def indicators_csv(work: Path, folder: Path) -> str:
    """indicators.csv for the book: collected again only when a chapter's results changed."""
    stamp = _results_stamp(work / "results")
    stamp_file, published = work / "indicators.key", folder / "indicators.csv"
    if stamp_file.exists() and stamp_file.read_text() == stamp and published.exists():
        return published.read_text(encoding="utf-8")
    from .escape import csv_text

    text = csv_text(collect_indicators(work / "results"))
    stamp_file.write_text(stamp)
    return text


# -- the site index: every area's book in the output folder -----------------------

def _manifest_of(folder: Path) -> dict | None:
    try:
        return json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError):
        return None


def write_site_index(output_root: Path, outcomes: Sequence = ()) -> Path | None:
    """``<output>/index.html``: every area's book in the folder, with when it was built and
    how this run went (``outcomes``: the :class:`prebirth.build.AreaOutcome` of each area built
    in it). Plain HTML with its own styles: it works offline, from a file share."""
    this_run = {o.slug: o for o in outcomes}
    rows = []
    for folder in sorted(p for p in output_root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        manifest = _manifest_of(folder)
        has_book = (folder / "html" / "index.html").is_file() and manifest is not None
        outcome = this_run.get(folder.name)
        if not has_book and outcome is None:
            continue
        rows.append((folder.name, manifest if has_book else None, outcome))
    for slug, outcome in this_run.items():  # areas that failed before they had a folder
        if not any(r[0] == slug for r in rows):
            rows.append((slug, None, outcome))
    if not rows:
        return None
    rows.sort(key=lambda r: ((r[1] or {}).get("area", {}).get("name") or r[0]).lower())
    e = html_text.escape
    body = []
    for slug, manifest, outcome in rows:
        area = (manifest or {}).get("area", {})
        name = area.get("name") or slug
        if manifest:
            link = f'<a href="{e(slug)}/html/index.html">{e(name)}</a>'
            parameters = manifest.get("parameters", {})
            notes = []
            if parameters.get("audience") == "internal":
                notes.append("internal: not for publication")
            if parameters.get("synthetic"):
                notes.append("synthetic data")
            if notes:
                link += f' <span class="note">({e("; ".join(notes))})</span>'
            built = e(str(manifest.get("built_at", "")).replace("T", " ").replace("+00:00", " UTC"))
        else:
            link, built = e(name), "no book yet"
        if outcome is None:
            run = "not built in this run"
        elif outcome.exit_code == 0:
            run = "built"
        else:
            # A book with a failed chapter is published (that chapter's page says it failed); a build
            # stopped by bad input, a refused audit or a fault publishes nothing: the last book stays.
            published = outcome.result is not None
            kept = "" if published else " (the previous book is kept)" if manifest else ""
            run = f'<strong class="problem">{e(outcome.status)}</strong>{kept}'
        body.append(f"<tr><th scope=\"row\">{link}</th><td>{e(area.get('code', ''))}</td>"
                    f"<td>{built}</td><td>{run}</td></tr>")
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pre-birth Data Book: books by area</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1a1a1a;
       background: #fff; line-height: 1.5; margin: 0; }}
main {{ max-width: 60rem; margin: 0 auto; padding: 2rem 1rem; }}
table {{ border-collapse: collapse; width: 100%; }}
caption {{ text-align: left; font-weight: bold; padding-bottom: .5rem; }}
th, td {{ text-align: left; padding: .5rem .75rem; border-bottom: 1px solid #767676; vertical-align: top; }}
thead th {{ border-bottom: 2px solid #1a1a1a; }}
a {{ color: #0b4f8a; }}
a:focus {{ outline: 3px solid #d97706; outline-offset: 2px; }}
.note {{ font-weight: normal; color: #4a4a4a; }}
.problem {{ color: #a4262c; }}
</style>
</head>
<body>
<main>
<h1>Pre-birth Data Book: books by area</h1>
<p>One book for each area. Open an area's name to read its book.</p>
<table>
<caption>Books in this folder</caption>
<thead><tr><th scope="col">Area</th><th scope="col">Area code</th><th scope="col">Last built</th>
<th scope="col">This run</th></tr></thead>
<tbody>
{chr(10).join(body)}
</tbody>
</table>
</main>
</body>
</html>
"""
    path = output_root / "index.html"
    _atomic_write(path, page)
    return path
