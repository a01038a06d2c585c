"""The parts of a file a person may choose between before importing it: the sheets of a
workbook and the layers of a GeoPackage, for the Data page's "Sheet" and "Layer" choices.

Both are read without trusting the file: a workbook passes the same checks as an import
(`check_workbook`) before openpyxl opens it, and a GeoPackage (an SQLite database) is opened
read-only and unchanging, and only its table of contents is read. A file that cannot be read
this way has no parts to offer (an empty list): the import, or its preview, then says why.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from data.importers.errors import FileFault
from data.importers.limits import Limits
from data.importers.workbooks import check_workbook

SQLITE_START = b"SQLite format 3\x00"


def sheet_names(path: str | Path, *, file_name: str | None = None) -> list[str]:
    """The names of a workbook's sheets, in the workbook's order; [] for a file that is not a
    workbook Reach would open."""
    import openpyxl

    path = Path(path)
    name = file_name or path.name
    try:
        with open(path, "rb") as handle:
            check_workbook(handle, name, Limits.current())
            handle.seek(0)
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
            try:
                return [str(title) for title in book.sheetnames]
            finally:
                book.close()
    except (FileFault, OSError):
        return []
    except MemoryError:
        raise
    except Exception:       # whatever openpyxl raises on a damaged workbook: the import says why
        return []


def layer_names(path: str | Path) -> list[str]:
    """The names of a GeoPackage's layers of shapes, in the order it lists them; [] for a file
    that is not a GeoPackage."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            if handle.read(len(SQLITE_START)) != SQLITE_START:
                return []
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except (OSError, sqlite3.Error):
        return []
    try:
        rows = connection.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features' "
                                  "ORDER BY rowid").fetchall()
    except sqlite3.Error:
        return []
    finally:
        connection.close()
    return [str(name) for (name,) in rows if name is not None]
