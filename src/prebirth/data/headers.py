"""Checks of a table's header row, the same for CSV files and workbook sheets."""

from __future__ import annotations

import re

from .problems import Problem, error

# A canonical table has at most nine named columns; a few of the analyst's own may come along.
# A header far wider is not a table of this book (a transposed sheet, a whole export):
# it is refused at once, before its cells are read.
MAX_COLUMNS = 500


def repeated_columns(names: list, file: str, problems: list[Problem]) -> bool:
    """Whether a column name appears twice in a header (case and spaces aside); each such name is an error.

    Two columns of one name hold two versions of the same thing: using one would silently
    leave out the other. pandas reads a second 'child_id' as 'child_id.1'; that counts too.
    """
    keys = [str(n).strip().lower() for n in names]
    known = set(keys)  # a set: looking each name up in the list made a wide header quadratic
    where: dict[str, list[int]] = {}
    for position, key in enumerate(keys, 1):
        repeat = re.fullmatch(r"(.+)\.\d+", key)
        if repeat and repeat.group(1) in known:
            key = repeat.group(1)
        if key and not key.startswith("unnamed:"):
            where.setdefault(key, []).append(position)
    repeated = {key: places for key, places in where.items() if len(places) > 1}
    for key, places in repeated.items():
        listed = ", ".join(map(str, places[:-1])) + f" and {places[-1]}"
        times = {2: "twice", 3: "three times"}.get(len(places), f"{len(places)} times")
        problems.append(error(file, 1, key, None,
                              f"the column '{key}' appears {times} in the header (columns {listed}; "
                              "capitals and spaces are ignored), so it is not clear which to use",
                              "keep one column of that name: delete or rename the others"))
    return bool(repeated)
