"""The demo book built end to end: every chapter, no traceback, nothing from the network,
indicators that agree with an independent recount of the raw files."""

import csv
import datetime as dt
import json
import re
from collections import defaultdict

import pandas as pd
import pytest
import yaml

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def toc_pages():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc["parts"]:
        files += [c["file"] for c in part["chapters"]]
    return files


def test_every_page_exists_without_error(demo_book):
    assert demo_book.result.exit_code == 0, demo_book.log
    for page in toc_pages():
        html = (demo_book.html / f"{page}.html").read_text(encoding="utf-8")
        assert "Traceback" not in html, page
        assert 'class="output traceback"' not in html and 'class="output stderr"' not in html, page
        assert "Synthetic data: every local and regional number in this book is made up" in html, page  # the banner


def test_no_page_loads_anything_from_the_network(demo_book):
    external = re.compile(r'<(script|link|img|iframe)[^>]+(src|href)="(https?:)?//', re.I)
    for path in demo_book.html.rglob("*.html"):
        match = external.search(path.read_text(encoding="utf-8"))
        assert match is None, f"{path.name} loads {match.group(0)}"


def test_injected_parameters_do_not_leak_paths(demo_book):
    for path in list(demo_book.html.rglob("*.html")) + list(demo_book.html.rglob("*.ipynb")):
        text = path.read_text(encoding="utf-8")
        assert str(ROOT) not in text and "prepared.pkl" not in text, path.name


def test_chapter_one_shows_its_figures_with_alt_text_and_downloads(demo_book):
    html = demo_book.page("01_infants_and_newborns")
    for caption in ("per 10,000 live births, by financial year", "every local authority in the benchmarks",
                    "statistical neighbours", "starting to be looked after"):
        assert caption in html, caption
    alts = re.findall(r'<img[^>]+alt="([^"]*)"', html)
    assert len(alts) >= 4 and all(len(a) > 40 for a in alts)
    links = re.findall(r'href="\.\./downloads/([^"]+\.csv)"', html)
    assert len(links) >= 4
    for name in links:
        assert (demo_book.html / "downloads" / name).is_file(), name


def recount_newborns(area_folder, newborn_days=7):
    """Independent recount from the raw CSVs with the csv module (not prebirth's code)."""
    births = {}
    with open(area_folder / "children.csv", newline="") as handle:
        dob = {r["child_id"]: r["date_of_birth"] for r in csv.DictReader(handle)}
    firsts = {}
    with open(area_folder / "proceedings.csv", newline="") as handle:
        for r in csv.DictReader(handle):
            issued = dt.date.fromisoformat(r["issue_date"])
            if not dt.date(2014, 4, 1) <= issued <= dt.date(2024, 3, 31):
                continue
            fy = issued.year if issued.month >= 4 else issued.year - 1
            key = (r["child_id"], fy)
            if key not in firsts or (issued, r["proceedings_id"]) < firsts[key]:
                firsts[key] = (issued, r["proceedings_id"])
    newborns = defaultdict(int)
    for (child, fy), (issued, _) in firsts.items():
        if dob.get(child) and (issued - dt.date.fromisoformat(dob[child])).days < newborn_days:
            newborns[fy] += 1
    with open(area_folder / "births.csv", newline="") as handle:
        births = {int(r["year"]): int(r["live_births"]) for r in csv.DictReader(handle)}
    return newborns, births


def test_indicators_agree_with_an_independent_recount(demo_book):
    indicators = pd.read_csv(demo_book.folder / "indicators.csv", dtype={"period": str})
    assert list(indicators.columns) == ["indicator", "period", "group", "numerator", "denominator", "value",
                                        "lower", "upper", "unit", "method", "suppressed"]
    for ident in ("proceedings_children", "infants_share", "newborns_share_of_infants", "newborn_rate_per_10k_births",
                  "infant_rate_per_10k_births", "newborn_rate_trend_ratio", "infant_starters_share"):
        assert ident in set(indicators.indicator), ident
    newborns, births = recount_newborns(ROOT / "data" / "demo" / "area")
    own = indicators[(indicators.indicator == "newborn_rate_per_10k_births") & indicators.group.isna()]
    checked = 0
    for fy in range(2014, 2024):
        row = own[own.period == f"{fy}/{(fy + 1) % 100:02d}"].iloc[0]
        if row.suppressed:
            assert 0 < newborns[fy] < 6
            continue
        assert row.numerator == newborns[fy]
        assert row.denominator == births[fy]
        assert row.value == pytest.approx(round(newborns[fy] / births[fy] * 10000, 2), abs=0.006)
        checked += 1
    assert checked >= 8


def test_published_indicators_hold_no_small_counts(demo_book):
    indicators = pd.read_csv(demo_book.folder / "indicators.csv")
    counts = indicators[indicators.unit.isin(["count", "proportion", "per 10,000 live births"])]
    small = counts[(counts.numerator > 0) & (counts.numerator < 6)]
    assert small.empty, small.head().to_string()
    shares = indicators[indicators.unit == "proportion"].dropna(subset=["value"])
    with_limits = shares.dropna(subset=["lower", "upper"])
    assert shares.value.between(0, 1).all()
    assert len(with_limits) > 20
    assert (with_limits.lower <= with_limits.value).all() and (with_limits.value <= with_limits.upper).all()


def test_no_child_id_reaches_the_book(demo_book):
    with open(ROOT / "data" / "demo" / "area" / "children.csv", newline="") as handle:
        ids = {r["child_id"] for r in csv.DictReader(handle)}
    token = re.compile(r"[A-Za-z0-9]+")
    for path in demo_book.folder.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".csv", ".json", ".ipynb", ".txt") and ".work" not in path.parts \
                and ".src" not in path.parts and ".render" not in path.parts:
            found = ids & set(token.findall(path.read_text(encoding="utf-8", errors="replace")))
            assert not found, f"{path.name} contains child id(s) {sorted(found)[:3]}"


def test_manifest_records_the_run(demo_book):
    manifest = json.loads((demo_book.folder / "manifest.json").read_text())
    assert manifest["area"]["code"] == "E99999001"
    assert {i["file"] for i in manifest["inputs"]} >= {"children.csv", "proceedings.csv"}
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert len(manifest["chapters"]) == 10 and not any(c["error"] for c in manifest["chapters"])


def test_a_rebuild_with_nothing_changed_reuses_every_chapter(demo_book):
    from tests.conftest import build_book

    again = build_book(demo_book.parameters, demo_book.folder.parent)
    assert again.result.exit_code == 0
    assert all(c.cached for c in again.result.chapters), again.log
    assert (again.html / "notebooks" / "01_infants_and_newborns.html").is_file()


def test_regional_model_rows_for_every_region(demo_book):
    indicators = pd.read_csv(demo_book.folder / "indicators.csv", dtype={"period": str})
    regional = indicators[indicators.indicator == "regional_infant_starters_share"]
    regions = {"North East", "North West", "Yorkshire and The Humber", "East Midlands", "West Midlands",
               "East of England", "London", "South East", "South West"}
    assert set(regional.group) == regions
    assert set(regional.period) >= {"all", "2014/15", "2023/24"}
    overall = regional[regional.period == "all"]
    assert len(overall) == 9 and (overall.lower < overall.value).all() and (overall.value < overall.upper).all()
    html = demo_book.page("01_infants_and_newborns")
    assert "by region" in html and "Whether regional trends differ is tested first" in html
    assert "The between-region share of it is" in html and "95% interval" in html
