"""The demo local authority: a fictional council, built in seconds, so a fresh machine opens with data.

Brackenfold (fictional) is drawn and simulated from one seed, so every figure is the same on
every machine and tests can assert numbers. It goes into the store through the real importers,
from the same kinds of files a council would load, so the demo exercises the path real data takes:

- LSOA boundaries (GeoJSON in British National Grid, so the boundary reader reprojects them),
  centres with a hub and its satellite, reach areas, an ONS-style postcode lookup;
- population estimates for five mid-years, one of them in the ONS published wide layout, with two
  LSOAs that have no estimate at all and one new-estate LSOA whose estimate is too low;
- the Indices of Deprivation in their long layout (2015 and 2019 editions, on unchanged codes);
- a realistic history of birth-data sharing: monthly birth counts by LSOA throughout, quarterly
  birth records from April 2023, then monthly records with arrivals from October 2024;
- the centres' registration and contact exports, with a few deliberately faulty rows.

Children are simulated one by one: born here or arriving, moving within or out of the area,
becoming known by notification (after an extract arrives) or by other routes (self-referral,
health visitors, an older sibling already known). NHS numbers are in the 999 test range, postcodes
start with ZZ and LSOA codes with E019, so nothing can be mistaken for a real person or place.
"""

from __future__ import annotations

import bisect
import heapq
import math
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from data.importers import import_file
from data.schema import TABLES
from data.store import database_path, opened

DEMO_AS_AT = date(2026, 9, 30)
DEFAULT_SEED = 20261125

COUNCIL_NAME = "Brackenfold (fictional)"
PLACE_NAME = "Brackenfold"
LA_CODE = "E06999001"
BRITISH_NATIONAL_GRID = "EPSG:27700"

# The shape of the council: about 15 km across, somewhere plausible in the north of England.
_TOWN_CENTRE = (430_000.0, 380_000.0)
_MEAN_RADIUS_M = 7_300.0
_LSOA_COUNT = 136
_MSOA_COUNT = 27
_CENTRE_COUNT = 12
_POSTCODES_PER_LSOA = 8

# The timeline. The simulation starts five years before the data does, so that the under-fives
# living here when the data starts were born (or arrived) inside the simulation.
_SIMULATION_START = date(2016, 1, 1)
_DATA_START = date(2021, 10, 1)
_RECORDS_START = date(2023, 4, 1)          # quarterly birth records begin with this quarter
_MONTHLY_START = date(2024, 10, 1)         # the data-sharing agreement: monthly, with arrivals
_CONTACTS_START = date(2023, 10, 1)        # the contact export covers the three years to the demo date
_ESTIMATE_PERIODS = [date(year, 6, 30) for year in range(2021, 2026)]
_WIDE_LAYOUT_PERIOD = date(2024, 6, 30)    # published as ONS does, single years of age by sex

# Movement of under-fives, per month: out of the council (families in deprived areas move more
# often; a family with a child of about the same age moves into the home a few weeks later) and
# between its LSOAs.
_MOVE_OUT_RATE = (0.004, 0.012)    # (least deprived, most deprived)
_MOVE_WITHIN_RATE = 0.003
_MONTH_DAYS = 365.25 / 12

# How children become known. Each centre has a quality from 0 to 1 that sets, between these
# (worst, best) values: the share of notified families it goes on to register (a little lower in
# deprived areas); the monthly chance that an unknown child becomes known by other routes
# (self-referral, health visitors, partners), which only the best centres make high; the chance a
# new baby is registered because an older sibling is known; and the share of known families who
# keep coming.
_CONTACT_RATE = (0.80, 0.97)
_OTHER_ROUTES = (0.001, 0.148)
_SIBLING_SHARE = (0.15, 0.75)
_ENGAGED_SHARE = (0.45, 0.80)
_NOTIFIED_REGISTRATION_DAYS = 20.0   # mean days from an extract arriving to a registration
_OTHER_CENTRE_SHARE = 0.05           # families who register at a centre that is not their own

_FLAG_RATES = {
    "lone_parent": 0.20,
    "teenage_parent": 0.03,
    "workless_household": 0.12,
    "disability": 0.05,
    "minority_ethnic": 0.15,
    "father_engaged": 0.25,
}

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

_STREETS = ["Mill Lane", "Church Street", "Station Road", "Park Avenue", "Canal Street", "High Street",
            "Moor Road", "Victoria Road", "School Lane", "Chapel Street", "Green Lane", "Bridge Street",
            "Kingsway", "Orchard Close"]
_ACTIVITIES = ["Stay and play", "Baby massage", "Health visitor clinic", "Parenting course",
               "Speech and language group", "Breastfeeding support", "Messy play", "Family learning"]

# A neighbouring (equally fictional) council's LSOAs: where families who move away are recorded.
_NEIGHBOUR_LSOAS = [f"E0190{n:04d}" for n in range(901, 913)]

# Letters used in the inward part of real postcodes (C, I, K, M, O and V never appear there).
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True)
class DemoFile:
    """One file the demo council would send, as a frame, with the kind it is imported as."""

    kind: str
    file_name: str
    frame: pd.DataFrame
    received_on: date | None = None


@dataclass(frozen=True)
class DemoCouncil:
    """The generated council: its files in import order, and the truth they were drawn from."""

    files: tuple[DemoFile, ...]
    lsoas: gpd.GeoDataFrame      # lsoa_code, lsoa_name, msoa, deprivation, idaci_decile, under_fives,
                                 # centre_id, estimate ("published", "missing", "too low"), geometry (BNG)
    centres: pd.DataFrame        # centre_id, name, group_id, the quality that drives its reach
    children: pd.DataFrame       # one row per simulated child: the truth behind the files
    seed: int


@dataclass(frozen=True)
class DemoSummary:
    """What `build_demo` built."""

    database: Path
    council: str
    lsoas: int
    centres: int
    children: int
    files: int
    rows_loaded: int
    rows_quarantined: int
    seconds: float

    def __str__(self) -> str:
        return (f"{self.council}: {self.lsoas} LSOAs, {self.centres} centres, {self.children:,} children "
                f"simulated; {self.files} files imported ({self.rows_loaded:,} rows loaded, "
                f"{self.rows_quarantined} set aside for checking) in {self.seconds:.1f} s.")


Progress = Callable[[int, int, str], None]


# --- public API ----------------------------------------------------------------------------------

def generate_demo(*, seed: int = DEFAULT_SEED) -> DemoCouncil:
    """Draw and simulate the demo council: pure, deterministic for a given seed, touches no disk."""
    streams = _Streams(seed)
    lsoas = _draw_lsoas(streams.get("geometry"))
    adjacency = _adjacency(lsoas.geometry.to_numpy())
    lsoas = _name_lsoas(lsoas, adjacency)
    adjacency = _adjacency(lsoas.geometry.to_numpy())
    lsoas["deprivation"] = _deprivation_surface(lsoas, streams.get("deprivation"))
    lsoas["idaci_decile"] = _national_deciles(lsoas["deprivation"].to_numpy())
    rng = streams.get("people")
    lsoas["under_fives"] = np.round(60 + 55 * lsoas["deprivation"] + rng.normal(0, 6, len(lsoas))).clip(55, 125)

    centres, area_of = _draw_centres(lsoas, adjacency, streams.get("centres"))
    lsoas["centre_id"] = area_of
    lsoas["estimate"] = _estimate_quirks(lsoas["lsoa_code"].to_numpy(), streams.get("estimates"))
    postcodes = _draw_postcodes(lsoas, centres, streams.get("postcodes"))

    simulation = _Simulator(lsoas, adjacency, centres, rng=streams.get("simulation"),
                            extracts_rng=streams.get("extracts")).run()
    files = _files(lsoas=lsoas, centres=centres, postcodes=postcodes, simulation=simulation, streams=streams)
    return DemoCouncil(files=tuple(files), lsoas=lsoas, centres=centres,
                       children=simulation.children, seed=seed)


def write_demo_files(council: DemoCouncil, folder: str | Path) -> list[tuple[DemoFile, Path]]:
    """Write every file of `council` into `folder` (CSV, and GeoJSON for the boundaries)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for demo_file in council.files:
        path = folder / demo_file.file_name
        if isinstance(demo_file.frame, gpd.GeoDataFrame):
            demo_file.frame.to_file(path, driver="GeoJSON")
        else:
            demo_file.frame.to_csv(path, index=False, lineterminator="\n")
        written.append((demo_file, path))
    return written


def build_demo(db, *, seed: int = DEFAULT_SEED, progress: Progress | None = None) -> DemoSummary:
    """Build the demo council into the database `db`, which must not exist yet or be empty.

    Files are generated into a temporary folder and loaded with the real importers, in the order a
    council would load them. The store is built under a temporary name and moved into place only
    when complete, so an interrupted build never leaves a half-filled database behind.
    `progress(done, total, stage)` is called as each step finishes.
    """
    started = time.perf_counter()
    db = database_path(db)
    _require_empty(db)
    report = progress or (lambda done, total, stage: None)

    council = generate_demo(seed=seed)
    total = len(council.files) + 1
    report(1, total, "Drawing and simulating the demo council")
    building = db.with_name(f".{db.name}.building-{os.getpid()}")
    _remove_store(building)
    loaded = quarantined = 0
    try:
        with tempfile.TemporaryDirectory(prefix="reach-demo-") as folder:
            for step, (demo_file, path) in enumerate(write_demo_files(council, folder), start=2):
                summary = import_file(demo_file.kind, path, db=building, received_on=demo_file.received_on,
                                      original_name=demo_file.file_name)
                loaded += summary.rows_loaded
                quarantined += summary.rows_quarantined
                report(step, total, f"Imported {demo_file.file_name}")
        with opened(building) as con:
            con.execute("INSERT INTO meta VALUES ('demo', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        [f"{COUNCIL_NAME}; seed {seed}; as at {DEMO_AS_AT.isoformat()}"])
        _move_store(building, db)
    finally:
        _remove_store(building)
    return DemoSummary(database=db, council=COUNCIL_NAME, lsoas=len(council.lsoas),
                       centres=len(council.centres), children=len(council.children),
                       files=len(council.files), rows_loaded=loaded, rows_quarantined=quarantined,
                       seconds=time.perf_counter() - started)


_ENSURING = threading.Lock()


def ensure_demo(db=None) -> bool:
    """Build the demo council when there is no database file yet. True if it was built.

    Safe to call from every page load: page loads that arrive while the demo is being built wait
    for it instead of building it again.
    """
    db = database_path(db)
    with _ENSURING:
        if db.exists():
            return False
        build_demo(db)
        return True


# --- behind the public API ---------------------------------------------------------------------------

def _require_empty(db: Path) -> None:
    if not db.exists() or db.stat().st_size == 0:
        return
    with opened(db, read_only=True) as con:
        present = {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        holding = [table for table in TABLES if table in present and table != "meta"
                   and con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0]
    if holding:
        raise FileExistsError(
            f"The database {db} already holds data (in {', '.join(holding)}). The demo council is "
            f"only built into a new or empty database: choose another file, or remove this one first.")


# The files that make up one store: the database, DuckDB's write-ahead log, and the key file
# that pseudonymises NHS numbers (absent when the key comes from the environment).
_STORE_SUFFIXES = ("", ".wal", ".key")


def _move_store(source: Path, target: Path) -> None:
    for suffix in _STORE_SUFFIXES:
        moving = Path(str(source) + suffix)
        if moving.exists():
            os.replace(moving, Path(str(target) + suffix))
        elif suffix == ".wal":
            Path(str(target) + suffix).unlink(missing_ok=True)


def _remove_store(path: Path) -> None:
    for suffix in _STORE_SUFFIXES:
        Path(str(path) + suffix).unlink(missing_ok=True)


class _Streams:
    """Independent random streams, one per part of the demo, so changing how one part is drawn
    leaves the others as they were."""

    _NAMES = ("geometry", "deprivation", "people", "centres", "postcodes", "simulation",
              "population", "files", "faults", "estimates", "extracts")

    def __init__(self, seed: int):
        self._seed = seed

    def get(self, name: str) -> np.random.Generator:
        return np.random.default_rng([self._seed, self._NAMES.index(name)])


# --- dates as whole days ------------------------------------------------------------------------------

_EPOCH = date(1970, 1, 1)


def _day(value: date) -> int:
    return (value - _EPOCH).days


def _iso(days) -> np.ndarray:
    """Whole days since 1970 as ISO date strings."""
    return np.datetime_as_string(np.asarray(days, dtype="int64").astype("datetime64[D]"), unit="D")


def _month_starts(first: date, last: date) -> list[date]:
    """First days of the months from `first`'s month to `last`'s month, inclusive."""
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = _add_months(current, 1)
    return months


def _add_months(value: date, months: int) -> date:
    index = value.year * 12 + value.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _fifth_birthday(dob: int) -> int:
    """The fifth birthday of a date of birth, in days; 29 February's is on 1 March."""
    born = _EPOCH + timedelta(days=dob)
    if (born.month, born.day) == (2, 29):
        return _day(date(born.year + 5, 3, 1))
    return _day(born.replace(year=born.year + 5))


# --- the map ----------------------------------------------------------------------------------------

def _outline_radius(theta: np.ndarray, harmonics: list[tuple[float, float]]) -> np.ndarray:
    radius = np.ones_like(theta)
    for k, (amplitude, phase) in enumerate(harmonics, start=2):
        radius = radius + amplitude * np.cos(k * theta + phase)
    return _MEAN_RADIUS_M * radius


def _draw_lsoas(rng: np.random.Generator) -> gpd.GeoDataFrame:
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


def _adjacency(geometries: np.ndarray) -> list[list[int]]:
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
    return shapely.get_coordinates(shapely.point_on_surface(lsoas.geometry.to_numpy()))


def _name_lsoas(lsoas: gpd.GeoDataFrame, adjacency: list[list[int]]) -> gpd.GeoDataFrame:
    """Group LSOAs into MSOAs and name them as ONS does: MSOAs numbered from north to south,
    "Brackenfold 001A"; codes follow the names."""
    points = _inside_points(lsoas)
    first = int(np.argmax(points[:, 1]))
    msoa = _grow_regions(adjacency, points, _spread_seeds(points, _MSOA_COUNT, first), np.ones(len(points)))
    msoa_north = pd.Series(points[:, 1]).groupby(msoa).mean()
    msoa_number = {m: n for n, m in enumerate(msoa_north.sort_values(ascending=False).index, start=1)}
    order = sorted(range(len(points)), key=lambda i: (msoa_number[msoa[i]], -points[i, 1], points[i, 0]))
    named = lsoas.iloc[order].reset_index(drop=True)
    letters, seen = [], {}
    for i in order:
        number = msoa_number[msoa[i]]
        letters.append(f"{number:03d}{chr(ord('A') + seen.get(number, 0))}")
        seen[number] = seen.get(number, 0) + 1
    named.insert(0, "lsoa_code", [f"E019{n:05d}" for n in range(1, len(named) + 1)])
    named.insert(1, "lsoa_name", [f"{PLACE_NAME} {label}" for label in letters])
    named.insert(2, "msoa", [label[:3] for label in letters])
    return named


def _deprivation_surface(lsoas: gpd.GeoDataFrame, rng: np.random.Generator) -> np.ndarray:
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


def _national_deciles(deprivation: np.ndarray) -> np.ndarray:
    order = np.argsort(-deprivation, kind="stable")
    bounds = np.cumsum(_DECILE_SHARES) * len(deprivation)
    deciles = np.empty(len(deprivation), dtype="int64")
    deciles[order] = np.searchsorted(bounds, np.arange(len(deprivation)), side="right") + 1
    return deciles


# --- centres and postcodes ---------------------------------------------------------------------

def _draw_centres(lsoas: gpd.GeoDataFrame, adjacency: list[list[int]],
                  rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    """Centres with contiguous reach areas of similar numbers of under-fives, each building in its
    own area; the centre of the deprived core is a family hub with a satellite next door."""
    points = _inside_points(lsoas)
    deprivation = lsoas["deprivation"].to_numpy()
    core = int(np.argmax(deprivation))
    seeds = _spread_seeds(points, _CENTRE_COUNT, core)
    region = _grow_regions(adjacency, points, seeds, lsoas["under_fives"].to_numpy())

    # Number the centres from north to south, as the LSOAs are.
    region_north = pd.Series(points[:, 1]).groupby(region).mean().sort_values(ascending=False)
    number = {r: n for n, r in enumerate(region_north.index, start=1)}
    hub_region = region[core]
    neighbours = sorted({region[n] for m in np.flatnonzero(region == hub_region) for n in adjacency[m]}
                        - {hub_region}, key=lambda r: number[r])
    satellite_region = neighbours[int(rng.integers(len(neighbours)))]

    names = list(rng.permutation(_CENTRE_NAMES))
    # Quality drives how many of its children a centre comes to know: one centre struggling, one
    # exemplary, the rest spread between, dealt to the areas at random.
    quality = rng.permutation(np.r_[0.0, np.linspace(0.3, 0.75, _CENTRE_COUNT - 2), 1.0])
    rows = []
    for r in sorted(number, key=number.get):
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


def _draw_postcodes(lsoas: gpd.GeoDataFrame, centres: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
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
    for k, code in enumerate(_NEIGHBOUR_LSOAS):
        bearing = 2 * math.pi * k / len(_NEIGHBOUR_LSOAS)
        x, y = cx + 11_500 * math.cos(bearing), cy + 11_500 * math.sin(bearing)
        for n in range(3):
            rows.append({"postcode": f"ZZ{10 + k % 3} {n + 1}{_INWARD_LETTERS[k]}{_INWARD_LETTERS[k + n]}",
                         "lsoa_code": code, "x": x + 150 * n, "y": y - 100 * n})
    postcodes = pd.DataFrame(rows)
    to_wgs84 = Transformer.from_crs(BRITISH_NATIONAL_GRID, "EPSG:4326", always_xy=True)
    postcodes["lon"], postcodes["lat"] = to_wgs84.transform(postcodes["x"].to_numpy(), postcodes["y"].to_numpy())
    return postcodes


# --- the children -----------------------------------------------------------------------------------

class _Draws:
    """Random numbers drawn in bulk and handed out one at a time: the simulation asks for
    hundreds of thousands, and drawing them singly would dominate the build time."""

    def __init__(self, rng: np.random.Generator, size: int):
        self._rng = rng
        self._size = size
        self._refill()

    def _refill(self) -> None:
        self._uniform = self._rng.random(self._size).tolist()
        self._exponential = self._rng.standard_exponential(self._size).tolist()
        self._u = self._e = 0

    def uniform(self) -> float:
        if self._u == self._size:
            self._refill()
        self._u += 1
        return self._uniform[self._u - 1]

    def exponential(self, mean: float) -> float:
        if self._e == self._size:
            self._refill()
        self._e += 1
        return self._exponential[self._e - 1] * mean


@dataclass(frozen=True)
class _Simulation:
    children: pd.DataFrame        # child_id, nhs_number, dob, sex, entry, event, family, exit, ...
    residence: pd.DataFrame       # child_id, lsoa_code, start, end (days; end exclusive)
    registrations: pd.DataFrame   # child_id, lsoa_code, centre_id, registered_on (days)
    sightings: pd.DataFrame       # child_id, extract, lsoa_code, event (one row per extract a child is in)
    extracts: pd.DataFrame        # extract, received_on, first_day, last_day, monthly
    contacts: pd.DataFrame        # child_id, contact_on, centre_id, activity
    births_by_month: pd.DataFrame # lsoa_code, month, births


def _extracts(rng: np.random.Generator) -> pd.DataFrame:
    """Birth-record extracts: quarterly, about six weeks after each quarter, then monthly, two to
    three weeks after each month. The extract for the demo's own month has not arrived yet."""
    rows = []
    quarter = _RECORDS_START
    while quarter < _MONTHLY_START:
        following = _add_months(quarter, 3)
        last_day = following - timedelta(days=1)
        received = _working_day(last_day + timedelta(days=42 + int(rng.integers(-3, 4))))
        rows.append((f"{quarter.year}-Q{(quarter.month - 1) // 3 + 1}", received, quarter, last_day, False))
        quarter = following
    for month in _month_starts(_MONTHLY_START, DEMO_AS_AT):
        last_day = _add_months(month, 1) - timedelta(days=1)
        received = _working_day(last_day + timedelta(days=int(rng.integers(14, 22))))
        if received <= DEMO_AS_AT:
            rows.append((f"{month:%Y-%m}", received, month, last_day, True))
    frame = pd.DataFrame(rows, columns=["extract", "received_on", "first_day", "last_day", "monthly"])
    for column in ("received_on", "first_day", "last_day"):
        frame[column] = frame[column].map(_day)
    return frame


def _working_day(day: date) -> date:
    """The day itself, or the Monday after a weekend: extracts are sent on working days."""
    return day + timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)


def _nhs_numbers(rng: np.random.Generator, count: int) -> np.ndarray:
    """Distinct NHS numbers in the 999 test range with a valid modulus-11 check digit."""
    stems = 999_000_000 + rng.choice(1_000_000, size=int(count * 1.2) + 100, replace=False)
    digits = (stems[:, None] // 10 ** np.arange(8, -1, -1)) % 10
    check = 11 - (digits @ np.arange(10, 1, -1)) % 11
    check = np.where(check == 11, 0, check)
    valid = check != 10           # a check digit of 10 means the stem is never issued
    numbers = stems[valid] * 10 + check[valid]
    return np.array([f"{n:010d}" for n in numbers[:count]])


class _Simulator:
    """Follows every child from birth or arrival to their fifth birthday, a move away, or the demo
    date, and records what the council's data would show of them.

    Homes, not chance, keep an LSOA's number of under-fives steady: births come at a steady rate
    (spread over each quarter at random), and when a family moves out of an LSOA another family
    with a child of about the same age moves in a few weeks later. So the population a centre sees
    on the demo date is close to the latest estimate, as it would be in a settled town.
    """

    def __init__(self, lsoas: gpd.GeoDataFrame, adjacency: list[list[int]], centres: pd.DataFrame, *,
                 rng: np.random.Generator, extracts_rng: np.random.Generator):
        self.rng = rng
        self.draws = _Draws(rng, 200_000)
        self.codes = lsoas["lsoa_code"].to_numpy()
        self.under_fives = lsoas["under_fives"].to_numpy(dtype=float)
        deprivation = lsoas["deprivation"].to_numpy()
        self.centre_of = lsoas["centre_id"].to_numpy()
        self.quality = centres.set_index("centre_id")["quality"].to_dict()
        centre_quality = np.array([self.quality[c] for c in self.centre_of])
        self.neighbours = [list(n) for n in adjacency]
        self.cumulative_size = np.cumsum(self.under_fives) / self.under_fives.sum()

        def between(worst_best: tuple[float, float], share: np.ndarray) -> np.ndarray:
            return worst_best[0] + (worst_best[1] - worst_best[0]) * share

        # Per LSOA, from the quality of its centre; deprivation makes each a little harder.
        self.contact_rate = between(_CONTACT_RATE, centre_quality * (1 - 0.2 * deprivation))
        self.other_routes = between(_OTHER_ROUTES, centre_quality ** 3) * (1 - 0.3 * deprivation)
        self.sibling_share = between(_SIBLING_SHARE, centre_quality)
        self.engaged_share = between(_ENGAGED_SHARE, centre_quality)
        self.move_out = _MOVE_OUT_RATE[0] + (_MOVE_OUT_RATE[1] - _MOVE_OUT_RATE[0]) * deprivation
        self.moving = self.move_out + _MOVE_WITHIN_RATE

        self.extracts = _extracts(extracts_rng)
        self.extract_first = self.extracts["first_day"].tolist()
        self.extract_last = self.extracts["last_day"].tolist()
        self.extract_received = self.extracts["received_on"].tolist()
        self.extract_monthly = self.extracts["monthly"].tolist()
        self.horizon_day = _day(DEMO_AS_AT) + 1

        self.children: list[tuple] = []            # (entry, dob, lsoa, event, fifth, family, exit, known)
        self.residence: list[tuple] = []           # (child, lsoa, start, end)
        self.registrations: list[tuple] = []       # (child, lsoa_code, centre_id, registered_on)
        self.sightings: list[tuple] = []           # (child, extract, lsoa)
        self.queue: list[tuple] = []               # (entry, order, lsoa, dob, event), soonest first
        self.order = 0
        # Babies born so far, per LSOA, in order of birth: when, and into which family. Those born
        # more than five years before the child in hand are behind `oldest_baby`.
        self.babies_born: list[list[int]] = [[] for _ in self.codes]
        self.babies_family: list[list[int]] = [[] for _ in self.codes]
        self.oldest_baby = [0] * len(self.codes)
        self.family_known_since: dict[int, int] = {}
        self.families = 0
        # Homes left behind and not yet taken, per LSOA: (day the newcomer arrives, queue order,
        # the newcomer's date of birth).
        self.vacancies: list[list[tuple[int, int]]] = [[] for _ in self.codes]
        self.cancelled: set[int] = set()
        self.now = 0

    def run(self) -> _Simulation:
        for entry, lsoa in self._births():
            self._schedule(entry, lsoa, entry, "birth")
        while self.queue:
            entry, order, lsoa, dob, event = heapq.heappop(self.queue)
            if order in self.cancelled:
                continue
            self.now = entry
            self._follow(len(self.children), entry=entry, lsoa=lsoa, dob=dob, event=event)
        return self._results()

    def _schedule(self, entry: int, lsoa: int, dob: int, event: str) -> None:
        heapq.heappush(self.queue, (entry, self.order, lsoa, dob, event))
        self.order += 1

    def _births(self) -> list[tuple[int, int]]:
        """(day, LSOA) of every birth: each LSOA's expected births per quarter, rounded so that
        the fractions carry over, then scattered over the quarter's days by season."""
        months = _month_starts(_SIMULATION_START, DEMO_AS_AT)
        month_start = np.array([_day(m) for m in months])
        month_length = np.array([_day(_add_months(m, 1)) - _day(m) for m in months])
        season = 1 + 0.06 * np.cos(2 * math.pi * (np.array([m.month for m in months]) - 9) / 12)
        quarter = np.arange(len(months)) // 3
        expected = np.add.reduceat(np.outer(season, self.under_fives / 60), np.arange(0, len(months), 3), axis=0)
        carried = np.floor(np.cumsum(expected, axis=0) + self.rng.random(len(self.codes)))
        per_quarter = np.diff(carried, axis=0, prepend=0).astype("int64")
        quarter_index, lsoa_index = np.nonzero(per_quarter)
        repeat = per_quarter[quarter_index, lsoa_index]
        quarter_index, lsoa_index = np.repeat(quarter_index, repeat), np.repeat(lsoa_index, repeat)
        births = []
        for q in range(per_quarter.shape[0]):
            in_quarter = np.flatnonzero(quarter == q)
            weights = season[in_quarter] * month_length[in_quarter]
            chosen = lsoa_index[quarter_index == q]
            month = in_quarter[np.searchsorted(np.cumsum(weights) / weights.sum(), self.rng.random(len(chosen)))]
            day = month_start[month] + np.floor(self.rng.random(len(chosen)) * month_length[month]).astype("int64")
            births += [(int(d), int(l)) for d, l in zip(day, chosen) if d < self.horizon_day]
        return sorted(births)

    def _family(self, start: int, lsoa: int, born_here: bool) -> int:
        """A new baby may join a family in the same LSOA that had one 18 months to 5 years before."""
        family = -1
        if born_here:
            born = self.babies_born[lsoa]
            while self.oldest_baby[lsoa] < len(born) and start - born[self.oldest_baby[lsoa]] > 1800:
                self.oldest_baby[lsoa] += 1
            choices = bisect.bisect_right(born, start - 540) - self.oldest_baby[lsoa]
            if choices > 0 and self.draws.uniform() < 0.35:
                family = self.babies_family[lsoa][self.oldest_baby[lsoa] + int(self.draws.uniform() * choices)]
        if family < 0:
            family, self.families = self.families, self.families + 1
        if born_here:
            self.babies_born[lsoa].append(start)
            self.babies_family[lsoa].append(family)
        return family

    def _homes(self, child: int, *, start: int, lsoa: int, dob: int, horizon: int) -> tuple[list, int]:
        """Where the child lives, as (lsoa, since, until) spells, and the day they moved away (-1 if
        they did not). Every home left behind is taken by a family with a child of about the same age."""
        draws = self.draws
        spells, t, left = [], start, -1
        while True:
            wait = draws.exponential(_MONTH_DAYS / self.moving[lsoa])
            if t + wait >= horizon:
                spells.append((lsoa, t, horizon))
                return spells, left
            moved = int(t + wait) + 1
            spells.append((lsoa, t, moved))
            arrival = moved + int(draws.exponential(45.0))
            newcomer_dob = min(dob + int(draws.uniform() * 180) - 90, arrival)
            if arrival < self.horizon_day and arrival < _fifth_birthday(newcomer_dob):
                self._schedule(arrival, lsoa, newcomer_dob, "arrival")
                self.vacancies[lsoa].append((arrival, self.order - 1, newcomer_dob))
            t = moved
            if draws.uniform() < self.move_out[lsoa] / self.moving[lsoa]:
                return spells, moved
            lsoa = self._new_home(lsoa, moved, dob)

    def _new_home(self, leaving: int, day: int, dob: int) -> int:
        """Where a family moving within the council goes: usually next door, sometimes across
        town, and into a home just vacated there when there is one (so that no family from outside
        takes it)."""
        draws = self.draws
        nearby = draws.uniform() < 0.75 and self.neighbours[leaving]
        places = self.neighbours[leaving] if nearby else range(len(self.codes))
        free = []
        for lsoa in places:
            # Homes whose newcomers have already been followed cannot be taken any more.
            self.vacancies[lsoa] = [v for v in self.vacancies[lsoa] if v[0] >= self.now]
            free += [(arrival, order, lsoa, newcomer) for arrival, order, newcomer in self.vacancies[lsoa]
                     if day <= arrival <= day + 120 and abs(newcomer - dob) <= 365 and lsoa != leaving]
        if free:
            arrival, order, lsoa, newcomer = min(free)
            self.vacancies[lsoa].remove((arrival, order, newcomer))
            self.cancelled.add(order)
            return lsoa
        if nearby:
            return self.neighbours[leaving][int(draws.uniform() * len(self.neighbours[leaving]))]
        return int(np.searchsorted(self.cumulative_size, draws.uniform()))

    def _follow(self, child: int, *, entry: int, lsoa: int, dob: int, event: str) -> None:
        draws = self.draws
        born_here = event == "birth"
        fifth = _fifth_birthday(dob)
        horizon = min(fifth, self.horizon_day)
        family = self._family(entry, lsoa, born_here)
        spells, left = self._homes(child, start=entry, lsoa=lsoa, dob=dob, horizon=horizon)
        last_day_here = spells[-1][2]
        for where, since, until in spells:
            self.residence.append((child, where, since, until))

        def living_in(day: int) -> int:
            """The LSOA the child lives in on `day`, or -1 if not living here then."""
            if entry <= day < last_day_here:
                for where, since, until in spells:
                    if since <= day < until:
                        return where
            return -1

        # Ways to become known; the earliest that happens while the child lives here wins.
        candidates = []
        known_since = self.family_known_since.get(family, -1)
        if born_here and 0 <= known_since <= entry and draws.uniform() < self.sibling_share[lsoa]:
            candidates.append(entry + draws.exponential(45.0))
        extract = bisect.bisect_left(self.extract_last, entry)
        if (extract < len(self.extract_last) and entry >= self.extract_first[extract]
                and (born_here or self.extract_monthly[extract])):
            sighted_in = living_in(self.extract_last[extract])
            if sighted_in >= 0 and self.extract_received[extract] < self.horizon_day:
                self.sightings.append((child, extract, sighted_in))
                if draws.uniform() < self.contact_rate[sighted_in]:
                    candidates.append(self.extract_received[extract]
                                      + draws.exponential(_NOTIFIED_REGISTRATION_DAYS))
        for where, since, until in spells:
            chance = since + draws.exponential(_MONTH_DAYS / self.other_routes[where])
            if chance < until:
                candidates.append(chance)
                break
        registered = next((int(c) for c in sorted(candidates)
                           if living_in(int(c)) >= 0 and int(c) < self.horizon_day), -1)
        self.children.append((entry, dob, lsoa, event, fifth, family, left, registered))
        if registered < 0:
            return
        if known_since < 0 or registered < known_since:
            self.family_known_since[family] = registered
        self._register(child, spells=spells, left=left, registered=registered, where=living_in(registered))

    def _register(self, child: int, *, spells: list, left: int, registered: int, where: int) -> None:
        """The registration, and the later moves as far as the centre hears of them: centres that
        know their families well keep their addresses up to date."""
        draws = self.draws
        centre = self.centre_of[where]
        if draws.uniform() < _OTHER_CENTRE_SHARE and self.neighbours[where]:
            centre = self.centre_of[self.neighbours[where][int(draws.uniform() * len(self.neighbours[where]))]]
        quality = self.quality[centre]
        self.registrations.append((child, self.codes[where], centre, registered))
        for where, since, until in spells:
            if since > registered and draws.uniform() < 0.7 + 0.25 * quality:
                day = int(since + draws.exponential(30.0))
                if day < min(until, self.horizon_day):
                    centre = self.centre_of[where]
                    self.registrations.append((child, self.codes[where], centre, day))
        if left >= 0 and draws.uniform() < 0.55 + 0.4 * quality:
            day = int(left + draws.exponential(30.0))
            if day < self.horizon_day:
                away = _NEIGHBOUR_LSOAS[int(draws.uniform() * len(_NEIGHBOUR_LSOAS))]
                self.registrations.append((child, away, centre, day))

    def _results(self) -> _Simulation:
        children = pd.DataFrame(self.children, columns=["entry", "dob", "lsoa", "event", "fifth_birthday",
                                                        "family", "exit", "first_known"])
        count = len(children)
        children.insert(0, "child_id", np.arange(count))
        children["lsoa_code"] = self.codes[children["lsoa"].to_numpy()]
        children["nhs_number"] = _nhs_numbers(self.rng, count)
        children["sex"] = np.where(self.rng.random(count) < 0.512, "M", "F")
        residence = pd.DataFrame(self.residence, columns=["child_id", "lsoa", "start", "end"])
        residence["lsoa_code"] = self.codes[residence["lsoa"].to_numpy()]
        registrations = pd.DataFrame(self.registrations,
                                     columns=["child_id", "lsoa_code", "centre_id", "registered_on"])
        sightings = pd.DataFrame(self.sightings, columns=["child_id", "extract", "lsoa"])
        sightings["lsoa_code"] = self.codes[sightings["lsoa"].to_numpy()]
        sightings["event"] = children["event"].to_numpy()[sightings["child_id"].to_numpy()]
        contacts = _contacts(children, registrations, engaged_share=self.engaged_share, rng=self.rng)
        born = children[(children["event"] == "birth") & (children["dob"] >= _day(_DATA_START))]
        month_of_birth = pd.to_datetime(born["dob"].to_numpy(), unit="D").to_period("M")
        births_by_month = (born.assign(month=month_of_birth).groupby(["lsoa_code", "month"]).size()
                           .rename("births").reset_index())
        return _Simulation(children=children, residence=residence, registrations=registrations,
                           sightings=sightings, extracts=self.extracts, contacts=contacts,
                           births_by_month=births_by_month)


def _contacts(children: pd.DataFrame, registrations: pd.DataFrame, *, engaged_share: np.ndarray,
              rng: np.random.Generator) -> pd.DataFrame:
    """Attendances of known children while they live here, since the contact export began: some
    families come most weeks, most now and then."""
    first = registrations.drop_duplicates("child_id")
    child = first["child_id"].to_numpy()
    leave = np.where(children["exit"].to_numpy()[child] >= 0, children["exit"].to_numpy()[child],
                     np.minimum(children["fifth_birthday"].to_numpy()[child], _day(DEMO_AS_AT) + 1))
    start = np.maximum(first["registered_on"].to_numpy(), _day(_CONTACTS_START))
    span = np.maximum(leave - start, 0)
    engaged = rng.random(len(child)) < engaged_share[children["lsoa"].to_numpy()[child]]
    monthly = np.where(engaged, rng.gamma(4.0, 0.12, len(child)), rng.gamma(1.5, 0.09, len(child)))
    n = rng.poisson(monthly * span / _MONTH_DAYS)
    who = np.repeat(np.arange(len(child)), n)
    day = start[who] + np.floor(rng.random(len(who)) * span[who]).astype("int64")
    contacts = pd.DataFrame({
        "child_id": child[who],
        "contact_on": day,
        "centre_id": first["centre_id"].to_numpy()[who],
        "activity": np.array(_ACTIVITIES)[rng.integers(len(_ACTIVITIES), size=len(who))],
    })
    return contacts.drop_duplicates(["child_id", "contact_on", "centre_id", "activity"]).sort_values(
        ["contact_on", "child_id", "activity"], kind="stable").reset_index(drop=True)


# --- the files ----------------------------------------------------------------------------------------

def _files(*, lsoas: gpd.GeoDataFrame, centres: pd.DataFrame, postcodes: pd.DataFrame,
           simulation: _Simulation, streams: _Streams) -> list[DemoFile]:
    """Every file the council sends, in the order a data officer would load them."""
    rng = streams.get("files")
    postcode_choices = postcodes.groupby("lsoa_code")["postcode"].apply(list).to_dict()

    def postcode_for(lsoa_codes) -> list[str]:
        return [choices[int(rng.integers(len(choices)))] for choices in map(postcode_choices.get, lsoa_codes)]

    files = [
        DemoFile("boundaries", "brackenfold_lsoa21_bng.geojson", gpd.GeoDataFrame(
            {"LSOA21CD": lsoas["lsoa_code"], "LSOA21NM": lsoas["lsoa_name"]},
            geometry=lsoas.geometry.to_numpy(), crs=BRITISH_NATIONAL_GRID)),
        DemoFile("centres", "brackenfold_childrens_centres.csv", _centres_file(centres, postcodes)),
        DemoFile("reach-areas", "brackenfold_reach_areas.csv",
                 lsoas[["lsoa_code", "centre_id"]].sort_values(["centre_id", "lsoa_code"]).reset_index(drop=True)),
        DemoFile("postcodes", "brackenfold_postcodes.csv",
                 postcodes.rename(columns={"postcode": "pcds", "lsoa_code": "lsoa21cd"})
                 [["pcds", "lsoa21cd", "lat", "lon"]].round({"lat": 6, "lon": 6})),
    ]
    files += _population_files(lsoas, simulation, streams.get("population"))
    files.append(DemoFile("deprivation", "brackenfold_iod_2015_2019.csv", _deprivation_file(lsoas, rng)))
    files.append(DemoFile("birth-counts", "brackenfold_birth_counts_by_lsoa.csv",
                          _birth_counts_file(lsoas, simulation)))
    files += _birth_record_files(simulation, postcode_for)
    files += _registration_files(simulation, postcode_for, rng, streams.get("faults"))
    contacts = simulation.contacts
    files.append(DemoFile("contacts", "brackenfold_contacts_2023-10_to_2026-09.csv", pd.DataFrame({
        "nhs_number": simulation.children["nhs_number"].to_numpy()[contacts["child_id"].to_numpy()],
        "contact_on": _iso(contacts["contact_on"]),
        "centre_id": contacts["centre_id"],
        "activity": contacts["activity"],
    })))
    return files


def _centres_file(centres: pd.DataFrame, postcodes: pd.DataFrame) -> pd.DataFrame:
    # The first postcode drawn in a centre's home LSOA is the centre's own, at its door.
    at = postcodes.drop_duplicates("lsoa_code").set_index("lsoa_code")
    home = at.loc[centres["home_lsoa"]]
    return pd.DataFrame({
        "centre_id": centres["centre_id"],
        "name": centres["name"],
        "la_code": LA_CODE,
        "group_id": centres["group_id"],
        "address": [f"{10 + 7 * i} {_STREETS[i % len(_STREETS)]}, {PLACE_NAME}" for i in range(len(centres))],
        "postcode": home["postcode"].to_numpy(),
        "lon": home["lon"].round(6).to_numpy(),
        "lat": home["lat"].round(6).to_numpy(),
    })


def _resident_under_fives(simulation: _Simulation, on: date) -> pd.Series:
    """How many simulated children under five lived in each LSOA on a date."""
    day = _day(on)
    residence = simulation.residence
    children = simulation.children
    living = residence[(residence["start"] <= day) & (residence["end"] > day)]
    dob = children["dob"].to_numpy()[living["child_id"].to_numpy()]
    fifth = children["fifth_birthday"].to_numpy()[living["child_id"].to_numpy()]
    living = living[(dob <= day) & (day < fifth)]
    return living.groupby("lsoa_code").size()


def _estimate_quirks(codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Which LSOAs have a published estimate ("published"), none at all ("missing"), or one that
    is too low because a new estate was built after it ("too low")."""
    quirks = np.full(len(codes), "published", dtype=object)
    picked = rng.choice(len(codes), size=3, replace=False)
    quirks[picked[:2]] = "missing"
    quirks[picked[2]] = "too low"
    return quirks


def _population_files(lsoas: gpd.GeoDataFrame, simulation: _Simulation,
                      rng: np.random.Generator) -> list[DemoFile]:
    """ONS-style estimates from the simulated population, with the error ONS warns of. Two LSOAs
    have no estimate (the fallback is exercised), and one, a new estate, is estimated too low."""
    codes = lsoas["lsoa_code"].to_numpy()
    missing = set(codes[lsoas["estimate"] == "missing"])
    new_estate = codes[lsoas["estimate"] == "too low"][0]
    estimates = {}
    for period in _ESTIMATE_PERIODS:
        true = _resident_under_fives(simulation, period).reindex(codes, fill_value=0).to_numpy(dtype=float)
        error = np.exp(rng.normal(0, 0.02, len(codes)))
        estimate = pd.Series(np.round(true * error).astype("int64"), index=codes)
        estimate[new_estate] = int(round(estimate[new_estate] * 0.75))
        estimates[period] = estimate.drop(sorted(missing))

    long_rows = [pd.DataFrame({"lsoa_code": estimate.index, "children_0_4": estimate.to_numpy(),
                               "period": period.isoformat()})
                 for period, estimate in estimates.items() if period != _WIDE_LAYOUT_PERIOD]
    names = lsoas.set_index("lsoa_code")["lsoa_name"]
    deprivation = lsoas.set_index("lsoa_code")["deprivation"]
    wide = _ons_wide_layout(estimates[_WIDE_LAYOUT_PERIOD], names, deprivation, rng)
    return [
        DemoFile("population", "brackenfold_mid_2024_population_estimates_lsoa.csv", wide),
        DemoFile("population", "brackenfold_under5_estimates_2021_2025.csv",
                 pd.concat(long_rows, ignore_index=True)),
    ]


def _ons_wide_layout(under_fives: pd.Series, names: pd.Series, deprivation: pd.Series,
                     rng: np.random.Generator) -> pd.DataFrame:
    """The ONS published layout: one row per LSOA and sex (Persons, Females, Males), single years
    of age 0 to 89 and 90+, broad age totals. The under-fives add up to the estimate exactly."""
    ages = [str(a) for a in range(90)] + ["90+"]
    rows = []
    for code, total in under_fives.items():
        young = rng.multinomial(int(total), [0.19, 0.195, 0.2, 0.205, 0.21])
        males_young = rng.binomial(young, 0.512)
        # Older ages only have to look right: deprived areas are younger.
        profile = np.concatenate([np.full(13, 21.0), np.full(10, 19.0), np.full(17, 22.0), np.full(20, 20.0),
                                  np.linspace(19, 4, 25), np.linspace(3, 0.5, 5)])
        profile = profile * np.linspace(1 + 0.25 * deprivation[code], 1 - 0.25 * deprivation[code], len(profile))
        males_old = rng.poisson(profile)
        females_old = rng.poisson(profile * np.linspace(1.0, 1.3, len(profile)))
        males = np.concatenate([males_young, males_old[:85], [males_old[85:].sum()]])
        females = np.concatenate([young - males_young, females_old[:85], [females_old[85:].sum()]])
        for sex, counts in (("Persons", males + females), ("Females", females), ("Males", males)):
            rows.append({"period": _WIDE_LAYOUT_PERIOD.isoformat(), "area_code": code, "area_name": names[code],
                         "geography": "LSOA", "sex": sex, "all_ages": int(counts.sum()),
                         "aged_0_to_15": int(counts[:16].sum()), "aged_16_to_64": int(counts[16:65].sum()),
                         "aged_65_and_over": int(counts[65:].sum()),
                         **dict(zip(ages, counts.astype(int).tolist()))})
    return pd.DataFrame(rows)


_IOD_DOMAINS = ["Index of Multiple Deprivation", "Income", "Employment",
                "Income Deprivation Affecting Children", "Income Deprivation Affecting Older People"]
_ENGLAND_LSOAS_2011 = 32_844


def _deprivation_file(lsoas: gpd.GeoDataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The Indices of Deprivation long layout, two editions, several domains; on 2011 codes that
    are unchanged in 2021, as most are. IDACI 2019 carries the deciles the demo was drawn with."""
    rows = []
    per_decile = _ENGLAND_LSOAS_2011 / 10
    for year in (2015, 2019):
        for domain in _IOD_DOMAINS:
            if domain == "Income Deprivation Affecting Children" and year == 2019:
                decile = lsoas["idaci_decile"].to_numpy()
            else:
                decile = np.clip(lsoas["idaci_decile"].to_numpy() + rng.integers(-1, 2, len(lsoas)), 1, 10)
            rank = np.floor((decile - 1 + rng.random(len(lsoas))) * per_decile).astype(int) + 1
            score = np.round(0.55 * (1 - rank / _ENGLAND_LSOAS_2011) ** 2.2 + 0.01, 3)
            rows.append(pd.DataFrame({"lsoa11cd": lsoas["lsoa_code"], "lad19cd": LA_CODE, "lad19nm": COUNCIL_NAME,
                                      "index_domain": domain, "decile": decile, "rank": rank,
                                      "score": score, "year": year}))
    return pd.concat(rows, ignore_index=True).sort_values(["lsoa11cd", "year", "index_domain"],
                                                          kind="stable", ignore_index=True)


def _birth_counts_file(lsoas: gpd.GeoDataFrame, simulation: _Simulation) -> pd.DataFrame:
    """Live births by LSOA and month, every month from the start of the data, zeros included; each
    month's counts arrive on the first working day from the 21st of the next month (the
    data-protection-safe feed, which carries on beside the birth records)."""
    arrives = {month: _working_day(_add_months(month, 1).replace(day=21))
               for month in _month_starts(_DATA_START, DEMO_AS_AT)}
    months = [month for month, day in arrives.items() if day <= DEMO_AS_AT]
    grid = pd.MultiIndex.from_product([lsoas["lsoa_code"], pd.PeriodIndex(months, freq="M")],
                                      names=["lsoa_code", "month"])
    counts = simulation.births_by_month.set_index(["lsoa_code", "month"])["births"].reindex(grid, fill_value=0)
    frame = counts.reset_index()
    received = {f"{month:%Y-%m}": day.isoformat() for month, day in arrives.items()}
    month = frame["month"].dt.strftime("%Y-%m")
    return pd.DataFrame({
        "month": month,
        "lsoa_code": frame["lsoa_code"],
        "births": frame["births"].astype("int64"),
        "received_on": month.map(received),
    })


def _birth_record_files(simulation: _Simulation, postcode_for) -> list[DemoFile]:
    """One file per extract: quarterly extracts give the LSOA, the monthly ones (from the new
    agreement) give the postcode, as the health extract does, and include arrivals."""
    children = simulation.children
    files = []
    for extract in simulation.extracts.itertuples():
        seen = simulation.sightings[simulation.sightings["extract"] == extract.Index]
        child = seen["child_id"].to_numpy()
        frame = pd.DataFrame({"nhs_number": children["nhs_number"].to_numpy()[child],
                              "dob": _iso(children["dob"].to_numpy()[child]),
                              "sex": children["sex"].to_numpy()[child]})
        received = pd.Timestamp(extract.received_on, unit="D").date()
        if extract.monthly:
            frame["postcode"] = postcode_for(seen["lsoa_code"])
            frame["event"] = seen["event"].to_numpy()
            frame["arrived_on"] = np.where(seen["event"] == "arrival",
                                           _iso(children["entry"].to_numpy()[child]), "")
            name = f"brackenfold_births_and_arrivals_{extract.extract}.csv"
        else:
            frame["lsoa_code"] = seen["lsoa_code"].to_numpy()
            name = f"brackenfold_births_{extract.extract}.csv"
        files.append(DemoFile("births", name, frame, received_on=received))
    return files


def _registration_files(simulation: _Simulation, postcode_for, rng: np.random.Generator,
                        fault_rng: np.random.Generator) -> list[DemoFile]:
    """The registration system's exports: the history up to March 2024 by LSOA, and the
    registrations since by postcode, with a handful of faulty rows for the quarantine page."""
    children = simulation.children
    registrations = simulation.registrations.sort_values(["registered_on", "child_id"], kind="stable")
    child = registrations["child_id"].to_numpy()
    family = children["family"].to_numpy()[child]
    flags = _family_flags(children, rng)
    frame = pd.DataFrame({
        "nhs_number": children["nhs_number"].to_numpy()[child],
        "dob": _iso(children["dob"].to_numpy()[child]),
        "lsoa_code": registrations["lsoa_code"].to_numpy(),
        "centre_id": registrations["centre_id"].to_numpy(),
        "registered_on": _iso(registrations["registered_on"].to_numpy()),
        "family_key": [f"BF{f:06d}" for f in family],
        **{flag: np.where(values[child], "Y", "N") for flag, values in flags.items()},
    })
    split = (registrations["registered_on"] < _day(date(2024, 4, 1))).to_numpy()
    history = frame[split].reset_index(drop=True)
    recent = frame[~split].reset_index(drop=True)
    recent.insert(2, "postcode", postcode_for(recent.pop("lsoa_code")))
    recent = _with_faults(recent, fault_rng)
    return [
        DemoFile("registrations", "brackenfold_registrations_to_2024-03.csv", history),
        DemoFile("registrations", "brackenfold_registrations_2024-04_to_2026-09.csv", recent),
    ]


def _family_flags(children: pd.DataFrame, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Target-group flags per child: family circumstances shared by siblings, disability per child;
    commoner where deprivation is higher."""
    family = children["family"].to_numpy()
    families = family.max() + 1
    flags = {}
    for flag, rate in _FLAG_RATES.items():
        if flag == "disability":
            flags[flag] = rng.random(len(children)) < rate
        else:
            flags[flag] = (rng.random(families) < rate)[family]
    return flags


def _with_faults(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Slip a handful of faulty rows in among the good ones, as real exports have them: a mistyped
    NHS number, an impossible date, a postcode the lookup does not know, a date of birth in the
    future, and a row exported twice."""
    faulty = frame.iloc[rng.choice(len(frame), size=4, replace=False)].copy().reset_index(drop=True)
    number = faulty.at[0, "nhs_number"]
    faulty.at[0, "nhs_number"] = number[:9] + str((int(number[9]) + 1) % 10)
    faulty.at[1, "registered_on"] = "2025-02-30"
    faulty.at[2, "postcode"] = "ZZ9 0ZY"         # inward codes here never start with 0
    faulty.at[3, "dob"] = "2027-01-15"
    positions = sorted(rng.choice(np.arange(1, len(frame)), size=5, replace=False).tolist())
    pieces, previous = [], 0
    for k, position in enumerate(positions):
        pieces.append(frame.iloc[previous:position])
        # The last slot repeats the row just before it: the same registration exported twice.
        pieces.append(faulty.iloc[[k]] if k < len(faulty) else frame.iloc[[position - 1]])
        previous = position
    pieces.append(frame.iloc[previous:])
    return pd.concat(pieces, ignore_index=True)
