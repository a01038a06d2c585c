"""Access to a site from the store: how far each reach-area LSOA is from the nearest site, the
authority's shares beyond 1, 2 and 3 km, and the site finder (docs/definitions.md, "Distance to
the nearest site", "Beyond 1, 2, 3 km" and "Site finder").

The points come from the store and the maths from `reach.domain.access`:

- An LSOA's point is its population-weighted centroid (`lsoas.pwc_lon`, `pwc_lat`) where the
  boundary file gave one, else a point inside its shape (shapely's representative point). An
  LSOA with neither is listed and left out.
- A site's point is the centre's `lon`/`lat` (the centres import fills them from the postcode
  lookup where the file gives a postcode rather than a position; the store keeps no postcode).
  A site with no point is listed and left out. Every centre counts as a site.
- The under-fives per LSOA, the known children and the most deprived LSOAs are the report's own
  LSOA measures (`reach.queries.report.lsoa_measures`), so the figures agree with the report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import shapely

from data.dates import as_date
from reach.domain.access import BEYOND_KM, EXACT_LIMIT, beyond_shares, find_new_sites, nearest_sites
from reach.queries.report import lsoa_measures

LEVELS = ("lsoa", "authority")
PEOPLE = ("unknown", "deprived")
LSOA_COLUMNS = ["lsoa_code", "centre_id", "nearest_site", "distance_km"]
AUTHORITY_COLUMNS = ([f"beyond_{k}km_pct" for k in BEYOND_KM]
                     + [f"deprived_beyond_{k}km_pct" for k in BEYOND_KM])
CENTROID = "population-weighted centroid"
INSIDE = "a point inside the shape"
_LSOA_CODE = re.compile(r"E01\d{6}")


class CandidateError(ValueError):
    """A list of candidate LSOAs that cannot be used (not LSOA codes, or LSOAs the store does not
    know); the message says which."""


@dataclass(frozen=True)
class AccessFigures:
    """Everything the access figures are made of, as at one date.

    `lsoas`: one row per reach-area LSOA: the contract's columns (`lsoa_code`, `centre_id`,
    `nearest_site`, `distance_km`), then `nearest_site_name`, `children_under5`, `deprived` and
    `point` (which point was used; None where the LSOA has none, and then no distance).
    `authority`: one row, the shares beyond 1, 2 and 3 km (NaN where there is nobody to count).
    `sites`: the sites with a point (`centre_id`, `name`, `lon`, `lat`).
    `sites_without_point`, `lsoas_without_point`: what was left out, by id and code.
    """

    as_at: date
    lsoas: pd.DataFrame
    authority: pd.DataFrame
    sites: pd.DataFrame
    sites_without_point: tuple[str, ...] = ()
    lsoas_without_point: tuple[str, ...] = ()

    @property
    def under_fives_measured(self) -> int:
        """The under-fives of the LSOAs with a distance: what the shares are out of."""
        return int(self.lsoas.loc[self.lsoas["distance_km"].notna(), "children_under5"].sum())


@dataclass(frozen=True)
class SiteChoice:
    """The site finder's answer, and what a page needs to say about it.

    `method` "exact" or "greedy"; `sites` the LSOA codes (sorted when exact, in the order chosen
    when greedy); `adds` what each adds over the ones before; `value` the chosen people newly
    within reach (the sum of `adds`). `beyond_now` is the chosen people in reach-area LSOAs now
    more than `radius_km` from every site (what a perfect choice could reach); `sets` how many
    sets of new sites there were; `candidates` how many candidates had a point.
    """

    method: str
    sites: tuple[str, ...]
    value: int
    adds: tuple[int, ...]
    as_at: date
    radius_km: float
    new: int
    people: str
    beyond_now: int
    sets: int
    candidates: int
    exact_limit: int = EXACT_LIMIT
    candidates_without_point: tuple[str, ...] = ()
    sites_without_point: tuple[str, ...] = ()
    lsoas_without_point: tuple[str, ...] = ()
    site_names: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict:
        """The answer as `python -m reach sites --format json` prints it."""
        return {"method": self.method, "sites": list(self.sites), "value": int(self.value),
                "adds": [int(add) for add in self.adds]}


# --- points -------------------------------------------------------------------------------------

def lsoa_points(con, codes: Iterable[str] | None = None) -> pd.DataFrame:
    """`lsoa_code`, `lon`, `lat`, `point` for the reach-area LSOAs (or the LSOAs `codes`), in
    code order: the population-weighted centroid where stored, else a point inside the shape,
    else no point (NaN, and `point` None)."""
    if codes is None:
        rows = con.execute(
            """SELECT ra.lsoa_code, l.pwc_lon, l.pwc_lat, l.geometry
               FROM reach_areas ra LEFT JOIN lsoas l USING (lsoa_code) ORDER BY ra.lsoa_code""").fetchall()
    else:
        rows = con.execute(
            """SELECT c.lsoa_code, l.pwc_lon, l.pwc_lat, l.geometry
               FROM (SELECT DISTINCT unnest(CAST(? AS VARCHAR[])) AS lsoa_code) c
               LEFT JOIN lsoas l USING (lsoa_code) ORDER BY c.lsoa_code""", [list(codes)]).fetchall()
    lon = np.array([np.nan if row[1] is None else row[1] for row in rows], dtype="float64")
    lat = np.array([np.nan if row[2] is None else row[2] for row in rows], dtype="float64")
    has_centroid = ~(np.isnan(lon) | np.isnan(lat))
    point = np.array([CENTROID if ok else None for ok in has_centroid], dtype=object)
    shaped = [i for i, row in enumerate(rows) if not has_centroid[i] and row[3] is not None]
    if shaped:
        # DuckDB hands a BLOB back as a memoryview-like object; shapely wants bytes.
        shapes = shapely.from_wkb([bytes(rows[i][3]) for i in shaped])
        inside = shapely.point_on_surface(shapes)
        empty = shapely.is_empty(inside)
        positions = np.asarray(shaped)[~empty]
        lon[positions] = shapely.get_x(inside[~empty])
        lat[positions] = shapely.get_y(inside[~empty])
        point[positions] = INSIDE
    return pd.DataFrame({"lsoa_code": pd.Series([row[0] for row in rows], dtype="str"),
                         "lon": lon, "lat": lat, "point": point})


def site_points(con) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The sites with a point (`centre_id`, `name`, `lon`, `lat`, by id), and the ids of those
    without one."""
    frame = con.execute("SELECT centre_id, name, lon, lat FROM centres ORDER BY centre_id").df()
    placed = frame["lon"].notna() & frame["lat"].notna()
    missing = tuple(str(code) for code in frame.loc[~placed, "centre_id"])
    return frame[placed].reset_index(drop=True), missing


# --- the access figures -------------------------------------------------------------------------

def access_figures(con, *, as_at) -> AccessFigures:
    """Distance to the nearest site for every reach-area LSOA, and the authority's shares."""
    day = as_date(as_at)
    measures = lsoa_measures(con, dates=[day])[["lsoa_code", "centre_id", "children_under5", "deprived"]]
    points = lsoa_points(con)
    sites, sites_missing = site_points(con)
    frame = measures.merge(points, on="lsoa_code", how="left").sort_values(["lsoa_code"], kind="stable")
    frame = frame.reset_index(drop=True)
    located = frame["lon"].notna() & frame["lat"].notna()
    positions, distances = nearest_sites(lon=frame.loc[located, "lon"], lat=frame.loc[located, "lat"],
                                         site_lon=sites["lon"], site_lat=sites["lat"])
    nearest = pd.Series(None, index=frame.index, dtype=object)
    names = pd.Series(None, index=frame.index, dtype=object)
    distance = pd.Series(np.nan, index=frame.index, dtype="float64")
    found = positions >= 0
    rows = frame.index[located][found]
    nearest[rows] = sites["centre_id"].to_numpy()[positions[found]]
    names[rows] = sites["name"].to_numpy()[positions[found]]
    distance[rows] = distances[found]
    lsoas = pd.DataFrame({
        "lsoa_code": frame["lsoa_code"], "centre_id": frame["centre_id"], "nearest_site": nearest,
        "distance_km": distance, "nearest_site_name": names,
        "children_under5": frame["children_under5"].astype("int64"),
        "deprived": frame["deprived"].astype(bool), "point": frame["point"].where(located, None),
    })
    shares = beyond_shares(distances=lsoas["distance_km"], people=lsoas["children_under5"],
                           deprived=lsoas["deprived"])
    authority = pd.DataFrame([{column: shares[column] for column in AUTHORITY_COLUMNS}])
    return AccessFigures(
        as_at=day, lsoas=lsoas, authority=authority, sites=sites, sites_without_point=sites_missing,
        lsoas_without_point=tuple(frame.loc[~located, "lsoa_code"]),
    )


def access(con, *, as_at, by: str = "lsoa") -> pd.DataFrame:
    """The access figures as `python -m reach access` prints them.

    `by="lsoa"`: one row per reach-area LSOA, `lsoa_code, centre_id, nearest_site, distance_km`
    (blank where the LSOA or every site has no point). `by="authority"`: one row,
    `beyond_1km_pct` ... `deprived_beyond_3km_pct` (NaN where there is nobody to count).
    """
    if by not in LEVELS:
        raise ValueError(f"by must be one of {', '.join(LEVELS)}; got {by!r}")
    figures = access_figures(con, as_at=as_at)
    if by == "authority":
        return figures.authority[AUTHORITY_COLUMNS].reset_index(drop=True)
    return figures.lsoas[LSOA_COLUMNS].reset_index(drop=True)


# --- the site finder ----------------------------------------------------------------------------

def find_sites(con, *, as_at, radius_km: float, new: int, people: str = "unknown",
               candidates: Iterable[str] | None = None, exact_limit: int = EXACT_LIMIT) -> SiteChoice:
    """Where `new` new sites would bring the most chosen people within `radius_km`.

    `people` is "unknown" (the under-fives not known, max(0, under five - known) per LSOA) or
    "deprived" (the under-fives in LSOAs in IDACI deciles 1 to 3). `candidates` are LSOA codes
    where a site could go (default: every reach-area LSOA). `exact_limit` is the most candidate
    sets tried one by one; above it the search is greedy.

    Raises:
        ValueError: an unknown `people`, a radius that is not above 0, a negative `new`.
        CandidateError: a candidate that is not an LSOA code, or one the store does not know.
    """
    if people not in PEOPLE:
        raise ValueError(f"people must be one of {', '.join(PEOPLE)}; got {people!r}")
    day = as_date(as_at)
    measures = lsoa_measures(con, dates=[day]).sort_values(["lsoa_code"], kind="stable")
    if people == "unknown":
        counted = (measures["children_under5"] - measures["known_children"]).clip(lower=0)
    else:
        counted = measures["children_under5"].where(measures["deprived"].astype(bool), 0)
    chosen = pd.DataFrame({"lsoa_code": measures["lsoa_code"], "people": counted.astype("int64")})
    points = chosen.merge(lsoa_points(con), on="lsoa_code", how="left")
    located = points["lon"].notna() & points["lat"].notna()
    sites, sites_missing = site_points(con)

    if candidates is None:
        offered = points.loc[:, ["lsoa_code", "lon", "lat"]]
    else:
        offered = lsoa_points(con, _checked_candidates(con, candidates))
    placed = offered["lon"].notna() & offered["lat"].notna()
    search = find_new_sites(
        lon=points.loc[located, "lon"], lat=points.loc[located, "lat"],
        people=points.loc[located, "people"], site_lon=sites["lon"], site_lat=sites["lat"],
        candidate_codes=list(offered.loc[placed, "lsoa_code"]),
        candidate_lon=offered.loc[placed, "lon"], candidate_lat=offered.loc[placed, "lat"],
        radius_km=float(radius_km), new=new, exact_limit=exact_limit,
    )
    _, now = nearest_sites(lon=points.loc[located, "lon"], lat=points.loc[located, "lat"],
                           site_lon=sites["lon"], site_lat=sites["lat"])
    beyond_now = int(points.loc[located, "people"].to_numpy()[np.isnan(now) | (now > radius_km)].sum())
    return SiteChoice(
        method=search.method, sites=search.sites, value=search.value, adds=search.adds, as_at=day,
        radius_km=float(radius_km), new=int(new), people=people, beyond_now=beyond_now,
        sets=search.sets, candidates=int(placed.sum()), exact_limit=exact_limit,
        candidates_without_point=tuple(offered.loc[~placed, "lsoa_code"]),
        sites_without_point=sites_missing, lsoas_without_point=tuple(points.loc[~located, "lsoa_code"]),
        site_names=_lsoa_names(con, search.sites),
    )


def _checked_candidates(con, candidates: Iterable[str]) -> list[str]:
    """The candidate codes, upper-cased and each once; refuse a value that is not an LSOA code,
    or an LSOA neither the boundaries nor the reach areas hold."""
    codes = sorted({str(code).strip().upper() for code in candidates if str(code).strip()})
    bad = [code for code in codes if not _LSOA_CODE.fullmatch(code)]
    if bad:
        raise CandidateError(f"{len(bad):,} of the candidates {'is' if len(bad) == 1 else 'are'} not an "
                             f"LSOA code (expected E01 followed by 6 digits)")
    known = {row[0] for row in con.execute(
        """SELECT lsoa_code FROM lsoas WHERE lsoa_code IN (SELECT unnest(CAST(? AS VARCHAR[])))
           UNION SELECT lsoa_code FROM reach_areas WHERE lsoa_code IN (SELECT unnest(CAST(? AS VARCHAR[])))""",
        [codes, codes]).fetchall()}
    unknown = [code for code in codes if code not in known]
    if unknown:
        listed = ", ".join(unknown[:5]) + (" and others" if len(unknown) > 5 else "")
        raise CandidateError(f"the candidates include {len(unknown):,} LSOA"
                             f"{'' if len(unknown) == 1 else 's'} with no boundary and no reach area "
                             f"loaded: {listed}")
    return codes


def _lsoa_names(con, codes: Iterable[str]) -> dict[str, str]:
    rows = con.execute("""SELECT lsoa_code, lsoa_name FROM lsoas
                          WHERE lsoa_code IN (SELECT unnest(CAST(? AS VARCHAR[]))) AND lsoa_name IS NOT NULL""",
                       [list(codes)]).fetchall()
    return {code: name for code, name in rows}
