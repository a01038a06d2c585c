"""The demo council on the map: its names and codes, its LSOAs (boundaries, names, deprivation,
under-fives), its centres and their reach areas, and a postcode lookup.

Everything is drawn in British National Grid metres. LSOA codes start with E019 and postcodes
with ZZ, so nothing can be mistaken for a real place.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

# Who the council is: a fictional unitary authority (the E06 of a real one, the 999 of none).
COUNCIL_NAME = "Brackenfold (fictional)"
PLACE_NAME = "Brackenfold"
LA_CODE = "E06999001"
# The grid the council is drawn on, as ONS publishes boundaries; the boundary reader reprojects.
BRITISH_NATIONAL_GRID = "EPSG:27700"

# The shape of the council: about 15 km across, somewhere plausible in the north of England.
_TOWN_CENTRE = (430_000.0, 380_000.0)
_MEAN_RADIUS_M = 7_300.0
_LSOA_COUNT = 136
_MSOA_COUNT = 27
_CENTRE_COUNT = 12
_POSTCODES_PER_LSOA = 8

# Centre names are dealt to the reach areas at random; the hub and its satellite are named.
_CENTRE_NAMES = [
    "Riverside Children's Centre",
    "Millbrook Family Hub",
    "Oakfield Children's Centre",
    "Hollins Green Children's Centre",
    "Ashworth Children's Centre",
    "Kestrel Lane Children's Centre",
    "Thornley Family Hub",
    "Westmere Children's Centre",
    "Fellside Children's Centre",
    "Sandy Lane Children's Centre",
    "Highcross Children's Centre",
    "Lowther Park Children's Centre",
    "Daisy Bank Children's Centre",
    "Moss Side Lane Children's Centre",
]
_HUB_NAME = "Brackenfold Central Family Hub"
_SATELLITE_NAME = "Canal Street Family Hub"
_HUB_GROUP = "BRACKENFOLD-CENTRAL"

# A neighbouring (equally fictional) council's LSOAs: where families who move away are recorded.
NEIGHBOUR_LSOAS = [f"E0190{n:04d}" for n in range(901, 913)]

# Letters used in the inward part of real postcodes (C, I, K, M, O and V never appear there).
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


# --- the LSOAs -----------------------------------------------------------------------------------

def _outline_radius(theta: np.ndarray, harmonics: list[tuple[float, float]]) -> np.ndarray:
    """The distance from the town centre to the council's edge at each bearing `theta`: a circle
    made irregular by a few harmonics (amplitude, phase)."""
    radius = np.ones_like(theta)
    for k, (amplitude, phase) in enumerate(harmonics, start=2):
        radius = radius + amplitude * np.cos(k * theta + phase)
    return _MEAN_RADIUS_M * radius


def draw_lsoas(rng: np.random.Generator) -> gpd.GeoDataFrame:
    """LSOA polygons tiling an irregular council: Voronoi cells of well-spread points, denser in the
    town than at the rural edge (LSOAs hold similar numbers of people), clipped to the outline."""
    cx, cy = _TOWN_CENTRE
    harmonics = [(rng.uniform(0.06, 0.12) / math.sqrt(k - 1), rng.uniform(0, 2 * math.pi)) for k in range(2, 7)]
    theta = np.linspace(0, 2 * math.pi, 240, endpoint=False)
    radius = _outline_radius(theta, harmonics)
    outline = shapely.Polygon(np.column_stack([cx + radius * np.cos(theta), cy + radius * np.sin(theta)]))

    # Mitchell's best candidate: each new point is the candidate farthest from those already placed.
    minx, miny, maxx, maxy = outline.bounds
    points = np.empty((0, 2))
    while len(points) < _LSOA_COUNT:
        candidates = rng.uniform((minx, miny), (maxx, maxy), size=(40, 2))
        candidates = candidates[shapely.contains_xy(outline, candidates[:, 0], candidates[:, 1])][:12]
        if len(candidates) == 0:
            continue
        if len(points) == 0:
            points = candidates[:1]
            continue
        distance = np.sqrt(((candidates[:, None, :] - points[None, :, :]) ** 2).sum(axis=2)).min(axis=1)
        points = np.vstack([points, candidates[np.argmax(distance)]])

    # Pull points towards the town centre along their bearing, staying inside the outline.
    dx, dy = points[:, 0] - cx, points[:, 1] - cy
    bearing = np.arctan2(dy, dx)
    share = np.hypot(dx, dy) / _outline_radius(bearing, harmonics)
    pulled = _outline_radius(bearing, harmonics) * share ** 1.45
    points = np.column_stack([cx + pulled * np.cos(bearing), cy + pulled * np.sin(bearing)])

    cells = shapely.voronoi_polygons(shapely.MultiPoint(points), extend_to=outline.buffer(5_000), ordered=True)
    clipped = [cell.intersection(outline) for cell in cells.geoms]
    return gpd.GeoDataFrame({"geometry": _single_part_cells(clipped)}, crs=BRITISH_NATIONAL_GRID)


def _single_part_cells(cells: list) -> list:
    """Give every cell one part: a stray piece cut off by a bay of the outline joins the neighbour
    it shares most border with, so the cells still tile the council exactly."""
    cells = list(cells)
    for i, cell in enumerate(cells):
        if cell.geom_type == "Polygon":
            continue
        parts = sorted(cell.geoms, key=lambda part: part.area, reverse=True)
        cells[i] = parts[0]
        for piece in parts[1:]:
            shared = [(piece.boundary.intersection(other.boundary).length, j)
                      for j, other in enumerate(cells) if j != i]
            _, neighbour = max(shared)
            cells[neighbour] = shapely.union(cells[neighbour], piece)
    # Centimetres are plenty; a shared corner rounds the same way in both cells, so they still meet.
    return [shapely.normalize(shapely.transform(cell, lambda xy: np.round(xy, 2))) for cell in cells]


def adjacency_of(geometries: np.ndarray) -> list[list[int]]:
    """Neighbours of each polygon: those it shares a border with (a corner is not enough)."""
    tree = shapely.STRtree(geometries)
    left, right = tree.query(geometries, predicate="intersects")
    neighbours: list[list[int]] = [[] for _ in geometries]
    for i, j in zip(left.tolist(), right.tolist()):
        if i < j and shapely.intersection(geometries[i].boundary, geometries[j].boundary).length > 1.0:
            neighbours[i].append(j)
            neighbours[j].append(i)
    return [sorted(found) for found in neighbours]


def _spread_seeds(points: np.ndarray, count: int, first: int) -> list[int]:
    """`count` indices of well-spread points (farthest-point sampling from `first`)."""
    chosen = [first]
    distance = np.hypot(*(points - points[first]).T)
    for _ in range(count - 1):
        chosen.append(int(np.argmax(distance)))
        distance = np.minimum(distance, np.hypot(*(points - points[chosen[-1]]).T))
    return chosen


def _grow_regions(adjacency: list[list[int]], points: np.ndarray, seeds: list[int],
                  weights: np.ndarray) -> np.ndarray:
    """Grow contiguous regions from `seeds` over the adjacency graph: the lightest region takes the
    unclaimed neighbour nearest its seed, until every node is claimed."""
    label = np.full(len(adjacency), -1)
    load = np.zeros(len(seeds))
    for region, seed in enumerate(seeds):
        label[seed] = region
        load[region] = weights[seed]
    frontier = [set(adjacency[seed]) for seed in seeds]
    stuck = set()
    while (label < 0).any():
        region = next(r for r in np.argsort(load, kind="stable") if r not in stuck)
        frontier[region] = {n for n in frontier[region] if label[n] < 0}
        if not frontier[region]:
            stuck.add(region)
            continue
        seed_point = points[seeds[region]]
        nearest = min(frontier[region], key=lambda n: (np.hypot(*(points[n] - seed_point)), n))
        label[nearest] = region
        load[region] += weights[nearest]
        frontier[region] |= set(adjacency[nearest])
    return label


def _inside_points(lsoas: gpd.GeoDataFrame) -> np.ndarray:
    """A point inside each LSOA (a centroid can fall outside an odd shape)."""
    return shapely.get_coordinates(shapely.point_on_surface(lsoas.geometry.to_numpy()))


def _north_to_south(points: np.ndarray, region: np.ndarray) -> dict:
    """Each region's number, from 1 for the northernmost (by the mean northing of its points)
    southwards, as ONS numbers MSOAs."""
    north = pd.Series(points[:, 1]).groupby(region).mean()
    return {r: n for n, r in enumerate(north.sort_values(ascending=False).index, start=1)}


def name_lsoas(lsoas: gpd.GeoDataFrame, adjacency: list[list[int]]) -> gpd.GeoDataFrame:
    """Group LSOAs into MSOAs and name them as ONS does: MSOAs numbered from north to south,
    "Brackenfold 001A"; codes follow the names."""
    points = _inside_points(lsoas)
    first = int(np.argmax(points[:, 1]))
    msoa = _grow_regions(adjacency, points, _spread_seeds(points, _MSOA_COUNT, first), np.ones(len(points)))
    msoa_number = _north_to_south(points, msoa)
    order = sorted(range(len(points)), key=lambda i: (msoa_number[msoa[i]], -points[i, 1], points[i, 0]))
    named = lsoas.iloc[order].reset_index(drop=True)
    letters: list[str] = []
    seen: dict[int, int] = {}
    for i in order:
        number = msoa_number[msoa[i]]
        letters.append(f"{number:03d}{chr(ord('A') + seen.get(number, 0))}")
        seen[number] = seen.get(number, 0) + 1
    named.insert(0, "lsoa_code", [f"E019{n:05d}" for n in range(1, len(named) + 1)])
    named.insert(1, "lsoa_name", [f"{PLACE_NAME} {label}" for label in letters])
    named.insert(2, "msoa", [label[:3] for label in letters])
    return named


def deprivation_surface(lsoas: gpd.GeoDataFrame, rng: np.random.Generator) -> np.ndarray:
    """A smooth deprivation score in [0, 1] (1 = most deprived): a deprived core around the old town
    and its canal, a pocket of deprivation on one outer estate, affluent villages at the edge."""
    points = _inside_points(lsoas)
    cx, cy = _TOWN_CENTRE
    core = np.array([cx + rng.uniform(-1500, 1500), cy + rng.uniform(-1500, 1500)])
    bearing = rng.uniform(0, 2 * math.pi)
    estate = np.array([cx, cy]) + 5_000 * np.array([math.cos(bearing), math.sin(bearing)])
    score = (np.exp(-(np.hypot(*(points - core).T) / 3_600) ** 2)
             + 0.75 * np.exp(-(np.hypot(*(points - estate).T) / 1_600) ** 2))
    # Gentle ripples, so neighbours are alike without the map being a bullseye.
    for _ in range(3):
        direction = rng.uniform(0, 2 * math.pi)
        wave = points @ np.array([math.cos(direction), math.sin(direction)]) / rng.uniform(3_000, 6_000)
        score = score + 0.12 * np.sin(wave + rng.uniform(0, 2 * math.pi))
    ranked = pd.Series(score).rank(method="first").to_numpy()
    return np.round((ranked - 1) / (len(ranked) - 1), 4)


# Shares of the council's LSOAs in each national IDACI decile: a northern town, more deprived
# than England as a whole (decile 1 first).
_DECILE_SHARES = np.array([0.13, 0.12, 0.11, 0.10, 0.10, 0.09, 0.09, 0.09, 0.09, 0.08])


def national_deciles(deprivation: np.ndarray) -> np.ndarray:
    """IDACI deciles (1 = most deprived nationally) for deprivation scores, in the shares above."""
    order = np.argsort(-deprivation, kind="stable")
    bounds = np.cumsum(_DECILE_SHARES) * len(deprivation)
    deciles = np.empty(len(deprivation), dtype="int64")
    deciles[order] = np.searchsorted(bounds, np.arange(len(deprivation)), side="right") + 1
    return deciles


# --- centres and postcodes ---------------------------------------------------------------------

def draw_centres(lsoas: gpd.GeoDataFrame, adjacency: list[list[int]],
                 rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    """Centres with contiguous reach areas of similar numbers of under-fives, each building in its
    own area; the centre of the deprived core is a family hub with a satellite next door."""
    points = _inside_points(lsoas)
    deprivation = lsoas["deprivation"].to_numpy()
    core = int(np.argmax(deprivation))
    seeds = _spread_seeds(points, _CENTRE_COUNT, core)
    region = _grow_regions(adjacency, points, seeds, lsoas["under_fives"].to_numpy())

    # Number the centres from north to south, as the LSOAs are.
    number = _north_to_south(points, region)
    hub_region = region[core]
    neighbours = sorted({region[n] for m in np.flatnonzero(region == hub_region) for n in adjacency[m]}
                        - {hub_region}, key=lambda r: number[r])
    satellite_region = neighbours[int(rng.integers(len(neighbours)))]

    names = list(rng.permutation(_CENTRE_NAMES))
    # Quality drives how many of its children a centre comes to know: one centre struggling, one
    # exemplary, the rest spread between, dealt to the areas at random.
    quality = rng.permutation(np.r_[0.0, np.linspace(0.3, 0.75, _CENTRE_COUNT - 2), 1.0])
    rows = []
    for r in sorted(number, key=lambda region: number[region]):
        members = np.flatnonzero(region == r)
        area_centre = points[members].mean(axis=0)
        home = int(members[np.argmin(np.hypot(*(points[members] - area_centre).T))])
        name = _HUB_NAME if r == hub_region else _SATELLITE_NAME if r == satellite_region else names.pop()
        rows.append({
            "centre_id": f"DEMO{number[r]:02d}",
            "name": name,
            "group_id": _HUB_GROUP if r in (hub_region, satellite_region) else None,
            "home_lsoa": lsoas["lsoa_code"].iat[home],
            "x": points[home, 0],
            "y": points[home, 1],
            "quality": float(quality[number[r] - 1]),
        })
    centres = pd.DataFrame(rows)
    area_of = np.array([f"DEMO{number[r]:02d}" for r in region])
    return centres, area_of


def draw_postcodes(lsoas: gpd.GeoDataFrame, centres: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """A fictional postcode lookup: a few postcodes per LSOA at points inside it, districts ZZ1 to
    ZZ9 by bearing from the town centre (real districts fan out like that)."""
    cx, cy = _TOWN_CENTRE
    used: set[str] = set()
    rows = []
    centre_points = {row.home_lsoa: (row.x, row.y) for row in centres.itertuples()}
    for lsoa in lsoas.itertuples():
        polygon = lsoa.geometry
        minx, miny, maxx, maxy = polygon.bounds
        points = []
        if lsoa.lsoa_code in centre_points:
            points.append(centre_points[lsoa.lsoa_code])
        while len(points) < _POSTCODES_PER_LSOA:
            candidates = rng.uniform((minx, miny), (maxx, maxy), size=(32, 2))
            inside = candidates[shapely.contains_xy(polygon, candidates[:, 0], candidates[:, 1])]
            points.extend(map(tuple, inside[: _POSTCODES_PER_LSOA - len(points)]))
        for x, y in points:
            district = 1 + int(((math.atan2(y - cy, x - cx) + math.pi) / (2 * math.pi)) * 9) % 9
            while True:
                code = (f"ZZ{district} {int(rng.integers(1, 10))}"
                        f"{_INWARD_LETTERS[int(rng.integers(20))]}{_INWARD_LETTERS[int(rng.integers(20))]}")
                if code not in used:
                    used.add(code)
                    break
            rows.append({"postcode": code, "lsoa_code": lsoa.lsoa_code, "x": x, "y": y})
    # The lookup reaches a little over the border, as ONSPD extracts often do, so a family who
    # moves to the neighbouring council can still be placed (and counted as out of area).
    for k, code in enumerate(NEIGHBOUR_LSOAS):
        bearing = 2 * math.pi * k / len(NEIGHBOUR_LSOAS)
        x, y = cx + 11_500 * math.cos(bearing), cy + 11_500 * math.sin(bearing)
        for n in range(3):
            rows.append({"postcode": f"ZZ{10 + k % 3} {n + 1}{_INWARD_LETTERS[k]}{_INWARD_LETTERS[k + n]}",
                         "lsoa_code": code, "x": x + 150 * n, "y": y - 100 * n})
    postcodes = pd.DataFrame(rows)
    to_wgs84 = Transformer.from_crs(BRITISH_NATIONAL_GRID, "EPSG:4326", always_xy=True)
    postcodes["lon"], postcodes["lat"] = to_wgs84.transform(postcodes["x"].to_numpy(), postcodes["y"].to_numpy())
    return postcodes
