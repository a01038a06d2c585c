"""The settings kept in the store: `python -m reach settings` and the Data page's Settings."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cli.main import main
from data.settings import DEFAULT_GLD_TARGET_PCT, read_settings, save_settings
from data.store import opened
from reach.presentation.wording import CENTRES, current, use

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _standard_words_after_each_test():
    yield
    use(CENTRES)        # a command sets the words for the rest of its process: put them back


def _run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(list(args))
    return status, out.getvalue(), err.getvalue()


def _meta(db) -> dict:
    with opened(db, read_only=True) as con:
        return dict(con.execute("SELECT key, value FROM meta WHERE key IN ('site_word', 'gld_target_pct')")
                    .fetchall())


def test_without_options_the_settings_are_printed_and_nothing_written(empty_store):
    status, out, _ = _run("settings", "--db", str(empty_store))
    assert status == 0
    assert "the sites are called children's centres (--sites centres)" in out
    assert "the target for a good level of development is 75% (the standard target)" in out
    assert _meta(empty_store) == {}


def test_the_sites_and_the_target_are_kept_in_meta(empty_store):
    status, out, _ = _run("settings", "--db", str(empty_store), "--sites", "hubs", "--gld-target", "72.5")
    assert status == 0
    assert _meta(empty_store) == {"site_word": "hubs", "gld_target_pct": "72.5"}
    assert "the sites are called family hubs (--sites hubs)" in out and "is 72.5%" in out
    # Each setting alone leaves the other as it was.
    _run("settings", "--db", str(empty_store), "--sites", "centres")
    assert _meta(empty_store) == {"site_word": "centres", "gld_target_pct": "72.5"}


@pytest.mark.parametrize("target", ["0", "-5", "100.5", "nan"])
def test_a_target_outside_0_to_100_is_refused_and_nothing_written(empty_store, target):
    status, _, err = _run("settings", "--db", str(empty_store), "--gld-target", target)
    assert status == 2
    assert "above 0 and at most 100" in err and "nothing was changed" in err
    assert len(err.strip().splitlines()) == 1
    assert _meta(empty_store) == {}


def test_a_target_of_100_is_allowed(empty_store):
    assert _run("settings", "--db", str(empty_store), "--gld-target", "100")[0] == 0
    with opened(empty_store, read_only=True) as con:
        assert read_settings(con).gld_target_pct == 100.0


def test_an_unknown_word_is_refused_by_the_command_line(empty_store):
    with pytest.raises(SystemExit) as stop, redirect_stderr(io.StringIO()):
        main(["settings", "--db", str(empty_store), "--sites", "libraries"])
    assert stop.value.code == 2


def test_a_store_with_odd_values_reads_as_the_defaults(empty_store):
    with opened(empty_store) as con:
        con.execute("INSERT INTO meta VALUES ('site_word', 'libraries'), ('gld_target_pct', 'lots')")
    with opened(empty_store, read_only=True) as con:
        settings = read_settings(con)
    assert (settings.site_word, settings.gld_target_pct, settings.gld_target_set) == (
        "centres", DEFAULT_GLD_TARGET_PCT, False)


def test_each_command_takes_its_words_from_the_store(demo_db):
    save_settings(demo_db, site_word="hubs")
    assert current() is CENTRES
    status, out, _ = _run("report", "--db", str(demo_db), "--as-at", "2026-09-30", "--format", "csv")
    assert status == 0 and current().key == "hubs"
    assert out.splitlines()[0].startswith("centre_id,centre_name,")     # column names keep their spelling


def test_the_data_page_saves_the_settings(demo_db, monkeypatch, fresh_streamlit_caches):
    monkeypatch.setenv("REACH_DB", str(demo_db))
    at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=120)
    at.run()
    at.switch_page("views/data.py").run()
    assert not at.exception, at.exception
    at.radio(key="settings_sites").set_value("hubs")
    at.number_input(key="settings_gld_target").set_value(80.0)
    at.button[[b.label for b in at.button].index("Save settings")].click().run()
    assert not at.exception, at.exception
    assert _meta(demo_db) == {"site_word": "hubs", "gld_target_pct": "80"}
    at.switch_page("views/compare.py").run()
    assert at.title[0].value == "Compare hubs"
