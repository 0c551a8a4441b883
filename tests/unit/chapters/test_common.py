"""The build's prepared data are read once per worker, and no chapter can change what the next
chapter sees (``common._load_prepared``)."""

from __future__ import annotations

import os
import pickle

import pandas as pd

from prebirth.chapters import common

from .conftest import make_chapter

CHILDREN = [{"child_id": "A", "date_of_birth": "2020-05-01", "sex": "F"},
            {"child_id": "B", "date_of_birth": "2021-01-10", "sex": "M"}]


def _pickle(tmp_path, prepared) -> str:
    path = tmp_path / "prepared.pkl"
    path.write_bytes(pickle.dumps(prepared, protocol=pickle.HIGHEST_PROTOCOL))
    return str(path)


def test_a_chapter_that_changes_its_tables_leaves_the_next_chapter_the_originals(tmp_path):
    path = _pickle(tmp_path, make_chapter({"children": CHILDREN}).prepared)
    common._LOADED.clear()
    first = common.Chapter(1, "c1", common._load_prepared(path))
    children = first.data.get("children")
    children["added"] = 1  # a new column
    children.loc[0, "sex"] = "U"  # a value changed in place
    children["child_id"] = children["child_id"].str.lower()  # a column replaced
    first.data.tables["referrals"] = children  # a table put in
    first.data.problems.append("a problem")
    second = common.Chapter(2, "c2", common._load_prepared(path))
    kept = second.data.get("children")
    assert list(kept.columns) == list(make_chapter({"children": CHILDREN}).data.get("children").columns)
    assert list(kept["child_id"]) == ["A", "B"] and list(kept["sex"]) == ["F", "M"]
    assert "referrals" not in second.data.tables and second.data.problems == []


def test_the_pickle_is_read_once_while_it_stays_the_same_and_again_when_it_changes(tmp_path, monkeypatch):
    path = _pickle(tmp_path, make_chapter({"children": CHILDREN}).prepared)
    common._LOADED.clear()
    reads = []
    real_load = pickle.load
    monkeypatch.setattr(common.pickle, "load", lambda handle: reads.append(1) or real_load(handle))
    common.Chapter(1, "c1", common._load_prepared(path))
    common.Chapter(2, "c2", common._load_prepared(path))
    assert len(reads) == 1
    # A new build writes new data (a new file in its place): the next chapter reads it.
    one_child = make_chapter({"children": CHILDREN[:1]}).prepared
    _pickle(tmp_path, one_child)
    os.utime(path, ns=(os.stat(path).st_atime_ns, os.stat(path).st_mtime_ns + 1_000_000_000))
    third = common.Chapter(3, "c3", common._load_prepared(path))
    assert len(reads) == 2 and list(third.data.get("children")["child_id"]) == ["A"]
    pd.testing.assert_frame_equal(third.data.get("children"), one_child.data.get("children"))
