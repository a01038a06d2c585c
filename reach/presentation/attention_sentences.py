"""What needs attention first, in words: a short ranked table and the same list read aloud.

Which centres need attention, for which concern and in which order is decided by
`reach.domain.attention`; this module writes each item's figure and message.

The table (`needs_attention`) is plain text, for a table or a CSV; the list read aloud
(`attention_lines`) is Markdown, with every name and message escaped.
"""

from __future__ import annotations

import pandas as pd

from reach.domain.attention import CONCERNS, Attention, what_needs_attention
from reach.domain.measures import BIRTH_DATA_OVERDUE_AFTER_DAYS, Bands
from reach.presentation import format as fmt
from reach.presentation.safe_text import markdown_text
from reach.presentation.summaries import band_range, lag_sentence
from reach.presentation.wording import reword

ATTENTION_COLUMNS = ("rank", "concern", "centre_id", "centre_name", "detail", "message")

# How each concern reads as one line of the short list, before the centres it names.
CONCERN_LINES = {
    "Lowest band": "Centres in the lowest bands",
    "Most families to find": "The most families to find",
    "Most unmatched births": "The longest outreach worklists (unmatched births)",
    "Birth data overdue for an area": "Birth data late for these areas",
    "Population estimate flagged": "Population estimate flagged, so reach may be wrong",
}


def needs_attention(centres: pd.DataFrame, authority: pd.DataFrame, *, bands: Bands, as_at,
                    per_concern: int = 3, overdue_after_days: float = BIRTH_DATA_OVERDUE_AFTER_DAYS) -> pd.DataFrame:
    """The ranked list: one row per concern and centre (the authority's own birth-data lag is a
    row without a centre). Columns: rank, concern, centre_id, centre_name, detail, message.

    `centres` and `authority` are the report by centre and for the authority; `per_concern`
    caps how many centres each concern names. An empty frame means nothing needs attention.
    """
    items = what_needs_attention(centres, authority, per_concern=per_concern,
                                 overdue_after_days=overdue_after_days)
    rows = []
    for item in items:
        detail, message = _words(item, bands=bands, as_at=as_at, overdue_after_days=overdue_after_days)
        rows.append(dict(concern=item.concern, centre_id=item.row["centre_id"] if item.for_centre else None,
                         centre_name=item.row["centre_name"] if item.for_centre else reword("All centres"),
                         detail=detail, message=message))
    frame = pd.DataFrame(rows, columns=["concern", "centre_id", "centre_name", "detail", "message"])
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame[list(ATTENTION_COLUMNS)]


def _words(item: Attention, *, bands: Bands, as_at, overdue_after_days: float) -> tuple[str, str]:
    """The item's figure (short, for the table and the list) and its message, as plain text."""
    row = item.row
    if item.concern == CONCERNS[0]:
        lag = row["birth_data_lag_days"]
        return ("none yet" if pd.isna(lag) else fmt.days(lag),
                lag_sentence(lag, as_at=as_at, overdue_after_days=overdue_after_days))
    if item.concern == CONCERNS[1]:
        return (f"{fmt.percent(row['reach_pct'])}, {row['band']}",
                f"{row['centre_name']} knows {fmt.percent(row['reach_pct'])} of its under-fives: "
                f"indicative band {band_range(row['band'], bands)}.")
    if item.concern == CONCERNS[2]:
        return (fmt.count(row["families_to_find"]),
                f"{row['centre_name']} has {fmt.count(row['families_to_find'])} families to find "
                f"to reach {bands.outstanding:g}% of its {fmt.count(row['children_under5'])} under-fives.")
    if item.concern == CONCERNS[3]:
        n = int(row["unmatched_births"])
        return (fmt.count(n), f"{row['centre_name']} has {fmt.count(n)} unmatched birth{'s' if n != 1 else ''}: "
                              f"children health has passed on who are not yet registered.")
    if item.concern == CONCERNS[4]:
        lag = row["birth_data_lag_days"]
        words = ("no birth data has arrived for its area" if pd.isna(lag)
                 else f"the latest birth data for its area is {fmt.days(lag)} old")
        return ("no data yet" if pd.isna(lag) else f"{fmt.days(lag)} old", f"{row['centre_name']}: {words}.")
    if item.concern == CONCERNS[5]:
        reason = row.get("denominator_note")
        reason = reason if isinstance(reason, str) and reason else "the population estimate is uncertain"
        return reason, f"{row['centre_name']}: {reason}, so its reach may be wrong."
    raise ValueError(f"Unknown concern {item.concern!r}; expected one of {', '.join(CONCERNS)}.")


def attention_lines(attention: pd.DataFrame) -> list[str]:
    """The list read aloud: one line per concern, in order, naming its centres with their
    figures: 'The most families to find: Parkside (583), Northgate (445).'

    Each line is Markdown: the names, figures and messages in it are escaped.
    """
    lines: list[str] = []
    for concern, rows in attention.groupby("concern", sort=False):
        if concern not in CONCERN_LINES:    # a concern about the whole authority: its own sentence
            lines.extend(markdown_text(message) for message in rows["message"])
            continue
        named = ", ".join(f"{markdown_text(name)} ({markdown_text(detail)})"
                          for name, detail in zip(rows["centre_name"], rows["detail"]))
        lines.append(f"{reword(CONCERN_LINES[concern])}: {named}.")
    return lines
