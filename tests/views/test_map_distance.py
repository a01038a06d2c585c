"""The Map page coloured by the distance to the nearest site, on the demo authority: the map's
values are the access figures, the sentence gives the authority's shares beyond 1, 2 and 3 km,
and the LSOA table downloads as CSV."""

import io
import json

import pandas as pd
import pytest

from data.store import opened
from reach.queries.access import access, access_figures
from tests.views.figure_data import downloaded, shown, values

PAGE = "views/map.py"


def _distance_page(app):
    app.switch_page(PAGE)
    app.run()
    app.radio(key="map_measure").set_value("Distance to a site").run()
    assert not app.exception, app.exception
    return app


def test_each_lsoa_is_coloured_by_its_distance_to_the_nearest_site(app, demo_db):
    at = _distance_page(app)
    at.toggle(key="map_zoom").set_value(True).run()        # the Plotly map (test_map_svg checks the drawing)
    (chart,) = at.get("plotly_chart")
    figure = json.loads(chart.proto.spec)
    lsoas = figure["data"][0]
    coloured = dict(zip(values(lsoas["locations"]), values(lsoas["z"])))
    with opened(demo_db, read_only=True) as con:
        expected = access(con, as_at=at.date_input(key="as_at").value).set_index("lsoa_code")
    assert len(coloured) == len(expected) == 136
    for code, km in coloured.items():
        assert km == pytest.approx(expected.loc[code, "distance_km"])
    assert "Nearest site" in lsoas["hovertemplate"] and "Distance to a site" in lsoas["hovertemplate"]
    assert figure["layout"]["map"]["style"] == "white-bg"
    assert not any(trace.get("mode") == "text" or "text" in str(trace.get("mode", "")) for trace in figure["data"])
    assert "Children's centre" in [trace.get("name") for trace in figure["data"]]     # the sites as points


def test_the_sentence_gives_the_authority_shares_beyond_1_2_3_km(app, demo_db):
    at = _distance_page(app)
    with opened(demo_db, read_only=True) as con:
        figures = access_figures(con, as_at=at.date_input(key="as_at").value)
    shares = figures.authority.iloc[0]
    sentence = next(text for text in shown(at.markdown) if "more than 1 km from the nearest site" in text)
    assert f"Of the {figures.under_fives_measured:,} under-fives" in sentence
    assert f"{shares['beyond_1km_pct']:.1f}% live more than 1 km" in sentence
    assert f"{shares['beyond_2km_pct']:.1f}% more than 2 km" in sentence
    assert f"{shares['deprived_beyond_1km_pct']:.1f}%" in sentence
    # The definitions, one click away: each popover holds its definition's words.
    definitions = " ".join(shown(at.markdown))
    assert "**Beyond 1, 2, 3 km**" in definitions and "**Distance to the nearest site**" in definitions


def test_the_distance_table_downloads_every_lsoa_furthest_first(app, media):
    at = _distance_page(app)
    table = pd.read_csv(io.BytesIO(downloaded(at, media, "distance_table").content))
    assert len(table) == 136
    assert {"lsoa_code", "distance_km", "nearest_site", "nearest_site_name", "children_under5"} <= set(table.columns)
    assert table["distance_km"].tolist() == sorted(table["distance_km"], reverse=True)
