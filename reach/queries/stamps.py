"""What figures worked out from the store depend on, as one line: stored beside them, and
compared with the store as it is before they are read (`figures_store`, and the trend's stored
spells, `trend`)."""

from __future__ import annotations


def data_stamp(con) -> str:
    """What the figures depend on, as one line: the import log (imports, the latest import's
    number and finishing time, the imports undone) and every setting the store keeps (its schema
    version among them). It changes with every import, undo or change of settings, and with
    nothing else: not with a sign-in or a download (audit rows), nor with storing figures."""
    return _stamp(con, left_out=())


# Settings no stored figure reads: the word for sites changes words only, and the target at five
# reaches a figure only as an argument (`published_outcome_levels(target_pct=...)`), so a figure
# for another target has another call. Changing them leaves every stored figure as it was.
SETTINGS_NOT_READ = ("site_word", "gld_target_pct")


def figures_stamp(con) -> str:
    """What the stored figures depend on, as one line: the import log as in `data_stamp`, the
    schema version and any setting a figure reads (every one but `SETTINGS_NOT_READ`). It
    changes with every import or undo, and not with a new word for sites or a new target."""
    return _stamp(con, left_out=SETTINGS_NOT_READ)


def _stamp(con, *, left_out: tuple[str, ...]) -> str:
    imports, latest, finished, undone = con.execute(
        "SELECT count(*), max(import_id), max(finished_at), count(*) FILTER (WHERE status = 'removed') "
        "FROM import_log").fetchone()
    settings = con.execute("SELECT key, value FROM meta ORDER BY key").fetchall()
    chosen = ";".join(f"{key}={value}" for key, value in settings if key not in left_out)
    return f"imports {imports}, latest {latest} at {finished}, undone {undone}; {chosen}"
