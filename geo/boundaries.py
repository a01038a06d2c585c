"""Read LSOA boundary files into clean lon/lat polygons.

A boundary file may come as GeoJSON, GeoPackage, a zipped Shapefile or a Shapefile with its
companion files beside it, in British National Grid or in WGS84. Whatever it was,
`read_boundaries` returns the same thing: one polygon per LSOA code in EPSG:4326, plus a list of
the rows it could not use and why. A fault in the whole file (not a geometry file, no code
column, points instead of polygons, coordinates with no declared system, over a limit) raises
`BoundaryFileError`; a fault in one row (a bad code, an empty shape, a repeated code) only
rejects that row.

A boundary file can come from anyone, so it is opened with care (see `_open_safely`):

- GDAL, which reads the shapes, can open hundreds of formats, and some of them point at other
  files or web addresses (a VRT is a few lines of XML naming another data source). So Reach
  decides the format itself from the file's first bytes, accepts only GeoJSON, GeoPackage and
  Shapefile, and switches every other GDAL format off, with GDAL's network access.
- A zip is never opened by GDAL: its members' sizes are checked against the limits first, and
  only the members needed are unpacked, by Python, into a private folder, counting every byte.
- The limits (`BoundaryLimits`) are checked before the work they protect: the size on disk,
  what a zip expands to, the number of shapes (read no further than one past the limit), and
  the corner points, counted before any repair or reprojection.
- A message names the file, its columns and its row numbers, but never repeats what is in it:
  GDAL's own error text can quote the file, so it is never shown.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo.columns import LSOA_CODE_COLUMNS, LSOA_NAME_COLUMNS, PWC_LAT_COLUMNS, PWC_LON_COLUMNS
from geo.limits import BoundaryLimits, readable_bytes
from geo.projection import WGS84, in_wgs84
from geo.shapes import has_shape

LSOA_CODE_PATTERN = re.compile(r"E01\d{6}")

ACCEPTED_FORMATS = "a GeoJSON, GeoPackage or zipped Shapefile of LSOA polygons"
_POLYGON_TYPES = frozenset({"Polygon", "MultiPolygon"})
_NOT_POLYGON_TYPES = frozenset({"Point", "MultiPoint", "LineString", "MultiLineString"})

# Loose boxes round England and Wales (Scilly to Berwick, Pembrokeshire to Lowestoft). Grid
# metres misread as degrees, or degrees as metres, land well outside the first.
_ENGLAND_AND_WALES_LON_LAT = (-6.5, 49.8, 2.0, 56.0)
_BRITISH_NATIONAL_GRID_METRES = (-1_000.0, -1_000.0, 800_000.0, 1_300_000.0)

# The settings that change the limits are read by data/importers/limits.py; a message names them.
LIMIT_SETTING = "REACH_LIMIT_{}"
LSOAS_IN_ENGLAND_AND_WALES = 35_672


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
    `lsoa_code` (as it was in the file when it looks like a code; None when it does not, so a
    postcode or NHS number typed in the wrong column is never repeated) and `reason`.
    `repaired`: how many of the kept shapes were invalid (for example self-intersecting) and
    were repaired.
    `source_crs`: the coordinate system the file declared, for the import log.
    `layer`: the layer read, where the file has several (a GeoPackage), else None.
    `centroid_columns`: where the file has a population-weighted centroid, the names of its
    longitude and latitude columns (as the file spells them), and `areas` then has `pwc_lon` and
    `pwc_lat` too, as the file gives them (checked by the importer, which quarantines a value
    that is not in degrees); None otherwise.
    """

    areas: gpd.GeoDataFrame
    rejects: pd.DataFrame
    repaired: int
    source_crs: str
    layer: str | None = None
    centroid_columns: tuple[str, str] | None = None


def read_boundaries(path: str | os.PathLike, *, original_name: str | None = None,
                    limits: BoundaryLimits = BoundaryLimits(), layer: str | None = None) -> BoundaryRead:
    """Read an LSOA boundary file (GeoJSON, GeoPackage or zipped Shapefile) into EPSG:4326.

    `original_name` is the name to use in messages when `path` is a temporary copy of an upload
    (its extension is checked against the content, like the file's own name). `limits` are the
    sizes refused before the work they would cost. `layer` names the layer to read in a file
    with several; by default it is the first layer of polygons with an LSOA code column. Raises
    BoundaryFileError when the file as a whole cannot be used, whatever went wrong inside GDAL,
    shapely or the zip reader.
    """
    path = Path(path)
    file_name = original_name or path.name
    try:
        return _read_boundaries(path, file_name, limits, layer)
    except BoundaryFileError:
        raise
    except MemoryError:
        raise _out_of_memory(file_name) from None
    except Exception:
        # GDAL's and shapely's messages can quote the file; say only that it could not be read.
        raise _unreadable(file_name, "it is damaged or not in a form Reach can read") from None


def _read_boundaries(path: Path, file_name: str, limits: BoundaryLimits, layer: str | None) -> BoundaryRead:
    frame, layer_read = _read_polygon_layer(path, file_name, limits, layer)
    code_column = _find_column(frame, LSOA_CODE_COLUMNS)
    if code_column is None:
        raise BoundaryFileError(
            f"The boundary file '{file_name}' has no LSOA code column. Expected a column named "
            f"'lsoa_code' (or {', '.join(LSOA_CODE_COLUMNS[1:])}) holding codes such as "
            f"E01006074; the columns found were: {_columns_found(frame)}.",
            file=file_name,
            column="lsoa_code",
            expected=f"a column named one of {', '.join(LSOA_CODE_COLUMNS)}",
        )
    source_crs = _describe_crs(frame)
    frame = _to_wgs84(frame, file_name)
    centroid = _centroid_columns(frame)
    areas, rejects, repaired = _clean_rows(
        frame, file_name=file_name, code_column=code_column,
        name_column=_find_column(frame, LSOA_NAME_COLUMNS), centroid_columns=centroid,
    )
    return BoundaryRead(areas=areas, rejects=rejects, repaired=repaired, source_crs=source_crs, layer=layer_read,
                        centroid_columns=centroid)


def _centroid_columns(frame: pd.DataFrame) -> tuple[str, str] | None:
    """The file's population-weighted centroid columns (longitude, latitude), when it has both.
    One without the other is not read (the message of the import says so)."""
    lon, lat = _find_column(frame, PWC_LON_COLUMNS), _find_column(frame, PWC_LAT_COLUMNS)
    return (lon, lat) if lon is not None and lat is not None else None


# --- opening only what we mean to open ---------------------------------------------------------

GEOJSON, GEOPACKAGE, SHAPEFILE, ZIP = "GeoJSON", "GeoPackage", "Shapefile", "zip"
# What a file's extension says it is; a file with any other extension is judged by its content.
_FORMAT_OF_SUFFIX = {".geojson": GEOJSON, ".json": GEOJSON, ".gpkg": GEOPACKAGE,
                     ".shp": SHAPEFILE, ".zip": ZIP}
# The name each format is given in the private folder GDAL reads from.
_SUFFIX_OF_FORMAT = {GEOJSON: ".geojson", GEOPACKAGE: ".gpkg", SHAPEFILE: ".shp"}
# The only GDAL drivers Reach lets open a file.
_GDAL_DRIVERS = {GEOJSON: "GeoJSON", GEOPACKAGE: "GPKG", SHAPEFILE: "ESRI Shapefile"}

_HEAD_BYTES = 64 * 1024
_SQLITE_HEADER = b"SQLite format 3\x00"
# A GeoPackage's SQLite application id ("GPKG", or "GP10"/"GP11" in the first versions); 0 when
# the writer did not set one.
_GEOPACKAGE_IDS = (b"GPKG", b"GP10", b"GP11", b"\x00\x00\x00\x00")
_SHAPEFILE_MAGIC = b"\x00\x00\x27\x0a"
_ZIP_HEADERS = (b"PK\x03\x04", b"PK\x05\x06")
# First bytes of files people upload by mistake, to say what a refused file is.
_OTHER_KINDS = (
    (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"), (b"\x1f\x8b", "a gzip-compressed file"),
    (b"\xd0\xcf\x11\xe0", "an old-style Excel or Word file"), (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"), (b"BZh", "a bzip2-compressed file"),
)
# A Shapefile's parts that GDAL reads; any other file beside it is never shown to GDAL.
_SHAPEFILE_NEEDS = (".shx", ".dbf")
_SHAPEFILE_MAY_HAVE = (".prj", ".cpg")
# A .prj or .cpg is a line of text; anything much larger is not one.
_MAX_SIDECAR_TEXT_BYTES = 1 << 20
# A dBASE table's first byte: its version (III, IV, 5, Visual FoxPro, with or without memo).
_DBF_VERSIONS = frozenset({0x02, 0x03, 0x04, 0x05, 0x30, 0x31, 0x32, 0x43, 0x63, 0x83, 0x8B,
                           0x8E, 0xCB, 0xE5, 0xF5, 0xFB})

_MAX_ZIP_MEMBERS = 10_000
# Below this size a zip member cannot be a bomb worth the name (the total is limited anyway),
# and tiny files compress oddly, so its ratio is not checked.
_RATIO_CHECKED_ABOVE_BYTES = 1 << 20
_COPY_CHUNK_BYTES = 1 << 20
# Inside a zip, the kinds of dataset looked for, in order of preference.
_ZIPPED_DATASET_SUFFIXES = ((".shp", SHAPEFILE), (".gpkg", GEOPACKAGE),
                            (".geojson", GEOJSON), (".json", GEOJSON))


def _read_polygon_layer(path: Path, file_name: str, limits: BoundaryLimits,
                        layer: str | None) -> tuple[gpd.GeoDataFrame, str | None]:
    """Open the file as one of the formats Reach reads, and read its layer of LSOA polygons (and
    say which, when there were several)."""
    try:
        status = path.stat()
    except OSError:
        status = None
    if status is None or not stat.S_ISREG(status.st_mode):
        raise BoundaryFileError(
            f"The boundary file '{file_name}' could not be found. Expected {ACCEPTED_FORMATS}.",
            file=file_name, column=None, expected=ACCEPTED_FORMATS,
        )
    if status.st_size > limits.max_file_bytes:
        raise _over_limit(
            file_name, f"is {readable_bytes(status.st_size)}, more than the limit of "
            f"{readable_bytes(limits.max_file_bytes)}", "max_file_bytes")
    _harden_gdal()
    folder = Path(tempfile.mkdtemp(prefix="reach-boundaries-"))
    try:
        sources = _open_safely(path, file_name, folder, limits)
        return _read_chosen_layer(sources, file_name, limits, layer)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _open_safely(path: Path, file_name: str, folder: Path, limits: BoundaryLimits) -> list[str]:
    """The paths, in `folder`, that GDAL may open: each checked to be what it claims to be.

    The format is decided by the file's first bytes; a name that says otherwise is refused (a
    ".geojson" that is really XML is how a VRT gets in). GDAL is given a path Reach made, with
    the right extension, so neither a name nor a path can steer it to another reader.
    """
    found = _format_of(path, file_name)
    if found == ZIP:
        datasets = _unpack_zip(path, file_name, folder, limits)
    elif found == SHAPEFILE:
        datasets = [_gather_shapefile(path, file_name, folder)]
    else:
        target = folder / f"boundaries{_SUFFIX_OF_FORMAT[found]}"
        _place(path, target)
        datasets = [(target, found)]
    for dataset, kind in datasets:
        if kind == GEOJSON:
            _check_json_points_nowhere(dataset, file_name)
    return [str(dataset) for dataset, _ in datasets]


def _format_of(path: Path, file_name: str, *, inside: str | None = None) -> str:
    """GEOJSON, GEOPACKAGE, SHAPEFILE or ZIP, from the first bytes; refuse anything else.

    `inside` names the zip member being judged, for messages about a file inside a zip.
    """
    with open(path, "rb") as file:
        head = file.read(_HEAD_BYTES)
    content = _content_format(head)
    named = _FORMAT_OF_SUFFIX.get(Path(inside or file_name).suffix.lower())
    where = f"'{file_name}'" + ("" if inside is None else f" (its file {_shown_name(inside)})")
    if content is None:
        raise _unreadable(file_name, f"it is {_what_it_is(head)}", where=where)
    if named is not None and named != content:
        raise BoundaryFileError(
            f"The boundary file {where} is named as a {named} file but holds a {content} file. "
            f"Expected {ACCEPTED_FORMATS}, named for what it is (.geojson, .gpkg, .zip or .shp).",
            file=file_name, column=None, expected=ACCEPTED_FORMATS,
        )
    if content == GEOPACKAGE and head[68:72] not in _GEOPACKAGE_IDS:
        raise _unreadable(file_name, "it is an SQLite database of another kind, not a GeoPackage",
                          where=where)
    if content == GEOJSON:
        problem = _geojson_problem(head)
        if problem:
            raise _unreadable(file_name, problem, where=where)
    return content


def _content_format(head: bytes) -> str | None:
    if head.startswith(_ZIP_HEADERS):
        return ZIP
    if head.startswith(_SQLITE_HEADER):
        return GEOPACKAGE
    if head.startswith(_SHAPEFILE_MAGIC) and len(head) >= 100:
        return SHAPEFILE
    if _json_text(head).startswith("{"):
        return GEOJSON
    return None


def _json_text(head: bytes) -> str:
    """The start of a text file, without a byte-order mark or leading white space."""
    return head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")


def _what_it_is(head: bytes) -> str:
    """A few words on what a refused file seems to be, never quoting it."""
    for start, kind in _OTHER_KINDS:
        if head.startswith(start):
            return f"{kind}, not {ACCEPTED_FORMATS}"
    if not head:
        return "empty"
    text = _json_text(head)
    if text.startswith("<"):
        return ("XML (such as a GDAL VRT or GML file, which can point to other files), and Reach "
                "does not open XML as boundaries")
    if b"\x00" in head or "\ufffd" in text[:-4]:
        return f"not text and not {ACCEPTED_FORMATS}"
    first_line = text.split("\n", 1)[0]
    if any(separator in first_line for separator in (",", "\t", ";")):
        return "a table of text (such as a CSV file) with no shapes"
    return "plain text, not GeoJSON"


def _geojson_problem(head: bytes) -> str | None:
    """Why the JSON at the start of a file is not a GeoJSON FeatureCollection, or None.

    Only the top level is read, as far as the first 64 KB go: its "type" must be
    FeatureCollection or Feature. A file whose "features" come before its "type" (some writers
    sort their keys) is taken on that evidence; GDAL reads the rest.
    """
    text = _json_text(head)
    cut_short = len(head) >= _HEAD_BYTES
    broken = "it is not well-formed JSON"
    decoder = json.JSONDecoder()
    position = _skip_space(text, 1)
    seen_features = False
    while position < len(text) and text[position] != "}":
        if text[position] != '"':
            return broken
        try:
            # typeshed leaves out json.decoder.scanstring, which the standard library has always had
            key, position = json.decoder.scanstring(text, position + 1)  # type: ignore[attr-defined]
        except ValueError:
            return broken
        position = _skip_space(text, position)
        if position >= len(text) or text[position] != ":":
            return broken
        position = _skip_space(text, position + 1)
        try:
            value, position = decoder.raw_decode(text, position)
        except ValueError:
            # A value running past the first 64 KB: the features, in a real file.
            if cut_short and key.lower() == "features" and text[position:position + 1] == "[":
                seen_features = True
                break
            return broken
        if key.lower() == "type":
            if isinstance(value, str) and value.lower() in ("featurecollection", "feature"):
                return None
            return "it is JSON, but not a GeoJSON FeatureCollection of areas"
        seen_features = seen_features or (key.lower() == "features" and isinstance(value, list))
        position = _skip_space(text, position)
        if text[position:position + 1] == ",":
            position = _skip_space(text, position + 1)
        elif text[position:position + 1] not in ("}", ""):
            return broken
    if seen_features:
        return None
    return "it is JSON, but not a GeoJSON FeatureCollection of areas"


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


# A "crs" member (GDAL also reads one in single quotes), or a \u escape of an ASCII letter (which
# could spell "crs" or "link" without those bytes appearing in the file).
_JSON_WATCHED = re.compile(rb"[\"'][cC][rR][sS][\"']|\\[uU]00[4-7][0-9a-fA-F]")
_SAFE_CRS_TYPES = frozenset({"name", "epsg"})
_SCAN_CHUNK_BYTES = 16 << 20
_SCAN_OVERLAP_BYTES = 8
_CRS_WINDOW_BYTES = 64 * 1024


def _check_json_points_nowhere(path: Path, file_name: str) -> None:
    """Refuse a GeoJSON whose coordinate system is a link to another file or a web address.

    GDAL fetches a "crs" of type "link" or "url" wherever it appears (at the top or on one
    shape), so the whole file is scanned for "crs" members, quickly, in bytes; each must be a
    named system (such as "urn:ogc:def:crs:EPSG::27700") or an EPSG code.
    """
    with open(path, "rb") as file:
        offset, tail = 0, b""
        while chunk := file.read(_SCAN_CHUNK_BYTES):
            # The last few bytes of the chunk before are scanned again, so that nothing split
            # between two chunks is missed; a match wholly inside them was checked already.
            data = tail + chunk
            for match in _JSON_WATCHED.finditer(data):
                if match.end() > len(tail):
                    _check_watched(file, offset - len(tail) + match.start(), match.group(),
                                   file_name)
            offset += len(chunk)
            tail = data[-_SCAN_OVERLAP_BYTES:]
            file.seek(offset)


def _check_watched(file, where: int, found: bytes, file_name: str) -> None:
    if found.startswith(b"\\"):
        if chr(int(found[-2:], 16)).isalpha():
            raise _points_elsewhere(file_name, "it spells ordinary letters as \\u escapes, which "
                                    "can hide a link to another file")
        return
    file.seek(where + len(found))
    window = file.read(_CRS_WINDOW_BYTES).decode("utf-8", errors="replace")
    position = _skip_space(window, 0)
    following = window[position:position + 1]
    if following in (",", "}", "]", ""):
        return                                  # the text "crs" as a value, not a member
    if following != ":":
        raise _points_elsewhere(file_name, "its coordinate system could not be read")
    position = _skip_space(window, position + 1)
    try:
        value, _ = json.JSONDecoder().raw_decode(window, position)
    except ValueError:
        raise _points_elsewhere(file_name, "its coordinate system could not be read") from None
    if not isinstance(value, dict):
        return
    kinds = {str(kind).lower() for key, kind in value.items() if str(key).lower() == "type"}
    if not kinds <= _SAFE_CRS_TYPES:
        raise _points_elsewhere(file_name, "its coordinate system is a link to another file or "
                                "a web address")


def _points_elsewhere(file_name: str, problem: str) -> BoundaryFileError:
    expected = "a coordinate system given by name, such as EPSG:27700"
    return _refusal(file_name, f"is refused: {problem}, and Reach opens nothing but the file it is given",
                    f"Expected {expected} (or none, for longitude and latitude); save the file again "
                    f"from your mapping software.", expected=expected)


def _place(source: Path, target: Path) -> None:
    """Make `source` readable at `target` without copying it where a link will do."""
    try:
        os.symlink(source.resolve(), target)
    except OSError:
        shutil.copyfile(source, target)


def _gather_shapefile(path: Path, file_name: str, folder: Path) -> tuple[Path, str]:
    """A Shapefile given by its .shp: its companion files from beside it, checked, in `folder`."""
    siblings = {sibling.name.lower(): sibling for sibling in path.parent.iterdir()}
    stem = path.stem.lower()
    parts = {}
    for suffix in _SHAPEFILE_NEEDS + _SHAPEFILE_MAY_HAVE:
        sibling = siblings.get(stem + suffix)
        if sibling is not None and sibling.is_file():
            parts[suffix] = sibling
    missing = [suffix for suffix in _SHAPEFILE_NEEDS if suffix not in parts]
    if missing:
        expected = "a zipped Shapefile with its .shp, .shx, .dbf and .prj files"
        raise BoundaryFileError(
            f"The Shapefile '{file_name}' has no {' or '.join(missing)} file beside it. Expected "
            f"the .shp, .shx, .dbf and .prj files of the Shapefile together: put them in one zip "
            f"and load that.",
            file=file_name, column=None, expected=expected,
        )
    target = folder / "boundaries.shp"
    _place(path, target)
    for suffix, sibling in parts.items():
        _place(sibling, target.with_suffix(suffix))
    _check_shapefile_parts(target, file_name)
    return target, SHAPEFILE


def _check_shapefile_parts(shp: Path, file_name: str) -> None:
    """The index and table beside a .shp must be a Shapefile's index and a dBASE table."""
    with open(shp.with_suffix(".shx"), "rb") as index:
        index_ok = index.read(4) == _SHAPEFILE_MAGIC
    with open(shp.with_suffix(".dbf"), "rb") as table:
        header = table.read(32)
    table_ok = (len(header) == 32 and header[0] in _DBF_VERSIONS
                and 32 < int.from_bytes(header[8:10], "little"))
    texts_ok = all(not shp.with_suffix(suffix).exists()
                   or shp.with_suffix(suffix).stat().st_size <= _MAX_SIDECAR_TEXT_BYTES
                   for suffix in _SHAPEFILE_MAY_HAVE)
    if not (index_ok and table_ok and texts_ok):
        raise _unreadable(file_name, "its .shx, .dbf or .prj file is not the kind of file a "
                          "Shapefile has")


def _unpack_zip(path: Path, file_name: str, folder: Path,
                limits: BoundaryLimits) -> list[tuple[Path, str]]:
    """Check a zip against the limits, then unpack the datasets in it into `folder`.

    Every member's declared size and compression ratio are checked before anything is
    unpacked; then only the members needed are unpacked, counting the bytes actually written,
    so a member that lies about its size is stopped as soon as it passes it.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _unreadable(file_name, "it is a damaged zip file") from None
    with archive:
        members = archive.infolist()
        if len(members) > _MAX_ZIP_MEMBERS:
            raise _unreadable(file_name, f"it is a zip of {len(members):,} files, far more than a "
                              f"zipped Shapefile has")
        for member in members:
            _check_member(member, file_name, limits)
        total = sum(member.file_size for member in members)
        if total > limits.max_uncompressed_bytes:
            raise _over_limit(
                file_name, f"would unpack to {readable_bytes(total)}, more than the limit of "
                f"{readable_bytes(limits.max_uncompressed_bytes)}", "max_uncompressed_bytes")
        datasets = _zipped_datasets(members, file_name)
        budget = [limits.max_uncompressed_bytes]
        unpacked = []
        for number, (kind, main, companions) in enumerate(datasets):
            target = folder / f"dataset{number}{_SUFFIX_OF_FORMAT[kind]}"
            _unpack_member(archive, main, target, file_name, budget)
            for suffix, companion in companions.items():
                _unpack_member(archive, companion, target.with_suffix(suffix), file_name, budget)
            if _format_of(target, file_name, inside=main.filename) != kind:
                raise _unreadable(file_name, f"its file {_shown_name(main.filename)} is not "
                                  f"the {kind} its name says")
            if kind == SHAPEFILE:
                _check_shapefile_parts(target, file_name)
            unpacked.append((target, kind))
    return unpacked


def _check_member(member: zipfile.ZipInfo, file_name: str, limits: BoundaryLimits) -> None:
    """Refuse a member that could write outside the folder, is a link, is encrypted, or whose
    declared size or compression ratio is over the limits."""
    name = member.filename
    parts = re.split(r"[\\/]", name)
    if (name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name) or ".." in parts
            or "\x00" in name):
        raise _unreadable(file_name, "it is a zip holding a file whose path leads outside the zip")
    mode = member.external_attr >> 16
    if member.create_system == 3 and stat.S_ISLNK(mode):
        raise _unreadable(file_name, "it is a zip holding a link to another file")
    if member.flag_bits & 0x1:
        raise _unreadable(file_name, "it is a password-protected zip")
    if member.file_size > limits.max_uncompressed_bytes:
        raise _over_limit(
            file_name, f"holds a file that would unpack to {readable_bytes(member.file_size)}, "
            f"more than the limit of {readable_bytes(limits.max_uncompressed_bytes)}",
            "max_uncompressed_bytes")
    if (member.file_size > _RATIO_CHECKED_ABOVE_BYTES
            and member.file_size > limits.max_compression_ratio * max(member.compress_size, 1)):
        ratio = member.file_size / max(member.compress_size, 1)
        raise _over_limit(
            file_name, f"holds a file packed {ratio:,.0f} times smaller than it unpacks, more "
            f"than the limit of {limits.max_compression_ratio:,} times (real Shapefiles pack "
            f"3 to 30 times; a zip bomb packs thousands)", "max_compression_ratio")


def _zipped_datasets(members: list[zipfile.ZipInfo], file_name: str):
    """The datasets to unpack: (kind, main member, {suffix: companion member}) for each
    dataset of the most preferred kind present (Shapefiles, then GeoPackages, then GeoJSON)."""
    files = [member for member in members
             if not member.is_dir() and not member.filename.startswith("__MACOSX/")
             and not PurePosixPath(member.filename).name.startswith("._")]
    by_lower = {member.filename.lower(): member for member in files}
    for suffix, kind in _ZIPPED_DATASET_SUFFIXES:
        mains = sorted((member for member in files if member.filename.lower().endswith(suffix)),
                       key=lambda member: member.filename)
        if not mains:
            continue
        datasets = []
        for main in mains:
            companions = {}
            if kind == SHAPEFILE:
                stem = main.filename[:-4].lower()
                missing = [part for part in _SHAPEFILE_NEEDS if stem + part not in by_lower]
                if missing:
                    raise BoundaryFileError(
                        f"The zipped Shapefile '{file_name}' has {_shown_name(main.filename)} but "
                        f"not its {' and '.join(missing)} file. Expected the .shp, .shx, .dbf and "
                        f".prj files of the Shapefile together in the zip.",
                        file=file_name, column=None,
                        expected="a zipped Shapefile with its .shp, .shx, .dbf and .prj files",
                    )
                companions = {part: by_lower[stem + part]
                              for part in _SHAPEFILE_NEEDS + _SHAPEFILE_MAY_HAVE
                              if stem + part in by_lower}
            datasets.append((kind, main, companions))
        return datasets
    raise BoundaryFileError(
        f"The zip file '{file_name}' holds no Shapefile (.shp), GeoPackage or GeoJSON. "
        f"Expected {ACCEPTED_FORMATS}; a zipped Shapefile needs its .shp, .shx, .dbf and "
        f".prj files together.",
        file=file_name, column=None, expected=ACCEPTED_FORMATS,
    )


def _unpack_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path,
                   file_name: str, budget: list[int]) -> None:
    """Unpack one member to `target`, stopping as soon as it passes its declared size or the
    bytes left of the limit (`budget[0]`, shared by all the members unpacked)."""
    if member.filename.lower().endswith(_SHAPEFILE_MAY_HAVE) and (
            member.file_size > _MAX_SIDECAR_TEXT_BYTES):
        raise _unreadable(file_name, f"its file {_shown_name(member.filename)} is far larger "
                          f"than such a file can be")
    written = 0
    try:
        with archive.open(member) as source, open(target, "xb") as out:
            while chunk := source.read(_COPY_CHUNK_BYTES):
                written += len(chunk)
                if written > member.file_size:
                    raise _unreadable(file_name, "it is a zip whose files are larger than it "
                                      "says they are")
                if written > budget[0]:
                    raise _over_limit(file_name, "unpacks to more than the limit for a zip",
                                      "max_uncompressed_bytes")
                out.write(chunk)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError,
            RuntimeError) as error:
        if isinstance(error, BoundaryFileError):
            raise
        raise _unreadable(file_name, "it is a damaged zip file, or packed in a way Reach "
                          "cannot unpack") from None
    if written != member.file_size:
        raise _unreadable(file_name, "it is a zip whose files are not the size it says they are")
    budget[0] -= written


# --- GDAL, restricted to the three formats -----------------------------------------------------

_hardened = False
_hardening = threading.Lock()

# Settings of GDAL for the whole process: Reach uses GDAL for boundary files and nothing else.
_GDAL_SAFETY = {
    # Only one address may be fetched by /vsicurl/ and its kin, and it is not a real one.
    "CPL_VSIL_CURL_ALLOWED_FILENAME": "/vsicurl/reach-reads-no-network-files",
    # Never run Python code embedded in a VRT (VRTs are refused, and the driver is off, too).
    "GDAL_VRT_ENABLE_PYTHON": "NO",
    # An SQLite view or trigger may not reach other files through GDAL's VirtualOGR.
    "ALLOW_VIRTUAL_OGR_FROM_TRIGGER_AND_VIEW": "NO",
    "ALLOW_VIRTUAL_OGR_FROM_TRIGGER": "NO",
    # Never write a .aux.xml file beside a file read.
    "GDAL_PAM_ENABLED": "NO",
}


def _harden_gdal() -> None:
    """Switch off every GDAL vector driver but the three Reach reads, and GDAL's network access.

    GDAL registers its drivers when pyogrio is imported; OGR_SKIP names the ones to leave out,
    and registering again unloads them. Even if that failed (a later pyogrio), the checks of
    `_open_safely` mean only a GeoJSON, GeoPackage or Shapefile reaches GDAL.
    """
    global _hardened
    if _hardened:
        return
    with _hardening:
        if _hardened:
            return
        skipped = sorted(set(pyogrio.list_drivers()) - set(_GDAL_DRIVERS.values()))
        pyogrio.set_gdal_config_options({**_GDAL_SAFETY, "OGR_SKIP": ",".join(skipped)})
        try:
            from pyogrio._ogr import _register_drivers
            _register_drivers()
        except (ImportError, AttributeError):
            pass
        try:
            import pyproj.network
            pyproj.network.set_network_enabled(False)
        except (ImportError, AttributeError):
            pass
        _hardened = True


# GDAL's own words can quote the file, so a failure inside it is described only in general.
_SHAPES_UNREADABLE = "its shapes could not be read (the file may be damaged or cut short)"


def _read_chosen_layer(sources: list[str], file_name: str, limits: BoundaryLimits,
                       wanted: str | None = None) -> tuple[gpd.GeoDataFrame, str | None]:
    """The layer named `wanted`, or else the first layer of polygons with an LSOA code column
    (or the first of polygons, whose missing column is then named), among `sources`, read no
    further than the limits allow; and its name when there were several layers to choose from."""
    layers: list[tuple[str, str, str | None]] = []
    for source in sources:
        try:
            listed = pyogrio.list_layers(source)
        except Exception:
            raise _unreadable(file_name, _SHAPES_UNREADABLE) from None
        layers.extend((source, name, geometry_type) for name, geometry_type in listed)

    if wanted is not None:
        named = [layer for layer in layers if str(layer[1]).strip().casefold() == wanted.strip().casefold()]
        if not named:
            listed_names = ", ".join(f"'{_shortened(str(name), 40)}'" for _, name, _ in layers[:20])
            raise BoundaryFileError(
                f"The boundary file '{file_name}' has no layer '{_shortened(wanted, 60)}'. Expected one of its "
                f"layers: {listed_names}.", file=file_name, column=None,
                expected=f"one of the layers {listed_names}")
        layers = named
    geometry_layers = [(source, name, kind) for source, name, kind in layers if kind is not None]
    if not geometry_layers:
        raise _unreadable(file_name, "it holds a table with no shapes")
    # Prefer a layer declared polygonal; a layer of mixed or unknown type is checked row by row.
    polygonal = [layer for layer in geometry_layers if _declared_polygonal(layer[2])]
    undeclared = [layer for layer in geometry_layers
                  if _declared_type(layer[2]) not in _NOT_POLYGON_TYPES | _POLYGON_TYPES]
    if not (polygonal or undeclared):
        found = ", ".join(sorted({_declared_type(layer[2]) for layer in geometry_layers}))
        raise _not_polygons(file_name, found)
    candidates = polygonal or undeclared
    with_codes = [layer for layer in candidates if _has_code_field(layer[0], layer[1])]
    source, layer_name, _ = (with_codes or candidates)[0]
    chosen_name = str(layer_name) if len(layers) > 1 or wanted is not None else None
    try:
        declared = int(pyogrio.read_info(source, layer=layer_name).get("features", -1))
    except Exception:
        raise _unreadable(file_name, _SHAPES_UNREADABLE) from None
    if declared > limits.max_features:
        raise _too_many_shapes(file_name, declared, limits)
    try:
        # One past the limit is enough to know it is over, whatever the file claimed.
        frame = pyogrio.read_dataframe(source, layer=layer_name,
                                       max_features=limits.max_features + 1)
    except MemoryError:
        raise
    except Exception:
        raise _unreadable(file_name, _SHAPES_UNREADABLE) from None
    if len(frame) > limits.max_features:
        raise _too_many_shapes(file_name, None, limits)
    _check_vertices(frame, file_name, limits)
    return frame, chosen_name


def _has_code_field(source: str, layer: str) -> bool:
    """Whether a layer has a column named as an LSOA code column is."""
    try:
        fields = pyogrio.read_info(source, layer=layer).get("fields", [])
    except Exception:
        return False
    spellings = {spelling.lower() for spelling in LSOA_CODE_COLUMNS}
    return any(str(field).lower() in spellings for field in fields)


def _check_vertices(frame: gpd.GeoDataFrame, file_name: str, limits: BoundaryLimits) -> None:
    """Count corner points before any repair or reprojection, which cost time in proportion."""
    per_shape = shapely.get_num_coordinates(np.asarray(frame.geometry.array, dtype=object))
    largest = int(per_shape.max()) if len(per_shape) else 0
    if largest > limits.max_vertices_per_shape:
        row = int(np.argmax(per_shape)) + 1
        raise _over_limit(
            file_name, f"has a shape (row {row:,}) of {largest:,} corner points, more than the "
            f"limit of {limits.max_vertices_per_shape:,} for one shape (the most detailed LSOA "
            f"boundaries have a few tens of thousands)", "max_vertices_per_shape")
    total = int(per_shape.sum())
    if total > limits.max_vertices:
        raise _over_limit(
            file_name, f"has {total:,} corner points in its shapes, more than the limit of "
            f"{limits.max_vertices:,} (the full-resolution LSOA boundaries of England and Wales "
            f"have about 30 million)", "max_vertices")


def _too_many_shapes(file_name: str, count: int | None, limits: BoundaryLimits):
    """`count` is what the file declares, or None when it was found by reading one too many."""
    limit = limits.max_features
    holds = (f"holds {count:,} shapes, more than the limit of {limit:,}" if count is not None
             else f"holds more than {limit:,} shapes (the limit)")
    return _over_limit(
        file_name, f"{holds}; England and Wales have {LSOAS_IN_ENGLAND_AND_WALES:,} LSOAs, so a "
        f"file with more is not a file of LSOA boundaries", "max_features")


def _declared_type(geometry_type: str) -> str:
    # Layers with heights are listed as "Polygon Z" or "3D Polygon"; the heights are dropped.
    return geometry_type.replace("3D ", "").split(" ")[0]


def _declared_polygonal(geometry_type: str) -> bool:
    return _declared_type(geometry_type) in _POLYGON_TYPES


# --- messages ----------------------------------------------------------------------------------

def _unreadable(file_name: str, detail: str, *, where: str | None = None) -> BoundaryFileError:
    return BoundaryFileError(
        f"The boundary file {where or repr(file_name)} could not be read as a map of areas: "
        f"{detail}. Expected {ACCEPTED_FORMATS}.",
        file=file_name, column=None, expected=ACCEPTED_FORMATS,
    )


def _refusal(file_name: str, problem: str, advice: str, *, expected: str,
             column: str | None = None) -> BoundaryFileError:
    """A boundary file refused as a whole: "The boundary file 'NAME' PROBLEM. ADVICE"."""
    return BoundaryFileError(f"The boundary file '{file_name}' {problem}. {advice}",
                             file=file_name, column=column, expected=expected)


def _over_limit(file_name: str, problem: str, limit: str) -> BoundaryFileError:
    setting = LIMIT_SETTING.format(limit.upper())
    return _refusal(file_name, problem, f"Reach refuses it to protect this computer; for a genuine file "
                                        f"this large, set {setting} to raise the limit.",
                    expected=f"a boundary file within the limit (set {setting} to change it)")


def _out_of_memory(file_name: str) -> BoundaryFileError:
    return _refusal(file_name, "is too large to read on this computer (it ran out of memory)",
                    f"Expected {ACCEPTED_FORMATS} of a size this computer can hold; try the generalised "
                    f"boundaries, which are far smaller.", expected=ACCEPTED_FORMATS)


def _not_polygons(file_name: str, found: str) -> BoundaryFileError:
    return _refusal(file_name, f"holds {found} shapes in its geometry column, not areas",
                    "Expected polygons (or multipolygons), one for each LSOA.",
                    expected="Polygon or MultiPolygon shapes, one for each LSOA", column="geometry")


_SHOWN_COLUMNS = 20
_COLUMN_NAME_CHARS = 40


def _columns_found(frame: pd.DataFrame) -> str:
    """The first columns of a layer we opened, each cut short, for a message."""
    names = [str(column) for column in frame.columns if column != frame.geometry.name]
    if not names:
        return "none"
    shown = ", ".join(_shortened(name, _COLUMN_NAME_CHARS) for name in names[:_SHOWN_COLUMNS])
    more = len(names) - _SHOWN_COLUMNS
    return shown + (f" and {more:,} more" if more > 0 else "")


def _shown_name(name: str) -> str:
    """A file name from inside a zip, as a message shows it."""
    return _shortened(name, 60)


def _shortened(text: str, limit: int) -> str:
    text = "".join(char if char.isprintable() else " " for char in text)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _find_column(frame: pd.DataFrame, spellings: tuple[str, ...]) -> str | None:
    by_lower = {str(column).lower(): column for column in frame.columns}
    for spelling in spellings:
        if spelling.lower() in by_lower:
            return by_lower[spelling.lower()]
    return None


# --- coordinate systems ------------------------------------------------------------------------

def _describe_crs(frame: gpd.GeoDataFrame) -> str:
    if frame.crs is None:
        return "none declared"
    authority = frame.crs.to_authority()
    return ":".join(authority) if authority else _shortened(frame.crs.name, 80)


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


# --- rows --------------------------------------------------------------------------------------

# A value quoted in a row's reason must look like a mistyped area code: one letter and digits
# ("E0100002", "W01000007"). A postcode ends in letters, an NHS number has no letter, a name or
# an e-mail address has no run of digits, so none of them is ever repeated.
_CODE_LIKE = re.compile(r"[A-Za-z]\d{1,9}")


def _clean_rows(frame: gpd.GeoDataFrame, *, file_name: str, code_column: str, name_column: str | None,
                centroid_columns: tuple[str, str] | None = None) -> tuple[gpd.GeoDataFrame, pd.DataFrame, int]:
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
    for broken in np.flatnonzero(invalid | (type_ids == _COLLECTION_TYPE_ID)):
        geometries[broken] = _polygonal_part(geometries[broken])
    present = has_shape(geometries)

    raw_codes = _as_objects(frame[code_column])
    names = (_as_objects(frame[name_column]) if name_column is not None
             else np.full(len(frame), None, dtype=object))

    rejects = []
    kept_positions = []
    first_row_of_code: dict[str, int] = {}
    for position, raw in enumerate(raw_codes):
        row_number = position + 1
        code = str(raw).strip().upper() if raw is not None else ""
        if not code:
            rejects.append((row_number, raw, "no LSOA code"))
        elif not LSOA_CODE_PATTERN.fullmatch(code):
            rejects.append(_not_a_code(row_number, raw))
        elif not present[position]:
            rejects.append((row_number, raw, "no shape (the geometry is empty)"))
        elif code in first_row_of_code:
            rejects.append((row_number, raw, f"duplicate of row {first_row_of_code[code]}"))
        else:
            first_row_of_code[code] = row_number
            kept_positions.append(position)

    kept = np.asarray(kept_positions, dtype=int)
    columns = {
        "lsoa_code": pd.Series(list(first_row_of_code), dtype="str"),
        "lsoa_name": pd.Series([_clean_name(name) for name in names[kept]], dtype=object),
    }
    if centroid_columns is not None:
        for name, column in zip(("pwc_lon", "pwc_lat"), centroid_columns):
            columns[name] = pd.Series(_as_objects(frame[column])[kept], dtype=object)
    areas = gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries(geometries[kept], crs=WGS84))
    rejects = pd.DataFrame(
        {
            "row_number": pd.Series([row[0] for row in rejects], dtype="int64"),
            "lsoa_code": pd.Series([row[1] for row in rejects], dtype=object),
            "reason": pd.Series([row[2] for row in rejects], dtype="str"),
        }
    )
    return areas, rejects, int(invalid[kept].sum())


def _not_a_code(row_number: int, raw) -> tuple[int, object, str]:
    """A reject for a value that is not an LSOA code, quoting it only if it looks like a code."""
    expected = "(expected E01 followed by 6 digits)"
    text = str(raw).strip()
    if _CODE_LIKE.fullmatch(text):
        return row_number, raw, f"'{raw}' is not an LSOA code {expected}"
    return row_number, None, f"the value is not an LSOA code {expected}"


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
