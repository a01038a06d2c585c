"""Hostile files and settings at the edges of personal data.

Each attack goes through the command line (`cli.main.main`, as `python -m reach` runs it) and
then everything a person could see is searched: what the command printed, the quarantine as
`python -m reach quarantine --format csv` and `list_quarantine` give it, the import history, and
every text column of the store. Nothing may show a key, an NHS number, a name, a postcode, an
e-mail address or a telephone number in full.

The store under attack is the hostile tests' small store (`conftest.py`): centres C001 and C002,
their reach areas E01006074 and E01006075, and two births.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from data.importers import list_quarantine
from data.store import opened
from cli.main import main
from reach.queries.worklist import unmatched_births

PROJECT = Path(__file__).resolve().parents[2]

# Two children known to health by NHS number; the second one's number is written with spaces
# when it arrives as a child key.
FIRST, SECOND = "4010000007", "4010000074"


def _hash(nhs_number: str) -> str:
    """The pseudonym of an NHS number under the tests' key."""
    key = os.environ["REACH_SECRET"].encode()
    return hmac.new(key, nhs_number.encode(), hashlib.sha256).hexdigest()


def _write(folder: Path, name: str, lines: list[str]) -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run(capsys, *argv) -> tuple[int, str, str]:
    """`python -m reach ARGV...` in this process: (exit status, stdout, stderr)."""
    status = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return status, out, err


def _store_text(db: Path) -> str:
    """Every text value in the store except the public postcode lookup, one per line."""
    values = []
    with opened(db, read_only=True) as con:
        columns = con.execute("""SELECT table_name, column_name FROM information_schema.columns
                                 WHERE data_type = 'VARCHAR' AND table_name <> 'postcodes'""").fetchall()
        for table, column in columns:
            values += [str(row[0]) for row in con.execute(
                f'SELECT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL').fetchall()]
    return "\n".join(values)


def _squeezed(text: str) -> str:
    """Text without the spaces and hyphens that could split a number or postcode, upper case."""
    return "".join(text.split()).replace("-", "").upper()


def _leaks(text: str, secrets_: list[str]) -> list[str]:
    """Which of `secrets_` appear in `text`, in any case or spacing."""
    squeezed = _squeezed(text)
    return [secret for secret in secrets_ if _squeezed(secret) in squeezed]


@pytest.fixture
def people_store(store, tmp_path, capsys) -> Path:
    """The small store, with a postcode lookup to place rows by postcode."""
    lookup = _write(tmp_path, "postcodes.csv", ["pcds,lsoa21cd", "M31 4FL,E01006074"])
    status, _, err = _run(capsys, "import", "postcodes", lookup, "--db", store)
    assert status == 0, err
    return store


# --- the key ---------------------------------------------------------------------------------------

def _births(tmp_path: Path) -> Path:
    return _write(tmp_path, "births.csv", ["nhs_number,dob,lsoa_code",
                                           f"{FIRST},2024-05-01,E01006074"])


@pytest.mark.parametrize("secret", ["", "   ", "tiny-key", "x" * 31])
def test_a_short_or_empty_reach_secret_is_refused_and_nothing_is_written(store, fingerprint, tmp_path,
                                                                         capsys, monkeypatch, secret):
    before = fingerprint(store)
    monkeypatch.setenv("REACH_SECRET", secret)
    status, out, err = _run(capsys, "import", "births", _births(tmp_path), "--db", store)
    assert status == 2
    assert "REACH_SECRET" in err and "at least 32 random characters" in err
    assert "Traceback" not in out + err
    if secret.strip():
        assert secret not in out + err
    assert fingerprint(store) == before                 # no row, and no key file made instead


@pytest.mark.parametrize("content", [b"", b"\n   \n", b"0123456789abcdef", b"x" * 31 + b"\n"])
def test_an_empty_or_truncated_key_file_is_refused_and_nothing_is_written(store, fingerprint, tmp_path,
                                                                         capsys, monkeypatch, content):
    monkeypatch.delenv("REACH_SECRET")
    key_file = Path(str(store) + ".key")
    key_file.write_bytes(content)
    before = fingerprint(store)
    status, out, err = _run(capsys, "import", "births", _births(tmp_path), "--db", store)
    assert status == 2
    assert "key file" in err and ("shorter than 32 bytes" in err or "is empty" in err)
    assert "restore it from your backup" in err.lower()
    assert "Traceback" not in out + err
    if content.strip():
        assert content.strip().decode() not in out + err
    assert key_file.read_bytes() == content             # never replaced by a new key
    assert fingerprint(store) == before


def test_the_refusal_from_a_real_process_has_no_traceback(store, tmp_path):
    env = dict(os.environ, REACH_SECRET="short-secret-123")
    result = subprocess.run(
        [sys.executable, "-m", "reach", "import", "births", str(_births(tmp_path)), "--db", str(store)],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "REACH_SECRET is too short" in result.stderr
    assert "Traceback" not in result.stderr and "short-secret-123" not in result.stderr + result.stdout


# --- the store's files ------------------------------------------------------------------------------

def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_import_leaves_the_store_and_its_log_owner_only(tmp_path, capsys, monkeypatch):
    db = tmp_path / "new.duckdb"
    previous = os.umask(0o022)        # the usual umask, which would make files 0644
    try:
        status, _, err = _run(capsys, "import", "births", _births(tmp_path), "--db", db,
                              "--received-on", "2024-06-30")
    finally:
        os.umask(previous)
    assert status == 0, err
    files = [path for path in (db, Path(str(db) + ".wal")) if path.exists()]
    assert files and all(_mode(path) == 0o600 for path in files)


def test_a_store_readable_by_others_is_tightened_by_the_next_import(store, tmp_path, capsys):
    store.chmod(0o644)
    status, _, err = _run(capsys, "import", "births", _births(tmp_path), "--db", store,
                          "--received-on", "2024-06-30")
    assert status == 0, err
    assert _mode(store) == 0o600


# --- a child key that is an NHS number ----------------------------------------------------------------

def _unmatched(db: Path) -> set[str]:
    with opened(db, read_only=True) as con:
        return set(unmatched_births(con, as_at="2024-07-31")["child_key"])


def test_child_keys_that_are_nhs_numbers_are_hashed_and_link_to_registrations(store, tmp_path, capsys):
    births = _write(tmp_path, "births_by_key.csv", [
        "child_key,dob,lsoa_code", f"{FIRST},2024-05-03,E01006074", "401 000 0074,2024-05-04,E01006074"])
    status, out, err = _run(capsys, "import", "births", births, "--db", store, "--received-on", "2024-06-30")
    assert status == 0, err
    assert "2 child keys were NHS numbers and were pseudonymised" in err
    with opened(store, read_only=True) as con:
        keys = [row[0] for row in con.execute(
            "SELECT child_key FROM births WHERE dob >= '2024-05-03' ORDER BY dob").fetchall()]
    assert keys == [_hash(FIRST), _hash(SECOND)]             # as an nhs_number column gives them
    assert _leaks(_store_text(store), [FIRST, SECOND]) == []
    assert {_hash(FIRST), _hash(SECOND)} <= _unmatched(store)

    # Registered by NHS number, the same children are known: off the outreach worklist.
    registrations = _write(tmp_path, "registrations.csv", [
        "nhs_number,dob,lsoa_code,centre_id,registered_on",
        f"{FIRST},2024-05-03,E01006074,C001,2024-06-10",
        f"{SECOND},2024-05-04,E01006074,C001,2024-06-11"])
    assert _run(capsys, "import", "registrations", registrations, "--db", store)[0] == 0
    assert not {_hash(FIRST), _hash(SECOND)} & _unmatched(store)


# --- the quarantine shows nothing personal ----------------------------------------------------------

PERSONAL = ["M32 9AN", "m329an", "M31 4FL", FIRST, SECOND, "jane.smith@example.org",
            "07700 900123", "+44 161 496 0000", "Jane Smith", "SMITH-77", "9434765918"]


def test_personal_values_in_the_wrong_columns_never_reach_the_quarantine_or_messages(
        people_store, tmp_path, capsys):
    store = people_store
    attacks = {
        "births": ["nhs_number,dob,lsoa_code,mother_name",
                   f"{FIRST},2024-05-01,M32 9AN,Jane Smith",           # a postcode as the LSOA
                   f"{SECOND},2024-05-02,m329an,Jane Smith",           # ... in lower case
                   "9434765918,2024-05-03,E01006074,Jane Smith",       # a failing NHS number
                   f"{FIRST},2024-05-04,jane.smith@example.org,Jane Smith"],
        "registrations": ["nhs_number,dob,postcode,centre_id,registered_on,family_key",
                          f"{FIRST},2024-05-01,M31 4FL,{FIRST},2024-06-10,SMITH-77",   # NHS as centre
                          f"{SECOND},2024-05-02,M31 4FL,07700 900123,2024-06-10,SMITH-77",
                          f"{SECOND},2024-05-02,M31 4FL,C001,10/06/2024,SMITH-77"],
        "contacts": ["child_key,contact_on,centre_id,activity",
                     "k1,2024-06-01,C001,jane.smith@example.org",     # an e-mail as the activity
                     "k1,2024-06-02,C001,ring +44 161 496 0000",
                     "k1,2024-06-03,401-000-0007,Stay and play",
                     "4010000008,2024-06-04,C001,Stay and play"],     # 10 digits failing the check
        "reach-areas": ["lsoa_code,centre_id", f"M32 9AN,{FIRST}", f"E01006074,{SECOND}"],
    }
    printed = []
    for kind, lines in attacks.items():
        dated = ["--received-on", "2024-06-30"] if kind == "births" else []
        status, out, err = _run(capsys, "import", kind, _write(tmp_path, f"{kind}.csv", lines),
                                "--db", store, *dated)
        assert status == 0, err
        printed.append(out + err)
    status, out, err = _run(capsys, "quarantine", "--format", "csv", "--db", store)
    assert status == 0, err
    listing = out
    with opened(store, read_only=True) as con:
        frame = list_quarantine(con)
    assert len(frame) == 13                     # every attacking row, and nothing else
    status, history, _ = _run(capsys, "history", "--db", store)

    assert _leaks(listing, PERSONAL) == []
    assert _leaks(frame.to_csv(), PERSONAL) == []
    assert _leaks("\n".join(printed) + history, PERSONAL) == []
    assert _leaks(_store_text(store), PERSONAL) == []

    reasons = dict(zip(zip(frame["kind"], frame["row_number"]), frame["reason"]))
    assert reasons[("births", 1)] == 'lsoa_code "M32 ***" is not an LSOA code (expected E01 followed by 6 digits)'
    assert reasons[("births", 2)].startswith('lsoa_code "m32 ***" is not an LSOA code')
    assert reasons[("registrations", 1)] == ("centre_id holds what looks like an NHS number or a "
                                             "telephone number, which Reach does not keep")
    assert reasons[("contacts", 1)] == "activity holds what looks like an e-mail address, which Reach does not keep"
    assert reasons[("contacts", 4)].startswith('child_key "******0008" looks like an NHS number')
    rows = {key: json.loads(text) for key, text in zip(zip(frame["kind"], frame["row_number"]), frame["row_data"])}
    assert rows[("births", 1)]["lsoa_code"] == "M32 ***"
    assert rows[("births", 4)]["lsoa_code"] == "***@***"
    assert rows[("registrations", 1)]["centre_id"] == "******"
    assert rows[("registrations", 1)]["family_key"] == "******"   # no character of the family key
    assert rows[("contacts", 1)]["activity"] == "***@***"
    assert rows[("reach-areas", 1)] == {"lsoa_code": "M32 ***", "centre_id": "******"}


def test_the_quarantine_table_view_shows_no_personal_value_either(store, tmp_path, capsys):
    path = _write(tmp_path, "areas.csv", ["lsoa_code,centre_id", "m32 9an,C001", "E0100607,C001"])
    assert _run(capsys, "import", "reach-areas", path, "--db", store)[0] == 0
    status, out, err = _run(capsys, "quarantine", "--db", store)
    assert status == 0, err
    assert "m32 ***" in out and _leaks(out, ["M32 9AN"]) == []


def test_a_quarantine_written_by_an_older_reach_is_shown_hidden(store):
    # Before this release the quarantine kept a postcode in the wrong column, and four characters
    # of a family key; what is listed now hides both, whatever the store holds.
    with opened(store) as con:
        con.execute("""INSERT INTO quarantine VALUES (99, 'registrations', 'old.csv', 'old', 1,
                       'lsoa_code "M32 9AN" is not an LSOA code',
                       '{"Family Key":"******H-77","lsoa_code":"M32 9AN","dob":"2024-05-01"}')""")
    with opened(store, read_only=True) as con:
        row = list_quarantine(con).iloc[-1]
    assert row["reason"] == 'lsoa_code "M32 ***" is not an LSOA code'
    assert json.loads(row["row_data"]) == {"Family Key": "******", "lsoa_code": "M32 ***", "dob": "2024-05-01"}


# --- the one set of rules, in Python and in SQL -------------------------------------------------------

@pytest.mark.parametrize("text, hidden", [
    ("M32 9AN", "M32 ***"), ("m329an", "m32 ***"), ("EC1A 1BB", "EC1A ***"), ("M32\u00a09AN", "M32 ***"),
    ("M32 9AN,M31 4FL", "M32 ***,M31 ***"),
    ("4010000007", "******"), ("401 000 0074", "******"), ("401-000-0074", "******"),
    ("+44 161 496 0000", "******"), ("(0161) 496 0000", "(******"), ("07700 900123", "******"),
    ("jane.smith@example.org", "***@***"), ('activity "a@b.uk" is not', 'activity "***@***" is not'),
    # Left alone: codes, dates, coordinates, ordinary words, and what is already hidden.
    ("E01006074", "E01006074"), ("2024-05-01", "2024-05-01"), ("-2.31391234", "-2.31391234"),
    ("53.440812", "53.440812"), ("Stay and play", "Stay and play"), ("******5918", "******5918"),
    ("M32 ***", "M32 ***"), ('postcode in district "ZZ99" is not', 'postcode in district "ZZ99" is not'),
])
def test_values_that_may_be_personal_are_hidden_alike_in_python_and_sql(text, hidden):
    import duckdb

    from data.importers.pseudonymise import redact, redact_sql

    assert redact(text) == hidden
    with duckdb.connect() as con:
        assert con.execute(f"SELECT {redact_sql('$1::VARCHAR')}", [text]).fetchone()[0] == hidden
