"""Small-number suppression for everything the book publishes (DESIGN 9).

In a published build a count from 1 to ``min_count - 1`` is shown as ``c``; a share,
rate, median or limit built on a suppressed count is suppressed too; and in a table
with totals, further cells are suppressed where a suppressed cell could be worked
out by subtraction. 0 is shown: it identifies nobody.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .formats import MARKER  # the one definition of the marker


def is_small(count, min_count: int) -> bool:
    """True when a count would identify few enough people to need suppression."""
    if count is None or (isinstance(count, float) and math.isnan(count)):
        return False
    return 0 < count < min_count


def small_mask(counts, min_count: int) -> np.ndarray:
    values = pd.to_numeric(pd.Series(counts), errors="coerce").to_numpy(dtype=float)
    return (values > 0) & (values < min_count)


def share_needs_suppression(numerator, denominator, min_count: int) -> bool:
    """A share is withheld when its numerator, its denominator or its complement is small.

    The complement matters: 98 of 100 tells the reader that 2 children did not.
    """
    if denominator is None or pd.isna(denominator):
        return is_small(numerator, min_count)
    rest = denominator - numerator if numerator is not None and not pd.isna(numerator) else None
    return is_small(numerator, min_count) or is_small(denominator, min_count) or is_small(rest, min_count)


def secondary_suppress(counts: pd.DataFrame, min_count: int, primary: pd.DataFrame | None = None,
                       axes: tuple[int, ...] = (0, 1)) -> pd.DataFrame:
    """Boolean mask of cells to withhold in a table whose row and column totals are shown.

    Primary: counts 1..min_count-1. Secondary: wherever a row or column has exactly one
    withheld cell, the smallest other non-zero cell in that line is withheld too, so the
    hidden value cannot be found by subtracting from the total. Repeats until stable.
    ``axes``: 0 when column totals are shown (lines are columns), 1 for row totals.
    """
    values = counts.to_numpy(dtype=float)
    mask = (small_mask(values.ravel(), min_count).reshape(values.shape) if primary is None
            else primary.to_numpy(dtype=bool).copy())
    changed = True
    while changed:
        changed = False
        for axis in axes:
            lines = mask.T if axis == 0 else mask
            vals = values.T if axis == 0 else values
            for i in range(lines.shape[0]):
                hidden = lines[i]
                if hidden.sum() == 1:
                    candidates = np.where(~hidden & (vals[i] > 0))[0]
                    if len(candidates):
                        pick = candidates[np.argmin(vals[i][candidates])]
                        lines[i][pick] = True
                        changed = True
    return pd.DataFrame(mask, index=counts.index, columns=counts.columns)


def format_count(count, suppressed: bool = False) -> str:
    if suppressed:
        return MARKER
    if count is None or pd.isna(count):
        return "not recorded"
    return f"{int(count):,}"


# Units whose numbers count people (or stand on a count of people: a median's denominator).
PEOPLE_UNITS = ("proportion", "count", "per 10,000 live births", "days", "weeks", "months")


def _number(value) -> float:
    return math.nan if value is None or pd.isna(value) else float(value)


def suppress_indicator(row: dict, min_count: int) -> dict:
    """One indicator row with its numbers blanked when its counts are small (published builds).

    A row already flagged ``suppressed`` (e.g. derived from a suppressed count) stays so.
    Counts in ``numerator`` (and ``denominator`` when it counts people) decide; a
    denominator is published only when it is not itself a small count.
    """
    flag = row.get("suppressed")
    flag = False if flag is None or (isinstance(flag, float) and math.isnan(flag)) else bool(flag)
    unit = row.get("unit")
    if unit in PEOPLE_UNITS:
        num, den = row.get("numerator"), row.get("denominator")
        if unit == "proportion":
            flag = flag or share_needs_suppression(num, den, min_count)
        elif unit in ("count", "per 10,000 live births"):
            # a count recorded without its numerator is its own value
            count = row.get("value") if unit == "count" and (num is None or pd.isna(num)) else num
            flag = flag or is_small(count, min_count)
        else:  # medians: the number of people behind them
            flag = flag or is_small(den, min_count)
    out = dict(row, suppressed=flag)
    for column in ("numerator", "value", "lower", "upper"):
        out[column] = math.nan if flag else _number(row.get(column))
    denominator = _number(row.get("denominator"))
    out["denominator"] = math.nan if is_small(denominator, min_count) else denominator
    return out


def suppress_indicators(rows: pd.DataFrame, min_count: int) -> pd.DataFrame:
    """:func:`suppress_indicator` for every row of a table of indicators."""
    out = [suppress_indicator(row, min_count) for row in rows.to_dict("records")]
    return pd.DataFrame(out, index=rows.index, columns=list(dict.fromkeys([*rows.columns, "suppressed"])))


# -- text that reaches the book ---------------------------------------------------------------

class DisclosureError(Exception):
    """A chapter tried to publish something that identifies people (a child-level column)."""


# Column names that make a table child-level: never in a published table or download.
CHILD_LEVEL_COLUMNS = frozenset({
    "child_id", "mother_id", "father_id", "parent_id", "referral_id", "assessment_id", "support_id",
    "proceedings_id", "date_of_birth", "expected_date_of_birth", "dob"})

# Words after a number that make it a count of people (or of their records).
PEOPLE_NOUNS = ("babies", "baby", "children", "child", "newborns", "newborn", "infants", "infant", "mothers",
                "mother", "fathers", "father", "parents", "parent", "families", "family", "young people",
                "women", "men", "girls", "boys", "people", "rows", "records", "episodes", "referrals",
                "assessments", "applications", "starters")
_SMALL_BEFORE_NOUN = re.compile(
    # (a validation summary "N more rows with the same problem" is left whole: its reader withholds it)
    r"(?<![\w.,/:-])(\d{1,3}(?:,\d{3})*|\d+)(?![\w.,%/:-])(?!\s+more rows with the same problem)"
    r"(?=\s+(?:[a-z-]+\s+)?(?:" + "|".join(PEOPLE_NOUNS) + r")\b)",
    re.IGNORECASE)
_FULL_DATE = re.compile(r"(?<![\d/-])(?:\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4})(?![\d/-])")
_TOKEN = re.compile(r"[A-Za-z0-9_-]+")


def withhold_small_counts_in_text(text: str, min_count: int) -> str:
    """Replace counts of people from 1 to min_count - 1 in a sentence by the marker.

    ``'CIN census 2020/21: 2 children'`` becomes ``'... c children'``; years, codes and
    counts of min_count or more are left as they are.
    """
    def swap(match: re.Match) -> str:
        return MARKER if is_small(int(match.group(1).replace(",", "")), min_count) else match.group(1)

    return _SMALL_BEFORE_NOUN.sub(swap, text or "")


def words(text: str) -> list[str]:
    """The whole words of a text, as ``withhold_identifiers_in_text`` reads it."""
    return _TOKEN.findall(text or "")


def withhold_identifiers_in_text(text: str, identifiers) -> str:
    """Replace every id of ``identifiers`` (ids of the input data) that appears in the text, however
    it is written (``KID/0001``, ``A 12``, ``#7``: any characters), and every full date, so a message
    about one record can be published without naming it.

    Longer ids are matched first (``KID/0001/2`` before ``KID/0001``). An id that starts (ends)
    with a letter, digit, ``_`` or ``-`` is not matched inside a longer word: ``XC000373`` does
    not hold the id ``C000373``.
    """
    text = text or ""
    ids = sorted({i for i in (identifiers or ()) if isinstance(i, str) and i}, key=lambda i: (-len(i), i))
    if ids:
        word = re.compile(r"[A-Za-z0-9_-]")
        pattern = "|".join((r"(?<![A-Za-z0-9_-])" if word.match(i[0]) else "") + re.escape(i)
                           + (r"(?![A-Za-z0-9_-])" if word.match(i[-1]) else "") for i in ids)
        text = re.sub(pattern, "(id withheld)", text)
    return _FULL_DATE.sub("(date withheld)", text)


def check_publishable(frame: pd.DataFrame, what: str = "a table") -> None:
    """Refuse a table with a child-level column (an identifier or a date of birth)."""
    named = sorted({str(c) for c in frame.columns} & CHILD_LEVEL_COLUMNS
                   | {str(c) for c in frame.columns if " ".join(str(c).lower().replace("_", " ").split())
                      in {"date of birth", "expected date of birth", "child id", "parent id"}})
    if named:
        raise DisclosureError(f"{what} has child-level column(s) {', '.join(named)}: a published table holds "
                              "counts and summaries only, never a row per child, an identifier or a date of birth")


# -- one disclosure decision for the whole book, and its audit (DESIGN 9) ---------------------

@dataclass(frozen=True)
class Relation:
    """value(total) == sum(value(p) for p in parts): a linear relation the book publishes."""

    total: str
    parts: tuple[str, ...]
    why: str = ""  # plain description, e.g. "chapter 5: years add up to the whole period"

    def __post_init__(self):
        object.__setattr__(self, "parts", tuple(self.parts))

    def describe(self) -> str:
        """The relation's ``why``, or its equation when it has none."""
        return self.why or f"{self.total} = {' + '.join(self.parts)}"


@dataclass
class Audit:
    """What an interval attack on every published relation could learn of the withheld cells."""

    hidden: int              # cells withheld (shown cells hidden + sensitive implicit cells)
    relations: int           # relations checked
    narrowest: tuple | None  # (key, low, high) of the unknown small count with the fewest feasible whole values
    failures: list[tuple]    # (key, low, high, why) for every small count whose range holds < min_count
    #                          whole values (why: the relation holding it with fewest unknowns)

    @property
    def passed(self) -> bool:
        return not self.failures

    def as_dict(self) -> dict:
        """JSON-able (for manifest.json); an unbounded ``high`` is ``None``."""
        finite = lambda high: None if high == math.inf else int(high)  # noqa: E731
        return {
            "passed": self.passed,
            "hidden": int(self.hidden),
            "relations": int(self.relations),
            "narrowest": (None if self.narrowest is None else
                          {"key": self.narrowest[0], "low": int(self.narrowest[1]), "high": finite(self.narrowest[2])}),
            "failures": [{"key": key, "low": int(low), "high": finite(high), "why": why}
                         for key, low, high, why in self.failures],
        }


SHOWN_AS_A_NUMBER = "published as a number (not withheld)"


def _whole_values(low, high) -> float:
    return high - low + 1


def _whole_count(value) -> bool:
    numeric = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    return numeric and math.isfinite(value) and float(value).is_integer() and value >= 0


class _Book:
    """Counts, what is shown and the relations, checked once and indexed for the solver."""

    def __init__(self, counts: dict, shown, relations):
        self.values: dict[str, int] = {}
        for key, value in counts.items():
            if not _whole_count(value):
                raise ValueError(f"disclosure: count {key!r} is {value!r}; every count must be a whole number >= 0")
            self.values[key] = int(value)
        self.keep: frozenset = frozenset()  # cells to withhold as partners only when no other will do
        self.shown = frozenset(shown)
        self._known_keys(self.shown, "shown")
        self.implicit = frozenset(self.values) - self.shown
        self.relations = list(relations)
        self.terms: list[dict[str, int]] = []
        for relation in self.relations:
            keys = (relation.total, *relation.parts)
            missing = sorted({k for k in keys if k not in self.values})
            if missing:
                raise ValueError(f"disclosure: relation {relation.describe()!r} names key(s) with no count: "
                                 f"{', '.join(map(repr, missing))}")
            coefficients: dict[str, int] = {relation.total: 1}
            for part in relation.parts:
                coefficients[part] = coefficients.get(part, 0) - 1
            coefficients = {k: c for k, c in sorted(coefficients.items()) if c}
            if sum(c * self.values[k] for k, c in coefficients.items()) != 0:
                raise ValueError(
                    f"disclosure: relation {relation.describe()!r} does not add up: {relation.total} = "
                    f"{self.values[relation.total]} but {' + '.join(relation.parts)} = "
                    f"{' + '.join(str(self.values[p]) for p in relation.parts)} = "
                    f"{sum(self.values[p] for p in relation.parts)}")
            self.terms.append(coefficients)
        self.relations_of: dict[str, list[int]] = {}
        for index, coefficients in enumerate(self.terms):
            for key in coefficients:
                self.relations_of.setdefault(key, []).append(index)
        # ties between relations are broken by what they say, not by the order they were given in
        self.rank = {index: position for position, index in enumerate(sorted(
            range(len(self.relations)), key=lambda i: (self.relations[i].total, self.relations[i].parts,
                                                       self.relations[i].why, i)))}

    def _known_keys(self, keys, what: str) -> None:
        missing = sorted(set(keys) - set(self.values))
        if missing:
            raise ValueError(f"disclosure: {what} key(s) with no count: {', '.join(map(repr, missing[:10]))}"
                             + (f" and {len(missing) - 10} more" if len(missing) > 10 else ""))

    def sensitive(self, min_count: int) -> frozenset:
        """Counts of 1 to min_count - 1: the ones whose values must not be recoverable. Keys starting
        with ``~`` are sums and repeats that tie a measure's years to its whole period: never
        published, and not themselves counts of a group of people."""
        return frozenset(k for k, v in self.values.items() if 0 < v < min_count and not k.startswith("~"))

    def components(self, unknown) -> list[tuple[tuple[str, ...], tuple[int, ...]]]:
        """Connected groups of unknown cells (linked by relations), each with the relations that touch it."""
        parent: dict[str, str] = {}

        def find(key):
            root = key
            while parent.get(root, root) != root:
                root = parent[root]
            while key != root:
                parent[key], key = root, parent.get(key, key)
            return root

        touching: list[tuple[int, str]] = []
        for index, coefficients in enumerate(self.terms):
            inside = [k for k in coefficients if k in unknown]
            if inside:
                first = find(inside[0])
                for key in inside[1:]:
                    other = find(key)
                    if other != first:
                        parent[other] = first
                touching.append((index, inside[0]))
        keys_by_root: dict[str, list[str]] = {}
        for key in unknown:
            keys_by_root.setdefault(find(key), []).append(key)
        relations_by_root: dict[str, list[int]] = {}
        for index, key in touching:
            relations_by_root.setdefault(find(key), []).append(index)
        return sorted((tuple(sorted(keys)), tuple(relations_by_root.get(root, ())))
                      for root, keys in keys_by_root.items())

    def ranges(self, keys: tuple[str, ...], relation_ids: tuple[int, ...], targets: list[str],
               min_count: int, exact: bool) -> dict[str, tuple]:
        """Feasible whole-number range of each target in one component, by (mixed-integer) LP.

        ``exact=False`` (while deciding) leaves out targets already seen to take ``min_count``
        values at feasible points met on the way (the counts themselves are one): they pass.
        """
        if not relation_ids:
            return {t: (0, math.inf) for t in targets}
        column = {key: j for j, key in enumerate(keys)}
        n = len(keys)
        rows, columns, coefficients = [], [], []
        rhs = np.zeros(len(relation_ids))
        for row, index in enumerate(relation_ids):
            for key, coefficient in self.terms[index].items():
                if key in column:
                    rows.append(row), columns.append(column[key]), coefficients.append(coefficient)
                else:
                    rhs[row] -= coefficient * self.values[key]
        from scipy.sparse import csr_array

        matrix = csr_array((coefficients, (rows, columns)), shape=(len(relation_ids), n), dtype=float)
        if len(relation_ids) * n <= DENSE_UP_TO:  # small groups (nearly all): dense is quicker to use
            matrix = matrix.toarray()
        if n == 1:  # one unknown in an equation: pinned
            value = self.values[keys[0]]
            return {t: (value, value) for t in targets}
        truth = np.array([self.values[k] for k in keys], dtype=float)
        seen_low, seen_high = truth.copy(), truth.copy()

        def note(point):
            np.minimum(seen_low, point, out=seen_low)
            np.maximum(seen_high, point, out=seen_high)

        attack = _Attack(matrix, rhs, note)
        if len(targets) > 2:
            # two points that move every target at once (all as low, all as high as they go)
            # often show most ranges wide enough, or at 0, before each is solved on its own
            together = np.zeros(n)
            together[[column[t] for t in targets]] = 1.0
            attack.optimum(together)
            if not exact:
                attack.optimum(-together)
        out = {}
        for target in targets:
            j = column[target]
            if not exact and _whole_values(seen_low[j], seen_high[j]) >= min_count:
                continue
            low = 0 if seen_low[j] == 0 else attack.extreme(j, False)
            if not exact and _whole_values(low, seen_high[j]) >= min_count:
                continue
            high = attack.extreme(j, True)
            if exact or _whole_values(low, high) < min_count:
                out[target] = (low, high)
        return out


def _integral_point(matrix, rhs, x):
    """``x`` rounded, when it is a whole-number solution of the relations (else None)."""
    point = np.round(x)
    if np.all(np.abs(x - point) <= 1e-6) and np.all(point >= 0) and np.array_equal(matrix @ point, rhs):
        return point
    return None


# HiGHS is called through scipy's own binding (scipy.optimize._highspy, what linprog uses) so
# that one model per group of cells is loaded once and re-solved from its last basis for each
# cell's min and max: about 20 times faster than a fresh linprog per bound. Set to False (or
# it falls back by itself if that binding ever moves) to use linprog for every bound.
USE_HIGHS_DIRECTLY = True
DENSE_UP_TO = 1_000_000  # a group's equations are held as a dense matrix up to this many entries


class _Attack:
    """Min and max of each unknown over the whole numbers >= 0 with ``matrix @ x == rhs``.

    The LP relaxation first (HiGHS); when its optimum is a whole-number point that is the
    answer, otherwise the mixed-integer problem is solved (scipy's ``milp``). An unbounded
    relaxation means an unbounded integer problem: the counts themselves are a whole-number
    solution and the data are whole, so the integer hull has the same directions of recession.
    Every whole-number optimum met is passed to ``note`` (a feasible point of the attack).
    """

    def __init__(self, matrix: np.ndarray, rhs: np.ndarray, note):
        self.matrix, self.rhs, self.note = matrix, rhs, note
        self.highs = self._load() if USE_HIGHS_DIRECTLY else None

    def _load(self):
        try:
            from scipy.optimize._highspy import _core
            from scipy.sparse import csc_array

            rows, n = self.matrix.shape
            highs = _core._Highs()
            highs.setOptionValue("output_flag", False)
            lp = _core.HighsLp()
            lp.num_col_, lp.num_row_ = n, rows
            lp.col_cost_, lp.col_lower_, lp.col_upper_ = np.zeros(n), np.zeros(n), np.full(n, _core.kHighsInf)
            lp.row_lower_, lp.row_upper_ = self.rhs, self.rhs
            columns = csc_array(self.matrix)
            lp.a_matrix_.format_ = _core.MatrixFormat.kColwise
            lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, rows
            lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = (
                columns.indptr, columns.indices, columns.data)
            if highs.passModel(lp) != _core.HighsStatus.kOk:
                return None
            self._core, self._columns = _core, np.arange(n, dtype=np.int32)
            return highs
        except (ImportError, AttributeError, TypeError, RuntimeError):
            return None

    def _relaxed(self, objective: np.ndarray):
        """(status, x) of the LP relaxation: 'optimal', 'unbounded' or an error message."""
        if self.highs is not None:
            core = self._core
            self.highs.changeColsCost(len(objective), self._columns, objective)
            self.highs.run()
            status = self.highs.getModelStatus()
            if status == core.HighsModelStatus.kOptimal:
                return "optimal", np.asarray(self.highs.getSolution().col_value)
            if status in (core.HighsModelStatus.kUnbounded, core.HighsModelStatus.kUnboundedOrInfeasible):
                return "unbounded", None
            return self.highs.modelStatusToString(status), None
        from scipy.optimize import linprog

        result = linprog(objective, A_eq=self.matrix, b_eq=self.rhs, bounds=(0, None), method="highs")
        return {0: "optimal", 3: "unbounded"}.get(result.status, result.message), result.x

    def extreme(self, j: int, maximise: bool) -> float:
        """The least (or greatest) whole value unknown ``j`` can take: ``inf`` when unbounded."""
        objective = np.zeros(self.matrix.shape[1])
        objective[j] = -1.0 if maximise else 1.0
        point = self.optimum(objective)
        return math.inf if point is None else int(point[j])

    def optimum(self, objective: np.ndarray):
        """A whole-number point minimising ``objective``, or None when it is unbounded below."""
        status, x = self._relaxed(objective)
        if status == "unbounded":
            return None
        if status != "optimal":
            raise RuntimeError(f"disclosure audit: the linear program failed ({status})")
        point = _integral_point(self.matrix, self.rhs, x)
        if point is None:
            from scipy.optimize import Bounds, LinearConstraint, milp

            whole = milp(objective, constraints=LinearConstraint(self.matrix, self.rhs, self.rhs),
                         integrality=np.ones(len(objective)), bounds=Bounds(0, np.inf))
            if whole.status != 0 or whole.x is None:
                raise RuntimeError(f"disclosure audit: the integer program failed ({whole.message})")
            point = _integral_point(self.matrix, self.rhs, whole.x)
            if point is None:
                raise RuntimeError("disclosure audit: the integer program gave a point that breaks the relations")
        self.note(point)
        return point


def _ranges(book: _Book, unknown, targets, min_count: int, exact: bool, cache: dict | None = None,
            components: list | None = None):
    """{key: (low, high)} of the targets (all of them when exact, else only those that fail).

    ``components``: the groups of ``unknown`` to look in (default: all of them); ``cache``
    keeps each group's answer (a group's unknowns fix its equations, so the answer holds).
    """
    out = {}
    for keys, relation_ids in book.components(unknown) if components is None else components:
        component_targets = [k for k in keys if k in targets]
        if not component_targets:
            continue
        memo = (keys, tuple(component_targets), exact)
        if cache is not None and memo in cache:
            out.update(cache[memo])
            continue
        found = book.ranges(keys, relation_ids, component_targets, min_count, exact)
        if cache is not None:
            cache[memo] = found
        out.update(found)
    return out


def _closest_relation(book: _Book, key: str, unknown) -> int | None:
    """The relation holding ``key`` that tells the most about it (fewest unknowns), if any."""
    relations = book.relations_of.get(key, [])
    if not relations:
        return None
    return min(relations, key=lambda i: (sum(k in unknown for k in book.terms[i]), book.rank[i]))


def _partner(book: _Book, key: str, unknown, unknowns: list[int]) -> tuple[tuple, str] | None:
    """The shown cell to withhold so that ``key`` is no longer narrowed, with its score.

    The candidates are the shown cells of the relations holding ``key`` (failing those, when
    every cell of them is withheld already, of the relations one step further through unknown
    cells, and so on). Lowest score first: a cell of a relation in which ``key`` is the only
    unknown (that relation pins it, so it must get a partner); a cell the book would rather keep
    (``book.keep``: the whole period's figures) after any other; a part before a total; the cell
    that would itself be pinned by the fewest of its other relations (so withheld cells close
    into patterns, as the corners of a rectangle do, instead of each needing a partner of its
    own); a relation with fewer unknowns; a non-zero part before a zero one; the smallest;
    then by key. ``unknowns[i]``: how many cells of relation ``i`` are in ``unknown``.
    """
    def alone(candidate: str, chosen: int) -> int:
        """How many other relations of ``candidate`` have no unknown cell (would pin it)."""
        return sum(1 for i in book.relations_of[candidate] if i != chosen and not unknowns[i])

    frontier, reached, used = [key], {key}, set()
    while frontier:
        relations = sorted({i for k in frontier for i in book.relations_of.get(k, [])} - used)
        scored = []
        for index in relations:
            total, count = book.relations[index].total, unknowns[index]
            for k in book.terms[index]:
                if k in book.shown and k not in unknown:
                    scored.append(((count > 1, k in book.keep, k == total, alone(k, index), count,
                                    book.values[k] == 0, book.values[k], k, book.rank[index]), k))
        if scored:
            return min(scored)
        used.update(relations)
        frontier = sorted({k for i in relations for k in book.terms[i] if k in unknown} - reached)
        reached.update(frontier)
    return None


def protect(counts: dict[str, int], shown: set[str], relations: list[Relation], min_count: int,
            forced: set[str] = frozenset(), keep: set[str] = frozenset()) -> set[str]:
    """The keys of shown cells to withhold (primary + secondary), decided once for the whole book.

    Primary: shown counts 1..min_count-1, and ``forced`` keys (withheld, but like any cell
    that is not small, not themselves protected). Secondary: while the interval audit finds a
    small cell (1 to min_count - 1, shown or not) whose feasible range holds fewer than
    ``min_count`` whole values, it and the withheld cells narrowed in its group (through which
    it is pinned: the corners of a rectangle) each get a partner, the shown cell of the
    relation that pins it most (see :func:`_partner`); in one round, one partner per such
    cell that shares no relation with another handled this round. Stops when the audit passes
    or nothing is left to withhold (the audit then fails and the build refuses to publish).
    Deterministic: ties go by key.
    """
    book = _Book(counts, shown, relations)
    book._known_keys(forced, "forced")
    book.keep = frozenset(keep)  # withheld as partners only when no other cell will do
    sensitive = book.sensitive(min_count)
    withheld = {k for k in book.shown if k in sensitive} | (set(forced) & book.shown)
    cache: dict = {}
    while True:
        unknown = book.implicit | withheld
        components = book.components(unknown)
        failing = _ranges(book, unknown, sensitive, min_count, exact=False, cache=cache, components=components)
        if not failing:
            return withheld
        # a small cell whose own relations each hold other unknowns is pinned through withheld
        # cells that are narrowed themselves: they get partners too, so patterns close up
        pinned = [c for c in components if not failing.keys().isdisjoint(c[0])]
        failing.update(_ranges(book, unknown, withheld, min_count, exact=False, cache=cache, components=pinned))
        # the most clearly pinned first: a cell alone in a relation gets its partner there
        unknowns = [sum(1 for k in terms if k in unknown) for terms in book.terms]
        first = {key: _partner(book, key, unknown, unknowns) for key in failing}
        added, marked = set(), set()
        for key in sorted((k for k in failing if first[k] is not None),
                          key=lambda k: (first[k][0], _whole_values(*failing[k]), k)):
            if marked.intersection(book.relations_of.get(key, ())):
                continue  # a neighbour's new partner may already widen this one: look again next round
            choice = _partner(book, key, unknown | added, unknowns)
            if choice is None:
                continue
            partner = choice[1]
            added.add(partner)
            for index in book.relations_of[partner]:
                unknowns[index] += 1
            marked.update(book.relations_of.get(key, ()))
            marked.update(book.relations_of.get(partner, ()))
        if not added:
            return withheld
        withheld |= added


def audit(counts: dict[str, int], shown: set[str], hidden: set[str], relations: list[Relation],
          min_count: int) -> Audit:
    """Interval attack by (mixed-integer) linear programming over every published relation.

    Unknown to a reader: the implicit cells (in ``counts`` but not ``shown``) and the
    ``hidden`` ones; every unknown is a whole number >= 0. For every small count (shown or
    implicit), its feasible range is found by minimising and maximising
    it subject to every relation with the published values put in. A range holding fewer than
    ``min_count`` whole values is a failure; so is a small count shown as a number. A cell
    withheld only to protect another (a secondary cell, not small itself) may be narrowed: it
    counts no small group of people. ``narrowest`` is over the small counts.
    """
    book = _Book(counts, shown, relations)
    book._known_keys(hidden, "hidden")
    sensitive = book.sensitive(min_count)
    withheld = set(hidden) & book.shown
    unknown = book.implicit | withheld
    found = _ranges(book, unknown, sensitive, min_count, exact=True)
    failures = []
    for key in sorted(sensitive & book.shown - withheld):
        failures.append((key, book.values[key], book.values[key], SHOWN_AS_A_NUMBER))
    for key, (low, high) in found.items():
        if _whole_values(low, high) < min_count:
            index = _closest_relation(book, key, unknown)
            failures.append((key, low, high, "" if index is None else book.relations[index].describe()))
    failures.sort(key=lambda f: (_whole_values(f[1], f[2]), f[0]))
    narrowest = min(((k, low, high) for k, (low, high) in found.items()),
                    key=lambda f: (_whole_values(f[1], f[2]), f[0]), default=None)
    return Audit(hidden=len(withheld) + len(sensitive & book.implicit), relations=len(book.relations),
                 narrowest=narrowest, failures=failures)


# -- one decision for the whole book (DESIGN 3, step 4) --------------------------------------------

@dataclass(frozen=True)
class Decision:
    """What the book withholds, decided once over every chapter's results.

    ``withheld``: keys of shown counts that are withheld (primary and secondary);
    ``small_implicit``: keys of counts never shown that are small (a measure resting on one is withheld).
    An internal book withholds nothing.
    """

    published: bool = False
    min_count: int = 6
    withheld: frozenset = frozenset()
    small_implicit: frozenset = frozenset()
    audit: dict = field(default_factory=dict)

    def restricted_to(self, result) -> "Decision":
        """The part of the decision about one chapter's cells (so a chapter's page changes only when
        what it shows changes)."""
        from .results import counts_of

        mine = set(counts_of(result.cells())) | set(result.implicit)
        return Decision(self.published, self.min_count, frozenset(self.withheld & mine),
                        frozenset(self.small_implicit & mine))

    def blocks(self, key: str) -> bool:
        return key in self.withheld or key in self.small_implicit

    def hides(self, cell) -> bool:
        """True when a cell (Count, Share, Measure) is shown as the marker."""
        from .results import Count, Measure, Share

        if isinstance(cell, Measure) and cell.withheld_at_source:
            return True
        if not self.published:
            return False
        if isinstance(cell, Count):
            return cell.key in self.withheld
        if isinstance(cell, Share):
            return self.blocks(cell.numerator.key) or self.blocks(cell.denominator.key)
        if isinstance(cell, Measure):
            counts = [c for c in (cell.numerator, *cell.on) if isinstance(c, Count)]
            return any(self.blocks(c.key) for c in counts)
        return False


class AuditFailed(Exception):
    """A published book whose audit finds a recoverable small count: it is not published."""

    def __init__(self, audit: Audit):
        self.audit = audit
        key, low, high, why = audit.failures[0]
        super().__init__(f"{len(audit.failures)} withheld number(s) could be worked out from what the book publishes; "
                         f"e.g. '{key}' lies between {low} and {high} by '{why}'. Nothing was published.")


def decide(results: list, published: bool, min_count: int, previous: list | None = None) -> Decision:
    """Disclose once, for the whole book: collect every count, every shown key and every relation of
    every chapter's result, withhold (primary, complement, secondary), and audit the outcome.

    Raises :class:`AuditFailed` when a published book would still let a small count be recovered.
    """
    from . import results as r

    cells = [c for result in results for c in result.cells()]
    counts = r.counts_of(cells)
    for result in results:
        for name, value in result.implicit.items():
            if counts.setdefault(name, value) != value:
                raise ValueError(f"the count {name!r} is {counts[name]} and {value}")
    counts.update(r.share_rests(cells))
    shown = r.shown_keys(cells)
    relations = list(dict.fromkeys([rel for result in results for rel in result.relations] + r.share_relations(cells)))
    for relation in relations:
        for name in (relation.total, *relation.parts):
            if name not in counts:
                raise ValueError(f"the relation '{relation.why}' names {name!r}, which no chapter counts")
    if not published:
        return Decision(False, min_count)
    for result in results:  # a published table holds counts and summaries, never a row per child
        for name, item in result.items.items():
            frame = getattr(item, "frame", getattr(item, "data", None))
            if isinstance(frame, pd.DataFrame):
                check_publishable(frame, f"chapter {result.number}'s '{name}'")
    # A figure for the whole period is what most readers read first: a year is withheld as a
    # partner before it, wherever either would do.
    whole_period = {k for k in shown if k.endswith("|all") or "|all|" in k}
    withheld = protect(counts, shown, relations, min_count, keep=whole_period)
    report = audit(counts, shown, withheld, relations, min_count)
    small = frozenset(k for k, v in counts.items() if k not in shown and 0 < v < min_count)
    decision = Decision(True, min_count, frozenset(withheld), small,
                        dict(report.as_dict(), cells=len(counts), shown=len(shown)))
    if not report.passed:
        raise AuditFailed(report)
    return decision
