"""The demo area built as a Welsh authority (``country: Wales``, the same data): every page uses Wales's
published figures as the national comparison where they exist, says where none does, and never calls
England's figure the national one (England may be named as England)."""

import html as html_lib
import re

import pytest
import yaml

from tests.conftest import build_book, demo_parameters

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def welsh_book(tmp_path_factory):
    source = demo_parameters()
    params = yaml.safe_load(source.read_text(encoding="utf-8"))
    params["country"] = "Wales"
    for name in ("data", "benchmarks"):  # the same files, wherever the copy lives
        params[name] = str((source.parent / params[name]).resolve())
    folder = tmp_path_factory.mktemp("wales")
    parameters = folder / "demo_wales.yml"
    parameters.write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    return build_book(parameters, folder / "_build")


def words(page_html: str) -> str:
    """A page's visible words, one space between them (scripts, styles and tags left out)."""
    text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page_html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    text = html_lib.unescape(text).replace("\u2019", "'")
    return re.sub(r"\s+", " ", text)


def test_the_welsh_book_builds(welsh_book):
    assert welsh_book.result.exit_code == 0, welsh_book.log


def test_chapter_one_uses_wales_rate_and_says_where_wales_has_no_figure(welsh_book):
    page = words(welsh_book.page("01_infants_and_newborns"))
    # Pattinson et al. 2021: Wales 68.3 newborns per 10,000 live births in 2019/20 (DESIGN 10)
    assert "against Wales's 68.3 in 2019/20" in page
    assert "Wales's published rate was 68.3 per 10,000 in 2019/20" in page
    # Wales's share of infants (Alrouh et al. 2019) counts babies under two weeks: not set beside a 7-day figure
    assert ("Wales has no published figure for newborns as a share of babies under one in proceedings with "
            "newborns defined as under 7 days old") in page
    assert "there is no published figure for Wales for 2023/24" in page
    assert "DfE publishes these figures for England only: there is no Welsh figure to set beside it" in page
    assert "against 42% in England" not in page  # England's share is not this area's national comparison


def test_chapter_two_uses_wales_49_per_cent_with_its_definition(welsh_book):
    page = words(welsh_book.page("02_recurrent_proceedings"))
    # Alrouh et al. 2019: 49% subsequent infants, 2016 to 2018, babies under two weeks old
    assert ("in Wales the figure was 49% (2016 to 2018, counting babies under two weeks old, a different "
            "definition from this book's under 7 days)") in page


def test_chapter_five_uses_wales_within_7_days_and_says_it_has_no_same_day_figure(welsh_book):
    page = words(welsh_book.page("05_urgent_hearings"))
    assert "Wales 2019/20: 74.8% within 7 days (England 86.3%)" in page
    assert "Wales has no published figure for same-day hearings" in page


def test_chapter_six_calls_the_1000_mothers_figures_the_national_comparison(welsh_book):
    page = words(welsh_book.page("06_the_parents"))
    assert "These are Wales's own figures: the national comparison for this area." in page
    assert "no such figure is published for Wales" not in page


def test_no_page_calls_england_the_national_figure_for_wales(welsh_book):
    pages = sorted(welsh_book.html.rglob("*.html"))
    assert len(pages) > 10
    for path in pages:
        for sentence in re.split(r"(?<=[.;:!?])\s+", words(path.read_text(encoding="utf-8"))):
            if re.search(r"\bnational(ly)?\b", sentence, re.I) and re.search(r"\bEngland\b", sentence):
                # England named beside Wales (e.g. "England or Wales") is named as England, not as national
                assert "Wales" in sentence, f"{path.name}: {sentence}"
