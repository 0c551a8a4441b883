"""A result shown under one disclosure decision: worked by hand."""

import csv
import math
import re

import pandas as pd
import pytest

from prebirth import disclosure, present
from prebirth.results import (ChapterResult, Chart, Count, Indicator, Measure, Notice, Plain, ResultTable, Share,
                              Text, frame_of, key)

PUBLISHED = lambda *withheld: disclosure.Decision(True, 6, frozenset(withheld))  # noqa: E731
INTERNAL = disclosure.Decision()


def test_counts_shares_and_measures_as_published():
    babies, births = Count("b", 1234), Count("all", 2000)
    share = Share.of(babies, births)
    rate = Measure(12.345, on=(babies,), lower=10.0, upper=14.5, unit="rate", digits=1)
    shown = PUBLISHED()
    assert present.fmt(babies, shown) == "1,234"
    assert present.fmt(share, shown) == "62%"  # 0.617
    assert present.fmt(share, shown, "n") == "1,234 of 2,000"
    assert present.fmt(share, shown, "one_in") == "about 6 in 10"  # 62% is not "1 in 2"
    assert present.fmt(rate, shown, "ci") == "12.3 (10.0 to 14.5)"
    hidden = PUBLISHED("b")
    assert [present.fmt(c, hidden) for c in (babies, share, rate)] == ["c", "c", "c"]
    assert present.fmt(births, hidden) == "2,000"


def test_rounding_is_half_up():
    assert present.pct(0.125, 0) == "13%"  # 12.5 -> 13, not banker's 12
    assert present.num(2.5, 0) == "3"


def test_a_sentence_with_a_withheld_figure_says_its_otherwise():
    few = Count("few", 4)
    sentence = Text("{n} babies were heard the same day.", {"n": few}, "A few babies were heard the same day.")
    assert present.text(sentence, INTERNAL) == "4 babies were heard the same day."
    assert present.text(sentence, PUBLISHED("few")) == "A few babies were heard the same day."
    assert present.text(Text("{n} babies.", {"n": few}), PUBLISHED("few")) == ""  # no otherwise: says nothing


def test_text_from_the_inputs_is_escaped_in_markdown_and_in_html():
    name = Plain("<b>North</b>")
    assert present.text(Text("In {area}.", {"area": name}), INTERNAL) == "In &lt;b&gt;North&lt;\\/b&gt;."
    table = ResultTable(frame_of([{"Area": name, "Babies": Count("x", 10)}]), "Caption <i>")
    html = present.show_table(table, INTERNAL, 1).html
    assert "<b>North</b>" not in html and "&lt;b&gt;North&lt;/b&gt;" in html
    assert "Caption &lt;i&gt;" in html


def test_a_chart_receives_withheld_cells_as_missing_numbers():
    a, b = Count("a", 10), Count("b", 3)
    data = frame_of([{"Year": "2019/20", "Babies": a, "Share": Share.of(a, Count("t", 20))},
                     {"Year": "2020/21", "Babies": b, "Share": Share.of(b, Count("u", 20))}])
    numbers = present.chart_numbers(data, PUBLISHED("b"))
    assert numbers["Babies"].tolist()[0] == 10 and math.isnan(numbers["Babies"].tolist()[1])
    assert numbers["Share"].tolist()[0] == 0.5 and math.isnan(numbers["Share"].tolist()[1])
    assert list(numbers.columns) == ["Year", "Babies", "Share", "Share_lower", "Share_upper"]


def test_indicator_rows_blank_what_is_withheld():
    result = ChapterResult(1, "test")
    share = Share.of(Count("n", 3), Count("d", 40))
    result.indicators.append(Indicator("x_share", "all", share))
    result.indicators.append(Indicator("d_count", "all", Count("d", 40), unit="count"))
    rows = present.indicator_rows(result, PUBLISHED("n"))
    assert rows[0]["suppressed"] is True and math.isnan(rows[0]["numerator"]) and rows[0]["denominator"] == 40
    assert math.isnan(rows[0]["value"]) and math.isnan(rows[0]["lower"])
    assert rows[1]["suppressed"] is False and rows[1]["value"] == 40


def test_a_finding_with_a_withheld_figure_is_left_out():
    result = ChapterResult(2, "test")
    result.finding("{n} mothers returned.", "r", n=Count("m", 2))
    result.finding("Most mothers did not return.", "r")
    assert [f["finding"] for f in present.findings(result, PUBLISHED("m"))] == ["Most mothers did not return."]


def test_download_of_a_table_is_neutralised(tmp_path):
    table = ResultTable(frame_of([{"Owner": Plain("=HYPERLINK(\"x\")"), "N": Count("k", 10)}]), "T", download="t")
    present.show_table(table, INTERNAL, 8, tmp_path)
    rows = list(csv.reader((tmp_path / "08-t.csv").open()))
    assert rows[1] == ["'=HYPERLINK(\"x\")", "10"]


def test_the_same_key_with_two_values_is_refused():
    result = ChapterResult(1, "test")
    result.add("a", Notice([Text("{x}", {"x": Count("k", 1)}), Text("{x}", {"x": Count("k", 2)})]))
    with pytest.raises(ValueError, match="published as 1 and as 2"):
        disclosure.decide([result], True, 6)


def test_a_tally_counts_what_the_decision_withholds_and_goes_with_the_result():
    from prebirth.results import Tally

    a, b, c = Count("a", 10), Count("b", 3), Count("c", 20)
    withheld = Tally(((a,), (b,), (Measure(1.0, on=(c,)),)))
    said = Tally(((b, a), ()), of=5, noun=("finding", "findings"))  # one of two groups has a withheld cell
    assert present.fmt(withheld, PUBLISHED("b")) == "1" and present.fmt(withheld, INTERNAL) == "0"
    assert present.fmt(said, PUBLISHED("b")) == "4 findings" and present.fmt(said, PUBLISHED()) == "5 findings"
    assert present.fmt(Tally(((b,),), of=2, noun=("finding", "findings")), PUBLISHED("b")) == "1 finding"
    r = ChapterResult(9, "about")
    r.add("t", ResultTable(frame_of([{"Chapter": "1", "Withheld": withheld}]), "counted"))
    r.glue["n"] = said
    decision = disclosure.Decision(True, 6, frozenset({"b", "x"})).restricted_to(r)
    assert decision.withheld == frozenset({"b"})  # the cells it counts are the result's
    assert present.glued(r, decision) == {"n": "4 findings"}
    assert present.table_parts(r.items["t"], decision)["frame"]["Withheld"].tolist() == ["1"]


def test_a_tables_download_can_be_fuller_than_the_table(tmp_path):
    shown = frame_of([{"File": Plain("a.csv"), "Records": Count("n", 3)}])
    whole = frame_of([{"File": Plain("=a.csv"), "Records": Count("n", 3), "Id": "x1"}])
    table = ResultTable(shown, "files", download="files", download_frame=whole)
    r = ChapterResult(9, "about")
    r.add("files", table)
    assert {"n"} <= {c.key for c in r.cells()}
    html = present.show_table(table, PUBLISHED("n"), 9, tmp_path).html
    assert "x1" not in html and re.search(r"<td[^>]*>c</td>", html)
    rows = list(csv.reader((tmp_path / "09-files.csv").open()))
    assert rows == [["File", "Records", "Id"], ["'=a.csv", "c", "x1"]]


def test_numbers_are_right_aligned_and_words_are_not():
    frame = pd.DataFrame({"Year": ["2019/20", "All years"], "Babies": ["1,234", "c"],
                          "Share (95% CI)": ["34% (28% to 40%)", "c"], "Median": ["5 days (4 to 6)", "not reached"],
                          "Area": ["<b>North</b>", "South"]})
    html = present.html_table(frame, "T")
    numeric = re.findall(r'<th class="prebirth-num">([^<]*)</th>', html)
    assert numeric == ["Babies", "Share (95% CI)", "Median"]  # the year and the area's name are words
    assert "&lt;b&gt;North&lt;/b&gt;" in html and "<b>" not in html


@pytest.mark.parametrize("value, words", [
    (0.5, "1 in 2"), (1 / 6, "1 in 6"), (0.16, "1 in 6"), (0.2, "1 in 5"), (0.05, "1 in 20"), (0.33, "1 in 3"),
    (0.4, "4 in 10"),  # 1 in 3 would be 33%, 1 in 2 50%: neither is within a tenth of 40%
    (2 / 7, "about 3 in 10"),  # 1 in 4 (25%) and 1 in 3 (33%) are both more than a tenth away from 28.6%
    (0.617, "about 6 in 10"), (0.86, "about 9 in 10"), (0.9, "9 in 10"), (0.0, "none"), (1.0, "all"),
])
def test_one_in_words(value, words):
    from prebirth.formats import one_in
    assert one_in(value) == words


def _outside_folds(html: str) -> str:
    """What a reader sees without opening a fold: the page with every <details> element taken out."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for fold in soup.find_all("details"):
        fold.decompose()
    return soup.get_text(" ")


def test_analyst_detail_of_a_table_sits_in_a_fold_and_its_figures_still_go_through_disclosure():
    frame = frame_of([{"Babies": "Newborns", "Change per year": Measure(1.05, lower=0.98, upper=1.12, unit="number",
                                                                        digits=2, on=(Count("n", 3),))}])
    table = ResultTable(frame, "Trend", note="The rate showed no clear change.",
                        analyst_note="A quasi-Poisson regression with a log(births) offset.")
    html = present.show_table(table, INTERNAL, 1).html
    assert "The rate showed no clear change." in _outside_folds(html)
    assert "Poisson" in html and "Poisson" not in _outside_folds(html)
    assert '<details class="prebirth-analyst"><summary>For analysts: how this was worked out</summary>' in html
    whole = ResultTable(frame, "Every measure", analyst=True)
    shown = present.show_table(whole, PUBLISHED("n"), 1).html
    assert shown.startswith('<details class="prebirth-analyst"><summary>For analysts: Every measure</summary>')
    assert shown.endswith("</details>") and _outside_folds(shown).strip() == ""
    assert re.search(r"<td[^>]*>c</td>", shown) and "1.05" not in shown  # withheld inside the fold too


def test_an_analyst_notice_is_a_fold_titled_for_analysts_and_an_ordinary_one_is_not():
    folded = present.show_notice(Notice("Hazard ratio 0.86 (Cox model).", title="the model"), INTERNAL)
    assert "<details" not in folded._repr_markdown_()
    folded = present.show_notice(Notice("Hazard ratio 0.86 (Cox model).", title="the model", analyst=True), INTERNAL)
    markdown = folded._repr_markdown_()
    assert markdown.startswith('<details class="prebirth-analyst">\n<summary>For analysts: the model</summary>\n\n')
    assert markdown.endswith("\n\n</details>") and "Hazard ratio 0.86 (Cox model)." in markdown


def test_a_charts_analyst_note_is_folded_under_its_plain_note():
    import matplotlib.pyplot as plt

    def draw(data):
        figure, _ = plt.subplots()
        return figure

    chart = Chart(draw, frame_of([{"Year": "2019/20", "Babies": Count("k", 12)}]), "Babies by year", "A chart.",
                  note="Points resting on few babies are not drawn.", analyst_note="A Kaplan-Meier estimate.")
    html = present.show_chart(chart, INTERNAL, 2).html
    seen = _outside_folds(html)
    assert "Points resting on few babies are not drawn." in seen and "Kaplan" not in seen
    assert "For analysts: how this was worked out" in html and "A Kaplan-Meier estimate." in html
    # the chart's own data table still comes first after it (a screen reader finds it next)
    assert html.index("The data in this chart") < html.index("For analysts")


def test_a_count_is_always_written_as_a_whole_number_even_when_a_float_holds_it():
    from prebirth.formats import count

    assert count(38527.0) == "38,527" and count(12) == "12" and count(2.5) == "3"  # half up
    decision = disclosure.Decision(True, 6, frozenset())
    births = Count("births|2023/24", 38527.0)  # a benchmark's count read from a spreadsheet as a float
    frame = present.table_frame(pd.DataFrame({"Live births": [births]}), decision)
    assert frame["Live births"].tolist() == ["38,527"]
    newborns = Count("newborns|2023/24", 120.0)
    assert present.fmt(Share.of(newborns, births), decision, "n") == "120 of 38,527"


def test_an_interval_is_published_in_its_own_column_beside_its_value(tmp_path):
    thirty, hundred, three, ten, none = (Count("30", 30), Count("100", 100), Count("3", 3), Count("10", 10),
                                          Count("0", 0))
    frame = frame_of([
        # 30 of 100: Wilson 21.9% to 39.6%; a rate with its limits; a mean with none
        {"Year": "2019/20", "Share": Share.of(thirty, hundred),
         "Rate (95% CI)": Measure(12.345, on=(thirty,), lower=10.0, upper=14.5, unit="rate", digits=1),
         "Mean": Measure(2.0, on=(thirty,))},
        # 3 of 10 is withheld (and so is the rate resting on 3); the mean has no limits
        {"Year": "2020/21", "Share": Share.of(three, ten), "Rate (95% CI)": Measure(5.0, on=(three,), lower=1.0,
                                                                                   upper=9.0),
         "Mean": Measure(1.0, on=(ten,))},
        # a share of none, and a rate whose limits could not be worked out
        {"Year": "2021/22", "Share": Share.of(none, none), "Rate (95% CI)": Measure(7.0, on=(ten,)),
         "Mean": Measure(1.5, on=(ten,))}])
    table = ResultTable(frame, "T", download="t")
    parts = present.table_parts(table, PUBLISHED("3"))
    shown = parts["frame"]
    # the only interval of a header that says "(95% CI)" would be short; here there are two, so each names its column
    assert list(shown.columns) == ["Year", "Share", "Share: 95% interval", "Rate", "Rate: 95% interval", "Mean"]
    assert shown.values.tolist() == [["2019/20", "30%", "22% to 40%", "12.3", "10.0 to 14.5", "2.0"],
                                     ["2020/21", "c", "c", "c", "c", "1.0"],
                                     ["2021/22", "none", "", "7.0", "", "1.5"]]
    assert parts["columns"] == 6
    # on the page a value and its interval sit under one heading; the interval's numbers are right-aligned too
    head = parts["html"].split("</thead>")[0]
    assert re.findall(r'<th colspan="2" scope="colgroup" class="prebirth-num">([^<]*)</th>', head) == ["Share", "Rate"]
    assert re.findall(r'<th rowspan="2" scope="col"[^>]*>([^<]*)</th>', head) == ["Year", "Mean"]
    assert re.findall(r'<th scope="col" class="prebirth-num">([^<]*)</th>', head) == ["Value", "95% interval"] * 2
    assert re.findall(r'<td class="prebirth-num">([^<]*)</td>', parts["html"])[:5] == [
        "30%", "22% to 40%", "12.3", "10.0 to 14.5", "2.0"]
    # the CSV has the same columns as the page
    present.show_table(table, PUBLISHED("3"), 9, tmp_path)
    rows = list(csv.reader((tmp_path / "09-t.csv").open()))
    assert rows[0] == list(shown.columns) and rows[1] == ["2019/20", "30%", "22% to 40%", "12.3", "10.0 to 14.5", "2.0"]


def test_a_single_interval_of_a_header_that_says_95_ci_is_headed_95_interval():
    share = Share.of(Count("a", 3), Count("b", 10))
    frame = frame_of([{"Parents": "Mothers", "Share of those recorded (95% CI)": share}])
    shown = present.table_frame(frame, INTERNAL)
    assert list(shown.columns) == ["Parents", "Share of those recorded", "95% interval"]
    assert shown.iloc[0].tolist() == ["Mothers", "30%", "11% to 60%"]  # Wilson 10.8% to 60.3%
    # "Fathers: share" and "Mothers: share" give "Fathers: 95% interval" and "Mothers: 95% interval"
    two = frame_of([{"Fathers: share": Share.of(Count("a", 3), Count("b", 10)),
                     "Mothers: share": Share.of(Count("c", 30), Count("d", 100))}])
    assert list(present.table_frame(two, INTERNAL).columns) == ["Fathers: share", "Fathers: 95% interval",
                                                               "Mothers: share", "Mothers: 95% interval"]


def test_a_sentence_cell_of_a_figure_and_its_interval_is_split_too():
    n = Count("waits", 20)
    median = Measure(10.0, on=(n,), lower=7.0, upper=12.0, unit="days", digits=0)
    lo, hi = Measure(7.0, on=(n,), digits=0), Measure(12.0, on=(n,), digits=0)
    frame = frame_of([
        {"Wait": "to assessment", "Median (95% CI)": Text("{m} days ({lo} to {hi})", {"m": median, "lo": lo,
                                                                                      "hi": hi}, "c"),
         "Now": Text("2020/21: {v} ({v:interval})", {"v": median}, "2020/21: c")},
        {"Wait": "to a plan", "Median (95% CI)": "none", "Now": "none"}])
    assert present.table_frame(frame, INTERNAL).values.tolist() == [["to assessment", "10 days", "7 to 12",
                                                                     "2020/21: 10 (7 to 12)"],
                                                                    ["to a plan", "none", "", "none"]]
    assert present.table_frame(frame, INTERNAL).columns[2] == "95% interval"  # a sentence with words first stays
    assert present.table_frame(frame, PUBLISHED("waits")).values.tolist()[0] == ["to assessment", "c", "c",
                                                                                  "2020/21: c"]
