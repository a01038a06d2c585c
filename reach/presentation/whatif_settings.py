"""The what-if settings as a person sees them, and the link that carries them.

* `Choices`: the settings as the page's widgets show them (sharing by name, rates in percent),
  started from the calibration and turned back into a calibration in which only what was
  changed is marked as a chosen option.
* The shareable link: the settings as query parameters, and the same read back with every bad
  value set aside with a plain reason, never an exception. A link is typed by whoever sends it,
  so what it asked for is only echoed back in a problem, shortened and as plain text.

The model itself lives in `reach.domain.whatif` and its data-derived starting values in
`reach.queries.calibration`; nothing here repeats their arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from urllib.parse import urlencode

from reach.domain.whatif import SHARING_OPTIONS, sharing_name
from reach.domain.whatif_parameters import Calibration
from reach.presentation.wording import reword

AUTHORITY = "authority"       # the link's word for the whole authority, in place of a centre ID
LONGEST_HORIZON_MONTHS = 120  # the furthest inspection date offered: ten years ahead
LINK_VALUE_SHOWN = 40         # characters of a bad link value echoed back in its problem
# The link's words for the children the month-by-month chart follows: only the under-twos are
# written into a link (the under-fives are the page's own default, so older links read the same).
CHILDREN = {"under5": False, "under2": True}

SHARING_LABELS = {"monthly": "Monthly", "quarterly": "Quarterly", "6-monthly": "6-monthly",
                  "annual": "Annual", "none": "No sharing"}
PARAMETER_WORDS = {
    "sharing": "How often birth data is shared",
    "contact": "Contact success",
    "other": "Found by other routes",
    "churn": "Families moving away",
    "delay": "Delay before the data arrives",
    "arrivals": "Families moving in are in the data",
}


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
PARAMETER_OF = {"sharing": "sharing_months", "arrivals": "arrivals_in_feed",
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
    options: dict[str, float | bool | None] = {}
    for name in changed_choices(calibration, choices):
        value = getattr(choices, name)
        if name == "sharing":
            options[PARAMETER_OF[name]] = SHARING_OPTIONS[value]
        elif name == "arrivals":
            options[PARAMETER_OF[name]] = bool(value)
        else:
            options[PARAMETER_OF[name]] = SLIDERS[name].model(value)
    return calibration.with_options(**options)


def shown_value(name: str, value) -> str:
    """A setting in words: 'monthly', '84.7%', '1.4% a month', '0.6 months', '1 month', 'yes'."""
    if name == "sharing":
        return SHARING_LABELS[value].lower() if value in SHARING_LABELS else str(value)
    if name == "arrivals":
        return "yes" if value else "no"
    unit = SLIDERS[name].unit
    if float(value) == 1 and unit.endswith("months"):
        unit = unit[:-1]
    return f"{float(value):g}{unit}"


def sharing_words(name: str) -> str:
    """A sharing option with its noun, as a sentence uses it: 'monthly sharing', 'no sharing'."""
    label = SHARING_LABELS[name].lower()
    return label if name == "none" else f"{label} sharing"


def todays_sharing_assumed(calibration: Calibration, *, births_loaded: bool) -> bool:
    """Whether today's sharing is assumed rather than shown by the data: the stated default stands
    in (no birth data, or a single delivery), or no sharing is taken from no birth data loaded."""
    if calibration.sharing_months.origin != "data":
        return True
    return calibration.sharing_months.value is None and not births_loaded


# --- the shareable link ----------------------------------------------------------------------

def link_query(*, centre: str, as_at: date, until: date, choices: Choices,
               under_twos: bool = False) -> dict[str, str]:
    """The scenario as query parameters, in a fixed order: centre (an ID, or 'authority'),
    as_at (the figures' date, ISO), until (ISO date), sharing, contact, other, churn, delay (shown
    units), arrivals (yes/no) and, when the month-by-month chart follows the under-twos,
    children=under2. With the figures' date, whoever opens the link starts from the same figures
    as the sender, if their database holds the same data."""
    query = {"centre": centre, "as_at": as_at.isoformat(), "until": until.isoformat()}
    for name in CHOICE_NAMES:
        value = getattr(choices, name)
        if name == "sharing":
            query[name] = value
        elif name == "arrivals":
            query[name] = "yes" if value else "no"
        else:
            query[name] = f"{float(value):g}"
    if under_twos:
        query["children"] = "under2"
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


def read_link(query: Mapping[str, str], *, centres, earliest: date, latest: date,
              read_date: Callable[[str], date]) -> Link:
    """Check a link's query parameters. `centres` are the centre IDs offered; the inspection date
    must fall from `earliest` to `latest`. The figures' date (`as_at`) is only read, and a bad one
    ignored without a problem: the sidebar opens on it at the start of a session and says itself
    why a bad one was not used; the page says so if its figures are as at another date. Parameters the page
    does not use are ignored.

    `read_date` reads the dates' text, raising ValueError for anything that is not a
    date: the page passes `data.dates.parse_date`, Reach's one reading of a date, which this
    layer may not import itself.

    Only values that passed their checks are returned. Each problem is plain text quoting the bad
    value (its first `LINK_VALUE_SHOWN` characters): escape it to show it as Markdown."""
    values: dict[str, object] = {}
    problems: list[str] = []

    def set_aside(name: str, raw: str, wanted: str) -> None:
        shown = raw if len(raw) <= LINK_VALUE_SHOWN else raw[:LINK_VALUE_SHOWN] + "..."
        problems.append(f"The link's {name} value {shown!r} is not {wanted}, so it was ignored.")

    if "centre" in query:
        raw = str(query["centre"])
        if raw == AUTHORITY or raw in set(centres):
            values["centre"] = raw
        else:
            set_aside("centre", raw, reword(f"a centre ID in this data or {AUTHORITY!r}"))
    if "as_at" in query:
        try:
            values["as_at"] = read_date(str(query["as_at"]))
        except ValueError:
            pass        # the sidebar, which opens on the link's date, says why it was not used
    if "until" in query:
        raw = str(query["until"])
        try:
            day = read_date(raw)
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
    if "children" in query:
        raw = str(query["children"])
        if raw.lower() in CHILDREN:
            values["under_twos"] = CHILDREN[raw.lower()]
        else:
            set_aside("children", raw, "under5 or under2")
    return Link(values=values, problems=tuple(problems))
