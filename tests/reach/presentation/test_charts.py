"""The charts, read as data: what each figure draws, where, and with which words."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from reach.domain.breakdowns import band_counts
from reach.domain.comparison import league_table, similar_centres
from reach.domain.measures import Bands
from reach.domain.stats import COMPARISON_WORDS, Z_95, Z_998, funnel_limits, wilson_interval
from reach.presentation import charts

from tests.views.figure_data import strings

BANDS = Bands()


def _trace(figure, name):
    matches = [t for t in figure.data if t.name == name]
    assert len(matches) == 1, f"expected one trace named {name!r}, got {[t.name for t in figure.data]}"
    return matches[0]


def _lines(figure, axis="y"):
    return sorted(getattr(shape, f"{axis}0") for shape in figure.layout.shapes)


def centres() -> pd.DataFrame:
    return pd.DataFrame({
        "centre_id": ["C1", "C2", "C3", "C4"], "centre_name": ["Ash", "Birch", "Cedar", "Damson"],
        "children_under5": [1000, 1000, 100, 400], "known_children": [900, 700, 85, 320],
        "reach_pct": [90.0, 70.0, 85.0, 80.0], "band": ["good", "good", "good", "good"],
        "births_12m": [200, 200, 20, 80], "newborns_known_12m": [150, 190, 10, 60],
        "newborn_reach_pct": [75.0, 95.0, 50.0, 75.0], "sustained_contact": [300, 200, 30, 100],
        "sustained_pct": [30.0, 20.0, 30.0, 25.0], "deprived_under5": [300, 100, 35, 120],
    })


def test_band_counts_chart_words_colours_and_counts():
    counts = band_counts(pd.DataFrame({"band": ["good", "good", "inadequate"]}))
    bar = charts.band_counts_chart(counts, bands=BANDS).data[0]
    assert list(bar.y) == ["outstanding (97% or more)", "good (65% to 97%)", "requires improvement (51% to 65%)",
                           "inadequate (below 51%)"]
    assert list(bar.x) == [0, 2, 0, 1]
    assert list(bar.marker.color) == [charts.BAND_COLOURS[b] for b in counts["band"]]


def test_trend_chart_draws_the_outstanding_and_good_lines():
    trend = pd.DataFrame({"as_at": [date(2025, 7, 31), date(2025, 8, 31)], "reach_pct": [60.0, 62.5]})
    figure = charts.trend_chart(trend, bands=BANDS)
    assert list(_trace(figure, "Reach").y) == [60.0, 62.5]
    assert _lines(figure) == [65.0, 97.0]
    assert {"Outstanding from 97%", "Good from 65%"} <= {t.name for t in figure.data}
    moved = charts.trend_chart(trend, bands=Bands(outstanding=95, good=70, requires_improvement=50))
    assert _lines(moved) == [70.0, 95.0]


def test_trend_chart_draws_a_line_per_series():
    trend = pd.DataFrame({"as_at": [date(2025, 8, 31)] * 2, "series": ["Ash", "All centres"],
                          "reach_pct": [90.0, 80.0]})
    figure = charts.trend_chart(trend, bands=BANDS, series="series")
    assert list(_trace(figure, "Ash").y) == [90.0] and list(_trace(figure, "All centres").y) == [80.0]


def test_bullet_chart_zones_value_and_interval():
    interval = wilson_interval(720, 900)
    figure = charts.bullet_chart(value_pct=80.0, interval=interval, bands=BANDS, label="Ash", comparator_pct=75.0)
    zones = {t.name: (t.base[0], t.base[0] + t.x[0]) for t in figure.data if t.type == "bar"}
    assert zones == {"inadequate (below 51%)": (0.0, 51.0), "requires improvement (51% to 65%)": (51.0, 65.0),
                     "good (65% to 97%)": (65.0, 97.0), "outstanding (97% or more)": (97.0, 100.0)}
    marker = _trace(figure, "Ash: 80.0%")
    assert marker.x[0] == 80.0
    assert marker.error_x.array[0] == pytest.approx(interval.upper - 80.0)
    assert marker.error_x.arrayminus[0] == pytest.approx(80.0 - interval.lower)
    assert _trace(figure, "All centres: 75.0%").x[0] == 75.0


def _figure_column(figure) -> dict:
    """The figures written in the column right of the plot, by row."""
    return {note.y: note.text for note in figure.layout.annotations if note.name == "figure"}


def _text_px(text: str, size: int = 12) -> float:
    """A generous width of `text` in pixels: 0.62 of the font size a character."""
    return 0.62 * size * len(text)


@pytest.mark.parametrize("value", [96.4, 97.0, 98.3, 65.2, 99.9])
def test_league_figures_are_never_crossed_by_the_target_or_the_authority_line(value):
    """Each figure sits right of the plot area (x beyond 1 on the paper), where no line is drawn,
    and inside the margin kept for it, whatever its value: by the target (97%) or not."""
    table = centres().assign(reach_pct=[value, 70.0, 85.0, 80.0])
    figure = charts.league_chart(league_table(table, benchmark_pct=80.0), measure_key="reach",
                                 benchmark_pct=80.0, bands=BANDS)
    notes = [note for note in figure.layout.annotations if note.name == "figure"]
    assert {note.text for note in notes} >= {f"{value:.1f}%"}
    for note in notes:
        assert note.xref == "paper" and note.x == 1 and note.xanchor == "left"
        assert note.xshift + _text_px(note.text) <= figure.layout.margin.r
    assert {shape.xref for shape in figure.layout.shapes} == {"x"}        # the lines stay inside the plot


@pytest.mark.parametrize("value, comparator", [(80.0, 80.4), (97.2, 97.0), (2.0, 3.0), (99.5, 96.0)])
def test_the_bullet_figure_is_written_above_the_bar_clear_of_its_marks(value, comparator):
    figure = charts.bullet_chart(value_pct=value, interval=wilson_interval(int(value * 9), 900), bands=BANDS,
                                 label="Ash", comparator_pct=comparator)
    marker = _trace(figure, f"Ash: {value:.1f}%")
    assert marker.mode == "markers"                               # nothing written on the diamond
    note = next(n for n in figure.layout.annotations if n.name == "figure")
    assert note.text == f"<b>{value:.1f}%</b>" and note.x == value
    zones = [t for t in figure.data if t.type == "bar"]
    bar_top = max(t.width for t in zones) / 2
    # Above the bar the marker, its whiskers and the authority's line are drawn in, and inside the axis.
    assert note.yanchor == "bottom" and note.y >= bar_top
    low, high = figure.layout.yaxis.range
    plot_px = figure.layout.height - figure.layout.margin.t - figure.layout.margin.b
    room_px = (high - note.y) / (high - low) * plot_px * 0.7        # the legend takes up to 30% of the height
    assert room_px >= 13 + 2
    # Near either end the figure is kept inside the chart.
    assert note.xanchor == ("left" if value < 6 else "right" if value > 94 else "center")


def test_bullet_chart_without_a_figure_says_so():
    figure = charts.bullet_chart(value_pct=float("nan"), interval=None, bands=BANDS, label="Ash", comparator_pct=75.0)
    assert figure.layout.annotations[0].text == "No figure: no children under five recorded"
    assert [t.name for t in figure.data if t.type == "scatter"] == ["All centres: 75.0%"]


def test_unmatched_chart_is_a_grid_of_written_counts():
    counts = pd.DataFrame({"lsoa_code": ["E1", "E1", "E2"], "centre_id": "C1",
                           "birth_month": [date(2025, 7, 1), date(2025, 8, 1), date(2025, 8, 1)],
                           "unmatched_births": [2, 1, 4]})
    heatmap = charts.unmatched_chart(counts).data[0]
    assert list(heatmap.x) == ["Jul 2025", "Aug 2025"]
    assert list(heatmap.y) == ["E1", "E2"]                   # fewest first: the largest at the top
    assert np.array_equal(np.array(heatmap.z), np.array([[2, 1], [0, 4]]))
    assert np.array(heatmap.text).tolist() == [["2", "1"], ["", "4"]]


def test_unmatched_chart_with_no_births_says_so():
    empty = pd.DataFrame(columns=["lsoa_code", "centre_id", "birth_month", "unmatched_births"])
    assert "every child in the birth data is registered" in charts.unmatched_chart(empty).layout.annotations[0].text
    nothing = charts.unmatched_chart(empty, births_loaded=False).layout.annotations[0].text
    assert nothing == "No birth data has been loaded yet."        # nothing loaded is not "none unmatched"


def test_lsoa_charts_name_the_lsoas_where_names_are_loaded():
    gaps = pd.DataFrame({"lsoa_code": ["E1", "E2", "E3"], "lsoa_name": ["Ash 001A", None, "Ash 001C"],
                         "families_to_find": [30, 20, 5], "reach_pct": [60.0, 70.0, 95.0]})
    assert list(charts.lsoa_gaps_chart(gaps).data[0].y) == ["Ash 001C", "E2", "Ash 001A"]
    counts = pd.DataFrame({"lsoa_code": ["E1", "E2"], "lsoa_name": ["Ash 001A", "Ash 001A"], "centre_id": "C1",
                           "birth_month": [date(2025, 7, 1)] * 2, "unmatched_births": [2, 1]})
    assert sorted(charts.unmatched_chart(counts).data[0].y) == ["E1", "E2"]      # names that clash: codes


def test_lsoa_gaps_chart_puts_the_largest_gap_at_the_top():
    gaps = pd.DataFrame({"lsoa_code": ["E1", "E2", "E3"], "families_to_find": [30, 20, 5],
                         "reach_pct": [60.0, 70.0, 95.0]})
    bar = charts.lsoa_gaps_chart(gaps, top=2).data[0]
    assert list(bar.y) == ["E2", "E1"] and list(bar.x) == [20, 30]    # plotly draws the last at the top
    assert list(bar.text) == ["20 (reach 70%)", "30 (reach 60%)"]


def test_target_groups_chart_puts_the_centre_beside_all_centres():
    groups = pd.DataFrame({"group": ["deprived", "lone_parent", "teenage_parent"],
                           "group_name": ["Most deprived", "Lone parents", "Teenage parents"],
                           "children_under5": pd.array([100, pd.NA, pd.NA], dtype="Int64"),
                           "share_of_known_pct": [40.0, 20.0, 5.0]})
    everyone = groups.assign(share_of_known_pct=[35.0, 18.0, 4.0])
    figure = charts.target_groups_chart(groups, everyone, label="Ash")
    assert list(_trace(figure, "Ash").y) == ["Lone parents", "Teenage parents"]
    assert list(_trace(figure, "Ash").x) == [20.0, 5.0]
    assert list(_trace(figure, "All centres").x) == [18.0, 4.0]


def test_funnel_plot_limits_benchmark_target_and_centres():
    league = league_table(centres(), benchmark_pct=80.0)
    figure = charts.funnel_plot(league, measure_key="reach", benchmark_pct=80.0, bands=BANDS)
    upper95 = [t for t in figure.data if t.meta == "95% limits upper"][0]
    lower998 = [t for t in figure.data if t.meta == "99.8% limits lower"][0]
    sizes = np.array(upper95.x)
    assert sizes[0] == 50 and sizes[-1] == 1100        # from half the smallest centre to beyond the largest
    assert np.allclose(upper95.y, funnel_limits(80.0, sizes, z=Z_95)[1])
    assert np.allclose(lower998.y, funnel_limits(80.0, sizes, z=Z_998)[0])
    assert list(_trace(figure, "All centres: 80.0%").y) == [80.0, 80.0]
    assert list(_trace(figure, "Outstanding from 97%").y) == [97.0, 97.0]
    better = _trace(figure, COMPARISON_WORDS["better"])
    assert list(better.x) == [1000] and list(better.y) == [90.0]
    assert better.marker.color == charts.COMPARISON_COLOURS["better"]
    assert better.marker.symbol == "triangle-up"
    assert list(_trace(figure, COMPARISON_WORDS["worse"]).customdata[:, 0]) == ["Birch"]
    assert sorted(_trace(figure, COMPARISON_WORDS["similar"]).x) == [100, 400]


def test_funnel_plot_of_sustained_contact_has_no_target_line():
    league = league_table(centres(), benchmark_pct=25.0, measure_key="sustained")
    figure = charts.funnel_plot(league, measure_key="sustained", benchmark_pct=25.0, bands=BANDS)
    assert not [t for t in figure.data if (t.name or "").startswith("Outstanding")]
    assert figure.layout.xaxis.title.text == "Number of children under five"


def test_league_chart_draws_each_interval_and_orders_best_at_the_top():
    league = league_table(centres(), benchmark_pct=80.0)
    figure = charts.league_chart(league, measure_key="reach", benchmark_pct=80.0, bands=BANDS)
    similar = _trace(figure, COMPARISON_WORDS["similar"])
    assert list(similar.y) == ["Cedar", "Damson"]
    expected = wilson_interval(85, 100)
    assert similar.error_x.array[0] == pytest.approx(expected.upper - 85.0)
    assert list(figure.layout.yaxis.categoryarray) == ["Birch", "Damson", "Cedar", "Ash"]
    assert similar.mode == "markers"                                 # no figure on the marker itself...
    assert _figure_column(figure) == {"Ash": "90.0%", "Birch": "70.0%", "Cedar": "85.0%", "Damson": "80.0%"}
    assert figure.layout.title.text == "Reach by centre"
    assert _lines(figure, axis="x") == [80.0, 97.0]
    assert figure.layout.xaxis.range == (60.0, 100.0)          # below the lowest interval, 67.1%


def test_funnel_plot_labels_the_centres_beyond_the_limits_the_flagged_and_the_chosen():
    league = league_table(centres().assign(centre_name=["Ash Children's Centre", "Birch Family Hub",
                                                        "Cedar Children's Centre", "Damson Lane Community Centre"],
                                           denominator_flagged=[False, False, True, False]), benchmark_pct=80.0)
    figure = charts.funnel_plot(league, measure_key="reach", benchmark_pct=80.0, bands=BANDS, chosen_centre="C4")
    labels = {name: list(_trace(figure, COMPARISON_WORDS[key]).text)
              for name, key in [("better", "better"), ("worse", "worse"), ("flagged", "flagged"),
                                ("similar", "similar")]}
    assert labels == {"better": ["Ash"], "worse": ["Birch"], "flagged": ["Cedar"],
                      "similar": ["Damson Lane Communi…"]}
    flagged = _trace(figure, COMPARISON_WORDS["flagged"])
    assert flagged.marker.symbol == "diamond-open" and list(flagged.x) == [100]
    assert figure.layout.title.text == "Funnel plot: reach"
    unlabelled = charts.funnel_plot(league, measure_key="reach", benchmark_pct=80.0, bands=BANDS)
    assert _trace(unlabelled, COMPARISON_WORDS["similar"]).mode == "markers"


def test_short_names_for_labels():
    assert charts.short_name("Hollins Green Children's Centre") == "Hollins Green"
    assert charts.short_name("Canal Street Family Hub") == "Canal Street"
    assert charts.short_name("Brackenfold Central Family Hub") == "Brackenfold Central"
    assert charts.short_name("Centre") == "Centre"
    assert charts.short_name("A very long name for a place indeed") == "A very long name fo…"


def test_nearby_labels_go_one_above_one_below():
    assert charts._label_positions([100, 105, 900], [80.0, 80.5, 80.0], x_span=1000, y_span=40) == \
        ["top center", "bottom center", "top center"]


def test_a_funnel_with_no_benchmark_draws_no_limits_or_line():
    league = league_table(centres(), benchmark_pct=float("nan"))
    figure = charts.funnel_plot(league, measure_key="reach", benchmark_pct=float("nan"), bands=BANDS)
    assert not [t for t in figure.data if (t.meta or "").endswith(("upper", "lower"))]
    assert not [t for t in figure.data if (t.name or "").startswith("All centres")]


def test_similar_centres_chart_marks_the_chosen_centre():
    similar = similar_centres(centres(), centre_id="C1", count=2)
    figure = charts.similar_centres_chart(similar, measure_key="newborn_reach", benchmark_pct=77.0)
    bar = figure.data[0]
    assert list(bar.y) == ["Ash (chosen)", "Damson", "Cedar"]    # 30%: Damson 30%, Cedar 35%
    assert list(bar.x) == [75.0, 75.0, 50.0]
    assert list(bar.marker.color) == [charts.LINE_COLOUR, "#BBBBBB", "#BBBBBB"]
    assert _lines(figure, axis="x") == [77.0]
    # The figures in a column right of the plot: never crossed by the authority's line at 77%.
    assert _figure_column(figure) == {"Ash (chosen)": "75.0%", "Damson": "75.0%", "Cedar": "50.0%"}
    assert not bar.text


# --- names from files are drawn as text ---------------------------------------------------------

LINK = '<a href="http://evil.example">x</a>'
TEMPLATE = "%{y} <b>bold</b>"


def _strings(figure) -> list[str]:
    """Every string in the figure, as plotly would be sent it."""
    return strings(figure.to_plotly_json())


def _assert_no_live_markup(figure):
    for text in _strings(figure):
        assert "<a " not in text and "<b>bold" not in text, text
    for trace in figure.data:
        template = getattr(trace, "hovertemplate", None) or ""
        assert "%{y} &lt;b&gt;" not in template and TEMPLATE not in template    # a name is never a template


def test_every_chart_escapes_names_and_codes():
    hostile = centres().assign(centre_name=[LINK, TEMPLATE, "Cedar", "A & B"])
    league = league_table(hostile, benchmark_pct=80.0)
    for figure in (charts.league_chart(league, measure_key="reach", benchmark_pct=80.0, bands=BANDS),
                   charts.funnel_plot(league, measure_key="reach", benchmark_pct=80.0, bands=BANDS),
                   charts.similar_centres_chart(similar_centres(hostile, centre_id="C1", count=3),
                                                measure_key="reach", benchmark_pct=80.0)):
        _assert_no_live_markup(figure)
        assert "&lt;a href=\"http://evil.example\"&gt;x&lt;/a&gt;" in "".join(_strings(figure))
    league_figure = charts.league_chart(league, measure_key="reach", benchmark_pct=80.0, bands=BANDS)
    assert "A &amp; B" in league_figure.layout.yaxis.categoryarray

    bullet = charts.bullet_chart(value_pct=80.0, interval=wilson_interval(720, 900), bands=BANDS, label=LINK,
                                 comparator_pct=75.0)
    _assert_no_live_markup(bullet)
    assert bullet.layout.title.text == "Reach against the bands"          # short: the name is in the legend
    assert _trace(bullet, "&lt;a href=\"http://evil.example\"&gt;x&lt;/a&gt;: 80.0%").x[0] == 80.0

    trend = pd.DataFrame({"as_at": [date(2025, 8, 31)] * 2, "series": [LINK, TEMPLATE], "reach_pct": [90.0, 80.0]})
    line = charts.trend_chart(trend, bands=BANDS, series="series", title=f"Reach month by month: {LINK}")
    _assert_no_live_markup(line)
    series = [_trace(line, "&lt;a href=\"http://evil.example\"&gt;x&lt;/a&gt;"),
              _trace(line, "%{y} &lt;b&gt;bold&lt;/b&gt;")]
    assert all(t.hovertemplate.endswith("<extra>%{fullData.name}</extra>") for t in series)

    codes = pd.DataFrame({"lsoa_code": [LINK], "families_to_find": [3], "reach_pct": [50.0], "centre_id": "C1",
                          "birth_month": [date(2025, 7, 1)], "unmatched_births": [2]})
    for figure in (charts.lsoa_gaps_chart(codes), charts.unmatched_chart(codes)):
        _assert_no_live_markup(figure)

    groups = pd.DataFrame({"group": ["deprived", "lone_parent"], "group_name": ["Most deprived", "Lone parents"],
                           "share_of_known_pct": [40.0, 20.0]})
    _assert_no_live_markup(charts.target_groups_chart(groups, groups, label=LINK))


def test_a_long_chart_title_wraps_instead_of_being_cut():
    import plotly.graph_objects as go

    from reach.presentation.charts import TITLE_LINE_CHARACTERS, styled

    title = "Reach of the babies born in the last 12 months, by sharing option chosen for the authority"
    figure = styled(go.Figure(), title=title, height=300)
    lines = figure.layout.title.text.split("<br>")
    assert len(lines) == 2
    assert all(len(line) <= TITLE_LINE_CHARACTERS for line in lines)
    assert " ".join(lines) == title
    assert figure.layout.margin.t == 32 + 22 * 2 and figure.layout.height == 322
    short = styled(go.Figure(), title="Reach month by month", height=300)
    assert short.layout.title.text == "Reach month by month" and short.layout.height == 300
