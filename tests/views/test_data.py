"""The Data and definitions page on the demo authority: uploads, history, undo, quarantine,
data-sharing compliance and the definitions."""

import io
import json
from datetime import date
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import box

from data.store import StoreBusyError, opened
from reach.domain.measures import DEFINITIONS
from reach.presentation.safe_text import markdown_shown

from tests.views.figure_data import downloaded, shown

PROJECT = Path(__file__).resolve().parents[2]
PAGE = "views/data.py"
NEW_CENTRE = b"centre_id,name,lon,lat\nDEMO99,Riverbank Family Hub,-1.55,53.30\n"


def _open(at):
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def _upload(at, kind: str, name: str, content: bytes, *, received_on: date | None = None):
    at.selectbox(key="upload_kind").select(kind).run()
    at.file_uploader(key="upload_file").upload(name, content, "text/csv")
    at.run()
    if received_on is not None:
        at.date_input(key="upload_received_on").set_value(received_on)
    at.button(key="upload_go").click().run()
    assert not at.exception, at.exception
    return at


def _history(at):
    return next(frame.value for frame in at.dataframe if "rows_loaded" in frame.value.columns)


def test_each_kind_says_which_columns_it_needs(app):
    at = _open(app)
    at.selectbox(key="upload_kind").select("births").run()
    assert any("child_key or nhs_number, dob, lsoa_code or postcode" in c.value for c in at.caption)
    assert at.date_input(key="upload_received_on").value is None      # births may be dated
    at.selectbox(key="upload_kind").select("centres").run()
    assert any("Needs the columns: centre_id, name" in c.value for c in at.caption)
    assert not [d for d in at.date_input if d.key == "upload_received_on"]
    assert at.button(key="upload_go").disabled                        # nothing uploaded yet


def test_an_upload_is_imported_and_every_page_sees_it(app, demo_db):
    at = _upload(_open(app), "centres", "new_centre.csv", NEW_CENTRE)
    assert shown(at.success) == [
        "centres: new_centre.csv: 1 row loaded, 0 quarantined, 0 already present."]
    progress = at.get("progress")
    assert len(progress) == 1 and progress[0].proto.value == 100
    assert progress[0].proto.text == "Done: 1 of 1 rows"
    history = _history(at)
    assert history["file_name"].iloc[0] == "new_centre.csv"
    assert history["rows_loaded"].iloc[0] == 1
    # Give it an LSOA no centre has yet: the map page lists the new centre and ranks its LSOA
    # straight away.
    lsoa = "E01900999"
    at = _upload(at, "reach-areas", "new_area.csv", f"lsoa_code,centre_id\n{lsoa},DEMO99\n".encode())
    assert shown(at.success)[0].startswith("reach-areas: new_area.csv: 1 row loaded")
    at.switch_page("views/map.py").run()
    assert "Riverbank Family Hub" in at.selectbox(key="map_centre").options
    at.selectbox(key="map_centre").select("DEMO99").run()
    assert at.dataframe[0].value["LSOA"].tolist() == [lsoa]
    assert any("has a boundary loaded" in info.value for info in at.info)     # nothing to draw


def test_a_file_fault_names_file_column_and_expectation_and_writes_nothing(app, demo_db):
    at = _open(app)
    before = len(_history(at))
    at = _upload(at, "centres", "no_names.csv", b"centre_id,postcode\nDEMO98,ZZ1 1AA\n")
    assert len(at.error) == 1
    error = shown(at.error)[0]
    assert error.startswith("Import refused, nothing was written. no_names.csv: ")
    assert 'required column "name" (the centre\'s name) is missing' in error
    assert len(_history(at)) == before
    with opened(demo_db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM centres WHERE centre_id = 'DEMO98'").fetchone()[0] == 0


@pytest.mark.realdata
def test_a_published_boundary_file_can_be_uploaded(app, trafford):
    geojson = (trafford / "boundaries" / "trafford_lsoa21_super_generalised.geojson").read_bytes()
    at = _open(app)
    at.selectbox(key="upload_kind").select("boundaries").run()
    at.file_uploader(key="upload_file").upload("trafford_lsoa21.geojson", geojson, "application/geo+json")
    at.run()
    at.button(key="upload_go").click().run()
    assert not at.exception, at.exception
    assert shown(at.success)[0].startswith("boundaries: trafford_lsoa21.geojson: 139 rows loaded")


def test_births_take_the_received_on_date_given(app, demo_db):
    with opened(demo_db, read_only=True) as con:
        lsoa = con.execute("SELECT min(lsoa_code) FROM reach_areas").fetchone()[0]
    content = f"child_key,dob,lsoa_code\nnew-baby-1,2026-10-02,{lsoa}\n".encode()
    at = _upload(_open(app), "births", "births_2026_10.csv", content, received_on=date(2026, 11, 3))
    assert shown(at.success)[0].startswith("births: births_2026_10.csv: 1 row loaded")
    with opened(demo_db, read_only=True) as con:
        assert con.execute("SELECT received_on FROM births WHERE child_key = 'new-baby-1'").fetchone()[0] \
            == date(2026, 11, 3)


def test_a_busy_database_is_a_warning(app, monkeypatch):
    def busy(*args, **kwargs):
        raise StoreBusyError("The database is in use by another program. Try again in a moment.")

    monkeypatch.setattr("data.importers.import_file", busy)
    at = _upload(_open(app), "centres", "new_centre.csv", NEW_CENTRE)
    assert shown(at.warning) == [
        "The database is in use by another program. Try again in a moment."]
    assert not at.success and not at.error


def test_undo_needs_confirmation_then_removes_the_import(app, demo_db):
    at = _upload(_open(app), "centres", "new_centre.csv", NEW_CENTRE)
    newest = int(_history(at)["import_id"].iloc[0])
    assert at.selectbox(key="undo_import").value == newest
    assert at.button(key="undo_go").disabled
    at.checkbox(key="undo_confirm").check().run()
    assert not at.button(key="undo_go").disabled
    # Choosing another import asks for the confirmation again.
    at.selectbox(key="undo_import").select(newest - 1).run()
    assert at.checkbox(key="undo_confirm").value is False
    at.selectbox(key="undo_import").select(newest).run()
    at.checkbox(key="undo_confirm").check().run()
    at.button(key="undo_go").click().run()
    assert not at.exception
    assert shown(at.success)[0] == (f"centres: new_centre.csv: import {newest} undone: 1 row removed, "
                                    f"0 quarantined rows cleared.")
    assert _history(at)["status"].iloc[0] == "removed"
    with opened(demo_db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM centres WHERE centre_id = 'DEMO99'").fetchone()[0] == 0
    assert newest not in at.selectbox(key="undo_import").options


def _births_file(demo_db, rows: int) -> bytes:
    with opened(demo_db, read_only=True) as con:
        lsoa = con.execute("SELECT min(lsoa_code) FROM reach_areas").fetchone()[0]
    lines = ["child_key,dob,lsoa_code"] + [f"undo-baby-{n},2026-10-0{n + 1},{lsoa}" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def _told_to_show(widget):
    """What the browser is told to show: a widget keeps what the browser last showed unless the
    page sets its value (`set_value`), so a value the page changed without setting it is not
    what the person sees."""
    return widget.value if widget.proto.set_value else "what the browser last showed"


def test_after_an_import_the_undo_chooser_the_box_and_the_button_name_the_new_import(app, demo_db):
    at = _open(app)
    older = at.selectbox(key="undo_import").value             # the chooser, seen before the import
    at.checkbox(key="undo_confirm").check().run()                # and even ticked for that import
    at = _upload(at, "births", "births_new.csv", _births_file(demo_db, 4))
    newest = int(_history(at)["import_id"].iloc[0])
    assert newest == older + 1
    chooser, box = at.selectbox(key="undo_import"), at.checkbox(key="undo_confirm")
    assert _told_to_show(chooser) == newest
    assert _told_to_show(box) is False
    assert chooser.options[0] == f"{newest}: births, births_new.csv (4 rows loaded)"
    assert markdown_shown(box.label).startswith(
        f"Yes, remove the 4 rows loaded from births_new.csv (import {newest}, at ")
    assert at.button(key="undo_go").label == f"Undo import {newest}"
    assert at.button(key="undo_go").disabled
    # Ticking the box and pressing the button removes the 4 rows just loaded, nothing else.
    at.checkbox(key="undo_confirm").check().run()
    at.button(key="undo_go").click().run()
    assert shown(at.success) == [f"births: births_new.csv: import {newest} undone: 4 rows removed, "
                                 "0 quarantined rows cleared."]
    with opened(demo_db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM births WHERE child_key LIKE 'undo-baby-%'").fetchone()[0] == 0
        assert con.execute("SELECT status FROM import_log WHERE import_id = ?", [older]).fetchone()[0] != "removed"


def test_after_an_undo_the_box_is_cleared_and_the_chooser_moves_to_the_newest_left(app, demo_db):
    at = _upload(_open(app), "births", "births_new.csv", _births_file(demo_db, 4))
    newest = int(_history(at)["import_id"].iloc[0])
    at.checkbox(key="undo_confirm").check().run()
    at.button(key="undo_go").click().run()
    assert not at.exception, at.exception
    chooser, box = at.selectbox(key="undo_import"), at.checkbox(key="undo_confirm")
    assert _told_to_show(chooser) == newest - 1
    assert newest not in chooser.options and chooser.options[0].startswith(f"{newest - 1}: ")
    assert _told_to_show(box) is False
    assert at.button(key="undo_go").disabled


def test_the_button_undoes_only_the_import_the_box_was_ticked_for(app, demo_db):
    at = _upload(_open(app), "births", "births_new.csv", _births_file(demo_db, 4))
    newest = int(_history(at)["import_id"].iloc[0])
    at.checkbox(key="undo_confirm").check().run()
    # The chooser's value changes without its own event (as a browser showing a stale chooser
    # would send it): the button, drawn for the ticked import, must refuse.
    at.session_state["undo_import"] = newest - 1
    at.button(key="undo_go").click().run()
    assert not at.exception, at.exception
    assert shown(at.error) == ["Nothing was undone: the import chosen is not the one the box was ticked for. "
                               "Choose the import and tick the box again."]
    assert set(_history(at)["status"]) != {"removed"} and "removed" not in set(_history(at)["status"])
    assert at.checkbox(key="undo_confirm").value is False


def _quarantine(at):
    return next(frame.value for frame in at.dataframe if "reason" in frame.value.columns)


def test_the_quarantine_filters_by_kind_file_and_reason(app):
    at = _open(app)
    rows = _quarantine(at)
    assert len(rows) == 5                                   # the demo's deliberate faults
    assert set(rows["kind"]) == {"registrations"}
    at.text_input(key="quarantine_reason").input("FUTURE").run()
    rows = _quarantine(at)
    assert len(rows) == 1 and "in the future" in rows["reason"].iloc[0]
    assert any(m.value == "**1 row set aside** (of 5 in all)." for m in at.markdown)
    at.text_input(key="quarantine_reason").input("").run()
    at.selectbox(key="quarantine_kind").select("registrations").run()
    files = at.selectbox(key="quarantine_file").options
    assert files[0] == "All files" and len(files) == 2
    at.selectbox(key="quarantine_file").select(files[1]).run()
    assert len(_quarantine(at)) == 5


def _sharing(at):
    return next(frame.value for frame in at.dataframe if "source" in frame.value.columns).set_index("source")


def _last_births_received(db, as_at: date) -> date:
    with opened(db, read_only=True) as con:
        return con.execute("SELECT max(received_on) FROM births WHERE received_on <= ?", [as_at]).fetchone()[0]


def test_data_sharing_is_on_time_at_the_demo_date(app, demo_db):
    at = _open(app)
    as_at = at.date_input(key="as_at").value
    assert "**Every source of data is arriving on time.**" in shown(at.markdown)
    sharing = _sharing(at)
    last = _last_births_received(demo_db, as_at)
    assert sharing.loc["Birth records", "last_received"] == last
    assert sharing.loc["Birth records", "lag_days"] == (as_at - last).days
    assert sharing.loc["Birth counts", "deliveries"] > 24          # monthly for over two years
    assert set(sharing["status"]) == {"on time"}


def test_late_data_is_called_overdue_in_words(app, demo_db):
    at = _open(app)
    late = date(2026, 12, 31)
    at.date_input(key="as_at").set_value(late).run()
    assert "**Overdue: birth records, birth counts, contacts.**" in shown(at.markdown)
    lag = (late - _last_births_received(demo_db, late)).days
    births = next(text for text in shown(at.markdown) if text.startswith("**Birth records**"))
    assert ":red-badge[overdue]" in births and f"{lag} days before this date" in births
    sharing = _sharing(at)
    assert sharing.loc["Birth records", "lag_days"] == lag
    assert bool(sharing.loc["Birth records", "overdue"]) is True
    assert sharing.loc["Population estimates", "status"] == "on time"
    # A long enough grace makes them on time again.
    at.number_input(key="sharing_grace").set_value(lag).run()
    assert _sharing(at).loc["Birth records", "status"] == "on time"


def test_every_definition_and_the_personal_data_note_are_shown(app):
    at = _open(app)
    text = "\n".join(m.value for m in at.markdown)
    for entry in DEFINITIONS.values():
        assert f"**{entry.name}**: {entry.meaning}" in text
    assert "NHS numbers never reach the database" in text
    assert "postcode is turned into its LSOA and dropped" in text
    assert 'with "c"' in text


def test_an_empty_store_says_nothing_has_arrived(empty_store_page):
    at = empty_store_page(PAGE)
    assert [info.value for info in at.info] == ["Nothing has been imported yet."]
    assert set(_sharing(at)["status"]) == {"none received"}
    assert any(text.startswith("**Never received by this date: birth records, birth counts, "
                               "registrations, contacts, population estimates.**")
               for text in shown(at.markdown))


# --- the preview of an upload, and the sheet chosen ------------------------------------------------

IDACI_DECILE = "Income Deprivation Affecting Children Index (IDACI) Decile (where 1 is most deprived 10% of LSOAs)"
NOTES = [["English Indices of Deprivation 2025"], ["File 3: supplementary indices"], [],
         ["Note: the IDACI is a subset of the Income Deprivation Domain."]]


def _workbook(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _deprivation(demo_db) -> dict[str, int]:
    with opened(demo_db, read_only=True) as con:
        return dict(con.execute("SELECT lsoa_code, idaci_decile FROM deprivation").fetchall())


def _idaci_rows(demo_db, shift: int) -> list[list]:
    """Two of the demo's LSOAs with their deciles moved on by `shift`, and a row with a broken code."""
    stored = sorted(_deprivation(demo_db).items())[:2]
    rows: list[list] = [["LSOA code (2021)", "LSOA name (2021)", IDACI_DECILE]]
    rows += [[code, f"Area {code}", (decile - 1 + shift) % 10 + 1] for code, decile in stored]
    return rows + [["E0100607", "Broken", 4]]


def _import_log_rows(demo_db) -> int:
    with opened(demo_db, read_only=True) as con:
        return con.execute("SELECT count(*) FROM import_log").fetchone()[0]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_workbook_is_previewed_from_its_data_sheet_and_nothing_is_written_until_import(app, demo_db):
    before, logged = _deprivation(demo_db), _import_log_rows(demo_db)
    title_rows = [["Income Deprivation Affecting Children Index, 2025"], ["Source: MHCLG"]]
    content = _workbook({"Notes": NOTES, "IDACI 2025": [*title_rows, *_idaci_rows(demo_db, 1)]})
    at = _open(app)
    at.selectbox(key="upload_kind").select("deprivation").run()
    at.file_uploader(key="upload_file").upload("File_3_IoD2025_IDACI.xlsx", content, XLSX)
    at.run()
    assert not at.exception, at.exception
    text = "\n".join(shown(at.markdown))
    assert "It looks like Deprivation (deprivation)." in text
    assert f'idaci_decile from "{IDACI_DECILE}"' in text and 'lsoa_code from "LSOA code (2021)"' in text
    assert "Rows: 3 read, 2 would be loaded, 1 set aside, 0 already present." in text
    assert "1 row (first: row 3): " in text
    assert ('Read the sheet "IDACI 2025", with its header on row 3 (2 title rows above it skipped)' in text)
    assert [code.value for code in at.code] == ["python -m reach import deprivation File_3_IoD2025_IDACI.xlsx"]
    assert not at.warning and not at.error and not at.success
    # The sheet is found by its header unless one is chosen.
    assert at.selectbox(key="upload_sheet").options == ["Find it for me", "Notes", "IDACI 2025"]
    # Nothing was written by the preview.
    assert _deprivation(demo_db) == before and _import_log_rows(demo_db) == logged

    at.button(key="upload_go").click().run()
    assert not at.exception, at.exception
    assert shown(at.success)[0].startswith("deprivation: File_3_IoD2025_IDACI.xlsx: 2 rows loaded, 1 quarantined")
    after = _deprivation(demo_db)
    changed = {code: decile for code, decile in after.items() if before.get(code) != decile}
    assert changed == {code: before[code] % 10 + 1 for code in changed} and len(changed) == 2
    assert _import_log_rows(demo_db) == logged + 1
    # The next look at the page previews the file anew: its rows are now in the store.
    at.run()
    assert "Rows: 3 read, 0 would be loaded, 1 set aside, 2 already present." in "\n".join(shown(at.markdown))


def test_the_preview_warns_when_the_file_fits_another_kind_better(app, demo_db):
    content = _workbook({"Notes": NOTES, "Data": _idaci_rows(demo_db, 1)})
    at = _open(app)
    at.selectbox(key="upload_kind").select("centres").run()
    at.file_uploader(key="upload_file").upload("idaci.xlsx", content, XLSX)
    at.run()
    assert not at.exception, at.exception
    warnings = shown(at.warning)
    assert warnings[0] == ("This file looks like Deprivation (deprivation), not Children's centres (centres): "
                           "its header fits that kind best. Choose it under Kind of file, unless you are sure.")
    assert warnings[1].startswith("As chosen, this file would be refused. idaci.xlsx: ")
    assert not at.error and not at.code


def test_the_sheet_chosen_is_previewed_and_imported(app, demo_db):
    before, logged = _deprivation(demo_db), _import_log_rows(demo_db)
    content = _workbook({"Notes": NOTES, "2019": _idaci_rows(demo_db, 3), "2025": _idaci_rows(demo_db, 5)})
    at = _open(app)
    at.selectbox(key="upload_kind").select("deprivation").run()
    at.file_uploader(key="upload_file").upload("idaci_by_year.xlsx", content, XLSX)
    at.run()
    # Two sheets hold the columns: the preview says so, and asks for one.
    assert len(at.warning) == 1
    assert '2 sheets hold the columns needed ("2019", "2025")' in shown(at.warning)[0]
    at.selectbox(key="upload_sheet").select("2025").run()
    assert not at.exception, at.exception
    assert not at.warning
    assert [code.value for code in at.code] == ["python -m reach import deprivation idaci_by_year.xlsx --sheet 2025"]
    text = "\n".join(shown(at.markdown))
    assert "Rows: 3 read, 2 would be loaded, 1 set aside, 0 already present." in text
    assert _import_log_rows(demo_db) == logged
    at.button(key="upload_go").click().run()
    assert not at.exception, at.exception
    assert 'Read the sheet "2025"' in shown(at.success)[0]
    after = _deprivation(demo_db)
    changed = {code: decile for code, decile in after.items() if before.get(code) != decile}
    assert changed == {code: (before[code] - 1 + 5) % 10 + 1 for code in changed} and len(changed) == 2


def test_the_history_shows_status_and_what_happened_first_and_downloads_every_column(app, media):
    at = _upload(_open(app), "centres", "new_centre.csv", NEW_CENTRE)
    newest = int(_history(at)["import_id"].iloc[0])
    at.checkbox(key="undo_confirm").check().run()
    at.button(key="undo_go").click().run()
    history = _history(at)
    assert list(history.columns[:5]) == ["import_id", "kind", "file_name", "status", "message"]
    assert history["status"].iloc[0] == "removed" and int(history["import_id"].iloc[0]) == newest
    # Only the end time and the file's fingerprint (and the row index) are hidden on screen.
    table = next(frame for frame in at.dataframe if "rows_loaded" in frame.value.columns)
    hidden = {name for name, config in json.loads(table.proto.columns).items() if config.get("hidden")}
    assert hidden == {"_index", "finished_at", "file_sha256"}
    download = pd.read_csv(io.BytesIO(downloaded(at, media, "import_history").content))
    assert set(download.columns) == set(history.columns) and "file_sha256" in download.columns
    assert list(download.columns[:5]) == ["import_id", "kind", "file_name", "status", "message"]


def test_the_layer_of_a_geopackage_can_be_chosen_and_is_previewed(app, tmp_path):
    squares = gpd.GeoDataFrame({"LSOA21CD": ["E01006074", "E01006075"]},
                               geometry=[box(378_000, 394_000, 378_500, 394_500),
                                         box(378_500, 394_000, 379_000, 394_500)], crs=27700)
    path = tmp_path / "boundaries.gpkg"
    gpd.GeoDataFrame({"RGN22NM": ["North West"]}, geometry=[box(370_000, 390_000, 390_000, 400_000)],
                     crs=27700).to_file(path, layer="regions", driver="GPKG")
    squares.to_file(path, layer="lsoa_2021", driver="GPKG")
    at = _open(app)
    at.selectbox(key="upload_kind").select("boundaries").run()
    at.file_uploader(key="upload_file").upload("boundaries.gpkg", path.read_bytes(), "application/geopackage+sqlite3")
    at.run()
    assert at.selectbox(key="upload_layer").options == ["Find it for me", "regions", "lsoa_2021"]
    assert 'Read the layer "lsoa_2021".' in "\n".join(shown(at.markdown))      # found by its code column
    at.selectbox(key="upload_layer").select("regions").run()
    assert not at.exception, at.exception
    assert [code.value for code in at.code] == []
    assert shown(at.warning)[-1].startswith("As chosen, this file would be refused. boundaries.gpkg: ")
    at.selectbox(key="upload_layer").select("lsoa_2021").run()
    assert [code.value for code in at.code] == ["python -m reach import boundaries boundaries.gpkg --layer lsoa_2021"]
    assert "Rows: 2 read, 2 would be loaded, 0 set aside, 0 already present." in "\n".join(shown(at.markdown))


def test_an_upload_on_a_large_store_leaves_the_figures_to_a_background_process(app, demo_db, monkeypatch):
    """As after an import from the command line: the page is not held while they are stored."""
    import time

    from data import figures_worker

    monkeypatch.setattr(figures_worker, "BACKGROUND_FROM_ROWS", 0)      # the demo counts as large
    at = _upload(_open(app), "births", "births_new.csv", _births_file(demo_db, 4))
    assert not at.exception, at.exception
    assert shown(at.info) == ["The figures every page opens on are being stored in the background (about a "
                              "minute at England's size); a page opened before then works out what it needs "
                              "itself."]
    deadline = time.monotonic() + 120
    while figures_worker.running(demo_db) is not None:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert "are stored (" in figures_worker.log_file(demo_db).read_text()
