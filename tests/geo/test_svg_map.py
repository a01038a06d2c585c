"""The map drawn as SVG: the same colours, hover details, credit and shapes as the Plotly map,
read from the drawing's elements and checked against the Plotly figure built from the same data."""

import datetime
import re
from xml.etree import ElementTree

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.figures import LICENCE_CREDIT, NO_DATA_COLOUR, OUTLINE_COLOUR, choropleth
from geo.shapes import dissolve_areas
from geo.svg_map import WIDTH, Dots, svg_choropleth
from tests.geo.plotly_colours import plotly_colour


def _tree(drawing: str) -> ElementTree.Element:
    assert drawing.startswith('<div class="reach-chart" data-title=')
    assert "\n" not in drawing          # one line: a blank line would end Markdown's HTML block
    return ElementTree.fromstring(drawing)


def _areas(tree) -> dict[str, ElementTree.Element]:
    """Each area's path by its id."""
    return {path.get("data-label"): path for path in tree.iter("path") if path.get("data-label")}


def _hover(element) -> list[str]:
    return element.find("title").text.split("\n")


def _rings(path_data: str) -> list[np.ndarray]:
    return [np.array(re.findall(r"-?[\d.]+", ring), dtype=float).reshape(-1, 2)
            for ring in path_data.split("M")[1:]]


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("value_range", [None, (40.0, 100.0)])
def test_each_area_is_filled_with_the_colour_the_plotly_map_gives_it(areas, reach, reverse, value_range):
    arguments = dict(areas=areas, values=reach, value_column="reach_pct", reverse=reverse,
                     value_range=value_range)
    figure = choropleth(**arguments)
    axis, (trace,) = figure.layout.coloraxis, figure.data
    # With no range given, plotly runs the scale from the lowest value to the highest.
    cmin, cmax = value_range or (min(trace.z), max(trace.z))
    assert (axis.cmin, axis.cmax) == (value_range or (None, None))
    drawn = _areas(_tree(svg_choropleth(title="Reach", **arguments)))

    assert len(drawn) == len(areas)
    for code, value in zip(trace.locations, trace.z):
        assert drawn[code].get("fill") == plotly_colour(value, axis.colorscale, cmin, cmax), code
        assert float(drawn[code].get("data-value")) == pytest.approx(value)
    # The ends: 101.5% takes the colour of the range's top.
    last = reach["lsoa_code"].iloc[-1]
    assert drawn[last].get("fill") == plotly_colour(cmax, axis.colorscale, cmin, cmax)
    assert len({path.get("fill") for path in drawn.values()}) > 10


def test_an_area_without_a_value_is_grey_and_says_no_data(areas, reach):
    reach.loc[3, "reach_pct"] = np.nan
    tree = _tree(svg_choropleth(areas=areas, values=reach.drop(index=7), value_column="reach_pct",
                                title="Reach"))
    drawn = _areas(tree)
    for code in ("E01000004", "E01000008"):            # no figure; not in the values at all
        assert drawn[code].get("fill") == NO_DATA_COLOUR
        assert drawn[code].get("data-value") is None
        assert _hover(drawn[code]) == [code, "No data"]
    assert drawn["E01000001"].get("fill") != NO_DATA_COLOUR
    assert "No data" in [text.text for text in tree.iter("text")]        # in the key


def test_categories_take_the_plotly_maps_colours(areas, reach):
    bands = reach.assign(band=np.where(reach["reach_pct"] >= 65, "good", "inadequate"))
    colours = {"outstanding": "#08306b", "good": "#4292c6", "requires improvement": "#9ecae1",
               "inadequate": "#deebf7"}
    arguments = dict(areas=areas, values=bands, value_column="band", label="Band", categorical=True,
                     colour_scale=colours)
    figure = choropleth(**arguments)
    tree = _tree(svg_choropleth(title="Bands", **arguments))
    drawn = _areas(tree)
    for trace in figure.data:
        for code in trace.locations:
            assert drawn[code].get("fill") == trace.colorscale[0][1]
    assert _hover(drawn["E01000001"]) == ["E01000001", "Band: inadequate"]
    assert [text.text for text in tree.iter("text")][:2] == ["good", "inadequate"]     # the key, in order


def test_hover_gives_the_plotly_maps_details_with_the_value_formatted(areas, reach):
    arguments = dict(areas=areas, values=reach, value_column="reach_pct", label="Reach %",
                     hover_columns={"lsoa_name": "Area"}, value_format=".1f")
    drawing = _tree(svg_choropleth(title="Reach", **arguments))
    assert _hover(_areas(drawing)["E01000001"]) == ["E01000001", "Reach %: 42.0", "Area: Grid 1"]
    assert choropleth(**arguments).data[0].hovertemplate == (
        "<b>%{location}</b><br>Reach %: %{customdata[0]:.1f}<br>Area: %{customdata[1]}<extra></extra>")
    counts = reach.assign(families=[1234.0] * len(reach))
    drawing = _tree(svg_choropleth(areas=areas, values=counts, value_column="families", value_format=",d",
                                   title="Families"))
    assert _hover(_areas(drawing)["E01000002"])[1] == "families: 1,234"


def test_text_from_the_data_stays_literal(areas, reach):
    link = '<a href="http://evil.example">x</a> & "q"'
    odd = areas.assign(lsoa_code=areas["lsoa_code"].where(areas.index != 0, "<b>E01</b>"))
    named = reach.assign(lsoa_code=odd["lsoa_code"], lsoa_name=link)
    points = pd.DataFrame({"lon": [odd.geometry.iloc[0].centroid.x], "lat": [odd.geometry.iloc[0].centroid.y],
                           "hover": [link + "\nsecond line"]})
    drawing = svg_choropleth(areas=odd, values=named, value_column="reach_pct", hover_columns={"lsoa_name": "Area"},
                             title=f"Map of {link}", dots=[Dots(points, "#b2182b", 11, link)])
    tree = _tree(drawing)
    assert {element.tag for element in tree.iter()} <= {"div", "svg", "title", "g", "path", "rect", "circle", "text"}
    assert "<a " not in drawing and "<b>" not in drawing
    assert _hover(_areas(tree)["<b>E01</b>"]) == ["<b>E01</b>", "reach_pct: 42.0", f"Area: {link}"]
    (dot,) = [circle for circle in tree.iter("circle") if circle.find("title") is not None]
    assert dot.find("title").text == link + " second line"
    assert tree.get("data-title") == f"Map of {link}"


def test_the_licence_credit_with_its_year_is_at_the_foot(areas, reach):
    tree = _tree(svg_choropleth(areas=areas, values=reach, value_column="reach_pct", title="Reach",
                                credit_year=2026))
    texts = list(tree.iter("text"))
    assert texts[-1].text == LICENCE_CREDIT.format(year=2026)
    assert float(texts[-1].get("y")) > max(float(text.get("y")) for text in texts[:-1])
    this_year = _tree(svg_choropleth(areas=areas, values=reach, value_column="reach_pct", title="Reach"))
    assert list(this_year.iter("text"))[-1].text.endswith(str(datetime.date.today().year))


def test_the_drawing_is_web_mercator_fitted_to_the_areas():
    # One degree square at 53 degrees north is about 1.66 times as tall as wide in Web Mercator.
    square = gpd.GeoDataFrame({"lsoa_code": ["A"]}, geometry=[shapely.box(-2.5, 52.5, -1.5, 53.5)], crs=4326)
    tree = _tree(svg_choropleth(areas=square, values=pd.DataFrame({"lsoa_code": ["A"], "v": [1.0]}),
                                value_column="v", title="Square"))
    (ring,) = _rings(_areas(tree)["A"].get("d"))
    width, height = np.ptp(ring[:, 0]), np.ptp(ring[:, 1])
    expected = (np.log(np.tan(np.pi / 4 + np.radians(53.5) / 2)) - np.log(np.tan(np.pi / 4 + np.radians(52.5) / 2))
                ) / np.radians(1.0)
    assert height / width == pytest.approx(expected, rel=0.01)
    assert height == pytest.approx(500 - 2 * 8, abs=0.2)        # as tall as allowed, so narrower than the width
    assert tree.find("svg").get("width") == "100%"
    assert tree.find("svg").get("viewBox").startswith(f"0 0 {WIDTH} ")


def test_a_detailed_boundary_is_drawn_small():
    # A ring of 10,000 corners, its wiggles finer than a pixel: simplified to what can be seen.
    turns = np.linspace(0, 2 * np.pi, 10_000, endpoint=False)
    radius = 0.05 * (1 + 0.001 * np.random.default_rng(5).standard_normal(len(turns)))
    ring = np.column_stack([-2.3 + radius * np.cos(turns) * 1.6, 53.4 + radius * np.sin(turns)])
    detailed = gpd.GeoDataFrame({"lsoa_code": ["A"]}, geometry=[shapely.Polygon(ring)], crs=4326)
    drawing = svg_choropleth(areas=detailed, values=pd.DataFrame({"lsoa_code": ["A"], "v": [3.0]}),
                             value_column="v", title="Detailed")
    assert len(drawing) < 12_000                 # the corners written as they are would take over 100 kB
    (ring_drawn,) = _rings(_areas(_tree(drawing))["A"].get("d"))
    assert 40 < len(ring_drawn) < 800


def test_neighbours_stay_edge_to_edge_with_outlines_and_dots_on_top(areas, reach):
    outlines = dissolve_areas(areas, pd.DataFrame({"lsoa_code": areas["lsoa_code"],
                                                   "centre_id": ["A"] * 10 + ["B"] * 10}))
    middle = areas.geometry.union_all().centroid
    points = pd.DataFrame({"lon": [middle.x, 10.0], "lat": [middle.y, 60.0], "hover": ["Oak Centre", "far away"]})
    tree = _tree(svg_choropleth(areas=areas, values=reach, value_column="reach_pct", title="Reach",
                                outlines=outlines, dots=[Dots(points, "#b2182b", 11, "Children's centre")]))
    drawn = [shapely.Polygon(ring) for path in _areas(tree).values() for ring in _rings(path.get("d"))]
    union = shapely.union_all(drawn)
    # Shared edges simplified once: no gaps and no overlaps between neighbours.
    assert sum(shape.area for shape in drawn) == pytest.approx(union.area, rel=0.002)
    assert len(shapely.get_parts(union)) == 1 and not list(union.interiors)
    heavy = [group for group in tree.iter("g") if group.get("stroke") == OUTLINE_COLOUR]
    assert len(heavy) == 1 and len(list(heavy[0].iter("path"))) == 2
    dots = [circle for circle in tree.iter("circle") if circle.find("title") is not None]
    assert [dot.find("title").text for dot in dots] == ["Oak Centre"]      # the other lies beyond the map
    keyed = [text.text for text in tree.iter("text")]
    assert "Reach area boundary" in keyed and "Children's centre" in keyed


def test_the_colour_key_marks_the_ticks_given(areas, reach):
    tree = _tree(svg_choropleth(areas=areas, values=reach, value_column="reach_pct", label="Reach %",
                                value_range=(40.0, 100.0), key_ticks=[(40.0, "40%"), (65.0, "65%"), (100.0, "100%")],
                                key_marks=[(65.0, "good begins at 65%")], title="Reach"))
    texts = [text.text for text in tree.iter("text")]
    assert texts[:4] == ["Reach %", "40%", "65%", "100%"]
    marked = [path for path in tree.iter("path") if path.find("title") is not None and not path.get("data-label")]
    assert [(mark.find("title").text, mark.get("stroke-width")) for mark in marked] == [("good begins at 65%", "2")]
    # Without ticks given, the ends of the range, formatted as the values are.
    plain = _tree(svg_choropleth(areas=areas, values=reach, value_column="reach_pct", title="Reach"))
    assert [text.text for text in plain.iter("text")][:3] == ["reach_pct", "42.0", "101.5"]
