"""The Best Start page's sentences and tables, from small frames worked out by hand."""

from __future__ import annotations

import math

import pandas as pd

from reach.presentation.best_start_sentences import (far_deprived, far_deprived_sentence, gld_headline,
                                                     gld_sites_sentence, number, outcomes_not_loaded, readable,
                                                     under_two_headline)
from reach.presentation.wording import using


def _wilson(successes: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return 100 * (centre - half), 100 * (centre + half)


def test_the_headline_gives_the_share_its_interval_and_the_gap_to_the_target():
    low, high = _wilson(1581, 2388)
    row = pd.Series({"assessment_year": 2026, "assessed": 2388, "gld": 1581, "gld_pct": 100 * 1581 / 2388,
                     "gld_low": low, "gld_high": high})
    text = gld_headline(row, target_pct=75)
    # 1,581 of 2,388 is 66.21%: 8.8 points below 75%, and Wilson's interval 64.3% to 68.1%.
    assert text.startswith("In the 2025/26 school year, 66.2% of the 2,388 children assessed in the authority "
                           "reached a good level of development (95% interval 64.3% to 68.1%): 8.8 points below "
                           "the 75% target.")
    assert text.endswith("The whole interval is below the target.")


def test_an_interval_that_holds_the_target_says_the_authority_may_be_on_it():
    low, high = _wilson(30, 40)       # 75.0%, 59.8% to 85.8%
    row = pd.Series({"assessment_year": 2025, "assessed": 40, "gld": 30, "gld_pct": 75.0, "gld_low": low,
                     "gld_high": high})
    text = gld_headline(row, target_pct=72.5)
    assert "2.5 points above the 72.5% target" in text and "may be on it" in text


def test_a_hidden_share_is_said_to_be_hidden_never_guessed():
    row = pd.Series({"assessment_year": 2025, "assessed": "c", "gld": "c", "gld_pct": "c", "gld_low": "c",
                     "gld_high": "c"})
    text = gld_headline(row, target_pct=75)
    assert "hidden" in text and "%" not in text.replace("75%", "")


def test_no_results_say_what_to_load():
    assert gld_headline(None, target_pct=75) == outcomes_not_loaded()
    assert "**eyfsp**" in outcomes_not_loaded() and "**gld-counts**" in outcomes_not_loaded()


def test_sites_are_counted_by_where_their_interval_lies():
    sites = pd.DataFrame({"centre_id": list("ABCDE"),
                          "gld_low": [50.0, 76.0, 70.0, "c", 74.0],
                          "gld_high": [74.9, 90.0, 80.0, "c", 75.0]})
    # Below: A (74.9 < 75); above: B (76 > 75); either side: C and E (E's interval ends on the target).
    assert gld_sites_sentence(sites, target_pct=75) == (
        "Of 5 centres, 1 is clearly below the 75% target (the whole interval is below it), 1 clearly above it, "
        "2 could be on either side. 1 has its figure hidden: too few children were assessed to publish.")
    with using("hubs"):
        assert gld_sites_sentence(sites, target_pct=75).startswith("Of 5 hubs,")


def test_under_two_headline_names_the_lowest_site_shown():
    authority = pd.Series({"children_under2": 4790, "known_under2": 4104, "reach_under2_pct": 100 * 4104 / 4790,
                           "under2_estimated": False})
    sites = pd.DataFrame({"centre_id": ["A", "B", "C"], "centre_name": ["Ash", "Birch", "Cedar"],
                          "reach_under2_pct": [80.0, "c", 76.5]})
    with using("hubs"):
        text = under_two_headline(authority, sites)
    assert text == ("The family hubs know 4,104 of the 4,790 children under two in their reach areas: 85.7%. "
                    "The lowest is Cedar, at 76.5%.")


def test_far_deprived_lists_the_deprived_lsoas_furthest_first_without_counts():
    lsoas = pd.DataFrame({
        "lsoa_code": ["E01000001", "E01000002", "E01000003", "E01000004", "E01000005"],
        "centre_id": ["A", "A", "B", "B", "B"],
        "nearest_site": ["A", "B", "B", "B", "A"],
        "nearest_site_name": ["Ash", "Birch", "Birch", "Birch", "Ash"],
        "distance_km": [2.5, 3.1, 0.4, float("nan"), 2.5],
        "children_under5": [100, 50, 70, 20, 30],
        "deprived": [True, False, True, True, True],
    })
    far = far_deprived(lsoas, top=2)
    # Deprived with a distance: 1 (2.5), 3 (0.4), 5 (2.5); furthest first, a tie by the lower code.
    assert list(far["lsoa_code"]) == ["E01000001", "E01000005"]
    assert "children_under5" not in far.columns
    with using("hubs"):
        assert far_deprived_sentence(far) == ("The most deprived LSOA furthest from a hub is E01000001, 2.5 km "
                                              "from Ash. The 2 furthest are listed below.")


def test_readable_keeps_the_marker_and_formats_the_rest():
    frame = pd.DataFrame({"assessed": [1234, "c"], "gld_pct": [66.21, "c"], "fsm_gap_points": [12.34, None],
                          "under2_estimated": [True, False]})
    shown = readable(frame)
    assert shown.to_dict("list") == {"assessed": ["1,234", "c"], "gld_pct": ["66.2%", "c"],
                                     "fsm_gap_points": ["+12.3", "–"], "under2_estimated": ["yes", "no"]}
    assert number("c") is None and number(3) == 3.0
