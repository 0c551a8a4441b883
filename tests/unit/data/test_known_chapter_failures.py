"""Valid data that a chapter once failed on: regression tests kept beside the data checks.

These are not input problems (the data are read and checked without error); the fault was in
the chapter's computation (fixed in chapter 4's linking of referrals to assessments).
"""

from __future__ import annotations

import pandas as pd

# chapters/waiting.py, link_assessments, line 225:  out.loc[hit, 'assessment_start'] = referrals.loc[hit,
# 'referral_id'].map(named['start_date']).  When no assessment carries a referral_id (Blackpool-like returns: a
# CIN census, 903 CSVs and Annex A,  where assessments name no referral), 'named' is empty, and pandas (3.1)
# Series.map with an empty  datetime64 Series as the mapper raises TypeError: Cannot cast DatetimeArray to dtype
# float64  (whether or not the mapped Series is empty). Fix in the chapter: skip the referral_id link when
# 'named' is empty, or link by merge/reindex instead of map.


def _referrals_and_assessments():
    referrals = pd.DataFrame({
        "referral_id": ["R1", "R2"],
        "child_id": ["K1", "K2"],
        "referral_date": pd.to_datetime(["2020-01-01", "2020-02-01"]),
    })
    assessments = pd.DataFrame({
        "assessment_id": ["A1"],
        "child_id": ["K1"],
        "start_date": pd.to_datetime(["2020-01-05"]),
        "referral_id": pd.Series([None], dtype=object),  # no assessment names its referral
        "authorised_date": pd.to_datetime(["2020-02-01"]),
    })
    return referrals, assessments


def test_referrals_link_to_the_next_assessment_when_none_names_a_referral():
    from prebirth.chapters.waiting import link_assessments

    referrals, assessments = _referrals_and_assessments()
    out = link_assessments(referrals, assessments)
    # R1 leads to the child's next assessment (A1, from 5 January 2020); R2's child has none.
    assert out.loc[0, "assessment_id"] == "A1" and out.loc[0, "linked_by"] == "next assessment"
    assert out.loc[0, "assessment_start"] == pd.Timestamp("2020-01-05")
    assert pd.isna(out.loc[1, "assessment_id"]) and pd.isna(out.loc[1, "assessment_start"])


def test_the_same_data_are_valid_input():
    """The data layer has nothing to say: a blank referral_id is allowed (DESIGN 5.1)."""
    import textwrap

    from prebirth.data.validate import validate

    raw = {
        "children": pd.DataFrame({"child_id": ["K1", "K2"], "_file": "children.csv", "_row": [2, 3]}),
        "referrals": pd.DataFrame({"referral_id": ["R1", "R2"], "child_id": ["K1", "K2"],
                                   "referral_date": ["2020-01-01", "2020-02-01"],
                                   "_file": "referrals.csv", "_row": [2, 3]}),
        "assessments": pd.DataFrame({"assessment_id": ["A1"], "child_id": ["K1"], "start_date": ["2020-01-05"],
                                     "referral_id": [None], "authorised_date": ["2020-02-01"],
                                     "_file": "assessments.csv", "_row": [2]}),
    }
    tables, problems = validate({k: v.astype(object) for k, v in raw.items()})
    assert [p for p in problems if p.level == "error"] == [], textwrap.shorten(str(problems), 300)
    assert tables["assessments"]["referral_id"].isna().all()
