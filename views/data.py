"""Data and definitions: load files, see what was loaded and set aside, check that partners'
data arrives on time, and read what every figure means."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from data.importers import (KINDS, FileFault, Inspection, columns_needed, import_file, import_history,
                            inspect_file, layer_names, likely_kinds, list_quarantine, remove_import, sheet_names)
from data.settings import SITE_WORDS, read_settings, save_settings
from data.store import KeyProblem, StoreBusyError, StoreVersionError
from reach.domain.measures import DEFINITIONS
from reach.presentation.safe_text import markdown_text, terminal_text
from reach.presentation.summaries import long_date
from reach.queries import compliance as sharing
from data.audit import IMPORT, UNDO, audit_trail
from views import auth, common, safe_log, start
from reach.presentation.wording import reword, wording_for

# What each kind of file is, in a centre manager's words; the columns come from the importers.
KIND_LABELS = {
    "centres": (reword("Children's centres"), reword("the list of centres and where they are")),
    "reach-areas": ("Reach areas", reword("which centre each LSOA belongs to")),
    "boundaries": ("LSOA boundaries", "the map of the small areas (GeoJSON, GeoPackage or zipped Shapefile)"),
    "population": ("Population estimates", "ONS estimates of the under-fives in each LSOA"),
    "births": ("Birth records", "the births (and arrivals) extract shared by health"),
    "birth-counts": ("Birth counts", "births per area and month, where health shares counts only"),
    "registrations": ("Registrations", reword("the export of the centres' registration system")),
    "contacts": ("Contacts", "attendances, for sustained contact"),
    "postcodes": ("Postcode lookup", "the ONS postcode to LSOA lookup"),
    "deprivation": ("Deprivation", "the IDACI decile of each LSOA"),
    "lsoa-lookup": ("LSOA 2011 to 2021 lookup", "to place 2011-based figures on 2021 LSOAs"),
    "eyfsp": ("Results at five (one row per child)", "the Early Years Foundation Stage Profile results"),
    "gld-counts": ("Results at five (counts)", "children assessed and reaching a good level of development, "
                                               "by area, where only counts are shared"),
}
DATED_KINDS = ("births", "birth-counts")     # the kinds whose rows may take a "received on" date
# The kinds of file the importers read, and only those: boundaries as GeoJSON, GeoPackage or a zipped
# Shapefile, every other kind as CSV or an Excel workbook.
TABLE_TYPES, BOUNDARY_TYPES = ["csv", "xlsx"], ["geojson", "json", "gpkg", "zip"]
UPLOAD_TYPES = [*TABLE_TYPES, *BOUNDARY_TYPES]
STATUS_COLOURS = {sharing.OVERDUE: "red", sharing.NONE_RECEIVED: "orange", sharing.ON_TIME: "green"}


def _headings(**labels) -> dict:
    """Column headings for a table whose columns are not report measures."""
    return {column: st.column_config.Column(label) for column, label in labels.items()}


# On screen the status and what happened come straight after the file, so that a table cut off on
# the right (a narrow window) still shows them; the download keeps every column.
HISTORY_ORDER = ("import_id", "kind", "file_name", "status", "message", "rows_loaded", "rows_quarantined",
                 "rows_already_present", "rows_read", "started_at", "received_on")
HISTORY_COLUMNS = {
    **_headings(import_id="Import", kind="Kind", file_name="File", status="Status", rows_read="Rows read",
                rows_loaded="Loaded", rows_quarantined="Set aside", rows_already_present="Already present"),
    "message": st.column_config.TextColumn("What happened", width="large"),
    "received_on": st.column_config.DateColumn("Received on", format="YYYY-MM-DD"),
    "started_at": st.column_config.DatetimeColumn("Imported at", format="YYYY-MM-DD HH:mm"),
    "finished_at": None,       # hidden on screen, kept in the download
    "file_sha256": None,
}
QUARANTINE_COLUMNS = {
    **_headings(import_id="Import", kind="Kind", file_name="File", reason="Reason",
                row_data="The row (personal details masked)"),
    "row_number": st.column_config.NumberColumn("Row", format="%d",
                                                help="1 is the first row after the header"),
    "imported_at": st.column_config.DatetimeColumn("Imported at", format="YYYY-MM-DD HH:mm"),
}
AUDIT_COLUMNS = {
    **_headings(audit_id="Number", actor="Who", role="Role", action="What", centre_id="Centre",
                row_count="Rows", detail="Detail"),
    "happened_at": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm:ss"),
}
COMPLIANCE_COLUMNS = {
    **_headings(source="Source", dated_by="Dated by", deliveries="Deliveries", status="Status",
                interval_basis="Interval"),
    "last_received": st.column_config.DateColumn("Last received", format="YYYY-MM-DD"),
    "usual_interval_days": st.column_config.NumberColumn("Usual interval (days)", format="%.0f"),
    "due_every_days": st.column_config.NumberColumn("Due every (days)", format="%.0f"),
    "lag_days": st.column_config.NumberColumn("Days since", format="%d"),
    "allowed_days": st.column_config.NumberColumn("Overdue after (days)", format="%.0f"),
    "overdue": st.column_config.CheckboxColumn("Overdue"),
}


def _kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, (kind, ""))[0]


def _message(key: str) -> None:
    """Show (once) what the last undo did: the page reruns after it, to list the imports anew.
    The words are plain text that may name a file, so they are escaped."""
    kind, text = st.session_state.pop(key, (None, None))
    text = markdown_text(text) if text is not None else None
    if kind == "success":
        st.success(text)
    elif kind == "error":
        st.error(text)
    elif kind == "warning":
        st.warning(text)


# --- undoing an import -----------------------------------------------------------------------------
# The chooser, the confirmation and the button always name and act on the same import: ticking the
# box records the import it was ticked for, the button carries the import it was drawn for, and the
# undo happens only when both are still the import chosen. After any import or undo (here or from
# the command line) the chooser starts again at the newest import that can be undone, with the box
# cleared. The values are set through the session state, so the browser is told to show them.

UNDO_CHOICE, UNDO_CONFIRM, UNDO_ARMED, UNDO_NEWEST = "undo_import", "undo_confirm", "undo_armed", "undo_newest"


def _forget_undo_choice() -> None:
    """A confirmation is for one import only: ask again, from the newest import, for the next."""
    st.session_state.pop(UNDO_ARMED, None)
    st.session_state.pop(UNDO_NEWEST, None)


def _start_undo_choice(newest: int, undoable: list[int]) -> None:
    """Before the chooser is drawn: start at the newest import after a change to the history, or
    when the import chosen is no longer there to undo."""
    if st.session_state.get(UNDO_NEWEST) == newest and st.session_state.get(UNDO_CHOICE) in undoable:
        return
    st.session_state[UNDO_CHOICE] = newest
    st.session_state[UNDO_CONFIRM] = False
    st.session_state.pop(UNDO_ARMED, None)
    st.session_state[UNDO_NEWEST] = newest


def _choice_changed() -> None:
    st.session_state[UNDO_CONFIRM] = False
    st.session_state.pop(UNDO_ARMED, None)


def _confirmed() -> None:
    """The box ticked (or cleared): record which import it was ticked for."""
    if st.session_state.get(UNDO_CONFIRM):
        st.session_state[UNDO_ARMED] = st.session_state.get(UNDO_CHOICE)
    else:
        st.session_state.pop(UNDO_ARMED, None)


def _undo(import_id: int) -> None:
    """The button's action, with the import it was drawn for: refused unless that is the import
    chosen and the one the box was ticked for."""
    state = st.session_state
    if not (state.get(UNDO_CONFIRM) and state.get(UNDO_ARMED) == import_id == state.get(UNDO_CHOICE)):
        state["undo_message"] = ("error", "Nothing was undone: the import chosen is not the one the box "
                                          "was ticked for. Choose the import and tick the box again.")
    else:
        try:
            removed = remove_import(int(import_id), db=common.db_path())
        except StoreBusyError as busy:
            state["undo_message"] = ("warning", str(busy))
        except ValueError as error:
            state["undo_message"] = ("error", str(error))
        else:
            auth.record(common.person(), action=UNDO, row_count=removed.rows_removed,
                        detail=f"import {removed.import_id}: {removed.kind}, {removed.file_name}")
            st.cache_data.clear()
            state.pop(PREVIEW, None)
            unstored = common.figures_stored_after_change()     # None: the pages' figures are stored
            state["undo_message"] = ("success", removed.line() + "." + (f" {unstored}" if unstored else ""))
    state[UNDO_CONFIRM] = False
    _forget_undo_choice()


def _rows(value) -> int:
    return 0 if value is None or pd.isna(value) else int(value)


def _when(started) -> str:
    return "" if started is None or pd.isna(started) else f", at {started:%H:%M} on {long_date(started.date())}"


def _what_goes(row) -> str:
    """What undoing an import removes, in words (plain text: it names the file)."""
    loaded, set_aside = _rows(row.rows_loaded), _rows(row.rows_quarantined)
    where = f"{row.file_name} (import {row.import_id}{_when(row.started_at)})"
    if loaded == 0:
        text = f"undo {where}: it loaded no rows of its own, so none are removed"
    else:
        text = f"remove the {_count_of(loaded, 'row')} loaded from {where}"
    if set_aside:
        text += f", and the {_count_of(set_aside, 'row')} it set aside"
    return text


def _count_of(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


# --- the preview of an upload ----------------------------------------------------------------------
# What importing the file would do, by the same trial import as `python -m reach inspect`: the real
# import, rolled back, so nothing is written. It is kept for the file, kind, sheet and layer it was
# made for, so the page's other choices do not read the file again; an import or an undo drops it.

PREVIEW = "upload_preview"
FIND_IT = "Find it for me"


def _part_choices(kind: str, path: Path, file_name: str) -> tuple[str | None, str | None]:
    """The sheet of a workbook, or the layer of a GeoPackage, chosen (None: Reach finds it)."""
    suffix = path.suffix
    if suffix == ".xlsx" and kind != "boundaries":
        names = sheet_names(path, file_name=file_name)
        if names:
            return st.selectbox(
                "Sheet", [None, *names], key="upload_sheet", format_func=lambda name: name or FIND_IT,
                help="The sheet that holds the data. Reach finds it by its header (cover, contents "
                     "and notes sheets are passed over) unless one is chosen here."), None
    if suffix == ".gpkg" and kind == "boundaries":
        names = layer_names(path)
        if len(names) > 1:
            return None, st.selectbox(
                "Layer", [None, *names], key="upload_layer", format_func=lambda name: name or FIND_IT,
                help="The layer of LSOA shapes. Reach takes the first layer of polygons with an "
                     "LSOA code column unless one is chosen here.")
    return None, None


def _inspected(kind: str, path: Path, uploaded, sheet: str | None, layer: str | None):
    """(the kinds the file fits, best first; the trial import as `kind`, or the words saying why
    there is none), made once for each file and choice."""
    made_for = (uploaded.file_id, kind, sheet, layer)
    kept = st.session_state.get(PREVIEW)
    if kept is not None and kept[0] == made_for:
        return kept[1]
    try:
        fits = likely_kinds(path, file_name=uploaded.name, sheet=sheet)
    except FileFault:
        fits = []           # the trial import below says what is wrong with the file
    result: Inspection | str
    try:
        result = inspect_file(path, kind=kind, db=common.db_path(), sheet=sheet, layer=layer,
                              original_name=uploaded.name)
    except FileFault as fault:
        result = f"As chosen, this file would be refused. {str(fault).rstrip('.')}."
    except StoreBusyError as busy:
        result = f"No preview: {busy}"
    except (KeyProblem, StoreVersionError) as problem:
        result = f"As things stand, the import would be refused. {problem}"
    except MemoryError:
        result = "No preview: the file is too large to look through on this computer."
    except Exception:
        safe_log.fault("An upload (%s) could not be previewed", kind)
        result = ("No preview: looking through the file stopped because of an unexpected error. "
                  "The details are in the dashboard's log on the server.")
    st.session_state[PREVIEW] = (made_for, (fits, result))
    return fits, result


def _preview(kind: str, path: Path, uploaded, *, sheet: str | None, layer: str | None) -> None:
    """What importing the file would do, shown before the Import button (nothing is written)."""
    with st.spinner("Looking through the file..."):
        fits, result = _inspected(kind, path, uploaded, sheet, layer)
    st.markdown("**Preview** (nothing is written until you press Import)")
    if fits and fits[0] != kind:
        st.warning(markdown_text(
            f"This file looks like {_kind_label(fits[0])} ({fits[0]}), not {_kind_label(kind)} ({kind}): "
            f"its header fits that kind best. Choose it under Kind of file, unless you are sure."))
    elif fits:
        others = ", ".join(f"{_kind_label(other)} ({other})" for other in fits[1:])
        st.markdown(markdown_text(f"It looks like {_kind_label(kind)} ({kind})"
                                  + (f"; its header would also fit {others}." if others else ".")))
    else:
        st.markdown(markdown_text("Its header does not hold the columns of any kind of file Reach imports."))
    if not isinstance(result, Inspection):
        st.warning(markdown_text(result))
        return
    lines = result.lines()[1:-1]          # less the kind it looks like (above) and the command (below)
    st.markdown("\n".join(f"{'    ' if line.startswith('  ') else ''}- {markdown_text(line.strip())}"
                          for line in lines))
    st.caption("The same import from the command line:")
    st.code(terminal_text(result.command()), language=None, wrap_lines=True)


officer = auth.require_data_officer()      # the page is for data officers only, however it was reached
settings = common.settings()
st.title("Data and definitions")
load, history_tab, quarantine_tab, sharing_tab, definitions_tab, audit_tab = st.tabs(
    ["Load a file", "Import history", "Quarantine", "Data sharing", "Definitions", "Audit trail"])

# --- load a file --------------------------------------------------------------------------------

with load:
    start.checklist()
    kind = st.selectbox("Kind of file", KINDS, key="upload_kind", format_func=_kind_label)
    st.caption(f"{KIND_LABELS.get(kind, (kind, ''))[1].capitalize()}. Needs the columns: "
               f"{columns_needed(kind)}. Column names may be in any case.")
    uploaded = st.file_uploader("File", type=UPLOAD_TYPES, key="upload_file",
                                help="CSV (UTF-8), Excel (.xlsx), or for boundaries GeoJSON, "
                                     "GeoPackage or a zipped Shapefile.")
    received_on = None
    if kind in DATED_KINDS:
        received_on = st.date_input(
            "Received on (optional)", value=None, key="upload_received_on", format="YYYY-MM-DD",
            help="The day health sent this file. It dates every row that has no received_on "
                 "column of its own; leave empty to use the day of the first import.")
    replace = False
    if kind == "reach-areas":
        replace = st.checkbox("Replace every reach area with this file", key="upload_replace",
                              help="Otherwise the file adds to, or changes, the reach areas loaded.")
    # The upload is written to a private temporary folder, read there by the preview and by the
    # import, and removed at the end of the page's run.
    with tempfile.TemporaryDirectory(prefix="reach-upload-") as folder:
        path, sheet, layer = None, None, None
        if uploaded is not None:
            path = Path(folder) / f"upload{Path(uploaded.name).suffix.lower()}"
            path.write_bytes(uploaded.getvalue())
            sheet, layer = _part_choices(kind, path, uploaded.name)
            _preview(kind, path, uploaded, sheet=sheet, layer=layer)
        if (st.button("Import", key="upload_go", type="primary", disabled=uploaded is None)
                and uploaded is not None and path is not None):
            bar = st.progress(0.0, text="Starting the import...")

            def show_progress(done: int, total: int | None, stage: str) -> None:
                share = min(done / total, 1.0) if total else 0.0
                of = f" of {total:,}" if total else ""
                bar.progress(share, text=f"{stage.capitalize()}: {done:,}{of} rows")

            # Every failure is a message on the page, never a traceback: the refusal of a file in
            # plain words (as text, not Markdown: it names the file's columns), and anything
            # unexpected in general words, its details going to the server's log only, since a
            # traceback can quote the rows being read.
            try:
                summary = import_file(kind, path, db=common.db_path(), received_on=received_on,
                                      progress=show_progress, original_name=uploaded.name,
                                      replace=replace, sheet=sheet, layer=layer)
            except FileFault as fault:
                bar.empty()
                st.error(markdown_text(f"Import refused, nothing was written. {str(fault).rstrip('.')}."))
            except StoreBusyError as busy:
                bar.empty()
                st.warning(markdown_text(str(busy)))
            except (KeyProblem, StoreVersionError) as problem:
                bar.empty()
                st.error(markdown_text(f"Import refused, nothing was written. {problem}"))
            except MemoryError:
                bar.empty()
                st.error("Import refused, nothing was written. The file is too large to import on "
                         "this computer.")
            except Exception:
                bar.empty()
                safe_log.fault("An upload (%s) could not be imported", kind)
                st.error("The import stopped because of an unexpected error, and nothing was written. "
                         "The details are in the dashboard's log on the server, for whoever runs Reach.")
            else:
                # New data: every page's cached figures are out of date, so is the preview (its rows
                # are now already present), and the import to undo should start again from the newest.
                auth.record(common.person(), action=IMPORT, row_count=summary.rows_loaded,
                            detail=f"import {summary.import_id}: {summary.kind}, {summary.file_name}")
                st.cache_data.clear()
                st.session_state.pop(PREVIEW, None)
                _forget_undo_choice()
                # The message is the one-line summary followed by any notes on the file: shown
                # first, since the import is in whatever storing the figures then does.
                st.success(markdown_text(summary.message or summary.line()))
                unstored = common.figures_stored_after_change()     # None: the pages' figures are stored
                if unstored:
                    st.info(markdown_text(unstored))

# --- import history and undo ----------------------------------------------------------------------

with history_tab:
    _message("undo_message")
    history = common.cached(import_history)
    if history.empty:
        st.info("Nothing has been imported yet.")
    else:
        history = history[[*HISTORY_ORDER, *(column for column in history if column not in HISTORY_ORDER)]]
        common.table(history, file_name="import_history.csv", key="import_history",
                     column_config=HISTORY_COLUMNS,
                     caption="Every import, newest first. An undone import stays listed as 'removed'.")
        st.subheader("Undo an import")
        undoable = history[history["status"] != "removed"]
        undo_rows = {int(row.import_id): row for row in undoable.itertuples(index=False)}
        if undo_rows:
            _start_undo_choice(next(iter(undo_rows)), list(undo_rows))
            labels = {import_id: f"{import_id}: {row.kind}, {row.file_name} "
                                 f"({_count_of(_rows(row.rows_loaded), 'row')} loaded)"
                      for import_id, row in undo_rows.items()}
            chosen = st.selectbox("Import to undo", list(undo_rows), key=UNDO_CHOICE, on_change=_choice_changed,
                                  format_func=labels.__getitem__)
            if st.session_state.get(UNDO_CONFIRM) and st.session_state.get(UNDO_ARMED) != chosen:
                st.session_state[UNDO_CONFIRM] = False      # a tick is for the import it was given for
            confirmed = st.checkbox(markdown_text(f"Yes, {_what_goes(undo_rows[chosen])}."), key=UNDO_CONFIRM,
                                    on_change=_confirmed)
            st.button(f"Undo import {chosen}", key="undo_go", disabled=not confirmed, on_click=_undo,
                      args=(chosen,))

# --- the quarantine -------------------------------------------------------------------------------

with quarantine_tab:
    st.caption("Rows that could not be used (an invalid code or date, a failed NHS number check, "
               "a postcode not in the lookup, a duplicate...). The rest of each file was loaded. "
               "Personal details in the rows are masked.")
    everything = common.cached(list_quarantine)
    kinds_found = ["All kinds", *sorted(everything["kind"].unique())]
    kind_column, file_column, reason_column = st.columns(3)
    with kind_column:
        chosen_kind = st.selectbox("Kind", kinds_found, key="quarantine_kind",
                                   format_func=lambda k: k if k == "All kinds" else _kind_label(k))
    of_kind = everything if chosen_kind == "All kinds" else everything[everything["kind"] == chosen_kind]
    imports = of_kind[["import_id", "file_name"]].drop_duplicates()
    files = {"All files": None, **{f"{row.file_name} (import {row.import_id})": int(row.import_id)
                                   for row in imports.itertuples(index=False)}}
    with file_column:
        chosen_file = st.selectbox("File", list(files), key="quarantine_file")
    with reason_column:
        reason_text = st.text_input("Reason contains", key="quarantine_reason")
    rows = common.cached(list_quarantine, kind=None if chosen_kind == "All kinds" else chosen_kind,
                         import_id=files[chosen_file])
    if reason_text.strip():
        rows = rows[rows["reason"].str.contains(reason_text.strip(), case=False, regex=False)]
    st.markdown(f"**{len(rows):,} {'row' if len(rows) == 1 else 'rows'} set aside** "
                f"(of {len(everything):,} in all).")
    common.table(rows, file_name="quarantine.csv", key="quarantine", column_config=QUARANTINE_COLUMNS)

# --- data-sharing compliance ----------------------------------------------------------------------

with sharing_tab:
    st.caption(f"Is each source of data arriving as often as usual, as at {settings.as_at:%d %B %Y}? "
               f"A source is overdue when its latest delivery is older than the interval it is due at "
               f"(monthly for birth data, as on the Overview; otherwise its usual interval) plus a grace "
               f"period ({sharing.GRACE_DAYS} days unless changed here).")
    common.definition("Birth-data lag")
    grace_column, _ = st.columns([1, 3])
    grace = grace_column.number_input("Grace (days)", min_value=0, max_value=365,
                                      value=sharing.GRACE_DAYS, step=1, key="sharing_grace")
    compliance = common.cached(sharing.compliance, as_at=settings.as_at, grace_days=int(grace))
    st.markdown(f"**{markdown_text(sharing.compliance_summary(compliance))}**")
    for row in compliance.to_dict(orient="records"):
        colour = STATUS_COLOURS[row["status"]]
        st.markdown(f"**{markdown_text(row['source'])}**: :{colour}-badge[{markdown_text(row['status'])}] "
                    f"{markdown_text(sharing.describe(row))}")
    common.table(compliance, file_name=f"data_sharing_{settings.as_at}.csv", key="compliance",
                 column_config=COMPLIANCE_COLUMNS,
                 caption="Registrations and contacts are dated by their latest record; population "
                         "estimates by their reference date, allowing a year for ONS to publish.")

# --- the audit trail ------------------------------------------------------------------------------

with audit_tab:
    st.caption("Who signed in, who downloaded record-level data (the worklist, the unmatched births by LSOA "
               "and month), who imported or undid an import (from the dashboard, by e-mail address; from the "
               "command line, by the computer account), and what was refused. Newest first; rows are only "
               "ever added.")
    trail = common.cached(audit_trail)
    if trail.empty:
        st.markdown("Nothing has been recorded yet.")
    else:
        common.table(trail, file_name="audit_trail.csv", key="audit_trail", column_config=AUDIT_COLUMNS)

# --- definitions and personal data --------------------------------------------------------------

with definitions_tab:
    st.subheader("What each figure means")
    for entry in DEFINITIONS.values():
        st.markdown(f"**{entry.name}**: {reword(entry.meaning)}")
    st.subheader("How personal data is handled")
    st.markdown(
        reword("- **NHS numbers never reach the database.** On import each one is replaced by a keyed "
        "hash (HMAC-SHA256) made with a secret key kept on this machine, not in the code. The same "
        "key links a birth record to a registration; without it the hash cannot be reversed or "
        "matched elsewhere.\n"
        "- **Names, addresses and full postcodes are not stored.** A postcode is turned into its "
        "LSOA and dropped; rows set aside keep personal details masked.\n"
        "- **Small numbers are hidden in anything published.** Downloads marked for publication "
        "replace counts from 1 to 4 (and any figure that would reveal one) with \"c\". A centre's "
        "own working view shows every number, so treat its downloads as confidential."))

# --- settings -------------------------------------------------------------------------------------

st.header("Settings")
_message("settings_message")
stored = common.cached(read_settings)
with st.form("settings_form", border=False):
    left, right = st.columns(2)
    chosen_word = left.radio("The sites are called", SITE_WORDS, index=SITE_WORDS.index(stored.site_word),
                             format_func=lambda key: wording_for(key).sites_long_title, horizontal=True,
                             key="settings_sites",
                             help="The words on every page, in every export and in the command line's messages. "
                                  "Column names (centre_id) keep their spelling.")
    chosen_target = right.number_input("Target for a good level of development at five (%)", min_value=0.5,
                                       max_value=100.0, value=float(stored.gld_target_pct), step=0.5,
                                       key="settings_gld_target",
                                       help="The share of children assessed at five that the Best Start page "
                                            "measures each site and the authority against.")
    if st.form_submit_button("Save settings"):
        try:
            save_settings(common.db_path(), site_word=chosen_word, gld_target_pct=chosen_target)
        except StoreBusyError as busy:
            st.warning(markdown_text(str(busy)))
        except ValueError as error:
            st.error(markdown_text(f"The settings were not saved: {error}."))
        else:
            st.cache_data.clear()
            # The stored figures stay (a word or a target changes none of them); a new target is a
            # new figure at five, stored now as after an import, so Best Start opens without waiting.
            unstored = common.figures_stored_after_change()     # None: the pages' figures are stored
            if unstored:
                st.session_state["settings_message"] = ("warning", unstored)
            st.rerun()      # every page, and the navigation, in the words just chosen
