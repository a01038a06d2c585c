"""Charts drawn as inline SVG, for the HTML report: no script, no font or image fetched, sharp
when printed (inline SVG in HTML needs no namespace address, so none is written). Every text
from the data (a centre's name, an LSOA's name) is escaped with `safe_text.html_text`. A figure
withheld for publication (the rule's marker, text) is written as it is and never drawn.
"""

from __future__ import annotations

import math

import pandas as pd

from reach.domain.measures import Bands
from reach.domain.stats import Interval
from reach.presentation import format as fmt
from reach.presentation.safe_text import html_text
from reach.presentation.wording import reword, reword_label

# Fills of the band ranges, lightest for the best, and of the marks drawn over them.
BAND_FILLS = {"inadequate": "#d9d9d9", "requires improvement": "#e6e6e6", "good": "#f0f0f0",
              "outstanding": "#f8f8f8"}
INK, SECOND_INK, COMPARATOR = "#1f4e79", "#7f7f7f", "#c55a11"
FONT = 'font-family="Arial, Helvetica, sans-serif"'


def drawable_number(value) -> float | None:
    """A figure that can be drawn: None for a blank or a withheld one (the marker)."""
    if value is None or isinstance(value, str) or value is pd.NA:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (f'<svg role="img" viewBox="0 0 {width} {height}" '
            f'width="100%" style="max-width:{width}px" {FONT} font-size="12">'
            f"<title>{html_text(title)}</title>{''.join(body)}</svg>")


def band_bullets(rows: list[tuple[str, object, Interval | None, object]], *, bands: Bands, title: str) -> str:
    """Figures against the indicative bands, one row each: (label, value %, its 95% interval or
    None, all centres' value % or None). The bands are the shaded ranges, the figure the dark
    bar, the interval the whisker across its end, all centres the orange tick."""
    left, width, row_height = 150, 440, 46
    height = row_height * len(rows) + 34

    def x(pct: float) -> float:
        return left + width * min(max(pct, 0.0), 100.0) / 100.0

    body: list[str] = []
    edges = [(0.0, bands.requires_improvement, "inadequate"),
             (bands.requires_improvement, bands.good, "requires improvement"),
             (bands.good, bands.outstanding, "good"), (bands.outstanding, 100.0, "outstanding")]
    for i, (label, value, interval, comparator) in enumerate(rows):
        top = 8 + i * row_height
        body.append(f'<text x="{left - 8}" y="{top + 20}" text-anchor="end">{html_text(label)}</text>')
        for low, high, band in edges:
            body.append(f'<rect x="{x(low):.1f}" y="{top + 4}" width="{x(high) - x(low):.1f}" height="26" '
                        f'fill="{BAND_FILLS[band]}" stroke="#ffffff"/>')
        figure = drawable_number(value)
        if figure is None:
            shown = value if isinstance(value, str) else fmt.NO_FIGURE
            body.append(f'<text x="{left + 6}" y="{top + 22}" fill="{INK}">{html_text(shown)} '
                        f'(no figure to draw)</text>')
        else:
            body.append(f'<rect x="{left}" y="{top + 11}" width="{x(figure) - left:.1f}" height="12" fill="{INK}"/>')
            if interval is not None:
                lo, hi = x(interval.lower), x(interval.upper)
                body.append(f'<path d="M{lo:.1f},{top + 17} H{hi:.1f} M{lo:.1f},{top + 11} V{top + 23} '
                            f'M{hi:.1f},{top + 11} V{top + 23}" stroke="#000000" stroke-width="1.5" fill="none"/>')
            body.append(f'<text x="{left + width + 6}" y="{top + 21}" font-weight="bold">'
                        f"{html_text(fmt.percent(figure))}</text>")
        other = drawable_number(comparator)
        if other is not None:
            body.append(f'<path d="M{x(other):.1f},{top + 2} V{top + 32}" stroke="{COMPARATOR}" stroke-width="3"/>')
    axis = 8 + len(rows) * row_height
    ticks = [0.0, bands.requires_improvement, bands.good, bands.outstanding]
    if 100.0 - bands.outstanding >= 8:        # closer than that, the two labels would overlap
        ticks.append(100.0)
    for pct in ticks:
        body.append(f'<text x="{x(pct):.1f}" y="{axis + 6}" text-anchor="middle" fill="{SECOND_INK}" '
                    f'font-size="10">{pct:g}%</text>')
    # The key on two lines, so it fits the chart's width.
    body.append(f'<text x="{left}" y="{axis + 22}" fill="{SECOND_INK}" font-size="10">Shaded: the indicative '
                f"bands (inadequate, requires improvement, good, outstanding).</text>")
    body.append(reword(f'<text x="{left}" y="{axis + 35}" fill="{SECOND_INK}" font-size="10">Black whisker: the 95% '
                f"interval. Orange tick: all centres.</text>"))
    return _svg(left + width + 60, height + 14, title, body)


def trend_lines(trend: pd.DataFrame, *, bands: Bands, value: str = "reach_pct", title: str) -> str:
    """Each series of `trend` (columns as_at, series, `value`) as a line by date, the first solid
    and the others dotted, over the band thresholds. A withheld point breaks its line."""
    left, top, width, height = 46, 12, 560, 220
    dates = sorted(pd.unique(trend["as_at"]))
    if not dates:
        return _svg(left + width + 20, 60, title, ['<text x="10" y="30">No trend to draw.</text>'])
    values = [v for v in (drawable_number(v) for v in trend[value]) if v is not None]
    ceiling = max(100.0, *values) if values else 100.0
    step = width / max(len(dates) - 1, 1)

    def x(day) -> float:
        return left + step * dates.index(day)

    def y(pct: float) -> float:
        return top + height * (1 - pct / ceiling)

    body: list[str] = []
    for pct in range(0, int(ceiling) + 1, 25):
        body.append(f'<path d="M{left},{y(pct):.1f} H{left + width}" stroke="#eeeeee"/>'
                    f'<text x="{left - 6}" y="{y(pct) + 4:.1f}" text-anchor="end" font-size="10">{pct}%</text>')
    for name, level in (("outstanding", bands.outstanding), ("good", bands.good),
                        ("requires improvement", bands.requires_improvement)):
        body.append(f'<path d="M{left},{y(level):.1f} H{left + width}" stroke="{SECOND_INK}" stroke-dasharray="2,3"/>'
                    f'<text x="{left + width + 4}" y="{y(level) + 4:.1f}" font-size="9" fill="{SECOND_INK}">'
                    f"{html_text(name)}</text>")
    every = max(1, math.ceil(len(dates) / 8))
    for i, day in enumerate(dates):
        if i % every == 0 or i == len(dates) - 1:
            shown = pd.Timestamp(day).strftime("%b %Y")
            body.append(f'<text x="{x(day):.1f}" y="{top + height + 16}" text-anchor="middle" '
                        f'font-size="10">{shown}</text>')
    series_names = list(dict.fromkeys(trend["series"]))
    for k, name in enumerate(series_names):
        rows = trend[trend["series"] == name].sort_values("as_at")
        colour, dash = (INK, "") if k == 0 else (COMPARATOR, ' stroke-dasharray="5,4"')
        runs: list[list[str]] = [[]]
        for day, v in zip(rows["as_at"], rows[value]):
            figure = drawable_number(v)
            if figure is None:
                runs.append([])
            else:
                runs[-1].append(f"{x(day):.1f},{y(figure):.1f}")
        for run in runs:
            if len(run) > 1:
                body.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                            f'stroke-width="2"{dash}/>')
            elif run:
                cx, cy = run[0].split(",")
                body.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{colour}"/>')
        legend_y = top + height + 34 + 16 * k
        body.append(f'<path d="M{left},{legend_y - 4} h24" stroke="{colour}" stroke-width="2"{dash}/>'
                    f'<text x="{left + 30}" y="{legend_y}">{html_text(reword_label(name))}</text>')
    return _svg(left + width + 110, top + height + 40 + 16 * len(series_names), title, body)


def bars(labels: list[str], values: list, *, title: str, top: int = 15) -> str:
    """Horizontal bars, largest first, at most `top` of them; a withheld value is written, not drawn."""
    def largest_first(pair) -> float:
        figure = drawable_number(pair[1])
        return -figure if figure is not None else 1.0

    pairs = sorted(zip(labels, values), key=largest_first)[:top]
    left, width, row_height = 230, 330, 20
    largest = max([drawable_number(v) or 0 for _, v in pairs] + [1])
    body: list[str] = []
    for i, (label, value) in enumerate(pairs):
        y = 6 + i * row_height
        body.append(f'<text x="{left - 8}" y="{y + 13}" text-anchor="end">{html_text(label)}</text>')
        figure = drawable_number(value)
        if figure is None:
            shown = value if isinstance(value, str) else fmt.NO_FIGURE
            body.append(f'<text x="{left + 4}" y="{y + 13}">{html_text(shown)}</text>')
            continue
        length = width * figure / largest
        body.append(f'<rect x="{left}" y="{y + 2}" width="{length:.1f}" height="{row_height - 6}" fill="{INK}"/>'
                    f'<text x="{left + length + 4:.1f}" y="{y + 13}">{html_text(fmt.count(figure))}</text>')
    if not pairs:
        body.append('<text x="10" y="20">Nothing to draw.</text>')
    return _svg(left + width + 60, 12 + row_height * max(len(pairs), 1), title, body)
