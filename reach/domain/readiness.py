"""What a council needs to load, in what order, and the date the figures start at.

Two rules live here, both pure (the store is read by `reach.queries.readiness`):

- **The getting-started list** (`STEPS`): every kind of data Reach uses, in the order to load
  it, and whether reach can be worked out without it. Centres, reach areas, population
  estimates and registrations are essential: reach is the registered children over the
  under-fives in each centre's area. The rest add measures (birth data: the outreach worklist
  and newborn reach; contacts: sustained contact; deprivation: target groups; boundaries: the
  map). The postcode lookup comes before the files of people, which it places when they carry a
  postcode rather than an LSOA code.
- **The date the figures start at** (`default_as_at`): the last day the registrations cover,
  never after today. Reach counts registered children, so a date after the registrations end
  counts none of the children registered since and makes reach look lower than it is. Birth
  data, contacts and the other sources do not move it: a new births file received today leaves
  every figure where it was (the sidebar says that the births run later), and birth data that
  stopped long ago is shown as overdue rather than hidden by moving the date back. Without any
  registrations, the latest date in the other data; without any data, today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Coverage:
    """The last date each dated source reaches: registrations by their latest `registered_on`,
    contacts by their latest `contact_on`, birth data by the latest day it was received."""

    registrations: date | None = None
    birth_records: date | None = None
    birth_counts: date | None = None
    contacts: date | None = None

    def others(self) -> dict[str, date]:
        """The sources other than registrations that have any data, by their name in words."""
        named = {"birth records": self.birth_records, "birth counts": self.birth_counts,
                 "contacts": self.contacts}
        return {name: day for name, day in named.items() if day is not None}

    @property
    def latest(self) -> date | None:
        days = [day for day in (self.registrations, *self.others().values()) if day is not None]
        return max(days) if days else None


def default_as_at(coverage: Coverage, today: date) -> date:
    """The date every page's figures start at (see the module's docstring)."""
    if coverage.registrations is not None:
        return min(coverage.registrations, today)
    latest = coverage.latest
    return min(latest, today) if latest is not None else today


def date_from_link(value: str | None, today: date) -> tuple[date | None, str | None]:
    """The as-at date a page's address carries (`?as_at=YYYY-MM-DD`), and why it was not used.

    Returns (the date, None) for a valid date not after today; (None, the reason) otherwise;
    (None, None) when the address carries no date."""
    if value is None or value == "":
        return None, None
    try:
        day = date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        return None, "it is not a real date written as YYYY-MM-DD"
    if day > today:
        return None, "it is after today"
    return day, None


@dataclass(frozen=True)
class Step:
    """One kind of data on the getting-started list."""

    name: str                    # in words: "Children's centres"
    kinds: tuple[str, ...]       # the importers' kinds that satisfy it (either will do)
    essential: bool              # reach cannot be worked out without it
    gives: str                   # what it adds, in a centre manager's words


STEPS: tuple[Step, ...] = (
    Step("Children's centres", ("centres",), True, "the list of centres and where they are"),
    Step("Reach areas", ("reach-areas",), True, "which centre each small area (LSOA) belongs to"),
    Step("LSOA boundaries", ("boundaries",), False, "the map of the small areas, and their names"),
    Step("Postcode lookup", ("postcodes",), False,
         "places the births and registrations that carry a postcode rather than an LSOA code, "
         "so it comes before them"),
    Step("Population estimates", ("population",), True, "the under-fives in each area, that reach is out of"),
    Step("Deprivation", ("deprivation",), False, "the most deprived areas, for the target groups"),
    Step("Birth data", ("births", "birth-counts"), False,
         "the births from health: the outreach worklist and newborn reach (birth counts alone give "
         "newborn reach)"),
    Step("Registrations", ("registrations",), True, "the children the centres know"),
    Step("Contacts", ("contacts",), False, "attendances, for sustained contact"),
)


@dataclass(frozen=True)
class StepStatus:
    """A step and what the store holds for it."""

    step: Step
    rows: int                    # rows loaded, over the step's kinds
    latest: date | None = None   # the last date it covers, where it is dated

    @property
    def loaded(self) -> bool:
        return self.rows > 0


def missing_essentials(statuses: list[StepStatus]) -> list[Step]:
    return [status.step for status in statuses if status.step.essential and not status.loaded]
