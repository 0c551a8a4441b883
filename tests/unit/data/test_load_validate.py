"""Reading and checking canonical tables: every problem at once, with file, row and column."""

import textwrap

import pytest

from prebirth.data.load import load_area_data, read_csv_text
from prebirth.data.problems import DataError
from tests.conftest import TINY, write_area


def load(tmp_path, files):
    yml = write_area(tmp_path, files)
    return load_area_data(yml.parent / "data")


def test_tiny_area_reads_and_types(tmp_path):
    data = load(tmp_path, TINY)
    children = data.tables["children"]
    assert list(children.child_id) == ["K1", "K2", "K3", "K4"]
    assert str(children.date_of_birth.dtype).startswith("datetime64")
    assert children.loc[2, "ethnicity"] is None  # blank = not recorded
    assert data.tables["births"].live_births.tolist() == [3000, 2900]
    assert data.extract_date.strftime("%Y-%m-%d") == "2021-07-22"


def test_every_error_reported_at_once(tmp_path):
    files = dict(TINY)
    files["proceedings.csv"] = """\
        proceedings_id,child_id,issue_date
        P1,K1,2020-05-03
        P1,K2,2021-13-45
        P3,K9,03/12/2020
        """
    with pytest.raises(DataError) as err:
        load(tmp_path, files)
    described = [p.describe() for p in err.value.errors]
    assert any("proceedings.csv, row 3, column 'proceedings_id'" in d and "duplicate" in d for d in described)
    assert any("row 3, column 'issue_date'" in d and "not a date" in d and "2021-13-45" in d for d in described)
    assert any("row 4, column 'child_id'" in d and "unknown child_id" in d and "K9" in d for d in described)
    assert len(err.value.errors) == 3  # DD/MM/YYYY in row 4 is accepted


def test_missing_required_column(tmp_path):
    files = dict(TINY)
    files["proceedings.csv"] = "proceedings_id,child_id\nP1,K1\n"
    with pytest.raises(DataError) as err:
        load(tmp_path, files)
    (problem,) = err.value.errors
    assert problem.file == "proceedings.csv" and problem.column == "issue_date"
    assert "required column 'issue_date' is missing" in problem.describe()


def test_unknown_parent_and_bad_code(tmp_path):
    files = dict(TINY)
    files["children.csv"] = TINY["children.csv"].replace("K3,M2,F2", "K3,M7,F2").replace(",U,", ",X,")
    with pytest.raises(DataError) as err:
        load(tmp_path, files)
    described = " | ".join(p.describe() for p in err.value.errors)
    assert "column 'mother_id'" in described and "M7" in described
    assert "column 'sex'" in described and "M, F, U" in described


def test_warnings_do_not_stop(tmp_path):
    files = dict(TINY)
    files["proceedings.csv"] = TINY["proceedings.csv"].replace("P3,K3,2020-12-01,2020-12-08", "P3,K3,2020-12-01,2020-11-30")
    data = load(tmp_path, files)
    (warning,) = [w for w in data.warnings if w.column == "first_hearing_date"]
    assert warning.row == 4 and "before the issue date" in warning.message


def test_not_utf8_and_semicolons(tmp_path):
    files = dict(TINY)
    del files["births.csv"]
    yml = write_area(tmp_path, files)
    (yml.parent / "data" / "births.csv").write_bytes("year;live_births\n2020;3000\n".encode())
    (yml.parent / "data" / "context.csv").write_bytes("period,indicator,value\n2020,caf\xe9,1\n".encode("latin-1"))
    with pytest.raises(DataError) as err:
        load_area_data(yml.parent / "data")
    described = " | ".join(p.describe() for p in err.value.errors)
    assert "births.csv, row 1" in described and "separated by semicolons" in described
    assert "context.csv, row 2" in described and "not UTF-8" in described


def test_input_files_are_not_modified(tmp_path):
    yml = write_area(tmp_path, TINY)
    before = {p.name: p.read_bytes() for p in (yml.parent / "data").iterdir()}
    load_area_data(yml.parent / "data")
    assert before == {p.name: p.read_bytes() for p in (yml.parent / "data").iterdir()}


def test_sources_names_a_files_kind_and_rejects_unknown_kinds(tmp_path):
    yml = write_area(tmp_path, TINY)
    data = yml.parent / "data"
    # an SSDA903 episodes export saved under a name and with a header detection would not know
    (data / "looked_after_export.txt").write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
        "K1,04/05/2020,S,C2,N1,U1,PR1,,,,,,\n")
    detected = load_area_data(data)  # its kind is recognised from its columns, whatever its name
    assert list(detected.tables["care_episodes"].child_id) == ["K1"]
    named = load_area_data(data, {"looked_after_export.txt": "ssda903_episodes"})
    episodes = named.tables["care_episodes"]
    assert list(episodes.child_id) == ["K1"] and episodes.start_date.iloc[0].strftime("%Y-%m-%d") == "2020-05-04"
    with pytest.raises(DataError, match="unknown kind of source file"):
        load_area_data(data, {"looked_after_export.txt": "census"})


def test_future_dates_are_errors_in_own_tables_and_warnings_in_returns():
    from prebirth.data.validate import validate
    from tests.unit.chapters.conftest import raw

    rows = {"children": [{"child_id": "K1", "date_of_birth": "2020-01-01"}],
            "referrals": [{"referral_id": "R1", "child_id": "K1", "referral_date": "2099-02-01"}]}
    frames = {name: raw(name, r) for name, r in rows.items()}
    _, own = validate(frames)
    assert [p.level for p in own if p.column == "referral_date"] == ["error"]
    _, from_return = validate(frames, returns=frozenset({"referrals.csv"}))
    (problem,) = [p for p in from_return if p.column == "referral_date"]
    assert problem.level == "warning" and "in the future" in problem.message


def test_cells_as_read_blanks_short_rows_and_blank_lines(tmp_path):
    """How cells come out of a CSV: leading spaces dropped; a blank cell (also "" quoted, or only
    spaces) is None like a cell a short row lacks; "NA" and "nan" are text; a wholly blank row
    is left out but still counted, so row numbers stay those a spreadsheet shows."""
    path = tmp_path / "referrals.csv"
    path.write_bytes(b'referral_id,child_id,source\nR1, K1,""\nR2,K2\n\n , ,\nR3,NA,nan\n')
    problems = []
    frame = read_csv_text(path, problems)
    assert problems == []
    assert frame[["referral_id", "child_id", "source", "_row"]].values.tolist() == [
        ["R1", "K1", None, 2], ["R2", "K2", None, 3], ["R3", "NA", "nan", 6]]
    assert frame["source"].dtype == object


@pytest.mark.parametrize("header, expected", [
    ("child_id,date_of_birth, Child_ID", "the column 'child_id' appears twice in the header (columns 1 and 3"),
    ("child_id,date_of_birth,child_id,child_id", "the column 'child_id' appears three times in the header "
                                                 "(columns 1, 3 and 4"),
])
def test_a_column_given_twice_is_an_error(tmp_path, header, expected):
    path = tmp_path / "children.csv"
    path.write_text(header + "\n" + ",".join(["K1"] * header.count(",")) + ",K1\n")
    problems = []
    assert read_csv_text(path, problems) is None
    assert [(p.level, p.file, p.row, p.column) for p in problems] == [("error", "children.csv", 1, "child_id")]
    assert problems[0].message.startswith(expected), problems[0].message


def test_unnamed_columns_are_not_repeats(tmp_path):
    """Cells right of the last heading (columns without a name) are not 'the same column twice'."""
    path = tmp_path / "children.csv"
    path.write_text("child_id,date_of_birth,,\nK1,2020-01-01,,\n")
    problems = []
    frame = read_csv_text(path, problems)
    assert problems == [] and frame["child_id"].tolist() == ["K1"]


def _babies_referred_before_birth(blank: int) -> dict[str, str]:
    """12 babies born 2021-06-01 and referred on 2021-01-10 (before birth), ``blank`` of them
    without an expected date of birth; a 13th, blank too, referred only after birth (not counted);
    each baby's earliest referral is the one that counts (K01 also has a later one)."""
    rows = ["child_id,mother_id,father_id,date_of_birth,expected_date_of_birth,sex,ethnicity"]
    for i in range(1, 13):
        rows.append(f"K{i:02d},,,2021-06-01,{'' if i <= blank else '2021-06-03'},F,WBRI")
    rows.append("K13,,,2021-06-01,,M,WBRI")
    referrals = ["referral_id,child_id,referral_date,source,outcome"]
    referrals += [f"R{i:02d},K{i:02d},2021-01-10,3A,assessment" for i in range(1, 13)]
    referrals += ["R13,K13,2021-07-01,3A,assessment", "R14,K01,2021-08-01,3A,assessment"]
    files = dict(TINY)
    files["children.csv"] = "\n".join(rows) + "\n"
    files["referrals.csv"] = "\n".join(referrals) + "\n"
    files["proceedings.csv"] = "proceedings_id,child_id,issue_date,first_hearing_date,application\nP1,K01,2021-07-20,2021-07-22,s31\n"
    return files


def test_expected_dates_of_birth_blank_for_most_babies_referred_before_birth_is_a_warning(tmp_path):
    data = load(tmp_path, _babies_referred_before_birth(blank=7))  # 7 of 12 > half
    (warning,) = [w for w in data.warnings if w.column == "expected_date_of_birth"]
    assert warning.value == "blank for 7 of 12 babies referred before birth"
    assert "cannot be measured" in warning.message


def test_expected_dates_of_birth_blank_for_half_is_not_flagged(tmp_path):
    data = load(tmp_path, _babies_referred_before_birth(blank=6))  # 6 of 12: not more than half
    assert [w for w in data.warnings if w.column == "expected_date_of_birth"] == []


RAG = """\
    round_date,statement_id,stage,level,statement,rating
    2024-01-10,PB1,pre-birth,strategic,Agreed pathway,{a}
    2024-01-10,PB2,pre-birth,practice,Early referral,{b}
    2024-01-10,PB3,pre-birth,practice,Fathers invited,{c}
    2024-01-10,PB4,pre-birth,practice,Advocacy offered,{d}
    """


def test_rag_ratings_may_be_written_as_the_words_of_the_worksheet(tmp_path):
    # the printable worksheet says Red, Amber and Green: any case, spaces around, read as R, A, G
    files = dict(TINY, **{"rag.csv": RAG.format(a="Red", b=" amber ", c="GREEN", d="g")})
    ratings = load(tmp_path, files).tables["rag"]["rating"].tolist()
    assert ratings == ["R", "A", "G", "G"]


def test_an_unknown_rag_rating_says_file_row_column_value_and_what_is_expected(tmp_path):
    files = dict(TINY, **{"rag.csv": RAG.format(a="Red", b="Amber-ish", c="Green", d="")})
    with pytest.raises(DataError) as err:
        load(tmp_path, files)
    described = [p.describe() for p in err.value.errors]
    assert len(described) == 1, described
    assert "rag.csv, row 3, column 'rating'" in described[0] and "'Amber-ish'" in described[0]
    assert "R, A, G, or the words Red, Amber, Green" in described[0]
