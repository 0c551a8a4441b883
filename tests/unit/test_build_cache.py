"""The build's caches: a chapter runs again only when something it reads changed.

Fast checks of the fingerprints first, then real builds of one small synthetic area
(800 births a year) sharing one set of warm kernels: cold, unchanged, one table
changed, a parameter changed, and --force.
"""

import contextlib
import io
import os
import shutil
import textwrap
from pathlib import Path

import pytest

from prebirth import build, fingerprints, layout
from prebirth.config import load_parameters
from prebirth.kernels import Kernels
from tests.conftest import ROOT

STEMS = [nb.stem for nb in layout.NOTEBOOKS]


def write_synthetic_area(folder: Path, name: str = "smallham", births: int = 800, seed: int = 7,
                         code: str = "E99999201", extra: str = "") -> Path:
    """A small synthetic area with every table and its own benchmarks; returns its parameters file."""
    from prebirth.synth import SynthSpec, generate_area, generate_benchmarks

    spec = SynthSpec(seed=seed, births_per_year=births, area_code=code, area_name=name.title())
    area = generate_area(spec, folder / "data" / name)
    generate_benchmarks(folder / "benchmarks" / name, spec, area=area)
    yml = folder / f"{name}.yml"
    yml.write_text(textwrap.dedent(f"""\
        area_code: {code}
        area_name: {name.title()}
        region: North West
        data: data/{name}/
        benchmarks: benchmarks/{name}/
        period: {{start: 2014-04-01, end: 2024-03-31}}
        synthetic: true
        events:
          - {{date: 2019-04-01, label: "Pre-birth team set up"}}
        """) + extra, encoding="utf-8")
    return yml


# -- fingerprints (fast) ---------------------------------------------------------

def test_data_key_follows_file_contents_not_time_stamps(tiny_area):
    params = load_parameters(tiny_area)
    before = fingerprints.data_key(params, "package")
    children = params.data / "children.csv"
    os.utime(children, (1, 1))  # touched, same bytes
    assert fingerprints.data_key(params, "package") == before
    (params.data / ".~lock.children.csv#").write_text("lock file of an open spreadsheet")
    (params.data / "~$children.xlsx").write_text("Excel's owner file")
    assert fingerprints.data_key(params, "package") == before
    children.write_text(children.read_text() + "K5,,,2021-01-01,,F,\n")
    changed = fingerprints.data_key(params, "package")
    assert changed != before
    assert fingerprints.data_key(params, "another package") != changed


def test_data_key_follows_the_parameters(tmp_path):
    from tests.conftest import TINY, write_area

    before = fingerprints.data_key(load_parameters(write_area(tmp_path, TINY)), "p")
    assert fingerprints.data_key(load_parameters(write_area(tmp_path, TINY)), "p") == before
    after = fingerprints.data_key(load_parameters(write_area(tmp_path, TINY, extra="newborn_days: 14\n")), "p")
    assert after != before


def test_input_fingerprints_are_per_table():
    class Params:
        benchmarks = None
        previous_indicators = None

    sources = [{"tables": ["children"], "sha256": "a"}, {"tables": ["referrals", "assessments"], "sha256": "b"}]
    first = fingerprints.input_fingerprints(Params, sources)
    assert set(first) == {"children", "referrals", "assessments"}
    sources[1]["sha256"] = "c"  # a return that gives two tables changed
    second = fingerprints.input_fingerprints(Params, sources)
    assert second["children"] == first["children"]
    assert second["referrals"] != first["referrals"] and second["assessments"] != first["assessments"]


def test_chapter_keys_follow_what_each_chapter_reads(tmp_path):
    by_stem = {nb.stem: nb for nb in layout.NOTEBOOKS}
    prints = {t: f"print of {t}" for t in layout.ALL_TABLES}
    settings = {"min_count": 6}

    def key(stem, package="p", settings=settings, prints=prints, source=b"notebook"):
        return fingerprints.chapter_key(by_stem[stem], source, package, settings, prints, tmp_path)

    fathers = key("07_fathers")
    assert key("07_fathers") == fathers
    assert key("07_fathers", package="q") != fathers  # package code changed
    assert key("07_fathers", settings={"min_count": 10}) != fathers  # a parameter changed
    assert key("07_fathers", source=b"edited notebook") != fathers
    assert key("07_fathers", prints=dict(prints, involvement="new")) != fathers  # a table it reads
    assert key("07_fathers", prints=dict(prints, transfers="new")) == fathers  # a table it does not read
    assert key("07_fathers", prints=dict(prints, _benchmarks="new")) != fathers
    # Reflect and plan collects the other chapters' results: a changed result re-runs it.
    reflect = key("08_reflect_and_plan")
    (tmp_path / "fathers.json").write_text('{"indicators": []}')
    assert key("08_reflect_and_plan") != reflect


def test_each_chapter_reads_what_its_questions_need():
    tables = {nb.stem: set(nb.tables) for nb in layout.NOTEBOOKS}
    assert "transfers" in tables["04_waiting_times"]  # time lost at transfers (chapter 4)
    readers_of_transfers = {stem for stem, t in tables.items() if "transfers" in t}
    assert readers_of_transfers == {"00_about_your_data", "04_waiting_times", "09_about_this_report"}


# -- real builds -----------------------------------------------------------------

@pytest.fixture(scope="module")
def area(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cache-area")
    return write_synthetic_area(folder)


@pytest.fixture(scope="module")
def kernels(tmp_path_factory):
    with Kernels(2, tmp_path_factory.mktemp("kernels") / "kernels.log") as shared:
        yield shared


@pytest.fixture(scope="module")
def frozen_project(tmp_path_factory):
    """The book's pages, notebooks and styles as they are now, and a fixed package fingerprint:
    these tests change the data and parameters only, whatever else changes meanwhile."""
    project = tmp_path_factory.mktemp("project")
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(ROOT / name, project / name)
    for name in ("pages", "notebooks"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copytree(layout.PACKAGE_DIR / "assets", project / "package" / "assets")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(layout, "ROOT", project)
        patch.setattr(layout, "PACKAGE_DIR", project / "package")
        patch.setattr(fingerprints, "package_fingerprint", lambda: "package as it was when the tests started")
        yield project


@pytest.fixture(scope="module")
def builder(area, kernels, frozen_project):
    output = area.parent / "_build"

    def run(force: bool = False):
        log = io.StringIO()
        with contextlib.redirect_stdout(log):
            result = build.build_area(area, force=force, output_root=output, kernels=kernels)
        assert result.exit_code == 0, log.getvalue()
        return result, log.getvalue()

    return run


def executed(result) -> set[str]:
    return {c.stem for c in result.chapters if not c.cached}


@pytest.mark.slow
def test_cold_build_then_unchanged_rebuild_executes_nothing(builder, area):
    cold, _ = builder()
    assert executed(cold) == set(STEMS) and not cold.data_cached and cold.rendered
    page = area.parent / "_build" / area.stem / "html" / "notebooks" / "07_fathers.html"
    stamp = page.stat().st_mtime_ns
    again, log = builder()
    assert executed(again) == set()
    assert again.data_cached and not again.rendered
    assert "data unchanged since the last build" in log and "not rendered again" in log
    assert page.stat().st_mtime_ns == stamp  # the published book was left alone


@pytest.mark.slow
def test_touching_a_file_without_changing_it_reads_nothing_again(builder, area):
    builder()
    os.utime(area.parent / "data" / area.stem / "children.csv")
    result, _ = builder()
    assert result.data_cached and executed(result) == set()


@pytest.mark.slow
def test_one_changed_table_re_executes_only_the_chapters_that_read_it(builder, area):
    builder()
    transfers = area.parent / "data" / area.stem / "transfers.csv"
    lines = transfers.read_text().splitlines(keepends=True)
    transfers.write_text("".join(lines[:-1]))  # the extract lost its last transfer
    result, _ = builder()
    assert not result.data_cached  # new bytes: the data were read and checked again
    ran = executed(result)
    # Chapters 0 and 9 describe every table, chapter 4 measures time lost at transfers;
    # chapter 8 collects the others' results, so it runs again only if one of them changed.
    assert {"00_about_your_data", "04_waiting_times", "09_about_this_report"} <= ran
    assert ran <= {"00_about_your_data", "04_waiting_times", "08_reflect_and_plan", "09_about_this_report"}
    assert result.rendered


@pytest.mark.slow
def test_a_changed_parameter_re_executes_every_chapter(builder, area):
    builder()
    text = area.read_text()
    old, new = "Pre-birth team set up", "Pre-birth team started"
    area.write_text(text.replace(old, new) if old in text else text.replace(new, old))  # an event renamed
    result, _ = builder()
    assert executed(result) == set(STEMS) and not result.data_cached


@pytest.mark.slow
def test_force_ignores_every_cache(builder):
    result, log = builder(force=True)
    assert executed(result) == set(STEMS)
    assert not result.data_cached and result.rendered
    assert "data read and checked" in log
