"""The audit's ranges worked out directly (without the solver) are the solver's, and so is
everything `protect` hides.

`reach.domain.disclosure` works a group of hidden counts out directly when its ties form no
loop (each relation shares at most one hidden count with the rest of the group), and sends
the other groups to the solver. Here the direct answers are checked against scipy's linprog on
a few hundred random small groups, and whole protections with the direct answers switched off.
"""

from __future__ import annotations

import math
import random
from datetime import date

import pytest

import reach.domain.disclosure as disclosure
from data.store import opened
from reach.domain.disclosure import Publication, audit, protect
from reach.domain.readiness import default_as_at
from reach.queries import figures_store
from reach.queries.publication import protect_tables
from reach.queries.readiness import data_coverage
from reach.queries.report import reach_reports
from reach.queries.target_groups import flag_counts_by_centre
from tests.reach.authorities import AS_AT, random_authority


def _random_publication(rng: random.Random) -> tuple[Publication, set]:
    """Counts, sums of them (some sums are parts of larger ones), bounds where one count is at
    most another, and a random choice of hidden counts: all true for the counts."""
    pub = Publication()
    cells = []

    def count(value):
        cell = ("t", len(cells), "n")
        pub.add_count(cell, value)
        cells.append(cell)
        return cell

    for _ in range(rng.randint(2, 7)):
        count(rng.choice([1, 2, 3, 4, rng.randint(0, 40)]))
    for _ in range(rng.randint(1, 3)):
        parts = rng.sample(cells, rng.randint(1, min(4, len(cells))))
        total = count(sum(pub.values[part] for part in parts))
        assert pub.add_sum(total, parts)
    for _ in range(rng.randint(0, 4)):
        small, large = rng.sample(cells, 2)
        pub.add_at_most(small, large)          # kept only where it holds
    hidden = {cell for cell in cells if pub.values[cell] > 0 and rng.random() < 0.55}
    return pub, hidden


def _ranges(publication, hidden, *, direct: bool, solver: str = "highs"):
    saved = disclosure._DIRECT, disclosure._highs_core
    disclosure._DIRECT = direct
    if solver == "linprog":
        disclosure._highs_core = None
    try:
        return {e.cell: (e.low, e.high) for e in audit(publication, hidden)}
    finally:
        disclosure._DIRECT, disclosure._highs_core = saved


def _same(one: float, other: float) -> bool:
    return one == other or math.isclose(one, other, rel_tol=0, abs_tol=1e-7)


def test_direct_ranges_are_linprogs_on_a_few_hundred_random_groups(monkeypatch):
    solved = []
    solver = disclosure._solver_ranges

    def counted(n, relations, low, high, **asked):
        solved.append(n)
        return solver(n, relations, low, high, **asked)

    monkeypatch.setattr(disclosure, "_solver_ranges", counted)
    rng = random.Random(20261201)
    direct = 0
    for _ in range(300):
        publication, hidden = _random_publication(rng)
        before = len(solved)
        fast = _ranges(publication, hidden, direct=True)
        reference = _ranges(publication, hidden, direct=False, solver="linprog")
        assert fast.keys() == reference.keys()
        for cell, (low, high) in reference.items():
            assert _same(fast[cell][0], low) and _same(fast[cell][1], high), (cell, fast[cell], (low, high))
        direct += len(solved) == before
    assert direct >= 200                # publications whose every group was worked out directly


def _random_system(rng: random.Random):
    """Pieces of a few counts with sums and bounds among them (loops included), joined by one
    long relation, all true for random counts: (n, relations)."""
    truth: list[int] = []
    relations = []
    members = []
    for _ in range(rng.randint(2, 4)):
        piece = [len(truth) + i for i in range(rng.randint(1, 3))]
        truth.extend(rng.choice([1, 2, 3, 4, rng.randint(1, 30)]) for _ in piece)
        for _ in range(rng.randint(0, 3)):
            chosen = rng.sample(piece, rng.randint(1, len(piece)))
            if rng.random() < 0.6:           # a sum: the first the total of the rest and a visible part
                total, parts = chosen[0], chosen[1:]
                visible = truth[total] - sum(truth[part] for part in parts)
                if len(chosen) > 1 and visible >= 0:
                    relations.append((((total, 1), *((part, -1) for part in parts)), float(visible), True))
                else:                        # the hidden counts are parts of a visible total
                    relations.append((tuple((part, -1) for part in chosen),
                                      -float(sum(truth[part] for part in chosen)), True))
            elif len(chosen) >= 2:           # one at most another
                small, large = sorted(chosen[:2], key=lambda col: truth[col])
                relations.append((((small, 1), (large, -1)), 0.0, False))
            else:                            # at most a visible count
                relations.append((((chosen[0], 1),), float(truth[chosen[0]] + rng.randint(0, 6)), False))
        members.extend(rng.sample(piece, rng.randint(1, len(piece))))
    signs = [rng.choice([1, -1]) if rng.random() < 0.2 else -1 for _ in members]
    value = float(sum(sign * truth[col] for col, sign in zip(members, signs)))
    equal = rng.random() < 0.8
    relations.append((tuple(zip(members, signs)), value if equal else value + rng.randint(0, 8), equal))
    rng.shuffle(relations)
    return len(truth), relations


def test_taking_groups_apart_gives_linprogs_ranges(monkeypatch):
    splits = []
    split_ranges = disclosure._split_ranges

    def counted(*args, **asked):
        splits.append(args[0])
        return split_ranges(*args, **asked)

    monkeypatch.setattr(disclosure, "_split_ranges", counted)
    rng = random.Random(1337)
    for _ in range(100):
        n, relations = _random_system(rng)
        got = disclosure._direct_ranges(n, relations, [1.0] * n, [math.inf] * n)
        equalities, bounds = disclosure._rows_of(relations)
        reference = disclosure._LinprogRanges(n, equalities, bounds)
        for i in range(n):
            low, high = reference.range_of(i)
            assert _same(got[i][0], low) and _same(got[i][1], high), (n, relations, i, got[i], (low, high))
    assert len(splits) >= 25, len(splits)


def test_counts_in_one_relation_only_taken_together_give_linprogs_ranges():
    rng = random.Random(4242)
    taken_together = 0
    for _ in range(120):
        n, relations = _random_system(rng)
        got = disclosure._leaves_apart(n, relations, [1.0] * n, [math.inf] * n)
        if got is None:
            continue
        taken_together += 1
        equalities, bounds = disclosure._rows_of(relations)
        reference = disclosure._LinprogRanges(n, equalities, bounds)
        for i in range(n):
            low, high = reference.range_of(i)
            assert _same(got[i][0], low) and _same(got[i][1], high), (n, relations, i, got[i], (low, high))
    assert taken_together >= 40, taken_together


def test_a_hand_worked_group():
    # a + b + 5 = 12 (both hidden), b is part of a visible 4, and c = a + 1 (c hidden as well):
    # b is 1 to 4, so a (7 less b) is 3 to 6, and c is 4 to 7.
    pub = Publication()
    for name, value in (("total", 12), ("a", 4), ("b", 3), ("rest", 5), ("whole", 4), ("c", 5), ("one", 1)):
        pub.add_count(("t", name, "n"), value)
    cell = {name: ("t", name, "n") for name in ("total", "a", "b", "rest", "whole", "c", "one")}
    assert pub.add_sum(cell["total"], [cell["a"], cell["b"], cell["rest"]])
    assert pub.add_at_most(cell["b"], cell["whole"])
    assert pub.add_sum(cell["c"], [cell["a"], cell["one"]])
    got = _ranges(pub, {cell["a"], cell["b"], cell["c"]}, direct=True)
    assert got == {cell["a"]: (3.0, 6.0), cell["b"]: (1.0, 4.0), cell["c"]: (4.0, 7.0)}


def test_sums_sharing_most_of_their_counts_are_taken_apart():
    # a + b + c = 9 and a + b = 4 (a loop) are c = 5 and a + b = 4 (none): a and b 1 to 3, c 5.
    relations = [(((0, -1), (1, -1), (2, -1)), -9.0, True), (((0, -1), (1, -1)), -4.0, True)]
    assert disclosure._tree_ranges(3, relations, [1.0] * 3, [math.inf] * 3) is None
    assert disclosure._direct_ranges(3, relations, [1.0] * 3, [math.inf] * 3) == [(1.0, 3.0), (1.0, 3.0), (5.0, 5.0)]


def test_a_loop_of_ties_goes_to_the_solver(monkeypatch):
    # a + b = 6 and a <= b: two relations over the same two hidden counts.
    solved = []
    solver = disclosure._solver_ranges
    monkeypatch.setattr(disclosure, "_solver_ranges",
                        lambda *args, **asked: solved.append(args[0]) or solver(*args, **asked))
    pub = Publication()
    for name, value in (("total", 6), ("a", 2), ("b", 4)):
        pub.add_count(("t", name, "n"), value)
    a, b = ("t", "a", "n"), ("t", "b", "n")
    assert pub.add_sum(("t", "total", "n"), [a, b])
    assert pub.add_at_most(a, b)
    got = _ranges(pub, {a, b}, direct=True)
    assert solved == [2]
    assert got[a] == pytest.approx((1.0, 3.0)) and got[b] == pytest.approx((3.0, 5.0))


def _protected(direct: bool, function, *args, switch: str = "_DIRECT", **kwargs):
    """`function` run with the module's `switch` (a shortcut that must not change the result)
    on or off."""
    saved = getattr(disclosure, switch)
    setattr(disclosure, switch, direct)
    try:
        return function(*args, **kwargs)
    finally:
        setattr(disclosure, switch, saved)


def _assert_same_protection(fast, slow):
    assert fast.hidden == slow.hidden
    assert fast.primary == slow.primary
    assert [e.cell for e in fast.exposures] == [e.cell for e in slow.exposures]
    for one, other in zip(fast.exposures, slow.exposures):
        assert _same(one.low, other.low) and _same(one.high, other.high), (one, other)


def test_the_demo_hides_the_same_counts_as_with_the_solver_alone(demo_db):
    with opened(demo_db, read_only=True) as con:
        day = default_as_at(data_coverage(con), date.today())
        reports = reach_reports(con, as_at=day, options=figures_store.standard_options())
        flags = flag_counts_by_centre(con, as_at=day, options=figures_store.standard_options())
    fast = _protected(True, protect_tables, reports, flags=flags, as_at=day)
    slow = _protected(False, protect_tables, reports, flags=flags, as_at=day)
    assert len(fast.protection.secondary) > 0
    _assert_same_protection(fast.protection, slow.protection)
    for name, table in fast.tables.items():
        assert table.equals(slow.tables[name]), name


@pytest.mark.parametrize("seed", [3, 11, 29])
def test_random_authorities_hide_the_same_counts_as_with_the_solver_alone(seed):
    reports, flags, months = random_authority(seed, centres=6, most_lsoas=5, scale=4)
    fast = _protected(True, protect_tables, reports, flags=flags, months=months, as_at=AS_AT)
    slow = _protected(False, protect_tables, reports, flags=flags, months=months, as_at=AS_AT)
    assert len(fast.protection.secondary) > 0
    _assert_same_protection(fast.protection, slow.protection)


def assert_random_publications_are_protected_the_same_either_way(*, seed: int, publications: int,
                                                                  switch: str = "_DIRECT") -> None:
    """`protect` on random publications gives the same protection, or the same refusal, with
    the module's `switch` on and off."""
    rng = random.Random(seed)
    for _ in range(publications):
        publication, _hidden = _random_publication(rng)
        rule = dict(smallest_shown=5, protection_width=4)
        try:
            fast = _protected(True, protect, publication, switch=switch, **rule)
        except disclosure.DisclosureError:
            with pytest.raises(disclosure.DisclosureError):
                _protected(False, protect, publication, switch=switch, **rule)
            continue
        _assert_same_protection(fast, _protected(False, protect, publication, switch=switch, **rule))


def test_protect_on_a_random_publication_is_the_same_either_way():
    assert_random_publications_are_protected_the_same_either_way(seed=7, publications=40)
