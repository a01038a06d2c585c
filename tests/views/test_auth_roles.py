"""Sign-in and roles on the dashboard, driven headlessly: a person signed in (AppTest's `user`, with
an `[auth]` section in the secrets) as each role, what they see, what they are refused, and the
audit rows written. The real sign-in through an identity provider is tested in the browser."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from data.audit import audit_trail
from data.store import StoreBusyError, opened
from reach.presentation.safe_text import markdown_text
from tests.views.figure_data import downloaded

PROJECT = Path(__file__).resolve().parents[2]
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 40,
        "client_id": "reach", "client_secret": "not-a-real-secret",
        "server_metadata_url": "http://localhost:9/.well-known/openid-configuration"}
ROLES = """email,role,centres
officer@brackenfold.gov.uk,data_officer,
*@brackenfold.gov.uk,commissioner,
hub.manager@brackenfold.gov.uk,centre_manager,BRACKENFOLD-CENTRAL
"""
OFFICER, COMMISSIONER, MANAGER = ("officer@brackenfold.gov.uk", "someone@brackenfold.gov.uk",
                                  "hub.manager@brackenfold.gov.uk")
MANAGERS_CENTRES = {"DEMO04", "DEMO05"}       # the group BRACKENFOLD-CENTRAL in the demo


@pytest.fixture
def roles_file(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "roles.csv"
    path.write_text(ROLES)
    monkeypatch.setenv("REACH_ROLES", str(path))
    return path


@pytest.fixture
def signed_in(demo_db, roles_file, monkeypatch):
    """Open the dashboard signed in as `email` (None: not signed in)."""
    monkeypatch.setenv("REACH_DB", str(demo_db))

    def open_as(email: str | None, *, query: dict | None = None) -> AppTest:
        at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=60)
        at.secrets["auth"] = dict(AUTH)
        at.user = {"is_logged_in": False} if email is None else {"is_logged_in": True, "email": email}
        for name, value in (query or {}).items():
            at.query_params[name] = value
        at.run()
        assert not at.exception, at.exception
        return at

    return open_as


def trail(db) -> list[dict]:
    with opened(db, read_only=True) as con:
        return audit_trail(con).sort_values("audit_id").to_dict(orient="records")


def texts(at) -> str:
    return " ".join(str(element.value) for kind in ("markdown", "error", "info", "warning", "title")
                    for element in at.get(kind))


def pages(at) -> list[str]:
    """The pages the person can open with their content (a refusal in place of a page is a function,
    with no script, listed nowhere: see test_a_page_refused_is_hidden_from_the_navigation)."""
    return [info["page_name"] for info in at._registered_pages.values() if info.get("script_path")]


def open_url_path(at: AppTest, url_path: str) -> AppTest:
    """As if the address bar named the page (`/data`): st.Page keys each page by its url_path."""
    at._page_hash = calc_hash(url_path)
    return at.run()


def my_centre(at: AppTest) -> AppTest:
    at.switch_page("views/my_centre.py").run()
    assert not at.exception, at.exception
    return at


def test_not_signed_in_sees_only_the_sign_in_button(signed_in):
    at = signed_in(None)
    assert [button.label for button in at.button] == ["Sign in"]
    assert "Overview" not in pages(at) and not at.dataframe and not at.get("download_button")


def test_signed_in_without_a_role_is_told_so_with_a_sign_out_button_and_nothing_else(signed_in, demo_db):
    at = signed_in("stranger@elsewhere.example")
    assert at.error[0].value == markdown_text("You are signed in as stranger@elsewhere.example but have no role in "
                                              "Reach: ask your data officer to add you to the roles file.")
    assert [button.label for button in at.button] == ["Sign out"]
    assert "Overview" not in pages(at) and not at.dataframe and not at.metric
    refused = trail(demo_db)[-1]
    assert (refused["action"], refused["actor"], refused["detail"]) == ("refused", "stranger@elsewhere.example",
                                                                        "no role")


def test_a_faulty_roles_file_gives_nobody_a_role_and_says_what_is_wrong(signed_in, roles_file):
    roles_file.write_text(ROLES + "x@brackenfold.gov.uk,owner,\n")
    at = signed_in(OFFICER)
    assert markdown_text("roles.csv, row 4, column role: expected data_officer") in at.error[0].value
    assert "Overview" not in pages(at) and not at.dataframe


def test_the_roles_file_is_read_again_when_it_changes(signed_in, roles_file):
    at = signed_in(COMMISSIONER)
    assert "Data and definitions" not in pages(at)
    roles_file.write_text(ROLES + "someone@brackenfold.gov.uk,data_officer,\n")
    at.run()
    assert "Data and definitions" in pages(at)


def test_a_sign_in_is_recorded_once_per_session(signed_in, demo_db):
    at = signed_in(OFFICER)
    at.run()
    at.switch_page("views/compare.py").run()
    sign_ins = [row for row in trail(demo_db) if row["action"] == "sign-in"]
    assert [(row["actor"], row["role"]) for row in sign_ins] == [(OFFICER, "data_officer")]


@pytest.mark.parametrize("email", [COMMISSIONER, MANAGER])
def test_the_data_page_is_neither_listed_nor_opened_by_its_address_for_other_roles(signed_in, demo_db, email):
    at = signed_in(email)
    assert "Data and definitions" not in pages(at) and "Overview" in pages(at)
    open_url_path(at, "data")
    assert not at.exception, at.exception
    assert markdown_text("This page is for data officers only.") in at.error[0].value
    assert not at.get("file_uploader") and not at.dataframe and not at.tabs
    refused = trail(demo_db)[-1]
    assert (refused["action"], refused["actor"], refused["detail"]) == ("refused", email, "page /data")


def test_a_data_officer_sees_the_data_page_and_the_audit_trail(signed_in):
    at = signed_in(OFFICER)
    assert "Data and definitions" in pages(at)
    at.switch_page("views/data.py").run()
    assert not at.exception, at.exception
    assert "Audit trail" in [tab.label for tab in at.tabs]
    assert any(button.proto.id.endswith("download_audit_trail") for button in at.get("download_button"))


def test_a_manager_opens_on_their_own_centre_and_downloads_its_worklist_which_is_recorded(signed_in, demo_db,
                                                                                           media):
    at = my_centre(signed_in(MANAGER))
    assert at.selectbox(key="centre").value == "DEMO04"
    worklist = [button for button in at.get("download_button") if button.proto.id.endswith("download_worklist")]
    assert len(worklist) == 1
    # Record-level files are made only when pressed (deferred data); the others are ready, as before.
    assert worklist[0].proto.deferred_file_id and not worklist[0].proto.url
    trend = next(button for button in at.get("download_button") if button.proto.id.endswith("download_trend"))
    assert trend.proto.url and not trend.proto.deferred_file_id
    from reach.queries.worklist import unmatched_births
    with opened(demo_db, read_only=True) as con:
        rows = len(unmatched_births(con, as_at=at.date_input(key="as_at").value, centre_id="DEMO04"))
    assert rows > 0
    assert [row for row in trail(demo_db) if row["action"] == "download"] == []    # shown is not downloaded
    listed = downloaded(at, media, "worklist")
    download = trail(demo_db)[-1]
    assert (download["action"], download["actor"], download["role"], download["centre_id"], download["row_count"]) \
        == ("download", MANAGER, "centre_manager", "DEMO04", rows)
    assert len(pd.read_csv(io.BytesIO(listed.content))) == rows
    assert listed.filename == f"worklist_DEMO04_{at.date_input(key='as_at').value}.csv"


def test_a_download_the_database_cannot_record_sends_no_records_and_says_why(signed_in, demo_db, media,
                                                                            monkeypatch):
    at = my_centre(signed_in(MANAGER))
    before = trail(demo_db)

    def busy(*args, **kwargs):
        raise StoreBusyError("an import has the database")

    refusal = ("This download was refused: no records were sent.\n"
               "Reach keeps a record of every download of children's records and could not write that record "
               "just now. The database may have been busy.\n"
               "Please try again in a minute. If it happens again tell your data officer.\n")
    with monkeypatch.context() as busy_database:
        busy_database.setattr("views.auth.record_in", busy)
        for key in ("worklist", "unmatched_counts"):
            assert downloaded(at, media, key).content.decode("utf-8") == refusal
        with zipfile.ZipFile(io.BytesIO(downloaded(at, media, "evidence_pack").content)) as pack:
            assert pack.namelist() == ["download_refused.txt"]
            assert pack.read("download_refused.txt").decode("utf-8") == refusal
    assert trail(demo_db) == before
    # The page, drawn again, says so too (once).
    at.run()
    assert not at.exception, at.exception
    warned = [w.value for w in at.warning if w.value.startswith("Your last download was not sent.")]
    assert warned == ["Your last download was not sent. Reach keeps a record of every download of children's "
                      "records, and it could not write that record (the database may have been busy). Try "
                      "again in a minute; if it happens again, tell your data officer."]
    at.run()
    assert not any(w.value.startswith("Your last download") for w in at.warning)
    # Once the database takes the row again, the records go out with it.
    assert b"child_key" in downloaded(at, media, "worklist").content
    assert trail(demo_db)[-1]["action"] == "download"


def test_a_manager_choosing_another_centre_sees_its_figures_but_not_its_worklist(signed_in, demo_db):
    at = my_centre(signed_in(MANAGER))
    at.selectbox(key="centre").set_value("DEMO01").run()
    assert not at.exception, at.exception
    assert at.metric                          # the figures, as for every role
    ids = [button.proto.id for button in at.get("download_button")]
    assert not any(i.endswith("download_worklist") or i.endswith("download_unmatched_counts") for i in ids)
    assert markdown_text("record-level data, shown only to the managers of") in texts(at)
    refused = trail(demo_db)[-1]
    assert (refused["action"], refused["centre_id"], refused["detail"]) == ("refused", "DEMO01", "worklist")


def test_a_manager_opening_another_centre_by_the_address_is_refused_its_worklist(signed_in):
    at = my_centre(signed_in(MANAGER, query={"centre": "DEMO01"}))
    assert at.selectbox(key="centre").value == "DEMO01"
    assert not any(b.proto.id.endswith("download_worklist") for b in at.get("download_button"))
    assert markdown_text("record-level data") in texts(at)


def test_a_manager_opening_their_other_centre_by_the_address_sees_its_worklist(signed_in):
    at = my_centre(signed_in(MANAGER, query={"centre": "DEMO05"}))
    assert at.selectbox(key="centre").value == "DEMO05"
    assert any(b.proto.id.endswith("download_worklist") for b in at.get("download_button"))


def test_a_commissioner_sees_every_centre_but_no_worklist(signed_in, demo_db):
    at = my_centre(signed_in(COMMISSIONER))
    for centre in ("DEMO01", "DEMO04"):
        at.selectbox(key="centre").set_value(centre).run()
        assert at.metric and not any(b.proto.id.endswith("download_worklist") for b in at.get("download_button"))
    assert [row for row in trail(demo_db) if row["action"] == "refused"] == []     # browsing is no attempt


def test_a_page_refused_is_hidden_from_the_navigation_at_the_same_address():
    def script():
        import streamlit as st

        from reach.domain.roles import CENTRE_MANAGER, Person
        from views import auth

        pages = {"Reach": [st.Page(lambda: None, title="Overview", url_path="overview", default=True)],
                 "Data": [st.Page(lambda: None, title="Data and definitions", url_path="data")]}
        shown = auth.allowed_pages(pages, Person(email="m@x.gov.uk", role=CENTRE_MANAGER,
                                                 centres=frozenset({"C1"})))
        st.session_state["shown"] = {section: [(page.url_path, page.visibility) for page in listed]
                                     for section, listed in shown.items()}

    at = AppTest.from_function(script).run()
    assert not at.exception, at.exception
    assert at.session_state["shown"] == {"Reach": [("", "visible"), ("data", "hidden")]}


def test_an_import_and_its_undo_on_the_data_page_are_recorded_by_the_signed_in_officer(signed_in, demo_db):
    at = signed_in(OFFICER)
    at.switch_page("views/data.py").run()
    at.selectbox(key="upload_kind").select("centres").run()
    at.file_uploader(key="upload_file").upload("new_centre.csv", b"centre_id,name\nDEMO99,New Hub\nDEMO98,Two\n",
                                               "text/csv")
    at.run()
    at.button(key="upload_go").click().run()
    assert not at.exception, at.exception
    with opened(demo_db, read_only=True) as con:
        newest = con.execute("SELECT max(import_id) FROM import_log").fetchone()[0]
    imported = trail(demo_db)[-1]
    assert (imported["action"], imported["actor"], imported["role"], imported["row_count"], imported["detail"]) == \
        ("import", OFFICER, "data_officer", 2, f"import {newest}: centres, new_centre.csv")
    at.selectbox(key="undo_import").select(newest).run()
    at.checkbox(key="undo_confirm").check().run()
    at.button(key="undo_go").click().run()
    assert not at.exception, at.exception
    undone = trail(demo_db)[-1]
    assert (undone["action"], undone["actor"], undone["row_count"], undone["detail"]) == \
        ("undo", OFFICER, 2, f"import {newest}: centres, new_centre.csv")
    # ... and the officer sees both in the audit trail, with a download.
    shown = next(frame.value for frame in at.dataframe if "action" in frame.value.columns)
    assert list(shown["action"][:2]) == ["undo", "import"]
