"""The comparison of centres in words: how many are higher, similar or lower than the authority,
which lie beyond the limits, and where a centre stands among those serving similar areas.

Each function reads a table of `reach.domain.comparison` and returns Markdown, with every
centre's name escaped by `reach.presentation.safe_text.markdown_text`.
"""

from __future__ import annotations

import pandas as pd

from reach.domain.comparison import measure
from reach.presentation.safe_text import markdown_text


def comparison_sentence(league: pd.DataFrame, *, measure_key: str = "reach") -> str:
    """'Of 8 centres, 2 are higher than all centres together, 4 similar and 2 lower, allowing
    for chance (95% limits).'"""
    chosen = measure(measure_key)
    counts = league["comparison"].value_counts()
    total = len(league)
    if total == 0:
        return "There are no centres to compare yet."
    parts = [f"{counts.get('better', 0)} {'is' if counts.get('better', 0) == 1 else 'are'} higher than "
             "the authority as a whole",
             f"{counts.get('similar', 0)} similar",
             f"{counts.get('worse', 0)} lower"]
    sentence = (f"On {chosen.name.lower()}, of {total} centre{'s' if total != 1 else ''}, "
                f"{parts[0]}, {parts[1]} and {parts[2]}, allowing for chance (95% limits).")
    if counts.get("no figure", 0):
        sentence += f" {counts['no figure']} ha{'s' if counts['no figure'] == 1 else 've'} no figure."
    return sentence


def similar_sentence(similar: pd.DataFrame, *, measure_key: str = "reach") -> str:
    """Where the chosen centre stands among the centres serving similarly deprived areas."""
    chosen_measure = measure(measure_key)
    own = similar[similar["is_chosen"]].iloc[0]
    others = similar[~similar["is_chosen"]]
    own_name = markdown_text(own["centre_name"])
    if others.empty:
        return f"There are no other centres to compare {own_name} with."
    value = own[chosen_measure.column]
    known_values = others[chosen_measure.column].dropna()
    lower = int((known_values < value).sum()) if pd.notna(value) else 0
    names = ", ".join(markdown_text(name) for name in others["centre_name"])
    return (f"{own_name} has {own['deprived_share_pct']:.0f}% of its under-fives in the most deprived "
            f"areas. The {len(others)} centres closest to that are {names} "
            f"({others['deprived_share_pct'].min():.0f}% to {others['deprived_share_pct'].max():.0f}%). "
            f"Its {chosen_measure.name.lower()} of {value:.1f}% is higher than {lower} of them.")


def outside_limits_sentence(league: pd.DataFrame, *, most_named: int = 12) -> str:
    """The centres beyond the 95% limits, in words: 'Outside the 95% limits: Ash (higher); Elm (lower).'
    Beyond `most_named` centres, the rest are counted rather than named."""
    outside = league[league["comparison"].isin(["better", "worse"])]
    if outside.empty:
        return "Every centre is within the 95% limits: none differs from the authority by more than chance."
    named = "; ".join(f"{markdown_text(name)} ({'higher' if comparison == 'better' else 'lower'})"
                      for name, comparison in zip(outside["centre_name"][:most_named],
                                                  outside["comparison"][:most_named]))
    rest = len(outside) - most_named
    more = f"; and {rest:,} more (see the table)" if rest > 0 else ""
    return f"Outside the 95% limits: {named}{more}."
