"""Fixtures for the statistics tests: where the third-party reference data lives."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
THIRD_PARTY = REPO_ROOT / ".." / "shared" / "third_party"


def reference_file(*parts: str) -> Path:
    """A file under ../shared/third_party, or skip the test: a fresh clone has no ../shared."""
    path = THIRD_PARTY.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data not present: ../shared/third_party/{'/'.join(parts)} (kept beside the project)")
    return path
