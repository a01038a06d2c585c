"""The what-if page's figures: the long-run reach of every sharing option, and reach month by
month to the inspection date under each, drawn as inline SVG (`reach.presentation.svg_figures`,
so the page opens without starting Plotly in the browser); each mark carries what it shows, so a
test can read them. The Plotly versions (`steady_state_chart`, `paths_chart`) are no longer
drawn on any page: like the Plotly charts in `charts` and `best_start_charts`, they stay only
with their tests, to be removed.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from reach.domain.months import month_ends_after
from reach.domain.whatif import TARGET_SHARE, Projection
from reach.presentation import svg_figures
from reach.presentation.charts import LINE_COLOUR, TARGET_COLOUR, styled, threshold_line
from reach.presentation.format import percent
from reach.presentation.summaries import long_date
from reach.presentation.whatif_sentences import target_words
from reach.presentation.whatif_settings import SHARING_LABELS

SHARING_COLOURS = {"monthly": "#0072B2", "quarterly": "#009E73", "6-monthly": "#E69F00",
                   "annual": "#D55E00", "none": "#999999"}
SHARING_DASHES = {"monthly": "solid", "quarterly": "dot", "6-monthly": "dashdot", "annual": "longdash",
                  "none": "solid"}


def _target_line(figure: go.Figure, target_share: float) -> None:
    """The target's line: the outstanding threshold, named as the other charts name it."""
    threshold_line(figure, 100.0 * target_share, words=f"Outstanding from {target_words(target_share)}",
                   colour=TARGET_COLOUR)


def steady_state_chart(table: pd.DataFrame, *, chosen: str, target_share: float = TARGET_SHARE) -> go.Figure:
    """Bars of the long-run reach for each sharing option, each labelled with its figure, the
    chosen option darker and named so, and the target's line (the outstanding threshold)."""
    labels = [SHARING_LABELS[name] + ("<br>(chosen)" if name == chosen else "") for name in table["sharing_option"]]
    is_chosen = [name == chosen for name in table["sharing_option"]]
    # Figures written inside the foot of each bar: the target's line crosses the bars near their
    # tops, so a figure written there would be crossed whenever an option comes close to it.
    figure = go.Figure(go.Bar(
        x=labels, y=table["long_run_reach_pct"], name="Long-run reach",
        text=[percent(v) for v in table["long_run_reach_pct"]], textposition="inside", insidetextanchor="start",
        textfont=dict(color=["white" if mark else "black" for mark in is_chosen]),
        marker_color=[LINE_COLOUR if mark else "#56B4E9" for mark in is_chosen],
        hovertemplate="%{x}: %{y:.1f}% in the long run<extra></extra>",
    ))
    _target_line(figure, target_share)
    figure.update_yaxes(title="Share of under-fives known", range=[0, 105], ticksuffix="%")
    figure.update_xaxes(title=None, type="category")
    return styled(figure, title="Long-run reach, by sharing",
                   legend=dict(orientation="h", y=-0.15))


def _month_ends(projection: Projection) -> list[date]:
    """Where each point of a path is drawn: today, then the last day of each month after it."""
    return month_ends_after(projection.start, len(projection.path) - 1)


def paths_chart(projections: dict[str, Projection], *, chosen: str, until: date, under_two: bool = False) -> go.Figure:
    """A line per sharing option of reach month by month (the saw-tooth of the sharing cycle
    shows: lowest just before each share lands), the chosen option thicker and named so, the
    target's line (the projections' outstanding threshold), and the inspection date marked.
    With `under_two`, the paths are reach under two, and the title and axis say so."""
    figure = go.Figure()
    for name, projection in projections.items():
        label = SHARING_LABELS[name] + (" (chosen)" if name == chosen else "")
        figure.add_trace(go.Scatter(
            x=_month_ends(projection), y=[point["reach_pct"] for point in projection.path], mode="lines+markers",
            name=label, legendgroup=name,
            line=dict(color=SHARING_COLOURS[name], dash=SHARING_DASHES[name], width=4 if name == chosen else 2),
            marker=dict(size=5), hovertemplate="%{x|%b %Y}: %{y:.1f}%<extra>" + label + "</extra>",
        ))
    target_share = next(iter(projections.values())).target_share
    _target_line(figure, target_share)
    inspection = until.isoformat()
    figure.add_vline(x=inspection, line=dict(color=LINE_COLOUR, dash="dot", width=1.5))
    figure.add_annotation(x=inspection, y=1, yref="paper", text="Inspection", showarrow=False,
                          xanchor="right", yanchor="bottom")
    figure.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=f"Inspection date: {long_date(until)}",
                                line=dict(color=LINE_COLOUR, dash="dot", width=1.5)))
    # The saw-tooth is a few points deep: start the axis near the lowest figure, not at zero.
    values = [point["reach_pct"] for projection in projections.values() for point in projection.path]
    lowest = min([*values, 100.0 * target_share])
    figure.update_yaxes(title=f"Share of {'under-twos' if under_two else 'under-fives'} known", ticksuffix="%",
                        range=[max(0.0, 10 * math.floor(lowest / 10 - 0.5)), max(101.0, max(values) + 1)])
    figure.update_xaxes(title=None)
    return styled(figure, title="Reach under two month by month" if under_two else "Reach month by month", height=480,
                   legend=dict(orientation="h", y=-0.15))


def steady_state_svg(table: pd.DataFrame, *, chosen: str, target_share: float = TARGET_SHARE) -> str:
    """`steady_state_chart` as inline SVG: a bar of long-run reach per sharing option, its figure
    written at the bar's foot (clear of the target's line), the chosen option dark and named so."""
    columns = [(SHARING_LABELS[name], float(value), name == chosen)
               for name, value in zip(table["sharing_option"], table["long_run_reach_pct"])]
    return svg_figures.columns_chart(
        "Long-run reach, by sharing", columns, axis_words="Share of under-fives known",
        level=(100.0 * target_share, f"Outstanding from {target_words(target_share)}", svg_figures.TARGET_COLOUR),
        hover_words="{label}: {value} in the long run")


def paths_svg(projections: dict[str, Projection], *, chosen: str, until: date, under_two: bool = False) -> str:
    """`paths_chart` as inline SVG: a line per sharing option month by month (the chosen one
    thicker and named so), the target's line, the inspection date marked; with `under_two`, reach
    under two."""
    series: list[svg_figures.Series] = []
    for name, projection in projections.items():
        label = SHARING_LABELS[name] + (" (chosen)" if name == chosen else "")
        points: list[tuple[object, float | None]] = [(day, point["reach_pct"])
                                                     for day, point in zip(_month_ends(projection), projection.path)]
        series.append((label, points, SHARING_COLOURS[name], _SVG_DASHES[name], 4.0 if name == chosen else 2.0))
    target_share = next(iter(projections.values())).target_share
    values = [point["reach_pct"] for projection in projections.values() for point in projection.path]
    lowest = min([*values, 100.0 * target_share])
    return svg_figures.line_chart(
        "Reach under two month by month" if under_two else "Reach month by month", series,
        levels=[(100.0 * target_share, f"Outstanding from {target_words(target_share)}", svg_figures.TARGET_COLOUR)],
        axis_words=f"Share of {'under-twos' if under_two else 'under-fives'} known",
        low=max(0.0, 10 * math.floor(lowest / 10 - 0.5)), high=max(101.0, max(values) + 1),
        marked_day=until, marked_words=f"Inspection date: {long_date(until)}", marked_label="Inspection",
        point_words="{name}, {day}: {value}", width=svg_figures.HALF_WIDTH)


_SVG_DASHES = {"monthly": "", "quarterly": "2,3", "6-monthly": "8,3,2,3", "annual": "10,4", "none": ""}
