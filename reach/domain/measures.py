"""What each number means: the definitions every other part of Reach asks for.

docs/definitions.md is the authority; this module is its one home in code. SQL fragments that
encode a definition (who is under five, which areas are the most deprived) and the rule for
when birth data is overdue live here too, so the report, the trend, the pages and the what-if
calibration cannot drift apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

# The report's columns, as docs/definitions.md names them, in order; extra columns follow these.
REPORT_COLUMNS = (
    "centre_id", "centre_name", "children_under5", "known_children", "reach_pct", "band",
    "families_to_find", "unmatched_births", "sustained_contact", "sustained_pct",
    "deprived_under5", "deprived_known", "deprived_reach_pct", "births_12m",
    "newborns_known_12m", "newborn_reach_pct", "birth_data_lag_days", "denominator_flagged",
)
# The family-hub measures of the under-twos, appended after every other column of the report (at
# each level), so the columns above keep their places.
UNDER_TWO_COLUMNS = (
    "children_under2", "known_under2", "reach_under2_pct", "families_to_find_under2", "under2_estimated",
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


def families_to_find(under_five: float, known: int, *, target_share: float = Bands().target_share) -> int:
    """max(0, ceil(target x under five) - known), where the target is the outstanding threshold,
    immune to floating-point noise: 0.97 x 100 is 97.00000000000001 in binary floating point,
    which a naive ceil makes 98."""
    needed = math.ceil(round(target_share * under_five, 9))
    return max(0, needed - int(known))


def birthday_sql(dob: str, years: int) -> str:
    """SQL for the `years`th birthday of `dob`, for a number of years that takes a 29 February
    to a year with no 29 February (2 or 5): a child born on 29 February then has the birthday on
    1 March (DuckDB's date arithmetic would say 28 February)."""
    return (
        f"(CASE WHEN month({dob}) = 2 AND day({dob}) = 29 "
        f"THEN make_date(year({dob}) + {int(years)}, 3, 1) "
        f"ELSE CAST({dob} + INTERVAL {int(years)} YEAR AS DATE) END)"
    )


def fifth_birthday_sql(dob: str) -> str:
    """SQL for the fifth birthday of `dob` (a child born on 29 February turns five on 1 March)."""
    return birthday_sql(dob, 5)


def second_birthday_sql(dob: str) -> str:
    """SQL for the second birthday of `dob` (a child born on 29 February turns two on 1 March)."""
    return birthday_sql(dob, 2)


def under_five_sql(dob: str, as_at: str) -> str:
    """SQL that is true when a child born on `dob` is under five on `as_at`: born on or before
    it, and it is before the fifth birthday (a fifth birthday on the day means five, not under)."""
    return f"({dob} <= {as_at} AND {as_at} < {fifth_birthday_sql(dob)})"


def under_two_sql(dob: str, as_at: str) -> str:
    """SQL that is true when a child born on `dob` is under two on `as_at`: born on or before it,
    and it is before the second birthday."""
    return f"({dob} <= {as_at} AND {as_at} < {second_birthday_sql(dob)})"


def under_two_from_under_five(children_0_4: int) -> int:
    """Children under two estimated from an estimate of the under-fives alone: two fifths of it
    (ages 0 and 1 of ages 0 to 4), to the nearest whole child (two fifths of a whole number is
    never a half)."""
    return (4 * int(children_0_4) + 5) // 10


def under_two_from_under_five_sql(children_0_4: str) -> str:
    """SQL for `under_two_from_under_five`."""
    return f"((4 * ({children_0_4}) + 5) // 10)"


def children_under_two_sql(*, latest_0_4: str, latest_0_1: str, earliest_0_4: str, earliest_0_1: str,
                           seen: str) -> str:
    """SQL for an LSOA's children under two, from the same estimate its under-fives take: the
    latest estimate's ages 0 and 1 (two fifths of its 0-4 where it has none), else the earliest
    estimate's likewise, else `seen`, the under-twos counted in births and registrations. The
    report and the trend both ask here, so the two can never disagree."""
    return f"""CASE WHEN {latest_0_4} IS NOT NULL
                THEN coalesce({latest_0_1}, {under_two_from_under_five_sql(latest_0_4)})
            WHEN {earliest_0_4} IS NOT NULL
                THEN coalesce({earliest_0_1}, {under_two_from_under_five_sql(earliest_0_4)})
            ELSE {seen} END"""


def under_two_estimated_sql(*, latest_0_4: str, latest_0_1: str, earliest_0_4: str, earliest_0_1: str) -> str:
    """SQL that is true when `children_under_two_sql` had to estimate: two fifths of the
    under-fives, or the children seen, in place of an estimate of ages 0 and 1."""
    return f"""CASE WHEN {latest_0_4} IS NOT NULL THEN {latest_0_1} IS NULL
            WHEN {earliest_0_4} IS NOT NULL THEN {earliest_0_1} IS NULL
            ELSE true END"""


def deprived_sql(decile: str) -> str:
    """SQL that is true when the IDACI decile `decile` is one of the most deprived
    (`DEPRIVED_DECILES`), NULL when the decile is."""
    return f"({decile} IN ({', '.join(str(d) for d in DEPRIVED_DECILES)}))"


# --- when birth data is overdue -----------------------------------------------------------------
#
# One rule, used by the Overview, My centre, what needs attention, the sentences and the Data
# page's compliance table alike: data is overdue when the days since its latest delivery exceed
# the interval it is due at, plus any delay known in advance, plus a grace period.
#
# Birth data (records or counts) is due monthly, whatever interval health has actually kept.
# Monthly sharing is what Reach exists to encourage and what the what-if page shows is needed
# to reach the outstanding band; a council's data officer holds health to the agreed extract,
# not to the habit it has slipped into. Judging birth data by its own usual interval would call
# a partner who drifted to quarterly or annual sharing "on time", hiding the very gap inspectors
# criticised ("not being updated regularly enough by partners about new births"), and would
# make the Overview and the Data page disagree (at day 60 of quarterly sharing one said overdue
# and the other on time). Fourteen days' grace allows for an extract sent a little late (a
# weekend, a holiday, a day or two to send it), so monthly birth data is overdue after 45 days.
#
# Other sources (the centres' own registration and contact exports, ONS population estimates)
# have no agreed interval Reach can know, so they are due as often as they usually arrive (see
# `reach.queries.compliance`), with the same grace, through the same function.

GRACE_DAYS = 14                    # days' grace after data falls due
BIRTH_DATA_DUE_EVERY_DAYS = 31     # birth data is due monthly


def overdue_after(due_every_days: float, *, delay_days: float = 0, grace_days: float = GRACE_DAYS) -> float:
    """The days since the latest delivery after which data is overdue: the interval it is due
    at, plus any delay known in advance (ONS publishes a year after its estimates' date), plus
    the grace period."""
    if due_every_days < 0 or delay_days < 0 or grace_days < 0:
        raise ValueError("An interval, a delay and a grace period are 0 days or more; got "
                         f"{due_every_days}, {delay_days} and {grace_days}.")
    return due_every_days + delay_days + grace_days


BIRTH_DATA_OVERDUE_AFTER_DAYS = overdue_after(BIRTH_DATA_DUE_EVERY_DAYS)   # 45


def is_overdue(lag_days, *, overdue_after_days: float = BIRTH_DATA_OVERDUE_AFTER_DAYS) -> bool:
    """Whether data whose latest delivery is `lag_days` old is overdue: when more days than
    `overdue_after_days` (by default, the rule for birth data) have passed, or when none has
    ever arrived (`lag_days` missing)."""
    return bool(pd.isna(lag_days) or int(lag_days) > overdue_after_days)


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
        Definition("Families to find", "How many more children the centre needs to know to reach the "
                   "outstanding threshold (97% unless changed): that share of the under-fives, rounded up, "
                   "minus the known children (never below zero)."),
        Definition("Children under two", "Children aged 0 and 1 living in the area on the chosen date, "
                   "from the same ONS population estimate the under-fives come from. Where that estimate "
                   "gives only the under-fives, the under-twos are estimated as two fifths of them (ages 0 "
                   "and 1 of ages 0 to 4); where there is no estimate, the children under two known from "
                   "births and registrations are counted. Either way the figure is flagged as estimated."),
        Definition("Reach under two", "Known children under two as a share of children under two: how many "
                   "of the youngest families the centre knows, where early help makes the most difference."),
        Definition("Families to find under two", "How many more children under two the centre needs to know "
                   "to reach the outstanding threshold (97% unless changed) among the under-twos: that share "
                   "of the children under two, rounded up, minus the known children under two (never below "
                   "zero)."),
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
                   "counts) to the chosen date. A long lag means new families are not being passed on: "
                   f"birth data is overdue when it is more than {BIRTH_DATA_OVERDUE_AFTER_DAYS} days old "
                   f"(due monthly, plus {GRACE_DAYS} days' grace), or when none has arrived."),
        Definition("Confidence interval", "The Wilson 95% interval: the range in which the true reach "
                   "probably lies, given the number of children. Small centres have wide intervals."),
        Definition("LSOA", "Lower layer Super Output Area: a small area of 1,000 to 3,000 residents used "
                   "by the Office for National Statistics. A reach area is a set of LSOAs."),
        Definition("Distance to the nearest site", "How far an LSOA is from the nearest site (family hub "
                   "or children's centre), in kilometres in a straight line, not by road. The LSOA is placed "
                   "at its population-weighted centroid (where most of its people live) when one is loaded, "
                   "otherwise at a point inside the area."),
        Definition("Beyond 1, 2, 3 km", "The share of the under-fives in the reach areas who live in LSOAs "
                   "whose nearest site is more than 1, 2 or 3 km away in a straight line; and the same share "
                   "among the under-fives in the most deprived LSOAs (IDACI deciles 1 to 3)."),
        Definition("Site finder", "Where new sites would bring the most children within a chosen distance of "
                   "a site. It counts the children (the under-fives not yet known, or those in the most "
                   "deprived LSOAs) living further than that distance from every site now, and chooses the "
                   "LSOAs for the new sites that would bring the most of them within it."),
        Definition("Good level of development", "The share of children assessed at the end of the reception "
                   "year (the Early Years Foundation Stage Profile) who reached a good level of development, "
                   "with its 95% interval, against the target (75% unless changed)."),
        Definition("GLD gap for free school meals", "The good-level-of-development share of children not "
                   "eligible for free school meals minus that of the children eligible, in percentage "
                   "points, over the children whose eligibility is known."),
        Definition("Known early", "Among the children assessed whose record matches a registration, those "
                   "first registered with a site before their second birthday, compared with the other "
                   "registered children. This shows an association, not that knowing a family early caused "
                   "the difference."),
    ]
}


@dataclass(frozen=True)
class ReportOptions:
    """Everything a user may change about how the figures are worked out."""

    bands: Bands = field(default_factory=Bands)
    sustained_contacts: int = DEFAULT_SUSTAINED_CONTACTS
