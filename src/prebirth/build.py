"""Build an area's book (DESIGN 3): the stages in order, each in a module of its own.

Load and check the parameters (:mod:`prebirth.config`); read and check the data in a
process of its own (here), kept from the last build when no input file, parameter or
package file changed (:mod:`prebirth.fingerprints`); compute and disclose the chapters
(:mod:`prebirth.compute`) and execute each chapter notebook with papermill, in parallel,
in warm kernels (:mod:`prebirth.kernels`), skipping chapters whose inputs did not change;
render with Jupyter Book (:mod:`prebirth.render`); write indicators.csv and manifest.json
and publish atomically, the previous book staying in place until the new one is complete
(:mod:`prebirth.publish`). :func:`build_areas` builds several areas with one set of
kernels and writes a site index linking their books. The orchestration, not the
arithmetic, dominates the time, so the process that runs it imports neither pandas nor
the statistics: it starts in well under a second, and a rebuild with nothing changed does
little more than compare fingerprints.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import heapq
import json
import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from . import compute, fingerprints, layout
from .config import AreaParameters, ParameterError, area_slug, load_parameters
from .data.problems import DataError
from .exit_codes import EXIT_BAD_INPUT, EXIT_CHAPTER_FAILED, EXIT_OK, EXIT_STOPPED, BuildError
from .fingerprints import _sha, chapter_key, data_key, input_fingerprints
from .kernels import Kernels, _WorkerPool
from .layout import ALL_TABLES, Notebook, check_parameters
from .provenance import git_commit, software_versions
from .publish import (MARKER, OutputRefused, _atomic_write, _disk_full, _remove_own, area_lock, check_area_folder,
                      check_output_root, claim_area_folder, claim_output_root, default_output, disk_full_error,
                      indicators_csv, recover, stage_and_publish, write_site_index)
from .render import (_finish_render, _start_render, _write_if_changed, date_the_book, source_stamp,
                     write_book_source, write_overview)
from .workshop import write_kit


@dataclass
class ChapterRun:
    stem: str
    seconds: float = 0.0
    cached: bool = False
    error: str = ""  # what went wrong, for the analyst's console: it may show a value from the data
    error_type: str = ""  # the name of the error's type: all of it that the book and manifest.json show


@dataclass
class BuildResult:
    area: str
    output: Path
    chapters: list[ChapterRun] = field(default_factory=list)
    seconds: float = 0.0
    data_cached: bool = False  # the data were not read again: no input changed since the last build
    rendered: bool = True  # False when no page changed, so Jupyter Book was not run
    area_name: str = ""
    area_code: str = ""
    audit: dict = field(default_factory=dict)  # the disclosure audit of a published book

    @property
    def failed(self) -> list[ChapterRun]:
        return [c for c in self.chapters if c.error]

    @property
    def executed(self) -> list[ChapterRun]:
        return [c for c in self.chapters if not c.cached]

    @property
    def exit_code(self) -> int:
        return EXIT_CHAPTER_FAILED if self.failed else EXIT_OK


_children: set[_WorkerPool] = set()  # process pools reading data just now


# -- reading and checking the data, in a process of its own --------------------

def _prepare_worker(area_file: str, pickle_path: str) -> dict:
    """Read and check the area's data and pickle it for the notebooks (runs in a child process).

    Returns the prepared data's summary; a DataError reaches the build whole, problems and all.
    """
    import pickle

    from .chapters.common import prepare

    prepared = prepare(area_file)
    tmp = Path(pickle_path).with_name(f".{Path(pickle_path).name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        pickle.dump(prepared, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, pickle_path)
    return {
        "tables": len(prepared.data.tables),
        "warnings": len(prepared.data.warnings),
        "sources": [asdict(s) for s in prepared.data.sources],
        "benchmark_files": list(prepared.benchmarks.files),
    }


def prepare_data(area_file: Path, params: AreaParameters, work: Path, package: str, force: bool,
                 say: Callable[[str], None], before_reading: Callable[[], None] | None = None) -> tuple[dict, bool]:
    """The prepared data's summary, and whether the last build's pickle was kept.

    Reading and checking runs in a fresh process: a large area's tables take hundreds of
    megabytes while they are checked, and that memory goes back to the system when the
    process ends instead of staying with the build while the kernels work.
    """
    key = data_key(params, package)
    summary_file, pickle_file = work / "prepared.json", work / "prepared.pkl"
    if not force and summary_file.exists() and pickle_file.exists():
        summary = json.loads(summary_file.read_text())
        if summary.get("key") == key:
            say(f"  data unchanged since the last build: {summary['tables']} tables, "
                f"{summary['warnings']} warning(s)")
            return summary, True
    summary_file.unlink(missing_ok=True)  # a stale summary must never vouch for a new pickle
    for left in work.glob(f".{pickle_file.name}.*.tmp"):  # from a reading that was stopped
        left.unlink(missing_ok=True)
    if before_reading is not None:
        before_reading()
    started = time.perf_counter()
    pool = _WorkerPool(1)
    _children.add(pool)
    try:
        summary = pool.submit(_prepare_worker, str(Path(area_file).resolve()), str(pickle_file)).result()
    except DataError:  # the user's data: the reading ended by itself
        raise
    except BaseException:
        pool.stop_workers()  # Ctrl-C: stop reading at once
        raise
    finally:
        _children.discard(pool)
        pool.shutdown(wait=True)
    summary["key"] = key
    _atomic_write(summary_file, json.dumps(summary, indent=1))
    say(f"  data read and checked: {summary['tables']} tables, {summary['warnings']} warning(s) "
        f"({time.perf_counter() - started:.1f} s)")
    return summary, False


# -- the build -----------------------------------------------------------------

def _say(message: str) -> None:
    print(message, flush=True)


def _failed_page(stem: str, title: str, error: str):
    """The page a failed chapter gets instead. ``error`` is published: it must come from
    :func:`published_error`, never from the error's message."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(
        f"# {title}\n\n:::{{warning}}\nThis chapter could not be built this time, so this page replaces it: "
        "the chapter as an earlier build made it is not shown, as it may no longer match the rest of the book. "
        "The analyst who ran the book "
        f"has been told why; the other chapters are complete.\n\nThe chapter stopped with {error}\n:::\n")]
    return nb


def build_area(area_file: Path, jobs: int | None = None, force: bool = False, output_root: Path | None = None,
               kernels: Kernels | None = None, say: Callable[[str], None] = _say,
               reading: contextlib.AbstractContextManager | None = None,
               chapters_done: Callable[[], None] | None = None, rank: int = 0) -> BuildResult:
    """Build one area's book. Raises ParameterError/DataError (exit 2) before the book is touched.

    ``kernels`` shares warm kernels between areas (see :func:`build_areas`); without it the
    build starts its own, ``jobs`` of them, and stops them once its chapters have run.
    ``reading`` is held while the data are read (several areas read one at a time); ``chapters_done``
    is called when this area needs the kernels no more (also when it fails before); the
    notebooks of a lower ``rank`` go to the kernels first.
    """
    if kernels is None:
        output_root = Path(output_root or default_output()).resolve()
        with Kernels(jobs, output_root / ".kernels.log") as own:
            # Its kernels are stopped as soon as its chapters have run: the render needs their memory.
            return build_area(area_file, jobs, force, output_root, own, say, reading, chapters_done=own.close)
    started = time.perf_counter()
    params = load_parameters(area_file)
    # Absolute: the notebooks run in their own folder and are given paths inside this one.
    output_root = Path(output_root or default_output()).resolve()
    folder = output_root / params.slug
    say(f"Pre-birth Data Book: {params.area_name} ({params.area_code}) from {area_file}, into {folder}")
    # Nothing is written until both folders are known to be the build's own (or new).
    check_output_root(output_root)
    make_folder = check_area_folder(folder, output_root)
    claim_output_root(output_root)
    made_folder = claim_area_folder(folder, make_folder)  # only then may a failure remove it
    result = BuildResult(params.slug, folder, area_name=params.area_name, area_code=params.area_code)
    package = fingerprints.package_fingerprint()
    try:
        with area_lock(folder, say):
            recover(folder)
            work, src, render_dir = folder / ".work", folder / ".src", folder / ".render"
            for path in (work / "cache", work / "results", src / "notebooks"):
                path.mkdir(parents=True, exist_ok=True)
            with reading or contextlib.nullcontext():
                # New data mean chapters to run: the kernels warm up while the data are read.
                summary, result.data_cached = prepare_data(area_file, params, work, package, force, say,
                                                           before_reading=kernels.start)
            write_book_source(params, src)
            result.chapters = execute_chapters(params, summary, area_file, work, src, kernels, force, package, say,
                                               rank, result.audit)
            write_overview(src, work / "results", {nb.stem: _title_of(layout.ROOT / "notebooks" / f"{nb.stem}.ipynb")
                                                   for nb in layout.NOTEBOOKS})
            if chapters_done is not None:
                chapters_done, done = None, chapters_done
                done()
            write_kit(params, work, src, package)  # the workshop deck and worksheet, linked from chapter 8
            date_the_book(params, src, work)
            stamp = source_stamp(src)
            stamp_file = work / "render.key"
            html_dir = render_dir / "_build" / "html"
            result.rendered = force or not (stamp_file.exists() and stamp_file.read_text() == stamp
                                            and html_dir.is_dir())
            if result.rendered:
                say("  rendering with Jupyter Book ...")
                t0 = time.perf_counter()
                stamp_file.unlink(missing_ok=True)
                rendering = _start_render(src, render_dir)
                try:
                    indicators = indicators_csv(work, folder)  # meanwhile, in this process
                except BaseException:
                    rendering.kill()
                    rendering.wait()
                    raise
                _finish_render(rendering, render_dir)
                stamp_file.write_text(stamp)
                say(f"  rendered ({time.perf_counter() - t0:.1f} s)")
            else:
                indicators = indicators_csv(work, folder)
                say("  no page changed since the last render: not rendered again")
            published = _sha(stamp.encode(), indicators.encode())
            published_file = work / "published.key"
            if (result.rendered or not (folder / "html").is_dir() or not published_file.exists()
                    or published_file.read_text() != published):
                published_file.unlink(missing_ok=True)
                stage_and_publish(html_dir, folder, indicators)
                published_file.write_text(published)
            result.seconds = time.perf_counter() - started
            manifest = make_manifest(params, summary, result)
            _atomic_write(folder / "indicators.csv", indicators)
            _atomic_write(folder / "manifest.json", json.dumps(manifest, indent=1))
    except (ParameterError, DataError):
        if made_folder:  # a first build with bad data leaves nothing behind (it made the folder: nothing else)
            with contextlib.suppress(OSError):
                _remove_own(folder, output_root)
        raise
    finally:
        if chapters_done is not None:
            chapters_done()
    status = "with failures" if result.failed else "done"
    say(f"Book {status} in {result.seconds:.1f} s: {folder / 'html' / 'index.html'}")
    for failure in result.failed:
        say(f"  chapter {failure.stem} failed: {failure.error} (its page in the book now says it could not be "
            "built; the page of an earlier build is not kept)")
    return result


def execute_chapters(params, summary, area_file, work, src, kernels, force, package=None,
                     say: Callable[[str], None] = _say, rank: int = 0, audit: dict | None = None) -> list[ChapterRun]:
    """Compute and disclose the computed chapters, then execute every notebook whose inputs changed."""
    audit = {} if audit is None else audit
    prints = input_fingerprints(params, summary["sources"])
    package = package or fingerprints.package_fingerprint()
    settings = params.model_dump(mode="json")
    runs: dict[str, ChapterRun] = {}
    notebooks_dir = layout.ROOT / "notebooks"

    def result_key(nb: Notebook, upstream: list[Path], tables: list[str] | None) -> str:
        """A computed chapter's result is kept while the package, the parameters, the tables it
        read, the benchmarks and the results it collects are unchanged."""
        parts = [b"compute", package.encode(), json.dumps(settings, sort_keys=True).encode()]
        parts += [f"{t}={prints.get(t, 'absent')}".encode() for t in (ALL_TABLES if tables is None else tables)]
        parts.append(prints.get("_benchmarks", "").encode() + prints.get("_previous", "").encode())
        return _sha(*parts, *[p.read_bytes() for p in upstream])

    def write_json(nb: Notebook, result, decision) -> None:
        _write_if_changed(work / "results" / f"{nb.key}.json", compute.results_json(result, decision))

    (work / "results").mkdir(parents=True, exist_ok=True)
    computed = compute.run(layout.NOTEBOOKS, params, work, kernels, result_key, say, force, rank, write_json)
    audit.update(computed.audit)

    def key_for(nb: Notebook) -> str:
        return chapter_key(nb, (notebooks_dir / f"{nb.stem}.ipynb").read_bytes(), package, settings, prints,
                           work / "results", computed.bundles.get(nb.stem) if nb.computed else None)

    def parameters_for(nb: Notebook) -> dict:
        if nb.computed:
            return {"area_file": str(Path(area_file).resolve()), "result_file": str(computed.bundles[nb.stem]),
                    "downloads_dir": str(src / "extra" / "downloads")}
        return {"area_file": str(Path(area_file).resolve()), "prepared": str(work / "prepared.pkl"),
                "results_dir": str(work / "results"), "downloads_dir": str(src / "extra" / "downloads")}

    # How long each chapter took last time, here or (a first build) for another area in the
    # same build folder: the slowest start first, so none is left running alone at the end.
    timings_file, shared_file = work / "timings.json", work.parent.parent / ".timings.json"
    timings = {}
    for path in (shared_file, timings_file):
        with contextlib.suppress(OSError, ValueError):
            timings.update(json.loads(path.read_text()))
    waves = [[nb for nb in layout.NOTEBOOKS if not nb.after]] + [[nb] for nb in layout.NOTEBOOKS if nb.after]
    for wave in waves:
        futures = {}
        for nb in sorted(wave, key=lambda nb: -timings.get(nb.stem, 0)):
            if nb.stem in computed.failed:
                runs[nb.stem] = failure = _chapter_failure(nb.stem, computed.failed[nb.stem])
                title = _title_of(notebooks_dir / f"{nb.stem}.ipynb")
                import nbformat

                nbformat.write(_failed_page(nb.stem, title, published_error(failure)),
                               src / "notebooks" / f"{nb.stem}.ipynb")
                (work / "results" / f"{nb.key}.json").unlink(missing_ok=True)
                (work / "cache" / f"{nb.stem}.key").unlink(missing_ok=True)
                continue
            key = key_for(nb)
            cache_file = work / "cache" / f"{nb.stem}.key"
            output = src / "notebooks" / f"{nb.stem}.ipynb"
            if (not force and cache_file.exists() and cache_file.read_text() == key and output.exists()
                    and (work / "results" / f"{nb.key}.json").exists()):
                runs[nb.stem] = ChapterRun(nb.stem, cached=True)
                say(f"  {nb.stem}: unchanged, kept")
                continue
            notebook = notebooks_dir / f"{nb.stem}.ipynb"
            parameters = parameters_for(nb)
            check_parameters(notebook, parameters)
            cache_file.unlink(missing_ok=True)
            tmp_out = work / f"{nb.stem}.running.ipynb"
            future = kernels.submit(str(notebook), str(tmp_out), parameters, str(notebook.parent), params.slug,
                                    priority=(rank, -timings.get(nb.stem, 0)))
            futures[future] = (nb, key, cache_file, output, tmp_out)
        for future in as_completed(futures):
            nb, key, cache_file, output, tmp_out = futures[future]
            try:
                seconds = future.result()
            except Exception as exc:  # a chapter failed: the others still build
                if getattr(kernels, "stopped", False):
                    raise _Stopped from exc  # interrupted: no failed pages, nothing published
                import nbformat

                runs[nb.stem] = failure = _chapter_failure(nb.stem, exc)
                say(f"  {nb.stem}: FAILED ({failure.error})")
                title = _title_of(notebooks_dir / f"{nb.stem}.ipynb")
                nbformat.write(_failed_page(nb.stem, title, published_error(failure)), output)
                (work / "results" / f"{nb.key}.json").unlink(missing_ok=True)
                continue
            os.replace(tmp_out, output)
            cache_file.write_text(key)
            runs[nb.stem] = ChapterRun(nb.stem, seconds=seconds)
            timings[nb.stem] = round(seconds, 2)
            say(f"  {nb.stem}: executed ({seconds:.1f} s)")
    _atomic_write(timings_file, json.dumps(timings, indent=1))
    _atomic_write(shared_file, json.dumps(timings, indent=1))
    return [runs[nb.stem] for nb in layout.NOTEBOOKS]


def _error_type(exc: BaseException) -> str:
    """The name of the error's type; for an error in a notebook's cell, that of the cell's
    error (papermill reports it as ``ename``), not papermill's own."""
    name = getattr(exc, "ename", None)
    return name if isinstance(name, str) and name else type(exc).__name__


_TYPE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,99}")


def published_error(run: ChapterRun) -> str:
    """What the book and manifest.json say of a chapter's failure: the error's type and
    where to find the rest. An error's message can show a value from the data (a child's
    id in a ``KeyError``, say), so it is shown only to the analyst, on the console."""
    if not run.error:
        return ""
    kind = run.error_type if _TYPE_NAME.fullmatch(run.error_type or "") else "Error"
    return (f"{kind}: the details are not published, as they may show a value from the data; see the build's "
            f"console output or its kernel log (.kernels.log in the output folder), or run the notebook "
            f"notebooks/{run.stem}.ipynb.")


def _chapter_failure(stem: str, exc: BaseException) -> ChapterRun:
    return ChapterRun(stem, error=_short_error(exc), error_type=_error_type(exc))


def _short_error(exc: Exception) -> str:
    text = str(exc)
    lines = [line for line in text.splitlines() if line.strip()]
    for line in reversed(lines):
        if "Error" in line or "Exception" in line:
            return line.strip()[:300]
    return (lines[-1] if lines else type(exc).__name__)[:300]


def _title_of(path: Path) -> str:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


def make_manifest(params: AreaParameters, summary: dict, result: BuildResult) -> dict:
    return {
        "area": {"code": params.area_code, "name": params.area_name, "parameters_file": params.source_file.name},
        "parameters": params.model_dump(mode="json", exclude={"data", "benchmarks", "previous_indicators"}),
        "inputs": [{"file": s["path"], "kind": s["kind"], "rows": s["rows"], "sha256": s["sha256"],
                    "tables": s["tables"]} for s in summary["sources"]],
        "benchmarks": summary["benchmark_files"],
        "software": software_versions(),
        "git_commit": git_commit(),
        "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(result.seconds, 1),
        "data_reused": result.data_cached,
        "rendered": result.rendered,
        "chapters": [{"notebook": c.stem, "cached": c.cached, "seconds": round(c.seconds, 1),
                      "error": published_error(c)} for c in result.chapters],
        "disclosure": result.audit,
    }


# -- several areas -------------------------------------------------------------

class _Stopped(Exception):
    """The build was interrupted before this area started."""


class _Turns:
    """A lock for reading data: of the areas waiting for it, the one listed first gets it next."""

    def __init__(self):
        self._changed = threading.Condition()
        self._waiting: list[int] = []
        self._held = False

    @contextlib.contextmanager
    def hold(self, rank: int):
        with self._changed:
            heapq.heappush(self._waiting, rank)
            self._changed.wait_for(lambda: not self._held and self._waiting[0] == rank)
            heapq.heappop(self._waiting)
            self._held = True
        try:
            yield
        finally:
            with self._changed:
                self._held = False
                self._changed.notify_all()


@dataclass
class AreaOutcome:
    """How one area's build went: for the summary and the site index."""

    parameters: Path
    slug: str
    exit_code: int
    status: str
    seconds: float = 0.0
    result: BuildResult | None = None
    error: BaseException | None = None

    @property
    def executed(self) -> int | None:
        return len(self.result.executed) if self.result else None

    @property
    def cached(self) -> int | None:
        return sum(c.cached for c in self.result.chapters) if self.result else None


def _status_of(result: BuildResult) -> str:
    if result.failed:
        return f"built, {len(result.failed)} chapter(s) failed"
    return "built"


def build_areas(area_files: list[Path], jobs: int | None = None, force: bool = False,
                output_root: Path | None = None, say: Callable[[str], None] = _say,
                on_error: Callable[[Path, BaseException], None] | None = None,
                at_once: int = 2) -> list[AreaOutcome]:
    """Build several areas' books with one set of warm kernels, then write the site index.

    Chapters run ``jobs`` at a time across all areas: each kernel takes the next notebook
    of the earliest area that has one waiting. Areas start in the order given, ``at_once``
    of them between reading their data and their last chapter, so that one area's data
    checks (one process) overlap another's chapters; an area's render and publishing run
    beside the next areas' chapters instead of leaving the kernels idle. The data of only
    one area is read at a time, which bounds memory. An area that fails (bad parameters
    or data: exit code 2; a failed chapter or render: 1) does not stop the others.
    ``on_error`` is told of each failure as it happens. An output folder that holds files the
    build did not make is refused (OutputRefused) before anything starts.
    """
    output_root = Path(output_root or default_output()).resolve()
    check_output_root(output_root)
    many = len(area_files) > 1
    print_lock = threading.Lock()
    reading = _Turns()  # one area reads its data at a time (memory), in the order given
    stopping = threading.Event()

    def area_say(slug: str) -> Callable[[str], None]:
        def speak(message: str) -> None:
            with print_lock:
                say(f"[{slug}] {message.strip()}" if many else message)
        return speak

    seen: dict[str, Path] = {}
    plan: list[tuple[Path, str | ParameterError | None]] = []  # (parameters file, why it is not built)
    for area in map(Path, area_files):
        try:
            slug = area_slug(area)
        except ParameterError as exc:
            plan.append((area, exc))
            continue
        if slug in seen:
            same = seen[slug].resolve() == area.resolve()
            plan.append((area, "listed twice" if same else
                         f"builds into the same folder as {seen[slug]} ({output_root / slug}); rename one of them"))
        else:
            seen[slug] = area
            plan.append((area, None))

    waiting = [len(plan)]  # areas whose chapters may still need the kernels

    def kernels_needed_no_more() -> None:
        with print_lock:
            waiting[0] -= 1
            last = waiting[0] == 0
        if last:  # the last renders run without idle kernels holding memory
            kernels.close()

    gate = threading.Condition()
    turn = {"next": 0, "free": max(1, at_once)}  # the next area to start; places free

    def enter(rank: int) -> Callable[[], None]:
        with gate:
            gate.wait_for(lambda: stopping.is_set() or (turn["next"] == rank and turn["free"] > 0))
            if stopping.is_set():
                raise _Stopped
            turn["next"] += 1
            turn["free"] -= 1

        def leave() -> None:
            with gate:
                turn["free"] += 1
                gate.notify_all()

        return _once(leave)

    def one(rank: int, area: Path, refused: str | None) -> AreaOutcome:
        try:
            leave = enter(rank)
        except _Stopped:
            kernels_needed_no_more()
            return AreaOutcome(area, area.stem, EXIT_STOPPED, "stopped before it started")
        started = time.perf_counter()
        speak = area_say(area.stem)
        kernels_done = _once(kernels_needed_no_more)

        def done() -> None:
            leave()
            kernels_done()

        try:
            if isinstance(refused, ParameterError):
                raise refused
            if refused:
                raise ParameterError(f"{area}: not built: {refused}")
            result = build_area(area, jobs, force, output_root, kernels, speak, reading.hold(rank), chapters_done=done,
                                rank=rank)
            return AreaOutcome(area, result.area, result.exit_code, _status_of(result),
                               time.perf_counter() - started, result)
        except _Stopped:
            return AreaOutcome(area, area.stem, EXIT_STOPPED, "stopped", time.perf_counter() - started)
        except Exception as exc:  # the other areas still build
            if stopping.is_set():  # what failed because of Ctrl-C is not worth a message
                return AreaOutcome(area, area.stem, EXIT_STOPPED, "stopped", time.perf_counter() - started)
            if _disk_full(exc) and not isinstance(exc, BuildError):  # said plainly, not as a fault of the program
                exc = disk_full_error(output_root, book_kept=False)
            if isinstance(exc, OutputRefused):
                code, status = EXIT_BAD_INPUT, "refused: not the build's folder"
            elif isinstance(exc, (ParameterError, DataError)):
                code, status = EXIT_BAD_INPUT, "bad parameters" if isinstance(exc, ParameterError) else "bad data"
            else:
                code, status = EXIT_CHAPTER_FAILED, "failed"
            with print_lock:
                if on_error is not None:
                    on_error(area, exc)
                else:
                    say(f"{area}: {exc}")
            return AreaOutcome(area, area.stem, code, status, time.perf_counter() - started, error=exc)
        finally:
            done()

    with Kernels(jobs, output_root / ".kernels.log") as kernels:
        if many:  # one thread an area: most wait at the gate, the others mostly wait for processes
            areas = ThreadPoolExecutor(len(plan))
            try:
                futures = [areas.submit(one, rank, *job) for rank, job in enumerate(plan)]
                outcomes = [future.result() for future in futures]
            except KeyboardInterrupt:  # Ctrl-C: start nothing more, stop the kernels, then stop
                stopping.set()
                with gate:
                    gate.notify_all()
                kernels.stop()
                for pool in list(_children):
                    pool.stop_workers()
                raise
            finally:
                areas.shutdown(wait=True, cancel_futures=True)
        else:
            outcomes = [one(0, *plan[0])] if plan else []
    if (output_root / MARKER).is_file():  # the build's own folder (an area was built, or failed, in it)
        write_site_index(output_root, outcomes)
    return outcomes


def _once(action: Callable[[], None]) -> Callable[[], None]:
    """``action``, to be called at most once however often the result is called."""
    lock, called = threading.Lock(), []

    def run() -> None:
        with lock:
            if called:
                return
            called.append(True)
        action()

    return run


def summary_table(outcomes: list[AreaOutcome]) -> str:
    """One line per area: status, time, chapters executed and kept, whether the data were read."""
    header = ("area", "status", "exit", "time", "executed", "cached", "data")
    lines = []
    for o in outcomes:
        data = "-" if o.result is None else ("unchanged" if o.result.data_cached else "read")
        lines.append((o.slug, o.status, str(o.exit_code), f"{o.seconds:.1f} s",
                      "-" if o.executed is None else str(o.executed), "-" if o.cached is None else str(o.cached), data))
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]
    right = {2, 3, 4, 5}

    def fmt(row):
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))).rstrip()

    return "\n".join([fmt(header)] + [fmt(r) for r in lines])


__all__ = ["build_area", "build_areas", "execute_chapters", "prepare_data", "make_manifest", "summary_table",
           "AreaOutcome", "BuildResult", "ChapterRun"]
