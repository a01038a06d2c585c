"""`outcomes`: the good level of development at five by site, LSOA or the whole authority, and
assessment year, as CSV, JSON or a table."""

from __future__ import annotations

import sys
import textwrap

from cli.common import EXIT_OK, InputFault, add_command
from cli.report import write_figures
from data.store import opened


def run_outcomes(args) -> int:
    from data.settings import checked_gld_target
    from reach.queries.outcomes import gld_target, outcomes, outcomes_for_publication

    if args.target is not None:
        try:
            checked_gld_target(args.target)
        except ValueError as error:
            raise InputFault(f"--target: {error}") from None
    with opened(args.db, read_only=True) as con:
        target = args.target if args.target is not None else gld_target(con)
        if args.publish:
            frame = outcomes_for_publication(con, by=args.by, year=args.year, target_pct=target)
        else:
            frame = outcomes(con, by=args.by, year=args.year, target_pct=target)
    if frame.empty:
        print("No results at five are loaded" + (f" for {args.year}" if args.year else "")
              + ": import an eyfsp or gld-counts file first.", file=sys.stderr)
    heading = {"by": args.by, "year": args.year, "target_pct": target, "published": bool(args.publish)}
    if args.format == "table":
        frame = _readable(frame)
    write_figures(frame, args.format, heading)
    return EXIT_OK


def _readable(frame):
    """The years as years (not counts) and the interval as percentages, for a printed table."""
    from reach.presentation.format import percent

    return frame.assign(assessment_year=frame["assessment_year"].astype(str),
                        **{column: frame[column].map(lambda v: v if isinstance(v, str) else percent(v))
                           for column in ("gld_low", "gld_high")},
                        fsm_gap_points=frame["fsm_gap_points"].map(
                            lambda v: v if isinstance(v, str) else "–" if v != v else f"{v:,.1f} points"))


def add_outcomes_parser(commands) -> None:
    p = add_command(
        commands, "outcomes", run=run_outcomes,
        help="the good level of development at five, by site, LSOA or authority",
        description=textwrap.dedent("""\
            The share of children with a good level of development at the end of the reception
            year (from the EYFSP results, or GLD counts where only counts were shared), with its
            95% interval and the target; the gap between children not eligible and eligible for
            free school meals; and the share among the children known to a site before their
            second birthday and among the other children known to a site. One row per area and
            assessment year (the year the school year ends: 2025 for 2024/25). The last is an
            association, not proof that knowing a family early made the difference."""),
        epilog=textwrap.dedent("""\
            examples:
              python -m reach outcomes --format table
              python -m reach outcomes --year 2025 --by lsoa --format csv > gld_by_lsoa.csv
              python -m reach outcomes --by authority --target 70 --format json
              python -m reach outcomes --publish --format csv > gld_for_publication.csv"""),
    )
    p.add_argument("--year", type=int, metavar="Y",
                   help="one assessment year, the year the school year ends (2025 for 2024/25)")
    p.add_argument("--by", choices=("centre", "lsoa", "authority"), default="centre")
    p.add_argument("--target", type=float, metavar="PCT",
                   help="the GLD target for this run (default: the database's setting, else 75)")
    p.add_argument("--format", choices=("csv", "json", "table"), default="csv")
    p.add_argument("--publish", action="store_true",
                   help="suppress counts of 1 to 4 (and what would reveal them) for publication")
