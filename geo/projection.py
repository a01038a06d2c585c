"""The two coordinate systems Reach uses, and the one rule about undeclared ones.

Everything is stored and drawn in WGS84 longitude/latitude (EPSG:4326); lengths and areas are
measured in British National Grid metres (EPSG:27700).
"""

from __future__ import annotations

import geopandas as gpd

WGS84 = "EPSG:4326"
BRITISH_NATIONAL_GRID = "EPSG:27700"


def in_wgs84(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """`frame` in EPSG:4326. A frame with no CRS is taken to be lon/lat already.

    Shapes read back from the store carry no CRS, and the store holds only WGS84, so no CRS
    means WGS84 here (boundary files are stricter: see `read_boundaries`).
    """
    if frame.crs is None:
        return frame.set_crs(WGS84)
    if frame.crs.to_epsg() == 4326:
        return frame
    return frame.to_crs(WGS84)


def in_metres(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """`frame` in British National Grid, where distances and areas are in metres."""
    return in_wgs84(frame).to_crs(BRITISH_NATIONAL_GRID)
