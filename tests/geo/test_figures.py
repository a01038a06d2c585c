"""The map figure: what it draws, read from the figure's data rather than a picture."""

import datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.figures import LICENCE_CREDIT, choropleth
from geo.shapes import dissolve_areas

CREDIT_2026 = ("Contains National Statistics and OS data © Crown copyright and database right "
               "2026")


@pytest.fixture
def outlines(areas):
    assignment = pd.DataFrame({"lsoa_code": areas["lsoa_code"],
                               "centre_id": ["A"] * 10 + ["B"] * 10})
    return dissolve_areas(areas, assignment)


def _traces(figure, trace_type):
    return [trace for trace in figure.data if trace.type == trace_type]


def test_choropleth_draws_each_value_on_its_area(areas, reach):
    figure = choropleth(areas=areas, values=reach, value_column="reach_pct", label="Reach %",
                        credit_year=2026)

    (trace,) = figure.data
    assert trace.type == "choroplethmap"
    assert list(trace.locations) == reach["lsoa_code"].tolist()
    assert list(trace.z) == pytest.approx(reach["reach_pct"].tolist())
    assert trace.featureidkey == "id"
    assert {feature["id"] for feature in trace.geojson["features"]} == set(areas["lsoa_code"])
    assert trace.marker.line.width <= 0.5
    assert figure.layout.coloraxis.colorbar.title.text == "Reach %"


def test_choropleth_uses_the_offline_map_and_never_mapbox_or_geo(areas, reach):
    figure = choropleth(areas=areas, values=reach, value_column="reach_pct")
    layout = figure.to_dict()["layout"]
    assert layout["map"]["style"] == "white-bg"
    assert "mapbox" not in layout
    assert "geo" not in layout
    assert "layers" not in layout["map"]
    assert all(trace.type in {"choroplethmap", "scattermap"} for trace in figure.data)


def test_choropleth_carries_the_licence_credit(areas, reach):
    figure = choropleth(areas=areas, values=reach, value_column="reach_pct", credit_year=2026)
    assert [note.text for note in figure.layout.annotations] == [CREDIT_2026]
    this_year = choropleth(areas=areas, values=reach, value_column="reach_pct")
    assert this_year.layout.annotations[0].text == LICENCE_CREDIT.format(
        year=datetime.date.today().year)


def test_choropleth_hover_shows_the_formatted_value_and_extra_columns(areas, reach):
    figure = choropleth(areas=areas, values=reach, value_column="reach_pct", label="Reach %",
                        hover_columns={"lsoa_name": "Area"}, value_format=".1f")
    trace = figure.data[0]
    assert trace.hovertemplate == (
        "<b>%{location}</b><br>Reach %: %{customdata[0]:.1f}<br>Area: %{customdata[1]}"
        "<extra></extra>")
    assert trace.customdata[3].tolist() == [reach["reach_pct"].iloc[3], "Grid 4"]
    assert "text" not in trace.to_plotly_json()


def test_choropleth_fits_the_view_and_keeps_zoom_for_the_same_shapes(areas, reach):
    figure = choropleth(areas=areas, values=reach, value_column="reach_pct")
    again = choropleth(areas=areas, values=reach.assign(reach_pct=50.0), value_column="reach_pct")
    elsewhere = choropleth(areas=areas.iloc[:4], values=reach, value_column="reach_pct")
    west, south, east, north = areas.total_bounds
    assert west < figure.layout.map.center.lon < east
    assert south < figure.layout.map.center.lat < north
    assert figure.layout.map.zoom > 9
    assert figure.layout.uirevision == again.layout.uirevision
    assert figure.layout.uirevision != elsewhere.layout.uirevision


def test_areas_without_a_value_are_drawn_grey_as_no_data(areas, reach):
    partial = reach.iloc[:15].copy()
    partial.loc[3, "reach_pct"] = np.nan

    figure = choropleth(areas=areas, values=partial, value_column="reach_pct")

    valued, no_data = _traces(figure, "choroplethmap")
    assert len(valued.locations) == 14
    assert "E01000004" not in list(valued.locations)
    assert no_data.name == "No data"
    assert list(no_data.locations) == ["E01000004"] + areas["lsoa_code"].iloc[15:].tolist()
    assert {feature["id"] for feature in no_data.geojson["features"]} == set(no_data.locations)
    assert no_data.showscale is False


def test_outlines_are_line_traces_without_text(areas, reach, outlines):
    figure = choropleth(areas=areas, values=reach, value_column="reach_pct", outlines=outlines)

    (line,) = _traces(figure, "scattermap")
    assert line.mode == "lines"
    assert line.hoverinfo == "skip"
    assert "text" not in line.to_plotly_json()
    # Two outlines, each one ring, with a gap between them.
    assert int(np.isnan(np.asarray(line.lon, dtype=float)).sum()) == 1
    assert np.nanmin(line.lon) >= areas.total_bounds[0] - 1e-5


def test_centres_are_markers_named_on_hover(areas, reach):
    centres = pd.DataFrame({"name": ["Partington Children's Centre", "No location"],
                            "lon": [-2.33, None], "lat": [53.41, None]})

    figure = choropleth(areas=areas, values=reach, value_column="reach_pct", points=centres)

    (markers,) = _traces(figure, "scattermap")
    assert markers.mode == "markers"
    assert list(markers.lon) == [-2.33]
    assert list(markers.hovertext) == ["Partington Children's Centre"]
    assert "text" not in markers.to_plotly_json()


def test_bands_are_coloured_by_category_in_the_given_order(areas, reach):
    bands = reach.assign(band=np.where(reach["reach_pct"] >= 65, "good", "inadequate"))
    colours = {"outstanding": "#08306b", "good": "#4292c6", "requires improvement": "#9ecae1",
               "inadequate": "#deebf7"}

    figure = choropleth(areas=areas, values=bands, value_column="band", label="Band",
                        categorical=True, colour_scale=colours)

    drawn = {trace.name: trace for trace in _traces(figure, "choroplethmap")}
    assert set(drawn) == {"good", "inadequate"}
    assert drawn["good"].colorscale[0][1] == "#4292c6"
    assert len(drawn["good"].locations) == int((bands["band"] == "good").sum())
    assert drawn["good"].hovertemplate == (
        "<b>%{location}</b><br>Band: %{customdata[0]}<extra></extra>")


def test_categories_without_given_colours_run_light_to_dark(areas, reach):
    thirds = reach.assign(third=np.repeat(["1 low", "2 middle", "3 high"], [7, 7, 6]))
    figure = choropleth(areas=areas, values=thirds, value_column="third", categorical=True)
    reversed_figure = choropleth(areas=areas, values=thirds, value_column="third",
                                 categorical=True, reverse=True)
    colour = {trace.name: trace.colorscale[0][1] for trace in figure.data}
    reversed_colour = {trace.name: trace.colorscale[0][1] for trace in reversed_figure.data}
    assert colour["1 low"] == reversed_colour["3 high"]
    assert _lightness(colour["1 low"]) > _lightness(colour["2 middle"]) > _lightness(
        colour["3 high"])


def test_reverse_flips_a_continuous_scale(areas, reach):
    plain = choropleth(areas=areas, values=reach, value_column="reach_pct")
    flipped = choropleth(areas=areas, values=reach, value_column="reach_pct", reverse=True)
    plain_colours = [colour for _, colour in plain.layout.coloraxis.colorscale]
    flipped_colours = [colour for _, colour in flipped.layout.coloraxis.colorscale]
    assert flipped_colours == plain_colours[::-1]
    assert _lightness(plain_colours[0]) > _lightness(plain_colours[-1])


def test_a_value_range_fixes_the_ends_of_the_scale(areas, reach):
    figure = choropleth(areas=areas, values=reach, value_column="reach_pct", value_range=(0, 100))
    assert (figure.layout.coloraxis.cmin, figure.layout.coloraxis.cmax) == (0, 100)


def test_a_missing_value_column_is_named(areas, reach):
    with pytest.raises(ValueError, match="'known_children' in values"):
        choropleth(areas=areas, values=reach, value_column="known_children")


@pytest.mark.realdata
def test_trafford_map_with_both_centres(trafford, trafford_areas):
    folder = trafford
    areas = trafford_areas
    centres = pd.read_csv(folder / "childrens_centres" / "trafford_childrens_centres.csv")
    population = pd.read_csv(folder / "population" / "mid-year_2024_population_estimates_lsoa.csv")
    persons = population[population["sex"] == "Persons"]
    under_five = pd.DataFrame({"lsoa_code": persons["area_code"],
                               "children_0_4": persons[["0", "1", "2", "3", "4"]].sum(axis=1)})

    figure = choropleth(areas=areas, values=under_five, value_column="children_0_4",
                        points=centres, value_format=",d", credit_year=2026)

    (valued,) = _traces(figure, "choroplethmap")
    assert len(valued.locations) == 139
    assert int(np.sum(valued.z)) == 12_428
    (markers,) = _traces(figure, "scattermap")
    assert sorted(markers.hovertext) == ["Partington Children's Centre",
                                         "Stretford Children's Centre"]


def _lightness(colour: str) -> float:
    """Relative luminance of an 'rgb(r, g, b)' or '#rrggbb' colour, 0 (black) to 1 (white)."""
    if colour.startswith("#"):
        channels = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    else:
        channels = [float(part) for part in colour[colour.index("(") + 1:-1].split(",")]
    red, green, blue = (channel / 255 for channel in channels)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


# ---- what the browser is sent -----------------------------------------------------------------

def test_text_from_the_data_is_escaped_in_the_figure(areas, reach, outlines):
    link = '<a href="http://x">x</a>'
    centres = pd.DataFrame({"name": [link], "lon": [-2.33], "lat": [53.41]})
    named = reach.assign(lsoa_name="<b>Grid</b> & co",
                         band=np.where(reach["reach_pct"] > 70, "<i>high</i>", "low"))
    odd_ids = areas.assign(lsoa_code=areas["lsoa_code"].str.replace("E01000001", "<E01>"))
    named["lsoa_code"] = odd_ids["lsoa_code"].to_numpy()

    figures = [
        choropleth(areas=odd_ids, values=named, value_column="reach_pct", points=centres,
                   hover_columns={"lsoa_name": "Name"}, outlines=outlines),
        choropleth(areas=odd_ids, values=named, value_column="band", categorical=True,
                   colour_scale={"<i>high</i>": "#08306b", "low": "#deebf7"}, points=centres),
    ]

    for figure in figures:
        text = figure.to_json()
        assert "<a href" not in text and "<b>Grid" not in text and "<i>high" not in text
        assert "<E01>" not in text
        assert "&lt;a href=" in text
    markers = [trace for trace in _traces(figures[0], "scattermap") if trace.mode == "markers"]
    assert list(markers[0].hovertext) == ['&lt;a href="http://x"&gt;x&lt;/a&gt;']
    assert figures[0].data[0].customdata[0][1] == "&lt;b&gt;Grid&lt;/b&gt; &amp; co"
    assert "&lt;E01&gt;" in list(figures[0].data[0].locations)
    legend = {trace.name: trace for trace in _traces(figures[1], "choroplethmap")}
    assert set(legend) == {"&lt;i&gt;high&lt;/i&gt;", "low"}
    assert legend["&lt;i&gt;high&lt;/i&gt;"].colorscale[0][1] == "#08306b"


def _huge(grid_coverage, *, corners_per_cell: int):
    """A 20 x 20 coverage in lon/lat whose every edge is cut into tiny steps."""
    cells = grid_coverage(20, 20, bends_per_edge=1)
    step = 1_600.0 / corners_per_cell
    dense = shapely.segmentize(np.asarray(cells.geometry.array, dtype=object), step)
    return cells.set_geometry(gpd.GeoSeries(dense, crs=cells.crs)).to_crs(4326)


def test_a_map_of_a_million_corner_points_is_sent_as_a_few_megabytes(grid_coverage):
    areas = _huge(grid_coverage, corners_per_cell=2_500)
    assert areas.count_coordinates().sum() > 950_000
    values = pd.DataFrame({"lsoa_code": areas["lsoa_code"],
                           "reach_pct": np.linspace(40, 100, len(areas)),
                           "band": np.repeat(["a", "b", "c", "d"], len(areas) // 4)})

    continuous = choropleth(areas=areas, values=values, value_column="reach_pct", outlines=areas)
    categorical = choropleth(areas=areas, values=values, value_column="band", categorical=True)

    for figure in (continuous, categorical):
        assert len(figure.to_json()) < 5_000_000
        drawn = [feature["id"] for trace in _traces(figure, "choroplethmap")
                 for feature in trace.geojson["features"]]
        assert sorted(drawn) == sorted(areas["lsoa_code"])      # every area, each sent once
