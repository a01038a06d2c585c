"""The Best Start page's charts, as pure functions returning plotly figures (a test reads what
they show). Hidden figures ("c") are left off a chart, never drawn as zero; names from files go
through `plotly_text`."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from reach.presentation.best_start_sentences import number, school_year
from reach.presentation.charts import AUTHORITY_COLOUR, LINE_COLOUR, TARGET_COLOUR, short_name, styled, threshold_line
from reach.presentation.safe_text import plotly_text
from reach.presentation.wording import current


def _shown(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    return frame.assign(_value=frame[column].map(number)).dropna(subset=["_value"])


def gld_chart(sites: pd.DataFrame, *, target_pct: float, authority_pct=None) -> go.Figure:
    """Each site's GLD % with its 95% interval, against the target (and the authority's figure)."""
    words = current()
    shown = _shown(sites, "gld_pct").sort_values(["_value", "centre_id"])
    low = shown["gld_low"].map(number)
    high = shown["gld_high"].map(number)
    labels = [plotly_text(short_name(str(name))) for name in shown.get("centre_name", shown["centre_id"])]
    figure = go.Figure(go.Scatter(
        x=shown["_value"], y=labels, mode="markers", name=f"{words.site_title} GLD %",
        marker=dict(color=LINE_COLOUR, size=9),
        error_x=dict(type="data", symmetric=False, array=(high - shown["_value"]).tolist(),
                     arrayminus=(shown["_value"] - low).tolist(), color=AUTHORITY_COLOUR),
        hovertemplate="%{y}: %{x:.1f}%<extra>%{fullData.name}</extra>"))
    threshold_line(figure, target_pct, words=f"Target {target_pct:g}%", colour=TARGET_COLOUR, axis="x")
    authority = number(authority_pct)
    if authority is not None:
        threshold_line(figure, authority, words=f"Authority {authority:.1f}%", colour=AUTHORITY_COLOUR, axis="x")
    return styled(figure, title=f"Good level of development by {words.site}, with 95% intervals",
                  height=max(300, 40 + 28 * len(shown)), xaxis=dict(title="GLD %", range=[0, 100]),
                  yaxis=dict(title=None))


def gld_trend_chart(trend: pd.DataFrame, *, target_pct: float) -> go.Figure:
    """The authority's GLD % for each assessment year (oldest first, as school years), with its 95%
    interval, against the target. A hidden year is left off."""
    shown = _shown(trend, "gld_pct").sort_values("assessment_year")
    low = shown["gld_low"].map(number)
    high = shown["gld_high"].map(number)
    figure = go.Figure(go.Scatter(
        x=[school_year(year) for year in shown["assessment_year"]], y=shown["_value"].tolist(), mode="lines+markers",
        name="Authority GLD %", line=dict(color=LINE_COLOUR), marker=dict(color=LINE_COLOUR, size=9),
        error_y=dict(type="data", symmetric=False, array=(high - shown["_value"]).tolist(),
                     arrayminus=(shown["_value"] - low).tolist(), color=AUTHORITY_COLOUR),
        hovertemplate="%{x}: %{y:.1f}%<extra>%{fullData.name}</extra>"))
    threshold_line(figure, target_pct, words=f"Target {target_pct:g}%", colour=TARGET_COLOUR, axis="y")
    return styled(figure, title="Good level of development in the authority by school year, with 95% intervals",
                  xaxis=dict(title="School year", type="category"), yaxis=dict(title="GLD %", range=[0, 100]))


def under_two_chart(sites: pd.DataFrame) -> go.Figure:
    """Each site's reach under two, as bars, highest last."""
    words = current()
    shown = _shown(sites, "reach_under2_pct").sort_values(["_value", "centre_id"])
    labels = [plotly_text(short_name(str(name))) for name in shown["centre_name"]]
    figure = go.Figure(go.Bar(x=shown["_value"], y=labels, orientation="h", name="Reach under two %",
                              marker=dict(color=TARGET_COLOUR),
                              hovertemplate="%{y}: %{x:.1f}%<extra>%{fullData.name}</extra>"))
    return styled(figure, title=f"Reach under two by {words.site}", height=max(300, 40 + 28 * len(shown)),
                  xaxis=dict(title="Reach under two %", rangemode="tozero"), yaxis=dict(title=None),
                  showlegend=False)


def far_deprived_chart(far: pd.DataFrame) -> go.Figure:
    """The most deprived LSOAs furthest from a site, by their distance to the nearest one."""
    words = current()
    shown = far.sort_values(["distance_km", "lsoa_code"], ascending=[True, False])
    figure = go.Figure(go.Bar(x=shown["distance_km"], y=[plotly_text(str(code)) for code in shown["lsoa_code"]],
                              orientation="h", name=f"Distance to the nearest {words.site} (km)",
                              marker=dict(color=AUTHORITY_COLOUR),
                              hovertemplate="%{y}: %{x:.1f} km<extra>%{fullData.name}</extra>"))
    return styled(figure, title=f"Most deprived LSOAs furthest from a {words.site}",
                  height=max(300, 40 + 28 * len(shown)), xaxis=dict(title="km", rangemode="tozero"),
                  yaxis=dict(title=None), showlegend=False)
