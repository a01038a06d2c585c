"""The what-if outcome in words: what a scenario would do to reach (`describe_change`), the
page's headline, which sets the chosen settings against the data's (naming each one changed) and
tells of a dip before the rise, why each headline figure moves (under five and under two), when
reach would first get to the target (the outstanding threshold, 97% unless changed), which sharing
options get there in the long run, and where each setting came from. The command line prints the
same headline.

`headline_sentence`, `describe_change` and `origin_words` return plain text, a centre's name in
it as it is: the page escapes it for Markdown, the command line for the terminal. The other
`*_sentence` functions hold no text from data, and read the same as Markdown. The figures come
from the model (`reach.domain.whatif`); nothing here repeats its arithmetic.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from reach.domain.whatif import (TARGET_SHARE, Projection, Scenario, TargetOutOfReach, contact_rate_needed,
                                 first_crossing, project, sharing_name)
from reach.domain.whatif_parameters import Calibration, Parameter
from reach.presentation.format import percent
from reach.presentation.summaries import threshold
from reach.presentation.whatif_settings import (PARAMETER_OF, SHARING_LABELS, Choices, changed_choices, choices_from,
                                                sharing_words, shown_value)


# --- what a scenario would do ----------------------------------------------------------------

def _months_in_words(months: int) -> tuple[str, bool]:
    """A span of months in words, and whether it is a single unit ("year", "month") that takes
    an article: (year, True), (two years, False), (month, True), (5 months, False)."""
    if months == 12:
        return "year", True
    if months % 12 == 0:
        years = months // 12
        return f"{_NUMBER_WORDS.get(years, str(years))} years", False
    return ("month", True) if months == 1 else (f"{months} months", False)


def _within(months: int) -> str:
    words, single = _months_in_words(months)
    return f"within a {words}" if single else f"within {words}"


def _over_the_next(months: int) -> str:
    return f"over the next {_months_in_words(months)[0]}"


_NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five"}


def _what_is_shared(s: Scenario) -> str:
    if s.sharing_months is None:
        return "Sharing no birth data"
    what = "births and arrivals" if s.arrivals_in_feed else "births only"
    name = sharing_name(s.sharing_months)
    if name.startswith("every"):
        return f"Sharing {what} {name}"
    return f"{name[0].upper()}{name[1:]} sharing of {what}"


def target_words(target_share: float) -> str:
    """The target as people write it: 0.97 -> '97%', 0.975 -> '97.5%'."""
    return threshold(round(100 * target_share, 6))


def describe_change(*, scenario: Scenario, known: float, under_five: float, area_name: str = "the area",
                    horizon_months: int = 12, start_month_phase: float = 0, known_share_by_age=None,
                    target_share: float = TARGET_SHARE) -> str:
    """One plain sentence for a centre manager: where the scenario takes reach within the
    horizon, and what else the target (`target_share`, 97% unless changed) needs in the long run.

    "Monthly sharing of births and arrivals would lift Riverside from 88% to about 95% within a
    year; 97% also needs contact success above 96%."
    """
    if under_five <= 0:
        raise ValueError(f"Cannot describe reach without any under-fives in the area; got {under_five!r}.")
    path = project(scenario=scenario, known=min(known, under_five), unknown=max(under_five - known, 0.0),
                   months=horizon_months, start_month_phase=start_month_phase, known_share_by_age=known_share_by_age)
    now, later = round(path[0][1]), round(path[-1][1])
    if later > now:
        change = f"would lift {area_name} from {now}% to about {later}% {_within(horizon_months)}"
    elif later < now:
        change = f"would leave {area_name} falling from {now}% to about {later}% {_within(horizon_months)}"
    else:
        change = f"would keep {area_name} at about {now}% {_over_the_next(horizon_months)}"
    return f"{_what_is_shared(scenario)} {change}; {_what_target_needs(scenario, target_share)}."


def _what_target_needs(s: Scenario, target_share: float) -> str:
    target = target_words(target_share)
    try:
        needed = contact_rate_needed(s, target_share=target_share)
    except TargetOutOfReach:
        return f"it cannot reach {target} even with every family contacted"
    if needed == 0:
        return f"that is enough for {target} in the long run"
    whole = math.floor(100 * needed + 1e-9)
    threshold = f"above {whole}%" if 100 * needed - whole > 1e-6 else f"of at least {whole}%"
    if needed <= s.contact_rate:
        return f"that is enough for {target} in the long run (it needs contact success {threshold})"
    return f"{target} also needs contact success {threshold}"


def crossing_sentence(projection: Projection, *, known: float, under_five: float, known_share_by_age=None) -> str:
    """When the path first reaches the projection's target (as a month's average) under its
    scenario: before the inspection, after it, or never; and whether it stays there in the long run."""
    target = target_words(projection.target_share)
    long_run = projection.steady_state_pct
    if projection.crosses_target_on == projection.start:
        return f"Reach is already at {target} or more."
    crosses = first_crossing(projection, known=known, under_five=under_five, known_share_by_age=known_share_by_age)
    when = "before the inspection date" if projection.crosses_target_on is not None else "after the inspection date"
    if crosses is None:
        return (f"Reach would never get to {target} in any month: in the long run it would settle at about "
                f"{percent(long_run)}.")
    sentence = f"Reach would first get to {target} in {crosses:%B %Y}, {when}."
    if long_run < 100.0 * projection.target_share:
        sentence += (f" It would not stay there: in the long run it averages about {percent(long_run)}, "
                     "dipping below each time a share is due.")
    return sentence


# --- the headline: what the chosen settings change, against the data's ----------------------

# How often, as an adverb: "sharing birth data every six months".
SHARING_ADVERBS = {"monthly": "monthly", "quarterly": "quarterly", "6-monthly": "every six months",
                   "annual": "once a year"}


def _month_words(month: str) -> str:
    """'2026-12' -> 'December 2026'."""
    year, number = month.split("-")
    return f"{date(int(year), int(number), 1):%B %Y}"


def _gap_words(value: float, compared: float, *, against: str) -> str:
    """', against 86.2% if sharing stays monthly: 2.7 points lower', or the same in words when the
    two figures are the same to the 0.1 shown."""
    gap = round(round(value, 1) - round(compared, 1), 1)
    if gap == 0:
        return ", the same as with things as they are" if against == AS_THINGS_ARE else f", the same as {against}"
    return f", against {percent(compared)} {against}: {abs(gap):.1f} points {'higher' if gap > 0 else 'lower'}"


AS_THINGS_ARE = "as things are"

# Each setting but sharing as changed, with what it was: "contact success at 95% instead of 86.3%".
_CHANGE_WORDS = {
    "contact": "contact success at {value} instead of {start}",
    "other": "other routes finding families at {value} instead of {start}",
    "churn": "families moving away at {value} instead of {start}",
    "delay": "the birth data arriving {value} after each period instead of {start}",
}
_ARRIVALS_WORDS = {True: "the birth data including families who move in instead of births only",
                   False: "the birth data holding births only instead of including families who move in"}


def _source_words(parameter: Parameter) -> str:
    """Where a starting value came from, as the settings' captions and the headline say it."""
    return "from the data" if parameter.origin == "data" else "a default"


def _changes_words(calibration: Calibration, choices: Choices) -> list[str]:
    """Each setting but sharing that differs from its starting value, in words with that value
    and where it came from: 'contact success at 95% instead of 86.3% (from the data)'."""
    start = choices_from(calibration)
    words = []
    for name in changed_choices(calibration, choices):
        if name == "sharing":
            continue
        if name == "arrivals":
            change = _ARRIVALS_WORDS[bool(choices.arrivals)]
        else:
            change = _CHANGE_WORDS[name].format(value=shown_value(name, getattr(choices, name)),
                                                start=shown_value(name, getattr(start, name)))
        words.append(f"{change} ({_source_words(getattr(calibration, PARAMETER_OF[name]))})")
    return words


def against_words(calibration: Calibration, choices: Choices) -> str:
    """What the chosen scenario is set against, in words after a figure ('86.2% if sharing stays
    monthly'): today's sharing when only the sharing differs from the data's, the data's whole
    scenario ('as things are') when any other setting does; '' when nothing differs."""
    changed = set(changed_choices(calibration, choices))
    if not changed:
        return ""
    if changed == {"sharing"}:
        today = choices_from(calibration).sharing
        return "with no sharing" if today == "none" else f"if sharing stays {SHARING_ADVERBS[today]}"
    return AS_THINGS_ARE


def headline_sentence(*, chosen: Projection, compared: Projection | None, calibration: Calibration,
                      choices: Choices, today_assumed: bool, area_name: str) -> str:
    """The page's headline, as plain text (escape it for where it is shown): what the chosen
    settings do to reach by the inspection date, set against the scenario from the data.

    `calibration` holds the settings from the data (today's sharing among them: `today_assumed`
    when the data cannot show it and the default stands in), `choices` the settings chosen, and
    `compared` the path with every setting as the data gives it, needed whenever any setting
    differs (it is not used when none does). Each setting changed is named with the value it had.

    "Sharing birth data quarterly instead of monthly (today's sharing) would take reach in the
    authority from 82.6% today to 83.5% in September 2027, against 86.2% if sharing stays
    monthly: 2.7 points lower."
    "With contact success at 95% instead of 86.3% (from the data), reach in the authority would rise
    from 82.6% today to 88.0% in September 2027, against 86.2% as things are: 1.8 points higher."
    """
    now, then = chosen.path[0]["reach_pct"], chosen.reach_at_until
    month = f"{chosen.until:%B %Y}"
    today_sharing, chosen_sharing = choices_from(calibration).sharing, choices.sharing
    against = against_words(calibration, choices)
    if against and compared is None:
        raise ValueError("A changed setting is set against the scenario from the data: pass its path as `compared`.")
    changes = _changes_words(calibration, choices)
    today_words = "no sharing" if today_sharing == "none" else SHARING_ADVERBS[today_sharing]
    today_is = ("assumed, as the data cannot show how often it is shared" if today_assumed
                else "today's sharing")
    if chosen_sharing != today_sharing:
        if chosen_sharing == "none":
            lead = f"Stopping the sharing of birth data ({today_is}: {today_words})"
        elif today_sharing == "none":
            lead = (f"Starting to share birth data {SHARING_ADVERBS[chosen_sharing]} "
                    + ("(none is loaded, so none is assumed today)" if today_assumed else "(none is shared today)"))
        else:
            lead = f"Sharing birth data {SHARING_ADVERBS[chosen_sharing]} instead of {today_words} ({today_is})"
        if changes:
            lead += f", with {_listed(changes, 'and')},"
        sentence = f"{lead} would take reach in {area_name} from {percent(now)} today to {percent(then)} in {month}"
    else:
        gap = round(round(then, 1) - round(now, 1), 1)
        if changes:
            lead = f"With {_listed(changes, 'and')}, reach in {area_name} would"
            change = "stay at" if gap == 0 else f"{'rise' if gap > 0 else 'fall'} from {percent(now)} today to"
            sentence = f"{lead} {change} {percent(then)} in {month}"
        else:
            if today_sharing == "none":
                lead = "With no birth data shared, as today,"
            elif today_assumed:
                lead = (f"With birth data shared {today_words} (assumed, as the data cannot show how often it is "
                        "shared),")
            else:
                lead = f"With birth data shared {today_words}, as today,"
            if gap == 0:
                sentence = f"{lead} reach in {area_name} would be {percent(then)} in {month}, as it is today"
            else:
                sentence = (f"{lead} reach in {area_name} would {'rise' if gap > 0 else 'fall'} from {percent(now)} "
                            f"today to {percent(then)} in {month}")
    if against and compared is not None:
        sentence += _gap_words(then, compared.reach_at_until, against=against)
    return sentence + "."


def dip_sentence(projection: Projection) -> str:
    """The month reach falls lowest before the inspection date, when that is below both today's
    figure and the inspection month's (a headline from one figure to another would hide it);
    otherwise ''. 'Reach would not rise steadily: it would first dip to 79.4% in December 2026.'"""
    path = projection.path
    if len(path) < 3:
        return ""
    lowest = min(path[1:-1], key=lambda point: point["reach_pct"])
    start, end = path[0]["reach_pct"], path[-1]["reach_pct"]
    low = lowest["reach_pct"]
    if round(low, 1) >= round(min(start, end), 1):
        return ""
    when = _month_words(lowest["month"])
    if round(end, 1) > round(start, 1):
        return f"Reach would not rise steadily: it would first dip to {percent(low)} in {when}."
    return (f"On the way it would fall lower still, to {percent(low)} in {when}, before coming back to "
            f"{percent(end)} in {projection.until:%B %Y}.")


def movement_sentence(projection: Projection, *, subject: str = "Reach", group: str = "the under-fives",
                      settles_beside: float | None = None) -> str:
    """Why a headline figure moves from today to the inspection month, in one or two sentences
    ('' when it does not move, to the 0.1 shown): the model takes reach towards where the
    settings hold it in the long run, so the figure rises when that is above today's and falls
    when it is below; a move the other way is a dip or a peak of the sharing cycle on the way.

    `subject` names the figure ('Reach under two'), `group` the children it counts. With
    `settles_beside` (the under-fives' long-run figure, for the under-twos'), a lower long-run
    figure is explained too."""
    now, then, long_run = projection.path[0]["reach_pct"], projection.reach_at_until, projection.steady_state_pct
    month = f"{projection.until:%B %Y}"
    if round(then, 1) == round(now, 1):
        return ""
    settles = f"these settings would hold it at about {percent(long_run)} in the long run"
    if then < now and round(long_run, 1) < round(now, 1):
        sentence = (f"{subject} falls from {percent(now)} today to {percent(then)} in {month} because {settles}, "
                    "below today's figure: under them, babies born and families moving in are found more "
                    "slowly than they arrive.")
    elif then < now:
        sentence = (f"{subject} is lower in {month} ({percent(then)}) than today ({percent(now)}) though {settles}: "
                    f"{month} falls in a dip, as reach is lowest just before each share of birth data lands and "
                    f"while the known children growing out of {group} are replaced by babies not yet found.")
    elif round(long_run, 1) > round(now, 1):
        sentence = (f"{subject} rises from {percent(now)} today to {percent(then)} in {month} because {settles}, "
                    "above today's figure: under them, families are found faster than babies are born and "
                    "families move in.")
    else:
        sentence = (f"{subject} is higher in {month} ({percent(then)}) than today ({percent(now)}) though {settles}: "
                    "it rises and falls with each share of birth data before it settles there.")
    if settles_beside is not None and round(long_run, 1) < round(settles_beside, 1):
        sentence += (f" It settles lower than reach under five ({percent(settles_beside)}): a baby is not known "
                     "until the birth data arrives and the family is contacted, and those first months are a "
                     "larger part of the first two years than of the first five.")
    return sentence


def target_sentence(scenario: Scenario, *, target_share: float = TARGET_SHARE) -> str:
    """What the target needs in the long run under the scenario, as a sentence: 'In the long run
    97% also needs contact success above 96% (the setting is 84.7%).'"""
    target = target_words(target_share)
    try:
        needed = contact_rate_needed(scenario, target_share=target_share)
    except TargetOutOfReach:
        return (f"Even if every family named in the birth data registered, these settings could not hold {target} "
                "in the long run.")
    if needed == 0:
        return f"In the long run these settings are enough for {target}, whatever the contact success."
    whole = math.floor(100 * needed + 1e-9)
    level = f"above {whole}%" if 100 * needed - whole > 1e-6 else f"of at least {whole}%"
    setting = percent(100 * scenario.contact_rate)
    if needed <= scenario.contact_rate:
        return (f"In the long run these settings are enough for {target}: it needs contact success {level}, "
                f"and the setting is {setting}.")
    return f"In the long run {target} also needs contact success {level} (the setting is {setting})."


# --- every sharing option in the long run ---------------------------------------------------

def steady_state_sentence(table: pd.DataFrame, *, chosen: str, target_share: float = TARGET_SHARE) -> str:
    """Which sharing options reach the target in the long run (the table's `reaches_target`,
    made with the same `target_share`), and where the chosen one settles."""
    row = table.set_index("sharing_option").loc[chosen]
    reaching = list(table.loc[table["reaches_target"] == "yes", "sharing_option"])
    settle = (f"With {sharing_words(chosen)} reach would settle at about "
              f"{percent(row['long_run_reach_pct'])} in the long run.")
    target = target_words(target_share)
    if not reaching:
        return f"{settle} No sharing option reaches {target} with the other settings as they are."
    if "none" in reaching:     # sharing only adds to the other routes: every option gets there
        return f"{settle} In the long run {target} is reached with any sharing, or none."
    options = _listed([SHARING_LABELS[name].lower() for name in reaching])
    return f"{settle} In the long run {target} is reached with {options} sharing."


def _listed(words: list[str], conjunction: str = "or") -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {conjunction} " + words[-1]


# --- where each setting came from ------------------------------------------------------------

def origin_words(name: str, calibration: Calibration, *, changed: bool) -> str:
    """Where a setting's starting value came from, in a sentence to show beside its widget."""
    parameter = getattr(calibration, PARAMETER_OF[name])
    if changed:
        start = shown_value(name, getattr(choices_from(calibration), name))
        return f"Changed here. It started at {start} ({_source_words(parameter)}): {_lower_first(parameter.how)}"
    if parameter.origin == "data":
        return f"From the data. {parameter.how}"
    return f"Default value. {parameter.how}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
