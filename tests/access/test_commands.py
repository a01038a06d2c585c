"""`python -m reach access` and `python -m reach sites`: the output the data contract spells out,
checked against the queries' own answer on the demo authority, and the faults that exit 2."""

import csv
import io
import json

import pytest

from cli.main import main
from data.store import opened
from reach.queries.access import AUTHORITY_COLUMNS, LSOA_COLUMNS, find_sites

AS_AT = "2026-09-30"


def run(capsys, *args):
    status = main([*map(str, args)])
    out, err = capsys.readouterr()
    return status, out, err


def test_access_by_lsoa_as_csv_has_the_contract_columns_and_a_row_per_reach_area_lsoa(demo_db, capsys):
    status, out, _ = run(capsys, "access", "--as-at", AS_AT, "--format", "csv", "--db", demo_db)
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == LSOA_COLUMNS
    with opened(demo_db, read_only=True) as con:
        lsoas = con.execute("SELECT count(*) FROM reach_areas").fetchone()[0]
    assert len(rows) == lsoas == 136
    assert all(float(row["distance_km"]) >= 0 and row["nearest_site"] for row in rows)


def test_access_by_authority_as_json(demo_db, capsys):
    status, out, _ = run(capsys, "access", "--as-at", AS_AT, "--by", "authority", "--format", "json", "--db", demo_db)
    assert status == 0
    answer = json.loads(out)
    assert answer["as_at"] == AS_AT and answer["by"] == "authority"
    (row,) = answer["rows"]
    assert list(row) == AUTHORITY_COLUMNS
    assert 0 <= row["beyond_3km_pct"] <= row["beyond_2km_pct"] <= row["beyond_1km_pct"] <= 100


def test_access_as_a_table_reads_as_figures(demo_db, capsys):
    status, out, _ = run(capsys, "access", "--as-at", AS_AT, "--by", "authority", "--format", "table", "--db", demo_db)
    assert status == 0 and "beyond_1km_pct" in out and "%" in out


def test_sites_json_is_method_sites_value_adds(demo_db, capsys):
    status, out, _ = run(capsys, "sites", "--as-at", AS_AT, "--radius-km", "1", "--new", "2", "--db", demo_db)
    assert status == 0
    answer = json.loads(out)
    assert list(answer) == ["method", "sites", "value", "adds"]
    with opened(demo_db, read_only=True) as con:
        expected = find_sites(con, as_at=AS_AT, radius_km=1.0, new=2)
    assert answer == expected.as_json()
    assert answer["method"] == "exact" and answer["sites"] == sorted(answer["sites"])
    assert isinstance(answer["value"], int) and sum(answer["adds"]) == answer["value"] > 0


def test_sites_above_the_limit_is_greedy_in_the_order_chosen(demo_db, capsys):
    # C(136, 5) is over 359 million sets.
    status, out, _ = run(capsys, "sites", "--as-at", AS_AT, "--radius-km", "1", "--new", "5",
                         "--people", "deprived", "--db", demo_db)
    answer = json.loads(out)
    assert status == 0 and answer["method"] == "greedy" and len(answer["sites"]) == 5
    assert answer["adds"] == sorted(answer["adds"], reverse=True)


def test_sites_as_a_table_says_how_it_chose(demo_db, capsys):
    status, out, _ = run(capsys, "sites", "--as-at", AS_AT, "--radius-km", "1", "--new", "2", "--format", "table",
                         "--db", demo_db)
    assert status == 0 and "all 9,180 possible sets were tried" in out and "lsoa_code" in out


def test_sites_takes_candidates_from_a_file_or_the_command_line(demo_db, capsys, tmp_path):
    listed = tmp_path / "candidates.csv"
    listed.write_text("LSOA_code,note\nE01900010,x\nE01900020,y\n")
    status, out, _ = run(capsys, "sites", "--as-at", AS_AT, "--radius-km", "2", "--new", "1",
                         "--candidates", listed, "--db", demo_db)
    from_file = json.loads(out)
    status_codes, out, _ = run(capsys, "sites", "--as-at", AS_AT, "--radius-km", "2", "--new", "1",
                               "--candidates", "E01900020,E01900010", "--db", demo_db)
    assert status == status_codes == 0 and json.loads(out) == from_file
    assert from_file["sites"][0] in ("E01900010", "E01900020")


@pytest.mark.parametrize("arguments, says", [
    (["--radius-km", "0", "--new", "1"], "above 0"),
    (["--radius-km", "1", "--new", "0"], "1 or more"),
    (["--radius-km", "1", "--new", "1", "--candidates", "E01900001,nonsense"], "not an LSOA code"),
    (["--radius-km", "1", "--new", "1", "--candidates", "E01999999"], "E01999999"),
])
def test_sites_refuses_bad_arguments_with_exit_status_2(demo_db, capsys, arguments, says):
    with pytest.raises(SystemExit) as stopped:
        status = main(["sites", "--as-at", AS_AT, *arguments, "--db", str(demo_db)])
        raise SystemExit(status)
    _, err = capsys.readouterr()
    assert stopped.value.code == 2 and says in err and "Traceback" not in err


def test_a_bad_candidates_file_names_the_file_line_and_column(demo_db, capsys, tmp_path):
    listed = tmp_path / "mine.csv"
    listed.write_text("lsoa_code\nE01900010\nSK4 1AA\n")
    status, _, err = run(capsys, "sites", "--as-at", AS_AT, "--radius-km", "1", "--new", "1",
                         "--candidates", listed, "--db", demo_db)
    assert status == 2
    assert "mine.csv: line 3, lsoa_code: not an LSOA code" in err and "SK4" not in err


@pytest.mark.parametrize("command", ["access", "sites"])
def test_help_gives_examples(capsys, command):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out, _ = capsys.readouterr()
    assert "examples:" in out and f"python -m reach {command} --as-at 2026-09-30" in out
