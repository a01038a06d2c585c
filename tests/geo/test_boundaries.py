"""Reading boundary files: formats, coordinate systems, file faults and row faults."""

import json
import zipfile

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.boundaries import BoundaryFileError, BoundaryRead, read_boundaries

BOUNDARIES = "boundaries"


def _write_geojson(path, features, *, crs=None):
    collection = {"type": "FeatureCollection", "features": features}
    if crs:
        collection["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(collection))
    return path


def _feature(properties, coordinates, geometry_type="Polygon"):
    return {"type": "Feature", "properties": properties,
            "geometry": None if coordinates is None
            else {"type": geometry_type, "coordinates": coordinates}}


def _square(lon, lat, size=0.01):
    corners = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size]]
    return [corners + [[lon, lat]]]


def _zipped_shapefile(areas, zip_path, *, shp_name="lsoa.shp", inside="", leave_out=()):
    """`areas` saved as a Shapefile and zipped into `zip_path`, its files under the folder
    `inside`, without the parts whose suffix is in `leave_out`."""
    folder = zip_path.parent / "shapefile"
    folder.mkdir()
    areas.to_file(folder / shp_name)
    with zipfile.ZipFile(zip_path, "w") as archive:
        for file in sorted(folder.iterdir()):
            if file.suffix.lower() not in leave_out:
                archive.write(file, arcname=f"{inside}{file.name}")
    return zip_path


def _refusal(path, **options) -> BoundaryFileError:
    """What `read_boundaries` refuses the file with (the test fails if the file is read)."""
    with pytest.raises(BoundaryFileError) as raised:
        read_boundaries(path, **options)
    return raised.value


def _centroid_gaps_m(first, second):
    """Distance in metres between the centroids of two frames' shapes, matched by code."""
    first = first.set_index("lsoa_code").to_crs(27700)
    second = second.set_index("lsoa_code").to_crs(27700).loc[first.index]
    return first.centroid.distance(second.centroid)


@pytest.fixture(params=["synthetic", pytest.param("trafford", marks=pytest.mark.realdata)])
def sample_areas(request, grid_coverage):
    """Areas in lon/lat: a synthetic grid always, and Trafford's 2021 LSOAs where present."""
    if request.param == "synthetic":
        return grid_coverage(8, 6).to_crs(4326)
    folder = request.getfixturevalue("trafford") / BOUNDARIES
    return gpd.read_file(folder / "trafford_lsoa21_generalised.geojson").rename(
        columns={"area_code": "lsoa_code", "area_name": "lsoa_name"})


# ---- the published Trafford files -------------------------------------------------------------

@pytest.mark.realdata
def test_trafford_2021_geojson_reads_139_areas_in_wgs84(trafford):
    result = read_boundaries(trafford / BOUNDARIES / "trafford_lsoa21_generalised.geojson")
    assert isinstance(result, BoundaryRead)
    assert list(result.areas.columns) == ["lsoa_code", "lsoa_name", "geometry"]
    assert len(result.areas) == 139
    assert result.areas.crs.to_epsg() == 4326
    assert result.rejects.empty
    assert result.repaired == 0
    assert set(result.areas.geom_type) <= {"Polygon", "MultiPolygon"}
    row = result.areas.set_index("lsoa_code").loc["E01006074"]
    assert row["lsoa_name"] == "Trafford 025A"
    assert {"E01034000", "E01034001"} <= set(result.areas["lsoa_code"])


@pytest.mark.realdata
def test_trafford_2011_geojson_reads_138_areas(trafford):
    result = read_boundaries(trafford / BOUNDARIES / "trafford_lsoa11_super_generalised.geojson")
    assert len(result.areas) == 138
    assert result.areas.crs.to_epsg() == 4326
    assert "E01006185" in set(result.areas["lsoa_code"])
    assert result.areas["lsoa_code"].is_unique


# ---- formats and coordinate systems -----------------------------------------------------------

def test_geopackage_in_british_national_grid_reads_back_the_same_areas(sample_areas, tmp_path):
    path = tmp_path / "areas.gpkg"
    sample_areas.rename(columns={"lsoa_code": "LSOA21CD", "lsoa_name": "LSOA21NM"}).to_crs(
        27700).to_file(path, layer="lsoa", driver="GPKG")

    result = read_boundaries(path)

    assert result.source_crs == "EPSG:27700"
    assert result.areas.crs.to_epsg() == 4326
    assert result.areas["lsoa_code"].tolist() == sample_areas["lsoa_code"].tolist()
    assert result.areas["lsoa_name"].tolist() == sample_areas["lsoa_name"].tolist()
    assert _centroid_gaps_m(sample_areas, result.areas).max() < 1.0


def test_geopackage_uses_the_first_layer_of_polygons(sample_areas, tmp_path):
    path = tmp_path / "mixed.gpkg"
    gpd.GeoDataFrame({"label": ["a"]}, geometry=[shapely.Point(-2.3, 53.4)], crs=4326).to_file(
        path, layer="centres", driver="GPKG")
    sample_areas.to_file(path, layer="lsoas", driver="GPKG")
    assert len(read_boundaries(path).areas) == len(sample_areas)


def test_zipped_shapefile_in_a_subfolder_reads_back_the_same_areas(sample_areas, tmp_path):
    path = _zipped_shapefile(sample_areas.to_crs(27700), tmp_path / "upload.zip", shp_name="lsoa_2021.shp",
                             inside="LSOA_2021_boundaries/")

    result = read_boundaries(path, original_name="LSOA boundaries.zip")

    assert result.source_crs == "EPSG:27700"
    assert result.areas["lsoa_code"].tolist() == sample_areas["lsoa_code"].tolist()
    assert _centroid_gaps_m(sample_areas, result.areas).max() < 1.0


def test_zipped_shapefile_without_prj_in_metres_asks_for_the_prj(grid_coverage, tmp_path):
    path = _zipped_shapefile(grid_coverage(3, 3), tmp_path / "no_prj.zip", leave_out={".prj"})

    refusal = _refusal(path)

    assert refusal.file == "no_prj.zip"
    assert refusal.column is None
    assert ".prj" in refusal.expected
    assert "no_prj.zip" in str(refusal)
    assert ".prj" in str(refusal)
    assert "British National Grid" in str(refusal)


def test_zipped_shapefile_without_prj_in_lon_lat_is_taken_as_wgs84(grid_coverage, tmp_path):
    areas = grid_coverage(3, 3).to_crs(4326)
    path = _zipped_shapefile(areas, tmp_path / "no_prj.zip", leave_out={".prj"})

    result = read_boundaries(path)

    assert result.source_crs == "none declared"
    assert result.areas.crs.to_epsg() == 4326
    assert _centroid_gaps_m(areas, result.areas).max() < 0.01


def test_zipped_shapefile_without_its_index_names_the_missing_file(grid_coverage, tmp_path):
    path = _zipped_shapefile(grid_coverage(2, 2), tmp_path / "partial.zip", leave_out={".shx"})

    refusal = _refusal(path)

    assert ".shx" in str(refusal)
    assert "partial.zip" in str(refusal)


def test_geojson_in_metres_without_a_crs_is_refused(tmp_path):
    path = _write_geojson(tmp_path / "bng.geojson", [
        _feature({"lsoa_code": "E01000001"}, _square(380_000, 390_000, size=300)),
    ])
    refusal = _refusal(path)
    assert "EPSG:27700" in refusal.expected
    assert "British National Grid" in str(refusal)


def test_geojson_declaring_british_national_grid_is_reprojected(tmp_path):
    path = _write_geojson(tmp_path / "bng.geojson", [
        _feature({"lsoa_code": "E01000001"}, _square(380_000, 390_000, size=300)),
    ], crs="urn:ogc:def:crs:EPSG::27700")
    result = read_boundaries(path)
    west, south, east, north = result.areas.total_bounds
    assert result.source_crs == "EPSG:27700"
    assert -2.31 < west < east < -2.29
    assert 53.40 < south < north < 53.42


def test_a_crs_that_puts_the_shapes_outside_great_britain_is_refused(tmp_path):
    # Longitude and latitude wrongly declared as British National Grid land in the sea off Cornwall.
    path = _write_geojson(tmp_path / "mislabelled.geojson", [
        _feature({"lsoa_code": "E01000001"}, _square(-2.3, 53.4)),
    ], crs="urn:ogc:def:crs:EPSG::27700")
    refusal = _refusal(path)
    assert "outside England and Wales" in str(refusal)
    assert "EPSG:27700" in str(refusal)


# ---- file-level faults ------------------------------------------------------------------------

def test_geojson_with_no_code_column_names_the_column(tmp_path):
    path = _write_geojson(tmp_path / "upload.tmp", [
        _feature({"ward": "Stretford", "name": "Trafford 025A"}, _square(-2.3, 53.4)),
    ])

    error = _refusal(path, original_name="wards.geojson")
    assert error.file == "wards.geojson"
    assert error.column == "lsoa_code"
    assert "LSOA21CD" in error.expected
    message = str(error)
    assert "'wards.geojson'" in message
    assert "'lsoa_code'" in message
    assert "LSOA21CD, LSOA11CD, area_code" in message
    assert "ward, name" in message


def test_junk_bytes_are_not_a_boundary_file(tmp_path):
    path = tmp_path / "boundaries.geojson"
    path.write_bytes(np.random.default_rng(7).bytes(2_000))

    refusal = _refusal(path)

    assert refusal.file == "boundaries.geojson"
    assert refusal.column is None
    assert "GeoJSON, GeoPackage or zipped Shapefile" in refusal.expected
    assert "could not be read" in str(refusal)


def test_a_table_without_shapes_is_not_a_boundary_file(tmp_path):
    path = tmp_path / "population.csv"
    path.write_text("lsoa_code,children_0_4\nE01006074,88\n")
    refusal = _refusal(path)
    assert "no shapes" in str(refusal)


def test_a_zip_with_no_map_inside_is_refused(tmp_path):
    path = tmp_path / "docs.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    refusal = _refusal(path)
    assert "holds no Shapefile" in str(refusal)


def test_a_missing_file_is_a_boundary_file_error(tmp_path):
    refusal = _refusal(tmp_path / "nowhere.geojson")
    assert "could not be found" in str(refusal)


def test_points_are_not_boundaries(tmp_path):
    path = _write_geojson(tmp_path / "centres.geojson", [
        _feature({"lsoa_code": "E01006104"}, [-2.4254, 53.4177], geometry_type="Point"),
    ])
    refusal = _refusal(path)
    assert refusal.column == "geometry"
    assert "Point" in str(refusal)
    assert "Polygon" in refusal.expected


def test_a_line_among_polygons_is_refused(tmp_path):
    path = _write_geojson(tmp_path / "mixed.geojson", [
        _feature({"lsoa_code": "E01000001"}, _square(-2.3, 53.4)),
        _feature({"lsoa_code": "E01000002"}, [[-2.3, 53.4], [-2.2, 53.5]],
                 geometry_type="LineString"),
    ])
    refusal = _refusal(path)
    assert "LineString" in str(refusal)


# ---- row-level faults -------------------------------------------------------------------------

def test_a_self_intersecting_polygon_is_repaired(tmp_path):
    bow_tie = [[[-2.30, 53.40], [-2.28, 53.42], [-2.28, 53.40], [-2.30, 53.42], [-2.30, 53.40]]]
    path = _write_geojson(tmp_path / "bow_tie.geojson", [
        _feature({"lsoa_code": "E01000001"}, bow_tie),
        _feature({"lsoa_code": "E01000002"}, _square(-2.27, 53.40)),
    ])

    result = read_boundaries(path)

    assert result.repaired == 1
    assert result.rejects.empty
    repaired = result.areas.geometry.iloc[0]
    assert repaired.is_valid
    assert repaired.geom_type == "MultiPolygon"
    assert len(repaired.geoms) == 2
    # Two triangles, each a quarter of the 0.02-degree square.
    assert repaired.area == pytest.approx(0.0002)


def test_bad_rows_are_rejected_with_their_row_numbers(tmp_path):
    path = _write_geojson(tmp_path / "lsoa.geojson", [
        _feature({"LSOA21CD": "E01000001", "LSOA21NM": "Grid 1"}, _square(-2.30, 53.40)),
        _feature({"LSOA21CD": "E0100002", "LSOA21NM": "Grid 2"}, _square(-2.29, 53.40)),
        _feature({"LSOA21CD": None, "LSOA21NM": "Grid 3"}, _square(-2.28, 53.40)),
        _feature({"LSOA21CD": "E01000004", "LSOA21NM": "Grid 4"}, None),
        _feature({"LSOA21CD": "E01000001", "LSOA21NM": "Grid 1 again"}, _square(-2.27, 53.40)),
        _feature({"LSOA21CD": " e01000006 ", "LSOA21NM": "  "}, _square(-2.26, 53.40)),
        _feature({"LSOA21CD": "W01000007", "LSOA21NM": "Wales"}, _square(-2.25, 53.40)),
    ])

    result = read_boundaries(path)

    assert result.areas["lsoa_code"].tolist() == ["E01000001", "E01000006"]
    assert result.areas["lsoa_name"].tolist() == ["Grid 1", None]
    assert result.rejects.to_dict("records") == [
        {"row_number": 2, "lsoa_code": "E0100002",
         "reason": "'E0100002' is not an LSOA code (expected E01 followed by 6 digits)"},
        {"row_number": 3, "lsoa_code": None, "reason": "no LSOA code"},
        {"row_number": 4, "lsoa_code": "E01000004", "reason": "no shape (the geometry is empty)"},
        {"row_number": 5, "lsoa_code": "E01000001", "reason": "duplicate of row 1"},
        {"row_number": 7, "lsoa_code": "W01000007",
         "reason": "'W01000007' is not an LSOA code (expected E01 followed by 6 digits)"},
    ]


def test_code_column_matches_ignoring_case_and_name_is_optional(tmp_path):
    path = _write_geojson(tmp_path / "lsoa.geojson", [
        _feature({"Lsoa11cd": "E01006185"}, _square(-2.30, 53.40)),
    ])
    result = read_boundaries(path)
    assert result.areas["lsoa_code"].tolist() == ["E01006185"]
    assert result.areas["lsoa_name"].tolist() == [None]
    assert list(result.areas.columns) == ["lsoa_code", "lsoa_name", "geometry"]


def test_the_preferred_code_column_wins_when_there_are_two(tmp_path):
    path = _write_geojson(tmp_path / "lsoa.geojson", [
        _feature({"area_code": "E01000009", "LSOA21CD": "E01000001"}, _square(-2.30, 53.40)),
    ])
    assert read_boundaries(path).areas["lsoa_code"].tolist() == ["E01000001"]
