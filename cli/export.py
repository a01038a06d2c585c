"""`export`: a report to hand over, for one centre or the authority, as CSV, Parquet, Excel or a web page."""

from __future__ import annotations

import textwrap
from pathlib import Path

from cli.common import EXIT_OK, InputFault, add_command, date_argument
from cli.report import add_option_arguments, report_options
from data.store import opened
from reach.domain.suppression import RULES
from reach.presentation.report_files import FORMATS
from reach.presentation.wording import reword_label

SUFFIX = {"csv": ".zip", "parquet": ".zip", "xlsx": ".xlsx", "html": ".html"}
EXPORT_FORMATS = (*FORMATS, "html")


def default_name(*, centre_id: str | None, as_at, format: str, publication: bool) -> str:
    from reach.presentation.safe_text import file_name
    who = f"centre_{centre_id}" if centre_id else "all_centres"
    return file_name(f"reach_{who}_{as_at.isoformat()}{'_publication' if publication else ''}{SUFFIX[format]}")


def run_export(args) -> int:
    from reach.presentation import report_files, report_html
    from reach.presentation.safe_text import terminal_text
    from reach.queries.report_tables import report_tables

    if args.rule and not args.publication:
        raise InputFault("--rule chooses the disclosure rule of a publication: add --publication.")
    if args.authority is not None and args.format != "parquet":
        raise InputFault("--authority names the authority on every row of the Parquet files a region reads: "
                         "use it with --format parquet.")
    options = report_options(args)
    rule = RULES[args.rule or "standard"] if args.publication else None
    with opened(args.db, read_only=True) as con:
        authority = _authority(con, args.authority) if args.format == "parquet" else None
        report = report_tables(con, as_at=args.as_at, centre_id=args.centre, rule=rule, options=options)
    out = Path(args.out) if args.out else Path(default_name(centre_id=args.centre, as_at=args.as_at,
                                                            format=args.format, publication=args.publication))
    if args.format in ("csv", "parquet"):
        files = (report_files.csv_files(report) if args.format == "csv"
                 else report_files.parquet_files(report, authority=authority))
        if out.suffix.lower() == ".zip":
            out.write_bytes(report_files.zipped(files))
        else:
            report_files.write_folder(files, out)
    elif args.format == "html":
        out.write_bytes(report_html.html_file(report))
    else:
        out.write_bytes(report_files.workbook(report))
    print(terminal_text(f"Wrote {out} ({args.format}, {reword_label(report.title)}, as at {args.as_at.isoformat()}"
                        f"{', ' + report.rule.name + ' disclosure rule' if report.rule else ', working figures'})."))
    if args.format == "parquet" and rule is None:
        print("These are working figures, every small count shown: a region is sent the files made with "
              "--publication.")
    return EXIT_OK


def _authority(con, name: str | None):
    """Who the Parquet files come from: the name given, else the local authority code the
    centres carry; refused when there is neither."""
    from reach.presentation.report_files import Authority
    from reach.queries.authority import authority_codes

    codes = authority_codes(con)
    code = codes[0] if codes else None
    if name is not None:
        name = " ".join(name.split())
        if not name or len(name) > 100 or not name.isprintable():
            raise InputFault("--authority is the authority's name as a region will see it: up to 100 "
                             "characters of plain text, such as \"Brackenfold\".")
        return Authority(name=name, code=code)
    if code is None:
        raise InputFault("The centres carry no local authority code (la_code in the centres file), so the "
                         "Parquet files could not say whose they are: name the authority with --authority NAME.")
    return Authority(name=code, code=code)


def add_export_parser(commands) -> None:
    p = add_command(
        commands, "export", run=run_export, help="a report to hand over: CSV, Parquet, Excel or a web page",
        description="The key figures, the LSOA table, the target groups, the trend and the timeliness of "
                    "birth data for one centre (--centre) or for all centres, as a zip of CSV or Parquet "
                    "files (or a folder, when --out does not end in .zip), or an Excel workbook with the "
                    "definitions and where the figures come from, or a web page (--format html) that opens "
                    "offline and prints on A4, with the same figures, its charts drawn in the page. "
                    "--publication hides small counts, by the standard rule (1 to 4) or the NHS one "
                    "(1 to 7, other counts rounded to the nearest 5); the files state the rule. "
                    "Parquet is the format a region reads: every row names the authority (--authority, "
                    "else the local authority code of the centres) and the date, a withheld figure is "
                    "empty and named in the row's 'withheld' column, and authority.parquet holds the "
                    "authority's own row; send a region the files made with --publication.",
        epilog=textwrap.dedent("""\
            examples:
              python -m reach export --as-at 2026-09-30 --format xlsx
              python -m reach export --as-at 2026-09-30 --centre DEMO01 --format xlsx --publication
              python -m reach export --as-at 2026-09-30 --centre DEMO01 --format html --publication --rule nhs
              python -m reach export --as-at 2026-09-30 --format csv --publication --rule nhs --out figures.zip
              python -m reach export --as-at 2026-09-30 --format parquet --publication --out E06999001"""),
    )
    p.add_argument("--as-at", type=date_argument, required=True, metavar="DATE")
    p.add_argument("--centre", metavar="ID", help="one centre's report (default: all centres)")
    p.add_argument("--format", choices=EXPORT_FORMATS, required=True)
    p.add_argument("--publication", action="store_true", help="hide small counts for publication")
    p.add_argument("--rule", choices=tuple(RULES), help="the disclosure rule of a publication (default standard)")
    p.add_argument("--out", metavar="PATH", help="where to write (default: a name from the centre and date)")
    p.add_argument("--authority", metavar="NAME",
                   help="Parquet: the authority's name on every row (default: the centres' local authority code)")
    add_option_arguments(p)
