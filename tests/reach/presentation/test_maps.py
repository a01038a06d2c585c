"""The Map and gaps page's pieces: the colour scales, the families-to-find words, the gap table."""

import pandas as pd
import pytest

from reach.domain.measures import Bands
from reach.presentation.maps import (
    MAP_MEASURES,
    colour_scale,
    colour_words,
    families_to_find_words,
    gap_summary,
    gap_table,
)

REACH = MAP_MEASURES["Reach %"]
FAMILIES = MAP_MEASURES["Families to find"]


def test_reach_colours_are_fitted_to_the_figures_shown_with_the_bands_marked():
    # A real authority's spread: reach mostly 55-80%.
    scale = colour_scale(pd.Series([56.2, 61.5, 72.0, 79.4, None]), REACH, Bands())
    assert (scale.low, scale.high) == (55.0, 80.0)
    assert scale.marks == ((65.0, "good"),)       # 51% and 97% are outside the range shown
    words = colour_words(REACH, scale)
    assert "from 55% to 80%" in words
    assert "where the indicative bands begin: good at 65%" in words


def test_the_marks_follow_the_band_thresholds_chosen():
    scale = colour_scale(pd.Series([52.1, 99.0, 116.2]), REACH,
                         Bands(outstanding=95.0, good=70.0, requires_improvement=60.0))
    # Over 100% takes the end colour rather than stretching the scale.
    assert (scale.low, scale.high) == (50.0, 100.0)
    assert scale.marks == ((60.0, "requires improvement"), (70.0, "good"), (95.0, "outstanding"))
    assert "over 100% takes the lightest colour" in colour_words(REACH, scale)


def test_one_figure_still_gets_a_scale_and_counts_start_at_nought():
    assert (colour_scale(pd.Series([80.0]), REACH).low, colour_scale(pd.Series([80.0]), REACH).high) \
        == (75.0, 80.0)
    assert (colour_scale(pd.Series([0.0]), REACH).low, colour_scale(pd.Series([0.0]), REACH).high) \
        == (0.0, 5.0)
    families = colour_scale(pd.Series([3, 41, 7]), FAMILIES)
    assert (families.low, families.high, families.marks) == (0.0, 41.0, ())
    idaci = colour_scale(pd.Series([2, 3]), MAP_MEASURES["IDACI decile"])
    assert (idaci.low, idaci.high) == (1.0, 10.0)


def test_families_to_find_words_give_both_figures_and_why_when_they_differ():
    words = families_to_find_words(area=None, own=1_725, lsoas_total=1_847)
    assert words.startswith("All centres together have 1,725 families to find, as on the Overview.")
    assert "Added up LSOA by LSOA they come to 1,847 (122 more)" in words
    assert "an LSOA ahead of the target cannot make up for one behind it" in words
    same = families_to_find_words(area="Hilltop", own=32, lsoas_total=32)
    assert same == "Hilltop has 32 families to find, as on My centre."


def test_summary_says_counted_lsoa_by_lsoa_and_never_counts_missing_estimates_as_none():
    ranking = pd.DataFrame({
        "lsoa_code": ["E01000011", "E01000012", "E01000013"],
        "lsoa_name": ["North 1A", "North 1B", "North 1C"],
        "families_to_find": [30, 20, 0], "children_under5": [100, 80, 0],
    })
    assert gap_summary(ranking, counted_by_lsoa=True).startswith(
        "1 LSOA holds half or more of the 50 families to find counted LSOA by LSOA: ")
    nothing = ranking.assign(families_to_find=0, children_under5=0)
    assert gap_summary(nothing).startswith("None of the 3 LSOAs shown has an estimate of its under-fives")
    some = ranking.assign(families_to_find=0)
    assert gap_summary(some) == ("No families to find: the 2 LSOAs with an under-five estimate are "
                                 "(1 has no estimate yet) at the target share of under-fives known.")


def test_a_count_of_lsoas_in_the_summary_is_written_with_thousands_separators():
    # England: thousands of LSOAs hold half of the families to find.
    ranking = pd.DataFrame({"lsoa_code": [f"E01{number:06d}" for number in range(2_400)],
                            "families_to_find": 5, "children_under5": 50})
    assert gap_summary(ranking).startswith("1,200 LSOAs (of 2,400) hold half of the 12,000 families to find")


def test_the_gap_table_puts_name_families_to_find_and_reach_first_and_keeps_every_column():
    ranking = pd.DataFrame({
        "lsoa_code": ["E01000011"], "lsoa_name": ["North 1A"], "centre_name": ["Hilltop"],
        "families_to_find": [30], "children_under5": [100], "known_children": [67],
        "reach_pct": [67.0], "unmatched_births": [2], "idaci_decile": [3], "centre_id": ["C1"],
    })
    table = gap_table(ranking)
    assert list(table.columns[:4]) == ["lsoa_name", "families_to_find", "reach_pct", "lsoa_code"]
    assert set(table.columns) == set(ranking.columns)
    unnamed = gap_table(ranking.assign(lsoa_name=None))
    assert list(unnamed.columns[:3]) == ["lsoa_code", "families_to_find", "reach_pct"]


@pytest.mark.parametrize("values", [[], [None]])
def test_reach_with_no_figures_spans_the_whole_range(values):
    scale = colour_scale(pd.Series(values, dtype="float64"), REACH)
    assert (scale.low, scale.high) == (0.0, 100.0)
