"""Chapters 2 (recurrent proceedings), 4 (waiting times) and 5 (urgent hearings) in the built demo
and sparse books: the indicators in indicators.csv, figures with alt text and downloads, numbers
glued into the prose, and the "not yet" paths of the sparse area (only children and proceedings)."""

import re

import pandas as pd
import pytest

pytestmark = pytest.mark.slow

PAGES = {2: "02_recurrent_proceedings", 4: "04_waiting_times", 5: "05_urgent_hearings"}
# indicator -> groups it is published for ("" = no group)
INDICATORS = {
    2: {"newborns_subsequent_share": [""], "prebirth_assessments_previous_proceedings_share": [""],
        "months_previous_to_referral_median": [""]},
    4: {"days_referral_to_assessment_median": ["pre-birth", "other"],
        "days_assessment_to_authorisation_median": ["pre-birth", "other"],
        # support is a share offered within 28 and 90 days (many referrals are never offered support)
        "referral_to_support_within_28_days_share": ["pre-birth", "other"],
        "referral_to_support_within_90_days_share": ["pre-birth", "other"],
        "gestation_weeks_at_referral_median": [""], "referred_by_20_weeks_share": [""]},
    # For all children, the whole period's first hearings (1,066 on the demo) are withheld: chapter 1
    # publishes the children in proceedings, and the difference is the handful with no hearing yet
    # (see test_the_all_children_hearings_are_withheld_to_protect_the_few_with_none below).
    5: {"hearing_same_day_share": ["newborns"], "hearing_emergency_share": ["newborns"],
        "hearing_within_7_days_share": ["newborns"]},
}


def read_indicators(book) -> pd.DataFrame:
    frame = pd.read_csv(book.folder / "indicators.csv", keep_default_na=False, na_values=[""], dtype={"period": str})
    frame["group"] = frame["group"].fillna("")
    frame["suppressed"] = frame["suppressed"].astype(str).str.lower().eq("true")
    return frame


@pytest.fixture(scope="module")
def demo_indicators(demo_book):
    return read_indicators(demo_book)


@pytest.fixture(scope="module")
def sparse_indicators(sparse_book):
    return read_indicators(sparse_book)


@pytest.mark.parametrize("chapter", [2, 4, 5])
def test_demo_publishes_each_indicator_for_the_whole_period(demo_indicators, chapter):
    for name, groups in INDICATORS[chapter].items():
        for group in groups:
            rows = demo_indicators[(demo_indicators.indicator == name) & (demo_indicators.period == "all")
                                   & (demo_indicators.group == group)]
            assert len(rows) == 1, (name, group)
            row = rows.iloc[0]
            assert not row.suppressed and pd.notna(row.value), (name, group)
            if row.unit == "proportion":
                assert 0 <= row.lower <= row.value <= row.upper <= 1, (name, group)
            else:
                assert row.unit in ("days", "weeks", "months") and row.denominator >= 6, (name, group)
        yearly = demo_indicators[(demo_indicators.indicator == name) & (demo_indicators.period != "all")]
        assert set(yearly.period) <= {f"{y}/{(y + 1) % 100:02d}" for y in range(2014, 2024)}, name


def test_the_all_children_hearings_are_withheld_to_protect_the_few_with_none(demo_indicators):
    # children in proceedings over the whole period (chapter 1) minus those with a first hearing (chapter 5)
    # would be the few whose hearing is not in the records: one of the two counts must be withheld
    children = demo_indicators[(demo_indicators.indicator == "proceedings_children")
                               & (demo_indicators.period == "all")].iloc[0]
    hearings = demo_indicators[(demo_indicators.indicator == "hearing_within_7_days_share")
                               & (demo_indicators.period == "all") & (demo_indicators.group == "all children")].iloc[0]
    published = [v for v in (children.numerator, hearings.denominator) if pd.notna(v)]
    assert len(published) < 2 or not 1 <= published[0] - published[1] <= 5


def test_demo_indicators_are_plausible(demo_indicators):
    def value(name, group=""):
        return demo_indicators[(demo_indicators.indicator == name) & (demo_indicators.period == "all")
                               & (demo_indicators.group == group)].iloc[0].value
    # the demo is calibrated to the published figures: about half the newborns are subsequent infants,
    # most newborns' first hearings are within seven days, and same-day hearings are within them.
    assert 0.3 < value("newborns_subsequent_share") < 0.7
    assert value("hearing_same_day_share", "newborns") <= value("hearing_emergency_share", "newborns") \
        <= value("hearing_within_7_days_share", "newborns")
    assert value("hearing_within_7_days_share", "newborns") > 0.7
    assert 0 < value("days_referral_to_assessment_median", "pre-birth") < 60
    assert 4 < value("gestation_weeks_at_referral_median") < 40


def test_suppressed_rows_carry_no_numbers(demo_indicators, sparse_indicators):
    names = [n for chapter in INDICATORS.values() for n in chapter]
    for frame in (demo_indicators, sparse_indicators):
        ours = frame[frame.indicator.isin(names)]
        hidden = ours[ours.suppressed]
        assert hidden[["numerator", "value", "lower", "upper"]].isna().all().all()
        shown = ours[~ours.suppressed & (ours.unit == "proportion")]
        assert not ((shown.numerator > 0) & (shown.numerator < 6)).any()
        assert not ((shown.denominator - shown.numerator > 0) & (shown.denominator - shown.numerator < 6)).any()


@pytest.mark.parametrize("chapter, figures", [(2, 2), (4, 3), (5, 2)])
def test_demo_pages_show_figures_with_alt_text_and_downloads(demo_book, chapter, figures):
    html = demo_book.page(PAGES[chapter])
    assert "answer this yet" not in html  # the demo has every table these chapters read
    assert 'class="output stderr"' not in html and "Traceback" not in html
    alts = re.findall(r'<img[^>]+alt="([^"]*)"', html)
    assert all(len(a) > 60 for a in alts)
    # a chart whose figures are mostly withheld is not drawn: a sentence and its data stand in its place
    assert len(alts) + html.count('class="prebirth-notdrawn"') >= figures
    links = re.findall(r'href="\.\./downloads/([^"]+\.csv)"', html)
    assert len(links) >= figures + 2
    for name in links:
        assert (demo_book.html / "downloads" / name).is_file(), name
    glance = html.split("At a glance", 1)[1].split("</ul>", 1)[0]
    assert "not available" not in glance  # every number glued into the prose was available
    for heading in ("Why it matters", "What your data shows", "How you compare", "Questions to reflect on",
                    "What the data cannot tell you", "For facilitators"):
        assert heading in html, heading
    assert "Still to come" not in html


def test_demo_pages_quote_the_national_figures(demo_book):
    assert "47%" in demo_book.page(PAGES[2])
    hearings = demo_book.page(PAGES[5])
    for figure in ("86.3%", "74.8%", "41%", "9%"):
        assert figure in hearings, figure
    assert "63%" in demo_book.page(PAGES[4])


def test_sparse_waiting_times_say_what_to_record(sparse_book, sparse_indicators):
    html = sparse_book.page(PAGES[4])
    assert "answer this yet" in html
    assert "referrals table" in html and "assessments table" in html
    assert not sparse_indicators.indicator.isin(list(INDICATORS[4])).any()


def test_sparse_recurrence_counts_subsequent_infants_but_not_assessments(sparse_book, sparse_indicators):
    html = sparse_book.page(PAGES[2])
    assert "answer this yet" in html  # pre-birth assessments and referrals are missing
    assert "assessments table" in html and "referrals table" in html
    assert "Newborns in care proceedings whose mother had earlier proceedings" in html  # still shown
    rows = sparse_indicators[(sparse_indicators.indicator == "newborns_subsequent_share")
                             & (sparse_indicators.period == "all")]
    assert len(rows) == 1
    assert not sparse_indicators.indicator.isin(["prebirth_assessments_previous_proceedings_share",
                                                 "months_previous_to_referral_median"]).any()


def test_sparse_urgent_hearings_compute_from_proceedings_alone(sparse_book, sparse_indicators):
    # The sparse area's proceedings carry first-hearing dates, so this chapter answers in full.
    html = sparse_book.page(PAGES[5])
    assert "answer this yet" not in html
    rows = sparse_indicators[(sparse_indicators.indicator == "hearing_within_7_days_share")
                             & (sparse_indicators.period == "all")]
    assert set(rows.group) == {"newborns", "all children"}


def test_chapter_two_opens_with_its_main_points_and_answers_issue_16(demo_book):
    html = demo_book.page(PAGES[2])
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    main = text.split("Main points", 1)[1].split("Why it matters", 1)[0]
    assert "in England the figure was 47%" in main  # the demo area is in England (Broadhurst et al. 2018)
    assert "other areas" in main.split("one in five", 1)[1][:200]  # never one in five without the caveat
    for heading in ("Do babies assessed before birth come to court?", "Support between proceedings"):
        assert heading in html, heading
    assert "Support after separation for mothers whose child was removed" in html
