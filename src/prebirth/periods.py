"""The financial year, April to March, and its label (DESIGN 5.2): one definition for the book.

Proceedings are counted by the financial year of their issue, labelled ``2019/20`` for
1 April 2019 to 31 March 2020. A leaf module: the data readers, the definitions, the
chapters and the demo generator all write the label the same way.
"""

from __future__ import annotations


def financial_year_label(start_year: int) -> str:
    """The label of the financial year that starts on 1 April ``start_year``: 2019 -> '2019/20'."""
    start_year = int(start_year)
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def financial_year_start(label: str) -> int:
    """'2019/20' -> 2019 (the calendar year whose live births are the rate's denominator)."""
    return int(label[:4])
