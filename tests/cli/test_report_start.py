"""What `python -m reach report` does besides its query: the parser of the one command run, only
the modules a report uses, the store opened once, and the CSV written as it always was."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd

import data.store
from cli.common import write_csv
from cli.main import COMMANDS, build_parser, main

PROJECT = Path(__file__).resolve().parents[2]


def _commands(parser) -> dict:
    return next(a for a in parser._subparsers._group_actions if a.dest == "command").choices


def test_every_command_is_listed_in_order_under_the_name_its_module_gives_it():
    assert list(_commands(build_parser())) == list(COMMANDS)


def test_a_command_alone_parses_and_explains_itself_as_in_the_whole_parser():
    whole = _commands(build_parser())
    for name in COMMANDS:
        alone = _commands(build_parser(name))
        assert list(alone) == [name]
        assert alone[name].format_help() == whole[name].format_help(), name
    assert build_parser("report").format_usage() == build_parser().format_usage()


def test_an_unknown_command_is_refused_with_every_command_named(capsys):
    try:
        main(["reprot"])
    except SystemExit as stop:
        assert stop.code == 2
    error = capsys.readouterr().err
    assert "invalid choice: 'reprot'" in error
    assert all(f"'{name}'" in error for name in COMMANDS)


def test_the_report_loads_no_maps_charts_importers_or_what_if_model(empty_store):
    # A new Python, as the command line runs: this test's own process has loaded everything.
    script = ("import sys\nfrom cli.main import main\n"
              f"status = main(['report', '--as-at', '2026-09-30', '--db', {str(empty_store)!r}])\n"
              "print(status, *sorted(sys.modules), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, capture_output=True, text=True,
                          timeout=120)
    status, *modules = done.stderr.split()
    assert status == "0", done.stderr
    unused = {"geopandas", "shapely", "pyogrio", "pyproj", "plotly", "streamlit", "openpyxl", "geo",
              "data.importers", "reach.domain.whatif", "reach.presentation.maps", "cli.imports",
              "cli.whatif"}
    assert not unused & set(modules), sorted(unused & set(modules))
    assert "cli.report" in modules and "pandas" in modules


def test_the_report_opens_the_store_once(demo_db, monkeypatch, capsys):
    opened = []
    real_open = data.store._open

    def counted(db, **kwargs):
        opened.append(kwargs["read_only"])
        return real_open(db, **kwargs)

    monkeypatch.setattr(data.store, "_open", counted)
    assert main(["report", "--as-at", "2026-09-30", "--by", "authority", "--db", str(demo_db)]) == 0
    assert opened == [True]
    assert capsys.readouterr().out.count("\n") == 2        # the header and the authority


def test_the_report_words_messages_as_the_store_calls_its_sites(demo_db, capsys):
    from reach.presentation.wording import current, use

    assert main(["settings", "--sites", "hubs", "--db", str(demo_db)]) == 0
    use("centres")
    try:
        assert main(["report", "--as-at", "2026-09-30", "--by", "authority", "--db", str(demo_db)]) == 0
        assert current().sites == "hubs"
    finally:
        use("centres")
    capsys.readouterr()


def test_figures_as_csv_have_flags_as_words_and_no_formulas(capsys):
    frame = pd.DataFrame({
        "centre_id": ["C1", "C2", "C3"],
        "centre_name": ["=HYPERLINK(1)", "Oak Tree", None],
        "reach_pct": [97.5, float("nan"), 1 / 3],
        "known": [10, 0, 3],
        "flagged": [True, False, True],
        "as_at": [date(2026, 9, 30)] * 3,
    })
    write_csv(frame, flags_as_words=True)
    assert capsys.readouterr().out == (
        "centre_id,centre_name,reach_pct,known,flagged,as_at\n"
        "C1,'=HYPERLINK(1),97.5,10,true,2026-09-30\n"
        "C2,Oak Tree,,0,false,2026-09-30\n"
        "C3,,0.3333333333333333,3,true,2026-09-30\n")
    write_csv(frame)            # without: flags as pandas writes them (the quarantine, the history)
    assert capsys.readouterr().out.splitlines()[1] == "C1,'=HYPERLINK(1),97.5,10,True,2026-09-30"
