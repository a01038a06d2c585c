"""`python -m reach worklist` and `exports`: the unmatched births of one centre with the contact
details of the health extract, written owner-only, recorded, and nothing of the extract stored."""

from __future__ import annotations

import csv
import io
import stat
from datetime import date

import duckdb
import openpyxl
import pandas as pd
import pytest

from cli.main import main
from data import schema
from data.importers.pseudonymise import is_valid_nhs_number, keyed_hash
from data.store import opened, secret_key
from reach.queries.reidentify import NOT_IN_EXTRACT
from reach.queries.worklist import WORKLIST_COLUMNS, unmatched_births

from tests.reach.rows import A1, A2, B1, insert_rows, two_centres
from tests.stores import fingerprint

AS_AT = date(2025, 9, 15)
HEADER = ["NHS Number", "Child name", "Address", "Postcode", "Phone"]


def nhs_numbers(count: int, start: int = 401_023_213) -> list[str]:
    found, prefix = [], start
    while len(found) < count:
        found += [f"{prefix}{digit}" for digit in range(10) if is_valid_nhs_number(f"{prefix}{digit}")]
        prefix += 1
    return found[:count]


NHS = nhs_numbers(5)
# The extract's rows: Riverside's three unmatched children but one, Hilltop's child, a registered
# child, and a row with a mistyped NHS number. Hostile text in the name and the telephone.
EXTRACT = [
    [NHS[0], '=HYPERLINK("http://example.com/x","Amy")', "1 Mill Lane, Brackenfold", "ZZ1 1AA", "+44 161 496 0001"],
    [NHS[1], "Ben Brook", "2 Canal Street, Brackenfold", "ZZ1 1AB", "07700 900002"],
    [NHS[3], "Cai Cole", "3 Kingsway, Brackenfold", "ZZ2 2AA", "07700 900003"],
    [NHS[4], "Dee Dale", "4 Moor Road, Brackenfold", "ZZ1 1AD", "07700 900004"],
    ["123 456 7890", "Eve Error", "5 Green Lane, Brackenfold", "ZZ1 1AE", "07700 900005"],
]
VALUES = {value for row in EXTRACT for value in row}


@pytest.fixture
def db(empty_store):
    key = secret_key(empty_store)
    child = [keyed_hash(key, number) for number in NHS]
    with opened(empty_store) as con:
        two_centres(con)
        insert_rows(con, "births", [
            dict(child_key=child[0], dob=date(2025, 7, 1), lsoa_code=A1, received_on=date(2025, 8, 1)),
            dict(child_key=child[1], dob=date(2025, 5, 1), lsoa_code=A2, received_on=date(2025, 6, 1)),
            dict(child_key=child[2], dob=date(2025, 3, 1), lsoa_code=A1, received_on=date(2025, 4, 1)),
            dict(child_key=child[3], dob=date(2025, 6, 1), lsoa_code=B1, received_on=date(2025, 7, 1)),
            dict(child_key=child[4], dob=date(2025, 2, 1), lsoa_code=A1, received_on=date(2025, 3, 1)),
        ])
        insert_rows(con, "registrations", [dict(child_key=child[4], dob=date(2025, 2, 1), lsoa_code=A1,
                                                centre_id="C1", registered_on=date(2025, 3, 20))])
    return empty_store


@pytest.fixture
def extract(tmp_path):
    path = tmp_path / "births_extract_2025_09.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADER, *EXTRACT])
    return path


def worklist(db, extract, out, *more):
    return main(["worklist", "--centre", "C1", "--as-at", AS_AT.isoformat(), "--from-extract", str(extract),
                 "--out", str(out), "--db", str(db), *more])


def read_out(out) -> pd.DataFrame:
    return pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_the_list_is_the_worklist_row_for_row_with_the_extracts_details(db, extract, tmp_path, capsys):
    out = tmp_path / "worklist_C1.csv"
    assert worklist(db, extract, out) == 0
    frame = read_out(out)
    assert list(frame.columns) == [*WORKLIST_COLUMNS, "Child name", "Address", "Postcode", "Phone", "note"]
    with opened(db, read_only=True) as con:
        expected = unmatched_births(con, as_at=AS_AT, centre_id="C1")
    assert frame["child_key"].tolist() == expected["child_key"].tolist()
    assert frame["dob"].tolist() == [day.isoformat() for day in expected["dob"]]
    assert frame["days_waiting"].tolist() == [str(days) for days in expected["days_waiting"]]
    assert frame["Address"].tolist() == ["1 Mill Lane, Brackenfold", "2 Canal Street, Brackenfold", ""]
    assert frame["note"].tolist() == ["", "", NOT_IN_EXTRACT]
    # Hilltop's child, the registered child and the row with a bad NHS number are not written.
    assert not {"Cai Cole", "Dee Dale", "Eve Error"} & set(frame["Child name"])
    assert NHS[0] not in out.read_text(encoding="utf-8-sig")      # the NHS number is left out
    printed = capsys.readouterr()
    assert "3 children, 2 with contact details from the extract and 1 not found in it" in printed.out
    assert str(out) in printed.out and "personal data" in printed.out
    assert "1 of the extract's 5 rows had no valid NHS number" in printed.err


def test_the_file_is_owner_only_and_formulas_are_neutralised(db, extract, tmp_path):
    out = tmp_path / "worklist.csv"
    assert worklist(db, extract, out) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    first = read_out(out).iloc[0]
    assert first["Child name"] == "'" + EXTRACT[0][1]
    assert first["Phone"] == "'+44 161 496 0001"
    cells = [cell for row in csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]


def _every_value(db) -> str:
    with opened(db, read_only=True) as con:
        tables = [row[0] for row in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()]
        return "\n".join(repr(con.execute(f'SELECT * FROM "{table}"').fetchall()) for table in tables)


def test_the_store_keeps_nothing_of_the_extract_only_a_record_of_the_export(db, extract, tmp_path):
    before = fingerprint(db)
    assert worklist(db, extract, tmp_path / "worklist.csv") == 0
    after = fingerprint(db)
    changed = {table for table in before["tables"] if before["tables"][table] != after["tables"][table]}
    assert changed == {"exports", "audit"}     # the record of the export, and its row in the audit trail
    stored = _every_value(db)
    for value in VALUES:
        assert value not in stored, value
    raw = db.read_bytes()
    for value in ("Ben Brook", "Canal Street", "07700 900002", NHS[1]):
        assert value.encode() not in raw
    with opened(db, read_only=True) as con:
        record = con.execute("SELECT kind, exported_by, centre_id, as_at, rows_written, rows_matched, source_file, "
                             "out_file FROM exports").fetchall()
    assert len(record) == 1
    kind, user, centre, as_at, rows, matched, source, where = record[0]
    assert (kind, centre, as_at, rows, matched, source) == ("contactable worklist", "C1", AS_AT, 3, 2,
                                                           "births_extract_2025_09.csv")
    assert user and where == str(tmp_path / "worklist.csv")


def test_an_existing_file_is_refused_unless_forced_then_replaced_owner_only(db, extract, tmp_path, capsys):
    out = tmp_path / "worklist.csv"
    out.write_text("keep me\n")
    out.chmod(0o644)
    assert worklist(db, extract, out) == 2
    assert "already exists" in capsys.readouterr().err
    assert out.read_text() == "keep me\n"
    assert worklist(db, extract, out, "--force") == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and "Ben Brook" in out.read_text(encoding="utf-8-sig")
    with opened(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM exports").fetchone() == (1,)    # the refusal wrote nothing


def test_a_link_at_the_out_path_is_refused_and_what_it_points_to_untouched(db, extract, tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("not yours\n")
    out = tmp_path / "worklist.csv"
    out.symlink_to(target)
    assert worklist(db, extract, out) == 2
    assert worklist(db, extract, out, "--force") == 0
    assert target.read_text() == "not yours\n" and not out.is_symlink()


def test_an_extract_without_nhs_numbers_is_refused_and_nothing_written(db, tmp_path, capsys):
    extract = tmp_path / "names.csv"
    extract.write_text("Child name,Address\nAmy,1 Mill Lane\n")
    out = tmp_path / "worklist.csv"
    before = fingerprint(db)
    assert worklist(db, extract, out) == 2
    err = capsys.readouterr().err
    assert 'required column "nhs_number"' in err and "Amy" not in err
    assert not out.exists() and fingerprint(db) == before


def test_a_workbook_extract_with_a_title_row_gives_the_same_list(db, extract, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Births shared with the council, September 2025"])
    sheet.append(HEADER)
    for row in EXTRACT:
        sheet.append(row)
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"            # text that looks like a formula, as a text cell holds it
    workbook = tmp_path / "extract.xlsx"
    book.save(workbook)
    assert worklist(db, workbook, tmp_path / "from_xlsx.csv") == 0
    assert worklist(db, extract, tmp_path / "from_csv.csv") == 0
    pd.testing.assert_frame_equal(read_out(tmp_path / "from_xlsx.csv"), read_out(tmp_path / "from_csv.csv"))


def test_an_unknown_centre_is_refused(db, extract, tmp_path, capsys):
    status = main(["worklist", "--centre", "C9", "--as-at", AS_AT.isoformat(), "--from-extract", str(extract),
                   "--out", str(tmp_path / "w.csv"), "--db", str(db)])
    assert status == 2 and "No reach area for centre 'C9'" in capsys.readouterr().err
    assert not (tmp_path / "w.csv").exists()


def test_the_exports_command_lists_each_export_newest_first(db, extract, tmp_path, capsys):
    assert main(["exports", "--db", str(db)]) == 0
    assert "No file with personal data has been written" in capsys.readouterr().out
    assert worklist(db, extract, tmp_path / "first.csv") == 0
    assert worklist(db, extract, tmp_path / "second.csv", "--as-at", "2025-06-30") == 0
    capsys.readouterr()
    assert main(["exports", "--db", str(db)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    assert "second.csv" in lines[1] and "2025-06-30" in lines[1] and "first.csv" in lines[2]
    assert "births_extract_2025_09.csv" in lines[2] and "Ben Brook" not in "".join(lines)


def test_on_the_demo_every_child_the_extract_holds_is_matched(demo_db, tmp_path):
    """The demo authority, with an extract made from the demo's own birth files plus names: every
    unmatched child of the centre whose NHS number is in it is matched, row for row."""
    from data.demo import generate_demo

    births = pd.concat([demo.frame for demo in generate_demo().files if demo.kind == "births"])
    births = births.drop_duplicates("nhs_number", keep="last").reset_index(drop=True)
    births["name"] = [f"Child {number}" for number in range(len(births))]
    extract = tmp_path / "demo_extract.csv"
    births.to_csv(extract, index=False)
    out = tmp_path / "demo_worklist.csv"
    as_at = "2026-09-30"
    assert main(["worklist", "--centre", "DEMO01", "--as-at", as_at, "--from-extract", str(extract),
                 "--out", str(out), "--db", str(demo_db)]) == 0
    frame = read_out(out)
    with opened(demo_db, read_only=True) as con:
        expected = unmatched_births(con, as_at=as_at, centre_id="DEMO01")
    key = secret_key(demo_db)
    names = dict(zip((keyed_hash(key, number) for number in births["nhs_number"]), births["name"]))
    assert len(frame) == len(expected) > 20
    assert frame["child_key"].tolist() == expected["child_key"].tolist()
    assert frame["name"].tolist() == [names.get(child, "") for child in expected["child_key"]]
    assert (frame["name"] != "").all()                  # every unmatched birth came in a demo extract
    assert set(frame["centre_id"]) == {"DEMO01"}


def _as_schema_one(db) -> None:
    """Make `db` what Reach of schema 1 made: every table but `exports`."""
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE exports")
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.close()


def test_the_upgrade_command_adds_the_exports_table_to_a_schema_one_store(db, capsys):
    before = fingerprint_without_exports(db)
    _as_schema_one(db)
    assert main(["exports", "--db", str(db)]) == 2            # read-only: refused, with the way out
    assert "python -m reach upgrade" in capsys.readouterr().err
    assert main(["upgrade", "--db", str(db)]) == 0
    assert capsys.readouterr().out.strip() == f"{db} was upgraded from schema 1 to schema {schema.SCHEMA_VERSION}."
    assert fingerprint_without_exports(db) == before
    assert main(["exports", "--db", str(db)]) == 0


def fingerprint_without_exports(db) -> dict:
    tables = fingerprint(db)["tables"]
    return {table: value for table, value in tables.items() if table != "exports"}


def test_an_older_store_is_brought_up_to_date_by_the_worklist_command(db, extract, tmp_path):
    _as_schema_one(db)
    assert worklist(db, extract, tmp_path / "worklist.csv") == 0
    with opened(db, read_only=True) as con:
        assert con.execute("SELECT rows_written FROM exports").fetchall() == [(3,)]


def test_without_the_key_the_births_were_imported_with_nothing_is_written(db, extract, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("REACH_SECRET")
    out = tmp_path / "worklist.csv"
    assert worklist(db, extract, out) == 2
    assert "There is no key beside" in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / "reach.duckdb.key").exists()


def test_an_extract_under_another_key_matches_no_one_and_says_why(db, extract, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("REACH_SECRET", "another-key-entirely-for-this-test-0123456789")
    assert worklist(db, extract, tmp_path / "worklist.csv") == 0
    printed = capsys.readouterr()
    assert "3 children, 0 with contact details from the extract and 3 not found in it" in printed.out
    assert "None of the children was found in the extract" in printed.err
