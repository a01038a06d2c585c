"""`report`: every measure of the data contract as at a date, as CSV, JSON or a table."""

from __future__ import annotations

import json
import textwrap

from cli.common import EXIT_OK, HelpFormatter, add_db_option, date_argument, print_table, write_csv
from data.store import opened


def run_report(args) -> int:
    from reach.domain.measures import Bands, ReportOptions
    from reach.queries.report import json_ready, reach_report

    options = ReportOptions(bands=Bands(outstanding=args.outstanding, good=args.good,
                                        requires_improvement=args.requires_improvement),
                            sustained_contacts=args.sustained_contacts)
    with opened(args.db, read_only=True) as con:
        if args.publish:
            # Protected together with every other level and table, so that this level published
            # beside any other lets no hidden count be worked out.
            from reach.queries.publication import published_figures
            frame = published_figures(con, as_at=args.as_at, options=options).tables[args.by]
        else:
            frame = reach_report(con, as_at=args.as_at, by=args.by, options=options)
    if args.format == "csv":
        out = frame.copy()
        for column in out.columns:
            if out[column].dtype == bool:
                out[column] = out[column].map({True: "true", False: "false"})
        write_csv(out)
    elif args.format == "json":
        print(json.dumps({"as_at": args.as_at.isoformat(), "by": args.by, "rows": json_ready(frame)}, indent=2))
    else:
        print_table(frame)
    return EXIT_OK


def add_report_parser(commands) -> None:
    p = commands.add_parser(
        "report", formatter_class=HelpFormatter, help="the reach figures as at a date",
        description="Every measure of the data contract as at a date, per centre (default), per LSOA, or for the whole authority.",
        epilog=textwrap.dedent("""\
            examples:
              python -m reach report --as-at 2026-09-30
              python -m reach report --as-at 2026-09-30 --by lsoa --format csv > lsoas.csv
              python -m reach report --as-at 2026-09-30 --format json --publish"""),
    )
    p.add_argument("--as-at", type=date_argument, required=True, metavar="DATE")
    p.add_argument("--by", choices=("centre", "lsoa", "authority"), default="centre")
    p.add_argument("--format", choices=("csv", "json", "table"), default="csv")
    p.add_argument("--publish", action="store_true",
                   help="suppress counts of 1 to 4 (and what would reveal them) for publication")
    p.add_argument("--outstanding", type=float, default=97.0, metavar="PCT", help="band threshold (default 97)")
    p.add_argument("--good", type=float, default=65.0, metavar="PCT", help="band threshold (default 65)")
    p.add_argument("--requires-improvement", type=float, default=51.0, metavar="PCT", help="band threshold (default 51)")
    p.add_argument("--sustained-contacts", type=int, default=3, metavar="N",
                   help="contacts in 12 months that count as sustained (default 3)")
    add_db_option(p)
    p.set_defaults(func=run_report)
