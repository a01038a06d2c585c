"""What every page shares: the store, the global settings, cached figures, tables with downloads.

The dashboard never holds the database open: each cached query opens a read-only connection,
reads, and closes it, so `python -m reach import` can write between page loads. Cached results
are keyed by the data stamp (`reach.queries.stamps.data_stamp`: the import log and the
store's settings), so new figures appear after an import or an undo, here or from the command
line, without a restart, while a write that changes no figure (an audit row at sign-in or at a
download) keeps every cached figure. The stamp itself is read again only when the database file
changes. A figure is first looked for among the figures stored right after the last import (the
report and trend the pages open on, and the like): read when stored for the same data and
settings, worked out otherwise (`reach.queries.figures_store.stored_or_computed`). What reads
the audit trail is keyed by the file itself, so every new row shows.

What is remembered across pages, and when (the state model). A session is one browser tab;
a new tab or a reload starts afresh. Only these choices outlive the page they were made on:

- **The as-at date** (sidebar, "Figures as at", key `as_at`). Set once, when the session starts:
  to the date in the page's address (`?as_at=YYYY-MM-DD`, as a shared What if link carries it)
  when that is a real date not after today, otherwise (with a warning if the address had one)
  to the date the figures start at: the last day the registrations cover, never after today
  (`reach.domain.readiness.default_as_at`). After that only the person moves it, by changing
  the field or pressing the button that offers the latest date; an import during the session
  does not (the sidebar offers the new date instead). The date in use is written out under the
  field, since a typed date applies only once the field is left.
- **The band thresholds** (sidebar, keys `band_outstanding`, `band_good`, `band_ri`): the
  standard ones until the person changes them.
- **The centre chosen** (`remember_centre`, `opening_centre` below): only a person's own choice
  in a centre chooser; a page that merely opens on a centre never writes it. Until there is one,
  choosers open on the centre in the page's address (`?centre=ID`), else a centre manager's own.
- **The person** (`person`, key `person`): found afresh on every run by views/auth.py, before
  the navigation; what they may see of a centre is checked where it is shown.

Everything else a page keeps (what to undo on the Data page, the quarantine filters, a What if
scenario) is that page's own, under keys it alone reads. `settings` is worked out afresh from
the choices above on every run.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

import pandas as pd
import streamlit as st

from data import figures_worker
from data.settings import read_settings
from data.store import KeyProblem, StoreBusyError, StoreVersionError, data_version, database_path, opened
from reach.domain.measures import DEFINITIONS, Bands, ReportOptions
from reach.presentation import format as fmt
from reach.presentation.safe_text import file_name as safe_file_name, markdown_text, spreadsheet_safe
from reach.domain.readiness import Coverage, date_from_link, default_as_at as starting_date
from reach.domain.roles import Person
from reach.presentation.readiness_sentences import as_at_in_use, as_at_note
from reach.presentation.summaries import long_date
from reach.presentation.wording import Wording, reword, use
from reach.queries.figures_store import TREND_MONTHS, dashboard_trends, store_figures_after, stored_or_computed
from reach.queries.readiness import data_coverage
from reach.queries.stamps import data_stamp
from reach.queries.report import reach_reports


# --- the store --------------------------------------------------------------------------------

def db_path() -> Path:
    return database_path()


@st.cache_resource(show_spinner="Building the demo authority (first run only)...")
def _ensure_database(path: str) -> bool:
    """On a fresh machine there is no database: build the demo authority once per process, and
    store the figures its pages open on, as an import does."""
    from data.demo import ensure_demo
    built = ensure_demo(Path(path))
    if built:
        store_figures_after(path)
    return built


def figures_stored_after_change() -> str | None:
    """The step after an import or an undo on the Data page: store the figures every page opens
    on (see `reach.queries.figures_store`). Returns None when they were stored, or one line
    saying they could not be (the import stands; the pages then work them out when opened), or
    that they are being stored in the background: on a large store, as after an import from
    the command line (data.figures_worker), so the page is not held for a minute."""
    path = db_path()
    if figures_worker.takes_long(path):
        try:
            figures_worker.start(path)
            return ("The figures every page opens on are being stored in the background (about a minute "
                    "at England's size); a page opened before then works out what it needs itself.")
        except OSError:
            pass          # no process to spare: stored here, as on a small store
    with st.spinner("Working out the figures every page opens on..."):
        stored, line = store_figures_after(path)
    return None if stored else line


def ensure_database() -> None:
    path = db_path()
    if not path.exists():
        _ensure_database.clear()
    try:
        _ensure_database(str(path))
    except KeyProblem as problem:      # a REACH_SECRET too short to build the demo with
        st.error(markdown_text(str(problem)))
        st.stop()


def version() -> tuple:
    """The database file's version (modification time and size): changes with every write."""
    return data_version(db_path())


@st.cache_data(show_spinner=False, max_entries=8)
def _stamp(path: str, version: tuple) -> str:
    return read(data_stamp)


def stamp() -> str:
    """The data stamp the cached figures are keyed by (`reach.queries.stamps.data_stamp`):
    read from the store only when the file has changed since it was last read."""
    return _stamp(str(db_path()), version())


def read(function, *args, **kwargs):
    """Run `function(con, *args, **kwargs)` on a short-lived read-only connection."""
    try:
        with opened(db_path(), read_only=True, wait_seconds=15) as con:
            return function(con, *args, **kwargs)
    except StoreBusyError:
        st.warning("The database is being updated by an import. The figures will appear when it "
                   "finishes: reload the page in a moment.")
        st.stop()
    except StoreVersionError as problem:    # made by a newer Reach, or an older one to upgrade
        st.error(markdown_text(str(problem)))
        st.stop()


# --- global settings (drawn once in dashboard.py, read on every page) -------------------------

def use_site_words() -> Wording:
    """Word this run's page as the store calls its sites (children's centres or family hubs):
    read once per run, before the navigation, cached by the database's version."""
    return use(cached(read_settings).site_word)


@dataclass(frozen=True)
class Settings:
    as_at: date
    bands: Bands

    @property
    def options(self) -> ReportOptions:
        return ReportOptions(bands=self.bands)

    @property
    def band_key(self) -> tuple:
        return (self.bands.outstanding, self.bands.good, self.bands.requires_improvement)


@st.cache_data(show_spinner=False, max_entries=8)
def _coverage(path: str, stamp: str) -> Coverage:
    return read(data_coverage)


def coverage() -> Coverage:
    """The last date each dated source reaches."""
    return _coverage(str(db_path()), stamp())


def default_as_at() -> date:
    """The date the figures start at: the last day the registrations cover, never after today
    (a new births file, or a mistyped future date in one row, does not move it)."""
    return starting_date(coverage(), date.today())


AS_AT, _LINK_PROBLEM = "as_at", "as_at_link_problem"


def _open_as_at(start: date) -> None:
    """At the start of a session: the date in the page's address, if it carries a good one,
    otherwise the date the figures start at."""
    if AS_AT in st.session_state:
        return
    value = st.query_params.get(AS_AT)
    day, problem = date_from_link(value, date.today())
    st.session_state[AS_AT] = day or start
    if problem and value is not None:
        shown = value if len(value) <= 20 else value[:20] + "..."
        st.session_state[_LINK_PROBLEM] = (
            f"The link's date ({shown}) was not used: {problem}. The figures are as at "
            f"{long_date(start)}, the latest date the registrations cover.")


def _date_chosen() -> None:
    st.session_state.pop(_LINK_PROBLEM, None)


def _use_date(day: date) -> None:
    st.session_state[AS_AT] = day
    _date_chosen()


def sidebar_settings() -> Settings:
    """The as-at date and the band thresholds, in the sidebar of every page."""
    start = default_as_at()
    _open_as_at(start)
    with st.sidebar:
        chosen = st.date_input("Figures as at", key=AS_AT, format="YYYY-MM-DD", on_change=_date_chosen,
                               help="Every figure on every page is worked out as at this date. It starts "
                                    "at the last day the registrations cover. A typed date applies when "
                                    "you leave the field.")
        as_at = chosen if chosen is not None else start      # a field emptied: the starting date
        st.caption(as_at_in_use(as_at))
        note = as_at_note(coverage(), as_at=as_at, start=start, today=date.today())
        if note:
            st.caption(note)
        if figures_worker.running(db_path()) is not None:
            st.caption("The figures after the latest import are still being stored; until they are, "
                       "a page works out what it needs itself, which takes longer.")
        if as_at != start:
            st.button(f"Use {long_date(start)}", key="as_at_latest", on_click=_use_date, args=(start,),
                      help="The latest date the registrations cover, where every page starts.")
        with st.expander("Band thresholds"):
            standard = Bands()
            outstanding = st.number_input("Outstanding from (%)", 0.0, 100.0, standard.outstanding, 0.5,
                                          key="band_outstanding",
                                          help="Also the target that families to find and the What if page aim at.")
            good = st.number_input("Good from (%)", 0.0, 100.0, standard.good, 0.5, key="band_good")
            requires = st.number_input("Requires improvement from (%)", 0.0, 100.0, standard.requires_improvement,
                                       0.5, key="band_ri")
            st.caption("Below the last threshold the indicative band is 'inadequate'.")
    if _LINK_PROBLEM in st.session_state:
        st.warning(markdown_text(st.session_state[_LINK_PROBLEM]))
    try:
        bands = Bands(outstanding=outstanding, good=good, requires_improvement=requires)
    except ValueError as error:
        st.sidebar.error(str(error) + " Using the standard thresholds until they are fixed.")
        bands = Bands()
    return Settings(as_at=as_at, bands=bands)


def settings() -> Settings:
    return st.session_state["settings"]


# --- the centre chosen, remembered across pages ----------------------------------------------
# One rule for every page: only a person's own choice is remembered, never what a page opened on.
# Each centre chooser passes `remember_centre` as its on_change callback and opens on
# `opening_centre`. Choosing "all centres" (Map, What if) is remembered too; My centre and Compare,
# which always show one centre, then open on the last single centre chosen.

_CHOSEN, _LAST_SINGLE = "chosen_centre", "last_single_centre"


def remember_centre(widget_key: str, all_option: object = None) -> None:
    """on_change callback of a centre chooser: remember what the person chose there."""
    choice = st.session_state.get(widget_key)
    centre_id = None if choice == all_option else choice
    st.session_state[_CHOSEN] = centre_id
    if centre_id is not None:
        st.session_state[_LAST_SINGLE] = centre_id


def opening_centre(options: list, *, all_option: object = None):
    """The option a centre chooser opens on. With `all_option` (a chooser that offers every centre
    together), the person's last choice, "all" included; otherwise the last single centre chosen.
    Before any choice: the centre in the page's address (`?centre=ID`), else a centre manager's own
    centre, else `all_option`, or the first option. (What the person may see of the centre is
    checked where it is shown, whichever way it was reached.)"""
    if all_option is not None:
        if _CHOSEN in st.session_state:
            chosen = st.session_state.get(_CHOSEN)
            if chosen is None:
                return all_option
            return chosen if chosen in options else all_option
        first = _first_centre(options)
        return first if first is not None else all_option
    single = st.session_state.get(_LAST_SINGLE)
    if single in options:
        return single
    first = _first_centre(options)
    return first if first is not None else (options[0] if options else None)


CENTRE_LINK = "centre"


def _first_centre(options: list):
    """Before the person chooses: the link's centre, else a centre manager's own (None: neither)."""
    linked = st.query_params.get(CENTRE_LINK)
    if linked in options:
        return linked
    found = st.session_state.get(PERSON)
    home = found.home_centre if found is not None else None
    return home if home in options else None


# --- who is using the dashboard (found by views/auth.py before any page is drawn) ---------------

PERSON = "person"


def person() -> Person:
    """The person using the dashboard, with their role (see reach.domain.roles)."""
    return st.session_state[PERSON]


# --- cached figures ---------------------------------------------------------------------------

def _options(band_key: tuple) -> ReportOptions:
    outstanding, good, requires = band_key
    return ReportOptions(bands=Bands(outstanding=outstanding, good=good, requires_improvement=requires))


@st.cache_data(show_spinner="Working out the figures...", max_entries=32)
def _reports(path: str, stamp: str, as_at: date, band_key: tuple) -> dict[str, pd.DataFrame]:
    # Every level in one computation: the pages ask for centres, LSOAs and the authority together.
    # Stored after the last import for the date and thresholds the pages open on.
    return read(stored_or_computed, path, reach_reports, as_at=as_at, options=_options(band_key))


@st.cache_data(show_spinner="Working out the trend...", max_entries=16)
def _trends(path: str, stamp: str, until: date, months: int, band_key: tuple) -> dict[str, pd.DataFrame]:
    # By centre and for the authority (no page draws the LSOAs' trend).
    return read(stored_or_computed, path, dashboard_trends, until=until, months=months, options=_options(band_key))


def report(by: str = "centre", *, as_at: date | None = None) -> pd.DataFrame:
    s = settings()
    return _reports(str(db_path()), stamp(), as_at or s.as_at, s.band_key)[by]


def trend(by: str = "authority", *, months: int = TREND_MONTHS) -> pd.DataFrame:
    """The trend by centre or for the authority: each month-end for `months` months up to the
    date in use."""
    s = settings()
    return _trends(str(db_path()), stamp(), s.as_at, months, s.band_key)[by]


# What reads the logs of who did what, which grow with writes that change no figure (a sign-in,
# a download): cached by the database file's version instead of the data stamp.
_KEYED_BY_FILE = {"data.audit", "data.export_log"}


def cached(function, *args, **kwargs):
    """Cache any `reach` query function by the data stamp and its arguments, reading it from the
    stored figures when they hold it (the audit trail and the export log: by the file's version)."""
    key = version() if function.__module__ in _KEYED_BY_FILE else stamp()
    return _cached_call(function.__module__, function.__qualname__, str(db_path()), key, args,
                        tuple(sorted(kwargs.items())))


@st.cache_data(show_spinner=False, max_entries=128)
def _cached_call(module: str, name: str, path: str, key: object, args: tuple, kwargs: tuple):
    import importlib
    function = importlib.import_module(module)
    for part in name.split("."):
        function = getattr(function, part)
    return read(stored_or_computed, path, function, *args, **dict(kwargs))


# --- showing things ---------------------------------------------------------------------------

def definition(name: str) -> None:
    """The definition of a measure, one click away."""
    entry = DEFINITIONS[name]
    # In lower case, except a short form that is always in capitals (LSOA, IDACI, GLD).
    asked = " ".join(word if word.isupper() and len(word) > 1 else word.lower() for word in name.split())
    with st.popover(f"What is {asked}?"):
        st.markdown(f"**{entry.name}**: {reword(entry.meaning)}")


def definitions(*names: str) -> None:
    """The definitions of several measures side by side, each one click away."""
    with st.container(horizontal=True):
        for name in names:
            definition(name)


def table(frame: pd.DataFrame, *, file_name: str, key: str, column_config: dict | None = None,
          caption: str | None = None, height: int | None = None, audit: Callable[[], bool] | None = None) -> None:
    """A table with friendly headings and, under it, a CSV download of the raw figures.

    Cells are shown as plain text (never Markdown); `caption` is Markdown, so any name in it must
    be escaped by the caller. `audit` makes the download one of record-level data (see
    `download_button`)."""
    headings = {c: reword(fmt.HEADINGS.get(c, c)) for c in frame.columns}
    shown = frame.rename(columns=headings)
    # Whole numbers with thousands separators (1,143), unless the page says otherwise.
    counts = {c: st.column_config.NumberColumn(format="localized") for c in frame.columns
              if pd.api.types.is_integer_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])}
    config = {reword(fmt.HEADINGS.get(k, k)): v for k, v in {**counts, **(column_config or {})}.items()}
    st.dataframe(shown, hide_index=True, width="stretch", height=height or "auto", column_config=config,
                 placeholder=fmt.NO_FIGURE)
    if caption:
        st.caption(caption)
    download(frame, file_name=file_name, key=key, audit=audit)


def download(frame: pd.DataFrame, *, file_name: str, key: str, label: str = "Download CSV",
             audit: Callable[[], bool] | None = None) -> None:
    """A CSV download of `frame`, safe to open in a spreadsheet: a text cell that would run as a
    formula (a name starting with `=`, `+`, `-` or `@`) starts with `'`. The file name may hold a
    centre's ID, so it is cleaned too. `audit`: record-level data (see `download_button`)."""
    # Record-level data is made into a file only when it is to be sent, after its audit row.
    data = partial(_csv, frame) if audit is not None else _csv(frame)
    download_button(label, data, file_name=safe_file_name(file_name), mime="text/csv", key=f"download_{key}",
                    audit=audit)


def _csv(frame: pd.DataFrame) -> bytes:
    return spreadsheet_safe(frame).to_csv(index=False).encode("utf-8")


def download_button(label: str, data: bytes | Callable[[], bytes], *, file_name: str, mime: str, key: str,
                    audit: Callable[[], bool] | None = None, place=None, **options) -> None:
    """A download button (`st.download_button` in `place`, the page by default), and the one home of
    the audit of record-level downloads.

    With `audit` (record-level data: `views.auth.download_audit`) it fails closed. The file is made
    only when the button is pressed (Streamlit's deferred `data`, run on a thread of its own):
    first the audit row is written, and only if it was are the records made and sent. If it was
    not (the database busy), the person is handed instead a short file saying the download was
    refused (`refused_download`): Streamlit can show nothing on the page from that thread, and a
    file that only failed would say nothing useful. The page warns them when next drawn. An
    audit that raises sends nothing either (Streamlit answers with an error under the button).
    Pressing it does not run the page again: nothing on the page changes."""
    place = place if place is not None else st
    if audit is None:
        place.download_button(label, data, file_name=file_name, mime=mime, key=key, **options)
        return
    place.download_button(label, audited_data(data, audit=audit, mime=mime), file_name=file_name, mime=mime,
                          key=key, on_click="ignore", **options)


def audited_data(data: bytes | Callable[[], bytes], *, audit: Callable[[], bool],
                 mime: str) -> Callable[[], bytes]:
    """The deferred data of a record-level download: the file's bytes once `audit` has written its
    row, else the refusal (`refused_download`)."""
    def audited() -> bytes:
        if not audit():
            return refused_download(mime)
        return data() if callable(data) else data
    return audited


REFUSED_LINES = ("This download was refused: no records were sent.",
                 "Reach keeps a record of every download of children's records and could not write "
                 "that record just now. The database may have been busy.",
                 "Please try again in a minute. If it happens again tell your data officer.")
REFUSED_NAME = "download_refused.txt"


def refused_download(mime: str) -> bytes:
    """The file handed over in place of records whose download could not be recorded, in the form
    the file's name promises: a zip holding one text file, or plain lines (a CSV opens with one
    sentence a row, so the lines hold no comma)."""
    text = "\n".join(REFUSED_LINES) + "\n"
    if mime != "application/zip":
        return text.encode("utf-8")
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(REFUSED_NAME, text)
    return packed.getvalue()


def percent_columns(frame: pd.DataFrame) -> dict:
    return {c: st.column_config.NumberColumn(format="%.1f%%") for c in frame.columns if c.endswith("_pct")}
