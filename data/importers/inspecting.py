"""Look at a file before importing it: which kind it seems to be, which sheet and header row hold
its data, which column feeds which field, how many rows would be set aside and why, and the
command that imports it. Nothing is written: the file goes through the real import, whose
transaction is then rolled back, so what `inspect` says is exactly what `import` would do.
"""

from __future__ import annotations

import shlex
from functools import partial
from dataclasses import dataclass
from pathlib import Path

from data.importers.errors import FileFault
from data.importers.importing import ImportSummary, import_file
from data.importers.layouts import KINDS, LAYOUTS, accepts, resolve_columns
from data.importers.reading import open_table

BOUNDARY_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".shp")


@dataclass(frozen=True)
class Inspection:
    """What importing a file as `kind` would do, without doing it."""

    file: str
    kind: str
    other_kinds: tuple[str, ...]
    summary: ImportSummary
    sheet: str | None
    layer: str | None = None

    def command(self) -> str:
        words = ["python", "-m", "reach", "import", self.kind, self.file]
        if self.sheet is not None:
            words += ["--sheet", self.sheet]
        if self.layer is not None:
            words += ["--layer", self.layer]
        return shlex.join(words)

    def lines(self) -> list[str]:
        s = self.summary
        lines = [f"{self.file}: looks like {self.kind}"
                 + (f" (it could also be {', '.join(self.other_kinds)}: give --kind to choose)"
                    if self.other_kinds else "") + "."]
        if s.columns:
            lines.append("Columns read: " + "; ".join(f"{field} from \"{column}\"" for field, column in s.columns)
                         + ". Every other column is left out.")
        lines.append(f"Rows: {s.rows_read:,} read, {s.rows_loaded:,} would be loaded, "
                     f"{s.rows_quarantined:,} set aside, {s.rows_already_present:,} already present.")
        for reason, rows, first in s.faults:
            lines.append(f"  {rows:,} {'row' if rows == 1 else 'rows'} (first: row {first:,}): {reason}")
        notes = s.message[len(s.line()):].lstrip(". ").strip() if s.message.startswith(s.line()) else ""
        if notes:
            lines.append(notes)
        lines.append(f"To import it: {self.command()}")
        return lines


def likely_kinds(path: Path, *, file_name: str | None = None, sheet: str | None = None) -> list[str]:
    """The kinds whose columns the file's header holds, the best fit first (the kind whose
    layout takes the most of the file's columns: a registrations export also has every column
    of a births extract)."""
    name = file_name or path.name
    if Path(name).suffix.lower() in BOUNDARY_SUFFIXES:
        return ["boundaries"]
    fits: list[tuple[int, int, str]] = []
    for order, kind in enumerate(kind for kind in KINDS if kind in LAYOUTS):
        try:
            table = open_table(path, file_name=name, sheet=sheet, is_header=partial(accepts, kind))
        except FileFault:
            continue
        try:
            if table.header_found:
                resolved = resolve_columns(kind, table.header, file_name=name)
                fits.append((-len(resolved.positions), order, kind))
        finally:
            table.close()
    return [kind for _, _, kind in sorted(fits)]


def inspect_file(path: str | Path, *, kind: str | None = None, db=None, sheet: str | None = None,
                 original_name: str | None = None, layer: str | None = None) -> Inspection:
    """Inspect a file (see the module's docstring). FileFault when it cannot be imported as
    `kind`, or, without `kind`, when it looks like no kind Reach imports."""
    path = Path(path)
    name = original_name or path.name
    kinds = likely_kinds(path, file_name=name, sheet=sheet) if kind is None else [kind]
    if not kinds:
        expected = "the columns of one of the kinds: " + ", ".join(KINDS)
        raise FileFault(name, "its header holds the columns of no kind of file Reach imports (the first "
                              "rows of every sheet were looked at); expected " + expected +
                        ". Give --kind to see which column is missing", expected=expected)
    chosen = kinds[0]
    summary = import_file(chosen, path, db=db, original_name=name, sheet=sheet, layer=layer, dry_run=True)
    return Inspection(file=name, kind=chosen, other_kinds=tuple(kinds[1:]), summary=summary, sheet=sheet,
                      layer=layer)
