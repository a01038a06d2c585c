"""The contactable worklist: the pseudonymised worklist row for row, with the extract's contact
details joined by the keyed hash of the NHS number; the centre's children only."""

from datetime import date

import pandas as pd
import pytest

from data.importers.pseudonymise import is_valid_nhs_number, keyed_hash
from reach.queries.calibration import UnknownCentre
from reach.queries.reidentify import (NOT_IN_EXTRACT, Found, contact_column_names, contactable_worklist,
                                      join_contacts, several_rows_note)
from reach.queries.worklist import WORKLIST_COLUMNS, unmatched_births

from tests.reach.rows import A1, A2, B1, insert_rows, two_centres

KEY = b"a-key-for-these-tests-only-0123456789"
AS_AT = date(2025, 9, 15)


def nhs_numbers(count: int, start: int = 943_476_591) -> list[str]:
    """`count` valid NHS numbers (modulus 11), from a nine-digit start."""
    found = []
    prefix = start
    while len(found) < count:
        for digit in range(10):
            if is_valid_nhs_number(f"{prefix}{digit}"):
                found.append(f"{prefix}{digit}")
        prefix += 1
    return found


NHS = nhs_numbers(5)
CHILD = [keyed_hash(KEY, number) for number in NHS]


@pytest.fixture
def con(empty_con):
    two_centres(empty_con)
    insert_rows(empty_con, "births", [
        dict(child_key=CHILD[0], dob=date(2025, 7, 1), lsoa_code=A1, received_on=date(2025, 8, 1)),
        dict(child_key=CHILD[1], dob=date(2025, 5, 1), lsoa_code=A2, received_on=date(2025, 6, 1)),
        dict(child_key=CHILD[2], dob=date(2025, 3, 1), lsoa_code=A1, received_on=date(2025, 4, 1)),
        dict(child_key=CHILD[3], dob=date(2025, 6, 1), lsoa_code=B1, received_on=date(2025, 7, 1)),   # Hilltop
        dict(child_key=CHILD[4], dob=date(2025, 2, 1), lsoa_code=A1, received_on=date(2025, 3, 1)),   # registered
    ])
    insert_rows(empty_con, "registrations", [dict(child_key=CHILD[4], dob=date(2025, 2, 1), lsoa_code=A1,
                                                  centre_id="C1", registered_on=date(2025, 3, 20))])
    return empty_con


def extract_for(wanted: set[str]) -> Found:
    """The extract, as `find_contacts` gives it: every child but CHILD[2] (never shared in it)."""
    rows = {CHILD[0]: [("Amy Ashworth", "1 Mill Lane", "M32 9AN")],
            CHILD[1]: [("Ben Brook", "2 Canal Street", "M33 1AA")],
            CHILD[3]: [("Cai Cole", "3 Kingsway", "M31 4FL")],
            CHILD[4]: [("Dee Dale", "4 Moor Road", "M41 0AA")]}
    return Found(columns=("name", "address", "postcode"),
                 rows={key: value for key, value in rows.items() if key in wanted})


def test_the_contactable_list_is_the_worklist_row_for_row(con):
    listed = contactable_worklist(con, as_at=AS_AT, centre_id="C1", find_contacts=extract_for)
    worklist = unmatched_births(con, as_at=AS_AT, centre_id="C1")
    pd.testing.assert_frame_equal(listed.frame[list(WORKLIST_COLUMNS)], worklist)
    assert list(listed.frame.columns) == [*WORKLIST_COLUMNS, "name", "address", "postcode", "note"]
    assert list(listed.frame["child_key"]) == [CHILD[0], CHILD[1], CHILD[2]]     # newest first


def test_each_child_gets_its_own_contact_details_and_one_not_in_the_extract_a_note(con):
    listed = contactable_worklist(con, as_at=AS_AT, centre_id="C1", find_contacts=extract_for)
    frame = listed.frame.set_index("child_key")
    assert frame.loc[CHILD[0], ["name", "address", "postcode"]].tolist() == ["Amy Ashworth", "1 Mill Lane", "M32 9AN"]
    assert frame.loc[CHILD[1], "name"] == "Ben Brook" and frame.loc[CHILD[1], "note"] is None
    assert frame.loc[CHILD[2], ["name", "address", "postcode"]].tolist() == [None, None, None]
    assert frame.loc[CHILD[2], "note"] == NOT_IN_EXTRACT
    assert (listed.matched, listed.unmatched) == (2, 1)


def test_only_the_centres_children_are_asked_for_and_listed(con):
    asked: list[set[str]] = []

    def find(wanted):
        asked.append(wanted)
        return extract_for(wanted)

    listed = contactable_worklist(con, as_at=AS_AT, centre_id="C1", find_contacts=find)
    assert asked == [{CHILD[0], CHILD[1], CHILD[2]}]     # not Hilltop's child, nor the registered one
    assert "Cai Cole" not in listed.frame.to_string() and "Dee Dale" not in listed.frame.to_string()
    hilltop = contactable_worklist(con, as_at=AS_AT, centre_id="C2", find_contacts=extract_for)
    assert list(hilltop.frame["name"]) == ["Cai Cole"]


def test_a_centre_without_a_reach_area_is_refused(con):
    with pytest.raises(UnknownCentre, match="No reach area for centre 'C9'"):
        contactable_worklist(con, as_at=AS_AT, centre_id="C9", find_contacts=extract_for)


def test_several_rows_for_a_child_the_last_shown_with_a_note_unless_they_agree():
    worklist = pd.DataFrame({"child_key": ["k1", "k2"]})
    found = Found(columns=("name", "address"),
                  rows={"k1": [("Amy", "1 Mill Lane"), ("Amy", "9 New Road")],
                        "k2": [("Ben", "2 Canal Street"), ("Ben", "2 Canal Street")]})
    listed = join_contacts(worklist, found)
    assert listed.frame.to_dict("records") == [
        {"child_key": "k1", "name": "Amy", "address": "9 New Road", "note": several_rows_note(2)},
        {"child_key": "k2", "name": "Ben", "address": "2 Canal Street", "note": None},
    ]
    assert "2 different rows" in several_rows_note(2)


def test_a_blank_value_of_the_extract_is_a_blank_cell():
    listed = join_contacts(pd.DataFrame({"child_key": ["k1"]}), Found(columns=("name", "phone"),
                                                                    rows={"k1": [("Amy", "")]}))
    assert listed.frame.loc[0, "phone"] is None


def test_the_extracts_columns_never_share_a_name_with_the_worklists():
    names = contact_column_names(["Name", "DOB", "dob", "", "Note", "postcode", "Postcode", "lsoa_code"])
    assert names == ["Name", "DOB (extract)", "dob (extract) 2", "column 4", "Note (extract)", "postcode",
                     "Postcode (extract)", "lsoa_code (extract)"]
    assert len({name.casefold() for name in names} | {c.casefold() for c in (*WORKLIST_COLUMNS, "note")}) \
        == len(names) + len(WORKLIST_COLUMNS) + 1
