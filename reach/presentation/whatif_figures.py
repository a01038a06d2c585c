"""The what-if page's figures: the long-run reach of every sharing option, and reach month by
month to the inspection date under each, as plotly figures a test can read.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from reach.domain.months import month_ends_after
from reach.domain.whatif import TARGET_SHARE, Projection
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
    # Figures written inside the top of each bar, clear of the target's line just above most of them.
    figure = go.Figure(go.Bar(
        x=labels, y=table["long_run_reach_pct"], name="Long-run reach",
        text=[percent(v) for v in table["long_run_reach_pct"]], textposition="inside", insidetextanchor="end",
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


def paths_chart(projections: dict[str, Projection], *, chosen: str, until: date) -> go.Figure:
    """A line per sharing option of reach month by month (the saw-tooth of the sharing cycle
    shows: lowest just before each share lands), the chosen option thicker and named so, the
    target's line (the projections' outstanding threshold), and the inspection date marked."""
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
    figure.update_yaxes(title="Share of under-fives known", ticksuffix="%",
                        range=[max(0.0, 10 * math.floor(lowest / 10 - 0.5)), max(101.0, max(values) + 1)])
    figure.update_xaxes(title=None)
    return styled(figure, title="Reach month by month", height=480,
                   legend=dict(orientation="h", y=-0.15))
