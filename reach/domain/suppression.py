"""The disclosure rule, and how a table looks once its hidden counts are known.

The rule (configurable): a count from 1 to 4 is replaced by "c" (the DfE's marker), and so is
any other count that would let someone work one out (see `reach.domain.disclosure`, which
decides which counts to hide over everything published together); a percentage is withheld when its numerator
or denominator is hidden, or when the denominator is below 10; a figure derived from a hidden
count (families to find, the band, the over-100% and denominator flags), or any other share in
the same row, is withheld with it; a figure that does not exist stays blank rather than "c". A
centre's own working view shows every number: this applies only to exports for publication.

Two rules can be chosen (`RULES`): "standard", the rule above, and "nhs", the one NHS statistics
use: counts from 1 to 7 hidden (and whatever would reveal them, decided as for the standard rule,
as if every shown count were exact), every other count rounded to the nearest 5, and every
percentage worked out again from the rounded counts (`rounded`). Deciding what to hide as if the
shown counts were exact is the cautious choice: rounding can only widen the range left to a
hidden count, never narrow it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd


# The people-counts in the report and its companion tables, and the figures that would reveal each.
COUNT_COLUMNS = (
    "children_under5", "known_children", "unmatched_births", "sustained_contact",
    "deprived_under5", "deprived_known", "births_12m", "newborns_known_12m", "known_families",
    "known_out_of_area", "children_under2", "known_under2",
)
PERCENTAGES = {   # percentage: (numerator, denominator)
    "reach_pct": ("known_children", "children_under5"),
    "sustained_pct": ("sustained_contact", "children_under5"),
    "deprived_reach_pct": ("deprived_known", "deprived_under5"),
    "newborn_reach_pct": ("newborns_known_12m", "births_12m"),
    "reach_under2_pct": ("known_under2", "children_under2"),
}
DERIVED = {
    "families_to_find": ("known_children", "children_under5"),
    "band": ("known_children", "children_under5"),
    # "More known than the estimate" says known > under five: a bound on either.
    "over_100": ("known_children", "children_under5"),
    "denominator_flagged": ("known_children", "children_under5"),
    "families_to_find_under2": ("known_under2", "children_under2"),
}


@dataclass(frozen=True)
class SuppressionRule:
    """Counts from 1 to `smallest_shown - 1` are hidden; each hidden count must be left a range
    of at least `protection_width` by everything published (by default `smallest_shown - 1`,
    so nobody can even tell the count is below `smallest_shown`)."""

    smallest_shown: int = 5               # counts 1 .. smallest_shown - 1 are suppressed
    smallest_denominator_for_pct: int = 10
    marker: str = "c"
    min_range: int | None = None
    rounding: int = 1                     # every count shown is rounded to a multiple of this
    name: str = "standard"

    @property
    def protection_width(self) -> int:
        return self.min_range if self.min_range is not None else self.smallest_shown - 1

    def describe(self) -> str:
        """The rule in words, for the files it is applied to."""
        hidden = (f'Counts from 1 to {self.smallest_shown - 1} are shown as "{self.marker}", and so is any '
                  f"other count that would let one be worked out from the figures published with it "
                  f"(each hidden count could be any of at least {self.protection_width + 1} values)")
        if self.rounding > 1:
            return (f"{hidden}; every other count is rounded to the nearest {self.rounding} (0 stays 0), so "
                    f"parts may not add up to their totals; percentages are worked out from the rounded "
                    f"counts, and withheld with their counts and where the denominator is below "
                    f"{self.smallest_denominator_for_pct}.")
        return (f"{hidden}; percentages are withheld with their counts and where the denominator is below "
                f"{self.smallest_denominator_for_pct}.")

    def rounded(self, value: int) -> int:
        """A shown count rounded as the rule says (halves up: 2.5 is never a count, 7.5 neither)."""
        return int(math.floor(value / self.rounding + 0.5)) * self.rounding


STANDARD = SuppressionRule()
NHS = SuppressionRule(smallest_shown=8, rounding=5, name="nhs")
RULES = {rule.name: rule for rule in (STANDARD, NHS)}
# Shares beside the report's percentages: share: (numerator, denominator).
SHARES = {"share_of_known_pct": ("known_children", "all_known")}
# Counts worked out from others that are rounded like them under a rounding rule.
ROUNDED_DERIVED = ("families_to_find", "families_to_find_under2")


def render(frame: pd.DataFrame, hidden: pd.DataFrame, *, rule: SuppressionRule = SuppressionRule()) -> pd.DataFrame:
    """A copy of `frame` with the counts marked in `hidden` (a frame of booleans with the same
    index and some of its columns) replaced by the marker, and the percentages and derived
    figures that would reveal them withheld."""
    hidden = hidden.reindex(index=frame.index).fillna(False).astype(bool)
    out = frame.astype(object).copy()
    for column in hidden.columns:
        if column in out.columns:
            out.loc[hidden[column], column] = rule.marker

    def withheld_by(parts) -> pd.Series:
        withheld = pd.Series(False, index=frame.index)
        for part in parts:
            if part in hidden.columns:
                withheld |= hidden[part]
        return withheld

    for pct, (numerator, denominator) in PERCENTAGES.items():
        if pct not in frame.columns:
            continue
        withheld = withheld_by((numerator, denominator))
        if denominator in frame.columns:
            withheld |= pd.to_numeric(frame[denominator], errors="coerce").fillna(0) < rule.smallest_denominator_for_pct
        # A percentage that does not exist (no denominator at all) stays blank, not "withheld".
        withheld &= frame[pct].notna()
        out.loc[withheld, pct] = rule.marker
    # Any other share in a row with a hidden count (a share of the known children, say) could
    # reveal that count: withhold it too.
    others = [c for c in frame.columns if c.endswith("_pct") and c not in PERCENTAGES]
    if len(hidden.columns) and others:
        row_withheld = hidden.any(axis=1)
        for column in others:
            out.loc[row_withheld & frame[column].notna(), column] = rule.marker
    for derived, parts in DERIVED.items():
        if derived in frame.columns:
            out.loc[withheld_by(parts) & frame[derived].notna(), derived] = rule.marker
    return out


def rounded(frame: pd.DataFrame, *, rule: SuppressionRule, raw: pd.DataFrame | None = None) -> pd.DataFrame:
    """`frame` (rendered by the rule) with every count still shown rounded as the rule says, and
    every percentage still shown worked out again from the rounded counts; a percentage whose
    counts are not in the table (nor in `raw`, the same rows before suppression) is withheld.
    Unchanged for a rule that does not round."""
    if rule.rounding <= 1:
        return frame
    out = frame.astype(object).copy()

    def rounded_cell(value):
        if isinstance(value, str) or value is None or pd.isna(value) or isinstance(value, bool):
            return value
        return rule.rounded(int(value))

    for column in (*COUNT_COLUMNS, *ROUNDED_DERIVED, "all_known"):
        if column in out.columns:
            out[column] = [rounded_cell(v) for v in out[column]]

    def counts(column: str) -> list:
        if column in out.columns:
            return list(out[column])
        if raw is not None and column in raw.columns:
            return [rounded_cell(v) for v in raw[column].reindex(frame.index)]
        return [None] * len(out)

    shares = {**PERCENTAGES, **SHARES}
    for pct in [c for c in out.columns if str(c).endswith("_pct")]:
        parts = shares.get(pct)
        numerators, denominators = (counts(parts[0]), counts(parts[1])) if parts else ([None] * len(out),) * 2
        values = []
        for shown, numerator, denominator in zip(out[pct], numerators, denominators):
            if isinstance(shown, str) or shown is None or pd.isna(shown):
                values.append(shown)          # withheld already, or no figure at all
            elif (isinstance(numerator, str) or isinstance(denominator, str) or numerator is None
                  or denominator is None or pd.isna(numerator) or pd.isna(denominator) or denominator <= 0):
                values.append(rule.marker)
            else:
                values.append(100.0 * numerator / denominator)
        out[pct] = values
    return out
