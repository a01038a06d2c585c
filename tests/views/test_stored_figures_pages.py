"""Pages open on the figures stored after an import (reach.queries.figures_store), and the cached
figures are kept across writes that change no figure, but not across an import."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import reach.queries.report as report_module
from data.audit import record_in
from data.store import opened
from reach.queries.figures_store import call_key, is_stored, opening_calls, store_opening_figures
from tests.views.command_line import import_new_registrations
from views import common

PROJECT = Path(__file__).resolve().parents[2]
PAGES = ["views/overview.py", "views/my_centre.py", "views/compare.py", "views/best_start.py", "views/map.py",
         "views/whatif.py", "views/data.py"]


@pytest.fixture
def computations(monkeypatch):
    """How many times the report's measures (report or trend) were worked out."""
    count = {"n": 0}
    original = report_module._compute

    def counted(*args, **kwargs):
        count["n"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(report_module, "_compute", counted)
    return count


def _known(at) -> int:
    metric = next(m for m in at.metric if m.label == "Known children")
    return int(metric.value.replace(",", ""))


def test_every_page_opens_on_the_stored_figures(demo_db, monkeypatch, computations):
    """Each page opened afresh (every cache emptied) after the figures are stored asks for none of
    the opening figures with arguments that were not stored, and never works out the report or
    the trend. A page that changes what it asks for when it opens fails here until
    `opening_calls` asks the same."""
    import streamlit as st

    monkeypatch.setenv("REACH_DB", str(demo_db))
    stored = store_opening_figures(demo_db)
    with opened(demo_db, read_only=True) as con:
        opening = {call_key(function, (), kwargs).split("(")[0] for function, kwargs in opening_calls(
            con, today=stored.as_at)} | {"reach.queries.calibration.under_two_projection"}
    computations["n"] = 0                  # storing worked them out; the pages must not
    missed: list[str] = []
    original = common.stored_or_computed

    def watched(con, db, function, *args, **kwargs):
        if not is_stored(con, db, function, *args, **kwargs):
            missed.append(call_key(function, args, kwargs))
        return original(con, db, function, *args, **kwargs)

    monkeypatch.setattr(common, "stored_or_computed", watched)
    for page in PAGES:
        st.cache_data.clear()
        at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=60)
        at.run()
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
    assert [call for call in missed if call.split("(")[0] in opening] == []
    assert computations["n"] == 0


def test_a_sign_in_row_keeps_every_cached_figure(app, demo_db, computations):
    before = _known(app)
    record_in(demo_db, actor="someone@example.org", role="data officer", action="sign-in")
    app.run()
    assert not app.exception
    assert _known(app) == before
    assert computations["n"] == 0          # the file changed, the figures did not: nothing worked out again


def test_a_command_line_import_shows_at_once_from_the_figures_it_stored(app, demo_db, tmp_path, computations):
    before = _known(app)
    result = import_new_registrations(demo_db, tmp_path, prefix="stored-new-child", count=4)
    assert result.returncode == 0, result.stderr
    assert "opening figures as at 30 September 2026 are stored" in result.stderr
    app.run()
    assert not app.exception
    assert _known(app) == before + 4
    assert computations["n"] == 0          # read from the figures the import stored, not worked out


def test_the_audit_trail_shows_a_new_row_at_once(app, demo_db):
    """The figures are kept across an audit row, but the audit trail itself is read again."""
    app.switch_page("views/data.py").run()
    assert not app.exception
    record_in(demo_db, actor="newly-signed-in@example.org", role="data officer", action="sign-in")
    app.run()
    assert not app.exception
    shown = " ".join(frame.value.astype(str).to_csv() for frame in app.dataframe)
    assert "newly-signed-in@example.org" in shown


def test_saving_a_new_target_stores_the_figure_at_five_for_it_and_keeps_the_rest(app, demo_db, computations):
    """A new target on the Data page changes one opening figure (the results at five against it):
    that one is stored at once, and every other stored figure is still read, not worked out."""
    from datetime import date

    from reach.queries.best_start import published_outcome_levels
    from reach.queries.stamps import figures_stamp

    store_opening_figures(demo_db)
    with opened(demo_db, read_only=True) as con:
        stamp = figures_stamp(con)
    app.switch_page("views/data.py").run()
    assert not app.exception
    app.number_input(key="settings_gld_target").set_value(81.5)
    next(button for button in app.button if button.label == "Save settings").click().run()
    assert not app.exception
    with opened(demo_db, read_only=True) as con:
        assert figures_stamp(con) == stamp
        assert is_stored(con, demo_db, published_outcome_levels, levels=("centre", "authority"), year=None,
                         target_pct=81.5)
        stored_calls = {row[0] for row in con.execute("SELECT call FROM stored_figures").fetchall()}
        assert {call_key(f, (), kw) for f, kw in opening_calls(con, today=date.today())} <= stored_calls
    computations["n"] = 0                  # (opening_calls worked out the report to name the calls)
    app.switch_page("views/overview.py").run()
    assert not app.exception
    assert computations["n"] == 0          # the report and the trend are still read from the store


def test_the_sidebar_says_when_the_figures_are_still_being_stored(demo_db, monkeypatch):
    """While a background process stores the figures after a large import, every page says why
    it may be slow; once it has gone, nothing is said."""
    import subprocess
    import sys

    from data import figures_worker

    monkeypatch.setenv("REACH_DB", str(demo_db))
    said = "The figures after the latest import are still being stored"
    stand_in = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "reach",
                                 figures_worker.WORKER_FLAG])      # looks like a worker to Reach
    try:
        figures_worker._started(stand_in.pid)
        figures_worker._write_number(figures_worker.worker_file(demo_db), stand_in.pid)
        at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=60)
        at.run()
        assert not at.exception, at.exception
        assert any(said in caption.value for caption in at.sidebar.caption)
    finally:
        stand_in.kill()
        stand_in.wait()
    at.run()
    assert not any(said in caption.value for caption in at.sidebar.caption)
