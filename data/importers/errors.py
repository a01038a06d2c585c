"""The one error an import raises when a whole file cannot be taken."""

from __future__ import annotations


class FileFault(Exception):
    """A file-level fault: the file cannot be read, a required column is missing, or the kind
    is unknown. Nothing is written to the store when this is raised.

    `file` is the file's name as the user knows it, `column` the column at fault (None when the
    fault is not about one column) and `expected` what the file should have had. `str()` is a
    full sentence that names all three, fit to show a data officer as it is.
    """

    def __init__(self, file: str, problem: str, *, column: str | None = None, expected: str):
        self.file = file
        self.column = column
        self.expected = expected
        self.problem = problem
        super().__init__(f"{file}: {problem}")


def unreadable(file: str, file_format: str, detail: str) -> FileFault:
    """The file is not the CSV or XLSX it should be."""
    if file_format == "XLSX":
        expected = "an Excel workbook (.xlsx) whose first sheet has a header row"
    else:
        expected = "UTF-8 comma-separated text with a header row"
    return FileFault(
        file,
        f"could not be read as {file_format}: {detail}; expected {expected}",
        expected=expected,
    )


def missing_column(file: str, column: str, meaning: str, found: list[str], *,
                   also: str = "") -> FileFault:
    """A required column is absent. `also` adds a clause such as the other accepted layouts."""
    shown = ", ".join(found) if found else "none"
    return FileFault(
        file,
        f'required column "{column}" ({meaning}) is missing; found columns: {shown}{also}',
        column=column,
        expected=meaning,
    )
