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
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cached_property
from pathlib import Path

import duckdb
import pyarrow as pa

from data.importers import keyed_hash_kernel
from data.importers.errors import FileFault, over_limit, shortened, unreadable
from data.importers.layouts import Resolved
from data.importers.limits import Limits
from data.importers.pseudonymise import (
    WHITESPACE,
    WHITESPACE_CLASS,
    check_child_keys,
    check_digit_of_number_sql,
    check_nhs_numbers,
    child_key_sql,
    clean_nhs_number_sql,
    hash_identifiers,
    identifier_sql,
    key_pads,
    mask_sql,
    nhs_number_key_sql,
    nhs_number_sql,
    number_sql,
    ten_digits_sql,
)
from data.importers.workbooks import ENTITY_PROBLEM, NOT_A_WORKBOOK, check_workbook

BATCH_ROWS = 100_000
RAW_TABLE = "raw_rows"
# A CSV file read by DuckDB: every row, blank ones too, in the file's order (`raw_rows` is then a
# view of it).
READ_TABLE = "read_rows"
_PERSONAL = ("postcode", "nhs_number", "family_key")

Progress = Callable[[int, "int | None", str], None]


def file_sha256(path: Path) -> str:
    """The file's SHA-256, which identifies "the same file" across imports. It reads the whole
    file, so `import_file` checks the file's size first. Its blocks are big so that, run on a
    thread of its own (`scan_file`), it seldom waits for Python's lock between them."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 24), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class FileScan:
    """What one scan of a file's bytes tells: its SHA-256, its line breaks (for progress bars),
    and whether DuckDB's CSV reader may read it (none of `_NOT_FOR_DUCKDB` is in it). A CSV file
    being imported is scanned once for all three (`_CsvFile.scan`)."""

    sha256: str
    line_breaks: int
    duckdb_readable: bool


def scan_file(path: Path) -> FileScan:
    """Read the file for its `FileScan`: its line breaks and signs here, in blocks, and its
    SHA-256 at the same time on a second thread that reads the file for itself.

    Python lets the second thread run while it reads a block and while it hashes one, so the
    two take little more than the longer of them (0.36 s instead of 0.56 s for a 433 MB file)."""
    hashed: dict[str, str] = {}
    failures: list[BaseException] = []

    def hash_file() -> None:
        try:
            hashed["sha256"] = file_sha256(path)
        except BaseException as failed:   # given to the caller below, as a read here would be
            failures.append(failed)

    hashing = threading.Thread(target=hash_file, name="reach-file-sha256", daemon=True)
    hashing.start()
    line_breaks = 0
    readable = True
    last = b""
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 22), b""):
                line_breaks += block.count(b"\n")
                if readable:
                    # A sign of two bytes may be split between blocks: the last byte of the one
                    # before and the first of this one are looked at together.
                    seam = last + block[:1]
                    readable = not (_has_sign(block) or _has_sign(seam))
                    last = block[-1:]
    finally:
        hashing.join()
    if failures:
        raise failures[0]
    return FileScan(hashed["sha256"], line_breaks, readable)


def file_format(path: Path, file_name: str) -> str:
    """'XLSX' for an Excel workbook, 'CSV' for anything else, judged by the file's name."""
    suffix = Path(file_name).suffix.lower() or path.suffix.lower()
    if suffix == ".xls":
        raise unreadable(file_name, "XLSX", "it is an old-style .xls workbook; save it as .xlsx or CSV")
    return "XLSX" if suffix in (".xlsx", ".xlsm") else "CSV"


class TableFile:
    """A CSV or XLSX file opened for reading: its header, and its rows in batches of text."""

    header: list[str]
    header_row: int = 1                 # the header's row in the file or sheet, 1 = the first
    sheet_name: str | None = None       # the sheet read, for a workbook
    first_sheet: bool = True            # whether that sheet is the workbook's first
    header_found: bool = True           # False when no row passed the header test
    others: tuple[str, ...] = ()        # other sheets that held the columns, left aside

    def where(self) -> str | None:
        """Where the header was found, in words, when it is anywhere but the first row of the
        first sheet: for the import's notes."""
        if self.header_row == 1 and self.first_sheet:
            return None
        place = f'the sheet "{shortened(self.sheet_name or "", 60)}"' if self.sheet_name is not None else "the file"
        rows_above = self.header_row - 1
        title_rows = f"{rows_above:,} title {'row' if rows_above == 1 else 'rows'}"
        skipped = f" ({title_rows} above it skipped)" if rows_above else ""
        aside = ""
        if self.others:
            aside = (" The sheets " + ", ".join(f'"{shortened(title, 40)}"' for title in self.others[:5])
                     + " were left aside (choose one with --sheet).")
        return (f"Read {place}, with its header on row {self.header_row:,}{skipped}; row numbers count "
                f"from the first row after the header.{aside}")

    @cached_property
    def estimated_rows(self) -> int | None:
        """An estimate of the data rows, for progress bars. Worked out only when first asked for:
        for a CSV file it reads the whole file, which a look at the header (`inspect` trying each
        kind, the Data page's preview) should not pay for."""
        return self._estimate_rows()

    def _estimate_rows(self) -> int | None:
        raise NotImplementedError

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


HeaderTest = Callable[[list[str]], bool]

# Official workbooks and some CSV files have a title, notes or a blank line above the header; it
# is looked for in this many rows at the top of each sheet.
HEADER_SEARCH_ROWS = 30


def open_table(path: Path, *, file_name: str, limits: Limits | None = None,
               is_header: HeaderTest | None = None, sheet: str | None = None) -> TableFile:
    """Open a CSV or XLSX file and find its header; FileFault if it cannot be read as such, or
    if it is over one of the `limits` (by default, those in force).

    With `is_header` (does this row hold the columns the kind needs?), the header is the first
    row that passes it among the top rows (title rows above it are skipped) and, in a workbook,
    on the first sheet that has one (cover, contents and notes sheets are skipped); `sheet`
    names the sheet to read instead. Without it, the header is the first row of the first sheet.
    `header_row` and `sheet_name` say where it was found."""
    limits = limits or Limits.current()
    if file_format(path, file_name) == "XLSX":
        return _XlsxFile(path, file_name, limits, is_header=is_header, sheet=sheet)
    if sheet is not None:
        raise FileFault(file_name, "a sheet was named, but the file is CSV, which has no sheets; "
                                   "expected an Excel workbook (.xlsx), or no sheet named",
                        expected="an Excel workbook (.xlsx), or no sheet named")
    return _CsvFile(path, file_name, limits, is_header=is_header)


# A header line may be this many characters per column allowed (far above real names), so a
# hostile header line is refused before it is split into a million columns.
HEADER_CHARS_PER_COLUMN = 256


class _LineTooLong(Exception):
    """A line of a CSV file is longer than any row of its width could be."""


class _BoundedLines:
    """The lines of a text file for csv.reader, each refused past `limit` characters, so one
    enormous line (a file with no line breaks) is never read into memory whole."""

    def __init__(self, handle, limit: int):
        self._readline = handle.readline
        self.limit = limit

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self._readline(self.limit + 1)
        if not line:
            raise StopIteration
        if len(line) > self.limit:
            raise _LineTooLong
        return line


class _CsvFile(TableFile):
    def __init__(self, path: Path, file_name: str, limits: Limits, *, is_header: HeaderTest | None = None):
        self._name = file_name
        self._is_header = is_header
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
        self._handle = open(path, encoding="utf-8-sig", errors="strict", newline="")
        try:
            self._lines = _BoundedLines(self._handle, limits.max_columns * HEADER_CHARS_PER_COLUMN)
            self._reader = csv.reader(self._lines, strict=True)
            self.header = self._read_header(limits)
            skipped = self._skip_title_rows(limits)
            # From here on a line may be as long as a row of this many values can be; each value
            # is held to csv's field size limit.
            self._lines.limit = max(self._lines.limit, len(self.header) * (csv.field_size_limit() + 3))
            self._skipped = skipped
            # The lines above the first data row (a quoted value can hold a line break).
            self.lines_above = self._reader.line_num
            self.path = path
        except BaseException:
            self.close()
            raise

    @cached_property
    def scan(self) -> FileScan:
        """The file's SHA-256, line breaks and whether DuckDB may read it (`scan_file`)."""
        return scan_file(self.path)

    def _estimate_rows(self) -> int | None:
        # The line breaks after the header (and any title rows above it).
        return max(self.scan.line_breaks - 1 - self._skipped, 0)

    def _read_header(self, limits: Limits) -> list[str]:
        try:
            header = self._next_row(0)
        except _LineTooLong:
            raise over_limit(self._name, f"the header row is longer than {self._lines.limit:,} "
                             "characters", limit="max_columns",
                             expected=f"a header of at most {limits.max_columns:,} columns") from None
        if header is None or not any(value.strip() for value in header):
            raise unreadable(self._name, "CSV", "the first row, the header, is empty")
        if len(header) > limits.max_columns:
            raise over_limit(self._name, f"the header has {len(header):,} columns",
                             limit="max_columns", expected=f"at most {limits.max_columns:,} columns")
        for separator, name in ((";", "semicolons"), ("\t", "tabs")):
            if len(header) == 1 and separator in header[0]:
                raise unreadable(self._name, "CSV", f"its values are separated by {name}, not commas")
        return header

    def _skip_title_rows(self, limits: Limits) -> int:
        """With a header test, move past title rows to the first row that passes it, among the
        top HEADER_SEARCH_ROWS; return how many rows were skipped. When none passes, the file is
        read from the start again, so the first row stays the header (and its fault is named)."""
        if self._is_header is None or self._is_header(self.header):
            return 0
        for skipped in range(1, HEADER_SEARCH_ROWS):
            try:
                row = self._next_row(skipped)
            except (FileFault, _LineTooLong):
                break
            if row is None:
                break
            if len(row) <= limits.max_columns and any(value.strip() for value in row) and self._is_header(row):
                self.header, self.header_row = row, skipped + 1
                return skipped
        self.header_found = False
        self._handle.seek(0)
        self._lines = _BoundedLines(self._handle, self._lines.limit)
        self._reader = csv.reader(self._lines, strict=True)
        self._next_row(0)
        return 0

    def _next_row(self, number: int) -> list[str] | None:
        """The next row; `number` is that of the row before, for messages. csv's own error text
        is never shown: it can quote the row."""
        try:
            return next(self._reader)
        except StopIteration:
            return None
        except csv.Error as error:
            raise unreadable(self._name, "CSV",
                             f"row {number + 1} is garbled ({_csv_problem(error)})") from None
        except UnicodeDecodeError:
            raise unreadable(self._name, "CSV", f"it is not UTF-8 text (row {number + 1} cannot be "
                             "read; save it as CSV UTF-8)") from None

    def numbered_rows(self) -> Iterator[tuple[int, list[str]]]:
        width = len(self.header)
        number = 0
        while True:
            try:
                values = self._next_row(number)
            except _LineTooLong:
                raise unreadable(self._name, "CSV", f"row {number + 1} is longer than "
                                 f"{self._lines.limit:,} characters, more than {width:,} values "
                                 "could be (a quote may be missing)") from None
            if values is None:
                return
            number += 1
            if not any(values):
                continue
            if len(values) != width:
                if len(values) < width or any(value.strip() for value in values[width:]):
                    raise unreadable(
                        self._name, "CSV",
                        f"row {number} has {len(values):,} values but the header has {width:,} columns "
                        "(the file may be cut short, or a value holds an unquoted comma)")
                values = values[:width]
            yield number, values

    def close(self) -> None:
        handle = getattr(self, "_handle", None)
        if handle is not None:
            handle.close()


def _csv_problem(error: csv.Error) -> str:
    """csv's complaint in plain words, without the text of the row it may quote."""
    text = str(error)
    if "field larger than field limit" in text:
        return f"a value is longer than {csv.field_size_limit():,} characters"
    if "unexpected end of data" in text or "EOF" in text:
        return "a quoted value is never closed"
    if "NUL" in text:
        return "it holds a NUL character"
    if "new-line" in text:
        return "a line break inside a value that is not quoted"
    return "a quote mark is out of place"


class _XlsxFile(TableFile):
    """One sheet of a workbook, opened by openpyxl after `check_workbook` has passed it.

    The sheet is the one named, or the first whose top rows hold a header that passes the
    header test (cover, contents and notes sheets have none), or the first sheet.
    Whatever openpyxl, zipfile or the XML parser raises on a damaged or hostile workbook becomes
    a FileFault, here and while the rows are read; only running out of memory is left to rise.
    """

    def __init__(self, path: Path, file_name: str, limits: Limits, *, is_header: HeaderTest | None = None,
                 sheet: str | None = None):
        import openpyxl

        self._name = file_name
        self._limits = limits
        # Opened as a stream, so an upload's temporary name (without .xlsx) is no obstacle.
        self._handle = open(path, "rb")
        try:
            check_workbook(self._handle, file_name, limits)
            self._handle.seek(0)
            self._book = openpyxl.load_workbook(self._handle, read_only=True, data_only=True)
            worksheet, header_row, header = self._find_header(is_header, sheet)
            self.sheet_name = worksheet.title
            self.first_sheet = worksheet is self._book.worksheets[0]
            self.header_row = header_row
            # Read no wider than the sheet declares, or than the limit: a row that claims a
            # cell in column 16,384 would otherwise be padded out to it, row after row.
            width = worksheet.max_column or limits.max_columns + 1
            self._rows = iter(worksheet.iter_rows(values_only=True, max_col=width, min_row=header_row + 1))
        except FileFault:
            self.close()
            raise
        except MemoryError:
            self.close()
            raise
        except Exception as error:
            self.close()
            raise _workbook_fault(file_name, error) from None
        if not header:
            self.close()
            raise unreadable(file_name, "XLSX", "the sheet has no header: its first rows are empty")
        if len(header) > limits.max_columns:
            self.close()
            raise over_limit(file_name, f"the sheet has more than {limits.max_columns:,} columns",
                             limit="max_columns", expected=f"at most {limits.max_columns:,} columns")
        self.header = header
        self._declared_rows = worksheet.max_row

    def _estimate_rows(self) -> int | None:
        return max(self._declared_rows - self.header_row, 0) if self._declared_rows else None

    def _find_header(self, is_header: HeaderTest | None, sheet: str | None):
        """(worksheet, header row, header): see the class's docstring."""
        sheets = self._book.worksheets
        if sheet is not None:
            wanted = sheet.strip().casefold()
            named = [candidate for candidate in sheets if candidate.title.strip().casefold() == wanted]
            if not named:
                titles = ", ".join(f'"{shortened(candidate.title, 40)}"' for candidate in sheets[:20])
                raise FileFault(self._name, f'the workbook has no sheet "{shortened(sheet, 60)}"; '
                                            f"expected one of its sheets: {titles}",
                                expected=f"one of the sheets {titles}")
            sheets = named
        found = []
        for worksheet in sheets:
            self._check_size(worksheet)
            if is_header is None:
                break
            row = self._header_in(worksheet, is_header)
            if row is not None:
                found.append((worksheet, *row))
        persons = [entry for entry in found if "persons" in entry[0].title.lower()]
        if len(found) > 1 and len(persons) == 1:
            # The older ONS workbooks: a Persons sheet beside a Males and a Females one.
            self.others = tuple(worksheet.title for worksheet, _, _ in found if worksheet is not persons[0][0])
            found = persons
        if len(found) > 1:
            titles = ", ".join(f'"{shortened(worksheet.title, 40)}"' for worksheet, _, _ in found[:10])
            raise FileFault(
                self._name,
                f"{len(found)} sheets hold the columns needed ({titles}), as a workbook with one sheet per "
                f"year or per group does; expected one: choose the sheet to import (--sheet NAME on the "
                f"command line), and import each of the others in turn",
                expected="one sheet chosen with --sheet")
        if found:
            return found[0]
        # Nothing passed the test (or there is none): the first non-blank row of the first sheet
        # chosen is the header, so the usual message names the column that is missing.
        self.header_found = is_header is None
        worksheet = sheets[0]
        width = min(worksheet.max_column or self._limits.max_columns, self._limits.max_columns)
        rows = worksheet.iter_rows(values_only=True, max_row=HEADER_SEARCH_ROWS, max_col=width)
        for number, cells in enumerate(rows, 1):
            header = _header_of(cells)
            if header or is_header is None:
                return worksheet, number, header
        return worksheet, 1, []

    def _header_in(self, worksheet, is_header: HeaderTest):
        """(row, header) of the first row among the top rows of the sheet that passes the test."""
        width = min(worksheet.max_column or self._limits.max_columns, self._limits.max_columns)
        for number, cells in enumerate(worksheet.iter_rows(values_only=True, max_row=HEADER_SEARCH_ROWS,
                                                           max_col=width), 1):
            header = _header_of(cells)
            if header and is_header(header):
                return number, header
        return None

    def _check_size(self, worksheet) -> None:
        """Refuse a sheet that says (in its declared dimensions) it is over the limits on rows
        and columns, before a row is read."""
        rows, columns = worksheet.max_row, worksheet.max_column
        sheet = f'the sheet "{shortened(worksheet.title, 40)}"'
        if rows and rows > self._limits.max_workbook_rows:
            raise over_limit(self._name, f"{sheet} has {rows:,} rows",
                             limit="max_workbook_rows",
                             expected=f"at most {self._limits.max_workbook_rows:,} rows")
        if columns and columns > self._limits.max_columns:
            raise over_limit(self._name, f"{sheet} has {columns:,} columns",
                             limit="max_columns", expected=f"at most {self._limits.max_columns:,} columns")

    def numbered_rows(self) -> Iterator[tuple[int, list[str]]]:
        width = len(self.header)
        # Data row N is the sheet's row N + header_row.
        last = self._limits.max_workbook_rows - self.header_row
        number = 0
        while True:
            try:
                cells = next(self._rows, None)
            except MemoryError:
                raise
            except Exception as error:
                raise _workbook_fault(self._name, error, row=number + 1) from None
            if cells is None:
                return
            number += 1
            # Counted before blank rows are skipped: a sheet can jump to row 1,000,000,000, and
            # openpyxl hands over every empty row on the way.
            if number > last:
                limit = self._limits.max_workbook_rows
                raise over_limit(self._name, f'the sheet "{shortened(self.sheet_name or "", 40)}" has more '
                                 f"than {limit:,} rows",
                                 limit="max_workbook_rows", expected=f"at most {limit:,} rows")
            tail = cells[width:]
            beyond = tail.count(None) != len(tail) and any(cell_text(value).strip() for value in tail)
            values = [cell_text(value) for value in cells[:width]]
            if not any(values) and not beyond:
                continue
            if beyond:
                raise unreadable(self._name, "XLSX",
                                 f"row {number} has values beyond the {width:,} columns of the header")
            # Read-only sheets leave out empty cells at the end of a row.
            values.extend([""] * (width - len(values)))
            yield number, values

    def close(self) -> None:
        book = getattr(self, "_book", None)
        if book is not None:
            book.close()
        self._handle.close()


def _header_of(cells) -> list[str]:
    """A row of cells as header names, without the empty cells at its end."""
    header = [cell_text(value) for value in cells or ()]
    while header and not header[-1].strip():
        header.pop()
    return header


def _workbook_fault(file_name: str, error: BaseException, *, row: int | None = None) -> FileFault:
    """What openpyxl's (or zipfile's, or the XML parser's) error means, in words that quote
    nothing from the workbook: its error text can hold a cell's value."""
    if _is_entity_error(error):
        return unreadable(file_name, "XLSX", ENTITY_PROBLEM)
    if row is None:
        return unreadable(file_name, "XLSX", NOT_A_WORKBOOK)
    return unreadable(file_name, "XLSX", f"the sheet is damaged at row {row:,}")


def _is_entity_error(error: BaseException | None) -> bool:
    """Whether defusedxml refused an entity or DTD anywhere in the error's chain (openpyxl wraps
    it in a ValueError of its own)."""
    try:
        from defusedxml import DefusedXmlException
    except ImportError:         # then check_workbook alone keeps DTDs out
        return False
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, DefusedXmlException):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


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
    a family key becomes `_family_key`; `nhs_number` and `family_key` hold masked forms. A child
    key is used as `_child_key`, which is the keyed hash where the key is an NHS number (then
    `_child_nhs` is set, and `child_key` holds it masked); `_child_fault` says why one is unusable.
    """
    columns = [name for name in resolved.positions if name not in _PERSONAL]
    if resolved.has("child_key"):
        columns += ["_child_key", "_child_fault", "_child_nhs"]
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


# -- a CSV file read by DuckDB -----------------------------------------------------------------
#
# Python's csv module reads a few hundred thousand rows a second; DuckDB reads millions, on every
# core. So a CSV file is read by DuckDB in one query that also trims, hashes and masks, exactly as
# `_batch_columns` does. Where DuckDB's reader could differ from Python's (a blank line, which it
# skips without numbering; a NUL character; a line longer than csv's limit on one value), or where
# it refuses the file at all, the file is read by the Python reader instead, which gives the same
# rows or the same message as it always has.

# Signs, found in the bytes, that DuckDB's reading could differ from Python's: a NUL character; a
# blank line (which Python numbers and DuckDB skips); a space beside a quote mark (DuckDB drops the
# spaces around a quoted value, where Python keeps ` "a"` as it is and refuses `"a" `).
_NOT_FOR_DUCKDB = (b"\x00", b"\n\n", b"\r\r", b"\n\r", b' "', b'" ')
# DuckDB's own text upper-cases by the simple mapping; Python's by the full one ("ß" -> "SS").
_PYTHON_UPPER = "reach_python_upper"


# Each sign as a compiled pattern: for a literal, Python's regular expressions find the first byte
# at memory speed and look at the next only there, three times quicker than `sign in data`.
_SIGN_PATTERNS = tuple((sign, re.compile(re.escape(sign))) for sign in _NOT_FOR_DUCKDB)


def _has_sign(data: bytes) -> bool:
    """Whether any of `_NOT_FOR_DUCKDB` is in `data`. A sign can be there only where each of its
    bytes is, and a search for one byte is many times quicker than for two: so each byte is
    looked for once, and a sign is searched for only where all of its bytes were found (most
    files hold no carriage return, and many no space or no quote mark)."""
    present: dict[int, bool] = {}
    for sign, pattern in _SIGN_PATTERNS:
        for byte in sign:
            if byte not in present:
                present[byte] = bytes((byte,)) in data
        if all(present[byte] for byte in sign) and (len(sign) == 1 or pattern.search(data) is not None):
            return True
    return False


def _duckdb_can_read(table: _CsvFile) -> bool:
    """Whether none of `_NOT_FOR_DUCKDB` is in the file (a memory-speed scan of its bytes)."""
    return table.scan.duckdb_readable


def _stripped_sql(expression: str) -> str:
    """SQL for Python's `str.strip()`: a value that starts and ends with a printable character
    other than a space (nearly all) is left as it is; any other is trimmed of WHITESPACE."""
    # `'^[^!-~]|[^!-~]$'` as a regular expression, but without one (twice as quick): a first or
    # last character outside '!' to '~' (a character of several bytes has a code above 126).
    # Each is taken by its code (`ord`, where an empty value has none in the range), a third
    # quicker than comparing it as text; the last as `value[-1]`, the same character as
    # `right(value, 1)` and quicker (0.1 s over the four columns of 10 million contacts).
    def printable(character: str) -> str:
        return f"ord({character}) BETWEEN 33 AND 126"

    return (f"CASE WHEN NOT ({printable(expression)} AND {printable(f'{expression}[-1]')}) "
            f"THEN trim({expression}, {_sql_literal(WHITESPACE)}) ELSE {expression} END")


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _csv_select_sql(resolved: Resolved, columns: list[str], source: str, *, carried: str = "_row") -> str:
    """A SELECT over `source` (the file's columns c0, c1, ... and the column `carried`, which is
    passed through as it is) that gives `raw_columns`, value for value as `_batch_columns` gives
    them. It is built in layers, so that each value is trimmed, cleaned and checked once however
    often the expressions above use it."""
    personal = {name: resolved.positions[name] for name in _PERSONAL + ("child_key",) if resolved.has(name)}
    # Layer 1: each value stripped (NULL when blank); NHS numbers and child keys cleaned, and
    # postcodes without their blanks.
    first = {f"s{position}": f"nullif({_stripped_sql(f'c{position}')}, '')"
             for position in sorted(set(resolved.positions.values()))}
    # Layer 0, before it: whether an NHS number or child key is 10 digits as it stands (nearly
    # every one is), so that it is cleaned, and looked at again, only where it is not.
    numbers = [personal[name] for name in ("nhs_number", "child_key") if name in personal]
    zeroth = {f"d{position}": ten_digits_sql(f"c{position}") for position in numbers}
    # And before that, where the processor has SHA instructions, the key of each value that is an
    # NHS number as it stands, `q` (NULL for any other): where it is found, nothing below looks at
    # the value again but to mask it, and the checks in SQL are made for the rest alone.
    keys = {position: nhs_number_key_sql(f"c{position}") for position in numbers}
    quick = {position: expression for position, expression in keys.items() if expression is not None}
    earliest = {f"q{position}": expression for position, expression in quick.items()}
    for position in quick:
        zeroth[f"d{position}"] = f"CASE WHEN q{position} IS NOT NULL THEN true ELSE {zeroth[f'd{position}']} END"
    for position in numbers:
        first[f"d{position}"] = f"d{position}"
        first[f"n{position}"] = clean_nhs_number_sql(f"c{position}", ten=f"d{position}")
        if position in quick:
            first[f"q{position}"] = f"q{position}"
    if "postcode" in personal:
        # A postcode of ASCII letters, digits and spaces alone (nearly every one) loses its spaces
        # and is upper-cased plainly; only any other is cleaned of every kind of blank with a
        # regular expression, and upper-cased as Python does (0.2 s less on 3 million births).
        postcode = f"c{personal['postcode']}"
        zeroth["postcode_plain"] = f"coalesce(regexp_full_match({postcode}, '[A-Za-z0-9 ]*'), true)"
        first["postcode_plain"] = "postcode_plain"
        first["postcode_spaceless"] = (f"CASE WHEN postcode_plain THEN replace({postcode}, ' ', '') "
                                       f"ELSE regexp_replace({postcode}, '[{WHITESPACE_CLASS}]', '', 'g') END")
    # Layer 2: whether a cleaned number is 10 digits; layer 3: its value as a whole number
    # (NULL unless 10 digits, and not needed where `q` was found); layer 4: whether it passes
    # the check digit.
    second = {f"t{position}": f"CASE WHEN d{position} THEN true ELSE {ten_digits_sql(f'n{position}')} END"
              for position in numbers}
    third = {f"v{position}": number_sql(f"n{position}", f"t{position}" if position not in quick
                                        else f"q{position} IS NULL AND t{position}")
             for position in numbers}
    fourth = {f"k{position}": check_digit_of_number_sql(f"v{position}") for position in numbers}
    for position in quick:
        fourth[f"k{position}"] = f"CASE WHEN q{position} IS NOT NULL THEN true ELSE {fourth[f'k{position}']} END"

    def checked_number(position: int) -> dict[str, str]:
        """The columns `nhs_number_sql` and `child_key_sql` take for a number's checks."""
        return {"ten": f"t{position}", "passes": f"k{position}",
                **({"quick": f"q{position}"} if position in quick else {})}

    def stripped(name: str) -> str:
        return f"s{resolved.positions[name]}"

    expressions = {name: stripped(name) for name in resolved.positions if name not in _PERSONAL}
    if "postcode" in personal:
        spaceless = "postcode_spaceless"
        expressions["_postcode"] = (f"nullif(CASE WHEN postcode_plain THEN upper({spaceless}) "
                                    f"WHEN regexp_matches({spaceless}, '[^\\x{{0000}}-\\x{{007F}}]') "
                                    f"THEN {_PYTHON_UPPER}({spaceless}) ELSE upper({spaceless}) END, '')")
    if "child_key" in personal:
        position = personal["child_key"]
        expressions.update(child_key_sql(stripped("child_key"), f"n{position}", resolved.label("child_key"),
                                         **checked_number(position)))
    if "nhs_number" in personal:
        position = personal["nhs_number"]
        cleaned = f"n{position}"
        expressions["nhs_number"] = mask_sql(cleaned)
        expressions["_nhs_key"], expressions["_nhs_fault"] = nhs_number_sql(
            cleaned, resolved.label("nhs_number"), **checked_number(position))
    if "family_key" in personal:
        family = identifier_sql(stripped("family_key"))
        expressions["family_key"], expressions["_family_key"] = family["masked"], family["key"]

    def listed(named: dict[str, str]) -> str:
        return "".join(f", {expression} AS {name}" for name, expression in named.items())

    final = ", ".join(f'{expressions[name]} AS "{name}"' for name in columns)
    return f"""SELECT {carried}, {final} FROM (
                   SELECT *{listed(fourth)} FROM (
                   SELECT *{listed(third)} FROM (
                   SELECT *{listed(second)} FROM (
                       SELECT {carried}{listed(first)} FROM (
                           SELECT *{listed(zeroth)} FROM (
                               SELECT *{listed(earliest)} FROM {source}))))))"""


def duckdb_may_read(table: TableFile) -> bool:
    """Whether the file is CSV that DuckDB's reader may read as Python's would (it may still
    refuse it when it reads it)."""
    # DuckDB skips rows, not lines: the two agree only where no value above the data holds a
    # line break.
    return (isinstance(table, _CsvFile) and table.lines_above == table.header_row
            and _duckdb_can_read(table))


def csv_read_sql(table: TableFile, resolved: Resolved, *, key: bytes | None,
                 hashes_nhs_number: bool) -> tuple[str, dict] | None:
    """The SELECT with which DuckDB reads a CSV file as `load_raw` would (`raw_columns`, and
    `_blank`, whether the row is blank), in the file's order, with its parameters; or None where
    the file is to be read by `load_raw` instead: a workbook, or a file DuckDB could read
    differently from Python. (DuckDB may still refuse a file when it reads it.)"""
    if not isinstance(table, _CsvFile) or not duckdb_may_read(table):
        return None
    columns = raw_columns(resolved, hashes_nhs_number=hashes_nhs_number)
    personal = [name for name in ("child_key", "nhs_number", "family_key") if resolved.has(name)]
    if personal and key is None:
        raise ValueError("a key is needed to pseudonymise NHS numbers, child keys and family keys")
    width = len(table.header)
    names = [f"c{position}" for position in range(width)]
    types = ", ".join(f"'{name}': 'VARCHAR'" for name in names)
    # Every option given, nothing sniffed: text in, as Python's csv module reads it.
    options = (f"header = false, skip = {int(table.header_row)}, columns = {{{types}}}, auto_detect = false, "
               "delim = ',', quote = '\"', escape = '\"', strict_mode = true, null_padding = false, "
               f"max_line_size = {csv.field_size_limit()}, encoding = 'utf-8'")
    # A row whose every value is empty is blank: numbered, but not read. (Each value looked at in
    # turn, and the next only where those before were empty: joining them all made a new text
    # for every row.)
    blank = " AND ".join(f"({name} IS NULL OR {name} = '')" for name in names)
    read = f"(SELECT {blank} AS _blank, * FROM read_csv({_sql_literal(str(table.path))}, {options}))"
    sql = _csv_select_sql(resolved, columns, read, carried="_blank")
    params = key_pads(key) if key is not None and personal else {}
    return sql, {name: value for name, value in params.items() if f"${name}" in sql}


def sql_functions(con, sql: str, *, key: bytes | None):
    """Register, for the run of `sql`, the functions of ours `csv_read_sql` may ask for, as a
    context manager: `with sql_functions(con, sql, key=key): con.execute(sql)`. They are
    Python's upper-casing and the keyed hashes under `key` (`keyed_hash_kernel`)."""
    hashes = any(f"{name}(" in sql for name in (keyed_hash_kernel.SQL_NAME, keyed_hash_kernel.NHS_NUMBER_SQL_NAME))
    return _SqlFunctions(con, upper=_PYTHON_UPPER in sql, key=key if hashes else None)


class _SqlFunctions:
    def __init__(self, con, *, upper: bool, key: bytes | None):
        self.con, self.upper, self.key = con, upper, key

    def __enter__(self):
        if self.upper:
            self.con.create_function(_PYTHON_UPPER, lambda text: text.upper(), ["VARCHAR"], "VARCHAR")
        if self.key is not None:
            keyed_hash_kernel.register(self.con, self.key)

    def __exit__(self, *exc_info):
        if self.upper:
            self.con.remove_function(_PYTHON_UPPER)
        if self.key is not None:
            keyed_hash_kernel.unregister(self.con)


def load_csv(con, table: TableFile, resolved: Resolved, *, key: bytes | None, hashes_nhs_number: bool,
             progress: Progress) -> int | None:
    """Load a CSV file with DuckDB's reader so that `raw_rows` holds what `load_raw` would put
    there (here a view of the temporary table `read_rows`); return the number of rows read, or
    None (with nothing created) where the file is to be read by `load_raw` instead: a workbook,
    a file DuckDB could read differently from Python, or one it refuses (whose message, if any,
    `load_raw` then gives).

    Run it outside a transaction: a refused read would leave one unusable.
    """
    read = csv_read_sql(table, resolved, key=key, hashes_nhs_number=hashes_nhs_number)
    if read is None:
        return None
    select, params = read
    # The rows are numbered by their place in the table they are read into, not as they are read
    # (`row_number() OVER ()` would read, trim and hash every row on one core): DuckDB writes the
    # rows of a CREATE TABLE AS in the order it reads them (`preserve_insertion_order`, on unless
    # turned off), so row N of the file is the table's row N - 1, its `rowid`. Blank rows are kept
    # there, so the numbers after them stay right, and left out of `raw_rows`.
    sql = f"CREATE TEMP TABLE {READ_TABLE} AS {select}"
    try:
        with sql_functions(con, sql, key=key):
            con.execute("SET preserve_insertion_order = true")
            con.execute(sql, params)
    except duckdb.Error:
        con.execute(f"DROP TABLE IF EXISTS {READ_TABLE}")
        return None
    con.execute(f"""CREATE TEMP VIEW {RAW_TABLE} AS
                    SELECT rowid + 1 AS _row, * EXCLUDE (_blank) FROM {READ_TABLE} WHERE NOT _blank""")
    rows_read = con.execute(f"SELECT count(*) FROM {RAW_TABLE}").fetchall()[0][0]
    progress(0, table.estimated_rows, "reading")
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

    def secret() -> bytes:     # asked for before anything is hashed
        if key is None:
            raise ValueError("a key is needed to pseudonymise NHS numbers, child keys and family keys")
        return key

    if resolved.has("child_key"):
        # A child key may be an NHS number under another name: it is hashed like one.
        child = check_child_keys(column("child_key"), key=secret(), label=resolved.label("child_key"))
        arrays["child_key"] = text(child.shown)
        arrays["_child_key"] = text(child.keys)
        arrays["_child_fault"] = text(child.faults)
        arrays["_child_nhs"] = text(["yes" if was else None for was in child.were_nhs])
    if resolved.has("nhs_number"):
        checked = check_nhs_numbers(column("nhs_number"), key=secret(), label=resolved.label("nhs_number"))
        arrays["nhs_number"] = text(checked.masked)
        if hashes_nhs_number:
            arrays["_nhs_key"] = text(checked.keys)
            arrays["_nhs_fault"] = text(checked.faults)
    if resolved.has("family_key"):
        keys, masked = hash_identifiers(column("family_key"), key=secret())
        arrays["family_key"] = text(masked)
        arrays["_family_key"] = text(keys)
    return arrays


def normalise_postcode(text: str) -> str:
    """A postcode as the store keeps it: upper case, no spaces ("m32 9an" -> "M329AN")."""
    return "".join(text.split()).upper()
