"""Where the chapters run (DESIGN 3, steps 3 and 5): a pool of worker processes, each with
one warm Jupyter kernel, that computes chapters and executes notebooks with papermill for
every area of a build; and the handling of Ctrl-C for the processes the build starts, so
that they stop with it and end with it however it ends (:mod:`prebirth.lifeline`).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import signal
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import active_children, get_context
from pathlib import Path
from typing import Callable

from . import lifeline
from .exit_codes import BuildError


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
