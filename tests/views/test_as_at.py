"""The date every page's figures are as at: where a session starts, what moves it (only the
person, or the page's address at the start), and what the sidebar says about it."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.views.figure_data import shown

PROJECT = Path(__file__).resolve().parents[2]
SEPTEMBER = date(2026, 9, 30)          # the demo's registrations end here


def _session(db: Path, monkeypatch, **query) -> AppTest:
    """A new browser session on `db`, its address carrying `query`."""
    monkeypatch.setenv("REACH_DB", str(db))
    at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _sidebar_words(at) -> list[str]:
    return shown(at.sidebar.caption)


def _reach(at) -> str:
    return next(metric.value for metric in at.metric if metric.label == "Reach")


def _import(db: Path, kind: str, path: Path, *extra: str) -> None:
    result = subprocess.run([sys.executable, "-m", "reach", "import", kind, str(path), "--db", str(db), *extra],
                            cwd=PROJECT, env=dict(os.environ), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


@pytest.fixture
def today_is_30_november(monkeypatch):
    """The day the issue was found: two months after the demo's registrations end."""
    class Today(date):
        @classmethod
        def today(cls):
            return date(2026, 11, 30)

    monkeypatch.setattr("views.common.date", Today)


def test_the_demo_opens_at_the_end_of_its_registrations_and_says_so(demo_db, monkeypatch, today_is_30_november):
    at = _session(demo_db, monkeypatch)
    assert at.date_input(key="as_at").value == SEPTEMBER
    assert _sidebar_words(at)[0] == "Every page shows figures as at **30 September 2026**."
    assert not [button for button in at.sidebar.button if button.key == "as_at_latest"]


def test_a_births_file_received_later_does_not_move_the_figures(demo_db, monkeypatch, tmp_path,
                                                                today_is_30_november):
    before = _reach(_session(demo_db, monkeypatch))
    births = tmp_path / "births_new.csv"
    births.write_text("child_key,dob,lsoa_code\n" + "".join(
        f"late-baby-{n},2026-11-0{n + 1},E01900001\n" for n in range(5)))
    _import(demo_db, "births", births, "--received-on", "2026-11-30")
    at = _session(demo_db, monkeypatch)                  # a new session, as every colleague's is
    assert at.date_input(key="as_at").value == SEPTEMBER
    assert _reach(at) == before == "82.6%"
    assert ("Registrations run to 30 September 2026, but birth records were received up to 30 November 2026: "
            "figures start at 30 September 2026, the latest date both cover.") in _sidebar_words(at)


def test_a_date_the_person_chooses_is_kept_across_pages_and_can_be_undone(demo_db, monkeypatch,
                                                                          today_is_30_november):
    at = _session(demo_db, monkeypatch)
    later = date(2026, 11, 15)
    at.date_input(key="as_at").set_value(later).run()
    at.switch_page("views/map.py").run()
    at.switch_page("views/data.py").run()
    assert at.date_input(key="as_at").value == later
    words = _sidebar_words(at)
    assert words[0] == "Every page shows figures as at **15 November 2026**."
    assert ("Registrations run only to 30 September 2026: children registered after that are not loaded yet, "
            "so reach may look lower than it is.") in words
    back = at.button(key="as_at_latest")
    assert back.label == "Use 30 September 2026"
    back.click().run()
    assert at.date_input(key="as_at").value == SEPTEMBER
    assert _sidebar_words(at)[0] == "Every page shows figures as at **30 September 2026**."


def test_an_import_during_a_session_offers_the_new_date_without_moving_it(demo_db, monkeypatch, tmp_path,
                                                                          today_is_30_november):
    at = _session(demo_db, monkeypatch)
    registrations = tmp_path / "registrations_october.csv"
    registrations.write_text("child_key,dob,lsoa_code,centre_id,registered_on\n"
                             "october-child,2025-01-01,E01900001,DEMO01,2026-10-31\n")
    _import(demo_db, "registrations", registrations)
    at.run()
    assert at.date_input(key="as_at").value == SEPTEMBER
    assert at.button(key="as_at_latest").label == "Use 31 October 2026"
    # A new session starts at the new end of the registrations.
    assert _session(demo_db, monkeypatch).date_input(key="as_at").value == date(2026, 10, 31)


def test_a_date_in_the_address_opens_the_session_on_it(demo_db, monkeypatch, today_is_30_november):
    at = _session(demo_db, monkeypatch, as_at="2026-06-30")
    assert at.date_input(key="as_at").value == date(2026, 6, 30)
    assert _sidebar_words(at)[0] == "Every page shows figures as at **30 June 2026**."
    assert not at.warning
    at.switch_page("views/compare.py").run()
    assert at.date_input(key="as_at").value == date(2026, 6, 30)


@pytest.mark.parametrize("value, reason", [
    ("2026-13-01", "it is not a real date written as YYYY-MM-DD"),
    ("2027-01-31", "it is after today"),
    ("<b>1</b>" * 10, "it is not a real date written as YYYY-MM-DD"),
])
def test_a_wrong_date_in_the_address_is_ignored_with_a_warning(demo_db, monkeypatch, today_is_30_november,
                                                               value, reason):
    at = _session(demo_db, monkeypatch, as_at=value)
    assert at.date_input(key="as_at").value == SEPTEMBER
    shown_value = value if len(value) <= 20 else value[:20] + "..."
    assert shown(at.warning) == [f"The link's date ({shown_value}) was not used: {reason}. The figures are as "
                                 "at 30 September 2026, the latest date the registrations cover."]
    # Choosing a date puts the warning away.
    at.date_input(key="as_at").set_value(date(2026, 8, 31)).run()
    assert not at.warning
