"""The reference files: where things are. Centres, the reach areas that give each centre its
LSOAs, LSOA boundaries, the postcode lookup that places a postcode in its LSOA, and the ONS
lookup from 2011 to 2021 LSOAs."""

from __future__ import annotations

from data.importers.checks import POSTCODE, CheckQuery, sql_text
from data.importers.kinds.base import CHECKED, LOADABLE, Kind
from data.importers.layouts import is_2011_heading
from data.importers.kinds.notes import count_of, named, skipped_rows, unknown_centres, were
from data.importers.pseudonymise import redact_sql


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
                f"lookup, so the LSOA of the building is unknown: {named(unplaced)}."]


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
            notes.append(f"{count_of(removed, 'LSOA')} no longer in this file {were(removed)} "
                         "taken out of the reach areas.")
        return notes + unknown_centres(ctx, "The reach areas")


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
        skipped = skipped_rows(ctx)
        return [f"{count_of(skipped, 'area')} in Wales {were(skipped)} skipped."] if skipped else []


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

    def after_duplicates(self, ctx):
        """A lookup keyed on 2011 LSOAs (a council's older lookup: `LSOA11CD`) is placed on the
        2021 LSOAs through the ONS lookup: a postcode whose 2011 LSOA became one 2021 LSOA
        (unchanged, or merged) moves to it; one whose LSOA was split cannot be placed on one
        of the parts, and is quarantined saying so."""
        ctx.params["from_2011"] = is_2011_heading(ctx.resolved.label("lsoa_code"))
        ctx.params["lookup_loaded"] = bool(ctx.scalar("SELECT count(*) FROM lsoa_lookup"))
        if not (ctx.params["from_2011"] and ctx.params["lookup_loaded"]):
            return
        ctx.run("""CREATE TEMP TABLE successors AS
                   SELECT lsoa11cd, min(lsoa21cd) AS lsoa21cd, count(*) AS parts
                   FROM lsoa_lookup GROUP BY lsoa11cd""")
        ctx.params["moved"] = ctx.scalar(f"""SELECT count(*) FROM {CHECKED} c JOIN successors s
            ON s.lsoa11cd = c.lsoa_code WHERE c._reason IS NULL AND s.parts = 1 AND s.lsoa21cd <> c.lsoa_code""")
        ctx.run(f"""UPDATE {CHECKED} SET _reason = 'the 2011 LSOA ' || s.lsoa11cd || ' was split into '
                        || s.parts || ' LSOAs in 2021, so this postcode cannot be placed on one of them; '
                        || 'load a postcode lookup with 2021 LSOAs (the ONS Postcode Directory has them)'
                    FROM successors s
                    WHERE {CHECKED}._reason IS NULL AND {CHECKED}.lsoa_code = s.lsoa11cd AND s.parts > 1""")
        ctx.run(f"""UPDATE {CHECKED} SET lsoa_code = s.lsoa21cd FROM successors s
                    WHERE {CHECKED}._reason IS NULL AND {CHECKED}.lsoa_code = s.lsoa11cd AND s.parts = 1""")

    def notes(self, ctx):
        notes = []
        skipped = skipped_rows(ctx)
        if skipped:
            notes.append(f"{count_of(skipped, 'postcode')} with no LSOA, or in Wales, Scotland or Northern "
                         f"Ireland, {were(skipped)} skipped.")
        if ctx.params.get("from_2011") and not ctx.params.get("lookup_loaded"):
            notes.append("The file gives 2011 LSOAs and no LSOA 2011 to 2021 lookup is loaded, so they were "
                         "kept as they are; load the ONS lookup (kind lsoa-lookup) and import this file again "
                         "to place them on the 2021 LSOAs of the boundaries.")
        elif ctx.params.get("from_2011"):
            notes.append(f"The file gives 2011 LSOAs: {count_of(ctx.params.get('moved', 0), 'postcode')} "
                         "moved to the 2021 LSOA that replaced theirs; those whose LSOA was split in 2021 are "
                         "in the quarantine.")
        return notes


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
        skipped = skipped_rows(ctx)
        return [f"{count_of(skipped, 'row')} for Wales {were(skipped)} skipped."] if skipped else []
