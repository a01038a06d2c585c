"""One checker per kind of file: what its rows must hold, and where good rows go.

A kind turns the raw rows of a file (table `raw_rows`, all text) into the table `checked`:
one row per row it uses, with the parsed values and `_reason`, the fault in plain words or
NULL. The importer then marks duplicates, quarantines faulty rows and writes the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from data.importers.checks import POSTCODE, CheckQuery, Fields, bound, sql_text
from data.importers.layouts import FLAG_COLUMNS, Resolved
from data.importers.pseudonymise import redact, redact_sql

CHECKED = "checked"
LOADABLE = "loadable"
_NAMED = 5
_IDACI = "income deprivation affecting children"


@dataclass
class Context:
    """What a kind needs to know about the import in hand."""

    con: object
    kind: str
    file_name: str
    sha256: str
    resolved: Resolved
    import_id: int
    today: date
    replace: bool = False
    received_on: date | None = None
    rows_read: int = 0
    params: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    received_on_used: date | None = None

    @property
    def fields(self) -> Fields:
        return Fields(self.resolved)

    def run(self, sql: str, params: dict | None = None):
        merged = {**self.params, **(params or {})}
        return self.con.execute(sql, bound(sql, merged))

    def scalar(self, sql: str, params: dict | None = None):
        return self.run(sql, params).fetchall()[0][0]

    def codes(self, sql: str, params: dict | None = None) -> list[str]:
        return [row[0] for row in self.run(sql, params).fetchall()]


def count_of(n: int, one: str, many: str | None = None) -> str:
    """"1 row", "1,204 rows"."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _were(n: int) -> str:
    return "was" if n == 1 else "were"


def _named(codes: list[str]) -> str:
    """The first few codes for a message; any that look personal are hidden (see `redact`)."""
    shown = ", ".join(redact(str(code)) for code in codes[:_NAMED])
    return shown + (", ..." if len(codes) > _NAMED else "")


class Kind:
    """The defaults: rows map one to one onto the store's table; a known key is left alone."""

    name: str
    table: str
    key: tuple[str, ...]
    columns: tuple[str, ...]
    file_key: tuple[str, ...] | None = None   # what "duplicate of row N" compares; default: key
    updates: bool = False                     # a known key with new values is a revision
    personal: bool = False                    # reads identifiers that must be pseudonymised

    def duplicate_key(self, ctx: Context) -> tuple[str, ...]:
        return self.file_key or self.key

    def prepare(self, ctx: Context) -> None:
        """Set parameters the check needs (before it runs)."""

    def check(self, ctx: Context) -> CheckQuery:
        raise NotImplementedError

    def after_duplicates(self, ctx: Context) -> None:
        """Faults that need the whole file, found after duplicates are marked."""

    def loadable(self, ctx: Context) -> str:
        """SELECT of the rows to write, with exactly `columns`."""
        return f"SELECT {', '.join(self.columns)} FROM {CHECKED} WHERE _reason IS NULL"

    def updates_rows(self, ctx: Context) -> bool:
        return self.updates

    def compared(self, ctx: Context) -> tuple[str, ...]:
        """The columns that, when they differ from the store's, make a row an update."""
        return tuple(column for column in self.columns if column not in self.key)

    def refreshed(self, ctx: Context) -> tuple[str, ...]:
        """The columns an update writes: the compared ones, unless a kind says more."""
        return self.compared(ctx)

    def remove_missing(self, ctx: Context) -> int:
        """Delete store rows the file replaces; return how many (only reach areas do this)."""
        return 0

    def notes(self, ctx: Context) -> list[str]:
        """Sentences for the summary message, written after the rows are saved."""
        return []


def _skipped(ctx: Context) -> int:
    """Rows read but neither checked nor quarantined: rows the kind has no use for."""
    return ctx.rows_read - ctx.scalar(f"SELECT count(*) FROM {CHECKED}")


# -- pieces shared by the files about children -----------------------------------------------

def _child_key(f: Fields) -> tuple[str, str]:
    """The child's key: `child_key` as it is (or hashed, where it is an NHS number), else the
    keyed hash of the NHS number."""
    if f.resolved.has("child_key"):
        missing = f.missing("child_key", "the child's pseudonymised key")
        return "r._child_key", f"coalesce({missing}, r._child_fault)"
    return "r._nhs_key", "r._nhs_fault"


def _child_keys_hashed(ctx: Context) -> list[str]:
    """A note on child keys that were NHS numbers, and were pseudonymised as such."""
    if not ctx.resolved.has("child_key"):
        return []
    hashed = ctx.scalar("SELECT count(*) FROM raw_rows WHERE _child_nhs IS NOT NULL")
    if not hashed:
        return []
    numbers = "an NHS number" if hashed == 1 else "NHS numbers"
    return [f"{count_of(hashed, 'child key')} {_were(hashed)} {numbers} and {_were(hashed)} "
            "pseudonymised, so they link to the same children loaded by NHS number."]


def _postcode_lookup(f: Fields, *, missing: str) -> tuple[str, str]:
    """(fault, source) for placing a row by its postcode through the `postcodes` table."""
    postcode = f.label("postcode")
    # The district (the part before the space) helps find the fault without keeping the postcode.
    district = f"""CASE WHEN regexp_full_match(r._postcode, '{POSTCODE}')
        THEN 'in district "' || left(r._postcode, length(r._postcode) - 3) || '" ' ELSE '' END"""
    no_lookup = (f"{postcode} cannot be placed: no postcode lookup has been loaded yet "
                 "(import the postcodes file first)")
    fault = f"""CASE
        WHEN r._postcode IS NULL THEN {sql_text(missing)}
        WHEN NOT $postcodes_loaded THEN {sql_text(no_lookup)}
        WHEN p.lsoa_code IS NULL THEN {sql_text(postcode + ' ')} || {district} || 'is not in the postcode lookup'
    END"""
    return fault, "raw_rows r LEFT JOIN postcodes p ON p.postcode = r._postcode"


def _residence(f: Fields) -> tuple[str, str, str]:
    """(value, fault, source): the LSOA where the child lives, from `lsoa_code` or the postcode.

    Each row uses its `lsoa_code` where it has one, else its postcode."""
    code = f.code("lsoa_code")
    if not f.resolved.has("postcode"):
        return code, f.code_fault("lsoa_code", required=True), "raw_rows r"
    missing = f"{f.label('postcode')} is missing (expected where the child lives)"
    if f.resolved.has("lsoa_code"):
        missing = (f"{f.label('lsoa_code')} and {f.label('postcode')} are both missing "
                   "(expected where the child lives)")
    postcode_fault, source = _postcode_lookup(f, missing=missing)
    fault = f"""CASE WHEN {f.raw('lsoa_code')} IS NOT NULL THEN {f.code_fault('lsoa_code', required=False)}
                     ELSE {postcode_fault} END"""
    value = f"CASE WHEN {f.raw('lsoa_code')} IS NOT NULL THEN {code} ELSE p.lsoa_code END"
    return value, fault, source


def _received_on_default(ctx: Context) -> None:
    """The date for rows without their own `received_on`: the one given for the file, else the
    date this same file was first imported (so a second load changes nothing), else today."""
    how = None
    if ctx.received_on is not None:
        default = ctx.received_on
    else:
        earlier = ctx.run(
            """SELECT received_on FROM import_log
               WHERE file_sha256 = $sha AND kind = $kind AND received_on IS NOT NULL
               ORDER BY import_id LIMIT 1""", {"sha": ctx.sha256, "kind": ctx.kind}).fetchall()
        if earlier:
            default = earlier[0][0]
            how = f"the date this file was first imported ({default.isoformat()}) was used"
        else:
            default = ctx.today
            how = f"the date of import ({default.isoformat()}) was used"
    ctx.params["received_default"] = default
    without = ctx.scalar(f"SELECT count(*) FROM raw_rows r WHERE {ctx.fields.raw('received_on')} IS NULL")
    if without:
        ctx.received_on_used = default
        if how:
            ctx.notes.append(f"{count_of(without, 'row')} had no received_on, so {how}.")


def _dob_faults(f: Fields, later: str, later_label: str) -> str:
    """A date of birth after today, or after the row's `received_on` or `registered_on`."""
    dob = f.label("dob")
    return f"""CASE WHEN dob > $today THEN {sql_text(dob + ' ')} || dob::VARCHAR || ' is in the future'
                    WHEN dob > {later} THEN {sql_text(later_label + ' ')} || {later}::VARCHAR
                         || {sql_text(f' is before {dob} ')} || dob::VARCHAR END"""


def _outside_reach_areas(ctx: Context) -> list[str]:
    """A note, not a fault: a family outside every reach area is counted as out of area."""
    if not ctx.scalar("SELECT count(*) > 0 FROM reach_areas"):
        return []
    outside = ctx.scalar(f"""SELECT count(*) FROM {LOADABLE}
                             WHERE lsoa_code NOT IN (SELECT lsoa_code FROM reach_areas)""")
    if not outside:
        return []
    return [f"{outside:,} of the rows {'is' if outside == 1 else 'are'} for children living outside "
            "every reach area: loaded, and counted as out of area."]


def _unknown_centres(ctx: Context, what: str) -> list[str]:
    unknown = ctx.codes(f"""SELECT DISTINCT centre_id FROM {LOADABLE}
                            WHERE centre_id <> '' AND centre_id NOT IN (SELECT centre_id FROM centres)
                            ORDER BY centre_id""")
    if not unknown:
        return []
    return [f"{what} name {count_of(len(unknown), 'centre')} not in the centres list yet: "
            f"{_named(unknown)} (loaded; they show once the centres are imported)."]


class Births(Kind):
    name = "births"
    table = "births"
    key = ("child_key", "received_on")
    columns = ("child_key", "dob", "lsoa_code", "received_on", "event", "arrived_on", "sex")
    file_key = ("child_key",)   # the same child twice in one extract
    personal = True

    def prepare(self, ctx):
        _received_on_default(ctx)

    def check(self, ctx):
        f = ctx.fields
        child, child_fault = _child_key(f)
        residence, residence_fault, source = _residence(f)
        received = (f"CASE WHEN {f.raw('received_on')} IS NULL THEN $received_default::DATE "
                    f"ELSE {f.date('received_on')} END")
        return CheckQuery(
            values={
                "child_key": child,
                "dob": f.date("dob"),
                "lsoa_code": residence,
                "received_on": received,
                "event": f.choice("event", ("birth", "arrival"), "birth"),
                "arrived_on": f.date("arrived_on"),
                "sex": f.text("sex"),
            },
            faults=[child_fault, f.date_fault("dob", required=True), residence_fault,
                    f.date_fault("received_on", required=False),
                    f.choice_fault("event", ("birth", "arrival")),
                    f.date_fault("arrived_on", required=False), f.personal_fault("sex")],
            cross_faults=[_dob_faults(f, "received_on", f.label("received_on"))],
            source=source,
        )

    def notes(self, ctx):
        return _child_keys_hashed(ctx) + _outside_reach_areas(ctx)


class Registrations(Kind):
    name = "registrations"
    table = "registrations"
    key = ("child_key", "centre_id", "registered_on")
    columns = ("child_key", "dob", "lsoa_code", "centre_id", "registered_on", "family_key",
               *FLAG_COLUMNS)
    personal = True

    def check(self, ctx):
        f = ctx.fields
        child, child_fault = _child_key(f)
        residence, residence_fault, source = _residence(f)
        family = "r._family_key" if f.resolved.has("family_key") else "NULL::VARCHAR"
        return CheckQuery(
            values={
                "child_key": child,
                "dob": f.date("dob"),
                "lsoa_code": residence,
                "centre_id": f.text("centre_id"),
                "registered_on": f.date("registered_on"),
                "family_key": family,
                **{flag: f.flag(flag) for flag in FLAG_COLUMNS},
            },
            faults=[child_fault, f.date_fault("dob", required=True), residence_fault,
                    f.missing("centre_id", "the centre the child is registered with"),
                    f.personal_fault("centre_id"),
                    f.date_fault("registered_on", required=True),
                    *(f.flag_fault(flag) for flag in FLAG_COLUMNS)],
            cross_faults=[_dob_faults(f, "registered_on", f.label("registered_on"))],
            source=source,
        )

    def notes(self, ctx):
        return (_child_keys_hashed(ctx) + _outside_reach_areas(ctx)
                + _unknown_centres(ctx, "Registrations"))


class Contacts(Kind):
    name = "contacts"
    table = "contacts"
    key = ("child_key", "contact_on", "centre_id", "activity")
    columns = key
    personal = True

    def check(self, ctx):
        f = ctx.fields
        child, child_fault = _child_key(f)
        return CheckQuery(
            values={
                "child_key": child,
                "contact_on": f.date("contact_on"),
                "centre_id": f"coalesce({f.text('centre_id')}, '')",
                "activity": f"coalesce({f.text('activity')}, '')",
            },
            faults=[child_fault, f.date_fault("contact_on", required=True),
                    f.personal_fault("centre_id"), f.personal_fault("activity")],
        )

    def notes(self, ctx):
        return _child_keys_hashed(ctx)


class BirthCounts(Kind):
    name = "birth-counts"
    table = "birth_counts"
    key = ("area_type", "area_code", "month")
    columns = ("area_type", "area_code", "month", "births", "received_on")
    updates = True   # a later count for the same month is a revision (late registrations)

    def prepare(self, ctx):
        _received_on_default(ctx)

    def compared(self, ctx):
        # A count that has not changed keeps the date it first arrived ...
        return ("births",)

    def refreshed(self, ctx):
        # ... and a revised count carries the date the revision arrived.
        return ("births", "received_on")

    def check(self, ctx):
        f = ctx.fields
        lsoa, centre = f.raw("lsoa_code"), f.raw("centre_id")
        areas = " or ".join(f.label(name) for name in ("lsoa_code", "centre_id") if f.resolved.has(name))
        no_area = f"{areas} is missing (expected the area the births are counted in)"
        area_fault = f"""CASE WHEN {lsoa} IS NOT NULL THEN {f.code_fault('lsoa_code', required=False)}
                              WHEN {centre} IS NULL THEN {sql_text(no_area)} END"""
        outside = "NULL"
        source = "raw_rows r"
        if f.resolved.has("lsoa_code"):
            source = "raw_rows r LEFT JOIN reach_areas ra ON ra.lsoa_code = upper(r.lsoa_code)"
            outside = f"""CASE WHEN $reach_loaded AND ({f.code('lsoa_code')}) IS NOT NULL AND ra.lsoa_code IS NULL
                               THEN 'LSOA ' || upper({lsoa}) || ' is outside every reach area' END"""
        received = (f"CASE WHEN {f.raw('received_on')} IS NULL THEN $received_default::DATE "
                    f"ELSE {f.date('received_on')} END")
        return CheckQuery(
            values={
                "area_type": f"CASE WHEN {lsoa} IS NOT NULL THEN 'lsoa' WHEN {centre} IS NOT NULL THEN 'centre' END",
                "area_code": f"CASE WHEN {lsoa} IS NOT NULL THEN {f.code('lsoa_code')} ELSE {centre} END",
                "month": f.month("month"),
                "births": f.count("births"),
                "received_on": received,
            },
            faults=[area_fault, outside, f.month_fault("month"), f.count_fault("births"),
                    f.date_fault("received_on", required=False)],
            source=source,
        )


class Centres(Kind):
    name = "centres"
    table = "centres"
    key = ("centre_id",)
    columns = ("centre_id", "name", "la_code", "group_id", "lsoa_code", "lon", "lat")
    updates = True   # a centre whose details changed is updated

    def compared(self, ctx):
        # A column the file does not have leaves the stored value as it is.
        has = ctx.resolved.has
        kept = {"la_code": has("la_code"), "group_id": has("group_id"),
                "lsoa_code": has("postcode"),
                "lon": has("postcode") or has("lon"), "lat": has("postcode") or has("lat")}
        return tuple(column for column in self.columns[1:] if kept.get(column, True))

    def check(self, ctx):
        f = ctx.fields
        has_postcode = f.resolved.has("postcode")
        source = "raw_rows r LEFT JOIN postcodes p ON p.postcode = r._postcode" if has_postcode else "raw_rows r"
        from_file = f"({f.decimal('lon')} IS NOT NULL AND {f.decimal('lat')} IS NOT NULL)"

        def position(name: str) -> str:
            fallback = f"p.{name}" if has_postcode else "NULL::DOUBLE"
            return f"CASE WHEN {from_file} THEN {f.decimal(name)} ELSE {fallback} END"

        lon, lat = f.raw("lon"), f.raw("lat")
        pair_fault = f"""CASE WHEN ({lon} IS NULL) <> ({lat} IS NULL)
            THEN {sql_text(f"{f.label('lon')} and {f.label('lat')} must be given together")} END"""
        return CheckQuery(
            values={
                "centre_id": f.text("centre_id"),
                "name": f.text("name"),
                "la_code": f.la_code("la_code"),
                "group_id": f.text("group_id"),
                "lsoa_code": "p.lsoa_code" if has_postcode else "NULL::VARCHAR",
                "lon": position("lon"),
                "lat": position("lat"),
            },
            faults=[f.missing("centre_id", "the centre's identifier, e.g. its DfE URN"),
                    f.missing("name", "the centre's name"), f.la_code_fault("la_code"),
                    f.degrees_fault("lon", 180), f.degrees_fault("lat", 90), pair_fault],
            source=source,
        )

    def notes(self, ctx):
        if not ctx.resolved.has("postcode") or not ctx.params["postcodes_loaded"]:
            return []
        unplaced = ctx.codes(f"""SELECT c.centre_id FROM {CHECKED} c JOIN raw_rows r USING (_row)
                                 WHERE c._reason IS NULL AND r._postcode IS NOT NULL AND c.lsoa_code IS NULL
                                 ORDER BY c.centre_id""")
        if not unplaced:
            return []
        return [f"{count_of(len(unplaced), 'centre')} had a postcode that is not in the postcode "
                f"lookup, so the LSOA of the building is unknown: {_named(unplaced)}."]


class ReachAreas(Kind):
    name = "reach-areas"
    table = "reach_areas"
    key = ("lsoa_code",)
    columns = ("lsoa_code", "centre_id")
    file_key = ("lsoa_code", "centre_id")

    def updates_rows(self, ctx):
        return ctx.replace

    def check(self, ctx):
        f = ctx.fields
        return CheckQuery(
            values={"lsoa_code": f.code("lsoa_code"), "centre_id": f.text("centre_id")},
            faults=[f.code_fault("lsoa_code", required=True),
                    f.missing("centre_id", "the centre whose reach area the LSOA is in")],
        )

    def after_duplicates(self, ctx):
        # A second claim in the file names the first; the first claim stands.
        ctx.run(f"""
            UPDATE {CHECKED} SET _reason = 'LSOA ' || {CHECKED}.lsoa_code || ' is claimed by both centre '
                || {redact_sql('first.centre_id')} || ' (row ' || first._row || ') and centre '
                || {redact_sql(f'{CHECKED}.centre_id')}
            FROM (SELECT lsoa_code, arg_min(centre_id, _row) AS centre_id, min(_row) AS _row
                  FROM {CHECKED} WHERE _reason IS NULL GROUP BY lsoa_code) first
            WHERE {CHECKED}._reason IS NULL AND {CHECKED}.lsoa_code = first.lsoa_code
              AND {CHECKED}.centre_id <> first.centre_id""")
        if not ctx.replace:
            ctx.run(f"""
                UPDATE {CHECKED} SET _reason = 'LSOA ' || {CHECKED}.lsoa_code || ' is claimed by both centre '
                    || {redact_sql('stored.centre_id')} || ' (already loaded) and centre '
                    || {redact_sql(f'{CHECKED}.centre_id')}
                    || '; to redraw the reach areas, import the whole file as a replacement'
                FROM reach_areas stored
                WHERE {CHECKED}._reason IS NULL AND stored.lsoa_code = {CHECKED}.lsoa_code
                  AND stored.centre_id <> {CHECKED}.centre_id""")

    def remove_missing(self, ctx):
        if not ctx.replace:
            return 0
        return ctx.scalar(f"""
            WITH gone AS (DELETE FROM reach_areas
                          WHERE lsoa_code NOT IN (SELECT lsoa_code FROM {LOADABLE}) RETURNING 1)
            SELECT count(*) FROM gone""")

    def notes(self, ctx):
        notes = []
        if ctx.params.get("removed"):
            removed = ctx.params["removed"]
            notes.append(f"{count_of(removed, 'LSOA')} no longer in this file {_were(removed)} "
                         "taken out of the reach areas.")
        return notes + _unknown_centres(ctx, "The reach areas")


_SEXES = {"persons": ("persons", "all persons", "all", "total"),
          "males": ("males", "male", "m"),
          "females": ("females", "female", "f")}


class Population(Kind):
    name = "population"
    table = "population"
    key = ("lsoa_code", "period")
    columns = ("lsoa_code", "period", "children_0_4")
    updates = True   # a revised estimate for the same date replaces the old one

    def _layout(self, ctx) -> str:
        return ctx.resolved.layout.marker or "children_0_4"

    def duplicate_key(self, ctx):
        if self._layout(ctx) == "age_0":
            return ("lsoa_code", "period", "sex")
        return self.key

    def check(self, ctx):
        f = ctx.fields
        layout = self._layout(ctx)
        keep = f"NOT {f.other_nation('lsoa_code')}"
        common = {"lsoa_code": f.code("lsoa_code"), "period": f.period("period")}
        common_faults = [f.code_fault("lsoa_code", required=True), f.period_fault("period")]
        if layout == "age_0":
            ages = [f"age_{age}" for age in range(5)]
            return CheckQuery(
                values={**common, "sex": f.synonym("sex", _SEXES),
                        "children_0_4": " + ".join(f"({f.count(age)})" for age in ages)},
                faults=[*common_faults, f.synonym_fault("sex", _SEXES, "Persons, Males or Females"),
                        *(f.count_fault(age) for age in ages)],
                where=keep,
            )
        if layout == "indicator":
            return CheckQuery(
                values={**common, "children_0_4": f.count("value")},
                faults=[*common_faults, f.count_fault("value")],
                where=f"{keep} AND lower({f.raw('indicator')}) = 'aged 4 years and under'",
            )
        return CheckQuery(values={**common, "children_0_4": f.count("children_0_4")},
                          faults=[*common_faults, f.count_fault("children_0_4")], where=keep)

    def after_duplicates(self, ctx):
        if self._layout(ctx) != "age_0":
            return
        # Without a Persons row an area's total is Males + Females, so both must be there.
        ctx.run(f"""
            CREATE TEMP TABLE lonely AS
            SELECT c._row, c.sex FROM {CHECKED} c
            WHERE c._reason IS NULL AND c.sex IN ('males', 'females')
              AND NOT EXISTS (SELECT 1 FROM {CHECKED} p WHERE p.sex = 'persons'
                              AND p.lsoa_code = c.lsoa_code AND p.period = c.period)
              AND (SELECT count(*) FROM {CHECKED} o WHERE o._reason IS NULL AND o.sex IN ('males', 'females')
                   AND o.lsoa_code = c.lsoa_code AND o.period = c.period) < 2""")
        ctx.run(f"""
            UPDATE {CHECKED} SET _reason = 'no Persons row for this area and date, and no '
                || CASE WHEN lonely.sex = 'males' THEN 'Females' ELSE 'Males' END
                || ' row to add to this one, so the number of children is unknown'
            FROM lonely WHERE {CHECKED}._row = lonely._row""")

    def loadable(self, ctx):
        if self._layout(ctx) != "age_0":
            return super().loadable(ctx)
        return f"""
            SELECT lsoa_code, period, children_0_4 FROM {CHECKED}
            WHERE _reason IS NULL AND sex = 'persons'
            UNION ALL
            SELECT lsoa_code, period, sum(children_0_4)::INTEGER FROM {CHECKED} c
            WHERE _reason IS NULL AND sex IN ('males', 'females')
              AND NOT EXISTS (SELECT 1 FROM {CHECKED} p WHERE p.sex = 'persons'
                              AND p.lsoa_code = c.lsoa_code AND p.period = c.period)
            GROUP BY lsoa_code, period"""

    def notes(self, ctx):
        notes = []
        layout = self._layout(ctx)
        if layout == "age_0":
            by_sex = ctx.scalar(f"""SELECT count(*) FROM {CHECKED} c WHERE _reason IS NULL
                AND sex IN ('males', 'females')
                AND NOT EXISTS (SELECT 1 FROM {CHECKED} p WHERE p.sex = 'persons'
                                AND p.lsoa_code = c.lsoa_code AND p.period = c.period)""") // 2
            unused = ctx.scalar(f"""SELECT count(*) FROM {CHECKED} c WHERE _reason IS NULL
                AND sex IN ('males', 'females')
                AND EXISTS (SELECT 1 FROM {CHECKED} p WHERE p.sex = 'persons'
                            AND p.lsoa_code = c.lsoa_code AND p.period = c.period)""")
            notes.append("Children aged 0 to 4 are the sum of the columns 0 to 4 of the Persons rows"
                         + (f"; {count_of(by_sex, 'area')} had no Persons row and took Males + Females"
                            if by_sex else "") + ".")
            if unused:
                notes.append(f"{count_of(unused, 'Males or Females row', 'Males and Females rows')} "
                             f"{_were(unused)} not needed, as their areas have Persons rows.")
        skipped = _skipped(ctx)
        if skipped and layout == "indicator":
            notes.append(f"{count_of(skipped, 'row')} of other age bands, or outside England, "
                         f"{_were(skipped)} skipped.")
        elif skipped:
            notes.append(f"{count_of(skipped, 'row')} for areas outside England {_were(skipped)} skipped.")
        return notes


class Postcodes(Kind):
    name = "postcodes"
    table = "postcodes"
    key = ("postcode",)
    columns = ("postcode", "lsoa_code", "lon", "lat")
    updates = True   # a newer directory may move a postcode

    def check(self, ctx):
        f = ctx.fields
        lon, lat = f.decimal("lon"), f.decimal("lat")
        # The ONS directory marks "no grid reference" with latitude 99.999999: no position.
        placed = f"(abs({lat}) <= 90 AND abs({lon}) <= 180)"
        postcode = f.label("postcode")
        return CheckQuery(
            values={"postcode": "r._postcode", "lsoa_code": f.code("lsoa_code"),
                    "lon": f"CASE WHEN {placed} THEN {lon} END",
                    "lat": f"CASE WHEN {placed} THEN {lat} END"},
            faults=[f"""CASE WHEN r._postcode IS NULL THEN {sql_text(f'{postcode} is missing (expected a postcode)')}
                             WHEN NOT regexp_full_match(r._postcode, '{POSTCODE}')
                             THEN {sql_text(f'{postcode} is not a valid postcode')} END""",
                    f.code_fault("lsoa_code", required=True),
                    f.decimal_fault("lon"), f.decimal_fault("lat")],
            where=f"{f.raw('lsoa_code')} IS NOT NULL AND NOT {f.other_nation('lsoa_code')}",
        )

    def notes(self, ctx):
        skipped = _skipped(ctx)
        if not skipped:
            return []
        return [f"{count_of(skipped, 'postcode')} with no LSOA, or in Wales, Scotland or Northern "
                f"Ireland, {_were(skipped)} skipped."]


class LsoaLookup(Kind):
    name = "lsoa-lookup"
    table = "lsoa_lookup"
    key = ("lsoa11cd", "lsoa21cd")
    columns = key

    def check(self, ctx):
        f = ctx.fields
        return CheckQuery(
            values={"lsoa11cd": f.code("lsoa11cd"), "lsoa21cd": f.code("lsoa21cd")},
            faults=[f.code_fault("lsoa11cd", required=True), f.code_fault("lsoa21cd", required=True)],
            where=f"NOT ({f.other_nation('lsoa11cd')} AND {f.other_nation('lsoa21cd')})",
        )

    def notes(self, ctx):
        skipped = _skipped(ctx)
        return [f"{count_of(skipped, 'row')} for Wales {_were(skipped)} skipped."] if skipped else []


class Deprivation(Kind):
    name = "deprivation"
    table = "deprivation"
    key = ("lsoa_code", "edition")
    columns = ("lsoa_code", "edition", "idaci_decile", "source_code")
    updates = True   # a corrected decile, or a new mapping, replaces the old

    def _long(self, ctx) -> bool:
        return ctx.resolved.layout.marker == "index_domain"

    def check(self, ctx):
        f = ctx.fields
        if self._long(ctx):
            decile, edition = "decile", f.year("year")
            edition_faults = [f.year_fault("year", required=True)]
            domain = f"lower({f.raw('index_domain')})"
            where = f"({domain} = '{_IDACI}' OR {domain} LIKE '%idaci%')"
        else:
            decile = "idaci_decile"
            edition = (f"CASE WHEN {f.raw('edition')} IS NOT NULL THEN {f.year('edition')} "
                       f"WHEN {f.raw('year')} IS NOT NULL THEN {f.year('year')} ELSE 0 END")
            edition_faults = [f.year_fault("edition", required=False), f.year_fault("year", required=False)]
            where = "true"
        return CheckQuery(
            values={"lsoa_code": f.code("lsoa_code"), "edition": edition,
                    "idaci_decile": f.count(decile)},
            faults=[f.code_fault("lsoa_code", required=True), f.decile_fault(decile), *edition_faults],
            where=where,
        )

    def loadable(self, ctx):
        ctx.run(f"""CREATE TEMP TABLE latest AS
                    SELECT lsoa_code, edition, idaci_decile FROM {CHECKED}
                    WHERE _reason IS NULL
                      AND edition = (SELECT max(edition) FROM {CHECKED} WHERE _reason IS NULL)""")
        ctx.run("""CREATE TEMP TABLE known_lsoas AS
                   SELECT lsoa_code FROM lsoas UNION SELECT lsoa_code FROM population
                   UNION SELECT lsoa_code FROM reach_areas""")
        ctx.params["knows_lsoas"] = bool(ctx.scalar("SELECT count(*) FROM known_lsoas"))
        def known(column: str) -> str:
            if not ctx.params["knows_lsoas"]:
                return "true"
            return f"{column} IN (SELECT lsoa_code FROM known_lsoas)"

        ctx.run(f"""CREATE TEMP TABLE direct AS
                    SELECT lsoa_code, edition, idaci_decile, NULL::VARCHAR AS source_code
                    FROM latest WHERE {known('lsoa_code')}""")
        # A 2021 LSOA with no value of its own takes its 2011 parent's; where it has several
        # parents (a merge), the most deprived, so no deprived family is missed.
        ctx.run(f"""CREATE TEMP TABLE mapped AS
                    SELECT l.lsoa21cd AS lsoa_code, d.edition, min(d.idaci_decile) AS idaci_decile,
                           arg_min(d.lsoa_code, d.idaci_decile) AS source_code
                    FROM latest d JOIN lsoa_lookup l ON l.lsoa11cd = d.lsoa_code
                    WHERE l.lsoa21cd NOT IN (SELECT lsoa_code FROM latest)
                      AND {known('l.lsoa21cd')}
                    GROUP BY l.lsoa21cd, d.edition""")
        return "SELECT * FROM direct UNION ALL SELECT * FROM mapped"

    def notes(self, ctx):
        notes = []
        editions = ctx.codes(f"SELECT DISTINCT edition FROM {CHECKED} WHERE _reason IS NULL ORDER BY edition")
        if len(editions) > 1:
            older = ctx.scalar(f"""SELECT count(*) FROM {CHECKED} WHERE _reason IS NULL
                                   AND edition <> {int(editions[-1])}""")
            notes.append(f"Only the latest edition, {editions[-1]}, was taken; {count_of(older, 'row')} "
                         f"of {', '.join(str(e) for e in editions[:-1])} {_were(older)} skipped.")
        skipped = _skipped(ctx)
        if skipped:
            notes.append(f"{count_of(skipped, 'row')} of other indices {_were(skipped)} skipped "
                         "(only Income Deprivation Affecting Children is used).")
        if not ctx.params["knows_lsoas"]:
            notes.append("No 2021 LSOAs are known yet (from boundaries, population or reach areas), "
                         "so the file's codes were kept as they are.")
        else:
            codes = ctx.scalar("SELECT count(*) FROM latest")
            unmatched = ctx.codes("""SELECT lsoa_code FROM latest
                                     WHERE lsoa_code NOT IN (SELECT lsoa_code FROM known_lsoas)
                                     ORDER BY lsoa_code""")
            sentence = f"{codes - len(unmatched):,} of the file's {count_of(codes, 'LSOA code')} are 2021 LSOAs known here"
            if unmatched:
                sentence += (f"; {count_of(len(unmatched), 'code')} matched no known 2021 LSOA: "
                             f"{_named(unmatched)}")
            notes.append(sentence + ".")
        mapped = ctx.codes("SELECT lsoa_code FROM mapped ORDER BY lsoa_code")
        if mapped:
            notes.append(f"{count_of(len(mapped), '2021 LSOA')} took the decile of their 2011 parent "
                         f"through the LSOA lookup (the most deprived parent where there are "
                         f"several): {_named(mapped)}.")
        if ctx.scalar("SELECT count(*) FROM reach_areas"):
            missing = ctx.codes("""SELECT lsoa_code FROM reach_areas
                                    WHERE lsoa_code NOT IN (SELECT lsoa_code FROM deprivation
                                                            WHERE edition = (SELECT max(edition) FROM latest))
                                    ORDER BY lsoa_code""")
            if missing:
                notes.append(f"{count_of(len(missing), 'LSOA')} in reach areas still "
                             f"{'has' if len(missing) == 1 else 'have'} no IDACI decile: {_named(missing)}.")
            else:
                notes.append("Every LSOA in the reach areas has an IDACI decile.")
        else:
            notes.append("No reach areas are loaded yet, so none can be checked for a decile.")
        return notes


class Boundaries(Kind):
    name = "boundaries"
    table = "lsoas"
    key = ("lsoa_code",)
    columns = ("lsoa_code", "lsoa_name", "geometry")
    updates = True   # redrawn or renamed areas replace the old

    def check(self, ctx):
        f = ctx.fields
        return CheckQuery(
            values={"lsoa_code": f.code("lsoa_code"), "lsoa_name": f.text("lsoa_name"),
                    "geometry": "r._geometry"},
            # The geo package checked codes, shapes and repeats; its reasons come as they are,
            # less anything in a quoted code that looks personal.
            faults=[redact_sql("r._geo_reason")],
            where=f"NOT {f.other_nation('lsoa_code')}",
        )

    def notes(self, ctx):
        skipped = _skipped(ctx)
        return [f"{count_of(skipped, 'area')} in Wales {_were(skipped)} skipped."] if skipped else []


KIND_CHECKS: dict[str, Kind] = {
    kind.name: kind
    for kind in (Centres(), ReachAreas(), Boundaries(), Population(), Births(), BirthCounts(),
                 Registrations(), Contacts(), Postcodes(), Deprivation(), LsoaLookup())
}
