"""Outcomes at five against a small case worked out by hand: GLD %, its Wilson interval, the FSM
gap, known early (registered the day before the second birthday, or on it; 29 February), an
LSOA with counts only, the target setting, the command's columns and publication."""

from __future__ import annotations

import io
import math
from contextlib import redirect_stdout
from datetime import date

import pandas as pd
import pytest

from data.store import connect, opened
from reach.queries.outcomes import gld_target, outcome_columns, outcomes, outcomes_for_publication

CONTRACT = ["assessment_year", "centre_id", "assessed", "gld", "gld_pct", "gld_low", "gld_high", "target_pct",
            "fsm_gap_points", "known_early_assessed", "known_early_gld_pct", "other_linked_assessed",
            "other_linked_gld_pct"]


@pytest.fixture
def db(empty_store):
    con = connect(empty_store)
    con.execute("INSERT INTO reach_areas VALUES ('E01000001', 'C1', NULL), ('E01000002', 'C1', NULL), "
                "('E01000003', 'C2', NULL)")
    eyfsp = [  # record_key, child_key, dob, lsoa, year, gld, fsm
        ("a", "a", date(2019, 10, 1), "E01000001", 2025, True, False),
        ("b", "b", date(2019, 10, 1), "E01000001", 2025, False, True),
        ("c", "c", date(2020, 2, 29), "E01000002", 2025, True, False),
        ("d", "d", date(2020, 2, 29), "E01000002", 2025, True, True),
        ("row:e", None, date(2020, 1, 5), "E01000002", 2025, False, None),
        ("f", "f", date(2020, 1, 5), "E01999999", 2025, True, True),     # outside every area
    ]
    con.executemany("INSERT INTO eyfsp VALUES (?, ?, ?, ?, ?, ?, ?, 1)", eyfsp)
    registrations = [("a", date(2021, 9, 30)),    # the day before the second birthday: early
                     ("b", date(2021, 10, 1)),    # on the second birthday: not early
                     ("c", date(2022, 2, 28)),    # born 29 February: two on 1 March, so early
                     ("d", date(2022, 3, 1)),     # on that 1 March: not early
                     ("f", date(2020, 3, 1))]
    for key, on in registrations:
        con.execute("INSERT INTO registrations (child_key, dob, lsoa_code, centre_id, registered_on) "
                    "VALUES (?, DATE '2019-10-01', 'E01000001', 'C1', ?)", [key, on])
    # Counts only for E01000003; a count for E01000001 that its records outrank.
    con.execute("INSERT INTO gld_counts VALUES ('lsoa', 'E01000003', 2025, 10, 6, 4, 1, 2), "
                "('lsoa', 'E01000001', 2025, 50, 50, NULL, NULL, 2)")
    con.close()
    return empty_store


def _wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return 100 * (centre - half), 100 * (centre + half)


def _table(db, **kwargs) -> pd.DataFrame:
    with opened(db, read_only=True) as con:
        return outcomes(con, **kwargs)


def test_by_centre_against_the_hand_count(db):
    table = _table(db, by="centre").set_index("centre_id")
    assert list(_table(db, by="centre").columns) == CONTRACT
    c1 = table.loc["C1"]
    # a, b, c, d and the child without a key; f lives outside every area.
    assert (c1["assessed"], c1["gld"]) == (5, 3)
    assert c1["gld_pct"] == pytest.approx(60.0)
    assert (c1["gld_low"], c1["gld_high"]) == pytest.approx(_wilson(3, 5))
    assert (c1["gld_low"], c1["gld_high"]) == pytest.approx((23.07, 88.24), abs=0.01)   # published tables
    # Not eligible: a, c (2 of 2); eligible: b, d (1 of 2).
    assert c1["fsm_gap_points"] == pytest.approx(100.0 - 50.0)
    # Known early: a (the day before) and c (29 February, before 1 March); b and d are not.
    assert (c1["known_early_assessed"], c1["known_early_gld_pct"]) == (2, pytest.approx(100.0))
    assert (c1["other_linked_assessed"], c1["other_linked_gld_pct"]) == (2, pytest.approx(50.0))
    # C2 has counts only: 6 of 10; eligible 1 of 4, the rest 5 of 6.
    c2 = table.loc["C2"]
    assert (c2["assessed"], c2["gld"], c2["gld_pct"]) == (10, 6, pytest.approx(60.0))
    assert c2["fsm_gap_points"] == pytest.approx(100 * 5 / 6 - 25.0)
    assert (c2["known_early_assessed"], c2["other_linked_assessed"]) == (0, 0)
    assert pd.isna(c2["known_early_gld_pct"]) and pd.isna(c2["other_linked_gld_pct"])


def test_by_lsoa_and_authority(db):
    lsoas = _table(db, by="lsoa")
    assert list(lsoas.columns) == ["assessment_year", "lsoa_code", *CONTRACT[2:]] == outcome_columns("lsoa")
    by_code = lsoas.set_index("lsoa_code")
    assert by_code.loc["E01000001", "assessed"] == 2          # the records, not the count of 50
    assert by_code.loc["E01000003", "assessed"] == 10
    whole = _table(db, by="authority")
    assert list(whole.columns) == ["assessment_year", *CONTRACT[2:]]
    row = whole.iloc[0]
    assert (row["assessed"], row["gld"]) == (15, 9)
    # Eligible: b, d and 4 counted (2 with GLD of 6); not eligible: a, c and 6 counted (7 of 8).
    assert row["fsm_gap_points"] == pytest.approx(100 * 7 / 8 - 100 * 2 / 6)


def test_a_year_with_nobody_assessed_has_no_percentage(db):
    con = connect(db)
    con.execute("INSERT INTO gld_counts VALUES ('lsoa', 'E01000001', 2024, 0, 0, NULL, NULL, 3)")
    con.close()
    table = _table(db, by="centre", year=2024).set_index("centre_id")
    assert table.loc["C1", "assessed"] == 0 and pd.isna(table.loc["C1", "gld_pct"])
    assert pd.isna(table.loc["C1", "gld_low"])
    assert set(table["assessed"]) == {0}


def test_counts_for_a_whole_centre_stand_where_it_has_no_records(db):
    con = connect(db)
    con.execute("INSERT INTO gld_counts VALUES ('centre', 'C2', 2025, 30, 20, NULL, NULL, 3), "
                "('centre', 'C1', 2025, 99, 99, NULL, NULL, 3)")
    con.close()
    table = _table(db, by="centre").set_index("centre_id")
    assert table.loc["C2", "assessed"] == 30       # no records in C2: the centre's count
    assert table.loc["C1", "assessed"] == 5        # C1 has records: its LSOAs


def test_the_target_is_a_setting(db):
    with opened(db, read_only=True) as con:
        assert gld_target(con) == 75.0
    con = connect(db)
    con.execute("INSERT INTO meta VALUES ('gld_target_pct', '70')")
    con.close()
    with opened(db, read_only=True) as con:
        assert gld_target(con) == 70.0
    assert set(_run(db, "--format", "csv")["target_pct"]) == {70.0}
    assert set(_run(db, "--format", "csv", "--target", "72.5")["target_pct"]) == {72.5}


def _run(db, *args) -> pd.DataFrame:
    from cli.main import main

    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["outcomes", "--db", str(db), *args]) == 0
    return pd.read_csv(io.StringIO(out.getvalue()))


def test_the_command_writes_the_contract_columns(db):
    assert list(_run(db, "--format", "csv").columns) == CONTRACT
    assert list(_run(db, "--format", "csv", "--by", "lsoa").columns) == ["assessment_year", "lsoa_code",
                                                                         *CONTRACT[2:]]
    frame = _run(db, "--format", "csv", "--year", "2025", "--by", "authority")
    assert list(frame["assessed"]) == [15]


def test_publication_hides_small_counts_and_what_reveals_them(db):
    with opened(db, read_only=True) as con:
        table = outcomes_for_publication(con, by="centre").set_index("centre_id")
    # C1: 5 assessed, 3 with GLD: both small, and every figure made from them withheld.
    assert table.loc["C1", "assessed"] == "c" and table.loc["C1", "gld"] == "c"
    assert table.loc["C1", "gld_pct"] == "c" and table.loc["C1", "gld_low"] == "c"
    # C2's 10 is not small, but the authority's 15 less it would give C1's 5: hidden as well.
    assert table.loc["C2", "assessed"] == "c" and table.loc["C2", "gld_pct"] == "c"
    assert table.loc["C2", "fsm_gap_points"] == "c"
    with opened(db, read_only=True) as con:
        lsoas = outcomes_for_publication(con, by="lsoa")
    shown = [v for v in lsoas["assessed"].tolist() + lsoas["gld"].tolist() if not isinstance(v, str)]
    assert not [v for v in shown if 1 <= v <= 4]
    published = _run(db, "--format", "csv", "--publish")
    assert list(published.columns) == CONTRACT
