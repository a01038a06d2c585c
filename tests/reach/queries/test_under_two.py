"""The under-two measures of the report (children_under2, known_under2, reach_under2_pct,
families_to_find_under2, under2_estimated), checked against an independent reading of the data
contract on a small store built by hand: a child whose second birthday is the date, a child born
on 29 February, an LSOA whose estimate gives only the under-fives (two fifths, flagged), an LSOA
with no estimate (the children seen are counted, flagged), and an older estimate whose under-twos
must not be used."""

from __future__ import annotations

import csv
import io
import math
from datetime import date
from fractions import Fraction

import pandas as pd
import pytest

from data.store import connect
from reach.domain.measures import UNDER_TWO_COLUMNS, Bands, ReportOptions
from reach.queries.publication import published_figures
from reach.queries.report import reach_reports, reach_trends
from tests.cli.test_commands import reach_cli
from tests.reach.rows import A1, A2, B1, insert_rows

BEFORE, ON = date(2026, 2, 28), date(2026, 3, 1)   # the day before, and the day of, 1 March 2026

# Estimates: A1 gives ages 0-1 in its latest estimate; A2's latest gives only 0-4 (its older one
# gives 0-1, which must not be used); B1 has none.
ESTIMATES = [
    dict(lsoa_code=A1, period=date(2024, 6, 30), children_0_4=90, children_0_1=50),
    dict(lsoa_code=A1, period=date(2025, 6, 30), children_0_4=100, children_0_1=38),
    dict(lsoa_code=A2, period=date(2024, 6, 30), children_0_4=40, children_0_1=20),
    dict(lsoa_code=A2, period=date(2025, 6, 30), children_0_4=37, children_0_1=None),
]
# (child, dob, lsoa, registered on or None); every child is in the births data too, received
# a month after birth.
CHILDREN = [
    ("leap", date(2024, 2, 29), A1, date(2024, 4, 1)),     # two on 1 March 2026
    ("march", date(2024, 3, 1), A1, date(2024, 4, 1)),     # second birthday is 1 March 2026
    ("baby", date(2025, 5, 5), A1, date(2025, 6, 1)),
    ("older", date(2022, 1, 1), A1, date(2022, 2, 1)),     # under five, not under two
    ("late", date(2025, 1, 1), A2, date(2026, 4, 1)),      # registered after both dates
    ("a2baby", date(2025, 6, 1), A2, date(2025, 7, 1)),
    ("b1known", date(2025, 7, 1), B1, date(2025, 8, 1)),
    ("b1unmatched", date(2025, 8, 1), B1, None),
    ("b1older", date(2023, 1, 1), B1, None),
    ("b1leap", date(2024, 2, 29), B1, None),
]


@pytest.fixture
def con(empty_store):
    con = connect(empty_store)
    insert_rows(con, "centres", [dict(centre_id="C1", name="Riverside"), dict(centre_id="C2", name="Hilltop")])
    insert_rows(con, "reach_areas", [dict(lsoa_code=A1, centre_id="C1"), dict(lsoa_code=A2, centre_id="C1"),
                                     dict(lsoa_code=B1, centre_id="C2")])
    insert_rows(con, "population", ESTIMATES)
    insert_rows(con, "births", [dict(child_key=k, dob=dob, lsoa_code=lsoa, received_on=_month_after(dob),
                                     event="birth", import_id=1) for k, dob, lsoa, _ in CHILDREN])
    insert_rows(con, "registrations", [dict(child_key=k, dob=dob, lsoa_code=lsoa, centre_id="C1",
                                            registered_on=on, import_id=2)
                                       for k, dob, lsoa, on in CHILDREN if on is not None])
    yield con
    con.close()


def _month_after(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


# --- the contract, read independently ------------------------------------------------------------

def _under(dob: date, day: date, years: int) -> bool:
    birthday = date(dob.year + years, 3, 1) if (dob.month, dob.day) == (2, 29) else dob.replace(year=dob.year + years)
    return dob <= day < birthday


def _expected(day: date, lsoas: list[str], target: Fraction = Fraction(97, 100)) -> dict:
    latest = {}
    for e in sorted(ESTIMATES, key=lambda e: e["period"]):
        if e["period"] <= day:
            latest[e["lsoa_code"]] = e
    children, estimated = Fraction(0), False
    for lsoa in lsoas:
        if lsoa in latest and latest[lsoa]["children_0_1"] is not None:
            children += latest[lsoa]["children_0_1"]
        elif lsoa in latest:
            children += round(Fraction(2, 5) * latest[lsoa]["children_0_4"])
            estimated = True
        else:   # no estimate: the distinct under-twos seen in births and registrations
            children += sum(1 for _, dob, where, _ in CHILDREN if where == lsoa and _under(dob, day, 2))
            estimated = True
    known = sum(1 for _, dob, where, on in CHILDREN
                if where in lsoas and on is not None and on <= day and _under(dob, day, 2))
    return dict(children_under2=int(children), known_under2=known,
                reach_under2_pct=100 * known / int(children) if children else None,
                families_to_find_under2=max(0, math.ceil(target * children) - known),
                under2_estimated=estimated)


def _row(frame: pd.DataFrame, column: str | None, key) -> dict:
    row = frame.iloc[0] if column is None else frame[frame[column] == key].iloc[0]
    return {c: (None if pd.isna(row[c]) else row[c]) for c in UNDER_TWO_COLUMNS}


@pytest.mark.parametrize("day", [BEFORE, ON])
def test_the_under_two_columns_at_every_level_match_the_contract(con, day):
    reports = reach_reports(con, as_at=day)
    checks = [("lsoa", "lsoa_code", A1, [A1]), ("lsoa", "lsoa_code", A2, [A2]), ("lsoa", "lsoa_code", B1, [B1]),
              ("centre", "centre_id", "C1", [A1, A2]), ("centre", "centre_id", "C2", [B1]),
              ("authority", None, None, [A1, A2, B1])]
    for level, column, key, lsoas in checks:
        got, expected = _row(reports[level], column, key), _expected(day, lsoas)
        assert got["children_under2"] == expected["children_under2"], (level, key)
        assert got["known_under2"] == expected["known_under2"], (level, key)
        assert got["families_to_find_under2"] == expected["families_to_find_under2"], (level, key)
        assert bool(got["under2_estimated"]) == expected["under2_estimated"], (level, key)
        assert got["reach_under2_pct"] == pytest.approx(expected["reach_under2_pct"]), (level, key)


def test_the_numbers_themselves(con):
    # Written out, so a slip in the reading above cannot hide one in the code.
    before = reach_reports(con, as_at=BEFORE)
    on = reach_reports(con, as_at=ON)
    lsoa_before = before["lsoa"].set_index("lsoa_code")
    lsoa_on = on["lsoa"].set_index("lsoa_code")
    # A1: 38 under two (the 2025 estimate, not 2024's 50); known: leap, march, baby the day
    # before; only baby on 1 March (leap turns two on 1 March, march has its second birthday).
    assert (lsoa_before.at[A1, "children_under2"], lsoa_before.at[A1, "known_under2"]) == (38, 3)
    assert (lsoa_on.at[A1, "children_under2"], lsoa_on.at[A1, "known_under2"]) == (38, 1)
    assert lsoa_on.at[A1, "families_to_find_under2"] == 36          # ceil(0.97 x 38) = 37, less 1
    assert not lsoa_on.at[A1, "under2_estimated"]
    # A2: two fifths of 37 is 14.8, so 15, flagged; not 2024's 20.
    assert lsoa_on.at[A2, "children_under2"] == 15 and lsoa_on.at[A2, "under2_estimated"]
    # B1: no estimate: b1known, b1unmatched, and b1leap the day before (two on 1 March).
    assert (lsoa_before.at[B1, "children_under2"], lsoa_on.at[B1, "children_under2"]) == (3, 2)
    assert lsoa_on.at[B1, "under2_estimated"] and lsoa_on.at[B1, "known_under2"] == 1
    centre = on["centre"].set_index("centre_id")
    assert (centre.at["C1", "children_under2"], centre.at["C1", "known_under2"]) == (53, 2)
    assert centre.at["C1", "reach_under2_pct"] == pytest.approx(200 / 53)
    assert bool(on["authority"].iloc[0]["under2_estimated"])


def test_families_to_find_under_two_is_immune_to_float_noise(empty_con):
    # 97% of 100 is 97 exactly: with 97 known, none to find (a naive ceil says 98, so 1).
    insert_rows(empty_con, "centres", [dict(centre_id="C1", name="Riverside")])
    insert_rows(empty_con, "reach_areas", [dict(lsoa_code=A1, centre_id="C1")])
    insert_rows(empty_con, "population", [dict(lsoa_code=A1, period=date(2025, 6, 30), children_0_4=250,
                                               children_0_1=100)])
    insert_rows(empty_con, "registrations", [dict(child_key=f"k{n}", dob=date(2025, 1, 1), lsoa_code=A1,
                                                  centre_id="C1", registered_on=date(2025, 2, 1), import_id=1)
                                             for n in range(97)])
    row = reach_reports(empty_con, as_at=date(2025, 9, 30))["centre"].iloc[0]
    assert (row["children_under2"], row["known_under2"], row["families_to_find_under2"]) == (100, 97, 0)
    lower = ReportOptions(bands=Bands(outstanding=90.0))
    assert reach_reports(empty_con, as_at=date(2025, 9, 30), options=lower)["centre"].iloc[0][
        "families_to_find_under2"] == 0


def test_the_new_columns_come_last_and_the_old_keep_their_places(con):
    reports = reach_reports(con, as_at=ON)
    for frame in reports.values():
        assert list(frame.columns[-len(UNDER_TWO_COLUMNS):]) == list(UNDER_TWO_COLUMNS)
        assert frame.columns.get_loc("denominator_flagged") < frame.columns.get_loc("children_under2")


def test_the_trend_carries_the_under_twos_as_the_report_does(con):
    trend = reach_trends(con, dates=[BEFORE, ON])["centre"]
    for day in (BEFORE, ON):
        report = reach_reports(con, as_at=day)["centre"][["centre_id", *UNDER_TWO_COLUMNS]]
        got = trend[trend["as_at"] == day][["centre_id", *UNDER_TWO_COLUMNS]].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, report.reset_index(drop=True))


def test_publication_hides_small_under_two_counts_and_what_they_make(con):
    figures = published_figures(con, as_at=ON)
    lsoa = figures.tables["lsoa"].set_index("lsoa_code")
    # A1 knows 1 child under two: hidden, and its reach and families to find under two with it.
    assert lsoa.at[A1, "known_under2"] == "c"
    assert lsoa.at[A1, "reach_under2_pct"] == "c" and lsoa.at[A1, "families_to_find_under2"] == "c"
    # B1's 2 children under two (counted, not estimated) are a small count too.
    assert lsoa.at[B1, "children_under2"] == "c"


def test_the_report_command_prints_the_under_two_columns(con, empty_store):
    con.close()
    out = reach_cli("report", "--as-at", ON.isoformat(), "--format", "csv", db=empty_store).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0])[-len(UNDER_TWO_COLUMNS):] == list(UNDER_TWO_COLUMNS)
    c1 = next(r for r in rows if r["centre_id"] == "C1")
    assert (c1["children_under2"], c1["known_under2"], c1["families_to_find_under2"], c1["under2_estimated"]) == \
        ("53", "2", "50", "true")
    table = reach_cli("report", "--as-at", ON.isoformat(), "--format", "table", "--by", "authority",
                      db=empty_store).stdout
    assert "Reach under two %" in table or "reach_under2_pct" in table
