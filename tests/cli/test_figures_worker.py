"""The figures stored in a background process after an import on a large store
(data.figures_worker): the import returns first, the worker stores every figure, a writer stops
it cleanly without losing what it stored, and any other command pauses it while it runs."""

from __future__ import annotations

import os
import pickle
import re
import signal
import subprocess
import sys
import time

import pytest

from cli.main import main
from data import figures_worker
from data.settings import read_settings
from data.store import opened
from reach.queries import figures_store
from reach.queries.figures_store import TABLE, opening_calls
from reach.queries.readiness import data_coverage
from reach.queries.stamps import figures_stamp
from tests.stores import held_open

REGISTRATIONS = "child_key,dob,lsoa_code,centre_id,registered_on\n{key},2025-06-01,{lsoa},{centre},2026-09-01\n"


def _stored(db) -> int:
    with opened(db, read_only=True) as con:
        if not figures_store._has_table(con):
            return 0
        return con.execute(f"SELECT count(*) FROM {TABLE} WHERE stamp = ?", [figures_stamp(con)]).fetchone()[0]


def _expected(db) -> int:
    """Every opening call, and the What if page's projection that follows from its model."""
    with opened(db, read_only=True) as con:
        return len(opening_calls(con, today=figures_store.date.today())) + 1


def _finished(db, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while figures_worker.running(db) is not None:
        assert time.monotonic() < deadline, "the background worker did not finish"
        time.sleep(0.1)


def _a_registration(db, tmp_path):
    """A file of one registration of a new child at one of the store's centres."""
    with opened(db, read_only=True) as con:
        lsoa, centre = con.execute("SELECT lsoa_code, centre_id FROM reach_areas ORDER BY 1 LIMIT 1").fetchone()
    path = tmp_path / "registrations.csv"
    path.write_text(REGISTRATIONS.format(key="new-child-1", lsoa=lsoa, centre=centre))
    return path


@pytest.fixture
def stand_in(tmp_path):
    """Start a process that looks like a worker (its command holds `reach` and the worker's flag)
    and sleeps; each is ended after the test."""
    started = []

    def start(*, flag: bool = True) -> subprocess.Popen:
        command = [sys.executable, "-c", "import time; time.sleep(120)", "reach"] + (
            [figures_worker.WORKER_FLAG] if flag else [])
        process = subprocess.Popen(command)
        started.append(process)
        figures_worker._started(process.pid)     # running its own command, as `start` waits for
        return process

    yield start
    for process in started:
        process.kill()
        process.wait()


def test_an_import_on_a_large_store_returns_and_a_worker_stores_the_figures(demo_db, tmp_path, monkeypatch, capfd):
    with opened(demo_db) as con:
        con.execute(f"DROP TABLE IF EXISTS {TABLE}")
    monkeypatch.setattr(figures_worker, "BACKGROUND_FROM_ROWS", 0)     # the demo counts as large
    assert main(["import", "registrations", str(_a_registration(demo_db, tmp_path)), "--db", str(demo_db)]) == 0
    out, err = capfd.readouterr()
    assert re.fullmatch(r"registrations: registrations\.csv: 1 rows? loaded, 0 quarantined, 0 already present",
                        out.strip()), out
    said = re.search(r"Imported in [\d,]+\.\d s\. The figures the dashboard opens on are being stored in the "
                     r"background \(process (\d+),", err)
    assert said, err
    _finished(demo_db)
    log = figures_worker.log_file(demo_db).read_text()
    assert re.fullmatch(r"The dashboard's opening figures as at \d+ \w+ \d{4} are stored \(\d+ sets, [\d.,]+ s\)\.\n",
                        log), log
    assert _stored(demo_db) == _expected(demo_db)
    assert not figures_worker.worker_file(demo_db).exists()      # the worker no longer names itself
    assert oct(figures_worker.log_file(demo_db).stat().st_mode & 0o777) == "0o600"


def test_wait_for_figures_stores_them_before_returning_however_large(demo_db, tmp_path, monkeypatch, capfd):
    with opened(demo_db) as con:
        con.execute(f"DROP TABLE IF EXISTS {TABLE}")
    monkeypatch.setattr(figures_worker, "BACKGROUND_FROM_ROWS", 0)
    assert main(["import", "registrations", str(_a_registration(demo_db, tmp_path)), "--db", str(demo_db),
                 "--wait-for-figures"]) == 0
    assert "Now storing the figures" in capfd.readouterr().err
    assert figures_worker.running(demo_db) is None
    assert _stored(demo_db) == _expected(demo_db)


def test_a_writer_stops_the_worker_and_what_it_stored_stays(demo_db):
    with opened(demo_db) as con:
        con.execute(f"DROP TABLE IF EXISTS {TABLE}")
    number = figures_worker.start(demo_db)
    deadline = time.monotonic() + 120
    while _stored(demo_db) == 0:         # wait for its first figure: it is then part way
        assert time.monotonic() < deadline and figures_worker.running(demo_db) == number
        time.sleep(0.01)
    began = time.monotonic()
    with opened(demo_db) as con:         # any writer: the worker is stopped first, not waited for
        con.execute("CREATE TABLE written_meanwhile AS SELECT 1 AS one")
    assert time.monotonic() - began < figures_worker.CLEAN_STOP_SECONDS
    assert figures_worker.running(demo_db) is None
    kept = _stored(demo_db)
    assert 1 <= kept < _expected(demo_db)
    log = figures_worker.log_file(demo_db).read_text()
    assert log == ("Stopped to let another command have the store; what was stored stays, and the next "
                   "import or `python -m reach figures` stores the rest.\n")
    assert not (demo_db.parent / (demo_db.name + ".errors.log")).exists()

    assert main(["figures", "--db", str(demo_db)]) == 0       # carries on from what was stored
    assert _stored(demo_db) == _expected(demo_db)


def test_the_worker_waits_for_a_page_holding_the_store_and_stores_every_figure(demo_db, monkeypatch):
    # A page working a figure out itself holds the store for as long as that takes; a writer
    # cannot open it meanwhile. A command gives up after REACH_BUSY_WAIT; the worker must not.
    with opened(demo_db) as con:
        con.execute(f"DROP TABLE IF EXISTS {TABLE}")
    monkeypatch.setenv("REACH_BUSY_WAIT", "0.5")
    with held_open(demo_db, 6, read_only=True) as page:
        figures_worker.start(demo_db)      # its first figure is worked out in a second or two
        page.wait(timeout=30)
    _finished(demo_db)
    log = figures_worker.log_file(demo_db).read_text()
    assert re.fullmatch(rf"The dashboard's opening figures as at \d+ \w+ \d{{4}} are stored "
                        rf"\({_expected(demo_db)} sets, [\d.,]+ s\)\.\n", log), log
    assert _stored(demo_db) == _expected(demo_db)


def _signals_sent(monkeypatch) -> list[tuple[int, int]]:
    sent: list[tuple[int, int]] = []
    original = figures_worker._signal

    def recorded(number, which):
        sent.append((number, which))
        original(number, which)

    monkeypatch.setattr(figures_worker, "_signal", recorded)
    return sent


def _state(process: subprocess.Popen) -> str:
    return open(f"/proc/{process.pid}/stat").read().rsplit(")", 1)[1].split()[0]


def test_any_other_command_pauses_the_worker_while_it_runs(demo_db, stand_in, monkeypatch):
    pretend = stand_in()
    figures_worker._write_number(figures_worker.worker_file(demo_db), pretend.pid)
    sent = _signals_sent(monkeypatch)
    assert main(["report", "--as-at", "2026-09-30", "--by", "authority", "--format", "csv",
                 "--db", str(demo_db)]) == 0
    assert sent == [(pretend.pid, signal.SIGSTOP), (pretend.pid, signal.SIGCONT)]
    assert pretend.poll() is None and _state(pretend) != "T"      # let go on, where it was
    assert figures_worker.running(demo_db) == pretend.pid


def test_pages_working_figures_out_pause_the_worker_until_the_last_of_them_is_done(demo_db, stand_in,
                                                                                    monkeypatch):
    coverage = figures_store.call_key(data_coverage)
    with opened(demo_db, read_only=True) as con:
        stamp, value = figures_stamp(con), data_coverage(con)
    assert figures_store._write(demo_db, figures_store._signing_key(demo_db), stamp, coverage, 0.0,
                                pickle.dumps(value))
    pretend = stand_in()
    figures_worker._write_number(figures_worker.worker_file(demo_db), pretend.pid)
    sent = _signals_sent(monkeypatch)
    with opened(demo_db, read_only=True) as con:
        assert figures_store.stored_or_computed(con, str(demo_db), data_coverage) == value
        assert sent == []                                          # read, not worked out: nothing paused
        figures_store.stored_or_computed(con, str(demo_db), read_settings)
    assert sent == [(pretend.pid, signal.SIGSTOP), (pretend.pid, signal.SIGCONT)]

    # Two sessions of the dashboard, overlapping: the worker goes on only when both are done.
    sent.clear()
    first, second = figures_worker.set_aside(demo_db), figures_worker.set_aside(demo_db)
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert sent == [(pretend.pid, signal.SIGSTOP)]
    deadline = time.monotonic() + 5
    while _state(pretend) != "T":                                  # still paused (once the signal lands)
        assert time.monotonic() < deadline
        time.sleep(0.01)
    second.__exit__(None, None, None)
    assert sent == [(pretend.pid, signal.SIGSTOP), (pretend.pid, signal.SIGCONT)]
    assert _state(pretend) != "T" and figures_worker._paused == {}


def test_a_worker_paused_by_a_report_carries_on_where_it_was(demo_db, capfd):
    with opened(demo_db) as con:
        con.execute(f"DROP TABLE IF EXISTS {TABLE}")
    number = figures_worker.start(demo_db)
    deadline = time.monotonic() + 120
    while _stored(demo_db) == 0:
        assert time.monotonic() < deadline and figures_worker.running(demo_db) == number
        time.sleep(0.01)
    assert main(["report", "--as-at", "2026-09-30", "--format", "csv", "--db", str(demo_db)]) == 0
    _finished(demo_db)
    log = figures_worker.log_file(demo_db).read_text()
    # the same worker stored every figure: none left for a second one to find stored already
    assert re.fullmatch(rf"The dashboard's opening figures as at \d+ \w+ \d{{4}} are stored "
                        rf"\({_expected(demo_db)} sets, [\d.,]+ s\)\.\n", log), log
    assert _stored(demo_db) == _expected(demo_db)


def test_a_command_that_writes_stops_the_worker_and_starts_one_for_the_new_data(demo_db, stand_in,
                                                                                monkeypatch):
    pretend = stand_in()
    figures_worker._write_number(figures_worker.worker_file(demo_db), pretend.pid)
    sent = _signals_sent(monkeypatch)
    assert main(["settings", "--gld-target", "70", "--db", str(demo_db)]) == 0
    assert sent[:3] == [(pretend.pid, signal.SIGSTOP), (pretend.pid, signal.SIGTERM),
                        (pretend.pid, signal.SIGCONT)]
    assert pretend.wait(timeout=10) is not None                # stopped, not let go on
    again = figures_worker.running(demo_db)
    assert again is not None and again != pretend.pid          # a real worker for the new settings
    _finished(demo_db)
    assert _stored(demo_db) >= 1


def test_a_process_that_is_not_a_worker_is_never_stopped(demo_db, stand_in):
    other = stand_in(flag=False)       # the worker file names it: say the number was given again
    figures_worker._write_number(figures_worker.worker_file(demo_db), other.pid)
    assert figures_worker.running(demo_db) is None
    assert figures_worker.stop(demo_db) is False
    with opened(demo_db) as con:
        con.execute("SELECT 1")
    assert other.poll() is None                                # still running
    assert not figures_worker.worker_file(demo_db).exists()


def test_figures_in_the_background_says_where_it_reports(demo_db, capfd):
    assert main(["figures", "--background", "--again", "--db", str(demo_db)]) == 0
    out = capfd.readouterr().out
    number = int(re.search(r"in the background \(process (\d+),", out).group(1))
    assert f"it says how it went in {demo_db.name}.figures.log" in out
    assert figures_worker.running(demo_db) in (number, None)
    _finished(demo_db)
    # --again reached the worker: every figure worked out afresh, none counted as already stored
    assert re.search(rf"are stored \({_expected(demo_db)} sets, [\d.,]+ s\)\.",
                     figures_worker.log_file(demo_db).read_text())


def test_a_stopped_worker_and_a_stale_file_leave_nothing_behind(demo_db):
    figures_worker.worker_file(demo_db).write_text("not a number")
    assert figures_worker.running(demo_db) is None and figures_worker.stop(demo_db) is False
    figures_worker.worker_file(demo_db).write_text(str(os.getpid()))     # this process: never itself
    assert figures_worker.stop(demo_db) is False


def test_a_worker_that_cannot_start_leaves_the_import_in(demo_db, tmp_path, monkeypatch, capfd):
    monkeypatch.setattr(figures_worker, "BACKGROUND_FROM_ROWS", 0)

    def no_process(*args, **kwargs):
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(figures_worker.subprocess, "Popen", no_process)
    assert main(["import", "registrations", str(_a_registration(demo_db, tmp_path)), "--db", str(demo_db)]) == 0
    out, err = capfd.readouterr()
    assert "1 row" in out
    assert ("The figures the dashboard opens on could not be stored in the background (Resource temporarily "
            "unavailable): each page works them out when first opened, or `python -m reach figures` stores "
            "them.") in err
    assert figures_worker.running(demo_db) is None


def test_an_audit_row_from_the_dashboard_stops_the_worker_and_starts_it_again(demo_db, stand_in, monkeypatch):
    """Signing in writes a row: the worker gives the store up at once and carries on after."""
    from data.audit import SIGN_IN, audit_trail
    from reach.domain.roles import COMMISSIONER, Person
    from views import auth

    monkeypatch.setenv("REACH_DB", str(demo_db))
    pretend = stand_in()
    figures_worker._write_number(figures_worker.worker_file(demo_db), pretend.pid)
    assert auth._record(Person(email="c@x.gov.uk", role=COMMISSIONER), action=SIGN_IN) is True
    assert pretend.wait(timeout=10) is not None
    again = figures_worker.running(demo_db)
    assert again is not None and again != pretend.pid
    _finished(demo_db)
    with opened(demo_db, read_only=True) as con:
        assert audit_trail(con, action=SIGN_IN)["actor"].tolist() == ["c@x.gov.uk"]


def test_a_worker_is_known_as_one_from_the_moment_it_is_started(demo_db):
    """For a moment after it is made, a process is a copy of its maker: `start` waits that out,
    so a command run at once after the import can still pause or stop the worker."""
    for _ in range(5):
        number = figures_worker.start(demo_db)
        assert figures_worker.running(demo_db) == number
        assert figures_worker.stop(demo_db) is True
        assert figures_worker.running(demo_db) is None
