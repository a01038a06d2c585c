"""Fair comparison: Wilson intervals, funnel-plot limits, and better / similar / worse.

Reach is a proportion (known / under five). Small centres swing more by chance than large ones,
so a commissioner compares each centre with the authority's figure using limits that widen as
the number of children falls: the same method as Fingertips and LG Inform.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

Z_95 = 1.959963984540054      # two-sided 95%
Z_998 = 3.090232306167813     # two-sided 99.8%


@dataclass(frozen=True)
class Interval:
    lower: float   # percent
    upper: float   # percent


def wilson_interval(known: float, under_five: float, *, z: float = Z_95) -> Interval:
    """Wilson score interval for known / under five, in percent.

    Reach may exceed 100% when the population estimate is too low; the interval is then worked
    out on a proportion capped at 1, so it stays meaningful (and reaches 100%).
    """
    if under_five <= 0:
        raise ValueError("A confidence interval needs at least one child under five.")
    n = float(under_five)
    p = min(max(known / n, 0.0), 1.0)
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = (z / (1 + z2 / n)) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return Interval(100 * max(0.0, centre - half), 100 * min(1.0, centre + half))


def interval_for(known: float, under_five: float) -> Interval | None:
    """The Wilson 95% interval of known / under five; None when there are no children under
    five to work one out from (a chart then draws the figure without whiskers)."""
    return wilson_interval(known, under_five) if under_five and under_five > 0 else None


def funnel_limits(target_pct: float, sizes, *, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Control limits around `target_pct` for each number of children in `sizes`.

    Wilson limits with the authority's proportion as the centre: for a centre of n children,
    the range its reach would fall in by chance alone if its true reach were the authority's.
    """
    n = np.asarray(sizes, dtype=float)
    p = min(max(target_pct / 100.0, 0.0), 1.0)
    z2 = z * z
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        half = (z / (1 + z2 / n)) * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return 100 * np.clip(centre - half, 0, 1), 100 * np.clip(centre + half, 0, 1)


COMPARISON_WORDS = {
    "better": "Higher than the authority (beyond the 95% limits)",
    "similar": "Similar to the authority (within the 95% limits)",
    "worse": "Lower than the authority (beyond the 95% limits)",
    "flagged": "Not compared: population estimate flagged",
    "no figure": "No figure: no children recorded to count it from",
}

# How far outside the funnel a centre lies: beyond the 99.8% limits a difference is very
# unlikely to be chance (about 1 centre in 500 like the authority would land there); between the
# 95% and the 99.8% limits it is worth a look (1 in 20 would land beyond 95% by chance alone).
LIMIT_WORDS = {
    "99.8": "Beyond the 99.8% limits",
    "95": "Beyond the 95% limits only",
    "within": "Within the 95% limits",
}


def comparisons(known, sizes, *, benchmark_pct: float, z: float = Z_95) -> np.ndarray:
    """For each centre, 'better', 'similar' or 'worse' than the benchmark by the funnel limits at
    its size, or 'no figure' (no children, or no benchmark): worked out for every centre at once,
    as a funnel of 3,000 centres is redrawn on each change of the page."""
    known = np.asarray(known, dtype=float)
    n = np.asarray(sizes, dtype=float)
    result = np.full(n.shape, "no figure", dtype=object)
    if not math.isfinite(benchmark_pct):
        return result
    # No children (or fewer) is no figure; a size not known (NaN) is compared, and comes out similar.
    placed = ~(n <= 0)
    lower, upper = funnel_limits(benchmark_pct, n[placed], z=z)
    reach = 100.0 * known[placed] / n[placed]
    result[placed] = np.where(reach > upper, "better", np.where(reach < lower, "worse", "similar"))
    return result


def compare_with(known: float, under_five: float, *, benchmark_pct: float, z: float = Z_95) -> str:
    """'better', 'similar' or 'worse' than the benchmark, by the funnel limits at this size."""
    return str(comparisons([known], [under_five], benchmark_pct=benchmark_pct, z=z)[0])


def limits_reached(known, sizes, *, benchmark_pct: float) -> np.ndarray:
    """For each centre, the funnel limits it lies beyond: '99.8', '95' (beyond the 95% limits but
    within the 99.8%) or 'within'; None where there is no figure (or no benchmark) to place."""
    at_998 = comparisons(known, sizes, benchmark_pct=benchmark_pct, z=Z_998)
    at_95 = comparisons(known, sizes, benchmark_pct=benchmark_pct, z=Z_95)
    result = np.where(at_998 != "similar", "99.8", np.where(at_95 != "similar", "95", "within")).astype(object)
    result[at_95 == "no figure"] = None       # what has no figure `comparisons` alone says
    return result


def limits_passed(known: float, under_five: float, *, benchmark_pct: float) -> str | None:
    """Which funnel limits a centre lies beyond: '99.8', '95' (beyond the 95% limits but within
    the 99.8%) or 'within'; None when there is no figure (or no benchmark) to place."""
    return limits_reached([known], [under_five], benchmark_pct=benchmark_pct)[0]
