"""The Best Start page's results at five for publication, every level it shows from one protection.

`reach.queries.outcomes.outcomes_for_publication` gives one level, but protects the LSOA, site and
authority tables together each time it is called, so the page's two calls (by site and for the
authority) did that work twice. `published_outcome_levels` does it once and hands back each
level asked for: the same tables, cell for cell, as the separate calls.
"""

from __future__ import annotations

import pandas as pd

from reach.domain.outcomes import MEASURES, measures, protect_outcomes, published
from reach.domain.suppression import STANDARD, SuppressionRule
from reach.queries.outcomes import AREA_COLUMN, LEVELS, outcome_columns, outcome_counts


def published_outcome_levels(con, *, levels: tuple[str, ...] = ("centre", "authority"), year: int | None = None,
                             target_pct: float = 75.0,
                             rule: SuppressionRule = STANDARD) -> dict[str, pd.DataFrame]:
    """`outcomes_for_publication(by=level, ...)` for each of `levels`, protected together once.
    Raises DisclosureError when some count cannot be protected, and ValueError for an unknown level."""
    unknown = [level for level in levels if level not in LEVELS]
    if unknown:
        raise ValueError(f"outcomes are by centre, lsoa or authority, not {unknown[0]!r}")
    all_counts = {name: outcome_counts(con, by=name, year=year) for name in LEVELS}
    centre_of_lsoa = dict(con.execute("SELECT lsoa_code, centre_id FROM reach_areas").fetchall())
    hidden = protect_outcomes(all_counts, area_of={k: v for k, v in AREA_COLUMN.items() if v},
                              centre_of_lsoa=centre_of_lsoa, rule=rule)
    out = {}
    for level in levels:
        counts = all_counts[level]
        table = measures(counts, keys=outcome_columns(level)[:-len(MEASURES)], target_pct=target_pct)
        out[level] = published(table, counts, hidden[level], rule=rule)
    return out
