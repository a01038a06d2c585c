"""The what-if model's parameters as a set, each with where it came from: the data, a stated
default, or an option chosen for the scenario. `reach.queries.calibration` reads them from the
store; with no data to read, `default_calibration` assumes every one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from reach.domain.whatif import DEFAULT_SCENARIO, Scenario

ORIGINS = ("data", "default", "option")


@dataclass(frozen=True)
class Parameter:
    """One model parameter: its value, 'data' / 'default' / 'option', the number of records
    behind it (0 for a default), and how it was worked out, in one sentence."""

    value: float | bool | None      # None: birth data never shared
    origin: str
    records: int
    how: str

    def __post_init__(self):
        if self.origin not in ORIGINS:
            raise ValueError(f"A parameter's origin is one of {', '.join(ORIGINS)}; got {self.origin!r}.")


DEFAULT_PARAMETERS = {
    "sharing_months": Parameter(
        DEFAULT_SCENARIO.sharing_months, "default", 0,
        "Assumed quarterly: the data cannot show how often birth records are shared."),
    "delay_months": Parameter(
        DEFAULT_SCENARIO.delay_months, "default", 0,
        "Assumed: birth data arrives a month after the end of the period it covers."),
    "contact_rate": Parameter(
        DEFAULT_SCENARIO.contact_rate, "default", 0,
        "Assumed: 9 in 10 families named in the birth data go on to register."),
    "other_route_rate": Parameter(
        DEFAULT_SCENARIO.other_route_rate, "default", 0,
        "Assumed: 2% of unknown children a month become known another way (self-referral, health "
        "visitors, partners)."),
    "churn": Parameter(
        DEFAULT_SCENARIO.churn, "default", 0,
        "Population turnover: 1% of under-fives a month move away and are replaced by newcomers "
        "(about 12% a year); the records cannot show families leaving."),
    "arrivals_in_feed": Parameter(
        DEFAULT_SCENARIO.arrivals_in_feed, "default", 0,
        "Assumed: the birth data holds births only, not children who move into the area."),
}


@dataclass(frozen=True)
class Calibration:
    """The parameters for one centre (or the authority, `centre_id` None) as at a date."""

    as_at: date
    centre_id: str | None
    sharing_months: Parameter
    delay_months: Parameter
    contact_rate: Parameter
    other_route_rate: Parameter
    churn: Parameter
    arrivals_in_feed: Parameter

    def parameters(self) -> dict[str, Parameter]:
        """The parameters by name, in the order they are shown."""
        return {name: getattr(self, name) for name in DEFAULT_PARAMETERS}

    def scenario(self) -> Scenario:
        """The model scenario these parameters describe (raises ValueError if one is out of range)."""
        values: dict[str, Any] = {name: parameter.value for name, parameter in self.parameters().items()}
        return Scenario(**values)

    def with_options(self, **values) -> Calibration:
        """A copy in which each given value replaces the derived one, marked as a chosen option."""
        unknown = set(values) - set(DEFAULT_PARAMETERS)
        if unknown:
            raise ValueError(f"Unknown parameter(s): {', '.join(sorted(unknown))}.")
        chosen: dict[str, Any] = {
            name: Parameter(value, "option", 0, "Chosen for this scenario.")
            for name, value in values.items()
        }
        return replace(self, **chosen)


def default_calibration(*, as_at: date, centre_id: str | None = None) -> Calibration:
    """Every parameter assumed: for when there is no data to read."""
    return Calibration(as_at=as_at, centre_id=centre_id, **DEFAULT_PARAMETERS)
