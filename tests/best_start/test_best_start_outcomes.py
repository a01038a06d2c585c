"""The outcomes part of the Best Start page in words and charts: results at five over the years,
the gap for free school meals, and the children known early, from small frames worked out by hand."""

from __future__ import annotations

import math
from xml.etree import ElementTree

import pandas as pd

from reach.presentation.best_start_sentences import (ASSOCIATION, fsm_gap_sentence, fsm_gap_sites_sentence,
                                                     gld_trend, gld_trend_sentence, known_early,
                                                     known_early_sentence, readable, school_year,
                                                     with_school_year)
from reach.presentation.svg_figures import gld_trend_chart
from reach.presentation.wording import using

from tests.views.figure_data import marks, svg_text


def _wilson(successes: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return 100 * (centre - half), 100 * (centre + half)


def _year(year: int, gld: int, assessed: int, **extra) -> dict:
    low, high = _wilson(gld, assessed)
    return {"assessment_year": year, "assessed": assessed, "gld": gld, "gld_pct": 100 * gld / assessed,
            "gld_low": low, "gld_high": high, "target_pct": 75.0, **extra}


def _authority(**extra) -> pd.Series:
    base = {"assessment_year": 2025, "assessed": 500, "gld": 340, "gld_pct": 68.0, "fsm_gap_points": 20.3,
            "known_early_assessed": 40, "known_early_gld_pct": 75.0,
            "other_linked_assessed": 90, "other_linked_gld_pct": 50.0}
    return pd.Series({**base, **extra})


def test_school_years_are_written_as_people_write_them():
    assert school_year(2025) == "2024/25" and school_year(2000) == "1999/00"
    frame = pd.DataFrame({"assessment_year": [2025, 2026], "gld_pct": [66.0, 67.0]})
    assert with_school_year(frame).to_dict("list") == {"school_year": ["2024/25", "2025/26"],
                                                       "gld_pct": [66.0, 67.0]}


def test_the_trend_says_where_it_started_where_it_is_and_whether_it_could_be_chance():
    # 1,590 of 2,390 (66.53%) in 2022/23; 1,652 of 2,430 (67.98%) in 2024/25; 1,581 of 2,388 (66.21%).
    whole = pd.DataFrame([_year(2026, 1581, 2388), _year(2023, 1590, 2390), _year(2025, 1652, 2430)])
    trend = gld_trend(whole)
    assert list(trend["assessment_year"]) == [2023, 2025, 2026]
    text = gld_trend_sentence(trend, target_pct=75)
    assert text == ("Down from 66.5% in 2022/23 to 66.2% in 2025/26 (0.3 points). The two years' 95% intervals "
                    "overlap, so the change could be chance. The highest was 68.0%, in 2024/25. No year reached "
                    "the 75% target.")


def test_a_rise_whose_intervals_part_is_unlikely_to_be_chance():
    # 600 of 1,000 (60.0%, Wilson 56.9% to 63.0%) to 700 of 1,000 (70.0%, 67.1% to 72.8%).
    trend = gld_trend(pd.DataFrame([_year(2024, 600, 1000), _year(2025, 700, 1000)]))
    text = gld_trend_sentence(trend, target_pct=65)
    assert text.startswith("Up from 60.0% in 2023/24 to 70.0% in 2024/25 (10.0 points). The two years' 95% "
                           "intervals do not overlap")
    assert text.endswith("The 65% target was reached in 2024/25.")


def test_a_hidden_year_is_left_out_of_the_trend_never_guessed():
    hidden = {"assessment_year": 2024, "assessed": "c", "gld": "c", "gld_pct": "c", "gld_low": "c",
              "gld_high": "c", "target_pct": 75.0}
    trend = gld_trend(pd.DataFrame([hidden, _year(2025, 30, 40)]))
    low, high = _wilson(30, 40)
    assert gld_trend_sentence(trend, target_pct=75) == (
        f"Only 2024/25 can be shown so far: 75.0% (95% interval {low:.1f}% to {high:.1f}%).")


def test_the_trend_chart_shows_each_year_its_interval_and_the_target():
    whole = pd.DataFrame([_year(2026, 1581, 2388), _year(2023, 1590, 2390),
                          {"assessment_year": 2024, "assessed": "c", "gld": "c", "gld_pct": "c", "gld_low": "c",
                           "gld_high": "c", "target_pct": 72.5}])
    chart = ElementTree.fromstring(gld_trend_chart(gld_trend(whole), target_pct=72.5))
    points = marks(chart, "Authority GLD %")
    assert [p["label"] for p in points] == ["2022/23", "2025/26"]     # the hidden 2023/24 left off, not drawn as 0
    assert [round(p["value"], 2) for p in points] == [round(100 * 1590 / 2390, 2), round(100 * 1581 / 2388, 2)]
    value, (low, high) = 100 * 1581 / 2388, _wilson(1581, 2388)
    assert points[1]["hover"] == f"2025/26: {value:.1f}%; 95% interval {low:.1f}% to {high:.1f}%"
    # The interval drawn as a whisker through the point, from its low to its high figure: in pixels
    # down the chart, a point of percentage is a hundredth of the way from the axis's 0% to its 100%.
    axis = {text.text: float(text.get("y")) for text in chart.iter("text") if text.text in ("0%", "100%")}
    per_point = (axis["0%"] - axis["100%"]) / 100
    point = next(e for e in chart.iter("circle") if e.get("data-label") == "2025/26")
    x, y = float(point.get("cx")), float(point.get("cy"))
    whisker = next(e.get("d") for e in chart.iter("path") if e.get("d", "").startswith(f"M{x:.1f},"))
    low_end, high_end = whisker.split(" M")[0].lstrip("M").split(",")[1].split(" V")       # "M x,y_low Vy_high"
    assert abs(float(low_end) - (y + per_point * (value - low))) < 0.1
    assert abs(float(high_end) - (y - per_point * (high - value))) < 0.1
    assert [m["value"] for m in marks(chart) if m["series"].startswith("Target")] == [72.5]   # one target line
    assert "Target 72.5%" in svg_text(chart)                                                  # named in the key


def test_the_free_school_meals_gap_in_words():
    assert fsm_gap_sentence(_authority()) == (
        "In 2024/25, children eligible for free school meals were 20.3 points less likely to reach a good level "
        "of development than the other children assessed in the authority.")
    assert "4.0 points more likely" in fsm_gap_sentence(_authority(fsm_gap_points=-4.0))
    assert "hidden" in fsm_gap_sentence(_authority(fsm_gap_points="c"))
    assert "do not say which children were eligible" in fsm_gap_sentence(_authority(fsm_gap_points=None))


def test_the_sites_gap_names_the_widest_and_narrowest_and_counts_the_hidden():
    sites = pd.DataFrame({"centre_id": ["A", "B", "C", "D"], "centre_name": ["Ash", "Birch *", "Cedar", "Damson"],
                          "fsm_gap_points": [12.0, 25.2, "c", -1.3]})
    with using("hubs"):
        text = fsm_gap_sites_sentence(sites)
    assert text == ("The gap is widest at Birch \\*: 25.2 points. It is narrowest at Damson: 1.3 points the other "
                    "way (the children eligible did better). 1 hub has its gap hidden: too few children in a group.")


def test_known_early_is_worded_as_an_association_with_wilson_intervals():
    # Known early: 30 of 40 (75.0%); the other registered children: 45 of 90 (50.0%).
    early_low, early_high = _wilson(30, 40)     # 59.8% to 85.8%
    other_low, other_high = _wilson(45, 90)     # 39.9% to 60.1%: the intervals overlap
    with using("hubs"):
        text = known_early_sentence(_authority())
    assert text == (
        "In 2024/25, children known to a hub before two were more likely to reach a good level of development "
        f"than the other registered children: 75.0% (95% interval {early_low:.1f}% to {early_high:.1f}%) of the "
        f"40 known early, against 50.0% (95% interval {other_low:.1f}% to {other_high:.1f}%) of the 90 others, "
        "25.0 points more. The two intervals overlap, so the difference could be chance. " + ASSOCIATION)
    assert ("This shows that the two go together, not that knowing a family early caused it: families who come "
            "early may differ in other ways.") in text


def test_known_early_intervals_apart_are_unlikely_to_be_chance():
    # 80 of 100 (Wilson 71.1% to 86.7%) against 40 of 100 (30.9% to 49.8%).
    text = known_early_sentence(_authority(known_early_assessed=100, known_early_gld_pct=80.0,
                                           other_linked_assessed=100, other_linked_gld_pct=40.0))
    assert "80.0% (95% interval 71.1% to 86.7%)" in text and "40.0% (95% interval 30.9% to 49.8%)" in text
    assert "do not overlap, so the difference is unlikely to be chance alone" in text
    assert text.endswith(ASSOCIATION)


def test_known_early_hidden_or_unlinked_says_so():
    hidden = known_early_sentence(_authority(known_early_assessed="c", known_early_gld_pct="c"))
    assert "hidden" in hidden and "%" not in hidden
    unlinked = known_early_sentence(_authority(known_early_assessed=0, known_early_gld_pct=None,
                                               other_linked_assessed=0, other_linked_gld_pct=None))
    assert "no child assessed could be linked" in unlinked


def test_the_known_early_table_gives_both_groups_their_intervals_and_the_difference():
    sites = pd.DataFrame({"assessment_year": [2025, 2025], "centre_id": ["A", "B"], "centre_name": ["Ash", "Birch"],
                          "known_early_assessed": [40, "c"], "known_early_gld_pct": [75.0, "c"],
                          "other_linked_assessed": [90, 12], "other_linked_gld_pct": [50.0, 25.0]})
    table = known_early(sites)
    low, high = _wilson(30, 40)
    assert abs(table.at[0, "known_early_low"] - low) < 1e-4
    assert abs(table.at[0, "known_early_high"] - high) < 1e-4
    assert table.at[0, "difference_points"] == 25.0
    assert table.at[1, "known_early_low"] == "c" and table.at[1, "difference_points"] == "c"
    low, high = _wilson(3, 12)
    assert abs(table.at[1, "other_linked_low"] - low) < 1e-4
    shown = readable(with_school_year(table))
    assert list(shown["school_year"]) == ["2024/25", "2024/25"]
    assert list(shown["difference_points"]) == ["+25.0", "c"]
    assert list(shown["known_early_gld_pct"]) == ["75.0%", "c"]
