"""Shared fixtures: a tiny hand-made area, the third-party folder, the demo area."""

from __future__ import annotations

from dataclasses import dataclass
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
THIRD_PARTY = ROOT.parent / "shared" / "third_party"


def third_party(*parts: str) -> Path:
    """A file in ../shared/third_party, or skip: a user's clone has no ../shared."""
    path = THIRD_PARTY.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"third-party test data not present ({path.relative_to(ROOT.parent)}); it lives beside the project in ../shared")
    return path


TINY = {
    "children.csv": """\
        child_id,mother_id,father_id,date_of_birth,expected_date_of_birth,sex,ethnicity
        K1,M1,F1,2020-05-01,2020-05-03,F,WBRI
        K2,M1,,2021-07-10,2021-07-01,M,WBRI
        K3,M2,F2,2020-11-20,2020-11-25,U,
        K4,,,2015-03-03,,F,MWBC
        """,
    "parents.csv": """\
        parent_id,role,date_of_birth,ethnicity,care_experienced
        M1,mother,2001-02-02,WBRI,Y
        M2,mother,1990-06-30,,N
        F1,father,1999-09-09,WBRI,
        F2,father,,,
        """,
    "proceedings.csv": """\
        proceedings_id,child_id,issue_date,first_hearing_date,application
        P1,K1,2020-05-03,2020-05-03,s31
        P2,K2,2021-07-20,2021-07-22,s31
        P3,K3,2020-12-01,2020-12-08,s31
        P4,K4,2020-06-01,2020-06-20,s31
        """,
    "births.csv": """\
        year,live_births
        2020,3000
        2021,2900
        """,
}


def write_area(folder: Path, files: dict[str, str], name: str = "tiny", extra: str = "") -> Path:
    """Write CSVs into folder/data and a parameters file folder/<name>.yml; return the yml path."""
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    for file, text in files.items():
        (data / file).write_text(textwrap.dedent(text), encoding="utf-8")
    yml = folder / f"{name}.yml"
    yml.write_text(textwrap.dedent(f"""\
        area_code: E99000001
        area_name: Tiny Test Area
        data: data/
        period: {{start: 2020-04-01, end: 2022-03-31}}
        """) + extra, encoding="utf-8")
    return yml


@pytest.fixture
def tiny_area(tmp_path) -> Path:
    return write_area(tmp_path, TINY)


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory) -> Path:
    """A project-like folder with the generated demo area (areas/demo.yml, data/demo/)."""
    from prebirth.synth import write_demo

    root = tmp_path_factory.mktemp("demo")
    write_demo(root)
    return root


def sparse_parameters(folder: Path) -> Path:
    """An area with only children and proceedings (the 'can't answer yet' paths)."""
    from prebirth.synth import SynthSpec, generate_area

    generate_area(SynthSpec(tables=("children", "proceedings"), area_code="E99999002", area_name="Sparseham",
                            births_per_year=1500), folder / "data")
    yml = folder / "sparse.yml"
    yml.write_text(textwrap.dedent("""\
        area_code: E99999002
        area_name: Sparseham
        region: South West
        data: data/
        period: {start: 2014-04-01, end: 2024-03-31}
        synthetic: true
        """))
    return yml


def demo_parameters() -> Path:
    """The repository's demo area, generated if `make demo` has not run yet."""
    yml = ROOT / "areas" / "demo.yml"
    if not (ROOT / "data" / "demo" / "area" / "children.csv").exists():
        from prebirth.synth import write_demo

        write_demo(ROOT)
    return yml


@dataclass
class Built:
    parameters: Path
    folder: Path  # _build/<area>
    result: object
    log: str

    @property
    def html(self) -> Path:
        return self.folder / "html"

    def page(self, stem: str) -> str:
        return (self.html / "notebooks" / f"{stem}.html").read_text(encoding="utf-8")


def build_book(parameters: Path, output: Path) -> Built:
    import contextlib
    import io

    from prebirth.build import build_area

    log = io.StringIO()
    with contextlib.redirect_stdout(log):
        result = build_area(parameters, jobs=2, output_root=output)
    return Built(parameters, output / parameters.stem, result, log.getvalue())


@pytest.fixture(scope="session")
def demo_book(tmp_path_factory) -> Built:
    return build_book(demo_parameters(), tmp_path_factory.mktemp("demo-build"))


@pytest.fixture(scope="session")
def sparse_book(tmp_path_factory) -> Built:
    folder = tmp_path_factory.mktemp("sparse")
    return build_book(sparse_parameters(folder), folder / "_build")


@pytest.fixture(scope="session")
def small_area(tmp_path_factory) -> Path:
    """A folder with a small area built so that leaks would show (tests/privacy/area.py): its data,
    benchmarks, and two parameters files over the same data, smallham.yml (published) and
    smallham_internal.yml (internal)."""
    from tests.privacy.area import write_small_area

    folder = tmp_path_factory.mktemp("smallham")
    write_small_area(folder)
    write_small_area(folder, audience="internal", name="smallham_internal")
    return folder


@pytest.fixture(scope="session")
def small_book(small_area) -> Built:
    """The small area's published book (built once; read-only for tests: copy it to change it)."""
    return build_book(small_area / "smallham.yml", small_area / "_build")


@pytest.fixture(scope="session")
def small_internal_book(small_area) -> Built:
    """The small area's internal book (nothing suppressed, NOT FOR PUBLICATION on every page)."""
    return build_book(small_area / "smallham_internal.yml", small_area / "_build")
