"""Disclosure control over everything published together: which counts to hide, and a proof.

Hiding each small count on its own is not enough. Published figures are tied to each other: an
LSOA's count adds up to its centre's, the centres add up to the authority, the months of birth
add up to the LSOA, a deprived LSOA's "deprived" figures are its figures, and a part can never
exceed its whole. Anyone holding every published table can combine those ties to work out, or
narrow down, a hidden count. So suppression is decided over all the tables at once:

1. **Primary**: every count the rule treats as small (1 to 4) is hidden.
2. **Audit**: for each hidden count, the smallest and largest values consistent with everything
   still visible are found by linear programming (each hidden count at least 1, since zeros are
   shown and so a hidden count is never 0). A count is *protected* when that range is at least
   `rule.protection_width` wide: for the 1-to-4 rule, four, so nobody can even tell that the
   count is below 5.
3. **Secondary**: for each count that is not yet protected, a visible count tied to it is hidden
   as well, and the audit runs again, until every hidden count is protected. The choice never
   depends on the counts (see `_Ties.secondary_for`), so knowing the method tells nobody
   anything about them. If a count cannot be protected at all, publication is refused
   (`DisclosureError`).

The ties are given as relations (`add_sum`, `add_same`, `add_at_most`) and are only used when
they hold in the data, exactly as an attacker would use them. Rows and columns not declared as
counts (names, codes, dates) are never hidden.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_array

try:     # the HiGHS solver inside scipy, used directly for speed; linprog does the same without it
    from scipy.optimize._highspy import _core as _highs_core
except ImportError:       # pragma: no cover - another scipy build
    _highs_core = None

Cell = tuple[str, Hashable, str]      # (table, row key, column)


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

    Raises DisclosureError when some count cannot be protected however much is hidden.
    """
    primary = frozenset(cell for cell, value in publication.values.items() if 0 < value < smallest_shown)
    hidden = set(primary)
    ties = _Ties(publication)
    ranges: dict[frozenset, list[Exposure]] = {}    # a group's ranges depend on its cells alone
    for _ in range(max_rounds):
        exposed = [e for e in audit(publication, hidden, ties=ties, cache=ranges) if e.width < protection_width]
        if not exposed:
            break
        added = False
        # One secondary per relation per round: a second might not be needed once the first is
        # hidden, but exposed counts in relations of their own are mended in the same round.
        touched: set[int] = set()
        components = ties.components(hidden)
        for exposure in exposed:
            if touched & set(ties.sums_of[exposure.cell]):
                continue
            extra = ties.secondary_for(exposure.cell, hidden, component_of=components)
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
          cache: dict | None = None) -> list[Exposure]:
    """For every hidden count, the range of values consistent with everything published.

    A linear programme per group of hidden counts that are tied together: the variables are the
    hidden counts (each at least 1), the constraints every relation in which one appears, with
    the visible counts as constants. Ranges are exact for the continuous relaxation; the true
    integer range can only be narrower by less than one at each end.
    """
    hidden = set(hidden)
    if not hidden:
        return []
    ties = ties or _Ties(publication)
    cache = {} if cache is None else cache
    components = ties.components(hidden)
    groups: dict[int, list[Cell]] = defaultdict(list)
    for cell in sorted(hidden, key=_order):
        groups[components[cell]].append(cell)
    exposures = []
    for cells in groups.values():
        key = frozenset(cells)
        if key not in cache:
            cache[key] = _component_ranges(publication, cells, hidden, ties)
        exposures.extend(cache[key])
    exposures.sort(key=lambda e: (e.width, _order(e.cell)))
    return exposures


def _component_ranges(publication: Publication, cells: list[Cell], hidden: set[Cell],
                      ties: _Ties) -> list[Exposure]:
    position = {cell: i for i, cell in enumerate(cells)}
    values = publication.values
    sum_indices = sorted({i for cell in cells for i in ties.sums_of[cell]})
    bound_indices = sorted({i for cell in cells for i in ties.at_most_of[cell]})
    sums = [((total, 1), *((part, -1) for part in parts))
            for total, parts in (publication.sums[i] for i in sum_indices)]
    at_most = [((small, 1), (large, -1)) for small, large in (publication.at_most[i] for i in bound_indices)]
    eq_rows, eq_cols, eq_data, eq_rhs = _linear_rows(sums, hidden, position, values)
    ub_rows, ub_cols, ub_data, ub_rhs = _linear_rows(at_most, hidden, position, values)
    n = len(cells)
    if len(eq_rhs) == 1 and not ub_rhs and all(coefficient == eq_data[0] for coefficient in eq_data):
        return _one_sum_ranges(publication, cells, total=eq_rhs[0] * eq_data[0])
    equalities = (eq_rows, eq_cols, eq_data, eq_rhs)
    bounds = (ub_rows, ub_cols, ub_data, ub_rhs)
    solve = _HighsRanges(n, equalities, bounds) if _HighsRanges.available() else _LinprogRanges(n, equalities, bounds)
    out = []
    for i, cell in enumerate(cells):
        low, high = solve.range_of(i)
        out.append(Exposure(cell=cell, value=values[cell], low=low, high=high))
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


class _LinprogRanges:
    """The smallest and largest value of each variable, by scipy's linprog (two solves each)."""

    def __init__(self, n: int, equalities, bounds):
        self.n = n
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

    def _optimum(self, objective) -> float:
        result = linprog(objective, A_ub=self.a_ub, b_ub=self.b_ub, A_eq=self.a_eq, b_eq=self.b_eq,
                         bounds=[(1, None)] * self.n, method="highs")
        if result.status == 2:      # "infeasible" for relations the data satisfies: presolve's quirk
            result = linprog(objective, A_ub=self.a_ub, b_ub=self.b_ub, A_eq=self.a_eq, b_eq=self.b_eq,
                             bounds=[(1, None)] * self.n, method="highs", options={"presolve": False})
        if result.status == 3:          # unbounded: the count could be as large as anyone likes
            return -math.inf
        if result.status != 0:          # cannot happen for relations that hold in the data
            raise DisclosureError("the published figures contradict each other; nothing was published")
        return float(result.fun)


class _HighsRanges:
    """The same answers as `_LinprogRanges`, from the HiGHS solver that scipy's linprog itself
    uses, driven directly: the model is built once and only the objective changes between
    solves, which makes each solve about thirty times quicker than a fresh linprog call."""

    @staticmethod
    def available() -> bool:
        return _highs_core is not None

    def __init__(self, n: int, equalities, bounds):
        core = _highs_core
        self.n = n
        self.fallback = _LinprogRanges(n, equalities, bounds)
        self.highs = core._Highs()
        self.highs.setOptionValue("output_flag", False)
        infinity = core.kHighsInf
        self.highs.addVars(n, np.ones(n), np.full(n, infinity))
        for (rows, cols, data, rhs), lower_is_rhs in ((equalities, True), (bounds, False)):
            entries = defaultdict(list)
            for row, col, value in zip(rows, cols, data):
                entries[row].append((col, value))
            for row, value in enumerate(rhs):
                columns = np.array([c for c, _ in entries[row]], dtype=np.int32)
                coefficients = np.array([v for _, v in entries[row]], dtype=np.float64)
                lower = float(value) if lower_is_rhs else -infinity
                self.highs.addRow(lower, float(value), len(columns), columns, coefficients)
        self.unbounded = {core.HighsModelStatus.kUnbounded, core.HighsModelStatus.kUnboundedOrInfeasible}
        self.optimal = core.HighsModelStatus.kOptimal
        self.indices = np.arange(n, dtype=np.int32)

    def range_of(self, i: int) -> tuple[float, float]:
        return self._optimum(i, 1.0), -self._optimum(i, -1.0)

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
        return self.fallback._optimum(cost)


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

    def _relations(self, cell: Cell) -> Iterable[tuple[Cell, ...]]:
        for index in self.sums_of[cell]:
            total, parts = self.publication.sums[index]
            yield (total, *parts)
        for index in self.at_most_of[cell]:
            yield self.publication.at_most[index]

    def components(self, hidden: set[Cell]) -> dict[Cell, int]:
        """A number for each hidden cell, shared by hidden cells that one relation ties."""
        parent = {cell: cell for cell in hidden}

        def find(cell):
            while parent[cell] != cell:
                parent[cell] = parent[parent[cell]]
                cell = parent[cell]
            return cell

        for cell in hidden:
            for relation in self._relations(cell):
                for other in relation:
                    if other in hidden:
                        a, b = find(cell), find(other)
                        if a != b:
                            parent[a] = b
        roots: dict[Cell, int] = {}
        return {cell: roots.setdefault(find(cell), len(roots)) for cell in hidden}

    def secondary_for(self, cell: Cell, hidden: set[Cell], *, component_of: dict[Cell, int]) -> Cell | None:
        """The visible count to hide next to protect `cell`: one in a sum with it (another part
        rather than the total, where there is one), else in a sum with any hidden cell tied to
        it, else in a bound on it.

        Which one is never decided by the counts themselves. The usual choice, the smallest, tells
        anyone who knows the method that the hidden count is no larger than every count left
        showing beside it, a bound that can pin both hidden counts down. Here the choice among
        candidates follows a fixed shuffle of the cells' names, the same every time.
        """
        values = self.publication.values
        component = component_of[cell]
        tied = [other for other, c in component_of.items() if c == component]
        for sources, use_bounds in (([cell], False), (tied, False), (tied, True)):
            candidates: dict[Cell, bool] = {}       # candidate -> is it the total over `cell`?
            for source in sources:
                indices = self.at_most_of[source] if use_bounds else self.sums_of[source]
                for index in indices:
                    relation: tuple[Cell, ...]
                    if use_bounds:
                        relation, total = self.publication.at_most[index], None
                    else:
                        total, parts = self.publication.sums[index]
                        relation = (total, *parts)
                    for other in relation:
                        if other in hidden or values[other] <= 0 or other in self.publication.never_secondary:
                            continue
                        over = other == total and source != total
                        candidates[other] = candidates.get(other, True) and over
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
