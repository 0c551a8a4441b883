"""A column seen through its distinct values.

A column of 300,000 referral dates holds about 3,600 different dates, a code column a
handful, a column of CIN factor cells a few hundred combinations: reading, parsing or
checking each distinct value once, then spreading the results back to the rows, keeps a
large area as quick as a small one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


class Distinct:
    """The distinct values of a column (``values``, missing ones left out) and where each row's is."""

    def __init__(self, column: pd.Series):
        self.index = column.index
        # codes: each row's position among the distinct values; -1 where the value is missing
        self.codes, self.values = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=True)

    def rows(self, per_value, missing, dtype=None) -> pd.Series:
        """Each row's result, from one result per distinct value (``missing`` where the value is)."""
        results = np.empty(len(self.values), dtype=object) if dtype is None else None
        if results is not None:
            results[:] = list(per_value)  # element by element: a set or a tuple stays one value
        else:
            results = np.asarray(per_value, dtype=dtype)
        spread = np.append(results, np.array([missing], dtype=results.dtype))[self.codes]  # -1 picks ``missing``
        return pd.Series(spread, index=self.index, dtype=spread.dtype)  # object stays object (not "str")

    def rows_where(self, per_value) -> pd.Series:
        """Rows whose distinct value is flagged True (missing values: False)."""
        return self.rows(np.asarray(per_value, dtype=bool), False, dtype=bool)

    def map(self, compute, missing, dtype=None) -> pd.Series:
        """``compute(value)`` for each distinct value, once, spread back to the rows."""
        return self.rows([compute(value) for value in self.values], missing, dtype)
