"""The Map and gaps page's figures: the maps (each carrying its licence credit), what they can be coloured by,
and the sentence on where the families to find are concentrated.

The shapes come from `reach.queries.mapdata` and the gap ranking from
`reach.domain.breakdowns`; the maps themselves are drawn by `geo.svg_map.svg_choropleth` (SVG, on
the page at once) and `geo.figures.choropleth` (Plotly in the browser, to zoom and pan).
"""

from __future__ import annotations

from dataclasses import dataclass

import math

import geopandas as gpd
import pandas as pd
import plotly.graph_objects as go

from geo.figures import CENTRE_COLOUR, CENTRE_SIZE, choropleth, plotly_text
from geo.shapes import bounds_view
from geo.svg_map import Dots, svg_choropleth
from reach.domain.breakdowns import fewest_holding_half
from reach.domain.measures import Bands
from reach.presentation import format as fmt
from reach.presentation.summaries import why_parts_add_up_to_more
from reach.presentation.wording import current, reword

# The map's drawing area on the page. A plotly map cannot fit itself to its shapes, so the view
# is fitted to the narrowest place the map is shown in: a laptop half-screen, where the map
# stands alone above the gap table. On a wider screen the same view has more room around it;
# on a narrow one nothing is cut off. The colour bar sits under the map, not beside it, so it
# takes none of that width.
MAP_WIDTH_PX, MAP_HEIGHT_PX = 360, 560
COLOUR_BAR_PX, BELOW_MAP_PX = 14, 70      # the colour bar's thickness; the room left under the map
# Reach is coloured over the range of the areas shown, widened to whole steps of this many points.
REACH_STEP = 5.0


@dataclass(frozen=True)
class MapMeasure:
    """A figure the map can be coloured by.

    Every measure is coloured so that darker means more need (lower reach, more families to
    find, more unmatched births, more deprived), so the map reads the same way whatever is shown.
    """

    column: str
    label: str
    definition: str            # its entry in reach.domain.measures.DEFINITIONS
    value_format: str          # d3 format for the value on hover
    low_is_need: bool          # True: dark for low values
    darker_means: str          # the legend in words, so meaning is never in colour alone
    value_range: tuple[float, float] | None = None    # fixed ends; None: fitted to the data
    by_centre: bool = True     # does the figure exist for a whole reach area?
    banded: bool = False       # mark the indicative bands' thresholds on the colour bar


# The distance to the nearest site comes from `reach.queries.access`, joined to the gap ranking
# by `with_distances` when the map is coloured by it.
DISTANCE_COLUMN = "distance_km"

MAP_MEASURES: dict[str, MapMeasure] = {
    measure.label: measure
    for measure in (
        MapMeasure("reach_pct", "Reach %", "Reach", ".1f", low_is_need=True,
                   darker_means="a lower share of under-fives known", banded=True),
        MapMeasure("families_to_find", "Families to find", "Families to find", ",d", low_is_need=False,
                   darker_means="more families to find"),
        MapMeasure("unmatched_births", "Unmatched births", "Unmatched births", ",d", low_is_need=False,
                   darker_means="more births not yet registered with a centre"),
        MapMeasure("idaci_decile", "IDACI decile", "Most deprived areas", "d", low_is_need=True,
                   darker_means="more deprived (decile 1 is the most deprived 10% in England)",
                   value_range=(1.0, 10.0), by_centre=False),
        MapMeasure(DISTANCE_COLUMN, "Distance to a site", "Distance to the nearest site", ".2f",
                   low_is_need=False, darker_means="further from the nearest site, in km in a straight line",
                   by_centre=False),
    )
}

NAMED_IN_SUMMARY = 5   # LSOAs named in the one-sentence summary; the table lists them all


# --- the gap ranking in words ------------------------------------------------------------------

def gap_summary(ranking: pd.DataFrame, *, counted_by_lsoa: bool = False) -> str:
    """One sentence on where the families to find are concentrated.

    "3 LSOAs hold half of the families to find: ..." names the fewest LSOAs, from the top of the
    ranking, that between them hold at least half of all the families to find
    (`fewest_holding_half`): the first five, when there are more. `counted_by_lsoa` says that
    the total is the LSOAs' figures added up, when that differs from the area's own figure
    (see `families_to_find_words`). LSOAs with no under-five estimate have no figure, and the
    sentence says so rather than counting them as having none to find.
    """
    if len(ranking) == 0:
        return "There are no LSOAs in the reach areas shown."
    estimated = _with_estimate(ranking)
    if len(estimated) == 0:
        return (f"None of the {fmt.count(len(ranking))} LSOAs shown has an estimate of its "
                f"under-fives yet, so there is no figure for families to find: load the "
                f"population estimates on the Data page.")
    total = int(estimated["families_to_find"].sum())
    unestimated = len(ranking) - len(estimated)
    if total == 0:
        lsoas = "the LSOA shown is" if len(ranking) == 1 else f"all {fmt.count(len(ranking))} LSOAs shown are"
        if unestimated:
            lsoas = (f"the {fmt.count(len(estimated))} LSOAs with an under-five estimate are "
                     f"({fmt.count(unestimated)} {'has' if unestimated == 1 else 'have'} no estimate yet)")
        return f"No families to find: {lsoas} at the target share of under-fives known."
    counted = " counted LSOA by LSOA" if counted_by_lsoa else ""
    leading = fewest_holding_half(estimated)
    needed, share = len(leading), int(leading["families_to_find"].sum())
    places = [_place(row) for row in leading.head(NAMED_IN_SUMMARY).itertuples(index=False)]
    if needed == 1:
        return (f"1 LSOA holds half or more of the {fmt.count(total)} families to find{counted}: "
                f"{places[0]}.")
    opening = (f"{fmt.count(needed)} LSOAs (of {fmt.count(len(ranking))}) hold half of the {fmt.count(total)} "
               f"families to find{counted}")
    if needed <= NAMED_IN_SUMMARY:
        return f"{opening}: {', '.join(places)}; {fmt.count(share)} between them."
    return (f"{opening} ({fmt.count(share)} between them). The most are in {', '.join(places[:-1])} "
            f"and {places[-1]}.")


def _with_estimate(ranking: pd.DataFrame) -> pd.DataFrame:
    """The LSOAs that have an under-five estimate (all of them, when the column is absent)."""
    if "children_under5" not in ranking.columns:
        return ranking
    return ranking[ranking["children_under5"].fillna(0) > 0]


def _place(row) -> str:
    name = getattr(row, "lsoa_name", None)
    label = f"{row.lsoa_code} {name}" if isinstance(name, str) and name else row.lsoa_code
    return f"{label} ({fmt.count(row.families_to_find)})"


def families_to_find_words(*, area: str | None, own: int, lsoas_total: int) -> str:
    """The families to find of the area shown, the same figure as the page it comes from, and
    why its LSOAs' own figures add up to more when they do.

    `area` is the chosen centre's name, or None for all centres together (the authority);
    `own` is that area's figure from the report, `lsoas_total` the sum over its LSOAs. The sum
    is never smaller: each LSOA's figure is rounded up to a whole child, and an LSOA that is
    ahead of the target counts as none to find, so it cannot make up for one behind.
    Plain text: the caller escapes it (a centre's name comes from the data).
    """
    if area is None:
        words = reword(f"All centres together have {fmt.count(own)} families to find, as on the Overview.")
    else:
        words = reword(f"{area} has {fmt.count(own)} families to find, as on My centre.")
    if lsoas_total == own:
        return words
    if lsoas_total > own:
        return (f"{words} Added up LSOA by LSOA they come to {fmt.count(lsoas_total)} "
                f"({fmt.count(lsoas_total - own)} more): {why_parts_add_up_to_more('LSOA')}.")
    return f"{words} Added up LSOA by LSOA they come to {fmt.count(lsoas_total)}."


# --- the colours --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ColourScale:
    """The values a map's colours run between, and the marks on its colour bar."""

    low: float
    high: float
    marks: tuple[tuple[float, str], ...] = ()   # (value, band) where a band begins


def colour_scale(values: pd.Series, measure: MapMeasure, bands: Bands = Bands()) -> ColourScale:
    """Where the colours of `measure` start and end for these `values`.

    A fixed range stays fixed (the IDACI decile runs 1 to 10). Reach % is fitted to the areas
    shown, widened to whole steps of 5 points and never beyond 0 to 100 (a figure over 100%
    takes the end colour), so that the differences between, say, 55% and 80% are plain to see;
    the thresholds of the indicative bands that fall within it are marked. Counts run from 0 to
    the largest shown.
    """
    if measure.value_range is not None:
        return ColourScale(*measure.value_range)
    shown = pd.to_numeric(values, errors="coerce").dropna()
    if not measure.banded:
        return ColourScale(0.0, float(max(shown.max(), 1.0)) if len(shown) else 1.0)
    if len(shown) == 0:
        low, high = 0.0, 100.0
    else:
        low = max(0.0, math.floor(float(shown.min()) / REACH_STEP) * REACH_STEP)
        high = min(100.0, math.ceil(float(shown.max()) / REACH_STEP) * REACH_STEP)
        if high - low < REACH_STEP:
            low, high = (max(0.0, high - REACH_STEP), high) if high >= REACH_STEP else (0.0, REACH_STEP)
    thresholds = ((bands.requires_improvement, "requires improvement"), (bands.good, "good"),
                  (bands.outstanding, "outstanding"))
    marks = tuple((float(value), band) for value, band in thresholds if low <= value <= high)
    return ColourScale(low, high, marks)


def colour_words(measure: MapMeasure, scale: ColourScale) -> str:
    """The colour key in words, so that nothing is told by colour alone."""
    words = f"Darker areas need more attention: {measure.darker_means}."
    if measure.banded:
        words += (f" The colours run from {_percent(scale.low)} to {_percent(scale.high)}, the range "
                  f"of the areas shown, so that small differences show")
        words += (" (a figure over 100% takes the lightest colour)." if scale.high == 100.0
                  else ".")
        if scale.marks:
            begins = ", ".join(f"{band} at {_percent(value)}" for value, band in scale.marks)
            words += f" The marks on the colour bar are where the indicative bands begin: {begins}."
    return words


def _percent(value: float) -> str:
    return f"{value:g}%"


def _band_hover(values: pd.Series, bands: Bands) -> pd.Series:
    return pd.Series([bands.band(None if pd.isna(v) else float(v)) or "no figure" for v in values],
                     index=values.index, dtype=object)


def _colour_bar(figure: go.Figure, measure: MapMeasure, scale: ColourScale) -> None:
    """A horizontal colour bar under the map (it takes none of the map's width), with the
    band thresholds marked."""
    bar: dict = dict(orientation="h", x=0.5, xanchor="center", y=0.0, yanchor="top", ypad=8,
                     len=0.9, thickness=COLOUR_BAR_PX, title=dict(text=measure.label, side="top"))
    if measure.banded:
        ticks = _band_ticks(scale)
        bar.update(tickvals=[value for value, _ in ticks], ticktext=[text for _, text in ticks],
                   ticks="outside", ticklen=8, tickwidth=2)
    figure.update_layout(coloraxis_colorbar=bar, margin=dict(b=BELOW_MAP_PX))


def _band_ticks(scale: ColourScale) -> list[tuple[float, str]]:
    """The figures on a banded measure's colour bar, (value, words): where each band begins, and
    the ends of the range unless one is too close to a band's mark to be read beside it."""
    ends = [(scale.low, _percent(scale.low)), (scale.high, _percent(scale.high))]
    near = 0.06 * (scale.high - scale.low)     # an end this close to a mark would overlap it
    ticks = [(value, _percent(value)) for value, _ in scale.marks]
    ticks += [end for end in ends if all(abs(end[0] - value) > near for value, _ in scale.marks)]
    return sorted(ticks)


# --- the maps -----------------------------------------------------------------------------------
#
# Each map comes two ways from the same figures, colours and hover details: drawn by Plotly in the
# browser, which zooms and pans (`lsoa_map`, `reach_area_map`), and drawn here as SVG, on the page
# at once (`lsoa_svg_map`, `reach_area_svg_map`).

@dataclass(frozen=True)
class _Coloured:
    """What a map shows of a measure: the values with their hover columns, and the colour scale."""

    values: pd.DataFrame
    hover: tuple[str, ...]
    measure: MapMeasure
    scale: ColourScale
    id_column: str

    def arguments(self) -> dict:
        """The arguments both map builders (`choropleth`, `svg_choropleth`) take alike."""
        measure = self.measure
        return dict(values=self.values, value_column=measure.column, id_column=self.id_column,
                    hover_columns=self.hover, label=measure.label, reverse=measure.low_is_need,
                    value_format=measure.value_format, value_range=(self.scale.low, self.scale.high))


def _lsoas_coloured(ranking: pd.DataFrame, measure: MapMeasure, bands: Bands) -> _Coloured:
    """Hover gives the LSOA code and name, centre and value (and, for reach, the indicative band
    by the thresholds in `bands`; for the distance, the nearest site)."""
    values = pd.DataFrame({
        "lsoa_code": ranking["lsoa_code"],
        measure.column: ranking[measure.column].astype("float64"),
        "Name": ranking["lsoa_name"].astype(object).where(ranking["lsoa_name"].notna(), "not named"),
        reword("Centre"): ranking["centre_name"],
    })
    hover = ["Name", reword("Centre")]
    if measure.banded:
        values.insert(2, "Band", _band_hover(values[measure.column], bands))
        hover.insert(0, "Band")
    if measure.column == DISTANCE_COLUMN and "nearest_site_name" in ranking.columns:
        values["Nearest site"] = ranking["nearest_site_name"].astype(object).where(
            ranking["nearest_site_name"].notna(), "none placed")
        hover.insert(0, "Nearest site")
    return _Coloured(values, tuple(hover), measure, colour_scale(values[measure.column], measure, bands),
                     "lsoa_code")


def _reach_areas_coloured(centre_report: pd.DataFrame, measure: MapMeasure, bands: Bands) -> _Coloured:
    """Each reach area by its centre's figure; a measure that exists only per LSOA (the IDACI
    decile) falls back to reach %."""
    measure = whole_area_measure(measure)
    values = centre_report[["centre_id", "centre_name", measure.column, "lsoas"]].rename(
        columns={"centre_name": reword("Centre"), "lsoas": "LSOAs"})
    values[measure.column] = values[measure.column].astype("float64")
    hover = [reword("Centre"), "LSOAs"]
    if measure.banded:
        values["Band"] = _band_hover(values[measure.column], bands)
        hover.insert(0, "Band")
    return _Coloured(values, tuple(hover), measure, colour_scale(values[measure.column], measure, bands),
                     "centre_id")


def lsoa_map(*, areas: gpd.GeoDataFrame, ranking: pd.DataFrame, measure: MapMeasure,
             outlines: gpd.GeoDataFrame | None = None, points: pd.DataFrame | None = None,
             bands: Bands = Bands()) -> go.Figure:
    """The LSOAs coloured by `measure`; hover gives the LSOA code and name, centre and value
    (and, for reach, the indicative band by the thresholds in `bands`).

    `ranking` is `gap_ranking(...)`; LSOAs in `areas` with no figure are drawn grey as no data.
    """
    coloured = _lsoas_coloured(ranking, measure, bands)
    figure = choropleth(areas=areas, outlines=outlines, points=points, **coloured.arguments())
    _colour_bar(figure, measure, coloured.scale)
    _site_points_named(figure)
    return _fitted(figure, areas)


def lsoa_svg_map(*, areas: gpd.GeoDataFrame, ranking: pd.DataFrame, measure: MapMeasure,
                 outlines: gpd.GeoDataFrame | None = None, points: pd.DataFrame | None = None,
                 new_sites: pd.DataFrame | None = None, bands: Bands = Bands()) -> str:
    """`lsoa_map` drawn as SVG (HTML for the page), with the site finder's `new_sites`
    (`new_site_points`) marked, if any."""
    coloured = _lsoas_coloured(ranking, measure, bands)
    return svg_choropleth(areas=areas, outlines=outlines, title=f"Map: {measure.label} by LSOA",
                          dots=_dots(points, new_sites), **_svg_key(coloured), **coloured.arguments())


def _site_points_named(figure: go.Figure) -> None:
    """The sites' points named in the legend as the sites are called (the geo package names them
    in the default words)."""
    figure.update_traces(name=reword("Children's centre"), selector=dict(name="Children's centre"))


def whole_area_measure(measure: MapMeasure) -> MapMeasure:
    """What colours whole reach areas when `measure` is chosen: itself, or reach % for a figure
    that exists only per LSOA."""
    return measure if measure.by_centre else MAP_MEASURES["Reach %"]


def reach_area_map(*, outlines: gpd.GeoDataFrame, centre_report: pd.DataFrame,
                   measure: MapMeasure, points: pd.DataFrame | None = None,
                   bands: Bands = Bands()) -> go.Figure:
    """Whole reach areas coloured by the centre's figure, for areas too large to draw by LSOA.

    A measure that exists only per LSOA (the IDACI decile) falls back to reach %.
    """
    coloured = _reach_areas_coloured(centre_report, measure, bands)
    figure = choropleth(areas=outlines, points=points, **coloured.arguments())
    _colour_bar(figure, coloured.measure, coloured.scale)
    _site_points_named(figure)
    return _fitted(figure, outlines)


def reach_area_svg_map(*, outlines: gpd.GeoDataFrame, centre_report: pd.DataFrame, measure: MapMeasure,
                       points: pd.DataFrame | None = None, new_sites: pd.DataFrame | None = None,
                       bands: Bands = Bands()) -> str:
    """`reach_area_map` drawn as SVG (HTML for the page), with the site finder's `new_sites`
    marked, if any."""
    coloured = _reach_areas_coloured(centre_report, measure, bands)
    return svg_choropleth(areas=outlines, title=f"Map: {coloured.measure.label} by reach area",
                          dots=_dots(points, new_sites), **_svg_key(coloured), **coloured.arguments())


def _svg_key(coloured: _Coloured) -> dict:
    """The SVG map's colour key as the Plotly map's colour bar: for a banded measure, the same
    figures, with where each band begins marked and named on hover."""
    if not coloured.measure.banded:
        return {}
    scale = coloured.scale
    return dict(key_ticks=_band_ticks(scale),
                key_marks=[(value, f"{band} begins at {_percent(value)}") for value, band in scale.marks])


def _dots(points: pd.DataFrame | None, new_sites: pd.DataFrame | None) -> list[Dots]:
    """The sites as red dots, named on hover, then the site finder's new sites as orange ones."""
    dots = []
    if points is not None and not points.empty:
        dots.append(Dots(points.assign(hover=points["name"]), CENTRE_COLOUR, CENTRE_SIZE,
                         reword("Children's centre")))
    if new_sites is not None and not new_sites.empty:
        dots.append(Dots(new_sites, NEW_SITE_COLOUR, NEW_SITE_SIZE, _new_sites_name()))
    return dots


def _fitted(figure: go.Figure, shapes: gpd.GeoDataFrame) -> go.Figure:
    """Size the map for its place on the page and fit the view to `shapes` at the narrowest
    width it is shown at; the figure itself stretches to its container."""
    view = bounds_view(shapes, width_px=MAP_WIDTH_PX, height_px=MAP_HEIGHT_PX - BELOW_MAP_PX)
    figure.update_layout(height=MAP_HEIGHT_PX, autosize=True,
                         map=dict(center=view["center"], zoom=view["zoom"]))
    return figure


# --- the gap table ------------------------------------------------------------------------------

# What a reader needs first, so that it shows without scrolling beside the map: the LSOA, its
# families to find and its reach. The rest follows; the download holds every column.
GAP_TABLE_FIRST = ("lsoa_name", "families_to_find", "reach_pct", "lsoa_code", "centre_name")
GAP_TABLE_HIDDEN = ("centre_id",)      # in the download only: the chooser names the centre


def gap_table(ranking: pd.DataFrame) -> pd.DataFrame:
    """The gap ranking with its columns in the order a reader needs them: the LSOA's name (its
    code first when no LSOA has a name), families to find, reach %, then the rest."""
    first = list(GAP_TABLE_FIRST)
    if "lsoa_name" not in ranking.columns or ranking["lsoa_name"].isna().all():
        first = ["lsoa_code", *(column for column in first if column not in ("lsoa_name", "lsoa_code"))]
    rest = [column for column in ranking.columns if column not in first]
    return ranking[[column for column in first if column in ranking.columns] + rest]


# --- distance to the nearest site -------------------------------------------------------------

# The distance table: the LSOA, how far, to which site, and how many under-fives live there.
DISTANCE_TABLE_COLUMNS = ("lsoa_name", "lsoa_code", "distance_km", "nearest_site_name", "nearest_site",
                          "children_under5", "centre_id", "point")


def with_distances(ranking: pd.DataFrame, distances: pd.DataFrame) -> pd.DataFrame:
    """The gap ranking with each LSOA's `distance_km` and `nearest_site_name` (from
    `reach.queries.access.access_figures(...).lsoas`); no figure where an LSOA has none."""
    extra = distances[["lsoa_code", DISTANCE_COLUMN, "nearest_site_name"]]
    return ranking.drop(columns=[c for c in extra.columns if c != "lsoa_code" and c in ranking.columns]).merge(
        extra, on="lsoa_code", how="left")


def distance_table(distances: pd.DataFrame, names: pd.DataFrame, *, centre_id: str | None = None) -> pd.DataFrame:
    """The reach-area LSOAs furthest from a site first (those with no distance last), with their
    names: one centre's, or all of them."""
    table = distances if centre_id is None else distances[distances["centre_id"] == centre_id]
    table = table.merge(names, on="lsoa_code", how="left")
    table = table.sort_values([DISTANCE_COLUMN, "lsoa_code"], ascending=[False, True], na_position="last",
                              kind="stable")
    return table[[column for column in DISTANCE_TABLE_COLUMNS if column in table.columns]].reset_index(drop=True)


# --- the site finder's new sites on the map -----------------------------------------------------

NEW_SITE_COLOUR = "#f28e2b"      # orange: apart from the blues of the areas and the sites' red
NEW_SITE_SIZE = 17               # larger than a site's point, so it shows beside one


def new_site_points(*, points: pd.DataFrame, names: dict[str, str], adds: dict[str, int]) -> pd.DataFrame:
    """Where the site finder would put each new site (`lsoa_code`, `lon`, `lat`, from
    `reach.queries.access.lsoa_points`), with its hover text; LSOAs with no point are left out."""
    placed = points[points["lon"].notna() & points["lat"].notna()]
    words = current()
    hover = [f"Possible new {words.site}: {code}" + (f" ({names[code]})" if names.get(code) else "")
             + f"; brings {fmt.count(adds.get(code, 0))} children within reach"
             for code in placed["lsoa_code"]]
    return pd.DataFrame({"lsoa_code": placed["lsoa_code"].to_numpy(), "lon": placed["lon"].astype(float).to_numpy(),
                         "lat": placed["lat"].astype(float).to_numpy(), "hover": hover})


def mark_new_sites(figure: go.Figure, points: pd.DataFrame) -> go.Figure:
    """The site finder's new sites as large orange points, named on hover (no labels on the map);
    the figure as it was when there are none."""
    if points.empty:
        return figure
    figure.add_trace(go.Scattermap(
        lon=points["lon"].to_numpy(), lat=points["lat"].to_numpy(), mode="markers",
        marker=dict(size=NEW_SITE_SIZE, color=NEW_SITE_COLOUR, opacity=0.95),
        hovertext=points["hover"].map(plotly_text).to_numpy(), hovertemplate="%{hovertext}<extra></extra>",
        name=_new_sites_name(),
    ))
    return figure


def _new_sites_name() -> str:
    return f"Possible new {current().site}"
