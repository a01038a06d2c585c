"""`protect` audits again, round after round, only the hidden counts not yet shown protected.

Hiding one more count can only widen the range of every other hidden count, so a count shown
protected once stays protected. Here the shortcut is held to the same result as auditing every
hidden count in every round (`disclosure._SKIP_SETTLED = False`), and the ranges asked about
(`wanted`) to the ranges of all of them.
"""

from __future__ import annotations

import math
import random
from datetime import date

import pytest

import reach.domain.disclosure as disclosure
from data.store import opened
from reach.domain.months import month_ends
from reach.domain.readiness import default_as_at
from reach.domain.suppression import NHS
from reach.queries.publication import protect_tables, published_figures
from reach.queries.readiness import data_coverage
from reach.queries.report_tables import TREND_MONTHS
from tests.reach.authorities import AS_AT, random_authority
from tests.reach.domain.test_disclosure_direct import (
    _assert_same_protection,
    _protected as protected,
    _random_publication,
    _random_system,
    _same,
    assert_random_publications_are_protected_the_same_either_way,
)


def _protected(skip_settled: bool, function, *args, **kwargs):
    return protected(skip_settled, function, *args, switch="_SKIP_SETTLED", **kwargs)


def _programmes_solved(monkeypatch) -> list[int]:
    """A list that grows by one for each linear programme the solver is given."""
    solved: list[int] = []
    optimum = disclosure._HighsRanges._optimum
    monkeypatch.setattr(disclosure._HighsRanges, "_optimum",
                        lambda self, i, sense: solved.append(i) or optimum(self, i, sense))
    return solved


@pytest.mark.parametrize("seed", [5, 17, 23, 41])
def test_random_authorities_hide_the_same_counts_auditing_only_the_unsettled(seed):
    # Small counts (scale 2) under the NHS rule: many rounds of secondaries in large groups.
    reports, flags, months = random_authority(seed, centres=8, most_lsoas=6, scale=2)
    quick = _protected(True, protect_tables, reports, flags=flags, months=months, as_at=AS_AT, rule=NHS)
    every = _protected(False, protect_tables, reports, flags=flags, months=months, as_at=AS_AT, rule=NHS)
    assert len(quick.protection.secondary) > 0
    _assert_same_protection(quick.protection, every.protection)
    for name, table in quick.tables.items():
        assert table.equals(every.tables[name]), name


def test_the_demos_evidence_pack_under_the_nhs_rule_solves_few_programmes(demo_db_template, monkeypatch):
    # Found on the web-page report under the NHS rule, which protects each quarter-end of its
    # trend: in the demo's first quarters one group of tied counts grew by one secondary a round,
    # a hundred rounds over, and was solved whole each time (46,142 programmes, 8 s of solving).
    # Secondaries drawn from the count's own sums first, as they were then, make those rounds;
    # drawn from the relations that hold each count (`_BINDING`), there are far fewer of them.
    monkeypatch.setattr(disclosure, "_BINDING", False)
    with opened(demo_db_template, read_only=True) as con:
        day = default_as_at(data_coverage(con), date.today())
        solved = _programmes_solved(monkeypatch)
        figures = [published_figures(con, as_at=quarter, rule=NHS)
                   for quarter in month_ends(until=day, months=TREND_MONTHS)[::-3]]
    assert sum(len(f.protection.secondary) for f in figures) > 300
    assert 0 < len(solved) < 5_000, len(solved)


def test_protect_on_random_publications_is_the_same_auditing_only_the_unsettled():
    assert_random_publications_are_protected_the_same_either_way(seed=2026, publications=60,
                                                                  switch="_SKIP_SETTLED")


def test_the_ranges_asked_about_are_those_of_every_count():
    rng = random.Random(99)
    spared = 0
    for _ in range(150):
        n, relations = _random_system(rng)
        everyone = disclosure._direct_ranges(n, relations, [1.0] * n, [math.inf] * n)
        wanted = set(rng.sample(range(n), rng.randint(0, n - 1)))
        asked = disclosure._direct_ranges(n, relations, [1.0] * n, [math.inf] * n, wanted=wanted)
        for i in range(n):
            if i in wanted:
                assert _same(asked[i][0], everyone[i][0]) and _same(asked[i][1], everyone[i][1]), (relations, i)
            elif math.isnan(asked[i][0]):
                spared += 1
            else:                   # worked out directly all the same
                assert asked[i] == everyone[i]
    assert spared >= 100, spared


def test_the_audit_leaves_out_settled_counts_and_gives_the_others_the_same_ranges():
    rng = random.Random(31)
    for _ in range(80):
        publication, hidden = _random_publication(rng)
        if len(hidden) < 2:
            continue
        every = {e.cell: (e.low, e.high) for e in disclosure.audit(publication, hidden)}
        settled = set(rng.sample(sorted(hidden, key=disclosure._order), len(hidden) // 2))
        some = {e.cell: (e.low, e.high) for e in disclosure.audit(publication, hidden, settled=settled)}
        assert some.keys() == hidden - settled
        for cell, (low, high) in some.items():
            assert _same(low, every[cell][0]) and _same(high, every[cell][1])
