"""Shapes for the geo tests: a synthetic coverage (the published Trafford boundaries come from the
`trafford` fixture in tests/conftest.py).

The synthetic coverage is a grid of jittered cells in British National Grid whose shared edges
are built once and used by both neighbours, so it is a true coverage, like ONS boundaries.
"""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

BRITISH_NATIONAL_GRID = "EPSG:27700"
# Near Manchester, so the grid reprojects like real English boundaries do.
GRID_ORIGIN_M = (380_000.0, 390_000.0)


@pytest.fixture
def areas(grid_coverage):
    """Twenty cells, five by four, in longitude and latitude: the map tests' areas."""
    return grid_coverage(5, 4).to_crs(4326)


@pytest.fixture
def reach(areas):
    """A reach % for each of `areas`, from 42 to 101.5 (over 100, as a real figure can be)."""
    return pd.DataFrame({
        "lsoa_code": areas["lsoa_code"],
        "reach_pct": np.linspace(42.0, 101.5, len(areas)),
        "lsoa_name": areas["lsoa_name"],
    })


@pytest.fixture
def grid_coverage():
    """The synthetic coverage builder, for tests that choose its size."""
    return build_grid_coverage


def build_grid_coverage(columns: int, rows: int, *, cell_m: float = 400.0,
                        bends_per_edge: int = 3, count: int | None = None,
                        seed: int = 20240601) -> gpd.GeoDataFrame:
    """`columns` x `rows` cells (or the first `count`), codes E01000001 upwards, in EPSG:27700.

    Corners are jittered by up to 15% of a cell and every edge bends at `bends_per_edge`
    points by up to 5%, so there is something to simplify.
    """
    rng = np.random.default_rng(seed)
    grid_i, grid_j = np.meshgrid(np.arange(columns + 1), np.arange(rows + 1), indexing="ij")
    corners = np.stack([grid_i, grid_j], axis=-1) * cell_m + np.asarray(GRID_ORIGIN_M)
    corners = corners + rng.uniform(-0.15, 0.15, corners.shape) * cell_m

    steps = np.arange(1, bends_per_edge + 1) / (bends_per_edge + 1)
    # Edge points running along x (from corner (i, j) to (i + 1, j)) and along y.
    along_x = (corners[:-1, :, None, :] * (1 - steps)[:, None]
               + corners[1:, :, None, :] * steps[:, None])
    along_x[..., 1] += rng.uniform(-0.05, 0.05, along_x.shape[:-1]) * cell_m
    along_y = (corners[:, :-1, None, :] * (1 - steps)[:, None]
               + corners[:, 1:, None, :] * steps[:, None])
    along_y[..., 0] += rng.uniform(-0.05, 0.05, along_y.shape[:-1]) * cell_m

    rings = np.concatenate(
        [
            corners[:-1, :-1, None, :],
            along_x[:, :-1],                 # bottom edge, left to right
            corners[1:, :-1, None, :],
            along_y[1:, :],                  # right edge, upwards
            corners[1:, 1:, None, :],
            along_x[:, 1:, ::-1],            # top edge, right to left
            corners[:-1, 1:, None, :],
            along_y[:-1, :, ::-1],           # left edge, downwards
            corners[:-1, :-1, None, :],      # close the ring
        ],
        axis=2,
    ).reshape(columns * rows, -1, 2)
    if count is not None:
        rings = rings[:count]
    polygons = shapely.polygons(rings)
    numbers = np.arange(1, len(polygons) + 1)
    return gpd.GeoDataFrame(
        {
            "lsoa_code": [f"E01{number:06d}" for number in numbers],
            "lsoa_name": [f"Grid {number}" for number in numbers],
        },
        geometry=gpd.GeoSeries(polygons, crs=BRITISH_NATIONAL_GRID),
    )
