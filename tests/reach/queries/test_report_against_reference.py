"""The report against a second, independent reading of docs/definitions.md, on random stores.

`reference_report` below is written from the definitions in plain Python, row by row, sharing no
code with `reach/queries/report.py` (which works in DuckDB SQL). Random stores are made small and dense
so that the edges meet often: fifth birthdays near the date, children born on 29 February,
children who move, two registrations on one day, birth records shared twice, months with and
without birth counts, LSOAs with no population estimate, contacts exactly a year before.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import date, timedelta

import pytest

from data.store import connect
from reach.queries.report import reach_report

LSOAS = [f"E01{n:06d}" for n in range(1, 9)]
OUTSIDE = "E01000099"
CENTRES = ["C1", "C2", "C3"]
AREAS = {lsoa: CENTRES[i % 3] for i, lsoa in enumerate(LSOAS[:7])}   # LSOAS[7] is in no area


def _fifth_birthday(dob: date) -> date:
    return date(dob.year + 5, 3, 1) if (dob.month, dob.day) == (2, 29) else dob.replace(year=dob.year + 5)


def _under_five(dob: date, on: date) -> bool:
    return dob <= on < _fifth_birthday(dob)


def _year_before(day: date) -> date:
    """D minus one year; 29 February goes back to 28 February (as SQL date arithmetic does)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return date(day.year - 1, 2, 28)


def _month(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def reference_report(store: dict, as_at: date) -> dict[str, dict]:
    """Every measure per centre, as docs/definitions.md words them."""
    # Known: the latest registration on or before D (ties: later import, then higher centre).
    latest = {}
    for r in store["registrations"]:
        if r["registered_on"] <= as_at:
            rank = (r["registered_on"], r["import_id"], r["centre_id"])
            if r["child_key"] not in latest or rank > latest[r["child_key"]][0]:
                latest[r["child_key"]] = (rank, r)
    known = {k: r for k, (_, r) in latest.items() if _under_five(r["dob"], as_at)}
    registered_by_d = set(latest)

    # Unmatched: the latest birth record received on or before D, not registered by D.
    record = {}
    for b in store["births"]:
        if b["received_on"] <= as_at:
            rank = (b["received_on"], b["import_id"])
            if b["child_key"] not in record or rank > record[b["child_key"]][0]:
                record[b["child_key"]] = (rank, b)
    unmatched = {k: b for k, (_, b) in record.items()
                 if k not in registered_by_d and _under_five(b["dob"], as_at)}

    # Denominator per LSOA.
    seen = defaultdict(int)
    for r in list(known.values()) + list(unmatched.values()):
        seen[r["lsoa_code"]] += 1
    under5, flagged = {}, {}
    for lsoa in AREAS:
        estimates = [(p["period"], p["children_0_4"]) for p in store["population"] if p["lsoa_code"] == lsoa]
        usable = [e for e in estimates if e[0] <= as_at]
        if usable:
            under5[lsoa], flagged[lsoa] = max(usable)[1], False
        elif estimates:
            under5[lsoa], flagged[lsoa] = min(estimates)[1], True
        else:
            under5[lsoa], flagged[lsoa] = seen[lsoa], True

    decile = {}
    for d in sorted(store["deprivation"], key=lambda d: d["edition"]):
        decile[d["lsoa_code"]] = d["idaci_decile"]

    contacts = defaultdict(int)
    start = _year_before(as_at)
    for c in store["contacts"]:
        if start < c["contact_on"] <= as_at:
            contacts[c["child_key"]] += 1

    window = [_add_months(_month(as_at), -k) for k in range(12, 0, -1)]
    # Each child's latest birth record (births only; ties: the later import), whenever received.
    latest_birth_record = {}
    for b in store["births"]:
        if b["event"] == "birth":
            latest = latest_birth_record.get(b["child_key"])
            if latest is None or (b["received_on"], b["import_id"]) > (latest["received_on"], latest["import_id"]):
                latest_birth_record[b["child_key"]] = b

    out = {}
    for centre in CENTRES:
        lsoas = [lsoa for lsoa, c in AREAS.items() if c == centre]
        u = sum(under5[lsoa] for lsoa in lsoas)
        k = [r for r in known.values() if r["lsoa_code"] in lsoas]
        deprived = [lsoa for lsoa in lsoas if decile.get(lsoa, 99) <= 3]
        du = sum(under5[lsoa] for lsoa in deprived)
        dk = sum(1 for r in k if r["lsoa_code"] in deprived)
        sustained = sum(1 for r in k if contacts[r["child_key"]] >= 3)
        births = 0
        for month in window:
            centre_count = [c["births"] for c in store["birth_counts"]
                            if c["area_type"] == "centre" and c["area_code"] == centre and c["month"] == month]
            lsoa_counts = [c["births"] for c in store["birth_counts"]
                           if c["area_type"] == "lsoa" and c["area_code"] in lsoas and c["month"] == month]
            if centre_count:
                births += centre_count[0]
            elif lsoa_counts:
                births += sum(lsoa_counts)
            else:
                births += sum(1 for b in latest_birth_record.values()
                              if b["lsoa_code"] in lsoas and _month(b["dob"]) == month)
        newborns = sum(1 for r in k if window[0] <= r["dob"] < _add_months(window[-1], 1))
        received = [b["received_on"] for b in store["births"] if b["lsoa_code"] in lsoas and b["received_on"] <= as_at]
        received += [c["received_on"] for c in store["birth_counts"] if c["received_on"] <= as_at and (
            (c["area_type"] == "lsoa" and c["area_code"] in lsoas)
            or (c["area_type"] == "centre" and c["area_code"] == centre))]
        reach = 100 * len(k) / u if u else None
        out[centre] = dict(
            children_under5=u, known_children=len(k), reach_pct=reach,
            families_to_find=max(0, math.ceil(round(0.97 * u, 9)) - len(k)),
            unmatched_births=sum(1 for b in unmatched.values() if b["lsoa_code"] in lsoas),
            sustained_contact=sustained, sustained_pct=100 * sustained / u if u else None,
            deprived_under5=du, deprived_known=dk, deprived_reach_pct=100 * dk / du if du else None,
            births_12m=births, newborns_known_12m=newborns,
            newborn_reach_pct=100 * newborns / births if births else None,
            birth_data_lag_days=(as_at - max(received)).days if received else None,
            denominator_flagged=any(flagged[lsoa] for lsoa in lsoas) or (reach is not None and reach > 100),
        )
    return out


def random_store(seed: int) -> dict:
    rng = random.Random(seed)
    day = lambda lo, hi: lo + timedelta(days=rng.randrange((hi - lo).days + 1))
    hi = date(2025, 12, 31)   # the last day anything happens
    children = [f"k{n}" for n in range(60)]
    dobs = {}
    for child in children:
        dobs[child] = date(2020, 2, 29) if rng.random() < 0.05 else day(date(2019, 1, 1), date(2025, 6, 30))
    lsoa = lambda: rng.choice(LSOAS + [OUTSIDE])
    registrations, seen = [], set()
    for child in children:
        for _ in range(rng.choice([0, 1, 1, 1, 2, 3])):
            on = day(dobs[child], min(hi, dobs[child] + timedelta(days=900)))
            centre = rng.choice(CENTRES)
            if (child, centre, on) in seen:
                continue
            seen.add((child, centre, on))
            registrations.append(dict(child_key=child, dob=dobs[child], lsoa_code=lsoa(), centre_id=centre,
                                      registered_on=on, family_key=f"f{rng.randrange(30)}",
                                      import_id=rng.randrange(1, 4)))
    births, seen = [], set()
    for child in children:
        for _ in range(rng.choice([0, 1, 1, 2])):
            received = day(dobs[child], min(hi, dobs[child] + timedelta(days=200)))
            import_id = rng.randrange(1, 4)
            if (child, received, import_id) in seen:
                continue
            seen.add((child, received, import_id))
            births.append(dict(child_key=child, dob=dobs[child], lsoa_code=lsoa(), received_on=received,
                               event=rng.choice(["birth", "birth", "arrival"]), import_id=import_id))
            if rng.random() < 0.15 and import_id < 3:     # sent again the same day, elsewhere
                births.append(dict(births[-1], lsoa_code=lsoa(), import_id=import_id + 1))
                seen.add((child, received, import_id + 1))
    population = []
    for code in LSOAS:
        for period in rng.sample([date(2021, 6, 30), date(2022, 6, 30), date(2023, 6, 30), date(2024, 6, 30)],
                                 k=rng.choice([0, 1, 2, 3])):
            population.append(dict(lsoa_code=code, period=period, children_0_4=rng.randrange(0, 30)))
    deprivation = [dict(lsoa_code=code, edition=edition, idaci_decile=rng.randrange(1, 11))
                   for code in LSOAS for edition in (2015, 2019) if rng.random() < 0.8]
    counts, seen = [], set()
    for _ in range(25):
        area_type = rng.choice(["lsoa", "lsoa", "centre"])
        code = rng.choice(LSOAS) if area_type == "lsoa" else rng.choice(CENTRES)
        month = _month(day(date(2023, 1, 1), date(2025, 12, 31)))
        if (area_type, code, month) in seen:
            continue
        seen.add((area_type, code, month))
        counts.append(dict(area_type=area_type, area_code=code, month=month, births=rng.randrange(0, 6),
                           received_on=_add_months(month, 1) + timedelta(days=rng.randrange(40))))
    contacts, seen = [], set()
    for _ in range(200):
        child, on = rng.choice(children), day(date(2022, 1, 1), hi)
        if rng.random() < 0.1:
            on = date(2024, 6, 15)
        if (child, on) in seen:
            continue
        seen.add((child, on))
        contacts.append(dict(child_key=child, contact_on=on, centre_id="", activity="", import_id=1))
    return dict(registrations=registrations, births=births, population=population, deprivation=deprivation,
                birth_counts=counts, contacts=contacts)


def _write(con, store: dict) -> None:
    con.executemany("INSERT INTO reach_areas (lsoa_code, centre_id) VALUES (?, ?)", list(AREAS.items()))
    con.executemany("INSERT INTO centres (centre_id, name) VALUES (?, ?)", [(c, f"Centre {c}") for c in CENTRES])
    for table, rows in store.items():
        if rows:
            columns = list(rows[0])
            con.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                            [[row[c] for c in columns] for row in rows])


AS_AT_DATES = [date(2024, 6, 15), date(2025, 3, 1), date(2024, 2, 29), date(2025, 12, 31), date(2023, 9, 30)]


@pytest.mark.parametrize("seed", range(12))
def test_report_equals_the_reference_reading_of_the_definitions(tmp_path, seed):
    store = random_store(seed)
    con = connect(tmp_path / f"random{seed}.duckdb")
    _write(con, store)
    for as_at in AS_AT_DATES:
        expected = reference_report(store, as_at)
        report = reach_report(con, as_at=as_at).set_index("centre_id")
        for centre, want in expected.items():
            got = report.loc[centre]
            for column, value in want.items():
                if value is None:
                    assert got[column] is None or got[column] != got[column] or str(got[column]) == "<NA>", \
                        (seed, as_at, centre, column, got[column])
                elif isinstance(value, float):
                    assert float(got[column]) == pytest.approx(value, abs=1e-9), (seed, as_at, centre, column)
                else:
                    assert got[column] == value, (seed, as_at, centre, column, got[column], value)
    con.close()


def test_a_child_recorded_twice_on_one_day_is_counted_where_the_later_import_puts_it(tmp_path):
    # Extracts received the same day place one child in different LSOAs, with different dates of
    # birth (the earlier ones before the 12 months, the last within them): the births of the last
    # 12 months take both from the latest import, never the LSOA of one record and the date of
    # birth of another.
    first, second = LSOAS[0], LSOAS[4]
    store = dict(registrations=[], population=[], deprivation=[], birth_counts=[], contacts=[], births=[
        dict(child_key="k1", dob=date(2024, 11, 20), lsoa_code=first, received_on=date(2025, 7, 1),
             event="birth", import_id=2),
        dict(child_key="k1", dob=date(2025, 5, 30), lsoa_code=second, received_on=date(2025, 7, 1),
             event="birth", import_id=5),
        dict(child_key="k1", dob=date(2024, 11, 20), lsoa_code=first, received_on=date(2025, 7, 1),
             event="birth", import_id=3),
    ])
    con = connect(tmp_path / "twice.duckdb")
    _write(con, store)
    report = reach_report(con, as_at=date(2025, 12, 31)).set_index("centre_id")
    con.close()
    expected = reference_report(store, date(2025, 12, 31))
    assert {centre: int(report.loc[centre, "births_12m"]) for centre in CENTRES} == \
        {centre: expected[centre]["births_12m"] for centre in CENTRES}
    assert int(report.loc[AREAS[second], "births_12m"]) == 1
    assert int(report["births_12m"].sum()) == 1
