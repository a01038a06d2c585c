"""Wilson intervals, funnel limits and better / similar / worse, against published values."""

import math

import numpy as np
import pytest

from reach.domain.stats import (COMPARISON_WORDS, Z_95, Z_998, compare_with, comparisons, funnel_limits,
                                limits_passed, limits_reached, wilson_interval)


def test_the_z_values_are_the_two_sided_normal_quantiles():
    standard_normal = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))
    assert standard_normal(Z_95) == pytest.approx(0.975, abs=1e-12)
    assert standard_normal(Z_998) == pytest.approx(0.999, abs=1e-12)


def test_wilson_interval_of_a_half():
    # 50 of 100: the textbook Wilson interval is 40.38% to 59.62%
    interval = wilson_interval(50, 100)
    assert interval.lower == pytest.approx(40.3832, abs=1e-4)
    assert interval.upper == pytest.approx(59.6168, abs=1e-4)


def test_wilson_interval_at_the_edges_stays_inside_0_to_100():
    none_known = wilson_interval(0, 10)
    assert none_known.lower == 0.0
    assert none_known.upper == pytest.approx(100 * Z_95**2 / (10 + Z_95**2))    # 27.75%
    all_known = wilson_interval(10, 10)
    assert all_known.lower == pytest.approx(100 * 10 / (10 + Z_95**2))          # 72.25%
    assert all_known.upper == pytest.approx(100.0)


def test_wilson_interval_above_100_percent_is_worked_out_as_100():
    assert wilson_interval(12, 10) == wilson_interval(10, 10)


def test_wilson_interval_narrows_as_the_centre_grows():
    small, large = wilson_interval(80, 100), wilson_interval(800, 1000)
    assert (small.upper - small.lower) > 3 * (large.upper - large.lower)


def test_wilson_interval_needs_children():
    with pytest.raises(ValueError, match="at least one child"):
        wilson_interval(0, 0)


def test_funnel_limits_are_the_wilson_interval_of_the_benchmark():
    lower, upper = funnel_limits(80.0, [100, 1000], z=Z_95)
    assert lower[0] == pytest.approx(wilson_interval(80, 100).lower)
    assert upper[0] == pytest.approx(wilson_interval(80, 100).upper)
    assert (lower[0], upper[0]) == pytest.approx((71.117, 86.663), abs=1e-3)
    assert lower[1] == pytest.approx(wilson_interval(800, 1000).lower)


def test_funnel_limits_close_in_on_the_benchmark_and_the_998_limits_are_wider():
    sizes = np.array([10, 100, 1_000, 10_000_000])
    lower95, upper95 = funnel_limits(80.0, sizes, z=Z_95)
    lower998, upper998 = funnel_limits(80.0, sizes, z=Z_998)
    assert np.all(np.diff(upper95) < 0) and np.all(np.diff(lower95) > 0)
    assert upper95[-1] == pytest.approx(80.0, abs=0.05) and lower95[-1] == pytest.approx(80.0, abs=0.05)
    assert np.all(upper998 > upper95) and np.all(lower998 < lower95)


def test_compare_with_the_authority():
    assert compare_with(90, 100, benchmark_pct=80) == "better"     # above 86.7%
    assert compare_with(85, 100, benchmark_pct=80) == "similar"
    assert compare_with(70, 100, benchmark_pct=80) == "worse"      # below 71.1%
    assert compare_with(0, 0, benchmark_pct=80) == "no figure"


def test_a_small_centre_needs_a_bigger_difference_to_stand_out():
    assert compare_with(9, 10, benchmark_pct=80) == "similar"      # 90% of 10 children
    assert compare_with(900, 1000, benchmark_pct=80) == "better"   # 90% of 1,000


def test_the_998_limits_are_stricter():
    assert compare_with(88, 100, benchmark_pct=80) == "better"
    assert compare_with(88, 100, benchmark_pct=80, z=Z_998) == "similar"


def test_every_comparison_has_words():
    assert set(COMPARISON_WORDS) == {"better", "similar", "worse", "flagged", "no figure"}
    assert all(words and words[0].isupper() for words in COMPARISON_WORDS.values())


def test_limits_passed_tells_the_998_limits_from_the_95():
    assert limits_passed(900, 1000, benchmark_pct=80) == "99.8"     # 90% of 1,000
    assert limits_passed(88, 100, benchmark_pct=80) == "95"         # beyond 95%, within 99.8% (see above)
    assert limits_passed(84, 100, benchmark_pct=80) == "within"
    assert limits_passed(0, 0, benchmark_pct=80) is None
    assert limits_passed(5, 10, benchmark_pct=float("nan")) is None


def test_with_no_benchmark_there_is_no_comparison():
    assert compare_with(5, 10, benchmark_pct=float("nan")) == "no figure"


def _one_centre(known: float, size: float, *, benchmark: float, z: float) -> str:
    """The comparison of one centre, written out from the Wilson limits of the benchmark."""
    if size <= 0 or not math.isfinite(benchmark):
        return "no figure"
    p, z2 = benchmark / 100, z * z
    centre = (p + z2 / (2 * size)) / (1 + z2 / size)
    half = (z / (1 + z2 / size)) * math.sqrt(p * (1 - p) / size + z2 / (4 * size * size))
    reach = 100 * known / size
    if reach > 100 * min(centre + half, 1):
        return "better"
    return "worse" if reach < 100 * max(centre - half, 0) else "similar"


def test_every_centre_compared_at_once_is_each_centre_compared_alone():
    """A funnel of thousands of centres is compared in one go: the same answer as centre by
    centre, at both limits, for no children, a missing size and no benchmark."""
    rng = np.random.default_rng(7)
    sizes = rng.integers(0, 500, 2_000).astype(float)
    sizes[::97] = np.nan
    sizes[5::211] = 0
    known = np.floor(np.nan_to_num(sizes) * rng.uniform(0.4, 1.15, sizes.size))
    for benchmark in (81.3, 50.0, float("nan")):
        for z in (Z_95, Z_998):
            # A size not known is compared, and nothing is beyond a limit worked out from it.
            expected = [_one_centre(k, n, benchmark=benchmark, z=z)
                        if not math.isnan(n) or math.isnan(benchmark) else "similar" for k, n in zip(known, sizes)]
            assert list(comparisons(known, sizes, benchmark_pct=benchmark, z=z)) == expected
        reached = limits_reached(known, sizes, benchmark_pct=benchmark)
        assert list(reached) == [limits_passed(k, n, benchmark_pct=benchmark) for k, n in zip(known, sizes)]
    counted = dict(zip(*np.unique(comparisons(known, sizes, benchmark_pct=81.3).astype(str), return_counts=True)))
    assert set(counted) == {"better", "similar", "worse", "no figure"}      # every answer is exercised
