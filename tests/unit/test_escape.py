"""Text from the inputs shown as text: markdown escaping and CSV cells that are never formulas."""

import io
import re

import pandas as pd
import pytest

from prebirth.escape import csv_text, escape_markdown, safe_csv_cell


@pytest.mark.parametrize("cell, expected", [
    ("=HYPERLINK(\"http://x\",\"click\")", "'=HYPERLINK(\"http://x\",\"click\")"),
    ("+1+2", "'+1+2"), ("-2+3", "'-2+3"), ("@SUM(A1:A9)", "'@SUM(A1:A9)"), ("\tcmd", "'\tcmd"),
    ("\r=1", "'\r=1"),
    ("-0.3%", "-0.3%"), ("+5.8%", "+5.8%"), ("-12", "-12"),  # numbers written as text stay numbers
    ("Northbrook", "Northbrook"), ("", ""), (7, 7),
])
def test_a_formula_like_cell_gets_a_leading_apostrophe(cell, expected):
    assert safe_csv_cell(cell) == expected


def test_csv_neutralises_cells_and_headings_but_not_numbers():
    frame = pd.DataFrame({"=owner": ["@SUM(A1)", "Team A"], "count": [-3, 12]})
    rows = pd.read_csv(io.StringIO(csv_text(frame)), dtype=str)
    assert list(rows.columns) == ["'=owner", "count"]
    assert rows["'=owner"].tolist() == ["'@SUM(A1)", "Team A"]
    assert rows["count"].tolist() == ["-3", "12"]  # a numeric column is left as numbers


def test_markdown_escaping_leaves_no_markup_role_maths_or_link():
    text = "<script>alert('x')</script> *bold* {glue}`n` $x^2$ [link](http://x) a & b"
    escaped = escape_markdown(text)
    assert "<" not in escaped and ">" not in escaped
    # every character that markdown or MyST reads as markup is escaped by a backslash
    assert not re.search(r"(?<!\\)[*`{}$\[\]()]", escaped)
    assert escaped.startswith("&lt;script&gt;alert\\(&#x27;x&#x27;\\)")
    assert "a &amp; b" in escaped


def test_markdown_escaping_folds_line_breaks():
    # a new line in a name must not start a heading, a list or a directive in the page
    assert escape_markdown("North\n# heading\r\n- item") == "North \\# heading  \\- item"
