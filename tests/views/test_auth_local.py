"""Local mode: with no sign-in configured, the dashboard is for one person at this computer, as a
data officer; reached on any other address it shows only a refusal, unless REACH_ALLOW_ANONYMOUS=1,
which a banner on every page then states."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.audit import audit_trail
from data.store import opened
from tests.views.figure_data import downloaded

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def served(demo_db, monkeypatch):
    """Open the dashboard as a browser that asked for `host`, the server listening on `address`."""
    monkeypatch.setenv("REACH_DB", str(demo_db))
    monkeypatch.delenv("REACH_ALLOW_ANONYMOUS", raising=False)

    def open_at(host: str | None, *, address: str = "localhost") -> AppTest:
        monkeypatch.setattr("views.auth._request_host", lambda: host)
        monkeypatch.setattr("views.auth._server_address", lambda: address)
        at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=60)
        at.run()
        assert not at.exception, at.exception
        return at

    return open_at


def listed(at) -> list[str]:
    return [info["page_name"] for info in at._registered_pages.values() if info.get("script_path")]


@pytest.mark.parametrize("host", ["localhost:8501", "127.0.0.1:8501", "[::1]:8501", None])
def test_on_this_computer_the_person_is_a_data_officer_with_no_banner(served, host):
    at = served(host)
    assert "Data and definitions" in listed(at)
    assert at.metric and not at.warning


@pytest.mark.parametrize("host, address", [("reach.brackenfold.gov.uk", "0.0.0.0"),
                                           ("10.1.2.3:8501", "0.0.0.0"),
                                           ("localhost:8501", "0.0.0.0"),      # listening on every address
                                           ("reach.brackenfold.gov.uk", "localhost")])   # a proxy in front
def test_served_elsewhere_without_sign_in_every_page_is_refused(served, host, address):
    at = served(host, address=address)
    assert [title.value for title in at.title] == ["Sign-in is not configured"]
    assert "not shown on a network without sign-in" in at.error[0].value
    assert "REACH_ALLOW_ANONYMOUS=1" in at.markdown[0].value
    assert not at.metric and not at.dataframe and not at.get("download_button")
    assert "Overview" not in listed(at)


def test_anonymous_use_allowed_is_stated_by_a_banner_on_every_page(served, monkeypatch):
    monkeypatch.setenv("REACH_ALLOW_ANONYMOUS", "1")
    at = served("reach.brackenfold.gov.uk", address="0.0.0.0")
    for page in ("views/overview.py", "views/my_centre.py", "views/data.py"):
        at.switch_page(page).run()
        assert not at.exception, at.exception
        assert "Anyone who can reach this dashboard is using it as a data officer" in at.warning[0].value
    assert any(b.proto.id.endswith("download_worklist") for b in at.switch_page("views/my_centre.py").run()
               .get("download_button"))


def test_without_sign_in_a_worklist_download_is_recorded_too_before_it_is_sent(served, monkeypatch, media, demo_db):
    """Local mode audits record-level downloads as sign-in does (the person: "anonymous" here)."""
    monkeypatch.setenv("REACH_ALLOW_ANONYMOUS", "1")
    at = served("reach.brackenfold.gov.uk", address="0.0.0.0").switch_page("views/my_centre.py").run()
    assert not at.exception, at.exception
    listed = downloaded(at, media, "worklist")
    with opened(demo_db, read_only=True) as con:
        newest = audit_trail(con, limit=1).iloc[0]
    assert (newest["action"], newest["actor"], newest["role"], newest["centre_id"]) == \
        ("download", "anonymous", "data_officer", at.selectbox(key="centre").value)
    assert newest["row_count"] == listed.content.decode("utf-8").count("\n") - 1 > 0
