"""Maps drawn as inline SVG on the server: on the page at once, with no map code to start in the
browser.

The interactive map (`geo.figures.choropleth`) is drawn in the browser by Plotly and MapLibre,
whose code (4.7 MB of Plotly alone) starts only after the page's own script has finished: in a new
tab the map page took over a second longer to open than any other page. This draws the same map
as one SVG drawing: the same shapes in the same projection (Web Mercator), each area filled with
exactly the colour the interactive map gives it (`geo.figures.area_colours`), the same details on
hover (an SVG `<title>`, which the browser shows as a tooltip and a screen reader reads), the same
reach-area outlines, dots and licence credit. It does not zoom or pan.

The drawing is fitted to the areas' bounds, `WIDTH` wide and at most `MAX_MAP_HEIGHT` tall (it
is scaled to its column on the page), and shapes are simplified to its pixel size with neighbours
kept edge to edge, so it stays small however detailed the stored boundaries are.

Every text from the data is escaped. Each area is one `<path>` carrying what it shows
(`data-label`: its id; `data-value`: its figure, left out where it has none; `fill`), so a test
can read what is drawn; the drawing is wrapped in `<div class="reach-chart" data-title=...>` like
the other charts (`reach.presentation.svg_figures`).
"""

from __future__ import annotations

import datetime
import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.figures import (
    AREA_EDGE_COLOUR,
    AREA_EDGE_WIDTH,
    DEFAULT_COLOUR_SCALE,
    LICENCE_CREDIT,
    NO_DATA_COLOUR,
    OUTLINE_COLOUR,
    OUTLINE_WIDTH,
    area_colours,
    category_key,
    checked_hover_labels,
    colour_range,
)
from geo.shapes import (
    DISPLAY_VERTEX_BUDGET,
    OUTLINE_VERTEX_BUDGET,
    has_shape,
    simplified_drawing,
    within_vertex_budget,
)

WIDTH = 560                 # the drawing's own width, that of the map's column at 1400 px: scaled to fit
MAX_MAP_HEIGHT = 500        # a tall area is drawn narrower rather than taller than this
MIN_MAP_HEIGHT = 160        # a long, low area still gets room to be seen
PAD = 8                     # room round the shapes
# Corners are dropped where the triangle they make with their neighbours is under a square pixel
# (the tolerance is the square root of that area: see shapely.coverage_simplify): too small to see.
SIMPLIFY_PX = 1.0
MAX_LATITUDE = 85.05        # the edge of the Web Mercator world
KEY_STEPS = 48              # the colour key's bar, in this many steps of colour
KEY_BAR_PX = 14             # the key's thickness, as the interactive map's colour bar
CHARACTER_PX = 6.6          # a generous width of one character at 12 px
TEXT_COLOUR = "#333333"
CREDIT_COLOUR = "#404040"


@dataclass(frozen=True)
class Dots:
    """Places marked on the map as dots: `points` has `lon`, `lat` and `hover` (the words shown
    on hover); `name` is their entry in the key."""

    points: pd.DataFrame
    colour: str
    diameter: float
    name: str


def svg_choropleth(
    *,
    areas: gpd.GeoDataFrame,
    values: pd.DataFrame,
    value_column: str,
    title: str,
    id_column: str = "lsoa_code",
    hover_columns: Sequence[str] | Mapping[str, str] = (),
    colour_scale: str | Sequence[str] | Mapping[str, str] = DEFAULT_COLOUR_SCALE,
    outlines: gpd.GeoDataFrame | None = None,
    dots: Sequence[Dots] = (),
    label: str | None = None,
    reverse: bool = False,
    categorical: bool = False,
    value_format: str = ",.1f",
    value_range: tuple[float, float] | None = None,
    key_ticks: Sequence[tuple[float, str]] = (),
    key_marks: Sequence[tuple[float, str]] = (),
    credit_year: int | None = None,
) -> str:
    """`geo.figures.choropleth`'s map as an SVG drawing in a `<div>` (HTML for `st.markdown`).

    The arguments shared with `choropleth` mean the same. `title` names the drawing (for a screen
    reader and a test); it is not written on the map. `dots` are drawn on top, in order (the
    centres, then any possible new sites). The colour key under the map is titled `label`;
    `key_ticks` are the figures written under it, (value, words), its two ends when none are
    given; `key_marks` are values marked heavier, (value, words on hover), such as where a band
    begins.
    """
    hover_labels = checked_hover_labels(areas=areas, values=values, value_column=value_column,
                                        id_column=id_column, hover_columns=hover_columns)
    label = label or value_column
    shown = values[[id_column, value_column, *hover_labels]].copy()
    shown = shown[shown[value_column].notna()]
    shown[id_column] = shown[id_column].astype(str)
    shown = shown.drop_duplicates(id_column).set_index(id_column)
    fills = area_colours(shown[value_column], colour_scale=colour_scale, reverse=reverse,
                         categorical=categorical, value_range=value_range)

    areas = within_vertex_budget(areas, DISPLAY_VERTEX_BUDGET)
    areas = areas[has_shape(areas.geometry)]
    if areas.empty:
        raise ValueError("svg_choropleth needs at least one area with a shape to draw; got none.")
    frame = _Frame.fitted(np.asarray(areas.geometry.array, dtype=object))
    shapes = simplified_drawing(frame.drawn(areas.geometry), SIMPLIFY_PX)

    body: list[str] = [f'<g stroke="{AREA_EDGE_COLOUR}" stroke-width="{AREA_EDGE_WIDTH}" '
                       f'stroke-linejoin="round" fill-rule="evenodd">']
    any_without = False
    # Each area's row and colour looked up in plain dictionaries: a pandas lookup an area costs
    # more than drawing it, and a map is drawn again on every run of the page.
    rows, fill_of = shown.to_dict("index"), fills.to_dict()
    for area_id, shape in zip(areas[id_column].astype(str), shapes):
        row = rows.get(area_id)
        if row is not None:
            value = row[value_column]
            lines = [area_id, f"{label}: {_formatted(value, '' if categorical else value_format)}"]
            lines += [f"{words}: {row[column]}" for column, words in hover_labels.items()]
            body.append(_area(shape, fill_of[area_id], lines, series=label, label=area_id,
                              value=value if categorical else float(value)))
        else:
            any_without = True
            body.append(_area(shape, NO_DATA_COLOUR, [area_id, "No data"], series="No data", label=area_id))
    body.append("</g>")

    outline_drawn = outlines is not None and not outlines.empty
    if outline_drawn:
        lines = within_vertex_budget(outlines, OUTLINE_VERTEX_BUDGET)
        lines = lines[has_shape(lines.geometry)]
        paths = "".join(f'<path d="{_path_data(shape)}"/>'
                        for shape in simplified_drawing(frame.drawn(lines.geometry), SIMPLIFY_PX))
        # The outlines leave the hover to the areas beneath them.
        body.append(f'<g fill="none" stroke="{OUTLINE_COLOUR}" stroke-width="{OUTLINE_WIDTH}" '
                    f'stroke-linejoin="round" pointer-events="none">{paths}</g>')

    keyed: list[tuple[str, str, str]] = []        # (kind, colour, words) for the key's last row
    if any_without:
        keyed.append(("box", NO_DATA_COLOUR, "No data"))
    if outline_drawn:
        keyed.append(("line", OUTLINE_COLOUR, "Reach area boundary"))
    for layer in dots:
        drawn = frame.dots(layer.points)
        if drawn:
            body += [_dot(x, y, layer, hover) for x, y, hover in drawn]
            keyed.append(("dot", layer.colour, layer.name))

    top = frame.height + 10
    if categorical:
        key, key_height = _legend([("box", colour, category) for category, colour
                                   in category_key(shown[value_column], colour_scale, reverse=reverse)], top=top)
    else:
        low, high = colour_range(shown[value_column], value_range)
        ticks = list(key_ticks) or [(low, _formatted(low, value_format)), (high, _formatted(high, value_format))]
        key, key_height = _colour_key(
            label, low=low, high=high, ticks=ticks, marks=key_marks, top=top,
            colours=area_colours(pd.Series(low + (np.arange(KEY_STEPS) + 0.5) / KEY_STEPS * (high - low)),
                                 colour_scale=colour_scale, reverse=reverse, value_range=(low, high)))
    body += key
    top += key_height
    legend, legend_height = _legend(keyed, top=top)
    body += legend
    top += legend_height + 16
    credit = LICENCE_CREDIT.format(year=credit_year or datetime.date.today().year)
    body.append(f'<text x="0" y="{top:.0f}" font-size="10" fill="{CREDIT_COLOUR}">{_escaped(credit)}</text>')
    return _drawing(title, top + 6, body)


# --- where things go ------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Frame:
    """Where Web Mercator's coordinates land in the drawing: x = left + (mercator x - west) * scale."""

    west: float
    north: float
    scale: float
    left: float
    top: float
    height: float

    @classmethod
    def fitted(cls, geometries: np.ndarray) -> _Frame:
        """The frame that fits `geometries` (longitude, latitude) into the drawing's width and at
        most its height, centred."""
        west, south, east, north = shapely.total_bounds(geometries)
        (x0, y0), (x1, y1) = _mercator(np.array([[west, south], [east, north]]))
        room_x, room_y = WIDTH - 2 * PAD, MAX_MAP_HEIGHT - 2 * PAD
        # A span of nothing (a single point, say) puts no limit on its side.
        spans = [(room, span) for room, span in ((room_x, x1 - x0), (room_y, y1 - y0)) if span > 0]
        scale = min(room / span for room, span in spans) if spans else 1.0
        height = max((y1 - y0) * scale + 2 * PAD, MIN_MAP_HEIGHT)
        return cls(west=x0, north=y1, scale=scale, left=(WIDTH - (x1 - x0) * scale) / 2,
                   top=(height - (y1 - y0) * scale) / 2, height=height)

    def pixels(self, coordinates: np.ndarray) -> np.ndarray:
        projected = _mercator(coordinates)
        return np.column_stack([self.left + (projected[:, 0] - self.west) * self.scale,
                                self.top + (self.north - projected[:, 1]) * self.scale])

    def drawn(self, geometries: gpd.GeoSeries) -> np.ndarray:
        """Shapes (longitude, latitude) in the drawing's pixels."""
        return shapely.transform(np.asarray(geometries.array, dtype=object), self.pixels)

    def dots(self, points: pd.DataFrame) -> list[tuple[float, float, str]]:
        """Where each point with a place inside the drawn map lands, with its hover words."""
        for column in ("lon", "lat", "hover"):
            if column not in points.columns:
                raise ValueError(f"Dots need the column '{column}'; they have {list(points.columns)}.")
        placed = points[points["lon"].notna() & points["lat"].notna()]
        if placed.empty:
            return []
        xy = self.pixels(placed[["lon", "lat"]].astype(float).to_numpy())
        return [(x, y, hover) for (x, y), hover in zip(xy, placed["hover"])
                if 0 <= x <= WIDTH and 0 <= y <= self.height]


def _mercator(coordinates: np.ndarray) -> np.ndarray:
    """Longitude and latitude in Web Mercator (radians), the projection of the interactive map."""
    latitude = np.radians(np.clip(coordinates[:, 1], -MAX_LATITUDE, MAX_LATITUDE))
    return np.column_stack([np.radians(coordinates[:, 0]), np.log(np.tan(np.pi / 4 + latitude / 2))])


# --- writing the drawing --------------------------------------------------------------------------

def _escaped(value) -> str:
    """Text for the drawing, on one line (a blank line would end the HTML block that Markdown
    passes through as it is) and escaped, so markup in a name stays literal."""
    return html.escape(" ".join(str(value).splitlines()), quote=True)


def _hover(lines: list[str]) -> str:
    # A character reference, not a line break: the drawing stays on one line of HTML.
    return "&#10;".join(_escaped(line) for line in lines)


def _formatted(value, d3_format: str) -> str:
    """`value` as the interactive map writes it with the d3 format `d3_format` (",.1f", ",d"...);
    as it is with none."""
    if not d3_format:
        return str(value)
    if d3_format.endswith("d"):
        return format(math.floor(float(value) + 0.5), d3_format)        # d3 rounds half up
    return format(float(value), d3_format)


def _number(tenths: int) -> str:
    """A coordinate held in tenths of a pixel, written as short as it goes ("12", "12.5")."""
    whole, part = divmod(abs(int(tenths)), 10)
    sign = "-" if tenths < 0 else ""
    return f"{sign}{whole}.{part}" if part else f"{sign}{whole}"


def _path_data(shape) -> str:
    """Every ring of a polygon or multipolygon (in pixels) as SVG path data, to a tenth of a pixel."""
    data = []
    for ring in shapely.get_rings(shapely.get_parts(shape)):
        points = np.round(shapely.get_coordinates(ring) * 10).astype(np.int64)
        moved = np.ones(len(points), dtype=bool)
        moved[1:] = (np.diff(points, axis=0) != 0).any(axis=1)       # points that rounding made one
        points = points[moved]
        if len(points) > 1 and (points[0] == points[-1]).all():
            points = points[:-1]                                      # "Z" closes the ring
        if len(points) < 3:
            continue                                                  # smaller than can be seen
        written = [f"{_number(x)} {_number(y)}" for x, y in points]
        data.append(f"M{written[0]}L{' '.join(written[1:])}Z")
    return "".join(data)


def _area(shape, fill: str, hover: list[str], *, series: str, label: str, value=None) -> str:
    shown = "" if value is None else f' data-value="{_escaped(value)}"'
    return (f'<path d="{_path_data(shape)}" fill="{fill}" data-series="{_escaped(series)}" '
            f'data-label="{_escaped(label)}"{shown}><title>{_hover(hover)}</title></path>')


def _dot(x: float, y: float, layer: Dots, hover: str) -> str:
    return (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{layer.diameter / 2:g}" fill="{layer.colour}" '
            f'data-series="{_escaped(layer.name)}"><title>{_escaped(hover)}</title></circle>')


def _text(x: float, y: float, words: str, *, anchor: str = "start", size: int = 12,
          fill: str = TEXT_COLOUR) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}">'
            f"{_escaped(words)}</text>")


def _colour_key(title: str, *, low: float, high: float, colours: pd.Series, ticks: Sequence[tuple[float, str]],
                marks: Sequence[tuple[float, str]], top: float) -> tuple[list[str], float]:
    """The colour bar under the map, as the interactive map's: its title above, the bar in
    `KEY_STEPS` steps, the ticks' figures below, the `marks` heavier, named on hover."""
    left, length = 0.05 * WIDTH, 0.9 * WIDTH
    bar_top = top + 20
    step = length / KEY_STEPS
    body = [_text(WIDTH / 2, top + 12, title, anchor="middle")]
    # Each step a little wider than its place, so no hairline shows between steps.
    body += [f'<rect x="{left + i * step:.1f}" y="{bar_top:.1f}" width="{step + 0.6:.1f}" height="{KEY_BAR_PX}" '
             f'fill="{colour}"/>' for i, colour in enumerate(colours)]
    bottom = bar_top + KEY_BAR_PX
    marked = {float(value): words for value, words in marks}
    for value, words in ticks:
        x = left + length * (float(value) - low) / (high - low)
        if float(value) in marked:
            body.append(f'<path d="M{x:.1f},{bottom:.1f} v8" stroke="{TEXT_COLOUR}" stroke-width="2">'
                        f"<title>{_escaped(marked[float(value)])}</title></path>")
        else:
            body.append(f'<path d="M{x:.1f},{bottom:.1f} v4" stroke="{TEXT_COLOUR}" stroke-width="1"/>')
        body.append(_text(x, bottom + 22, words, anchor="middle"))
    return body, bottom + 26 - top


def _legend(items: list[tuple[str, str, str]], *, top: float) -> tuple[list[str], float]:
    """The key's entries in rows (kind: 'box', 'line' or 'dot'; colour; words), and the height
    they take."""
    body: list[str] = []
    x, y = 0.0, top + 14
    for kind, colour, words in items:
        needed = 30 + CHARACTER_PX * len(words) + 16
        if x > 0 and x + needed > WIDTH:
            x, y = 0.0, y + 18
        if kind == "line":
            body.append(f'<path d="M{x:.1f},{y - 4:.1f} h24" stroke="{colour}" stroke-width="{OUTLINE_WIDTH}"/>')
        elif kind == "dot":
            body.append(f'<circle cx="{x + 12:.1f}" cy="{y - 4:.1f}" r="5" fill="{colour}"/>')
        else:
            body.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="24" height="12" fill="{colour}" '
                        f'stroke="{AREA_EDGE_COLOUR}" stroke-width="{AREA_EDGE_WIDTH}"/>')
        body.append(_text(x + 30, y, words))
        x += needed
    return body, (y - top + 6) if items else 0.0


def _drawing(title: str, height: float, body: list[str]) -> str:
    """The drawing in its `<div>`, scaled to its column (never beyond a quarter larger than drawn)."""
    named = _escaped(title)
    return (f'<div class="reach-chart" data-title="{named}" style="width:100%">'
            f'<svg role="img" aria-label="{named}" viewBox="0 0 {WIDTH} {height:.0f}" width="100%" '
            f'font-size="12" style="max-width:{int(WIDTH * 1.25)}px;display:block">'
            f"<title>{named}</title>{''.join(body)}</svg></div>")
