"""Benchmark figures are checked while the data are read (DESIGN 5.4, 3): a figure the chapters could
not use is an error naming its file, row, column and value, and stops the book before any chapter runs."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from prebirth.cli import app
from prebirth.data.benchmarks import load_benchmarks
from prebirth.data.load import load_area_data
from prebirth.data.problems import DataError
from tests.conftest import TINY, write_area

HEADER = "period,geographic_level,area_code,area_name,region_code,region_name,indicator,numerator,denominator,value,source\n"
GOOD = [
    "2021/22,National,E92000001,England,,,infant_starters_share,5000,30000,,DfE",
    "2021/22,Local authority,E06000009,Blackpool,E12000002,North West,infant_starters_share,30,140,,DfE",
    "2021/22,Local authority,E08000011,Knowsley,,North West,infant_starters_share,20,100,,DfE",
]


def folder_with(tmp_path, *rows, name="benchmarks.csv", sub=""):
    folder = tmp_path / "benchmarks"
    (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / sub / name).write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return folder


def problems_of(folder):
    return [(p.level, p.file, p.row, p.column, p.value, p.message) for p in load_benchmarks(folder, strict=False).problems]


def test_good_file_has_no_problem_and_regions_are_written_as_the_book_writes_them(tmp_path):
    bench = load_benchmarks(folder_with(tmp_path, *GOOD, GOOD[2].replace("E08000011", "E08000012").replace(
        "North West", "NORTH WEST")))
    assert bench.problems == []
    local = bench.tidy[bench.tidy.geographic_level == "Local authority"]
    assert set(local.region_name) == {"North West"} and set(local.region_code) == {"E12000002"}
    assert local._row.tolist() == [3, 4, 5]


@pytest.mark.parametrize("row, column, value, message", [
    (GOOD[1].replace("North West", "Atlantis"), "region_name", "Atlantis", "not one of the nine English regions"),
    (GOOD[1].replace(",30,140,", ",-30,140,"), "numerator", "-30", "cannot be negative"),
    (GOOD[1].replace(",30,140,", ",300,140,"), "numerator", "300 of 140", "the part is larger than the whole"),
    (GOOD[1].replace("2021/22", "Q1 2021"), "period", "Q1 2021", "not a period the book can place"),
    (GOOD[1].replace("Local authority", "Ward"), "geographic_level", "Ward", "not a geographic level"),
    (GOOD[1].replace(",E12000002,North West,", ",,,"), "region_name", "Blackpool (E06000009)",
     "the region of this local authority is not known"),
])
def test_a_bad_row_is_an_error_naming_file_row_column_and_value(tmp_path, row, column, value, message):
    folder = folder_with(tmp_path, GOOD[0], row, GOOD[2], sub="older")
    errors = [p for p in problems_of(folder) if p[0] == "error"]
    assert len(errors) == 1, errors
    level, file, line, found_column, found_value, text = errors[0]
    assert (file, line, found_column, found_value) == ("older/benchmarks.csv", 3, column, value)
    assert message in text
    with pytest.raises(DataError) as raised:
        load_benchmarks(folder)
    assert "older/benchmarks.csv, row 3, column" in str(raised.value)


def test_a_figure_given_twice_in_one_file_is_an_error(tmp_path):
    errors = [p for p in problems_of(folder_with(tmp_path, *GOOD, GOOD[1].replace(",30,", ",31,"))) if p[0] == "error"]
    assert [(e[2], e[3]) for e in errors] == [(5, "area_code")]
    assert "also on row 3" in errors[0][4]


def test_inf_is_not_a_number(tmp_path):
    found = problems_of(folder_with(tmp_path, GOOD[0], GOOD[1].replace(",30,140,", ",inf,140,")))
    assert ("warning", "benchmarks.csv", 3, "numerator", "inf") in [p[:5] for p in found]


def test_no_region_anywhere_is_a_warning_not_an_error(tmp_path):
    # Nothing to compare regions with: chapter 1 leaves the regional comparison out, and says why.
    rows = [r.replace(",E12000002,North West,", ",,,").replace(",,North West,", ",,,") for r in GOOD]
    found = problems_of(folder_with(tmp_path, *rows))
    assert [(p[0], p[1], p[2]) for p in found] == [("warning", "benchmarks.csv", 3)]
    assert "2 local authorities have no region" in found[0][5]


def test_benchmark_errors_stop_the_data_reading_with_the_datas_own(tmp_path):
    files = dict(TINY)
    files["births.csv"] = "year,live_births\n2020,3000\n2021,lots\n"
    folder = folder_with(tmp_path, GOOD[0], GOOD[1].replace("North West", "Atlantis"))
    yml = write_area(tmp_path / "area", files, extra=f"benchmarks: {folder}\n")
    with pytest.raises(DataError) as raised:
        load_area_data(yml.parent / "data", area_code="E99000001", benchmarks=folder)
    described = [p.describe() for p in raised.value.errors]
    assert any(d.startswith("births.csv, row 3, column 'live_births'") for d in described)
    assert any(d.startswith("benchmarks/benchmarks.csv, row 3, column 'region_name'") and "'Atlantis'" in d
               for d in described)
    result = CliRunner().invoke(app, ["validate", str(yml)])
    assert result.exit_code == 2 and "2 problem(s)" in result.output
    assert "benchmarks/benchmarks.csv, row 3, column 'region_name'" in result.output
    assert "the data can be used" not in result.output


def test_validate_lists_the_benchmarks_warnings(tmp_path):
    folder = folder_with(tmp_path, GOOD[0], GOOD[1].replace(",30,140,", ",thirty,140,"))
    yml = write_area(tmp_path / "area", TINY, extra=f"benchmarks: {folder}\n")
    result = CliRunner().invoke(app, ["validate", str(yml)])
    assert result.exit_code == 0, result.output
    assert "benchmarks: 2 figures from 1 file(s)" in result.output
    assert "benchmarks.csv, row 3, column 'numerator'" in result.output and "'thirty'" in result.output


def test_a_pipe_in_the_benchmarks_folder_is_refused_at_once(tmp_path):
    import os

    folder = folder_with(tmp_path, *GOOD)
    os.mkfifo(folder / "more.csv")
    errors = [p for p in problems_of(folder) if p[0] == "error"]
    assert [(e[1], e[5]) for e in errors] == [
        ("more.csv", "this is a named pipe (FIFO), not an ordinary file, so it was not read")]
