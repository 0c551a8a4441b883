"""Benchmark readers on small hand-made files: EES periods, markers never 0, shares, SFR, neighbours."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from prebirth.data import benchmarks_readers as br
from prebirth.data.la_codes import LaCodes

EES_STARTED = """time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,la_name,new_la_code,cla_group,characteristic,number,percentage
2022,Reporting year,National,E92000001,England,,,,,,Age group,Under 1 year,5000,17
2022,Reporting year,National,E92000001,England,,,,,,Age group,Total,30000,100
2022,Reporting year,National,E92000001,England,,,,,,Legal status,Interim care order,6000,20
2022,Reporting year,National,E92000001,England,,,,,,Legal status,Voluntary agreement under S20,15000,50
2022,Reporting year,National,E92000001,England,,,,,,Legal status,Total,30000,100
2022,Reporting year,Regional,E92000001,England,E12000007,London,,,,Age group,Under 1 year,400,10
2022,Reporting year,Regional,E92000001,England,E12000007,London,,,,Age group,Total,4000,100
2022,Reporting year,Local authority,E92000001,England,E13000001,Inner London,202,Camden,E09000007,Age group,Under 1 year,c,c
2022,Reporting year,Local authority,E92000001,England,E13000001,Inner London,202,Camden,E09000007,Age group,Total,80,100
2021,Reporting year,Local authority,E92000001,England,E12000001,North East,929,Northumberland,E06000048,Age group,Under 1 year,0,0
2021,Reporting year,Local authority,E92000001,England,E12000001,North East,929,Northumberland,E06000048,Age group,Total,z,z
2021,Reporting year,Local Authority District,E92000001,England,,,,,,Age group,Total,1,1
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def row(tidy, indicator, area, period):
    hit = tidy[(tidy.indicator == indicator) & (tidy.area_code == area) & (tidy.period == period)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


@pytest.mark.parametrize("period, identifier, label", [
    ("2022", "Reporting year", "2021/22"), ("2000", "Reporting year", "1999/00"),
    ("202122", "Financial year", "2021/22"), ("201920", "Academic year", "2019/20"),
    ("2021", "Calendar year", "2021"), ("2021", "Week 3", None), ("202123", "Financial year", None),
])
def test_ees_period(period, identifier, label):
    assert br.ees_period(period, identifier) == label


def test_ees_started_shares_markers_and_regions(tmp_path):
    problems = []
    tidy = br.read_ees(write(tmp_path, "la_cla_who_started_2022.csv", EES_STARTED), problems)
    england = row(tidy, "infant_starters_share", "E92000001", "2021/22")
    assert (england.numerator, england.denominator, england.value) == (5000, 30000, 5000 / 30000)
    assert england.geographic_level == "National" and england.area_name == "England" and not england.suppressed
    assert row(tidy, "started_ico_share", "E92000001", "2021/22").value == 0.2
    assert row(tidy, "started_s20_share", "E92000001", "2021/22").value == 0.5
    london = row(tidy, "infant_starters_share", "E12000007", "2021/22")
    assert (london.region_code, london.region_name, london.value) == ("E12000007", "London", 0.1)
    # A suppressed cell: missing and flagged, never 0; the borough's region is London.
    camden = row(tidy, "infant_starters_share", "E09000007", "2021/22")
    assert math.isnan(camden.numerator) and math.isnan(camden.value) and camden.suppressed
    assert camden.denominator == 80 and camden.region_code == "E12000007" and camden.region_name == "London"
    # A real zero stays 0; the old Northumberland code becomes today's; 'z' is no number.
    north = row(tidy, "infant_starters_share", "E06000057", "2020/21")
    assert north.numerator == 0 and math.isnan(north.denominator) and north.suppressed
    # ... and 'z' (not applicable) is told apart from 'c' (withheld to protect small numbers).
    assert north.not_applicable and not camden.not_applicable and not england.not_applicable
    assert any("other geographic levels" in p.message for p in problems)
    assert list(tidy.columns) == br.TIDY_COLUMNS + br.PROVENANCE + [br.NOT_APPLICABLE]
    # Each figure names where it came from: the file and the line of its part (Camden's 'Under 1 year').
    assert (camden._file, camden._row) == ("la_cla_who_started_2022.csv", 9)


def test_ees_rates(tmp_path):
    text = ("time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
            "old_la_code,la_name,new_la_code,population_count,population_estimate,number,rate_per_10000\n"
            "2024,Reporting year,National,E92000001,England,,,,,,Children looked after at 31 March each year,12000000,84000,70\n"
            "2024,Reporting year,Local authority,E92000001,England,E12000002,North West,890,Blackpool,E06000009,"
            "Children starting to be looked after each year,28000,c,c\n")
    tidy = br.read_ees(write(tmp_path, "rates.csv", text), [])
    england = row(tidy, "cla_rate_per_10k_children", "E92000001", "2023/24")
    assert england.value == pytest.approx(70.0) and england.denominator == 12_000_000
    blackpool = row(tidy, "cla_started_rate_per_10k_children", "E06000009", "2023/24")
    assert blackpool.suppressed and math.isnan(blackpool.value) and blackpool.denominator == 28000


def test_unknown_time_identifier_is_an_error(tmp_path):
    problems = []
    br.read_ees(write(tmp_path, "a.csv", EES_STARTED.replace("2021,Reporting year", "2021,Quarter 2")), problems)
    assert any(p.level == "error" and p.column == "time_period" for p in problems)


def test_unreadable_cell_is_reported_not_zero(tmp_path):
    problems = []
    tidy = br.read_ees(write(tmp_path, "a_started.csv", EES_STARTED.replace("Under 1 year,5000", "Under 1 year,five")), problems)
    assert math.isnan(row(tidy, "infant_starters_share", "E92000001", "2021/22").numerator)
    assert [(p.row, p.value) for p in problems if p.column == "number"] == [(2, "five")]


SFR = """New_geog_code,geog_l,geog_c,geog_n,CLA_started2012,CLA_taken2012,SCLA_U1,SCLA_ICO,SCLA_S20
E92000001,NATIONAL,999,ENGLAND,28220,10100,5880,6020,17600
E12000007,REGION,G,LONDON,5000,1,600,700,3000
E12000007,REGION,H,INNER LONDON,2000,1,250,x,1300
E06000009,LA,890,Blackpool,148,1,x,18,95
"""


def test_sfr_table(tmp_path):
    problems = []
    codes = LaCodes()
    codes.add("890", "E06000009", "Blackpool", "North West")
    tidy = br.read_sfr(write(tmp_path, "SFR20_ADM2012.csv", SFR), problems, codes)
    england = row(tidy, "infant_starters_share", "E92000001", "2011/12")
    assert (england.numerator, england.denominator) == (5880, 28220)
    # Inner London published under London's code: its name says which it is.
    inner = row(tidy, "infant_starters_share", "E13000001", "2011/12")
    assert inner.area_name == "Inner London" and inner.geographic_level == "Regional"
    assert row(tidy, "started_ico_share", "E13000001", "2011/12").suppressed
    blackpool = row(tidy, "infant_starters_share", "E06000009", "2011/12")
    assert blackpool.suppressed and math.isnan(blackpool.numerator) and blackpool.region_name == "North West"
    assert row(tidy, "started_s20_share", "E06000009", "2011/12").value == pytest.approx(95 / 148)
    assert problems == []


def test_sfr_year_from_file_name_wins_with_warning(tmp_path):
    problems = []
    tidy = br.read_sfr(write(tmp_path, "SFR34_ADM2015.csv", SFR), problems, LaCodes())
    assert set(tidy.period) == {"2014/15"}
    assert any("file name says the year ending March 2015" in p.message for p in problems)


def test_tidy_file(tmp_path):
    text = ("period,geographic_level,area_code,area_name,region_code,region_name,indicator,numerator,denominator,value,source\n"
            "2021,Local authority,E06000009,Blackpool,E12000002,North West,live_births,,,1500,ONS\n"
            "2021/22,National,E92000001,England,,,infant_starters_share,low,30000,:,\n"
            "2021/22,national,E92000001,England,,,newborn_rate_per_10k_births,2500,600000,41.7,\n")
    problems = []
    tidy = br.read_tidy(write(tmp_path, "benchmarks.csv", text), problems)
    assert tidy.loc[0, "value"] == 1500 and not tidy.loc[0, "suppressed"]
    assert tidy.loc[1, "suppressed"] and math.isnan(tidy.loc[1, "numerator"]) and math.isnan(tidy.loc[1, "value"])
    assert tidy.loc[1, "source"] == "benchmarks.csv"
    assert tidy.loc[2, "geographic_level"] == "National"
    assert problems == []


def test_neighbours_workbook(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["A", "B", "C"])
    sheet.append(["LA num", "LA Name", "LA number", "GOInd", "GOReg", "SN1", "SNP", "SN2", "SNP"])
    sheet.append([890, "Blackpool", 890, 8, "North West", 876, "Very Close", 340, "close"])
    sheet.append([876, "Halton", 876, 8, "North West", 890, "Extremely close", 999, "Close"])
    sheet.append([None, "Old SNs:"])
    book.save(tmp_path / "sn.xlsx")
    assert br.detect(tmp_path / "sn.xlsx") == "statistical_neighbours"
    table = br.statistical_neighbours_table(tmp_path / "sn.xlsx", [])
    assert table["closeness"].tolist() == ["very close", "close", "extremely close", "close"]
    codes = LaCodes()
    for number, code in (("890", "E06000009"), ("876", "E06000006"), ("340", "E08000011")):
        codes.add(number, code)
    problems = []
    neighbours = br.read_statistical_neighbours(tmp_path / "sn.xlsx", problems, codes)
    assert neighbours == {"E06000009": ["E06000006", "E08000011"], "E06000006": ["E06000009", "999"]}
    assert [p.value for p in problems] == ["999"]


def test_prefer_latest_release():
    def tidy(source, period, value):
        return pd.DataFrame([{"period": period, "geographic_level": "National", "area_code": "E92000001",
                              "indicator": "infant_starters_share", "value": value, "source": source,
                              "suppressed": False}])
    frame = pd.concat([tidy("old.csv", "2021/22", 0.17), tidy("new.csv", "2021/22", 0.18),
                       tidy("new.csv", "2023/24", 0.16)], ignore_index=True)
    problems = []
    kept = br.prefer_latest_release(frame, problems)
    assert kept.sort_values("period")["value"].tolist() == [0.18, 0.16]
    assert problems[0].file == "old.csv"
