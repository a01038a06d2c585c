"""A download of record-level data fails closed (views/common.py `download_button` with `audit`):
the records are made only after their audit row is written, and never when it could not be."""

from __future__ import annotations

import csv
import io
import zipfile

from views.common import REFUSED_LINES, audited_data, refused_download


def test_the_records_are_made_only_once_their_audit_row_is_written():
    steps = []

    def audit() -> bool:
        steps.append("audit")
        return True

    def records() -> bytes:
        steps.append("records")
        return b"child_key\nabc\n"

    data = audited_data(records, audit=audit, mime="text/csv")
    assert steps == []                         # drawing the button writes and makes nothing
    assert data() == b"child_key\nabc\n"
    assert steps == ["audit", "records"]
    assert data() == b"child_key\nabc\n"       # each press is a download of its own, recorded again
    assert steps == ["audit", "records", "audit", "records"]


def test_records_that_cannot_be_recorded_are_not_made_and_the_file_says_why():
    steps = []

    def records() -> bytes:
        steps.append("records")
        return b"child_key\nabc\n"

    assert audited_data(records, audit=lambda: False, mime="text/csv")() == refused_download("text/csv")
    assert audited_data(b"child_key\nabc\n", audit=lambda: False, mime="text/csv")() == refused_download("text/csv")
    assert steps == []
    # Opened in a spreadsheet, the CSV shows one whole sentence a row, none split at a comma.
    rows = list(csv.reader(io.StringIO(refused_download("text/csv").decode("utf-8"))))
    assert rows == [[line] for line in REFUSED_LINES]
    assert rows[0] == ["This download was refused: no records were sent."]


def test_a_refused_zip_is_a_zip_holding_only_the_reason():
    with zipfile.ZipFile(io.BytesIO(refused_download("application/zip"))) as archive:
        assert archive.namelist() == ["download_refused.txt"]
        assert archive.read("download_refused.txt") == refused_download("text/csv")
