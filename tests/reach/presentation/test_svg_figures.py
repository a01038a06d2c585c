"""The pages' charts drawn as inline SVG, read as data: what each draws, where, and with which
words; names from files are text, never markup; a figure is never written where a line or a
mark crosses it."""

from datetime import date
from xml.etree import ElementTree

import pandas as pd
import pytest

from reach.domain.breakdowns import band_counts
from reach.domain.comparison import league_table, similar_centres
from reach.domain.measures import Bands
from reach.domain.stats import COMPARISON_WORDS, Z_95, Z_998, funnel_limits, wilson_interval
from reach.presentation import svg_figures

from tests.views.figure_data import svg_text

BANDS = Bands()
LINK = '<a href="http://evil.example">x</a>'


def _tree(svg: str):
    return ElementTree.fromstring(svg)


def _marks(tree, series=None) -> list[dict]:
    found = []
    for element in tree.iter():
        if element.get("data-value") is None or element.tag == "text":
            continue
        if series is None or element.get("data-series") == series:
            title = element.find("title")
            found.append({"series": element.get("data-series"), "label": element.get("data-label"),
                          "value": float(element.get("data-value")), "hover": title.text if title is not None else None,
                          "element": element})
    return found


def _x_of(element) -> float:
    """Where a mark starts across: its x, its cx, or the first x of its path."""
    for name in ("x", "cx"):
        if element.get(name) is not None:
            return float(element.get(name))
    return float(element.get("d").split(",")[0].lstrip("M"))


def centres() -> pd.DataFrame:
    return pd.DataFrame({
        "centre_id": ["C1", "C2", "C3", "C4"], "centre_name": ["Ash", "Birch", "Cedar", "Damson"],
        "children_under5": [1000, 1000, 100, 400], "known_children": [900, 700, 85, 320],
        "reach_pct": [90.0, 70.0, 85.0, 80.0], "band": ["good", "good", "good", "good"],
        "births_12m": [200, 200, 20, 80], "newborns_known_12m": [150, 190, 10, 60],
        "newborn_reach_pct": [75.0, 95.0, 50.0, 75.0], "sustained_contact": [300, 200, 30, 100],
        "sustained_pct": [30.0, 20.0, 30.0, 25.0], "deprived_under5": [300, 100, 35, 120],
    })


def test_band_counts_bars_carry_each_bands_range_and_count():
    counts = band_counts(pd.DataFrame({"band": ["good", "good", "inadequate"]}))
    bars = _marks(_tree(svg_figures.band_counts_chart(counts, bands=BANDS)))
    assert [bar["label"] for bar in bars] == ["outstanding (97% or more)", "good (65% to 97%)",
                                              "requires improvement (51% to 65%)", "inadequate (below 51%)"]
    assert [bar["value"] for bar in bars] == [0, 2, 0, 1]
    assert [bar["element"].get("fill") for bar in bars] == [svg_figures.BAND_COLOURS[b] for b in counts["band"]]


def test_the_trend_draws_each_month_and_the_band_lines_named_in_the_key():
    trend = pd.DataFrame({"as_at": [date(2025, 7, 31), date(2025, 8, 31)], "reach_pct": [60.0, 62.5]})
    tree = _tree(svg_figures.trend_chart(trend, bands=BANDS))
    assert [m["value"] for m in _marks(tree, "Reach")] == [60.0, 62.5]
    assert _marks(tree, "Reach")[1]["hover"] == "Reach, 31 Aug 2025: 62.5%"
    assert sorted(m["value"] for m in _marks(tree) if m["series"] != "Reach") == [65.0, 97.0]
    assert {"Outstanding from 97%", "Good from 65%", "Reach"} <= set(svg_text(tree))
    moved = _tree(svg_figures.trend_chart(trend, bands=Bands(outstanding=95, good=70, requires_improvement=50)))
    assert sorted(m["value"] for m in _marks(moved) if m["series"] != "Reach") == [70.0, 95.0]


def test_a_missing_month_breaks_the_line_rather_than_drawing_zero():
    trend = pd.DataFrame({"as_at": [date(2025, 6, 30), date(2025, 7, 31), date(2025, 8, 31)],
                          "reach_pct": [60.0, None, 62.5]})
    tree = _tree(svg_figures.trend_chart(trend, bands=BANDS))
    assert [m["value"] for m in _marks(tree, "Reach")] == [60.0, 62.5]
    assert not [e for e in tree.iter() if e.tag == "polyline"]          # two points apart: no line joins them


def test_the_trend_draws_a_line_per_series_named_in_the_key():
    trend = pd.DataFrame({"as_at": [date(2025, 7, 31), date(2025, 8, 31)] * 2,
                          "series": ["Ash", "Ash", "All centres", "All centres"],
                          "reach_pct": [88.0, 90.0, 79.0, 80.0]})
    tree = _tree(svg_figures.trend_chart(trend, bands=BANDS, series="series"))
    assert [m["value"] for m in _marks(tree, "Ash")] == [88.0, 90.0]
    assert [m["value"] for m in _marks(tree, "All centres")] == [79.0, 80.0]
    lines = [e for e in tree.iter() if e.tag == "polyline"]
    assert [e.get("stroke") for e in lines] == [svg_figures.LINE_COLOUR, svg_figures.AUTHORITY_COLOUR]
    assert [e.get("stroke-dasharray") for e in lines] == [None, "2,3"]     # told apart without their colour
    assert {"Ash", "All centres"} <= set(svg_text(tree))


@pytest.mark.parametrize("value, comparator", [(80.0, 80.4), (97.2, 97.0), (2.0, 3.0), (99.5, 96.0), (51.0, 82.6)])
def test_the_bullet_figure_is_written_above_the_bar_clear_of_the_marker_whiskers_and_line(value, comparator):
    interval = wilson_interval(int(value * 9), 900)
    tree = _tree(svg_figures.bullet_chart(value_pct=value, interval=interval, bands=BANDS, label="Ash",
                                          comparator_pct=comparator))
    bands = _marks(tree, "band")
    top = max(100.0, interval.upper + 2, value + 2)        # the axis reaches past the interval
    assert [(b["label"], b["value"]) for b in bands] == [("inadequate (below 51%)", 51.0),
                                                        ("requires improvement (51% to 65%)", 65.0),
                                                        ("good (65% to 97%)", 97.0),
                                                        ("outstanding (97% or more)", pytest.approx(top))]
    bar_top = float(bands[0]["element"].get("y"))
    figure = next(e for e in tree.iter() if e.tag == "text" and e.get("data-figure"))
    assert figure.text == f"{value:.1f}%"
    # The text's baseline is above the bar; the marker, its whiskers and the authority's line
    # start at or below the bar's top (the line 4 px above it, the text 8 px).
    assert float(figure.get("y")) <= bar_top - 8
    marker = _marks(tree, "value")[0]
    assert marker["value"] == value and marker["hover"].startswith(f"Ash: {value:.1f}%; 95% interval")
    line = _marks(tree, "comparator")[0]
    assert line["value"] == comparator and float(line["element"].get("d").split(",")[1].split(" ")[0]) >= bar_top - 4
    assert figure.get("text-anchor") == ("start" if value < 6 else "end" if value > 94 else "middle")


def test_the_bullet_without_a_figure_says_why():
    tree = _tree(svg_figures.bullet_chart(value_pct=float("nan"), interval=None, bands=BANDS, label="Ash",
                                          comparator_pct=75.0,
                                          missing_words="No figure: no population estimate loaded"))
    assert "No figure: no population estimate loaded" in svg_text(tree)
    assert not _marks(tree, "value")


@pytest.mark.parametrize("value", [96.4, 97.0, 98.3, 65.2, 99.9])
def test_league_figures_sit_in_a_column_right_of_every_line_and_marker(value):
    table = centres().assign(reach_pct=[value, 70.0, 85.0, 80.0])
    tree = _tree(svg_figures.league_chart(league_table(table, benchmark_pct=80.0), measure_key="reach",
                                          benchmark_pct=80.0, bands=BANDS))
    lines = [m for m in _marks(tree) if m["element"].tag == "path" and m["series"].startswith(("All", "Out"))]
    assert sorted(m["value"] for m in lines) == [80.0, 97.0]
    rightmost = max(_x_of(m["element"]) + 8 for m in _marks(tree))       # a marker reaches 7 px right of its x
    figures = [e for e in tree.iter() if e.tag == "text" and e.get("data-figure")]
    assert f"{value:.1f}%" in [e.text for e in figures]
    assert all(float(e.get("x")) > rightmost for e in figures)
    view_width = float(tree.find("svg").get("viewBox").split()[2])
    assert all(float(e.get("x")) + 7.2 * len(e.text) <= view_width for e in figures)   # and inside the chart


def test_the_league_puts_the_best_at_the_top_and_starts_its_axis_below_the_lowest_interval():
    league = league_table(centres(), benchmark_pct=80.0)
    tree = _tree(svg_figures.league_chart(league, measure_key="reach", benchmark_pct=80.0, bands=BANDS))
    assert tree.get("data-title") == "Reach by centre"
    rows = [e.get("data-label") for e in tree.iter("text") if e.get("data-label") and not e.get("data-figure")]
    assert rows == ["Ash", "Cedar", "Damson", "Birch"]
    axis = [text for text in svg_text(tree) if text.endswith("%") and "." not in text]
    assert axis[0] == "60%"                                       # below the lowest interval, 67.1%


def test_the_league_marks_each_comparison_by_shape_and_names_it_in_the_key():
    league = league_table(centres().assign(denominator_flagged=[False, False, True, False]), benchmark_pct=80.0)
    tree = _tree(svg_figures.league_chart(league, measure_key="reach", benchmark_pct=80.0, bands=BANDS))
    kinds = {m["label"]: m["series"] for m in _marks(tree) if m["series"] in COMPARISON_WORDS}
    assert kinds == {"Ash": "better", "Birch": "worse", "Cedar": "flagged", "Damson": "similar"}
    hollow = next(m for m in _marks(tree, "flagged"))
    assert hollow["element"].get("fill") == "#FFFFFF"
    assert {COMPARISON_WORDS[k] for k in ("better", "worse", "flagged", "similar")} <= set(svg_text(tree))
    expected = wilson_interval(85, 100)
    assert next(m for m in _marks(tree) if m["label"] == "Cedar")["hover"] == (
        f"Cedar; Reach: 85.0%; 95% interval {expected.lower:.1f}% to {expected.upper:.1f}%; 100 children under five")


def test_the_funnel_draws_its_limits_and_names_the_centres_beyond_them():
    league = league_table(centres().assign(centre_name=["Ash Children's Centre", "Birch Family Hub",
                                                        "Cedar Children's Centre", "Damson Lane Community Centre"],
                                           denominator_flagged=[False, False, True, False]), benchmark_pct=80.0)
    tree = _tree(svg_figures.funnel_plot(league, measure_key="reach", benchmark_pct=80.0, bands=BANDS,
                                         chosen_centre="C4"))
    upper = next(m for m in _marks(tree) if m["series"] == "95% limits upper")
    assert upper["value"] == pytest.approx(funnel_limits(80.0, pd.Series([float(upper["label"])]), z=Z_95)[1][0])
    labels = [e for e in tree.iter() if e.tag == "text" and e.get("data-name")]
    assert sorted(e.text for e in labels) == ["Ash", "Birch", "Cedar", "Damson Lane Communi…"]
    # The limits, the authority's line and the target run among the markers: each name is edged
    # in white, so a line passing behind it never crosses the words.
    assert all(e.get("paint-order") == "stroke" and e.get("stroke") == "#FFFFFF" for e in labels)
    assert "Outstanding from 97%" in svg_text(tree) and "99.8% limits" in svg_text(tree)
    unlabelled = _tree(svg_figures.funnel_plot(league, measure_key="reach", benchmark_pct=80.0, bands=BANDS))
    assert sorted(e.text for e in unlabelled.iter("text") if e.get("data-name")) == ["Ash", "Birch", "Cedar"]
    without = _tree(svg_figures.funnel_plot(league_table(centres(), benchmark_pct=float("nan")), measure_key="reach",
                                            benchmark_pct=float("nan"), bands=BANDS))
    assert not [m for m in _marks(without) if m["series"].endswith(("upper", "lower"))]
    assert not [m for m in _marks(without) if m["series"].startswith("All centres")]      # nor the authority's line


def test_the_funnel_draws_the_limits_the_authority_the_target_and_each_centre():
    league = league_table(centres(), benchmark_pct=80.0)
    tree = _tree(svg_figures.funnel_plot(league, measure_key="reach", benchmark_pct=80.0, bands=BANDS))
    lower = next(m for m in _marks(tree) if m["series"] == "99.8% limits lower")
    assert float(lower["label"]) == 1100                                  # to beyond the largest centre
    assert lower["value"] == pytest.approx(funnel_limits(80.0, pd.Series([1100.0]), z=Z_998)[0][0])
    assert [m["value"] for m in _marks(tree, "All centres: 80.0%")] == [80.0]
    assert [m["value"] for m in _marks(tree, "Outstanding from 97%")] == [97.0]
    better = _marks(tree, "better")
    assert [(m["label"], m["value"]) for m in better] == [("Ash", 90.0)]
    assert better[0]["element"].get("fill") == svg_figures.COMPARISON_COLOURS["better"]
    assert [m["label"] for m in _marks(tree, "worse")] == ["Birch"]
    assert sorted(m["label"] for m in _marks(tree, "similar")) == ["Cedar", "Damson"]


def test_a_funnel_of_sustained_contact_has_no_target_line():
    league = league_table(centres(), benchmark_pct=25.0, measure_key="sustained")
    tree = _tree(svg_figures.funnel_plot(league, measure_key="sustained", benchmark_pct=25.0, bands=BANDS))
    assert not [m for m in _marks(tree) if m["series"].startswith("Outstanding")]
    assert not [text for text in svg_text(tree) if text.startswith("Outstanding")]
    assert [m["value"] for m in _marks(tree, "All centres: 25.0%")] == [25.0]
    assert "Number of children under five" in svg_text(tree)


def test_similar_centres_keep_the_chosen_mark_however_long_the_name():
    table = centres().assign(centre_name=["Ashworth Lane Children's Centre and Nursery", "Birch", "Cedar", "Damson"])
    similar = similar_centres(table, centre_id="C1", count=2)
    tree = _tree(svg_figures.similar_centres_chart(similar, measure_key="newborn_reach", benchmark_pct=77.0))
    bars = _marks(tree, "Newborn reach")
    assert bars[0]["label"].endswith(" (chosen)") and bars[0]["element"].get("fill") == svg_figures.LINE_COLOUR
    assert [b["value"] for b in bars] == [75.0, 75.0, 50.0]
    figures = [e.text for e in tree.iter() if e.tag == "text" and e.get("data-figure")]
    assert figures == ["75.0%", "75.0%", "50.0%"]


def test_similar_centres_put_the_chosen_first_and_draw_the_authoritys_figure():
    similar = similar_centres(centres(), centre_id="C1", count=2)
    tree = _tree(svg_figures.similar_centres_chart(similar, measure_key="newborn_reach", benchmark_pct=77.0))
    bars = _marks(tree, "Newborn reach")
    assert [b["label"] for b in bars] == ["Ash (chosen)", "Damson", "Cedar"]     # 30%: Damson 30%, Cedar 35%
    assert [b["element"].get("fill") for b in bars] == [svg_figures.LINE_COLOUR, "#BBBBBB", "#BBBBBB"]
    assert [m["value"] for m in _marks(tree, "All centres: 77.0%")] == [77.0]


def test_short_names_for_labels():
    assert svg_figures.short_name("Hollins Green Children's Centre") == "Hollins Green"
    assert svg_figures.short_name("Canal Street Family Hub") == "Canal Street"
    assert svg_figures.short_name("Brackenfold Central Family Hub") == "Brackenfold Central"
    assert svg_figures.short_name("Centre") == "Centre"
    assert svg_figures.short_name("A very long name for a place indeed") == "A very long name fo…"


def test_nearby_labels_go_one_above_one_below():
    assert svg_figures._label_positions([100, 105, 900], [80.0, 80.5, 80.0], x_span=1000, y_span=40) == \
        ["above", "below", "above"]


def test_a_long_title_is_broken_onto_lines_never_cut():
    title = "Reach of the babies born in the last 12 months, by sharing option chosen for the authority"
    tree = _tree(svg_figures.chart(title, 100, []))
    lines = [e.text for e in tree.find("svg").findall("text")]
    assert len(lines) == 2 and all(len(line) <= svg_figures.TITLE_CHARACTERS for line in lines)
    assert " ".join(lines) == title and tree.get("data-title") == title
    short = _tree(svg_figures.chart("Reach month by month", 100, []))
    assert [e.text for e in short.find("svg").findall("text")] == ["Reach month by month"]
    # The drawing is as much taller as its title's extra line.
    height = [float(t.find("svg").get("viewBox").split()[3]) for t in (tree, short)]
    assert height[0] - height[1] == svg_figures.TITLE_LINE_PX


def test_the_unmatched_grid_writes_each_count_and_says_why_when_empty():
    counts = pd.DataFrame({"lsoa_code": ["E1", "E1", "E2"], "centre_id": "C1",
                           "birth_month": [date(2025, 7, 1), date(2025, 8, 1), date(2025, 8, 1)],
                           "unmatched_births": [2, 1, 4]})
    cells = _marks(_tree(svg_figures.unmatched_chart(counts)))
    assert [(c["series"], c["label"], c["value"]) for c in cells] == [
        ("E2", "Aug 2025", 4), ("E1", "Jul 2025", 2), ("E1", "Aug 2025", 1)]   # the most first; no empty cell
    # Each count written in its cell, row by row, so the darker cells are also the larger numbers read.
    assert svg_text(_tree(svg_figures.unmatched_chart(counts)))[1:6] == ["E2", "4", "E1", "2", "1"]
    empty = counts.iloc[0:0]
    assert svg_text(_tree(svg_figures.unmatched_chart(empty, births_loaded=False)))[-1] == \
        "No birth data has been loaded yet."
    # Births loaded and every child registered is not the same as nothing loaded: it says which.
    assert svg_text(_tree(svg_figures.unmatched_chart(empty)))[-1] == \
        "No unmatched births: every child in the birth data is registered."


def test_lsoa_charts_name_the_lsoas_where_names_are_loaded():
    gaps = pd.DataFrame({"lsoa_code": ["E1", "E2", "E3"], "lsoa_name": ["Ash 001A", None, "Ash 001C"],
                         "families_to_find": [30, 20, 5], "reach_pct": [60.0, 70.0, 95.0]})
    assert [m["label"] for m in _marks(_tree(svg_figures.lsoa_gaps_chart(gaps)))] == ["Ash 001A", "E2", "Ash 001C"]
    counts = pd.DataFrame({"lsoa_code": ["E1", "E2"], "lsoa_name": ["Ash 001A", "Ash 001A"], "centre_id": "C1",
                           "birth_month": [date(2025, 7, 1)] * 2, "unmatched_births": [2, 1]})
    cells = _marks(_tree(svg_figures.unmatched_chart(counts)))
    assert sorted(c["series"] for c in cells) == ["E1", "E2"]                   # names that clash: codes


def test_lsoa_gaps_put_the_largest_at_the_top_with_each_areas_reach():
    gaps = pd.DataFrame({"lsoa_code": ["E1", "E2", "E3"], "families_to_find": [30, 20, 5],
                         "reach_pct": [60.0, 70.0, None]})
    tree = _tree(svg_figures.lsoa_gaps_chart(gaps, top=2))
    assert [(m["label"], m["value"]) for m in _marks(tree)] == [("E1", 30), ("E2", 20)]
    assert {"30 (reach 60%)", "20 (reach 70%)"} <= set(svg_text(tree))
    assert tree.get("data-title") == "Families to find by LSOA (top 2)"
    assert "5" in svg_text(_tree(svg_figures.lsoa_gaps_chart(gaps)))      # no reach: the count alone


def test_target_groups_put_the_centre_beside_all_centres():
    groups = pd.DataFrame({"group": ["deprived", "lone_parent", "teenage_parent"],
                           "group_name": ["Most deprived", "Lone parents", "Teenage parents"],
                           "children_under5": pd.array([100, pd.NA, pd.NA], dtype="Int64"),
                           "share_of_known_pct": [40.0, 20.0, 5.0]})
    everyone = groups.assign(share_of_known_pct=[35.0, 18.0, 4.0])
    tree = _tree(svg_figures.target_groups_chart(groups, everyone, label="Ash"))
    assert [(m["label"], m["value"]) for m in _marks(tree, "Ash")] == [("Lone parents", 20.0), ("Teenage parents", 5.0)]
    assert [m["value"] for m in _marks(tree, "All centres")] == [18.0, 4.0]
    assert "Most deprived" not in svg_text(tree)                     # shown elsewhere, as a share of all children
    assert {"20.0%", "18.0%", "Ash", "All centres"} <= set(svg_text(tree))


def test_the_gld_trend_leaves_a_hidden_year_off():
    trend = pd.DataFrame({"assessment_year": [2023, 2024, 2026], "gld_pct": [66.5, "c", 66.2],
                          "gld_low": [64.6, "c", 64.3], "gld_high": [68.4, "c", 68.1]})
    points = _marks(_tree(svg_figures.gld_trend_chart(trend, target_pct=72.5)), "Authority GLD %")
    assert [(p["label"], p["value"]) for p in points] == [("2022/23", 66.5), ("2025/26", 66.2)]


def test_names_from_files_are_text_never_markup():
    hostile = centres().assign(centre_name=[LINK, "%{y} <b>bold</b>", "Cedar\n\nnew block", "A & B"])
    league = league_table(hostile, benchmark_pct=80.0)
    drawn = [svg_figures.league_chart(league, measure_key="reach", benchmark_pct=80.0, bands=BANDS),
             svg_figures.funnel_plot(league, measure_key="reach", benchmark_pct=80.0, bands=BANDS),
             svg_figures.similar_centres_chart(similar_centres(hostile, centre_id="C1", count=3), measure_key="reach",
                                               benchmark_pct=80.0),
             svg_figures.bullet_chart(value_pct=80.0, interval=None, bands=BANDS, label=LINK, comparator_pct=75.0)]
    trend = pd.DataFrame({"as_at": [date(2025, 8, 31)] * 2, "series": [LINK, "A & B"], "reach_pct": [90.0, 80.0]})
    drawn.append(svg_figures.trend_chart(trend, bands=BANDS, series="series", title=f"Reach month by month: {LINK}"))
    codes = pd.DataFrame({"lsoa_code": [LINK], "families_to_find": [3], "reach_pct": [50.0], "centre_id": "C1",
                          "birth_month": [date(2025, 7, 1)], "unmatched_births": [2]})
    drawn += [svg_figures.lsoa_gaps_chart(codes), svg_figures.unmatched_chart(codes)]
    groups = pd.DataFrame({"group": ["deprived", "lone_parent"], "group_name": ["Most deprived", LINK],
                           "share_of_known_pct": [40.0, 20.0]})
    drawn.append(svg_figures.target_groups_chart(groups, groups, label=LINK))
    for svg in drawn:
        assert "\n" not in svg                                  # one line: Markdown passes it through whole
        tree = _tree(svg)                                       # parses: nothing broke out of its text
        assert {e.tag for e in tree.iter()} <= {"div", "svg", "title", "g", "text", "path", "rect", "circle",
                                                 "polyline"}
        assert "<a " not in svg and "<b>" not in svg
    texts = " ".join(text for svg in drawn for text in svg_text(_tree(svg)))
    assert LINK in texts and "A & B" in texts                   # shown as they are, as text


def test_funnel_labels_go_below_only_where_a_label_above_is_near():
    """Where each centre's name goes on the funnel, found by cells rather than pair by pair: the
    same as comparing every pair, on random points, points on the very edge of "near", and
    missing coordinates."""
    import math

    import numpy as np

    def pair_by_pair(xs, ys, *, x_span, y_span):
        placed, positions = [], []
        for x, y in zip(xs, ys):
            near = any(p == "above" and abs(px - x) < 0.12 * x_span and abs(py - y) < 0.07 * y_span
                       for px, py, p in placed)
            placed.append((x, y, "below" if near else "above"))
            positions.append(placed[-1][2])
        return positions

    rng = np.random.default_rng(11)
    for trial in range(200):
        n = int(rng.integers(1, 300))
        x_span, y_span = float(rng.uniform(1, 4000)), float(rng.uniform(5, 100))
        if trial % 4 == 0:       # on a lattice of the distances that count as near
            xs = sorted(float(v) for v in np.arange(n) * 0.12 * x_span / 3)
            ys = [float(v) for v in (np.arange(n) % 5) * 0.07 * y_span]
        else:
            xs = sorted(float(v) for v in rng.uniform(0, x_span, n).round(int(rng.integers(0, 3))))
            ys = [float(v) for v in rng.uniform(0, y_span, n).round(int(rng.integers(0, 2)))]
        if trial % 5 == 0:
            ys[0] = math.nan
        found = svg_figures._label_positions(xs, ys, x_span=x_span, y_span=y_span)
        assert found == pair_by_pair(xs, ys, x_span=x_span, y_span=y_span), trial
    assert svg_figures._label_positions([10.0, 11.0, 12.0], [50.0, 50.5, 51.0], x_span=100, y_span=50) == [
        "above", "below", "below"]
    assert svg_figures._label_positions([10.0, 30.0], [50.0, 50.0], x_span=100, y_span=50) == ["above", "above"]
