"""The keyed hash of many short values at once, with the processor's own SHA-256 instructions.

Every NHS number in a file is replaced by HMAC-SHA256 under the store's key (`pseudonymise`).
DuckDB's `sha256` computes SHA-256 in portable code, and HMAC written out with it hashes the key
again for every value: four SHA-256 blocks a value, about a microsecond. For 3 million births
that was more than the whole rest of the import. Most x86 processors sold since 2017 (AMD Zen,
Intel from Goldmont and Ice Lake) have instructions that do a SHA-256 block in a few dozen
cycles; nothing Reach already uses reaches them, so this module compiles a small function that
does, with LLVM (the `llvmlite` package), when the first file is hashed:

- the key's two padded blocks (RFC 2104's inner and outer pads) are hashed once, in Python,
  and only their state is handed on;
- each value of up to 55 bytes (an NHS number has 10) then needs two blocks, the inner one with
  the value and the outer one with the inner digest, written out as 64 lowercase hex digits;
- a longer value (a long family key, say) is hashed by Python's `hmac` instead.

The result is exactly `pseudonymise.keyed_hash`, byte for byte, which `available()` checks on
values of every length before the function is used. Where the processor lacks the instructions,
or anything here fails, `available()` is False and the import hashes in SQL as before: slower,
the same keys.

The function is given to DuckDB as `reach_keyed_hash(text)` for the one query that reads a file,
so the clear value goes from the file to its hash inside that query, as before, and is never
written anywhere.
"""

from __future__ import annotations

import ctypes
import hashlib
import hmac
import struct
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa

from data.importers.nhs_numbers import is_nhs_number

SQL_NAME = "reach_keyed_hash"
NHS_NUMBER_SQL_NAME = "reach_nhs_number_key"
_BLOCK = 64
# The longest value whose padded message fits in one block after the key's: 64 - 1 - 8.
LONGEST = 55

_ROUND_CONSTANTS = (
    0x428A2F98, 0x71374491, 0xB5C0FBCF, 0xE9B5DBA5, 0x3956C25B, 0x59F111F1, 0x923F82A4, 0xAB1C5ED5,
    0xD807AA98, 0x12835B01, 0x243185BE, 0x550C7DC3, 0x72BE5D74, 0x80DEB1FE, 0x9BDC06A7, 0xC19BF174,
    0xE49B69C1, 0xEFBE4786, 0x0FC19DC6, 0x240CA1CC, 0x2DE92C6F, 0x4A7484AA, 0x5CB0A9DC, 0x76F988DA,
    0x983E5152, 0xA831C66D, 0xB00327C8, 0xBF597FC7, 0xC6E00BF3, 0xD5A79147, 0x06CA6351, 0x14292967,
    0x27B70A85, 0x2E1B2138, 0x4D2C6DFC, 0x53380D13, 0x650A7354, 0x766A0ABB, 0x81C2C92E, 0x92722C85,
    0xA2BFE8A1, 0xA81A664B, 0xC24B8B70, 0xC76C51A3, 0xD192E819, 0xD6990624, 0xF40E3585, 0x106AA070,
    0x19A4C116, 0x1E376C08, 0x2748774C, 0x34B0BCB5, 0x391C0CB3, 0x4ED8AA4A, 0x5B9CCA4F, 0x682E6FF3,
    0x748F82EE, 0x78A5636F, 0x84C87814, 0x8CC70208, 0x90BEFFFA, 0xA4506CEB, 0xBEF9A3F7, 0xC67178F2,
)
_INITIAL_STATE = (0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A,
                  0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19)
_WORD = 0xFFFFFFFF


# -- the key's blocks, once, in Python -----------------------------------------------------------

def _rotate(word: int, bits: int) -> int:
    return ((word >> bits) | (word << (32 - bits))) & _WORD


def _compress(state: tuple[int, ...], block: bytes) -> tuple[int, ...]:
    """SHA-256's compression of one 64-byte block (FIPS 180-4, 6.2.2), as plain Python."""
    w = list(struct.unpack(">16I", block))
    for t in range(16, 64):
        s0 = _rotate(w[t - 15], 7) ^ _rotate(w[t - 15], 18) ^ (w[t - 15] >> 3)
        s1 = _rotate(w[t - 2], 17) ^ _rotate(w[t - 2], 19) ^ (w[t - 2] >> 10)
        w.append((w[t - 16] + s0 + w[t - 7] + s1) & _WORD)
    a, b, c, d, e, f, g, h = state
    for t in range(64):
        big_sigma1 = _rotate(e, 6) ^ _rotate(e, 11) ^ _rotate(e, 25)
        choose = (e & f) ^ (~e & g)
        t1 = (h + big_sigma1 + choose + _ROUND_CONSTANTS[t] + w[t]) & _WORD
        big_sigma0 = _rotate(a, 2) ^ _rotate(a, 13) ^ _rotate(a, 22)
        majority = (a & b) ^ (a & c) ^ (b & c)
        h, g, f, e, d, c, b, a = g, f, e, (d + t1) & _WORD, c, b, a, (t1 + big_sigma0 + majority) & _WORD
    return tuple((x + y) & _WORD for x, y in zip(state, (a, b, c, d, e, f, g, h)))


def key_states(key: bytes) -> np.ndarray:
    """SHA-256's state after the key's inner and after its outer padded block, as the SHA
    instructions hold it: two registers a state, lanes (F, E, B, A) and (H, G, D, C)."""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    padded = key.ljust(_BLOCK, b"\0")
    lanes = []
    for pad in (0x36, 0x5C):
        a, b, c, d, e, f, g, h = _compress(_INITIAL_STATE, bytes(byte ^ pad for byte in padded))
        lanes += [f, e, b, a, h, g, d, c]
    return np.array(lanes, dtype=np.uint32)


# -- the function, written in LLVM's language --------------------------------------------------

def _vector(values) -> str:
    return "<" + ", ".join(f"i32 {value - (1 << 32) if value >= 1 << 31 else value}" for value in values) + ">"


def _bytes(value: int, count: int) -> str:
    return "<" + ", ".join([f"i8 {value}"] * count) + ">"


def _compression(prefix: str, abef: str, cdgh: str, words: list[str]) -> tuple[list[str], str, str]:
    """LLVM lines for one block from the state (`abef`, `cdgh`) and its words (four registers),
    in the order Intel's SHA extensions document: each register of four message words is made
    from the four before it (sha256msg1, an add of the words seven back, sha256msg2), and each
    goes through two pairs of rounds (sha256rnds2). Returns the lines and the new state."""
    lines, words = [], list(words)
    state, other = abef, cdgh
    for group in range(16):
        if group >= 4:
            lines += [
                f"%{prefix}m{group} = call <4 x i32> @llvm.x86.sha256msg1(<4 x i32> {words[group - 4]}, "
                f"<4 x i32> {words[group - 3]})",
                # Words seven back: the last three of the register two back and the first of the last.
                f"%{prefix}b{group} = shufflevector <4 x i32> {words[group - 2]}, <4 x i32> {words[group - 1]}, "
                "<4 x i32> <i32 1, i32 2, i32 3, i32 4>",
                f"%{prefix}s{group} = add <4 x i32> %{prefix}m{group}, %{prefix}b{group}",
                f"%{prefix}w{group} = call <4 x i32> @llvm.x86.sha256msg2(<4 x i32> %{prefix}s{group}, "
                f"<4 x i32> {words[group - 1]})",
            ]
            words.append(f"%{prefix}w{group}")
        lines += [
            f"%{prefix}k{group} = add <4 x i32> {words[group]}, {_vector(_ROUND_CONSTANTS[4 * group:4 * group + 4])}",
            f"%{prefix}r{group} = call <4 x i32> @llvm.x86.sha256rnds2(<4 x i32> {other}, <4 x i32> {state}, "
            f"<4 x i32> %{prefix}k{group})",
            f"%{prefix}h{group} = shufflevector <4 x i32> %{prefix}k{group}, <4 x i32> undef, "
            "<4 x i32> <i32 2, i32 3, i32 0, i32 0>",
            f"%{prefix}q{group} = call <4 x i32> @llvm.x86.sha256rnds2(<4 x i32> {state}, "
            f"<4 x i32> %{prefix}r{group}, <4 x i32> %{prefix}h{group})",
        ]
        state, other = f"%{prefix}q{group}", f"%{prefix}r{group}"
    lines += [f"%{prefix}abef = add <4 x i32> {state}, {abef}", f"%{prefix}cdgh = add <4 x i32> {other}, {cdgh}"]
    return lines, f"%{prefix}abef", f"%{prefix}cdgh"


def _hashing_lines() -> list[str]:
    """LLVM lines from `%block` (the padded value, 16 words) to its 64 hex digits stored at
    `%out + 64 %i`: the inner block under the key's inner state, then the outer one."""
    words = []
    for register in range(4):
        picked = ", ".join(f"i32 {4 * register + lane}" for lane in range(4))
        words += [f"%x{register} = shufflevector <16 x i32> %block, <16 x i32> undef, <4 x i32> <{picked}>",
                  f"%w{register} = call <4 x i32> @llvm.bswap.v4i32(<4 x i32> %x{register})"]
    inner, inner_abef, inner_cdgh = _compression("i", "%inner_abef", "%inner_cdgh", [f"%w{r}" for r in range(4)])
    # The outer block: the inner digest's eight words (A to H), the closing bit, and its length
    # in bits (the key's block and 32 bytes: 768).
    digest_words = [
        f"%d0 = shufflevector <4 x i32> {inner_abef}, <4 x i32> {inner_cdgh}, <4 x i32> <i32 3, i32 2, i32 7, i32 6>",
        f"%d1 = shufflevector <4 x i32> {inner_abef}, <4 x i32> {inner_cdgh}, <4 x i32> <i32 1, i32 0, i32 5, i32 4>",
    ]
    outer, outer_abef, outer_cdgh = _compression(
        "o", "%outer_abef", "%outer_cdgh", ["%d0", "%d1", _vector([0x80000000, 0, 0, 0]), _vector([0, 0, 0, 768])])
    nibbles = ", ".join(f"i32 {place // 2 + (32 if place % 2 else 0)}" for place in range(64))
    hexed = [
        f"%digest = shufflevector <4 x i32> {outer_abef}, <4 x i32> {outer_cdgh}, "
        "<8 x i32> <i32 3, i32 2, i32 7, i32 6, i32 1, i32 0, i32 5, i32 4>",
        "%digest_be = call <8 x i32> @llvm.bswap.v8i32(<8 x i32> %digest)",
        "%digest_bytes = bitcast <8 x i32> %digest_be to <32 x i8>",
        f"%high = lshr <32 x i8> %digest_bytes, {_bytes(4, 32)}",
        f"%low = and <32 x i8> %digest_bytes, {_bytes(15, 32)}",
        f"%nibble = shufflevector <32 x i8> %high, <32 x i8> %low, <64 x i32> <{nibbles}>",
        f"%letter = icmp ugt <64 x i8> %nibble, {_bytes(9, 64)}",
        # '0' is 48; 'a' is 97, 87 above the nibble 10.
        f"%base = select <64 x i1> %letter, <64 x i8> {_bytes(87, 64)}, <64 x i8> {_bytes(48, 64)}",
        "%hex = add <64 x i8> %nibble, %base",
        "%out_at = mul i64 %i, 64",
        "%out_ptr = getelementptr inbounds i8, i8* %out, i64 %out_at",
        "%out_vector = bitcast i8* %out_ptr to <64 x i8>*",
        "store <64 x i8> %hex, <64 x i8>* %out_vector, align 1",
    ]
    return words + inner + digest_words + outer + hexed


_LANES = "<" + ", ".join(f"i8 {lane}" for lane in range(64)) + ">"

# The key's states, loaded once (`%states` holds four registers: inner ABEF, CDGH, outer ABEF, CDGH).
_STATES = """
  %s0 = getelementptr inbounds <4 x i32>, <4 x i32>* %states, i64 0
  %inner_abef = load <4 x i32>, <4 x i32>* %s0, align 4
  %s1 = getelementptr inbounds <4 x i32>, <4 x i32>* %states, i64 1
  %inner_cdgh = load <4 x i32>, <4 x i32>* %s1, align 4
  %s2 = getelementptr inbounds <4 x i32>, <4 x i32>* %states, i64 2
  %outer_abef = load <4 x i32>, <4 x i32>* %s2, align 4
  %s3 = getelementptr inbounds <4 x i32>, <4 x i32>* %states, i64 3
  %outer_cdgh = load <4 x i32>, <4 x i32>* %s3, align 4
  %none = icmp eq i64 %count, 0"""

# Value %i's place and length (in bytes, from the Arrow offsets).
_VALUE = """
  %start_at = getelementptr inbounds i32, i32* %offsets, i64 %i
  %start32 = load i32, i32* %start_at, align 4
  %next = add i64 %i, 1
  %end_at = getelementptr inbounds i32, i32* %offsets, i64 %next
  %end32 = load i32, i32* %end_at, align 4
  %length32 = sub i32 %end32, %start32
  %start = sext i32 %start32 to i64
  %source = getelementptr inbounds i8, i8* %data, i64 %start"""

# `%message`: the value's `%length32_kept` bytes, and none after them (a masked load reads only
# the lanes it is asked for, so nothing past the value is touched).
_LOAD = f"""
  %source_vector = bitcast i8* %source to <64 x i8>*
  %length8 = trunc i32 %length32_kept to i8
  %length_one = insertelement <64 x i8> undef, i8 %length8, i32 0
  %lengths = shufflevector <64 x i8> %length_one, <64 x i8> undef, <64 x i32> zeroinitializer
  %inside = icmp ult <64 x i8> {_LANES}, %lengths
  %message = call <64 x i8> @llvm.masked.load.v64i8.p0v64i8(<64 x i8>* %source_vector, i32 1,
                                                           <64 x i1> %inside, <64 x i8> zeroinitializer)"""

# `%block`: the message padded, as the inner block after the key's: the closing 1 bit after the
# value, then its length in bits with the key's block (< 65,536).
_PAD = f"""
  %after = icmp eq <64 x i8> {_LANES}, %lengths
  %closed = select <64 x i1> %after, <64 x i8> {_bytes(-128, 64)}, <64 x i8> %message
  %bits = shl i32 %length32_kept, 3
  %all_bits = add i32 %bits, 512
  %bits_high32 = lshr i32 %all_bits, 8
  %bits_high = trunc i32 %bits_high32 to i8
  %bits_low = trunc i32 %all_bits to i8
  %with_high = insertelement <64 x i8> %closed, i8 %bits_high, i32 62
  %padded = insertelement <64 x i8> %with_high, i8 %bits_low, i32 63
  %block = bitcast <64 x i8> %padded to <16 x i32>"""

# The NHS number's weights (modulus 11): 10 for its first digit down to 2 for its ninth.
_WEIGHTS = "<" + ", ".join(f"i16 {weight}" for weight in [*range(10, 1, -1), 0, 0, 0, 0, 0, 0, 0]) + ">"
_TEN_LANES = "<" + ", ".join(["i1 false"] * 10 + ["i1 true"] * 6) + ">"
_FIRST_SIXTEEN = "<" + ", ".join(f"i32 {lane}" for lane in range(16)) + ">"


def _module_text() -> str:
    """Two functions, each over `count` values (value i is bytes offsets[i] to offsets[i + 1] of
    data, as Arrow holds text), writing a value's 64 hex digits at out + 64 i:

    - `keyed_hash_hex(i8* data, i32* offsets, i64 count, <4 x i32>* states, i8* out)`: the
      keyed hash of every value of at most LONGEST bytes (a longer one is left to Python);
    - `nhs_number_key_hex(..., i8* out, i8* valid)`: the keyed hash of each value that is an NHS
      number as it stands, 10 ASCII digits passing the check digit, with valid[i] = 1; for any
      other value valid[i] = 0 and nothing is written (`nhs_number_keys`)."""
    hashing = "\n  ".join(_hashing_lines())
    return f"""
declare <4 x i32> @llvm.x86.sha256rnds2(<4 x i32>, <4 x i32>, <4 x i32>)
declare <4 x i32> @llvm.x86.sha256msg1(<4 x i32>, <4 x i32>)
declare <4 x i32> @llvm.x86.sha256msg2(<4 x i32>, <4 x i32>)
declare <4 x i32> @llvm.bswap.v4i32(<4 x i32>)
declare <8 x i32> @llvm.bswap.v8i32(<8 x i32>)
declare <64 x i8> @llvm.masked.load.v64i8.p0v64i8(<64 x i8>*, i32, <64 x i1>, <64 x i8>)
declare i1 @llvm.vector.reduce.and.v16i1(<16 x i1>)
declare i16 @llvm.vector.reduce.add.v16i16(<16 x i16>)

define void @keyed_hash_hex(i8* %data, i32* %offsets, i64 %count, <4 x i32>* %states, i8* %out) {{
entry:{_STATES}
  br i1 %none, label %done, label %value

value:
  %i = phi i64 [0, %entry], [%next, %hashed]{_VALUE}
  ; a longer value is left for Python (its 64 bytes are written all the same)
  %fits = icmp ule i32 %length32, {LONGEST}
  %length32_kept = select i1 %fits, i32 %length32, i32 0{_LOAD}{_PAD}
  {hashing}
  br label %hashed

hashed:
  %more = icmp ult i64 %next, %count
  br i1 %more, label %value, label %done

done:
  ret void
}}

define void @nhs_number_key_hex(i8* %data, i32* %offsets, i64 %count, <4 x i32>* %states, i8* %out,
                                i8* %valid) {{
entry:{_STATES}
  br i1 %none, label %done, label %value

value:
  %i = phi i64 [0, %entry], [%next, %settled]{_VALUE}
  %valid_at = getelementptr inbounds i8, i8* %valid, i64 %i
  %ten = icmp eq i32 %length32, 10
  br i1 %ten, label %digits, label %refused

digits:
  %length32_kept = add i32 0, 10{_LOAD}
  %first16 = shufflevector <64 x i8> %message, <64 x i8> undef, <16 x i32> {_FIRST_SIXTEEN}
  %values16 = sub <16 x i8> %first16, {_bytes(48, 16)}
  %is_digit = icmp ult <16 x i8> %values16, {_bytes(10, 16)}
  %counted = or <16 x i1> %is_digit, {_TEN_LANES}
  %all_digits = call i1 @llvm.vector.reduce.and.v16i1(<16 x i1> %counted)
  br i1 %all_digits, label %checking, label %refused

checking:
  %wide = zext <16 x i8> %values16 to <16 x i16>
  %weighted = mul <16 x i16> %wide, {_WEIGHTS}
  %sum = call i16 @llvm.vector.reduce.add.v16i16(<16 x i16> %weighted)
  %remainder = urem i16 %sum, 11
  %from_eleven = sub i16 11, %remainder
  %check = urem i16 %from_eleven, 11
  %last8 = extractelement <16 x i8> %values16, i32 9
  %last = zext i8 %last8 to i16
  %passes = icmp eq i16 %check, %last
  br i1 %passes, label %hashing, label %refused

hashing:{_PAD}
  {hashing}
  store i8 1, i8* %valid_at, align 1
  br label %settled

refused:
  store i8 0, i8* %valid_at, align 1
  br label %settled

settled:
  %more = icmp ult i64 %next, %count
  br i1 %more, label %value, label %done

done:
  ret void
}}
"""


@dataclass(frozen=True)
class Compiled:
    """The two functions of `_module_text`, callable from Python, and the engine that holds
    their code (which must live as long as they are used)."""

    keyed_hash_hex: Callable[..., None]
    nhs_number_key_hex: Callable[..., None]
    engine: object


@cache
def _compiled() -> Compiled | None:
    """The functions compiled for this processor, or None where it has no SHA extensions or
    LLVM cannot be had."""
    try:
        import llvmlite.binding as llvm
    except ImportError:     # pragma: no cover - llvmlite is in requirements.txt
        return None
    try:
        features = llvm.get_host_cpu_features()
    except RuntimeError:    # pragma: no cover - a processor LLVM cannot describe
        return None
    if not (features.get("sha") and features.get("ssse3") and features.get("sse4.1")):
        return None
    return compile_for(llvm.get_host_cpu_name(), features.flatten())


def compile_for(cpu: str, features: str) -> Compiled | None:
    """The functions compiled for a processor and its features (LLVM's names, "+sha,-avx512f,..."),
    or None where LLVM cannot build them. Without AVX-512, LLVM reads a value's bytes one by one
    where one instruction does with it: 3 million NHS numbers took 0.33 s instead of 0.32 s on
    one core of the machine measured, with the same hashes (a test compiles it both ways)."""
    import llvmlite.binding as llvm

    try:
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        module = llvm.parse_assembly(_module_text())
        module.verify()
        machine = llvm.Target.from_default_triple().create_target_machine(cpu=cpu, features=features, opt=2)
        engine = llvm.create_mcjit_compiler(module, machine)
        engine.finalize_object()
        addresses = [engine.get_function_address(name) for name in ("keyed_hash_hex", "nhs_number_key_hex")]
    except (RuntimeError, OSError):     # pragma: no cover - an LLVM that cannot build it
        return None
    # ctypes lets go of Python's lock during a call, so DuckDB's threads hash side by side.
    pointers = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p, ctypes.c_void_p]
    return Compiled(keyed_hash_hex=ctypes.CFUNCTYPE(None, *pointers)(addresses[0]),
                    nhs_number_key_hex=ctypes.CFUNCTYPE(None, *pointers, ctypes.c_void_p)(addresses[1]),
                    engine=engine)


def _text_buffers(values: pa.Array) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """(values as Arrow text, its offsets, its bytes), as the functions read them."""
    if not pa.types.is_string(values.type):
        values = values.cast(pa.string())
    _, offsets_buffer, data_buffer = values.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int32)[values.offset:values.offset + len(values) + 1]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None and data_buffer.size \
        else np.zeros(1, dtype=np.uint8)
    return values, np.ascontiguousarray(offsets), data


def _valid(values: pa.Array) -> np.ndarray:
    """1 for each value that is not NULL, 0 for each that is, from the array's own bits (asking
    pyarrow, `is_valid()`, would load its compute library at the start of every import)."""
    if not values.null_count:
        return np.ones(len(values), dtype=np.uint8)
    bits = np.frombuffer(values.buffers()[0], dtype=np.uint8)
    return np.unpackbits(bits, bitorder="little")[values.offset:values.offset + len(values)]


def _hex_offsets(count: int) -> pa.Buffer:
    """Arrow offsets for `count` values of 64 characters each."""
    return pa.py_buffer(np.arange(0, 64 * count + 1, 64, dtype=np.int32))


def keyed_hashes(values: pa.Array, states: np.ndarray, key: bytes, *,
                 compiled: Compiled | None = None) -> pa.Array:
    """The keyed hash (lowercase hex) of each text in `values`, NULL where it is NULL.
    `states` is `key_states(key)`; `key` itself hashes the rare value longer than LONGEST.
    `compiled` holds the functions to use (`compile_for`), this processor's by default."""
    compiled = compiled or _compiled()
    assert compiled is not None, "keyed_hashes is used only where available() is True"
    values, offsets, data = _text_buffers(values)
    count = len(values)
    out = np.empty(count * 64, dtype=np.uint8)
    if count:
        compiled.keyed_hash_hex(data.ctypes.data, offsets.ctypes.data, count, states.ctypes.data, out.ctypes.data)
    long_values = np.flatnonzero(np.diff(offsets) > LONGEST)
    for index in long_values.tolist():
        text = values[index].as_py()
        if text is not None:
            out[64 * index:64 * index + 64] = np.frombuffer(
                hmac.digest(key, text.encode("utf-8"), "sha256").hex().encode("ascii"), dtype=np.uint8)
    validity = pa.py_buffer(np.packbits(_valid(values), bitorder="little")) if values.null_count else None
    return pa.Array.from_buffers(pa.string(), count, [validity, _hex_offsets(count), pa.py_buffer(out)],
                                 null_count=values.null_count)


def nhs_number_keys(values: pa.Array, states: np.ndarray, *, compiled: Compiled | None = None) -> pa.Array:
    """The keyed hash of each value that is an NHS number as it stands (exactly 10 ASCII digits,
    passing the modulus 11 check digit); NULL for every other value, NULL included. This is
    the quick way for nearly every value of a file: the rest (a number written with spaces, or
    one that is not an NHS number at all) is cleaned, checked and told apart in SQL."""
    compiled = compiled or _compiled()
    assert compiled is not None, "nhs_number_keys is used only where available() is True"
    values, offsets, data = _text_buffers(values)
    count = len(values)
    out = np.zeros(count * 64, dtype=np.uint8)
    valid = np.zeros(count, dtype=np.uint8)
    if count:
        compiled.nhs_number_key_hex(data.ctypes.data, offsets.ctypes.data, count, states.ctypes.data,
                                    out.ctypes.data, valid.ctypes.data)
    if values.null_count:   # the bytes of a NULL are none, or any: never a key
        valid &= _valid(values)
    refused = count - int(valid.sum())
    validity = pa.py_buffer(np.packbits(valid, bitorder="little")) if refused else None
    return pa.Array.from_buffers(pa.string(), count, [validity, _hex_offsets(count), pa.py_buffer(out)],
                                 null_count=refused)


def _text_array(texts: list[str | None]) -> pa.Array:
    """Arrow text from Python's, made from its buffers: `pa.array` would load pandas (to ask
    whether the list is a pandas series), a sixth of a second at the start of every import."""
    encoded = [b"" if text is None else text.encode("utf-8") for text in texts]
    offsets = np.cumsum([0, *map(len, encoded)], dtype=np.int32)
    validity = np.packbits([text is not None for text in texts], bitorder="little")
    return pa.Array.from_buffers(pa.string(), len(texts), [pa.py_buffer(validity), pa.py_buffer(offsets),
                                                           pa.py_buffer(b"".join(encoded))],
                                 null_count=texts.count(None))


@cache
def available() -> bool:
    """Whether `keyed_hashes` can be used here: the processor has SHA extensions, the function
    compiled, and it gives exactly what Python's `hmac` gives for values of every length (a
    key longer than a block included)."""
    if _compiled() is None:
        return False
    samples = ["", "1", "9434765919", "é", "x" * LONGEST, "y" * (LONGEST + 1), "SMITH-42 ✓", "z" * 200]
    values = _text_array([*samples, None, *samples[::-1]]).slice(1)
    numbers = _text_array(["9434765919", "9434765918", "943476591", "94347659190", "943476591x", "943 476 59",
                           None, "", "4010232137", "٩٤٣٤٧٦٥٩١٩", "9876543210"]).slice(1)
    for key in (b"reach test key", bytes(range(100))):
        got = keyed_hashes(values, key_states(key), key).to_pylist()
        want = [None if text is None else hmac.digest(key, text.encode("utf-8"), "sha256").hex()
                for text in values.to_pylist()]
        got_numbers = nhs_number_keys(numbers, key_states(key)).to_pylist()
        want_numbers = [hmac.digest(key, text.encode("ascii"), "sha256").hex() if is_nhs_number(text) else None
                        for text in numbers.to_pylist()]
        if got != want or got_numbers != want_numbers:  # pragma: no cover - a compiler that gets it wrong
            return False
    return True


def register(con, key: bytes) -> None:
    """Give DuckDB `reach_keyed_hash(text)` and `reach_nhs_number_key(text)` under `key` on this
    connection (see `available`)."""
    states = key_states(key)

    def whole(values) -> pa.Array:
        return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values

    for name, function in ((SQL_NAME, lambda values: keyed_hashes(whole(values), states, key)),
                           (NHS_NUMBER_SQL_NAME, lambda values: nhs_number_keys(whole(values), states))):
        con.create_function(name, function, ["VARCHAR"], "VARCHAR", type="arrow",
                            null_handling="special", side_effects=False)


def unregister(con) -> None:
    for name in (SQL_NAME, NHS_NUMBER_SQL_NAME):
        con.remove_function(name)
