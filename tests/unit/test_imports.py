"""Imports point one way (DESIGN 3): the orchestration imports the analysis, never the other
way round; only the command line imports the build; and no module of the package imports,
as it is imported, a module that imports it back (read from the source, with ast)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import prebirth

PACKAGE = Path(prebirth.__file__).resolve().parent
ANALYSIS = ("chapters", "stats", "data", "results", "present", "disclosure")
ORCHESTRATION = ("build", "kernels", "render", "publish", "compute", "fingerprints")


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _top_level(body: list[ast.stmt]):
    """The statements run when the module is imported: not those in functions, nor under
    ``if TYPE_CHECKING:``."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from _top_level(node.orelse)
            continue
        yield node
        for field in ("body", "orelse", "finalbody", "handlers"):
            inner = getattr(node, field, None)
            if isinstance(inner, list):
                yield from _top_level([n for n in inner if isinstance(n, ast.stmt)] +
                                      [s for h in inner if isinstance(h, ast.ExceptHandler) for s in h.body])


def imports_of(module: str, when_imported: bool) -> set[str]:
    """The package's modules that ``module`` imports: as it is imported, or anywhere in it."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    nodes = _top_level(tree.body) if when_imported else ast.walk(tree)
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                if MODULES[module].name != "__init__.py":
                    base = base[:-1]  # a module's '.' is its package
                base = base[:len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            found.add(source)
            found.update(f"{source}.{alias.name}" for alias in node.names)  # `from . import build`
    return {name for name in found if name in MODULES and name != module}


def _is(module: str, stages: tuple[str, ...]) -> bool:
    return any(module == f"prebirth.{s}" or module.startswith(f"prebirth.{s}.") for s in stages)


def test_the_scan_finds_the_imports_it_should():
    """The scan itself: a relative import from a package and from a module, both resolved."""
    assert "prebirth.layout" in imports_of("prebirth.build", when_imported=True)
    assert "prebirth.chapters.requirements" in imports_of("prebirth.layout", when_imported=True)
    assert "prebirth.config" in imports_of("prebirth.chapters.common", when_imported=True)
    assert "prebirth.chapters.common" in imports_of("prebirth.build", when_imported=False)  # in a function
    assert "prebirth.chapters.common" not in imports_of("prebirth.build", when_imported=True)


@pytest.mark.parametrize("module", [m for m in MODULES if _is(m, ANALYSIS)])
def test_the_analysis_never_imports_the_orchestration(module):
    wrong = {m for m in imports_of(module, when_imported=False) if _is(m, ORCHESTRATION)}
    assert not wrong, f"{module} imports {sorted(wrong)}"


def test_only_the_command_line_imports_the_build():
    importers = {m for m in MODULES if "prebirth.build" in imports_of(m, when_imported=False)}
    assert importers == {"prebirth.cli"}


@pytest.mark.parametrize("module", ["prebirth.exit_codes", "prebirth.layout", "prebirth.provenance",
                                    "prebirth.fingerprints"])
def test_the_base_of_the_orchestration_imports_none_of_its_stages(module):
    """What the chapters may use (provenance, and the layout it reads) never leads back to the stages."""
    wrong = {m for m in imports_of(module, when_imported=False)
             if _is(m, ORCHESTRATION) or m == "prebirth.cli"}
    assert not wrong, f"{module} imports {sorted(wrong)}"


def test_no_import_cycle():
    graph = {m: imports_of(m, when_imported=True) for m in MODULES}
    state: dict[str, str] = {}  # "open" while its imports are followed, then "done"
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = "open"
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                return path[path.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[module] = "done"
        return None

    for module in sorted(graph):
        if module not in state and (cycle := visit(module)):
            pytest.fail("import cycle: " + " -> ".join(cycle))
