"""Checks on an Excel workbook before openpyxl opens it.

An .xlsx file is a zip of XML parts, and both layers can be made to cost far more than the file's
size: a part that inflates a thousandfold, a shared-strings table of forty million strings that
openpyxl would hold in memory, an XML entity that expands to gigabytes (the "billion laughs"), or
an external entity that makes the parser read a file on this computer. openpyxl parses through
defusedxml, which refuses entities; these checks come first, so that every such workbook is
refused in a second, with a plain message, whatever the parser does:

- the sizes the zip declares, against `max_uncompressed_bytes` and `max_compression_ratio`
  (Python's zipfile never inflates a part past its declared size, so the sizes hold while
  openpyxl reads);
- no part may declare a DTD, the only place an entity can be defined (only the start of each
  part is read: a DTD must come before the first element);
- the shared strings are counted as they stream past, stopping at `max_workbook_strings`.
"""

from __future__ import annotations

import zipfile
from typing import BinaryIO
from xml.parsers import expat

from data.importers.errors import FileFault, over_limit, unreadable
from data.importers.limits import Limits, readable_bytes

ENTITY_PROBLEM = "the workbook contains an XML entity or DTD, which Reach does not open"
NOT_A_WORKBOOK = "it is not an Excel workbook"

CONTENT_TYPES = "[Content_Types].xml"
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SHARED_STRINGS_PART = "xl/sharedStrings.xml"

# A bomb is only a danger when it is large: smaller parts are not held to the compression ratio
# (a short, repetitive part can compress well without harm).
RATIO_FLOOR_BYTES = 1 << 20
# How much of a part may come before its first element. Real parts have an XML declaration of
# a few dozen bytes; a part that has not started by here is not one openpyxl could use.
PROLOG_BYTES = 1 << 20
CHUNK_BYTES = 1 << 16


def check_workbook(handle: BinaryIO, file_name: str, limits: Limits) -> None:
    """Refuse, with a FileFault, a workbook that is not a zip, is over a limit, or declares a DTD.

    `handle` is the open file; it is left open (and its position anywhere).
    """
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise unreadable(file_name, "XLSX", NOT_A_WORKBOOK) from None
    with archive:
        members = archive.infolist()
        check_zip_sizes(members, file_name, limits, what="workbook")
        strings_parts = _shared_strings_parts(archive, file_name)
        for member in members:
            if member.is_dir():
                continue
            counting = member.filename in strings_parts
            _scan_part(archive, member, file_name, limits, count_strings=counting)


def check_zip_sizes(members: list[zipfile.ZipInfo], file_name: str, limits: Limits, *,
                    what: str) -> None:
    """Refuse a zip whose parts together would expand past `max_uncompressed_bytes`, or one of
    whose parts expands more than `max_compression_ratio` times (a zip bomb). Only the sizes the
    zip declares are read, so this costs nothing whatever the file holds."""
    total = sum(member.file_size for member in members)
    if total > limits.max_uncompressed_bytes:
        raise over_limit(
            file_name, f"the {what} would expand to {readable_bytes(total)} when opened",
            limit="max_uncompressed_bytes",
            expected=f"at most {readable_bytes(limits.max_uncompressed_bytes)} once uncompressed")
    for member in members:
        if member.file_size < RATIO_FLOOR_BYTES:
            continue
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > limits.max_compression_ratio:
            raise over_limit(
                file_name, f"one part of the {what} expands {ratio:,.0f} times when opened, "
                           "as a zip bomb does",
                limit="max_compression_ratio",
                expected=f"parts that expand at most {limits.max_compression_ratio:,} times")


def _shared_strings_parts(archive: zipfile.ZipFile, file_name: str) -> set[str]:
    """The parts openpyxl would read as the shared strings: every part [Content_Types].xml lists
    with that content type (openpyxl takes the first), and the usual name besides."""
    parts = {SHARED_STRINGS_PART}
    try:
        archive.getinfo(CONTENT_TYPES)
    except KeyError:
        return parts        # openpyxl refuses a workbook without one
    scan = _PartScan(file_name, limit=None)

    def start(name: str, attributes: dict) -> None:
        scan.start(name, attributes)
        if _local(name) == "Override" and attributes.get("ContentType") == SHARED_STRINGS_TYPE:
            # openpyxl drops the first character, the leading "/" of a part name.
            parts.add(attributes.get("PartName", "")[1:])

    scan.parse(archive, archive.getinfo(CONTENT_TYPES), whole=True, on_start=start)
    return parts


def _scan_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo, file_name: str, limits: Limits,
               *, count_strings: bool) -> None:
    """Refuse a part that declares a DTD; in the shared strings, count the strings too."""
    scan = _PartScan(file_name, limit=limits.max_workbook_strings if count_strings else None)
    scan.parse(archive, member, whole=count_strings, on_start=scan.start)


class _Stop(Exception):
    """The part's first element was seen: the rest cannot hold a DTD."""


class _PartScan:
    """One part read through expat: refusing a DTD, and counting <si> strings up to `limit`."""

    def __init__(self, file_name: str, *, limit: int | None):
        self.file_name = file_name
        self.limit = limit
        self.strings = 0
        self.started = False

    def start(self, name: str, attributes: dict) -> None:
        self.started = True
        if self.limit is not None and _local(name) == "si":
            self.strings += 1
            if self.strings > self.limit:
                raise over_limit(
                    self.file_name,
                    f"the workbook holds more than {self.limit:,} shared strings",
                    limit="max_workbook_strings",
                    expected=f"at most {self.limit:,} different text values")

    def refuse_dtd(self, *args) -> None:
        raise unreadable(self.file_name, "XLSX", ENTITY_PROBLEM)

    def parse(self, archive: zipfile.ZipFile, member: zipfile.ZipInfo, *, whole: bool,
              on_start) -> None:
        """Feed the part to expat. Unless `whole`, stop at its first element. A part that is
        not XML at all (a picture) is left alone: openpyxl does not parse it."""
        parser = expat.ParserCreate()
        parser.StartDoctypeDeclHandler = self.refuse_dtd
        parser.EntityDeclHandler = self.refuse_dtd

        def first_element(name, attributes):
            on_start(name, attributes)
            if not whole:
                raise _Stop

        parser.StartElementHandler = first_element
        read = 0
        try:
            with archive.open(member) as stream:
                while chunk := stream.read(CHUNK_BYTES):
                    read += len(chunk)
                    parser.Parse(chunk, False)
                    if not self.started and read > PROLOG_BYTES:
                        raise unreadable(self.file_name, "XLSX", "one of its parts is not the XML "
                                         "of a workbook (it does not start within 1 MB)")
                parser.Parse(b"", True)
        except (_Stop, expat.ExpatError):
            return
        except FileFault:
            raise
        except MemoryError:
            raise
        except Exception:
            # A part that cannot be inflated: a bad checksum, an unknown compression method, a
            # password. Nothing from the part is quoted.
            raise unreadable(self.file_name, "XLSX", "it is damaged: one of its parts cannot be "
                             "uncompressed") from None


def _local(name: str) -> str:
    """An element's name without its namespace prefix ("x:si" -> "si")."""
    return name.rpartition(":")[2]
