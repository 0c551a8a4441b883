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


def test_region_interval_is_wilson_on_the_effective_denominator():
    # Two areas, 10/100 and 30/100, pooled 40/200 = 0.2. Pearson: (10 - 20)^2 / 16 + (30 - 20)^2 / 16 = 12.5
    # on 2 - 1 = 1 df, so phi = 12.5 and the interval is Wilson for 40/12.5 out of 200/12.5 = 3.2 of 16.
    frame = _frame([("A", "North East", "2019/20", 10, 100), ("B", "North East", "2019/20", 30, 100)])
    row = regional_model(frame).region_estimates.query("period == 'all' and region_name == 'North East'").iloc[0]
    lower, upper = wilson(3.2, 16)
    assert row["share"] == pytest.approx(0.2)
    assert row["dispersion"] == pytest.approx(12.5)
    assert row["lower"] == pytest.approx(lower) and row["upper"] == pytest.approx(upper)


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
