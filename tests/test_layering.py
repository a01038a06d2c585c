"""Dependencies flow one way, checked by a tool rather than left to good intentions.

The front ends (`dashboard.py` and `views/`, and the command line in `cli/`) stand on `reach`,
which stands on `data`, which stands on `geo`. Nothing below the front ends imports Streamlit,
and nothing imports `cli` except `reach/__main__.py`, which keeps `python -m reach` working.

Inside `reach`: `domain` (definitions and maths) imports nothing else of ours; `queries` (SQL
over the store) stands on `domain` and `data`; `presentation` (figures, sentences, formatting)
stands on `domain` (and `geo`'s map figures), never on `queries` or `data`, so it can only format
what it is given. No module imports, directly or through others, a module that imports it back.

These rules are import-linter's contracts in pyproject.toml (`[tool.importlinter]`), each allowed
exception listed there by name; `lint-imports` checks them, and the first test here runs it. The
other tests check what import-linter cannot: that every package of ours is under the contracts,
`dashboard.py` (a lone module, which import-linter does not take), and that the front ends hold
no SQL.
"""

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
# The executables installed beside this Python (the project's virtual environment).
BIN = Path(sys.executable).parent
CONFIG = tomllib.loads((PROJECT / "pyproject.toml").read_text())["tool"]["importlinter"]
# Folders of Python that are not part of the application.
NOT_OURS = {"tests", "bench", ".venv"}


def test_the_import_contracts_are_kept():
    lint_imports = BIN / "lint-imports"
    assert lint_imports.exists(), f"{lint_imports} is missing: pip install -r requirements.txt"
    run = subprocess.run([str(lint_imports), "--no-cache"], cwd=PROJECT, capture_output=True, text=True,
                         timeout=300)
    if run.returncode != 0:
        pytest.fail(f"lint-imports found broken contracts:\n{run.stdout}\n{run.stderr}", pytrace=False)


def test_every_package_of_ours_is_under_the_contracts():
    packages = {path.parent.name for path in PROJECT.glob("*/*.py") if path.parent.name not in NOT_OURS}
    assert packages == set(CONFIG["root_packages"]), \
        "add the new package to root_packages and the contracts in pyproject.toml"
    modules = {path.name for path in PROJECT.glob("*.py")}
    assert modules == {"dashboard.py"}, "a module at the top is not checked by import-linter: check it here"


def test_every_contract_has_a_name_and_an_id():
    for contract in CONFIG["contracts"]:
        assert contract.get("id") and contract.get("name"), contract


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, anywhere in it, as a full dotted name."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert not node.level, f"{path.name} uses a relative import"
            found.add(node.module or "")
    return found


def test_the_dashboard_stands_on_the_pages_and_below():
    """The page set-up imports the pages, reach, data and geo of ours; never the command line,
    and the database only through them."""
    ours = {"views", "reach", "data", "geo"}
    for imported in sorted(_imports(PROJECT / "dashboard.py")):
        top = imported.split(".")[0]
        assert top not in {"cli", "duckdb"}, f"dashboard.py imports {imported}"
        if (PROJECT / top).is_dir():
            assert top in ours, f"dashboard.py imports {imported}"


@pytest.mark.parametrize("front_end", ["views", "cli"])
def test_front_ends_hold_no_sql(front_end):
    for module in sorted((PROJECT / front_end).glob("*.py")):
        text = module.read_text()
        for word in ("SELECT ", "INSERT ", "con.execute", ".cursor()"):
            assert word not in text, f"{front_end}/{module.name} has {word.strip()!r}: queries belong in reach/queries/"
