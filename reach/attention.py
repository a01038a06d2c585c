"""What needs attention first: a short ranked list, in plain words, drawn from the report.

The order is the order in which a local authority would act: birth data that has stopped
arriving (it starves every centre's outreach), then the centres in the lowest bands, the most
families to find, the longest outreach worklists, areas whose own birth data is late, and
population estimates that cannot be trusted. Within each concern the largest comes first, and
each concern names at most a few centres, so the list stays short.

The table (`needs_attention`) is plain text, for a table or a CSV; the list read aloud
(`attention_lines`) is Markdown, with every name and message escaped.
"""

from __future__ import annotations

import pandas as pd

from reach import format as fmt
from reach.measures import Bands
from reach.safe_text import markdown_text
from reach.summaries import OVERDUE_AFTER_DAYS, band_range, is_overdue, lag_sentence

ATTENTION_COLUMNS = ("rank", "concern", "centre_id", "centre_name", "detail", "message")

CONCERNS = (   # in order of priority
    "Birth data overdue",
    "Lowest band",
    "Most families to find",
    "Most unmatched births",
    "Birth data overdue for an area",
    "Population estimate flagged",
)
# How each concern reads as one line of the short list, before the centres it names.
CONCERN_LINES = {
    "Lowest band": "Centres in the lowest bands",
    "Most families to find": "The most families to find",
    "Most unmatched births": "The longest outreach worklists (unmatched births)",
    "Birth data overdue for an area": "Birth data late for these areas",
    "Population estimate flagged": "Population estimate flagged, so reach may be wrong",
}
LOWEST_BANDS = ("inadequate", "requires improvement")


def needs_attention(centres: pd.DataFrame, authority: pd.DataFrame, *, bands: Bands, as_at,
                    per_concern: int = 3, overdue_after_days: int = OVERDUE_AFTER_DAYS) -> pd.DataFrame:
    """The ranked list: one row per concern and centre (the authority's own birth-data lag is a
    row without a centre). Columns: rank, concern, centre_id, centre_name, message.

    `centres` and `authority` are the report by centre and for the authority; `per_concern`
    caps how many centres each concern names. An empty frame means nothing needs attention.
    """
    if len(authority) != 1:
        raise ValueError(f"Expected the authority report (one row); got {len(authority)} rows.")
    whole = authority.iloc[0]
    rows = []

    def add(concern, row, detail, message):
        rows.append(dict(concern=concern, centre_id=None if row is None else row["centre_id"],
                         centre_name="All centres" if row is None else row["centre_name"],
                         detail=detail, message=message))

    lag = whole["birth_data_lag_days"]
    if is_overdue(lag, overdue_after_days=overdue_after_days):
        add(CONCERNS[0], None, "none yet" if pd.isna(lag) else fmt.days(lag),
            lag_sentence(lag, as_at=as_at, overdue_after_days=overdue_after_days))

    lowest = centres[centres["band"].isin(LOWEST_BANDS)].sort_values(["reach_pct", "centre_name"])
    for _, row in lowest.head(per_concern).iterrows():
        add(CONCERNS[1], row, f"{fmt.percent(row['reach_pct'])}, {row['band']}",
            f"{row['centre_name']} knows {fmt.percent(row['reach_pct'])} of its under-fives: "
                              f"indicative band {band_range(row['band'], bands)}.")

    most = centres[centres["families_to_find"] > 0].sort_values(["families_to_find", "centre_name"],
                                                               ascending=[False, True])
    for _, row in most.head(per_concern).iterrows():
        add(CONCERNS[2], row, fmt.count(row["families_to_find"]),
            f"{row['centre_name']} has {fmt.count(row['families_to_find'])} families to find "
                              f"to reach {bands.outstanding:g}% of its {fmt.count(row['children_under5'])} under-fives.")

    unmatched = centres[centres["unmatched_births"] > 0].sort_values(["unmatched_births", "centre_name"],
                                                                    ascending=[False, True])
    for _, row in unmatched.head(per_concern).iterrows():
        n = int(row["unmatched_births"])
        add(CONCERNS[3], row, fmt.count(n), f"{row['centre_name']} has {fmt.count(n)} unmatched birth{'s' if n != 1 else ''}: "
                              f"children health has passed on who are not yet registered.")

    # Only worth saying per area when the authority's feed as a whole is arriving.
    if not is_overdue(whole["birth_data_lag_days"], overdue_after_days=overdue_after_days):
        late = centres[[is_overdue(lag, overdue_after_days=overdue_after_days) and size > 0
                        for lag, size in zip(centres["birth_data_lag_days"], centres["children_under5"])]]
        late = late.assign(_lag=late["birth_data_lag_days"].astype("float64").fillna(float("inf")))
        for _, row in late.sort_values(["_lag", "centre_name"], ascending=[False, True]).head(per_concern).iterrows():
            lag = row["birth_data_lag_days"]
            words = ("no birth data has arrived for its area" if pd.isna(lag)
                     else f"the latest birth data for its area is {fmt.days(lag)} old")
            add(CONCERNS[4], row, "no data yet" if pd.isna(lag) else f"{fmt.days(lag)} old",
                f"{row['centre_name']}: {words}.")

    flagged = centres[centres["denominator_flagged"].astype(bool)].sort_values("centre_name")
    for _, row in flagged.head(per_concern).iterrows():
        reason = row.get("denominator_note")
        reason = reason if isinstance(reason, str) and reason else "the population estimate is uncertain"
        add(CONCERNS[5], row, reason, f"{row['centre_name']}: {reason}, so its reach may be wrong.")

    frame = pd.DataFrame(rows, columns=["concern", "centre_id", "centre_name", "detail", "message"])
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame[list(ATTENTION_COLUMNS)]


def attention_lines(attention: pd.DataFrame) -> list[str]:
    """The list read aloud: one line per concern, in order, naming its centres with their
    figures: 'The most families to find: Parkside (583), Northgate (445).'

    Each line is Markdown: the names, figures and messages in it are escaped.
    """
    lines = []
    for concern, rows in attention.groupby("concern", sort=False):
        if concern not in CONCERN_LINES:    # a concern about the whole authority: its own sentence
            lines.extend(markdown_text(message) for message in rows["message"])
            continue
        named = ", ".join(f"{markdown_text(name)} ({markdown_text(detail)})"
                          for name, detail in zip(rows["centre_name"], rows["detail"]))
        lines.append(f"{CONCERN_LINES[concern]}: {named}.")
    return lines
