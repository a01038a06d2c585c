"""NHS numbers and other identifiers: check, mask and replace by a keyed hash.

This runs while a file is read, before any value reaches the database, so a clear NHS number
(or family identifier) is never written anywhere, not even into a temporary table.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

import numpy as np

# Modulus 11: the first nine digits are weighted 10 down to 2.
_NHS_WEIGHTS = np.arange(10, 1, -1, dtype=np.int64)
_MASK = "******"


def keyed_hash(key: bytes, text: str) -> str:
    """HMAC-SHA256 of `text` under `key`, as lowercase hex: how a child or family key is made."""
    return hmac.digest(key, text.encode("utf-8"), "sha256").hex()


def mask(text: str | None) -> str | None:
    """Hide all but the last four characters, e.g. "******1234", for quarantine and messages."""
    if text is None or text == "":
        return None
    return _MASK + text[-4:]


def clean_nhs_number(text: str) -> str:
    """The NHS number with the spaces and hyphens people type inside it removed."""
    return "".join(text.split()).replace("-", "")


def _check_digits_ok(ten_digit_numbers: list[str]) -> np.ndarray:
    """Whether each of these 10-digit strings passes the modulus-11 check, all at once."""
    if not ten_digit_numbers:
        return np.zeros(0, dtype=bool)
    digits = np.frombuffer("".join(ten_digit_numbers).encode("ascii"), dtype=np.uint8)
    digits = digits.reshape(-1, 10).astype(np.int64) - ord("0")
    check = 11 - (digits[:, :9] @ _NHS_WEIGHTS) % 11
    check = np.where(check == 11, 0, check)
    # A remainder that gives 10 means no valid check digit exists for those nine digits.
    return (check != 10) & (check == digits[:, 9])


def is_valid_nhs_number(text: str) -> bool:
    """True for a 10-digit NHS number (spaces and hyphens allowed) with a correct check digit."""
    digits = clean_nhs_number(text)
    if len(digits) != 10 or not (digits.isascii() and digits.isdigit()):
        return False
    return bool(_check_digits_ok([digits])[0])


@dataclass(frozen=True)
class CheckedNumbers:
    """NHS numbers of a batch of rows, checked and pseudonymised, in the rows' order."""

    keys: list[str | None]      # the keyed hash, or None where the number is missing or invalid
    faults: list[str | None]    # why the number is unusable, in plain words, or None
    masked: list[str | None]    # what may be shown: "******" and the last four digits


def check_nhs_numbers(values: list[str], *, key: bytes, label: str = "nhs_number") -> CheckedNumbers:
    """Check and hash a batch of NHS numbers as read from a file (blank = missing)."""
    cleaned = [clean_nhs_number(value) for value in values]
    well_formed = [i for i, digits in enumerate(cleaned)
                   if len(digits) == 10 and digits.isascii() and digits.isdigit()]
    passes = _check_digits_ok([cleaned[i] for i in well_formed])
    keys: list[str | None] = [None] * len(values)
    faults: list[str | None] = [None] * len(values)
    masked = [mask(digits) for digits in cleaned]
    for i, digits in enumerate(cleaned):
        if digits == "":
            faults[i] = f"{label} is missing (expected a 10-digit NHS number)"
        elif len(digits) != 10 or not (digits.isascii() and digits.isdigit()):
            faults[i] = f'{label} "{masked[i]}" is not 10 digits'
    for i, ok in zip(well_formed, passes):
        if ok:
            keys[i] = keyed_hash(key, cleaned[i])
        else:
            faults[i] = f'{label} "{masked[i]}" fails the NHS number check digit (modulus 11)'
    return CheckedNumbers(keys=keys, faults=faults, masked=masked)


def hash_identifiers(values: list[str], *, key: bytes) -> tuple[list[str | None], list[str | None]]:
    """Keyed hashes and masked forms of trimmed identifiers such as a family key (blank = None)."""
    keys = [keyed_hash(key, value) if value else None for value in values]
    masked = [mask(value) for value in values]
    return keys, masked
