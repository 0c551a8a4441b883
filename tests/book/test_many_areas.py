"""Several areas in one command: each area's book, one summary, a site index, and an area
with bad data that fails on its own (exit code 2) while the others are built."""

import re
import textwrap
from html.parser import HTMLParser

import pytest
from typer.testing import CliRunner

from prebirth import build
from prebirth.cli import app
from tests.conftest import TINY, write_area
from tests.unit.test_build_cache import frozen_project, write_synthetic_area  # noqa: F401 (a fixture)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def many(tmp_path_factory, frozen_project):
    folder = tmp_path_factory.mktemp("many")
    north = write_synthetic_area(folder, "northholm", births=800, seed=11, code="E99999211")
    south = write_synthetic_area(folder, "southholm", births=600, seed=12, code="E99999212")
    bad_files = dict(TINY)
    bad_files["proceedings.csv"] = "proceedings_id,child_id,issue_date\nP1,K1,2020-05-03\nP2,K2,the day after\n"
    bad = write_area(folder / "bad", bad_files, name="brokenham")
    output = folder / "_build"
    result = CliRunner().invoke(app, ["build", str(north), str(bad), str(south), "-j", "2", "--output", str(output)])
    return folder, output, result


def test_one_failing_area_gives_exit_2_and_the_others_are_built(many):
    _, output, result = many
    assert result.exit_code == 2, result.output
    for area in ("northholm", "southholm"):
        assert (output / area / "html" / "notebooks" / "01_infants_and_newborns.html").is_file(), area
        assert (output / area / "indicators.csv").is_file()
    assert not (output / "brokenham").exists()  # a first build with bad data leaves nothing behind
    # the bad area's problem is reported in full, with its file, row and value
    assert "proceedings.csv, row 3, column 'issue_date'" in result.output and "the day after" in result.output
    assert "Traceback" not in result.output


def test_one_summary_lists_every_area_with_its_status(many):
    _, _, result = many
    summary = result.output[result.output.index("3 areas in"):]
    assert "2 built, 1 not" in summary.splitlines()[0]
    lines = {line.split()[0]: line for line in summary.splitlines()[2:5]}
    assert set(lines) == {"northholm", "brokenham", "southholm"}
    assert re.search(r"^northholm\s+built\s+0\s+[\d.]+ s\s+10\s+0\s+read$", lines["northholm"]), lines["northholm"]
    assert re.search(r"^brokenham\s+bad data\s+2\s+[\d.]+ s\s+-\s+-\s+-$", lines["brokenham"]), lines["brokenham"]
    assert "Site index:" in summary
    # progress lines say which area they are about
    assert re.search(r"^\[northholm\] 01_infants_and_newborns: executed", result.output, re.M)
    assert re.search(r"^\[southholm\] Book done in", result.output, re.M)


class Page(HTMLParser):
    """The links, headings and language of a page (standard library only)."""

    def __init__(self):
        super().__init__()
        self.links, self.headings, self.lang, self.title, self._in = [], [], None, "", None
        self.sources = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "a":
            self.links.append(attrs.get("href"))
        if tag in ("script", "link", "img", "iframe"):
            self.sources.append(attrs.get("src") or attrs.get("href"))
        self._in = tag

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        if self._in in ("h1", "h2"):
            self.headings.append(data.strip())

    def handle_endtag(self, tag):
        self._in = None


def test_site_index_links_each_book_and_works_offline(many):
    _, output, _ = many
    text = (output / "index.html").read_text(encoding="utf-8")
    page = Page()
    page.feed(text)
    assert page.lang == "en" and page.title and page.headings
    assert sorted(page.links) == ["northholm/html/index.html", "southholm/html/index.html"]
    for link in page.links:
        assert (output / link).is_file()
    assert page.sources == [] and "http" not in text  # nothing fetched, from anywhere
    assert re.search(r"brokenham</th>.*no book yet.*bad data", text)  # named, with what went wrong
    assert text.count('scope="col"') == 4 and text.count('scope="row"') == 3


def test_a_second_run_keeps_everything_and_the_index_lists_earlier_books(many, monkeypatch):
    folder, output, _ = many
    monkeypatch.chdir(folder)  # relative paths, as an analyst types them
    result = CliRunner().invoke(app, ["build", "northholm.yml", "--output", output.name])
    assert result.exit_code == 0, result.output
    assert "data unchanged since the last build" in result.output
    assert "not rendered again" in result.output and "executed" not in result.output
    text = (output / "index.html").read_text(encoding="utf-8")
    assert "southholm/html/index.html" in text and "not built in this run" in text
    # a new extract of one table: its chapters run again, given paths that do not depend on the folder
    transfers = folder / "data" / "northholm" / "transfers.csv"
    transfers.write_text("".join(transfers.read_text().splitlines(keepends=True)[:-1]))
    result = CliRunner().invoke(app, ["build", "northholm.yml", "--output", output.name])
    assert result.exit_code == 0, result.output
    assert "04_waiting_times: executed" in result.output and "01_infants_and_newborns: unchanged" in result.output


def test_two_parameters_files_for_one_folder_are_refused(tmp_path):
    one = write_area(tmp_path / "a", TINY, name="same", extra="colour: blue\n")  # bad parameters: fails fast
    two = write_area(tmp_path / "b", TINY, name="same")
    outcomes = build.build_areas([one, two], output_root=tmp_path / "out", say=lambda m: None,
                                 on_error=lambda area, exc: None)
    assert [o.exit_code for o in outcomes] == [2, 2]
    assert "builds into the same folder" in str(outcomes[1].error)
    assert not (tmp_path / "out").exists()


def test_summary_table_aligns_columns():
    result = build.BuildResult("northholm", None, [build.ChapterRun("a", cached=True), build.ChapterRun("b")])
    outcomes = [build.AreaOutcome(None, "northholm", 0, "built", 12.34, result),
                build.AreaOutcome(None, "x", 2, "bad data", 0.5)]
    assert build.summary_table(outcomes) == textwrap.dedent("""\
        area       status    exit    time  executed  cached  data
        northholm  built        0  12.3 s         1       1  read
        x          bad data     2   0.5 s         -       -  -""")


def test_ctrl_c_stops_every_area_and_kernel(many, tmp_path):
    """Ctrl-C (SIGINT to the command's process group) ends the whole run within seconds,
    with exit code 130, a plain message and no kernel left running."""
    import contextlib
    import os
    import signal
    import subprocess
    import sys
    import time

    import psutil

    folder, _, _ = many
    command = [sys.executable, "-m", "prebirth.cli", "build", str(folder / "northholm.yml"),
               str(folder / "southholm.yml"), "-j", "2", "--force", "--output", str(tmp_path / "out")]
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           start_new_session=True)
    seen, helpers = [], set()
    for line in run.stdout:  # wait until chapters are running, noting every helper process
        seen.append(line)
        helpers |= {p.pid for p in psutil.Process(run.pid).children(recursive=True)}
        if ": executed (" in line:
            break
    os.killpg(run.pid, signal.SIGINT)
    stopped = time.monotonic()
    try:
        rest, _ = run.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(run.pid, signal.SIGKILL)
        for pid in helpers:
            with contextlib.suppress(psutil.Error):
                psutil.Process(pid).kill()
        rest, _ = run.communicate()
        pytest.fail("the build was still running a minute after Ctrl-C:\n" + "".join(seen) + rest)
    assert time.monotonic() - stopped < 20
    assert run.returncode == 130, "".join(seen) + rest
    assert "Stopped. Every book published before keeps its last complete version" in rest
    assert "Traceback" not in rest
    time.sleep(1)
    alive = [pid for pid in helpers if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"]
    assert alive == [], "processes left running after Ctrl-C"
