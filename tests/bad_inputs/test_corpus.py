"""Every kind of bad input through the real command line (DESIGN 5.1, 11).

For each case of ``corpus.CASES``: the expected message parts are printed (file, row or
element, value, what to do); errors exit with code 2 before any chapter runs, warnings
and accepted inputs pass ``prebirth validate`` with code 0; the input files are
byte-identical afterwards; and the previous book (a good book built once and copied
under each case's name) is byte-identical afterwards.

The cases run two at a time (each is its own process and its own output folder). Only the
cases that the selected tests need are run: ``-k parameters_key_twice`` runs that one.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.bad_inputs.corpus import CASES, LARGE_ROWS, Case

pytestmark = pytest.mark.slow
PREBIRTH = Path(sys.executable).with_name("prebirth")
HERE = Path(__file__).resolve().parent


def tree_digest(folder: Path) -> dict[str, str]:
    """sha256 of every file under a folder (relative path -> digest)."""
    if not folder.exists():
        return {}
    if folder.is_file():
        return {folder.name: hashlib.sha256(folder.read_bytes()).hexdigest()}
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def published_digest(book: Path) -> dict[str, str]:
    """What a reader or the next analyst sees of a book: its pages, indicators and manifest."""
    digest = {f"html/{k}": v for k, v in tree_digest(book / "html").items()}
    for name in ("indicators.csv", "manifest.json"):
        if (book / name).exists():
            digest[name] = hashlib.sha256((book / name).read_bytes()).hexdigest()
    return digest


@dataclass
class Run:
    case: Case
    command: list[str]
    code: int
    output: str
    seconds: float
    inputs_before: dict[str, str]
    inputs_after: dict[str, str]
    book_before: dict[str, str]
    book_after: dict[str, str]


def run_case(case: Case, folder: Path, output: Path, previous: Path) -> Run:
    yml = case.write(folder)
    inputs = folder  # the parameters file, every data file, and the analyst's own files
    if case.output is not None:  # a build folder of its own, inside the inputs
        output = folder / case.output
        book = output / case.name
        command = [str(PREBIRTH), "build", str(yml), "--output", str(output), "-j", "1"]
    elif case.outcome == "error":
        book = output / case.name
        shutil.copytree(previous, book)
        command = [str(PREBIRTH), "build", str(yml), "--output", str(output), "-j", "1"]
    else:
        book = output / case.name
        command = [str(PREBIRTH), "validate", str(yml)]
    before, book_before = tree_digest(inputs), published_digest(book)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=folder)
    seconds = time.perf_counter() - start
    return Run(case, command, done.returncode, done.stdout + done.stderr, seconds, before, tree_digest(inputs),
               book_before, published_digest(book))


@pytest.fixture(scope="module")
def previous_book(small_book, tmp_path_factory) -> Path:
    """The parts of a good build folder a bad build must not touch (and the data summary, so a
    build that reads the data does not warm chapter kernels it will never use)."""
    assert (small_book.folder / "html" / "index.html").is_file(), small_book.log
    copy = tmp_path_factory.mktemp("previous") / "book"
    shutil.copytree(small_book.folder / "html", copy / "html")
    for name in ("indicators.csv", "manifest.json", ".work/prepared.json"):
        if (small_book.folder / name).exists():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(small_book.folder / name, copy / name)
    return copy


def selected_cases(session) -> list[Case]:
    """The cases the selected tests look at: one test's case, or all of them for a test over every run."""
    names = set()
    for item in session.items:
        if "runs" not in getattr(item, "fixturenames", ()):
            continue
        case = getattr(getattr(item, "callspec", None), "params", {}).get("case")
        if case is None:
            return list(CASES)
        names.add(case.name)
    return [case for case in CASES if case.name in names]


@pytest.fixture(scope="module")
def runs(previous_book, tmp_path_factory, request) -> dict[str, Run]:
    root = tmp_path_factory.mktemp("bad-inputs")
    output = root / "_build"
    output.mkdir()
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {case.name: pool.submit(run_case, case, root / case.name, output, previous_book)
                   for case in selected_cases(request.session)}
        return {name: future.result() for name, future in futures.items()}


def test_corpus_is_large_enough():
    kinds = {case.name for case in CASES}
    assert len(kinds) == len(CASES) >= 25
    assert sum(case.outcome == "error" for case in CASES) >= 25


def test_corpus_is_documented():
    readme = (HERE / "README.md").read_text(encoding="utf-8")
    for case in CASES:
        assert f"`{case.name}`" in readme, f"{case.name} is not described in tests/bad_inputs/README.md"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case, runs):
    run = runs[case.name]
    where = f"{' '.join(run.command)}\n{run.output}"
    assert "Traceback" not in run.output, where
    for part in case.expected:
        assert part in run.output, f"expected {part!r} in the message of {case.name}:\n{where}"
    if case.outcome == "error":
        assert run.code == 2, where
        assert "executed" not in run.output and "rendering" not in run.output, f"chapters ran:\n{where}"
        assert run.book_after == run.book_before, f"the previous book changed:\n{where}"
    else:
        assert run.code == 0, where
        assert "the data can be used" in run.output, where
        if case.outcome == "warning":
            assert "warning" in run.output.lower(), where
    assert run.inputs_after == run.inputs_before, f"an input file changed:\n{where}"


def test_previous_book_was_there(runs):
    """The 'previous book intact' checks above compared real books, not two empty folders."""
    for run in runs.values():
        if run.case.outcome == "error" and run.case.output is None:
            assert any(name.startswith("html/notebooks/") for name in run.book_before), run.case.name
            assert "indicators.csv" in run.book_before, run.case.name


def test_very_large_file_is_reported_quickly_and_briefly(runs):
    run = runs["very_large_file"]
    assert run.code == 2
    assert run.seconds < 120, f"{LARGE_ROWS:,} rows took {run.seconds:.0f} s"
    assert len(run.output.splitlines()) < 60, run.output[:2000]


def test_every_problem_at_once(tmp_path, previous_book):
    """Several problems in several files: all listed in one run, then exit 2."""
    from tests.bad_inputs.corpus import BY_NAME, both

    combined = Case("several_problems", "several problems", "error", (), both(
        BY_NAME["wrong_code"].change, BY_NAME["future_date"].change, BY_NAME["unknown_child"].change))
    run = run_case(combined, tmp_path / "area", tmp_path / "_build", previous_book)
    assert run.code == 2, run.output
    for case in ("wrong_code", "future_date", "unknown_child"):
        assert BY_NAME[case].expected[0] in run.output, run.output
    assert "3 problem(s)" in run.output, run.output
