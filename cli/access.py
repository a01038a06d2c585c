"""`access`: how far each reach-area LSOA is from the nearest site, or the authority's shares of
under-fives beyond 1, 2 and 3 km, as CSV, JSON or a table."""

from __future__ import annotations

import sys
import textwrap

from cli.common import EXIT_OK, add_command, date_argument
from cli.report import write_figures
from data.store import opened
from reach.presentation.wording import reword


def left_out_note(*, sites: tuple[str, ...], lsoas: tuple[str, ...], stream=None) -> None:
    """One line on stderr for each kind of place left out for want of a point, naming the first
    few (so stdout keeps only the figures)."""
    from reach.presentation.access_words import left_out_words
    from reach.presentation.safe_text import terminal_text

    for line in left_out_words(sites=sites, lsoas=lsoas):
        print(terminal_text(line), file=stream or sys.stderr)


def run_access(args) -> int:
    from reach.queries.access import AUTHORITY_COLUMNS, LSOA_COLUMNS, access_figures

    with opened(args.db, read_only=True) as con:
        figures = access_figures(con, as_at=args.as_at)
    if args.by == "authority":
        frame = figures.authority[AUTHORITY_COLUMNS]
    else:
        frame = figures.lsoas[LSOA_COLUMNS]
        if args.format == "table":
            frame = frame.assign(distance_km=frame["distance_km"].map(
                lambda km: "–" if km != km else f"{km:,.2f}"))
    left_out_note(sites=figures.sites_without_point, lsoas=figures.lsoas_without_point)
    if figures.lsoas.empty:
        print(reword("No LSOA is in a reach area yet: load the centres and a reach-areas file first."), file=sys.stderr)
    write_figures(frame.reset_index(drop=True), args.format, {"as_at": args.as_at.isoformat(), "by": args.by})
    return EXIT_OK


def add_access_parser(commands) -> None:
    p = add_command(
        commands, "access", run=run_access, help="distance from each LSOA to the nearest site",
        description="How far each LSOA in a reach area is from the nearest site, in km (great-circle "
                    "distance between the LSOA's population-weighted centroid, or a point inside it, and "
                    "the site's position); with --by authority, the shares of under-fives, and of those in "
                    "the most deprived LSOAs (IDACI deciles 1 to 3), living more than 1, 2 and 3 km from "
                    "the nearest site. Sites and LSOAs with no position are named on stderr and left out.",
        epilog=textwrap.dedent("""\
            examples:
              python -m reach access --as-at 2026-09-30 --format table
              python -m reach access --as-at 2026-09-30 --format csv > distances.csv
              python -m reach access --as-at 2026-09-30 --by authority --format json"""),
    )
    p.add_argument("--as-at", type=date_argument, required=True, metavar="DATE")
    p.add_argument("--by", choices=("lsoa", "authority"), default="lsoa",
                   help="one row per LSOA (default), or the authority's shares beyond 1, 2 and 3 km")
    p.add_argument("--format", choices=("csv", "json", "table"), default="csv")
