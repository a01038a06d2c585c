"""Whose fault it was, by the exit status: 2 only for a fault in what the user gave (the file, the
arguments, the key, the database named), 1 for a fault in Reach, whatever exception it raised.

A ValueError is not taken as the user's fault by its type: pandas and numpy raise them on a bug.
(The what-if command's faults in its arguments are in test_whatif.py.)
"""

import pytest

from cli.main import main
from reach.domain.disclosure import DisclosureError

AS_AT = "2025-01-01"


def _run(capsys, *argv) -> tuple[int, str]:
    status = main([str(arg) for arg in argv])
    return status, capsys.readouterr().err


def test_a_value_error_from_a_bug_is_an_internal_error_not_the_users(empty_store, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("cannot reindex on an axis with duplicate labels: 9434765919")

    monkeypatch.setattr("reach.queries.report.reach_report", broken)
    status, err = _run(capsys, "report", "--as-at", AS_AT, "--db", empty_store)
    log = empty_store.with_name(empty_store.name + ".errors.log")
    assert status == 1
    assert err.strip() == (f"Reach stopped because of an internal error (ValueError); "
                           f"the details were written to {log}")
    # The type and where it happened, never the text, which can quote the data (an NHS number here).
    assert "ValueError at " in log.read_text() and "in broken" in log.read_text()
    assert "duplicate labels" not in log.read_text() and "9434765919" not in log.read_text()


def test_band_thresholds_out_of_order_are_the_arguments_fault(empty_store, capsys):
    status, err = _run(capsys, "report", "--as-at", AS_AT, "--good", "99", "--db", empty_store)
    assert status == 2
    assert err.startswith("python -m reach report: Band thresholds must rise")
    assert not empty_store.with_name(empty_store.name + ".errors.log").exists()


def test_figures_that_cannot_be_protected_are_refused_with_status_2(empty_store, capsys, monkeypatch):
    def unprotectable(*args, **kwargs):
        raise DisclosureError("a hidden count could be worked out from the rest")

    monkeypatch.setattr("reach.queries.publication.published_figures", unprotectable)
    status, err = _run(capsys, "report", "--as-at", AS_AT, "--publish", "--db", empty_store)
    assert status == 2
    assert "a hidden count could be worked out" in err


def test_an_argument_argparse_refuses_exits_2(empty_store, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["report", "--as-at", "30/06/2025", "--db", str(empty_store)])
    assert stopped.value.code == 2
    assert "--as-at" in capsys.readouterr().err
