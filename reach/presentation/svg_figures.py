"""The pages' charts drawn as inline SVG: on the page at once, with no charting code to start in
the browser.

A page opened in a new tab (a bookmark, a shared link, a reload) spent about 0.65 s of a quiet
machine, and 1 to 1.8 s of a busy one, starting Plotly's 4.7 MB of code before its first chart
could be drawn, whatever the chart. These charts need none of what Plotly adds (zoom, pan), so
they are drawn here as SVG, each mark's figure on hover (an SVG `<title>`, which the browser
shows as a tooltip and a screen reader reads). Plotly stays where it is needed: the map
(`reach.presentation.maps`), which zooms.

This module is the one home of the colours the charts share, so a band looks the same on every
page. Meaning is never carried by colour alone: each band and each comparison has its words in the
key and on hover, and comparisons also differ by marker shape. The colours are from the Okabe-Ito
set, which people with the common colour-vision deficiencies can tell apart.

Every text from the data (a centre's name, an LSOA's name) is escaped with
`safe_text.html_text`. Each chart is one `<svg>` in a `<div class="reach-chart">` that names it
(`data-title`); each mark carries what it shows (`data-series`, `data-label`, `data-value`), so a
test can read what is drawn.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd

from reach.domain.comparison import Measure, measure
from reach.domain.measures import DEPRIVED, NO_BAND, Bands
from reach.domain.stats import COMPARISON_WORDS, Z_95, Z_998, Interval, funnel_limits
from reach.presentation.safe_text import html_text
from reach.presentation.svg_charts import drawable_number
from reach.presentation.summaries import band_range, threshold
from reach.presentation.best_start_sentences import school_year
from reach.presentation.wording import current, reword

NAME_ENDINGS = (" children's centre", " children’s centre", " childrens centre", " family hub", " centre")


def short_name(name: str, *, limit: int = 20) -> str:
    """A centre's name short enough to label a marker: without a closing "Children's Centre" or
    "Family Hub" (every marker is a centre), and cut with an ellipsis beyond `limit` characters."""
    text = str(name).strip()
    for ending in NAME_ENDINGS:
        if text.lower().endswith(ending) and len(text) > len(ending):
            text = text[: -len(ending)].rstrip()
            break
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# The charts' colours (see the module's docstring).
BAND_COLOURS = {"outstanding": "#0072B2", "good": "#56B4E9", "requires improvement": "#E69F00",
                "inadequate": "#D55E00", NO_BAND: "#BBBBBB"}
COMPARISON_COLOURS = {"better": "#0072B2", "similar": "#F0E442", "worse": "#D55E00", "flagged": "#888888",
                      "no figure": "#BBBBBB"}
LINE_COLOUR, AUTHORITY_COLOUR, GRID = "#333333", "#666666", "#E5E5E5"
TARGET_COLOUR, GOOD_COLOUR = BAND_COLOURS["outstanding"], BAND_COLOURS["good"]
SERIES_COLOURS = [LINE_COLOUR, AUTHORITY_COLOUR, "#009E73", "#CC79A7"]
SERIES_DASHES = ["", "2,3", "8,3,2,3", "10,4"]

WIDTH = 560                 # the drawing's own width, that of a 3:2 column at 1400 px: scaled to fit
HALF_WIDTH = 460            # for a chart in a half-width column
TITLE_CHARACTERS = 52       # a title longer than this is broken onto more lines
TITLE_LINE_PX = 20
CHARACTER_PX = 7.2          # a generous width of one character at 13 px


def _escaped(value) -> str:
    """Text for the drawing: on one line (a blank line would end the HTML block that Markdown
    passes through as it is) and escaped."""
    return html_text(" ".join(str(value).splitlines()))


def _attribute(value) -> str:
    return _escaped(str(value))


def title_lines(title: str, width: int = TITLE_CHARACTERS) -> list[str]:
    """`title` broken at spaces into lines of at most `width` characters (a longer word stays whole)."""
    return textwrap.wrap(title, width=width, break_long_words=False, break_on_hyphens=False) or [""]


def _title(title: str) -> tuple[list[str], float]:
    """The title's lines, top left, and the height they take."""
    lines = title_lines(title)
    body = [f'<text x="0" y="{16 + TITLE_LINE_PX * i}" font-size="15" fill="#222222">{_escaped(line)}</text>'
            for i, line in enumerate(lines)]
    return body, 12 + TITLE_LINE_PX * len(lines)


def chart(title: str, height: float, body: list[str], *, width: int = WIDTH) -> str:
    """One chart: the title, then `body` (drawn in a `width` x `height` box below the title's lines)."""
    heading, top = _title(title)
    return (f'<div class="reach-chart" data-title="{_attribute(title)}" style="width:100%">'
            f'<svg role="img" aria-label="{_attribute(title)}" viewBox="0 0 {width} {top + height:.0f}" '
            f'width="100%" font-size="13" style="max-width:{int(width * 1.25)}px;display:block">'
            f"<title>{_escaped(title)}</title>{''.join(heading)}"
            f'<g transform="translate(0,{top})">{"".join(body)}</g></svg></div>')


def _mark(tag: str, attributes: str, hover: str, **data) -> str:
    """An SVG element with its hover text and what it shows as data attributes."""
    shown = "".join(f' data-{name}="{_attribute(value)}"' for name, value in data.items() if value is not None)
    return f"<{tag} {attributes}{shown}><title>{_escaped(hover)}</title></{tag}>"


def _text(x: float, y: float, words: str, *, anchor: str = "start", size: int = 13, fill: str = "#333333",
          weight: str = "normal", halo: bool = False, **data) -> str:
    """Text at (x, y); with `halo`, edged in white, so a line drawn behind it never crosses the
    words (a label by a marker, where the target's or a limit's line may pass)."""
    shown = "".join(f' data-{name}="{_attribute(value)}"' for name, value in data.items() if value is not None)
    bold = ' font-weight="bold"' if weight == "bold" else ""
    if halo:
        bold += ' stroke="#FFFFFF" stroke-width="3.5" stroke-linejoin="round" paint-order="stroke"'
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}"{bold}{shown}>'
            f"{_escaped(words)}</text>")


def _legend(items: list[tuple[str, str, str, str]], *, top: float, left: float = 0, width: float = WIDTH
            ) -> tuple[list[str], float]:
    """The key, in rows under the chart: (kind: 'line', 'box' or 'dot', colour, dash, words).
    Returns the drawing and the height it takes."""
    body: list[str] = []
    x, y = left, top + 12
    for kind, colour, dash, words in items:
        needed = 30 + CHARACTER_PX * len(words) + 16
        if x > left and x + needed > width:
            x, y = left, y + 18
        if kind == "line":
            dashes = f' stroke-dasharray="{dash}"' if dash else ""
            body.append(f'<path d="M{x:.1f},{y - 4:.1f} h24" stroke="{colour}" stroke-width="2"{dashes}/>')
        elif kind == "dot":
            body.append(f'<circle cx="{x + 12:.1f}" cy="{y - 4:.1f}" r="5" fill="{colour}"/>')
        elif kind.startswith("symbol:"):
            body.append(f"<path {symbol(kind.split(':', 1)[1], x + 12, y - 4, colour, 6)}/>")
        elif kind == "hollow":
            body.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="24" height="12" fill="#FFFFFF" '
                        f'stroke="{colour}" stroke-width="1.5"/>')
        elif kind == "pale":          # a band's zone, drawn pale as on the chart
            body.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="24" height="12" fill="{colour}" '
                        'fill-opacity="0.35"/>')
        else:
            body.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="24" height="12" fill="{colour}"/>')
        body.append(_text(x + 30, y, words, legend=words))
        x += needed
    return body, (y - top) + 10 if items else 0


def _nice_step(span: float, most: int = 8) -> float:
    """A round step for the axis ticks: 1, 2, 5 times a power of ten, at most `most` ticks."""
    if span <= 0:
        return 1.0
    raw = span / most
    power = 10 ** math.floor(math.log10(raw))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= raw)


# --- centres by band --------------------------------------------------------------------------

def band_counts_chart(counts: pd.DataFrame, *, bands: Bands, width: int = WIDTH) -> str:
    """Bars of the number of centres in each indicative band, best band at the top, each
    labelled with the band's range and its count."""
    labels = [band_range(b, bands) if b != NO_BAND else NO_BAND for b in counts["band"]]
    values = [int(v) for v in counts["centres"]]
    most = max([1, *values])
    left = min(270, 12 + CHARACTER_PX * max([len(label) for label in labels] + [4]))
    plot = width - left - 40
    row = 34
    step = 1 if most <= 10 else _nice_step(most)
    ceiling = most * 1.15
    body: list[str] = []
    bottom = row * len(labels)
    for k in range(0, int(ceiling / step) + 1):
        x = left + plot * k * step / ceiling
        body.append(f'<path d="M{x:.1f},0 V{bottom}" stroke="{GRID}"/>')
        body.append(_text(x, bottom + 16, f"{k * step:g}", anchor="middle", size=12, fill="#555555"))
    centres_word = reword("centres")
    for i, (band, label, value) in enumerate(zip(counts["band"], labels, values)):
        y = i * row
        body.append(_text(left - 8, y + row / 2 + 4, label, anchor="end"))
        length = plot * value / ceiling
        body.append(_mark("rect", f'x="{left}" y="{y + 6}" width="{length:.1f}" height="{row - 12}" '
                          f'fill="{BAND_COLOURS[band]}"', f"{label}: {value} {centres_word}",
                          series=reword("Centres"), label=label, value=value))
        body.append(_text(left + length + 5, y + row / 2 + 4, f"{value:,}", value=value))
    body.append(_text(left + plot / 2, bottom + 34, reword("Centres"), anchor="middle", size=12, fill="#555555"))
    return chart(reword("Centres by indicative band"), bottom + 44, body, width=width)


# --- a figure month by month --------------------------------------------------------------------

Series = tuple[str, list[tuple[object, float | None]], str, str, float]     # name, points, colour, dash, width


def line_chart(title: str, series: list[Series], *, levels: list[tuple[float, str, str]],
               axis_words: str | None = None, low: float = 0.0, high: float | None = None,
               marked_day=None, marked_words: str | None = None, marked_label: str | None = None,
               point_words: str = "{name}, {day}: {value}",
               width: int = WIDTH) -> str:
    """Lines of percentages by date: each of `series` (a point with no figure breaks its line),
    dashed lines across at `levels` (value, words, colour), named in the key, and with
    `marked_day` a dotted line down at that date, named `marked_words`. Each point's hover
    says its series, date and figure (`point_words`)."""
    days = sorted({pd.Timestamp(day) for _, points, *_ in series for day, _ in points})
    left, plot_w, plot_h, top = 46, width - 62, 260, 6
    figures = [v for _, points, *_ in series for _, v in points if v is not None]
    ceiling = high if high is not None else (max(100.0, max(figures) + 5) if figures else 100.0)
    first, last = (days[0], days[-1]) if days else (pd.Timestamp(0), pd.Timestamp(0))
    span = max((last - first).days, 1)

    def x(day) -> float:
        return left + (plot_w * (pd.Timestamp(day) - first).days / span if len(days) > 1 else plot_w / 2)

    def y(pct: float) -> float:
        return top + plot_h * (1 - (pct - low) / (ceiling - low))

    body: list[str] = []
    step = _nice_step(ceiling - low, 6)
    tick = math.ceil(low / step) * step
    while tick <= ceiling + 1e-9:
        body.append(f'<path d="M{left},{y(tick):.1f} H{left + plot_w}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y(tick) + 4, f"{tick:g}%", anchor="end", size=12, fill="#555555"))
        tick += step
    if axis_words:
        body.append(f'<text transform="translate(11,{top + plot_h / 2:.0f}) rotate(-90)" text-anchor="middle" '
                    f'font-size="12" fill="#555555">{_escaped(axis_words)}</text>')
    every = max(1, math.ceil(len(days) / 6))        # about six dates along the axis, the last among them
    for i, day in enumerate(days):
        if (len(days) - 1 - i) % every == 0:
            edge = "end" if x(day) > left + plot_w - 30 else "middle"       # the last date kept inside
            body.append(_text(x(day), top + plot_h + 16, f"{day:%b %Y}", anchor=edge, size=12, fill="#555555"))
    legend: list[tuple[str, str, str, str]] = []
    for level, words, colour in levels:
        if low <= level <= ceiling:
            body.append(_mark("path", f'd="M{left},{y(level):.1f} H{left + plot_w}" stroke="{colour}" '
                              'stroke-width="1.5" stroke-dasharray="6,4"', words, series=words, value=level))
    if marked_day is not None and days and first <= pd.Timestamp(marked_day) <= last:
        at = x(marked_day)
        body.append(f'<path d="M{at:.1f},{top} V{top + plot_h}" stroke="{LINE_COLOUR}" stroke-width="1.5" '
                    'stroke-dasharray="2,3"/>')
        if marked_label:
            body.append(_text(at - 4, top + 12, marked_label, anchor="end", size=12, halo=True))
    for name, points, colour, dash, thickness in series:
        legend.append(("line", colour, dash, name))
        runs: list[list[str]] = [[]]
        dots: list[str] = []
        for day, v in points:
            if v is None:
                runs.append([])
                continue
            runs[-1].append(f"{x(day):.1f},{y(v):.1f}")
            hover = point_words.format(name=name, day=f"{pd.Timestamp(day):%d %b %Y}", value=f"{v:.1f}%")
            dots.append(_mark("circle", f'cx="{x(day):.1f}" cy="{y(v):.1f}" r="{1.2 + thickness / 1.6:.1f}" '
                              f'fill="{colour}"', hover, series=name, label=f"{pd.Timestamp(day):%Y-%m-%d}",
                              value=v))
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        for run in runs:
            if len(run) > 1:
                body.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                            f'stroke-width="{thickness}"{dashes}/>')
        body.extend(dots)
    legend += [("line", colour, "6,4", words) for level, words, colour in levels if low <= level <= ceiling]
    if marked_words:
        legend.append(("line", LINE_COLOUR, "2,3", marked_words))
    key, key_height = _legend(legend, top=top + plot_h + 26, width=width)
    body.extend(key)
    return chart(title, top + plot_h + 30 + key_height, body, width=width)


def _points(frame: pd.DataFrame, value: str) -> list[tuple[object, float | None]]:
    rows = frame.sort_values("as_at")
    return [(day, drawable_number(v)) for day, v in zip(rows["as_at"], rows[value])]


def band_levels(bands: Bands) -> list[tuple[float, str, str]]:
    """The outstanding and good thresholds, as lines across a chart of reach."""
    return [(bands.outstanding, f"Outstanding from {threshold(bands.outstanding)}", TARGET_COLOUR),
            (bands.good, f"Good from {threshold(bands.good)}", GOOD_COLOUR)]


def trend_chart(trend: pd.DataFrame, *, bands: Bands, series: str | None = None, value: str = "reach_pct",
                title: str = "Reach month by month", width: int = WIDTH) -> str:
    """A line per series (a column naming each line, or one line named 'Reach') of a percentage
    at each month-end, with the outstanding and good thresholds drawn and named in the key, and
    each point's date and figure on hover."""
    frame = trend.assign(as_at=pd.to_datetime(trend["as_at"]))
    groups = list(frame.groupby(series, sort=False)) if series else [("Reach", frame)]
    lines: list[Series] = [(str(name), _points(rows, value), SERIES_COLOURS[i % len(SERIES_COLOURS)],
                            SERIES_DASHES[i % len(SERIES_DASHES)], 2.5 if i == 0 else 2.0)
                           for i, (name, rows) in enumerate(groups)]
    return line_chart(title, lines, levels=band_levels(bands), width=width)


# --- What if ----------------------------------------------------------------------------------

def columns_chart(title: str, columns: list[tuple[str, float, bool]], *, level: tuple[float, str, str],
                  axis_words: str, hover_words: str = "{label}: {value}", width: int = HALF_WIDTH) -> str:
    """Upright bars (label, figure %, chosen), each figure written inside the foot of its bar,
    where the dashed line across at `level` (value, words, colour) never crosses it, the chosen
    bar dark; the level named in the key."""
    left, plot_w, plot_h, top = 46, width - 62, 250, 6
    ceiling = 105.0

    def y(pct: float) -> float:
        return top + plot_h * (1 - max(0.0, min(pct, ceiling)) / ceiling)

    body: list[str] = []
    for tick in range(0, 101, 20):
        body.append(f'<path d="M{left},{y(tick):.1f} H{left + plot_w}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y(tick) + 4, f"{tick}%", anchor="end", size=12, fill="#555555"))
    body.append(f'<text transform="translate(11,{top + plot_h / 2:.0f}) rotate(-90)" text-anchor="middle" '
                f'font-size="12" fill="#555555">{_escaped(axis_words)}</text>')
    slot = plot_w / max(len(columns), 1)
    for i, (label, value, chosen) in enumerate(columns):
        centre = left + slot * (i + 0.5)
        bar = slot * 0.7
        fill = LINE_COLOUR if chosen else GOOD_COLOUR
        body.append(_mark("rect", f'x="{centre - bar / 2:.1f}" y="{y(value):.1f}" width="{bar:.1f}" '
                          f'height="{y(0) - y(value):.1f}" fill="{fill}"',
                          hover_words.format(label=label, value=f"{value:.1f}%"), series="bars",
                          label=label + (" (chosen)" if chosen else ""),
                          value=value))
        inside = y(0) - y(value) >= 22
        body.append(_text(centre, y(0) - 8 if inside else y(value) - 5, f"{value:.1f}%", anchor="middle",
                          fill="#FFFFFF" if chosen and inside else "#222222", weight="bold" if chosen else "normal"))
        body.append(_text(centre, top + plot_h + 16, label, anchor="middle", size=12))
        if chosen:
            body.append(_text(centre, top + plot_h + 30, "(chosen)", anchor="middle", size=12))
    value, words, colour = level
    body.append(_mark("path", f'd="M{left},{y(value):.1f} H{left + plot_w}" stroke="{colour}" stroke-width="1.5" '
                      'stroke-dasharray="6,4"', words, series=words, value=value))
    key, key_height = _legend([("line", colour, "6,4", words)], top=top + plot_h + 36, width=width)
    body.extend(key)
    return chart(title, top + plot_h + 40 + key_height, body, width=width)


# --- rows: one centre or group a row ------------------------------------------------------------

FIGURE_COLUMN = 58          # room at the right for each row's figure, clear of every line and mark
NAME_CHARACTERS = 30        # a row's name longer than this is cut with an ellipsis (whole on hover)


def symbol(kind: str, x: float, y: float, colour: str, size: float = 7.0) -> str:
    """A marker's shape (its attributes, for `_mark`): the comparisons differ by shape as well as
    colour (triangles point the way of the difference)."""
    s, low = size, size * 0.8
    if kind == "better":
        return (f'd="M{x:.1f},{y - s:.1f} L{x + s:.1f},{y + low:.1f} L{x - s:.1f},{y + low:.1f} Z" '
                f'fill="{colour}" stroke="#333333"')
    if kind == "worse":
        return (f'd="M{x:.1f},{y + s:.1f} L{x + s:.1f},{y - low:.1f} L{x - s:.1f},{y - low:.1f} Z" '
                f'fill="{colour}" stroke="#333333"')
    if kind == "diamond":
        return (f'd="M{x:.1f},{y - s:.1f} L{x + s:.1f},{y:.1f} L{x:.1f},{y + s:.1f} L{x - s:.1f},{y:.1f} Z" '
                f'fill="{colour}"')
    if kind == "flagged":
        return (f'd="M{x:.1f},{y - s:.1f} L{x + s:.1f},{y:.1f} L{x:.1f},{y + s:.1f} L{x - s:.1f},{y:.1f} Z" '
                f'fill="#FFFFFF" stroke="{colour}" stroke-width="2"')
    if kind == "no figure":
        return (f'd="M{x - size:.1f},{y - size:.1f} L{x + size:.1f},{y + size:.1f} M{x - size:.1f},{y + size:.1f} '
                f'L{x + size:.1f},{y - size:.1f}" stroke="{colour}" stroke-width="2.5"')
    return (f'd="M{x - size:.1f},{y:.1f} a{size:.1f},{size:.1f} 0 1,0 {2 * size:.1f},0 '
            f'a{size:.1f},{size:.1f} 0 1,0 {-2 * size:.1f},0" fill="{colour}" stroke="#333333"')


def _cut(name: str, limit: int) -> str:
    """`name` cut with an ellipsis beyond `limit` characters."""
    return name if len(name) <= limit else name[: max(limit - 1, 1)].rstrip() + "…"


class Rows:
    """The frame of a chart with a row per item: each row's name at the left, an axis of
    percentages (`low` to `high`) under the rows with light grid lines, and at the right a
    column for each row's figure."""

    def __init__(self, names: list[str], *, low: float, high: float, row: float = 34, width: int = WIDTH,
                 figures: bool = True, suffix: str = "%"):
        self.names, self.low, self.high, self.row, self.width = names, low, high, row, width
        self.left = min(14 + CHARACTER_PX * NAME_CHARACTERS, 14 + CHARACTER_PX * max([len(n) for n in names] + [4]))
        self.plot = width - self.left - (FIGURE_COLUMN if figures else 16)
        self.bottom = row * len(names)
        self.body: list[str] = []
        step = _nice_step(high - low, 6)
        tick = math.ceil(low / step) * step
        while tick <= high + 1e-9:
            self.body.append(f'<path d="M{self.x(tick):.1f},0 V{self.bottom}" stroke="{GRID}"/>')
            self.body.append(_text(self.x(tick), self.bottom + 16, f"{tick:g}{suffix}", anchor="middle", size=12,
                                   fill="#555555"))
            tick += step
        for i, name in enumerate(names):
            shown = _cut(name, NAME_CHARACTERS)
            self.body.append(f'<text x="{self.left - 8:.1f}" y="{self.y(i) + 4:.1f}" text-anchor="end" '
                             f'fill="#333333" data-label="{_attribute(name)}">{_escaped(shown)}'
                             f"<title>{_escaped(name)}</title></text>")

    def x(self, value: float) -> float:
        clipped = max(self.low, min(self.high, value))
        return self.left + self.plot * (clipped - self.low) / (self.high - self.low)

    def y(self, i: int) -> float:
        """The middle of row `i` (0 at the top)."""
        return self.row * (i + 0.5)

    def figure(self, i: int, words: str, **data) -> None:
        """Row `i`'s figure, in the column at the right."""
        self.body.append(_text(self.left + self.plot + 8, self.y(i) + 4, words, weight="bold", figure=words, **data))

    def line(self, value: float, words: str, colour: str, dash: str = "6,4") -> None:
        """A line down the rows at `value`, named `words` in the key and on hover."""
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        self.body.append(_mark("path", f'd="M{self.x(value):.1f},-4 V{self.bottom}" stroke="{colour}" '
                               f'stroke-width="1.5"{dashes}', words, series=words, value=value))

    def done(self, title: str, key: list[tuple[str, str, str, str]]) -> str:
        legend, height = _legend(key, top=self.bottom + 24, width=self.width)
        return chart(title, self.bottom + 28 + height, self.body + legend, width=self.width)


# --- Compare centres ----------------------------------------------------------------------------

def _comparison_key(kinds) -> list[tuple[str, str, str, str]]:
    return [(f"symbol:{kind}", COMPARISON_COLOURS[kind], "", words) for kind, words in COMPARISON_WORDS.items()
            if kind in set(kinds)]


def _hover(name: str, chosen: Measure, value, lower, upper, denominator) -> str:
    figure = drawable_number(value)
    parts = [str(name), f"{chosen.name}: {figure:.1f}%" if figure is not None else f"{chosen.name}: no figure"]
    if drawable_number(lower) is not None and drawable_number(upper) is not None:
        parts.append(f"95% interval {float(lower):.1f}% to {float(upper):.1f}%")
    if drawable_number(denominator) is not None:
        parts.append(f"{int(float(denominator)):,} {chosen.denominator_words}")
    return "; ".join(parts)


def league_chart(league: pd.DataFrame, *, measure_key: str, benchmark_pct: float, bands: Bands) -> str:
    """Each centre's figure with its Wilson 95% interval, in the league's order (best at the top),
    its marker's shape and colour saying whether it is higher, similar or lower than the
    authority (hollow grey: not compared, its population estimate flagged), its figure in a
    column at the right (clear of the target's and the authority's lines wherever it sits), and
    the authority's figure and the target drawn down the rows."""
    chosen = measure(measure_key)
    upper, lower = league["upper_95"].max(), league["lower_95"].min()
    has_benchmark = bool(np.isfinite(benchmark_pct))
    floor = min(float(lower), benchmark_pct) if has_benchmark and pd.notna(lower) else float(lower)
    start = max(0.0, 10 * ((floor - 5) // 10)) if pd.notna(lower) else 0.0
    end = max(100.0, float(upper) + 2 if pd.notna(upper) else 100.0)
    rows = Rows([str(name) for name in league["centre_name"]], low=start, high=end, row=30)
    key: list[tuple[str, str, str, str]] = _comparison_key(league["comparison"])
    if has_benchmark:
        words = reword(f"All centres: {benchmark_pct:.1f}%")
        rows.line(benchmark_pct, words, AUTHORITY_COLOUR)
        key.append(("line", AUTHORITY_COLOUR, "6,4", words))
    if chosen.has_target:
        words = f"Outstanding from {threshold(bands.outstanding)}"
        rows.line(bands.outstanding, words, TARGET_COLOUR)
        key.append(("line", TARGET_COLOUR, "6,4", words))
    for i, row in enumerate(league.itertuples(index=False)):
        value, kind = drawable_number(getattr(row, chosen.column)), str(row.comparison)
        y = rows.y(i)
        low, high = drawable_number(row.lower_95), drawable_number(row.upper_95)
        if low is not None and high is not None:
            grey = "#AAAAAA" if kind == "flagged" else "#555555"
            rows.body.append(f'<path d="M{rows.x(low):.1f},{y:.1f} H{rows.x(high):.1f} M{rows.x(low):.1f},{y - 5:.1f} '
                             f'V{y + 5:.1f} M{rows.x(high):.1f},{y - 5:.1f} V{y + 5:.1f}" stroke="{grey}" '
                             'stroke-width="1.5" fill="none"/>')
        hover = _hover(row.centre_name, chosen, value, low, high, getattr(row, chosen.denominator))
        if value is not None:
            rows.body.append(_mark("path", symbol(kind, rows.x(value), y, COMPARISON_COLOURS.get(kind, "#BBBBBB")),
                                   hover, series=kind, label=row.centre_name, value=value))
        rows.figure(i, f"{value:.1f}%" if value is not None else "–", label=row.centre_name)
    return rows.done(reword(f"{chosen.name} by centre"), key)


def _label_positions(xs: list[float], ys: list[float], *, x_span: float, y_span: float) -> list[str]:
    """Above each labelled marker, or below it where a label already placed above a nearby marker
    would overlap: a label is about a tenth of the plot wide and a twentieth high."""
    wide, high = 0.12 * x_span, 0.07 * y_span
    # The labels placed above, by cells a little larger than "nearby": a nearby label is then in
    # the same cell or the next one each way, so a funnel of thousands of centres is not
    # compared pair by pair.
    cell_wide, cell_high = wide * 1.000001, high * 1.000001
    above: dict[tuple[int, int], list[tuple[float, float]]] = {}
    positions = []
    for x, y in zip(xs, ys):
        if not (math.isfinite(x) and math.isfinite(y) and cell_wide > 0 and cell_high > 0):
            positions.append("above")        # near nothing: a missing coordinate compares with nothing
            continue
        column, row = math.floor(x / cell_wide), math.floor(y / cell_high)
        near = any(abs(px - x) < wide and abs(py - y) < high
                   for across in (-1, 0, 1) for down in (-1, 0, 1)
                   for px, py in above.get((column + across, row + down), ()))
        if near:
            positions.append("below")
        else:
            positions.append("above")
            above.setdefault((column, row), []).append((x, y))
    return positions


def funnel_plot(league: pd.DataFrame, *, measure_key: str, benchmark_pct: float, bands: Bands,
                points: int = 120, chosen_centre: str | None = None) -> str:
    """The funnel plot: each centre's figure against its number of children, inside the 95% and
    99.8% limits around the authority's figure (no limits without one). The centres beyond the
    95% limits, those not compared (hollow) and `chosen_centre` are named by their markers with a
    short name; every marker names its centre on hover."""
    chosen = measure(measure_key)
    sizes = league.loc[league[chosen.denominator] > 0, chosen.denominator]
    largest = float(sizes.max()) if len(sizes) else 100.0
    smallest = max(5.0, min(50.0, float(sizes.min()) / 2)) if len(sizes) else 5.0
    grid = np.unique(np.round(np.geomspace(smallest, largest * 1.1, points)).astype(int))
    values = league[chosen.column]
    has_benchmark = bool(np.isfinite(benchmark_pct))
    top = max(100.0, float(values.max()) + 5 if values.notna().any() else 100.0)
    lowest = float(values.min()) if values.notna().any() else benchmark_pct
    bottom = max(0.0, min(lowest - 10, benchmark_pct - 25)) if has_benchmark else max(0.0, lowest - 10)
    left, plot_w, plot_h, head = 50, WIDTH - 66, 330, 6
    right_end = largest * 1.1

    def x(n: float) -> float:
        return left + plot_w * min(max(n, 0.0), right_end) / right_end

    def y(pct: float) -> float:
        return head + plot_h * (1 - (min(max(pct, bottom), top) - bottom) / (top - bottom))

    body: list[str] = []
    step = _nice_step(top - bottom, 6)
    tick = math.ceil(bottom / step) * step
    while tick <= top + 1e-9:
        body.append(f'<path d="M{left},{y(tick):.1f} H{left + plot_w}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y(tick) + 4, f"{tick:g}%", anchor="end", size=12, fill="#555555"))
        tick += step
    body.append(f'<path d="M{left},{head + plot_h} H{left + plot_w}" stroke="#BBBBBB"/>')     # the axis
    step = _nice_step(right_end, 6)
    for k in range(0, int(right_end / step) + 1):
        body.append(_text(x(k * step), head + plot_h + 16, f"{k * step:,.0f}", anchor="middle", size=12,
                          fill="#555555"))
    body.append(_text(left + plot_w / 2, head + plot_h + 34, f"Number of {chosen.denominator_words}",
                      anchor="middle", size=12, fill="#555555"))
    body.append(f'<text transform="translate(12,{head + plot_h / 2:.0f}) rotate(-90)" text-anchor="middle" '
                f'font-size="12" fill="#555555">{_escaped(f"{chosen.name} (%)")}</text>')
    key: list[tuple[str, str, str, str]] = []
    if has_benchmark:
        for z, words, dash in ((Z_998, "99.8% limits", "2,3"), (Z_95, "95% limits", "6,4")):
            low_line, high_line = funnel_limits(benchmark_pct, grid, z=z)
            for part, line in (("upper", high_line), ("lower", low_line)):
                drawn = " ".join(f"{x(n):.1f},{y(v):.1f}" for n, v in zip(grid, line) if np.isfinite(v))
                # The line's last point as data: its size and limit, for a test to check.
                body.append(f'<polyline points="{drawn}" fill="none" stroke="#777777" stroke-width="1.5" '
                            f'stroke-dasharray="{dash}" data-series="{words} {part}" data-label="{grid[-1]}" '
                            f'data-value="{float(line[-1])!r}"><title>{words} ({part})</title></polyline>')
            key.append(("line", "#777777", dash, words))
        words = reword(f"All centres: {benchmark_pct:.1f}%")
        body.append(_mark("path", f'd="M{x(grid[0]):.1f},{y(benchmark_pct):.1f} H{x(grid[-1]):.1f}" '
                          f'stroke="{AUTHORITY_COLOUR}" stroke-width="2"', words, series=words, value=benchmark_pct))
        key.append(("line", AUTHORITY_COLOUR, "", words))
    if chosen.has_target and bottom <= bands.outstanding <= top:
        words = f"Outstanding from {threshold(bands.outstanding)}"
        body.append(_mark("path", f'd="M{x(grid[0]):.1f},{y(bands.outstanding):.1f} H{x(grid[-1]):.1f}" '
                          f'stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="6,4"', words, series=words,
                          value=bands.outstanding))
        key.append(("line", TARGET_COLOUR, "6,4", words))
    labelled = ((league["comparison"].isin(["better", "worse", "flagged"]) | (league["centre_id"] == chosen_centre))
                & values.notna())
    order = league[labelled].sort_values(chosen.denominator)
    positions = dict(zip(order.index, _label_positions(list(order[chosen.denominator].astype(float)),
                                                       list(order[chosen.column]), x_span=right_end,
                                                       y_span=top - bottom)))
    for index, figure, comparison, size, name, lower, upper in zip(
            league.index, league[chosen.column], league["comparison"], league[chosen.denominator],
            league["centre_name"], league["lower_95"], league["upper_95"]):
        value, kind = drawable_number(figure), str(comparison)
        if value is None:
            continue
        at_x, at_y = x(float(size)), y(value)
        body.append(_mark("path", symbol(kind, at_x, at_y, COMPARISON_COLOURS.get(kind, "#BBBBBB")),
                          _hover(name, chosen, value, lower, upper, size),
                          series=kind, label=name, value=value))
        if index in positions:
            below = positions[index] == "below"
            body.append(_text(at_x, at_y + (20 if below else -11), short_name(str(name)),
                              anchor="middle", size=12, halo=True, name=name))
    key = _comparison_key(league["comparison"]) + key
    legend, height = _legend(key, top=head + plot_h + 44)
    return chart(f"Funnel plot: {chosen.name.lower()}", head + plot_h + 48 + height, body + legend)


def similar_centres_chart(similar: pd.DataFrame, *, measure_key: str, benchmark_pct: float) -> str:
    """The chosen centre beside the centres serving similar areas, on one measure: the chosen
    centre at the top, dark and named '(chosen)'; a centre whose population estimate is flagged
    hollow and named so; each figure in a column at the right; the authority's figure as a line."""
    chosen = measure(measure_key)
    doubtful = (similar["denominator_flagged"].fillna(False).astype(bool) if "denominator_flagged" in similar
                else pd.Series(False, index=similar.index))
    names = [_cut(str(n), NAME_CHARACTERS - len(suffix)) + suffix
             for n, c, d in zip(similar["centre_name"], similar["is_chosen"], doubtful)
             for suffix in [{(True, False): " (chosen)", (True, True): " (chosen, estimate flagged)",
                             (False, True): " (estimate flagged)"}.get((bool(c), bool(d)), "")]]
    values = similar[chosen.column]
    high = max(100.0, float(values.max()) + 2 if values.notna().any() else 100.0)
    rows = Rows(names, low=0.0, high=high, row=36)
    for i, (name, value, is_chosen, flagged, share) in enumerate(zip(names, values, similar["is_chosen"], doubtful,
                                                                     similar["deprived_share_pct"])):
        figure = drawable_number(value)
        if figure is not None:
            fill = LINE_COLOUR if is_chosen else "#FFFFFF" if flagged else "#BBBBBB"
            outline = ' stroke="#777777" stroke-width="1.5"' if flagged else ""
            deprived = drawable_number(share)
            hover = (f"{name}: {chosen.name.lower()} {figure:.1f}%"
                     + (f"; {deprived:.0f}% of under-fives in the most deprived areas" if deprived is not None else ""))
            rows.body.append(_mark("rect", f'x="{rows.x(0):.1f}" y="{rows.y(i) - 11:.1f}" '
                                   f'width="{rows.x(figure) - rows.x(0):.1f}" height="22" fill="{fill}"{outline}',
                                   hover, series=chosen.name, label=name, value=figure))
        rows.figure(i, f"{figure:.1f}%" if figure is not None else "–", label=name)
    key: list[tuple[str, str, str, str]] = [("box", LINE_COLOUR, "", "The centre chosen"),
                                            ("box", "#BBBBBB", "", "Centres serving similar areas")]
    if bool(doubtful.any()):
        key.append(("hollow", "#777777", "", "Population estimate flagged"))
    if np.isfinite(benchmark_pct):
        words = reword(f"All centres: {benchmark_pct:.1f}%")
        rows.line(benchmark_pct, words, AUTHORITY_COLOUR)
        key.append(("line", AUTHORITY_COLOUR, "6,4", words))
    return rows.done(f"{chosen.name}: similar areas", [(k, c, d, reword(w)) for k, c, d, w in key])


# --- My centre ----------------------------------------------------------------------------------

def _zones(bands: Bands, top: float) -> list[tuple[str, float, float]]:
    return [("inadequate", 0.0, bands.requires_improvement),
            ("requires improvement", bands.requires_improvement, bands.good),
            ("good", bands.good, bands.outstanding), ("outstanding", bands.outstanding, top)]


def bullet_chart(*, value_pct, interval: Interval | None, bands: Bands, label: str, comparator_pct=None,
                 comparator_label: str = "All centres",
                 missing_words: str = "No figure: no children under five recorded") -> str:
    """The centre's figure in the band zones: a diamond with its 95% interval as whiskers, the
    figure written above the bar (clear of the diamond, the whiskers and the authority's line
    however close they are, and kept inside the chart near either end), each zone named with its
    range in the key, and the authority's figure as a tick to compare with."""
    value = drawable_number(value_pct)
    top = max(100.0, (interval.upper if interval else 0) + 2, (value or 0) + 2)
    left, plot_w = 12, WIDTH - 24
    bar_top, bar_h = 30, 44
    middle = bar_top + bar_h / 2

    def x(pct: float) -> float:
        return left + plot_w * max(0.0, min(pct, top)) / top

    body: list[str] = []
    key: list[tuple[str, str, str, str]] = []
    for band, start, end in _zones(bands, top):
        words = band_range(band, bands)
        body.append(_mark("rect", f'x="{x(start):.1f}" y="{bar_top}" width="{x(end) - x(start):.1f}" height="{bar_h}" '
                          f'fill="{BAND_COLOURS[band]}" fill-opacity="0.35"', words, series="band", label=words,
                          value=end))
        key.append(("pale", BAND_COLOURS[band], "", words))
    for pct in (0, 25, 50, 75, 100):
        body.append(_text(x(pct), bar_top + bar_h + 16, f"{pct}%", anchor="middle", size=12, fill="#555555"))
    comparator = drawable_number(comparator_pct)
    if comparator is not None:
        words = f"{reword(comparator_label)}: {comparator:.1f}%"
        body.append(_mark("path", f'd="M{x(comparator):.1f},{bar_top - 4} V{bar_top + bar_h + 4}" '
                          f'stroke="{AUTHORITY_COLOUR}" stroke-width="3"', words, series="comparator",
                          value=comparator))
        key.append(("line", AUTHORITY_COLOUR, "", words))
    if value is None:
        body.append(_text(left + plot_w / 2, middle + 5, missing_words, anchor="middle", fill="#333333"))
    else:
        if interval is not None:
            lo, hi = x(interval.lower), x(interval.upper)
            body.append(f'<path d="M{lo:.1f},{middle} H{hi:.1f} M{lo:.1f},{middle - 6} V{middle + 6} '
                        f'M{hi:.1f},{middle - 6} V{middle + 6}" stroke="{LINE_COLOUR}" stroke-width="2" fill="none"/>')
        hover = f"{label}: {value:.1f}%" + (f"; 95% interval {interval.lower:.1f}% to {interval.upper:.1f}%"
                                            if interval else "")
        at = x(value)
        body.append(_mark("path", f'd="M{at:.1f},{middle - 9} L{at + 9:.1f},{middle} L{at:.1f},{middle + 9} '
                          f'L{at - 9:.1f},{middle} Z" fill="{LINE_COLOUR}"', hover, series="value", label=label,
                          value=value))
        anchor = "start" if value < 6 else "end" if value > 94 else "middle"
        body.append(_text(at, bar_top - 8, f"{value:.1f}%", anchor=anchor, size=14, weight="bold", halo=True,
                          figure=f"{value:.1f}%"))
        key.insert(0, ("symbol:diamond", LINE_COLOUR, "", f"{label}: {value:.1f}%"))
    legend, height = _legend(key, top=bar_top + bar_h + 26)
    return chart("Reach against the bands", bar_top + bar_h + 30 + height, body + legend)


def _lsoa_labels(frame: pd.DataFrame) -> list[str]:
    """Each row's LSOA: its name where names are loaded (and tell the LSOAs apart), else its code."""
    codes = frame["lsoa_code"].astype(str)
    if "lsoa_name" not in frame.columns:
        return list(codes)
    names = frame["lsoa_name"].astype(object)
    named = names.notna() & names.astype(str).str.strip().ne("")
    labels = names.where(named, codes).astype(str)
    by_code = pd.DataFrame({"code": codes, "label": labels}).drop_duplicates("code")
    return list(labels if by_code["label"].is_unique else codes)


def lsoa_gaps_chart(gaps: pd.DataFrame, *, top: int = 15) -> str:
    """The LSOAs with the most families to find (named where names are loaded), largest at the
    top, each bar labelled with its count and the area's reach."""
    shown = gaps.head(top)
    labels = _lsoa_labels(shown)
    most = float(shown["families_to_find"].max()) if len(shown) else 1.0
    rows = Rows(labels, low=0.0, high=max(most * 1.05, 1.0), row=26, figures=False, suffix="")
    rows.plot -= 110                                  # room after the longest bar for its words
    rows.body = []
    step = _nice_step(rows.high, 5)
    for k in range(0, int(rows.high / step) + 1):
        rows.body.append(f'<path d="M{rows.x(k * step):.1f},0 V{rows.bottom}" stroke="{GRID}"/>')
        rows.body.append(_text(rows.x(k * step), rows.bottom + 16, f"{k * step:,.0f}", anchor="middle", size=12,
                               fill="#555555"))
    for i, (label, count, reach) in enumerate(zip(labels, shown["families_to_find"], shown["reach_pct"])):
        rows.body.append(f'<text x="{rows.left - 8:.1f}" y="{rows.y(i) + 4:.1f}" text-anchor="end" fill="#333333">'
                         f"{_escaped(_cut(label, NAME_CHARACTERS))}<title>{_escaped(label)}</title></text>")
        end = rows.x(float(count))
        rows.body.append(_mark("rect", f'x="{rows.x(0):.1f}" y="{rows.y(i) - 8:.1f}" width="{end - rows.x(0):.1f}" '
                               f'height="16" fill="{BAND_COLOURS["requires improvement"]}"',
                               f"{label}: {int(count):,} families to find", series="Families to find", label=label,
                               value=int(count)))
        words = (f"{int(count):,} (reach {float(reach):.0f}%)" if drawable_number(reach) is not None
                 else f"{int(count):,}")
        rows.body.append(_text(end + 5, rows.y(i) + 4, words, size=12))
    rows.body.append(_text(rows.x(rows.high / 2), rows.bottom + 32, "Families to find", anchor="middle", size=12,
                           fill="#555555"))
    rows.bottom += 16
    return rows.done(f"Families to find by LSOA (top {min(top, len(gaps))})", [])


def unmatched_chart(counts: pd.DataFrame, *, births_loaded: bool = True) -> str:
    """Unmatched births by LSOA (rows, named where names are loaded, the most at the top) and
    month of birth (columns), each cell written as a number, so the darker cells are also the
    larger numbers read. With none to show, it says why."""
    title = "Unmatched births by month of birth"
    if counts.empty:
        words = ("No birth data has been loaded yet." if not births_loaded else
                 "No unmatched births: every child in the birth data is registered.")
        return chart(title, 40, [_text(0, 24, words, note=words)])
    counts = counts.assign(lsoa_label=_lsoa_labels(counts))
    table = counts.pivot_table(index="lsoa_label", columns="birth_month", values="unmatched_births",
                               aggfunc="sum", fill_value=0)
    table = table.reindex(sorted(table.columns), axis=1)
    table = table.loc[table.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    months = [f"{pd.Timestamp(m):%b %Y}" for m in table.columns]
    left = min(14 + CHARACTER_PX * NAME_CHARACTERS, 14 + CHARACTER_PX * max(len(str(i)) for i in table.index))
    cell_w, cell_h = (WIDTH - left - 8) / max(len(months), 1), 24
    most = max(float(table.to_numpy().max()), 1.0)
    body: list[str] = []
    head = 4
    for i, (lsoa, values) in enumerate(table.iterrows()):
        y = head + cell_h * i
        body.append(f'<text x="{left - 8:.1f}" y="{y + cell_h / 2 + 4:.1f}" text-anchor="end" fill="#333333">'
                    f"{_escaped(_cut(str(lsoa), NAME_CHARACTERS))}<title>{_escaped(lsoa)}</title></text>")
        # The row's light ground; only the months with unmatched births are drawn on it (a grid of
        # mostly empty cells would be most of the page's size), each with its count written in.
        body.append(f'<rect x="{left:.1f}" y="{y + 0.5:.1f}" width="{cell_w * len(months):.1f}" '
                    f'height="{cell_h - 1}" fill="#F6F6F6"/>')
        for j, (month, value) in enumerate(zip(months, values)):
            if not value:
                continue
            share = float(value) / most
            shade = f"rgb({255 - int(42 * share)},{255 - int(161 * share)},{255 - int(255 * share)})"
            x = left + cell_w * j
            body.append(_mark("rect", f'x="{x + 0.5:.1f}" y="{y + 0.5:.1f}" width="{cell_w - 1:.1f}" '
                              f'height="{cell_h - 1}" fill="{shade}"', f"{lsoa}, born {month}: {int(value)} unmatched",
                              series=str(lsoa), label=month, value=int(value)))
            body.append(_text(x + cell_w / 2, y + cell_h / 2 + 4, str(int(value)), anchor="middle", size=12,
                              fill="#FFFFFF" if share > 0.6 else "#222222"))
    bottom = head + cell_h * len(table)
    every = max(1, math.ceil(len(months) * 90 / (WIDTH - left)))     # as many months as fit, the last among them
    for j, month in enumerate(months):
        if (len(months) - 1 - j) % every == 0:
            x = left + cell_w * (j + 0.5)
            edge = "end" if x > WIDTH - 30 else "middle"
            body.append(_text(x, bottom + 16, month, anchor=edge, size=12, fill="#555555"))
    body.append(_text(left + (WIDTH - left) / 2, bottom + 34, "Month of birth (each cell: its month and count on "
                      "hover)" if every > 1 else "Month of birth", anchor="middle", size=12, fill="#555555"))
    return chart(title, bottom + 42, body)


def target_groups_chart(groups: pd.DataFrame, authority_groups: pd.DataFrame, *, label: str) -> str:
    """Each registration flag as a share of the known children: the centre beside all centres,
    two bars a group, each with its figure at its end."""
    flags = groups[groups["group"] != DEPRIVED]
    everyone = authority_groups.set_index("group").reindex(flags["group"])
    names = [str(name) for name in flags["group_name"]]
    pairs = list(zip(flags["share_of_known_pct"], everyone["share_of_known_pct"]))
    drawn = [drawable_number(v) for pair in pairs for v in pair]
    largest = max([v for v in drawn if v is not None] + [1.0])
    rows = Rows(names, low=0.0, high=largest * 1.2, row=44, figures=False)
    everyone_words = reword("All centres")
    for i, (mine, theirs) in enumerate(pairs):
        for k, (value, series, colour) in enumerate(((mine, label, LINE_COLOUR), (theirs, everyone_words, "#BBBBBB"))):
            figure = drawable_number(value)
            y = rows.y(i) - 14 + 14 * k
            if figure is not None:
                end = rows.x(figure)
                rows.body.append(_mark("rect", f'x="{rows.x(0):.1f}" y="{y:.1f}" width="{end - rows.x(0):.1f}" '
                                       f'height="13" fill="{colour}"',
                                       f"{names[i]}: {figure:.1f}% of known children ({series})", series=series,
                                       label=names[i], value=figure))
            rows.body.append(_text((rows.x(figure) if figure is not None else rows.x(0)) + 4, y + 11,
                                   f"{figure:.1f}%" if figure is not None else "–", size=12))
    return rows.done("Share of known children", [("box", LINE_COLOUR, "", label), ("box", "#BBBBBB", "",
                                                                                  everyone_words)])


# --- Best Start -----------------------------------------------------------------------------------

def _published(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """The rows whose figure can be drawn: a hidden figure ("c") is left off, never drawn as 0."""
    return frame.assign(_value=frame[column].map(drawable_number)).dropna(subset=["_value"])


def gld_chart(sites: pd.DataFrame, *, target_pct: float, authority_pct=None) -> str:
    """Each site's GLD % with its 95% interval (highest at the top), its figure in a column at
    the right, against the target and the authority's figure drawn down the rows."""
    words = current()
    shown = _published(sites, "gld_pct").sort_values(["_value", "centre_id"], ascending=[False, True])
    names = [short_name(str(name)) for name in shown.get("centre_name", shown["centre_id"])]
    rows = Rows(names, low=0.0, high=100.0, row=28)
    authority = drawable_number(authority_pct)
    key: list[tuple[str, str, str, str]] = [("symbol:diamond", LINE_COLOUR, "", f"{words.site_title} GLD %"),
                                            ("line", TARGET_COLOUR, "6,4", f"Target {target_pct:g}%")]
    rows.line(target_pct, f"Target {target_pct:g}%", TARGET_COLOUR)
    if authority is not None:
        rows.line(authority, f"Authority {authority:.1f}%", AUTHORITY_COLOUR)
        key.append(("line", AUTHORITY_COLOUR, "6,4", f"Authority {authority:.1f}%"))
    for i, (name, value, low, high) in enumerate(zip(names, shown["_value"], shown["gld_low"], shown["gld_high"])):
        y, lo, hi = rows.y(i), drawable_number(low), drawable_number(high)
        if lo is not None and hi is not None:
            rows.body.append(f'<path d="M{rows.x(lo):.1f},{y:.1f} H{rows.x(hi):.1f} M{rows.x(lo):.1f},{y - 5:.1f} '
                             f'V{y + 5:.1f} M{rows.x(hi):.1f},{y - 5:.1f} V{y + 5:.1f}" stroke="{AUTHORITY_COLOUR}" '
                             'stroke-width="1.5" fill="none"/>')
        interval = f"; 95% interval {lo:.1f}% to {hi:.1f}%" if lo is not None and hi is not None else ""
        rows.body.append(_mark("path", symbol("diamond", rows.x(value), y, LINE_COLOUR, 6),
                               f"{name}: {value:.1f}%{interval}", series="gld", label=name, value=value))
        rows.figure(i, f"{value:.1f}%", label=name)
    return rows.done(f"Good level of development by {words.site}, with 95% intervals", key)


def gld_trend_chart(trend: pd.DataFrame, *, target_pct: float) -> str:
    """The authority's GLD % for each assessment year (oldest first, as school years) with its
    95% interval, against the target. A hidden year is left off."""
    shown = _published(trend, "gld_pct").sort_values("assessment_year")
    years = [school_year(year) for year in shown["assessment_year"]]
    left, plot_w, plot_h, top = 46, WIDTH - 62, 240, 6
    slot = plot_w / max(len(years), 1)

    def y(pct: float) -> float:
        return top + plot_h * (1 - max(0.0, min(pct, 100.0)) / 100.0)

    body: list[str] = []
    for pct in range(0, 101, 20):
        body.append(f'<path d="M{left},{y(pct):.1f} H{left + plot_w}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y(pct) + 4, f"{pct}%", anchor="end", size=12, fill="#555555"))
    body.append(_mark("path", f'd="M{left},{y(target_pct):.1f} H{left + plot_w}" stroke="{TARGET_COLOUR}" '
                      'stroke-width="1.5" stroke-dasharray="6,4"', f"Target {target_pct:g}%",
                      series=f"Target {target_pct:g}%", value=target_pct))
    points = []
    for i, (year, value, low, high) in enumerate(zip(years, shown["_value"], shown["gld_low"], shown["gld_high"])):
        x = left + slot * (i + 0.5)
        lo, hi = drawable_number(low), drawable_number(high)
        if lo is not None and hi is not None:
            body.append(f'<path d="M{x:.1f},{y(lo):.1f} V{y(hi):.1f} M{x - 5:.1f},{y(lo):.1f} H{x + 5:.1f} '
                        f'M{x - 5:.1f},{y(hi):.1f} H{x + 5:.1f}" stroke="{AUTHORITY_COLOUR}" stroke-width="1.5"/>')
        interval = f"; 95% interval {lo:.1f}% to {hi:.1f}%" if lo is not None and hi is not None else ""
        points.append(_mark("circle", f'cx="{x:.1f}" cy="{y(value):.1f}" r="5" fill="{LINE_COLOUR}"',
                            f"{year}: {value:.1f}%{interval}", series="Authority GLD %", label=year, value=value))
        body.append(_text(x, top + plot_h + 16, year, anchor="middle", size=12, fill="#555555"))
    if len(points) > 1:
        line = " ".join(f"{left + slot * (i + 0.5):.1f},{y(v):.1f}" for i, v in enumerate(shown["_value"]))
        body.append(f'<polyline points="{line}" fill="none" stroke="{LINE_COLOUR}" stroke-width="2"/>')
    body.extend(points)
    body.append(_text(left + plot_w / 2, top + plot_h + 34, "School year", anchor="middle", size=12, fill="#555555"))
    legend, height = _legend([("line", LINE_COLOUR, "", "Authority GLD %"),
                              ("line", TARGET_COLOUR, "6,4", f"Target {target_pct:g}%")], top=top + plot_h + 42)
    return chart("Good level of development in the authority by school year, with 95% intervals",
                 top + plot_h + 46 + height, body + legend)


def _bars(title: str, labels: list[str], values: list[float], *, colour: str, series: str, unit: str,
          axis_words: str, digits: int = 1) -> str:
    """Plain bars, one a row, in the order given (the first at the top), each figure at its end."""
    most = max(values + [1.0])
    rows = Rows(labels, low=0.0, high=most * 1.15, row=26, figures=False, suffix="")
    for i, (label, value) in enumerate(zip(labels, values)):
        end = rows.x(value)
        rows.body.append(_mark("rect", f'x="{rows.x(0):.1f}" y="{rows.y(i) - 8:.1f}" width="{end - rows.x(0):.1f}" '
                               f'height="16" fill="{colour}"', f"{label}: {value:.{digits}f}{unit}", series=series,
                               label=label, value=value))
        rows.body.append(_text(end + 4, rows.y(i) + 4, f"{value:.{digits}f}{unit}", size=12))
    rows.body.append(_text(rows.x(rows.high / 2), rows.bottom + 32, axis_words, anchor="middle", size=12,
                           fill="#555555"))
    rows.bottom += 16
    return rows.done(title, [])


def under_two_chart(sites: pd.DataFrame) -> str:
    """Each site's reach under two, as bars, highest at the top; a hidden figure is left off."""
    words = current()
    shown = _published(sites, "reach_under2_pct").sort_values(["_value", "centre_id"], ascending=[False, True])
    return _bars(f"Reach under two by {words.site}", [short_name(str(name)) for name in shown["centre_name"]],
                 [float(v) for v in shown["_value"]], colour=TARGET_COLOUR, series="Reach under two %", unit="%",
                 axis_words="Reach under two %")


def far_deprived_chart(far: pd.DataFrame) -> str:
    """The most deprived LSOAs furthest from a site, by their distance to the nearest one, the
    furthest at the top."""
    words = current()
    shown = far.sort_values(["distance_km", "lsoa_code"], ascending=[False, True])
    return _bars(f"Most deprived LSOAs furthest from a {words.site}", [str(code) for code in shown["lsoa_code"]],
                 [float(v) for v in shown["distance_km"]], colour=AUTHORITY_COLOUR,
                 series=f"Distance to the nearest {words.site} (km)", unit=" km", axis_words="km")
