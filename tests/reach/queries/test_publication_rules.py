"""Both disclosure rules, checked by the attacker of test_publication on random authorities.

Under the NHS rule the shown counts are rounded, which only leaves an attacker less to go on. The
attacker here is given more than anyone is: every count that is shown, exactly as it really is.
No hidden count may still be narrowed below the rule's range, at any level (LSOA, centre,
authority, target groups, months of birth), and no percentage may sit beside a hidden part.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reach.domain.suppression import COUNT_COLUMNS, NHS, PERCENTAGES, RULES, STANDARD
from reach.queries.publication import check, protect_tables
from tests.reach.authorities import AS_AT, random_authority
from tests.reach.queries.test_publication import assert_percentages_go_with_their_counts, attack

MARKER = "c"
LEVELS = ("lsoa", "centre", "authority")


def _shown(value) -> bool:
    return not (isinstance(value, str) or value is None or pd.isna(value))


def exactly_known(figures):
    """The figures as an attacker who somehow knew every shown count exactly would hold them."""
    tables = {}
    for name, table in figures.tables.items():
        raw, out = figures.raw[name], table.copy()
        for column in [c for c in ("children_under5", "known_children", "sustained_contact", *COUNT_COLUMNS)
                       if c in out.columns]:
            out[column] = [true if _shown(shown) else shown for shown, true in zip(out[column], raw[column])]
        tables[name] = out
    return type(figures)(as_at=figures.as_at, rule=figures.rule, tables=tables, raw=figures.raw,
                         protection=figures.protection)


@pytest.mark.parametrize("rule", [STANDARD, NHS], ids=lambda r: r.name)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), centres=st.integers(1, 4), most_lsoas=st.integers(1, 5),
       scale=st.sampled_from([3, 8, 15, 40]))
def test_no_hidden_count_can_be_recovered_under_either_rule(rule, seed, centres, most_lsoas, scale):
    reports, flags, months = random_authority(seed, centres=centres, most_lsoas=most_lsoas, scale=scale)
    figures = protect_tables(reports, flags=flags, months=months, as_at=AS_AT, rule=rule)
    ranges = attack(exactly_known(figures))
    for name, (low, high) in ranges.items():
        assert high - low >= rule.protection_width - 1e-6, (name, low, high)
    # Every small count is among the hidden ones, at every level.
    for level in LEVELS:
        for column in [c for c in COUNT_COLUMNS if c in figures.raw[level].columns]:
            for true, shown in zip(figures.raw[level][column], figures.tables[level][column]):
                if 0 < true < rule.smallest_shown:
                    assert shown == MARKER, (level, column, true, shown)
    assert_percentages_go_with_their_counts(figures)
    assert check(figures) == []


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), scale=st.sampled_from([8, 15, 40]))
def test_nhs_counts_are_rounded_to_5_and_percentages_worked_out_from_them(seed, scale):
    reports, flags, months = random_authority(seed, centres=3, most_lsoas=4, scale=scale)
    figures = protect_tables(reports, flags=flags, months=months, as_at=AS_AT, rule=NHS)
    checked = 0
    for level in LEVELS:
        table, raw = figures.tables[level], figures.raw[level]
        for column in [c for c in COUNT_COLUMNS if c in table.columns]:
            for true, shown in zip(raw[column], table[column]):
                if _shown(shown):
                    assert shown % 5 == 0 and abs(shown - true) <= 2, (level, column, true, shown)
                    assert shown == 0 or true >= 8
                    checked += 1
        for pct, (numerator, denominator) in PERCENTAGES.items():
            for shown, top, bottom, true_bottom in zip(table[pct], table[numerator], table[denominator],
                                                       raw[denominator]):
                if _shown(shown):
                    # worked out from the rounded counts, never from the true ones
                    assert math.isclose(shown, 100 * top / bottom), (level, pct, shown, top, bottom)
                    assert true_bottom >= NHS.smallest_denominator_for_pct
    groups = figures.tables["target_groups"]
    for shown in groups["share_of_known_pct"]:
        assert not _shown(shown) or shown == pytest.approx(round(shown, 12))
    assert checked > 0


def test_the_rules_are_stated_in_words():
    assert set(RULES) == {"standard", "nhs"}
    assert "1 to 4" in STANDARD.describe() and "rounded" not in STANDARD.describe()
    words = NHS.describe()
    assert "1 to 7" in words and "nearest 5" in words and "worked out from the rounded counts" in words


def test_rounding_to_the_nearest_5():
    assert [NHS.rounded(v) for v in (0, 8, 9, 10, 12, 13, 17, 18, 1234)] == [0, 10, 10, 10, 10, 15, 15, 20, 1235]
    assert STANDARD.rounded(13) == 13
