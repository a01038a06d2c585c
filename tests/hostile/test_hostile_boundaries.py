"""Hostile boundary files: each one built here, small, with the limits lowered to match.

Every attack is run through the command line (`cli.main.main`, as `python -m reach import
boundaries FILE` runs it) and through `import_file` (as the dashboard's upload runs it). Each must
be refused with exit status 2 and a plain message, leave the store exactly as it was, leak
nothing it read (a key, an NHS number, a postcode) and fetch nothing from the network.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import threading
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from data.importers import FileFault, import_file, list_quarantine
from data.store import opened
from geo.boundaries import BoundaryFileError, BoundaryLimits, read_boundaries
from cli.main import main

# What a key file beside a database looks like: 64 hex digits.
KEY_TEXT = "55ad0c1f3e9b7a2d4c6e8f0a1b3c5d7e9f1a2b3c4d5e6f708192a3b4c5d6e7f8"
ACCEPTED = "GeoJSON, GeoPackage or zipped Shapefile"


# --- building the files ------------------------------------------------------------------------

def _square(column: int, row: int, *, corners: int = 4) -> shapely.Polygon:
    """A cell of a grid near Manchester, in lon/lat, with `corners` points round its edge."""
    x, y = -2.30 + column * 0.01, 53.40 + row * 0.01
    square = shapely.box(x, y, x + 0.01, y + 0.01)
    if corners <= 4:
        return square
    return shapely.segmentize(square, 0.04 / corners)


def _areas(count: int, *, corners: int = 4) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"lsoa_code": [f"E01{number:06d}" for number in range(1, count + 1)],
         "lsoa_name": [f"Area {number}" for number in range(1, count + 1)]},
        geometry=[_square(number % 10, number // 10, corners=corners) for number in range(count)],
        crs=4326,
    )


def _geojson(path: Path, features: list[dict], **top) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", **top, "features": features}))
    return path


def _feature(code, *, column: int = 0, geometry_extra: dict | None = None) -> dict:
    geometry = shapely.geometry.mapping(_square(column, 0))
    geometry = {"type": geometry["type"], "coordinates": geometry["coordinates"],
                **(geometry_extra or {})}
    return {"type": "Feature", "properties": {"lsoa_code": code}, "geometry": geometry}


def _shapefile_zip(folder: Path, areas: gpd.GeoDataFrame, name: str = "lsoa.zip", *,
                   extra: dict[str, bytes] | None = None, level: int = 6) -> Path:
    """A zipped Shapefile of `areas`, plus any `extra` members (name: bytes), deflated."""
    parts = folder / "parts"
    parts.mkdir(exist_ok=True)
    areas.to_crs(27700).to_file(parts / "lsoa.shp")
    path = folder / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for part in sorted(parts.iterdir()):
            archive.write(part, arcname=part.name)
        for member, data in (extra or {}).items():
            archive.writestr(member, data)
    return path


def _vrt(source: str) -> str:
    """A GDAL VRT file: a few lines of XML naming another data source."""
    return (f'<OGRVRTDataSource><OGRVRTLayer name="lsoa"><SrcDataSource>{source}'
            f'</SrcDataSource><GeometryType>wkbPolygon</GeometryType></OGRVRTLayer>'
            f'</OGRVRTDataSource>\n')


class _Listener:
    """A TCP server on this computer that counts the connections made to it."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(5)
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self):
        while self.running:
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self):
        self.running = False
        self.thread.join()
        self.server.close()


@pytest.fixture
def listener():
    server = _Listener()
    yield server
    server.close()


@pytest.fixture
def key_file(tmp_path) -> Path:
    """A pseudonymisation key file, as one lies beside a database."""
    path = tmp_path / "reach.duckdb.key"
    path.write_text(KEY_TEXT + "\n")
    return path


def _run(capsys, *argv) -> tuple[int, str]:
    """`python -m reach ARGV...` in this process: (exit status, all it printed)."""
    status = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return status, out + err


def _refused(capsys, path: Path, store: Path, fingerprint, *, says: list[str],
             never: list[str] = (), name: str | None = None) -> str:
    """Import `path` as boundaries by the command line and by `import_file`; both must refuse it,
    saying `says` and never `never`, and leave the store as it was. Returns the CLI's words."""
    before = fingerprint(store)
    status, printed = _run(capsys, "import", "boundaries", path, "--db", store)
    assert status == 2, printed
    assert "Traceback" not in printed
    with pytest.raises(FileFault) as raised:
        import_file("boundaries", path, db=store, original_name=name)
    for words in (printed, str(raised.value)):
        for phrase in says:
            assert phrase in words, words
        for secret in never:
            assert secret not in words
    assert fingerprint(store) == before
    return printed


# --- a file that names another source ----------------------------------------------------------

def test_a_vrt_named_geojson_that_reads_the_key_file_is_refused_unread(
        capsys, tmp_path, store, fingerprint, key_file):
    path = tmp_path / "lsoa.geojson"
    path.write_text(_vrt(f"CSV:{key_file}"))

    printed = _refused(capsys, path, store, fingerprint,
                       says=["lsoa.geojson", "XML", "VRT", ACCEPTED],
                       never=[KEY_TEXT, KEY_TEXT[:8]])

    assert str(key_file) not in printed


@pytest.mark.parametrize("name", ["lsoa.tmp", "lsoa.vrt", "lsoa.json", "lsoa"])
def test_a_vrt_is_refused_whatever_it_is_called(capsys, tmp_path, store, fingerprint, key_file,
                                                name):
    path = tmp_path / name
    path.write_text("\ufeff  " + _vrt(f"CSV:{key_file}"))
    _refused(capsys, path, store, fingerprint, says=["XML"], never=[KEY_TEXT[:8]])


def test_a_vrt_inside_a_zip_is_refused(capsys, tmp_path, store, fingerprint, key_file):
    path = tmp_path / "lsoa.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("boundaries/lsoa.geojson", _vrt(f"CSV:{key_file}"))
    _refused(capsys, path, store, fingerprint, says=["lsoa.zip", "XML"], never=[KEY_TEXT[:8]])


def test_a_vrt_pointing_at_a_web_address_fetches_nothing(capsys, tmp_path, store, fingerprint,
                                                          listener):
    path = tmp_path / "lsoa.geojson"
    path.write_text(_vrt(f"/vsicurl/{listener.url}/lsoa.geojson"))

    _refused(capsys, path, store, fingerprint, says=["XML"])

    assert listener.connections == 0


@pytest.mark.parametrize("crs", [
    {"type": "link", "properties": {"href": "{url}/crs.prj", "type": "proj4"}},
    {"type": "LINK", "properties": {"href": "{url}/crs.prj"}},
    {"type": "url", "properties": {"url": "{url}/crs.prj"}},
])
def test_a_geojson_whose_crs_is_a_link_fetches_nothing(capsys, tmp_path, store, fingerprint,
                                                        listener, crs):
    crs = json.loads(json.dumps(crs).replace("{url}", listener.url))
    path = _geojson(tmp_path / "lsoa.geojson", [_feature("E01000001")], crs=crs)

    _refused(capsys, path, store, fingerprint, says=["coordinate system", "link"])

    assert listener.connections == 0


def test_a_link_on_one_shape_or_hidden_by_escapes_fetches_nothing(tmp_path, listener):
    link = {"type": "link", "properties": {"href": f"{listener.url}/crs.prj"}}
    on_a_shape = _geojson(tmp_path / "shape.geojson",
                          [_feature("E01000001", geometry_extra={"crs": link})])
    collection = json.dumps({"type": "FeatureCollection", "features": [_feature("E01000001")]})
    escaped = tmp_path / "escaped.geojson"
    escaped.write_text(collection[:-1] + ', "\\u0063rs": ' + json.dumps(link) + "}")
    single_quoted = tmp_path / "quoted.geojson"
    single_quoted.write_text(collection[:-1] + ", 'crs': {'type': 'link', 'properties': "
                             "{'href': '" + listener.url + "/crs.prj'}}}")

    for path in (on_a_shape, escaped, single_quoted):
        with pytest.raises(BoundaryFileError) as raised:
            read_boundaries(path)
        assert "Reach opens nothing but the file it is given" in str(raised.value)
    assert listener.connections == 0


def test_a_named_crs_is_still_read(tmp_path):
    path = _geojson(tmp_path / "lsoa.geojson", [_feature("E01000001")],
                    crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}})
    assert read_boundaries(path).areas["lsoa_code"].tolist() == ["E01000001"]


def test_only_the_three_formats_are_left_to_gdal(tmp_path):
    read_boundaries(_geojson(tmp_path / "lsoa.geojson", [_feature("E01000001")]))
    assert set(pyogrio.list_drivers()) == {"GeoJSON", "GPKG", "ESRI Shapefile"}
    assert pyogrio.get_gdal_config_option("GDAL_VRT_ENABLE_PYTHON") in (False, "NO")


# --- files that are not what their name says ---------------------------------------------------

@pytest.mark.parametrize("content, says", [
    (b"lsoa_code,nhs_number,postcode\nE01000001,9434765919,M32 9AN\n", "CSV"),
    (b"\x89PNG\r\n\x1a\n" + bytes(200), "PNG image"),
    (b"%PDF-1.7\n" + bytes(200), "PDF document"),
    (b"", "empty"),
    (bytes(range(256)) * 8, "not text"),
    (b'{"type": "Topology", "objects": {}}', "not a GeoJSON FeatureCollection"),
    (b'{"type": "FeatureCollection", "features": [', "damaged or cut short"),
    (b'{"features": [] "type": "FeatureCollection"}', "not well-formed JSON"),
])
def test_a_geojson_that_is_something_else_says_what_it_is(capsys, tmp_path, store, fingerprint,
                                                          content, says):
    path = tmp_path / "lsoa.geojson"
    path.write_bytes(content)
    _refused(capsys, path, store, fingerprint, says=["lsoa.geojson", says],
             never=["9434765919", "M32 9AN"])


def test_a_geojson_that_is_really_a_zip_or_geopackage_is_refused(capsys, tmp_path, store,
                                                                   fingerprint):
    zipped = _shapefile_zip(tmp_path, _areas(3))
    disguised_zip = tmp_path / "lsoa.geojson"
    disguised_zip.write_bytes(zipped.read_bytes())
    _refused(capsys, disguised_zip, store, fingerprint, says=["named as a GeoJSON", "zip"])

    package = tmp_path / "real.gpkg"
    _areas(3).to_file(package, driver="GPKG")
    disguised_package = tmp_path / "package.geojson"
    disguised_package.write_bytes(package.read_bytes())
    _refused(capsys, disguised_package, store, fingerprint, says=["holds a GeoPackage"])


def test_an_sqlite_database_that_is_not_a_geopackage_is_refused(tmp_path):
    import sqlite3

    path = tmp_path / "lsoa.gpkg"
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA application_id = 1234")
        con.execute("CREATE TABLE lsoa (lsoa_code TEXT)")
    with pytest.raises(BoundaryFileError, match="not a GeoPackage"):
        read_boundaries(path)


def test_an_upload_is_judged_by_its_content_and_its_own_name(tmp_path):
    upload = tmp_path / "upload.tmp"
    _areas(2).to_file(upload.with_suffix(".gpkg"), driver="GPKG")
    upload.write_bytes(upload.with_suffix(".gpkg").read_bytes())

    assert len(read_boundaries(upload, original_name="lsoa.gpkg").areas) == 2
    with pytest.raises(BoundaryFileError, match="named as a GeoJSON"):
        read_boundaries(upload, original_name="lsoa.geojson")


# --- bombs -------------------------------------------------------------------------------------

def test_a_zipped_shapefile_with_too_many_shapes_is_refused_before_reading(
        capsys, tmp_path, store, fingerprint, monkeypatch):
    monkeypatch.setenv("REACH_LIMIT_MAX_FEATURES", "40")
    read = []
    original = pyogrio.read_dataframe
    monkeypatch.setattr(pyogrio, "read_dataframe",
                        lambda *args, **kwargs: read.append(kwargs) or original(*args, **kwargs))
    path = _shapefile_zip(tmp_path, _areas(60))

    _refused(capsys, path, store, fingerprint,
             says=["60 shapes", "limit of 40", "35,672", "REACH_LIMIT_MAX_FEATURES"])

    assert read == []     # the count in the Shapefile's index was enough to refuse it


def test_a_file_that_hides_its_shape_count_is_read_no_further_than_the_limit(tmp_path,
                                                                              monkeypatch):
    path = _shapefile_zip(tmp_path, _areas(60))
    monkeypatch.setattr(pyogrio, "read_info", lambda *args, **kwargs: {"features": -1})
    original = pyogrio.read_dataframe
    asked = []
    monkeypatch.setattr(pyogrio, "read_dataframe",
                        lambda *args, **kwargs: asked.append(kwargs) or original(*args, **kwargs))

    with pytest.raises(BoundaryFileError, match=r"more than 40 shapes \(the limit\)"):
        read_boundaries(path, limits=BoundaryLimits(max_features=40))

    assert asked[0]["max_features"] == 41


def test_a_zip_member_packed_like_a_bomb_is_refused_before_unpacking(capsys, tmp_path, store,
                                                                      fingerprint):
    # 3 MB of zeros packs into a few KB: a ratio of about 1,000 against the limit of 200.
    path = _shapefile_zip(tmp_path, _areas(3), extra={"padding.bin": bytes(3 << 20)}, level=9)
    _refused(capsys, path, store, fingerprint,
             says=["packed", "times smaller", "limit of 200", "REACH_LIMIT_MAX_COMPRESSION_RATIO"])


def test_a_zip_that_unpacks_past_the_limit_is_refused(capsys, tmp_path, store, fingerprint,
                                                       monkeypatch):
    monkeypatch.setenv("REACH_LIMIT_MAX_UNCOMPRESSED_BYTES", "50000")
    noise = np.random.default_rng(3).bytes(80_000)          # does not compress at all
    path = _shapefile_zip(tmp_path, _areas(3), extra={"readme.txt": noise})
    _refused(capsys, path, store, fingerprint,
             says=["would unpack to", "REACH_LIMIT_MAX_UNCOMPRESSED_BYTES"])


def _lie_about_size(path: Path, member: str, declared: int) -> None:
    """Rewrite the uncompressed size the zip declares for `member`, in both its headers."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    # (signature, where the name's length is, where the name starts, where the size is) in the
    # local file header and in the central directory's header.
    for signature, length_at, name_at, size_at in ((b"PK\x03\x04", 26, 30, 22), (b"PK\x01\x02", 28, 46, 24)):
        header = data.find(signature)
        while header != -1:
            name_length = struct.unpack_from("<H", data, header + length_at)[0]
            if data[header + name_at:header + name_at + name_length] == name:
                struct.pack_into("<I", data, header + size_at, declared)
            header = data.find(signature, header + 4)
    path.write_bytes(bytes(data))


def test_a_zip_member_that_lies_about_its_size_is_stopped(capsys, tmp_path, store, fingerprint):
    path = _shapefile_zip(tmp_path, _areas(20, corners=400))
    _lie_about_size(path, "lsoa.shp", 1_000)
    assert zipfile.ZipFile(path).getinfo("lsoa.shp").file_size == 1_000

    _refused(capsys, path, store, fingerprint, says=["lsoa.zip", "damaged zip file"])


def test_unpacking_stops_as_soon_as_a_member_passes_its_size_or_the_limit(tmp_path):
    import io

    from geo.boundaries import _unpack_member

    class Archive:
        """A zip whose one member gives 5,000 bytes, whatever it declared."""

        def open(self, member):
            return io.BytesIO(bytes(5_000))

    liar = zipfile.ZipInfo("lsoa.shp")
    liar.file_size = 1_000
    with pytest.raises(BoundaryFileError, match="larger than it says"):
        _unpack_member(Archive(), liar, tmp_path / "a.shp", "lsoa.zip", [1 << 30])
    honest = zipfile.ZipInfo("lsoa.shp")
    honest.file_size = 5_000
    with pytest.raises(BoundaryFileError, match="REACH_LIMIT_MAX_UNCOMPRESSED_BYTES"):
        _unpack_member(Archive(), honest, tmp_path / "b.shp", "lsoa.zip", [4_000])
    assert not (tmp_path / "a.shp").stat().st_size and not (tmp_path / "b.shp").stat().st_size


def test_a_geopackage_with_too_many_corner_points_is_refused(capsys, tmp_path, store, fingerprint,
                                                              monkeypatch):
    monkeypatch.setenv("REACH_LIMIT_MAX_VERTICES", "2000")
    path = tmp_path / "lsoa.gpkg"
    _areas(10, corners=400).to_file(path, driver="GPKG")

    _refused(capsys, path, store, fingerprint,
             says=["corner points", "limit of 2,000", "REACH_LIMIT_MAX_VERTICES"])


def test_one_shape_with_millions_of_corners_is_refused_before_it_is_checked(tmp_path, monkeypatch):
    path = tmp_path / "lsoa.gpkg"
    _areas(3, corners=4_000).to_file(path, driver="GPKG")
    checked = []
    monkeypatch.setattr(shapely, "is_valid", lambda *args: checked.append(1))

    with pytest.raises(BoundaryFileError) as raised:
        read_boundaries(path, limits=BoundaryLimits(max_vertices_per_shape=1_000))

    assert "row 1" in str(raised.value)
    assert "REACH_LIMIT_MAX_VERTICES_PER_SHAPE" in str(raised.value)
    assert checked == []


def test_running_out_of_memory_is_a_refusal_not_a_traceback(capsys, tmp_path, store, fingerprint,
                                                            monkeypatch):
    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(pyogrio, "read_dataframe", exhausted)
    path = _geojson(tmp_path / "lsoa.geojson", [_feature("E01000001")])
    _refused(capsys, path, store, fingerprint, says=["ran out of memory"])


def test_gdal_error_text_is_never_shown(capsys, tmp_path, store, fingerprint, monkeypatch):
    def failing(*args, **kwargs):
        raise pyogrio.errors.DataSourceError(f"parse error near '{KEY_TEXT}'")

    monkeypatch.setattr(pyogrio, "read_dataframe", failing)
    path = _geojson(tmp_path / "lsoa.geojson", [_feature("E01000001")])
    _refused(capsys, path, store, fingerprint, says=["could not be read"], never=[KEY_TEXT[:8]])


# --- zips that reach outside -------------------------------------------------------------------

@pytest.mark.parametrize("member", ["../lsoa.shp", "/tmp/lsoa.shp", "a/../../lsoa.shp",
                                    "..\\lsoa.shp", "C:/lsoa.shp"])
def test_a_zip_member_with_a_path_outside_the_zip_is_refused(capsys, tmp_path, store, fingerprint,
                                                              member):
    path = _shapefile_zip(tmp_path, _areas(2), extra={member: b"\x00\x00\x27\x0a" + bytes(96)})
    before = sorted(os.listdir(tmp_path.parent))
    _refused(capsys, path, store, fingerprint, says=["path leads outside the zip"])
    assert sorted(os.listdir(tmp_path.parent)) == before


def test_a_zip_member_that_is_a_link_is_refused(capsys, tmp_path, store, fingerprint, key_file):
    path = tmp_path / "lsoa.zip"
    with zipfile.ZipFile(path, "w") as archive:
        link = zipfile.ZipInfo("lsoa.dbf")
        link.create_system = 3
        link.external_attr = (0o120777 << 16)
        archive.writestr(link, str(key_file))
        for suffix in (".shp", ".shx"):
            archive.writestr(f"lsoa{suffix}", b"\x00\x00\x27\x0a" + bytes(96))
    _refused(capsys, path, store, fingerprint, says=["link"], never=[KEY_TEXT[:8]])


def test_a_password_protected_zip_is_refused(tmp_path):
    path = _shapefile_zip(tmp_path, _areas(2))
    data = bytearray(path.read_bytes())
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<H", data, central + 8, struct.unpack_from("<H", data, central + 8)[0] | 1)
    path.write_bytes(bytes(data))
    with pytest.raises(BoundaryFileError, match="password-protected"):
        read_boundaries(path)


def test_a_loose_shapefile_whose_table_is_the_key_file_is_refused(tmp_path, key_file):
    folder = tmp_path / "shapefile"
    folder.mkdir()
    _areas(2).to_crs(27700).to_file(folder / "lsoa.shp")
    (folder / "lsoa.dbf").unlink()
    (folder / "lsoa.dbf").symlink_to(key_file)

    with pytest.raises(BoundaryFileError) as raised:
        read_boundaries(folder / "lsoa.shp")

    assert ".dbf" in str(raised.value)
    assert KEY_TEXT[:8] not in str(raised.value)


def test_a_loose_shapefile_with_its_parts_beside_it_is_read(tmp_path):
    folder = tmp_path / "shapefile"
    folder.mkdir()
    _areas(4).to_crs(3857).to_file(folder / "LSOA.shp")
    (folder / "notes.vrt").write_text(_vrt("CSV:/etc/hostname"))
    assert len(read_boundaries(folder / "LSOA.shp").areas) == 4


def test_a_shapefile_uploaded_alone_asks_for_a_zip(tmp_path):
    folder = tmp_path / "shapefile"
    folder.mkdir()
    _areas(2).to_file(folder / "lsoa.shp")
    upload = tmp_path / "upload.shp"
    upload.write_bytes((folder / "lsoa.shp").read_bytes())
    with pytest.raises(BoundaryFileError, match="put them in one zip"):
        read_boundaries(upload, original_name="lsoa.shp")


# --- personal data in the wrong column ---------------------------------------------------------

def test_a_postcode_or_nhs_number_in_the_code_column_is_never_repeated(capsys, tmp_path, store):
    personal = ["9434765919", "M32 9AN", "jane.smith@example.org", "Jane Smith of 4 High Street"]
    path = _geojson(tmp_path / "lsoa.geojson",
                    [_feature("E01000001", column=0), _feature("E0100002", column=1)]
                    + [_feature(value, column=number + 2) for number, value in enumerate(personal)])

    status, printed = _run(capsys, "import", "boundaries", path, "--db", store)
    assert status == 0, printed
    status, listed = _run(capsys, "quarantine", "--format", "csv", "--db", store)
    assert status == 0

    with opened(store, read_only=True) as con:
        reasons = list_quarantine(con)["reason"].tolist()
    assert "'E0100002' is not an LSOA code (expected E01 followed by 6 digits)" in reasons
    assert reasons.count("the value is not an LSOA code (expected E01 followed by 6 digits)") == 4
    with opened(store, read_only=True) as con:
        stored = repr(con.execute("SELECT * FROM quarantine ORDER BY ALL").fetchall())
        stored += repr(con.execute("SELECT * FROM import_log ORDER BY ALL").fetchall())
    for value in personal:
        for seen in (printed, listed, stored):
            assert value not in seen
    rejects = read_boundaries(path).rejects
    assert rejects["lsoa_code"].tolist() == ["E0100002", None, None, None, None]


def test_the_columns_named_in_a_message_are_few_and_short(tmp_path):
    long_name = "x" * 200
    properties = {f"column_{number}": number for number in range(30)} | {long_name: 1}
    path = tmp_path / "wards.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": properties,
         "geometry": shapely.geometry.mapping(_square(0, 0))}]}))

    with pytest.raises(BoundaryFileError) as raised:
        read_boundaries(path)

    message = str(raised.value)
    assert "column_0, column_1" in message
    assert "column_25" not in message
    assert "and 11 more" in message
    assert long_name not in message


# --- what stays allowed ------------------------------------------------------------------------

def test_a_real_zipped_shapefile_still_loads_within_the_lowered_limits(capsys, tmp_path, store,
                                                                       monkeypatch):
    for name, value in (("MAX_FEATURES", "50"), ("MAX_VERTICES", "100000"),
                        ("MAX_UNCOMPRESSED_BYTES", "200000"), ("MAX_COMPRESSION_RATIO", "50")):
        monkeypatch.setenv(f"REACH_LIMIT_{name}", value)
    path = _shapefile_zip(tmp_path, _areas(30, corners=40),
                          extra={"__MACOSX/._lsoa.shp": b"", "metadata/readme.txt": b"ONS"})
    status, printed = _run(capsys, "import", "boundaries", path, "--db", store)
    assert status == 0, printed
    assert "30 rows loaded" in printed


def test_a_geojson_whose_type_comes_after_its_features_is_read(tmp_path):
    path = tmp_path / "sorted.geojson"
    features = [_feature(f"E01{number:06d}", column=number) for number in range(1, 400)]
    path.write_text(json.dumps({"features": features, "type": "FeatureCollection"}))
    assert len(read_boundaries(path).areas) == 399


def test_a_big_geojson_is_scanned_quickly(tmp_path):
    import time

    features = [_feature(f"E01{number:06d}", column=number % 10) for number in range(1, 20_000)]
    path = tmp_path / "big.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    from geo.boundaries import _check_json_points_nowhere

    started = time.perf_counter()
    _check_json_points_nowhere(path, "big.geojson")
    assert time.perf_counter() - started < 2.0


def test_bytes_split_between_scan_chunks_are_still_seen(tmp_path, monkeypatch):
    import geo.boundaries as boundaries

    monkeypatch.setattr(boundaries, "_SCAN_CHUNK_BYTES", 7)
    path = _geojson(tmp_path / "lsoa.geojson", [_feature("E01000001")],
                    crs={"type": "link", "properties": {"href": "http://127.0.0.1:9/x"}})
    with pytest.raises(BoundaryFileError, match="link"):
        read_boundaries(path)
    fine = _geojson(tmp_path / "fine.geojson", [_feature("E01000001")],
                    crs={"type": "name", "properties": {"name": "EPSG:4326"}})
    assert len(read_boundaries(fine).areas) == 1
