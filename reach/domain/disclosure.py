"""Disclosure control over everything published together: which counts to hide, and a proof.

Hiding each small count on its own is not enough. Published figures are tied to each other: an
LSOA's count adds up to its centre's, the centres add up to the authority, the months of birth
add up to the LSOA, a deprived LSOA's "deprived" figures are its figures, and a part can never
exceed its whole. Anyone holding every published table can combine those ties to work out, or
narrow down, a hidden count. So suppression is decided over all the tables at once:

1. **Primary**: every count the rule treats as small (1 to 4) is hidden.
2. **Audit**: for each hidden count, the smallest and largest values consistent with everything
   still visible are found by linear programming (each hidden count at least 1, since zeros are
   shown and so a hidden count is never 0); where the ties allow, the same values are worked
   out directly, without the solver (`_direct_ranges`). A count is *protected* when that range
   is at least `rule.protection_width` wide: for the 1-to-4 rule, four, so nobody can even tell
   that the count is below 5.
3. **Secondary**: for each count that is not yet protected, a visible count is hidden as well,
   and the audit runs again, until every hidden count is protected. It is taken from the
   relations that hold the count's range where it is, which the solver's proof of that range
   names (`_binding_relations`), since hiding a count anywhere else cannot widen it; failing
   that, from the relations around it. Which count within those relations is hidden is never
   decided by its value (see `_Ties.secondary_for`). If a count cannot be protected at all,
   publication is refused (`DisclosureError`).

The ties are given as relations (`add_sum`, `add_same`, `add_at_most`) and are only used when
they hold in the data, exactly as an attacker would use them. Rows and columns not declared as
counts (names, codes, dates) are never hidden.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_array

try:     # the HiGHS solver inside scipy, used directly for speed; linprog does the same without it
    from scipy.optimize._highspy import _core as _highs_core
except ImportError:       # pragma: no cover - another scipy build
    _highs_core = None

Cell = tuple[str, Hashable, str]      # (table, row key, column)

# Ranges worked out directly where the shape of the ties allows (`_one_sum_ranges`,
# `_direct_ranges`), the same as the solver's; False sends every group to the solver.
_DIRECT = True
# `protect` draws each secondary from the relations that hold the exposed count's range first
# (`_binding_relations`); False draws it from the count's own sums first.
_BINDING = True
# How far short of the protection width a solver's range may fall and still reach it (see
# `Exposure.protected`).
_WIDTH_SLACK = 1e-6
# A dual value nearer 0 than this is 0 (see `_binding_relations`).
_DUAL_ZERO = 1e-9
# `protect` audits again only the hidden counts not yet shown protected (see `protect`); False
# audits every hidden count in every round, with the same result.
_SKIP_SETTLED = True


class DisclosureError(ValueError):
    """The figures cannot be published: some hidden count could be worked out from the rest."""


@dataclass(frozen=True)
class Exposure:
    """A hidden count and the range of values the published figures leave it."""

    cell: Cell
    value: int
    low: float
    high: float

    @property
    def width(self) -> float:
        return self.high - self.low

    def protected(self, protection_width: float) -> bool:
        """Whether the range is at least `protection_width` wide. The solver works in floating
        point: a range of exactly four can come back as 3.999999999999993, and the same range
        worked out directly as 4. So a range short by less than `_WIDTH_SLACK` is taken as
        reaching the width; ranges of these whole-number ties are whole numbers or plain
        fractions, never that close below it."""
        return self.width >= protection_width - _WIDTH_SLACK


@dataclass
class Publication:
    """Counts published together and the relations between them.

    `values` holds the true counts. `sums` holds relations `total = sum(parts)`, `at_most` holds
    `small <= large`; both are kept only where they hold for the true counts.
    """

    values: dict[Cell, int] = field(default_factory=dict)
    sums: list[tuple[Cell, tuple[Cell, ...]]] = field(default_factory=list)
    at_most: list[tuple[Cell, Cell]] = field(default_factory=list)
    never_secondary: set[Cell] = field(default_factory=set)

    def add_count(self, cell: Cell, value, *, secondary: bool = True) -> None:
        """A published count. Missing values (no figure at all) are not counts.

        `secondary=False` marks a count that is taken as known to everyone, so hiding it would
        protect nothing (a column total anyone can add up): it is hidden only if small itself.
        """
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return
        self.values[cell] = int(value)
        if not secondary:
            self.never_secondary.add(cell)

    def add_sum(self, total: Cell, parts: Iterable[Cell]) -> bool:
        """`total` is the sum of `parts` (missing parts count as published zeros). Kept, and
        True returned, only when it holds for the true counts."""
        if total not in self.values:
            return False
        parts = tuple(part for part in parts if part in self.values)
        if self.values[total] != sum(self.values[part] for part in parts):
            return False
        self.sums.append((total, parts))
        return True

    def add_same(self, one: Cell, other: Cell) -> bool:
        """Two published cells that hold the same count by definition."""
        return self.add_sum(one, (other,))

    def add_at_most(self, small: Cell, large: Cell) -> bool:
        """`small` can never exceed `large` (a part and its whole). Kept only where it holds."""
        if small not in self.values or large not in self.values:
            return False
        if self.values[small] > self.values[large]:
            return False
        self.at_most.append((small, large))
        return True


@dataclass(frozen=True)
class Protection:
    """What to hide, and the audit that shows it is enough."""

    hidden: frozenset[Cell]
    primary: frozenset[Cell]
    exposures: tuple[Exposure, ...]     # every hidden count with its range, for the record

    @property
    def secondary(self) -> frozenset[Cell]:
        return self.hidden - self.primary


def protect(publication: Publication, *, smallest_shown: int, protection_width: float,
            max_rounds: int = 10_000) -> Protection:
    """Hide the small counts and enough others that every hidden count is protected.

    Each round audits only the hidden counts not yet shown protected (`settled`): hiding one
    more count turns a known value into an unknown, which can only widen every other hidden
    count's range (every value the ranges allowed before is still possible, with the newly
    hidden count at its true value), so a count protected once stays protected. Where a group
    of tied counts grows by one secondary a round, as the early months of a small authority's
    data make it do a hundred times over, that spares solving the whole group again each time.
    The last audit, for the record, gives every hidden count its range again.

    Raises DisclosureError when some count cannot be protected however much is hidden.
    """
    primary = frozenset(cell for cell, value in publication.values.items() if 0 < value < smallest_shown)
    hidden = set(primary)
    ties = _Ties(publication)
    ranges: dict[frozenset, tuple[frozenset, list[Exposure]]] = {}      # see `audit`
    settled: set[Cell] = set()
    for _ in range(max_rounds):
        rows: dict[frozenset, _GroupRows] = {}      # this round's groups as linear rows, built once
        audited = audit(publication, hidden, ties=ties, cache=ranges, settled=settled, rows=rows)
        exposed = [e for e in audited if not e.protected(protection_width)]
        if not exposed:
            break
        if _SKIP_SETTLED:
            settled.update(e.cell for e in audited if e.protected(protection_width))
        added = False
        # One secondary per relation per round: a second might not be needed once the first is
        # hidden, but exposed counts in relations of their own are mended in the same round.
        touched: set[int] = set()
        components = ties.components(hidden)
        members: dict[int, list[Cell]] = defaultdict(list)
        for cell, component in components.items():
            members[component].append(cell)
        binding: dict[Cell, tuple[list[int], list[int]]] = {}
        if _BINDING:        # before any secondary is added: the groups are this round's
            exposed_in: dict[int, list[Cell]] = defaultdict(list)
            for exposure in exposed:
                exposed_in[components[exposure.cell]].append(exposure.cell)
            for component, targets in exposed_in.items():
                cells = frozenset(members[component])
                group = rows.get(cells) or _group_rows(publication, sorted(cells, key=_order), hidden, ties)
                binding.update(_binding_relations(group, targets))
        for exposure in exposed:
            if touched & set(ties.sums_of[exposure.cell]):
                continue
            extra = ties.secondary_for(exposure.cell, hidden, tied=members[components[exposure.cell]],
                                       binding=binding.get(exposure.cell, ((), ())))
            if extra is not None:
                hidden.add(extra)
                added = True
                touched.update(ties.sums_of[exposure.cell], ties.sums_of[extra])
        if not added:
            worst = exposed[0]
            raise DisclosureError(
                f"{len(exposed):,} hidden figure(s) could still be worked out from the published "
                f"ones (for example {_describe(worst.cell)}), and no other figure can be hidden to "
                f"prevent it. Publish fewer tables or a coarser level.")
    else:
        raise DisclosureError("the suppression did not settle; publish fewer tables together")
    return Protection(hidden=frozenset(hidden), primary=primary,
                      exposures=tuple(audit(publication, hidden, ties=ties, cache=ranges)))


def audit(publication: Publication, hidden: Iterable[Cell], *, ties: _Ties | None = None,
          cache: dict | None = None, settled: Iterable[Cell] = (),
          rows: dict[frozenset, _GroupRows] | None = None) -> list[Exposure]:
    """For every hidden count, the range of values consistent with everything published.

    A linear programme per group of hidden counts that are tied together: the variables are the
    hidden counts (each at least 1), the constraints every relation in which one appears, with
    the visible counts as constants. Ranges are exact for the continuous relaxation; the true
    integer range can only be narrower by less than one at each end. Most groups are worked out
    directly (`_direct_ranges`), with the same answers; the solver takes what is left.

    Hidden counts in `settled` are still part of their groups but get no range of their own,
    which spares the solver their programmes (`protect` passes those it has shown protected).
    Each group solved is left in `rows` as its linear rows, keyed by its counts, for `protect`
    to ask the solver again which relations hold an exposed count.
    """
    hidden = set(hidden)
    if not hidden:
        return []
    ties = ties or _Ties(publication)
    cache = {} if cache is None else cache
    settled = set(settled)
    components = ties.components(hidden)
    groups: dict[int, list[Cell]] = defaultdict(list)
    for cell in sorted(hidden, key=_order):
        groups[components[cell]].append(cell)
    exposures: list[Exposure] = []
    for cells in groups.values():
        wanted = frozenset(cell for cell in cells if cell not in settled)
        if not wanted:
            continue
        # A group's ranges depend on its cells alone: those worked out before serve again, as
        # long as they cover every count asked about now.
        key = frozenset(cells)
        if key not in cache or not wanted <= cache[key][0]:
            group = _group_rows(publication, cells, hidden, ties)
            if rows is not None:
                rows[key] = group
            cache[key] = (wanted, _component_ranges(publication, cells, group, wanted=wanted))
        exposures.extend(e for e in cache[key][1] if e.cell in wanted)
    exposures.sort(key=lambda e: (e.width, _order(e.cell)))
    return exposures


@dataclass
class _GroupRows:
    """One group of tied hidden counts as linear rows: `equalities` are the sums it takes part
    in (`sum_indices`, in `Publication.sums`), `bounds` the bounds (`bound_indices`)."""

    position: dict[Cell, int]
    sum_indices: list[int]
    bound_indices: list[int]
    equalities: tuple[list, list, list, list]
    bounds: tuple[list, list, list, list]


def _group_rows(publication: Publication, cells: list[Cell], hidden: set[Cell], ties: _Ties) -> _GroupRows:
    position = {cell: i for i, cell in enumerate(cells)}
    values = publication.values
    sum_indices = sorted({i for cell in cells for i in ties.sums_of[cell]})
    bound_indices = sorted({i for cell in cells for i in ties.at_most_of[cell]})
    sums = [((total, 1), *((part, -1) for part in parts))
            for total, parts in (publication.sums[i] for i in sum_indices)]
    at_most = [((small, 1), (large, -1)) for small, large in (publication.at_most[i] for i in bound_indices)]
    return _GroupRows(position, sum_indices, bound_indices,
                      _linear_rows(sums, hidden, position, values), _linear_rows(at_most, hidden, position, values))


def _component_ranges(publication: Publication, cells: list[Cell], group: _GroupRows, *,
                      wanted: frozenset[Cell]) -> list[Exposure]:
    """The ranges of the `wanted` counts of one group of tied hidden counts, `cells` (`group`: its
    linear rows)."""
    position, values, equalities, bounds = group.position, publication.values, group.equalities, group.bounds
    eq_data, eq_rhs = equalities[2], equalities[3]
    n = len(cells)
    if _DIRECT and len(eq_rhs) == 1 and not bounds[3] and all(coefficient == eq_data[0] for coefficient in eq_data):
        everyone = _one_sum_ranges(publication, cells, total=eq_rhs[0] * eq_data[0])
        return [exposure for exposure in everyone if exposure.cell in wanted]
    asked = {position[cell] for cell in wanted}
    if _DIRECT:
        ranges = _direct_ranges(n, _relations_of(equalities, bounds), [1.0] * n, [math.inf] * n, wanted=asked)
    else:
        solve = (_HighsRanges(n, equalities, bounds) if _HighsRanges.available()
                 else _LinprogRanges(n, equalities, bounds))
        ranges = [solve.range_of(i) if i in asked else _UNASKED for i in range(n)]
    return [Exposure(cell=cell, value=values[cell], low=low, high=high)
            for cell, (low, high) in zip(cells, ranges) if cell in wanted]


def _binding_relations(group: _GroupRows, targets: Iterable[Cell]) -> dict[Cell, tuple[list[int], list[int]]]:
    """For each of `targets`, hidden counts of one group (`group`, its linear rows), the relations
    that hold its range where it is: the sums and bounds (indices in `Publication.sums` and
    `.at_most`) that the solver's proof of its smallest or largest value rests on (a dual value
    other than 0).

    A count can be pinned by relations it is not in: a centre's deprived children known is the
    sum of its deprived LSOAs' counts, each the LSOA's own children known, which add up to the
    centre's children known. Hiding a count in one of these relations can widen its range;
    hiding one anywhere else in the group cannot. Drawing from the count's own sums instead left
    such counts pinned round after round (an England-sized authority's target groups did not
    settle in 260 rounds; they now do in 7).

    Which relations these are depends on the counts showing, as which counts are exposed always
    has; the count chosen within them never depends on its own value.
    """
    n = len(group.position)
    solve = (_HighsRanges(n, group.equalities, group.bounds) if _HighsRanges.available()
             else _LinprogRanges(n, group.equalities, group.bounds))
    equal_rows = len(group.sum_indices)
    out = {}
    for cell in targets:
        rows = solve.binding_rows(group.position[cell])
        out[cell] = ([group.sum_indices[row] for row in rows if row < equal_rows],
                     [group.bound_indices[row - equal_rows] for row in rows if row >= equal_rows])
    return out


def _linear_rows(relations, hidden: set[Cell], position: dict[Cell, int], values: dict[Cell, int]):
    """Each relation `sum(sign * cell)` (= 0 for a sum, <= 0 for a bound) as a sparse row over the
    hidden cells, the visible ones moved to the right-hand side: (rows, columns, data, rhs)."""
    rows: list[int] = []
    columns: list[int] = []
    data: list[int] = []
    rhs: list[int] = []
    for terms in relations:
        constant = 0
        for cell, sign in terms:
            if cell in hidden:
                rows.append(len(rhs))
                columns.append(position[cell])
                data.append(sign)
            else:
                constant += sign * values[cell]
        rhs.append(-constant)
    return rows, columns, data, rhs


def _one_sum_ranges(publication: Publication, cells: list[Cell], *, total: float) -> list[Exposure]:
    """The common case worked out directly: hidden counts whose only tie is that they add up to
    a known `total` (each at least 1) can each be anything from 1 to the total less one for each
    of the others."""
    others = len(cells) - 1
    low = float(total) if others == 0 else 1.0
    return [Exposure(cell=cell, value=publication.values[cell], low=low, high=float(total - others))
            for cell in cells]


# --- ranges worked out directly ------------------------------------------------------------------
#
# A group's ties as relations over its hidden counts, numbered 0 to n - 1: (terms, rhs, equal),
# the terms (count, +1 or -1) adding up to rhs (equal) or to at most rhs. Each count has a
# smallest and a largest value it may take (`low`, `high`): 1 and no limit for a hidden count.

Relation = tuple[tuple[tuple[int, int], ...], float, bool]

# The range given for a count nobody asked about (`wanted` below: the counts whose ranges are
# needed, None for all of them). The solver is spared its programmes; a range worked out
# directly for nothing is given all the same.
_UNASKED = (math.nan, math.nan)


class _Undecided(Exception):
    """The direct way cannot tell: the solver decides."""


def _relations_of(equalities, bounds) -> list[Relation]:
    """`_linear_rows`' equalities and bounds as relations."""
    out: list[Relation] = []
    for (rows, cols, data, rhs), equal in ((equalities, True), (bounds, False)):
        terms: list[list[tuple[int, int]]] = [[] for _ in rhs]
        for row, col, value in zip(rows, cols, data):
            terms[row].append((int(col), int(value)))
        out.extend((tuple(row_terms), float(value), equal) for row_terms, value in zip(terms, rhs))
    return out


def _rows_of(relations: list[Relation]):
    """Relations back as `_linear_rows`' equalities and bounds."""
    equalities: tuple[list, list, list, list] = ([], [], [], [])
    bounds: tuple[list, list, list, list] = ([], [], [], [])
    for terms, rhs, equal in relations:
        rows, cols, data, values = equalities if equal else bounds
        for col, sign in terms:
            rows.append(len(values))
            cols.append(col)
            data.append(sign)
        values.append(rhs)
    return equalities, bounds


def _direct_ranges(n: int, relations: list[Relation], low: list[float], high: list[float], *,
                   wanted: set[int] | None = None) -> list[tuple[float, float]]:
    """The smallest and largest value of each count, the same as the solver's (`_solver_ranges`),
    with the solver kept for what is left once the ties are taken apart:

    - sums that share most of their counts are made shorter (`_shorter_sums`);
    - ties that form no loop (each relation shares at most one count with the rest of what it
      is joined to) are worked out exactly by narrowing each count's range from each relation
      in turn until nothing changes (`_tree_ranges`);
    - a relation whose removal splits the counts into pieces of at most half of them each
      (such as a sum over every centre) is taken out: each piece's share of the relation has
      a range of its own, and each piece is then worked out alone, its share limited by what
      the other pieces' shares leave (`_split_ranges`);
    - what is left goes to the solver, with the counts that only one relation holds taken
      together (`_leaves_apart`).

    Counts not `wanted` may be given `_UNASKED` where only the solver could tell.
    """
    try:
        shorter = _shorter_sums(relations)
    except _Undecided:
        return _solver_ranges(n, relations, low, high, wanted=wanted)
    direct = _tree_ranges(n, shorter, low, high)
    if direct is not None:
        return direct
    split = _split(n, shorter)
    if split is not None:
        return _split_ranges(n, shorter, low, high, *split, wanted=wanted)
    fewer = _leaves_apart(n, shorter, low, high, wanted=wanted)
    return fewer if fewer is not None else _solver_ranges(n, relations, low, high, wanted=wanted)


def _shorter_sums(relations: list[Relation]) -> list[Relation]:
    """Equalities made shorter by taking one from another where they share more than half of
    the shorter one's counts with the same signs: a + b + c = 9 and a + b = 4 become c = 5 and
    a + b = 4; a + b - d = 0 and a + b + e = 7 become d + e = 7 and a + b + e = 7. The same
    values satisfy the new relations as the old."""
    rows = [dict(terms) for terms, _, equal in relations if equal]
    if len(rows) < 2:
        return relations
    rhs = [value for _, value, equal in relations if equal]
    holding: dict[int, set[int]] = defaultdict(set)         # a count -> the equalities it is in
    for j, row in enumerate(rows):
        for col in row:
            holding[col].add(j)
    pending = list(range(len(rows)))
    queued = [True] * len(rows)
    while pending:
        i = pending.pop()
        queued[i] = False
        one = rows[i]
        if not one:
            continue
        for j in sorted(set().union(*(holding[col] for col in one)) - {i}):
            other = rows[j]
            if len(other) < len(one):
                continue
            shared = [col for col in one if col in other]
            if 2 * len(shared) <= len(one):
                continue
            sign = one[shared[0]] * other[shared[0]]
            if any(one[col] * other[col] != sign for col in shared):
                continue
            for col in shared:
                del other[col]
                holding[col].discard(j)
            for col, coefficient in one.items():
                if col not in shared:
                    other[col] = -sign * coefficient
                    holding[col].add(j)
            rhs[j] -= sign * rhs[i]
            if not other and rhs[j] != 0:
                raise _Undecided
            for k in set().union(*(holding[col] for col in other)) | {j}:
                if not queued[k]:           # shorter now: it may shorten others, or be shortened
                    queued[k] = True
                    pending.append(k)
    return [(tuple(row.items()), value, True) for row, value in zip(rows, rhs) if row] + \
        [relation for relation in relations if not relation[2]]


def _tree_ranges(n: int, relations: list[Relation], low: list[float], high: list[float], *,
                 most_visits_per_relation: int = 64) -> list[tuple[float, float]] | None:
    """Exact ranges where the relations form no loop, else None.

    Each relation in turn narrows each of its counts to what the others' ranges allow, until
    nothing changes. Without loops nothing else limits a count, so the ranges are exact: any
    value in a count's range can be completed, relation by relation outwards, to values of
    every count that satisfy every relation. Counts and limits are whole numbers, so the
    arithmetic is exact."""
    low, high = list(low), list(high)
    of: list[list[int]] = [[] for _ in range(n)]
    parent = list(range(n + len(relations)))        # counts, then relations: a forest?
    for index, (terms, _, _) in enumerate(relations):
        if len({col for col, _ in terms}) != len(terms):
            return None
        for col, _ in terms:
            of[col].append(index)
            if len(terms) > 1:
                a, b = _root(parent, col), _root(parent, n + index)
                if a == b:
                    return None
                parent[a] = b
    pending = list(range(len(relations)))
    queued = [True] * len(relations)
    visits, most_visits = 0, most_visits_per_relation * max(len(relations), 1)
    while pending:
        visits += 1
        if visits > most_visits:
            return None
        index = pending.pop()
        queued[index] = False
        terms, rhs, equal = relations[index]
        least, least_unlimited, most, most_unlimited = _span(terms, low, high)
        for col, sign in terms:
            lo, hi = (low[col], high[col]) if sign > 0 else (-high[col], -low[col])
            # what the other terms leave for this one: at most rhs less their least, and for an
            # equality at least rhs less their most
            top = math.inf if least_unlimited - (lo == -math.inf) else rhs - (least - _finite(lo))
            bottom = (-math.inf if (most_unlimited - (hi == math.inf) or not equal)
                      else rhs - (most - _finite(hi)))
            new_low, new_high = (bottom, top) if sign > 0 else (-top, -bottom)
            changed = False
            if new_low > low[col]:
                low[col], changed = new_low, True
            if new_high < high[col]:
                high[col], changed = new_high, True
            if changed:
                if low[col] > high[col]:
                    return None
                for other in of[col]:
                    if other != index and not queued[other]:
                        queued[other] = True
                        pending.append(other)
    return list(zip(low, high))


def _root(parent: list[int], node: int) -> int:
    """The root of `node` in a union-find forest, shortening the path on the way."""
    while parent[node] != node:
        parent[node] = parent[parent[node]]
        node = parent[node]
    return node


def _finite(value: float) -> float:
    return 0.0 if math.isinf(value) else value


def _span(terms, low: list[float], high: list[float]) -> tuple[float, int, float, int]:
    """The least and most `sum(sign * count)` can be, each as a finite part and the number of
    terms without a limit."""
    least = most = 0.0
    least_unlimited = most_unlimited = 0
    for col, sign in terms:
        lo, hi = (low[col], high[col]) if sign > 0 else (-high[col], -low[col])
        if lo == -math.inf:
            least_unlimited += 1
        else:
            least += lo
        if hi == math.inf:
            most_unlimited += 1
        else:
            most += hi
    return least, least_unlimited, most, most_unlimited


def _split(n: int, relations: list[Relation]) -> tuple[int, list[list[int]]] | None:
    """A relation whose removal leaves the counts in pieces of at most half of them each (of
    the few longest, the one leaving the smallest largest piece): its index and the pieces."""
    longest = sorted((k for k, relation in enumerate(relations) if len(relation[0]) > 2),
                     key=lambda k: (-len(relations[k][0]), k))
    best: tuple[int, int, list[list[int]]] | None = None
    for index in longest[:4]:
        parent = list(range(n))
        for k, (terms, _, _) in enumerate(relations):
            if k != index:
                first = _root(parent, terms[0][0])
                for col, _ in terms[1:]:
                    other = _root(parent, col)
                    if other != first:
                        parent[other] = first
        pieces: dict[int, list[int]] = defaultdict(list)
        for col in range(n):
            pieces[_root(parent, col)].append(col)
        largest = max(len(piece) for piece in pieces.values())
        if len(pieces) > 1 and largest <= n // 2 and (best is None or largest < best[0]):
            best = (largest, index, list(pieces.values()))
    return None if best is None else (best[1], best[2])


def _split_ranges(n: int, relations: list[Relation], low: list[float], high: list[float],
                  index: int, pieces: list[list[int]], *, wanted: set[int] | None = None) -> list[tuple[float, float]]:
    """Ranges with relation `index` taken out, the rest in separate `pieces`.

    Each piece gets one more count, its share of the relation (the relation's terms in the
    piece). The range of each piece's share is worked out with the share unlimited; a piece's
    share is then limited to what the relation's total less the other shares' ranges leaves,
    and where that limits it the piece is worked out again. The pieces share nothing else, so
    this is exact. Every share is wanted, since each limits the others; a piece with no count
    `wanted` is not worked out again."""
    terms, rhs, equal = relations[index]
    sign_of = dict(terms)
    piece_of = {col: p for p, cols in enumerate(pieces) for col in cols}
    own: list[list[Relation]] = [[] for _ in pieces]
    for k, relation in enumerate(relations):
        if k != index:
            own[piece_of[relation[0][0][0]]].append(relation)
    problems = []
    for p, cols in enumerate(pieces):
        local = {col: i for i, col in enumerate(cols)}
        share = len(cols)
        piece_relations = [(tuple((local[col], sign) for col, sign in piece_terms), value, is_equal)
                           for piece_terms, value, is_equal in own[p]]
        piece_relations.append((tuple((local[col], sign_of[col]) for col in cols if col in sign_of) + ((share, -1),),
                                0.0, True))
        piece_wanted = None if wanted is None else {local[col] for col in cols if col in wanted}
        problems.append((cols, piece_relations, [low[col] for col in cols], [high[col] for col in cols], piece_wanted))
    free = [_direct_ranges(len(cols) + 1, piece_relations, piece_low + [-math.inf], piece_high + [math.inf],
                           wanted=None if piece_wanted is None else piece_wanted | {len(cols)})
            for cols, piece_relations, piece_low, piece_high, piece_wanted in problems]
    shares = [ranges[-1] for ranges in free]
    least, least_unlimited, most, most_unlimited = _span([(p, 1) for p in range(len(pieces))],
                                                         [s[0] for s in shares], [s[1] for s in shares])
    out: list[tuple[float, float]] = [_UNASKED] * n
    for p, (cols, piece_relations, piece_low, piece_high, piece_wanted) in enumerate(problems):
        if piece_wanted is not None and not piece_wanted:
            continue
        lo, hi = shares[p]
        top = math.inf if least_unlimited - (lo == -math.inf) else rhs - (least - _finite(lo))
        bottom = (-math.inf if (most_unlimited - (hi == math.inf) or not equal)
                  else rhs - (most - _finite(hi)))
        ranges = free[p]
        if bottom > lo or top < hi:
            ranges = _direct_ranges(len(cols) + 1, piece_relations, piece_low + [bottom], piece_high + [top],
                                    wanted=piece_wanted)
        for i, col in enumerate(cols):
            out[col] = ranges[i]
    return out


def _leaves_apart(n: int, relations: list[Relation], low: list[float], high: list[float], *,
                  wanted: set[int] | None = None) -> list[tuple[float, float]] | None:
    """The solver's ranges with fewer counts, or None where that does not help: where a
    relation holds two or more counts found in no other relation (an LSOA's count in its
    centre's sum, say), they are replaced by one count, their total, whose range is all the
    values their own ranges allow together. The solver works out the rest, that total
    included; each of those counts is then whatever the total's range leaves once the
    others take their ranges. Nothing else ties them, so this is exact. A total is wanted where
    any of its counts is."""
    degree = [0] * n
    for terms, _, _ in relations:
        if len(terms) > 1:
            for col, _ in terms:
                degree[col] += 1
    collapsed = {}
    for index, (terms, _, _) in enumerate(relations):
        alone = [(col, sign) for col, sign in terms if degree[col] == 1]
        if len(terms) > 1 and 2 <= len(alone) < len(terms):
            collapsed[index] = alone
    if not collapsed:
        return None
    low, high = list(low), list(high)
    gone = {col for alone in collapsed.values() for col, _ in alone}
    for terms, rhs, equal in relations:            # a count's own limits: part of its range
        if len(terms) == 1 and terms[0][0] in gone:
            col, sign = terms[0]
            if sign > 0:
                high[col] = min(high[col], rhs)
                low[col] = max(low[col], rhs) if equal else low[col]
            else:
                low[col] = max(low[col], -rhs)
                high[col] = min(high[col], -rhs) if equal else high[col]
            if low[col] > high[col]:
                return None
    kept = [col for col in range(n) if col not in gone]
    number = {col: i for i, col in enumerate(kept)}
    fewer_low = [low[col] for col in kept]
    fewer_high = [high[col] for col in kept]
    fewer: list[Relation] = []
    total_of = {}
    for index, (terms, rhs, equal) in enumerate(relations):
        if len(terms) == 1 and terms[0][0] in gone:
            continue
        new_terms = tuple((number[col], sign) for col, sign in terms if col not in gone)
        if index in collapsed:
            least, least_unlimited, most, most_unlimited = _span(collapsed[index], low, high)
            total_of[index] = len(fewer_low)
            new_terms += ((len(fewer_low), 1),)
            fewer_low.append(-math.inf if least_unlimited else least)
            fewer_high.append(math.inf if most_unlimited else most)
        fewer.append((new_terms, rhs, equal))
    fewer_wanted = None if wanted is None else (
        {number[col] for col in kept if col in wanted}
        | {total_of[index] for index, alone in collapsed.items() if any(col in wanted for col, _ in alone)})
    ranges = _solver_ranges(len(fewer_low), fewer, fewer_low, fewer_high, wanted=fewer_wanted)
    out: list[tuple[float, float]] = [_UNASKED] * n
    for col, i in number.items():
        out[col] = ranges[i]
    for index, alone in collapsed.items():
        if fewer_wanted is not None and total_of[index] not in fewer_wanted:
            continue
        total_low, total_high = ranges[total_of[index]]
        least, least_unlimited, most, most_unlimited = _span(alone, low, high)
        for col, sign in alone:
            lo, hi = (low[col], high[col]) if sign > 0 else (-high[col], -low[col])
            # this count's term is the total less the others' terms (None: no limit)
            others_least = None if least_unlimited - (lo == -math.inf) else least - _finite(lo)
            others_most = None if most_unlimited - (hi == math.inf) else most - _finite(hi)
            top = math.inf if total_high == math.inf or others_least is None else total_high - others_least
            bottom = -math.inf if total_low == -math.inf or others_most is None else total_low - others_most
            if sign > 0:
                out[col] = (max(low[col], bottom), min(high[col], top))
            else:
                out[col] = (max(low[col], -top), min(high[col], -bottom))
    return out


def _solver_ranges(n: int, relations: list[Relation], low: list[float], high: list[float], *,
                   wanted: set[int] | None = None) -> list[tuple[float, float]]:
    """The ranges from the solver, two linear programmes per count `wanted` (None: every one)."""
    if wanted is not None and not wanted:
        return [_UNASKED] * n
    equalities, bounds = _rows_of(relations)
    solve = (_HighsRanges(n, equalities, bounds, low=low, high=high) if _HighsRanges.available()
             else _LinprogRanges(n, equalities, bounds, low=low, high=high))
    return [solve.range_of(i) if wanted is None or i in wanted else _UNASKED for i in range(n)]


class _LinprogRanges:
    """The smallest and largest value of each variable, by scipy's linprog (two solves each)."""

    def __init__(self, n: int, equalities, bounds, *, low=None, high=None):
        self.n = n
        low = [1.0] * n if low is None else low
        high = [math.inf] * n if high is None else high
        self.bounds = [(None if math.isinf(lo) else lo, None if math.isinf(hi) else hi) for lo, hi in zip(low, high)]
        rows, cols, data, rhs = equalities
        self.a_eq = csr_array((data, (rows, cols)), shape=(len(rhs), n)) if rhs else None
        self.b_eq = np.array(rhs, dtype=float) if rhs else None
        rows, cols, data, rhs = bounds
        self.a_ub = csr_array((data, (rows, cols)), shape=(len(rhs), n)) if rhs else None
        self.b_ub = np.array(rhs, dtype=float) if rhs else None

    def range_of(self, i: int) -> tuple[float, float]:
        objective = np.zeros(self.n)
        objective[i] = 1.0
        return self._optimum(objective), -self._optimum(-objective)

    def binding_rows(self, i: int) -> list[int]:
        """The rows (equalities first, then bounds) with a dual value other than 0 at the
        smallest or the largest value of variable `i`."""
        rows: set[int] = set()
        objective = np.zeros(self.n)
        for sense in (1.0, -1.0):
            objective[i] = sense
            result = self._solve(objective)
            if result.status == 0:
                duals = np.concatenate([result.eqlin.marginals if self.a_eq is not None else [],
                                        result.ineqlin.marginals if self.a_ub is not None else []])
                rows.update(int(row) for row in np.flatnonzero(np.abs(duals) > _DUAL_ZERO))
        return sorted(rows)

    def _optimum(self, objective) -> float:
        result = self._solve(objective)
        if result.status == 3:          # unbounded: the count could be as large as anyone likes
            return -math.inf
        if result.status != 0:          # cannot happen for relations that hold in the data
            raise DisclosureError("the published figures contradict each other; nothing was published")
        return float(result.fun)

    def _solve(self, objective):
        result = linprog(objective, A_ub=self.a_ub, b_ub=self.b_ub, A_eq=self.a_eq, b_eq=self.b_eq,
                         bounds=self.bounds, method="highs")
        if result.status == 2:      # "infeasible" for relations the data satisfies: presolve's quirk
            result = linprog(objective, A_ub=self.a_ub, b_ub=self.b_ub, A_eq=self.a_eq, b_eq=self.b_eq,
                             bounds=self.bounds, method="highs", options={"presolve": False})
        return result


class _HighsRanges:
    """The same answers as `_LinprogRanges`, from the HiGHS solver that scipy's linprog itself
    uses, driven directly: the model is built once and only the objective changes between
    solves, which makes each solve about thirty times quicker than a fresh linprog call."""

    @staticmethod
    def available() -> bool:
        return _highs_core is not None

    def __init__(self, n: int, equalities, bounds, *, low=None, high=None):
        core = _highs_core
        self.n = n
        self._model = (equalities, bounds, low, high)         # for `_LinprogRanges`, seldom needed
        self.highs = core._Highs()
        self.highs.setOptionValue("output_flag", False)
        infinity = core.kHighsInf
        lower = np.ones(n) if low is None else np.clip(np.array(low, dtype=float), -infinity, infinity)
        upper = np.full(n, infinity) if high is None else np.clip(np.array(high, dtype=float), -infinity, infinity)
        self.highs.addVars(n, lower, upper)
        for (rows, cols, data, rhs), lower_is_rhs in ((equalities, True), (bounds, False)):
            if not rhs:
                continue
            # All the rows at once, in their order: each row's entries together, `starts` where
            # each begins.
            row_of = np.asarray(rows, dtype=np.int64)
            order = np.argsort(row_of, kind="stable")
            starts = np.searchsorted(row_of[order], np.arange(len(rhs))).astype(np.int32)
            upper = np.asarray(rhs, dtype=np.float64)
            lower = upper.copy() if lower_is_rhs else np.full(len(rhs), -infinity)
            self.highs.addRows(len(rhs), lower, upper, len(order), starts,
                               np.asarray(cols, dtype=np.int32)[order], np.asarray(data, dtype=np.float64)[order])
        self.unbounded = {core.HighsModelStatus.kUnbounded, core.HighsModelStatus.kUnboundedOrInfeasible}
        self.optimal = core.HighsModelStatus.kOptimal
        self.indices = np.arange(n, dtype=np.int32)

    def range_of(self, i: int) -> tuple[float, float]:
        return self._optimum(i, 1.0), -self._optimum(i, -1.0)

    def binding_rows(self, i: int) -> list[int]:
        """As `_LinprogRanges.binding_rows`."""
        rows: set[int] = set()
        for sense in (1.0, -1.0):
            self._optimum(i, sense)
            if self.highs.getModelStatus() == self.optimal:
                duals = np.asarray(self.highs.getSolution().row_dual)
                rows.update(int(row) for row in np.flatnonzero(np.abs(duals) > _DUAL_ZERO))
        return sorted(rows)

    def _optimum(self, i: int, sense: float) -> float:
        cost = np.zeros(self.n)
        cost[i] = sense
        self.highs.changeColsCost(self.n, self.indices, cost)
        for _attempt in range(2):
            self.highs.run()
            status = self.highs.getModelStatus()
            if status in self.unbounded:
                return -math.inf
            if status == self.optimal:
                return float(self.highs.getInfo().objective_function_value)
            # A warm start from the last solve can end undecided: start this one afresh.
            self.highs.clearSolver()
        equalities, bounds, low, high = self._model
        return _LinprogRanges(self.n, equalities, bounds, low=low, high=high)._optimum(cost)


class _Ties:
    """Which relations each cell takes part in, and which hidden cells are tied together."""

    def __init__(self, publication: Publication):
        self.publication = publication
        self.sums_of: dict[Cell, list[int]] = defaultdict(list)
        self.at_most_of: dict[Cell, list[int]] = defaultdict(list)
        for index, (total, parts) in enumerate(publication.sums):
            for cell in (total, *parts):
                self.sums_of[cell].append(index)
        for index, (small, large) in enumerate(publication.at_most):
            self.at_most_of[small].append(index)
            self.at_most_of[large].append(index)
        self._parent: dict[Cell, Cell] = {}           # the components so far (see `components`)
        self._joined: set[Cell] = set()
        self._holder: dict[tuple[str, int], Cell] = {}
        self._numbers: dict[Cell, int] | None = None

    def components(self, hidden: set[Cell]) -> dict[Cell, int]:
        """A number for each hidden cell, shared by hidden cells that one relation ties.

        Worked out from the last call's when `hidden` has only grown since (as it does while
        `protect` adds secondaries): only the new cells are joined in. Each relation keeps one
        hidden cell it holds, and a new cell in the relation joins that cell's component."""
        if not self._joined <= hidden:
            self._parent, self._joined, self._holder = {}, set(), {}
        elif len(self._joined) == len(hidden) and self._numbers is not None:
            return self._numbers            # the same cells as last time
        parent, holder = self._parent, self._holder

        def find(cell):
            while parent[cell] != cell:
                parent[cell] = parent[parent[cell]]
                cell = parent[cell]
            return cell

        for cell in hidden - self._joined:
            parent[cell] = cell
            keys = [("sum", index) for index in self.sums_of[cell]]
            keys += [("bound", index) for index in self.at_most_of[cell]]
            for key in keys:
                other = holder.setdefault(key, cell)
                if other != cell:
                    a, b = find(cell), find(other)
                    if a != b:
                        parent[a] = b
            self._joined.add(cell)
        roots: dict[Cell, int] = {}
        self._numbers = {cell: roots.setdefault(find(cell), len(roots)) for cell in hidden}
        return self._numbers

    def secondary_for(self, cell: Cell, hidden: set[Cell], *, tied: Sequence[Cell],
                      binding: tuple[Sequence[int], Sequence[int]] = ((), ())) -> Cell | None:
        """The visible count to hide next to protect `cell`: one in a relation that holds its range
        (`binding`: indices of sums and of bounds, see `_binding_relations`), else one in a sum
        with it (another part rather than the total, where there is one), else in a sum with any
        hidden cell tied to it, else in a bound on it. `tied` holds the hidden cells tied to
        `cell`, itself included. Within each, a part is chosen before the total over it.

        Which one is never decided by the count's own value. The usual choice, the smallest,
        tells anyone who knows the method that the hidden count is no larger than every count
        left showing beside it, a bound that can pin both hidden counts down. Here the choice
        among candidates follows a fixed shuffle of the cells' names, the same every time.
        """
        sums, at_most = self.publication.sums, self.publication.at_most
        binding_sums, binding_bounds = binding
        # Each stage's relations as (total or None for a bound, the other cells), gone through
        # only if the stages before it offer nothing.
        stages: list[Iterable[tuple[Cell | None, tuple[Cell, ...]]]] = [
            chain((sums[index] for index in binding_sums), ((None, at_most[index]) for index in binding_bounds)),
            (sums[index] for index in self.sums_of[cell]),
            (sums[index] for source in tied for index in self.sums_of[source]),
            ((None, at_most[index]) for source in tied for index in self.at_most_of[source]),
        ]
        values = self.publication.values
        for relations in stages:
            candidates: dict[Cell, bool] = {}       # candidate -> is it a total (of every sum it is in)?
            for total, parts in relations:
                for other in (*parts, total) if total is not None else parts:
                    if other in hidden or values[other] <= 0 or other in self.publication.never_secondary:
                        continue
                    candidates[other] = candidates.get(other, True) and other == total
            if candidates:
                return min(candidates, key=lambda other: (candidates[other], _shuffled(other)))
        return None


def _shuffled(cell: Cell) -> bytes:
    """A fixed, value-blind order of cells: the hash of the cell's name."""
    return hashlib.sha256(repr(_order(cell)).encode("utf-8")).digest()


def _order(cell: Cell) -> tuple:
    table, row, column = cell
    return (table, str(row), column)


def _describe(cell: Cell) -> str:
    table, row, column = cell
    return f"{column} of {row} in {table}"
