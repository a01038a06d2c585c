"""Target groups: reach in the most deprived areas, and each registration flag as a share of the
known children, on a small store worked by hand."""

from datetime import date

import pandas as pd
import pytest

from data.schema import REGISTRATION_FLAGS
from data.store import opened
from reach.domain.measures import ReportOptions
from reach.queries.report import reach_report
from reach.queries.target_groups import DEPRIVED, TARGET_GROUP_COLUMNS, target_groups, with_all_centres

from tests.reach.rows import A1, A2, B1, insert_rows, two_centres

AS_AT = date(2025, 9, 15)


def registration(child, lsoa, centre, on, dob="2023-01-01", **flags):
    row = dict(child_key=child, dob=date.fromisoformat(dob), lsoa_code=lsoa, centre_id=centre,
               registered_on=date.fromisoformat(on), import_id=1)
    row.update({flag: flags.get(flag, False) for flag in REGISTRATION_FLAGS})
    return row


@pytest.fixture
def con(empty_con):
    con = empty_con
    two_centres(con, {A1: 20, A2: 30, B1: 10})
    # A1 and B1 are among the 30% most deprived; A2 is not.
    con.executemany("INSERT INTO deprivation (lsoa_code, edition, idaci_decile) VALUES (?, 2019, ?)",
                    [(A1, 2), (A2, 6), (B1, 3)])
    rows = [
        registration("a", A1, "C1", "2024-01-01", lone_parent=True, father_engaged=True),
        registration("b", A1, "C1", "2024-02-01", lone_parent=True),
        registration("c", A2, "C1", "2024-03-01", teenage_parent=True),
        registration("d", A2, "C1", "2024-04-01"),
        # e was a lone parent at first; the latest registration (no flag) is the one that counts
        registration("e", A2, "C1", "2024-05-01", lone_parent=True),
        registration("e", A2, "C1", "2025-05-01"),
        registration("f", B1, "C2", "2024-06-01", workless_household=True),
        registration("g", A1, "C1", "2025-10-01", lone_parent=True),          # after the date
        registration("h", A1, "C1", "2021-01-01", dob="2020-01-01", lone_parent=True),  # five by the date
    ]
    insert_rows(con, "registrations", rows)
    # a: three contacts in the year (sustained); b: two; f: three
    contacts = [("a", "2025-01-01"), ("a", "2025-03-01"), ("a", "2025-09-15"), ("b", "2025-02-01"),
                ("b", "2025-03-01"), ("f", "2025-01-01"), ("f", "2025-02-01"), ("f", "2025-03-01")]
    con.executemany("INSERT INTO contacts (child_key, contact_on) VALUES (?, ?)",
                    [(child, date.fromisoformat(on)) for child, on in contacts])
    return con


def _group(frame, group):
    return frame.set_index("group").loc[group]


def test_one_row_per_group_in_order(con):
    groups = target_groups(con, as_at=AS_AT, centre_id="C1")
    assert list(groups.columns) == list(TARGET_GROUP_COLUMNS)
    assert list(groups["group"]) == [DEPRIVED, *REGISTRATION_FLAGS]
    assert groups.iloc[0]["group_name"] == "Families in the most deprived areas"


def test_the_most_deprived_areas_use_the_population(con):
    deprived = _group(target_groups(con, as_at=AS_AT, centre_id="C1"), DEPRIVED)
    assert deprived["children_under5"] == 20          # A1 only
    assert deprived["known_children"] == 2            # a and b (g registers later, h is five)
    assert deprived["reach_pct"] == pytest.approx(10.0)
    assert deprived["share_of_known_pct"] == pytest.approx(100 * 2 / 5)   # of a, b, c, d, e
    assert deprived["sustained_contact"] == 1         # a
    assert deprived["sustained_pct"] == pytest.approx(5.0)


def test_flags_are_a_share_of_the_known_children(con):
    groups = target_groups(con, as_at=AS_AT, centre_id="C1")
    lone = _group(groups, "lone_parent")
    assert lone["known_children"] == 2                # a and b; e's latest registration has no flag
    assert lone["share_of_known_pct"] == pytest.approx(40.0)
    assert lone["sustained_contact"] == 1
    assert pd.isna(lone["children_under5"]) and pd.isna(lone["reach_pct"]) and pd.isna(lone["sustained_pct"])
    assert _group(groups, "teenage_parent")["known_children"] == 1
    assert _group(groups, "father_engaged")["share_of_known_pct"] == pytest.approx(20.0)
    assert _group(groups, "workless_household")["known_children"] == 0


def test_the_whole_authority(con):
    groups = target_groups(con, as_at=AS_AT)
    deprived = _group(groups, DEPRIVED)
    assert deprived["children_under5"] == 30 and deprived["known_children"] == 3    # A1 and B1
    assert _group(groups, "workless_household")["share_of_known_pct"] == pytest.approx(100 / 6)
    assert _group(groups, "lone_parent")["share_of_known_pct"] == pytest.approx(100 * 2 / 6)


def test_the_sustained_threshold_is_an_option(con):
    groups = target_groups(con, as_at=AS_AT, centre_id="C1", options=ReportOptions(sustained_contacts=2))
    assert _group(groups, "lone_parent")["sustained_contact"] == 2       # a and b


def test_known_children_match_the_report(con):
    report = reach_report(con, as_at=AS_AT).set_index("centre_id")
    for centre_id in ("C1", "C2"):
        groups = target_groups(con, as_at=AS_AT, centre_id=centre_id)
        deprived = _group(groups, DEPRIVED)
        assert deprived["known_children"] == report.loc[centre_id, "deprived_known"]
        assert deprived["children_under5"] == report.loc[centre_id, "deprived_under5"]


def test_with_all_centres_puts_the_authority_beside_the_centre(con):
    centre = target_groups(con, as_at=AS_AT, centre_id="C1")
    everyone = target_groups(con, as_at=AS_AT)
    both = with_all_centres(centre, everyone)
    assert _group(both, DEPRIVED)["all_centres_reach_pct"] == pytest.approx(10.0)
    assert _group(both, "workless_household")["all_centres_share_of_known_pct"] == pytest.approx(100 / 6)


def test_flag_shares_rest_on_the_reports_known_children_on_the_demo(demo_db):
    from data.demo import DEMO_AS_AT

    with opened(demo_db, read_only=True) as demo:
        report = reach_report(demo, as_at=DEMO_AS_AT)
        groups = target_groups(demo, as_at=DEMO_AS_AT)
        centre_id = report["centre_id"].iloc[0]
        one = target_groups(demo, as_at=DEMO_AS_AT, centre_id=centre_id)
    # share x known / 100 gives back a whole number of children only if the known count is the report's
    known = int(report["known_children"].sum())
    for _, row in groups.iloc[1:].iterrows():
        assert row["share_of_known_pct"] * known / 100 == pytest.approx(row["known_children"])
    assert _group(groups, DEPRIVED)["known_children"] == report["deprived_known"].sum()
    mine = report.set_index("centre_id").loc[centre_id]
    for _, row in one.iloc[1:].iterrows():
        assert row["share_of_known_pct"] * mine["known_children"] / 100 == pytest.approx(row["known_children"])
