"""`trend`: every measure of `report` at each month-end up to a date, `as_at` first."""

from __future__ import annotations

import argparse
import sys
import textwrap
import time

from cli.common import EXIT_OK, add_command, date_argument
from cli.report import add_option_arguments, report_options, write_figures
from data.store import opened

MOST_MONTHS = 600      # fifty years: more is a typing slip


def months_argument(text: str) -> int:
    """--months: a whole number of months from 1 to MOST_MONTHS."""
    try:
        months = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of months, such as 36; got {text!r}") from None
    if not 1 <= months <= MOST_MONTHS:
        raise argparse.ArgumentTypeError(f"expected from 1 to {MOST_MONTHS} months; got {months}")
    return months


# A trend slower than this, worked out without the children's spells kept, says how to keep them.
SLOW_SECONDS = 3.0


def run_trend(args) -> int:
    from reach.domain.months import month_ends
    from reach.queries.report import reach_trend
    from reach.queries.stamps import figures_stamp
    from reach.queries.trend import spells_kept

    options = report_options(args)
    dates = month_ends(until=args.until, months=args.months)
    started = time.perf_counter()
    with opened(args.db, read_only=True) as con:
        frame = reach_trend(con, dates=dates, by=args.by, options=options)
        seconds = time.perf_counter() - started
        # Asked only of a slow trend: a quick one has nothing to say.
        slow_without_spells = seconds > SLOW_SECONDS and not spells_kept(con, stamp=figures_stamp(con),
                                                                          options=options)
    write_figures(frame, args.format, {"from": dates[0].isoformat(), "until": args.until.isoformat(),
                                       "months": args.months, "by": args.by})
    if slow_without_spells:
        # The figures step keeps them after every import, unless it was left out (--no-figures)
        # or is still under way in the background.
        print(f"The trend took {seconds:.1f} s, working out each child's spells afresh: they are not kept for "
              "this data yet (files loaded with --no-figures, or the figures still being stored in the "
              "background?). `python -m reach figures` keeps them, and every trend after reads them instead.",
              file=sys.stderr)
    return EXIT_OK


def add_trend_parser(commands) -> None:
    p = add_command(
        commands, "trend", run=run_trend, help="the reach figures month by month",
        description="The measures of `report` at the end of each month up to a date (the last point is the "
                    "date itself), one row per date and centre (default), LSOA, or for the whole authority, "
                    "with as_at first. Known families are not counted month by month.",
        epilog=textwrap.dedent("""\
            examples:
              python -m reach trend --until 2026-09-30 --months 36
              python -m reach trend --until 2026-09-30 --months 12 --by authority --format table
              python -m reach trend --until 2026-09-30 --months 24 --by lsoa --format csv > lsoas.csv"""),
    )
    p.add_argument("--until", type=date_argument, required=True, metavar="DATE",
                   help="the last date of the trend")
    p.add_argument("--months", type=months_argument, default=12, metavar="N",
                   help="how many months, the last one being --until's (default 12)")
    p.add_argument("--by", choices=("centre", "lsoa", "authority"), default="centre")
    p.add_argument("--format", choices=("csv", "json", "table"), default="csv")
    add_option_arguments(p)
