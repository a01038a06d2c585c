"""Who is using the dashboard, and what they may open: sign-in, the roles file, the refusals and
the audit of sign-ins and refusals. Called by dashboard.py before any page is drawn.

- **Sign-in configured** (an `[auth]` section in `.streamlit/secrets.toml`, as Streamlit documents
  for `st.login`): a person who has not signed in sees only the sign-in button; one who has is
  given a role by the roles file (`REACH_ROLES`), or, with no role, a page that says so and a
  sign-out button. A roles file with a fault gives nobody a role (the page says what is wrong).
- **No sign-in configured** (local mode): one person at this computer, as a data officer, when
  the dashboard listens on this computer only and the browser reached it there. Served on any
  other address, every page shows only a refusal explaining how to configure sign-in, unless
  `REACH_ALLOW_ANONYMOUS=1`, when everyone who reaches it is a data officer and a banner on every
  page says so.

The permissions themselves are in `reach.domain.roles`. The person found is kept for the run in
the session state (`views.common.person()` reads it); nothing a browser sends can set it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime, UTC
from pathlib import Path
from typing import NoReturn

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from data import figures_worker
from data.audit import DOWNLOAD, REFUSED, SIGN_IN, record_in
from data.export_log import operating_system_user
from data.store import StoreBusyError
from reach.domain.roles import (DATA_OFFICER, Person, RoleLine, RolesFileFault, is_loopback, parse_roles,
                                person_for)
from reach.presentation.safe_text import markdown_text
from reach.queries.people import centre_groups
from views import common, safe_log

ENV_ROLES, ENV_ANONYMOUS = "REACH_ROLES", "REACH_ALLOW_ANONYMOUS"
_SIGNED_IN, _REFUSALS, _NOT_RECORDED = "audit_signed_in", "audit_refusals", "audit_not_recorded"
_DOWNLOAD_REFUSED = "audit_download_refused"
_PROVIDER_KEYS = {"redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url",
                  "client_kwargs", "expose_tokens"}


# --- what the server was told ------------------------------------------------------------------------

def _auth_section() -> dict | None:
    """The `[auth]` section of the secrets, or None where there is none."""
    try:
        if not st.secrets.load_if_toml_exists() or "auth" not in st.secrets:
            return None
        return dict(st.secrets["auth"])
    except Exception:          # an unreadable secrets file: sign-in is not configured
        return None


def sign_in_configured() -> bool:
    return bool(_auth_section())


def providers() -> list[str | None]:
    """The identity providers to offer: the named ones (`[auth.microsoft]`, ...), else the one
    configured in `[auth]` itself (None)."""
    section = _auth_section() or {}
    named = [name for name, value in section.items() if name not in _PROVIDER_KEYS and hasattr(value, "keys")]
    return named or [None]


def _request_host() -> str | None:
    """The Host the browser asked for (None where there is no request, as under AppTest)."""
    try:
        return st.context.headers.get("Host")
    except Exception:
        return None


def _server_address() -> str | None:
    return st.get_option("server.address") or None


def on_this_computer() -> bool:
    """The dashboard listens on this computer only, and the browser reached it there."""
    host = _request_host()
    return is_loopback(_server_address()) and (host is None or is_loopback(host))


def anonymous_allowed() -> bool:
    return os.environ.get(ENV_ANONYMOUS, "").strip() == "1"


# --- the roles file ----------------------------------------------------------------------------------

def _roles_file() -> Path | None:
    value = os.environ.get(ENV_ROLES, "").strip()
    return Path(value) if value else None


@st.cache_data(show_spinner=False, max_entries=4)
def _read_roles(path: str, stamp: tuple) -> list[RoleLine] | str:
    """The lines of the roles file, or the words saying why it cannot be used. Read again whenever
    the file changes (`stamp` is its modification time and size)."""
    name = Path(path).name
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return f"{name}: the file is not UTF-8 text; save it as CSV (UTF-8)"
    except OSError as error:
        return f"{name}: the file cannot be read ({error.strerror or 'unreadable'})"
    try:
        return parse_roles(text, file_name=name)
    except RolesFileFault as fault:
        return str(fault)


def role_lines() -> list[RoleLine] | str:
    """The roles file's lines, or the one line saying what is wrong with it (nobody gets a role)."""
    path = _roles_file()
    if path is None:
        return (f"no roles file is named: set {ENV_ROLES} to the path of the roles file (a CSV with the "
                "columns email, role and centres)")
    try:
        info = path.stat()
    except OSError:
        return f"{path.name}: there is no roles file there ({ENV_ROLES} names it)"
    return _read_roles(str(path), (info.st_mtime_ns, info.st_size))


# --- the person ----------------------------------------------------------------------------------------

def person() -> Person:
    """Who is using the dashboard. Shows the sign-in, no-role or refusal page and stops the run
    when there is nobody to show the dashboard to."""
    if not sign_in_configured():
        return _local_person()
    if not st.user.is_logged_in:
        _sign_in_page()
    email = str(st.user.get("email") or "").strip()
    lines = role_lines()
    if isinstance(lines, str):
        _stop_page("Reach cannot tell who may see what",
                   "The roles file cannot be used, so nobody is given a role until it is put right. For "
                   f"the data officer: {lines}.")
    groups = common.cached(centre_groups) if any(line.centres for line in lines) else {}
    found = person_for(lines, email, groups=groups)
    if found is None:
        refuse_once(Person(email=email or "unknown", role=""), "no role")
        _stop_page("No role in Reach",
                   f"You are signed in as {email or 'someone with no e-mail address'} but have no role in "
                   "Reach: ask your data officer to add you to the roles file.")
    _record_sign_in(found)
    _remember(found)
    return found


def _local_person() -> Person:
    if on_this_computer():
        found = Person(email=f"{operating_system_user()} (on this computer)", role=DATA_OFFICER)
    elif anonymous_allowed():
        st.warning(f"Anyone who can reach this dashboard is using it as a data officer, without signing in "
                   f"({ENV_ANONYMOUS}=1 is set): they can see every centre's worklist, load files and undo "
                   "imports. Configure sign-in before putting it in front of staff.", icon=":material/warning:")
        found = Person(email="anonymous", role=DATA_OFFICER)
    else:
        st.title("Sign-in is not configured")
        st.error("Reach shows figures made from personal data, so it is not shown on a network without sign-in.")
        st.markdown(
            "For whoever runs Reach: configure sign-in with your council's identity provider in "
            "`.streamlit/secrets.toml` (an `[auth]` section, as the README's \"Sign-in and roles\" shows) and "
            f"name the roles file in `{ENV_ROLES}`; or open the dashboard on the computer it runs on "
            "(http://localhost:8501), listening there only. To show it to anyone who can reach it without "
            f"signing in, set `{ENV_ANONYMOUS}=1`: each of them is then a data officer.")
        st.stop()
    _remember(found)
    return found


def _remember(found: Person) -> None:
    st.session_state[common.PERSON] = found


def _sign_in_page() -> NoReturn:
    st.title("Reach")
    st.markdown("Reach shows figures made from personal data: sign in with your council account to continue.")
    for provider in providers():
        label = "Sign in" if provider is None else f"Sign in with {str(provider).replace('_', ' ').title()}"
        if st.button(label, key=f"sign_in_{provider or 'default'}", type="primary"):
            if provider is None:
                st.login()
            else:
                st.login(provider)
    st.stop()


def _stop_page(title: str, words: str) -> NoReturn:
    st.title(title)
    st.error(markdown_text(words))
    if st.button("Sign out", key="sign_out"):
        st.logout()
    st.stop()


def sign_out_button() -> None:
    """In the sidebar of every page: who is signed in, in which role, and the sign-out button."""
    found = common.person()
    if st.session_state.pop(_NOT_RECORDED, False):
        st.warning("The database was busy, so your last change was not written to the audit trail. "
                   "Tell your data officer.")
    if st.session_state.pop(_DOWNLOAD_REFUSED, False):
        st.warning("Your last download was not sent. Reach keeps a record of every download of children's "
                   "records, and it could not write that record (the database may have been busy). Try again "
                   "in a minute; if it happens again, tell your data officer.")
    if not sign_in_configured():
        return
    with st.sidebar:
        st.caption(markdown_text(f"Signed in as {found.email} ({found.role_name})."))
        if st.button("Sign out", key="sign_out_sidebar"):
            st.logout()


# --- the audit trail -------------------------------------------------------------------------------------

def _record(found: Person, **row) -> bool:
    """One audit row; False (and a line in the log, with no names) when the store cannot take it."""
    try:
        # A worker storing the figures after a large import is stopped by the write, and started
        # again after it: an audit row changes no figure (data.figures_worker).
        with figures_worker.set_aside(common.db_path()):
            record_in(common.db_path(), actor=found.email, role=found.role or None, **row)
    except StoreBusyError:
        safe_log.fault("An audit row (%s) waited too long for the database", row.get("action"))
        return False
    except Exception:
        safe_log.fault("An audit row (%s) could not be written", row.get("action"))
        return False
    return True


def _record_sign_in(found: Person) -> None:
    """One row per sign-in. Every page opened by its address is a new session on the same sign-in
    (the cookie carries it), so the sign-in is told apart by its identity token's time of issue
    (`iat`, which OpenID Connect requires) and recorded once; without one, once per session."""
    if st.session_state.get(_SIGNED_IN) == found.email:
        return
    issued = st.user.get("iat")
    detail = None
    if isinstance(issued, (int, float)):
        detail = f"token issued {datetime.fromtimestamp(issued, tz=UTC):%Y-%m-%d %H:%M:%S} UTC"
    if _record(found, action=SIGN_IN, detail=detail, once=detail is not None):
        st.session_state[_SIGNED_IN] = found.email


def record(found: Person, **row) -> None:
    """An audit row for a change the person made (an import, an undo), written once it is made.
    Where the store cannot take it, the page says the change was not recorded. (A download is
    audited before its file is sent: `download_audit`.)"""
    if not _record(found, **row):
        st.session_state[_NOT_RECORDED] = True


def download_audit(found: Person, **row) -> Callable[[], bool]:
    """The audit of one download of record-level data, for `common.download_button(audit=...)`,
    which runs it when the button is pressed, before making the file, and sends the records only
    if it returns True (the row is written): no records leave without their audit row.

    Streamlit runs it on a thread of its own, outside any run of the page, where `st.session_state`
    is an empty stand-in and `st.warning` does nothing. So the session's state is taken now, while
    the page runs, and a refusal is written there: the page's next run warns the person (who has
    also been handed a file saying why, see `common.refused_download`)."""
    context = get_script_run_ctx(suppress_warning=True)
    state = context.session_state if context is not None else None

    def audit() -> bool:
        if _record(found, action=DOWNLOAD, **row):
            return True
        if state is not None:
            state[_DOWNLOAD_REFUSED] = True
        return False

    return audit


def refuse_once(found: Person, what: str, *, centre_id: str | None = None) -> None:
    """Record a refusal, once per session for each thing refused (a page rerun is not a new attempt)."""
    done = st.session_state.setdefault(_REFUSALS, set())
    if (what, centre_id) not in done and _record(found, action=REFUSED, centre_id=centre_id, detail=what):
        done.add((what, centre_id))


# --- the pages a person may open -------------------------------------------------------------------------

def allowed_pages(pages: dict, found: Person) -> dict:
    """The navigation for this person: every page they may open, and in place of each page they may
    not, a hidden page at the same address that only refuses (so `/data` typed in the address bar is
    refused, not quietly replaced by another page)."""
    shown: dict = {}
    hidden = []
    for section, section_pages in pages.items():
        kept = [page for page in section_pages if found.may_open(page.url_path)]
        hidden += [st.Page(_refusal_for(page.url_path, page.title), title=page.title, url_path=page.url_path,
                           visibility="hidden")
                   for page in section_pages if not found.may_open(page.url_path)]
        if kept:                 # a section with nothing the person may open is not listed at all
            shown[section] = kept
    first = next(iter(shown))
    shown[first] = [*shown[first], *hidden]
    return shown


def _refusal_for(url_path: str, title: str):
    def refused() -> None:
        found = common.person()
        refuse_once(found, f"page /{url_path}")
        st.title(title)
        st.error(markdown_text(f"This page is for data officers only. You are signed in as a {found.role_name}: "
                               "ask your data officer if you need something from it."))
    refused.__name__ = f"refused_{url_path.replace('-', '_')}"
    return refused


def require_data_officer() -> Person:
    """At the top of a data officer's page: stop, refusing, for anyone else."""
    found = common.person()
    if not found.may_import:
        refuse_once(found, "page /data")
        st.error("This page is for data officers only.")
        st.stop()
    return found
