"""The children's spells kept in the store by the step after an import (`trend.keep_spells`):
a trend read from them, for any dates, is exactly the trend worked out afresh; they are read
only for the data they were worked out from."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from data.store import opened
from reach.domain.months import month_ends
from reach.queries import trend
from reach.queries.figures_store import store_opening_figures
from reach.queries.report import reach_trends
from reach.queries.stamps import figures_stamp

AS_AT = date(2026, 9, 30)


def _trends(db, dates, *, afresh: bool, monkeypatch) -> dict[str, pd.DataFrame]:
    with monkeypatch.context() as patch:
        if afresh:
            patch.setattr(trend, "_stored_spells", lambda *args, **kwargs: None)
        with opened(db, read_only=True) as con:
            return reach_trends(con, dates=dates)


@pytest.fixture
def kept(demo_db):
    store_opening_figures(demo_db)
    with opened(demo_db, read_only=True) as con:
        assert trend.spells_kept(con, stamp=figures_stamp(con))
        assert con.execute(f"SELECT count(*) FROM {trend.SPELLS_TABLE}").fetchone()[0] > 1000
    return demo_db


@pytest.mark.parametrize("dates", [
    month_ends(until=AS_AT, months=36),
    month_ends(until=AS_AT, months=120),
    [date(2024, 2, 29), date(2024, 3, 1), date(2025, 7, 15), AS_AT],       # odd days, a leap day
    [date(2019, 1, 31)],                                                   # before most of the data
])
def test_a_trend_from_the_kept_spells_is_the_trend_worked_out_afresh(kept, dates, monkeypatch):
    read = _trends(kept, dates, afresh=False, monkeypatch=monkeypatch)
    afresh = _trends(kept, dates, afresh=True, monkeypatch=monkeypatch)
    for level in ("lsoa", "centre", "authority"):
        pd.testing.assert_frame_equal(read[level], afresh[level])
    assert read["authority"]["known_children"].iloc[-1] > 0 or dates == [date(2019, 1, 31)]


def test_kept_spells_are_read_for_their_own_data_only(kept, monkeypatch):
    dates = month_ends(until=AS_AT, months=12)
    right = _trends(kept, dates, afresh=True, monkeypatch=monkeypatch)["authority"]
    # Spoiled by hand (the known children's spells gone): read while the data is the same...
    with opened(kept) as con:
        con.execute(f"DELETE FROM {trend.SPELLS_TABLE} WHERE kind = 0")
    spoiled = _trends(kept, dates, afresh=False, monkeypatch=monkeypatch)["authority"]
    assert (spoiled["known_children"] == 0).all() and (right["known_children"] > 0).all()
    # ...and passed over once the data changes (here, one more import in the log).
    with opened(kept) as con:
        con.execute("INSERT INTO import_log (import_id, kind, file_name, file_sha256, started_at, finished_at, "
                    "status) VALUES (999, 'contacts', 'more.csv', ?, ?, ?, 'loaded')",
                    ["1" * 64, datetime(2026, 10, 1, 9), datetime(2026, 10, 1, 9, 1)])
    with opened(kept, read_only=True) as con:
        assert not trend.spells_kept(con, stamp=figures_stamp(con))
    after = _trends(kept, dates, afresh=False, monkeypatch=monkeypatch)["authority"]
    pd.testing.assert_frame_equal(after, right)


def test_storing_again_keeps_the_spells_again_and_a_store_without_them_works_them_out(demo_db, monkeypatch):
    dates = month_ends(until=AS_AT, months=6)
    before = _trends(demo_db, dates, afresh=False, monkeypatch=monkeypatch)     # nothing kept yet
    with opened(demo_db, read_only=True) as con:
        assert not trend.spells_kept(con, stamp=figures_stamp(con))
    store_opening_figures(demo_db)
    store_opening_figures(demo_db, again=True)
    with opened(demo_db, read_only=True) as con:
        assert trend.spells_kept(con, stamp=figures_stamp(con))
        assert con.execute(f"SELECT count(DISTINCT stamp) FROM {trend.SPELLS_TABLE}").fetchone()[0] == 1
    pd.testing.assert_frame_equal(_trends(demo_db, dates, afresh=False, monkeypatch=monkeypatch)["centre"],
                                  before["centre"])


def test_a_table_of_that_name_that_is_not_ours_is_passed_over_and_replaced(demo_db, monkeypatch):
    dates = month_ends(until=AS_AT, months=6)
    right = _trends(demo_db, dates, afresh=True, monkeypatch=monkeypatch)
    with opened(demo_db) as con:
        con.execute(f"CREATE TABLE {trend.SPELLS_TABLE} (something_else INTEGER)")
        con.execute(f"INSERT INTO {trend.SPELLS_TABLE} VALUES (1)")
    read = _trends(demo_db, dates, afresh=False, monkeypatch=monkeypatch)
    for level in ("lsoa", "centre", "authority"):
        pd.testing.assert_frame_equal(read[level], right[level])
    store_opening_figures(demo_db)                      # the step after an import puts the spells in its place
    with opened(demo_db, read_only=True) as con:
        assert trend.spells_kept(con, stamp=figures_stamp(con))
