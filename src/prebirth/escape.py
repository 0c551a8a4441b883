"""Text from the inputs, made harmless wherever the book writes it (DESIGN 9).

Names, labels, statements and codes from the parameters and the data reach MyST markdown,
HTML, slides and CSV downloads. In markdown they are escaped so that markup, roles, maths
and links show as text; in CSV a cell that a spreadsheet would run as a formula gets a
leading apostrophe (the OWASP rule).
"""

from __future__ import annotations

import re
import string

# -- words from the inputs --------------------------------------------------------------------

_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&#x27;"}
_PUNCTUATION = set(string.punctuation) - set(_ENTITIES)


def escape_markdown(text) -> str:
    """Text from the inputs as MyST markdown that shows it literally (no markup, role, maths or link)."""
    out = []
    for ch in str(text):
        if ch in _ENTITIES:
            out.append(_ENTITIES[ch])
        elif ch in _PUNCTUATION:
            out.append("\\" + ch)
        elif ch in "\r\n\t":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


_NUMBER = re.compile(r"[-+]?\d[\d,]*(\.\d+)?%?")


def safe_csv_cell(value):
    """A CSV cell that no spreadsheet runs as a formula (OWASP: a leading apostrophe).

    Plain numbers written as text (``-0.3%``) are left alone: a spreadsheet reads them as numbers.
    """
    if isinstance(value, str) and value and value[0] in "=+-@\t\r" and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_text(frame) -> str:
    """A frame as CSV with formula-like cells (and headings) neutralised."""
    from pandas.api.types import is_numeric_dtype

    safe = frame.copy()
    safe.columns = [safe_csv_cell(str(c)) for c in safe.columns]
    for i in range(safe.shape[1]):
        column = safe.iloc[:, i]
        if not is_numeric_dtype(column):
            safe.isetitem(i, column.map(safe_csv_cell))
    return safe.to_csv(index=False)
