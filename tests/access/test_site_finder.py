"""The site finder (reach.domain.access.choose_sites, find_new_sites) against a brute-force search
and a greedy search written here, independently of the code under test."""

import itertools
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from reach.domain.access import EXACT_LIMIT, choose_sites, find_new_sites, haversine_km


def brute_force(codes, cover, people, new):
    """Every set of min(new, candidates) candidates; the best value, then the first sorted codes."""
    best = None
    for chosen in itertools.combinations(range(len(codes)), min(new, len(codes))):
        covered = np.zeros(len(people), dtype=bool)
        for i in chosen:
            covered |= cover[i]
        value = int(np.asarray(people)[covered].sum())
        key = (-value, sorted(codes[i] for i in chosen))
        if best is None or key < best:
            best = key
    return -best[0], best[1]


def greedy_by_hand(codes, cover, people, new):
    remaining = list(people)
    chosen, adds = [], []
    for _ in range(min(new, len(codes))):
        best = None
        for i, code in enumerate(codes):
            if code in chosen:
                continue
            gain = sum(p for p, c in zip(remaining, cover[i]) if c)
            # The most added, then the lower code.
            if best is None or (-gain, code) < (-best[0], best[1]):
                best = (gain, code, i)
        chosen.append(best[1])
        adds.append(best[0])
        remaining = [0 if c else p for p, c in zip(remaining, cover[best[2]])]
    return chosen, adds


@st.composite
def problems(draw):
    candidates = draw(st.integers(0, 7))
    places = draw(st.integers(0, 9))
    codes = draw(st.lists(st.integers(0, 99), min_size=candidates, max_size=candidates, unique=True))
    codes = [f"E01{code:06d}" for code in codes]
    cover = np.array(draw(st.lists(st.lists(st.booleans(), min_size=places, max_size=places),
                                   min_size=candidates, max_size=candidates)), dtype=bool).reshape(candidates, places)
    # Small counts, many of them equal or zero, so that ties are common.
    people = np.array(draw(st.lists(st.integers(0, 3), min_size=places, max_size=places)), dtype="int64")
    new = draw(st.integers(0, 5))
    return codes, cover, people, new


@settings(max_examples=400, deadline=None)
@given(problems())
def test_exact_is_the_brute_force_answer_ties_going_to_the_first_sorted_codes(problem):
    codes, cover, people, new = problem
    answer = choose_sites(candidate_codes=codes, cover=cover, people=people, new=new)
    value, sites = brute_force(codes, cover, people, new)
    assert answer.method == "exact"
    assert answer.value == value
    assert list(answer.sites) == sites
    assert sum(answer.adds) == answer.value and len(answer.adds) == len(answer.sites)
    assert answer.sets == math.comb(len(codes), min(new, len(codes)))


@settings(max_examples=300, deadline=None)
@given(problems())
def test_greedy_adds_the_candidate_that_adds_most_the_lower_code_on_a_tie(problem):
    codes, cover, people, new = problem
    answer = choose_sites(candidate_codes=codes, cover=cover, people=people, new=new, exact_limit=0)
    sites, adds = greedy_by_hand(codes, cover, people, new)
    if math.comb(len(codes), min(new, len(codes))) > 0:
        assert answer.method == "greedy"
    assert list(answer.sites) == sites
    assert list(answer.adds) == adds
    assert answer.value == sum(adds)


def test_exact_adds_are_in_sorted_order_each_over_the_ones_before():
    codes = ["E01000003", "E01000001", "E01000002"]
    cover = np.array([[1, 1, 0], [0, 1, 1], [0, 0, 0]], dtype=bool)
    answer = choose_sites(candidate_codes=codes, cover=cover, people=[5, 7, 2], new=2)
    # {E01000001, E01000003} covers everyone (14); E01000001 covers 7 + 2, then E01000003 adds 5.
    assert answer.method == "exact"
    assert answer.sites == ("E01000001", "E01000003")
    assert answer.adds == (9, 5) and answer.value == 14


def test_a_candidate_that_reaches_nobody_is_chosen_when_it_comes_first_in_a_tie():
    # One useful candidate (E01000005) covers everyone; the second site adds nothing wherever it
    # goes, so the set whose sorted codes come first takes E01000001, which reaches nobody.
    codes = ["E01000005", "E01000001", "E01000009"]
    cover = np.array([[1, 1], [0, 0], [0, 0]], dtype=bool)
    answer = choose_sites(candidate_codes=codes, cover=cover, people=[4, 6], new=2)
    assert answer.sites == ("E01000001", "E01000005")
    assert answer.value == 10 and answer.adds == (0, 10)


def test_more_sets_than_the_limit_is_greedy_and_says_so():
    rng = np.random.default_rng(3)
    codes = [f"E01{i:06d}" for i in range(60)]          # C(60, 5) = 5,461,512 sets
    cover = rng.random((60, 200)) < 0.05
    people = rng.integers(0, 20, 200)
    assert math.comb(60, 5) > EXACT_LIMIT
    answer = choose_sites(candidate_codes=codes, cover=cover, people=people, new=5)
    assert answer.method == "greedy" and answer.sets == 5_461_512
    sites, adds = greedy_by_hand(codes, cover, people, 5)
    assert list(answer.sites) == sites and list(answer.adds) == adds


def test_the_limit_itself_is_still_exact():
    codes = [f"E01{i:06d}" for i in range(6)]          # C(6, 3) = 20 sets
    cover = np.eye(6, dtype=bool)
    assert choose_sites(candidate_codes=codes, cover=cover, people=[1] * 6, new=3, exact_limit=20).method == "exact"
    assert choose_sites(candidate_codes=codes, cover=cover, people=[1] * 6, new=3, exact_limit=19).method == "greedy"


def test_only_people_beyond_every_site_now_count():
    # LSOAs on the equator, 0.01 degree (1.112 km) apart; one site at the first LSOA.
    lon = [0.0, 0.01, 0.02, 0.03]
    lat = [0.0] * 4
    step = float(haversine_km(0.0, 0.0, 0.01, 0.0))
    answer = find_new_sites(lon=lon, lat=lat, people=[100, 10, 20, 40], site_lon=[0.0], site_lat=[0.0],
                            candidate_codes=["E01000001", "E01000002", "E01000003", "E01000004"],
                            candidate_lon=lon, candidate_lat=lat, radius_km=step, new=1)
    # Within one step of the site: LSOAs 1 and 2 (inclusive), so only 3 and 4 can be added.
    # A site at LSOA 3 reaches 3 and 4 (and 2, already within reach): 20 + 40 = 60.
    # A site at LSOA 4 reaches 3 and 4 too; the lower code wins the tie.
    assert answer.sites == ("E01000003",) and answer.value == 60


def test_with_no_site_at_all_everyone_is_beyond_reach():
    answer = find_new_sites(lon=[0.0, 1.0], lat=[0.0, 0.0], people=[3, 4], site_lon=[], site_lat=[],
                            candidate_codes=["E01000002", "E01000001"], candidate_lon=[1.0, 0.0],
                            candidate_lat=[0.0, 0.0], radius_km=1.0, new=1)
    assert answer.sites == ("E01000002",) and answer.value == 4


def test_more_new_sites_than_candidates_takes_them_all():
    answer = choose_sites(candidate_codes=["E01000002", "E01000001"], cover=np.ones((2, 1), dtype=bool),
                          people=[5], new=4)
    assert answer.sites == ("E01000001", "E01000002") and answer.adds == (5, 0)
