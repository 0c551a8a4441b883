"""The build under things going wrong: bad data read in a worker process, a chapter that
fails with a data value in its error, a kernel that dies, and Ctrl-C.

These run real worker processes and real kernels (no stand-ins for papermill or nbclient).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from prebirth import build, layout
from prebirth.config import load_parameters
from prebirth.data.problems import DataError
from prebirth.kernels import Kernels, _WorkerPool
from tests.conftest import TINY, write_area


# -- bad data, read in a process of its own ------------------------------------------

def test_bad_data_read_in_a_worker_raise_a_data_error_with_every_problem(tmp_path):
    files = dict(TINY)
    files["proceedings.csv"] = "proceedings_id,child_id,issue_date\nP1,K1,2020-05-03\nP2,K2,31/02/2020\n"
    area = write_area(tmp_path, files)
    params = load_parameters(area)
    work = tmp_path / "work"
    work.mkdir()
    said = []
    with pytest.raises(DataError) as raised:
        build.prepare_data(area, params, work, "package", force=True, say=said.append)
    wrong_date = [p for p in raised.value.problems
                  if (p.level, p.file, str(p.row), p.column, p.value) == ("error", "proceedings.csv", "3", "issue_date",
                                                                         "31/02/2020")]
    assert len(wrong_date) == 1
    assert str(raised.value).startswith(f"{len(raised.value.errors)} problem(s) in the input data:\n")
    assert "proceedings.csv, row 3, column 'issue_date'" in str(raised.value)
    # Nothing vouches for data that could not be read, and nothing was announced as read.
    assert not (work / "prepared.json").exists() and not (work / "prepared.pkl").exists()
    assert said == []


# -- chapters run in real warm kernels -----------------------------------------------

@pytest.fixture(scope="module")
def kernels(tmp_path_factory):
    """One worker with one warm kernel, shared by the tests of this module."""
    log = tmp_path_factory.mktemp("kernels") / ".kernels.log"
    with Kernels(1, log) as shared:
        yield shared


def _chapter(tmp_path, monkeypatch, *code: str):
    """A project whose only chapter runs ``code`` (one cell each); returns what
    :func:`build.execute_chapters` needs to run it."""
    import nbformat

    project = tmp_path / "project"
    (project / "notebooks").mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    parameters = nbformat.v4.new_code_cell('area_file = ""\nprepared = ""\nresults_dir = ""\ndownloads_dir = ""')
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Tested chapter"), parameters]
    nb.cells += [nbformat.v4.new_code_cell(source) for source in code]
    nbformat.write(nb, project / "notebooks" / "00_tested.ipynb")
    monkeypatch.setattr(layout, "ROOT", project)
    monkeypatch.setattr(layout, "NOTEBOOKS", (layout.Notebook("00_tested", 0, ("children",)),))
    area = write_area(tmp_path / "area", TINY)
    work, src = tmp_path / "area" / ".work", tmp_path / "area" / ".src"
    for folder in (work / "cache", work / "results", src / "notebooks"):
        folder.mkdir(parents=True)
    return load_parameters(area), area, work, src


def _count_run(path: Path) -> str:
    """A cell that notes each run of the notebook in ``path``."""
    return f"with open({str(path)!r}, 'a') as _runs:\n    _runs.write('run\\n')"


def _run(kernels, params, area, work, src):
    said: list[str] = []
    (run,) = build.execute_chapters(params, {"sources": []}, area, work, src, kernels, True, "package",
                                    say=said.append)
    return run, "\n".join(said)


def test_a_failed_chapter_publishes_the_type_of_its_error_but_no_value(kernels, tmp_path, monkeypatch):
    runs = tmp_path / "runs.txt"
    params, area, work, src = _chapter(tmp_path, monkeypatch, _count_run(runs), "children = {}",
                                       "children['C000123']")
    run, said = _run(kernels, params, area, work, src)
    assert runs.read_text() == "run\n"  # an error in a cell is not tried again
    # The analyst's console names the value (only they see it) ...
    assert run.error and "C000123" in run.error and "KeyError" in run.error
    assert "C000123" in said
    # ... what is published names the kind of error and where to look, not the value.
    result = build.BuildResult(params.slug, tmp_path, chapters=[run])
    manifest = build.make_manifest(params, {"sources": [], "benchmark_files": []}, result)
    import json

    text = json.dumps(manifest)
    assert "C000123" not in text
    (chapter,) = manifest["chapters"]
    assert chapter["error"].startswith("KeyError")
    assert "notebooks/00_tested.ipynb" in chapter["error"] and "console" in chapter["error"]
    page = (src / "notebooks" / "00_tested.ipynb").read_text(encoding="utf-8")
    assert "C000123" not in page
    assert "could not be built this time" in page and "KeyError" in page and "PapermillExecutionError" not in page
    # The kernel log (the analyst's) has the whole story.
    assert "C000123" in kernels.log.read_text()


def test_published_error_text_is_only_the_type_and_a_fixed_sentence():
    failed = build.ChapterRun("05_urgent_hearings", error="KeyError: 'C000123'", error_type="KeyError")
    assert build.published_error(failed) == build.published_error(
        build.ChapterRun("05_urgent_hearings", error="KeyError: 'K77'", error_type="KeyError"))
    assert build.published_error(build.ChapterRun("05_urgent_hearings")) == ""
    # A name that is not a plain (dotted) identifier is not published either.
    odd = build.ChapterRun("05_urgent_hearings", error="x", error_type="Error for C000123")
    assert "C000123" not in build.published_error(odd)


# -- a kernel that dies -------------------------------------------------------------

def _kill_kernel_unless(marker: Path) -> str:
    """A cell that kills its own kernel (as the system does when memory runs out), the first
    time only when ``marker`` is given: it leaves the marker behind before it dies."""
    return (f"import os, pathlib, signal\nmarker = pathlib.Path({str(marker)!r})\n"
            f"if not marker.exists():\n    marker.write_text('died once')\n    os.kill(os.getpid(), signal.SIGKILL)")


def test_a_chapter_whose_kernel_died_runs_again_once_in_a_fresh_kernel(kernels, tmp_path, monkeypatch):
    runs, marker = tmp_path / "runs.txt", tmp_path / "died-once"
    params, area, work, src = _chapter(tmp_path, monkeypatch, _count_run(runs), _kill_kernel_unless(marker),
                                       "answer = 6 * 7\nanswer")
    run, said = _run(kernels, params, area, work, src)
    assert run.error == "" and not run.cached, said
    assert marker.exists() and runs.read_text() == "run\nrun\n"  # it died once and ran again, once
    import nbformat

    nb = nbformat.read(src / "notebooks" / "00_tested.ipynb", as_version=4)
    assert nb.cells[-1].outputs[0]["data"]["text/plain"] == "42"  # the second run went to the end
    assert "00_tested.ipynb: the kernel died" in kernels.log.read_text()
    # The worker's kernel afterwards is a fresh one that works.
    params, area, work, src = _chapter(tmp_path / "next", monkeypatch, "assert 'marker' not in dir()")
    assert _run(kernels, params, area, work, src)[0].error == ""


def test_a_chapter_whose_kernel_dies_every_time_fails_after_one_retry(kernels, tmp_path, monkeypatch):
    runs = tmp_path / "runs.txt"
    params, area, work, src = _chapter(tmp_path, monkeypatch, _count_run(runs),
                                       "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    run, said = _run(kernels, params, area, work, src)
    assert runs.read_text() == "run\nrun\n"  # tried twice, not more
    assert run.error_type == "DeadKernelError"
    assert "kernel died" in run.error and "again" in run.error and "memory" in run.error
    assert f"00_tested: FAILED ({run.error})" in said
    page = (src / "notebooks" / "00_tested.ipynb").read_text(encoding="utf-8")
    assert "could not be built this time" in page and "DeadKernelError" in page
    # The next chapter in this worker gets a kernel that works.
    params, area, work, src = _chapter(tmp_path / "next", monkeypatch, "6 * 7")
    assert _run(kernels, params, area, work, src)[0].error == ""


# -- Ctrl-C: the build stops its worker processes ----------------------------------------

def _gone(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _wait(condition, seconds: float, what: str) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.1)


def test_stopping_the_kernels_stops_a_running_notebook_its_worker_and_kernel(tmp_path, monkeypatch):
    import threading
    from concurrent.futures import as_completed

    import psutil

    kernel_pid = tmp_path / "kernel.pid"
    params, area, work, src = _chapter(
        tmp_path, monkeypatch, f"import os, time\nopen({str(kernel_pid)!r}, 'w').write(str(os.getpid()))\n"
                               "time.sleep(120)")
    kernels = Kernels(1, tmp_path / ".kernels.log")
    notebook = str(layout.ROOT / "notebooks" / "00_tested.ipynb")
    running = kernels.submit(notebook, str(work / "out.ipynb"), {}, str(layout.ROOT / "notebooks"), params.slug)
    _wait(lambda: kernel_pid.exists() and kernel_pid.read_text(), 180, "the notebook to start")
    queued = kernels.submit(notebook, str(work / "next.ipynb"), {}, str(layout.ROOT / "notebooks"), params.slug)
    kernel = int(kernel_pid.read_text())
    worker = psutil.Process(kernel).ppid()
    assert worker in {p.pid for p in psutil.Process().children()}  # a worker of this process
    stopping = threading.Thread(target=kernels.stop, daemon=True)  # what Ctrl-C does
    stopping.start()
    stopping.join(30)
    assert not stopping.is_alive(), "stopping waited for the running notebook instead of stopping it"
    _wait(lambda: _gone(worker) and _gone(kernel), 20, "the worker and its kernel to end")
    assert running.exception(timeout=20) is not None  # the notebook did not finish
    # Whoever waits for the chapters as they finish is woken for the queued one too: a build
    # waiting on as_completed must not hang after Ctrl-C.
    finished = [f for f in as_completed([running, queued], timeout=20)]
    assert len(finished) == 2 and queued.cancelled()
    with pytest.raises(build.BuildError, match="stopped"):
        kernels.submit(notebook, str(work / "again.ipynb"), {}, str(layout.ROOT / "notebooks"), params.slug)


_CTRL_C_WHILE_A_WORKER_STARTS = """
import os, signal, sys
signal.signal(signal.SIGINT, lambda *_: None)  # this process outlives the Ctrl-C; its new worker must too
from prebirth import kernels
pool = kernels._WorkerPool(1)
future = pool.submit(os.getpid)  # starts the worker process
os.killpg(0, signal.SIGINT)  # Ctrl-C while Python is still starting in it
print("worker", future.result(timeout=120), flush=True)
pool.shutdown()
"""


def test_ctrl_c_while_a_worker_starts_shows_no_traceback():
    """A worker that Ctrl-C reaches while Python is still starting in it (before it can ignore
    Ctrl-C) neither dies nor prints a traceback: it starts with Ctrl-C held back."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _CTRL_C_WHILE_A_WORKER_STARTS], capture_output=True, text=True,
                          timeout=180, start_new_session=True, cwd=layout.ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("worker ")
    assert "Traceback" not in done.stderr and "KeyboardInterrupt" not in done.stderr, done.stderr


def test_a_pool_stopped_while_its_worker_starts_ends_that_worker():
    """Stopping a pool before its new worker has told its process id still ends the worker
    (it would otherwise run the job it was given, a data reading or a notebook, to the end)."""
    import time
    from concurrent.futures.process import BrokenProcessPool

    import psutil

    before = {p.pid for p in psutil.Process().children()}
    pool = _WorkerPool(1)
    try:
        future = pool.submit(time.sleep, 120)  # starts the worker process
        pool.stop_workers()  # at once: the worker has not reported yet
        started = {p.pid for p in psutil.Process().children()} - before
        assert isinstance(future.exception(timeout=60), BrokenProcessPool)
        workers = {pid for pid in started if not _gone(pid) and "resource_tracker" not in " ".join(
            psutil.Process(pid).cmdline())}
        _wait(lambda: all(_gone(pid) for pid in workers), 20, "the worker to end")
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def test_stopping_a_pool_uses_no_private_attribute_of_the_pool():
    """Worker processes are found through what the pool's workers report, not ``pool._processes``
    (a detail of the standard library that can change without notice)."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(build))
    private = sorted({node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                      and node.attr in ("_processes", "_pending_work_items", "_executor_manager_thread")}
                     | {node.args[1].value for node in ast.walk(tree) if isinstance(node, ast.Call)
                        and getattr(node.func, "id", "") == "getattr" and len(node.args) > 1
                        and isinstance(node.args[1], ast.Constant) and node.args[1].value == "_processes"})
    assert private == []
