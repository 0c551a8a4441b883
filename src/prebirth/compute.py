"""Compute every chapter, then disclose once for the whole book (DESIGN 3, steps 3 and 4).

Part of the orchestration: it runs each chapter's ``compute`` in the build's worker
processes (in parallel, the chapters that collect others' results after them), keeps a
chapter's result while nothing it depends on changed, and then makes the one disclosure
decision over all results together. Each chapter's notebook is then given a *bundle*:
its result and the part of the decision that concerns its cells, and displays it.
"""

from __future__ import annotations

import json
import os
import pickle
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .fingerprints import _sha


@dataclass
class Computed:
    """The outcome of the compute and disclosure stages for one area."""

    bundles: dict[str, Path] = field(default_factory=dict)  # notebook stem -> bundle file
    failed: dict[str, BaseException] = field(default_factory=dict)  # notebook stem -> error
    executed: list[str] = field(default_factory=list)
    audit: dict = field(default_factory=dict)


def compute_chapter(module: str, number: int, prepared_path: str, upstream: list[str], output: str) -> float:
    """Run one chapter's ``compute`` (in a worker process) and pickle its result; returns seconds.

    Beside the result, ``<output>.tables.json`` lists the tables the chapter read: its result
    is kept while those (and the package, the parameters and the benchmarks) are unchanged.
    """
    import importlib
    import time

    from .chapters.common import _load_prepared

    started = time.perf_counter()
    chapter = importlib.import_module(f"prebirth.chapters.{module}")
    prepared = _load_prepared(prepared_path)
    results = {}
    for path in upstream:
        with open(path, "rb") as handle:
            result = pickle.load(handle)
        results[result.number] = result
    result = chapter.compute(prepared, results)
    if result.number != number:
        raise ValueError(f"chapter module {module} returned the result of chapter {result.number}, not {number}")
    tmp = Path(output).with_name(f".{Path(output).name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        pickle.dump(result, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, output)
    read = sorted(getattr(prepared.data.tables, "read", prepared.data.tables))
    tables_file(Path(output)).write_text(json.dumps(read))
    return time.perf_counter() - started


def tables_file(output: Path) -> Path:
    return output.with_name(output.name + ".tables.json")


def tables_read(output: Path) -> list[str] | None:
    """The tables a chapter read when its result was last computed (None: not known)."""
    try:
        return json.loads(tables_file(output).read_text())
    except (OSError, ValueError):
        return None


def bundle_for(result, decision) -> tuple:
    """What a chapter's notebook is given: its result and the decision about its own cells."""
    return result, decision.restricted_to(result)


def run(notebooks, params, work: Path, kernels, key_of: Callable, say: Callable[[str], None], force: bool,
        rank: int = 0, write_json: Callable | None = None) -> Computed:
    """Compute the chapters that have a ``compute`` (in waves: each after the chapters it collects),
    decide disclosure over all of their results, and write each chapter's bundle.

    ``key_of(nb, upstream_files, tables)`` gives a chapter's cache key, over the ``tables`` it read
    last time (None: every table). Raises
    :class:`prebirth.disclosure.AuditFailed` when the published book would reveal a small count.
    """
    done = Computed()
    computed_dir, bundles_dir = work / "computed", work / "bundles"
    computed_dir.mkdir(parents=True, exist_ok=True)
    bundles_dir.mkdir(parents=True, exist_ok=True)
    prepared = str(work / "prepared.pkl")
    chosen = [nb for nb in notebooks if nb.computed]
    files: dict[str, Path] = {}
    waves: list[list] = []
    levels: dict[str, int] = {}
    pending = list(chosen)
    while pending:  # a chapter goes in the wave after the last chapter it collects (wherever it is listed)
        ready = [nb for nb in pending if all(o.stem in levels for o in chosen if o.stem[:2] in nb.after)]
        if not ready:
            raise ValueError(f"chapters that collect each other: {', '.join(nb.stem for nb in pending)}")
        for nb in ready:
            levels[nb.stem] = max([levels[o.stem] + 1 for o in chosen if o.stem[:2] in nb.after], default=0)
            pending.remove(nb)
    for nb in chosen:
        while len(waves) <= levels[nb.stem]:
            waves.append([])
        waves[levels[nb.stem]].append(nb)
    for wave in waves:
        futures, futures_upstream = {}, {}
        for nb in wave:
            upstream = [str(files[o.stem]) for o in chosen if o.stem[:2] in nb.after and o.stem in files]
            output, key_file = computed_dir / f"{nb.stem}.pkl", computed_dir / f"{nb.stem}.key"
            key = key_of(nb, [Path(p) for p in upstream], tables_read(output))
            if not force and output.exists() and key_file.exists() and key_file.read_text() == key:
                files[nb.stem] = output
                continue
            key_file.unlink(missing_ok=True)
            future = kernels.submit(nb.module, nb.number, prepared, upstream, str(output), task=compute_chapter,
                                    priority=(rank, -1))
            futures[future] = (nb, key, output, key_file)
            futures_upstream[future] = upstream
        for future in as_completed(futures):
            nb, key, output, key_file = futures[future]
            try:
                seconds = future.result()
            except Exception as exc:  # the chapter fails; the others go on
                if getattr(kernels, "stopped", False):
                    raise
                done.failed[nb.stem] = exc
                say(f"  {nb.stem}: computing FAILED ({type(exc).__name__}: {exc})")
                continue
            # the key over what it read this time (the next build compares the same tables)
            key_file.write_text(key_of(nb, [Path(p) for p in futures_upstream[future]], tables_read(output)))
            files[nb.stem] = output
            done.executed.append(nb.stem)
            say(f"  {nb.stem}: computed ({seconds:.1f} s)")
    # The decision is made again only when a result changed (or the rules did).
    stamp = _sha(json.dumps([params.published, params.min_count]).encode(),
                 *[nb.stem.encode() + files[nb.stem].read_bytes() for nb in chosen if nb.stem in files])
    stamp_file, audit_file = bundles_dir / "decision.key", bundles_dir / "audit.json"
    if (not force and stamp_file.exists() and stamp_file.read_text() == stamp and audit_file.exists()
            and all((bundles_dir / f"{nb.stem}.pkl").exists() for nb in chosen if nb.stem in files)
            # a chapter whose page failed lost its published indicators: write them again
            and (write_json is None or all((work / "results" / f"{nb.key}.json").exists()
                                           for nb in chosen if nb.stem in files))):
        done.bundles = {nb.stem: bundles_dir / f"{nb.stem}.pkl" for nb in chosen if nb.stem in files}
        done.audit = json.loads(audit_file.read_text())
        return done
    stamp_file.unlink(missing_ok=True)
    from . import disclosure

    results = []
    for nb in chosen:
        if nb.stem in files:
            with open(files[nb.stem], "rb") as handle:
                results.append((nb, pickle.load(handle)))
    decision = disclosure.decide([r for _, r in results], params.published, params.min_count)
    done.audit = dict(decision.audit)
    for nb, result in results:
        path = bundles_dir / f"{nb.stem}.pkl"
        data = pickle.dumps(bundle_for(result, decision), protocol=pickle.HIGHEST_PROTOCOL)
        if not (path.exists() and path.read_bytes() == data):
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        done.bundles[nb.stem] = path
        if write_json is not None:
            write_json(nb, result, decision)
    audit_file.write_text(json.dumps(done.audit, indent=1, default=_json_default))
    stamp_file.write_text(stamp)
    if params.published:
        say(f"  disclosure: {decision.audit.get('hidden', 0)} number(s) withheld, "
            f"{decision.audit.get('relations', 0)} relation(s) checked, audit passed")
    return done


def results_json(result, decision) -> str:
    """The chapter's published indicators and findings, for indicators.csv and the chapters that collect them."""
    from . import present

    payload = {"chapter": result.number, "key": result.key, "status": result.status,
               "indicators": present.indicator_rows(result, decision), "findings": present.findings(result, decision)}
    return json.dumps(payload, indent=1, default=_json_default)


def _json_default(value):
    import math

    import numpy as np

    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)
