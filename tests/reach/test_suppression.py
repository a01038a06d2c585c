"""Disclosure control for publication: small counts, what would reveal them, and percentages."""

import pandas as pd
import pytest

from reach.suppression import SuppressionRule, suppress_for_publication


def _report(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_counts_from_1_to_4_are_replaced_and_0_is_kept():
    frame = _report(known_children=[0, 1, 4, 50, 120], children_under5=[200, 200, 200, 200, 200])
    out = suppress_for_publication(frame)
    # 1 and 4 add up to 5 with the total: each could be 1 to 4, too narrow, so the 50 goes too.
    assert list(out["known_children"]) == [0, "c", "c", "c", 120]


def test_a_count_of_5_is_shown():
    frame = _report(known_children=[5, 120, 200])
    assert list(suppress_for_publication(frame)["known_children"]) == [5, 120, 200]


def test_a_lone_small_count_takes_the_next_smallest_with_it():
    # With only the 3 hidden, the column total would give it away: the 6 goes too.
    frame = _report(unmatched_births=[3, 6, 40, 12])
    out = suppress_for_publication(frame)
    assert list(out["unmatched_births"]) == ["c", "c", 40, 12]


def test_two_small_counts_do_not_protect_each_other_enough():
    # 3 + 2 = 5 from the total: each would be known to be 1 to 4. Hiding the 12 as well leaves
    # each anything from 1 to 16.
    frame = _report(unmatched_births=[3, 2, 40, 12])
    assert list(suppress_for_publication(frame)["unmatched_births"]) == ["c", "c", 40, "c"]


def test_a_single_row_has_no_total_to_protect():
    frame = _report(unmatched_births=[3], known_children=[50])
    out = suppress_for_publication(frame)
    assert list(out["unmatched_births"]) == ["c"] and list(out["known_children"]) == [50]


def test_percentages_go_with_their_counts_and_small_denominators():
    frame = _report(known_children=[3, 8, 60, 70], children_under5=[50, 9, 80, 100],
                    reach_pct=[6.0, 88.9, 75.0, 70.0])
    out = suppress_for_publication(frame)
    # row 0: numerator hidden; row 1: its 8 is the next smallest count after the lone hidden 3,
    # so it goes too (and its denominator is below 10 anyway); rows 2 and 3 stay.
    assert list(out["known_children"]) == ["c", "c", 60, 70]
    assert list(out["reach_pct"]) == ["c", "c", 75.0, 70.0]


def test_a_small_denominator_alone_withholds_the_percentage():
    frame = _report(known_children=[8, 60], children_under5=[9, 80], reach_pct=[88.9, 75.0])
    out = suppress_for_publication(frame)
    assert list(out["known_children"]) == [8, 60]
    assert list(out["reach_pct"]) == ["c", 75.0]


def test_families_to_find_and_band_are_withheld_with_known_children():
    frame = _report(known_children=[2, 2, 90, 95], children_under5=[100, 100, 100, 100],
                    families_to_find=[95, 95, 7, 2], band=["inadequate", "inadequate", "good", "good"])
    out = suppress_for_publication(frame)
    assert list(out["known_children"]) == ["c", "c", "c", 95]
    assert list(out["families_to_find"]) == ["c", "c", "c", 2]
    assert list(out["band"]) == ["c", "c", "c", "good"]


def test_the_rule_can_be_changed():
    rule = SuppressionRule(smallest_shown=8, marker="*")
    frame = _report(births_12m=[7, 5, 8, 30])
    assert list(suppress_for_publication(frame, rule=rule)["births_12m"]) == ["*", "*", 8, 30]


def test_the_original_frame_is_left_as_it_was():
    frame = _report(known_children=[1, 50], children_under5=[20, 60], reach_pct=[5.0, 83.3])
    before = frame.copy()
    suppress_for_publication(frame)
    pd.testing.assert_frame_equal(frame, before)


def test_columns_that_are_not_counts_pass_through():
    frame = _report(centre_name=["Riverside", "Hilltop"], known_children=[1, 50])
    out = suppress_for_publication(frame)
    assert list(out["centre_name"]) == ["Riverside", "Hilltop"]


@pytest.mark.parametrize("value", [1, 2, 3, 4])
def test_hides_is_true_for_each_small_count(value):
    assert SuppressionRule().hides(value)
    assert not SuppressionRule().hides(0) and not SuppressionRule().hides(5)
