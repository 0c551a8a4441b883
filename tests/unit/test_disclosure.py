"""Small-number suppression, worked by hand."""

import numpy as np
import pandas as pd

from prebirth import disclosure


def test_small_counts_are_one_to_min_minus_one():
    assert [disclosure.is_small(n, 6) for n in (0, 1, 5, 6, None, float("nan"))] == [False, True, True, False, False, False]


def test_share_suppressed_by_numerator_denominator_or_complement():
    assert disclosure.share_needs_suppression(3, 100, 6)      # numerator small
    assert disclosure.share_needs_suppression(0, 4, 6)        # denominator small: 0 of 4 reveals 4 children
    assert disclosure.share_needs_suppression(98, 100, 6)     # 2 did not: recoverable
    assert not disclosure.share_needs_suppression(0, 100, 6)  # none of 100: identifies nobody
    assert not disclosure.share_needs_suppression(50, 100, 6)


def test_secondary_suppression_protects_a_lone_hidden_cell_in_each_line():
    # Column totals are shown: in column x only 3 is small, so the next smallest (10) must go too.
    counts = pd.DataFrame({"x": [3, 10, 40], "y": [20, 30, 0]}, index=["a", "b", "c"])
    mask = disclosure.secondary_suppress(counts, 6, axes=(0,))
    assert mask["x"].tolist() == [True, True, False]
    assert mask["y"].tolist() == [False, False, False]


def test_secondary_suppression_both_axes_until_stable():
    # Row and column totals shown. a/x=2 is small -> row a also hides a/y=8 (smallest other);
    # column x then has one hidden (a) -> hides b/x=9; column y has a/y hidden -> hides b/y=12? no: c/y=0 is
    # zero (not a candidate), so b/y=12 is hidden; row b now has both hidden. Stable.
    counts = pd.DataFrame({"x": [2, 9], "y": [8, 12], "z": [30, 40]}, index=["a", "b"])
    mask = disclosure.secondary_suppress(counts, 6)
    assert mask.loc["a"].tolist() == [True, True, False]
    assert mask.loc["b"].tolist() == [True, True, False]


def test_zero_is_never_suppressed_and_a_line_of_one_hidden_cell_and_zeros_stays():
    counts = pd.DataFrame({"x": [0, 4, 0]})
    mask = disclosure.secondary_suppress(counts, 6, axes=(0,))
    assert mask["x"].tolist() == [False, True, False]


def test_suppress_indicators_blanks_numbers_but_keeps_the_row():
    rows = pd.DataFrame([
        dict(indicator="infants_share", period="2019/20", group="", numerator=4, denominator=50, value=0.08,
             lower=0.03, upper=0.19, unit="proportion", method="", suppressed=False),
        dict(indicator="infants_share", period="2020/21", group="", numerator=20, denominator=50, value=0.4,
             lower=0.28, upper=0.54, unit="proportion", method="", suppressed=False),
        dict(indicator="proceedings_children", period="2020/21", group="", numerator=3, denominator=None,
             value=3, lower=None, upper=None, unit="count", method="", suppressed=False),
    ])
    out = disclosure.suppress_indicators(rows, 6)
    assert out["suppressed"].tolist() == [True, False, True]
    assert np.isnan(out.loc[0, "value"]) and np.isnan(out.loc[0, "numerator"]) and np.isnan(out.loc[0, "upper"])
    assert out.loc[0, "denominator"] == 50  # a large denominator is still published
    assert out.loc[1, "value"] == 0.4
    assert np.isnan(out.loc[2, "value"])


def test_marker_is_c_never_zero():
    assert disclosure.format_count(3, suppressed=True) == "c"
    assert disclosure.format_count(0) == "0"
    assert disclosure.format_count(1234) == "1,234"


def test_suppress_indicator_row_by_row():
    median = dict(indicator="days_referral_to_assessment_median", period="all", group="pre-birth", numerator=None,
                  denominator=4.0, value=12.0, lower=8.0, upper=15.0, unit="days", method="", suppressed=False)
    out = disclosure.suppress_indicator(median, 6)
    # a median of 4 waits is withheld, and so is the count behind it
    assert out["suppressed"] is True and np.isnan(out["value"]) and np.isnan(out["denominator"])
    assert out["indicator"] == median["indicator"] and median["value"] == 12.0  # the row given is left as it was
    kept = disclosure.suppress_indicator(dict(median, denominator=40.0), 6)
    assert kept["suppressed"] is False and kept["value"] == 12.0 and kept["denominator"] == 40.0
    # already withheld upstream (derived from a withheld count): stays withheld whatever its counts
    flagged = disclosure.suppress_indicator(dict(median, denominator=40.0, suppressed=True), 6)
    assert flagged["suppressed"] is True and np.isnan(flagged["value"]) and flagged["denominator"] == 40.0
    # a count recorded as its value, without a numerator; 0 is not small (nobody to identify)
    count = dict(median, unit="count", value=0.0, denominator=None)
    assert disclosure.suppress_indicator(count, 6)["suppressed"] is False
    assert disclosure.suppress_indicator(dict(count, value=5.0), 6)["suppressed"] is True
    # a share whose complement is small (98 of 100 reveals 2)
    share = dict(median, unit="proportion", numerator=98.0, denominator=100.0, value=0.98)
    assert disclosure.suppress_indicator(share, 6)["suppressed"] is True
    # a rate ratio counts nobody: never withheld here
    ratio = dict(median, unit="hazard ratio", denominator=None, value=0.5)
    assert disclosure.suppress_indicator(ratio, 6)["suppressed"] is False
