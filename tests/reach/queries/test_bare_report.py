"""The benchmark's baseline, one hand-written SQL query (bench/bare_report.sql), gives the report.

The report is timed against this query (bench/bench_scale.py), so the comparison is only honest
if the query computes every measure the report gives per centre, exactly. Here it must equal
`reach_report` on the demo authority, on random small stores built to hit the edges (moves, 29
February, several birth records, birth counts, LSOAs with no estimate, a centre with no area),
and a small store worked out by hand.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data.store import connect
from reach.queries.report import reach_report
from tests.reach.queries.test_trend import _random_store
from tests.reach.rows import A1, A2, B1, insert_rows, two_centres

BARE_SQL = (Path(__file__).resolve().parents[3] / "bench" / "bare_report.sql").read_text()


def bare_report(con, as_at: date) -> pd.DataFrame:
    return con.execute(BARE_SQL, {"as_at": as_at}).df()


def assert_bare_is_report(con, as_at: date) -> pd.DataFrame:
    """Every column of the bare query equals the report's column of that name, row by row."""
    bare = bare_report(con, as_at)
    report = reach_report(con, as_at=as_at, by="centre")
    assert list(bare["centre_id"]) == list(report["centre_id"])
    missing = [c for c in report.columns if c not in bare.columns and c != "denominator_note"]
    assert missing == [], "the bare query leaves out measures of the report"
    for column in bare.columns:
        got, expected = bare[column], report[column]
        if expected.dtype.kind == "f" or got.dtype.kind == "f":
            assert np.allclose(got.astype(float), expected.astype(float), rtol=0, atol=1e-9, equal_nan=True), column
        else:
            as_values = [None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in got]
            expected_values = [None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in expected]
            assert as_values == expected_values, column
    return bare


@pytest.mark.parametrize("as_at", [date(2026, 9, 30), date(2025, 2, 28), date(2024, 2, 29)])
def test_the_bare_query_is_the_report_per_centre_on_the_demo(demo_db, as_at):
    con = connect(demo_db, read_only=True)
    try:
        bare = assert_bare_is_report(con, as_at)
        assert len(bare) == 12 and bare["known_children"].sum() > 1000
    finally:
        con.close()


@pytest.mark.parametrize("seed", range(3))
def test_the_bare_query_is_the_report_on_random_stores(empty_con, seed):
    dates = _random_store(empty_con, seed)
    for as_at in [dates[0], date(2024, 2, 29), dates[len(dates) // 2], dates[-1]]:
        assert_bare_is_report(empty_con, as_at)


def test_the_bare_query_and_the_report_on_a_store_worked_out_by_hand(empty_con):
    con = empty_con
    two_centres(con, {A1: 10, A2: 10, B1: 5})
    regs = [
        dict(child_key="k1", dob=date(2024, 1, 1), lsoa_code=A1, centre_id="C1", registered_on=date(2024, 3, 1),
             family_key="f1", import_id=1),
        dict(child_key="k2", dob=date(2023, 5, 1), lsoa_code=A1, centre_id="C1", registered_on=date(2023, 6, 1),
             family_key="f1", import_id=1),
        # k2 moved to Hilltop's area: counted there, not in Riverside's
        dict(child_key="k2", dob=date(2023, 5, 1), lsoa_code=B1, centre_id="C2", registered_on=date(2025, 1, 1),
             family_key="f1", import_id=1),
        # registered after the date: not known yet
        dict(child_key="k3", dob=date(2025, 1, 1), lsoa_code=A2, centre_id="C1", registered_on=date(2025, 9, 1),
             family_key="f3", import_id=1),
        # five years old before the date: not an under-five
        dict(child_key="k4", dob=date(2020, 5, 1), lsoa_code=A2, centre_id="C1", registered_on=date(2020, 6, 1),
             family_key="f4", import_id=1),
    ]
    insert_rows(con, "registrations", regs)
    insert_rows(con, "births", [
        dict(child_key="k3", dob=date(2025, 1, 1), lsoa_code=A2, received_on=date(2025, 2, 1), import_id=2),
        dict(child_key="u1", dob=date(2025, 3, 1), lsoa_code=A2, received_on=date(2025, 4, 1), import_id=2),
    ])
    insert_rows(con, "contacts", [dict(child_key="k1", contact_on=on, centre_id="C1", activity="play", import_id=3)
                                  for on in (date(2024, 9, 1), date(2025, 1, 1), date(2025, 5, 1))])
    bare = assert_bare_is_report(con, date(2025, 6, 30)).set_index("centre_id")
    riverside, hilltop = bare.loc["C1"], bare.loc["C2"]
    # Riverside: k1 known in A1 (k2 has moved, k3 not yet registered, k4 is five); k3 and u1 are
    # unmatched births in A2; k1 has three contacts in the year, so is in sustained contact.
    assert (riverside["children_under5"], riverside["known_children"]) == (20, 1)
    assert (riverside["unmatched_births"], riverside["sustained_contact"]) == (2, 1)
    assert riverside["reach_pct"] == pytest.approx(100 * 1 / 20)
    assert riverside["families_to_find"] == 20 - 1                # 97% of 20 is 19.4, rounded up to 20
    assert riverside["band"] == "inadequate"
    assert riverside["known_families"] == 1
    assert riverside["birth_data_lag_days"] == (date(2025, 6, 30) - date(2025, 4, 1)).days
    assert (hilltop["known_children"], hilltop["children_under5"]) == (1, 5)
    assert hilltop["families_to_find"] == 5 - 1                   # 97% of 5 is 4.85, rounded up to 5
