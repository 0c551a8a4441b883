"""The differencing attack on indicators.csv: it finds what it should (hand-made files), and finds
nothing in the published books."""

import json

import pytest

from tests.privacy.attack import differencing

HEADER = "indicator,period,group,numerator,denominator,value,lower,upper,unit,method,suppressed\n"


def test_all_minus_the_other_years_recovers_a_withheld_year():
    # The demo's leak before one disclosure step: all children 82, the years other than 2014/15 add up to 77.
    text = HEADER + (
        "hearing_same_day_share,2014/15,all children,,40,,,,proportion,Wilson,true\n"
        "hearing_same_day_share,2015/16,all children,30,60,0.5,,,proportion,Wilson,false\n"
        "hearing_same_day_share,2016/17,all children,47,70,0.67,,,proportion,Wilson,false\n"
        "hearing_same_day_share,all,all children,82,170,0.48,,,proportion,Wilson,false\n")
    (found,) = differencing(text, 6)
    assert (found.what, found.period, found.low) == ("numerator", "2014/15", 5)


def test_a_complement_recovered_across_years():
    # numerators all published; 2014/15's denominator withheld; the complements: all 30 - (10 + 18) = 2
    text = HEADER + (
        "x_share,2014/15,,10,,,,,proportion,Wilson,true\n"
        "x_share,2015/16,,20,38,0.5,,,proportion,Wilson,false\n"
        "x_share,2016/17,,30,40,0.75,,,proportion,Wilson,false\n"
        "x_share,all,,60,90,0.67,,,proportion,Wilson,false\n")
    found = {(f.what, f.low) for f in differencing(text, 6)}
    assert ("denominator", 12) not in found  # 90 - 78 = 12 is not small
    assert ("complement", 2) in found  # 30 - (18 + 10)


def test_two_withheld_years_or_a_withheld_total_leave_nothing_to_difference():
    text = HEADER + (
        "x_share,2014/15,,,30,,,,proportion,Wilson,true\n"
        "x_share,2015/16,,,30,,,,proportion,Wilson,true\n"
        "x_share,2016/17,,30,40,0.75,,,proportion,Wilson,false\n"
        "x_share,all,,38,100,0.38,,,proportion,Wilson,false\n")
    assert [f for f in differencing(text, 6) if f.what == "numerator"] == []


@pytest.mark.slow
@pytest.mark.parametrize("book", ["demo_book", "small_book", "sparse_book"])
def test_no_published_book_gives_a_withheld_year_back(book, request):
    built = request.getfixturevalue(book)
    text = (built.folder / "indicators.csv").read_text(encoding="utf-8")
    found = differencing(text, 6)
    assert not found, "\n".join(map(str, found[:20]))
    # and the book's own audit, over every relation it publishes, passed and says so in manifest.json
    audit = json.loads((built.folder / "manifest.json").read_text(encoding="utf-8"))["disclosure"]
    assert audit["passed"] is True and audit["failures"] == [] and audit["relations"] > 0
    assert audit["narrowest"] is None or audit["narrowest"]["high"] is None or \
        audit["narrowest"]["high"] - audit["narrowest"]["low"] + 1 >= 6
