"""The Best Start page in words: a good level of development at five against the target, the
children under two known, and the most deprived areas furthest from a site.

The figures come in as published (small counts hidden, shown as "c"), so every function here
reads a figure that may be hidden and says so rather than guessing it. Sentences are Markdown:
names from files are escaped with `markdown_text`. The sites are called as the setting says
(`reach.presentation.wording`).
"""

from __future__ import annotations

import math

import pandas as pd

from reach.presentation import format as fmt
from reach.presentation.safe_text import markdown_text
from reach.presentation.wording import current

HIDDEN = "c"
FAR_TOP = 10            # the most deprived LSOAs furthest from a site, listed


def number(value) -> float | None:
    """A figure as a number; None where it is hidden ("c"), blank or missing."""
    if value is None or value is pd.NA or isinstance(value, str):
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(result) else result


def _pct(value) -> str:
    figure = number(value)
    return "hidden" if figure is None else fmt.percent(figure)


def outcomes_not_loaded() -> str:
    """What to load when there are no results at five to show."""
    return ("No results of the Early Years Foundation Stage Profile are loaded yet. Load them on the Data "
            "page: one row per child assessed (the **eyfsp** import), or, where only totals are shared, the "
            "number assessed and the number with a good level of development for each LSOA or site (the "
            "**gld-counts** import).")


def outcomes_hidden() -> str:
    """When the results at five cannot be published however much is hidden."""
    return ("The results at five cannot be published as at this date: too few children were assessed in "
            "some areas to hide them safely. They are left out here.")


def gld_headline(row: pd.Series | None, *, target_pct: float) -> str:
    """'In 2025, 68.2% of the 1,234 children assessed in the authority reached a good level of
    development (95% interval 65.6% to 70.7%): 6.8 points below the 75% target.'"""
    if row is None:
        return outcomes_not_loaded()
    year = number(row.get("assessment_year"))
    when = f"In the {int(year) - 1}/{str(int(year))[-2:]} school year" if year else "In the latest year"
    pct, low, high = number(row.get("gld_pct")), number(row.get("gld_low")), number(row.get("gld_high"))
    assessed = number(row.get("assessed"))
    if pct is None:
        return (f"{when}, the share of the authority's children with a good level of development is hidden "
                "in figures for publication: too few children were assessed.")
    whose = (f"the {fmt.count(assessed)} children assessed in the authority" if assessed is not None
             else "the children assessed in the authority")
    interval = ""
    if low is not None and high is not None:
        interval = f" (95% interval {fmt.percent(low)} to {fmt.percent(high)})"
    gap = pct - target_pct
    if abs(gap) < 0.05:
        against = f"exactly the {target_pct:g}% target"
    else:
        against = f"{abs(gap):.1f} points {'above' if gap > 0 else 'below'} the {target_pct:g}% target"
    sure = ""
    if low is not None and high is not None:
        if high < target_pct:
            sure = " The whole interval is below the target."
        elif low > target_pct:
            sure = " The whole interval is above the target."
        else:
            sure = " The interval includes the target, so the authority may be on it."
    return f"{when}, {fmt.percent(pct)} of {whose} reached a good level of development{interval}: {against}.{sure}"


def gld_sites_sentence(frame: pd.DataFrame, *, target_pct: float) -> str:
    """How many sites are clearly below, clearly above, or could be either side of the target."""
    words = current()
    if frame.empty:
        return f"There are no {words.sites} with results yet."
    below = above = unsure = hidden = 0
    for low, high in zip(frame["gld_low"], frame["gld_high"]):
        low, high = number(low), number(high)
        if low is None or high is None:
            hidden += 1
        elif high < target_pct:
            below += 1
        elif low > target_pct:
            above += 1
        else:
            unsure += 1
    total = len(frame)
    parts = [f"{fmt.count(below)} {'is' if below == 1 else 'are'} clearly below the {target_pct:g}% target "
             "(the whole interval is below it)",
             f"{fmt.count(above)} clearly above it",
             f"{fmt.count(unsure)} could be on either side"]
    sentence = f"Of {fmt.count(total)} {words.site if total == 1 else words.sites}, {', '.join(parts)}."
    if hidden:
        sentence += (f" {fmt.count(hidden)} {'has its figure' if hidden == 1 else 'have their figures'} hidden: "
                     "too few children were assessed to publish.")
    return sentence


def under_two_headline(row: pd.Series | None, centres: pd.DataFrame) -> str:
    """The authority's reach under two in one sentence, with the site furthest behind."""
    words = current()
    if row is None or number(row.get("children_under2")) in (None, 0.0):
        return ("There are no children under two recorded in the reach areas yet: load the population "
                "estimates on the Data page.")
    known, children = number(row.get("known_under2")), number(row.get("children_under2"))
    counts = (f"{fmt.count(known)} of the {fmt.count(children)} children under two"
              if known is not None and children is not None else "the children under two")
    sentence = (f"The {words.sites_long} know {counts} in their reach areas: "
                f"{_pct(row.get('reach_under2_pct'))}.")
    shown = centres.assign(_pct=centres["reach_under2_pct"].map(number)).dropna(subset=["_pct"])
    if len(shown) > 1:
        lowest = shown.sort_values(["_pct", "centre_id"]).iloc[0]
        sentence += (f" The lowest is {markdown_text(lowest['centre_name'])}, at {fmt.percent(lowest['_pct'])}.")
    if row.get("under2_estimated") is True or number(row.get("under2_estimated")) == 1.0:
        sentence += " Part of the under-twos is estimated, as two fifths of the under-fives."
    return sentence


def far_deprived(lsoas: pd.DataFrame, *, top: int = FAR_TOP) -> pd.DataFrame:
    """The most deprived reach-area LSOAs furthest from their nearest site, furthest first (ties by
    code): `lsoa_code, centre_id, nearest_site, nearest_site_name, distance_km`. No counts of
    children, so the list is safe to publish."""
    columns = ["lsoa_code", "centre_id", "nearest_site", "nearest_site_name", "distance_km"]
    chosen = lsoas[lsoas["deprived"].astype(bool) & lsoas["distance_km"].notna()]
    return (chosen.sort_values(["distance_km", "lsoa_code"], ascending=[False, True], kind="stable")
            .head(top)[columns].reset_index(drop=True))


def far_deprived_sentence(far: pd.DataFrame) -> str:
    """'The most deprived LSOA furthest from a hub is E01012345, 3.4 km from Canal Street Family Hub.'"""
    words = current()
    if far.empty:
        return (f"No LSOA among the most deprived has a distance to a {words.site} yet: load the deprivation "
                "deciles, the LSOA boundaries and the sites' positions.")
    first = far.iloc[0]
    return (f"The most deprived LSOA furthest from a {words.site} is {markdown_text(first['lsoa_code'])}, "
            f"{first['distance_km']:.1f} km from {markdown_text(first['nearest_site_name'] or first['nearest_site'])}. "
            f"The {fmt.count(len(far))} furthest are listed below.")


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """A published table as text for reading: counts with separators, percentages and their
    intervals to one place, points of difference signed, flags yes/no; a hidden figure stays "c"
    and a missing one is a dash."""
    def cell(value, column: str) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, bool) or type(value).__name__ == "bool_":
            return "yes" if value else "no"
        figure = number(value)
        if figure is None:
            return fmt.NO_FIGURE
        if column.endswith(("_pct", "_low", "_high")):
            return fmt.percent(figure)
        if column.endswith("_points"):
            return f"{figure:+.1f}"
        return fmt.count(figure) if figure.is_integer() else f"{figure:,.1f}"

    return pd.DataFrame({column: [cell(value, str(column)) for value in frame[column]] for column in frame.columns},
                        index=frame.index)
