"""The files the import benchmark makes up (bench/bench_import.py) are files Reach takes whole.

The benchmark times an import against a bare load of the same file; were some of its rows
quarantined, or its children fewer than meant, the import would be timed on less work than it
claims. Each writer's file, small, is imported here: every row loaded, none set aside.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from data.importers import import_file
from data.store import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import bench_import  # noqa: E402  (a script's folder, not a package)

ROWS = 3_000


@pytest.mark.parametrize("kind", ["births", "registrations", "contacts"])
def test_each_file_the_benchmark_writes_is_loaded_whole(tmp_path, kind):
    csv, db = tmp_path / f"{kind}.csv", tmp_path / "store.duckdb"
    bench_import.WRITERS[kind](csv, ROWS)
    connect(db).close()
    summary = import_file(kind, csv, db=db)
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (ROWS, ROWS, 0)


def test_the_contacts_file_is_a_year_in_date_order_each_child_three_times(tmp_path):
    csv = tmp_path / "contacts.csv"
    bench_import.write_contacts_csv(csv, ROWS)
    con = duckdb.connect()
    rows = con.execute(f"SELECT * FROM read_csv('{csv}', all_varchar = true)").fetchall()
    assert len(rows) == ROWS
    assert [row[1] for row in rows] == sorted(row[1] for row in rows)
    assert (min(row[1] for row in rows), max(row[1] for row in rows)) == ("2025-04-01", "2026-03-31")
    children = Counter(row[0] for row in rows)
    assert set(children.values()) == {3}
    assert len(children) == ROWS // 3
