"""The build's child processes end with it, however it ends (SIGKILL included).

A build starts worker processes, a Python kernel in each, and Jupyter Book. Ctrl-C and
SIGTERM reach the build, which stops them (see ``kernels``); but a build killed outright
runs no code at all, and its children would go on executing chapters for no one. So:

- :func:`die_with_parent` (Linux): the system sends the process SIGKILL when the thread
  that started it ends. Used where that thread outlives the child: Jupyter Book (started
  and waited for by one thread) and each kernel (started by its worker's main thread).
- :func:`watch_parent`: a thread that ends the process once its parent is gone (the
  process is then adopted by another one, so its parent's id changes). Used in the worker
  processes, which a pool may start from a short-lived thread: ``PR_SET_PDEATHSIG``
  would end them when that thread ends, not when the build does.

Imported by the kernels too: it imports nothing heavy.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from typing import Callable

PR_SET_PDEATHSIG = 1


def _find_prctl():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


# Looked up once, before any fork: in a ``preexec_fn`` (between fork and exec) only the call runs.
_PRCTL = _find_prctl()


def die_with_parent(signum: int = signal.SIGKILL) -> None:
    """Linux: have the system send this process ``signum`` when the thread that started it ends.

    For a ``preexec_fn`` or a process's first lines; a no-op elsewhere. The setting lasts
    through ``exec``; a caller that runs after the start should check :func:`os.getppid`
    afterwards, in case the parent ended before.
    """
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, int(signum), 0, 0, 0)


def watch_parent(parent: int, on_end: Callable[[], None] | None = None, every: float = 0.2) -> threading.Thread:
    """End this process (``os._exit``) once ``parent`` is no longer its parent, after ``on_end``
    (e.g. killing a process this one started). Checks every ``every`` seconds, in a daemon thread."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        if on_end is not None:
            with contextlib.suppress(Exception):
                on_end()
        os._exit(1)

    thread = threading.Thread(target=watch, name="prebirth-lifeline", daemon=True)
    thread.start()
    return thread
