"""What every chapter shares: the area it is about, read once, and the context its analysis runs in.

Each chapter module has one entry, ``compute(prepared, upstream) -> ChapterResult``
(:mod:`prebirth.results`); it builds a :class:`Chapter` from the :class:`Prepared` data to
reach the parameters, the tables and the benchmarks, and to compute each part once.
"""

from __future__ import annotations

import copy
import pickle
from dataclasses import dataclass
from pathlib import Path

from ..config import AreaParameters, load_parameters
from ..data.benchmarks import Benchmarks, load_benchmarks
from ..data.load import AreaData, RecordedTables, load_area_data


@dataclass
class Prepared:
    """What the build hands every chapter: parameters, data and benchmarks, read once."""

    params: AreaParameters
    data: AreaData
    benchmarks: Benchmarks


def prepare(area_file: str | Path) -> Prepared:
    params = load_parameters(area_file)
    data = load_area_data(params.data, params.sources, area_code=params.area_code, benchmarks=params.benchmarks)
    return Prepared(params, data, load_benchmarks(params.benchmarks))


@dataclass
class Chapter:
    """One chapter's view of the area while it computes its result."""

    number: int
    key: str
    prepared: Prepared

    @property
    def params(self) -> AreaParameters:
        return self.prepared.params

    @property
    def data(self) -> AreaData:
        """The area's data; in a published book its warnings and file labels name nobody (DESIGN 9)."""
        data = self.prepared.data
        return data.for_publication(self.min_count) if self.published else data

    @property
    def benchmarks(self) -> Benchmarks:
        return self.prepared.benchmarks

    @property
    def published(self) -> bool:
        return self.params.published

    @property
    def min_count(self) -> int:
        return self.params.min_count

    def memo(self, key: str, compute):
        """The result of ``compute()``, computed once per chapter: several parts use it."""
        store = self.__dict__.setdefault("_memo", {})
        if key not in store:
            store[key] = compute()
        return store[key]


# In a warm kernel of the build, the prepared data last read, kept for the area's next
# chapter: reading a large area's pickle takes longer than some chapters take to run.
_LOADED: dict = {}


def _load_prepared(path: str) -> Prepared:
    """The build's prepared data, read once per kernel while the file stays the same.

    Each chapter gets its own copy: its own lists, and shallow copies of the tables (with
    pandas' copy-on-write a change a chapter makes to a table, even in place, stays in
    that chapter), so one chapter can never change what the next one sees.
    """
    stat = Path(path).stat()
    key = (str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size)
    if _LOADED.get("key") != key:
        _LOADED.clear()  # another area's data go before the next area's are read
        with open(path, "rb") as handle:
            _LOADED.update(key=key, prepared=pickle.load(handle))
    kept: Prepared = _LOADED["prepared"]
    data, benchmarks = kept.data, kept.benchmarks
    return Prepared(
        kept.params,  # frozen
        AreaData(tables=RecordedTables({name: frame.copy(deep=False) for name, frame in data.tables.items()}),
                 problems=list(data.problems), sources=copy.deepcopy(data.sources)),
        Benchmarks(benchmarks.tidy.copy(deep=False), copy.deepcopy(benchmarks.neighbours), list(benchmarks.problems),
                   list(benchmarks.files), superseded=benchmarks.superseded.copy(deep=False)),
    )


def multiple_comparisons(tested: int) -> str:
    """One sentence on reading many trend labels at once (each tested at the 5% level, uncorrected)."""
    if tested < 2:
        return ""
    return (f"Each of these {tested} trends is tested on its own at the 5% level, with no correction for looking at "
            "several together, so one may read as a clear change by chance alone: read a single one with care.")
