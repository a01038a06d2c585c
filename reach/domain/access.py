"""Access to a site: how far each LSOA is from the nearest site, and where new sites would reach
the most children who are beyond every site now (docs/definitions.md, "Distance to the nearest
site", "Beyond 1, 2, 3 km" and "Site finder").

Pure maths on points in longitude and latitude (degrees, WGS84): the store is read by
`reach.queries.access`, which hands the points and the people here.

- Distance is the great-circle distance (haversine) on a sphere of radius 6,371.0088 km, the
  mean radius of the Earth.
- The site finder is exact (every set of new sites tried) when there are at most
  `EXACT_LIMIT` sets to try, and greedy otherwise; the answer says which.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse
from scipy.spatial import cKDTree

EARTH_RADIUS_KM = 6371.0088
# Beyond this many candidate sets, the site finder is greedy rather than exact.
EXACT_LIMIT = 2_000_000
# The distances at which the authority's shares are given ("Beyond 1, 2, 3 km").
BEYOND_KM = (1, 2, 3)
EXACT, GREEDY = "exact", "greedy"

# LSOAs are measured against sites this many at a time, so that memory stays small however many
# LSOAs and sites there are (3,000 sites x 4,096 LSOAs is about 100 MB of working arrays).
_NEAREST_CHUNK = 4_096
# Sets of new sites are scored this many at a time in the exact search.
_EXACT_BLOCK = 65_536


def haversine_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """The great-circle distance in km between points given in degrees (arrays broadcast).

    Examples:
        >>> round(float(haversine_km(0.0, 0.0, 0.0, 1.0)), 3)    # one degree of latitude
        111.195
    """
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(value, dtype="float64"))
                              for value in (lon1, lat1, lon2, lat2))
    half = (np.sin((lat2 - lat1) / 2.0) ** 2
            + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2.0) ** 2)
    # Rounding can carry `half` a hair past 1 for points on opposite sides of the Earth.
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(half, 0.0, 1.0)))


def nearest_sites(*, lon, lat, site_lon, site_lat) -> tuple[np.ndarray, np.ndarray]:
    """For each point, the position of its nearest site and the distance to it in km.

    Where two sites are equally near, the first in the order given wins (give the sites sorted
    by id for a stable answer). With no sites, every position is -1 and every distance NaN.

    Args:
        lon, lat: the points (degrees), one pair per LSOA.
        site_lon, site_lat: the sites (degrees).

    Returns:
        (positions into the sites, distances in km), one of each per point.
    """
    lon, lat = np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")
    site_lon, site_lat = np.asarray(site_lon, dtype="float64"), np.asarray(site_lat, dtype="float64")
    if lon.shape != lat.shape or site_lon.shape != site_lat.shape:
        raise ValueError("longitudes and latitudes must come in pairs")
    positions = np.full(len(lon), -1, dtype="int64")
    distances = np.full(len(lon), np.nan)
    if len(site_lon) == 0:
        return positions, distances
    for start in range(0, len(lon), _NEAREST_CHUNK):
        part = slice(start, start + _NEAREST_CHUNK)
        matrix = haversine_km(lon[part, None], lat[part, None], site_lon[None, :], site_lat[None, :])
        positions[part] = np.argmin(matrix, axis=1)
        distances[part] = matrix[np.arange(matrix.shape[0]), positions[part]]
    return positions, distances


def beyond_shares(*, distances, people, deprived, beyond_km: Sequence[float] = BEYOND_KM) -> dict[str, float]:
    """The share (%) of `people` (children under five per LSOA) living in LSOAs whose nearest
    site is more than k km away, for each k, and the same among the LSOAs in `deprived`.

    LSOAs with no distance (no point, or no site at all) are left out of both sides of the share.
    A share with nobody to count is NaN. Keys: `beyond_1km_pct` ... and `deprived_beyond_1km_pct` ...
    """
    distances = np.asarray(distances, dtype="float64")
    people = np.asarray(people, dtype="float64")
    deprived = np.asarray(deprived, dtype=bool)
    measured = ~np.isnan(distances)
    shares: dict[str, float] = {}
    for prefix, among in (("", measured), ("deprived_", measured & deprived)):
        total = float(people[among].sum())
        for k in beyond_km:
            far = float(people[among & (np.nan_to_num(distances, nan=-1.0) > k)].sum())
            shares[f"{prefix}beyond_{k:g}km_pct"] = 100.0 * far / total if total > 0 else math.nan
    return shares


@dataclass(frozen=True)
class SiteSearch:
    """The site finder's answer.

    `method`: "exact" or "greedy". `sites`: the chosen candidates' codes, sorted (exact) or in
    the order chosen (greedy). `adds`: what each site adds, in that order, over the ones before
    it. `value`: the people newly within reach, the sum of `adds`. `sets`: how many sets of new
    sites there were to choose from (C(candidates, n)).
    """

    method: str
    sites: tuple[str, ...]
    value: int
    adds: tuple[int, ...]
    sets: int


def within_radius(*, lon, lat, candidate_lon, candidate_lat, radius_km: float) -> scipy.sparse.csr_matrix:
    """Which points lie within `radius_km` (inclusive) of each candidate: a sparse boolean
    matrix, one row per candidate, one column per point.

    Pairs are found through a k-d tree on the unit sphere with a slightly larger radius (so no
    pair is missed by rounding), then kept only where the haversine distance is at most
    `radius_km`, so the answer is exactly the haversine one.
    """
    lon, lat = np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")
    candidate_lon = np.asarray(candidate_lon, dtype="float64")
    candidate_lat = np.asarray(candidate_lat, dtype="float64")
    shape = (len(candidate_lon), len(lon))
    if 0 in shape:
        return scipy.sparse.csr_matrix(shape, dtype=bool)
    angle = min(radius_km / EARTH_RADIUS_KM, math.pi)
    chord = 2.0 * math.sin(angle / 2.0) * (1.0 + 1e-9) + 1e-12
    tree = cKDTree(_unit_vectors(lon, lat))
    found = tree.query_ball_point(_unit_vectors(candidate_lon, candidate_lat), r=chord)
    rows = np.repeat(np.arange(shape[0]), [len(columns) for columns in found])
    columns = np.fromiter(itertools.chain.from_iterable(found), dtype="int64", count=len(rows))
    near = haversine_km(candidate_lon[rows], candidate_lat[rows], lon[columns], lat[columns]) <= radius_km
    rows, columns = rows[near], columns[near]
    return scipy.sparse.csr_matrix((np.ones(len(rows), dtype=bool), (rows, columns)), shape=shape)


def _unit_vectors(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lon, lat = np.radians(lon), np.radians(lat)
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def find_new_sites(*, lon, lat, people, site_lon, site_lat, candidate_codes: Sequence[str],
                   candidate_lon, candidate_lat, radius_km: float, new: int,
                   exact_limit: int = EXACT_LIMIT) -> SiteSearch:
    """The best `new` sites among the candidates for radius `radius_km`.

    The people counted are those in points (LSOAs) now more than `radius_km` from every site
    (`site_lon`, `site_lat`) and within `radius_km` (inclusive) of at least one new site.

    Args:
        lon, lat, people: the LSOAs in reach areas: their points and the people chosen there.
        site_lon, site_lat: the sites there are now.
        candidate_codes, candidate_lon, candidate_lat: where a new site could go (LSOA codes and
            their points).
        radius_km: the distance that counts as within reach (more than 0).
        new: how many new sites (0 or more; more than there are candidates takes them all).
        exact_limit: the most candidate sets tried one by one (the exact search).

    Raises:
        ValueError: a radius that is not a positive number, or a negative number of sites.
    """
    if not (isinstance(radius_km, (int, float)) and math.isfinite(radius_km) and radius_km > 0):
        raise ValueError(f"the radius must be a number of km above 0; got {radius_km!r}")
    people = np.asarray(people, dtype="int64")
    _, now = nearest_sites(lon=lon, lat=lat, site_lon=site_lon, site_lat=site_lat)
    # With no site at all, everyone is beyond every site.
    beyond = np.isnan(now) | (now > radius_km)
    cover = within_radius(lon=lon, lat=lat, candidate_lon=candidate_lon, candidate_lat=candidate_lat,
                          radius_km=radius_km)
    return choose_sites(candidate_codes=candidate_codes, cover=cover,
                        people=np.where(beyond, np.maximum(people, 0), 0), new=new,
                        exact_limit=exact_limit)


def choose_sites(*, candidate_codes: Sequence[str], cover, people, new: int,
                 exact_limit: int = EXACT_LIMIT) -> SiteSearch:
    """The set of `new` candidates that covers the most people.

    `cover[i, j]` says whether candidate i covers place j (a boolean array or sparse matrix);
    `people[j]` is what place j counts (0 for a place already within reach of a site). The value
    of a set is the people in the places at least one of its candidates covers.

    Exact when C(candidates, new) <= `exact_limit`: every set is tried, and among sets of equal
    value the one whose sorted codes come first wins. Otherwise greedy: each step adds the
    candidate that adds most, the lower code winning a tie.

    Raises:
        ValueError: a negative `new`, repeated candidate codes, or a `cover` of the wrong shape.
    """
    if int(new) != new or new < 0:
        raise ValueError(f"the number of new sites must be a whole number of 0 or more; got {new!r}")
    codes = [str(code) for code in candidate_codes]
    if len(set(codes)) != len(codes):
        raise ValueError("each candidate must be given once")
    people = np.asarray(people, dtype="int64")
    matrix = scipy.sparse.csr_matrix(cover, dtype=bool)
    if matrix.shape != (len(codes), len(people)):
        raise ValueError(f"cover should be {len(codes)} candidates by {len(people)} places; "
                         f"got {matrix.shape[0]} by {matrix.shape[1]}")
    # The codes in order, so that "first" means the lower code in both searches.
    order = np.argsort(np.asarray(codes, dtype=object), kind="stable")
    codes = [codes[i] for i in order]
    matrix = matrix[order]
    # Only places that count and that some candidate covers can change a value.
    useful = (people > 0) & (np.asarray(matrix.sum(axis=0)).ravel() > 0)
    matrix, people = matrix[:, useful], people[useful]
    new = min(int(new), len(codes))
    sets = math.comb(len(codes), new)
    if sets <= exact_limit:
        chosen = _exact(matrix, people, new)
        return _answer(EXACT, codes, chosen, matrix, people, sets)
    return _answer(GREEDY, codes, _greedy(matrix, people, new), matrix, people, sets)


def _answer(method: str, codes: list[str], chosen: list[int], matrix, people: np.ndarray,
            sets: int) -> SiteSearch:
    """The answer, with what each chosen site adds over the ones before it."""
    remaining = people.copy()
    adds = []
    for position in chosen:
        columns = matrix.indices[matrix.indptr[position]:matrix.indptr[position + 1]]
        adds.append(int(remaining[columns].sum()))
        remaining[columns] = 0
    return SiteSearch(method=method, sites=tuple(codes[i] for i in chosen), value=int(sum(adds)),
                      adds=tuple(adds), sets=sets)


def _greedy(matrix, people: np.ndarray, new: int) -> list[int]:
    remaining = people.copy()
    chosen: list[int] = []
    for _ in range(new):
        gains = np.asarray(matrix @ remaining, dtype="int64").ravel()
        gains[chosen] = -1
        best = int(np.argmax(gains))      # the first of equal gains: the lower code
        chosen.append(best)
        columns = matrix.indices[matrix.indptr[best]:matrix.indptr[best + 1]]
        remaining[columns] = 0
    return chosen


def _exact(matrix, people: np.ndarray, new: int) -> list[int]:
    """Every set of `new` candidates, in the order of their sorted codes; the first best wins.

    Each candidate's places are packed into bits (8 places a byte), a set's places are the OR
    of its members' bytes, and a set's value is looked up byte by byte in tables of what each
    pattern of 8 places holds, so millions of sets cost a few array operations.
    """
    candidates = matrix.shape[0]
    if new == 0 or candidates == 0:
        return []
    if new == 1:
        gains = np.asarray(matrix @ people, dtype="int64").ravel()
        return [int(np.argmax(gains))]
    if new == 2:
        return _best_pair(matrix, people)
    packed = np.packbits(matrix.toarray(), axis=1, bitorder="little")
    width = packed.shape[1]
    if width == 0:       # nobody to reach: every set is worth 0, and the first set wins
        return list(range(new))
    padded = np.zeros(width * 8, dtype="int64")
    padded[:len(people)] = people
    bits = ((np.arange(256)[:, None] >> np.arange(8)[None, :]) & 1).astype("int64")   # 256 x 8
    tables = bits @ padded.reshape(width, 8).T                                       # 256 x width
    byte_positions = np.arange(width)
    best_value, best_set = -1, None
    combinations = itertools.combinations(range(candidates), new)
    while True:
        flat = np.fromiter(itertools.chain.from_iterable(itertools.islice(combinations, _EXACT_BLOCK)),
                           dtype="int64")
        if len(flat) == 0:
            break
        block = flat.reshape(-1, new)
        union = np.bitwise_or.reduce(packed[block], axis=1)                        # sets x width
        values = tables[union, byte_positions].sum(axis=1)
        top = int(np.argmax(values))
        if values[top] > best_value:
            best_value, best_set = int(values[top]), block[top]
    assert best_set is not None
    return [int(position) for position in best_set]


def _best_pair(matrix, people: np.ndarray) -> list[int]:
    """The exact search for two sites, at once: a pair's value is what each reaches alone less
    what they both reach (the people in places both cover, from one sparse product)."""
    weighted = matrix.astype("int64")
    alone = np.asarray(weighted @ people, dtype="int64").ravel()
    both = (scipy.sparse.csr_matrix(weighted.multiply(people[None, :].astype("int64"))) @ weighted.T).toarray()
    values = alone[:, None] + alone[None, :] - both
    # Only pairs i < j, taken row by row, so the first best is the pair whose codes come first.
    values[np.tril_indices(len(alone))] = -1
    first, second = np.unravel_index(int(np.argmax(values)), values.shape)
    return [int(first), int(second)]
