"""What every page shares: the store, the global settings, cached figures, tables with downloads.

The dashboard never holds the database open: each cached query opens a read-only connection,
reads, and closes it, so `python -m reach import` can write between page loads. Cached results
are keyed by the database file's version, so new figures appear after an import without a
restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from data.store import KeyProblem, StoreBusyError, StoreVersionError, data_version, database_path, opened
from reach.domain.measures import DEFINITIONS, Bands, ReportOptions
from reach.domain.months import month_ends
from reach.presentation import format as fmt
from reach.presentation.safe_text import file_name as safe_file_name, markdown_text, spreadsheet_safe
from reach.queries.report import latest_data_date, reach_reports, reach_trends


# --- the store --------------------------------------------------------------------------------

def db_path() -> Path:
    return database_path()


@st.cache_resource(show_spinner="Building the demo authority (first run only)...")
def _ensure_database(path: str) -> bool:
    """On a fresh machine there is no database: build the demo authority once per process."""
    from data.demo import ensure_demo
    return ensure_demo(Path(path))


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
    return data_version(db_path())


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


@st.cache_data(show_spinner=False)
def _latest_date(path: str, version: tuple) -> date | None:
    return read(latest_data_date)


def default_as_at() -> date:
    """The most recent date in the data, but never after today (a mistyped future date in one
    row must not move every page into the future)."""
    latest = _latest_date(str(db_path()), version())
    return min(latest, date.today()) if latest else date.today()


def sidebar_settings() -> Settings:
    """The as-at date and the band thresholds, in the sidebar of every page."""
    latest = default_as_at()
    with st.sidebar:
        as_at = st.date_input("Figures as at", value=latest, key="as_at", format="YYYY-MM-DD",
                              help="Every figure on every page is worked out as at this date. "
                                   "It starts at the most recent date in the data.")
        with st.expander("Band thresholds"):
            standard = Bands()
            outstanding = st.number_input("Outstanding from (%)", 0.0, 100.0, standard.outstanding, 0.5,
                                          key="band_outstanding",
                                          help="Also the target that families to find and the What if page aim at.")
            good = st.number_input("Good from (%)", 0.0, 100.0, standard.good, 0.5, key="band_good")
            requires = st.number_input("Requires improvement from (%)", 0.0, 100.0, standard.requires_improvement,
                                       0.5, key="band_ri")
            st.caption("Below the last threshold the indicative band is 'inadequate'.")
    try:
        bands = Bands(outstanding=outstanding, good=good, requires_improvement=requires)
    except ValueError as error:
        st.sidebar.error(str(error) + " Using the standard thresholds until they are fixed.")
        bands = Bands()
    return Settings(as_at=as_at, bands=bands)


def settings() -> Settings:
    return st.session_state["settings"]


# --- cached figures ---------------------------------------------------------------------------

def _options(band_key: tuple) -> ReportOptions:
    outstanding, good, requires = band_key
    return ReportOptions(bands=Bands(outstanding=outstanding, good=good, requires_improvement=requires))


@st.cache_data(show_spinner="Working out the figures...", max_entries=32)
def _reports(path: str, version: tuple, as_at: date, band_key: tuple) -> dict[str, pd.DataFrame]:
    # Every level in one computation: the pages ask for centres, LSOAs and the authority together.
    return read(reach_reports, as_at=as_at, options=_options(band_key))


@st.cache_data(show_spinner="Working out the trend...", max_entries=16)
def _trends(path: str, version: tuple, until: date, months: int, band_key: tuple) -> dict[str, pd.DataFrame]:
    dates = month_ends(until=until, months=months)
    return read(reach_trends, dates=dates, options=_options(band_key))


def report(by: str = "centre", *, as_at: date | None = None) -> pd.DataFrame:
    s = settings()
    return _reports(str(db_path()), version(), as_at or s.as_at, s.band_key)[by]


def trend(by: str = "authority", *, months: int = 36) -> pd.DataFrame:
    s = settings()
    return _trends(str(db_path()), version(), s.as_at, months, s.band_key)[by]


def cached(function, *args, **kwargs):
    """Cache any `reach` query function by the database version and its arguments."""
    return _cached_call(function.__module__, function.__qualname__, str(db_path()), version(), args,
                        tuple(sorted(kwargs.items())))


@st.cache_data(show_spinner=False, max_entries=128)
def _cached_call(module: str, name: str, path: str, version: tuple, args: tuple, kwargs: tuple):
    import importlib
    function = importlib.import_module(module)
    for part in name.split("."):
        function = getattr(function, part)
    return read(function, *args, **dict(kwargs))


# --- showing things ---------------------------------------------------------------------------

def definition(name: str) -> None:
    """The definition of a measure, one click away."""
    entry = DEFINITIONS[name]
    with st.popover(f"What is {name.lower()}?"):
        st.markdown(f"**{entry.name}**: {entry.meaning}")


def definitions(*names: str) -> None:
    """The definitions of several measures side by side, each one click away."""
    with st.container(horizontal=True):
        for name in names:
            definition(name)


def table(frame: pd.DataFrame, *, file_name: str, key: str, column_config: dict | None = None,
          caption: str | None = None, height: int | None = None) -> None:
    """A table with friendly headings and, under it, a CSV download of the raw figures.

    Cells are shown as plain text (never Markdown); `caption` is Markdown, so any name in it must
    be escaped by the caller."""
    shown = frame.rename(columns={c: fmt.HEADINGS.get(c, c) for c in frame.columns})
    # Whole numbers with thousands separators (1,143), unless the page says otherwise.
    counts = {c: st.column_config.NumberColumn(format="localized") for c in frame.columns
              if pd.api.types.is_integer_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])}
    config = {fmt.HEADINGS.get(k, k): v for k, v in {**counts, **(column_config or {})}.items()}
    st.dataframe(shown, hide_index=True, width="stretch", height=height or "auto", column_config=config,
                 placeholder=fmt.NO_FIGURE)
    if caption:
        st.caption(caption)
    download(frame, file_name=file_name, key=key)


def download(frame: pd.DataFrame, *, file_name: str, key: str, label: str = "Download CSV") -> None:
    """A CSV download of `frame`, safe to open in a spreadsheet: a text cell that would run as a
    formula (a name starting with `=`, `+`, `-` or `@`) starts with `'`. The file name may hold a
    centre's ID, so it is cleaned too."""
    csv = spreadsheet_safe(frame).to_csv(index=False).encode("utf-8")
    st.download_button(label, csv, file_name=safe_file_name(file_name), mime="text/csv", key=f"download_{key}")


def percent_columns(frame: pd.DataFrame) -> dict:
    return {c: st.column_config.NumberColumn(format="%.1f%%") for c in frame.columns if c.endswith("_pct")}
