"""The DfE register (Get Information about Schools) as a centres file: its family hubs and
children's centres load as sites, with their kind; closed ones and schools are passed over."""

from __future__ import annotations

import math

from pyproj import Transformer

from tests.data.files import counts, import_lines, reasons, rows

# The establishment download's headings, as GIAS spells them (a few of its many columns).
HEADER = ("URN,LA (code),LA (name),EstablishmentName,TypeOfEstablishment (code),TypeOfEstablishment (name),"
          "EstablishmentStatus (code),EstablishmentStatus (name),Postcode,Easting,Northing,GSSLACode (name)")
REGISTER = [
    HEADER,
    "23001,358,Trafford,Partington Family Hub,47,Family hub,1,Open,M31 4FL,373000,392000,E08000009",
    "23002,358,Trafford,Stretford Children's Centre,47,Children's centre,1,Open,M32 9AN,379000,396000,E08000009",
    "23003,358,Trafford,Old Trafford Children's Centre,47,Children's centre,2,Closed,M16 7AA,381000,396500,E08000009",
    "23004,358,Trafford,Urmston Linked Site,48,Children's centre linked site,3,\"Open, but proposed to close\","
    "M41 0AA,376000,394000,",
    "106300,358,Trafford,Moss Park Junior School,1,Community school,1,Open,M32 9BD,378000,395000,E08000009",
    "106301,358,Trafford,Kings Road Primary,1,Community school,2,Closed,M16 7AB,382000,396000,E08000009",
]


def _degrees(easting: float, northing: float) -> tuple[float, float]:
    lon, lat = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True).transform(easting, northing)
    return round(lon, 6), round(lat, 6)


def test_register_loads_open_hubs_and_centres_with_their_kind(tmp_path, db):
    summary = import_lines("centres", tmp_path, "edubasealldata20260901.csv", REGISTER, db=db)
    assert counts(summary) == (3, 0, 0, "loaded")
    assert reasons(db) == []
    loaded = rows(db, "SELECT centre_id, name, la_code, site_type FROM centres ORDER BY centre_id")
    assert loaded == [("23001", "Partington Family Hub", "E08000009", "family hub"),
                      ("23002", "Stretford Children's Centre", "E08000009", "children's centre"),
                      ("23004", "Urmston Linked Site", None, "children's centre")]


def test_register_notes_say_what_was_passed_over(tmp_path, db):
    summary = import_lines("centres", tmp_path, "edubasealldata20260901.csv", REGISTER, db=db)
    assert "1 closed family hub or children's centre in the register was passed over." in summary.message
    assert "2 establishments of other types (schools and others) were passed over." in summary.message


def test_register_easting_and_northing_become_degrees(tmp_path, db):
    import_lines("centres", tmp_path, "register.csv", REGISTER, db=db)
    placed = dict((row[0], row[1:]) for row in rows(db, "SELECT centre_id, lon, lat FROM centres"))
    for urn, easting, northing in (("23001", 373000, 392000), ("23002", 379000, 396000)):
        lon, lat = _degrees(easting, northing)
        assert math.isclose(placed[urn][0], lon, abs_tol=1e-6) and math.isclose(placed[urn][1], lat, abs_tol=1e-6)
    # Trafford lies at about 2.3 degrees west, 53.4 degrees north.
    assert -2.6 < placed["23001"][0] < -2.2 and 53.3 < placed["23001"][1] < 53.5


def test_register_lon_and_lat_win_over_the_grid(tmp_path, db):
    lines = [HEADER + ",lon,lat",
             "23001,358,Trafford,Partington Family Hub,47,Family hub,1,Open,M31 4FL,373000,392000,E08000009,-2.4,53.4"]
    import_lines("centres", tmp_path, "register.csv", lines, db=db)
    assert rows(db, "SELECT lon, lat FROM centres") == [(-2.4, 53.4)]


def test_a_plain_centres_file_may_say_what_kind_of_site_each_is(tmp_path, db):
    lines = ["centre_id,name,site_type",
             "C1,North,Family hub",
             "C2,South,children's centre",
             "C3,East,",
             "C4,West,library"]
    summary = import_lines("centres", tmp_path, "centres.csv", lines, db=db)
    assert counts(summary)[:2] == (3, 1)
    assert rows(db, "SELECT centre_id, site_type FROM centres ORDER BY centre_id") == [
        ("C1", "family hub"), ("C2", "children's centre"), ("C3", None)]
    assert reasons(db) == [(4, "site_type must be family hub or children's centre")]


def test_loading_the_register_again_changes_nothing(tmp_path, db):
    import_lines("centres", tmp_path, "register.csv", REGISTER, db=db)
    again = import_lines("centres", tmp_path, "register.csv", REGISTER, db=db)
    assert counts(again)[:3] == (0, 0, 3)
