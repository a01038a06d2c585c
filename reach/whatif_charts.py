"""The what-if page's pieces, as pure functions so a test can read them without a browser.

* The settings as a person sees them (`Choices`: sharing by name, rates in percent), started from
  the calibration and turned back into a calibration in which only what was changed is marked
  as a chosen option.
* The shareable link: the settings as query parameters, and the same read back with every bad
  value set aside with a plain reason, never an exception.
* Every sharing option side by side: the long-run figure and the path to an inspection date, as
  tables and as plotly figures, and the sentences that read them.

The model itself lives in `reach.whatif` and its data-derived starting values in
`reach.calibration`; nothing here repeats their arithmetic.

The `*_sentence` functions return Markdown (a centre's name in them is escaped); everything else
returns plain text, which the page escapes to show. A link is typed by whoever sends it, so what
it asked for is only echoed back in a problem, shortened and as plain text.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go

from reach.calibration import Calibration, Parameter
from reach.charts import LINE_COLOUR, TARGET_COLOUR, styled, threshold_line
from reach.format import percent
from reach.safe_text import markdown_text
from reach.summaries import long_date
from reach.whatif import (SHARING_OPTIONS, TARGET_SHARE, Projection, Scenario, TargetOutOfReach, add_months,
                          contact_rate_needed, describe_change, months_until_period_end, project_to,
                          sharing_name, steady_state_by_sharing)

AUTHORITY = "authority"       # the link's word for the whole authority, in place of a centre ID
LONGEST_HORIZON_MONTHS = 120  # the furthest inspection date offered: ten years ahead

SHARING_LABELS = {"monthly": "Monthly", "quarterly": "Quarterly", "6-monthly": "6-monthly",
                  "annual": "Annual", "none": "No sharing"}
SHARING_COLOURS = {"monthly": "#0072B2", "quarterly": "#009E73", "6-monthly": "#E69F00",
                   "annual": "#D55E00", "none": "#999999"}
SHARING_DASHES = {"monthly": "solid", "quarterly": "dot", "6-monthly": "dashdot", "annual": "longdash",
                  "none": "solid"}
ORIGIN_WORDS = {"data": "from the data", "default": "default", "option": "chosen here"}
PARAMETER_WORDS = {
    "sharing": "How often birth data is shared",
    "contact": "Contact success",
    "other": "Found by other routes",
    "churn": "Families moving away",
    "delay": "Delay before the data arrives",
    "arrivals": "Families moving in are in the data",
}

OUT_OF_REACH = "out of reach"
_TARGET_WORDS = f"{TARGET_SHARE:.0%}: virtually all families known"

LINK_VALUE_SHOWN = 40   # characters of a bad link value echoed back in its problem

# Once the children of today have all turned five, the path repeats with the sharing cycle, so a
# month at or above 97% either comes within five years and one annual cycle or never does.
_CROSSING_SEARCH_MONTHS = 72


# --- the settings as shown -------------------------------------------------------------------

@dataclass(frozen=True)
class Slider:
    """How a model rate is shown: its parameter, the range and step offered, and the factor from
    the model's unit to the shown one (100 for a fraction shown in percent)."""

    parameter: str
    low: float
    high: float
    step: float
    scale: float
    unit: str

    def shown(self, value: float) -> float:
        """The model's value in the shown unit, rounded to the step the widget moves by."""
        return round(float(value) * self.scale, 1)

    def model(self, shown: float) -> float:
        return float(shown) / self.scale


SLIDERS = {
    "contact": Slider("contact_rate", 0.0, 100.0, 0.1, 100.0, "%"),
    "other": Slider("other_route_rate", 0.0, 20.0, 0.1, 100.0, "% a month"),
    "churn": Slider("churn", 0.0, 10.0, 0.1, 100.0, "% a month"),
    "delay": Slider("delay_months", 0.0, 24.0, 0.1, 1.0, " months"),
}


@dataclass(frozen=True)
class Choices:
    """The what-if settings as a person sees them: sharing by name, rates in percent, the delay
    in months, arrivals in the feed yes or no. Field names are the link's parameter names."""

    sharing: str
    contact: float
    other: float
    churn: float
    delay: float
    arrivals: bool

    def __post_init__(self):
        if self.sharing not in SHARING_OPTIONS:
            raise ValueError(f"Sharing is one of {', '.join(SHARING_OPTIONS)}; got {self.sharing!r}.")


CHOICE_NAMES = tuple(f.name for f in fields(Choices))
_PARAMETER_OF = {"sharing": "sharing_months", "arrivals": "arrivals_in_feed",
                 **{name: slider.parameter for name, slider in SLIDERS.items()}}


def choices_from(calibration: Calibration) -> Choices:
    """The calibration's values as the page's widgets show them."""
    sharing = sharing_name(calibration.sharing_months.value)
    if sharing not in SHARING_OPTIONS:
        raise ValueError(f"The page offers {', '.join(SHARING_OPTIONS)} sharing; the calibration says {sharing}.")
    return Choices(sharing=sharing, arrivals=bool(calibration.arrivals_in_feed.value),
                   **{name: slider.shown(getattr(calibration, slider.parameter).value)
                      for name, slider in SLIDERS.items()})


def slider_high(name: str, calibration: Calibration) -> float:
    """The top of a slider's range: the usual top, or higher if the data's value lies above it."""
    slider = SLIDERS[name]
    return max(slider.high, slider.shown(getattr(calibration, slider.parameter).value))


def changed_choices(calibration: Calibration, choices: Choices) -> tuple[str, ...]:
    """The settings that differ from the calibration as shown: the ones a person has moved."""
    start = choices_from(calibration)
    return tuple(name for name in CHOICE_NAMES if getattr(choices, name) != getattr(start, name))


def calibration_with(calibration: Calibration, choices: Choices) -> Calibration:
    """The calibration with each changed setting as a chosen option. A setting left where it
    started keeps the data's exact value, not the rounded one the widget shows."""
    options = {}
    for name in changed_choices(calibration, choices):
        value = getattr(choices, name)
        if name == "sharing":
            options[_PARAMETER_OF[name]] = SHARING_OPTIONS[value]
        elif name == "arrivals":
            options[_PARAMETER_OF[name]] = bool(value)
        else:
            options[_PARAMETER_OF[name]] = SLIDERS[name].model(value)
    return calibration.with_options(**options)


def shown_value(name: str, value) -> str:
    """A setting in words: 'monthly', '84.7%', '1.4% a month', '0.6 months', 'yes'."""
    if name == "sharing":
        return SHARING_LABELS[value].lower() if value in SHARING_LABELS else str(value)
    if name == "arrivals":
        return "yes" if value else "no"
    return f"{float(value):g}{SLIDERS[name].unit}"


def origin_words(name: str, calibration: Calibration, *, changed: bool) -> str:
    """Where a setting's starting value came from, in a sentence to show beside its widget."""
    parameter = getattr(calibration, _PARAMETER_OF[name])
    if changed:
        start = shown_value(name, getattr(choices_from(calibration), name))
        source = "from the data" if parameter.origin == "data" else "a default"
        return f"Changed here. It started at {start} ({source}): {_lower_first(parameter.how)}"
    if parameter.origin == "data":
        return f"From the data. {parameter.how}"
    return f"Default value. {parameter.how}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


# --- the shareable link ----------------------------------------------------------------------

def link_query(*, centre: str, until: date, choices: Choices) -> dict[str, str]:
    """The scenario as query parameters, in a fixed order: centre (an ID, or 'authority'),
    until (ISO date), sharing, contact, other, churn, delay (shown units) and arrivals (yes/no)."""
    query = {"centre": centre, "until": until.isoformat()}
    for name in CHOICE_NAMES:
        value = getattr(choices, name)
        if name == "sharing":
            query[name] = value
        elif name == "arrivals":
            query[name] = "yes" if value else "no"
        else:
            query[name] = f"{float(value):g}"
    return query


def query_string(query: Mapping[str, str]) -> str:
    """'?centre=DEMO07&until=2027-09-30&...': the values never need escaping, being IDs, dates,
    option names and numbers, but any that do are escaped."""
    return "?" + urlencode(dict(query))


@dataclass(frozen=True)
class Link:
    """What a link asked for: only the values that passed their checks, and a plain reason for
    each value set aside."""

    values: dict
    problems: tuple[str, ...]


def read_link(query: Mapping[str, str], *, centres, earliest: date, latest: date) -> Link:
    """Check a link's query parameters. `centres` are the centre IDs offered; the inspection date
    must fall from `earliest` to `latest`. Parameters the page does not use are ignored.

    Only values that passed their checks are returned. Each problem is plain text quoting the bad
    value (its first `LINK_VALUE_SHOWN` characters): escape it to show it as Markdown."""
    values, problems = {}, []

    def set_aside(name: str, raw: str, wanted: str) -> None:
        shown = raw if len(raw) <= LINK_VALUE_SHOWN else raw[:LINK_VALUE_SHOWN] + "..."
        problems.append(f"The link's {name} value {shown!r} is not {wanted}, so it was ignored.")

    if "centre" in query:
        raw = str(query["centre"])
        if raw == AUTHORITY or raw in set(centres):
            values["centre"] = raw
        else:
            set_aside("centre", raw, f"a centre ID in this data or {AUTHORITY!r}")
    if "until" in query:
        raw = str(query["until"])
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            set_aside("until", raw, "a date written YYYY-MM-DD")
        else:
            if earliest <= day <= latest:
                values["until"] = day
            else:
                set_aside("until", raw, f"a date from {earliest.isoformat()} to {latest.isoformat()}")
    if "sharing" in query:
        raw = str(query["sharing"])
        if raw in SHARING_OPTIONS:
            values["sharing"] = raw
        else:
            set_aside("sharing", raw, f"one of {', '.join(SHARING_OPTIONS)}")
    for name, slider in SLIDERS.items():
        if name not in query:
            continue
        raw = str(query[name])
        try:
            number = float(raw)
        except ValueError:
            number = math.nan
        if slider.low <= number <= slider.high:    # false for NaN, so words and 'nan' are set aside
            values[name] = round(number, 1)
        else:
            set_aside(name, raw, f"a number from {slider.low:g} to {slider.high:g}")
    if "arrivals" in query:
        raw = str(query["arrivals"])
        answer = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}.get(raw.lower())
        if answer is None:
            set_aside("arrivals", raw, "yes or no")
        else:
            values["arrivals"] = answer
    return Link(values=values, problems=tuple(problems))


# --- every sharing option, in the long run ---------------------------------------------------

def steady_state_table(scenario: Scenario) -> pd.DataFrame:
    """One row per sharing option, the other settings fixed: the long-run reach, whether it
    reaches 97%, and the contact success 97% would need ('out of reach' where even contacting
    every family named in the data could not get there)."""
    rows = []
    for name, share in steady_state_by_sharing(scenario).items():
        option = replace(scenario, sharing_months=SHARING_OPTIONS[name])
        try:
            needed = percent(100.0 * contact_rate_needed(option))
        except TargetOutOfReach:
            needed = OUT_OF_REACH
        rows.append({"sharing": name, "long_run_reach_pct": 100.0 * share,
                     "reaches_97": "yes" if share >= TARGET_SHARE else "no",
                     "contact_needed_for_97": needed})
    return pd.DataFrame(rows)


def steady_state_chart(table: pd.DataFrame, *, chosen: str) -> go.Figure:
    """Bars of the long-run reach for each sharing option, each labelled with its figure, the
    chosen option darker and named so, and the 97% line."""
    labels = [SHARING_LABELS[name] + ("<br>(chosen)" if name == chosen else "") for name in table["sharing"]]
    is_chosen = [name == chosen for name in table["sharing"]]
    # Figures written inside the top of each bar, clear of the 97% line just above most of them.
    figure = go.Figure(go.Bar(
        x=labels, y=table["long_run_reach_pct"], name="Long-run reach",
        text=[percent(v) for v in table["long_run_reach_pct"]], textposition="inside", insidetextanchor="end",
        textfont=dict(color=["white" if mark else "black" for mark in is_chosen]),
        marker_color=[LINE_COLOUR if mark else "#56B4E9" for mark in is_chosen],
        hovertemplate="%{x}: %{y:.1f}% in the long run<extra></extra>",
    ))
    threshold_line(figure, 100.0 * TARGET_SHARE, words=_TARGET_WORDS, colour=TARGET_COLOUR)
    figure.update_yaxes(title="Share of under-fives known", range=[0, 105], ticksuffix="%")
    figure.update_xaxes(title=None, type="category")
    return styled(figure, title="Long-run reach by how often birth data is shared",
                   legend=dict(orientation="h", y=-0.15))


def steady_state_sentence(table: pd.DataFrame, *, chosen: str) -> str:
    """Which sharing options reach 97% in the long run, and where the chosen one settles."""
    row = table.set_index("sharing").loc[chosen]
    reaching = [SHARING_LABELS[name].lower() for name in table.loc[table["reaches_97"] == "yes", "sharing"]]
    settle = (f"With {SHARING_LABELS[chosen].lower()} sharing reach would settle at about "
              f"{percent(row['long_run_reach_pct'])} in the long run.")
    if not reaching:
        return f"{settle} No sharing option reaches {TARGET_SHARE:.0%} with the other settings as they are."
    return f"{settle} In the long run {TARGET_SHARE:.0%} is reached with {_listed(reaching)} sharing."


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


# --- every sharing option, month by month to the inspection ----------------------------------

def projections_by_sharing(*, scenario: Scenario, known: float, under_five: float, start: date, until: date,
                           known_share_by_age=None) -> dict[str, Projection]:
    """The month-by-month path from today to the inspection date under each sharing option."""
    return {name: project_to(scenario=replace(scenario, sharing_months=months), known=known, under_five=under_five,
                             start=start, until=until, known_share_by_age=known_share_by_age)
            for name, months in SHARING_OPTIONS.items()}


def paths_table(projections: dict[str, Projection]) -> pd.DataFrame:
    """One row per month, one reach column per sharing option: the first row is today's
    figure, each later row that month's average."""
    first = next(iter(projections.values()))
    table = pd.DataFrame({"month": [point["month"] for point in first.path]})
    for name, projection in projections.items():
        table[f"reach_pct_{name}"] = [point["reach_pct"] for point in projection.path]
    return table


def _month_ends(projection: Projection) -> list[date]:
    """Where each point of a path is drawn: today, then the last day of each month after it."""
    days = [projection.start]
    for point in projection.path[1:]:
        year, month = (int(part) for part in point["month"].split("-"))
        days.append(date(year, month, calendar.monthrange(year, month)[1]))
    return days


def paths_chart(projections: dict[str, Projection], *, chosen: str, until: date) -> go.Figure:
    """A line per sharing option of reach month by month (the saw-tooth of the sharing cycle
    shows: lowest just before each share lands), the chosen option thicker and named so, the 97%
    line, and the inspection date marked."""
    figure = go.Figure()
    for name, projection in projections.items():
        label = SHARING_LABELS[name] + (" (chosen)" if name == chosen else "")
        figure.add_trace(go.Scatter(
            x=_month_ends(projection), y=[point["reach_pct"] for point in projection.path], mode="lines+markers",
            name=label, legendgroup=name,
            line=dict(color=SHARING_COLOURS[name], dash=SHARING_DASHES[name], width=4 if name == chosen else 2),
            marker=dict(size=5), hovertemplate="%{x|%b %Y}: %{y:.1f}%<extra>" + label + "</extra>",
        ))
    threshold_line(figure, 100.0 * TARGET_SHARE, words=_TARGET_WORDS, colour=TARGET_COLOUR)
    inspection = until.isoformat()
    figure.add_vline(x=inspection, line=dict(color=LINE_COLOUR, dash="dot", width=1.5))
    figure.add_annotation(x=inspection, y=1, yref="paper", text="Inspection", showarrow=False,
                          xanchor="right", yanchor="bottom")
    figure.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=f"Inspection date: {long_date(until)}",
                                line=dict(color=LINE_COLOUR, dash="dot", width=1.5)))
    # The saw-tooth is a few points deep: start the axis near the lowest figure, not at zero.
    values = [point["reach_pct"] for projection in projections.values() for point in projection.path]
    lowest = min([*values, 100.0 * TARGET_SHARE])
    figure.update_yaxes(title="Share of under-fives known", ticksuffix="%",
                        range=[max(0.0, 10 * math.floor(lowest / 10 - 0.5)), max(101.0, max(values) + 1)])
    figure.update_xaxes(title=None)
    return styled(figure, title="Reach month by month to the inspection date, by sharing option",
                   legend=dict(orientation="h", y=-0.15))


# --- in words --------------------------------------------------------------------------------

def months_between(start: date, until: date) -> int:
    """Calendar months from `start`'s month to `until`'s month."""
    return (until.year - start.year) * 12 + until.month - start.month


def summary_sentence(*, scenario: Scenario, known: float, under_five: float, area_name: str, start: date,
                     until: date, known_share_by_age=None) -> str:
    """`describe_change` over the months to the inspection date (at least one), with the
    sharing cycle on the calendar, as Markdown: `area_name` (plain text) is escaped."""
    return describe_change(scenario=scenario, known=known, under_five=under_five,
                           area_name=markdown_text(area_name),
                           horizon_months=max(1, months_between(start, until)),
                           start_month_phase=months_until_period_end(start, scenario.sharing_months),
                           known_share_by_age=known_share_by_age)


def crossing_sentence(projection: Projection, *, known: float, under_five: float, known_share_by_age=None) -> str:
    """When the path first reaches 97% (as a month's average) under the projection's scenario:
    before the inspection, after it, or never; and whether it stays there in the long run."""
    target = f"{TARGET_SHARE:.0%}"
    long_run = projection.steady_state_pct
    if projection.crosses_97_on == projection.start.isoformat():
        return f"Reach is already at {target} or more."
    crosses = projection.crosses_97_on
    when = "before the inspection date"
    if crosses is None:
        longer = project_to(scenario=projection.scenario, known=known, under_five=under_five, start=projection.start,
                            until=add_months(projection.start, _CROSSING_SEARCH_MONTHS),
                            known_share_by_age=known_share_by_age)
        crosses, when = longer.crosses_97_on, "after the inspection date"
    if crosses is None:
        return (f"Reach would never get to {target} in any month: in the long run it would settle at about "
                f"{percent(long_run)}.")
    month = date.fromisoformat(crosses)
    sentence = f"Reach would first get to {target} in {month:%B %Y}, {when}."
    if long_run < 100.0 * TARGET_SHARE:
        sentence += (f" It would not stay there: in the long run it averages about {percent(long_run)}, "
                     "dipping below each time a share is due.")
    return sentence


def calibration_table(calibration: Calibration, *, choices: Choices) -> pd.DataFrame:
    """The settings behind the scenario: each one's value in the scenario, whether that is from
    the data, a default or chosen here, the value it started at, and the records behind the
    starting value and how it was worked out."""
    start = choices_from(calibration)
    scenario_calibration = calibration_with(calibration, choices)
    rows = []
    for name in CHOICE_NAMES:
        started: Parameter = getattr(calibration, _PARAMETER_OF[name])
        rows.append({
            "parameter": PARAMETER_WORDS[name],
            "value": shown_value(name, getattr(choices, name)),
            "origin": ORIGIN_WORDS[getattr(scenario_calibration, _PARAMETER_OF[name]).origin],
            "starting_value": shown_value(name, getattr(start, name)),
            "starting_origin": ORIGIN_WORDS[started.origin],
            "records": started.records,
            "how": started.how,
        })
    return pd.DataFrame(rows)
