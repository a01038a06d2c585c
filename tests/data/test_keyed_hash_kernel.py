"""The keyed hash made with the processor's SHA instructions is exactly Python's HMAC-SHA256,
whatever the value and the key, and a store gets the same keys with it as without it."""

from __future__ import annotations

import hashlib
import hmac
import random

import pyarrow as pa
import pytest

from data.importers import import_file, keyed_hash_kernel
from data.store import opened

pytestmark = pytest.mark.skipif(not keyed_hash_kernel.available(),
                                reason="this processor has no SHA instructions")


def _hmac(key: bytes, text: str | None) -> str | None:
    return None if text is None else hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def _values(seed: int) -> list[str | None]:
    """Text of every length from 0 to 70 bytes and more, ASCII and not, with NULLs among it."""
    chance = random.Random(seed)
    letters = "0123456789 abcXYZ-é✓𝔘"
    values: list[str | None] = []
    for length in range(72):
        text = "".join(chance.choice(letters) for _ in range(length))
        values.append(text)
        if length % 9 == 0:
            values.append(None)
    return values + ["9434765919", "x" * 55, "x" * 56, "é" * 27 + "x", "é" * 28]


KEYS = [b"", b"k", b"a-store-key-of-32-bytes-exactly!", b"k" * 64, b"k" * 65, bytes(range(100))]


@pytest.mark.parametrize("key", KEYS)
def test_every_value_hashes_exactly_as_hmac_does(key):
    values = _values(seed=len(key))
    got = keyed_hash_kernel.keyed_hashes(pa.array(values, type=pa.string()), keyed_hash_kernel.key_states(key), key)
    assert got.to_pylist() == [_hmac(key, value) for value in values]


def test_a_slice_of_an_array_and_a_large_string_array_hash_as_their_values():
    key = b"slice key"
    values = _values(seed=7)
    states = keyed_hash_kernel.key_states(key)
    sliced = pa.array(values, type=pa.string()).slice(5, 40)
    assert keyed_hash_kernel.keyed_hashes(sliced, states, key).to_pylist() == [_hmac(key, v) for v in values[5:45]]
    large = pa.array(values, type=pa.large_string())
    assert keyed_hash_kernel.keyed_hashes(large, states, key).to_pylist() == [_hmac(key, v) for v in values]
    assert keyed_hash_kernel.keyed_hashes(pa.array([], type=pa.string()), states, key).to_pylist() == []


def _number_like(seed: int) -> list[str | None]:
    """Values an NHS number column holds: valid numbers, each with every wrong check digit,
    too short, too long, with blanks, letters or non-ASCII digits, empty and NULL."""
    chance = random.Random(seed)
    values: list[str | None] = [None, "", "0000000000", "9434765919", "4010232137", "9876543210"]
    for _ in range(300):
        nine = "".join(chance.choice("0123456789") for _ in range(9))
        values += [nine + digit for digit in "0123456789"]
        values += [nine, nine + "00", " " + nine + "0", nine[:4] + "-" + nine[4:] + "1", nine + "x",
                   "٩" + nine, nine + "\u00a0", (nine + "0") * 7]
    return values


@pytest.mark.parametrize("key", KEYS)
def test_an_nhs_number_as_it_stands_gets_its_key_and_any_other_value_none(key):
    values = _number_like(seed=len(key))
    got = keyed_hash_kernel.nhs_number_keys(pa.array(values, type=pa.string()).slice(1),
                                            keyed_hash_kernel.key_states(key))
    want = [_hmac(key, value) if keyed_hash_kernel.is_nhs_number(value) else None for value in values[1:]]
    assert got.to_pylist() == want
    assert got.null_count == want.count(None)
    # Each nine-digit start has one valid last digit, but about one in eleven has none.
    assert 250 <= len(want) - want.count(None) <= 304


def test_is_nhs_number_is_the_check_the_importers_make():
    from data.importers.pseudonymise import is_valid_nhs_number

    for value in _number_like(seed=5)[1:]:
        assert keyed_hash_kernel.is_nhs_number(value) == (
            len(value) == 10 and value.isascii() and value.isdigit() and is_valid_nhs_number(value)), value


def test_duckdb_gets_the_function_under_the_key_given(tmp_path):
    import duckdb

    key = b"duckdb key"
    con = duckdb.connect()
    keyed_hash_kernel.register(con, key)
    rows = con.execute("""SELECT v, reach_keyed_hash(v)
                          FROM (VALUES ('9434765919'), (NULL), ('é' || repeat('z', 80))) t(v)
                          ORDER BY v NULLS LAST""").fetchall()
    assert rows == [(text, _hmac(key, text)) for text in ["9434765919", "é" + "z" * 80, None]]
    numbers = con.execute("""SELECT v, reach_nhs_number_key(v)
                             FROM (VALUES ('9434765919'), ('9434765918'), (NULL), ('943 476 5919')) t(v)
                             ORDER BY v NULLS LAST""").fetchall()
    assert numbers == [("943 476 5919", None), ("9434765918", None), ("9434765919", _hmac(key, "9434765919")),
                       (None, None)]
    keyed_hash_kernel.unregister(con)
    for function in ("reach_keyed_hash", "reach_nhs_number_key"):
        with pytest.raises(duckdb.CatalogException):
            con.execute(f"SELECT {function}('x')")


def test_a_store_gets_the_same_keys_with_the_instructions_as_without(tmp_path, monkeypatch):
    lines = ["nhs_number,dob,lsoa_code,received_on"]
    lines += [f"{number},2024-05-{day:02d},E0100607{day % 10},2024-06-30"
              for number, day in [("9434765919", 1), ("4010232137", 2), ("943 476 5919", 3), ("9434765918", 4)]]
    births = tmp_path / "births.csv"
    births.write_text("\n".join(lines) + "\n")

    def stored(db) -> list[tuple]:
        import_file("births", births, db=db)
        with opened(db) as con:
            return con.execute("SELECT child_key, dob FROM births ORDER BY dob").fetchall()

    monkeypatch.setenv("REACH_SECRET", "one-secret-for-both-stores-0123456789")
    with_instructions = stored(tmp_path / "a.duckdb")
    monkeypatch.setattr(keyed_hash_kernel, "available", lambda: False)
    in_sql = stored(tmp_path / "b.duckdb")
    assert with_instructions == in_sql
    assert len(in_sql) == 2      # the third is the first child again; the fourth fails its check digit


def test_compiled_without_avx512_it_gives_the_same_hashes():
    """Many processors with SHA instructions have no AVX-512 (AMD before Zen 4, most Intel desktop
    parts): there LLVM reads a value byte by byte. The same hashes, every length."""
    import llvmlite.binding as llvm

    features = llvm.get_host_cpu_features()
    for name in list(features):
        if name.startswith("avx512"):
            features[name] = False
    compiled = keyed_hash_kernel.compile_for("x86-64", features.flatten())
    assert compiled is not None
    key = b"a key for a processor without AVX-512"
    values = _values(seed=11)
    got = keyed_hash_kernel.keyed_hashes(pa.array(values, type=pa.string()), keyed_hash_kernel.key_states(key), key,
                                         compiled=compiled)
    assert got.to_pylist() == [_hmac(key, value) for value in values]
    numbers = _number_like(seed=13)
    got = keyed_hash_kernel.nhs_number_keys(pa.array(numbers, type=pa.string()), keyed_hash_kernel.key_states(key),
                                            compiled=compiled)
    assert got.to_pylist() == [_hmac(key, value) if keyed_hash_kernel.is_nhs_number(value) else None
                               for value in numbers]
