"""The what-if model: how often birth data is shared, and what share of under-fives a centre knows.

The model is the one in the what-if document. Children are aged 0 to 60 months, spread evenly.
A child either was born here or moved in (churn replaces a leaver by a newcomer of the same age).
Health shares the records of the children who entered in each period of F months, d months
after the period ends; the centre then registers a notified family with probability p (the
contact rate). Independently, an unknown child becomes known through other routes (self-referral,
health visitors, partners) at a monthly rate h.

Two views of the same model live here, and they agree:

* `steady_state_reach`: the long-run figure, averaged over the sharing cycle, by numerical
  integration of the document's formula.
* `project` / `project_to`: reach month by month from a centre's position today. Each child's
  chance of being known is worked out exactly from its age, when it entered and the share dates,
  so there is no time-step error: run long enough, the average over a sharing cycle is the
  steady state.

Nothing here reads the store: `reach.queries.calibration` turns data into a `Scenario`, and
`reach.presentation.whatif_sentences` puts what a scenario would do in words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import numpy as np

from reach.domain.measures import Bands
from reach.domain.months import add_months, month_end, month_ends_after, months_between

SHARING_OPTIONS = {"monthly": 1, "quarterly": 3, "6-monthly": 6, "annual": 12, "none": None}

AGE_SPAN_MONTHS = 60.0             # under-fives: ages 0 to 60 months
# The under-twos are the same model's children aged 0 to 24 months: every figure below can be
# asked of the ages under a younger span (`age_span_months`), the rest of the model unchanged.
UNDER_TWO_SPAN_MONTHS = 24.0
DAYS_PER_MONTH = 365.25 / 12       # model months are twelfths of a year
# The share of under-fives the model aims at: the outstanding threshold (97%, "virtually all"
# families known, unless the user sets another), passed as `target_share` where it can change.
TARGET_SHARE = Bands().target_share

# Shares cover periods that end on calendar month-ends: quarters end in March, June, September
# and December, half-years in March and September, years in March (the financial year).
_PERIODS_END_AFTER_MONTH = 3

# Gauss-Legendre on pieces no longer than 2 months with 8 nodes integrates the model's
# exponentials to about 1e-12, far below the 0.01-point accuracy the figures are shown to.
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(8)
_LONGEST_PIECE = 2.0
# Month averages: 5 nodes on each smooth stretch of a month.
_MONTH_NODES, _MONTH_WEIGHTS = np.polynomial.legendre.leggauss(5)
_LONGEST_PROJECTION_MONTHS = 1200
# Once the children of today have all turned five, the path repeats with the sharing cycle, so a
# month at or above the target either comes within five years and one annual cycle or never does.
_CROSSING_SEARCH_MONTHS = 72


class TargetOutOfReach(ValueError):
    """The target share cannot be reached under the scenario, whatever the contact rate."""


def _check_target(target_share: float) -> None:
    if not _finite(target_share) or not 0 < target_share <= 1:
        raise ValueError("The target is the outstanding threshold, a share of the under-fives above 0 and at "
                         f"most 1 (0.97 for 97%); got {target_share!r}.")


@dataclass(frozen=True)
class Scenario:
    """One way of working: how often data is shared and how families are then found.

    sharing_months: months between shares (1, 3, 6, 12), or None for no sharing at all.
    contact_rate: share of notified families the centre then registers (0 to 1).
    other_route_rate: monthly chance that an unknown child becomes known without the feed.
    churn: monthly share of under-fives who move out and are replaced by newcomers of that age.
    delay_months: months from the end of the period covered to the data arriving.
    arrivals_in_feed: whether the shared records include children who move in, or births only.
    """

    sharing_months: float | None
    contact_rate: float
    other_route_rate: float
    churn: float
    delay_months: float
    arrivals_in_feed: bool

    def __post_init__(self):
        if self.sharing_months is not None:
            if not _finite(self.sharing_months) or self.sharing_months <= 0:
                raise ValueError(
                    "Sharing must be a positive number of months between shares (1 monthly, 3 quarterly, "
                    f"6 six-monthly, 12 annual) or None for no sharing; got {self.sharing_months!r}."
                )
        if not _finite(self.contact_rate) or not 0 <= self.contact_rate <= 1:
            raise ValueError(
                "The contact rate is the share of notified families that register, a fraction from 0 to 1 "
                f"(0.9 for 90%); got {self.contact_rate!r}."
            )
        if not _finite(self.other_route_rate) or self.other_route_rate < 0:
            raise ValueError(
                "The other-routes rate is a monthly chance, 0 or more (0.02 for 2% a month); "
                f"got {self.other_route_rate!r}."
            )
        if not _finite(self.churn) or not 0 <= self.churn < 1:
            raise ValueError(
                "Churn is the monthly share of under-fives who move away, at least 0 and below 1 "
                f"(0.01 for 1% a month); got {self.churn!r}."
            )
        if not _finite(self.delay_months) or self.delay_months < 0:
            raise ValueError(f"The delay is a number of months, 0 or more; got {self.delay_months!r}.")
        if not isinstance(self.arrivals_in_feed, (bool, np.bool_)):
            raise ValueError(f"arrivals_in_feed must be True or False; got {self.arrivals_in_feed!r}.")

    @property
    def born_here_contact(self) -> float:
        """Contact rate for children born here: zero when nothing is shared."""
        return 0.0 if self.sharing_months is None else self.contact_rate

    @property
    def arrival_contact(self) -> float:
        """Contact rate for children who moved in: zero unless the feed carries arrivals."""
        return self.born_here_contact if self.arrivals_in_feed else 0.0


def _finite(value) -> bool:
    """A real number that is not infinite or NaN (and not True/False, which Python counts as 1/0)."""
    return (isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
            and math.isfinite(value))


# What the model assumes where neither the data nor the user says: quarterly sharing of births
# only, arriving a month after each quarter, 9 in 10 notified families registered, 2% of unknown
# children a month found another way, and 1% of under-fives a month moving away.
DEFAULT_SCENARIO = Scenario(sharing_months=3, contact_rate=0.90, other_route_rate=0.02, churn=0.01,
                            delay_months=1.0, arrivals_in_feed=False)


def sharing_name(sharing_months: float | None) -> str:
    """'monthly', 'quarterly', ... for a number of months; 'every 2 months' for any other."""
    for name, months in SHARING_OPTIONS.items():
        if months == sharing_months:
            return name
    return f"every {sharing_months:g} months"


# --- the steady state ------------------------------------------------------------------------

def _quadrature(breakpoints, span: float = AGE_SPAN_MONTHS) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights on [0, span] (60 months unless asked), split at the kinks of the integrand."""
    edges = sorted({min(max(float(b), 0.0), span) for b in breakpoints} | {0.0, span})
    nodes, weights = [], []
    for lo, hi in zip(edges[:-1], edges[1:]):
        if hi <= lo:
            continue
        pieces = max(1, math.ceil((hi - lo) / _LONGEST_PIECE))
        bounds = np.linspace(lo, hi, pieces + 1)
        half = (bounds[1:] - bounds[:-1])[:, None] / 2
        middle = (bounds[1:] + bounds[:-1])[:, None] / 2
        nodes.append((middle + half * _NODES).ravel())
        weights.append((half * _WEIGHTS).ravel())
    return np.concatenate(nodes), np.concatenate(weights)


def steady_state_reach(s: Scenario, *, age_span_months: float = AGE_SPAN_MONTHS) -> float:
    """The long-run share of under-fives known (0 to 1), averaged over the sharing cycle; of the
    children under `age_span_months` (24: the under-twos) when asked, 60 replaced by it below.

    Swapping the order of integration turns the document's double integral (over ages, and over
    how long ago a newcomer arrived) into one integral over the time since entry `x`:

        reach = 1/60 * integral over x in [0, 60) of
                  exp(-c x) * known_born_here(x)  +  c (60 - x) exp(-c x) * known_arrival(x)

    where known(x) = 1 - (1 - p * clamp((x - d) / F, 0, 1)) * exp(-h x).
    """
    F, d, h, c = s.sharing_months, s.delay_months, s.other_route_rate, s.churn
    span = _span(age_span_months)
    x, w = _quadrature([d, d + F] if F is not None else [], span)
    notified = np.clip((x - d) / F, 0.0, 1.0) if F is not None else np.zeros_like(x)
    not_other_route = np.exp(-h * x)
    stayed = np.exp(-c * x)
    known_born_here = 1.0 - (1.0 - s.born_here_contact * notified) * not_other_route
    known_arrival = 1.0 - (1.0 - s.arrival_contact * notified) * not_other_route
    integrand = stayed * known_born_here + c * (span - x) * stayed * known_arrival
    return float(min(1.0, max(0.0, np.dot(w, integrand) / span)))


def _span(age_span_months: float) -> float:
    if not _finite(age_span_months) or not 0 < age_span_months <= AGE_SPAN_MONTHS:
        raise ValueError(f"age_span_months must be above 0 and at most {AGE_SPAN_MONTHS:g}; got {age_span_months!r}.")
    return float(age_span_months)


def steady_state_by_sharing(s: Scenario) -> dict[str, float]:
    """Steady-state reach (0 to 1) for every sharing option, the other parameters fixed."""
    return {name: steady_state_reach(replace(s, sharing_months=months)) for name, months in SHARING_OPTIONS.items()}


def contact_rate_needed(s: Scenario, *, target_share: float = TARGET_SHARE) -> float:
    """The smallest contact rate at which the steady state reaches `target_share`.

    Reach is a straight line in the contact rate (a child is known unless every route fails, and
    the feed's route succeeds with probability p), so two evaluations find it exactly. Raises
    TargetOutOfReach when even contacting every notified family falls short.
    """
    _check_target(target_share)
    without_contact = steady_state_reach(replace(s, contact_rate=0.0))
    with_every_contact = steady_state_reach(replace(s, contact_rate=1.0))
    if without_contact >= target_share:
        return 0.0
    if with_every_contact < target_share:
        shared = "no birth data shared" if s.sharing_months is None else f"{sharing_name(s.sharing_months)} sharing"
        raise TargetOutOfReach(
            f"With {shared}, reach cannot get to {target_share:.1%} even with every family contacted "
            f"(at most {with_every_contact:.1%})."
        )
    return (target_share - without_contact) / (with_every_contact - without_contact)


def contact_rate_needed_by_sharing(s: Scenario, *, target_share: float = TARGET_SHARE) -> dict[str, float | None]:
    """`contact_rate_needed` for every sharing option, the other parameters fixed; None where the
    target is out of reach with that option even if every notified family registered."""
    needed: dict[str, float | None] = {}
    for name, months in SHARING_OPTIONS.items():
        try:
            needed[name] = contact_rate_needed(replace(s, sharing_months=months), target_share=target_share)
        except TargetOutOfReach:
            needed[name] = None
    return needed


# --- over time -------------------------------------------------------------------------------

def _exp_integral(k: float, lo: float, hi: float) -> float:
    """Integral of exp(-k x) over [lo, hi]."""
    if hi <= lo:
        return 0.0
    if k == 0:
        return hi - lo
    return math.exp(-k * lo) * -math.expm1(-k * (hi - lo)) / k


def _ramp_exp_integral(k: float, lo: float, hi: float) -> float:
    """Integral of (x - lo) exp(-k x) over [lo, hi]."""
    if hi <= lo:
        return 0.0
    z = k * (hi - lo)
    if z < 1e-3:
        # (1 - exp(-z)(1 + z)) / z^2 loses digits for small z: its series is exact to 1e-16 here.
        scaled = (hi - lo) ** 2 * (1 / 2 - z / 3 + z * z / 8 - z ** 3 / 30)
    else:
        scaled = -(math.expm1(-z) + z * math.exp(-z)) / (k * k)
    return math.exp(-k * lo) * scaled


def _room_weighted_integral(k: float, lo: float, hi: float, span: float = AGE_SPAN_MONTHS) -> float:
    """Integral of (span - x) exp(-k x) over [lo, hi]: a newcomer who arrived x months ago may be
    of any age from x to the span (60 months), so its weight is the room left, span - x."""
    return (span - lo) * _exp_integral(k, lo, hi) - _ramp_exp_integral(k, lo, hi)


@dataclass(frozen=True)
class _Start:
    """Today's position, and where today falls in the sharing cycle."""

    known_by_age: tuple[float, ...]   # known share in equal age bands from 0 to `span` months
    phase: float                      # months from today to the end of the next period shared
    span: float = AGE_SPAN_MONTHS     # the ages followed: under 60 months, or under 24


def _since_last_arrival(s: Scenario, t: float, phase: float) -> float:
    """How long before month `t` the latest shared period ended, among those whose data has
    arrived: a child who entered at least this long ago has been notified (between d and d+F)."""
    F, d = s.sharing_months, s.delay_months
    assert F is not None, "only asked of a scenario in which birth data is shared"
    return d + (t - d - phase) % F


def _reach_at(s: Scenario, start: _Start, t: float) -> float:
    """Share known `t` months after the start, exactly (apart from rounding)."""
    c, h = s.churn, s.other_route_rate
    p_born, p_arrival = s.born_here_contact, s.arrival_contact
    span = start.span
    lived = min(t, span)
    if s.sharing_months is None:
        notified_from = math.inf   # nobody is ever notified
        pending_below = 0.0
    else:
        notified_from = _since_last_arrival(s, t, start.phase)
        pending_below = _since_last_arrival(s, 0.0, start.phase)

    # Children born here since the start, now aged a < t: known unless the feed and other
    # routes have both missed them.
    born_since = (_exp_integral(c, 0.0, lived) - _exp_integral(c + h, 0.0, lived)
                  + p_born * _exp_integral(c + h, min(notified_from, lived), lived))
    # Newcomers who arrived x < t months ago, weighted by the ages they can be.
    arrived_since = c * (_room_weighted_integral(c, 0.0, lived, span) - _room_weighted_integral(c + h, 0.0, lived, span)
                         + p_arrival * _room_weighted_integral(c + h, min(notified_from, lived), lived, span))
    here_at_start = 0.0
    if t < span:
        here_at_start = math.exp(-c * t) * _start_children_known(s, start, t, notified_from, pending_below)
    return (born_since + arrived_since + here_at_start) / span


def _start_children_known(s: Scenario, start: _Start, t: float, notified_from: float, pending_below: float) -> float:
    """Integral over ages a in [t, 60) (or the start's younger span) of the chance that a child
    already here at the start is known at month t. Those unknown at the start are taken as born
    here; the ones whose share had not yet arrived (aged under `pending_below` at the start) are
    notified when it does."""
    bands = len(start.known_by_age)
    band_width = start.span / bands
    # Ages at the start, b = a - t, run over [0, span - t); split where the known share or the
    # notification changes.
    span = start.span - t
    notified_lo = max(notified_from - t, 0.0)
    notified_hi = min(pending_below, span)
    cuts = {0.0, span, min(max(notified_lo, 0.0), span), min(max(notified_hi, 0.0), span)}
    cuts |= {min(i * band_width, span) for i in range(bands + 1)}
    edges = sorted(cuts)
    still_unknown = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        if hi <= lo:
            continue
        middle = (lo + hi) / 2
        unknown_at_start = 1.0 - start.known_by_age[min(int(middle // band_width), bands - 1)]
        notified = notified_lo <= middle < notified_hi
        still_unknown += (hi - lo) * unknown_at_start * (1.0 - (s.born_here_contact if notified else 0.0))
    return span - math.exp(-s.other_route_rate * t) * still_unknown


def _arrival_times(s: Scenario, phase: float, lo: float, hi: float) -> list[float]:
    """Times in (lo, hi) at which a share's data arrives: reach jumps there."""
    if s.sharing_months is None:
        return []
    F = s.sharing_months
    first = phase + s.delay_months + math.ceil((lo - phase - s.delay_months) / F) * F
    times = []
    t = first
    while t < hi:
        if t > lo:
            times.append(t)
        t += F
    return times


def _average(s: Scenario, start: _Start, lo: float, hi: float) -> float:
    """Reach averaged over the months [lo, hi] after the start: Gauss-Legendre on each stretch
    where it is smooth (it jumps when a share lands and bends when the children of the start
    reach five)."""
    kinks = {start.span}
    if s.sharing_months is not None:
        kinks.add(start.span - _since_last_arrival(s, 0.0, start.phase))
    bands = len(start.known_by_age)
    kinks |= {start.span - i * start.span / bands for i in range(bands)}
    splits = sorted({lo, hi} | {k for k in kinks if lo < k < hi} | set(_arrival_times(s, start.phase, lo, hi)))
    total = 0.0
    for a, b in zip(splits[:-1], splits[1:]):
        half, middle = (b - a) / 2, (a + b) / 2
        total += half * sum(float(w) * _reach_at(s, start, middle + half * float(x))
                            for x, w in zip(_MONTH_NODES, _MONTH_WEIGHTS))
    return total / (hi - lo)


def _start(*, known: float, unknown: float, phase: float, known_share_by_age,
           span: float = AGE_SPAN_MONTHS) -> _Start:
    if not (_finite(known) and _finite(unknown)) or known < 0 or unknown < 0 or known + unknown <= 0:
        raise ValueError(
            f"Need a positive number of under-fives to project from; got {known!r} known and {unknown!r} unknown."
        )
    profile: tuple[float, ...]
    if known_share_by_age is None:
        profile = (known / (known + unknown),)
    else:
        profile = tuple(float(v) for v in known_share_by_age)
        if not profile or any(not _finite(v) or v < 0 for v in profile):
            raise ValueError(f"known_share_by_age must be shares from 0 to 1; got {known_share_by_age!r}.")
    return _Start(known_by_age=_fitted(profile), phase=float(phase), span=_span(span))


def _fitted(profile: tuple[float, ...]) -> tuple[float, ...]:
    """The known share by age with no band above 100%, keeping the overall share where it can.

    The bands take the under-fives as equal fifths (the population estimates come for ages 0-4
    together). A band above 100% means that year of age holds more children than a fifth, so the
    others hold fewer and their known shares are higher: its excess is spread over the bands below
    100%, in proportion to the room each has left. The average (today's reach, the figure every
    page shows) is kept, unless it is itself above 100%, when every band is 100%."""
    shares = [min(1.0, v) for v in profile]
    excess = sum(profile) - sum(shares)
    room = sum(1.0 - v for v in shares)
    if excess <= 0 or room <= 0:
        return tuple(shares)
    spread = min(1.0, excess / room)
    return tuple(v + spread * (1.0 - v) for v in shares)


def _today_pct(start: _Start) -> float:
    return 100.0 * sum(start.known_by_age) / len(start.known_by_age)


def project(*, scenario: Scenario, known: float, unknown: float, months: int, start_month_phase: float = 0,
            known_share_by_age=None) -> list[tuple[int, float]]:
    """Reach (percent) month by month for `months` months from today's known and unknown children.

    Month 0 is today's figure; month k is the average over the k-th month from today, so a
    share that arrives mid-month counts for the part of the month after it, and the average over
    any whole sharing cycle, once the children of today have grown up, is the steady state.
    `start_month_phase` is the number of months from today to the end of the next period
    shared (0: a period ends today). `known_share_by_age` optionally gives the known share in
    equal age bands (for example five values, one per year of age); otherwise today's share is
    taken to apply at every age. A band above 100% (a year of age larger than a fifth of the
    estimate) has its excess spread over the other bands, so month 0 is today's overall share.
    """
    if not isinstance(months, (int, np.integer)) or not 0 <= months <= _LONGEST_PROJECTION_MONTHS:
        raise ValueError(f"months must be a whole number from 0 to {_LONGEST_PROJECTION_MONTHS}; got {months!r}.")
    start = _start(known=known, unknown=unknown, phase=start_month_phase, known_share_by_age=known_share_by_age)
    path = [(0, _today_pct(start))]
    for month in range(1, months + 1):
        path.append((month, 100.0 * _average(scenario, start, month - 1.0, float(month))))
    return path


# --- on the calendar -------------------------------------------------------------------------

@dataclass(frozen=True)
class Projection:
    """Reach month by month, on the calendar, from a start date to an end date.

    path: {'month': 'YYYY-MM', 'reach_pct': ...} for the start's month (today's figure) and then
    each calendar month after it up to the month of `until` (the average over that month).
    target_share: the share aimed at (the outstanding threshold as a fraction).
    crosses_target_on: the last day of the first month at or above the target (the start date
    itself if today's figure is), or None.
    reach_at_until: the figure for the month of `until`.
    """

    scenario: Scenario
    start: date
    until: date
    path: list[dict]
    target_share: float
    crosses_target_on: date | None
    reach_at_until: float
    steady_state_pct: float


def months_until_period_end(start: date, sharing_months: float | None) -> float:
    """Months from the end of `start` to the end of the next period shared (quarters end in
    March, June, September and December; half-years in March and September; years in March)."""
    if sharing_months is None:
        return 0.0
    step = int(sharing_months) if float(sharing_months).is_integer() else 0
    if step <= 0 or 12 % step:
        return 0.0
    for ahead in range(13):
        period_end = month_end(add_months(start.replace(day=1), ahead))
        if (period_end.month - _PERIODS_END_AFTER_MONTH) % step == 0:
            return (period_end - start).days / DAYS_PER_MONTH
    raise AssertionError("a period ends within a year")  # pragma: no cover


def project_to(*, scenario: Scenario, known: float, under_five: float, start: date, until: date,
               start_month_phase: float | None = None, known_share_by_age=None,
               target_share: float = TARGET_SHARE, age_span_months: float = AGE_SPAN_MONTHS) -> Projection:
    """Reach by calendar month from `start` (today: `known` of `under_five`) to `until`'s month,
    and when it first reaches `target_share` (the outstanding threshold as a fraction).

    With `age_span_months` 24 (`UNDER_TWO_SPAN_MONTHS`) it is reach among the under-twos: `known`
    and `under_five` are then the known children under two and the children under two, and
    `known_share_by_age` (if given) is for ages 0 and 1.

    Time runs from the end of the start date. Shares follow the calendar (see
    `months_until_period_end`) unless `start_month_phase` says otherwise.
    """
    if not _finite(under_five) or under_five <= 0:
        raise ValueError(f"Cannot project reach without any under-fives in the area; got {under_five!r}.")
    if until < start:
        raise ValueError(f"The end date {until.isoformat()} is before the start {start.isoformat()}.")
    _check_target(target_share)
    months = months_between(start, until)
    if months > _LONGEST_PROJECTION_MONTHS:
        raise ValueError(f"Projections run for at most {_LONGEST_PROJECTION_MONTHS // 12} years.")
    phase = months_until_period_end(start, scenario.sharing_months) if start_month_phase is None else start_month_phase
    begin = _start(known=min(known, under_five), unknown=max(under_five - known, 0.0), phase=phase,
                   known_share_by_age=known_share_by_age, span=age_span_months)

    def months_from_start(day: date) -> float:   # to the end of `day`
        return (day - start).days / DAYS_PER_MONTH

    ends = month_ends_after(start, months)
    path: list[dict[str, Any]] = [{"month": start.strftime("%Y-%m"), "reach_pct": _today_pct(begin)}]
    for end in ends[1:]:
        first_day = end.replace(day=1)
        lo, hi = months_from_start(first_day - timedelta(days=1)), months_from_start(end)
        path.append({"month": end.strftime("%Y-%m"), "reach_pct": 100.0 * _average(scenario, begin, lo, hi)})
    target_pct = 100.0 * target_share
    crosses = next((end for end, point in zip(ends, path) if point["reach_pct"] >= target_pct - 1e-9), None)
    return Projection(scenario=scenario, start=start, until=until, path=path, target_share=target_share,
                      crosses_target_on=crosses, reach_at_until=path[-1]["reach_pct"],
                      steady_state_pct=100.0 * steady_state_reach(scenario, age_span_months=age_span_months))


def first_crossing(projection: Projection, *, known: float, under_five: float, known_share_by_age=None) -> date | None:
    """The last day of the first month at or above the projection's target under its scenario:
    within the projection if it gets there, else searched on past its end; None if it never does."""
    if projection.crosses_target_on is not None:
        return projection.crosses_target_on
    longer = project_to(scenario=projection.scenario, known=known, under_five=under_five, start=projection.start,
                        until=add_months(projection.start, _CROSSING_SEARCH_MONTHS),
                        known_share_by_age=known_share_by_age, target_share=projection.target_share)
    return longer.crosses_target_on


def projections_by_sharing(*, scenario: Scenario, known: float, under_five: float, start: date, until: date,
                           known_share_by_age=None, target_share: float = TARGET_SHARE) -> dict[str, Projection]:
    """The month-by-month path from `start` to `until` under each sharing option, the other
    parameters fixed."""
    return {name: project_to(scenario=replace(scenario, sharing_months=months), known=known, under_five=under_five,
                             start=start, until=until, known_share_by_age=known_share_by_age,
                             target_share=target_share)
            for name, months in SHARING_OPTIONS.items()}
