"""Target groups: reach among the families inspectors asked about, for a centre or the authority.

Two kinds of group, measured differently because only one has a population to count against:

- families in the most deprived areas (LSOAs in IDACI deciles 1 to 3): reach and sustained
  contact over the under-fives living there, exactly as the report works them out (the figures
  come from the report's own per-LSOA counts);
- each registration flag (lone parents, teenage parents, ...): no population estimate exists, so
  the group is shown as a share of the known children, with how many of them are in sustained
  contact.
"""

from __future__ import annotations

import pandas as pd

from data.dates import as_date
from data.schema import REGISTRATION_FLAGS
from reach.domain.measures import DEPRIVED, ReportOptions
from reach.queries.report import KNOWN_CHILDREN_CTES, SUSTAINED_CTE, lsoa_measures

GROUP_NAMES = {
    DEPRIVED: "Families in the most deprived areas",
    "lone_parent": "Lone parents",
    "teenage_parent": "Teenage parents",
    "workless_household": "Workless households",
    "disability": "Disabled children or parents",
    "minority_ethnic": "Minority ethnic families",
    "father_engaged": "Fathers taking part",
}

TARGET_GROUP_COLUMNS = ("group", "group_name", "children_under5", "known_children", "reach_pct",
                        "share_of_known_pct", "sustained_contact", "sustained_pct")

# The known children of the report (KNOWN_CHILDREN_CTES: the registration in force on d, under
# five, living in a reach area), with the flags of that registration and whether their contact
# is sustained. Parameters, in order: the date (as a one-item list), the number of contacts that
# makes contact sustained, then the centre twice (NULL for every reach area).
_FLAG_COUNTS_SQL = f"""
WITH {KNOWN_CHILDREN_CTES},
{SUSTAINED_CTE},
flagged AS (
    SELECT k.*, s.child_key IS NOT NULL AS sustained
    FROM known k
    JOIN reach_areas ra ON ra.lsoa_code = k.lsoa_code
    LEFT JOIN sustained_12m s USING (d, child_key)
    WHERE CAST(? AS VARCHAR) IS NULL OR ra.centre_id = ?
)
SELECT count(*) AS known_children,
       {", ".join(f"count(*) FILTER (WHERE {flag}) AS {flag}_known, "
                  f"count(*) FILTER (WHERE {flag} AND sustained) AS {flag}_sustained"
                  for flag in REGISTRATION_FLAGS)}
FROM flagged
"""

# The same counts for every centre at once (and, in the row whose centre_id is NULL, for every
# reach area): for publication, where every centre's figures are protected together.
# Parameters: the date (as a one-item list), the number of contacts that makes contact sustained.
_FLAG_COUNTS_BY_CENTRE_SQL = f"""
WITH {KNOWN_CHILDREN_CTES},
{SUSTAINED_CTE},
flagged AS (
    SELECT k.*, ra.centre_id, s.child_key IS NOT NULL AS sustained
    FROM known k
    JOIN reach_areas ra ON ra.lsoa_code = k.lsoa_code
    LEFT JOIN sustained_12m s USING (d, child_key)
)
SELECT centre_id, count(*) AS known_children,
       {", ".join(f"count(*) FILTER (WHERE {flag}) AS {flag}_known, "
                  f"count(*) FILTER (WHERE {flag} AND sustained) AS {flag}_sustained"
                  for flag in REGISTRATION_FLAGS)}
FROM flagged
GROUP BY GROUPING SETS ((centre_id), ())
"""


def flag_counts_by_centre(con, *, as_at, options: ReportOptions = ReportOptions()) -> pd.DataFrame:
    """Known children with each registration flag, and of them those in sustained contact, for
    every centre with known children, plus one row (centre_id None) for every reach area.

    Columns: centre_id, known_children, then `<flag>_known` and `<flag>_sustained` for each flag.
    """
    day = as_date(as_at)
    frame = con.execute(_FLAG_COUNTS_BY_CENTRE_SQL, [[day], options.sustained_contacts]).df()
    counts = [c for c in frame.columns if c != "centre_id"]
    frame[counts] = frame[counts].fillna(0).astype("int64")
    frame["centre_id"] = frame["centre_id"].astype(object).where(frame["centre_id"].notna(), None)
    return frame


def _pct(numerator, denominator) -> float:
    return 100.0 * numerator / denominator if denominator else float("nan")


def target_groups(con, *, as_at, centre_id: str | None = None,
                  options: ReportOptions = ReportOptions()) -> pd.DataFrame:
    """One row per target group for a centre's reach area (or every reach area when None).

    Columns: group, group_name, children_under5 (most deprived areas only), known_children,
    reach_pct (most deprived areas only), share_of_known_pct (the group's known children as a
    share of all the known children), sustained_contact, sustained_pct (over the under-fives,
    most deprived areas only). Where a group has no population figure the column is empty,
    never zero, so nobody reads a missing denominator as no children.
    """
    day = as_date(as_at)
    lsoas = lsoa_measures(con, dates=[day], options=options)
    if centre_id is not None:
        lsoas = lsoas[lsoas["centre_id"] == centre_id]
    deprived = lsoas[lsoas["deprived"]]
    counts = con.execute(_FLAG_COUNTS_SQL, [[day], options.sustained_contacts, centre_id, centre_id]).fetchone()
    names = ["known_children"] + [f"{flag}_{part}" for flag in REGISTRATION_FLAGS for part in ("known", "sustained")]
    counts = dict(zip(names, counts))
    all_known = int(lsoas["known_children"].sum())

    under5 = int(deprived["children_under5"].sum())
    known = int(deprived["known_children"].sum())
    sustained = int(deprived["sustained_contact"].sum())
    rows = [dict(group=DEPRIVED, children_under5=under5, known_children=known, reach_pct=_pct(known, under5),
                 share_of_known_pct=_pct(known, all_known), sustained_contact=sustained,
                 sustained_pct=_pct(sustained, under5))]
    for flag in REGISTRATION_FLAGS:
        known = int(counts[f"{flag}_known"])
        rows.append(dict(group=flag, children_under5=None, known_children=known, reach_pct=None,
                         share_of_known_pct=_pct(known, counts["known_children"]),
                         sustained_contact=int(counts[f"{flag}_sustained"]), sustained_pct=None))
    frame = pd.DataFrame(rows)
    frame["group_name"] = frame["group"].map(GROUP_NAMES)
    frame["children_under5"] = frame["children_under5"].astype("Int64")
    for column in ("reach_pct", "share_of_known_pct", "sustained_pct"):
        frame[column] = frame[column].astype("float64")
    return frame[list(TARGET_GROUP_COLUMNS)]


def with_all_centres(groups: pd.DataFrame, authority_groups: pd.DataFrame) -> pd.DataFrame:
    """A centre's target groups with the authority's figures beside them, for comparison:
    adds all_centres_reach_pct and all_centres_share_of_known_pct."""
    everyone = authority_groups.set_index("group")
    out = groups.copy()
    out["all_centres_reach_pct"] = out["group"].map(everyone["reach_pct"])
    out["all_centres_share_of_known_pct"] = out["group"].map(everyone["share_of_known_pct"])
    return out
