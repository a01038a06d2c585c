"""Hostile CSV and Excel files, each built here in code, scaled down, with the limits lowered by
their settings so that every case runs in a moment.

Each goes through the command line as a data officer (or an attacker) would run it, and must be
refused with exit status 2 and a short, plain message, with no traceback, quoting nothing from
inside the file, fetching nothing, and leaving the store exactly as it was.
"""

from __future__ import annotations

import os
import socket
import stat
import threading
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import openpyxl.utils
import pytest

from cli.main import main
from tests.stores import fingerprint

PROJECT = Path(__file__).resolve().parents[2]
PERSONAL = ("9434765919", "943 476 5919", "Jane Smith", "High Street", "M32 9AN", "jane@example.org")
LONGEST_MESSAGE = 1_100      # the message is capped at 1,000 characters, plus "Import refused..."


def refused(capsys, kind: str, path: Path, store: Path, *, text: str | bytes | None = None) -> str:
    """Import `path` (first written with `text`, if given) through the command line; assert it
    was refused properly, quoting nothing personal and leaving the store exactly as it was;
    return stderr."""
    if isinstance(text, str):
        path.write_text(text)
    elif text is not None:
        path.write_bytes(text)
    before = fingerprint(store)
    status = main(["import", kind, str(path), "--db", str(store), "--received-on", "2024-06-30"])
    out, err = capsys.readouterr()
    assert status == 2, err
    assert out == ""
    assert "Traceback" not in err
    assert err.strip().startswith("Import refused, nothing was written:")
    assert len(err) < LONGEST_MESSAGE
    assert len(err.strip().splitlines()) == 1, err
    assert_nothing_personal(err)
    assert fingerprint(store) == before
    return err


def assert_nothing_personal(message: str) -> None:
    for value in PERSONAL:
        assert value not in message


@pytest.fixture
def limits(monkeypatch):
    """Lower one of the limits of data/importers/limits.py: `limits(max_columns=50)`."""
    def lower(**values):
        for name, value in values.items():
            monkeypatch.setenv(f"REACH_LIMIT_{name.upper()}", str(value))
    return lower


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection is recorded, and fails."""
    attempts = []

    def connect(self, address):
        attempts.append(address)
        raise OSError("the tests allow no network")

    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts


# --- building workbooks --------------------------------------------------------------------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def workbook(path: Path, rows: list[list]) -> Path:
    """A one-sheet workbook laid out as Excel saves one: text in a shared-strings part (openpyxl
    writes text inline, so it cannot make the cases below)."""
    strings: dict[str, int] = {}

    def cell(column: int, row: int, value) -> str:
        where = f"{openpyxl.utils.get_column_letter(column)}{row}"
        if isinstance(value, str):
            return f'<c r="{where}" t="s"><v>{strings.setdefault(value, len(strings))}</v></c>'
        return f'<c r="{where}"><v>{value}</v></c>'

    sheet_rows = "".join(f'<row r="{r}">{"".join(cell(c, r, v) for c, v in enumerate(row, 1))}</row>'
                         for r, row in enumerate(rows, 1))
    corner = f"{openpyxl.utils.get_column_letter(max(len(row) for row in rows))}{len(rows)}"
    declaration = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    parts = {
        "[Content_Types].xml": (
            f'{declaration}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{TYPE}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{TYPE}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{TYPE}.sharedStrings+xml"/></Types>'),
        "_rels/.rels": (
            f'{declaration}<Relationships xmlns="{PACKAGE_RELATIONS}"><Relationship Id="rId1" '
            f'Type="{RELATIONS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'{declaration}<workbook xmlns="{MAIN}" xmlns:r="{RELATIONS}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'{declaration}<Relationships xmlns="{PACKAGE_RELATIONS}">'
            f'<Relationship Id="rId1" Type="{RELATIONS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{RELATIONS}/sharedStrings" Target="sharedStrings.xml"/>'
            '</Relationships>'),
        "xl/worksheets/sheet1.xml": (
            f'{declaration}<worksheet xmlns="{MAIN}"><dimension ref="A1:{corner}"/>'
            f'<sheetData>{sheet_rows}</sheetData></worksheet>'),
        "xl/sharedStrings.xml": (
            f'{declaration}<sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">'
            + "".join(f"<si><t>{escape(text)}</t></si>" for text in strings) + "</sst>"),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def with_part(path: Path, part: str, change) -> Path:
    """Rewrite one part of a workbook (its text through `change`), keeping every other part."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts[part] = change(parts[part].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def with_doctype(text: str, doctype: str) -> str:
    """The part's XML with a DTD after its XML declaration (or at its start)."""
    if text.startswith("<?xml"):
        end = text.index("?>") + 2
        return text[:end] + doctype + text[end:]
    return doctype + text


BIRTHS_ROWS = [["nhs_number", "dob", "lsoa_code"], [9434765919, "2024-05-01", "E01006074"],
               ["Jane Smith", "2024-05-02", "E01006075"]]
LAUGHS = ('<!DOCTYPE sst [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
                    for n in range(1, 10))
          + "]>")


# --- workbooks -----------------------------------------------------------------------------------

def test_a_workbook_with_too_many_shared_strings_is_refused(tmp_path, store, capsys, limits):
    limits(max_workbook_strings=10)
    rows = [["nhs_number", "dob", "lsoa_code"]] + [[f"name {n}", "2024-05-01", f"E0100{n:04d}"] for n in range(20)]
    path = workbook(tmp_path / "births.xlsx", rows)
    err = refused(capsys, "births", path, store)
    assert "more than 10 shared strings" in err
    assert "REACH_LIMIT_MAX_WORKBOOK_STRINGS" in err


def test_shared_strings_are_counted_under_any_part_name(tmp_path, store, capsys, limits):
    """openpyxl finds the shared strings through [Content_Types].xml, whatever the part is called."""
    limits(max_workbook_strings=10)
    rows = [["nhs_number", "dob", "lsoa_code"]] + [[f"name {n}", "2024-05-01", "E01006074"] for n in range(20)]
    path = workbook(tmp_path / "births.xlsx", rows)
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts["xl/words.xml"] = parts.pop("xl/sharedStrings.xml")
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"/xl/sharedStrings.xml", b"/xl/words.xml")
    for name in list(parts):
        if name.endswith(".rels"):
            parts[name] = parts[name].replace(b"sharedStrings.xml", b"words.xml")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    assert "more than 10 shared strings" in refused(capsys, "births", path, store)


@pytest.mark.parametrize("part", ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml", "xl/workbook.xml",
                                  "[Content_Types].xml"])
def test_an_entity_bomb_anywhere_in_a_workbook_is_refused(tmp_path, store, capsys, part):
    path = workbook(tmp_path / "births.xlsx", BIRTHS_ROWS)

    def bomb(text: str) -> str:
        text = with_doctype(text, LAUGHS)
        return text.replace("<t>Jane Smith</t>", "<t>&lol9;</t>")

    with_part(path, part, bomb)
    started = time.monotonic()
    err = refused(capsys, "births", path, store)
    assert time.monotonic() - started < 5
    assert "the workbook contains an XML entity or DTD, which Reach does not open" in err
    assert "lol" not in err


def test_should_the_first_check_miss_an_entity_openpyxl_still_refuses_it_plainly(
        tmp_path, store, capsys, monkeypatch):
    """The second line of defence: openpyxl parses through defusedxml, and what it raises (wrapped
    in a ValueError of its own) still becomes the plain refusal."""
    monkeypatch.setattr("data.importers.reading.check_workbook", lambda *args: None)
    path = workbook(tmp_path / "births.xlsx", BIRTHS_ROWS)
    with_part(path, "xl/sharedStrings.xml",
              lambda text: with_doctype(text, LAUGHS).replace("<t>Jane Smith</t>", "<t>&lol9;</t>"))
    err = refused(capsys, "births", path, store)
    assert "the workbook contains an XML entity or DTD, which Reach does not open" in err


@pytest.mark.parametrize("scheme", ["file", "http"])
def test_an_external_entity_is_neither_read_nor_fetched(tmp_path, store, capsys, no_network, scheme):
    secret = tmp_path / "secret.txt"
    secret.write_text("9434765919 Jane Smith, 1 High Street, M32 9AN")
    target = secret.as_uri() if scheme == "file" else "http://127.0.0.1:9/leak"
    path = workbook(tmp_path / "births.xlsx", BIRTHS_ROWS)
    with_part(path, "xl/sharedStrings.xml", lambda text: with_doctype(
        text, f'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "{target}">]>').replace("<t>Jane Smith</t>", "<t>&xxe;</t>"))
    err = refused(capsys, "births", path, store)
    assert "XML entity or DTD" in err
    assert "secret" not in err
    assert no_network == []


def test_a_zip_bomb_named_xlsx_is_refused_from_its_declared_sizes(tmp_path, store, capsys):
    path = tmp_path / "births.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (8 << 20))
    assert path.stat().st_size < 100_000
    err = refused(capsys, "births", path, store)
    assert "zip bomb" in err and "REACH_LIMIT_MAX_COMPRESSION_RATIO" in err


def test_a_workbook_that_would_expand_past_the_limit_is_refused(tmp_path, store, capsys, limits):
    limits(max_uncompressed_bytes=100_000)
    path = tmp_path / "births.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("xl/media/image1.png", os.urandom(200_000))
    err = refused(capsys, "births", path, store)
    assert "would expand to" in err and "REACH_LIMIT_MAX_UNCOMPRESSED_BYTES" in err


def test_a_sheet_with_too_many_rows_is_refused_and_nothing_is_written(tmp_path, store, capsys, limits):
    limits(max_workbook_rows=20)
    rows = [["nhs_number", "dob", "lsoa_code"]] + [[4010232137, "2024-05-03", "E01006074"]] * 30
    path = workbook(tmp_path / "births.xlsx", rows)
    err = refused(capsys, "births", path, store)
    assert "the sheet \"Sheet1\" has" in err and "at most 20 rows" in err


def test_a_sheet_that_jumps_far_down_is_refused_while_reading(tmp_path, store, capsys, limits):
    """No declared size, then a row far below: openpyxl hands over every empty row on the way."""
    limits(max_workbook_rows=1_000)
    path = workbook(tmp_path / "births.xlsx", [["nhs_number", "dob", "lsoa_code"],
                                                [4010232137, "2024-05-03", "E01006074"]])

    def jump(text: str) -> str:
        start = text.index("<dimension")
        text = text[:start] + text[text.index("/>", start) + 2:]
        return text.replace("</sheetData>", '<row r="50000000"><c r="A50000000" t="n"><v>1</v></c></row></sheetData>')

    with_part(path, "xl/worksheets/sheet1.xml", jump)
    started = time.monotonic()
    err = refused(capsys, "births", path, store)
    assert time.monotonic() - started < 10
    assert "at most 1,000 rows" in err


def test_a_workbook_laid_out_as_excel_saves_one_is_imported(tmp_path, store, capsys):
    """The control for the cases around it: the same kind of workbook, not tampered with."""
    path = workbook(tmp_path / "births.xlsx", BIRTHS_ROWS)
    status = main(["import", "births", str(path), "--db", str(store), "--received-on", "2024-06-30"])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert out.startswith("births: births.xlsx: 0 rows loaded, 1 quarantined, 1 already present")


def test_a_sheet_declaring_thousands_of_columns_is_refused_before_reading(tmp_path, store, capsys):
    path = workbook(tmp_path / "births.xlsx", BIRTHS_ROWS)
    with_part(path, "xl/worksheets/sheet1.xml",
              lambda text: text.replace('<dimension ref="A1:C3"/>', '<dimension ref="A1:XFD1048576"/>'))
    err = refused(capsys, "births", path, store)
    assert "16,384 columns" in err


def test_an_xlsx_that_is_really_a_csv_is_refused(tmp_path, store, capsys):
    err = refused(capsys, "births", tmp_path / "births.xlsx", store,
                  text="nhs_number,dob,lsoa_code\n9434765919,2024-05-01,E01006074\n")
    assert "could not be read as XLSX: it is not an Excel workbook" in err


def test_a_damaged_sheet_is_refused_without_quoting_it(tmp_path, store, capsys):
    path = workbook(tmp_path / "births.xlsx", BIRTHS_ROWS)
    # A number cell holding a name: openpyxl's own error would quote it.
    with_part(path, "xl/worksheets/sheet1.xml",
              lambda text: text.replace("</sheetData>", '<row r="4"><c r="A4" t="n"><v>Jane Smith</v></c></row>'
                                                        "</sheetData>"))
    err = refused(capsys, "births", path, store)
    assert "damaged" in err or "not an Excel workbook" in err


# --- CSV -----------------------------------------------------------------------------------------

def test_a_sparse_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, store, capsys,
                                                                         limits, monkeypatch):
    limits(max_file_bytes=1_000_000)

    def never(path):
        raise AssertionError("the file was hashed before its size was checked")

    monkeypatch.setattr("data.importers.importing.file_sha256", never)
    path = tmp_path / "births.csv"
    path.write_text("nhs_number,dob,lsoa_code\n")
    os.truncate(path, 2 << 30)            # 2 GB that take no room on disk
    started = time.monotonic()
    err = refused(capsys, "births", path, store)
    assert time.monotonic() - started < 2
    assert "the file is 2.0 GB" in err and "REACH_LIMIT_MAX_FILE_BYTES" in err


def test_a_header_wider_than_the_limit_gives_a_short_message(tmp_path, store, capsys, limits):
    limits(max_columns=50)
    err = refused(capsys, "births", tmp_path / "births.csv", store,
                  text=",".join(f"column_{n}" for n in range(100)) + "\n" + ",".join("1" * 100) + "\n")
    assert "the header has 100 columns" in err and "REACH_LIMIT_MAX_COLUMNS" in err


def test_a_million_column_header_is_refused_before_it_is_split(tmp_path, store, capsys):
    err = refused(capsys, "births", tmp_path / "births.csv", store, text=",".join(["x"] * 2_000_000) + "\n")
    assert "the header row is longer than" in err


def test_a_wide_header_missing_a_column_lists_only_the_first_columns(tmp_path, store, capsys):
    path = tmp_path / "births.csv"
    names = ["nhs_number", "lsoa_code"] + [f"extra_column_with_a_long_name_{n}" * 3 for n in range(3_000)]
    path.write_text(",".join(names) + "\n")
    err = refused(capsys, "births", path, store)
    assert 'required column "dob"' in err
    assert "and 2,982 more columns" in err


@pytest.mark.parametrize("first_row", [
    "9434765919,Jane Smith,1 High Street,M32 9AN,2024-05-01",
    "943 476 5919,Jane Smith,\"1 High Street, Stretford\",M32 9AN,01/05/2024",
    "Jane Smith,jane@example.org,M32 9AN",
])
def test_births_without_a_header_never_echo_the_first_record(tmp_path, store, capsys, first_row):
    err = refused(capsys, "births", tmp_path / "births.csv", store,
                  text=first_row + "\n4010232137,John Smith,2 Low Road,M32 0AB,2024-05-02\n")
    assert "the first row looks like data, not a header row: the file seems to have no header" in err


def test_a_workbook_without_a_header_never_echoes_the_first_record(tmp_path, store, capsys):
    path = workbook(tmp_path / "births.xlsx", [[9434765919, "Jane Smith", "1 High Street", "M32 9AN"]])
    err = refused(capsys, "births", path, store)
    assert "looks like data" in err


def test_a_garbled_row_is_named_but_not_quoted(tmp_path, store, capsys):
    err = refused(capsys, "births", tmp_path / "births.csv", store,
                  text='nhs_number,dob,lsoa_code\n9434765919,"Jane Smith" M32 9AN,E01006074\n')
    assert "row 1 is garbled" in err


def test_a_file_of_one_enormous_line_is_refused_before_it_is_held_whole(tmp_path, store, capsys):
    err = refused(capsys, "births", tmp_path / "births.csv", store,
                  text="nhs_number,dob,lsoa_code\n" + "9434765919" * 500_000)
    assert "row 1 is longer than" in err


def test_a_png_named_csv_is_refused(tmp_path, store, capsys):
    err = refused(capsys, "births", tmp_path / "births.csv", store,
                  text=b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(200))
    assert "it holds binary data, not text" in err


def test_a_header_name_cannot_forge_lines_of_output(tmp_path, store, capsys):
    # `refused` checks that the message is one line.
    err = refused(capsys, "births", tmp_path / "births.csv", store,
                  text='"nhs_number\rbirths: b.csv: 900 rows loaded",postcode\n9434765919,M32 9AN\n')
    assert "\r" not in err.strip()


# --- things that are not files -------------------------------------------------------------------

def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path, store, fingerprint, capsys):
    path = tmp_path / "births.csv"
    os.mkfifo(path)
    before = fingerprint(store)
    result = {}
    worker = threading.Thread(target=lambda: result.update(status=main(["import", "births", str(path),
                                                                          "--db", str(store)])),
                              daemon=True)
    worker.start()
    worker.join(timeout=10)
    if worker.is_alive():                 # unblock the reader before failing
        with open(path, "w"):
            pass
        pytest.fail("the import waited on the FIFO")
    err = capsys.readouterr().err
    assert result["status"] == 2
    assert "it is a pipe, a device or another special file, not a file" in err
    assert "Traceback" not in err
    assert fingerprint(store) == before


def test_a_folder_is_refused(tmp_path, store, capsys):
    folder = tmp_path / "births.csv"
    folder.mkdir()
    assert "it is a folder, not a file" in refused(capsys, "births", folder, store)


# --- failures that are not the file's --------------------------------------------------------------

def test_an_internal_error_is_one_line_and_where_it_happened_goes_to_an_owner_only_log(tmp_path, store, capsys,
                                                                                  monkeypatch, fingerprint):
    def broken(*args, **kwargs):
        raise RuntimeError("failed on 9434765919 Jane Smith")

    monkeypatch.setattr("data.importers.import_file", broken)
    path = tmp_path / "births.csv"
    path.write_text("nhs_number,dob,lsoa_code\n")
    before = fingerprint(store)
    status = main(["import", "births", str(path), "--db", str(store)])
    err = capsys.readouterr().err
    log = store.with_name(store.name + ".errors.log")
    assert status == 1
    assert err.strip() == (f"Reach stopped because of an internal error (RuntimeError); "
                           f"the details were written to {log}")
    assert_nothing_personal(err)
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert "RuntimeError at " in log.read_text() and "in broken" in log.read_text()
    assert_nothing_personal(log.read_text())
    assert fingerprint(store)["tables"] == before["tables"]


def test_running_out_of_memory_is_a_refusal(tmp_path, store, capsys, monkeypatch, fingerprint):
    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr("data.importers.import_file", exhausted)
    before = fingerprint(store)
    status = main(["import", "births", str(tmp_path / "births.csv"), "--db", str(store)])
    err = capsys.readouterr().err
    assert status == 2
    assert err.strip() == ("Import refused, nothing was written: births.csv: the file is too large to "
                           "import on this computer (it ran out of memory)")
    assert fingerprint(store) == before


def test_ctrl_c_is_a_short_line_and_status_130(tmp_path, store, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("data.importers.import_file", interrupted)
    assert main(["import", "births", str(tmp_path / "births.csv"), "--db", str(store)]) == 130
    err = capsys.readouterr().err
    assert "stopped (Ctrl+C)" in err and "Traceback" not in err


# --- the dashboard -------------------------------------------------------------------------------

def test_the_dashboard_shows_no_error_details_to_a_visitor():
    import tomllib

    config = tomllib.loads((PROJECT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"


@pytest.fixture
def data_page(store, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("REACH_DB", str(store))
    at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=60)
    at.run()
    at.switch_page("views/data.py").run()
    assert not at.exception, at.exception
    return at


def upload(at, name: str, content: bytes, kind: str = "births"):
    at.selectbox(key="upload_kind").select(kind).run()
    at.file_uploader(key="upload_file").upload(name, content, "text/csv")
    at.run()
    at.button(key="upload_go").click().run()
    assert not at.exception, at.exception
    return at


def page_text(at) -> str:
    return " ".join(str(element.value) for kind in ("error", "warning", "success", "markdown", "caption",
                                                     "exception", "code", "text")
                    for element in getattr(at, kind, []) if hasattr(element, "value"))


def test_an_unexpected_error_in_an_upload_shows_no_traceback(data_page, store, fingerprint, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("failed on 9434765919 Jane Smith")

    monkeypatch.setattr("data.importers.import_file", broken)
    before = fingerprint(store)
    at = upload(data_page, "births.csv", b"nhs_number,dob,lsoa_code\n9434765919,2024-05-01,E01006074\n")
    assert [error.value for error in at.error] == [
        "The import stopped because of an unexpected error, and nothing was written. The details are "
        "in the dashboard's log on the server, for whoever runs Reach."]
    assert not at.exception
    shown = page_text(at)
    assert "Traceback" not in shown and "RuntimeError" not in shown
    assert_nothing_personal(shown)
    # The server's log has where and what kind of fault, never its text, which quotes the row.
    assert "RuntimeError" in caplog.text and "test_hostile_tables.py" in caplog.text
    assert "9434765919" not in caplog.text and "Jane Smith" not in caplog.text
    assert fingerprint(store) == before


def test_a_refused_upload_quotes_nothing_from_the_file(data_page, store, fingerprint):
    before = fingerprint(store)
    at = upload(data_page, "births.csv", b"9434765919,Jane Smith,1 High Street,M32 9AN,2024-05-01\n")
    assert len(at.error) == 1
    assert "looks like data" in at.error[0].value
    assert_nothing_personal(page_text(at))
    assert fingerprint(store) == before
