"""The reach report against docs/definitions.md, on a small store whose answer is worked by hand.

The store is written row by row with SQL (not through the importers) so that each definition is
tested on its own: who is under five, who is known, where a child who moved is counted, which
population estimate is used, what is unmatched, sustained, newborn, and how late birth data is.
"""

from datetime import date

import pandas as pd
import pytest

from reach.domain.measures import Bands, ReportOptions, families_to_find
from reach.domain.months import month_ends
from reach.queries.report import reach_report, reach_trend
from tests.reach.rows import A1, A2, B1, insert_rows as _insert, two_centres

OUTSIDE = "E01000009"
AS_AT = date(2025, 9, 15)


def reg(child, dob, lsoa, centre, on, family=None):
    return dict(child_key=child, dob=date.fromisoformat(dob), lsoa_code=lsoa, centre_id=centre,
                registered_on=date.fromisoformat(on), family_key=family, import_id=1)


@pytest.fixture
def con(empty_con):
    con = empty_con
    two_centres(con)
    _insert(con, "population", [
        dict(lsoa_code=A1, period=date(2024, 6, 30), children_0_4=10),
        dict(lsoa_code=A1, period=date(2025, 6, 30), children_0_4=12),   # latest on or before AS_AT
        dict(lsoa_code=A2, period=date(2026, 6, 30), children_0_4=8),    # only a later one: flagged
        # B1 has no estimate at all: falls back to the children seen there, flagged
    ])
    _insert(con, "deprivation", [
        dict(lsoa_code=A1, edition=2015, idaci_decile=7),
        dict(lsoa_code=A1, edition=2019, idaci_decile=2),                # latest edition wins
        dict(lsoa_code=A2, edition=2019, idaci_decile=5),
        dict(lsoa_code=B1, edition=2019, idaci_decile=1),
    ])
    _insert(con, "registrations", [
        reg("k1", "2020-09-15", A1, "C1", "2021-01-01"),               # fifth birthday on AS_AT
        reg("k3", "2022-04-01", A1, "C1", "2024-01-01", family="f1"),  # moved to B1 ...
        reg("k3", "2022-04-01", B1, "C2", "2025-01-01", family="f1"),  # ... and is counted there
        reg("k4", "2025-07-20", A2, "C1", "2025-10-01"),               # registered after AS_AT
        reg("k6", "2025-01-10", A1, "C1", "2025-02-01", family="f2"),  # a newborn
        reg("k9", "2023-05-05", A2, "C1", "2023-06-01", family="f2"),  # k6's sibling
        reg("k7", "2022-01-01", OUTSIDE, "C1", "2024-05-01"),          # lives out of area
    ])
    contact = lambda child, on: dict(child_key=child, contact_on=date.fromisoformat(on), centre_id="C1",
                                     activity="stay and play", import_id=1)
    _insert(con, "contacts", [
        contact("k6", "2025-03-01"), contact("k6", "2025-05-01"), contact("k6", "2025-09-15"),
        contact("k3", "2024-09-15"),   # exactly a year before: outside the 12 months
        contact("k3", "2025-02-01"), contact("k3", "2025-06-01"),
        contact("k9", "2025-09-16"),   # after AS_AT
    ])
    birth = lambda child, dob, lsoa, received: dict(
        child_key=child, dob=date.fromisoformat(dob), lsoa_code=lsoa,
        received_on=date.fromisoformat(received), event="birth", import_id=1)
    _insert(con, "births", [
        birth("k4", "2025-07-20", A2, "2025-08-01"),   # unmatched on AS_AT
        birth("k8", "2025-08-10", A2, "2025-10-01"),   # received after AS_AT: not yet on the list
        birth("k6", "2025-01-10", A1, "2025-02-01"),   # registered: matched
    ])
    _insert(con, "birth_counts", [
        dict(area_type="lsoa", area_code=A1, month=date(2025, 1, 1), births=5,
             received_on=date(2025, 2, 20), import_id=1),
    ])
    return con


def _row(frame, key, value):
    rows = frame[frame[key] == value]
    assert len(rows) == 1, f"expected one row for {value}"
    return rows.iloc[0]


def test_centre_row_matches_the_definitions_worked_by_hand(con):
    report = reach_report(con, as_at=AS_AT)
    c1 = _row(report, "centre_id", "C1")
    assert c1["centre_name"] == "Riverside"
    assert c1["children_under5"] == 12 + 8
    assert c1["known_children"] == 2              # k6 and k9 (k1 is five, k3 moved, k4 later)
    assert c1["reach_pct"] == pytest.approx(10.0)
    assert c1["band"] == "inadequate"
    assert c1["families_to_find"] == 20 - 2       # ceil(0.97 x 20) = 20
    assert c1["unmatched_births"] == 1            # k4 (k8 not received yet, k6 registered)
    assert c1["sustained_contact"] == 1           # k6 has three in the 12 months
    assert c1["sustained_pct"] == pytest.approx(5.0)
    assert c1["deprived_under5"] == 12            # A1 is decile 2 in the latest edition
    assert c1["deprived_known"] == 1
    assert c1["deprived_reach_pct"] == pytest.approx(100 / 12)
    # Jan 2025 from the count; Jul and Aug 2025 from records (k4, and k8 whose record came
    # later: the newborn denominator uses every record loaded, see the README)
    assert c1["births_12m"] == 5 + 2
    assert c1["newborns_known_12m"] == 1
    assert c1["newborn_reach_pct"] == pytest.approx(100 / 7)
    assert c1["birth_data_lag_days"] == (AS_AT - date(2025, 8, 1)).days
    assert bool(c1["denominator_flagged"]) is True   # A2 uses a later estimate
    assert c1["known_families"] == 1              # k6 and k9 share family f2


def test_fallback_denominator_and_over_100_are_flagged(con):
    c2 = _row(reach_report(con, as_at=AS_AT), "centre_id", "C2")
    assert c2["children_under5"] == 1             # no estimate: the one child seen there
    assert c2["known_children"] == 1
    assert c2["reach_pct"] == pytest.approx(100.0)
    assert c2["band"] == "outstanding"
    assert bool(c2["denominator_flagged"]) is True
    assert c2["sustained_contact"] == 0           # the contact a year before to the day is outside
    assert pd.isna(c2["birth_data_lag_days"])


def test_report_columns_are_the_definitions(con):
    report = reach_report(con, as_at=AS_AT)
    assert list(report.columns[:18]) == [
        "centre_id", "centre_name", "children_under5", "known_children", "reach_pct", "band",
        "families_to_find", "unmatched_births", "sustained_contact", "sustained_pct",
        "deprived_under5", "deprived_known", "deprived_reach_pct", "births_12m",
        "newborns_known_12m", "newborn_reach_pct", "birth_data_lag_days", "denominator_flagged"]


def test_lsoa_rows_add_up_to_their_centre(con):
    lsoas = reach_report(con, as_at=AS_AT, by="lsoa")
    assert sorted(lsoas["lsoa_code"]) == [A1, A2, B1]
    a2 = _row(lsoas, "lsoa_code", A2)
    assert a2["centre_id"] == "C1"
    assert a2["children_under5"] == 8 and a2["known_children"] == 1 and a2["unmatched_births"] == 1
    assert a2["families_to_find"] == 8 - 1        # ceil(0.97 x 8) = 8
    assert a2["births_12m"] == 2                  # k4's and k8's records
    a1 = _row(lsoas, "lsoa_code", A1)
    assert a1["births_12m"] == 5
    # Siblings k6 (A1) and k9 (A2) are one family in each LSOA, and one for the centre.
    assert a1["known_families"] == 1 and a2["known_families"] == 1
    assert bool(a1["denominator_flagged"]) is False
    assert a1["idaci_decile"] == 2


def test_authority_totals_and_out_of_area(con):
    authority = reach_report(con, as_at=AS_AT, by="authority").iloc[0]
    assert authority["children_under5"] == 21
    assert authority["known_children"] == 3
    assert authority["known_out_of_area"] == 1    # k7
    assert authority["birth_data_lag_days"] == (AS_AT - date(2025, 8, 1)).days


def test_a_child_born_on_29_february_turns_five_on_1_march(con):
    con.execute("INSERT INTO registrations (child_key, dob, lsoa_code, centre_id, registered_on) "
                "VALUES ('leap', DATE '2020-02-29', ?, 'C1', DATE '2020-03-10')", [A1])
    before = _row(reach_report(con, as_at=date(2025, 2, 28)), "centre_id", "C1")
    on_birthday = _row(reach_report(con, as_at=date(2025, 3, 1)), "centre_id", "C1")
    assert before["known_children"] - on_birthday["known_children"] == 1


def test_registration_after_the_date_does_not_count_until_it_happens(con):
    before = _row(reach_report(con, as_at=date(2025, 9, 30)), "centre_id", "C1")
    after = _row(reach_report(con, as_at=date(2025, 10, 1)), "centre_id", "C1")
    assert before["known_children"] == 2 and before["unmatched_births"] == 1
    # k4 is now known; k8's record arrived that day, so k8 is the one unmatched birth
    assert after["known_children"] == 3 and after["unmatched_births"] == 1


def test_child_who_moved_counts_where_they_lived_on_the_date(con):
    # Before the move (registered in A1 on 2024-01-01, moved to B1 on 2025-01-01)
    lsoas = reach_report(con, as_at=date(2024, 6, 30), by="lsoa")
    assert _row(lsoas, "lsoa_code", A1)["known_children"] == 2   # k1 and k3
    assert _row(lsoas, "lsoa_code", B1)["known_children"] == 0


def test_band_thresholds_are_editable(con):
    options = ReportOptions(bands=Bands(outstanding=99, good=9, requires_improvement=5))
    report = reach_report(con, as_at=AS_AT, options=options)
    assert _row(report, "centre_id", "C1")["band"] == "good"
    assert _row(report, "centre_id", "C1")["families_to_find"] == 20 - 2   # ceil(0.99 x 20) = 20


def test_families_to_find_is_not_fooled_by_floating_point():
    assert families_to_find(100, 90) == 7          # 0.97 x 100 is exactly 97
    assert families_to_find(7, 0) == 7             # ceil(6.79)
    assert families_to_find(10, 12) == 0


def test_trend_gives_the_same_figures_as_single_dates(con):
    assert "known_families" not in reach_trend(con, dates=[AS_AT]).columns   # not trended
    dates = month_ends(until=AS_AT, months=4)
    assert dates[-1] == AS_AT and dates[0] == date(2025, 6, 30)
    trend = reach_trend(con, dates=dates)
    for day in dates:
        single = reach_report(con, as_at=day).set_index("centre_id")
        for _, row in trend[trend["as_at"] == day].iterrows():
            assert row["known_children"] == single.loc[row["centre_id"], "known_children"]
            assert row["children_under5"] == single.loc[row["centre_id"], "children_under5"]


def test_an_empty_store_gives_an_authority_row_of_zeros(empty_con):
    authority = reach_report(empty_con, as_at=AS_AT, by="authority")
    assert len(authority) == 1
    assert authority.iloc[0]["children_under5"] == 0 and pd.isna(authority.iloc[0]["reach_pct"])
    assert reach_report(empty_con, as_at=AS_AT).empty
