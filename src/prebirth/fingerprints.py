"""The build cache's hashing (DESIGN 3): fingerprints of the package, of the input files
and of what each chapter shows, compared with the last build's to decide what to read,
compute, execute and render again. Reads files; runs nothing.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from . import layout
from .config import AreaParameters
from .data.load import sha256_of
from .layout import Notebook


def _sha(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def package_fingerprint() -> str:
    """The code, and the published reference figures the chapters read (``data/reference``)."""
    files = sorted(layout.PACKAGE_DIR.rglob("*.py")) + sorted(layout.PACKAGE_DIR.rglob("*.yml"))
    parts = [str(p.relative_to(layout.PACKAGE_DIR)).encode() + p.read_bytes() for p in files]
    return _sha(*parts, *_tree_prints(layout.PACKAGE_DIR.parents[1] / "data" / "reference"))


def _tree_prints(path: Path | None) -> list[bytes]:
    """Name and content fingerprint of a file, or of every file in a folder (recursively).

    Hidden files and Excel's lock files (``~$...``) are left out: the loader ignores them.
    """
    if path is None or not Path(path).exists():
        return [b"absent"]
    path = Path(path)
    if path.is_file():
        return [path.name.encode() + b"=" + sha256_of(path).encode()]
    files = sorted(p for p in path.rglob("*") if p.is_file()
                   and not any(part.startswith((".", "~$")) for part in p.relative_to(path).parts))
    return [str(p.relative_to(path)).encode() + b"=" + sha256_of(p).encode() for p in files]


def data_key(params: AreaParameters, package: str) -> str:
    """What the prepared (read and checked) data depend on: the package, the parameters,
    and the bytes of every file in the data and benchmarks folders."""
    parts = [package.encode(), json.dumps(params.model_dump(mode="json"), sort_keys=True).encode()]
    for source in (params.data, params.benchmarks, params.previous_indicators):
        parts += _tree_prints(source) + [b"--"]
    return _sha(*parts)


def input_fingerprints(params: AreaParameters, sources: list[dict]) -> dict[str, str]:
    """Fingerprint of each canonical table's source files, and of the benchmarks."""
    by_table: dict[str, list[str]] = {}
    for source in sources:
        for table in source["tables"]:
            by_table.setdefault(table, []).append(source["sha256"])
    prints = {t: _sha(*[s.encode() for s in sorted(v)]) for t, v in by_table.items()}
    if params.benchmarks is not None:
        prints["_benchmarks"] = _sha(*_tree_prints(params.benchmarks))
    if params.previous_indicators is not None:
        prints["_previous"] = _sha(*_tree_prints(params.previous_indicators))
    return prints


def chapter_key(nb: Notebook, source: bytes, package: str, settings: dict, prints: dict[str, str],
                results_dir: Path, bundle: Path | None = None) -> str:
    """A notebook's cache key: its notebook, the package, the parameters, and what it shows: its
    disclosed result (a computed chapter), or the fingerprints of the tables it reads and of the
    benchmarks and the results of the chapters it collects."""
    if bundle is not None:
        return _sha(source, package.encode(), json.dumps(settings, sort_keys=True).encode(), bundle.read_bytes())
    upstream = [results_dir / f"{n.key}.json" for n in layout.NOTEBOOKS if n.stem[:2] in nb.after]
    parts = [source, package.encode(), json.dumps(settings, sort_keys=True).encode()]
    parts += [f"{t}={prints.get(t, 'absent')}".encode() for t in nb.tables]
    parts.append(prints.get("_benchmarks", "").encode() + prints.get("_previous", "").encode())
    parts += [p.read_bytes() if p.exists() else b"absent" for p in upstream]
    return _sha(*parts)
