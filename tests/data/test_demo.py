"""The demo local authority: drawn the same way every time, shaped like a real council, loaded
through the real importers, and with reach that spans the bands."""

from __future__ import annotations

import hashlib
import time
from datetime import date

import numpy as np
import pandas as pd
import pytest
import shapely

from data.demo import (
    DEMO_AS_AT,
    LA_CODE,
    build_demo,
    ensure_demo,
    generate_demo,
    write_demo_files,
)
from data.importers.pseudonymise import is_valid_nhs_number
from data.schema import TABLES
from data.store import opened

# Columns that say when an import ran, not what it loaded.
_CLOCK_COLUMNS = {"import_log": ("started_at", "finished_at")}


@pytest.fixture(scope="module")
def council():
    return generate_demo()


def _file(council, kind: str, number: int = 0) -> pd.DataFrame:
    return [f.frame for f in council.files if f.kind == kind][number]


def _neighbours(geometries) -> dict[int, set[int]]:
    tree = shapely.STRtree(geometries)
    left, right = tree.query(geometries, predicate="intersects")
    found: dict[int, set[int]] = {i: set() for i in range(len(geometries))}
    for i, j in zip(left.tolist(), right.tolist()):
        if i != j:
            found[i].add(j)
    return found


def _connected(members: set[int], neighbours: dict[int, set[int]]) -> bool:
    start = next(iter(members))
    seen, todo = {start}, [start]
    while todo:
        for n in neighbours[todo.pop()] & members:
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return seen == members


# --- the generator on its own ---------------------------------------------------------------------

def test_the_same_seed_draws_the_same_council_and_another_seed_a_different_one(council):
    again = generate_demo()
    assert [f.file_name for f in again.files] == [f.file_name for f in council.files]
    for first, second in zip(council.files, again.files):
        pd.testing.assert_frame_equal(pd.DataFrame(first.frame), pd.DataFrame(second.frame))
        assert first.received_on == second.received_on
    other = generate_demo(seed=7)
    assert not other.lsoas.geometry.geom_equals(council.lsoas.geometry.iloc[: len(other.lsoas)]).all()


def test_lsoas_tile_an_irregular_council_without_gaps_or_overlaps(council):
    lsoas = council.lsoas
    assert len(lsoas) == 136
    geometries = lsoas.geometry.to_numpy()
    assert (shapely.get_type_id(geometries) == 3).all()          # one Polygon each
    assert shapely.is_valid(geometries).all()
    union = shapely.union_all(geometries)
    assert union.geom_type == "Polygon"
    assert union.area == pytest.approx(shapely.area(geometries).sum(), rel=0.001)
    # About 15 km across, and not a rectangle: the outline fills well under its bounding box.
    minx, miny, maxx, maxy = union.bounds
    assert 12_000 < maxx - minx < 20_000 and 12_000 < maxy - miny < 20_000
    assert union.area / ((maxx - minx) * (maxy - miny)) < 0.85
    # Town LSOAs are smaller than rural ones, as LSOAs of similar population are.
    areas = shapely.area(geometries)
    assert areas.max() / areas.min() > 5


def test_lsoa_codes_and_names_are_fictional_and_follow_ons_patterns(council):
    lsoas = council.lsoas
    assert lsoas["lsoa_code"].str.fullmatch(r"E019\d{5}").all()
    assert lsoas["lsoa_code"].is_unique
    assert lsoas["lsoa_name"].str.fullmatch(r"Brackenfold \d{3}[A-Z]").all()
    assert lsoas["lsoa_code"].iloc[0] == "E01900001" and lsoas["lsoa_name"].iloc[0] == "Brackenfold 001A"
    # ONS numbers MSOAs from north to south.
    north = lsoas.assign(y=lsoas.geometry.centroid.y).groupby("msoa")["y"].mean()
    assert north.iloc[0] > north.iloc[-1]


def test_reach_areas_are_contiguous_and_no_lsoa_is_claimed_twice(council):
    areas = _file(council, "reach-areas")
    assert areas["lsoa_code"].is_unique
    assert set(areas["lsoa_code"]) == set(council.lsoas["lsoa_code"])
    assert areas["centre_id"].nunique() == 12
    neighbours = _neighbours(council.lsoas.geometry.to_numpy())
    position = {code: i for i, code in enumerate(council.lsoas["lsoa_code"])}
    for centre, members in areas.groupby("centre_id")["lsoa_code"]:
        assert _connected({position[code] for code in members}, neighbours), centre


def test_each_centre_stands_in_its_own_reach_area_and_the_hub_has_a_satellite(council):
    centres = _file(council, "centres")
    assert list(centres["centre_id"]) == [f"DEMO{n:02d}" for n in range(1, 13)]
    assert (centres["la_code"] == LA_CODE).all()
    assert centres["postcode"].str.startswith("ZZ").all()
    lsoas = council.lsoas.to_crs("EPSG:4326")
    for centre in centres.itertuples():
        inside = lsoas[lsoas.contains(shapely.Point(centre.lon, centre.lat))]
        assert list(inside["centre_id"]) == [centre.centre_id]
    grouped = centres[centres["group_id"].notna()]
    assert len(grouped) == 2 and grouped["group_id"].nunique() == 1
    assert sorted(grouped["name"]) == ["Brackenfold Central Family Hub", "Canal Street Family Hub"]


def test_deprivation_is_smooth_across_the_map(council):
    lsoas = council.lsoas
    deciles = lsoas["idaci_decile"].to_numpy()
    assert set(deciles) == set(range(1, 11))
    neighbours = _neighbours(lsoas.geometry.to_numpy())
    next_door = np.mean([abs(deciles[i] - deciles[j]) for i in neighbours for j in neighbours[i]])
    anywhere = np.mean(np.abs(deciles[:, None] - deciles[None, :]))
    assert next_door < 0.5 * anywhere


def test_deprivation_file_is_the_iod_long_layout_with_two_editions(council):
    iod = _file(council, "deprivation")
    assert {"lsoa11cd", "index_domain", "decile", "rank", "score", "year"} <= set(iod.columns)
    assert sorted(iod["year"].unique()) == [2015, 2019]
    idaci_2019 = iod[(iod["index_domain"] == "Income Deprivation Affecting Children") & (iod["year"] == 2019)]
    assert len(idaci_2019) == len(council.lsoas)
    assert list(idaci_2019.set_index("lsoa11cd").loc[council.lsoas["lsoa_code"], "decile"]) == \
        list(council.lsoas["idaci_decile"])


def test_population_is_one_ons_wide_file_and_one_long_file_with_quirks(council):
    wide, long = _file(council, "population", 0), _file(council, "population", 1)
    assert set(wide["sex"]) == {"Persons", "Males", "Females"}
    assert {"area_code", "period", "0", "1", "2", "3", "4", "90+"} <= set(wide.columns)
    assert set(wide["period"]) == {"2024-06-30"}
    persons = wide[wide["sex"] == "Persons"].set_index("area_code")
    sexes = wide[wide["sex"] != "Persons"].groupby("area_code")[["0", "1", "2", "3", "4"]].sum()
    pd.testing.assert_frame_equal(persons[["0", "1", "2", "3", "4"]].sort_index(), sexes.sort_index(),
                                  check_names=False)
    assert sorted(long["period"].unique()) == ["2021-06-30", "2022-06-30", "2023-06-30", "2025-06-30"]
    missing = set(council.lsoas.loc[council.lsoas["estimate"] == "missing", "lsoa_code"])
    assert len(missing) == 2
    assert not missing & set(long["lsoa_code"]) and not missing & set(persons.index)
    latest = long[long["period"] == "2025-06-30"]["children_0_4"]
    assert 60 <= latest.median() <= 110
    assert latest.between(35, 170).all()


def test_identifiers_are_clearly_synthetic_and_pass_their_checks(council):
    births = pd.concat([f.frame for f in council.files if f.kind == "births"], ignore_index=True)
    registrations = pd.concat([f.frame for f in council.files if f.kind == "registrations"], ignore_index=True)
    numbers = pd.concat([births["nhs_number"], registrations["nhs_number"]])
    assert numbers.str.fullmatch(r"999\d{7}").all()
    failing = [n for n in numbers.unique() if not is_valid_nhs_number(n)]
    assert len(failing) == 1                  # the one deliberately mistyped
    postcodes = _file(council, "postcodes")
    assert postcodes["pcds"].str.fullmatch(r"ZZ\d{1,2} [1-9][A-Z]{2}").all()
    assert postcodes["pcds"].is_unique
    per_lsoa = postcodes["lsoa21cd"].value_counts()
    assert per_lsoa[council.lsoas["lsoa_code"]].min() == 8
    # A fringe over the border, so families who move away can be placed.
    assert (~postcodes["lsoa21cd"].isin(council.lsoas["lsoa_code"])).sum() == 36


def test_birth_sharing_history_counts_then_quarterly_then_monthly_records(council):
    births = [f for f in council.files if f.kind == "births"]
    quarterly = [f for f in births if "Q" in f.file_name]
    monthly = [f for f in births if "arrivals" in f.file_name]
    assert len(quarterly) == 6 and len(monthly) == 23
    assert quarterly[0].received_on == date(2023, 8, 11)
    assert monthly[-1].received_on <= DEMO_AS_AT
    assert all("lsoa_code" in f.frame and "postcode" not in f.frame for f in quarterly)
    assert all("postcode" in f.frame and "event" in f.frame for f in monthly)
    arrivals = sum(int((f.frame["event"] == "arrival").sum()) for f in monthly)
    assert 0.15 < arrivals / sum(len(f.frame) for f in monthly) < 0.45
    counts = _file(council, "birth-counts")
    assert counts["month"].min() == "2021-10" and counts["month"].max() == "2026-08"
    assert (pd.to_datetime(counts["received_on"]) <= pd.Timestamp(DEMO_AS_AT)).all()
    yearly_per_lsoa = counts["births"].sum() / counts["lsoa_code"].nunique() / (59 / 12)
    assert 14 <= yearly_per_lsoa <= 22


def test_registrations_carry_flags_at_realistic_rates_and_siblings_share_a_family(council):
    registrations = pd.concat([f.frame for f in council.files if f.kind == "registrations"], ignore_index=True)
    children = registrations.drop_duplicates("nhs_number")
    rates = {flag: (children[flag] == "Y").mean() for flag in
             ("lone_parent", "teenage_parent", "workless_household", "disability", "minority_ethnic",
              "father_engaged")}
    assert rates["lone_parent"] == pytest.approx(0.20, abs=0.03)
    assert rates["teenage_parent"] == pytest.approx(0.03, abs=0.015)
    assert rates["workless_household"] == pytest.approx(0.12, abs=0.03)
    assert rates["disability"] == pytest.approx(0.05, abs=0.015)
    assert rates["minority_ethnic"] == pytest.approx(0.15, abs=0.03)
    assert rates["father_engaged"] == pytest.approx(0.25, abs=0.03)
    siblings = children.groupby("family_key").size()
    assert 0.05 < (siblings > 1).mean() < 0.4
    movers = registrations.groupby("nhs_number").size()
    assert (movers > 1).sum() > 500


def test_written_files_read_back_as_generated(council, tmp_path):
    written = write_demo_files(council, tmp_path)
    assert len(written) == len(council.files)
    for demo_file, path in written:
        assert path.name == demo_file.file_name and path.stat().st_size > 0
    boundaries = written[0][1]
    assert boundaries.suffix == ".geojson" and "27700" in boundaries.read_text()[:400]
    registrations = pd.read_csv(written[-2][1], dtype=str, keep_default_na=False)
    assert len(registrations) == len(council.files[-2].frame)


# --- built into a store through the importers -------------------------------------------------------

def _table_digests(db) -> dict[str, str]:
    digests = {}
    with opened(db, read_only=True) as con:
        for table in TABLES:
            columns = [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()
                       if row[0] not in _CLOCK_COLUMNS.get(table, ())]
            rows = con.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
            text = "\n".join(sorted(repr(row) for row in rows))
            digests[table] = hashlib.sha256(text.encode()).hexdigest()
    return digests


def test_two_builds_give_identical_stores(demo_db_template, tmp_path, capsys):
    db = tmp_path / "again.duckdb"
    started = time.perf_counter()
    assert ensure_demo(db) is True
    seconds = time.perf_counter() - started
    with capsys.disabled():
        print(f"\n[demo build took {seconds:.1f} s]")
    assert _table_digests(db) == _table_digests(demo_db_template)
    assert ensure_demo(db) is False


def test_a_store_with_data_is_never_overwritten(demo_db):
    with pytest.raises(FileExistsError, match="already holds data"):
        build_demo(demo_db)


def test_build_fills_every_table_it_should(demo_db_template):
    with opened(demo_db_template, read_only=True) as con:
        count = {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}
        received = [row[0] for row in con.execute(
            "SELECT DISTINCT received_on FROM births ORDER BY 1").fetchall()]
        idaci = con.execute("SELECT count(*) FROM deprivation WHERE edition = 2019").fetchone()[0]
    assert count["lsoas"] == 136 and count["reach_areas"] == 136 and count["centres"] == 12
    assert count["postcodes"] == 136 * 8 + 36
    assert count["population"] == 4 * 134 + 134
    assert idaci == 136
    assert count["birth_counts"] == 136 * 59
    assert count["births"] > 10_000 and count["registrations"] > 20_000 and count["contacts"] > 50_000
    gaps = np.diff(np.array(received, dtype="datetime64[D]")).astype(int)
    assert len(received) == 29
    assert all(80 <= gap <= 100 for gap in gaps[:5])     # quarterly extracts
    assert all(25 <= gap <= 38 for gap in gaps[-22:])    # then monthly


def test_quarantine_shows_the_deliberate_faults(demo_db_template):
    with opened(demo_db_template, read_only=True) as con:
        reasons = [row[0] for row in con.execute(
            "SELECT reason FROM quarantine ORDER BY import_id, row_number").fetchall()]
    assert 4 <= len(reasons) <= 10
    text = " | ".join(reasons).lower()
    for fault in ("check digit", "postcode", "future"):
        assert fault in text, fault


def test_reach_spans_the_bands(demo_db_template, council):
    from reach.queries.report import reach_report

    with opened(demo_db_template, read_only=True) as con:
        report = reach_report(con, as_at=DEMO_AS_AT, by="centre")
        lsoas = reach_report(con, as_at=DEMO_AS_AT, by="lsoa")
    print(report[["centre_id", "children_under5", "known_children", "reach_pct", "band"]].to_string())
    assert len(report) == 12
    assert 50 <= report["reach_pct"].min() <= 70
    assert 90 <= report["reach_pct"].max() <= 100
    bands = report["band"].value_counts()
    assert bands.get("outstanding", 0) >= 1 and bands.get("good", 0) >= 6
    assert bands.get("requires improvement", 0) <= 1
    sustained = report["sustained_contact"].sum() / report["known_children"].sum()
    assert 0.40 <= sustained <= 0.70
    # Over 100% only where the estimate is known to be low (a new estate), and in a few LSOAs of
    # the best centres, where the estimate's own error is as big as the gap to 100%.
    over = lsoas[lsoas["reach_pct"] > 100]
    new_estate = council.lsoas.loc[council.lsoas["estimate"] == "too low", "lsoa_code"].item()
    assert new_estate in set(over["lsoa_code"])
    assert len(over) <= 8
    assert over["reach_pct"].max() < 125
    # The two LSOAs with no estimate fall back to the children seen there, and say so.
    missing = council.lsoas.loc[council.lsoas["estimate"] == "missing", "centre_id"]
    assert set(report.loc[report["denominator_flagged"], "centre_id"]) >= set(missing)


def test_an_interrupted_build_leaves_nothing_behind(tmp_path, monkeypatch):
    import data.demo

    real_import = data.demo.import_file
    calls = []

    def import_then_fail(kind, *args, **kwargs):
        calls.append(kind)
        if kind == "population":
            raise OSError("disk full")
        return real_import(kind, *args, **kwargs)

    monkeypatch.setattr(data.demo, "import_file", import_then_fail)
    with pytest.raises(OSError, match="disk full"):
        build_demo(tmp_path / "reach.duckdb")
    assert calls == ["boundaries", "centres", "reach-areas", "postcodes", "population"]
    assert list(tmp_path.iterdir()) == []
