"""Charts draw text from the parameters as written."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from prebirth import charts

LABEL = "Spend $x^$ review"  # matplotlib would read the part between the dollars as (broken) maths


def _drawn_texts(fig) -> list[str]:
    fig.savefig(io.BytesIO(), format="png")  # draws every text: a maths parse error would raise here
    return [text.get_text() for ax in fig.axes for text in ax.texts]


def test_an_event_label_with_dollar_signs_is_drawn_as_plain_text_on_a_line_chart():
    data = pd.DataFrame({"Year": ["2019/20", "2020/21", "2021/22"] * 2, "Rate": [10, 12, 11, 20, 22, 21],
                         "Series": ["Newborns"] * 3 + ["Infants"] * 3, "Lower": [8, 9, 9, 18, 19, 18],
                         "Upper": [12, 14, 13, 22, 25, 24]})
    fig = charts.lines_with_ci(data, "Year", "Rate", "Series", "per 10,000 live births", "Lower", "Upper",
                               [{"x": "2020/21", "label": LABEL}])
    assert LABEL in _drawn_texts(fig)


def test_an_event_label_with_dollar_signs_is_drawn_as_plain_text_on_aligned_panels():
    order = ["2019/20", "2020/21", "2021/22"]
    panels = [{"title": "Fathers recorded", "data": pd.DataFrame({"x": order, "y": [40.0, 50.0, 45.0]}),
               "ylabel": "%"},
              {"title": "Fathers assessed", "data": pd.DataFrame({"x": order, "y": [20.0, 25.0, 30.0]}),
               "ylabel": "%"}]
    fig = charts.aligned_panels(panels, order, [{"x": "2020/21", "label": LABEL}])
    assert LABEL in _drawn_texts(fig)


# -- one colour for each thing ------------------------------------------------------------------

import base64  # noqa: E402
import math  # noqa: E402
import re  # noqa: E402

import numpy as np  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from prebirth import disclosure, present  # noqa: E402
from prebirth.results import Chart, Count, Measure, Plain, Text, frame_of  # noqa: E402

YEARS = ["2019/20", "2020/21", "2021/22", "2022/23"]


def _line_colours(fig) -> dict:
    return {line.get_label(): to_hex(line.get_color()) for ax in fig.axes for line in ax.get_lines()
            if not line.get_label().startswith("_")}


def test_each_thing_is_read_from_its_label():
    assert charts.role_of("England: newborns") == "england"
    assert charts.role_of("Statistical neighbours") == "neighbours"
    assert charts.role_of("Mothers returned with another child") == "mothers"
    assert charts.role_of("Fathers") == "fathers"
    assert charts.role_of("Northbrook: newborns") == "group"


def test_england_the_region_and_the_area_keep_their_colours_whatever_the_order_of_the_series():
    first = charts.series_styles(["England", "Northbrook", "North West"], {"Northbrook": "area", "North West": "region"})
    second = charts.series_styles(["North West", "Northbrook", "England"], {"Northbrook": "area", "North West": "region"})
    for name in ("England", "Northbrook", "North West"):
        assert first[name]["color"] == second[name]["color"]
    assert first["Northbrook"]["color"] == charts.PALETTE["area"] == "#0072B2"
    assert first["England"]["color"] != first["North West"]["color"]
    # two series of the area share its colour and differ by marker and line style (not colour alone)
    two = charts.series_styles(["A: newborns", "A: infants"], {"A: newborns": "area", "A: infants": "area"})
    assert two["A: newborns"]["color"] == two["A: infants"]["color"]
    assert two["A: newborns"]["marker"] != two["A: infants"]["marker"]
    assert two["A: newborns"]["linestyle"] != two["A: infants"]["linestyle"]


def test_mothers_and_fathers_are_the_same_colours_in_bars_and_in_lines():
    bars = pd.DataFrame({"Age": ["Under 20", "20 to 24"] * 2, "Parent": ["Mothers"] * 2 + ["Fathers"] * 2,
                         "Per cent": [10.0, 30.0, 5.0, 20.0]})
    fig = charts.grouped_bars(bars, "Age", "Parent", "Per cent", "%")
    bar_colours = {}
    for container in fig.axes[0].containers:
        bar_colours[container.get_label()] = to_hex(container.patches[0].get_facecolor())
    lines = pd.DataFrame({"Year": YEARS * 2, "Series": ["Fathers"] * 4 + ["Mothers"] * 4,
                          "Per cent": [1.0, 2, 3, 4, 5, 6, 7, 8]})
    line_colours = _line_colours(charts.lines_with_ci(lines, "Year", "Per cent", "Series", "%"))
    assert bar_colours["Mothers"] == line_colours["Mothers"] == charts.PALETTE["mothers"].lower()
    assert bar_colours["Fathers"] == line_colours["Fathers"] == charts.PALETTE["fathers"].lower()


def test_the_area_is_the_same_colour_in_a_funnel_a_dot_plot_and_a_line():
    points = pd.DataFrame({"area_code": ["E1", "E2", "E3"], "denominator": [1000, 2000, 3000],
                           "value": [40.0, 50.0, 45.0]})
    limits = pd.DataFrame({"denominator": [500, 3500], "lower_95": [20, 35], "upper_95": [70, 55],
                           "lower_99_8": [10, 30], "upper_99_8": [80, 60]})
    funnel = charts.funnel(points, limits, 45.0, "E2", "Births", "Rate", neighbours=["E3"])
    mine = [c for c in funnel.axes[0].collections if c.get_label() == "This area"][0]
    dots = charts.dots(pd.DataFrame({"label": ["A", "B"], "value": [3.0, 4.0], "lower": [2.0, 3.0],
                                     "upper": [4.0, 5.0]}), "label", "value", "lower", "upper", "B", "x")
    me = [c for c in dots.axes[0].collections if len(c.get_offsets()) == 1 and c.get_offsets()[0][0] == 4.0][0]
    area = charts.PALETTE["area"].lower()
    assert to_hex(mine.get_facecolor()[0]) == area and to_hex(me.get_facecolor()[0]) == area


def test_bars_of_one_thing_are_one_colour_not_a_rainbow():
    data = pd.DataFrame({"Need": ["Housing", "Mental health", "Domestic abuse", "Substance use"],
                         "Per cent": [10.0, 20.0, 30.0, 40.0]})
    fig = charts.bars(data, "Need", "Per cent", "%")
    colours = {to_hex(p.get_facecolor()) for p in fig.axes[0].patches}
    assert colours == {charts.PALETTE["area"].lower()}


# -- a withheld point breaks its line ------------------------------------------------------------

def test_a_withheld_year_breaks_the_line_instead_of_joining_its_neighbours():
    data = pd.DataFrame({"Year": YEARS * 2, "Series": ["Area"] * 4 + ["England"] * 4,
                         "Rate": [10.0, np.nan, 12.0, 13.0, 20.0, 21.0, 22.0, 23.0]})
    # a year missing altogether from a series (no row) breaks it too
    data = data.drop(index=7)
    fig = charts.lines_with_ci(data, "Year", "Rate", "Series", "rate")
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    area = np.asarray(lines["Area"].get_ydata(), float)
    assert list(np.isnan(area)) == [False, True, False, False]
    england = np.asarray(lines["England"].get_ydata(), float)
    assert len(england) == 4 and np.isnan(england[3])
    assert list(lines["Area"].get_xdata()) == [0, 1, 2, 3]  # every year keeps its place


def test_a_withheld_year_breaks_a_panel_line_too():
    panels = [{"title": "Newborns", "data": pd.DataFrame({"x": YEARS, "y": [5.0, np.nan, 7.0, 8.0]})}]
    fig = charts.aligned_panels(panels, YEARS)
    ys = np.asarray(fig.axes[0].get_lines()[0].get_ydata(), float)
    assert list(np.isnan(ys)) == [False, True, False, False]


# -- the finished image: event label clear, title, source and marking inside ----------------

def _boxes_overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


@pytest.mark.parametrize("size", [charts.WIDE, charts.NARROW])
@pytest.mark.parametrize("event_year", ["2020/21", "2022/23"])
def test_the_event_label_sits_clear_of_the_data_and_the_legend_and_inside_the_image(size, event_year):
    data = pd.DataFrame({"Year": YEARS * 2, "Series": ["Northbrook"] * 4 + ["England"] * 4,
                         "Rate": [60.0, 64, 70, 75, 40, 41, 42, 43]})
    with charts.profile(size):
        fig = charts.lines_with_ci(data, "Year", "Rate", "Series", "per 10,000 live births",
                                   events=[{"x": event_year, "label": "Pre-birth team set up"}])
        charts.finish(fig, "A title", "Source: somewhere", [("synthetic", "Synthetic data")])
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        label = [t for t in ax.texts if " ".join(t.get_text().split()) == "Pre-birth team set up"][0]
        box = label.get_window_extent(renderer)
        assert not _boxes_overlap(box, ax.get_window_extent(renderer))  # above the plot: never on the data
        legend = ax.get_legend() or fig.legends[0]  # on a phone the legend goes below the whole chart
        assert not _boxes_overlap(box, legend.get_window_extent(renderer))
        titles = [t for t in fig.texts if t.get_text() == "A title"]
        assert titles and not _boxes_overlap(box, titles[0].get_window_extent(renderer))
        whole = fig.get_tightbbox(renderer).transformed(fig.dpi_scale_trans)  # what the saved image holds
        inside = whole.padded(0.5)  # half a pixel: the label may be the image's edge
        assert inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 <= box.y0 and box.y1 <= inside.y1


def _svg(src: str) -> str:
    assert src.startswith("data:image/svg+xml;base64,")
    return base64.b64decode(src.split(",", 1)[1]).decode()


def _svg_texts(svg: str) -> list[tuple[str, float]]:
    """Each text drawn in a matplotlib SVG (kept as text) and its size in the image's units."""
    import html

    return [(" ".join(html.unescape(words).split()), float(size)) for size, words in
            re.findall(r'<text style="[^"]*?font-size: ([\d.]+)px[^>]*>(.*?)</text>', svg, re.S)]


PUBLISHED = lambda *withheld: disclosure.Decision(True, 6, frozenset(withheld))  # noqa: E731


def _rate_chart(title_cell_key: str = "n23") -> Chart:
    counts = {p: Count(f"n{p[2:4]}", 30 + i) for i, p in enumerate(YEARS)}
    records = [{"Year": p, "Series": Plain("Northbrook"), "Rate": Measure(c.value / 2, on=(c,))}
               for p, c in counts.items()]
    latest = counts["2022/23"]
    title = Text("In 2022/23, {rate} babies per 10,000 births in {area}", {
        "rate": Measure(latest.value / 2, on=(latest,)), "area": Plain("Northbrook")},
        Text("Babies per 10,000 births in {area}", {"area": Plain("Northbrook")}))
    return Chart(lambda data: charts.lines_with_ci(data, "Year", "Rate", "Series", "rate"), frame_of(records),
                 "Babies per 10,000 births, by year", "A line chart of babies per 10,000 births by year.",
                 title=title, source="Source: test records")


def test_a_chart_is_svg_with_its_title_source_and_marking_drawn_in_at_both_sizes():
    context = present.ChartContext((("synthetic", "Synthetic data: made-up numbers"),), "Source: default")
    parts = present.chart_parts(_rate_chart(), PUBLISHED(), context)
    assert parts["title"] == "In 2022/23, 16.5 babies per 10,000 births in Northbrook"  # 33 / 2, half up
    for src, smallest in ((parts["src"], charts.PROFILES[charts.WIDE]["font"]),
                          (parts["src_narrow"], charts.PROFILES[charts.NARROW]["font"])):
        texts = _svg_texts(_svg(src))
        words = " ".join(w for w, _ in texts)  # a wrapped text is drawn a line at a time
        assert "In 2022/23, 16.5 babies per 10,000 births in Northbrook" in words
        assert "Source: test records" in words and "Synthetic data: made-up numbers" in words
        assert min(s for _, s in texts) >= smallest - 0.01
    assert parts["src"] != parts["src_narrow"]


def test_a_withheld_figure_never_appears_in_a_title_it_says_its_otherwise():
    parts = present.chart_parts(_rate_chart(), PUBLISHED("n22"), present.ChartContext())
    assert parts["title"] == "Babies per 10,000 births in Northbrook"
    assert "16.5" not in _svg(parts["src"])


def test_a_chart_mostly_withheld_is_replaced_by_a_sentence():
    chart = _rate_chart()
    withheld = PUBLISHED("n19", "n20", "n21")  # 3 of its 4 local figures
    assert present.withheld_share(chart.data, withheld) == 0.75
    parts = present.chart_parts(chart, withheld, present.ChartContext())
    assert parts["src"] == "" and parts["src_narrow"] == ""
    shown = present.show_chart(chart, withheld, 1).html
    assert "<img" not in shown and "withheld to protect" in shown and "<table" in shown
    half = PUBLISHED("n19", "n20")  # half withheld: still drawn, with gaps
    assert present.chart_parts(chart, half, present.ChartContext())["src"].startswith("data:image/svg+xml")


def test_the_same_chart_gives_the_same_image():
    one = present.chart_parts(_rate_chart(), PUBLISHED(), present.ChartContext())["src"]
    two = present.chart_parts(_rate_chart(), PUBLISHED(), present.ChartContext())["src"]
    assert one == two


# -- a phone: every text inside the page's width, never smaller than the caption ---------------

def test_words_wrap_into_lines_no_wider_than_asked_in_the_charts_font():
    words = "Northbrook newborns in care proceedings, with the region and England beside them"
    wrapped = charts.wrap_to_width(words, 150, 15.5)
    lines = wrapped.split("\n")
    assert len(lines) > 1 and " ".join(lines) == words  # every word kept, in order, a space per break
    assert all(charts.text_width(line, 15.5) <= 150 for line in lines)
    # each line is as full as it can be: the next line's first word would not have fitted
    assert all(charts.text_width(f"{a} {b.split()[0]}", 15.5) > 150 for a, b in zip(lines, lines[1:]))
    assert charts.wrap_to_width("Supercalifragilistic", 20, 15.5) == "Supercalifragilistic"  # one word stays whole
    assert charts.wrap_to_width("one\ntwo", 500, 15.5) == "one\ntwo"  # a break already there is kept
    assert charts.text_width("mmmm", 20) == pytest.approx(2 * charts.text_width("mmmm", 10), rel=0.05)


PHONE_SHOWN = 342  # CSS px: the width a 390 px phone gives a chart (its text at 15.5 x 342 / the image's width)


def _phone_image(fig) -> tuple[float, list[float], str]:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", pad_inches=0.12, metadata={"Date": None})
    svg = buffer.getvalue().decode()
    width = float(re.search(r'viewBox="[\d.]+ [\d.]+ ([\d.]+) ', svg).group(1))
    return width, [s for _, s in _svg_texts(svg)], svg


def test_a_phone_chart_with_long_words_everywhere_stays_as_wide_as_the_page():
    long_names = ["Northbrook: newborns in care proceedings (this area)",
                  "North West: newborns in care proceedings (the region)", "England: newborns in care proceedings"]
    data = pd.DataFrame({"Year": [f"20{y}/{y + 1}" for y in range(14, 24)] * 3,
                         "Series": [n for n in long_names for _ in range(10)],
                         "Rate": np.linspace(30, 70, 30)})
    title = "In 2023/24, 65.2 newborns per 10,000 live births in Northbrook were in care proceedings (England: 47.9)"
    with charts.profile(charts.NARROW):
        fig = charts.lines_with_ci(data, "Year", "Rate", "Series", "Newborns in proceedings per 10,000 live births",
                                   events=[{"x": "2019/20", "label": "Pre-birth team set up in the family court"},
                                           {"x": "2020/21", "label": "New court protocol"}])
        charts.finish(fig, title, "Source: Northbrook's own records, prepared for this book (see About your data).",
                      [("internal", "NOT FOR PUBLICATION: internal build, small numbers shown"),
                       ("synthetic", "Synthetic data: made-up numbers, for demonstration only")])
        width, sizes, svg = _phone_image(fig)
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        events = [t for t in ax.texts if getattr(t, "_prebirth_event", False)]
        assert len(events) == 2 and not _boxes_overlap(*(t.get_window_extent(renderer) for t in events))
        shown = [t for t in ax.get_xticklabels() if t.get_text()]
        assert 2 <= len(shown) < 10 and shown[-1].get_text() == "2023/24"  # fewer year labels, the latest kept
        boxes = [t.get_window_extent(renderer) for t in shown]
        assert not any(_boxes_overlap(a, b) for a, b in zip(boxes, boxes[1:]))
    page = charts.PROFILES[charts.NARROW]["page"] * 72 + 2 * 0.12 * 72  # the page and the saved margins, in pt
    assert width <= page + 1, f"the phone image is {width:.0f} pt wide, its page {page:.0f}"
    assert min(sizes) >= 15.5 - 0.01
    assert min(sizes) * PHONE_SHOWN / max(width, PHONE_SHOWN * 3 / 4) >= 16  # at least the caption's 16 px
    words = " ".join(w for w, _ in _svg_texts(svg))
    for name in long_names:  # the legend below, one entry a line: every word of each drawn
        assert all(word in words for word in name.split())
    plt = charts.plt
    plt.close(fig)


def test_long_category_labels_are_wrapped_on_a_phone_and_the_plot_keeps_its_room():
    data = pd.DataFrame({"What": ["Recorded on the baby's record at the first meeting", "Invited to the family group "
                                  "conference and the pre-birth planning meeting", "Given legal advice"],
                         "Per cent": [60.0, 40.0, 20.0]})
    with charts.profile(charts.NARROW):
        fig = charts.finish(charts.bars(data, "What", "Per cent", "% of babies with a pre-birth assessment"),
                            "Most babies had their father recorded")
        width, sizes, _ = _phone_image(fig)
        ax = fig.axes[0]
        page_px = charts.PROFILES[charts.NARROW]["page"] * fig.dpi
        assert ax.get_window_extent().width >= 0.35 * page_px  # the bars keep a third of the width or more
        assert all("\n" in t.get_text() for t in ax.get_yticklabels()[:2])
    assert width <= charts.PROFILES[charts.NARROW]["page"] * 72 + 2 * 0.12 * 72 + 1
    charts.plt.close(fig)
