"""The files the demo council sends, in the layouts councils receive them: ONS boundaries,
population estimates and postcode lookup, the Indices of Deprivation, health's birth counts
and birth records, and the centres' registration and contact exports, with a few faulty rows.

Each is a frame (`DemoFile`) with the kind it is imported as; `write_demo_files` puts them on
disk as CSV, and the boundaries as GeoJSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from data.demo.geography import BRITISH_NATIONAL_GRID, COUNCIL_NAME, LA_CODE, PLACE_NAME
from data.demo.simulation import Simulation, resident_under_fives, resident_under_twos
from data.demo.timeline import (DATA_START, DEMO_AS_AT, ESTIMATE_PERIODS, WIDE_LAYOUT_PERIOD, day_number,
                                first_of_month, iso_dates, month_starts, working_day)

if TYPE_CHECKING:
    from data.demo.council import DemoCouncil

# The target-group flags of the registrations: the share of families flagged (of children, for
# disability).
_FLAG_RATES = {
    "lone_parent": 0.20,
    "teenage_parent": 0.03,
    "workless_household": 0.12,
    "disability": 0.05,
    "minority_ethnic": 0.15,
    "father_engaged": 0.25,
}

# Centres' addresses: the importer reads no address, but a real register has them.
_STREETS = ["Mill Lane", "Church Street", "Station Road", "Park Avenue", "Canal Street", "High Street",
            "Moor Road", "Victoria Road", "School Lane", "Chapel Street", "Green Lane", "Bridge Street",
            "Kingsway", "Orchard Close"]


@dataclass(frozen=True)
class DemoFile:
    """One file the demo council would send, as a frame, with the kind it is imported as."""

    kind: str
    file_name: str
    frame: pd.DataFrame
    received_on: date | None = None


def write_demo_files(council: DemoCouncil, folder: str | Path) -> list[tuple[DemoFile, Path]]:
    """Write every file of `council` into `folder` (CSV, and GeoJSON for the boundaries)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for demo_file in council.files:
        path = folder / demo_file.file_name
        if isinstance(demo_file.frame, gpd.GeoDataFrame):
            demo_file.frame.to_file(path, driver="GeoJSON")
        else:
            demo_file.frame.to_csv(path, index=False, lineterminator="\n")
        written.append((demo_file, path))
    return written


def council_files(*, lsoas: gpd.GeoDataFrame, centres: pd.DataFrame, postcodes: pd.DataFrame,
                  simulation: Simulation, rng: np.random.Generator, population_rng: np.random.Generator,
                  faults_rng: np.random.Generator,
                  eyfsp_rng: np.random.Generator | None = None) -> list[DemoFile]:
    """Every file the council sends, in the order a data officer would load them.

    `rng` draws what only the files add to the truth: the postcode given for each address, the
    indices of deprivation other than IDACI 2019, the families' flags. `population_rng` draws the
    estimates' error, `faults_rng` the faulty rows, `eyfsp_rng` the results at five."""
    postcode_choices = postcodes.groupby("lsoa_code")["postcode"].apply(list).to_dict()

    def postcode_for(lsoa_codes) -> list[str]:
        return [choices[int(rng.integers(len(choices)))] for choices in map(postcode_choices.get, lsoa_codes)]

    files = [
        DemoFile("boundaries", "brackenfold_lsoa21_bng.geojson", gpd.GeoDataFrame(
            {"LSOA21CD": lsoas["lsoa_code"], "LSOA21NM": lsoas["lsoa_name"]},
            geometry=lsoas.geometry.to_numpy(), crs=BRITISH_NATIONAL_GRID)),
        DemoFile("centres", "brackenfold_childrens_centres.csv", _centres_file(centres, postcodes)),
        DemoFile("reach-areas", "brackenfold_reach_areas.csv",
                 lsoas[["lsoa_code", "centre_id"]].sort_values(["centre_id", "lsoa_code"]).reset_index(drop=True)),
        DemoFile("postcodes", "brackenfold_postcodes.csv",
                 postcodes.rename(columns={"postcode": "pcds", "lsoa_code": "lsoa21cd"})
                 [["pcds", "lsoa21cd", "lat", "lon"]].round({"lat": 6, "lon": 6})),
    ]
    files += _population_files(lsoas, simulation, population_rng)
    files.append(DemoFile("deprivation", "brackenfold_iod_2015_2019.csv", _deprivation_file(lsoas, rng)))
    files.append(DemoFile("birth-counts", "brackenfold_birth_counts_by_lsoa.csv",
                          _birth_counts_file(lsoas, simulation)))
    files += _birth_record_files(simulation, postcode_for)
    files += _registration_files(simulation, postcode_for, rng, faults_rng)
    contacts = simulation.contacts
    files.append(DemoFile("contacts", "brackenfold_contacts_2023-10_to_2026-09.csv", pd.DataFrame({
        "nhs_number": simulation.children["nhs_number"].to_numpy()[contacts["child_id"].to_numpy()],
        "contact_on": iso_dates(contacts["contact_on"]),
        "centre_id": contacts["centre_id"],
        "activity": contacts["activity"],
    })))
    if eyfsp_rng is not None:
        files.append(DemoFile("eyfsp", "brackenfold_eyfsp_2022-23_to_2025-26.csv",
                              _eyfsp_file(lsoas, simulation, eyfsp_rng)))
    return files


# Results at five: the chance of a good level of development is about 68% nationally, about 20
# points lower for children eligible for free school meals, 8 lower in the most deprived areas,
# and a little higher for children a centre knew before they were two.
EYFSP_YEARS = (2023, 2024, 2025, 2026)
_GLD_CHANCE = 0.735
_GLD_FSM, _GLD_DEPRIVED, _GLD_KNOWN_EARLY = -0.17, -0.08, 0.05


def _eyfsp_file(lsoas: gpd.GeoDataFrame, simulation: Simulation, rng: np.random.Generator) -> pd.DataFrame:
    """The EYFSP results of the children still living here at five, assessed in the school years
    2022/23 to 2025/26, by the LSOA they lived in last, with the NHS numbers of the birth records
    so they link to the registrations."""
    children = simulation.children
    stayed = children[children["exit"].to_numpy() < 0]
    born = pd.to_datetime(stayed["dob"].to_numpy(), unit="D")
    # The school year a child is assessed in ends in the summer after their fifth birthday's
    # school year begins: born September 2019 to August 2020, assessed in 2024/25.
    year = born.year + 5 + (born.month >= 9).astype(int)
    chosen = np.isin(year, EYFSP_YEARS)
    stayed, born, year = stayed[chosen], born[chosen], np.asarray(year)[chosen]
    last_home = (simulation.residence.sort_values(["child_id", "start"], kind="stable")
                 .groupby("child_id")["lsoa_code"].last())
    lsoa = last_home.reindex(stayed["child_id"]).to_numpy()
    place = lsoas.set_index("lsoa_code")
    deprivation = place["deprivation"].reindex(lsoa).to_numpy(dtype=float)
    deprived = place["idaci_decile"].reindex(lsoa).to_numpy() <= 3
    first = simulation.registrations.groupby("child_id")["registered_on"].min()
    registered = first.reindex(stayed["child_id"]).to_numpy(dtype=float)
    second = np.array([day_number(d.replace(year=d.year + 2) if (d.month, d.day) != (2, 29)
                                  else date(d.year + 2, 3, 1)) for d in born.date])
    early = registered < second        # NaN (never registered) compares False
    fsm = rng.random(len(stayed)) < np.clip(0.06 + 0.36 * deprivation, 0, 0.9)
    chance = _GLD_CHANCE + _GLD_FSM * fsm + _GLD_DEPRIVED * deprived + _GLD_KNOWN_EARLY * early
    gld = rng.random(len(stayed)) < np.clip(chance, 0.05, 0.95)
    frame = pd.DataFrame({
        "nhs_number": stayed["nhs_number"].to_numpy(),
        "dob": iso_dates(stayed["dob"].to_numpy()),
        "lsoa_code": lsoa,
        "academic_year": [f"{y - 1}/{y % 100:02d}" for y in year],
        "gld": np.where(gld, "Y", "N"),
        "fsm": np.where(fsm, "Y", "N"),
    })
    return frame.sort_values(["academic_year", "lsoa_code", "dob", "nhs_number"], kind="stable",
                             ignore_index=True)


def _centres_file(centres: pd.DataFrame, postcodes: pd.DataFrame) -> pd.DataFrame:
    # The first postcode drawn in a centre's home LSOA is the centre's own, at its door.
    at = postcodes.drop_duplicates("lsoa_code").set_index("lsoa_code")
    home = at.loc[centres["home_lsoa"]]
    return pd.DataFrame({
        "centre_id": centres["centre_id"],
        "name": centres["name"],
        "la_code": LA_CODE,
        "group_id": centres["group_id"],
        "address": [f"{10 + 7 * i} {_STREETS[i % len(_STREETS)]}, {PLACE_NAME}" for i in range(len(centres))],
        "postcode": home["postcode"].to_numpy(),
        "lon": home["lon"].round(6).to_numpy(),
        "lat": home["lat"].round(6).to_numpy(),
        # The sites named as family hubs are hubs; the others are still children's centres.
        "site_type": ["family hub" if name.endswith("Family Hub") else "children's centre"
                      for name in centres["name"]],
    })


def estimate_quirks(codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Which LSOAs have a published estimate ("published"), none at all ("missing"), or one that
    is too low because a new estate was built after it ("too low")."""
    quirks = np.full(len(codes), "published", dtype=object)
    picked = rng.choice(len(codes), size=3, replace=False)
    quirks[picked[:2]] = "missing"
    quirks[picked[2]] = "too low"
    return quirks


def _population_files(lsoas: gpd.GeoDataFrame, simulation: Simulation,
                      rng: np.random.Generator) -> list[DemoFile]:
    """ONS-style estimates from the simulated population, with the error ONS warns of. Two LSOAs
    have no estimate (the fallback is exercised), and one, a new estate, is estimated too low. The
    long file gives the children aged 0 and 1 too, except for its earliest year (left blank, as
    not known), where the under-twos are estimated from the under-fives."""
    codes = lsoas["lsoa_code"].to_numpy()
    missing = set(codes[lsoas["estimate"] == "missing"])
    new_estate = codes[lsoas["estimate"] == "too low"][0]
    estimates, under_twos = {}, {}
    for period in ESTIMATE_PERIODS:
        true = resident_under_fives(simulation, period).reindex(codes, fill_value=0).to_numpy(dtype=float)
        true_under_two = resident_under_twos(simulation, period).reindex(codes, fill_value=0).to_numpy(dtype=float)
        error = np.exp(rng.normal(0, 0.02, len(codes)))
        estimate = pd.Series(np.round(true * error).astype("int64"), index=codes)
        under_two = pd.Series(np.round(true_under_two * error).astype("int64"), index=codes)
        estimate[new_estate] = int(round(estimate[new_estate] * 0.75))
        under_two[new_estate] = int(round(under_two[new_estate] * 0.75))
        estimates[period] = estimate.drop(sorted(missing))
        under_twos[period] = under_two.drop(sorted(missing)).clip(upper=estimates[period])

    first = min(ESTIMATE_PERIODS)
    long_rows = [pd.DataFrame({"lsoa_code": estimate.index, "children_0_4": estimate.to_numpy(),
                               "children_0_1": (pd.array([None] * len(estimate), dtype="Int64") if period == first
                                                else under_twos[period].to_numpy()),
                               "period": period.isoformat()})
                 for period, estimate in estimates.items() if period != WIDE_LAYOUT_PERIOD]
    names = lsoas.set_index("lsoa_code")["lsoa_name"]
    deprivation = lsoas.set_index("lsoa_code")["deprivation"]
    wide = _ons_wide_layout(estimates[WIDE_LAYOUT_PERIOD], names, deprivation, rng)
    return [
        DemoFile("population", "brackenfold_mid_2024_population_estimates_lsoa.csv", wide),
        DemoFile("population", "brackenfold_under5_estimates_2021_2025.csv",
                 pd.concat(long_rows, ignore_index=True)),
    ]


def _ons_wide_layout(under_fives: pd.Series, names: pd.Series, deprivation: pd.Series,
                     rng: np.random.Generator) -> pd.DataFrame:
    """The ONS published layout: one row per LSOA and sex (Persons, Females, Males), single years
    of age 0 to 89 and 90+, broad age totals. The under-fives add up to the estimate exactly."""
    ages = [str(a) for a in range(90)] + ["90+"]
    rows = []
    for code, total in under_fives.items():
        young = rng.multinomial(int(total), [0.19, 0.195, 0.2, 0.205, 0.21])
        males_young = rng.binomial(young, 0.512)
        # Older ages only have to look right: deprived areas are younger.
        profile = np.concatenate([np.full(13, 21.0), np.full(10, 19.0), np.full(17, 22.0), np.full(20, 20.0),
                                  np.linspace(19, 4, 25), np.linspace(3, 0.5, 5)])
        profile = profile * np.linspace(1 + 0.25 * deprivation[code], 1 - 0.25 * deprivation[code], len(profile))
        males_old = rng.poisson(profile)
        females_old = rng.poisson(profile * np.linspace(1.0, 1.3, len(profile)))
        males = np.concatenate([males_young, males_old[:85], [males_old[85:].sum()]])
        females = np.concatenate([young - males_young, females_old[:85], [females_old[85:].sum()]])
        for sex, counts in (("Persons", males + females), ("Females", females), ("Males", males)):
            rows.append({"period": WIDE_LAYOUT_PERIOD.isoformat(), "area_code": code, "area_name": names[code],
                         "geography": "LSOA", "sex": sex, "all_ages": int(counts.sum()),
                         "aged_0_to_15": int(counts[:16].sum()), "aged_16_to_64": int(counts[16:65].sum()),
                         "aged_65_and_over": int(counts[65:].sum()),
                         **dict(zip(ages, counts.astype(int).tolist()))})
    return pd.DataFrame(rows)


# The IoD domains the long layout carries (Reach reads only IDACI), and the number of LSOAs in
# England in 2011, over which the ranks run.
_IOD_DOMAINS = ["Index of Multiple Deprivation", "Income", "Employment",
                "Income Deprivation Affecting Children", "Income Deprivation Affecting Older People"]
_ENGLAND_LSOAS_2011 = 32_844


def _deprivation_file(lsoas: gpd.GeoDataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The Indices of Deprivation long layout, two editions, several domains; on 2011 codes that
    are unchanged in 2021, as most are. IDACI 2019 carries the deciles the demo was drawn with."""
    rows = []
    per_decile = _ENGLAND_LSOAS_2011 / 10
    for year in (2015, 2019):
        for domain in _IOD_DOMAINS:
            if domain == "Income Deprivation Affecting Children" and year == 2019:
                decile = lsoas["idaci_decile"].to_numpy()
            else:
                decile = np.clip(lsoas["idaci_decile"].to_numpy() + rng.integers(-1, 2, len(lsoas)), 1, 10)
            rank = np.floor((decile - 1 + rng.random(len(lsoas))) * per_decile).astype(int) + 1
            score = np.round(0.55 * (1 - rank / _ENGLAND_LSOAS_2011) ** 2.2 + 0.01, 3)
            rows.append(pd.DataFrame({"lsoa11cd": lsoas["lsoa_code"], "lad19cd": LA_CODE, "lad19nm": COUNCIL_NAME,
                                      "index_domain": domain, "decile": decile, "rank": rank,
                                      "score": score, "year": year}))
    return pd.concat(rows, ignore_index=True).sort_values(["lsoa11cd", "year", "index_domain"],
                                                          kind="stable", ignore_index=True)


def _birth_counts_file(lsoas: gpd.GeoDataFrame, simulation: Simulation) -> pd.DataFrame:
    """Live births by LSOA and month, every month from the start of the data, zeros included; each
    month's counts arrive on the first working day from the 21st of the next month (the
    data-protection-safe feed, which carries on beside the birth records)."""
    arrives = {month: working_day(first_of_month(month, 1).replace(day=21))
               for month in month_starts(DATA_START, DEMO_AS_AT)}
    months = [month for month, day in arrives.items() if day <= DEMO_AS_AT]
    grid = pd.MultiIndex.from_product([lsoas["lsoa_code"], pd.PeriodIndex(months, freq="M")],
                                      names=["lsoa_code", "month"])
    counts = simulation.births_by_month.set_index(["lsoa_code", "month"])["births"].reindex(grid, fill_value=0)
    frame = counts.reset_index()
    received = {f"{month:%Y-%m}": day.isoformat() for month, day in arrives.items()}
    month = frame["month"].dt.strftime("%Y-%m")
    return pd.DataFrame({
        "month": month,
        "lsoa_code": frame["lsoa_code"],
        "births": frame["births"].astype("int64"),
        "received_on": month.map(received),
    })


def _birth_record_files(simulation: Simulation, postcode_for) -> list[DemoFile]:
    """One file per extract: quarterly extracts give the LSOA, the monthly ones (from the new
    agreement) give the postcode, as the health extract does, and include arrivals."""
    children = simulation.children
    files = []
    for extract in simulation.extracts.itertuples():
        seen = simulation.sightings[simulation.sightings["extract"] == extract.Index]
        child = seen["child_id"].to_numpy()
        frame = pd.DataFrame({"nhs_number": children["nhs_number"].to_numpy()[child],
                              "dob": iso_dates(children["dob"].to_numpy()[child]),
                              "sex": children["sex"].to_numpy()[child]})
        received = pd.Timestamp(extract.received_on, unit="D").date()
        if extract.monthly:
            frame["postcode"] = postcode_for(seen["lsoa_code"])
            frame["event"] = seen["event"].to_numpy()
            frame["arrived_on"] = np.where(seen["event"] == "arrival",
                                           iso_dates(children["entry"].to_numpy()[child]), "")
            name = f"brackenfold_births_and_arrivals_{extract.extract}.csv"
        else:
            frame["lsoa_code"] = seen["lsoa_code"].to_numpy()
            name = f"brackenfold_births_{extract.extract}.csv"
        files.append(DemoFile("births", name, frame, received_on=received))
    return files


def _registration_files(simulation: Simulation, postcode_for, rng: np.random.Generator,
                        fault_rng: np.random.Generator) -> list[DemoFile]:
    """The registration system's exports: the history up to March 2024 by LSOA, and the
    registrations since by postcode, with a handful of faulty rows for the quarantine page."""
    children = simulation.children
    registrations = simulation.registrations.sort_values(["registered_on", "child_id"], kind="stable")
    child = registrations["child_id"].to_numpy()
    family = children["family"].to_numpy()[child]
    flags = _family_flags(children, rng)
    frame = pd.DataFrame({
        "nhs_number": children["nhs_number"].to_numpy()[child],
        "dob": iso_dates(children["dob"].to_numpy()[child]),
        "lsoa_code": registrations["lsoa_code"].to_numpy(),
        "centre_id": registrations["centre_id"].to_numpy(),
        "registered_on": iso_dates(registrations["registered_on"].to_numpy()),
        "family_key": [f"BF{f:06d}" for f in family],
        **{flag: np.where(values[child], "Y", "N") for flag, values in flags.items()},
    })
    split = (registrations["registered_on"] < day_number(date(2024, 4, 1))).to_numpy()
    history = frame[split].reset_index(drop=True)
    recent = frame[~split].reset_index(drop=True)
    recent.insert(2, "postcode", postcode_for(recent.pop("lsoa_code")))
    recent = _with_faults(recent, fault_rng)
    return [
        DemoFile("registrations", "brackenfold_registrations_to_2024-03.csv", history),
        DemoFile("registrations", "brackenfold_registrations_2024-04_to_2026-09.csv", recent),
    ]


def _family_flags(children: pd.DataFrame, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Target-group flags per child: family circumstances shared by siblings, disability per child."""
    family = children["family"].to_numpy()
    families = family.max() + 1
    flags = {}
    for flag, rate in _FLAG_RATES.items():
        if flag == "disability":
            flags[flag] = rng.random(len(children)) < rate
        else:
            flags[flag] = (rng.random(families) < rate)[family]
    return flags


def _with_faults(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Slip a handful of faulty rows in among the good ones, as real exports have them: a mistyped
    NHS number, an impossible date, a postcode the lookup does not know, a date of birth in the
    future, and a row exported twice."""
    faulty = frame.iloc[rng.choice(len(frame), size=4, replace=False)].copy().reset_index(drop=True)
    number = faulty.at[0, "nhs_number"]
    faulty.at[0, "nhs_number"] = number[:9] + str((int(number[9]) + 1) % 10)
    faulty.at[1, "registered_on"] = "2025-02-30"
    faulty.at[2, "postcode"] = "ZZ9 0ZY"         # inward codes here never start with 0
    faulty.at[3, "dob"] = "2027-01-15"
    positions = sorted(rng.choice(np.arange(1, len(frame)), size=5, replace=False).tolist())
    pieces, previous = [], 0
    for k, position in enumerate(positions):
        pieces.append(frame.iloc[previous:position])
        # The last slot repeats the row just before it: the same registration exported twice.
        pieces.append(faulty.iloc[[k]] if k < len(faulty) else frame.iloc[[position - 1]])
        previous = position
    pieces.append(frame.iloc[previous:])
    return pd.concat(pieces, ignore_index=True)
