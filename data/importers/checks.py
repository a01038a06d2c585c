"""SQL for checking a file's text values, with reasons in plain words.

Each helper returns SQL over the raw table (aliased `r`): a *value* expression giving the parsed
value or NULL, and a *fault* expression giving the reason a value is unusable or NULL. A
reason names the column as the file spells it and shows the bad value, e.g.
`dob "2023-02-30" is not a real date`, with anything in it that may be personal hidden
(`lsoa_code "M32 ***" is not an LSOA code`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from data.dates import ISO_DATE_GLOB
from data.importers.layouts import Resolved
from data.importers.pseudonymise import looks_personal_sql, redact_sql

MONTH = r"\d{4}-\d{2}"
YEAR = r"\d{4}"
LSOA_CODE = r"E01\d{6}"
LA_CODE = r"E(06|07|08|09|10)\d{6}"
# A GSS code of Wales, Scotland or Northern Ireland (or an ONS pseudo-code such as L99999999):
# reference files that cover the whole country carry these rows, which England has no use for.
OTHER_NATION_CODE = r"[A-DF-Z]\d{8}"
POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}"
_TRUE = ("true", "yes", "y", "1")
_FALSE = ("false", "no", "n", "0")
_SHOWN_CHARACTERS = 40


def sql_text(text: str) -> str:
    """A SQL string literal holding `text` (for labels from a file's header, never for values)."""
    return "'" + text.replace("'", "''") + "'"


def bound(sql: str, params: dict) -> dict:
    """The parameters a statement names (`$name`): DuckDB refuses any it does not use."""
    names = set(re.findall(r"\$([A-Za-z_]\w*)", sql))
    return {name: value for name, value in params.items() if name in names}


class Fault(str):
    """The SQL of a fault that is NULL wherever `parsed`, the SQL of the value it checks, is not:
    a date that parses has nothing wrong with it. `CheckQuery` works each `parsed` out once, in a
    layer below the values and faults, and looks for the fault only where it came out NULL, so a
    value's pattern and cast are not tried a second time, for its fault, on every row."""

    parsed: str

    def __new__(cls, sql: str, *, parsed: str) -> Fault:
        fault = super().__new__(cls, sql)
        fault.parsed = parsed
        return fault


class Fields:
    """Value and fault expressions for one file's columns, with the file's own labels."""

    def __init__(self, resolved: Resolved):
        self.resolved = resolved

    def raw(self, name: str) -> str:
        """The raw text of a column (trimmed, NULL when blank), or NULL when the file lacks it."""
        return f"r.{name}" if self.resolved.has(name) else "NULL::VARCHAR"

    def label(self, name: str) -> str:
        return self.resolved.label(name)

    def _shown(self, name: str) -> str:
        # Hidden before it is cut short, so no part of a long number or postcode slips through.
        return f"""'"' || left({redact_sql(self.raw(name))}, {_SHOWN_CHARACTERS}) || '"'"""

    def _says(self, name: str, words: str) -> str:
        """SQL for: <label> "<value>" <words>."""
        return f"{sql_text(self.label(name) + ' ')} || {self._shown(name)} || {sql_text(' ' + words)}"

    def _when_missing(self, name: str, expected: str, *, required: bool = True) -> str:
        """The WHEN clause for a blank required value ("" when a blank is allowed)."""
        if not required:
            return ""
        reason = sql_text(f"{self.label(name)} is missing (expected {expected})")
        return f"WHEN {self.raw(name)} IS NULL THEN {reason}"

    def missing(self, name: str, expected: str) -> str:
        return f"CASE {self._when_missing(name, expected)} END"

    # -- text --------------------------------------------------------------------------------
    def text(self, name: str) -> str:
        return self.raw(name)

    def personal_fault(self, name: str) -> str:
        """A value that looks like a postcode, an NHS or telephone number or an e-mail address,
        in a column of a file about children that is stored as it is (a centre, an activity):
        most likely columns out of place, and never kept. The reason does not show the value."""
        what = looks_personal_sql(self.raw(name))
        return f"""{sql_text(self.label(name) + ' holds what looks like ')} || ({what})
            || ', which Reach does not keep'"""

    # -- dates -------------------------------------------------------------------------------
    def date(self, name: str) -> str:
        raw = self.raw(name)
        return f"CASE WHEN {raw} GLOB '{ISO_DATE_GLOB}' THEN try_cast({raw} AS DATE) END"

    def date_fault(self, name: str, *, required: bool) -> Fault:
        fault = self._date_fault(name, "a date, YYYY-MM-DD", "is not a date in the form YYYY-MM-DD",
                                 required=required)
        return Fault(fault, parsed=self.date(name))

    def _date_fault(self, name: str, expected: str, not_a_date: str, *, required: bool = True,
                    also_fine: str = "") -> str:
        """The fault in a date: missing (if required), not in the form YYYY-MM-DD, or no real day.
        `also_fine` is a WHEN clause for another form that is no fault (a year, for a period)."""
        raw = self.raw(name)
        return f"""CASE {self._when_missing(name, expected, required=required)} {also_fine}
            WHEN NOT ({raw} GLOB '{ISO_DATE_GLOB}') THEN {self._says(name, not_a_date)}
            WHEN try_cast({raw} AS DATE) IS NULL THEN {self._says(name, 'is not a real date')}
        END"""

    def period(self, name: str) -> str:
        """A population estimate's date: an ISO date, or a year meaning its mid-year, 30 June."""
        raw = self.raw(name)
        return f"""CASE WHEN regexp_full_match({raw}, '{YEAR}')
                        THEN make_date(try_cast({raw} AS INTEGER), 6, 30)
                        ELSE {self.date(name)} END"""

    def period_fault(self, name: str) -> str:
        return self._date_fault(name, "a date, YYYY-MM-DD, or a year", "is not a date (YYYY-MM-DD) or a year",
                                also_fine=f"WHEN regexp_full_match({self.raw(name)}, '{YEAR}') THEN NULL")

    def month(self, name: str) -> str:
        """The first day of a month given as YYYY-MM (or as any date in it, as Excel turns it)."""
        raw = self.raw(name)
        return f"""CASE WHEN regexp_full_match({raw}, '{MONTH}') THEN try_cast({raw} || '-01' AS DATE)
                        ELSE date_trunc('month', {self.date(name)})::DATE END"""

    def month_fault(self, name: str) -> str:
        return f"""CASE {self._when_missing(name, 'a month, YYYY-MM')}
            WHEN ({self.month(name)}) IS NULL THEN {self._says(name, 'is not a month in the form YYYY-MM')}
        END"""

    def year(self, name: str) -> str:
        raw = self.raw(name)
        return f"CASE WHEN regexp_full_match({raw}, '{YEAR}') THEN try_cast({raw} AS INTEGER) END"

    def year_fault(self, name: str, *, required: bool) -> str:
        return f"""CASE {self._when_missing(name, 'a year, e.g. 2019', required=required)}
            WHEN NOT regexp_full_match({self.raw(name)}, '{YEAR}')
                THEN {self._says(name, 'is not a year (expected 4 digits, e.g. 2019)')}
        END"""

    # -- codes -------------------------------------------------------------------------------
    def code(self, name: str, pattern: str = LSOA_CODE) -> str:
        raw = self.raw(name)
        return f"CASE WHEN regexp_full_match(upper({raw}), '{pattern}') THEN upper({raw}) END"

    def code_fault(self, name: str, *, required: bool, pattern: str = LSOA_CODE,
                   expected: str = "E01 followed by 6 digits", what: str = "an LSOA code") -> Fault:
        return Fault(f"""CASE {self._when_missing(name, expected, required=required)}
            WHEN NOT regexp_full_match(upper({self.raw(name)}), '{pattern}')
                THEN {self._says(name, f'is not {what} (expected {expected})')}
        END""", parsed=self.code(name, pattern))

    def la_code(self, name: str) -> str:
        return self.code(name, LA_CODE)

    def la_code_fault(self, name: str) -> Fault:
        return self.code_fault(name, required=False, pattern=LA_CODE,
                               expected="E06, E07, E08, E09 or E10 followed by 6 digits",
                               what="a local authority code")

    def other_nation(self, name: str) -> str:
        """True where the code is of Wales, Scotland or Northern Ireland (rows to skip)."""
        return f"coalesce(regexp_full_match(upper({self.raw(name)}), '{OTHER_NATION_CODE}'), false)"

    # -- numbers -----------------------------------------------------------------------------
    def count(self, name: str) -> str:
        """A whole number of 0 or more ("12" or "12.0"), or NULL."""
        raw = self.raw(name)
        return f"try_cast(nullif(regexp_extract({raw}, '^(\\d+)(\\.0+)?$', 1), '') AS INTEGER)"

    def count_fault(self, name: str) -> str:
        raw = self.raw(name)
        return f"""CASE {self._when_missing(name, 'a whole number')}
            WHEN regexp_full_match({raw}, '-\\s*\\d+(\\.\\d*)?')
                THEN {self._says(name, 'is negative (expected a whole number of 0 or more)')}
            WHEN NOT regexp_full_match({raw}, '\\d+(\\.0+)?')
                THEN {self._says(name, 'is not a whole number')}
            WHEN ({self.count(name)}) IS NULL THEN {self._says(name, 'is too large')}
        END"""

    def decimal(self, name: str) -> str:
        return f"try_cast({self.raw(name)} AS DOUBLE)"

    def decimal_fault(self, name: str) -> str:
        value = self.decimal(name)
        return f"""CASE WHEN {self.raw(name)} IS NOT NULL AND ({value} IS NULL OR NOT isfinite({value}))
            THEN {self._says(name, 'is not a number')} END"""

    def degrees_fault(self, name: str, limit: int) -> str:
        """Not a number, or outside -limit..limit: perhaps an easting or northing."""
        return f"""coalesce({self.decimal_fault(name)},
            CASE WHEN abs({self.decimal(name)}) > {limit}
                THEN {self._says(name, f'is not in degrees (expected -{limit} to {limit}, WGS84)')} END)"""

    def decile_fault(self, name: str) -> str:
        return f"""coalesce({self.count_fault(name)},
            CASE WHEN ({self.count(name)}) NOT BETWEEN 1 AND 10
                THEN {self._says(name, 'is not a decile (expected 1 to 10, 1 = most deprived)')} END)"""

    # -- yes / no ----------------------------------------------------------------------------
    def flag(self, name: str) -> str:
        raw = f"lower({self.raw(name)})"
        return f"""CASE WHEN {raw} IN {_sql_tuple(_TRUE)} THEN true
                        WHEN {raw} IN {_sql_tuple(_FALSE)} THEN false END"""

    def flag_fault(self, name: str) -> str:
        raw = f"lower({self.raw(name)})"
        return f"""CASE WHEN {raw} IS NOT NULL AND {raw} NOT IN {_sql_tuple(_TRUE + _FALSE)}
            THEN {self._says(name, 'is not a yes/no value (expected true/false, yes/no, y/n, 1/0 or blank)')}
        END"""

    # -- fixed choices -----------------------------------------------------------------------
    def choice(self, name: str, choices: tuple[str, ...], default: str | None) -> str:
        raw = f"lower({self.raw(name)})"
        fallback = sql_text(default) if default is not None else "NULL"
        return f"CASE WHEN {raw} IS NULL THEN {fallback} WHEN {raw} IN {_sql_tuple(choices)} THEN {raw} END"

    def choice_fault(self, name: str, choices: tuple[str, ...]) -> str:
        raw = f"lower({self.raw(name)})"
        words = " or ".join(choices)
        return f"""CASE WHEN {raw} IS NOT NULL AND {raw} NOT IN {_sql_tuple(choices)}
            THEN {self._says(name, f'is not {words}')} END"""


    def synonym(self, name: str, words: dict[str, tuple[str, ...]]) -> str:
        """The key of `words` whose spellings include the value (any case), or NULL."""
        raw = f"lower({self.raw(name)})"
        whens = " ".join(f"WHEN {raw} IN {_sql_tuple(spellings)} THEN {sql_text(word)}"
                         for word, spellings in words.items())
        return f"CASE {whens} END"

    def synonym_fault(self, name: str, words: dict[str, tuple[str, ...]], expected: str) -> str:
        raw = f"lower({self.raw(name)})"
        every = tuple(spelling for spellings in words.values() for spelling in spellings)
        return f"""CASE {self._when_missing(name, expected)}
            WHEN {raw} NOT IN {_sql_tuple(every)} THEN {self._says(name, f'is not {expected}')} END"""


def _sql_tuple(words: tuple[str, ...]) -> str:
    return "(" + ", ".join(sql_text(word) for word in words) + ")"


class _NotFound(str):
    """`NOT_FOUND`: the place of a `Lookup`'s fault among a check's faults."""


# Stands among a `CheckQuery`'s faults where the fault of its `Lookup` falls in a row's reason.
NOT_FOUND = _NotFound("NULL")


@dataclass(frozen=True)
class Lookup:
    """A value that some rows take from another table by a key: where a child lives, found in
    the postcode lookup by the child's postcode.

    A row whose `key` (SQL over `r`) is not NULL takes as its `column` the `found` column of the
    row of `table` whose `match` equals the key (`found` is never NULL there, `match` never
    twice); where there is none, its fault, in the place of `NOT_FOUND`, is `not_found` of the
    key's SQL. A row whose key is NULL keeps the `column` its check gives it.
    """

    column: str
    table: str
    match: str
    found: str
    key: str
    not_found: Callable[[str], str]

    def value(self, otherwise: str, found: str) -> str:
        return f"CASE WHEN ({self.key}) IS NULL THEN {otherwise} ELSE {found} END"

    def fault(self, found: str) -> str:
        return f"CASE WHEN ({self.key}) IS NOT NULL AND {found} IS NULL THEN {self.not_found(self.key)} END"


@dataclass
class CheckQuery:
    """One kind's check of its raw rows, as a single SELECT.

    `values` are the parsed columns (SQL over `r` and any joins in `source`); `faults` are
    reasons found from the raw text; `cross_faults` are reasons that compare parsed values and
    may name them directly. `where` picks the rows the kind uses; others are skipped. A `lookup`
    gives some rows one of their values from another table, with its fault where `NOT_FOUND`
    stands among the faults.
    """

    values: dict[str, str]
    faults: list[str]
    cross_faults: list[str] = field(default_factory=list)
    source: str = "raw_rows r"
    where: str = "true"
    lookup: Lookup | None = None

    def sql(self) -> str:
        # Every source begins with the raw rows, `raw_rows r`: they gain the parsed values there.
        layered = self.source.startswith("raw_rows r")
        values, faults, source = dict(self.values), list(self.faults), self.source
        if self.lookup:
            lookup, found = self.lookup, f"lookup.{self.lookup.found}"
            values[lookup.column] = lookup.value(values[lookup.column], found)
            faults = [lookup.fault(found) if isinstance(fault, _NotFound) else fault for fault in faults]
            source += f" LEFT JOIN {lookup.table} lookup ON lookup.{lookup.match} = ({lookup.key})"
        parsed, values, faults = _parsed_once(values, faults, layered)
        inner = ["r._row AS _row"]
        inner += [f"{expression} AS {name}" for name, expression in values.items()]
        inner += [f"{fault} AS _fault_{number}" for number, fault in enumerate(faults)]
        reasons = [f"_fault_{number}" for number in range(len(faults))] + self.cross_faults
        names = ", ".join(["_row", *self.values])
        # The raw table is in row order, and a scan of it alone keeps that order (DuckDB keeps
        # the order rows were inserted in): only a join can shuffle the rows, and a sort of a few
        # million rows is a second or more, so it is paid only then.
        order = "" if source == "raw_rows r" else "ORDER BY _row"
        if layered:
            source = source.replace("raw_rows r", f"({_with_parsed('raw_rows', parsed)}) r", 1)
        return f"""
            SELECT {names}, nullif(concat_ws('; ', {', '.join(reasons)}), '') AS _reason
            FROM (SELECT {', '.join(inner)} FROM {source} WHERE {self.where})
            {order}"""

    @property
    def in_one_pass(self) -> bool:
        """Whether `one_pass_sql` (and then `looked_up_sql`) can stand for `sql`: the raw rows
        alone are read (no join, which could shuffle them), and every one of them, and no
        comparison of values reads the value the lookup gives, which comes after."""
        return (self.source == "raw_rows r" and self.where == "true"
                and not (self.lookup and any(self.lookup.column in fault for fault in self.cross_faults)))

    def one_pass_sql(self, read: str, kept: list[str], hashed: tuple[str, ...] = ()) -> str:
        """`sql` over `read`, a SELECT of the file's rows in the file's order (each with `_blank`,
        whether it is blank, and the raw columns), in place of the raw table, for a check that
        is `in_one_pass`: so the file is read and checked at once, and never held as raw rows.
        Every row, blank ones too, in the file's order, with `_blank`, the values, `_reason` and
        the raw columns `kept` (as `_raw_<name>`, for the quarantine), but no `_row`: the row's
        place in the table made of it is its number (see `reading.load_csv`).

        With a lookup, which would be a join, each row has its `_lookup_key` instead, its value
        from the lookup is left NULL and its reason is written as if the key were found, with
        the reasons before and after the lookup's fault kept apart (`_reason_head`,
        `_reason_tail`): `looked_up_sql` then fills in both.

        With `hashed` (value names), each row also has `_key_hash`, DuckDB's 64-bit hash of
        those values, worked out here on every core (for the finding of repeated rows)."""
        values, faults, extra = dict(self.values), list(self.faults), []
        split = len(faults)
        if self.lookup:
            values[self.lookup.column] = self.lookup.value(values[self.lookup.column], "NULL")
            split = next(number for number, fault in enumerate(faults) if isinstance(fault, _NotFound))
            del faults[split]
            extra = [f"({self.lookup.key}) AS _lookup_key"]
        parsed, values, faults = _parsed_once(values, faults)
        raw = [f'r."{name}" AS "_raw_{name}"' for name in kept]
        inner = ["r._blank AS _blank", *raw, *extra]
        inner += [f"{expression} AS {name}" for name, expression in values.items()]
        inner += [f"{fault} AS _fault_{number}" for number, fault in enumerate(faults)]
        reasons = [f"_fault_{number}" for number in range(len(faults))] + self.cross_faults
        names = ", ".join(["_blank", *self.values, *(f'"_raw_{name}"' for name in kept)])
        if hashed:
            names += f", hash({', '.join(hashed)}) AS _key_hash"
        if not self.lookup:
            return f"""
                SELECT {names}, {_joined(reasons)} AS _reason
                FROM (SELECT {', '.join(inner)} FROM ({_with_parsed(f"({read})", parsed)}) r)"""
        return f"""
            SELECT {names}, _lookup_key, _reason_head, _reason_tail,
                   {_joined(["_reason_head", "_reason_tail"])} AS _reason
            FROM (SELECT *, {_joined(reasons[:split])} AS _reason_head, {_joined(reasons[split:])} AS _reason_tail
                  FROM (SELECT {', '.join(inner)} FROM ({_with_parsed(f"({read})", parsed)}) r))"""

    def looked_up_sql(self, table: str) -> list[str]:
        """The statements that, once `one_pass_sql` has made `table`, give each row with a
        lookup key its value from the lookup, or, where the key is not there, its fault."""
        if not self.lookup:
            return []
        lookup = self.lookup
        return [f"""UPDATE {table} SET {lookup.column} = lookup.{lookup.found} FROM {lookup.table} lookup
                    WHERE lookup.{lookup.match} = {table}._lookup_key""",
                f"""UPDATE {table}
                    SET _reason = concat_ws('; ', _reason_head, {lookup.not_found('_lookup_key')}, _reason_tail)
                    WHERE _lookup_key IS NOT NULL AND {lookup.column} IS NULL"""]


def _joined(reasons: list[str]) -> str:
    """SQL of the reasons given, those that are not NULL, joined with "; " (NULL for none)."""
    return f"nullif(concat_ws('; ', {', '.join(reasons)}), '')" if reasons else "NULL"


def _parsed_once(values: dict[str, str], faults: list[str],
                 layered: bool = True) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(parsed, values, faults): the values the faults check (`Fault.parsed`), each named
    `_parsed_<n>` and worked out once in a layer below; the values and faults with each of
    those expressions replaced by its column (an expression is replaced whole, so the value
    is exactly what it was); and each `Fault` looked for only where its value is NULL."""
    if not layered:
        return {}, values, faults
    parsed: dict[str, str] = {}
    for fault in faults:
        if isinstance(fault, Fault) and fault.parsed not in parsed:
            parsed[fault.parsed] = f'"_parsed_{len(parsed)}"'
    # The longest first, should one expression hold another.
    longest_first = sorted(parsed, key=len, reverse=True)

    def reuse(sql: str) -> str:
        for expression in longest_first:
            sql = sql.replace(expression, f"r.{parsed[expression]}")
        return sql

    values = {name: reuse(expression) for name, expression in values.items()}
    faults = [f"CASE WHEN r.{parsed[fault.parsed]} IS NULL THEN {fault} END" if isinstance(fault, Fault)
              else reuse(fault) for fault in faults]
    return {column: expression for expression, column in parsed.items()}, values, faults


def _with_parsed(rows: str, parsed: dict[str, str]) -> str:
    """A SELECT of `rows` (a table, or a query in brackets) as `r`, every column of it and the
    `parsed` values (column: SQL over `r`) beside them."""
    extra = "".join(f", {expression} AS {column}" for column, expression in parsed.items())
    return f"SELECT r.*{extra} FROM {rows} r"
