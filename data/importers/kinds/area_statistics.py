"""The published statistics for each LSOA: ONS population estimates of the under-fives (the
denominator of reach) and, where a layout gives single years of age, of the under-twos (ages 0
and 1); and the Indices of Deprivation (IDACI, for the target groups and for
comparing like with like). Both come in more than one published layout."""

from __future__ import annotations

import re
from datetime import date

from data.importers.checks import CheckQuery, Fields, sql_text
from data.importers.errors import FileFault
from data.importers.kinds.base import CHECKED, Kind
from data.importers.kinds.notes import count_of, named, skipped_rows, were

_SEXES = {"persons": ("persons", "all persons", "all", "total"),
          "males": ("males", "male", "m"),
          "females": ("females", "female", "f")}

# The ONS layout has a Persons row and a Males and a Females row for each area and date; where
# the Persons row is missing, Males + Females make the total. This says whether the area and
# date of the row `c` in hand has its Persons row.
_HAS_PERSONS_ROW = f"""EXISTS (SELECT 1 FROM {CHECKED} p WHERE p.sex = 'persons'
                               AND p.lsoa_code = c.lsoa_code AND p.period = c.period)"""


def mid_year_in_name(*names: str | None) -> date | None:
    """The estimate's date named by a sheet or file ("Mid-2022 LSOA 2021", "sape_mid_2020.xlsx"):
    30 June of the year after "mid", else of the one year the name holds; None when no name
    says, or one says two years."""
    for name in names:
        if not name:
            continue
        stem = re.sub(r"\.[a-z]+$", "", name.lower())
        mid = re.findall(r"mid[-_ ]?((?:19|20)\d\d)(?!\d)", stem)
        years = set(mid) or set(re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", stem))
        if len(years) == 1:
            return date(int(years.pop()), 6, 30)
    return None


def sex_in_name(name: str | None) -> str:
    """Whether a sheet of the older ONS workbooks ("Mid-2020 Males") holds males, females or both."""
    words = set(re.findall(r"[a-z]+", (name or "").lower()))
    if words & {"males", "male"}:
        return "males"
    if words & {"females", "female"}:
        return "females"
    return "persons"


def _sum_of(f: Fields, names: list[str]) -> str:
    return " + ".join(f"({f.count(name)})" for name in names)


def _under_two_fault(f: Fields) -> str:
    """The long form's optional children_0_1: blank is not known; otherwise a whole number no
    larger than children_0_4 (the children aged 0 and 1 are among those aged 0 to 4)."""
    raw, under_two, under_five = f.raw("children_0_1"), f.count("children_0_1"), f.count("children_0_4")
    more = sql_text(f"{f.label('children_0_1')} is more than {f.label('children_0_4')} "
                    "(the children aged 0 and 1 are among those aged 0 to 4)")
    return f"""CASE WHEN {raw} IS NULL THEN NULL
        ELSE coalesce({f.count_fault('children_0_1')},
                      CASE WHEN ({under_two}) > ({under_five}) THEN {more} END) END"""


class Population(Kind):
    name = "population"
    table = "population"
    key = ("lsoa_code", "period")
    columns = ("lsoa_code", "period", "children_0_4", "children_0_1")
    updates = True   # a revised estimate for the same date replaces the old one

    def _layout(self, ctx) -> str:
        return ctx.resolved.layout.marker or "children_0_4"

    def _gives_under_two(self, ctx) -> bool:
        """Whether the file can say how many children are aged 0 and 1: the single-year layouts,
        and the long form with a children_0_1 column (the Census five-year band cannot)."""
        layout = self._layout(ctx)
        return layout in ("f0", "age_0") or (layout == "children_0_4" and ctx.resolved.has("children_0_1"))

    def compared(self, ctx):
        # A file that cannot give the under-twos leaves a known figure alone while the under-fives
        # are unchanged; a new figure for the under-fives clears it (it was of another estimate).
        if self._gives_under_two(ctx):
            return ("children_0_4", "children_0_1")
        return ("children_0_4",)

    def refreshed(self, ctx):
        return ("children_0_4", "children_0_1")

    def duplicate_key(self, ctx):
        if self._layout(ctx) == "age_0":
            return ("lsoa_code", "period", "sex")
        return self.key

    def _period(self, ctx) -> tuple[str, list[str]]:
        """The estimate's date: its column, else the date the sheet's or the file's name gives
        (the ONS workbooks have none of their own). FileFault when neither says."""
        f = ctx.fields
        if ctx.resolved.has("period"):
            return f.period("period"), [f.period_fault("period")]
        named = mid_year_in_name(ctx.sheet_name, ctx.file_name)
        if named is None:
            expected = "a period column, or a sheet or file named with the estimate's year, such as Mid-2022"
            raise FileFault(ctx.file_name, "the file does not say which year its estimates are for: it has no "
                                           "period column, and neither its sheet's name nor its own name gives "
                                           f"one year; expected {expected}", column="period", expected=expected)
        ctx.params["named_period"] = named
        return f"DATE '{named.isoformat()}'", []

    def check(self, ctx):
        f = ctx.fields
        layout = self._layout(ctx)
        keep = f"NOT {f.other_nation('lsoa_code')}"
        period, period_faults = self._period(ctx)
        common = {"lsoa_code": f.code("lsoa_code"), "period": period}
        common_faults = [f.code_fault("lsoa_code", required=True), *period_faults]
        if layout == "f0":
            columns = [f"{sex}{age}" for sex in "fm" for age in range(5)]
            return CheckQuery(
                values={**common, "children_0_4": _sum_of(f, columns),
                        "children_0_1": _sum_of(f, [f"{sex}{age}" for sex in "fm" for age in range(2)])},
                faults=[*common_faults, *(f.count_fault(name) for name in columns)],
                where=keep,
            )
        if layout == "age_0" and not ctx.resolved.has("sex"):
            ages = [f"age_{age}" for age in range(5)]
            sex = sex_in_name(ctx.sheet_name)
            ctx.params["named_sex"] = sex
            return CheckQuery(
                values={**common, "sex": f"'{sex}'",
                        "children_0_4": _sum_of(f, ages), "children_0_1": _sum_of(f, ages[:2])},
                faults=[*common_faults, *(f.count_fault(age) for age in ages)],
                where=keep,
            )
        if layout == "age_0":
            ages = [f"age_{age}" for age in range(5)]
            return CheckQuery(
                values={**common, "sex": f.synonym("sex", _SEXES),
                        "children_0_4": _sum_of(f, ages), "children_0_1": _sum_of(f, ages[:2])},
                faults=[*common_faults, f.synonym_fault("sex", _SEXES, "Persons, Males or Females"),
                        *(f.count_fault(age) for age in ages)],
                where=keep,
            )
        if layout == "indicator":
            return CheckQuery(
                values={**common, "children_0_4": f.count("value"), "children_0_1": "NULL::INTEGER"},
                faults=[*common_faults, f.count_fault("value")],
                where=f"{keep} AND lower({f.raw('indicator')}) = 'aged 4 years and under'",
            )
        return CheckQuery(values={**common, "children_0_4": f.count("children_0_4"),
                                  "children_0_1": f.count("children_0_1")},
                          faults=[*common_faults, f.count_fault("children_0_4"), _under_two_fault(f)], where=keep)

    def after_duplicates(self, ctx):
        if self._layout(ctx) != "age_0":
            return
        # Without a Persons row an area's total is Males + Females, so both must be there.
        ctx.run(f"""
            CREATE TEMP TABLE lonely AS
            SELECT c._row, c.sex FROM {CHECKED} c
            WHERE c._reason IS NULL AND c.sex IN ('males', 'females')
              AND NOT {_HAS_PERSONS_ROW}
              AND (SELECT count(*) FROM {CHECKED} o WHERE o._reason IS NULL AND o.sex IN ('males', 'females')
                   AND o.lsoa_code = c.lsoa_code AND o.period = c.period) < 2""")
        ctx.run(f"""
            UPDATE {CHECKED} SET _reason = 'no Persons row for this area and date, and no '
                || CASE WHEN lonely.sex = 'males' THEN 'Females' ELSE 'Males' END
                || ' row to add to this one, so the number of children is unknown'
            FROM lonely WHERE {CHECKED}._row = lonely._row""")

    def loadable(self, ctx):
        ctx.run(f"CREATE TEMP TABLE as_given AS {self._as_given(ctx)}")
        # Estimates on 2011 LSOAs (ONS's, up to mid-2020) are placed on the 2021 LSOAs through
        # the ONS lookup: a file is on 2011 LSOAs when it has a code that 2021 no longer has.
        ctx.params["from_2011"] = bool(ctx.scalar("""
            SELECT count(*) FROM as_given WHERE lsoa_code IN (SELECT lsoa11cd FROM lsoa_lookup)
                                            AND lsoa_code NOT IN (SELECT lsoa21cd FROM lsoa_lookup)"""))
        if not ctx.params["from_2011"]:
            return "SELECT * FROM as_given"
        # A merged LSOA takes the sum of its parents; a split one an equal share of its parent's
        # children, the remainder going to the first parts in code order, so totals are kept. The
        # under-twos are placed the same way (unknown where any parent's is unknown).
        ctx.run("""CREATE TEMP TABLE parts AS
                   SELECT lsoa11cd, lsoa21cd, count(*) OVER (PARTITION BY lsoa11cd) AS parts,
                          row_number() OVER (PARTITION BY lsoa11cd ORDER BY lsoa21cd) AS part
                   FROM lsoa_lookup""")
        ctx.params["split"] = ctx.scalar("""SELECT count(DISTINCT g.lsoa_code) FROM as_given g
                                            JOIN parts p ON p.lsoa11cd = g.lsoa_code WHERE p.parts > 1""")
        ctx.params["unplaced"] = ctx.codes("""SELECT DISTINCT lsoa_code FROM as_given
                                              WHERE lsoa_code NOT IN (SELECT lsoa11cd FROM lsoa_lookup)
                                              ORDER BY lsoa_code""")
        return """
            SELECT p.lsoa21cd AS lsoa_code, g.period,
                   sum(g.children_0_4 // p.parts + CASE WHEN p.part <= g.children_0_4 % p.parts THEN 1 ELSE 0 END
                   )::INTEGER AS children_0_4,
                   CASE WHEN count(g.children_0_1) = count(*) THEN
                       sum(g.children_0_1 // p.parts + CASE WHEN p.part <= g.children_0_1 % p.parts THEN 1 ELSE 0 END)
                   END::INTEGER AS children_0_1
            FROM as_given g JOIN parts p ON p.lsoa11cd = g.lsoa_code
            GROUP BY p.lsoa21cd, g.period
            UNION ALL
            SELECT * FROM as_given WHERE lsoa_code NOT IN (SELECT lsoa11cd FROM lsoa_lookup)"""

    def _as_given(self, ctx) -> str:
        """The estimates as the file gives them: one row per LSOA and date."""
        if self._layout(ctx) != "age_0":
            return super().loadable(ctx)
        return f"""
            SELECT lsoa_code, period, children_0_4, children_0_1 FROM {CHECKED}
            WHERE _reason IS NULL AND sex = 'persons'
            UNION ALL
            SELECT lsoa_code, period, sum(children_0_4)::INTEGER, sum(children_0_1)::INTEGER FROM {CHECKED} c
            WHERE _reason IS NULL AND sex IN ('males', 'females')
              AND NOT {_HAS_PERSONS_ROW}
            GROUP BY lsoa_code, period"""

    def notes(self, ctx):
        notes = []
        layout = self._layout(ctx)
        if ctx.params.get("from_2011"):
            sentence = ("The estimates are for 2011 LSOAs and were placed on the 2021 LSOAs through the ONS "
                        "lookup: a 2021 LSOA made of several 2011 ones takes their sum")
            if ctx.params.get("split"):
                sentence += (f", and where a 2011 LSOA was split in 2021 ({ctx.params['split']:,} here) its "
                             "children are shared equally between its parts")
            notes.append(sentence + ".")
            if ctx.params.get("unplaced"):
                unplaced = ctx.params["unplaced"]
                notes.append(f"{count_of(len(unplaced), 'code')} not in the lookup {were(len(unplaced))} kept "
                             f"as given: {named(unplaced)}.")
        if ctx.params.get("named_period"):
            mid_year = ctx.params["named_period"]
            notes.append(f"The estimates are dated {mid_year:%-d %B %Y}, the mid-year the "
                         f"{'sheet' if mid_year_in_name(ctx.sheet_name) else 'file'}'s name gives.")
        if layout == "f0":
            notes.append("Children aged 0 to 4 are the sum of the columns F0 to F4 and M0 to M4, and children "
                         "aged 0 and 1 of F0, F1, M0 and M1.")
        if ctx.params.get("named_sex") == "persons" and layout == "age_0":
            notes.append("The rows were taken as Persons (both sexes): the file has no sex column and its "
                         "sheet's name does not say Males or Females.")
        if layout == "age_0":
            by_sex = ctx.scalar(f"""SELECT count(*) FROM {CHECKED} c WHERE _reason IS NULL
                AND sex IN ('males', 'females')
                AND NOT {_HAS_PERSONS_ROW}""") // 2
            unused = ctx.scalar(f"""SELECT count(*) FROM {CHECKED} c WHERE _reason IS NULL
                AND sex IN ('males', 'females')
                AND {_HAS_PERSONS_ROW}""")
            notes.append("Children aged 0 to 4 are the sum of the columns 0 to 4 of the Persons rows, and "
                         "children aged 0 and 1 of the columns 0 and 1"
                         + (f"; {count_of(by_sex, 'area')} had no Persons row and took Males + Females"
                            if by_sex else "") + ".")
            if unused:
                notes.append(f"{count_of(unused, 'Males or Females row', 'Males and Females rows')} "
                             f"{were(unused)} not needed, as their areas have Persons rows.")
        if not self._gives_under_two(ctx):
            notes.append("The file gives only the under-fives, so the children under two are estimated "
                         "as two fifths of them until an estimate by single year of age is loaded.")
        skipped = skipped_rows(ctx)
        if skipped and layout == "indicator":
            notes.append(f"{count_of(skipped, 'row')} of other age bands, or outside England, "
                         f"{were(skipped)} skipped.")
        elif skipped:
            notes.append(f"{count_of(skipped, 'row')} for areas outside England {were(skipped)} skipped.")
        return notes


# The long layout has a row per index and domain; Reach uses only this one (IDACI).
_IDACI = "income deprivation affecting children"

# The number of LSOAs in England, which the national IDACI ranks run over: the IoD2019 ranks the
# 2011 LSOAs, the IoD2025 the 2021 LSOAs. A decile is worked out from a rank as MHCLG does:
# decile 1 holds ranks 1 to a tenth of the LSOAs, and so on.
ENGLAND_LSOAS = {2011: 32_844, 2021: 33_755}


def ranked_lsoas(code_label: str) -> tuple[int, int]:
    """The LSOA vintage a rank file's code column names ("LSOA code (2021)"), and the number of
    LSOAs its ranks run over; 2011 (the IoD2019's) unless the column says 2021."""
    vintage = 2021 if "21" in code_label.replace("2011", "") else 2011
    return vintage, ENGLAND_LSOAS[vintage]


def _edition(f) -> str:
    """The edition of the Indices a row is from: its edition or year column, else 0 (unknown)."""
    return (f"CASE WHEN {f.raw('edition')} IS NOT NULL THEN {f.year('edition')} "
            f"WHEN {f.raw('year')} IS NOT NULL THEN {f.year('year')} ELSE 0 END")


class Deprivation(Kind):
    name = "deprivation"
    table = "deprivation"
    key = ("lsoa_code", "edition")
    columns = ("lsoa_code", "edition", "idaci_decile", "source_code")
    updates = True   # a corrected decile, or a new mapping, replaces the old

    def _long(self, ctx) -> bool:
        return ctx.resolved.layout.marker == "index_domain"

    def _ranked(self, ctx) -> bool:
        return ctx.resolved.layout.marker in ("idaci_rank", "idaci_score")

    def _scored(self, ctx) -> bool:
        return ctx.resolved.layout.marker == "idaci_score"

    def check(self, ctx):
        f = ctx.fields
        if self._scored(ctx):
            edition = _edition(f)
            missing = (f"CASE WHEN {f.raw('idaci_score')} IS NULL "
                       f"THEN {sql_text(f.label('idaci_score') + ' is missing')} END")
            return CheckQuery(
                # The decile is worked out once every row is checked (`after_duplicates`).
                values={"lsoa_code": f.code("lsoa_code"), "edition": edition,
                        "idaci_decile": "NULL::INTEGER", "idaci_score": f.decimal("idaci_score")},
                faults=[f.code_fault("lsoa_code", required=True), missing, f.decimal_fault("idaci_score"),
                        f.year_fault("edition", required=False), f.year_fault("year", required=False)],
            )
        if self._ranked(ctx):
            _, lsoas = ranked_lsoas(f.label("lsoa_code"))
            rank = f.count("idaci_rank")
            edition = _edition(f)
            rank_fault = f"""coalesce({f.count_fault('idaci_rank')},
                CASE WHEN ({rank}) NOT BETWEEN 1 AND {lsoas}
                    THEN {sql_text(f.label('idaci_rank') + ' is not a rank from 1 to ' + f'{lsoas:,}')} END)"""
            return CheckQuery(
                values={"lsoa_code": f.code("lsoa_code"), "edition": edition,
                        "idaci_decile": f"CAST(ceil(({rank}) * 10.0 / {lsoas}) AS INTEGER)"},
                faults=[f.code_fault("lsoa_code", required=True), rank_fault,
                        f.year_fault("edition", required=False), f.year_fault("year", required=False)],
            )
        if self._long(ctx):
            decile, edition = "decile", f.year("year")
            edition_faults = [f.year_fault("year", required=True)]
            domain = f"lower({f.raw('index_domain')})"
            where = f"({domain} = '{_IDACI}' OR {domain} LIKE '%idaci%')"
        else:
            decile = "idaci_decile"
            edition = _edition(f)
            edition_faults = [f.year_fault("edition", required=False), f.year_fault("year", required=False)]
            where = "true"
        return CheckQuery(
            values={"lsoa_code": f.code("lsoa_code"), "edition": edition,
                    "idaci_decile": f.count(decile)},
            faults=[f.code_fault("lsoa_code", required=True), f.decile_fault(decile), *edition_faults],
            where=where,
        )

    def after_duplicates(self, ctx):
        if not self._scored(ctx):
            return
        # Scores rank only across the whole of England: a part of it cannot be put in deciles.
        _, lsoas = ranked_lsoas(ctx.resolved.label("lsoa_code"))
        scored = ctx.scalar(f"SELECT count(*) FROM {CHECKED} WHERE _reason IS NULL")
        if scored < lsoas:
            expected = "IDACI deciles or ranks (File 3 or File 7 of the English Indices of Deprivation)"
            problem = (f"the file gives IDACI scores for {count_of(scored, 'LSOA')}, but deciles can be worked "
                       f"out from scores only across all {lsoas:,} LSOAs of England; expected {expected}")
            raise FileFault(ctx.file_name, problem, column="idaci_decile", expected=expected)
        ctx.run(f"""UPDATE {CHECKED} SET idaci_decile = ranked.decile
                    FROM (SELECT _row, CAST(ceil(rank() OVER (ORDER BY idaci_score DESC) * 10.0 / {lsoas})
                                            AS INTEGER) AS decile
                          FROM {CHECKED} WHERE _reason IS NULL) ranked
                    WHERE {CHECKED}._row = ranked._row""")

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
        if self._ranked(ctx):
            vintage, lsoas = ranked_lsoas(ctx.resolved.label("lsoa_code"))
            given = "scores (ranked here, the highest first)" if self._scored(ctx) else "ranks"
            notes.append(f"The file gives IDACI {given}, not deciles: each decile was worked out from the "
                         f"national rank over the {lsoas:,} LSOAs ({vintage}) of England, decile 1 holding "
                         f"ranks 1 to {lsoas // 10:,}.")
        editions = ctx.codes(f"SELECT DISTINCT edition FROM {CHECKED} WHERE _reason IS NULL ORDER BY edition")
        if len(editions) > 1:
            older = ctx.scalar(f"""SELECT count(*) FROM {CHECKED} WHERE _reason IS NULL
                                   AND edition <> {int(editions[-1])}""")
            notes.append(f"Only the latest edition, {editions[-1]}, was taken; {count_of(older, 'row')} "
                         f"of {', '.join(str(e) for e in editions[:-1])} {were(older)} skipped.")
        skipped = skipped_rows(ctx)
        if skipped:
            notes.append(f"{count_of(skipped, 'row')} of other indices {were(skipped)} skipped "
                         "(only Income Deprivation Affecting Children is used).")
        if not ctx.params["knows_lsoas"]:
            notes.append("No 2021 LSOAs are known yet (from boundaries, population or reach areas), "
                         "so the file's codes were kept as they are.")
        else:
            codes = ctx.scalar("SELECT count(*) FROM latest")
            unmatched = ctx.codes("""SELECT lsoa_code FROM latest
                                     WHERE lsoa_code NOT IN (SELECT lsoa_code FROM known_lsoas)
                                     ORDER BY lsoa_code""")
            sentence = (f"{codes - len(unmatched):,} of the file's {count_of(codes, 'LSOA code')} "
                        "are 2021 LSOAs known here")
            if unmatched:
                sentence += (f"; {count_of(len(unmatched), 'code')} matched no known 2021 LSOA: "
                             f"{named(unmatched)}")
            notes.append(sentence + ".")
        mapped = ctx.codes("SELECT lsoa_code FROM mapped ORDER BY lsoa_code")
        if mapped:
            notes.append(f"{count_of(len(mapped), '2021 LSOA')} took the decile of their 2011 parent "
                         f"through the LSOA lookup (the most deprived parent where there are "
                         f"several): {named(mapped)}.")
        if ctx.scalar("SELECT count(*) FROM reach_areas"):
            missing = ctx.codes("""SELECT lsoa_code FROM reach_areas
                                    WHERE lsoa_code NOT IN (SELECT lsoa_code FROM deprivation
                                                            WHERE edition = (SELECT max(edition) FROM latest))
                                    ORDER BY lsoa_code""")
            if missing:
                notes.append(f"{count_of(len(missing), 'LSOA')} in reach areas still "
                             f"{'has' if len(missing) == 1 else 'have'} no IDACI decile: {named(missing)}.")
            else:
                notes.append("Every LSOA in the reach areas has an IDACI decile.")
        else:
            notes.append("No reach areas are loaded yet, so none can be checked for a decile.")
        return notes
