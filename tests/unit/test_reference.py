"""The published reference figures file reads as one figure a row (a figure's text with a comma is quoted)."""

import csv

from prebirth import reference


def test_every_row_has_the_header_columns():
    with open(reference.REFERENCE_FILE, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert all(len(row) == len(rows[0]) for row in rows[1:] if row)


def test_rates_per_10000_read_as_numbers():
    assert reference.value("england_newborn_rate_2019_20") == 48
    assert reference.value("wales_newborn_rate_2019_20") == 68.3
    assert reference.national("Wales", "newborn_rate_2018")["period"] == "2018"
