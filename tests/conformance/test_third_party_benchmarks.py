"""The benchmark readers against the real DfE files in ../shared/third_party (EES, SFR tables, neighbours, LA list).

Expected numbers are read here from the CSVs with the standard library, or are the
published figures quoted in DESIGN section 10.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from prebirth.data import benchmarks_readers as br
from prebirth.data import la_codes
from prebirth.data.adapters import detect, read

ROOT = Path(__file__).resolve().parents[2]
THIRD_PARTY = ROOT.parent / "shared" / "third_party"
STARTED = "la_cla_who_started_to_be_looked_after_2018_2022.csv"
NATIONAL = "national_cla_started_to_be_looked_after_2025.csv"
RATES = "cla_number_and_rate_per_10k_children_2025.csv"
SFR_FILES = sorted(p.name for p in (THIRD_PARTY / "dfe-ees" / "legacy_sfr_adm").glob("*.csv")) \
    if (THIRD_PARTY / "dfe-ees" / "legacy_sfr_adm").exists() else []


def shared(*parts: str) -> Path:
    path = THIRD_PARTY.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"third-party test data not present ({'/'.join(('..', 'shared', 'third_party', *parts))})")
    return path


def rows_of(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def one(tidy, indicator, area, period):
    hit = tidy[(tidy.indicator == indicator) & (tidy.area_code == area) & (tidy.period == period)]
    assert len(hit) == 1
    return hit.iloc[0]


@pytest.fixture(scope="module")
def started():
    problems = []
    return br.read_ees(shared("dfe-ees", STARTED), problems), problems


def test_started_file_infant_share_england_and_an_la(started):
    tidy, problems = started
    raw = rows_of(shared("dfe-ees", STARTED))
    pick = lambda level, name, period, group, characteristic: next(  # noqa: E731
        r["number"] for r in raw if r["geographic_level"] == level and r["time_period"] == period
        and r["cla_group"] == group and r["characteristic"] == characteristic and (r["la_name"] == name or level == "National"))
    england = one(tidy, "infant_starters_share", "E92000001", "2021/22")  # time_period 2022 = year to March 2022
    assert england.numerator == float(pick("National", "", "2022", "Age group", "Under 1 year"))
    assert england.denominator == float(pick("National", "", "2022", "Age group", "Total"))
    blackpool = one(tidy, "infant_starters_share", "E06000009", "2021/22")
    assert (blackpool.numerator, blackpool.denominator) == (
        float(pick("Local authority", "Blackpool", "2022", "Age group", "Under 1 year")),
        float(pick("Local authority", "Blackpool", "2022", "Age group", "Total")))
    assert blackpool.region_name == "North West" and blackpool.region_code == "E12000002"
    ico = one(tidy, "started_ico_share", "E06000009", "2021/22")
    assert ico.numerator == float(pick("Local authority", "Blackpool", "2022", "Legal status", "Interim care order"))
    assert set(tidy.period) == {"2017/18", "2018/19", "2019/20", "2020/21", "2021/22"}
    assert not [p for p in problems if p.level == "error"]


def test_started_file_markers_are_never_zero(started):
    tidy, _ = started
    raw = rows_of(shared("dfe-ees", STARTED))
    marked = {(r["new_la_code"], r["time_period"]) for r in raw if r["geographic_level"] == "Local authority"
              and r["cla_group"] == "Age group" and r["characteristic"] == "Under 1 year" and r["number"] in ("c", "z", "x", "k")}
    assert marked  # the file does hold suppressed cells
    infants = tidy[(tidy.indicator == "infant_starters_share") & (tidy.geographic_level == "Local authority")]
    suppressed = infants[infants.suppressed]
    for code, period in marked:
        row = one(infants, "infant_starters_share", la_codes.current_code(code), f"{int(period) - 1}/{period[2:]}")
        assert row.suppressed and math.isnan(row.numerator) and math.isnan(row.value)
    assert len(suppressed) >= len(marked)
    # Every suppressed row lacks its numerator or its denominator: a marker never became a number.
    assert (suppressed.numerator.isna() | suppressed.denominator.isna()).all()


def test_london_boroughs_are_in_london(started):
    tidy, _ = started
    boroughs = tidy[(tidy.geographic_level == "Local authority") & tidy.area_code.str.startswith("E09")]
    assert set(boroughs.region_code) == {"E12000007"} and set(boroughs.region_name) == {"London"}


def test_national_2025_file_matches_the_published_figures():
    tidy = br.read_ees(shared("dfe-ees", NATIONAL), [])
    # DfE, Children looked after in England: 5,460 (16%) in 2022/23 and 5,210 (16%) in 2023/24 (DESIGN section 10).
    for period, number in (("2022/23", 5460), ("2023/24", 5210)):
        row = one(tidy, "infant_starters_share", "E92000001", period)
        # The published 16% is rounded from unrounded counts: within a point of the published numbers' share.
        assert row.numerator == number and abs(row.value * 100 - 16) < 1


def test_rates_file():
    path = shared("dfe-ees", RATES)
    tidy = br.read_ees(path, [])
    raw = next(r for r in rows_of(path) if r["geographic_level"] == "National" and r["time_period"] == "2024"
               and r["population_count"] == "Children looked after at 31 March each year")
    england = one(tidy, "cla_rate_per_10k_children", "E92000001", "2023/24")
    assert england.numerator == float(raw["number"]) and england.denominator == float(raw["population_estimate"])
    assert round(england.value) == int(raw["rate_per_10000"])
    # Cumbria's successors appear from their first year; Cumbria itself is never renamed to them.
    assert {"E06000063", "E06000064", "E10000006"} <= set(tidy.area_code)


@pytest.mark.parametrize("name", SFR_FILES or ["(none)"])
def test_every_sfr_table(name):
    path = shared("dfe-ees", "legacy_sfr_adm", name)
    assert detect(path) == "sfr"
    codes = la_codes.LaCodes.known()
    codes.update(br.la_codes_in(shared("dfe-ees", STARTED), "ees"))
    problems = []
    tidy = br.read_sfr(path, problems, codes)
    year = int(name[-8:-4])
    assert set(tidy.period) == {f"{year - 1}/{year % 100:02d}"}
    with open(path, newline="", encoding="cp1252") as handle:
        raw = list(csv.DictReader(handle))
    total = next(c for c in raw[0] if c.startswith("CLA_started"))
    england = next(r for r in raw if r["geog_l"] == "NATIONAL")
    row = one(tidy, "infant_starters_share", "E92000001", f"{year - 1}/{year % 100:02d}")
    assert (row.numerator, row.denominator) == (float(england["SCLA_U1"]), float(england[total]))
    infants = tidy[tidy.indicator == "infant_starters_share"]
    marked = sum(1 for r in raw if "x" in (r["SCLA_U1"].strip().lower(), r[total].strip().lower()))
    assert int(infants.suppressed.sum()) == marked
    hidden = infants[infants.suppressed]
    assert (hidden.numerator.isna() | hidden.denominator.isna()).all()
    local = infants[infants.geographic_level == "Local authority"]
    assert len(local) == sum(1 for r in raw if r["geog_l"] == "LA")
    # Every authority gets its region from the EES file's codes (renamed ones included).
    assert local.region_code.notna().all()
    assert not [p for p in problems if p.level == "error"]


def test_sfr_2017_inner_and_outer_london_have_their_own_codes():
    tidy = br.read_sfr(shared("dfe-ees", "legacy_sfr_adm", "SFR50_ADM2017.csv"), [])
    regions = tidy[(tidy.indicator == "infant_starters_share") & (tidy.geographic_level == "Regional")]
    assert {"E13000001", "E13000002", "E12000007"} <= set(regions.area_code)
    assert regions.area_code.is_unique


def test_statistical_neighbours_with_codes_from_the_ees_file():
    path = shared("dfe-lait", "sn_may_2025.xlsx")
    assert detect(path) == "statistical_neighbours"
    codes = la_codes.LaCodes.known()
    codes.update(br.la_codes_in(shared("dfe-ees", RATES), "ees"))
    problems = []
    neighbours = br.read_statistical_neighbours(path, problems, codes)
    table = br.statistical_neighbours_table(path, [])
    # Barking and Dagenham (301): SN1 is 308 (Enfield), as in the workbook's first row.
    first = table[table.la_number == "301"].sort_values("rank")
    assert first.neighbour_number.tolist()[0] == "308"
    assert neighbours[codes.code_for("301")][0] == codes.code_for("308")
    assert all(len(v) == 10 for v in neighbours.values())
    assert set(table.closeness) <= {"extremely close", "very close", "close", "somewhat close", "not close"}
    # Every current authority has a GSS code; only the pre-2019/2021/2023 "old SN" rows may not.
    assert sum(1 for k in neighbours if not k.startswith("E")) <= 5


def test_statistical_neighbours_alone_keep_numbers_with_a_warning():
    problems = []
    neighbours = br.read_statistical_neighbours(shared("dfe-lait", "sn_may_2025.xlsx"), problems)
    assert "301" in neighbours
    assert any("no GSS code" in p.message for p in problems)


def test_la_code_list():
    path = shared("dfe-lait", "la_code_list.xlsx")
    assert detect(path) == "la_code_list"
    frame = br.read_la_code_list(path, [])
    blackpool = frame[frame.la_number == "890"].iloc[0]
    assert (blackpool.la_name, blackpool.region_name) == ("Blackpool", "North West")
    assert not frame.la_number.astype(int).ge(970).any()  # England and the regions are not authorities
    source = read(path)
    assert source.label.startswith("LA code list:")


def test_benchmark_folder_reads_every_file():
    folder = shared("dfe-ees")
    tidy, neighbours, problems, files = br.read_folder(folder)
    assert set(files) == {STARTED, NATIONAL, RATES}
    # England 2021/22 is in two releases: the 2025 national file's revised figure is the one used.
    england = one(tidy, "infant_starters_share", "E92000001", "2021/22")
    assert england.numerator == 5420 and NATIONAL in england.source
    assert any("later release" in p.message for p in problems)
    assert not [p for p in problems if p.level == "error"]


@pytest.fixture
def legacy_in_its_own_folder(tmp_path) -> Path:
    """A benchmarks folder as an analyst keeps it: the LA code list and the neighbours workbook at the
    top, the legacy SFR tables in their own sub-folder as downloaded (linked, never copied)."""
    folder = tmp_path / "benchmarks"
    (folder / "legacy_sfr_adm").mkdir(parents=True)
    for name in ("la_code_list.xlsx", "sn_may_2025.xlsx"):
        (folder / name).symlink_to(shared("dfe-lait", name))
    for name in SFR_FILES:
        (folder / "legacy_sfr_adm" / name).symlink_to(shared("dfe-ees", "legacy_sfr_adm", name))
    if not SFR_FILES:
        pytest.skip("third-party test data not present (../shared/third_party/dfe-ees/legacy_sfr_adm)")
    return folder


def test_legacy_sfr_tables_in_a_sub_folder_find_their_regions(legacy_in_its_own_folder):
    from prebirth.data.benchmarks import load_benchmarks
    from prebirth.stats.regional import REGIONS, regional_model

    bench = load_benchmarks(legacy_in_its_own_folder)  # strict: an error would raise here
    infants = bench.indicator("infant_starters_share")
    local = infants[infants.geographic_level == "Local authority"]
    # 7 releases (2010/11 to 2016/17) x 151 authorities, each in one of the nine regions.
    assert len(local) == 7 * 151
    assert set(local.period) == {f"{y}/{(y + 1) % 100:02d}" for y in range(2010, 2017)}
    assert set(local.region_name) == set(REGIONS)
    assert set(local[local.area_code.str.startswith("E09")].region_name) == {"London"}
    # Files are named by their place in the folder, each figure by its file and line.
    assert {f"legacy_sfr_adm/{name}" for name in SFR_FILES} <= set(bench.files)
    blackpool = local[(local.area_code == "E06000009") & (local.period == "2011/12")].iloc[0]
    assert blackpool._file == "legacy_sfr_adm/SFR20_ADM2012.csv"
    with open(shared("dfe-ees", "legacy_sfr_adm", "SFR20_ADM2012.csv"), newline="", encoding="cp1252") as handle:
        lines = list(csv.reader(handle))
    line = lines[blackpool._row - 1]
    assert line[2] == "890" and blackpool.region_name == "North West"
    assert blackpool.numerator == float(line[lines[0].index("SCLA_U1")])
    # The LA code list is there: nothing advises adding it, and the neighbours get GSS codes.
    assert not [p for p in bench.problems if "la_code_list" in (p.message + p.fix)]
    assert bench.neighbours["E06000009"][0].startswith("E")
    # 'x' is suppressed, never 0, in every year.
    for name in SFR_FILES:
        with open(shared("dfe-ees", "legacy_sfr_adm", name), newline="", encoding="cp1252") as handle:
            rows = list(csv.DictReader(handle))
        hidden = {r["New_geog_code"] for r in rows if r["geog_l"] == "LA" and r["SCLA_U1"].strip().lower() == "x"}
        year = local[local._file == f"legacy_sfr_adm/{name}"]
        marked = year[year.area_code.isin({la_codes.current_code(c) for c in hidden})]
        assert len(marked) == len(hidden) and marked.suppressed.all() and marked.numerator.isna().all()
    # The regional model of chapter 1 takes them as they are.
    frame = local[["area_code", "area_name", "region_name", "period", "numerator", "denominator"]].copy()
    frame.loc[local.suppressed.to_numpy(), ["numerator", "denominator"]] = math.nan
    assert len(regional_model(frame).region_estimates)


def test_legacy_sfr_tables_pass_validate(legacy_in_its_own_folder, tmp_path):
    from typer.testing import CliRunner

    from prebirth.cli import app
    from tests.conftest import TINY, write_area

    yml = write_area(tmp_path / "area", TINY, extra=f"benchmarks: {legacy_in_its_own_folder}\n")
    result = CliRunner().invoke(app, ["validate", str(yml)])
    assert result.exit_code == 0, result.output
    assert "the data can be used" in result.output
    assert "benchmarks: " in result.output and "Traceback" not in result.output
