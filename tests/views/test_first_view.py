"""What makes a page's first view quick, and what a page draws when there is nothing to draw.

- The browser is asked for the charts' code (Plotly, 4.7 MB) as every page opens; the Data page
  (no charts) has it run once the browser is idle, so the charts of the next page chosen draw at
  once. How long pages take in a browser is measured by tests/browser.
- Every page's Python code is loaded once in the background as the server starts (views/warm_up).
- On an empty store, the Overview and Best Start say what is missing instead of drawing a chart of
  zeros or an empty one.
"""

from __future__ import annotations

import sys

from tests.views.figure_data import svg_charts
from views import layout, warm_up


def _preloads(at) -> list[str]:
    return [element.proto.body for element in at.get("html") if "modulepreload" in element.proto.body]


def test_every_page_runs_the_zoomable_maps_code_when_idle(app):
    # Every chart, the map included, is drawn as SVG: no page has a Plotly chart when it opens, so
    # each runs Plotly's code once the browser is idle, ready for the map that zooms and pans.
    for page in ("views/overview.py", "views/data.py", "views/compare.py", "views/map.py"):
        app.switch_page(page).run()
        assert not app.exception
        [script] = _preloads(app)
        assert script == layout._preload_script()
        assert "modulepreload" in script and "requestIdleCallback(run, {timeout: 4000})" in script
        assert not app.get("plotly_chart")
    # The map opens drawn as SVG; its Plotly map is one click away ("Zoom and pan").
    assert not app.get("plotly_chart") and "Map: Reach % by LSOA" in svg_charts(app)
    app.toggle(key="map_zoom").set_value(True).run()
    assert len(app.get("plotly_chart")) == 1


def test_the_warm_up_reads_the_pages_imports_and_never_a_page_itself(tmp_path):
    (tmp_path / "a_page.py").write_text(
        "import json\nfrom email import message, parser as p\nfrom views import common, a_page\n"
        "from . import nothing\nimport views.layout\n")
    (tmp_path / "b_page.py").write_text("import json\nfrom reach.domain import months\n")
    assert warm_up.page_modules(tmp_path) == [
        "json", "email", "email.message", "email.parser", "reach.domain", "reach.domain.months"]


def test_the_warm_up_loads_what_best_start_needs_in_the_background():
    names = warm_up.page_modules()
    assert "reach.queries.access" in names and "reach.presentation.svg_figures" in names
    assert not [name for name in names if name.startswith("views")]
    warm_up._load(["reach.presentation.svg_figures", "reach.presentation.svg_figures.not_a_module"])
    assert "reach.presentation.svg_figures" in sys.modules


def test_the_overview_on_an_empty_store_draws_no_empty_chart(empty_store_page):
    at = empty_store_page("views/overview.py")
    assert not at.get("plotly_chart") and svg_charts(at) == {}
    said = [info.value for info in at.info]
    assert "There are no centres yet." in said
    assert "No population estimate has been loaded yet, so there is no trend in reach to show." in said


def test_best_start_on_an_empty_store_says_there_are_no_under_twos_and_draws_nothing(empty_store_page):
    at = empty_store_page("views/best_start.py")
    assert "Reach under two by centre" not in svg_charts(at)
    assert ("There are no children under two recorded in the reach areas yet: load the population estimates "
            "on the Data page.") in [info.value for info in at.info]
    assert not [frame for frame in at.dataframe if "Under-twos" in list(frame.value.columns)]


def test_a_definition_keeps_a_short_form_in_capitals(app):
    app.switch_page("views/my_centre.py").run()
    labels = [popover.proto.popover.label for popover in app.get("popover")]
    assert "What is LSOA?" in labels and "What is families to find?" in labels
    assert not [label for label in labels if "lsoa" in label]
