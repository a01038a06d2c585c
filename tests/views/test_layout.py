"""The shared page set-up: the style sheet that stacks columns on a narrow window, and the early
request for the charts' code. What they do in a browser is checked by tests/browser."""

from __future__ import annotations

import re

from views import layout


def test_below_1000_px_columns_stack_and_tiles_wrap():
    style = layout.STYLE
    narrow = style[style.index("@media (max-width: 999.98px)"):]
    assert "[data-testid='stColumn'] {" in narrow and "flex: 1 1 100% !important;" in narrow
    assert "min-width: 100% !important;" in narrow
    assert f"width: {layout.SIDEBAR_NARROW_PX}px !important;" in narrow and layout.SIDEBAR_NARROW_PX < 300
    # A tile's figure or label wraps, at any width, instead of ending in an ellipsis.
    assert "text-overflow: clip !important;" in style and "white-space: normal !important;" in style


def test_the_style_sheet_fetches_nothing_from_outside():
    assert not re.search(r"https?:|@import|url\(", layout.STYLE)
    assert "http" not in layout._preload_script()


def test_the_charts_code_is_asked_for_as_the_page_opens():
    files = layout._heavy_code_files()
    assert any(name.startswith("PlotlyChart.") for name in files)
    assert any(name.startswith("DataFrame.") for name in files)
    script = layout._preload_script()
    assert script.startswith("<script>") and "modulepreload" in script
    assert all(f"'{name}'" in script for name in files)


def test_every_page_gets_the_style_sheet(app):
    bodies = [element.proto.body for element in app.get("html")]
    assert sum("@media (max-width: 999.98px)" in body for body in bodies) == 1
    assert sum("modulepreload" in body for body in bodies) == 1
