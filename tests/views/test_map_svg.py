"""The Map and gaps page opens on its map drawn as SVG (on the page at once, no Plotly to start in
the browser); "Zoom and pan" swaps in the Plotly map. Both show the same areas in the same colours:
each LSOA's fill in the drawing is checked against the colour the Plotly figure gives it."""

import datetime
import json

import pytest
from streamlit.testing.v1 import AppTest

from data.store import opened
from geo.figures import CENTRE_COLOUR, LICENCE_CREDIT, NO_DATA_COLOUR
from reach.presentation.maps import NEW_SITE_COLOUR
from reach.queries import mapdata
from reach.queries.access import access, find_sites
from reach.queries.report import reach_report
from tests.geo.plotly_colours import plotly_colour
from tests.views.conftest import PROJECT
from tests.views.figure_data import marks, shown, svg_charts, svg_text, values

PAGE = "views/map.py"
ALL_LSOAS = 136
LSOA_MAP = "Map: Reach % by LSOA"


def _open(at):
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def _drawn(at, title: str = LSOA_MAP):
    """The SVG map's areas by id: (fill, value or None, hover lines)."""
    assert not at.get("plotly_chart")
    chart = svg_charts(at)[title]
    return {path.get("data-label"): (path.get("fill"), path.get("data-value"), path.find("title").text.split("\n"))
            for path in chart.iter("path") if path.get("data-label")}


def _plotly_fills(at) -> dict[str, str]:
    """The colour the Plotly map gives each area, worked out from its figure: its colour scale and
    range, and each area's value (the "No data" trace in its own grey)."""
    (chart,) = at.get("plotly_chart")
    figure = json.loads(chart.proto.spec)
    axis = figure["layout"]["coloraxis"]
    fills = {}
    for trace in figure["data"]:
        if trace["type"] != "choroplethmap":
            continue
        locations = values(trace["locations"])
        if trace.get("name") == "No data":
            fills.update({code: trace["colorscale"][0][1] for code in locations})
        else:
            fills.update({code: plotly_colour(value, axis["colorscale"], axis["cmin"], axis["cmax"])
                          for code, value in zip(locations, values(trace["z"]))})
    return fills


def test_the_page_opens_on_the_svg_map_with_every_lsoa_and_no_plotly(app, demo_db):
    at = _open(app)
    assert at.toggle(key="map_zoom").value is False
    assert "zoom into and pan" in at.toggle(key="map_zoom").help
    drawn = _drawn(at)
    assert len(drawn) == ALL_LSOAS
    with opened(demo_db, read_only=True) as con:
        report = reach_report(con, as_at=at.date_input(key="as_at").value, by="lsoa").set_index("lsoa_code")
    code = "E01900001"
    fill, value, hover = drawn[code]
    assert float(value) == pytest.approx(report.loc[code, "reach_pct"])
    assert hover[:2] == [code, f"Reach %: {report.loc[code, 'reach_pct']:.1f}"]
    assert hover[-1] == f"Centre: {report.loc[code, 'centre_name']}" and hover[-2].startswith("Name: Brackenfold ")
    chart = svg_charts(at)[LSOA_MAP]
    texts = svg_text(chart)
    assert LICENCE_CREDIT.format(year=datetime.date.today().year) in texts
    assert "Reach area boundary" in texts and "Children's centre" in texts
    with opened(demo_db, read_only=True) as con:
        centres = mapdata.centre_points(con)
    red = [circle for circle in chart.iter("circle")
           if circle.get("fill") == CENTRE_COLOUR and circle.find("title") is not None]
    assert sorted(dot.find("title").text for dot in red) == sorted(centres["name"])
    assert {"51%", "65%", "97%"} <= set(texts)            # the bands' thresholds on the key
    assert any("Hover over an area for its details" in caption for caption in shown(at.caption))


@pytest.mark.parametrize("measure", ["Reach %", "Families to find", "IDACI decile", "Distance to a site"])
def test_each_lsoa_has_the_colour_the_zoom_and_pan_map_gives_it(app, measure):
    at = _open(app)
    at.radio(key="map_measure").set_value(measure).run()
    drawn = _drawn(at, f"Map: {measure} by LSOA")
    at.toggle(key="map_zoom").set_value(True).run()
    assert not at.exception, at.exception
    assert not svg_charts(at)
    plotly = _plotly_fills(at)
    assert set(plotly) == set(drawn)
    assert {code: fill for code, (fill, _, _) in drawn.items()} == plotly
    assert len(set(plotly.values())) > 5                   # coloured by the figures, not all alike
    # Turned off again, the drawing is back.
    at.toggle(key="map_zoom").set_value(False).run()
    assert len(_drawn(at, f"Map: {measure} by LSOA")) == ALL_LSOAS


def test_the_distance_map_gives_each_lsoa_its_distance_and_nearest_site(app, demo_db):
    at = _open(app)
    at.radio(key="map_measure").set_value("Distance to a site").run()
    drawn = _drawn(at, "Map: Distance to a site by LSOA")
    with opened(demo_db, read_only=True) as con:
        expected = access(con, as_at=at.date_input(key="as_at").value).set_index("lsoa_code")
    for code, (_, value, hover) in drawn.items():
        assert float(value) == pytest.approx(expected.loc[code, "distance_km"])
        assert hover[1] == f"Distance to a site: {expected.loc[code, 'distance_km']:.2f}"
        assert hover[2].startswith("Nearest site: ")


def test_an_lsoa_with_no_figure_is_grey(demo_db, monkeypatch):
    with opened(demo_db) as con:          # no deprivation figure for one LSOA
        con.execute("DELETE FROM deprivation WHERE lsoa_code = 'E01900005'")
    monkeypatch.setenv("REACH_DB", str(demo_db))
    at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=60)
    at.run()
    at = _open(at)
    at.radio(key="map_measure").set_value("IDACI decile").run()
    drawn = _drawn(at, "Map: IDACI decile by LSOA")
    assert drawn["E01900005"] == (NO_DATA_COLOUR, None, ["E01900005", "No data"])
    assert drawn["E01900001"][0] != NO_DATA_COLOUR
    assert "No data" in svg_text(svg_charts(at)["Map: IDACI decile by LSOA"])         # in the key
    at.toggle(key="map_zoom").set_value(True).run()
    assert _plotly_fills(at)["E01900005"] == NO_DATA_COLOUR


def test_a_centre_chosen_draws_only_its_lsoas(app, demo_db):
    at = _open(app)
    at.selectbox(key="map_centre").select("DEMO03").run()
    assert not at.exception, at.exception
    with opened(demo_db, read_only=True) as con:
        own = set(mapdata.reach_area_lsoas(con, "DEMO03")["lsoa_code"])
    assert set(_drawn(at)) == own
    assert {mark["label"] for mark in marks(svg_charts(at)[LSOA_MAP])} == own


def test_a_large_authority_draws_whole_reach_areas_in_the_plotly_maps_colours(app, monkeypatch):
    monkeypatch.setattr(mapdata, "MAX_LSOAS_AT_ONCE", 100)
    at = _open(app)
    drawn = _drawn(at, "Map: Reach % by reach area")
    assert sorted(drawn) == [f"DEMO{n:02d}" for n in range(1, 13)]
    assert drawn["DEMO01"][2][-1].startswith("LSOAs: ")
    at.toggle(key="map_zoom").set_value(True).run()
    assert {code: fill for code, (fill, _, _) in drawn.items()} == _plotly_fills(at)
    # A centre chosen: its LSOAs, drawn again without Plotly.
    at.toggle(key="map_zoom").set_value(False).run()
    at.selectbox(key="map_centre").select("DEMO01").run()
    assert all(code.startswith("E01") for code in _drawn(at))


def test_the_site_finders_new_sites_are_orange_dots(app, demo_db):
    at = _open(app)
    at.select_slider(key="finder_radius").set_value(1.5)
    at.button(key="finder_find").click().run()
    assert not at.exception, at.exception
    with opened(demo_db, read_only=True) as con:
        choice = find_sites(con, as_at=at.date_input(key="as_at").value, radius_km=1.5, new=2, people="unknown")
    chart = svg_charts(at)[LSOA_MAP]
    orange = [circle.find("title").text for circle in chart.iter("circle")
              if circle.get("fill") == NEW_SITE_COLOUR and circle.find("title") is not None]
    assert [text.split(": ")[1].split(" ")[0] for text in orange] == list(choice.sites)
    assert all(text.startswith("Possible new centre: ") for text in orange)
    assert "Possible new centre" in svg_text(chart)
    assert any("Orange dots are the possible new centres" in caption for caption in shown(at.caption))
