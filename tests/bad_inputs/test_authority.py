"""Standard returns must be the area's own authority's (the corpus runs the same check end to end)."""

from prebirth.data.load import check_one_authority


def messages(returns, area_code=None):
    return [(p.file, p.message) for p in check_one_authority(returns, area_code, None)]


def test_one_authority_is_fine():
    assert messages([("CIN_2021.xml", "931"), ("CIN_2022.xml", "931")]) == []
    assert messages([]) == []


def test_the_odd_one_out_is_named():
    assert messages([("CIN_2021.xml", "931"), ("CIN_2022.xml", "931"), ("CIN_2023.xml", "888")]) == [
        ("CIN_2023.xml", "this return is for LA 888, but the other returns are for LA 931")]


def test_a_predecessor_in_a_reorganisation_belongs_to_the_area():
    # Northamptonshire (928) split into North (940) and West (941) Northamptonshire in 2021.
    assert messages([("CIN_2020.xml", "928"), ("CIN_2022.xml", "940")]) == []
    assert messages([("CIN_2020.xml", "928")], area_code="E06000061") == []
    assert messages([("CIN_2020.xml", "928"), ("CIN_2022.xml", "940"), ("CIN_2023.xml", "888")]) == [
        ("CIN_2023.xml", "this return is for LA 888, but the other returns are for LA 928")]


def test_the_parameters_area_when_its_number_is_known():
    # Buckinghamshire is E06000060, LA 825 (la_codes knows it without any benchmark file).
    assert messages([("CIN_2021.xml", "825")], area_code="E06000060") == []
    assert messages([("CIN_2021.xml", "931")], area_code="E06000060") == [
        ("CIN_2021.xml", "this return is for LA 931, but the parameters are for E06000060 (LA 825)")]
    # A fictional code (the demo's) names no number: nothing to compare.
    assert messages([("CIN_2021.xml", "931")], area_code="E99999001") == []


def test_returns_of_three_authorities_are_all_named_at_once():
    # Two of the area's own and one each of two others: both others named in one run.
    assert messages([("CIN_2021.xml", "931"), ("CIN_2022.xml", "931"), ("CIN_2023.xml", "888"),
                     ("CIN_2024.xml", "777")]) == [
        ("CIN_2023.xml", "this return is for LA 888, but the other returns are for LA 931"),
        ("CIN_2024.xml", "this return is for LA 777, but the other returns are for LA 931")]


def test_one_return_each_of_three_authorities_names_every_file():
    found = messages([("a.xml", "931"), ("b.xml", "888"), ("c.xml", "777")])
    assert [file for file, _ in found] == ["a.xml", "b.xml", "c.xml"]
    for _, message in found:
        assert "3 different authorities (LA 777: c.xml; LA 888: b.xml; LA 931: a.xml)" in message


def test_with_the_areas_number_known_every_other_return_is_named():
    # Buckinghamshire (E06000060) is LA 825: the others are named whatever their number of files.
    assert messages([("a.xml", "931"), ("b.xml", "931"), ("c.xml", "825"), ("d.xml", "888")],
                    area_code="E06000060") == [
        ("a.xml", "this return is for LA 931, but the parameters are for E06000060 (LA 825)"),
        ("b.xml", "this return is for LA 931, but the parameters are for E06000060 (LA 825)"),
        ("d.xml", "this return is for LA 888, but the parameters are for E06000060 (LA 825)")]
