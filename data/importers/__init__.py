"""Importers: every kind of file Reach reads, checked row by row, quarantined or saved.

    from data.importers import import_file
    summary = import_file("births", "births_2024_06.csv", received_on="2024-07-01")
    print(summary.line())

A whole-file fault raises FileFault and writes nothing; a faulty row goes to the quarantine
with its reason and the rest of the file is saved. The README's "What each kind of file needs"
lists the columns (from `layouts`); docs/definitions.md says what the figures mean.
"""

from data.importers.errors import FileFault
from data.importers.file_parts import layer_names, sheet_names
from data.importers.history import RemovedImport, import_history, list_quarantine, remove_import
from data.importers.importing import ImportSummary, import_file
from data.importers.inspecting import Inspection, inspect_file, likely_kinds
from data.importers.layouts import KINDS, columns_needed
from data.importers.pseudonymise import is_valid_nhs_number, keyed_hash

__all__ = [
    "columns_needed",
    "KINDS",
    "FileFault",
    "ImportSummary",
    "RemovedImport",
    "import_file",
    "import_history",
    "Inspection",
    "inspect_file",
    "is_valid_nhs_number",
    "keyed_hash",
    "layer_names",
    "likely_kinds",
    "list_quarantine",
    "remove_import",
    "sheet_names",
]
