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

from reach.domain.outcomes import gld_interval
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


def no_under_twos(row: pd.Series | None) -> bool:
    """True when the authority's row records no children under two (nothing to chart or list)."""
    return row is None or number(row.get("children_under2")) in (None, 0.0)


def under_two_headline(row: pd.Series | None, centres: pd.DataFrame) -> str:
    """The authority's reach under two in one sentence, with the site furthest behind."""
    words = current()
    if row is None or no_under_twos(row):
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


# --- results at five over the years, the free-school-meals gap, the children known early -----------

# Headings of the outcomes tables, for people (the CSV keeps the column names).
OUTCOME_HEADINGS = {
    "school_year": "School year", "assessed": "Assessed", "gld": "With GLD", "gld_pct": "GLD %",
    "gld_low": "GLD % from", "gld_high": "GLD % to", "target_pct": "Target %",
    "fsm_gap_points": "FSM gap (points)",
    "known_early_assessed": "Known early: assessed", "known_early_gld_pct": "Known early: GLD %",
    "known_early_low": "Known early: from", "known_early_high": "Known early: to",
    "other_linked_assessed": "Other registered: assessed", "other_linked_gld_pct": "Other registered: GLD %",
    "other_linked_low": "Other registered: from", "other_linked_high": "Other registered: to",
    "difference_points": "Difference (points)",
}


def school_year(year) -> str:
    """The assessment year (the year the school year ends) as people write it: 2025 -> '2024/25'."""
    end = int(year)
    return f"{end - 1}/{str(end)[-2:]}"


def with_school_year(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its `assessment_year` written as a school year (`school_year`, in its place)."""
    if "assessment_year" not in frame.columns:
        return frame
    out = frame.copy()
    position = list(out.columns).index("assessment_year")
    years = [school_year(year) for year in out.pop("assessment_year")]
    out.insert(position, "school_year", years)
    return out


def _interval_words(low: float | None, high: float | None) -> str:
    return "" if low is None or high is None else f" (95% interval {fmt.percent(low)} to {fmt.percent(high)})"


def gld_trend(whole: pd.DataFrame) -> pd.DataFrame:
    """The authority's GLD % by assessment year, oldest first, as published: `assessment_year,
    assessed, gld, gld_pct, gld_low, gld_high, target_pct`."""
    columns = ["assessment_year", "assessed", "gld", "gld_pct", "gld_low", "gld_high", "target_pct"]
    return whole.sort_values("assessment_year", kind="stable")[columns].reset_index(drop=True)


def gld_trend_sentence(trend: pd.DataFrame, *, target_pct: float) -> str:
    """'Down from 66.5% in 2022/23 to 66.2% in 2025/26 (0.3 points), ...': the first and the
    latest year shown, whether their intervals overlap, and the best year."""
    shown = trend.assign(_pct=trend["gld_pct"].map(number)).dropna(subset=["_pct"])
    if shown.empty:
        return ("There is no year with a share of children with a good level of development that can be "
                "published yet.")
    last = shown.iloc[-1]
    if len(shown) == 1:
        return (f"Only {school_year(last['assessment_year'])} can be shown so far: "
                f"{fmt.percent(last['_pct'])}{_interval_words(number(last['gld_low']), number(last['gld_high']))}.")
    first = shown.iloc[0]
    change = last["_pct"] - first["_pct"]
    since = f"{fmt.percent(first['_pct'])} in {school_year(first['assessment_year'])}"
    until = f"{fmt.percent(last['_pct'])} in {school_year(last['assessment_year'])}"
    if abs(change) < 0.05:
        sentence = f"The same, {until} as {since}."
    else:
        sentence = (f"{'Up' if change > 0 else 'Down'} from {since} to {until} "
                    f"({abs(change):.1f} {'point' if round(abs(change), 1) == 1 else 'points'}).")
    first_low, first_high = number(first["gld_low"]), number(first["gld_high"])
    last_low, last_high = number(last["gld_low"]), number(last["gld_high"])
    if first_low is not None and first_high is not None and last_low is not None and last_high is not None:
        if _overlap((first_low, first_high), (last_low, last_high)):
            sentence += " The two years' 95% intervals overlap, so the change could be chance."
        else:
            sentence += " The two years' 95% intervals do not overlap: the change is unlikely to be chance alone."
    best = shown.sort_values(["_pct", "assessment_year"], ascending=[False, False], kind="stable").iloc[0]
    if len(shown) > 2:
        sentence += f" The highest was {fmt.percent(best['_pct'])}, in {school_year(best['assessment_year'])}."
    reached = shown[shown["_pct"] >= target_pct]
    if reached.empty:
        sentence += f" No year reached the {target_pct:g}% target."
    else:
        years = ", ".join(school_year(year) for year in reached["assessment_year"])
        sentence += f" The {target_pct:g}% target was reached in {years}."
    return sentence


def _overlap(one: tuple[float, float], other: tuple[float, float]) -> bool:
    return one[0] <= other[1] and other[0] <= one[1]


def fsm_gap_sentence(row: pd.Series | None) -> str:
    """'In 2025/26, children eligible for free school meals were 20.3 points less likely to reach a
    good level of development than the other children assessed in the authority.'"""
    if row is None:
        return outcomes_not_loaded()
    when = f"In {school_year(row['assessment_year'])}"
    value = row.get("fsm_gap_points")
    gap = number(value)
    if gap is None:
        if isinstance(value, str):
            return (f"{when}, the gap for children eligible for free school meals is hidden in figures for "
                    "publication: too few children were in one of the groups.")
        return (f"{when}, there is no gap for free school meals to show: the results loaded do not say which "
                "children were eligible, or one of the groups has nobody assessed.")
    if abs(gap) < 0.05:
        return (f"{when}, children eligible for free school meals were as likely to reach a good level of "
                "development as the other children assessed in the authority.")
    return (f"{when}, children eligible for free school meals were {abs(gap):.1f} points "
            f"{'less' if gap > 0 else 'more'} likely to reach a good level of development than the other "
            "children assessed in the authority.")


def fsm_gap_sites_sentence(sites: pd.DataFrame) -> str:
    """Where the gap is widest and narrowest among the sites shown, and how many are hidden."""
    words = current()
    shown = sites.assign(_gap=sites["fsm_gap_points"].map(number)).dropna(subset=["_gap"])
    hidden = int(sum(isinstance(value, str) for value in sites["fsm_gap_points"]))
    if shown.empty:
        sentence = f"No {words.site}'s gap can be shown."
    else:
        ordered = shown.sort_values(["_gap", "centre_id"], ascending=[False, True], kind="stable")
        widest = ordered.iloc[0]
        sentence = f"The gap is widest at {_site_name(widest)}: {_gap_points(widest['_gap'])}."
        if len(ordered) > 1:
            narrowest = ordered.iloc[-1]
            sentence += f" It is narrowest at {_site_name(narrowest)}: {_gap_points(narrowest['_gap'])}."
    if hidden:
        sentence += (f" {fmt.count(hidden)} {words.site if hidden == 1 else words.sites} "
                     f"{'has its gap' if hidden == 1 else 'have their gaps'} hidden: too few children in a group.")
    return sentence


def _site_name(row: pd.Series) -> str:
    return markdown_text(row.get("centre_name") or row["centre_id"])


def _gap_points(gap: float) -> str:
    """A gap in points: '20.3 points', or '1.3 points the other way (the children eligible did better)'."""
    if gap < -0.05:
        return f"{abs(gap):.1f} points the other way (the children eligible did better)"
    return f"{abs(gap):.1f} points"


def group_interval(pct_value, assessed) -> tuple[float | None, float | None]:
    """The 95% Wilson interval of a group's published GLD %, from the percentage and the number
    assessed (the count with GLD worked back); none where either is hidden or missing."""
    share, n = number(pct_value), number(assessed)
    if share is None or n is None or n <= 0:
        return None, None
    return gld_interval(int(round(share * n / 100)), int(n))


def known_early(frame: pd.DataFrame) -> pd.DataFrame:
    """The known-early comparison of each row of a published outcomes table: the two groups'
    numbers assessed and GLD %, each with its 95% interval, and the difference in points (known
    early minus the other registered children; "c" where either share is hidden)."""
    keys = [column for column in ("assessment_year", "centre_id", "centre_name") if column in frame.columns]
    out = frame[keys].copy()
    for group in ("known_early", "other_linked"):
        intervals = [group_interval(p, n) for p, n in zip(frame[f"{group}_gld_pct"], frame[f"{group}_assessed"])]
        out[f"{group}_assessed"] = frame[f"{group}_assessed"].values
        out[f"{group}_gld_pct"] = frame[f"{group}_gld_pct"].values
        # The interval goes with its percentage: hidden ("c") where the percentage is.
        withheld = [isinstance(value, str) for value in frame[f"{group}_gld_pct"]]
        out[f"{group}_low"] = [HIDDEN if hide else low for hide, (low, _) in zip(withheld, intervals)]
        out[f"{group}_high"] = [HIDDEN if hide else high for hide, (_, high) in zip(withheld, intervals)]
    differences: list[float | str | None] = []
    for early, other in zip(frame["known_early_gld_pct"], frame["other_linked_gld_pct"]):
        a, b = number(early), number(other)
        if a is not None and b is not None:
            differences.append(a - b)
        elif isinstance(early, str) or isinstance(other, str):
            differences.append(HIDDEN)
        else:
            differences.append(None)
    out["difference_points"] = differences
    return out.reset_index(drop=True)


ASSOCIATION = ("This shows that the two go together, not that knowing a family early caused it: families who "
               "come early may differ in other ways.")


def known_early_sentence(row: pd.Series | None) -> str:
    """The authority's known-early comparison for one year, as an association, never a cause:
    'Children known to a hub before two were more likely to reach a good level of development ...'"""
    words = current()
    if row is None:
        return outcomes_not_loaded()
    when = f"In {school_year(row['assessment_year'])}"
    early, other = number(row.get("known_early_gld_pct")), number(row.get("other_linked_gld_pct"))
    early_n, other_n = number(row.get("known_early_assessed")), number(row.get("other_linked_assessed"))
    if early is None or other is None:
        if (early_n in (None, 0.0) and not isinstance(row.get("known_early_assessed"), str)
                and other_n in (None, 0.0) and not isinstance(row.get("other_linked_assessed"), str)):
            return (f"{when}, no child assessed could be linked to a registration, so children known early "
                    "cannot be compared with the others: the results need the children's keys (the **eyfsp** "
                    "import, with `child_key`).")
        return (f"{when}, the comparison of children known early with the other registered children is hidden "
                "in figures for publication: too few children were in one of the groups.")
    early_low, early_high = group_interval(early, early_n)
    other_low, other_high = group_interval(other, other_n)
    difference = early - other
    if abs(difference) < 0.05:
        how, by = "as likely to reach a good level of development as", ""
    else:
        how = f"{'more' if difference > 0 else 'less'} likely to reach a good level of development than"
        by = f", {abs(difference):.1f} points {'more' if difference > 0 else 'less'}"
    known = f"the {fmt.count(early_n)} known early" if early_n is not None else "those known early"
    others = f"the {fmt.count(other_n)} others" if other_n is not None else "the others"
    sentence = (f"{when}, children known to a {words.site} before two were {how} the other registered children: "
                f"{fmt.percent(early)}{_interval_words(early_low, early_high)} of {known}, against "
                f"{fmt.percent(other)}{_interval_words(other_low, other_high)} of {others}{by}.")
    if early_low is not None and early_high is not None and other_low is not None and other_high is not None:
        if _overlap((early_low, early_high), (other_low, other_high)):
            sentence += " The two intervals overlap, so the difference could be chance."
        else:
            sentence += " The two intervals do not overlap, so the difference is unlikely to be chance alone."
    return f"{sentence} {ASSOCIATION}"
