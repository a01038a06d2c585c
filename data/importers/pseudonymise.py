"""NHS numbers and other identifiers: check, mask and replace by a keyed hash; and values that
may be personal, hidden wherever a faulty row or a message would show them.

The hashing runs while a file is read, in the same step, so a clear NHS number (or family
identifier, or a child key that is really an NHS number) is never written anywhere, not even into
a temporary table: in Python for a workbook, in the query that reads the file for a CSV file.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import overload

from data.importers import keyed_hash_kernel
from data.importers.nhs_numbers import WEIGHTS, check_digits_ok

_MASK = "******"


def keyed_hash(key: bytes, text: str) -> str:
    """HMAC-SHA256 of `text` under `key`, as lowercase hex: how a child or family key is made."""
    return hmac.digest(key, text.encode("utf-8"), "sha256").hex()


def mask(text: str | None) -> str | None:
    """An NHS number with all but its last four digits hidden, e.g. "******1234".

    Only for NHS numbers: the last four (three digits and the check digit) help a data officer
    tell one mistyped number from another, and say no more about a child than the date of birth
    and LSOA beside them in the same row. Anything else is hidden whole, by `mask_whole`.
    """
    if text is None or text == "":
        return None
    return _MASK + text[-4:]


def mask_whole(text: str | None) -> str | None:
    """An identifier hidden completely ("******"): nothing of a family key is shown."""
    if text is None or text == "":
        return None
    return _MASK


def clean_nhs_number(text: str) -> str:
    """The NHS number with the spaces and hyphens people type inside it removed."""
    return "".join(text.split()).replace("-", "")


def is_valid_nhs_number(text: str) -> bool:
    """True for a 10-digit NHS number (spaces and hyphens allowed) with a correct check digit."""
    digits = clean_nhs_number(text)
    if len(digits) != 10 or not (digits.isascii() and digits.isdigit()):
        return False
    return bool(check_digits_ok([digits])[0])


# -- the same rules in SQL, for a file DuckDB reads (see `reading.load_csv`) -----------------------
#
# Each helper mirrors the Python above exactly, message for message, so that a file gives the same
# keys, masks and reasons whichever way it is read. The clear value is hashed in the same query
# that reads the file: it is never written into any table.

# What Python's str.strip() and str.split() take as blank: Unicode's White_Space and the ASCII
# separators \x1c to \x1f.
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
              "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
# The same as the body of a character class of RE2 (DuckDB's regular expressions).
WHITESPACE_CLASS = "".join(f"\\x{{{ord(char):04X}}}" for char in WHITESPACE)
_SHA256_BLOCK = 64


def key_pads(key: bytes) -> dict[str, bytes]:
    """The parameters `keyed_hash_sql` needs: the key padded for HMAC's inner and outer hash
    (RFC 2104), so the key itself never appears in a statement."""
    if len(key) > _SHA256_BLOCK:
        key = hashlib.sha256(key).digest()
    padded = key.ljust(_SHA256_BLOCK, b"\0")
    return {"reach_inner_pad": bytes(byte ^ 0x36 for byte in padded),
            "reach_outer_pad": bytes(byte ^ 0x5C for byte in padded)}


def keyed_hash_sql(expression: str) -> str:
    """SQL for `keyed_hash` of a text expression: where the processor has SHA extensions, the
    function `keyed_hash_kernel` gives DuckDB (see `reading.sql_functions`), a dozen times
    quicker; elsewhere HMAC-SHA256 written out with DuckDB's sha256, over the padded keys of
    `key_pads`, bound as parameters. Both give exactly `keyed_hash`."""
    if keyed_hash_kernel.available():
        return f"{keyed_hash_kernel.SQL_NAME}({expression})"
    return f"sha256($reach_outer_pad || unhex(sha256($reach_inner_pad || encode({expression}))))"


def nhs_number_key_sql(expression: str) -> str | None:
    """SQL for the keyed hash of a value that is an NHS number as it stands (10 ASCII digits
    passing the check digit: nearly every value of a file), NULL for any other value; None where
    the processor has no SHA extensions. With it, the checks written in SQL below need be made
    only where it is NULL (see `reading._csv_select_sql`)."""
    if keyed_hash_kernel.available():
        return f"{keyed_hash_kernel.NHS_NUMBER_SQL_NAME}({expression})"
    return None


def clean_nhs_number_sql(expression: str, *, ten: str | None = None) -> str:
    """SQL for `clean_nhs_number`: blanks and hyphens removed (a value of 10 digits, nearly every
    one, has none to remove). `ten` may name a column already holding `ten_digits_sql` of it."""
    return (f"CASE WHEN {ten or ten_digits_sql(expression)} THEN {expression} "
            f"ELSE regexp_replace({expression}, '[{WHITESPACE_CLASS}-]', '', 'g') END")


def mask_sql(expression: str) -> str:
    """SQL for `mask`: "******" and the last four characters; NULL for a blank."""
    return f"CASE WHEN {expression} <> '' THEN '{_MASK}' || right({expression}, 4) END"


def ten_digits_sql(cleaned: str) -> str:
    """SQL: whether a cleaned value is 10 ASCII digits."""
    return f"coalesce(regexp_full_match({cleaned}, '[0-9]{{10}}'), false)"


def check_digit_ok_sql(cleaned: str) -> str:
    """SQL for `check_digits_ok` of one 10-digit value: the modulus-11 check (a remainder that
    gives 10 has no valid check digit, and no digit equals 10)."""
    # The digits taken from the number as an integer (NULL, and so no answer, unless 10 digits).
    return check_digit_of_number_sql(f"try_cast(CASE WHEN {ten_digits_sql(cleaned)} THEN {cleaned} END AS BIGINT)")


def number_sql(cleaned: str, ten: str) -> str:
    """SQL: a cleaned value as a whole number where `ten` (an expression or a column holding
    `ten_digits_sql` of it) says it is 10 digits, else NULL; for `check_digit_of_number_sql`."""
    return f"CASE WHEN {ten} THEN try_cast({cleaned} AS BIGINT) END"


def check_digit_of_number_sql(number: str) -> str:
    """SQL for `check_digit_ok_sql` of a value already taken as a whole number (`number_sql`,
    best a column, since it is read ten times): NULL where it is NULL."""
    weighted = " + ".join(f"{weight} * ({number} // {10 ** (10 - place)} % 10)"
                          for place, weight in enumerate(WEIGHTS.tolist(), 1))
    return f"((11 - ({weighted}) % 11) % 11 = {number} % 10)"


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _quick_first(quick: str | None, otherwise: str) -> str:
    """`otherwise`, a CASE expression, looked at only where `quick` (a column holding
    `nhs_number_key_sql` of the value, or None) is NULL; the quick key elsewhere."""
    if quick is None:
        return otherwise
    return f"CASE WHEN {quick} IS NOT NULL THEN {quick} ELSE {otherwise} END"


def nhs_number_sql(cleaned: str, label: str, *, ten: str | None = None,
                   passes: str | None = None, quick: str | None = None) -> tuple[str, str]:
    """(key, fault) SQL for `check_nhs_numbers` of a cleaned value: the keyed hash of a valid
    number, and the reason one is unusable, in the same words. `ten` and `passes` may name
    columns already holding `ten_digits_sql` and `check_digit_ok_sql` of it, and `quick` one
    holding `nhs_number_key_sql` of the value as read (where it is not NULL, the value is a
    valid number as it stands, with no fault and that key)."""
    ten, passes = ten or ten_digits_sql(cleaned), passes or check_digit_ok_sql(cleaned)
    masked = mask_sql(cleaned)
    key = _quick_first(quick, f"CASE WHEN {ten} AND {passes} THEN {keyed_hash_sql(cleaned)} END")
    fault = f"""CASE WHEN coalesce({cleaned}, '') = ''
                     THEN {_quoted(f'{label} is missing (expected a 10-digit NHS number)')}
                     WHEN NOT {ten} THEN {_quoted(f'{label} "')} || {masked} || '" is not 10 digits'
                     WHEN NOT {passes} THEN {_quoted(f'{label} "')} || {masked}
                          || '" fails the NHS number check digit (modulus 11)' END"""
    if quick is not None:
        fault = f"CASE WHEN {quick} IS NULL THEN {fault} END"
    return key, fault


def child_key_sql(value: str, cleaned: str, label: str, *, ten: str | None = None,
                  passes: str | None = None, quick: str | None = None) -> dict[str, str]:
    """SQL for `check_child_keys` of a trimmed value (NULL when blank) and its cleaned form:
    the expressions of `child_key` (shown), `_child_key`, `_child_fault` and `_child_nhs`
    (`ten`, `passes` and `quick` as for `nhs_number_sql`)."""
    ten, passes = ten or ten_digits_sql(cleaned), passes or check_digit_ok_sql(cleaned)
    masked = mask_sql(cleaned)
    key = f"CASE WHEN NOT {ten} THEN {value} WHEN {passes} THEN {keyed_hash_sql(cleaned)} END"
    return {
        "child_key": f"CASE WHEN {ten} THEN {masked} ELSE {value} END",
        "_child_key": _quick_first(quick, key),
        "_child_fault": f"""CASE WHEN {ten} AND NOT {passes} THEN {_quoted(f'{label} "')} || {masked}
            || '" looks like an NHS number (10 digits) but fails its check digit (modulus 11)' END""",
        "_child_nhs": f"CASE WHEN {ten} AND {passes} THEN 'yes' END",
    }


def identifier_sql(value: str) -> dict[str, str]:
    """SQL for `hash_identifiers` of a trimmed value (NULL when blank): (key, masked)."""
    return {"key": f"CASE WHEN {value} <> '' THEN {keyed_hash_sql(value)} END",
            "masked": f"CASE WHEN {value} <> '' THEN '{_MASK}' END"}


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
    passes = check_digits_ok([cleaned[i] for i in well_formed])
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
    """Keyed hashes and masked forms of trimmed identifiers such as a family key (blank = None).

    The masked form shows no character at all: a family key is often a surname with a number.
    """
    keys = [keyed_hash(key, value) if value else None for value in values]
    masked = [mask_whole(value) for value in values]
    return keys, masked


@dataclass(frozen=True)
class CheckedChildKeys:
    """The `child_key` values of a batch of rows, in the rows' order."""

    keys: list[str | None]      # the key to store: as given, or the keyed hash of an NHS number
    faults: list[str | None]    # why the key is unusable (a 10-digit key failing the check digit)
    shown: list[str | None]     # what may be shown: as given, or masked where it is 10 digits
    were_nhs: list[bool]        # the key was a valid NHS number, now pseudonymised


def check_child_keys(values: list[str], *, key: bytes, label: str = "child_key") -> CheckedChildKeys:
    """Take each child key as it is, unless it is an NHS number (10 digits, spaces and hyphens
    allowed): a valid one is hashed exactly as an `nhs_number` would be, so the child links to
    records that came with the NHS number; one that fails the check digit is a fault, since it
    is most likely a mistyped NHS number and must not be stored as it is."""
    cleaned = [clean_nhs_number(value) for value in values]
    ten_digits = [i for i, digits in enumerate(cleaned)
                  if len(digits) == 10 and digits.isascii() and digits.isdigit()]
    passes = check_digits_ok([cleaned[i] for i in ten_digits])
    keys: list[str | None] = [value or None for value in values]
    shown: list[str | None] = [value or None for value in values]
    faults: list[str | None] = [None] * len(values)
    were_nhs = [False] * len(values)
    for i, ok in zip(ten_digits, passes):
        shown[i] = mask(cleaned[i])
        if ok:
            keys[i] = keyed_hash(key, cleaned[i])
            were_nhs[i] = True
        else:
            keys[i] = None
            faults[i] = (f'{label} "{shown[i]}" looks like an NHS number (10 digits) but fails its '
                         "check digit (modulus 11)")
    return CheckedChildKeys(keys=keys, faults=faults, shown=shown, were_nhs=were_nhs)


# -- values that may be personal, in whatever column they turn up --------------------------------
#
# A faulty row is kept in the quarantine so a data officer can find and fix it, and a reason
# quotes the bad value. But a file can hold anything in any column: a postcode in `lsoa_code`,
# an NHS number in `centre_id`, an e-mail address in `activity`. Every value shown from a file
# passes through these rules first. Each rule is one regular expression that Python and DuckDB
# (RE2: no look-around) read alike, with a replacement template both understand, so the SQL
# that fills the quarantine and the Python that writes messages hide exactly the same things.

# Spaces, tabs, line breaks and the no-break spaces spreadsheets leave, as a character class body.
_BLANKS = r" \t\r\n\x{00A0}\x{2007}\x{202F}"
# What cannot be part of an e-mail address as Reach looks for one: blanks, quotes, brackets and
# punctuation (and the backslash, so a value inside JSON never loses its escaping).
_NOT_EMAIL = _BLANKS + r"""@"'<>(),;:\\\[\]"""


@dataclass(frozen=True)
class _Rule:
    what: str           # what such a value is, in words
    pattern: str
    replacement: str
    passes: int = 1     # a rule that consumes the character after a match runs twice, so two
                        # values side by side ("M32 9AN,M31 4FL") are both caught


_RULES = (
    _Rule("an e-mail address", rf"[^{_NOT_EMAIL}]+@[^{_NOT_EMAIL}]+", "***@***"),
    # A run of 9 or more digits, with single spaces, hyphens or brackets between them and perhaps
    # a leading +: NHS numbers (10 digits), telephone numbers (+44 161 496 0000, (0161) 496 0000,
    # 07700 900123) and any other long number; not the decimals of a longitude (after "2."),
    # nor LSOA codes or dates, which have 8 digits.
    _Rule("an NHS number or a telephone number",
          r"(^|[^0-9.]|^[.]|[^0-9][.])([+]?[0-9](?:[ ()\x{00A0}-]{0,2}[0-9]){8,})",
          r"\1" + _MASK),
    # A UK postcode in any case and spacing (M32 9AN, m329an): only its district is kept.
    _Rule("a postcode",
          rf"(^|[^A-Za-z0-9])([A-Za-z]{{1,2}}[0-9][A-Za-z0-9]?)[{_BLANKS}]*[0-9][A-Za-z]{{2}}([^A-Za-z0-9]|$)",
          r"\1\2 ***\3", passes=2),
)


def _python_pattern(pattern: str) -> str:
    r"""RE2 writes a character by its code as \x{00A0}; Python's re as \u00A0."""
    return re.sub(r"\\x\{([0-9A-Fa-f]{4})\}", r"\\u\1", pattern)


_COMPILED = tuple((re.compile(_python_pattern(rule.pattern)), rule) for rule in _RULES)


@overload
def redact(text: str) -> str: ...
@overload
def redact(text: None) -> None: ...
def redact(text: str | None) -> str | None:
    """`text` with every postcode cut to its district ("M32 ***"), every NHS or telephone
    number replaced by "******" and every e-mail address by "***@***"."""
    if text is None:
        return None
    for compiled, rule in _COMPILED:
        for _ in range(rule.passes):
            text = compiled.sub(rule.replacement, text)
    return text


# Every rule at once: one pass over a value that holds nothing personal (nearly all of them)
# instead of one per rule, which matters for a column checked in every row of a large file.
_ANY_RULE = "|".join(f"(?:{rule.pattern})" for rule in _RULES)


def redact_sql(expression: str) -> str:
    """SQL for `redact` of a text expression: the same rules, run by DuckDB."""
    hidden = expression
    for rule in _RULES:
        for _ in range(rule.passes):
            hidden = (f"regexp_replace({hidden}, {_sql_literal(rule.pattern)}, "
                      f"{_sql_literal(rule.replacement)}, 'g')")
    any_rule = _sql_literal(_ANY_RULE)
    return f"CASE WHEN regexp_matches({expression}, {any_rule}) THEN {hidden} ELSE {expression} END"


def looks_personal_sql(expression: str) -> str:
    """SQL naming what personal value a text expression holds ("a postcode", ...), or NULL."""
    whens = " ".join(f"WHEN regexp_matches({expression}, {_sql_literal(rule.pattern)}) "
                     f"THEN {_sql_literal(rule.what)}" for rule in _RULES)
    return f"CASE WHEN regexp_matches({expression}, {_sql_literal(_ANY_RULE)}) THEN CASE {whens} END END"


def _sql_literal(text: str) -> str:
    # DuckDB keeps backslashes in a plain string literal, so only quotes need doubling.
    return "'" + text.replace("'", "''") + "'"
