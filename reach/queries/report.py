"""The reach report: every measure defined in docs/definitions.md, as at one date or many, in DuckDB.

One query computes each measure per LSOA for every requested date; centre and authority
figures are sums over their LSOAs (each child lives in exactly one LSOA on a given date, and
every LSOA belongs to at most one centre), except for counts of distinct families and the
newborn denominators, which have rules of their own (`reach.queries.trend.births_12m`, month by
month for every date at once). Percentages, bands and families to find are derived from those
sums in one place (`_derive`). After the queries every step works on whole columns: the LSOA
rows come by date, then centre, so a centre's sums are sums over runs of rows (`_by_centre`), and
each rule (the band, families to find) is asked once per distinct value and spread over the rows.

The trend (reach month by month) takes the same steps from the same raw counts, but finds those
counts from interval ends and running sums (`reach.queries.trend`), so that many dates cost
little more than one; tests hold it equal to the single-date report at every date.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from data.dates import as_date
from data.schema import REGISTRATION_FLAGS
from reach.domain.measures import (
    REPORT_COLUMNS,
    UNDER_TWO_COLUMNS,
    ReportOptions,
    deprived_sql,
    families_to_find,
    under_five_sql,
    children_under_two_sql,
    under_two_estimated_sql,
    under_two_sql,
)

LEVELS = ("centre", "lsoa", "authority")


# Who is known on each date, shared by every query that needs it. A child's registrations are
# turned into spells (from one registered_on to the next), so the registration in force on d is
# found by a range join rather than by ranking every registration for every date: the same
# answer as "the latest registration on or before d", but it scales to many dates. Registrations
# on the same day are ordered by import, then centre, and the last one stands. Each known child
# carries the target-group flags of the registration in force.
KNOWN_CHILDREN_CTES = f"""
asat AS (
    SELECT DISTINCT CAST(unnest(?::DATE[]) AS DATE) AS d
),
registration_spells AS (
    SELECT child_key, dob, lsoa_code, family_key, {", ".join(REGISTRATION_FLAGS)},
           registered_on AS from_on,
           lead(registered_on) OVER (PARTITION BY child_key
                                     ORDER BY registered_on, import_id, centre_id) AS until_on
    FROM registrations
),
known AS (
    SELECT a.d, s.child_key, s.dob, s.lsoa_code, s.family_key,
           {", ".join("s." + flag for flag in REGISTRATION_FLAGS)}
    FROM asat a JOIN registration_spells s
      ON s.from_on <= a.d AND (s.until_on IS NULL OR a.d < s.until_on)
    WHERE {under_five_sql('s.dob', 'a.d')}
)"""

# Children with enough contacts in the 12 months up to d (after d minus a year) to count as
# sustained; filtering on the threshold here keeps later joins small. Parameter: the threshold.
SUSTAINED_CTE = """
sustained_12m AS (
    SELECT a.d, c.child_key
    FROM asat a
    JOIN contacts c ON c.contact_on <= a.d AND c.contact_on > CAST(a.d - INTERVAL 1 YEAR AS DATE)
    GROUP BY a.d, c.child_key
    HAVING count(*) >= ?
)"""

# --- the measures per LSOA, for every date in `asat` -------------------------------------------
# Parameters, in order: the list of dates, then the number of contacts that makes contact
# sustained. Every other value is data.
# The estimates an LSOA's under-twos are taken from: the columns of the population choice below.
_ESTIMATES = dict(latest_0_4='pc.latest_estimate', latest_0_1='pc.latest_under2',
                  earliest_0_4='pc.earliest_estimate', earliest_0_1='pc.earliest_under2')

_LSOA_MEASURES_SQL = f"""
WITH {KNOWN_CHILDREN_CTES},
-- Each child's latest birth (or arrival) record received on or before d, as spells likewise,
-- cut short on the day the child is first registered anywhere: from then on the child is known,
-- not an unmatched birth. The range join then yields only unmatched children.
first_registered AS (
    SELECT child_key, min(registered_on) AS first_on FROM registrations GROUP BY child_key
),
birth_spells AS (
    SELECT b.child_key, b.dob, b.lsoa_code, b.received_on AS from_on,
           least(coalesce(lead(b.received_on) OVER (PARTITION BY b.child_key
                                                    ORDER BY b.received_on, b.import_id),
                          DATE '9999-12-31'),
                 coalesce(f.first_on, DATE '9999-12-31')) AS unmatched_until
    FROM births b LEFT JOIN first_registered f USING (child_key)
),
unmatched AS (
    SELECT a.d, b.child_key, b.dob, b.lsoa_code
    FROM asat a JOIN birth_spells b ON b.from_on <= a.d AND a.d < b.unmatched_until
    WHERE {under_five_sql('b.dob', 'a.d')}
),
{SUSTAINED_CTE},
-- Everyone Reach can see living in an LSOA on d: known children and unmatched births.
residents AS (
    SELECT k.d, k.lsoa_code, true AS is_known, k.dob, s.child_key IS NOT NULL AS sustained
    FROM known k LEFT JOIN sustained_12m s USING (d, child_key)
    UNION ALL
    SELECT d, lsoa_code, false, dob, false FROM unmatched
),
resident_counts AS (
    SELECT d, lsoa_code,
           count(*) FILTER (WHERE is_known) AS known_children,
           count(*) FILTER (WHERE NOT is_known) AS unmatched_births,
           count(*) FILTER (WHERE sustained) AS sustained_contact,
           count(*) FILTER (WHERE is_known
                            AND dob >= CAST(date_trunc('month', d) - INTERVAL 12 MONTH AS DATE)
                            AND dob < CAST(date_trunc('month', d) AS DATE)) AS newborns_known_12m,
           count(*) AS residents_seen,
           count(*) FILTER (WHERE is_known AND {under_two_sql('dob', 'd')}) AS known_under2,
           count(*) FILTER (WHERE {under_two_sql('dob', 'd')}) AS residents_seen_under2
    FROM residents GROUP BY d, lsoa_code
),
-- The denominator: the latest estimate dated on or before d, else the earliest (flagged). The
-- under-twos come from the same estimate (a struct, so a NULL children_0_1 is not passed over
-- for an older estimate's).
population_choice AS (
    SELECT d, lsoa_code, latest.under5 AS latest_estimate, earliest.under5 AS earliest_estimate,
           latest.under2 AS latest_under2, earliest.under2 AS earliest_under2
    FROM (
        SELECT a.d, p.lsoa_code,
               arg_max({{'under5': p.children_0_4, 'under2': p.children_0_1}}, p.period)
                   FILTER (WHERE p.period <= a.d) AS latest,
               arg_min({{'under5': p.children_0_4, 'under2': p.children_0_1}}, p.period) AS earliest
        FROM asat a
        JOIN population p ON p.lsoa_code IN (SELECT lsoa_code FROM reach_areas)
        GROUP BY a.d, p.lsoa_code
    )
),
idaci AS (
    SELECT lsoa_code, arg_max(idaci_decile, edition) AS idaci_decile
    FROM deprivation GROUP BY lsoa_code
),
-- Birth-data lag: the latest delivery of birth records or counts for the LSOA.
lsoa_births_received AS (
    SELECT d, lsoa_code, max(last_received) AS last_received FROM (
        SELECT a.d, b.lsoa_code, max(b.received_on) AS last_received
        FROM asat a JOIN births b ON b.received_on <= a.d GROUP BY a.d, b.lsoa_code
        UNION ALL
        SELECT a.d, c.area_code, max(c.received_on)
        FROM asat a JOIN birth_counts c ON c.area_type = 'lsoa' AND c.received_on <= a.d
        GROUP BY a.d, c.area_code
    ) GROUP BY d, lsoa_code
),
lsoa_grid AS (
    SELECT a.d, ra.lsoa_code, ra.centre_id FROM asat a CROSS JOIN reach_areas ra
){{family_ctes}}
SELECT g.d AS as_at, g.lsoa_code, g.centre_id,
       coalesce(pc.latest_estimate, pc.earliest_estimate, rc.residents_seen, 0) AS children_under5,
       (pc.latest_estimate IS NULL) AS denominator_flagged,
       CASE WHEN pc.latest_estimate IS NOT NULL THEN NULL
            WHEN pc.earliest_estimate IS NOT NULL THEN 'no estimate this old: the earliest is used'
            ELSE 'no population estimate: children seen in births and registrations are counted'
       END AS denominator_note,
       coalesce(rc.known_children, 0) AS known_children,
       coalesce(rc.unmatched_births, 0) AS unmatched_births,
       coalesce(rc.sustained_contact, 0) AS sustained_contact,
       coalesce(rc.newborns_known_12m, 0) AS newborns_known_12m,
       i.idaci_decile,
       coalesce({deprived_sql('i.idaci_decile')}, false) AS deprived,
       lr.last_received AS last_birth_data,
       {children_under_two_sql(**_ESTIMATES, seen='coalesce(rc.residents_seen_under2, 0)')}
           AS children_under2,
       coalesce(rc.known_under2, 0) AS known_under2,
       {under_two_estimated_sql(**_ESTIMATES)} AS under2_estimated{{family_columns}}
FROM lsoa_grid g
LEFT JOIN population_choice pc ON pc.d = g.d AND pc.lsoa_code = g.lsoa_code
LEFT JOIN resident_counts rc ON rc.d = g.d AND rc.lsoa_code = g.lsoa_code
LEFT JOIN idaci i ON i.lsoa_code = g.lsoa_code
LEFT JOIN lsoa_births_received lr ON lr.d = g.d AND lr.lsoa_code = g.lsoa_code{{family_joins}}
ORDER BY g.d, g.centre_id, g.lsoa_code
"""

# Distinct known families per LSOA, per centre and for the authority: not a sum over LSOAs,
# because siblings may live apart. Also the known children living outside every reach area.
_FAMILY_COUNTS_CTES = """
placed AS (
    SELECT k.d, k.family_key, ra.centre_id, ra.lsoa_code
    FROM known k LEFT JOIN reach_areas ra ON ra.lsoa_code = k.lsoa_code
),
family_counts AS (
    SELECT d,
           CASE WHEN GROUPING(lsoa_code) = 0 THEN 'lsoa' WHEN GROUPING(centre_id) = 0 THEN 'centre'
                ELSE 'authority' END AS level,
           coalesce(lsoa_code, centre_id) AS area,
           count(DISTINCT family_key) FILTER (WHERE centre_id IS NOT NULL) AS known_families,
           count(*) FILTER (WHERE centre_id IS NULL) AS known_out_of_area
    FROM placed
    GROUP BY GROUPING SETS ((d, lsoa_code, centre_id), (d, centre_id), (d))
)"""

_FAMILIES_SQL = f"""
WITH {KNOWN_CHILDREN_CTES},
{_FAMILY_COUNTS_CTES}
SELECT d AS as_at, level, area, known_families, known_out_of_area FROM family_counts
"""

# The report's LSOA rows, alone (for the trend's equal, the access measures and the target
# groups), or with the families of the LSOA, of its centre and of the authority beside them, so
# that the report finds who is known once for every measure.
def _filled(sql: str, **parts: str) -> str:
    for name, text in parts.items():
        sql = sql.replace("{" + name + "}", text)
    return sql


_LSOA_ONLY_SQL = _filled(_LSOA_MEASURES_SQL, family_ctes="", family_columns="", family_joins="")
_LSOA_AND_FAMILIES_SQL = _filled(
    _LSOA_MEASURES_SQL,
    family_ctes="," + _FAMILY_COUNTS_CTES,
    family_columns=""",
       coalesce(fl.known_families, 0) AS lsoa_known_families,
       coalesce(fc.known_families, 0) AS centre_known_families,
       coalesce(fa.known_families, 0) AS authority_known_families,
       coalesce(fa.known_out_of_area, 0) AS authority_known_out_of_area""",
    family_joins="""
LEFT JOIN family_counts fl ON fl.level = 'lsoa' AND fl.d = g.d AND fl.area = g.lsoa_code
LEFT JOIN family_counts fc ON fc.level = 'centre' AND fc.d = g.d AND fc.area = g.centre_id
LEFT JOIN family_counts fa ON fa.level = 'authority' AND fa.d = g.d""")

# The latest delivery of any birth data, for the authority's lag: every record and count,
# wherever the child lives (the feed is the authority's, not one centre's).
_AUTHORITY_LAST_RECEIVED_SQL = """
WITH asat AS (SELECT DISTINCT CAST(unnest(?::DATE[]) AS DATE) AS d)
SELECT a.d AS as_at,
       greatest((SELECT max(received_on) FROM births WHERE received_on <= a.d),
                (SELECT max(received_on) FROM birth_counts WHERE received_on <= a.d)) AS last_birth_data
FROM asat a
"""

_CENTRE_LAST_COUNTS_SQL = """
WITH asat AS (SELECT DISTINCT CAST(unnest(?::DATE[]) AS DATE) AS d)
SELECT a.d AS as_at, c.area_code AS centre_id, max(c.received_on) AS last_centre_counts
FROM asat a JOIN birth_counts c ON c.area_type = 'centre' AND c.received_on <= a.d
GROUP BY ALL
"""


def lsoa_measures(con, *, dates, options: ReportOptions = ReportOptions(),
                  families: bool = False) -> pd.DataFrame:
    """The raw counts per LSOA in a reach area, for each date (no percentages yet). With
    `families`, four more columns: the known families of the LSOA, of its centre and of the
    authority, and the authority's known children living outside every reach area."""
    day_list = sorted({as_date(d) for d in dates})
    sql = _LSOA_AND_FAMILIES_SQL if families else _LSOA_ONLY_SQL
    frame = con.execute(sql, [day_list, options.sustained_contacts]).df()
    frame["as_at"] = pd.to_datetime(frame["as_at"]).dt.date
    return frame


_FAMILY_COLUMNS = {"lsoa": {"lsoa_known_families": "known_families"},
                   "centre": {"centre_known_families": "known_families"},
                   "authority": {"authority_known_families": "known_families",
                                 "authority_known_out_of_area": "known_out_of_area"}}


def _families_beside(lsoa: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """`_families` from the columns `lsoa_measures(..., families=True)` puts beside each LSOA,
    and the LSOA rows without them."""
    keys = {"lsoa": ["as_at", "lsoa_code"], "centre": ["as_at", "centre_id"], "authority": ["as_at"]}
    counted = {}
    for level, columns in _FAMILY_COLUMNS.items():
        part = lsoa[keys[level] + list(columns)].drop_duplicates(keys[level]).rename(columns=columns)
        if level != "authority":
            part = part.rename(columns={keys[level][1]: "area"})
        else:
            part = part.assign(area=None)
        counted[level] = part
    return counted


def _centre_names(con) -> pd.DataFrame:
    """Every centre in the register or named by a reach area, with its name."""
    return con.execute(
        """
        SELECT centre_id, coalesce(c.name, centre_id) AS centre_name
        FROM (SELECT centre_id FROM centres UNION SELECT centre_id FROM reach_areas) ids
        LEFT JOIN centres c USING (centre_id)
        ORDER BY centre_id
        """
    ).df()


_SUMMED = ["children_under5", "known_children", "unmatched_births", "sustained_contact",
           "newborns_known_12m", "deprived_under5", "deprived_known", "children_under2", "known_under2"]


def _pct(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    numerator = numerator.astype("float64")
    denominator = denominator.astype("float64")
    return (100.0 * numerator / denominator).where(denominator > 0)


def _derive(frame: pd.DataFrame, options: ReportOptions, as_at_days: np.ndarray | None = None) -> pd.DataFrame:
    """Percentages, band, families to find and flags from summed counts: the one place. Each
    rule is asked once per distinct value (a trend repeats the same few thousand), and the
    answers are spread over the rows as whole columns. `as_at_days`, where given, is the rows'
    dates as days (`datetime64[D]`)."""
    frame["reach_pct"] = _pct(frame["known_children"], frame["children_under5"])
    frame["sustained_pct"] = _pct(frame["sustained_contact"], frame["children_under5"])
    frame["deprived_reach_pct"] = _pct(frame["deprived_known"], frame["deprived_under5"])
    frame["newborn_reach_pct"] = _pct(frame["newborns_known_12m"], frame["births_12m"])
    which, values = pd.factorize(frame["reach_pct"].to_numpy("float64"), use_na_sentinel=False)
    bands = np.array([options.bands.band(None if np.isnan(p) else float(p)) for p in values] + [None],
                     dtype=object)
    frame["band"] = pd.Series(bands[which], index=frame.index, dtype="object")
    frame["reach_under2_pct"] = _pct(frame["known_under2"], frame["children_under2"])
    frame["families_to_find"] = _families_to_find(frame, "children_under5", "known_children", options)
    frame["families_to_find_under2"] = _families_to_find(frame, "children_under2", "known_under2", options)
    frame["under2_estimated"] = frame["under2_estimated"].fillna(False).astype(bool)
    over = frame["reach_pct"] > 100
    frame["over_100"] = over.fillna(False).astype(bool)
    note = frame["denominator_note"].astype("object")
    frame["denominator_note"] = note.where(~frame["over_100"] | note.notna(),
                                           "more children known than the estimate: the estimate is too low")
    frame["denominator_flagged"] = (frame["denominator_flagged"].astype(bool) | frame["over_100"])
    if as_at_days is None:
        as_at_days = pd.to_datetime(frame["as_at"]).to_numpy("datetime64[D]")
    delivered = pd.to_datetime(frame["last_birth_data"]).to_numpy("datetime64[D]")
    lag = (as_at_days - delivered).astype("int64")
    frame["birth_data_lag_days"] = pd.arrays.IntegerArray(lag, np.isnat(delivered))
    for column in _SUMMED + ["births_12m", "families_to_find", "families_to_find_under2"]:
        frame[column] = frame[column].astype("int64")
    return frame


def _families_to_find(frame: pd.DataFrame, under: str, known: str, options: ReportOptions) -> np.ndarray:
    """`measures.families_to_find` for each row, asked once per distinct pair of counts."""
    # Both counts are whole numbers from 0 up, so one number holds the pair.
    pair = (frame[under].to_numpy("float64").astype(np.int64) << 32) + frame[known].to_numpy("float64").astype(np.int64)
    which, pairs = pd.factorize(pair)
    found = np.array([families_to_find(int(p >> 32), int(p & 0xFFFFFFFF), target_share=options.bands.target_share)
                      for p in pairs], dtype=np.int64)
    return found[which]


def _families(con, day_list) -> dict[str, pd.DataFrame]:
    """Known families per LSOA, per centre and for the authority (keyed by as_at and area)."""
    frame = con.execute(_FAMILIES_SQL, [day_list]).df()
    frame["as_at"] = pd.to_datetime(frame["as_at"]).dt.date
    return {level: part.drop(columns="level") for level, part in frame.groupby("level")}


def _by_centre(lsoa: pd.DataFrame, areas: pd.DataFrame, dates: int) -> pd.DataFrame:
    """The LSOA rows summed per date and centre. The rows are the reach areas (`areas`, by
    centre, then code) at each date in turn, so each centre's LSOAs are a run of rows, found once
    from the areas: sums, counts and maxima over the runs, as whole columns."""
    centre_ids = areas["centre_id"].to_numpy(object)
    first = np.flatnonzero(np.r_[True, centre_ids[1:] != centre_ids[:-1]])
    starts = (np.arange(dates)[:, None] * len(areas) + first[None, :]).reshape(-1)
    centre = pd.DataFrame({"as_at": lsoa["as_at"].to_numpy()[starts],
                           "centre_id": lsoa["centre_id"].array.take(starts)})
    for column in _SUMMED:
        centre[column] = np.add.reduceat(lsoa[column].to_numpy(np.int64), starts)
    flagged = lsoa["denominator_flagged"].to_numpy(bool).astype(np.int64)
    centre["denominator_flagged"] = np.add.reduceat(flagged, starts) > 0
    centre["flagged_lsoas"] = np.add.reduceat(flagged, starts)
    centre["under2_estimated_lsoas"] = np.add.reduceat(lsoa["under2_estimated"].to_numpy(bool).astype(np.int64),
                                                       starts)
    delivered = lsoa["last_birth_data"].to_numpy("datetime64[us]").view(np.int64)
    centre["last_birth_data"] = np.maximum.reduceat(delivered, starts).view("datetime64[us]")
    centre["lsoas"] = np.diff(np.r_[starts, len(lsoa)])
    return centre


def _in_grid(centre: pd.DataFrame, day_list: list, names: pd.DataFrame) -> pd.DataFrame:
    """Every centre at every date (dates first, centres in the order of `names`), with the
    centre's name: the rows of `centre` in their places, empty where a centre has no reach area,
    as a left join of the grid would leave them."""
    ids = names["centre_id"].to_numpy(object)
    position = pd.Series(np.arange(len(ids)), index=pd.Index(ids, dtype=object))
    day_position = {day: k for k, day in enumerate(day_list)}
    rows = (pd.Series(centre["as_at"].to_numpy()).map(day_position).to_numpy(np.int64) * len(ids)
            + position.reindex(centre["centre_id"].to_numpy(object)).to_numpy(np.int64))
    placed = centre.set_axis(rows).reindex(np.arange(len(day_list) * len(ids)))
    dates = np.empty(len(day_list), dtype=object)
    dates[:] = day_list
    placed["as_at"] = np.repeat(dates, len(ids))
    every = np.tile(np.arange(len(ids)), len(day_list))
    placed["centre_id"] = names["centre_id"].take(every).to_numpy()
    placed["centre_name"] = names["centre_name"].take(every).to_numpy()
    return placed.reset_index(drop=True)


def _compute(con, dates, options: ReportOptions, *, families: bool = True,
             running_sums: bool = False) -> dict[str, pd.DataFrame]:
    """Every level's measures for every date. `families=False` skips counting distinct families
    (the heaviest part at scale, and not needed for a trend). `running_sums=True` finds the raw
    counts from interval ends and running sums (`reach.queries.trend`), whose cost hardly grows
    with the number of dates; the steps from those counts on are the same. Every step after the
    queries works on whole columns: no step per date, per centre or per row."""
    from reach.queries import trend

    day_list = sorted({as_date(d) for d in dates})
    counted = None
    if running_sums:
        arrays = trend.lsoa_arrays(con, dates=day_list, options=options)
        lsoa = trend.as_frame(arrays)
        areas = arrays["areas"]
    else:
        lsoa = lsoa_measures(con, dates=day_list, options=options, families=families)
        if families and len(lsoa):
            counted = _families_beside(lsoa)
            lsoa = lsoa.drop(columns=[c for columns in _FAMILY_COLUMNS.values() for c in columns])
        areas = lsoa.loc[: len(lsoa) // max(len(day_list), 1) - 1, ["lsoa_code", "centre_id"]]
    lsoa["deprived_under5"] = lsoa["children_under5"].where(lsoa["deprived"], 0)
    lsoa["deprived_known"] = lsoa["known_children"].where(lsoa["deprived"], 0)
    # The LSOA rows are the reach areas in the same order at every date (by centre, then code),
    # as the births' arrays are.
    births = trend.births_12m(con, dates=day_list, areas=areas)
    lsoa["births_12m"] = births["lsoa"].reshape(-1)

    # Centre: sums over its LSOAs; its own births rule; the latest birth data for any LSOA of it
    # (or shared for the centre as a whole).
    centre = _by_centre(lsoa, areas, len(day_list)) if len(lsoa) else _by_centre_empty(lsoa)
    centre_counts = con.execute(trend.CENTRE_LAST_COUNTS_SQL if running_sums else _CENTRE_LAST_COUNTS_SQL,
                                [day_list]).df()
    if len(centre_counts):
        centre_counts["as_at"] = pd.to_datetime(centre_counts["as_at"]).dt.date
        centre = centre.merge(centre_counts, on=["as_at", "centre_id"], how="left")
        centre["last_birth_data"] = pd.concat(
            [pd.to_datetime(centre["last_birth_data"]), pd.to_datetime(centre["last_centre_counts"])], axis=1
        ).max(axis=1)
        centre = centre.drop(columns="last_centre_counts")
    centre["births_12m"] = births["centre"].reshape(-1)
    flagged, lsoas = centre["flagged_lsoas"].to_numpy(), centre["lsoas"].to_numpy()
    notes = np.full(len(centre), None, dtype=object)
    for i in np.flatnonzero(flagged):
        notes[i] = f"{flagged[i]} of {lsoas[i]} LSOAs use a fallback population figure"
    centre["denominator_note"] = notes

    # Every centre appears, even one with no reach area yet (all zeros, no percentage).
    names = _centre_names(con)
    centre = _in_grid(centre, day_list, names)
    for column in _SUMMED + ["births_12m", "lsoas", "flagged_lsoas", "under2_estimated_lsoas"]:
        centre[column] = centre[column].fillna(0)
    centre["denominator_flagged"] = centre["denominator_flagged"].fillna(False).astype(bool)
    centre["under2_estimated"] = centre["under2_estimated_lsoas"] > 0

    # Authority: sums over all reach areas (one row per date, zeros on an empty store); its lag
    # is from the whole feed.
    summed = _SUMMED + ["births_12m", "lsoas", "flagged_lsoas", "under2_estimated_lsoas"]
    if len(names):
        authority = pd.DataFrame({"as_at": np.array(day_list + [None], dtype=object)[:-1]})
        for column in summed:
            values = centre[column].to_numpy()
            authority[column] = values.reshape(len(day_list), len(names)).sum(axis=1)
    else:
        authority = (centre.groupby("as_at")[summed].sum()
                     .reindex(day_list, fill_value=0).rename_axis("as_at").reset_index())
    authority["denominator_flagged"] = authority["flagged_lsoas"] > 0
    authority["under2_estimated"] = authority["under2_estimated_lsoas"] > 0
    authority["denominator_note"] = [
        f"{n} of {t} LSOAs use a fallback population figure" if n else None
        for n, t in zip(authority["flagged_lsoas"], authority["lsoas"])
    ]
    last = con.execute(trend.AUTHORITY_LAST_RECEIVED_SQL if running_sums else _AUTHORITY_LAST_RECEIVED_SQL,
                       [day_list]).df()
    last["as_at"] = pd.to_datetime(last["as_at"]).dt.date
    authority = authority.merge(last, on="as_at", how="left")
    authority["centre_id"] = None
    authority["centre_name"] = "All centres"
    lsoa["centre_name"] = _centre_name_of_rows(lsoa, areas, names, len(day_list))
    levels = {"lsoa": lsoa, "centre": centre, "authority": authority}
    days = np.array(day_list, dtype="datetime64[D]")
    for level, frame in levels.items():
        rows = len(frame) // max(len(day_list), 1)
        _derive(frame, options, np.repeat(days, rows) if level != "authority" else None)
    if families:
        if counted is None:           # no reach area: the families are all out of area
            counted = _families(con, day_list)
        for level, key in (("lsoa", "lsoa_code"), ("centre", "centre_id"), ("authority", None)):
            columns = ["known_families"] + (["known_out_of_area"] if level == "authority" else [])
            found = counted.get(level, pd.DataFrame(columns=["as_at", "area", *columns]))
            found = found.rename(columns={"area": key}) if key else found.drop(columns="area")
            on = ["as_at"] + ([key] if key else [])
            merged = levels[level].merge(found[on + columns], on=on, how="left")
            for column in columns:
                merged[column] = merged[column].fillna(0).astype("int64")
            levels[level] = merged
    return levels


def _by_centre_empty(lsoa: pd.DataFrame) -> pd.DataFrame:
    """`_by_centre` with no LSOA rows: pandas' own empty groups, column types and all."""
    grouped = lsoa.groupby(["as_at", "centre_id"], as_index=False)
    centre = grouped[_SUMMED].sum()
    centre["denominator_flagged"] = grouped["denominator_flagged"].any()["denominator_flagged"]
    centre["flagged_lsoas"] = grouped["denominator_flagged"].sum()["denominator_flagged"]
    centre["under2_estimated_lsoas"] = grouped["under2_estimated"].sum()["under2_estimated"]
    centre["last_birth_data"] = grouped["last_birth_data"].max()["last_birth_data"]
    centre["lsoas"] = grouped["lsoa_code"].count()["lsoa_code"]
    return centre


def _centre_name_of_rows(lsoa: pd.DataFrame, areas: pd.DataFrame, names: pd.DataFrame, dates: int):
    """Each LSOA row's centre name, looked up once per reach area and repeated for each date."""
    names_by_id = dict(zip(names["centre_id"], names["centre_name"]))
    once = areas["centre_id"].map(names_by_id)
    if not len(lsoa):
        return lsoa["centre_id"].map(names_by_id)
    return once.array.take(np.tile(np.arange(len(areas)), dates))


_EXTRA_COLUMNS = {
    "centre": ["known_families", "lsoas", "over_100", "denominator_note"],
    "authority": ["known_families", "known_out_of_area", "lsoas", "over_100", "denominator_note"],
    "lsoa": ["centre_name", "idaci_decile", "known_families", "over_100", "denominator_note"],
}


def _columns(level: str) -> list[str]:
    if level == "lsoa":
        measures = [c for c in REPORT_COLUMNS if c not in ("centre_id", "centre_name")]
        return ["lsoa_code", "centre_id"] + measures + _EXTRA_COLUMNS["lsoa"] + list(UNDER_TWO_COLUMNS)
    return list(REPORT_COLUMNS) + _EXTRA_COLUMNS[level] + list(UNDER_TWO_COLUMNS)


def reach_report(con, *, as_at, by: str = "centre", options: ReportOptions = ReportOptions()) -> pd.DataFrame:
    """Every measure as at one date: one row per centre, per LSOA, or for the authority.

    Columns are `REPORT_COLUMNS` (defined in docs/definitions.md), in order, then extras (known
    families, the reason a denominator is flagged), then `UNDER_TWO_COLUMNS`. Percentages are unrounded; empty
    denominators give NaN.
    """
    if by not in LEVELS:
        raise ValueError(f"--by must be one of {', '.join(LEVELS)}; got {by!r}.")
    return reach_reports(con, as_at=as_at, options=options)[by]


def reach_reports(con, *, as_at, options: ReportOptions = ReportOptions()) -> dict[str, pd.DataFrame]:
    """The report at every level at once ({"centre": ..., "lsoa": ..., "authority": ...}): the
    levels share one computation, so asking for all three costs no more than one."""
    computed = _compute(con, [as_date(as_at)], options)
    return {level: computed[level][_columns(level)].reset_index(drop=True) for level in LEVELS}


def reach_trend(con, *, dates, by: str = "centre", options: ReportOptions = ReportOptions()) -> pd.DataFrame:
    """The same measures for many dates at once, with an `as_at` column first. Known families
    are not counted here (the heaviest measure at scale, and not one anybody trends)."""
    if by not in LEVELS:
        raise ValueError(f"by must be one of {', '.join(LEVELS)}; got {by!r}.")
    return reach_trends(con, dates=dates, options=options)[by]


def reach_trends(con, *, dates, options: ReportOptions = ReportOptions()) -> dict[str, pd.DataFrame]:
    """The trend at every level from one computation: the report's columns (less known families)
    for each date, equal to `reach_reports` at that date, with the raw counts from interval ends
    and running sums (`reach.queries.trend`). Every measure is found that way; none needs a
    computation per date."""
    computed = _compute(con, dates, options, families=False, running_sums=True)
    trends = {}
    for level in LEVELS:
        columns = [c for c in _columns(level) if c not in ("known_families", "known_out_of_area")]
        frame = computed[level][["as_at"] + columns]
        trends[level] = frame.sort_values(["as_at"], kind="stable").reset_index(drop=True)
    return trends


def latest_data_date(con) -> date | None:
    """The most recent date in the data (a registration, a delivery of birth data, a contact).
    Not where the figures start: that is the last day the registrations cover
    (`reach.queries.readiness.starting_as_at`)."""
    value = con.execute(
        """
        SELECT greatest(
            (SELECT max(registered_on) FROM registrations),
            (SELECT max(received_on) FROM births),
            (SELECT max(received_on) FROM birth_counts),
            (SELECT max(contact_on) FROM contacts))
        """
    ).fetchone()[0]
    return value


def json_ready(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain Python values (NaN -> None), for JSON output."""
    records = []
    for row in frame.to_dict(orient="records"):
        clean: dict[str, object] = {}
        for key, value in row.items():
            if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
                clean[key] = None
            elif isinstance(value, (np.integer,)):
                clean[key] = int(value)
            elif isinstance(value, (np.floating,)):
                clean[key] = float(value)
            elif isinstance(value, (np.bool_,)):
                clean[key] = bool(value)
            elif isinstance(value, (date, pd.Timestamp)):
                clean[key] = value.isoformat()[:10]
            else:
                clean[key] = value
        records.append(clean)
    return records
