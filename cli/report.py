"""`report`: every measure defined in docs/definitions.md as at a date, as CSV, JSON or a table."""

from __future__ import annotations

import json
import textwrap

from cli.common import (EXIT_OK, InputFault, add_command, arguments_checked, date_argument, print_table,
                        use_site_words_of, write_csv)
from data.store import opened
from reach.domain.measures import DEFAULT_SUSTAINED_CONTACTS, Bands
from reach.domain.suppression import RULES


def report_options(args):
    """The bands and the sustained-contact threshold given on the command line."""
    from reach.domain.measures import ReportOptions

    with arguments_checked():     # thresholds out of order, say
        return ReportOptions(bands=Bands(outstanding=args.outstanding, good=args.good,
                                         requires_improvement=args.requires_improvement),
                             sustained_contacts=args.sustained_contacts)


def write_figures(frame, fmt: str, heading: dict) -> None:
    """Figures on stdout as CSV (flags as true/false), JSON (`heading`, then the rows) or a table."""
    from reach.queries.report import json_ready

    if fmt == "csv":
        write_csv(frame, flags_as_words=True)
    elif fmt == "json":
        print(json.dumps({**heading, "rows": json_ready(frame)}, indent=2))
    else:
        print_table(frame)


def run_report(args) -> int:
    from reach.queries.report import reach_report

    if args.rule and not args.publish:
        raise InputFault("--rule chooses the disclosure rule of a publication: add --publish.")
    options = report_options(args)
    with opened(args.db, read_only=True) as con:
        use_site_words_of(con)
        if args.publish:
            # Protected together with every other level and table, so that this level published
            # beside any other lets no hidden count be worked out.
            from reach.queries.publication import published_figures
            frame = published_figures(con, as_at=args.as_at, options=options,
                                      rule=RULES[args.rule or "standard"]).tables[args.by]
        else:
            frame = reach_report(con, as_at=args.as_at, by=args.by, options=options)
    write_figures(frame, args.format, {"as_at": args.as_at.isoformat(), "by": args.by})
    return EXIT_OK


def add_report_parser(commands) -> None:
    p = add_command(
        commands, "report", run=run_report, help="the reach figures as at a date",
        description="Every measure defined in docs/definitions.md as at a date, per centre (default), per "
                    "LSOA, or for the whole authority.",
        epilog=textwrap.dedent("""\
            examples:
              python -m reach report --as-at 2026-09-30
              python -m reach report --as-at 2026-09-30 --by lsoa --format csv > lsoas.csv
              python -m reach report --as-at 2026-09-30 --format json --publish
              python -m reach report --as-at 2026-09-30 --by lsoa --publish --rule nhs"""),
    )
    p.add_argument("--as-at", type=date_argument, required=True, metavar="DATE")
    p.add_argument("--by", choices=("centre", "lsoa", "authority"), default="centre")
    p.add_argument("--format", choices=("csv", "json", "table"), default="csv")
    p.add_argument("--publish", action="store_true",
                   help="suppress small counts (and what would reveal them) for publication")
    p.add_argument("--rule", choices=tuple(RULES),
                   help="the disclosure rule of --publish: standard hides 1 to 4 (the default), nhs hides "
                        "1 to 7 and rounds other counts to the nearest 5")
    add_option_arguments(p)
    p.set_defaults(words_from_its_store=True)     # run_report reads them on its own connection


def add_option_arguments(p) -> None:
    """The band thresholds and the sustained-contact threshold, as every figure command takes them."""
    standard = Bands()
    p.add_argument("--outstanding", type=float, default=standard.outstanding, metavar="PCT",
                   help=f"band threshold, also the target of families to find (default {standard.outstanding:g})")
    p.add_argument("--good", type=float, default=standard.good, metavar="PCT",
                   help=f"band threshold (default {standard.good:g})")
    p.add_argument("--requires-improvement", type=float, default=standard.requires_improvement, metavar="PCT",
                   help=f"band threshold (default {standard.requires_improvement:g})")
    p.add_argument("--sustained-contacts", type=int, default=DEFAULT_SUSTAINED_CONTACTS, metavar="N",
                   help=f"contacts in 12 months that count as sustained (default {DEFAULT_SUSTAINED_CONTACTS})")
