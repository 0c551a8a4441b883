"""Where the book came from: the project folder, the git commit of its code and the versions
of the software that made it.

A leaf of the orchestration (it imports only :mod:`prebirth.layout`, for the project's
folder), so that the build and the "About this report" chapter can both use it without
the chapter importing the build.
"""

from __future__ import annotations

import platform
import subprocess

from . import __version__
# Bound once: the commit is that of the project the code comes from, wherever the book's sources are.
from .layout import ROOT


def git_commit() -> str:
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10)
        return done.stdout.strip() if done.returncode == 0 else "not a git checkout"
    except (OSError, subprocess.TimeoutExpired):
        return "git not available"


def git_dirty() -> str:
    """'yes' when the working copy had changes not yet committed, 'no' when not, '' when unknown."""
    try:
        done = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                              capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    if done.returncode != 0:
        return ""
    return "yes" if done.stdout.strip() else "no"


def software_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {"python": platform.python_version(), "prebirth": __version__}
    for name in ("pandas", "numpy", "scipy", "statsmodels", "seaborn", "matplotlib", "papermill", "jupyter-book"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return versions
