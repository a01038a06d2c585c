"""Disclosure control for publication: small counts, what would reveal them, and percentages."""

import pandas as pd
import pytest

from reach.domain.suppression import SuppressionRule

from tests.reach.one_table import suppress_for_publication


def _report(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns)


def _hidden(out, column) -> list[int]:
    return [i for i, value in enumerate(out[column]) if value == "c"]


def _range_left(values, hidden, position) -> tuple[int, int]:
    """What the column total and the visible counts leave a hidden count (each at least 1)."""
    rest = sum(values) - sum(v for i, v in enumerate(values) if i not in hidden)
    others = len(hidden) - 1
    return (rest, rest) if others == 0 else (1, rest - others)


def test_counts_from_1_to_4_are_replaced_and_0_is_kept():
    values = [0, 1, 4, 50, 120]
    out = suppress_for_publication(_report(known_children=values, children_under5=[200] * 5))
    hidden = _hidden(out, "known_children")
    assert out["known_children"][0] == 0
    # 1 and 4 add up to 5 with the total: each could be only 1 to 4, so a third count goes too.
    assert {1, 2} < set(hidden) and len(hidden) == 3


def test_a_count_of_5_is_shown():
    frame = _report(known_children=[5, 120, 200])
    assert list(suppress_for_publication(frame)["known_children"]) == [5, 120, 200]


@pytest.mark.parametrize("values", [[3, 6, 40, 12], [3, 2, 40, 12], [1, 1, 1, 90, 7], [4, 0, 9, 9, 9]])
def test_every_hidden_count_is_left_a_range_of_at_least_five_values(values):
    out = suppress_for_publication(_report(unmatched_births=values))
    hidden = _hidden(out, "unmatched_births")
    assert {i for i, v in enumerate(values) if 0 < v < 5} <= set(hidden)
    for position in hidden:
        low, high = _range_left(values, hidden, position)
        assert high - low >= 4


def test_which_count_goes_with_a_small_one_does_not_depend_on_the_counts():
    # Knowing "the next smallest goes too" would bound the second hidden count by every count
    # left showing; the choice is the same whichever visible count is the smallest.
    first = _hidden(suppress_for_publication(_report(unmatched_births=[3, 6, 40, 12])), "unmatched_births")
    second = _hidden(suppress_for_publication(_report(unmatched_births=[3, 40, 6, 12])), "unmatched_births")
    third = _hidden(suppress_for_publication(_report(unmatched_births=[3, 12, 40, 6])), "unmatched_births")
    assert first == second == third and len(first) == 2


def test_a_single_row_has_no_total_to_protect():
    frame = _report(unmatched_births=[3], known_children=[50])
    out = suppress_for_publication(frame)
    assert list(out["unmatched_births"]) == ["c"] and list(out["known_children"]) == [50]


def test_percentages_go_with_their_counts_and_small_denominators():
    frame = _report(known_children=[3, 8, 60, 70], children_under5=[50, 9, 80, 100],
                    reach_pct=[6.0, 88.9, 75.0, 70.0])
    out = suppress_for_publication(frame)
    hidden = _hidden(out, "known_children")
    assert 0 in hidden and len(hidden) == 2
    # A percentage goes wherever its count went, and where the denominator is below 10 (row 1).
    for i, pct in enumerate(out["reach_pct"]):
        assert (pct == "c") == (i in hidden or i == 1)


def test_a_small_denominator_alone_withholds_the_percentage():
    frame = _report(known_children=[8, 60], children_under5=[9, 80], reach_pct=[88.9, 75.0])
    out = suppress_for_publication(frame)
    assert list(out["known_children"]) == [8, 60]
    assert list(out["reach_pct"]) == ["c", 75.0]


def test_families_to_find_and_band_are_withheld_with_known_children():
    frame = _report(known_children=[2, 2, 90, 95], children_under5=[100, 100, 100, 100],
                    families_to_find=[95, 95, 7, 2], band=["inadequate", "inadequate", "good", "good"])
    out = suppress_for_publication(frame)
    hidden = _hidden(out, "known_children")
    assert {0, 1} < set(hidden)
    for column in ("families_to_find", "band"):
        assert _hidden(out, column) == hidden


def test_the_rule_can_be_changed():
    rule = SuppressionRule(smallest_shown=8, marker="*")
    frame = _report(births_12m=[7, 5, 8, 30, 60])
    out = suppress_for_publication(frame, rule=rule)
    assert out["births_12m"][0] == "*" and out["births_12m"][1] == "*"
    assert rule.protection_width == 7


def test_the_original_frame_is_left_as_it_was():
    frame = _report(known_children=[1, 50], children_under5=[20, 60], reach_pct=[5.0, 83.3])
    before = frame.copy()
    suppress_for_publication(frame)
    pd.testing.assert_frame_equal(frame, before)


def test_columns_that_are_not_counts_pass_through():
    frame = _report(centre_name=["Riverside", "Hilltop"], known_children=[1, 50])
    out = suppress_for_publication(frame)
    assert list(out["centre_name"]) == ["Riverside", "Hilltop"]
