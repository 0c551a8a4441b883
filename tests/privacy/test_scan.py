"""The book scanner itself: it must find each kind of leak in a deliberately leaky fake book,
and stay quiet on a clean one (a scanner that cannot fail proves nothing)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import pytest

from tests.privacy.scan import Secrets, first_leak, scan_book, secrets_of

SECRETS = dict(
    identifiers={"C004711": "children.child_id", "P002233": "parents.parent_id",
                 "C004711:R:2020-06-01:1": "referrals.referral_id", "L000042": "proceedings.proceedings_id"},
    dates_of_birth={"2020-05-17": "children.date_of_birth", "1994-11-03": "parents.date_of_birth",
                    "2021-04-01": "children.date_of_birth"},
    min_count=6,
    allowed_dates={"2021-04-01"},  # e.g. the start of the report period: it may appear
    built_on=(dt.date(2026, 1, 9), dt.date(2026, 1, 11)),
)

CLEAN_TABLE = """<table><thead><tr><th>Year</th><th>Children in proceedings</th><th>Infants as a share of all children</th>
<th>Median age at issue (days)</th><th>Rank</th></tr></thead><tbody>
<tr><td>2019/20</td><td>c</td><td>c</td><td>4</td><td>3</td></tr>
<tr><td>2020/21</td><td>12</td><td>33% (15% to 58%)</td><td>5</td><td>1</td></tr>
<tr><td>All years</td><td>0</td><td>not available</td><td>2</td><td>2</td></tr></tbody></table>
<table><thead><tr><th>Children</th><th>Days</th><th>Still waiting (%)</th><th>2020/21</th></tr></thead><tbody>
<tr><td>Other children</td><td>5</td><td>99.9</td><td>12</td></tr></tbody></table>"""
CLEAN_PROSE = ("c = fewer than 6 children. About 1 in 6 babies were heard the same day. 2 point(s) are not shown. "
               "Built on 2026-01-10; the period starts 2021-04-01. England 5,460 children (16%).")


def notebook(*outputs: dict) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "source": "x", "outputs": list(outputs)}],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def html_output(html: str) -> dict:
    return {"output_type": "display_data", "data": {"text/html": html, "text/plain": "table"}, "metadata": {}}


INDICATOR_HEADER = "indicator,period,group,numerator,denominator,value,lower,upper,unit,method,suppressed\n"
CLEAN_INDICATORS = INDICATOR_HEADER + (
    "proceedings_children,2019/20,,,,,,,count,m,true\n"
    "proceedings_children,2020/21,,12.0,,12.0,,,count,m,false\n"
    "infants_share,2020/21,,,12.0,,,,proportion,Wilson,true\n"
    "infants_share,all,,,40.0,,,,proportion,Wilson,true\n"
    "newborns_share_of_infants,all,,0.0,12.0,0.0,0.0,0.24,proportion,Wilson,false\n"
    "days_referral_to_assessment_median,all,pre-birth,,40.0,4.0,2.0,6.0,days,KM,false\n"
    "newborn_rate_trend_ratio,all,,,,1.05,0.9,1.2,ratio,Poisson,false\n")


def clean_book(root: Path) -> Path:
    """A fake build folder shaped like a real one, holding nothing that identifies anyone."""
    folder = root / "area"
    (folder / "html" / "notebooks").mkdir(parents=True)
    (folder / "html" / "_sources" / "notebooks").mkdir(parents=True)
    (folder / "html" / "downloads").mkdir(parents=True)
    (folder / "html" / "_static").mkdir(parents=True)
    (folder / "html" / "notebooks" / "01_x.html").write_text(f"<html><body><p>{CLEAN_PROSE}</p>{CLEAN_TABLE}</body></html>")
    (folder / "html" / "_sources" / "notebooks" / "01_x.ipynb").write_text(
        notebook(html_output(CLEAN_TABLE), {"output_type": "stream", "name": "stdout", "text": [CLEAN_PROSE]}))
    (folder / "html" / "downloads" / "01-by-year.csv").write_text(
        "Year,Children in proceedings,Newborns per 10,000 live births,Median (days)\n2019/20,c,c,4\n2020/21,12,3.1,2\n")
    (folder / "html" / "downloads" / "indicators.csv").write_text(CLEAN_INDICATORS)
    (folder / "indicators.csv").write_text(CLEAN_INDICATORS)
    (folder / "html" / "_static" / "theme.js").write_text("var built='2026-01-10'; // id P0022334 is not an id")
    (folder / "manifest.json").write_text(json.dumps({"built_at": "2026-01-10T09:00:00+00:00",
                                                      "parameters": {"period": {"start": "2021-04-01"}}}))
    # The build's working folders are not published: never scanned.
    (folder / ".work").mkdir()
    (folder / ".work" / "prepared.pkl").write_text("C004711 2020-05-17")
    return folder


@pytest.fixture
def book(tmp_path) -> Path:
    return clean_book(tmp_path)


@pytest.fixture
def secrets() -> Secrets:
    return Secrets(**SECRETS)


def test_clean_book_has_no_leak(book, secrets):
    assert list(scan_book(book, secrets)) == []


def _leak(book, secrets, path: str, text: str, mode: str = "w"):
    target = book / path
    target.parent.mkdir(parents=True, exist_ok=True)
    if mode == "a":
        text = target.read_text() + text
    target.write_text(text)
    leak = first_leak(book, secrets)
    assert leak is not None, f"the scanner missed a leak written into {path}"
    return leak


@pytest.mark.parametrize("path, text, kind, names", [
    # identifiers, in every kind of file
    ("manifest.json", '{"inputs": [{"file": "C004711.csv"}]}', "identifier", "'C004711' (children.child_id)"),
    ("html/notebooks/01_x.html", "<td>mother P002233</td>", "identifier", "P002233"),
    ("html/_sources/notebooks/01_x.ipynb", notebook(html_output("<p>L000042</p>")), "identifier", "L000042"),
    ("html/downloads/01-list.csv", "Referral\nC004711:R:2020-06-01:1\n", "identifier", "C004711"),
    ("html/searchindex.js", 'Search.setIndex({"terms": {"c004711": 1, "C004711": 2}})', "identifier", "C004711"),
    ("html/_static/x.png", "\x89PNG\x00\x00 C004711 \x00", "identifier", "C004711"),
    # dates of birth, in every format they could be written
    ("html/notebooks/01_x.html", "<p>born 2020-05-17</p>", "date of birth", "'2020-05-17' is a children.date_of_birth"),
    ("html/notebooks/01_x.html", "<p>born 17/05/2020</p>", "date of birth", "17/05/2020"),
    ("html/downloads/01-x.csv", "when\n3/11/1994\n", "date of birth", "parents.date_of_birth"),
    ("html/_sources/notebooks/01_x.ipynb", notebook(html_output("17 May 2020")), "date of birth", "17 May 2020"),
    ("indicators.csv", INDICATOR_HEADER + "x,all,3 Nov 1994,,,,,,count,,false\n", "date of birth", "3 Nov 1994"),
    # small counts: indicators (exact), downloads and page tables (by column or row), prose
    ("indicators.csv", INDICATOR_HEADER + "proceedings_children,2019/20,,3.0,,3.0,,,count,m,false\n", "small count",
     "numerator 3 is not suppressed"),
    ("html/downloads/indicators.csv", INDICATOR_HEADER + "infants_share,all,,10.0,12.0,0.83,,,proportion,W,false\n",
     "small count", "reveals the other 2"),
    ("indicators.csv", INDICATOR_HEADER + "days_x_median,all,,,4.0,12.0,,,days,KM,false\n", "small count",
     "denominator 4"),
    ("indicators.csv", INDICATOR_HEADER + "infants_share,all,,,,0.25,,,proportion,W,true\n", "small count",
     "marked suppressed but still shows value"),
    ("html/downloads/01-by-year.csv", "Year,Newborns (under 7 days)\n2019/20,2.0\n", "small count", "Newborns"),
    ("html/downloads/01-fathers.csv", "Measure,2019/20,2020/21\nFathers assessed,12,5\n", "small count", "5"),
    ("html/downloads/01-fathers.csv", "Measure,2020,Total\nNumber of mothers,12,4\n", "small count", "'Total'"),
    ("html/downloads/01-x.csv", "Year,Mothers\n2019/20,3 (25%)\n", "small count", "Mothers"),
    ("html/notebooks/01_x.html", "<table><tr><th>Year</th><th>Number of babies</th></tr><tr><td>2020/21</td><td>1</td></tr></table>",
     "small count", "Number of babies"),
    ("html/_sources/notebooks/01_x.ipynb", notebook({"output_type": "display_data", "metadata": {},
                                                      "data": {"text/markdown": "In 2020/21, 3 mothers had ..."}}),
     "small count", "3 mothers"),
    ("html/_sources/notebooks/01_x.ipynb", notebook(html_output("<p>2 of 40 babies were born early</p>")),
     "small count", "2 of 40 babies"),
    ("html/_sources/notebooks/01_x.ipynb",
     notebook(html_output('<img src="data:image/png;base64,AAAA" alt="A chart: 4 mothers in 2020/21"/>')),
     "small count", "4 mothers"),
    ("html/downloads/01-sources.csv", "File,What it holds\nCIN.xml,CIN census: 2 children\n", "small count",
     "2 children"),
    # child-level tables
    ("html/downloads/01-waits.csv", "date_of_birth,Days\nc,c\n", "child-level column", "date_of_birth"),
])
def test_each_kind_of_leak_is_found_and_named(book, secrets, path, text, kind, names):
    leak = _leak(book, secrets, path, text)
    assert leak.kind == kind, str(leak)
    assert names in str(leak), str(leak)
    assert path in leak.file


def test_embedded_csv_download_is_decoded_and_scanned(book, secrets):
    csv_text = base64.b64encode(b"Child,Born\nC004711,2020-05-17\n").decode()
    leak = _leak(book, secrets, "html/notebooks/01_x.html", f'<a href="data:text/csv;base64,{csv_text}">CSV</a>')
    assert leak.kind == "identifier" and "embedded data link" in leak.file


def test_embedded_images_are_not_read_as_text(book, secrets):
    png = base64.b64encode(b"C004711 2020-05-17").decode()
    (book / "html" / "notebooks" / "02_y.html").write_text(f'<img src="data:image/png;base64,{png}"/>')
    assert first_leak(book, secrets) is None


def test_allowed_dates_and_build_days_are_not_leaks(book, secrets):
    (book / "html" / "notebooks" / "02_y.html").write_text("<p>From 01/04/2021; built 10 January 2026.</p>")
    assert first_leak(book, secrets) is None


def test_the_site_index_beside_the_books_is_scanned(book, secrets):
    (book.parent / "index.html").write_text("<a href='area/html/index.html'>C004711</a>")
    leak = first_leak(book, secrets)
    assert leak is not None and leak.file == "../index.html"


def test_working_folders_and_old_books_are_not_scanned(book, secrets):
    (book / "html.old").mkdir()
    (book / "html.old" / "x.html").write_text("C004711")
    assert first_leak(book, secrets) is None


def test_a_theme_file_shipped_by_an_installed_package_may_hold_any_date(book, tmp_path, monkeypatch):
    import sys

    site = tmp_path / "site-packages"
    (site / "theme" / "static").mkdir(parents=True)
    content = "/* released 2020-05-17 */"
    (site / "theme" / "static" / "vendor.css").write_text(content)
    (book / "html" / "_static" / "vendor.css").write_text(content)
    secrets = Secrets(**SECRETS)
    assert first_leak(book, secrets) is not None  # not yet known as a vendor file
    monkeypatch.setattr(sys, "path", [*sys.path, str(site)])
    assert first_leak(book, secrets) is None
    (book / "html" / "_static" / "vendor.css").write_text(content + " ")  # changed by the book: scanned
    assert first_leak(book, secrets) is not None


def test_secrets_of_an_area(tmp_path):
    from tests.conftest import TINY, write_area

    yml = write_area(tmp_path, TINY, extra="events:\n  - {date: 2021-01-04, label: New team}\n")
    secrets = secrets_of(yml)
    assert secrets.identifiers["K1"] == "children.child_id"
    assert secrets.identifiers["M2"] == "children.mother_id"
    assert secrets.identifiers["P4"] == "proceedings.proceedings_id"
    assert secrets.dates_of_birth["2020-05-01"] == "children.date_of_birth"
    assert secrets.dates_of_birth["2001-02-02"] == "parents.date_of_birth"
    assert secrets.dates_of_birth["2020-05-03"] == "children.expected_date_of_birth"
    assert {"2020-04-01", "2022-03-31", "2021-01-04"} <= secrets.allowed_dates
    assert secrets.min_count == 6
    # The tiny area's ids are too short to search for reliably: the scan tests use distinctive ones.
    assert "K1" in secrets.ambiguous
