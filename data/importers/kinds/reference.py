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
    columns = ("centre_id", "name", "la_code", "group_id", "lsoa_code", "lon", "lat", "site_type")
    updates = True   # a centre whose details changed is updated

    def compared(self, ctx):
        # A column the file does not have leaves the stored value as it is.
        has = ctx.resolved.has
        grid = has("easting") and has("northing")
        kept = {"la_code": has("la_code") or has("gss_la_code"), "group_id": has("group_id"),
                "lsoa_code": has("postcode"),
                "lon": has("postcode") or has("lon") or grid, "lat": has("postcode") or has("lat") or grid,
                "site_type": has("site_type") or has("establishment_type")}
        return tuple(column for column in self.columns[1:] if kept.get(column, True))

    def prepare(self, ctx):
        # The DfE register places a site by its Easting and Northing (British National Grid):
        # turned into degrees here, once, for the check to use where the file gives no lon/lat.
        if ctx.resolved.has("easting") and ctx.resolved.has("northing"):
            _grid_points(ctx)

    def check(self, ctx):
        f = ctx.fields
        has_postcode = f.resolved.has("postcode")
        grid = f.resolved.has("easting") and f.resolved.has("northing")
        source = "raw_rows r"
        if has_postcode:
            source += " LEFT JOIN postcodes p ON p.postcode = r._postcode"
        if grid:
            source += f" LEFT JOIN {_GRID_POINTS} g ON g._row = r._row"
        from_file = f"({f.decimal('lon')} IS NOT NULL AND {f.decimal('lat')} IS NOT NULL)"

        def position(name: str) -> str:
            fallback = f"p.{name}" if has_postcode else "NULL::DOUBLE"
            if grid:
                fallback = f"coalesce(g.{name}, {fallback})"
            return f"CASE WHEN {from_file} THEN {f.decimal(name)} ELSE {fallback} END"

        lon, lat = f.raw("lon"), f.raw("lat")
        pair_fault = f"""CASE WHEN ({lon} IS NULL) <> ({lat} IS NULL)
            THEN {sql_text(f"{f.label('lon')} and {f.label('lat')} must be given together")} END"""
        register = f.resolved.has("establishment_type")
        if register:
            # The DfE register's "LA (code)" is the old three-digit number: the nine-character
            # code is taken where the file gives one (GSSLACode), and neither is a fault.
            la_code = f"coalesce({f.la_code('gss_la_code')}, {f.la_code('la_code')})"
            la_fault = "NULL"
        else:
            la_code, la_fault = f.la_code("la_code"), f.la_code_fault("la_code")
        kind_of_site = _site_type(f.raw("establishment_type") if register else f.raw("site_type"))
        type_fault = f"""CASE WHEN {f.raw('site_type')} IS NOT NULL AND {kind_of_site} IS NULL
            THEN {sql_text(f"{f.label('site_type')} must be family hub or children's centre")} END"""
        return CheckQuery(
            values={
                "centre_id": f.text("centre_id"),
                "name": f.text("name"),
                "la_code": la_code,
                "group_id": f.text("group_id"),
                "lsoa_code": "p.lsoa_code" if has_postcode else "NULL::VARCHAR",
                "lon": position("lon"),
                "lat": position("lat"),
                "site_type": kind_of_site,
            },
            faults=[f.missing("centre_id", "the centre's identifier, e.g. its DfE URN"),
                    f.missing("name", "the centre's name"), la_fault,
                    f.degrees_fault("lon", 180), f.degrees_fault("lat", 90), pair_fault,
                    "NULL" if register else type_fault],
            source=source,
            # From the register, only open family hubs and children's centres are sites: closed
            # establishments and schools are passed over (counted in the notes), not set aside.
            where=f"{kind_of_site} IS NOT NULL AND {_closed(f)} IS NOT TRUE" if register else "true",
        )

    def notes(self, ctx):
        notes = []
        if ctx.resolved.has("establishment_type"):
            notes += _register_notes(ctx)
        if not ctx.resolved.has("postcode") or not ctx.params["postcodes_loaded"]:
            return notes
        unplaced = ctx.codes(f"""SELECT c.centre_id FROM {CHECKED} c JOIN raw_rows r USING (_row)
                                 WHERE c._reason IS NULL AND r._postcode IS NOT NULL AND c.lsoa_code IS NULL
                                 ORDER BY c.centre_id""")
        if not unplaced:
            return notes
        return [*notes, f"{count_of(len(unplaced), 'centre')} had a postcode that is not in the postcode "
                        f"lookup, so the LSOA of the building is unknown: {named(unplaced)}."]


_GRID_POINTS = "grid_points"


def _grid_points(ctx) -> None:
    """The table `grid_points` (_row, lon, lat): each row's Easting and Northing (EPSG:27700) in
    WGS84 degrees; NULL where either is missing, not a number, or off the National Grid."""
    import math

    from pyproj import Transformer

    rows = ctx.run("""SELECT _row, try_cast(easting AS DOUBLE), try_cast(northing AS DOUBLE)
                      FROM raw_rows""").fetchall()
    to_degrees = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    points = []
    for row, easting, northing in rows:
        lon = lat = None
        if (easting is not None and northing is not None and 0 <= easting <= 700_000
                and 0 <= northing <= 1_300_000):
            x, y = to_degrees.transform(easting, northing)
            if math.isfinite(x) and math.isfinite(y):
                lon, lat = round(x, 6), round(y, 6)
        points.append((row, lon, lat))
    ctx.run(f"CREATE OR REPLACE TEMP TABLE {_GRID_POINTS} (_row BIGINT, lon DOUBLE, lat DOUBLE)")
    if points:
        ctx.con.executemany(f"INSERT INTO {_GRID_POINTS} VALUES (?, ?, ?)", points)


def _site_type(raw: str) -> str:
    """'family hub' or "children's centre" (a linked site of a centre included), else NULL."""
    text = f"lower({raw})"
    return f"""CASE WHEN {text} LIKE '%family hub%' THEN 'family hub'
                    WHEN {text} LIKE '%children%centre%' THEN {sql_text("children's centre")} END"""


def _closed(f) -> str:
    return f"(lower({f.raw('establishment_status')}) LIKE 'closed%')"


def _register_notes(ctx) -> list[str]:
    """What was passed over in the DfE register: closed sites, and establishments of other types."""
    f = ctx.fields
    kind_of_site = _site_type(f.raw("establishment_type"))
    closed, other = ctx.run(f"""SELECT count(*) FILTER (WHERE {kind_of_site} IS NOT NULL AND {_closed(f)}),
                                       count(*) FILTER (WHERE {kind_of_site} IS NULL)
                                FROM raw_rows r""").fetchone()
    notes = []
    if closed:
        sites = count_of(closed, "closed family hub or children's centre",
                         "closed family hubs or children's centres")
        notes.append(f"{sites} in the register {were(closed)} passed over.")
    if other:
        notes.append(f"{count_of(other, 'establishment')} of other types (schools and others) "
                     f"{were(other)} passed over.")
    return notes


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
    columns = ("lsoa_code", "lsoa_name", "geometry", "pwc_lon", "pwc_lat")
    updates = True   # redrawn or renamed areas replace the old

    def compared(self, ctx):
        # A file with no population-weighted centroid leaves the stored one as it is.
        has_centroid = ctx.resolved.has("pwc_lon") and ctx.resolved.has("pwc_lat")
        return ("lsoa_name", "geometry") + (("pwc_lon", "pwc_lat") if has_centroid else ())

    def check(self, ctx):
        f = ctx.fields
        lon, lat = f.raw("pwc_lon"), f.raw("pwc_lat")
        pair_fault = f"""CASE WHEN ({lon} IS NULL) <> ({lat} IS NULL)
            THEN {sql_text(f"{f.label('pwc_lon')} and {f.label('pwc_lat')} must be given together")} END"""
        return CheckQuery(
            values={"lsoa_code": f.code("lsoa_code"), "lsoa_name": f.text("lsoa_name"),
                    "geometry": "r._geometry", "pwc_lon": f.decimal("pwc_lon"), "pwc_lat": f.decimal("pwc_lat")},
            # The geo package checked codes, shapes and repeats; its reasons come as they are,
            # less anything in a quoted code that looks personal. A centroid must be in degrees
            # (grid metres are refused, not reprojected: a column named for longitude holds degrees).
            faults=[redact_sql("r._geo_reason"), f.degrees_fault("pwc_lon", 180), f.degrees_fault("pwc_lat", 90),
                    pair_fault],
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
