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

import numpy as np
import pandas as pd

from reach.domain.stats import Z_95, comparisons, limits_reached, wilson_interval


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
        Measure("reach_under2", "Reach under two", "reach_under2_pct", "known_under2", "children_under2",
                "children under two", True),
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
    """The authority's figure for a measure: its comparator for every centre (NaN when the
    authority has nothing to count it from, as on a new store)."""
    chosen = measure(measure_key)
    if len(authority) != 1:
        raise ValueError(f"Expected the authority report (one row); got {len(authority)} rows.")
    return float(authority[chosen.column].iloc[0])


def flagged(centres: pd.DataFrame, *, measure_key: str = "reach") -> pd.Series:
    """Whether each centre's figure rests on a population figure in doubt, so it is shown but not
    ranked or compared: for the measures over children under five, a population estimate the
    report flags (a fallback figure, or more children known than estimated); for any measure, a
    figure over 100% (more counted than there are: the denominator is too low)."""
    chosen = measure(measure_key)
    over = centres[chosen.column].astype("float64") > 100
    if chosen.denominator == "children_under5" and "denominator_flagged" in centres:
        return (centres["denominator_flagged"].fillna(False).astype(bool) | over).astype(bool)
    if chosen.denominator == "children_under2" and "under2_estimated" in centres:
        # The under-twos of a flagged estimate, or estimated from the under-fives, are in doubt too.
        doubt = centres["under2_estimated"].fillna(False).astype(bool)
        if "denominator_flagged" in centres:
            doubt |= centres["denominator_flagged"].fillna(False).astype(bool)
        return (doubt | over).astype(bool)
    return over.astype(bool)


def league_table(centres: pd.DataFrame, *, benchmark_pct: float, measure_key: str = "reach") -> pd.DataFrame:
    """Centres ranked by a measure, each with its Wilson 95% interval, its comparison with the
    authority's figure ('better', 'similar', 'worse', 'flagged' or 'no figure') and the funnel
    limits it lies beyond ('99.8', '95', 'within', or None when it is not compared).

    Columns: rank, centre_id, centre_name, the measure's numerator, denominator and
    percentage (in the report's spelling), lower_95, upper_95, comparison, limits, band,
    estimate_note. Rank 1 is the highest figure among the centres compared. A centre whose
    population figure is flagged (see `flagged`) is shown with its figure but is neither ranked
    nor called higher or lower, since its figure may be off by more than any difference; it comes
    after the ranked centres, with the reason in estimate_note. A centre with no figure comes last.
    """
    chosen = measure(measure_key)
    frame = centres[["centre_id", "centre_name", chosen.numerator, chosen.denominator, chosen.column, "band"]].copy()
    doubtful = flagged(centres, measure_key=measure_key).to_numpy()
    sizes = frame[chosen.denominator].astype("float64")
    intervals = [
        wilson_interval(known, size) if size > 0 else None
        for known, size in zip(frame[chosen.numerator], sizes)
    ]
    frame["lower_95"] = [i.lower if i else math.nan for i in intervals]
    frame["upper_95"] = [i.upper if i else math.nan for i in intervals]
    known = frame[chosen.numerator].astype("float64")
    compared = comparisons(known, sizes, benchmark_pct=benchmark_pct, z=Z_95)
    frame["comparison"] = np.where(doubtful & (compared != "no figure"), "flagged", compared).astype(object)
    limits = limits_reached(known, sizes, benchmark_pct=benchmark_pct)
    limits[frame["comparison"].isin(["flagged", "no figure"]).to_numpy()] = None
    frame["limits"] = limits
    notes = centres["denominator_note"] if "denominator_note" in centres else pd.Series(None, index=centres.index)
    in_doubt = ("children under two estimated as two fifths of the under-fives, or counted from births and "
                "registrations" if chosen.denominator == "children_under2" else "population estimate flagged")
    frame["estimate_note"] = [
        (note if isinstance(note, str) and note else
         "more counted than the population figure: it is too low" if value > 100 else in_doubt)
        if c == "flagged" else None
        for note, value, c in zip(notes, frame[chosen.column], frame["comparison"])
    ]
    frame["_order"] = frame["comparison"].map({"flagged": 1, "no figure": 2}).fillna(0)
    frame = frame.sort_values(["_order", chosen.column, "centre_name"], ascending=[True, False, True],
                              na_position="last")
    ranked = frame[chosen.column].where(frame["_order"] == 0)
    frame["rank"] = ranked.rank(ascending=False, method="min").astype("Int64")
    columns = [*LEAGUE_COLUMNS, chosen.numerator, chosen.denominator, chosen.column,
               "lower_95", "upper_95", "comparison", "limits", "band", "estimate_note"]
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


SIMILAR_WITHIN_PTS = 10.0   # how close a centre's deprived share must be to count as similar


def similar_centres(centres: pd.DataFrame, *, centre_id: str, count: int = 4,
                    within_pts: float = SIMILAR_WITHIN_PTS) -> pd.DataFrame:
    """The chosen centre and up to `count` centres serving similar areas: those whose share of
    under-fives in the most deprived areas is within `within_pts` percentage points of its own,
    closest first. A centre further away is not similar, however few are left: the table may
    hold fewer than `count` others, or none.

    Columns: centre_id, centre_name, is_chosen, deprived_share_pct, difference_pts (how far
    the share is from the chosen centre's, in percentage points), children_under5,
    known_children, reach_pct, newborn_reach_pct, sustained_pct, band, denominator_flagged
    (its population estimate is flagged, so its figures are read with care). The chosen centre
    first, then the closest first.
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
    frame["denominator_flagged"] = (flagged(frame) if "denominator_flagged" in frame
                                    else frame["reach_pct"].astype("float64") > 100)
    # A small tolerance, so a share that rounds to the limit is not left out by a float's last digit.
    close = frame["difference_pts"] <= within_pts + 1e-9
    others = frame[~frame["is_chosen"] & frame["deprived_share_pct"].notna() & close]
    others = others.sort_values(["difference_pts", "centre_name"]).head(count)
    chosen = pd.concat([frame[frame["is_chosen"]], others])
    columns = ["centre_id", "centre_name", "is_chosen", "deprived_share_pct", "difference_pts",
               "children_under5", "known_children", "reach_pct", "newborn_reach_pct", "sustained_pct", "band",
               "denominator_flagged"]
    columns += [c for c in ("reach_under2_pct",) if c in chosen]    # beside the others, where reported
    return chosen[columns].reset_index(drop=True)
