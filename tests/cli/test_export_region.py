"""The regional path: each authority exports its figures for publication as Parquet, and a region
reads every authority's files together with DuckDB. The region's totals are the sums of each
authority's own published report (`report --publish`), and no count from 1 to 4 reaches it."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date

import duckdb
import pytest

from cli.main import main

AS_AT = date(2026, 9, 30)
# Three authorities: the demo as it is (named by its centres' code), and two copies under other
# codes and names, with fewer children known (and fewer contacts) so that their figures differ.
AUTHORITIES = {
    "E06999001": None,
    "E06999002": ("Northmoor", "DELETE FROM registrations WHERE substr(child_key, 1, 1) IN ('0', '1', '2', '3')"),
    "E06999003": ("Eastwold", "DELETE FROM contacts WHERE substr(child_key, 1, 1) IN ('a', 'b', 'c', 'd', 'e', 'f')"),
}
# The counts of children and families in the report's tables (the publication rule hides 1 to 4
# among them; families to find is a target worked out from them, not a count, and may be small).
COUNTS = ("children_under5", "known_children", "unmatched_births", "sustained_contact", "deprived_under5",
          "deprived_known", "births_12m", "newborns_known_12m", "known_families", "known_out_of_area",
          "children_under2", "known_under2")
TOTALS = ("children_under5", "known_children", "unmatched_births", "sustained_contact", "families_to_find",
          "known_under2", "children_under2")


def published_report(db, by: str, capsys) -> list[dict[str, str]]:
    capsys.readouterr()
    assert main(["report", "--as-at", AS_AT.isoformat(), "--by", by, "--publish", "--format", "csv",
                 "--db", str(db)]) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


def shown(value: str) -> int:
    """A published count as a number: a withheld one ("c") adds nothing."""
    return 0 if value in ("c", "") else int(value)


@pytest.fixture(scope="module")
def region(demo_db_template, tmp_path_factory):
    """Three authorities' stores, each exported for publication as Parquet into a folder of its
    own under one root; returns the root and each store."""
    import os

    previous = os.environ.get("REACH_SECRET")
    os.environ["REACH_SECRET"] = "test-secret-not-for-real-data-0123456789"
    root = tmp_path_factory.mktemp("region")
    stores = {}
    try:
        for code, change in AUTHORITIES.items():
            db = root.parent / f"{root.name}_{code}.duckdb"
            shutil.copy(demo_db_template, db)
            con = duckdb.connect(str(db))
            con.execute("UPDATE centres SET la_code = ?", [code])
            if change is not None:
                con.execute(change[1])
            con.close()
            name = ["--authority", change[0]] if change is not None else []
            assert main(["export", "--as-at", AS_AT.isoformat(), "--format", "parquet", "--publication",
                         "--db", str(db), "--out", str(root / code), *name]) == 0
            stores[code] = db
    finally:
        if previous is None:
            os.environ.pop("REACH_SECRET", None)
        else:
            os.environ["REACH_SECRET"] = previous
    return root, stores


def test_the_region_reads_every_authority_and_its_totals_are_theirs(region, capsys):
    root, stores = region
    centres = duckdb.sql(f"SELECT * FROM read_parquet('{root}/*/centres.parquet', union_by_name=true)").df()
    assert sorted(centres["authority"].unique()) == ["E06999001", "Eastwold", "Northmoor"]
    assert sorted(centres["authority_code"].unique()) == sorted(AUTHORITIES)
    assert set(centres["as_at"].astype(str)) == {"2026-09-30"}

    sums = ", ".join(f"sum({c}) AS {c}" for c in TOTALS)
    region_centres = duckdb.sql(f"SELECT {sums} FROM read_parquet('{root}/*/centres.parquet', "
                                f"union_by_name=true)").fetchall()[0]
    region_authorities = duckdb.sql(f"SELECT {sums}, count(*) AS authorities FROM read_parquet("
                                    f"'{root}/*/authority.parquet', union_by_name=true)").fetchall()[0]
    expected_centres = dict.fromkeys(TOTALS, 0)
    expected_authorities = dict.fromkeys(TOTALS, 0)
    for db in stores.values():
        for row in published_report(db, "centre", capsys):
            for column in TOTALS:
                expected_centres[column] += shown(row[column])
        (own,) = published_report(db, "authority", capsys)
        for column in TOTALS:
            expected_authorities[column] += shown(own[column])
    assert dict(zip(TOTALS, region_centres)) == expected_centres
    assert dict(zip(TOTALS, region_authorities[:-1])) == expected_authorities
    assert region_authorities[-1] == 3
    # the copies really differ: fewer known children where registrations were taken away
    known = dict(duckdb.sql(f"SELECT authority, known_children FROM read_parquet('{root}/*/authority.parquet')")
                 .fetchall())
    assert known["Northmoor"] < known["E06999001"] == known["Eastwold"]


def test_no_count_from_1_to_4_reaches_the_region_and_withheld_figures_are_named(region):
    root, _ = region
    checked = 0
    for table in ("authority", "centres", "lsoas", "target_groups", "trend"):
        source = f"read_parquet('{root}/*/{table}.parquet', union_by_name=true)"
        columns = [row[0] for row in duckdb.sql(f"DESCRIBE SELECT * FROM {source}").fetchall()]
        for column in [c for c in COUNTS if c in columns]:
            small = duckdb.sql(f"SELECT count(*) FROM {source} WHERE {column} BETWEEN 1 AND 4").fetchall()[0][0]
            assert small == 0, (table, column)
            checked += 1
    assert checked >= 20
    # a withheld figure is empty, and its row's `withheld` column names it
    lsoas = duckdb.sql(f"SELECT authority, unmatched_births, withheld FROM read_parquet("
                       f"'{root}/*/lsoas.parquet', union_by_name=true)").df()
    hidden = lsoas[lsoas["withheld"].fillna("").str.contains("unmatched_births")]
    assert len(hidden) > 0 and hidden["unmatched_births"].isna().all()
    assert {"E06999001", "Eastwold"} <= set(hidden["authority"])
    assert lsoas.loc[lsoas["withheld"].isna(), "unmatched_births"].notna().all()


def test_every_authority_writes_the_same_files_with_the_same_types(region):
    root, _ = region
    folders = sorted(p for p in root.iterdir() if p.is_dir())
    names = {folder.name: sorted(p.name for p in folder.iterdir()) for folder in folders}
    assert len(names) == 3 and len({tuple(v) for v in names.values()}) == 1
    assert names["E06999001"] == ["authority.parquet", "centres.parquet", "definitions.parquet",
                                  "imports.parquet", "key_figures.parquet", "lsoas.parquet",
                                  "provenance.parquet", "target_groups.parquet", "timeliness.parquet",
                                  "trend.parquet"]
    for file in names["E06999001"]:
        schemas = {tuple(duckdb.sql(f"DESCRIBE SELECT * FROM '{folder / file}'").fetchall()) for folder in folders}
        assert len(schemas) == 1, file
        (schema,) = schemas
        assert [row[0] for row in schema][:3] == ["authority", "authority_code", "as_at"], file
        types = {row[0]: row[1] for row in schema}
        assert types["as_at"] == "DATE"
        for column in COUNTS:
            assert types.get(column, "BIGINT") == "BIGINT", (file, column)


def test_the_authority_must_be_known(demo_db, tmp_path, capsys):
    con = duckdb.connect(str(demo_db))
    con.execute("UPDATE centres SET la_code = NULL")
    con.close()
    status = main(["export", "--as-at", AS_AT.isoformat(), "--format", "parquet", "--publication",
                   "--db", str(demo_db), "--out", str(tmp_path / "x")])
    assert status == 2
    err = capsys.readouterr().err
    assert "la_code" in err and "--authority" in err
    assert not (tmp_path / "x").exists()
    status = main(["export", "--as-at", AS_AT.isoformat(), "--format", "csv", "--authority", "Northmoor",
                   "--db", str(demo_db), "--out", str(tmp_path / "y.zip")])
    assert status == 2
    assert "--format parquet" in capsys.readouterr().err
    assert not (tmp_path / "y.zip").exists()


def test_working_figures_in_parquet_say_a_region_is_sent_the_publication(demo_db, tmp_path, capsys):
    status = main(["export", "--as-at", AS_AT.isoformat(), "--format", "parquet", "--db", str(demo_db),
                   "--out", str(tmp_path / "working")])
    assert status == 0
    out = capsys.readouterr().out
    assert "working figures" in out and "--publication" in out
    # working figures withhold nothing (the `withheld` column is there, and empty) and show small counts
    lsoas = duckdb.sql(f"SELECT count(*), count(withheld), count(*) FILTER (unmatched_births BETWEEN 1 AND 4) "
                       f"FROM '{tmp_path / 'working' / 'lsoas.parquet'}'").fetchall()[0]
    assert lsoas[0] == 136 and lsoas[1] == 0 and lsoas[2] > 0
