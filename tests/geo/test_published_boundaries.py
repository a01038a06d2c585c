"""Boundary files as published: GeoPackages with several layers, and a Shapefile whose .prj is
ESRI's text naming no EPSG code."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pyproj
import pytest
import shapely
from shapely.geometry import box

from data.importers import FileFault, import_file
from data.store import opened
from geo.boundaries import read_boundaries

# Two LSOAs near Stretford, in British National Grid metres.
@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "store.duckdb"


SQUARES = [box(378_000, 394_000, 378_500, 394_500), box(378_500, 394_000, 379_000, 394_500)]


def _lsoas() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"LSOA21CD": ["E01006074", "E01006075"], "LSOA21NM": ["Trafford 025A", "Trafford 025B"]},
                            geometry=SQUARES, crs=27700)


def test_a_geopackage_with_several_layers_reads_the_one_with_lsoa_codes(tmp_path):
    path = tmp_path / "boundaries.gpkg"
    gpd.GeoDataFrame({"RGN22NM": ["North West"]}, geometry=[box(370_000, 390_000, 390_000, 400_000)],
                     crs=27700).to_file(path, layer="regions", driver="GPKG")
    _lsoas().to_file(path, layer="lsoa_2021", driver="GPKG")
    read = read_boundaries(path)
    assert read.layer == "lsoa_2021"
    assert list(read.areas["lsoa_code"]) == ["E01006074", "E01006075"]


def test_a_layer_can_be_named_and_a_missing_one_is_refused_with_the_layers_there_are(tmp_path, db):
    path = tmp_path / "boundaries.gpkg"
    _lsoas().to_file(path, layer="lsoa_2021", driver="GPKG")
    _lsoas().to_file(path, layer="lsoa_2021_generalised", driver="GPKG")
    summary = import_file("boundaries", path, db=db, layer="LSOA_2021_generalised")
    assert summary.rows_loaded == 2
    assert 'Read the layer "lsoa_2021_generalised"' in summary.message
    with pytest.raises(FileFault, match="has no layer 'wards'. Expected one of its layers: 'lsoa_2021', "
                                        "'lsoa_2021_generalised'"):
        import_file("boundaries", path, db=tmp_path / "other.duckdb", layer="wards")


def test_a_shapefile_whose_prj_names_no_epsg_code_is_placed_correctly(tmp_path, db):
    folder = tmp_path / "shp"
    folder.mkdir()
    _lsoas().to_file(folder / "LSOA_2021.shp")
    # ESRI's own text for British National Grid: a WKT with no EPSG code in it.
    esri = pyproj.CRS.from_epsg(27700).to_wkt("WKT1_ESRI")
    assert "27700" not in esri
    (folder / "LSOA_2021.prj").write_text(esri)
    archive = tmp_path / "LSOA_2021.zip"
    with zipfile.ZipFile(archive, "w") as packed:
        for part in folder.iterdir():
            packed.write(part, part.name)
    summary = import_file("boundaries", archive, db=db)
    assert summary.rows_loaded == 2
    with opened(db, read_only=True) as con:
        wkb = con.execute("SELECT geometry FROM lsoas WHERE lsoa_code = 'E01006074'").fetchall()[0][0]
    centre = shapely.from_wkb(bytes(wkb)).centroid
    lon, lat = centre.x, centre.y
    assert -2.35 < lon < -2.30 and 53.44 < lat < 53.47      # Stretford, not the Gulf of Guinea


def test_a_loose_shapefile_missing_its_dbf_is_refused_saying_so(tmp_path, db):
    _lsoas().to_file(tmp_path / "LSOA_2021.shp")
    (tmp_path / "LSOA_2021.dbf").unlink()
    with pytest.raises(FileFault, match=r"has no \.dbf file beside it"):
        import_file("boundaries", tmp_path / "LSOA_2021.shp", db=db)
    assert not Path(db).exists()


def test_a_polygon_with_a_sliver_spike_is_repaired_to_its_area(tmp_path, db):
    # A square with a zero-width spike along one edge (a sliver left by digitising): invalid as drawn.
    spiked = shapely.Polygon([(378_000, 394_000), (378_500, 394_000), (378_500, 394_250), (378_900, 394_250),
                              (378_500, 394_250), (378_500, 394_500), (378_000, 394_500)])
    assert not spiked.is_valid
    path = tmp_path / "slivers.gpkg"
    gpd.GeoDataFrame({"LSOA21CD": ["E01006074"]}, geometry=[spiked], crs=27700).to_file(path, driver="GPKG")
    read = read_boundaries(path)
    assert read.repaired == 1
    shape = read.areas.geometry.iloc[0]
    assert shape.geom_type in ("Polygon", "MultiPolygon")
    # The square's area survives (in degrees squared near Stretford), the spike adds none.
    square = gpd.GeoSeries([box(378_000, 394_000, 378_500, 394_500)], crs=27700).to_crs(4326).iloc[0]
    assert abs(shape.area - square.area) / square.area < 1e-6
