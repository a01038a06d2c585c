"""The children of the demo council, simulated one by one, and the sharing of their births.

Children are born here or arrive, move within or out of the area, and become known to a centre
by notification (after a birth-records extract arrives) or by other routes (self-referral,
health visitors, an older sibling already known). The result, `Simulation`, is the truth the
council's files are written from: who lived where and when, every registration, every extract
a child appears in, every contact.
"""

from __future__ import annotations

import bisect
import heapq
import math
from dataclasses import dataclass
from datetime import date, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd

from data.demo.geography import NEIGHBOUR_LSOAS
from data.demo.timeline import (CONTACTS_START, DATA_START, DEMO_AS_AT, MONTHLY_START, RECORDS_START,
                                SIMULATION_START, day_number, fifth_birthday, first_of_month, month_starts,
                                working_day)

# Movement of under-fives, per month: out of the council (families in deprived areas move more
# often; a family with a child of about the same age moves into the home a few weeks later) and
# between its LSOAs.
_MOVE_OUT_RATE = (0.004, 0.012)    # (least deprived, most deprived)
_MOVE_WITHIN_RATE = 0.003
_MONTH_DAYS = 365.25 / 12

# How children become known. Each centre has a quality from 0 to 1 that sets, between these
# (worst, best) values: the share of notified families it goes on to register (a little lower in
# deprived areas); the monthly chance that an unknown child becomes known by other routes
# (self-referral, health visitors, partners), which only the best centres make high; the chance a
# new baby is registered because an older sibling is known; and the share of known families who
# keep coming.
_CONTACT_RATE = (0.80, 0.97)
_OTHER_ROUTES = (0.001, 0.148)
_SIBLING_SHARE = (0.15, 0.75)
_ENGAGED_SHARE = (0.45, 0.80)
_NOTIFIED_REGISTRATION_DAYS = 20.0   # mean days from an extract arriving to a registration
_OTHER_CENTRE_SHARE = 0.05           # families who register at a centre that is not their own

# What a contact export calls the sessions a family came to.
_ACTIVITIES = ["Stay and play", "Baby massage", "Health visitor clinic", "Parenting course",
               "Speech and language group", "Breastfeeding support", "Messy play", "Family learning"]


def _between(low_high: tuple[float, float], share: np.ndarray) -> np.ndarray:
    """The value `share` (0 to 1) of the way from the first of a pair of rates to the second."""
    return low_high[0] + (low_high[1] - low_high[0]) * share


class _Draws:
    """Random numbers drawn in bulk and handed out one at a time: the simulation asks for
    hundreds of thousands, and drawing them singly would dominate the build time."""

    def __init__(self, rng: np.random.Generator, size: int):
        self._rng = rng
        self._size = size
        self._refill()

    def _refill(self) -> None:
        self._uniform = self._rng.random(self._size).tolist()
        self._exponential = self._rng.standard_exponential(self._size).tolist()
        self._u = self._e = 0

    def uniform(self) -> float:
        if self._u == self._size:
            self._refill()
        self._u += 1
        return self._uniform[self._u - 1]

    def exponential(self, mean: float) -> float:
        if self._e == self._size:
            self._refill()
        self._e += 1
        return self._exponential[self._e - 1] * mean


@dataclass(frozen=True)
class Simulation:
    """What the simulation found: the truth the council's files are written from. Days are whole
    days since 1970 (see `timeline`); LSOAs are codes, or positions in the council's list."""

    children: pd.DataFrame        # child_id, nhs_number, dob, sex, entry, event, family, exit, ...
    residence: pd.DataFrame       # child_id, lsoa_code, start, end (days; end exclusive)
    registrations: pd.DataFrame   # child_id, lsoa_code, centre_id, registered_on (days)
    sightings: pd.DataFrame       # child_id, extract, lsoa_code, event (one row per extract a child is in)
    extracts: pd.DataFrame        # extract, received_on, first_day, last_day, monthly
    contacts: pd.DataFrame        # child_id, contact_on, centre_id, activity
    births_by_month: pd.DataFrame # lsoa_code, month, births


def _extracts(rng: np.random.Generator) -> pd.DataFrame:
    """Birth-record extracts: quarterly, about six weeks after each quarter, then monthly, two to
    three weeks after each month. The extract for the demo's own month has not arrived yet."""
    rows = []
    quarter = RECORDS_START
    while quarter < MONTHLY_START:
        following = first_of_month(quarter, 3)
        last_day = following - timedelta(days=1)
        received = working_day(last_day + timedelta(days=42 + int(rng.integers(-3, 4))))
        rows.append((f"{quarter.year}-Q{(quarter.month - 1) // 3 + 1}", received, quarter, last_day, False))
        quarter = following
    for month in month_starts(MONTHLY_START, DEMO_AS_AT):
        last_day = first_of_month(month, 1) - timedelta(days=1)
        received = working_day(last_day + timedelta(days=int(rng.integers(14, 22))))
        if received <= DEMO_AS_AT:
            rows.append((f"{month:%Y-%m}", received, month, last_day, True))
    frame = pd.DataFrame(rows, columns=["extract", "received_on", "first_day", "last_day", "monthly"])
    for column in ("received_on", "first_day", "last_day"):
        frame[column] = frame[column].map(day_number)
    return frame


def _nhs_numbers(rng: np.random.Generator, count: int) -> np.ndarray:
    """Distinct NHS numbers in the 999 test range with a valid modulus-11 check digit."""
    stems = 999_000_000 + rng.choice(1_000_000, size=int(count * 1.2) + 100, replace=False)
    digits = (stems[:, None] // 10 ** np.arange(8, -1, -1)) % 10
    check = 11 - (digits @ np.arange(10, 1, -1)) % 11
    check = np.where(check == 11, 0, check)
    valid = check != 10           # a check digit of 10 means the stem is never issued
    numbers = stems[valid] * 10 + check[valid]
    return np.array([f"{n:010d}" for n in numbers[:count]])


class Simulator:
    """Follows every child from birth or arrival to their fifth birthday, a move away, or the demo
    date, and records what the council's data would show of them.

    Homes, not chance, keep an LSOA's number of under-fives steady: births come at a steady rate
    (spread over each quarter at random), and when a family moves out of an LSOA another family
    with a child of about the same age moves in a few weeks later. So the population a centre sees
    on the demo date is close to the latest estimate, as it would be in a settled town.
    """

    def __init__(self, lsoas: gpd.GeoDataFrame, adjacency: list[list[int]], centres: pd.DataFrame, *,
                 rng: np.random.Generator, extracts_rng: np.random.Generator):
        self.rng = rng
        self.draws = _Draws(rng, 200_000)
        self.codes = lsoas["lsoa_code"].to_numpy()
        self.under_fives = lsoas["under_fives"].to_numpy(dtype=float)
        deprivation = lsoas["deprivation"].to_numpy()
        self.centre_of = lsoas["centre_id"].to_numpy()
        self.quality = centres.set_index("centre_id")["quality"].to_dict()
        centre_quality = np.array([self.quality[c] for c in self.centre_of])
        self.neighbours = [list(n) for n in adjacency]
        self.cumulative_size = np.cumsum(self.under_fives) / self.under_fives.sum()
        # Per LSOA, from the quality of its centre; deprivation makes each a little harder.
        self.contact_rate = _between(_CONTACT_RATE, centre_quality * (1 - 0.2 * deprivation))
        self.other_routes = _between(_OTHER_ROUTES, centre_quality ** 3) * (1 - 0.3 * deprivation)
        self.sibling_share = _between(_SIBLING_SHARE, centre_quality)
        self.engaged_share = _between(_ENGAGED_SHARE, centre_quality)
        self.move_out = _between(_MOVE_OUT_RATE, deprivation)
        self.moving = self.move_out + _MOVE_WITHIN_RATE

        self.extracts = _extracts(extracts_rng)
        self.extract_first = self.extracts["first_day"].tolist()
        self.extract_last = self.extracts["last_day"].tolist()
        self.extract_received = self.extracts["received_on"].tolist()
        self.extract_monthly = self.extracts["monthly"].tolist()
        self.horizon_day = day_number(DEMO_AS_AT) + 1

        self.children: list[tuple] = []            # (entry, dob, lsoa, event, fifth, family, exit, known)
        self.residence: list[tuple] = []           # (child, lsoa, start, end)
        self.registrations: list[tuple] = []       # (child, lsoa_code, centre_id, registered_on)
        self.sightings: list[tuple] = []           # (child, extract, lsoa)
        self.queue: list[tuple] = []               # (entry, order, lsoa, dob, event), soonest first
        self.order = 0
        # Babies born so far, per LSOA, in order of birth: when, and into which family. Those born
        # more than five years before the child in hand are behind `oldest_baby`.
        self.babies_born: list[list[int]] = [[] for _ in self.codes]
        self.babies_family: list[list[int]] = [[] for _ in self.codes]
        self.oldest_baby = [0] * len(self.codes)
        self.family_known_since: dict[int, int] = {}
        self.families = 0
        # Homes left behind and not yet taken, per LSOA: (day the newcomer arrives, queue order,
        # the newcomer's date of birth).
        self.vacancies: list[list[tuple[int, int, int]]] = [[] for _ in self.codes]
        self.cancelled: set[int] = set()
        self.now = 0

    def run(self) -> Simulation:
        for entry, lsoa in self._births():
            self._schedule(entry, lsoa, entry, "birth")
        while self.queue:
            entry, order, lsoa, dob, event = heapq.heappop(self.queue)
            if order in self.cancelled:
                continue
            self.now = entry
            self._follow(len(self.children), entry=entry, lsoa=lsoa, dob=dob, event=event)
        return self._results()

    def _schedule(self, entry: int, lsoa: int, dob: int, event: str) -> None:
        heapq.heappush(self.queue, (entry, self.order, lsoa, dob, event))
        self.order += 1

    def _births(self) -> list[tuple[int, int]]:
        """(day, LSOA) of every birth: each LSOA's expected births per quarter, rounded so that
        the fractions carry over, then scattered over the quarter's days by season."""
        months = month_starts(SIMULATION_START, DEMO_AS_AT)
        month_start = np.array([day_number(m) for m in months])
        month_length = np.array([day_number(first_of_month(m, 1)) - day_number(m) for m in months])
        season = 1 + 0.06 * np.cos(2 * math.pi * (np.array([m.month for m in months]) - 9) / 12)
        quarter = np.arange(len(months)) // 3
        expected = np.add.reduceat(np.outer(season, self.under_fives / 60), np.arange(0, len(months), 3), axis=0)
        carried = np.floor(np.cumsum(expected, axis=0) + self.rng.random(len(self.codes)))
        per_quarter = np.diff(carried, axis=0, prepend=0).astype("int64")
        quarter_index, lsoa_index = np.nonzero(per_quarter)
        repeat = per_quarter[quarter_index, lsoa_index]
        quarter_index, lsoa_index = np.repeat(quarter_index, repeat), np.repeat(lsoa_index, repeat)
        births = []
        for q in range(per_quarter.shape[0]):
            in_quarter = np.flatnonzero(quarter == q)
            weights = season[in_quarter] * month_length[in_quarter]
            chosen = lsoa_index[quarter_index == q]
            month = in_quarter[np.searchsorted(np.cumsum(weights) / weights.sum(), self.rng.random(len(chosen)))]
            day = month_start[month] + np.floor(self.rng.random(len(chosen)) * month_length[month]).astype("int64")
            births += [(int(d), int(lsoa)) for d, lsoa in zip(day, chosen) if d < self.horizon_day]
        return sorted(births)

    def _family(self, start: int, lsoa: int, born_here: bool) -> int:
        """A new baby may join a family in the same LSOA that had one 18 months to 5 years before."""
        family = -1
        if born_here:
            born = self.babies_born[lsoa]
            while self.oldest_baby[lsoa] < len(born) and start - born[self.oldest_baby[lsoa]] > 1800:
                self.oldest_baby[lsoa] += 1
            choices = bisect.bisect_right(born, start - 540) - self.oldest_baby[lsoa]
            if choices > 0 and self.draws.uniform() < 0.35:
                family = self.babies_family[lsoa][self.oldest_baby[lsoa] + int(self.draws.uniform() * choices)]
        if family < 0:
            family, self.families = self.families, self.families + 1
        if born_here:
            self.babies_born[lsoa].append(start)
            self.babies_family[lsoa].append(family)
        return family

    def _homes(self, child: int, *, start: int, lsoa: int, dob: int, horizon: int) -> tuple[list, int]:
        """Where the child lives, as (lsoa, since, until) spells, and the day they moved away (-1 if
        they did not). Every home left behind is taken by a family with a child of about the same age."""
        draws = self.draws
        spells, t, left = [], start, -1
        while True:
            wait = draws.exponential(_MONTH_DAYS / self.moving[lsoa])
            if t + wait >= horizon:
                spells.append((lsoa, t, horizon))
                return spells, left
            moved = int(t + wait) + 1
            spells.append((lsoa, t, moved))
            arrival = moved + int(draws.exponential(45.0))
            newcomer_dob = min(dob + int(draws.uniform() * 180) - 90, arrival)
            if arrival < self.horizon_day and arrival < fifth_birthday(newcomer_dob):
                self._schedule(arrival, lsoa, newcomer_dob, "arrival")
                self.vacancies[lsoa].append((arrival, self.order - 1, newcomer_dob))
            t = moved
            if draws.uniform() < self.move_out[lsoa] / self.moving[lsoa]:
                return spells, moved
            lsoa = self._new_home(lsoa, moved, dob)

    def _new_home(self, leaving: int, day: int, dob: int) -> int:
        """Where a family moving within the council goes: usually next door, sometimes across
        town, and into a home just vacated there when there is one (so that no family from outside
        takes it)."""
        draws = self.draws
        nearby = draws.uniform() < 0.75 and self.neighbours[leaving]
        places = self.neighbours[leaving] if nearby else range(len(self.codes))
        free = []
        for lsoa in places:
            # Homes whose newcomers have already been followed cannot be taken any more.
            self.vacancies[lsoa] = [v for v in self.vacancies[lsoa] if v[0] >= self.now]
            free += [(arrival, order, lsoa, newcomer) for arrival, order, newcomer in self.vacancies[lsoa]
                     if day <= arrival <= day + 120 and abs(newcomer - dob) <= 365 and lsoa != leaving]
        if free:
            arrival, order, lsoa, newcomer = min(free)
            self.vacancies[lsoa].remove((arrival, order, newcomer))
            self.cancelled.add(order)
            return lsoa
        if nearby:
            return self.neighbours[leaving][int(draws.uniform() * len(self.neighbours[leaving]))]
        return int(np.searchsorted(self.cumulative_size, draws.uniform()))

    def _follow(self, child: int, *, entry: int, lsoa: int, dob: int, event: str) -> None:
        draws = self.draws
        born_here = event == "birth"
        fifth = fifth_birthday(dob)
        horizon = min(fifth, self.horizon_day)
        family = self._family(entry, lsoa, born_here)
        spells, left = self._homes(child, start=entry, lsoa=lsoa, dob=dob, horizon=horizon)
        last_day_here = spells[-1][2]
        for where, since, until in spells:
            self.residence.append((child, where, since, until))

        def living_in(day: int) -> int:
            """The LSOA the child lives in on `day`, or -1 if not living here then."""
            if entry <= day < last_day_here:
                for where, since, until in spells:
                    if since <= day < until:
                        return where
            return -1

        # Ways to become known; the earliest that happens while the child lives here wins.
        candidates = []
        known_since = self.family_known_since.get(family, -1)
        if born_here and 0 <= known_since <= entry and draws.uniform() < self.sibling_share[lsoa]:
            candidates.append(entry + draws.exponential(45.0))
        extract = bisect.bisect_left(self.extract_last, entry)
        if (extract < len(self.extract_last) and entry >= self.extract_first[extract]
                and (born_here or self.extract_monthly[extract])):
            sighted_in = living_in(self.extract_last[extract])
            if sighted_in >= 0 and self.extract_received[extract] < self.horizon_day:
                self.sightings.append((child, extract, sighted_in))
                if draws.uniform() < self.contact_rate[sighted_in]:
                    candidates.append(self.extract_received[extract]
                                      + draws.exponential(_NOTIFIED_REGISTRATION_DAYS))
        for where, since, until in spells:
            chance = since + draws.exponential(_MONTH_DAYS / self.other_routes[where])
            if chance < until:
                candidates.append(chance)
                break
        registered = next((int(c) for c in sorted(candidates)
                           if living_in(int(c)) >= 0 and int(c) < self.horizon_day), -1)
        self.children.append((entry, dob, lsoa, event, fifth, family, left, registered))
        if registered < 0:
            return
        if known_since < 0 or registered < known_since:
            self.family_known_since[family] = registered
        self._register(child, spells=spells, left=left, registered=registered, where=living_in(registered))

    def _register(self, child: int, *, spells: list, left: int, registered: int, where: int) -> None:
        """The registration, and the later moves as far as the centre hears of them: centres that
        know their families well keep their addresses up to date."""
        draws = self.draws
        centre = self.centre_of[where]
        if draws.uniform() < _OTHER_CENTRE_SHARE and self.neighbours[where]:
            centre = self.centre_of[self.neighbours[where][int(draws.uniform() * len(self.neighbours[where]))]]
        quality = self.quality[centre]
        self.registrations.append((child, self.codes[where], centre, registered))
        for where, since, until in spells:
            if since > registered and draws.uniform() < 0.7 + 0.25 * quality:
                day = int(since + draws.exponential(30.0))
                if day < min(until, self.horizon_day):
                    centre = self.centre_of[where]
                    self.registrations.append((child, self.codes[where], centre, day))
        if left >= 0 and draws.uniform() < 0.55 + 0.4 * quality:
            day = int(left + draws.exponential(30.0))
            if day < self.horizon_day:
                away = NEIGHBOUR_LSOAS[int(draws.uniform() * len(NEIGHBOUR_LSOAS))]
                self.registrations.append((child, away, centre, day))

    def _results(self) -> Simulation:
        children = pd.DataFrame(self.children, columns=["entry", "dob", "lsoa", "event", "fifth_birthday",
                                                        "family", "exit", "first_known"])
        count = len(children)
        children.insert(0, "child_id", np.arange(count))
        children["lsoa_code"] = self.codes[children["lsoa"].to_numpy()]
        children["nhs_number"] = _nhs_numbers(self.rng, count)
        children["sex"] = np.where(self.rng.random(count) < 0.512, "M", "F")
        residence = pd.DataFrame(self.residence, columns=["child_id", "lsoa", "start", "end"])
        residence["lsoa_code"] = self.codes[residence["lsoa"].to_numpy()]
        registrations = pd.DataFrame(self.registrations,
                                     columns=["child_id", "lsoa_code", "centre_id", "registered_on"])
        sightings = pd.DataFrame(self.sightings, columns=["child_id", "extract", "lsoa"])
        sightings["lsoa_code"] = self.codes[sightings["lsoa"].to_numpy()]
        sightings["event"] = children["event"].to_numpy()[sightings["child_id"].to_numpy()]
        contacts = _contacts(children, registrations, engaged_share=self.engaged_share, rng=self.rng)
        born = children[(children["event"] == "birth") & (children["dob"] >= day_number(DATA_START))]
        month_of_birth = pd.to_datetime(born["dob"].to_numpy(), unit="D").to_period("M")
        births_by_month = (born.assign(month=month_of_birth).groupby(["lsoa_code", "month"]).size()
                           .rename("births").reset_index())
        return Simulation(children=children, residence=residence, registrations=registrations,
                          sightings=sightings, extracts=self.extracts, contacts=contacts,
                          births_by_month=births_by_month)


def _contacts(children: pd.DataFrame, registrations: pd.DataFrame, *, engaged_share: np.ndarray,
              rng: np.random.Generator) -> pd.DataFrame:
    """Attendances of known children while they live here, since the contact export began: some
    families come most weeks, most now and then."""
    first = registrations.drop_duplicates("child_id")
    child = first["child_id"].to_numpy()
    leave = np.where(children["exit"].to_numpy()[child] >= 0, children["exit"].to_numpy()[child],
                     np.minimum(children["fifth_birthday"].to_numpy()[child], day_number(DEMO_AS_AT) + 1))
    start = np.maximum(first["registered_on"].to_numpy(), day_number(CONTACTS_START))
    span = np.maximum(leave - start, 0)
    engaged = rng.random(len(child)) < engaged_share[children["lsoa"].to_numpy()[child]]
    monthly = np.where(engaged, rng.gamma(4.0, 0.12, len(child)), rng.gamma(1.5, 0.09, len(child)))
    n = rng.poisson(monthly * span / _MONTH_DAYS)
    who = np.repeat(np.arange(len(child)), n)
    day = start[who] + np.floor(rng.random(len(who)) * span[who]).astype("int64")
    contacts = pd.DataFrame({
        "child_id": child[who],
        "contact_on": day,
        "centre_id": first["centre_id"].to_numpy()[who],
        "activity": np.array(_ACTIVITIES)[rng.integers(len(_ACTIVITIES), size=len(who))],
    })
    return contacts.drop_duplicates(["child_id", "contact_on", "centre_id", "activity"]).sort_values(
        ["contact_on", "child_id", "activity"], kind="stable").reset_index(drop=True)


def resident_under_fives(simulation: Simulation, on: date) -> pd.Series:
    """How many simulated children under five lived in each LSOA on a date."""
    day = day_number(on)
    residence = simulation.residence
    children = simulation.children
    living = residence[(residence["start"] <= day) & (residence["end"] > day)]
    dob = children["dob"].to_numpy()[living["child_id"].to_numpy()]
    fifth = children["fifth_birthday"].to_numpy()[living["child_id"].to_numpy()]
    living = living[(dob <= day) & (day < fifth)]
    return living.groupby("lsoa_code").size()


def resident_under_twos(simulation: Simulation, on: date) -> pd.Series:
    """How many simulated children under two (aged 0 and 1) lived in each LSOA on a date; a child
    born on 29 February turns two on 1 March."""
    day = day_number(on)
    residence = simulation.residence
    living = residence[(residence["start"] <= day) & (residence["end"] > day)]
    born = pd.to_datetime(simulation.children["dob"].to_numpy()[living["child_id"].to_numpy()], unit="D")
    leap_day = (born.month == 2) & (born.day == 29)
    second = np.where(leap_day, born + pd.DateOffset(years=2, days=1), born + pd.DateOffset(years=2))
    second_day = (pd.DatetimeIndex(second) - pd.Timestamp(1970, 1, 1)).days.to_numpy()
    dob = simulation.children["dob"].to_numpy()[living["child_id"].to_numpy()]
    living = living[(dob <= day) & (day < second_day)]
    return living.groupby("lsoa_code").size()
