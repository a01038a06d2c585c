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
from reach.presentation.wording import reword


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
        return reword("There are no centres yet.")
    without = int(counts.loc[counts["band"] == NO_BAND, "centres"].sum())
    if without == total:
        return (reword(f"None of the {total} centre{'s' if total != 1 else ''} has a figure yet: reach needs a "
                "population estimate for the reach areas."))
    parts = []
    for band, n in zip(counts["band"], counts["centres"]):
        if band == NO_BAND:
            parts.append(f"{n} {'has' if n == 1 else 'have'} no figure")
        elif band == "requires improvement":
            parts.append(f"{n} {'requires' if n == 1 else 'require'} improvement")
        else:
            parts.append(f"{n} {'is' if n == 1 else 'are'} {band}")
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return reword(f"Of {total} centre{'s' if total != 1 else ''}, {listed} (indicative bands).")


def reach_sentence(row: pd.Series, *, bands: Bands, place: str = "the authority's reach areas",
                   population_loaded: bool = True) -> str:
    """The headline in words for a centre or the authority:
    'Of the 7,302 children under five in ..., 4,244 are known: a reach of 58.1%. ...'

    `place` is Markdown: a caller naming a centre in it escapes the name with `markdown_text`.
    With no population estimate loaded for the place, it says so rather than "no children".
    """
    under5, known = row["children_under5"], row["known_children"]
    if not population_loaded:
        return (f"No population estimate has been loaded for {place} yet, so reach and the families to find "
                "cannot be worked out.")
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


def under_two_sentence(row: pd.Series, *, bands: Bands, place: str = "the authority's reach areas",
                       population_loaded: bool = True) -> str:
    """Reach among the under-twos in words, beside the under-fives' headline:
    'Of the 2,790 children under two in ..., 2,390 are known: a reach of 85.7%. ...', saying when
    the number of children under two is estimated. `place` is Markdown, escaped by the caller."""
    if not population_loaded:
        return ""
    under2, known = row["children_under2"], row["known_under2"]
    if not under2:
        return f"There are no children under two recorded in {place} yet."
    to_find = int(row["families_to_find_under2"])
    sentence = (f"Of the {fmt.count(under2)} children under two in {place}, {fmt.count(known)} are known: a "
                f"reach under two of {fmt.percent(row['reach_under2_pct'])}.")
    if to_find:
        sentence += (f" To know {threshold(bands.outstanding)} of them, {fmt.count(to_find)} more "
                     f"famil{'y' if to_find == 1 else 'ies'} with a child under two "
                     f"{'needs' if to_find == 1 else 'need'} to be found.")
    else:
        sentence += (f" That is at or above {threshold(bands.outstanding)}: no families with a child under two "
                     "to find.")
    if bool(row["under2_estimated"]):
        sentence += (" Part of the number of children under two is estimated: where the population estimate "
                     "gives only the under-fives, as two fifths of the under-fives, and where there is no "
                     "estimate, from the children seen in births and registrations.")
    return sentence


def newborn_sentence(row: pd.Series, *, births_loaded: bool = True) -> str:
    """'Of the 1,120 babies born in the 12 complete months before this one, 539 are known (48.1%).'"""
    births = row["births_12m"]
    if not births_loaded:
        return "No birth data has been loaded yet, so newborn reach cannot be worked out."
    if not births:
        return "There is no birth data for the last 12 complete months, so newborn reach cannot be worked out."
    return (f"Of the {fmt.count(births)} babies born in the 12 complete months before the chosen date's "
            f"month, {fmt.count(row['newborns_known_12m'])} are known ({fmt.percent(row['newborn_reach_pct'])}).")


def lag_sentence(lag_days, *, as_at: date, overdue_after_days: float = BIRTH_DATA_OVERDUE_AFTER_DAYS) -> str:
    """Birth-data lag in words, saying whether it is overdue (`reach.domain.measures.is_overdue`)."""
    if pd.isna(lag_days):
        return (reword(f"No birth data had arrived by {long_date(as_at)}: new babies and families moving in "
                "cannot be passed on to the centres."))
    lag = int(lag_days)
    when = "on the chosen date" if lag == 0 else f"{fmt.days(lag)} before {long_date(as_at)}"
    if is_overdue(lag, overdue_after_days=overdue_after_days):
        return (f"The latest birth data arrived {when}. That is overdue: with monthly sharing it "
                f"should be no more than {overdue_after_days:g} days old. Ask health partners for the next extract.")
    return f"The latest birth data arrived {when}: up to date for monthly sharing."


def versus(value_pct, comparator_pct) -> str:
    """The gap to a comparator in percentage points, signed for st.metric's arrow: '+4.2 points'.
    Empty when either figure is missing, and when the gap rounds to nothing (a figure the same as
    its comparator has no arrow: '+0.0' would show as a rise)."""
    if pd.isna(value_pct) or pd.isna(comparator_pct):
        return ""
    gap = round(float(value_pct) - float(comparator_pct), 1)
    if gap == 0:
        return ""
    return f"{gap:+.1f} points"


def versus_words(value_pct, comparator_pct, *, comparator: str = "all centres") -> str:
    """The same comparison in words, for the tile's help: 'Same as all centres (82.6%).'"""
    comparator = reword(comparator)
    if pd.isna(value_pct) or pd.isna(comparator_pct):
        return f"No comparison with {comparator}: one of the figures cannot be worked out."
    gap = round(float(value_pct) - float(comparator_pct), 1)
    if gap == 0:
        return f"The same as {comparator} ({fmt.percent(comparator_pct)})."
    return (f"{abs(gap):.1f} points {'above' if gap > 0 else 'below'} {comparator} "
            f"({fmt.percent(comparator_pct)}).")


def interval_sentence(interval: Interval) -> str:
    return (f"Allowing for chance, the true reach is probably between {fmt.percent(interval.lower)} "
            f"and {fmt.percent(interval.upper)} (95% confidence interval).")


def lsoa_label(code, name=None) -> str:
    """An LSOA as people can find it: 'Brackenfold 004A (E01012345)', or the code alone when no
    name is loaded. Markdown, escaped."""
    if isinstance(name, str) and name.strip():
        return f"{markdown_text(name)} ({markdown_text(code)})"
    return markdown_text(code)


def why_parts_add_up_to_more(part: str) -> str:
    """Why families to find counted part by part ("LSOA" by LSOA, or "centre" by centre) add up to
    more than the figure for the whole: each part's figure is max(0, ceil(target x under fives) -
    known) on its own, so a part ahead of the target counts as none to find and cannot make up for
    one behind it, and each part is rounded up to a whole child. The one wording every page and
    export uses for it."""
    article = "an" if part == "LSOA" else "a"        # "an LSOA" is said "an el-soa"
    return (f"{article} {part} ahead of the target cannot make up for one behind it, and each {part}'s "
            f"figure is rounded up to a whole child on its own")


def gaps_sentence(gaps: pd.DataFrame, *, centre_to_find: int | None = None, top: int = 3,
                  population_loaded: bool = True) -> str:
    """Where the families to find live, starting from the centre's own figure:
    'The centre has 416 families to find. The 3 LSOAs with the most are A (E01...), B and C:
    118 between them. Counted LSOA by LSOA, the areas behind target need 423 ...'

    `centre_to_find` is the centre's figure (the tile's). Each LSOA's figure is worked out on its
    own, and an LSOA ahead of the target cannot make up for one behind, so the LSOAs can add up
    to more than the centre's figure: the sentence says by how much and why, never hides it.
    """
    if gaps.empty:
        return reword("No LSOAs are listed in this centre's reach area yet.")
    if not population_loaded:
        return ("No population estimate has been loaded for this reach area yet, so the families to find "
                "cannot be counted LSOA by LSOA.")
    total = int(gaps["families_to_find"].sum())
    own = total if centre_to_find is None else int(centre_to_find)
    if total == 0:
        return "Every LSOA of this reach area is at or above the target: no LSOA has families to find."
    behind = gaps[gaps["families_to_find"] > 0]
    leading = behind.head(top)
    share = int(leading["families_to_find"].sum())
    names = leading["lsoa_name"] if "lsoa_name" in leading.columns else [None] * len(leading)
    labels = [lsoa_label(code, name) for code, name in zip(leading["lsoa_code"], names)]
    listed = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    lsoa_words = f"{len(behind)} of its {len(gaps)} LSOA{'s' if len(gaps) != 1 else ''}"
    if own == 0:
        opening = (reword(f"The centre as a whole is at or above the target, but {lsoa_words} "
                   f"{'is' if len(behind) == 1 else 'are'} behind it."))
    else:
        opening = (reword(f"The centre has {fmt.count(own)} famil{'y' if own == 1 else 'ies'} to find, "
                   f"living in {lsoa_words}."))
    if len(leading) == 1:
        most = f" The LSOA with the most is {listed}: {fmt.count(share)}."
    else:
        most = f" The {len(leading)} LSOAs with the most are {listed}: {fmt.count(share)} between them."
    sentence = opening + most
    if total != own:
        sentence += (reword(f" Counted LSOA by LSOA, the areas behind the target need {fmt.count(total)}, "
                     f"{fmt.count(total - own)} more than the centre's figure: {why_parts_add_up_to_more('LSOA')}."))
    return sentence


def unmatched_sentence(count, *, place: str, births_loaded: bool, registrations_loaded: bool) -> str:
    """The worklist in words, never claiming none when nothing is loaded. `place` is Markdown."""
    if not births_loaded:
        return (f"No birth data has been loaded for {place} yet, so there is no worklist: load the births "
                "(and arrivals) health shares on the Data page.")
    n = int(count)
    if n == 0:
        return (reword(f"Every child under five whom health has passed on for {place} is registered with a centre: "
                "no unmatched births."))
    sentence = (reword(f"Health has passed on **{fmt.count(n)}** "
                f"{'child' if n == 1 else 'children'} living in {place} who "
                f"{'is' if n == 1 else 'are'} under five and not registered with any centre."))
    if not registrations_loaded:
        sentence += (" No registrations have been loaded yet, so every child health has passed on is "
                     "counted here.")
    return sentence


def deprived_sentence(deprived: pd.Series, *, deprivation_loaded: bool, population_loaded: bool) -> str:
    """Reach in the most deprived areas in words, from a target-groups row (with the all-centres
    figure beside it), never claiming none when nothing is loaded."""
    if not deprivation_loaded:
        return ("No deprivation data (IDACI deciles) has been loaded for this reach area yet, so reach "
                "in the most deprived areas cannot be worked out.")
    if not population_loaded:
        return ("No population estimate has been loaded for this reach area yet, so reach in the most "
                "deprived areas cannot be worked out.")
    if not deprived["children_under5"]:
        return "None of this reach area is in the 30% most deprived areas of England."
    return (reword(f"In the most deprived areas (IDACI deciles 1 to 3) the centre knows "
            f"{fmt.count(deprived['known_children'])} of {fmt.count(deprived['children_under5'])} "
            f"under-fives: **{fmt.percent(deprived['reach_pct'])}** "
            f"(all centres {fmt.percent(deprived['all_centres_reach_pct'])})."))


def trend_sentence(trend: pd.DataFrame, *, population_loaded: bool = True) -> str:
    """The change in reach over the trend, in words: 'Reach rose from 52.0% on 31 October 2022
    to 58.1% on 30 September 2025 (up 6.1 points).'"""
    if not population_loaded:
        return "No population estimate has been loaded yet, so there is no trend in reach to show."
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
