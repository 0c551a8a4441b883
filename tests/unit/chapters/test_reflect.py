"""Chapter 8 (Reflect and plan) on hand-made tables and hand-made results of the other chapters."""

import html

import pandas as pd
import pytest

from prebirth import disclosure, present
from prebirth.chapters import reflect
from prebirth.results import ChapterResult, Count, Measure, Notice, Plain, Text, key
from tests.unit.chapters.conftest import make_chapter

INTERNAL = disclosure.Decision()


def words(table, decision=INTERNAL) -> pd.DataFrame:
    """A result table as its page shows it (every cell in words)."""
    return present.table_parts(table, decision)["frame"]

CHILDREN = [{"child_id": "K1", "date_of_birth": "2020-05-01"}]


def rag_row(date, sid, stage, level, rating, text=None, owner="Head of Service"):
    return {"round_date": date, "statement_id": sid, "stage": stage, "level": level,
            "statement": text or f"Statement {sid}.", "rating": rating, "evidence": f"Evidence for {sid}",
            "owner": owner, "next_review": "2024-04-01"}


def chapter(rag=None, tmp_path=None, **parameters):
    tables = {"children": CHILDREN}
    if rag is not None:
        tables["rag"] = rag
    return make_chapter(tables, number=8, key="reflect_and_plan", tmp_path=tmp_path, **parameters)


# -- the starter statements and the area's own ----------------------------------------

def test_starter_statements_cover_every_stage_and_level_with_unique_ids():
    ids = [s.statement_id for s in reflect.STARTER_STATEMENTS]
    assert len(ids) == len(set(ids)) == 18
    cells = {(s.stage, s.level) for s in reflect.STARTER_STATEMENTS}
    assert cells == {(stage, level) for stage in reflect.STAGES for level in reflect.LEVELS}


def test_the_starter_set_never_claims_to_be_the_official_tool():
    text = " ".join(s.text for s in reflect.STARTER_STATEMENTS).lower()
    assert "pre-birth change project" not in text and "official" not in text


@pytest.mark.parametrize("label, stage", [
    ("Pre-birth", "Pre-birth"), ("pre birth", "Pre-birth"), ("PREBIRTH", "Pre-birth"),
    ("Maternity setting and first hearing", "Maternity setting and first hearing"),
    ("maternity", "Maternity setting and first hearing"), ("After Discharge", "After discharge"),
    ("post-discharge", "After discharge"), ("Leaving care", "Leaving care"),
])
def test_stage_labels_are_read_whatever_their_case_and_spacing(label, stage):
    assert reflect.normalise_stage(label) == stage


@pytest.mark.parametrize("label, level", [("Strategic", "Strategic"), ("strategy", "Strategic"),
                                          ("practice", "Practice"), ("Practitioner", "Practice"),
                                          ("Operational", "Operational")])
def test_level_labels(label, level):
    assert reflect.normalise_level(label) == level


def test_no_rag_table_gives_the_starter_set_unrated_in_stage_order():
    ch = chapter()
    used = reflect.statements_in_use(ch)
    assert list(used["statement_id"]) == [f"S{i:02d}" for i in range(1, 19)]  # already in stage, level order
    assert set(used["origin"]) == {"starter"}
    assert "No self-assessment ratings were supplied yet" in reflect.rag_intro(ch).body
    notice = reflect.rag_heatmap(ch)
    assert isinstance(notice, Notice) and notice.kind == "notyet"


def test_an_area_table_with_none_of_the_starter_ids_replaces_the_starter_set():
    ch = chapter([rag_row("2023-10-01", "X1", "after discharge", "practice", "G"),
                  rag_row("2023-10-01", "X2", "pre-birth", "strategic", "R")])
    used = reflect.statements_in_use(ch)
    assert list(used["statement_id"]) == ["X2", "X1"]  # pre-birth before after discharge
    assert "replace the book's starter set" in reflect.rag_intro(ch).body


def test_an_area_table_using_starter_ids_rates_them_and_adds_its_own():
    ch = chapter([rag_row("2023-10-01", "S01", "Pre-birth", "Strategic", "A", text="Our own wording of S01."),
                  rag_row("2023-10-01", "X9", "After discharge", "Practice", "G", text="A statement of our own.")])
    used = reflect.statements_in_use(ch).set_index("statement_id")
    assert len(used) == 19  # 18 starter statements + 1 of the area's own
    assert used.loc["S01", "statement"] == "Our own wording of S01."
    assert used.loc["S01", "origin"] == "own" and used.loc["X9", "origin"] == "own"
    assert used.loc["S02", "origin"] == "starter"
    intro = reflect.rag_intro(ch).body
    assert "rates 1 of the book's starter statements and 1 statement of your own" in intro
    assert "The 17 starter statements your table does not use are listed as not rated" in intro


# -- heat map, rounds and change ----------------------------------------------------------

@pytest.fixture
def two_rounds():
    # Own ids only (the area's set replaces the starter set). Latest round, 1 Oct 2023:
    #   Pre-birth / Strategic: P1 R, P2 A, P3 G   -> scores 0, 1, 2, mean 1.0 -> Amber; R1 A1 G1
    #   Pre-birth / Practice:  P4 G, P5 G, P6 blank -> mean 2.0 -> Green; 1 not rated
    #   After discharge / Strategic: P7 R, P8 A  -> mean 0.5, rounded half up -> 1 -> Amber
    # Round before, 1 Oct 2022: P1 A (worse now), P2 A (same), P3 A (better), P4 R (better),
    #   P5 G (same), P7 R (same); P8 first rated in 2023 (newly rated); P6 G then blank now.
    rows = [rag_row("2022-10-01", "P1", "Pre-birth", "Strategic", "A"),
            rag_row("2022-10-01", "P2", "Pre-birth", "Strategic", "A"),
            rag_row("2022-10-01", "P3", "Pre-birth", "Strategic", "A"),
            rag_row("2022-10-01", "P4", "Pre-birth", "Practice", "R"),
            rag_row("2022-10-01", "P5", "Pre-birth", "Practice", "G"),
            rag_row("2022-10-01", "P6", "Pre-birth", "Practice", "G"),
            rag_row("2022-10-01", "P7", "After discharge", "Strategic", "R"),
            rag_row("2023-10-01", "P1", "Pre-birth", "Strategic", "R", owner="Principal Social Worker"),
            rag_row("2023-10-01", "P2", "Pre-birth", "Strategic", "A"),
            rag_row("2023-10-01", "P3", "Pre-birth", "Strategic", "G"),
            rag_row("2023-10-01", "P4", "Pre-birth", "Practice", "G"),
            rag_row("2023-10-01", "P5", "Pre-birth", "Practice", "G"),
            rag_row("2023-10-01", "P6", "Pre-birth", "Practice", None),
            rag_row("2023-10-01", "P7", "After discharge", "Strategic", "R"),
            rag_row("2023-10-01", "P8", "After discharge", "Strategic", "A")]
    return rows


def test_heatmap_counts_ratings_and_never_averages_them(two_rounds):
    ch = chapter(two_rounds)
    data = reflect.heatmap_data(ch).set_index(["Stage", "Level"])
    cell = data.loc[("Pre-birth", "Strategic")]
    assert (cell.Red, cell.Amber, cell.Green, cell["Not rated"]) == (1, 1, 1, 0)
    cell = data.loc[("Pre-birth", "Practice")]
    assert (cell.Red, cell.Amber, cell.Green, cell["Not rated"]) == (0, 0, 2, 1)
    cell = data.loc[("After discharge", "Strategic")]
    assert (cell.Red, cell.Amber, cell.Green) == (1, 1, 0)  # one red stays one red: no 'amber on average'
    assert ("After discharge", "Practice") in data.index  # an empty cell is still shown
    assert data.loc[("After discharge", "Practice"), "Statements"] == 0
    assert not any("verage" in column for column in data.columns)


def test_heatmap_figure_says_every_cell_in_words(two_rounds):
    figure = reflect.rag_heatmap(chapter(two_rounds))
    assert figure.caption.startswith("Self-assessment ratings in October 2023")
    alt = present.chart_parts(figure, INTERNAL)["alt"]
    assert "Pre-birth, strategic: 1 red, 1 amber, 1 green;" in alt
    assert "Pre-birth, practice: 0 red, 0 amber, 2 green, 1 not rated" in alt and "average" not in alt
    assert list(figure.data.columns[:2]) == ["Stage", "Level"]


def test_rounds_chart_counts_each_round(two_rounds):
    figure = reflect.rag_rounds_chart(chapter(two_rounds))
    data = figure.data.set_index("Round")
    # 8 statements in use. 2022: R P4 P7 = 2, A P1 P2 P3 = 3, G P5 P6 = 2, not rated P8 = 1.
    assert tuple(data.loc["October 2022", ["Red", "Amber", "Green", "Not rated"]]) == (2, 3, 2, 1)
    # 2023: R P1 P7 = 2, A P2 P8 = 2, G P3 P4 P5 = 3, not rated P6 = 1.
    assert tuple(data.loc["October 2023", ["Red", "Amber", "Green", "Not rated"]]) == (2, 2, 3, 1)


@pytest.mark.parametrize("before, after, change", [
    ("A", "G", "Better"), ("R", "A", "Better"), ("G", "R", "Worse"), ("R", "R", "No change"),
    ("", "A", "Newly rated"), ("A", "", "Not rated this round"),
])
def test_change_between_rounds(before, after, change):
    assert reflect.change_between_rounds(before, after) == change


def test_change_table_lists_the_statements_that_changed(two_rounds):
    table = reflect.rag_change_table(chapter(two_rounds))
    frame = words(table)
    frame = frame.set_index(frame["Statement"].str[10:12])
    assert dict(frame["Change"]) == {"P1": "Worse", "P3": "Better", "P4": "Better", "P6": "Not rated this round",
                                     "P8": "Newly rated"}
    assert frame.loc["P1", "October 2022"] == "Amber" and frame.loc["P1", "October 2023"] == "Red"
    assert "2 statements rated better and 1 worse" in table.note
    assert "3 unchanged statements are left out" in table.note  # P2, P5, P7


def test_one_round_says_the_change_comes_later():
    notice = reflect.rag_change_table(chapter([rag_row("2023-10-01", "P1", "Pre-birth", "Practice", "G")]))
    assert "Only one round" in notice.body and "October 2023" in notice.body


def test_priorities_are_the_latest_red_and_amber_statements_red_first(two_rounds):
    table = words(reflect.rag_priorities(chapter(two_rounds)))
    assert list(table["Rating"]) == ["Red", "Red", "Amber", "Amber"]  # P1, P7, then P2, P8
    assert list(table["Statement"]) == ["Statement P1.", "Statement P7.", "Statement P2.", "Statement P8."]
    assert table["Owner"].iloc[0] == "Principal Social Worker"
    assert table["Next review"].iloc[0] == "April 2024"


def test_worksheet_downloads_in_the_rag_table_format(tmp_path):
    table = reflect.rag_worksheet(chapter())
    present.show_table(table, INTERNAL, 8, tmp_path)
    assert len(table.frame) == 18
    sheet = pd.read_csv(tmp_path / "08-rag-worksheet.csv", dtype=str)
    assert list(sheet.columns) == ["round_date", "statement_id", "stage", "level", "statement", "rating", "evidence",
                                   "owner", "next_review"]
    assert sheet["statement_id"].tolist()[:2] == ["S01", "S02"]


# -- text from the inputs --------------------------------------------------------------------

def test_statements_evidence_and_owners_are_escaped_on_the_page_and_neutralised_in_the_download(tmp_path):
    ch = chapter([rag_row("2023-10-01", "S01", "Pre-birth", "Strategic", "R", text="<b>Bold</b> *claim*",
                          owner="=HYPERLINK(\"http://x\")")])
    shown = present.show_table(reflect.rag_priorities(ch), INTERNAL, 8, tmp_path)
    assert "&lt;b&gt;Bold&lt;/b&gt; *claim*" in shown.html and "<b>Bold" not in shown.html
    download = (tmp_path / "08-rag-priorities.csv").read_text()
    assert "'=HYPERLINK" in download
    worksheet = present.show_table(reflect.rag_worksheet(ch), INTERNAL, 8, tmp_path)
    assert "<b>Bold" not in worksheet.html
    assert "<b>Bold</b> *claim*" in (tmp_path / "08-rag-worksheet.csv").read_text()  # a formula-free cell, as written
    questions = present.text(reflect.discussion_questions(ch, None).body[0], INTERNAL)
    assert "\\*claim\\*" in questions and "<b>" not in questions  # escaped markdown


# -- what the other chapters published ---------------------------------------------------

def share(name, period, value, lower, upper, n=60):
    """A proportion resting on a count (values chosen by hand, as the chapter published them)."""
    return Measure(value, on=(Count(key("test", name, period), n),), lower=lower, upper=upper, unit="proportion",
                   digits=0)


def upstream():
    """Hand-made results of chapters 0, 1, 2 and 4 (3, 5, 6 and 7 have none: not converted, or failed)."""
    zero = ChapterResult(0, "about_your_data", status={"recurrence": "not yet", "urgent": "can answer"})
    zero.finding("5 of 8 questions can be answered.")
    one = ChapterResult(1, "infants_and_newborns")
    rate = Measure(44.4, on=(Count(key("proceedings", "newborns", "all"), 120),))
    one.finding("Newborns: {rate} per 10,000 live births.", "newborn_rate_per_10k_births", rate=rate)
    one.finding("Babies under one were {s} of children in proceedings.", "infants_share",
                s=share("infants", "all", 0.28, 0.2, 0.3))
    one.indicator("infants_share", "2019/20", share("infants", "2019/20", 0.2, 0.15, 0.26))
    one.indicator("infants_share", "2020/21", share("infants", "2020/21", 0.3, 0.25, 0.36))
    one.indicator("infants_share", "all", share("infants", "all", 0.25, 0.21, 0.29))
    one.indicator("infants_share", "2020/21", Measure(0.31, unit="proportion"), group="England",
                  method="published benchmark (DfE)")
    one.indicator("newborn_rate_per_10k_births", "2020/21", Measure(40.0), group="E06000009",
                  unit="per 10,000 live births")
    one.indicator("newborn_rate_per_10k_births", "2020/21",
                  Measure(45.0, on=(Count(key("proceedings", "newborns", "2020/21"), 13),), lower=35.0, upper=56.0),
                  unit="per 10,000 live births")
    one.indicator("regional_infant_starters_share", "all", Measure(0.2, unit="proportion"), group="North West")
    one.indicator("newborn_rate_trend_ratio", "all",
                  Measure(1.055, on=(Count(key("proceedings", "newborns", "all"), 120),), lower=1.0, upper=1.12,
                          digits=2), unit="rate ratio per year")
    two = ChapterResult(2, "recurrent_proceedings")  # computed, found nothing: its question cannot be answered yet
    four = ChapterResult(4, "waiting_times")
    four.indicator("days_referral_to_assessment_median", "all",
                   Measure(12.5, on=(Count(key("waits", "pre-birth"), 40),), lower=10, upper=15), group="pre-birth",
                   unit="days")
    # the median of 3 waits: withheld by the book's decision
    four.indicator("days_referral_to_assessment_median", "all",
                   Measure(30.0, on=(Count(key("waits", "other"), 3),), lower=20, upper=40), group="other",
                   unit="days")
    nine = ChapterResult(9, "about_this_report")  # computed after chapter 8: never collected
    nine.finding("not collected")
    return {0: zero, 1: one, 2: two, 4: four, 9: nine}


def book(ch, results):
    """Chapter 8's result and the decision a published book makes over every result together."""
    r = reflect.compute(ch.prepared, results)
    decision = disclosure.decide([*results.values(), r], True, 6)
    return r, decision.restricted_to(r)


def test_findings_table_collects_every_chapter_in_order():
    r, decision = book(chapter(), upstream())
    frame = words(r.items["findings"], decision)
    assert frame["Chapter"].tolist()[:4] == ["0. About your data"] + ["1. Infants and newborns in care proceedings"] * 2 \
        + ["2. Recurrent proceedings"]
    assert frame["Key finding"].iloc[1] == "Newborns: 44.4 per 10,000 live births."
    assert frame["Key finding"].iloc[2] == "Babies under one were 28% of children in proceedings."
    assert frame["Measure"].iloc[2] == "Babies under one as a share of children in proceedings"
    assert frame["Key finding"].iloc[3].startswith("No key finding: the data cannot answer this question yet")
    chapter3 = frame[frame["Chapter"].str.startswith("3.")]
    assert chapter3["Key finding"].tolist() == ["This chapter's findings are in its own page."]
    assert len(frame) == 3 + 6  # three findings; chapters 2-7 one row each
    assert "not collected" not in " ".join(frame["Key finding"])
    assert present.glued(r, decision)["ch8_findings"] == "3 key findings"


def test_findings_are_the_chapters_own_texts_withheld_by_the_books_one_decision():
    results = upstream()
    small = Count(key("proceedings", "newborns", "2021/22"), 4)
    results[1].finding("In 2021/22, {n} newborns.", "proceedings_children", n=small)
    results[1].finding("In 2021/22, {n} newborns again.", otherwise="Too few newborns in 2021/22 to say.", n=small)
    r, decision = book(chapter(), results)
    said = words(r.items["findings"], decision)["Key finding"].tolist()
    assert said[3] == reflect.WITHHELD_FINDING and said[4] == "Too few newborns in 2021/22 to say."
    assert not any("4 newborns" in s for s in said)
    # the finding with nothing else to say is not counted; the one that says its otherwise is
    assert present.glued(r, decision)["ch8_findings"] == "4 key findings"
    found = r.items["findings"].frame["Key finding"].tolist()
    assert found[3].figures["n"] is small  # the chapter's own cell, not a number copied out
    internal = disclosure.decide([*results.values(), r], False, 6)
    assert words(r.items["findings"], internal)["Key finding"].iloc[3] == "In 2021/22, 4 newborns."
    assert present.glued(r, internal)["ch8_findings"] == "5 key findings"


def test_findings_when_the_notebook_runs_on_its_own():
    r = reflect.compute(chapter().prepared, {})
    assert isinstance(r.items["findings"], Notice) and "prebirth build" in r.items["findings"].body
    assert "prebirth build" in r.items["baseline"].body
    assert r.glue["ch8_findings"].startswith("key findings (listed when")


def test_baseline_keeps_the_area_and_its_groups_and_leaves_comparators_out():
    r, decision = book(chapter(), upstream())
    table = r.items["baseline"]
    frame = words(table, decision)
    frame.index = pd.MultiIndex.from_arrays([table.download_frame["Indicator id"], frame["Group"]])
    assert set(frame.index) == {("infants_share", ""), ("newborn_rate_per_10k_births", ""),
                                ("newborn_rate_trend_ratio", ""), ("days_referral_to_assessment_median", "pre-birth"),
                                ("days_referral_to_assessment_median", "other")}
    row = frame.loc[("infants_share", "")]
    latest, whole = "Value in the latest year", "Whole period"
    assert (row["Latest year"], row[latest], row[f"{latest}: 95% interval"], row[whole],
            row[f"{whole}: 95% interval"]) == ("2020/21", "30%", "25% to 36%", "25%", "21% to 29%")
    trend = frame.loc[("newborn_rate_trend_ratio", "")]
    assert (trend[whole], trend[f"{whole}: 95% interval"]) == ("1.06", "1.00 to 1.12")  # 1.055 half up
    rate = frame.loc[("newborn_rate_per_10k_births", "")]
    assert (rate[latest], rate[f"{latest}: 95% interval"]) == ("45.0", "35.0 to 56.0")
    wait = frame.loc[("days_referral_to_assessment_median", "pre-birth")]
    assert (wait[whole], wait[f"{whole}: 95% interval"]) == ("13 days", "10 to 15")
    withheld = frame.loc[("days_referral_to_assessment_median", "other")]
    assert (withheld[whole], withheld[f"{whole}: 95% interval"]) == ("c", "c")
    assert present.glued(r, decision)["ch8_measures"] == "5 measures"
    # the cells are the chapters' own: an internal book shows the median of 3 waits
    internal = disclosure.Decision()
    shown = words(table, internal).set_index("Group")
    other = shown.loc["other"]
    assert (other["Whole period"], other["Whole period: 95% interval"]) == ("30 days", "20 to 40")


@pytest.mark.parametrize("unit, value, lower, upper, suppressed, text", [
    ("proportion", 0.125, None, None, False, "13%"),            # 12.5% half up
    ("proportion", 0.2, 0.15, 0.26, False, "20% (15% to 26%)"),
    ("count", 7.0, None, None, False, "7"),
    ("count", 1234.0, None, None, False, "1,234"),
    ("per 10,000 live births", 44.45, 37.2, 52.6, False, "44.5 (37.2 to 52.6)"),
    ("weeks", 14.5, None, None, False, "15 weeks"),
    ("proportion", None, None, None, True, "c"),
    ("proportion", None, None, None, False, "not available"),
])
def test_format_value(unit, value, lower, upper, suppressed, text):
    assert reflect.format_value(unit, value, lower, upper, suppressed) == text


@pytest.mark.parametrize("unit, value, lower, upper, text", [
    ("proportion", 0.125, None, None, "13%"),
    ("proportion", 0.2, 0.15, 0.26, "20% (15% to 26%)"),
    ("per 10,000 live births", 44.45, 37.2, 52.6, "44.5 (37.2 to 52.6)"),
    ("weeks", 14.5, None, None, "15 weeks"),
    ("rate ratio per year", 1.055, 1.0, 1.12, "1.06 (1.00 to 1.12)"),
])
def test_this_books_values_read_as_the_earlier_books(unit, value, lower, upper, text):
    cell = Measure(value, on=(Count("n", 50),), lower=lower, upper=upper, digits=3)
    assert present.text(reflect.value_text(cell, unit), INTERNAL) == text == reflect.format_value(unit, value, lower,
                                                                                                   upper)
    assert present.text(reflect.value_text(Count("n", 1234), "count"), INTERNAL) == "1,234"


# -- the change since an earlier build ---------------------------------------------------

PREVIOUS = """indicator,period,group,numerator,denominator,value,lower,upper,unit,method,suppressed
infants_share,2018/19,,40,200,0.2,0.15,0.26,proportion,Wilson,false
infants_share,2019/20,,44,200,0.22,0.17,0.28,proportion,Wilson,false
newborn_rate_per_10k_births,2019/20,,12,3000,40,30,50,"per 10,000 live births",exact,false
newborn_rate_trend_ratio,all,,,,1.01,0.95,1.07,rate ratio per year,poisson,false
days_referral_to_assessment_median,all,pre-birth,,,20,18,25,days,KM,false
days_referral_to_assessment_median,all,other,,,30,25,35,days,KM,false
"""


def change_words(ch, results=None):
    results = results or upstream()
    r, decision = book(ch, results)
    if not ch.params.published:
        decision = disclosure.Decision()
    return words(r.items["change"], decision).set_index(["Measure", "Group"])


def test_change_compares_latest_years_and_says_whether_outside_the_earlier_interval(tmp_path):
    path = tmp_path / "previous.csv"
    path.write_text(PREVIOUS)
    frame = change_words(chapter(previous_indicators=path))
    share = frame.loc[("Babies under one as a share of children in proceedings", "")]
    # now 2020/21 30% against 2019/20 22% (17% to 28%): 30% lies above 28%.
    assert share["Before"] == "2019/20: 22% (17% to 28%)" and share["Now"] == "2020/21: 30% (25% to 36%)"
    assert share["Change"] == "+8 percentage points"
    assert share["Outside the earlier interval?"].startswith("Outside")
    rate = frame.loc[("Newborns in proceedings per 10,000 live births", "")]
    # 45 against 40 (30 to 50): inside.
    assert rate["Change"] == "+5.0" and rate["Outside the earlier interval?"].startswith("Inside")
    trend = frame.loc[("Yearly change in the newborn rate (rate ratio)", "")]
    # shown as 1.06 (1.055 half up) against 1.01: the change agrees with the numbers shown, +0.05
    assert trend["Before"].startswith("whole period: 1.01") and trend["Change"] == "+0.05"
    wait = frame.loc[("Days from referral to assessment (median)", "pre-birth")]
    # 12.5 (shown as 13) against 20 (18 to 25): -7 days, and 12.5 is below 18.
    assert wait["Change"] == "-7 days" and wait["Outside the earlier interval?"].startswith("Outside")
    withheld = frame.loc[("Days from referral to assessment (median)", "other")]
    # this book withholds the median of 3 waits: its change is withheld with it
    assert withheld["Now"] == "whole period: c"
    assert withheld["Change"] == "not shown" and "Withheld" in withheld["Outside the earlier interval?"]


def test_an_internal_builds_small_numbers_are_withheld_again_in_a_published_book(tmp_path):
    # An internal build's file: 3 of 40 (and 38 of 40, whose complement is 2) are shown there as they are.
    path = tmp_path / "previous.csv"
    path.write_text("indicator,period,group,numerator,denominator,value,lower,upper,unit,method,suppressed\n"
                    "infants_share,2019/20,,3,40,0.075,0.026,0.199,proportion,Wilson,false\n"
                    "newborn_rate_per_10k_births,2019/20,,38,40,0.95,0.83,0.99,proportion,Wilson,false\n"
                    "newborn_rate_trend_ratio,all,,,,1.01,0.95,1.07,rate ratio per year,poisson,false\n")
    for audience, shown in (("published", False), ("internal", True)):
        frame = change_words(chapter(previous_indicators=path, audience=audience))
        share = frame.loc[("Babies under one as a share of children in proceedings", "")]
        assert (share["Before"] == "2019/20: 8% (3% to 20%)") is shown
        assert (share["Before"] == "2019/20: c") is not shown
        rate = frame.loc[("Newborns in proceedings per 10,000 live births", "")]
        assert ("c" == rate["Before"].split(": ")[1]) is not shown  # 38 of 40: two did not
        trend = frame.loc[("Yearly change in the newborn rate (rate ratio)", "")]
        assert trend["Before"].startswith("whole period: 1.01")  # a model estimate, no count behind it


def test_a_previous_share_without_its_counts_cannot_be_checked_so_it_is_withheld(tmp_path):
    path = tmp_path / "previous.csv"
    path.write_text("indicator,period,group,value,lower,upper,unit,method,suppressed\n"
                    "infants_share,2019/20,,0.22,0.17,0.28,proportion,Wilson,false\n")
    frame = change_words(chapter(previous_indicators=path))
    assert frame.loc[("Babies under one as a share of children in proceedings", ""), "Before"] == "2019/20: c"


def test_the_earlier_books_figures_are_words_shown_escaped(tmp_path):
    path = tmp_path / "previous.csv"
    path.write_text(PREVIOUS.replace("infants_share,2019/20,", "infants_share,<i>2019/20</i>,"))
    r, decision = book(chapter(previous_indicators=path), upstream())
    before = r.items["change"].frame.set_index("Measure").loc[
        "Babies under one as a share of children in proceedings", "Before"]
    assert isinstance(before, Plain)
    assert "<i>" not in present.show_table(r.items["change"], decision, 8).html


def test_a_previous_file_whose_columns_do_not_line_up_names_the_row(tmp_path):
    # a cell with an unquoted quote and comma (as a hand-edited file may have): 12 cells under 11 headings
    path = tmp_path / "previous.csv"
    path.write_text(PREVIOUS.splitlines()[0] + "\n" + 'infants_share,2019/20,,44,200,0.22,0.17,0.28,proportion,'
                    '"Wilson "x", y",false\n')
    frame, problems = reflect.read_previous(path)
    assert frame is None and problems == [
        "previous.csv, row 2: 12 cells where the header has 11. A cell holding a comma or a quote must be quoted "
        "(save the file from a spreadsheet as CSV)."]


def test_no_previous_indicators_explains_how_to_get_the_change():
    notice = reflect.change_table(chapter(), None)
    assert "previous_indicators" in notice.body


def test_a_previous_file_without_a_value_column_is_named_with_the_fix(tmp_path):
    path = tmp_path / "old.csv"
    path.write_text("indicator,period,lower,upper,unit,suppressed\ninfants_share,2019/20,0.1,0.2,proportion,false\n")
    notice = reflect.change_table(chapter(previous_indicators=path), None)
    assert notice.kind == "notyet"
    said = html.unescape(present.show_notice(notice, INTERNAL).markdown)
    assert "old\\.csv\\: column 'value' is missing" in said and "`prebirth build`" in said


def test_a_previous_file_with_a_word_for_a_number_names_the_row(tmp_path):
    path = tmp_path / "old.csv"
    path.write_text(PREVIOUS.replace("0.22,0.17", "about a fifth,0.17"))
    frame, problems = reflect.read_previous(path)
    assert frame is None
    assert problems == ["old.csv, row 3, column 'value': 'about a fifth' is not a number. Leave it blank or correct it."]


@pytest.mark.parametrize("value, lower, upper, outside", [(30, 17, 28, True), (10, 17, 28, True),
                                                          (28, 17, 28, False), (20, None, 28, None)])
def test_outside_interval(value, lower, upper, outside):
    assert reflect.outside_interval(value, lower, upper) is outside


# -- questions ---------------------------------------------------------------------------

def test_questions_follow_the_ratings_and_what_cannot_be_answered(two_rounds):
    r, decision = book(chapter(two_rounds), upstream())
    text = present.show(r, "questions", decision).markdown
    assert "\u201cStatement P1\u201d was rated red" in text and "\u201cStatement P7\u201d was rated red" in text
    assert "1 rating got worse since the last round" in text
    assert "The data cannot yet answer: Recurrent proceedings" in text
    assert "**For parents and families**" in text
    # The largest share rated red: after-discharge strategic (1 of 2) before pre-birth strategic (1 of 3).
    assert "largest share of statements rated red is after discharge (strategic level)" in text


def test_the_page_shows_every_item_published_and_on_its_own(two_rounds):
    ch = chapter(two_rounds)
    r, decision = book(ch, upstream())
    for name in r.items:
        assert present.show(r, name, decision) is not None, name
    alone = reflect.compute(ch.prepared, {})
    decision = disclosure.decide([alone], True, 6).restricted_to(alone)
    for name in alone.items:
        assert present.show(alone, name, decision) is not None, name


def test_main_points_count_the_latest_ratings_beside_the_round_before_and_the_questions_answered(two_rounds):
    r, decision = book(chapter(two_rounds), upstream())
    said = [present.text(f.text, decision) for f in r.findings if f.main]
    # statements P1-P8; October 2023: R P1 P7, A P2 P8, G P3 P4 P5 (P6 blank); October 2022: R P4 P7,
    # A P1 P2 P3, G P5 P6. Chapter 0 says recurrence (chapter 2) cannot be answered yet.
    assert said == [
        "In the latest self-assessment (October 2023), 2 of the 8 statements were rated Red, 2 Amber and 3 Green, "
        "against 2 Red, 3 Amber and 2 Green in October 2022.",
        "The data answer 6 of the 7 questions of chapters 1 to 7 at least in part; chapter 2 cannot be answered yet "
        "(chapter 0 says what to record)."]


def test_main_points_before_any_rating():
    r = reflect.compute(chapter().prepared, None)
    said = [f.text.template for f in r.findings if f.main]
    assert said == [f"No self-assessment has been recorded yet: the {len(reflect.STARTER_STATEMENTS)} statements "
                    "below are ready to rate at the first workshop."]
