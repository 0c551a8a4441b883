"""LA codes: recodings continue a series, mergers and splits never do; numbers <-> codes learned from files."""

from __future__ import annotations

from prebirth.data import la_codes
from prebirth.data.la_codes import LaCodes


def test_recoded_authorities_continue_under_todays_code():
    assert la_codes.current_code("E10000023") == "E06000065"  # North Yorkshire, 2023
    assert la_codes.current_code("E10000027") == "E06000066"  # Somerset, 2023
    assert la_codes.current_code("E10000002") == "E06000060"  # Buckinghamshire, 2020
    assert la_codes.current_code("E06000048") == "E06000057"  # Northumberland
    assert la_codes.current_code("E06000009") == "E06000009"
    assert la_codes.current_code(None) is None


def test_mergers_and_splits_are_not_recodings():
    assert la_codes.current_code("E10000006") == "E10000006"  # Cumbria is not renamed: it was split
    assert la_codes.successors("E10000006") == ["E06000063", "E06000064"]
    assert la_codes.successors("E10000021") == ["E06000061", "E06000062"]
    assert set(la_codes.predecessors("E06000058")) == {"E06000028", "E06000029", "E10000009"}
    assert la_codes.successors("E06000009") == []
    assert la_codes.reorganisation_of("E06000064").date == "2023-04-01"


def test_region_names_in_any_case():
    assert la_codes.region_code("NORTH EAST") == "E12000001"
    assert la_codes.region_code("Yorkshire and the Humber") == "E12000003"
    assert la_codes.region_code("London (Inner)") == "E13000001"
    assert la_codes.region_of_borough("E13000002") == "E12000007"
    assert la_codes.region_code("Atlantis") is None


def test_learned_codes():
    codes = LaCodes.known()
    assert codes.code_for("942") == "E06000063" and codes.code_for(815) == "E06000065"
    codes.add("890", "E06000009", "Blackpool", "North West")
    codes.add("202", "E09000007", "Camden", "Inner London")
    assert codes.code_for("890.0") == "E06000009"
    assert codes.code_for("E10000023") == "E06000065"
    assert codes.region_for("E06000009") == "E12000002"
    assert codes.region_for("E09000007") == "E12000007"  # a borough's region is London
    assert codes.code_for("123") is None
