"""What the Map and gaps page needs from the store: which LSOAs have shapes, and the shapes.

Shapes are kept in the `lsoas` table as WKB in longitude and latitude. The page never draws every
LSOA of a large area at once: above `MAX_LSOAS_AT_ONCE` it shows one outline per reach area
(coloured by the centre's figure) until a centre is chosen, and then only that centre's LSOAs.
Every shape is simplified for display (the more shapes, the more simplified), with neighbours
kept edge to edge, and never more than a budget of corner points reaches the browser, however
detailed the stored boundaries are.

The functions that read the store take the connection first, so the dashboard can cache them
by the database's version. The gap ranking is `reach.domain.breakdowns.gap_ranking`; the map
figures and the sentence beside them are in `reach.presentation.maps`.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.projection import WGS84
from geo.shapes import DISPLAY_VERTEX_BUDGET, dissolve_areas, display_tolerance, simplify_for_display, vertex_count

# Beyond this many LSOAs a browser slows to a crawl drawing them; show reach areas instead.
MAX_LSOAS_AT_ONCE = 2_000

# Beyond this many corner points (two and a half times the generalised LSOA boundaries of all
# England and Wales), LSOAs are thinned before they are dissolved into reach areas: dissolving
# them at full detail takes minutes. The outlines of such a set may show hairline seams.
THIN_BEFORE_DISSOLVING_ABOVE = 4_000_000


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


def shows_reach_areas_only(lsoa_count: int, centre_id: str | None) -> bool:
    """True when the map should show whole reach areas rather than LSOAs: all centres at once,
    with more LSOAs than a browser draws comfortably."""
    return centre_id is None and lsoa_count > MAX_LSOAS_AT_ONCE
