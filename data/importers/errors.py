"""The one error an import raises when a whole file cannot be taken, and the words it uses.

A refusal is shown to whoever imported the file, in the terminal or on the dashboard's page, and
the file may be a births extract full of names and NHS numbers. So a message names the file, the
columns and the row numbers, but never repeats a value from inside the file: a header is listed
only when it looks like column names (a file without a header would otherwise print its first
record), each name is cut short, and the whole message is capped in length.
"""

from __future__ import annotations

import re
import unicodedata

# A message is a sentence or two for a data officer; nothing longer is ever needed, and a file
# with a million columns must not become a message of megabytes.
MAX_MESSAGE_CHARS = 1_000
# File names as shown (an upload's name is chosen by whoever sends it).
MAX_FILE_NAME_CHARS = 120
# Columns found, as listed when a required one is missing.
SHOWN_COLUMNS = 20
COLUMN_NAME_CHARS = 40

NO_HEADER = "the first row looks like data, not a header row: the file seems to have no header"


class FileFault(Exception):
    """A file-level fault: the file cannot be read, a required column is missing, or the kind
    is unknown. Nothing is written to the store when this is raised.

    `file` is the file's name as the user knows it, `column` the column at fault (None when the
    fault is not about one column) and `expected` what the file should have had. `str()` is a
    full sentence that names all three, fit to show a data officer as it is: one line, with no
    control characters, and at most MAX_MESSAGE_CHARS long whatever the file held.
    """

    def __init__(self, file: str, problem: str, *, column: str | None = None, expected: str):
        self.file = file
        self.column = column
        self.expected = expected
        self.problem = problem
        message = f"{shortened(file, MAX_FILE_NAME_CHARS)}: {problem}"
        super().__init__(shortened(message, MAX_MESSAGE_CHARS))


def printable(text: str) -> str:
    """`text` on one line: line breaks, tabs, other control characters and invisible formatting
    characters (which can reorder what a terminal shows) become spaces."""
    return "".join(" " if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") else char
                   for char in str(text))


def shortened(text: str, limit: int) -> str:
    """`text` made printable and cut to at most `limit` characters, ending "..." when cut."""
    text = printable(text)
    return text if len(text) <= limit else text[:limit - 3].rstrip() + "..."


def unreadable(file: str, file_format: str, detail: str) -> FileFault:
    """The file is not the CSV or XLSX it should be. `detail` must not quote the file's content."""
    if file_format == "XLSX":
        expected = "an Excel workbook (.xlsx) with a sheet that has a header row"
    else:
        expected = "UTF-8 comma-separated text with a header row"
    return FileFault(
        file,
        f"could not be read as {file_format}: {detail}; expected {expected}",
        expected=expected,
    )


def over_limit(file: str, problem: str, *, limit: str, expected: str) -> FileFault:
    """The file is over one of the limits of `limits.py`, named by its field (`limit`): say what
    was found and what is accepted, and which setting allows a genuine file that large."""
    from data.importers.limits import ENV_PREFIX

    return FileFault(
        file,
        f"{problem}; expected {expected}. Reach refuses larger files to protect this computer; "
        f"for a genuine file this large, raise the setting {ENV_PREFIX}{limit.upper()}",
        expected=expected,
    )


def missing_column(file: str, column: str, meaning: str, found: list[str], *,
                   also: str = "") -> FileFault:
    """A required column is absent. `also` adds a clause such as the other accepted layouts."""
    return FileFault(
        file,
        f'required column "{column}" ({meaning}) is missing; {columns_found(found)}{also}',
        column=column,
        expected=meaning,
    )


def columns_found(header: list[str]) -> str:
    """What a missing-column message says about the header it did find.

    When the first row looks like data rather than names, the file has no header, and its cells
    are someone's details: say so and list none of them. Otherwise list the first SHOWN_COLUMNS
    names, each cut to COLUMN_NAME_CHARS.
    """
    found = [text.strip() for text in header if text.strip()]
    if not found:
        return "found columns: none"
    if looks_like_data(found):
        return NO_HEADER
    shown = ", ".join(shortened(name, COLUMN_NAME_CHARS) for name in found[:SHOWN_COLUMNS])
    more = len(found) - SHOWN_COLUMNS
    if more > 0:
        shown += f" and {more:,} more column{'s' if more != 1 else ''}"
    return f"found columns: {shown}"


# Values that are never column names: an NHS number (10 digits, perhaps spaced 3 3 4), a date, a
# UK postcode, an e-mail address, a telephone number.
_DATA_PATTERNS = [re.compile(pattern, re.IGNORECASE) for pattern in (
    r"\d{3}[ -]?\d{3}[ -]?\d{4}",
    r"\d{4}-\d{1,2}-\d{1,2}([ T].*)?",
    r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}",
    r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}",
    r"[^@\s]+@[^@\s]+\.[^@\s]+",
    r"\+?[\d ()-]{10,}",
)]


def looks_like_data(cells: list[str]) -> bool:
    """Whether a header row is really a row of data: any cell matches a pattern of personal data,
    or any holds five or more digits making up most of it (a code, an amount, a number).

    Real headers pass: "LSOA21CD", "Date of birth", and the ONS age columns "0" to "90".
    """
    for cell in cells:
        text = cell.strip()
        if any(pattern.fullmatch(text) for pattern in _DATA_PATTERNS):
            return True
        digits = sum(char.isdigit() for char in text)
        if digits >= 5 and digits * 2 > len(text.replace(" ", "")):
            return True
    return False
