"""The files about outcomes at five: the Early Years Foundation Stage Profile, child by child
(`eyfsp`), and its good level of development as counts by area (`gld-counts`).

An EYFSP file carries people's data and is treated as births are: an NHS number becomes its
keyed hash (so a child links to their registrations), a postcode is placed on its LSOA and
dropped. A child key is optional: a row without one is still counted, under a key made from
the row's own values and how many identical rows came before it in the file, so loading the
same file again finds every row already present. A child living outside every reach area is
loaded, and counts in no site's area.
"""

from __future__ import annotations

from data.importers.checks import CheckQuery, Fields, sql_text
from data.importers.kinds.base import CHECKED, LOADABLE, Kind
from data.importers.kinds.children import child_keys_hashed, count_area, residence_checks
from data.importers.kinds.notes import count_of, named

# A school year as files write it: 2025 (the year it ends), 2024/25, 2024-25, 2024/2025, or
# DfE's time_period 202425.
_END_YEAR = r"^\d{4}$"
_TWO_YEARS = r"^(\d{4})\s*[/-]\s*(\d{2}|\d{4})$"
_TIME_PERIOD = r"^(\d{4})(\d{2})$"
_YEAR_EXPECTED = "the year the school year ends, e.g. 2025, or 2024/25"


def _school_year(f: Fields, name: str) -> str:
    """The year the school year ends, or NULL where the text is not a school year."""
    raw = f"regexp_replace({f.raw(name)}, '\\.0+$', '')"

    def following(start: str, end: str) -> str:
        # "2024/25" or "2024/2025": the second year must follow the first.
        first, second = f"try_cast({start} AS INTEGER)", f"try_cast({end} AS INTEGER)"
        return f"""CASE WHEN (length({end}) = 2 AND {second} = ({first} + 1) % 100)
                          OR (length({end}) = 4 AND {second} = {first} + 1)
                        THEN {first} + 1 END"""

    two = [f"regexp_extract({raw}, '{_TWO_YEARS}', {group})" for group in (1, 2)]
    period = [f"regexp_extract({raw}, '{_TIME_PERIOD}', {group})" for group in (1, 2)]
    return f"""CASE WHEN regexp_matches({raw}, '{_END_YEAR}') THEN try_cast({raw} AS INTEGER)
        WHEN regexp_matches({raw}, '{_TWO_YEARS}')
            THEN {following(two[0], two[1])}
        WHEN regexp_matches({raw}, '{_TIME_PERIOD}')
            THEN {following(period[0], period[1])}
    END"""


def _school_year_fault(f: Fields, name: str) -> str:
    label = f.label(name)
    missing = sql_text(f"{label} is missing (expected {_YEAR_EXPECTED})")
    return f"""CASE WHEN {f.raw(name)} IS NULL THEN {missing}
        WHEN ({_school_year(f, name)}) IS NULL
            THEN {f._says(name, f'is not a school year (expected {_YEAR_EXPECTED})')}
        WHEN ({_school_year(f, name)}) > year($today)
            THEN {f._says(name, 'is a school year that has not ended yet')}
    END"""


def _optional_count_fault(f: Fields, name: str) -> str:
    return f"CASE WHEN {f.raw(name)} IS NOT NULL THEN {f.count_fault(name)} END"


def _more_than(f: Fields, small: str, large: str) -> str:
    """A cross fault: the count `small` is more than `large` (both parsed, in `checked`)."""
    return f"""CASE WHEN {small} > {large} THEN {sql_text(f.label(small) + ' ')} || {small}::VARCHAR
                    || {sql_text(' is more than ' + f.label(large) + ' ')} || {large}::VARCHAR END"""


class Eyfsp(Kind):
    name = "eyfsp"
    table = "eyfsp"
    key = ("record_key", "assessment_year")
    columns = ("record_key", "child_key", "dob", "lsoa_code", "assessment_year", "gld", "fsm")
    file_key = ("_same_child", "assessment_year")   # the same child twice in one year
    updates = True     # a child's result sent again, corrected, replaces the one stored
    personal = True

    def compared(self, ctx):
        return ("dob", "lsoa_code", "gld", "fsm")

    def check(self, ctx):
        f = ctx.fields
        if f.resolved.has("child_key"):
            child, child_fault = "r._child_key", "r._child_fault"
        elif f.resolved.has("nhs_number"):
            # A blank NHS number is no fault here: the child is counted without a link.
            child, child_fault = "r._nhs_key", "CASE WHEN r.nhs_number IS NOT NULL THEN r._nhs_fault END"
        else:
            child, child_fault = "NULL::VARCHAR", "NULL"
        residence, residence_faults, lookup = residence_checks(f)
        dob, year = f.label("dob"), f.label("assessment_year")
        gld_missing = sql_text(f"{f.label('gld')} is missing (expected Y or N: did the child reach a "
                               "good level of development)")
        return CheckQuery(
            values={
                "child_key": child,
                "dob": f.date("dob"),
                "lsoa_code": residence,
                "assessment_year": _school_year(f, "assessment_year"),
                "gld": f.flag("gld"),
                "fsm": f.flag("fsm"),
                # What "the same child" compares: the key, else the row itself (never a duplicate).
                "_same_child": f"coalesce({child}, 'row ' || r._row::VARCHAR)",
            },
            faults=[child_fault, f.date_fault("dob", required=True), *residence_faults,
                    _school_year_fault(f, "assessment_year"),
                    f"CASE WHEN {f.raw('gld')} IS NULL THEN {gld_missing} END", f.flag_fault("gld"),
                    f.flag_fault("fsm")],
            cross_faults=[
                f"""CASE WHEN dob > $today THEN {sql_text(dob + ' ')} || dob::VARCHAR || ' is in the future'
                         WHEN dob >= make_date(assessment_year - 1, 9, 1)
                         THEN {sql_text(dob + ' ')} || dob::VARCHAR || ' is after the school year '
                              || (assessment_year - 1)::VARCHAR || '/' || right(assessment_year::VARCHAR, 2)
                              || {sql_text(' began (' + year + ')')} END"""],
            lookup=lookup,
        )

    def loadable(self, ctx):
        # A row without a child key is keyed by its values and how many identical rows came
        # before it in the file: two children alike in every value are two records, and the same
        # file loaded again makes the same keys.
        values = "dob::VARCHAR, lsoa_code, assessment_year::VARCHAR, gld::VARCHAR, coalesce(fsm::VARCHAR, '')"
        return f"""
            SELECT coalesce(child_key, 'row:' || md5(concat_ws('|', {values}, occurrence::VARCHAR)))
                       AS record_key,
                   child_key, dob, lsoa_code, assessment_year, gld, fsm
            FROM (SELECT *, row_number() OVER (PARTITION BY child_key IS NULL, {values} ORDER BY _row)
                            AS occurrence
                  FROM {CHECKED} WHERE _reason IS NULL)"""

    def notes(self, ctx):
        notes = child_keys_hashed(ctx)
        unkeyed = ctx.scalar(f"SELECT count(*) FROM {LOADABLE} WHERE child_key IS NULL")
        if unkeyed:
            notes.append(f"{count_of(unkeyed, 'row')} had no child key or NHS number: loaded and "
                         "counted, but they cannot link to registrations.")
        if ctx.scalar("SELECT count(*) > 0 FROM reach_areas"):
            outside = ctx.scalar(f"""SELECT count(*) FROM {LOADABLE}
                                     WHERE lsoa_code NOT IN (SELECT lsoa_code FROM reach_areas)""")
            if outside:
                notes.append(f"{count_of(outside, 'row')} {'is' if outside == 1 else 'are'} for children "
                             "living outside every reach area: loaded, and counted in no site's area.")
        return notes


class GldCounts(Kind):
    name = "gld-counts"
    table = "gld_counts"
    key = ("area_type", "area_code", "assessment_year")
    columns = ("area_type", "area_code", "assessment_year", "assessed", "gld", "fsm_assessed", "fsm_gld")
    updates = True   # a later count for the same area and year is a revision

    def check(self, ctx):
        f = ctx.fields
        lsoa, centre = f.raw("lsoa_code"), f.raw("centre_id")
        area_fault, outside, source = count_area(f, counted="the children")
        fsm_gld_alone = sql_text(f"{f.label('fsm_gld')} is given without {f.label('fsm_assessed')} "
                                 "(expected both, or neither)")
        return CheckQuery(
            values={
                "area_type": f"CASE WHEN {lsoa} IS NOT NULL THEN 'lsoa' WHEN {centre} IS NOT NULL THEN 'centre' END",
                "area_code": f"CASE WHEN {lsoa} IS NOT NULL THEN {f.code('lsoa_code')} ELSE {centre} END",
                "assessment_year": _school_year(f, "assessment_year"),
                "assessed": f.count("assessed"),
                "gld": f.count("gld"),
                "fsm_assessed": f.count("fsm_assessed"),
                "fsm_gld": f.count("fsm_gld"),
            },
            faults=[area_fault, outside, f.personal_fault("centre_id"),
                    _school_year_fault(f, "assessment_year"),
                    f.count_fault("assessed"), f.count_fault("gld"),
                    _optional_count_fault(f, "fsm_assessed"), _optional_count_fault(f, "fsm_gld"),
                    f"CASE WHEN {f.raw('fsm_gld')} IS NOT NULL AND {f.raw('fsm_assessed')} IS NULL "
                    f"THEN {fsm_gld_alone} END"],
            cross_faults=[_more_than(f, "gld", "assessed"), _more_than(f, "fsm_assessed", "assessed"),
                          _more_than(f, "fsm_gld", "fsm_assessed"), _more_than(f, "fsm_gld", "gld")],
            source=source,
        )

    def notes(self, ctx):
        unknown = ctx.codes(f"""SELECT DISTINCT area_code FROM {LOADABLE}
                                WHERE area_type = 'centre'
                                  AND area_code NOT IN (SELECT centre_id FROM reach_areas)
                                ORDER BY area_code""")
        if not unknown:
            return []
        return [f"The counts name {count_of(len(unknown), 'centre')} with no reach area yet: "
                f"{named(unknown)} (loaded; they count once the reach areas name them)."]

