"""What a book is made of (DESIGN 3): where its sources are (the notebooks, pages and
Jupyter Book configuration of the project the package is in), the chapter notebooks with
the tables each reads and the chapters whose results it collects, and the parameters each
notebook declares. The first stage of the orchestration and its base: every later stage
reads from here, and this module imports nothing of theirs (nor pandas).
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from pathlib import Path

from .chapters.requirements import QUESTIONS
from .data.schema import TABLES
from .exit_codes import BuildError

PACKAGE_DIR = Path(__file__).resolve().parent
# The book's sources (notebooks/, pages/, _config.yml, _toc.yml): the project the package is in.
ROOT = PACKAGE_DIR.parents[1] if (PACKAGE_DIR.parents[1] / "_toc.yml").is_file() else Path.cwd()
ALL_TABLES = tuple(TABLES)  # every canonical table, in the schema's order


@dataclass(frozen=True)
class Notebook:
    """A chapter notebook and what it reads (its cache depends on exactly these)."""

    stem: str
    number: int
    tables: tuple[str, ...]
    after: tuple[str, ...] = ()  # notebooks whose results it collects
    module: str = ""  # prebirth.chapters.<module>

    @property
    def key(self) -> str:
        return self.stem.split("_", 1)[1]

    @property
    def computed(self) -> bool:
        """Whether the chapter's result is computed first and disclosed with the whole book
        (:mod:`prebirth.compute`): its notebook then takes the ``result_file`` it displays."""
        return _takes_result(ROOT / "notebooks" / f"{self.stem}.ipynb")


def _tables_for(chapter: int) -> tuple[str, ...]:
    needed = {need.table for q in QUESTIONS if q.chapter == chapter for need in q.needs}
    return tuple(sorted(needed | {"children"}))


NOTEBOOKS: tuple[Notebook, ...] = (
    # chapter 0 collects chapters 1-7: a question whose yearly figures are mostly withheld is only partly answered
    Notebook("00_about_your_data", 0, ALL_TABLES, after=tuple(f"0{i}" for i in range(1, 8)), module="about_data"),
    Notebook("01_infants_and_newborns", 1, _tables_for(1), module="infants"),
    Notebook("02_recurrent_proceedings", 2, _tables_for(2), module="recurrence"),
    Notebook("03_behind_the_trends", 3, _tables_for(3), module="trends"),
    Notebook("04_waiting_times", 4, _tables_for(4), module="waiting"),
    Notebook("05_urgent_hearings", 5, _tables_for(5), module="urgent"),
    Notebook("06_the_parents", 6, _tables_for(6) + ("care_episodes",), module="parents"),
    Notebook("07_fathers", 7, _tables_for(7) + ("parents", "assessments"), module="fathers"),
    Notebook("08_reflect_and_plan", 8, ("rag",), after=tuple(f"0{i}" for i in range(8)), module="reflect"),
    Notebook("09_about_this_report", 9, ALL_TABLES, after=tuple(f"0{i}" for i in range(9)), module="about_report"),
)


# -- parameters of a notebook --------------------------------------------------

def notebook_parameters(path: Path) -> dict[str, str]:
    """Names (and annotations) declared in the notebook's cell tagged ``parameters``."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise BuildError(f"{path.name}: needs exactly one cell tagged 'parameters' (found {len(cells)})")
    names = {}
    for node in ast.parse(cells[0].source).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = ast.unparse(node.annotation)
        elif isinstance(node, ast.Assign):
            names.update({t.id: "" for t in node.targets if isinstance(t, ast.Name)})
    return names


@functools.lru_cache(maxsize=None)
def _takes_result(path: Path) -> bool:
    return path.exists() and "result_file" in notebook_parameters(path)


def check_parameters(path: Path, given: dict) -> None:
    """Papermill only warns about unknown parameters; the book refuses them."""
    declared = notebook_parameters(path)
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise BuildError(f"{path.name}: its parameters cell does not declare {', '.join(unknown)}; "
                         f"declare them (declared: {', '.join(declared)})")
