"""Outcomes at five from the store: the good level of development by site area, LSOA or the
whole authority, and each assessment year (docs/definitions.md, "Good level of development",
"GLD gap for free school meals" and "Known early").

- A child's area is the site area (reach area) holding the LSOA of their EYFSP row; a child
  living outside every reach area counts in no area, the authority's included.
- An LSOA with EYFSP rows in a year takes its figures from them; one with none that year but
  with gld counts takes the counts. A site's figure is the sum over its LSOAs of both, except
  where the site has no EYFSP rows that year and gld counts were shared for the site as a whole:
  then those counts are its figure. The authority's is the sum over the sites.
- Every reach-area LSOA (or site) has a row for every assessment year any results are loaded
  for: with nobody assessed, its counts are 0 and its percentages empty.
- Known early: the child's key matches a registration (at any site, whenever it was made), and
  the earliest is dated before the child's second birthday.
"""

from __future__ import annotations

import pandas as pd

from data.settings import gld_target_pct as _stored_gld_target
from reach.domain.outcomes import (
    AUTHORITY,
    COUNTS,
    MEASURES,
    child_counts,
    counts_from_gld_counts,
    measures,
    protect_outcomes,
    published,
    published_table,
    record_counts,
)
from reach.domain.suppression import STANDARD, SuppressionRule

LEVELS = ("centre", "lsoa", "authority")
AREA_COLUMN = {"centre": "centre_id", "lsoa": "lsoa_code", "authority": None}


def outcome_columns(by: str) -> list[str]:
    """The columns of `outcomes(by=...)`: the year, the area (none for the authority), the measures."""
    area = AREA_COLUMN[_checked_level(by)]
    return ["assessment_year", *([area] if area else []), *MEASURES]


def gld_target(con) -> float:
    """The GLD target the store records (`meta.gld_target_pct`), else 75."""
    return _stored_gld_target(con)


def outcomes(con, *, by: str = "centre", year: int | None = None, target_pct: float = 75.0) -> pd.DataFrame:
    """One row per area and assessment year (the latest year first, then the area), with exactly
    the contract's columns (`outcome_columns`). `year` keeps one assessment year. `target_pct` is
    the GLD target shown in each row: pass `gld_target(con)` for the store's setting."""
    counts = outcome_counts(con, by=by, year=year)
    table = measures(counts, keys=outcome_columns(by)[:-len(MEASURES)], target_pct=target_pct)
    # The FSM counts behind the gap go with the table, for `published_outcomes`.
    return record_counts(table, counts, area_column=AREA_COLUMN[by])


def published_outcomes(table: pd.DataFrame, *, rule: SuppressionRule = STANDARD) -> pd.DataFrame:
    """An `outcomes(...)` table (whole, or some of its rows) as it may be published on its own:
    counts from 1 to 4 shown as "c", and any other count that would let one be worked out, each
    year's total over the rows taken as known; percentages withheld with their counts or where
    fewer than 10 children are counted. Raises DisclosureError when a count cannot be protected.
    To publish several levels, `outcomes_for_publication` protects them together."""
    return published_table(table, rule=rule)


def outcomes_for_publication(con, *, by: str = "centre", year: int | None = None, target_pct: float = 75.0,
                             rule: SuppressionRule = STANDARD) -> pd.DataFrame:
    """`outcomes(...)` as it may be published: counts from 1 to 4 shown as "c", and any other
    count that would let one be worked out. The LSOA, site and authority tables of the same
    years are protected together, so that publishing any of them beside another narrows nothing.
    Raises DisclosureError when some count cannot be protected."""
    level = _checked_level(by)
    all_counts = {name: outcome_counts(con, by=name, year=year) for name in LEVELS}
    centre_of_lsoa = dict(con.execute("SELECT lsoa_code, centre_id FROM reach_areas").fetchall())
    hidden = protect_outcomes(all_counts, area_of={k: v for k, v in AREA_COLUMN.items() if v},
                              centre_of_lsoa=centre_of_lsoa, rule=rule)
    counts = all_counts[level]
    table = measures(counts, keys=outcome_columns(level)[:-len(MEASURES)], target_pct=target_pct)
    return published(table, counts, hidden[level], rule=rule)


def outcome_counts(con, *, by: str = "centre", year: int | None = None) -> pd.DataFrame:
    """The counts behind `outcomes` (`reach.domain.outcomes.COUNTS`), per area and year."""
    level = _checked_level(by)
    areas = con.execute("SELECT lsoa_code, centre_id FROM reach_areas ORDER BY lsoa_code").df()
    years = [row[0] for row in con.execute(
        """SELECT DISTINCT assessment_year FROM (SELECT assessment_year FROM eyfsp
                                                 UNION SELECT assessment_year FROM gld_counts)
           WHERE $year IS NULL OR assessment_year = $year ORDER BY assessment_year DESC""",
        {"year": year}).fetchall()]
    children = con.execute(
        """SELECT e.assessment_year, e.lsoa_code, ra.centre_id, e.gld, e.fsm, e.dob, r.first_registered
           FROM eyfsp e
           JOIN reach_areas ra ON ra.lsoa_code = e.lsoa_code
           LEFT JOIN (SELECT child_key, min(registered_on) AS first_registered FROM registrations
                      GROUP BY child_key) r ON r.child_key = e.child_key
           WHERE $year IS NULL OR e.assessment_year = $year""", {"year": year}).df()
    shared = con.execute(
        """SELECT area_type, area_code, assessment_year, assessed, gld, fsm_assessed, fsm_gld
           FROM gld_counts WHERE $year IS NULL OR assessment_year = $year""", {"year": year}).df()

    by_lsoa = _lsoa_counts(children, shared, areas)
    if level == "lsoa":
        grid = pd.MultiIndex.from_product([years, areas["lsoa_code"]], names=["assessment_year", "lsoa_code"])
        return _on_grid(by_lsoa, grid)
    by_centre = _centre_counts(children, shared, by_lsoa, areas)
    centres = sorted(areas["centre_id"].unique())
    grid = pd.MultiIndex.from_product([years, centres], names=["assessment_year", "centre_id"])
    by_centre = _on_grid(by_centre, grid)
    if level == "centre":
        return by_centre
    total = by_centre.groupby("assessment_year", as_index=False)[list(COUNTS)].sum()
    grid = pd.Index(years, name="assessment_year")
    return (total.set_index("assessment_year").reindex(grid, fill_value=0).reset_index()
            .astype({column: "int64" for column in COUNTS}))


def _checked_level(by: str) -> str:
    if by not in LEVELS:
        raise ValueError(f"outcomes are by centre, lsoa or authority, not {by!r}")
    return by


def _lsoa_counts(children: pd.DataFrame, shared: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Per reach-area LSOA and year: from the children assessed, else from the LSOA's gld counts."""
    keys = ["assessment_year", "lsoa_code"]
    records = child_counts(children, keys)
    lsoa_shared = shared[(shared["area_type"] == "lsoa") & shared["area_code"].isin(areas["lsoa_code"])]
    lsoa_shared = counts_from_gld_counts(lsoa_shared.rename(columns={"area_code": "lsoa_code"}))
    with_records = set(zip(records["assessment_year"], records["lsoa_code"]))
    counts_only = _without(lsoa_shared, with_records, keys)
    return pd.concat([records[[*keys, *COUNTS]], counts_only[[*keys, *COUNTS]]], ignore_index=True)


def _centre_counts(children: pd.DataFrame, shared: pd.DataFrame, by_lsoa: pd.DataFrame,
                   areas: pd.DataFrame) -> pd.DataFrame:
    """Per site and year: the sum over its LSOAs, or the counts shared for the whole site where it
    has no children's records that year."""
    keys = ["assessment_year", "centre_id"]
    centre_of = areas.set_index("lsoa_code")["centre_id"]
    summed = (by_lsoa.assign(centre_id=by_lsoa["lsoa_code"].map(centre_of))
              .groupby(keys, as_index=False)[list(COUNTS)].sum())
    with_records = set(zip(children["assessment_year"], children["centre_id"]))
    whole = shared[(shared["area_type"] == "centre") & shared["area_code"].isin(areas["centre_id"])]
    whole = counts_from_gld_counts(whole.rename(columns={"area_code": "centre_id"}))
    whole = _without(whole, with_records, keys)
    summed = _without(summed, set(zip(whole["assessment_year"], whole["centre_id"])), keys)
    return pd.concat([summed[[*keys, *COUNTS]], whole[[*keys, *COUNTS]]], ignore_index=True)


def _without(frame: pd.DataFrame, keys: set, columns: list[str]) -> pd.DataFrame:
    """The rows of `frame` whose (year, area) is not in `keys`."""
    kept = [key not in keys for key in zip(*(frame[column] for column in columns))]
    return frame.loc[pd.Series(kept, index=frame.index, dtype=bool)]


def _on_grid(counts: pd.DataFrame, grid: pd.MultiIndex) -> pd.DataFrame:
    """Counts for every (year, area) of `grid`, in its order, zeros where there are none."""
    keys = list(grid.names)
    if counts.empty:
        frame = pd.DataFrame(0, index=grid, columns=list(COUNTS))
    else:
        frame = counts.set_index(keys)[list(COUNTS)].reindex(grid, fill_value=0)
    return frame.reset_index().astype({column: "int64" for column in COUNTS})


__all__ = ["AUTHORITY", "LEVELS", "gld_target", "outcome_columns", "outcome_counts", "outcomes",
           "outcomes_for_publication", "published_outcomes"]
