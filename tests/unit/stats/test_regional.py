"""Regional variation model on small hand-made frames: exclusions, errors, trends, variance split, positions."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from prebirth.data.problems import DataError
from prebirth.stats.intervals import wilson
from prebirth.stats.regional import REGIONS, canonical_region, regional_model


def _frame(rows):
    return pd.DataFrame(rows, columns=["area_code", "region_name", "period", "numerator", "denominator"])


def test_region_names_as_published():
    assert canonical_region("Yorkshire and the Humber") == "Yorkshire and The Humber"
    assert canonical_region("YORKSHIRE AND THE HUMBER") == "Yorkshire and The Humber"
    assert canonical_region("Inner London") == "London"
    assert canonical_region("Outer London") == "London"
    assert canonical_region("East") == "East of England"
    assert canonical_region("north-east") == "North East"
    assert canonical_region("Wales") is None and canonical_region(None) is None
    assert len(REGIONS) == 9


def test_suppressed_rows_are_left_out_and_counted_never_zero():
    frame = _frame([
        ("A", "North East", "2019/20", 20, 100),
        ("B", "North East", "2019/20", np.nan, 100),  # suppressed
        ("C", "North East", "2019/20", "c", "50"),  # a published marker as text
        ("D", "North East", "2019/20", 30, 100),
        ("E", "North East", "2019/20", 0, 0),  # no starters at all
    ])
    model = regional_model(frame)
    assert model.excluded_suppressed == 2 and model.excluded_zero_denominator == 1 and model.rows_used == 2
    row = model.region_estimates.query("region_name == 'North East' and period == 'all'").iloc[0]
    assert row["numerator"] == 50 and row["denominator"] == 200  # B and C are absent, not zeros
    assert any("not read as 0" in m for m in model.messages)


def test_region_interval_is_clustered_by_authority_by_hand():
    # Two areas, 10/100 and 30/100, pooled 40/200 = 0.2. Scores x - n p: -10 and +10; information
    # N p (1 - p) = 32. Sandwich on the logit scale: (100 + 100) / 32^2 x 2 / (2 - 1) = 0.390625, se 0.625;
    # design effect 0.390625 x 32 = 12.5. Interval: logit(0.2) +/- t(1) 0.625, back to shares.
    frame = _frame([("A", "North East", "2019/20", 10, 100), ("B", "North East", "2019/20", 30, 100)])
    row = regional_model(frame).region_estimates.query("period == 'all' and region_name == 'North East'").iloc[0]
    t1 = 12.706204736174698  # t(1) 97.5% point
    logit = math.log(0.2 / 0.8)
    assert row["share"] == pytest.approx(0.2)
    assert row["dispersion"] == pytest.approx(12.5)
    assert row["lower"] == pytest.approx(1 / (1 + math.exp(-(logit - t1 * 0.625))), rel=1e-9)
    assert row["upper"] == pytest.approx(1 / (1 + math.exp(-(logit + t1 * 0.625))), rel=1e-9)


def test_region_intervals_match_statsmodels_clustered_glm():
    # Each region's share and interval from a binomial GLM of its own authority-year rows, with the
    # covariance clustered by authority (statsmodels' cov_type="cluster") and t(G - 1) quantiles.
    import statsmodels.api as sm
    from scipy import stats

    rng = np.random.default_rng(7)
    rows = []
    for r, region in enumerate(REGIONS[:3]):
        for a in range(4 + 3 * r):
            level = rng.normal(-1.5 + 0.2 * r, 0.4)
            for year in range(2017, 2022):
                n = int(rng.integers(20, 300))
                rows.append((f"{r}-{a}", region, f"{year}/{(year + 1) % 100:02d}",
                             int(rng.binomial(n, 1 / (1 + math.exp(-level)))), n))
    frame = _frame(rows)
    estimates = regional_model(frame).region_estimates.set_index(["region_name", "period"])
    for region in REGIONS[:3]:
        for period in ["all", "2019/20"]:
            part = frame[(frame.region_name == region) & ((frame.period == period) if period != "all" else True)]
            counts = np.column_stack([part.numerator, part.denominator - part.numerator])
            fit = sm.GLM(counts, np.ones((len(part), 1)), family=sm.families.Binomial()).fit(
                cov_type="cluster", cov_kwds={"groups": pd.factorize(part.area_code)[0]})
            groups = part.area_code.nunique()
            t = stats.t.ppf(0.975, groups - 1)
            low, high = fit.params[0] - t * fit.bse[0], fit.params[0] + t * fit.bse[0]
            row = estimates.loc[(region, period)]
            assert row["share"] == pytest.approx(1 / (1 + math.exp(-fit.params[0])), rel=1e-9)
            assert row["lower"] == pytest.approx(1 / (1 + math.exp(-low)), rel=1e-7)
            assert row["upper"] == pytest.approx(1 / (1 + math.exp(-high)), rel=1e-7)


def test_z_marks_an_authority_that_did_not_exist_apart_from_c_withheld():
    frame = _frame([
        ("A", "North East", "2019/20", 20, 100),
        ("B", "North East", "2019/20", "c", 100),  # withheld to protect small numbers
        ("C", "North East", "2019/20", "z", "z"),  # not applicable: the authority did not exist
        ("D", "North East", "2019/20", np.nan, np.nan),
        ("E", "North East", "2019/20", 30, 100),
    ])
    frame["not_applicable"] = [False, False, False, True, False]  # a reader's flag for a z already read
    model = regional_model(frame)
    assert model.excluded_suppressed == 1 and model.excluded_not_applicable == 2 and model.rows_used == 2
    assert any("did not exist" in m for m in model.messages)


def test_data_mistakes_are_reported_with_file_row_and_column():
    frame = _frame([
        ("A", "Narnia", "2019/20", 10, 100),
        ("B", "London", "2019/20", 120, 100),
        ("C", "London", "2019/20", "lots", 100),
    ])
    frame["_file"] = "benchmarks.csv"
    frame["_row"] = [2, 3, 4]
    with pytest.raises(DataError) as caught:
        regional_model(frame)
    problems = caught.value.errors
    assert {(p.row, p.column) for p in problems} == {(2, "region_name"), (3, "numerator"), (4, "numerator")}
    assert all(p.file == "benchmarks.csv" and p.fix for p in problems)
    with pytest.raises(DataError, match="missing"):
        regional_model(frame.drop(columns="denominator"))


def _exact_panel(slopes: dict[str, float], areas_per_region: int = 4, years=range(2014, 2024), seed: int = 7):
    """Expected counts (not random draws) from logit p = alpha[area] + log(OR[region]) (year - 2018.5)."""
    rng = np.random.default_rng(seed)
    rows = []
    for region, odds_ratio in slopes.items():
        for k in range(areas_per_region):
            alpha = rng.normal(-1.4, 0.4)
            for year in years:
                n = float(rng.integers(40, 400))
                p = 1 / (1 + math.exp(-(alpha + math.log(odds_ratio) * (year - 2018.5))))
                rows.append((f"{region[:3]}{k}", region, f"{year}/{(year + 1) % 100:02d}", n * p, n))
    return _frame(rows)


def test_region_trends_recovered_within_authorities():
    slopes = {"North East": 1.10, "London": 0.95, "South West": 1.0}
    model = regional_model(_exact_panel(slopes))
    trends = model.region_trends.set_index("region_name")
    for region, odds_ratio in slopes.items():
        assert trends.loc[region, "odds_ratio"] == pytest.approx(odds_ratio, rel=1e-7)
        assert trends.loc[region, "lower"] < odds_ratio < trends.loc[region, "upper"]
    assert "England" in trends.index and "West Midlands" not in trends.index


def test_common_trend_for_england():
    model = regional_model(_exact_panel({"North West": 0.97, "South East": 0.97, "London": 0.97}))
    england = model.region_trends.set_index("region_name").loc["England"]
    assert england["odds_ratio"] == pytest.approx(0.97, rel=1e-7)
    assert model.trend_heterogeneity_p_value == pytest.approx(1.0, abs=1e-6)  # the same slope everywhere


def test_trend_unaffected_by_an_area_missing_some_years():
    frame = _exact_panel({"North East": 1.10, "London": 0.95})
    # Suppress the first five years of one area: a within-area trend must not move.
    hole = (frame["area_code"] == "Nor0") & frame["period"].str[:4].astype(int).lt(2019)
    frame.loc[hole, "numerator"] = np.nan
    model = regional_model(frame)
    trend = model.region_trends.set_index("region_name").loc["North East", "odds_ratio"]
    assert trend == pytest.approx(1.10, rel=1e-7)
    assert model.excluded_suppressed == 5


def test_variation_all_between_regions():
    # Every area in a region has the same share; regions differ: nothing varies within regions.
    rows = []
    for region, x in (("North East", 30), ("London", 12), ("South East", 18), ("North West", 25)):
        rows += [(f"{region}{k}", region, "2020/21", x, 100) for k in range(5)]
    variation = regional_model(_frame(rows)).variation
    assert variation["within_region_variance"] == 0
    assert variation["between_region_share"] == pytest.approx(1.0)


def test_variation_all_within_regions():
    # Every region holds the same mix of areas: the regional means are equal.
    mix = [(10, 100), (20, 100), (30, 100), (40, 100)]
    rows = []
    for region in ("North East", "London", "South East"):
        rows += [(f"{region}{k}", region, "2020/21", x, n) for k, (x, n) in enumerate(mix)]
    variation = regional_model(_frame(rows)).variation
    assert variation["between_region_variance"] == 0
    assert variation["within_region_variance"] > 0
    assert variation["between_region_share"] == 0


def test_where_an_area_sits_in_its_region():
    frame = _frame([
        ("A", "North West", "2019/20", 30, 100), ("A", "North West", "2020/21", 34, 100),
        ("B", "North West", "2019/20", 20, 100), ("B", "North West", "2020/21", 20, 100),
        ("C", "North West", "2019/20", 10, 100), ("C", "North West", "2020/21", 12, 100),
        ("D", "London", "2019/20", 10, 100), ("D", "London", "2020/21", 10, 100),
    ])
    model = regional_model(frame)
    position = model.position("B")
    assert position["rank"] == 2 and position["n_areas"] == 3
    assert position["share"] == pytest.approx(40 / 200)
    assert position["region_share"] == pytest.approx(126 / 600)
    assert model.position("A", "2020/21")["rank"] == 1
    missing = model.position("Z")
    assert math.isnan(missing["share"]) and "no published" in missing["message"]
    positions = model.area_positions()
    assert set(positions["compared_with_region"]) <= {
        "High (0.001)", "High (0.025)", "Low (0.001)", "Low (0.025)", "Not significant"}


def test_estimates_per_period_and_overall():
    frame = _exact_panel({"North East": 1.1, "London": 0.95}, years=range(2019, 2022))
    estimates = regional_model(frame).region_estimates
    assert list(estimates.query("region_name == 'North East'")["period"]) == ["all", "2019/20", "2020/21", "2021/22"]
    assert list(estimates["region_name"].unique()) == ["North East", "London", "England"]
    per_period = estimates.query("period != 'all' and region_name != 'England'")
    overall = estimates.query("period == 'all' and region_name != 'England'").set_index("region_name")
    for region, rows in per_period.groupby("region_name"):
        assert rows["numerator"].sum() == pytest.approx(overall.loc[region, "numerator"])
    assert (estimates["lower"] <= estimates["share"]).all() and (estimates["share"] <= estimates["upper"]).all()


def _noisy_panel(seed: int = 11, regions=REGIONS[:3], years=range(2015, 2021)):
    """Binomial draws with real differences between authorities and year-to-year noise within them."""
    rng = np.random.default_rng(seed)
    rows = []
    for r, region in enumerate(regions):
        slope = [0.06, -0.04, 0.0][r % 3]
        for a in range(5 + 2 * r):
            alpha = rng.normal(-1.5, 0.4)
            for year in years:
                n = int(rng.integers(30, 400))
                eta = alpha + slope * (year - 2017.5) + rng.normal(0, 0.25)
                rows.append((f"{r}-{a}", region, f"{year}/{(year + 1) % 100:02d}",
                             int(rng.binomial(n, 1 / (1 + math.exp(-eta)))), n))
    return _frame(rows)


def test_region_trend_intervals_match_statsmodels_clustered_glm():
    # The region slopes from a binomial GLM with an intercept for every authority and a slope for every
    # region (statsmodels), covariance clustered by authority; each slope's variance times G / (G - 1)
    # for the region's G authorities, t(G - 1) quantiles. England: one common slope the same way.
    import statsmodels.api as sm
    from scipy import stats

    frame = _noisy_panel()
    model = regional_model(frame)
    trends = model.region_trends.set_index("region_name")
    years = frame.period.str[:4].astype(float)
    time = (years - years.mean()).to_numpy()
    areas = pd.get_dummies(frame.area_code).to_numpy(float)
    regions = list(REGIONS[:3])
    counts = np.column_stack([frame.numerator, frame.denominator - frame.numerator])
    groups = pd.factorize(frame.area_code)[0]

    def clustered_fit(design):
        return sm.GLM(counts, design, family=sm.families.Binomial()).fit(
            cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False})

    fit = clustered_fit(np.column_stack([areas] + [time * (frame.region_name == r).to_numpy() for r in regions]))
    for j, region in enumerate(regions):
        beta = fit.params[areas.shape[1] + j]
        g = frame.loc[frame.region_name == region, "area_code"].nunique()
        se = math.sqrt(fit.cov_params()[areas.shape[1] + j, areas.shape[1] + j] * g / (g - 1))
        t = stats.t.ppf(0.975, g - 1)
        row = trends.loc[region]
        assert row["odds_ratio"] == pytest.approx(math.exp(beta), rel=1e-7)
        assert row["lower"] == pytest.approx(math.exp(beta - t * se), rel=1e-6)
        assert row["upper"] == pytest.approx(math.exp(beta + t * se), rel=1e-6)
        assert row["p_value"] == pytest.approx(2 * stats.t.sf(abs(beta) / se, g - 1), rel=1e-5)
    common = clustered_fit(np.column_stack([areas, time]))
    g = frame.area_code.nunique()
    se = math.sqrt(common.cov_params()[-1, -1] * g / (g - 1))
    t = stats.t.ppf(0.975, g - 1)
    assert trends.loc["England", "lower"] == pytest.approx(math.exp(common.params[-1] - t * se), rel=1e-6)


def _two_level(rng, between: float, within: float, regions: int = 9):
    """Counts from the two-level model: logit p = -1.6 + region effect + authority effect."""
    rows = []
    effects = rng.normal(0, math.sqrt(between), regions)
    for r in range(regions):
        for a in range(int(rng.integers(6, 30))):
            n = int(rng.integers(150, 2500))
            p = 1 / (1 + math.exp(-(-1.6 + effects[r] + rng.normal(0, math.sqrt(within)))))
            rows.append((f"{r}-{a}", REGIONS[r], "2020/21", int(rng.binomial(n, p)), n))
    return _frame(rows)


def test_between_region_share_interval_covers_the_truth_in_simulation():
    # Reference: the known share of data simulated from a two-level model (between 0.04, within 0.04 on
    # the logit scale: true share 0.5), 9 regions. The bootstrap interval should cover it most of the time
    # (about 90% in longer runs; percentile bootstrap intervals run a little short) and be wide.
    from prebirth.stats.regional import _variance_components

    rng = np.random.default_rng(2024)
    covered, widths = 0, []
    runs = 40
    for _ in range(runs):
        data = _two_level(rng, 0.04, 0.04)
        data["numerator"], data["denominator"] = data["numerator"].astype(float), data["denominator"].astype(float)
        v = _variance_components(data, draws=299)
        assert v["between_region_share_lower"] <= v["between_region_share"] <= v["between_region_share_upper"]
        covered += v["between_region_share_lower"] <= 0.5 <= v["between_region_share_upper"]
        widths.append(v["between_region_share_upper"] - v["between_region_share_lower"])
    assert covered / runs >= 0.8
    assert np.mean(widths) > 0.3  # with nine regions the share is known only roughly


def test_variation_reports_both_variances_with_intervals_and_a_fixed_seed():
    frame = _two_level(np.random.default_rng(5), 0.05, 0.03)
    first, again = regional_model(frame).variation, regional_model(frame).variation
    assert first == again  # the same seed, the same interval
    for name in ("between_region_share", "between_region_variance", "within_region_variance"):
        assert first[f"{name}_lower"] <= first[name] <= first[f"{name}_upper"]
    assert first["bootstrap_draws"] == 999 and "parametric bootstrap" in first["method"]


def test_comparison_with_the_region_allows_for_the_spread_of_its_authorities_by_hand():
    # Five authorities of 400 around a region share of 0.2: 60, 70, 80, 90, 100 (shares 0.15 ... 0.25).
    # By hand: s = sqrt(0.2 x 0.8 / 400) = 0.02, z = -2.5, -1.25, 0, 1.25, 2.5; 10% winsorised (R's quantile:
    # 10th percentile -2.5 + 0.4 x 1.25 = -2, 90th 2): phi = (4 + 1.5625 + 0 + 1.5625 + 4) / 5 = 2.225;
    # w = 2500 each: tau^2 = (5 x 2.225 - 4) / (12500 - 2500) = 0.0007125. Limits 0.2 +/- 1.959964 x
    # sqrt(0.0004 + 0.0007125) = 0.2 +/- 0.06537: 0.25 is inside (not flagged); by chance alone
    # (0.2 +/- 0.0392) 0.15 and 0.25 would be flagged Low / High (0.025).
    rows = [(code, "North East", "2019/20", x, 400) for code, x in zip("ABCDE", (60, 70, 80, 90, 100))]
    model = regional_model(_frame(rows))
    adjusted = model.area_positions().set_index("area_code")["compared_with_region"]
    chance = model.area_positions(overdispersion=None).set_index("area_code")["compared_with_region"]
    assert 0.05 < 1.959964 * math.sqrt(0.0004 + 0.0007125) < 0.0655
    assert (adjusted == "Not significant").all()
    assert chance["A"] == "Low (0.025)" and chance["E"] == "High (0.025)" and chance["C"] == "Not significant"
    # Twice as far out (0.1 and 0.3 with the same middle), E stands out even allowing for the spread.
    rows = [(code, "North East", "2019/20", x, 400) for code, x in zip("ABCDEFGHIJ", (70, 75, 78, 80, 80, 80, 82, 85, 90, 160))]
    flags = regional_model(_frame(rows)).area_positions().set_index("area_code")["compared_with_region"]
    assert flags["J"].startswith("High")
