"""A boundary file's population-weighted centroid (`pwc_lon`, `pwc_lat`) goes into the store, a
bad one is quarantined with its reason, and a later file without one leaves it as it was."""

import json

import pytest
import shapely

from data.importers import import_file
from data.store import connect
from geo.boundaries import read_boundaries


def geojson(path, features):
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": properties,
         "geometry": shapely.geometry.mapping(shapely.box(lon, 53.4, lon + 0.01, 53.41))}
        for lon, properties in features]}))
    return path


def stored(db):
    con = connect(db, read_only=True)
    try:
        return {code: (lon, lat) for code, lon, lat in
                con.execute("SELECT lsoa_code, pwc_lon, pwc_lat FROM lsoas ORDER BY lsoa_code").fetchall()}
    finally:
        con.close()


def test_the_centroid_columns_are_read_and_stored(tmp_path):
    path = geojson(tmp_path / "b.geojson", [
        (-2.30, {"LSOA21CD": "E01000001", "PWC_LON": -2.295, "PWC_LAT": 53.404}),
        (-2.29, {"LSOA21CD": "E01000002", "PWC_LON": None, "PWC_LAT": None}),
    ])
    read = read_boundaries(path)
    assert read.centroid_columns == ("PWC_LON", "PWC_LAT")
    db = tmp_path / "reach.duckdb"
    summary = import_file("boundaries", path, db=db)
    assert summary.rows_loaded == 2 and summary.rows_quarantined == 0
    assert stored(db) == {"E01000001": (-2.295, 53.404), "E01000002": (None, None)}


def test_ons_long_and_lat_and_grid_x_y_are_not_taken_for_the_centroid(tmp_path):
    # ONS boundary files carry LONG/LAT (the middle of the shape) and BNG_E/BNG_N; the centroid
    # files give x and y in grid metres. None of them is a population-weighted longitude/latitude.
    path = geojson(tmp_path / "b.geojson", [
        (-2.30, {"LSOA21CD": "E01000001", "LONG": -2.295, "LAT": 53.404, "x": 380000, "y": 395000}),
    ])
    assert read_boundaries(path).centroid_columns is None
    assert list(read_boundaries(path).areas.columns) == ["lsoa_code", "lsoa_name", "geometry"]
    db = tmp_path / "reach.duckdb"
    import_file("boundaries", path, db=db)
    assert stored(db) == {"E01000001": (None, None)}


def test_a_centroid_not_in_degrees_or_half_given_is_quarantined(tmp_path):
    path = geojson(tmp_path / "b.geojson", [
        (-2.30, {"lsoa_code": "E01000001", "pwc_lon": 380000, "pwc_lat": 395000}),
        (-2.29, {"lsoa_code": "E01000002", "pwc_lon": -2.285, "pwc_lat": None}),
        (-2.28, {"lsoa_code": "E01000003", "pwc_lon": -2.275, "pwc_lat": 53.405}),
    ])
    db = tmp_path / "reach.duckdb"
    summary = import_file("boundaries", path, db=db)
    assert (summary.rows_loaded, summary.rows_quarantined) == (1, 2)
    con = connect(db, read_only=True)
    try:
        reasons = dict(con.execute("SELECT row_number, reason FROM quarantine ORDER BY row_number").fetchall())
    finally:
        con.close()
    assert "pwc_lon" in reasons[1] and "is not in degrees" in reasons[1]
    assert "must be given together" in reasons[2]


def test_a_later_file_without_centroids_keeps_them(tmp_path):
    db = tmp_path / "reach.duckdb"
    import_file("boundaries", geojson(tmp_path / "with.geojson", [
        (-2.30, {"lsoa_code": "E01000001", "lsoa_name": "Old", "pwc_lon": -2.295, "pwc_lat": 53.404})]), db=db)
    summary = import_file("boundaries", geojson(tmp_path / "without.geojson", [
        (-2.30, {"lsoa_code": "E01000001", "lsoa_name": "New"})]), db=db)
    assert summary.rows_loaded == 1      # renamed: an update
    assert stored(db) == {"E01000001": (-2.295, 53.404)}
    # The same file again changes nothing.
    again = import_file("boundaries", tmp_path / "without.geojson", db=db)
    assert again.status == "unchanged"


@pytest.mark.parametrize("spelling", [("pwc_long", "pwc_lat"), ("pwc_longitude", "pwc_latitude")])
def test_other_spellings_of_the_centroid(tmp_path, spelling):
    path = geojson(tmp_path / "b.geojson", [
        (-2.30, {"lsoa_code": "E01000001", spelling[0]: -2.295, spelling[1]: 53.404})])
    assert read_boundaries(path).centroid_columns == spelling
