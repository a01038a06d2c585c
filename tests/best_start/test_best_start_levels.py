"""The Best Start page's results at five come from one protection of every level: the same
tables, cell for cell, as one `outcomes_for_publication` call per level, in one pass."""

from __future__ import annotations

import pandas as pd
import pytest

from data.store import opened
from reach.queries import outcomes as outcomes_module
from reach.queries.best_start import published_outcome_levels
from reach.queries.outcomes import outcomes_for_publication


def test_every_level_equals_its_own_call_and_is_protected_once(demo_db, monkeypatch):
    with opened(demo_db, read_only=True) as con:
        separate = {level: outcomes_for_publication(con, by=level, target_pct=72.5)
                    for level in ("centre", "authority")}
        calls = []
        original = outcomes_module.outcome_counts

        def counted(*args, **kwargs):
            calls.append(kwargs.get("by"))
            return original(*args, **kwargs)

        monkeypatch.setattr("reach.queries.best_start.outcome_counts", counted)
        together = published_outcome_levels(con, target_pct=72.5)
    assert sorted(calls) == ["authority", "centre", "lsoa"]       # each level counted once, not twice
    assert set(together) == {"centre", "authority"}
    for level, table in separate.items():
        pd.testing.assert_frame_equal(together[level], table)
    # the demo's results include hidden counts ("c") and the target given
    assert (together["centre"].astype(str) == "c").to_numpy().any()
    assert set(together["authority"]["target_pct"]) == {72.5}


def test_an_unknown_level_is_refused(demo_db):
    with opened(demo_db, read_only=True) as con, pytest.raises(ValueError, match="region"):
        published_outcome_levels(con, levels=("region",))
