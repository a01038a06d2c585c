"""The command line end to end, as a data officer would use it, in a separate process.

The report is checked against a small independent implementation of docs/definitions.md written
here in plain Python, on Trafford's real published files plus synthetic registrations, births and
contacts placed by real Trafford postcodes.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import random
import subprocess
import sys
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
AS_AT = date(2026, 9, 30)


def reach_cli(*args, db: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    result = subprocess.run([sys.executable, "-m", "reach", *map(str, args), "--db", str(db)],
                            cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"reach {' '.join(map(str, args))} failed ({result.returncode}):\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


def _write_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _nhs_number(rng: random.Random) -> str:
    while True:
        nine = [rng.randrange(10) for _ in range(9)]
        check = 11 - sum((10 - i) * d for i, d in enumerate(nine)) % 11
        check = 0 if check == 11 else check
        if check != 10:
            return "".join(map(str, nine)) + str(check)


def _fifth_birthday(dob: date) -> date:
    return date(dob.year + 5, 3, 1) if (dob.month, dob.day) == (2, 29) else dob.replace(year=dob.year + 5)


def _under_five(dob: date, on: date) -> bool:
    return dob <= on < _fifth_birthday(dob)


# --- an independent implementation of the core measures of docs/definitions.md -------------

def reference_report(*, areas, population, registrations, births, contacts, as_at):
    """Per centre: under five, known, reach %, families to find, unmatched, sustained."""
    lsoa_centre = dict(areas)
    under5 = defaultdict(int)
    for lsoa, estimates in population.items():
        if lsoa in lsoa_centre:
            usable = [(p, n) for p, n in estimates if p <= as_at]
            under5[lsoa_centre[lsoa]] += max(usable)[1] if usable else min(estimates)[1]
    latest = {}
    for r in sorted(registrations, key=lambda r: r["registered_on"]):
        if r["registered_on"] <= as_at:
            latest[r["child"]] = r
    known = defaultdict(set)
    for child, r in latest.items():
        if _under_five(r["dob"], as_at) and r["lsoa"] in lsoa_centre:
            known[lsoa_centre[r["lsoa"]]].add(child)
    registered = {r["child"] for r in registrations if r["registered_on"] <= as_at}
    unmatched = defaultdict(set)
    for b in births:
        if b["received_on"] <= as_at and b["child"] not in registered and _under_five(b["dob"], as_at) \
                and b["lsoa"] in lsoa_centre:
            unmatched[lsoa_centre[b["lsoa"]]].add(b["child"])
    window = defaultdict(int)
    for c in contacts:
        if as_at - timedelta(days=365) < c["on"] <= as_at:
            window[c["child"]] += 1
    out = {}
    for centre in set(lsoa_centre.values()):
        k = len(known[centre])
        u = under5[centre]
        out[centre] = dict(
            children_under5=u, known_children=k, reach_pct=100 * k / u if u else None,
            families_to_find=max(0, math.ceil(round(0.97 * u, 9)) - k),
            unmatched_births=len(unmatched[centre]),
            sustained_contact=sum(1 for child in known[centre] if window[child] >= 3),
        )
    return out


@pytest.fixture(scope="module")
def trafford_store(tmp_path_factory, trafford):
    os.environ["REACH_SECRET"] = "test-secret-not-for-real-data-0123456789"
    folder = tmp_path_factory.mktemp("trafford")
    db = folder / "trafford.duckdb"
    rng = random.Random(11)

    postcodes = list(csv.DictReader((trafford / "lookups" / "trafford_postcodes.csv").open()))
    lsoas = sorted({p["lsoa_code"] for p in postcodes})
    # Two centres: the real ones. Each LSOA goes to the nearer centre (by postcode centroids).
    centres = list(csv.DictReader((trafford / "childrens_centres" / "trafford_childrens_centres.csv").open()))
    spots = {c["unique_reference_number"]: (float(c["lon"]), float(c["lat"])) for c in centres}
    centroid = defaultdict(list)
    for p in postcodes:
        centroid[p["lsoa_code"]].append((float(p["lon"]), float(p["lat"])))
    areas = []
    for lsoa in lsoas:
        lon = sum(x for x, _ in centroid[lsoa]) / len(centroid[lsoa])
        lat = sum(y for _, y in centroid[lsoa]) / len(centroid[lsoa])
        nearest = min(spots, key=lambda c: (spots[c][0] - lon) ** 2 + (spots[c][1] - lat) ** 2)
        areas.append((lsoa, nearest))
    areas_file = _write_csv(folder / "reach_areas.csv", [{"lsoa_code": lsoa, "centre_id": c} for lsoa, c in areas])

    by_lsoa = defaultdict(list)
    for p in postcodes:
        by_lsoa[p["lsoa_code"]].append(p["postcode"])
    registrations, births, contacts = [], [], []
    reg_rows, birth_rows, contact_rows = [], [], []
    for _ in range(2500):
        nhs = _nhs_number(rng)
        dob = date(2021, 6, 1) + timedelta(days=rng.randrange(0, 1950))
        lsoa = rng.choice(lsoas)
        postcode = rng.choice(by_lsoa[lsoa])
        received = dob + timedelta(days=rng.randrange(20, 120))
        births.append(dict(child=nhs, dob=dob, lsoa=lsoa, received_on=received))
        birth_rows.append(dict(nhs_number=nhs, dob=dob.isoformat(), postcode=postcode.lower().replace(" ", ""),
                               received_on=received.isoformat()))
        if rng.random() < 0.8:
            on = received + timedelta(days=rng.randrange(0, 200))
            registrations.append(dict(child=nhs, dob=dob, lsoa=lsoa, registered_on=on))
            reg_rows.append(dict(nhs_number=nhs, dob=dob.isoformat(), postcode=postcode, centre_id=areas[0][1],
                                 registered_on=on.isoformat()))
            if rng.random() < 0.1:   # moved within Trafford
                new_lsoa = rng.choice(lsoas)
                moved_on = on + timedelta(days=rng.randrange(30, 400))
                registrations.append(dict(child=nhs, dob=dob, lsoa=new_lsoa, registered_on=moved_on))
                reg_rows.append(dict(nhs_number=nhs, dob=dob.isoformat(), postcode=rng.choice(by_lsoa[new_lsoa]),
                                     centre_id=areas[1][1], registered_on=moved_on.isoformat()))
            for _ in range(rng.randrange(0, 6)):
                seen = on + timedelta(days=rng.randrange(0, 900))
                contacts.append(dict(child=nhs, on=seen))
                contact_rows.append(dict(nhs_number=nhs, contact_on=seen.isoformat(),
                                         activity=f"session {len(contact_rows)}"))

    population = defaultdict(list)
    for name in ("mid-year_2022_population_estimates_lsoa.csv", "mid-year_2024_population_estimates_lsoa.csv"):
        rows = list(csv.DictReader((trafford / "population" / name).open()))
        for row in rows:
            if row["sex"] == "Persons":
                population[row["area_code"]].append(
                    (date.fromisoformat(row["period"]), sum(int(row[str(a)]) for a in range(5))))

    files = {
        "boundaries": trafford / "boundaries" / "trafford_lsoa21_super_generalised.geojson",
        "centres": trafford / "childrens_centres" / "trafford_childrens_centres.csv",
        "postcodes": trafford / "lookups" / "trafford_postcodes.csv",
        "reach-areas": areas_file,
        "population": [trafford / "population" / "mid-year_2022_population_estimates_lsoa.csv",
                       trafford / "population" / "mid-year_2024_population_estimates_lsoa.csv"],
        "deprivation": trafford / "deprivation" / "trafford_IoD.csv",
        "births": _write_csv(folder / "births.csv", birth_rows),
        "registrations": _write_csv(folder / "registrations.csv", reg_rows),
        "contacts": _write_csv(folder / "contacts.csv", contact_rows),
    }
    for kind, paths in files.items():
        for path in paths if isinstance(paths, list) else [paths]:
            reach_cli("import", kind, path, db=db)
    expected = reference_report(areas=areas, population=population, registrations=registrations,
                                births=births, contacts=contacts, as_at=AS_AT)
    return db, expected, files


def test_trafford_report_matches_an_independent_implementation(trafford_store):
    db, expected, _ = trafford_store
    result = reach_cli("report", "--as-at", AS_AT, "--format", "csv", db=db)
    rows = {row["centre_id"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    assert set(rows) == set(expected) == {"22329", "22963"}
    for centre, want in expected.items():
        got = rows[centre]
        for column in ("children_under5", "known_children", "families_to_find", "unmatched_births",
                       "sustained_contact"):
            assert int(got[column]) == want[column], (centre, column)
        assert float(got["reach_pct"]) == pytest.approx(want["reach_pct"], abs=0.05)
        assert got["denominator_flagged"] in ("true", "false")


def test_repeating_every_import_changes_nothing(trafford_store):
    db, _, files = trafford_store
    before = reach_cli("report", "--as-at", AS_AT, "--format", "csv", db=db).stdout
    again = reach_cli("import", "registrations", files["registrations"], db=db)
    assert "nothing changed" in again.stdout
    assert reach_cli("report", "--as-at", AS_AT, "--format", "csv", db=db).stdout == before


def test_a_file_missing_a_column_is_refused_and_changes_nothing(trafford_store, tmp_path):
    db, _, _ = trafford_store
    before = reach_cli("report", "--as-at", AS_AT, "--format", "csv", db=db).stdout
    bad = _write_csv(tmp_path / "registrations_bad.csv", [{"nhs_number": "9434765919", "dob": "2024-01-01",
                                                          "lsoa_code": "E01006104", "centre_id": "22329"}])
    result = reach_cli("import", "registrations", bad, db=db, check=False)
    assert result.returncode == 2
    assert "registrations_bad.csv" in result.stderr and "registered_on" in result.stderr
    junk = tmp_path / "births_junk.csv"
    junk.write_bytes(bytes(range(256)) * 40)
    result = reach_cli("import", "births", junk, db=db, check=False)
    assert result.returncode == 2 and "births_junk.csv" in result.stderr
    assert reach_cli("report", "--as-at", AS_AT, "--format", "csv", db=db).stdout == before


def test_bad_rows_are_quarantined_and_listed(trafford_store, tmp_path):
    db, _, _ = trafford_store
    rows = [
        dict(nhs_number="9434765918", dob="2024-01-01", lsoa_code="E01006104", received_on="2026-01-01"),  # checksum
        dict(nhs_number="9434765919", dob="2024-02-30", lsoa_code="E01006104", received_on="2026-01-01"),  # date
        dict(nhs_number="4010232137", dob="2024-03-01", lsoa_code="E01006104", received_on="2026-01-01"),  # good
    ]
    result = reach_cli("import", "births", _write_csv(tmp_path / "births_faults.csv", rows), db=db)
    assert "1 row" in result.stdout and "2 quarantined" in result.stdout
    listing = reach_cli("quarantine", "--format", "csv", db=db).stdout
    quarantined = [r for r in csv.DictReader(io.StringIO(listing)) if r["file_name"] == "births_faults.csv"]
    assert sorted(int(r["row_number"]) for r in quarantined) == [1, 2]
    assert "9434765918" not in listing   # NHS numbers are masked even in the quarantine


def test_report_formats_and_levels(trafford_store):
    db, expected, _ = trafford_store
    data = json.loads(reach_cli("report", "--as-at", AS_AT, "--format", "json", db=db).stdout)
    assert {row["centre_id"] for row in data["rows"]} == set(expected)
    lsoas = list(csv.DictReader(io.StringIO(
        reach_cli("report", "--as-at", AS_AT, "--by", "lsoa", "--format", "csv", db=db).stdout)))
    assert len(lsoas) == 139 and {"lsoa_code", "centre_id", "reach_pct"} <= set(lsoas[0])
    assert sum(int(r["known_children"]) for r in lsoas) == sum(e["known_children"] for e in expected.values())
    table = reach_cli("report", "--as-at", AS_AT, "--format", "table", db=db).stdout
    assert "Partington Children's Centre" in table


def test_help_lists_examples_for_every_command(tmp_path):
    for command in ("import", "report", "quarantine", "demo", "whatif"):
        result = subprocess.run([sys.executable, "-m", "reach", command, "--help"], cwd=PROJECT,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert "example" in result.stdout.lower(), command


def test_report_on_a_missing_database_says_what_to_do(tmp_path):
    result = reach_cli("report", "--as-at", AS_AT, db=tmp_path / "none.duckdb", check=False)
    assert result.returncode == 2
    assert "python -m reach demo" in result.stderr


def test_the_command_line_offers_exactly_the_importers_kinds():
    """One list of kinds: `import`, `quarantine --kind` and the help all read the importers' KINDS."""
    from cli.main import build_parser
    from data.importers import KINDS

    commands = next(a for a in build_parser()._subparsers._group_actions if a.dest == "command").choices
    kind = next(a for a in commands["import"]._actions if a.dest == "kind")
    assert tuple(kind.choices) == KINDS
    quarantine_kind = next(a for a in commands["quarantine"]._actions if a.dest == "kind")
    assert tuple(quarantine_kind.choices) == KINDS
    listed = [line.split()[0] for line in commands["import"].epilog.splitlines()
              if line.startswith("  ") and not line.startswith("   ") and "python -m reach" not in line]
    assert listed == list(KINDS)


def test_the_report_defaults_are_the_domains():
    from cli.main import build_parser
    from reach.domain.measures import DEFAULT_SUSTAINED_CONTACTS, Bands

    args = build_parser().parse_args(["report", "--as-at", "2026-09-30"])
    standard = Bands()
    assert (args.outstanding, args.good, args.requires_improvement, args.sustained_contacts) == (
        standard.outstanding, standard.good, standard.requires_improvement, DEFAULT_SUSTAINED_CONTACTS)
    assert build_parser().parse_args(["whatif"]).outstanding == standard.outstanding
