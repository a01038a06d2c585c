"""Maps as plotly figures, built by pure functions so a test can read what a map shows.

Every map is a `choroplethmap` on the "white-bg" style: no tiles, no fonts and no other request
leaves the machine, so it draws behind a council firewall too. Nothing is written on the map
layer itself; names and values appear on hover, and the licence credit is an annotation.

Two things from the data never reach the browser as they are: text (a centre's or an area's
name, an id, a category) is escaped with `plotly_text`, since plotly reads markup such as a link
in its labels; and shapes are held to a budget of corner points (`DISPLAY_VERTEX_BUDGET`), so a
map is a few megabytes however detailed the stored boundaries.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.colors
import plotly.express as px
import plotly.graph_objects as go
import shapely

from geo.projection import in_wgs84
from geo.shapes import (
    DISPLAY_VERTEX_BUDGET,
    GEOJSON_DECIMALS,
    OUTLINE_VERTEX_BUDGET,
    bounds_view,
    to_geojson_dict,
    within_vertex_budget,
)

MAP_STYLE = "white-bg"
LICENCE_CREDIT = (
    "Contains National Statistics and OS data © Crown copyright and database right {year}"
)
# Blues without its two palest shades: the lowest values still stand out from the white
# background, and the scale runs light to dark, so it reads in greyscale too.
DEFAULT_COLOUR_SCALE = tuple(px.colors.sequential.Blues[2:])
NO_DATA_COLOUR = "#d9d9d9"
AREA_EDGE_COLOUR = "#8c8c8c"
AREA_EDGE_WIDTH = 0.4
OUTLINE_COLOUR = "#1a1a1a"
OUTLINE_WIDTH = 2.0
CENTRE_COLOUR = "#b2182b"
CENTRE_SIZE = 11


def plotly_text(value) -> str:
    """`value` as literal text in a plotly label, legend or hover: plotly reads `<a href>`,
    `<b>` and the like in text as markup (a centre named with a link would become a live link),
    and shows escaped characters as themselves."""
    return html.escape(str(value), quote=False)


def choropleth(
    *,
    areas: gpd.GeoDataFrame,
    values: pd.DataFrame,
    value_column: str,
    id_column: str = "lsoa_code",
    hover_columns: Sequence[str] | Mapping[str, str] = (),
    colour_scale: str | Sequence[str] | Mapping[str, str] = DEFAULT_COLOUR_SCALE,
    title: str | None = None,
    outlines: gpd.GeoDataFrame | None = None,
    points: pd.DataFrame | None = None,
    label: str | None = None,
    reverse: bool = False,
    categorical: bool = False,
    value_format: str = ",.1f",
    value_range: tuple[float, float] | None = None,
    credit_year: int | None = None,
) -> go.Figure:
    """A map of `values[value_column]` over the shapes in `areas`, matched on `id_column`.

    `areas` should already be light enough to draw (see `simplify_for_display`); if they have
    more corner points than DISPLAY_VERTEX_BUDGET they are simplified here (and outlines beyond
    OUTLINE_VERTEX_BUDGET). Areas with no value are drawn grey as "No data". Hovering over an
    area shows its id, `label` (the value's name, `value_column` by default) with the value
    formatted by `value_format` (a d3 format), then `hover_columns`: a list of columns, or a
    mapping of column to the words to show. Every text from the data is shown as literal text.
    `outlines` (a GeoDataFrame, such as reach areas from `dissolve_areas`) are drawn as lines on
    top; `points` (a DataFrame with `lon`, `lat`, `name`) as markers, named on hover.
    `categorical=True` colours by category (for example a band); `colour_scale` may then map
    each category to a colour, in the legend's order. `reverse` runs the colours the other way
    (dark for low values). `value_range` fixes the ends of a continuous scale (say 0 to 100).
    `credit_year` is the year in the licence credit, this year by default.
    """
    hover_labels = checked_hover_labels(areas=areas, values=values, value_column=value_column,
                                        id_column=id_column, hover_columns=hover_columns)
    label = label or value_column
    shown = values[[id_column, value_column, *hover_labels]].copy()
    shown = shown[shown[value_column].notna()]
    # Ids, categories and hover text as literal text; the areas' ids alike, so they still match.
    for column in (id_column, *hover_labels, *([value_column] if categorical else [])):
        shown[column] = _as_plotly_text(shown[column])
    shown[id_column] = shown[id_column].astype(str)
    areas = within_vertex_budget(areas, DISPLAY_VERTEX_BUDGET)
    areas = areas.assign(**{id_column: areas[id_column].astype(str).map(plotly_text)})

    geojson = to_geojson_dict(areas, id_column)
    with_value = set(shown[id_column])
    valued_features = [feature for feature in geojson["features"] if feature["id"] in with_value]
    no_data_features = [feature for feature in geojson["features"]
                        if feature["id"] not in with_value]

    view = bounds_view(areas)
    common = dict(
        data_frame=shown,
        geojson={"type": "FeatureCollection", "features": valued_features},
        featureidkey="id",
        locations=id_column,
        color=value_column,
        custom_data=[value_column, *hover_labels],
        labels={value_column: label},
        map_style=MAP_STYLE,
        center=view["center"],
        zoom=view["zoom"],
        title=title,
    )
    if categorical:
        order, colours = _category_colours(shown[value_column], colour_scale, reverse=reverse)
        figure = px.choropleth_map(
            **common, category_orders={value_column: order}, color_discrete_map=colours
        )
        _own_features_only(figure, valued_features)
    else:
        figure = px.choropleth_map(
            **common, color_continuous_scale=_continuous_scale(colour_scale, reverse=reverse),
            range_color=value_range,
        )
    figure.update_traces(
        marker_line_width=AREA_EDGE_WIDTH,
        marker_line_color=AREA_EDGE_COLOUR,
        hovertemplate=_hover_template(
            label=label, value_format="" if categorical else value_format,
            hover_labels=list(hover_labels.values()),
        ),
    )

    if no_data_features:
        figure.add_trace(_no_data_trace(no_data_features))
    if outlines is not None and not outlines.empty:
        figure.add_trace(_outline_trace(within_vertex_budget(outlines, OUTLINE_VERTEX_BUDGET)))
    if points is not None and not points.empty:
        figure.add_trace(_centre_trace(points))

    west_south_east_north = ",".join(f"{edge:.4f}" for edge in in_wgs84(areas).total_bounds)
    figure.update_layout(
        # The same shapes keep the reader's zoom across reruns; new shapes are fitted afresh.
        uirevision=west_south_east_north,
        margin=dict(l=0, r=0, b=0, t=40 if title else 0),
        legend=dict(x=0.01, y=0.99, xanchor="left", yanchor="top",
                    bgcolor="rgba(255,255,255,0.8)"),
        annotations=[_credit(credit_year)],
    )
    return figure


def checked_hover_labels(*, areas: gpd.GeoDataFrame, values: pd.DataFrame, value_column: str, id_column: str,
                         hover_columns: Sequence[str] | Mapping[str, str]) -> dict[str, str]:
    """The extra hover columns as {column: words shown}, after checking that `values` and `areas`
    have the columns a map of them needs (for both maps: this one and `geo.svg_map`'s)."""
    hover_labels = (dict(hover_columns) if isinstance(hover_columns, Mapping)
                    else {column: column for column in hover_columns})
    for column in (id_column, value_column, *hover_labels):
        if column not in values.columns:
            raise ValueError(
                f"choropleth needs the column '{column}' in values; it has {list(values.columns)}."
            )
    if id_column not in areas.columns:
        raise ValueError(
            f"choropleth needs the column '{id_column}' in areas; it has {list(areas.columns)}."
        )
    return hover_labels


def _as_plotly_text(column: pd.Series) -> pd.Series:
    """The text values of a column escaped for plotly; numbers and missing values as they are."""
    return column.map(lambda value: plotly_text(value) if isinstance(value, str) else value)


def _own_features_only(figure: go.Figure, features: list[dict]) -> None:
    """Give each category's trace only its own shapes: plotly express gives every trace all of
    them, which would send the map's shapes to the browser once for every category."""
    by_id = {feature["id"]: feature for feature in features}
    for trace in figure.data:
        if trace.type == "choroplethmap" and trace.locations is not None:
            trace.geojson = {"type": "FeatureCollection",
                             "features": [by_id[str(location)] for location in trace.locations
                                          if str(location) in by_id]}


def _hover_template(*, label: str, value_format: str, hover_labels: list[str]) -> str:
    """The area's id, then its value as text, then the extra columns (from custom data)."""
    value = f"%{{customdata[0]:{value_format}}}" if value_format else "%{customdata[0]}"
    lines = ["<b>%{location}</b>", f"{label}: {value}"]
    lines += [f"{hover_label}: %{{customdata[{position}]}}"
              for position, hover_label in enumerate(hover_labels, start=1)]
    return "<br>".join(lines) + "<extra></extra>"


def _continuous_scale(colour_scale, *, reverse: bool):
    if isinstance(colour_scale, str):
        if not reverse:
            return colour_scale
        if colour_scale.endswith("_r"):
            return colour_scale.removesuffix("_r")
        return colour_scale + "_r"
    if isinstance(colour_scale, Mapping):
        raise ValueError("A colour for each category needs categorical=True.")
    colours = list(colour_scale)
    return colours[::-1] if reverse else colours


def _category_colours(categories: pd.Series, colour_scale, *, reverse: bool):
    """The legend order of the categories and a colour for each.

    A mapping gives both; otherwise categories are sorted and coloured light to dark along the
    scale, so their order can be read without colour.
    """
    present = [str(category) for category in pd.unique(categories)]
    if isinstance(colour_scale, Mapping):
        # The categories arrive escaped for plotly (see `choropleth`); so are the mapping's keys.
        order = [plotly_text(category) for category in colour_scale]
        order += sorted(category for category in present if category not in order)
        colours = {plotly_text(category): colour for category, colour in colour_scale.items()}
        missing = [category for category in order if category not in colours]
        if missing:
            raise ValueError(f"No colour given for the categories {', '.join(missing)}.")
        if reverse:
            palette = [colours[category] for category in order][::-1]
            colours = dict(zip(order, palette))
        return order, colours
    order = sorted(present)
    scale = _scale_stops(colour_scale)
    positions = np.linspace(0.0, 1.0, len(order)) if len(order) > 1 else [1.0]
    palette = plotly.colors.sample_colorscale(scale, list(positions))
    if reverse:
        palette = palette[::-1]
    return order, dict(zip(order, palette))


def _scale_stops(colour_scale: str | Sequence[str]) -> list:
    """A continuous colour scale, named or as a list of colours, as plotly's [position, colour]
    pairs (a list's colours evenly spaced, as plotly spaces them)."""
    if isinstance(colour_scale, str):
        return plotly.colors.get_colorscale(colour_scale)
    return plotly.colors.make_colorscale(list(colour_scale))


def colour_range(values: pd.Series, value_range: tuple[float, float] | None) -> tuple[float, float]:
    """The values a continuous scale's colours run between: `value_range`, else the values' own
    lowest and highest; a single value is widened by half either way, as plotly widens it."""
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    if value_range is not None:
        low, high = (float(end) for end in value_range)
    elif len(numbers):
        low, high = float(numbers.min()), float(numbers.max())
    else:
        low, high = 0.0, 1.0
    if low == high:
        low, high = low - 0.5, high + 0.5
    return low, high


def area_colours(values: pd.Series, *, colour_scale: str | Sequence[str] | Mapping[str, str] = DEFAULT_COLOUR_SCALE,
                 reverse: bool = False, categorical: bool = False,
                 value_range: tuple[float, float] | None = None) -> pd.Series:
    """The colour each value fills its area with on `choropleth`'s map, worked out here rather than
    in the browser, for a map drawn without plotly (`geo.svg_map`): both maps colour an area alike.

    The arguments mean what they mean to `choropleth`. No value: `NO_DATA_COLOUR`. Categories take
    `choropleth`'s colours, as the scale gives them. A continuous scale gives `#rrggbb`, worked
    out step by step as plotly.js does it (its d3 scale, then tinycolor), so that even a value
    halfway between two shades rounds the same way: see `_browser_colours`.
    """
    present = values.notna()
    colours = pd.Series(NO_DATA_COLOUR, index=values.index, dtype=object)
    if not present.any():
        return colours
    if categorical:
        shown = _as_plotly_text(values[present])
        _, by_category = _category_colours(shown, colour_scale, reverse=reverse)
        colours[present] = [by_category[str(category)] for category in shown]
        return colours
    low, high = colour_range(values[present], value_range)
    # The scale's stops as the figure holds them: plotly places a list's colours itself, and its
    # positions differ from plotly.colors' in the last digit, enough to tip a halfway value.
    stops = go.layout.Coloraxis(colorscale=_continuous_scale(colour_scale, reverse=reverse)).colorscale
    colours[present] = _browser_colours(values[present].astype(float).to_numpy(), stops, low, high)
    return colours


def _browser_colours(numbers: np.ndarray, stops, low: float, high: float) -> list[str]:
    """plotly.js's colours for `numbers` on a scale of `stops` running from `low` to `high`.

    It places each stop at low + position * (high - low); finds the stops either side of a value
    (the one at or below it, and the next); takes t = (value - below) / (next - below), held
    within 0 and 1, so values beyond the range take the end colour; mixes each of red, green and
    blue as below * (1 - t) + next * t; and rounds each, after tinycolor's (c % 255) / 255 * 255,
    half up.
    """
    places = low + np.array([float(position) for position, _ in stops]) * (high - low)
    channels = np.array([_rgb(colour) for _, colour in stops], dtype=float)
    last = len(places) - 1
    below = np.clip(np.searchsorted(places, numbers, side="right"), 1, last) - 1
    span = places[below + 1] - places[below]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(span != 0, (numbers - places[below]) / np.where(span != 0, span, 1.0), 0.0)
    t = np.clip(t, 0.0, 1.0)[:, None]
    mixed = channels[below] * (1 - t) + channels[below + 1] * t
    mixed = np.where(np.abs(mixed - 255) < 1e-6, 255.0, (mixed % 255) / 255 * 255)
    return [f"#{red:02x}{green:02x}{blue:02x}" for red, green, blue in np.floor(mixed + 0.5).astype(int)]


def category_key(values: pd.Series, colour_scale: str | Sequence[str] | Mapping[str, str] = DEFAULT_COLOUR_SCALE,
                 *, reverse: bool = False) -> list[tuple[str, str]]:
    """The categories present in `values` with their colours, in the order of `choropleth`'s
    legend, each as plain text (for a key drawn without plotly)."""
    shown = _as_plotly_text(values.dropna())
    order, colours = _category_colours(shown, colour_scale, reverse=reverse)
    present = {str(category) for category in shown}
    return [(html.unescape(category), colours[category]) for category in order if category in present]


def _rgb(colour: str) -> tuple[float, float, float]:
    """A colour of a plotly scale ("#rrggbb" or "rgb(r, g, b)") as its red, green and blue."""
    if colour.startswith("#"):
        return plotly.colors.hex_to_rgb(colour)
    if colour.startswith("rgb"):
        return tuple(plotly.colors.unlabel_rgb(colour)[:3])
    raise ValueError(f"A map colour must be #rrggbb or rgb(r, g, b); got {colour!r}.")


def _no_data_trace(features: list[dict]) -> go.Choroplethmap:
    return go.Choroplethmap(
        geojson={"type": "FeatureCollection", "features": features},
        featureidkey="id",
        locations=[feature["id"] for feature in features],
        z=[0] * len(features),
        colorscale=[[0, NO_DATA_COLOUR], [1, NO_DATA_COLOUR]],
        showscale=False,
        marker_line_width=AREA_EDGE_WIDTH,
        marker_line_color=AREA_EDGE_COLOUR,
        name="No data",
        showlegend=True,
        hovertemplate="<b>%{location}</b><br>No data<extra></extra>",
    )


def _outline_trace(outlines: gpd.GeoDataFrame) -> go.Scattermap:
    """Every ring of every outline as one line trace, rings separated by gaps."""
    geometries = np.asarray(in_wgs84(outlines).geometry.array, dtype=object)
    polygons = shapely.get_parts(geometries[~shapely.is_missing(geometries)])
    rings = shapely.get_rings(polygons)
    coordinates, ring_of_vertex = shapely.get_coordinates(rings, return_index=True)
    # A NaN row after each ring lifts the pen between rings.
    ring_ends = np.flatnonzero(np.diff(ring_of_vertex)) + 1
    lines = np.insert(np.round(coordinates, GEOJSON_DECIMALS), ring_ends, np.nan, axis=0)
    return go.Scattermap(
        lon=lines[:, 0],
        lat=lines[:, 1],
        mode="lines",
        line=dict(color=OUTLINE_COLOUR, width=OUTLINE_WIDTH),
        name="Reach area boundary",
        hoverinfo="skip",
        connectgaps=False,
    )


def _centre_trace(points: pd.DataFrame) -> go.Scattermap:
    for column in ("lon", "lat", "name"):
        if column not in points.columns:
            raise ValueError(
                f"The centre points need the column '{column}'; they have {list(points.columns)}."
            )
    located = points[points["lon"].notna() & points["lat"].notna()]
    return go.Scattermap(
        lon=located["lon"].astype(float).to_numpy(),
        lat=located["lat"].astype(float).to_numpy(),
        mode="markers",
        marker=dict(size=CENTRE_SIZE, color=CENTRE_COLOUR),
        hovertext=located["name"].map(plotly_text).to_numpy(),
        hovertemplate="%{hovertext}<extra></extra>",
        name="Children's centre",
    )


def _credit(year: int | None) -> dict:
    return dict(
        text=LICENCE_CREDIT.format(year=year or datetime.date.today().year),
        xref="paper", yref="paper", x=0.0, y=0.0, xanchor="left", yanchor="bottom",
        showarrow=False, font=dict(size=10, color="#404040"),
        bgcolor="rgba(255,255,255,0.8)",
    )
