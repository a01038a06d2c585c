"""Comparing centres fairly: the league table with intervals, and centres serving similar areas.

Every comparison is with the authority's own figure (all reach areas together), using the
funnel limits of `reach.domain.stats`, so a small centre is not called worse for a swing that
chance alone would explain. Each figure can be reach, newborn reach or sustained contact.

The tables hold names as they are (plain text for a table or a CSV); the sentences that read
them are in `reach.presentation.comparison_sentences`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from reach.domain.stats import Z_95, compare_with, wilson_interval


@dataclass(frozen=True)
class Measure:
    """A percentage in the report: its numerator and denominator columns, and its words."""

    key: str
    name: str            # as a heading: "Reach"
    column: str          # the percentage column in the report
    numerator: str
    denominator: str
    denominator_words: str   # "children under five"
    has_target: bool     # whether the outstanding threshold (97%) applies to it


MEASURES: dict[str, Measure] = {
    m.key: m for m in [
        Measure("reach", "Reach", "reach_pct", "known_children", "children_under5",
                "children under five", True),
        Measure("newborn_reach", "Newborn reach", "newborn_reach_pct", "newborns_known_12m", "births_12m",
                "babies born in the last 12 months", True),
        Measure("sustained", "Sustained contact", "sustained_pct", "sustained_contact", "children_under5",
                "children under five", False),
    ]
}

LEAGUE_COLUMNS = ("rank", "centre_id", "centre_name")


def measure(key: str) -> Measure:
    """The measure called `key`, with an error that lists the choices."""
    try:
        return MEASURES[key]
    except KeyError:
        raise ValueError(f"Unknown measure {key!r}; expected one of {', '.join(MEASURES)}.") from None


def benchmark(authority: pd.DataFrame, *, measure_key: str = "reach") -> float:
    """The authority's figure for a measure: its comparator for every centre."""
    chosen = measure(measure_key)
    if len(authority) != 1:
        raise ValueError(f"Expected the authority report (one row); got {len(authority)} rows.")
    return float(authority[chosen.column].iloc[0])


def league_table(centres: pd.DataFrame, *, benchmark_pct: float, measure_key: str = "reach") -> pd.DataFrame:
    """Centres ranked by a measure, each with its Wilson 95% interval and its comparison with
    the authority's figure ('better', 'similar', 'worse' or 'no figure').

    Columns: rank, centre_id, centre_name, the measure's numerator, denominator and
    percentage (in the report's spelling), lower_95, upper_95, comparison, band. Rank 1 is the
    highest figure; a centre with no figure comes last, unranked.
    """
    chosen = measure(measure_key)
    frame = centres[["centre_id", "centre_name", chosen.numerator, chosen.denominator, chosen.column, "band"]].copy()
    intervals = [
        wilson_interval(known, size) if size > 0 else None
        for known, size in zip(frame[chosen.numerator], frame[chosen.denominator])
    ]
    frame["lower_95"] = [i.lower if i else math.nan for i in intervals]
    frame["upper_95"] = [i.upper if i else math.nan for i in intervals]
    frame["comparison"] = [
        compare_with(known, size, benchmark_pct=benchmark_pct, z=Z_95)
        for known, size in zip(frame[chosen.numerator], frame[chosen.denominator])
    ]
    frame = frame.sort_values([chosen.column, "centre_name"], ascending=[False, True], na_position="last")
    frame["rank"] = frame[chosen.column].rank(ascending=False, method="min").astype("Int64")
    columns = [*LEAGUE_COLUMNS, chosen.numerator, chosen.denominator, chosen.column,
               "lower_95", "upper_95", "comparison", "band"]
    return frame[columns].reset_index(drop=True)


CHART_CENTRES = 40   # more than this and a league chart stops being readable


def league_for_chart(league: pd.DataFrame, *, limit: int = CHART_CENTRES,
                     include: str | None = None) -> tuple[pd.DataFrame, str | None]:
    """The rows of a league table to draw, and a note when not all are drawn.

    A regional or national team may compare thousands of centres: a chart of them all is a
    smear. Beyond `limit`, the chart shows the highest and the lowest half-limit each (and the
    centre `include`, if given, wherever it ranks); the table keeps every centre.
    """
    if len(league) <= limit:
        return league, None
    half = limit // 2
    keep = league.index[:half].union(league.index[-half:])
    if include is not None:
        keep = keep.union(league.index[league["centre_id"] == include])
    shown = league.loc[keep]
    note = (f"The chart shows the {half} highest and the {half} lowest of {len(league):,} centres"
            + (" and the chosen centre" if include is not None and len(shown) > 2 * half else "")
            + "; the table below lists them all.")
    return shown, note


def deprived_share(centres: pd.DataFrame) -> pd.Series:
    """Each centre's share of under-fives living in the most deprived areas (IDACI 1 to 3), in %."""
    size = centres["children_under5"].astype("float64")
    return (100.0 * centres["deprived_under5"].astype("float64") / size).where(size > 0)


def similar_centres(centres: pd.DataFrame, *, centre_id: str, count: int = 4) -> pd.DataFrame:
    """The chosen centre and the `count` centres whose share of under-fives in the most deprived
    areas is closest to its own: a fair set to compare with, side by side.

    Columns: centre_id, centre_name, is_chosen, deprived_share_pct, difference_pts (how far
    the share is from the chosen centre's, in percentage points), children_under5,
    known_children, reach_pct, newborn_reach_pct, sustained_pct, band. The chosen centre first,
    then the closest first.
    """
    if centre_id not in set(centres["centre_id"]):
        raise ValueError(f"No centre {centre_id!r} in the report.")
    frame = centres.copy()
    frame["deprived_share_pct"] = deprived_share(frame)
    own = frame.loc[frame["centre_id"] == centre_id, "deprived_share_pct"].iloc[0]
    if pd.isna(own):
        raise ValueError(f"Centre {centre_id!r} has no children under five recorded, so it has no "
                         "deprivation profile to compare.")
    frame["difference_pts"] = (frame["deprived_share_pct"] - own).abs()
    frame["is_chosen"] = frame["centre_id"] == centre_id
    others = frame[~frame["is_chosen"] & frame["deprived_share_pct"].notna()]
    others = others.sort_values(["difference_pts", "centre_name"]).head(count)
    chosen = pd.concat([frame[frame["is_chosen"]], others])
    columns = ["centre_id", "centre_name", "is_chosen", "deprived_share_pct", "difference_pts",
               "children_under5", "known_children", "reach_pct", "newborn_reach_pct", "sustained_pct", "band"]
    return chosen[columns].reset_index(drop=True)
