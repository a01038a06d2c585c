"""Distance to the nearest site and the shares beyond 1, 2 and 3 km (reach.domain.access),
against values worked out by hand."""

import math

import numpy as np
import pytest

from reach.domain.access import EARTH_RADIUS_KM, beyond_shares, haversine_km, nearest_sites, within_radius


def test_one_degree_of_latitude_is_111_195_km():
    # 2 pi R / 360 with R = 6,371.0088 km.
    assert float(haversine_km(-2.0, 53.0, -2.0, 54.0)) == pytest.approx(111.19508, abs=1e-5)
    assert EARTH_RADIUS_KM * math.pi / 180 == pytest.approx(111.19508, abs=1e-5)


def test_london_to_paris_is_about_343_5_km():
    assert float(haversine_km(-0.1276, 51.5072, 2.3522, 48.8566)) == pytest.approx(343.53, abs=0.01)


def test_a_degree_of_longitude_shrinks_with_the_cosine_of_latitude():
    # Along the equator a degree of longitude is a degree of the great circle.
    assert float(haversine_km(0.0, 0.0, 1.0, 0.0)) == pytest.approx(111.19508, abs=1e-5)
    # At 60 degrees north two points 0.01 degree apart are 0.01 x cos 60 degrees of arc apart
    # (near enough: the great circle bows a little towards the pole).
    assert float(haversine_km(0.0, 60.0, 0.01, 60.0)) == pytest.approx(0.555975, abs=1e-5)


def test_the_nearest_site_and_its_distance():
    # Three LSOAs on the meridian, two sites: one at the equator, one a degree north.
    positions, distances = nearest_sites(lon=[0.0, 0.0, 0.0], lat=[0.1, 0.6, 0.9],
                                         site_lon=[0.0, 0.0], site_lat=[0.0, 1.0])
    assert positions.tolist() == [0, 1, 1]
    assert distances == pytest.approx([0.1 * 111.19508, 0.4 * 111.19508, 0.1 * 111.19508], abs=1e-4)


def test_two_sites_equally_near_the_first_given_wins():
    positions, _ = nearest_sites(lon=[0.0], lat=[0.5], site_lon=[0.0, 0.0], site_lat=[1.0, 0.0])
    assert positions.tolist() == [0]


def test_with_no_site_there_is_no_distance():
    positions, distances = nearest_sites(lon=[0.0], lat=[0.0], site_lon=[], site_lat=[])
    assert positions.tolist() == [-1] and np.isnan(distances).all()


def test_shares_beyond_count_children_in_lsoas_more_than_k_km_away():
    distances = [0.5, 1.0, 1.5, 2.5, 3.5, np.nan]       # the last LSOA has no point
    people = [100, 50, 30, 15, 5, 999]
    deprived = [False, True, True, False, True, True]
    shares = beyond_shares(distances=distances, people=people, deprived=deprived)
    # Exactly 1 km is not more than 1 km; the LSOA with no distance counts on neither side.
    assert shares["beyond_1km_pct"] == pytest.approx(100 * (30 + 15 + 5) / 200)
    assert shares["beyond_2km_pct"] == pytest.approx(100 * (15 + 5) / 200)
    assert shares["beyond_3km_pct"] == pytest.approx(100 * 5 / 200)
    assert shares["deprived_beyond_1km_pct"] == pytest.approx(100 * (30 + 5) / 85)
    assert shares["deprived_beyond_2km_pct"] == pytest.approx(100 * 5 / 85)
    assert shares["deprived_beyond_3km_pct"] == pytest.approx(100 * 5 / 85)


def test_shares_with_nobody_to_count_are_no_figure():
    shares = beyond_shares(distances=[1.5], people=[10], deprived=[False])
    assert shares["beyond_1km_pct"] == 100.0
    assert math.isnan(shares["deprived_beyond_1km_pct"])


def test_within_the_radius_is_inclusive_and_exactly_the_haversine_distance():
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(-2.4, -2.2, 300), rng.uniform(53.4, 53.5, 300)
    candidate_lon, candidate_lat = lon[:40], lat[:40]
    cover = within_radius(lon=lon, lat=lat, candidate_lon=candidate_lon, candidate_lat=candidate_lat,
                          radius_km=2.0).toarray()
    expected = np.array([[float(haversine_km(a, b, c, d)) <= 2.0 for c, d in zip(lon, lat)]
                         for a, b in zip(candidate_lon, candidate_lat)])
    assert (cover == expected).all()
    assert cover.diagonal()[:40].all()       # each candidate covers its own point (distance 0)


def test_a_point_exactly_at_the_radius_is_within_it():
    radius = float(haversine_km(0.0, 0.0, 0.0, 0.01))
    cover = within_radius(lon=[0.0], lat=[0.01], candidate_lon=[0.0], candidate_lat=[0.0], radius_km=radius)
    assert cover.toarray().tolist() == [[True]]
