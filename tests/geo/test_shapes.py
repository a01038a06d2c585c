"""Reach-area outlines, simplification for display, GeoJSON for maps, and fitting the view."""

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.shapes import (
    bounds_view,
    display_tolerance,
    dissolve_areas,
    simplify_for_display,
    to_geojson_dict,
    vertex_count,
    within_vertex_budget,
)


def _shapes(frame):
    return np.asarray(frame.geometry.array, dtype=object)


@pytest.fixture(params=["synthetic", pytest.param("trafford", marks=pytest.mark.realdata)])
def coverage(request, grid_coverage):
    """LSOA-like areas in lon/lat: a synthetic grid always, Trafford's 2021 LSOAs where present."""
    if request.param == "synthetic":
        return grid_coverage(12, 10).to_crs(4326)
    return request.getfixturevalue("trafford_areas")


# ---- dissolve ---------------------------------------------------------------------------------

def test_dissolve_gives_one_shape_per_centre_with_the_area_of_its_lsoas(coverage):
    rng = np.random.default_rng(3)
    assignment = pd.DataFrame({
        "lsoa_code": coverage["lsoa_code"],
        "centre_id": rng.choice(["22329", "22963", "30001"], size=len(coverage)),
    })

    outlines = dissolve_areas(coverage, assignment)

    assert outlines["centre_id"].tolist() == ["22329", "22963", "30001"]
    assert outlines["lsoa_count"].tolist() == [
        int((assignment["centre_id"] == centre).sum()) for centre in ["22329", "22963", "30001"]]
    assert set(outlines.geom_type) <= {"Polygon", "MultiPolygon"}
    areas_m2 = coverage.to_crs(27700).set_index("lsoa_code").area
    expected = areas_m2.groupby(assignment.set_index("lsoa_code")["centre_id"]).sum()
    got = outlines.to_crs(27700).set_index("centre_id").area
    assert got.to_numpy() == pytest.approx(expected.loc[got.index].to_numpy(), rel=1e-9)


def test_a_block_of_neighbours_dissolves_without_seams(grid_coverage):
    areas = grid_coverage(4, 4)
    outline = dissolve_areas(areas, pd.DataFrame(
        {"lsoa_code": areas["lsoa_code"], "centre_id": "C1"})).geometry.iloc[0]
    assert outline.geom_type == "Polygon"
    assert len(outline.interiors) == 0
    assert outline.area == pytest.approx(areas.area.sum(), rel=1e-12)


@pytest.mark.realdata
def test_trafford_split_between_its_two_centres(trafford_areas):
    areas = trafford_areas
    west = areas.geometry.representative_point().x < -2.36
    assignment = pd.DataFrame({"lsoa_code": areas["lsoa_code"],
                               "centre_id": np.where(west, "22329", "22963")})
    outlines = dissolve_areas(areas, assignment)
    assert outlines["lsoa_count"].tolist() == [int(west.sum()), int((~west).sum())]
    total_m2 = outlines.to_crs(27700).area.sum()
    assert total_m2 == pytest.approx(areas.to_crs(27700).area.sum(), rel=1e-9)


def test_dissolve_leaves_out_unassigned_lsoas_and_centres_without_shapes(grid_coverage):
    areas = grid_coverage(3, 1)
    assignment = pd.DataFrame({"lsoa_code": ["E01000001", "E01000002", "E01999999"],
                               "centre_id": ["A", "A", "B"]})
    outlines = dissolve_areas(areas, assignment)
    assert outlines["centre_id"].tolist() == ["A"]
    assert outlines.geometry.iloc[0].area == pytest.approx(areas.area.iloc[:2].sum())
    assert outlines.crs.to_epsg() == 27700


def test_an_lsoa_claimed_by_two_centres_is_an_error_naming_both(grid_coverage):
    assignment = pd.DataFrame({"lsoa_code": ["E01000001", "E01000001"],
                               "centre_id": ["Partington", "Stretford"]})
    with pytest.raises(ValueError, match="E01000001 is assigned to more than one centre "
                                         r"\(Partington and Stretford\)"):
        dissolve_areas(grid_coverage(1, 1), assignment)


# ---- simplification ---------------------------------------------------------------------------

def test_simplify_keeps_every_polygon_and_the_shared_edges(coverage):
    simplified = simplify_for_display(coverage, tolerance_m=50)

    assert simplified.crs.to_epsg() == 4326
    assert len(simplified) == len(coverage)
    assert simplified["lsoa_code"].tolist() == coverage["lsoa_code"].tolist()
    assert not simplified.geometry.is_empty.any()
    assert simplified.is_valid.all()
    assert simplified.count_coordinates().sum() < 0.8 * coverage.count_coordinates().sum()
    # No gaps or overlaps opened: the union covers what the parts cover.
    metric = _shapes(simplified.to_crs(27700))
    union_m2 = shapely.union_all(metric).area
    assert union_m2 == pytest.approx(shapely.area(metric).sum(), rel=0.005)
    assert shapely.coverage_is_valid(metric)


def test_simplify_keeps_the_total_area_close(coverage):
    simplified = simplify_for_display(coverage, tolerance_m=50)
    before = coverage.to_crs(27700).area.sum()
    after = simplified.to_crs(27700).area.sum()
    assert after == pytest.approx(before, rel=0.01)


def test_simplify_with_no_tolerance_changes_nothing(grid_coverage):
    areas = grid_coverage(3, 3)
    unchanged = simplify_for_display(areas, tolerance_m=0)
    assert unchanged.crs.to_epsg() == 4326
    assert unchanged.count_coordinates().tolist() == areas.count_coordinates().tolist()


def test_simplify_refuses_a_negative_tolerance(grid_coverage):
    with pytest.raises(ValueError, match="0 or more metres"):
        simplify_for_display(grid_coverage(1, 1), tolerance_m=-1)


def test_simplify_passes_rows_without_shapes_through(grid_coverage):
    areas = grid_coverage(3, 1).to_crs(4326)
    areas.loc[1, "geometry"] = None
    simplified = simplify_for_display(areas, tolerance_m=20)
    assert simplified.geometry.isna().tolist() == [False, True, False]


def test_simplify_holds_the_corner_points_to_a_budget_keeping_the_coverage(grid_coverage):
    areas = grid_coverage(12, 10).to_crs(4326)
    budget = vertex_count(areas) // 2

    simplified = simplify_for_display(areas, tolerance_m=0, max_vertices=budget)

    assert vertex_count(simplified) <= budget
    assert simplified["lsoa_code"].tolist() == areas["lsoa_code"].tolist()
    assert not simplified.geometry.is_empty.any()
    assert shapely.coverage_is_valid(_shapes(simplified.to_crs(27700)))


def test_a_huge_boundary_set_is_thinned_quickly_to_the_budget(grid_coverage):
    import time

    cells = grid_coverage(20, 20, bends_per_edge=1)
    dense = shapely.segmentize(_shapes(cells), 0.5)           # about 1.3 million corners
    huge = cells.set_geometry(gpd.GeoSeries(dense, crs=cells.crs))
    assert vertex_count(huge) > 1_000_000

    started = time.perf_counter()
    light = simplify_for_display(huge, tolerance_m=10, max_vertices=20_000)

    assert time.perf_counter() - started < 10
    assert vertex_count(light) <= 20_000
    assert len(light) == len(huge) and not light.geometry.is_empty.any()
    assert light.to_crs(27700).area.sum() == pytest.approx(huge.area.sum(), rel=0.01)


def test_a_budget_too_small_for_every_area_still_keeps_every_area(grid_coverage):
    areas = grid_coverage(6, 5)
    light = simplify_for_display(areas, tolerance_m=0, max_vertices=10)
    assert len(light) == 30 and not light.geometry.is_empty.any()
    assert vertex_count(light) <= 30 * 5


def test_within_the_budget_nothing_is_simplified(grid_coverage):
    areas = grid_coverage(3, 3)
    kept = within_vertex_budget(areas, vertex_count(areas))
    assert kept.crs.to_epsg() == 4326
    assert kept.count_coordinates().tolist() == areas.count_coordinates().tolist()


def test_display_tolerance_grows_with_the_number_of_areas():
    assert display_tolerance(139) == 0.0
    assert display_tolerance(299) == 0.0
    assert display_tolerance(600) == 10.0
    assert display_tolerance(3_000) == 20.0
    assert display_tolerance(8_000) == 50.0
    assert display_tolerance(33_755) == 100.0
    steps = [display_tolerance(n) for n in range(0, 40_000, 250)]
    assert steps == sorted(steps)


# ---- GeoJSON and the view ---------------------------------------------------------------------

def test_geojson_has_string_ids_and_coordinates_to_five_places(grid_coverage):
    areas = grid_coverage(3, 2).to_crs(4326)
    areas["centre_id"] = [101, 101, 102, 102, 103, 103]

    collection = to_geojson_dict(areas, "centre_id")

    assert collection["type"] == "FeatureCollection"
    assert [feature["id"] for feature in collection["features"]] == [
        "101", "101", "102", "102", "103", "103"]
    assert collection["features"][0]["properties"] == {"centre_id": "101"}
    coordinates = np.array([point for feature in collection["features"]
                            for ring in feature["geometry"]["coordinates"] for point in ring])
    assert np.array_equal(coordinates, np.round(coordinates, 5))
    assert json.loads(json.dumps(collection))["features"][5]["geometry"]["type"] == "Polygon"


def test_geojson_leaves_out_rows_without_shapes(grid_coverage):
    areas = grid_coverage(3, 1).to_crs(4326)
    areas.loc[0, "geometry"] = None
    collection = to_geojson_dict(areas, "lsoa_code")
    assert [feature["id"] for feature in collection["features"]] == ["E01000002", "E01000003"]


def test_geojson_from_british_national_grid_is_in_lon_lat(grid_coverage):
    collection = to_geojson_dict(grid_coverage(1, 1), "lsoa_code")
    lon, lat = collection["features"][0]["geometry"]["coordinates"][0][0]
    assert -2.4 < lon < -2.2
    assert 53.3 < lat < 53.5


@pytest.mark.realdata
def test_bounds_view_fits_trafford(trafford_areas):
    areas = trafford_areas
    view = bounds_view(areas)
    west, south, east, north = areas.total_bounds
    assert west < view["center"]["lon"] < east
    assert south < view["center"]["lat"] < north
    # Trafford is about 15 km across: a borough-level zoom.
    assert 10.0 < view["zoom"] < 11.5


def test_bounds_view_zooms_out_for_larger_areas(grid_coverage):
    small = bounds_view(grid_coverage(2, 2))
    large = bounds_view(grid_coverage(40, 40))
    assert large["zoom"] == pytest.approx(small["zoom"] - np.log2(40 / 2), abs=0.3)
    assert isinstance(small["zoom"], float)
    assert isinstance(small["center"]["lon"], float)


def test_bounds_view_of_england_is_a_national_zoom():
    england = gpd.GeoDataFrame(geometry=[shapely.box(-5.7, 49.9, 1.8, 55.8)], crs=4326)
    assert 4.5 < bounds_view(england)["zoom"] < 6.0


def test_bounds_view_of_a_single_point_uses_a_street_zoom():
    point = gpd.GeoDataFrame(geometry=[shapely.Point(-2.31, 53.44)], crs=4326)
    assert bounds_view(point) == {"center": {"lat": pytest.approx(53.44), "lon": -2.31},
                                  "zoom": 14.0}


def test_bounds_view_needs_a_shape():
    empty = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=4326))
    with pytest.raises(ValueError, match="at least one shape"):
        bounds_view(empty)
