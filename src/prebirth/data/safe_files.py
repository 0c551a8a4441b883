"""Opening input files safely: only regular files are read.

A named pipe (FIFO) would make the reader wait for a writer that never comes, and a
device such as ``/dev/zero`` never ends: given as a table, either would hang the book
with no output. Such paths are refused at once, with a message that says what they are.
Files are opened without blocking and checked *after* opening (``fstat``), so a path
cannot change between the check and the read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

NOT_REGULAR_FIX = "give an ordinary file (a CSV or workbook saved on disk), not a pipe, device or socket"


class FileRefused(Exception):
    """The path is not a regular file; ``what`` says what it is instead."""

    def __init__(self, path, what: str):
        self.path = Path(path)
        self.what = what
        super().__init__(f"{self.path.name} is {what}, not an ordinary file")

    @property
    def message(self) -> str:
        return f"this is {self.what}, not an ordinary file, so it was not read"


def kind_of(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device (such as /dev/zero)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not an ordinary file"


def not_regular(path) -> str | None:
    """What the path is when it is neither a regular file nor a folder (None otherwise, or if absent).

    ``stat`` follows symbolic links: a link to a regular file is a regular file.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISDIR(mode):
        return None
    return kind_of(mode)


def read_bytes(path) -> bytes:
    """The bytes of a regular file; raises ``FileRefused`` (at once, never blocking) for anything else."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        what = kind_of(os.fstat(descriptor).st_mode)
        if what:
            raise FileRefused(path, what)
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            return handle.read()
    finally:
        os.close(descriptor)


def check_regular(path) -> None:
    """Raise ``FileRefused`` unless the path is a regular file (never blocks)."""
    what = not_regular(path)
    if what:
        raise FileRefused(path, what)
