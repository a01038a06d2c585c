"""Load every page's Python code once, as the server starts, so the first person to open a page
does not wait for it.

A page's script imports what it needs the first time it runs in the server process: for Best
Start that is the statistics library, about a third of a second; for My centre the evidence
pack's code. Done here, in the background, once per process (`start`, called by dashboard.py),
while the first page is drawn. The modules are read from the pages' own import lines, so a page
that imports something new is warmed too. Nothing here reads the store or changes any figure; a
module that fails to load is left for its page to report.
"""

from __future__ import annotations

import ast
import importlib
import threading
from pathlib import Path

import streamlit as st

PAGES = Path(__file__).resolve().parent


def page_modules(folder: Path = PAGES) -> list[str]:
    """The modules the pages import (`import x` and `from x import y`), in the order first named."""
    found: dict[str, None] = {}
    for script in sorted(folder.glob("*.py")):
        tree = ast.parse(script.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found.setdefault(alias.name, None)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.setdefault(node.module, None)
                for alias in node.names:       # `from reach.presentation import svg_figures`: a module too
                    found.setdefault(f"{node.module}.{alias.name}", None)
    # Never the pages themselves (importing a page's script would run it): views' own modules
    # are loaded by dashboard.py anyway.
    return [name for name in found if name != "views" and not name.startswith("views.")]


def _load(names: list[str]) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:      # not a module (a function's name), or broken: the page says so itself
            continue


@st.cache_resource(show_spinner=False)
def start() -> threading.Thread:
    """Once per server process: load every page's modules in a background thread."""
    thread = threading.Thread(target=_load, args=(page_modules(),), name="reach-warm-up", daemon=True)
    thread.start()
    return thread
