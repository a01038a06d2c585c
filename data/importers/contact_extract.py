"""The health extract a data officer holds, read for the contactable worklist and nothing else.

`python -m reach worklist` re-identifies a centre's unmatched births: it hashes the NHS numbers of
the extract with the store's key, exactly as an import does (`pseudonymise.check_nhs_numbers`),
and keeps, in memory, only the rows whose hash is a child on the worklist. Nothing of the file is
written to the store, not even to a temporary table. The file is checked and read as an import
reads one (`importing._check_file`, `reading.open_table`, the same limits), so a hostile or
enormous file is refused the same way, with a message that quotes none of its values.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from data.importers.errors import FileFault, missing_column, shortened
from data.importers.importing import _check_file
from data.importers.layouts import COLUMNS, normalise_header
from data.importers.limits import Limits
from data.importers.pseudonymise import check_nhs_numbers
from data.importers.reading import BATCH_ROWS, TableFile, open_table

NHS_NUMBER = COLUMNS["nhs_number"]


@dataclass(frozen=True)
class ContactsFound:
    """The rows of the extract for the children asked for, keyed by their child key."""

    columns: tuple[str, ...]                    # the extract's headers, the NHS number's left out
    rows: dict[str, list[tuple[str, ...]]]      # child key -> each row with that NHS number, in file order
    rows_read: int                              # rows of the extract read (blank rows not counted)
    unusable: int                               # rows whose NHS number is missing or fails its check


def nhs_number_position(header: list[str]) -> int | None:
    """Where the NHS number is in a header (`nhs_number` or an alias such as "NHS No."), or None."""
    normalised = [normalise_header(text) for text in header]
    return next((normalised.index(name) for name in NHS_NUMBER.accepted if name in normalised), None)


class ContactExtract:
    """An extract opened and its NHS number column found, before the store is opened; then read
    once by `contacts_for`. Use it in a `with` block, which closes the file."""

    def __init__(self, path: str | Path, *, file_name: str | None = None, sheet: str | None = None,
                 limits: Limits | None = None):
        path = Path(path)
        self.file_name = file_name or path.name
        limits = limits or Limits.current()
        _check_file(path, self.file_name, limits)
        self.table: TableFile = open_table(path, file_name=self.file_name, limits=limits, sheet=sheet,
                                           is_header=lambda header: nhs_number_position(header) is not None)
        try:
            self.position = self._nhs_column(self.table.header)
        except BaseException:
            self.table.close()
            raise

    def _nhs_column(self, header: list[str]) -> int:
        position = nhs_number_position(header)
        if position is None:
            raise missing_column(self.file_name, NHS_NUMBER.name, NHS_NUMBER.meaning, header,
                                 also="; the worklist is matched to the extract by NHS number")
        normalised = [normalise_header(text) for text in header]
        if normalised.count(normalised[position]) > 1:
            raise FileFault(self.file_name, f'the column "{shortened(header[position].strip(), 40)}" appears more '
                                            "than once; expected one column of NHS numbers",
                            column=NHS_NUMBER.name, expected="one column of NHS numbers")
        return position

    @property
    def columns(self) -> tuple[str, ...]:
        """The extract's headers as it spells them, trimmed, without the NHS number's."""
        return tuple(text.strip() for place, text in enumerate(self.table.header) if place != self.position)

    def contacts_for(self, wanted: set[str], *, key: bytes) -> ContactsFound:
        """Every row whose NHS number, hashed with `key`, is one of the `wanted` child keys; the
        other rows are counted and dropped as they are read."""
        rows: dict[str, list[tuple[str, ...]]] = {}
        read = unusable = 0
        for batch in self._batches():
            checked = check_nhs_numbers([values[self.position] for values in batch], key=key,
                                        label=NHS_NUMBER.name)
            read += len(batch)
            for values, child_key in zip(batch, checked.keys):
                if child_key is None:
                    unusable += 1
                elif child_key in wanted:
                    rows.setdefault(child_key, []).append(
                        tuple(value.strip() for place, value in enumerate(values) if place != self.position))
        return ContactsFound(columns=self.columns, rows=rows, rows_read=read, unusable=unusable)

    def _batches(self) -> Iterator[list[list[str]]]:
        for _, batch in self.table.batches(BATCH_ROWS):
            yield batch

    def close(self) -> None:
        self.table.close()

    def __enter__(self) -> ContactExtract:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
