"""Read LSOA boundary files into clean lon/lat polygons, and place points in them.

A boundary file may come as GeoJSON, GeoPackage or a zipped Shapefile, in British National Grid
or in WGS84. Whatever it was, `read_boundaries` returns the same thing: one polygon per LSOA code
in EPSG:4326, plus a list of the rows it could not use and why. A fault in the whole file (not a
geometry file, no code column, points instead of polygons, coordinates with no declared system)
raises `BoundaryFileError`; a fault in one row (a bad code, an empty shape, a repeated code) only
rejects that row.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely

from geo.projection import WGS84, in_wgs84
from geo.shapes import has_shape

# Accepted spellings, in order of preference; matched ignoring case.
LSOA_CODE_COLUMNS = ("lsoa_code", "LSOA21CD", "LSOA11CD", "area_code")
LSOA_NAME_COLUMNS = ("lsoa_name", "area_name", "LSOA21NM", "LSOA11NM")
LSOA_CODE_PATTERN = re.compile(r"E01\d{6}")

ACCEPTED_FORMATS = "a GeoJSON, GeoPackage or zipped Shapefile of LSOA polygons"
_POLYGON_TYPES = frozenset({"Polygon", "MultiPolygon"})
_NOT_POLYGON_TYPES = frozenset({"Point", "MultiPoint", "LineString", "MultiLineString"})
# Inside a zip: a Shapefile first (the usual download), then the other formats we read.
_ZIPPED_DATASET_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json")
_SHAPEFILE_COMPANIONS = (".shx", ".dbf")

# Loose boxes round England and Wales (Scilly to Berwick, Pembrokeshire to Lowestoft). Grid
# metres misread as degrees, or degrees as metres, land well outside the first.
_ENGLAND_AND_WALES_LON_LAT = (-6.5, 49.8, 2.0, 56.0)
_BRITISH_NATIONAL_GRID_METRES = (-1_000.0, -1_000.0, 800_000.0, 1_300_000.0)


class BoundaryFileError(ValueError):
    """A boundary file that cannot be used at all; nothing from it should be loaded.

    `file` is the name the user knows the file by, `column` the column at fault (None when the
    fault is not in one column), and `expected` what a usable file would have.
    """

    def __init__(self, message: str, *, file: str, column: str | None, expected: str):
        super().__init__(message)
        self.file = file
        self.column = column
        self.expected = expected


@dataclass(frozen=True)
class BoundaryRead:
    """What came out of one boundary file.

    `areas`: a GeoDataFrame with exactly `lsoa_code`, `lsoa_name` (None where the file has no
    name) and `geometry` (Polygon or MultiPolygon) in EPSG:4326, one row per code.
    `rejects`: a DataFrame of the rows left out, with `row_number` (1 = the first feature),
    `lsoa_code` (as it was in the file) and `reason`.
    `repaired`: how many of the kept shapes were invalid (for example self-intersecting) and
    were repaired.
    `source_crs`: the coordinate system the file declared, for the import log.
    """

    areas: gpd.GeoDataFrame
    rejects: pd.DataFrame
    repaired: int
    source_crs: str


def read_boundaries(path: str | os.PathLike, *, original_name: str | None = None) -> BoundaryRead:
    """Read an LSOA boundary file (GeoJSON, GeoPackage or zipped Shapefile) into EPSG:4326.

    `original_name` is the name to use in messages when `path` is a temporary copy of an upload.
    Raises BoundaryFileError when the file as a whole cannot be used.
    """
    path = Path(path)
    file_name = original_name or path.name
    frame = _read_polygon_layer(path, file_name)
    code_column = _find_column(frame, LSOA_CODE_COLUMNS)
    if code_column is None:
        found = ", ".join(str(column) for column in frame.columns if column != frame.geometry.name)
        raise BoundaryFileError(
            f"The boundary file '{file_name}' has no LSOA code column. Expected a column named "
            f"'lsoa_code' (or {', '.join(LSOA_CODE_COLUMNS[1:])}) holding codes such as "
            f"E01006074; the columns found were: {found or 'none'}.",
            file=file_name,
            column="lsoa_code",
            expected=f"a column named one of {', '.join(LSOA_CODE_COLUMNS)}",
        )
    source_crs = _describe_crs(frame)
    frame = _to_wgs84(frame, file_name)
    areas, rejects, repaired = _clean_rows(
        frame, file_name=file_name, code_column=code_column,
        name_column=_find_column(frame, LSOA_NAME_COLUMNS),
    )
    return BoundaryRead(areas=areas, rejects=rejects, repaired=repaired, source_crs=source_crs)


def points_to_lsoa(lons, lats, areas: gpd.GeoDataFrame) -> pd.Series:
    """The LSOA code containing each lon/lat point, or None where a point is in no area.

    For centres that have a location but no postcode in the lookup. A point exactly on a
    shared edge goes to the first of the areas that touch it, so every point gets one answer.
    The result keeps the index of `lons` when that is a pandas Series.
    """
    if "lsoa_code" not in areas.columns:
        raise ValueError(
            f"points_to_lsoa needs areas with an 'lsoa_code' column; got {list(areas.columns)}."
        )
    lon_values = np.asarray(lons, dtype=float)
    lat_values = np.asarray(lats, dtype=float)
    if lon_values.shape != lat_values.shape:
        raise ValueError(
            f"points_to_lsoa needs as many latitudes as longitudes; got {lon_values.size} "
            f"longitudes and {lat_values.size} latitudes."
        )
    index = lons.index if isinstance(lons, pd.Series) else pd.RangeIndex(lon_values.size)
    codes = np.full(lon_values.size, None, dtype=object)

    located = np.flatnonzero(np.isfinite(lon_values) & np.isfinite(lat_values))
    polygons = np.asarray(in_wgs84(areas).geometry.array, dtype=object)
    tree = shapely.STRtree(polygons)
    point_hits, area_hits = tree.query(
        shapely.points(lon_values[located], lat_values[located]), predicate="intersects"
    )
    # Sort hits by point, then area, so np.unique picks the first area for each point.
    order = np.lexsort((area_hits, point_hits))
    point_hits, area_hits = point_hits[order], area_hits[order]
    first_points, first_positions = np.unique(point_hits, return_index=True)
    area_codes = areas["lsoa_code"].to_numpy(dtype=object)
    codes[located[first_points]] = area_codes[area_hits[first_positions]]
    return pd.Series(codes, index=index, name="lsoa_code", dtype=object)


def _read_polygon_layer(path: Path, file_name: str) -> gpd.GeoDataFrame:
    """Open the file and read its first layer of polygons."""
    if not path.is_file():
        raise BoundaryFileError(
            f"The boundary file '{file_name}' could not be found. Expected {ACCEPTED_FORMATS}.",
            file=file_name, column=None, expected=ACCEPTED_FORMATS,
        )
    sources = _zip_members(path, file_name) if zipfile.is_zipfile(path) else [str(path)]

    layers = []
    for source in sources:
        try:
            listed = pyogrio.list_layers(source)
        except (pyogrio.errors.DataSourceError, RuntimeError) as error:
            raise _unreadable(file_name, error) from error
        layers.extend((source, name, geometry_type) for name, geometry_type in listed)

    geometry_layers = [layer for layer in layers if layer[2] is not None]
    if not geometry_layers:
        raise _unreadable(file_name, "it holds a table with no shapes")
    # Prefer a layer declared polygonal; a layer of mixed or unknown type is checked row by row.
    polygonal = [layer for layer in geometry_layers if _declared_polygonal(layer[2])]
    undeclared = [layer for layer in geometry_layers
                  if _declared_type(layer[2]) not in _NOT_POLYGON_TYPES | _POLYGON_TYPES]
    chosen = (polygonal or undeclared or [None])[0]
    if chosen is None:
        found = ", ".join(sorted({_declared_type(layer[2]) for layer in geometry_layers}))
        raise _not_polygons(file_name, found)

    source, layer_name, _ = chosen
    try:
        frame = pyogrio.read_dataframe(source, layer=layer_name)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, RuntimeError) as error:
        raise _unreadable(file_name, error) from error
    return frame


def _zip_members(path: Path, file_name: str) -> list[str]:
    """GDAL paths of the datasets inside a zip, Shapefiles first."""
    with zipfile.ZipFile(path) as archive:
        members = [
            member for member in archive.namelist()
            if not member.endswith("/") and not member.startswith("__MACOSX/")
            and not Path(member).name.startswith("._")
        ]
    lowered = {member.lower(): member for member in members}
    datasets = [
        member for suffix in _ZIPPED_DATASET_SUFFIXES
        for member in sorted(members) if member.lower().endswith(suffix)
    ]
    if not datasets:
        raise BoundaryFileError(
            f"The zip file '{file_name}' holds no Shapefile (.shp), GeoPackage or GeoJSON. "
            f"Expected {ACCEPTED_FORMATS}; a zipped Shapefile needs its .shp, .shx, .dbf and "
            f".prj files together.",
            file=file_name, column=None, expected=ACCEPTED_FORMATS,
        )
    for member in datasets:
        if member.lower().endswith(".shp"):
            stem = member[:-4].lower()
            missing = [suffix for suffix in _SHAPEFILE_COMPANIONS if stem + suffix not in lowered]
            if missing:
                raise BoundaryFileError(
                    f"The zipped Shapefile '{file_name}' has {member} but not its "
                    f"{' and '.join(missing)} file. Expected the .shp, .shx, .dbf and .prj files "
                    f"of the Shapefile together in the zip.",
                    file=file_name, column=None,
                    expected="a zipped Shapefile with its .shp, .shx, .dbf and .prj files",
                )
    return [f"/vsizip/{path.resolve()}/{member}" for member in datasets]


def _declared_type(geometry_type: str) -> str:
    # Layers with heights are listed as "Polygon Z" or "3D Polygon"; the heights are dropped.
    return geometry_type.replace("3D ", "").split(" ")[0]


def _declared_polygonal(geometry_type: str) -> bool:
    return _declared_type(geometry_type) in _POLYGON_TYPES


def _unreadable(file_name: str, detail) -> BoundaryFileError:
    return BoundaryFileError(
        f"The boundary file '{file_name}' could not be read as a map of areas ({detail}). "
        f"Expected {ACCEPTED_FORMATS}.",
        file=file_name, column=None, expected=ACCEPTED_FORMATS,
    )


def _not_polygons(file_name: str, found: str) -> BoundaryFileError:
    return BoundaryFileError(
        f"The boundary file '{file_name}' holds {found} shapes in its geometry column, not "
        f"areas. Expected polygons (or multipolygons), one for each LSOA.",
        file=file_name, column="geometry",
        expected="Polygon or MultiPolygon shapes, one for each LSOA",
    )


def _find_column(frame: pd.DataFrame, spellings: tuple[str, ...]) -> str | None:
    by_lower = {str(column).lower(): column for column in frame.columns}
    for spelling in spellings:
        if spelling.lower() in by_lower:
            return by_lower[spelling.lower()]
    return None


def _describe_crs(frame: gpd.GeoDataFrame) -> str:
    if frame.crs is None:
        return "none declared"
    authority = frame.crs.to_authority()
    return ":".join(authority) if authority else frame.crs.name


def _to_wgs84(frame: gpd.GeoDataFrame, file_name: str) -> gpd.GeoDataFrame:
    """Reproject to EPSG:4326, refusing coordinates whose system cannot be known."""
    located = frame.geometry[has_shape(frame.geometry)]
    if located.empty:
        return frame.set_crs(WGS84, allow_override=True)
    declared = _describe_crs(frame)
    bounds = tuple(located.total_bounds)
    looks_lon_lat = _inside(bounds, (-180.0, -90.0, 180.0, 90.0))
    if (frame.crs is None or frame.crs.is_geographic) and not looks_lon_lat:
        # GeoJSON without a `crs` member is WGS84 by its specification (GDAL says so); a
        # Shapefile without its .prj says nothing. Either way, metres cannot be placed safely.
        looks_like = ("British National Grid metres"
                      if _inside(bounds, _BRITISH_NATIONAL_GRID_METRES)
                      else "neither longitude and latitude nor British National Grid metres")
        says = ("declares no coordinate system" if frame.crs is None
                else "says it is in longitude and latitude")
        raise BoundaryFileError(
            f"The boundary file '{file_name}' {says}, but its coordinates (for example "
            f"{bounds[0]:.0f}, {bounds[1]:.0f}) look like {looks_like}. Expected a declared "
            f"coordinate system: for a Shapefile, include its .prj file in the zip; otherwise "
            f"save the file with its coordinate system (such as British National Grid, "
            f"EPSG:27700).",
            file=file_name, column=None,
            expected="a declared coordinate system (a Shapefile's .prj file), such as EPSG:27700",
        )
    frame = in_wgs84(frame)
    placed = tuple(frame.geometry[has_shape(frame.geometry)].total_bounds)
    if not _overlaps(placed, _ENGLAND_AND_WALES_LON_LAT):
        raise BoundaryFileError(
            f"The shapes in the boundary file '{file_name}' fall outside England and Wales when "
            f"placed with the coordinate system the file declares ({declared}). Expected a "
            f"coordinate system that matches the coordinates, such as British National Grid "
            f"(EPSG:27700) or WGS84 (EPSG:4326).",
            file=file_name, column=None,
            expected="a declared coordinate system that matches the coordinates",
        )
    return frame


def _inside(bounds: tuple, box: tuple) -> bool:
    return (bounds[0] >= box[0] and bounds[1] >= box[1]
            and bounds[2] <= box[2] and bounds[3] <= box[3])


def _overlaps(bounds: tuple, box: tuple) -> bool:
    return (bounds[0] <= box[2] and bounds[2] >= box[0]
            and bounds[1] <= box[3] and bounds[3] >= box[1])


def _clean_rows(frame: gpd.GeoDataFrame, *, file_name: str, code_column: str,
                name_column: str | None) -> tuple[gpd.GeoDataFrame, pd.DataFrame, int]:
    """Check codes and shapes row by row; repair what can be repaired, reject the rest.

    Returns the good areas, the rejects and how many kept shapes were repaired.
    """
    geometries = np.asarray(frame.geometry.array, dtype=object)
    present = has_shape(geometries)
    type_ids = shapely.get_type_id(geometries)
    wrong = present & ~np.isin(type_ids, _POLYGONAL_TYPE_IDS + [_COLLECTION_TYPE_ID])
    if wrong.any():
        found = sorted({geometry.geom_type for geometry in geometries[wrong]})
        raise _not_polygons(file_name, " and ".join(found))

    geometries = shapely.force_2d(geometries)
    invalid = present & ~shapely.is_valid(geometries)
    for position in np.flatnonzero(invalid | (type_ids == _COLLECTION_TYPE_ID)):
        geometries[position] = _polygonal_part(geometries[position])
    present = has_shape(geometries)

    raw_codes = _as_objects(frame[code_column])
    names = (_as_objects(frame[name_column]) if name_column is not None
             else np.full(len(frame), None, dtype=object))

    rejects = []
    kept = []
    first_row_of_code: dict[str, int] = {}
    for position, raw in enumerate(raw_codes):
        row_number = position + 1
        code = str(raw).strip().upper() if raw is not None else ""
        if not code:
            rejects.append((row_number, raw, "no LSOA code"))
        elif not LSOA_CODE_PATTERN.fullmatch(code):
            rejects.append((row_number, raw,
                            f"'{raw}' is not an LSOA code (expected E01 followed by 6 digits)"))
        elif not present[position]:
            rejects.append((row_number, raw, "no shape (the geometry is empty)"))
        elif code in first_row_of_code:
            rejects.append((row_number, raw, f"duplicate of row {first_row_of_code[code]}"))
        else:
            first_row_of_code[code] = row_number
            kept.append(position)

    kept = np.asarray(kept, dtype=int)
    areas = gpd.GeoDataFrame(
        {
            "lsoa_code": pd.Series(list(first_row_of_code), dtype="str"),
            "lsoa_name": pd.Series([_clean_name(name) for name in names[kept]], dtype=object),
        },
        geometry=gpd.GeoSeries(geometries[kept], crs=WGS84),
    )
    rejects = pd.DataFrame(
        {
            "row_number": pd.Series([row[0] for row in rejects], dtype="int64"),
            "lsoa_code": pd.Series([row[1] for row in rejects], dtype=object),
            "reason": pd.Series([row[2] for row in rejects], dtype="str"),
        }
    )
    return areas, rejects, int(invalid[kept].sum())


_POLYGONAL_TYPE_IDS = [int(shapely.GeometryType.POLYGON), int(shapely.GeometryType.MULTIPOLYGON)]
_COLLECTION_TYPE_ID = int(shapely.GeometryType.GEOMETRYCOLLECTION)


def _as_objects(column: pd.Series) -> np.ndarray:
    """Values as Python objects, with every kind of missing value as None."""
    return column.astype(object).where(column.notna(), None).to_numpy()


def _polygonal_part(geometry):
    """A valid polygonal geometry: repaired if invalid, with any lines or points dropped.

    The 'structure' repair keeps what the rings were meant to enclose (shells add area, holes
    take it away) and drops any part that collapses to a line, so the result stays an area.
    """
    repaired = shapely.make_valid(geometry, method="structure", keep_collapsed=False)
    parts = shapely.get_parts(repaired)
    while (collections := np.isin(shapely.get_type_id(parts), [
            int(shapely.GeometryType.MULTIPOLYGON), _COLLECTION_TYPE_ID])).any():
        parts = np.concatenate([parts[~collections], shapely.get_parts(parts[collections])])
    polygons = parts[shapely.get_type_id(parts) == int(shapely.GeometryType.POLYGON)]
    if polygons.size == 0:
        return shapely.Polygon()
    if polygons.size == 1:
        return polygons[0]
    return shapely.union_all(polygons)


def _clean_name(name) -> str | None:
    if name is None:
        return None
    text = str(name).strip()
    return text or None
