"""The what-if page's figures: the long-run reach of every sharing option, and reach month by
month to the inspection date under each, drawn as inline SVG (`reach.presentation.svg_figures`,
so the page opens without starting Plotly in the browser); each mark carries what it shows, so a
test can read them.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from reach.domain.months import month_ends_after
from reach.domain.whatif import TARGET_SHARE, Projection
from reach.presentation import svg_figures
from reach.presentation.summaries import long_date
from reach.presentation.whatif_sentences import target_words
from reach.presentation.whatif_settings import SHARING_LABELS

# Each sharing option's line differs by its dashes as well as its colour, so the options can be
# told apart without seeing colour (and in print).
SHARING_COLOURS = {"monthly": "#0072B2", "quarterly": "#009E73", "6-monthly": "#E69F00",
                   "annual": "#D55E00", "none": "#999999"}
SHARING_DASHES = {"monthly": "", "quarterly": "2,3", "6-monthly": "8,3,2,3", "annual": "10,4", "none": ""}


def _month_ends(projection: Projection) -> list[date]:
    """Where each point of a path is drawn: today, then the last day of each month after it."""
    return month_ends_after(projection.start, len(projection.path) - 1)


def steady_state_svg(table: pd.DataFrame, *, chosen: str, target_share: float = TARGET_SHARE) -> str:
    """A bar of long-run reach per sharing option, its figure written at the bar's foot (clear of
    the target's line, the outstanding threshold), the chosen option dark and named so."""
    columns = [(SHARING_LABELS[name], float(value), name == chosen)
               for name, value in zip(table["sharing_option"], table["long_run_reach_pct"])]
    return svg_figures.columns_chart(
        "Long-run reach, by sharing", columns, axis_words="Share of under-fives known",
        level=(100.0 * target_share, f"Outstanding from {target_words(target_share)}", svg_figures.TARGET_COLOUR),
        hover_words="{label}: {value} in the long run")


def paths_svg(projections: dict[str, Projection], *, chosen: str, until: date, under_two: bool = False) -> str:
    """A line per sharing option of reach month by month (the saw-tooth of the sharing cycle
    shows: lowest just before each share lands), the chosen option thicker and named so, the
    target's line (the projections' outstanding threshold), and the inspection date marked. The
    axis starts near the lowest figure, not at zero, so the saw-tooth shows. With `under_two`,
    the paths are reach under two, and the title and axis say so."""
    series: list[svg_figures.Series] = []
    for name, projection in projections.items():
        label = SHARING_LABELS[name] + (" (chosen)" if name == chosen else "")
        points: list[tuple[object, float | None]] = [(day, point["reach_pct"])
                                                     for day, point in zip(_month_ends(projection), projection.path)]
        series.append((label, points, SHARING_COLOURS[name], SHARING_DASHES[name], 4.0 if name == chosen else 2.0))
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
