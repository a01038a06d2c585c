"""Dependencies flow one way, checked here rather than left to good intentions.

The front ends (`dashboard.py` and `views/`, and the command line in `cli/`) stand on `reach`,
which stands on `data`, which stands on `geo`. Nothing below the front ends imports Streamlit,
and nothing imports `cli` except `reach/__main__.py`, which keeps `python -m reach` working.

Inside `reach`: `domain` (definitions and maths) imports nothing else of ours; `queries` (SQL
over the store) stands on `domain` and `data`; `presentation` (figures, sentences, formatting)
stands on `domain` (and `geo`'s map figures), never on `queries` or `data`, so it can only format
what it is given. No module imports, directly or through others, a module that imports it back.
"""

import ast
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
OURS = ("geo", "data", "reach", "cli", "views", "dashboard")

# What each part may import of ours, by prefix; the most specific part that holds a module wins.
ALLOWED = {
    "geo": {"geo"},
    "data": {"data", "geo"},
    "reach.domain": {"reach.domain"},
    "reach.queries": {"reach.domain", "reach.queries", "data", "geo"},
    "reach.presentation": {"reach.domain", "reach.presentation", "geo"},
    "reach": {"reach"},            # reach/__init__.py: nothing
    "cli": {"cli", "reach", "data", "geo"},
    "views": {"views", "reach", "data", "geo"},
    "dashboard": {"views", "reach", "data", "geo"},
}
# The one import from reach upwards: `python -m reach` runs the command line.
EXCEPTIONS = {("reach.__main__", "cli.main")}
# Libraries that belong to one layer: the store's database, and the dashboard's toolkit.
FORBIDDEN_LIBRARIES = {
    "geo": {"streamlit"}, "data": {"streamlit"}, "reach": {"streamlit"}, "cli": {"streamlit", "duckdb"},
    "reach.domain": {"streamlit", "duckdb", "plotly"},
    "reach.presentation": {"streamlit", "duckdb"},
    "views": {"duckdb"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _our_files() -> dict[str, Path]:
    files = {"dashboard": PROJECT / "dashboard.py"}
    for package in OURS[:-1]:
        files.update({_module_name(path): path for path in (PROJECT / package).rglob("*.py")})
    return files


MODULES = _our_files()


def _imports(name: str, path: Path, *, type_checking: bool = True) -> set[str]:
    """Every module `path` imports, anywhere in it (a function's own imports count too), as a
    full dotted name: `from reach.presentation import format` is `reach.presentation.format`.
    `type_checking=False` leaves out imports made only for type checkers (`if TYPE_CHECKING:`),
    which never run."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(), filename=str(path))
    skipped = set()
    if not type_checking:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skipped.update(id(inner) for statement in node.body for inner in ast.walk(statement))
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                whole = f"{base}.{alias.name}"
                found.add(whole if whole in MODULES else base)
    return found


IMPORTS = {name: _imports(name, path) for name, path in MODULES.items()}


def _part(name: str, parts) -> str:
    """The most specific of `parts` that `name` belongs to."""
    matches = [p for p in parts if name == p or name.startswith(p + ".")]
    return max(matches, key=len)


def _ours(imported: str) -> bool:
    return imported.split(".")[0] in OURS


def test_every_part_of_ours_is_checked():
    assert {"reach.domain.measures", "reach.queries.report", "reach.presentation.charts", "cli.main",
            "views.common", "dashboard", "data.store", "geo.figures"} <= set(MODULES)


def _modules_of(part: str, parts) -> list[str]:
    return [name for name in sorted(MODULES) if _part(name, parts) == part]


@pytest.mark.parametrize("part", sorted(ALLOWED))
def test_each_part_imports_only_what_is_below_it(part):
    modules = _modules_of(part, ALLOWED)
    assert modules, f"no module is in {part}"
    for name in modules:
        for imported in sorted(IMPORTS[name]):
            if not _ours(imported) or (name, imported) in EXCEPTIONS:
                continue
            assert any(imported == allowed or imported.startswith(allowed + ".") for allowed in ALLOWED[part]), \
                f"{name} ({part}) imports {imported}"


@pytest.mark.parametrize("part", sorted(FORBIDDEN_LIBRARIES))
def test_no_library_is_imported_below_its_layer(part):
    for name in sorted(MODULES):
        if name == part or name.startswith(part + "."):
            libraries = {imported.split(".")[0] for imported in IMPORTS[name]}
            assert not libraries & FORBIDDEN_LIBRARIES[part], \
                f"{name} imports {sorted(libraries & FORBIDDEN_LIBRARIES[part])}"


def test_only_reach_main_imports_the_command_line():
    importers = sorted(name for name, imported in IMPORTS.items()
                       if not name.startswith("cli") and any(i == "cli" or i.startswith("cli.") for i in imported))
    assert importers == ["reach.__main__"]


def test_no_import_cycles():
    """No module imports, directly or through others, a module that imports it back (imports
    made only for type checkers never run, so they may point back)."""
    graph = {name: {i for i in _imports(name, path, type_checking=False) if i in MODULES and i != name}
             for name, path in MODULES.items()}
    done, path = set(), []

    def visit(name):
        if name in path:
            cycle = path[path.index(name):] + [name]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if name in done:
            return
        path.append(name)
        for imported in sorted(graph[name]):
            visit(imported)
        path.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)


@pytest.mark.parametrize("front_end", ["views", "cli"])
def test_front_ends_hold_no_sql(front_end):
    for module in sorted((PROJECT / front_end).glob("*.py")):
        text = module.read_text()
        for word in ("SELECT ", "INSERT ", "con.execute", ".cursor()"):
            assert word not in text, f"{front_end}/{module.name} has {word.strip()!r}: queries belong in reach/queries/"
