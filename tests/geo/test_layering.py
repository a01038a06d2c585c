"""geo is the bottom layer: it imports nothing of ours and never streamlit."""

import ast
from pathlib import Path

GEO = Path(__file__).resolve().parents[2] / "geo"
OUR_UPPER_PACKAGES = {"data", "reach", "views", "dashboard", "streamlit"}


def _imported_top_level_names(source: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source.read_text(), filename=str(source))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_geo_imports_no_higher_layer_and_no_streamlit():
    modules = sorted(GEO.glob("*.py"))
    assert {module.name for module in modules} >= {"boundaries.py", "shapes.py", "figures.py"}
    for module in modules:
        assert not _imported_top_level_names(module) & OUR_UPPER_PACKAGES, module.name
