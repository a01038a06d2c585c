"""access() and find_sites() on a small store built by hand, against an independent reading of
docs/definitions.md ("Distance to the nearest site", "Beyond 1, 2, 3 km", "Site finder")."""

import itertools
import math
from datetime import date

import pandas as pd
import pytest
import shapely

from reach.queries.access import (AUTHORITY_COLUMNS, INSIDE, CENTROID, LSOA_COLUMNS, CandidateError, access,
                                  access_figures, find_sites)
from tests.reach.rows import insert_rows

AS_AT = date(2026, 9, 30)
R = 6371.0088


def km(lon1, lat1, lon2, lat2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * R * math.asin(math.sqrt(a))


def square(lon, lat, half=0.002):
    return shapely.box(lon - half, lat - half, lon + half, lat + half)


# Six LSOAs along a line of latitude near Manchester, about 0.67 km apart per 0.01 degree.
LAT = 53.45
LSOAS = {f"E0100000{i}": -2.30 + 0.01 * i for i in range(1, 7)}
# E01000002 has a population-weighted centroid, away from the middle of its square.
PWC = {"E01000002": (-2.2785, 53.4512)}
# E01000006 is in a reach area but has no boundary at all.
NO_BOUNDARY = "E01000006"
UNDER_FIVES = {"E01000001": 100, "E01000002": 80, "E01000003": 60, "E01000004": 40, "E01000005": 20,
               "E01000006": 10}
DEPRIVED = {"E01000003": 2, "E01000005": 1, "E01000001": 7}
KNOWN = {"E01000001": 90, "E01000003": 10, "E01000005": 5}


@pytest.fixture
def store(empty_con):
    con = empty_con
    insert_rows(con, "centres", [dict(centre_id="C1", name="Riverside", lon=-2.29, lat=LAT),
                                 dict(centre_id="C2", name="Hilltop", lon=-2.25, lat=LAT + 0.001),
                                 dict(centre_id="C3", name="Nowhere", lon=None, lat=None)])
    insert_rows(con, "reach_areas", [dict(lsoa_code=code, centre_id="C1" if i < 3 else "C2")
                                     for i, code in enumerate(sorted(LSOAS))])
    insert_rows(con, "lsoas", [dict(lsoa_code=code, lsoa_name=f"Area {code[-1]}",
                                    geometry=shapely.to_wkb(square(lon, LAT)),
                                    pwc_lon=PWC.get(code, (None, None))[0], pwc_lat=PWC.get(code, (None, None))[1])
                               for code, lon in LSOAS.items() if code != NO_BOUNDARY])
    insert_rows(con, "population", [dict(lsoa_code=code, period=date(2025, 6, 30), children_0_4=n)
                                    for code, n in UNDER_FIVES.items()])
    insert_rows(con, "deprivation", [dict(lsoa_code=code, edition=2019, idaci_decile=d)
                                     for code, d in DEPRIVED.items()])
    insert_rows(con, "registrations", [dict(child_key=f"{code}-{n}", dob=date(2024, 1, 1), lsoa_code=code,
                                            centre_id="C1", registered_on=date(2025, 1, 1))
                                       for code, count in KNOWN.items() for n in range(count)])
    return con


def expected_points():
    points = {}
    for code, lon in LSOAS.items():
        if code in PWC:
            points[code] = PWC[code]
        elif code != NO_BOUNDARY:
            inside = square(lon, LAT).representative_point()
            points[code] = (inside.x, inside.y)
    return points


SITES = {"C1": (-2.29, LAT), "C2": (-2.25, LAT + 0.001)}


def test_each_lsoa_is_measured_to_its_nearest_site(store):
    frame = access(store, as_at=AS_AT)
    assert list(frame.columns) == LSOA_COLUMNS
    assert frame["lsoa_code"].tolist() == sorted(LSOAS)
    points = expected_points()
    for row in frame.itertuples(index=False):
        if row.lsoa_code == NO_BOUNDARY:
            assert pd.isna(row.nearest_site) and math.isnan(row.distance_km)
            continue
        distances = {site: km(*points[row.lsoa_code], *where) for site, where in SITES.items()}
        nearest = min(distances, key=lambda site: (distances[site], site))
        assert row.nearest_site == nearest
        assert row.distance_km == pytest.approx(distances[nearest], abs=1e-9)


def test_the_centroid_is_used_where_given_and_a_point_inside_the_shape_elsewhere(store):
    figures = access_figures(store, as_at=AS_AT)
    used = dict(zip(figures.lsoas["lsoa_code"], figures.lsoas["point"]))
    assert used["E01000002"] == CENTROID
    assert used["E01000001"] == INSIDE
    assert pd.isna(used[NO_BOUNDARY])
    # The point inside the shape is really inside it.
    row = figures.lsoas.set_index("lsoa_code").loc["E01000004"]
    inside = expected_points()["E01000004"]
    assert square(LSOAS["E01000004"], LAT).contains(shapely.Point(inside))
    assert row["distance_km"] == pytest.approx(km(*inside, *SITES["C2"]), abs=1e-9)


def test_what_has_no_point_is_listed_and_left_out(store):
    figures = access_figures(store, as_at=AS_AT)
    assert figures.sites_without_point == ("C3",)
    assert figures.lsoas_without_point == (NO_BOUNDARY,)
    assert "C3" not in set(figures.lsoas["nearest_site"].dropna())


def test_the_authority_shares_beyond_1_2_3_km(store):
    frame = access(store, as_at=AS_AT, by="authority")
    assert list(frame.columns) == AUTHORITY_COLUMNS and len(frame) == 1
    points = expected_points()
    nearest = {code: min(km(*point, *where) for where in SITES.values()) for code, point in points.items()}
    total = sum(UNDER_FIVES[code] for code in nearest)
    deprived = [code for code in nearest if DEPRIVED.get(code, 10) <= 3]
    deprived_total = sum(UNDER_FIVES[code] for code in deprived)
    for k in (1, 2, 3):
        far = sum(UNDER_FIVES[code] for code, d in nearest.items() if d > k)
        far_deprived = sum(UNDER_FIVES[code] for code in deprived if nearest[code] > k)
        assert frame[f"beyond_{k}km_pct"].iloc[0] == pytest.approx(100 * far / total)
        assert frame[f"deprived_beyond_{k}km_pct"].iloc[0] == pytest.approx(100 * far_deprived / deprived_total)
    # The figures are not all zero: E01000004 is more than 1 km from both sites.
    assert frame["beyond_1km_pct"].iloc[0] > 0


def brute_force_sites(points, people, radius, new, candidates):
    beyond = {code for code, point in points.items()
              if min(km(*point, *where) for where in SITES.values()) > radius}
    best = None
    for chosen in itertools.combinations(sorted(candidates), new):
        reached = {code for code in beyond
                   if any(km(*points[code], *points[site]) <= radius for site in chosen)}
        value = sum(people.get(code, 0) for code in reached)
        if best is None or (-value, list(chosen)) < (-best[0], best[1]):
            best = (value, list(chosen))
    return best


@pytest.mark.parametrize("people_kind", ["unknown", "deprived"])
@pytest.mark.parametrize("radius, new", [(0.5, 1), (0.5, 2), (0.8, 2), (1.5, 3)])
def test_the_site_finder_is_the_best_set_of_reach_area_lsoas(store, people_kind, radius, new):
    points = expected_points()
    if people_kind == "unknown":
        people = {code: max(0, UNDER_FIVES[code] - KNOWN.get(code, 0)) for code in UNDER_FIVES}
    else:
        people = {code: UNDER_FIVES[code] for code in UNDER_FIVES if DEPRIVED.get(code, 10) <= 3}
    choice = find_sites(store, as_at=AS_AT, radius_km=radius, new=new, people=people_kind)
    value, sites = brute_force_sites(points, people, radius, new, candidates=points)
    assert choice.method == "exact"
    assert (choice.value, list(choice.sites)) == (value, sites)
    assert choice.as_json() == {"method": "exact", "sites": sites, "value": value, "adds": list(choice.adds)}
    assert choice.lsoas_without_point == (NO_BOUNDARY,) and choice.sites_without_point == ("C3",)


def test_a_given_list_of_candidates_is_used_and_codes_are_checked(store):
    choice = find_sites(store, as_at=AS_AT, radius_km=0.5, new=1, candidates=["e01000005", "E01000001"])
    value, sites = brute_force_sites(expected_points(), {c: max(0, UNDER_FIVES[c] - KNOWN.get(c, 0))
                                                          for c in UNDER_FIVES}, 0.5, 1,
                                     candidates=["E01000005", "E01000001"])
    assert list(choice.sites) == sites and choice.value == value and choice.candidates == 2
    # A candidate in a reach area with no boundary has no point: listed and left out.
    choice = find_sites(store, as_at=AS_AT, radius_km=0.5, new=1, candidates=[NO_BOUNDARY, "E01000004"])
    assert choice.candidates_without_point == (NO_BOUNDARY,) and choice.sites == ("E01000004",)
    with pytest.raises(CandidateError, match="not an LSOA code"):
        find_sites(store, as_at=AS_AT, radius_km=0.5, new=1, candidates=["E0100000X"])
    with pytest.raises(CandidateError, match="E01999999"):
        find_sites(store, as_at=AS_AT, radius_km=0.5, new=1, candidates=["E01999999"])


def test_greedy_when_forced_by_a_low_limit(store):
    choice = find_sites(store, as_at=AS_AT, radius_km=0.8, new=2, exact_limit=1)
    assert choice.method == "greedy" and sum(choice.adds) == choice.value
    assert choice.adds[0] >= choice.adds[1]


def test_with_no_sites_placed_every_distance_is_blank(empty_con):
    insert_rows(empty_con, "centres", [dict(centre_id="C1", name="Riverside")])
    insert_rows(empty_con, "reach_areas", [dict(lsoa_code="E01000001", centre_id="C1")])
    insert_rows(empty_con, "lsoas", [dict(lsoa_code="E01000001", geometry=shapely.to_wkb(square(-2.3, LAT)))])
    frame = access(empty_con, as_at=AS_AT)
    assert frame["nearest_site"].isna().all() and frame["distance_km"].isna().all()
    shares = access(empty_con, as_at=AS_AT, by="authority")
    assert shares.isna().all(axis=None)
    assert isinstance(shares, pd.DataFrame)
