"""The comparison of centres in words: how many are higher, similar or lower than the authority,
which lie beyond which limits, which are not compared and why, and where a centre stands among
those serving similar areas.

Each function reads a table of `reach.domain.comparison` and returns Markdown, with every
centre's name escaped by `reach.presentation.safe_text.markdown_text`.
"""

from __future__ import annotations

import pandas as pd

from reach.domain.comparison import SIMILAR_WITHIN_PTS, measure
from reach.presentation.safe_text import markdown_text
from reach.presentation.wording import reword

COMPARED = ("better", "similar", "worse")


def _centres(n: int) -> str:
    return reword(f"{n:,} centre{'s' if n != 1 else ''}")


def _names(rows: pd.DataFrame, *, most_named: int, words: bool = True) -> str:
    """'Ash (higher); Elm (lower); and 3 more (see the table)'."""
    named = "; ".join(
        markdown_text(name) + (f" ({'higher' if comparison == 'better' else 'lower'})" if words else "")
        for name, comparison in zip(rows["centre_name"][:most_named], rows["comparison"][:most_named]))
    rest = len(rows) - most_named
    return named + (f"; and {rest:,} more (see the table)" if rest > 0 else "")


def comparison_sentence(league: pd.DataFrame, *, measure_key: str = "reach") -> str:
    """'On reach, of 8 centres, 2 are higher than the authority as a whole, 4 similar and 2 lower,
    allowing for chance (95% limits).' Centres not compared (a flagged population estimate, or
    no figure) are counted apart, so the three counts only ever cover centres that were compared."""
    chosen = measure(measure_key)
    counts = league["comparison"].value_counts()
    total = len(league)
    if total == 0:
        return reword("There are no centres to compare yet.")
    better, similar, worse = (int(counts.get(key, 0)) for key in COMPARED)
    compared = better + similar + worse
    doubtful, none = int(counts.get("flagged", 0)), int(counts.get("no figure", 0))
    if compared == 0:
        return (f"None of the {_centres(total)} can be compared with the authority on "
                f"{chosen.name.lower()} yet.")
    parts = (f"{better} {'is' if better == 1 else 'are'} higher than the authority as a whole, "
             f"{similar} similar and {worse} lower, allowing for chance (95% limits).")
    if doubtful:
        sentence = (f"On {chosen.name.lower()}, of {_centres(total)}, {compared:,} are compared: {parts} "
                    f"{doubtful} {'is' if doubtful == 1 else 'are'} not ranked or compared because "
                    f"{'its' if doubtful == 1 else 'their'} population estimate is flagged.")
    else:
        sentence = f"On {chosen.name.lower()}, of {_centres(total)}, {parts}"
    if none:
        sentence += f" {none} ha{'s' if none == 1 else 've'} no figure."
    return sentence


def flagged_sentence(league: pd.DataFrame, *, measure_key: str = "reach", most_named: int = 12) -> str | None:
    """The centres shown but not ranked or compared, each with its figure and the reason; None
    when there are none."""
    chosen = measure(measure_key)
    rows = league[league["comparison"] == "flagged"]
    if rows.empty:
        return None
    named = "; ".join(
        f"{markdown_text(name)} ({value:.1f}%: {markdown_text(note)})"
        for name, value, note in zip(rows["centre_name"][:most_named], rows[chosen.column][:most_named],
                                     rows["estimate_note"][:most_named]))
    rest = len(rows) - most_named
    named += f"; and {rest:,} more (see the table)" if rest > 0 else ""
    return (reword(f"Not ranked or compared, because the population estimate is flagged: {named}. Their "
            f"figures are shown in grey and listed last: a difference from the authority could come "
            f"from the estimate rather than from the centre's work."))


def outside_limits_sentence(league: pd.DataFrame, *, most_named: int = 12) -> str:
    """Which compared centres lie beyond the 99.8% limits (they really stand out), which only
    beyond the 95% limits (worth a look), and how many within, in words. Beyond `most_named`
    centres in a group, the rest are counted rather than named."""
    compared = league[league["comparison"].isin(COMPARED)]
    not_compared = int(league["comparison"].eq("flagged").sum())
    aside = (f" {_centres(not_compared)} with a flagged population estimate "
             f"{'is' if not_compared == 1 else 'are'} not placed against the limits.") if not_compared else ""
    if compared.empty:
        return reword("No centre can be placed against the limits yet.") + aside
    limits = compared["limits"] if "limits" in compared else pd.Series("95", index=compared.index).where(
        compared["comparison"] != "similar", "within")
    clear, possible = compared[limits == "99.8"], compared[limits == "95"]
    within = int((limits == "within").sum())
    if clear.empty and possible.empty:
        every = reword("Every centre") if not not_compared else reword("Every centre compared")
        return f"{every} is within the 95% limits: none differs from the authority by more than chance.{aside}"
    words = []
    if not clear.empty:
        words.append(f"**Clearly different** (beyond the 99.8% limits, very unlikely to be chance): "
                     f"{_names(clear, most_named=most_named)}.")
    else:
        words.append(reword("No centre is beyond the 99.8% limits."))
    if not possible.empty:
        words.append(reword(f"**Possibly different** (beyond the 95% limits but within the 99.8%: worth a look, "
                     f"though 1 centre in 20 would be this far out by chance alone): "
                     f"{_names(possible, most_named=most_named)}."))
    if within:
        words.append(f"{_centres(within)} {'is' if within == 1 else 'are'} within the 95% limits: "
                     "no different from the authority, allowing for chance.")
    return " ".join(words) + aside


def similar_sentence(similar: pd.DataFrame, *, measure_key: str = "reach", within_pts: float = SIMILAR_WITHIN_PTS,
                     wanted: int = 4) -> str:
    """Where the chosen centre stands among the centres serving similar areas (within
    `within_pts` points of its share of under-fives in the most deprived areas), saying so
    plainly when fewer than `wanted` centres, or none, are that close."""
    chosen_measure = measure(measure_key)
    name = chosen_measure.name.lower()
    own = similar[similar["is_chosen"]].iloc[0]
    others = similar[~similar["is_chosen"]]
    own_name = markdown_text(own["centre_name"])
    share = own["deprived_share_pct"]
    within = f"{within_pts:g} points"
    if others.empty:
        return (reword(f"No other centre serves areas like {own_name}'s: none has a share of under-fives in the most "
                f"deprived areas within {within} of its {share:.0f}%, so there is no fair set to compare it "
                "with here. The league table and the funnel plot compare it with the authority as a whole."))
    n = len(others)
    lead = (reword(f"Only {n} centre{' serves' if n == 1 else 's serve'}") if n < wanted
            else reword(f"{n} centres serve"))
    names = ", ".join(markdown_text(other) for other in others["centre_name"])
    low, high = others["deprived_share_pct"].min(), others["deprived_share_pct"].max()
    spread = f"{low:.0f}%" if round(low) == round(high) else f"{low:.0f}% to {high:.0f}%"
    sentence = (f"{lead} areas like {own_name}'s, with a share of under-fives in the most deprived areas "
                f"within {within} of its {share:.0f}%: {names} ({spread}).")
    # The population estimate is the denominator of reach and sustained contact only; a figure over
    # 100% is in doubt on any measure.
    estimate_counts = chosen_measure.denominator == "children_under5" and "denominator_flagged" in similar
    in_doubt = similar[chosen_measure.column].astype("float64") > 100
    if estimate_counts:
        in_doubt |= similar["denominator_flagged"].fillna(False).astype(bool)
    doubtful = in_doubt[~similar["is_chosen"]]
    sound = others[~doubtful & others[chosen_measure.column].notna()]
    value = own[chosen_measure.column]
    if pd.isna(value):
        return sentence + f" {own_name} has no {name} figure to set against them."
    if bool(in_doubt[similar["is_chosen"]].iloc[0]):
        return sentence + (f" Its {name} of {value:.1f}% rests on a flagged population estimate, so it is "
                           "not set against theirs.")
    if sound.empty:
        return sentence + f" None of them has a {name} figure sound enough to set its {value:.1f}% against."
    if len(sound) == 1:
        other = sound.iloc[0]
        them = other[chosen_measure.column]
        relation = "higher than" if value > them else "lower than" if value < them else "the same as"
        sentence += (f" Its {name} of {value:.1f}% is {relation} {markdown_text(other['centre_name'])}'s "
                     f"{them:.1f}%.")
    else:
        lower = int((sound[chosen_measure.column] < value).sum())
        of = "them" if len(sound) == n else f"the {len(sound)} whose figures are sound"
        sentence += f" Its {name} of {value:.1f}% is higher than {lower} of {of}."
    left_out = others[doubtful]
    if not left_out.empty:
        sentence += (f" {', '.join(markdown_text(x) for x in left_out['centre_name'])}: population estimate "
                     "flagged, so not counted in that.")
    return sentence
