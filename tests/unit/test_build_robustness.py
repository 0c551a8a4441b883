"""The build under things going wrong: bad data read in a worker process, a chapter that
fails with a data value in its error, a kernel that dies, and Ctrl-C.

These run real worker processes and real kernels (no stand-ins for papermill or nbclient).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from prebirth import build
from prebirth.config import load_parameters
from prebirth.data.problems import DataError
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
