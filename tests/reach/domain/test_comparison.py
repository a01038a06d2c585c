"""The league table, the authority's benchmark and centres serving similar areas, and the
sentences that read them."""

import math

import pandas as pd
import pytest

from reach.domain.comparison import (MEASURES, benchmark, deprived_share, flagged, league_for_chart, league_table,
                                     measure, similar_centres)
from reach.domain.stats import wilson_interval
from reach.presentation.comparison_sentences import (comparison_sentence, flagged_sentence, outside_limits_sentence,
                                                     similar_sentence)


def centres() -> pd.DataFrame:
    """Five centres and one with no children yet; the authority's reach is 80%."""
    return pd.DataFrame({
        "centre_id": ["C1", "C2", "C3", "C4", "C5", "C6"],
        "centre_name": ["Ash", "Birch", "Cedar", "Damson", "Elm", "Fir"],
        "children_under5": [1000, 1000, 100, 10, 400, 0],
        "known_children": [900, 700, 85, 9, 320, 0],
        "reach_pct": [90.0, 70.0, 85.0, 90.0, 80.0, math.nan],
        "band": ["good", "good", "good", "good", "good", None],
        "births_12m": [200, 200, 20, 2, 80, 0],
        "newborns_known_12m": [150, 190, 10, 2, 60, 0],
        "newborn_reach_pct": [75.0, 95.0, 50.0, 100.0, 75.0, math.nan],
        "sustained_contact": [300, 200, 30, 3, 100, 0],
        "sustained_pct": [30.0, 20.0, 30.0, 30.0, 25.0, math.nan],
        "deprived_under5": [300, 100, 35, 5, 120, 0],
        "children_under2": [400, 400, 40, 4, 160, 0],
        "known_under2": [360, 300, 30, 4, 120, 0],
        "reach_under2_pct": [90.0, 75.0, 75.0, 100.0, 75.0, math.nan],
        "under2_estimated": [False, False, True, False, False, False],
    })


def authority() -> pd.DataFrame:
    return pd.DataFrame({"reach_pct": [80.0], "newborn_reach_pct": [77.0], "sustained_pct": [25.0]})


def test_the_benchmark_is_the_authoritys_figure():
    assert benchmark(authority()) == 80.0
    assert benchmark(authority(), measure_key="newborn_reach") == 77.0
    with pytest.raises(ValueError, match="one row"):
        benchmark(pd.concat([authority(), authority()]))


def test_an_unknown_measure_names_the_choices():
    with pytest.raises(ValueError, match="reach, newborn_reach, sustained"):
        measure("happiness")


def test_league_table_ranks_and_compares():
    league = league_table(centres(), benchmark_pct=80.0)
    assert list(league["centre_id"]) == ["C1", "C4", "C3", "C5", "C2", "C6"]
    assert list(league["rank"].astype("float")[:5]) == [1, 1, 3, 4, 5]
    assert pd.isna(league["rank"].iloc[5])
    # 90% of 1,000 is beyond the limits; 90% of 10 and 85% of 100 are not; 70% of 1,000 is below
    assert list(league["comparison"]) == ["better", "similar", "similar", "similar", "worse", "no figure"]


def test_league_table_carries_each_wilson_interval():
    league = league_table(centres(), benchmark_pct=80.0).set_index("centre_id")
    expected = wilson_interval(85, 100)
    assert league.loc["C3", "lower_95"] == pytest.approx(expected.lower)
    assert league.loc["C3", "upper_95"] == pytest.approx(expected.upper)
    assert math.isnan(league.loc["C6", "lower_95"])


def test_league_table_on_newborn_reach_uses_births():
    league = league_table(centres(), benchmark_pct=77.0, measure_key="newborn_reach")
    assert list(league.columns[3:6]) == ["newborns_known_12m", "births_12m", "newborn_reach_pct"]
    assert league.iloc[0]["centre_id"] == "C4"        # 2 of 2
    assert league.set_index("centre_id").loc["C2", "comparison"] == "better"   # 95% of 200


def test_deprived_share():
    shares = deprived_share(centres())
    assert list(shares[:5]) == [30.0, 10.0, 35.0, 50.0, 30.0]
    assert math.isnan(shares.iloc[5])


def test_similar_centres_are_the_closest_by_deprivation_within_10_points():
    similar = similar_centres(centres(), centre_id="C1", count=3)
    # 30%: Elm 30 (0), Cedar 35 (5); Birch 10 (20) and Damson 50 (20) are not similar at all
    assert list(similar["centre_id"]) == ["C1", "C5", "C3"]
    assert list(similar["is_chosen"]) == [True, False, False]
    assert list(similar["difference_pts"]) == [0.0, 0.0, 5.0]
    wider = similar_centres(centres(), centre_id="C1", count=3, within_pts=20.0)
    assert list(wider["centre_id"]) == ["C1", "C5", "C3", "C2"]      # Birch before Damson by name
    alone = similar_centres(centres(), centre_id="C4")                  # 50%: the nearest is 35%
    assert list(alone["centre_id"]) == ["C4"]


def test_similar_centres_refuse_an_unknown_or_empty_centre():
    with pytest.raises(ValueError, match="No centre"):
        similar_centres(centres(), centre_id="C9")
    with pytest.raises(ValueError, match="no children under five"):
        similar_centres(centres(), centre_id="C6")


def test_comparison_sentence():
    league = league_table(centres(), benchmark_pct=80.0)
    assert comparison_sentence(league) == (
        "On reach, of 6 centres, 1 is higher than the authority as a whole, 3 similar and 1 lower, "
        "allowing for chance (95% limits). 1 has no figure.")


def _with_flags(flags, notes=None) -> pd.DataFrame:
    return centres().assign(denominator_flagged=flags, denominator_note=notes or [None] * 6)


def test_a_flagged_centre_is_shown_but_neither_ranked_nor_compared():
    notes = ["1 of 12 LSOAs use a fallback population figure", None, None, None, None, None]
    league = league_table(_with_flags([True, False, False, False, False, False], notes), benchmark_pct=80.0)
    # Ash (90% of 1,000) would be first and higher; flagged, it comes after every ranked centre.
    assert list(league["centre_id"]) == ["C4", "C3", "C5", "C2", "C1", "C6"]
    assert list(league["rank"].astype("float")[:4]) == [1, 2, 3, 4]
    assert pd.isna(league["rank"].iloc[4])
    assert list(league["comparison"]) == ["similar", "similar", "similar", "worse", "flagged", "no figure"]
    assert league["estimate_note"].iloc[4] == "1 of 12 LSOAs use a fallback population figure"
    assert league["estimate_note"].iloc[:4].isna().all()
    assert pd.isna(league["limits"].iloc[4]) and pd.isna(league["limits"].iloc[5])
    assert comparison_sentence(league) == (
        "On reach, of 6 centres, 4 are compared: 0 are higher than the authority as a whole, 3 similar and 1 "
        "lower, allowing for chance (95% limits). 1 is not ranked or compared because its population estimate "
        "is flagged. 1 has no figure.")
    assert flagged_sentence(league) == (
        "Not ranked or compared, because the population estimate is flagged: Ash (90.0%: 1 of 12 LSOAs use a "
        "fallback population figure). Their figures are shown in grey and listed last: a difference from the "
        "authority could come from the estimate rather than from the centre's work.")
    assert flagged_sentence(league_table(centres(), benchmark_pct=80.0)) is None


def test_a_figure_over_100_is_flagged_on_any_measure():
    over = centres().assign(known_children=[900, 700, 85, 12, 320, 0],
                            reach_pct=[90.0, 70.0, 85.0, 120.0, 80.0, math.nan],
                            newborns_known_12m=[150, 190, 10, 3, 60, 0],
                            newborn_reach_pct=[75.0, 95.0, 50.0, 150.0, 75.0, math.nan])
    assert list(flagged(over)) == [False, False, False, True, False, False]
    league = league_table(over, benchmark_pct=80.0).set_index("centre_id")
    assert league.loc["C4", "comparison"] == "flagged"
    assert league.loc["C4", "estimate_note"] == "more counted than the population figure: it is too low"
    newborn = league_table(over.assign(denominator_flagged=[True] * 6), benchmark_pct=77.0,
                           measure_key="newborn_reach").set_index("centre_id")
    # The population estimate is not newborn reach's denominator (births are): only the 150% is flagged.
    assert newborn.loc["C4", "comparison"] == "flagged" and newborn.loc["C2", "comparison"] == "better"
    assert (newborn["comparison"] == "flagged").sum() == 1


def test_each_compared_centre_says_which_limits_it_lies_beyond():
    league = league_table(centres(), benchmark_pct=80.0).set_index("centre_id")
    # Ash 90% of 1,000 and Birch 70% of 1,000 are far beyond the 99.8% limits; the rest within 95%.
    assert list(league["limits"][:5]) == ["99.8", "within", "within", "within", "99.8"]
    assert pd.isna(league.loc["C6", "limits"])
    nearly = league_table(centres().assign(known_children=[900, 700, 85, 9, 340, 0],
                                           reach_pct=[90.0, 70.0, 85.0, 90.0, 85.0, math.nan]), benchmark_pct=80.0)
    assert nearly.set_index("centre_id").loc["C5", "limits"] == "95"    # 85% of 400: beyond 95%, not 99.8%


def test_outside_limits_sentence():
    league = league_table(centres(), benchmark_pct=80.0)
    assert outside_limits_sentence(league) == (
        "**Clearly different** (beyond the 99.8% limits, very unlikely to be chance): Ash (higher); Birch (lower). "
        "3 centres are within the 95% limits: no different from the authority, allowing for chance.")
    calm = league[league["comparison"] == "similar"]
    assert outside_limits_sentence(calm) == \
        "Every centre is within the 95% limits: none differs from the authority by more than chance."
    assert outside_limits_sentence(league, most_named=1).startswith(
        "**Clearly different** (beyond the 99.8% limits, very unlikely to be chance): Ash (higher); and 1 more "
        "(see the table).")
    nearly = league_table(centres().assign(known_children=[800, 800, 85, 9, 340, 0],
                                           reach_pct=[80.0, 80.0, 85.0, 90.0, 85.0, math.nan]), benchmark_pct=80.0)
    assert outside_limits_sentence(nearly) == (
        "No centre is beyond the 99.8% limits. **Possibly different** (beyond the 95% limits but within the "
        "99.8%: worth a look, though 1 centre in 20 would be this far out by chance alone): Elm (higher). "
        "4 centres are within the 95% limits: no different from the authority, allowing for chance.")
    flagged_ash = league_table(_with_flags([True, False, False, False, False, False]), benchmark_pct=80.0)
    assert outside_limits_sentence(flagged_ash).endswith(
        "1 centre with a flagged population estimate is not placed against the limits.")
    only_flagged = flagged_ash[flagged_ash["comparison"] == "flagged"]
    assert outside_limits_sentence(only_flagged) == (
        "No centre can be placed against the limits yet. 1 centre with a flagged population estimate is not "
        "placed against the limits.")


def _many_centres(n: int) -> pd.DataFrame:
    known = [500 + (i * 37) % 400 for i in range(n)]
    return pd.DataFrame({
        "centre_id": [f"C{i:04d}" for i in range(n)], "centre_name": [f"Centre {i}" for i in range(n)],
        "children_under5": [1000] * n, "known_children": known, "reach_pct": [k / 10 for k in known],
        "band": ["good"] * n,
    })


def test_a_league_of_many_centres_draws_the_highest_the_lowest_and_the_chosen():
    league = league_table(_many_centres(900), benchmark_pct=70.0)
    drawn, note = league_for_chart(league, limit=40, include="C0450")
    ranks = list(drawn["rank"])
    assert ranks[:20] == list(league["rank"][:20]) and ranks[-20:] == list(league["rank"][-20:])
    assert "C0450" in set(drawn["centre_id"]) and len(drawn) == 41
    assert note == ("The chart shows the 20 highest and the 20 lowest of 900 centres and the chosen "
                    "centre; the table below lists them all.")


def test_a_small_league_is_drawn_whole():
    league = league_table(centres(), benchmark_pct=80.0)
    drawn, note = league_for_chart(league)
    assert len(drawn) == len(league) and note is None


def test_similar_sentence():
    similar = similar_centres(centres(), centre_id="C1", count=2)
    assert similar_sentence(similar, wanted=2) == (
        "2 centres serve areas like Ash's, with a share of under-fives in the most deprived areas within 10 "
        "points of its 30%: Elm, Cedar (30% to 35%). Its reach of 90.0% is higher than 2 of them.")
    assert similar_sentence(similar).startswith("Only 2 centres serve areas like Ash's")     # fewer than 4


def test_similar_sentence_with_one_none_or_a_flagged_centre():
    one = similar_centres(centres(), centre_id="C2")                 # 10%: only Ash at 30% is 20 away
    assert list(one["centre_id"]) == ["C2"]
    assert similar_sentence(one) == (
        "No other centre serves areas like Birch's: none has a share of under-fives in the most deprived areas "
        "within 10 points of its 10%, so there is no fair set to compare it with here. The league table and "
        "the funnel plot compare it with the authority as a whole.")
    pair = similar_centres(centres(), centre_id="C3", count=1)        # 35%: Ash and Elm at 30%, Ash first
    assert similar_sentence(pair) == (
        "Only 1 centre serves areas like Cedar's, with a share of under-fives in the most deprived areas within "
        "10 points of its 35%: Ash (30%). Its reach of 85.0% is lower than Ash's 90.0%.")
    doubtful = similar_centres(_with_flags([True, False, False, False, False, False]), centre_id="C3")
    assert list(doubtful["denominator_flagged"]) == [False, True, False]
    assert similar_sentence(doubtful).endswith(
        "Ash, Elm (30%). Its reach of 85.0% is higher than Elm's 80.0%. Ash: population estimate flagged, so not "
        "counted in that.")
    own = similar_centres(_with_flags([True, False, False, False, False, False]), centre_id="C1")
    assert similar_sentence(own).endswith(
        "Its reach of 90.0% rests on a flagged population estimate, so it is not set against theirs.")


def test_every_measure_names_real_report_columns():
    for chosen in MEASURES.values():
        assert {chosen.column, chosen.numerator, chosen.denominator} <= set(centres().columns)


def test_a_flagged_estimate_does_not_cast_doubt_on_newborn_reach():
    own = similar_centres(_with_flags([True, False, False, False, False, False]), centre_id="C1")
    sentence = similar_sentence(own, measure_key="newborn_reach")
    assert "flagged" not in sentence
    assert sentence.endswith("Its newborn reach of 75.0% is higher than 1 of them.")   # Elm 75%, Cedar 50%
