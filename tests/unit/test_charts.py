"""Charts draw text from the parameters as written."""

from __future__ import annotations

import io

import pandas as pd

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
