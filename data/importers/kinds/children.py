"""The files about children: birth records and birth counts from health, and the centres'
registrations and contacts.

Births, registrations and contacts carry people's identifiers, pseudonymised as they are read
(see `reading.py`); they share how a child's key is taken, where the child lives (an LSOA code,
or a postcode placed through the lookup) and the checks on a date of birth. Birth counts carry
no one's identity, but arrive from health beside the birth records and are dated the same way.
"""

from __future__ import annotations

from data.importers.checks import NOT_FOUND, POSTCODE, CheckQuery, Fields, Lookup, sql_text
from data.importers.kinds.base import LOADABLE, Context, Kind
from data.importers.kinds.notes import count_of, unknown_centres, were
from data.importers.layouts import FLAG_COLUMNS

# -- what the kinds below share ---------------------------------------------------------------


def _child_key(f: Fields) -> tuple[str, str]:
    """The child's key: `child_key` as it is (or hashed, where it is an NHS number), else the
    keyed hash of the NHS number."""
    if f.resolved.has("child_key"):
        missing = f.missing("child_key", "the child's pseudonymised key")
        return "r._child_key", f"coalesce({missing}, r._child_fault)"
    return "r._nhs_key", "r._nhs_fault"


def child_keys_hashed(ctx: Context) -> list[str]:
    """A note on child keys that were NHS numbers, and were pseudonymised as such."""
    if not ctx.resolved.has("child_key"):
        return []
    hashed = ctx.scalar("SELECT count(*) FROM raw_rows WHERE _child_nhs IS NOT NULL")
    if not hashed:
        return []
    numbers = "an NHS number" if hashed == 1 else "NHS numbers"
    return [f"{count_of(hashed, 'child key')} {were(hashed)} {numbers} and {were(hashed)} "
            "pseudonymised, so they link to the same children loaded by NHS number."]


def residence_checks(f: Fields) -> tuple[str, list[str], Lookup | None]:
    """(value, faults, lookup): the LSOA where the child lives, from `lsoa_code` or else the
    postcode, placed through the `postcodes` table (the lookup); the faults go in a check's list
    of faults where the residence is checked.

    Each row uses its `lsoa_code` where it has one, else its postcode."""
    code = f.code("lsoa_code")
    if not f.resolved.has("postcode"):
        return code, [f.code_fault("lsoa_code", required=True)], None
    postcode = f.label("postcode")
    missing = f"{postcode} is missing (expected where the child lives)"
    if f.resolved.has("lsoa_code"):
        missing = (f"{f.label('lsoa_code')} and {postcode} are both missing "
                   "(expected where the child lives)")
    no_lookup = (f"{postcode} cannot be placed: no postcode lookup has been loaded yet "
                 "(import the postcodes file first)")
    fault = f"""CASE WHEN {f.raw('lsoa_code')} IS NOT NULL THEN {f.code_fault('lsoa_code', required=False)}
                     WHEN r._postcode IS NULL THEN {sql_text(missing)}
                     WHEN NOT $postcodes_loaded THEN {sql_text(no_lookup)} END"""

    def not_found(key: str) -> str:
        # The district (the part before the space) helps find the fault without keeping the postcode.
        district = f"""CASE WHEN regexp_full_match({key}, '{POSTCODE}')
            THEN 'in district "' || left({key}, length({key}) - 3) || '" ' ELSE '' END"""
        return f"{sql_text(postcode + ' ')} || {district} || 'is not in the postcode lookup'"

    lookup = Lookup(column="lsoa_code", table="postcodes", match="postcode", found="lsoa_code",
                    key=f"CASE WHEN {f.raw('lsoa_code')} IS NULL AND $postcodes_loaded THEN r._postcode END",
                    not_found=not_found)
    return code, [fault, NOT_FOUND], lookup


def _received_on_default(ctx: Context) -> None:
    """The date for rows without their own `received_on`: the one given for the file, else the
    date this same file was first imported (so a second load changes nothing), else today.
    (`_received_on_note` says, once the rows are read, how many rows took it.)"""
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
    ctx.received_how = how


def _received_on_note(ctx: Context) -> None:
    """How many rows had no `received_on`, and so took the date `_received_on_default` chose."""
    without = ctx.scalar(f"SELECT count(*) FROM raw_rows r WHERE {ctx.fields.raw('received_on')} IS NULL")
    if without:
        ctx.received_on_used = ctx.params["received_default"]
        if ctx.received_how:
            ctx.notes.append(f"{count_of(without, 'row')} had no received_on, so {ctx.received_how}.")


def _received_on(f: Fields) -> str:
    """A row's own `received_on`, else the default `_received_on_default` chose for the file."""
    return (f"CASE WHEN {f.raw('received_on')} IS NULL THEN $received_default::DATE "
            f"ELSE {f.date('received_on')} END")


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


# -- the kinds ----------------------------------------------------------------------------------


class Births(Kind):
    name = "births"
    table = "births"
    key = ("child_key", "received_on")
    columns = ("child_key", "dob", "lsoa_code", "received_on", "event", "arrived_on", "sex")
    file_key = ("child_key",)   # the same child twice in one extract
    personal = True
    one_pass = True

    def prepare(self, ctx):
        _received_on_default(ctx)

    def after_check(self, ctx):
        _received_on_note(ctx)

    def check(self, ctx):
        f = ctx.fields
        child, child_fault = _child_key(f)
        residence, residence_faults, lookup = residence_checks(f)
        return CheckQuery(
            values={
                "child_key": child,
                "dob": f.date("dob"),
                "lsoa_code": residence,
                "received_on": _received_on(f),
                "event": f.choice("event", ("birth", "arrival"), "birth"),
                "arrived_on": f.date("arrived_on"),
                "sex": f.text("sex"),
            },
            faults=[child_fault, f.date_fault("dob", required=True), *residence_faults,
                    f.date_fault("received_on", required=False),
                    f.choice_fault("event", ("birth", "arrival")),
                    f.date_fault("arrived_on", required=False), f.personal_fault("sex")],
            cross_faults=[_dob_faults(f, "received_on", f.label("received_on"))],
            lookup=lookup,
        )

    def notes(self, ctx):
        return child_keys_hashed(ctx) + _outside_reach_areas(ctx)


class Registrations(Kind):
    name = "registrations"
    table = "registrations"
    key = ("child_key", "centre_id", "registered_on")
    columns = ("child_key", "dob", "lsoa_code", "centre_id", "registered_on", "family_key",
               *FLAG_COLUMNS)
    personal = True
    one_pass = True

    def check(self, ctx):
        f = ctx.fields
        child, child_fault = _child_key(f)
        residence, residence_faults, lookup = residence_checks(f)
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
            faults=[child_fault, f.date_fault("dob", required=True), *residence_faults,
                    f.missing("centre_id", "the centre the child is registered with"),
                    f.personal_fault("centre_id"),
                    f.date_fault("registered_on", required=True),
                    *(f.flag_fault(flag) for flag in FLAG_COLUMNS)],
            cross_faults=[_dob_faults(f, "registered_on", f.label("registered_on"))],
            lookup=lookup,
        )

    def notes(self, ctx):
        return (child_keys_hashed(ctx) + _outside_reach_areas(ctx)
                + unknown_centres(ctx, "Registrations"))


class Contacts(Kind):
    name = "contacts"
    table = "contacts"
    key = ("child_key", "contact_on", "centre_id", "activity")
    columns = key
    personal = True
    one_pass = True

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
        return child_keys_hashed(ctx)



def count_area(f, *, counted: str) -> tuple[str, str, str]:
    """The checks on the area a row of counts is for (an LSOA code or a centre id), shared by the
    kinds that carry counts: the fault when neither is given or the code is not an LSOA's, the
    fault when the LSOA is outside every reach area, and the rows to read (joined to the reach
    areas where the file has LSOAs). `counted` says what is counted: "the births"."""
    lsoa, centre = f.raw("lsoa_code"), f.raw("centre_id")
    areas = " or ".join(f.label(name) for name in ("lsoa_code", "centre_id") if f.resolved.has(name))
    no_area = f"{areas} is missing (expected the area {counted} are counted in)"
    area_fault = f"""CASE WHEN {lsoa} IS NOT NULL THEN {f.code_fault('lsoa_code', required=False)}
                          WHEN {centre} IS NULL THEN {sql_text(no_area)} END"""
    if not f.resolved.has("lsoa_code"):
        return area_fault, "NULL", "raw_rows r"
    outside = f"""CASE WHEN $reach_loaded AND ({f.code('lsoa_code')}) IS NOT NULL AND ra.lsoa_code IS NULL
                       THEN 'LSOA ' || upper({lsoa}) || ' is outside every reach area' END"""
    return area_fault, outside, "raw_rows r LEFT JOIN reach_areas ra ON ra.lsoa_code = upper(r.lsoa_code)"

class BirthCounts(Kind):
    name = "birth-counts"
    table = "birth_counts"
    key = ("area_type", "area_code", "month")
    columns = ("area_type", "area_code", "month", "births", "received_on")
    updates = True   # a later count for the same month is a revision (late registrations)

    def prepare(self, ctx):
        _received_on_default(ctx)

    def after_check(self, ctx):
        _received_on_note(ctx)

    def compared(self, ctx):
        # A count that has not changed keeps the date it first arrived ...
        return ("births",)

    def refreshed(self, ctx):
        # ... and a revised count carries the date the revision arrived.
        return ("births", "received_on")

    def check(self, ctx):
        f = ctx.fields
        lsoa, centre = f.raw("lsoa_code"), f.raw("centre_id")
        area_fault, outside, source = count_area(f, counted="the births")
        return CheckQuery(
            values={
                "area_type": f"CASE WHEN {lsoa} IS NOT NULL THEN 'lsoa' WHEN {centre} IS NOT NULL THEN 'centre' END",
                "area_code": f"CASE WHEN {lsoa} IS NOT NULL THEN {f.code('lsoa_code')} ELSE {centre} END",
                "month": f.month("month"),
                "births": f.count("births"),
                "received_on": _received_on(f),
            },
            faults=[area_fault, outside, f.month_fault("month"), f.count_fault("births"),
                    f.date_fault("received_on", required=False)],
            source=source,
        )
