"""Funnel-plot limits and significance: every PHE reference case, hand checks, overdispersion, properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from prebirth.stats.funnel import (
    estimate_overdispersion,
    funnel_significance,
    proportion_funnel,
    proportion_funnel_limits,
    proportion_funnel_significance,
    rate_funnel,
    rate_funnel_limits,
    rate_funnel_points,
    rate_funnel_significance,
    ratio_funnel,
)
from prebirth.stats.intervals import wilson

from .conftest import reference_file

LIMITS = ["lower_95", "upper_95", "lower_99_8", "upper_99_8"]


def _csv(name: str) -> pd.DataFrame:
    # The reference CSVs start with a byte-order mark; one header cell holds a newline.
    frame = pd.read_csv(reference_file("phe-methods", name), encoding="utf-8-sig")
    frame.columns = [c.strip() for c in frame.columns]
    return frame


# ------------------------------------------------------------------------- proportions


def test_reference_proportion_funnel_limits():
    inputs = _csv("testdata_funnel_prop_inputs.csv")
    expected = _csv("testdata_funnel_prop_outputs.csv")
    limits = proportion_funnel(inputs["numerator"], inputs["denominator"], multiplier=100)
    assert len(limits) == len(expected) == 100
    np.testing.assert_array_equal(limits["denominator"], expected["Population"])
    for mine, theirs in zip([*LIMITS, "target"],
                            ["Lower2s0025limit", "Upper2s0025limit", "Lower3s0001limit", "Upper3s0001limit", "Baseline"]):
        # The CSV holds 6 decimal places, so agreement is to 5e-7.
        np.testing.assert_allclose(limits[mine], expected[theirs], rtol=0, atol=1e-6, err_msg=mine)


def test_reference_proportion_funnel_limits_with_narrow_axis():
    inputs = _csv("testdata_funnel_prop_inputs.csv")
    expected = _csv("testdata_funnel_prop_outputs_with_axis_variation.csv")
    subset = inputs[inputs["denominator"] < 31000]
    limits = proportion_funnel(subset["numerator"], subset["denominator"], multiplier=100)
    np.testing.assert_array_equal(limits["denominator"], expected["Population"])
    assert limits["denominator"].iloc[0] == 10000  # the axis starts near the smallest denominator here
    for mine, theirs in zip([*LIMITS, "target"],
                            ["Lower2s0025limit", "Upper2s0025limit", "Lower3s0001limit", "Upper3s0001limit", "Baseline"]):
        np.testing.assert_allclose(limits[mine], expected[theirs], rtol=0, atol=1e-6, err_msg=mine)


def test_reference_proportion_significance():
    inputs = _csv("testdata_funnel_prop_inputs.csv")
    labels = funnel_significance(inputs["numerator"], inputs["denominator"], statistic="proportion")
    assert list(labels) == list(inputs["significance"])
    assert set(labels) == {"High (0.001)", "High (0.025)", "Low (0.001)", "Low (0.025)", "Not significant"}


def test_proportion_limits_by_hand():
    # p +/- z sqrt(p(1-p)/n) with p = 0.2, n = 100: sqrt(0.16/100) = 0.04;
    # 1.959964 x 0.04 = 0.0783986; 3.090232 x 0.04 = 0.1236093.
    limits = proportion_funnel_limits([100], 0.2).iloc[0]
    assert limits["lower_95"] == pytest.approx(0.1216014, abs=1e-7)
    assert limits["upper_95"] == pytest.approx(0.2783986, abs=1e-7)
    assert limits["lower_99_8"] == pytest.approx(0.0763907, abs=1e-7)
    assert limits["upper_99_8"] == pytest.approx(0.3236093, abs=1e-7)
    percentages = proportion_funnel_limits([100], 20, multiplier=100).iloc[0]
    assert percentages["upper_95"] == pytest.approx(27.83986, abs=1e-5) and percentages["target"] == 20


def test_proportion_limits_are_clipped_to_possible_shares():
    limits = proportion_funnel_limits([1], 0.8).iloc[0]
    assert limits["upper_95"] == 1 and limits["lower_99_8"] == 0


def test_proportion_significance_wrapper_and_validation():
    labels = proportion_funnel_significance(pd.Series([50, 20], index=["A", "B"]), pd.Series([100, 100]), 0.2)
    assert list(labels.index) == ["A", "B"]
    assert labels["A"] == "High (0.001)" and labels["B"] == "Not significant"
    with pytest.raises(ValueError, match="less than or equal to denominator"):
        funnel_significance([11], [10])
    with pytest.raises(ValueError, match="greater than zero"):
        funnel_significance([1], [0])
    with pytest.raises(ValueError, match="greater than or equal to zero"):
        funnel_significance([-1], [10])


# --------------------------------------------------------------------------------- rates


def _bisection_tolerance(events: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """How far the reference's own numbers can be from the exact Poisson limit.

    PHEindicatormethods finds each limit by bisection on v = mu / (1 + e + mu), stopping
    once the step is below 1e-7, so its mu is off by up to about 1.2e-7 x dmu/dv =
    1.2e-7 x (1 + e + mu)^2 / (1 + e). Relative to mu that reaches 5e-5 for one event
    at 99.8%; elsewhere it is below 1e-6. Add 1e-6 for the CSV's rounding.
    """
    return 1.2e-7 * (1 + events + expected) ** 2 / (1 + events) / expected + 1e-6


def _check_rate_funnel(mine: pd.DataFrame, reference: pd.DataFrame, years: float) -> None:
    np.testing.assert_array_equal(mine["events"], reference["Events"])
    np.testing.assert_allclose(mine["target"], reference["baseline"], rtol=1e-6)
    target = reference["baseline"].iloc[0] / 1e5
    events = reference["Events"].to_numpy(float)
    for level, theirs in (("95", "2s"), ("99_8", "3s")):
        for side in ("lower", "upper"):
            population = reference[f"{side}_{theirs}_population_1_year"].to_numpy()
            expected_events = population * years * target
            tolerance = _bisection_tolerance(events, expected_events)
            relative = np.abs(mine[f"{side}_{level}_denominator"] / population - 1)
            assert np.all(relative <= tolerance), (side, level, float(np.max(relative / tolerance)))
            limit = reference[f"{side}_{theirs}_limit"].to_numpy()
            relative = np.abs(mine[f"{side}_{level}"] / limit - 1)
            assert np.all(relative <= tolerance), (side, level)


def test_reference_rate_funnel_dsr():
    inputs = _csv("testdata_funnel_rate_input_funnels.csv")
    mine = rate_funnel(inputs["ev"], rates=inputs["rate"], multiplier=1e5, years_of_data=3, rate_type="dsr")
    _check_rate_funnel(mine, _csv("testdata_funnel_rate_outputs.csv"), 3)


def test_reference_rate_funnel_crude_with_fewer_than_ten_events():
    inputs = _csv("testdata_funnel_rate_input_funnels.csv")
    events = inputs["ev"].where(inputs["ev"] != inputs["ev"].max(), 5)
    mine = rate_funnel(events, rates=inputs["rate"], multiplier=1e5, years_of_data=3, rate_type="crude")
    _check_rate_funnel(mine, _csv("testdata_funnel_rate_outputs_2.csv"), 3)


def test_reference_rate_funnel_crude_with_zero_events_and_denominators():
    inputs = _csv("testdata_funnel_rate_input_funnels.csv")
    data = inputs[["ev", "rate"]].astype(float)
    data["pop"] = 1e5 * data["ev"] / data["rate"]
    largest = data["ev"] == data["ev"].max()
    data.loc[largest, ["ev", "rate"]] = 0
    data = data[data["pop"] > data["pop"].max() / 2]
    mine = rate_funnel(data["ev"], data["pop"], rates=data["rate"], multiplier=1e5, years_of_data=3, rate_type="crude")
    _check_rate_funnel(mine, _csv("testdata_funnel_rate_outputs_3.csv"), 3)


@pytest.mark.parametrize(
    ("column", "rate_column", "rate_type", "multiplier", "drop_zero"),
    [
        ("dsr_per_100000_with_0", "rate_dsr", "dsr", 1e5, False),
        ("dsr_per_100000_without_0", "rate_dsr", "dsr", 1e5, True),
        ("dsr_per_100_with_0", "rate_dsr", "dsr", 100, False),
        ("dsr_per_100_without_0", "rate_dsr", "dsr", 100, True),
        ("crude_per_100000_with_0", "rate_crude_per_100000", "crude", 1e5, False),
        ("crude_per_100000_without_0", "rate_crude_per_100000", "crude", 1e5, True),
        ("crude_per_100_with_0", "rate_crude_per_100", "crude", 100, False),
        ("crude_per_100_without_0", "rate_crude_per_100", "crude", 100, True),
    ],
)
def test_reference_rate_significance(column, rate_column, rate_type, multiplier, drop_zero):
    data = _csv("testdata_funnel_rate_dsr_inputs.csv")
    if drop_zero:
        data = data[data["count"] != 0]
    labels = funnel_significance(data["count"], data["pop"], statistic="rate", rates=data[rate_column],
                                 rate_type=rate_type, multiplier=multiplier)
    assert list(labels) == list(data[column])


@pytest.mark.parametrize(
    ("rate_type", "years", "zero_event_row", "with_denominator", "rate_column", "denominator_column"),
    [
        ("dsr", 3, 5, False, "rate_chart", "denominator_derived"),
        ("crude", 3, None, False, "rate_chart_crude", "denominator_derived_crude"),
        ("crude", 5, 0, True, "rate_chart_crude_with_denom", "denominator_derived_crude_with_denom"),
    ],
)
def test_reference_rate_funnel_points(rate_type, years, zero_event_row, with_denominator, rate_column, denominator_column):
    inputs = _csv("testdata_funnel_rate_input_funnels.csv")
    events = inputs["ev"]
    if zero_event_row is not None:
        events = events.where(events != events.max(), zero_event_row)
    points = rate_funnel_points(events, inputs["rate"], inputs["pop"] if with_denominator else None,
                                rate_type=rate_type, years_of_data=years, multiplier=1e5)
    np.testing.assert_allclose(points["rate_chart"], inputs[rate_column], rtol=1e-6)
    np.testing.assert_allclose(points["denominator_per_year"], inputs[denominator_column], rtol=1e-6)


def test_rate_limits_by_hand():
    # One event sits on the lower 95% limit where the expected count is the exact upper limit
    # of 1 event, 5.571643 (testdata_Rate: 1 per 100 -> upper 5.571643): at a rate of 1 per
    # 1,000 that is a denominator of 5571.643, and the limit there is 1 / 5571.643 x 1000.
    limits = rate_funnel_limits([5571.643], 1.0, multiplier=1000).iloc[0]
    assert limits["lower_95"] == pytest.approx(1000 / 5571.643, rel=1e-6)
    # And where the expected count is 0.025318 (exact lower limit of 1 event), one event is on the upper limit.
    limits = rate_funnel_limits([25.318], 1.0, multiplier=1000).iloc[0]
    assert limits["upper_95"] == pytest.approx(1000 / 25.318, rel=1e-4)


def test_rate_significance_wrapper():
    labels = rate_funnel_significance([60, 30, 10], [3000, 3000, 3000], 100, multiplier=10000)
    # Expected at 100 per 10,000 of 3,000: 30 events. 60 events: Byar's 99.8% lower limit
    # 60 (1 - 1/540 - 3.090232/(3 sqrt 60))^3 = 38.86 > 30 -> High (0.001). 10 events: Byar's 99.8%
    # upper limit 24.19 (testdata_Byars_Wilson) < 30 -> Low (0.001).
    assert list(labels) == ["High (0.001)", "Not significant", "Low (0.001)"]


# -------------------------------------------------------------------------------- ratios


def test_reference_ratio_funnel():
    inputs = _csv("testdata_funnel_ratio_inputs.csv")
    reference = _csv("testdata_funnel_ratio_outputs.csv")
    for scale in ("count", "isr"):
        mine = ratio_funnel(inputs["obs"], inputs["expected"], scale=scale)
        np.testing.assert_array_equal(mine["observed"], reference["Observed_events"])
        observed = reference["Observed_events"].to_numpy(float)
        for level, theirs in (("95", "2s"), ("99_8", "3s")):
            for side in ("lower", "upper"):
                expected = reference[f"{side}_{theirs}_exp_events"].to_numpy()
                tolerance = _bisection_tolerance(observed, expected)
                assert np.all(np.abs(mine[f"{side}_{level}_expected"] / expected - 1) <= tolerance)
                # The limit is observed / expected (x 100, or minus 1): compare the ratio itself.
                ratio = observed / mine[f"{side}_{level}_expected"]
                ref_limit = reference[f"{side}_{theirs}_{scale}"].to_numpy()
                ref_ratio = ref_limit / 100 if scale == "isr" else ref_limit + 1
                assert np.all(np.abs(ratio / ref_ratio - 1) <= tolerance)
                mine_limit = mine[f"{side}_{level}"].to_numpy()
                np.testing.assert_allclose(mine_limit, ratio * 100 if scale == "isr" else ratio - 1, rtol=1e-12)


def test_reference_ratio_significance():
    inputs = _csv("testdata_funnel_ratio_inputs.csv")
    labels = funnel_significance(inputs["obs"], inputs["expected"], statistic="ratio")
    assert list(labels) == list(inputs["significance"])


# ------------------------------------------------------------------------ overdispersion


def test_overdispersion_by_hand():
    # Four units of 100 with shares 0.4, 0.5, 0.5, 0.6 around the pooled 0.5: se = sqrt(0.25/100) = 0.05,
    # z = -2, 0, 0, 2. Without winsorising phi = (4 + 0 + 0 + 4) / 4 = 2. Weights 1/se^2 = 400 each:
    # tau^2 = (4 x 2 - 3) / (1600 - 4 x 400^2 / 1600) = 5 / 1200.
    estimate = estimate_overdispersion([40, 50, 50, 60], [100] * 4, winsorise=0)
    assert estimate.phi == pytest.approx(2.0)
    assert estimate.tau2 == pytest.approx(5 / 1200)
    np.testing.assert_allclose(estimate.z_scores, [-2, 0, 0, 2])
    # 10% winsorising pulls the ends in to the 10th and 90th percentiles of (-2, 0, 0, 2),
    # -2 + 0.3 x 2 = -1.4 and 1.4: phi = (1.96 + 1.96) / 4 = 0.98; tau^2 = (4 x 0.98 - 3) / 1200 = 0.92 / 1200.
    estimate = estimate_overdispersion([40, 50, 50, 60], [100] * 4)
    assert estimate.phi == pytest.approx(0.98)
    assert estimate.tau2 == pytest.approx(0.92 / 1200)
    # Shares 0.45, 0.5, 0.5, 0.55: z = -1, 0, 0, 1, phi = 0.5; 4 x 0.5 < 3, so no between-unit variance.
    estimate = estimate_overdispersion([45, 50, 50, 55], [100] * 4, winsorise=0)
    assert estimate.phi == pytest.approx(0.5) and estimate.tau2 == 0 and not estimate.overdispersed


def test_overdispersed_limits_are_wider():
    plain = proportion_funnel_limits([100, 400], 0.5)
    multiplicative = proportion_funnel_limits([100, 400], 0.5, overdispersion="multiplicative", phi=4)
    # phi = 4 doubles the standard error: 0.5 + 1.959964 x 2 x 0.05 at n = 100.
    assert multiplicative["upper_95"].iloc[0] == pytest.approx(0.5 + 1.959964 * 0.1, abs=1e-6)
    additive = proportion_funnel_limits([100, 400], 0.5, overdispersion="additive", tau2=0.01)
    # sqrt(0.0025 + 0.01) = 0.111803
    assert additive["upper_95"].iloc[0] == pytest.approx(0.5 + 1.959964 * 0.111803, abs=1e-6)
    assert (additive["upper_95"] > plain["upper_95"]).all() and (multiplicative["lower_95"] < plain["lower_95"]).all()
    # Underdispersion never narrows the limits.
    narrow = proportion_funnel_limits([100], 0.5, overdispersion="multiplicative", phi=0.5)
    assert narrow["upper_95"].iloc[0] == pytest.approx(plain["upper_95"].iloc[0])


def test_overdispersion_changes_significance():
    # Shares spread far more than chance across 20 units of 1000.
    shares = np.linspace(0.1, 0.3, 20)
    numerators, denominators = shares * 1000, np.full(20, 1000.0)
    plain = funnel_significance(numerators, denominators)
    adjusted = funnel_significance(numerators, denominators, overdispersion="additive")
    assert (plain != "Not significant").sum() > (adjusted != "Not significant").sum()
    estimate = estimate_overdispersion(numerators, denominators)
    assert estimate.overdispersed and estimate.phi > 1


def test_overdispersed_proportion_funnel():
    shares = np.linspace(0.1, 0.3, 20)
    lines = proportion_funnel(shares * 1000, np.full(20, 1000.0), overdispersion="multiplicative")
    plain = proportion_funnel(shares * 1000, np.full(20, 1000.0))
    assert (lines["upper_95"] >= plain["upper_95"]).all()


def test_rate_overdispersion_uses_normal_approximation():
    limits = rate_funnel_limits([10000], 20, multiplier=10000, overdispersion="multiplicative", phi=1)
    # 0.002 +/- 1.959964 sqrt(0.002 / 10000), per 10,000: 20 +/- 8.765
    assert limits["upper_95"].iloc[0] == pytest.approx(20 + 1.959964 * np.sqrt(0.002 / 10000) * 10000, abs=1e-6)


# ---------------------------------------------------------------------------- properties


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0.01, max_value=0.99), st.lists(st.floats(min_value=1, max_value=1e6), min_size=2, max_size=30))
def test_proportion_limits_narrow_as_the_denominator_grows(target, denominators):
    limits = proportion_funnel_limits(sorted(denominators), target)
    for column in ("lower_95", "lower_99_8"):
        assert np.all(np.diff(limits[column]) >= -1e-12)
    for column in ("upper_95", "upper_99_8"):
        assert np.all(np.diff(limits[column]) <= 1e-12)
    assert np.all(limits["lower_99_8"] <= limits["lower_95"] + 1e-12)
    assert np.all(limits["upper_99_8"] >= limits["upper_95"] - 1e-12)


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0.01, max_value=0.99), st.floats(min_value=5, max_value=1e5))
def test_proportion_limit_is_the_share_whose_wilson_interval_touches_the_target(target, n):
    limits = proportion_funnel_limits([n], target).iloc[0]
    if 0 < limits["upper_95"] < 1:
        lower, _ = wilson(limits["upper_95"] * n, n)
        assert lower == pytest.approx(target, abs=1e-9)
    if 0 < limits["lower_95"] < 1:
        _, upper = wilson(limits["lower_95"] * n, n)
        assert upper == pytest.approx(target, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=1, max_value=500), st.lists(st.floats(min_value=10, max_value=1e5), min_size=2, max_size=8))
def test_rate_limits_narrow_as_the_denominator_grows(target, denominators):
    limits = rate_funnel_limits(sorted(denominators), target, multiplier=10000)
    assert np.all(np.diff(limits["lower_95"]) >= -1e-9)
    assert np.all(np.diff(limits["upper_95"]) <= 1e-9)
    assert np.all(limits["lower_95"] <= target) and np.all(limits["upper_95"] >= target)


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=1, max_value=1e5), st.floats(min_value=1e-4, max_value=0.05))
def test_rate_limits_are_exact_poisson_tails(denominator, rate):
    # At the lower 95% limit the events e satisfy P(X <= e | rate x n) = 0.025 (continuous e).
    limits = rate_funnel_limits([denominator], rate, multiplier=1).iloc[0]
    expected = rate * denominator
    upper_events = limits["upper_95"] * denominator
    assert special.gammainc(upper_events, expected) == pytest.approx(0.025, abs=1e-8)
    lower_events = limits["lower_95"] * denominator
    if lower_events > 0:
        assert special.gammaincc(lower_events + 1, expected) == pytest.approx(0.025, abs=1e-8)


# ------------------------------------------ overdispersed limits against the PHE cases and by hand


def _type7_quantile(values: np.ndarray, q: float) -> float:
    """R's default quantile (type 7), written out: x[h] + (h - floor(h)) (x[h + 1] - x[h]), h = (n - 1) q."""
    ordered = np.sort(values)
    h = (len(ordered) - 1) * q
    low = int(np.floor(h))
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (h - low) * (ordered[high] - ordered[low]))


@pytest.mark.parametrize("method, setting", [("additive", {"tau2": 0.0}), ("multiplicative", {"phi": 1.0})])
def test_overdispersed_limits_without_overdispersion_are_the_phe_reference_limits(method, setting):
    # With no spread beyond chance (tau^2 = 0, phi = 1) both widened funnels are PHE's published limits.
    inputs = _csv("testdata_funnel_prop_inputs.csv")
    expected = _csv("testdata_funnel_prop_outputs.csv")
    target = 100 * inputs["numerator"].sum() / inputs["denominator"].sum()
    limits = proportion_funnel_limits(expected["Population"], target, multiplier=100, overdispersion=method, **setting)
    for mine, theirs in zip(LIMITS, ["Lower2s0025limit", "Upper2s0025limit", "Lower3s0001limit", "Upper3s0001limit"]):
        np.testing.assert_allclose(limits[mine], expected[theirs], rtol=0, atol=1e-6, err_msg=mine)


def test_overdispersion_of_the_phe_proportion_inputs_by_hand():
    # Spiegelhalter (2005) on PHE's test areas, written out step by step: z-scores against the pooled share,
    # the 10% most extreme at each end pulled in to the 10th / 90th percentiles (R's quantile), phi = mean(z^2),
    # tau^2 = (N phi - (N - 1)) / (sum w - sum w^2 / sum w) with w = 1 / s^2.
    inputs = _csv("testdata_funnel_prop_inputs.csv")
    x, n = inputs["numerator"].to_numpy(float), inputs["denominator"].to_numpy(float)
    p = x.sum() / n.sum()
    s = np.sqrt(p * (1 - p) / n)
    z = (x / n - p) / s
    low, high = _type7_quantile(z, 0.1), _type7_quantile(z, 0.9)
    phi = np.mean(np.clip(z, low, high) ** 2)
    w = 1 / s**2
    tau2 = max(0.0, (len(z) * phi - (len(z) - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    estimate = estimate_overdispersion(x, n)
    assert estimate.n_units == len(x) and estimate.phi == pytest.approx(phi, rel=1e-12)
    assert estimate.tau2 == pytest.approx(tau2, rel=1e-12) and tau2 > 0
    # The limits along the axis: p +/- z sqrt(p (1 - p) / n + tau^2), and p +/- z sqrt(phi) s, within [0, 1].
    additive = proportion_funnel(x, n, overdispersion="additive")
    multiplicative = proportion_funnel(x, n, overdispersion="multiplicative")
    grid = additive["denominator"].to_numpy()
    np.testing.assert_allclose(additive["upper_95"],
                               np.clip(p + 1.959963984540054 * np.sqrt(p * (1 - p) / grid + tau2), 0, 1), rtol=1e-12)
    np.testing.assert_allclose(additive["lower_99_8"],
                               np.clip(p - 3.090232306167813 * np.sqrt(p * (1 - p) / grid + tau2), 0, 1), rtol=1e-12)
    np.testing.assert_allclose(multiplicative["upper_95"],
                               np.clip(p + 1.959963984540054 * np.sqrt(phi * p * (1 - p) / grid), 0, 1), rtol=1e-12)


def test_additive_between_unit_variance_is_dersimonian_laird_without_winsorising():
    # Without winsorising, Spiegelhalter's tau^2 around the pooled share is DerSimonian and Laird's
    # moment estimate with the chance variances p (1 - p) / n: statsmodels' meta-analysis agrees.
    from statsmodels.stats.meta_analysis import combine_effects

    inputs = _csv("testdata_funnel_prop_inputs.csv")
    x, n = inputs["numerator"].to_numpy(float), inputs["denominator"].to_numpy(float)
    p = x.sum() / n.sum()
    reference = combine_effects(x / n, p * (1 - p) / n, method_re="dl")
    assert estimate_overdispersion(x, n, winsorise=0).tau2 == pytest.approx(reference.tau2, rel=1e-10)
