"""Chapter 1 on hand-made data: counts, shares, rates and suppression worked out by hand."""

import pandas as pd
import pytest

from prebirth.chapters import infants
from tests.unit.chapters.conftest import make_chapter


def child(cid, dob, mother=None):
    return {"child_id": cid, "mother_id": mother, "date_of_birth": dob}


def proc(pid, cid, issued):
    return {"proceedings_id": pid, "child_id": cid, "issue_date": issued}


@pytest.fixture
def area():
    # 2019/20: 12 children; 8 infants (newborn: 6 aged 0-6 days, 1 aged 7 days, 1 aged 200 days); 4 older.
    kids, procs = [], []
    for i in range(6):
        kids.append(child(f"N{i}", "2019-06-01"))
        procs.append(proc(f"p{i}", f"N{i}", f"2019-06-0{1 + i}"))  # 0..5 days old
    kids.append(child("W7", "2019-06-01")); procs.append(proc("p7", "W7", "2019-06-08"))    # exactly 7 days: not newborn
    kids.append(child("I1", "2019-01-01")); procs.append(proc("p8", "I1", "2019-07-20"))    # 200 days: infant
    for i in range(4):
        kids.append(child(f"O{i}", "2015-01-01"))
        procs.append(proc(f"q{i}", f"O{i}", "2019-09-01"))
    # a second application for N0 in the same year does not count twice
    procs.append(proc("p9", "N0", "2019-12-01"))
    births = [{"year": 2019, "live_births": 3000}, {"year": 2020, "live_births": 2000}]
    return {"children": kids, "proceedings": procs, "births": births}


def test_counts_shares_and_rates_by_hand(area):
    ch = make_chapter(area, audience="internal")
    t = infants.yearly(ch).set_index("period")
    y = t.loc["2019/20"]
    assert (y.children, y.infants, y.newborns) == (12, 8, 6)
    assert y.infants_share == pytest.approx(8 / 12)
    assert y.newborns_share_of_infants == pytest.approx(6 / 8)
    assert y.newborn_rate == pytest.approx(6 / 3000 * 10000)  # 20.0 per 10,000
    assert t.loc["2020/21"].children == 0 and t.loc["2020/21"].newborn_rate == 0
    assert t.loc["all"].newborn_rate == pytest.approx(6 / 5000 * 10000)  # both years' births


def test_published_yearly_withholds_small_counts_and_what_derives_from_them(area):
    ch = make_chapter(area)  # published, min_count 6
    t = infants.published_yearly(ch).set_index("period")
    y = t.loc["2019/20"]
    # 4 older children is a small complement: 8 of 12 infants reveals 4 -> share withheld
    assert pd.isna(y.infants_share)
    # newborns 6 of 8 infants: complement 2 -> withheld
    assert pd.isna(y.newborns_share_of_infants)
    assert not y.hidden_newborns and y.newborn_rate == pytest.approx(20.0)


def test_indicators_recorded_with_suppression(area):
    ch = make_chapter(area)
    infants.year_table(ch)
    rows = pd.DataFrame(ch.indicators)
    share = rows[(rows.indicator == "infants_share") & (rows.period == "2019/20")].iloc[0]
    assert share.suppressed and share.value is None or pd.isna(share.value)
    count = rows[(rows.indicator == "proceedings_children") & (rows.period == "2019/20")].iloc[0]
    assert count.value == 12 and not count.suppressed


def test_without_proceedings_the_chapter_says_what_to_record():
    ch = make_chapter({"children": [child("A", "2020-01-01")]})
    shown = infants.year_table(ch)
    assert "can't answer this yet" in shown.markdown and "issue date" in shown.markdown


def test_overdispersion_option_widens_the_funnel():
    from prebirth.chapters import common
    from tests.conftest import demo_parameters

    plain = common.open_chapter(1, "x", str(demo_parameters()))
    params = plain.params.model_copy(update={"overdispersion": "multiplicative"})
    widened = common.Chapter(1, "x", common.Prepared(params, plain.data, plain.benchmarks))
    plain_note = infants.funnel_plot(plain).note
    widened_note = infants.funnel_plot(widened).note
    # the demo's 150 authorities differ far more than chance allows (phi well above 1)
    assert "Set 'overdispersion: multiplicative'" in plain_note
    assert "The limits are widened (multiplicative overdispersion" in widened_note
    assert int(widened_note.split()[0]) < int(plain_note.split()[0])
