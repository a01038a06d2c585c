"""The report's figures arranged for a page: centres by band, the gap ranking of LSOAs (and the
few that hold half the families to find), a centre's LSOAs and its trend beside the
authority's. Each takes the report's tables and returns a table; none reads the store."""

from __future__ import annotations

import numpy as np
import pandas as pd

from reach.domain.measures import BAND_ORDER, NO_BAND

# The gap ranking's columns, in the order shown.
GAP_COLUMNS = ("lsoa_code", "lsoa_name", "centre_name", "families_to_find", "children_under5",
               "known_children", "reach_pct", "unmatched_births", "idaci_decile", "centre_id")


def band_counts(centres: pd.DataFrame) -> pd.DataFrame:
    """How many centres are in each indicative band, best first, every band listed (even with
    none). Centres with no figure are counted as 'no figure' when there are any.

    Columns: band, centres.
    """
    bands = centres["band"].astype("object").where(centres["band"].notna(), NO_BAND)
    counts = bands.value_counts()
    order = list(BAND_ORDER) + ([NO_BAND] if counts.get(NO_BAND, 0) else [])
    return pd.DataFrame({"band": order, "centres": [int(counts.get(b, 0)) for b in order]})


def centre_choices(lsoa_report: pd.DataFrame) -> dict[str, str]:
    """The centres that have a reach area, id to name, in the report's order (by id)."""
    pairs = lsoa_report[["centre_id", "centre_name"]].drop_duplicates("centre_id").sort_values("centre_id")
    return dict(zip(pairs["centre_id"], pairs["centre_name"].fillna(pairs["centre_id"])))


def gap_ranking(lsoa_report: pd.DataFrame, *, names: pd.DataFrame,
                centre_id: str | None = None) -> pd.DataFrame:
    """LSOAs ordered by families to find (most first), with their names: where the gaps are.

    `lsoa_report` is `reach_report(..., by="lsoa")`; `names` has `lsoa_code` and `lsoa_name`.
    Ties are broken by unmatched births, then by LSOA code, so the order is stable.
    """
    frame = lsoa_report
    if centre_id is not None:
        frame = frame[frame["centre_id"] == centre_id]
    frame = frame.merge(names[["lsoa_code", "lsoa_name"]], on="lsoa_code", how="left")
    frame = frame.sort_values(["families_to_find", "unmatched_births", "lsoa_code"],
                              ascending=[False, False, True])
    return frame[list(GAP_COLUMNS)].reset_index(drop=True)


def fewest_holding_half(ranking: pd.DataFrame) -> pd.DataFrame:
    """The fewest LSOAs of a gap ranking, most families to find first, that between them hold at
    least half of all its families to find; none when there are none to find."""
    ordered = ranking.sort_values("families_to_find", ascending=False, kind="stable")
    total = int(ordered["families_to_find"].sum())
    if total == 0:
        return ordered.head(0)
    cumulative = ordered["families_to_find"].cumsum().to_numpy()
    # The first position where the running total reaches half (2 x running >= total avoids
    # rounding a half of an odd total).
    return ordered.head(int(np.argmax(2 * cumulative >= total)) + 1)


def lsoa_gaps(lsoas: pd.DataFrame, *, centre_id: str, names: pd.DataFrame | None = None) -> pd.DataFrame:
    """A centre's LSOAs, the most families to find first (then the lowest reach).

    Columns: lsoa_code, lsoa_name (from `names`, with `lsoa_code` and `lsoa_name`; blank where
    none is loaded), idaci_decile, children_under5, known_children, reach_pct, families_to_find,
    unmatched_births, denominator_flagged.
    """
    mine = lsoas[lsoas["centre_id"] == centre_id]
    mine = mine.sort_values(["families_to_find", "reach_pct", "lsoa_code"], ascending=[False, True, True])
    mine = with_lsoa_names(mine, names)
    columns = ["lsoa_code", "lsoa_name", "idaci_decile", "children_under5", "known_children", "reach_pct",
               "families_to_find", "unmatched_births", "denominator_flagged"]
    return mine[columns].reset_index(drop=True)


def with_lsoa_names(frame: pd.DataFrame, names: pd.DataFrame | None) -> pd.DataFrame:
    """`frame` with an `lsoa_name` column beside its `lsoa_code` (order of rows kept): the name
    from `names` where one is loaded, else blank. A frame that has names keeps them."""
    if "lsoa_name" in frame.columns and names is None:
        return frame
    lookup = {} if names is None else dict(zip(names["lsoa_code"], names["lsoa_name"]))
    shown = frame["lsoa_code"].map(lookup).astype(object)
    out = frame.drop(columns="lsoa_name", errors="ignore").copy()
    out.insert(out.columns.get_loc("lsoa_code") + 1, "lsoa_name", shown.where(shown.notna(), None))
    return out


def centre_and_authority_trend(trend: pd.DataFrame, authority_trend: pd.DataFrame, *, centre_id: str) -> pd.DataFrame:
    """A centre's trend and the authority's, one below the other, for a chart with both lines.

    Columns: as_at, series (the centre's name, or 'All centres'), and the measures.
    """
    mine = trend[trend["centre_id"] == centre_id].assign(series=lambda f: f["centre_name"])
    everyone = authority_trend.assign(series="All centres")
    columns = ["as_at", "series", "children_under5", "known_children", "reach_pct", "newborn_reach_pct",
               "sustained_pct", "families_to_find", "unmatched_births"]
    return pd.concat([mine[columns], everyone[columns]], ignore_index=True)
