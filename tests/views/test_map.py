"""The Map and gaps page on the demo authority: the map's data, the gap ranking, the choices."""

import base64
import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from data.store import opened
from geo.shapes import bounds_view
from reach.queries import mapdata
from reach.queries.report import reach_report

from tests.views.figure_data import shown

PROJECT = Path(__file__).resolve().parents[2]
PAGE = "views/map.py"
ALL_LSOAS = 136           # the demo authority's LSOAs, every one in a reach area and drawn


def _values(array) -> list:
    """A plotly array from the figure's JSON, plain or packed as typed binary."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"])).tolist()
    return list(array)


def _figure(at) -> dict:
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


def _trace(figure: dict, name: str | None = None) -> dict:
    traces = figure["data"]
    return traces[0] if name is None else next(t for t in traces if t.get("name") == name)


def _open(at) -> AppTest:
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def _zoomed(at) -> AppTest:
    """The page with its interactive (Plotly) map, "Zoom and pan" turned on."""
    _open(at).toggle(key="map_zoom").set_value(True).run()
    assert not at.exception, at.exception
    return at


def _lsoa_report(db, as_at):
    with opened(db, read_only=True) as con:
        return reach_report(con, as_at=as_at, by="lsoa")


def _as_at(at) -> date:
    return at.date_input(key="as_at").value


def test_every_lsoa_is_coloured_by_its_reach(app, demo_db):
    at = _zoomed(app)
    figure = _figure(at)
    lsoas = _trace(figure)
    shown = dict(zip(_values(lsoas["locations"]), _values(lsoas["z"])))
    assert len(shown) == ALL_LSOAS
    report = _lsoa_report(demo_db, _as_at(at)).set_index("lsoa_code")
    for code in list(shown)[:10]:
        assert shown[code] == pytest.approx(report.loc[code, "reach_pct"])
    # Hover: the LSOA code, the measure, then the LSOA's name and its centre.
    assert "Reach %" in lsoas["hovertemplate"]
    first = _values(lsoas["locations"])[0]
    name, centre = _values(lsoas["customdata"])[0][-2:]
    assert centre == report.loc[first, "centre_name"]
    assert name.startswith("Brackenfold ")
    names = [trace.get("name") for trace in figure["data"]]
    assert "Reach area boundary" in names and "Children's centre" in names
    assert figure["layout"]["map"]["style"] == "white-bg"      # no tiles from the internet
    assert "Crown copyright" in figure["layout"]["annotations"][0]["text"]
    # The credit is shown once, on the map (so a copy of the map carries it), not again under it.
    assert not any("Crown copyright" in caption.value for caption in at.caption)
    assert any("Boundaries: Office for National Statistics" in caption.value for caption in at.caption)


def test_gap_ranking_lists_lsoas_by_families_to_find_with_a_summary(app):
    at = _open(app)
    table = at.dataframe[0].value
    assert len(table) == ALL_LSOAS
    families = table["Families to find"].tolist()
    assert families == sorted(families, reverse=True)
    total = sum(families)
    summary = next(text for text in shown(at.markdown) if "hold half of the" in text)
    assert f"hold half of the {total:,} families to find" in summary
    assert table["LSOA"].iloc[0] in summary                    # the biggest gap is named
    # The fewest LSOAs from the top that reach half: the count the summary gives.
    needed = int(np.argmax(2 * np.cumsum(families) >= total)) + 1
    assert summary.startswith(f"**{needed} LSOAs (of {ALL_LSOAS})")
    assert any(button.label == "Download CSV" for button in at.get("download_button"))


def test_choosing_a_centre_zooms_to_its_lsoas_only(app, demo_db):
    at = _zoomed(app)
    at.selectbox(key="map_centre").select("DEMO03").run()
    assert not at.exception
    figure = _figure(at)
    with opened(demo_db, read_only=True) as con:
        own = set(mapdata.reach_area_lsoas(con, "DEMO03")["lsoa_code"])
        bounds = mapdata.reach_area_lsoas(con, "DEMO03").total_bounds
    assert set(_values(_trace(figure)["locations"])) == own
    table = at.dataframe[0].value
    assert set(table["LSOA"]) == own
    assert set(table["Centre ID"]) == {"DEMO03"}
    centre = figure["layout"]["map"]["center"]
    assert bounds[0] < centre["lon"] < bounds[2] and bounds[1] < centre["lat"] < bounds[3]
    # Zoomed in closer than the whole authority.
    at.selectbox(key="map_centre").select("All centres").run()
    assert _figure(at)["layout"]["map"]["zoom"] < figure["layout"]["map"]["zoom"]


def test_the_measure_changes_what_colours_the_map(app):
    at = _zoomed(app)
    at.radio(key="map_measure").set_value("Families to find").run()
    figure = _figure(at)
    shown = dict(zip(_values(_trace(figure)["locations"]), _values(_trace(figure)["z"])))
    table = at.dataframe[0].value.set_index("LSOA")
    assert all(shown[code] == table.loc[code, "Families to find"] for code in table.index)
    assert "Families to find" in _trace(figure)["hovertemplate"]
    assert any("more families to find" in caption.value for caption in at.caption)
    at.radio(key="map_measure").set_value("IDACI decile").run()
    deciles = _values(_trace(_figure(at))["z"])
    assert min(deciles) >= 1 and max(deciles) <= 10


def test_the_chooser_opens_on_all_centres_after_compare_was_only_opened(app):
    app.switch_page("views/compare.py")
    app.run()
    assert not app.exception, app.exception
    at = _open(app)
    assert at.selectbox(key="map_centre").value == "All centres"
    assert len(at.dataframe[0].value) == ALL_LSOAS


def test_a_centre_chosen_on_my_centre_or_the_map_is_remembered(app):
    app.switch_page("views/my_centre.py")
    app.run()
    app.selectbox(key="centre").select("DEMO05").run()
    at = _open(app)
    assert at.selectbox(key="map_centre").value == "DEMO05"
    assert set(at.dataframe[0].value["Centre ID"]) == {"DEMO05"}
    # Choosing all centres on the map is remembered too, across pages.
    at.selectbox(key="map_centre").select("All centres").run()
    at.switch_page("views/overview.py")
    at.run()
    at = _open(at)
    assert at.selectbox(key="map_centre").value == "All centres"


def test_a_large_authority_shows_whole_reach_areas_until_a_centre_is_chosen(app, monkeypatch):
    monkeypatch.setattr(mapdata, "MAX_LSOAS_AT_ONCE", 100)
    at = _zoomed(app)
    figure = _figure(at)
    areas = _trace(figure)
    assert sorted(_values(areas["locations"])) == [f"DEMO{n:02d}" for n in range(1, 13)]
    assert any("too many to draw at once" in info.value for info in at.info)
    assert len(at.dataframe[0].value) == ALL_LSOAS         # the ranking still lists every LSOA
    at.selectbox(key="map_centre").select("DEMO01").run()
    assert all(code.startswith("E01") for code in _values(_trace(_figure(at))["locations"]))


def test_whole_reach_areas_coloured_by_families_to_find_say_why_they_add_up_to_more(app, monkeypatch):
    monkeypatch.setattr(mapdata, "MAX_LSOAS_AT_ONCE", 100)
    at = _open(app)
    at.radio(key="map_measure").set_value("Families to find").run()
    # The demo's centres need 1,743 between them, the authority as a whole 1,725.
    assert any(caption.value.startswith("Centre by centre, the families to find add up to 1,743, 18 more than "
                                        "the 1,725 for all centres together: a centre ahead of the target")
               for caption in at.caption)


def test_without_boundaries_the_page_says_so_and_still_ranks(demo_db, monkeypatch):
    with opened(demo_db) as con:
        con.execute("DELETE FROM lsoas")
    monkeypatch.setenv("REACH_DB", str(demo_db))
    at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=60)
    at.run()
    at = _open(at)
    assert not at.get("plotly_chart")
    assert any("No LSOA boundaries are loaded" in warning.value for warning in at.warning)
    assert len(at.dataframe[0].value) == ALL_LSOAS


def test_an_empty_store_asks_for_reach_areas_and_claims_nothing(empty_store_page):
    at = empty_store_page(PAGE)
    assert any("No reach areas are loaded yet" in warning.value for warning in at.warning)
    # Nothing loaded is not "none": no count of families to find, no summary, no empty table.
    assert not any("families to find" in text.lower() for text in shown(at.markdown))
    assert not at.dataframe and not at.get("plotly_chart")
    assert at.get("page_link")


def _authority(db, as_at):
    with opened(db, read_only=True) as con:
        return reach_report(con, as_at=as_at, by="authority").iloc[0]


def test_families_to_find_is_the_overviews_figure_and_says_why_the_lsoas_add_to_more(app, demo_db):
    at = _open(app)
    own = int(_authority(demo_db, _as_at(at))["families_to_find"])
    lsoas = int(at.dataframe[0].value["Families to find"].sum())
    assert lsoas > own                 # the demo's LSOAs add up to more than the authority's figure
    texts = shown(at.markdown)
    words = next(text for text in texts if text.startswith("All centres together have"))
    assert f"have {own:,} families to find, as on the Overview" in words
    assert f"they come to {lsoas:,} ({lsoas - own:,} more)" in words
    assert "cannot make up for one behind it" in words
    assert any(f"of the {lsoas:,} families to find counted LSOA by LSOA" in text for text in texts)
    # A centre: its own figure, as My centre shows it, and its LSOAs' sum.
    at.selectbox(key="map_centre").select("DEMO09").run()
    with opened(demo_db, read_only=True) as con:
        centre = reach_report(con, as_at=_as_at(at)).set_index("centre_id").loc["DEMO09"]
    lsoas = int(at.dataframe[0].value["Families to find"].sum())
    words = next(text for text in shown(at.markdown) if "as on My centre" in text)
    assert words.startswith(f"{centre['centre_name']} has {int(centre['families_to_find']):,} families to find")
    assert f"they come to {lsoas:,}" in words


def test_reach_colours_are_fitted_to_the_lsoas_with_the_bands_marked(app, demo_db):
    at = _zoomed(app)
    reach = at.dataframe[0].value["Reach %"]
    axis = _figure(at)["layout"]["coloraxis"]
    low = 5 * np.floor(reach.min() / 5)
    high = min(100.0, 5 * np.ceil(reach.max() / 5))
    assert (axis["cmin"], axis["cmax"]) == (low, high)
    assert low > 0                                         # not 0 to 100
    bar = axis["colorbar"]
    assert {51, 65, 97} <= set(bar["tickvals"])            # the standard band thresholds
    assert bar["orientation"] == "h"                       # under the map: no width taken
    assert any("good at 65%" in caption.value for caption in at.caption)
    hover = _trace(_figure(at))["hovertemplate"]
    assert "Band" in hover
    # The marks follow the thresholds chosen in the sidebar.
    at.number_input(key="band_good").set_value(75.0).run()
    assert 75 in _figure(at)["layout"]["coloraxis"]["colorbar"]["tickvals"]
    assert any("good at 75%" in caption.value for caption in at.caption)
    # Families to find: from none to the most in any LSOA shown.
    at.radio(key="map_measure").set_value("Families to find").run()
    axis = _figure(at)["layout"]["coloraxis"]
    most = at.dataframe[0].value["Families to find"].max()
    assert (axis["cmin"], axis["cmax"]) == (0, most)
    assert "tickvals" not in axis["colorbar"]


def test_the_gap_table_shows_name_families_to_find_and_reach_first(app):
    at = _open(app)
    table = at.dataframe[0]
    assert list(table.value.columns[:3]) == ["LSOA name", "Families to find", "Reach %"]
    config = json.loads(table.proto.columns)
    assert config["Centre ID"]["hidden"] is True           # the download keeps it
    assert config["Families to find"]["width"] == 118


def test_the_map_is_fitted_for_a_half_screen(app, demo_db):
    at = _zoomed(app)
    layout = _figure(at)["layout"]
    assert layout["autosize"] is True and "width" not in layout
    with opened(demo_db, read_only=True) as con:
        areas = mapdata.display_lsoas(con)
    # The view fits a map 360 pixels wide (a laptop half-screen), not one beside the table at 1400.
    narrow = bounds_view(areas, width_px=360, height_px=layout["height"] - layout["margin"]["b"])
    assert layout["map"]["zoom"] == pytest.approx(narrow["zoom"])
    assert layout["map"]["zoom"] < bounds_view(areas, width_px=560, height_px=490)["zoom"]
