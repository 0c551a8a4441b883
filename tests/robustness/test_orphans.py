"""A build whose main process alone is killed (SIGKILL: it runs no code at all) leaves no
process of its own behind: its worker processes and their kernels end with it.

The build runs as a separate process on a project whose one chapter sleeps for ten
minutes; every process it starts inherits a tag in its environment, which is how they
are found again after the main process is gone (they are then children of another).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from tests.conftest import ROOT, TINY, write_area

pytestmark = pytest.mark.slow

_MAIN = """
import sys
from pathlib import Path
from prebirth import build, layout
project, area, output = map(Path, sys.argv[1:4])
layout.ROOT = project
layout.NOTEBOOKS = (layout.Notebook("00_sleeps", 0, ("children",)),)
build.build_area(area, jobs=2, output_root=output)
"""


def _project(folder: Path, started: Path) -> Path:
    """The book's sources, with one chapter that notes its kernel's process id, then sleeps."""
    import shutil

    folder.mkdir()
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(ROOT / name, folder / name)
    shutil.copytree(ROOT / "pages", folder / "pages")
    (folder / "notebooks").mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    parameters = nbformat.v4.new_code_cell('area_file = ""\nprepared = ""\nresults_dir = ""\ndownloads_dir = ""')
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# A chapter that takes its time"), parameters,
                nbformat.v4.new_code_cell(f"import os, time\nopen({str(started)!r}, 'w').write(str(os.getpid()))\n"
                                          "time.sleep(600)")]
    nbformat.write(nb, folder / "notebooks" / "00_sleeps.ipynb")
    return folder


def _tagged(tag: str) -> list:
    """Every live process (zombies aside) whose environment carries ``tag``."""
    import psutil

    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get("PREBIRTH_TEST_TAG") == tag and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def _ended(process) -> bool:
    import psutil

    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _wait(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.2)


def test_killing_only_the_main_process_ends_its_workers_and_kernels(tmp_path):
    import psutil

    started = tmp_path / "kernel.pid"
    project = _project(tmp_path / "project", started)
    area = write_area(tmp_path / "area", TINY)
    tag = uuid.uuid4().hex
    main = subprocess.Popen([sys.executable, "-c", _MAIN, str(project), str(area), str(tmp_path / "out")],
                            env={**os.environ, "PREBIRTH_TEST_TAG": tag}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait(lambda: started.exists() and started.read_text() or main.poll() is not None, 300,
              "the chapter to start in a kernel")
        assert main.poll() is None, main.stdout.read().decode()
        kernel = int(started.read_text())
        children = {p.pid for p in psutil.Process(main.pid).children(recursive=True)}
        assert kernel in children and len(children) >= 3, children  # two workers, a kernel in each
        os.kill(main.pid, signal.SIGKILL)  # the main process only: nothing of it runs any more
        main.wait(30)
        killed = time.monotonic()
        deadline = killed + 60  # generous: they notice within a second, but the machine may be busy
        while (left := _tagged(tag)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not left, "still running a minute after the build was killed: " + "; ".join(
            f"{p.pid} {' '.join(p.cmdline())[:100]}" for p in left)
        print(f"every process of the build ended {time.monotonic() - killed:.1f} s after it was killed")
    finally:
        for process in _tagged(tag):  # whatever the outcome, leave nothing running on the machine
            process.kill()
        if main.poll() is None:
            main.kill()
        main.stdout.close()


_STARTS_A_CHILD = """
import subprocess, sys
from prebirth import lifeline
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], preexec_fn=lifeline.die_with_parent)
print(child.pid, flush=True)
child.wait()
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_process_started_like_jupyter_book_ends_with_the_process_that_started_it():
    """Jupyter Book is started like this (``preexec_fn=lifeline.die_with_parent``): when the
    build is killed while it renders, the render ends too."""
    import contextlib

    import psutil

    parent = subprocess.Popen([sys.executable, "-c", _STARTS_A_CHILD], stdout=subprocess.PIPE, text=True,
                              start_new_session=True)
    child = psutil.Process(int(parent.stdout.readline()))
    try:
        assert child.ppid() == parent.pid
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(30)
        _wait(lambda: _ended(child), 60, "the child to end")
    finally:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
        parent.stdout.close()
