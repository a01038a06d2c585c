"""`settings`: what the sites are called (children's centres or family hubs) and the target for a
good level of development, kept in the database; without options, the settings as they are."""

from __future__ import annotations

import textwrap

from cli.common import EXIT_OK, InputFault, add_command
from data.settings import StoreSettings, read_settings, save_settings
from data.store import database_path, opened
from reach.presentation.wording import wording_for


def _described(db, settings: StoreSettings) -> str:
    words = wording_for(settings.site_word)
    target = f"{settings.gld_target_pct:g}%" + ("" if settings.gld_target_set else " (the standard target)")
    return (f"Settings of {db}:\n"
            f"  the sites are called {words.sites_long} (--sites {settings.site_word})\n"
            f"  the target for a good level of development is {target}")


def run_settings(args) -> int:
    db = database_path(args.db)
    if args.sites is None and args.gld_target is None:
        if not db.exists():
            settings = StoreSettings()
        else:
            with opened(db, read_only=True) as con:
                settings = read_settings(con)
        print(_described(db, settings))
        return EXIT_OK
    try:
        settings = save_settings(db, site_word=args.sites, gld_target_pct=args.gld_target)
    except ValueError as error:
        raise InputFault(f"{error}; nothing was changed") from None
    print("Saved. " + _described(db, settings))
    return EXIT_OK


def add_settings_parser(commands) -> None:
    parser = add_command(
        commands, "settings", run=run_settings,
        help="what the sites are called, and the GLD target; without options, print them",
        description=textwrap.dedent("""\
            What the sites are called on every page, in every export and message: children's
            centres (the standard) or family hubs; and the target for the share of children with a
            good level of development at five (75% unless set). Without options, prints the
            settings as they are. Column names and options keep their spelling (centre_id,
            --centre) either way."""),
        epilog=textwrap.dedent("""\
            examples:
              python -m reach settings
              python -m reach settings --sites hubs
              python -m reach settings --gld-target 72.5"""),
    )
    parser.add_argument("--sites", choices=("centres", "hubs"),
                        help="call the sites children's centres (centres) or family hubs (hubs)")
    parser.add_argument("--gld-target", type=float, metavar="PCT",
                        help="the target for a good level of development, a percentage above 0 and at most 100")
