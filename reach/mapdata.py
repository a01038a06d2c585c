"""What the Map and gaps page needs from the store: shapes, the gap ranking and the map itself.

Shapes are kept in the `lsoas` table as WKB in longitude and latitude. The page never draws every
LSOA of a large area at once: above `MAX_LSOAS_AT_ONCE` it shows one outline per reach area
(coloured by the centre's figure) until a centre is chosen, and then only that centre's LSOAs.
Every shape is simplified for display (the more shapes, the more simplified), with neighbours
kept edge to edge, and never more than a budget of corner points reaches the browser, however
detailed the stored boundaries are.

The functions that read the store take the connection first, so the dashboard can cache them
by the database's version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from geo.figures import LICENCE_CREDIT, choropleth
from geo.projection import WGS84
from geo.shapes import (DISPLAY_VERTEX_BUDGET, bounds_view, dissolve_areas, display_tolerance,
                        simplify_for_display, vertex_count)
from reach import format as fmt

# The map's drawing area on the page (beside the gap table, less the colour bar): the view is
# fitted to it, erring small so that no area is cut off on a narrow screen.
MAP_WIDTH_PX, MAP_HEIGHT_PX = 420, 560

# Beyond this many LSOAs a browser slows to a crawl drawing them; show reach areas instead.
MAX_LSOAS_AT_ONCE = 2_000

# Beyond this many corner points (two and a half times the generalised LSOA boundaries of all
# England and Wales), LSOAs are thinned before they are dissolved into reach areas: dissolving
# them at full detail takes minutes. The outlines of such a set may show hairline seams.
THIN_BEFORE_DISSOLVING_ABOVE = 4_000_000


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
    definition: str            # its entry in reach.measures.DEFINITIONS
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

# The gap ranking's columns, in the order shown.
GAP_COLUMNS = ("lsoa_code", "lsoa_name", "centre_name", "families_to_find", "children_under5",
               "known_children", "reach_pct", "unmatched_births", "idaci_decile", "centre_id")


@dataclass(frozen=True)
class BoundaryCoverage:
    """How many of the LSOAs in reach areas the store has a shape for."""

    lsoas_in_reach_areas: int
    with_shape: int
    missing: tuple[str, ...]     # LSOA codes in a reach area with no shape

    @property
    def any_shapes(self) -> bool:
        return self.with_shape > 0


# --- reading the store ------------------------------------------------------------------------

def boundary_coverage(con) -> BoundaryCoverage:
    """Which LSOAs of the reach areas can be drawn."""
    rows = con.execute(
        """
        SELECT ra.lsoa_code, l.geometry IS NOT NULL AS has_shape
        FROM reach_areas ra LEFT JOIN lsoas l USING (lsoa_code)
        ORDER BY ra.lsoa_code
        """
    ).fetchall()
    missing = tuple(code for code, has_shape in rows if not has_shape)
    return BoundaryCoverage(lsoas_in_reach_areas=len(rows), with_shape=len(rows) - len(missing),
                            missing=missing)


def lsoa_names(con) -> pd.DataFrame:
    """`lsoa_code` and `lsoa_name` of every LSOA with a boundary (names come with the shapes)."""
    return con.execute("SELECT lsoa_code, lsoa_name FROM lsoas ORDER BY lsoa_code").df()


def reach_area_lsoas(con, centre_id: str | None = None) -> gpd.GeoDataFrame:
    """The LSOAs of every reach area (or of one centre's) that have a shape, as stored.

    Columns `lsoa_code`, `lsoa_name`, `centre_id` and `geometry`, in EPSG:4326.
    """
    rows = con.execute(
        """
        SELECT l.lsoa_code, l.lsoa_name, ra.centre_id, l.geometry
        FROM lsoas l JOIN reach_areas ra USING (lsoa_code)
        WHERE l.geometry IS NOT NULL AND (? IS NULL OR ra.centre_id = ?)
        ORDER BY l.lsoa_code
        """,
        [centre_id, centre_id],
    ).fetchall()
    # DuckDB hands a BLOB back as a memoryview-like object; shapely wants bytes.
    shapes = shapely.from_wkb([bytes(row[3]) for row in rows]) if rows else np.array([], dtype=object)
    return gpd.GeoDataFrame(
        {
            "lsoa_code": pd.Series([row[0] for row in rows], dtype="str"),
            "lsoa_name": pd.Series([row[1] for row in rows], dtype=object),
            "centre_id": pd.Series([row[2] for row in rows], dtype="str"),
        },
        geometry=gpd.GeoSeries(shapes, crs=WGS84),
    )


def display_lsoas(con, centre_id: str | None = None) -> gpd.GeoDataFrame:
    """The LSOAs to draw (all reach areas, or one centre's), simplified for the map.

    Raises ValueError when more than MAX_LSOAS_AT_ONCE would be drawn for all centres at once:
    draw `display_reach_areas` instead.
    """
    areas = reach_area_lsoas(con, centre_id)
    if centre_id is None and len(areas) > MAX_LSOAS_AT_ONCE:
        raise ValueError(
            f"{len(areas):,} LSOAs are too many to draw at once (the limit is "
            f"{MAX_LSOAS_AT_ONCE:,}); draw the reach areas, or choose a centre."
        )
    return simplify_for_display(areas, tolerance_m=display_tolerance(len(areas)))


def display_reach_areas(con, centre_id: str | None = None) -> gpd.GeoDataFrame:
    """One outline per reach area (or just one centre's), dissolved from its LSOAs and simplified.

    Columns `centre_id`, `centre_name`, `lsoa_count` and `geometry`, in EPSG:4326.
    """
    lsoas = reach_area_lsoas(con, centre_id)
    # The outlines are as detailed as all the LSOAs they were made from.
    tolerance = display_tolerance(len(lsoas))
    if vertex_count(lsoas) > THIN_BEFORE_DISSOLVING_ABOVE:
        lsoas = simplify_for_display(lsoas, tolerance_m=tolerance,
                                     max_vertices=4 * DISPLAY_VERTEX_BUDGET)
    outlines = dissolve_areas(lsoas, lsoas[["lsoa_code", "centre_id"]])
    outlines = simplify_for_display(outlines, tolerance_m=tolerance)
    names = con.execute("SELECT centre_id, name AS centre_name FROM centres").df()
    outlines = outlines.merge(names, on="centre_id", how="left")
    outlines["centre_name"] = outlines["centre_name"].fillna(outlines["centre_id"])
    return outlines[["centre_id", "centre_name", "lsoa_count", "geometry"]]


def centre_points(con) -> pd.DataFrame:
    """Where each centre is: `centre_id`, `name`, `lon`, `lat`, for centres with a location."""
    return con.execute(
        """
        SELECT centre_id, name, lon, lat FROM centres
        WHERE lon IS NOT NULL AND lat IS NOT NULL
        ORDER BY centre_id
        """
    ).df()


def centre_choices(lsoa_report: pd.DataFrame) -> dict[str, str]:
    """The centres that have a reach area, id to name, in the report's order (by id)."""
    pairs = lsoa_report[["centre_id", "centre_name"]].drop_duplicates("centre_id").sort_values("centre_id")
    return dict(zip(pairs["centre_id"], pairs["centre_name"].fillna(pairs["centre_id"])))


# --- the gap ranking --------------------------------------------------------------------------

def gap_ranking(lsoa_report: pd.DataFrame, *, names: pd.DataFrame,
                centre_id: str | None = None) -> pd.DataFrame:
    """LSOAs ordered by families to find (most first), with their names: where the gaps are.

    `lsoa_report` is `reach_report(..., by="lsoa")`; `names` has `lsoa_code` and `lsoa_name`.
    Ties are broken by unmatched births, then by LSOA code, so the order is stable.
    """
    frame = lsoa_report
    if centre_id is not None:
        frame = frame[frame["centre_id"] == centre_id]
    frame = frame.merge(names[["lsoa_code", "lsoa_name"]], on="lsoa_code", how="left")
    frame = frame.sort_values(["families_to_find", "unmatched_births", "lsoa_code"],
                              ascending=[False, False, True])
    return frame[list(GAP_COLUMNS)].reset_index(drop=True)


def gap_summary(ranking: pd.DataFrame) -> str:
    """One sentence on where the families to find are concentrated.

    "3 LSOAs hold half of the families to find: ..." counts the fewest LSOAs, from the top of the
    ranking, that between them hold at least half of all the families to find, and names them
    (the first five, when there are more).
    """
    total = int(ranking["families_to_find"].sum()) if len(ranking) else 0
    if len(ranking) == 0:
        return "There are no LSOAs in the reach areas shown."
    if total == 0:
        return (f"No families to find: all {fmt.count(len(ranking))} LSOAs shown are at the "
                f"target share of under-fives known.")
    ordered = ranking.sort_values("families_to_find", ascending=False, kind="stable")
    cumulative = ordered["families_to_find"].cumsum().to_numpy()
    # The first position where the running total reaches half (2 x running >= total avoids
    # rounding a half of an odd total).
    needed = int(np.argmax(2 * cumulative >= total)) + 1
    share = int(cumulative[needed - 1])
    places = [_place(row) for row in ordered.head(min(needed, NAMED_IN_SUMMARY)).itertuples(index=False)]
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


# --- the map ----------------------------------------------------------------------------------

def shows_reach_areas_only(lsoa_count: int, centre_id: str | None) -> bool:
    """True when the map should show whole reach areas rather than LSOAs: all centres at once,
    with more LSOAs than a browser draws comfortably."""
    return centre_id is None and lsoa_count > MAX_LSOAS_AT_ONCE


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
