"""Disclosure control for anything exported for publication.

The rule (configurable): a count from 1 to 4 is replaced by "c" (the DfE's marker); if a column
has exactly one such cell, the next smallest count in that column is suppressed too, so the cell
cannot be worked out from the column total; a percentage is withheld when its numerator or
denominator is withheld, or when the denominator is below 10; a figure derived from a withheld
count (families to find from known children), or any other share in the same row, is withheld
with it; a figure that does not exist stays blank rather than "c". A centre's own working view
shows every number: this applies only to exports meant for publication.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

# The people-counts in the report, and the figures that would reveal each.
COUNT_COLUMNS = (
    "children_under5", "known_children", "unmatched_births", "sustained_contact",
    "deprived_under5", "deprived_known", "births_12m", "newborns_known_12m", "known_families",
)
PERCENTAGES = {   # percentage: (numerator, denominator)
    "reach_pct": ("known_children", "children_under5"),
    "sustained_pct": ("sustained_contact", "children_under5"),
    "deprived_reach_pct": ("deprived_known", "deprived_under5"),
    "newborn_reach_pct": ("newborns_known_12m", "births_12m"),
}
DERIVED = {"families_to_find": ("known_children", "children_under5"), "band": ("known_children", "children_under5")}


@dataclass(frozen=True)
class SuppressionRule:
    smallest_shown: int = 5               # counts 1 .. smallest_shown - 1 are suppressed
    smallest_denominator_for_pct: int = 10
    marker: str = "c"

    def hides(self, value) -> bool:
        return pd.notna(value) and 0 < value < self.smallest_shown


def suppress_for_publication(frame: pd.DataFrame, *, rule: SuppressionRule = SuppressionRule()) -> pd.DataFrame:
    """A copy of a report table with small counts, and what would reveal them, replaced."""
    counts = [c for c in COUNT_COLUMNS if c in frame.columns]
    hidden = pd.DataFrame(False, index=frame.index, columns=counts)
    for column in counts:
        hidden[column] = frame[column].map(rule.hides).astype(bool)
        # Secondary suppression: one hidden cell in a column could be recovered from the total.
        if hidden[column].sum() == 1 and len(frame) > 1:
            candidates = frame.loc[~hidden[column] & (frame[column] > 0), column]
            if len(candidates):
                hidden.loc[candidates.idxmin(), column] = True

    out = frame.astype(object).copy()
    for column in counts:
        out.loc[hidden[column], column] = rule.marker
    for pct, (numerator, denominator) in PERCENTAGES.items():
        if pct not in frame.columns:
            continue
        withheld = pd.Series(False, index=frame.index)
        for part in (numerator, denominator):
            if part in hidden:
                withheld |= hidden[part]
        if denominator in frame.columns:
            withheld |= frame[denominator].fillna(0) < rule.smallest_denominator_for_pct
        # A percentage that does not exist (no denominator at all) stays blank, not "withheld".
        withheld &= frame[pct].notna()
        out.loc[withheld, pct] = rule.marker
    # Any other share in a row with a withheld count (a share of the known children, say) could
    # reveal that count: withhold it too.
    others = [c for c in frame.columns if c.endswith("_pct") and c not in PERCENTAGES]
    if counts and others:
        row_withheld = hidden.any(axis=1)
        for column in others:
            out.loc[row_withheld & frame[column].notna(), column] = rule.marker
    for derived, parts in DERIVED.items():
        if derived in frame.columns:
            withheld = pd.Series(False, index=frame.index)
            for part in parts:
                if part in hidden:
                    withheld |= hidden[part]
            out.loc[withheld, derived] = rule.marker
    return out
