"""Chapter 7: fathers' earlier proceedings and the support offered to each parent, on a hand-made area."""

from prebirth import disclosure, present
from prebirth.chapters import fathers
from tests.unit.chapters.conftest import make_chapter

INTERNAL = disclosure.Decision()


def area():
    # Babies B1-B5: pre-birth assessments on 2020-01-10. Fathers: F1 (B1), F2 (B2), F3 (B3), F1 again (B4), none (B5).
    # Older children: O1 (father F1, proceedings 2018-05-01: before B1's and B4's assessments),
    # O2 (father F2, proceedings 2021-03-01: after B2's assessment, so not earlier),
    # O3 (no father recorded, proceedings 2017: cannot be linked to anyone).
    fathers_of = {"B1": "F1", "B2": "F2", "B3": "F3", "B4": "F1", "B5": None, "O1": "F1", "O2": "F2", "O3": None}
    kids = [{"child_id": c, "mother_id": f"M{c}", "father_id": f, "date_of_birth": "2020-05-01" if c[0] == "B"
             else "2016-01-01"} for c, f in fathers_of.items()]
    people = ([{"parent_id": f"M{c}", "role": "mother"} for c in fathers_of]
              + [{"parent_id": f, "role": "father"} for f in ("F1", "F2", "F3")])
    assessments = [{"assessment_id": f"A{c}", "child_id": c, "start_date": "2020-01-10", "kind": "pre-birth"}
                   for c in ("B1", "B2", "B3", "B4", "B5")]
    proceedings = [{"proceedings_id": "P1", "child_id": "O1", "issue_date": "2018-05-01"},
                   {"proceedings_id": "P2", "child_id": "O2", "issue_date": "2021-03-01"},
                   {"proceedings_id": "P3", "child_id": "O3", "issue_date": "2017-05-01"},
                   # B3's own proceedings (after birth) are about the same child: never "earlier"
                   {"proceedings_id": "P4", "child_id": "B3", "issue_date": "2019-12-01"}]
    support = [{"support_id": "S1", "child_id": "B1", "kind": "parenting", "offered_date": "2020-02-01",
                "parent_id": "F1"},
               {"support_id": "S2", "child_id": "B2", "kind": "parenting", "offered_date": "2020-02-01",
                "parent_id": "MB2"},
               {"support_id": "S3", "child_id": "B3", "kind": "substance_misuse", "offered_date": "2020-02-01",
                "parent_id": "F3"},
               # support for F1 about an older child does not count for B4
               {"support_id": "S4", "child_id": "O1", "kind": "housing", "offered_date": "2018-02-01",
                "parent_id": "F1"}]
    return {"children": kids, "parents": people, "assessments": assessments, "proceedings": proceedings,
            "support": support}


def result():
    return fathers.compute(make_chapter(area(), number=7, audience="internal").prepared)


def test_fathers_earlier_proceedings_are_about_another_child_and_before_the_assessment():
    r = result()
    frame = present.table_frame(r.items["earlier_proceedings"].frame, INTERNAL).iloc[0]
    # fathers recorded for B1-B4 (4); earlier proceedings: B1 and B4 (F1, O1 in 2018) = 2 -> 50%
    assert frame["Babies with a pre-birth assessment and a father recorded"] == "4"
    assert frame["Whose father was a parent in earlier proceedings about another child"] == "2"
    assert frame["Share"] == "50%"
    rows = present.indicator_rows(r, INTERNAL)
    row = next(x for x in rows if x["indicator"] == "fathers_earlier_proceedings_share")
    assert (row["numerator"], row["denominator"]) == (2, 4)
    assert any(f.main and f.indicator == "fathers_earlier_proceedings_share" for f in r.findings)


def test_support_offered_to_each_parent_by_kind():
    frame = present.table_frame(result().items["fathers_support"].frame, INTERNAL).set_index("Support offered")
    # parenting: F1 for B1 (1 of 4 fathers recorded = 25%); mother of B2 (1 of 5 mothers = 20%)
    assert frame.loc["Parenting", "Fathers: babies"] == "1"
    assert frame.loc["Parenting", "Fathers: share of those recorded"] == "25%"
    assert frame.loc["Parenting", "Mothers: share of those recorded"] == "20%"
    assert frame.loc["Alcohol or drug service", "Fathers: babies"] == "1"
    assert frame.loc["Housing", "Fathers: babies"] == "0"  # offered about an older child, not these babies


def test_main_points_without_involvement_are_recorded_and_earlier_proceedings():
    main = [f for f in result().findings if f.main]
    assert [f.indicator for f in main] == ["fathers_recorded_share", "fathers_earlier_proceedings_share"]
