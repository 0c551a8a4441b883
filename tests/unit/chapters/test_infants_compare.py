"""Chapter 1's comparisons and breakdowns (chapters/infants_compare.py), on small hand-made frames
with hand-computed expectations."""

import numpy as np
import pandas as pd
import pytest

from prebirth.chapters import infants_compare as ic


def _tidy(rows):
    frame = pd.DataFrame(rows, columns=["period", "geographic_level", "area_code", "area_name", "numerator",
                                        "denominator", "suppressed", "_file"])
    frame["value"] = frame["numerator"] / frame["denominator"]
    return frame


ROWS = [
    ("2021/22", "Local authority", "A", "Ayton", 59, 178, False, "la_2018_2022.csv"),
    ("2021/22", "Local authority", "N1", "Nbay", 20, 100, False, "la_2018_2022.csv"),
    ("2021/22", "Local authority", "N2", "Nford", 30, 100, False, "la_2018_2022.csv"),
    ("2021/22", "Local authority", "N3", "Nham", np.nan, np.nan, True, "la_2018_2022.csv"),
    ("2021/22", "Local authority", "X", "Elsewhere", 50, 100, False, "la_2018_2022.csv"),
    ("2021/22", "Regional", "R", "North West", 900, 4600, False, "la_2018_2022.csv"),
    ("2021/22", "National", "E", "England", 5420, 31100, False, "national_2025.csv"),
    ("2020/21", "Local authority", "N1", "Nbay", 10, 50, False, "la_2018_2022.csv"),
    ("2020/21", "Local authority", "N2", "Nford", np.nan, np.nan, True, "la_2018_2022.csv"),
]


def test_release_year_is_the_last_year_in_the_file_name():
    assert ic.release_year("DfE: la_cla_who_started_to_be_looked_after_2018_2022.csv") == "2022"
    assert ic.release_year("SFR50_ADM2017.csv") == "2017"
    assert ic.release_year("benchmarks.csv") is None


def test_comparison_rows_order_names_ranks_and_releases():
    older = _tidy([("2021/22", "National", "E", "England", 5410, 31010, False, "la_2018_2022.csv")])
    rows = ic.comparison_rows(_tidy(ROWS), older, "2021/22", "A", "North West", ["N1", "N2", "N3", "A"])
    assert list(rows["role"]) == ["area", "England", "England", "region", "neighbour", "neighbour", "neighbour"]
    assert list(rows["area_name"]) == ["Ayton", "England", "England", "North West", "Nford", "Nbay", "Nham"]
    england = rows[rows["role"] == "England"]
    assert list(england["numerator"]) == [5410, 5420] and list(england["revised"]) == [False, True]
    assert list(england["release"]) == ["2022", "2025"] and list(england["superseded"]) == [True, False]
    # Nford 30% above Nbay 20%; Nham withheld by its publisher: no rank, no number (never 0)
    assert list(rows["rank"].iloc[4:6]) == [1, 2] and pd.isna(rows["rank"].iloc[6])
    assert rows["suppressed"].iloc[6] and pd.isna(rows["numerator"].iloc[6])


def test_pooled_values_leave_a_withheld_year_out():
    pooled = ic.pooled_values(_tidy(ROWS), ["N1", "N2"], ["2020/21", "2021/22"]).set_index("area_code")
    assert pooled.loc["N1", "numerator"] == 30 and pooled.loc["N1", "denominator"] == 150
    assert pooled.loc["N1", "value"] == pytest.approx(0.2) and pooled.loc["N1", "years"] == 2
    assert pooled.loc["N2", "numerator"] == 30 and pooled.loc["N2", "years"] == 1


def test_rank_with():
    assert ic.rank_with(0.33, [0.2, 0.3, np.nan]) == (1, 3)
    assert ic.rank_with(0.25, [0.2, 0.3]) == (2, 3)


def test_age_bands_at_issue():
    born = pd.Series(pd.to_datetime(["2020-01-31"] * 9 + [None]))
    issue = pd.Series(pd.to_datetime(["2020-01-31", "2020-02-06", "2020-02-07", "2020-02-27", "2020-02-28",
                                      "2020-04-29", "2020-04-30", "2020-07-31", "2021-01-31", "2020-05-01"]))
    # day 0 and 6: under 7 days; 7 and 27: 7-27 days; 28 days: 1-2 months; 30 April is 3 months after
    # 31 January (pandas clips to the month's end): 3-5 months; 31 July: 6 months; a first birthday: not an infant
    assert [None if pd.isna(v) else v for v in ic.age_band(issue, born)] == [
        "under 7 days", "under 7 days", "7 to 27 days", "7 to 27 days", "1 to 2 months", "1 to 2 months",
        "3 to 5 months", "6 to 11 months", None, None]


def test_known_before_birth_and_weeks():
    newborns = pd.DataFrame({"child_id": ["K1", "K2", "K3"],
                             "date_of_birth": pd.to_datetime(["2021-06-01", "2021-06-01", "2021-06-01"])})
    referrals = pd.DataFrame({"child_id": ["K1", "K2", "K9"],
                              "referral_date": pd.to_datetime(["2021-01-05", "2021-06-03", "2021-01-01"])})
    assessments = pd.DataFrame({"child_id": ["K1", "K2"], "start_date": pd.to_datetime(["2021-03-02", "2021-05-18"])})
    known = ic.known_before_birth(newborns, referrals, assessments).set_index("child_id")
    # K1: earliest pre-birth event 5 January, 147 days = 21 weeks before; K2: its assessment 14 days before
    # (the referral after birth does not count); K3: nothing recorded
    assert list(known["known"]) == [True, True, False]
    assert known.loc["K1", "weeks_before"] == pytest.approx(21.0)
    assert known.loc["K2", "weeks_before"] == pytest.approx(2.0)
    assert [None if pd.isna(v) else v for v in ic.weeks_band(known["weeks_before"])] == [
        "20 weeks or more before birth", "less than 8 weeks before birth", None]


def test_weeks_band_edges():
    assert list(ic.weeks_band(pd.Series([19.9, 20.0, 7.99, 8.0, 0.1]))) == [
        "8 to 19 weeks before birth", "20 weeks or more before birth", "less than 8 weeks before birth",
        "8 to 19 weeks before birth", "less than 8 weeks before birth"]


def test_national_figures_follow_the_country_and_the_newborn_definition():
    england = ic.national_figures("England", 7)
    assert float(england["newborn_rate"]["value"]) == 48 and england["newborn_rate"]["period"] == "2019/20"
    assert float(england["newborns_share_of_infants"]["value"]) == 0.42
    assert england["missing"] == []
    wales = ic.national_figures("Wales", 7)
    assert float(wales["newborn_rate"]["value"]) == 68.3 and wales["newborn_rate"]["period"] == "2019/20"
    # Wales's share of infants (52%, 2018) counts babies under two weeks: never set beside a 7-day figure
    assert wales["newborns_share_of_infants"] is None and len(wales["missing"]) == 1
    fortnight = ic.national_figures("Wales", 14)
    assert float(fortnight["newborn_rate"]["value"]) == 83 and float(fortnight["newborns_share_of_infants"]["value"]) == 0.52
    assert "Pattinson et al. 2021" in ic.short_source(wales["newborn_rate"])
    assert "Born into care" in ic.short_source(wales["newborn_rate"])


def test_source_label_and_sources_note():
    assert ic.source_label("published: Pattinson R. et al. (2021). Nuffield FJO") == "published: Pattinson et al. 2021"
    assert ic.source_label("published: Department for Education: Children looked after in England including "
                           "adoptions, 2024") == "published: Department for Education 2024"
    assert ic.source_label("invented for the demo") == "invented for the demo"
    assert ic.source_label("DfE: la_cla_2018_2022.csv") is None  # a publisher's own file names itself
    rows = pd.DataFrame({"group": ["England"] * 3 + ["North West"] * 3,
                         "period": ["2018/19", "2019/20", "2020/21"] * 2,
                         "source": ["invented for the demo", "published: Pattinson R. et al. (2021). Nuffield FJO",
                                    "invented for the demo"] + ["invented for the demo"] * 3})
    assert ic.sources_note(rows) == ("Comparison figures: England's other years and North West: invented for the "
                                     "demo; England 2019/20: published: Pattinson et al. 2021.")
    assert ic.sources_note(rows.assign(source="DfE file.csv")) == ""


def _latest_chapter(tmp_path, **parameters):
    """Testshire (E99000001, North West): 6 newborns in 2019/20 (3,000 births in 2019), 7 in 2020/21 (2,000
    births in 2020). Benchmarks for 2020/21: England as published (2,914 newborns, 48 per 10,000, no
    births given), the North West invented (30 of 5,000 = 60.0), neighbours N1 20 of 4,000 (50.0), N2 withheld,
    N3 90 of 10,000 (90.0)."""
    from prebirth.data.benchmarks import load_benchmarks
    from tests.unit.chapters.conftest import make_chapter

    kids, procs = [], []
    for i in range(6):
        kids.append({"child_id": f"A{i}", "date_of_birth": "2019-06-01"})
        procs.append({"proceedings_id": f"a{i}", "child_id": f"A{i}", "issue_date": "2019-06-02"})
    for i in range(7):
        kids.append({"child_id": f"B{i}", "date_of_birth": "2020-06-01"})
        procs.append({"proceedings_id": f"b{i}", "child_id": f"B{i}", "issue_date": "2020-06-03"})
    births = [{"year": 2019, "live_births": 3000}, {"year": 2020, "live_births": 2000}]
    head = ("period,geographic_level,area_code,area_name,region_code,region_name,indicator,numerator,denominator,"
            "value,source,suppressed\n")
    rate = "newborn_rate_per_10k_births"
    inv = "invented for the demo"
    lines = [
        f"2019/20,National,E92000001,England,,,{rate},2700,600000,45,{inv},False",
        f"2020/21,National,E92000001,England,,,{rate},2914,,48,published: Pattinson R. et al. (2021). Nuffield FJO,False",
        f"2019/20,Regional,E12000002,North West,E12000002,North West,{rate},25,5000,50,{inv},False",
        f"2020/21,Regional,E12000002,North West,E12000002,North West,{rate},30,5000,60,{inv},False",
        f"2020/21,Local authority,E99000001,Testshire,E12000002,North West,{rate},7,2000,35,{inv},False",
        f"2020/21,Local authority,E99200001,Nbay,E12000002,North West,{rate},20,4000,50,{inv},False",
        f"2020/21,Local authority,E99200002,Nford,E12000002,North West,{rate},,3000,,{inv},True",
        f"2020/21,Local authority,E99200003,Nham,E12000002,North West,{rate},90,10000,90,{inv},False",
    ]
    (tmp_path / "benchmarks.csv").write_text(head + "\n".join(lines) + "\n")
    (tmp_path / "statistical_neighbours.csv").write_text(
        "area_code,rank,neighbour_code\n" + "".join(f"E99000001,{i},E9920000{i}\n" for i in (1, 2, 3)))
    return make_chapter({"children": kids, "proceedings": procs, "births": births},
                        benchmarks=load_benchmarks(tmp_path), region="North West", **parameters)


def test_latest_year_rate_beside_england_region_and_neighbours_by_name(tmp_path):
    from prebirth import disclosure, present
    from prebirth.chapters import infants

    r = infants.compute(_latest_chapter(tmp_path).prepared)
    decision = disclosure.decide([r], True, 6)
    frame = r.items["latest_rate_by_name"].frame
    table = frame.map(lambda cell: cell if isinstance(cell, str) else getattr(cell, "text", None)
                      if type(cell).__name__ == "Plain" else present.fmt(cell, decision))
    column = "Newborns per 10,000 live births, 2020/21"
    assert list(table["Area"]) == ["Testshire (this area's own records)", "England", "North West (region)",
                                   "Nham", "Nbay", "Nford"]
    # 7 / 2,000 x 10,000 = 35.0; England's published 48 is a whole number and stays one
    assert list(table[column]) == ["35.0", "48", "60.0", "90.0", "50.0", ic.WITHHELD_AT_SOURCE]
    assert list(table["Live births"])[:2] == ["2,000", ic.NOT_GIVEN]
    assert list(table["Source"]) == ["this area's own records", "published: Pattinson et al. 2021"] + \
        ["invented for the demo"] * 4
    assert list(table["Rank among neighbours"]) == ["", "", "", "1", "2", ""]
    main = [f["finding"] for f in present.findings(r, decision) if f["main"] and "2020/21" in f["finding"]]
    assert main == ["In 2020/21, 35.0 newborns per 10,000 live births in Testshire were in care proceedings, "
                    "against England's 48 (published: Pattinson et al. 2021) and the North West's 60.0 (invented "
                    "for the demo); with its statistical neighbours it ranks 3 of 3 (1 = highest)."]


def test_latest_year_rate_for_a_welsh_area_says_wales_has_no_figure_that_year(tmp_path):
    from prebirth import disclosure, present
    from prebirth.chapters import infants

    r = infants.compute(_latest_chapter(tmp_path, country="Wales").prepared)
    decision = disclosure.decide([r], True, 6)
    main = [f["finding"] for f in present.findings(r, decision) if f["main"] and "2020/21" in f["finding"]]
    assert main[0].endswith("(there is no published figure for Wales for 2020/21).")
    assert "England's 48" in main[0] and "national" not in main[0]


def test_a_withheld_latest_rate_drops_the_comparison_for_a_sentence_without_it(tmp_path):
    from prebirth import disclosure, present
    from prebirth.chapters import infants
    from prebirth.results import key

    r = infants.compute(_latest_chapter(tmp_path).prepared)
    hidden = disclosure.Decision(True, 6, frozenset({key("proceedings", "newborns", "2020/21")}))
    main = [f["finding"] for f in present.findings(r, hidden) if f["main"] and "2020/21" in f["finding"]]
    assert main == ["In 2020/21, the newborn rate in Testshire is withheld so that no family can be identified."]
