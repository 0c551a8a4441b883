"""One chapter fails: the others still build, the failing one is named, exit code 1."""

import shutil

import nbformat
import pytest

from prebirth import build, layout
from tests.conftest import ROOT, TINY, write_area

pytestmark = pytest.mark.slow


@pytest.fixture
def project_with_a_broken_chapter(tmp_path, monkeypatch):
    project = tmp_path / "project"
    project.mkdir()
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(ROOT / name, project / name)
    shutil.copytree(ROOT / "pages", project / "pages")
    shutil.copytree(ROOT / "notebooks", project / "notebooks")
    path = project / "notebooks" / "05_urgent_hearings.ipynb"
    nb = nbformat.read(path, as_version=4)
    broken = nbformat.v4.new_code_cell('raise RuntimeError("deliberate failure for the test")')
    broken["id"] = "broken-cell"
    nb.cells.insert(3, broken)
    nbformat.write(nb, path)
    monkeypatch.setattr(layout, "ROOT", project)
    return project


def test_failed_chapter_is_named_and_the_rest_is_built(project_with_a_broken_chapter, tmp_path, capsys):
    area = write_area(tmp_path / "area", TINY)
    result = build.build_area(area, jobs=2, output_root=tmp_path / "out")
    out = capsys.readouterr().out
    assert result.exit_code == 1
    (failed,) = result.failed
    assert failed.stem == "05_urgent_hearings" and "deliberate failure for the test" in failed.error
    assert "chapter 05_urgent_hearings failed: RuntimeError: deliberate failure for the test" in out
    html = tmp_path / "out" / "tiny" / "html" / "notebooks"
    page = (html / "05_urgent_hearings.html").read_text(encoding="utf-8")
    assert "could not be built this time" in page and "Traceback" not in page
    # the book says that this page replaced the chapter, on the page and in the console
    assert "this page replaces it" in page and "the page of an earlier build is not kept" in out
    assert "Children, infants and newborns" in (html / "01_infants_and_newborns.html").read_text(encoding="utf-8")
