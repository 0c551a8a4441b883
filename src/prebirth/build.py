"""Build an area's book: papermill executes, Jupyter Book renders (DESIGN 3).

1. load and check the parameters; 2. load and check the data; 3. execute each chapter
notebook with papermill (in parallel, skipping chapters whose inputs did not change);
4. render with Jupyter Book (execution off); 5. write indicators.csv and manifest.json;
6. publish atomically: the previous book stays in place until the new one is complete.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import pickle
import platform
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import yaml

from . import __version__
from .chapters.common import INDICATOR_COLUMNS, Prepared, prepare
from .chapters.requirements import QUESTIONS
from .config import AreaParameters, ParameterError, load_parameters
from .data.problems import DataError
from .stats.rounding import round_half_up

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parents[1] if (PACKAGE_DIR.parents[1] / "_toc.yml").is_file() else Path.cwd()
ALL_TABLES = ("children", "parents", "referrals", "assessments", "support", "transfers", "proceedings",
              "care_episodes", "involvement", "births", "context", "rag")


@dataclass(frozen=True)
class Notebook:
    """A chapter notebook and what it reads (its cache depends on exactly these)."""

    stem: str
    number: int
    tables: tuple[str, ...]
    after: tuple[str, ...] = ()  # notebooks whose results it collects

    @property
    def key(self) -> str:
        return self.stem.split("_", 1)[1]


def _tables_for(chapter: int) -> tuple[str, ...]:
    needed = {need.table for q in QUESTIONS if q.chapter == chapter for need in q.needs}
    return tuple(sorted(needed | {"children"}))


NOTEBOOKS: tuple[Notebook, ...] = (
    Notebook("00_about_your_data", 0, ALL_TABLES),
    Notebook("01_infants_and_newborns", 1, _tables_for(1)),
    Notebook("02_recurrent_proceedings", 2, _tables_for(2)),
    Notebook("03_behind_the_trends", 3, _tables_for(3)),
    Notebook("04_waiting_times", 4, _tables_for(4)),
    Notebook("05_urgent_hearings", 5, _tables_for(5)),
    Notebook("06_the_parents", 6, _tables_for(6) + ("care_episodes",)),
    Notebook("07_fathers", 7, _tables_for(7) + ("parents", "assessments")),
    Notebook("08_reflect_and_plan", 8, ("rag",), after=tuple(f"0{i}" for i in range(8))),
    Notebook("09_about_this_report", 9, ALL_TABLES, after=tuple(f"0{i}" for i in range(9))),
)


class BuildError(Exception):
    """A problem with the build itself (not the user's data)."""


@dataclass
class ChapterRun:
    stem: str
    seconds: float = 0.0
    cached: bool = False
    error: str = ""


@dataclass
class BuildResult:
    area: str
    output: Path
    chapters: list[ChapterRun] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[ChapterRun]:
        return [c for c in self.chapters if c.error]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


# -- parameters of a notebook --------------------------------------------------

def notebook_parameters(path: Path) -> dict[str, str]:
    """Names (and annotations) declared in the notebook's cell tagged ``parameters``."""
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise BuildError(f"{path.name}: needs exactly one cell tagged 'parameters' (found {len(cells)})")
    names = {}
    for node in ast.parse(cells[0].source).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = ast.unparse(node.annotation)
        elif isinstance(node, ast.Assign):
            names.update({t.id: "" for t in node.targets if isinstance(t, ast.Name)})
    return names


def check_parameters(path: Path, given: dict) -> None:
    """Papermill only warns about unknown parameters; the book refuses them."""
    declared = notebook_parameters(path)
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise BuildError(f"{path.name}: its parameters cell does not declare {', '.join(unknown)}; "
                         f"declare them (declared: {', '.join(declared)})")


# -- hashing for the cache -----------------------------------------------------

def _sha(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def package_fingerprint() -> str:
    files = sorted(PACKAGE_DIR.rglob("*.py")) + sorted(PACKAGE_DIR.rglob("*.yml"))
    return _sha(*[str(p.relative_to(PACKAGE_DIR)).encode() + p.read_bytes() for p in files])


def _file_sha(path: Path) -> str:
    return _sha(path.read_bytes())


def input_fingerprints(params: AreaParameters, prepared: Prepared) -> dict[str, str]:
    """Fingerprint of each canonical table's source files, and of the benchmarks."""
    by_table: dict[str, list[str]] = {}
    for source in prepared.data.sources:
        for table in source.tables:
            by_table.setdefault(table, []).append(source.sha256)
    prints = {t: _sha(*[s.encode() for s in sorted(v)]) for t, v in by_table.items()}
    bench = params.benchmarks
    if bench is not None:
        files = [bench] if bench.is_file() else sorted(p for p in bench.rglob("*") if p.is_file())
        prints["_benchmarks"] = _sha(*[p.name.encode() + _file_sha(p).encode() for p in files])
    if params.previous_indicators is not None:
        prints["_previous"] = _file_sha(params.previous_indicators)
    return prints


# -- the build -----------------------------------------------------------------

def _say(message: str) -> None:
    print(message, flush=True)


def _execute(notebook: str, output: str, parameters: dict, cwd: str, log: str) -> float:
    """Run one notebook with papermill (in a worker process); returns seconds taken.

    The kernel's own chatter goes to a log file beside the build, not the analyst's terminal.
    """
    import papermill

    with open(log, "w") as handle:
        os.dup2(handle.fileno(), 2)
    start = time.perf_counter()
    papermill.execute_notebook(notebook, output, parameters=parameters, cwd=cwd, progress_bar=False,
                               log_output=False, kernel_name="python3")
    return time.perf_counter() - start


def _failed_page(stem: str, title: str, error: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(
        f"# {title}\n\n:::{{warning}}\nThis chapter could not be built this time. The analyst who ran the book "
        f"has been told why; the other chapters are complete.\n:::\n")]
    return nb


@contextlib.contextmanager
def area_lock(folder: Path):
    """One build of an area at a time: a second build waits for the first to finish."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            _say(f"Another build of this area is running; waiting for it to finish ({folder.name}) ...")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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


def banner(params: AreaParameters) -> str:
    parts = []
    if not params.published:
        parts.append("NOT FOR PUBLICATION: this internal build shows small numbers unsuppressed.")
    if params.synthetic:
        parts.append("Synthetic data: every number in this book is made up, for demonstration only.")
    return " ".join(parts)


def write_book_source(params: AreaParameters, src: Path) -> None:
    """The Jupyter Book source for this area: config with the area's title and banner, pages."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["title"] = f"Pre-birth Data Book: {params.area_name}"
    config["html"]["announcement"] = banner(params)
    config["exclude_patterns"] = ["_build", "**.ipynb_checkpoints", "extra"]
    _write_if_changed(src / "_config.yml", yaml.safe_dump(config, sort_keys=False))
    _write_if_changed(src / "_toc.yml", (ROOT / "_toc.yml").read_text())
    _sync_tree(ROOT / "pages", src / "pages")
    _sync_tree(PACKAGE_DIR / "assets" / "static", src / "_static")
    (src / "extra" / "downloads").mkdir(parents=True, exist_ok=True)


def render(src: Path, render_dir: Path) -> None:
    """Jupyter Book 1, execution off; Sphinx keeps its environment between builds (incremental)."""
    command = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(src), "--path-output",
               str(render_dir), "--builder", "html"]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0 or "Traceback" in done.stdout:
        log = render_dir / "render.log"
        render_dir.mkdir(parents=True, exist_ok=True)
        log.write_text(done.stdout + "\n" + done.stderr)
        raise BuildError(f"Jupyter Book could not render the book; see {log}")


def publish(new_html: Path, target: Path) -> None:
    """Swap the new book in with two renames; a crash in between is repaired by the next build."""
    old = target.with_name(target.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(new_html, target)
    if old.exists():
        shutil.rmtree(old)


def recover(folder: Path) -> None:
    """If a previous build stopped between the two renames of publish, put the last book back."""
    html, old = folder / "html", folder / "html.old"
    if not html.exists() and old.exists():
        os.replace(old, html)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def collect_indicators(results_dir: Path) -> pd.DataFrame:
    frames = []
    for nb in NOTEBOOKS:
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


def git_commit() -> str:
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10)
        return done.stdout.strip() if done.returncode == 0 else "not a git checkout"
    except (OSError, subprocess.TimeoutExpired):
        return "git not available"


def software_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {"python": platform.python_version(), "prebirth": __version__}
    for name in ("pandas", "numpy", "scipy", "statsmodels", "seaborn", "matplotlib", "papermill", "jupyter-book"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def build_area(area_file: Path, jobs: int | None = None, force: bool = False, output_root: Path | None = None) -> BuildResult:
    """Build one area's book. Raises ParameterError/DataError (exit 2) before anything is written."""
    started = time.perf_counter()
    params = load_parameters(area_file)
    _say(f"Pre-birth Data Book: {params.area_name} ({params.area_code}) from {area_file}")
    prepared = prepare(area_file)
    warnings = prepared.data.warnings
    _say(f"  data read and checked: {len(prepared.data.tables)} tables, {len(warnings)} warning(s)")
    folder = (output_root or ROOT / "_build") / params.slug
    result = BuildResult(params.slug, folder)
    with area_lock(folder):
        recover(folder)
        work, src, render_dir = folder / ".work", folder / ".src", folder / ".render"
        for path in (work / "cache", work / "results", src / "notebooks"):
            path.mkdir(parents=True, exist_ok=True)
        prepared_file = work / "prepared.pkl"
        tmp = work / ".prepared.pkl.tmp"
        with open(tmp, "wb") as handle:
            pickle.dump(prepared, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, prepared_file)
        write_book_source(params, src)
        result.chapters = execute_chapters(params, prepared, area_file, work, src, jobs, force)
        _say("  rendering with Jupyter Book ...")
        t0 = time.perf_counter()
        render(src, render_dir)
        _say(f"  rendered ({time.perf_counter() - t0:.1f} s)")
        indicators = collect_indicators(work / "results")
        staged = folder / "html.new"
        if staged.exists():
            shutil.rmtree(staged)
        shutil.copytree(render_dir / "_build" / "html", staged)
        (staged / "downloads").mkdir(exist_ok=True)
        indicators.to_csv(staged / "downloads" / "indicators.csv", index=False)
        result.seconds = time.perf_counter() - started
        manifest = make_manifest(params, prepared, result)
        publish(staged, folder / "html")
        _atomic_write(folder / "indicators.csv", indicators.to_csv(index=False))
        _atomic_write(folder / "manifest.json", json.dumps(manifest, indent=1))
    status = "with failures" if result.failed else "done"
    _say(f"Book {status} in {result.seconds:.1f} s: {folder / 'html' / 'index.html'}")
    for failure in result.failed:
        _say(f"  chapter {failure.stem} failed: {failure.error}")
    return result


def execute_chapters(params, prepared, area_file, work, src, jobs, force) -> list[ChapterRun]:
    prints = input_fingerprints(params, prepared)
    package = package_fingerprint()
    settings = params.model_dump(mode="json")
    runs: dict[str, ChapterRun] = {}
    jobs = jobs or os.cpu_count() or 1

    def key_for(nb: Notebook) -> str:
        source = (ROOT / "notebooks" / f"{nb.stem}.ipynb").read_bytes()
        upstream = [(work / "results" / f"{n.key}.json") for n in NOTEBOOKS if n.stem[:2] in nb.after]
        parts = [source, package.encode(), json.dumps(settings, sort_keys=True).encode()]
        parts += [f"{t}={prints.get(t, 'absent')}".encode() for t in nb.tables]
        parts.append(prints.get("_benchmarks", "").encode() + prints.get("_previous", "").encode())
        parts += [p.read_bytes() if p.exists() else b"absent" for p in upstream]
        return _sha(*parts)

    def parameters_for(nb: Notebook) -> dict:
        return {"area_file": str(Path(area_file).resolve()), "prepared": str(work / "prepared.pkl"),
                "results_dir": str(work / "results"), "downloads_dir": str(src / "extra" / "downloads")}

    waves = [[nb for nb in NOTEBOOKS if not nb.after]] + [[nb] for nb in NOTEBOOKS if nb.after]
    context = get_context("spawn")
    for wave in waves:
        todo = []
        for nb in wave:
            key = key_for(nb)
            cache_file = work / "cache" / f"{nb.stem}.key"
            output = src / "notebooks" / f"{nb.stem}.ipynb"
            if (not force and cache_file.exists() and cache_file.read_text() == key and output.exists()
                    and (work / "results" / f"{nb.key}.json").exists()):
                runs[nb.stem] = ChapterRun(nb.stem, cached=True)
                _say(f"  {nb.stem}: unchanged, kept")
                continue
            notebook = ROOT / "notebooks" / f"{nb.stem}.ipynb"
            parameters = parameters_for(nb)
            check_parameters(notebook, parameters)
            todo.append((nb, key, cache_file, output, notebook, parameters))
        if not todo:
            continue
        with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=context) as pool:
            futures = {}
            for nb, key, cache_file, output, notebook, parameters in todo:
                cache_file.unlink(missing_ok=True)
                tmp_out = work / f"{nb.stem}.running.ipynb"
                futures[pool.submit(_execute, str(notebook), str(tmp_out), parameters, str(notebook.parent),
                                    str(work / f"{nb.stem}.log"))] = (
                    nb, key, cache_file, output, tmp_out)
            for future in as_completed(futures):
                nb, key, cache_file, output, tmp_out = futures[future]
                try:
                    seconds = future.result()
                except Exception as exc:  # a chapter failed: the others still build
                    message = _short_error(exc)
                    runs[nb.stem] = ChapterRun(nb.stem, error=message)
                    _say(f"  {nb.stem}: FAILED ({message})")
                    title = _title_of(ROOT / "notebooks" / f"{nb.stem}.ipynb")
                    nbformat.write(_failed_page(nb.stem, title, message), output)
                    (work / "results" / f"{nb.key}.json").unlink(missing_ok=True)
                    continue
                tidy_executed(tmp_out, params.slug)
                os.replace(tmp_out, output)
                cache_file.write_text(key)
                runs[nb.stem] = ChapterRun(nb.stem, seconds=seconds)
                _say(f"  {nb.stem}: executed ({seconds:.1f} s)")
    return [runs[nb.stem] for nb in NOTEBOOKS]


def tidy_executed(path: Path, area: str) -> None:
    """Hide papermill's injected parameters cell and drop its paths (they name folders on the
    analyst's machine; the executed notebook is published with the book)."""
    nb = nbformat.read(path, as_version=4)
    run = nb.metadata.get("papermill", {})
    nb.metadata["papermill"] = {k: run[k] for k in ("version", "start_time", "end_time", "duration", "exception")
                                if k in run}
    for cell in nb.cells:
        cell.get("metadata", {}).pop("papermill", None)
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags:
            cell.source = f"# Parameters set by `prebirth build` for the area '{area}'"
            cell.outputs = []
            cell.metadata["tags"] = sorted(set(tags) | {"remove-cell"})
    nbformat.write(nb, path)


def _short_error(exc: Exception) -> str:
    text = str(exc)
    lines = [line for line in text.splitlines() if line.strip()]
    for line in reversed(lines):
        if "Error" in line or "Exception" in line:
            return line.strip()[:300]
    return (lines[-1] if lines else type(exc).__name__)[:300]


def _title_of(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


def make_manifest(params: AreaParameters, prepared: Prepared, result: BuildResult) -> dict:
    return {
        "area": {"code": params.area_code, "name": params.area_name, "parameters_file": params.source_file.name},
        "parameters": params.model_dump(mode="json", exclude={"data", "benchmarks", "previous_indicators"}),
        "inputs": [{"file": s.path, "kind": s.kind, "rows": s.rows, "sha256": s.sha256, "tables": s.tables}
                   for s in prepared.data.sources],
        "benchmarks": prepared.benchmarks.files,
        "software": software_versions(),
        "git_commit": git_commit(),
        "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(result.seconds, 1),
        "chapters": [{"notebook": c.stem, "cached": c.cached, "seconds": round(c.seconds, 1), "error": c.error}
                     for c in result.chapters],
    }


__all__ = ["build_area", "BuildError", "BuildResult", "NOTEBOOKS", "ParameterError", "DataError"]
