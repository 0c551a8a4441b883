"""Build a Chapter from small hand-made tables, so chapter functions can be tested by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from prebirth.chapters.common import Chapter, Prepared
from prebirth.config import AreaParameters, Period
from prebirth.data.benchmarks import Benchmarks, empty_tidy
from prebirth.data.load import AreaData
from prebirth.data.schema import TABLES
from prebirth.data.validate import validate


def raw(name: str, rows: list[dict]) -> pd.DataFrame:
    """A raw frame (strings, provenance) as a reader would give it."""
    frame = pd.DataFrame(rows, columns=list(rows[0]) if rows else TABLES[name].column_names)
    frame = frame.astype("object").where(frame.notna(), None).map(lambda v: None if v is None else str(v))
    frame["_file"] = f"{name}.csv"
    frame["_row"] = range(2, len(frame) + 2)
    return frame


def make_chapter(tables: dict[str, list[dict]], number: int = 1, key: str = "test", benchmarks: Benchmarks | None = None,
                 tmp_path=None, **parameters) -> Chapter:
    """A Chapter over hand-made tables (checked by the real validation, which must pass)."""
    typed, problems = validate({name: raw(name, rows) for name, rows in tables.items()})
    errors = [p.describe() for p in problems if p.level == "error"]
    assert not errors, errors
    settings = dict(area_code="E99000001", area_name="Testshire", data=tmp_path or ".",
                    period=Period(start=dt.date(2019, 4, 1), end=dt.date(2022, 3, 31)))
    settings.update(parameters)
    params = AreaParameters(**settings)
    prepared = Prepared(params, AreaData(typed, problems, []), benchmarks or Benchmarks(empty_tidy()))
    return Chapter(number, key, prepared)


@pytest.fixture
def chapter_of():
    return make_chapter
