"""One checker per kind of file: what its rows must hold, and where good rows go.

A kind turns the raw rows of a file (table `raw_rows`, all text) into the table `checked`:
one row per row it uses, with the parsed values and `_reason`, the fault in plain words or
NULL. The importer then marks duplicates, quarantines faulty rows and writes the rest.

    base.py             the import in hand (`Context`) and what every kind starts from (`Kind`)
    notes.py            the wording of the notes a kind adds to an import's summary
    reference.py        where things are: centres, reach areas, boundaries, postcodes, LSOA lookup
    area_statistics.py  published figures per LSOA: population estimates, deprivation
    children.py         the files about children: births, birth counts, registrations, contacts
    outcomes.py         outcomes at five: EYFSP results child by child, and GLD counts by area

This module is the registry: the importer finds each kind's checker here by its name.
"""

from __future__ import annotations

from data.importers.kinds.area_statistics import Deprivation, Population
from data.importers.kinds.base import CHECKED, LOADABLE, Context, Kind
from data.importers.kinds.children import BirthCounts, Births, Contacts, Registrations
from data.importers.kinds.notes import count_of, were
from data.importers.kinds.outcomes import Eyfsp, GldCounts
from data.importers.kinds.reference import Boundaries, Centres, LsoaLookup, Postcodes, ReachAreas

KIND_CHECKS: dict[str, Kind] = {
    kind.name: kind
    for kind in (Centres(), ReachAreas(), Boundaries(), Population(), Births(), BirthCounts(),
                 Registrations(), Contacts(), Postcodes(), Deprivation(), LsoaLookup(), Eyfsp(),
                 GldCounts())
}

__all__ = ["CHECKED", "KIND_CHECKS", "LOADABLE", "Context", "Kind", "count_of", "were"]
