"""`sites`: the site finder. Where N new sites would bring the most children within a distance
of a site: the under-fives not yet known, or those in the most deprived LSOAs."""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import re
import sys
import textwrap
from pathlib import Path

from cli.access import left_out_note
from cli.common import EXIT_OK, InputFault, add_command, date_argument, print_table
from data.store import opened

_LSOA_CODE = re.compile(r"E01\d{6}")
# A list of candidates is a few thousand codes at most; a larger file is not one.
_MOST_CANDIDATE_BYTES = 10 * 1024 * 1024
_CODE_HEADINGS = ("lsoa_code", "lsoa21cd", "lsoa11cd", "area_code")


def radius_argument(text: str) -> float:
    """--radius-km: a distance in km above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a distance in km, such as 1.5; got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a distance in km above 0; got {text!r}")
    return value


def new_sites_argument(text: str) -> int:
    """--new: how many new sites, a whole number of 1 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of sites, such as 3; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more new sites; got {value}")
    return value


def candidate_codes(given: str) -> list[str]:
    """The LSOA codes --candidates names: a file (CSV with an `lsoa_code` column, or one code a
    line), or codes separated by commas or spaces."""
    path = Path(given)
    if path.is_file():
        return _codes_in_file(path)
    codes = [part for part in re.split(r"[,\s]+", given.strip()) if part]
    bad = sum(1 for code in codes if not _LSOA_CODE.fullmatch(code.upper()))
    if not codes or bad:
        found = f"{_values_not_codes(bad)}; " if bad else ""
        raise InputFault(f"--candidates: {found}expected a file of LSOA codes, or LSOA codes (E01 followed "
                         f"by 6 digits) separated by commas")
    return [code.upper() for code in codes]


def _values_not_codes(bad: int) -> str:
    return "1 value given is not an LSOA code" if bad == 1 else f"{bad:,} values given are not LSOA codes"


def _codes_in_file(path: Path) -> list[str]:
    name = path.name
    if os.path.getsize(path) > _MOST_CANDIDATE_BYTES:
        raise InputFault(f"{name}: too large for a list of candidate LSOAs (expected at most 10 MB)")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        raise InputFault(f"{name}: could not be read as text (expected a CSV file of LSOA codes, UTF-8)") from None
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if not rows:
        raise InputFault(f"{name}: holds no LSOA codes (expected a column lsoa_code, or one code a line)")
    header = [cell.strip().lower() for cell in rows[0]]
    column = next((header.index(heading) for heading in _CODE_HEADINGS if heading in header), None)
    start = 1 if column is not None else 0
    column = column or 0
    codes = []
    for number, row in enumerate(rows[start:], start=start + 1):
        value = row[column].strip().upper() if column < len(row) else ""
        if not _LSOA_CODE.fullmatch(value):
            heading = rows[0][column].strip() if start else "the first column"
            raise InputFault(f"{name}: line {number:,}, {heading}: not an LSOA code "
                             f"(expected E01 followed by 6 digits)")
        codes.append(value)
    if not codes:
        raise InputFault(f"{name}: holds no LSOA codes under its header (expected one code a line)")
    return codes


def run_sites(args) -> int:
    from reach.presentation.access_words import candidates_left_out_words, site_choice_table, site_choice_words
    from reach.presentation.safe_text import terminal_text
    from reach.queries.access import CandidateError, find_sites

    candidates = candidate_codes(args.candidates) if args.candidates is not None else None
    with opened(args.db, read_only=True) as con:
        try:
            choice = find_sites(con, as_at=args.as_at, radius_km=args.radius_km, new=args.new,
                                people=args.people, candidates=candidates)
        except CandidateError as error:
            raise InputFault(f"--candidates: {error}") from None
    left_out_note(sites=choice.sites_without_point, lsoas=choice.lsoas_without_point)
    for line in candidates_left_out_words(choice.candidates_without_point):
        print(terminal_text(line), file=sys.stderr)
    if args.format == "json":
        print(json.dumps(choice.as_json(), indent=2))
    else:
        print(terminal_text(site_choice_words(
            method=choice.method, value=choice.value, beyond_now=choice.beyond_now, new=len(choice.sites),
            radius_km=choice.radius_km, people=choice.people, sets=choice.sets, exact_limit=choice.exact_limit)))
        if choice.sites:
            print_table(site_choice_table(sites=choice.sites, adds=choice.adds, names=choice.site_names))
    return EXIT_OK


def add_sites_parser(commands) -> None:
    p = add_command(
        commands, "sites", run=run_sites, help="where new sites would reach the most children",
        description="The site finder: the N LSOAs where new sites would bring the most children within "
                    "--radius-km of a site, counting the children in reach-area LSOAs now further than that "
                    "from every site. The children are the under-fives not yet known (default) or, with "
                    "--people deprived, the under-fives in the most deprived LSOAs (IDACI deciles 1 to 3). "
                    "Candidates are every reach-area LSOA unless --candidates names them. The best set is "
                    "found exactly when there are at most 2 million sets to try, otherwise one site at a "
                    "time (greedy); the answer says which. JSON: method, sites, value, adds.",
        epilog=textwrap.dedent("""\
            examples:
              python -m reach sites --as-at 2026-09-30 --radius-km 1.5 --new 2
              python -m reach sites --as-at 2026-09-30 --radius-km 1 --new 3 --people deprived --format table
              python -m reach sites --as-at 2026-09-30 --radius-km 2 --new 1 --candidates E01900052,E01900077
              python -m reach sites --as-at 2026-09-30 --radius-km 2 --new 2 --candidates candidates.csv"""),
    )
    p.add_argument("--as-at", type=date_argument, required=True, metavar="DATE")
    p.add_argument("--radius-km", type=radius_argument, required=True, metavar="KM",
                   help="the distance from a site that counts as within reach")
    p.add_argument("--new", type=new_sites_argument, required=True, metavar="N", help="how many new sites")
    p.add_argument("--people", choices=("unknown", "deprived"), default="unknown",
                   help="unknown: under-fives not yet known (default); deprived: under-fives in IDACI deciles 1-3")
    p.add_argument("--candidates", metavar="FILE_OR_CODES",
                   help="where a site could go: a CSV file with an lsoa_code column (or one code a line), "
                        "or codes separated by commas (default: every reach-area LSOA)")
    p.add_argument("--format", choices=("json", "table"), default="json")
