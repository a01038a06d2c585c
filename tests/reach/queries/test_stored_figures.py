"""The figures stored after an import (reach.queries.figures_store): what they are keyed by, that
they are read only for the same data and settings, that a row changed by hand is never read, and
that storing them never makes an import fail."""

import functools
import os
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from data.audit import record_in
from data.export_log import ExportRecord, record_export
from data.importers import remove_import
from data.settings import save_settings
from data.store import connect, opened, upgrade_store
from reach.domain.measures import Bands, ReportOptions
from reach.queries import figures_store, trend
from reach.queries.figures_store import (TABLE, StoringInterrupted, call_key, is_stored, opening_calls,
                                         standard_options, store_figures_after, store_opening_figures,
                                         stored_or_computed)
from reach.queries.stamps import data_stamp, figures_stamp
from reach.queries.report import reach_reports
from tests.reach.rows import A1, A2, B1, insert_rows, two_centres

PROJECT = Path(__file__).resolve().parents[3]
AS_AT = date(2026, 3, 31)          # the last day the registrations below cover
TODAY = date(2026, 6, 1)


@pytest.fixture
def small_store(empty_store):
    """Riverside (C1: A1 and A2, 10 + 10 under-fives) and Hilltop (C2: B1, 5 under-fives); four
    children registered, one of them over five on AS_AT, and one import in the log."""
    con = connect(empty_store)
    two_centres(con, {A1: 10, A2: 10, B1: 5})
    reg = lambda child, dob, lsoa, centre, on: dict(child_key=child, dob=date.fromisoformat(dob), lsoa_code=lsoa,
                                                    centre_id=centre, registered_on=date.fromisoformat(on),
                                                    import_id=1)
    insert_rows(con, "registrations", [
        reg("k1", "2023-01-01", A1, "C1", "2023-02-01"),
        reg("k2", "2024-05-05", A2, "C1", "2024-06-01"),
        reg("k3", "2020-01-01", A1, "C1", "2021-01-01"),      # five on 1 January 2025: not counted
        reg("k4", "2025-01-01", B1, "C2", "2026-03-31"),
    ])
    insert_rows(con, "import_log", [dict(import_id=1, kind="registrations", file_name="registrations.csv",
                                         file_sha256="0" * 64, started_at=datetime(2026, 4, 1, 9),
                                         finished_at=datetime(2026, 4, 1, 9, 1), status="loaded")])
    con.close()
    return empty_store


def _impostor(function):
    """A stand-in with the name and signature of `function` that fails if called: a figure read
    through it was read from the store, not worked out."""
    @functools.wraps(function)
    def impostor(con, *args, **kwargs):
        raise AssertionError(f"{function.__name__} was worked out, not read from the store")
    return impostor


def test_the_stored_report_holds_the_figures_the_pages_open_on(small_store):
    stored = store_opening_figures(small_store, today=TODAY)
    assert stored.as_at == AS_AT
    with opened(small_store, read_only=True) as con:
        reports = stored_or_computed(con, small_store, _impostor(reach_reports), as_at=AS_AT,
                                     options=standard_options())
    # Worked by hand: known on 31 March 2026 are k1 and k2 at Riverside (k3 is over five) and k4 at
    # Hilltop; under-fives 20 and 5.
    centres = reports["centre"].set_index("centre_id")
    assert centres.loc["C1", "known_children"] == 2
    assert centres.loc["C1", "reach_pct"] == pytest.approx(100 * 2 / 20)
    assert centres.loc["C2", "known_children"] == 1
    authority = reports["authority"].iloc[0]
    assert authority["known_children"] == 3
    assert authority["reach_pct"] == pytest.approx(100 * 3 / 25)


def test_the_stored_trend_ends_on_the_opening_date_and_has_36_months(small_store):
    store_opening_figures(small_store, today=TODAY)
    with opened(small_store, read_only=True) as con:
        trends = stored_or_computed(con, small_store, _impostor(figures_store.dashboard_trends), until=AS_AT,
                                    months=36, options=standard_options())
    assert set(trends) == {"centre", "authority"}      # no page draws the LSOAs' trend
    authority = trends["authority"]
    assert len(authority) == 36
    assert authority["as_at"].max() == AS_AT
    # A year earlier (31 March 2025): k1 and k2 are known, k3 is five, k4 not yet registered.
    year_before = authority[authority["as_at"] == date(2025, 3, 31)].iloc[0]
    assert year_before["known_children"] == 2


def test_other_dates_and_other_thresholds_are_worked_out_not_read(small_store):
    store_opening_figures(small_store, today=TODAY)
    other_bands = ReportOptions(bands=Bands(outstanding=90.0, good=65.0, requires_improvement=51.0))
    with opened(small_store, read_only=True) as con:
        assert is_stored(con, small_store, reach_reports, as_at=AS_AT, options=standard_options())
        assert not is_stored(con, small_store, reach_reports, as_at=date(2026, 2, 28), options=standard_options())
        assert not is_stored(con, small_store, reach_reports, as_at=AS_AT, options=other_bands)
        worked_out = stored_or_computed(con, small_store, reach_reports, as_at=AS_AT, options=other_bands)
    assert worked_out["authority"].iloc[0]["known_children"] == 3


def test_a_default_spelled_out_is_the_same_call_and_a_value_that_only_equals_it_is_not():
    def figure(con, *, as_at, options=ReportOptions(), strict=False, weight=1):
        return as_at

    day = date(2026, 3, 31)
    plain = call_key(figure, (), dict(as_at=day))
    assert call_key(figure, (), dict(as_at=day, options=ReportOptions(), strict=False, weight=1)) == plain
    assert plain.endswith(f"figure(as_at={day!r})")
    assert call_key(figure, (), dict(as_at=day, strict=True)) != plain
    assert call_key(figure, (), dict(as_at=day, options=ReportOptions(bands=Bands(outstanding=90.0)))) != plain
    # Equal to the default but not the same kind of value: kept, so 0 is never taken for False.
    assert call_key(figure, (), dict(as_at=day, strict=0)) == f"{plain[:-1]}, strict=0)"
    assert call_key(figure, (), dict(as_at=day, weight=True)) != plain


def test_the_stamp_changes_with_imports_undos_and_settings_but_not_with_audit_rows(demo_db, tmp_path):
    def stamp():
        with opened(demo_db, read_only=True) as con:
            return data_stamp(con)

    first = stamp()
    record_in(demo_db, actor="someone@example.org", role="data officer", action="sign-in")
    with opened(demo_db) as con:
        record_export(con, ExportRecord(kind="contactable worklist", centre_id="DEMO01", as_at=date(2026, 9, 30),
                                        rows_written=3, rows_matched=3, source_file="x.csv", out_file="y.csv"))
    store_opening_figures(demo_db)
    assert stamp() == first            # a sign-in, an export and the stored figures change no figure

    registrations = tmp_path / "registrations.csv"
    registrations.write_text("child_key,dob,lsoa_code,centre_id,registered_on\n"
                             "stamp-child,2025-01-01,E01900001,DEMO01,2026-09-01\n")
    from data.importers import import_file
    summary = import_file("registrations", registrations, db=demo_db)
    after_import = stamp()
    assert after_import != first
    remove_import(summary.import_id, db=demo_db)
    after_undo = stamp()
    assert after_undo not in (first, after_import)
    save_settings(demo_db, site_word="hubs")
    assert stamp() not in (first, after_import, after_undo)


def test_a_row_changed_without_the_key_is_never_read(small_store):
    store_opening_figures(small_store, today=TODAY)
    import pickle
    call = call_key(reach_reports, (), dict(as_at=AS_AT, options=standard_options()))
    with opened(small_store) as con:
        con.execute(f"UPDATE {TABLE} SET payload = ? WHERE call = ?", [pickle.dumps({"planted": True}), call])
    with opened(small_store, read_only=True) as con:
        assert not is_stored(con, small_store, reach_reports, as_at=AS_AT, options=standard_options())
        reports = stored_or_computed(con, small_store, reach_reports, as_at=AS_AT, options=standard_options())
    assert reports["authority"].iloc[0]["known_children"] == 3


def test_figures_stored_under_another_key_are_not_read(small_store, monkeypatch):
    store_opening_figures(small_store, today=TODAY)
    monkeypatch.setenv("REACH_SECRET", "another-secret-not-for-real-data-9876543210")
    with opened(small_store, read_only=True) as con:
        assert not is_stored(con, small_store, reach_reports, as_at=AS_AT, options=standard_options())


def test_storing_again_works_out_only_what_is_missing_and_the_schema_checks_pass_over_the_table(small_store):
    first = store_opening_figures(small_store, today=TODAY)
    assert first.figures >= 2 and first.already == 0
    second = store_opening_figures(small_store, today=TODAY)
    assert (second.figures, second.already) == (0, first.figures)
    assert second.line() == "The dashboard's opening figures as at 31 March 2026 were already stored."
    again = store_opening_figures(small_store, today=TODAY, again=True)
    assert (again.figures, again.already) == (first.figures, 0)
    with opened(small_store, read_only=True) as con:
        rows = con.execute(f"SELECT count(*), count(DISTINCT stamp) FROM {TABLE}").fetchone()
    assert rows == (first.figures, 1)
    assert upgrade_store(small_store) is not None      # an upgrade leaves the store as it is


def test_a_failure_to_store_is_one_line_and_never_raises(small_store, monkeypatch):
    monkeypatch.setenv("REACH_SECRET", "short")
    stored, line = store_figures_after(small_store, today=TODAY)
    assert not stored
    assert "\n" not in line
    assert line.startswith("The dashboard's opening figures could not be stored (")
    assert line.endswith("each page works them out when first opened.")


def _import(db, path, *extra, env=None):
    return subprocess.run([sys.executable, "-m", "reach", "import", "registrations", str(path), "--db", str(db),
                           *extra], cwd=PROJECT, env=env or dict(os.environ), capture_output=True, text=True,
                          timeout=180)


def _stored_stamps(db) -> set:
    with opened(db, read_only=True) as con:
        return {row[0] for row in con.execute(f"SELECT DISTINCT stamp FROM {TABLE}").fetchall()}


def test_an_import_from_the_command_line_stores_the_figures_unless_told_not_to(small_store, tmp_path):
    new = tmp_path / "registrations.csv"
    new.write_text("child_key,dob,lsoa_code,centre_id,registered_on\nk5,2025-06-01,E01000003,C2,2026-03-01\n")
    result = _import(small_store, new, "--no-figures")
    assert result.returncode == 0, result.stderr
    assert "Now storing" not in result.stderr
    with opened(small_store, read_only=True) as con:
        assert not figures_store._has_table(con)

    again = tmp_path / "more_registrations.csv"
    again.write_text("child_key,dob,lsoa_code,centre_id,registered_on\nk6,2025-06-01,E01000003,C2,2026-03-02\n")
    result = _import(small_store, again)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1                      # stdout stays the one summary line
    # The import's own time is said before the figures are worked out, and how to leave them.
    said = re.search(r"Imported in [\d,]+\.\d s\. Now storing the figures the dashboard opens on "
                     r"\(--no-figures leaves them to `python -m reach figures`", result.stderr)
    assert said is not None, result.stderr
    assert result.stderr.index("Imported in") < result.stderr.index("opening figures as at")
    with opened(small_store, read_only=True) as con:
        assert _stored_stamps(small_store) == {figures_stamp(con)}     # the older data's rows are gone


def test_an_import_stays_in_when_the_figures_cannot_be_stored(small_store, tmp_path, monkeypatch):
    new = tmp_path / "registrations.csv"
    new.write_text("child_key,dob,lsoa_code,centre_id,registered_on\nk5,2025-06-01,E01000003,C2,2026-03-01\n")
    # The stored figures' table is taken by something else: storing fails, the import stands.
    with opened(small_store) as con:
        con.execute(f"CREATE TABLE {TABLE} (something_else INTEGER)")
    result = _import(small_store, new)
    assert result.returncode == 0, result.stderr
    assert "1 rows loaded" in result.stdout or "1 row loaded" in result.stdout
    assert "could not be stored" in result.stderr
    with opened(small_store, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM registrations WHERE child_key <> 'k1' AND "
                           "centre_id = 'C2'").fetchone()[0] == 2


# --- storing at a sane cost: each question once, each figure written as soon as it is worked out ---

def _stored_calls(db) -> list[str]:
    with opened(db, read_only=True) as con:
        return [row[0] for row in con.execute(f"SELECT call FROM {TABLE} ORDER BY stored_at").fetchall()]


def test_an_interrupted_storing_keeps_what_it_stored_and_the_next_carries_on(small_store):
    total = store_opening_figures(small_store, today=TODAY, again=True).figures
    with opened(small_store) as con:
        con.execute(f"DELETE FROM {TABLE}")
    seen = []

    def stop_at_the_third(done, of, name):
        seen.append(name)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(StoringInterrupted) as stopped:
        store_opening_figures(small_store, today=TODAY, progress=stop_at_the_third)
    assert stopped.value.stored.figures == 2
    assert seen[:2] == ["the report", "the trend"]            # the pages' two big figures first
    assert len(_stored_calls(small_store)) == 2
    rest = store_opening_figures(small_store, today=TODAY)
    assert (rest.figures, rest.already) == (total - 2, 2)
    assert len(_stored_calls(small_store)) == total


def test_the_report_is_stored_before_the_childrens_spells_are_kept(small_store):
    # The pages open on the report; the spells serve only the trend, and take longer at scale.
    stored_when = {}

    def note(done, of, name):
        with opened(small_store, read_only=True) as con:
            stored_when[name] = sorted(figures_store._stored_calls(con, figures_stamp(con)))

    store_opening_figures(small_store, today=TODAY, progress=note)
    report = call_key(reach_reports, (), dict(as_at=AS_AT, options=standard_options()))
    assert stored_when["the report"] == []
    assert stored_when["the children's spells for the trend"] == [report]
    assert stored_when["the trend"] == [report]
    with opened(small_store, read_only=True) as con:
        assert trend.spells_kept(con, stamp=figures_stamp(con))


def test_storing_stops_when_an_import_comes_in_meanwhile(small_store, tmp_path):
    new = tmp_path / "registrations.csv"
    new.write_text("child_key,dob,lsoa_code,centre_id,registered_on\nk5,2025-06-01,E01000003,C2,2026-03-01\n")
    from data.importers import import_file

    def import_before_the_second(done, of, name):
        if done == 2:
            import_file("registrations", new, db=small_store)

    stored = store_opening_figures(small_store, today=TODAY, progress=import_before_the_second)
    assert stored.figures == 1 and stored.stopped
    assert "stopped" in stored.line()
    with opened(small_store, read_only=True) as con:      # the one row is the older data's: never read
        assert not is_stored(con, small_store, reach_reports, as_at=AS_AT, options=standard_options())
        assert _stored_stamps(small_store) != {figures_stamp(con)}


def test_a_new_word_or_target_keeps_the_stored_figures_and_a_new_target_is_stored_alone(small_store):
    first = store_opening_figures(small_store, today=TODAY)
    with opened(small_store, read_only=True) as con:
        before = figures_stamp(con), data_stamp(con)
    save_settings(small_store, site_word="hubs", gld_target_pct=80.0)
    with opened(small_store, read_only=True) as con:
        assert figures_stamp(con) == before[0]        # no stored figure reads either setting
        assert data_stamp(con) != before[1]           # the dashboard's cache is still renewed
        assert is_stored(con, small_store, reach_reports, as_at=AS_AT, options=standard_options())
        new_calls = [call_key(f, (), kw) for f, kw in opening_calls(con, today=TODAY)]
    missing = [call for call in new_calls if call not in _stored_calls(small_store)]
    assert len(missing) == 1 and "published_outcome_levels" in missing[0] and "target_pct=80.0" in missing[0]
    stored, line = store_figures_after(small_store, today=TODAY)
    assert stored and "(1 set, " in line
    assert len(_stored_calls(small_store)) == first.figures + 1


def _assert_same(stored, fresh, where: str) -> None:
    """Equal value by value: tables cell by cell, dataclasses field by field, NaN equal to NaN."""
    import dataclasses
    import math

    import pandas as pd
    assert type(stored) is type(fresh), where
    if isinstance(fresh, pd.DataFrame):
        pd.testing.assert_frame_equal(stored, fresh, obj=where)
    elif isinstance(fresh, dict):
        assert list(stored) == list(fresh), where
        for key in fresh:
            _assert_same(stored[key], fresh[key], f"{where}[{key!r}]")
    elif isinstance(fresh, (list, tuple)):
        assert len(stored) == len(fresh), where
        for n, (a, b) in enumerate(zip(stored, fresh)):
            _assert_same(a, b, f"{where}[{n}]")
    elif dataclasses.is_dataclass(fresh):
        for field in dataclasses.fields(fresh):
            _assert_same(getattr(stored, field.name), getattr(fresh, field.name), f"{where}.{field.name}")
    elif isinstance(fresh, float) and math.isnan(fresh):
        assert math.isnan(stored), where
    else:
        assert stored == fresh, where


@pytest.mark.parametrize("store", ["small_store", "demo_db"])
def test_every_stored_figure_equals_the_figure_worked_out_afresh(store, request):
    """Asking the store each question once changes no figure: each stored value is what its
    call gives on its own."""
    db = request.getfixturevalue(store)
    today = TODAY if store == "small_store" else date.today()
    store_opening_figures(db, today=today)
    with opened(db, read_only=True) as con:
        stamp = figures_stamp(con)
        calls = opening_calls(con, today=today)
        for function, kwargs in calls:
            stored = figures_store.stored_value(con, db, call_key(function, (), kwargs), stamp)
            assert stored is not figures_store._MISSING, function.__name__
            fresh = function(con, **kwargs)
            _assert_same(stored, fresh, function.__name__)


def test_the_remembering_connection_asks_each_question_once_and_hands_out_copies(small_store):
    memory = figures_store._Remembering()
    sql = "SELECT centre_id, count(*) AS n FROM registrations WHERE registered_on <= ? GROUP BY ALL ORDER BY 1"
    with opened(small_store, read_only=True) as con:
        first = memory.on(con).execute(sql, [AS_AT]).df()
        first["n"] = -1                                   # a caller changing what it was given
        second = memory.execute(sql, [AS_AT]).df()
        other = memory.cursor().execute(sql, [date(2024, 12, 31)]).fetchall()
        one = memory.execute("SELECT count(*) FROM registrations").fetchone()
        arrow = [memory.execute(sql, [AS_AT]).to_arrow_table() for _ in range(2)]     # as the trend reads
        description = memory.execute(sql, [AS_AT]).description      # any other way: asked afresh
    assert (memory.asked, memory.answered) == (6, 2)
    assert arrow[0].column("n").to_pylist() == arrow[1].column("n").to_pylist() == [3, 1]
    assert [column[0] for column in description] == ["centre_id", "n"]
    assert second["n"].tolist() == [3, 1]                 # k1, k2, k3 at C1; k4 at C2
    assert other == [("C1", 3)]                           # by the end of 2024: k1, k2 and k3, all at C1
    assert one == (4,)


def test_at_scale_every_quarter_end_of_a_publication_is_stored_and_the_report_reads_them(demo_db, monkeypatch):
    # An England-sized store took 8.5 minutes for one centre's web page for publication: the 12
    # quarter-ends of its trend, each protected as at its own date. From QUARTERS_STORED_FROM_LSOAS
    # LSOAs (here every store) the worker stores them all, and the report reads them.
    from reach.domain.months import quarter_ends
    from reach.domain.suppression import STANDARD
    from reach.queries import publication
    from reach.queries.report_tables import report_tables

    with opened(demo_db, read_only=True) as con:
        before = opening_calls(con, today=date.today())
    monkeypatch.setattr(figures_store, "QUARTERS_STORED_FROM_LSOAS", 0)
    store_opening_figures(demo_db, today=date.today())
    with opened(demo_db, read_only=True) as con:
        calls = opening_calls(con, today=date.today())
        opening = next(kwargs["as_at"] for function, kwargs in calls if function is reach_reports)
        published = [kwargs["as_at"] for function, kwargs in calls if function.__name__ == "published_figures"]
        assert sorted(published) == quarter_ends(until=opening, months=36) and len(published) == 12
        assert len(calls) == len(before) + 11
        assert all(is_stored(con, demo_db, publication.published_figures, as_at=day, options=standard_options())
                   for day in published)
        fresh = report_tables(con, as_at=opening, centre_id="DEMO01", rule=STANDARD, options=standard_options())

        def refuse(*args, **kwargs):
            raise AssertionError("worked out again, not read from the stored figures")

        monkeypatch.setattr(publication, "protect_tables", refuse)
        read = report_tables(con, as_at=opening, centre_id="DEMO01", rule=STANDARD, options=standard_options())
    assert len(read.tables["trend"]) > 0
    for name, table in fresh.tables.items():
        assert read.tables[name].equals(table), name
