"""Writing small input files for the importer tests, and reading back what an import did."""

from pathlib import Path

from data.importers import ImportSummary, import_file
from data.store import opened


def write_lines(folder: Path, name: str, lines: list[str]) -> Path:
    """A text file of the given lines (UTF-8, newline-terminated) in `folder`."""
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def import_lines(kind: str, folder: Path, name: str, lines: list[str], *, db: Path, **options) -> ImportSummary:
    """Write `lines` to the file `name` in `folder` and import it as `kind` into `db`."""
    return import_file(kind, write_lines(folder, name, lines), db=db, **options)


def rows(db: Path, sql: str) -> list[tuple]:
    """The rows of a query on the store, read through a read-only connection."""
    with opened(db, read_only=True) as con:
        return con.execute(sql).fetchall()


def reasons(db: Path, kind: str | None = None) -> list[tuple[int, str]]:
    """(row number, reason) of each quarantined row, of every import or of one kind, in order."""
    where = f"WHERE kind = '{kind}'" if kind else ""
    return rows(db, f"SELECT row_number, reason FROM quarantine {where} ORDER BY import_id, row_number")


def counts(summary) -> tuple[int, int, int, str]:
    """An import's rows loaded, quarantined and already present, and its status."""
    return summary.rows_loaded, summary.rows_quarantined, summary.rows_already_present, summary.status
