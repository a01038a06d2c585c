"""`python -m reach figures`: the dashboard's opening figures stored by hand, once, after files
loaded with --no-figures; only what is missing is worked out, and Ctrl+C keeps what was stored."""

from __future__ import annotations

import re

import pytest

from cli.main import main
from data.store import opened
from reach.queries import figures_store
from reach.queries.figures_store import TABLE, opening_calls
from reach.queries.stamps import figures_stamp


def _stored(db) -> int:
    with opened(db, read_only=True) as con:
        if not figures_store._has_table(con):
            return 0
        return con.execute(f"SELECT count(*) FROM {TABLE} WHERE stamp = ?", [figures_stamp(con)]).fetchone()[0]


def test_figures_stores_what_is_missing_once(demo_db, capfd):
    with opened(demo_db) as con:
        con.execute(f"DROP TABLE IF EXISTS {TABLE}")       # as after imports with --no-figures
    assert main(["figures", "--db", str(demo_db)]) == 0
    out, err = capfd.readouterr()
    line = out.strip()
    assert "\n" not in line
    found = re.fullmatch(
        r"The dashboard's opening figures as at (\d+ \w+ \d{4}) are stored \((\d+) sets, [\d.,]+ s\)\.", line)
    assert found, line
    with opened(demo_db, read_only=True) as con:
        expected = len(opening_calls(con, today=figures_store.date.today()))
    # every opening call, and the What if page's projection that follows from its model
    assert int(found.group(2)) == _stored(demo_db) == expected + 1

    assert main(["figures", "--db", str(demo_db)]) == 0
    assert capfd.readouterr().out.strip() == (f"The dashboard's opening figures as at {found.group(1)} "
                                              "were already stored.")
    assert main(["figures", "--again", "--db", str(demo_db)]) == 0
    assert f"are stored ({expected + 1} sets, " in capfd.readouterr().out


def test_figures_stopped_with_ctrl_c_keeps_what_it_stored(demo_db, capfd, monkeypatch):
    with opened(demo_db) as con:
        con.execute(f"DROP TABLE IF EXISTS {TABLE}")
    original = figures_store._write
    written = []

    def write_then_stop(*args, **kwargs):
        if len(written) == 2:
            raise KeyboardInterrupt
        written.append(args[3])
        return original(*args, **kwargs)

    monkeypatch.setattr(figures_store, "_write", write_then_stop)
    assert main(["figures", "--db", str(demo_db)]) == 130
    out, err = capfd.readouterr()
    assert out == ""
    assert err.strip() == ("Storing the dashboard's opening figures stopped (interrupted) after 2 sets: each page "
                           "works out the rest when first opened. `python -m reach figures` stores the rest.")
    assert _stored(demo_db) == 2
    monkeypatch.setattr(figures_store, "_write", original)
    assert main(["figures", "--db", str(demo_db)]) == 0
    assert ", 2 already stored, " in capfd.readouterr().out


def test_figures_on_a_store_that_is_not_there_is_one_line(tmp_path, capfd):
    status = main(["figures", "--db", str(tmp_path / "nowhere.duckdb")])
    out, err = capfd.readouterr()
    assert status == 2
    assert err.strip().count("\n") == 0 and "nowhere.duckdb" in err


@pytest.mark.parametrize("command", [["figures", "--help"]])
def test_figures_help_names_the_import_option_it_follows(command, capfd):
    with pytest.raises(SystemExit):
        main(command)
    assert "--no-figures" in capfd.readouterr().out
