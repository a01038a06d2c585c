"""Reading CSV and XLSX files as text, and loading them into a temporary table.

Every value is read as text (trimmed, blank = NULL) and parsed later, in SQL, so nothing is
guessed: an NHS number keeps its leading digits, "01" stays "01", and a bad date is reported
rather than coerced.
Rows are numbered from 1 for the first row after the header; blank rows keep their number
(so row N is line N + 1 in a spreadsheet) but are not counted as read.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from pathlib import Path

import pyarrow as pa

from data.importers.errors import unreadable
from data.importers.layouts import Resolved
from data.importers.pseudonymise import check_nhs_numbers, hash_identifiers

BATCH_ROWS = 100_000
RAW_TABLE = "raw_rows"
_PERSONAL = ("postcode", "nhs_number", "family_key")

Progress = Callable[[int, "int | None", str], None]


def file_sha256(path: Path) -> str:
    """The file's SHA-256, which identifies "the same file" across imports."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_format(path: Path, file_name: str) -> str:
    """'XLSX' for an Excel workbook, 'CSV' for anything else, judged by the file's name."""
    suffix = Path(file_name).suffix.lower() or path.suffix.lower()
    if suffix == ".xls":
        raise unreadable(file_name, "XLSX", "it is an old-style .xls workbook; save it as .xlsx or CSV")
    return "XLSX" if suffix in (".xlsx", ".xlsm") else "CSV"


class TableFile:
    """A CSV or XLSX file opened for reading: its header, and its rows in batches of text."""

    header: list[str]
    estimated_rows: int | None

    def batches(self, size: int) -> Iterator[tuple[list[int], list[list[str]]]]:
        """Yield (row numbers, rows) in batches of `size`; every row has exactly as many values
        as the header, and blank rows are skipped (keeping the numbers of the rest)."""
        numbers: list[int] = []
        rows: list[list[str]] = []
        for number, values in self.numbered_rows():
            numbers.append(number)
            rows.append(values)
            if len(rows) == size:
                yield numbers, rows
                numbers, rows = [], []
        if rows:
            yield numbers, rows

    def numbered_rows(self) -> Iterator[tuple[int, list[str]]]:
        """Each data row that is not blank, with its number (1 = the first after the header)."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


def open_table(path: Path, *, file_name: str) -> TableFile:
    """Open a CSV or XLSX file and read its header; FileFault if it cannot be read as such."""
    if file_format(path, file_name) == "XLSX":
        return _XlsxFile(path, file_name)
    return _CsvFile(path, file_name)


class _CsvFile(TableFile):
    def __init__(self, path: Path, file_name: str):
        self._name = file_name
        with open(path, "rb") as handle:
            head = handle.read(1 << 16)
        if not head.strip():
            raise unreadable(file_name, "CSV", "the file is empty")
        if head.startswith(b"PK\x03\x04"):
            raise unreadable(file_name, "CSV", "it is a zip file or an Excel workbook, not text "
                             "(save it as CSV, or name it .xlsx)")
        if b"\x00" in head:
            raise unreadable(file_name, "CSV", "it holds binary data, not text")
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        except UnicodeDecodeError as error:
            raise unreadable(file_name, "CSV", f"it is not UTF-8 text (byte {error.start + 1} "
                             "cannot be read; save it as CSV UTF-8)") from None
        self.estimated_rows = _count_lines(path)
        self._handle = open(path, encoding="utf-8-sig", errors="strict", newline="")
        self._reader = csv.reader(self._handle, strict=True)
        header = self._next_row(0)
        if header is None or not any(value.strip() for value in header):
            self.close()
            raise unreadable(file_name, "CSV", "the first row, the header, is empty")
        for separator, name in ((";", "semicolons"), ("\t", "tabs")):
            if len(header) == 1 and separator in header[0]:
                self.close()
                raise unreadable(file_name, "CSV", f"its values are separated by {name}, not commas")
        self.header = header

    def _next_row(self, number: int) -> list[str] | None:
        try:
            return next(self._reader)
        except StopIteration:
            return None
        except csv.Error as error:
            raise unreadable(self._name, "CSV", f"row {number + 1} is garbled ({error})") from None
        except UnicodeDecodeError:
            raise unreadable(self._name, "CSV", f"it is not UTF-8 text (row {number + 1} cannot be "
                             "read; save it as CSV UTF-8)") from None

    def numbered_rows(self) -> Iterator[tuple[int, list[str]]]:
        width = len(self.header)
        number = 0
        while (values := self._next_row(number)) is not None:
            number += 1
            if not any(values):
                continue
            if len(values) != width:
                if len(values) < width or any(value.strip() for value in values[width:]):
                    raise unreadable(
                        self._name, "CSV",
                        f"row {number} has {len(values)} values but the header has {width} columns "
                        "(the file may be cut short, or a value holds an unquoted comma)")
                values = values[:width]
            yield number, values

    def close(self) -> None:
        handle = getattr(self, "_handle", None)
        if handle is not None:
            handle.close()


def _count_lines(path: Path) -> int:
    """An estimate of the data rows, for progress bars: the line breaks after the header."""
    lines = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            lines += block.count(b"\n")
    return max(lines - 1, 0)


class _XlsxFile(TableFile):
    def __init__(self, path: Path, file_name: str):
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        self._name = file_name
        # Opened as a stream, so an upload's temporary name (without .xlsx) is no obstacle.
        self._handle = open(path, "rb")
        try:
            self._book = openpyxl.load_workbook(self._handle, read_only=True, data_only=True)
            sheet = self._book.worksheets[0]
            self._rows = sheet.iter_rows(values_only=True)
            first = next(self._rows, None)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError,
                IndexError, OSError, EOFError):
            self.close()
            raise unreadable(file_name, "XLSX", "it is not an Excel workbook") from None
        header = [cell_text(value) for value in first or ()]
        while header and not header[-1].strip():
            header.pop()
        if not header:
            self.close()
            raise unreadable(file_name, "XLSX", "the first row of the first sheet, the header, is empty")
        self.header = header
        self.estimated_rows = max(sheet.max_row - 1, 0) if sheet.max_row else None

    def numbered_rows(self) -> Iterator[tuple[int, list[str]]]:
        width = len(self.header)
        for number, cells in enumerate(self._rows, start=1):
            values = [cell_text(value) for value in cells[:width]]
            if not any(values) and not any(cell_text(value) for value in cells[width:]):
                continue
            if any(cell_text(value).strip() for value in cells[width:]):
                raise unreadable(self._name, "XLSX",
                                 f"row {number} has values beyond the {width} columns of the header")
            # Read-only sheets leave out empty cells at the end of a row.
            values.extend([""] * (width - len(values)))
            yield number, values

    def close(self) -> None:
        book = getattr(self, "_book", None)
        if book is not None:
            book.close()
        self._handle.close()


def cell_text(value) -> str:
    """An Excel cell as the text a CSV export would hold: dates as ISO, whole numbers without .0."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def raw_columns(resolved: Resolved, *, hashes_nhs_number: bool) -> list[str]:
    """The columns of the temporary table a file is loaded into.

    Personal columns never arrive as they were: a postcode becomes `_postcode` (normalised, used
    only to find the LSOA), an NHS number becomes `_nhs_key` (its keyed hash) with `_nhs_fault`,
    a family key becomes `_family_key`; `nhs_number` and `family_key` hold masked forms.
    """
    columns = [name for name in resolved.positions if name not in _PERSONAL]
    if resolved.has("postcode"):
        columns.append("_postcode")
    if resolved.has("nhs_number"):
        columns.append("nhs_number")
        if hashes_nhs_number:
            columns += ["_nhs_key", "_nhs_fault"]
    if resolved.has("family_key"):
        columns += ["family_key", "_family_key"]
    return columns


def load_raw(con, table: TableFile, resolved: Resolved, *, key: bytes | None,
             hashes_nhs_number: bool, progress: Progress) -> int:
    """Load the file's rows into the temporary table `raw_rows`; return the number of rows read.

    Values are trimmed and blanks become NULL. Only the columns Reach reads are kept; names,
    addresses and any other columns are never loaded. Raises FileFault if the file turns out
    to be unreadable part way through.
    """
    columns = raw_columns(resolved, hashes_nhs_number=hashes_nhs_number)
    definitions = ", ".join(f'"{name}" VARCHAR' for name in columns)
    con.execute(f"CREATE TEMP TABLE {RAW_TABLE} (_row BIGINT, {definitions})")
    rows_read = 0
    progress(0, table.estimated_rows, "reading")
    for numbers, rows in table.batches(BATCH_ROWS):
        arrays = {"_row": pa.array(numbers, type=pa.int64())}
        arrays.update(_batch_columns(rows, resolved, key=key, hashes_nhs_number=hashes_nhs_number))
        batch = pa.table({name: arrays[name] for name in ["_row", *columns]})
        con.register("raw_batch", batch)
        con.execute(f"INSERT INTO {RAW_TABLE} SELECT * FROM raw_batch")
        con.unregister("raw_batch")
        rows_read += len(rows)
        progress(rows_read, max(table.estimated_rows or 0, rows_read) or None, "reading")
    return rows_read


def _batch_columns(rows: list[list[str]], resolved: Resolved, *, key: bytes | None,
                   hashes_nhs_number: bool) -> dict[str, pa.Array]:
    """One batch as text columns. Python's strip() also takes the no-break spaces and tabs
    spreadsheets leave behind (and is much quicker here than trimming in SQL)."""
    def column(name: str) -> list[str]:
        position = resolved.positions[name]
        return [row[position].strip() for row in rows]

    def text(values: list) -> pa.Array:
        return pa.array([value or None for value in values], type=pa.string())

    arrays = {name: text(column(name)) for name in resolved.positions if name not in _PERSONAL}
    if resolved.has("postcode"):
        arrays["_postcode"] = text([normalise_postcode(value) for value in column("postcode")])
    if resolved.has("nhs_number") or resolved.has("family_key"):
        if key is None:
            raise ValueError("a key is needed to pseudonymise NHS numbers and family keys")
    if resolved.has("nhs_number"):
        checked = check_nhs_numbers(column("nhs_number"), key=key, label=resolved.label("nhs_number"))
        arrays["nhs_number"] = text(checked.masked)
        if hashes_nhs_number:
            arrays["_nhs_key"] = text(checked.keys)
            arrays["_nhs_fault"] = text(checked.faults)
    if resolved.has("family_key"):
        keys, masked = hash_identifiers(column("family_key"), key=key)
        arrays["family_key"] = text(masked)
        arrays["_family_key"] = text(keys)
    return arrays


def normalise_postcode(text: str) -> str:
    """A postcode as the store keeps it: upper case, no spaces ("m32 9an" -> "M329AN")."""
    return "".join(text.split()).upper()
