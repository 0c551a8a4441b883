"""Parameters: checked before anything runs, relative paths from the file's own folder."""

import textwrap

import pytest

from prebirth.config import ParameterError, load_parameters


def write(tmp_path, text, name="area.yml"):
    (tmp_path / "data").mkdir(exist_ok=True)
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


BASE = """\
    area_code: E06000009
    area_name: Example
    data: data/
    period: {start: 2014-04-01, end: 2024-03-31}
    """


def test_defaults_and_relative_paths(tmp_path, monkeypatch):
    path = write(tmp_path, BASE)
    monkeypatch.chdir("/")  # the working directory must not matter
    params = load_parameters(path)
    assert params.data == (tmp_path / "data").resolve()
    assert params.newborn_days == 7 and params.urgent_days.emergency == 3 and params.urgent_days.short_notice == 7
    assert params.min_count == 6 and params.published and params.slug == "area"


def test_unknown_key_is_named(tmp_path):
    path = write(tmp_path, BASE + "newbron_days: 14\n")
    with pytest.raises(ParameterError, match="newbron_days: unknown parameter"):
        load_parameters(path)


def test_wrong_type_and_bad_code(tmp_path):
    path = write(tmp_path, BASE.replace("E06000009", "Blackpool") + "newborn_days: seven\n")
    with pytest.raises(ParameterError) as err:
        load_parameters(path)
    assert "area_code" in str(err.value) and "newborn_days" in str(err.value)


def test_missing_data_folder(tmp_path):
    path = write(tmp_path, BASE.replace("data/", "nowhere/"))
    with pytest.raises(ParameterError, match="nowhere"):
        load_parameters(path)


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ParameterError, match="not found"):
        load_parameters(tmp_path / "absent.yml")
    path = write(tmp_path, "area_code: [unclosed\n")
    with pytest.raises(ParameterError, match="YAML"):
        load_parameters(path)


def test_period_must_run_forwards(tmp_path):
    path = write(tmp_path, BASE.replace("end: 2024-03-31", "end: 2013-03-31"))
    with pytest.raises(ParameterError, match="period"):
        load_parameters(path)
