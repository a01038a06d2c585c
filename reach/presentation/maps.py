"""The Map and gaps page's figures: the maps, what they can be coloured by, the licence credit,
and the sentence on where the families to find are concentrated.

The shapes come from `reach.queries.mapdata` and the gap ranking from
`reach.domain.breakdowns`; the maps themselves are drawn by `geo.figures.choropleth`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import pandas as pd
import plotly.graph_objects as go

from geo.figures import LICENCE_CREDIT, choropleth
from geo.shapes import bounds_view
from reach.domain.breakdowns import fewest_holding_half
from reach.presentation import format as fmt

# The map's drawing area on the page (beside the gap table, less the colour bar): the view is
# fitted to it, erring small so that no area is cut off on a narrow screen.
MAP_WIDTH_PX, MAP_HEIGHT_PX = 420, 560


def boundary_credit(year: int | None = None) -> str:
    """The licence credit the ONS and OS boundaries require, shown under every map."""
    return LICENCE_CREDIT.format(year=year or date.today().year)


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
    value_range: tuple[float, float] | None = None
    by_centre: bool = True     # does the figure exist for a whole reach area?


MAP_MEASURES: dict[str, MapMeasure] = {
    measure.label: measure
    for measure in (
        MapMeasure("reach_pct", "Reach %", "Reach", ".1f", low_is_need=True,
                   darker_means="a lower share of under-fives known", value_range=(0.0, 100.0)),
        MapMeasure("families_to_find", "Families to find", "Families to find", ",d", low_is_need=False,
                   darker_means="more families to find"),
        MapMeasure("unmatched_births", "Unmatched births", "Unmatched births", ",d", low_is_need=False,
                   darker_means="more births not yet registered with a centre"),
        MapMeasure("idaci_decile", "IDACI decile", "Most deprived areas", "d", low_is_need=True,
                   darker_means="more deprived (decile 1 is the most deprived 10% in England)",
                   value_range=(1.0, 10.0), by_centre=False),
    )
}

NAMED_IN_SUMMARY = 5   # LSOAs named in the one-sentence summary; the table lists them all


# --- the gap ranking in words ------------------------------------------------------------------

def gap_summary(ranking: pd.DataFrame) -> str:
    """One sentence on where the families to find are concentrated.

    "3 LSOAs hold half of the families to find: ..." names the fewest LSOAs, from the top of the
    ranking, that between them hold at least half of all the families to find
    (`fewest_holding_half`): the first five, when there are more.
    """
    total = int(ranking["families_to_find"].sum()) if len(ranking) else 0
    if len(ranking) == 0:
        return "There are no LSOAs in the reach areas shown."
    if total == 0:
        return (f"No families to find: all {fmt.count(len(ranking))} LSOAs shown are at the "
                f"target share of under-fives known.")
    leading = fewest_holding_half(ranking)
    needed, share = len(leading), int(leading["families_to_find"].sum())
    places = [_place(row) for row in leading.head(NAMED_IN_SUMMARY).itertuples(index=False)]
    if needed == 1:
        return (f"1 LSOA holds half or more of the {fmt.count(total)} families to find: "
                f"{places[0]}.")
    opening = (f"{needed} LSOAs (of {fmt.count(len(ranking))}) hold half of the {fmt.count(total)} "
               f"families to find")
    if needed <= NAMED_IN_SUMMARY:
        return f"{opening}: {', '.join(places)}; {fmt.count(share)} between them."
    return (f"{opening} ({fmt.count(share)} between them). The most are in {', '.join(places[:-1])} "
            f"and {places[-1]}.")


def _place(row) -> str:
    name = getattr(row, "lsoa_name", None)
    label = f"{row.lsoa_code} {name}" if isinstance(name, str) and name else row.lsoa_code
    return f"{label} ({fmt.count(row.families_to_find)})"


# --- the maps -----------------------------------------------------------------------------------

def lsoa_map(*, areas: gpd.GeoDataFrame, ranking: pd.DataFrame, measure: MapMeasure,
             outlines: gpd.GeoDataFrame | None = None, points: pd.DataFrame | None = None) -> go.Figure:
    """The LSOAs coloured by `measure`; hover gives the LSOA code and name, centre and value.

    `ranking` is `gap_ranking(...)`; LSOAs in `areas` with no figure are drawn grey as no data.
    """
    values = pd.DataFrame({
        "lsoa_code": ranking["lsoa_code"],
        measure.column: ranking[measure.column].astype("float64"),
        "Name": ranking["lsoa_name"].astype(object).where(ranking["lsoa_name"].notna(), "not named"),
        "Centre": ranking["centre_name"],
    })
    figure = choropleth(
        areas=areas, values=values, value_column=measure.column, id_column="lsoa_code",
        hover_columns=("Name", "Centre"), label=measure.label, reverse=measure.low_is_need,
        value_format=measure.value_format, value_range=measure.value_range,
        outlines=outlines, points=points,
    )
    return _fitted(figure, areas)


def whole_area_measure(measure: MapMeasure) -> MapMeasure:
    """What colours whole reach areas when `measure` is chosen: itself, or reach % for a figure
    that exists only per LSOA."""
    return measure if measure.by_centre else MAP_MEASURES["Reach %"]


def reach_area_map(*, outlines: gpd.GeoDataFrame, centre_report: pd.DataFrame,
                   measure: MapMeasure, points: pd.DataFrame | None = None) -> go.Figure:
    """Whole reach areas coloured by the centre's figure, for areas too large to draw by LSOA.

    A measure that exists only per LSOA (the IDACI decile) falls back to reach %.
    """
    measure = whole_area_measure(measure)
    values = centre_report[["centre_id", "centre_name", measure.column, "lsoas"]].rename(
        columns={"centre_name": "Centre", "lsoas": "LSOAs"})
    values[measure.column] = values[measure.column].astype("float64")
    figure = choropleth(
        areas=outlines, values=values, value_column=measure.column, id_column="centre_id",
        hover_columns=("Centre", "LSOAs"), label=measure.label, reverse=measure.low_is_need,
        value_format=measure.value_format, value_range=measure.value_range, points=points,
    )
    return _fitted(figure, outlines)


def _fitted(figure: go.Figure, shapes: gpd.GeoDataFrame) -> go.Figure:
    """Size the map for its place on the page and fit the view to `shapes` at that size."""
    view = bounds_view(shapes, width_px=MAP_WIDTH_PX, height_px=MAP_HEIGHT_PX)
    figure.update_layout(height=MAP_HEIGHT_PX, map=dict(center=view["center"], zoom=view["zoom"]))
    return figure
