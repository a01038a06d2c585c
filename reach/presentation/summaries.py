"""The report in plain words: what the pages say beside each chart.

Every sentence is built here from the report's figures, so the words on the dashboard and in
the evidence pack are the same and a test can read them. The small tables the sentences read
(centres by band, a centre's LSOAs) are made by `reach.domain.breakdowns`.

Every `*_sentence` function returns Markdown, ready for `st.markdown` or the evidence pack's
README: anything in it that came from a file (an LSOA code, a centre's name) is escaped with
`reach.presentation.safe_text.markdown_text`, so a name can never become a link, an image or
formatting. An argument that is itself Markdown says so (`place` of `reach_sentence`).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from reach.domain.measures import BAND_ORDER, BIRTH_DATA_OVERDUE_AFTER_DAYS, NO_BAND, Bands, is_overdue
from reach.domain.stats import Interval
from reach.presentation import format as fmt
from reach.presentation.safe_text import markdown_text


def long_date(day: date) -> str:
    """A date as people write it: '8 August 2025'."""
    return f"{day.day} {day:%B %Y}"


def threshold(value: float) -> str:
    """A band threshold as people write it: 65 -> '65%', 97.5 -> '97.5%'."""
    return f"{float(value):g}%"


def band_range(band: str | None, bands: Bands) -> str:
    """A band with its range in words: 'good (65% to 97%)'."""
    ranges = {
        "outstanding": f"{threshold(bands.outstanding)} or more",
        "good": f"{threshold(bands.good)} to {threshold(bands.outstanding)}",
        "requires improvement": f"{threshold(bands.requires_improvement)} to {threshold(bands.good)}",
        "inadequate": f"below {threshold(bands.requires_improvement)}",
    }
    if band is None or (isinstance(band, float) and pd.isna(band)) or band == NO_BAND:
        return "no band: there are no children under five recorded"
    if band not in ranges:
        raise ValueError(f"Unknown band {band!r}; expected one of {', '.join(BAND_ORDER)}.")
    return f"{band} ({ranges[band]})"


def band_counts_sentence(counts: pd.DataFrame) -> str:
    """'Of 8 centres, 1 is outstanding, 2 are good, 3 require improvement and 2 are inadequate.'"""
    total = int(counts["centres"].sum())
    if total == 0:
        return "There are no centres yet."
    parts = []
    for band, n in zip(counts["band"], counts["centres"]):
        if band == NO_BAND:
            parts.append(f"{n} {'has' if n == 1 else 'have'} no figure")
        elif band == "requires improvement":
            parts.append(f"{n} {'requires' if n == 1 else 'require'} improvement")
        else:
            parts.append(f"{n} {'is' if n == 1 else 'are'} {band}")
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"Of {total} centre{'s' if total != 1 else ''}, {listed} (indicative bands)."


def reach_sentence(row: pd.Series, *, bands: Bands, place: str = "the authority's reach areas") -> str:
    """The headline in words for a centre or the authority:
    'Of the 7,302 children under five in ..., 4,244 are known: a reach of 58.1%. ...'

    `place` is Markdown: a caller naming a centre in it escapes the name with `markdown_text`.
    """
    under5, known = row["children_under5"], row["known_children"]
    if not under5:
        return f"There are no children under five recorded in {place} yet."
    to_find = int(row["families_to_find"])
    sentence = (f"Of the {fmt.count(under5)} children under five in {place}, {fmt.count(known)} are known: "
                f"a reach of {fmt.percent(row['reach_pct'])}, indicative band {band_range(row['band'], bands)}.")
    if to_find:
        sentence += (f" To know {threshold(bands.outstanding)} of them, {fmt.count(to_find)} more "
                     f"famil{'y needs' if to_find == 1 else 'ies need'} to be found.")
    else:
        sentence += f" That is at or above {threshold(bands.outstanding)}: no families to find."
    return sentence


def newborn_sentence(row: pd.Series) -> str:
    """'Of the 1,120 babies born in the 12 complete months before this one, 539 are known (48.1%).'"""
    births = row["births_12m"]
    if not births:
        return "There is no birth data for the last 12 complete months, so newborn reach cannot be worked out."
    return (f"Of the {fmt.count(births)} babies born in the 12 complete months before the chosen date's "
            f"month, {fmt.count(row['newborns_known_12m'])} are known ({fmt.percent(row['newborn_reach_pct'])}).")


def lag_sentence(lag_days, *, as_at: date, overdue_after_days: float = BIRTH_DATA_OVERDUE_AFTER_DAYS) -> str:
    """Birth-data lag in words, saying whether it is overdue (`reach.domain.measures.is_overdue`)."""
    if pd.isna(lag_days):
        return (f"No birth data had arrived by {long_date(as_at)}: new babies and families moving in "
                "cannot be passed on to the centres.")
    lag = int(lag_days)
    when = "on the chosen date" if lag == 0 else f"{fmt.days(lag)} before {long_date(as_at)}"
    if is_overdue(lag, overdue_after_days=overdue_after_days):
        return (f"The latest birth data arrived {when}. That is overdue: with monthly sharing it "
                f"should be no more than {overdue_after_days:g} days old. Ask health partners for the next extract.")
    return f"The latest birth data arrived {when}: up to date for monthly sharing."


def versus(value_pct, comparator_pct) -> str:
    """The gap to a comparator in percentage points, signed for st.metric's arrow: '+4.2 points'.
    Empty when either figure is missing."""
    if pd.isna(value_pct) or pd.isna(comparator_pct):
        return ""
    return f"{float(value_pct) - float(comparator_pct):+.1f} points"


def interval_sentence(interval: Interval) -> str:
    return (f"Allowing for chance, the true reach is probably between {fmt.percent(interval.lower)} "
            f"and {fmt.percent(interval.upper)} (95% confidence interval).")


def gaps_sentence(gaps: pd.DataFrame, *, top: int = 3) -> str:
    """Where the families to find are concentrated: 'Counted area by area, 93 of the 181
    families to find (51%) live in 3 of the 10 LSOAs: E01..., E01..., E01....'

    Each LSOA's figure is rounded up on its own, so their total can be a little above the
    centre's; the sentence says so rather than hide it.
    """
    total = int(gaps["families_to_find"].sum())
    if total == 0:
        return "No LSOA of this reach area has families to find."
    leading = gaps[gaps["families_to_find"] > 0].head(top)
    share = int(leading["families_to_find"].sum())
    codes = ", ".join(markdown_text(code) for code in leading["lsoa_code"])
    return (f"Counted area by area, {fmt.count(share)} of the {fmt.count(total)} families to find "
            f"({fmt.percent(100.0 * share / total, places=0)}) live in {len(leading)} of the {len(gaps)} "
            f"LSOAs: {codes}. (Each area's figure is rounded up on its own, so the areas add up to a "
            "little more than the centre's.)")


def trend_sentence(trend: pd.DataFrame) -> str:
    """The change in reach over the trend, in words: 'Reach rose from 52.0% on 31 October 2022
    to 58.1% on 30 September 2025 (up 6.1 points).'"""
    points = trend.dropna(subset=["reach_pct"]).sort_values("as_at")
    if len(points) < 2:
        return "There is not yet enough history for a trend."
    first, last = points.iloc[0], points.iloc[-1]
    change = float(last["reach_pct"]) - float(first["reach_pct"])
    if abs(change) < 0.05:
        return (f"Reach stayed at {fmt.percent(last['reach_pct'])} from {long_date(first['as_at'])} "
                f"to {long_date(last['as_at'])}.")
    verb, direction = ("rose", "up") if change > 0 else ("fell", "down")
    return (f"Reach {verb} from {fmt.percent(first['reach_pct'])} on {long_date(first['as_at'])} to "
            f"{fmt.percent(last['reach_pct'])} on {long_date(last['as_at'])} ({direction} {abs(change):.1f} points).")
