"""The audit trail (data/audit.py): rows numbered one after another, only ever added, read back
newest first; the command line's imports and contactable worklists recorded by computer account."""

from datetime import datetime

import pytest

from data.audit import DOWNLOAD, IMPORT, SIGN_IN, audit_trail, record, record_in
from data.store import opened


def test_rows_are_numbered_in_turn_and_read_back_newest_first(empty_store):
    record_in(empty_store, actor="a@x.gov.uk", role="data_officer", action=SIGN_IN, at=datetime(2026, 9, 1, 9))
    record_in(empty_store, actor="m@x.gov.uk", role="centre_manager", action=DOWNLOAD, centre_id="DEMO04",
              row_count=17, detail="worklist as at 2026-09-30", at=datetime(2026, 9, 1, 10))
    with opened(empty_store) as con:
        con.execute("BEGIN TRANSACTION")
        third = record(con, actor="svc", role=None, action=IMPORT, row_count=1_204, detail="import 3: births, b.csv")
        con.execute("COMMIT")
        trail = audit_trail(con)
    assert third == 3
    assert list(trail["audit_id"]) == [3, 2, 1]
    assert list(trail["action"]) == ["import", "download", "sign-in"]
    download = trail[trail["audit_id"] == 2].iloc[0]
    assert (download["actor"], download["centre_id"], download["row_count"]) == ("m@x.gov.uk", "DEMO04", 17)
    assert download["happened_at"] == datetime(2026, 9, 1, 10)


def test_a_row_in_a_transaction_rolled_back_is_not_kept(empty_store):
    with opened(empty_store) as con:
        con.execute("BEGIN TRANSACTION")
        record(con, actor="a", role=None, action=IMPORT)
        con.execute("ROLLBACK")
        assert audit_trail(con).empty


@pytest.mark.parametrize("row", [dict(actor="a", role=None, action="delete"), dict(actor=" ", role=None,
                                                                                   action=SIGN_IN)])
def test_an_unknown_action_or_nobody_is_refused(empty_store, row):
    with pytest.raises(ValueError):
        record_in(empty_store, **row)


def test_an_import_from_the_command_line_is_recorded_by_the_computer_account(empty_store, tmp_path):
    from cli.main import main
    from data.export_log import operating_system_user

    centres = tmp_path / "centres.csv"
    centres.write_text("centre_id,name\nC1,One\nC2,Two\n")
    assert main(["import", "centres", str(centres), "--db", str(empty_store)]) == 0
    with opened(empty_store, read_only=True) as con:
        trail = audit_trail(con)
    assert len(trail) == 1
    row = trail.iloc[0]
    assert (row["action"], row["actor"], row["row_count"]) == ("import", operating_system_user(), 2)
    assert row["detail"] == "import 1: centres, centres.csv" and row["role"] is None



def test_a_row_recorded_once_is_not_added_again_for_the_same_actor_action_and_detail(empty_store):
    from data.audit import SIGN_IN, audit_trail, record_in
    from data.store import opened
    first = record_in(empty_store, actor="a@council.gov.uk", role="commissioner", action=SIGN_IN,
                      detail="token issued 2026-11-30 09:00:00 UTC", once=True)
    again = record_in(empty_store, actor="a@council.gov.uk", role="commissioner", action=SIGN_IN,
                      detail="token issued 2026-11-30 09:00:00 UTC", once=True)
    later = record_in(empty_store, actor="a@council.gov.uk", role="commissioner", action=SIGN_IN,
                      detail="token issued 2026-11-30 14:00:00 UTC", once=True)
    assert (first, again, later) == (1, 1, 2)
    with opened(empty_store, read_only=True) as con:
        assert len(audit_trail(con, action=SIGN_IN)) == 2
