"""Which visible count `protect` hides next: one in the relations that hold the exposed count.

A hidden count can be pinned by relations it is not in, and hiding a count anywhere else in its
group cannot free it. Drawing the secondary from the count's own sums first left an
England-sized authority's target groups pinned for hundreds of rounds.
"""

from __future__ import annotations

import random
from datetime import date

import pytest

import reach.domain.disclosure as disclosure
from data.store import opened
from reach.domain.disclosure import Publication, audit, protect
from reach.domain.months import quarter_ends
from reach.domain.readiness import default_as_at
from reach.domain.suppression import NHS
from reach.queries.publication import published_figures
from reach.queries.readiness import data_coverage
from reach.queries.report_tables import TREND_MONTHS
from tests.reach.domain.test_disclosure_direct import _random_publication

RULE = dict(smallest_shown=5, protection_width=4)


def _all_deprived_centre() -> tuple[Publication, set, tuple]:
    """A centre whose three LSOAs are all deprived: its deprived children known is the sum of
    the LSOAs' deprived counts, each the LSOA's own children known, which add up to the centre's
    children known. With every LSOA count hidden, the centre's deprived count is still its
    children known, through a relation it is not in."""
    pub = Publication()
    lsoas = {"L1": 6, "L2": 7, "L3": 9}
    for code, known in lsoas.items():
        pub.add_count(("lsoa", code, "known"), known)
        pub.add_count(("lsoa", code, "deprived_known"), known)
    pub.add_count(("centre", "C", "known"), sum(lsoas.values()))
    pub.add_count(("centre", "C", "deprived_known"), sum(lsoas.values()))
    assert pub.add_sum(("centre", "C", "deprived_known"), [("lsoa", code, "deprived_known") for code in lsoas])
    for code in lsoas:
        assert pub.add_same(("lsoa", code, "deprived_known"), ("lsoa", code, "known"))
    assert pub.add_sum(("centre", "C", "known"), [("lsoa", code, "known") for code in lsoas])
    hidden = {cell for cell in pub.values if cell[0] == "lsoa"} | {("centre", "C", "deprived_known")}
    return pub, hidden, ("centre", "C", "deprived_known")


@pytest.mark.parametrize("solver", ["highs", "linprog"])
def test_a_count_pinned_through_relations_it_is_not_in_is_held_by_them(solver, monkeypatch):
    if solver == "linprog":
        monkeypatch.setattr(disclosure, "_highs_core", None)
    pub, hidden, pinned = _all_deprived_centre()
    [exposure] = [e for e in audit(pub, hidden) if e.cell == pinned]
    assert (exposure.low, exposure.high) == (22, 22)

    ties = disclosure._Ties(pub)
    group = sorted(hidden, key=disclosure._order)
    rows = disclosure._group_rows(pub, group, hidden, ties)
    sums, bounds = disclosure._binding_relations(rows, [pinned])[pinned]
    centre_known = pub.sums.index((("centre", "C", "known"), tuple(("lsoa", c, "known") for c in ("L1", "L2", "L3"))))
    assert centre_known in sums            # the sum that pins it without naming it
    assert bounds == []
    # ... and so the count to hide next is the only one showing there, the centre's children known.
    assert ties.secondary_for(pinned, hidden, tied=group, binding=(sums, bounds)) == ("centre", "C", "known")


def _centres_with_target_groups(centres: int = 30) -> Publication:
    """Each centre's target-group count is the sum of its two LSOAs' and one part of the sum over
    every centre. One centre's LSOAs hold 1 and 2 children, so its count, 3, is small too."""
    pub = Publication()
    for i in range(centres):
        centre = f"C{i:02d}"
        first, second = (1, 2) if i == 5 else (20 + i, 17 + (i * 7) % 11)
        pub.add_count(("lsoa", f"{centre}-1", "sustained"), first)
        pub.add_count(("lsoa", f"{centre}-2", "sustained"), second)
        pub.add_count(("groups", centre, "sustained"), first + second)
        assert pub.add_sum(("groups", centre, "sustained"),
                           [("lsoa", f"{centre}-1", "sustained"), ("lsoa", f"{centre}-2", "sustained")])
    every = [("groups", f"C{i:02d}", "sustained") for i in range(centres)]
    pub.add_count(("groups", "all", "sustained"), sum(pub.values[cell] for cell in every))
    assert pub.add_sum(("groups", "all", "sustained"), every)
    return pub


def test_a_centre_count_pinned_by_its_own_lsoas_is_freed_there():
    # The small centre's count is protected by hiding other centres' counts beside it in the sum
    # over every centre; each of those is then pinned by its own two LSOAs, both showing. Drawn
    # from the count's own sums, its next secondary nearly always came from the long sum: 48
    # secondaries, one a round. Drawn from the relations holding it, each centre hidden has one
    # of its LSOAs hidden with it.
    pub = _centres_with_target_groups()
    protection = protect(pub, **RULE)
    assert protection.primary == {("lsoa", "C05-1", "sustained"), ("lsoa", "C05-2", "sustained"),
                                  ("groups", "C05", "sustained")}
    centres_hidden = {cell[1] for cell in protection.secondary if cell[0] == "groups"}
    lsoas_hidden = {cell[1][:3] for cell in protection.secondary if cell[0] == "lsoa"}
    assert centres_hidden and centres_hidden == lsoas_hidden
    assert len(protection.secondary) <= 10
    assert all(e.protected(RULE["protection_width"]) for e in audit(pub, protection.hidden))


def test_random_publications_are_protected_or_refused():
    rng = random.Random(4242)
    protected = 0
    for _ in range(80):
        publication, _hidden = _random_publication(rng)
        try:
            protection = protect(publication, **RULE)
        except disclosure.DisclosureError:
            continue
        protected += 1
        assert all(0 < publication.values[cell] < 5 for cell in protection.primary)
        assert all(e.protected(RULE["protection_width"]) for e in audit(publication, protection.hidden))
    assert protected > 40


def test_the_demos_first_quarters_hide_fewer_counts_than_drawing_from_own_sums(demo_db_template, monkeypatch):
    # The demo's first quarter-ends under the NHS rule, where nearly every count is small.
    # Measured: 304, 228 and 216 counts hidden, against 354, 340 and 287 before.
    with opened(demo_db_template, read_only=True) as con:
        day = default_as_at(data_coverage(con), date.today())
        quarters = quarter_ends(until=day, months=TREND_MONTHS)[:3]

        def hidden(binding: bool) -> list[int]:
            monkeypatch.setattr(disclosure, "_BINDING", binding)
            return [len(published_figures(con, as_at=quarter, rule=NHS).protection.hidden) for quarter in quarters]

        now, before = hidden(True), hidden(False)
    assert all(one < other for one, other in zip(now, before)), (now, before)
    assert sum(now) < 0.85 * sum(before), (now, before)
