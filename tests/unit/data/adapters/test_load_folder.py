"""A data folder holding standard returns (and canonical tables) loads through the adapters."""

from __future__ import annotations

import pytest

from prebirth.data.load import load_area_data
from prebirth.data.problems import DataError

from .test_cin_census import census
from .test_ssda903 import EPISODES, HEADER


def child(child_id: str, born: str, sex: str = "1") -> str:
    return (f"<Child><ChildIdentifiers><LAchildID>{child_id}</LAchildID><PersonBirthDate>{born}</PersonBirthDate>"
            f"<GenderCurrent>{sex}</GenderCurrent></ChildIdentifiers>"
            f"<CINdetails><CINreferralDate>2021-06-01</CINreferralDate><ReferralNFA>true</ReferralNFA></CINdetails></Child>")


def test_folder_of_returns_years_stacked(tmp_path):
    (tmp_path / "CIN_2021.xml").write_text(census("2021", child("101", "2019-04-03") + child("200", "2020-01-01")))
    (tmp_path / "CIN_2022.xml").write_text(census("2022", child("101", "2019-04-03")))
    (tmp_path / "header.csv").write_text(HEADER)
    (tmp_path / "episodes.csv").write_text(EPISODES)
    (tmp_path / "notes.txt").write_text("not data")
    area = load_area_data(tmp_path)
    # 101 is in both censuses and the 903: one child. 102 and 103 come from the 903 only.
    assert sorted(area.tables["children"]["child_id"]) == ["101", "102", "103", "200"]
    assert len(area.tables["referrals"]) == 2  # the same referral in both censuses is one
    assert len(area.tables["care_episodes"]) == 3
    labels = sorted(s.label for s in area.sources)
    assert labels == ["CIN census 2020/21 (LA 890): 2 children", "CIN census 2021/22 (LA 890): 1 children",
                      "SSDA903 2019/20 episodes: 3 episodes of 2 children", "SSDA903 header: 3 children"]
    assert all(s.cannot_provide for s in area.sources)
    assert any(p.file == "notes.txt" for p in area.warnings)


def test_unreadable_return_stops_with_its_message(tmp_path):
    (tmp_path / "CIN_2021.xml").write_text(census("2014", child("101", "2019-04-03")))
    (tmp_path / "header.csv").write_text(HEADER.replace("28/02/2004", "02/01/20251"))
    with pytest.raises(DataError) as raised:
        load_area_data(tmp_path)
    found = {(p.file, p.column) for p in raised.value.errors}
    assert ("CIN_2021.xml", None) in found or ("CIN_2021.xml", "Year") in found
    assert ("header.csv", "DOB") in found
