"""The prebirth command: validate and template, with their exit codes and messages."""

import datetime as dt

import openpyxl
import pytest
from typer.testing import CliRunner

from prebirth.cli import app
from prebirth.data.load import load_area_data
from tests.conftest import TINY, write_area

runner = CliRunner()


def test_validate_good_area(tiny_area):
    result = runner.invoke(app, ["validate", str(tiny_area)])
    assert result.exit_code == 0, result.output
    assert "the data can be used" in result.output and "children: 4 rows" in result.output


def test_validate_bad_area_lists_every_problem_and_exits_2(tmp_path):
    files = dict(TINY)
    files["proceedings.csv"] = "proceedings_id,child_id,issue_date\nP1,K1,2020-05-03\nP1,K9,31/02/2020\n"
    yml = write_area(tmp_path, files)
    result = runner.invoke(app, ["validate", str(yml)])
    assert result.exit_code == 2
    assert "proceedings.csv, row 3, column 'proceedings_id'" in result.output
    assert "proceedings.csv, row 3, column 'issue_date': not a date (or not between 1900 and 2100) (found '31/02/2020')" in result.output
    assert "unknown child_id" in result.output and "Traceback" not in result.output


def test_bad_parameters_exit_2(tmp_path):
    yml = write_area(tmp_path, TINY, extra="colour: blue\n")
    result = runner.invoke(app, ["build", str(yml), "--output", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "colour: unknown parameter" in result.output
    assert not (tmp_path / "out").exists()


def test_template_workbook_round_trip(tmp_path):
    path = tmp_path / "area.xlsx"
    result = runner.invoke(app, ["template", str(path)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "README" and {"children", "proceedings", "rag"} <= set(book.sheetnames)
    sex_rules = [v for v in book["children"].data_validations.dataValidation if '"M,F,U"' in v.formula1]
    assert sex_rules, "the sex column needs a drop-down list"
    # an analyst fills in two children and one set of proceedings
    book["children"].append(["A1", None, None, "2021-02-03", None, "F", None])
    book["children"].append(["A2", None, None, dt.datetime(2021, 3, 4), None, "M", None])  # a date typed in Excel
    book["proceedings"].append(["P1", "A1", "2021-02-05"])
    book.save(path)
    data = load_area_data(path)
    assert list(data.tables["children"].child_id) == ["A1", "A2"]
    assert data.tables["children"].date_of_birth.dt.strftime("%Y-%m-%d").tolist() == ["2021-02-03", "2021-03-04"]
    assert data.tables["proceedings"].issue_date.iloc[0].strftime("%Y-%m-%d") == "2021-02-05"
    assert "referrals" not in data.tables  # empty sheets are not tables


def test_template_never_overwrites(tmp_path):
    path = tmp_path / "area.xlsx"
    path.write_bytes(b"precious")
    result = runner.invoke(app, ["template", str(path)])
    assert result.exit_code == 2 and path.read_bytes() == b"precious"
