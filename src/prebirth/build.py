"""Build an area's book: papermill executes, Jupyter Book renders (DESIGN 3).

1. load and check the parameters; 2. load and check the data, in a separate process
(kept from the last build when no input file, parameter or package file changed);
3. execute each chapter notebook with papermill, in parallel, in warm kernels, skipping
chapters whose inputs did not change; 4. render with Jupyter Book (execution off;
incremental, and skipped when no page changed); 5. write indicators.csv and
manifest.json; 6. publish atomically: the previous book stays in place until the new
one is complete. :func:`build_areas` builds several areas with one set of kernels and
writes a site index linking their books.

The orchestration, not the arithmetic, dominates the time, so the process that runs it
imports neither pandas nor the statistics: it starts in well under a second, and a
rebuild with nothing changed does little more than compare fingerprints.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import errno
import fcntl
import functools
import hashlib
import heapq
import html as html_text
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from multiprocessing import active_children, get_context
from pathlib import Path
from typing import Callable

import yaml

from . import compute, lifeline
from .chapters.requirements import QUESTIONS
from .config import AreaParameters, ParameterError, area_slug, load_parameters
from .data.problems import DataError
from .provenance import git_commit, software_versions  # noqa: F401 (build's names, kept)

PACKAGE_DIR = Path(__file__).resolve().parent
# The book's sources (notebooks/, pages/, _config.yml, _toc.yml): the project the package is in.
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
    module: str = ""  # prebirth.chapters.<module>

    @property
    def key(self) -> str:
        return self.stem.split("_", 1)[1]

    @property
    def computed(self) -> bool:
        """Whether the chapter's result is computed first and disclosed with the whole book
        (:mod:`prebirth.compute`): its notebook then takes the ``result_file`` it displays."""
        return _takes_result(ROOT / "notebooks" / f"{self.stem}.ipynb")


def _tables_for(chapter: int) -> tuple[str, ...]:
    needed = {need.table for q in QUESTIONS if q.chapter == chapter for need in q.needs}
    return tuple(sorted(needed | {"children"}))


NOTEBOOKS: tuple[Notebook, ...] = (
    Notebook("00_about_your_data", 0, ALL_TABLES, module="about_data"),
    Notebook("01_infants_and_newborns", 1, _tables_for(1), module="infants"),
    Notebook("02_recurrent_proceedings", 2, _tables_for(2), module="recurrence"),
    Notebook("03_behind_the_trends", 3, _tables_for(3), module="trends"),
    Notebook("04_waiting_times", 4, _tables_for(4), module="waiting"),
    Notebook("05_urgent_hearings", 5, _tables_for(5), module="urgent"),
    Notebook("06_the_parents", 6, _tables_for(6) + ("care_episodes",), module="parents"),
    Notebook("07_fathers", 7, _tables_for(7) + ("parents", "assessments"), module="fathers"),
    Notebook("08_reflect_and_plan", 8, ("rag",), after=tuple(f"0{i}" for i in range(8)), module="reflect"),
    Notebook("09_about_this_report", 9, ALL_TABLES, after=tuple(f"0{i}" for i in range(9)), module="about_report"),
)


class BuildError(Exception):
    """A problem with the build itself (not the user's data)."""


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
        return 1 if self.failed else 0


# -- parameters of a notebook --------------------------------------------------

def notebook_parameters(path: Path) -> dict[str, str]:
    """Names (and annotations) declared in the notebook's cell tagged ``parameters``."""
    import nbformat

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


@functools.lru_cache(maxsize=None)
def _takes_result(path: Path) -> bool:
    return path.exists() and "result_file" in notebook_parameters(path)


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
    """The code, and the published reference figures the chapters read (``data/reference``)."""
    files = sorted(PACKAGE_DIR.rglob("*.py")) + sorted(PACKAGE_DIR.rglob("*.yml"))
    parts = [str(p.relative_to(PACKAGE_DIR)).encode() + p.read_bytes() for p in files]
    return _sha(*parts, *_tree_prints(PACKAGE_DIR.parents[1] / "data" / "reference"))


def _file_sha(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tree_prints(path: Path | None) -> list[bytes]:
    """Name and content fingerprint of a file, or of every file in a folder (recursively).

    Hidden files and Excel's lock files (``~$...``) are left out: the loader ignores them.
    """
    if path is None or not Path(path).exists():
        return [b"absent"]
    path = Path(path)
    if path.is_file():
        return [path.name.encode() + b"=" + _file_sha(path).encode()]
    files = sorted(p for p in path.rglob("*") if p.is_file()
                   and not any(part.startswith((".", "~$")) for part in p.relative_to(path).parts))
    return [str(p.relative_to(path)).encode() + b"=" + _file_sha(p).encode() for p in files]


def data_key(params: AreaParameters, package: str) -> str:
    """What the prepared (read and checked) data depend on: the package, the parameters,
    and the bytes of every file in the data and benchmarks folders."""
    parts = [package.encode(), json.dumps(params.model_dump(mode="json"), sort_keys=True).encode()]
    for source in (params.data, params.benchmarks, params.previous_indicators):
        parts += _tree_prints(source) + [b"--"]
    return _sha(*parts)


def input_fingerprints(params: AreaParameters, sources: list[dict]) -> dict[str, str]:
    """Fingerprint of each canonical table's source files, and of the benchmarks."""
    by_table: dict[str, list[str]] = {}
    for source in sources:
        for table in source["tables"]:
            by_table.setdefault(table, []).append(source["sha256"])
    prints = {t: _sha(*[s.encode() for s in sorted(v)]) for t, v in by_table.items()}
    if params.benchmarks is not None:
        prints["_benchmarks"] = _sha(*_tree_prints(params.benchmarks))
    if params.previous_indicators is not None:
        prints["_previous"] = _sha(*_tree_prints(params.previous_indicators))
    return prints


# -- child processes and Ctrl-C ------------------------------------------------
# Ctrl-C reaches every process of the build. The children ignore it and the main process,
# which knows what is running, stops them: kernels are killed, nothing more is published.

def _ignore_interrupt() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # blocked since it started (see _WorkerPool)


def _report_then(reports, stopping, parent: int, initializer: Callable | None, initargs: tuple) -> None:
    """Initializer of a pool's worker: tell the pool this process's id, leave Ctrl-C to the
    build, end with the build (``parent``) however it ends, then start as asked; or end at
    once if the pool was stopped while this started (it may not have known this process's id yet)."""
    reports.put(os.getpid())
    if stopping.is_set():
        os._exit(1)
    _ignore_interrupt()
    lifeline.watch_parent(parent, on_end=_kill_kernel)  # its kernel too, if it has one
    if initializer is not None:
        initializer(*initargs)


@contextlib.contextmanager
def _interrupt_blocked():
    """Ctrl-C held back in this thread: a process started meanwhile starts with it held back too.

    Another thread (or, if there is none, this one once it is done) still takes the Ctrl-C
    for the build, which then stops the processes it started."""
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


class _WorkerPool(ProcessPoolExecutor):
    """A pool of spawned worker processes that the build can stop at once (Ctrl-C).

    Its workers report their process ids as they start; the pool stops those of them that
    are still this process's children (so never a process that merely got a reused id).
    A worker starts with Ctrl-C held back (signal masks pass to a new process) until its
    initializer ignores it: otherwise a Ctrl-C that came while Python was still starting
    in it would end it with a traceback on the analyst's screen. The build stops it.
    """

    def __init__(self, workers: int, initializer: Callable | None = None, initargs: tuple = ()):
        context = get_context("spawn")
        self.worker_reports = context.SimpleQueue()
        self.worker_ids: set[int] = set()
        self.worker_ids_lock = threading.Lock()
        self.stopping = context.Event()
        super().__init__(workers, mp_context=context, initializer=_report_then,
                         initargs=(self.worker_reports, self.stopping, os.getpid(), initializer, initargs))

    def submit(self, *args, **kwargs) -> Future:
        with _interrupt_blocked():  # a submission may start a worker process
            return super().submit(*args, **kwargs)

    def stop_workers(self) -> None:
        """Stop this pool's processes now (SIGTERM), whatever they are doing; one still
        starting ends when it has told its id (see :func:`_report_then`)."""
        self.stopping.set()  # before the reports are read: a worker told after this sees it
        with self.worker_ids_lock:  # one reader at a time: a second would wait for a report never sent
            while not self.worker_reports.empty():
                self.worker_ids.add(self.worker_reports.get())
            ids = set(self.worker_ids)
        for process in active_children():
            if process.pid in ids:
                with contextlib.suppress(Exception):
                    process.terminate()


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


# -- warm kernels ----------------------------------------------------------------
# Starting a kernel and importing pandas, statsmodels and the chapter modules takes
# longer than most chapters take to run. Each worker process therefore keeps one kernel,
# warmed once, and runs notebook after notebook in it (of one area or of several). Before
# and after each notebook the kernel is put back as a fresh one would be: its namespace
# and history emptied, figures closed, matplotlib settings and warning filters as they
# were after the warm-up, the working folder that of the notebook.

_WARM_UP = """\
import importlib as _importlib, pkgutil as _pkgutil, warnings as _warnings
import matplotlib as _matplotlib
import prebirth.chapters as _chapters
for _module in _pkgutil.iter_modules(_chapters.__path__):
    try:
        _importlib.import_module("prebirth.chapters." + _module.name)
    except Exception:  # the notebook that imports it shows the error
        pass
try:
    import matplotlib.pyplot
    from myst_nb import glue
except Exception:
    pass
_matplotlib._prebirth_rc = _matplotlib.rcParams.copy()
_warnings._prebirth_filters = list(_warnings.filters)
"""

_RESET = """\
import os as _os, warnings as _warnings
import matplotlib as _matplotlib, matplotlib.pyplot as _plt
_plt.close("all")
with _warnings.catch_warnings():
    _warnings.simplefilter("ignore")
    _matplotlib.rcParams.update(_matplotlib._prebirth_rc)
_warnings.filters[:] = _warnings._prebirth_filters
_os.chdir({cwd!r})
get_ipython().reset(new_session=True)
__import__("gc").collect()
"""

_worker: dict = {}  # in a worker process: its kernel manager ("km")


def _worker_start(log: str) -> None:
    """Initializer of a worker process: send kernel chatter to the log, start a warm kernel."""
    signal.signal(signal.SIGTERM, _worker_stopped)
    with open(log, "a") as handle:
        os.dup2(handle.fileno(), 2)
    try:
        _warm_kernel()
    except Exception:  # the first notebook starts it again and reports why it cannot
        _stop_kernel()


# The kernel's first lines: it ends when its worker does, however the worker ends.
_LIFELINE = """\
import os as _os, prebirth.lifeline as _lifeline
_lifeline.die_with_parent()
if _os.getppid() != {worker}:
    _os._exit(1)
del _os, _lifeline
"""

KERNEL_STARTS = 3  # tries to start a kernel: on a busy machine one may die before it answers


def _warm_kernel():
    """This worker's kernel, started and warmed on first use (again if it died).

    A kernel that dies or does not answer while it starts ("Kernel died before replying to
    kernel_info", as happens on a loaded machine) is replaced by a new one, up to
    ``KERNEL_STARTS`` tries in all; then a BuildError says so.
    """
    from jupyter_core.utils import run_sync

    km = _worker.get("km")
    if km is not None and run_sync(km.is_alive)():
        return km
    _stop_kernel()
    if not _worker.get("finalizer"):
        from multiprocessing.util import Finalize

        # Worker processes end with os._exit, which skips atexit: stop the kernel first.
        _worker["finalizer"] = Finalize(None, _stop_kernel, exitpriority=50)
    for attempt in range(1, KERNEL_STARTS + 1):
        try:
            client = _start_kernel()
            break
        except Exception as exc:
            _stop_kernel()
            why = f"{type(exc).__name__}: {str(exc).strip()}"
            if attempt == KERNEL_STARTS:
                raise BuildError(f"the Python kernel that runs the chapters could not be started ({KERNEL_STARTS} "
                                 f"tries; the last: {why}). The machine may be too busy: run the build again, "
                                 f"or with fewer chapters at once (-j 1).") from exc
            # For the kernel log (this worker's stderr).
            print(f"the kernel did not start ({why}); starting a new one (try {attempt + 1} of {KERNEL_STARTS})",
                  file=sys.stderr, flush=True)
    try:
        _warm_up(client)
    finally:
        client.stop_channels()
    return _worker["km"]


def _start_kernel():
    """Start this worker's kernel (``_worker["km"]``) and wait until it answers; returns a
    client connected to it (the caller stops its channels).

    The client belongs to the kernel's manager, so that while it waits it asks the manager
    whether the kernel's process is alive. A client of its own would judge by heartbeats,
    and take a kernel that is slow to answer one within a second, as on a loaded machine,
    for dead ("Kernel died before replying to kernel_info") though it is starting normally.
    """
    from jupyter_client import BlockingKernelClient
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    km = AsyncKernelManager(kernel_name="python3")
    _worker["km"] = km  # before it starts: a start that fails half-way is stopped all the same
    run_sync(km.start_kernel)()
    client = BlockingKernelClient(parent=km)
    client.load_connection_info(km.get_connection_info())
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
    except BaseException:
        client.stop_channels()
        raise
    return client


def _warm_up(client) -> None:
    client.execute_interactive(_LIFELINE.format(worker=os.getpid()) + _WARM_UP, silent=True, store_history=False,
                               timeout=600)


def _worker_stopped(signum, frame) -> None:
    """SIGTERM from the build (it was interrupted): kill this worker's kernel, then end."""
    _kill_kernel()
    os._exit(1)


def _kill_kernel() -> None:
    """Kill this worker's kernel at once, if it has one (the worker is ending)."""
    km = _worker.get("km")
    process = getattr(getattr(km, "provisioner", None), "process", None)
    if process is not None:
        with contextlib.suppress(Exception):
            process.kill()


def _stop_kernel() -> None:
    from jupyter_core.utils import run_sync

    km = _worker.pop("km", None)
    _worker["clean"] = False
    if km is not None:
        with contextlib.suppress(Exception):
            run_sync(km.shutdown_kernel)(now=True)


def _warm_engine():
    """A papermill engine that runs the notebook in the worker's warm kernel."""
    if "engine" in _worker:
        return _worker["engine"]
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger

    class WarmKernelClient(PapermillNotebookClient):
        before_code = after_code = ""

        def _silently(self, code: str) -> None:
            reply = self.wait_for_reply(self.kc.execute(code, silent=True, store_history=False))
            if not reply or reply["content"].get("status") != "ok":
                why = (reply or {}).get("content", {})
                raise BuildError(f"the kernel could not be reset between notebooks: {why.get('ename')}: "
                                 f"{why.get('evalue')}")

        def papermill_execute_cells(self):
            self._silently(self.before_code)
            super().papermill_execute_cells()
            self._silently(self.after_code)  # frees the area's tables while the kernel waits

    class WarmKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, km=None,
                                     before_code="", after_code="", **kwargs):
            client = WarmKernelClient(nb_man, km=km, kernel_name=kernel_name, log=logger, log_output=log_output,
                                      stdout_file=stdout_file, stderr_file=stderr_file,
                                      startup_timeout=start_timeout, timeout=execution_timeout)
            client.before_code, client.after_code = before_code, after_code
            try:
                return client.execute()
            finally:
                if client.kc is not None:
                    client.kc.stop_channels()

    papermill_engines.register("prebirth-warm", WarmKernelEngine)
    _worker["engine"] = "prebirth-warm"
    return _worker["engine"]


def _execute(notebook: str, output: str, parameters: dict, cwd: str, area: str) -> float:
    """Run one notebook with papermill in this worker's warm kernel; returns seconds taken.

    When the kernel dies under the notebook (the system ends a kernel that takes too much
    memory, for one), the notebook runs once more in a fresh kernel; if that kernel dies
    too, the chapter fails. An error raised by the notebook itself fails it at once.
    """
    from nbclient.exceptions import DeadKernelError

    start = time.perf_counter()
    name = Path(notebook).name
    for attempt in (1, 2):
        try:
            _execute_once(notebook, output, parameters, cwd)
            break
        except Exception as exc:
            died = _kernel_died(exc)
            _stop_kernel()  # whatever went wrong, the next run gets a fresh kernel
            # What happened, in full, for the analyst (this worker's stderr is the kernel log).
            if died and attempt == 1:
                print(f"{name}: the kernel died ({type(exc).__name__}: {str(exc).strip()}); running the notebook "
                      f"again in a fresh kernel", file=sys.stderr, flush=True)
                continue
            print(f"{name} failed: {type(exc).__name__}: {str(exc).strip()}", file=sys.stderr, flush=True)
            if died:
                raise DeadKernelError(
                    "the kernel died while running the notebook, and again when it ran once more in a fresh kernel; "
                    "it may have run out of memory (try fewer chapters at once: -j 1)") from exc
            raise
        except BaseException:
            _stop_kernel()
            raise
    tidy_executed(Path(output), area)
    return time.perf_counter() - start


def _execute_once(notebook: str, output: str, parameters: dict, cwd: str) -> None:
    import papermill

    reset = _RESET.format(cwd=str(cwd))
    km = _warm_kernel()
    # Reset after every notebook; before one only when the kernel is new (the warm-up's names)
    # or the last reset did not finish, otherwise just set the working folder.
    before = f"import os as _os; _os.chdir({str(cwd)!r}); del _os" if _worker.get("clean") else reset
    _worker["clean"] = False
    papermill.execute_notebook(notebook, output, parameters=parameters, cwd=cwd, progress_bar=False,
                               log_output=False, kernel_name="python3", engine_name=_warm_engine(),
                               request_save_on_cell_execute=False, km=km, before_code=before,
                               after_code=reset)
    _worker["clean"] = True


def _kernel_died(exc: Exception) -> bool:
    """Whether ``exc`` means that this worker's kernel died (not that the notebook failed in it)."""
    from jupyter_core.utils import run_sync
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, DeadKernelError):
        return True
    if isinstance(exc, PapermillExecutionError):  # a cell raised it: the kernel answered
        return False
    km = _worker.get("km")  # also one that died while it started or warmed up
    try:
        return km is not None and not run_sync(km.is_alive)()
    except Exception:  # noqa: BLE001 - cannot tell: treat the error as the notebook's
        return False


def _ready() -> int:
    return os.getpid()


def default_jobs() -> int:
    """The CPUs this process may use (a container's limit, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return os.cpu_count() or 1


class Kernels:
    """Worker processes, each with one warm kernel, shared by every area of a build.

    Started on first need, so a rebuild that executes nothing starts no kernel at all.
    Notebooks wait in a priority queue and go to the kernels ``jobs`` at a time: the
    lowest ``priority`` first (an earlier area's, then the slower chapters), so that an
    area's last chapters do not wait behind the next area's first ones.
    """

    def __init__(self, jobs: int | None, log: Path):
        self.jobs = max(1, jobs or default_jobs())
        self.log = log
        self._pool: _WorkerPool | None = None
        self._lock = threading.Lock()
        self._queue: list = []  # heap of (priority, order, arguments, future)
        self._order = itertools.count()
        self._running = 0
        self._changed = threading.Condition()
        self._dispatcher: threading.Thread | None = None
        self._stopped = False

    def start(self) -> None:
        with self._lock:
            if self._stopped:
                raise BuildError("the build was stopped")
            if self._pool is None:
                self.log.parent.mkdir(parents=True, exist_ok=True)
                self._pool = _WorkerPool(self.jobs, initializer=_worker_start, initargs=(str(self.log),))
                for _ in range(self.jobs):  # each submission starts a worker, which warms its kernel
                    self._pool.submit(_ready)

    def submit(self, *args, priority: tuple = (), task: Callable | None = None) -> Future:
        """Queue one notebook (the arguments of :func:`_execute`), or another ``task`` to run in a
        worker (a chapter's computation); its future gives the seconds taken."""
        self.start()
        future: Future = Future()
        with self._changed:
            heapq.heappush(self._queue, (priority, next(self._order), (task or _execute, args), future))
            if self._dispatcher is None:
                self._dispatcher = threading.Thread(target=self._dispatch, name="prebirth-kernels", daemon=True)
                self._dispatcher.start()
            self._changed.notify_all()
        return future

    def _dispatch(self) -> None:
        while True:
            with self._changed:
                if not self._changed.wait_for(lambda: self._queue and self._running < self.jobs, timeout=2):
                    if not self._queue:  # idle: the next submission starts another dispatcher
                        self._dispatcher = None
                        return
                    continue
                _, _, args, future = heapq.heappop(self._queue)
                if not future.set_running_or_notify_cancel():
                    continue
                self._running += 1
            try:
                inner = self._pool_submit(args)
            except Exception as exc:  # noqa: BLE001 - handed to whoever waits for this notebook
                self._finished(future, None, exc)
                continue
            inner.add_done_callback(lambda done, future=future: self._finished(future, done))

    def _pool_submit(self, call) -> Future:
        task, args = call
        self.start()
        try:
            return self._pool.submit(task, *args)
        except BrokenProcessPool:  # a worker died (e.g. out of memory): start afresh for what is left
            with self._lock:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None
            self.start()
            return self._pool.submit(task, *args)

    def _finished(self, future: Future, done: Future | None, error: BaseException | None = None) -> None:
        with self._changed:
            self._running -= 1
            self._changed.notify_all()
        if done is not None:
            error = (BuildError("not run: the kernels were stopped") if done.cancelled() else done.exception())
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(done.result())

    def close(self) -> None:
        """Stop the kernels (queued notebooks are cancelled); a later submission starts them again."""
        with self._changed:
            for *_, future in self._queue:
                future.cancel()
                # cancel() alone wakes no one waiting in as_completed() or wait(): this does
                future.set_running_or_notify_cancel()
            self._queue.clear()
        with self._lock:
            if self._pool is not None:
                if self._running:  # closed while notebooks run: the build was interrupted
                    self._pool.stop_workers()
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None

    @property
    def stopped(self) -> bool:
        return self._stopped

    def stop(self) -> None:
        """Stop for good (the build was interrupted): notebooks running are killed, nothing more runs."""
        with self._lock:
            self._stopped = True
            if self._pool is not None:
                self._pool.stop_workers()
        self.close()

    def __enter__(self) -> "Kernels":
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is not None and not issubclass(kind, Exception):  # Ctrl-C
            self.stop()
        else:
            self.close()


# -- the build -----------------------------------------------------------------

def _say(message: str) -> None:
    print(message, flush=True)


def _failed_page(stem: str, title: str, error: str):
    """The page a failed chapter gets instead. ``error`` is published: it must come from
    :func:`published_error`, never from the error's message."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(
        f"# {title}\n\n:::{{warning}}\nThis chapter could not be built this time. The analyst who ran the book "
        f"has been told why; the other chapters are complete.\n\nThe chapter stopped with {error}\n:::\n")]
    return nb


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
def area_lock(folder: Path, say: Callable[[str], None] = _say):
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
    _sync_tree(PACKAGE_DIR / "assets" / "templates", src / "_templates")
    (src / "extra" / "downloads").mkdir(parents=True, exist_ok=True)


def source_stamp(src: Path) -> str:
    """Fingerprint of everything Jupyter Book reads: when it matches the last render's, the
    HTML would come out the same, so the render is skipped."""
    files = sorted(p for p in src.rglob("*") if p.is_file())
    return _sha(b"jupyter-book", *[str(p.relative_to(src)).encode() + b"=" + _file_sha(p).encode() for p in files])


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
    package = package_fingerprint()
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
            if chapters_done is not None:
                chapters_done, done = None, chapters_done
                done()
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
        say(f"  chapter {failure.stem} failed: {failure.error}")
    return result


def chapter_key(nb: Notebook, source: bytes, package: str, settings: dict, prints: dict[str, str],
                results_dir: Path, bundle: Path | None = None) -> str:
    """A notebook's cache key: its notebook, the package, the parameters, and what it shows: its
    disclosed result (a computed chapter), or the fingerprints of the tables it reads and of the
    benchmarks and the results of the chapters it collects."""
    if bundle is not None:
        return _sha(source, package.encode(), json.dumps(settings, sort_keys=True).encode(), bundle.read_bytes())
    upstream = [results_dir / f"{n.key}.json" for n in NOTEBOOKS if n.stem[:2] in nb.after]
    parts = [source, package.encode(), json.dumps(settings, sort_keys=True).encode()]
    parts += [f"{t}={prints.get(t, 'absent')}".encode() for t in nb.tables]
    parts.append(prints.get("_benchmarks", "").encode() + prints.get("_previous", "").encode())
    parts += [p.read_bytes() if p.exists() else b"absent" for p in upstream]
    return _sha(*parts)


def execute_chapters(params, summary, area_file, work, src, kernels, force, package=None,
                     say: Callable[[str], None] = _say, rank: int = 0, audit: dict | None = None) -> list[ChapterRun]:
    """Compute and disclose the computed chapters, then execute every notebook whose inputs changed."""
    audit = {} if audit is None else audit
    prints = input_fingerprints(params, summary["sources"])
    package = package or package_fingerprint()
    settings = params.model_dump(mode="json")
    runs: dict[str, ChapterRun] = {}
    notebooks_dir = ROOT / "notebooks"

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
    computed = compute.run(NOTEBOOKS, params, work, kernels, result_key, say, force, rank, write_json)
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
    waves = [[nb for nb in NOTEBOOKS if not nb.after]] + [[nb] for nb in NOTEBOOKS if nb.after]
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
    return [runs[nb.stem] for nb in NOTEBOOKS]


def tidy_executed(path: Path, area: str) -> None:
    """Hide papermill's injected parameters cell and drop its paths (they name folders on the
    analyst's machine; the executed notebook is published with the book)."""
    import nbformat

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

EXIT_OK, EXIT_CHAPTER_FAILED, EXIT_BAD_INPUT, EXIT_STOPPED = 0, 1, 2, 130


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


def _manifest_of(folder: Path) -> dict | None:
    try:
        return json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError):
        return None


def write_site_index(output_root: Path, outcomes: list[AreaOutcome] = ()) -> Path | None:
    """``<output>/index.html``: every area's book in the folder, with when it was built and
    how this run went. Plain HTML with its own styles: it works offline, from a file share."""
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
            kept = " (the previous book is kept)" if manifest else ""
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


__all__ = ["build_area", "build_areas", "write_site_index", "summary_table", "AreaOutcome", "BuildError",
           "BuildResult", "Kernels", "NOTEBOOKS", "ParameterError", "DataError"]
