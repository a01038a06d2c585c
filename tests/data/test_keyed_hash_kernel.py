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


def test_duckdb_gets_the_function_under_the_key_given(tmp_path):
    import duckdb

    key = b"duckdb key"
    con = duckdb.connect()
    keyed_hash_kernel.register(con, key)
    rows = con.execute("""SELECT v, reach_keyed_hash(v)
                          FROM (VALUES ('9434765919'), (NULL), ('é' || repeat('z', 80))) t(v)
                          ORDER BY v NULLS LAST""").fetchall()
    assert rows == [(text, _hmac(key, text)) for text in ["9434765919", "é" + "z" * 80, None]]
    keyed_hash_kernel.unregister(con)
    with pytest.raises(duckdb.CatalogException):
        con.execute("SELECT reach_keyed_hash('x')")


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
