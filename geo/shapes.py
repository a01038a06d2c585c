"""Shapes made from LSOA polygons: reach-area outlines, light versions for maps, GeoJSON.

LSOA boundaries form a coverage: neighbours share their edges vertex for vertex. Everything here
keeps it that way, so a simplified map has no slivers or gaps between areas and a dissolved reach
area has no seams inside it.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.projection import BRITISH_NATIONAL_GRID, WGS84, in_metres, in_wgs84

# Five decimal places of a degree is about 1 m on the ground in England: finer than any
# generalised boundary, and it keeps the map's data small.
GEOJSON_DECIMALS = 5

# (fewer than this many polygons, tolerance in metres); the ONS "generalised" boundaries are
# already simplified to 20 m, and its "super generalised" ones to 200 m.
_DISPLAY_TOLERANCES = ((300, 0.0), (1_000, 10.0), (5_000, 20.0), (12_000, 50.0))
_LARGEST_DISPLAY_TOLERANCE = 100.0

# The most corner points a map sends to the browser: for its areas, and for the outlines drawn
# on top. Each is about 20 bytes once written as JSON, so a map stays a few megabytes whatever is
# stored; a full-resolution boundary file would otherwise send hundreds of megabytes to every
# viewer, more than the dashboard can send at all.
DISPLAY_VERTEX_BUDGET = 150_000
OUTLINE_VERTEX_BUDGET = 50_000
# Coverage simplification takes about 2.5 s for every million corner points. Far above the
# budget, a quick Douglas-Peucker pass (which may open hairline gaps between neighbours) thins
# the shapes first, so a huge boundary set is drawn in seconds rather than minutes.
_QUICK_THINNING_ABOVE = 4
_MAX_ROUNDS = 24

# A MapLibre map at zoom z is 512 x 2**z pixels round the world.
_TILE_PIXELS = 512
_MAX_ZOOM = 16.0
_SINGLE_POINT_ZOOM = 14.0


def dissolve_areas(areas: gpd.GeoDataFrame, assignment: pd.DataFrame) -> gpd.GeoDataFrame:
    """One outline per centre: the union of the LSOAs assigned to it.

    `areas` has `lsoa_code` and polygon geometry; `assignment` has `lsoa_code` and `centre_id`.
    Returns a GeoDataFrame with `centre_id`, `lsoa_count` and `geometry` (Polygon or
    MultiPolygon), in the CRS of `areas`, sorted by centre. LSOAs assigned to no centre are left
    out, and so is a centre none of whose LSOAs has a shape. An LSOA assigned to two centres is
    an error.
    """
    _require_columns(areas, ["lsoa_code"], "areas")
    _require_columns(assignment, ["lsoa_code", "centre_id"], "assignment")
    claims = assignment[["lsoa_code", "centre_id"]].drop_duplicates()
    contested = claims[claims["lsoa_code"].duplicated(keep=False)]
    if not contested.empty:
        code = contested["lsoa_code"].iloc[0]
        centres = contested.loc[contested["lsoa_code"] == code, "centre_id"].astype(str).tolist()
        raise ValueError(
            f"LSOA {code} is assigned to more than one centre ({' and '.join(centres)}); "
            f"every LSOA belongs to at most one centre."
        )
    joined = pd.DataFrame({"lsoa_code": areas["lsoa_code"],
                           "geometry": np.asarray(areas.geometry.array, dtype=object)})
    joined = joined.merge(claims, on="lsoa_code", how="inner")
    joined = joined[has_shape(joined["geometry"].to_numpy())]

    centre_ids, outlines, counts = [], [], []
    for centre_id, group in joined.groupby("centre_id", sort=True):
        # union_all rather than coverage_union_all: it is fast enough for a dozen LSOAs a centre
        # and stays correct when a boundary file's edges do not match exactly.
        centre_ids.append(centre_id)
        outlines.append(_union(group["geometry"].to_numpy()))
        counts.append(len(group))
    return gpd.GeoDataFrame(
        {
            "centre_id": pd.Series(centre_ids, dtype=assignment["centre_id"].dtype),
            "lsoa_count": pd.Series(counts, dtype="int64"),
        },
        geometry=gpd.GeoSeries(outlines, crs=areas.crs),
    )


def simplify_for_display(gdf: gpd.GeoDataFrame, *, tolerance_m: float,
                         max_vertices: int = DISPLAY_VERTEX_BUDGET) -> gpd.GeoDataFrame:
    """A lighter copy of `gdf` for drawing, in EPSG:4326, with neighbours still edge to edge.

    Simplifies in British National Grid so `tolerance_m` is in metres (roughly the square root
    of the area of the smallest corner removed). Every polygon is kept, and shared edges are
    simplified once, so no gaps or overlaps open between areas. A tolerance of 0 changes
    nothing (within the budget below). Other columns are kept as they are.

    Whatever the tolerance, the result has at most `max_vertices` corner points: beyond that the
    tolerance is doubled until it fits (each area keeps at least a few corners; a boundary set
    far beyond any real one may be drawn with hairline gaps, or in the end as boxes).
    """
    if tolerance_m < 0:
        raise ValueError(f"tolerance_m must be 0 or more metres; got {tolerance_m}.")
    if gdf.empty or (tolerance_m == 0 and vertex_count(gdf) <= max_vertices):
        return in_wgs84(gdf).copy()
    metric = in_metres(gdf)
    geometries = np.asarray(metric.geometry.array, dtype=object)
    present = has_shape(geometries)
    simplified = geometries.copy()
    simplified[present] = _simplified_within(geometries[present], tolerance_m, max_vertices)
    result = metric.copy()
    result[result.geometry.name] = gpd.GeoSeries(
        simplified, index=metric.index, crs=BRITISH_NATIONAL_GRID
    )
    return result.to_crs(WGS84)


def vertex_count(gdf: gpd.GeoDataFrame) -> int:
    """The corner points of all the shapes of `gdf` together."""
    return _count(np.asarray(gdf.geometry.array, dtype=object))


def within_vertex_budget(gdf: gpd.GeoDataFrame, max_vertices: int) -> gpd.GeoDataFrame:
    """`gdf` in EPSG:4326, simplified only if it has more than `max_vertices` corner points."""
    if vertex_count(gdf) <= max_vertices:
        return in_wgs84(gdf)
    return simplify_for_display(gdf, tolerance_m=0.0, max_vertices=max_vertices)


def _count(geometries: np.ndarray) -> int:
    return int(shapely.get_num_coordinates(geometries).sum())


def _simplified_within(geometries: np.ndarray, tolerance: float, budget: int) -> np.ndarray:
    """Shapes (in metres) simplified by `tolerance`, then more until within `budget` corners."""
    current = geometries
    if _count(current) > _QUICK_THINNING_ABOVE * budget:
        current = _thinned(current, 2 * budget, start=max(tolerance, 1.0))
    if tolerance > 0:
        current = _coverage_simplified(current, tolerance)
    count = _count(current)
    if count <= budget:
        return current
    # Start where the corners are about as far apart as the budget allows, then double.
    spacing = float(shapely.length(current).sum()) / max(count, 1)
    tolerance = max(2 * tolerance, spacing * count / budget / 2, 1.0)
    west, south, east, north = shapely.total_bounds(current)
    for _ in range(_MAX_ROUNDS):
        current = _coverage_simplified(current, tolerance)
        count = _count(current)
        if count <= budget or tolerance > max(east - west, north - south):
            break
        tolerance *= 2
    if count > budget:
        current = shapely.envelope(current)     # every shape is down to its last few corners
    return current


def simplified_drawing(geometries: np.ndarray, tolerance: float) -> np.ndarray:
    """Shapes already in a drawing's own units (pixels, say) simplified by `tolerance` in those
    units, with neighbours kept edge to edge, so a drawing holds no more detail than can be seen.
    A missing or empty shape stays as it is."""
    shapes = np.asarray(geometries, dtype=object).copy()
    present = has_shape(shapes)
    if present.any():
        shapes[present] = _coverage_simplified(shapes[present], tolerance)
    return shapes


def _coverage_simplified(geometries: np.ndarray, tolerance: float) -> np.ndarray:
    """Simplified with shared edges kept shared; shape by shape if they are not a coverage."""
    try:
        return shapely.coverage_simplify(geometries, tolerance)
    except shapely.errors.GEOSException:
        return shapely.simplify(geometries, tolerance, preserve_topology=True)


def _thinned(geometries: np.ndarray, budget: int, *, start: float) -> np.ndarray:
    """A quick, rough first pass for huge shapes: Douglas-Peucker, doubling the tolerance until
    within `budget`. A shape it would erase is kept as its bounding box."""
    tolerance = start
    for _ in range(_MAX_ROUNDS):
        thinned = shapely.simplify(geometries, tolerance, preserve_topology=False)
        lost = ~has_shape(thinned)
        thinned[lost] = shapely.envelope(geometries[lost])
        geometries = thinned
        if _count(geometries) <= budget:
            break
        tolerance *= 2
    return geometries


def display_tolerance(n_polygons: int) -> float:
    """How far (metres) to simplify a map of `n_polygons` areas so it stays quick to draw.

    A borough's map (a few hundred LSOAs) is drawn as it is; a region's at 20 m, about the
    detail of the ONS generalised boundaries; all of England (33,755 LSOAs) at 100 m.
    """
    for below, tolerance in _DISPLAY_TOLERANCES:
        if n_polygons < below:
            return tolerance
    return _LARGEST_DISPLAY_TOLERANCE


def to_geojson_dict(gdf: gpd.GeoDataFrame, id_column: str) -> dict:
    """A GeoJSON FeatureCollection of `gdf` for a map, each feature's `id` from `id_column`.

    Ids become strings (the map matches them to its locations as text). Coordinates are
    rounded to 5 decimal places (about 1 m), and held as tuples (arrays once serialised; the
    quickest form to build for 33,755 areas). Rows without a shape are left out.
    """
    _require_columns(gdf, [id_column], "gdf")
    frame = in_wgs84(gdf)
    geometries = np.asarray(frame.geometry.array, dtype=object)
    present = has_shape(geometries)
    rounded = shapely.transform(
        geometries[present], lambda coordinates: np.round(coordinates, GEOJSON_DECIMALS)
    )
    ids = frame[id_column].to_numpy(dtype=object)[present]
    features = [
        {
            "type": "Feature",
            "id": str(feature_id),
            "properties": {id_column: str(feature_id)},
            "geometry": geometry.__geo_interface__,
        }
        for feature_id, geometry in zip(ids, rounded)
    ]
    return {"type": "FeatureCollection", "features": features}


def bounds_view(gdf: gpd.GeoDataFrame, *, width_px: int = 800, height_px: int = 560) -> dict:
    """The map centre and zoom that fit every shape of `gdf` into a map of the given size.

    Returns `{"center": {"lat": ..., "lon": ...}, "zoom": ...}`, ready for a plotly map.
    """
    frame = in_wgs84(gdf)
    located = frame.geometry[has_shape(frame.geometry)]
    if located.empty:
        raise ValueError("bounds_view needs at least one shape to fit the map to; got none.")
    west, south, east, north = located.total_bounds
    top, bottom = _mercator_y(north), _mercator_y(south)
    centre = {"lat": _latitude_of_mercator_y((top + bottom) / 2), "lon": float(west + east) / 2}
    if east - west <= 0 and top - bottom <= 0:
        return {"center": centre, "zoom": _SINGLE_POINT_ZOOM}
    # Leave a tenth of the map as margin; a zero span puts no limit on that axis.
    zooms = []
    if east > west:
        zooms.append(math.log2(0.9 * width_px * 360 / (_TILE_PIXELS * (east - west))))
    if top > bottom:
        zooms.append(math.log2(0.9 * height_px * 2 * math.pi / (_TILE_PIXELS * (top - bottom))))
    return {"center": centre, "zoom": float(min(max(min(zooms), 0.0), _MAX_ZOOM))}


def _mercator_y(latitude: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(latitude) / 2))


def _latitude_of_mercator_y(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


def _union(geometries: np.ndarray):
    """The union of shapes; if one is invalid (a shape thinned roughly for display can cross
    itself), of their repaired forms, so that the map is drawn rather than failing."""
    try:
        return shapely.union_all(geometries)
    except shapely.errors.GEOSException:
        return shapely.union_all(shapely.make_valid(geometries))


def has_shape(geometries) -> np.ndarray:
    """True where a geometry is there and not empty (an array of shapes or a GeoSeries)."""
    values = np.asarray(getattr(geometries, "array", geometries), dtype=object)
    return ~shapely.is_missing(values) & ~shapely.is_empty(values)


def _require_columns(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(
            f"{what} needs the column(s) {', '.join(missing)}; it has {list(frame.columns)}."
        )
