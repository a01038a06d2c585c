"""`python -m reach worklist` writes record-level data: the audit trail records it, by the computer
account that ran the command, with the centre and the number of rows, and nothing from the extract."""

from data.audit import audit_trail
from data.export_log import operating_system_user
from data.store import opened

from tests.cli.test_worklist import AS_AT, db, extract, read_out, worklist  # noqa: F401 (fixtures)


def test_a_contactable_worklist_is_in_the_audit_trail(db, extract, tmp_path):  # noqa: F811
    out = tmp_path / "worklist_C1.csv"
    assert worklist(db, extract, out) == 0
    rows = len(read_out(out))
    with opened(db, read_only=True) as con:
        trail = audit_trail(con)
    assert len(trail) == 1
    row = trail.iloc[0]
    assert (row["action"], row["actor"], row["centre_id"], row["row_count"]) == \
        ("download", operating_system_user(), "C1", rows)
    assert row["detail"] == f"contactable worklist as at {AS_AT.isoformat()}"


def test_a_refused_worklist_records_nothing(db, extract, tmp_path):  # noqa: F811
    out = tmp_path / "worklist_C1.csv"
    out.write_text("already here\n")
    assert worklist(db, extract, out) == 2         # never written over without --force
    with opened(db, read_only=True) as con:
        assert audit_trail(con).empty
