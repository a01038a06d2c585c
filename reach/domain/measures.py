"""What each number means: the definitions every other part of Reach asks for.

The data contract is the authority; this module is its one home in code. SQL fragments that
encode a definition (who is under five, the newborn window) live here too, so the report, the
trend and the what-if calibration cannot drift apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

# The report's columns in the contract's spelling and order; extra columns follow these.
REPORT_COLUMNS = (
    "centre_id", "centre_name", "children_under5", "known_children", "reach_pct", "band",
    "families_to_find", "unmatched_births", "sustained_contact", "sustained_pct",
    "deprived_under5", "deprived_known", "deprived_reach_pct", "births_12m",
    "newborns_known_12m", "newborn_reach_pct", "birth_data_lag_days", "denominator_flagged",
)

DEFAULT_SUSTAINED_CONTACTS = 3     # contacts in 12 months that make contact "sustained"
DEPRIVED_DECILES = (1, 2, 3)       # IDACI deciles 1-3: the 30% most deprived LSOAs
DEPRIVED = "deprived"              # the target group of families living in those LSOAs


@dataclass(frozen=True)
class Bands:
    """Indicative bands (percent thresholds). Ofsted's grade was a holistic judgement, so
    Reach calls its figure an indicative band; the thresholds are editable."""

    outstanding: float = 97.0
    good: float = 65.0
    requires_improvement: float = 51.0

    def __post_init__(self):
        if not (0 <= self.requires_improvement <= self.good <= self.outstanding <= 100):
            raise ValueError(
                "Band thresholds must rise from 'requires improvement' to 'good' to 'outstanding', "
                f"all between 0 and 100; got {self.requires_improvement}, {self.good}, {self.outstanding}."
            )

    def band(self, reach_pct: float | None) -> str | None:
        """The indicative band for a reach percentage (None when there is no figure)."""
        if reach_pct is None or (isinstance(reach_pct, float) and math.isnan(reach_pct)):
            return None
        if reach_pct >= self.outstanding:
            return "outstanding"
        if reach_pct >= self.good:
            return "good"
        if reach_pct >= self.requires_improvement:
            return "requires improvement"
        return "inadequate"

    @property
    def target_share(self) -> float:
        """The share of under-fives a centre should know: the outstanding threshold as a fraction."""
        return self.outstanding / 100.0


BAND_ORDER = ("outstanding", "good", "requires improvement", "inadequate")
NO_BAND = "no figure"              # a centre with no children under five recorded has no band


def families_to_find(under_five: float, known: int, *, target_share: float = 0.97) -> int:
    """max(0, ceil(target x under five) - known), immune to floating-point noise:
    0.97 x 100 is 97.00000000000001 in binary floating point, which a naive ceil makes 98."""
    needed = math.ceil(round(target_share * under_five, 9))
    return max(0, needed - int(known))


def fifth_birthday_sql(dob: str) -> str:
    """SQL for the fifth birthday of `dob`. A child born on 29 February turns five on 1 March
    (DuckDB's date arithmetic would say 28 February)."""
    return (
        f"(CASE WHEN month({dob}) = 2 AND day({dob}) = 29 "
        f"THEN make_date(year({dob}) + 5, 3, 1) "
        f"ELSE CAST({dob} + INTERVAL 5 YEAR AS DATE) END)"
    )


def under_five_sql(dob: str, as_at: str) -> str:
    """SQL that is true when a child born on `dob` is under five on `as_at`: born on or before
    it, and it is before the fifth birthday (a fifth birthday on the day means five, not under)."""
    return f"({dob} <= {as_at} AND {as_at} < {fifth_birthday_sql(dob)})"


def fifth_birthday(dob: date) -> date:
    """The same rule in Python, for tests and for the demo generator."""
    if dob.month == 2 and dob.day == 29:
        return date(dob.year + 5, 3, 1)
    return dob.replace(year=dob.year + 5)


def is_under_five(dob: date, as_at: date) -> bool:
    return dob <= as_at < fifth_birthday(dob)


def newborn_window(as_at: date) -> tuple[date, date]:
    """The 12 complete calendar months before the month of `as_at`: (first day, first day after)."""
    end = as_at.replace(day=1)
    start = end.replace(year=end.year - 1)
    return start, end


@dataclass(frozen=True)
class Definition:
    name: str
    meaning: str


# Plain-words definitions, shown one click away from every figure and on the data page.
DEFINITIONS: dict[str, Definition] = {
    d.name: d
    for d in [
        Definition("Children under five", "Children aged 0 to 4 living in the area on the chosen date, "
                   "from the latest ONS population estimate dated on or before it. Where an area has no "
                   "estimate that old, the earliest is used; where it has none at all, the children known "
                   "from births and registrations are counted instead. Either way the figure is flagged."),
        Definition("Known children", "Children under five who live in the area and have been registered "
                   "with any children's centre on or before the chosen date. Where a child has moved, the "
                   "address on their latest registration counts."),
        Definition("Reach", "Known children as a share of children under five. It is not capped: a figure "
                   "above 100% means the population estimate is too low and is flagged."),
        Definition("Indicative band", "Outstanding at 97% or more, good at 65% or more, requires improvement "
                   "at 51% or more, otherwise inadequate. Ofsted's grade was a judgement of the whole "
                   "centre; this band is a guide only. The thresholds can be changed in the sidebar."),
        Definition("Families to find", "How many more children the centre needs to know to reach 97% of "
                   "the under-fives: 97% of the under-fives, rounded up, minus the known children "
                   "(never below zero)."),
        Definition("Unmatched births", "Children in the birth (and arrivals) data received from health "
                   "by the chosen date, under five and living in the area, who are not registered with "
                   "any centre. This is the outreach worklist."),
        Definition("Sustained contact", "Known children with at least three contacts (attendances) in "
                   "the 12 months up to and including the chosen date. Shown as a share of the under-fives."),
        Definition("Most deprived areas", "The LSOAs in the 30% most deprived in England for income "
                   "deprivation affecting children (IDACI deciles 1 to 3). Reach there is a target-group "
                   "measure."),
        Definition("Newborn reach", "Of the babies born in the area in the 12 complete calendar months "
                   "before the chosen date's month, the share registered with a centre. Births come from "
                   "the monthly birth counts where health shares them, otherwise from birth records."),
        Definition("Birth-data lag", "Days from the most recent delivery of birth data (records or "
                   "counts) to the chosen date. A long lag means new families are not being passed on."),
        Definition("Confidence interval", "The Wilson 95% interval: the range in which the true reach "
                   "probably lies, given the number of children. Small centres have wide intervals."),
        Definition("LSOA", "Lower layer Super Output Area: a small area of 1,000 to 3,000 residents used "
                   "by the Office for National Statistics. A reach area is a set of LSOAs."),
    ]
}


@dataclass(frozen=True)
class ReportOptions:
    """Everything a user may change about how the figures are worked out."""

    bands: Bands = field(default_factory=Bands)
    sustained_contacts: int = DEFAULT_SUSTAINED_CONTACTS
