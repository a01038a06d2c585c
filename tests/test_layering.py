"""Dependencies flow one way: views -> reach -> data -> geo. Nothing below views imports
Streamlit. Checked here rather than left to good intentions."""

import ast
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
# What each layer may import of ours.
ALLOWED = {
    "geo": {"geo"},
    "data": {"data", "geo"},
    "reach": {"reach", "data", "geo"},
}
OURS = {"geo", "data", "reach", "views", "dashboard"}


def _imports(source: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source.read_text(), filename=str(source))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_what_is_below_it(layer):
    modules = sorted((PROJECT / layer).rglob("*.py"))
    assert modules, f"{layer}/ has no modules"
    for module in modules:
        imported = _imports(module)
        assert "streamlit" not in imported, f"{module.relative_to(PROJECT)} imports streamlit"
        forbidden = (imported & OURS) - ALLOWED[layer]
        assert not forbidden, f"{module.relative_to(PROJECT)} imports {sorted(forbidden)}"


def test_views_hold_no_sql():
    for module in sorted((PROJECT / "views").glob("*.py")):
        text = module.read_text()
        for word in ("SELECT ", "INSERT ", "con.execute", "duckdb"):
            assert word not in text, f"{module.name} has {word.strip()!r}: queries belong in reach/"
