"""The contactable worklist: a centre's unmatched births with the contact details health holds.

The worklist (`worklist.unmatched_births`) is pseudonymised: a child key, never a name. A centre
needs names and addresses to knock on doors, and the data officer already holds them, in the
health extract the births were imported from. So at export time, and only then, the extract's
NHS numbers are hashed with the store's key (the caller's `find_contacts`, which reads the file)
and each child on the list gets the extract's row with the same key. The store is only read:
the joined list exists in memory and in the file the caller writes, nowhere else.

Each row of the worklist stays, in the same order, with the same values: the extract's columns
follow (every one but the NHS number, which the list leaves out: an outreach worker needs a name,
an address and a telephone number, and the child key links the row back to the data officer's
records), then a note. A child with no row in the extract keeps blank contact fields and a note
saying so; one with several rows that differ gets the last (extracts are written oldest first),
with a note to check the others.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from reach.queries.calibration import _centre_exists
from reach.queries.worklist import WORKLIST_COLUMNS, unmatched_births

NOTE = "note"
NOT_IN_EXTRACT = ("not in the extract: no row has this child's NHS number (look in other extracts, "
                  "or ask health for the family's details)")
# The extract's column names that the worklist already uses are marked as the extract's.
FROM_EXTRACT = " (extract)"


@dataclass(frozen=True)
class Found:
    """What `find_contacts` gives: the extract's columns and, for each child key asked for that
    it holds, its rows (each a value for every column, in order)."""

    columns: Sequence[str]
    rows: Mapping[str, Sequence[Sequence[str]]]


@dataclass(frozen=True)
class ContactableWorklist:
    frame: pd.DataFrame         # the worklist's columns, the extract's, then `note`
    worklist_columns: tuple[str, ...]
    contact_columns: tuple[str, ...]
    matched: int                # rows given contact details from the extract

    @property
    def unmatched(self) -> int:
        return len(self.frame) - self.matched


def several_rows_note(count: int) -> str:
    return (f"the extract has {count:,} different rows for this child: the last is shown; check the others "
            "in the extract")


def contactable_worklist(con, *, as_at, centre_id: str,
                         find_contacts: Callable[[set[str]], Found]) -> ContactableWorklist:
    """The centre's worklist as at `as_at`, row for row, with the contact details `find_contacts`
    returns for its child keys. Raises UnknownCentre for a centre with no reach area."""
    _centre_exists(con, centre_id)
    worklist = unmatched_births(con, as_at=as_at, centre_id=centre_id)
    found = find_contacts(set(worklist["child_key"]))
    return join_contacts(worklist, found)


def join_contacts(worklist: pd.DataFrame, found: Found) -> ContactableWorklist:
    """`worklist` with the extract's columns and a note added: see the module's docstring."""
    names = contact_column_names(found.columns, taken=(*worklist.columns, NOTE))
    values: list[list[str | None]] = []
    notes: list[str | None] = []
    matched = 0
    for child_key in worklist["child_key"]:
        rows = found.rows.get(child_key, ())
        if not rows:
            values.append([None] * len(names))
            notes.append(NOT_IN_EXTRACT)
            continue
        matched += 1
        values.append([value or None for value in rows[-1]])
        distinct = len({tuple(row) for row in rows})
        notes.append(several_rows_note(len(rows)) if distinct > 1 else None)
    contacts = pd.DataFrame(values, columns=list(names), index=worklist.index, dtype=object)
    frame = pd.concat([worklist, contacts], axis=1)
    frame[NOTE] = pd.Series(notes, index=worklist.index, dtype=object)
    return ContactableWorklist(frame=frame, worklist_columns=tuple(worklist.columns),
                               contact_columns=tuple(names), matched=matched)


def contact_column_names(columns: Sequence[str], *, taken: Sequence[str] = (*WORKLIST_COLUMNS, NOTE)) -> list[str]:
    """The extract's column names as the output uses them: as the file spells them, a blank one
    named by its place, and one the worklist (or an earlier column) already uses marked as the
    extract's, so no two columns of the output share a name."""
    used = {name.casefold() for name in taken}
    names = []
    for place, column in enumerate(columns, 1):
        name = column.strip() or f"column {place}"
        if name.casefold() in used:
            name += FROM_EXTRACT
        candidate, number = name, 2
        while candidate.casefold() in used:
            candidate, number = f"{name} {number}", number + 1
        used.add(candidate.casefold())
        names.append(candidate)
    return names
