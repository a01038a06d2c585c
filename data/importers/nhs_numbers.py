"""The NHS number's own rule: ten digits, the last the modulus-11 check digit of the nine before
it. Its one home, read by the importers' checks (`pseudonymise`, which writes it in SQL too) and
by the compiled hashing step's self-test (`keyed_hash_kernel`); the two cannot read it from each
other, since `pseudonymise` imports the kernel.
"""

from __future__ import annotations

import numpy as np

# Modulus 11: the first nine digits are weighted 10 down to 2.
WEIGHTS = np.arange(10, 1, -1, dtype=np.int64)


def check_digits_ok(ten_digit_numbers: list[str]) -> np.ndarray:
    """Whether each of these 10-digit strings passes the modulus-11 check, all at once."""
    if not ten_digit_numbers:
        return np.zeros(0, dtype=bool)
    characters = np.frombuffer("".join(ten_digit_numbers).encode("ascii"), dtype=np.uint8)
    digits = characters.reshape(-1, 10).astype(np.int64) - ord("0")
    check = 11 - (digits[:, :9] @ WEIGHTS) % 11
    check = np.where(check == 11, 0, check)
    # A remainder that gives 10 means no valid check digit exists for those nine digits.
    return (check != 10) & (check == digits[:, 9])


def is_nhs_number(text: str | None) -> bool:
    """Whether `text` is an NHS number as it stands: 10 ASCII digits that pass the check (no
    spaces or hyphens: `pseudonymise.is_valid_nhs_number` takes those out first)."""
    return (text is not None and len(text) == 10 and text.isascii() and text.isdigit()
            and bool(check_digits_ok([text])[0]))
