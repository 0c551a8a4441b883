"""A whole book built from the returns as analysts hold them: the real SSDA903 CSVs and CIN
census XML in the data folder, the real DfE file and statistical-neighbours workbook as
benchmarks. The third-party files are linked from ../shared, never copied into the project."""

import csv
import textwrap

import pandas as pd
import pytest

from tests.conftest import build_book, third_party

pytestmark = pytest.mark.slow

# One authority's returns: the other CIN samples are for LA 201, and a book refuses to mix authorities.
RETURNS = [("d2i-903", "header.csv"), ("d2i-903", "episodes.csv"), ("d2i-cin", "fake_CIN_data.xml")]
BENCHMARKS = [("dfe-ees", "la_cla_who_started_to_be_looked_after_2018_2022.csv"), ("dfe-lait", "sn_may_2025.xlsx")]


@pytest.fixture(scope="module")
def returns_book(tmp_path_factory):
    folder = tmp_path_factory.mktemp("returns")
    for sub, files in (("data", RETURNS), ("bench", BENCHMARKS)):
        (folder / sub).mkdir()
        for parts in files:
            (folder / sub / parts[-1]).symlink_to(third_party(*parts))
    yml = folder / "returns.yml"
    yml.write_text(textwrap.dedent("""\
        area_code: E99000975
        area_name: Returns Test Area
        region: North West
        data: data/
        benchmarks: bench/
        period: {start: 2017-04-01, end: 2022-03-31}
        """))
    return build_book(yml, folder / "_build")


def test_book_builds_from_the_returns(returns_book):
    assert returns_book.result.exit_code == 0, returns_book.log
    for page in ("00_about_your_data", "01_infants_and_newborns", "09_about_this_report"):
        assert "Traceback" not in returns_book.page(page)


def test_data_chapter_names_each_return_and_what_it_cannot_provide(returns_book):
    html = returns_book.page("00_about_your_data")
    assert "CIN census 2021/22 (LA 975): 332 children" in html
    assert "SSDA903 2018/19 episodes" in html
    assert "no mother or father link" in html  # recurrence is not answerable from the CIN census alone
    # the sample's referrals dated years ahead are warned about, not fatal: a return is read as it is
    assert "in the future" in html


def test_england_comparator_rows_are_the_published_numbers(returns_book):
    path = third_party("dfe-ees", "la_cla_who_started_to_be_looked_after_2018_2022.csv")
    published = {}
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            if row["geographic_level"] == "National" and row["cla_group"] == "Age group":
                published[(row["time_period"], row["characteristic"])] = float(row["number"])
    indicators = pd.read_csv(returns_book.folder / "indicators.csv", dtype={"period": str})
    england = indicators[(indicators.indicator == "infant_starters_share") & (indicators.group == "England")]
    assert len(england) == 5
    for _, row in england.iterrows():
        year = str(int(row.period[:4]) + 1)  # time_period 2022 = the year ending 31 March 2022 = 2021/22
        assert row.numerator == published[(year, "Under 1 year")]
        assert row.denominator == published[(year, "Total")]
    own = indicators[(indicators.indicator == "infant_starters_share") & indicators.group.isna()]
    assert set(own.period) >= {"2018/19", "all"}  # the area's own share, from the 903 episodes


def test_every_page_of_a_published_book_says_what_it_is_and_when_it_was_built(returns_book):
    import datetime
    today = datetime.date.today()
    days = {f"{d:%-d %B %Y}" for d in (today, today - datetime.timedelta(days=1))}  # built just before midnight
    pages = [*returns_book.html.glob("notebooks/*.html"), *returns_book.html.glob("pages/*.html")]
    assert len(pages) >= 12  # ten chapters and the pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "Published book: the Pre-birth Data Book for Returns Test Area" in text, page.name
        assert any(f"Built on {day}." in text for day in days), page.name
        assert "prebirth-mark--published" in text, page.name
