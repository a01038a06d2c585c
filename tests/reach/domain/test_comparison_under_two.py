"""Reach under two as a measure to compare centres by: an estimated number of children under two
(two fifths of the under-fives, or counted from births and registrations) is shown, not ranked."""

from __future__ import annotations

from reach.domain.comparison import MEASURES, benchmark, flagged, league_table
from tests.reach.domain.test_comparison import authority, centres


def test_reach_under_two_is_a_measure_over_the_children_under_two():
    chosen = MEASURES["reach_under2"]
    assert (chosen.column, chosen.numerator, chosen.denominator) == ("reach_under2_pct", "known_under2",
                                                                    "children_under2")
    assert chosen.name == "Reach under two"


def test_an_estimated_under_two_figure_is_not_compared():
    frame = centres()
    assert list(flagged(frame, measure_key="reach_under2")) == [False, False, True, False, False, False]
    whole = authority().assign(reach_under2_pct=[81.0])
    league = league_table(frame, benchmark_pct=benchmark(whole, measure_key="reach_under2"),
                          measure_key="reach_under2").set_index("centre_id")
    assert league.at["C3", "comparison"] == "flagged"
    assert "two fifths of the under-fives" in league.at["C3", "estimate_note"]
    assert league.at["C1", "comparison"] == "better"        # 360 of 400 against 81%
