"""The Map and gaps page on the demo authority: the map's data, the gap ranking, the choices."""

import base64
import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from data.store import opened
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


def _lsoa_report(db, as_at):
    with opened(db, read_only=True) as con:
        return reach_report(con, as_at=as_at, by="lsoa")


def _as_at(at) -> date:
    return at.date_input(key="as_at").value


def test_every_lsoa_is_coloured_by_its_reach(app, demo_db):
    at = _open(app)
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
    assert any("Crown copyright" in caption.value for caption in at.caption)


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
    at = _open(app)
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
    at = _open(app)
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


def test_the_centre_chosen_elsewhere_is_the_default(app):
    app.session_state["centre_id"] = "DEMO05"
    at = _open(app)
    assert at.selectbox(key="map_centre").value == "DEMO05"
    assert set(at.dataframe[0].value["Centre ID"]) == {"DEMO05"}


def test_a_large_authority_shows_whole_reach_areas_until_a_centre_is_chosen(app, monkeypatch):
    monkeypatch.setattr(mapdata, "MAX_LSOAS_AT_ONCE", 100)
    at = _open(app)
    figure = _figure(at)
    areas = _trace(figure)
    assert sorted(_values(areas["locations"])) == [f"DEMO{n:02d}" for n in range(1, 13)]
    assert any("too many to draw at once" in info.value for info in at.info)
    assert len(at.dataframe[0].value) == ALL_LSOAS         # the ranking still lists every LSOA
    at.selectbox(key="map_centre").select("DEMO01").run()
    assert all(code.startswith("E01") for code in _values(_trace(_figure(at))["locations"]))


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


def test_an_empty_store_asks_for_reach_areas(empty_store_page):
    at = empty_store_page(PAGE)
    assert any("No reach areas are loaded yet" in warning.value for warning in at.warning)
    assert "**There are no LSOAs in the reach areas shown.**" in shown(at.markdown)
    assert len(at.dataframe[0].value) == 0
