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


# -- parameters that cannot weaken the book's promises ----------------------------------

PLAIN = textwrap.dedent(BASE)


def test_a_published_book_suppresses_counts_below_6(tmp_path):
    path = write(tmp_path, PLAIN + "suppression: {min_count: 2}\naudience: published\n")
    with pytest.raises(ParameterError, match=r"suppression.min_count: a published book needs at least 6.*found 2"):
        load_parameters(path)
    internal = load_parameters(write(tmp_path, PLAIN + "suppression: {min_count: 2}\naudience: internal\n"))
    assert internal.min_count == 2 and not internal.published
    assert load_parameters(write(tmp_path, PLAIN + "suppression: {min_count: 6}\n")).min_count == 6


def test_a_key_given_twice_is_named_with_its_lines(tmp_path):
    path = write(tmp_path, PLAIN + "audience: published\nsynthetic: false\naudience: internal\n")
    with pytest.raises(ParameterError, match=r"area.yml, line 7: 'audience' is given twice \(also on line 5\)"):
        load_parameters(path)
    nested = write(tmp_path, PLAIN + "urgent_days: {emergency: 3, emergency: 2}\n")
    with pytest.raises(ParameterError, match=r"line 5: 'emergency' is given twice"):
        load_parameters(nested)


def test_yaml_anchors_and_aliases_are_refused(tmp_path):
    path = write(tmp_path, PLAIN + "comparators: &mine [E06000001]\nevents: *mine\n")
    with pytest.raises(ParameterError, match=r"line 5: YAML anchors and aliases \(&mine\) are not accepted"):
        load_parameters(path)


_BOMB = """
import sys, time
from prebirth.config import ParameterError, load_parameters
started = time.perf_counter()
try:
    load_parameters(sys.argv[1])
except ParameterError as exc:
    print(f"{time.perf_counter() - started:.3f}", exc)
"""


def test_an_alias_bomb_is_refused_within_a_second(tmp_path):
    """About 500 bytes that expand to 387 million values: refused as it is read (its own
    process, stopped after a minute, as it would otherwise take minutes and gigabytes)."""
    import subprocess
    import sys

    from tests.bad_inputs.corpus import ALIAS_BOMB

    path = tmp_path / "bomb.yml"
    path.write_text(ALIAS_BOMB)
    (tmp_path / "data").mkdir()
    assert len(ALIAS_BOMB.encode()) < 600
    done = subprocess.run([sys.executable, "-c", _BOMB, str(path)], capture_output=True, text=True, timeout=60)
    seconds, message = done.stdout.split(" ", 1)
    assert float(seconds) < 1.0, done.stdout
    assert "anchors and aliases" in message, done.stdout + done.stderr


@pytest.mark.parametrize("name", ["...yml", ".hidden.yml", "my area.yml", "north.west.yml", "a/..yml"])
def test_the_book_folder_is_named_only_after_a_plain_file_name(tmp_path, name):
    from prebirth.config import area_slug

    with pytest.raises(ParameterError, match="must be a plain name"):
        area_slug(tmp_path / name)
    params = load_parameters(write(tmp_path, PLAIN, name="..yml" if name == "a/..yml" else name.replace("/", "_")))
    with pytest.raises(ParameterError, match="must be a plain name"):
        params.slug  # noqa: B018 - the build and the slides ask for it before they write


@pytest.mark.parametrize("name", ["demo.yml", "my_area.yml", "North-West_2024.yaml", "Ynys_Môn.yml"])
def test_plain_file_names_name_the_book_folder(tmp_path, name):
    from prebirth.config import area_slug

    assert area_slug(tmp_path / name) == name.rsplit(".", 1)[0]
