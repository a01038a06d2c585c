"""The league table, the authority's benchmark and centres serving similar areas, and the
sentences that read them."""

import math

import pandas as pd
import pytest

from reach.domain.comparison import (MEASURES, benchmark, deprived_share, league_for_chart, league_table, measure,
                                     similar_centres)
from reach.domain.stats import wilson_interval
from reach.presentation.comparison_sentences import comparison_sentence, outside_limits_sentence, similar_sentence


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


def test_similar_centres_are_the_closest_by_deprivation():
    similar = similar_centres(centres(), centre_id="C1", count=3)
    assert list(similar["centre_id"]) == ["C1", "C5", "C3", "C2"]       # 30%: 30 (0), 35 (5), 10 (20)
    assert list(similar["is_chosen"]) == [True, False, False, False]
    assert list(similar["difference_pts"]) == [0.0, 0.0, 5.0, 20.0]


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


def test_outside_limits_sentence():
    league = league_table(centres(), benchmark_pct=80.0)
    assert outside_limits_sentence(league) == "Outside the 95% limits: Ash (higher); Birch (lower)."
    calm = league[league["comparison"] == "similar"]
    assert outside_limits_sentence(calm).startswith("Every centre is within the 95% limits")
    assert outside_limits_sentence(league, most_named=1) == \
        "Outside the 95% limits: Ash (higher); and 1 more (see the table)."


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
    assert similar_sentence(similar) == (
        "Ash has 30% of its under-fives in the most deprived areas. The 2 centres closest to that are "
        "Elm, Cedar (30% to 35%). Its reach of 90.0% is higher than 2 of them.")


def test_every_measure_names_real_report_columns():
    for chosen in MEASURES.values():
        assert {chosen.column, chosen.numerator, chosen.denominator} <= set(centres().columns)
