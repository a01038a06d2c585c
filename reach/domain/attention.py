"""What needs attention first: which centres, for which concern, in which order.

The order is the order in which a local authority would act: birth data that has stopped
arriving (it starves every centre's outreach), then the centres in the lowest bands, the most
families to find, the longest outreach worklists, areas whose own birth data is late, and
population estimates that cannot be trusted. Within each concern the largest comes first, and
each concern names at most a few centres, so the list stays short.

This module decides; `reach.presentation.attention_sentences` puts each item in words.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from reach.domain.measures import BIRTH_DATA_OVERDUE_AFTER_DAYS, is_overdue

CONCERNS = (   # in order of priority
    "Birth data overdue",
    "Lowest band",
    "Most families to find",
    "Most unmatched births",
    "Birth data overdue for an area",
    "Population estimate flagged",
)
LOWEST_BANDS = ("inadequate", "requires improvement")
# Whether birth data is overdue is decided by `reach.domain.measures.is_overdue`, the one rule.


@dataclass(frozen=True)
class Attention:
    """One item of the list: a concern and the report's row it is about (a centre's row, or the
    authority's own row when `for_centre` is False)."""

    concern: str
    row: pd.Series
    for_centre: bool = True


def what_needs_attention(centres: pd.DataFrame, authority: pd.DataFrame, *, per_concern: int = 3,
                         overdue_after_days: float = BIRTH_DATA_OVERDUE_AFTER_DAYS) -> list[Attention]:
    """The items in order: concern by concern (`CONCERNS`), the largest first within each.

    `centres` and `authority` are the report by centre and for the authority; `per_concern`
    caps how many centres each concern names. An empty list means nothing needs attention.
    """
    if len(authority) != 1:
        raise ValueError(f"Expected the authority report (one row); got {len(authority)} rows.")
    whole = authority.iloc[0]
    items = []

    if is_overdue(whole["birth_data_lag_days"], overdue_after_days=overdue_after_days):
        items.append(Attention(CONCERNS[0], whole, for_centre=False))

    lowest = centres[centres["band"].isin(LOWEST_BANDS)].sort_values(["reach_pct", "centre_name"])
    items += [Attention(CONCERNS[1], row) for _, row in lowest.head(per_concern).iterrows()]

    most = centres[centres["families_to_find"] > 0].sort_values(["families_to_find", "centre_name"],
                                                               ascending=[False, True])
    items += [Attention(CONCERNS[2], row) for _, row in most.head(per_concern).iterrows()]

    unmatched = centres[centres["unmatched_births"] > 0].sort_values(["unmatched_births", "centre_name"],
                                                                    ascending=[False, True])
    items += [Attention(CONCERNS[3], row) for _, row in unmatched.head(per_concern).iterrows()]

    # Only worth saying per area when the authority's feed as a whole is arriving.
    if not is_overdue(whole["birth_data_lag_days"], overdue_after_days=overdue_after_days):
        late = centres[[is_overdue(lag, overdue_after_days=overdue_after_days) and size > 0
                        for lag, size in zip(centres["birth_data_lag_days"], centres["children_under5"])]]
        late = late.assign(_lag=late["birth_data_lag_days"].astype("float64").fillna(float("inf")))
        late = late.sort_values(["_lag", "centre_name"], ascending=[False, True]).drop(columns="_lag")
        items += [Attention(CONCERNS[4], row) for _, row in late.head(per_concern).iterrows()]

    flagged = centres[centres["denominator_flagged"].astype(bool)].sort_values("centre_name")
    items += [Attention(CONCERNS[5], row) for _, row in flagged.head(per_concern).iterrows()]
    return items
